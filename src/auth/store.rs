//! SQL of the auth area: sessions, guessing attempts, password links and API tokens.

use super::throttle::KnownClient;
use super::throttle::Tally;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_db_write, with_tx};

// ---- sessions -------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: i64,
    pub last_seen_at: i64,
    pub name: String,
    pub email: String,
    pub status: String,
    pub roles: Option<String>,
}

pub async fn session(db: &Db, token_hash: &str) -> Result<Option<SessionRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT s.user_id, s.last_seen_at, u.name, u.email, u.status, \
         (SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(p)
    .await)?)
}

pub async fn delete_session(db: &Db, token_hash: &str) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(token_hash)
    .execute(p)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn touch_session(db: &Db, token_hash: &str, now: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2"
    )
    .bind(now)
    .bind(token_hash)
    .execute(p)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn insert_session(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    ip: &str,
    user_agent: &str,
    now: i64,
) -> Result<(), AppError> {
    with_db_write!(db, |p| {
        sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, ip, user_agent) VALUES ($1, $2, $3, $3, $4, $5)"
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(ip)
    .bind(user_agent)
    .execute(p)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Deletes the user's sessions, except the one with `except_hash` when given; returns how many.
pub async fn delete_sessions(
    tx: &mut Tx,
    user_id: i64,
    except_hash: Option<&str>,
) -> Result<u64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2"
    )
    .bind(user_id)
    .bind(except_hash.unwrap_or(""))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

#[derive(sqlx::FromRow)]
pub struct SessionListRow {
    pub token_hash: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub ip: String,
    pub user_agent: String,
}

pub async fn sessions_of(db: &Db, user_id: i64) -> Result<Vec<SessionListRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT token_hash, created_at, last_seen_at, ip, user_agent FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC LIMIT 100"
    )
    .bind(user_id)
    .fetch_all(p)
    .await
    })?)
}

// ---- guessing attempts ----------------------------------------------------------------------

pub async fn insert_attempt(
    db: &Db,
    kind: &str,
    account: &str,
    ip: &str,
    device: &str,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_db_write!(db, |p| {
        sqlx::query_scalar(
        "INSERT INTO auth_attempts (kind, account, ip, device, at, outcome) VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING id"
    )
    .bind(kind)
    .bind(account)
    .bind(ip)
    .bind(device)
    .bind(now)
    .fetch_one(p)
    .await
    })?)
}

pub async fn set_outcome(db: &Db, id: i64, outcome: &str) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE auth_attempts SET outcome = $1 WHERE id = $2"
    )
    .bind(outcome)
    .bind(id)
    .execute(p)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn last_success(db: &Db, kind: &str, account: &str) -> Result<Option<i64>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT MAX(at) FROM auth_attempts WHERE kind = $1 AND account = $2 AND outcome = 'succeeded'"
    )
    .bind(kind)
    .bind(account)
    .fetch_one(p)
    .await
    })?)
}

/// Whether the account signed in successfully from this browser (device cookie) or address since
/// `since`.
pub async fn known_client(
    db: &Db,
    account: &str,
    ip: &str,
    device: &str,
    since: i64,
) -> Result<KnownClient, AppError> {
    let (by_device, by_address): (bool, bool) = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT COALESCE(MAX(CASE WHEN device <> '' AND device = $2 THEN 1 ELSE 0 END), 0) = 1, \
                COALESCE(MAX(CASE WHEN ip = $3 THEN 1 ELSE 0 END), 0) = 1 \
         FROM auth_attempts WHERE kind = 'sign_in' AND account = $1 AND outcome = 'succeeded' AND at > $4"
    )
    .bind(account)
    .bind(device)
    .bind(ip)
    .bind(since)
    .fetch_one(p)
    .await
    })?;
    Ok(if by_device {
        KnownClient::ByDevice
    } else if by_address {
        KnownClient::ByAddress
    } else {
        KnownClient::No
    })
}

