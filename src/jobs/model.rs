//! A job as the administrators' page shows it.

use serde::{Deserialize, Serialize};

crate::string_enum!(
    JobState { Queued = "queued" / "Queued", Running = "running" / "Running", Done = "done" / "Done", Dead = "dead" / "Failed", Cancelled = "cancelled" / "Cancelled" }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub state: JobState,
    /// When it runs (next), or ran.
    pub run_at: i64,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// How many jobs are in each state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub dead: i64,
}
