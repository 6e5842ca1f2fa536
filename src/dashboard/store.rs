//! SQL for the instructor dashboard: a handful of grouped queries per course, never one per
//! learner or item.

use crate::db::Db;
use crate::error::AppError;
use crate::with_db;

/// (item, title, count) of quizzes with essays waiting for a mark.
pub async fn quiz_grading(db: &Db, course_id: i64) -> Result<Vec<(i64, String, i64)>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT a.item_id, i.title, COUNT(*) FROM quiz_attempts a JOIN items i ON i.id = a.item_id
         WHERE a.course_id = $1 AND a.needs_grading AND i.deleted_at IS NULL
         GROUP BY a.item_id, i.title ORDER BY i.title LIMIT 100"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?
    }))
}

/// (item, title, count) of assignments with work handed in and not graded since.
pub async fn assignment_grading(
    db: &Db,
    course_id: i64,
) -> Result<Vec<(i64, String, i64)>, AppError> {
    use crate::assignments::store::NEEDS_GRADING;
    Ok(with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        format!(
        "SELECT s.item_id, i.title, COUNT(*) FROM submissions s JOIN items i ON i.id = s.item_id
         WHERE s.course_id = $1 AND {NEEDS_GRADING} AND i.deleted_at IS NULL
         GROUP BY s.item_id, i.title ORDER BY i.title LIMIT 100"
    )
    ))
    .bind(course_id)
    .fetch_all(p)
    .await?))
}

#[derive(sqlx::FromRow)]
pub struct LateRow {
    pub item_id: i64,
    pub title: String,
    pub due_at: i64,
    pub late: i64,
    pub missing: i64,
}

/// Assignments past their due date (latest first) with late and missing work.
pub async fn late_work(db: &Db, course_id: i64, now: i64) -> Result<Vec<LateRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT a.item_id, i.title, a.due_at,
            (SELECT COUNT(*) FROM submissions s WHERE s.item_id = a.item_id AND s.submitted_at > a.due_at) AS late,
            (SELECT COUNT(*) FROM enrolments e WHERE e.course_id = a.course_id AND e.role = 'learner' AND e.status = 'active'
                AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.item_id = a.item_id AND s.user_id = e.user_id
                                AND s.submit_count > 0)) AS missing
         FROM assignments a JOIN items i ON i.id = a.item_id
         WHERE a.course_id = $1 AND a.due_at IS NOT NULL AND a.due_at < $2 AND i.deleted_at IS NULL
         ORDER BY a.due_at DESC LIMIT 50"
    )
    .bind(course_id)
    .bind(now)
    .fetch_all(p)
    .await?
    }))
}

#[derive(sqlx::FromRow)]
pub struct RiskRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub percent: Option<f64>,
    pub last_active: i64,
}

/// Active learners who have not completed the course and whose total is below `below` or who
/// have done nothing since `idle_since`; lowest totals first. And how many there are.
pub async fn at_risk(
    db: &Db,
    course_id: i64,
    below: f64,
    idle_since: i64,
    per_page: u32,
    page: u32,
) -> Result<(Vec<RiskRow>, i64), AppError> {
    let offset = crate::db::page_offset(page, per_page);
    let from = "FROM enrolments e JOIN users u ON u.id = e.user_id
         LEFT JOIN course_totals t ON t.course_id = e.course_id AND t.user_id = e.user_id
         WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active' AND e.completed_at IS NULL
           AND (t.percent < $2 OR COALESCE(e.last_activity_at, e.enrolled_at) < $3)";
    Ok(with_db!(db, |p| {
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT u.id AS user_id, u.name, u.email, t.percent, COALESCE(e.last_activity_at, e.enrolled_at) AS last_active
             {from} ORDER BY COALESCE(t.percent, 1000), COALESCE(e.last_activity_at, e.enrolled_at), u.id LIMIT $4 OFFSET $5"
        )))
        .bind(course_id)
        .bind(below)
        .bind(idle_since)
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(p)
        .await?;
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from}")))
            .bind(course_id)
            .bind(below)
            .bind(idle_since)
            .fetch_one(p)
            .await?;
        (rows, total)
    }))
}

pub async fn learner_count(db: &Db, course_id: i64) -> Result<i64, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrolments WHERE course_id = $1 AND role = 'learner' AND status = 'active'"
    )
    .bind(course_id)
    .fetch_one(p)
    .await?
    }))
}

/// When each active learner who has completed the course completed it, oldest first.
pub async fn completion_times(db: &Db, course_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT completed_at FROM enrolments
         WHERE course_id = $1 AND role = 'learner' AND status = 'active' AND completed_at IS NOT NULL
         ORDER BY completed_at LIMIT 100000"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?
    }))
}

pub async fn quizzes(db: &Db, course_id: i64) -> Result<Vec<(i64, String)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT q.item_id, i.title FROM quizzes q JOIN items i ON i.id = q.item_id
         WHERE q.course_id = $1 AND i.deleted_at IS NULL ORDER BY i.title, q.item_id LIMIT 500"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?))
}

/// The statistics cover at most this many attempts (the most recent).
pub const MAX_ATTEMPTS: i64 = 20_000;

/// Finished, fully marked attempts by the course's learners: (attempt, score, max score).
pub async fn finished_attempts(db: &Db, item_id: i64) -> Result<Vec<(i64, f64, f64)>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT a.id, a.score, a.max_score FROM quiz_attempts a
         JOIN enrolments e ON e.course_id = a.course_id AND e.user_id = a.user_id AND e.role = 'learner'
         WHERE a.item_id = $1 AND a.state = 'submitted' AND NOT a.needs_grading AND a.score IS NOT NULL
           AND a.max_score > 0
         ORDER BY a.id DESC LIMIT $2"
    )
    .bind(item_id)
    .bind(MAX_ATTEMPTS)
    .fetch_all(p)
    .await?
    }))
}

#[derive(sqlx::FromRow)]
pub struct QuestionMark {
    pub attempt_id: i64,
    pub question_id: Option<i64>,
    pub name: Option<String>,
    pub slot: i32,
    pub mark: Option<f64>,
    pub max_mark: f64,
}

/// Every question mark of those attempts, with the bank question's name.
pub async fn question_marks(db: &Db, item_id: i64) -> Result<Vec<QuestionMark>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT q.attempt_id, q.question_id, b.name, q.slot, q.mark, q.max_mark
         FROM attempt_questions q LEFT JOIN questions b ON b.id = q.question_id
         WHERE q.attempt_id IN (
             SELECT a.id FROM quiz_attempts a
             JOIN enrolments e ON e.course_id = a.course_id AND e.user_id = a.user_id AND e.role = 'learner'
             WHERE a.item_id = $1 AND a.state = 'submitted' AND NOT a.needs_grading AND a.score IS NOT NULL
               AND a.max_score > 0
             ORDER BY a.id DESC LIMIT $2)
           AND q.max_mark > 0"
    )
    .bind(item_id)
    .bind(MAX_ATTEMPTS)
    .fetch_all(p)
    .await?
    }))
}
