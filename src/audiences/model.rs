//! Audiences: saved rules over people's profiles, site roles, cohorts and reporting lines
//! ("department is Nursing and location is North"). Membership is never stored: it is the rules
//! applied to the people as they are now, so it follows every profile change at once.

use crate::error::{AppError, Problems};
use crate::users::model::Role;
use serde::{Deserialize, Serialize};

/// The profile columns a text rule can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextColumn {
    Department,
    JobTitle,
    Location,
    EmployeeId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextOp {
    Is,
    IsNot,
    Contains,
    StartsWith,
    IsEmpty,
    IsNotEmpty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOp {
    /// On or after today minus N days.
    WithinDays,
    Before,
    OnOrAfter,
    IsEmpty,
}

/// One rule, as stored (the rules of an audience are kept as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Rule {
    Text {
        column: TextColumn,
        op: TextOp,
        value: String,
    },
    HireDate {
        op: DateOp,
        /// Days for `WithinDays`, `YYYY-MM-DD` for `Before`/`OnOrAfter`.
        value: String,
    },
    Role {
        role: Role,
        has: bool,
    },
    Cohort {
        cohort_id: i64,
        member: bool,
    },
    /// Reports to this person, directly or (when `indirect`) through others.
    ReportsTo {
        manager_id: i64,
        indirect: bool,
    },
    /// An administrator-defined field of kind text, choice or yes/no.
    Custom {
        field_id: i64,
        op: TextOp,
        value: String,
    },
    /// An administrator-defined date field.
    CustomDate {
        field_id: i64,
        op: DateOp,
        value: String,
    },
}

/// The prefix of an administrator-defined field's name in a rule form ("custom.shift").
pub const CUSTOM_PREFIX: &str = "custom.";

/// The built-in field whose operators a defined field of this kind offers.
pub fn ops_like(date: bool) -> &'static str {
    if date { "hire_date" } else { "department" }
}

/// The choices of the rule builder: the field names a form sends and how they read.
pub const FIELDS: [(&str, &str); 8] = [
    ("department", "Department"),
    ("job_title", "Job title"),
    ("location", "Location"),
    ("employee_id", "Employee id"),
    ("hire_date", "Hire date"),
    ("role", "Site role"),
    ("cohort", "Cohort"),
    ("manager", "Manager"),
];

/// The operators a field offers, as (name the form sends, how it reads).
pub fn ops(field: &str) -> &'static [(&'static str, &'static str)] {
    match field {
        "hire_date" => &[
            ("within_days", "is within the last (days)"),
            ("before", "is before"),
            ("on_or_after", "is on or after"),
            ("is_empty", "is not recorded"),
        ],
        "role" => &[("has", "includes"), ("has_not", "does not include")],
        "cohort" => &[
            ("in", "includes the person"),
            ("not_in", "does not include the person"),
        ],
        "manager" => &[
            ("directly", "is (direct reports)"),
            ("indirectly", "is above (direct and indirect reports)"),
        ],
        _ => &[
            ("is", "is"),
            ("is_not", "is not"),
            ("contains", "contains"),
            ("starts_with", "starts with"),
            ("is_empty", "is empty"),
            ("is_not_empty", "is not empty"),
        ],
    }
}

/// Whether an operator needs a value typed or chosen.
pub fn op_takes_value(op: &str) -> bool {
    !matches!(op, "is_empty" | "is_not_empty")
}

/// One rule as the builder sends it. For a manager the value is an email address; for a cohort
/// its id; for a role its name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    pub field: String,
    pub op: String,
    pub value: String,
}

/// An audience as the editor sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AudienceForm {
    pub name: String,
    pub description: String,
    /// Everyone who matches all rules (`true`) or any rule.
    pub match_all: bool,
    pub rules: Vec<RuleForm>,
}

impl Default for AudienceForm {
    fn default() -> AudienceForm {
        AudienceForm {
            name: String::new(),
            description: String::new(),
            match_all: true,
            rules: vec![RuleForm {
                field: "department".into(),
                op: "is".into(),
                value: String::new(),
            }],
        }
    }
}

pub const MAX_RULES: usize = 20;

/// A rule whose manager is still an email address, or whose defined field is still a name (the
/// service looks them up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedRule {
    Ready(Rule),
    ReportsTo {
        email: String,
        indirect: bool,
    },
    Custom {
        name: String,
        op: String,
        value: String,
    },
}

/// The field name of rule `index`'s value, for messages shown next to it.
pub fn value_field(index: usize) -> String {
    format!("rules.{index}.value")
}