/// Whose attempts a tally counts.
pub enum TallyKey<'a> {
    Address(&'a str),
    Account(&'a str),
    AccountAndAddress(&'a str, &'a str),
    AccountAndDevice(&'a str, &'a str),
}

#[derive(sqlx::FromRow)]
struct TallyRow {
    count: i64,
    first_at: Option<i64>,
    last_at: Option<i64>,
}

/// The attempts of one scope since `since` (inclusive: timestamps are whole seconds, and a
/// failure in the second of the last success still counts), other than `own_id`: pending and failed ones, and
/// with `requests` also the succeeded ones (refused attempts never count).
pub async fn tally(
    db: &Db,
    kind: &str,
    key: TallyKey<'_>,
    since: i64,
    requests: bool,
    own_id: i64,
) -> Result<Tally, AppError> {
    let (sql, a, b): (&'static str, &str, &str) = match key {
        TallyKey::Address(ip) => (tally_sql::ADDRESS, ip, ""),
        TallyKey::Account(account) => (tally_sql::ACCOUNT, account, ""),
        TallyKey::AccountAndAddress(account, ip) => (tally_sql::ACCOUNT_ADDRESS, account, ip),
        TallyKey::AccountAndDevice(account, device) => (tally_sql::ACCOUNT_DEVICE, account, device),
    };
    let row: TallyRow = with_db!(db, |p| sqlx::query_as(sql)
        .bind(kind)
        .bind(since)
        .bind(own_id)
        .bind(requests)
        .bind(a)
        .bind(b)
        .fetch_one(p)
        .await)?;
    Ok(Tally {
        count: row.count,
        first_at: row.first_at.unwrap_or(0),
        last_at: row.last_at.unwrap_or(0),
    })
}

/// The four tally queries: the same counting rule, each with its own key columns. All take six
/// parameters (PostgreSQL refuses unused ones, hence `$6 = ''` where the key has one column).
mod tally_sql {
    pub const ADDRESS: &str = "SELECT COUNT(*) AS count, MIN(at) AS first_at, MAX(at) AS last_at FROM auth_attempts \
         WHERE kind = $1 AND at >= $2 AND id <> $3 AND (outcome IN ('pending', 'failed') OR ($4 AND outcome = 'succeeded')) \
         AND ip = $5 AND $6 = ''";
    pub const ACCOUNT: &str = "SELECT COUNT(*) AS count, MIN(at) AS first_at, MAX(at) AS last_at FROM auth_attempts \
         WHERE kind = $1 AND at >= $2 AND id <> $3 AND (outcome IN ('pending', 'failed') OR ($4 AND outcome = 'succeeded')) \
         AND account = $5 AND $6 = ''";
    pub const ACCOUNT_ADDRESS: &str = "SELECT COUNT(*) AS count, MIN(at) AS first_at, MAX(at) AS last_at FROM auth_attempts \
         WHERE kind = $1 AND at >= $2 AND id <> $3 AND (outcome IN ('pending', 'failed') OR ($4 AND outcome = 'succeeded')) \
         AND account = $5 AND ip = $6";
    pub const ACCOUNT_DEVICE: &str = "SELECT COUNT(*) AS count, MIN(at) AS first_at, MAX(at) AS last_at FROM auth_attempts \
         WHERE kind = $1 AND at >= $2 AND id <> $3 AND (outcome IN ('pending', 'failed') OR ($4 AND outcome = 'succeeded')) \
         AND account = $5 AND device = $6";
}

pub async fn delete_attempts_before(db: &Db, before: i64) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "DELETE FROM auth_attempts WHERE at < $1"
    )
    .bind(before)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Moves the attempts typed with a deleted person's address to `replacement` and forgets their
/// browser: the attempts still count for their client address, but no longer say whose account
/// was tried. (Enrolment-key attempts are keyed by ids, not addresses.)
pub async fn rename_attempts_account(
    tx: &mut Tx,
    account: &str,
    replacement: &str,
) -> Result<u64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query(
        "UPDATE auth_attempts SET account = $2, device = '' WHERE account = $1"
    )
    .bind(account)
    .bind(replacement)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

// ---- password links -------------------------------------------------------------------------

/// Ends every outstanding link of the account (a new one is about to be sent, or one was used).
pub async fn end_password_links(db: &Db, user_id: i64, now: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL"
    )
    .bind(now)
    .bind(user_id)
    .execute(p)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn insert_password_link(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), AppError> {
    with_db_write!(db, |p| {
        sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(p)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// The account a live (unused, unexpired) link belongs to.
pub async fn password_link_user(
    tx: &mut Tx,
    token_hash: &str,
    now: i64,
) -> Result<Option<i64>, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await
    })?)
}

/// Marks every unused link of the account used; returns how many (0: a double submit lost).
pub async fn use_password_links(tx: &mut Tx, user_id: i64, now: i64) -> Result<u64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL"
    )
    .bind(now)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

// ---- API tokens -----------------------------------------------------------------------------

pub async fn insert_api_token(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .fetch_one(c)
    .await
    })?)
}

#[derive(sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub async fn live_api_tokens(db: &Db, user_id: i64) -> Result<Vec<TokenRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT 100"
    )
    .bind(user_id)
    .fetch_all(p)
    .await
    })?)
}

/// Revokes one of the user's live tokens; returns whether there was one.
pub async fn revoke_api_token(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    now: i64,
) -> Result<bool, AppError> {
    let done = with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL"
    )
    .bind(now)
    .bind(id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(done > 0)
}

/// Revokes every live token of the user; returns how many.
pub async fn revoke_api_tokens(tx: &mut Tx, user_id: i64, now: i64) -> Result<u64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL"
    )
    .bind(now)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

#[derive(sqlx::FromRow)]
pub struct TokenActorRow {
    pub token_id: i64,
    pub last_used_at: Option<i64>,
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub roles: Option<String>,
}

/// The live token with this hash and its active owner.
pub async fn token_actor(db: &Db, token_hash: &str) -> Result<Option<TokenActorRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT t.id AS token_id, t.last_used_at, u.id AS user_id, u.name, u.email, \
         (SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.status = 'active'"
    )
    .bind(token_hash)
    .fetch_optional(p)
    .await)?)
}

pub async fn touch_api_token(db: &Db, id: i64, now: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2"
    )
    .bind(now)
    .bind(id)
    .execute(p)
    .await
    .map(|_| ()))?;
    Ok(())
}
