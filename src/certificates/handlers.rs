//! Plain HTTP routes for certificates: the PDF (a link, so the browser saves or shows it), the
//! administrators' CSV, and a template's PDF preview (a form posted to a new tab).

use super::model::{CertificateQuery, TemplateForm};
use crate::edge::{download, request_actor};
use crate::state::AppState;
use axum::{
    Router,
    extract::{Form, Path, Query, Request, State},
    response::Response,
    routing::{get, post},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/certificates/{file}", get(certificate_pdf))
        .route("/admin/certificates.csv", get(export_csv))
        .route("/admin/certificates/preview.pdf", post(preview))
}

/// `GET /certificates/{number}.pdf`: for its holder and administrators.
async fn certificate_pdf(
    State(state): State<AppState>,
    Path(file): Path<String>,
    req: Request,
) -> Response {
    let result = match (request_actor(&req), file.strip_suffix(".pdf")) {
        (Err(e), _) => Err(e),
        (_, None) => Err(crate::error::AppError::NotFound),
        (Ok(actor), Some(number)) => super::service::pdf(&state, &actor, number).await,
    };
    match result {
        Ok((name, bytes)) => download(
            Ok::<_, crate::error::AppError>(bytes),
            "application/pdf",
            &name,
        ),
        Err(e) => download(Err::<Vec<u8>, _>(e), "application/pdf", ""),
    }
}

/// `GET /admin/certificates.csv?q=&standing=`: every certificate the list's filters match.
async fn export_csv(
    State(state): State<AppState>,
    Query(query): Query<CertificateQuery>,
    req: Request,
) -> Response {
    let result = match request_actor(&req) {
        Ok(actor) => super::service::csv(&state, &actor, &query).await,
        Err(e) => Err(e),
    };
    download(result, "text/csv; charset=utf-8", "certificates.csv")
}

/// `POST /admin/certificates/preview.pdf`: the template form as typed, drawn with made-up values.
async fn preview(
    State(state): State<AppState>,
    auth: axum::Extension<crate::auth::identity::RequestAuth>,
    Form(form): Form<TemplateForm>,
) -> Response {
    let result = match auth.actor.clone() {
        Some(actor) => super::service::preview(&state, &actor, &form).await,
        None => Err(crate::error::AppError::Unauthenticated),
    };
    download(result, "application/pdf", "certificate-preview.pdf")
}
