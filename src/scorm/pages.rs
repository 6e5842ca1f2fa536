//! The package in the player (its table of contents and a frame that plays it) and its panel in
//! the item editor (upload, what the package holds).

use super::model::{LearnerResult, PackageInfo, Results, TocItem};
use super::sequencing::Availability;
use super::server::{ResetAttempts, load_package, package_results};
use crate::error::AppError;
use crate::packages::pages::PackagePanel;
use crate::ui::format::{datetime, human_size, plural};
use crate::ui::pagination::Pagination;
use crate::ui::{ErrorPage, FormAlert};
use leptos::prelude::*;

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
    let base = package.base_url.clone();
    let first = items.iter().find(|i| i.launch.is_some()).cloned();
    let first_url = first
        .as_ref()
        .and_then(|i| i.launch.as_ref())
        .map(|l| format!("{base}{l}"))
        .unwrap_or_default();
    // The SCO shown; the frame's page is set once its API is in place.
    let current = RwSignal::new(first.map(|i| i.identifier).unwrap_or_default());
    let src = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    // A 2004 SCO ended asking to leave (exit, suspend all): the frame empties until reopened.
    let left = RwSignal::new(false);
    let round = RwSignal::new(0u32);
    // Which parts sequencing opens, fetched in the browser (again whenever the server has kept
    // what a SCO sent). A signal rather than a resource: a resource read here would suspend the
    // whole player, frame and all, on every refetch. The server refuses closed parts anyway.
    #[cfg(feature = "hydrate")]
    let refresh = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    let sequenced = package.structure.version != super::model::Version::Scorm12;
    let availability = RwSignal::new(None::<Availability>);
    // A navigation request a SCO made as it ended, applied once the server has its results.
    #[cfg(feature = "hydrate")]
    let pending = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    let settled = RwSignal::new(false);
    let several = items.iter().filter(|i| i.launch.is_some()).count() > 1;
    let title = package.structure.title.clone();
    // Where flow or choice alone leads, for the buttons.
    let go = move |request: &str| -> Option<String> {
        availability.get()?.navigate(&current.get(), request)
    };
    // Rules run as the current part ends: the server says where Continue and Previous lead.
    let ruled = move || {
        availability
            .get()
            .and_then(|a| a.part(&current.get()).map(|p| p.ruled))
            .unwrap_or(false)
    };
    // A request for the server, once the current SCO's session has ended and been kept.
    let asked = RwSignal::new(None::<String>);
    let press = move |request: &'static str| {
        if ruled() {
            asked.set(Some(request.to_string()));
        } else if let Some(t) = go(request) {
            current.set(t);
        }
    };
    #[cfg(feature = "hydrate")]
    {
        // A finished session may complete the item: the player's outline and progress follow.
        let progress = crate::completion::model::ProgressChanged::in_context();
        let runtime = StoredValue::new_local(None::<super::api::Runtime>);
        Effect::new(move |_| {
            refresh.track();
            leptos::task::spawn_local(async move {
                match super::server::package_availability(item_id).await {
                    Ok(open) => availability.set(Some(open)),
                    Err(e) => {
                        leptos::logging::warn!("could not load the package's sequencing: {e}")
                    }
                }
            });
        });
        Effect::new(move |_| {
            let sco = current.get();
            round.track();
            // The page shown first unloads (and finishes its session) against its own API.
            src.set(Some("about:blank".into()));
            leptos::task::spawn_local(async move {
                match super::server::launch_sco(item_id, sco).await {
                    Ok(launch) => {
                        if let Some(old) = runtime.try_update_value(|r| r.take()).flatten() {
                            old.uninstall();
                        }
                        let saved = Box::new(move |finished: bool| {
                            if finished {
                                if let Some(progress) = progress {
                                    progress.notify();
                                }
                                settled.set(true);
                            }
                            // Only 2004 sequencing changes with what a SCO reports.
                            if sequenced {
                                refresh.update(|r| *r += 1);
                            }
                        });
                        settled.set(false);
                        let navigate = Box::new(move |request: String| {
                            if super::session::leaves(&request) {
                                left.set(true);
                                src.set(Some("about:blank".into()));
                            } else {
                                pending.set(Some(request));
                            }
                        });
                        let is_valid = Box::new(move |request: &str| {
                            let open = availability.get_untracked()?;
                            let here = current.get_untracked();
                            if open.part(&here).is_some_and(|p| p.ruled) {
                                return None;
                            }
                            Some(open.navigate(&here, request).is_some())
                        });
                        match super::api::install(item_id, &launch, saved, navigate, is_valid) {
                            Ok(installed) => runtime.set_value(Some(installed)),
                            Err(e) => {
                                leptos::logging::warn!("could not install the SCORM API: {e:?}")
                            }
                        }
                        problem.set(None);
                        src.set(Some(launch.url));
                    }
                    Err(e) => problem.set(Some(e.to_string())),
                }
            });
        });
        // The player's own request for a ruled part: the SCO's session ends first (its last
        // values kept), then the request waits for the server like one the SCO made.
        Effect::new(move |_| {
            let Some(request) = asked.get() else {
                return;
            };
            asked.set(None);
            pending.set(Some(request));
            let on_its_way = !settled.get_untracked()
                && runtime
                    .try_update_value(|r| r.take())
                    .flatten()
                    .is_some_and(|old| old.uninstall());
            if !on_its_way {
                settled.set(true);
                refresh.update(|r| *r += 1);
            }
        });
        // A request waiting for its SCO's results goes to the server once they are kept.
        Effect::new(move |_| {
            if availability.get().is_none() || !settled.get_untracked() {
                return;
            }
            let Some(request) = pending.get_untracked() else {
                return;
            };
            pending.set(None);
            let here = current.get_untracked();
            leptos::task::spawn_local(async move {
                use super::navigation::Move;
                match super::server::navigate_package(item_id, here.clone(), request).await {
                    Ok(Move::Deliver(next)) if next == here => round.update(|r| *r += 1),
                    Ok(Move::Deliver(next)) => current.set(next),
                    Ok(Move::Exit) => {
                        left.set(true);
                        src.set(Some("about:blank".into()));
                    }
                    Ok(Move::Stay) => {}
                    Err(e) => problem.set(Some(e.to_string())),
                }
                // A retry or an exit changes what is open.
                refresh.update(|r| *r += 1);
            });
        });
        on_cleanup(move || {
            if let Some(old) = runtime.try_update_value(|r| r.take()).flatten() {
                old.uninstall();
            }
        });
    }
    let toc = move || {
        let open = availability.get();
        let base = base.clone();
        items
            .iter()
            .cloned()
            .map(|i| {
                let state = open.as_ref().and_then(|a| a.part(&i.identifier).cloned());
                let hidden = state.as_ref().is_some_and(|p| p.hidden);
                let disabled = state.as_ref().is_some_and(|p| p.disabled);
                let choosable = state.as_ref().is_none_or(|p| p.choosable);
                let depth = format!("--depth: {}", i.depth);
                match i.launch {
                    _ if hidden => ().into_any(),
                    Some(_) if disabled => view! {
                        <li style=depth class="scorm-toc-closed">
                            <span aria-disabled="true">{i.title}</span>
                            <span class="muted">" (not open yet)"</span>
                        </li>
                    }
                    .into_any(),
                    Some(launch) if choosable => {
                        let href = format!("{base}{launch}");
                        let id = i.identifier.clone();
                        let mine = i.identifier.clone();
                        view! {
                            <li style=depth>
                                <a href=href target=frame_name(item_id)
                                    aria-current=move || (current.get() == mine).then_some("page")
                                    on:click=move |ev| {
                                        ev.prevent_default();
                                        current.set(id.clone());
                                    }>{i.title}</a>
                            </li>
                        }
                        .into_any()
                    }
                    Some(_) => {
                        let mine = i.identifier.clone();
                        view! {
                            <li style=depth aria-current=move || (current.get() == mine).then_some("step")>{i.title}</li>
                        }
                        .into_any()
                    }
                    None => view! { <li style=depth class="scorm-toc-heading">{i.title}</li> }.into_any(),
                }
            })
            .collect_view()
    };
    let flow = move || availability.get().filter(|a| a.flow);
    view! {
        {move || problem.get().map(|p| view! { <p class="alert alert-error" role="alert">{p}</p> })}
        {move || left.get().then(|| view! {
            <div class="alert alert-info" role="status">
                <p>"You left the package; what you did is saved."</p>
                <button type="button" class="btn btn-secondary" on:click=move |_| {
                    left.set(false);
                    round.update(|r| *r += 1);
                }>"Open it again"</button>
            </div>
        })}
        <div class="scorm-player" class:with-toc=several>
            {several.then(|| view! {
                <nav class="scorm-toc" aria-label="Contents of the package">
                    <ul>{toc.clone()}</ul>
                </nav>
            })}
            <iframe class="scorm-frame" name=frame_name(item_id) title=title src=move || src.get()
                allow="fullscreen; autoplay"></iframe>
        </div>
        {move || flow().map(|a| view! {
                <div class="row scorm-flow">
                    {(!a.forward_only).then(|| view! {
                        <button type="button" class="btn btn-secondary" disabled=move || go("previous").is_none() && !ruled()
                            on:click=move |_| press("previous")>"Previous"</button>
                    })}
                    <button type="button" class="btn btn-primary" disabled=move || go("continue").is_none() && !ruled()
                        on:click=move |_| press("continue")>"Continue"</button>
                </div>
            })}
        <noscript>
            <p>"This package needs JavaScript to record your progress. "
                <a href=first_url target=frame_name(item_id)>"Open it without recording"</a></p>
        </noscript>
    }
}

