//! Types the bank and quiz pages exchange with the server (compile for the browser too).

use super::question::{Question, Response};
use crate::input::{format_datetime, parse_datetime};
use serde::{Deserialize, Serialize};

/// A category of a course's question bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionCategory {
    pub id: i64,
    pub name: String,
    pub question_count: i64,
}

/// One row of the bank's question list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionSummary {
    pub id: i64,
    pub category_id: i64,
    pub category: String,
    pub name: String,
    pub type_label: String,
    pub updated_at: i64,
    /// How many quizzes use it by name (random draws not counted).
    pub used_in: i64,
}

/// Filters for the bank's question list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BankQuery {
    pub category_id: Option<i64>,
    pub search: String,
    pub page: u32,
}

/// A question with its place in the bank, as the editor loads and saves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BankQuestion {
    pub id: Option<i64>,
    pub category_id: i64,
    pub question: Question,
    /// The version the editor started from; a save from an older version is a conflict.
    pub version: i32,
}

/// The exchange formats the bank reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionFormat {
    Gift,
    Aiken,
    /// IMS QTI 1.2 (Canvas, Blackboard, Moodle exports) and 2.1/2.2 item XML: read, not written.
    Qti,
}

impl QuestionFormat {
    pub fn parse(input: &str) -> Option<QuestionFormat> {
        match input {
            "gift" => Some(QuestionFormat::Gift),
            "aiken" => Some(QuestionFormat::Aiken),
            "qti" => Some(QuestionFormat::Qti),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionFormat::Gift => "gift",
            QuestionFormat::Aiken => "aiken",
            QuestionFormat::Qti => "qti",
        }
    }
}

/// What an import would do: the questions it read and the lines it could not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub questions: Vec<PreviewQuestion>,
    pub problems: Vec<PreviewProblem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewQuestion {
    pub line: usize,
    pub name: String,
    pub type_label: String,
    /// The bank category it will land in.
    pub category: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewProblem {
    pub line: usize,
    pub message: String,
}

/// Who may see what after an attempt, for each part of the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewWhen {
    Never,
    AfterSubmit,
    AfterClose,
}

impl ReviewWhen {
    pub const ALL: &'static [ReviewWhen] = &[
        ReviewWhen::AfterSubmit,
        ReviewWhen::AfterClose,
        ReviewWhen::Never,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewWhen::Never => "never",
            ReviewWhen::AfterSubmit => "after_submit",
            ReviewWhen::AfterClose => "after_close",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ReviewWhen::Never => "Never",
            ReviewWhen::AfterSubmit => "Right after the attempt",
            ReviewWhen::AfterClose => "After the quiz closes",
        }
    }
    pub fn parse(input: &str) -> Option<ReviewWhen> {
        ReviewWhen::ALL
            .iter()
            .copied()
            .find(|w| w.as_str() == input)
    }
    /// Whether this part is visible now, for an attempt that is submitted.
    pub fn allows(self, now: i64, closes_at: Option<i64>) -> bool {
        match self {
            ReviewWhen::Never => false,
            ReviewWhen::AfterSubmit => true,
            ReviewWhen::AfterClose => closes_at.is_some_and(|c| now >= c),
        }
    }
}

/// Which attempt counts towards the grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GradingMethod {
    Highest,
    Last,
    Average,
}

impl GradingMethod {
    pub const ALL: &'static [GradingMethod] = &[
        GradingMethod::Highest,
        GradingMethod::Last,
        GradingMethod::Average,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            GradingMethod::Highest => "highest",
            GradingMethod::Last => "last",
            GradingMethod::Average => "average",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            GradingMethod::Highest => "Highest attempt",
            GradingMethod::Last => "Last attempt",
            GradingMethod::Average => "Average of attempts",
        }
    }
    pub fn parse(input: &str) -> Option<GradingMethod> {
        GradingMethod::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == input)
    }
    /// The quiz's score (as a share, 0 to 1) from finished attempts' shares, oldest first.
    pub fn combine(self, shares: &[f64]) -> Option<f64> {
        match self {
            GradingMethod::Highest => shares.iter().copied().reduce(f64::max),
            GradingMethod::Last => shares.last().copied(),
            GradingMethod::Average if shares.is_empty() => None,
            GradingMethod::Average => Some(shares.iter().sum::<f64>() / shares.len() as f64),
        }
    }
}

