//! The notification centre (`/notifications`), the header's unread count, and each person's
//! choices of how they hear of each kind (`/notifications/settings`).

use super::model::{Channel, Kind, Notification, PreferencesForm};
use super::server::{
    MarkNotificationsRead, SaveNotificationPreferences, my_notifications, notification_preferences,
    unread_notifications,
};
use crate::auth::server::ShellInfo;
use crate::auth::shell::use_shell;
use crate::error::AppError;
use crate::ui::forms::with_posted;
use crate::ui::pagination::page_param;
use crate::ui::{ErrorPage, FormAlert, Pagination, format};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use std::collections::BTreeMap;

/// The unread count the header shows, refetched by the pages that change it.
#[derive(Clone, Copy)]
struct UnreadCount(Resource<Result<i64, AppError>>);

/// Loads the unread count for everything under the caller (0 for a visitor, without asking).
/// Blocking, as the shell is: the header renders it on the server and hydrates the same.
pub fn provide_unread_count() {
    let shell = use_shell();
    let count = Resource::new_blocking(
        || (),
        move |_| async move {
            match shell.await {
                Ok(ShellInfo { actor: Some(_), .. }) => unread_notifications().await,
                _ => Ok(0),
            }
        },
    );
    provide_context(UnreadCount(count));
}

/// The unread count as last loaded (for the header, which awaits it with the shell).
pub fn use_unread_count() -> Resource<Result<i64, AppError>> {
    expect_context::<UnreadCount>().0
}

/// Asks the header to count again (read here, when the page is built, where the context is).
fn unread_refetcher() -> impl Fn() + Copy {
    let count = use_context::<UnreadCount>();
    move || {
        if let Some(UnreadCount(count)) = count {
            count.refetch();
        }
    }
}

/// The header's link to the notification centre, with the unread count in words for screen
/// readers.
#[component]
pub fn NotificationsLink(unread: i64) -> impl IntoView {
    view! {
        <a href="/notifications" class="notifications-link">
            "Notifications"
            {(unread > 0).then(|| view! {
                " "<span class="count-badge" data-testid="unread-count">{unread.to_string()}<span class="visually-hidden">" unread"</span></span>
            })}
        </a>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let page = page_param("page");
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let list = Resource::new(
        move || (page.get(), mark.version().get()),
        |(page, _)| my_notifications(page),
    );
    let refetch_unread = unread_refetcher();
    Effect::new(move |_| {
        if let Some(Ok(())) = mark.value().get() {
            refetch_unread();
        }
    });
    let result: Signal<Option<Result<(), AppError>>> = with_posted(mark.value().into());
    view! {
        <Title text="Notifications" />
        <div class="page-header">
            <div>
                <h1>"Notifications"</h1>
                <p class="lead">"What Lyceum has told you, the latest first."</p>
            </div>
            <div class="page-actions">
                <a href="/notifications/settings" class="btn btn-secondary">"Choose what you hear about"</a>
                <form method="post" action=MarkNotificationsRead::PATH on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    mark.dispatch(MarkNotificationsRead { id: None });
                }>
                    <button type="submit" class="btn btn-secondary">"Mark all as read"</button>
                </form>
            </div>
        </div>
        <FormAlert result />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! {
                        <p class="empty-state">"Nothing yet. Reminders, approvals and released grades will appear here."</p>
                    }.into_any(),
                    Ok(list) => {
                        let (page, page_count, total) = (list.page, list.page_count(), list.total);
                        view! {
                            <ul class="notification-list" aria-label="Notifications">
                                {list.items.into_iter().map(|n| view! { <NotificationItem n mark /> }).collect_view()}
                            </ul>
                            <Pagination page page_count total href=|p| format!("/notifications?page={p}") />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn NotificationItem(n: Notification, mark: ServerAction<MarkNotificationsRead>) -> impl IntoView {
    let id = n.id;
    view! {
        <li class="notification card" class:unread=!n.read data-testid="notification">
            <p class="notification-subject">
                {(!n.read).then(|| view! { <span class="badge">"Unread"</span>" " })}
                <strong>{n.subject.clone()}</strong>
            </p>
            <p>{n.body.clone()}</p>
            <p class="small muted">
                {format::datetime(n.created_at)}
                {(!n.link.is_empty()).then(|| view! { " · "<a href=n.link.clone()>"Open"</a> })}
            </p>
            {(!n.read).then(|| view! {
                <form method="post" action=MarkNotificationsRead::PATH on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    mark.dispatch(MarkNotificationsRead { id: Some(id) });
                }>
                    <input type="hidden" name="id" value=id.to_string() />
                    <button type="submit" class="btn btn-small btn-secondary" aria-label=format!("Mark “{}” as read", n.subject)>"Mark as read"</button>
                </form>
            })}
        </li>
    }
}

#[component]
pub fn NotificationSettingsPage() -> impl IntoView {
    let preferences = Resource::new(|| (), |_| notification_preferences());
    view! {
        <Title text="Notification settings" />
        <div class="page-header">
            <div>
                <p class="small"><a href="/notifications">"← Notifications"</a></p>
                <h1>"What you hear about, and how"</h1>
                <p class="lead">"Everything stays in your notifications here; choose which kinds also come by email, at once or gathered in one email a day."</p>
            </div>
        </div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match preferences.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(chosen) => view! { <PreferencesEditor chosen /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PreferencesEditor(chosen: Vec<(Kind, Channel)>) -> impl IntoView {
    let channels = RwSignal::new(
        chosen
            .iter()
            .map(|(k, c)| (k.as_str().to_string(), c.as_str().to_string()))
            .collect::<BTreeMap<_, _>>(),
    );
    let save = ServerAction::<SaveNotificationPreferences>::new();
    let result: Signal<Option<Result<(), AppError>>> = with_posted(save.value().into());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveNotificationPreferences {
            form: PreferencesForm {
                channels: channels.get_untracked(),
            },
        });
    };
    view! {
        <form class="form card" method="post" action=SaveNotificationPreferences::PATH on:submit=on_submit novalidate>
            <FormAlert result success="Your choices are saved." />
            {move || error_of(result, "channels").map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            {chosen.into_iter().map(|(kind, _)| {
                let key = kind.as_str();
                let field = format!("channels.{key}");
                view! {
                    <fieldset class="field">
                        <legend>{kind.label()}</legend>
                        {move || error_of(result, &field).map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                        {Channel::ALL.iter().map(|channel| {
                            let value = channel.as_str();
                            // The browser keeps the group's state; the signal follows it.
                            let checked = channels.with_untracked(|c| c.get(key).map(String::as_str) == Some(value));
                            view! {
                                <label class="radio">
                                    <input type="radio" name=format!("form[channels][{key}]") value=value
                                        checked=checked
                                        on:change=move |_| channels.update(|c| { c.insert(key.to_string(), value.to_string()); }) />
                                    {channel.label()}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                }
            }).collect_view()}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save choices"</button>
            </div>
        </form>
    }
}

/// The message for one field (named at run time) of the last save.
fn error_of(result: Signal<Option<Result<(), AppError>>>, field: &str) -> Option<String> {
    result
        .get()
        .and_then(|r| r.err())
        .and_then(|e| e.field(field))
}
