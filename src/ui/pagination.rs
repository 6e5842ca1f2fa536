use super::format::plural;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The page number in the address (`?page=3`, or another name where a page has two lists): 1
/// when absent or not a page number.
pub fn page_param(name: &'static str) -> Memo<u32> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            q.get(name)
                .and_then(|p| p.parse::<u32>().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1)
        })
    })
}

/// "Previous · Page 2 of 40 (987 results) · Next", with links built by `href(page)`.
#[component]
pub fn Pagination(
    page: u32,
    page_count: u32,
    total: i64,
    /// Counting stopped early: there are more than `total` results.
    #[prop(optional)]
    total_capped: bool,
    href: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    let results = if total_capped {
        format!(
            "more than {}; refine the search",
            plural(total, "result", "results")
        )
    } else {
        plural(total, "result", "results")
    };
    let previous = (page > 1).then(|| href(page - 1));
    let next = (page < page_count).then(|| href(page + 1));
    view! {
        <nav class="pagination" aria-label="Pagination">
            {match previous {
                Some(h) => view! { <a href=h class="btn btn-secondary btn-small" rel="prev">"Previous"</a> }.into_any(),
                None => view! { <span class="btn btn-secondary btn-small" aria-disabled="true">"Previous"</span> }.into_any(),
            }}
            <span class="page-info" aria-live="polite">{format!("Page {page} of {page_count} ({results})")}</span>
            {match next {
                Some(h) => view! { <a href=h class="btn btn-secondary btn-small" rel="next">"Next"</a> }.into_any(),
                None => view! { <span class="btn btn-secondary btn-small" aria-disabled="true">"Next"</span> }.into_any(),
            }}
        </nav>
    }
}
