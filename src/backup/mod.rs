//! `lyceum backup` and `lyceum restore`: a consistent copy of the database and of the stored
//! files, taken while the server keeps serving, and putting one back.
//!
//! A backup is a folder: the database (`lyceum.sqlite3`, made by SQLite's `VACUUM INTO`, or
//! `lyceum.pgdump`, made by `pg_dump --format=custom` on one exported snapshot), every stored
//! object a file record of that snapshot points at under `files/` (the storage's own keys), and
//! `backup.json` (the `Manifest`), written last: a folder without it is an unfinished backup.
//!
//! Rules: a backup goes only into a new or empty folder; a restore only into a database that holds
//! no one, unless forced; a backup made by a newer Lyceum (a migration this binary does not know)
//! is refused, an older one is migrated forward after the restore. The database comes back first,
//! then the files, so a restore that stopped can be run again with `--force`.

mod database;
mod files;
pub mod store;

use crate::db::Db;
use crate::files::storage::Storage;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The manifest's name in a backup folder.
pub const MANIFEST: &str = "backup.json";
/// The manifest while it is written.
const MANIFEST_PART: &str = "backup.json.part";
/// The SQLite snapshot's name in a backup folder.
pub const SQLITE_FILE: &str = "lyceum.sqlite3";
/// The PostgreSQL dump's name in a backup folder.
pub const POSTGRES_FILE: &str = "lyceum.pgdump";
/// The folder of stored objects in a backup folder.
pub const FILES_DIR: &str = "files";
/// The manifest's own format; a restore refuses one it does not know.
const FORMAT: u32 = 1;

/// What `backup.json` says about a backup, so that a restore can check it first.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Manifest {
    pub format: u32,
    /// The version of the Lyceum that made it.
    pub lyceum_version: String,
    /// `sqlite` or `postgres`: a backup is restored into the same kind of database.
    pub backend: String,
    /// The newest migration applied in the snapshot.
    pub migration_version: i64,
    /// When the snapshot was taken, in seconds since the Unix epoch (UTC).
    pub created_at: i64,
    /// The stored objects copied into `files/`.
    pub file_count: u64,
    /// Objects the snapshot points at that storage no longer had (deleted after the snapshot, or
    /// lost before it); a restore leaves them out.
    #[serde(default)]
    pub missing_files: Vec<String>,
}

/// Why a backup or a restore did not happen or did not finish. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} is not empty: back up into a new or empty folder")]
    FolderNotEmpty(PathBuf),
    #[error(
        "the database already holds people: restore into a new database (or one no one has signed up to), or add --force to replace everything in it"
    )]
    DatabaseNotEmpty,
    #[error("the SQLite database is in use ({0}): stop every Lyceum server using it, then restore")]
    DatabaseInUse(String),
    /// The backup folder cannot be restored by this binary into this database.
    #[error("{0}")]
    Unusable(String),
    /// Something failed on the way; the message names the step and the cause.
    #[error("{0}")]
    Failed(String),
}

impl BackupError {
    fn io(what: impl std::fmt::Display, e: std::io::Error) -> BackupError {
        BackupError::Failed(format!("{what}: {e}"))
    }

    fn db(what: impl std::fmt::Display, e: sqlx::Error) -> BackupError {
        BackupError::Failed(format!("{what}: {e}"))
    }
}

/// Where the progress lines of long work go (the command line prints them on stderr).
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

/// Backs up `db` (whose URL is `database_url`: `pg_dump` connects by itself) and the objects in
/// `storage` into `to`, which must not exist or be empty. The server may keep serving meanwhile.
pub async fn backup(
    db: &Db,
    database_url: &str,
    storage: &Storage,
    to: &Path,
    progress: Progress<'_>,
) -> Result<Manifest, BackupError> {
    let created_folder = prepare_empty_folder(to)?;
    let result = write_backup(db, database_url, storage, to, progress).await;
    if result.is_err() {
        // Leave the folder as it was, so that the next try (a timer's) can use it.
        remove_partial_backup(to, created_folder);
    }
    result
}

