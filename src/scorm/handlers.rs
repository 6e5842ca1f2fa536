//! HTTP edges of SCORM packages: the upload (a multipart form post, so it works before the
//! page's script loads) and the results export. The package's files are served by
//! `packages::handlers` at `/packages/{item}/{revision}/`.

use crate::edge::{download, request_actor};
use crate::files::handlers::{error_response, file_field, open_multipart, wants_json};
use crate::state::AppState;
use axum::{
    Json, Router,
    extract::{Path, Request, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        // Its own limit (`LYCEUM_MAX_UPLOAD_MB`), checked as the zip is written, not axum's 2 MB.
        .route(
            "/items/{item_id}/package",
            post(upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        // The files' address before they were served under /packages (a player page opened
        // before then, a SCO that kept its own address): the same files, the same checks.
        .route(
            "/scorm/{item_id}/{revision}/{*path}",
            get(crate::packages::handlers::content),
        )
        .route("/items/{item_id}/scorm-results.csv", get(export))
}

/// `GET /items/{item_id}/scorm-results.csv`: the report, every learner.
async fn export(State(state): State<AppState>, Path(item_id): Path<i64>, req: Request) -> Response {
    let actor = match request_actor(&req) {
        Ok(actor) => actor,
        Err(e) => return download(Err::<String, _>(e), "", ""),
    };
    download(
        super::report::export_csv(&state, &actor, item_id).await,
        "text/csv; charset=utf-8",
        &format!("scorm-results-{item_id}.csv"),
    )
}

/// `POST /items/{item_id}/package`: multipart with one `file` field. JSON to scripts; to a
/// plain form, a redirect back to the item's editor with the outcome in the query.
async fn upload(State(state): State<AppState>, Path(item_id): Path<i64>, req: Request) -> Response {
    let json = wants_json(req.headers());
    let actor = match request_actor(&req) {
        Ok(a) => a,
        Err(e) => return error_response(&e),
    };
    // Refused before any of the body is read when they may not change the item.
    let course_id = match super::service::authorize_upload(&state, &actor, item_id).await {
        Ok(id) => id,
        Err(e) => return error_response(&e),
    };
    let result = async {
        let mut multipart = open_multipart(&state, req).await?;
        let (name, field) = file_field(&mut multipart).await?;
        super::service::upload(&state, &actor, item_id, &name, field).await
    }
    .await;
    let back = format!("/courses/{course_id}/items/{item_id}/edit");
    match (json, result) {
        (true, Ok(package)) => (StatusCode::CREATED, Json(package)).into_response(),
        (true, Err(e)) => error_response(&e),
        (false, Ok(_)) => Redirect::to(&format!("{back}?uploaded=package#package")).into_response(),
        (false, Err(e)) => match e.field("file").or_else(|| e.general()) {
            Some(message) => {
                let query = crate::ui::query_string(&[("upload_error", message)]);
                Redirect::to(&format!("{back}{query}#package")).into_response()
            }
            None => error_response(&e),
        },
    }
}
