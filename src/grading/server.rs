//! Server functions for the gradebook. Each: who is asking, one service call, the status.

use super::model::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "grades/table")]
pub async fn load_grader_table(
    course_id: i64,
    page: u32,
    col_page: u32,
) -> Result<GraderTable, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::grader_table(&state, &actor, course_id, page, col_page).await)
}

#[server(endpoint = "grades/save_cell", input = Json)]
pub async fn save_grade_cell(
    grade_item_id: i64,
    user_id: i64,
    edit: CellEdit,
) -> Result<SavedCell, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::set_cell(&state, &actor, grade_item_id, user_id, &edit).await)
}

#[server(endpoint = "grades/set_hidden")]
pub async fn set_grade_item_hidden(grade_item_id: i64, hidden: bool) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::set_item_hidden(&state, &actor, grade_item_id, hidden).await)
}

/// A category's weight and drops as typed (empty means 0).
#[cfg(feature = "ssr")]
fn category_numbers(weight: &str, drop_lowest: &str) -> Result<(f64, i32), AppError> {
    let weight = match weight.trim() {
        "" => 0.0,
        typed => crate::input::parse_number(typed)
            .ok_or_else(|| AppError::invalid("weight", "Enter a weight in percent, or 0."))?,
    };
    let drop_lowest = match drop_lowest.trim() {
        "" => 0,
        typed => typed.parse::<i32>().map_err(|_| {
            AppError::invalid("drop_lowest", "Enter a whole number of items to drop.")
        })?,
    };
    Ok((weight, drop_lowest))
}

#[server(endpoint = "grades/add_category")]
pub async fn add_grade_category(
    course_id: i64,
    name: String,
    weight: String,
    drop_lowest: String,
) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    let (weight, drop_lowest) = category_numbers(&weight, &drop_lowest)?;
    respond(
        super::service::add_category(&state, &actor, course_id, &name, weight, drop_lowest).await,
    )
}

#[server(endpoint = "grades/add_item")]
pub async fn add_grade_item(
    course_id: i64,
    category_id: String,
    name: String,
    max_points: String,
    extra_credit: bool,
) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    let max = crate::input::parse_number(&max_points).ok_or_else(|| {
        AppError::invalid("max_points", "Enter the points possible (more than 0).")
    })?;
    let category = category_id.trim().parse::<i64>().ok();
    respond(
        super::service::add_item(
            &state,
            &actor,
            course_id,
            category,
            &name,
            max,
            extra_credit,
        )
        .await,
    )
}

#[server(endpoint = "grades/mine")]
pub async fn load_my_grades(course_id: i64) -> Result<MyGrades, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::my_grades(&state, &actor, course_id).await)
}

#[server(endpoint = "grades/settings")]
pub async fn save_gradebook_settings(
    course_id: i64,
    pass_percent: String,
    letters: String,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::save_settings(&state, &actor, course_id, &pass_percent, &letters).await)
}

#[server(endpoint = "grades/update_item")]
pub async fn update_grade_item(
    grade_item_id: i64,
    category_id: Option<i64>,
    name: String,
    max_points: String,
    extra_credit: bool,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    let max_points = crate::input::parse_number(&max_points).ok_or_else(|| {
        AppError::invalid("max_points", "Enter the points possible (more than 0).")
    })?;
    respond(
        super::service::update_item(
            &state,
            &actor,
            grade_item_id,
            category_id,
            &name,
            max_points,
            extra_credit,
        )
        .await,
    )
}

#[server(endpoint = "grades/delete_item")]
pub async fn delete_grade_item(grade_item_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::delete_item(&state, &actor, grade_item_id).await)
}

#[server(endpoint = "grades/update_category")]
pub async fn update_grade_category(
    category_id: i64,
    name: String,
    weight: String,
    drop_lowest: String,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    let (weight, drop_lowest) = category_numbers(&weight, &drop_lowest)?;
    respond(
        super::service::update_category(&state, &actor, category_id, &name, weight, drop_lowest)
            .await,
    )
}

#[server(endpoint = "grades/delete_category")]
pub async fn delete_grade_category(category_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::delete_category(&state, &actor, category_id).await)
}

#[server(endpoint = "grades/history")]
pub async fn load_grade_history(
    grade_item_id: i64,
    user_id: i64,
) -> Result<Vec<HistoryEntry>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::cell_history(&state, &actor, grade_item_id, user_id).await)
}

#[server(endpoint = "grades/import_preview")]
pub async fn preview_grade_import(
    course_id: i64,
    csv: String,
) -> Result<GradeImportPreview, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::import::preview(&state, &actor, course_id, &csv).await)
}

#[server(endpoint = "grades/import_apply", input = Json)]
pub async fn apply_grade_import(
    course_id: i64,
    changes: Vec<ImportChange>,
) -> Result<GradeImportResult, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::import::apply(&state, &actor, course_id, &changes).await)
}
