//! The grader table (learners × items, sticky headers, inline edits that report conflicts) and a
//! learner's "My grades".

mod cell;
mod import;
mod setup;

use super::model::*;
use super::server::*;
use crate::error::AppError;
use crate::ui::route_id;
use crate::ui::{ErrorPage, FormAlert, Pagination};
use leptos::prelude::*;
use leptos_meta::Title;

fn percent(p: Option<f64>) -> String {
    p.map(|p| format!("{} %", format_points(p)))
        .unwrap_or_else(|| "—".into())
}

/// The selected cell, for the details panel: item, learner id and name, the cell as loaded.
#[derive(Clone)]
pub(super) struct Selected {
    item: GradeItemView,
    user_id: i64,
    learner: String,
    cell: GradeCell,
}

#[component]
pub fn GradebookPage() -> impl IntoView {
    let course_id = route_id("id");
    let number = crate::ui::pagination::page_param;
    let page = number("page");
    let cols = number("cols");
    let actions = setup::SetupActions::new();
    let hide = ServerAction::<SetGradeItemHidden>::new();
    let reload = RwSignal::new(0u32);
    let selected = RwSignal::new(None::<Selected>);
    // Kept here so the import's preview and result survive the table reloading after it.
    let import_state = import::ImportState::new(reload);
    let table = Resource::new(
        move || {
            (
                course_id.get(),
                page.get(),
                cols.get(),
                actions.version(),
                hide.version().get(),
                reload.get(),
            )
        },
        |(id, page, cols, ..)| load_grader_table(id, page, cols),
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
                let (learner_page, col_page) = (t.page, t.col_page);
                view! {
                    <nav aria-label="Breadcrumb" class="breadcrumb"><a href=format!("/courses/{cid}/edit")>{t.course_title.clone()}</a>" › Gradebook"</nav>
                    <div class="page-header">
                        <h1>"Gradebook"</h1>
                        <div class="actions">
                            <a class="btn btn-secondary" href=format!("/courses/{cid}/grades.csv") download="">"Download CSV"</a>
                            <button type="button" class="btn btn-secondary" on:click=move |_| reload.update(|r| *r += 1)>"Reload"</button>
                        </div>
                    </div>
                    <FormAlert result=Signal::from(hide.value()) />
                    {if t.items.is_empty() {
                        view! { <p>"No grade items yet. Quizzes appear here once someone submits one, assignments once added; add other items below."</p> }.into_any()
                    } else {
                        view! {
                            <ColumnPages course_id=cid table=t.clone() />
                            <GraderGrid table=t.clone() hide selected />
                        }.into_any()
                    }}
                    <Pagination page=learner_page page_count total=t.total_learners href=move |p| format!("/courses/{cid}/gradebook?page={p}&cols={col_page}") />
                    {move || selected.get().map(|s| view! { <cell::CellPanel selected=s close=selected reload /> })}
                    {t.may_edit_setup.then(|| view! { <setup::Setup table=t.clone() actions /> })}
                    <import::ImportPanel course_id=cid state=import_state />
                }.into_any()
            })}
        </Suspense>
    }
}

/// "Items 13–24 of 40" with links to the neighbouring pages of columns.
#[component]
fn ColumnPages(course_id: i64, table: GraderTable) -> impl IntoView {
    if table.col_pages <= 1 {
        return ().into_any();
    }
    let per = COLUMNS_PER_PAGE as usize;
    let first = (table.col_page as usize - 1) * per + 1;
    let last = (first + table.items.len()).saturating_sub(1);
    let href = move |c: u32| {
        format!(
            "/courses/{course_id}/gradebook?page={}&cols={c}",
            table.page
        )
    };
    view! {
        <nav class="column-pages" aria-label="Grade item columns">
            {(table.col_page > 1).then(|| view! { <a class="btn btn-small btn-secondary" href=href(table.col_page - 1)>"Previous items"</a> })}
            <span>{format!("Items {first}–{last} of {}", table.total_items)}</span>
            {(table.col_page < table.col_pages).then(|| view! { <a class="btn btn-small btn-secondary" href=href(table.col_page + 1)>"Next items"</a> })}
        </nav>
    }
    .into_any()
}

