//! HTTP edges for assignments: file uploads (plain form posts, so they work before the page's
//! script loads) and the zip of all submissions.

use super::{archive, service};
use crate::files::handlers::{file_field, open_multipart, upload_response};
use crate::state::AppState;
use axum::{
    extract::{Path, Request, State},
    http::header,
    response::Response,
};

/// The routes of this kind (merged by `items::registry::routes`).
pub fn routes() -> axum::Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::{get, post};
    axum::Router::new()
        // Uploads stream to storage and enforce their own limit.
        .route(
            "/assignments/{item_id}/files",
            post(upload_work).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/assignments/{item_id}/feedback/{user_id}",
            post(upload_feedback).layer(DefaultBodyLimit::disable()),
        )
        .route("/assignments/{item_id}/submissions.zip", get(download_zip))
}

fn wants_json(req: &Request) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

async fn course_of(state: &AppState, item_id: i64) -> i64 {
    service::find(state, item_id)
        .await
        .map(|(course_id, ..)| course_id)
        .unwrap_or(0)
}

/// `POST /assignments/{item_id}/files`: a learner adds a file to their draft.
pub async fn upload_work(
    State(state): State<AppState>,
    Path(item_id): Path<i64>,
    req: Request,
) -> Response {
    let json = wants_json(&req);
    let result = async {
        let actor = crate::edge::request_actor(&req)?;
        service::authorize_work_upload(&state, &actor, item_id).await?;
        let mut multipart = open_multipart(&state, req).await?;
        let (name, field) = file_field(&mut multipart).await?;
        service::upload_work(&state, &actor, item_id, &name, field).await
    }
    .await;
    let back = format!(
        "/courses/{}/learn/{item_id}",
        course_of(&state, item_id).await
    );
    upload_response(json, result, &back, "#work-files")
}

/// `POST /assignments/{item_id}/feedback/{user_id}`: a grader adds a feedback file.
pub async fn upload_feedback(
    State(state): State<AppState>,
    Path((item_id, user_id)): Path<(i64, i64)>,
    req: Request,
) -> Response {
    let json = wants_json(&req);
    let result = async {
        let actor = crate::edge::request_actor(&req)?;
        service::authorize_feedback_upload(&state, &actor, item_id, user_id).await?;
        let mut multipart = open_multipart(&state, req).await?;
        let (name, field) = file_field(&mut multipart).await?;
        service::upload_feedback(&state, &actor, item_id, user_id, &name, field).await
    }
    .await;
    let back = format!(
        "/courses/{}/assignments/{item_id}/submissions/{user_id}",
        course_of(&state, item_id).await
    );
    upload_response(json, result, &back, "#feedback-files")
}

/// `GET /assignments/{item_id}/submissions.zip`: every handed-in submission, a folder each.
pub async fn download_zip(
    State(state): State<AppState>,
    Path(item_id): Path<i64>,
    req: Request,
) -> Response {
    let built = match crate::edge::request_actor(&req) {
        Ok(actor) => archive::build(&state, &actor, item_id).await,
        Err(e) => Err(e),
    };
    crate::edge::download_temp(built, "application/zip").await
}
