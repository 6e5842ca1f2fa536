//! The quiz's intro panel in the player, an attempt's review (with hand-marking for staff), and
//! the course's grading queue.

use super::super::model::*;
use super::super::server::*;
use crate::error::AppError;
use crate::grading::model::format_points;
use crate::ui::forms::field_error;
use crate::ui::route_id;
use crate::ui::{ErrorPage, FormAlert, Pagination, format};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

fn percent(p: f64) -> String {
    format!("{:.1} %", p)
}

/// A score on the quiz's scale, the one the gradebook uses too: "3 / 4 points".
fn points_of(score: f64, max: f64) -> String {
    format!("{} / {} points", format_points(score), format_points(max))
}

fn score_text(a: &AttemptSummary) -> String {
    match (a.state.as_str(), a.score, a.needs_grading) {
        ("in_progress", ..) => "In progress".into(),
        (_, _, true) => "Waiting for grading".into(),
        (_, Some(s), _) => points_of(s, a.max_score),
        _ => "—".into(),
    }
}

/// The quiz item in the player: rules, past attempts, and Start / Continue.
#[component]
pub fn QuizIntroPanel(item_id: i64) -> impl IntoView {
    let start = ServerAction::<StartAttempt>::new();
    let intro = Resource::new(
        move || (item_id, start.version().get()),
        |(id, _)| load_quiz_intro(id),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(attempt_id)) = start.value().get() {
            navigate(&format!("/attempts/{attempt_id}"), Default::default());
        }
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading the quiz…"</p> }>
            {move || Suspend::new(async move {
                let intro = match intro.await {
                    Ok(i) => i,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let s = intro.settings.clone();
                let rules = [
                    Some(format!("{}.", format::plural(intro.question_count, "question", "questions"))),
                    s.time_limit_secs.map(|t| format!("Time limit: {}. The attempt is submitted automatically when time runs out.", minutes(t))),
                    Some(match s.attempts_allowed {
                        0 => "Unlimited attempts.".to_string(),
                        1 => "One attempt.".to_string(),
                        n => format!("{n} attempts; {}.", s.grading_method.label().to_lowercase()),
                    }),
                    s.opens_at.map(|t| format!("Opens {}.", format::datetime(t))),
                    s.closes_at.map(|t| format!("Closes {}.", format::datetime(t))),
                    s.pass_percent.map(|p| format!("Pass mark: {}.", percent(p))),
                ];
                let error = start.value().get().and_then(|r| r.err()).map(|e| e.to_string());
                view! {
                    <section class="quiz-intro" aria-labelledby="quiz-rules">
                        <h2 id="quiz-rules">"About this quiz"</h2>
                        {intro.own_dates.then(|| view! {
                            <p class="alert alert-info" role="status">"Your instructor set dates, a time limit or attempts for you: the rules below are yours."</p>
                        })}
                        <ul>{rules.into_iter().flatten().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                        {intro.grade_percent.map(|g| view! {
                            <p class="quiz-grade">"Your grade: "<strong>{points_of(g / 100.0 * intro.max_points, intro.max_points)}</strong>{format!(" ({})", percent(g))}</p>
                        })}
                        {(!intro.attempts.is_empty()).then(|| view! {
                            <table class="table">
                                <caption>"Your attempts"</caption>
                                <thead><tr><th scope="col">"Attempt"</th><th scope="col">"Submitted"</th><th scope="col">"Score"</th><th scope="col"><span class="visually-hidden">"Review"</span></th></tr></thead>
                                <tbody>
                                    {intro.attempts.iter().map(|a| view! {
                                        <tr>
                                            <td>{a.number}</td>
                                            <td>{a.submitted_at.map(format::datetime).unwrap_or_default()}
                                                {a.auto_submitted.then_some(" (time ran out)")}</td>
                                            <td>{score_text(a)}</td>
                                            <td>{(a.state != "in_progress").then(|| view! {
                                                <a href=format!("/attempts/{}/review", a.id)>{format!("Review attempt {}", a.number)}</a>
                                            })}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })}
                        {error.map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                        {match (intro.open_attempt, intro.cannot_start.clone()) {
                            (Some(id), _) => view! { <p><a class="btn btn-primary" href=format!("/attempts/{id}")>"Continue the attempt"</a></p> }.into_any(),
                            (None, Some(reason)) => view! { <p class="alert alert-info">{reason}</p> }.into_any(),
                            (None, None) => view! {
                                <p><button type="button" class="btn btn-primary" disabled=move || start.pending().get()
                                    on:click=move |_| { start.dispatch(StartAttempt { item_id }); }>
                                    {if intro.attempts.is_empty() { "Start the quiz" } else { "Start a new attempt" }}
                                </button></p>
                            }.into_any(),
                        }}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

fn minutes(seconds: i64) -> String {
    if seconds % 60 == 0 {
        format::plural(seconds / 60, "minute", "minutes")
    } else {
        format!("{} min {} s", seconds / 60, seconds % 60)
    }
}

#[component]
pub fn AttemptReviewPage() -> impl IntoView {
    let attempt_id = route_id("id");
    let grade = ServerAction::<GradeAttemptQuestion>::new();
    // The forms share one action; only the one last submitted shows its result.
    let graded_slot = RwSignal::new(None::<i32>);
    let review = Resource::new(
        move || (attempt_id.get(), grade.version().get()),
        |(id, _)| load_attempt_review(id),
    );
    view! {
        <Title text="Attempt review" />
        <Suspense fallback=|| view! { <p>"Loading the review…"</p> }>
            {move || Suspend::new(async move {
                let r = match review.await {
                    Ok(r) => r,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let a = r.attempt.clone();
                view! {
                    <nav aria-label="Breadcrumb" class="breadcrumb">
                        <a href=format!("/courses/{}/learn/{}", r.course_id, r.item_id)>{r.title.clone()}</a>" › "{format!("Attempt {}", a.number)}
                    </nav>
                    <h1>{format!("{}: attempt {}", r.title, a.number)}</h1>
                    <dl class="summary-list">
                        <dt>"Learner"</dt><dd>{r.learner_name.clone()}</dd>
                        <dt>"Submitted"</dt><dd>{a.submitted_at.map(format::datetime).unwrap_or_default()}
                            {a.auto_submitted.then_some(" (automatically, when time ran out)")}</dd>
                        {r.show_answers.then(|| view! { <dt>"Score"</dt><dd>{score_text(&a)}{r.percent.map(|p| format!(" ({})", percent(p)))}</dd> })}
                        {r.passed.map(|p| view! { <dt>"Result"</dt><dd>{if p { "Passed" } else { "Not passed yet" }}</dd> })}
                    </dl>
                    {r.band_feedback.clone().map(|f| view! { <p class="alert alert-info">{f}</p> })}
                    {(!r.show_answers).then(|| view! { <p class="alert alert-info">"Your answers can be reviewed later, as the quiz's settings allow."</p> })}
                    {r.questions.iter().map(|q| {
                        let q = q.clone();
                        let may_grade = r.may_grade;
                        let attempt_id = a.id;
                        view! {
                            <section class="question card" aria-labelledby=format!("rq-{}", q.number)>
                                <h2 id=format!("rq-{}", q.number) class="h3">{format!("Question {} ({})", q.number, q.type_label)}
                                    {q.mark.map(|m| format!(": {} / {}", format_points(m), format_points(q.max_mark)))}
                                    {q.needs_grading.then_some(": waiting for grading")}</h2>
                                <div class="prose" inner_html=q.stem_html.clone()></div>
                                {q.answer_text.clone().map(|t| view! { <p><strong>"Answer: "</strong><span class="pre-wrap">{t}</span></p> })}
                                {q.correct_text.clone().map(|t| view! { <p><strong>"Right answer: "</strong>{t}</p> })}
                                {q.feedback.iter().map(|f| view! { <div class="feedback" inner_html=f.0.clone()></div> }).collect_view()}
                                {q.grader_comment.clone().filter(|c| !c.is_empty()).map(|c| view! { <p class="feedback"><strong>"Grader's comment: "</strong>{c}</p> })}
                                {may_grade.then(|| view! { <GradeForm attempt_id slot_number=q.slot max_mark=q.max_mark mark=q.mark comment=q.grader_comment.clone().unwrap_or_default() grade graded_slot /> })}
                            </section>
                        }
                    }).collect_view()}
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn GradeForm(
    attempt_id: i64,
    slot_number: i32,
    max_mark: f64,
    mark: Option<f64>,
    comment: String,
    grade: ServerAction<GradeAttemptQuestion>,
    graded_slot: RwSignal<Option<i32>>,
) -> impl IntoView {
    let slot = slot_number;
    let mark_value = RwSignal::new(mark.map(format_points).unwrap_or_default());
    let comment_value = RwSignal::new(comment);
    let local_error = RwSignal::new(None::<String>);
    let result: Signal<Option<Result<(), AppError>>> = Signal::derive(move || {
        if graded_slot.get() == Some(slot) {
            grade.value().get()
        } else {
            None
        }
    });
    let server_error = field_error(result, "mark");
    let mark_id = format!("mark-{slot}");
    let comment_id = format!("comment-{slot}");
    view! {
        <form class="form grade-form" on:submit=move |ev| {
            ev.prevent_default();
            match mark_value.get_untracked().trim().replace(',', ".").parse::<f64>() {
                Ok(m) => {
                    local_error.set(None);
                    graded_slot.set(Some(slot));
                    grade.dispatch(GradeAttemptQuestion { attempt_id, slot, mark: m, comment: comment_value.get_untracked() });
                }
                Err(_) => local_error.set(Some(format!("Enter a mark from 0 to {}.", format_points(max_mark)))),
            }
        }>
            <div class="field">
                <label for=mark_id.clone()>{format!("Mark (out of {})", format_points(max_mark))}</label>
                <input id=mark_id.clone() type="text" inputmode="decimal" bind:value=mark_value
                    aria-describedby=format!("{mark_id}-error")
                    aria-invalid=move || if local_error.get().or(server_error.get()).is_some() { "true" } else { "false" } />
                {move || local_error.get().or(server_error.get()).map(|e| view! { <p class="field-error" id=format!("{mark_id}-error")>{e}</p> })}
            </div>
            <div class="field">
                <label for=comment_id.clone()>"Comment for the learner"</label>
                <textarea id=comment_id rows="3" bind:value=comment_value></textarea>
            </div>
            <FormAlert result success="Mark saved." />
            <button type="submit" class="btn btn-primary" disabled=move || grade.pending().get()>"Save mark"</button>
        </form>
    }
}

#[component]
pub fn GradingQueuePage() -> impl IntoView {
    let course_id = route_id("id");
    let page = crate::ui::pagination::page_param("page");
    let queue = Resource::new(
        move || (course_id.get(), page.get()),
        |(id, page)| load_grading_queue(id, page),
    );
    view! {
        <Title text="Grading" />
        <h1>"Needs grading"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let list = match queue.await {
                    Ok(l) => l,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let cid = course_id.get_untracked();
                if list.items.is_empty() {
                    return view! { <p>"Nothing is waiting for a mark."</p> }.into_any();
                }
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Learner"</th><th scope="col">"Quiz"</th><th scope="col">"Question"</th><th scope="col">"Submitted"</th><th scope="col"><span class="visually-hidden">"Grade"</span></th></tr></thead>
                        <tbody>
                            {list.items.iter().map(|t| view! {
                                <tr>
                                    <td>{t.learner_name.clone()}</td>
                                    <td>{t.quiz_title.clone()}</td>
                                    <td>{t.question_name.clone()}</td>
                                    <td>{t.submitted_at.map(format::datetime).unwrap_or_default()}</td>
                                    <td><a href=format!("/attempts/{}/review#rq-{}", t.attempt_id, t.slot)>{format!("Grade {}", t.learner_name)}</a></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <Pagination page=list.page page_count=list.page_count() total=list.total
                        href=move |p| format!("/courses/{cid}/grading?page={p}") />
                }.into_any()
            })}
        </Suspense>
    }
}
