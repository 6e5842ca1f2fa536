//! The HTTP server: routes (pages, server functions, REST API, health checks) and the middleware
//! every request passes: request id + tracing, security headers, body limit, origin check (CSRF),
//! and session resolution.

use crate::app::{App, shell};
use crate::auth::request;
use crate::state::AppState;
use axum::{
    Router,
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

/// Request ids: 16 random hex digits, also returned in `x-request-id`.
#[derive(Clone, Default)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&format!("{:016x}", rand::random::<u64>()))
            .ok()
            .map(RequestId::new)
    }
}

/// The policy for responses that do not set their own (pages set one with a per-response nonce).
pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// The page policy: scripts only from us or inline with this response's nonce (Leptos hydration).
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         media-src 'self'; frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
}

/// A request that takes longer than this is answered 408 instead of holding its connection
/// (generous: a large CSV import hashes a password per row).
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The route list, generated once per process. Generating it sets a process-wide Leptos flag that
/// suspends any resource first polled meanwhile, forever (leptos-rs/leptos#4773), so it must never
/// run while pages render: tests build many routers concurrently.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let options = state.leptos_options.clone();
    let routes = route_list();
    let context_state = state.clone();
    let fn_state = state.clone();
    let fallback_state = state.clone();
    let max_body = state.config.max_body_bytes;
    let request_id = http::HeaderName::from_static("x-request-id");

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/admin/users/export.csv", get(export_users_csv))
        .route(
            "/courses/{id}/files",
            axum::routing::post(crate::files::handlers::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/assignments/{item_id}/files",
            axum::routing::post(crate::assignments::handlers::upload_work).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/assignments/{item_id}/feedback/{user_id}",
            axum::routing::post(crate::assignments::handlers::upload_feedback).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/assignments/{item_id}/submissions.zip", get(crate::assignments::handlers::download_zip))
        .route("/courses/{id}/participants.csv", get(crate::enrolments::handlers::export_participants))
        .route("/courses/{id}/questions/export", get(crate::assessments::handlers::export_questions))
        .route("/courses/{id}/grades.csv", get(crate::grading::handlers::export_grades))
        .route("/files/{id}", get(crate::files::handlers::download))
        .route("/files/{id}/{name}", get(crate::files::handlers::download))
        .nest("/api/v1", crate::rest::router())
        .route(
            "/api/{*fn_name}",
            axum::routing::post(move |req: Request<Body>| {
                let state = fn_state.clone();
                async move { handle_server_fns_with_context(move || provide_context(state.clone()), req).await }
            }),
        )
        .leptos_routes_with_context(&state, routes, move || provide_context(context_state.clone()), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            move || provide_context(fallback_state.clone()),
            shell,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), request::resolve))
        .layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .layer(middleware::from_fn_with_state(max_body, limit_body))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), RandomRequestId))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &http::Request<Body>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    // Only the path: query strings can carry secrets such as reset tokens.
                    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
                })
                // One access-log line per request, inside the span (so it carries the request id).
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(DEFAULT_CSP)))
                .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
                .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("strict-origin-when-cross-origin"),
                ))
                .layer(middleware::from_fn(timeout_except_uploads)),
        )
        .with_state(state)
}

/// Course files, a learner's assignment files, a grader's feedback files.
fn is_upload(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::POST
        && ((path.starts_with("/courses/") && path.ends_with("/files"))
            || (path.starts_with("/assignments/")
                && (path.ends_with("/files") || path.contains("/feedback/"))))
}

/// Answers 408 when a request takes longer than `REQUEST_TIMEOUT`; uploads may take as long as
/// the connection needs (a large video on a slow line), and so may zipping a class's work.
async fn timeout_except_uploads(req: Request, next: Next) -> Response {
    if is_upload(&req) || req.uri().path().ends_with("/submissions.zip") {
        return next.run(req).await;
    }
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// Uploads stream with their own, larger limit (checked as they are written); every other request
/// body is limited to `max_body` bytes.
async fn limit_body(State(max_body): State<usize>, req: Request, next: Next) -> Response {
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

async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

/// CSRF defence on top of SameSite=Lax cookies: a state-changing request that carries our session
/// cookie must come from our own origin.
async fn check_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || request::session_token(req.headers()).is_none()
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

async fn export_users_csv(State(state): State<AppState>, req: Request) -> Response {
    let result = match crate::edge::request_actor(&req) {
        Ok(actor) => crate::users::import::export_csv(&state, &actor).await,
        Err(e) => Err(e),
    };
    crate::edge::download(result, "text/csv; charset=utf-8", "users.csv")
}
