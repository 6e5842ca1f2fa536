//! The participants CSV download (a plain link, so the browser saves it).

use super::model::{ParticipantQuery, ProgressFilter};
use crate::auth::request::RequestAuth;
use crate::courses::model::{CourseRole, EnrolmentStatus};
use crate::error::AppError;
use crate::state::AppState;
use axum::{
    extract::{Path, Query, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use std::collections::HashMap;

/// `GET /courses/{id}/participants.csv?q=&role=&status=&progress=`
pub async fn export_participants(
    State(state): State<AppState>,
    Path(course_id): Path<i64>,
    Query(params): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let Some(actor) = req
        .extensions()
        .get::<RequestAuth>()
        .and_then(|a| a.actor.clone())
    else {
        return (
            StatusCode::UNAUTHORIZED,
            AppError::Unauthenticated.to_string(),
        )
            .into_response();
    };
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let query = ParticipantQuery {
        search: get("q"),
        role: CourseRole::parse(&get("role")),
        status: EnrolmentStatus::parse(&get("status")),
        progress: ProgressFilter::parse(&get("progress")),
        page: 1,
    };
    match super::service::participants_csv(&state, &actor, course_id, &query).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"participants-{course_id}.csv\""),
                ),
            ],
            csv,
        )
            .into_response(),
        Err(err) => {
            let status = StatusCode::from_u16(err.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, err.to_string()).into_response()
        }
    }
}
