//! Learners' SCO attempts: what each SCO reported, kept between sessions.

use crate::db::Tx;
use crate::error::AppError;
use crate::with_tx;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: i64,
    pub cmi: String,
    pub status: String,
    pub score: Option<f64>,
    pub total_time: String,
    pub suspended: bool,
    pub sequence: i64,
}

/// What a commit changes.
pub struct AttemptUpdate<'a> {
    pub cmi: &'a str,
    pub status: &'a str,
    pub score: Option<f64>,
    pub total_time: &'a str,
    pub suspended: bool,
    pub sequence: i64,
    pub now: i64,
}

/// The learner's current attempt at a SCO (not archived).
pub async fn current(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    sco: &str,
) -> Result<Option<AttemptRow>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(
        "SELECT id, cmi, status, score, total_time, suspended, sequence FROM scorm_attempts \
         WHERE item_id = $1 AND user_id = $2 AND sco = $3 AND archived_at IS NULL \
         ORDER BY number DESC LIMIT 1"
    )
    .bind(item_id)
    .bind(user_id)
    .bind(sco)
    .fetch_optional(c)
    .await?))
}

/// Starts an attempt (numbered after every earlier one, archived ones included).
pub async fn start(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    sco: &str,
    now: i64,
) -> Result<AttemptRow, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(
        "INSERT INTO scorm_attempts (item_id, user_id, sco, number, cmi, status, score, \
         total_time, suspended, sequence, started_at, updated_at) \
         SELECT $1, $2, $3, COALESCE(MAX(number), 0) + 1, '{}', 'not attempted', NULL, \
         '0000:00:00.00', FALSE, 0, $4, $4 FROM scorm_attempts \
         WHERE item_id = $1 AND user_id = $2 AND sco = $3 \
         RETURNING id, cmi, status, score, total_time, suspended, sequence"
    )
    .bind(item_id)
    .bind(user_id)
    .bind(sco)
    .bind(now)
    .fetch_one(c)
    .await?))
}

pub async fn save(tx: &mut Tx, id: i64, update: &AttemptUpdate<'_>) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE scorm_attempts SET cmi = $1, status = $2, score = $3, total_time = $4, \
         suspended = $5, sequence = $6, updated_at = $7 WHERE id = $8"
    )
    .bind(update.cmi)
    .bind(update.status)
    .bind(update.score)
    .bind(update.total_time)
    .bind(update.suspended)
    .bind(update.sequence)
    .bind(update.now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// The SCOs whose current attempt the learner completed or passed.
pub async fn done_scos(tx: &mut Tx, item_id: i64, user_id: i64) -> Result<Vec<String>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT DISTINCT sco FROM scorm_attempts WHERE item_id = $1 AND user_id = $2 \
         AND archived_at IS NULL AND status IN ('completed', 'passed')"
    )
    .bind(item_id)
    .bind(user_id)
    .fetch_all(c)
    .await?))
}

/// A new certification cycle: the learner's attempts are kept on record, and the next launch
/// starts afresh.
pub async fn archive(tx: &mut Tx, item_id: i64, user_id: i64, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE scorm_attempts SET archived_at = $3 WHERE item_id = $1 AND user_id = $2 \
         AND archived_at IS NULL"
    )
    .bind(item_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}
