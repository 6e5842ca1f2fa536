//! The instructor dashboard page. Filters are plain GET forms (they work before the script
//! loads); charts arrive as server-drawn SVG, each with its numbers in a table beside it.

use super::model::*;
use super::server::*;
use crate::ui::route_id;
use crate::ui::{ErrorPage, Pagination, format};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn one_decimal(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.1}")).unwrap_or_else(|| "—".into())
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let course_id = route_id("id");
    let query = use_query_map();
    let defaults = RiskQuery::default();
    let below_text = Memo::new(move |_| query.with(|q| q.get("below").unwrap_or_default()));
    let inactive_text = Memo::new(move |_| query.with(|q| q.get("inactive").unwrap_or_default()));
    // Typed values the page cannot use are reported next to their field and the default used.
    let below = Memo::new(move |_| {
        let t = below_text.get();
        if t.trim().is_empty() {
            return Ok(defaults.below_percent);
        }
        match t.trim().replace(',', ".").parse::<f64>() {
            Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
            _ => Err("Enter a percentage from 0 to 100; showing 50 %.".to_string()),
        }
    });
    let inactive = Memo::new(move |_| {
        let t = inactive_text.get();
        if t.trim().is_empty() {
            return Ok(defaults.inactive_days);
        }
        match t.trim().parse::<u32>() {
            Ok(v) if (1..=365).contains(&v) => Ok(v),
            _ => Err("Enter from 1 to 365 days; showing 14.".to_string()),
        }
    });
    let page = crate::ui::pagination::page_param("page");
    let quiz =
        Memo::new(move |_| query.with(|q| q.get("quiz").and_then(|p| p.parse::<i64>().ok())));
    let overview = Resource::new(
        move || {
            (
                course_id.get(),
                below.get().unwrap_or(defaults.below_percent),
                inactive.get().unwrap_or(defaults.inactive_days),
                page.get(),
            )
        },
        |(id, below, inactive, page)| load_dashboard(id, below, inactive, page),
    );
    view! {
        <Title text="Course dashboard" />
        <Suspense fallback=|| view! { <p>"Loading the dashboard…"</p> }>
            {move || Suspend::new(async move {
                let o = match overview.await {
                    Ok(o) => o,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let cid = o.course_id;
                view! {
                    <nav aria-label="Breadcrumb" class="breadcrumb"><a href=format!("/courses/{cid}/edit")>{o.course_title.clone()}</a>" › Dashboard"</nav>
                    <h1>"Course dashboard"</h1>
                    <p>{format!("{}.", format::plural(o.learners, "active learner", "active learners"))}</p>
                    <div class="dashboard">
                        <NeedsGrading o=o.clone() />
                        <Late o=o.clone() />
                        <AtRisk o=o.clone() below_text below_error=Signal::derive(move || below.get().err())
                            inactive_text inactive_error=Signal::derive(move || inactive.get().err()) />
                        <Completion o=o.clone() />
                        <QuizPicker o=o.clone() quiz />
                    </div>
                }.into_any()
            })}
        </Suspense>
        <Show when=move || quiz.get().is_some()>
            <QuizStatsPanel item_id=Signal::derive(move || quiz.get().unwrap_or(0)) />
        </Show>
    }
}

