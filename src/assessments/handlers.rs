//! The question bank download (a plain link, so the browser saves the file).

use super::model::QuestionFormat;
use crate::auth::request::RequestAuth;
use crate::error::AppError;
use crate::state::AppState;
use axum::{
    extract::{Path, Query, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use std::collections::HashMap;

/// `GET /courses/{id}/questions/export?format=gift|aiken&category=`
pub async fn export_questions(
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
    let Some(format) = params.get("format").and_then(|f| QuestionFormat::parse(f)) else {
        return (
            StatusCode::BAD_REQUEST,
            "Choose format=gift or format=aiken.",
        )
            .into_response();
    };
    let category = params.get("category").and_then(|c| c.parse::<i64>().ok());
    match super::bank::export(&state, &actor, course_id, format, category).await {
        Ok(export) => {
            let mut body = String::new();
            // GIFT has comments, so the file itself says what it left out; Aiken has none.
            if format == QuestionFormat::Gift && !export.skipped.is_empty() {
                body.push_str("// Questions not exported (GIFT cannot hold them):\n");
                for (name, why) in &export.skipped {
                    body.push_str(&format!("// - {}: {}\n", name.replace('\n', " "), why));
                }
                body.push('\n');
            }
            body.push_str(&export.text);
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "text/plain; charset=utf-8".to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename=\"questions-{course_id}.{}.txt\"",
                            format.as_str()
                        ),
                    ),
                    (
                        header::HeaderName::from_static("x-lyceum-skipped"),
                        export.skipped.len().to_string(),
                    ),
                ],
                body,
            )
                .into_response()
        }
        Err(err) => {
            let status = StatusCode::from_u16(err.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, err.to_string()).into_response()
        }
    }
}
