//! What every request passes before its handler: the time limit, the body limit, the origin
//! check (CSRF), refusing text the database cannot store, and giving server functions' errors the
//! status their error names; and resolving who is asking.

use crate::auth::request;
use crate::error::AppError;
use crate::state::AppState;
use axum::{
    body::{Body, Bytes},
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use std::net::SocketAddr;

/// A request that takes longer than this is answered 408 instead of holding its connection
/// (generous: a large CSV import hashes a password per row).
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Course files, a learner's assignment files, a grader's feedback files, a package of an item
/// (SCORM `/package`, cmi5 `/cmi5-package`), a Common Cartridge to import into a course.
fn is_upload(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::POST
        && ((path.starts_with("/courses/")
            && (path.ends_with("/files") || path.ends_with("/cartridge")))
            || (path.starts_with("/assignments/")
                && (path.ends_with("/files") || path.contains("/feedback/")))
            || (path.starts_with("/items/") && path.ends_with("package")))
}

/// Answers 408 when a request takes longer than `REQUEST_TIMEOUT`; uploads may take as long as
/// the connection needs (a large video on a slow line), and so may zipping a class's work or a
/// course as a cartridge.
pub async fn timeout_except_uploads(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if is_upload(&req) || path.ends_with("/submissions.zip") || path.ends_with("/cartridge.imscc") {
        return next.run(req).await;
    }
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// Uploads stream with their own, larger limit (checked as they are written); every other request
/// body is limited to `max_body` bytes.
pub async fn limit_body(State(max_body): State<usize>, req: Request, next: Next) -> Response {
    if is_upload(&req) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > max_body) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The request is too large.").into_response();
    }
    next.run(req.map(|body| Body::new(http_body_util::Limited::new(body, max_body))))
        .await
}

/// CSRF defence on top of SameSite=Lax cookies: a state-changing request must come from our own
/// origin, signed in or not (a cross-site sign-in would sign the victim into the attacker's
/// account). Bearer-token calls without our cookie are exempt: a browser never adds that header
/// on its own.
pub async fn check_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || (request::session_token(req.headers()).is_none()
            && req.headers().contains_key(header::AUTHORIZATION))
    {
        return next.run(req).await;
    }
    let headers = req.headers();
    let allowed = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => {
            let scheme = state.config.base_url.scheme();
            let own_host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(|h| format!("{scheme}://{h}"));
            origin == state.config.origin() || own_host.as_deref() == Some(origin)
        }
        // No Origin: a browser tells us through Sec-Fetch-Site; other clients are not CSRF vectors.
        None => !matches!(
            headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
            Some("cross-site" | "same-site")
        ),
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!("refused a cross-origin state-changing request");
        (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response()
    }
}

/// Whether a response is worth compressing on the fly: text (pages, JSON, CSV, scripts, SVG) of
/// a kilobyte or more, or of unknown length (a streamed page). Files people upload are mostly
/// compressed already, and keep their byte ranges.
pub fn compressible(
    _: StatusCode,
    _: http::Version,
    headers: &HeaderMap,
    _: &http::Extensions,
) -> bool {
    let content_type = content_type(headers);
    let textual = [
        "text/",
        "application/json",
        "application/javascript",
        "image/svg+xml",
        "application/xml",
    ]
    .iter()
    .any(|t| content_type.starts_with(t));
    let large = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_none_or(|n| n >= 1024);
    textual && large
}

/// How long a client should wait before sending a request again after a 503.
const RETRY_AFTER_SECS: &str = "3";

/// Server errors, once each: a 503 tells the client when to try again (`Retry-After`), and a
/// 5xx whose cause was not logged where it arose (see `AppError`) is logged here, inside the
/// request's span, so every server error has a line with its request id.
pub async fn server_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let (mut response, cause_logged) = crate::error::watch_causes(next.run(req)).await;
    let status = response.status();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .entry(header::RETRY_AFTER)
            .or_insert(http::HeaderValue::from_static(RETRY_AFTER_SECS));
    }
    if status.is_server_error() && !cause_logged {
        tracing::error!(%status, %method, "answered a server error whose cause was not logged");
    }
    response
}

/// Resolves who is asking (`auth::request::authenticate`) and keeps it in the request's
/// extensions for pages and server functions.
pub async fn resolve_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    // Static assets (CSS, JS, WASM) never need to know who asks: spare them the session lookup.
    if req.uri().path().starts_with("/pkg/") || req.uri().path().starts_with("/v/") {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    match request::authenticate(&state, req.headers(), peer).await {
        Ok(auth) => {
            req.extensions_mut().insert(auth);
            next.run(req).await
        }
        // A database that cannot answer now must not sign anyone out: say "busy" (503).
        Err(err) => client_error(caller(req.uri().path()), err),
    }
}

/// Where a request goes, for answering it in the shape its caller reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Caller {
    ServerFn,
    RestApi,
    Other,
}

fn caller(path: &str) -> Caller {
    if path.starts_with("/api/v1/") {
        Caller::RestApi
    } else if path.starts_with("/api/") {
        Caller::ServerFn
    } else {
        Caller::Other
    }
}

