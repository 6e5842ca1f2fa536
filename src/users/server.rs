//! Server functions for user administration. Each: who is asking, parse, one service call, status.

use super::model::{User, UserForm, UserQuery};
use super::model_import::{ImportOutcome, ImportPreview};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[server(endpoint = "users/list")]
pub async fn list_users(query: UserQuery) -> Result<Page<User>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::list(&state, &actor, &query).await)
}

#[server(endpoint = "users/get")]
pub async fn get_user(id: i64) -> Result<User, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::get(&state, &actor, id).await)
}

#[server(endpoint = "users/create")]
pub async fn create_user(form: UserForm) -> Result<User, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    let created = crate::edge::respond(super::service::create(&state, &actor, &form).await)?;
    crate::edge::after_plain_post(&format!("/admin/users/{}?created=1", created.id));
    Ok(created)
}

#[server(endpoint = "users/update")]
pub async fn update_user(id: i64, form: UserForm) -> Result<User, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::update(&state, &actor, id, &form).await)
}

#[server(endpoint = "users/set_status")]
pub async fn set_user_status(id: i64, status: String) -> Result<User, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    let status = super::model::UserStatus::parse(&status)
        .ok_or_else(|| AppError::invalid("status", "Unknown status."));
    crate::edge::respond(match status {
        Ok(status) => super::service::set_status(&state, &actor, id, status).await,
        Err(e) => Err(e),
    })
}

/// Turns off a person's two-step verification (they lost their phone and recovery codes).
#[server(endpoint = "users/reset_mfa")]
pub async fn reset_user_mfa(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::reset_mfa(&state, &actor, id).await)
}

#[server(endpoint = "users/delete")]
pub async fn delete_user(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::delete(&state, &actor, id).await)
}

#[server(endpoint = "users/send_reset")]
pub async fn send_user_password_reset(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::send_reset(&state, &actor, id).await)
}

#[server(endpoint = "users/import_preview")]
pub async fn preview_user_import(csv: String) -> Result<ImportPreview, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::import::preview(&state, &actor, &csv).await)
}

#[server(endpoint = "users/import_apply")]
pub async fn apply_user_import(csv: String) -> Result<ImportOutcome, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::import::apply(&state, &actor, &csv).await)
}

#[server(endpoint = "users/profile")]
pub async fn user_profile(id: i64) -> Result<super::profile::Profile, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::profile_service::profile(&state, &actor, id).await)
}

#[server(endpoint = "users/save_profile")]
pub async fn save_user_profile(
    id: i64,
    form: super::profile::ProfileForm,
) -> Result<super::profile::Profile, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::profile_service::save(&state, &actor, id, &form).await)
}

#[server(endpoint = "users/profile_fields")]
pub async fn list_profile_fields() -> Result<Vec<super::custom_fields::CustomField>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::custom_field_service::list(&state, &actor).await)
}

/// Creates a profile field (no id) or changes one.
#[server(endpoint = "users/save_profile_field")]
pub async fn save_profile_field(
    id: Option<i64>,
    form: super::custom_fields::CustomFieldForm,
) -> Result<super::custom_fields::CustomField, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::custom_field_service::save(&state, &actor, id, &form).await)
}

#[server(endpoint = "users/delete_profile_field")]
pub async fn delete_profile_field(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::custom_field_service::delete(&state, &actor, id).await)
}

/// The signed-in person's own organisation details (read only).
#[server(endpoint = "account/organisation")]
pub async fn my_organisation() -> Result<Vec<(String, String)>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::profile_service::own(&state, &actor).await)
}
