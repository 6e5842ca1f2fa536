//! cmi5 course use cases: an instructor uploads a package (received by `packages::upload`,
//! checked whole by `package::inspect` before anything is kept); people who may open the item
//! see its outline with their progress.

use super::model::{AuStatus, CourseInfo, Part};
use super::package;
use super::store::{self, RecordRow};
use super::structure::{Course, Node};
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access;
use crate::db::Tx;
use crate::error::{AppError, internal};
use crate::items::kind::ItemKind;
use crate::packages::files;
use crate::packages::upload::{self, Inspected, Upload};
use crate::state::AppState;
use std::collections::HashMap;
use std::path::Path;

/// The item's course, when it is a cmi5 item.
pub(super) async fn course_of(state: &AppState, item_id: i64) -> Result<i64, AppError> {
    upload::course_of(state, item_id, ItemKind::Cmi5).await
}

/// A package row's course structure, as its `cmi5.xml` gave it.
pub(super) fn structure_of(row: &store::PackageRow) -> Result<Course, AppError> {
    serde_json::from_str(&row.structure).map_err(|e| internal("reading a cmi5 course", e))
}

/// cmi5 packages as `packages::upload` receives them.
pub struct Cmi5Package;

impl upload::Kind for Cmi5Package {
    const ITEM: ItemKind = ItemKind::Cmi5;
    type Content = Course;
    type Info = CourseInfo;

    fn inspect(zip: &Path) -> Result<Inspected<Course>, String> {
        package::inspect(zip).map_err(|refusal| refusal.to_string())
    }

    async fn revision(tx: &mut Tx, item_id: i64) -> Result<Option<i64>, AppError> {
        store::revision(tx, item_id).await
    }

    async fn record(tx: &mut Tx, upload: &Upload<'_, Course>) -> Result<(), AppError> {
        let course = upload.content;
        let structure =
            serde_json::to_string(course).map_err(|e| internal("writing a cmi5 course", e))?;
        store::put(
            tx,
            &store::NewPackage {
                item_id: upload.item_id,
                revision: upload.revision,
                structure: &structure,
                file_name: &upload.file_name,
                file_count: upload.file_count,
                total_bytes: upload.total_bytes,
                uploaded_by: upload.actor.id,
                now: upload.now,
            },
        )
        .await?;
        let summary = format!(
            "{} ({} AUs, {} files)",
            course.title,
            course.aus().len(),
            upload.file_count
        );
        let entry = Entry::new("cmi5.upload", "item", Some(upload.item_id), summary);
        audit::record(tx, upload.actor, entry, upload.now).await
    }

    async fn find(
        state: &AppState,
        actor: &Actor,
        item_id: i64,
    ) -> Result<Option<CourseInfo>, AppError> {
        find(state, actor, item_id).await
    }
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
