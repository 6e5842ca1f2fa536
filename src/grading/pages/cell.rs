//! One cell in detail: points, excused, feedback for the learner, an override's reason, and the
//! cell's history (who changed what, when, and why).

use super::super::model::*;
use super::super::server::*;
use super::Selected;
use crate::error::AppError;
use crate::ui::{ErrorPage, format};
use leptos::prelude::*;

#[component]
pub fn CellPanel(
    selected: Selected,
    close: RwSignal<Option<Selected>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let Selected {
        item,
        user_id,
        learner,
        cell,
    } = selected;
    let item_id = item.id;
    let points = RwSignal::new(cell.shown().map(format_points).unwrap_or_default());
    let excused = RwSignal::new(cell.excused);
    let feedback = RwSignal::new(cell.feedback.clone());
    let reason = RwSignal::new(String::new());
    let version = StoredValue::new(cell.version);
    let result = RwSignal::new(None::<Result<SavedCell, AppError>>);
    let saves = RwSignal::new(0u32);
    let history = Resource::new(
        move || (item_id, user_id, saves.get()),
        |(item, user, _)| load_grade_history(item, user),
    );
    let save = move || {
        let edit = CellEdit {
            points: if excused.get_untracked() {
                String::new()
            } else {
                points.get_untracked()
            },
            excused: excused.get_untracked(),
            feedback: Some(feedback.get_untracked()),
            reason: reason.get_untracked(),
            version: version.get_value(),
        };
        leptos::task::spawn_local(async move {
            let r = save_grade_cell(item_id, user_id, edit).await;
            if let Ok(saved) = &r {
                version.set_value(saved.version);
                saves.update(|s| *s += 1);
            }
            result.set(Some(r));
        });
    };
    let error = move |field: &'static str| {
        Signal::derive(move || {
            result
                .get()
                .and_then(|r| r.err())
                .and_then(|e| e.field(field))
        })
    };
    let heading = format!("{learner}: {}", item.name);
    view! {
        <section class="card cell-panel" aria-labelledby="cell-panel-heading">
            <div class="page-header">
                <h2 id="cell-panel-heading">{heading}</h2>
                <div class="actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| {
                        if saves.get_untracked() > 0 { reload.update(|r| *r += 1); }
                        close.set(None);
                    }>"Close"</button>
                </div>
            </div>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); save(); }>
                {move || match result.get() {
                    Some(Ok(_)) => Some(view! { <div class="alert alert-success" role="status">"Saved. Close to see the table updated."</div> }.into_any()),
                    Some(Err(AppError::Conflict(m))) => Some(view! { <div class="alert alert-error" role="alert">{m}</div> }.into_any()),
                    Some(Err(e)) => e.general().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> }.into_any()),
                    None => None,
                }}
                <div class="field">
                    <label for="cell-points">{format!("Points (out of {})", format_points(item.max_points))}</label>
                    <input id="cell-points" type="text" inputmode="decimal" class="narrow" bind:value=points disabled=move || excused.get() />
                    {move || error("points").get().map(|e| view! { <p class="field-error">{e}</p> })}
                </div>
                <label class="checkbox"><input type="checkbox" bind:checked=excused />"Excused (left out of the total)"</label>
                <div class="field">
                    <label for="cell-feedback">"Feedback for the learner"</label>
                    <textarea id="cell-feedback" rows="4" bind:value=feedback></textarea>
                    {move || error("feedback").get().map(|e| view! { <p class="field-error">{e}</p> })}
                </div>
                {item.from_source.then(|| view! {
                    <div class="field">
                        <label for="cell-reason">"Reason for overriding the result (needed to change the points)"</label>
                        <input id="cell-reason" type="text" bind:value=reason />
                        {move || error("reason").get().map(|e| view! { <p class="field-error">{e}</p> })}
                    </div>
                })}
                <button type="submit" class="btn btn-primary">"Save"</button>
            </form>
            <h3>"History"</h3>
            <Suspense fallback=|| view! { <p>"Loading the history…"</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(list) if list.is_empty() => view! { <p>"No changes yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="data-table">
                                <caption class="visually-hidden">"Changes to this grade, newest first"</caption>
                                <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Grade"</th><th scope="col">"Reason"</th></tr></thead>
                                <tbody>{list.into_iter().map(|h| view! {
                                    <tr>
                                        <td>{format::datetime(h.changed_at)}</td>
                                        <td>{h.changed_by.clone()}</td>
                                        <td>{if h.excused { "Excused".to_string() } else {
                                            match (h.override_points, h.points) {
                                                (Some(o), Some(p)) => format!("{} (overriding {})", format_points(o), format_points(p)),
                                                (Some(o), None) => format_points(o),
                                                (None, Some(p)) => format_points(p),
                                                (None, None) => "No grade".into(),
                                            }
                                        }}</td>
                                        <td>{h.reason.clone()}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
