//! Plain HTTP routes for certificates: the PDF (a link, so the browser saves or shows it), the
//! administrators' CSV, a template's PDF preview (a form posted to a new tab), and a template's
//! images (a multipart upload, which works before the page's script loads, and each image back).

use super::model::{CertificateQuery, ImageSlot, MAX_IMAGE_BYTES, TemplateForm};
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
        .route(
            "/admin/certificates/templates/{id}/images/{slot}",
            post(upload_image),
        )
        .route("/admin/certificates/images/{id}", get(image))
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

/// `POST /admin/certificates/templates/{id}/images/{slot}`: multipart with one `file` field.
/// Answers JSON (`{"id": …}`) to scripts and a redirect back to the template to plain forms,
/// with the outcome in the query (`image=<slot>` or `image_error=<message>&slot=<slot>`).
async fn upload_image(
    State(state): State<AppState>,
    Path((id, slot)): Path<(i64, String)>,
    req: Request,
) -> Response {
    use axum::http::{StatusCode, header};
    use axum::response::{IntoResponse, Redirect};
    let json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let Some(slot) = ImageSlot::parse(&slot) else {
        return download(Err::<String, _>(AppError::NotFound), "", "");
    };
    let result = receive_image(&state, id, slot, req).await;
    match (json, result) {
        (true, Ok(image)) => (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({ "id": image })),
        )
            .into_response(),
        (true, Err(e)) => {
            let status =
                StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, axum::Json(e)).into_response()
        }
        (false, Ok(_)) => Redirect::to(&format!(
            "/admin/certificates/templates/{id}?image={}#images",
            slot.as_str()
        ))
        .into_response(),
        (
            false,
            Err(e @ (AppError::Unauthenticated | AppError::Forbidden | AppError::NotFound)),
        ) => download(Err::<String, _>(e), "", ""),
        (false, Err(e)) => {
            let message = e.field("file").or_else(|| e.general()).unwrap_or_default();
            let query = crate::ui::query_string(&[
                ("image_error", message),
                ("slot", slot.as_str().to_string()),
            ]);
            Redirect::to(&format!("/admin/certificates/templates/{id}{query}#images"))
                .into_response()
        }
    }
}

async fn receive_image(
    state: &AppState,
    id: i64,
    slot: ImageSlot,
    req: Request,
) -> Result<i64, AppError> {
    let actor = request_actor(&req)?;
    // Refuse those who may not design before reading the body.
    super::service::require(&actor)?;
    let mut multipart = crate::files::handlers::open_multipart(state, req).await?;
    let (_, mut field) = crate::files::handlers::file_field(&mut multipart).await?;
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| {
        tracing::warn!(error = %e, "a certificate image upload broke off");
        AppError::invalid("file", "The upload was interrupted. Please try again.")
    })? {
        if bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
            // Read the rest, so the browser shows our message rather than a reset connection.
            while let Ok(Some(_)) = field.chunk().await {}
            return Err(super::images::too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    super::images::upload(state, &actor, id, slot, bytes).await
}

/// `GET /admin/certificates/images/{id}`: one template image, for the editor's preview. Images
/// never change (a new upload is a new id), so browsers may keep them.
async fn image(State(state): State<AppState>, Path(id): Path<i64>, req: Request) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let result = match request_actor(&req) {
        Ok(actor) => super::images::image(&state, &actor, id).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => download(Err::<String, _>(e), "", ""),
    }
}
