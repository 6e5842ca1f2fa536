//! Database access for both backends: SQLite (embedded default) and PostgreSQL (scale-out).
//! Queries are written once in the SQL both dialects share and run through `with_db!` (reads),
//! `with_db_write!` (a single statement that writes) and `with_tx!` (inside a `Tx`), which expand
//! the same expression for whichever pool is active. Every use case that writes more than one row
//! runs inside one `Tx`.
//!
//! SQLite allows one writer at a time. Rather than letting many connections race for the write
//! lock (each loser sleeping in SQLite's busy handler, so that under load writes wait seconds and
//! time out), SQLite gets two pools: read-only connections for reads, and exactly one connection
//! for writes and transactions, so writers queue in order in the process and each waits only for
//! the ones before it. PostgreSQL has one pool for both.

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
    Sqlite(SqlitePools),
    Postgres(PgPool),
}

/// SQLite's two pools: read-only connections, and the one connection that writes.
#[derive(Clone, Debug)]
pub struct SqlitePools {
    pub read: SqlitePool,
    pub write: SqlitePool,
}

/// How many connections a pool keeps and how long a request waits for one before it is told the
/// service is busy (503), rather than hanging.
#[derive(Clone, Copy, Debug)]
pub struct PoolLimits {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl PoolLimits {
    /// What `lyceum serve` uses: for SQLite the read pool (the write pool is always one).
    pub fn shipped(sqlite: bool) -> PoolLimits {
        PoolLimits {
            max_connections: if sqlite { 8 } else { 20 },
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` (reads only) with `$p` bound to the active pool (SQLite: a read-only connection).
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(pools) => {
                let $p = &pools.read;
                $body
            }
            $crate::db::Db::Postgres($p) => $body,
        }
    };
}

/// Runs `$body`, one statement that writes, with `$p` bound to the pool that writes (SQLite: the
/// single writer connection). More than one statement belongs in a `Tx`.
#[macro_export]
macro_rules! with_db_write {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(pools) => {
                let $p = &pools.write;
                $body
            }
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
    /// Connects with the pool sizes `lyceum serve` uses, creating the SQLite file (and its folder)
    /// when needed.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        Db::connect_with(url, PoolLimits::shipped(url.starts_with("sqlite:"))).await
    }

    pub async fn connect_with(url: &str, limits: PoolLimits) -> Result<Db, sqlx::Error> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                // Only the writer waits on SQLite's lock, and only for a checkpoint or another
                // process (the CLI): in-process writers queue for the connection instead.
                .busy_timeout(Duration::from_secs(5));
            if let Some(parent) = options.get_filename().parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
            }
            // The writer first: it creates the file and switches it to WAL.
            // Kept open for good: while it is, read-only connections always find the WAL files.
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(limits.acquire_timeout)
                .connect_with(options.clone())
                .await?;
            let read = SqlitePoolOptions::new()
                .max_connections(limits.max_connections)
                .acquire_timeout(limits.acquire_timeout)
                .connect_with(options.read_only(true))
                .await?;
            Ok(Db::Sqlite(SqlitePools { read, write }))
        } else {
            let pool = PgPoolOptions::new()
                .max_connections(limits.max_connections)
                .acquire_timeout(limits.acquire_timeout)
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
        with_db_write!(self, |p| migrator.run(p).await)
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
            Db::Sqlite(pools) => Tx::Sqlite(pools.write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// For `/readyz`: can we run a query?
    pub async fn ping(&self) -> bool {
        with_db!(self, |p| sqlx::query("SELECT 1").execute(p).await.is_ok())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pools) => {
                pools.read.close().await;
                pools.write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
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
        + CLOCK_OFFSET.load(std::sync::atomic::Ordering::Relaxed)
}

/// Seconds the clock runs ahead of the real one: always 0, except on a server started with
/// `LYCEUM_TEST_CLOCK` whose end-to-end tests move it (`http::test_clock`).
static CLOCK_OFFSET: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

pub fn set_clock_offset(seconds: i64) {
    CLOCK_OFFSET.store(seconds, std::sync::atomic::Ordering::Relaxed);
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
