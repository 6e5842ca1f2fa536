use super::{ApiActor, ApiError, ErrorBody};
use crate::error::AppError;
use crate::state::AppState;
use crate::users::model::{User, UserForm, UserStatus};
use crate::users::service;
use axum::{
    Json,
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// Opaque cursor from the previous page's `next_cursor`.
    cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub data: Vec<User>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct CreateUserBody {
    pub email: String,
    pub name: String,
    /// Site roles: administrator, manager, instructor, learner (default learner).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Optional: without it the person receives an email to set one.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct PatchUserBody {
    pub email: Option<String>,
    pub name: Option<String>,
    pub roles: Option<Vec<String>>,
    /// `active` or `suspended`.
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/users", params(ListParams), responses(
    (status = 200, body = UserList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(params): Query<ListParams>,
) -> Result<Json<UserList>, ApiError> {
    let after = match params.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => c
            .parse::<i64>()
            .map_err(|_| AppError::invalid("cursor", "This cursor is not valid."))?,
    };
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::invalid("limit", "limit must be from 1 to 200.").into());
    }
    let data = service::list_after(&state, &actor, after, limit + 1).await?;
    let (data, next_cursor) = if data.len() as i64 > limit {
        let page: Vec<User> = data.into_iter().take(limit as usize).collect();
        let next = page.last().map(|u| u.id.to_string());
        (page, next)
    } else {
        (data, None)
    };
    Ok(Json(UserList { data, next_cursor }))
}

#[utoipa::path(post, path = "/api/v1/users", request_body = CreateUserBody, responses(
    (status = 201, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Json(body): Json<CreateUserBody>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let form = UserForm {
        email: body.email,
        name: body.name,
        roles: body.roles,
        password: body.password.unwrap_or_default(),
    };
    let user = service::create(&state, &actor, &form).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
) -> Result<Json<User>, ApiError> {
    let user = service::get(&state, &actor, id).await?;
    if user.status == UserStatus::Deleted {
        return Err(AppError::NotFound.into());
    }
    Ok(Json(user))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", params(("id" = i64, Path)), request_body = PatchUserBody, responses(
    (status = 200, body = User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
    Json(body): Json<PatchUserBody>,
) -> Result<Json<User>, ApiError> {
    let current = service::get(&state, &actor, id).await?;
    let mut user = current.clone();
    if body.email.is_some() || body.name.is_some() || body.roles.is_some() {
        let form = UserForm {
            email: body.email.unwrap_or(current.email.clone()),
            name: body.name.unwrap_or(current.name.clone()),
            roles: body.roles.unwrap_or_else(|| {
                current
                    .roles
                    .iter()
                    .map(|r| r.as_str().to_string())
                    .collect()
            }),
            password: String::new(),
        };
        user = service::update(&state, &actor, id, &form).await?;
    }
    if let Some(status) = body.status {
        let status = match UserStatus::parse(&status) {
            Some(s @ (UserStatus::Active | UserStatus::Suspended)) => s,
            _ => {
                return Err(
                    AppError::invalid("status", "status must be 'active' or 'suspended'.").into(),
                );
            }
        };
        if status != user.status {
            user = service::set_status(&state, &actor, id, status).await?;
        }
    }
    Ok(Json(user))
}

#[utoipa::path(delete, path = "/api/v1/users/{id}", params(("id" = i64, Path)), responses(
    (status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    service::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
