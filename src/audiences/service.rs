//! Audiences: who may (administrators and user managers), the rules checked against the people
//! and cohorts they name, a live count and preview while the rules are edited.

use super::model::{
    AudienceDetail, AudienceForm, AudienceSummary, CUSTOM_PREFIX, Member, ParsedRule, Rule,
    RuleForm, parse_date, parse_text, value_field,
};
use super::store::{self, AudienceRow, Condition};
use crate::audit;
use crate::auth::permissions::{Action, Actor, can};
use crate::db::now;
use crate::error::AppError;
use crate::paging::Page;
use crate::state::AppState;
use crate::users::custom_fields::{CustomField, CustomKind};
use chrono::NaiveDate;
use std::collections::HashMap;

pub const PER_PAGE: u32 = 25;

fn allowed(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::ManageAudiences) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Today's date (UTC), which "hired in the last N days" counts back from.
pub fn today(now: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(now, 0)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

fn offset(page: u32) -> i64 {
    crate::db::page_offset(page.max(1), PER_PAGE)
}

/// Looks up the people named as managers (each must be a live account) and the defined fields
/// rules name (their kind says which comparisons apply).
async fn resolve(state: &AppState, rules: Vec<ParsedRule>) -> Result<Vec<Rule>, AppError> {
    let mut problems = crate::error::Problems::default();
    let mut resolved = Vec::with_capacity(rules.len());
    let defined = crate::users::custom_field_store::list(&state.db).await?;
    for (index, rule) in rules.into_iter().enumerate() {
        match rule {
            ParsedRule::Ready(rule) => resolved.push(rule),
            ParsedRule::Custom { name, op, value } => {
                let Some(field) = defined.iter().find(|f| f.name == name) else {
                    problems.add(
                        &format!("rules.{index}.field"),
                        "No profile field has this name.",
                    );
                    continue;
                };
                if field.kind == CustomKind::Date {
                    if let Some((op, value)) = parse_date(&op, &value, index, &mut problems) {
                        resolved.push(Rule::CustomDate {
                            field_id: field.id,
                            op,
                            value,
                        });
                    }
                } else if let Some((op, value)) = parse_text(&op, &value, index, &mut problems) {
                    resolved.push(Rule::Custom {
                        field_id: field.id,
                        op,
                        value,
                    });
                }
            }
            ParsedRule::ReportsTo { email, indirect } => {
                match crate::users::store::find_by_email(&state.db, &email).await? {
                    Some(user) if user.status != crate::users::model::UserStatus::Deleted => {
                        resolved.push(Rule::ReportsTo {
                            manager_id: user.id,
                            indirect,
                        });
                    }
                    _ => problems.add(&value_field(index), "No account has this email address."),
                }
            }
        }
    }
    problems.into_result()?;
    Ok(resolved)
}

/// How many people rules hold and the first page of them, for the editor before it saves.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    form: &AudienceForm,
    page: u32,
) -> Result<Page<Member>, AppError> {
    allowed(actor)?;
    let (match_all, parsed) = form.parse_rules()?;
    let rules = resolve(state, parsed).await?;
    page_of(
        state,
        &Condition::audience(&rules, match_all, today(now())),
        page,
    )
    .await
}

async fn page_of(
    state: &AppState,
    condition: &Condition,
    page: u32,
) -> Result<Page<Member>, AppError> {
    let total = store::count_each(&state.db, std::slice::from_ref(condition))
        .await?
        .first()
        .copied()
        .unwrap_or_default();
    let items = store::members(&state.db, condition, PER_PAGE.into(), offset(page)).await?;
    Ok(Page {
        items,
        total,
        total_capped: false,
        page: page.max(1),
        per_page: PER_PAGE,
    })
}

async fn load(state: &AppState, id: i64) -> Result<(AudienceRow, Vec<Rule>), AppError> {
    let row = store::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rules = row.rules()?;
    Ok((row, rules))
}

/// The condition a saved audience makes today (for whatever assigns work to its members).
pub async fn condition(state: &AppState, id: i64, now: i64) -> Result<Condition, AppError> {
    let (row, rules) = load(state, id).await?;
    Ok(Condition::audience(&rules, row.match_all, today(now)))
}

/// The people a saved audience holds now, a page at a time.
pub async fn members(
    state: &AppState,
    actor: &Actor,
    id: i64,
    page: u32,
) -> Result<Page<Member>, AppError> {
    allowed(actor)?;
    page_of(state, &condition(state, id, now()).await?, page).await
}

