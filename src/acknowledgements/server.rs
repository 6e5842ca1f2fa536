//! Server functions for acknowledgements. Each: who is asking, one service call, the status.

use super::model::{LearnerView, Overview};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "acknowledgements/view")]
pub async fn load_acknowledgement(item_id: i64) -> Result<LearnerView, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::learner_view(&state, &actor, item_id).await)
}

#[server(endpoint = "acknowledgements/confirm")]
pub async fn confirm_acknowledgement(item_id: i64) -> Result<LearnerView, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::confirm(&state, &actor, item_id).await)
}

#[server(endpoint = "acknowledgements/overview")]
pub async fn acknowledgement_overview(item_id: i64, page: u32) -> Result<Overview, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::overview(&state, &actor, item_id, page).await)
}

#[server(endpoint = "acknowledgements/statement")]
pub async fn save_acknowledgement_statement(
    item_id: i64,
    statement: String,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::save_statement(&state, &actor, item_id, &statement).await)
}
