//! REST API v1: personal-access-token authentication, one JSON error shape, cursor pagination, and
//! an OpenAPI 3 document generated from these handlers (so it cannot drift from them).

mod overrides;
mod profiles;
mod users;

use crate::auth::permissions::Actor;
use crate::error::AppError;
use crate::state::AppState;
use axum::{
    Json, Router,
    extract::{
        FromRequest, FromRequestParts,
        rejection::{JsonRejection, PathRejection, QueryRejection},
    },
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
        .route(
            "/users/{id}/profile",
            get(profiles::get_profile).put(profiles::put_profile),
        )
        .route("/items/{id}/overrides", get(overrides::list_overrides))
        .route(
            "/items/{id}/overrides/{user_id}",
            axum::routing::put(overrides::put_override).delete(overrides::delete_override),
        )
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .fallback(|| async { ApiError::from(AppError::NotFound) })
        .method_not_allowed_fallback(|| async {
            ApiError::request(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This method is not allowed here; the Allow header lists those that are.",
            )
        })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Lyceum API", version = "1", description = "Authenticate with a personal access token: `Authorization: Bearer lyc_…`."),
    paths(users::list_users, users::create_user, users::get_user, users::patch_user, users::delete_user,
        profiles::get_profile, profiles::put_profile,
        overrides::list_overrides, overrides::put_override, overrides::delete_override),
    components(schemas(crate::users::model::User, users::UserList, users::CreateUserBody, users::PatchUserBody,
        profiles::ApiProfile, profiles::ProfileBody,
        overrides::ApiOverride, overrides::OverrideList, overrides::OverrideBody, ErrorBody, ErrorDetail)),
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

/// Every REST error, answered as `ErrorBody`: the service's own errors, and requests that could
/// not be read at all (broken JSON, a wrong content type, a path or query of the wrong type).
#[derive(Debug)]
pub enum ApiError {
    App(AppError),
    Request {
        status: StatusCode,
        code: &'static str,
        message: String,
        field: Option<&'static str>,
    },
}

impl ApiError {
    pub fn request(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Request {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The same error, naming the field it is about.
    pub fn on_field(self, name: &'static str) -> Self {
        match self {
            ApiError::Request {
                status,
                code,
                message,
                ..
            } => ApiError::Request {
                status,
                code,
                message,
                field: Some(name),
            },
            other => other,
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        ApiError::App(err)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => ApiError::request(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON, with Content-Type: application/json.",
            ),
            // Well-formed JSON of the wrong shape: a missing field, a wrong type, an unknown field.
            JsonRejection::JsonDataError(e) => ApiError::request(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("The body does not match the schema: {}", e.body_text()),
            ),
            JsonRejection::JsonSyntaxError(e) => ApiError::request(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("The body is not valid JSON: {}", e.body_text()),
            ),
            other => ApiError::request(other.status(), "bad_request", other.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::request(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("The address is not valid: {}", rejection.body_text()),
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::request(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("The query string is not valid: {}", rejection.body_text()),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, field) = match self {
            ApiError::App(err) => {
                let field = match &err {
                    AppError::Invalid(errors) => errors
                        .first()
                        .map(|e| e.field.clone())
                        .filter(|f| !f.is_empty()),
                    _ => None,
                };
                let status = StatusCode::from_u16(err.status_code())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, err.code(), err.to_string(), field)
            }
            ApiError::Request {
                status,
                code,
                message,
                field,
            } => (status, code, message, field.map(str::to_string)),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message,
                field,
            },
        };
        (status, Json(body)).into_response()
    }
}

/// A JSON body whose rejections keep the documented error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// Path parameters whose rejections keep the documented error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// A query string whose rejections keep the documented error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

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
            .ok_or(ApiError::App(AppError::Unauthenticated))?;
        match crate::auth::service::actor_for_api_token(state, token).await? {
            Some(actor) => Ok(ApiActor(actor)),
            None => Err(ApiError::App(AppError::Unauthenticated)),
        }
    }
}
