//! `/api/v1/users`. The API is stricter than the forms: it accepts exactly what its document
//! states (patterns, lengths, enums, no unknown fields), so a client can validate against the
//! document and never be surprised; the services then apply the product's own rules.

use super::{ApiActor, ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody};
use crate::error::AppError;
use crate::state::AppState;
use crate::users::model::{User, UserForm, UserStatus};
use crate::users::service;
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use utoipa::{IntoParams, ToSchema};

// utoipa takes only literals in its attributes: the patterns are repeated there, and a test
// checks that the document states these very constants.

/// An address the API takes: plain ASCII, one `@`, a domain with at least one dot and no empty
/// labels (the forms also accept surrounding spaces and trim them; the API does not).
pub const EMAIL_PATTERN: &str =
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$";
pub const EMAIL_MAX: usize = 254;
/// A display name: no control characters, no space at either end.
pub const NAME_PATTERN: &str =
    r"^[^\s\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$";
pub const NAME_MAX: usize = 120;
/// Empty is the first page, as no cursor is.
pub const CURSOR_PATTERN: &str = r"^[0-9]{0,18}$";

/// The patterns are constants (a unit test compiles each); one that did not compile would match
/// nothing, refusing input rather than panicking inside a request.
fn matches(pattern: &'static LazyLock<Option<regex::Regex>>, value: &str) -> bool {
    pattern.as_ref().is_some_and(|re| re.is_match(value))
}

static EMAIL_RE: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(EMAIL_PATTERN).ok());
static NAME_RE: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(NAME_PATTERN).ok());
static CURSOR_RE: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(CURSOR_PATTERN).ok());

fn check_email(email: &str) -> Result<(), AppError> {
    if email.len() > EMAIL_MAX || !matches(&EMAIL_RE, email) {
        return Err(AppError::invalid(
            "email",
            "email must be an address like name@example.com, without spaces.",
        ));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), AppError> {
    if name.chars().count() > NAME_MAX || !matches(&NAME_RE, name) {
        return Err(AppError::invalid(
            "name",
            "name must be 1 to 120 characters, without control characters or surrounding spaces.",
        ));
    }
    Ok(())
}

/// A site role.
#[derive(Deserialize, Serialize, ToSchema, Clone, Copy, Debug)]
#[serde(rename_all = "lowercase")]
pub enum ApiRole {
    Administrator,
    Manager,
    Instructor,
    Learner,
}

impl ApiRole {
    fn as_str(self) -> &'static str {
        match self {
            ApiRole::Administrator => "administrator",
            ApiRole::Manager => "manager",
            ApiRole::Instructor => "instructor",
            ApiRole::Learner => "learner",
        }
    }
}

/// What `PATCH` may set an account's status to.
#[derive(Deserialize, ToSchema, Clone, Copy, Debug)]
#[serde(rename_all = "lowercase")]
pub enum ApiStatus {
    Active,
    Suspended,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Opaque cursor from the previous page's `next_cursor`.
    #[param(pattern = r"^[0-9]{0,18}$")]
    cursor: Option<String>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub data: Vec<User>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserBody {
    #[schema(
        pattern = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$",
        max_length = 254
    )]
    pub email: String,
    #[schema(
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$",
        min_length = 1,
        max_length = 120
    )]
    pub name: String,
    /// Site roles (default learner).
    #[serde(default)]
    pub roles: Vec<ApiRole>,
    /// Optional: without it the person receives an email to set one. Besides its length, it
    /// must not contain the email address and must be hard to guess (a zxcvbn score of 2 or
    /// more); a weak one is refused with 422.
    #[serde(default)]
    #[schema(min_length = 10, max_length = 256, pattern = r"^[^\x00]*$")]
    pub password: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchUserBody {
    #[schema(
        pattern = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$",
        max_length = 254
    )]
    pub email: Option<String>,
    #[schema(
        pattern = r"^[^\s\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$",
        min_length = 1,
        max_length = 120
    )]
    pub name: Option<String>,
    pub roles: Option<Vec<ApiRole>>,
    pub status: Option<ApiStatus>,
}

fn role_names(roles: &[ApiRole]) -> Vec<String> {
    roles.iter().map(|r| r.as_str().to_string()).collect()
}

/// An address already in use is a conflict with what exists (409), not a malformed request.
fn conflict_if_taken(err: AppError) -> ApiError {
    if crate::users::store::is_email_taken(&err) {
        ApiError::request(StatusCode::CONFLICT, "conflict", err.to_string()).on_field("email")
    } else {
        ApiError::from(err)
    }
}

/// The user, unless deleted (deleted accounts are gone for the API).
async fn live_user(
    state: &AppState,
    actor: &crate::auth::permissions::Actor,
    id: i64,
) -> Result<User, ApiError> {
    let user = service::get(state, actor, id).await?;
    if user.status == UserStatus::Deleted {
        return Err(AppError::NotFound.into());
    }
    Ok(user)
}

#[utoipa::path(get, path = "/api/v1/users", params(ListParams), responses(
    (status = 200, body = UserList),
    (status = 400, body = ErrorBody, description = "A query parameter of the wrong type."),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 422, body = ErrorBody, description = "A cursor or limit outside its range.")))]
