//! Files kept in an S3-compatible bucket, through the real router: a multipart upload, whole and
//! ranged downloads streamed from the bucket, and deletion.
//!
//! Runs only when `LYCEUM_TEST_S3_URL` names a bucket (`make test` starts moto and sets it, see
//! scripts/s3-test-server.sh); otherwise it says it was skipped and passes.
//! SQLite only, without `db_test!`: this tests storage, which is the same whatever the database.

use axum::body::{Body, Bytes};
use http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use lyceum::courses::model::{CourseForm, FileInfo};
use lyceum::state::AppState;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::Role;
use tower::ServiceExt;

const BOUNDARY: &str = "lyceum-s3-test-7d1e4b20";
const MB: usize = 1024 * 1024;

/// Removes the test's data folder (temporary uploads) even when the test fails.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// PDF-looking contents whose bytes differ by position, so a wrong range shows.
fn contents(size: usize) -> Vec<u8> {
    let mut data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
    data[..9].copy_from_slice(b"%PDF-1.7\n");
    data
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, http::HeaderMap, Bytes) {
    let res = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    (
        parts.status,
        parts.headers,
        body.collect().await.unwrap().to_bytes(),
    )
}

fn get(id: i64, token: &str, range: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .uri(format!("/files/{id}/notes.pdf"))
        .header(header::COOKIE, format!("lyceum_session={token}"));
    if let Some(range) = range {
        req = req.header(header::RANGE, range);
    }
    req.body(Body::empty()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_upload_to_download_from_and_are_deleted_from_s3() {
    let Ok(url) = std::env::var("LYCEUM_TEST_S3_URL") else {
        eprintln!("skipped the S3 storage test: LYCEUM_TEST_S3_URL is not set (make test sets it)");
        return;
    };
    let mut config = lyceum::testing::config();
    config.storage_url = Some(url);
    config.max_upload_bytes = 64 * MB as u64;
    let _cleanup = RemoveOnDrop(config.data_dir.clone());
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("lyceum")
        .build();
    let state = AppState::new(options, lyceum::testing::sqlite().await, config).unwrap();
    let teacher = user_with_roles(&state, "teacher@example.com", &[Role::Instructor]).await;
    let token = lyceum::auth::service::sign_in(
        &state,
        "teacher@example.com",
        PASSWORD,
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap()
    .session()
    .unwrap();
    let form = CourseForm {
        code: "S3-1".into(),
        title: "Files in a bucket".into(),
        ..Default::default()
    };
    let course = lyceum::enrolments::service::create_course(&state, &teacher, &form)
        .await
        .unwrap();
    let app = lyceum::http::router(state.clone());

    // 20 MB: three parts of the multipart upload (8 + 8 + 4 MiB).
    let size = 20 * MB;
    let data = contents(size);
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&data);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let upload = Request::builder()
        .method(Method::POST)
        .uri(format!("/courses/{}/files", course.id))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, format!("lyceum_session={token}"))
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .body(Body::from(body))
        .unwrap();
    let (status, _, answer) = send(&app, upload).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let file: FileInfo = serde_json::from_slice(&answer).unwrap();
    assert_eq!(file.size_bytes, size as i64);
    let key = lyceum::files::records::find_file(&state.db, file.id)
        .await
        .unwrap()
        .unwrap()
        .storage_key;
    assert_eq!(
        state.files.size(&key).await.unwrap(),
        Some(size as u64),
        "the object is in the bucket"
    );
    assert!(state.files.local_path(&key).unwrap().is_none());
    let temp = state.config.files_dir().join("tmp");
    assert_eq!(
        std::fs::read_dir(&temp).map(|d| d.count()).unwrap_or(0),
        0,
        "no temporary file is left"
    );

    let (status, headers, whole) = send(&app, get(file.id, &token, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_LENGTH], size.to_string().as_str());
    assert_eq!(headers[header::ACCEPT_RANGES], "bytes");
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(headers[header::CACHE_CONTROL], "private, max-age=300");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "SAMEORIGIN");
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        "frame-ancestors 'self'"
    );
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("inline; filename=\"notes.pdf\"")
    );
    assert!(whole == data[..], "the whole download has every byte");
    let etag = headers[header::ETAG].to_str().unwrap().to_string();
    assert!(headers.contains_key(header::LAST_MODIFIED));
    // A browser that has the file revalidates it: 304, no body, the same validator.
    let mut again = get(file.id, &token, None);
    again
        .headers_mut()
        .insert(header::IF_NONE_MATCH, etag.parse().unwrap());
    let (status, headers, body) = send(&app, again).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers[header::ETAG], etag.as_str());
    assert!(body.is_empty());

    // A range across the boundary between the first two parts.
    let (a, b) = (8 * MB - 100, 8 * MB + 99);
    let (status, headers, part) =
        send(&app, get(file.id, &token, Some(&format!("bytes={a}-{b}")))).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        headers[header::CONTENT_RANGE],
        format!("bytes {a}-{b}/{size}").as_str()
    );
    assert_eq!(headers[header::CONTENT_LENGTH], "200");
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert!(part == data[a..=b]);

    let (status, headers, tail) = send(&app, get(file.id, &token, Some("bytes=-10"))).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        headers[header::CONTENT_RANGE],
        format!("bytes {}-{}/{size}", size - 10, size - 1).as_str()
    );
    assert!(tail == data[size - 10..]);

    let (status, headers, _) =
        send(&app, get(file.id, &token, Some(&format!("bytes={size}-")))).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        headers[header::CONTENT_RANGE],
        format!("bytes */{size}").as_str()
    );

    lyceum::files::service::delete(&state, &teacher, file.id)
        .await
        .unwrap();
    assert_eq!(
        state.files.size(&key).await.unwrap(),
        None,
        "the object is gone from the bucket"
    );
    let (status, _, _) = send(&app, get(file.id, &token, None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
