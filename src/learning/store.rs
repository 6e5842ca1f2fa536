//! SQL for the learner's side: what a view would change, and "My learning"'s cards.

use super::model::LearningCard;
use crate::completion::model::Progress;
use crate::completion::store::ProgressRow;
use crate::courses::model::EnrolmentStatus;
use crate::db::Db;
use crate::error::AppError;
use crate::with_db;

/// What a learner's view of an item would change: read before writing, so that reopening the same
/// item (the common case) writes nothing.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct ViewState {
    pub last_item_id: Option<i64>,
    pub last_activity_at: Option<i64>,
    pub first_viewed_at: Option<i64>,
    pub completed_at: Option<i64>,
}

pub async fn view_state(
    db: &Db,
    course_id: i64,
    user_id: i64,
    item_id: i64,
) -> Result<Option<ViewState>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT e.last_item_id, e.last_activity_at, pr.first_viewed_at, pr.completed_at \
         FROM enrolments e LEFT JOIN item_progress pr ON pr.user_id = e.user_id AND pr.item_id = $3 \
         WHERE e.course_id = $1 AND e.user_id = $2"
    )
    .bind(course_id)
    .bind(user_id)
    .bind(item_id)
    .fetch_optional(p)
    .await?
    }))
}

#[derive(sqlx::FromRow)]
struct CardRow {
    course_id: i64,
    code: String,
    title: String,
    status: String,
    #[sqlx(flatten)]
    progress: ProgressRow,
}

/// The learner's courses (as a learner, not withdrawn, not drafts), most recently active first.
pub async fn learning_cards(
    db: &Db,
    user_id: i64,
    limit: i64,
) -> Result<Vec<LearningCard>, AppError> {
    let rows: Vec<CardRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT c.id AS course_id, c.code, c.title, e.status, \
         (SELECT COUNT(*) FROM item_progress pr JOIN items it ON it.id = pr.item_id WHERE pr.user_id = e.user_id \
           AND pr.course_id = e.course_id AND pr.completed_at IS NOT NULL AND it.required AND NOT it.hidden AND it.deleted_at IS NULL) AS done, \
         (SELECT COUNT(*) FROM items it WHERE it.course_id = e.course_id AND it.required AND NOT it.hidden AND it.deleted_at IS NULL) AS total, \
         e.completed_at, (SELECT li.id FROM items li WHERE li.id = e.last_item_id AND NOT li.hidden \
           AND li.deleted_at IS NULL) AS last_item_id \
         FROM enrolments e JOIN courses c ON c.id = e.course_id \
         WHERE e.user_id = $1 AND e.role = 'learner' AND e.status <> 'withdrawn' AND c.state <> 'draft' \
         ORDER BY COALESCE(e.last_activity_at, e.enrolled_at) DESC, c.id LIMIT $2"
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| LearningCard {
            course_id: r.course_id,
            code: r.code,
            title: r.title,
            status: EnrolmentStatus::parse(&r.status).unwrap_or(EnrolmentStatus::Active),
            progress: Progress::from(r.progress),
        })
        .collect())
}
