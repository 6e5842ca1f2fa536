//! Enrolment types shared by the server and the browser.

pub use crate::courses::model::{CourseRole, EnrolmentMethod, EnrolmentStatus};
use serde::{Deserialize, Serialize};

/// One person in a course, with their progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: CourseRole,
    pub status: EnrolmentStatus,
    pub method: EnrolmentMethod,
    pub enrolled_at: i64,
    /// The enrolment gives access only between these (when set).
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub last_activity_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub done: i64,
    pub total: i64,
}

impl Participant {
    pub fn percent(&self) -> i64 {
        percent(self.done, self.total)
    }
}

/// Whole-number percentage, 0 when there is nothing to do.
pub fn percent(done: i64, total: i64) -> i64 {
    if total <= 0 {
        0
    } else {
        (done.min(total) * 100) / total
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressFilter {
    #[default]
    Any,
    NotStarted,
    InProgress,
    Completed,
}

impl ProgressFilter {
    pub fn parse(s: &str) -> ProgressFilter {
        match s {
            "not_started" => ProgressFilter::NotStarted,
            "in_progress" => ProgressFilter::InProgress,
            "completed" => ProgressFilter::Completed,
            _ => ProgressFilter::Any,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ProgressFilter::Any => "",
            ProgressFilter::NotStarted => "not_started",
            ProgressFilter::InProgress => "in_progress",
            ProgressFilter::Completed => "completed",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParticipantQuery {
    pub search: String,
    pub role: Option<CourseRole>,
    /// Withdrawn people are listed only when asked for.
    pub status: Option<EnrolmentStatus>,
    pub progress: ProgressFilter,
    pub page: u32,
}

impl ParticipantQuery {
    pub const PER_PAGE: u32 = 50;
    pub fn page(&self) -> u32 {
        self.page.clamp(1, 100_000)
    }
}

/// The answer to "may I enrol?" on a course page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EnrolOption {
    /// Already in the course with this role and status.
    Enrolled {
        role: CourseRole,
        status: EnrolmentStatus,
    },
    /// May enrol; whether a key is needed, and whether the request waits for approval or a place.
    Open {
        needs_key: bool,
        needs_approval: bool,
        full: bool,
    },
    /// May not enrol, and why.
    Closed { reason: String },
}

/// A row of a bulk enrolment CSV after checking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvRow {
    pub line: usize,
    pub email: String,
    pub role: String,
    pub name: Option<String>,
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvPreview {
    pub rows: Vec<CsvRow>,
    pub valid: usize,
    pub invalid: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvOutcome {
    pub enrolled: usize,
    pub updated: usize,
}

/// A site-wide group of people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cohort {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub members: i64,
    pub courses: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortMember {
    pub user_id: i64,
    pub name: String,
    pub email: String,
}

/// Someone staff may add to a course, as the search shows them: no more than needed to choose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonMatch {
    pub id: i64,
    pub name: String,
    pub email: String,
}
