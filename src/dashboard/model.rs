//! Dashboard types the page exchanges with the server (compile for the browser too).

use serde::{Deserialize, Serialize};

/// Work waiting for a grader, per quiz or assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradingWork {
    pub item_id: i64,
    pub title: String,
    /// "Quiz" or "Assignment".
    pub kind: String,
    pub count: i64,
    pub href: String,
}

/// An assignment past its due date: work handed in late and work not handed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LateWork {
    pub item_id: i64,
    pub title: String,
    pub due_at: i64,
    pub late: i64,
    pub missing: i64,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtRiskLearner {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub total_percent: Option<f64>,
    pub last_active_at: i64,
    /// Why they are listed, in words.
    pub reasons: Vec<String>,
}

/// The query for learners at risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskQuery {
    /// A course total below this is a risk.
    pub below_percent: f64,
    /// No activity for this many days is a risk.
    pub inactive_days: u32,
    pub page: u32,
}

impl Default for RiskQuery {
    fn default() -> Self {
        RiskQuery {
            below_percent: 50.0,
            inactive_days: 14,
            page: 1,
        }
    }
}

/// One day of the completion chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionDay {
    /// "2026-11-28".
    pub day: String,
    pub completed: i64,
    pub percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub course_id: i64,
    pub course_title: String,
    pub learners: i64,
    pub needs_grading: Vec<GradingWork>,
    pub late: Vec<LateWork>,
    pub at_risk: Vec<AtRiskLearner>,
    pub at_risk_total: i64,
    pub risk: RiskQuery,
    pub per_page: u32,
    pub completion: Vec<CompletionDay>,
    /// The completion chart (server-drawn SVG).
    pub completion_svg: String,
    /// Quizzes of the course, for the statistics picker.
    pub quizzes: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionStat {
    pub question_id: Option<i64>,
    pub name: String,
    pub attempts: i64,
    pub max_mark: f64,
    /// Average score as a percentage of the mark.
    pub facility: Option<f64>,
    /// Correlation (× 100) between this question and the rest of the quiz.
    pub discrimination: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizStats {
    pub item_id: i64,
    pub title: String,
    /// Finished, fully marked attempts by learners.
    pub attempts: i64,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    /// Counts per ten-percent band, 0–9 % first.
    pub distribution: Vec<u32>,
    pub distribution_svg: String,
    pub questions: Vec<QuestionStat>,
}

/// "0–9 %", …, "90–100 %".
pub fn band_label(i: usize) -> String {
    if i == 9 {
        "90–100 %".into()
    } else {
        format!("{}–{} %", i * 10, i * 10 + 9)
    }
}
