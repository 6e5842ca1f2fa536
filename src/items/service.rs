//! The lifecycle of a course item, the same for every kind: create, save, delete, load. The
//! item row is the courses area's; what a kind adds (its own tables, a revision, its files) is
//! plugged in through `registry`.

use super::registry;
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::{ItemDetail, ItemFields, ItemForm};
use crate::courses::{content, store, structure};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;

/// Checks the form: what every item needs, what its kind needs, and that a chosen file is one of
/// the course's own and of a type the kind takes.
async fn parse(state: &AppState, course_id: i64, form: &ItemForm) -> Result<ItemFields, AppError> {
    let fields = form.parse(registry::check_content)?;
    if let Some(file_id) = fields.file_id {
        let file = store::find_file(&state.db, file_id).await?;
        let Some(file) = file.filter(|f| f.course_id == course_id && f.private_to.is_none()) else {
            return Err(AppError::invalid(
                "file_id",
                "Choose a file uploaded to this course.",
            ));
        };
        if let Some(field) = fields.kind.shape().file {
            if !field.accepts(&file.content_type) {
                return Err(AppError::invalid("file_id", field.wrong_type));
            }
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
    let id = store::insert_item(&mut tx, course_id, section_id, &fields, now).await?;
    registry::saved(&mut tx, actor, course_id, id, &fields, now).await?;
    tx.commit().await?;
    Ok(id)
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
    store::update_item(&mut tx, item_id, &fields, now).await?;
    registry::saved(&mut tx, actor, course_id, item_id, &fields, now).await?;
    tx.commit().await?;
    detail(state, item_id).await
}

pub async fn delete_item(state: &AppState, actor: &Actor, item_id: i64) -> Result<(), AppError> {
    let (course_id, item) = structure::editable_item(state, actor, item_id).await?;
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("item.delete", "course", Some(course_id), &item.title),
        now(),
    )
    .await?;
    tx.commit().await?;
    registry::deleting(state, item.kind, item_id).await?;
    store::delete_item(&state.db, item_id).await
}

/// An item with its content rendered, for whoever has already been authorized.
pub async fn detail(state: &AppState, item_id: i64) -> Result<ItemDetail, AppError> {
    let (_, item, body, url, file_id) = store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let file = match file_id {
        Some(id) => store::find_file(&state.db, id).await?.map(|f| f.info()),
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
    let (course_id, ..) = store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    detail(state, item_id).await
}
