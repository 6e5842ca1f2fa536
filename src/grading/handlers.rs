//! The gradebook CSV download (a plain link, so the browser saves it).

use crate::auth::request::RequestAuth;
use crate::error::AppError;
use crate::state::AppState;
use axum::{
    extract::{Path, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

/// `GET /courses/{id}/grades.csv`
pub async fn export_grades(
    State(state): State<AppState>,
    Path(course_id): Path<i64>,
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
    match super::service::export_csv(&state, &actor, course_id).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"grades-{course_id}.csv\""),
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
