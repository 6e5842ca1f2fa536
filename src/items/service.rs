//! The lifecycle of a course item, the same for every kind: create, save, delete (to the recycle
//! bin), restore, purge, load. The item row is the courses area's; what a kind adds (its own
//! tables, a revision, its files) is plugged in through `registry`.

use super::registry;
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::{DeletedItem, ItemDetail, ItemFields, ItemForm};
use crate::courses::outline_store;
use crate::courses::{content, structure};
use crate::db::now;
use crate::error::AppError;
use crate::files::records;
use crate::state::AppState;

/// Checks the form: what every item needs, what its kind needs, and that a chosen file is one of
/// the course's own and of a type the kind takes.
async fn parse(state: &AppState, course_id: i64, form: &ItemForm) -> Result<ItemFields, AppError> {
    let fields = form.parse(registry::check_content)?;
    if let Some(file_id) = fields.file_id {
        let file = records::find_file(&state.db, file_id).await?;
        let Some(file) = file.filter(|f| f.course_id == course_id && f.private_to.is_none()) else {
            return Err(AppError::invalid(
                "file_id",
                "Choose a file uploaded to this course.",
            ));
        };
        if let Some(field) = fields.kind.shape().file
            && !field.accepts(&file.content_type)
        {
            return Err(AppError::invalid("file_id", field.wrong_type));
        }
    }
    Ok(fields)
}

