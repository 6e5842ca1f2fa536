//! Graders' pages: the submissions list (filters, counts, zip of all work, release) and one
//! learner's work with the grading form (points or rubric, feedback text and files).

use super::super::model::*;
use super::super::server::*;
use crate::error::AppError;
use crate::grading::model::format_points;
use crate::ui::format::human_size;
use crate::ui::route_id;
use crate::ui::{ErrorPage, FormAlert, Pagination, format};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn points_text(p: Option<f64>, max: f64) -> String {
    p.map(|p| format!("{} / {}", format_points(p), format_points(max)))
        .unwrap_or_else(|| "—".into())
}

#[component]
pub fn SubmissionsPage() -> impl IntoView {
    let course_id = route_id("id");
    let item_id = route_id("item_id");
    let query = use_query_map();
    let page = crate::ui::pagination::page_param("page");
    let filter = Memo::new(move |_| query.with(|q| q.get("filter").unwrap_or_default()));
    let release = ServerAction::<ReleaseAssignmentGrades>::new();
    let list = Resource::new(
        move || {
            (
                item_id.get(),
                filter.get(),
                page.get(),
                release.version().get(),
            )
        },
        |(id, filter, page, _)| load_submissions(id, filter, page),
    );
    let release_result: Signal<Option<Result<(), AppError>>> = release.value().into();
    view! {
        <Title text="Submissions" />
        <Suspense fallback=|| view! { <p>"Loading submissions…"</p> }>
            {move || Suspend::new(async move {
                let l = match list.await {
                    Ok(l) => l,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let cid = course_id.get_untracked();
                let iid = l.item_id;
                let base = format!("/courses/{cid}/assignments/{iid}/submissions");
                let page_count = (l.total.max(1) as u32).div_ceil(l.per_page);
                let filter_now = l.filter;
                let released = l.released;
                let c = l.counts.clone();
                let max = l.max_points;
                view! {
                    <nav aria-label="Breadcrumb" class="breadcrumb">
                        <a href=format!("/courses/{cid}/edit")>"Course editor"</a>" › "
                        <a href=format!("/courses/{cid}/items/{iid}/edit")>{l.title.clone()}</a>" › Submissions"
                    </nav>
                    <div class="page-header">
                        <h1>{format!("Submissions: {}", l.title)}</h1>
                        <div class="actions">
                            <a class="btn btn-secondary" href=format!("/assignments/{iid}/submissions.zip") download="">"Download all (zip)"</a>
                            <button type="button" class="btn btn-primary" disabled=move || release.pending().get()
                                on:click=move |_| { release.dispatch(ReleaseAssignmentGrades { item_id: iid, released: !released }); }>
                                {if released { "Hide grades from learners" } else { "Release grades to learners" }}</button>
                        </div>
                    </div>
                    <FormAlert result=release_result />
                    <p role="status">{if released {
                        "Grades are released: learners see their grade, rubric and feedback."
                    } else {
                        "Grades are hidden: learners see nothing of their grading until you release it."
                    }}</p>
                    <ul class="stats plain-list" aria-label="Counts">
                        <li class="stat"><span class="stat-value">{c.learners}</span><span class="stat-label">"learners"</span></li>
                        <li class="stat"><span class="stat-value">{c.submitted}</span><span class="stat-label">"submitted"</span></li>
                        <li class="stat"><span class="stat-value">{c.needs_grading}</span><span class="stat-label">"need grading"</span></li>
                        <li class="stat"><span class="stat-value">{c.late}</span><span class="stat-label">"late"</span></li>
                    </ul>
                    <nav class="tabs" aria-label="Show">
                        {SubmissionFilter::ALL.iter().map(|f| {
                            let current = *f == filter_now;
                            view! {
                                <a href=format!("{base}?filter={}", f.as_str()) aria-current=current.then_some("page")
                                    class=if current { "tab active" } else { "tab" }>{f.label()}</a>
                            }
                        }).collect_view()}
                    </nav>
                    {if l.rows.is_empty() {
                        view! { <p class="empty-state">"Nobody here."</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap">
                                <table class="data-table">
                                    <caption class="visually-hidden">"Learners and their work"</caption>
                                    <thead><tr>
                                        <th scope="col">"Learner"</th><th scope="col">"Status"</th><th scope="col">"Handed in"</th>
                                        <th scope="col">"Files"</th><th scope="col">"Grade"</th><th scope="col"><span class="visually-hidden">"Open"</span></th>
                                    </tr></thead>
                                    <tbody>
                                        {l.rows.iter().map(|r| view! {
                                            <tr>
                                                <th scope="row">{r.name.clone()}<span class="small muted block">{r.email.clone()}</span></th>
                                                <td>{r.status.label()}
                                                    {r.late_by.map(|s| view! { " " <span class="badge badge-warning">{format!("Late by {}", describe_late(s))}</span> })}
                                                    {r.needs_grading.then(|| view! { " " <span class="badge">"Needs grading"</span> })}</td>
                                                <td>{r.submitted_at.map(format::datetime).unwrap_or_default()}</td>
                                                <td>{r.file_count}</td>
                                                <td>{points_text(r.points, max)}</td>
                                                <td><a href=format!("{base}/{}", r.user_id)>{format!("Grade {}", r.name)}</a></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }}
                    <Pagination page=l.page page_count total=l.total href=move |p| format!("{base}?filter={}&page={p}", filter_now.as_str()) />
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn SubmissionGradingPage() -> impl IntoView {
    let item_id = route_id("item_id");
    let user_id = route_id("user_id");
    let reload = RwSignal::new(0u32);
    let detail = Resource::new(
        move || (item_id.get(), user_id.get(), reload.get()),
        |(item, user, _)| load_submission(item, user),
    );
    view! {
        <Title text="Grade work" />
        <Suspense fallback=|| view! { <p>"Loading the work…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <Grading d reload /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Grading(d: SubmissionDetail, reload: RwSignal<u32>) -> impl IntoView {
    let base = format!(
        "/courses/{}/assignments/{}/submissions",
        d.course_id, d.item_id
    );
    let status = match (d.status, d.submitted_at) {
        (SubmissionStatus::Submitted, Some(at)) => format!(
            "Submitted {}{}",
            format::datetime(at),
            if d.submit_count > 1 {
                format!(" (handed in {} times)", d.submit_count)
            } else {
                String::new()
            }
        ),
        (other, _) => other.label().to_string(),
    };
    view! {
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href=base.clone()>{format!("Submissions: {}", d.title)}</a>" › "{d.name.clone()}
        </nav>
        <div class="page-header">
            <h1>{format!("{}: {}", d.name, d.title)}</h1>
            <nav class="actions" aria-label="Other learners">
                {d.previous.map(|p| view! { <a class="btn btn-secondary" rel="prev" href=format!("{base}/{p}")>"Previous learner"</a> })}
                {d.next.map(|n| view! { <a class="btn btn-secondary" rel="next" href=format!("{base}/{n}")>"Next learner"</a> })}
            </nav>
        </div>
        <div class="grading-layout">
            <section class="card" aria-labelledby="work-heading">
                <h2 id="work-heading">"The work"</h2>
                <p><strong>"Status: "</strong>{status}
                    {d.late_by.map(|s| view! { " " <span class="badge badge-warning">{format!("Late by {}", describe_late(s))}</span> })}</p>
                {(d.penalty_percent > 0.0).then(|| view! {
                    <p>{format!("The late rule takes {} % off the grade.", format_points(d.penalty_percent))}</p>
                })}
                {if d.body_html.trim().is_empty() {
                    view! { <p class="muted">"No text."</p> }.into_any()
                } else {
                    view! { <div class="prose submitted-text" inner_html=d.body_html.clone()></div> }.into_any()
                }}
                {(!d.files.is_empty()).then(|| view! {
                    <h3>"Files"</h3>
                    <ul class="plain-list">{d.files.iter().map(|f| view! {
                        <li><a href=f.url()>{f.name.clone()}</a>" "<span class="small muted">{human_size(f.size_bytes)}</span></li>
                    }).collect_view()}</ul>
                })}
            </section>
            <section class="card" aria-labelledby="grade-heading">
                <h2 id="grade-heading">"Grade"</h2>
                {(!d.released).then(|| view! { <p class="hint">"Grades are hidden from learners until you release them on the submissions page."</p> })}
                <GradeForm d=d.clone() />
                <FeedbackFiles d=d.clone() reload />
            </section>
        </div>
    }
}

#[component]
fn GradeForm(d: SubmissionDetail) -> impl IntoView {
    let item_id = d.item_id;
    let user_id = d.user_id;
    let settings = d.settings.clone();
    let rubric = settings.rubric.clone();
    let points = RwSignal::new(d.raw_points.map(format_points).unwrap_or_default());
    let levels = RwSignal::new(if d.rubric_levels.len() == rubric.len() {
        d.rubric_levels.clone()
    } else {
        vec![None; rubric.len()]
    });
    let feedback = RwSignal::new(d.feedback.clone());
    let version = StoredValue::new(d.grade_version);
    let result = RwSignal::new(None::<Result<GradeSaved, AppError>>);
    let saving = RwSignal::new(false);
    let rubric_for_total = rubric.clone();
    let live_total = move || rubric_points(&rubric_for_total, &levels.get());
    let settings_for_final = settings.clone();
    let save = move || {
        saving.set(true);
        let input = GradeInput {
            points: points.get_untracked(),
            rubric_levels: levels.get_untracked(),
            feedback: feedback.get_untracked(),
            version: version.get_value(),
        };
        leptos::task::spawn_local(async move {
            let r = grade_submission(item_id, user_id, input).await;
            if let Ok(saved) = &r {
                version.set_value(saved.version);
            }
            result.set(Some(r));
            saving.set(false);
        });
    };
    let error_for = move |field: &'static str| {
        Signal::derive(move || {
            result
                .get()
                .and_then(|r| r.err())
                .and_then(|e| e.field(field))
        })
    };
    let is_rubric = !rubric.is_empty();
    view! {
        <form class="form" on:submit=move |ev| { ev.prevent_default(); save(); }>
            {move || match result.get() {
                Some(Ok(saved)) => Some(view! {
                    <div class="alert alert-success" role="status">{format!("Grade saved: {}.",
                        points_text(saved.points, settings_for_final.max_points))}</div>
                }.into_any()),
                Some(Err(AppError::Conflict(m))) => Some(view! { <div class="alert alert-error" role="alert">{m}</div> }.into_any()),
                Some(Err(e)) => e.general().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> }.into_any()),
                None => None,
            }}
            {if is_rubric {
                let error = error_for("rubric");
                view! {
                    <div class="rubric-grid" id="field-rubric">
                        {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                        {rubric.iter().enumerate().map(|(ci, c)| view! {
                            <fieldset class="rubric-criterion">
                                <legend>{format!("{} (up to {})", c.description, format_points(c.max_points()))}</legend>
                                <div class="rubric-choices">
                                    {c.levels.iter().enumerate().map(|(li, l)| view! {
                                        <label class="rubric-choice">
                                            <input type="radio" name=format!("criterion-{ci}")
                                                prop:checked=move || levels.with(|v| v.get(ci).copied().flatten() == Some(li))
                                                on:change=move |_| levels.update(|v| if let Some(level) = v.get_mut(ci) { *level = Some(li) }) />
                                            <span>{format!("{} — {}", format_points(l.points), l.description)}</span>
                                        </label>
                                    }).collect_view()}
                                </div>
                            </fieldset>
                        }).collect_view()}
                        <p>{move || format!("Rubric total: {}", points_text(live_total(), settings.max_points))}</p>
                    </div>
                }.into_any()
            } else {
                let error = error_for("points");
                view! {
                    <div class="field">
                        <label for="grade-points">{format!("Points (out of {})", format_points(settings.max_points))}</label>
                        <p class="hint" id="grade-points-hint">"Before any late penalty; the gradebook gets the points after it. Empty for no grade."</p>
                        <input id="grade-points" type="text" inputmode="decimal" class="narrow" bind:value=points
                            aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                            aria-describedby="grade-points-hint grade-points-error" />
                        {move || error.get().map(|e| view! { <p class="field-error" id="grade-points-error">{e}</p> })}
                    </div>
                }.into_any()
            }}
            <div class="field">
                <label for="grade-feedback">"Feedback"</label>
                <p class="hint" id="grade-feedback-hint">"Markdown formatting works."</p>
                <textarea id="grade-feedback" rows="8" bind:value=feedback aria-describedby="grade-feedback-hint"></textarea>
                {move || error_for("feedback").get().map(|e| view! { <p class="field-error">{e}</p> })}
            </div>
            <button type="submit" class="btn btn-primary" disabled=move || saving.get()>"Save grade"</button>
        </form>
    }
}

/// Feedback files: a plain form upload and remove buttons.
#[component]
fn FeedbackFiles(d: SubmissionDetail, reload: RwSignal<u32>) -> impl IntoView {
    let item_id = d.item_id;
    let user_id = d.user_id;
    let query = use_query_map();
    let upload_error = query.get_untracked().get("upload_error");
    let remove = ServerAction::<RemoveFeedbackFile>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            reload.update(|r| *r += 1);
        }
    });
    view! {
        <div id="feedback-files">
            <h3>"Feedback files"</h3>
            {move || remove.value().get().and_then(|r| r.err()).map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })}
            {if d.feedback_files.is_empty() {
                view! { <p>"None."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">{d.feedback_files.iter().map(|f| {
                        let file_id = f.id;
                        view! {
                            <li><a href=f.url()>{f.name.clone()}</a>" "
                                <button type="button" class="btn btn-small btn-danger" aria-label=format!("Remove {}", f.name)
                                    on:click=move |_| { remove.dispatch(RemoveFeedbackFile { item_id, user_id, file_id }); }>"Remove"</button></li>
                        }
                    }).collect_view()}</ul>
                }.into_any()
            }}
            <form class="form inline-form" method="post" action=format!("/assignments/{item_id}/feedback/{user_id}") enctype="multipart/form-data">
                <div class="field">
                    <label for="feedback-file">"Add a feedback file"</label>
                    <input id="feedback-file" type="file" name="file" required
                        aria-invalid=if upload_error.is_some() { "true" } else { "false" }
                        aria-describedby=upload_error.as_ref().map(|_| "feedback-file-error") />
                    {upload_error.clone().map(|e| view! { <p class="field-error" id="feedback-file-error" role="alert">{e}</p> })}
                </div>
                <button type="submit" class="btn btn-secondary">"Upload"</button>
            </form>
        </div>
    }
}
