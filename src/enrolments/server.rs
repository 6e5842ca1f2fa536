//! Server functions for enrolment and cohorts, and for what changes a course's enrolments: creating
//! it (its creator is enrolled), its enrolment settings. Those keep their `courses/` endpoints.

use super::model::*;
use crate::courses::model::{Course, CourseForm, EnrolmentSettings, EnrolmentSettingsForm};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "courses/create")]
pub async fn create_course(form: CourseForm) -> Result<Course, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::create_course(&state, &actor, &form).await)
}

#[server(endpoint = "courses/enrolment_settings")]
pub async fn set_enrolment_settings(
    id: i64,
    form: EnrolmentSettingsForm,
) -> Result<EnrolmentSettings, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::set_enrolment_settings(&state, &actor, id, &form).await)
}

#[server(endpoint = "enrolments/self")]
pub async fn self_enrol(course_id: i64, key: String) -> Result<EnrolmentStatus, AppError> {
    let (state, actor, auth) = signed_in()?;
    respond(super::service::self_enrol(&state, &actor, course_id, &key, &auth.client()).await)
}

#[server(endpoint = "enrolments/leave")]
pub async fn leave_course(course_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::leave(&state, &actor, course_id).await)
}

#[server(endpoint = "enrolments/participants")]
pub async fn participants(
    course_id: i64,
    query: ParticipantQuery,
) -> Result<Page<Participant>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::participants(&state, &actor, course_id, &query).await)
}

#[server(endpoint = "enrolments/search_people")]
pub async fn search_people(course_id: i64, search: String) -> Result<Vec<PersonMatch>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::search_people(&state, &actor, course_id, &search).await)
}

#[server(endpoint = "enrolments/add")]
pub async fn enrol_user(course_id: i64, user_id: i64, role: String) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    let result = match CourseRole::parse(&role) {
        Some(role) => super::service::enrol_user(&state, &actor, course_id, user_id, role).await,
        None => Err(AppError::invalid("role", "Choose a role.")),
    };
    respond(result)
}

#[server(endpoint = "enrolments/remove")]
pub async fn unenrol_user(course_id: i64, user_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::unenrol(&state, &actor, course_id, user_id).await)
}

#[server(endpoint = "enrolments/approve")]
pub async fn approve_enrolment(course_id: i64, user_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::approve(&state, &actor, course_id, user_id).await)
}

#[server(endpoint = "enrolments/dates")]
pub async fn set_enrolment_dates(
    course_id: i64,
    user_id: i64,
    starts_on: String,
    ends_on: String,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(
        super::service::set_dates(&state, &actor, course_id, user_id, &starts_on, &ends_on).await,
    )
}

#[server(endpoint = "enrolments/csv_preview")]
pub async fn preview_enrolment_csv(course_id: i64, csv: String) -> Result<CsvPreview, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::preview_csv(&state, &actor, course_id, &csv).await)
}

#[server(endpoint = "enrolments/csv_apply")]
pub async fn apply_enrolment_csv(course_id: i64, csv: String) -> Result<CsvOutcome, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::apply_csv(&state, &actor, course_id, &csv).await)
}

#[server(endpoint = "cohorts/list")]
pub async fn list_cohorts() -> Result<Vec<Cohort>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::cohorts::list(&state, &actor).await)
}

#[server(endpoint = "cohorts/create")]
pub async fn create_cohort(name: String, description: String) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::cohorts::create(&state, &actor, &name, &description).await)
}

#[server(endpoint = "cohorts/delete")]
pub async fn delete_cohort(cohort_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::cohorts::delete(&state, &actor, cohort_id).await)
}

#[server(endpoint = "cohorts/members")]
pub async fn cohort_members(cohort_id: i64) -> Result<Vec<CohortMember>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::cohorts::members(&state, &actor, cohort_id).await)
}

#[server(endpoint = "cohorts/add_members")]
pub async fn add_cohort_members(cohort_id: i64, emails: String) -> Result<usize, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::cohorts::add_members(&state, &actor, cohort_id, &emails).await)
}

#[server(endpoint = "cohorts/remove_member")]
pub async fn remove_cohort_member(cohort_id: i64, user_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::cohorts::remove_member(&state, &actor, cohort_id, user_id).await)
}

#[server(endpoint = "cohorts/link")]
pub async fn link_cohort(course_id: i64, cohort_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::cohorts::link(&state, &actor, course_id, cohort_id).await)
}

#[server(endpoint = "cohorts/unlink")]
pub async fn unlink_cohort(course_id: i64, cohort_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::cohorts::unlink(&state, &actor, course_id, cohort_id).await)
}

#[server(endpoint = "cohorts/linked")]
pub async fn linked_cohorts(course_id: i64) -> Result<Vec<Cohort>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::cohorts::linked(&state, &actor, course_id).await)
}

#[server(endpoint = "cohorts/options")]
pub async fn cohort_options(course_id: i64) -> Result<Vec<Cohort>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::cohorts::options(&state, &actor, course_id).await)
}
