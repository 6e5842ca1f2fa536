//! Helpers for the thin edges (server functions): the app state, the signed-in actor, and turning a
//! service result into a response with the right HTTP status.

use crate::auth::permissions::Actor;
use crate::auth::request::{RequestAuth, current};
use crate::error::{AppError, set_response_status};
use crate::state::AppState;

pub fn state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)
}

/// The state and the signed-in actor, or `Unauthenticated` (with a 401).
pub fn signed_in() -> Result<(AppState, Actor, RequestAuth), AppError> {
    let auth = current();
    let actor = auth
        .actor
        .clone()
        .ok_or(AppError::Unauthenticated)
        .inspect_err(set_response_status)?;
    Ok((state()?, actor, auth))
}

/// Sets the response status to match an error, then passes the result on.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        set_response_status(err);
    }
    result
}

/// Adds a Set-Cookie header to the current response.
pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        res.append_header(http::header::SET_COOKIE, value);
    }
}
