//! The cmi5 course in the player (its outline with the learner's progress, each AU launched
//! into a frame or a window of its own) and its panels in the item editor (upload, outline;
//! each learner's AUs, with waivers and resets). Launching, waiving and resetting are plain form
//! posts, so they work before the page's script loads.

use super::model::{AuStatus, CourseInfo, LearnerResult, Part, Results, WAIVER_REASONS};
use super::server::{ResetRegistration, WaiveAu, cmi5_results, load_cmi5_course};
use crate::error::AppError;
use crate::packages::pages::PackagePanel;
use crate::ui::format::{datetime, human_size, plural};
use crate::ui::pagination::Pagination;
use crate::ui::{ErrorPage, FormAlert};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The frame's name: launch forms open their AU in it.
fn frame_name(item_id: i64) -> String {
    format!("cmi5-{item_id}")
}

#[component]
pub fn CoursePlayer(item_id: i64) -> impl IntoView {
    let course = Resource::new(|| (), move |_| load_cmi5_course(item_id));
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match course.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(None) => view! {
                        <p class="empty-state">"This course has not been uploaded yet."</p>
                    }.into_any(),
                    Ok(Some(c)) => view! { <Player course=c /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Player(course: CourseInfo) -> impl IntoView {
    let item_id = course.item_id;
    let status = if !course.records {
        "You are viewing as staff: AUs open in Browse mode and nothing is recorded."
    } else if course.satisfied {
        "You have met this course's requirements."
    } else {
        "Open each part below; your progress is saved as you go."
    };
    view! {
        <section class="cmi5-player" aria-labelledby="cmi5-outline-heading">
            <h2 id="cmi5-outline-heading">{course.title.clone()}</h2>
            <p role="status">{status}</p>
            <ol class="cmi5-outline">
                {course.parts.into_iter().map(|part| view! { <OutlineRow item_id part records=course.records /> }).collect_view()}
            </ol>
            <iframe class="scorm-frame" name=frame_name(item_id) title="The course part you opened"
                src="about:blank"></iframe>
        </section>
    }
}

/// What an AU reached, in words.
fn progress(au: &AuStatus) -> String {
    let mut words: Vec<&str> = Vec::new();
    if au.waived {
        words.push("waived");
    }
    if au.completed {
        words.push("completed");
    }
    if au.passed {
        words.push("passed");
    } else if au.failed {
        words.push("failed");
    }
    let mut text = if words.is_empty() {
        "Not started or in progress".to_string()
    } else {
        let joined = words.join(", ");
        let mut chars = joined.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
            .unwrap_or_default()
    };
    if let Some(score) = au.score {
        text.push_str(&format!(" · score {:.0}%", score * 100.0));
    }
    if au.satisfied {
        text.push_str(" · done");
    }
    text
}

#[component]
fn OutlineRow(item_id: i64, part: Part, records: bool) -> impl IntoView {
    let indent = format!("--depth: {}", part.depth);
    match part.au {
        None => view! {
            <li class="cmi5-block" style=indent>
                <h3>{part.title}</h3>
                {(!part.description.is_empty()).then(|| view! { <p class="hint">{part.description.clone()}</p> })}
            </li>
        }
        .into_any(),
        Some(au) => {
            let target = if au.own_window {
                "_blank".to_string()
            } else {
                frame_name(item_id)
            };
            let button = if au.own_window {
                format!("Open “{}” in a new window", part.title)
            } else {
                format!("Open “{}”", part.title)
            };
            // A learner may look at what they finished again without it counting.
            let reviewable = records && (au.completed || au.passed || au.failed || au.waived);
            let review_label = format!("Review “{}” (nothing you do counts)", part.title);
            let review_target = target.clone();
            view! {
                <li class="cmi5-au" style=indent>
                    <span class="cmi5-au-title">{part.title.clone()}</span>
                    " "
                    <span class="badge">{progress(&au)}</span>
                    <form method="post" action=format!("/cmi5/{item_id}/launch") target=target class="inline-form">
                        <input type="hidden" name="au" value=au.index.to_string() />
                        <button type="submit" class="btn btn-secondary" aria-label=button>"Open"</button>
                    </form>
                    {reviewable.then(|| view! {
                        <form method="post" action=format!("/cmi5/{item_id}/launch") target=review_target class="inline-form">
                            <input type="hidden" name="au" value=au.index.to_string() />
                            <input type="hidden" name="review" value="true" />
                            <button type="submit" class="btn btn-secondary" aria-label=review_label>"Review"</button>
                        </form>
                    })}
                </li>
            }
            .into_any()
        }
    }
}

#[component]
pub fn PackageSetup(item_id: i64, can_edit: bool) -> impl IntoView {
    let course = Resource::new(|| (), move |_| load_cmi5_course(item_id));
    view! {
        <PackagePanel can_edit heading="cmi5 package"
            hint="Each AU reports to Lyceum's learning record store; the item is done when the course's moveOn criteria are met, and the AUs' scores go to the gradebook (their mean, out of 100 points)."
            action=format!("/items/{item_id}/cmi5-package")
            file_hint="A cmi5 .zip with cmi5.xml, or the cmi5.xml alone when every AU is on another server. A new upload replaces the package."
            accept=".zip,application/zip,.xml,text/xml,application/xml">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match course.await {
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                        Ok(None) => view! {
                            <p class="empty-state">"No package yet: upload the .zip file your authoring tool exported as cmi5."</p>
                        }.into_any(),
                        Ok(Some(c)) => view! { <Summary course=c /> }.into_any(),
                    }
                })}
            </Suspense>
        </PackagePanel>
        <LearnerResults item_id />
    }
}

