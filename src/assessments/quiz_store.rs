//! SQL for quizzes: settings, slots, attempts and their frozen questions and answers.

use super::model::{AttemptSummary, FeedbackBand, GradingMethod, QuizSettings, ReviewWhen};
use crate::db::{Db, Tx};
use crate::error::{AppError, OrInternal};
use crate::{with_db, with_db_write, with_tx};

#[derive(sqlx::FromRow)]
struct SettingsRow {
    opens_at: Option<i64>,
    closes_at: Option<i64>,
    time_limit_secs: Option<i64>,
    attempts_allowed: i32,
    grading_method: String,
    questions_per_page: i32,
    shuffle_questions: bool,
    shuffle_answers: bool,
    pass_percent: Option<f64>,
    review_answers: String,
    review_correct: String,
    review_feedback: String,
    feedback_bands: String,
}

impl From<SettingsRow> for QuizSettings {
    fn from(r: SettingsRow) -> Self {
        let when = |s: &str, default| ReviewWhen::parse(s).unwrap_or(default);
        QuizSettings {
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            time_limit_secs: r.time_limit_secs,
            attempts_allowed: r.attempts_allowed,
            grading_method: GradingMethod::parse(&r.grading_method)
                .unwrap_or(GradingMethod::Highest),
            questions_per_page: r.questions_per_page,
            shuffle_questions: r.shuffle_questions,
            shuffle_answers: r.shuffle_answers,
            pass_percent: r.pass_percent,
            review_answers: when(&r.review_answers, ReviewWhen::AfterSubmit),
            review_correct: when(&r.review_correct, ReviewWhen::AfterClose),
            review_feedback: when(&r.review_feedback, ReviewWhen::AfterSubmit),
            feedback_bands: serde_json::from_str::<Vec<FeedbackBand>>(&r.feedback_bands)
                .unwrap_or_default(),
        }
    }
}

const SETTINGS_COLUMNS: &str = "opens_at, closes_at, time_limit_secs, attempts_allowed, grading_method, \
    questions_per_page, shuffle_questions, shuffle_answers, pass_percent, review_answers, review_correct, \
    review_feedback, feedback_bands";

/// Creates a quiz's settings row with the defaults (when a quiz item is added).
pub async fn insert_quiz(
    tx: &mut Tx,
    item_id: i64,
    course_id: i64,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO quizzes (item_id, course_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT (item_id) DO NOTHING"
    )
    .bind(item_id)
    .bind(course_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// The quiz's settings and its item's title and course, or `None` when the item is not a quiz
/// (or is in the recycle bin).
pub async fn settings(
    db: &Db,
    item_id: i64,
) -> Result<Option<(i64, String, QuizSettings)>, AppError> {
    settings_where(db, item_id, "AND i.deleted_at IS NULL").await
}

/// `settings`, also of a quiz in the recycle bin: an attempt the clock closes after its quiz was
/// deleted is still marked and graded, so that restoring the quiz brings its grade back.
pub async fn settings_even_deleted(
    db: &Db,
    item_id: i64,
) -> Result<Option<(i64, String, QuizSettings)>, AppError> {
    settings_where(db, item_id, "").await
}

async fn settings_where(
    db: &Db,
    item_id: i64,
    deleted: &'static str,
) -> Result<Option<(i64, String, QuizSettings)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        course_id: i64,
        title: String,
        #[sqlx(flatten)]
        settings: SettingsRow,
    }
    let row: Option<Row> = with_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT q.course_id, i.title, {SETTINGS_COLUMNS} FROM quizzes q JOIN items i ON i.id = q.item_id \
         WHERE q.item_id = $1 {deleted}"
    )))
    .bind(item_id)
    .fetch_optional(p)
    .await?
    });
    Ok(row.map(|r| (r.course_id, r.title, r.settings.into())))
}

/// A quiz's settings inside a transaction (for re-reading a learner's dates as they change).
pub async fn settings_in_tx(tx: &mut Tx, item_id: i64) -> Result<Option<QuizSettings>, AppError> {
    let row: Option<SettingsRow> = with_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SETTINGS_COLUMNS} FROM quizzes WHERE item_id = $1"
        )))
        .bind(item_id)
        .fetch_optional(c)
        .await?
    });
    Ok(row.map(Into::into))
}

