//! SCORM package rows: the package as last uploaded (its manifest's structure, its zip's name
//! and size). Its files are rows of `package_files` (`packages::files`).

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

pub async fn find(db: &Db, item_id: i64) -> Result<Option<PackageRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT item_id, revision, structure, file_name, file_count, total_bytes, uploaded_at \
         FROM scorm_packages WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_optional(p)
    .await?))
}

/// The revision of the item's package row, if it has one.
pub async fn revision(tx: &mut Tx, item_id: i64) -> Result<Option<i64>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT revision FROM scorm_packages WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_optional(c)
    .await?))
}

/// Records a package, replacing the item's earlier one (its files are `packages::files`').
#[allow(clippy::too_many_arguments)]
pub async fn replace(
    tx: &mut Tx,
    item_id: i64,
    revision: i64,
    version: &str,
    structure: &str,
    file_name: &str,
    file_count: i64,
    total_bytes: i64,
    uploaded_by: i64,
    now: i64,
) -> Result<(), AppError> {
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
    .bind(file_count)
    .bind(total_bytes)
    .bind(uploaded_by)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// A course copy's item has the original's package row (its files: `packages::files::copy`).
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
    Ok(())
}
