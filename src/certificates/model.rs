//! What certificates are, for the server and the browser: a template's design with its
//! placeholders, a certificate as its holder and administrators see it, and what the public
//! verification page may say (the name, the title and the dates: no other personal data).

use crate::error::{AppError, Problems};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    #[default]
    Landscape,
    Portrait,
}

impl Orientation {
    pub fn as_str(self) -> &'static str {
        match self {
            Orientation::Landscape => "landscape",
            Orientation::Portrait => "portrait",
        }
    }
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "landscape" => Some(Orientation::Landscape),
            "portrait" => Some(Orientation::Portrait),
            _ => None,
        }
    }
    /// A4 in PDF points (width, height).
    pub fn page_size(self) -> (f32, f32) {
        match self {
            Orientation::Landscape => (841.89, 595.28),
            Orientation::Portrait => (595.28, 841.89),
        }
    }
}

/// How a template draws a certificate. Texts may hold placeholders (`PLACEHOLDERS`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Design {
    #[serde(default)]
    pub orientation: Orientation,
    pub heading: String,
    pub body: String,
    #[serde(default)]
    pub signatory: String,
    #[serde(default)]
    pub footer: String,
    /// The border and heading colour, `#rrggbb`.
    pub accent: String,
    /// Uploaded images (`certificate_images` ids), each drawn where its slot says.
    #[serde(default)]
    pub images: Images,
}

/// The images a design may draw: one per `ImageSlot`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Images {
    #[serde(default)]
    pub background: Option<i64>,
    #[serde(default)]
    pub logo: Option<i64>,
    #[serde(default)]
    pub signature: Option<i64>,
}

impl Images {
    pub fn get(&self, slot: ImageSlot) -> Option<i64> {
        match slot {
            ImageSlot::Background => self.background,
            ImageSlot::Logo => self.logo,
            ImageSlot::Signature => self.signature,
        }
    }
    /// Whether the design draws this image in any slot.
    pub fn names(&self, id: i64) -> bool {
        ImageSlot::ALL
            .into_iter()
            .any(|slot| self.get(slot) == Some(id))
    }
    pub fn set(&mut self, slot: ImageSlot, id: Option<i64>) {
        match slot {
            ImageSlot::Background => self.background = id,
            ImageSlot::Logo => self.logo = id,
            ImageSlot::Signature => self.signature = id,
        }
    }
}

/// Where an uploaded image goes on the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageSlot {
    /// The whole page, behind everything (a background or a border with a clear middle); it
    /// replaces the drawn border.
    Background,
    /// Above the heading, centred.
    Logo,
    /// Above the signatory's line.
    Signature,
}

impl ImageSlot {
    pub const ALL: [ImageSlot; 3] = [ImageSlot::Background, ImageSlot::Logo, ImageSlot::Signature];

    pub fn as_str(self) -> &'static str {
        match self {
            ImageSlot::Background => "background",
            ImageSlot::Logo => "logo",
            ImageSlot::Signature => "signature",
        }
    }
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == input)
    }
    pub fn label(self) -> &'static str {
        match self {
            ImageSlot::Background => "Background or border",
            ImageSlot::Logo => "Logo",
            ImageSlot::Signature => "Signature",
        }
    }
    pub fn hint(self) -> &'static str {
        match self {
            ImageSlot::Background => {
                "Fills the page behind the text and replaces the drawn border; an A4 image in the template's orientation fits best."
            }
            ImageSlot::Logo => "Centred above the heading, up to 5 cm wide and 2 cm high.",
            ImageSlot::Signature => {
                "Above the signatory's line, up to 7.5 cm wide and 2 cm high; a PNG with a clear background looks best."
            }
        }
    }
}

/// The largest image a template may hold, in bytes, and its largest side in pixels.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_IMAGE_SIDE: u32 = 4000;

