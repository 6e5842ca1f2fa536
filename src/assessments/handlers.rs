//! The question bank download (a plain link, so the browser saves the file).

use super::model::QuestionFormat;
use crate::edge::{download, request_actor};
use crate::error::AppError;
use crate::state::AppState;
use axum::{
    extract::{Path, Query, Request, State},
    response::Response,
};
use std::collections::HashMap;

/// The routes of the quiz kind (merged by `items::registry::routes`).
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route(
        "/courses/{id}/questions/export",
        axum::routing::get(export_questions),
    )
}

/// `GET /courses/{id}/questions/export?format=gift|aiken&category=`
pub async fn export_questions(
    State(state): State<AppState>,
    Path(course_id): Path<i64>,
    Query(params): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let format = params
        .get("format")
        .and_then(|f| QuestionFormat::parse(f))
        .unwrap_or(QuestionFormat::Gift);
    let category = params.get("category").and_then(|c| c.parse::<i64>().ok());
    let result = match request_actor(&req) {
        Ok(actor) => super::bank::export(&state, &actor, course_id, format, category)
            .await
            .map(|export| file_text(format, export)),
        Err(e) => Err::<String, AppError>(e),
    };
    download(
        result,
        "text/plain; charset=utf-8",
        &format!("questions-{course_id}.{}.txt", format.as_str()),
    )
}

/// GIFT has comments, so the file itself says what it left out; Aiken has none.
fn file_text(format: QuestionFormat, export: super::exchange::ExportResult) -> String {
    let mut body = String::new();
    if format == QuestionFormat::Gift && !export.skipped.is_empty() {
        body.push_str("// Questions not exported (GIFT cannot hold them):\n");
        for (name, why) in &export.skipped {
            body.push_str(&format!("// - {}: {}\n", name.replace('\n', " "), why));
        }
        body.push('\n');
    }
    body.push_str(&export.text);
    body
}