/// A message shown to a learner whose score is at least `min_percent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackBand {
    pub min_percent: f64,
    pub text: String,
}

/// A quiz's settings as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizSettings {
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub time_limit_secs: Option<i64>,
    /// 0 means unlimited.
    pub attempts_allowed: i32,
    pub grading_method: GradingMethod,
    /// 0 means all questions on one page.
    pub questions_per_page: i32,
    pub shuffle_questions: bool,
    pub shuffle_answers: bool,
    pub pass_percent: Option<f64>,
    pub review_answers: ReviewWhen,
    pub review_correct: ReviewWhen,
    pub review_feedback: ReviewWhen,
    pub feedback_bands: Vec<FeedbackBand>,
}

impl QuizSettings {
    /// The settings as one learner has them: their override's open and close dates and time
    /// limit replace the quiz's, and extra attempts add to a limited number of attempts.
    /// When an attempt started at `started_at` must end: its time limit or the close, whichever
    /// comes first.
    pub fn deadline(&self, started_at: i64) -> Option<i64> {
        match (self.time_limit_secs.map(|l| started_at + l), self.closes_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn for_learner(mut self, dates: Option<&crate::overrides::model::LearnerDates>) -> Self {
        if let Some(d) = dates {
            self.opens_at = d.opens_at.or(self.opens_at);
            self.closes_at = d.closes_at.or(self.closes_at);
            self.time_limit_secs = d.time_limit_secs.or(self.time_limit_secs);
            if self.attempts_allowed > 0 {
                self.attempts_allowed += d.extra_attempts;
            }
        }
        self
    }
}

impl Default for QuizSettings {
    fn default() -> Self {
        QuizSettings {
            opens_at: None,
            closes_at: None,
            time_limit_secs: None,
            attempts_allowed: 1,
            grading_method: GradingMethod::Highest,
            questions_per_page: 0,
            shuffle_questions: false,
            shuffle_answers: true,
            pass_percent: None,
            review_answers: ReviewWhen::AfterSubmit,
            review_correct: ReviewWhen::AfterClose,
            review_feedback: ReviewWhen::AfterSubmit,
            feedback_bands: Vec::new(),
        }
    }
}

impl QuizSettings {
    /// The band message for a score, if any band reaches it.
    pub fn band_for(&self, percent: f64) -> Option<&str> {
        self.feedback_bands
            .iter()
            .filter(|b| percent + 1e-9 >= b.min_percent)
            .max_by(|a, b| a.min_percent.total_cmp(&b.min_percent))
            .map(|b| b.text.as_str())
    }
}

/// What the quiz settings form sends (raw input; times are `YYYY-MM-DDTHH:MM` in UTC).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuizSettingsForm {
    pub opens_at: String,
    pub closes_at: String,
    pub time_limit_minutes: String,
    pub attempts_allowed: String,
    pub grading_method: String,
    pub questions_per_page: String,
    pub shuffle_questions: bool,
    pub shuffle_answers: bool,
    pub pass_percent: String,
    pub review_answers: String,
    pub review_correct: String,
    pub review_feedback: String,
    /// One band per line: `80: Well done!`.
    pub feedback_bands: String,
}

/// One slot of a quiz as the editor shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizSlot {
    pub id: i64,
    pub position: i32,
    pub mark: f64,
    pub question_id: Option<i64>,
    pub category_id: Option<i64>,
    pub draw_count: i32,
    /// The question's name, or "Random (N from Category)".
    pub label: String,
    pub type_label: String,
}

