//! Cohorts: site-wide groups (departments, intakes) managed by administrators and managers. A cohort
//! linked to a course enrols all its members as learners, and stays in sync: people added to the
//! cohort are enrolled, people removed are unenrolled (only from enrolments the cohort made).

use super::model::{Cohort, CohortMember};
use crate::audit::{self, Entry};
use crate::auth::permissions::{Action, Actor, can};
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::parse_line;
use crate::db::{Tx, now};
use crate::error::{AppError, Violation, constraint_error};
use crate::state::AppState;
use crate::users::model::{Email, UserStatus};
use crate::{with_db, with_tx};

fn require_manager(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::ManageCohorts) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

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

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<Cohort>, AppError> {
    require_manager(actor)?;
    let rows: Vec<CohortRow> = with_db!(&state.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("{COHORT_SELECT} ORDER BY LOWER(k.name) LIMIT 500")
    ))
    .fetch_all(p)
    .await?);
    Ok(rows.into_iter().map(to_cohort).collect())
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    name: &str,
    description: &str,
) -> Result<i64, AppError> {
    require_manager(actor)?;
    let name = parse_line("name", "name", name, 100)?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let id: i64 = with_tx!(&mut tx, |c| sqlx::query_scalar(
        "INSERT INTO cohorts (name, description, created_at) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(&name)
    .bind(description.trim())
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(|e| constraint_error(
        e,
        [(
            Violation::Unique("cohorts_name_idx"),
            AppError::invalid("name", "A cohort with this name already exists."),
        )]
    ))?);
    audit::record(
        &mut tx,
        actor,
        Entry::new("cohort.create", "cohort", Some(id), &name),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete(state: &AppState, actor: &Actor, cohort_id: i64) -> Result<(), AppError> {
    require_manager(actor)?;
    let now = now();
    let mut tx = state.db.begin().await?;
    // Unenrol what the cohort enrolled before it goes.
    with_tx!(&mut tx, |c| {
        sqlx::query(
        "UPDATE enrolments SET status = 'withdrawn', updated_at = $2 WHERE cohort_id = $1 AND method = 'cohort' AND status <> 'withdrawn'"
    )
    .bind(cohort_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    let deleted = with_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM cohorts WHERE id = $1"
    )
    .bind(cohort_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "cohort.delete",
            "cohort",
            Some(cohort_id),
            &cohort_id.to_string(),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn members(
    state: &AppState,
    actor: &Actor,
    cohort_id: i64,
) -> Result<Vec<CohortMember>, AppError> {
    require_manager(actor)?;
    #[derive(sqlx::FromRow)]
    struct Row {
        user_id: i64,
        name: String,
        email: String,
    }
    let rows: Vec<Row> = with_db!(&state.db, |p| {
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

/// Enrols `user_id` in every course the cohort is linked to (unless already in it).
async fn enrol_member_everywhere(
    tx: &mut Tx,
    cohort_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO enrolments (course_id, user_id, role, status, method, cohort_id, enrolled_at, updated_at) \
         SELECT cc.course_id, $2, 'learner', 'active', 'cohort', cc.cohort_id, $3, $3 FROM course_cohorts cc \
         WHERE cc.cohort_id = $1 \
         ON CONFLICT (course_id, user_id) DO UPDATE SET status = 'active', role = 'learner', method = 'cohort', \
         cohort_id = excluded.cohort_id, updated_at = excluded.updated_at WHERE enrolments.status = 'withdrawn'"
    )
    .bind(cohort_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Adds people by email (one per line or comma-separated); returns how many were added.
pub async fn add_members(
    state: &AppState,
    actor: &Actor,
    cohort_id: i64,
    emails: &str,
) -> Result<usize, AppError> {
    require_manager(actor)?;
    let mut parsed = Vec::new();
    for raw in emails
        .split([',', '\n', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match Email::parse(raw) {
            Ok(e) => parsed.push(e),
            Err(_) => {
                return Err(AppError::invalid(
                    "emails",
                    format!("'{raw}' is not an email address."),
                ));
            }
        }
    }
    if parsed.is_empty() {
        return Err(AppError::invalid(
            "emails",
            "Enter at least one email address.",
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let exists: Option<i64> = with_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT id FROM cohorts WHERE id = $1"
    )
    .bind(cohort_id)
    .fetch_optional(c)
    .await?);
    exists.ok_or(AppError::NotFound)?;
    let users = crate::users::store::find_by_emails_in_tx(&mut tx, &parsed).await?;
    let unknown: Vec<&str> = parsed
        .iter()
        .filter(|e| {
            !users
                .get(e.as_str())
                .is_some_and(|u| u.status == UserStatus::Active)
        })
        .map(Email::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::invalid(
            "emails",
            format!(
                "No active account has these emails: {}.",
                unknown.join(", ")
            ),
        ));
    }
    let mut added = 0;
    for user in users.values() {
        let inserted = with_tx!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO cohort_members (cohort_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        )
        .bind(cohort_id)
        .bind(user.id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
        });
        if inserted > 0 {
            added += 1;
            enrol_member_everywhere(&mut tx, cohort_id, user.id, now).await?;
        }
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "cohort.add_members",
            "cohort",
            Some(cohort_id),
            &format!("{added} added"),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

pub async fn remove_member(
    state: &AppState,
    actor: &Actor,
    cohort_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    require_manager(actor)?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let removed = with_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM cohort_members WHERE cohort_id = $1 AND user_id = $2"
    )
    .bind(cohort_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    if removed == 0 {
        return Err(AppError::NotFound);
    }
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE enrolments SET status = 'withdrawn', updated_at = $3 \
         WHERE user_id = $2 AND cohort_id = $1 AND method = 'cohort' AND status <> 'withdrawn'"
    )
    .bind(cohort_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "cohort.remove_member",
            "cohort",
            Some(cohort_id),
            &user_id.to_string(),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Links a cohort to a course and enrols all its members.
pub async fn link(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    cohort_id: i64,
) -> Result<(), AppError> {
    access::require(
        &state.db,
        actor,
        course_id,
        CourseAccess::may_manage_enrolments,
    )
    .await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
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
    with_tx!(&mut tx, |c| {
        sqlx::query(
        "INSERT INTO enrolments (course_id, user_id, role, status, method, cohort_id, enrolled_at, updated_at) \
         SELECT $1, m.user_id, 'learner', 'active', 'cohort', $2, $3, $3 FROM cohort_members m WHERE m.cohort_id = $2 \
         ON CONFLICT (course_id, user_id) DO UPDATE SET status = 'active', role = 'learner', method = 'cohort', \
         cohort_id = excluded.cohort_id, updated_at = excluded.updated_at WHERE enrolments.status = 'withdrawn'"
    )
    .bind(course_id)
    .bind(cohort_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "cohort.link",
            "course",
            Some(course_id),
            &cohort_id.to_string(),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Unlinks a cohort and unenrols the people it enrolled.
pub async fn unlink(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    cohort_id: i64,
) -> Result<(), AppError> {
    access::require(
        &state.db,
        actor,
        course_id,
        CourseAccess::may_manage_enrolments,
    )
    .await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM course_cohorts WHERE course_id = $1 AND cohort_id = $2"
    )
    .bind(course_id)
    .bind(cohort_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE enrolments SET status = 'withdrawn', updated_at = $3 \
         WHERE course_id = $1 AND cohort_id = $2 AND method = 'cohort' AND status <> 'withdrawn'"
    )
    .bind(course_id)
    .bind(cohort_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "cohort.unlink",
            "course",
            Some(course_id),
            &cohort_id.to_string(),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Cohorts linked to a course.
pub async fn linked(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<Vec<Cohort>, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let rows: Vec<CohortRow> = with_db!(&state.db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COHORT_SELECT} JOIN course_cohorts l ON l.cohort_id = k.id WHERE l.course_id = $1 ORDER BY LOWER(k.name)"
    )))
    .bind(course_id)
    .fetch_all(p)
    .await?
    });
    Ok(rows.into_iter().map(to_cohort).collect())
}

/// Cohort names for the course page's picker (staff who manage enrolments may see them).
pub async fn options(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<Vec<Cohort>, AppError> {
    access::require(
        &state.db,
        actor,
        course_id,
        CourseAccess::may_manage_enrolments,
    )
    .await?;
    let rows: Vec<CohortRow> = with_db!(&state.db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("{COHORT_SELECT} ORDER BY LOWER(k.name) LIMIT 500")
    ))
    .fetch_all(p)
    .await?);
    Ok(rows.into_iter().map(to_cohort).collect())
}