async fn write_backup(
    db: &Db,
    database_url: &str,
    storage: &Storage,
    to: &Path,
    progress: Progress<'_>,
) -> Result<Manifest, BackupError> {
    let created_at = crate::db::now();
    progress("backing up the database");
    let contents = match db {
        Db::Sqlite(_) => database::sqlite_snapshot(db, &to.join(SQLITE_FILE)).await?,
        Db::Postgres(pool) => {
            database::postgres_dump(pool, database_url, &to.join(POSTGRES_FILE)).await?
        }
    };
    let migration_version = contents.migration_version.ok_or_else(|| {
        BackupError::Unusable(
            "the database has no Lyceum tables: is DATABASE_URL / --data-dir the right one?".into(),
        )
    })?;
    // Stored files are written once under a new random key and never changed, so copying them
    // after the snapshot gives exactly the bytes the snapshot's records describe. A file deleted
    // since the snapshot may be gone: it is listed as missing, not fatal.
    let missing = files::copy_out(
        storage,
        &contents.storage_keys,
        &to.join(FILES_DIR),
        progress,
    )
    .await?;
    let manifest = Manifest {
        format: FORMAT,
        lyceum_version: env!("CARGO_PKG_VERSION").to_string(),
        backend: db.backend().to_string(),
        migration_version,
        created_at,
        file_count: contents.storage_keys.len().saturating_sub(missing.len()) as u64,
        missing_files: missing,
    };
    write_manifest(to, &manifest)?;
    Ok(manifest)
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    pub manifest: Manifest,
    /// The migration the database was at after the restore, before migrating forward.
    pub restored_version: i64,
    /// The newest migration applied now.
    pub migrated_to: i64,
    /// Stored objects copied into storage (those storage already held are skipped).
    pub files_copied: u64,
}

/// Restores the backup in `from` into the database at `database_url` and into `storage`.
/// Refuses a database that holds people unless `force`. SQLite: no server may have the database
/// open (it is checked); PostgreSQL: stop every instance first (it cannot be checked).
pub async fn restore(
    database_url: &str,
    storage: &Storage,
    from: &Path,
    force: bool,
    progress: Progress<'_>,
) -> Result<Restored, BackupError> {
    let manifest = read_manifest(from)?;
    let db = open(database_url).await?;
    let checked = check_target(&db, &manifest, force).await;
    if let Err(e) = checked {
        db.close().await;
        return Err(e);
    }
    progress("restoring the database");
    match db {
        Db::Sqlite(_) => {
            db.close().await;
            database::sqlite_restore(database_url, &from.join(SQLITE_FILE)).await?;
        }
        Db::Postgres(_) => {
            let cleared = store::postgres_drop_tables(&db).await;
            db.close().await;
            cleared.map_err(|e| BackupError::db("clearing the database", e))?;
            database::postgres_restore(database_url, &from.join(POSTGRES_FILE)).await?;
        }
    }
    let db = open(database_url).await?;
    let result = finish_restore(&db, &manifest, storage, from, progress).await;
    db.close().await;
    result
}

