//! `POST /admin/test-clock` (form `days`): moves this server's clock that many days ahead of the
//! real one (0 puts it back), so end-to-end tests see what a year brings (a certification
//! expires, its holder is reminded) without waiting for it. Mounted only on a server started with
//! `LYCEUM_TEST_CLOCK` (scripts/e2e.sh does; a real site never should), and only administrators
//! may use it. Everything dated reads `db::now()`: sessions, jobs, standings, the nightly run.

use crate::auth::identity::RequestAuth;
use crate::state::AppState;
use axum::{
    Extension, Json, Router,
    extract::Form,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
};

/// The routes, or none unless the server was started with the test clock.
pub fn routes(state: &AppState) -> Router<AppState> {
    if !state.config.test_clock {
        return Router::new();
    }
    tracing::warn!("LYCEUM_TEST_CLOCK is set: administrators may move this server's clock");
    Router::new().route("/admin/test-clock", post(move_clock))
}

#[derive(serde::Deserialize)]
struct ClockForm {
    days: i64,
}

async fn move_clock(auth: Extension<RequestAuth>, Form(form): Form<ClockForm>) -> Response {
    let Some(actor) = auth.actor.clone() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    if !actor.is_admin() {
        return StatusCode::FORBIDDEN.into_response();
    }
    // Forward only, and at most ten years: dates stay in range.
    crate::db::set_clock_offset(form.days.clamp(0, 3_660) * 86_400);
    tracing::warn!(days = form.days, "the test clock was moved");
    Json(serde_json::json!({ "now": crate::db::now() })).into_response()
}
