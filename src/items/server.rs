//! Server functions for course items of every kind: add, load for editing, save, delete (to the
//! recycle bin), restore, and copying a course with its items. Each: who is asking, one service
//! call, the status.

use crate::courses::model::{Course, ItemDetail, ItemForm};
use crate::error::AppError;
use crate::overrides::model::{OverrideForm, OverrideList};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "items/add")]
pub async fn add_item(section_id: i64, form: ItemForm) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::add_item(&state, &actor, section_id, &form).await)
}

#[server(endpoint = "items/item")]
pub async fn item_for_editing(item_id: i64) -> Result<ItemDetail, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::item_for_editing(&state, &actor, item_id).await)
}

#[server(endpoint = "items/update")]
pub async fn update_item(item_id: i64, form: ItemForm) -> Result<ItemDetail, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::update_item(&state, &actor, item_id, &form).await)
}

/// Moves an item to the recycle bin; returns its title (for "Deleted … Undo").
#[server(endpoint = "items/delete")]
pub async fn delete_item(item_id: i64) -> Result<String, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::delete_item(&state, &actor, item_id).await)
}

/// Takes an item out of the recycle bin; returns its title.
#[server(endpoint = "items/restore")]
pub async fn restore_item(item_id: i64) -> Result<String, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::restore_item(&state, &actor, item_id).await)
}

#[server(endpoint = "courses/delete_section")]
pub async fn delete_section(section_id: i64) -> Result<u64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::delete_section(&state, &actor, section_id).await)
}

#[server(endpoint = "courses/copy")]
pub async fn copy_course(id: i64, code: String, title: String) -> Result<Course, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::copy::copy_course(&state, &actor, id, &code, &title).await)
}

#[server(endpoint = "items/overrides")]
pub async fn load_overrides(item_id: i64, page: u32) -> Result<OverrideList, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::overrides::list(&state, &actor, item_id, page).await)
}

#[server(endpoint = "items/set_override")]
pub async fn set_override(item_id: i64, form: OverrideForm) -> Result<usize, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::overrides::set(&state, &actor, item_id, &form).await)
}

#[server(endpoint = "items/remove_override")]
pub async fn remove_override(item_id: i64, user_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::overrides::remove(&state, &actor, item_id, user_id).await)
}
