//! An assignment's set-up, shown under the item form: dates, late rule, what learners hand in,
//! resubmission, and grading with points or a rubric (criteria × levels).

use super::super::model::*;
use super::super::server::*;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{Checkbox, ErrorPage, Field, FormAlert};
use leptos::prelude::*;

#[component]
pub fn AssignmentSetup(item_id: i64) -> impl IntoView {
    let save = ServerAction::<SaveAssignmentSettings>::new();
    let editor = Resource::new(move || item_id, load_assignment_editor);
    view! {
        <Suspense fallback=|| view! { <p>"Loading the assignment set-up…"</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Ok(e) => view! {
                        <section class="card" aria-labelledby="assignment-settings">
                            <div class="page-header">
                                <h2 id="assignment-settings">"Assignment settings"</h2>
                                <div class="actions">
                                    <a class="btn btn-secondary" href=format!("/courses/{}/assignments/{item_id}/submissions", e.course_id)>"View submissions"</a>
                                </div>
                            </div>
                            <p class="hint">"The instructions are the item's text above."</p>
                            <SettingsForm item_id editor=e save />
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(
    item_id: i64,
    editor: AssignmentEditor,
    save: ServerAction<SaveAssignmentSettings>,
) -> impl IntoView {
    let form = AssignmentSettingsForm::from(&editor.settings);
    let due_at = RwSignal::new(form.due_at.clone());
    let cutoff_at = RwSignal::new(form.cutoff_at.clone());
    let late_per_day = RwSignal::new(form.late_percent_per_day.clone());
    let late_max = RwSignal::new(form.late_max_percent.clone());
    let accept_text = RwSignal::new(form.accept_text);
    let accept_files = RwSignal::new(form.accept_files);
    let max_files = RwSignal::new(form.max_files.clone());
    let resubmit = RwSignal::new(form.resubmit);
    let max_points = RwSignal::new(form.max_points.clone());
    let use_rubric = RwSignal::new(!form.rubric.is_empty());
    let rubric = RwSignal::new(if form.rubric.is_empty() {
        vec![blank_criterion(), blank_criterion()]
    } else {
        form.rubric.clone()
    });
    let locked = editor.rubric_locked;
    let result: Signal<Option<Result<AssignmentSettings, AppError>>> = save.value().into();
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveAssignmentSettings { item_id, form: AssignmentSettingsForm {
                due_at: due_at.get_untracked(),
                cutoff_at: cutoff_at.get_untracked(),
                late_percent_per_day: late_per_day.get_untracked(),
                late_max_percent: late_max.get_untracked(),
                accept_text: accept_text.get_untracked(),
                accept_files: accept_files.get_untracked(),
                max_files: max_files.get_untracked(),
                resubmit: resubmit.get_untracked(),
                max_points: max_points.get_untracked(),
                rubric: if use_rubric.get_untracked() { rubric.get_untracked() } else { Vec::new() },
            }});
        }>
            <FormAlert result success="Assignment settings saved." />
            <fieldset>
                <legend>"Dates (UTC)"</legend>
                <Field label="Due" name="due_at" kind="datetime-local" value=due_at error=field_error(result, "due_at")
                    hint="Work handed in after this is late. Empty for no due date." />
                <Field label="Cut-off" name="cutoff_at" kind="datetime-local" value=cutoff_at error=field_error(result, "cutoff_at")
                    hint="No work is taken after this. Empty to take late work at any time." />
                <Field label="Late penalty per started day (%)" name="late_percent_per_day" value=late_per_day error=field_error(result, "late_percent_per_day")
                    hint="Taken off the grade for each day or part of a day late. 0 for none." />
                <Field label="Most taken off for lateness (%)" name="late_max_percent" value=late_max error=field_error(result, "late_max_percent") />
            </fieldset>
            <fieldset>
                <legend>"What learners hand in"</legend>
                <Checkbox label="Text typed on the page" name="accept_text" checked=accept_text />
                <Checkbox label="Files" name="accept_files" checked=accept_files />
                {move || field_error(result, "accept_text").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <Field label="Most files per learner" name="max_files" value=max_files error=field_error(result, "max_files") />
                <Checkbox label="Learners may take their work back and hand it in again (until the cut-off)" name="resubmit" checked=resubmit />
            </fieldset>
            <fieldset>
                <legend>"Grading"</legend>
                <div class="field" role="radiogroup" aria-label="Grade with">
                    <label class="checkbox"><input type="radio" name="grade-with" prop:checked=move || !use_rubric.get()
                        on:change=move |_| use_rubric.set(false) disabled=locked />"Points"</label>
                    <label class="checkbox"><input type="radio" name="grade-with" prop:checked=move || use_rubric.get()
                        on:change=move |_| use_rubric.set(true) disabled=locked />"A rubric (criteria and levels)"</label>
                </div>
                <Show when=move || !use_rubric.get()>
                    <Field label="Points possible" name="max_points" value=max_points error=field_error(result, "max_points") />
                </Show>
                <Show when=move || use_rubric.get()>
                    {locked.then(|| view! { <p class="alert alert-info">"Work has been graded with this rubric, so it cannot change."</p> })}
                    <RubricEditor rubric locked error=field_error(result, "rubric") />
                </Show>
            </fieldset>
            <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save settings"</button>
        </form>
    }
}

fn blank_criterion() -> CriterionForm {
    CriterionForm {
        description: String::new(),
        levels: vec![LevelForm::default(), LevelForm::default()],
    }
}

/// Criteria as rows, levels as cells; every control labelled with its criterion and level.
#[component]
fn RubricEditor(
    rubric: RwSignal<Vec<CriterionForm>>,
    locked: bool,
    error: Signal<Option<String>>,
) -> impl IntoView {
    // Typing updates the rubric without re-rendering it (focus stays put); adding and removing
    // rows re-render. `typed` refreshes the points total.
    let typed = RwSignal::new(0u32);
    let total = move || {
        typed.track();
        rubric.with_untracked(|r| {
            r.iter()
                .map(|c| {
                    c.levels
                        .iter()
                        .filter_map(|l| crate::input::parse_number(l.points.trim()))
                        .fold(0.0, f64::max)
                })
                .sum::<f64>()
        })
    };
    view! {
        <div class="rubric-editor" id="field-rubric">
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            {move || rubric.get().into_iter().enumerate().map(|(ci, c)| {
                let n = ci + 1;
                view! {
                    <fieldset class="rubric-criterion">
                        <legend>{format!("Criterion {n}")}</legend>
                        <div class="field">
                            <label for=format!("criterion-{ci}")>{format!("Criterion {n}: what it assesses")}</label>
                            <input id=format!("criterion-{ci}") type="text" disabled=locked prop:value=c.description.clone()
                                on:input=move |ev| { let v = event_target_value(&ev); rubric.update_untracked(|r| if let Some(c) = r.get_mut(ci) { c.description = v }); } />
                        </div>
                        <div class="rubric-levels">
                            {c.levels.iter().enumerate().map(|(li, l)| {
                                let m = li + 1;
                                view! {
                                    <div class="rubric-level">
                                        <label for=format!("level-{ci}-{li}-points")>{format!("Criterion {n}, level {m}: points")}</label>
                                        <input id=format!("level-{ci}-{li}-points") class="narrow" type="text" inputmode="decimal" disabled=locked
                                            prop:value=l.points.clone()
                                            on:input=move |ev| { let v = event_target_value(&ev); rubric.update_untracked(|r| if let Some(l) = r.get_mut(ci).and_then(|c| c.levels.get_mut(li)) { l.points = v }); typed.update(|t| *t += 1); } />
                                        <label for=format!("level-{ci}-{li}-text")>{format!("Criterion {n}, level {m}: description")}</label>
                                        <textarea id=format!("level-{ci}-{li}-text") rows="2" disabled=locked prop:value=l.description.clone()
                                            on:input=move |ev| { let v = event_target_value(&ev); rubric.update_untracked(|r| if let Some(l) = r.get_mut(ci).and_then(|c| c.levels.get_mut(li)) { l.description = v }); }></textarea>
                                        {(!locked).then(|| view! {
                                            <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Remove level {m} of criterion {n}")
                                                on:click=move |_| rubric.update(|r| if let Some(c) = r.get_mut(ci) && li < c.levels.len() { c.levels.remove(li); })>"Remove level"</button>
                                        })}
                                    </div>
                                }
                            }).collect_view()}
                        </div>
                        {(!locked).then(|| view! {
                            <p>
                                <button type="button" class="btn btn-small btn-secondary" on:click=move |_| rubric.update(|r| if let Some(c) = r.get_mut(ci) { c.levels.push(LevelForm::default()) })>
                                    {format!("Add a level to criterion {n}")}</button>" "
                                <button type="button" class="btn btn-small btn-danger" on:click=move |_| rubric.update(|r| if ci < r.len() { r.remove(ci); })>
                                    {format!("Remove criterion {n}")}</button>
                            </p>
                        })}
                    </fieldset>
                }
            }).collect_view()}
            {(!locked).then(|| view! {
                <p><button type="button" class="btn btn-secondary" on:click=move |_| rubric.update(|r| r.push(blank_criterion()))>"Add a criterion"</button></p>
            })}
            <p>{move || { rubric.track(); format!("Points possible: {}", crate::grading::model::format_points(total())) }}</p>
        </div>
    }
}
