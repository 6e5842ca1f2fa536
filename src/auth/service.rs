//! Use cases of signing in and out, sessions, password reset, first set-up and API tokens.

use super::model::{ApiTokenInfo, NewApiToken, SessionInfo, TimeZoneChoice};
use super::permissions::Actor;
use super::throttle::{self, Client, Guarded};
use super::{password, store, tokens};
use crate::audit;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, Problems};
use crate::settings::service as settings;
use crate::state::AppState;
use crate::users::model::{Email, Role, UserName};
use crate::users::store as users;

/// Sessions (and API tokens) are touched at most this often, so a busy page does not write on
/// every request.
const TOUCH_EVERY_SECS: i64 = 60;
const RESET_TOKEN_SECS: i64 = 60 * 60;
const WELCOME_TOKEN_SECS: i64 = 7 * 24 * 60 * 60;
const SETUP_TOKEN_KEY: &str = "setup_token_hash";

fn parse_roles(roles: Option<String>) -> Vec<Role> {
    let mut roles: Vec<Role> = roles
        .unwrap_or_default()
        .split(',')
        .filter_map(|r| Role::parse(r).ok())
        .collect();
    roles.sort();
    roles
}

/// The actor behind a session, if the session is live and the account active.
pub async fn actor_for_session(
    state: &AppState,
    token_hash: &str,
) -> Result<Option<Actor>, AppError> {
    let Some(row) = store::session(&state.db, token_hash).await? else {
        return Ok(None);
    };
    let lifetime = settings::current(state).await?.session_lifetime_minutes * 60;
    let now = now();
    if row.status != "active" || row.last_seen_at + lifetime < now {
        store::delete_session(&state.db, token_hash).await?;
        return Ok(None);
    }
    // Sessions are touched a tenth of their lifetime apart (1 to 5 minutes): every touch is a
    // write, and a class of thousands must not write on every page.
    if now - row.last_seen_at >= (lifetime / 10).clamp(TOUCH_EVERY_SECS, 5 * 60) {
        store::touch_session(&state.db, token_hash, now).await?;
    }
    Ok(Some(Actor {
        id: row.user_id,
        name: row.name,
        email: row.email,
        roles: parse_roles(row.roles),
    }))
}

async fn create_session(db: &Db, user_id: i64, client: &Client) -> Result<String, AppError> {
    let token = tokens::new_secret();
    store::insert_session(
        db,
        &tokens::hash(&token),
        user_id,
        &client.ip,
        &client.user_agent,
        now(),
    )
    .await?;
    Ok(token)
}

/// Ends every session and API token of an account (suspended or deleted).
pub(crate) async fn revoke_all_access(tx: &mut Tx, user_id: i64) -> Result<(), AppError> {
    store::delete_sessions(tx, user_id, None).await?;
    store::revoke_api_tokens(tx, user_id, now()).await?;
    Ok(())
}

/// A deleted account's sign-in, password and reset attempts stop naming its addresses (in the
/// deletion's transaction).
pub(crate) async fn forget_attempts(
    tx: &mut Tx,
    emails: &[String],
    replacement: &str,
) -> Result<(), AppError> {
    for email in emails {
        store::rename_attempts_account(tx, email, replacement).await?;
    }
    Ok(())
}

/// A password sign-in that went through: a session, or, for an account with two-step
/// verification, the challenge that waits for the code (`mfa`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedIn {
    /// The new session's secret (for the cookie).
    Session(String),
    /// The challenge cookie's secret.
    SecondStep(String),
}

impl SignedIn {
    pub fn session(self) -> Option<String> {
        match self {
            SignedIn::Session(token) => Some(token),
            SignedIn::SecondStep(_) => None,
        }
    }
}

