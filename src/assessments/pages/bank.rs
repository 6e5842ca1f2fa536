//! The course's question bank: categories, the question list, import (preview first) and export.

use super::super::model::*;
use super::super::server::*;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::route_id;
use crate::ui::{ErrorPage, Field, FormAlert, Pagination, format};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn QuestionBankPage() -> impl IntoView {
    let course_id = route_id("id");
    let query = use_query_map();
    let bank_query = Memo::new(move |_| {
        query.with(|q| BankQuery {
            category_id: q.get("category").and_then(|c| c.parse().ok()),
            search: q.get("q").unwrap_or_default(),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        })
    });
    let save_category = ServerAction::<SaveQuestionCategory>::new();
    let delete_category = ServerAction::<DeleteQuestionCategory>::new();
    let delete_question = ServerAction::<DeleteBankQuestion>::new();
    let import = ServerAction::<ImportQuestions>::new();
    let categories = Resource::new(
        move || {
            (
                course_id.get(),
                save_category.version().get(),
                delete_category.version().get(),
                import.version().get(),
                delete_question.version().get(),
            )
        },
        |(id, ..)| load_question_categories(id),
    );
    let list = Resource::new(
        move || {
            (
                course_id.get(),
                bank_query.get(),
                import.version().get(),
                delete_question.version().get(),
            )
        },
        |(id, q, ..)| load_bank(id, q),
    );
    view! {
        <Title text="Question bank" />
        <div class="page-header">
            <h1>"Question bank"</h1>
            <div class="actions">
                <a class="btn btn-secondary" href=move || format!("/courses/{}/edit", course_id.get())>"Back to the course"</a>
            </div>
        </div>
        <Suspense fallback=|| view! { <p>"Loading the bank…"</p> }>
            {move || Suspend::new(async move {
                let categories = match categories.await {
                    Ok(c) => c,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let cid = course_id.get_untracked();
                view! {
                    <div class="bank-layout">
                        <section class="card" aria-labelledby="bank-questions">
                            <h2 id="bank-questions">"Questions"</h2>
                            <BankFilters course_id=cid categories=categories.clone() current=bank_query.get_untracked() />
                            <NewQuestionMenu course_id=cid category_id=bank_query.get_untracked().category_id.or(categories.first().map(|c| c.id)) />
                            <Suspense fallback=|| view! { <p>"Loading questions…"</p> }>
                                {move || Suspend::new(async move {
                                    match list.await {
                                        Ok(page) => view! { <QuestionTable course_id=cid page query=bank_query.get_untracked() delete=delete_question /> }.into_any(),
                                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                                    }
                                })}
                            </Suspense>
                        </section>
                        <section class="card" aria-labelledby="bank-categories">
                            <h2 id="bank-categories">"Categories"</h2>
                            <CategoryList course_id=cid categories=categories.clone() save=save_category delete=delete_category />
                        </section>
                        <section class="card" aria-labelledby="bank-import">
                            <h2 id="bank-import">"Import questions"</h2>
                            <ImportForm course_id=cid categories=categories.clone() import />
                            <p class="hint">"A QTI package (a .zip with its images) or a Common Cartridge is imported on the course's "
                                <a href=format!("/courses/{cid}/import")>"Import and export"</a>" page; its questions come here."</p>
                        </section>
                        <section class="card" aria-labelledby="bank-export">
                            <h2 id="bank-export">"Export"</h2>
                            <p>"Download the whole bank; Moodle and other systems read these formats."</p>
                            <p class="actions">
                                <a class="btn btn-secondary" href=format!("/courses/{cid}/questions/export?format=gift") download="">"Download GIFT"</a>
                                <a class="btn btn-secondary" href=format!("/courses/{cid}/questions/export?format=aiken") download="">"Download Aiken"</a>
                            </p>
                            <p class="hint">"Aiken holds only single-answer multiple-choice questions; GIFT holds every type except ordering and fill-in-the-blanks. A GIFT file lists the questions it could not hold in comments at the top."</p>
                        </section>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn BankFilters(
    course_id: i64,
    categories: Vec<QuestionCategory>,
    current: BankQuery,
) -> impl IntoView {
    let navigate = use_navigate();
    let search = RwSignal::new(current.search.clone());
    let category = RwSignal::new(
        current
            .category_id
            .map(|c| c.to_string())
            .unwrap_or_default(),
    );
    view! {
        <form class="filters" role="search" on:submit=move |ev| {
            ev.prevent_default();
            let qs = crate::ui::query_string(&[("category", category.get_untracked()), ("q", search.get_untracked())]);
            navigate(&format!("/courses/{course_id}/questions{qs}"), Default::default());
        }>
            <div class="field">
                <label for="bank-category">"Category"</label>
                <select id="bank-category" prop:value=move || category.get() on:change=move |ev| category.set(event_target_value(&ev))>
                    <option value="">"All categories"</option>
                    {categories.iter().map(|c| view! {
                        <option value=c.id.to_string()>{format!("{} ({})", c.name, c.question_count)}</option>
                    }).collect_view()}
                </select>
            </div>
            <Field label="Search by name" name="q" value=search error=Signal::derive(|| None::<String>) kind="search" />
            <button type="submit" class="btn btn-secondary">"Filter"</button>
        </form>
    }
}

#[component]
fn NewQuestionMenu(course_id: i64, category_id: Option<i64>) -> impl IntoView {
    let kind = RwSignal::new("single_choice".to_string());
    let navigate = use_navigate();
    view! {
        <form class="inline-form" on:submit=move |ev| {
            ev.prevent_default();
            let category = category_id.map(|c| format!("&category={c}")).unwrap_or_default();
            navigate(&format!("/courses/{course_id}/questions/new?type={}{category}", kind.get_untracked()), Default::default());
        }>
            <label for="new-question-type">"New question of type"</label>
            <select id="new-question-type" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                {QUESTION_TYPES.iter().map(|(key, label)| view! { <option value=*key>{*label}</option> }).collect_view()}
            </select>
            <button type="submit" class="btn btn-primary">"Create"</button>
        </form>
    }
}

#[component]
fn QuestionTable(
    course_id: i64,
    page: crate::paging::Page<QuestionSummary>,
    query: BankQuery,
    delete: ServerAction<DeleteBankQuestion>,
) -> impl IntoView {
    let error = move || {
        delete
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    if page.items.is_empty() {
        return view! { <p>"No questions here yet. Create one or import a file."</p> }.into_any();
    }
    let href_query = query.clone();
    view! {
        {move || error().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
        <table class="table">
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Type"</th><th scope="col">"Category"</th>
                <th scope="col">"In quizzes"</th><th scope="col">"Changed"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {page.items.iter().map(|q| {
                    let id = q.id;
                    let name = q.name.clone();
                    view! {
                        <tr>
                            <td><a href=format!("/courses/{course_id}/questions/{id}")>{q.name.clone()}</a></td>
                            <td>{q.type_label.clone()}</td>
                            <td>{q.category.clone()}</td>
                            <td>{q.used_in}</td>
                            <td>{format::datetime(q.updated_at)}</td>
                            <td><button type="button" class="btn btn-small btn-danger" aria-label=format!("Delete “{name}”")
                                on:click=move |_| { delete.dispatch(DeleteBankQuestion { course_id, id }); }>"Delete"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <Pagination page=page.page page_count=page.page_count() total=page.total
            href=move |p| {
                let qs = crate::ui::query_string(&[
                    ("category", href_query.category_id.map(|c| c.to_string()).unwrap_or_default()),
                    ("q", href_query.search.clone()),
                    ("page", p.to_string()),
                ]);
                format!("/courses/{course_id}/questions{qs}")
            } />
    }
    .into_any()
}

#[component]
fn CategoryList(
    course_id: i64,
    categories: Vec<QuestionCategory>,
    save: ServerAction<SaveQuestionCategory>,
    delete: ServerAction<DeleteQuestionCategory>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let result: Signal<Option<Result<i64, AppError>>> = save.value().into();
    let delete_error = move || {
        delete
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    view! {
        <ul class="plain-list">
            {categories.iter().map(|c| {
                let id = c.id;
                let label = c.name.clone();
                view! {
                    <li>
                        <a href=format!("/courses/{course_id}/questions?category={id}")>{format!("{} ({})", c.name, c.question_count)}</a>" "
                        <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Delete category “{label}”")
                            on:click=move |_| { delete.dispatch(DeleteQuestionCategory { course_id, id }); }>"Delete"</button>
                    </li>
                }
            }).collect_view()}
        </ul>
        {move || delete_error().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveQuestionCategory { course_id, id: None, name: name.get_untracked() });
            name.set(String::new());
        }>
            <Field label="New category" name="name" value=name error=field_error(result, "name") hint="Use slashes for levels, like Week 1/Cells." />
            <FormAlert result success="Category added." />
            <button type="submit" class="btn btn-secondary">"Add category"</button>
        </form>
    }
}

#[component]
fn ImportForm(
    course_id: i64,
    categories: Vec<QuestionCategory>,
    import: ServerAction<ImportQuestions>,
) -> impl IntoView {
    let format = RwSignal::new("gift".to_string());
    let text = RwSignal::new(String::new());
    let category = RwSignal::new(
        categories
            .first()
            .map(|c| c.id.to_string())
            .unwrap_or_default(),
    );
    let preview = ServerAction::<PreviewQuestionImport>::new();
    let import_result: Signal<Option<Result<usize, AppError>>> = import.value().into();
    let preview_result: Signal<Option<Result<ImportPreview, AppError>>> = preview.value().into();
    let text_error = Signal::derive(move || {
        field_error(import_result, "text")
            .get()
            .or_else(|| field_error(preview_result, "text").get())
    });
    let category_id = move || category.get_untracked().parse::<i64>().unwrap_or(0);
    let run_import = move |only_valid: bool| {
        import.dispatch(ImportQuestions {
            course_id,
            format: format.get_untracked(),
            text: text.get_untracked(),
            category_id: category_id(),
            only_valid,
        });
    };
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            preview.dispatch(PreviewQuestionImport { course_id, format: format.get_untracked(), text: text.get_untracked(), category_id: category_id() });
        }>
            <div class="field">
                <label for="import-format">"Format"</label>
                <select id="import-format" prop:value=move || format.get() on:change=move |ev| format.set(event_target_value(&ev))>
                    <option value="gift">"GIFT (Moodle)"</option>
                    <option value="aiken">"Aiken"</option>
                    <option value="qti">"QTI 1.2 or 2.1 (XML: Canvas, Blackboard, Moodle)"</option>
                </select>
            </div>
            <div class="field">
                <label for="import-category">"Category for questions without one"</label>
                <select id="import-category" prop:value=move || category.get() on:change=move |ev| category.set(event_target_value(&ev))>
                    {categories.iter().map(|c| view! { <option value=c.id.to_string()>{c.name.clone()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="import-file">"File"</label>
                <input id="import-file" type="file" accept=".txt,.gift,.xml,text/plain,text/xml,application/xml" on:change=move |ev| read_file_into(ev, text) />
            </div>
            <div class="field">
                <label for="import-text">"Or paste the questions"</label>
                <textarea id="import-text" rows="10" class="mono" bind:value=text
                    aria-invalid=move || if text_error.get().is_some() { "true" } else { "false" }
                    aria-describedby="import-text-error"></textarea>
                {move || text_error.get().map(|e| view! { <p class="field-error" id="import-text-error">{e}</p> })}
            </div>
            <button type="submit" class="btn btn-secondary" disabled=move || preview.pending().get()>"Check the questions"</button>
        </form>
        {move || match import_result.get() {
            Some(Ok(n)) => Some(view! { <p class="alert alert-success" role="status">{format!("{} imported.", format::plural(n, "question", "questions"))}</p> }.into_any()),
            Some(Err(e)) if e.field("text").is_none() => Some(view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any()),
            _ => None,
        }}
        {move || preview_result.get().and_then(|r| r.ok()).map(|p| {
            let valid = p.questions.len();
            let problems = p.problems.len();
            view! {
                <div class="import-preview" role="region" aria-label="Import preview">
                    <p role="status">{format!("Ready to import: {}; {} found.", format::plural(valid, "question", "questions"), format::plural(problems, "problem", "problems"))}</p>
                    {(problems > 0).then(|| view! {
                        <table class="table">
                            <caption>"Problems"</caption>
                            <thead><tr><th scope="col">"Line"</th><th scope="col">"Problem"</th></tr></thead>
                            <tbody>{p.problems.iter().map(|pr| view! { <tr><td>{pr.line}</td><td>{pr.message.clone()}</td></tr> }).collect_view()}</tbody>
                        </table>
                    })}
                    {(valid > 0).then(|| view! {
                        <table class="table">
                            <caption>"Questions found"</caption>
                            <thead><tr><th scope="col">"Line"</th><th scope="col">"Name"</th><th scope="col">"Type"</th><th scope="col">"Category"</th></tr></thead>
                            <tbody>{p.questions.iter().map(|q| view! {
                                <tr><td>{q.line}</td><td>{q.name.clone()}</td><td>{q.type_label.clone()}</td><td>{q.category.clone()}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    })}
                    <p class="actions">
                        {(problems == 0 && valid > 0).then(|| view! {
                            <button type="button" class="btn btn-primary" disabled=move || import.pending().get()
                                on:click=move |_| run_import(false)>{format!("Import {}", format::plural(valid, "question", "questions"))}</button>
                        })}
                        {(problems > 0 && valid > 0).then(|| view! {
                            <button type="button" class="btn btn-primary" disabled=move || import.pending().get()
                                on:click=move |_| run_import(true)>{format!("Skip the problems and import {}", format::plural(valid, "question", "questions"))}</button>
                        })}
                    </p>
                </div>
            }
        })}
    }
}

/// Reads a chosen text file into the textarea (in the browser; nothing is uploaded until import).
fn read_file_into(ev: leptos::ev::Event, text: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(value) = wasm_bindgen_futures::JsFuture::from(file.text()).await
                && let Some(s) = value.as_string()
            {
                text.set(s);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, text);
}
