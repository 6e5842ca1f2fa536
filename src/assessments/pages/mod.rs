//! Pages for the question bank, quiz set-up, taking a quiz and reviewing it.

mod attempt;
mod bank;
mod question_editor;
mod quiz_setup;
mod review;

pub use attempt::AttemptPage;
pub use bank::QuestionBankPage;
pub use question_editor::QuestionEditorPage;
pub use quiz_setup::QuizSetup;
pub use review::{AttemptReviewPage, GradingQueuePage, QuizIntroPanel};
