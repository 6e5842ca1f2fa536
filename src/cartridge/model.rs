//! A Common Cartridge import as the course's import page shows it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub id: i64,
    pub file_name: String,
    /// The cartridge's own title and IMS CC version ("1.3.0"), as its manifest says.
    pub title: String,
    pub version: String,
    pub imported_by: Option<String>,
    pub created_at: i64,
    pub sections: i64,
    pub items: i64,
    pub questions: i64,
    pub files: i64,
    /// What was not imported, or only in part, and why.
    pub skipped: Vec<SkippedLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedLine {
    pub title: String,
    pub reason: String,
}
