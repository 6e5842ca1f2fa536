//! What the cmi5 player and editor show (compiles for the browser too).

use serde::{Deserialize, Serialize};

/// An item's cmi5 course as last uploaded, with the asking learner's progress in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseInfo {
    pub item_id: i64,
    pub title: String,
    pub file_name: String,
    pub file_count: i64,
    pub total_bytes: i64,
    pub uploaded_at: i64,
    /// Blocks and AUs in the course's order.
    pub parts: Vec<Part>,
    /// Their sessions are recorded (a learner of the course); staff launch in Browse mode.
    pub records: bool,
    /// The course's moveOn criteria are met in the learner's registration.
    pub satisfied: bool,
}

/// A row of the course's outline: a block heading or an AU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub title: String,
    pub description: String,
    /// Nesting under blocks (0 at the top).
    pub depth: u32,
    /// `None` for a block.
    pub au: Option<AuStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuStatus {
    /// Its position among the course's AUs (what the launch names).
    pub index: usize,
    /// The spec's spelling of its moveOn criterion ("CompletedOrPassed").
    pub move_on: String,
    pub completed: bool,
    pub passed: bool,
    pub failed: bool,
    pub waived: bool,
    pub satisfied: bool,
    /// The best scaled score (0–1) the AU reported, if any.
    pub score: Option<f64>,
    /// The AU asks for a window of its own (`launchMethod="OwnWindow"`).
    pub own_window: bool,
}

/// Where the player opens an AU: its address with the launch parameters (cmi5 §8.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuLaunch {
    pub index: usize,
    pub url: String,
    pub own_window: bool,
}

/// The instructor's report: a page of the course's learners, each with every AU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// The AUs' titles, in the course's order (the report's columns).
    pub aus: Vec<String>,
    pub learners: i64,
    /// Learners who launched the course.
    pub started: i64,
    /// Learners whose course is satisfied.
    pub satisfied: i64,
    /// Whether the one asking may waive AUs and reset registrations.
    pub may_manage: bool,
    pub page: crate::paging::Page<LearnerResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerResult {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// They have a registration (they launched an AU since the last reset).
    pub started: bool,
    /// The course's moveOn criteria are met.
    pub satisfied: bool,
    /// One per AU, in the course's order.
    pub aus: Vec<AuResult>,
    /// The grade: the mean of the AUs' best scaled scores, as a percentage.
    pub score: Option<f64>,
    pub last_seen: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuResult {
    pub completed: bool,
    pub passed: bool,
    pub failed: bool,
    pub waived: bool,
    pub satisfied: bool,
}

impl AuResult {
    /// In words, for the report's cell.
    pub fn label(&self) -> &'static str {
        match (self.waived, self.passed, self.failed, self.completed) {
            (true, ..) => "Waived",
            (_, true, _, true) => "Passed, completed",
            (_, true, _, false) => "Passed",
            (_, false, true, true) => "Failed, completed",
            (_, false, true, false) => "Failed",
            (_, false, false, true) => "Completed",
            _ => "–",
        }
    }
}

/// Why an instructor waives an AU (cmi5 §9.5.5.2), as the statement says it.
pub const WAIVER_REASONS: [&str; 4] = [
    "Tested Out",
    "Equivalent AU",
    "Equivalent Outside Activity",
    "Administrative",
];
