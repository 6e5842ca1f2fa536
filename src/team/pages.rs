//! "My team" and one team member's page.

use super::model::TeamMember;
use super::server::{NudgeTeamMember, load_team_member, my_team};
use crate::compliance::model::MyRequirement;
use crate::compliance::pages::badge;
use crate::error::AppError;
use crate::ui::{ErrorPage, FormAlert, Pagination, ProgressBar, format, route_id};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn TeamPage() -> impl IntoView {
    let params = use_query_map();
    let page = Memo::new(move |_| {
        params
            .get()
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
    });
    let list = Resource::new(move || page.get(), my_team);
    view! {
        <Title text="My team" />
        <div class="page-header">
            <div>
                <h1>"My team"</h1>
                <p class="lead">"The people who report to you, directly or through others, and how their courses are going."</p>
            </div>
        </div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! {
                        <p class="empty-state">"Nobody reports to you. Administrators record who reports to whom on each person's profile."</p>
                    }.into_any(),
                    Ok(list) => {
                        let (page, page_count, total) = (list.page, list.page_count(), list.total);
                        view! {
                            <section class="card">
                                <div class="table-wrap"><table class="data-table">
                                    <caption class="visually-hidden">"People who report to you"</caption>
                                    <thead><tr>
                                        <th scope="col">"Name"</th><th scope="col">"Job title"</th><th scope="col">"Department"</th>
                                        <th scope="col">"Reports to"</th><th scope="col" class="num">"Courses completed"</th><th scope="col">"Required training"</th>
                                    </tr></thead>
                                    <tbody>{list.items.into_iter().map(|m| view! {
                                        <tr>
                                            <td><a href=format!("/team/{}", m.id)>{m.name.clone()}</a><br /><span class="small muted">{m.email.clone()}</span></td>
                                            <td>{m.job_title.clone()}</td>
                                            <td>{m.department.clone()}</td>
                                            <td>{if m.depth == 1 { "You".to_string() } else { m.manager_name.clone() }}</td>
                                            <td class="num">{format!("{} of {}", m.completed, m.courses)}</td>
                                            <td>{compliance_summary(&m)}</td>
                                        </tr>
                                    }).collect_view()}</tbody>
                                </table></div>
                                <Pagination page page_count total href=|p| format!("/team?page={p}") />
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn TeamMemberPage() -> impl IntoView {
    let id = route_id("id");
    let detail = Resource::new(move || id.get(), load_team_member);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(d) => {
                        let p = d.profile;
                        let facts = [
                            ("Employee id", p.employee_id.unwrap_or_default()),
                            ("Job title", p.job_title),
                            ("Department", p.department),
                            ("Location", p.location),
                            ("Reports to", p.manager.map(|m| m.name).unwrap_or_default()),
                            ("Hire date", p.hire_date.unwrap_or_default()),
                        ];
                        view! {
                            <Title text=d.member.name.clone() />
                            <div class="page-header">
                                <div>
                                    <p class="small"><a href="/team">"← My team"</a></p>
                                    <h1>{d.member.name.clone()}</h1>
                                    <p class="muted">{d.member.email.clone()}</p>
                                </div>
                            </div>
                            <div class="grid-2">
                                <section class="card" aria-labelledby="profile-heading">
                                    <h2 id="profile-heading">"Profile"</h2>
                                    <dl class="facts">{facts.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! {
                                        <dt>{k}</dt><dd>{v}</dd>
                                    }).collect_view()}</dl>
                                </section>
                                <RequiredOfMember user_id=d.member.id requirements=d.requirements.clone() />
                                <section class="card" aria-labelledby="courses-heading">
                                    <h2 id="courses-heading">"Courses"</h2>
                                    {if d.courses.is_empty() {
                                        view! { <p class="empty-state">"Not enrolled in any course."</p> }.into_any()
                                    } else {
                                        view! { <ul class="plain-list">{d.courses.into_iter().map(|c| {
                                            let status = if c.progress.completed_at.is_some() { "Completed".to_string() } else {
                                                format!("{} of {} done", c.progress.done, format::plural(c.progress.total, "required item", "required items"))
                                            };
                                            view! { <li>
                                                <strong>{c.title.clone()}</strong>" "<span class="small muted">{c.code.clone()}</span>
                                                <ProgressBar percent=c.progress.percent() label="Course progress" />
                                                <p class="small">{status}</p>
                                            </li> }
                                        }).collect_view()}</ul> }.into_any()
                                    }}
                                </section>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// "2 of 3 compliant, 1 overdue", in words (no colour needed to read it).
fn compliance_summary(m: &TeamMember) -> impl IntoView + use<> {
    if m.required == 0 {
        return view! { <span class="small muted">"None"</span> }.into_any();
    }
    let overdue = (m.overdue > 0).then(|| {
        view! { " "<span class="badge badge-danger">{format!("{} overdue or expired", m.overdue)}</span> }
    });
    view! { <span>{format!("{} of {} compliant", m.compliant, m.required)}</span>{overdue} }
        .into_any()
}

/// A team member's required training with its status, and a button that reminds them of what
/// they still have to do.
#[component]
fn RequiredOfMember(user_id: i64, requirements: Vec<MyRequirement>) -> impl IntoView {
    let nudge = ServerAction::<NudgeTeamMember>::new();
    let result: Signal<Option<Result<(), AppError>>> = nudge.value().into();
    view! {
        <section class="card" aria-labelledby="required-heading">
            <h2 id="required-heading">"Required training"</h2>
            <FormAlert result success="Reminder sent." />
            {if requirements.is_empty() {
                view! { <p class="empty-state">"No required training."</p> }.into_any()
            } else {
                view! { <ul class="plain-list">{requirements.into_iter().map(|r| {
                    let when = r.due_on.clone().map(|d| format!(" · due by {d}")).unwrap_or_default();
                    let requirement_id = r.requirement_id;
                    let name = r.name.clone();
                    view! { <li data-testid="team-requirement">
                        <strong>{r.name.clone()}</strong>" "{badge(r.state)}
                        <span class="small muted">{format!(" {}{when}", r.training_title)}</span>
                        {(!r.state.compliant()).then(|| view! {
                            " "<button type="button" class="btn btn-small btn-secondary" aria-label=format!("Remind about {name}")
                                disabled=move || nudge.pending().get()
                                on:click=move |_| { nudge.dispatch(NudgeTeamMember { user_id, requirement_id }); }>"Send a reminder"</button>
                        })}
                    </li> }
                }).collect_view()}</ul> }.into_any()
            }}
        </section>
    }
}
