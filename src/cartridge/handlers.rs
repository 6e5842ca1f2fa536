//! `GET /courses/{id}/cartridge.imscc`: the course as a Common Cartridge (`download`).
//! `POST /courses/{id}/cartridge`: a Common Cartridge to import, as multipart with one `file`
//! field (a path `http::guards` knows as an upload: its own size limit, no request timeout).
//! JSON to scripts; to a plain form (it works before the page's script loads), a redirect back
//! to the import page with the outcome in the query.

use crate::edge::request_actor;
use crate::files::handlers::{
    answer_upload, error_response, file_field, open_multipart, wants_json,
};
use crate::state::AppState;
use axum::{
    Router,
    extract::{Path, Request, State},
    response::Response,
    routing::{get, post},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/courses/{course_id}/cartridge",
            post(receive).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/courses/{course_id}/cartridge.imscc", get(export))
}

async fn export(
    State(state): State<AppState>,
    Path(course_id): Path<i64>,
    req: Request,
) -> Response {
    let built = match request_actor(&req) {
        Ok(actor) => super::download::build(&state, &actor, course_id).await,
        Err(e) => Err(e),
    };
    crate::edge::download_temp(built, "application/zip").await
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
    let made = result.map(|id| serde_json::json!({ "id": id }));
    answer_upload(json, made, &back, "", |made| {
        let id = &made["id"];
        format!("?imported={id}#import-{id}")
    })
}
