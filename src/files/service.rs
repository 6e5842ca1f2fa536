//! File use cases: receive an upload into storage, authorize a download, delete.

use super::model::FileInfo;
use super::records::{self, FileRow};
use super::sniff;
use super::storage::{Storage, io_error};
use super::store as files_store;
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

/// How far past the limit we keep reading (and discarding) so the browser gets our answer instead
/// of a reset connection.
const DRAIN_LIMIT: u64 = 256 * 1024 * 1024;

pub fn too_large(limit: u64) -> AppError {
    AppError::invalid(
        "file",
        format!(
            "This file is larger than the {} MB upload limit. Choose a smaller file or ask an administrator to raise the limit.",
            limit / (1024 * 1024)
        ),
    )
}

/// Checks that the actor may add files to the course.
pub async fn authorize_upload(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<CourseAccess, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await
}

/// Receives a course file (staff uploads, seen by everyone who may open the course).
pub async fn receive<S, E>(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    name: &str,
    chunks: S,
) -> Result<FileInfo, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    authorize_upload(state, actor, course_id).await?;
    store_upload(state, actor, course_id, None, name, chunks).await
}

/// Streams `chunks` into storage (never holding more than one chunk and the sniffing sample in
/// memory), then records the file, private to one learner when `private_to` is given. The
/// caller has checked that the actor may add it. The content type comes from the bytes, the name
/// is cleaned.
pub async fn store_upload<S, E>(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    private_to: Option<i64>,
    name: &str,
    mut chunks: S,
) -> Result<FileInfo, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let limit = state.config.max_upload_bytes;
    let storage = &state.files;
    let temp = storage.temp_path().await?;
    let result = write_temp(&temp, limit, &mut chunks).await;
    let (size, sha, head) = match result {
        Ok(done) => done,
        Err(err) => {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(err);
        }
    };
    let name = sniff::safe_name(name);
    let Some(content_type) = sniff::content_type(&head, &name) else {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(AppError::invalid(
            "file",
            "This kind of file is not accepted. Upload PDF, image, video, audio, office documents, text or zip files.",
        ));
    };
    let name = sniff::name_for(&name, content_type);
    if size == 0 {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(AppError::invalid("file", "The file is empty."));
    }
    let key = Storage::new_key();
    storage.commit(&temp, &key).await.inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })?;
    let now = now();
    let record = records::NewFile {
        storage_key: &key,
        name: &name,
        content_type,
        size_bytes: size as i64,
        sha256: &sha,
    };
    let id = async {
        let mut tx = state.db.begin().await?;
        let id =
            records::insert_private_file(&mut tx, course_id, &record, private_to, actor.id, now)
                .await?;
        tx.commit().await?;
        Ok::<_, AppError>(id)
    }
    .await;
    let id = match id {
        Ok(id) => id,
        Err(e) => {
            let _ = storage.delete(&key).await;
            return Err(e);
        }
    };
    Ok(FileInfo {
        id,
        name,
        content_type: content_type.to_string(),
        size_bytes: size as i64,
        created_at: now,
    })
}

/// What a stored file is known by, gathered as its bytes pass: its size, SHA-256 and first bytes
/// (for sniffing its type).
#[derive(Default)]
pub struct Fingerprint {
    hasher: Sha256,
    head: Vec<u8>,
    size: u64,
}

impl Fingerprint {
    pub fn update(&mut self, chunk: &[u8]) {
        if self.head.len() < sniff::SNIFF_LEN {
            let take = (sniff::SNIFF_LEN - self.head.len()).min(chunk.len());
            self.head
                .extend_from_slice(chunk.get(..take).unwrap_or_default());
        }
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
    }

    /// Size, SHA-256 (hex) and first bytes.
    pub fn finish(self) -> (u64, String, Vec<u8>) {
        let sha: String = self
            .hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        (self.size, sha, self.head)
    }

    /// A file already on disk (blocking).
    pub fn of_file(path: &std::path::Path) -> std::io::Result<(u64, String, Vec<u8>)> {
        use std::io::Read;
        let mut file = std::fs::File::open(path)?;
        let mut print = Fingerprint::default();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                return Ok(print.finish());
            }
            print.update(buf.get(..n).unwrap_or_default());
        }
    }
}

