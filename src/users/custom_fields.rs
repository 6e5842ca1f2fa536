//! Profile fields that administrators define on top of the fixed ones (a cost centre, a licence
//! number, "works nights"): text, a choice list, a date or yes/no; required or not; shown to the
//! person or kept for administrators. Each has a machine name, which is its CSV column, its REST
//! key and what audience rules name.

use crate::error::{AppError, Problems};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomKind {
    Text,
    Choice,
    Date,
    YesNo,
}

impl CustomKind {
    pub const ALL: [CustomKind; 4] = [
        CustomKind::Text,
        CustomKind::Choice,
        CustomKind::Date,
        CustomKind::YesNo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CustomKind::Text => "text",
            CustomKind::Choice => "choice",
            CustomKind::Date => "date",
            CustomKind::YesNo => "yes_no",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CustomKind::Text => "Text",
            CustomKind::Choice => "Choice list",
            CustomKind::Date => "Date",
            CustomKind::YesNo => "Yes/no",
        }
    }

    pub fn parse(input: &str) -> Option<CustomKind> {
        CustomKind::ALL.into_iter().find(|k| k.as_str() == input)
    }
}

/// A field as defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    pub id: i64,
    /// `cost_centre`: the CSV column, the REST key.
    pub name: String,
    pub label: String,
    pub kind: CustomKind,
    /// The allowed values of a choice list, in order.
    pub choices: Vec<String>,
    pub required: bool,
    /// Shown to the person on their account page (otherwise only administrators see it).
    pub visible_to_user: bool,
}

/// The definition form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomFieldForm {
    pub name: String,
    pub label: String,
    pub kind: String,
    /// One choice per line.
    pub choices: String,
    pub required: bool,
    pub visible_to_user: bool,
}

impl Default for CustomFieldForm {
    fn default() -> CustomFieldForm {
        CustomFieldForm {
            name: String::new(),
            label: String::new(),
            kind: "text".into(),
            choices: String::new(),
            required: false,
            visible_to_user: true,
        }
    }
}

/// Names the fixed columns of the user import and export already use.
const TAKEN: [&str; 16] = [
    "id",
    "email",
    "name",
    "roles",
    "password",
    "status",
    "created_at",
    "last_sign_in_at",
    "employee_id",
    "department",
    "job_title",
    "manager",
    "manager_email",
    "location",
    "hire_date",
    "custom",
];

/// A definition after its rules (`id` 0 for a new one).
pub fn parse_definition(form: &CustomFieldForm) -> Result<CustomField, AppError> {
    let mut problems = Problems::default();
    let name = form.name.trim().to_lowercase();
    let valid_name = name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_name {
        problems.add(
            "name",
            "Use 1 to 40 lower-case letters, digits and _ , starting with a letter (it is the CSV column).",
        );
    } else if TAKEN.contains(&name.as_str()) {
        problems.add(
            "name",
            format!("{name} is a built-in column; choose another name."),
        );
    }
    let label = form.label.trim().to_string();
    if label.is_empty() || label.chars().count() > 100 || label.chars().any(char::is_control) {
        problems.add("label", "Enter a label of at most 100 characters.");
    }
    let kind = CustomKind::parse(&form.kind);
    if kind.is_none() {
        problems.add("kind", "Choose a kind of field.");
    }
    let mut choices: Vec<String> = Vec::new();
    for choice in form
        .choices
        .lines()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        if !choices.iter().any(|c| c.eq_ignore_ascii_case(choice)) {
            choices.push(choice.to_string());
        }
    }
    if kind == Some(CustomKind::Choice) {
        if choices.is_empty() {
            problems.add("choices", "Enter the choices, one per line.");
        } else if choices.len() > 200 || choices.iter().any(|c| c.chars().count() > 100) {
            problems.add(
                "choices",
                "Enter at most 200 choices of at most 100 characters.",
            );
        }
    } else {
        choices.clear();
    }
    problems.into_result()?;
    Ok(CustomField {
        id: 0,
        name,
        label,
        kind: kind.unwrap_or(CustomKind::Text),
        choices,
        required: form.required,
        visible_to_user: form.visible_to_user,
    })
}

impl CustomField {
    /// The form field a value's problem is shown next to.
    pub fn form_field(&self) -> String {
        format!("custom.{}", self.name)
    }