#[component]
fn LearnerResults(item_id: i64) -> impl IntoView {
    let page = crate::ui::pagination::page_param("page");
    let waive = ServerAction::<WaiveAu>::new();
    let reset = ServerAction::<ResetRegistration>::new();
    let results = Resource::new(
        move || (page.get(), waive.version().get(), reset.version().get()),
        move |(page, ..)| cmi5_results(item_id, page),
    );
    let posted: Signal<Option<Result<(), AppError>>> =
        crate::ui::forms::with_posted(waive.value().into());
    // The row's form has no place for a field's message (its learner is a hidden field), so a
    // refused field is said at the top, where the alert shows general messages only.
    let waived = Signal::derive(move || {
        posted.get().map(|result| {
            result.map_err(
                |e| match ["au", "reason", "user_id"].iter().find_map(|f| e.field(f)) {
                    Some(message) => AppError::BadRequest(message),
                    None => e,
                },
            )
        })
    });
    let reset_done: Signal<Option<Result<(), AppError>>> = reset.value().into();
    view! {
        <section class="card" id="results" aria-labelledby="results-heading">
            <h2 id="results-heading">"Learners' results"</h2>
            <FormAlert result=waived success="The AU was waived: it counts as satisfied for the learner." />
            <FormAlert result=reset_done success="The learner starts the course afresh at their next launch." />
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(r) => view! { <ResultsTable item_id results=r waive reset /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ResultsTable(
    item_id: i64,
    results: Results,
    waive: ServerAction<WaiveAu>,
    reset: ServerAction<ResetRegistration>,
) -> impl IntoView {
    let page = results.page;
    let (number, page_count, total) = (page.page, page.page_count(), page.total);
    let summary = format!(
        "{} started, {} satisfied the course, of {}.",
        results.started,
        results.satisfied,
        plural(results.learners, "learner", "learners")
    );
    let may_manage = results.may_manage;
    let aus = results.aus;
    view! {
        <p>{summary}</p>
        <p><a class="btn btn-secondary btn-small" href=format!("/items/{item_id}/cmi5-results.csv") download="">"Export CSV"</a></p>
        <div class="table-wrap">
            <table class="data-table" data-testid="cmi5-results">
                <caption class="visually-hidden">"Learners and what each AU reached"</caption>
                <thead><tr>
                    <th scope="col">"Learner"</th>
                    {aus.iter().map(|title| view! { <th scope="col">{title.clone()}</th> }).collect_view()}
                    <th scope="col">"Course"</th>
                    <th scope="col">"Score"</th>
                    <th scope="col">"Last activity"</th>
                    {may_manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr></thead>
                <tbody>
                    {page.items.into_iter().map(|r| view! {
                        <ResultRow item_id result=r aus=aus.clone() may_manage waive reset />
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pagination page=number page_count total href=move |p| format!("?page={p}#results") />
    }
}

#[component]
fn ResultRow(
    item_id: i64,
    result: LearnerResult,
    aus: Vec<String>,
    may_manage: bool,
    waive: ServerAction<WaiveAu>,
    reset: ServerAction<ResetRegistration>,
) -> impl IntoView {
    let user_id = result.user_id;
    let name = result.name.clone();
    // The AUs that may still be waived: those not satisfied yet.
    let open: Vec<(usize, String)> = aus
        .iter()
        .zip(&result.aus)
        .enumerate()
        .filter(|(_, (_, r))| !r.satisfied)
        .map(|(i, (title, _))| (i, title.clone()))
        .collect();
    let first_open = open.first().map_or(0, |(i, _)| *i);
    let au = RwSignal::new(first_open);
    let reason = RwSignal::new(WAIVER_REASONS[3].to_string());
    let started = result.started;
    view! {
        <tr>
            <th scope="row">{result.name.clone()}<br /><span class="muted">{result.email.clone()}</span></th>
            {result.aus.iter().map(|r| view! { <td>{r.label()}</td> }).collect_view()}
            <td>{if result.satisfied { "Satisfied" } else if started { "In progress" } else { "Not started" }}</td>
            <td>{result.score.map(|s| format!("{s:.0} %")).unwrap_or_else(|| "–".into())}</td>
            <td>{result.last_seen.map(datetime).unwrap_or_else(|| "–".into())}</td>
            {may_manage.then(|| view! {
                <td class="stack-small">
                    {(!open.is_empty()).then(|| view! {
                        <details>
                            <summary>{format!("Waive an AU for {name}")}</summary>
                            <form class="form" method="post" action=WaiveAu::PATH on:submit=move |ev: leptos::ev::SubmitEvent| {
                                ev.prevent_default();
                                waive.dispatch(WaiveAu { item_id, user_id, au: au.get_untracked(), reason: reason.get_untracked() });
                            }>
                                <input type="hidden" name="item_id" value=item_id.to_string() />
                                <input type="hidden" name="user_id" value=user_id.to_string() />
                                <div class="field">
                                    <label for=format!("waive-au-{user_id}")>"AU"</label>
                                    <select id=format!("waive-au-{user_id}") name="au"
                                        on:change=move |ev| { if let Ok(i) = event_target_value(&ev).parse() { au.set(i); } }>
                                        {open.iter().map(|(i, title)| view! {
                                            <option value=i.to_string() selected=*i == first_open>{title.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for=format!("waive-reason-{user_id}")>"Reason"</label>
                                    <select id=format!("waive-reason-{user_id}") name="reason"
                                        on:change=move |ev| reason.set(event_target_value(&ev))>
                                        {WAIVER_REASONS.iter().map(|r| view! {
                                            <option value=*r selected=*r == WAIVER_REASONS[3]>{*r}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <button type="submit" class="btn btn-small btn-secondary" disabled=move || waive.pending().get()>"Waive"</button>
                            </form>
                        </details>
                    })}
                    {started.then(|| view! {
                        <details>
                            <summary>{format!("Start {} afresh", result.name)}</summary>
                            <form method="post" action=ResetRegistration::PATH on:submit=move |ev: leptos::ev::SubmitEvent| {
                                ev.prevent_default();
                                reset.dispatch(ResetRegistration { item_id, user_id });
                            }>
                                <p class="hint">"Their next launch begins a new registration; what they did so far stays on record, and their completion and grade stay until the course reports again."</p>
                                <input type="hidden" name="item_id" value=item_id.to_string() />
                                <input type="hidden" name="user_id" value=user_id.to_string() />
                                <button type="submit" class="btn btn-small btn-danger" disabled=move || reset.pending().get()>"Yes, start afresh"</button>
                            </form>
                        </details>
                    })}
                </td>
            })}
        </tr>
    }
}

#[component]
fn Summary(course: CourseInfo) -> impl IntoView {
    let aus = course.parts.iter().filter(|p| p.au.is_some()).count();
    view! {
        <dl class="facts">
            <dt>"Course"</dt><dd>{course.title.clone()}</dd>
            <dt>"File"</dt><dd>{course.file_name.clone()}</dd>
            <dt>"Holds"</dt>
            <dd>{format!("{} · {} · {}", plural(aus as i64, "AU", "AUs"), plural(course.file_count, "file", "files"), human_size(course.total_bytes))}</dd>
            <dt>"Uploaded"</dt><dd>{datetime(course.uploaded_at)}</dd>
        </dl>
        <ul class="cmi5-outline">
            {course.parts.into_iter().map(|p| {
                let what = match &p.au {
                    Some(au) => format!("{} (moveOn: {})", p.title, au.move_on),
                    None => format!("Block: {}", p.title),
                };
                view! { <li style=format!("--depth: {}", p.depth)>{what}</li> }
            }).collect_view()}
        </ul>
    }
}