/// Signs in with email and password.
/// The same message answers a wrong password and an unknown email, so accounts cannot be
/// discovered; both are throttled the same way (see `throttle`).
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    client: &Client,
) -> Result<SignedIn, AppError> {
    let email = email.trim().to_lowercase();
    let mut problems = Problems::default();
    if email.is_empty() {
        problems.add("email", "Enter your email address.");
    } else if email.len() > 254 {
        problems.add("email", "Email addresses are at most 254 characters.");
    }
    if password.is_empty() {
        problems.add("password", "Enter your password.");
    }
    problems.into_result()?;
    let attempt = throttle::begin(&state.db, Guarded::SignIn, &email, client).await?;
    let credentials = users::credentials(&state.db, &email).await?;
    let stored = credentials.as_ref().and_then(|c| c.password_hash.clone());
    let matches = password::verify_blocking(password.to_string(), stored).await;
    let Some(credentials) = credentials.filter(|_| matches) else {
        throttle::finish(&state.db, attempt, false).await?;
        return Err(AppError::invalid(
            "",
            "The email address or password is incorrect.",
        ));
    };
    // The right password: whatever the account's state, the guess was not wrong.
    throttle::finish(&state.db, attempt, true).await?;
    if credentials.status != "active" {
        return Err(AppError::invalid(
            "",
            "This account is suspended. Contact your administrator.",
        ));
    }
    let roles = users::find(&state.db, credentials.id)
        .await?
        .map(|u| u.roles)
        .unwrap_or_default();
    let asked = super::rules::asked_of(&state.db, &roles).await?;
    if !asked.password_allowed {
        return Err(AppError::invalid(
            "",
            "People with your role sign in with your organisation's account: use the button below.",
        ));
    }
    if asked.mfa_required || super::mfa::enabled(&state.db, credentials.id).await? {
        return Ok(SignedIn::SecondStep(
            super::mfa::open_challenge(&state.db, credentials.id).await?,
        ));
    }
    users::record_sign_in(&state.db, credentials.id, now()).await?;
    Ok(SignedIn::Session(
        create_session(&state.db, credentials.id, client).await?,
    ))
}

/// Signs in a person whom another party vouched for (an identity provider): the account must be
/// active. Returns the new session's secret (for the cookie).
pub async fn sign_in_as(
    state: &AppState,
    user_id: i64,
    client: &Client,
) -> Result<String, AppError> {
    let active = users::find(&state.db, user_id)
        .await?
        .is_some_and(|u| u.status == crate::users::model::UserStatus::Active);
    if !active {
        return Err(AppError::invalid(
            "",
            "This account is suspended. Contact your administrator.",
        ));
    }
    users::record_sign_in(&state.db, user_id, now()).await?;
    create_session(&state.db, user_id, client).await
}

pub async fn sign_out(state: &AppState, session_hash: &str) -> Result<(), AppError> {
    store::delete_session(&state.db, session_hash).await
}

/// Ends every other session of the actor (the current one stays).
pub async fn sign_out_others(
    state: &AppState,
    actor: &Actor,
    current_hash: &str,
) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    store::delete_sessions(&mut tx, actor.id, Some(current_hash)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list_sessions(
    state: &AppState,
    actor: &Actor,
    current_hash: &str,
) -> Result<Vec<SessionInfo>, AppError> {
    Ok(store::sessions_of(&state.db, actor.id)
        .await?
        .into_iter()
        .map(|r| SessionInfo {
            current: r.token_hash == current_hash,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            ip: r.ip,
            user_agent: r.user_agent,
        })
        .collect())
}

/// A password change as typed on the account page.
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    /// Whoever knew the old password may have made API tokens: revoked unless the person
    /// chooses to keep them.
    pub revoke_api_tokens: bool,
}

/// Changes the actor's password after checking the current one (guesses are throttled like
/// sign-in), ends their other sessions and, unless kept, their API tokens; audited.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    change: &PasswordChange<'_>,
    session_hash: &str,
    client: &Client,
) -> Result<(), AppError> {
    let attempt = throttle::begin(&state.db, Guarded::PasswordChange, &actor.email, client).await?;
    let stored = users::password_hash(&state.db, actor.id).await?;
    let right = password::verify_blocking(change.current.to_string(), stored).await;
    throttle::finish(&state.db, attempt, right).await?;
    if !right {
        return Err(AppError::invalid(
            "current_password",
            "Your current password is not correct.",
        ));
    }
    password::check_rules(change.new, &actor.email, "new_password")?;
    let hash = password::hash_blocking(change.new.to_string()).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, actor.id, &hash, now).await?;
    // Someone who knew the old password must not stay signed in elsewhere.
    let sessions = store::delete_sessions(&mut tx, actor.id, Some(session_hash)).await?;
    let revoked = if change.revoke_api_tokens {
        store::revoke_api_tokens(&mut tx, actor.id, now).await?
    } else {
        0
    };
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            "account.password_change",
            "user",
            Some(actor.id),
            &actor.email,
        )
        .after(&access_ended(sessions, revoked, !change.revoke_api_tokens)),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a password change or reset ended, for the audit log.
