//! The assignment in the player: the rules, the learner's draft (text saved as they type and
//! kept in the browser until the server has it, files), handing in, taking work back, and the
//! grade with feedback once released.

use super::super::model::*;
use super::super::server::*;
use crate::courses::model::FileInfo;
use crate::error::AppError;
use crate::grading::model::format_points;
use crate::ui::storage::local_storage;
use crate::ui::{ErrorPage, format};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[component]
pub fn AssignmentPanel(item_id: i64) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let data = Resource::new(
        move || (item_id, reload.get()),
        |(id, _)| load_my_assignment(id),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading the assignment…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(a) => view! { <AssignmentWork a reload /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The rules; `own_dates`: the due date and cut-off are this learner's own (an extension).
fn rules_list(s: &AssignmentSettings, own_dates: bool) -> impl IntoView + use<> {
    let hand_in = match (s.accept_text, s.accept_files) {
        (true, true) => format!(
            "Text and/or up to {}",
            format::plural(s.max_files, "file", "files")
        ),
        (true, false) => "Text typed on this page".to_string(),
        _ => format!("Up to {}", format::plural(s.max_files, "file", "files")),
    };
    let late = if s.late_percent_per_day > 0.0 {
        format!(
            "{} % off for each started day late, at most {} %",
            format_points(s.late_percent_per_day),
            format_points(s.late_max_percent)
        )
    } else {
        "None".to_string()
    };
    view! {
        <dl class="facts">
            <dt>{if own_dates { "Your due date" } else { "Due" }}</dt>
            <dd>{s.due_at.map(format::datetime).unwrap_or_else(|| "No due date".into())}
                {own_dates.then(|| view! { <span class="small muted">" (extended for you)"</span> })}</dd>
            <dt>{if own_dates { "Your cut-off" } else { "Cut-off" }}</dt><dd>{s.cutoff_at.map(format::datetime).unwrap_or_else(|| "None".into())}</dd>
            <dt>"Late penalty"</dt><dd>{late}</dd>
            <dt>"Hand in"</dt><dd>{hand_in}</dd>
            <dt>"Handing in again"</dt><dd>{if s.resubmit { "Allowed until the cut-off" } else { "Not allowed: you hand in once" }}</dd>
            <dt>"Graded"</dt><dd>{if s.rubric.is_empty() { format!("Out of {}", format::plural(s.max_points, "point", "points")) } else { format!("With a rubric, out of {}", format::plural(s.max_points, "point", "points")) }}</dd>
        </dl>
    }
}

#[component]
fn AssignmentWork(a: MyAssignment, reload: RwSignal<u32>) -> impl IntoView {
    let item_id = a.item_id;
    let late = a
        .submitted_at
        .and_then(|at| a.settings.late_by(at))
        .map(|secs| format!(" — late by {}", describe_late(secs)));
    let status = match a.status {
        SubmissionStatus::Submitted => format!(
            "Submitted {}{}",
            a.submitted_at.map(format::datetime).unwrap_or_default(),
            late.unwrap_or_default()
        ),
        other => other.label().to_string(),
    };
    let closed = a.settings.closed(a.now);
    view! {
        <section class="assignment" aria-labelledby="assignment-heading">
            <h2 id="assignment-heading">"Your work"</h2>
            {rules_list(&a.settings, a.own_dates)}
            {a.staff.then(|| view! {
                <p class="alert alert-info">"You are staff in this course: learners hand in their work here. "
                    <a href=format!("/courses/{}/assignments/{item_id}/submissions", a.course_id)>"View submissions"</a></p>
            })}
            {(!a.staff).then(|| view! { <p class="status" role="status"><strong>"Status: "</strong>{status}</p> })}
            {a.grade.clone().map(|g| view! { <GradeView grade=g rubric=a.settings.rubric.clone() /> })}
            {if a.may_edit {
                view! { <DraftEditor a=a.clone() reload /> }.into_any()
            } else if a.status == SubmissionStatus::Submitted {
                view! { <Submitted a=a.clone() reload /> }.into_any()
            } else if closed && !a.staff {
                view! { <p class="alert alert-error">"The cut-off date has passed: this assignment no longer takes work."</p> }.into_any()
            } else {
                ().into_any()
            }}
        </section>
    }
}

#[component]
fn GradeView(grade: ReleasedGrade, rubric: Vec<RubricCriterion>) -> impl IntoView {
    let points = grade
        .points
        .map(|p| format!("{} / {}", format_points(p), format_points(grade.max_points)))
        .unwrap_or_else(|| "Not graded".into());
    view! {
        <section class="card grade-view" aria-labelledby="your-grade">
            <h3 id="your-grade">"Your grade"</h3>
            <p class="grade-big">{points}</p>
            {(grade.penalty_percent > 0.0).then(|| view! {
                <p>{format!("Handed in late: {} % taken off ({} before the penalty).",
                    format_points(grade.penalty_percent), grade.raw_points.map(format_points).unwrap_or_default())}</p>
            })}
            {(!rubric.is_empty() && !grade.rubric_levels.is_empty()).then(|| view! {
                <table class="table rubric-result">
                    <caption>"Rubric"</caption>
                    <thead><tr><th scope="col">"Criterion"</th><th scope="col">"Level"</th><th scope="col">"Points"</th></tr></thead>
                    <tbody>
                        {rubric.iter().zip(grade.rubric_levels.iter()).map(|(c, l)| {
                            let level = l.and_then(|l| c.levels.get(l));
                            view! {
                                <tr>
                                    <th scope="row">{c.description.clone()}</th>
                                    <td>{level.map(|l| l.description.clone()).unwrap_or_default()}</td>
                                    <td>{level.map(|l| format!("{} / {}", format_points(l.points), format_points(c.max_points()))).unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(!grade.feedback_html.trim().is_empty()).then(|| view! {
                <h4>"Feedback"</h4>
                <div class="prose" inner_html=grade.feedback_html.clone()></div>
            })}
            {(!grade.feedback_files.is_empty()).then(|| view! {
                <h4>"Feedback files"</h4>
                <FileLinks files=grade.feedback_files.clone() />
            })}
        </section>
    }
}

#[component]
fn FileLinks(files: Vec<FileInfo>) -> impl IntoView {
    view! {
        <ul class="plain-list">
            {files.into_iter().map(|f| view! {
                <li><a href=f.url()>{f.name.clone()}</a>" "<span class="small muted">{crate::ui::format::human_size(f.size_bytes)}</span></li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Submitted(a: MyAssignment, reload: RwSignal<u32>) -> impl IntoView {
    let item_id = a.item_id;
    let reopen = ServerAction::<ReopenAssignment>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = reopen.value().get() {
            reload.update(|r| *r += 1);
        }
    });
    view! {
        <h3>"What you handed in"</h3>
        {(!a.body.trim().is_empty()).then(|| view! { <div class="submitted-text">{a.body.clone()}</div> })}
        {(!a.files.is_empty()).then(|| view! { <FileLinks files=a.files.clone() /> })}
        {move || reopen.value().get().and_then(|r| r.err()).map(|e| view! {
            <p class="alert alert-error" role="alert">{e.field("reopen").unwrap_or_else(|| e.to_string())}</p>
        })}
        {a.may_reopen.then(|| view! {
            <p><button type="button" class="btn btn-secondary" disabled=move || reopen.pending().get()
                on:click=move |_| { reopen.dispatch(ReopenAssignment { item_id }); }>"Take it back to change and hand in again"</button></p>
        })}
    }
}

/// Text typed but not yet saved, kept in this browser with the saved text it started from: it is
/// restored after a reload only if the server still has that text.
#[derive(Serialize, Deserialize)]
struct LocalDraft {
    base: String,
    body: String,
}

fn draft_key(item_id: i64) -> String {
    format!("lyceum-assignment-{item_id}")
}

fn load_local(item_id: i64) -> Option<LocalDraft> {
    local_storage()
        .and_then(|s| s.get_item(&draft_key(item_id)).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
}

fn store_local(item_id: i64, draft: Option<&LocalDraft>) {
    if let Some(storage) = local_storage() {
        let _ = match draft {
            Some(d) => storage.set_item(
                &draft_key(item_id),
                &serde_json::to_string(d).unwrap_or_default(),
            ),
            None => storage.remove_item(&draft_key(item_id)),
        };
    }
}

#[derive(Clone, PartialEq)]
enum Sync {
    Saved,
    Unsaved,
    Saving,
    Failed(String),
}

#[component]
fn DraftEditor(a: MyAssignment, reload: RwSignal<u32>) -> impl IntoView {
    let item_id = a.item_id;
    let body = RwSignal::new(a.body.clone());
    // The text the server has, and its version.
    let saved = StoredValue::new(a.body.clone());
    let version = StoredValue::new(a.version);
    let sync = RwSignal::new(Sync::Saved);
    let restored = RwSignal::new(false);
    let sending = StoredValue::new(false);
    let edits = StoredValue::new(0u64);
    Effect::new(move |previous: Option<()>| {
        if previous.is_some() {
            return;
        }
        if let Some(local) = load_local(item_id) {
            if local.base == saved.get_value() && local.body != local.base {
                body.set(local.body);
                sync.set(Sync::Unsaved);
                restored.set(true);
            } else {
                store_local(item_id, None);
            }
        }
    });
    let save = move || {
        if sending.get_value() {
            return;
        }
        let text = body.get_untracked();
        if text == saved.get_value() {
            sync.set(Sync::Saved);
            return;
        }
        sending.set_value(true);
        sync.set(Sync::Saving);
        leptos::task::spawn_local(async move {
            let draft = DraftSave {
                body: text.clone(),
                version: version.get_value(),
            };
            let result = save_assignment_draft(item_id, draft).await;
            sending.set_value(false);
            match result {
                Ok(v) => {
                    version.set_value(v);
                    saved.set_value(text.clone());
                    if body.get_untracked() == text {
                        store_local(item_id, None);
                        sync.set(Sync::Saved);
                    } else {
                        store_local(item_id, Some(&LocalDraft { base: text, body: body.get_untracked() }));
                        sync.set(Sync::Unsaved);
                    }
                }
                Err(AppError::Transport(_)) => sync.set(Sync::Failed(
                    "Not saved yet: the connection seems to be down. Your text is kept in this browser and is saved when the connection returns.".into(),
                )),
                Err(e) => sync.set(Sync::Failed(e.field("body").unwrap_or_else(|| e.to_string()))),
            }
        });
    };
    // Save two seconds after typing stops, retry every ten seconds, and as soon as the browser
    // is back online.
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        body.set(text.clone());
        store_local(
            item_id,
            Some(&LocalDraft {
                base: saved.get_value(),
                body: text,
            }),
        );
        sync.set(Sync::Unsaved);
        let n = edits.get_value() + 1;
        edits.set_value(n);
        set_timeout(
            move || {
                if edits.get_value() == n {
                    save();
                }
            },
            std::time::Duration::from_secs(2),
        );
    };
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                if matches!(sync.get_untracked(), Sync::Unsaved | Sync::Failed(_)) {
                    save();
                }
            },
            std::time::Duration::from_secs(10),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
    let online = window_event_listener(leptos::ev::online, move |_| save());
    on_cleanup(move || online.remove());

    let accept_text = a.settings.accept_text;
    // Handing in completes the item: the player's outline and progress follow.
    let progress = crate::completion::model::ProgressChanged::in_context();
    let confirming = RwSignal::new(false);
    let submit_error = RwSignal::new(None::<String>);
    let submitting = RwSignal::new(false);
    let hand_in = move || {
        submitting.set(true);
        submit_error.set(None);
        leptos::task::spawn_local(async move {
            // Whatever is typed goes first, then the hand-in names the version it saw.
            let text = body.get_untracked();
            if text != saved.get_value() && accept_text {
                match save_assignment_draft(
                    item_id,
                    DraftSave {
                        body: text.clone(),
                        version: version.get_value(),
                    },
                )
                .await
                {
                    Ok(v) => {
                        version.set_value(v);
                        saved.set_value(text);
                    }
                    Err(e) => {
                        submitting.set(false);
                        submit_error.set(Some(e.field("body").unwrap_or_else(|| e.to_string())));
                        return;
                    }
                }
            }
            match submit_assignment(item_id, version.get_value()).await {
                Ok(()) => {
                    store_local(item_id, None);
                    confirming.set(false);
                    reload.update(|r| *r += 1);
                    if let Some(progress) = progress {
                        progress.notify();
                    }
                }
                Err(e) => {
                    submit_error.set(Some(e.field("submit").unwrap_or_else(|| e.to_string())));
                }
            }
            submitting.set(false);
        });
    };
    let late_warning = a.settings.late_by(a.now).map(|secs| {
        format!(
            "The due date has passed (by {}): this work will count as late.",
            describe_late(secs)
        )
    });
    view! {
        {move || restored.get().then(|| view! {
            <p class="alert alert-info" role="status">"Restored text you typed earlier that had not reached the server; it is being saved."</p>
        })}
        {late_warning.map(|w| view! { <p class="alert alert-warning">{w}</p> })}
        {a.settings.accept_text.then(|| view! {
            <div class="field">
                <label for="assignment-text">"Your answer"</label>
                <p class="hint" id="assignment-text-hint">"Saved as you type. Markdown formatting works: **bold**, lists, links."</p>
                <textarea id="assignment-text" rows="14" prop:value=move || body.get() on:input=on_input
                    aria-describedby="assignment-text-hint assignment-sync"></textarea>
                <p id="assignment-sync" class="small" role="status" aria-live="polite">{move || match sync.get() {
                    Sync::Saved => "All changes saved.".to_string(),
                    Sync::Unsaved => "Changes not saved yet…".to_string(),
                    Sync::Saving => "Saving…".to_string(),
                    Sync::Failed(m) => m,
                }}</p>
            </div>
        })}
        {a.settings.accept_files.then(|| view! { <WorkFiles a=a.clone() reload /> })}
        {move || submit_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
        <Show when=move || confirming.get() fallback=move || view! {
            <p><button type="button" class="btn btn-primary" on:click=move |_| confirming.set(true)>"Hand in…"</button>
            " "<span class="small muted">"Until you hand it in, this is a draft your instructor does not grade."</span></p>
        }>
            <div class="card confirm" role="alertdialog" aria-labelledby="hand-in-title" aria-describedby="hand-in-text">
                <h3 id="hand-in-title">"Hand in your work?"</h3>
                <p id="hand-in-text">{if a.settings.resubmit {
                    "You can take it back and hand it in again until the cut-off."
                } else {
                    "You cannot change it afterwards."
                }}</p>
                <button type="button" class="btn btn-primary" disabled=move || submitting.get() on:click=move |_| hand_in()>"Hand in now"</button>
                " "
                <button type="button" class="btn btn-secondary" on:click=move |_| confirming.set(false)>"Keep editing"</button>
            </div>
        </Show>
    }
}

/// The draft's files: a plain form upload (works before the script loads) and remove buttons.
#[component]
fn WorkFiles(a: MyAssignment, reload: RwSignal<u32>) -> impl IntoView {
    let item_id = a.item_id;
    let query = use_query_map();
    let q = query.get_untracked();
    let upload_error = q.get("upload_error");
    let uploaded = q
        .get("uploaded")
        .and_then(|id| id.parse::<i64>().ok())
        .and_then(|id| a.files.iter().find(|f| f.id == id).map(|f| f.name.clone()));
    let remove = ServerAction::<RemoveAssignmentFile>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            reload.update(|r| *r += 1);
        }
    });
    let full = a.files.len() >= a.settings.max_files as usize;
    view! {
        <div id="work-files" class="work-files">
            <h3>"Your files"</h3>
            {uploaded.map(|name| view! { <p class="alert alert-success" role="status">{format!("Added {name}.")}</p> })}
            {move || remove.value().get().and_then(|r| r.err()).map(|e| view! {
                <p class="alert alert-error" role="alert">{e.field("file").unwrap_or_else(|| e.to_string())}</p>
            })}
            {if a.files.is_empty() {
                view! { <p>"No files yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {a.files.iter().map(|f| {
                            let file_id = f.id;
                            view! {
                                <li>
                                    <a href=f.url()>{f.name.clone()}</a>" "
                                    <span class="small muted">{crate::ui::format::human_size(f.size_bytes)}</span>" "
                                    <button type="button" class="btn btn-small btn-danger" aria-label=format!("Remove {}", f.name)
                                        on:click=move |_| { remove.dispatch(RemoveAssignmentFile { item_id, file_id }); }>"Remove"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {if full {
                view! { <p>{format!("You have added the most files this assignment takes ({}). Remove one to add another.", a.settings.max_files)}</p> }.into_any()
            } else {
                view! {
                    <form class="form inline-form" method="post" action=format!("/assignments/{item_id}/files") enctype="multipart/form-data">
                        <div class="field">
                            <label for="work-file">"Add a file"</label>
                            <input id="work-file" type="file" name="file" required
                                aria-invalid=if upload_error.is_some() { "true" } else { "false" }
                                aria-describedby=upload_error.as_ref().map(|_| "work-file-error") />
                            {upload_error.clone().map(|e| view! { <p class="field-error" id="work-file-error" role="alert">{e}</p> })}
                        </div>
                        <button type="submit" class="btn btn-secondary">"Upload"</button>
                    </form>
                }.into_any()
            }}
        </div>
    }
}
