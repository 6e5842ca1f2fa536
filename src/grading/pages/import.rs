//! Importing grades from a CSV file: choose or paste it, check every change and problem, then
//! apply. A cell someone changed after the preview is left alone and reported.

use super::super::model::*;
use super::super::server::*;
use crate::error::AppError;
use crate::ui::TextArea;
use crate::ui::format::plural;
use leptos::prelude::*;

/// The import's text, actions and messages, owned by the page.
#[derive(Clone, Copy)]
pub struct ImportState {
    csv: RwSignal<String>,
    preview: ServerAction<PreviewGradeImport>,
    apply: ServerAction<ApplyGradeImport>,
    read_error: RwSignal<Option<String>>,
}

impl ImportState {
    /// Applying reloads the table (`reload`).
    pub fn new(reload: RwSignal<u32>) -> Self {
        let apply = ServerAction::<ApplyGradeImport>::new();
        Effect::new(move |_| {
            if let Some(Ok(_)) = apply.value().get() {
                reload.update(|r| *r += 1);
            }
        });
        ImportState {
            csv: RwSignal::new(String::new()),
            preview: ServerAction::new(),
            apply,
            read_error: RwSignal::new(None),
        }
    }
}

#[component]
pub fn ImportPanel(course_id: i64, state: ImportState) -> impl IntoView {
    let ImportState {
        csv,
        preview,
        apply,
        read_error,
    } = state;
    let on_file = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let file = _ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|input| input.files())
                .and_then(|list| list.get(0));
            if let Some(file) = file {
                if file.size() > 5_000_000.0 {
                    read_error.set(Some(
                        "The file is larger than 5 MB; split it into smaller files.".into(),
                    ));
                    return;
                }
                leptos::task::spawn_local(async move {
                    match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                        Ok(text) => {
                            read_error.set(None);
                            csv.set(text.as_string().unwrap_or_default());
                        }
                        Err(_) => read_error.set(Some("The file could not be read.".into())),
                    }
                });
            }
        }
    };
    let preview_result: Signal<Option<Result<GradeImportPreview, AppError>>> =
        preview.value().into();
    let csv_error = Signal::derive(move || {
        read_error.get().or_else(|| {
            preview_result
                .get()
                .and_then(|r| r.err())
                .map(|e| e.field("csv").unwrap_or_else(|| e.to_string()))
        })
    });
    view! {
        <section class="card" aria-labelledby="import-grades">
            <h2 id="import-grades">"Import grades from a CSV file"</h2>
            <p class="hint">"Use the layout of “Download CSV”: an email column, then one column per grade item named as in the table. Empty cells leave grades as they are; EX excuses."</p>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                apply.clear();
                preview.dispatch(PreviewGradeImport { course_id, csv: csv.get_untracked() });
            }>
                <div class="field">
                    <label for="grades-csv-file">"CSV file"</label>
                    <input id="grades-csv-file" type="file" accept=".csv,text/csv" on:change=on_file />
                </div>
                <TextArea label="Or paste the CSV" name="grades_csv" value=csv error=csv_error rows=6 />
                <button type="submit" class="btn btn-secondary" disabled=move || preview.pending().get()>"Check the file"</button>
            </form>
            {move || preview_result.get().and_then(|r| r.ok()).map(|p| {
                let changes = p.changes.clone();
                let count = changes.len();
                view! {
                    <p role="status">{format!("{}, {} already as in the file, {}.", plural(count, "change", "changes"), plural(p.unchanged, "grade", "grades"), plural(p.problems.len(), "problem", "problems"))}</p>
                    {(!p.problems.is_empty()).then(|| view! {
                        <table class="data-table">
                            <caption>"Problems (these lines or cells are skipped)"</caption>
                            <thead><tr><th scope="col">"Line"</th><th scope="col">"Problem"</th></tr></thead>
                            <tbody>{p.problems.iter().map(|x| view! { <tr><td>{x.line}</td><td>{x.message.clone()}</td></tr> }).collect_view()}</tbody>
                        </table>
                    })}
                    {(count > 0).then(|| view! {
                        <div class="table-wrap">
                            <table class="data-table">
                                <caption>"Changes"</caption>
                                <thead><tr><th scope="col">"Line"</th><th scope="col">"Learner"</th><th scope="col">"Item"</th><th scope="col">"Now"</th><th scope="col">"New"</th></tr></thead>
                                <tbody>{p.changes.iter().map(|c| view! {
                                    <tr><td>{c.line}</td><td>{c.learner.clone()}</td><td>{c.item.clone()}</td>
                                        <td>{if c.old.is_empty() { "—".to_string() } else { c.old.clone() }}</td><td>{c.new.clone()}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                        </div>
                        <button type="button" class="btn btn-primary" disabled=move || apply.pending().get()
                            on:click=move |_| { apply.dispatch(ApplyGradeImport { course_id, changes: changes.clone() }); }>
                            {format!("Apply {}", plural(count, "change", "changes"))}</button>
                    })}
                }
            })}
            {move || apply.value().get().map(|r| match r {
                Ok(done) => view! {
                    <div class="alert alert-success" role="status">{format!("{} imported.", plural(done.applied, "grade", "grades"))}</div>
                    {(!done.conflicts.is_empty() || !done.failed.is_empty()).then(|| view! {
                        <div class="alert alert-warning" role="alert">
                            <p>"Not imported:"</p>
                            <ul>{done.conflicts.iter().chain(done.failed.iter()).map(|m| view! { <li>{m.clone()}</li> }).collect_view()}</ul>
                        </div>
                    })}
                }.into_any(),
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
            })}
        </section>
    }
}
