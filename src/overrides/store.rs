//! SQL for overrides.

use super::model::{GroupOption, LearnerDates, Override};
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_tx};
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct DatesRow {
    user_id: i64,
    due_at: Option<i64>,
    cutoff_at: Option<i64>,
    opens_at: Option<i64>,
    closes_at: Option<i64>,
    time_limit_secs: Option<i64>,
    extra_attempts: i32,
}

impl From<&DatesRow> for LearnerDates {
    fn from(r: &DatesRow) -> Self {
        LearnerDates {
            due_at: r.due_at,
            cutoff_at: r.cutoff_at,
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            time_limit_secs: r.time_limit_secs,
            extra_attempts: r.extra_attempts,
        }
    }
}

const DATES: &str =
    "user_id, due_at, cutoff_at, opens_at, closes_at, time_limit_secs, extra_attempts";

/// One learner's override of an item, if any.
pub async fn for_learner(
    db: &Db,
    item_id: i64,
    user_id: i64,
) -> Result<Option<LearnerDates>, AppError> {
    let row: Option<DatesRow> = with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DATES} FROM item_overrides WHERE item_id = $1 AND user_id = $2"
    )))
    .bind(item_id)
    .bind(user_id)
    .fetch_optional(p)
    .await?);
    Ok(row.as_ref().map(LearnerDates::from))
}

pub async fn for_learner_in_tx(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
) -> Result<Option<LearnerDates>, AppError> {
    let row: Option<DatesRow> = with_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DATES} FROM item_overrides WHERE item_id = $1 AND user_id = $2"
    )))
    .bind(item_id)
    .bind(user_id)
    .fetch_optional(c)
    .await?);
    Ok(row.as_ref().map(LearnerDates::from))
}

/// Every override of an item by learner: one query for a list of many learners.
pub async fn for_item(db: &Db, item_id: i64) -> Result<HashMap<i64, LearnerDates>, AppError> {
    let rows: Vec<DatesRow> = with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DATES} FROM item_overrides WHERE item_id = $1"
    )))
    .bind(item_id)
    .fetch_all(p)
    .await?);
    Ok(rows.iter().map(|r| (r.user_id, r.into())).collect())
}

pub async fn for_item_in_tx(
    tx: &mut Tx,
    item_id: i64,
) -> Result<HashMap<i64, LearnerDates>, AppError> {
    let rows: Vec<DatesRow> = with_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DATES} FROM item_overrides WHERE item_id = $1"
    )))
    .bind(item_id)
    .fetch_all(c)
    .await?);
    Ok(rows.iter().map(|r| (r.user_id, r.into())).collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn upsert(
    tx: &mut Tx,
    item_id: i64,
    course_id: i64,
    user_id: i64,
    d: &LearnerDates,
    reason: &str,
    by: i64,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO item_overrides (item_id, user_id, course_id, due_at, cutoff_at, opens_at, closes_at, \
             time_limit_secs, extra_attempts, reason, set_by, set_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (item_id, user_id) DO UPDATE SET due_at = excluded.due_at, cutoff_at = excluded.cutoff_at, \
             opens_at = excluded.opens_at, closes_at = excluded.closes_at, time_limit_secs = excluded.time_limit_secs, \
             extra_attempts = excluded.extra_attempts, reason = excluded.reason, set_by = excluded.set_by, \
             set_at = excluded.set_at",
        )
        .bind(item_id)
        .bind(user_id)
        .bind(course_id)
        .bind(d.due_at)
        .bind(d.cutoff_at)
        .bind(d.opens_at)
        .bind(d.closes_at)
        .bind(d.time_limit_secs)
        .bind(d.extra_attempts)
        .bind(reason)
        .bind(by)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Removes a learner's override; whether there was one.
pub async fn delete(tx: &mut Tx, item_id: i64, user_id: i64) -> Result<bool, AppError> {
    let n = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM item_overrides WHERE item_id = $1 AND user_id = $2"
    )
    .bind(item_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(n > 0)
}

#[derive(sqlx::FromRow)]
struct ListRow {
    name: String,
    email: String,
    reason: String,
    set_by: Option<String>,
    set_at: i64,
    #[sqlx(flatten)]
    dates: DatesRow,
}

impl ListRow {
    fn into_override(self) -> Override {
        Override {
            user_id: self.dates.user_id,
            dates: (&self.dates).into(),
            name: self.name,
            email: self.email,
            reason: self.reason,
            set_by: self.set_by,
            set_at: self.set_at,
        }
    }
}

/// A page of an item's overrides by learner name, and how many there are.
pub async fn list(
    db: &Db,
    item_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Override>, i64), AppError> {
    let rows: Vec<ListRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT o.user_id, o.due_at, o.cutoff_at, o.opens_at, o.closes_at, o.time_limit_secs, o.extra_attempts, \
         u.name, u.email, o.reason, b.name AS set_by, o.set_at FROM item_overrides o \
         JOIN users u ON u.id = o.user_id LEFT JOIN users b ON b.id = o.set_by \
         WHERE o.item_id = $1 ORDER BY u.name, u.id LIMIT $2 OFFSET $3"
    )
    .bind(item_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(p)
    .await?
    });
    let total: i64 = with_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM item_overrides WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_one(p)
    .await?);
    Ok((
        rows.into_iter().map(ListRow::into_override).collect(),
        total,
    ))
}

