//! SQL for programmes: their definition, their courses in order, their people and completions.

use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_tx};

#[derive(sqlx::FromRow)]
pub struct ProgrammeRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub required_count: Option<i32>,
    pub members: i64,
    pub completed_at: Option<i64>,
}

/// Every programme, by name, with its number of people (`$1` is 0: no one's completion).
const PROGRAMME_SELECT: &str = "SELECT p.id, p.name, p.description, p.required_count, \
    (SELECT COUNT(*) FROM programme_members m WHERE m.programme_id = p.id) AS members, \
    (SELECT m.completed_at FROM programme_members m WHERE m.programme_id = p.id AND m.user_id = $1) AS completed_at \
    FROM programmes p";

pub async fn all(db: &Db) -> Result<Vec<ProgrammeRow>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!("{PROGRAMME_SELECT} ORDER BY LOWER(p.name), p.id"));
    Ok(with_db!(db, |p| sqlx::query_as(sql)
        .bind(0_i64)
        .fetch_all(p)
        .await?))
}

/// The programmes a person is on, by name, with their completion.
pub async fn of_member(db: &Db, user_id: i64) -> Result<Vec<ProgrammeRow>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{PROGRAMME_SELECT} WHERE p.id IN (SELECT programme_id FROM programme_members WHERE user_id = $1) \
         ORDER BY LOWER(p.name), p.id"
    ));
    Ok(with_db!(db, |p| sqlx::query_as(sql)
        .bind(user_id)
        .fetch_all(p)
        .await?))
}

#[derive(sqlx::FromRow)]
pub struct CourseRow {
    pub programme_id: i64,
    pub course_id: i64,
    pub code: String,
    pub title: String,
    pub completed: bool,
}

/// The courses of the programmes in order, each marked completed when `user_id` completed it:
/// of every programme (`members_only` false, for administrators) or of those `user_id` is on.
pub async fn courses(
    db: &Db,
    user_id: i64,
    members_only: bool,
) -> Result<Vec<CourseRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT pc.programme_id, c.id AS course_id, c.code, c.title, \
         (e.completed_at IS NOT NULL) AS completed \
         FROM programme_courses pc JOIN courses c ON c.id = pc.course_id \
         LEFT JOIN enrolments e ON e.course_id = c.id AND e.user_id = $1 \
         WHERE NOT $2 OR pc.programme_id IN (SELECT programme_id FROM programme_members WHERE user_id = $1) \
         ORDER BY pc.programme_id, pc.position"
    )
    .bind(user_id)
    .bind(members_only)
    .fetch_all(p)
    .await?
    }))
}

pub async fn name_taken(db: &Db, name: &str, except: Option<i64>) -> Result<bool, AppError> {
    let found: Option<i64> = with_db!(db, |p| sqlx::query_scalar(
        "SELECT id FROM programmes WHERE LOWER(name) = LOWER($1) AND id <> $2"
    )
    .bind(name)
    .bind(except.unwrap_or(0))
    .fetch_optional(p)
    .await?);
    Ok(found.is_some())
}

pub async fn create(
    tx: &mut Tx,
    name: &str,
    description: &str,
    required_count: Option<i32>,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO programmes (name, description, required_count, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id"
    )
    .bind(name)
    .bind(description)
    .bind(required_count)
    .bind(now)
    .fetch_one(c)
    .await?))
}

/// Saves a programme's definition; false when there is none with this id.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    name: &str,
    description: &str,
    required_count: Option<i32>,
    now: i64,
) -> Result<bool, AppError> {
    let n = with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE programmes SET name = $2, description = $3, required_count = $4, updated_at = $5 WHERE id = $1"
    )
    .bind(id)
    .bind(name)
    .bind(description)
    .bind(required_count)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
    });
    Ok(n > 0)
}

