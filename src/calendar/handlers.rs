//! `GET /calendar/feed/{token}.ics`: a person's dates for their calendar application, which
//! fetches it without a session: the unguessable token in the address is the key.

use crate::state::AppState;
use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    match super::service::ics(&state, token).await {
        Ok(text) => {
            let mut res = text.into_response();
            let headers = res.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            );
            // Private to this person; calendar applications poll it.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=300"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"lyceum.ics\""),
            );
            res
        }
        Err(crate::error::AppError::NotFound) => (
            StatusCode::NOT_FOUND,
            "This calendar address is not (or no longer) valid. Copy the current one from your calendar page.",
        )
            .into_response(),
        Err(err) => crate::files::handlers::error_response(&err),
    }
}
