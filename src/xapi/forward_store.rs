//! SQL of statement forwarding (both databases): the destination and the statements still to
//! send.

use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_db_write, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ForwardRow {
    pub endpoint: String,
    pub username: String,
    pub password: String,
    pub enabled: bool,
    pub last_sent_at: Option<i64>,
    pub last_error: Option<String>,
}

pub async fn settings(db: &Db) -> Result<Option<ForwardRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT endpoint, username, password, enabled, last_sent_at, last_error \
         FROM xapi_forwarding WHERE id = 1"
    )
    .fetch_optional(p)
    .await?))
}

pub async fn save(
    tx: &mut Tx,
    endpoint: &str,
    username: &str,
    password: &str,
    enabled: bool,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO xapi_forwarding (id, endpoint, username, password, enabled, updated_at) \
         VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET endpoint = $1, \
         username = $2, password = $3, enabled = $4, updated_at = $5, last_error = NULL"
    )
    .bind(endpoint)
    .bind(username)
    .bind(password)
    .bind(enabled)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// Whether statements stored now are to be forwarded, read in the storing transaction.
pub async fn enabled_in(tx: &mut Tx) -> Result<bool, AppError> {
    let enabled: Option<bool> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT enabled FROM xapi_forwarding WHERE id = 1"
    )
    .fetch_optional(c)
    .await?);
    Ok(enabled.unwrap_or(false))
}

pub async fn queue(tx: &mut Tx, seqs: &[i64]) -> Result<(), AppError> {
    for chunk in seqs.chunks(500) {
        with_tx!(tx, |c| {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO xapi_forward_queue (seq) ");
            query.push_values(chunk, |mut row, seq| {
                row.push_bind(*seq);
            });
            query.build().execute(c).await?;
        });
    }
    Ok(())
}

/// The next statements to send, oldest first: (seq, statement).
pub async fn next(db: &Db, limit: i64) -> Result<Vec<(i64, String)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT s.seq, s.statement FROM xapi_forward_queue q \
         JOIN xapi_statements s ON s.seq = q.seq ORDER BY q.seq LIMIT $1"
    )
    .bind(limit)
    .fetch_all(p)
    .await?))
}

pub async fn queued(db: &Db) -> Result<i64, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM xapi_forward_queue"
    )
    .fetch_one(p)
    .await?))
}

/// Sent (or refused for good): off the queue.
pub async fn done(db: &Db, seqs: &[i64]) -> Result<(), AppError> {
    with_db_write!(db, |p| {
        let mut query = sqlx::QueryBuilder::new("DELETE FROM xapi_forward_queue WHERE seq IN (");
        let mut list = query.separated(", ");
        for seq in seqs {
            list.push_bind(*seq);
        }
        list.push_unseparated(")");
        query.build().execute(p).await?.rows_affected()
    });
    Ok(())
}

/// How the last send went: when it succeeded, or why it did not.
pub async fn outcome(db: &Db, sent_at: Option<i64>, error: Option<&str>) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE xapi_forwarding SET last_sent_at = COALESCE($1, last_sent_at), last_error = $2 \
         WHERE id = 1"
    )
    .bind(sent_at)
    .bind(error)
    .execute(p)
    .await?
    .rows_affected());
    Ok(())
}
