//! The cmi5 course in the player (its outline with the learner's progress, each AU launched
//! into a frame or a window of its own) and its panel in the item editor (upload, outline).
//! Launching is a plain form post, so it works before the page's script loads.

use super::model::{AuStatus, CourseInfo, Part};
use super::server::load_cmi5_course;
use crate::ui::ErrorPage;
use crate::ui::format::{datetime, human_size, plural};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

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
                {course.parts.into_iter().map(|part| view! { <OutlineRow item_id part /> }).collect_view()}
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
fn OutlineRow(item_id: i64, part: Part) -> impl IntoView {
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
            view! {
                <li class="cmi5-au" style=indent>
                    <span class="cmi5-au-title">{part.title.clone()}</span>
                    " "
                    <span class="badge">{progress(&au)}</span>
                    <form method="post" action=format!("/cmi5/{item_id}/launch") target=target class="inline-form">
                        <input type="hidden" name="au" value=au.index.to_string() />
                        <button type="submit" class="btn btn-secondary" aria-label=button>"Open"</button>
                    </form>
                </li>
            }
            .into_any()
        }
    }
}

#[component]
pub fn PackageSetup(item_id: i64, can_edit: bool) -> impl IntoView {
    let query = use_query_map();
    let q = query.get_untracked();
    let upload_error = q.get("upload_error");
    let uploaded = q.get("uploaded").is_some_and(|v| v == "package");
    let course = Resource::new(|| (), move |_| load_cmi5_course(item_id));
    let has_error = upload_error.is_some();
    view! {
        <section class="card" id="package" aria-labelledby="package-heading">
            <h2 id="package-heading">"cmi5 package"</h2>
            {(uploaded && !has_error).then(|| view! {
                <div class="alert alert-success" role="status">"The package was uploaded and checked."</div>
            })}
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
            <p class="hint">
                "Each AU reports to Lyceum's learning record store; the item is done when the course's moveOn criteria are met, and the AUs' scores go to the gradebook (their mean, out of 100 points)."
            </p>
            {can_edit.then(|| view! {
                <form class="form inline-form" method="post" action=format!("/items/{item_id}/cmi5-package") enctype="multipart/form-data">
                    <div class="field">
                        <label for="package-file">"Upload a package"</label>
                        <p class="hint" id="package-file-hint">"A cmi5 .zip with cmi5.xml. A new upload replaces the package."</p>
                        <input id="package-file" type="file" name="file" required accept=".zip,application/zip"
                            aria-invalid=if has_error { "true" } else { "false" }
                            aria-describedby=if has_error { "package-file-hint package-file-error" } else { "package-file-hint" } />
                        {upload_error.clone().map(|e| view! { <p class="field-error" id="package-file-error" role="alert">{e}</p> })}
                    </div>
                    <button type="submit" class="btn btn-secondary">"Upload"</button>
                </form>
            })}
        </section>
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
