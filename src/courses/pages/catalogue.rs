use super::super::model::*;
use super::super::server::*;
use super::category_options;
use crate::auth::permissions::{Action, can};
use crate::auth::shell::use_shell;
use crate::enrolments::server::CreateCourse;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{ErrorPage, Field, FormAlert, Pagination, TextArea, query_string};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

fn query_from_url(map: &leptos_router::params::ParamsMap) -> CatalogueQuery {
    CatalogueQuery {
        search: map.get("q").unwrap_or_default(),
        category_id: map.get("category").and_then(|c| c.parse().ok()),
        tag: map.get("tag").unwrap_or_default(),
        page: map.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
    }
}

fn href_for(q: &CatalogueQuery, page: u32) -> String {
    let pairs = [
        ("q", q.search.clone()),
        (
            "category",
            q.category_id.map(|c| c.to_string()).unwrap_or_default(),
        ),
        ("tag", q.tag.clone()),
        (
            "page",
            if page > 1 {
                page.to_string()
            } else {
                String::new()
            },
        ),
    ];
    format!("/courses{}", query_string(&pairs))
}

#[component]
pub fn CataloguePage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| query_from_url(&params.get()));
    let courses = Resource::new(move || query.get(), catalogue);
    let categories = Resource::new(|| (), |_| list_categories());
    let shell = use_shell();
    view! {
        <Title text="Course catalogue" />
        <div class="page-header">
            <div>
                <h1>"Course catalogue"</h1>
                <p class="lead">"Find a course and enrol."</p>
            </div>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let may_create = shell.await.ok().and_then(|s| s.actor).is_some_and(|a| can(&a, Action::CreateCourse));
                    may_create.then(|| view! {
                        <div class="actions"><a href="/courses/new" class="btn btn-primary">"New course"</a></div>
                    })
                })}
            </Suspense>
        </div>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let categories = categories.await.unwrap_or_default();
                let q = query.get_untracked();
                let selected = q.category_id.map(|c| c.to_string()).unwrap_or_default();
                view! {
                    <form class="toolbar" method="get" action="/courses" role="search">
                        <div class="field">
                            <label for="catalogue-search">"Search"</label>
                            <input id="catalogue-search" type="search" name="q" value=q.search.clone() placeholder="Title, code or tag" />
                        </div>
                        <div class="field">
                            <label for="catalogue-category">"Category"</label>
                            <select id="catalogue-category" name="category">
                                <option value="" selected=selected.is_empty()>"All categories"</option>
                                {category_options(&categories, &selected)}
                            </select>
                        </div>
                        <div class="field">
                            <label for="catalogue-tag">"Tag"</label>
                            <input id="catalogue-tag" type="text" name="tag" value=q.tag.clone() />
                        </div>
                        <button type="submit" class="btn btn-secondary">"Search"</button>
                    </form>
                }
            })}
        </Suspense>
        <Transition fallback=|| view! { <p>"Loading courses…"</p> }>
            {move || Suspend::new(async move {
                match courses.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! {
                        <p class="empty-state">"No published courses match. Try fewer words or another category."</p>
                    }.into_any(),
                    Ok(page) => {
                        let q = query.get_untracked();
                        let page_count = page.page_count();
                        view! {
                            // The cards' titles are h3 (as under the home page's sections): an h2 keeps the outline in order.
                            <h2 class="visually-hidden">"Courses"</h2>
                            <ul class="course-grid" aria-label="Courses">
                                {page.items.into_iter().map(|c| view! { <li><CourseCardView course=c /></li> }).collect_view()}
                            </ul>
                            <Pagination page=page.page page_count total=page.total total_capped=page.total_capped
                                href=move |p| href_for(&q, p) />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
pub fn CourseCardView(course: CourseCard, #[prop(optional)] show_state: bool) -> impl IntoView {
    let href = format!("/courses/{}", course.id);
    view! {
        <article class="course-card">
            {course.cover_file_id.map(|f| view! { <img class="course-card-cover" src=format!("/files/{f}") alt="" /> })}
            <p class="small muted">{course.code.clone()}{course.category.clone().map(|c| format!(" · {c}"))}</p>
            <h3><a href=href>{course.title.clone()}</a></h3>
            {show_state.then(|| view! { <span class=format!("badge badge-{}", course.state.as_str())>{course.state.label()}</span> })}
            <p>{course.summary.clone()}</p>
            {(!course.tags.is_empty()).then(|| view! {
                <ul class="tags" aria-label="Tags">
                    {course.tags.iter().map(|t| {
                        let href = format!("/courses?tag={t}");
                        view! { <li><a href=href>{t.clone()}</a></li> }
                    }).collect_view()}
                </ul>
            })}
        </article>
    }
}

#[component]
pub fn NewCoursePage() -> impl IntoView {
    let categories = Resource::new(|| (), |_| list_categories());
    let shell = use_shell();
    view! {
        <Title text="New course" />
        <div class="page-header"><h1>"New course"</h1></div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let allowed = shell.await.ok().and_then(|s| s.actor).is_some_and(|a| can(&a, Action::CreateCourse));
                if !allowed {
                    #[cfg(feature = "ssr")]
                    crate::error::set_response_status(&AppError::Forbidden);
                    return view! { <ErrorPage error=AppError::Forbidden /> }.into_any();
                }
                let categories = categories.await.unwrap_or_default();
                view! { <section class="card"><CourseSettingsForm course=None categories /></section> }.into_any()
            })}
        </Suspense>
    }
}

/// The create/edit form for a course's settings.
#[component]
pub fn CourseSettingsForm(
    course: Option<Course>,
    categories: Vec<CategoryOption>,
) -> impl IntoView {
    let initial = course.as_ref().map(Course::form).unwrap_or_default();
    let code = RwSignal::new(initial.code);
    let title = RwSignal::new(initial.title);
    let summary = RwSignal::new(initial.summary);
    let description = RwSignal::new(initial.description);
    let category_id = RwSignal::new(initial.category_id);
    let tags = RwSignal::new(initial.tags);
    let starts_on = RwSignal::new(initial.starts_on);
    let ends_on = RwSignal::new(initial.ends_on);
    let review_by = RwSignal::new(initial.review_by);
    let create = ServerAction::<CreateCourse>::new();
    let update = ServerAction::<UpdateCourse>::new();
    let editing = course.as_ref().map(|c| c.id);
    let result: Signal<Option<Result<Course, AppError>>> = if editing.is_some() {
        update.value().into()
    } else {
        create.value().into()
    };
    let pending = Signal::derive(move || create.pending().get() || update.pending().get());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            navigate(
                &format!("/courses/{}/edit?created=1", created.id),
                Default::default(),
            );
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = CourseForm {
            code: code.get_untracked(),
            title: title.get_untracked(),
            summary: summary.get_untracked(),
            description: description.get_untracked(),
            category_id: category_id.get_untracked(),
            tags: tags.get_untracked(),
            starts_on: starts_on.get_untracked(),
            ends_on: ends_on.get_untracked(),
            review_by: review_by.get_untracked(),
        };
        match editing {
            Some(id) => {
                update.dispatch(UpdateCourse { id, form });
            }
            None => {
                create.dispatch(CreateCourse { form });
            }
        }
    };
    let category_error = field_error(result, "category_id");
    let selected = category_id.get_untracked();
    view! {
        <form class="form" on:submit=on_submit novalidate>
            <FormAlert result success="Course settings saved." />
            <Field label="Title" name="title" value=title required=true error=field_error(result, "title") />
            <Field label="Code" name="code" value=code required=true error=field_error(result, "code")
                hint="A short unique code, like BIO-101." />
            <TextArea label="Summary" name="summary" value=summary rows=2 error=field_error(result, "summary")
                hint="One or two sentences for the catalogue." />
            <TextArea label="Description" name="description" value=description rows=8 error=field_error(result, "description")
                hint="Markdown: headings, lists, links, images, tables, code." />
            <div class="field">
                <label for="field-category_id">"Category"</label>
                <select id="field-category_id" name="category_id" on:change=move |ev| category_id.set(event_target_value(&ev))
                    aria-invalid=move || if category_error.get().is_some() { "true" } else { "false" }>
                    <option value="" selected=selected.is_empty()>"No category"</option>
                    {category_options(&categories, &selected)}
                </select>
                {move || category_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            </div>
            <Field label="Tags" name="tags" value=tags error=field_error(result, "tags") hint="Separate tags with commas." />
            <div class="field-row">
                <Field label="Starts on" name="starts_on" kind="date" value=starts_on error=field_error(result, "starts_on") />
                <Field label="Ends on" name="ends_on" kind="date" value=ends_on error=field_error(result, "ends_on") />
                <Field label="Review by" name="review_by" kind="date" value=review_by error=field_error(result, "review_by")
                    hint="When the owner should check the content is still current." />
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                    {if editing.is_some() { "Save settings" } else { "Create course" }}
                </button>
            </div>
        </form>
    }
}
