//! Server functions for courses, structure, content, categories. Each: who is asking, one service
//! call, the status.

use super::model::*;
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "courses/catalogue")]
pub async fn catalogue(query: CatalogueQuery) -> Result<Page<CourseCard>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::catalogue(&state, &actor, &query).await)
}

#[server(endpoint = "courses/teaching")]
pub async fn teaching(query: CatalogueQuery) -> Result<Page<CourseCard>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::teaching(&state, &actor, &query).await)
}

#[server(endpoint = "courses/categories")]
pub async fn list_categories() -> Result<Vec<CategoryOption>, AppError> {
    let (state, _actor, _) = signed_in()?;
    respond(super::service::categories(&state).await)
}

#[server(endpoint = "courses/save_category")]
pub async fn save_category(
    id: Option<i64>,
    name: String,
    parent_id: String,
) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::save_category(&state, &actor, id, &name, &parent_id).await)
}

#[server(endpoint = "courses/delete_category")]
pub async fn delete_category(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::delete_category(&state, &actor, id).await)
}

#[server(endpoint = "courses/editor")]
pub async fn load_course_editor(id: i64) -> Result<CourseEditor, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::editor(&state, &actor, id).await)
}

#[server(endpoint = "courses/update")]
pub async fn update_course(id: i64, form: CourseForm) -> Result<Course, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::update(&state, &actor, id, &form).await)
}

#[server(endpoint = "courses/set_state")]
pub async fn set_course_state(id: i64, state: String) -> Result<Course, AppError> {
    let (app, actor, _) = signed_in()?;
    let result = match CourseState::parse(&state) {
        Some(s) => super::service::set_state(&app, &actor, id, s).await,
        None => Err(AppError::invalid("state", "Unknown course state.")),
    };
    respond(result)
}

#[server(endpoint = "courses/prerequisites")]
pub async fn set_prerequisites(id: i64, codes: String) -> Result<Vec<CourseCard>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::set_prerequisites(&state, &actor, id, &codes).await)
}

#[server(endpoint = "courses/cover")]
pub async fn set_cover(id: i64, file_id: Option<i64>) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::set_cover(&state, &actor, id, file_id).await)
}

#[server(endpoint = "courses/reviews_due")]
pub async fn reviews_due() -> Result<Vec<ReviewDue>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::reviews_due(&state, &actor).await)
}

#[server(endpoint = "courses/add_section")]
pub async fn add_section(course_id: i64, title: String) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::structure::add_section(&state, &actor, course_id, &title).await)
}

#[server(endpoint = "courses/rename_section")]
pub async fn rename_section(section_id: i64, title: String) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::structure::rename_section(&state, &actor, section_id, &title).await)
}

#[server(endpoint = "courses/move_section")]
pub async fn move_section(section_id: i64, index: u32) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::structure::move_section(&state, &actor, section_id, index as usize).await)
}

#[server(endpoint = "courses/place_item")]
pub async fn place_item(item_id: i64, section_id: i64, index: u32) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::structure::place_item(&state, &actor, item_id, section_id, index as usize).await)
}
