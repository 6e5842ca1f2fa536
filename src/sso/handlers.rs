//! `GET /sso/{slug}/start` and `GET /sso/{slug}/callback`: plain links and redirects, so signing
//! in through a provider works before (and without) the page's script. Failures go back to the
//! sign-in page with the message.

use super::service::{self, Callback};
use crate::auth::handlers::see_other;
use crate::auth::request::{RequestAuth, cookie, cookie_value, session_cookie};
use crate::auth::tokens;
use crate::state::AppState;
use axum::{
    Extension,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};
use serde::Deserialize;

/// Binds a sign-in to the browser that started it (its secret's hash is kept with the state).
const BROWSER_COOKIE: &str = "lyceum_sso";

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    next: Option<String>,
}

fn browser_cookie(state: &AppState, value: &str, max_age: i64) -> String {
    cookie(state, BROWSER_COOKIE, value, "/sso", Some(max_age))
}

fn to_sign_in(message: String, next: &str) -> Response {
    let query = crate::ui::query_string(&[("error", message), ("next", next.to_string())]);
    see_other(&format!("/sign-in{query}"), &[])
}

fn message(err: &crate::error::AppError) -> String {
    err.general().unwrap_or_else(|| err.to_string())
}

pub async fn start(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(slug): Path<String>,
    Query(query): Query<StartQuery>,
) -> Response {
    let next = query.next.unwrap_or_default();
    let browser = tokens::new_secret();
    match service::start(&state, &slug, &next, &browser, &auth.client()).await {
        Ok(url) => see_other(
            &url,
            &[browser_cookie(&state, &browser, service::LOGIN_SECS)],
        ),
        Err(err) => to_sign_in(message(&err), &next),
    }
}

pub async fn callback(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Query(query): Query<Callback>,
) -> Response {
    let browser = cookie_value(&headers, BROWSER_COOKIE);
    let cleared = browser_cookie(&state, "", 0);
    match service::finish(&state, &slug, &query, browser.as_deref(), &auth.client()).await {
        Ok(done) => see_other(
            &done.next,
            &[session_cookie(&state, &done.session), cleared],
        ),
        Err(err) => {
            let mut res = to_sign_in(message(&err), "");
            if let Ok(v) = HeaderValue::from_str(&cleared) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
    }
}
