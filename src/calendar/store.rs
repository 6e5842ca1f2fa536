//! SQL of the private calendar feed addresses (both databases).

use crate::db::Db;
use crate::error::AppError;
use crate::{with_db, with_db_write};

/// The sealed token of a person's feed, if they made one.
pub async fn sealed_token(db: &Db, user_id: i64) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT token_sealed FROM calendar_feeds WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_optional(p)
    .await?))
}

/// Gives a person a feed token, replacing the one they had.
pub async fn replace(
    db: &Db,
    user_id: i64,
    token_hash: &str,
    token_sealed: &str,
    now: i64,
) -> Result<(), AppError> {
    with_db_write!(db, |p| {
        sqlx::query(
        "INSERT INTO calendar_feeds (user_id, token_hash, token_sealed, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, \
         token_sealed = excluded.token_sealed, created_at = excluded.created_at, last_read_at = NULL"
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(token_sealed)
    .bind(now)
    .execute(p)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The active account whose feed token has this hash, and notes the read.
pub async fn owner(db: &Db, token_hash: &str, now: i64) -> Result<Option<(i64, String)>, AppError> {
    let found: Option<(i64, String)> = with_db!(db, |p| sqlx::query_as(
        "SELECT u.id, u.name FROM calendar_feeds f JOIN users u ON u.id = f.user_id \
         WHERE f.token_hash = $1 AND u.status = 'active'"
    )
    .bind(token_hash)
    .fetch_optional(p)
    .await?);
    if let Some((id, _)) = &found {
        with_db_write!(db, |p| sqlx::query(
            "UPDATE calendar_feeds SET last_read_at = $1 WHERE user_id = $2"
        )
        .bind(now)
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(found)
}
