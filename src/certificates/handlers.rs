//! Plain HTTP routes for certificates: the PDF (a link, so the browser saves or shows it), the
//! administrators' CSV, and a template's PDF preview (a form posted to a new tab).

use super::model::{CertificateQuery, TemplateForm};
use crate::edge::{download, request_actor};
use crate::error::AppError;
use crate::state::AppState;
use axum::{
    Router,
    extract::{Form, Path, Query, Request, State},
    response::Response,
    routing::{get, post},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/certificates/{file}", get(certificate_file))
        .route("/admin/certificates.csv", get(export_csv))
        .route("/admin/certificates/preview.pdf", post(preview))
}

/// `GET /certificates/{number}.pdf` (the certificate) and `/certificates/{number}.jwt` (its
/// Open Badges 3.0 credential): for its holder and administrators.
async fn certificate_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    req: Request,
) -> Response {
    let actor = match request_actor(&req) {
        Ok(actor) => actor,
        Err(e) => return download(Err::<String, _>(e), "", ""),
    };
    if let Some(number) = file.strip_suffix(".pdf") {
        match super::service::pdf(&state, &actor, number).await {
            Ok((name, bytes)) => download(Ok::<_, AppError>(bytes), "application/pdf", &name),
            Err(e) => download(Err::<String, _>(e), "", ""),
        }
    } else if let Some(number) = file.strip_suffix(".jwt") {
        match super::service::credential(&state, &actor, number).await {
            Ok((name, token)) => download(Ok::<_, AppError>(token), "application/vc+jwt", &name),
            Err(e) => download(Err::<String, _>(e), "", ""),
        }
    } else {
        download(Err::<String, _>(AppError::NotFound), "", "")
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
        None => Err(AppError::Unauthenticated),
    };
    download(result, "application/pdf", "certificate-preview.pdf")
}
