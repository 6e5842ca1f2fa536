//! Administration pages for users: the table, create, edit, import.

mod profile_fields;
pub use profile_fields::ProfileFieldsPage;

use super::custom_fields::{CustomField, CustomKind};
use super::model::{Role, User, UserForm, UserQuery, UserSort, UserStatus};
use super::model_import::{ImportOutcome, ImportPreview};
use super::profile::{Profile, ProfileForm};
use super::server::*;
use crate::error::AppError;
use crate::paging::Page;
use crate::ui::forms::{field_error, with_posted};
use crate::ui::{ErrorPage, Field, FormAlert, Pagination, format, query_string};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
};

fn query_from_url(map: &leptos_router::params::ParamsMap) -> UserQuery {
    UserQuery {
        search: map.get("q").unwrap_or_default(),
        role: map.get("role").and_then(|r| Role::parse(&r).ok()),
        status: map.get("status").and_then(|s| UserStatus::parse(&s)),
        sort: UserSort::parse(&map.get("sort").unwrap_or_default()),
        descending: map.get("dir").as_deref() == Some("desc"),
        page: map.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        per_page: 0,
    }
}

fn href_for(query: &UserQuery) -> String {
    let path = "/admin/users";
    let pairs = [
        ("q", query.search.clone()),
        (
            "role",
            query
                .role
                .map(|r| r.as_str().to_string())
                .unwrap_or_default(),
        ),
        (
            "status",
            query
                .status
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        ),
        (
            "sort",
            if query.sort == UserSort::Name {
                String::new()
            } else {
                query.sort.as_str().to_string()
            },
        ),
        (
            "dir",
            if query.descending {
                "desc".to_string()
            } else {
                String::new()
            },
        ),
        (
            "page",
            if query.page > 1 {
                query.page.to_string()
            } else {
                String::new()
            },
        ),
    ];
    format!("{path}{}", query_string(&pairs))
}