/// Moves the deadline of a learner's attempt in progress (their dates changed while it runs).
pub async fn set_open_attempt_deadline(
    tx: &mut Tx,
    attempt_id: i64,
    deadline_at: Option<i64>,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE quiz_attempts SET deadline_at = $2 WHERE id = $1 AND state = 'in_progress'"
    )
    .bind(attempt_id)
    .bind(deadline_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

/// A quiz as one learner opens it, in one query (it runs on every start and attempt page): its
/// course, title and settings, whether it is hidden, the course's state and the actor's role.
pub struct LearnerQuiz {
    pub course_id: i64,
    pub title: String,
    /// The learner's own dates and attempts (an override), already applied to `settings`.
    pub settings: QuizSettings,
    pub own_dates: bool,
    pub hidden: bool,
    pub course_state: String,
    pub role: Option<String>,
}

pub async fn learner_quiz(
    db: &Db,
    item_id: i64,
    actor_id: i64,
    now: i64,
) -> Result<Option<LearnerQuiz>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        course_id: i64,
        title: String,
        hidden: bool,
        state: String,
        role: Option<String>,
        #[sqlx(flatten)]
        settings: SettingsRow,
        own_opens_at: Option<i64>,
        own_closes_at: Option<i64>,
        own_time_limit_secs: Option<i64>,
        own_extra_attempts: Option<i32>,
        has_own: Option<i64>,
    }
    let columns: Vec<String> = SETTINGS_COLUMNS
        .split(',')
        .map(|c| format!("q.{}", c.trim()))
        .collect();
    let row: Option<Row> = with_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT q.course_id, i.title, i.hidden, c.state, e.role, {}, \
             o.opens_at AS own_opens_at, o.closes_at AS own_closes_at, o.time_limit_secs AS own_time_limit_secs, \
             o.extra_attempts AS own_extra_attempts, o.user_id AS has_own \
             FROM quizzes q JOIN items i ON i.id = q.item_id JOIN courses c ON c.id = q.course_id{} \
             LEFT JOIN item_overrides o ON o.item_id = q.item_id AND o.user_id = $2 \
             WHERE q.item_id = $1 AND i.deleted_at IS NULL",
            columns.join(", "),
            crate::active_enrolment_join!("$2", "$3")
        )))
        .bind(item_id)
        .bind(actor_id)
        .bind(now)
        .fetch_optional(p)
        .await?
    });
    Ok(row.map(|r| {
        // The learner's own dates come in the same query: this runs on every start.
        let own = r.has_own.map(|_| crate::overrides::model::LearnerDates {
            opens_at: r.own_opens_at,
            closes_at: r.own_closes_at,
            time_limit_secs: r.own_time_limit_secs,
            extra_attempts: r.own_extra_attempts.unwrap_or(0),
            ..Default::default()
        });
        LearnerQuiz {
            course_id: r.course_id,
            title: r.title,
            settings: QuizSettings::from(r.settings).for_learner(own.as_ref()),
            own_dates: own.is_some(),
            hidden: r.hidden,
            course_state: r.state,
            role: r.role,
        }
    }))
}