#[derive(serde::Serialize)]
struct AccessEnded {
    sessions_ended: u64,
    api_tokens_revoked: u64,
    api_tokens_kept: bool,
}

fn access_ended(sessions: u64, tokens_revoked: u64, tokens_kept: bool) -> AccessEnded {
    AccessEnded {
        sessions_ended: sessions,
        api_tokens_revoked: tokens_revoked,
        api_tokens_kept: tokens_kept,
    }
}

pub async fn update_own_name(state: &AppState, actor: &Actor, name: &str) -> Result<(), AppError> {
    let name = UserName::parse(name)?;
    let mut tx = state.db.begin().await?;
    users::update_name(&mut tx, actor.id, &name, now()).await?;
    tx.commit().await?;
    Ok(())
}

/// The time zone a person reads times in: their own, else the site's.
pub async fn zone_of(state: &AppState, user_id: i64) -> Result<String, AppError> {
    let own = users::time_zone(&state.db, user_id).await?;
    if !own.is_empty() && crate::settings::time_zone::is_zone(&own) {
        return Ok(own);
    }
    Ok(settings::current(state).await?.time_zone)
}

pub async fn my_time_zone(state: &AppState, actor: &Actor) -> Result<TimeZoneChoice, AppError> {
    Ok(TimeZoneChoice {
        zone: users::time_zone(&state.db, actor.id).await?,
        site_zone: settings::current(state).await?.time_zone,
        zones: crate::settings::time_zone::names()
            .into_iter()
            .map(str::to_string)
            .collect(),
    })
}

/// Sets the actor's own time zone; empty goes back to the site's.
pub async fn set_own_time_zone(
    state: &AppState,
    actor: &Actor,
    zone: &str,
) -> Result<TimeZoneChoice, AppError> {
    let zone = zone.trim();
    if !zone.is_empty() && !crate::settings::time_zone::is_zone(zone) {
        return Err(AppError::invalid(
            "time_zone",
            "Choose a time zone from the list, such as Europe/Berlin.",
        ));
    }
    users::set_time_zone(&state.db, actor.id, zone, now()).await?;
    my_time_zone(state, actor).await
}

/// Creates a single-use link to set a password and emails it. Every earlier link of the account
/// stops working: only the newest one in the inbox opens.
pub(crate) async fn send_password_link(
    state: &AppState,
    user_id: i64,
    email: &str,
    welcome: bool,
) -> Result<(), AppError> {
    let token = tokens::new_secret();
    let now = now();
    let lifetime = if welcome {
        WELCOME_TOKEN_SECS
    } else {
        RESET_TOKEN_SECS
    };
    store::end_password_links(&state.db, user_id, now).await?;
    store::insert_password_link(
        &state.db,
        &tokens::hash(&token),
        user_id,
        now,
        now + lifetime,
    )
    .await?;
    let site = settings::current(state).await?.site_name;
    let mut link = state.config.base_url.clone();
    link.set_path("/reset-password");
    link.query_pairs_mut().clear().append_pair("token", &token);
    let (subject, body) = if welcome {
        (
            format!("Welcome to {site}"),
            format!(
                "An account has been created for you on {site}.\n\nSet your password here (the link works once, for 7 days):\n{link}\n"
            ),
        )
    } else {
        (
            format!("Reset your {site} password"),
            format!(
                "Someone asked to reset the password of your {site} account.\n\nSet a new password here (the link works once, for 1 hour; earlier links no longer work):\n{link}\n\nIf it was not you, ignore this email."
            ),
        )
    };
    state.mailer.send(&state.db, email, &subject, &body).await
}

