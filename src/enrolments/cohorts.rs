//! Cohorts: site-wide groups (departments, intakes) managed by administrators and managers. A cohort
//! linked to a course enrols all its members as learners, and stays in sync: people added to the
//! cohort are enrolled, people removed are unenrolled (only from enrolments the cohort made).

use super::announce::learners_enrolled;
use super::cohort_store::{self as store, Scope};
use super::model::{Cohort, CohortMember, EnrolmentMethod};
use crate::audit::{self, Entry};
use crate::auth::permissions::{Action, Actor, can};
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::parse_line;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use crate::users::model::{Email, UserStatus};

fn require_manager(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::ManageCohorts) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<Cohort>, AppError> {
    require_manager(actor)?;
    store::all(&state.db).await
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
    let id = store::insert(&mut tx, &name, description.trim(), now).await?;
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
    store::withdraw(&mut tx, cohort_id, Scope::All, now).await?;
    if !store::delete(&mut tx, cohort_id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "cohort.delete",
            "cohort",
            Some(cohort_id),
            cohort_id.to_string(),
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
    store::members(&state.db, cohort_id).await
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
    if !store::exists(&mut tx, cohort_id).await? {
        return Err(AppError::NotFound);
    }
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
        if store::add_member(&mut tx, cohort_id, user.id).await? {
            added += 1;
            let enrolled = store::enrol_member(&mut tx, cohort_id, user.id, now).await?;
            learners_enrolled(&mut tx, &enrolled, EnrolmentMethod::Cohort, now).await?;
        }
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "cohort.add_members",
            "cohort",
            Some(cohort_id),
            format!("{added} added"),
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
    if !store::remove_member(&mut tx, cohort_id, user_id).await? {
        return Err(AppError::NotFound);
    }
    store::withdraw(&mut tx, cohort_id, Scope::Member(user_id), now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "cohort.remove_member",
            "cohort",
            Some(cohort_id),
            user_id.to_string(),
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
    store::link(&mut tx, course_id, cohort_id).await?;
    let enrolled = store::enrol_members(&mut tx, cohort_id, course_id, now).await?;
    learners_enrolled(&mut tx, &enrolled, EnrolmentMethod::Cohort, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "cohort.link",
            "course",
            Some(course_id),
            cohort_id.to_string(),
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
    store::unlink(&mut tx, course_id, cohort_id).await?;
    store::withdraw(&mut tx, cohort_id, Scope::Course(course_id), now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "cohort.unlink",
            "course",
            Some(course_id),
            cohort_id.to_string(),
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
    store::linked_to(&state.db, course_id).await
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
    store::all(&state.db).await
}
