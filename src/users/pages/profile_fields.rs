//! The administrators' page that defines profile fields.

use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{ErrorPage, Field, FormAlert, TextArea};
use crate::users::custom_fields::{CustomField, CustomFieldForm, CustomKind};
use crate::users::server::{DeleteProfileField, SaveProfileField, list_profile_fields};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfileFieldsPage() -> impl IntoView {
    let save = ServerAction::<SaveProfileField>::new();
    let delete = ServerAction::<DeleteProfileField>::new();
    let list = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| list_profile_fields(),
    );
    let save_result: Signal<Option<Result<CustomField, AppError>>> = save.value().into();
    let delete_result: Signal<Option<Result<(), AppError>>> = delete.value().into();
    let editing = RwSignal::new(None::<i64>);
    let form = CustomFieldForm::default();
    let name = RwSignal::new(form.name);
    let label = RwSignal::new(form.label);
    let kind = RwSignal::new(form.kind);
    let choices = RwSignal::new(form.choices);
    let required = RwSignal::new(form.required);
    let visible = RwSignal::new(form.visible_to_user);
    let edit = move |field: &CustomField| {
        editing.set(Some(field.id));
        name.set(field.name.clone());
        label.set(field.label.clone());
        kind.set(field.kind.as_str().into());
        choices.set(field.choices.join("\n"));
        required.set(field.required);
        visible.set(field.visible_to_user);
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_result.get() {
            editing.set(None);
            name.set(String::new());
            label.set(String::new());
            choices.set(String::new());
        }
    });
    view! {
        <Title text="Profile fields" />
        <div class="page-header">
            <div>
                <p class="small"><a href="/admin/users">"← Users"</a></p>
                <h1>"Profile fields"</h1>
                <p class="lead">"Fields your organisation records about people beyond the built-in ones. The name is the column of the users CSV import and export, the key in the REST API, and what audience rules name."</p>
            </div>
        </div>
        <FormAlert result=delete_result success="Profile field deleted, with everyone's values of it." />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(fields) if fields.is_empty() => view! { <p class="empty-state">"No profile fields yet."</p> }.into_any(),
                    Ok(fields) => view! {
                        <section class="card">
                            <div class="table-wrap"><table class="data-table">
                                <caption class="visually-hidden">"Profile fields"</caption>
                                <thead><tr><th scope="col">"Label"</th><th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col">"Required"</th><th scope="col">"Shown to the person"</th><th scope="col">"Actions"</th></tr></thead>
                                <tbody>{fields.into_iter().map(|f| {
                                    let id = f.id;
                                    let shown = f.clone();
                                    view! { <tr>
                                        <td>{f.label.clone()}</td>
                                        <td><code>{f.name.clone()}</code></td>
                                        <td>{f.kind.label()}{(!f.choices.is_empty()).then(|| format!(": {}", f.choices.join(", ")))}</td>
                                        <td>{if f.required { "Yes" } else { "No" }}</td>
                                        <td>{if f.visible_to_user { "Yes" } else { "No" }}</td>
                                        <td>
                                            <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Edit {}", f.label)
                                                on:click=move |_| edit(&shown)>"Edit"</button>
                                            <button type="button" class="btn btn-small btn-danger" aria-label=format!("Delete {}", f.label)
                                                on:click=move |_| { delete.dispatch(DeleteProfileField { id }); }>"Delete"</button>
                                        </td>
                                    </tr> }
                                }).collect_view()}</tbody>
                            </table></div>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
        <section class="card" aria-labelledby="field-form-heading">
            <h2 id="field-form-heading">{move || if editing.get().is_some() { "Edit profile field" } else { "New profile field" }}</h2>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveProfileField { id: editing.get_untracked(), form: CustomFieldForm {
                    name: name.get_untracked(),
                    label: label.get_untracked(),
                    kind: kind.get_untracked(),
                    choices: choices.get_untracked(),
                    required: required.get_untracked(),
                    visible_to_user: visible.get_untracked(),
                } });
            }>
                <FormAlert result=save_result success="Profile field saved." />
                <Field label="Label" name="label" value=label required=true error=field_error(save_result, "label") />
                <Field label="Name" name="name" value=name error=field_error(save_result, "name")
                    hint="Lower-case letters, digits and _, e.g. cost_centre. It cannot change later." />
                <div class="field">
                    <label for="field-kind">"Kind"</label>
                    <select id="field-kind" on:change=move |ev| kind.set(event_target_value(&ev)) prop:value=move || kind.get()>
                        {CustomKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                    </select>
                </div>
                {move || (kind.get() == "choice").then(|| view! {
                    <TextArea label="Choices" name="choices" value=choices rows=4 error=field_error(save_result, "choices")
                        hint="One per line." />
                })}
                <label class="inline"><input type="checkbox" prop:checked=move || required.get()
                    on:change=move |ev| required.set(event_target_checked(&ev)) />" Required"</label>
                <label class="inline"><input type="checkbox" prop:checked=move || visible.get()
                    on:change=move |ev| visible.set(event_target_checked(&ev)) />" Shown to the person on their account page"</label>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save profile field"</button>
                    {move || editing.get().is_some().then(|| view! {
                        <button type="button" class="btn btn-secondary" on:click=move |_| {
                            editing.set(None);
                            name.set(String::new());
                            label.set(String::new());
                            choices.set(String::new());
                        }>"Cancel"</button>
                    })}
                </div>
            </form>
        </section>
    }
}
