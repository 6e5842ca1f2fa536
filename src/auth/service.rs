//! Use cases of signing in and out, sessions, password reset, first set-up and API tokens.

use super::model::{
    ApiTokenInfo, LOCKOUT_WINDOW_SECS, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS,
    NewApiToken, SessionInfo,
};
use super::permissions::Actor;
use super::{password, tokens};
use crate::audit;
use crate::db::{Db, Tx, now};
use crate::error::{AppError, Problems};
use crate::settings::service as settings;
use crate::state::AppState;
use crate::users::model::{Email, Role, UserName};
use crate::users::store as users;
use crate::{with_db, with_tx};

/// Sessions are touched at most this often, so a busy page does not write on every request.
const TOUCH_EVERY_SECS: i64 = 60;
const RESET_TOKEN_SECS: i64 = 60 * 60;
const WELCOME_TOKEN_SECS: i64 = 7 * 24 * 60 * 60;
const SETUP_TOKEN_KEY: &str = "setup_token_hash";

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: i64,
    last_seen_at: i64,
    name: String,
    email: String,
    status: String,
    roles: Option<String>,
}

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
    let row: Option<SessionRow> = with_db!(&state.db, |p| sqlx::query_as(
        "SELECT s.user_id, s.last_seen_at, u.name, u.email, u.status, \
         (SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(p)
    .await)?;
    let Some(row) = row else { return Ok(None) };
    let lifetime = settings::current(state).await?.session_lifetime_minutes * 60;
    let now = now();
    if row.status != "active" || row.last_seen_at + lifetime < now {
        with_db!(&state.db, |p| sqlx::query(
            "DELETE FROM sessions WHERE token_hash = $1"
        )
        .bind(token_hash)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        return Ok(None);
    }
    if now - row.last_seen_at >= TOUCH_EVERY_SECS {
        with_db!(&state.db, |p| sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2"
        )
        .bind(now)
        .bind(token_hash)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(Some(Actor {
        id: row.user_id,
        name: row.name,
        email: row.email,
        roles: parse_roles(row.roles),
    }))
}

async fn create_session(
    db: &Db,
    user_id: i64,
    ip: &str,
    user_agent: &str,
) -> Result<String, AppError> {
    let token = tokens::new_secret();
    let now = now();
    with_db!(db, |p| {
        sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, ip, user_agent) VALUES ($1, $2, $3, $3, $4, $5)"
    )
    .bind(tokens::hash(&token))
    .bind(user_id)
    .bind(now)
    .bind(ip)
    .bind(user_agent)
    .execute(p)
    .await.map(|r| r.rows_affected())
    })?;
    Ok(token)
}