/// The name a unit enum goes by in rule forms: its serde name ("starts_with"), so that the
/// stored rules and the builder's choices are spelled one way.
fn wire_name(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// What the rules name by id (cohorts, managers), to show them in words and in the editor.
struct Names {
    cohorts: HashMap<i64, String>,
    managers: HashMap<i64, String>,
    fields: Vec<CustomField>,
}

impl Names {
    async fn of(state: &AppState, rules: &[&Rule]) -> Result<Names, AppError> {
        let mut cohorts = Vec::new();
        let mut managers = Vec::new();
        for rule in rules {
            match rule {
                Rule::Cohort { cohort_id, .. } => cohorts.push(*cohort_id),
                Rule::ReportsTo { manager_id, .. } => managers.push(*manager_id),
                _ => {}
            }
        }
        Ok(Names {
            cohorts: store::cohort_names(&state.db, &cohorts).await?,
            managers: store::emails(&state.db, &managers).await?,
            fields: crate::users::custom_field_store::list(&state.db).await?,
        })
    }

    /// A defined field's rule name ("custom.shift") and label; a deleted field reads as such.
    fn custom(&self, field_id: i64) -> (String, String) {
        match self.fields.iter().find(|f| f.id == field_id) {
            Some(f) => (format!("{CUSTOM_PREFIX}{}", f.name), f.label.clone()),
            None => (
                format!("{CUSTOM_PREFIX}?"),
                "A deleted profile field".into(),
            ),
        }
    }

    /// A stored rule as the editor shows it, and the value as words show it.
    fn form(&self, rule: &Rule) -> (RuleForm, String) {
        let form = |field: &str, op: &str, value: String| RuleForm {
            field: field.into(),
            op: op.into(),
            value,
        };
        let text_op = |op: &super::model::TextOp| wire_name(op);
        let date_op = |op: &super::model::DateOp| wire_name(op);
        match rule {
            Rule::Text { column, op, value } => {
                let field = wire_name(column);
                (form(&field, &text_op(op), value.clone()), value.clone())
            }
            Rule::HireDate { op, value } => (
                form("hire_date", &date_op(op), value.clone()),
                value.clone(),
            ),
            Rule::Custom {
                field_id,
                op,
                value,
            } => (
                form(&self.custom(*field_id).0, &text_op(op), value.clone()),
                value.clone(),
            ),
            Rule::CustomDate {
                field_id,
                op,
                value,
            } => (
                form(&self.custom(*field_id).0, &date_op(op), value.clone()),
                value.clone(),
            ),
            Rule::Role { role, has } => (
                form(
                    "role",
                    if *has { "has" } else { "has_not" },
                    role.as_str().into(),
                ),
                role.label().into(),
            ),
            Rule::Cohort { cohort_id, member } => (
                form(
                    "cohort",
                    if *member { "in" } else { "not_in" },
                    cohort_id.to_string(),
                ),
                self.cohorts
                    .get(cohort_id)
                    .cloned()
                    .unwrap_or_else(|| "a deleted cohort".into()),
            ),
            Rule::ReportsTo {
                manager_id,
                indirect,
            } => {
                let email = self.managers.get(manager_id).cloned().unwrap_or_default();
                let shown = if email.is_empty() {
                    "a deleted account".into()
                } else {
                    email.clone()
                };
                (
                    form(
                        "manager",
                        if *indirect { "indirectly" } else { "directly" },
                        email,
                    ),
                    shown,
                )
            }
        }
    }

    fn text(&self, rules: &[Rule], match_all: bool) -> String {
        rules
            .iter()
            .map(|rule| {
                let (form, value) = self.form(rule);
                let custom = match rule {
                    Rule::Custom { field_id, .. } => Some((self.custom(*field_id).1, false)),
                    Rule::CustomDate { field_id, .. } => Some((self.custom(*field_id).1, true)),
                    _ => None,
                };
                super::model::rule_text(
                    &form,
                    custom.as_ref().map(|(l, d)| (l.as_str(), *d)),
                    &value,
                )
            })
            .collect::<Vec<_>>()
            .join(if match_all { " and " } else { " or " })
    }
}

/// A page of audiences with their rules in words and how many people each holds now.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    page: u32,
) -> Result<Page<AudienceSummary>, AppError> {
    allowed(actor)?;
    let (rows, total) = store::list(&state.db, PER_PAGE.into(), offset(page)).await?;
    let parsed = rows
        .iter()
        .map(|row| Ok((row, row.rules()?)))
        .collect::<Result<Vec<_>, AppError>>()?;
    let today = today(now());
    let conditions: Vec<Condition> = parsed
        .iter()
        .map(|(row, rules)| Condition::audience(rules, row.match_all, today))
        .collect();
    let counts = store::count_each(&state.db, &conditions).await?;
    let all_rules: Vec<&Rule> = parsed.iter().flat_map(|(_, rules)| rules.iter()).collect();
    let names = Names::of(state, &all_rules).await?;
    let items = parsed
        .iter()
        .zip(counts)
        .map(|((row, rules), members)| AudienceSummary {
            id: row.id,
            name: row.name.clone(),
            description: row.description.clone(),
            rules_text: names.text(rules, row.match_all),
            members,
        })
        .collect();
    Ok(Page {
        items,
        total,
        total_capped: false,
        page: page.max(1),
        per_page: PER_PAGE,
    })
}

