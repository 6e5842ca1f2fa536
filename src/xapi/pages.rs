//! `/admin/lrs`: the built-in learning record store — its clients (key and secret for content
//! and other systems), the statements it holds, and forwarding them to another LRS.

use super::model::{ClientInfo, Forwarding, NewClient, SCOPES, StatementSearch};
use super::server::{
    CreateLrsClient, RevokeLrsClient, SaveLrsForwarding, lrs_clients, lrs_forwarding,
    lrs_statements,
};
use crate::error::AppError;
use crate::paging::Page;
use crate::ui::forms::{Checkbox, field_error, with_posted};
use crate::ui::{ErrorPage, Field, FormAlert, Pagination, format};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LrsPage() -> impl IntoView {
    let create = ServerAction::<CreateLrsClient>::new();
    let revoke = ServerAction::<RevokeLrsClient>::new();
    let page = crate::ui::pagination::page_param("page");
    let clients = Resource::new(
        move || (page.get(), create.version().get(), revoke.version().get()),
        |(page, ..)| lrs_clients(page),
    );
    // The form's values live here, above the list that reloads after each try, so that a refusal
    // leaves what was typed and ticked in place.
    let form = ClientForm {
        name: RwSignal::new(String::new()),
        chosen: SCOPES
            .iter()
            .map(|(scope, label)| {
                (
                    *scope,
                    *label,
                    RwSignal::new(matches!(*scope, "statements/write" | "state")),
                )
            })
            .collect(),
    };
    view! {
        <Title text="Learning record store" />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let form = form.clone();
                Suspend::new(async move {
                match clients.await {
                    // Only administrators may see any of it.
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) => view! {
                        <div class="page-header">
                            <div>
                                <h1>"Learning record store"</h1>
                                <p class="lead">"Lyceum's own xAPI LRS (xAPI 1.0.3 and 2.0) answers at "<code>"/xapi/"</code>" on this site. Content and other systems send and read statements with a client's key and secret (HTTP Basic)."</p>
                            </div>
                        </div>
                        <ClientsSection list create revoke form=form.clone() />
                        <ForwardingSection />
                        <StatementsSection />
                    }.into_any(),
                }
            })}}
        </Transition>
    }
}

/// What the "new client" form holds: the name and each scope with whether it is ticked.
#[derive(Clone)]
struct ClientForm {
    name: RwSignal<String>,
    chosen: Vec<(&'static str, &'static str, RwSignal<bool>)>,
}

