//! A package's files, served at `/packages/{item}/{revision}/{path}` to people who may open the
//! item, whatever its kind; and the upload route each kind mounts (`upload_route`).
//!
//! They are served from Lyceum's own origin because content finds its runtime by walking up its
//! frames (SCORM's `window.parent.API`), which only works within one origin. What a package may
//! do is limited by its headers: its pages may be framed by Lyceum only, and the package is
//! trusted as far as its course's instructors are (they uploaded it; learners cannot).

use super::files;
use super::upload::{self, Kind};
use crate::auth::permissions::Actor;
use crate::courses::{access, outline_store};
use crate::edge::request_actor;
use crate::error::AppError;
use crate::files::handlers::{
    answer_upload, error_response, file_field, open_multipart, serve_stored, wants_json,
};
use crate::state::AppState;
use axum::{
    Router,
    extract::{Path, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::Response,
    routing::{MethodRouter, get, post},
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/packages/{item_id}/{revision}/{*path}", get(content))
}

/// The `POST` a kind mounts at `/items/{item_id}/…package` (a path `http::guards` knows as an
/// upload): with its own limit (`LYCEUM_MAX_UPLOAD_MB`), checked as the zip is written, not
/// axum's 2 MB.
pub fn upload_route<K: Kind>() -> MethodRouter<AppState> {
    post(receive::<K>).layer(axum::extract::DefaultBodyLimit::disable())
}

/// Multipart with one `file` field. JSON to scripts; to a plain form (it works before the page's
/// script loads), a redirect back to the item's editor with the outcome in the query.
async fn receive<K: Kind>(
    State(state): State<AppState>,
    Path(item_id): Path<i64>,
    req: Request,
) -> Response {
    let json = wants_json(req.headers());
    let actor = match request_actor(&req) {
        Ok(a) => a,
        Err(e) => return error_response(&e),
    };
    // Refused before any of the body is read when they may not change the item.
    let course_id = match upload::authorize::<K>(&state, &actor, item_id).await {
        Ok(id) => id,
        Err(e) => return error_response(&e),
    };
    let result = async {
        let mut multipart = open_multipart(&state, req).await?;
        let (name, field) = file_field(&mut multipart).await?;
        upload::upload::<K, _, _>(&state, &actor, item_id, &name, field).await
    }
    .await;
    let back = format!("/courses/{course_id}/items/{item_id}/edit");
    answer_upload(json, result, &back, "#package", |_| {
        "?uploaded=package#package".to_string()
    })
}

/// The storage key of a file of the item's package, for someone who may open the item.
async fn find(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    revision: i64,
    path: &str,
) -> Result<String, AppError> {
    let (course_id, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let access = access::item_visible(&state.db, actor, course_id, item_id).await?;
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    let (key, _) = files::file(&state.db, item_id, revision, path)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(key)
}

/// `GET /packages/{item_id}/{revision}/{*path}`: a file of the package (ranges answered).
pub async fn content(
    State(state): State<AppState>,
    Path((item_id, revision, path)): Path<(i64, i64, String)>,
    req: Request,
) -> Response {
    let actor = match request_actor(&req) {
        Ok(a) => a,
        Err(e) => return error_response(&e),
    };
    let key = match find(&state, &actor, item_id, revision, &path).await {
        Ok(key) => key,
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
        return error_response(&AppError::NotFound);
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