/// Replaces a programme's courses with these, in this order.
pub async fn set_courses(tx: &mut Tx, id: i64, course_ids: &[i64]) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM programme_courses WHERE programme_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    for (position, course_id) in course_ids.iter().enumerate() {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO programme_courses (programme_id, course_id, position) VALUES ($1, $2, $3)"
        )
        .bind(id)
        .bind(course_id)
        .bind(position as i32)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?);
    }
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: i64) -> Result<bool, AppError> {
    let n = with_tx!(tx, |c| sqlx::query("DELETE FROM programmes WHERE id = $1")
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    Ok(n > 0)
}

/// The course ids of a programme, in order.
pub async fn course_ids(tx: &mut Tx, id: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT course_id FROM programme_courses WHERE programme_id = $1 ORDER BY position"
    )
    .bind(id)
    .fetch_all(c)
    .await?))
}

/// Puts people on a programme (those already on it stay as they were).
pub async fn add_members(tx: &mut Tx, id: i64, user_ids: &[i64], now: i64) -> Result<(), AppError> {
    for user_id in user_ids {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO programme_members (programme_id, user_id, added_at) VALUES ($1, $2, $3) \
             ON CONFLICT (programme_id, user_id) DO NOTHING"
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?);
    }
    Ok(())
}

/// A programme a person is on and has not completed, with how far they are.
#[derive(sqlx::FromRow)]
pub struct Standing {
    pub user_id: i64,
    pub programme_id: i64,
    pub required_count: Option<i32>,
    pub total: i64,
    pub done: i64,
}

/// Memberships not yet completed (with how far each person is), over `WHERE`.
const OPEN_SELECT: &str = "SELECT m.user_id, p.id AS programme_id, p.required_count, \
     (SELECT COUNT(*) FROM programme_courses pc WHERE pc.programme_id = p.id) AS total, \
     (SELECT COUNT(*) FROM programme_courses pc JOIN enrolments e ON e.course_id = pc.course_id \
        AND e.user_id = m.user_id AND e.completed_at IS NOT NULL WHERE pc.programme_id = p.id) AS done \
     FROM programmes p JOIN programme_members m ON m.programme_id = p.id \
     WHERE m.completed_at IS NULL";

/// The person's programmes, not yet completed, that hold this course.
pub async fn open_with_course(
    tx: &mut Tx,
    user_id: i64,
    course_id: i64,
) -> Result<Vec<Standing>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{OPEN_SELECT} AND m.user_id = $1 AND EXISTS (SELECT 1 FROM programme_courses pc \
         WHERE pc.programme_id = p.id AND pc.course_id = $2)"
    ));
    Ok(with_tx!(tx, |c| sqlx::query_as(sql)
        .bind(user_id)
        .bind(course_id)
        .fetch_all(c)
        .await?))
}

/// Everyone on this programme who has not completed it, in one query.
pub async fn open_members(tx: &mut Tx, id: i64) -> Result<Vec<Standing>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!("{OPEN_SELECT} AND p.id = $1"));
    Ok(with_tx!(tx, |c| sqlx::query_as(sql)
        .bind(id)
        .fetch_all(c)
        .await?))
}

/// The courses of a programme that a person has completed.
pub async fn completed_course_ids(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
) -> Result<Vec<i64>, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT pc.course_id FROM programme_courses pc JOIN enrolments e ON e.course_id = pc.course_id \
         AND e.user_id = $2 AND e.completed_at IS NOT NULL WHERE pc.programme_id = $1 ORDER BY pc.position"
    )
    .bind(id)
    .bind(user_id)
    .fetch_all(c)
    .await?
    }))
}

/// Clears a person's completion of a programme (a new certification cycle).
pub async fn clear_completion(tx: &mut Tx, id: i64, user_id: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE programme_members SET completed_at = NULL WHERE programme_id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

/// Records a completion; false when it was recorded before.
pub async fn mark_completed(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    now: i64,
) -> Result<bool, AppError> {
    let n = with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE programme_members SET completed_at = $3 WHERE programme_id = $1 AND user_id = $2 \
         AND completed_at IS NULL"
    )
    .bind(id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
    });
    Ok(n > 0)
}
