//! Server functions for SCORM packages. Each: who is asking, one service call, the status.

use super::model::{PackageInfo, Results, ScoLaunch};
use super::sequencing::Availability;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

/// The item's package (`None`: nothing uploaded yet), for its player and its editor panel.
#[server(endpoint = "scorm/package")]
pub async fn load_package(item_id: i64) -> Result<Option<PackageInfo>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::find(&state, &actor, item_id).await)
}

/// Starts a SCO: what the LMS tells it and what it set before (a learner's attempt, resumed).
#[server(endpoint = "scorm/launch")]
pub async fn launch_sco(item_id: i64, sco: String) -> Result<ScoLaunch, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::runtime::launch(&state, &actor, item_id, &sco).await)
}

/// Keeps what a SCO set (numbered; sent by `window.API`, also with `keepalive` as the page
/// goes away).
#[server(endpoint = "scorm/commit", input = Json)]
pub async fn commit_sco(
    item_id: i64,
    sco: String,
    sequence: i64,
    changes: BTreeMap<String, String>,
    finish: bool,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::runtime::commit(&state, &actor, item_id, &sco, sequence, &changes, finish).await)
}

/// The instructor's report: one page of the course's learners with their results.
#[server(endpoint = "scorm/results")]
pub async fn package_results(item_id: i64, page: u32) -> Result<Results, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::report::results(&state, &actor, item_id, page).await)
}

/// Starts a learner's attempts afresh (their earlier attempts stay on record).
#[server(endpoint = "scorm/reset")]
pub async fn reset_attempts(item_id: i64, user_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::report::reset(&state, &actor, item_id, user_id).await)
}

/// Which parts the one asking may open, by the package's sequencing, and how the player moves.
#[server(endpoint = "scorm/availability")]
pub async fn package_availability(item_id: i64) -> Result<Availability, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::runtime::availability(&state, &actor, item_id).await)
}

/// Where the player goes as the learner leaves a part asking for `request` (Continue,
/// Previous, a choice, or what the SCO asked for as it ended): the package's rules decide.
#[server(endpoint = "scorm/navigate")]
pub async fn navigate_package(
    item_id: i64,
    from: String,
    request: String,
) -> Result<super::navigation::Move, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::runtime::navigate(&state, &actor, item_id, &from, &request).await)
}
