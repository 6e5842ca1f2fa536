//! Server functions for requirements and the learner's required training.

use super::model::{MyRequirement, PersonStanding, RequirementForm, RequirementSummary};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "requirements/list")]
pub async fn list_requirements() -> Result<Vec<RequirementSummary>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::list(&state, &actor).await)
}

#[server(endpoint = "requirements/create")]
pub async fn create_requirement(form: RequirementForm) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::create(&state, &actor, &form).await)
}

#[server(endpoint = "requirements/people")]
pub async fn requirement_people(id: i64) -> Result<Vec<PersonStanding>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::people(&state, &actor, id).await)
}

#[server(endpoint = "requirements/refresh")]
pub async fn refresh_requirement(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::refresh_now(&state, &actor, id).await)
}

/// The signed-in person's required training.
#[server(endpoint = "requirements/mine")]
pub async fn my_requirements() -> Result<Vec<MyRequirement>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::mine(&state, &actor).await)
}