/// The manifest's promises against this binary and this database.
async fn check_target(db: &Db, manifest: &Manifest, force: bool) -> Result<(), BackupError> {
    if manifest.backend != db.backend() {
        return Err(BackupError::Unusable(format!(
            "this is a {} backup and DATABASE_URL is a {} database: restore it into the same kind of database",
            manifest.backend,
            db.backend()
        )));
    }
    let known = latest_known_migration(db).await?;
    if manifest.migration_version > known {
        return Err(BackupError::Unusable(format!(
            "the backup was made by Lyceum {} (migration {}), newer than this one ({}, migration {known}): restore it with that version or a later one",
            manifest.lyceum_version,
            manifest.migration_version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    let holds_people = store::holds_people(db)
        .await
        .map_err(|e| BackupError::db("reading the database", e))?;
    if holds_people && !force {
        return Err(BackupError::DatabaseNotEmpty);
    }
    Ok(())
}

/// After the database is back: migrate forward, then put the files back.
async fn finish_restore(
    db: &Db,
    manifest: &Manifest,
    storage: &Storage,
    from: &Path,
    progress: Progress<'_>,
) -> Result<Restored, BackupError> {
    let restored_version = applied_version(db).await?;
    if restored_version < latest_known_migration(db).await? {
        progress("migrating the restored database forward");
    }
    db.migrate()
        .await
        .map_err(|e| BackupError::Failed(format!("migrating the restored database: {e}")))?;
    let migrated_to = applied_version(db).await?;
    let keys = database::contents(db).await?.storage_keys;
    let files_copied = files::copy_in(
        storage,
        &keys,
        &from.join(FILES_DIR),
        &manifest.missing_files,
        progress,
    )
    .await?;
    Ok(Restored {
        manifest: manifest.clone(),
        restored_version,
        migrated_to,
        files_copied,
    })
}

/// Opens the database to back up. A SQLite file must exist: opening creates one otherwise, and
/// an empty database would be backed up in place of the one the operator meant.
pub async fn open_existing(database_url: &str) -> Result<Db, BackupError> {
    if database_url.starts_with("sqlite:") {
        let path = database::sqlite_path(database_url)?;
        if !path.is_file() {
            return Err(BackupError::Unusable(format!(
                "there is no SQLite database at {}: set DATABASE_URL or --data-dir as the server has them",
                path.display()
            )));
        }
    }
    open(database_url).await
}

/// Opens the database with a small pool: the command line needs a connection or two.
async fn open(database_url: &str) -> Result<Db, BackupError> {
    let limits = crate::db::PoolLimits {
        max_connections: 2,
        ..crate::db::PoolLimits::shipped(database_url.starts_with("sqlite:"))
    };
    Db::connect_with(database_url, limits)
        .await
        .map_err(|e| BackupError::db("cannot open the database", e))
}

/// The newest migration this binary knows for the database's backend.
async fn latest_known_migration(db: &Db) -> Result<i64, BackupError> {
    Ok(db
        .migration_status()
        .await
        .map_err(|e| BackupError::db("reading the migrations", e))?
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0))
}

/// The newest migration applied to the database (0: none).
async fn applied_version(db: &Db) -> Result<i64, BackupError> {
    Ok(db
        .migration_status()
        .await
        .map_err(|e| BackupError::db("reading the migrations", e))?
        .iter()
        .filter(|m| m.applied)
        .map(|m| m.version)
        .max()
        .unwrap_or(0))
}

/// Creates `to`, or accepts it when it is an empty folder; says whether it created it.
fn prepare_empty_folder(to: &Path) -> Result<bool, BackupError> {
    match std::fs::read_dir(to) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(BackupError::FolderNotEmpty(to.to_path_buf()));
            }
            Ok(false)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(to)
            .map(|()| true)
            .map_err(|e| BackupError::io(format!("creating {}", to.display()), e)),
        Err(e) => Err(BackupError::io(format!("reading {}", to.display()), e)),
    }
}

/// Removes what a failed backup wrote: only the names a backup writes, in a folder that was
/// empty when it started.
fn remove_partial_backup(to: &Path, created_folder: bool) {
    let _ = std::fs::remove_dir_all(to.join(FILES_DIR));
    for name in [SQLITE_FILE, POSTGRES_FILE, MANIFEST_PART] {
        let _ = std::fs::remove_file(to.join(name));
    }
    if created_folder {
        let _ = std::fs::remove_dir(to);
    }
}

/// Writes the manifest through a temporary file, so that a half-written one is never read.
fn write_manifest(to: &Path, manifest: &Manifest) -> Result<(), BackupError> {
    let text = serde_json::to_string_pretty(manifest)
        .map_err(|e| BackupError::Failed(format!("writing the manifest: {e}")))?;
    let temp = to.join(MANIFEST_PART);
    let path = to.join(MANIFEST);
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)
    };
    write().map_err(|e| BackupError::io(format!("writing {}", path.display()), e))
}

/// Reads and checks the manifest of a backup folder.
pub fn read_manifest(from: &Path) -> Result<Manifest, BackupError> {
    let path = from.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BackupError::Unusable(format!(
                "{} has no {MANIFEST}: it is not a Lyceum backup, or the backup did not finish",
                from.display()
            )));
        }
        Err(e) => return Err(BackupError::io(format!("reading {}", path.display()), e)),
    };
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| BackupError::Unusable(format!("{} cannot be read: {e}", path.display())))?;
    if manifest.format != FORMAT {
        return Err(BackupError::Unusable(format!(
            "{} is in format {}, which this Lyceum does not know (it reads format {FORMAT})",
            path.display(),
            manifest.format
        )));
    }
    if !matches!(manifest.backend.as_str(), "sqlite" | "postgres") {
        return Err(BackupError::Unusable(format!(
            "{} names an unknown database '{}'",
            path.display(),
            manifest.backend
        )));
    }
    Ok(manifest)
}
