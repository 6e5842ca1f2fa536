//! The database half of a backup: SQLite's snapshot file, PostgreSQL's `pg_dump` and
//! `pg_restore`, and putting a SQLite snapshot in place.

use super::BackupError;
use super::store::{self, Contents};
use crate::db::Db;
use sqlx::PgPool;
use sqlx::sqlite::SqliteConnectOptions;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What to install when the PostgreSQL client tools are missing.
const INSTALL_CLIENT: &str = "install the PostgreSQL client tools, of the server's major version or newer (Debian and Ubuntu: apt-get install postgresql-client), and make sure they are on PATH";

/// `VACUUM INTO` a new file, then reads what the snapshot holds from that file itself, so that
/// the file list is the snapshot's own.
pub(super) async fn sqlite_snapshot(db: &Db, to: &Path) -> Result<Contents, BackupError> {
    let path = to.to_str().ok_or_else(|| {
        BackupError::Unusable(format!(
            "{}: the backup folder's path must be valid UTF-8",
            to.display()
        ))
    })?;
    store::sqlite_vacuum_into(db, path)
        .await
        .map_err(|e| BackupError::db("copying the SQLite database", e))?;
    store::sqlite_file_contents(to)
        .await
        .map_err(|e| BackupError::db("reading the SQLite snapshot", e))
}

/// Exports one snapshot, reads what it holds, and has `pg_dump` dump that very snapshot while
/// the transaction that exported it stays open.
pub(super) async fn postgres_dump(
    pool: &PgPool,
    database_url: &str,
    to: &Path,
) -> Result<Contents, BackupError> {
    let (mut tx, snapshot) = store::postgres_snapshot(pool)
        .await
        .map_err(|e| BackupError::db("starting a snapshot of the database", e))?;
    let contents = store::contents(&mut tx)
        .await
        .map_err(|e| BackupError::db("reading the database", e))?;
    let mut file_arg = std::ffi::OsString::from("--file=");
    file_arg.push(to);
    run_tool(
        "pg_dump",
        &[
            "--format=custom".into(),
            format!("--snapshot={snapshot}").into(),
            file_arg,
        ],
        database_url,
    )
    .await?;
    // Read only: ending it changes nothing.
    drop(tx);
    Ok(contents)
}

/// Restores a `pg_dump` file into the (cleared) database. One transaction: a failure leaves the
/// database as it was before `pg_restore` started.
pub(super) async fn postgres_restore(database_url: &str, dump: &Path) -> Result<(), BackupError> {
    if !dump.is_file() {
        return Err(BackupError::Unusable(format!(
            "{} is missing from the backup",
            dump.display()
        )));
    }
    run_tool(
        "pg_restore",
        &[
            "--clean".into(),
            "--if-exists".into(),
            "--no-owner".into(),
            // Grants name roles of the old server, which the new one may not have.
            "--no-acl".into(),
            "--single-transaction".into(),
            "--exit-on-error".into(),
            dump.into(),
        ],
        database_url,
    )
    .await
}

/// Runs a PostgreSQL client tool against `database_url`. The password goes in `PGPASSWORD`,
/// not on the command line, where anyone on the machine could read it.
async fn run_tool(
    tool: &str,
    args: &[std::ffi::OsString],
    database_url: &str,
) -> Result<(), BackupError> {
    let mut url = url::Url::parse(database_url)
        .map_err(|e| BackupError::Unusable(format!("DATABASE_URL is not a URL: {e}")))?;
    let password = url
        .password()
        .map(|p| {
            percent_decode(p).ok_or_else(|| {
                BackupError::Unusable("DATABASE_URL: the password is not valid UTF-8".into())
            })
        })
        .transpose()?;
    // Cannot fail for a postgres:// URL with a host, which Db::connect has already accepted.
    let _ = url.set_password(None);
    let mut command = tokio::process::Command::new(tool);
    command
        .args(args)
        .arg("--no-password")
        .arg(format!("--dbname={url}"))
        .stdin(std::process::Stdio::null());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = match command.output().await {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BackupError::Failed(format!(
                "{tool} was not found: {INSTALL_CLIENT}"
            )));
        }
        Err(e) => return Err(BackupError::io(format!("running {tool}"), e)),
    };
    if !output.status.success() {
        return Err(BackupError::Failed(format!(
            "{tool} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

/// Decodes a URL's percent-encoded user info (`%40` is `@`; unlike a form, `+` stays `+`).
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(value) = hex {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Puts a SQLite snapshot in place of the database file at `database_url`, with the server
/// stopped (checked: the database must not be open anywhere). The snapshot is copied beside the
/// target first and then renamed over it, so the target is never half written.
pub(super) async fn sqlite_restore(database_url: &str, snapshot: &Path) -> Result<(), BackupError> {
    if !snapshot.is_file() {
        return Err(BackupError::Unusable(format!(
            "{} is missing from the backup",
            snapshot.display()
        )));
    }
    let target = sqlite_path(database_url)?;
    store::sqlite_not_in_use(database_url)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if is_busy(d.code().as_deref()) => {
                BackupError::DatabaseInUse(target.display().to_string())
            }
            _ => BackupError::db("checking that no server uses the database", e),
        })?;
    let mut part = target.clone().into_os_string();
    part.push(".restoring");
    let part = PathBuf::from(part);
    let copy = || -> std::io::Result<()> {
        std::fs::copy(snapshot, &part)?;
        std::fs::File::open(&part)?.sync_all()?;
        std::fs::rename(&part, &target)?;
        // The old database's write-ahead log and index would be read as the new one's.
        for suffix in ["-wal", "-shm"] {
            let mut side = target.clone().into_os_string();
            side.push(suffix);
            match std::fs::remove_file(PathBuf::from(side)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    };
    copy().map_err(|e| BackupError::io(format!("putting the snapshot at {}", target.display()), e))
}

/// SQLite's "busy" and "locked" result codes, extended codes included.
fn is_busy(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|c| matches!(c & 0xff, 5 | 6))
}

/// The file a `sqlite:` URL names.
pub(super) fn sqlite_path(database_url: &str) -> Result<PathBuf, BackupError> {
    let options = SqliteConnectOptions::from_str(database_url)
        .map_err(|e| BackupError::db("DATABASE_URL", e))?;
    let path = options.get_filename();
    if path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:") {
        return Err(BackupError::Unusable(
            "DATABASE_URL names an in-memory SQLite database: restore into a file".into(),
        ));
    }
    Ok(path.to_path_buf())
}

/// What the database holds now (after a restore), read in one transaction.
pub(super) async fn contents(db: &Db) -> Result<Contents, BackupError> {
    let read = async {
        let mut tx = db.begin().await?;
        let contents = store::contents(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(contents)
    };
    read.await
        .map_err(|e| BackupError::db("reading the restored database", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_password_is_decoded_for_pgpassword() {
        assert_eq!(
            percent_decode("s3cr%40t%2Fx+y").as_deref(),
            Some("s3cr@t/x+y")
        );
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(percent_decode("%e2%82%ac").as_deref(), Some("\u{20ac}"));
        assert_eq!(percent_decode("%ff"), None);
    }

    #[test]
    fn busy_and_locked_are_told_apart_from_other_errors() {
        assert!(is_busy(Some("5")));
        assert!(is_busy(Some("517")));
        assert!(is_busy(Some("6")));
        assert!(!is_busy(Some("14")));
        assert!(!is_busy(None));
    }
}
