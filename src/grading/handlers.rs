//! The gradebook CSV download (a plain link, so the browser saves it).

use crate::edge::{download, request_actor};
use crate::state::AppState;
use axum::{
    extract::{Path, Request, State},
    response::Response,
};

/// `GET /courses/{id}/grades.csv`
pub async fn export_grades(
    State(state): State<AppState>,
    Path(course_id): Path<i64>,
    req: Request,
) -> Response {
    let result = match request_actor(&req) {
        Ok(actor) => super::service::export_csv(&state, &actor, course_id).await,
        Err(e) => Err(e),
    };
    download(
        result,
        "text/csv; charset=utf-8",
        &format!("grades-{course_id}.csv"),
    )
}