/// The course's active learners among `emails`: (user id, lower-case email), in one query.
pub async fn learners_by_email(
    db: &Db,
    course_id: i64,
    emails: &[String],
) -> Result<Vec<(i64, String)>, AppError> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    Ok(with_db!(db, |p| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT u.id, LOWER(u.email) FROM users u JOIN enrolments e ON e.user_id = u.id \
             WHERE e.role = 'learner' AND e.status = 'active' AND e.course_id = ",
        );
        qb.push_bind(course_id).push(" AND LOWER(u.email) IN (");
        let mut sep = qb.separated(", ");
        for email in emails {
            sep.push_bind(email.clone());
        }
        qb.push(")");
        qb.build_query_as().fetch_all(p).await?
    }))
}

/// The course's active learners who belong to a cohort: (user id, lower-case email).
pub async fn learners_in_cohort(
    db: &Db,
    course_id: i64,
    cohort_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT u.id, LOWER(u.email) FROM users u JOIN enrolments e ON e.user_id = u.id \
         JOIN cohort_members m ON m.user_id = u.id \
         WHERE e.role = 'learner' AND e.status = 'active' AND e.course_id = $1 AND m.cohort_id = $2 \
         ORDER BY u.id"
    )
    .bind(course_id)
    .bind(cohort_id)
    .fetch_all(p)
    .await?
    }))
}

/// Cohorts with active learners in the course, by name, with how many of them.
pub async fn groups(db: &Db, course_id: i64) -> Result<Vec<GroupOption>, AppError> {
    let rows: Vec<(i64, String, i64)> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT c.id, c.name, COUNT(*) FROM cohorts c JOIN cohort_members m ON m.cohort_id = c.id \
         JOIN enrolments e ON e.user_id = m.user_id \
         WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active' \
         GROUP BY c.id, c.name ORDER BY LOWER(c.name), c.id LIMIT 500"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|(cohort_id, name, learners)| GroupOption {
            cohort_id,
            name,
            learners,
        })
        .collect())
}

/// One of the course's active learners by id: (user id, lower-case email).
pub async fn learner(
    db: &Db,
    course_id: i64,
    user_id: i64,
) -> Result<Option<(i64, String)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT u.id, LOWER(u.email) FROM users u JOIN enrolments e ON e.user_id = u.id \
         WHERE e.role = 'learner' AND e.status = 'active' AND e.course_id = $1 AND u.id = $2"
    )
    .bind(course_id)
    .bind(user_id)
    .fetch_optional(p)
    .await?))
}

/// One learner's override with who set it.
pub async fn one(db: &Db, item_id: i64, user_id: i64) -> Result<Option<Override>, AppError> {
    let row: Option<ListRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT o.user_id, o.due_at, o.cutoff_at, o.opens_at, o.closes_at, o.time_limit_secs, o.extra_attempts, \
         u.name, u.email, o.reason, b.name AS set_by, o.set_at FROM item_overrides o \
         JOIN users u ON u.id = o.user_id LEFT JOIN users b ON b.id = o.set_by \
         WHERE o.item_id = $1 AND o.user_id = $2"
    )
    .bind(item_id)
    .bind(user_id)
    .fetch_optional(p)
    .await?
    });
    Ok(row.map(ListRow::into_override))
}
