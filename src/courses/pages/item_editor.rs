//! Editing one item, with a lesson's revisions: compare any two, restore one. The lesson text is
//! kept in the browser's local storage while it is being edited, so a dropped connection loses nothing.

use super::super::model::*;
use super::super::server::*;
use super::editor::human_size;
use super::route_id;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::storage::local_storage;
use crate::ui::{ErrorPage, Field, FormAlert, TextArea, format};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ItemEditorPage() -> impl IntoView {
    let course_id = route_id("id");
    let item_id = route_id("item_id");
    let save = ServerAction::<UpdateItem>::new();
    let restore = ServerAction::<RestoreRevision>::new();
    let item = Resource::new(
        move || (item_id.get(), restore.version().get()),
        |(id, _)| item_for_editing(id),
    );
    let editor = Resource::new(move || course_id.get(), load_course_editor);
    let revisions = Resource::new(
        move || (item_id.get(), save.version().get(), restore.version().get()),
        |(id, ..)| item_revisions(id),
    );
    view! {
        <Title text="Edit item" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (item, editor) = match (item.await, editor.await) {
                    (Ok(i), Ok(e)) => (i, e),
                    (Err(error), _) | (_, Err(error)) => return view! { <ErrorPage error /> }.into_any(),
                };
                let cid = course_id.get_untracked();
                view! {
                    <nav aria-label="Breadcrumb" class="breadcrumb">
                        <a href=format!("/courses/{cid}/edit")>{editor.course.title.clone()}</a>" › "{item.item.title.clone()}
                    </nav>
                    <div class="page-header"><h1>{format!("Edit {}", item.item.kind.label().to_lowercase())}</h1>
                        <div class="actions"><a class="btn btn-secondary" href=format!("/courses/{cid}/learn/{}", item.item.id)>"Preview"</a></div>
                    </div>
                    <div class="stack">
                        <section class="card"><ItemForm detail=item.clone() files=editor.files.clone() save can_edit=editor.can_edit /></section>
                        {(item.item.kind == ItemKind::Quiz).then(|| view! {
                            <crate::assessments::pages::QuizSetup item_id=item.item.id />
                        })}
                        {(item.item.kind == ItemKind::Assignment).then(|| view! {
                            <crate::assignments::pages::AssignmentSetup item_id=item.item.id />
                        })}
                        {(item.item.kind == ItemKind::Lesson).then(|| view! {
                            <Suspense fallback=|| view! { <p>"Loading revisions…"</p> }>
                                {move || Suspend::new(async move {
                                    match revisions.await {
                                        Ok(list) => view! { <Revisions item_id=item_id.get_untracked() list restore can_edit=editor.can_edit /> }.into_any(),
                                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                                    }
                                })}
                            </Suspense>
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
fn ItemForm(
    detail: ItemDetail,
    files: Vec<FileInfo>,
    save: ServerAction<UpdateItem>,
    can_edit: bool,
) -> impl IntoView {
    let initial = detail.form();
    let item_id = detail.item.id;
    let kind = detail.item.kind;
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
        if let Some(Ok(Some(draft))) = local_storage().map(|s| s.get_item(&draft_key(item_id))) {
            if draft != body.get_untracked() {
                body.set(draft);
                restored_draft.set(true);
            }
        }
    });
    Effect::new(move |previous: Option<()>| {
        let text = body.get();
        if previous.is_some() {
            if let Some(storage) = local_storage() {
                let _ = storage.set_item(&draft_key(item_id), &text);
            }
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
            {(kind == ItemKind::Lesson).then(|| view! {
                <TextArea label="Page (Markdown)" name="body" value=body rows=16 error=field_error(result, "body")
                    hint="Headings, lists, links, tables, code blocks and images: ![description](/files/…)." />
            })}
            {(kind == ItemKind::Assignment).then(|| view! {
                <TextArea label="Instructions (Markdown)" name="body" value=body rows=10 error=field_error(result, "body")
                    hint="What to do and how it is assessed. Learners see this above their work." />
            })}
            {matches!(kind, ItemKind::File | ItemKind::Video).then(|| {
                let selected_file = selected_file.clone();
                view! {
                    <div class="field">
                        <label for="item-file">{if kind == ItemKind::Video { "Uploaded video" } else { "File" }}</label>
                        <select id="item-file" on:change=move |ev| file_id.set(event_target_value(&ev))
                            aria-invalid=move || if file_error.get().is_some() { "true" } else { "false" }>
                            <option value="" selected=selected_file.is_empty()>"None"</option>
                            {files.iter().map(|f| {
                                let id = f.id.to_string();
                                let sel = id == selected_file;
                                view! { <option value=id selected=sel>{format!("{} ({})", f.name, human_size(f.size_bytes))}</option> }
                            }).collect_view()}
                        </select>
                        {move || file_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                    </div>
                }
            })}
            {matches!(kind, ItemKind::Video | ItemKind::Link).then(|| view! {
                <Field label=if kind == ItemKind::Video { "YouTube or Vimeo address" } else { "Web address" } name="url" kind="url"
                    value=url error=field_error(result, "url") />
            })}
            {if kind.is_assessed() {
                view! { <p class="hint">"Completes when the learner submits it (or reaches the pass mark, if the quiz has one)."</p> }.into_any()
            } else {
                view! {
                    <div class="field">
                        <label for="item-completion">"Completes"</label>
                        <select id="item-completion" on:change=move |ev| completion.set(event_target_value(&ev))>
                            {Completion::ALL.iter().map(|c| {
                                let sel = c.as_str() == selected_completion;
                                view! { <option value=c.as_str() selected=sel>{c.label()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                }.into_any()
            }}
            <label class="checkbox"><input type="checkbox" bind:checked=required />"Required for course completion"</label>
            <label class="checkbox"><input type="checkbox" bind:checked=hidden />"Hidden from learners (draft)"</label>
            {can_edit.then(|| view! {
                <div class="form-actions"><button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save"</button></div>
            })}
        </form>
    }
}

#[component]
fn Revisions(
    item_id: i64,
    list: Vec<Revision>,
    restore: ServerAction<RestoreRevision>,
    can_edit: bool,
) -> impl IntoView {
    let old = RwSignal::new(list.get(1).map(|r| r.id));
    let new = RwSignal::new(list.first().map(|r| r.id));
    let compare = ServerAction::<CompareRevisions>::new();
    let restore_result: Signal<Option<Result<ItemDetail, AppError>>> = restore.value().into();
    let compare_result: Signal<Option<Result<RevisionDiff, AppError>>> = compare.value().into();
    view! {
        <section class="card" aria-labelledby="revisions-heading">
            <h2 id="revisions-heading">"Revisions"</h2>
            <FormAlert result=restore_result success="Revision restored (as a new revision)." />
            <div class="table-wrap">
                <table class="data-table">
                    <caption class="visually-hidden">"Saved revisions, newest first"</caption>
                    <thead><tr><th scope="col">"Saved"</th><th scope="col">"By"</th><th scope="col">"Title"</th>
                        <th scope="col">"Compare from"</th><th scope="col">"Compare to"</th><th scope="col">"Actions"</th></tr></thead>
                    <tbody>
                        {list.into_iter().map(|r| {
                            let id = r.id;
                            let when = format::datetime(r.created_at);
                            view! {
                                <tr>
                                    <td>{when.clone()}</td>
                                    <td>{r.author.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>{r.title.clone()}</td>
                                    <td><input type="radio" name="compare-old" aria-label=format!("Compare from {when}") prop:checked=move || old.get() == Some(id) on:change=move |_| old.set(Some(id)) /></td>
                                    <td><input type="radio" name="compare-new" aria-label=format!("Compare to {when}") prop:checked=move || new.get() == Some(id) on:change=move |_| new.set(Some(id)) /></td>
                                    <td>{can_edit.then(|| view! {
                                        <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Restore the revision of {when}")
                                            on:click=move |_| { restore.dispatch(RestoreRevision { item_id, revision_id: id }); }>"Restore"</button>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <button type="button" class="btn btn-secondary" on:click=move |_| {
                if let (Some(o), Some(n)) = (old.get_untracked(), new.get_untracked()) {
                    compare.dispatch(CompareRevisions { item_id, old: o, new: n });
                }
            }>"Compare"</button>
            {move || match compare_result.get() {
                Some(Ok(diff)) => view! {
                    <div class="diff" role="region" aria-label="Differences">
                        <p class="small muted">{format!("From {} to {}", format::datetime(diff.old.created_at), format::datetime(diff.new.created_at))}</p>
                        <pre>{diff.lines.into_iter().map(|l| match l {
                            DiffLine::Same(t) => view! { <span class="diff-same">{format!("  {t}\n")}</span> }.into_any(),
                            DiffLine::Added(t) => view! { <ins class="diff-added">{format!("+ {t}\n")}</ins> }.into_any(),
                            DiffLine::Removed(t) => view! { <del class="diff-removed">{format!("- {t}\n")}</del> }.into_any(),
                        }).collect_view()}</pre>
                    </div>
                }.into_any(),
                Some(Err(e)) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}
