//! Bulk import of users from CSV (email, name, roles, optional password, optional profile
//! columns): a preview that shows every row's problems, then an all-or-nothing apply in one
//! transaction. Also the CSV export, which a later import reads back.

use super::import_profile::{ProfileColumns, ReportingLines};
use super::model::{Email, Role, User, UserName, UserStatus};
use super::profile::{Profile, ProfileFields};
use super::{profile_store, store};
use crate::audit;
use crate::auth::password;
use crate::auth::permissions::{Action, Actor, can};
use crate::auth::service::send_password_link;
use crate::db::now;
use crate::error::{AppError, OrInternal, internal};
use crate::state::AppState;
use crate::webhooks::model::Event;
use std::collections::HashMap;

pub use super::model_import::{ImportOutcome, ImportPreview, ImportRow, RowAction};

pub const MAX_ROWS: usize = 5_000;

struct ParsedRow {
    line: usize,
    email: Option<Email>,
    name: Option<UserName>,
    roles: Option<Vec<Role>>,
    password: Option<String>,
    raw_email: String,
    raw_name: String,
    raw_roles: String,
    /// The profile columns' cells, as (column, text).
    profile_cells: Vec<(usize, String)>,
    /// The profile the row asks for, when the file has profile columns and they are valid.
    profile: Option<ProfileFields>,
    /// Whether that differs from what is recorded.
    profile_changed: bool,
    /// What is recorded today (empty for a new account).
    recorded_profile: Profile,
    errors: Vec<String>,
}

/// What applying a file would do, row by row.
struct Plan {
    rows: Vec<ParsedRow>,
    preview: Vec<ImportRow>,
    /// The accounts the file's rows name, by email.
    existing: HashMap<String, User>,
    /// The accounts the file names as managers, by email.
    managers: HashMap<String, User>,
    /// The defined profile fields.
    defined: Vec<super::custom_fields::CustomField>,
}

fn parse_csv(
    text: &str,
    defined: Vec<super::custom_fields::CustomField>,
) -> Result<(Vec<ParsedRow>, ProfileColumns), AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| AppError::invalid("file", "The file is not a readable CSV file."))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect::<Vec<_>>();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(email_col), Some(name_col)) = (column("email"), column("name")) else {
        return Err(AppError::invalid(
            "file",
            "The first line must name the columns: email, name, roles (optional), password (optional).",
        ));
    };
    let roles_col = column("roles");
    let password_col = column("password");
    let profile_columns = ProfileColumns::find(&headers, defined);
    let mut rows = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        if rows.len() >= MAX_ROWS {
            return Err(AppError::invalid(
                "file",
                format!("Import at most {MAX_ROWS} rows at a time."),
            ));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rows.push(ParsedRow {
                    line,
                    email: None,
                    name: None,
                    roles: None,
                    password: None,
                    raw_email: String::new(),
                    raw_name: String::new(),
                    raw_roles: String::new(),
                    profile_cells: Vec::new(),
                    profile: None,
                    profile_changed: false,
                    recorded_profile: Profile::default(),
                    errors: vec![format!("This line cannot be read: {e}")],
                });
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |col: Option<usize>| {
            let cell = col.and_then(|c| record.get(c)).unwrap_or("");
            crate::spreadsheet::restore_cell(cell).to_string()
        };
        let (raw_email, raw_name, raw_roles, raw_password) = (
            get(Some(email_col)),
            get(Some(name_col)),
            get(roles_col),
            get(password_col),
        );
        let mut errors = Vec::new();
        let email = Email::parse(&raw_email)
            .map_err(|e| errors.push(e.to_string()))
            .ok();
        let name = UserName::parse(&raw_name)
            .map_err(|e| errors.push(e.to_string()))
            .ok();
        let roles = Role::parse_list(&raw_roles)
            .map_err(|e| errors.push(e.to_string()))
            .ok();
        let password = if raw_password.is_empty() {
            None
        } else {
            match password::check_rules(&raw_password, &raw_email, "password") {
                Ok(()) => Some(raw_password),
                Err(e) => {
                    errors.push(format!("Password: {e}"));
                    None
                }
            }
        };
        if let Some(email) = &email
            && let Some(first) = seen.insert(email.clone(), line)
        {
            errors.push(format!("This email address is also on line {first}."));
        }
        rows.push(ParsedRow {
            line,
            email,
            name,
            roles,
            password,
            raw_email,
            raw_name,
            raw_roles,
            profile_cells: profile_columns.cells(|at| get(Some(at))),
            profile: None,
            profile_changed: false,
            recorded_profile: Profile::default(),
            errors,
        });
    }
    if rows.is_empty() {
        return Err(AppError::invalid("file", "The file has no rows to import."));
    }
    Ok((rows, profile_columns))
}

