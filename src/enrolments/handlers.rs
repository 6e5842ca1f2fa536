//! The participants CSV download (a plain link, so the browser saves it).

use super::model::{ParticipantQuery, ProgressFilter};
use crate::courses::model::{CourseRole, EnrolmentStatus};
use crate::edge::{download, request_actor};
use crate::state::AppState;
use axum::{
    extract::{Path, Query, Request, State},
    response::Response,
};
use std::collections::HashMap;

/// `GET /courses/{id}/participants.csv?q=&role=&status=&progress=`
pub async fn export_participants(
    State(state): State<AppState>,
    Path(course_id): Path<i64>,
    Query(params): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let actor = match request_actor(&req) {
        Ok(actor) => actor,
        Err(e) => return download(Err::<String, _>(e), "", ""),
    };
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let query = ParticipantQuery {
        search: get("q"),
        role: CourseRole::parse(&get("role")),
        status: EnrolmentStatus::parse(&get("status")),
        progress: ProgressFilter::parse(&get("progress")),
        page: 1,
    };
    download(
        super::service::participants_csv(&state, &actor, course_id, &query).await,
        "text/csv; charset=utf-8",
        &format!("participants-{course_id}.csv"),
    )
}
