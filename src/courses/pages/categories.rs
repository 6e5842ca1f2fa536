//! The category tree (administrators).

use super::super::model::CategoryOption;
use super::super::server::*;
use super::category_options;
use crate::auth::permissions::{Action, can};
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{ErrorPage, Field, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CategoriesPage() -> impl IntoView {
    let save = ServerAction::<SaveCategory>::new();
    let delete = ServerAction::<DeleteCategory>::new();
    let categories = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| list_categories(),
    );
    let name = RwSignal::new(String::new());
    let parent = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<i64>);
    let result: Signal<Option<Result<i64, AppError>>> = save.value().into();
    let delete_result: Signal<Option<Result<(), AppError>>> = delete.value().into();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            name.set(String::new());
            editing.set(None);
        }
    });
    let shell = crate::auth::shell::use_shell();
    view! {
        <Title text="Categories" />
        <div class="page-header"><h1>"Course categories"</h1></div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let allowed = shell.await.ok().and_then(|s| s.actor).is_some_and(|a| can(&a, Action::ManageCategories));
                if !allowed {
                    #[cfg(feature = "ssr")]
                    crate::error::set_response_status(&AppError::Forbidden);
                    return view! { <ErrorPage error=AppError::Forbidden /> }.into_any();
                }
                let list: Vec<CategoryOption> = match categories.await {
                    Ok(l) => l,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let options = list.clone();
                view! {
                    <div class="stack">
                        <section class="card" aria-labelledby="tree-heading">
                            <h2 id="tree-heading">"Tree"</h2>
                            <FormAlert result=delete_result />
                            {if list.is_empty() {
                                view! { <p class="empty-state">"No categories yet."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="category-tree">
                                        {list.into_iter().map(|c| {
                                            let id = c.id;
                                            let leaf_name = c.path.rsplit(" / ").next().unwrap_or(&c.path).to_string();
                                            let parent_id = c.parent_id.map(|p| p.to_string()).unwrap_or_default();
                                            view! {
                                                <li class=format!("depth-{}", c.depth.min(6))>
                                                    <span>{c.path.clone()}</span>
                                                    <span class="small muted">{format!(" · {}", crate::ui::format::plural(c.course_count, "course", "courses"))}</span>
                                                    <span class="item-tools">
                                                        <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Edit {}", c.path)
                                                            on:click=move |_| { editing.set(Some(id)); name.set(leaf_name.clone()); parent.set(parent_id.clone()); }>"Edit"</button>
                                                        <button type="button" class="btn btn-small btn-danger" aria-label=format!("Delete {}", c.path)
                                                            on:click=move |_| { delete.dispatch(DeleteCategory { id }); }>"Delete"</button>
                                                    </span>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                        <section class="card" aria-labelledby="category-form-heading">
                            <h2 id="category-form-heading">{move || if editing.get().is_some() { "Edit category" } else { "New category" }}</h2>
                            <form class="form" on:submit=move |ev| {
                                ev.prevent_default();
                                save.dispatch(SaveCategory { id: editing.get_untracked(), name: name.get_untracked(), parent_id: parent.get_untracked() });
                            }>
                                <FormAlert result success="Category saved." />
                                <Field label="Name" name="name" value=name required=true error=field_error(result, "name") />
                                <div class="field">
                                    <label for="category-parent">"Inside"</label>
                                    <select id="category-parent" on:change=move |ev| parent.set(event_target_value(&ev))>
                                        <option value="">"(top level)"</option>
                                        {move || category_options(&options, &parent.get())}
                                    </select>
                                    {move || field_error(result, "parent_id").get().map(|e| view! { <p class="field-error">{e}</p> })}
                                </div>
                                <div class="form-actions">
                                    <button type="submit" class="btn btn-primary">"Save category"</button>
                                    {move || editing.get().is_some().then(|| view! {
                                        <button type="button" class="btn btn-secondary" on:click=move |_| { editing.set(None); name.set(String::new()); }>"Cancel"</button>
                                    })}
                                </div>
                            </form>
                        </section>
                    </div>
                }.into_any()
            })}
        </Transition>
    }
}