/// The grid is the largest page Lyceum renders (a page is 50 learners × 12 items), so a cell is
/// only its input: the input's name comes from the row and column headers (aria-labelledby), and
/// the cell's Details button, its status and its override reason appear when needed (the Details
/// button on the cell that has focus). About 100 bytes of HTML per cell.
#[component]
fn GraderGrid(
    table: GraderTable,
    hide: ServerAction<SetGradeItemHidden>,
    selected: RwSignal<Option<Selected>>,
) -> impl IntoView {
    let items = table.items.clone();
    // The cell that has (or last had) focus: (item id, learner id). A selector, so that moving
    // the focus wakes only the two cells concerned, not all 600.
    let current = RwSignal::new(None::<(i64, i64)>);
    let focused = Selector::new(move || current.get());
    // One live region for the whole grid: "Saved" is announced without a region per cell.
    let announce = RwSignal::new(String::new());
    view! {
        <p class="visually-hidden" role="status">{move || announce.get()}</p>
        // Shown on narrow screens, where the table scrolls sideways under its sticky first column.
        <p class="scroll-hint" id="grader-scroll-hint">"Scroll sideways for more items"</p>
        // The outer box draws the fading edge that says "more to the right" over the scroller.
        <div class="grader-scroller">
            <div class="grader-wrap" role="region" aria-label="Grades: learners in rows, items in columns"
                aria-describedby="grader-scroll-hint" tabindex="0">
                <table class="grader">
                    <thead>
                        <tr>
                            <th scope="col" class="sticky-col">"Learner"</th>
                            {items.iter().map(|i| {
                                let (id, hidden, name) = (i.id, i.hidden, i.name.clone());
                                view! {
                                    <th scope="col">
                                        <span id=format!("i{id}")>{i.name.clone()}
                                            <span class="small muted">{format!(" (out of {})", format_points(i.max_points))}{i.extra_credit.then_some(" (extra)")}</span>
                                        </span>
                                        {i.category.clone().map(|c| view! { <span class="small muted block">{c}</span> })}
                                        {hidden.then(|| view! { <span class="badge badge-warning">"Hidden from learners"</span> })}
                                        <button type="button" class="btn btn-small btn-secondary block" aria-label=format!("{} “{name}” {}", if hidden { "Show" } else { "Hide" }, if hidden { "to learners" } else { "from learners" })
                                            on:click=move |_| { hide.dispatch(SetGradeItemHidden { grade_item_id: id, hidden: !hidden }); }>
                                            {if hidden { "Show" } else { "Hide" }}</button>
                                    </th>
                                }
                            }).collect_view()}
                            <th scope="col">"Total"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {table.rows.into_iter().map(|row| {
                            let total = RwSignal::new((row.total_percent, row.letter.clone()));
                            let learner = StoredValue::new(row.name.clone());
                            let user_id = row.user_id;
                            view! {
                                <tr>
                                    <th scope="row" class="sticky-col"><span id=format!("l{user_id}")>{row.name.clone()}</span><span class="small muted block">{row.email.clone()}</span></th>
                                    {row.cells.into_iter().zip(items.clone()).map(|(cell, item)| {
                                        view! { <GradeInput user_id learner item cell total current focused=focused.clone() selected announce /> }
                                    }).collect_view()}
                                    <td class="total">{move || { let (p, l) = total.get(); format!("{}{}", percent(p), l.map(|l| format!(" ({l})")).unwrap_or_default()) }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </div>
    }
}

/// One editable cell. Saving sends the version the grader saw; a newer change by someone else
/// comes back as a conflict, shown in the cell, and nothing is overwritten.
#[component]
fn GradeInput(
    user_id: i64,
    learner: StoredValue<String>,
    item: GradeItemView,
    cell: GradeCell,
    total: RwSignal<(Option<f64>, Option<String>)>,
    current: RwSignal<Option<(i64, i64)>>,
    focused: Selector<Option<(i64, i64)>>,
    selected: RwSignal<Option<Selected>>,
    announce: RwSignal<String>,
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
    let has_feedback = !cell.feedback.is_empty();
    let item = StoredValue::new(item);
    let cell = StoredValue::new(cell);
    let key = (item_id, user_id);
    let needs_reason = move || from_source && value.get() != saved_value.get_value();
    let label = move || {
        let item = item.read_value();
        format!(
            "{}: {} (out of {})",
            learner.read_value(),
            item.name,
            format_points(item.max_points)
        )
    };
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
            feedback: None,
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
                    announce.set(format!("Saved: {}", label()));
                }
                Err(AppError::Conflict(message)) => status.set(Some(Err(message))),
                Err(error) => status.set(Some(Err(error
                    .field("points")
                    .or(error.field("reason"))
                    .unwrap_or_else(|| error.to_string())))),
            }
        });
    };
    let status_id = format!("s{item_id}-{user_id}");
    let described_by = {
        let status_id = status_id.clone();
        move || status.get().is_some().then(|| status_id.clone())
    };
    view! {
        <td class:fb=has_feedback>
            <input inputmode="decimal" aria-labelledby=format!("l{user_id} i{item_id}") bind:value=value
                aria-invalid=move || matches!(status.get(), Some(Err(_))).then_some("true")
                aria-describedby=described_by
                on:focus=move |_| current.set(Some(key))
                on:change=move |_| { if !needs_reason() { save(); } } />
            {move || needs_reason().then(|| {
                let reason_id = format!("r{item_id}-{user_id}");
                view! {
                    <label class="visually-hidden" for=reason_id.clone()>{format!("Reason for overriding {}", label())}</label>
                    <input id=reason_id type="text" placeholder="Reason for the override" bind:value=reason />
                    <button type="button" class="btn btn-small btn-secondary" on:click=move |_| save()>"Override"</button>
                }
            })}
            {move || focused.selected(&Some(key)).then(|| {
                let pick = move || Selected { item: item.get_value(), user_id, learner: learner.get_value(), cell: cell.get_value() };
                // The name starts with the visible word, so "click Details" works for voice control.
                let word = if has_feedback { "Feedback" } else { "Details" };
                view! {
                    <button type="button" class="btn btn-small btn-link" aria-label=format!("{word} for {}, {}", learner.read_value(), item.read_value().name)
                        on:click=move |_| selected.set(Some(pick()))>{word}</button>
                }
            })}
            {move || status.get().map(|s| view! {
                <span id=status_id.clone() class="cell-status">{match s {
                    Ok(m) => view! { <span class="ok">"✓ "{m}</span> }.into_any(),
                    Err(m) => view! { <span class="field-error" role="alert">{m}</span> }.into_any(),
                }}</span>
            })}
        </td>
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
                    {if g.rows.is_empty() {
                        view! { <p class="empty-state">"Nothing is graded in this course yet."</p> }.into_any()
                    } else {
                        // A course without grade categories gets no empty Category column.
                        let categories = g.rows.iter().any(|r| r.category.is_some());
                        view! {
                            <div class="table-wrap">
                                <table class="data-table my-grades">
                                    <caption class="visually-hidden">"Your grades in this course"</caption>
                                    <thead><tr>
                                        <th scope="col">"Item"</th>
                                        {categories.then(|| view! { <th scope="col">"Category"</th> })}
                                        <th scope="col" class="num">"Grade"</th>
                                        <th scope="col">"Feedback"</th>
                                    </tr></thead>
                                    <tbody>
                                        {g.rows.iter().map(|r| view! {
                                            <tr>
                                                <th scope="row">{match r.link.clone() {
                                                    Some(href) => view! { <a href=href>{r.name.clone()}</a> }.into_any(),
                                                    None => view! { {r.name.clone()} }.into_any(),
                                                }}</th>
                                                {categories.then(|| view! { <td>{r.category.clone().unwrap_or_default()}</td> })}
                                                <td class="num">{if r.excused { "Excused".to_string() } else {
                                                    r.points.map(|p| format!("{} / {}", format_points(p), format_points(r.max_points))).unwrap_or_else(|| "Not graded yet".into())
                                                }}</td>
                                                <td class="pre-wrap">{r.feedback.clone()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Suspense>
    }
}