async fn delete_sessions_in_tx(
    tx: &mut Tx,
    user_id: i64,
    except_hash: Option<&str>,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2"
    )
    .bind(user_id)
    .bind(except_hash.unwrap_or(""))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub(crate) async fn revoke_all_access(tx: &mut Tx, user_id: i64) -> Result<(), AppError> {
    delete_sessions_in_tx(tx, user_id, None).await?;
    with_tx!(tx, |c| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL"
    )
    .bind(now())
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

async fn record_attempt(db: &Db, email: &str, ip: &str, succeeded: bool) -> Result<(), AppError> {
    with_db!(db, |p| sqlx::query(
        "INSERT INTO sign_in_attempts (email, ip, at, succeeded) VALUES ($1, $2, $3, $4)"
    )
    .bind(email)
    .bind(ip)
    .bind(now())
    .bind(succeeded)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Failures since the window opened (and, per account, since its last success).
async fn is_locked(db: &Db, email: &str, ip: &str) -> Result<bool, AppError> {
    let since = now() - LOCKOUT_WINDOW_SECS;
    let (by_account, by_address): (i64, i64) = with_db!(db, |p| {
        let by_account = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sign_in_attempts WHERE email = $1 AND at > $2 AND succeeded = FALSE \
             AND at > COALESCE((SELECT MAX(at) FROM sign_in_attempts WHERE email = $1 AND succeeded = TRUE), 0)",
        )
        .bind(email)
        .bind(since)
        .fetch_one(p)
        .await?;
        let by_address = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sign_in_attempts WHERE ip = $1 AND at > $2 AND succeeded = FALSE",
        )
        .bind(ip)
        .bind(since)
        .fetch_one(p)
        .await?;
        (by_account, by_address)
    });
    Ok(by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS)
}

pub fn lockout_message() -> String {
    format!(
        "Too many failed sign-in attempts. Wait {} minutes and try again, or reset your password.",
        LOCKOUT_WINDOW_SECS / 60
    )
}

/// Signs in with email and password. Returns the new session's secret (for the cookie).
/// The same message answers a wrong password and an unknown email, so accounts cannot be discovered.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
) -> Result<String, AppError> {
    let email = email.trim().to_lowercase();
    let mut problems = Problems::default();
    if email.is_empty() {
        problems.add("email", "Enter your email address.");
    }
    if password.is_empty() {
        problems.add("password", "Enter your password.");
    }
    problems.into_result()?;
    if is_locked(&state.db, &email, ip).await? {
        return Err(AppError::TooManyRequests(lockout_message()));
    }
    let credentials = users::credentials(&state.db, &email).await?;
    let stored = credentials.as_ref().and_then(|c| c.password_hash.clone());
    let matches = password::verify_blocking(password.to_string(), stored).await;
    let Some(credentials) = credentials.filter(|_| matches) else {
        record_attempt(&state.db, &email, ip, false).await?;
        return Err(AppError::invalid(
            "",
            "The email address or password is incorrect.",
        ));
    };
    if credentials.status != "active" {
        return Err(AppError::invalid(
            "",
            "This account is suspended. Contact your administrator.",
        ));
    }
    record_attempt(&state.db, &email, ip, true).await?;
    users::record_sign_in(&state.db, credentials.id, now()).await?;
    create_session(&state.db, credentials.id, ip, user_agent).await
}

pub async fn sign_out(state: &AppState, session_hash: &str) -> Result<(), AppError> {
    with_db!(&state.db, |p| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(session_hash)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every other session of the actor (the current one stays).
pub async fn sign_out_others(
    state: &AppState,
    actor: &Actor,
    current_hash: &str,
) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    delete_sessions_in_tx(&mut tx, actor.id, Some(current_hash)).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SessionListRow {
    token_hash: String,
    created_at: i64,
    last_seen_at: i64,
    ip: String,
    user_agent: String,
}

pub async fn list_sessions(
    state: &AppState,
    actor: &Actor,
    current_hash: &str,
) -> Result<Vec<SessionInfo>, AppError> {
    let rows: Vec<SessionListRow> = with_db!(&state.db, |p| {
        sqlx::query_as(
        "SELECT token_hash, created_at, last_seen_at, ip, user_agent FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC LIMIT 100"
    )
    .bind(actor.id)
    .fetch_all(p)
    .await
    })?;
    Ok(rows
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

pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    current: &str,
    new: &str,
    session_hash: &str,
) -> Result<(), AppError> {
    let stored = users::password_hash(&state.db, actor.id).await?;
    if !password::verify_blocking(current.to_string(), stored).await {
        return Err(AppError::invalid(
            "current_password",
            "Your current password is not correct.",
        ));
    }
    password::check_rules(new, &actor.email, "new_password")?;
    let hash = password::hash_blocking(new.to_string()).await?;
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, actor.id, &hash, now()).await?;
    // Someone who knew the old password must not stay signed in elsewhere.
    delete_sessions_in_tx(&mut tx, actor.id, Some(session_hash)).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            "account.password_change",
            "user",
            Some(actor.id),
            &actor.email,
        ),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn update_own_name(state: &AppState, actor: &Actor, name: &str) -> Result<(), AppError> {
    let name = UserName::parse(name)?;
    let mut tx = state.db.begin().await?;
    users::update_name(&mut tx, actor.id, &name, now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates a single-use link to set a password and emails it.
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
    with_db!(&state.db, |p| {
        sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(tokens::hash(&token))
    .bind(user_id)
    .bind(now)
    .bind(now + lifetime)
    .execute(p)
    .await.map(|r| r.rows_affected())
    })?;
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
                "Someone asked to reset the password of your {site} account.\n\nSet a new password here (the link works once, for 1 hour):\n{link}\n\nIf it was not you, ignore this email."
            ),
        )
    };
    state.mailer.send(&state.db, email, &subject, &body).await
}