pub async fn save_settings(
    db: &Db,
    item_id: i64,
    s: &QuizSettings,
    now: i64,
) -> Result<(), AppError> {
    let bands = serde_json::to_string(&s.feedback_bands).or_internal("encoding feedback bands")?;
    with_db_write!(db, |p| {
        sqlx::query(
        "UPDATE quizzes SET opens_at = $2, closes_at = $3, time_limit_secs = $4, attempts_allowed = $5,
            grading_method = $6, questions_per_page = $7, shuffle_questions = $8, shuffle_answers = $9,
            pass_percent = $10, review_answers = $11, review_correct = $12, review_feedback = $13,
            feedback_bands = $14, updated_at = $15
         WHERE item_id = $1"
    )
    .bind(item_id)
    .bind(s.opens_at)
    .bind(s.closes_at)
    .bind(s.time_limit_secs)
    .bind(s.attempts_allowed)
    .bind(s.grading_method.as_str())
    .bind(s.questions_per_page)
    .bind(s.shuffle_questions)
    .bind(s.shuffle_answers)
    .bind(s.pass_percent)
    .bind(s.review_answers.as_str())
    .bind(s.review_correct.as_str())
    .bind(s.review_feedback.as_str())
    .bind(bands)
    .bind(now)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct SlotRow {
    pub id: i64,
    pub position: i32,
    pub question_id: Option<i64>,
    pub category_id: Option<i64>,
    pub draw_count: i32,
    pub mark: f64,
}

/// A quiz's slots in order, each fixed slot with its question from the course's bank: what a new
/// attempt is built from, in one query.
pub async fn slots_with_questions(
    db: &Db,
    item_id: i64,
    course_id: i64,
) -> Result<
    (
        Vec<SlotRow>,
        Vec<crate::assessments::bank_store::QuestionRow>,
    ),
    AppError,
> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        position: i32,
        question_id: Option<i64>,
        category_id: Option<i64>,
        draw_count: i32,
        mark: f64,
        q_category_id: Option<i64>,
        q_data: Option<String>,
        q_version: Option<i32>,
    }
    let rows: Vec<Row> = with_db!(db, |p| sqlx::query_as(
        "SELECT s.id, s.position, s.question_id, s.category_id, s.draw_count, s.mark,
                q.category_id AS q_category_id, q.data AS q_data, q.version AS q_version
         FROM quiz_slots s LEFT JOIN questions q ON q.id = s.question_id AND q.course_id = $2
         WHERE s.item_id = $1 ORDER BY s.position, s.id"
    )
    .bind(item_id)
    .bind(course_id)
    .fetch_all(p)
    .await?);
    let mut slots = Vec::with_capacity(rows.len());
    let mut questions = Vec::new();
    for r in rows {
        if let (Some(id), Some(category_id), Some(data), Some(version)) =
            (r.question_id, r.q_category_id, r.q_data, r.q_version)
        {
            questions.push(crate::assessments::bank_store::QuestionRow {
                id,
                category_id,
                data,
                version,
            });
        }
        slots.push(SlotRow {
            id: r.id,
            position: r.position,
            question_id: r.question_id,
            category_id: r.category_id,
            draw_count: r.draw_count,
            mark: r.mark,
        });
    }
    Ok((slots, questions))
}

/// Every fixed question of the course's quizzes with its slot's marks, by quiz in slot order
/// (random draws left out): what an export carries, in one query.
pub async fn course_questions(
    db: &Db,
    course_id: i64,
) -> Result<Vec<(i64, f64, crate::assessments::bank_store::QuestionRow)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        item_id: i64,
        mark: f64,
        id: i64,
        category_id: i64,
        data: String,
        version: i32,
    }
    let rows: Vec<Row> = with_db!(db, |p| sqlx::query_as(
        "SELECT s.item_id, s.mark, q.id, q.category_id, q.data, q.version
         FROM quiz_slots s JOIN items i ON i.id = s.item_id
         JOIN questions q ON q.id = s.question_id AND q.course_id = i.course_id
         WHERE i.course_id = $1 AND i.deleted_at IS NULL
         ORDER BY s.item_id, s.position, s.id"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .map(|r| {
            let question = crate::assessments::bank_store::QuestionRow {
                id: r.id,
                category_id: r.category_id,
                data: r.data,
                version: r.version,
            };
            (r.item_id, r.mark, question)
        })
        .collect())
}

/// The marks a quiz is worth: each slot's mark times the questions it draws. Its grade is worth
/// as many points in the gradebook.
pub fn total_marks(slots: &[SlotRow]) -> f64 {
    slots
        .iter()
        .map(|s| s.mark * f64::from(s.draw_count.max(1)))
        .sum()
}

pub async fn slots(db: &Db, item_id: i64) -> Result<Vec<SlotRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT id, position, question_id, category_id, draw_count, mark FROM quiz_slots
         WHERE item_id = $1 ORDER BY position, id"
    )
    .bind(item_id)
    .fetch_all(p)
    .await?))
}

pub async fn slots_in_tx(tx: &mut Tx, item_id: i64) -> Result<Vec<SlotRow>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(
        "SELECT id, position, question_id, category_id, draw_count, mark FROM quiz_slots
         WHERE item_id = $1 ORDER BY position, id"
    )
    .bind(item_id)
    .fetch_all(c)
    .await?))
}

