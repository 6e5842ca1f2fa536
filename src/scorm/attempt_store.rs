//! Learners' SCO attempts: what each SCO reported, kept between sessions.

use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: i64,
    pub cmi: String,
    pub status: String,
    /// As a percentage (0–100).
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

/// The values an attempt starts with (its objectives).
pub async fn set_values(tx: &mut Tx, id: i64, cmi: &str) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE scorm_attempts SET cmi = $1 WHERE id = $2"
    )
    .bind(cmi)
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

/// The learner's current attempt at each SCO they opened: the SCO, its values, its status and
/// its number (what sequencing reads).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CurrentRow {
    pub sco: String,
    pub cmi: String,
    pub status: String,
    pub number: i64,
}

const CURRENT: &str = "SELECT sco, cmi, status, CAST(number AS BIGINT) AS number \
     FROM scorm_attempts WHERE item_id = $1 AND user_id = $2 AND archived_at IS NULL";

pub async fn all_current(db: &Db, item_id: i64, user_id: i64) -> Result<Vec<CurrentRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(CURRENT)
        .bind(item_id)
        .bind(user_id)
        .fetch_all(p)
        .await?))
}

/// `all_current` inside a commit's transaction (it sees the commit's own write).
pub async fn all_current_in_tx(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
) -> Result<Vec<CurrentRow>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(CURRENT)
        .bind(item_id)
        .bind(user_id)
        .fetch_all(c)
        .await?))
}

/// The scores (percentages) of the learner's current attempts, one per SCO that reported one.
pub async fn scores(tx: &mut Tx, item_id: i64, user_id: i64) -> Result<Vec<f64>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT score FROM scorm_attempts WHERE item_id = $1 AND user_id = $2 \
         AND archived_at IS NULL AND score IS NOT NULL"
    )
    .bind(item_id)
    .bind(user_id)
    .fetch_all(c)
    .await?))
}

/// A new certification cycle, or an instructor's reset: the learner's attempts are kept on
/// record, and the next launch starts afresh; sequencing forgets what it kept for them.
/// Returns how many attempts were archived.
pub async fn archive(tx: &mut Tx, item_id: i64, user_id: i64, now: i64) -> Result<u64, AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM scorm_sequencing WHERE item_id = $1 AND user_id = $2"
    )
    .bind(item_id)
    .bind(user_id)
    .execute(c)
    .await?
    .rows_affected());
    Ok(with_tx!(tx, |c| sqlx::query(
        "UPDATE scorm_attempts SET archived_at = $3 WHERE item_id = $1 AND user_id = $2 \
         AND archived_at IS NULL"
    )
    .bind(item_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()))
}

/// A retry rule began new attempts: the current attempts at `scos` are kept on record and
/// their next launches start afresh. A package has few SCOs and a retry is rare: one
/// statement each.
pub async fn set_aside(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    scos: &[String],
    now: i64,
) -> Result<(), AppError> {
    for sco in scos {
        with_tx!(tx, |c| sqlx::query(
            "UPDATE scorm_attempts SET archived_at = $4 WHERE item_id = $1 AND user_id = $2 \
             AND sco = $3 AND archived_at IS NULL"
        )
        .bind(item_id)
        .bind(user_id)
        .bind(sco)
        .bind(now)
        .execute(c)
        .await?
        .rows_affected());
    }
    Ok(())
}

const MEMORY: &str = "SELECT memory FROM scorm_sequencing WHERE item_id = $1 AND user_id = $2";

/// What sequencing remembers for the learner (JSON; `None`: nothing yet).
pub async fn memory(db: &Db, item_id: i64, user_id: i64) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(MEMORY)
        .bind(item_id)
        .bind(user_id)
        .fetch_optional(p)
        .await?))
}

/// `memory` inside a transaction (it sees the transaction's own write).
pub async fn memory_in_tx(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
) -> Result<Option<String>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(MEMORY)
        .bind(item_id)
        .bind(user_id)
        .fetch_optional(c)
        .await?))
}

pub async fn keep_memory(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    memory: &str,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO scorm_sequencing (item_id, user_id, memory, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (item_id, user_id) \
         DO UPDATE SET memory = excluded.memory, updated_at = excluded.updated_at"
    )
    .bind(item_id)
    .bind(user_id)
    .bind(memory)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// A learner of the report with one of their current attempts (every attempt column is empty
/// for a learner who has not started).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResultRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub sco: Option<String>,
    pub status: Option<String>,
    pub score: Option<f64>,
    pub total_time: Option<String>,
    pub updated_at: Option<i64>,
    pub number: Option<i64>,
}

/// One page of the course's active learners (by name) with their current attempts, in one query.
pub async fn results(
    db: &Db,
    course_id: i64,
    item_id: i64,
    limit: Option<i64>,
    offset: i64,
) -> Result<Vec<ResultRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT u.id AS user_id, u.name, u.email, a.sco, a.status, a.score, a.total_time, \
         a.updated_at, CAST(a.number AS BIGINT) AS number \
         FROM (SELECT e.user_id FROM enrolments e JOIN users n ON n.id = e.user_id \
               WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active' \
               ORDER BY n.name, n.id LIMIT $3 OFFSET $4) page \
         JOIN users u ON u.id = page.user_id \
         LEFT JOIN scorm_attempts a ON a.item_id = $2 AND a.user_id = u.id AND a.archived_at IS NULL \
         ORDER BY u.name, u.id, a.sco"
    )
    .bind(course_id)
    .bind(item_id)
    .bind(limit.unwrap_or(i64::MAX))
    .bind(offset)
    .fetch_all(p)
    .await?
    }))
}

/// The course's active learners, how many opened the package, and how many completed or passed
/// every one of its `parts`.
pub async fn result_counts(
    db: &Db,
    course_id: i64,
    item_id: i64,
    parts: i64,
) -> Result<(i64, i64, i64), AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT COUNT(*), \
         COALESCE(SUM(CASE WHEN s.opened > 0 THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN $3 > 0 AND s.finished >= $3 THEN 1 ELSE 0 END), 0) \
         FROM enrolments e \
         LEFT JOIN (SELECT user_id, COUNT(*) AS opened, \
                    SUM(CASE WHEN status IN ('completed', 'passed') THEN 1 ELSE 0 END) AS finished \
                    FROM scorm_attempts WHERE item_id = $2 AND archived_at IS NULL \
                    GROUP BY user_id) s ON s.user_id = e.user_id \
         WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active'"
    )
    .bind(course_id)
    .bind(item_id)
    .bind(parts)
    .fetch_one(p)
    .await?))
}
