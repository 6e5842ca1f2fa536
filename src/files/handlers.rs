//! HTTP edges for files: the multipart upload (a plain form post, so it works before the page's
//! script loads) and the download with range requests.

use super::service;
use crate::error::AppError;
use crate::state::AppState;
use axum::{
    Json,
    body::Body,
    extract::{Multipart, Path, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use tower::ServiceExt;
use tower_http::services::ServeFile;

pub fn wants_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

pub fn error_response(err: &AppError) -> Response {
    let status =
        StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(err.clone())).into_response()
}

/// `POST /courses/{id}/files`: multipart with one `file` field. Answers JSON to scripts and a
/// redirect back to the editor (with the outcome in the query) to plain forms.
pub async fn upload(
    State(state): State<AppState>,
    Path(course_id): Path<i64>,
    req: Request,
) -> Response {
    let json = wants_json(req.headers());
    let result = receive(&state, course_id, req).await;
    upload_response(
        json,
        result,
        &format!("/courses/{course_id}/edit"),
        "#files",
    )
}

/// The answer to an upload of a file: JSON to scripts; to plain forms, a redirect to `back` with
/// the outcome in the query (`uploaded=<id>` or `upload_error=<message>`), then `anchor`.
pub fn upload_response(
    json: bool,
    result: Result<crate::courses::model::FileInfo, AppError>,
    back: &str,
    anchor: &str,
) -> Response {
    answer_upload(json, result, back, anchor, |file| {
        format!("?uploaded={}{anchor}", file.id)
    })
}

/// The answer to any upload form (a file, a package, a cartridge): JSON to scripts (201 with
/// what was made); to plain forms, a redirect to `back` plus what `done` says of what was made,
/// or to `back?upload_error=<message>` then `anchor`, so the page shows the refusal next to its
/// file field. Who may not upload, or a failure without a message, gets the error itself.
pub fn answer_upload<T: serde::Serialize>(
    json: bool,
    result: Result<T, AppError>,
    back: &str,
    anchor: &str,
    done: impl FnOnce(&T) -> String,
) -> Response {
    if json {
        return match result {
            Ok(made) => (StatusCode::CREATED, Json(made)).into_response(),
            Err(err) => error_response(&err),
        };
    }
    match result {
        Ok(made) => Redirect::to(&format!("{back}{}", done(&made))).into_response(),
        Err(err @ (AppError::Unauthenticated | AppError::Forbidden | AppError::NotFound)) => {
            error_response(&err)
        }
        Err(err) => match err.field("file").or_else(|| err.general()) {
            Some(message) => {
                let query = crate::ui::query_string(&[("upload_error", message)]);
                Redirect::to(&format!("{back}{query}{anchor}")).into_response()
            }
            None => error_response(&err),
        },
    }
}

async fn receive(
    state: &AppState,
    course_id: i64,
    req: Request,
) -> Result<crate::courses::model::FileInfo, AppError> {
    let actor = crate::edge::request_actor(&req)?;
    // Refuse early when we may not upload at all, before reading any of the body.
    service::authorize_upload(state, &actor, course_id).await?;
    let mut multipart = open_multipart(state, req).await?;
    let (name, field) = file_field(&mut multipart).await?;
    service::receive(state, &actor, course_id, &name, field).await
}

/// The request's multipart body, paced for storage; refuses (after draining) a body whose
/// declared size is over the upload limit.
pub async fn open_multipart(state: &AppState, req: Request) -> Result<Multipart, AppError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let limit = state.config.max_upload_bytes;
    // multer (behind `Multipart`) copies every chunk that is ready into its buffer before parsing,
    // so a body arriving faster than storage takes it would pile up in memory: pace it.
    let req = req.map(|body| Body::from_stream(one_chunk_per_poll(body)));
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|_| AppError::invalid("file", "Choose a file to upload."))?;
    if declared.is_some_and(|len| len > limit + 1024 * 1024) {
        // Still read the body so the browser shows our message rather than a reset connection.
        while let Ok(Some(mut field)) = multipart.next_field().await {
            while let Ok(Some(_)) = field.chunk().await {}
        }
        return Err(service::too_large(limit));
    }
    Ok(multipart)
}

