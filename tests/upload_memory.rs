//! Uploads stream to storage through the real router: a 200 MB file must not be held in memory,
//! and a file over the limit is answered with a JSON error rather than a reset connection.
//!
//! This is its own test binary so that no other test's allocations disturb the process's peak
//! memory reading, and its two tests take turns (see `ONE_AT_A_TIME`). They run on SQLite only and
//! do not use `db_test!` on purpose: what is measured is the HTTP and storage path, which is the
//! same whatever the database, and one 200 MB run is enough.

// Test code: a failure should stop the test loudly, in its helpers as in the tests themselves
// (clippy.toml allows these inside #[test] functions only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use axum::body::{Body, Bytes};
use http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use lyceum::auth::permissions::Actor;
use lyceum::courses::model::{CourseForm, FileInfo};
use lyceum::error::AppError;
use lyceum::state::AppState;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::Role;
use tower::ServiceExt;

const MB: usize = 1024 * 1024;
const BOUNDARY: &str = "lyceum-upload-test-5f0c2a9e";

/// The tests in this file run one after the other, so one never inflates the other's peak.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Setup {
    app: axum::Router,
    state: AppState,
    teacher: Actor,
    token: String,
    course_id: i64,
}

/// Removes the test's data folder (with its uploaded files) even when the test fails.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A router over a fresh SQLite database with this upload limit, a signed-in instructor and their course.
async fn setup(max_upload_bytes: u64) -> Setup {
    let mut config = lyceum::testing::config();
    config.max_upload_bytes = max_upload_bytes;
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("lyceum")
        .build();
    let state = AppState::new(options, lyceum::testing::sqlite().await, config).unwrap();
    let teacher: Actor = user_with_roles(&state, "teacher@example.com", &[Role::Instructor]).await;
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
        code: "BIG-1".into(),
        title: "Big files".into(),
        ..Default::default()
    };
    let course = lyceum::enrolments::service::create_course(&state, &teacher, &form)
        .await
        .unwrap();
    Setup {
        app: lyceum::http::router(state.clone()),
        state,
        teacher,
        token,
        course_id: course.id,
    }
}

/// A multipart body with one `file` field of `size` bytes, produced 1 MB at a time as it is read
/// (a fresh buffer per chunk, as a network read would give). The content starts like a PDF.
fn multipart(name: &str, size: usize, send_length: bool) -> (Body, Option<u64>) {
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    );
    let tail = format!("\r\n--{BOUNDARY}--\r\n");
    let length = (head.len() + size + tail.len()) as u64;
    let chunks = size.div_ceil(MB);
    let data = (0..chunks).map(move |i| {
        let len = MB.min(size - i * MB);
        let mut chunk = vec![b'.'; len];
        if i == 0 {
            chunk[..9].copy_from_slice(b"%PDF-1.7\n");
        }
        Ok::<_, std::io::Error>(Bytes::from(chunk))
    });
    let stream = std::iter::once(Ok(Bytes::from(head)))
        .chain(data)
        .chain(std::iter::once(Ok(Bytes::from(tail))));
    (
        Body::from_stream(futures_util::stream::iter(stream)),
        send_length.then_some(length),
    )
}

fn upload_request(s: &Setup, body: Body, length: Option<u64>) -> Request<Body> {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(format!("/courses/{}/files", s.course_id))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, format!("lyceum_session={}", s.token))
        .header(header::ORIGIN, "http://127.0.0.1:3000");
    if let Some(length) = length {
        req = req.header(header::CONTENT_LENGTH, length);
    }
    req.body(body).unwrap()
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, String) {
    let res = tokio::time::timeout(
        std::time::Duration::from_secs(600),
        app.clone().oneshot(req),
    )
    .await
    .expect("an answer within 10 minutes")
    .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The process's peak resident memory so far, in kB.
fn peak_memory_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmHWM line")
}

fn temp_files(state: &AppState) -> usize {
    std::fs::read_dir(state.config.files_dir().join("tmp"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_mb_upload_streams_to_disk_in_bounded_memory() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let s = setup(300 * MB as u64).await;
    let _cleanup = RemoveOnDrop(s.state.config.data_dir.clone());
    let size = 200 * MB;
    let (body, length) = multipart("lecture.pdf", size, true);
    let req = upload_request(&s, body, length);
    let before = peak_memory_kb();

    let (status, body) = send(&s.app, req).await;

    let after = peak_memory_kb();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let file: FileInfo = serde_json::from_str(&body).unwrap();
    assert_eq!(file.size_bytes, size as i64);
    assert_eq!(file.content_type, "application/pdf");
    assert_eq!(file.name, "lecture.pdf");
    let row = lyceum::files::records::find_file(&s.state.db, file.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.size_bytes, size as i64);
    let (_, path) = lyceum::files::service::authorize_download(&s.state, &s.teacher, file.id)
        .await
        .unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        size as u64,
        "the stored file has every byte"
    );
    assert_eq!(temp_files(&s.state), 0);
    let growth_kb = after.saturating_sub(before);
    eprintln!(
        "peak memory: {before} kB before, {after} kB after (+{growth_kb} kB) for a {} MB upload",
        size / MB
    );
    assert!(
        growth_kb < 64 * 1024,
        "peak memory grew by {growth_kb} kB while uploading {} MB",
        size / MB
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_over_the_limit_is_answered_with_a_json_error() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let s = setup(lyceum::testing::config().max_upload_bytes).await;
    let _cleanup = RemoveOnDrop(s.state.config.data_dir.clone());
    assert_eq!(s.state.config.max_upload_bytes, 5 * MB as u64);

    // With a declared length the handler refuses before writing anything; without one (a streamed
    // body) it stops writing at the limit. Both answer the same way.
    for send_length in [true, false] {
        let (body, length) = multipart("too-big.pdf", 6 * MB, send_length);

        let (status, body) = send(&s.app, upload_request(&s, body, length)).await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err: AppError =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("JSON error body ({e}): {body}"));
        let message = err.field("file").expect("an error on the file field");
        assert!(
            message.contains("larger than the 5 MB upload limit"),
            "{message}"
        );
    }
    assert!(
        lyceum::files::records::files(&s.state.db, s.course_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(temp_files(&s.state), 0);
}