/// "Forgot password": always answers the same, whether or not the account exists.
pub async fn request_password_reset(state: &AppState, email: &str) -> Result<(), AppError> {
    let email = Email::parse(email)?;
    if let Some(credentials) = users::credentials(&state.db, email.as_str()).await? {
        if credentials.status == "active" {
            send_password_link(state, credentials.id, email.as_str(), false).await?;
        }
    }
    Ok(())
}

pub async fn reset_password(
    state: &AppState,
    token: &str,
    new_password: &str,
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
    let user_id: Option<i64> = with_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2"
    )
    .bind(&hash)
    .bind(now)
    .fetch_optional(c)
    .await
    })?;
    let user_id = user_id.ok_or_else(expired)?;
    let user = users::find_in_tx(&mut tx, user_id)
        .await?
        .ok_or_else(expired)?;
    password::check_rules(new_password, &user.email, "password")?;
    let password_hash = password::hash_blocking(new_password.to_string()).await?;
    // Marking it used inside the transaction makes the link single-use even under a double submit.
    let used = with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL"
    )
    .bind(now)
    .bind(&hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if used != 1 {
        return Err(expired());
    }
    users::set_password(&mut tx, user_id, &password_hash, now).await?;
    delete_sessions_in_tx(&mut tx, user_id, None).await?;
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
    problems.into_result()?;
    let (Some(email), Some(name)) = (email, name) else {
        return Err(AppError::Internal);
    };
    let hash = password::hash_blocking(password_input.to_string()).await?;
    Ok((email, name, hash))
}

/// Self-registration (when the site allows it): a learner account, signed in at once.
pub async fn register(
    state: &AppState,
    email: &str,
    name: &str,
    password_input: &str,
    ip: &str,
    user_agent: &str,
) -> Result<String, AppError> {
    if !settings::current(state).await?.self_registration {
        return Err(AppError::Forbidden);
    }
    let (email, name, hash) = parse_new_account(email, name, password_input).await?;
    let mut tx = state.db.begin().await?;
    let id = users::insert(&mut tx, &email, &name, Some(&hash), now()).await?;
    users::set_roles(&mut tx, id, &[Role::Learner]).await?;
    tx.commit().await?;
    users::record_sign_in(&state.db, id, now()).await?;
    create_session(&state.db, id, ip, user_agent).await
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
    ip: &str,
    user_agent: &str,
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
    create_session(&state.db, id, ip, user_agent).await
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    name: String,
    created_at: i64,
    last_used_at: Option<i64>,
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
    let id: i64 = with_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(actor.id)
    .bind(name)
    .bind(tokens::hash(&secret))
    .bind(now)
    .fetch_one(c)
    .await
    })?;
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
    let rows: Vec<TokenRow> = with_db!(&state.db, |p| {
        sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT 100"
    )
    .bind(actor.id)
    .fetch_all(p)
    .await
    })?;
    Ok(rows
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
    let done = with_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL"
    )
    .bind(now())
    .bind(id)
    .bind(actor.id)
    .execute(c)
    .await.map(|r| r.rows_affected())
    })?;
    if done == 0 {
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

#[derive(sqlx::FromRow)]
struct TokenActorRow {
    token_id: i64,
    last_used_at: Option<i64>,
    user_id: i64,
    name: String,
    email: String,
    roles: Option<String>,
}

/// The actor behind a bearer token (REST API), if the token is live and the account active.
pub async fn actor_for_api_token(
    state: &AppState,
    secret: &str,
) -> Result<Option<Actor>, AppError> {
    if !secret.starts_with(tokens::API_TOKEN_PREFIX) {
        return Ok(None);
    }
    let row: Option<TokenActorRow> = with_db!(&state.db, |p| sqlx::query_as(
        "SELECT t.id AS token_id, t.last_used_at, u.id AS user_id, u.name, u.email, \
         (SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.status = 'active'"
    )
    .bind(tokens::hash(secret))
    .fetch_optional(p)
    .await)?;
    let Some(row) = row else { return Ok(None) };
    let now = now();
    if row
        .last_used_at
        .is_none_or(|at| now - at >= TOUCH_EVERY_SECS)
    {
        with_db!(&state.db, |p| sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2"
        )
        .bind(now)
        .bind(row.token_id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(Some(Actor {
        id: row.user_id,
        name: row.name,
        email: row.email,
        roles: parse_roles(row.roles),
    }))
}