impl Default for Design {
    fn default() -> Self {
        Design {
            orientation: Orientation::Landscape,
            heading: "Certificate of completion".into(),
            body: "This certifies that\n{learner}\nhas completed\n{title}\non {completed_on}"
                .into(),
            signatory: String::new(),
            footer: "Certificate {number} · valid until {expires_on}".into(),
            accent: "#1d4ed8".into(),
            images: Images::default(),
        }
    }
}

/// The placeholders a template's texts may use, with what each stands for.
pub const PLACEHOLDERS: [(&str, &str); 6] = [
    ("learner", "the learner's name"),
    ("title", "the course's title"),
    ("completed_on", "the completion date"),
    ("expires_on", "the expiry date (or “no expiry”)"),
    ("grade", "the course grade (or “—”)"),
    ("number", "the certificate number"),
];

/// What fills a design's placeholders for one certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fields {
    pub learner: String,
    pub title: String,
    pub completed_on: String,
    pub expires_on: Option<String>,
    pub grade: Option<String>,
    pub number: String,
}

impl Fields {
    /// Made-up values for a template's preview.
    pub fn sample() -> Self {
        Fields {
            learner: "Zoë Παπαδοπούλου-Иванова".into(),
            title: "Fire safety essentials".into(),
            completed_on: "2026-03-14".into(),
            expires_on: Some("2027-03-14".into()),
            grade: Some("92%".into()),
            number: "SAMP-LE00-0000".into(),
        }
    }

    fn value(&self, name: &str) -> Option<String> {
        Some(match name {
            "learner" => self.learner.clone(),
            "title" => self.title.clone(),
            "completed_on" => self.completed_on.clone(),
            "expires_on" => self
                .expires_on
                .clone()
                .unwrap_or_else(|| "no expiry".into()),
            "grade" => self.grade.clone().unwrap_or_else(|| "—".into()),
            "number" => self.number.clone(),
            _ => return None,
        })
    }
}

/// The placeholder names a text uses, in order (`{name}`); an unclosed `{` is an error.
fn placeholders(text: &str) -> Result<Vec<&str>, ()> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = rest.get(start + 1..).unwrap_or("");
        let end = after.find('}').ok_or(())?;
        found.push(after.get(..end).unwrap_or(""));
        rest = after.get(end + 1..).unwrap_or("");
    }
    Ok(found)
}