/// The quiz editor: settings and slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizEditor {
    pub item_id: i64,
    pub course_id: i64,
    pub title: String,
    pub settings: QuizSettings,
    pub slots: Vec<QuizSlot>,
    pub categories: Vec<QuestionCategory>,
    /// Attempts already made: changing questions then only affects new attempts.
    pub attempt_count: i64,
}

/// A learner's view of a quiz before starting: the rules and their attempts so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizIntro {
    pub item_id: i64,
    pub course_id: i64,
    pub title: String,
    pub settings: QuizSettings,
    pub question_count: usize,
    pub attempts: Vec<AttemptSummary>,
    /// The attempt in progress, if any (the button says Continue).
    pub open_attempt: Option<i64>,
    /// Why a new attempt cannot start now (closed, no attempts left, ...), if it cannot.
    pub cannot_start: Option<String>,
    /// The grade so far by the grading method, as a percentage.
    pub grade_percent: Option<f64>,
    /// What the grade is out of: the quiz's total marks, as in the gradebook.
    #[serde(default)]
    pub max_points: f64,
    pub now: i64,
    /// The dates, time limit and attempts in `settings` are this learner's own (an override).
    #[serde(default)]
    pub own_dates: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptSummary {
    pub id: i64,
    pub number: i32,
    pub state: String,
    pub started_at: i64,
    pub submitted_at: Option<i64>,
    pub auto_submitted: bool,
    pub score: Option<f64>,
    pub max_score: f64,
    pub needs_grading: bool,
}

/// One question as shown in an attempt: what to render, never the answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptQuestion {
    pub slot: i32,
    pub number: usize,
    pub max_mark: f64,
    pub type_label: String,
    /// The stem, sanitised HTML.
    pub stem_html: String,
    pub input: QuestionInput,
    pub response: Option<Response>,
    /// The browser counter of the saved response.
    pub response_seq: i64,
}

/// The controls a question needs, with options in the order this learner sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum QuestionInput {
    /// `(place shown, sanitised HTML)`: responses name choices by these places.
    Single(Vec<(usize, String)>),
    Multiple(Vec<(usize, String)>),
    TrueFalse,
    ShortText,
    Number,
    /// Prompts (sanitised HTML) and the answer options (plain text) offered for each.
    Matching {
        prompts: Vec<String>,
        options: Vec<String>,
    },
    /// `(place shown at the start, text)`: the response lists these places in the learner's order.
    Ordering(Vec<(usize, String)>),
    /// The number of blanks; the stem shows `[[n]]` markers as "(n)".
    Blanks(usize),
    Essay,
    Description,
}

/// An attempt in progress as the attempt page loads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptView {
    pub attempt_id: i64,
    pub item_id: i64,
    pub course_id: i64,
    pub title: String,
    pub number: i32,
    pub questions_per_page: i32,
    pub questions: Vec<AttemptQuestion>,
    /// Server time now and the deadline, so the page counts down from the server's clock.
    pub now: i64,
    pub deadline_at: Option<i64>,
    /// The attempt is over (the page shows the review link instead of questions).
    pub submitted: bool,
}

/// One answer the browser sends: `seq` only ever grows for a slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerSave {
    pub slot: i32,
    pub seq: i64,
    pub response: Option<Response>,
}

/// The server's reply to a save: which slots it now holds at which counter, and the clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaveReceipt {
    pub saved: Vec<(i32, i64)>,
    pub now: i64,
    pub deadline_at: Option<i64>,
    /// The attempt is over (submitted, maybe by the clock): the page should show the result.
    pub finished: bool,
}

