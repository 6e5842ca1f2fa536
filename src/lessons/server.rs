//! Server functions for lesson revisions.

use super::model::{Revision, RevisionDiff};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "lessons/revisions")]
pub async fn item_revisions(item_id: i64) -> Result<Vec<Revision>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::revisions(&state, &actor, item_id).await)
}

#[server(endpoint = "lessons/compare")]
pub async fn compare_revisions(item_id: i64, old: i64, new: i64) -> Result<RevisionDiff, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::compare(&state, &actor, item_id, old, new).await)
}

#[server(endpoint = "lessons/restore")]
pub async fn restore_revision(item_id: i64, revision_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::restore(&state, &actor, item_id, revision_id).await)
}
