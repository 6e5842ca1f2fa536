//! Overload is a clear answer: when no database connection comes in time, a request gets 503 with
//! Retry-After (never "signed out", never "Internal"), and the log has one line with its cause and
//! request id. On SQLite and PostgreSQL, with pools of one connection that the test holds.

// Test code: a failure should stop the test loudly, in its helpers as in the tests themselves
// (clippy.toml allows these inside #[test] functions only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use axum::body::Body;
use http::{Request, StatusCode, header};
use lyceum::auth::throttle::Client;
use lyceum::db::{Db, PoolLimits};
use lyceum::error::AppError;
use lyceum::state::AppState;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::Role;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod support;
use support::send;

/// Log lines written while the test runs (this thread's subscriber).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

const TINY: PoolLimits = PoolLimits {
    max_connections: 1,
    acquire_timeout: Duration::from_millis(300),
};

fn state_for(db: Db) -> AppState {
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("lyceum")
        .build();
    AppState::new(options, db, lyceum::testing::config()).unwrap()
}

async fn a_full_pool_is_a_503_with_its_cause_logged(db: Db) {
    let state = state_for(db);
    user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
    let session = lyceum::auth::service::sign_in(
        &state,
        "ada@example.com",
        PASSWORD,
        &Client::at("127.0.0.1"),
    )
    .await
    .unwrap()
    .session()
    .unwrap();
    let app = lyceum::http::router(state.clone());
    let log = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // Every connection busy (for SQLite, the read pool: the session lookup reads).
    let holder = match &state.db {
        Db::Sqlite(pools) => Holder::Sqlite(pools.read.acquire().await.unwrap()),
        Db::Postgres(pool) => Holder::Postgres(pool.acquire().await.unwrap()),
    };

    let page = Request::builder()
        .uri("/")
        .header(header::COOKIE, format!("lyceum_session={session}"))
        .body(Body::empty())
        .unwrap();
    let reply = send(&app, page).await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    assert!(!reply.body.contains("sign in"), "{}", reply.body);

    let call = support::server_fn("learning/mine", "", Some(&session));
    let reply = send(&app, call).await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    let err: AppError = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(err, AppError::Unavailable);

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("WARN") || l.contains("ERROR"))
        .collect();
    // One line per request, each with the request id and the cause.
    assert_eq!(lines.len(), 2, "{text}");
    for line in lines {
        assert!(line.contains("request_id="), "{line}");
        assert!(line.contains("pool timed out"), "{line}");
    }

    // Once the connection is free again, the same session is still signed in.
    drop(holder);
    let call = support::server_fn("learning/mine", "", Some(&session));
    assert_eq!(send(&app, call).await.status, StatusCode::OK);
}

#[allow(dead_code)]
enum Holder {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

#[tokio::test]
async fn sqlite_a_full_pool_is_a_503_with_its_cause_logged() {
    a_full_pool_is_a_503_with_its_cause_logged(lyceum::testing::sqlite_with(TINY).await).await;
}

#[tokio::test]
async fn postgres_a_full_pool_is_a_503_with_its_cause_logged() {
    let Some(db) = lyceum::testing::postgres_with(TINY).await else {
        return;
    };
    a_full_pool_is_a_503_with_its_cause_logged(db).await;
}
