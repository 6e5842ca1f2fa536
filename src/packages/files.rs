//! A package's files: each unpacked file moved into storage under a key of its own, and a row of
//! `package_files` (item, revision, path) naming that key. A new upload is a new revision whose
//! rows replace the item's earlier ones; a course copy's item names the same keys, so a key
//! leaves storage only when no row names it any more.

use super::zip::Entry;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::files::storage::Storage;
use crate::state::AppState;
use crate::{with_db, with_tx};
use std::path::Path;

/// A package file in storage: its path in the package, its key and its size.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFile {
    pub path: String,
    pub storage_key: String,
    pub size: i64,
}

/// Moves each unpacked file (`zip::unpack` left entry `i` at `unpacked/{i}`) into storage under
/// a new key. If one fails, what was stored already is deleted and the error answered.
pub async fn store(
    storage: &Storage,
    entries: &[Entry],
    unpacked: &Path,
) -> Result<Vec<StoredFile>, AppError> {
    let mut stored: Vec<StoredFile> = Vec::with_capacity(entries.len());
    for entry in entries {
        let key = Storage::new_key();
        let temp = unpacked.join(entry.index.to_string());
        if let Err(e) = storage.commit(&temp, &key).await {
            for done in &stored {
                let _ = storage.delete(&done.storage_key).await;
            }
            return Err(e);
        }
        stored.push(StoredFile {
            path: entry.path.clone(),
            storage_key: key,
            size: entry.size as i64,
        });
    }
    Ok(stored)
}

/// The highest revision the item has files of, if any (a kind takes the next one for an upload,
/// so that an address is never reused for other files).
pub async fn last_revision(tx: &mut Tx, item_id: i64) -> Result<Option<i64>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT MAX(revision) FROM package_files WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_one(c)
    .await?))
}

/// The item's files become `files`, of `revision` (the rows of its earlier revisions are
/// deleted). Answers the earlier rows' storage keys, which the caller passes to
/// `delete_unused` once this has committed.
pub async fn replace(
    tx: &mut Tx,
    item_id: i64,
    revision: i64,
    files: &[StoredFile],
) -> Result<Vec<String>, AppError> {
    let earlier: Vec<String> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT storage_key FROM package_files WHERE item_id = $1 AND revision <> $2"
    )
    .bind(item_id)
    .bind(revision)
    .fetch_all(c)
    .await?);
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM package_files WHERE item_id = $1 AND revision <> $2"
    )
    .bind(item_id)
    .bind(revision)
    .execute(c)
    .await?
    .rows_affected());
    // 5 binds a row: 400 rows stay well under either database's limit on binds.
    for chunk in files.chunks(400) {
        with_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO package_files (item_id, revision, path, storage_key, size) ",
            );
            qb.push_values(chunk, |mut row, file| {
                row.push_bind(item_id)
                    .push_bind(revision)
                    .push_bind(&file.path)
                    .push_bind(&file.storage_key)
                    .push_bind(file.size);
            });
            qb.build().execute(c).await?.rows_affected()
        });
    }
    Ok(earlier)
}

/// Where a file of an item's package revision is stored: its key and size.
pub async fn file(
    db: &Db,
    item_id: i64,
    revision: i64,
    path: &str,
) -> Result<Option<(String, i64)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT storage_key, size FROM package_files \
         WHERE item_id = $1 AND revision = $2 AND path = $3"
    )
    .bind(item_id)
    .bind(revision)
    .bind(path)
    .fetch_optional(p)
    .await?))
}

/// Every storage key the item's rows name (before the item is purged).
pub async fn keys(db: &Db, item_id: i64) -> Result<Vec<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT storage_key FROM package_files WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_all(p)
    .await?))
}

/// A course copy's item (`to`) names the same stored files as its original (`from`).
pub async fn copy(tx: &mut Tx, from: i64, to: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO package_files (item_id, revision, path, storage_key, size) \
         SELECT $2, revision, path, storage_key, size FROM package_files \
         WHERE item_id = $1 ON CONFLICT DO NOTHING"
    )
    .bind(from)
    .bind(to)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// Of these keys, those no row names any more except `except_item`'s own (`None`: no row at
/// all).
async fn unused(
    db: &Db,
    keys: &[String],
    except_item: Option<i64>,
) -> Result<Vec<String>, AppError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(400) {
        let used: Vec<String> = with_db!(db, |p| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT DISTINCT storage_key FROM package_files WHERE item_id <> ",
            );
            qb.push_bind(except_item.unwrap_or(0));
            qb.push(" AND storage_key IN (");
            let mut list = qb.separated(", ");
            for key in chunk {
                list.push_bind(key);
            }
            qb.push(")");
            qb.build_query_scalar().fetch_all(p).await?
        });
        out.extend(chunk.iter().filter(|k| !used.contains(k)).cloned());
    }
    Ok(out)
}

/// Deletes from storage the keys no row names any more (but `except_item`'s own: the item being
/// purged). A failure only leaves litter in storage, so it is logged, not answered.
pub async fn delete_unused(state: &AppState, keys: &[String], except_item: Option<i64>) {
    match unused(&state.db, keys, except_item).await {
        Ok(unused) => {
            for key in unused {
                if let Err(e) = state.files.delete(&key).await {
                    tracing::warn!(error = %e, key, "could not delete a package's stored file");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not tell which package files are unused"),
    }
}