/// A text with its placeholders filled in.
pub fn fill(text: &str, fields: &Fields) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 1..).unwrap_or("");
        match after.find('}') {
            Some(end) => {
                let name = after.get(..end).unwrap_or("");
                match fields.value(name) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = after.get(end + 1..).unwrap_or("");
            }
            None => {
                out.push_str(rest.get(start..).unwrap_or(""));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// What an administrator sends to save a template (the texts as typed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateForm {
    pub name: String,
    pub orientation: String,
    pub heading: String,
    pub body: String,
    #[serde(default)]
    pub signatory: String,
    #[serde(default)]
    pub footer: String,
    pub accent: String,
    /// The images (ids) the preview draws; saving keeps the template's own, which only an
    /// upload or a removal changes.
    #[serde(default)]
    pub background: String,
    #[serde(default)]
    pub logo: String,
    #[serde(default)]
    pub signature: String,
}

fn id_text(id: Option<i64>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

const TEXT_FIELDS: [&str; 4] = ["heading", "body", "signatory", "footer"];

impl TemplateForm {
    pub fn from_design(name: &str, d: &Design) -> Self {
        TemplateForm {
            name: name.to_string(),
            orientation: d.orientation.as_str().into(),
            heading: d.heading.clone(),
            body: d.body.clone(),
            signatory: d.signatory.clone(),
            footer: d.footer.clone(),
            accent: d.accent.clone(),
            background: id_text(d.images.background),
            logo: id_text(d.images.logo),
            signature: id_text(d.images.signature),
        }
    }

    /// The image in `slot` as the form holds it (an id, or empty for none).
    pub fn image(&self, slot: ImageSlot) -> Option<i64> {
        let text = match slot {
            ImageSlot::Background => &self.background,
            ImageSlot::Logo => &self.logo,
            ImageSlot::Signature => &self.signature,
        };
        text.trim().parse().ok()
    }

    fn text(&self, field: &str) -> &str {
        match field {
            "heading" => &self.heading,
            "body" => &self.body,
            "signatory" => &self.signatory,
            _ => &self.footer,
        }
    }

    /// The name and the design, or every problem next to its field.
    pub fn parse(&self) -> Result<(String, Design), AppError> {
        let mut problems = Problems::default();
        let name = self.name.trim();
        if name.is_empty() {
            problems.add("name", "Give the template a name.");
        } else if name.chars().count() > 120 {
            problems.add("name", "Keep the name to 120 characters.");
        }
        let orientation = Orientation::parse(&self.orientation);
        if orientation.is_none() {
            problems.add("orientation", "Choose landscape or portrait.");
        }
        if self.heading.trim().is_empty() {
            problems.add("heading", "Give the certificate a heading.");
        }
        if self.body.trim().is_empty() {
            problems.add("body", "Write the certificate's text.");
        }
        for field in TEXT_FIELDS {
            let text = self.text(field);
            if text.chars().count() > 600 {
                problems.add(field, "Keep this to 600 characters.");
                continue;
            }
            match placeholders(text) {
                Err(()) => problems.add(field, "A “{” has no closing “}”."),
                Ok(names) => {
                    if let Some(bad) = names
                        .iter()
                        .find(|n| !PLACEHOLDERS.iter().any(|(p, _)| p == *n))
                    {
                        problems.add(
                            field,
                            format!(
                                "“{{{bad}}}” is not a placeholder. Use {}.",
                                PLACEHOLDERS
                                    .iter()
                                    .map(|(p, _)| format!("{{{p}}}"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                    }
                }
            }
        }
        let accent = self.accent.trim();
        if parse_colour(accent).is_none() {
            problems.add("accent", "Give the colour as #rrggbb, e.g. #1d4ed8.");
        }
        problems.into_result()?;
        Ok((
            name.to_string(),
            Design {
                orientation: orientation.unwrap_or_default(),
                heading: self.heading.trim().to_string(),
                body: self.body.trim().to_string(),
                signatory: self.signatory.trim().to_string(),
                footer: self.footer.trim().to_string(),
                accent: accent.to_lowercase(),
                images: Images {
                    background: self.image(ImageSlot::Background),
                    logo: self.image(ImageSlot::Logo),
                    signature: self.image(ImageSlot::Signature),
                },
            },
        ))
    }
}

/// `#rrggbb` as red, green and blue.
pub fn parse_colour(input: &str) -> Option<(u8, u8, u8)> {
    let hex = input.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let part = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some((part(0)?, part(2)?, part(4)?))
}

/// A template in the administrators' list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub design: Design,
    /// Courses that issue it.
    pub courses: i64,
    /// Certificates issued with it.
    pub issued: i64,
}

/// Where a certificate stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Valid,
    Expired,
    Revoked,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Valid => "Valid",
            Standing::Expired => "Expired",
            Standing::Revoked => "Revoked",
        }
    }
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "valid" => Some(Standing::Valid),
            "expired" => Some(Standing::Expired),
            "revoked" => Some(Standing::Revoked),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Valid => "valid",
            Standing::Expired => "expired",
            Standing::Revoked => "revoked",
        }
    }
    /// A revoked certificate is revoked; one past its expiry date (`today` and `expires_on` are
    /// YYYY-MM-DD in the site's time zone) has expired: it is valid up to and including the day
    /// before.
    pub fn of(revoked: bool, expires_on: Option<&str>, today: &str) -> Self {
        if revoked {
            Standing::Revoked
        } else if expires_on.is_some_and(|e| e <= today) {
            Standing::Expired
        } else {
            Standing::Valid
        }
    }
}

