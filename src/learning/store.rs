//! SQL for progress: item views and completions, the enrolment's last activity, course completion.

use super::model::{LearningCard, Progress};
use crate::courses::model::EnrolmentStatus;
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

/// What a learner's view of an item would change: read before writing, so that reopening the same
/// item (the common case) writes nothing.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct ViewState {
    pub last_item_id: Option<i64>,
    pub last_activity_at: Option<i64>,
    pub first_viewed_at: Option<i64>,
    pub completed_at: Option<i64>,
}

pub async fn view_state(
    db: &Db,
    course_id: i64,
    user_id: i64,
    item_id: i64,
) -> Result<Option<ViewState>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT e.last_item_id, e.last_activity_at, pr.first_viewed_at, pr.completed_at \
         FROM enrolments e LEFT JOIN item_progress pr ON pr.user_id = e.user_id AND pr.item_id = $3 \
         WHERE e.course_id = $1 AND e.user_id = $2"
    )
    .bind(course_id)
    .bind(user_id)
    .bind(item_id)
    .fetch_optional(p)
    .await?
    }))
}

const PROGRESS_SELECT: &str = "SELECT \
    (SELECT COUNT(*) FROM item_progress pr JOIN items it ON it.id = pr.item_id WHERE pr.user_id = e.user_id \
      AND pr.course_id = e.course_id AND pr.completed_at IS NOT NULL AND it.required AND NOT it.hidden) AS done, \
    (SELECT COUNT(*) FROM items it WHERE it.course_id = e.course_id AND it.required AND NOT it.hidden) AS total, \
    e.completed_at, e.last_item_id FROM enrolments e WHERE e.course_id = $1 AND e.user_id = $2";

#[derive(sqlx::FromRow)]
struct ProgressRow {
    done: i64,
    total: i64,
    completed_at: Option<i64>,
    last_item_id: Option<i64>,
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

#[derive(sqlx::FromRow)]
struct CardRow {
    course_id: i64,
    code: String,
    title: String,
    status: String,
    #[sqlx(flatten)]
    progress: ProgressRow,
}

/// The learner's courses (as a learner, not withdrawn, not drafts), most recently active first.
pub async fn learning_cards(
    db: &Db,
    user_id: i64,
    limit: i64,
) -> Result<Vec<LearningCard>, AppError> {
    let rows: Vec<CardRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT c.id AS course_id, c.code, c.title, e.status, \
         (SELECT COUNT(*) FROM item_progress pr JOIN items it ON it.id = pr.item_id WHERE pr.user_id = e.user_id \
           AND pr.course_id = e.course_id AND pr.completed_at IS NOT NULL AND it.required AND NOT it.hidden) AS done, \
         (SELECT COUNT(*) FROM items it WHERE it.course_id = e.course_id AND it.required AND NOT it.hidden) AS total, \
         e.completed_at, e.last_item_id \
         FROM enrolments e JOIN courses c ON c.id = e.course_id \
         WHERE e.user_id = $1 AND e.role = 'learner' AND e.status <> 'withdrawn' AND c.state <> 'draft' \
         ORDER BY COALESCE(e.last_activity_at, e.enrolled_at) DESC, c.id LIMIT $2"
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| LearningCard {
            course_id: r.course_id,
            code: r.code,
            title: r.title,
            status: EnrolmentStatus::parse(&r.status).unwrap_or(EnrolmentStatus::Active),
            progress: Progress::from(r.progress),
        })
        .collect())
}
