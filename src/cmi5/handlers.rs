//! HTTP edges of cmi5 courses: the package upload (`packages::handlers::upload_route`), the
//! launch (a form post whose answer sends the AU's frame or window to the AU), the fetch URL the
//! AU calls for its credentials, the page an AU returns to, and the results as CSV.

use super::service::Cmi5Package;
use crate::edge::{download, request_actor};
use crate::error::AppError;
use crate::files::handlers::error_response;
use crate::packages::handlers::upload_route;
use crate::state::AppState;
use axum::{
    Form, Json, Router,
    extract::{FromRequest, Path, Request, State},
    http::header,
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/items/{item_id}/cmi5-package",
            upload_route::<Cmi5Package>(),
        )
        .route("/cmi5/{item_id}/launch", post(launch))
        .route("/items/{item_id}/cmi5-results.csv", get(export))
        .route("/cmi5/{item_id}/returned", get(returned))
        // An AU on a content server calls it from its own origin, with no cookie.
        .route(
            "/cmi5/fetch/{token}",
            post(fetch).layer(
                tower_http::cors::CorsLayer::new()
                    .allow_origin(tower_http::cors::Any)
                    .allow_methods([axum::http::Method::POST]),
            ),
        )
}

/// `GET /items/{item_id}/cmi5-results.csv`: the instructors' report, every learner.
async fn export(State(state): State<AppState>, Path(item_id): Path<i64>, req: Request) -> Response {
    let actor = match request_actor(&req) {
        Ok(actor) => actor,
        Err(e) => return download(Err::<String, _>(e), "", ""),
    };
    download(
        super::report::export_csv(&state, &actor, item_id).await,
        "text/csv; charset=utf-8",
        &format!("cmi5-results-{item_id}.csv"),
    )
}

#[derive(Debug, Deserialize)]
struct LaunchForm {
    au: usize,
    /// A learner asks to look at an AU they finished, without it counting (cmi5 Review mode).
    #[serde(default)]
    review: bool,
}

/// `POST /cmi5/{item_id}/launch` (form fields `au`, the AU's position, and `review`): starts a
/// session and sends the frame (or window) that posted it to the AU.
async fn launch(State(state): State<AppState>, Path(item_id): Path<i64>, req: Request) -> Response {
    let actor = match request_actor(&req) {
        Ok(a) => a,
        Err(e) => return error_response(&e),
    };
    let Form(form) = match Form::<LaunchForm>::from_request(req, &state).await {
        Ok(f) => f,
        Err(_) => {
            let e = AppError::BadRequest("Choose a part of the course to open.".into());
            return error_response(&e);
        }
    };
    match super::launch::launch(&state, &actor, item_id, form.au, form.review).await {
        Ok(launch) => Redirect::to(&launch.url).into_response(),
        Err(e) => error_response(&e),
    }
}

/// `POST /cmi5/fetch/{token}`: the session's credentials the first time; cmi5's error JSON
/// (code 1) for a token used already or unknown (cmi5 §8.2.3).
async fn fetch(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match super::launch::fetch(&state, &token).await {
        Ok(Some(auth)) => Json(json!({ "auth-token": auth })).into_response(),
        Ok(None) => Json(json!({
            "error-code": "1",
            "error-text": "This fetch URL was used already (or never handed out): launch the AU again."
        }))
        .into_response(),
        Err(e) => error_response(&e),
    }
}

/// `GET /cmi5/{item_id}/returned`: where an AU sends the learner when it exits (`returnURL`),
/// usually inside the player's frame: framed by Lyceum itself (every other page refuses frames),
/// with no script.
async fn returned(
    State(state): State<AppState>,
    Path(item_id): Path<i64>,
    req: Request,
) -> Response {
    // Anyone else (signed out, another course) is sent home: the page names no course.
    let back = match request_actor(&req) {
        Ok(actor) => super::service::player_address(&state, &actor, item_id)
            .await
            .unwrap_or_else(|_| "/".to_string()),
        Err(_) => "/".to_string(),
    };
    let page = Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Finished</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         </head><body><main>\
         <p role=\"status\">You have left this part of the course; what you did is saved.</p>\
         <p><a href=\"{back}\" target=\"_top\">Back to the course item</a></p></main></body></html>"
    ));
    let headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
        ),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
    ];
    (headers, page).into_response()
}
