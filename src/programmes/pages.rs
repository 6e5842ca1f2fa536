//! Programme pages: the administrators' list and form (with adding people), and "My
//! programmes" on a learner's home page: one progress bar and the next course each.

use super::model::{Programme, ProgrammeForm};
use super::server::*;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{ErrorPage, Field, FormAlert, ProgressBar, TextArea};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProgrammesPage() -> impl IntoView {
    let save = ServerAction::<SaveProgramme>::new();
    let delete = ServerAction::<DeleteProgramme>::new();
    let add = ServerAction::<AddProgrammePeople>::new();
    let list = Resource::new(
        move || {
            (
                save.version().get(),
                delete.version().get(),
                add.version().get(),
            )
        },
        |_| list_programmes(),
    );
    let saved: Signal<Option<Result<i64, AppError>>> = save.value().into();
    let deleted: Signal<Option<Result<(), AppError>>> = delete.value().into();
    let added: Signal<Option<Result<usize, AppError>>> = add.value().into();
    // The programme being edited (none: a new one) and the form's fields.
    let editing = RwSignal::new(None::<i64>);
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let courses = RwSignal::new(String::new());
    let required = RwSignal::new(String::new());
    let adding_to = RwSignal::new(String::new());
    let emails = RwSignal::new(String::new());
    let edit = move |p: &Programme| {
        editing.set(Some(p.id));
        name.set(p.name.clone());
        description.set(p.description.clone());
        courses.set(
            p.courses
                .iter()
                .map(|c| c.code.clone())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        required.set(p.required_count.map(|n| n.to_string()).unwrap_or_default());
    };
    view! {
        <Title text="Programmes" />
        <div class="page-header"><h1>"Programmes"</h1></div>
        <FormAlert result=deleted success="Programme deleted." />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state">"No programmes yet. Define one below: its courses in order and how many complete it."</p>
                    }.into_any(),
                    Ok(list) => {
                        let options: Vec<(i64, String)> = list.iter().map(|p| (p.id, p.name.clone())).collect();
                        let for_certificates = options.clone();
                        view! {
                        <section class="card">
                            <div class="table-wrap"><table class="data-table">
                                <caption class="visually-hidden">"Programmes"</caption>
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Completes with"</th><th scope="col">"Courses, in order"</th><th scope="col">"People"</th><th scope="col">"Actions"</th></tr></thead>
                                <tbody>{list.into_iter().map(|p| {
                                    let id = p.id;
                                    let label = p.name.clone();
                                    let for_edit = p.clone();
                                    view! { <tr>
                                        <td>{p.name.clone()}</td>
                                        <td>{p.rule()}</td>
                                        <td>{p.courses.iter().map(|c| format!("{} {}", c.code, c.title)).collect::<Vec<_>>().join(" → ")}</td>
                                        <td>{p.members}</td>
                                        <td class="actions">
                                            <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Edit {label}")
                                                on:click=move |_| edit(&for_edit)>"Edit"</button>
                                            <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Delete {label}")
                                                on:click=move |_| { delete.dispatch(DeleteProgramme { id }); }>"Delete"</button>
                                        </td>
                                    </tr> }
                                }).collect_view()}</tbody>
                            </table></div>
                        </section>
                        <section class="card" aria-labelledby="add-people-heading">
                            <h2 id="add-people-heading">"Add people to a programme"</h2>
                            <form class="form" novalidate on:submit=move |ev| {
                                ev.prevent_default();
                                add.dispatch(AddProgrammePeople { id: adding_to.get_untracked().parse().unwrap_or(0), emails: emails.get_untracked() });
                            }>
                                {move || match added.get() {
                                    Some(Ok(n)) => Some(view! { <div class="alert alert-success" role="status">{format!("Added {n}; they are enrolled in its courses.")}</div> }.into_any()),
                                    Some(Err(e)) => e.general().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> }.into_any()),
                                    None => None,
                                }}
                                <div class="field">
                                    <label for="add-programme">"Programme"</label>
                                    <select id="add-programme" on:change=move |ev| adding_to.set(event_target_value(&ev))>
                                        <option value="">"Choose a programme"</option>
                                        {options.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                                    </select>
                                    {move || field_error(added, "programme").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                                </div>
                                <TextArea label="Email addresses" name="emails" value=emails rows=3 error=field_error(added, "emails")
                                    hint="One per line, or separated by commas." />
                                <div class="form-actions"><button type="submit" class="btn btn-primary">"Add people"</button></div>
                            </form>
                        </section>
                        <crate::certificates::pages::ProgrammeCertificatePanel programmes=for_certificates />
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <section class="card" aria-labelledby="programme-form-heading">
            <h2 id="programme-form-heading">{move || if editing.get().is_some() { "Edit programme" } else { "New programme" }}</h2>
            <form class="form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveProgramme { id: editing.get_untracked(), form: ProgrammeForm {
                    name: name.get_untracked(),
                    description: description.get_untracked(),
                    courses: courses.get_untracked(),
                    required_count: required.get_untracked(),
                } });
            }>
                <FormAlert result=saved success="Programme saved." />
                <Field label="Name" name="name" value=name required=true error=field_error(saved, "name") />
                <TextArea label="Description" name="description" value=description rows=2 error=field_error(saved, "description") />
                <TextArea label="Courses, in order" name="courses" value=courses rows=4 error=field_error(saved, "courses")
                    hint="Course codes, one per line: learners see the first they have not completed as their next course." />
                <Field label="Courses that complete it" name="required_count" kind="number" value=required error=field_error(saved, "required_count")
                    hint="Leave empty for all of them; a number N for any N of them." />
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary">"Save programme"</button>
                    {move || editing.get().map(|_| view! {
                        <button type="button" class="btn btn-secondary" on:click=move |_| {
                            editing.set(None);
                            for field in [name, description, courses, required] { field.set(String::new()); }
                        }>"New programme instead"</button>
                    })}
                </div>
            </form>
        </section>
    }
}

/// "My programmes" on the home page: each programme as one bar and the next course to take.
#[component]
pub fn MyProgrammes() -> impl IntoView {
    let mine = Resource::new(|| (), |_| my_programmes());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = mine.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="my-programmes-heading">
                        <h2 id="my-programmes-heading">"My programmes"</h2>
                        <ul class="programme-list">
                            {list.into_iter().map(|p| view! { <MyProgramme p /> }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
    }
}

#[component]
fn MyProgramme(p: Programme) -> impl IntoView {
    let summary = if p.completed_at.is_some() {
        format!("Completed · {}", p.rule())
    } else {
        format!(
            "{} of {} done · {}",
            p.done().min(p.required()),
            p.required(),
            p.rule()
        )
    };
    let next = p.next().cloned();
    view! {
        <li class="programme" id=format!("programme-{}", p.id)>
            <h3 class="h4">{p.name.clone()}</h3>
            <ProgressBar percent=p.percent() label="Programme progress" />
            <p class="small">{summary}</p>
            {next.map(|c| view! {
                <p>"Next course: "<a href=format!("/courses/{}", c.course_id)>{c.title.clone()}</a></p>
            })}
            <ol class="programme-courses">
                {p.courses.iter().map(|c| view! {
                    <li>{c.title.clone()}{c.completed.then_some(" — completed")}</li>
                }).collect_view()}
            </ol>
        </li>
    }
}
