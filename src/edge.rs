//! Helpers for the thin edges (server functions): the app state, the signed-in actor, and turning a
//! service result into a response with the right HTTP status.

use crate::auth::identity::{RequestAuth, current};
use crate::auth::permissions::Actor;
use crate::error::{AppError, OrInternal, set_response_status};
use crate::state::AppState;

pub fn state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().or_internal("no app state in this request's context")
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

/// Whether the browser says this request (a page load, or a call it makes) came from another
/// site (`Sec-Fetch-Site: cross-site` or `same-site`). Pages render for such requests, but
/// record nothing: a GET must not change what we store on someone's behalf.
pub fn sent_by_another_site() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        matches!(
            parts
                .headers
                .get("sec-fetch-site")
                .and_then(|v| v.to_str().ok()),
            Some("cross-site" | "same-site")
        )
    })
}

/// Whether a request is a browser's own form post (the page's script did not send it): its
/// `Accept` asks for HTML. Leptos answers such a post to a server function with a redirect back
/// to the page it came from; `http::guards::server_fn_status` carries a failure's message there.
pub fn plain_form_post(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Where a plain form post goes once it succeeded, when that is not back to its page (a new
/// record's page). The script's own post is answered as usual and navigates itself.
pub fn after_plain_post(location: &str) {
    use leptos::prelude::use_context;
    let plain = use_context::<http::request::Parts>().is_some_and(|p| plain_form_post(&p.headers));
    if let (true, Some(res), Ok(value)) = (
        plain,
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(location),
    ) {
        res.set_status(http::StatusCode::SEE_OTHER);
        res.insert_header(http::header::LOCATION, value);
    }
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

/// The signed-in actor of a plain HTTP request (a download link), or `Unauthenticated`.
pub fn request_actor(req: &axum::extract::Request) -> Result<Actor, AppError> {
    req.extensions()
        .get::<RequestAuth>()
        .and_then(|a| a.actor.clone())
        .ok_or(AppError::Unauthenticated)
}

/// A file a service built in a temporary place, as an attachment named `name`: removed as soon
/// as it is open (the open file stays readable, and nothing is left behind). An error gives its
/// status and message.
pub async fn download_temp(
    built: Result<(String, std::path::PathBuf), AppError>,
    content_type: &str,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let (name, path) = match built {
        Ok(found) => found,
        Err(err) => return refused(&err),
    };
    let file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => {
            return refused(&crate::error::internal(
                "could not open a built download",
                e,
            ));
        }
    };
    let size = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let _ = tokio::fs::remove_file(&path).await;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.() ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_LENGTH, size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\""),
            ),
        ],
        axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file)),
    )
        .into_response()
}

/// A file download made by a service: the text as an attachment, or the error's status and
/// message.
pub fn download<B: Into<axum::body::Body>>(
    result: Result<B, AppError>,
    content_type: &str,
    filename: &str,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    match result {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            body.into(),
        )
            .into_response(),
        Err(err) => refused(&err),
    }
}

/// A download that could not be made: the error's status and message.
fn refused(err: &AppError) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let status =
        StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, err.to_string()).into_response()
}