#[component]
pub fn PackageSetup(item_id: i64, can_edit: bool) -> impl IntoView {
    let package = Resource::new(|| (), move |_| load_package(item_id));
    view! {
        <PackagePanel can_edit heading="SCORM package"
            hint="SCORM 1.2 and 2004 packages report to Lyceum: where the learner stopped, their status and score (the score goes to the gradebook out of 100 points); the item is done when every part is completed or passed."
            action=format!("/items/{item_id}/package")
            file_hint="A SCORM 1.2 or 2004 .zip with imsmanifest.xml. A new upload replaces the package.">
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
        </PackagePanel>
        <PackageResults item_id />
    }
}

/// Time spent, as people read it ("1 h 05 min", "3 min", "40 s").
fn spent(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match (s / 3600, s / 60 % 60) {
        (0, 0) => format!("{s} s"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m:02} min"),
    }
}

/// The instructor's report: each learner's status, score, time and last visit, with a reset.
#[component]
fn PackageResults(item_id: i64) -> impl IntoView {
    let page = crate::ui::pagination::page_param("page");
    let reset = ServerAction::<ResetAttempts>::new();
    let results = Resource::new(
        move || (page.get(), reset.version().get()),
        move |(page, _)| package_results(item_id, page),
    );
    let outcome: Signal<Option<Result<(), AppError>>> = reset.value().into();
    view! {
        <section class="card" id="results" aria-labelledby="results-heading">
            <h2 id="results-heading">"Learners' results"</h2>
            <FormAlert result=outcome success="The learner's attempts were reset: they start the package again next time." />
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(r) => view! { <ResultsTable item_id results=r reset /> }.into_any(),
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
    reset: ServerAction<ResetAttempts>,
) -> impl IntoView {
    let page = results.page;
    let (number, page_count, total) = (page.page, page.page_count(), page.total);
    let may_reset = results.may_reset;
    let summary = format!(
        "{} started, {} finished every part, of {}.",
        results.started,
        results.done,
        plural(results.learners, "learner", "learners")
    );
    view! {
        <p>{summary}</p>
        <p><a class="btn btn-secondary btn-small" href=format!("/items/{item_id}/scorm-results.csv") download="">"Export CSV"</a></p>
        <div class="table-wrap">
            <table class="data-table" data-testid="scorm-results">
                <caption class="visually-hidden">"Learners and their results on this package"</caption>
                <thead><tr>
                    <th scope="col">"Learner"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">{format!("Parts done (of {})", results.parts)}</th>
                    <th scope="col">"Score"</th>
                    <th scope="col">"Time spent"</th>
                    <th scope="col">"Last visit"</th>
                    {may_reset.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr></thead>
                <tbody>
                    {page.items.into_iter().map(|r| view! { <ResultRow item_id result=r may_reset reset /> }).collect_view()}
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
    may_reset: bool,
    reset: ServerAction<ResetAttempts>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let user_id = result.user_id;
    let name = result.name.clone();
    let started = result.attempt > 0;
    view! {
        <tr>
            <th scope="row">{result.name.clone()}<br /><span class="muted">{result.email.clone()}</span></th>
            <td>{result.status.label()}</td>
            <td>{result.done}</td>
            <td>{result.score.map(|s| format!("{s:.0} %")).unwrap_or_else(|| "–".into())}</td>
            <td>{if started { spent(result.seconds) } else { "–".into() }}</td>
            <td>{result.last_seen.map(datetime).unwrap_or_else(|| "–".into())}</td>
            {may_reset.then(|| view! {
                <td>
                    {started.then(|| view! {
                        <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Reset the attempts of {name}")
                            on:click=move |_| confirming.set(true)>"Reset"</button>
                    })}
                    {move || confirming.get().then(|| view! {
                        <div class="alert alert-warning" role="alertdialog" aria-label="Confirm the reset">
                            <p>"Start this learner's attempts afresh? What they did so far stays on record; their completion and grade stay until the package reports again."</p>
                            <div class="row">
                                <button type="button" class="btn btn-small btn-danger" on:click=move |_| {
                                    confirming.set(false);
                                    reset.dispatch(ResetAttempts { item_id, user_id });
                                }>"Yes, reset"</button>
                                <button type="button" class="btn btn-small btn-secondary" on:click=move |_| confirming.set(false)>"Cancel"</button>
                            </div>
                        </div>
                    })}
                </td>
            })}
        </tr>
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
