//! The completion rules. Everything runs inside the caller's transaction, so a hand-in, its grade
//! and the course completion they cause commit together.

use super::model::{COURSE_COMPLETED, CourseCompleted};
use super::store;
use crate::db::Tx;
use crate::error::AppError;

/// A learner opened or finished an item (`complete`: it is now done), and the course may follow.
pub async fn item_done(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
    item_id: i64,
    complete: bool,
    now: i64,
) -> Result<(), AppError> {
    store::record_item(tx, user_id, item_id, course_id, complete, now).await?;
    course_if_done(tx, course_id, user_id, now).await
}

/// Marks the course complete once every required item is done and, when the course has a pass
/// grade, the learner's total reaches it (after any item completes or any grade changes).
pub async fn course_if_done(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    let Some(p) = store::progress_in_tx(tx, course_id, user_id).await? else {
        return Ok(());
    };
    if p.completed_at.is_some() || p.total == 0 || p.done < p.total {
        return Ok(());
    }
    let (pass, total) = store::pass_grade_and_total(tx, course_id, user_id).await?;
    if meets_pass_grade(pass, total) {
        store::mark_course_complete(tx, course_id, user_id, now).await?;
        let payload = serde_json::to_string(&CourseCompleted { course_id, user_id })
            .map_err(|e| crate::error::internal("queueing a course completion", e))?;
        crate::jobs::queue::enqueue(tx, COURSE_COMPLETED, &payload, now, now).await?;
        let data = serde_json::json!({ "course_id": course_id, "user_id": user_id });
        crate::webhooks::outbox::emit(
            tx,
            crate::webhooks::model::Event::CourseCompleted,
            data,
            now,
        )
        .await?;
    }
    Ok(())
}

/// The pass-grade rule: no pass grade always passes; otherwise the total must reach it.
pub fn meets_pass_grade(pass: Option<f64>, total: Option<f64>) -> bool {
    match pass {
        None => true,
        Some(pass) => total.is_some_and(|t| t + 1e-9 >= pass),
    }
}

#[cfg(test)]
mod tests {
    use super::meets_pass_grade;

    #[test]
    fn the_pass_grade_rule() {
        assert!(meets_pass_grade(None, None));
        assert!(!meets_pass_grade(Some(50.0), None));
        assert!(!meets_pass_grade(Some(50.0), Some(49.99)));
        assert!(meets_pass_grade(Some(50.0), Some(50.0)));
    }
}
