//! Course pages: the catalogue, creating a course, the course editor, the item editor with
//! revisions, and the category tree.

mod catalogue;
mod categories;
mod editor;
mod item_editor;

pub use catalogue::{CataloguePage, NewCoursePage};
pub use categories::CategoriesPage;
pub use editor::{CourseEditorPage, human_size};
pub use item_editor::ItemEditorPage;

use super::model::CategoryOption;
use leptos::prelude::*;

/// `<option>`s for a category select, indented by depth, with `selected` matching.
pub fn category_options(categories: &[CategoryOption], selected: &str) -> impl IntoView + use<> {
    categories
        .iter()
        .map(|c| {
            let id = c.id.to_string();
            let is_selected = id == selected;
            view! { <option value=id selected=is_selected>{c.path.clone()}</option> }
        })
        .collect_view()
}

/// The id segment of the current route, or 0.
pub fn route_id(name: &'static str) -> Memo<i64> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| {
        params
            .get()
            .get(name)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    })
}
