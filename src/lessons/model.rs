//! Lesson revisions as the editor shows them (compiles for the browser too).

use serde::{Deserialize, Serialize};

/// A saved version of a lesson.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub id: i64,
    pub title: String,
    pub author: Option<String>,
    pub created_at: i64,
}

/// Two revisions compared line by line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionDiff {
    pub old: Revision,
    pub new: Revision,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
}
