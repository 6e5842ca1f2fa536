//! Receiving a package, whatever its kind: the zip streamed to a temporary file, checked whole by
//! the kind (`Kind::inspect`, on the blocking pool), unpacked into storage and recorded with its
//! files in one transaction that replaces the item's earlier package. A refused package changes
//! nothing; a package that fails to record leaves nothing in storage.

use super::files::{self, StoredFile};
use super::zip::Entry;
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::outline_store;
use crate::db::{Tx, now};
use crate::error::{AppError, internal};
use crate::items::kind::ItemKind;
use crate::state::AppState;
use axum::body::Bytes;
use futures_util::Stream;
use std::future::Future;
use std::path::{Path, PathBuf};

/// What a kind's check found in a zip: what it keeps of its manifest, and the files to store
/// (paths from the package's root).
#[derive(Debug, Clone, PartialEq)]
pub struct Inspected<T> {
    pub content: T,
    pub entries: Vec<Entry>,
    pub total_bytes: u64,
}

/// An upload being recorded: what the kind writes to its own package row.
#[derive(Debug)]
pub struct Upload<'a, T> {
    pub actor: &'a Actor,
    pub item_id: i64,
    pub revision: i64,
    /// The uploaded file's name, safe to show.
    pub file_name: String,
    pub file_count: i64,
    pub total_bytes: i64,
    pub content: &'a T,
    pub now: i64,
}

/// A package kind (SCORM, cmi5): how it checks a zip, records it and shows it.
pub trait Kind: 'static {
    /// The item kind whose packages these are.
    const ITEM: ItemKind;
    /// What the kind keeps of a package's manifest.
    type Content: Send + Sync + 'static;
    /// The package as the editor and scripts are answered after an upload.
    type Info: serde::Serialize + Send;
    /// Checks a zip (blocking work): its content and files, or why it is refused, in words for
    /// the instructor who uploaded it.
    fn inspect(zip: &Path) -> Result<Inspected<Self::Content>, String>;
    /// The revision of the item's package row, if it has one (a package may keep no files: a
    /// cmi5 course whose AUs are all elsewhere).
    fn revision(
        tx: &mut Tx,
        item_id: i64,
    ) -> impl Future<Output = Result<Option<i64>, AppError>> + Send;
    /// Writes the kind's package row and its audit entry, in the upload's transaction.
    fn record(
        tx: &mut Tx,
        upload: &Upload<'_, Self::Content>,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
    /// The item's package as its editor shows it to `actor` (`None`: none uploaded yet).
    fn find(
        state: &AppState,
        actor: &Actor,
        item_id: i64,
    ) -> impl Future<Output = Result<Option<Self::Info>, AppError>> + Send;
}

/// The item's course, when it is an item of `kind`.
pub async fn course_of(state: &AppState, item_id: i64, kind: ItemKind) -> Result<i64, AppError> {
    let (course_id, item, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if item.kind != kind {
        return Err(AppError::NotFound);
    }
    Ok(course_id)
}

/// Checks that the actor may replace the item's package, before its body is read; answers the
/// item's course.
pub async fn authorize<K: Kind>(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<i64, AppError> {
    let course_id = course_of(state, item_id, K::ITEM).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    Ok(course_id)
}

/// Receives a package (see the module's comment) and answers it as the editor shows it.
pub async fn upload<K: Kind, S, E>(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    name: &str,
    mut chunks: S,
) -> Result<K::Info, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    authorize::<K>(state, actor, item_id).await?;
    let zip = state.files.temp_path().await?;
    let received =
        crate::files::service::write_temp(&zip, state.config.max_upload_bytes, &mut chunks).await;
    let unpacked = state.files.temp_path().await?;
    let result = match received {
        Ok(_) => keep::<K>(state, actor, item_id, name, &zip, &unpacked).await,
        Err(e) => Err(e),
    };
    let _ = tokio::fs::remove_file(&zip).await;
    let _ = tokio::fs::remove_dir_all(&unpacked).await;
    result?;
    K::find(state, actor, item_id)
        .await?
        .ok_or(AppError::NotFound)
}

fn refused(message: String) -> AppError {
    AppError::invalid("file", message)
}

async fn keep<K: Kind>(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    name: &str,
    zip: &Path,
    unpacked: &Path,
) -> Result<(), AppError> {
    let zip: PathBuf = zip.to_path_buf();
    let inspected = blocking({
        let zip = zip.clone();
        move || K::inspect(&zip)
    })
    .await?
    .map_err(refused)?;
    // A package may keep no files (a cmi5.xml alone, its AUs elsewhere): then there is no zip.
    if !inspected.entries.is_empty() {
        let entries = inspected.entries.clone();
        let dir = unpacked.to_path_buf();
        blocking(move || super::zip::unpack(&zip, &entries, &dir))
            .await?
            .map_err(|e| refused(e.to_string()))?;
    }
    let stored = files::store(&state.files, &inspected.entries, unpacked).await?;
    match record::<K>(state, actor, item_id, name, &inspected, &stored).await {
        Ok(earlier) => {
            files::delete_unused(state, &earlier, None).await;
            Ok(())
        }
        Err(e) => {
            for file in &stored {
                let _ = state.files.delete(&file.storage_key).await;
            }
            Err(e)
        }
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| internal("checking an uploaded package", e))
}

/// Records the package and its files; answers the storage keys of the files it replaced.
async fn record<K: Kind>(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    name: &str,
    inspected: &Inspected<K::Content>,
    stored: &[StoredFile],
) -> Result<Vec<String>, AppError> {
    let mut tx = state.db.begin().await?;
    // Past the package's and its files' revisions, so an address never names other files.
    let files_revision = files::last_revision(&mut tx, item_id).await?;
    let revision = files_revision
        .max(K::revision(&mut tx, item_id).await?)
        .unwrap_or(0)
        + 1;
    let earlier = files::replace(&mut tx, item_id, revision, stored).await?;
    let upload = Upload {
        actor,
        item_id,
        revision,
        file_name: crate::files::sniff::safe_name(name),
        file_count: stored.len() as i64,
        total_bytes: inspected.total_bytes as i64,
        content: &inspected.content,
        now: now(),
    };
    K::record(&mut tx, &upload).await?;
    tx.commit().await?;
    Ok(earlier)
}