pub async fn add_slot(
    tx: &mut Tx,
    item_id: i64,
    question_id: Option<i64>,
    category_id: Option<i64>,
    draw_count: i32,
    mark: f64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO quiz_slots (item_id, position, question_id, category_id, draw_count, mark)
         VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM quiz_slots WHERE item_id = $1), $2, $3, $4, $5)
         RETURNING id"
    )
    .bind(item_id)
    .bind(question_id)
    .bind(category_id)
    .bind(draw_count)
    .bind(mark)
    .fetch_one(c)
    .await?
    }))
}

pub async fn update_slot(
    db: &Db,
    item_id: i64,
    slot_id: i64,
    mark: f64,
    draw_count: i32,
) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "UPDATE quiz_slots SET mark = $3, draw_count = $4 WHERE item_id = $1 AND id = $2"
    )
    .bind(item_id)
    .bind(slot_id)
    .bind(mark)
    .bind(draw_count)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?))
}

pub async fn delete_slot(db: &Db, item_id: i64, slot_id: i64) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "DELETE FROM quiz_slots WHERE item_id = $1 AND id = $2"
    )
    .bind(item_id)
    .bind(slot_id)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?))
}

pub async fn set_slot_position(tx: &mut Tx, slot_id: i64, position: i32) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE quiz_slots SET position = $2 WHERE id = $1"
    )
    .bind(slot_id)
    .bind(position)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

pub async fn attempt_count(db: &Db, item_id: i64) -> Result<i64, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM quiz_attempts WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_one(p)
    .await?))
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct AttemptRow {
    pub id: i64,
    pub item_id: i64,
    pub course_id: i64,
    pub user_id: i64,
    pub number: i32,
    pub state: String,
    pub started_at: i64,
    pub deadline_at: Option<i64>,
    pub submitted_at: Option<i64>,
    pub auto_submitted: bool,
    pub score: Option<f64>,
    pub max_score: f64,
    pub needs_grading: bool,
}

impl AttemptRow {
    pub fn in_progress(&self) -> bool {
        self.state == "in_progress"
    }
    pub fn summary(&self) -> AttemptSummary {
        AttemptSummary {
            id: self.id,
            number: self.number,
            state: self.state.clone(),
            started_at: self.started_at,
            submitted_at: self.submitted_at,
            auto_submitted: self.auto_submitted,
            score: self.score,
            max_score: self.max_score,
            needs_grading: self.needs_grading,
        }
    }
}

const ATTEMPT_COLUMNS: &str = "id, item_id, course_id, user_id, number, state, started_at, deadline_at, \
    submitted_at, auto_submitted, score, max_score, needs_grading";

pub async fn attempt(db: &Db, id: i64) -> Result<Option<AttemptRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {ATTEMPT_COLUMNS} FROM quiz_attempts WHERE id = $1")
    ))
    .bind(id)
    .fetch_optional(p)
    .await?))
}

pub async fn attempt_in_tx(tx: &mut Tx, id: i64) -> Result<Option<AttemptRow>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {ATTEMPT_COLUMNS} FROM quiz_attempts WHERE id = $1")
    ))
    .bind(id)
    .fetch_optional(c)
    .await?))
}

/// One person's attempts at one quiz, oldest first.
/// `attempts_of`, seeing this transaction's own changes.
pub async fn attempts_of_in_tx(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
) -> Result<Vec<AttemptRow>, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ATTEMPT_COLUMNS} FROM quiz_attempts WHERE item_id = $1 AND user_id = $2 AND archived_at IS NULL ORDER BY number LIMIT 1000"
    )))
    .bind(item_id)
    .bind(user_id)
    .fetch_all(c)
    .await?
    }))
}

pub async fn attempts_of(db: &Db, item_id: i64, user_id: i64) -> Result<Vec<AttemptRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ATTEMPT_COLUMNS} FROM quiz_attempts WHERE item_id = $1 AND user_id = $2 AND archived_at IS NULL ORDER BY number LIMIT 1000"
    )))
    .bind(item_id)
    .bind(user_id)
    .fetch_all(p)
    .await?
    }))
}

/// The number the person's next attempt takes (after every earlier one, archived ones too).
pub async fn next_attempt_number(db: &Db, item_id: i64, user_id: i64) -> Result<i32, AppError> {
    let last: Option<i32> = with_db!(db, |p| sqlx::query_scalar(
        "SELECT MAX(number) FROM quiz_attempts WHERE item_id = $1 AND user_id = $2"
    )
    .bind(item_id)
    .bind(user_id)
    .fetch_one(p)
    .await?);
    Ok(last.unwrap_or(0) + 1)
}

