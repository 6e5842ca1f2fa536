//! Requirements pages: the administrators' list (people per state, as a table and a bar), the
//! form that assigns a course, each requirement's people, and the learner's "Required training".

use super::model::{MatrixRow, MyRequirement, NextRun, PeopleQuery, RequirementForm};
use super::server::*;
use super::status::State;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{ErrorPage, Field, FormAlert, Pagination, TextArea, route_id};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

/// What a state looks like: its words always, a class for colour on top.
pub fn badge(state: State) -> impl IntoView {
    let class = match state {
        State::Overdue | State::Expired => "badge badge-danger",
        State::DueSoon => "badge badge-warning",
        State::Completed | State::Exempt => "badge badge-success",
        State::NotStarted | State::InProgress => "badge",
    };
    view! { <span class=class>{state.label()}</span> }
}

#[component]
pub fn RequirementsPage() -> impl IntoView {
    let create = ServerAction::<CreateRequirement>::new();
    let list = Resource::new(move || create.version().get(), |_| list_requirements());
    view! {
        <Title text="Requirements" />
        <div class="page-header">
            <div>
                <h1>"Requirements"</h1>
                <p class="lead">"Mandatory training: a course that the people of audiences, cohorts or a list must complete by a due date, and again when it expires."</p>
            </div>
        </div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty-state">"No requirements yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <section class="card">
                            <div class="table-wrap"><table class="data-table">
                                <caption class="visually-hidden">"Requirements and where people stand"</caption>
                                <thead><tr>
                                    <th scope="col">"Requirement"</th>
                                    {State::ALL.into_iter().map(|s| view! { <th scope="col" class="num">{s.label()}</th> }).collect_view()}
                                </tr></thead>
                                <tbody>{list.into_iter().map(|r| {
                                    let total: i64 = r.counts.iter().map(|(_, n)| n).sum();
                                    let compliant: i64 = r.counts.iter().filter(|(s, _)| s.compliant()).map(|(_, n)| n).sum();
                                    let percent = if total == 0 { 0 } else { compliant * 100 / total };
                                    view! { <tr>
                                        <td>
                                            <a href=format!("/admin/requirements/{}", r.id)>{r.name.clone()}</a>
                                            <br /><span class="small muted">{format!("{} · {} · {}", r.training_title, r.timing_text, r.reminders_text)}</span>
                                            <crate::ui::ProgressBar percent label="Compliant" />
                                        </td>
                                        {r.counts.into_iter().map(|(_, n)| view! { <td class="num">{n}</td> }).collect_view()}
                                    </tr> }
                                }).collect_view()}</tbody>
                            </table></div>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
        <NewRequirement create />
    }
}

