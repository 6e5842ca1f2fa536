//! Bulk import of users from CSV (email, name, roles, optional password): a preview that shows every
//! row's problems, then an all-or-nothing apply in one transaction. Also the CSV export.

use super::model::{Email, Role, User, UserName, UserStatus};
use super::store;
use crate::audit;
use crate::auth::password;
use crate::auth::permissions::{Action, Actor, can};
use crate::auth::service::send_password_link;
use crate::db::now;
use crate::error::{AppError, OrInternal, internal};
use crate::state::AppState;
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
    errors: Vec<String>,
}

fn parse_csv(text: &str) -> Result<Vec<ParsedRow>, AppError> {
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
            errors,
        });
    }
    if rows.is_empty() {
        return Err(AppError::invalid("file", "The file has no rows to import."));
    }
    Ok(rows)
}

/// What each row would do, checked against the database and the actor's permissions.
async fn plan(
    state: &AppState,
    actor: &Actor,
    text: &str,
) -> Result<(Vec<ParsedRow>, Vec<ImportRow>, HashMap<String, User>), AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    let mut parsed = parse_csv(text)?;
    let mut preview = Vec::with_capacity(parsed.len());
    let emails: Vec<Email> = parsed.iter().filter_map(|r| r.email.clone()).collect();
    let mut tx = state.db.begin().await?;
    let existing_users = store::find_by_emails_in_tx(&mut tx, &emails).await?;
    tx.commit().await?;
    for row in parsed.iter_mut() {
        let mut action = RowAction::Create;
        if let (Some(email), Some(name), Some(roles)) = (&row.email, &row.name, &row.roles) {
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
                action = if existing.name == name.as_str()
                    && existing.roles == *roles
                    && row.password.is_none()
                {
                    RowAction::Unchanged
                } else {
                    RowAction::Update
                };
            }
        }
        preview.push(ImportRow {
            line: row.line,
            email: row.raw_email.clone(),
            name: row.raw_name.clone(),
            roles: row.raw_roles.clone(),
            action,
            errors: row.errors.clone(),
        });
    }
    Ok((parsed, preview, existing_users))
}

pub async fn preview(
    state: &AppState,
    actor: &Actor,
    text: &str,
) -> Result<ImportPreview, AppError> {
    let (_, rows, _) = plan(state, actor, text).await?;
    Ok(ImportPreview::from_rows(rows))
}

/// Applies the whole file or nothing.
pub async fn apply(state: &AppState, actor: &Actor, text: &str) -> Result<ImportOutcome, AppError> {
    let (parsed, rows, existing_users) = plan(state, actor, text).await?;
    let preview = ImportPreview::from_rows(rows);
    if preview.error_rows > 0 {
        return Err(AppError::invalid(
            "file",
            format!(
                "{} with problems; nothing was imported. Fix the file and try again.",
                crate::ui::format::plural(preview.error_rows, "row", "rows")
            ),
        ));
    }
    let mut hashes = Vec::with_capacity(parsed.len());
    for row in &parsed {
        hashes.push(match &row.password {
            Some(p) => Some(password::hash_blocking(p.clone()).await?),
            None => None,
        });
    }
    let now = now();
    let mut outcome = ImportOutcome::default();
    let mut welcome = Vec::new();
    let mut tx = state.db.begin().await?;
    for (row, hash) in parsed.iter().zip(hashes) {
        // `plan` gave every row that did not parse an error, and rows with errors stop the import.
        let (Some(email), Some(name), Some(roles)) = (&row.email, &row.name, &row.roles) else {
            return Err(internal(
                "importing users: a row without problems was not parsed",
                format!("line {}", row.line),
            ));
        };
        match existing_users.get(email.as_str()).cloned() {
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
                if hash.is_none() {
                    welcome.push((id, email.as_str().to_string()));
                }
                outcome.created += 1;
            }
            Some(existing) => {
                if existing.name == name.as_str() && existing.roles == *roles && hash.is_none() {
                    outcome.unchanged += 1;
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
                outcome.updated += 1;
            }
        }
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
    let mut writer = crate::spreadsheet::CsvOut::new();
    writer.row([
        "id",
        "email",
        "name",
        "roles",
        "status",
        "created_at",
        "last_sign_in_at",
    ])?;
    let mut after = 0;
    loop {
        let batch: Vec<User> = store::list_after(&state.db, after, 1000).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for user in &batch {
            let roles = user
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(";");
            writer.row([
                user.id.to_string(),
                user.email.clone(),
                user.name.clone(),
                roles,
                user.status.as_str().to_string(),
                user.created_at.to_string(),
                user.last_sign_in_at
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
            ])?;
        }
    }
    writer.finish()
}
