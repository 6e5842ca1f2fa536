//! `/api/v1/users/{id}/profile`: where a person sits in the organisation (employee id,
//! department, job title, manager, location, hire date, and the administrator-defined fields
//! under `custom`), as the administrator's user page sets
//! it, for HR and SIS systems to keep in step. PUT replaces the whole profile: an absent field
//! is recorded as empty.

use super::{ApiActor, ApiError, ApiJson, ApiPath, ErrorBody};
use crate::error::AppError;
use crate::state::AppState;
use crate::users::profile::{Profile, ProfileForm};
use crate::users::profile_service;
use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A person's profile; empty fields are empty strings or absent.
#[derive(Serialize, ToSchema)]
pub struct ApiProfile {
    pub employee_id: Option<String>,
    pub department: String,
    pub job_title: String,
    /// The id of the person they report to.
    pub manager_id: Option<i64>,
    pub manager_email: Option<String>,
    pub location: String,
    #[schema(format = Date)]
    pub hire_date: Option<String>,
    /// The administrator-defined fields that have a value, by name.
    pub custom: BTreeMap<String, String>,
}

impl From<Profile> for ApiProfile {
    fn from(p: Profile) -> Self {
        ApiProfile {
            employee_id: p.employee_id,
            department: p.department,
            job_title: p.job_title,
            manager_id: p.manager.as_ref().map(|m| m.id),
            manager_email: p.manager.map(|m| m.email),
            location: p.location,
            hire_date: p.hire_date,
            custom: p.custom,
        }
    }
}

/// The profile to record. The manager is named by email and must be another account that does
/// not already report to this person; the employee id must be nobody else's.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    #[schema(max_length = 64, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub employee_id: Option<String>,
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub department: Option<String>,
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub job_title: Option<String>,
    #[schema(max_length = 254, pattern = r"^[^\x00]*$")]
    pub manager_email: Option<String>,
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub location: Option<String>,
    #[schema(format = Date)]
    pub hire_date: Option<String>,
    /// Administrator-defined fields by name: text, one of a choice list's values, a date
    /// (YYYY-MM-DD) or yes/no. A field left out is recorded as empty; a name no field has is
    /// refused.
    #[schema(schema_with = custom_fields_schema)]
    pub custom: Option<BTreeMap<String, String>>,
}

/// Names and values are text without NUL (every text input refuses it with 400).
fn custom_fields_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::{ObjectBuilder, Type};
    let text = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[^\x00]*$"))
    };
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::Object,
            Type::Null,
        ]))
        .property_names(Some(text()))
        .additional_properties(Some(text()))
        .build()
}

#[utoipa::path(get, path = "/api/v1/users/{id}/profile", params(("id" = i64, Path)), responses(
    (status = 200, body = ApiProfile),
    (status = 400, body = ErrorBody, description = "The id is not an integer."),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_profile(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApiProfile>, ApiError> {
    Ok(Json(
        profile_service::profile(&state, &actor, id).await?.into(),
    ))
}

#[utoipa::path(put, path = "/api/v1/users/{id}/profile", params(("id" = i64, Path)),
    request_body = ProfileBody, responses(
    (status = 200, body = ApiProfile),
    (status = 400, body = ErrorBody, description = "The id is not an integer, or the body is not valid JSON."),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 415, body = ErrorBody, description = "The body is not sent as application/json."),
    (status = 422, body = ErrorBody, description = "A field breaks the schema or a rule: no account has the manager's address, the manager reports to this person already, another person has the employee id, the date is not a date from 1970 on, or a custom field is unknown, required and empty, or not one of its values.")))]
pub async fn put_profile(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<Json<ApiProfile>, ApiError> {
    // The form takes an empty date as none; here a date is a date, or absent.
    if body
        .hire_date
        .as_deref()
        .is_some_and(|d| d.trim().is_empty())
    {
        return Err(AppError::invalid(
            "hire_date",
            "hire_date must be a date (YYYY-MM-DD), or left out.",
        )
        .into());
    }
    let form = ProfileForm {
        employee_id: body.employee_id.unwrap_or_default(),
        department: body.department.unwrap_or_default(),
        job_title: body.job_title.unwrap_or_default(),
        manager_email: body.manager_email.unwrap_or_default(),
        location: body.location.unwrap_or_default(),
        hire_date: body.hire_date.unwrap_or_default(),
        custom: body.custom.unwrap_or_default(),
    };
    Ok(Json(
        profile_service::save(&state, &actor, id, &form)
            .await?
            .into(),
    ))
}
