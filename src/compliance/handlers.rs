//! The compliance matrix CSV download (a plain link, so the browser saves it).

use crate::edge::{download, request_actor};
use crate::state::AppState;
use axum::{
    extract::{Query, Request, State},
    response::Response,
};
use std::collections::HashMap;

/// `GET /admin/compliance.csv?by=department|audience`
pub async fn export_matrix(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let by = params.get("by").cloned().unwrap_or_default();
    let result = match request_actor(&req) {
        Ok(actor) => super::matrix::matrix_csv(&state, &actor, &by).await,
        Err(e) => Err(e),
    };
    download(
        result,
        "text/csv; charset=utf-8",
        &format!(
            "compliance-by-{}.csv",
            if by == "audience" {
                "audience"
            } else {
                "department"
            }
        ),
    )
}