/// One page of audiences by name with the condition each stands for now, and how many there
/// are (for reports that count within each audience).
pub async fn conditions(
    state: &AppState,
    actor: &Actor,
    page: u32,
    now: i64,
) -> Result<(Vec<(i64, String, Condition)>, i64), AppError> {
    allowed(actor)?;
    let (rows, total) = store::list(&state.db, PER_PAGE.into(), offset(page)).await?;
    let today = today(now);
    let named = rows
        .into_iter()
        .map(|row| {
            let rules = row.rules()?;
            let condition = Condition::audience(&rules, row.match_all, today);
            Ok((row.id, row.name, condition))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((named, total))
}

/// Every audience (id, name), by name: for work that counts them all (the compliance matrix),
/// never for a page.
pub async fn all_names(state: &AppState) -> Result<Vec<(i64, String)>, AppError> {
    const BATCH: i64 = 500;
    let mut all = Vec::new();
    loop {
        let (rows, total) = store::list(&state.db, BATCH, all.len() as i64).await?;
        let fetched = rows.len();
        all.extend(rows.into_iter().map(|row| (row.id, row.name)));
        if fetched == 0 || all.len() as i64 >= total {
            return Ok(all);
        }
    }
}

/// Audiences' members at one moment, each audience worked out once: a nightly run asks for the
/// same audience for several requirements and again for the compliance matrix, and working one
/// out reads every person.
pub struct Memberships {
    now: i64,
    known: HashMap<i64, Option<Vec<i64>>>,
}

impl Memberships {
    pub fn at(now: i64) -> Memberships {
        Memberships {
            now,
            known: HashMap::new(),
        }
    }

    /// The people audience `id` holds (by id, ascending); None when there is no such audience.
    pub async fn of(&mut self, state: &AppState, id: i64) -> Result<Option<&[i64]>, AppError> {
        if !self.known.contains_key(&id) {
            let members = match condition(state, id, self.now).await {
                Ok(condition) => Some(store::member_ids(&state.db, &condition).await?),
                Err(AppError::NotFound) => None,
                Err(e) => return Err(e),
            };
            self.known.insert(id, members);
        }
        Ok(self.known.get(&id).and_then(|m| m.as_deref()))
    }
}

/// A saved audience as the editor shows it.
pub async fn detail(state: &AppState, actor: &Actor, id: i64) -> Result<AudienceDetail, AppError> {
    allowed(actor)?;
    let (row, rules) = load(state, id).await?;
    let names = Names::of(state, &rules.iter().collect::<Vec<_>>()).await?;
    Ok(AudienceDetail {
        id: row.id,
        rules_text: names.text(&rules, row.match_all),
        form: AudienceForm {
            name: row.name,
            description: row.description,
            match_all: row.match_all,
            rules: rules.iter().map(|r| names.form(r).0).collect(),
        },
    })
}

/// Creates an audience (`id` is `None`) or changes one; returns its id.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    form: &AudienceForm,
) -> Result<i64, AppError> {
    allowed(actor)?;
    let fields = form.parse()?;
    let rules = resolve(state, fields.rules).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let saved = store::save(
        &mut tx,
        id,
        &fields.name,
        &fields.description,
        fields.match_all,
        &rules,
        actor.id,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            if id.is_some() {
                "audience.update"
            } else {
                "audience.create"
            },
            "audience",
            Some(saved),
            &fields.name,
        )
        .after(&rules),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    allowed(actor)?;
    let (row, _) = load(state, id).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    if !store::delete(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("audience.delete", "audience", Some(id), &row.name),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
