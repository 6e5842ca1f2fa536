//! Reading and recording people's profiles: whoever may see users reads one; whoever may manage
//! the person records it. A manager is named by email and must be another live account that
//! does not already report to the person (no loops in the reporting lines).

use super::model::{Email, UserStatus};
use super::profile::{Profile, ProfileFields, ProfileForm};
use super::{profile_store, store};
use crate::audit;
use crate::auth::permissions::{Action, Actor, can};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;

pub async fn profile(state: &AppState, actor: &Actor, user_id: i64) -> Result<Profile, AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    store::find(&state.db, user_id)
        .await?
        .filter(|u| u.status != UserStatus::Deleted)
        .ok_or(AppError::NotFound)?;
    profile_store::find(&state.db, user_id).await
}

pub async fn save(
    state: &AppState,
    actor: &Actor,
    user_id: i64,
    form: &ProfileForm,
) -> Result<Profile, AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    let custom_fields = super::custom_field_store::list(&state.db).await?;
    let fields = ProfileFields::parse(form, &custom_fields)?;
    let now = now();
    let before = profile_store::find(&state.db, user_id).await?;
    let mut tx = state.db.begin().await?;
    let person = super::service::load_manageable(&mut tx, actor, user_id).await?;
    let manager_id = match &fields.manager_email {
        None => None,
        Some(typed) => {
            let unknown =
                || AppError::invalid("manager_email", "No account has this email address.");
            let email = Email::parse(typed).map_err(|_| unknown())?;
            let found = store::find_by_emails_in_tx(&mut tx, std::slice::from_ref(&email)).await?;
            let manager = found
                .into_values()
                .find(|u| u.status != UserStatus::Deleted)
                .ok_or_else(unknown)?;
            if manager.id == user_id {
                return Err(AppError::invalid(
                    "manager_email",
                    "A person cannot be their own manager.",
                ));
            }
            if profile_store::managers_above(&mut tx, manager.id, 1000)
                .await?
                .contains(&user_id)
            {
                return Err(AppError::invalid(
                    "manager_email",
                    format!(
                        "{} reports to {} already, directly or through others.",
                        manager.name, person.name
                    ),
                ));
            }
            Some(manager.id)
        }
    };
    profile_store::save(&mut tx, user_id, &fields, manager_id, &custom_fields, now).await?;
    audit::record(
        &mut tx,
        actor,
        // Which fields changed, not their values: the log outlives a deleted account's profile.
        audit::Entry::new("user.profile", "user", Some(user_id), &person.email)
            .after(&changed_fields(&before, &fields, manager_id)),
        now,
    )
    .await?;
    super::announce::announce(
        &mut tx,
        crate::webhooks::model::Event::UserUpdated,
        &person,
        now,
    )
    .await?;
    tx.commit().await?;
    profile_store::find(&state.db, user_id).await
}

/// The names of the fields that differ from what was recorded.
pub(super) fn changed_fields(
    before: &Profile,
    after: &ProfileFields,
    manager_id: Option<i64>,
) -> Vec<String> {
    let custom = after
        .custom
        .iter()
        .filter(|(name, value)| {
            before.custom.get(*name).map_or("", String::as_str) != value.as_str()
        })
        .map(|(name, _)| name.clone());
    [
        ("employee_id", before.employee_id != after.employee_id),
        ("department", before.department != after.department),
        ("job_title", before.job_title != after.job_title),
        (
            "manager",
            before.manager.as_ref().map(|m| m.id) != manager_id,
        ),
        ("location", before.location != after.location),
        ("hire_date", before.hire_date != after.hire_date),
    ]
    .into_iter()
    .filter(|(_, changed)| *changed)
    .map(|(name, _)| name.to_string())
    .chain(custom)
    .collect()
}

/// What a person may see of their own profile, as (label, value): the built-in fields and the
/// defined fields shown to them, those with a value only.
pub async fn own(state: &AppState, actor: &Actor) -> Result<Vec<(String, String)>, AppError> {
    let profile = profile_store::find(&state.db, actor.id).await?;
    let fields = super::custom_field_store::list(&state.db).await?;
    let builtin = [
        ("Employee id", profile.employee_id.unwrap_or_default()),
        ("Department", profile.department),
        ("Job title", profile.job_title),
        (
            "Manager",
            profile.manager.map(|m| m.name).unwrap_or_default(),
        ),
        ("Location", profile.location),
        ("Hire date", profile.hire_date.unwrap_or_default()),
    ]
    .into_iter()
    .map(|(label, value)| (label.to_string(), value));
    let custom = fields.into_iter().filter(|f| f.visible_to_user).map(|f| {
        let value = profile.custom.get(&f.name).cloned().unwrap_or_default();
        (f.label, value)
    });
    Ok(builtin
        .chain(custom)
        .filter(|(_, v)| !v.is_empty())
        .collect())
}
