//! SQL for completion: item views and completions, the enrolment's last activity, course completion
//! and what the pass-grade rule reads (the course's pass grade and the learner's total).

use super::model::Progress;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_tx};

/// Records that a learner opened an item, completing it when `complete`.
pub async fn record_item(
    tx: &mut Tx,
    user_id: i64,
    item_id: i64,
    course_id: i64,
    complete: bool,
    now: i64,
) -> Result<(), AppError> {
    let completed_at = complete.then_some(now);
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO item_progress (user_id, item_id, course_id, first_viewed_at, completed_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id, item_id) DO UPDATE SET completed_at = COALESCE(item_progress.completed_at, excluded.completed_at)"
    )
    .bind(user_id)
    .bind(item_id)
    .bind(course_id)
    .bind(now)
    .bind(completed_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE enrolments SET last_item_id = $3, last_activity_at = $4 WHERE course_id = $1 AND user_id = $2"
    )
    .bind(course_id)
    .bind(user_id)
    .bind(item_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

pub const PROGRESS_SELECT: &str = "SELECT \
    (SELECT COUNT(*) FROM item_progress pr JOIN items it ON it.id = pr.item_id WHERE pr.user_id = e.user_id \
      AND pr.course_id = e.course_id AND pr.completed_at IS NOT NULL AND it.required AND NOT it.hidden AND it.deleted_at IS NULL) AS done, \
    (SELECT COUNT(*) FROM items it WHERE it.course_id = e.course_id AND it.required AND NOT it.hidden AND it.deleted_at IS NULL) AS total, \
    e.completed_at, (SELECT li.id FROM items li WHERE li.id = e.last_item_id AND NOT li.hidden AND li.deleted_at IS NULL) \
    AS last_item_id FROM enrolments e WHERE e.course_id = $1 AND e.user_id = $2";

#[derive(sqlx::FromRow)]
pub struct ProgressRow {
    pub done: i64,
    pub total: i64,
    pub completed_at: Option<i64>,
    pub last_item_id: Option<i64>,
}

impl From<ProgressRow> for Progress {
    fn from(r: ProgressRow) -> Progress {
        Progress {
            done: r.done,
            total: r.total,
            completed_at: r.completed_at,
            last_item_id: r.last_item_id,
        }
    }
}

pub async fn progress(db: &Db, course_id: i64, user_id: i64) -> Result<Option<Progress>, AppError> {
    let row: Option<ProgressRow> = with_db!(db, |p| sqlx::query_as(PROGRESS_SELECT)
        .bind(course_id)
        .bind(user_id)
        .fetch_optional(p)
        .await?);
    Ok(row.map(Progress::from))
}

pub async fn progress_in_tx(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
) -> Result<Option<Progress>, AppError> {
    let row: Option<ProgressRow> = with_tx!(tx, |c| sqlx::query_as(PROGRESS_SELECT)
        .bind(course_id)
        .bind(user_id)
        .fetch_optional(c)
        .await?);
    Ok(row.map(Progress::from))
}

pub async fn mark_course_complete(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE enrolments SET completed_at = $3 WHERE course_id = $1 AND user_id = $2 AND completed_at IS NULL"
    )
    .bind(course_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Items of a course the learner has completed.
pub async fn completed_items(db: &Db, course_id: i64, user_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT item_id FROM item_progress WHERE course_id = $1 AND user_id = $2 AND completed_at IS NOT NULL"
    )
    .bind(course_id)
    .bind(user_id)
    .fetch_all(p)
    .await?
    }))
}

/// The course's pass grade (a percentage; `None` when it has none) and the learner's total.
pub async fn pass_grade_and_total(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
) -> Result<(Option<f64>, Option<f64>), AppError> {
    let row: Option<(Option<f64>, Option<f64>)> = with_tx!(tx, |c| sqlx::query_as(
        "SELECT s.pass_percent, t.percent FROM gradebook_settings s \
         LEFT JOIN course_totals t ON t.course_id = s.course_id AND t.user_id = $2 \
         WHERE s.course_id = $1"
    )
    .bind(course_id)
    .bind(user_id)
    .fetch_optional(c)
    .await?);
    Ok(row.unwrap_or((None, None)))
}

/// Starts a learner's course afresh (a new certification cycle): no item done, the course not
/// complete. The requirement keeps the completion it counted, and each kind archives its own
/// part (`items::registry::reset_learner`).
pub async fn reset(tx: &mut Tx, course_id: i64, user_id: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query("DELETE FROM item_progress WHERE course_id = $1 AND user_id = $2")
            .bind(course_id)
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "UPDATE enrolments SET completed_at = NULL, last_item_id = NULL \
             WHERE course_id = $1 AND user_id = $2",
        )
        .bind(course_id)
        .bind(user_id)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(())
}
