//! The course's "Import and export" page: upload a Common Cartridge (a plain multipart form that
//! works before the page's script loads; its refusal is shown next to the file field), the
//! imports made so far with what each made and what it could not import, and the course to
//! download as a cartridge (a plain link).

use super::model::ImportReport;
use super::server::cartridge_imports;
use crate::paging::Page;
use crate::ui::route_id;
use crate::ui::{ErrorPage, Pagination, format};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CartridgeImportPage() -> impl IntoView {
    let course_id = route_id("id");
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query.with(|q| q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1u32))
    });
    let q = query.get_untracked();
    let upload_error = q.get("upload_error");
    let imported: Option<i64> = q.get("imported").and_then(|v| v.parse().ok());
    let has_error = upload_error.is_some();
    let list = Resource::new(
        move || (course_id.get(), page.get()),
        |(id, p)| cartridge_imports(id, p),
    );
    view! {
        <Title text="Import and export" />
        <div class="page-header">
            <h1>"Import and export"</h1>
            <div class="actions">
                <a class="btn btn-secondary" href=move || format!("/courses/{}/edit", course_id.get())>"Back to the course"</a>
            </div>
        </div>
        {(imported.is_some() && !has_error).then(|| view! {
            <div class="alert alert-success" role="status">"The cartridge was imported. Its report is below."</div>
        })}
        <section class="card" aria-labelledby="cartridge-heading">
            <h2 id="cartridge-heading">"Common Cartridge"</h2>
            <p class="hint">
                "A course exported from Canvas, Moodle, Blackboard, D2L or a publisher as an IMS Common Cartridge (1.0 to 1.3). "
                "Its modules are added after this course's sections: pages become lessons, files file items, web links links, "
                "quizzes quizzes with their questions in the bank, assignments assignments. What cannot be imported is listed in the report."
            </p>
            <form class="form inline-form" method="post" action=move || format!("/courses/{}/cartridge", course_id.get()) enctype="multipart/form-data">
                <div class="field">
                    <label for="cartridge-file">"Cartridge file"</label>
                    <p class="hint" id="cartridge-file-hint">"An .imscc or .zip file."</p>
                    <input id="cartridge-file" type="file" name="file" required accept=".imscc,.zip,application/zip"
                        aria-invalid=if has_error { "true" } else { "false" }
                        aria-describedby=if has_error { "cartridge-file-hint cartridge-file-error" } else { "cartridge-file-hint" } />
                    {upload_error.clone().map(|e| view! { <p class="field-error" id="cartridge-file-error" role="alert">{e}</p> })}
                </div>
                <button type="submit" class="btn btn-primary">"Import"</button>
            </form>
        </section>
        <section class="card" aria-labelledby="export-heading">
            <h2 id="export-heading">"Export"</h2>
            <p class="hint">
                "This course as an IMS Common Cartridge 1.3, for Lyceum, Canvas, Moodle and other systems that import one. "
                "Sections become modules with their lessons, files, links, quizzes (with their questions) and assignments; hidden items stay hidden in Lyceum and Canvas. "
                "Videos go as web links. SCORM and cmi5 packages, acknowledgements and the random draws of quizzes are left out: a cartridge has no place for them. "
                "Learners' work and grades stay here."
            </p>
            <a class="btn btn-secondary" download="" href=move || format!("/courses/{}/cartridge.imscc", course_id.get())>"Download the course as a cartridge"</a>
        </section>
        <section class="card" aria-labelledby="imports-heading">
            <h2 id="imports-heading">"Imports"</h2>
            <Suspense fallback=|| view! { <p>"Loading the imports…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(page) => view! { <ImportList page course_id=course_id.get_untracked() open=imported /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ImportList(page: Page<ImportReport>, course_id: i64, open: Option<i64>) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <p>"Nothing has been imported into this course yet."</p> }.into_any();
    }
    let (current, count, total) = (page.page, page.page_count(), page.total);
    let newest = page.items.first().map(|r| r.id);
    view! {
        <ul class="import-list">
            {page.items.into_iter().map(|r| {
                let id = r.id;
                let is_open = open.map_or(current == 1 && newest == Some(id), |o| o == id);
                view! { <li id=format!("import-{id}")><ImportReportView report=r open=is_open /></li> }
            }).collect_view()}
        </ul>
        <Pagination page=current page_count=count total
            href=move |p| format!("/courses/{course_id}/import?page={p}") />
    }
    .into_any()
}

#[component]
fn ImportReportView(report: ImportReport, open: bool) -> impl IntoView {
    let title = if report.title.is_empty() {
        report.file_name.clone()
    } else {
        report.title.clone()
    };
    let version =
        (!report.version.is_empty()).then(|| format!(" · Common Cartridge {}", report.version));
    let made = format!(
        "{}, {}, {}, {}",
        format::plural(report.sections, "section", "sections"),
        format::plural(report.items, "item", "items"),
        format::plural(report.questions, "question", "questions"),
        format::plural(report.files, "file", "files"),
    );
    let skipped_count = report.skipped.len();
    view! {
        <details open=open>
            <summary>
                <strong>{title}</strong>
                " — "{format::datetime(report.created_at)}
                {report.imported_by.clone().map(|n| format!(" by {n}"))}
            </summary>
            <p>{report.file_name.clone()}{version}</p>
            <p>"Made: "{made}"."</p>
            {if skipped_count == 0 {
                view! { <p>"Everything in the cartridge was imported."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <caption>{format!("Not imported, or only in part ({skipped_count})")}</caption>
                        <thead><tr><th scope="col">"What"</th><th scope="col">"Why"</th></tr></thead>
                        <tbody>
                            {report.skipped.into_iter().map(|s| view! {
                                <tr><td>{s.title}</td><td>{s.reason}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </details>
    }
}
