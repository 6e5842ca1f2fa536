//! SQL for enrolments and progress counts (both databases).

use super::model::*;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::paging::Page;
use crate::{with_db, with_db_write, with_tx};

/// Adds or updates a person's enrolment (one row per person per course).
#[allow(clippy::too_many_arguments)]
pub async fn upsert(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
    role: CourseRole,
    status: EnrolmentStatus,
    method: EnrolmentMethod,
    cohort_id: Option<i64>,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO enrolments (course_id, user_id, role, status, method, cohort_id, enrolled_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (course_id, user_id) DO UPDATE SET role = excluded.role, status = excluded.status, \
         method = excluded.method, cohort_id = excluded.cohort_id, updated_at = excluded.updated_at, \
         enrolled_at = CASE WHEN enrolments.status = 'active' THEN enrolments.enrolled_at ELSE excluded.enrolled_at END"
    )
    .bind(course_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(status.as_str())
    .bind(method.as_str())
    .bind(cohort_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Enrols people whom mandatory training was assigned to, as learners: nobody already active
/// in the course changes role; a withdrawn, pending or wait-listed enrolment becomes active.
/// Returns those enrolled now (not those who already were).
pub async fn enrol_assigned(
    tx: &mut Tx,
    course_id: i64,
    user_ids: &[i64],
    now: i64,
) -> Result<Vec<i64>, AppError> {
    let mut enrolled = Vec::new();
    for user_id in user_ids {
        let changed = with_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO enrolments (course_id, user_id, role, status, method, enrolled_at, updated_at) \
                 VALUES ($1, $2, 'learner', 'active', 'manual', $3, $3) \
                 ON CONFLICT (course_id, user_id) DO UPDATE SET status = 'active', updated_at = excluded.updated_at, \
                 enrolled_at = excluded.enrolled_at WHERE enrolments.status <> 'active'",
            )
            .bind(course_id)
            .bind(user_id)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())?
        });
        if changed == 1 {
            enrolled.push(*user_id);
        }
    }
    Ok(enrolled)
}

#[derive(sqlx::FromRow)]
pub struct EnrolmentRow {
    pub role: String,
    pub status: String,
    pub method: String,
    pub cohort_id: Option<i64>,
}

impl EnrolmentRow {
    pub fn role(&self) -> CourseRole {
        CourseRole::parse(&self.role).unwrap_or(CourseRole::Learner)
    }
    pub fn status(&self) -> EnrolmentStatus {
        EnrolmentStatus::parse(&self.status).unwrap_or(EnrolmentStatus::Withdrawn)
    }
}

pub async fn find(db: &Db, course_id: i64, user_id: i64) -> Result<Option<EnrolmentRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT role, status, method, cohort_id FROM enrolments WHERE course_id = $1 AND user_id = $2"
    )
    .bind(course_id)
    .bind(user_id)
    .fetch_optional(p)
    .await?
    }))
}

pub async fn find_in_tx(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
) -> Result<Option<EnrolmentRow>, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT role, status, method, cohort_id FROM enrolments WHERE course_id = $1 AND user_id = $2"
    )
    .bind(course_id)
    .bind(user_id)
    .fetch_optional(c)
    .await?
    }))
}

pub async fn set_status(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
    status: EnrolmentStatus,
    now: i64,
) -> Result<u64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query(
        "UPDATE enrolments SET status = $3, updated_at = $4 WHERE course_id = $1 AND user_id = $2"
    )
    .bind(course_id)
    .bind(user_id)
    .bind(status.as_str())
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?))
}

pub async fn set_dates(
    db: &Db,
    course_id: i64,
    user_id: i64,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "UPDATE enrolments SET starts_at = $3, ends_at = $4 WHERE course_id = $1 AND user_id = $2"
    )
    .bind(course_id)
    .bind(user_id)
    .bind(starts_at)
    .bind(ends_at)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?))
}

/// Learners holding (or waiting for approval of) a place.
pub async fn places_taken(tx: &mut Tx, course_id: i64) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrolments WHERE course_id = $1 AND role = 'learner' AND status IN ('active', 'pending')"
    )
    .bind(course_id)
    .fetch_one(c)
    .await?
    }))
}

pub async fn places_taken_db(db: &Db, course_id: i64) -> Result<i64, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrolments WHERE course_id = $1 AND role = 'learner' AND status IN ('active', 'pending')"
    )
    .bind(course_id)
    .fetch_one(p)
    .await?
    }))
}

