//! SQL for file records (both databases): what was stored, under which key, in which course and
//! for whom. Below the course core, since courses, items and kinds all name files.

use super::model::FileInfo;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_tx};

#[derive(sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub course_id: i64,
    pub storage_key: String,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: i64,
    /// A learner's submitted work or their feedback: only they and the course's staff see it.
    pub private_to: Option<i64>,
}

impl FileRow {
    pub fn info(&self) -> FileInfo {
        FileInfo {
            id: self.id,
            name: self.name.clone(),
            content_type: self.content_type.clone(),
            size_bytes: self.size_bytes,
            created_at: self.created_at,
        }
    }
}

const FILE_COLUMNS: &str =
    "id, course_id, storage_key, name, content_type, size_bytes, sha256, created_at, private_to";

pub async fn find_file(db: &Db, id: i64) -> Result<Option<FileRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {FILE_COLUMNS} FROM files WHERE id = $1")
    ))
    .bind(id)
    .fetch_optional(p)
    .await?))
}

pub async fn files(db: &Db, course_id: i64) -> Result<Vec<FileRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {FILE_COLUMNS} FROM files WHERE course_id = $1 AND private_to IS NULL ORDER BY id DESC LIMIT 500")
    ))
    .bind(course_id)
    .fetch_all(p)
    .await?
    }))
}

/// Every file of a course that is not someone's own (submitted work, feedback): what an export
/// of the course carries.
pub async fn shared_files(db: &Db, course_id: i64) -> Result<Vec<FileRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {FILE_COLUMNS} FROM files WHERE course_id = $1 AND private_to IS NULL ORDER BY id"
        )))
        .bind(course_id)
        .fetch_all(p)
        .await?
    }))
}

/// Deletes a file record; returns its storage key when no other record shares the blob.
pub async fn delete_file(tx: &mut Tx, id: i64) -> Result<Option<String>, AppError> {
    let key: Option<String> = with_tx!(tx, |c| sqlx::query_scalar(
        "DELETE FROM files WHERE id = $1 RETURNING storage_key"
    )
    .bind(id)
    .fetch_optional(c)
    .await?);
    let Some(key) = key else { return Ok(None) };
    let others: i64 = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM files WHERE storage_key = $1"
    )
    .bind(&key)
    .fetch_one(c)
    .await?);
    Ok((others == 0).then_some(key))
}

/// A file record to add: what was stored, under which key.
pub struct NewFile<'a> {
    pub storage_key: &'a str,
    pub name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
}

impl FileRow {
    /// The same blob, to record in another course (course copies share stored files).
    pub fn as_new(&self) -> NewFile<'_> {
        NewFile {
            storage_key: &self.storage_key,
            name: &self.name,
            content_type: &self.content_type,
            size_bytes: self.size_bytes,
            sha256: &self.sha256,
        }
    }
}

pub async fn insert_file(
    tx: &mut Tx,
    course_id: i64,
    f: &NewFile<'_>,
    uploaded_by: i64,
    now: i64,
) -> Result<i64, AppError> {
    insert_private_file(tx, course_id, f, None, uploaded_by, now).await
}

/// `insert_file` for a file only `private_to` (and the course's staff) may see, when given.
pub async fn insert_private_file(
    tx: &mut Tx,
    course_id: i64,
    f: &NewFile<'_>,
    private_to: Option<i64>,
    uploaded_by: i64,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO files (course_id, storage_key, name, content_type, size_bytes, sha256, uploaded_by, created_at, private_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    )
    .bind(course_id)
    .bind(f.storage_key)
    .bind(f.name)
    .bind(f.content_type)
    .bind(f.size_bytes)
    .bind(f.sha256)
    .bind(uploaded_by)
    .bind(now)
    .bind(private_to)
    .fetch_one(c)
    .await?
    }))
}
