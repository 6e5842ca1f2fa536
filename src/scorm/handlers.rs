//! HTTP edges of SCORM packages: the upload (a multipart form post, so it works before the
//! page's script loads) and the package's files, served to people who may open the item.
//!
//! The files are served from Lyceum's own origin, under `/scorm/{item}/{revision}/`, because a
//! SCO finds the runtime API by walking up its frames (`window.parent.API`), which only works
//! within one origin. What a package may do is limited by its headers: its pages may be framed
//! by Lyceum only, and the package is trusted as far as its course's instructors are (they
//! uploaded it; learners cannot).

use crate::edge::{download, request_actor};
use crate::files::handlers::{
    error_response, file_field, open_multipart, serve_stored, wants_json,
};
use crate::state::AppState;
use axum::{
    Json, Router,
    extract::{Path, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items/{item_id}/package", post(upload))
        .route("/scorm/{item_id}/{revision}/{*path}", get(content))
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

/// `GET /scorm/{item_id}/{revision}/{*path}`: a file of the package.
async fn content(
    State(state): State<AppState>,
    Path((item_id, revision, path)): Path<(i64, i64, String)>,
    req: Request,
) -> Response {
    let actor = match request_actor(&req) {
        Ok(a) => a,
        Err(e) => return error_response(&e),
    };
    let (key, _) = match super::service::content(&state, &actor, item_id, revision, &path).await {
        Ok(found) => found,
        Err(e) => return error_response(&e),
    };
    let response = match serve_stored(&state, &key, req).await {
        Ok(r) => r,
        Err(e) => return error_response(&e),
    };
    if response.status() == StatusCode::NOT_FOUND {
        tracing::error!(
            item_id,
            revision,
            path,
            "a package file has no stored contents"
        );
        return error_response(&crate::error::AppError::NotFound);
    }
    let (mut parts, body) = response.into_parts();
    let headers = &mut parts.headers;
    // No charset added: a package's pages say theirs (older ones in Latin-1).
    let kind = mime_guess::from_path(&path).first_or_octet_stream();
    if let Ok(v) = HeaderValue::from_str(kind.as_ref()) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    // A revision's files never change (a new upload is a new revision): cache them privately
    // (who may have them is checked per request) for a day.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Framed by the player, never by another site; the package's own scripts run as written
    // (authoring tools inline them and some use eval).
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'self'"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    Response::from_parts(parts, body)
}
