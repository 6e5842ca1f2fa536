//! The SQL backup and restore need: what a snapshot holds, whether a database holds people, the
//! consistent snapshots themselves (SQLite's `VACUUM INTO`, a PostgreSQL snapshot that `pg_dump`
//! joins), and clearing a PostgreSQL schema before a restore.

use crate::db::{Db, SqlitePools, Tx};
use crate::{with_db, with_tx};
use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode, SqlitePoolOptions};
use sqlx::{Connection, PgPool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// What a snapshot holds that a backup copies or checks besides the database itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Contents {
    /// The newest migration applied; `None` when no Lyceum migration ever ran.
    pub migration_version: Option<i64>,
    /// Every stored object a file record or a SCORM package's file points at, once (course
    /// copies share them), sorted.
    pub storage_keys: Vec<String>,
}

/// Reads `Contents` inside `tx`, so it matches the snapshot the transaction sees.
pub async fn contents(tx: &mut Tx) -> Result<Contents, sqlx::Error> {
    let migration_version: Option<i64> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE"
    )
    .fetch_one(c)
    .await?);
    let storage_keys: Vec<String> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT storage_key FROM files UNION SELECT storage_key FROM package_files \
         ORDER BY storage_key"
    )
    .fetch_all(c)
    .await?);
    Ok(Contents {
        migration_version,
        storage_keys,
    })
}

/// Whether Lyceum's tables are there at all (a restore target may be a brand-new database).
async fn has_users_table(db: &Db) -> Result<bool, sqlx::Error> {
    let sql = match db {
        Db::Sqlite(_) => {
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'users'"
        }
        Db::Postgres(_) => {
            "SELECT COUNT(*) > 0 FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = 'users'"
        }
    };
    Ok(with_db!(db, |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await?))
}

/// Whether the database holds anyone: a restore over it would lose them.
pub async fn holds_people(db: &Db) -> Result<bool, sqlx::Error> {
    if !has_users_table(db).await? {
        return Ok(false);
    }
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users)"
    )
    .fetch_one(p)
    .await?))
}

/// Writes a consistent copy of a live SQLite database to `to` (a new file). It runs on a
/// read-only connection, so it reads one WAL snapshot and never holds up the writer.
pub async fn sqlite_vacuum_into(db: &Db, to: &str) -> Result<(), sqlx::Error> {
    with_db!(db, |p| sqlx::query("VACUUM INTO $1")
        .bind(to)
        .execute(p)
        .await
        .map(|_| ())?);
    Ok(())
}

/// Reads a SQLite snapshot file's `Contents` without changing it (read-only, no WAL files).
pub async fn sqlite_file_contents(path: &Path) -> Result<Contents, sqlx::Error> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    let snapshot = Db::Sqlite(SqlitePools {
        read: pool.clone(),
        write: pool.clone(),
    });
    let result = async {
        let mut tx = Tx::Sqlite(pool.begin().await?);
        contents(&mut tx).await
    }
    .await;
    snapshot.close().await;
    result
}

/// Checks that no other process has the SQLite database open, by taking an exclusive lock: every
/// connection to a WAL database holds a shared lock on it while it is open, so this fails while a
/// server runs on it. Replacing the file under a running server would lose the restore.
pub async fn sqlite_not_in_use(database_url: &str) -> Result<(), sqlx::Error> {
    let options = SqliteConnectOptions::from_str(database_url)?
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(Duration::from_secs(2));
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
    let locked = async {
        let tx = conn.begin_with("BEGIN EXCLUSIVE").await?;
        tx.commit().await
    }
    .await;
    conn.close().await?;
    locked
}

/// Opens a transaction on one PostgreSQL snapshot and exports it, so `pg_dump --snapshot` dumps
/// exactly what this transaction reads. Keep the transaction open until `pg_dump` has finished.
pub async fn postgres_snapshot(pool: &PgPool) -> Result<(Tx, String), sqlx::Error> {
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut *tx)
        .await?;
    Ok((Tx::Postgres(tx), id))
}

/// Drops every table of the current schema, so that `pg_restore` meets nothing the backup does
/// not hold (tables a newer Lyceum made would otherwise stay, and migrating forward would then
/// fail on them). The caller has checked that the database may be replaced.
pub async fn postgres_drop_tables(db: &Db) -> Result<(), sqlx::Error> {
    let names: Vec<String> = with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT tablename::TEXT FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    .fetch_all(p)
    .await?
    });
    let mut tx = db.begin().await?;
    for name in names {
        // A name from the catalog, quoted as an identifier: no value of anyone's goes in here.
        let sql = format!(
            "DROP TABLE IF EXISTS \"{}\" CASCADE",
            name.replace('"', "\"\"")
        );
        with_tx!(&mut tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(c)
            .await
            .map(|_| ())?);
    }
    tx.commit().await
}
