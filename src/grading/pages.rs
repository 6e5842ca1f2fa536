//! The grader table (learners × items, sticky headers, inline edits that report conflicts) and a
//! learner's "My grades".

use super::model::*;
use super::server::*;
use crate::courses::pages::route_id;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{Checkbox, ErrorPage, Field, FormAlert, Pagination, TextArea};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn percent(p: Option<f64>) -> String {
    p.map(|p| format!("{} %", format_points(p)))
        .unwrap_or_else(|| "—".into())
}

#[component]
pub fn GradebookPage() -> impl IntoView {
    let course_id = route_id("id");
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(1)
        })
    });
    let add_category = ServerAction::<AddGradeCategory>::new();
    let add_item = ServerAction::<AddGradeItem>::new();
    let settings = ServerAction::<SaveGradebookSettings>::new();
    let reload = RwSignal::new(0u32);
    let table = Resource::new(
        move || {
            (
                course_id.get(),
                page.get(),
                add_category.version().get(),
                add_item.version().get(),
                settings.version().get(),
                reload.get(),
            )
        },
        |(id, page, ..)| load_grader_table(id, page),
    );
    view! {
        <Title text="Gradebook" />
        <Suspense fallback=|| view! { <p>"Loading the gradebook…"</p> }>
            {move || Suspend::new(async move {
                let t = match table.await {
                    Ok(t) => t,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let cid = t.course_id;
                let page_count = (t.total_learners.max(1) as u32).div_ceil(t.per_page);
                view! {
                    <nav aria-label="Breadcrumb" class="breadcrumb"><a href=format!("/courses/{cid}/edit")>{t.course_title.clone()}</a>" › Gradebook"</nav>
                    <div class="page-header">
                        <h1>"Gradebook"</h1>
                        <div class="actions">
                            <a class="btn btn-secondary" href=format!("/courses/{cid}/grades.csv") download="">"Download CSV"</a>
                            <button type="button" class="btn btn-secondary" on:click=move |_| reload.update(|r| *r += 1)>"Reload"</button>
                        </div>
                    </div>
                    {if t.items.is_empty() {
                        view! { <p>"No grade items yet. Quizzes appear here once someone submits one; add other items below."</p> }.into_any()
                    } else {
                        view! { <GraderGrid table=t.clone() /> }.into_any()
                    }}
                    <Pagination page=t.page page_count total=t.total_learners href=move |p| format!("/courses/{cid}/gradebook?page={p}") />
                    {t.may_edit_setup.then(|| view! {
                        <div class="bank-layout">
                            <section class="card" aria-labelledby="add-grade-item"><h2 id="add-grade-item">"Add a grade item"</h2>
                                <AddItemForm course_id=cid categories=t.categories.clone() action=add_item /></section>
                            <section class="card" aria-labelledby="add-grade-category"><h2 id="add-grade-category">"Categories"</h2>
                                <ul class="plain-list">{t.categories.iter().map(|c| view! {
                                    <li>{format!("{}: weight {} %, drop lowest {}", c.name, format_points(c.weight), c.drop_lowest)}</li>
                                }).collect_view()}</ul>
                                <AddCategoryForm course_id=cid action=add_category /></section>
                            <section class="card" aria-labelledby="grade-settings"><h2 id="grade-settings">"Course grade"</h2>
                                <SettingsForm course_id=cid pass_percent=t.pass_percent.clone() letters=t.letters.clone() action=settings /></section>
                        </div>
                    })}
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn GraderGrid(table: GraderTable) -> impl IntoView {
    let items = table.items.clone();
    view! {
        <div class="grader-wrap" role="region" aria-label="Grades: learners in rows, items in columns" tabindex="0">
            <table class="grader">
                <thead>
                    <tr>
                        <th scope="col" class="sticky-col">"Learner"</th>
                        {items.iter().map(|i| view! {
                            <th scope="col">
                                {i.name.clone()}
                                <span class="small muted">{format!(" / {}", format_points(i.max_points))}{i.extra_credit.then_some(" (extra)")}</span>
                                {i.category.clone().map(|c| view! { <span class="small muted block">{c}</span> })}
                            </th>
                        }).collect_view()}
                        <th scope="col">"Total"</th>
                    </tr>
                </thead>
                <tbody>
                    {table.rows.into_iter().map(|row| {
                        let total = RwSignal::new((row.total_percent, row.letter.clone()));
                        let learner = row.name.clone();
                        view! {
                            <tr>
                                <th scope="row" class="sticky-col">{row.name.clone()}<span class="small muted block">{row.email.clone()}</span></th>
                                {row.cells.into_iter().zip(items.clone()).map(|(cell, item)| view! {
                                    <td><GradeInput user_id=row.user_id learner=learner.clone() item cell total /></td>
                                }).collect_view()}
                                <td class="total">{move || { let (p, l) = total.get(); format!("{}{}", percent(p), l.map(|l| format!(" ({l})")).unwrap_or_default()) }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One editable cell. Saving sends the version the grader saw; a newer change by someone else
/// comes back as a conflict, shown in the cell, and nothing is overwritten.
#[component]
fn GradeInput(
    user_id: i64,
    learner: String,
    item: GradeItemView,
    cell: GradeCell,
    total: RwSignal<(Option<f64>, Option<String>)>,
) -> impl IntoView {
    let initial = if cell.excused {
        "EX".to_string()
    } else {
        cell.shown().map(format_points).unwrap_or_default()
    };
    let value = RwSignal::new(initial.clone());
    let saved_value = StoredValue::new(initial);
    let reason = RwSignal::new(String::new());
    let version = StoredValue::new(cell.version);
    let status = RwSignal::new(None::<Result<String, String>>);
    let item_id = item.id;
    let from_source = item.from_source;
    let label = format!(
        "{learner}: {} (out of {})",
        item.name,
        format_points(item.max_points)
    );
    let needs_reason = move || from_source && value.get() != saved_value.get_value();
    let save = move || {
        let typed = value.get_untracked();
        let excused = typed.trim().eq_ignore_ascii_case("ex");
        let edit = CellEdit {
            points: if excused {
                String::new()
            } else {
                typed.clone()
            },
            excused,
            feedback: String::new(),
            reason: reason.get_untracked(),
            version: version.get_value(),
        };
        status.set(None);
        leptos::task::spawn_local(async move {
            match save_grade_cell(item_id, user_id, edit).await {
                Ok(saved) => {
                    version.set_value(saved.version);
                    saved_value.set_value(typed);
                    reason.set(String::new());
                    total.set((saved.total_percent, saved.letter));
                    status.set(Some(Ok("Saved".into())));
                }
                Err(AppError::Conflict(message)) => status.set(Some(Err(message))),
                Err(error) => status.set(Some(Err(error
                    .field("points")
                    .or(error.field("reason"))
                    .unwrap_or_else(|| error.to_string())))),
            }
        });
    };
    let id = format!("cell-{item_id}-{user_id}");
    let (reason_id, status_id) = (format!("{id}-reason"), format!("{id}-status"));
    let reason_label = format!("Reason for overriding {label}");
    view! {
        <div class="grade-cell">
            <input id=id.clone() type="text" inputmode="decimal" class="narrow" aria-label=label.clone() bind:value=value
                aria-invalid=move || if matches!(status.get(), Some(Err(_))) { "true" } else { "false" }
                aria-describedby=status_id.clone()
                on:change=move |_| { if !needs_reason() { save(); } } />
            {move || needs_reason().then(|| view! {
                <label class="visually-hidden" for=reason_id.clone()>{reason_label.clone()}</label>
                <input id=reason_id.clone() type="text" placeholder="Reason for the override" bind:value=reason />
                <button type="button" class="btn btn-small btn-secondary" on:click=move |_| save()>"Override"</button>
            })}
            <span id=status_id class="cell-status" role="status">{move || match status.get() {
                Some(Ok(m)) => view! { <span class="ok">"✓ "{m}</span> }.into_any(),
                Some(Err(m)) => view! { <span class="field-error" role="alert">{m}</span> }.into_any(),
                None => ().into_any(),
            }}</span>
        </div>
    }
}

#[component]
fn AddItemForm(
    course_id: i64,
    categories: Vec<GradeCategoryView>,
    action: ServerAction<AddGradeItem>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let max = RwSignal::new("100".to_string());
    let category = RwSignal::new(String::new());
    let extra = RwSignal::new(false);
    let result: Signal<Option<Result<i64, AppError>>> = action.value().into();
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            action.dispatch(AddGradeItem { course_id, category_id: category.get_untracked(), name: name.get_untracked(), max_points: max.get_untracked(), extra_credit: extra.get_untracked() });
        }>
            <FormAlert result success="Grade item added." />
            <Field label="Name" name="name" value=name error=field_error(result, "name") />
            <Field label="Points possible" name="max_points" value=max error=field_error(result, "max_points") />
            <div class="field">
                <label for="grade-item-category">"Category"</label>
                <select id="grade-item-category" on:change=move |ev| category.set(event_target_value(&ev))>
                    <option value="">"None"</option>
                    {categories.iter().map(|c| view! { <option value=c.id.to_string()>{c.name.clone()}</option> }).collect_view()}
                </select>
            </div>
            <Checkbox label="Extra credit" name="extra_credit" checked=extra />
            <button type="submit" class="btn btn-primary">"Add item"</button>
        </form>
    }
}

#[component]
fn AddCategoryForm(course_id: i64, action: ServerAction<AddGradeCategory>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let weight = RwSignal::new("0".to_string());
    let drop = RwSignal::new("0".to_string());
    let result: Signal<Option<Result<i64, AppError>>> = action.value().into();
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            action.dispatch(AddGradeCategory { course_id, name: name.get_untracked(), weight: weight.get_untracked(), drop_lowest: drop.get_untracked() });
        }>
            <FormAlert result success="Category added." />
            <Field label="Category name" name="category_name" value=name error=field_error(result, "name") />
            <Field label="Weight (%)" name="weight" value=weight error=field_error(result, "weight") hint="0 everywhere: the total is points-based." />
            <Field label="Drop the lowest" name="drop_lowest" value=drop error=field_error(result, "drop_lowest") />
            <button type="submit" class="btn btn-secondary">"Add category"</button>
        </form>
    }
}

#[component]
fn SettingsForm(
    course_id: i64,
    pass_percent: String,
    letters: String,
    action: ServerAction<SaveGradebookSettings>,
) -> impl IntoView {
    let pass = RwSignal::new(pass_percent);
    let letters = RwSignal::new(letters);
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            action.dispatch(SaveGradebookSettings { course_id, pass_percent: pass.get_untracked(), letters: letters.get_untracked() });
        }>
            <FormAlert result success="Course grade settings saved." />
            <Field label="Pass grade (%)" name="pass_percent" value=pass error=field_error(result, "pass_percent")
                hint="Empty for none. With a pass grade, completing the course also needs a total of at least this." />
            <TextArea label="Letter scheme" name="letters" value=letters error=field_error(result, "letters") rows=8
                hint="One band per line: the letter, a colon, the lowest percentage (A: 93)." />
            <button type="submit" class="btn btn-secondary">"Save course grade settings"</button>
        </form>
    }
}

#[component]
pub fn MyGradesPage() -> impl IntoView {
    let course_id = route_id("id");
    let grades = Resource::new(move || course_id.get(), load_my_grades);
    view! {
        <Title text="My grades" />
        <Suspense fallback=|| view! { <p>"Loading your grades…"</p> }>
            {move || Suspend::new(async move {
                let g = match grades.await {
                    Ok(g) => g,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                view! {
                    <nav aria-label="Breadcrumb" class="breadcrumb"><a href=format!("/courses/{}", g.course_id)>{g.course_title.clone()}</a>" › My grades"</nav>
                    <h1>"My grades"</h1>
                    <p class="quiz-grade">"Course total: "<strong>{percent(g.total_percent)}</strong>{g.letter.clone().map(|l| format!(" ({l})"))}</p>
                    <table class="table">
                        <thead><tr><th scope="col">"Item"</th><th scope="col">"Category"</th><th scope="col">"Grade"</th><th scope="col">"Feedback"</th></tr></thead>
                        <tbody>
                            {g.rows.iter().map(|r| view! {
                                <tr>
                                    <td>{r.name.clone()}</td>
                                    <td>{r.category.clone().unwrap_or_default()}</td>
                                    <td>{if r.excused { "Excused".to_string() } else {
                                        r.points.map(|p| format!("{} / {}", format_points(p), format_points(r.max_points))).unwrap_or_else(|| "Not graded yet".into())
                                    }}</td>
                                    <td class="pre-wrap">{r.feedback.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            })}
        </Suspense>
    }
}
