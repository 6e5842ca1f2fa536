//! Test support: a fresh database per test on SQLite (a temp file) and PostgreSQL (a new database at
//! `LYCEUM_TEST_POSTGRES_URL`), and `db_test!`, which runs one test body on both.
// Fixtures for tests only: a fixture that cannot be built must stop the test at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::auth::permissions::Actor;
use crate::config::Config;
use crate::db::{Db, PoolLimits};
use crate::state::AppState;
use crate::users::model::{Role, UserForm};

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn unique_name() -> String {
    format!(
        "lyceum_test_{}_{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

pub async fn sqlite() -> Db {
    sqlite_with(PoolLimits::shipped(true)).await
}

/// A new, migrated SQLite database whose pools have these limits.
pub async fn sqlite_with(limits: PoolLimits) -> Db {
    let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
    let db = Db::connect_with(&format!("sqlite://{}", path.display()), limits)
        .await
        .expect("open a temporary SQLite database");
    db.migrate().await.expect("migrate SQLite");
    db
}

/// A new, migrated PostgreSQL database; `None` only when `LYCEUM_TEST_SKIP_POSTGRES=1` (make test-sqlite).
pub async fn postgres() -> Option<Db> {
    postgres_with(PoolLimits::shipped(false)).await
}

/// `postgres()` with these pool limits.
pub async fn postgres_with(limits: PoolLimits) -> Option<Db> {
    if std::env::var("LYCEUM_TEST_SKIP_POSTGRES").as_deref() == Ok("1") {
        eprintln!("skipping the PostgreSQL run of this test (LYCEUM_TEST_SKIP_POSTGRES=1)");
        return None;
    }
    let admin_url =
        std::env::var("LYCEUM_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.into());
    let admin = Db::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is not reachable at {admin_url} ({e}). Start it, set LYCEUM_TEST_POSTGRES_URL, or run `make test-sqlite`.")
    });
    let name = unique_name();
    let Db::Postgres(pool) = &admin else {
        panic!("LYCEUM_TEST_POSTGRES_URL must be a postgres:// URL")
    };
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(pool)
        .await
        .expect("create a test database");
    admin.close().await;
    let mut url = url::Url::parse(&admin_url).expect("a valid PostgreSQL URL");
    url.set_path(&format!("/{name}"));
    let db = Db::connect_with(url.as_str(), limits)
        .await
        .expect("connect to the test database");
    db.migrate().await.expect("migrate PostgreSQL");
    Some(db)
}

pub fn config() -> Config {
    Config {
        addr: "127.0.0.1:0".parse().expect("address"),
        base_url: url::Url::parse("http://127.0.0.1:3000").expect("url"),
        database_url: String::new(),
        data_dir: std::env::temp_dir().join(unique_name()),
        smtp_url: None,
        smtp_from: "Lyceum <no-reply@localhost>".into(),
        trust_proxy: false,
        max_body_bytes: 10 * 1024 * 1024,
        max_upload_bytes: 5 * 1024 * 1024,
        storage_url: None,
        db_connections: None,
        test_clock: false,
        secret_key: None,
    }
}

pub fn state(db: Db) -> AppState {
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("lyceum")
        .build();
    AppState::new(options, db, config()).expect("the test configuration is valid")
}

pub const PASSWORD: &str = "a long test passphrase";

/// Creates a user with these roles directly (no permission check) and returns them as an actor.
pub async fn user_with_roles(state: &AppState, email: &str, roles: &[Role]) -> Actor {
    let system = Actor {
        id: 0,
        name: "System".into(),
        email: "system".into(),
        roles: vec![Role::Administrator],
    };
    let form = UserForm {
        email: email.into(),
        name: format!("Test {}", email.split('@').next().unwrap_or("user")),
        roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
        password: PASSWORD.into(),
    };
    let user = crate::users::service::create(state, &system, &form)
        .await
        .expect("create a test user");
    Actor {
        id: user.id,
        name: user.name,
        email: user.email,
        roles: user.roles,
    }
}

/// Runs the body once on SQLite and once on PostgreSQL, as `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$state:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $state = $crate::testing::state($crate::testing::sqlite().await);
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::testing::postgres().await else {
                    return;
                };
                let $state = $crate::testing::state(db);
                $body
            }
        }
    };
}
