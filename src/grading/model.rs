//! Gradebook types the pages exchange with the server (compile for the browser too).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeCategoryView {
    pub id: i64,
    pub name: String,
    pub weight: f64,
    pub drop_lowest: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeItemView {
    pub id: i64,
    pub name: String,
    pub category_id: Option<i64>,
    pub category: Option<String>,
    pub max_points: f64,
    pub extra_credit: bool,
    /// Fed by a quiz or an assignment (typing a value overrides its result, with a reason).
    pub from_source: bool,
    /// Learners do not see it (an assignment's grades until released).
    pub hidden: bool,
}

/// One cell of the grader table. Empty fields are left out of its JSON: a page carries 600 cells,
/// most of them only points and a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeCell {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_points: Option<f64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub excused: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub feedback: String,
    /// 0 when nobody has graded it yet; sent back with an edit to detect conflicts.
    #[serde(default)]
    pub version: i32,
}

impl GradeCell {
    pub fn shown(&self) -> Option<f64> {
        self.override_points.or(self.points)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraderRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub total_percent: Option<f64>,
    pub letter: Option<String>,
    /// In the order of `GraderTable::items`.
    pub cells: Vec<GradeCell>,
}

/// Grade items (columns) per page of the grader table.
pub const COLUMNS_PER_PAGE: u32 = 12;

/// One page of learners × one page of grade items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraderTable {
    pub course_id: i64,
    pub course_title: String,
    pub categories: Vec<GradeCategoryView>,
    /// This page's items (columns).
    pub items: Vec<GradeItemView>,
    /// Every item, for the set-up forms.
    pub all_items: Vec<GradeItemView>,
    pub rows: Vec<GraderRow>,
    pub page: u32,
    pub per_page: u32,
    pub total_learners: i64,
    pub col_page: u32,
    pub col_pages: u32,
    pub total_items: usize,
    pub may_edit_setup: bool,
    /// The settings form's current values: pass grade (empty for none) and letter scheme.
    pub pass_percent: String,
    pub letters: String,
}

/// A learner's own grades in one course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyGrades {
    pub course_id: i64,
    pub course_title: String,
    pub rows: Vec<MyGradeRow>,
    pub total_percent: Option<f64>,
    pub letter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyGradeRow {
    pub name: String,
    pub category: Option<String>,
    pub points: Option<f64>,
    pub max_points: f64,
    pub excused: bool,
    /// The grader's feedback on the cell, or else on the assignment's submission.
    pub feedback: String,
    /// The quiz or assignment the grade comes from, to open it.
    pub link: Option<String>,
}

/// What a grader sends for one cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CellEdit {
    /// Points as typed; empty clears the grade (or, on a quiz item, the override).
    pub points: String,
    pub excused: bool,
    /// `None` keeps the feedback the cell has.
    pub feedback: Option<String>,
    /// Required when overriding a quiz's result.
    pub reason: String,
    /// The version the grader saw (0 for a cell with no grade yet).
    pub version: i32,
}

/// The reply to a saved cell: its new version and the learner's new total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedCell {
    pub version: i32,
    pub total_percent: Option<f64>,
    pub letter: Option<String>,
}

/// One change to a grade, newest first in a history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub points: Option<f64>,
    pub override_points: Option<f64>,
    pub excused: bool,
    pub reason: String,
    pub changed_by: String,
    pub changed_at: i64,
}

/// A grade a CSV file would change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportChange {
    pub line: usize,
    pub user_id: i64,
    pub learner: String,
    pub grade_item_id: i64,
    pub item: String,
    /// What the cell shows now ("" for no grade, "EX" for excused).
    pub old: String,
    /// What the file says.
    pub new: String,
    /// The cell's version when previewed: applying refuses a cell changed since.
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeImportPreview {
    pub changes: Vec<ImportChange>,
    pub problems: Vec<ImportProblem>,
    /// Cells the file gives the value they already have.
    pub unchanged: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeImportResult {
    pub applied: usize,
    /// Cells someone changed between the preview and applying it (left as they are).
    pub conflicts: Vec<String>,
    /// Changes refused for another reason (the learner left the course, ...).
    pub failed: Vec<String>,
}

/// Points as people read them: at most two decimals, no trailing zeros.
pub fn format_points(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
