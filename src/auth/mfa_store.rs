//! SQL of two-step verification: the authenticator secret, recovery codes and sign-ins waiting
//! for their second step (both databases).

use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_db_write, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TotpRow {
    pub secret_sealed: String,
    pub confirmed_at: Option<i64>,
    pub last_step: i64,
}

pub async fn totp(db: &Db, user_id: i64) -> Result<Option<TotpRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT secret_sealed, confirmed_at, last_step FROM mfa_totp WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_optional(p)
    .await?))
}

/// A new, unconfirmed secret (replacing an unconfirmed one; never a confirmed one).
pub async fn begin_totp(db: &Db, user_id: i64, sealed: &str, now: i64) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "INSERT INTO mfa_totp (user_id, secret_sealed, confirmed_at, last_step, created_at) \
         VALUES ($1, $2, NULL, 0, $3) ON CONFLICT (user_id) DO UPDATE \
         SET secret_sealed = $2, created_at = $3, last_step = 0 WHERE mfa_totp.confirmed_at IS NULL"
    )
    .bind(user_id)
    .bind(sealed)
    .bind(now)
    .execute(p)
    .await?
    .rows_affected()))
}

pub async fn confirm_totp(tx: &mut Tx, user_id: i64, step: i64, now: i64) -> Result<u64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query(
        "UPDATE mfa_totp SET confirmed_at = $2, last_step = $3 \
         WHERE user_id = $1 AND confirmed_at IS NULL"
    )
    .bind(user_id)
    .bind(now)
    .bind(step)
    .execute(c)
    .await?
    .rows_affected()))
}

/// Records the step of an accepted code; 0 rows when a code of that step (or later) was already
/// accepted, by a request running at the same moment.
pub async fn use_step(db: &Db, user_id: i64, step: i64) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "UPDATE mfa_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2 \
         AND confirmed_at IS NOT NULL"
    )
    .bind(user_id)
    .bind(step)
    .execute(p)
    .await?
    .rows_affected()))
}

/// Turns two-step verification off: the secret and the recovery codes go.
pub async fn delete_all(tx: &mut Tx, user_id: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM mfa_totp WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(&mut *c)
    .await?
    .rows_affected());
    replace_recovery_codes(tx, user_id, &[]).await
}

pub async fn replace_recovery_codes(
    tx: &mut Tx,
    user_id: i64,
    hashes: &[String],
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM mfa_recovery_codes WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(&mut *c)
    .await?
    .rows_affected());
    for hash in hashes {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)"
        )
        .bind(user_id)
        .bind(hash)
        .execute(c)
        .await?
        .rows_affected());
    }
    Ok(())
}

pub async fn recovery_codes_left(db: &Db, user_id: i64) -> Result<i64, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL"
    )
    .bind(user_id)
    .fetch_one(p)
    .await?))
}

/// Uses a recovery code: 1 when it was there and unused.
pub async fn use_recovery_code(
    db: &Db,
    user_id: i64,
    hash: &str,
    now: i64,
) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "UPDATE mfa_recovery_codes SET used_at = $3 \
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL"
    )
    .bind(user_id)
    .bind(hash)
    .bind(now)
    .execute(p)
    .await?
    .rows_affected()))
}

pub async fn insert_challenge(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "INSERT INTO mfa_challenges (token_hash, user_id, created_at) VALUES ($1, $2, $3)"
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .execute(p)
    .await?
    .rows_affected());
    Ok(())
}

/// The waiting sign-in's account, if it is still fresh.
pub async fn challenge(db: &Db, token_hash: &str, since: i64) -> Result<Option<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT user_id FROM mfa_challenges WHERE token_hash = $1 AND created_at >= $2"
    )
    .bind(token_hash)
    .bind(since)
    .fetch_optional(p)
    .await?))
}

/// Ends a waiting sign-in (used), and forgets the stale ones.
pub async fn end_challenge(db: &Db, token_hash: &str, stale_before: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "DELETE FROM mfa_challenges WHERE token_hash = $1 OR created_at < $2"
    )
    .bind(token_hash)
    .bind(stale_before)
    .execute(p)
    .await?
    .rows_affected());
    Ok(())
}

/// The sign-in rules of the roles that have any: (role, password_off, mfa_required).
pub async fn rules(db: &Db) -> Result<Vec<(String, bool, bool)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT role, password_off, mfa_required FROM sign_in_rules ORDER BY role"
    )
    .fetch_all(p)
    .await?))
}

pub async fn save_rule(
    tx: &mut Tx,
    role: &str,
    password_off: bool,
    mfa_required: bool,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO sign_in_rules (role, password_off, mfa_required, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (role) DO UPDATE \
         SET password_off = $2, mfa_required = $3, updated_at = $4"
    )
    .bind(role)
    .bind(password_off)
    .bind(mfa_required)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}
