//! Editing one item of any kind: the fields every item has (title, required, hidden, completion)
//! and the shared columns its kind uses (text, file, address), drawn from the kind's `Shape`,
//! then the kind's own panel (`registry::editor_panel`). The text is kept in the browser's local
//! storage while it is being edited, so a dropped connection loses nothing.

use crate::courses::model::{Completion, FileInfo, ItemDetail, ItemForm};
use crate::courses::server::load_course_editor;
use crate::error::AppError;
use crate::items::registry;
use crate::items::server::{UpdateItem, item_for_editing};
use crate::ui::format::human_size;
use crate::ui::forms::field_error;
use crate::ui::route_id;
use crate::ui::storage::local_storage;
use crate::ui::{ErrorPage, Field, FormAlert, TextArea};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ItemEditorPage() -> impl IntoView {
    let course_id = route_id("id");
    let item_id = route_id("item_id");
    let save = ServerAction::<UpdateItem>::new();
    // Set by a kind's panel when it changed the item (a lesson revision restored).
    let changed = RwSignal::new(crate::ui::Changed::default());
    // A later save makes the notice of an earlier change stale (the version stays: no reload).
    Effect::new(move |_| {
        if save.version().get() > 0 && changed.with_untracked(|c| c.notice.is_some()) {
            changed.update(|c| c.notice = None);
        }
    });
    let item = Resource::new(
        move || (item_id.get(), changed.get().version),
        |(id, _)| item_for_editing(id),
    );
    let editor = Resource::new(move || course_id.get(), load_course_editor);
    view! {
        <Title text="Edit item" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (item, editor) = match (item.await, editor.await) {
                    (Ok(i), Ok(e)) => (i, e),
                    (Err(error), _) | (_, Err(error)) => return view! { <ErrorPage error /> }.into_any(),
                };
                let cid = course_id.get_untracked();
                let saved = Signal::derive(move || save.version().get());
                let panel = registry::editor_panel(item.item.kind, item.item.id, editor.can_edit, saved, changed);
                view! {
                    <nav aria-label="Breadcrumb" class="breadcrumb">
                        <a href=format!("/courses/{cid}/edit")>{editor.course.title.clone()}</a>" › "{item.item.title.clone()}
                    </nav>
                    <div class="page-header"><h1>{format!("Edit {}", item.item.kind.in_sentence())}</h1>
                        <div class="actions"><a class="btn btn-secondary" href=format!("/courses/{cid}/learn/{}", item.item.id)>"Preview"</a></div>
                    </div>
                    <div class="stack">
                        {move || changed.get().notice.map(|n| view! { <div class="alert alert-success" role="status">{n}</div> })}
                        <section class="card"><ItemFieldsForm detail=item.clone() files=editor.files.clone() save can_edit=editor.can_edit /></section>
                        {panel}
                        {(!item.item.kind.shape().dates.is_empty()).then(|| view! {
                            <super::overrides::OverridesPanel item_id=item.item.id can_edit=editor.can_edit />
                        })}
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

fn draft_key(item_id: i64) -> String {
    format!("lyceum-draft-item-{item_id}")
}

#[component]
fn ItemFieldsForm(
    detail: ItemDetail,
    files: Vec<FileInfo>,
    save: ServerAction<UpdateItem>,
    can_edit: bool,
) -> impl IntoView {
    let initial = detail.form();
    let item_id = detail.item.id;
    let kind = detail.item.kind;
    let shape = kind.shape();
    let title = RwSignal::new(initial.title.clone());
    let body = RwSignal::new(initial.body.clone());
    let url = RwSignal::new(initial.url.clone());
    let file_id = RwSignal::new(initial.file_id.clone());
    let required = RwSignal::new(initial.required);
    let hidden = RwSignal::new(initial.hidden);
    let completion = RwSignal::new(initial.completion.clone());
    let restored_draft = RwSignal::new(false);
    // A draft left by an earlier visit (connection lost before saving) wins over the saved text.
    Effect::new(move |_| {
        if let Some(Ok(Some(draft))) = local_storage().map(|s| s.get_item(&draft_key(item_id)))
            && draft != body.get_untracked()
        {
            body.set(draft);
            restored_draft.set(true);
        }
    });
    Effect::new(move |previous: Option<()>| {
        let text = body.get();
        if previous.is_some()
            && let Some(storage) = local_storage()
        {
            let _ = storage.set_item(&draft_key(item_id), &text);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            if let Some(storage) = local_storage() {
                let _ = storage.remove_item(&draft_key(item_id));
            }
            restored_draft.set(false);
        }
    });
    let result: Signal<Option<Result<ItemDetail, AppError>>> = save.value().into();
    let file_error = field_error(result, "file_id");
    let selected_file = initial.file_id.clone();
    let selected_completion = initial.completion.clone();
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(UpdateItem { item_id, form: ItemForm {
                kind: kind.as_str().into(),
                title: title.get_untracked(),
                body: body.get_untracked(),
                url: url.get_untracked(),
                file_id: file_id.get_untracked(),
                required: required.get_untracked(),
                hidden: hidden.get_untracked(),
                completion: completion.get_untracked(),
            }});
        }>
            <FormAlert result success="Saved." />
            {move || restored_draft.get().then(|| view! {
                <div class="alert alert-info" role="status">"Restored your unsaved changes from this browser. Save to keep them."</div>
            })}
            <Field label="Title" name="title" value=title required=true error=field_error(result, "title") />
            {shape.text.map(|text| view! {
                <TextArea label=text.label name="body" value=body rows=text.rows error=field_error(result, "body") hint=text.hint />
            })}
            {shape.file.map(|field| {
                let selected_file = selected_file.clone();
                view! {
                    <div class="field">
                        <label for="item-file">{field.label}</label>
                        <select id="item-file" on:change=move |ev| file_id.set(event_target_value(&ev))
                            aria-invalid=move || if file_error.get().is_some() { "true" } else { "false" }>
                            <option value="" selected=selected_file.is_empty()>"None"</option>
                            {files.iter().filter(|f| field.accepts(&f.content_type)).map(|f| {
                                let id = f.id.to_string();
                                let sel = id == selected_file;
                                view! { <option value=id selected=sel>{format!("{} ({})", f.name, human_size(f.size_bytes))}</option> }
                            }).collect_view()}
                        </select>
                        {move || file_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                    </div>
                }
            })}
            {shape.url.map(|label| view! {
                <Field label name="url" kind="url" value=url error=field_error(result, "url") />
            })}
            {match shape.completes {
                Some(rule) => view! { <p class="hint">{rule}</p> }.into_any(),
                None => view! {
                    <div class="field">
                        <label for="item-completion">"Completes"</label>
                        <select id="item-completion" on:change=move |ev| completion.set(event_target_value(&ev))>
                            {Completion::ALL.iter().map(|c| {
                                let sel = c.as_str() == selected_completion;
                                view! { <option value=c.as_str() selected=sel>{c.label()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                }.into_any(),
            }}
            <label class="checkbox"><input type="checkbox" bind:checked=required />"Required for course completion"</label>
            <label class="checkbox"><input type="checkbox" bind:checked=hidden />"Hidden from learners (draft)"</label>
            {can_edit.then(|| view! {
                <div class="form-actions"><button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save"</button></div>
            })}
        </form>
    }
}
