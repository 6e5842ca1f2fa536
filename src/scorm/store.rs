//! SCORM package rows: the package as last uploaded and where its files are stored.

use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_tx};

/// A package row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PackageRow {
    pub item_id: i64,
    pub revision: i64,
    pub structure: String,
    pub file_name: String,
    pub file_count: i64,
    pub total_bytes: i64,
    pub uploaded_at: i64,
}

/// A stored file of a package.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFile {
    pub path: String,
    pub storage_key: String,
    pub size: i64,
}

pub async fn find(db: &Db, item_id: i64) -> Result<Option<PackageRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT item_id, revision, structure, file_name, file_count, total_bytes, uploaded_at \
         FROM scorm_packages WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_optional(p)
    .await?))
}

/// The next revision of an item's package (1 for its first).
pub async fn next_revision(tx: &mut Tx, item_id: i64) -> Result<i64, AppError> {
    let last: Option<i64> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT MAX(revision) FROM scorm_files WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_one(c)
    .await?);
    let kept: Option<i64> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT revision FROM scorm_packages WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_optional(c)
    .await?);
    Ok(last.max(kept).unwrap_or(0) + 1)
}

/// Records a package (replacing the item's earlier one) with its files; answers the storage
/// keys of the earlier package's files, which the caller deletes once this has committed.
#[allow(clippy::too_many_arguments)]
pub async fn replace(
    tx: &mut Tx,
    item_id: i64,
    revision: i64,
    version: &str,
    structure: &str,
    file_name: &str,
    files: &[StoredFile],
    total_bytes: i64,
    uploaded_by: i64,
    now: i64,
) -> Result<Vec<String>, AppError> {
    let earlier: Vec<String> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT storage_key FROM scorm_files WHERE item_id = $1 AND revision <> $2"
    )
    .bind(item_id)
    .bind(revision)
    .fetch_all(c)
    .await?);
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM scorm_files WHERE item_id = $1 AND revision <> $2"
    )
    .bind(item_id)
    .bind(revision)
    .execute(c)
    .await?
    .rows_affected());
    for chunk in files.chunks(400) {
        with_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO scorm_files (item_id, revision, path, storage_key, size) ",
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
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO scorm_packages (item_id, revision, version, structure, file_name, \
         file_count, total_bytes, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (item_id) DO UPDATE SET revision = excluded.revision, \
         version = excluded.version, structure = excluded.structure, \
         file_name = excluded.file_name, file_count = excluded.file_count, \
         total_bytes = excluded.total_bytes, uploaded_by = excluded.uploaded_by, \
         uploaded_at = excluded.uploaded_at"
    )
    .bind(item_id)
    .bind(revision)
    .bind(version)
    .bind(structure)
    .bind(file_name)
    .bind(files.len() as i64)
    .bind(total_bytes)
    .bind(uploaded_by)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(earlier)
}

/// Where a file of a package revision is stored.
pub async fn file(
    db: &Db,
    item_id: i64,
    revision: i64,
    path: &str,
) -> Result<Option<(String, i64)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT storage_key, size FROM scorm_files \
         WHERE item_id = $1 AND revision = $2 AND path = $3"
    )
    .bind(item_id)
    .bind(revision)
    .bind(path)
    .fetch_optional(p)
    .await?))
}

/// Every storage key of an item's packages (before the item is purged).
pub async fn keys(db: &Db, item_id: i64) -> Result<Vec<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT storage_key FROM scorm_files WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_all(p)
    .await?))
}

/// Of these keys, those no package row names any more except `item_id`'s own (`None`: none
/// at all), so they may be deleted from storage.
pub async fn unused(
    db: &Db,
    keys: &[String],
    except_item: Option<i64>,
) -> Result<Vec<String>, AppError> {
    let mut out = Vec::new();
    for chunk in keys.chunks(400) {
        let used: Vec<String> = with_db!(db, |p| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT DISTINCT storage_key FROM scorm_files WHERE item_id <> ",
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

/// A course copy's item shares the original's package and stored files.
pub async fn copy(tx: &mut Tx, from: i64, to: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO scorm_packages (item_id, revision, version, structure, file_name, \
         file_count, total_bytes, uploaded_by, uploaded_at) \
         SELECT $2, revision, version, structure, file_name, file_count, total_bytes, \
         uploaded_by, uploaded_at FROM scorm_packages WHERE item_id = $1 \
         ON CONFLICT (item_id) DO NOTHING"
    )
    .bind(from)
    .bind(to)
    .execute(c)
    .await?
    .rows_affected());
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO scorm_files (item_id, revision, path, storage_key, size) \
         SELECT $2, f.revision, f.path, f.storage_key, f.size FROM scorm_files f \
         JOIN scorm_packages p ON p.item_id = f.item_id AND p.revision = f.revision \
         WHERE f.item_id = $1 ON CONFLICT DO NOTHING"
    )
    .bind(from)
    .bind(to)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}
