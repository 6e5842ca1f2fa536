//! The course page (outline, instructors, dates, enrol), the course player, and "My learning".

use super::model::*;
use super::server::*;
use crate::completion::model::{CourseProgress, ProgressChanged};
use crate::courses::model::{CourseState, Section};
use crate::enrolments::model::{EnrolOption, EnrolmentStatus};
use crate::enrolments::server::SelfEnrol;
use crate::error::AppError;
use crate::ui::forms::{field_error, with_posted};
use crate::ui::route_id;
use crate::ui::{ErrorPage, Field, FormAlert, ProgressBar, format};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::Redirect;

fn date(ts: Option<i64>) -> Option<String> {
    ts.map(|t| crate::input::format_date(Some(t)))
}

#[component]
pub fn CoursePageView() -> impl IntoView {
    let id = route_id("id");
    let enrol = ServerAction::<SelfEnrol>::new();
    let page = Resource::new(
        move || (id.get(), enrol.version().get()),
        |(id, _)| load_course_page(id),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading the course…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <Title text="Course" /><ErrorPage error /> }.into_any(),
                    Ok(page) => view! { <CourseOverview page enrol /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CourseOverview(page: CoursePage, enrol: ServerAction<SelfEnrol>) -> impl IntoView {
    let course = page.course.clone();
    let course_id = course.id;
    let dates = match (date(course.starts_at), date(course.ends_at)) {
        (Some(s), Some(e)) => Some(format!("{s} to {e}")),
        (Some(s), None) => Some(format!("Starts {s}")),
        (None, Some(e)) => Some(format!("Ends {e}")),
        (None, None) => None,
    };
    let completed: Vec<i64> = Vec::new();
    view! {
        <Title text=course.title.clone() />
        <div class="course-hero">
            {course.cover_file_id.map(|f| view! { <img class="course-cover" src=format!("/files/{f}") alt="" /> })}
            <div>
                <p class="small muted">{course.code.clone()}{course.category.clone().map(|c| format!(" · {c}"))}</p>
                <h1>{course.title.clone()}</h1>
                {(course.state != CourseState::Published).then(|| view! { <p><span class=format!("badge badge-{}", course.state.as_str())>{course.state.label()}</span></p> })}
                <p class="lead">{course.summary.clone()}</p>
                <dl class="facts">
                    {(!page.instructors.is_empty()).then(|| view! { <dt>"Instructors"</dt><dd>{page.instructors.join(", ")}</dd> })}
                    {dates.map(|d| view! { <dt>"Dates"</dt><dd>{d}</dd> })}
                    {(!course.tags.is_empty()).then(|| view! { <dt>"Tags"</dt><dd>{course.tags.join(", ")}</dd> })}
                </dl>
            </div>
        </div>
        <div class="course-layout">
            <div class="stack">
                <EnrolBox page=page.clone() enrol />
                {page.progress.clone().map(|p| view! {
                    <section class="card" aria-labelledby="progress-heading">
                        <h2 id="progress-heading">"Your progress"</h2>
                        <ProgressBar percent=p.percent() label="Course progress" />
                        <p>{format!("{} of {} done", p.done.min(p.total), format::plural(p.total, "required item", "required items"))}</p>
                        {p.completed_at.map(|t| view! { <p class="badge badge-active">{format!("Completed on {}", format::datetime(t))}</p> })}
                    </section>
                })}
                {page.is_staff.then(|| view! {
                    <section class="card">
                        <h2>"Staff"</h2>
                        <p><a href=format!("/courses/{course_id}/edit")>"Edit the course"</a>" · "<a href=format!("/courses/{course_id}/participants")>"Participants"</a></p>
                    </section>
                })}
            </div>
            <div class="stack">
                {(!page.description_html.is_empty()).then(|| view! {
                    <section class="card prose" aria-label="About this course" inner_html=page.description_html.clone()></section>
                })}
                <section class="card" aria-labelledby="outline-heading">
                    <h2 id="outline-heading">"Outline"</h2>
                    <Outline sections=page.outline.clone() course_id completed current=None linked=page.can_open />
                </section>
            </div>
        </div>
    }
}

#[component]
fn EnrolBox(page: CoursePage, enrol: ServerAction<SelfEnrol>) -> impl IntoView {
    let course_id = page.course.id;
    let key = RwSignal::new(String::new());
    let result: Signal<Option<Result<EnrolmentStatus, AppError>>> =
        with_posted(enrol.value().into());
    let resume = page.progress.as_ref().and_then(|p| p.last_item_id);
    let open_link = match resume {
        Some(item) => format!("/courses/{course_id}/learn/{item}"),
        None => format!("/courses/{course_id}/learn"),
    };
    let body = match page.enrol.clone() {
        EnrolOption::Enrolled { status: EnrolmentStatus::Active, .. } if page.can_open => view! {
            <p>"You are enrolled."</p>
            <a class="btn btn-primary" href=open_link>{if resume.is_some() { "Resume" } else { "Start" }}</a>
            " "<a class="btn btn-secondary" href=format!("/courses/{course_id}/grades")>"My grades"</a>
        }.into_any(),
        EnrolOption::Enrolled { status, .. } => view! {
            <p role="status">{match status {
                EnrolmentStatus::Pending => "Your enrolment is waiting for an instructor's approval.".to_string(),
                EnrolmentStatus::Waitlisted => "The course is full: you are on the waiting list and will be enrolled when a place frees up.".to_string(),
                EnrolmentStatus::Active => "You are enrolled; the course opens when it is published.".to_string(),
                EnrolmentStatus::Withdrawn => "You have left this course.".to_string(),
            }}</p>
        }.into_any(),
        EnrolOption::Closed { reason } => view! { <p>{reason}</p> }.into_any(),
        EnrolOption::Open { needs_key, needs_approval, full } => view! {
            // Without script the form posts to the server function, which sends the browser back here.
            <form class="form" method="post" action=SelfEnrol::PATH on:submit=move |ev| {
                ev.prevent_default();
                enrol.dispatch(SelfEnrol { course_id, key: key.get_untracked() });
            }>
                <FormAlert result />
                <input type="hidden" name="course_id" value=course_id.to_string() />
                {full.then(|| view! { <p>"The course is full: enrolling puts you on the waiting list."</p> })}
                {(needs_approval && !full).then(|| view! { <p>"An instructor approves each enrolment."</p> })}
                {if needs_key {
                    view! {
                        <Field label="Enrolment key" name="key" value=key required=true error=field_error(result, "enrol_key")
                            hint="Your instructor gives you this key." />
                    }.into_any()
                } else {
                    view! { <input type="hidden" name="key" value="" /> }.into_any()
                }}
                <button type="submit" class="btn btn-primary" disabled=move || enrol.pending().get()>
                    {if full { "Join the waiting list" } else { "Enrol" }}
                </button>
            </form>
        }.into_any(),
    };
    view! {
        <section class="card" aria-labelledby="enrol-heading">
            <h2 id="enrol-heading">"Enrolment"</h2>
            {body}
            {(page.is_staff && page.can_open).then(|| view! {
                <p><a class="btn btn-secondary" href=format!("/courses/{course_id}/learn")>"Preview as staff"</a></p>
            })}
        </section>
    }
}

#[component]
fn Outline(
    sections: Vec<Section>,
    course_id: i64,
    completed: Vec<i64>,
    current: Option<i64>,
    linked: bool,
) -> impl IntoView {
    view! {
        <div class="outline">
            {sections.into_iter().map(|s| {
                let heading_id = format!("outline-section-{}", s.id);
                view! {
                    <h3 id=heading_id.clone() class="outline-heading">{s.title.clone()}</h3>
                    <ol aria-labelledby=heading_id>
                        {s.items.into_iter().map(|i| {
                            let done = completed.contains(&i.id);
                            let is_current = current == Some(i.id);
                            let label = i.title.clone();
                            view! {
                                <li class:current=is_current class:done=done>
                                    <span class="tick" aria-hidden="true">{if done { "✓" } else { "○" }}</span>
                                    {if linked {
                                        view! { <a href=format!("/courses/{course_id}/learn/{}", i.id) aria-current=is_current.then_some("page")>{label}</a> }.into_any()
                                    } else {
                                        view! { <span>{label}</span> }.into_any()
                                    }}
                                    {done.then(|| view! { <span class="visually-hidden">" (completed)"</span> })}
                                    {(!i.required).then(|| view! { <span class="small muted">" · optional"</span> })}
                                    <span class="small muted">{format!(" · {}", i.kind.label())}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }
            }).collect_view()}
        </div>
    }
}

/// `/courses/:id/learn`: goes to the item to resume at.
#[component]
pub fn ResumePage() -> impl IntoView {
    let id = route_id("id");
    let enrol = ServerAction::<SelfEnrol>::new();
    let target = Resource::new(
        move || (id.get(), enrol.version().get()),
        |(id, _)| resume_item(id),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Opening the course…"</p> }>
            {move || Suspend::new(async move {
                match target.await {
                    Ok(Some(item)) => view! { <Redirect path=format!("/courses/{}/learn/{item}", id.get_untracked()) /> }.into_any(),
                    Ok(None) => view! { <p class="empty-state">"This course has no content yet."</p> }.into_any(),
                    Err(AppError::Forbidden) => view! { <JoinCourse course_id=id.get_untracked() enrol /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A link into a course (its player, an item) opened by someone signed in who may not open its
/// content: the course's own enrolment options (Enrol, a key, a request for approval, the
/// waiting list) instead of "no access", so that a shared link is a way in. Enrolling reloads
/// what the link pointed at. Only a course they may not even see gives the access-denied page.
#[component]
fn JoinCourse(course_id: i64, enrol: ServerAction<SelfEnrol>) -> impl IntoView {
    let page = Resource::new(
        move || enrol.version().get(),
        move |_| load_course_page(course_id),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading the course…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let course = page.course.clone();
                        view! {
                            <Title text=course.title.clone() />
                            <div class="page-header">
                                <div>
                                    <p class="small muted">{course.code.clone()}</p>
                                    <h1>{course.title.clone()}</h1>
                                    <p class="lead">{course.summary.clone()}</p>
                                </div>
                            </div>
                            {(!matches!(page.enrol, EnrolOption::Enrolled { .. })).then(|| view! {
                                <p class="alert alert-info">"You are not enrolled in this course, so its content is not open to you yet."</p>
                            })}
                            <div class="stack">
                                <EnrolBox page enrol />
                                <p><a href=format!("/courses/{course_id}")>"About this course"</a></p>
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <Title text="Course" /><ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn PlayerPage() -> impl IntoView {
    let course_id = route_id("id");
    let item_id = route_id("item_id");
    let done = ServerAction::<MarkDone>::new();
    let enrol = ServerAction::<SelfEnrol>::new();
    // Reopening after "Mark as done" shows the new state (recording a view again changes
    // nothing), and so does enrolling from the link.
    let view_data = Resource::new(
        move || (item_id.get(), done.version().get(), enrol.version().get()),
        |(id, ..)| open_item(id),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(v) => view! { <Player view=v done /> }.into_any(),
                    Err(AppError::Forbidden) => view! { <JoinCourse course_id=course_id.get_untracked() enrol /> }.into_any(),
                    Err(error) => view! { <Title text="Course" /><ErrorPage error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Player(view: PlayerView, done: ServerAction<MarkDone>) -> impl IntoView {
    let v = view;
    let course_id = v.course_id;
    let item = v.item.clone();
    let item_id = item.item.id;
    let result: Signal<Option<Result<PlayerView, AppError>>> = done.value().into();
    // The item's own panel says when the learner finished something there (a hand-in, a
    // confirmation): the outline and the progress bar load again.
    let changed = ProgressChanged::provide();
    let refresh = ServerAction::<LoadCourseProgress>::new();
    Effect::new(move |_| {
        if changed.count() > 0 {
            refresh.dispatch(LoadCourseProgress { course_id });
        }
    });
    let opened = CourseProgress {
        completed: v.completed.clone(),
        progress: v.progress.clone(),
    };
    let standing = Memo::new(move |_| match refresh.value().get() {
        Some(Ok(fresh)) => fresh,
        _ => opened.clone(),
    });
    let is_learner = v.is_learner;
    let outline = v.outline.clone();
    let completes_itself = item.item.kind.completes_itself();
    view! {
        <Title text=format!("{} · {}", item.item.title, v.course_title) />
        <div class="player">
            <aside class="player-outline" aria-label="Course outline">
                <p><a href=format!("/courses/{course_id}")>{v.course_title.clone()}</a></p>
                {move || {
                    let CourseProgress { completed, progress } = standing.get();
                    view! {
                        {is_learner.then(|| view! { <ProgressBar percent=progress.percent() label="Course progress" /> })}
                        {progress.completed_at.filter(|_| is_learner).map(|t| view! {
                            <p class="badge badge-active" role="status">{format!("Course completed {}", format::datetime(t))}</p>
                        })}
                        <Outline sections=outline.clone() course_id completed current=Some(item_id) linked=true />
                    }
                }}
            </aside>
            <article class="player-item" aria-labelledby="item-title">
                <h1 id="item-title">{item.item.title.clone()}</h1>
                {crate::items::registry::player(item.clone())}
                <FormAlert result />
                <div class="player-footer">
                    {move || if !is_learner {
                        view! { <p class="small muted">"Preview: progress is recorded for learners only."</p> }.into_any()
                    } else if standing.with(|s| s.completed.contains(&item_id)) {
                        view! { <p class="done-note" role="status">"✓ Done"</p> }.into_any()
                    } else if completes_itself {
                        ().into_any()
                    } else {
                        view! {
                            <button type="button" class="btn btn-primary" disabled=move || done.pending().get()
                                on:click=move |_| { done.dispatch(MarkDone { item_id }); }>"Mark as done"</button>
                        }.into_any()
                    }}
                    <nav class="player-nav" aria-label="Previous and next">
                        {v.previous.map(|p| view! { <a class="btn btn-secondary" rel="prev" href=format!("/courses/{course_id}/learn/{p}")>"Previous"</a> })}
                        {v.next.map(|n| view! { <a class="btn btn-secondary" rel="next" href=format!("/courses/{course_id}/learn/{n}")>"Next"</a> })}
                    </nav>
                </div>
            </article>
        </div>
    }
}

/// The learner's courses on the home page.
#[component]
pub fn MyLearningPanel(data: Resource<Result<MyLearning, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p>"Loading your courses…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(mine) => view! { <MyLearningView mine /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MyLearningView(mine: MyLearning) -> impl IntoView {
    let nothing =
        mine.in_progress.is_empty() && mine.completed.is_empty() && mine.waiting.is_empty();
    view! {
        <section class="card wide" aria-labelledby="learning-heading">
            <h2 id="learning-heading">"My learning"</h2>
            {nothing.then(|| view! {
                <p class="muted">"You are not enrolled in any courses yet. "<a href="/courses">"Browse the catalogue"</a>"."</p>
            })}
            {(!mine.in_progress.is_empty()).then(|| view! {
                <h3>"In progress"</h3>
                <ul class="learning-list" aria-label="Courses in progress">
                    {mine.in_progress.into_iter().map(|c| {
                        let resume = match c.progress.last_item_id {
                            Some(item) => format!("/courses/{}/learn/{item}", c.course_id),
                            None => format!("/courses/{}/learn", c.course_id),
                        };
                        let started = c.progress.last_item_id.is_some();
                        view! {
                            <li class="learning-card">
                                <div>
                                    <a href=format!("/courses/{}", c.course_id)>{c.title.clone()}</a>
                                    <span class="small muted">{format!(" · {}", c.code)}</span>
                                    <ProgressBar percent=c.progress.percent() label="Course progress" />
                                </div>
                                <a class="btn btn-primary btn-small" href=resume aria-label=format!("{} {}", if started { "Resume" } else { "Start" }, c.title)>
                                    {if started { "Resume" } else { "Start" }}
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(!mine.waiting.is_empty()).then(|| view! {
                <h3>"Waiting"</h3>
                <ul class="learning-list" aria-label="Courses you are waiting for">
                    {mine.waiting.into_iter().map(|c| view! {
                        <li class="learning-card"><a href=format!("/courses/{}", c.course_id)>{c.title.clone()}</a>
                            <span class="small muted">{format!(" · {}", c.status.label())}</span></li>
                    }).collect_view()}
                </ul>
            })}
            {(!mine.completed.is_empty()).then(|| view! {
                <h3>"Completed"</h3>
                <ul class="learning-list" aria-label="Completed courses">
                    {mine.completed.into_iter().map(|c| view! {
                        <li class="learning-card">
                            <a href=format!("/courses/{}", c.course_id)>{c.title.clone()}</a>
                            <span class="small muted">{format!(" · completed {}", c.progress.completed_at.map(format::datetime).unwrap_or_default())}</span>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </section>
        {(!mine.teaching.is_empty()).then(|| view! {
            <section class="card wide" aria-labelledby="teaching-heading">
                <h2 id="teaching-heading">"Teaching"</h2>
                <ul class="learning-list" aria-label="Courses you teach">
                    {mine.teaching.into_iter().map(|c| view! {
                        <li class="learning-card">
                            <a href=format!("/courses/{}/edit", c.id)>{c.title.clone()}</a>
                            <span class=format!("badge badge-{}", c.state.as_str())>{c.state.label()}</span>
                            <a class="small" href=format!("/courses/{}/participants", c.id)>"Participants"</a>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}
