//! SQL for acknowledgements and their confirmations.

use super::model::Confirmation;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_db_write, with_tx};

/// Creates the acknowledgement of an item (once; saving the item again keeps the statement).
pub async fn insert(tx: &mut Tx, item_id: i64, statement: &str, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO acknowledgements (item_id, statement, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (item_id) DO NOTHING",
        )
        .bind(item_id)
        .bind(statement)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
    });
    Ok(())
}

pub async fn statement(db: &Db, item_id: i64) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT statement FROM acknowledgements WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_optional(p)
    .await?))
}

pub async fn statement_in_tx(tx: &mut Tx, item_id: i64) -> Result<Option<String>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT statement FROM acknowledgements WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_optional(c)
    .await?))
}

pub async fn set_statement(
    db: &Db,
    item_id: i64,
    statement: &str,
    now: i64,
) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE acknowledgements SET statement = $2, updated_at = $3 WHERE item_id = $1"
    )
    .bind(item_id)
    .bind(statement)
    .bind(now)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

/// Records a learner's confirmation; a second one keeps the first (its time and wording).
pub async fn confirm(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    course_id: i64,
    statement: &str,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO acknowledgement_confirmations (item_id, user_id, course_id, statement, confirmed_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (item_id, user_id) DO NOTHING",
        )
        .bind(item_id)
        .bind(user_id)
        .bind(course_id)
        .bind(statement)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Moves a learner's confirmation to the history for a new certification cycle: they confirm
/// again, and the earlier confirmation (its time and wording) is kept.
pub async fn archive_confirmation(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO acknowledgement_history (item_id, user_id, course_id, statement, confirmed_at, archived_at) \
             SELECT item_id, user_id, course_id, statement, confirmed_at, $3 FROM acknowledgement_confirmations \
             WHERE item_id = $1 AND user_id = $2",
        )
        .bind(item_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *c)
        .await?;
        sqlx::query("DELETE FROM acknowledgement_confirmations WHERE item_id = $1 AND user_id = $2")
            .bind(item_id)
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    Ok(())
}

pub async fn confirmed_at(db: &Db, item_id: i64, user_id: i64) -> Result<Option<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT confirmed_at FROM acknowledgement_confirmations WHERE item_id = $1 AND user_id = $2"
    )
    .bind(item_id)
    .bind(user_id)
    .fetch_optional(p)
    .await?))
}

/// (learners, of whom confirmed) among the course's active learners.
pub async fn counts(db: &Db, course_id: i64, item_id: i64) -> Result<(i64, i64), AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT COUNT(*), COUNT(a.confirmed_at) FROM enrolments e \
         LEFT JOIN acknowledgement_confirmations a ON a.item_id = $2 AND a.user_id = e.user_id \
         WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active'"
    )
    .bind(course_id)
    .bind(item_id)
    .fetch_one(p)
    .await?))
}

#[derive(sqlx::FromRow)]
struct ConfirmationRow {
    user_id: i64,
    name: String,
    email: String,
    confirmed_at: Option<i64>,
    statement: Option<String>,
}

/// The course's active learners by name with their confirmation; `limit` None: every row (the
/// export).
pub async fn confirmations(
    db: &Db,
    course_id: i64,
    item_id: i64,
    limit: Option<i64>,
    offset: i64,
) -> Result<Vec<Confirmation>, AppError> {
    let rows: Vec<ConfirmationRow> = with_db!(db, |p| sqlx::query_as(
        "SELECT e.user_id, u.name, u.email, a.confirmed_at, a.statement FROM enrolments e \
         JOIN users u ON u.id = e.user_id \
         LEFT JOIN acknowledgement_confirmations a ON a.item_id = $2 AND a.user_id = e.user_id \
         WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active' \
         ORDER BY u.name, u.id LIMIT $3 OFFSET $4"
    )
    .bind(course_id)
    .bind(item_id)
    .bind(limit.unwrap_or(i64::MAX))
    .bind(offset)
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .map(|r| Confirmation {
            user_id: r.user_id,
            name: r.name,
            email: r.email,
            confirmed_at: r.confirmed_at,
            statement: r.statement,
        })
        .collect())
}

/// An acknowledgement in a course copy: the same statement, no confirmations.
pub async fn copy(tx: &mut Tx, from: i64, to: i64, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO acknowledgements (item_id, statement, updated_at) \
             SELECT $2, statement, $3 FROM acknowledgements WHERE item_id = $1 \
             ON CONFLICT (item_id) DO NOTHING",
        )
        .bind(from)
        .bind(to)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
    });
    Ok(())
}
