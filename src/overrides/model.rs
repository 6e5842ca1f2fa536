//! Override types and the form instructors fill in (compile for the browser too).

use crate::error::{AppError, Problems};
use crate::input::{format_datetime, parse_datetime, parse_number};
use crate::items::kind::DateField;
use serde::{Deserialize, Serialize};

/// What one learner has instead of the item's own dates; `None` keeps the item's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LearnerDates {
    pub due_at: Option<i64>,
    pub cutoff_at: Option<i64>,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub time_limit_secs: Option<i64>,
    pub extra_attempts: i32,
}

impl LearnerDates {
    /// "Due 2026-12-10 12:00 UTC · 2 extra attempts": what the override gives, for lists.
    pub fn describe(&self) -> String {
        let at = |label: &str, t: Option<i64>| {
            t.map(|t| format!("{label} {}", crate::ui::format::datetime(t)))
        };
        [
            at("Due", self.due_at),
            at("Cut-off", self.cutoff_at),
            at("Opens", self.opens_at),
            at("Closes", self.closes_at),
            self.time_limit_secs
                .map(|s| format!("Time limit {} min", s / 60)),
            (self.extra_attempts > 0).then(|| {
                crate::ui::format::plural(self.extra_attempts, "extra attempt", "extra attempts")
            }),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
    }
}

/// One learner's override as the item's list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub dates: LearnerDates,
    pub reason: String,
    pub set_by: Option<String>,
    pub set_at: i64,
}

/// Rows per page of an item's overrides.
pub const PER_PAGE: u32 = 50;

/// An item's overrides, with the dates its kind has (the form's fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverrideList {
    pub fields: Vec<DateField>,
    pub page: crate::paging::Page<Override>,
    /// Cohorts with learners in this course, offered to give a whole group the same dates.
    pub groups: Vec<GroupOption>,
}

/// A cohort that has learners in the course, with how many.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupOption {
    pub cohort_id: i64,
    pub name: String,
    pub learners: i64,
}

/// The override form as typed: the learners (emails, one per line or separated by commas) and
/// the dates; empty fields keep the item's own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OverrideForm {
    pub learners: String,
    /// A cohort whose learners in the course all get these dates (its id; empty for none).
    pub cohort: String,
    pub due_at: String,
    pub cutoff_at: String,
    pub opens_at: String,
    pub closes_at: String,
    pub time_limit_minutes: String,
    pub extra_attempts: String,
    pub reason: String,
}

impl OverrideForm {
    /// The learners' emails, lower-cased, without repeats.
    pub fn emails(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .learners
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The chosen cohort, if any.
    pub fn cohort_id(&self) -> Result<Option<i64>, AppError> {
        let typed = self.cohort.trim();
        if typed.is_empty() {
            return Ok(None);
        }
        typed
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::invalid("cohort", "Choose a group from the list."))
    }

    /// The dates, checked against the fields the item's kind has (`fields`).
    pub fn parse(&self, fields: &[DateField]) -> Result<(LearnerDates, String), AppError> {
        let mut problems = Problems::default();
        let has = |f: DateField| fields.contains(&f);
        let mut date = |field: DateField, input: &str| -> Option<i64> {
            if input.trim().is_empty() {
                return None;
            }
            if !has(field) {
                problems.add(field.as_str(), "This item has no such date.");
                return None;
            }
            problems
                .check(parse_datetime(field.as_str(), input))
                .flatten()
        };
        let dates = LearnerDates {
            due_at: date(DateField::Due, &self.due_at),
            cutoff_at: date(DateField::Cutoff, &self.cutoff_at),
            opens_at: date(DateField::Opens, &self.opens_at),
            closes_at: date(DateField::Closes, &self.closes_at),
            time_limit_secs: None,
            extra_attempts: 0,
        };
        let mut dates = dates;
        if !self.time_limit_minutes.trim().is_empty() {
            match parse_number(&self.time_limit_minutes) {
                Some(m) if has(DateField::TimeLimit) && m > 0.0 && m <= 60.0 * 24.0 * 30.0 => {
                    dates.time_limit_secs = Some((m * 60.0).round() as i64)
                }
                _ => problems.add(
                    DateField::TimeLimit.as_str(),
                    "Enter the minutes this learner gets, more than 0.",
                ),
            }
        }
        if !self.extra_attempts.trim().is_empty() {
            match self.extra_attempts.trim().parse::<i32>() {
                Ok(n) if has(DateField::ExtraAttempts) && (0..=100).contains(&n) => {
                    dates.extra_attempts = n
                }
                _ => problems.add(
                    DateField::ExtraAttempts.as_str(),
                    "Enter a whole number of extra attempts, 0 to 100.",
                ),
            }
        }
        if let (Some(due), Some(cutoff)) = (dates.due_at, dates.cutoff_at)
            && cutoff < due
        {
            problems.add("cutoff_at", "The cut-off cannot be before the due date.");
        }
        if let (Some(opens), Some(closes)) = (dates.opens_at, dates.closes_at)
            && closes <= opens
        {
            problems.add("closes_at", "The close date must come after the open date.");
        }
        if dates == LearnerDates::default() {
            problems.add(
                "learners",
                "Give at least one date, time limit or extra attempt.",
            );
        }
        let cohort = problems.check(self.cohort_id()).flatten();
        if self.emails().is_empty() && cohort.is_none() {
            problems.add(
                "learners",
                "Enter the email address of at least one learner, or choose a group.",
            );
        }
        if self.reason.chars().count() > 500 {
            problems.add("reason", "The reason can be at most 500 characters.");
        }
        problems.into_result()?;
        Ok((dates, self.reason.trim().to_string()))
    }

    /// The form filled in with an existing override (to change it).
    pub fn from_override(o: &Override) -> OverrideForm {
        OverrideForm {
            learners: o.email.clone(),
            cohort: String::new(),
            due_at: format_datetime(o.dates.due_at),
            cutoff_at: format_datetime(o.dates.cutoff_at),
            opens_at: format_datetime(o.dates.opens_at),
            closes_at: format_datetime(o.dates.closes_at),
            time_limit_minutes: o
                .dates
                .time_limit_secs
                .map(|s| (s / 60).to_string())
                .unwrap_or_default(),
            extra_attempts: match o.dates.extra_attempts {
                0 => String::new(),
                n => n.to_string(),
            },
            reason: o.reason.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_kinds_dates_and_sensible_values() {
        let form = OverrideForm {
            learners: "Ada@example.com, bo@example.com\nada@example.com".into(),
            due_at: "2026-12-10T12:00".into(),
            cutoff_at: "2026-12-09T12:00".into(),
            extra_attempts: "2".into(),
            ..Default::default()
        };
        assert_eq!(form.emails(), vec!["ada@example.com", "bo@example.com"]);
        let err = form
            .parse(&[DateField::Due, DateField::Cutoff])
            .unwrap_err();
        assert!(err.field("cutoff_at").is_some());
        assert!(
            err.field("extra_attempts").is_some(),
            "assignments have no attempts"
        );
        let ok = OverrideForm {
            cutoff_at: "2026-12-11T12:00".into(),
            extra_attempts: String::new(),
            ..form
        };
        let (dates, _) = ok.parse(&[DateField::Due, DateField::Cutoff]).unwrap();
        assert_eq!(dates.cutoff_at.unwrap() - dates.due_at.unwrap(), 86_400);
        let empty = OverrideForm {
            learners: "a@example.com".into(),
            ..Default::default()
        };
        assert!(empty.parse(&[DateField::Due]).is_err());
    }
}
