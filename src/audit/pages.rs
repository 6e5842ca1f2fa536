use super::model::AuditQuery;
use super::server::list_audit;
use crate::ui::{ErrorPage, Pagination, format, query_string};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const ACTIONS: [(&str, &str); 6] = [
    ("", "All actions"),
    ("user.", "Users"),
    ("settings.", "Settings"),
    ("api_token.", "API tokens"),
    ("account.", "Own account"),
    ("user.delete", "Deletions"),
];

fn href(query: &AuditQuery) -> String {
    let pairs = [
        ("action", query.action.clone()),
        ("q", query.search.clone()),
        (
            "page",
            if query.page > 1 {
                query.page.to_string()
            } else {
                String::new()
            },
        ),
    ];
    format!("/admin/audit{}", query_string(&pairs))
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let map = params.get();
        AuditQuery {
            action: map.get("action").unwrap_or_default(),
            search: map.get("q").unwrap_or_default(),
            page: map.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        }
    });
    let events = Resource::new(move || query.get(), list_audit);
    view! {
        <Title text="Audit log" />
        <div class="page-header"><h1>"Audit log"</h1></div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let q = query.get_untracked();
                match events.await {
                    Ok(page) => {
                        let page_count = page.page_count();
                        let (current, total) = (page.page, page.total);
                        let pager = q.clone();
                        view! {
                            <form class="toolbar" method="get" action="/admin/audit" role="search">
                                <div class="field">
                                    <label for="audit-action">"Action"</label>
                                    <select id="audit-action" name="action">
                                        {ACTIONS.into_iter().map(|(value, label)| view! {
                                            <option value=value selected=q.action == value>{label}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="audit-search">"Who or what"</label>
                                    <input id="audit-search" type="search" name="q" value=q.search.clone() placeholder="Name or email" />
                                </div>
                                <button type="submit" class="btn btn-secondary">"Filter"</button>
                            </form>
                            {if page.items.is_empty() {
                                view! { <p class="empty-state">"No recorded actions match."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                        <table class="data-table">
                                            <caption class="visually-hidden">"Administrative actions, newest first"</caption>
                                            <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Action"</th><th scope="col">"Target"</th><th scope="col">"Change"</th></tr></thead>
                                            <tbody>
                                                {page.items.into_iter().map(|e| view! {
                                                    <tr>
                                                        <td>{format::datetime(e.at)}</td>
                                                        <td>{e.actor_label.clone()}</td>
                                                        <td><code>{e.action.clone()}</code></td>
                                                        <td>{e.target_label.clone()}</td>
                                                        <td>{(e.before_state.is_some() || e.after_state.is_some()).then(|| view! {
                                                            <details>
                                                                <summary>"Before / after"</summary>
                                                                {e.before_state.clone().map(|b| view! { <p class="small">"Before"</p><pre class="code">{b}</pre> })}
                                                                {e.after_state.clone().map(|a| view! { <p class="small">"After"</p><pre class="code">{a}</pre> })}
                                                            </details>
                                                        })}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }}
                            <Pagination page=current page_count total href=move |p| href(&AuditQuery { page: p, ..pager.clone() }) />
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