/// What each row would do, checked against the database and the actor's permissions.
async fn plan(state: &AppState, actor: &Actor, text: &str) -> Result<Plan, AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    let defined = super::custom_field_store::list(&state.db).await?;
    let (mut parsed, profile_columns) = parse_csv(text, defined)?;
    let emails: Vec<Email> = parsed.iter().filter_map(|r| r.email.clone()).collect();
    let mut tx = state.db.begin().await?;
    let existing_users = store::find_by_emails_in_tx(&mut tx, &emails).await?;
    tx.commit().await?;
    let managers = if profile_columns.any() {
        check_profiles(state, &mut parsed, &existing_users, &profile_columns).await?
    } else {
        HashMap::new()
    };
    let mut preview = Vec::with_capacity(parsed.len());
    for row in parsed.iter_mut() {
        let mut action = RowAction::Create;
        if let (Some(email), Some(_), Some(roles)) = (&row.email, &row.name, &row.roles) {
            if !can(actor, Action::AssignRoles { roles })
                || !can(
                    actor,
                    Action::ManageUser {
                        target_roles: roles,
                    },
                )
            {
                row.errors.push("You may not give these roles.".into());
            }
            if let Some(existing) = existing_users.get(email.as_str()) {
                if existing.status == UserStatus::Deleted {
                    row.errors
                        .push("This address belongs to a deleted account.".into());
                } else if !can(
                    actor,
                    Action::ManageUser {
                        target_roles: &existing.roles,
                    },
                ) {
                    row.errors
                        .push("You may not change this person's account.".into());
                }
                action = if account_changed(row, existing) || row.profile_changed {
                    RowAction::Update
                } else {
                    RowAction::Unchanged
                };
            }
        }
        preview.push(ImportRow {
            line: row.line,
            email: row.raw_email.clone(),
            name: row.raw_name.clone(),
            roles: row.raw_roles.clone(),
            profile: profile_columns.summary(&row.profile_cells),
            action,
            errors: row.errors.clone(),
        });
    }
    Ok(Plan {
        rows: parsed,
        preview,
        existing: existing_users,
        managers,
        defined: profile_columns.defined().to_vec(),
    })
}

/// Whether a row changes the account's name, roles or password.
fn account_changed(row: &ParsedRow, existing: &User) -> bool {
    row.name
        .as_ref()
        .is_none_or(|n| existing.name != n.as_str())
        || row.roles.as_ref().is_none_or(|r| existing.roles != *r)
        || row.password.is_some()
}

