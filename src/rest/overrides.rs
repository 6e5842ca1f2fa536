//! `/api/v1/items/{id}/overrides`: a learner's own dates on an item (an extension or an
//! accommodation), as the item editor sets them. Times are RFC 3339; absent keeps the item's own.

use super::{ApiActor, ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};
use crate::error::AppError;
use crate::items::overrides;
use crate::overrides::model::{Override, OverrideForm};
use crate::state::AppState;
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A learner's own dates on an item.
#[derive(Serialize, ToSchema)]
pub struct ApiOverride {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    #[schema(format = DateTime)]
    pub due_at: Option<String>,
    #[schema(format = DateTime)]
    pub cutoff_at: Option<String>,
    #[schema(format = DateTime)]
    pub opens_at: Option<String>,
    #[schema(format = DateTime)]
    pub closes_at: Option<String>,
    pub time_limit_minutes: Option<i64>,
    pub extra_attempts: i32,
    pub reason: String,
    #[schema(format = DateTime)]
    pub set_at: String,
}

fn rfc3339(ts: Option<i64>) -> Option<String> {
    ts.and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

impl From<Override> for ApiOverride {
    fn from(o: Override) -> Self {
        ApiOverride {
            user_id: o.user_id,
            email: o.email,
            name: o.name,
            due_at: rfc3339(o.dates.due_at),
            cutoff_at: rfc3339(o.dates.cutoff_at),
            opens_at: rfc3339(o.dates.opens_at),
            closes_at: rfc3339(o.dates.closes_at),
            time_limit_minutes: o.dates.time_limit_secs.map(|s| s / 60),
            extra_attempts: o.dates.extra_attempts,
            reason: o.reason,
            set_at: rfc3339(Some(o.set_at)).unwrap_or_default(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OverrideList {
    pub data: Vec<ApiOverride>,
    /// Pass as `page` for the next page; absent on the last page.
    pub next_page: Option<u32>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// The page (default 1), 50 per page.
    #[param(minimum = 1, maximum = 100000)]
    page: Option<u32>,
}

/// What a learner gets instead of the item's dates; the fields the item's kind has (an
/// assignment: due_at, cutoff_at; a quiz: opens_at, closes_at, time_limit_minutes,
/// extra_attempts). At least one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideBody {
    #[schema(format = DateTime)]
    pub due_at: Option<String>,
    #[schema(format = DateTime)]
    pub cutoff_at: Option<String>,
    #[schema(format = DateTime)]
    pub opens_at: Option<String>,
    #[schema(format = DateTime)]
    pub closes_at: Option<String>,
    // Read as numbers: JSON Schema's integer includes `36.0`, which serde's integers refuse.
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 43200)]
    pub time_limit_minutes: Option<f64>,
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 100)]
    pub extra_attempts: Option<f64>,
    // NUL is refused for every input (PostgreSQL cannot store it); the document says so.
    #[schema(max_length = 500, pattern = r"^[^\x00]*$")]
    pub reason: Option<String>,
}

/// A whole number sent as JSON, as the form's text.
fn form_integer(field: &'static str, value: Option<f64>) -> Result<String, AppError> {
    match value {
        None => Ok(String::new()),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e9 => Ok(format!("{}", v as i64)),
        Some(_) => Err(AppError::invalid(
            field,
            format!("{field} must be a whole number."),
        )),
    }
}

/// An RFC 3339 time as the form's `datetime-local` text (UTC).
fn form_time(field: &'static str, value: &Option<String>) -> Result<String, AppError> {
    match value {
        None => Ok(String::new()),
        Some(v) => chrono::DateTime::parse_from_rfc3339(v)
            .map(|d| crate::input::format_datetime(Some(d.timestamp())))
            .map_err(|_| {
                AppError::invalid(field, format!("{field} must be an RFC 3339 date-time."))
            }),
    }
}

#[utoipa::path(get, path = "/api/v1/items/{id}/overrides", params(("id" = i64, Path), PageParams), responses(
    (status = 200, body = OverrideList),
    (status = 400, body = ErrorBody, description = "The id or page is not an integer, or a query parameter is unknown."),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 422, body = ErrorBody, description = "The item has no dates, or the page is out of range.")))]
pub async fn list_overrides(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(item_id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<OverrideList>, ApiError> {
    let page = params.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(AppError::invalid("page", "page must be from 1 to 100000.").into());
    }
    let list = overrides::list(&state, &actor, item_id, page).await?;
    let next_page = (page < list.page.page_count()).then_some(page + 1);
    Ok(Json(OverrideList {
        data: list.page.items.into_iter().map(ApiOverride::from).collect(),
        next_page,
    }))
}

#[utoipa::path(put, path = "/api/v1/items/{id}/overrides/{user_id}", params(("id" = i64, Path), ("user_id" = i64, Path)),
    request_body = OverrideBody, responses(
    (status = 200, body = ApiOverride),
    (status = 400, body = ErrorBody, description = "An id is not an integer, or the body is not valid JSON."),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 415, body = ErrorBody, description = "The body is not sent as application/json."),
    (status = 422, body = ErrorBody, description = "A field breaks the schema or a rule, the item has no such date, or the person is not a learner of the course.")))]
pub async fn put_override(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((item_id, user_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<OverrideBody>,
) -> Result<Json<ApiOverride>, ApiError> {
    let form = OverrideForm {
        learners: String::new(),
        cohort: String::new(),
        due_at: form_time("due_at", &body.due_at)?,
        cutoff_at: form_time("cutoff_at", &body.cutoff_at)?,
        opens_at: form_time("opens_at", &body.opens_at)?,
        closes_at: form_time("closes_at", &body.closes_at)?,
        time_limit_minutes: form_integer("time_limit_minutes", body.time_limit_minutes)?,
        extra_attempts: form_integer("extra_attempts", body.extra_attempts)?,
        reason: body.reason.unwrap_or_default(),
    };
    let saved = overrides::set_for(&state, &actor, item_id, user_id, &form).await?;
    Ok(Json(saved.into()))
}

#[utoipa::path(delete, path = "/api/v1/items/{id}/overrides/{user_id}", params(("id" = i64, Path), ("user_id" = i64, Path)), responses(
    (status = 204),
    (status = 400, body = ErrorBody, description = "An id is not an integer."),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody, description = "No such item, or the learner has no override on it."),
    (status = 422, body = ErrorBody, description = "The item has no dates.")))]
pub async fn delete_override(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath((item_id, user_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    overrides::remove(&state, &actor, item_id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
