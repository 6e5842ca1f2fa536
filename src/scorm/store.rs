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

pub async fn revision(tx: &mut Tx, item_id: i64) -> Result<Option<i64>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT revision FROM scorm_packages WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_optional(c)
    .await?))
}

/// What an upload records of a package.
#[derive(Debug)]
pub struct NewPackage<'a> {
    pub item_id: i64,
    pub revision: i64,
    pub version: &'a str,
    pub structure: &'a str,
    pub file_name: &'a str,
    pub file_count: i64,
    pub total_bytes: i64,
    pub uploaded_by: i64,
    pub now: i64,
}

/// Records a package, replacing the item's earlier one (its files are `packages::files`').
pub async fn replace(tx: &mut Tx, p: &NewPackage<'_>) -> Result<(), AppError> {
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
    .bind(p.item_id)
    .bind(p.revision)
    .bind(p.version)
    .bind(p.structure)
    .bind(p.file_name)
    .bind(p.file_count)
    .bind(p.total_bytes)
    .bind(p.uploaded_by)
    .bind(p.now)
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