/// Checks every row's profile cells against what is recorded, the other rows and the accounts
/// (employee ids stay unique, managers exist, nobody ends up reporting to themselves). Returns
/// the accounts named as managers.
async fn check_profiles(
    state: &AppState,
    rows: &mut [ParsedRow],
    existing: &HashMap<String, User>,
    columns: &ProfileColumns,
) -> Result<HashMap<String, User>, AppError> {
    let ids: Vec<i64> = existing.values().map(|u| u.id).collect();
    let mut recorded = profile_store::find_many(&state.db, &ids).await?;
    for row in rows.iter_mut() {
        let account = row.email.as_ref().and_then(|e| existing.get(e.as_str()));
        row.recorded_profile = account
            .and_then(|u| recorded.remove(&u.id))
            .unwrap_or_default();
        match columns.requested(&row.recorded_profile, &row.profile_cells) {
            Ok(profile) => {
                row.profile_changed = columns
                    .recorded(&row.recorded_profile)
                    .is_none_or(|before| before != profile);
                row.profile = Some(profile);
            }
            Err(problems) => row.errors.extend(problems),
        }
    }
    fn asked(row: &ParsedRow) -> Option<(&Email, &ProfileFields)> {
        row.email.as_ref().zip(row.profile.as_ref())
    }
    // Employee ids: unique in the file and not another account's.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let employee_ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.profile.as_ref()?.employee_id.clone())
        .collect();
    let owners = profile_store::employee_id_owners(&state.db, &employee_ids).await?;
    for row in rows.iter_mut() {
        let Some(employee_id) = row.profile.as_ref().and_then(|p| p.employee_id.clone()) else {
            continue;
        };
        if let Some(first) = seen.insert(employee_id.clone(), row.line) {
            row.errors.push(format!(
                "Employee id: {employee_id} is also on line {first}."
            ));
        }
        let own_id = row
            .email
            .as_ref()
            .and_then(|e| existing.get(e.as_str()))
            .map(|u| u.id);
        if owners
            .get(&employee_id)
            .is_some_and(|owner| Some(*owner) != own_id)
        {
            row.errors
                .push(format!("Employee id: another person has {employee_id}."));
        }
    }
    // Managers: an account or a row of the file, and no loops once the file is applied.
    let manager_emails: Vec<Email> = rows
        .iter()
        .filter_map(|r| r.profile.as_ref()?.manager_email.as_deref())
        .filter_map(|m| Email::parse(m).ok())
        .collect();
    let mut tx = state.db.begin().await?;
    let managers = store::find_by_emails_in_tx(&mut tx, &manager_emails).await?;
    tx.commit().await?;
    let lines = ReportingLines::after_import(
        profile_store::reporting_lines(&state.db).await?,
        rows.iter()
            .filter_map(asked)
            .map(|(email, profile)| (email.as_str(), profile)),
        rows.iter()
            .filter_map(|r| r.email.as_ref().map(|e| e.as_str().to_string()))
            .collect(),
    );
    for row in rows.iter_mut() {
        let problem = asked(row).and_then(|(email, profile)| {
            let manager = profile.manager_email.as_deref()?;
            lines.problem(email.as_str(), manager, managers.get(manager))
        });
        row.errors.extend(problem);
    }
    Ok(managers)
}

pub async fn preview(
    state: &AppState,
    actor: &Actor,
    text: &str,
) -> Result<ImportPreview, AppError> {
    Ok(ImportPreview::from_rows(
        plan(state, actor, text).await?.preview,
    ))
}

