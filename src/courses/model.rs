//! Course types and the parsing rules for what instructors type (compiles for the browser too).

use crate::error::{AppError, Problems};
use serde::{Deserialize, Serialize};

/// A course code: 2 to 32 letters, digits, `-`, `_` or `.`, stored as typed, unique ignoring case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseCode(String);

impl CourseCode {
    pub fn parse(input: &str) -> Result<CourseCode, AppError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(AppError::invalid(
                "code",
                "Enter a course code, like BIO-101.",
            ));
        }
        let ok_chars = value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !(2..=32).contains(&value.len()) || !ok_chars {
            return Err(AppError::invalid(
                "code",
                "Codes are 2 to 32 letters, digits, dashes, dots or underscores.",
            ));
        }
        Ok(CourseCode(value.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Trims and checks a one-line text field: required, at most `max` characters, no control characters.
pub fn parse_line(field: &str, label: &str, input: &str, max: usize) -> Result<String, AppError> {
    let value = input.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, format!("Enter a {label}.")));
    }
    if value.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("The {label} can be at most {max} characters."),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            format!("The {label} cannot contain control characters."),
        ));
    }
    Ok(value.to_string())
}

/// Parses a `YYYY-MM-DD` date input into the Unix time of that day's start (UTC); empty is `None`.
pub fn parse_date(field: &str, input: &str) -> Result<Option<i64>, AppError> {
    let value = input.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let bad = || AppError::invalid(field, "Enter a date as YYYY-MM-DD.");
    let mut parts = value.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let (y, m, d): (i64, i64, i64) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad());
    }
    Ok(Some(days_from_civil(y, m, d) * 86_400))
}

/// The `YYYY-MM-DD` form of a Unix time (UTC), for date inputs.
pub fn format_date(ts: Option<i64>) -> String {
    let Some(ts) = ts else { return String::new() };
    let (y, m, d) = civil_from_days(ts.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

// Howard Hinnant's civil-date algorithms: exact for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn parse(input: &str) -> Option<$name> {
                match input.trim() { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

string_enum!(
    /// Draft courses are seen only by their staff; archived ones stay readable to their members.
    CourseState { Draft = "draft" / "Draft", Published = "published" / "Published", Archived = "archived" / "Archived" }
);
string_enum!(
    /// A person's role in one course.
    CourseRole { Instructor = "instructor" / "Instructor", Assistant = "assistant" / "Teaching assistant", Learner = "learner" / "Learner" }
);
string_enum!(
    /// What an item is; each kind decides its own editor and player. Assessed kinds (quizzes,
    /// assignments) complete by submission, not by viewing or "Mark as done".
    ItemKind { Lesson = "lesson" / "Lesson", File = "file" / "File", Video = "video" / "Video", Link = "link" / "External link", Quiz = "quiz" / "Quiz", Assignment = "assignment" / "Assignment" }
);
impl ItemKind {
    /// Kinds that learners complete by handing something in.
    pub fn is_assessed(self) -> bool {
        matches!(self, ItemKind::Quiz | ItemKind::Assignment)
    }
    /// Kinds with Markdown text of their own: a lesson's page, an assignment's instructions.
    pub fn has_text(self) -> bool {
        matches!(self, ItemKind::Lesson | ItemKind::Assignment)
    }
}

string_enum!(
    /// How an item becomes complete.
    Completion { View = "view" / "When viewed", Manual = "manual" / "When marked as done" }
);
string_enum!(
    EnrolmentStatus { Active = "active" / "Active", Pending = "pending" / "Awaiting approval", Waitlisted = "waitlisted" / "On the waiting list", Withdrawn = "withdrawn" / "Unenrolled" }
);
string_enum!(
    EnrolmentMethod { Manual = "manual" / "Added by staff", SelfEnrol = "self" / "Self-enrolled", Csv = "csv" / "CSV upload", Cohort = "cohort" / "Cohort", Creator = "creator" / "Course creator" }
);

/// What the course form sends (raw input).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CourseForm {
    pub code: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub category_id: String,
    pub tags: String,
    pub starts_on: String,
    pub ends_on: String,
    pub review_by: String,
}

/// The course form, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct CourseFields {
    pub code: CourseCode,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub category_id: Option<i64>,
    pub tags: Vec<String>,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub review_by: Option<i64>,
}

impl CourseForm {
    pub fn parse(&self) -> Result<CourseFields, AppError> {
        let mut problems = Problems::default();
        let code = problems.check(CourseCode::parse(&self.code));
        let title = problems.check(parse_line("title", "title", &self.title, 200));
        if self.summary.chars().count() > 500 {
            problems.add("summary", "The summary can be at most 500 characters.");
        }
        if self.description.len() > 100_000 {
            problems.add(
                "description",
                "The description can be at most 100,000 characters.",
            );
        }
        let category_id = match self.category_id.trim() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    problems.add("category_id", "Choose a category from the list.");
                    None
                }
            },
        };
        let tags = problems.check(parse_tags(&self.tags)).unwrap_or_default();
        let starts_at = problems
            .check(parse_date("starts_on", &self.starts_on))
            .flatten();
        let ends_at = problems
            .check(parse_date("ends_on", &self.ends_on))
            .flatten();
        if let (Some(s), Some(e)) = (starts_at, ends_at) {
            if e < s {
                problems.add(
                    "ends_on",
                    "The end date must be on or after the start date.",
                );
            }
        }
        let review_by = problems
            .check(parse_date("review_by", &self.review_by))
            .flatten();
        problems.into_result()?;
        match (code, title) {
            (Some(code), Some(title)) => Ok(CourseFields {
                code,
                title,
                summary: self.summary.trim().to_string(),
                description: self.description.clone(),
                category_id,
                tags,
                starts_at,
                ends_at,
                review_by,
            }),
            _ => Err(AppError::Internal),
        }
    }
}