/// A text comparison: its operator and the value (none for "is empty").
pub fn parse_text(
    op: &str,
    value: &str,
    index: usize,
    problems: &mut Problems,
) -> Option<(TextOp, String)> {
    let field = value_field(index);
    let value = value.trim();
    let op = match op {
        "is" => TextOp::Is,
        "is_not" => TextOp::IsNot,
        "contains" => TextOp::Contains,
        "starts_with" => TextOp::StartsWith,
        "is_empty" => TextOp::IsEmpty,
        "is_not_empty" => TextOp::IsNotEmpty,
        _ => {
            problems.add(&format!("rules.{index}.op"), "Choose what to compare.");
            return None;
        }
    };
    if matches!(op, TextOp::IsEmpty | TextOp::IsNotEmpty) {
        return Some((op, String::new()));
    }
    if value.is_empty() {
        problems.add(&field, "Enter the text to compare with.");
        return None;
    }
    if value.chars().count() > 200 || value.chars().any(char::is_control) {
        problems.add(&field, "Enter at most 200 characters of plain text.");
        return None;
    }
    Some((op, value.to_string()))
}

/// A date comparison: its operator and the value (days, or `YYYY-MM-DD`).
pub fn parse_date(
    op: &str,
    value: &str,
    index: usize,
    problems: &mut Problems,
) -> Option<(DateOp, String)> {
    let field = value_field(index);
    let value = value.trim();
    let op = match op {
        "within_days" => DateOp::WithinDays,
        "before" => DateOp::Before,
        "on_or_after" => DateOp::OnOrAfter,
        "is_empty" => DateOp::IsEmpty,
        _ => {
            problems.add(&format!("rules.{index}.op"), "Choose what to compare.");
            return None;
        }
    };
    let value = match op {
        DateOp::IsEmpty => String::new(),
        DateOp::WithinDays => match value.parse::<u32>() {
            Ok(days) if (1..=36_500).contains(&days) => days.to_string(),
            _ => {
                problems.add(&field, "Enter a number of days from 1 to 36500.");
                return None;
            }
        },
        DateOp::Before | DateOp::OnOrAfter => match crate::input::parse_date(&field, value) {
            Ok(Some(ts)) => crate::input::format_date(Some(ts)),
            _ => {
                problems.add(&field, "Enter a date as YYYY-MM-DD.");
                return None;
            }
        },
    };
    Some((op, value))
}

fn parse_rule(rule: &RuleForm, index: usize, problems: &mut Problems) -> Option<ParsedRule> {
    let value = rule.value.trim().to_string();
    let field = value_field(index);
    let unknown = |problems: &mut Problems| {
        problems.add(&format!("rules.{index}.op"), "Choose what to compare.");
        None
    };
    if let Some(name) = rule.field.strip_prefix(CUSTOM_PREFIX) {
        return Some(ParsedRule::Custom {
            name: name.to_string(),
            op: rule.op.clone(),
            value,
        });
    }
    let column = match rule.field.as_str() {
        "department" => Some(TextColumn::Department),
        "job_title" => Some(TextColumn::JobTitle),
        "location" => Some(TextColumn::Location),
        "employee_id" => Some(TextColumn::EmployeeId),
        _ => None,
    };
    if let Some(column) = column {
        let (op, value) = parse_text(&rule.op, &value, index, problems)?;
        return Some(ParsedRule::Ready(Rule::Text { column, op, value }));
    }
    match rule.field.as_str() {
        "hire_date" => {
            let (op, value) = parse_date(&rule.op, &value, index, problems)?;
            Some(ParsedRule::Ready(Rule::HireDate { op, value }))
        }
        "role" => {
            let has = match rule.op.as_str() {
                "has" => true,
                "has_not" => false,
                _ => return unknown(problems),
            };
            match Role::parse(&value) {
                Ok(role) => Some(ParsedRule::Ready(Rule::Role { role, has })),
                Err(_) => {
                    problems.add(&field, "Choose a site role.");
                    None
                }
            }
        }
        "cohort" => {
            let member = match rule.op.as_str() {
                "in" => true,
                "not_in" => false,
                _ => return unknown(problems),
            };
            match value.parse::<i64>() {
                Ok(cohort_id) if cohort_id > 0 => {
                    Some(ParsedRule::Ready(Rule::Cohort { cohort_id, member }))
                }
                _ => {
                    problems.add(&field, "Choose a cohort.");
                    None
                }
            }
        }
        "manager" => {
            let indirect = match rule.op.as_str() {
                "directly" => false,
                "indirectly" => true,
                _ => return unknown(problems),
            };
            if value.is_empty() {
                problems.add(&field, "Enter the manager's email address.");
                return None;
            }
            Some(ParsedRule::ReportsTo {
                email: value.to_lowercase(),
                indirect,
            })
        }
        _ => {
            problems.add(&format!("rules.{index}.field"), "Choose a field.");
            None
        }
    }
}

/// An audience form after its own rules (managers and cohorts are checked by the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudienceFields {
    pub name: String,
    pub description: String,
    pub match_all: bool,
    pub rules: Vec<ParsedRule>,
}

impl AudienceForm {
    /// The rules alone (for a live count while the name is still empty).
    pub fn parse_rules(&self) -> Result<(bool, Vec<ParsedRule>), AppError> {
        let mut problems = Problems::default();
        let rules = self.check_rules(&mut problems);
        problems.into_result()?;
        Ok((self.match_all, rules))
    }

