//! Use cases of user administration. Every function checks permissions first, writes in one
//! transaction, and records an audit entry in that same transaction.

use super::announce::announce;
use super::model::{Email, NewUser, Role, User, UserForm, UserName, UserQuery, UserStatus};
use super::store;
use crate::audit;
use crate::auth::password;
use crate::auth::permissions::{Action, Actor, can};
use crate::auth::service::{forget_attempts, revoke_all_access, send_password_link};
use crate::db::now;
use crate::error::{AppError, OrInternal, Problems};
use crate::mail;
use crate::paging::Page;
use crate::state::AppState;
use crate::webhooks::model::Event;

/// Parses the create/edit form. The password is optional and only checked when given.
pub fn parse_form(form: &UserForm, password_required: bool) -> Result<NewUser, AppError> {
    let mut problems = Problems::default();
    let email = problems.check(Email::parse(&form.email));
    let name = problems.check(UserName::parse(&form.name));
    let roles = problems.check(Role::parse_list(&form.roles.join(",")));
    let password = if form.password.is_empty() {
        if password_required {
            problems.add("password", "Enter a password.");
        }
        None
    } else {
        problems.check(password::check_rules(
            &form.password,
            email.as_ref().map(Email::as_str).unwrap_or(""),
            "password",
        ));
        Some(form.password.clone())
    };
    let parsed = match (email, name, roles) {
        (Some(email), Some(name), Some(roles)) => Some(NewUser {
            email,
            name,
            roles,
            password,
        }),
        _ => None,
    };
    problems.finish(parsed)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    query: &UserQuery,
) -> Result<Page<User>, AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    store::list(&state.db, query).await
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<User, AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    store::find(&state.db, id).await?.ok_or(AppError::NotFound)
}

fn check_may_assign(actor: &Actor, roles: &[Role]) -> Result<(), AppError> {
    if !can(
        actor,
        Action::ManageUser {
            target_roles: roles,
        },
    ) || !can(actor, Action::AssignRoles { roles })
    {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

pub async fn create(state: &AppState, actor: &Actor, form: &UserForm) -> Result<User, AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    let new = parse_form(form, false)?;
    check_may_assign(actor, &new.roles)?;
    let hash = match &new.password {
        Some(p) => Some(password::hash_blocking(p.clone()).await?),
        None => None,
    };
    let now = now();
    let mut tx = state.db.begin().await?;
    let id = store::insert(&mut tx, &new.email, &new.name, hash.as_deref(), now).await?;
    store::set_roles(&mut tx, id, &new.roles).await?;
    let user = store::find_in_tx(&mut tx, id)
        .await?
        .or_internal("reading back the new user")?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("user.create", "user", Some(id), &user.email).after(&user),
        now,
    )
    .await?;
    announce(&mut tx, Event::UserCreated, &user, now).await?;
    tx.commit().await?;
    if hash.is_none() {
        send_password_link(state, id, &user.email, true).await?;
    }
    Ok(user)
}

