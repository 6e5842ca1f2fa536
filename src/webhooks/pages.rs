//! `/admin/webhooks`: the URLs that are sent events, their signing secrets, and the deliveries
//! with what each receiver answered.

use super::model::{Delivery, DeliveryState, Event, Saved, Subscription};
use super::server::{
    DeleteWebhook, RedeliverWebhook, RollWebhookSecret, SaveWebhook, SendTestWebhook,
    webhook_deliveries, webhook_subscriptions,
};
use crate::error::AppError;
use crate::ui::forms::{Checkbox, field_error};
use crate::ui::{ErrorPage, Field, FormAlert, Pagination, format};
use leptos::prelude::*;
use leptos_meta::Title;

/// The one subscription form's fields, which "Edit" fills with a subscription's.
#[derive(Clone, Copy)]
struct Editing {
    id: RwSignal<i64>,
    url: RwSignal<String>,
    description: RwSignal<String>,
    allow_private: RwSignal<bool>,
    enabled: RwSignal<bool>,
    events: StoredValue<Vec<(Event, RwSignal<bool>)>>,
}

impl Editing {
    fn new() -> Editing {
        Editing {
            id: RwSignal::new(0),
            url: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            allow_private: RwSignal::new(false),
            enabled: RwSignal::new(true),
            events: StoredValue::new(
                Event::subscribable()
                    .map(|e| (e, RwSignal::new(false)))
                    .collect(),
            ),
        }
    }

    fn load(&self, s: Option<&Subscription>) {
        self.id.set(s.map_or(0, |s| s.id));
        self.url.set(s.map(|s| s.url.clone()).unwrap_or_default());
        self.description
            .set(s.map(|s| s.description.clone()).unwrap_or_default());
        self.allow_private.set(s.is_some_and(|s| s.allow_private));
        self.enabled.set(s.is_none_or(|s| s.enabled));
        self.events.with_value(|events| {
            for (event, ticked) in events {
                ticked.set(s.is_some_and(|s| s.events.contains(event)));
            }
        });
    }
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let revealed: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    let delete = ServerAction::<DeleteWebhook>::new();
    let roll = ServerAction::<RollWebhookSecret>::new();
    let test = ServerAction::<SendTestWebhook>::new();
    let editing = Editing::new();
    let subscriptions = Resource::new(
        move || (changed.get(), delete.version().get()),
        |_| webhook_subscriptions(),
    );
    Effect::new(move |_| {
        if let Some(Ok(saved)) = roll.value().get() {
            show_secret(revealed, &saved);
        }
    });
    let tested: Signal<Option<Result<i64, AppError>>> = test.value().into();
    let rolled: Signal<Option<Result<Saved, AppError>>> = roll.value().into();
    let deleted: Signal<Option<Result<(), AppError>>> = delete.value().into();
    view! {
        <Title text="Webhooks" />
        <div class="page-header">
            <div>
                <h1>"Webhooks"</h1>
                <p class="lead">"Lyceum posts a JSON message to each URL here when the events it chose happen, so that an HR system, a CRM or a chat channel can act on them. Every request is signed: its "<code>"Lyceum-Signature"</code>" header is "<code>"t=<time>,v1=<HMAC-SHA256>"</code>" of the time, a full stop and the body, keyed with the webhook's secret. A failed delivery is tried again, waiting longer each time (eight tries over about a day)."</p>
            </div>
        </div>
        {move || revealed.get().map(|(url, secret)| view! {
            <div class="alert alert-success" role="status">
                <p>{format!("The signing secret for {url}. Copy it now: it is not shown again.")}</p>
                <p><code data-testid="webhook-secret">{secret}</code></p>
            </div>
        })}
        <FormAlert result=tested success="A test event is on its way; its delivery is listed below." />
        <FormAlert result=rolled />
        <FormAlert result=deleted success="The webhook is removed." />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match subscriptions.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"No webhook yet."</p>
                    }.into_any(),
                    Ok(list) => list.into_iter().map(|s| view! {
                        <SubscriptionCard subscription=s editing delete roll test />
                    }).collect_view().into_any(),
                }
            })}
        </Transition>
        <SubscriptionEditor editing changed revealed />
        <DeliveriesSection subscriptions changed=Signal::derive(move || (changed.get(), test.version().get())) />
    }
}

fn show_secret(revealed: RwSignal<Option<(String, String)>>, saved: &Saved) {
    if let Some(secret) = &saved.secret {
        revealed.set(Some((saved.subscription.url.clone(), secret.clone())));
    }
}