/// The first `n` people on the waiting list, in the order they joined it.
pub async fn waitlist_head(tx: &mut Tx, course_id: i64, n: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT user_id FROM enrolments WHERE course_id = $1 AND status = 'waitlisted' ORDER BY enrolled_at, id LIMIT $2"
    )
    .bind(course_id)
    .bind(n)
    .fetch_all(c)
    .await?
    }))
}

/// Required, visible items of a course: what completion counts.
pub async fn required_items(db: &Db, course_id: i64) -> Result<i64, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM items WHERE course_id = $1 AND required AND NOT hidden AND deleted_at IS NULL"
    )
    .bind(course_id)
    .fetch_one(p)
    .await?
    }))
}

#[derive(sqlx::FromRow)]
struct ParticipantRow {
    user_id: i64,
    name: String,
    email: String,
    role: String,
    status: String,
    method: String,
    enrolled_at: i64,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
    last_activity_at: Option<i64>,
    completed_at: Option<i64>,
    done: i64,
}

const DONE_SUBQUERY: &str = "(SELECT COUNT(*) FROM item_progress pr JOIN items it ON it.id = pr.item_id \
    WHERE pr.user_id = e.user_id AND pr.course_id = e.course_id AND pr.completed_at IS NOT NULL \
    AND it.required AND NOT it.hidden AND it.deleted_at IS NULL)";

/// A page of a course's participants with their progress. `limit` None means every row (exports).
pub async fn participants(
    db: &Db,
    course_id: i64,
    query: &ParticipantQuery,
    paged: bool,
) -> Result<Page<Participant>, AppError> {
    let total_items = required_items(db, course_id).await?;
    let search = query.search.trim().to_lowercase();
    let pattern = crate::db::like_pattern(&search);
    let role = query.role.map(|r| r.as_str().to_string());
    let status = query.status.map(|s| s.as_str().to_string());
    let progress = query.progress;
    let page = if paged { query.page() } else { 1 };
    let per_page = if paged {
        ParticipantQuery::PER_PAGE
    } else {
        1_000_000
    };
    let offset = crate::db::page_offset(page, per_page);

    macro_rules! push_filters {
        ($qb:expr) => {{
            $qb.push(" FROM enrolments e JOIN users u ON u.id = e.user_id WHERE e.course_id = ").push_bind(course_id);
            match &status {
                Some(s) => $qb.push(" AND e.status = ").push_bind(s.clone()),
                None => $qb.push(" AND e.status <> 'withdrawn'"),
            };
            if let Some(r) = &role {
                $qb.push(" AND e.role = ").push_bind(r.clone());
            }
            if !search.is_empty() {
                $qb.push(" AND (LOWER(u.name) LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\' OR u.email LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\')");
            }
            match progress {
                ProgressFilter::Any => {}
                ProgressFilter::Completed => {
                    $qb.push(" AND e.completed_at IS NOT NULL");
                }
                ProgressFilter::NotStarted => {
                    $qb.push(" AND e.completed_at IS NULL AND NOT EXISTS (SELECT 1 FROM item_progress np \
                               WHERE np.user_id = e.user_id AND np.course_id = e.course_id)");
                }
                ProgressFilter::InProgress => {
                    $qb.push(" AND e.completed_at IS NULL AND EXISTS (SELECT 1 FROM item_progress np \
                               WHERE np.user_id = e.user_id AND np.course_id = e.course_id)");
                }
            }
        }};
    }

    let (rows, total): (Vec<ParticipantRow>, i64) = with_db!(db, |p| {
        let mut list = sqlx::QueryBuilder::new(format!(
            "SELECT e.user_id, u.name, u.email, e.role, e.status, e.method, e.enrolled_at, e.starts_at, e.ends_at, e.last_activity_at, \
             e.completed_at, {DONE_SUBQUERY} AS done"
        ));
        push_filters!(list);
        list.push(" ORDER BY u.name, u.id LIMIT ")
            .push_bind(i64::from(per_page))
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = list.build_query_as().fetch_all(p).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*)");
        push_filters!(count);
        let total = count.build_query_scalar().fetch_one(p).await?;
        (rows, total)
    });
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| Participant {
                user_id: r.user_id,
                name: r.name,
                email: r.email,
                role: CourseRole::parse(&r.role).unwrap_or(CourseRole::Learner),
                status: EnrolmentStatus::parse(&r.status).unwrap_or(EnrolmentStatus::Active),
                method: EnrolmentMethod::parse(&r.method).unwrap_or(EnrolmentMethod::Manual),
                enrolled_at: r.enrolled_at,
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                last_activity_at: r.last_activity_at,
                completed_at: r.completed_at,
                done: r.done,
                total: total_items,
            })
            .collect(),
        total,
        total_capped: false,
        page,
        per_page,
    })
}