pub async fn add_item(
    state: &AppState,
    actor: &Actor,
    section_id: i64,
    form: &ItemForm,
) -> Result<i64, AppError> {
    let course_id = structure::editable_section(state, actor, section_id).await?;
    let fields = parse(state, course_id, form).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let id = outline_store::insert_item(&mut tx, course_id, section_id, &fields, now).await?;
    registry::saved(&mut tx, actor, course_id, id, &fields, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// An import (a cartridge) adds items in two steps inside its one transaction, because texts
/// may link to items made after them: `insert_imported` makes the row (and answers the problem
/// of a field the kind refuses, adding nothing then), `finish_imported` saves the final form
/// and hands the kind what the import brought for it. The caller has checked that the actor
/// may edit the course and that the section is the course's.
pub async fn insert_imported(
    tx: &mut crate::db::Tx,
    course_id: i64,
    section_id: i64,
    form: &ItemForm,
    now: i64,
) -> Result<i64, AppError> {
    let fields = form.parse(registry::check_content)?;
    outline_store::insert_item(tx, course_id, section_id, &fields, now).await
}

pub async fn finish_imported(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    course_id: i64,
    item_id: i64,
    form: &ItemForm,
    content: &registry::Imported,
    now: i64,
) -> Result<(), AppError> {
    let fields = form.parse(registry::check_content)?;
    outline_store::update_item(tx, item_id, &fields, now).await?;
    registry::saved(tx, actor, course_id, item_id, &fields, now).await?;
    registry::imported(tx, actor, course_id, item_id, &fields, content, now).await
}

/// Saves an item; its kind stays what it was created as.
pub async fn update_item(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    form: &ItemForm,
) -> Result<ItemDetail, AppError> {
    let (course_id, item) = structure::editable_item(state, actor, item_id).await?;
    let form = ItemForm {
        kind: item.kind.as_str().to_string(),
        ..form.clone()
    };
    let fields = parse(state, course_id, &form).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    outline_store::update_item(&mut tx, item_id, &fields, now).await?;
    registry::saved(&mut tx, actor, course_id, item_id, &fields, now).await?;
    tx.commit().await?;
    detail(state, item_id).await
}

/// Moves an item to the course's recycle bin. It disappears for everyone at once (player,
/// outline, progress, gradebook, lists) but nothing of it is removed: its kind's rows, the
/// learners' work, attempts and grades stay, so `restore_item` brings it back as it was. It is
/// purged for good `DeletedItem::KEPT_SECS` after (`purge_deleted`), and only then does its kind
/// remove what is not in the database (`registry::purging`). Returns the item's title (for the
/// page's "Deleted … Undo").
pub async fn delete_item(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<String, AppError> {
    let (course_id, item) = structure::editable_item(state, actor, item_id).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    if !outline_store::bin_item(&mut tx, item_id, actor.id, now).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new("item.delete", "course", Some(course_id), &item.title),
        now,
    )
    .await?;
    tx.commit().await?;
    // Totals and course completion no longer count it.
    crate::grading::service::course_items_changed(state, course_id).await?;
    Ok(item.title)
}

/// Deletes a section: its items go to the recycle bin (as `delete_item` puts one there) and the
/// section is hidden; restoring any of them brings it back. Returns how many items went.
pub async fn delete_section(
    state: &AppState,
    actor: &Actor,
    section_id: i64,
) -> Result<u64, AppError> {
    let course_id = structure::editable_section(state, actor, section_id).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let binned = outline_store::bin_section(&mut tx, section_id, actor.id, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "section.delete",
            "course",
            Some(course_id),
            format!("section {section_id}, {binned} items to the recycle bin"),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    crate::grading::service::course_items_changed(state, course_id).await?;
    Ok(binned)
}

/// Takes an item out of the recycle bin (the course's editors only), back where it was, with
/// everything it had: learners' progress, work, attempts and grades count again.
pub async fn restore_item(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<String, AppError> {
    // Who may comes first, so that nobody else learns what is in the bin.
    let course_id = outline_store::item_course(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let (_, item) = outline_store::find_deleted_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = now();
    let mut tx = state.db.begin().await?;
    if !outline_store::unbin_item(&mut tx, item_id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new("item.restore", "course", Some(course_id), &item.title),
        now,
    )
    .await?;
    tx.commit().await?;
    crate::grading::service::course_items_changed(state, course_id).await?;
    Ok(item.title)
}

/// Purges the items deleted before `before` for good: the kind removes what is not in the
/// database (`registry::purging`: an assignment's learner files), then the row goes with
/// everything of it (its kind's rows, progress, grades) by cascade. Returns how many.
pub async fn purge_deleted(state: &AppState, before: i64) -> Result<usize, AppError> {
    let system = Actor {
        id: 0,
        name: "System".into(),
        email: "system".into(),
        roles: Vec::new(),
    };
    let mut purged = 0;
    loop {
        let batch = outline_store::binned_before(&state.db, before, 100).await?;
        if batch.is_empty() {
            // A deleted section goes once its last item has.
            outline_store::purge_empty_sections(&state.db, before).await?;
            return Ok(purged);
        }
        for (course_id, item) in batch {
            registry::purging(state, item.kind, item.id).await?;
            let mut tx = state.db.begin().await?;
            audit::record(
                &mut tx,
                &system,
                Entry::new("item.purge", "course", Some(course_id), &item.title),
                now(),
            )
            .await?;
            tx.commit().await?;
            outline_store::delete_item(&state.db, item.id).await?;
            purged += 1;
        }
    }
}

/// Starts a learner's course afresh for a new certification cycle: every item kind archives its
/// part (quiz attempts, a confirmation, handed-in work back to a draft), then progress and the
/// course's completion are cleared, in one transaction. Run as a job
/// (`completion::model::RESET_LEARNER`), queued by compliance when a renewal window opens.
pub async fn reset_learner(state: &AppState, payload: &str, now: i64) -> Result<(), AppError> {
    let asked: crate::completion::model::ResetLearner = serde_json::from_str(payload)
        .map_err(|e| crate::error::internal("reading a reset job", e))?;
    let mut tx = state.db.begin().await?;
    for (item_id, kind) in outline_store::item_kinds(&mut tx, asked.course_id).await? {
        registry::reset_learner(&mut tx, kind, item_id, asked.user_id, now).await?;
    }
    crate::completion::store::reset(&mut tx, asked.course_id, asked.user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Purges the recycle bins once an hour: items deleted `DeletedItem::KEPT_SECS` ago go for good.
pub async fn run_purge(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match purge_deleted(&state, now() - DeletedItem::KEPT_SECS).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "purged deleted course items"),
            Err(e) => tracing::warn!(error = %e, "purging deleted course items failed"),
        }
    }
}

/// An item with its content rendered, for whoever has already been authorized.
pub async fn detail(state: &AppState, item_id: i64) -> Result<ItemDetail, AppError> {
    let (_, item, body, url, file_id) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let file = match file_id {
        Some(id) => records::find_file(&state.db, id).await?.map(|f| f.info()),
        None => None,
    };
    let html = if item.kind.has_text() {
        content::render_markdown(&body)
    } else {
        String::new()
    };
    let embed_url = registry::embed_url(item.kind, url.as_deref());
    Ok(ItemDetail {
        item,
        body,
        html,
        url,
        embed_url,
        file,
    })
}

/// The item for the editor (staff only).
pub async fn item_for_editing(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<ItemDetail, AppError> {
    let (course_id, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    detail(state, item_id).await
}
