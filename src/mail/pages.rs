use super::server::list_outbox;
use crate::ui::{ErrorPage, Pagination, format};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OutboxPage() -> impl IntoView {
    let page = crate::ui::pagination::page_param("page");
    let messages = Resource::new(move || page.get(), list_outbox);
    view! {
        <Title text="Outbox" />
        <div class="page-header">
            <div>
                <h1>"Outbox"</h1>
                <p class="lead">"Every email Lyceum sends. Without an SMTP server configured, messages stay here for you to read."</p>
            </div>
        </div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match messages.await {
                    Ok(list) => {
                        let page_count = list.page_count();
                        let (current, total) = (list.page, list.total);
                        view! {
                            {if list.items.is_empty() {
                                view! { <p class="empty-state">"No emails yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="stack">
                                        {list.items.into_iter().map(|m| {
                                            let status = match (&m.sent_at, &m.last_error) {
                                                (Some(at), _) => format!("Sent {}", format::datetime(*at)),
                                                (None, Some(err)) => format!("Not sent: {err}"),
                                                (None, None) => "Kept in the outbox".to_string(),
                                            };
                                            view! {
                                                <article class="card">
                                                    <h2>{m.subject.clone()}</h2>
                                                    <p class="small muted">{format!("To {} · {} · {}", m.to_address, format::datetime(m.created_at), status)}</p>
                                                    <pre class="code">{m.body.clone()}</pre>
                                                </article>
                                            }
                                        }).collect_view()}
                                    </div>
                                }.into_any()
                            }}
                            <Pagination page=current page_count total href=|p| format!("/admin/outbox?page={p}") />
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
