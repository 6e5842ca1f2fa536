//! Server functions for programmes: the administrators' list and form, adding people, and each
//! person's own programmes.

use super::model::{Programme, ProgrammeForm};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "programmes/mine")]
pub async fn my_programmes() -> Result<Vec<Programme>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::mine(&state, &actor).await)
}

#[server(endpoint = "programmes/list")]
pub async fn list_programmes() -> Result<Vec<Programme>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::list(&state, &actor).await)
}

/// Creates a programme (`id` empty) or saves one; returns its id.
#[server(endpoint = "programmes/save")]
pub async fn save_programme(id: Option<i64>, form: ProgrammeForm) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::save(&state, &actor, id, &form).await)
}

#[server(endpoint = "programmes/delete")]
pub async fn delete_programme(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::delete(&state, &actor, id).await)
}

#[server(endpoint = "programmes/add_people")]
pub async fn add_programme_people(id: i64, emails: String) -> Result<usize, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::add_people(&state, &actor, id, &emails).await)
}
