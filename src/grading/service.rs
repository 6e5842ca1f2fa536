//! Gradebook use cases: categories and manual items, quiz results flowing in, graders editing one
//! cell (never over a newer change: versions), overrides with a reason kept in history, and each
//! learner's course total recomputed from that learner's rows whenever one of their grades changes.

use super::rules;
use super::store::{self, CellWrite};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::parse_line;
use crate::db::{Tx, now};
use crate::error::AppError;
use crate::state::AppState;

pub async fn add_category(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    name: &str,
    weight: f64,
    drop_lowest: i32,
) -> Result<i64, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let name = parse_line("name", "category name", name, 200)?;
    if !(0.0..=1000.0).contains(&weight) || !weight.is_finite() {
        return Err(AppError::invalid(
            "weight",
            "Enter a weight from 0 to 1000 %.",
        ));
    }
    if !(0..=100).contains(&drop_lowest) {
        return Err(AppError::invalid(
            "drop_lowest",
            "Drop from 0 to 100 items.",
        ));
    }
    store::insert_category(&state.db, course_id, &name, weight, drop_lowest, now()).await
}

pub async fn add_item(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    category_id: Option<i64>,
    name: &str,
    max_points: f64,
    extra_credit: bool,
) -> Result<i64, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let name = parse_line("name", "item name", name, 200)?;
    if !(max_points.is_finite() && max_points > 0.0 && max_points <= 100_000.0) {
        return Err(AppError::invalid(
            "max_points",
            "Enter the points possible (more than 0).",
        ));
    }
    if let Some(category) = category_id {
        if !store::categories(&state.db, course_id)
            .await?
            .iter()
            .any(|c| c.id == category)
        {
            return Err(AppError::invalid(
                "category_id",
                "Choose one of this course's categories.",
            ));
        }
    }
    store::insert_item(
        &state.db,
        course_id,
        category_id,
        name.as_str(),
        max_points,
        extra_credit,
        now(),
    )
    .await
}

/// A quiz result reaches the gradebook (as a percentage, out of 100) and the learner's total
/// follows; runs inside the transaction that changed the attempt.
pub async fn record_quiz_grade(
    tx: &mut Tx,
    course_id: i64,
    quiz_item_id: i64,
    user_id: i64,
    percent: Option<f64>,
    now: i64,
) -> Result<(), AppError> {
    let grade_item = store::quiz_item(tx, course_id, quiz_item_id, now).await?;
    store::set_source_points(tx, grade_item, user_id, course_id, percent, now).await?;
    recompute_total(tx, course_id, user_id, now).await
}

/// One learner's course total from their own grades: a handful of rows, whatever the class size.
pub async fn recompute_total(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    let (categories, scores) = store::learner_scores(tx, course_id, user_id).await?;
    let total = rules::course_total(&categories, &scores);
    store::set_total(tx, course_id, user_id, total, now).await
}

/// What a grader sends for one cell.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CellEdit {
    /// Points as typed; empty clears the grade (or, on a quiz item, the override).
    pub points: String,
    pub excused: bool,
    pub feedback: String,
    /// Required when overriding a quiz's result.
    pub reason: String,
    /// The version the grader saw (0 for a cell with no grade yet).
    pub version: i32,
}

/// A grader changes one learner's grade on one item. A change made from an older version than
/// the stored one is refused with the newer value, so nobody overwrites a colleague unseen.
pub async fn set_cell(
    state: &AppState,
    actor: &Actor,
    grade_item_id: i64,
    user_id: i64,
    edit: &CellEdit,
) -> Result<i32, AppError> {
    let (course_id, item) = store::item(&state.db, grade_item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let learner = access::load(&state.db, &stub(user_id), course_id).await?;
    if !learner.is_learner() {
        return Err(AppError::invalid(
            "user_id",
            "Only learners of this course have grades.",
        ));
    }
    let typed = edit.points.trim();
    let value = if typed.is_empty() {
        None
    } else {
        match crate::assessments::question::parse_number(typed) {
            Some(v) if v >= 0.0 && v <= item.max_points * 10.0 => Some(v),
            _ => {
                return Err(AppError::invalid(
                    "points",
                    format!(
                        "Enter points from 0 (out of {}), or leave it empty.",
                        item.max_points
                    ),
                ));
            }
        }
    };
    if edit.feedback.len() > 20_000 {
        return Err(AppError::invalid(
            "feedback",
            "Feedback can be at most 20,000 characters.",
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let current = store::grade(&mut tx, grade_item_id, user_id).await?;
    let from_source = item.source != "manual";
    let (points, override_points) = if from_source {
        (current.as_ref().and_then(|g| g.points), value)
    } else {
        (value, None)
    };
    let overriding =
        from_source && override_points != current.as_ref().and_then(|g| g.override_points);
    if overriding && edit.reason.trim().is_empty() {
        return Err(AppError::invalid(
            "reason",
            "Say why you are overriding the quiz's result.",
        ));
    }
    let cell = CellWrite {
        grade_item_id,
        user_id,
        course_id,
        points,
        override_points,
        excused: edit.excused,
        feedback: edit.feedback.trim().to_string(),
        by: actor.id,
    };
    if !store::write_cell(&mut tx, &cell, edit.version, now).await? {
        let newer = store::grade(&mut tx, grade_item_id, user_id).await?;
        let shown = newer
            .as_ref()
            .and_then(|g| g.effective())
            .map(|p| format!("{p}"))
            .unwrap_or_else(|| "no grade".into());
        return Err(AppError::Conflict(format!(
            "Someone else changed this grade (it is now {shown}) while you were editing. Check it, then save again."
        )));
    }
    store::add_history(&mut tx, &cell, edit.reason.trim(), now).await?;
    recompute_total(&mut tx, course_id, user_id, now).await?;
    let version = store::grade(&mut tx, grade_item_id, user_id)
        .await?
        .map(|g| g.version)
        .unwrap_or(1);
    tx.commit().await?;
    Ok(version)
}

fn stub(user_id: i64) -> Actor {
    Actor {
        id: user_id,
        name: String::new(),
        email: String::new(),
        roles: Vec::new(),
    }
}
