//! The confirmations CSV download (a plain link, so the browser saves it).

use crate::edge::{download, request_actor};
use crate::state::AppState;
use axum::{
    Router,
    extract::{Path, Request, State},
    response::Response,
    routing::get,
};

pub fn routes() -> Router<AppState> {
    Router::new().route("/acknowledgements/{item_id}/confirmations.csv", get(export))
}

/// `GET /acknowledgements/{item_id}/confirmations.csv`
async fn export(State(state): State<AppState>, Path(item_id): Path<i64>, req: Request) -> Response {
    let actor = match request_actor(&req) {
        Ok(actor) => actor,
        Err(e) => return download(Err::<String, _>(e), "", ""),
    };
    download(
        super::service::export_csv(&state, &actor, item_id).await,
        "text/csv; charset=utf-8",
        &format!("confirmations-{item_id}.csv"),
    )
}
