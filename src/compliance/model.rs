//! What requirement pages send and show (shared with the browser).

use super::status::State;
use serde::{Deserialize, Serialize};

/// What a requirement asks people to complete: a course, or a programme (an ordered set of
/// courses with its own completion rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Training {
    Course(i64),
    Programme(i64),
}

impl Training {
    /// From a requirement's two columns, exactly one of which is set.
    pub fn from_columns(course_id: Option<i64>, programme_id: Option<i64>) -> Training {
        match (course_id, programme_id) {
            (_, Some(id)) => Training::Programme(id),
            (id, None) => Training::Course(id.unwrap_or_default()),
        }
    }

    /// The two columns a requirement keeps it in.
    pub fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            Training::Course(id) => (Some(id), None),
            Training::Programme(id) => (None, Some(id)),
        }
    }

    /// "Course" or "Programme", to head a line.
    pub fn label(self) -> &'static str {
        match self {
            Training::Course(_) => "Course",
            Training::Programme(_) => "Programme",
        }
    }

    /// "course" or "programme", for sentences ("complete the programme “X”").
    pub fn noun(self) -> &'static str {
        match self {
            Training::Course(_) => "course",
            Training::Programme(_) => "programme",
        }
    }

    /// Where the person does it: the course, or their programme on their home page.
    pub fn link(self) -> String {
        match self {
            Training::Course(id) => format!("/courses/{id}"),
            Training::Programme(id) => format!("/#programme-{id}"),
        }
    }
}

/// A requirement as the administrator's form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequirementForm {
    pub name: String,
    /// The course it asks for (0: none, when it asks for a programme).
    pub course_id: i64,
    /// The programme it asks for (0: none).
    pub programme_id: i64,
    /// `fixed`, `after_assignment` or `after_hire`.
    pub due_kind: String,
    /// `YYYY-MM-DD`, for `fixed`.
    pub due_date: String,
    /// Days, for the relative kinds.
    pub due_days: String,
    /// Months a completion stays valid; empty for a one-off requirement.
    pub valid_months: String,
    /// Days before expiry that the renewal window opens.
    pub window_days: String,
    pub due_soon_days: String,
    /// Days before the due date to remind; empty for no such reminder.
    pub remind_before_days: String,
    /// Remind on the first overdue day (a checkbox: absent when unticked).
    #[serde(default)]
    pub remind_on_overdue: bool,
    /// While overdue, remind again every N days; empty for once.
    pub remind_repeat_days: String,
    /// Copy reminders to the manager once this many days overdue; empty for never.
    pub escalate_after_days: String,
    pub audience_ids: Vec<i64>,
    pub cohort_ids: Vec<i64>,
    /// People named one by one, by email (one per line or separated by commas).
    pub emails: String,
}

impl Default for RequirementForm {
    fn default() -> RequirementForm {
        RequirementForm {
            name: String::new(),
            course_id: 0,
            programme_id: 0,
            due_kind: "after_assignment".into(),
            due_date: String::new(),
            due_days: "30".into(),
            valid_months: String::new(),
            window_days: "30".into(),
            due_soon_days: "14".into(),
            remind_before_days: "7".into(),
            remind_on_overdue: true,
            remind_repeat_days: "7".into(),
            escalate_after_days: "14".into(),
            audience_ids: Vec::new(),
            cohort_ids: Vec::new(),
            emails: String::new(),
        }
    }
}

/// One person's standing on one requirement, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonStanding {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub state: State,
    pub assigned_on: String,
    pub due_on: Option<String>,
    pub expires_on: Option<String>,
    pub completed_on: Option<String>,
    pub extended_to: Option<String>,
    pub exempt_reason: Option<String>,
}

/// Which people of a requirement to list: a state (`overdue`…), a department, a name or email
/// fragment; empty for any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PeopleQuery {
    pub state: String,
    pub department: String,
    pub search: String,
    pub page: u32,
}

/// A requirement as the person it applies to sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyRequirement {
    pub requirement_id: i64,
    pub name: String,
    pub training: Training,
    /// The course's title or the programme's name.
    pub training_title: String,
    pub state: State,
    pub due_on: Option<String>,
    pub expires_on: Option<String>,
}

/// A requirement as the administrators' list shows it: how many people are in each state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementSummary {
    pub id: i64,
    pub name: String,
    pub training: Training,
    /// The course's title or the programme's name.
    pub training_title: String,
    /// The timing in words ("Due 30 days after assignment; renewed every 12 months").
    pub timing_text: String,
    /// The reminders in words ("Reminders 7 days before the due date, when overdue").
    pub reminders_text: String,
    /// (state, people), every state listed.
    pub counts: Vec<(State, i64)>,
}

/// A completed cycle, for the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycle {
    pub completed_on: String,
    pub expired_on: Option<String>,
}

/// Where one group of people stands on one requirement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixCell {
    /// People in the group it applies to.
    pub assigned: i64,
    /// Completed and still valid, or exempt.
    pub compliant: i64,
    /// Overdue, or their certification expired.
    pub overdue: i64,
    /// Compliant now, but their certification expires within `EXPIRING_DAYS`.
    pub expiring: i64,
}

/// How far ahead "expiring" looks.
pub const EXPIRING_DAYS: u32 = 30;

impl MatrixCell {
    /// Per cent compliant, rounded down; None when it applies to nobody.
    pub fn percent(&self) -> Option<i64> {
        (self.assigned > 0).then(|| self.compliant * 100 / self.assigned)
    }

    pub fn add(&mut self, other: &MatrixCell) {
        self.assigned += other.assigned;
        self.compliant += other.compliant;
        self.overdue += other.overdue;
        self.expiring += other.expiring;
    }
}

/// One row of the compliance matrix: a department or an audience.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub label: String,
    /// One cell per requirement, in the matrix's order.
    pub cells: Vec<MatrixCell>,
}

/// The compliance matrix: groups of people × requirements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    /// `department` or `audience`.
    pub by: String,
    /// (id, name) of each column.
    pub requirements: Vec<(i64, String)>,
    /// One page of rows.
    pub rows: crate::paging::Page<MatrixRow>,
    /// Everyone the requirements apply to (departments only: audiences may overlap).
    pub everyone: Option<MatrixRow>,
    /// When the figures were computed, in the site's time zone (None: not yet).
    pub computed: Option<String>,
    /// When they will be computed again.
    pub next_run: NextRun,
}

/// When the matrix will next be computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NextRun {
    /// Nothing has changed that the figures do not count.
    Idle,
    /// Being computed, or about to be.
    Now,
    /// Once recent completions have settled: at this time, in the site's time zone.
    At(String),
}

/// One night's compliance across every requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub day: String,
    pub assigned: i64,
    pub compliant: i64,
    pub overdue: i64,
}

/// Compliance over time: the nights, and the same numbers drawn as an SVG line chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trend {
    pub points: Vec<TrendPoint>,
    pub svg: String,
}