/// A submitted attempt as its review page shows it (only what the review options allow).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptReview {
    pub attempt: AttemptSummary,
    pub item_id: i64,
    pub course_id: i64,
    pub title: String,
    pub learner_name: String,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    pub band_feedback: Option<String>,
    /// Whether the viewer may see each question's answers / correct answers / feedback.
    pub show_answers: bool,
    pub show_correct: bool,
    pub show_feedback: bool,
    pub questions: Vec<ReviewQuestion>,
    /// The viewer grades this attempt (staff).
    pub may_grade: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewQuestion {
    pub slot: i32,
    pub number: usize,
    pub stem_html: String,
    pub type_label: String,
    pub max_mark: f64,
    pub mark: Option<f64>,
    /// The learner's answer in words.
    pub answer_text: Option<String>,
    pub correct_text: Option<String>,
    pub feedback: Vec<RichTextHtml>,
    pub needs_grading: bool,
    pub grader_comment: Option<String>,
}

/// Feedback ready to show: sanitised HTML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RichTextHtml(pub String);

/// One essay waiting for a mark, in the course's grading queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradingTask {
    pub attempt_id: i64,
    pub slot: i32,
    pub item_id: i64,
    pub quiz_title: String,
    pub learner_name: String,
    pub submitted_at: Option<i64>,
    pub question_name: String,
}

/// Kept for the question editor: a blank question of a type.
pub fn blank_question(type_key: &str) -> Option<Question> {
    use super::question::*;
    let choice = |text: &str, fraction: f64| Choice {
        text: RichText::new(TextFormat::Plain, text),
        fraction,
        feedback: None,
    };
    let body = match type_key {
        "single_choice" => QuestionBody::SingleChoice {
            choices: vec![choice("", 1.0), choice("", 0.0)],
        },
        "multiple_response" => QuestionBody::MultipleResponse {
            choices: vec![choice("", 0.5), choice("", 0.5), choice("", 0.0)],
        },
        "true_false" => QuestionBody::TrueFalse {
            correct: true,
            true_feedback: None,
            false_feedback: None,
        },
        "short_answer" => QuestionBody::ShortAnswer {
            answers: vec![TextAnswer {
                text: String::new(),
                fraction: 1.0,
                feedback: None,
            }],
            case_sensitive: false,
        },
        "numeric" => QuestionBody::Numeric {
            answers: vec![NumericAnswer {
                value: 0.0,
                tolerance: 0.0,
                fraction: 1.0,
                feedback: None,
            }],
        },
        "matching" => QuestionBody::Matching {
            pairs: vec![],
            distractors: vec![],
        },
        "ordering" => QuestionBody::Ordering { items: vec![] },
        "fill_blanks" => QuestionBody::FillBlanks { blanks: vec![] },
        "essay" => QuestionBody::Essay,
        "description" => QuestionBody::Description,
        _ => return None,
    };
    Some(Question {
        name: String::new(),
        stem: RichText::new(TextFormat::Markdown, ""),
        general_feedback: None,
        body,
        default_mark: 1.0,
        tags: vec![],
        id_number: None,
    })
}

/// The question types in the order the "New question" menu lists them: `(key, label)`.
pub const QUESTION_TYPES: &[(&str, &str)] = &[
    ("single_choice", "Multiple choice"),
    ("multiple_response", "Multiple response"),
    ("true_false", "True/false"),
    ("short_answer", "Short answer"),
    ("numeric", "Numeric"),
    ("matching", "Matching"),
    ("ordering", "Ordering"),
    ("fill_blanks", "Fill in the blanks"),
    ("essay", "Essay"),
    ("description", "Description"),
];