#[component]
fn ClientsSection(
    list: Page<ClientInfo>,
    create: ServerAction<CreateLrsClient>,
    revoke: ServerAction<RevokeLrsClient>,
    form: ClientForm,
) -> impl IntoView {
    let ClientForm { name, chosen } = form;
    let picked = chosen.clone();
    let created: Signal<Option<Result<NewClient, AppError>>> = create.value().into();
    let revoked: Signal<Option<Result<(), AppError>>> = revoke.value().into();
    let (now, count, total) = (list.page, list.page_count(), list.total);
    view! {
        <section class="card" aria-labelledby="clients-heading">
            <h2 id="clients-heading">"Clients"</h2>
            <FormAlert result=created />
            <form class="form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                let scopes = picked
                    .iter()
                    .filter(|(_, _, on)| on.get_untracked())
                    .map(|(scope, ..)| *scope)
                    .collect::<Vec<_>>()
                    .join(" ");
                create.dispatch(CreateLrsClient { name: name.get_untracked(), scopes });
            }>
                <Field label="Client name" name="client_name" value=name hint="Who uses it, such as 'Storyline courses' or 'HR analytics'." error=field_error(created, "name") />
                <fieldset class="field" aria-describedby="scopes-error">
                    <legend>"Permissions"</legend>
                    {chosen.iter().map(|(scope, label, on)| {
                        let on = *on;
                        view! {
                            <label class="checkbox">
                                <input type="checkbox" name="scopes" value=*scope checked=on.get_untracked() bind:checked=on />
                                {*label}" "<code>{*scope}</code>
                            </label>
                        }
                    }).collect_view()}
                    {move || field_error(created, "scopes").get().map(|m| view! { <p id="scopes-error" class="field-error" role="alert">{m}</p> })}
                </fieldset>
                <div class="form-actions"><button type="submit" class="btn btn-primary">"Create client"</button></div>
            </form>
            {move || created.get().and_then(|r| r.ok()).map(|c| view! {
                <div class="alert alert-success" role="status">
                    <p>"Copy the secret now. It will not be shown again."</p>
                    <p>"Key: "<code data-testid="client-key">{c.info.key}</code></p>
                    <p>"Secret: "<code class="token-secret" data-testid="client-secret">{c.secret}</code></p>
                </div>
            })}
            <FormAlert result=revoked success="The client is revoked: its key no longer works." />
            {if list.items.is_empty() {
                view! { <p class="empty-state">"No clients yet."</p> }.into_any()
            } else {
                view! {
                    <ClientTable list=list.items revoke />
                    <Pagination page=now page_count=count total href=|p| format!("/admin/lrs?page={p}") />
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ClientTable(list: Vec<ClientInfo>, revoke: ServerAction<RevokeLrsClient>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"Clients of the learning record store"</caption>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Key"</th><th scope="col">"Permissions"</th>
                    <th scope="col">"Created"</th><th scope="col">"Status"</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|c| {
                        let id = c.id;
                        let label = format!("Revoke {}", c.name);
                        view! {
                            <tr>
                                <td>{c.name.clone()}</td>
                                <td><code>{c.key.clone()}</code></td>
                                <td>{c.scopes.join(", ")}</td>
                                <td>{format::datetime(c.created_at)}</td>
                                <td>{match c.revoked_at {
                                    Some(at) => view! { <span>{format!("Revoked {}", format::datetime(at))}</span> }.into_any(),
                                    None => view! {
                                        <button type="button" class="btn btn-danger btn-small" aria-label=label
                                            on:click=move |_| { revoke.dispatch(RevokeLrsClient { id }); }>"Revoke"</button>
                                    }.into_any(),
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The filters travel in the address (a plain GET form), so a search can be bookmarked and works
/// before the page's script has loaded.
#[component]
fn StatementsSection() -> impl IntoView {
    let query = use_query_map();
    let search = Memo::new(move |_| {
        query.with(|q| {
            let text = |name: &str| q.get(name).unwrap_or_default();
            StatementSearch {
                actor: text("actor"),
                verb: text("verb"),
                activity: text("activity"),
                since: text("since"),
                until: text("until"),
                after: q.get("after").and_then(|a| a.parse().ok()),
            }
        })
    });
    let statements = Resource::new(move || search.get(), lrs_statements);
    let value = |f: fn(&StatementSearch) -> String| move || f(&search.get());
    view! {
        <section class="card" aria-labelledby="statements-heading">
            <h2 id="statements-heading">"Statements"</h2>
            <form class="form form-inline" method="get" action="/admin/lrs" role="search" aria-label="Filter statements">
                <div class="field"><label for="f-actor">"Who"</label>
                    <input id="f-actor" name="actor" type="text" prop:value=value(|s| s.actor.clone()) placeholder="email or agent" /></div>
                <div class="field"><label for="f-verb">"Verb"</label>
                    <input id="f-verb" name="verb" type="text" prop:value=value(|s| s.verb.clone()) placeholder="http://adlnet.gov/expapi/verbs/completed" /></div>
                <div class="field"><label for="f-activity">"Activity"</label>
                    <input id="f-activity" name="activity" type="text" prop:value=value(|s| s.activity.clone()) /></div>
                <div class="field"><label for="f-since">"From"</label>
                    <input id="f-since" name="since" type="date" prop:value=value(|s| s.since.clone()) /></div>
                <div class="field"><label for="f-until">"To"</label>
                    <input id="f-until" name="until" type="date" prop:value=value(|s| s.until.clone()) /></div>
                <div class="form-actions"><button type="submit" class="btn">"Filter"</button></div>
            </form>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match statements.await {
                        Ok(list) if list.statements.is_empty() => view! { <p class="empty-state">"No statements match."</p> }.into_any(),
                        Ok(list) => {
                            let older = list.next.map(|after| {
                                let s = search.get_untracked();
                                let mut q = form_urlencoded::Serializer::new(String::new());
                                for (k, v) in [("actor", s.actor), ("verb", s.verb), ("activity", s.activity), ("since", s.since), ("until", s.until)] {
                                    if !v.is_empty() { q.append_pair(k, &v); }
                                }
                                q.append_pair("after", &after.to_string());
                                format!("/admin/lrs?{}", q.finish())
                            });
                            view! {
                                <div class="table-wrap">
                                    <table class="data-table">
                                        <caption class="visually-hidden">"Statements, newest first"</caption>
                                        <thead><tr><th scope="col">"Stored"</th><th scope="col">"Who"</th><th scope="col">"Did"</th><th scope="col">"What"</th><th scope="col">"Statement"</th></tr></thead>
                                        <tbody>
                                            {list.statements.into_iter().map(|s| view! {
                                                <tr>
                                                    <td>{s.stored}</td>
                                                    <td>{s.actor}</td>
                                                    <td>{s.verb}</td>
                                                    <td>{s.object}</td>
                                                    <td><details><summary>{s.id}</summary><pre class="json">{s.json}</pre></details></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {older.map(|href| view! { <p><a href=href>"Older statements"</a></p> })}
                            }.into_any()
                        }
                        Err(error) => view! { <div class="alert alert-error" role="alert">{error.to_string()}</div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Forwarding every statement to another LRS: a form that also posts without the script. Read
/// once: the form keeps what was typed whatever a save answers, and shows the state it returns.
#[component]
fn ForwardingSection() -> impl IntoView {
    let current = Resource::new(|| (), |_| lrs_forwarding());
    view! {
        <section class="card" aria-labelledby="forwarding-heading">
            <h2 id="forwarding-heading">"Forward statements to another LRS"</h2>
            <p class="hint">"Every statement stored from the moment forwarding is on is sent, in order and with its attachments, to another xAPI LRS (Watershed, Learning Locker, Ralph…) by a background job, which tries again later when that LRS does not answer."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(initial) => view! { <ForwardingForm initial /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ForwardingForm(initial: Forwarding) -> impl IntoView {
    let save = ServerAction::<SaveLrsForwarding>::new();
    let endpoint = RwSignal::new(initial.endpoint.clone());
    let username = RwSignal::new(initial.username.clone());
    let password = RwSignal::new(String::new());
    let enabled = RwSignal::new(initial.enabled);
    let result: Signal<Option<Result<Forwarding, AppError>>> = with_posted(save.value().into());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveLrsForwarding {
            endpoint: endpoint.get_untracked(),
            username: username.get_untracked(),
            password: password.get_untracked(),
            enabled: enabled.get_untracked().then(|| "on".to_string()),
        });
    };
    let password_hint = if initial.has_password {
        "Leave empty to keep the secret kept."
    } else {
        "The secret the other LRS gave Lyceum."
    };
    let shown = move || match result.get() {
        Some(Ok(saved)) => saved,
        _ => initial.clone(),
    };
    let status = move || {
        let f = shown();
        let queued = format!("Waiting to be sent: {}.", f.queued);
        let last = match (f.last_error, f.last_sent_at) {
            (Some(error), _) => Some(view! { <p class="alert alert-error" role="status">"The last send failed: "{error}</p> }.into_any()),
            (None, Some(at)) => Some(view! { <p role="status">{format!("Last sent {}.", format::datetime(at))}</p> }.into_any()),
            (None, None) => None,
        };
        view! { <p data-testid="forwarding-queued">{queued}</p>{last} }
    };
    view! {
        {status}
        <form class="form" method="post" action=SaveLrsForwarding::PATH on:submit=on_submit novalidate>
            <FormAlert result success="Forwarding saved." />
            <Field label="Address of the other LRS" name="endpoint" kind="url" value=endpoint
                hint="Its xAPI address, such as https://lrs.example.com/xapi; statements go to its /statements." error=field_error(result, "endpoint") />
            <Field label="Key (user name)" name="username" value=username error=field_error(result, "username") />
            <Field label="Secret (password)" name="password" kind="password" value=password hint=password_hint autocomplete="new-password" error=field_error(result, "password") />
            <Checkbox label="Forward every statement stored from now on" name="enabled" checked=enabled />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save forwarding"</button>
            </div>
        </form>
    }
}