/// Archives a person's finished attempts at a quiz for a new certification cycle: kept for the
/// record, no longer counted (an open attempt is left to finish).
pub async fn archive_attempts(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE quiz_attempts SET archived_at = $3 \
         WHERE item_id = $1 AND user_id = $2 AND archived_at IS NULL AND state = 'submitted'"
    )
    .bind(item_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// An attempt about to start.
pub struct NewAttempt {
    pub item_id: i64,
    pub course_id: i64,
    pub user_id: i64,
    pub number: i32,
    pub started_at: i64,
    pub deadline_at: Option<i64>,
    pub max_score: f64,
}

/// A new attempt; `None` when another request started one first (the open-attempt index).
pub async fn insert_attempt(tx: &mut Tx, a: &NewAttempt) -> Result<Option<i64>, AppError> {
    let result: Result<i64, sqlx::Error> = with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO quiz_attempts (item_id, course_id, user_id, number, state, started_at, deadline_at, max_score)
         VALUES ($1, $2, $3, $4, 'in_progress', $5, $6, $7) RETURNING id"
    )
    .bind(a.item_id)
    .bind(a.course_id)
    .bind(a.user_id)
    .bind(a.number)
    .bind(a.started_at)
    .bind(a.deadline_at)
    .bind(a.max_score)
    .fetch_one(c)
    .await
    });
    match result {
        Ok(id) => Ok(Some(id)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A question frozen into an attempt.
pub struct NewAttemptQuestion {
    pub slot: i32,
    pub question_id: i64,
    pub question: String,
    pub display_order: String,
    pub max_mark: f64,
    /// The course files the attempt page shows with this question (" 12 15 "), which its
    /// learner may download while taking the quiz (see files::store).
    pub shown_files: String,
}

pub async fn insert_attempt_questions(
    tx: &mut Tx,
    attempt_id: i64,
    questions: &[NewAttemptQuestion],
) -> Result<(), AppError> {
    // One statement for the whole attempt (a 16-question quiz is one round trip, not 16).
    for chunk in questions.chunks(100) {
        with_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO attempt_questions (attempt_id, slot, question_id, question, display_order, max_mark, shown_files) ",
            );
            qb.push_values(chunk, |mut row, q| {
                row.push_bind(attempt_id)
                    .push_bind(q.slot)
                    .push_bind(q.question_id)
                    .push_bind(q.question.clone())
                    .push_bind(q.display_order.clone())
                    .push_bind(q.max_mark)
                    .push_bind(q.shown_files.clone());
            });
            qb.build().execute(c).await.map(|r| r.rows_affected())?
        });
    }
    Ok(())
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct AttemptQuestionRow {
    pub slot: i32,
    pub question_id: Option<i64>,
    pub question: String,
    pub display_order: String,
    pub max_mark: f64,
    pub response: Option<String>,
    pub response_seq: i64,
    pub fraction: Option<f64>,
    pub mark: Option<f64>,
    pub grader_comment: Option<String>,
    pub graded_at: Option<i64>,
}

const AQ_COLUMNS: &str = "slot, question_id, question, display_order, max_mark, response, response_seq, \
    fraction, mark, grader_comment, graded_at";

pub async fn attempt_questions(
    db: &Db,
    attempt_id: i64,
) -> Result<Vec<AttemptQuestionRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {AQ_COLUMNS} FROM attempt_questions WHERE attempt_id = $1 ORDER BY slot")
    ))
    .bind(attempt_id)
    .fetch_all(p)
    .await?))
}

pub async fn attempt_questions_in_tx(
    tx: &mut Tx,
    attempt_id: i64,
) -> Result<Vec<AttemptQuestionRow>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {AQ_COLUMNS} FROM attempt_questions WHERE attempt_id = $1 ORDER BY slot")
    ))
    .bind(attempt_id)
    .fetch_all(c)
    .await?))
}

