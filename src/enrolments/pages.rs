//! Participants of a course (progress, filters, CSV export, adding people, bulk CSV, cohorts) and the
//! cohort administration page.

use super::model::*;
use super::server::*;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::route_id;
use crate::ui::{
    ErrorPage, Field, FormAlert, Pagination, ProgressBar, TextArea, format, query_string,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn query_from_url(map: &leptos_router::params::ParamsMap) -> ParticipantQuery {
    ParticipantQuery {
        search: map.get("q").unwrap_or_default(),
        role: map.get("role").and_then(|r| CourseRole::parse(&r)),
        status: map.get("status").and_then(|s| EnrolmentStatus::parse(&s)),
        progress: ProgressFilter::parse(&map.get("progress").unwrap_or_default()),
        page: map.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
    }
}

fn filter_pairs(q: &ParticipantQuery) -> Vec<(&'static str, String)> {
    vec![
        ("q", q.search.clone()),
        (
            "role",
            q.role.map(|r| r.as_str().to_string()).unwrap_or_default(),
        ),
        (
            "status",
            q.status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        ),
        ("progress", q.progress.as_str().to_string()),
    ]
}

#[derive(Clone, Copy)]
struct PeopleActions {
    add: ServerAction<EnrolUser>,
    remove: ServerAction<UnenrolUser>,
    approve: ServerAction<ApproveEnrolment>,
    csv_apply: ServerAction<ApplyEnrolmentCsv>,
    link: ServerAction<LinkCohort>,
    unlink: ServerAction<UnlinkCohort>,
}

impl PeopleActions {
    fn version(&self) -> usize {
        self.add.version().get()
            + self.remove.version().get()
            + self.approve.version().get()
            + self.csv_apply.version().get()
            + self.link.version().get()
            + self.unlink.version().get()
    }
}

#[component]
pub fn ParticipantsPage() -> impl IntoView {
    let course_id = route_id("id");
    let params = use_query_map();
    let query = Memo::new(move |_| query_from_url(&params.get()));
    let actions = PeopleActions {
        add: ServerAction::new(),
        remove: ServerAction::new(),
        approve: ServerAction::new(),
        csv_apply: ServerAction::new(),
        link: ServerAction::new(),
        unlink: ServerAction::new(),
    };
    let list = Resource::new(
        move || (course_id.get(), query.get(), actions.version()),
        |(id, q, _)| participants(id, q),
    );
    let cohorts = Resource::new(
        move || (course_id.get(), actions.version()),
        |(id, _)| linked_cohorts(id),
    );
    let cohort_choices = Resource::new(move || course_id.get(), cohort_options);
    let remove_result: Signal<Option<Result<(), AppError>>> = actions.remove.value().into();
    let approve_result: Signal<Option<Result<(), AppError>>> = actions.approve.value().into();
    view! {
        <Title text="Participants" />
        <div class="page-header">
            <div><h1>"Participants"</h1>
                <p><a href=move || format!("/courses/{}", course_id.get())>"Course page"</a>" · "
                   <a href=move || format!("/courses/{}/edit", course_id.get())>"Edit course"</a></p></div>
            <div class="actions">
                <a class="btn btn-secondary" download="participants.csv"
                    href=move || format!("/courses/{}/participants.csv{}", course_id.get(), query_string(&filter_pairs(&query.get())))>"Export CSV"</a>
            </div>
        </div>
        <FormAlert result=remove_result success="Unenrolled. Their progress is kept if they come back." />
        <FormAlert result=approve_result success="Enrolment approved." />
        <Transition fallback=|| view! { <p>"Loading participants…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(page) => {
                        let q = query.get_untracked();
                        let cid = course_id.get_untracked();
                        view! {
                            <Filters q=q.clone() course_id=cid />
                            <ParticipantTable page q course_id=cid actions />
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <div class="stack">
            <AddPerson course_id actions />
            <BulkCsv course_id actions />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    cohorts.await.ok().map(|linked| view! { <CohortLinks course_id=course_id.get_untracked() linked options=cohort_choices actions /> })
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Filters(q: ParticipantQuery, course_id: i64) -> impl IntoView {
    let role = q.role.map(|r| r.as_str()).unwrap_or("");
    let status = q.status.map(|s| s.as_str()).unwrap_or("");
    let progress = q.progress.as_str();
    view! {
        <form class="toolbar" method="get" action=format!("/courses/{course_id}/participants") role="search">
            <div class="field"><label for="p-search">"Search"</label>
                <input id="p-search" type="search" name="q" value=q.search.clone() placeholder="Name or email" /></div>
            <div class="field"><label for="p-role">"Role"</label>
                <select id="p-role" name="role">
                    <option value="" selected=role.is_empty()>"Any role"</option>
                    {CourseRole::ALL.iter().map(|r| view! { <option value=r.as_str() selected=role == r.as_str()>{r.label()}</option> }).collect_view()}
                </select></div>
            <div class="field"><label for="p-status">"Status"</label>
                <select id="p-status" name="status">
                    <option value="" selected=status.is_empty()>"Current (not unenrolled)"</option>
                    {EnrolmentStatus::ALL.iter().map(|s| view! { <option value=s.as_str() selected=status == s.as_str()>{s.label()}</option> }).collect_view()}
                </select></div>
            <div class="field"><label for="p-progress">"Progress"</label>
                <select id="p-progress" name="progress">
                    <option value="" selected=progress.is_empty()>"Any"</option>
                    <option value="not_started" selected=progress == "not_started">"Not started"</option>
                    <option value="in_progress" selected=progress == "in_progress">"In progress"</option>
                    <option value="completed" selected=progress == "completed">"Completed"</option>
                </select></div>
            <button type="submit" class="btn btn-secondary">"Apply"</button>
        </form>
    }
}

#[component]
fn ParticipantTable(
    page: crate::paging::Page<Participant>,
    q: ParticipantQuery,
    course_id: i64,
    actions: PeopleActions,
) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <p class="empty-state">"Nobody matches these filters."</p> }.into_any();
    }
    let page_count = page.page_count();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"Participants and their progress"</caption>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Status"</th>
                    <th scope="col">"Progress"</th><th scope="col">"Last activity"</th><th scope="col">"Completed"</th><th scope="col">"Actions"</th>
                </tr></thead>
                <tbody>
                    {page.items.into_iter().map(|p| {
                        let user_id = p.user_id;
                        let pending = p.status == EnrolmentStatus::Pending;
                        let active = p.status != EnrolmentStatus::Withdrawn;
                        let name = p.name.clone();
                        view! {
                            <tr>
                                <td>{p.name.clone()}<br /><span class="small muted">{p.email.clone()}</span></td>
                                <td>{p.role.label()}</td>
                                <td><span class=format!("badge badge-{}", p.status.as_str())>{p.status.label()}</span></td>
                                <td>{(p.role == CourseRole::Learner).then(|| view! {
                                    <ProgressBar percent=if p.completed_at.is_some() { 100 } else { p.percent() } label="Progress" />
                                    <span class="small muted">{format!("{} of {}", p.done.min(p.total), format::plural(p.total, "item", "items"))}</span>
                                })}</td>
                                <td>{format::optional_datetime(p.last_activity_at)}</td>
                                <td>{p.completed_at.map(format::datetime).unwrap_or_else(|| "—".into())}</td>
                                <td>
                                    {pending.then(|| view! {
                                        <button type="button" class="btn btn-small btn-primary" aria-label=format!("Approve {name}")
                                            on:click=move |_| { actions.approve.dispatch(ApproveEnrolment { course_id, user_id }); }>"Approve"</button>
                                    })}
                                    {active.then(|| view! { <EnrolmentDates course_id user_id name=p.name.clone() starts_at=p.starts_at ends_at=p.ends_at /> })}
                                    {active.then(|| view! {
                                        <button type="button" class="btn btn-small btn-danger" aria-label=format!("Unenrol {}", p.name)
                                            on:click=move |_| { actions.remove.dispatch(UnenrolUser { course_id, user_id }); }>"Unenrol"</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pagination page=page.page page_count total=page.total href=move |n| {
            let mut pairs = filter_pairs(&q);
            if n > 1 { pairs.push(("page", n.to_string())); }
            format!("/courses/{course_id}/participants{}", query_string(&pairs))
        } />
    }.into_any()
}

/// The dates an enrolment gives access between, edited in place.
#[component]
fn EnrolmentDates(
    course_id: i64,
    user_id: i64,
    name: String,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
) -> impl IntoView {
    use crate::input::format_date;
    let open = RwSignal::new(false);
    let starts = RwSignal::new(format_date(starts_at));
    let ends = RwSignal::new(format_date(ends_at));
    let save = ServerAction::<SetEnrolmentDates>::new();
    let result: Signal<Option<Result<(), AppError>>> = save.value().into();
    let summary = match (starts_at, ends_at) {
        (None, None) => None,
        (s, e) => Some(format!("{} – {}", format_date(s), format_date(e))),
    };
    view! {
        {summary.map(|s| view! { <span class="small muted">{s}" "</span> })}
        <button type="button" class="btn btn-small btn-secondary" aria-expanded=move || open.get().to_string()
            aria-label=format!("Dates of {name}’s enrolment") on:click=move |_| open.update(|o| *o = !*o)>"Dates"</button>
        {move || open.get().then(|| view! {
            <form class="form inline-form" on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SetEnrolmentDates { course_id, user_id, starts_on: starts.get_untracked(), ends_on: ends.get_untracked() });
            }>
                <FormAlert result success="Dates saved." />
                <Field label="From" name="starts_on" kind="date" value=starts error=field_error(result, "starts_on") />
                <Field label="Until" name="ends_on" kind="date" value=ends error=field_error(result, "ends_on") />
                <button type="submit" class="btn btn-small btn-primary">"Save dates"</button>
            </form>
        })}
    }
}

#[component]
fn AddPerson(course_id: Memo<i64>, actions: PeopleActions) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let role = RwSignal::new("learner".to_string());
    let found = Resource::new(
        move || (course_id.get(), search.get()),
        |(id, s)| search_people(id, s),
    );
    let result: Signal<Option<Result<(), AppError>>> = actions.add.value().into();
    view! {
        <section class="card" aria-labelledby="add-person-heading">
            <h2 id="add-person-heading">"Add people"</h2>
            <FormAlert result success="Enrolled." />
            <div class="field-row">
                <Field label="Find a person" name="person_search" kind="search" value=search error=field_error(result, "user_id")
                    hint="Type at least two letters of a name or email." />
                <div class="field">
                    <label for="add-role">"Role"</label>
                    <select id="add-role" on:change=move |ev| role.set(event_target_value(&ev))>
                        {CourseRole::ALL.iter().rev().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let people: Vec<PersonMatch> = found.await.unwrap_or_default();
                    view! {
                        <ul class="search-results" aria-live="polite" aria-label="Matching people">
                            {people.into_iter().map(|u| {
                                let user_id = u.id;
                                view! {
                                    <li>{format!("{} ({})", u.name, u.email)}" "
                                        <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Enrol {}", u.name)
                                            on:click=move |_| { actions.add.dispatch(EnrolUser { course_id: course_id.get_untracked(), user_id, role: role.get_untracked() }); }>"Enrol"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn BulkCsv(course_id: Memo<i64>, actions: PeopleActions) -> impl IntoView {
    let csv = RwSignal::new(String::new());
    let preview = ServerAction::<PreviewEnrolmentCsv>::new();
    let preview_result: Signal<Option<Result<CsvPreview, AppError>>> = preview.value().into();
    let apply_result: Signal<Option<Result<CsvOutcome, AppError>>> =
        actions.csv_apply.value().into();
    view! {
        <section class="card" aria-labelledby="bulk-heading">
            <h2 id="bulk-heading">"Enrol from CSV"</h2>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                preview.dispatch(PreviewEnrolmentCsv { course_id: course_id.get_untracked(), csv: csv.get_untracked() });
            }>
                <FormAlert result=preview_result />
                <TextArea label="CSV" name="enrol_csv" value=csv rows=6 error=field_error(preview_result, "csv")
                    hint="First line: email,role. Role is learner, assistant or instructor (empty means learner)." />
                <button type="submit" class="btn btn-secondary">"Check"</button>
            </form>
            {move || preview_result.get().and_then(|r| r.ok()).map(|p| {
                let ok = p.invalid == 0 && p.valid > 0;
                view! {
                    <p role="status">{format!("{} ready, {} with problems.", format::plural(p.valid, "row", "rows"), p.invalid)}</p>
                    <div class="table-wrap"><table class="data-table">
                        <thead><tr><th scope="col">"Line"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Problems"</th></tr></thead>
                        <tbody>{p.rows.into_iter().map(|r| view! {
                            <tr class:row-error=!r.errors.is_empty()>
                                <td>{r.line}</td><td>{r.email.clone()}</td><td>{r.role.clone()}</td>
                                <td>{if r.errors.is_empty() { "—".to_string() } else { r.errors.join(" ") }}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table></div>
                    {ok.then(|| view! {
                        <button type="button" class="btn btn-primary" on:click=move |_| {
                            actions.csv_apply.dispatch(ApplyEnrolmentCsv { course_id: course_id.get_untracked(), csv: csv.get_untracked() });
                        }>"Enrol everyone"</button>
                    })}
                }
            })}
            {move || match apply_result.get() {
                Some(Ok(o)) => Some(view! { <div class="alert alert-success" role="status">{format!("{} enrolled, {} updated.", o.enrolled, o.updated)}</div> }.into_any()),
                Some(Err(e)) => Some(view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any()),
                None => None,
            }}
        </section>
    }
}

#[component]
fn CohortLinks(
    course_id: i64,
    linked: Vec<Cohort>,
    options: Resource<Result<Vec<Cohort>, AppError>>,
    actions: PeopleActions,
) -> impl IntoView {
    let chosen = RwSignal::new(String::new());
    let result: Signal<Option<Result<(), AppError>>> = actions.link.value().into();
    view! {
        <section class="card" aria-labelledby="cohorts-heading">
            <h2 id="cohorts-heading">"Cohorts"</h2>
            <p class="hint">"Members of a linked cohort are enrolled as learners, and kept in step when the cohort changes."</p>
            <FormAlert result success="Cohort linked and its members enrolled." />
            <ul>
                {linked.into_iter().map(|c| {
                    let cohort_id = c.id;
                    view! { <li>{format!("{} ({})", c.name, format::plural(c.members, "member", "members"))}" "
                        <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Unlink {}", c.name)
                            on:click=move |_| { actions.unlink.dispatch(UnlinkCohort { course_id, cohort_id }); }>"Unlink"</button></li> }
                }).collect_view()}
            </ul>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    options.await.ok().map(|list| view! {
                        <form class="form inline-form" on:submit=move |ev| {
                            ev.prevent_default();
                            if let Ok(cohort_id) = chosen.get_untracked().parse::<i64>() {
                                actions.link.dispatch(LinkCohort { course_id, cohort_id });
                            }
                        }>
                            <div class="field"><label for="link-cohort">"Cohort"</label>
                                <select id="link-cohort" on:change=move |ev| chosen.set(event_target_value(&ev))>
                                    <option value="">"Choose a cohort"</option>
                                    {list.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name.clone()}</option> }).collect_view()}
                                </select></div>
                            <button type="submit" class="btn btn-secondary">"Link cohort"</button>
                        </form>
                    })
                })}
            </Suspense>
        </section>
    }
}

/// `/admin/cohorts`: administrators and managers.
#[component]
pub fn CohortsPage() -> impl IntoView {
    let create = ServerAction::<CreateCohort>::new();
    let delete = ServerAction::<DeleteCohort>::new();
    let add = ServerAction::<AddCohortMembers>::new();
    let remove = ServerAction::<RemoveCohortMember>::new();
    let list = Resource::new(
        move || {
            (
                create.version().get(),
                delete.version().get(),
                add.version().get(),
                remove.version().get(),
            )
        },
        |_| list_cohorts(),
    );
    let selected = RwSignal::new(None::<i64>);
    let members = Resource::new(
        move || (selected.get(), add.version().get(), remove.version().get()),
        |(id, ..)| async move {
            match id {
                Some(id) => cohort_members(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let emails = RwSignal::new(String::new());
    let create_result: Signal<Option<Result<i64, AppError>>> = create.value().into();
    let add_result: Signal<Option<Result<usize, AppError>>> = add.value().into();
    view! {
        <Title text="Cohorts" />
        <div class="page-header"><h1>"Cohorts"</h1></div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(cohorts) => view! {
                        <div class="stack">
                            <section class="card" aria-labelledby="cohort-list-heading">
                                <h2 id="cohort-list-heading">"All cohorts"</h2>
                                {if cohorts.is_empty() { view! { <p class="empty-state">"No cohorts yet."</p> }.into_any() } else { view! {
                                    <div class="table-wrap"><table class="data-table">
                                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Members"</th><th scope="col">"Courses"</th><th scope="col">"Actions"</th></tr></thead>
                                        <tbody>{cohorts.into_iter().map(|c| {
                                            let id = c.id;
                                            view! { <tr>
                                                <td>{c.name.clone()}<br /><span class="small muted">{c.description.clone()}</span></td>
                                                <td>{c.members}</td><td>{c.courses}</td>
                                                <td>
                                                    <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Members of {}", c.name) on:click=move |_| selected.set(Some(id))>"Members"</button>
                                                    <button type="button" class="btn btn-small btn-danger" aria-label=format!("Delete {}", c.name) on:click=move |_| { delete.dispatch(DeleteCohort { cohort_id: id }); }>"Delete"</button>
                                                </td>
                                            </tr> }
                                        }).collect_view()}</tbody>
                                    </table></div>
                                }.into_any() }}
                            </section>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match members.await {
                    Ok(Some(list)) => {
                        let cohort_id = selected.get_untracked().unwrap_or(0);
                        Some(view! {
                            <section class="card" aria-labelledby="members-heading">
                                <h2 id="members-heading">"Members"</h2>
                                <ul>{list.into_iter().map(|m| {
                                    let user_id = m.user_id;
                                    view! { <li>{format!("{} ({})", m.name, m.email)}" "
                                        <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Remove {}", m.name)
                                            on:click=move |_| { remove.dispatch(RemoveCohortMember { cohort_id, user_id }); }>"Remove"</button></li> }
                                }).collect_view()}</ul>
                                <form class="form" on:submit=move |ev| {
                                    ev.prevent_default();
                                    add.dispatch(AddCohortMembers { cohort_id, emails: emails.get_untracked() });
                                }>
                                    <FormAlert result=add_result success="Members added and enrolled in the cohort's courses." />
                                    <TextArea label="Add members by email" name="emails" value=emails rows=3 error=field_error(add_result, "emails")
                                        hint="One email per line, or separated by commas." />
                                    <button type="submit" class="btn btn-secondary">"Add members"</button>
                                </form>
                            </section>
                        }.into_any())
                    }
                    Ok(None) => None,
                    Err(error) => Some(view! { <ErrorPage error /> }.into_any()),
                }
            })}
        </Transition>
        <section class="card" aria-labelledby="new-cohort-heading">
            <h2 id="new-cohort-heading">"New cohort"</h2>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(CreateCohort { name: name.get_untracked(), description: description.get_untracked() });
            }>
                <FormAlert result=create_result success="Cohort created." />
                <Field label="Name" name="cohort_name" value=name required=true error=field_error(create_result, "name") />
                <Field label="Description" name="cohort_description" value=description error=field_error(create_result, "description") />
                <button type="submit" class="btn btn-primary">"Create cohort"</button>
            </form>
        </section>
    }
}