    fn check_rules(&self, problems: &mut Problems) -> Vec<ParsedRule> {
        if self.rules.is_empty() {
            problems.add("rules", "Add at least one rule.");
        }
        if self.rules.len() > MAX_RULES {
            problems.add(
                "rules",
                format!("An audience has at most {MAX_RULES} rules."),
            );
        }
        self.rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| parse_rule(r, i, problems))
            .collect()
    }

    pub fn parse(&self) -> Result<AudienceFields, AppError> {
        let mut problems = Problems::default();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            problems.add("name", "Enter a name.");
        } else if name.chars().count() > 200 || name.chars().any(char::is_control) {
            problems.add("name", "Enter a name of at most 200 characters.");
        }
        let description = self.description.trim().to_string();
        if description.chars().count() > 2000 {
            problems.add(
                "description",
                "The description can be at most 2000 characters.",
            );
        }
        let rules = self.check_rules(&mut problems);
        problems.into_result()?;
        Ok(AudienceFields {
            name,
            description,
            match_all: self.match_all,
            rules,
        })
    }
}

/// An audience as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceSummary {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// The rules in words ("Department is Nursing and location is North").
    pub rules_text: String,
    pub members: i64,
}

/// An audience with its rules as the editor shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceDetail {
    pub id: i64,
    pub form: AudienceForm,
    pub rules_text: String,
}

/// One person an audience holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub department: String,
    pub job_title: String,
    pub location: String,
}

/// How a rule form reads ("department is Nursing"); `value` is what to show for the value
/// (a cohort's name rather than its id). A defined field gives its label and whether it is a
/// date.
pub fn rule_text(rule: &RuleForm, custom: Option<(&str, bool)>, value: &str) -> String {
    let (field, ops_of) = match custom {
        Some((label, date)) => (label, ops_like(date)),
        None => (
            FIELDS
                .iter()
                .find(|(name, _)| *name == rule.field)
                .map_or(rule.field.as_str(), |(_, label)| label),
            rule.field.as_str(),
        ),
    };
    let op = ops(ops_of)
        .iter()
        .find(|(name, _)| *name == rule.op)
        .map_or(rule.op.as_str(), |(_, label)| label);
    if op_takes_value(&rule.op) {
        format!("{field} {op} “{value}”")
    } else {
        format!("{field} {op}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(field: &str, op: &str, value: &str) -> RuleForm {
        RuleForm {
            field: field.into(),
            op: op.into(),
            value: value.into(),
        }
    }

    #[test]
    fn rules_parse_and_problems_point_at_the_rule() {
        let form = AudienceForm {
            name: " Night nurses ".into(),
            description: String::new(),
            match_all: true,
            rules: vec![
                rule("department", "is", " Nursing "),
                rule("hire_date", "within_days", "90"),
                rule("manager", "indirectly", "Mo@Example.com"),
                rule("role", "has", "learner"),
                rule("job_title", "is_empty", "ignored"),
            ],
        };
        let fields = form.parse().unwrap();
        assert_eq!(fields.name, "Night nurses");
        assert_eq!(
            fields.rules[0],
            ParsedRule::Ready(Rule::Text {
                column: TextColumn::Department,
                op: TextOp::Is,
                value: "Nursing".into()
            })
        );
        assert_eq!(
            fields.rules[2],
            ParsedRule::ReportsTo {
                email: "mo@example.com".into(),
                indirect: true
            }
        );
        assert_eq!(
            fields.rules[4],
            ParsedRule::Ready(Rule::Text {
                column: TextColumn::JobTitle,
                op: TextOp::IsEmpty,
                value: String::new()
            })
        );
        let bad = AudienceForm {
            name: String::new(),
            rules: vec![
                rule("department", "contains", ""),
                rule("hire_date", "within_days", "-3"),
                rule("hire_date", "before", "2023-02-29"),
                rule("cohort", "in", "x"),
                rule("shoe_size", "is", "9"),
                rule("role", "has", "pope"),
            ],
            ..Default::default()
        };
        let err = bad.parse().unwrap_err();
        assert!(err.field("name").is_some());
        for i in 0..4 {
            assert!(err.field(&value_field(i)).is_some(), "rule {i}: {err:?}");
        }
        assert!(err.field("rules.4.field").is_some());
        assert!(err.field(&value_field(5)).is_some());
        let none = AudienceForm {
            rules: vec![],
            ..Default::default()
        };
        assert!(none.parse_rules().unwrap_err().field("rules").is_some());
    }

    #[test]
    fn rules_read_as_words() {
        assert_eq!(
            rule_text(&rule("department", "is", "Nursing"), None, "Nursing"),
            "Department is “Nursing”"
        );
        assert_eq!(
            rule_text(&rule("job_title", "is_empty", ""), None, ""),
            "Job title is empty"
        );
    }
}