/// Stores answers (slot, counter, response), each unless a newer one (higher counter) is already
/// there, and none once the attempt has closed: one statement for the whole batch, so it needs
/// no transaction. `answers` holds each slot once.
pub async fn save_responses(
    db: &Db,
    attempt_id: i64,
    answers: &[(i32, i64, Option<String>)],
    now: i64,
) -> Result<(), AppError> {
    if answers.is_empty() {
        return Ok(());
    }
    with_db_write!(db, |c| {
        let mut qb = sqlx::QueryBuilder::new("WITH v(slot, seq, response) AS (VALUES ");
        let mut rows = qb.separated(", ");
        for (slot, seq, response) in answers {
            rows.push("(CAST(")
                .push_bind_unseparated(*slot)
                .push_unseparated(" AS INTEGER), CAST(")
                .push_bind_unseparated(*seq)
                .push_unseparated(" AS BIGINT), CAST(")
                .push_bind_unseparated(response.clone())
                .push_unseparated(" AS TEXT))");
        }
        qb.push(
            ") UPDATE attempt_questions SET
                response = (SELECT v.response FROM v WHERE v.slot = attempt_questions.slot),
                response_seq = (SELECT v.seq FROM v WHERE v.slot = attempt_questions.slot),
                saved_at = ",
        )
        .push_bind(now)
        .push(" WHERE attempt_id = ")
        .push_bind(attempt_id)
        .push(
            " AND response_seq < (SELECT v.seq FROM v WHERE v.slot = attempt_questions.slot)
              AND EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.id = attempt_questions.attempt_id
                          AND a.state = 'in_progress')",
        );
        qb.build().execute(c).await.map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Each question's display order (JSON), by slot: what a save needs to read choices by place.
pub async fn display_orders(db: &Db, attempt_id: i64) -> Result<Vec<(i32, String)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT slot, display_order FROM attempt_questions WHERE attempt_id = $1"
    )
    .bind(attempt_id)
    .fetch_all(p)
    .await?))
}

/// Whether the attempt is still open, and the counter each of its slots holds now.
pub async fn saved_state(db: &Db, attempt_id: i64) -> Result<(bool, Vec<(i32, i64)>), AppError> {
    let rows: Vec<(i32, i64, String)> = with_db!(db, |p| sqlx::query_as(
        "SELECT aq.slot, aq.response_seq, a.state FROM attempt_questions aq
         JOIN quiz_attempts a ON a.id = aq.attempt_id WHERE aq.attempt_id = $1 ORDER BY aq.slot"
    )
    .bind(attempt_id)
    .fetch_all(p)
    .await?);
    let open = rows.iter().any(|(_, _, state)| state == "in_progress");
    Ok((
        open,
        rows.into_iter().map(|(slot, seq, _)| (slot, seq)).collect(),
    ))
}

/// A grader's mark for one question of an attempt.
pub struct ManualMark<'a> {
    pub fraction: f64,
    pub mark: f64,
    pub comment: &'a str,
    pub grader: i64,
    pub at: i64,
}

pub async fn set_question_mark(
    tx: &mut Tx,
    attempt_id: i64,
    slot: i32,
    m: &ManualMark<'_>,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE attempt_questions SET fraction = $3, mark = $4, grader_comment = $5, graded_by = $6,
            graded_at = $7
         WHERE attempt_id = $1 AND slot = $2"
    )
    .bind(attempt_id)
    .bind(slot)
    .bind(m.fraction)
    .bind(m.mark)
    .bind(m.comment)
    .bind(m.grader)
    .bind(m.at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Sets the automatic marks of many questions (slot, fraction, mark) in one statement.
pub async fn set_auto_marks(
    tx: &mut Tx,
    attempt_id: i64,
    marks: &[(i32, f64, f64)],
) -> Result<(), AppError> {
    if marks.is_empty() {
        return Ok(());
    }
    with_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new("WITH v(slot, fraction, mark) AS (VALUES ");
        let mut rows = qb.separated(", ");
        for (slot, fraction, mark) in marks {
            rows.push("(CAST(")
                .push_bind_unseparated(*slot)
                .push_unseparated(" AS INTEGER), CAST(")
                .push_bind_unseparated(*fraction)
                .push_unseparated(" AS DOUBLE PRECISION), CAST(")
                .push_bind_unseparated(*mark)
                .push_unseparated(" AS DOUBLE PRECISION))");
        }
        qb.push(
            ") UPDATE attempt_questions SET
                fraction = (SELECT v.fraction FROM v WHERE v.slot = attempt_questions.slot),
                mark = (SELECT v.mark FROM v WHERE v.slot = attempt_questions.slot)
             WHERE attempt_id = ",
        )
        .push_bind(attempt_id)
        .push(" AND slot IN (SELECT slot FROM v)");
        qb.build().execute(c).await.map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Closes an attempt that is still open; returns whether this call closed it (so two finishers
/// racing, say the learner's submit and the clock, mark it once). An attempt the clock closes is
/// submitted as of its deadline. Used as a transaction's first statement, so SQLite takes the write
/// lock at once rather than upgrading a read lock.
pub async fn close_attempt(tx: &mut Tx, id: i64, now: i64, auto: bool) -> Result<bool, AppError> {
    let changed = with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE quiz_attempts SET state = 'submitted', auto_submitted = $3,
            submitted_at = CASE WHEN $3 AND deadline_at IS NOT NULL AND deadline_at < $2 THEN deadline_at ELSE $2 END
         WHERE id = $1 AND state = 'in_progress'"
    )
    .bind(id)
    .bind(now)
    .bind(auto)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(changed == 1)
}

pub async fn set_attempt_score(
    tx: &mut Tx,
    id: i64,
    score: f64,
    needs_grading: bool,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE quiz_attempts SET score = $2, needs_grading = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(score)
    .bind(needs_grading)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

/// Open attempts whose deadline (plus grace) has passed, for the clock to submit.
pub async fn overdue_attempts(db: &Db, before: i64, limit: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT id FROM quiz_attempts WHERE state = 'in_progress' AND deadline_at < $1 ORDER BY deadline_at LIMIT $2"
    )
    .bind(before)
    .bind(limit)
    .fetch_all(p)
    .await?
    }))
}

