//! SQL for cohorts, their members and the courses they are linked to (with the enrolments a
//! cohort makes: method 'cohort', remembered by `cohort_id`).

use super::model::{Cohort, CohortMember};
use crate::db::{Db, Tx};
use crate::error::{AppError, Violation, constraint_error};
use crate::{with_db, with_tx};

#[derive(sqlx::FromRow)]
struct CohortRow {
    id: i64,
    name: String,
    description: String,
    members: i64,
    courses: i64,
}

const COHORT_SELECT: &str = "SELECT k.id, k.name, k.description, \
    (SELECT COUNT(*) FROM cohort_members m WHERE m.cohort_id = k.id) AS members, \
    (SELECT COUNT(*) FROM course_cohorts cc WHERE cc.cohort_id = k.id) AS courses FROM cohorts k";

fn to_cohort(r: CohortRow) -> Cohort {
    Cohort {
        id: r.id,
        name: r.name,
        description: r.description,
        members: r.members,
        courses: r.courses,
    }
}

/// Every cohort by name (at most 500).
pub async fn all(db: &Db) -> Result<Vec<Cohort>, AppError> {
    let rows: Vec<CohortRow> = with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COHORT_SELECT} ORDER BY LOWER(k.name) LIMIT 500"
    )))
    .fetch_all(p)
    .await?);
    Ok(rows.into_iter().map(to_cohort).collect())
}

/// The cohorts linked to a course, by name.
pub async fn linked_to(db: &Db, course_id: i64) -> Result<Vec<Cohort>, AppError> {
    let rows: Vec<CohortRow> = with_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COHORT_SELECT} JOIN course_cohorts l ON l.cohort_id = k.id WHERE l.course_id = $1 ORDER BY LOWER(k.name)"
    )))
    .bind(course_id)
    .fetch_all(p)
    .await?
    });
    Ok(rows.into_iter().map(to_cohort).collect())
}

pub async fn insert(tx: &mut Tx, name: &str, description: &str, now: i64) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO cohorts (name, description, created_at) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(name)
    .bind(description)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(|e| constraint_error(
        e,
        [(
            Violation::Unique("cohorts_name_idx"),
            AppError::invalid("name", "A cohort with this name already exists."),
        )]
    ))?))
}

pub async fn exists(tx: &mut Tx, cohort_id: i64) -> Result<bool, AppError> {
    let found: Option<i64> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM cohorts WHERE id = $1"
    )
    .bind(cohort_id)
    .fetch_optional(c)
    .await?);
    Ok(found.is_some())
}

/// Deletes a cohort; false when there was none.
pub async fn delete(tx: &mut Tx, cohort_id: i64) -> Result<bool, AppError> {
    let deleted = with_tx!(tx, |c| sqlx::query("DELETE FROM cohorts WHERE id = $1")
        .bind(cohort_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?);
    Ok(deleted > 0)
}

pub async fn members(db: &Db, cohort_id: i64) -> Result<Vec<CohortMember>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        user_id: i64,
        name: String,
        email: String,
    }
    let rows: Vec<Row> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT u.id AS user_id, u.name, u.email FROM cohort_members m JOIN users u ON u.id = m.user_id \
         WHERE m.cohort_id = $1 ORDER BY u.name, u.id LIMIT 5000"
    )
    .bind(cohort_id)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| CohortMember {
            user_id: r.user_id,
            name: r.name,
            email: r.email,
        })
        .collect())
}

/// Adds a member; false when they were one already.
pub async fn add_member(tx: &mut Tx, cohort_id: i64, user_id: i64) -> Result<bool, AppError> {
    let inserted = with_tx!(tx, |c| sqlx::query(
        "INSERT INTO cohort_members (cohort_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    )
    .bind(cohort_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(inserted > 0)
}

/// Removes a member; false when they were none.
pub async fn remove_member(tx: &mut Tx, cohort_id: i64, user_id: i64) -> Result<bool, AppError> {
    let removed = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM cohort_members WHERE cohort_id = $1 AND user_id = $2"
    )
    .bind(cohort_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(removed > 0)
}

pub async fn link(tx: &mut Tx, course_id: i64, cohort_id: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO course_cohorts (course_id, cohort_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    )
    .bind(course_id)
    .bind(cohort_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .map_err(|e| constraint_error(
        e,
        [(
            Violation::ForeignKey("course_cohorts_cohort_id_fkey"),
            AppError::invalid("cohort_id", "Choose a cohort from the list."),
        )]
    ))?);
    Ok(())
}

pub async fn unlink(tx: &mut Tx, course_id: i64, cohort_id: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM course_cohorts WHERE course_id = $1 AND cohort_id = $2"
    )
    .bind(course_id)
    .bind(cohort_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

const ENROL_ON_CONFLICT: &str = "ON CONFLICT (course_id, user_id) DO UPDATE SET status = 'active', \
    role = 'learner', method = 'cohort', cohort_id = excluded.cohort_id, updated_at = excluded.updated_at \
    WHERE enrolments.status = 'withdrawn'";

/// Enrols a member as a learner in every course the cohort is linked to. An enrolment someone
/// else made is left as it is, unless it was withdrawn.
/// Returns the (course, person) enrolments made or made active again.
pub async fn enrol_member(
    tx: &mut Tx,
    cohort_id: i64,
    user_id: i64,
    now: i64,
) -> Result<Vec<(i64, i64)>, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO enrolments (course_id, user_id, role, status, method, cohort_id, enrolled_at, updated_at) \
         SELECT cc.course_id, $2, 'learner', 'active', 'cohort', cc.cohort_id, $3, $3 FROM course_cohorts cc \
         WHERE cc.cohort_id = $1 {ENROL_ON_CONFLICT} RETURNING course_id, user_id"
    )))
    .bind(cohort_id)
    .bind(user_id)
    .bind(now)
    .fetch_all(c)
    .await?
    }))
}

/// Enrols every member in one course (the cohort was just linked to it), as `enrol_member`.
pub async fn enrol_members(
    tx: &mut Tx,
    cohort_id: i64,
    course_id: i64,
    now: i64,
) -> Result<Vec<(i64, i64)>, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO enrolments (course_id, user_id, role, status, method, cohort_id, enrolled_at, updated_at) \
         SELECT $2, m.user_id, 'learner', 'active', 'cohort', $1, $3, $3 FROM cohort_members m \
         WHERE m.cohort_id = $1 {ENROL_ON_CONFLICT} RETURNING course_id, user_id"
    )))
    .bind(cohort_id)
    .bind(course_id)
    .bind(now)
    .fetch_all(c)
    .await?
    }))
}

/// Whose cohort enrolments a change withdraws.
#[derive(Clone, Copy)]
pub enum Scope {
    /// Every enrolment the cohort made (it is being deleted).
    All,
    /// One member's, in every linked course.
    Member(i64),
    /// Every member's, in one course (it was unlinked).
    Course(i64),
}

/// Withdraws the enrolments the cohort made in `scope` (never ones made another way).
pub async fn withdraw(tx: &mut Tx, cohort_id: i64, scope: Scope, now: i64) -> Result<(), AppError> {
    let (column, id) = match scope {
        Scope::All => ("cohort_id", cohort_id),
        Scope::Member(user_id) => ("user_id", user_id),
        Scope::Course(course_id) => ("course_id", course_id),
    };
    with_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE enrolments SET status = 'withdrawn', updated_at = $3 \
         WHERE cohort_id = $1 AND {column} = $2 AND method = 'cohort' AND status <> 'withdrawn'"
    )))
    .bind(cohort_id)
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}