/// The `file` field of a multipart upload, with the file's name. It must come first (our forms
/// send nothing else), so the body is read in one pass.
pub async fn file_field(
    multipart: &mut Multipart,
) -> Result<(String, axum::extract::multipart::Field<'_>), AppError> {
    let field = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("file", "The upload was interrupted. Please try again."))?;
    let Some(field) = field.filter(|f| f.name() == Some("file")) else {
        return Err(AppError::invalid("file", "Choose a file to upload."));
    };
    let name = field.file_name().unwrap_or("file").to_string();
    if name.is_empty() {
        return Err(AppError::invalid("file", "Choose a file to upload."));
    }
    Ok((name, field))
}

use axum::extract::FromRequest;

/// The body's chunks, each after a yield to the scheduler, so a reader that takes "everything
/// ready" in a loop gets one chunk at a time.
fn one_chunk_per_poll(
    body: Body,
) -> impl futures_util::Stream<Item = Result<axum::body::Bytes, axum::Error>> + Send {
    futures_util::stream::unfold(body.into_data_stream(), |mut chunks| async move {
        tokio::task::yield_now().await;
        futures_util::StreamExt::next(&mut chunks)
            .await
            .map(|chunk| (chunk, chunks))
    })
}

/// `GET /files/{id}` and `/files/{id}/{name}`: the file, if the signed-in person may see it.
pub async fn download(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
    req: Request,
) -> Response {
    let id = params
        .iter()
        .find(|(k, _)| k == "id")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    let Some(id) = id else {
        return error_response(&AppError::NotFound);
    };
    let actor = match crate::edge::request_actor(&req) {
        Ok(a) => a,
        Err(e) => return error_response(&e),
    };
    let file = match service::authorize_file(&state, &actor, id).await {
        Ok(found) => found,
        Err(e) => return error_response(&e),
    };
    // Stored contents never change (a new upload is a new record), so the content hash is a
    // strong validator: a browser that has the file gets 304 and no body.
    let etag = format!("\"{}\"", file.sha256);
    if matches_etag(req.headers(), &etag) {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        set_validators(res.headers_mut(), &etag, file.created_at);
        return res;
    }
    let response = match serve_stored(&state, &file.storage_key, req).await {
        Ok(r) => r,
        Err(e) => return error_response(&e),
    };
    if response.status() == StatusCode::NOT_FOUND {
        tracing::error!(file_id = file.id, "a file record has no stored contents");
        return error_response(&AppError::NotFound);
    }
    let (mut parts, body) = response.into_parts();
    let info = file.info();
    let inline = info.is_pdf() || info.is_image() || info.is_video() || info.is_audio();
    let disposition = format!(
        "{}; filename=\"{}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        info.name
            .replace(|c: char| !c.is_ascii() || c == '"' || c == '\\', "_"),
        utf8_percent(&info.name)
    );
    let headers = &mut parts.headers;
    if let Ok(v) = HeaderValue::from_str(&file.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    set_validators(headers, &etag, file.created_at);
    // Our own pages may frame PDFs; nothing in a file may run script in our origin.
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    // Chrome's PDF viewer does not run in a sandboxed document, so PDFs only limit who frames them.
    let csp = if info.is_pdf() {
        "frame-ancestors 'self'"
    } else {
        "default-src 'none'; frame-ancestors 'self'; sandbox"
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    Response::from_parts(parts, body)
}

/// A stored object's bytes with range requests (404 when it is missing); the caller has checked
/// who may have it and sets its headers.
pub async fn serve_stored(state: &AppState, key: &str, req: Request) -> Result<Response, AppError> {
    match state.files.local_path(key)? {
        // ServeFile handles ranges and conditional requests for files on disk.
        Some(path) => match ServeFile::new(&path).oneshot(req).await {
            Ok(r) => Ok(r.map(Body::new)),
            Err(e) => match e {},
        },
        None => serve_object(state, key, req.method(), req.headers()).await,
    }
}

/// `If-None-Match` names this ETag (or `*`).
fn matches_etag(headers: &axum::http::HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// Validators and caching for a stored file: private (who may see it is checked per request),
/// kept five minutes, then revalidated with the ETag.
fn set_validators(headers: &mut axum::http::HeaderMap, etag: &str, created_at: i64) {
    if let Ok(v) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, v);
    }
    let modified = std::time::UNIX_EPOCH + std::time::Duration::from_secs(created_at.max(0) as u64);
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(modified)) {
        headers.insert(header::LAST_MODIFIED, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
}

/// Serves an object kept in S3, with a single byte range if asked for; the body streams from the
/// bucket. Answers 404 when the object is missing (the caller logs that).
// Takes the method and headers rather than the request: a body is not `Sync`, so holding
// `&Request` across an await would make the handler's future not `Send`.
async fn serve_object(
    state: &AppState,
    key: &str,
    method: &http::Method,
    headers: &http::HeaderMap,
) -> Result<Response, AppError> {
    let Some(size) = state.files.size(key).await? else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (status, range) = match byte_range(range, size) {
        ByteRange::Whole => (StatusCode::OK, None),
        ByteRange::Part(r) => (StatusCode::PARTIAL_CONTENT, Some(r)),
        ByteRange::Unsatisfiable => {
            let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                res.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(res);
        }
    };
    let length = range.as_ref().map_or(size, |r| r.end - r.start);
    let body = if method == http::Method::HEAD {
        Body::empty()
    } else {
        Body::from_stream(state.files.read_object(key, range.clone()).await?)
    };
    let mut res = Response::new(body);
    *res.status_mut() = status;
    let headers = res.headers_mut();
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(r) = range
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {}-{}/{size}", r.start, r.end - 1))
    {
        headers.insert(header::CONTENT_RANGE, v);
    }
    Ok(res)
}

/// What to send for a `Range` header, given the object's size.
#[derive(Debug, PartialEq, Eq)]
enum ByteRange {
    Whole,
    /// Half-open: `start..end`, never empty.
    Part(std::ops::Range<u64>),
    Unsatisfiable,
}

/// Understands one `bytes=a-b`, `bytes=a-` or `bytes=-n` range. As RFC 9110 allows, anything
/// else (no header, malformed, several ranges) gets the whole file.
fn byte_range(header: Option<&str>, size: u64) -> ByteRange {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return ByteRange::Whole;
    };
    let Some((first, last)) = spec.trim().split_once('-') else {
        return ByteRange::Whole;
    };
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    match (first.trim().is_empty(), number(first), number(last)) {
        // bytes=-n: the last n bytes.
        (true, _, Some(n)) => {
            if n == 0 || size == 0 {
                ByteRange::Unsatisfiable
            } else {
                ByteRange::Part(size.saturating_sub(n)..size)
            }
        }
        // bytes=a- and bytes=a-b (b past the end means "to the end").
        (false, Some(a), b) if b.is_some() || last.trim().is_empty() => match b {
            Some(b) if b < a => ByteRange::Whole,
            _ if a >= size => ByteRange::Unsatisfiable,
            Some(b) => ByteRange::Part(a..b.min(size - 1) + 1),
            None => ByteRange::Part(a..size),
        },
        _ => ByteRange::Whole,
    }
}

/// RFC 5987 encoding for `filename*`.
fn utf8_percent(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{ByteRange, byte_range};

    #[test]
    fn single_byte_ranges_are_understood() {
        assert_eq!(byte_range(None, 10), ByteRange::Whole);
        assert_eq!(byte_range(Some("bytes=0-4"), 10), ByteRange::Part(0..5));
        assert_eq!(byte_range(Some("bytes=5-"), 10), ByteRange::Part(5..10));
        assert_eq!(byte_range(Some("bytes=-3"), 10), ByteRange::Part(7..10));
        assert_eq!(byte_range(Some("bytes=-30"), 10), ByteRange::Part(0..10));
        assert_eq!(byte_range(Some("bytes=8-100"), 10), ByteRange::Part(8..10));
        assert_eq!(byte_range(Some("bytes=9-9"), 10), ByteRange::Part(9..10));
    }

    #[test]
    fn ranges_past_the_end_are_unsatisfiable() {
        assert_eq!(byte_range(Some("bytes=10-"), 10), ByteRange::Unsatisfiable);
        assert_eq!(
            byte_range(Some("bytes=10-20"), 10),
            ByteRange::Unsatisfiable
        );
        assert_eq!(byte_range(Some("bytes=-0"), 10), ByteRange::Unsatisfiable);
    }

    #[test]
    fn other_range_headers_get_the_whole_file() {
        for header in [
            "bytes=5-2",
            "bytes=0-1,4-5",
            "items=0-1",
            "bytes=a-b",
            "bytes=-",
            "bytes=1",
            "bytes=+1-2",
        ] {
            assert_eq!(byte_range(Some(header), 10), ByteRange::Whole, "{header}");
        }
    }
}