/// Loads a live (not deleted) account that the actor may manage.
pub(super) async fn load_manageable(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    id: i64,
) -> Result<User, AppError> {
    let user = store::find_in_tx(tx, id)
        .await?
        .filter(|u| u.status != UserStatus::Deleted)
        .ok_or(AppError::NotFound)?;
    if !can(
        actor,
        Action::ManageUser {
            target_roles: &user.roles,
        },
    ) {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

/// Refuses a change that would leave the site without an active administrator.
async fn keep_an_admin(
    tx: &mut crate::db::Tx,
    before: &User,
    removes_admin: bool,
) -> Result<(), AppError> {
    if removes_admin
        && before.has_role(Role::Administrator)
        && before.status == UserStatus::Active
        && store::count_active_admins_in_tx(tx).await? <= 1
    {
        return Err(AppError::Conflict(
            "Lyceum needs at least one active administrator.".into(),
        ));
    }
    Ok(())
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    form: &UserForm,
) -> Result<User, AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    let new = parse_form(form, false)?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let before = load_manageable(&mut tx, actor, id).await?;
    let changed: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|r| before.roles.contains(r) != new.roles.contains(r))
        .collect();
    check_may_assign(actor, &changed)?;
    keep_an_admin(&mut tx, &before, !new.roles.contains(&Role::Administrator)).await?;
    store::update_profile(&mut tx, id, &new.email, &new.name, now).await?;
    store::set_roles(&mut tx, id, &new.roles).await?;
    if let Some(p) = &new.password {
        let hash = password::hash_blocking(p.clone()).await?;
        store::set_password(&mut tx, id, &hash, now).await?;
    }
    let after = store::find_in_tx(&mut tx, id)
        .await?
        .or_internal("reading back the changed user")?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("user.update", "user", Some(id), &after.email)
            .before(&before)
            .after(&after),
        now,
    )
    .await?;
    announce(&mut tx, Event::UserUpdated, &after, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// Turns off a person's two-step verification (a lost phone and lost recovery codes): their
/// password alone signs them in until they set it up again. Audited.
pub async fn reset_mfa(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    let user = load_manageable(&mut tx, actor, id).await?;
    crate::auth::mfa::turn_off_in(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("user.mfa_reset", "user", Some(id), &user.email),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_status(
    state: &AppState,
    actor: &Actor,
    id: i64,
    status: UserStatus,
) -> Result<User, AppError> {
    if status == UserStatus::Deleted {
        return Err(AppError::invalid(
            "status",
            "Use delete to remove an account.",
        ));
    }
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    if actor.id == id {
        return Err(AppError::Conflict(
            "You cannot suspend or reactivate your own account.".into(),
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let before = load_manageable(&mut tx, actor, id).await?;
    keep_an_admin(&mut tx, &before, status == UserStatus::Suspended).await?;
    store::set_status(&mut tx, id, status, now).await?;
    if status == UserStatus::Suspended {
        revoke_all_access(&mut tx, id).await?;
    }
    let after = store::find_in_tx(&mut tx, id)
        .await?
        .or_internal("reading back the changed user")?;
    let action = if status == UserStatus::Suspended {
        "user.suspend"
    } else {
        "user.reactivate"
    };
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(action, "user", Some(id), &after.email)
            .before(&before)
            .after(&after),
        now,
    )
    .await?;
    let event = if status == UserStatus::Suspended {
        Event::UserDeactivated
    } else {
        Event::UserUpdated
    };
    announce(&mut tx, event, &after, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes an account: personal data is anonymised, the row (and so every record about it) stays.
/// Their names and addresses also leave the audit log, the outbox and the sign-in attempts; the
/// events stay.
pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    if actor.id == id {
        return Err(AppError::Conflict(
            "You cannot delete your own account.".into(),
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let before = load_manageable(&mut tx, actor, id).await?;
    keep_an_admin(&mut tx, &before, true).await?;
    // Who they were: their address and name now, and those the log recorded before.
    let mut person = audit::former_identities(&mut tx, id).await?;
    person.add(&before.email, &before.name);
    let (email, name) = store::anonymise(&mut tx, id, now).await?;
    super::profile_store::forget(&mut tx, id).await?;
    audit::forget_person(&mut tx, id, &person, &email, &name).await?;
    mail::forget_recipient(&mut tx, &person.emails, &email).await?;
    forget_attempts(&mut tx, &person.emails, &email).await?;
    revoke_all_access(&mut tx, id).await?;
    // The audit entry keeps who was deleted by id only: the point is to forget their personal data.
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("user.delete", "user", Some(id), format!("user #{id}")),
        now,
    )
    .await?;
    super::announce::announce_deleted(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn send_reset(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    let user = get(state, actor, id).await?;
    if !can(
        actor,
        Action::ManageUser {
            target_roles: &user.roles,
        },
    ) {
        return Err(AppError::Forbidden);
    }
    if user.status != UserStatus::Active {
        return Err(AppError::Conflict(
            "Only active accounts can be sent a password reset.".into(),
        ));
    }
    send_password_link(state, id, &user.email, false).await?;
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("user.send_password_reset", "user", Some(id), &user.email),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Users by id after a cursor (REST API).
pub async fn list_after(
    state: &AppState,
    actor: &Actor,
    after: i64,
    limit: i64,
) -> Result<Vec<User>, AppError> {
    if !can(actor, Action::ViewUsers) {
        return Err(AppError::Forbidden);
    }
    store::list_after(&state.db, after, limit).await
}
