//! Server functions for audiences.

use super::model::{AudienceDetail, AudienceForm, AudienceSummary, Member};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "audiences/list")]
pub async fn list_audiences(page: u32) -> Result<Page<AudienceSummary>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::list(&state, &actor, page).await)
}

#[server(endpoint = "audiences/detail")]
pub async fn audience(id: i64) -> Result<AudienceDetail, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::detail(&state, &actor, id).await)
}

/// Creates an audience (no id) or changes one; answers its id.
#[server(endpoint = "audiences/save")]
pub async fn save_audience(id: Option<i64>, form: AudienceForm) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::save(&state, &actor, id, &form).await)
}

#[server(endpoint = "audiences/delete")]
pub async fn delete_audience(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::delete(&state, &actor, id).await)
}

/// Who rules not yet saved hold: the live count and preview of the editor.
#[server(endpoint = "audiences/preview")]
pub async fn preview_audience(form: AudienceForm, page: u32) -> Result<Page<Member>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::preview(&state, &actor, &form, page).await)
}

#[server(endpoint = "audiences/members")]
pub async fn audience_members(id: i64, page: u32) -> Result<Page<Member>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::members(&state, &actor, id, page).await)
}
