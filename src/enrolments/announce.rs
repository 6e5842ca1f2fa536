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
