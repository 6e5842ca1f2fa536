use crate::error::AppError;
use leptos::prelude::*;

/// The `aria-describedby` of a control: its hint (when it has one) and its error (while shown).
fn described_by(
    has_hint: bool,
    hint_id: String,
    error: Signal<Option<String>>,
    error_id: String,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(hint_id.clone());
        }
        if error.get().is_some() {
            ids.push(error_id.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// The id of a control: `field-` and its name, or for a nested name such as `form[email]`
/// (a server function's argument, posted by a form without script) its last part.
fn field_id(name: &str) -> String {
    let last = name
        .rsplit('[')
        .next()
        .unwrap_or(name)
        .trim_end_matches(']');
    format!("field-{last}")
}

/// The failure a browser's own form post (no script) came back with (`?failed=`, set by
/// `http::guards::server_fn_status`).
pub fn posted_failure() -> Option<AppError> {
    leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("failed"))
        .and_then(|json| serde_json::from_str(&json).ok())
}

/// What was typed into the field `name` before a plain form post failed (`?typed.NAME=`), to
/// fill it in again; all the values for a list such as checkboxes.
pub fn posted_values(name: &str) -> Option<Vec<String>> {
    let key = format!("typed.{name}");
    leptos_router::hooks::use_query_map().with_untracked(|q| {
        q.get("failed")?;
        Some(q.get_all(&key).unwrap_or_default())
    })
}

/// An action's last result or, until it has one, the failure of the plain form post this page
/// came back from: the form shows that one as it would the script's.
pub fn with_posted<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
) -> Signal<Option<Result<T, AppError>>> {
    let posted = posted_failure();
    Signal::derive(move || result.get().or_else(|| posted.clone().map(Err)))
}

/// A labelled input with its hint and its error, wired for screen readers.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    if let Some(typed) = posted_values(name).and_then(|v| v.into_iter().next()) {
        value.set(typed);
    }
    let id = field_id(name);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = described_by(hint.is_some(), hint_id.clone(), error, error_id.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                type=kind
                name=name
                autocomplete=autocomplete
                required=required
                // `bind:value` renders nothing on the server: the attribute carries the first value
                // into the HTML, so a page read without script (or before it loads) shows it.
                value=value.get_untracked()
                bind:value=value
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
            />
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}

#[component]
pub fn Checkbox(label: &'static str, name: &'static str, checked: RwSignal<bool>) -> impl IntoView {
    view! {
        <label class="checkbox">
            <input type="checkbox" name=name checked=checked.get_untracked() bind:checked=checked />
            {label}
        </label>
    }
}

/// The message at the top of a form: errors not tied to one field, or a success note.
#[component]
pub fn FormAlert<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
    #[prop(optional)] success: Option<&'static str>,
) -> impl IntoView {
    move || match result.get() {
        Some(Err(err)) => err.general().map(|message| {
            view! { <div class="alert alert-error" role="alert">{message}</div> }.into_any()
        }),
        Some(Ok(_)) => success.map(|message| {
            view! { <div class="alert alert-success" role="status">{message}</div> }.into_any()
        }),
        None => None,
    }
}

/// The error for one field from an action's last result.
pub fn field_error<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        result
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.field(field))
    })
}

/// A labelled multi-line input with its hint and error.
#[component]
pub fn TextArea(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 6)] rows: u32,
) -> impl IntoView {
    if let Some(typed) = posted_values(name).and_then(|v| v.into_iter().next()) {
        value.set(typed);
    }
    let id = field_id(name);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = described_by(hint.is_some(), hint_id.clone(), error, error_id.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <textarea
                id=id
                name=name
                rows=rows
                bind:value=value
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
            >{value.get_untracked()}</textarea>
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}