/// A certificate as its holder and administrators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub id: i64,
    pub number: String,
    pub user_id: i64,
    pub recipient_name: String,
    pub email: String,
    pub course_id: Option<i64>,
    pub title: String,
    pub grade: Option<String>,
    pub completed_on: String,
    pub expires_on: Option<String>,
    pub issued_at: i64,
    /// Issued by hand by this person (empty: on completion).
    pub issued_by: Option<String>,
    pub revoked_at: Option<i64>,
    pub revoke_reason: Option<String>,
    pub standing: Standing,
    /// The verification page's full address, to share.
    pub share_url: String,
}

impl Certificate {
    /// The verification page's address, from the site's root.
    pub fn verify_path(&self) -> String {
        verify_path(&self.number)
    }
    pub fn pdf_path(&self) -> String {
        format!("/certificates/{}.pdf", self.number)
    }
    /// The Open Badges 3.0 credential (a signed VC-JWT).
    pub fn badge_path(&self) -> String {
        format!("/certificates/{}.jwt", self.number)
    }
}

pub fn verify_path(number: &str) -> String {
    format!("/verify/{number}")
}

/// What the public verification page says about a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub number: String,
    pub recipient_name: String,
    pub title: String,
    pub completed_on: String,
    pub expires_on: Option<String>,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
    pub standing: Standing,
    pub site_name: String,
}

/// The administrators' certificate list: a search over names, emails, numbers and titles, and
/// a standing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CertificateQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub standing: String,
    #[serde(default)]
    pub page: u32,
}

/// Issuing by hand: to whom, for which course.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IssueForm {
    pub email: String,
    pub course_id: String,
    /// YYYY-MM-DD; today when empty.
    #[serde(default)]
    pub completed_on: String,
}

/// The templates a course may choose from, and the one it issues (if any).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseSetting {
    pub template_id: Option<i64>,
    pub templates: Vec<(i64, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        let f = Fields::sample();
        assert_eq!(
            fill("{learner} did {title} ({grade}) {x} {", &f),
            "Zoë Παπαδοπούλου-Иванова did Fire safety essentials (92%) {x} {"
        );
        let none = Fields {
            expires_on: None,
            grade: None,
            ..f
        };
        assert_eq!(fill("{expires_on}/{grade}", &none), "no expiry/—");
    }

    #[test]
    fn a_form_reports_each_problem_next_to_its_field() {
        let form = TemplateForm {
            name: " ".into(),
            orientation: "sideways".into(),
            heading: "Hi {name}".into(),
            body: "Done {title".into(),
            signatory: String::new(),
            footer: String::new(),
            accent: "blue".into(),
            ..Default::default()
        };
        let err = form.parse().unwrap_err();
        for field in ["name", "orientation", "heading", "body", "accent"] {
            assert!(err.field(field).is_some(), "{field}: {err:?}");
        }
        assert!(err.field("heading").unwrap().contains("{name}"));
        let ok = TemplateForm::from_design("Fire", &Design::default());
        assert_eq!(ok.parse().unwrap().1, Design::default());
    }

    #[test]
    fn a_certificate_is_valid_until_the_day_before_expiry() {
        assert_eq!(
            Standing::of(false, Some("2027-03-14"), "2027-03-13"),
            Standing::Valid
        );
        assert_eq!(
            Standing::of(false, Some("2027-03-14"), "2027-03-14"),
            Standing::Expired
        );
        assert_eq!(Standing::of(false, None, "2099-01-01"), Standing::Valid);
        assert_eq!(
            Standing::of(true, Some("2099-01-01"), "2027-01-01"),
            Standing::Revoked
        );
        assert_eq!(parse_colour("#1D4ed8"), Some((0x1d, 0x4e, 0xd8)));
        assert_eq!(parse_colour("#1d4ed"), None);
    }
}
