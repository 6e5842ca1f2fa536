//! HTTP edges of SCORM packages: the upload (`packages::handlers::upload_route`) and the
//! results export. The package's files are served by `packages::handlers` at
//! `/packages/{item}/{revision}/`.

use super::service::ScormPackage;
use crate::edge::{download, request_actor};
use crate::packages::handlers::upload_route;
use crate::state::AppState;
use axum::{
    Router,
    extract::{Path, Request, State},
    response::Response,
    routing::get,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items/{item_id}/package", upload_route::<ScormPackage>())
        // The files' address before they were served under /packages (a player page opened
        // before then, a SCO that kept its own address): the same files, the same checks.
        .route(
            "/scorm/{item_id}/{revision}/{*path}",
            get(crate::packages::handlers::content),
        )
        .route("/items/{item_id}/scorm-results.csv", get(export))
}

/// `GET /items/{item_id}/scorm-results.csv`: the report, every learner.
async fn export(State(state): State<AppState>, Path(item_id): Path<i64>, req: Request) -> Response {
    let actor = match request_actor(&req) {
        Ok(actor) => actor,
        Err(e) => return download(Err::<String, _>(e), "", ""),
    };
    download(
        super::report::export_csv(&state, &actor, item_id).await,
        "text/csv; charset=utf-8",
        &format!("scorm-results-{item_id}.csv"),
    )
}
