//! Server functions for cmi5 courses. Each: who is asking, one service call, the status.

use super::model::{CourseInfo, Results};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

/// The item's cmi5 course with the asking learner's progress (`None`: nothing uploaded yet),
/// for its player and its editor panel.
#[server(endpoint = "cmi5/course")]
pub async fn load_cmi5_course(item_id: i64) -> Result<Option<CourseInfo>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::find(&state, &actor, item_id).await)
}

/// The instructor's report: one page of the course's learners with every AU.
#[server(endpoint = "cmi5/results")]
pub async fn cmi5_results(item_id: i64, page: u32) -> Result<Results, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::report::results(&state, &actor, item_id, page).await)
}

/// Waives the AU at position `au` for a learner, for one of cmi5's reasons.
#[server(endpoint = "cmi5/waive")]
pub async fn waive_au(
    item_id: i64,
    user_id: i64,
    au: usize,
    reason: String,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::report::waive(&state, &actor, item_id, user_id, au, &reason).await)
}

/// Starts a learner's registration afresh (the old one stays on record).
#[server(endpoint = "cmi5/reset")]
pub async fn reset_registration(item_id: i64, user_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::report::reset(&state, &actor, item_id, user_id).await)
}
