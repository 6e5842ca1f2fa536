//! SCORM package use cases: an instructor uploads a package (checked whole before anything is
//! kept), people who may open the item get its structure; its files are kept and served by
//! `packages`.

use super::manifest::Refusal;
use super::model::{PackageInfo, Structure};
use super::package::{self, Inspected};
use super::store;
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::outline_store;
use crate::db::{Tx, now};
use crate::error::{AppError, internal};
use crate::items::kind::ItemKind;
use crate::packages;
use crate::packages::files::{self, StoredFile};
use crate::state::AppState;
use axum::body::Bytes;
use futures_util::Stream;
use std::path::Path;

/// The item's course, when it is a SCORM package item.
pub(super) async fn course_of(state: &AppState, item_id: i64) -> Result<i64, AppError> {
    let (course_id, item, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if item.kind != ItemKind::Scorm {
        return Err(AppError::NotFound);
    }
    Ok(course_id)
}

/// A package row's structure, as its manifest gave it.
pub(super) fn structure_of(row: &store::PackageRow) -> Result<Structure, AppError> {
    serde_json::from_str(&row.structure).map_err(|e| internal("reading a package's structure", e))
}

/// Checks that the actor may replace the item's package, before its body is read; answers
/// the item's course.
pub async fn authorize_upload(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<i64, AppError> {
    let course_id = course_of(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    Ok(course_id)
}

fn refused(refusal: Refusal) -> AppError {
    AppError::invalid("file", refusal.to_string())
}

/// Receives a package: streamed to a temporary file, checked (names, size, manifest, launch
/// files), unpacked into storage and recorded in one transaction that replaces the item's
/// earlier package. A refused package changes nothing.
pub async fn upload<S, E>(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    name: &str,
    mut chunks: S,
) -> Result<PackageInfo, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    authorize_upload(state, actor, item_id).await?;
    let zip = state.files.temp_path().await?;
    let received =
        crate::files::service::write_temp(&zip, state.config.max_upload_bytes, &mut chunks).await;
    let unpacked = state.files.temp_path().await?;
    let result = match received {
        Ok(_) => keep(state, actor, item_id, name, &zip, &unpacked).await,
        Err(e) => Err(e),
    };
    let _ = tokio::fs::remove_file(&zip).await;
    let _ = tokio::fs::remove_dir_all(&unpacked).await;
    result?;
    find(state, actor, item_id).await?.ok_or(AppError::NotFound)
}

async fn keep(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    name: &str,
    zip: &Path,
    unpacked: &Path,
) -> Result<(), AppError> {
    let inspected = blocking({
        let zip = zip.to_path_buf();
        move || package::inspect(&zip)
    })
    .await?
    .map_err(refused)?;
    blocking({
        let (zip, dir, entries) = (
            zip.to_path_buf(),
            unpacked.to_path_buf(),
            inspected.entries.clone(),
        );
        move || packages::zip::unpack(&zip, &entries, &dir)
    })
    .await?
    .map_err(|e| refused(e.into()))?;
    let stored = files::store(&state.files, &inspected.entries, unpacked).await?;
    let keys: Vec<String> = stored.iter().map(|f| f.storage_key.clone()).collect();
    let recorded = record(state, actor, item_id, name, &inspected, &stored).await;
    match recorded {
        Ok(earlier) => {
            files::delete_unused(state, &earlier, None).await;
            Ok(())
        }
        Err(e) => {
            for key in &keys {
                let _ = state.files.delete(key).await;
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
        .map_err(|e| internal("unpacking a SCORM package", e))
}

async fn record(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    name: &str,
    inspected: &Inspected,
    stored: &[StoredFile],
) -> Result<Vec<String>, AppError> {
    let structure = serde_json::to_string(&inspected.structure)
        .map_err(|e| internal("writing a package's structure", e))?;
    let now = now();
    let mut tx = state.db.begin().await?;
    // Past both the package row and any files, so an address is never reused.
    let last = files::last_revision(&mut tx, item_id).await?;
    let revision = last
        .max(store::revision(&mut tx, item_id).await?)
        .unwrap_or(0)
        + 1;
    let earlier = files::replace(&mut tx, item_id, revision, stored).await?;
    store::replace(
        &mut tx,
        item_id,
        revision,
        &inspected.structure.version.as_stored(),
        &structure,
        &crate::files::sniff::safe_name(name),
        stored.len() as i64,
        inspected.total_bytes as i64,
        actor.id,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "scorm.upload",
            "item",
            Some(item_id),
            format!(
                "{} ({}, {} files)",
                inspected.structure.title,
                inspected.structure.version.label(),
                stored.len()
            ),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(earlier)
}

/// The item's package as its player and editor show it (`None`: none uploaded yet).
pub async fn find(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<Option<PackageInfo>, AppError> {
    let course_id = course_of(state, item_id).await?;
    let access = access::item_visible(&state.db, actor, course_id, item_id).await?;
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    let Some(row) = store::find(&state.db, item_id).await? else {
        return Ok(None);
    };
    let structure = structure_of(&row)?;
    Ok(Some(PackageInfo {
        item_id,
        structure,
        file_count: row.file_count,
        total_bytes: row.total_bytes,
        file_name: row.file_name,
        uploaded_at: row.uploaded_at,
        base_url: packages::base_url(item_id, row.revision),
    }))
}

/// Hook `registry::copied`: the copy plays the same package (sharing its stored files).
pub async fn copy(tx: &mut Tx, from: i64, to: i64) -> Result<(), AppError> {
    store::copy(tx, from, to).await?;
    files::copy(tx, from, to).await
}

/// Hook `registry::purging`: the item's stored files that no copy shares.
pub async fn purging(state: &AppState, item_id: i64) -> Result<(), AppError> {
    let keys = files::keys(&state.db, item_id).await?;
    files::delete_unused(state, &keys, Some(item_id)).await;
    Ok(())
}