/// Writes the stream to `temp` (refusing it past `limit`); returns size, SHA-256 and the first
/// bytes for sniffing.
pub async fn write_temp<S, E>(
    temp: &PathBuf,
    limit: u64,
    chunks: &mut S,
) -> Result<(u64, String, Vec<u8>), AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut file = tokio::fs::File::create(temp).await.map_err(io_error)?;
    let mut print = Fingerprint::default();
    let mut size: u64 = 0;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| {
            tracing::warn!(error = %e, "upload interrupted");
            AppError::invalid("file", "The upload was interrupted. Please try again.")
        })?;
        size += chunk.len() as u64;
        if size > limit {
            drop(file);
            // Read (and discard) the rest so the browser sees the message, up to a point.
            let mut drained = size;
            while let Some(Ok(rest)) = chunks.next().await {
                drained += rest.len() as u64;
                if drained > limit + DRAIN_LIMIT {
                    break;
                }
            }
            return Err(too_large(limit));
        }
        print.update(&chunk);
        file.write_all(&chunk).await.map_err(io_error)?;
    }
    file.flush().await.map_err(io_error)?;
    file.sync_all().await.map_err(io_error)?;
    Ok(print.finish())
}

/// The file's record, if the actor may see it. This is the one download rule, decided by what
/// the file belongs to:
/// - the course's staff see every file of the course;
/// - a learner's work and the feedback written for it (private files) are seen by that learner
///   while the assignment is visible, feedback only once its grades are released;
/// - other course files are seen by learners when something they are shown uses them (a visible
///   item, a question in their own attempt), and by anyone who may see the course when they are
///   on its page (cover, description);
/// - anything else does not exist for them (404), so hidden things cannot be found by counting.
pub async fn authorize_file(
    state: &AppState,
    actor: &Actor,
    file_id: i64,
) -> Result<FileRow, AppError> {
    let file = records::find_file(&state.db, file_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let access = access::load(&state.db, actor, file.course_id).await?;
    if access.may_see_learners() {
        return Ok(file);
    }
    if !access.may_see_course() {
        return Err(AppError::Forbidden);
    }
    let visible = match file.private_to {
        Some(owner) => {
            owner == actor.id
                && access.may_view_content()
                && files_store::private_uses(&state.db, file.id, actor.id)
                    .await?
                    .iter()
                    .any(|u| {
                        !u.item_hidden && (u.purpose == "work" || u.grades_hidden == Some(false))
                    })
        }
        None => {
            files_store::on_course_page(&state.db, file.id, file.course_id).await?
                || (access.may_view_content()
                    && files_store::shown_to_learner(
                        &state.db,
                        file.id,
                        file.course_id,
                        actor.id,
                        now(),
                    )
                    .await?)
        }
    };
    if visible {
        Ok(file)
    } else {
        Err(AppError::NotFound)
    }
}

/// `authorize_file` plus the file's path, for local storage only (an error when files are in S3).
pub async fn authorize_download(
    state: &AppState,
    actor: &Actor,
    file_id: i64,
) -> Result<(FileRow, PathBuf), AppError> {
    let file = authorize_file(state, actor, file_id).await?;
    let path = state.files.path(&file.storage_key)?;
    Ok((file, path))
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<Vec<FileInfo>, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    Ok(records::files(&state.db, course_id)
        .await?
        .iter()
        .map(FileRow::info)
        .collect())
}

/// Deletes a course file; items that used it lose it (they show "file missing" to staff). A
/// learner's work and its feedback are not course files: they go with their submission.
pub async fn delete(state: &AppState, actor: &Actor, file_id: i64) -> Result<(), AppError> {
    let file = records::find_file(&state.db, file_id)
        .await?
        .filter(|f| f.private_to.is_none())
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, file.course_id, CourseAccess::may_edit).await?;
    let mut tx = state.db.begin().await?;
    let orphan = records::delete_file(&mut tx, file_id).await?;
    crate::audit::record(
        &mut tx,
        actor,
        crate::audit::Entry::new("file.delete", "file", Some(file_id), &file.name),
        now(),
    )
    .await?;
    tx.commit().await?;
    if let Some(key) = orphan {
        state.files.delete(&key).await?;
    }
    Ok(())
}