#[derive(sqlx::FromRow)]
pub struct GradingRow {
    pub attempt_id: i64,
    pub slot: i32,
    pub item_id: i64,
    pub quiz_title: String,
    pub learner_name: String,
    pub submitted_at: Option<i64>,
    pub question: String,
}

/// Essays waiting for a mark in a course, oldest submission first (in a submitted attempt only
/// hand-marked questions have no fraction).
pub async fn grading_queue(
    db: &Db,
    course_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<GradingRow>, i64), AppError> {
    Ok(with_db!(db, |p| {
        let rows = sqlx::query_as(
            "SELECT a.id AS attempt_id, aq.slot, a.item_id, i.title AS quiz_title, u.name AS learner_name,
                    a.submitted_at, aq.question
             FROM quiz_attempts a
             JOIN attempt_questions aq ON aq.attempt_id = a.id
             JOIN items i ON i.id = a.item_id
             JOIN users u ON u.id = a.user_id
             WHERE a.course_id = $1 AND a.needs_grading AND a.state = 'submitted' AND aq.fraction IS NULL
               AND i.deleted_at IS NULL
             ORDER BY a.submitted_at, a.id, aq.slot LIMIT $2 OFFSET $3",
        )
        .bind(course_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?;
        let total = sqlx::query_scalar(
            "SELECT COUNT(*) FROM quiz_attempts a JOIN attempt_questions aq ON aq.attempt_id = a.id
             JOIN items i ON i.id = a.item_id
             WHERE a.course_id = $1 AND a.needs_grading AND a.state = 'submitted' AND aq.fraction IS NULL
               AND i.deleted_at IS NULL",
        )
        .bind(course_id)
        .fetch_one(p)
        .await?;
        (rows, total)
    }))
}

pub async fn learner_name(db: &Db, user_id: i64) -> Result<String, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT name FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_optional(p)
    .await?)
    .unwrap_or_default())
}

/// Old → new ids of a question bank copied into another course.
#[derive(Debug, Default)]
pub struct BankCopy {
    pub categories: std::collections::HashMap<i64, i64>,
    pub questions: std::collections::HashMap<i64, i64>,
}