pub async fn list_users(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<UserList>, ApiError> {
    let after = match params.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) if matches(&CURSOR_RE, c) => c
            .parse::<i64>()
            .map_err(|_| AppError::invalid("cursor", "This cursor is not valid."))?,
        Some(_) => return Err(AppError::invalid("cursor", "This cursor is not valid.").into()),
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
    (status = 201, body = User),
    (status = 400, body = ErrorBody, description = "The body is not valid JSON."),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "An account with this email address exists."),
    (status = 415, body = ErrorBody, description = "The body is not sent as application/json."),
    (status = 422, body = ErrorBody, description = "A field breaks the schema or a rule (such as a weak password).")))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<CreateUserBody>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    check_email(&body.email)?;
    check_name(&body.name)?;
    // The form reads an empty password as "none, send a link"; here absent means that.
    if body.password.as_deref() == Some("") {
        return Err(AppError::invalid(
            "password",
            "password must be at least 10 characters; leave it out to email a link instead.",
        )
        .into());
    }
    let form = UserForm {
        email: body.email,
        name: body.name,
        roles: role_names(&body.roles),
        password: body.password.unwrap_or_default(),
    };
    let user = service::create(&state, &actor, &form)
        .await
        .map_err(conflict_if_taken)?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", params(("id" = i64, Path)), responses(
    (status = 200, body = User),
    (status = 400, body = ErrorBody, description = "The id is not an integer."),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(live_user(&state, &actor, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", params(("id" = i64, Path)), request_body = PatchUserBody, responses(
    (status = 200, body = User),
    (status = 400, body = ErrorBody, description = "The id is not an integer, or the body is not valid JSON."),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "The email address is in use, or the change would leave no active administrator."),
    (status = 415, body = ErrorBody, description = "The body is not sent as application/json."),
    (status = 422, body = ErrorBody, description = "A field breaks the schema.")))]
pub async fn patch_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PatchUserBody>,
) -> Result<Json<User>, ApiError> {
    if let Some(email) = &body.email {
        check_email(email)?;
    }
    if let Some(name) = &body.name {
        check_name(name)?;
    }
    let current = live_user(&state, &actor, id).await?;
    let mut user = current.clone();
    if body.email.is_some() || body.name.is_some() || body.roles.is_some() {
        let form = UserForm {
            email: body.email.unwrap_or(current.email.clone()),
            name: body.name.unwrap_or(current.name.clone()),
            roles: match &body.roles {
                Some(roles) => role_names(roles),
                None => current
                    .roles
                    .iter()
                    .map(|r| r.as_str().to_string())
                    .collect(),
            },
            password: String::new(),
        };
        user = service::update(&state, &actor, id, &form)
            .await
            .map_err(conflict_if_taken)?;
    }
    if let Some(status) = body.status {
        let status = match status {
            ApiStatus::Active => UserStatus::Active,
            ApiStatus::Suspended => UserStatus::Suspended,
        };
        if status != user.status {
            user = service::set_status(&state, &actor, id, status).await?;
        }
    }
    Ok(Json(user))
}

#[utoipa::path(delete, path = "/api/v1/users/{id}", params(("id" = i64, Path)), responses(
    (status = 204),
    (status = 400, body = ErrorBody, description = "The id is not an integer."),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "Your own account, or the last active administrator.")))]
pub async fn delete_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    live_user(&state, &actor, id).await?;
    service::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_document_allows_the_forms_rules_accept() {
        for email in ["a@b.co", "first.last+tag@mail.example.org", "x-y@a-b.c"] {
            assert!(check_email(email).is_ok(), "{email}");
            assert!(crate::users::model::Email::parse(email).is_ok(), "{email}");
        }
        for email in [
            " a@b.co", "a@b", "a@.b.co", "a@b..co", "a b@c.de", "@b.co", "a@b.co.",
        ] {
            assert!(check_email(email).is_err(), "{email}");
        }
        for name in ["A", "Ada Lovelace", "Zoë", "=HYPERLINK(1)"] {
            assert!(check_name(name).is_ok(), "{name}");
            assert!(crate::users::model::UserName::parse(name).is_ok(), "{name}");
        }
        for name in ["", " Ada", "Ada ", "a\u{1}b", "a\u{85}b"] {
            assert!(check_name(name).is_err(), "{name:?}");
        }
        assert!(check_name(&"x".repeat(120)).is_ok());
        assert!(check_name(&"x".repeat(121)).is_err());
    }

    #[test]
    fn the_document_states_the_same_patterns_as_the_checks() {
        let doc =
            serde_json::to_value(<super::super::ApiDoc as utoipa::OpenApi>::openapi()).unwrap();
        let create = &doc["components"]["schemas"]["CreateUserBody"];
        assert_eq!(create["properties"]["email"]["pattern"], EMAIL_PATTERN);
        assert_eq!(create["properties"]["name"]["pattern"], NAME_PATTERN);
        assert_eq!(create["additionalProperties"], false);
        let list = &doc["paths"]["/api/v1/users"]["get"]["parameters"];
        let cursor = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "cursor")
            .unwrap();
        assert_eq!(cursor["schema"]["pattern"], CURSOR_PATTERN);
    }
}
