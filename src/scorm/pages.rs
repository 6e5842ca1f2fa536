//! The package in the player (its table of contents and a frame that plays it) and its panel in
//! the item editor (upload, what the package holds).

use super::model::{PackageInfo, TocItem};
use super::server::load_package;
use crate::ui::ErrorPage;
use crate::ui::format::{datetime, human_size};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The frame's name: table-of-contents links open their SCO in it, with or without script.
fn frame_name(item_id: i64) -> String {
    format!("scorm-{item_id}")
}

/// The items a learner may open: launchable and shown by the manifest.
fn openable(package: &PackageInfo) -> Vec<TocItem> {
    package
        .structure
        .items
        .iter()
        .filter(|i| i.visible)
        .cloned()
        .collect()
}

#[component]
pub fn PackagePlayer(item_id: i64) -> impl IntoView {
    let package = Resource::new(|| (), move |_| load_package(item_id));
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match package.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(None) => view! {
                        <p class="empty-state">"This package has not been uploaded yet."</p>
                    }.into_any(),
                    Ok(Some(p)) => view! { <Player package=p /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Player(package: PackageInfo) -> impl IntoView {
    let item_id = package.item_id;
    let items = openable(&package);
    let first = items
        .iter()
        .find_map(|i| i.launch.clone())
        .unwrap_or_default();
    let base = package.base_url.clone();
    let current = RwSignal::new(first.clone());
    let several = items.iter().filter(|i| i.launch.is_some()).count() > 1;
    let title = package.structure.title.clone();
    let src = {
        let base = base.clone();
        move || format!("{base}{}", current.get())
    };
    view! {
        <div class="scorm-player" class:with-toc=several>
            {several.then(|| {
                let base = base.clone();
                view! {
                    <nav class="scorm-toc" aria-label="Contents of the package">
                        <ul>
                            {items.into_iter().map(|i| {
                                let depth = format!("--depth: {}", i.depth);
                                match i.launch {
                                    Some(launch) => {
                                        let href = format!("{base}{launch}");
                                        let target = frame_name(item_id);
                                        let mine = launch.clone();
                                        let is_current = move || current.get() == mine;
                                        view! {
                                            <li style=depth>
                                                <a href=href target=target
                                                    aria-current=move || if is_current() { Some("page") } else { None }
                                                    on:click=move |_| current.set(launch.clone())>{i.title}</a>
                                            </li>
                                        }.into_any()
                                    }
                                    None => view! { <li style=depth class="scorm-toc-heading">{i.title}</li> }.into_any(),
                                }
                            }).collect_view()}
                        </ul>
                    </nav>
                }
            })}
            <iframe class="scorm-frame" name=frame_name(item_id) title=title src=src
                allow="fullscreen; autoplay"></iframe>
        </div>
        <p class="small muted">
            <a href=format!("{base}{first}") target="_blank" rel="noopener">"Open the package in a new window"</a>
        </p>
    }
}

#[component]
pub fn PackageSetup(item_id: i64, can_edit: bool) -> impl IntoView {
    let query = use_query_map();
    let q = query.get_untracked();
    let upload_error = q.get("upload_error");
    let uploaded = q.get("uploaded").is_some_and(|v| v == "package");
    let package = Resource::new(|| (), move |_| load_package(item_id));
    let has_error = upload_error.is_some();
    view! {
        <section class="card" id="package" aria-labelledby="package-heading">
            <h2 id="package-heading">"SCORM package"</h2>
            {(uploaded && !has_error).then(|| view! {
                <div class="alert alert-success" role="status">"The package was uploaded and checked."</div>
            })}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match package.await {
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                        Ok(None) => view! {
                            <p class="empty-state">"No package yet: upload the .zip file your authoring tool exported as SCORM 1.2 or SCORM 2004."</p>
                        }.into_any(),
                        Ok(Some(p)) => view! { <PackageSummary package=p /> }.into_any(),
                    }
                })}
            </Suspense>
            <p class="hint">
                "Lyceum does not record what packages report yet (score, completion, where the learner stopped): choose above how this item completes."
            </p>
            {can_edit.then(|| view! {
                <form class="form inline-form" method="post" action=format!("/items/{item_id}/package") enctype="multipart/form-data">
                    <div class="field">
                        <label for="package-file">"Upload a package"</label>
                        <p class="hint" id="package-file-hint">"A SCORM 1.2 or 2004 .zip with imsmanifest.xml. A new upload replaces the package."</p>
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
fn PackageSummary(package: PackageInfo) -> impl IntoView {
    let s = &package.structure;
    let launchable = s.launchable().count();
    view! {
        <dl class="facts" data-testid="package-summary">
            <dt>"Title"</dt><dd>{s.title.clone()}</dd>
            <dt>"Standard"</dt><dd>{s.version.label()}</dd>
            <dt>"Contents"</dt>
            <dd>{format!("{launchable} {} to open; {} files, {}", if launchable == 1 { "part" } else { "parts" }, package.file_count, human_size(package.total_bytes))}</dd>
            <dt>"Uploaded"</dt><dd>{format!("{} ({})", datetime(package.uploaded_at), package.file_name)}</dd>
        </dl>
        <details>
            <summary>"Table of contents"</summary>
            <ul class="scorm-outline">
                {s.items.iter().map(|i| {
                    let style = format!("--depth: {}", i.depth);
                    let note = match (i.launch.is_some(), i.sco, i.visible) {
                        (false, _, _) => "",
                        (true, _, false) => " (hidden by the package)",
                        (true, true, true) => "",
                        (true, false, true) => " (page without tracking)",
                    };
                    view! { <li style=style>{i.title.clone()}<span class="muted">{note}</span></li> }
                }).collect_view()}
            </ul>
        </details>
    }
}