/// Comma-separated tags: trimmed, lower-cased, de-duplicated, at most 20 of up to 40 characters.
pub fn parse_tags(input: &str) -> Result<Vec<String>, AppError> {
    let mut tags: Vec<String> = Vec::new();
    for tag in input.split(',').map(|t| t.trim().to_lowercase()) {
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        if tag.chars().count() > 40 || tag.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "tags",
                "Each tag can be at most 40 characters.",
            ));
        }
        tags.push(tag);
    }
    if tags.len() > 20 {
        return Err(AppError::invalid(
            "tags",
            "A course can have at most 20 tags.",
        ));
    }
    Ok(tags)
}

/// Self-enrolment settings form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnrolmentSettingsForm {
    pub self_enrol: bool,
    pub enrol_key: String,
    pub needs_approval: bool,
    pub capacity: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentSettings {
    pub self_enrol: bool,
    pub enrol_key: Option<String>,
    pub needs_approval: bool,
    pub capacity: Option<i32>,
}

impl EnrolmentSettingsForm {
    pub fn parse(&self) -> Result<EnrolmentSettings, AppError> {
        let mut problems = Problems::default();
        let key = self.enrol_key.trim();
        if key.chars().count() > 100 {
            problems.add(
                "enrol_key",
                "The enrolment key can be at most 100 characters.",
            );
        }
        let capacity = match self.capacity.trim() {
            "" => None,
            s => match s.parse::<i32>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    problems.add(
                        "capacity",
                        "Enter a whole number of places, 1 or more, or leave it empty.",
                    );
                    None
                }
            },
        };
        problems.into_result()?;
        Ok(EnrolmentSettings {
            self_enrol: self.self_enrol,
            enrol_key: (!key.is_empty()).then(|| key.to_string()),
            needs_approval: self.needs_approval,
            capacity,
        })
    }
}

/// A course as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseCard {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub summary: String,
    pub state: CourseState,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub cover_file_id: Option<i64>,
}