#[component]
pub fn UserListPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| query_from_url(&params.get()));
    let users = Resource::new(move || query.get(), list_users);
    view! {
        <Title text="Users" />
        <div class="page-header">
            <h1>"Users"</h1>
            <div class="actions">
                <A href="/admin/users/new" attr:class="btn btn-primary">"New user"</A>
                <A href="/admin/users/import" attr:class="btn btn-secondary">"Import CSV"</A>
                <A href="/admin/profile-fields" attr:class="btn btn-secondary">"Profile fields"</A>
                <a href="/admin/users/export.csv" class="btn btn-secondary" download="users.csv">"Export CSV"</a>
            </div>
        </div>
        <Transition fallback=|| view! { <p>"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(page) => view! { <UserTable page query=query.get_untracked() /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserFilters(query: UserQuery) -> impl IntoView {
    let role = query.role.map(|r| r.as_str()).unwrap_or("");
    let status = query.status.map(|s| s.as_str()).unwrap_or("");
    view! {
        <form class="toolbar" method="get" action="/admin/users" role="search">
            <div class="field">
                <label for="user-search">"Search"</label>
                <input id="user-search" type="search" name="q" value=query.search.clone() placeholder="Name or email" />
            </div>
            <div class="field">
                <label for="user-role">"Role"</label>
                <select id="user-role" name="role">
                    <option value="" selected=role.is_empty()>"Any role"</option>
                    {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=role == r.as_str()>{r.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="user-status">"Status"</label>
                <select id="user-status" name="status">
                    <option value="" selected=status.is_empty()>"Active and suspended"</option>
                    <option value="active" selected=status == "active">"Active"</option>
                    <option value="suspended" selected=status == "suspended">"Suspended"</option>
                    <option value="deleted" selected=status == "deleted">"Deleted"</option>
                </select>
            </div>
            <button type="submit" class="btn btn-secondary">"Apply"</button>
        </form>
    }
}

#[component]
fn UserTable(page: Page<User>, query: UserQuery) -> impl IntoView {
    let sort_header = {
        let query = query.clone();
        move |label: &'static str, sort: UserSort| {
            let active = query.sort == sort;
            let aria_sort = if !active {
                "none"
            } else if query.descending {
                "descending"
            } else {
                "ascending"
            };
            let next = UserQuery {
                sort,
                descending: active && !query.descending,
                page: 1,
                ..query.clone()
            };
            view! {
                <th scope="col" aria-sort=aria_sort>
                    <a href=href_for(&next) class="sort">{label}</a>
                </th>
            }
        }
    };
    let page_count = page.page_count();
    let (current, total, total_capped) = (page.page, page.total, page.total_capped);
    let pager_query = query.clone();
    view! {
        <UserFilters query=query.clone() />
        {if page.items.is_empty() {
            view! { <p class="empty-state">"No users match these filters."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="data-table">
                        <caption class="visually-hidden">"Users"</caption>
                        <thead>
                            <tr>
                                {sort_header("Name", UserSort::Name)}
                                {sort_header("Email", UserSort::Email)}
                                <th scope="col">"Roles"</th>
                                <th scope="col">"Status"</th>
                                {sort_header("Last sign-in", UserSort::LastSignIn)}
                                {sort_header("Created", UserSort::Created)}
                            </tr>
                        </thead>
                        <tbody>
                            {page.items.into_iter().map(|u| view! {
                                <tr>
                                    <td><A href=format!("/admin/users/{}", u.id)>{u.name.clone()}</A></td>
                                    <td>{u.email.clone()}</td>
                                    <td>{u.roles.iter().map(|r| view! { <span class="badge badge-role">{r.label()}</span>" " }).collect_view()}</td>
                                    <td><span class=format!("badge badge-{}", u.status.as_str())>{u.status.label()}</span></td>
                                    <td>{format::optional_datetime(u.last_sign_in_at)}</td>
                                    <td>{format::datetime(u.created_at)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <Pagination page=current page_count total total_capped href=move |p| href_for(&UserQuery { page: p, ..pager_query.clone() }) />
    }
}

/// The create/edit form. `user` is None when creating.
#[component]
fn UserEditor(user: Option<User>) -> impl IntoView {
    let editing = user.clone();
    let email = RwSignal::new(user.as_ref().map(|u| u.email.clone()).unwrap_or_default());
    let name = RwSignal::new(user.as_ref().map(|u| u.name.clone()).unwrap_or_default());
    let password = RwSignal::new(String::new());
    // After a failed post without script, the roles that were ticked.
    let initial_roles = match crate::ui::forms::posted_values("form[roles][]") {
        Some(ticked) => ticked.iter().filter_map(|r| Role::parse(r).ok()).collect(),
        None => user
            .as_ref()
            .map(|u| u.roles.clone())
            .unwrap_or_else(|| vec![Role::Learner]),
    };
    let roles: Vec<(Role, RwSignal<bool>)> = Role::ALL
        .into_iter()
        .map(|r| (r, RwSignal::new(initial_roles.contains(&r))))
        .collect();
    let create = ServerAction::<CreateUser>::new();
    let update = ServerAction::<UpdateUser>::new();
    let result: Signal<Option<Result<User, AppError>>> = with_posted(if editing.is_some() {
        update.value().into()
    } else {
        create.value().into()
    });
    let pending = Signal::derive(move || create.pending().get() || update.pending().get());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            navigate(
                &format!("/admin/users/{}?created=1", created.id),
                Default::default(),
            );
        }
    });
    let role_signals = roles.clone();
    let editing_id = editing.as_ref().map(|u| u.id);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = UserForm {
            email: email.get_untracked(),
            name: name.get_untracked(),
            roles: role_signals
                .iter()
                .filter(|(_, on)| on.get_untracked())
                .map(|(r, _)| r.as_str().to_string())
                .collect(),
            password: password.get_untracked(),
        };
        match editing_id {
            Some(id) => {
                update.dispatch(UpdateUser { id, form });
            }
            None => {
                create.dispatch(CreateUser { form });
            }
        }
    };
    let roles_error = field_error(result, "roles");
    // Without script the form posts the server function's own fields (`form[..]`).
    let action = match editing_id {
        Some(_) => UpdateUser::PATH,
        None => CreateUser::PATH,
    };
    view! {
        <form class="form" method="post" action=action on:submit=on_submit novalidate>
            <FormAlert result success="Changes saved." />
            {editing_id.map(|id| view! { <input type="hidden" name="id" value=id.to_string() /> })}
            <Field label="Full name" name="form[name]" value=name autocomplete="off" required=true error=field_error(result, "name") />
            <Field label="Email address" name="form[email]" kind="email" value=email autocomplete="off" required=true error=field_error(result, "email") />
            <fieldset class="roles" aria-describedby="roles-hint">
                <legend>"Roles"</legend>
                <p class="hint" id="roles-hint">"Administrators can do everything; managers look after people and reports; instructors create courses."</p>
                {roles.into_iter().map(|(role, on)| view! {
                    <label class="checkbox"><input type="checkbox" name="form[roles][]" value=role.as_str() checked=on.get_untracked() bind:checked=on />{role.label()}</label>
                }).collect_view()}
                {move || roles_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            </fieldset>
            <Field label=if editing_id.is_some() { "New password (optional)" } else { "Password (optional)" } name="form[password]" kind="password"
                value=password autocomplete="new-password" error=field_error(result, "password")
                hint="Leave empty to email the person a link to set their own." />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || pending.get()>
                    {if editing_id.is_some() { "Save changes" } else { "Create user" }}
                </button>
                <A href="/admin/users" attr:class="btn btn-secondary">"Cancel"</A>
            </div>
        </form>
    }
}

#[component]
pub fn NewUserPage() -> impl IntoView {
    // Loading the first page checks the permission on the server, so a learner sees the 403 page.
    let allowed = Resource::new(
        || (),
        |_| {
            list_users(UserQuery {
                per_page: 1,
                ..Default::default()
            })
        },
    );
    view! {
        <Title text="New user" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match allowed.await {
                    Ok(_) => view! {
                        <div class="page-header"><h1>"New user"</h1></div>
                        <section class="card"><UserEditor user=None /></section>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn EditUserPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| {
        params
            .get()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let status_action = ServerAction::<SetUserStatus>::new();
    let reset_action = ServerAction::<SendUserPasswordReset>::new();
    let user = Resource::new(
        move || (id.get(), status_action.version().get()),
        |(id, _)| get_user(id),
    );
    view! {
        <Title text="Edit user" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(user) => view! {
                        <div class="page-header">
                            <div>
                                <h1>{user.name.clone()}</h1>
                                <p class="lead">{user.email.clone()}" · "<span class=format!("badge badge-{}", user.status.as_str())>{user.status.label()}</span></p>
                            </div>
                        </div>
                        {query.get_untracked().get("created").map(|_| view! { <div class="alert alert-success" role="status">"User created."</div> })}
                        <div class="stack">
                            <section class="card" aria-labelledby="details-heading">
                                <h2 id="details-heading">"Details and roles"</h2>
                                <UserEditor user=Some(user.clone()) />
                            </section>
                            <ProfilePanel user_id=user.id />
                            <UserActions user status_action reset_action />
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The person's place in the organisation: employee id, department, job title, manager,
/// location, hire date. Without script the form posts to the server function.
#[component]
fn ProfilePanel(user_id: i64) -> impl IntoView {
    let profile = Resource::new(move || user_id, user_profile);
    let fields = Resource::new(|| (), |_| list_profile_fields());
    view! {
        <section class="card" aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Organisation"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match (profile.await, fields.await) {
                        (Ok(p), Ok(fields)) => view! { <ProfileEditor user_id profile=p fields /> }.into_any(),
                        (Err(error), _) | (_, Err(error)) => view! { <ErrorPage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ProfileEditor(user_id: i64, profile: Profile, fields: Vec<CustomField>) -> impl IntoView {
    let initial = ProfileForm::of(&profile);
    let employee_id = RwSignal::new(initial.employee_id);
    let department = RwSignal::new(initial.department);
    let job_title = RwSignal::new(initial.job_title);
    let manager_email = RwSignal::new(initial.manager_email);
    let location = RwSignal::new(initial.location);
    let hire_date = RwSignal::new(initial.hire_date);
    let custom = RwSignal::new(initial.custom);
    let save = ServerAction::<SaveUserProfile>::new();
    let result: Signal<Option<Result<Profile, AppError>>> = with_posted(save.value().into());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveUserProfile {
            id: user_id,
            form: ProfileForm {
                employee_id: employee_id.get_untracked(),
                department: department.get_untracked(),
                job_title: job_title.get_untracked(),
                manager_email: manager_email.get_untracked(),
                location: location.get_untracked(),
                hire_date: hire_date.get_untracked(),
                custom: custom.get_untracked(),
            },
        });
    };
    let manager_name = move || match result.get() {
        Some(Ok(p)) => p.manager.map(|m| m.name),
        _ => profile.manager.clone().map(|m| m.name),
    };
    view! {
        <form class="form" method="post" action=SaveUserProfile::PATH on:submit=on_submit novalidate>
            <FormAlert result success="Organisation details saved." />
            <input type="hidden" name="id" value=user_id.to_string() />
            <div class="field-row">
                <Field label="Employee id" name="form[employee_id]" value=employee_id error=field_error(result, "employee_id") />
                <Field label="Hire date" name="form[hire_date]" kind="date" value=hire_date error=field_error(result, "hire_date") />
            </div>
            <div class="field-row">
                <Field label="Department" name="form[department]" value=department error=field_error(result, "department") />
                <Field label="Job title" name="form[job_title]" value=job_title error=field_error(result, "job_title") />
                <Field label="Location" name="form[location]" value=location error=field_error(result, "location") />
            </div>
            <Field label="Manager's email address" name="form[manager_email]" kind="email" value=manager_email
                error=field_error(result, "manager_email") hint="The person they report to. Leave empty for none." />
            {move || manager_name().map(|name| view! { <p class="small muted">{format!("Reports to {name}.")}</p> })}
            {fields.into_iter().map(|field| view! { <CustomFieldInput field values=custom result /> }).collect_view()}
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save organisation details"</button>
            </div>
        </form>
    }
}

/// One administrator-defined field of the profile form, named `form[custom][name]` so that
/// the form also posts without the script.
#[component]
fn CustomFieldInput(
    field: CustomField,
    values: RwSignal<std::collections::BTreeMap<String, String>>,
    result: Signal<Option<Result<Profile, AppError>>>,
) -> impl IntoView {
    let id = format!("custom-{}", field.name);
    let error_id = format!("{id}-error");
    let input_name = format!("form[custom][{}]", field.name);
    let key = field.name.clone();
    let value = {
        let key = key.clone();
        move || values.with(|v| v.get(&key).cloned().unwrap_or_default())
    };
    let set = {
        let key = key.clone();
        move |ev: leptos::ev::Event| {
            let typed = event_target_value(&ev);
            values.update(|v| {
                v.insert(key.clone(), typed);
            });
        }
    };
    let form_field = field.form_field();
    let error = Signal::derive(move || {
        result
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.field(&form_field))
    });
    let described = {
        let error_id = error_id.clone();
        move || error.get().map(|_| error_id.clone())
    };
    let label = if field.required {
        format!("{} (required)", field.label)
    } else {
        field.label.clone()
    };
    let current = value();
    let control = match field.kind {
        CustomKind::Choice | CustomKind::YesNo => {
            let options: Vec<(String, String)> = if field.kind == CustomKind::YesNo {
                vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())]
            } else {
                field.choices.iter().map(|c| (c.clone(), c.clone())).collect()
            };
            view! {
                <select id=id.clone() name=input_name on:change=set aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby=described>
                    <option value="" selected=current.is_empty()>"—"</option>
                    {options.into_iter().map(|(value, text)| {
                        let selected = value == current;
                        view! { <option value=value selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
            }.into_any()
        }
        kind => view! {
            <input id=id.clone() name=input_name type=if kind == CustomKind::Date { "date" } else { "text" }
                value=current prop:value=value on:change=set
                aria-invalid=move || error.get().is_some().to_string() aria-describedby=described />
        }.into_any(),
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {control}
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone() role="alert">{e}</p> })}
        </div>
    }
}

#[component]
fn UserActions(
    user: User,
    status_action: ServerAction<SetUserStatus>,
    reset_action: ServerAction<SendUserPasswordReset>,
) -> impl IntoView {
    let delete_action = ServerAction::<DeleteUser>::new();
    let mfa_action = ServerAction::<ResetUserMfa>::new();
    let mfa_result: Signal<Option<Result<(), AppError>>> = mfa_action.value().into();
    let confirming = RwSignal::new(false);
    let id = user.id;
    let suspended = user.status == UserStatus::Suspended;
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete_action.value().get() {
            navigate("/admin/users", Default::default());
        }
    });
    let status_result: Signal<Option<Result<User, AppError>>> = status_action.value().into();
    let reset_result: Signal<Option<Result<(), AppError>>> = reset_action.value().into();
    let delete_result: Signal<Option<Result<(), AppError>>> = delete_action.value().into();
    view! {
        <section class="card" aria-labelledby="actions-heading">
            <h2 id="actions-heading">"Account actions"</h2>
            <FormAlert result=status_result />
            <FormAlert result=reset_result success="A password reset link was sent." />
            <FormAlert result=delete_result />
            <FormAlert result=mfa_result success="Two-step verification is off for this person: their password alone signs them in until they set it up again." />
            <div class="row">
                <button type="button" class="btn btn-secondary" on:click=move |_| {
                    let status = if suspended { "active" } else { "suspended" };
                    status_action.dispatch(SetUserStatus { id, status: status.into() });
                }>{if suspended { "Reactivate" } else { "Suspend" }}</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| { reset_action.dispatch(SendUserPasswordReset { id }); }>
                    "Send password reset"
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| { mfa_action.dispatch(ResetUserMfa { id }); }>
                    "Reset two-step verification"
                </button>
                <button type="button" class="btn btn-danger" on:click=move |_| confirming.set(true)>"Delete user"</button>
            </div>
            {move || confirming.get().then(|| view! {
                <div class="alert alert-warning" role="alertdialog" aria-labelledby="confirm-delete">
                    <p id="confirm-delete">"Delete this account? Their personal data is removed; their records stay, anonymised. This cannot be undone."</p>
                    <div class="row">
                        <button type="button" class="btn btn-danger" on:click=move |_| { delete_action.dispatch(DeleteUser { id }); }>"Yes, delete"</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| confirming.set(false)>"Keep the account"</button>
                    </div>
                </div>
            })}
        </section>
    }
}

#[component]
pub fn ImportUsersPage() -> impl IntoView {
    let allowed = Resource::new(
        || (),
        |_| {
            list_users(UserQuery {
                per_page: 1,
                ..Default::default()
            })
        },
    );
    view! {
        <Title text="Import users" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match allowed.await {
                    Ok(_) => view! { <ImportForm /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ImportForm() -> impl IntoView {
    let csv = RwSignal::new(String::new());
    let file_name = RwSignal::new(String::new());
    let read_error = RwSignal::new(None::<String>);
    let preview = ServerAction::<PreviewUserImport>::new();
    let apply = ServerAction::<ApplyUserImport>::new();
    let preview_result: Signal<Option<Result<ImportPreview, AppError>>> = preview.value().into();
    let apply_result: Signal<Option<Result<ImportOutcome, AppError>>> = apply.value().into();

    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input: Option<web_sys::HtmlInputElement> =
                ev.target().and_then(|t| t.dyn_into().ok());
            if let Some(file) = input.and_then(|i| i.files()).and_then(|files| files.get(0)) {
                file_name.set(file.name());
                apply.value().set(None);
                leptos::task::spawn_local(async move {
                    match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                        Ok(text) => {
                            let text = text.as_string().unwrap_or_default();
                            read_error.set(None);
                            csv.set(text.clone());
                            preview.dispatch(PreviewUserImport { csv: text });
                        }
                        Err(_) => read_error.set(Some(
                            "This file could not be read. Is it a CSV text file?".into(),
                        )),
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, csv, file_name, read_error);
    };

    view! {
        <div class="page-header">
            <div>
                <h1>"Import users"</h1>
                <p class="lead">"Upload a CSV file with the columns email, name, roles (optional, separated by ;) and password (optional). Profile columns are optional too: employee_id, department, job_title, manager_email, location, hire_date (YYYY-MM-DD); a column you leave out keeps what is recorded, an empty cell clears it. The users export has the same columns. Nothing is saved until you confirm, and then all rows are saved or none."</p>
            </div>
        </div>
        <section class="card">
            <div class="field">
                <label for="import-file">"CSV file"</label>
                <input id="import-file" type="file" accept=".csv,text/csv" on:change=on_file
                    aria-describedby="import-file-error" />
                {move || read_error.get().or_else(|| preview_result.get().and_then(|r| r.err()).map(|e| e.to_string()))
                    .map(|e| view! { <p class="field-error" id="import-file-error" role="alert">{e}</p> })}
            </div>
            {move || preview.pending().get().then(|| view! { <p role="status">"Checking the file…"</p> })}
        </section>
        {move || preview_result.get().and_then(|r| r.ok()).map(|p| {
            let can_apply = p.error_rows == 0;
            let summary = if can_apply {
                format!("Ready to import: {} new, {} updated, {} unchanged.", p.creates, p.updates, p.unchanged)
            } else {
                format!("Problems in {} of {}. Fix them in the file and upload it again; nothing will be imported until every row is valid.", p.error_rows, format::plural(p.rows.len(), "row", "rows"))
            };
            view! {
                <section class="card stack" aria-labelledby="preview-heading">
                    <h2 id="preview-heading">{format!("Preview of {}", file_name.get_untracked())}</h2>
                    <div class=if can_apply { "alert alert-info" } else { "alert alert-error" } role="status">{summary}</div>
                    <div class="table-wrap">
                        <table class="data-table">
                            <caption class="visually-hidden">"Rows in the file"</caption>
                            <thead><tr><th scope="col">"Line"</th><th scope="col">"Email"</th><th scope="col">"Name"</th><th scope="col">"Roles"</th><th scope="col">"Profile"</th><th scope="col">"Result"</th></tr></thead>
                            <tbody>
                                {p.rows.into_iter().map(|row| {
                                    let has_errors = !row.errors.is_empty();
                                    view! {
                                        <tr class=("row-error", has_errors)>
                                            <td class="num">{row.line}</td>
                                            <td>{row.email}</td>
                                            <td>{row.name}</td>
                                            <td>{row.roles}</td>
                                            <td>{row.profile}</td>
                                            <td>{if has_errors {
                                                view! { <ul class="errors">{row.errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul> }.into_any()
                                            } else {
                                                view! { <span>{row.action.label()}</span> }.into_any()
                                            }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary" disabled=move || !can_apply || apply.pending().get()
                            on:click=move |_| { apply.dispatch(ApplyUserImport { csv: csv.get_untracked() }); }>
                            "Import users"
                        </button>
                    </div>
                </section>
            }
        })}
        {move || apply_result.get().map(|r| match r {
            Ok(outcome) => view! {
                <div class="alert alert-success" role="status">
                    {format!("Import complete: {} created, {} updated, {} unchanged.", outcome.created, outcome.updated, outcome.unchanged)}
                    " "<A href="/admin/users">"Back to users"</A>
                </div>
            }.into_any(),
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
        })}
    }
}
