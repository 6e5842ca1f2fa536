//! Course structure: sections, and where items sit (their order and section). What an item is
//! and does belongs to the item layer (`items`).

use super::access::{self, CourseAccess};
use super::model::*;

use super::outline_store;
use crate::auth::permissions::Actor;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;

/// The section's course, when the actor may edit it.
pub async fn editable_section(
    state: &AppState,
    actor: &Actor,
    section_id: i64,
) -> Result<i64, AppError> {
    let course_id = outline_store::section_course(&state.db, section_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    Ok(course_id)
}

/// The item, when the actor may edit its course.
pub async fn editable_item(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<(i64, Item), AppError> {
    let (course_id, item, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    Ok((course_id, item))
}

pub async fn add_section(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    title: &str,
) -> Result<i64, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let title = parse_line("title", "section title", title, 200)?;
    let mut tx = state.db.begin().await?;
    let id = outline_store::insert_section(&mut tx, course_id, &title, now()).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn rename_section(
    state: &AppState,
    actor: &Actor,
    section_id: i64,
    title: &str,
) -> Result<(), AppError> {
    editable_section(state, actor, section_id).await?;
    let title = parse_line("title", "section title", title, 200)?;
    outline_store::rename_section(&state.db, section_id, &title).await
}

/// Moves a section to `index` (0-based) among the course's sections.
pub async fn move_section(
    state: &AppState,
    actor: &Actor,
    section_id: i64,
    index: usize,
) -> Result<(), AppError> {
    let course_id = editable_section(state, actor, section_id).await?;
    let mut tx = state.db.begin().await?;
    let mut ids = outline_store::section_ids(&mut tx, course_id).await?;
    ids.retain(|&id| id != section_id);
    ids.insert(index.min(ids.len()), section_id);
    for (position, id) in ids.iter().enumerate() {
        outline_store::set_section_position(&mut tx, *id, position as i32).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Moves an item to `index` (0-based) in a section of the same course (drag and drop, or the
/// move up/down buttons).
pub async fn place_item(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    section_id: i64,
    index: usize,
) -> Result<(), AppError> {
    let (course_id, item) = editable_item(state, actor, item_id).await?;
    if outline_store::section_course(&state.db, section_id).await? != Some(course_id) {
        return Err(AppError::invalid(
            "section_id",
            "Choose a section of this course.",
        ));
    }
    let mut tx = state.db.begin().await?;
    if item.section_id != section_id {
        // Close the gap left behind.
        let mut old = outline_store::item_ids(&mut tx, item.section_id).await?;
        old.retain(|&id| id != item_id);
        for (position, id) in old.iter().enumerate() {
            outline_store::place_item(&mut tx, *id, item.section_id, position as i32).await?;
        }
    }
    let mut ids = outline_store::item_ids(&mut tx, section_id).await?;
    ids.retain(|&id| id != item_id);
    ids.insert(index.min(ids.len()), item_id);
    for (position, id) in ids.iter().enumerate() {
        outline_store::place_item(&mut tx, *id, section_id, position as i32).await?;
    }
    tx.commit().await?;
    Ok(())
}
