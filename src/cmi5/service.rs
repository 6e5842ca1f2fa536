//! cmi5 course use cases: an instructor uploads a package (checked whole before anything is
//! kept); people who may open the item see its outline with their progress.

use super::model::{AuStatus, CourseInfo, Part};
use super::package::{self, Inspected, Refusal};
use super::store::{self, RecordRow};
use super::structure::{Course, Node};
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::outline_store;
use crate::db::{Tx, now};
use crate::error::{AppError, internal};
use crate::items::kind::ItemKind;
use crate::packages::files;
use crate::state::AppState;
use axum::body::Bytes;
use futures_util::Stream;
use std::collections::HashMap;
use std::path::Path;

/// The item's course, when it is a cmi5 item.
pub(super) async fn course_of(state: &AppState, item_id: i64) -> Result<i64, AppError> {
    let (course_id, item, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if item.kind != ItemKind::Cmi5 {
        return Err(AppError::NotFound);
    }
    Ok(course_id)
}

/// A package row's course structure, as its `cmi5.xml` gave it.
pub(super) fn structure_of(row: &store::PackageRow) -> Result<Course, AppError> {
    serde_json::from_str(&row.structure).map_err(|e| internal("reading a cmi5 course", e))
}

/// Checks that the actor may replace the item's package, before its body is read; answers the
/// item's course.
pub async fn authorize_upload(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<i64, AppError> {
    let course_id = course_of(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    Ok(course_id)
}

fn refused(refusal: impl Into<Refusal>) -> AppError {
    AppError::invalid("file", refusal.into().to_string())
}

/// Receives a package: streamed to a temporary file, checked, unpacked into storage and
/// recorded in one transaction that replaces the item's earlier one. A refused package
/// changes nothing.
pub async fn upload<S, E>(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    name: &str,
    mut chunks: S,
) -> Result<CourseInfo, AppError>
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
        move || crate::packages::zip::unpack(&zip, &entries, &dir)
    })
    .await?
    .map_err(refused)?;
    let stored = files::store(&state.files, &inspected.entries, unpacked).await?;
    match record(state, actor, item_id, name, &inspected, &stored).await {
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
        .map_err(|e| internal("unpacking a cmi5 package", e))
}

async fn record(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    name: &str,
    inspected: &Inspected,
    stored: &[files::StoredFile],
) -> Result<Vec<String>, AppError> {
    let structure = serde_json::to_string(&inspected.course)
        .map_err(|e| internal("writing a cmi5 course", e))?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let revision = store::next_revision(&mut tx, item_id).await?;
    let earlier = files::replace(&mut tx, item_id, revision, stored).await?;
    store::put(
        &mut tx,
        &store::NewPackage {
            item_id,
            revision,
            structure: &structure,
            file_name: &crate::files::sniff::safe_name(name),
            file_count: stored.len() as i64,
            total_bytes: inspected.total_bytes as i64,
            uploaded_by: actor.id,
            now,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "cmi5.upload",
            "item",
            Some(item_id),
            format!(
                "{} ({} AUs, {} files)",
                inspected.course.title,
                inspected.course.aus().len(),
                stored.len()
            ),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(earlier)
}

/// The item's course as its player and editor show it, with the asking learner's progress
/// (`None`: no package uploaded yet).
pub async fn find(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<Option<CourseInfo>, AppError> {
    let course_id = course_of(state, item_id).await?;
    let access = access::item_visible(&state.db, actor, course_id, item_id).await?;
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    let Some(row) = store::find(&state.db, item_id).await? else {
        return Ok(None);
    };
    let course = structure_of(&row)?;
    let records = match store::registration(&state.db, item_id, actor.id).await? {
        Some(registration) => store::records(&state.db, &registration).await?,
        None => Vec::new(),
    };
    let records: HashMap<String, RecordRow> =
        records.into_iter().map(|r| (r.au_id.clone(), r)).collect();
    let mut parts = Vec::new();
    let mut index = 0;
    outline(&course.children, 0, &records, &mut index, &mut parts);
    Ok(Some(CourseInfo {
        item_id,
        title: course.title.clone(),
        file_name: row.file_name,
        file_count: row.file_count,
        total_bytes: row.total_bytes,
        uploaded_at: row.uploaded_at,
        parts,
        records: access.is_learner(),
        satisfied: records.get(&course.id).is_some_and(|r| r.satisfied),
    }))
}

fn outline(
    nodes: &[Node],
    depth: u32,
    records: &HashMap<String, RecordRow>,
    index: &mut usize,
    out: &mut Vec<Part>,
) {
    for node in nodes {
        match node {
            Node::Block(block) => {
                out.push(Part {
                    title: block.title.clone(),
                    description: block.description.clone(),
                    depth,
                    au: None,
                });
                outline(&block.children, depth + 1, records, index, out);
            }
            Node::Au(au) => {
                let record = records.get(&au.id).cloned().unwrap_or_default();
                out.push(Part {
                    title: au.title.clone(),
                    description: au.description.clone(),
                    depth,
                    au: Some(AuStatus {
                        index: *index,
                        move_on: au.move_on.as_str().to_string(),
                        completed: record.completed,
                        passed: record.passed,
                        failed: record.failed,
                        waived: record.waived,
                        satisfied: record.satisfied,
                        score: record.score,
                        own_window: au.launch_method == super::structure::LaunchMethod::OwnWindow,
                    }),
                });
                *index += 1;
            }
        }
    }
}

/// The item's page in the course player, for someone who may open it (an AU's way back).
pub async fn player_address(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<String, AppError> {
    let course_id = course_of(state, item_id).await?;
    let access = access::item_visible(&state.db, actor, course_id, item_id).await?;
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    Ok(format!("/courses/{course_id}/learn/{item_id}"))
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

/// Hook `registry::reset_learner`: a new certification cycle is a new registration.
pub async fn reset_learner(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    store::archive_registration(tx, item_id, user_id, now).await
}
