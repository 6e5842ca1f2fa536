//! The HTTP server: routes (pages, server functions, REST API, health checks) and the middleware
//! every request passes: request id + tracing, security headers, the guards in `guards` (time and
//! body limits, origin check, NUL refusal, server functions' error statuses, session
//! resolution).

pub mod assets;
pub mod guards;
pub mod test_clock;

use crate::app::{App, shell};
use crate::state::AppState;
use axum::{
    Router,
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware,
    response::{IntoResponse, Response},
    routing::get,
};
use leptos::prelude::provide_context;
// Server functions are routed by `leptos_routes_with_context`, each at its own path.
use leptos_axum::{LeptosRoutes, generate_route_list};
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

/// The policy for responses that do not set their own (pages set one with a per-response nonce:
/// `app::page_csp`).
pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// The route list, generated once per process. Generating it sets a process-wide Leptos flag that
/// suspends any resource first polled meanwhile, forever (leptos-rs/leptos#4773), so it must never
/// run while pages render: tests build many routers concurrently.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    // Credentials other areas hand out for the LRS (cmi5 AU sessions), named here because
    // those areas sit above it.
    crate::xapi::delegate::install(|| vec![std::sync::Arc::new(crate::cmi5::lrs::Sessions)]);
    let options = state.leptos_options.clone();
    let routes = route_list();
    let context_state = state.clone();
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
        .route("/courses/{id}/participants.csv", get(crate::enrolments::handlers::export_participants))
        .route("/courses/{id}/grades.csv", get(crate::grading::handlers::export_grades))
        .route("/admin/compliance.csv", get(crate::compliance::handlers::export_matrix))
        .merge(crate::certificates::handlers::routes())
        .merge(test_clock::routes(&state))
        .route(
            "/pkg/{file}",
            get(|State(state): State<AppState>, axum::extract::Path(file): axum::extract::Path<String>, req: Request<Body>| async move {
                state.assets.serve(None, &file, req).await
            }),
        )
        .route(
            "/v/{build}/pkg/{file}",
            get(|State(state): State<AppState>, axum::extract::Path((build, file)): axum::extract::Path<(String, String)>, req: Request<Body>| async move {
                state.assets.serve(Some(&build), &file, req).await
            }),
        )
        // What item kinds serve themselves: uploads, exports.
        .merge(crate::items::registry::routes())
        // Content packages' files (SCORM, cmi5), whatever their kind.
        .merge(crate::packages::handlers::routes())
        .merge(crate::cartridge::handlers::routes())
        .route("/sign-in", axum::routing::post(crate::auth::handlers::sign_in_form))
        .route("/sign-in/second-step", axum::routing::post(crate::auth::handlers::second_step_form))
        .route("/sso/{slug}/start", get(crate::sso::handlers::start))
        .route("/sso/{slug}/callback", get(crate::sso::handlers::callback))
        .route("/calendar/feed/{file}", get(crate::calendar::handlers::feed))
        .route("/files/{id}", get(crate::files::handlers::download))
        .route("/files/{id}/{name}", get(crate::files::handlers::download))
        .nest("/api/v1", crate::rest::router())
        .merge(crate::xapi::handlers::routes())
        .leptos_routes_with_context(&state, routes, move || provide_context(context_state.clone()), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            move || provide_context(fallback_state.clone()),
            shell,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), guards::resolve_session))
        // Inside the others: leptos registers each server function's own route, so this wraps
        // the whole router and picks server-function paths itself.
        .layer(middleware::from_fn(guards::server_fn_status))
        .layer(middleware::from_fn(guards::refuse_nul))
        .layer(middleware::from_fn_with_state(state.clone(), guards::check_origin))
        .layer(middleware::from_fn_with_state(max_body, guards::limit_body))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), RandomRequestId))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &http::Request<Body>| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    // Only the path: query strings can carry secrets such as reset tokens. The span
                    // has error level so that it (and so the request id) is on every warning and
                    // error line even when the log shows only those.
                    tracing::error_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
                })
                // One access-log line per request, inside the span (so it carries the request id).
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO))
                // Server errors are logged once, with their cause (guards::server_errors).
                .on_failure(()))
                .layer(middleware::from_fn(guards::server_errors))
                // Pages, JSON and CSV on the fly, with gzip's fastest level: brotli's window and
                // higher levels cost more CPU per response than they save on the wire. The static
                // files were compressed at build time (brotli, best).
                .layer(
                    tower_http::compression::CompressionLayer::new()
                        .quality(tower_http::CompressionLevel::Fastest)
                        .compress_when(guards::compressible),
                )
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(DEFAULT_CSP)))
                .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
                .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
                .layer(SetResponseHeaderLayer::overriding(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("strict-origin-when-cross-origin"),
                ))
                .layer(middleware::from_fn(guards::timeout_except_uploads)),
        )
        .with_state(state)
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

async fn export_users_csv(State(state): State<AppState>, req: Request) -> Response {
    let result = match crate::edge::request_actor(&req) {
        Ok(actor) => crate::users::import::export_csv(&state, &actor).await,
        Err(e) => Err(e),
    };
    crate::edge::download(result, "text/csv; charset=utf-8", "users.csv")
}
