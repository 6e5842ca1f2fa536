//! Server functions for requirements and the learner's required training.

use super::model::{
    Matrix, MyRequirement, PeopleQuery, PersonStanding, RequirementForm, RequirementSummary, Trend,
};
use crate::error::AppError;
use crate::paging::Page;
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
pub async fn requirement_people(
    id: i64,
    query: PeopleQuery,
) -> Result<Page<PersonStanding>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::people(&state, &actor, id, &query).await)
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

/// Exempts a person with a reason, or lifts the exemption (empty reason).
#[server(endpoint = "requirements/exempt")]
pub async fn exempt_person(id: i64, user_id: i64, reason: String) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    let reason = (!reason.trim().is_empty()).then_some(reason.as_str());
    respond(super::service::exempt(&state, &actor, id, user_id, reason).await)
}

/// Gives a person a later due date with a reason, or takes it back (empty date).
#[server(endpoint = "requirements/extend")]
pub async fn extend_person(
    id: i64,
    user_id: i64,
    extended_to: String,
    reason: String,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    let date = (!extended_to.trim().is_empty()).then_some(extended_to.as_str());
    respond(super::service::extend(&state, &actor, id, user_id, date, &reason).await)
}

/// One requirement: what it asks for, its timing and reminders, its people per state.
#[server(endpoint = "requirements/overview")]
pub async fn requirement_overview(id: i64) -> Result<RequirementSummary, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::summary(&state, &actor, id).await)
}

/// The compliance matrix: `by` is `department` or `audience`.
#[server(endpoint = "requirements/matrix")]
pub async fn compliance_matrix(by: String, page: u32) -> Result<Matrix, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::matrix::matrix(&state, &actor, &by, page).await)
}

/// Computes the matrix again soon (a background job).
#[server(endpoint = "requirements/recompute_matrix")]
pub async fn recompute_matrix() -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::matrix::request_recompute(&state, &actor).await)
}

/// Compliance across every requirement for the last `days` nights.
#[server(endpoint = "requirements/trend")]
pub async fn compliance_trend(days: u32) -> Result<Trend, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::matrix::trend(&state, &actor, days).await)
}
