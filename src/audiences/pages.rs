//! The administrators' audience pages: the list with each audience's rules in words and its
//! member count, and the editor (a rule builder with a live count and preview of who matches).

use super::model::{
    AudienceForm, CUSTOM_PREFIX, FIELDS, Member, RuleForm, op_takes_value, ops, ops_like,
    value_field,
};
use super::server::*;
use crate::enrolments::server::list_cohorts;
use crate::error::AppError;
use crate::paging::Page;
use crate::ui::forms::field_error;
use crate::ui::{ErrorPage, Field, FormAlert, Pagination, TextArea, format, route_id};
use crate::users::custom_fields::{CustomField, CustomKind};
use crate::users::model::Role;
use crate::users::server::list_profile_fields;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn AudiencesPage() -> impl IntoView {
    let params = use_query_map();
    let page = Memo::new(move |_| {
        params
            .get()
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
    });
    let delete = ServerAction::<DeleteAudience>::new();
    let list = Resource::new(
        move || (page.get(), delete.version().get()),
        |(page, _)| list_audiences(page),
    );
    let delete_result: Signal<Option<Result<(), AppError>>> = delete.value().into();
    view! {
        <Title text="Audiences" />
        <div class="page-header">
            <div>
                <h1>"Audiences"</h1>
                <p class="lead">"Groups of people described by rules over their profile, site roles, cohorts and reporting lines. Membership follows the people's records: nobody is added or removed by hand."</p>
            </div>
            <a href="/admin/audiences/new" class="btn btn-primary">"New audience"</a>
        </div>
        <FormAlert result=delete_result success="Audience deleted." />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! {
                        <p class="empty-state">"No audiences yet. Create one to assign training to the people it describes."</p>
                    }.into_any(),
                    Ok(list) => {
                        let (page, page_count, total) = (list.page, list.page_count(), list.total);
                        view! {
                            <section class="card" aria-labelledby="audience-list-heading">
                                <h2 id="audience-list-heading" class="visually-hidden">"All audiences"</h2>
                                <div class="table-wrap"><table class="data-table">
                                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Rules"</th><th scope="col" class="num">"Members"</th><th scope="col">"Actions"</th></tr></thead>
                                    <tbody>{list.items.into_iter().map(|a| {
                                        let id = a.id;
                                        let name = a.name.clone();
                                        view! { <tr>
                                            <td><a href=format!("/admin/audiences/{id}")>{a.name.clone()}</a><br /><span class="small muted">{a.description.clone()}</span></td>
                                            <td>{a.rules_text.clone()}</td>
                                            <td class="num">{a.members}</td>
                                            <td>
                                                <button type="button" class="btn btn-small btn-danger" aria-label=format!("Delete {name}")
                                                    on:click=move |_| { delete.dispatch(DeleteAudience { id }); }>"Delete"</button>
                                            </td>
                                        </tr> }
                                    }).collect_view()}</tbody>
                                </table></div>
                                <Pagination page page_count total href=|p| format!("/admin/audiences?page={p}") />
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// One row of the rule builder.
#[derive(Clone, Copy)]
struct RuleRow {
    key: usize,
    field: RwSignal<String>,
    op: RwSignal<String>,
    value: RwSignal<String>,
}

impl RuleRow {
    fn new(key: usize, rule: RuleForm) -> RuleRow {
        RuleRow {
            key,
            field: RwSignal::new(rule.field),
            op: RwSignal::new(rule.op),
            value: RwSignal::new(rule.value),
        }
    }

    fn form(&self) -> RuleForm {
        RuleForm {
            field: self.field.get(),
            op: self.op.get(),
            value: self.value.get(),
        }
    }
}

/// `/admin/audiences/new` and `/admin/audiences/:id`.
#[component]
pub fn AudienceEditorPage() -> impl IntoView {
    let id = route_id("id");
    let detail = Resource::new(
        move || id.get(),
        |id| async move {
            if id == 0 {
                Ok(None)
            } else {
                audience(id).await.map(Some)
            }
        },
    );
    let fields = Resource::new(|| (), |_| list_profile_fields());
    view! {
        <Title text="Audience" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (detail.await, fields.await) {
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorPage error /> }.into_any(),
                    (Ok(detail), Ok(fields)) => {
                        let id = detail.as_ref().map(|d| d.id);
                        let form = detail.map(|d| d.form).unwrap_or_default();
                        view! { <AudienceEditor id form fields=StoredValue::new(fields) /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn AudienceEditor(
    id: Option<i64>,
    form: AudienceForm,
    fields: StoredValue<Vec<CustomField>>,
) -> impl IntoView {
    let name = RwSignal::new(form.name);
    let description = RwSignal::new(form.description);
    let match_all = RwSignal::new(form.match_all);
    let next_key = StoredValue::new(form.rules.len());
    let rows = RwSignal::new(
        form.rules
            .into_iter()
            .enumerate()
            .map(|(key, rule)| RuleRow::new(key, rule))
            .collect::<Vec<_>>(),
    );
    let current = move || AudienceForm {
        name: name.get_untracked(),
        description: description.get_untracked(),
        match_all: match_all.get(),
        rules: rows.get().iter().map(RuleRow::form).collect(),
    };
    let preview_page = RwSignal::new(1u32);
    let preview = Resource::new(
        move || {
            let form = current();
            (form.match_all, form.rules, preview_page.get())
        },
        move |(match_all, rules, page)| {
            preview_audience(
                AudienceForm {
                    match_all,
                    rules,
                    ..Default::default()
                },
                page,
            )
        },
    );
    let cohorts = Resource::new(|| (), |_| list_cohorts());
    let save = ServerAction::<SaveAudience>::new();
    let save_result: Signal<Option<Result<i64, AppError>>> = save.value().into();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save_result.get()
            && id != Some(saved)
        {
            navigate(&format!("/admin/audiences/{saved}"), Default::default());
        }
    });
    let add_rule = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rows| {
            rows.push(RuleRow::new(
                key,
                RuleForm {
                    field: "department".into(),
                    op: "is".into(),
                    value: String::new(),
                },
            ))
        });
    };
    let rules_error = Signal::derive(move || {
        save_result
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.field("rules"))
    });
    view! {
        <div class="page-header">
            <div>
                <p class="small"><a href="/admin/audiences">"← Audiences"</a></p>
                <h1>{if id.is_some() { "Edit audience" } else { "New audience" }}</h1>
            </div>
        </div>
        <div class="grid-2">
            <form class="form card" on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveAudience { id, form: AudienceForm {
                    name: name.get_untracked(),
                    description: description.get_untracked(),
                    match_all: match_all.get_untracked(),
                    rules: rows.get_untracked().iter().map(|r| RuleForm {
                        field: r.field.get_untracked(),
                        op: r.op.get_untracked(),
                        value: r.value.get_untracked(),
                    }).collect(),
                } });
            }>
                <FormAlert result=save_result success="Audience saved." />
                <Field label="Name" name="name" value=name required=true error=field_error(save_result, "name") />
                <TextArea label="Description" name="description" value=description rows=2 error=field_error(save_result, "description") />
                <fieldset class="field">
                    <legend>"People who match"</legend>
                    <label class="inline"><input type="radio" name="match_all" value="all" prop:checked=move || match_all.get()
                        on:change=move |_| match_all.set(true) />" all of the rules"</label>
                    <label class="inline"><input type="radio" name="match_all" value="any" prop:checked=move || !match_all.get()
                        on:change=move |_| match_all.set(false) />" any of the rules"</label>
                </fieldset>
                <fieldset class="field">
                    <legend>"Rules"</legend>
                    {move || rules_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                    <ol class="rule-list">
                        <For each=move || rows.get() key=|row| row.key let:row>
                            <RuleEditor row rows save_result cohorts fields />
                        </For>
                    </ol>
                    <button type="button" class="btn btn-secondary btn-small" on:click=add_rule>"Add rule"</button>
                </fieldset>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save audience"</button>
                </div>
            </form>
            <section class="card" aria-labelledby="preview-heading">
                <h2 id="preview-heading">"Who matches now"</h2>
                <Transition fallback=|| view! { <p>"Counting…"</p> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Err(error) => view! {
                                <p class="muted" role="status">{match error {
                                    AppError::Invalid(_) => "Complete the rules to see who matches.".to_string(),
                                    other => other.to_string(),
                                }}</p>
                            }.into_any(),
                            Ok(page) => view! { <PreviewTable page preview_page /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

#[component]
fn PreviewTable(page: Page<Member>, preview_page: RwSignal<u32>) -> impl IntoView {
    let (current, page_count) = (page.page, page.page_count());
    view! {
        <p class="metric" role="status" aria-live="polite" data-testid="audience-count">
            {format!("{} match.", format::plural(page.total, "person", "people"))}
        </p>
        {(!page.items.is_empty()).then(|| view! {
            <div class="table-wrap"><table class="data-table">
                <caption class="visually-hidden">"People who match"</caption>
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Department"</th><th scope="col">"Job title"</th><th scope="col">"Location"</th></tr></thead>
                <tbody>{page.items.into_iter().map(|m| view! {
                    <tr><td>{m.name}<br /><span class="small muted">{m.email}</span></td><td>{m.department}</td><td>{m.job_title}</td><td>{m.location}</td></tr>
                }).collect_view()}</tbody>
            </table></div>
        })}
        {(page_count > 1).then(|| view! {
            <nav class="pagination" aria-label="Pages of people who match">
                <button type="button" class="btn btn-small btn-secondary" disabled=current <= 1
                    on:click=move |_| preview_page.set(current.saturating_sub(1).max(1))>"Previous"</button>
                <span>{format!(" Page {current} of {page_count} ")}</span>
                <button type="button" class="btn btn-small btn-secondary" disabled=current >= page_count
                    on:click=move |_| preview_page.set(current + 1)>"Next"</button>
            </nav>
        })}
    }
}

#[component]
fn RuleEditor(
    row: RuleRow,
    rows: RwSignal<Vec<RuleRow>>,
    save_result: Signal<Option<Result<i64, AppError>>>,
    cohorts: Resource<Result<Vec<crate::enrolments::model::Cohort>, AppError>>,
    fields: StoredValue<Vec<CustomField>>,
) -> impl IntoView {
    // A defined field, when the rule names one.
    let custom = move || {
        let field = row.field.get();
        let name = field.strip_prefix(CUSTOM_PREFIX)?.to_string();
        fields.with_value(|fields| fields.iter().find(|f| f.name == name).cloned())
    };
    // The built-in field whose comparisons the rule offers.
    let ops_of = move || match custom() {
        Some(f) => ops_like(f.kind == CustomKind::Date).to_string(),
        None => row.field.get(),
    };
    let position = move || {
        rows.with(|rows| rows.iter().position(|r| r.key == row.key))
            .unwrap_or(0)
    };
    let error = Signal::derive(move || {
        let index = position();
        save_result.get().and_then(|r| r.err()).and_then(|e| {
            e.field(&value_field(index))
                .or_else(|| e.field(&format!("rules.{index}.op")))
                .or_else(|| e.field(&format!("rules.{index}.field")))
        })
    });
    let id = move |part: &str| format!("rule-{}-{part}", row.key);
    let label = move |part: &str| format!("Rule {} {part}", position() + 1);
    let on_field = move |ev: leptos::ev::Event| {
        let field = event_target_value(&ev);
        let date = field
            .strip_prefix(CUSTOM_PREFIX)
            .and_then(|name| {
                fields.with_value(|fields| fields.iter().find(|f| f.name == name).map(|f| f.kind))
            })
            .map(|kind| ops_like(kind == CustomKind::Date));
        row.op.set(
            ops(date.unwrap_or(&field))
                .first()
                .map(|(op, _)| op.to_string())
                .unwrap_or_default(),
        );
        row.value.set(match field.as_str() {
            "role" => "learner".into(),
            _ => String::new(),
        });
        row.field.set(field);
    };
    view! {
        <li class="rule-row">
            <label class="visually-hidden" for=id("field")>{move || label("field")}</label>
            <select id=id("field") on:change=on_field prop:value=move || row.field.get()>
                {FIELDS.iter().map(|(name, text)| view! {
                    <option value=*name selected=row.field.get_untracked() == *name>{*text}</option>
                }).collect_view()}
                {fields.get_value().into_iter().map(|f| {
                    let value = format!("{CUSTOM_PREFIX}{}", f.name);
                    let selected = row.field.get_untracked() == value;
                    view! { <option value=value selected=selected>{f.label}</option> }
                }).collect_view()}
            </select>
            <label class="visually-hidden" for=id("op")>{move || label("comparison")}</label>
            <select id=id("op") on:change=move |ev| row.op.set(event_target_value(&ev)) prop:value=move || row.op.get()>
                {move || ops(&ops_of()).iter().map(|(name, text)| view! {
                    <option value=*name selected=row.op.get_untracked() == *name>{*text}</option>
                }).collect_view()}
            </select>
            {move || {
                let value_id = id("value");
                let described = error.get().is_some().then(|| format!("{value_id}-error"));
                if !op_takes_value(&row.op.get()) {
                    return ().into_any();
                }
                let choices = custom().and_then(|f| match f.kind {
                    CustomKind::Choice => Some(f.choices),
                    CustomKind::YesNo => Some(vec!["yes".into(), "no".into()]),
                    _ => None,
                });
                if let Some(choices) = choices {
                    if !choices.iter().any(|c| *c == row.value.get_untracked()) {
                        row.value.set(choices.first().cloned().unwrap_or_default());
                    }
                    return view! {
                        <label class="visually-hidden" for=value_id.clone()>{label("value")}</label>
                        <select id=value_id on:change=move |ev| row.value.set(event_target_value(&ev)) prop:value=move || row.value.get()>
                            {choices.into_iter().map(|c| {
                                let selected = row.value.get_untracked() == c;
                                view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                            }).collect_view()}
                        </select>
                    }.into_any();
                }
                let field = if custom().is_some_and(|f| f.kind == CustomKind::Date) { "hire_date".to_string() } else { row.field.get() };
                match field.as_str() {
                    "role" => view! {
                        <label class="visually-hidden" for=value_id.clone()>{label("role")}</label>
                        <select id=value_id on:change=move |ev| row.value.set(event_target_value(&ev)) prop:value=move || row.value.get()>
                            {Role::ALL.iter().map(|r| view! {
                                <option value=r.as_str() selected=row.value.get_untracked() == r.as_str()>{r.label()}</option>
                            }).collect_view()}
                        </select>
                    }.into_any(),
                    "cohort" => view! {
                        <label class="visually-hidden" for=value_id.clone()>{label("cohort")}</label>
                        <select id=value_id on:change=move |ev| row.value.set(event_target_value(&ev)) prop:value=move || row.value.get()
                            aria-describedby=described>
                            <option value="">"Choose a cohort"</option>
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    cohorts.await.unwrap_or_default().into_iter().map(|c| {
                                        let value = c.id.to_string();
                                        let selected = row.value.get_untracked() == value;
                                        view! { <option value=value selected=selected>{c.name}</option> }
                                    }).collect_view()
                                })}
                            </Transition>
                        </select>
                    }.into_any(),
                    field => {
                        let (kind, placeholder) = match (field, row.op.get().as_str()) {
                            ("hire_date", "within_days") => ("number", "days"),
                            ("hire_date", _) => ("date", "YYYY-MM-DD"),
                            ("manager", _) => ("email", "manager@example.com"),
                            _ => ("text", ""),
                        };
                        view! {
                            <label class="visually-hidden" for=value_id.clone()>{label("value")}</label>
                            <input id=value_id type=kind placeholder=placeholder prop:value=move || row.value.get()
                                aria-describedby=described
                                on:change=move |ev| row.value.set(event_target_value(&ev)) />
                        }.into_any()
                    }
                }
            }}
            <button type="button" class="btn btn-small btn-secondary" aria-label=move || format!("Remove rule {}", position() + 1)
                on:click=move |_| rows.update(|rows| rows.retain(|r| r.key != row.key))>"Remove"</button>
            {move || error.get().map(|e| view! { <p class="field-error" id=id("value-error") role="alert">{e}</p> })}
        </li>
    }
}