impl From<&QuizSettings> for QuizSettingsForm {
    fn from(s: &QuizSettings) -> Self {
        QuizSettingsForm {
            opens_at: format_datetime(s.opens_at),
            closes_at: format_datetime(s.closes_at),
            time_limit_minutes: s
                .time_limit_secs
                .map(|t| format!("{}", t as f64 / 60.0))
                .unwrap_or_default(),
            attempts_allowed: s.attempts_allowed.to_string(),
            grading_method: s.grading_method.as_str().into(),
            questions_per_page: s.questions_per_page.to_string(),
            shuffle_questions: s.shuffle_questions,
            shuffle_answers: s.shuffle_answers,
            pass_percent: s.pass_percent.map(|p| p.to_string()).unwrap_or_default(),
            review_answers: s.review_answers.as_str().into(),
            review_correct: s.review_correct.as_str().into(),
            review_feedback: s.review_feedback.as_str().into(),
            feedback_bands: s
                .feedback_bands
                .iter()
                .map(|b| format!("{}: {}", b.min_percent, b.text))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

impl QuizSettingsForm {
    pub fn parse(&self) -> Result<QuizSettings, crate::error::AppError> {
        use crate::error::Problems;
        let mut problems = Problems::default();
        let opens_at = problems
            .check(parse_datetime("opens_at", &self.opens_at))
            .flatten();
        let closes_at = problems
            .check(parse_datetime("closes_at", &self.closes_at))
            .flatten();
        if let (Some(o), Some(c)) = (opens_at, closes_at)
            && c <= o
        {
            problems.add("closes_at", "The quiz must close after it opens.");
        }
        let number = |field: &str,
                      input: &str,
                      min: f64,
                      max: f64,
                      message: &str,
                      problems: &mut Problems| {
            let value = input.trim();
            if value.is_empty() {
                return None;
            }
            match value.replace(',', ".").parse::<f64>() {
                Ok(v) if v.is_finite() && (min..=max).contains(&v) => Some(v),
                _ => {
                    problems.add(field, message);
                    None
                }
            }
        };
        let limit = number(
            "time_limit_minutes",
            &self.time_limit_minutes,
            0.5,
            10_080.0,
            "Enter a time limit in minutes (at least 0.5), or leave it empty for none.",
            &mut problems,
        );
        let attempts = number(
            "attempts_allowed",
            &self.attempts_allowed,
            0.0,
            100.0,
            "Enter how many attempts are allowed (0 for unlimited, at most 100).",
            &mut problems,
        );
        let per_page = number(
            "questions_per_page",
            &self.questions_per_page,
            0.0,
            200.0,
            "Enter how many questions go on a page (0 for all on one page).",
            &mut problems,
        );
        let pass = number(
            "pass_percent",
            &self.pass_percent,
            0.0,
            100.0,
            "Enter a pass mark from 0 to 100 %, or leave it empty.",
            &mut problems,
        );
        let mut bands = Vec::new();
        for (n, line) in self.feedback_bands.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let parsed = line.split_once(':').and_then(|(min, text)| {
                let min = min
                    .trim()
                    .trim_end_matches('%')
                    .trim()
                    .parse::<f64>()
                    .ok()?;
                ((0.0..=100.0).contains(&min) && !text.trim().is_empty()).then(|| FeedbackBand {
                    min_percent: min,
                    text: text.trim().to_string(),
                })
            });
            match parsed {
                Some(b) => bands.push(b),
                None => problems.add(
                    "feedback_bands",
                    format!("Line {}: write a band as `80: Well done!` (a percentage, a colon, the message).", n + 1),
                ),
            }
        }
        bands.sort_by(|a, b| b.min_percent.total_cmp(&a.min_percent));
        problems.into_result()?;
        let when = |s: &str, default| ReviewWhen::parse(s).unwrap_or(default);
        Ok(QuizSettings {
            opens_at,
            closes_at,
            time_limit_secs: limit.map(|m| (m * 60.0).round() as i64),
            attempts_allowed: attempts.map(|a| a as i32).unwrap_or(1),
            grading_method: GradingMethod::parse(&self.grading_method)
                .unwrap_or(GradingMethod::Highest),
            questions_per_page: per_page.map(|p| p as i32).unwrap_or(0),
            shuffle_questions: self.shuffle_questions,
            shuffle_answers: self.shuffle_answers,
            pass_percent: pass,
            review_answers: when(&self.review_answers, ReviewWhen::AfterSubmit),
            review_correct: when(&self.review_correct, ReviewWhen::AfterClose),
            review_feedback: when(&self.review_feedback, ReviewWhen::AfterSubmit),
            feedback_bands: bands,
        })
    }
}