#[component]
fn NeedsGrading(o: Overview) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="needs-grading">
            <h2 id="needs-grading">"Needs grading"</h2>
            {if o.needs_grading.is_empty() {
                view! { <p>"Nothing is waiting for a grade."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table">
                        <caption class="visually-hidden">"Work waiting for a grade"</caption>
                        <thead><tr><th scope="col">"Item"</th><th scope="col">"Kind"</th><th scope="col">"Waiting"</th><th scope="col"><span class="visually-hidden">"Open"</span></th></tr></thead>
                        <tbody>{o.needs_grading.iter().map(|w| view! {
                            <tr><th scope="row">{w.title.clone()}</th><td>{w.kind.clone()}</td><td>{w.count}</td>
                                <td><a href=w.href.clone()>{format!("Grade {}", w.title)}</a></td></tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Late(o: Overview) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="late-work">
            <h2 id="late-work">"Late and missing work"</h2>
            {if o.late.is_empty() {
                view! { <p>"No assignment is past its due date."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table">
                        <caption class="visually-hidden">"Assignments past their due date"</caption>
                        <thead><tr><th scope="col">"Assignment"</th><th scope="col">"Due"</th><th scope="col">"Handed in late"</th><th scope="col">"Not handed in"</th></tr></thead>
                        <tbody>{o.late.iter().map(|w| view! {
                            <tr><th scope="row"><a href=w.href.clone()>{w.title.clone()}</a></th><td>{format::datetime(w.due_at)}</td>
                                <td>{w.late}</td><td>{w.missing}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn AtRisk(
    o: Overview,
    below_text: Memo<String>,
    below_error: Signal<Option<String>>,
    inactive_text: Memo<String>,
    inactive_error: Signal<Option<String>>,
) -> impl IntoView {
    let cid = o.course_id;
    let page_count = (o.at_risk_total.max(1) as u32).div_ceil(o.per_page);
    let (below, inactive) = (o.risk.below_percent, o.risk.inactive_days);
    let shown = |typed: String, used: String| if typed.trim().is_empty() { used } else { typed };
    view! {
        <section class="card" aria-labelledby="at-risk">
            <h2 id="at-risk">"Learners at risk"</h2>
            <form class="form inline-form" method="get" action=format!("/courses/{cid}/dashboard")>
                <div class="field">
                    <label for="risk-below">"Course total below (%)"</label>
                    <input id="risk-below" name="below" type="text" inputmode="decimal" class="narrow"
                        value=shown(below_text.get_untracked(), crate::grading::model::format_points(below))
                        aria-invalid=move || if below_error.get().is_some() { "true" } else { "false" }
                        aria-describedby="risk-below-error" />
                    {move || below_error.get().map(|e| view! { <p class="field-error" id="risk-below-error">{e}</p> })}
                </div>
                <div class="field">
                    <label for="risk-inactive">"Or inactive for (days)"</label>
                    <input id="risk-inactive" name="inactive" type="text" inputmode="numeric" class="narrow"
                        value=shown(inactive_text.get_untracked(), inactive.to_string())
                        aria-invalid=move || if inactive_error.get().is_some() { "true" } else { "false" }
                        aria-describedby="risk-inactive-error" />
                    {move || inactive_error.get().map(|e| view! { <p class="field-error" id="risk-inactive-error">{e}</p> })}
                </div>
                <button type="submit" class="btn btn-secondary">"Show"</button>
            </form>
            {if o.at_risk.is_empty() {
                view! { <p>"No learner is at risk by these measures."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table">
                            <caption class="visually-hidden">"Learners at risk"</caption>
                            <thead><tr><th scope="col">"Learner"</th><th scope="col">"Course total"</th><th scope="col">"Last active"</th><th scope="col">"Why"</th></tr></thead>
                            <tbody>{o.at_risk.iter().map(|l| view! {
                                <tr><th scope="row">{l.name.clone()}<span class="small muted block">{l.email.clone()}</span></th>
                                    <td>{l.total_percent.map(|p| format!("{p:.1} %")).unwrap_or_else(|| "No grades".into())}</td>
                                    <td>{format::datetime(l.last_active_at)}</td>
                                    <td>{l.reasons.join("; ")}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                    <Pagination page=o.risk.page.max(1) page_count total=o.at_risk_total
                        href=move |p| format!("/courses/{cid}/dashboard?below={}&inactive={inactive}&page={p}", crate::grading::model::format_points(below)) />
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Completion(o: Overview) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="completion">
            <h2 id="completion">"Completion over the last 30 days"</h2>
            <figure class="chart-figure" inner_html=o.completion_svg.clone()></figure>
            <details>
                <summary>"Show as a table"</summary>
                <table class="data-table">
                    <caption class="visually-hidden">"Learners who had completed, by day"</caption>
                    <thead><tr><th scope="col">"Day (UTC)"</th><th scope="col">"Completed"</th><th scope="col">"Share of learners"</th></tr></thead>
                    <tbody>{o.completion.iter().map(|d| view! {
                        <tr><th scope="row">{d.day.clone()}</th><td>{d.completed}</td><td>{format!("{:.1} %", d.percent)}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            </details>
        </section>
    }
}

#[component]
fn QuizPicker(o: Overview, quiz: Memo<Option<i64>>) -> impl IntoView {
    let cid = o.course_id;
    let selected = quiz.get_untracked();
    view! {
        <section class="card" aria-labelledby="quiz-statistics">
            <h2 id="quiz-statistics">"Quiz statistics"</h2>
            {if o.quizzes.is_empty() {
                view! { <p>"This course has no quizzes."</p> }.into_any()
            } else {
                view! {
                    <form class="form inline-form" method="get" action=format!("/courses/{cid}/dashboard")>
                        <div class="field">
                            <label for="stats-quiz">"Quiz"</label>
                            <select id="stats-quiz" name="quiz">
                                {o.quizzes.iter().map(|(id, title)| view! {
                                    <option value=id.to_string() selected={selected == Some(*id)}>{title.clone()}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <button type="submit" class="btn btn-secondary">"Show statistics"</button>
                    </form>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn QuizStatsPanel(item_id: Signal<i64>) -> impl IntoView {
    let data = Resource::new(move || item_id.get(), load_quiz_stats);
    view! {
        <Suspense fallback=|| view! { <p>"Loading the quiz statistics…"</p> }>
            {move || Suspend::new(async move {
                let s = match data.await {
                    Ok(s) => s,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                view! {
                    <section class="card" aria-labelledby="quiz-stats-heading">
                        <h2 id="quiz-stats-heading">{format!("Statistics: {}", s.title)}</h2>
                        <ul class="stats plain-list" aria-label="Summary">
                            <li class="stat"><span class="stat-value">{s.attempts}</span><span class="stat-label">"finished attempts"</span></li>
                            <li class="stat"><span class="stat-value">{format!("{} %", one_decimal(s.mean))}</span><span class="stat-label">"mean"</span></li>
                            <li class="stat"><span class="stat-value">{format!("{} %", one_decimal(s.median))}</span><span class="stat-label">"median"</span></li>
                        </ul>
                        <h3>"Score distribution"</h3>
                        <figure class="chart-figure" inner_html=s.distribution_svg.clone()></figure>
                        <details>
                            <summary>"Show as a table"</summary>
                            <table class="data-table">
                                <caption class="visually-hidden">"Attempts per score band"</caption>
                                <thead><tr><th scope="col">"Score"</th><th scope="col">"Attempts"</th></tr></thead>
                                <tbody>{s.distribution.iter().enumerate().map(|(i, n)| view! {
                                    <tr><th scope="row">{band_label(i)}</th><td>{*n}</td></tr>
                                }).collect_view()}</tbody>
                            </table>
                        </details>
                        <h3>"Item analysis"</h3>
                        <p class="hint">"Facility: the average score as a share of the mark (higher is easier). Discrimination: how closely a question's score follows the rest of the quiz (above 30 is good; near 0 or negative deserves a look)."</p>
                        {if s.questions.is_empty() {
                            view! { <p>"No finished attempts yet."</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table class="data-table">
                                        <caption class="visually-hidden">"Facility and discrimination per question"</caption>
                                        <thead><tr><th scope="col">"Question"</th><th scope="col">"Attempts"</th><th scope="col">"Mark"</th>
                                            <th scope="col">"Facility (%)"</th><th scope="col">"Discrimination"</th></tr></thead>
                                        <tbody>{s.questions.iter().map(|q| view! {
                                            <tr><th scope="row">{q.name.clone()}</th><td>{q.attempts}</td>
                                                <td>{crate::grading::model::format_points(q.max_mark)}</td>
                                                <td>{one_decimal(q.facility)}</td><td>{one_decimal(q.discrimination)}</td></tr>
                                        }).collect_view()}</tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