/// Applies the whole file or nothing.
pub async fn apply(state: &AppState, actor: &Actor, text: &str) -> Result<ImportOutcome, AppError> {
    let plan = plan(state, actor, text).await?;
    let preview = ImportPreview::from_rows(plan.preview);
    if preview.error_rows > 0 {
        return Err(AppError::invalid(
            "file",
            format!(
                "{} with problems; nothing was imported. Fix the file and try again.",
                crate::ui::format::plural(preview.error_rows, "row", "rows")
            ),
        ));
    }
    let mut hashes = Vec::with_capacity(plan.rows.len());
    for row in &plan.rows {
        hashes.push(match &row.password {
            Some(p) => Some(password::hash_blocking(p.clone()).await?),
            None => None,
        });
    }
    let now = now();
    let mut outcome = ImportOutcome::default();
    let mut welcome = Vec::new();
    // Every row's account id, so that the profiles (second pass) can name managers the file creates.
    let mut ids: HashMap<String, i64> = plan
        .managers
        .iter()
        .map(|(email, user)| (email.clone(), user.id))
        .collect();
    let mut tx = state.db.begin().await?;
    for (row, hash) in plan.rows.iter().zip(hashes) {
        // `plan` gave every row that did not parse an error, and rows with errors stop the import.
        let (Some(email), Some(name), Some(roles)) = (&row.email, &row.name, &row.roles) else {
            return Err(internal(
                "importing users: a row without problems was not parsed",
                format!("line {}", row.line),
            ));
        };
        match plan.existing.get(email.as_str()).cloned() {
            None => {
                let id = store::insert(&mut tx, email, name, hash.as_deref(), now).await?;
                store::set_roles(&mut tx, id, roles).await?;
                let user = store::find_in_tx(&mut tx, id)
                    .await?
                    .or_internal("reading back an imported user")?;
                audit::record(
                    &mut tx,
                    actor,
                    audit::Entry::new("user.import_create", "user", Some(id), email.as_str())
                        .after(&user),
                    now,
                )
                .await?;
                super::announce::announce(&mut tx, Event::UserCreated, &user, now).await?;
                if hash.is_none() {
                    welcome.push((id, email.as_str().to_string()));
                }
                ids.insert(email.as_str().to_string(), id);
                outcome.created += 1;
            }
            Some(existing) => {
                ids.insert(email.as_str().to_string(), existing.id);
                if !account_changed(row, &existing) {
                    if row.profile_changed {
                        outcome.updated += 1;
                    } else {
                        outcome.unchanged += 1;
                    }
                    continue;
                }
                store::update_profile(&mut tx, existing.id, email, name, now).await?;
                store::set_roles(&mut tx, existing.id, roles).await?;
                if let Some(hash) = &hash {
                    store::set_password(&mut tx, existing.id, hash, now).await?;
                }
                let after = store::find_in_tx(&mut tx, existing.id)
                    .await?
                    .or_internal("reading back an updated user")?;
                audit::record(
                    &mut tx,
                    actor,
                    audit::Entry::new(
                        "user.import_update",
                        "user",
                        Some(existing.id),
                        email.as_str(),
                    )
                    .before(&existing)
                    .after(&after),
                    now,
                )
                .await?;
                super::announce::announce(&mut tx, Event::UserUpdated, &after, now).await?;
                outcome.updated += 1;
            }
        }
    }
    for row in plan.rows.iter().filter(|r| r.profile_changed) {
        let (Some(email), Some(profile)) = (&row.email, &row.profile) else {
            continue;
        };
        let id = *ids
            .get(email.as_str())
            .or_internal("importing profiles: a row's account was not recorded")?;
        let manager_id = match &profile.manager_email {
            Some(manager) => Some(
                *ids.get(manager)
                    .or_internal("importing profiles: a checked manager has no account")?,
            ),
            None => None,
        };
        profile_store::save(&mut tx, id, profile, manager_id, &plan.defined, now).await?;
        audit::record(
            &mut tx,
            actor,
            audit::Entry::new("user.profile", "user", Some(id), email.as_str()).after(
                &super::profile_service::changed_fields(&row.recorded_profile, profile, manager_id),
            ),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    for (id, email) in welcome {
        send_password_link(state, id, &email, true).await?;
    }
    Ok(outcome)
}

/// All users (not deleted) as CSV, read in batches so memory stays bounded.
pub async fn export_csv(state: &AppState, actor: &Actor) -> Result<String, AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    let defined = super::custom_field_store::list(&state.db).await?;
    let mut writer = crate::spreadsheet::CsvOut::new();
    let fixed = [
        "id",
        "email",
        "name",
        "roles",
        "status",
        "created_at",
        "last_sign_in_at",
        "employee_id",
        "department",
        "job_title",
        "manager_email",
        "location",
        "hire_date",
    ];
    writer.row(
        fixed
            .iter()
            .map(|c| c.to_string())
            .chain(defined.iter().map(|f| f.name.clone())),
    )?;
    let mut after = 0;
    loop {
        let batch: Vec<User> = store::list_after(&state.db, after, 1000).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        let ids: Vec<i64> = batch.iter().map(|u| u.id).collect();
        let profiles = profile_store::find_many(&state.db, &ids).await?;
        for user in &batch {
            let profile = profiles.get(&user.id).cloned().unwrap_or_default();
            let roles = user
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(";");
            let custom: Vec<String> = defined
                .iter()
                .map(|f| profile.custom.get(&f.name).cloned().unwrap_or_default())
                .collect();
            writer.row(
                [
                    user.id.to_string(),
                    user.email.clone(),
                    user.name.clone(),
                    roles,
                    user.status.as_str().to_string(),
                    user.created_at.to_string(),
                    user.last_sign_in_at
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    profile.employee_id.unwrap_or_default(),
                    profile.department,
                    profile.job_title,
                    profile.manager.map(|m| m.email).unwrap_or_default(),
                    profile.location,
                    profile.hire_date.unwrap_or_default(),
                ]
                .into_iter()
                .chain(custom),
            )?;
        }
    }
    writer.finish()
}