#[component]
fn SubscriptionCard(
    subscription: Subscription,
    editing: Editing,
    delete: ServerAction<DeleteWebhook>,
    roll: ServerAction<RollWebhookSecret>,
    test: ServerAction<SendTestWebhook>,
) -> impl IntoView {
    let heading = format!("webhook-{}-heading", subscription.id);
    let id = subscription.id;
    let events = subscription
        .events
        .iter()
        .map(|e| e.label())
        .collect::<Vec<_>>()
        .join(", ");
    let status = match (subscription.enabled, subscription.allow_private) {
        (false, _) => "Switched off",
        (true, true) => "On · private and loopback addresses allowed",
        (true, false) => "On",
    };
    let url = subscription.url.clone();
    let kept = StoredValue::new(subscription.clone());
    view! {
        <section class="card" aria-labelledby=heading.clone()>
            <h2 id=heading.clone()><code>{subscription.url.clone()}</code></h2>
            {(!subscription.description.is_empty()).then(|| view! { <p>{subscription.description.clone()}</p> })}
            <p>{status}</p>
            <p>"Sends: "{events}</p>
            <div class="form-actions">
                <button type="button" class="btn btn-secondary" aria-label=format!("Send a test event to {url}")
                    disabled=move || test.pending().get()
                    on:click=move |_| { test.dispatch(SendTestWebhook { id }); }>"Send a test event"</button>
                <button type="button" class="btn btn-secondary" aria-label=format!("Edit the webhook {url}")
                    on:click=move |_| {
                        kept.with_value(|s| editing.load(Some(s)));
                        focus_editor();
                    }>"Edit"</button>
                <button type="button" class="btn btn-secondary" aria-label=format!("Make a new secret for {url}")
                    on:click=move |_| { roll.dispatch(RollWebhookSecret { id }); }>"New secret"</button>
                <button type="button" class="btn btn-danger" aria-label=format!("Remove the webhook {url}")
                    on:click=move |_| { delete.dispatch(DeleteWebhook { id }); }>"Remove"</button>
            </div>
        </section>
    }
}

/// Moves the keyboard to the form "Edit" filled.
fn focus_editor() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(input) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("field-url"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = input.focus();
        }
    }
}

/// The one form, to add a webhook or (after "Edit") change one; drawn once.
#[component]
fn SubscriptionEditor(
    editing: Editing,
    changed: RwSignal<u32>,
    revealed: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let save = ServerAction::<SaveWebhook>::new();
    let result: Signal<Option<Result<Saved, AppError>>> = save.value().into();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            show_secret(revealed, &saved);
            changed.update(|n| *n += 1);
            editing.load(None);
        }
    });
    let tick = |s: RwSignal<bool>| s.get_untracked().then(|| "on".to_string());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let events = editing.events.with_value(|events| {
            events
                .iter()
                .filter(|(_, t)| t.get_untracked())
                .map(|(e, _)| e.as_str().to_string())
                .collect()
        });
        save.dispatch(SaveWebhook {
            id: editing.id.get_untracked(),
            url: editing.url.get_untracked(),
            description: editing.description.get_untracked(),
            events,
            allow_private: tick(editing.allow_private),
            enabled: tick(editing.enabled),
        });
    };
    let heading = move || {
        if editing.id.get() == 0 {
            "Add a webhook"
        } else {
            "Edit the webhook"
        }
    };
    let events_error = field_error(result, "events");
    view! {
        <section class="card" aria-labelledby="webhook-form-heading">
            <h2 id="webhook-form-heading">{heading}</h2>
            <form class="form" on:submit=on_submit novalidate>
                <FormAlert result success="Webhook saved." />
                <Field label="URL" name="url" kind="url" value=editing.url
                    hint="Where Lyceum posts, such as https://hooks.example.com/lyceum." error=field_error(result, "url") />
                <Field label="Description" name="description" value=editing.description
                    hint="Optional: what receives it, for whoever reads this page next." error=field_error(result, "description") />
                <fieldset class="field" aria-describedby="webhook-events-error">
                    <legend>"Events"</legend>
                    {editing.events.get_value().into_iter().map(|(event, ticked)| view! {
                        <label class="checkbox">
                            <input type="checkbox" name="events" value=event.as_str()
                                checked=ticked.get_untracked() bind:checked=ticked />
                            {format!("{} ({})", event.label(), event.as_str())}
                        </label>
                    }).collect_view()}
                    <p class="field-error" id="webhook-events-error" role="alert">{move || events_error.get()}</p>
                </fieldset>
                <Checkbox label="Allow private and loopback addresses (a receiver on this server or network)" name="allow_private" checked=editing.allow_private />
                <Checkbox label="Send events" name="enabled" checked=editing.enabled />
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                        {move || if editing.id.get() == 0 { "Add webhook" } else { "Save webhook" }}
                    </button>
                    <button type="button" class="btn btn-secondary" hidden=move || editing.id.get() == 0
                        on:click=move |_| editing.load(None)>"Cancel editing"</button>
                </div>
            </form>
        </section>
    }
}