/// A client error in the shape the caller reads: an `AppError` for server functions, the
/// documented JSON error for the REST API, plain text otherwise.
fn client_error(caller: Caller, err: AppError) -> Response {
    match caller {
        Caller::RestApi => crate::rest::ApiError::from(err).into_response(),
        Caller::ServerFn => {
            let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, axum::Json(err)).into_response()
        }
        Caller::Other => {
            let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, err.to_string()).into_response()
        }
    }
}

pub const NUL_MESSAGE: &str =
    "Text cannot contain NUL characters (zero bytes). Remove them and try again.";

/// Whether form-encoded or JSON text decodes to a string holding NUL. PostgreSQL cannot store
/// NUL in text, so it is refused here for every input rather than failing deep inside as a 500.
fn form_has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
        || form_urlencoded::parse(bytes).any(|(k, v)| k.contains('\0') || v.contains('\0'))
}

fn json_has_nul(bytes: &[u8]) -> bool {
    fn walk(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().any(walk),
            serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || walk(v)),
            _ => false,
        }
    }
    if bytes.contains(&0) {
        return true;
    }
    // Only text that spells the escape can hold NUL: parse just those bodies.
    let spelled = bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"));
    spelled && serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| walk(&v))
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Refuses (400) a query string or a form/JSON body that holds a NUL character, for every page,
/// server function and API route. Uploads are files, not text, and pass untouched.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    let caller = caller(req.uri().path());
    let refuse = || client_error(caller, AppError::BadRequest(NUL_MESSAGE.into()));
    if let Some(query) = req.uri().query()
        && form_has_nul(query.as_bytes())
    {
        return refuse();
    }
    let textual = {
        let ct = content_type(req.headers());
        ct.starts_with("application/x-www-form-urlencoded") || ct.contains("json")
    };
    if !textual || matches!(*req.method(), Method::GET | Method::HEAD) || is_upload(&req) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // The body is already limited (`limit_body`); server functions read it whole anyway.
    let bytes: Bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(_) => {
            return (StatusCode::PAYLOAD_TOO_LARGE, "The request is too large.").into_response();
        }
    };
    let json = content_type(&parts.headers).contains("json");
    if (json && json_has_nul(&bytes)) || (!json && form_has_nul(&bytes)) {
        return refuse();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Server functions answer 500 for any error that did not set its own status, including the
/// ones raised before our code runs (arguments of the wrong type, broken JSON): the status here
/// follows the error the body carries, so a client error is never reported as ours.
///
/// A browser's own form post (no script) that failed goes back to its page with the error in
/// `?failed=` (JSON), which the page's form shows as it would the script's answer
/// (`ui::forms::posted_failure`), instead of a page of JSON.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    if caller(req.uri().path()) != Caller::ServerFn {
        return next.run(req).await;
    }
    let plain = crate::edge::plain_form_post(req.headers());
    let form = req.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .starts_with(b"application/x-www-form-urlencoded")
    });
    let (req, typed) = if plain && form {
        keep_typed(req).await
    } else {
        (req, Vec::new())
    };
    let response = next.run(req).await;
    if plain && (response.status().is_client_error() || response.status().is_server_error()) {
        return back_with_failure(response, typed).await;
    }
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(err.status_code())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// What a plain form post carried, to hand back to its page if it fails: every field but a
/// password's, and nothing when it is too long for a link (a long text is then typed again).
async fn keep_typed(req: Request) -> (Request, Vec<(String, String)>) {
    const MOST: usize = 4096;
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (Request::from_parts(parts, Body::empty()), Vec::new());
    };
    let typed: Vec<(String, String)> = form_urlencoded::parse(&bytes)
        .filter(|(k, _)| !k.contains("password"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let size: usize = typed.iter().map(|(k, v)| k.len() + v.len()).sum();
    let typed = if size <= MOST { typed } else { Vec::new() };
    (Request::from_parts(parts, Body::from(bytes)), typed)
}

/// A 303 to the page a failed plain form post came from (Leptos set it as the Location), with
/// the error the body carries and what was typed (`typed.`-prefixed, read by `ui::forms::Field`);
/// the response as it is when it has no page to go back to.
async fn back_with_failure(response: Response, typed: Vec<(String, String)>) -> Response {
    let Some(back) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let err = serde_json::from_slice::<AppError>(&bytes).unwrap_or(AppError::Internal);
    let Ok(mut url) = url::Url::parse("http://page.invalid").and_then(|base| base.join(&back))
    else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "failed" && !k.starts_with("typed."))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .extend_pairs(typed.iter().map(|(k, v)| (format!("typed.{k}"), v)))
        .append_pair("failed", &serde_json::to_string(&err).unwrap_or_default());
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    Redirect::to(&target).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_however_it_is_spelled() {
        assert!(form_has_nul(b"q=%00abc"));
        assert!(form_has_nul(b"a=1&q%00=2"));
        assert!(form_has_nul(b"q=a\0b"));
        assert!(!form_has_nul(b"q=abc&page=1"));
        assert!(!form_has_nul(b"q=100%25"));
        assert!(json_has_nul(br#"{"name":"\u0000abc"}"#));
        assert!(json_has_nul(br#"{"a":[{"b":"x\u0000"}]}"#));
        assert!(!json_has_nul(br#"{"name":"abc"}"#));
        // An escaped backslash followed by "u0000" is six ordinary characters.
        assert!(!json_has_nul(br#"{"name":"\\u0000"}"#));
    }
}