/// Everything about one course except its outline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Course {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub category_id: Option<i64>,
    pub category: Option<String>,
    pub cover_file_id: Option<i64>,
    pub tags: Vec<String>,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub state: CourseState,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub review_by: Option<i64>,
    pub enrolment: EnrolmentSettings,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Course {
    pub fn form(&self) -> CourseForm {
        CourseForm {
            code: self.code.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            description: self.description.clone(),
            category_id: self.category_id.map(|c| c.to_string()).unwrap_or_default(),
            tags: self.tags.join(", "),
            starts_on: format_date(self.starts_at),
            ends_on: format_date(self.ends_at),
            review_by: format_date(self.review_by),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub id: i64,
    pub title: String,
    pub position: i32,
    pub items: Vec<Item>,
}

/// An item of a course's outline (its content is loaded separately).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: i64,
    pub section_id: i64,
    pub kind: ItemKind,
    pub title: String,
    pub position: i32,
    pub required: bool,
    pub hidden: bool,
    pub completion: Completion,
}

/// What the item form sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub url: String,
    pub file_id: String,
    pub required: bool,
    pub hidden: bool,
    pub completion: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemFields {
    pub kind: ItemKind,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub file_id: Option<i64>,
    pub required: bool,
    pub hidden: bool,
    pub completion: Completion,
}

#[cfg(feature = "ssr")]
impl ItemForm {
    pub fn parse(&self) -> Result<ItemFields, AppError> {
        let mut problems = Problems::default();
        let kind = ItemKind::parse(&self.kind);
        if kind.is_none() {
            problems.add("kind", "Choose what kind of item this is.");
        }
        let title = problems.check(parse_line("title", "title", &self.title, 200));
        let completion = match kind {
            // Completed by submitting (see assessments::attempts::record_completion).
            Some(k) if k.is_assessed() => Completion::Manual,
            _ => Completion::parse(&self.completion).unwrap_or(Completion::View),
        };
        if self.body.len() > 500_000 {
            problems.add("body", "The page can be at most 500,000 characters.");
        }
        let file_id = self.file_id.trim().parse::<i64>().ok();
        let url = self.url.trim();
        let mut parsed_url = None;
        match kind {
            Some(ItemKind::File) if file_id.is_none() => {
                problems.add("file_id", "Choose an uploaded file.");
            }
            Some(ItemKind::Video) => match (file_id, url.is_empty()) {
                (Some(_), true) => {}
                (None, false) => match crate::courses::content::video_embed(url) {
                    Some(_) => parsed_url = Some(url.to_string()),
                    None => problems.add(
                        "url",
                        "Enter a YouTube or Vimeo address, or choose an uploaded video.",
                    ),
                },
                (Some(_), false) => problems.add(
                    "url",
                    "Choose an uploaded video or enter an address, not both.",
                ),
                (None, true) => problems.add(
                    "url",
                    "Choose an uploaded video or enter a YouTube or Vimeo address.",
                ),
            },
            Some(ItemKind::Link) => match url::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => parsed_url = Some(u.to_string()),
                _ => problems.add(
                    "url",
                    "Enter a web address starting with https:// or http://.",
                ),
            },
            _ => {}
        }
        problems.into_result()?;
        match (kind, title) {
            (Some(kind), Some(title)) => Ok(ItemFields {
                kind,
                title,
                body: if kind.has_text() {
                    self.body.clone()
                } else {
                    String::new()
                },
                url: parsed_url,
                file_id: if matches!(kind, ItemKind::File | ItemKind::Video) {
                    file_id
                } else {
                    None
                },
                required: self.required,
                hidden: self.hidden,
                completion,
            }),
            _ => Err(AppError::Internal),
        }
    }
}

/// One item with its content, as the editor and the player load it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDetail {
    pub item: Item,
    pub body: String,
    /// The lesson body rendered and sanitised (lessons only).
    pub html: String,
    pub url: Option<String>,
    /// For videos from YouTube or Vimeo: the privacy-enhanced player address.
    pub embed_url: Option<String>,
    pub file: Option<FileInfo>,
}

impl ItemDetail {
    pub fn form(&self) -> ItemForm {
        ItemForm {
            kind: self.item.kind.as_str().into(),
            title: self.item.title.clone(),
            body: self.body.clone(),
            url: self.url.clone().unwrap_or_default(),
            file_id: self
                .file
                .as_ref()
                .map(|f| f.id.to_string())
                .unwrap_or_default(),
            required: self.item.required,
            hidden: self.item.hidden,
            completion: self.item.completion.as_str().into(),
        }
    }
}

/// An uploaded file as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: i64,
}