/// "Forgot password": always answers the same, whether or not the account exists, including
/// when the address has asked too often (the limit counts what was typed, not accounts).
pub async fn request_password_reset(
    state: &AppState,
    email: &str,
    client: &Client,
) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    let attempt = throttle::begin(&state.db, Guarded::ResetRequest, email.as_str(), client).await?;
    if let Some(credentials) = users::credentials(&state.db, email.as_str()).await?
        && credentials.status == "active"
    {
        send_password_link(state, credentials.id, email.as_str(), false).await?;
    }
    throttle::finish(&state.db, attempt, true).await
}

/// Sets a new password from an emailed link: the link and every other link of the account stop
/// working, every session ends, and the API tokens are revoked unless the person keeps them.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    new_password: &str,
    revoke_api_tokens: bool,
) -> Result<(), AppError> {
    let expired = || {
        AppError::invalid(
            "",
            "This link has expired or was already used. Ask for a new one.",
        )
    };
    let hash = tokens::hash(token.trim());
    let now = now();
    let mut tx = state.db.begin().await?;
    let user_id = store::password_link_user(&mut tx, &hash, now)
        .await?
        .ok_or_else(expired)?;
    let user = users::find_in_tx(&mut tx, user_id)
        .await?
        .ok_or_else(expired)?;
    password::check_rules(new_password, &user.email, "password")?;
    let password_hash = password::hash_blocking(new_password.to_string()).await?;
    // Using the links inside the transaction makes them single-use even under a double submit.
    if store::use_password_links(&mut tx, user_id, now).await? == 0 {
        return Err(expired());
    }
    users::set_password(&mut tx, user_id, &password_hash, now).await?;
    let sessions = store::delete_sessions(&mut tx, user_id, None).await?;
    let revoked = if revoke_api_tokens {
        store::revoke_api_tokens(&mut tx, user_id, now).await?
    } else {
        0
    };
    let owner = Actor {
        id: user.id,
        name: user.name.clone(),
        email: user.email.clone(),
        roles: user.roles.clone(),
    };
    audit::record(
        &mut tx,
        &owner,
        audit::Entry::new("account.password_reset", "user", Some(user.id), &user.email)
            .after(&access_ended(sessions, revoked, !revoke_api_tokens)),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Parses a new account's form (every problem at once) and hashes its password.
async fn parse_new_account(
    email: &str,
    name: &str,
    password_input: &str,
) -> Result<(Email, UserName, String), AppError> {
    let mut problems = Problems::default();
    let email = problems.check(Email::parse(email));
    let name = problems.check(UserName::parse(name));
    problems.check(password::check_rules(
        password_input,
        email.as_ref().map(Email::as_str).unwrap_or(""),
        "password",
    ));
    let (email, name) = problems.finish(email.zip(name))?;
    let hash = password::hash_blocking(password_input.to_string()).await?;
    Ok((email, name, hash))
}

/// Self-registration (when the site allows it): a learner account, signed in at once. Limited
/// per client address, so one client cannot fill the site with accounts.
pub async fn register(
    state: &AppState,
    email: &str,
    name: &str,
    password_input: &str,
    client: &Client,
) -> Result<String, AppError> {
    if !settings::current(state).await?.self_registration {
        return Err(AppError::Forbidden);
    }
    let (email, name, hash) = parse_new_account(email, name, password_input).await?;
    let attempt = throttle::begin(&state.db, Guarded::Register, "", client).await?;
    let mut tx = state.db.begin().await?;
    let id = users::insert(&mut tx, &email, &name, Some(&hash), now()).await?;
    users::set_roles(&mut tx, id, &[Role::Learner]).await?;
    tx.commit().await?;
    throttle::finish(&state.db, attempt, true).await?;
    users::record_sign_in(&state.db, id, now()).await?;
    create_session(&state.db, id, client).await
}

/// Creates an administrator (from the CLI, the environment, or the set-up page).
pub async fn create_admin(
    db: &Db,
    email: &str,
    name: &str,
    password_input: &str,
) -> Result<i64, AppError> {
    let (email, name, hash) = parse_new_account(email, name, password_input).await?;
    let mut tx = db.begin().await?;
    let id = users::insert(&mut tx, &email, &name, Some(&hash), now()).await?;
    users::set_roles(&mut tx, id, &[Role::Administrator]).await?;
    let system = Actor {
        id: 0,
        name: "System".into(),
        email: "system".into(),
        roles: vec![Role::Administrator],
    };
    audit::record(
        &mut tx,
        &system,
        audit::Entry::new("user.create_admin", "user", Some(id), email.as_str()),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// With no administrator yet, makes a one-time set-up token and returns it (to print in the log).
pub async fn prepare_setup(db: &Db) -> Result<Option<String>, AppError> {
    if users::count_active_admins(db).await? > 0 {
        return Ok(None);
    }
    let token = tokens::new_secret();
    let mut tx = db.begin().await?;
    settings::put_value(&mut tx, SETUP_TOKEN_KEY, &tokens::hash(&token)).await?;
    tx.commit().await?;
    Ok(Some(token))
}

pub async fn setup_needed(db: &Db) -> Result<bool, AppError> {
    Ok(users::count_active_admins(db).await? == 0)
}

/// The set-up page: creates the first administrator and signs them in.
pub async fn complete_setup(
    state: &AppState,
    token: &str,
    email: &str,
    name: &str,
    password_input: &str,
    client: &Client,
) -> Result<String, AppError> {
    let stored = settings::get_value(&state.db, SETUP_TOKEN_KEY).await?;
    if !setup_needed(&state.db).await? || stored.is_none_or(|s| s != tokens::hash(token.trim())) {
        return Err(AppError::invalid(
            "token",
            "This set-up link is not valid. Use the one printed in the server log.",
        ));
    }
    let id = create_admin(&state.db, email, name, password_input).await?;
    let mut tx = state.db.begin().await?;
    settings::put_value(&mut tx, SETUP_TOKEN_KEY, "").await?;
    tx.commit().await?;
    users::record_sign_in(&state.db, id, now()).await?;
    create_session(&state.db, id, client).await
}

pub async fn create_api_token(
    state: &AppState,
    actor: &Actor,
    name: &str,
) -> Result<NewApiToken, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid(
            "name",
            "Give the token a name of up to 80 characters, such as 'HR sync'.",
        ));
    }
    let secret = format!("{}{}", tokens::API_TOKEN_PREFIX, tokens::new_secret());
    let now = now();
    let mut tx = state.db.begin().await?;
    let id = store::insert_api_token(&mut tx, actor.id, name, &tokens::hash(&secret), now).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("api_token.create", "api_token", Some(id), name),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(NewApiToken {
        info: ApiTokenInfo {
            id,
            name: name.to_string(),
            created_at: now,
            last_used_at: None,
        },
        secret,
    })
}

pub async fn list_api_tokens(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<ApiTokenInfo>, AppError> {
    Ok(store::live_api_tokens(&state.db, actor.id)
        .await?
        .into_iter()
        .map(|r| ApiTokenInfo {
            id: r.id,
            name: r.name,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        })
        .collect())
}

pub async fn revoke_api_token(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    if !store::revoke_api_token(&mut tx, id, actor.id, now()).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("api_token.revoke", "api_token", Some(id), ""),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The actor behind a bearer token (REST API), if the token is live and the account active.
pub async fn actor_for_api_token(
    state: &AppState,
    secret: &str,
) -> Result<Option<Actor>, AppError> {
    if !secret.starts_with(tokens::API_TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some(row) = store::token_actor(&state.db, &tokens::hash(secret)).await? else {
        return Ok(None);
    };
    let now = now();
    if row
        .last_used_at
        .is_none_or(|at| now - at >= TOUCH_EVERY_SECS)
    {
        store::touch_api_token(&state.db, row.token_id, now).await?;
    }
    Ok(Some(Actor {
        id: row.user_id,
        name: row.name,
        email: row.email,
        roles: parse_roles(row.roles),
    }))
}
