//! Course types and the parsing rules for what instructors type (compiles for the browser too).

use crate::error::{AppError, Problems};
use crate::input::{format_date, parse_date};
use crate::items::kind::ItemKind;
use crate::string_enum;
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

string_enum!(
    /// Draft courses are seen only by their staff; archived ones stay readable to their members.
    CourseState { Draft = "draft" / "Draft", Published = "published" / "Published", Archived = "archived" / "Archived" }
);
string_enum!(
    /// A person's role in one course.
    CourseRole { Instructor = "instructor" / "Instructor", Assistant = "assistant" / "Teaching assistant", Learner = "learner" / "Learner" }
);
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
        if let (Some(s), Some(e)) = (starts_at, ends_at)
            && e < s
        {
            problems.add(
                "ends_on",
                "The end date must be on or after the start date.",
            );
        }
        let review_by = problems
            .check(parse_date("review_by", &self.review_by))
            .flatten();
        let parsed = match (code, title) {
            (Some(code), Some(title)) => Some(CourseFields {
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
            _ => None,
        };
        problems.finish(parsed)
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
    /// Checks what every item has (kind, title, completion) and keeps the shared columns its kind
    /// uses; `check_content` is the kind's own check of them (a file chosen, a valid address), so
    /// that every problem is reported at once.
    pub fn parse(
        &self,
        check_content: impl FnOnce(&mut ItemFields) -> Result<(), AppError>,
    ) -> Result<ItemFields, AppError> {
        let mut problems = Problems::default();
        let kind = ItemKind::parse(&self.kind);
        if kind.is_none() {
            problems.add("kind", "Choose what kind of item this is.");
        }
        let title = problems.check(parse_line("title", "title", &self.title, 200));
        if self.body.len() > 500_000 {
            problems.add("body", "The text can be at most 500,000 characters.");
        }
        let Some(kind) = kind else {
            return problems.finish(None);
        };
        let shape = kind.shape();
        let url = self.url.trim();
        let mut fields = ItemFields {
            kind,
            title: title.unwrap_or_default(),
            body: if shape.text.is_some() {
                self.body.clone()
            } else {
                String::new()
            },
            url: (shape.url.is_some() && !url.is_empty()).then(|| url.to_string()),
            file_id: shape
                .file
                .and_then(|_| self.file_id.trim().parse::<i64>().ok()),
            required: self.required,
            hidden: self.hidden,
            completion: if shape.completes.is_some() {
                Completion::Manual
            } else {
                Completion::parse(&self.completion).unwrap_or(Completion::View)
            },
        };
        problems.check(check_content(&mut fields));
        problems.into_result()?;
        Ok(fields)
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

pub use crate::files::model::FileInfo;

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
    /// The recycle bin (for those who may edit): deleted items, most recent first.
    pub deleted: Vec<DeletedItem>,
}

/// An item in a course's recycle bin: gone for everyone, restorable by the course's editors
/// until it is purged (`DeletedItem::KEPT_SECS` after it was deleted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedItem {
    pub id: i64,
    pub kind: ItemKind,
    pub title: String,
    pub section_title: String,
    pub deleted_at: i64,
    pub deleted_by: Option<String>,
}

impl DeletedItem {
    /// How long a deleted item waits in the recycle bin before it is purged for good.
    pub const KEPT_SECS: i64 = 30 * 24 * 60 * 60;

    pub fn purged_at(&self) -> i64 {
        self.deleted_at.saturating_add(Self::KEPT_SECS)
    }
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
}
