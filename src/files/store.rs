//! SQL for what a file belongs to, which decides who may download it (`service::authorize_file`).

use crate::db::Db;
use crate::error::AppError;
use crate::with_db;

/// How a learner's private file is used: handed-in work or a grader's feedback, on an assignment
/// that may be hidden and whose grades may not be released yet.
#[derive(sqlx::FromRow, Debug)]
pub struct PrivateUse {
    pub purpose: String,
    pub item_hidden: bool,
    /// The assignment's gradebook column is hidden exactly while its grades are unreleased;
    /// `None` when it has no column.
    pub grades_hidden: Option<bool>,
}

/// The submissions of `user_id` that hold the file.
pub async fn private_uses(
    db: &Db,
    file_id: i64,
    user_id: i64,
) -> Result<Vec<PrivateUse>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT sf.purpose, i.hidden AS item_hidden, gi.hidden AS grades_hidden
         FROM submission_files sf
         JOIN submissions s ON s.id = sf.submission_id
         JOIN items i ON i.id = s.item_id
         LEFT JOIN grade_items gi ON gi.source_item_id = s.item_id
         WHERE sf.file_id = $1 AND s.user_id = $2 AND i.deleted_at IS NULL"
    )
    .bind(file_id)
    .bind(user_id)
    .fetch_all(p)
    .await)?)
}

/// How Markdown and question text point at a file: `/files/{id}/name`, or `/files/{id}` followed
/// by the end of a link, an attribute or the text.
fn reference_patterns(file_id: i64) -> [String; 4] {
    [
        format!("%/files/{file_id}/%"),
        format!("%/files/{file_id})%"),
        format!("%/files/{file_id}\"%"),
        format!("%/files/{file_id}"),
    ]
}

/// Whether a course file is shown on the course's public face: its cover or an image in its
/// description (what anyone who may see the course in the catalogue sees).
pub async fn on_course_page(db: &Db, file_id: i64, course_id: i64) -> Result<bool, AppError> {
    let [a, b, c, d] = reference_patterns(file_id);
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM courses WHERE id = $1 AND (cover_file_id = $2
             OR description LIKE $3 OR description LIKE $4 OR description LIKE $5 OR description LIKE $6))"
    )
    .bind(course_id)
    .bind(file_id)
    .bind(a)
    .bind(b)
    .bind(c)
    .bind(d)
    .fetch_one(p)
    .await
    })?)
}

/// Whether a course file belongs to something the learner is shown: a visible item's file, an
/// image or link in a visible item's text, a question in one of the learner's own attempts (what
/// the attempt page shows; feedback and answers once the quiz's review options show them). A
/// file only hidden items use, or none, is for staff only.
pub async fn shown_to_learner(
    db: &Db,
    file_id: i64,
    course_id: i64,
    user_id: i64,
    now: i64,
) -> Result<bool, AppError> {
    let [a, b, c, d] = reference_patterns(file_id);
    let listed = format!("% {file_id} %");
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM items WHERE file_id = $1 AND course_id = $2 AND hidden = FALSE
                 AND deleted_at IS NULL)
             OR EXISTS (SELECT 1 FROM items WHERE course_id = $2 AND hidden = FALSE AND deleted_at IS NULL
                 AND (body LIKE $3 OR body LIKE $4 OR body LIKE $5 OR body LIKE $6))
             OR EXISTS (SELECT 1 FROM attempt_questions aq JOIN quiz_attempts a ON a.id = aq.attempt_id
                 JOIN items qi ON qi.id = a.item_id AND qi.deleted_at IS NULL
                 WHERE a.user_id = $7 AND a.course_id = $2 AND aq.shown_files LIKE $8)
             OR EXISTS (SELECT 1 FROM attempt_questions aq JOIN quiz_attempts a ON a.id = aq.attempt_id
                 JOIN quizzes q ON q.item_id = a.item_id JOIN items qi ON qi.id = a.item_id AND qi.deleted_at IS NULL
                 WHERE a.user_id = $7 AND a.course_id = $2 AND a.state = 'submitted'
                 AND (q.review_feedback = 'after_submit' OR q.review_correct = 'after_submit'
                      OR (q.closes_at IS NOT NULL AND q.closes_at <= $9
                          AND (q.review_feedback = 'after_close' OR q.review_correct = 'after_close')))
                 AND (aq.question LIKE $3 OR aq.question LIKE $4 OR aq.question LIKE $5 OR aq.question LIKE $6))"
    )
    .bind(file_id)
    .bind(course_id)
    .bind(a)
    .bind(b)
    .bind(c)
    .bind(d)
    .bind(user_id)
    .bind(listed)
    .bind(now)
    .fetch_one(p)
    .await
    })?)
}
