//! Server functions for assignments. Each: who is asking, one service call, the status. Inputs
//! with nested types travel as JSON.

use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "assignments/editor")]
pub async fn load_assignment_editor(item_id: i64) -> Result<AssignmentEditor, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::editor(&state, &actor, item_id).await)
}

#[server(endpoint = "assignments/save_settings", input = Json)]
pub async fn save_assignment_settings(
    item_id: i64,
    form: AssignmentSettingsForm,
) -> Result<AssignmentSettings, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::save_settings(&state, &actor, item_id, &form).await)
}

#[server(endpoint = "assignments/mine")]
pub async fn load_my_assignment(item_id: i64) -> Result<MyAssignment, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::mine(&state, &actor, item_id).await)
}

#[server(endpoint = "assignments/save_draft", input = Json)]
pub async fn save_assignment_draft(item_id: i64, draft: DraftSave) -> Result<i32, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::save_draft(&state, &actor, item_id, &draft).await)
}

#[server(endpoint = "assignments/submit")]
pub async fn submit_assignment(item_id: i64, version: i32) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::submit(&state, &actor, item_id, version).await)
}

#[server(endpoint = "assignments/reopen")]
pub async fn reopen_assignment(item_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::reopen(&state, &actor, item_id).await)
}

#[server(endpoint = "assignments/remove_file")]
pub async fn remove_assignment_file(item_id: i64, file_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::remove_work_file(&state, &actor, item_id, file_id).await)
}

#[server(endpoint = "assignments/list")]
pub async fn load_submissions(
    item_id: i64,
    filter: String,
    page: u32,
) -> Result<SubmissionList, AppError> {
    let (state, actor, _) = signed_in()?;
    let filter = SubmissionFilter::parse(&filter);
    respond(super::service::list(&state, &actor, item_id, filter, page).await)
}

#[server(endpoint = "assignments/detail")]
pub async fn load_submission(item_id: i64, user_id: i64) -> Result<SubmissionDetail, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::detail(&state, &actor, item_id, user_id).await)
}

#[server(endpoint = "assignments/grade", input = Json)]
pub async fn grade_submission(
    item_id: i64,
    user_id: i64,
    input: GradeInput,
) -> Result<GradeSaved, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::grade(&state, &actor, item_id, user_id, &input).await)
}

#[server(endpoint = "assignments/remove_feedback_file")]
pub async fn remove_feedback_file(
    item_id: i64,
    user_id: i64,
    file_id: i64,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::remove_feedback_file(&state, &actor, item_id, user_id, file_id).await)
}

#[server(endpoint = "assignments/release")]
pub async fn release_assignment_grades(item_id: i64, released: bool) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::set_released(&state, &actor, item_id, released).await)
}