impl FileInfo {
    /// Where the file is downloaded from; the name is only for people and is not checked.
    pub fn url(&self) -> String {
        format!("/files/{}/{}", self.id, self.name)
    }
    pub fn is_pdf(&self) -> bool {
        self.content_type == "application/pdf"
    }
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }
    pub fn is_video(&self) -> bool {
        self.content_type.starts_with("video/")
    }
    pub fn is_audio(&self) -> bool {
        self.content_type.starts_with("audio/")
    }
}

/// A saved version of a lesson.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub id: i64,
    pub title: String,
    pub author: Option<String>,
    pub created_at: i64,
}

/// Two revisions compared line by line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionDiff {
    pub old: Revision,
    pub new: Revision,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
}

/// The course's staff view: settings, outline, files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseEditor {
    pub course: Course,
    pub sections: Vec<Section>,
    pub files: Vec<FileInfo>,
    pub prerequisites: Vec<CourseCard>,
    pub categories: Vec<CategoryOption>,
    pub max_upload_bytes: u64,
    /// The signed-in person may change structure and settings (instructors and administrators;
    /// teaching assistants only see).
    pub can_edit: bool,
}

/// A category with its full path, for select lists ("Science / Biology").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryOption {
    pub id: i64,
    pub path: String,
    pub depth: usize,
    pub parent_id: Option<i64>,
    pub course_count: i64,
}

/// Filters for the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CatalogueQuery {
    pub search: String,
    pub category_id: Option<i64>,
    pub tag: String,
    pub page: u32,
}

impl CatalogueQuery {
    pub const PER_PAGE: u32 = 20;
    pub fn page(&self) -> u32 {
        self.page.clamp(1, 100_000)
    }
}

/// A course overdue for review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewDue {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub owner_name: Option<String>,
    pub review_by: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_and_plain() {
        assert_eq!(CourseCode::parse(" BIO-101 ").unwrap().as_str(), "BIO-101");
        assert!(CourseCode::parse("").unwrap_err().field("code").is_some());
        assert!(CourseCode::parse("has space").is_err());
        assert!(CourseCode::parse("x").is_err());
    }

    #[test]
    fn dates_round_trip() {
        let ts = parse_date("d", "2026-02-28").unwrap().unwrap();
        assert_eq!(format_date(Some(ts)), "2026-02-28");
        assert_eq!(parse_date("d", "1970-01-02").unwrap(), Some(86_400));
        assert!(parse_date("d", "2026-02-30").is_err());
        assert!(parse_date("d", "2024-02-29").is_ok());
        assert!(parse_date("d", "soon").is_err());
        assert_eq!(parse_date("d", " ").unwrap(), None);
    }

    #[test]
    fn course_form_reports_every_bad_field() {
        let form = CourseForm {
            code: "a b".into(),
            title: " ".into(),
            starts_on: "2026-05-01".into(),
            ends_on: "2026-04-01".into(),
            ..Default::default()
        };
        let err = form.parse().unwrap_err();
        for field in ["code", "title", "ends_on"] {
            assert!(err.field(field).is_some(), "{field}");
        }
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            parse_tags("Biology, cells,biology,, ").unwrap(),
            vec!["biology", "cells"]
        );
    }

    #[test]
    fn video_items_need_an_allowed_address_or_a_file() {
        let mut form = ItemForm {
            kind: "video".into(),
            title: "Intro".into(),
            url: "https://evil.example/video".into(),
            ..Default::default()
        };
        assert!(form.parse().unwrap_err().field("url").is_some());
        form.url = "https://youtu.be/dQw4w9WgXcQ".into();
        assert_eq!(
            form.parse().unwrap().url.as_deref(),
            Some("https://youtu.be/dQw4w9WgXcQ")
        );
        form.url.clear();
        form.file_id = "7".into();
        assert_eq!(form.parse().unwrap().file_id, Some(7));
    }

    #[test]
    fn links_must_be_web_addresses() {
        let form = ItemForm {
            kind: "link".into(),
            title: "Docs".into(),
            url: "javascript:alert(1)".into(),
            ..Default::default()
        };
        assert!(form.parse().unwrap_err().field("url").is_some());
    }
}
