//! Types of the CSV import preview (shared with the browser).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowAction {
    Create,
    Update,
    Unchanged,
}

impl RowAction {
    pub fn label(self) -> &'static str {
        match self {
            RowAction::Create => "Create",
            RowAction::Update => "Update",
            RowAction::Unchanged => "Unchanged",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRow {
    pub line: usize,
    pub email: String,
    pub name: String,
    pub roles: String,
    /// The profile cells the row sets ("Department: Nursing; Manager: …").
    #[serde(default)]
    pub profile: String,
    pub action: RowAction,
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub rows: Vec<ImportRow>,
    pub error_rows: usize,
    pub creates: usize,
    pub updates: usize,
    pub unchanged: usize,
}

impl ImportPreview {
    pub fn from_rows(rows: Vec<ImportRow>) -> ImportPreview {
        let count = |a: RowAction| {
            rows.iter()
                .filter(|r| r.errors.is_empty() && r.action == a)
                .count()
        };
        ImportPreview {
            error_rows: rows.iter().filter(|r| !r.errors.is_empty()).count(),
            creates: count(RowAction::Create),
            updates: count(RowAction::Update),
            unchanged: count(RowAction::Unchanged),
            rows,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}
