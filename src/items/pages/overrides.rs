//! The item editor's "Dates for some learners" panel: extensions and accommodations for any kind
//! with dates (the fields are the kind's), listed with their reason and a Remove button.

use crate::error::AppError;
use crate::items::kind::DateField;
use crate::items::server::{RemoveOverride, SetOverride, load_overrides};
use crate::overrides::model::{OverrideForm, OverrideList};
use crate::ui::forms::field_error;
use crate::ui::pagination::Pagination;
use crate::ui::{ErrorPage, Field, FormAlert, TextArea, format};
use leptos::prelude::*;

#[component]
pub fn OverridesPanel(item_id: i64, can_edit: bool) -> impl IntoView {
    let page = crate::ui::pagination::page_param("overrides_page");
    let set = ServerAction::<SetOverride>::new();
    let remove = ServerAction::<RemoveOverride>::new();
    let list = Resource::new(
        move || (page.get(), set.version().get(), remove.version().get()),
        move |(page, ..)| load_overrides(item_id, page),
    );
    view! {
        <section class="card" aria-labelledby="overrides-heading">
            <h2 id="overrides-heading">"Dates for some learners"</h2>
            <p class="hint">"Extensions and accommodations: other dates, more time or more attempts for the learners you name. They replace the item's own for those learners only and are not copied with the course."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => view! { <Overrides item_id list set remove can_edit /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// "Their due date": the panel's labels differ from the item's own fields on the same page.
fn field_label(field: DateField) -> &'static str {
    match field {
        DateField::Due => "Their due date",
        DateField::Cutoff => "Their cut-off",
        DateField::Opens => "Their opening date",
        DateField::Closes => "Their closing date",
        DateField::TimeLimit => "Their time limit (minutes)",
        DateField::ExtraAttempts => "Extra attempts",
    }
}

fn field_name(field: DateField) -> &'static str {
    match field {
        DateField::Due => "override_due_at",
        DateField::Cutoff => "override_cutoff_at",
        DateField::Opens => "override_opens_at",
        DateField::Closes => "override_closes_at",
        DateField::TimeLimit => "override_time_limit",
        DateField::ExtraAttempts => "override_extra_attempts",
    }
}

#[component]
fn Overrides(
    item_id: i64,
    list: OverrideList,
    set: ServerAction<SetOverride>,
    remove: ServerAction<RemoveOverride>,
    can_edit: bool,
) -> impl IntoView {
    let learners = RwSignal::new(String::new());
    let cohort = RwSignal::new(String::new());
    let values: Vec<(DateField, RwSignal<String>)> = list
        .fields
        .iter()
        .map(|f| (*f, RwSignal::new(String::new())))
        .collect();
    let reason = RwSignal::new(String::new());
    let result: Signal<Option<Result<usize, AppError>>> = set.value().into();
    let removed: Signal<Option<Result<(), AppError>>> = remove.value().into();
    let stored_values = StoredValue::new(values.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut form = OverrideForm {
            learners: learners.get_untracked(),
            cohort: cohort.get_untracked(),
            reason: reason.get_untracked(),
            ..Default::default()
        };
        for (field, value) in stored_values.get_value() {
            let v = value.get_untracked();
            match field {
                DateField::Due => form.due_at = v,
                DateField::Cutoff => form.cutoff_at = v,
                DateField::Opens => form.opens_at = v,
                DateField::Closes => form.closes_at = v,
                DateField::TimeLimit => form.time_limit_minutes = v,
                DateField::ExtraAttempts => form.extra_attempts = v,
            }
        }
        set.dispatch(SetOverride { item_id, form });
    };
    let page = list.page;
    let groups = list.groups;
    let cohort_error = field_error(result, "cohort");
    view! {
        {can_edit.then(|| view! {
            <form class="form" on:submit=submit>
                <FormAlert result success="Dates set." />
                <TextArea label="Learners" name="override_learners" value=learners rows=2
                    error=field_error(result, "learners")
                    hint="Email addresses of learners of this course, separated by commas or new lines." />
                {(!groups.is_empty()).then(|| view! {
                    <div class="field">
                        <label for="field-override_cohort">"Or a whole group"</label>
                        <select id="field-override_cohort" name="override_cohort"
                            aria-invalid=move || if cohort_error.get().is_some() { "true" } else { "false" }
                            aria-describedby="field-override_cohort-error"
                            on:change=move |ev| cohort.set(event_target_value(&ev))
                            prop:value=move || cohort.get()>
                            <option value="">"No group"</option>
                            {groups.iter().map(|g| view! {
                                <option value=g.cohort_id.to_string()>
                                    {format!("{} ({})", g.name, format::plural(g.learners, "learner", "learners"))}
                                </option>
                            }).collect_view()}
                        </select>
                        {move || cohort_error.get().map(|e| view! { <p class="field-error" id="field-override_cohort-error">{e}</p> })}
                    </div>
                })}
                {values.into_iter().map(|(field, value)| {
                    let kind = match field {
                        DateField::TimeLimit | DateField::ExtraAttempts => "number",
                        _ => "datetime-local",
                    };
                    view! {
                        <Field label=field_label(field) name=field_name(field) kind value
                            error=field_error(result, field.as_str()) />
                    }
                }).collect_view()}
                <Field label="Reason (optional)" name="override_reason" value=reason error=field_error(result, "reason") />
                <div class="form-actions"><button type="submit" class="btn btn-primary" disabled=move || set.pending().get()>"Set dates"</button></div>
            </form>
        })}
        <FormAlert result=removed success="Removed: the learner has the item's own dates again." />
        {if page.items.is_empty() {
            view! { <p>"Every learner has the item's own dates."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="data-table">
                        <caption class="visually-hidden">"Learners with their own dates"</caption>
                        <thead><tr><th scope="col">"Learner"</th><th scope="col">"Their dates"</th><th scope="col">"Reason"</th>
                            <th scope="col">"Set"</th><th scope="col">"Actions"</th></tr></thead>
                        <tbody>
                            {page.items.iter().map(|o| {
                                let user_id = o.user_id;
                                let name = o.name.clone();
                                view! {
                                    <tr>
                                        <td>{o.name.clone()}<br /><span class="small muted">{o.email.clone()}</span></td>
                                        <td>{o.dates.describe()}</td>
                                        <td>{o.reason.clone()}</td>
                                        <td>{format!("{} by {}", format::datetime(o.set_at), o.set_by.clone().unwrap_or_else(|| "—".into()))}</td>
                                        <td>{can_edit.then(|| view! {
                                            <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Remove the dates of {name}")
                                                on:click=move |_| { remove.dispatch(RemoveOverride { item_id, user_id }); }>"Remove"</button>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <Pagination page=page.page page_count=page.page_count() total=page.total href=move |p| format!("?overrides_page={p}") />
            }.into_any()
        }}
    }
}
