//! REST API v1: personal-access-token authentication, one JSON error shape, cursor pagination, and
//! an OpenAPI 3 document generated from these handlers (so it cannot drift from them).

mod users;

use crate::auth::permissions::Actor;
use crate::error::AppError;
use crate::state::AppState;
use axum::{
    Json, Router,
    extract::FromRequestParts,
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Serialize;
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(users::list_users).post(users::create_user))
        .route(
            "/users/{id}",
            get(users::get_user)
                .patch(users::patch_user)
                .delete(users::delete_user),
        )
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Lyceum API", version = "1", description = "Authenticate with a personal access token: `Authorization: Bearer lyc_…`."),
    paths(users::list_users, users::create_user, users::get_user, users::patch_user, users::delete_user),
    components(schemas(crate::users::model::User, users::UserList, users::CreateUserBody, users::PatchUserBody, ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `{"error": {"code", "message", "field"?}}`
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        ApiError(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        let status =
            StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let field = match &err {
            AppError::Invalid(errors) => errors
                .first()
                .map(|e| e.field.clone())
                .filter(|f| !f.is_empty()),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: err.code().to_string(),
                message: err.to_string(),
                field,
            },
        };
        (status, Json(body)).into_response()
    }
}

/// The actor behind the request's bearer token.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError(AppError::Unauthenticated))?;
        match crate::auth::service::actor_for_api_token(state, token).await? {
            Some(actor) => Ok(ApiActor(actor)),
            None => Err(ApiError(AppError::Unauthenticated)),
        }
    }
}
