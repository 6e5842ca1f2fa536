//! Database access for both backends: SQLite (embedded default) and PostgreSQL (scale-out).
//! Queries are written once in the SQL both dialects share and run through `with_db!` / `with_tx!`,
//! which expand the same expression for whichever pool is active. Every use case that writes more
//! than one row runs inside one `Tx`.

use sqlx::{
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
    migrate::Migrator,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use std::{str::FromStr, time::Duration};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$p` bound to the active pool.
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($p) => $body,
            $crate::db::Db::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// One migration and whether it has been applied.
#[derive(Debug)]
pub struct MigrationStatus {
    pub version: i64,
    pub description: String,
    pub applied: bool,
}

impl Db {
    /// Connects, creating the SQLite file (and its folder) when needed.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            if let Some(parent) = options.get_filename().parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
                }
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            let pool = PgPoolOptions::new()
                .max_connections(20)
                .acquire_timeout(Duration::from_secs(15))
                .connect(url)
                .await?;
            Ok(Db::Postgres(pool))
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        let migrator = self.migrator();
        with_db!(self, |p| migrator.run(p).await)
    }

    pub async fn migration_status(&self) -> Result<Vec<MigrationStatus>, sqlx::Error> {
        let table_exists: bool = with_db!(self, |p| {
            let sql = match self {
                Db::Sqlite(_) => {
                    "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = '_sqlx_migrations'"
                }
                Db::Postgres(_) => {
                    "SELECT COUNT(*) > 0 FROM information_schema.tables WHERE table_name = '_sqlx_migrations'"
                }
            };
            sqlx::query_scalar(sql).fetch_one(p).await?
        });
        let applied: Vec<i64> = if table_exists {
            with_db!(self, |p| sqlx::query_scalar(
                "SELECT version FROM _sqlx_migrations WHERE success = TRUE"
            )
            .fetch_all(p)
            .await?)
        } else {
            Vec::new()
        };
        Ok(self
            .migrator()
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| MigrationStatus {
                version: m.version,
                description: m.description.to_string(),
                applied: applied.contains(&m.version),
            })
            .collect())
    }

    /// Begins a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`,
    /// waiting up to the busy timeout): a transaction that read first and then wrote could not
    /// upgrade its lock once another connection had written since, and would fail at once.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// For `/readyz`: can we run a query?
    pub async fn ping(&self) -> bool {
        with_db!(self, |p| sqlx::query("SELECT 1").execute(p).await.is_ok())
    }

    pub async fn close(&self) {
        with_db!(self, |p| p.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// Seconds since the Unix epoch: how every timestamp is stored.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The number of rows before page `page` (counted from 1) of `per_page` rows. Page 0 is page
/// 1, and a page past any real one stays a large offset instead of overflowing.
pub fn page_offset(page: u32, per_page: u32) -> i64 {
    i64::from(page.max(1) - 1) * i64::from(per_page)
}

/// A `LIKE` pattern matching `search` anywhere (trimmed, lower-cased), with its wildcards escaped (use `ESCAPE '\\'`).
pub fn like_pattern(search: &str) -> String {
    let mut escaped = String::with_capacity(search.len() + 2);
    escaped.push('%');
    for ch in search.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    escaped.push('%');
    escaped
}
