//! Shared components: form fields, alerts, pagination, error pages, formatting.

pub mod errors;
pub mod format;
pub mod forms;
pub mod pagination;
pub mod progress;
pub mod storage;
pub mod typed;
pub mod upload;

pub use errors::{ErrorPage, Forbidden, NotFound};
pub use forms::{Checkbox, Field, FormAlert, TextArea};
pub use pagination::Pagination;
pub use progress::ProgressBar;

/// A full page load: used after signing in or out so every part of the page sees the new session.
pub fn hard_navigate(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Builds a query string from pairs, skipping empty values.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        serializer.append_pair(key, value);
    }
    let query = serializer.finish();
    if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    }
}

/// The id segment of the current route, or 0.
pub fn route_id(name: &'static str) -> leptos::prelude::Memo<i64> {
    use leptos::prelude::*;
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| {
        params
            .get()
            .get(name)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    })
}

/// What one part of a page changed for the rest of it (a restored revision changes the item's
/// form): the page reloads on a new `version` and shows `notice`, which outlives the reload.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Changed {
    pub version: u32,
    pub notice: Option<&'static str>,
}
