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