#[component]
fn NewRequirement(create: ServerAction<CreateRequirement>) -> impl IntoView {
    let defaults = RequirementForm::default();
    let name = RwSignal::new(String::new());
    // A course or a programme: `course` or `programme`.
    let training_kind = RwSignal::new("course".to_string());
    let course_id = RwSignal::new(String::new());
    let programme_id = RwSignal::new(String::new());
    let due_kind = RwSignal::new(defaults.due_kind);
    let due_date = RwSignal::new(String::new());
    let due_days = RwSignal::new(defaults.due_days);
    let valid_months = RwSignal::new(String::new());
    let window_days = RwSignal::new(defaults.window_days);
    let due_soon_days = RwSignal::new(defaults.due_soon_days);
    let remind_before_days = RwSignal::new(defaults.remind_before_days);
    let remind_on_overdue = RwSignal::new(defaults.remind_on_overdue);
    let remind_repeat_days = RwSignal::new(defaults.remind_repeat_days);
    let escalate_after_days = RwSignal::new(defaults.escalate_after_days);
    let audience_id = RwSignal::new(String::new());
    let cohort_id = RwSignal::new(String::new());
    let emails = RwSignal::new(String::new());
    let result: Signal<Option<Result<i64, AppError>>> = create.value().into();
    // The list holds one page of courses: a search finds the others (by title or code).
    let course_search = RwSignal::new(String::new());
    let courses = Resource::new(
        move || course_search.get(),
        |search| {
            crate::courses::server::teaching(crate::courses::model::CatalogueQuery {
                search,
                ..Default::default()
            })
        },
    );
    // A choice the new list may no longer hold is not kept behind the people's back.
    Effect::new(move |first: Option<()>| {
        course_search.track();
        if first.is_some() {
            course_id.set(String::new());
        }
    });
    let programmes = Resource::new(|| (), |_| crate::programmes::server::list_programmes());
    let audiences = Resource::new(|| (), |_| crate::audiences::server::list_audiences(1));
    let cohorts = Resource::new(|| (), |_| crate::enrolments::server::list_cohorts());
    view! {
        <section class="card" aria-labelledby="new-requirement-heading">
            <h2 id="new-requirement-heading">"New requirement"</h2>
            <form class="form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(CreateRequirement { form: RequirementForm {
                    name: name.get_untracked(),
                    course_id: if training_kind.get_untracked() == "course" {
                        course_id.get_untracked().parse().unwrap_or(0)
                    } else {
                        0
                    },
                    programme_id: if training_kind.get_untracked() == "programme" {
                        programme_id.get_untracked().parse().unwrap_or(0)
                    } else {
                        0
                    },
                    due_kind: due_kind.get_untracked(),
                    due_date: due_date.get_untracked(),
                    due_days: due_days.get_untracked(),
                    valid_months: valid_months.get_untracked(),
                    window_days: window_days.get_untracked(),
                    due_soon_days: due_soon_days.get_untracked(),
                    remind_before_days: remind_before_days.get_untracked(),
                    remind_on_overdue: remind_on_overdue.get_untracked(),
                    remind_repeat_days: remind_repeat_days.get_untracked(),
                    escalate_after_days: escalate_after_days.get_untracked(),
                    audience_ids: audience_id.get_untracked().parse().ok().into_iter().collect(),
                    cohort_ids: cohort_id.get_untracked().parse().ok().into_iter().collect(),
                    emails: emails.get_untracked(),
                } });
            }>
                <FormAlert result success="Requirement saved; its people are assigned and enrolled." />
                <Field label="Name" name="name" value=name required=true error=field_error(result, "name") />
                <fieldset class="field">
                    <legend>"What people must complete"</legend>
                    <div>
                        <label class="radio"><input type="radio" name="training_kind" value="course"
                            prop:checked=move || training_kind.get() == "course"
                            on:change=move |_| training_kind.set("course".into()) />" A course"</label>
                        <label class="radio"><input type="radio" name="training_kind" value="programme"
                            prop:checked=move || training_kind.get() == "programme"
                            on:change=move |_| training_kind.set("programme".into()) />" A programme"</label>
                    </div>
                    {move || field_error(result, "training").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </fieldset>
                <div hidden=move || training_kind.get() != "course">
                    <Field label="Find a course" name="course_search" kind="search" value=course_search error=Signal::derive(|| None::<String>)
                        hint="Part of its title or its code: the list below shows the first 20 courses that match." />
                    <div class="field">
                        <label for="requirement-course">"Course"</label>
                        <select id="requirement-course" on:change=move |ev| course_id.set(event_target_value(&ev))>
                            <option value="">"Choose a course"</option>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    courses.await.map(|p| p.items).unwrap_or_default().into_iter().map(|c| view! {
                                        <option value=c.id.to_string()>{format!("{} ({})", c.title, c.code)}</option>
                                    }).collect_view()
                                })}
                            </Transition>
                        </select>
                        {move || field_error(result, "course_id").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                    </div>
                </div>
                <div class="field" hidden=move || training_kind.get() != "programme">
                    <label for="requirement-programme">"Programme"</label>
                    <select id="requirement-programme" on:change=move |ev| programme_id.set(event_target_value(&ev))>
                        <option value="">"Choose a programme"</option>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                programmes.await.unwrap_or_default().into_iter().map(|p| view! {
                                    <option value=p.id.to_string()>{format!("{} ({} courses)", p.name, p.courses.len())}</option>
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                    {move || field_error(result, "programme_id").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </div>
                <div class="field">
                    <label for="requirement-due-kind">"Due"</label>
                    <select id="requirement-due-kind" on:change=move |ev| due_kind.set(event_target_value(&ev)) prop:value=move || due_kind.get()>
                        <option value="after_assignment">"Days after assignment"</option>
                        <option value="after_hire">"Days after hire date"</option>
                        <option value="fixed">"On a date"</option>
                    </select>
                </div>
                {move || if due_kind.get() == "fixed" {
                    view! { <Field label="Due date" name="due_date" kind="date" value=due_date error=field_error(result, "due_date") /> }.into_any()
                } else {
                    view! { <Field label="Days" name="due_days" kind="number" value=due_days error=field_error(result, "due_days") /> }.into_any()
                }}
                <div class="field-row">
                    <Field label="Valid for (months)" name="valid_months" kind="number" value=valid_months error=field_error(result, "valid_months")
                        hint="Leave empty for training done once. Otherwise people renew it before it expires." />
                    <Field label="Renewal opens (days before expiry)" name="window_days" kind="number" value=window_days error=field_error(result, "window_days") />
                    <Field label="Due soon (days before)" name="due_soon_days" kind="number" value=due_soon_days error=field_error(result, "due_soon_days") />
                </div>
                <fieldset class="field">
                    <legend>"Reminders"</legend>
                    <div class="field-row">
                        <Field label="Days before the due date" name="remind_before_days" kind="number" value=remind_before_days
                            error=field_error(result, "remind_before_days") hint="Empty for no reminder before." />
                        <Field label="Repeat every (days) while overdue" name="remind_repeat_days" kind="number" value=remind_repeat_days
                            error=field_error(result, "remind_repeat_days") hint="Empty to remind once." />
                        <Field label="Copy to the manager after (days overdue)" name="escalate_after_days" kind="number" value=escalate_after_days
                            error=field_error(result, "escalate_after_days") hint="Empty for never." />
                    </div>
                    <crate::ui::Checkbox label="Remind on the first overdue day" name="remind_on_overdue" checked=remind_on_overdue />
                </fieldset>
                <div class="field">
                    <label for="requirement-audience">"Audience"</label>
                    <select id="requirement-audience" on:change=move |ev| audience_id.set(event_target_value(&ev))>
                        <option value="">"None"</option>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                audiences.await.map(|p| p.items).unwrap_or_default().into_iter().map(|a| view! {
                                    <option value=a.id.to_string()>{format!("{} ({} people)", a.name, a.members)}</option>
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                </div>
                <div class="field">
                    <label for="requirement-cohort">"Cohort"</label>
                    <select id="requirement-cohort" on:change=move |ev| cohort_id.set(event_target_value(&ev))>
                        <option value="">"None"</option>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                cohorts.await.unwrap_or_default().into_iter().map(|c| view! {
                                    <option value=c.id.to_string()>{format!("{} ({} people)", c.name, c.members)}</option>
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                </div>
                <TextArea label="People (optional)" name="emails" value=emails rows=2 error=field_error(result, "emails")
                    hint="Email addresses, one per line or separated by commas." />
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>"Assign requirement"</button>
                </div>
            </form>
        </section>
    }
}

#[component]
pub fn RequirementPage() -> impl IntoView {
    let id = route_id("id");
    let refresh = ServerAction::<RefreshRequirement>::new();
    let exempt = ServerAction::<ExemptPerson>::new();
    let extend = ServerAction::<ExtendPerson>::new();
    let params = leptos_router::hooks::use_query_map();
    let query = Memo::new(move |_| {
        params.with(|q| PeopleQuery {
            state: q.get("state").unwrap_or_default(),
            department: q.get("department").unwrap_or_default(),
            search: q.get("q").unwrap_or_default(),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        })
    });
    let people = Resource::new(
        move || {
            (
                id.get(),
                query.get(),
                refresh.version().get(),
                exempt.version().get(),
                extend.version().get(),
            )
        },
        |(id, query, ..)| requirement_people(id, query),
    );
    // Only the heading uses it: what a requirement is does not change on this page.
    let summary = Resource::new(move || id.get(), requirement_overview);
    let refresh_result: Signal<Option<Result<(), AppError>>> = refresh.value().into();
    let exempt_result: Signal<Option<Result<(), AppError>>> = exempt.value().into();
    let extend_result: Signal<Option<Result<(), AppError>>> = extend.value().into();
    // The person whose exemption or extension is being edited.
    let editing = RwSignal::new(None::<(i64, String)>);
    let reason = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    view! {
        <Title text="Requirement" />
        <div class="page-header">
            <div>
                <p class="small"><a href="/admin/requirements">"← Requirements"</a></p>
                <Suspense fallback=|| view! { <h1>"Requirement"</h1> }>
                    {move || Suspend::new(async move {
                        match summary.await {
                            Ok(r) => view! {
                                <h1>{r.name.clone()}</h1>
                                <p class="lead">{format!("{} “{}” · {} · {}", r.training.label(), r.training_title, r.timing_text, r.reminders_text)}</p>
                            }.into_any(),
                            Err(_) => view! { <h1>"Requirement"</h1> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
            <button type="button" class="btn btn-secondary" on:click=move |_| { refresh.dispatch(RefreshRequirement { id: id.get_untracked() }); }>
                "Refresh now"
            </button>
        </div>
        <FormAlert result=refresh_result success="Brought up to date." />
        <FormAlert result=exempt_result success="Exemption saved." />
        <FormAlert result=extend_result success="Extension saved." />
        {move || editing.get().map(|(user_id, name)| view! {
            <section class="card" aria-labelledby="exception-heading">
                <h2 id="exception-heading">{format!("Exception for {name}")}</h2>
                <form class="form" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    extend.dispatch(ExtendPerson { id: id.get_untracked(), user_id, extended_to: date.get_untracked(), reason: reason.get_untracked() });
                }>
                    <TextArea label="Reason" name="reason" value=reason rows=2 error=Signal::derive(move || {
                        field_error(extend_result, "reason").get().or_else(|| field_error(exempt_result, "reason").get())
                    }) />
                    <Field label="New due date" name="extended_to" kind="date" value=date error=field_error(extend_result, "extended_to")
                        hint="Leave empty to take an extension back." />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary">"Save extension"</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| {
                            exempt.dispatch(ExemptPerson { id: id.get_untracked(), user_id, reason: reason.get_untracked() });
                        }>"Exempt with this reason"</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| {
                            exempt.dispatch(ExemptPerson { id: id.get_untracked(), user_id, reason: String::new() });
                        }>"Lift exemption"</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(None)>"Close"</button>
                    </div>
                </form>
            </section>
        })}
        <PeopleFilter query=query.get_untracked() />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match people.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! { <p class="empty-state">"Nobody here matches."</p> }.into_any(),
                    Ok(list) => {
                        let (page, page_count, total) = (list.page, list.page_count(), list.total);
                        let q = query.get_untracked();
                        let href = move |p: u32| crate::ui::query_string(&[
                            ("state", q.state.clone()),
                            ("department", q.department.clone()),
                            ("q", q.search.clone()),
                            ("page", p.to_string()),
                        ]);
                        view! {
                        <section class="card">
                            <div class="table-wrap"><table class="data-table">
                                <caption class="visually-hidden">"People and their status"</caption>
                                <thead><tr><th scope="col">"Person"</th><th scope="col">"Status"</th><th scope="col">"Due"</th><th scope="col">"Completed"</th><th scope="col">"Expires"</th><th scope="col">"Notes"</th><th scope="col">"Actions"</th></tr></thead>
                                <tbody>{list.items.into_iter().map(|p| view! { <tr>
                                    <td>{p.name.clone()}<br /><span class="small muted">{p.email.clone()}</span></td>
                                    <td>{badge(p.state)}</td>
                                    <td>{p.due_on.clone().unwrap_or_default()}</td>
                                    <td>{p.completed_on.clone().unwrap_or_default()}</td>
                                    <td>{p.expires_on.clone().unwrap_or_default()}</td>
                                    <td class="small">
                                        {p.exempt_reason.clone().map(|r| format!("Exempt: {r}. "))}
                                        {p.extended_to.clone().map(|d| format!("Extended to {d}."))}
                                    </td>
                                    <td>{
                                        let (user_id, name) = (p.user_id, p.name.clone());
                                        view! {
                                            <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Exception for {name}")
                                                on:click=move |_| editing.set(Some((user_id, name.clone())))>"Exempt or extend"</button>
                                        }
                                    }</td>
                                </tr> }).collect_view()}</tbody>
                            </table></div>
                            <Pagination page page_count total href />
                        </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Filters for a requirement's people, as a plain GET form (works before and without script).
#[component]
fn PeopleFilter(query: PeopleQuery) -> impl IntoView {
    view! {
        <form class="toolbar" method="get" role="search" aria-label="Filter people">
            <div class="field">
                <label for="people-state">"Status"</label>
                <select id="people-state" name="state">
                    <option value="" selected=query.state.is_empty()>"Any"</option>
                    {State::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=query.state == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="people-department">"Department"</label>
                <input id="people-department" name="department" value=query.department.clone() />
            </div>
            <div class="field">
                <label for="people-search">"Name or email"</label>
                <input id="people-search" name="q" type="search" value=query.search.clone() />
            </div>
            <button type="submit" class="btn btn-secondary">"Filter"</button>
        </form>
    }
}

/// "Required training" at the top of a learner's home page, soonest due first; overdue and
/// expired say so in words, not only in red.
#[component]
pub fn RequiredTraining() -> impl IntoView {
    let mine = Resource::new(|| (), |_| my_requirements());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list: Vec<MyRequirement> = mine.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="required-heading">
                        <h2 id="required-heading">"Required training"</h2>
                        <ul class="plain-list">{list.into_iter().map(|r| {
                            let when = match (r.state, &r.due_on, &r.expires_on) {
                                (State::Completed, _, Some(expires)) => format!("valid until {expires}"),
                                (State::Completed | State::Exempt, _, _) => String::new(),
                                (State::Expired, _, Some(expires)) => format!("expired on {expires}"),
                                (_, Some(due), _) => format!("due {due}"),
                                _ => String::new(),
                            };
                            view! { <li>
                                <a href=r.training.link()>{r.name.clone()}</a>" "
                                {badge(r.state)}
                                <span class="small muted">{format!(" {} · {}", r.training_title, when)}</span>
                            </li> }
                        }).collect_view()}</ul>
                    </section>
                })
            })}
        </Suspense>
    }
}

/// The compliance matrix (departments or audiences × requirements), its CSV, and compliance
/// over time as a chart with its numbers.
#[component]
pub fn CompliancePage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let by = Memo::new(move |_| {
        query.with(|q| match q.get("by").as_deref() {
            Some("audience") => "audience".to_string(),
            _ => "department".to_string(),
        })
    });
    let page = crate::ui::pagination::page_param("page");
    let matrix = Resource::new(
        move || (by.get(), page.get()),
        |(by, page)| compliance_matrix(by, page),
    );
    let trend = Resource::new(|| (), |_| compliance_trend(90));
    let recompute = ServerAction::<RecomputeMatrix>::new();
    let recompute_result: Signal<Option<Result<(), AppError>>> = recompute.value().into();
    let tab = move |value: &'static str, label: &'static str| {
        view! {
            <a href=format!("/admin/compliance?by={value}") class="btn btn-secondary btn-small"
                aria-current=move || (by.get() == value).then_some("page")>{label}</a>
        }
    };
    view! {
        <Title text="Compliance" />
        <div class="page-header">
            <div>
                <h1>"Compliance"</h1>
                <p class="lead">"Who is compliant with each requirement: completed and still valid, or exempt."</p>
            </div>
            <a class="btn btn-secondary" href=move || format!("/admin/compliance.csv?by={}", by.get()) download>"Download CSV"</a>
        </div>
        <nav class="button-row" aria-label="Group people by">{tab("department", "By department")}{tab("audience", "By audience")}</nav>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match matrix.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(m) if m.requirements.is_empty() => view! { <p class="empty-state">"No requirements yet."</p> }.into_any(),
                    Ok(m) => {
                        let by = m.by.clone();
                        let (page, page_count, total) = (m.rows.page, m.rows.page_count(), m.rows.total);
                        let heading = if by == "audience" { "Audience" } else { "Department" };
                        let columns: Vec<i64> = m.requirements.iter().map(|(id, _)| *id).collect();
                        let computed = m.computed.clone();
                        let next_run = match &m.next_run {
                            NextRun::Idle => String::new(),
                            NextRun::Now => " Computing them again: reload the page in a moment.".to_string(),
                            NextRun::At(at) => format!(" Recent completions are counted at {at}."),
                        };
                        view! {
                            <section class="card">
                                <form class="toolbar" method="post" action=RecomputeMatrix::PATH
                                    on:submit=move |ev| { ev.prevent_default(); recompute.dispatch(RecomputeMatrix {}); }>
                                    <p class="small muted" role="status" data-testid="matrix-computed">
                                        {match computed {
                                            Some(at) => format!("Figures as of {at}."),
                                            None => "The figures have not been computed yet.".to_string(),
                                        }}
                                        {next_run}
                                    </p>
                                    <button type="submit" class="btn btn-secondary btn-small" disabled=move || recompute.pending().get()>"Recompute now"</button>
                                    <FormAlert result=recompute_result success="Computing the figures again: reload the page in a moment." />
                                </form>
                                <div class="table-wrap"><table class="data-table matrix">
                                    <caption>{format!("Compliance by {}", heading.to_lowercase())}</caption>
                                    <thead><tr>
                                        <th scope="col">{heading}</th>
                                        {m.requirements.iter().map(|(id, name)| view! {
                                            <th scope="col"><a href=format!("/admin/requirements/{id}")>{name.clone()}</a></th>
                                        }).collect_view()}
                                    </tr></thead>
                                    <tbody>{m.rows.items.into_iter().map(|row| {
                                        // A department's cells open the requirement's people in it.
                                        let department = (by == "department" && row.label != "No department").then(|| row.label.clone());
                                        view! { <MatrixLine row columns=columns.clone() department /> }
                                    }).collect_view()}</tbody>
                                    {m.everyone.map(|row| view! { <tfoot><MatrixLine row columns=columns.clone() department=None /></tfoot> })}
                                </table></div>
                                <Pagination page page_count total href=move |p| format!("/admin/compliance?by={by}&page={p}") />
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <section class="card" aria-labelledby="trend-heading">
            <h2 id="trend-heading">"Compliance over the last 90 nights"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match trend.await {
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                        Ok(t) if t.points.is_empty() => view! {
                            <p class="empty-state">"The nightly run records compliance each night; the chart starts after the first."</p>
                        }.into_any(),
                        Ok(t) => view! {
                            <figure class="chart-figure" inner_html=t.svg.clone()></figure>
                            <details>
                                <summary>"Show as a table"</summary>
                                <table class="data-table">
                                    <caption class="visually-hidden">"Compliance by night"</caption>
                                    <thead><tr><th scope="col">"Night"</th><th scope="col" class="num">"Assigned"</th><th scope="col" class="num">"Compliant"</th><th scope="col" class="num">"Overdue or expired"</th></tr></thead>
                                    <tbody>{t.points.into_iter().map(|p| view! { <tr>
                                        <td>{p.day}</td><td class="num">{p.assigned}</td><td class="num">{p.compliant}</td><td class="num">{p.overdue}</td>
                                    </tr> }).collect_view()}</tbody>
                                </table>
                            </details>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// One group's row: per cent compliant as a bar and in words, with overdue and expiring counts.
#[component]
fn MatrixLine(row: MatrixRow, columns: Vec<i64>, department: Option<String>) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{row.label.clone()}</th>
            {row.cells.into_iter().zip(columns).map(|(cell, id)| match cell.percent() {
                None => view! { <td><span aria-hidden="true">"—"</span><span class="visually-hidden">"Not assigned"</span></td> }.into_any(),
                Some(percent) => view! { <td>
                    <crate::ui::ProgressBar percent label="Compliant" />
                    <a class="small" href=format!(
                        "/admin/requirements/{id}{}",
                        crate::ui::query_string(&[("department", department.clone().unwrap_or_default())])
                    )>{format!("{} of {}", cell.compliant, cell.assigned)}</a>
                    {(cell.overdue > 0).then(|| view! { " "<span class="badge badge-danger">{format!("{} overdue", cell.overdue)}</span> })}
                    {(cell.expiring > 0).then(|| view! { " "<span class="badge badge-warning">{format!("{} expiring", cell.expiring)}</span> })}
                </td> }.into_any(),
            }).collect_view()}
        </tr>
    }
}