/// Copies a course's question bank (categories and questions) into another course (a course
/// copy), returning how the ids map.
pub async fn copy_bank(
    tx: &mut Tx,
    from_course: i64,
    to_course: i64,
    by: i64,
    now: i64,
) -> Result<BankCopy, AppError> {
    let mut map = BankCopy::default();
    let categories: Vec<(i64, String)> = with_tx!(tx, |c| sqlx::query_as(
        "SELECT id, name FROM question_categories WHERE course_id = $1 ORDER BY id"
    )
    .bind(from_course)
    .fetch_all(c)
    .await?);
    for (id, name) in categories {
        let new_id = super::bank_store::insert_category(tx, to_course, &name, now).await?;
        map.categories.insert(id, new_id);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        category_id: i64,
        qtype: String,
        name: String,
        data: String,
    }
    let questions: Vec<Row> = with_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, category_id, qtype, name, data FROM questions WHERE course_id = $1 ORDER BY id"
    )
    .bind(from_course)
    .fetch_all(c)
    .await?
    });
    for q in questions {
        let Some(category) = map.categories.get(&q.category_id).copied() else {
            continue;
        };
        let new_id: i64 = with_tx!(tx, |c| {
            sqlx::query_scalar(
                "INSERT INTO questions (course_id, category_id, qtype, name, data, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(to_course)
            .bind(category)
            .bind(&q.qtype)
            .bind(&q.name)
            .bind(&q.data)
            .bind(by)
            .bind(now)
            .fetch_one(c)
            .await?
        });
        map.questions.insert(q.id, new_id);
    }
    Ok(map)
}

/// Copies a quiz's settings and slots onto an item of a course copy, pointing at the copied bank.
pub async fn copy_quiz(
    tx: &mut Tx,
    from_item: i64,
    to_item: i64,
    to_course: i64,
    bank: &BankCopy,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO quizzes (item_id, course_id, opens_at, closes_at, time_limit_secs, attempts_allowed,
                grading_method, questions_per_page, shuffle_questions, shuffle_answers, pass_percent,
                review_answers, review_correct, review_feedback, feedback_bands, updated_at)
         SELECT $2, $3, opens_at, closes_at, time_limit_secs, attempts_allowed, grading_method,
                questions_per_page, shuffle_questions, shuffle_answers, pass_percent, review_answers,
                review_correct, review_feedback, feedback_bands, $4
         FROM quizzes WHERE item_id = $1
         ON CONFLICT (item_id) DO NOTHING",
        )
        .bind(from_item)
        .bind(to_item)
        .bind(to_course)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
    });
    for slot in slots_in_tx(tx, from_item).await? {
        let question = slot
            .question_id
            .and_then(|q| bank.questions.get(&q).copied());
        let category = slot
            .category_id
            .and_then(|c| bank.categories.get(&c).copied());
        if question.is_none() && category.is_none() {
            continue;
        }
        add_slot(tx, to_item, question, category, slot.draw_count, slot.mark).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CalendarRow {
    item_id: i64,
    course_id: i64,
    title: String,
    course_title: String,
    opens_at: Option<i64>,
    closes_at: Option<i64>,
}

/// When the quizzes a person sees open and close in [`from`, `to`): a learner's own window (an
/// override's, else the quiz's) in published courses; staff see their courses' own.
pub async fn calendar(
    db: &Db,
    user_id: i64,
    from: i64,
    to: i64,
) -> Result<Vec<crate::calendar::model::Dated>, AppError> {
    use crate::calendar::model::{DateKind, item_dates};
    let rows: Vec<CalendarRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT q.item_id, q.course_id, i.title, c.title AS course_title, \
         COALESCE(o.opens_at, q.opens_at) AS opens_at, COALESCE(o.closes_at, q.closes_at) AS closes_at \
         FROM enrolments e \
         JOIN courses c ON c.id = e.course_id AND (c.state = 'published' OR e.role <> 'learner') \
         JOIN quizzes q ON q.course_id = e.course_id \
         JOIN items i ON i.id = q.item_id AND i.deleted_at IS NULL AND (NOT i.hidden OR e.role <> 'learner') \
         LEFT JOIN item_overrides o ON o.item_id = q.item_id AND o.user_id = e.user_id \
         WHERE e.user_id = $1 AND e.status = 'active' \
         AND ((COALESCE(o.opens_at, q.opens_at) >= $2 AND COALESCE(o.opens_at, q.opens_at) < $3) \
           OR (COALESCE(o.closes_at, q.closes_at) >= $2 AND COALESCE(o.closes_at, q.closes_at) < $3)) \
         ORDER BY q.item_id LIMIT 1000"
    )
    .bind(user_id)
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .iter()
        .flat_map(|r| {
            item_dates(
                r.item_id,
                r.course_id,
                &r.title,
                &r.course_title,
                &[
                    (DateKind::Opens, r.opens_at),
                    (DateKind::Closes, r.closes_at),
                ],
                (from, to),
            )
        })
        .collect())
}
