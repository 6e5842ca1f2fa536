//! Course pages: the catalogue, creating a course, the course editor, and the category tree.

mod catalogue;
mod categories;
mod editor;

pub use catalogue::{CataloguePage, NewCoursePage};
pub use categories::CategoriesPage;
pub use editor::CourseEditorPage;

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
