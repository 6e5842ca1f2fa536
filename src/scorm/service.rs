//! SCORM package use cases: an instructor uploads a package (received by `packages::upload`,
//! checked whole by `package::inspect` before anything is kept), people who may open the item
//! get its structure; its files are kept and served by `packages`.

use super::model::{PackageInfo, Structure};
use super::package;
use super::store;
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access;
use crate::db::Tx;
use crate::error::{AppError, internal};
use crate::items::kind::ItemKind;
use crate::packages;
use crate::packages::files;
use crate::packages::upload::{self, Inspected, Upload};
use crate::state::AppState;
use std::path::Path;

/// The item's course, when it is a SCORM package item.
pub(super) async fn course_of(state: &AppState, item_id: i64) -> Result<i64, AppError> {
    upload::course_of(state, item_id, ItemKind::Scorm).await
}

/// A package row's structure, as its manifest gave it.
pub(super) fn structure_of(row: &store::PackageRow) -> Result<Structure, AppError> {
    serde_json::from_str(&row.structure).map_err(|e| internal("reading a package's structure", e))
}

/// SCORM packages as `packages::upload` receives them.
pub struct ScormPackage;

impl upload::Kind for ScormPackage {
    const ITEM: ItemKind = ItemKind::Scorm;
    type Content = Structure;
    type Info = PackageInfo;

    fn inspect(zip: &Path) -> Result<Inspected<Structure>, String> {
        package::inspect(zip).map_err(|refusal| refusal.to_string())
    }

    async fn revision(tx: &mut Tx, item_id: i64) -> Result<Option<i64>, AppError> {
        store::revision(tx, item_id).await
    }

    async fn record(tx: &mut Tx, upload: &Upload<'_, Structure>) -> Result<(), AppError> {
        let structure = upload.content;
        let json = serde_json::to_string(structure)
            .map_err(|e| internal("writing a package's structure", e))?;
        store::replace(
            tx,
            &store::NewPackage {
                item_id: upload.item_id,
                revision: upload.revision,
                version: &structure.version.as_stored(),
                structure: &json,
                file_name: &upload.file_name,
                file_count: upload.file_count,
                total_bytes: upload.total_bytes,
                uploaded_by: upload.actor.id,
                now: upload.now,
            },
        )
        .await?;
        let summary = format!(
            "{} ({}, {} files)",
            structure.title,
            structure.version.label(),
            upload.file_count
        );
        let entry = Entry::new("scorm.upload", "item", Some(upload.item_id), summary);
        audit::record(tx, upload.actor, entry, upload.now).await
    }

    async fn find(
        state: &AppState,
        actor: &Actor,
        item_id: i64,
    ) -> Result<Option<PackageInfo>, AppError> {
        find(state, actor, item_id).await
    }
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
