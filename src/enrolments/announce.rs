//! What webhooks are told about a new enrolment (`webhooks::outbox`).

use super::model::{CourseRole, EnrolmentMethod, EnrolmentStatus};
use crate::db::Tx;
use crate::error::AppError;
use crate::webhooks::model::Event;
use serde_json::json;

pub struct Enrolled {
    pub course_id: i64,
    pub user_id: i64,
    pub role: CourseRole,
    pub status: EnrolmentStatus,
    pub method: EnrolmentMethod,
}

pub async fn enrolled(tx: &mut Tx, e: Enrolled, now: i64) -> Result<(), AppError> {
    let data = json!({
        "course_id": e.course_id,
        "user_id": e.user_id,
        "role": e.role.as_str(),
        "status": e.status.as_str(),
        "method": e.method.as_str(),
    });
    crate::webhooks::outbox::emit(tx, Event::EnrolmentCreated, data, now).await?;
    Ok(())
}

/// Learners enrolled (or made active again) by a cohort or by assigned training:
/// (course, person) pairs.
pub async fn learners_enrolled(
    tx: &mut Tx,
    pairs: &[(i64, i64)],
    method: EnrolmentMethod,
    now: i64,
) -> Result<(), AppError> {
    for (course_id, user_id) in pairs {
        enrolled(
            tx,
            Enrolled {
                course_id: *course_id,
                user_id: *user_id,
                role: CourseRole::Learner,
                status: EnrolmentStatus::Active,
                method,
            },
            now,
        )
        .await?;
    }
    Ok(())
}
