use super::model::JobState;
use super::server::{CancelJob, RetryJob, list_jobs};
use crate::error::AppError;
use crate::ui::{ErrorPage, FormAlert, Pagination, format};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/admin/jobs`: the background jobs by state, with Retry for a failed one and Cancel for a
/// queued one.
#[component]
pub fn JobsPage() -> impl IntoView {
    let query = use_query_map();
    let shown = Memo::new(move |_| {
        query
            .with(|q| q.get("state").and_then(|s| JobState::parse(&s)))
            .unwrap_or(JobState::Dead)
    });
    let page = crate::ui::pagination::page_param("page");
    let retry = ServerAction::<RetryJob>::new();
    let cancel = ServerAction::<CancelJob>::new();
    let jobs = Resource::new(
        move || {
            (
                shown.get(),
                page.get(),
                retry.version().get(),
                cancel.version().get(),
            )
        },
        |(state, page, ..)| list_jobs(state.as_str().to_string(), page),
    );
    let retried: Signal<Option<Result<(), AppError>>> = retry.value().into();
    let cancelled: Signal<Option<Result<(), AppError>>> = cancel.value().into();
    view! {
        <Title text="Background jobs" />
        <div class="page-header">
            <div>
                <h1>"Background jobs"</h1>
                <p class="lead">"Work Lyceum does outside a request, such as sending email. A failed job is tried again with growing waits; after its last try it is listed under Failed."</p>
            </div>
        </div>
        <FormAlert result=retried success="The job is queued again." />
        <FormAlert result=cancelled success="The job is cancelled." />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (counts, list) = match jobs.await {
                    Ok(data) => data,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let current = shown.get_untracked();
                let count = |s: JobState| match s {
                    JobState::Queued => Some(counts.queued),
                    JobState::Running => Some(counts.running),
                    JobState::Dead => Some(counts.dead),
                    _ => None,
                };
                let page_count = list.page_count();
                let (page_now, total) = (list.page, list.total);
                view! {
                    <nav class="tabs" aria-label="Jobs by state">
                        {JobState::ALL.iter().map(|s| {
                            let s = *s;
                            let label = match count(s) {
                                Some(n) => format!("{} ({n})", s.label()),
                                None => s.label().to_string(),
                            };
                            view! {
                                <a href=format!("/admin/jobs?state={}", s.as_str())
                                    aria-current=(s == current).then_some("page")>{label}</a>
                            }
                        }).collect_view()}
                    </nav>
                    {if list.items.is_empty() {
                        view! { <p class="empty-state">{format!("No {} jobs.", current.label().to_lowercase())}</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap">
                                <table class="data-table">
                                    <caption class="visually-hidden">{format!("{} jobs", current.label())}</caption>
                                    <thead><tr>
                                        <th scope="col">"Job"</th><th scope="col">"Tries"</th>
                                        <th scope="col">{if current == JobState::Queued { "Runs" } else { "When" }}</th>
                                        <th scope="col">"Last error"</th>
                                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                    </tr></thead>
                                    <tbody>
                                        {list.items.into_iter().map(|j| {
                                            let id = j.id;
                                            let name = format!("{} #{}", j.kind, j.id);
                                            view! {
                                                <tr>
                                                    <td>{name.clone()}</td>
                                                    <td>{format!("{} of {}", j.attempts, j.max_attempts)}</td>
                                                    <td>{format::datetime(j.finished_at.unwrap_or(j.run_at))}</td>
                                                    <td>{j.last_error.clone().unwrap_or_default()}</td>
                                                    <td>
                                                        {matches!(j.state, JobState::Dead | JobState::Cancelled).then(|| view! {
                                                            <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Retry {name}")
                                                                on:click=move |_| { retry.dispatch(RetryJob { id }); }>"Retry"</button>
                                                        })}
                                                        {(j.state == JobState::Queued).then(|| view! {
                                                            <button type="button" class="btn btn-small btn-danger" aria-label=format!("Cancel {name}")
                                                                on:click=move |_| { cancel.dispatch(CancelJob { id }); }>"Cancel"</button>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }}
                    <Pagination page=page_now page_count total href=move |p| format!("/admin/jobs?state={}&page={p}", current.as_str()) />
                }.into_any()
            })}
        </Transition>
    }
}