/// The latest deliveries with each receiver's answer, and "Send again" for a finished one.
#[component]
fn DeliveriesSection(
    subscriptions: Resource<Result<Vec<Subscription>, AppError>>,
    #[prop(into)] changed: Signal<(u32, usize)>,
) -> impl IntoView {
    let page = crate::ui::pagination::page_param("page");
    let query = leptos_router::hooks::use_query_map();
    // Whose deliveries: `?webhook=ID`, or every webhook's.
    let of = Memo::new(move |_| {
        query.with(|q| {
            q.get("webhook")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0)
        })
    });
    let refresh = RwSignal::new(0u32);
    let redeliver = ServerAction::<RedeliverWebhook>::new();
    let deliveries = Resource::new(
        move || {
            (
                changed.get(),
                of.get(),
                page.get(),
                refresh.get(),
                redeliver.version().get(),
            )
        },
        |(_, of, page, ..)| webhook_deliveries(of, page),
    );
    let redelivered: Signal<Option<Result<(), AppError>>> = redeliver.value().into();
    view! {
        <section class="card" aria-labelledby="deliveries-heading">
            <h2 id="deliveries-heading">"Deliveries"</h2>
            <FormAlert result=redelivered success="The delivery is queued to be sent again." />
            <Suspense fallback=|| ()>
                {move || {
                    let current = of.get();
                    Suspend::new(async move {
                    let list = subscriptions.await.unwrap_or_default();
                    (list.len() > 1).then(|| view! {
                        <nav class="tabs" aria-label="Deliveries of">
                            <a href="/admin/webhooks" aria-current=(current == 0).then_some("page")>"All webhooks"</a>
                            {list.into_iter().map(|s| view! {
                                <a href=format!("/admin/webhooks?webhook={}", s.id)
                                    aria-current=(current == s.id).then_some("page")>{s.url}</a>
                            }).collect_view()}
                        </nav>
                    })
                    })
                }}
            </Suspense>
            <button type="button" class="btn btn-secondary btn-small" on:click=move |_| refresh.update(|n| *n += 1)>"Refresh"</button>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match deliveries.await {
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                        Ok(list) if list.items.is_empty() => view! { <p class="empty">"Nothing sent yet."</p> }.into_any(),
                        Ok(list) => {
                            let page_count = list.page_count();
                            let (page_now, total) = (list.page, list.total);
                            view! {
                                <div class="table-wrap">
                                    <table class="data-table">
                                        <caption class="visually-hidden">"Webhook deliveries, latest first"</caption>
                                        <thead><tr>
                                            <th scope="col">"Event"</th><th scope="col">"To"</th><th scope="col">"When"</th>
                                            <th scope="col">"Outcome"</th><th scope="col">"Tries"</th><th scope="col">"Response"</th>
                                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                        </tr></thead>
                                        <tbody>
                                            {list.items.into_iter().map(|d| view! { <DeliveryRow d redeliver /> }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <Pagination page=page_now page_count total href=move |p| match of.get_untracked() {
                                    0 => format!("/admin/webhooks?page={p}"),
                                    id => format!("/admin/webhooks?webhook={id}&page={p}"),
                                } />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn DeliveryRow(d: Delivery, redeliver: ServerAction<RedeliverWebhook>) -> impl IntoView {
    let id = d.id;
    let outcome = match d.response_status {
        Some(code) => format!("{} ({code})", d.state.label()),
        None => d.state.label().to_string(),
    };
    let finished = matches!(
        d.state,
        DeliveryState::Delivered | DeliveryState::Failed | DeliveryState::Cancelled
    );
    let when = format::datetime(d.last_attempt_at.unwrap_or(d.created_at));
    let name = format!("{} #{}", d.event, d.id);
    view! {
        <tr data-testid="webhook-delivery">
            <td>{d.event.clone()}</td>
            <td><code>{d.url.clone()}</code></td>
            <td>{when}</td>
            <td>{outcome}{d.error.clone().map(|e| view! { <br /><span class="hint">{e}</span> })}</td>
            <td>{d.attempts}</td>
            <td>
                <details>
                    <summary>{format!("Body of {name}")}</summary>
                    <p>"Sent:"</p><pre>{d.payload.clone()}</pre>
                    {d.response_body.clone().map(|b| view! { <p>"Answered:"</p><pre>{b}</pre> })}
                    {d.duration_ms.map(|ms| view! { <p>{format!("In {ms} ms")}</p> })}
                </details>
            </td>
            <td>
                {finished.then(|| view! {
                    <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Send again: {name}")
                        on:click=move |_| { redeliver.dispatch(RedeliverWebhook { id }); }>"Send again"</button>
                })}
            </td>
        </tr>
    }
}
