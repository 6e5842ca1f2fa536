//! Server functions for the learner's side.

use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "learning/course")]
pub async fn load_course_page(course_id: i64) -> Result<CoursePage, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::course_page(&state, &actor, course_id).await)
}

#[server(endpoint = "learning/open")]
pub async fn open_item(item_id: i64) -> Result<PlayerView, AppError> {
    let (state, actor, _) = signed_in()?;
    if crate::edge::sent_by_another_site() {
        return respond(super::service::show_item(&state, &actor, item_id).await);
    }
    respond(super::service::open_item(&state, &actor, item_id).await)
}

#[server(endpoint = "learning/done")]
pub async fn mark_done(item_id: i64) -> Result<PlayerView, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::mark_done(&state, &actor, item_id).await)
}

/// The learner's progress in a course, for the player's outline after a kind's panel said it
/// changed (`ProgressChanged`).
#[server(endpoint = "learning/progress")]
pub async fn load_course_progress(
    course_id: i64,
) -> Result<crate::completion::model::CourseProgress, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::course_progress(&state, &actor, course_id).await)
}

#[server(endpoint = "learning/resume")]
pub async fn resume_item(course_id: i64) -> Result<Option<i64>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::resume_item(&state, &actor, course_id).await)
}

#[server(endpoint = "learning/mine")]
pub async fn load_my_learning() -> Result<MyLearning, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::my_learning(&state, &actor).await)
}
