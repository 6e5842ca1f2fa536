//! `POST /courses/{id}/cartridge`: a Common Cartridge to import, as multipart with one `file`
//! field (a path `http::guards` knows as an upload: its own size limit, no request timeout).
//! JSON to scripts; to a plain form (it works before the page's script loads), a redirect back
//! to the import page with the outcome in the query.

use crate::edge::request_actor;
use crate::files::handlers::{error_response, file_field, open_multipart, wants_json};
use crate::state::AppState;
use axum::{
    Json, Router,
    extract::{Path, Request, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::post,
};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/courses/{course_id}/cartridge",
        post(receive).layer(axum::extract::DefaultBodyLimit::disable()),
    )
}

async fn receive(
    State(state): State<AppState>,
    Path(course_id): Path<i64>,
    req: Request,
) -> Response {
    let json = wants_json(req.headers());
    let actor = match request_actor(&req) {
        Ok(a) => a,
        Err(e) => return error_response(&e),
    };
    // Refused before any of the body is read when they may not edit the course.
    if let Err(e) = super::service::authorize(&state, &actor, course_id).await {
        return error_response(&e);
    }
    let result = async {
        let mut multipart = open_multipart(&state, req).await?;
        let (name, field) = file_field(&mut multipart).await?;
        super::service::import(&state, &actor, course_id, &name, field).await
    }
    .await;
    let back = format!("/courses/{course_id}/import");
    match (json, result) {
        (true, Ok(id)) => {
            (StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response()
        }
        (true, Err(e)) => error_response(&e),
        (false, Ok(id)) => {
            Redirect::to(&format!("{back}?imported={id}#import-{id}")).into_response()
        }
        (false, Err(e)) => match e.field("file").or_else(|| e.general()) {
            Some(message) => {
                let query = crate::ui::query_string(&[("upload_error", message)]);
                Redirect::to(&format!("{back}{query}")).into_response()
            }
            None => error_response(&e),
        },
    }
}