    /// A typed value as stored: empty, or checked and in its one written form (a choice as
    /// defined, `yes`/`no`, `YYYY-MM-DD`).
    pub fn check(&self, input: &str) -> Result<String, String> {
        let value = input.trim();
        if value.is_empty() {
            return if self.required {
                Err(format!("{} is required.", self.label))
            } else {
                Ok(String::new())
            };
        }
        match self.kind {
            CustomKind::Text => {
                if value.chars().count() > 500 || value.chars().any(char::is_control) {
                    Err(format!(
                        "{} can be at most 500 characters of plain text.",
                        self.label
                    ))
                } else {
                    Ok(value.to_string())
                }
            }
            CustomKind::Choice => self
                .choices
                .iter()
                .find(|c| c.eq_ignore_ascii_case(value))
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "{} must be one of: {}.",
                        self.label,
                        self.choices.join(", ")
                    )
                }),
            CustomKind::Date => crate::input::parse_date("", value)
                .ok()
                .flatten()
                .map(|ts| crate::input::format_date(Some(ts)))
                .ok_or_else(|| format!("{}: enter a date as YYYY-MM-DD.", self.label)),
            CustomKind::YesNo => match value.to_lowercase().as_str() {
                "yes" | "y" | "true" | "1" => Ok("yes".into()),
                "no" | "n" | "false" | "0" => Ok("no".into()),
                _ => Err(format!("{}: answer yes or no.", self.label)),
            },
        }
    }
}

/// Checks typed values against the definitions: every defined field gets a value (empty when
/// not typed), and a name that no field has is refused.
pub fn check_values(
    fields: &[CustomField],
    typed: &BTreeMap<String, String>,
    problems: &mut Problems,
) -> BTreeMap<String, String> {
    for name in typed.keys() {
        if !fields.iter().any(|f| &f.name == name) {
            problems.add(
                &format!("custom.{name}"),
                format!("No profile field is called {name}."),
            );
        }
    }
    fields
        .iter()
        .filter_map(|field| {
            let input = typed.get(&field.name).map_or("", String::as_str);
            match field.check(input) {
                Ok(value) => Some((field.name.clone(), value)),
                Err(message) => {
                    problems.add(&field.form_field(), message);
                    None
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: CustomKind, required: bool) -> CustomField {
        CustomField {
            id: 1,
            name: "f".into(),
            label: "Shift".into(),
            kind,
            choices: vec!["Day".into(), "Night".into()],
            required,
            visible_to_user: true,
        }
    }

    #[test]
    fn values_are_checked_and_written_one_way() {
        assert_eq!(
            field(CustomKind::Choice, false).check(" night "),
            Ok("Night".into())
        );
        assert!(field(CustomKind::Choice, false).check("Dusk").is_err());
        assert_eq!(
            field(CustomKind::YesNo, false).check("TRUE"),
            Ok("yes".into())
        );
        assert_eq!(
            field(CustomKind::Date, false).check("2024-02-29"),
            Ok("2024-02-29".into())
        );
        assert!(field(CustomKind::Date, false).check("2023-02-29").is_err());
        assert!(field(CustomKind::Text, true).check("  ").is_err());
        assert_eq!(field(CustomKind::Text, false).check(""), Ok(String::new()));
    }

    #[test]
    fn definitions_have_a_usable_name() {
        let form = |name: &str, kind: &str, choices: &str| CustomFieldForm {
            name: name.into(),
            label: "Cost centre".into(),
            kind: kind.into(),
            choices: choices.into(),
            ..Default::default()
        };
        let ok = parse_definition(&form("Cost_Centre", "choice", "A\nb\n\nB\n")).unwrap();
        assert_eq!(
            (ok.name.as_str(), ok.choices.clone()),
            ("cost_centre", vec!["A".to_string(), "b".to_string()])
        );
        assert!(
            parse_definition(&form("department", "text", ""))
                .unwrap_err()
                .field("name")
                .is_some()
        );
        assert!(
            parse_definition(&form("9lives", "text", ""))
                .unwrap_err()
                .field("name")
                .is_some()
        );
        assert!(
            parse_definition(&form("shift", "choice", ""))
                .unwrap_err()
                .field("choices")
                .is_some()
        );
        assert!(
            parse_definition(&form("shift", "colour", ""))
                .unwrap_err()
                .field("kind")
                .is_some()
        );
    }
}
