//! Server functions for the question bank, quiz set-up, attempts and hand-marking. Each: who is
//! asking, one service call, the status. Inputs with nested types travel as JSON.

use super::model::*;
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "questions/categories")]
pub async fn load_question_categories(course_id: i64) -> Result<Vec<QuestionCategory>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::bank::categories(&state, &actor, course_id).await)
}

#[server(endpoint = "questions/save_category")]
pub async fn save_question_category(
    course_id: i64,
    id: Option<i64>,
    name: String,
) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::bank::save_category(&state, &actor, course_id, id, &name).await)
}

#[server(endpoint = "questions/delete_category")]
pub async fn delete_question_category(course_id: i64, id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::bank::delete_category(&state, &actor, course_id, id).await)
}

#[server(endpoint = "questions/list", input = Json)]
pub async fn load_bank(
    course_id: i64,
    query: BankQuery,
) -> Result<Page<QuestionSummary>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::bank::list(&state, &actor, course_id, &query).await)
}

#[server(endpoint = "questions/load")]
pub async fn load_bank_question(course_id: i64, id: i64) -> Result<BankQuestion, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::bank::load(&state, &actor, course_id, id).await)
}

#[server(endpoint = "questions/save", input = Json)]
pub async fn save_bank_question(course_id: i64, input: BankQuestion) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::bank::save(&state, &actor, course_id, input).await)
}

#[server(endpoint = "questions/delete")]
pub async fn delete_bank_question(course_id: i64, id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::bank::delete(&state, &actor, course_id, id).await)
}

#[server(endpoint = "questions/preview_import")]
pub async fn preview_question_import(
    course_id: i64,
    format: String,
    text: String,
    category_id: i64,
) -> Result<ImportPreview, AppError> {
    let (state, actor, _) = signed_in()?;
    let format = QuestionFormat::parse(&format)
        .ok_or_else(|| AppError::invalid("format", "Choose GIFT, Aiken or QTI."))?;
    respond(
        super::bank::preview_import(&state, &actor, course_id, format, &text, category_id).await,
    )
}

#[server(endpoint = "questions/import")]
pub async fn import_questions(
    course_id: i64,
    format: String,
    text: String,
    category_id: i64,
    only_valid: bool,
) -> Result<usize, AppError> {
    let (state, actor, _) = signed_in()?;
    let format = QuestionFormat::parse(&format)
        .ok_or_else(|| AppError::invalid("format", "Choose GIFT, Aiken or QTI."))?;
    respond(
        super::bank::import(
            &state,
            &actor,
            course_id,
            format,
            &text,
            category_id,
            only_valid,
        )
        .await,
    )
}

#[server(endpoint = "quizzes/editor")]
pub async fn load_quiz_editor(item_id: i64) -> Result<QuizEditor, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::quiz::editor(&state, &actor, item_id).await)
}

#[server(endpoint = "quizzes/save_settings")]
pub async fn save_quiz_settings(
    item_id: i64,
    form: QuizSettingsForm,
) -> Result<QuizSettings, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::quiz::save_settings(&state, &actor, item_id, &form).await)
}

#[server(endpoint = "quizzes/add_questions", input = Json)]
pub async fn add_quiz_questions(item_id: i64, question_ids: Vec<i64>) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::quiz::add_questions(&state, &actor, item_id, &question_ids).await)
}

#[server(endpoint = "quizzes/add_random")]
pub async fn add_quiz_random(
    item_id: i64,
    category_id: i64,
    count: i32,
    mark: f64,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::quiz::add_random(&state, &actor, item_id, category_id, count, mark).await)
}

#[server(endpoint = "quizzes/update_slot")]
pub async fn update_quiz_slot(
    item_id: i64,
    slot_id: i64,
    mark: f64,
    draw_count: i32,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::quiz::update_slot(&state, &actor, item_id, slot_id, mark, draw_count).await)
}

#[server(endpoint = "quizzes/remove_slot")]
pub async fn remove_quiz_slot(item_id: i64, slot_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::quiz::remove_slot(&state, &actor, item_id, slot_id).await)
}

#[server(endpoint = "quizzes/move_slot")]
pub async fn move_quiz_slot(item_id: i64, slot_id: i64, delta: i32) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::quiz::move_slot(&state, &actor, item_id, slot_id, delta).await)
}

#[server(endpoint = "quizzes/intro")]
pub async fn load_quiz_intro(item_id: i64) -> Result<QuizIntro, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::attempts::intro(&state, &actor, item_id).await)
}

#[server(endpoint = "quizzes/start")]
pub async fn start_attempt(item_id: i64) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::attempts::start(&state, &actor, item_id).await)
}

#[server(endpoint = "attempts/load")]
pub async fn load_attempt(attempt_id: i64) -> Result<AttemptView, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::attempts::view(&state, &actor, attempt_id).await)
}

#[server(endpoint = "attempts/save", input = Json)]
pub async fn save_answers(
    attempt_id: i64,
    answers: Vec<AnswerSave>,
) -> Result<SaveReceipt, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::attempts::save(&state, &actor, attempt_id, &answers).await)
}

#[server(endpoint = "attempts/submit", input = Json)]
pub async fn submit_attempt(
    attempt_id: i64,
    answers: Vec<AnswerSave>,
) -> Result<AttemptSummary, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::attempts::submit(&state, &actor, attempt_id, &answers).await)
}

#[server(endpoint = "attempts/review")]
pub async fn load_attempt_review(attempt_id: i64) -> Result<AttemptReview, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::review::review(&state, &actor, attempt_id).await)
}

#[server(endpoint = "attempts/grading_queue")]
pub async fn load_grading_queue(course_id: i64, page: u32) -> Result<Page<GradingTask>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::review::grading_queue(&state, &actor, course_id, page).await)
}

#[server(endpoint = "attempts/grade")]
pub async fn grade_attempt_question(
    attempt_id: i64,
    slot: i32,
    mark: f64,
    comment: String,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(
        super::review::grade_question(&state, &actor, attempt_id, slot, mark, comment.as_str())
            .await,
    )
}
