//! SQL for assignments: settings, submissions with their files, and grading.

use super::model::{AssignmentSettings, RubricCriterion, SubmissionFilter};
use crate::db::{Db, Tx};
use crate::error::{AppError, OrInternal, internal};
use crate::files::records::FileRow;
use crate::{with_db, with_tx};

#[derive(sqlx::FromRow)]
struct SettingsRow {
    course_id: i64,
    title: String,
    due_at: Option<i64>,
    cutoff_at: Option<i64>,
    late_percent_per_day: f64,
    late_max_percent: f64,
    accept_text: bool,
    accept_files: bool,
    max_files: i32,
    resubmit: bool,
    max_points: f64,
    rubric: String,
}

const SETTINGS_SELECT: &str = "SELECT a.course_id, i.title, a.due_at, a.cutoff_at, a.late_percent_per_day, \
    a.late_max_percent, a.accept_text, a.accept_files, a.max_files, a.resubmit, a.max_points, a.rubric \
    FROM assignments a JOIN items i ON i.id = a.item_id WHERE a.item_id = $1 AND i.deleted_at IS NULL";

/// The points possible of each of the course's assignments.
pub async fn points_of_course(db: &Db, course_id: i64) -> Result<Vec<(i64, f64)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT a.item_id, a.max_points FROM assignments a JOIN items i ON i.id = a.item_id \
         WHERE a.course_id = $1 AND i.deleted_at IS NULL"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?))
}

/// The assignment's course, title and settings; `None` when the item is not an assignment.
pub async fn settings(
    db: &Db,
    item_id: i64,
) -> Result<Option<(i64, String, AssignmentSettings)>, AppError> {
    let row: Option<SettingsRow> = with_db!(db, |p| sqlx::query_as(SETTINGS_SELECT)
        .bind(item_id)
        .fetch_optional(p)
        .await?);
    row.map(|r| r.into_settings(item_id)).transpose()
}

/// The assignment's course and settings, inside a transaction.
pub async fn course_and_settings_in_tx(
    tx: &mut Tx,
    item_id: i64,
) -> Result<Option<(i64, AssignmentSettings)>, AppError> {
    let row: Option<SettingsRow> = with_tx!(tx, |c| sqlx::query_as(SETTINGS_SELECT)
        .bind(item_id)
        .fetch_optional(c)
        .await?);
    Ok(row
        .map(|r| r.into_settings(item_id))
        .transpose()?
        .map(|(course_id, _, s)| (course_id, s)))
}

impl SettingsRow {
    fn into_settings(self, item_id: i64) -> Result<(i64, String, AssignmentSettings), AppError> {
        let rubric: Vec<RubricCriterion> = serde_json::from_str(&self.rubric)
            .map_err(|e| internal("unreadable rubric", format_args!("item {item_id}: {e}")))?;
        Ok((
            self.course_id,
            self.title,
            AssignmentSettings {
                due_at: self.due_at,
                cutoff_at: self.cutoff_at,
                late_percent_per_day: self.late_percent_per_day,
                late_max_percent: self.late_max_percent,
                accept_text: self.accept_text,
                accept_files: self.accept_files,
                max_files: self.max_files,
                resubmit: self.resubmit,
                max_points: self.max_points,
                rubric,
            },
        ))
    }
}

/// Makes an item an assignment with the default settings (nothing when it already is one).
pub async fn insert(tx: &mut Tx, item_id: i64, course_id: i64, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO assignments (item_id, course_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT (item_id) DO NOTHING"
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

pub async fn save_settings(
    tx: &mut Tx,
    item_id: i64,
    s: &AssignmentSettings,
    now: i64,
) -> Result<(), AppError> {
    let rubric = serde_json::to_string(&s.rubric).or_internal("encoding a rubric")?;
    with_tx!(tx, |c| {
        sqlx::query(
            "UPDATE assignments SET due_at = $2, cutoff_at = $3, late_percent_per_day = $4, late_max_percent = $5,
                accept_text = $6, accept_files = $7, max_files = $8, resubmit = $9, max_points = $10, rubric = $11,
                updated_at = $12
         WHERE item_id = $1",
        )
        .bind(item_id)
        .bind(s.due_at)
        .bind(s.cutoff_at)
        .bind(s.late_percent_per_day)
        .bind(s.late_max_percent)
        .bind(s.accept_text)
        .bind(s.accept_files)
        .bind(s.max_files)
        .bind(s.resubmit)
        .bind(s.max_points)
        .bind(rubric)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Submissions graded with the rubric (its criteria then stay as they are).
pub async fn rubric_graded_count(db: &Db, item_id: i64) -> Result<i64, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM submissions WHERE item_id = $1 AND rubric_marks IS NOT NULL"
    )
    .bind(item_id)
    .fetch_one(p)
    .await?))
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct SubmissionRow {
    pub id: i64,
    pub user_id: i64,
    pub status: String,
    pub body: String,
    pub version: i32,
    pub submit_count: i32,
    pub submitted_at: Option<i64>,
    pub raw_points: Option<f64>,
    pub rubric_marks: Option<String>,
    pub feedback: String,
    pub graded_at: Option<i64>,
    pub graded_submission: Option<i32>,
    pub grade_version: i32,
}

impl SubmissionRow {
    pub fn submitted(&self) -> bool {
        self.status == "submitted"
    }
    pub fn rubric_levels(&self) -> Vec<Option<usize>> {
        self.rubric_marks
            .as_deref()
            .and_then(|m| serde_json::from_str(m).ok())
            .unwrap_or_default()
    }
}

const SUBMISSION_COLUMNS: &str = "id, user_id, status, body, version, submit_count, submitted_at, raw_points, rubric_marks, feedback, graded_at, graded_submission, grade_version";

pub async fn submission(
    db: &Db,
    item_id: i64,
    user_id: i64,
) -> Result<Option<SubmissionRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE item_id = $1 AND user_id = $2")
    ))
    .bind(item_id)
    .bind(user_id)
    .fetch_optional(p)
    .await?))
}

pub async fn submission_in_tx(tx: &mut Tx, id: i64) -> Result<SubmissionRow, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = $1")
    ))
    .bind(id)
    .fetch_one(c)
    .await?))
}

/// The learner's submission row, made (as an empty draft) when there is none yet. Writes first,
/// so the transaction holds the write lock from the start (SQLite).
pub async fn ensure_submission(
    tx: &mut Tx,
    item_id: i64,
    course_id: i64,
    user_id: i64,
    now: i64,
) -> Result<i64, AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO submissions (item_id, course_id, user_id, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (item_id, user_id) DO UPDATE SET updated_at = submissions.updated_at"
    )
    .bind(item_id)
    .bind(course_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM submissions WHERE item_id = $1 AND user_id = $2"
    )
    .bind(item_id)
    .bind(user_id)
    .fetch_one(c)
    .await?))
}

/// Saves the draft's text if the row is still at `expected` (0: a row nobody has changed).
pub async fn save_body(
    tx: &mut Tx,
    id: i64,
    body: &str,
    expected: i32,
    now: i64,
) -> Result<bool, AppError> {
    let changed = with_tx!(tx, |c| sqlx::query(
        "UPDATE submissions SET body = $2, version = version + 1, updated_at = $3
         WHERE id = $1 AND status = 'draft' AND (version = $4 OR $4 = 0 AND version = 1)"
    )
    .bind(id)
    .bind(body)
    .bind(now)
    .bind(expected)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(changed == 1)
}

/// Handed in, and not graded since it was last handed in (the condition every list, count and
/// the dashboard use; `s` is the submissions table).
pub const NEEDS_GRADING: &str = "s.status = 'submitted' AND (s.graded_submission IS NULL OR s.graded_submission < s.submit_count)";

/// Counts a change to the draft that is not its text (a file added or removed).
pub async fn touch(tx: &mut Tx, id: i64, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE submissions SET version = version + 1, updated_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

pub async fn set_submitted(tx: &mut Tx, id: i64, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE submissions SET status = 'submitted', submit_count = submit_count + 1, submitted_at = $2,
             version = version + 1, updated_at = $2
         WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// The learner's submission, if it is handed in.
pub async fn submitted_id_in_tx(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
) -> Result<Option<i64>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM submissions WHERE item_id = $1 AND user_id = $2 AND status = 'submitted'"
    )
    .bind(item_id)
    .bind(user_id)
    .fetch_optional(c)
    .await?))
}

/// Back to a draft, to be handed in again (the last submission time stays until then).
pub async fn reopen(tx: &mut Tx, id: i64, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE submissions SET status = 'draft', version = version + 1, updated_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

pub struct GradeWrite<'a> {
    pub raw_points: Option<f64>,
    pub rubric_marks: Option<String>,
    pub feedback: &'a str,
    pub by: i64,
}

/// Writes a grade if nobody has graded since `expected`; returns whether it was written.
pub async fn write_grade(
    tx: &mut Tx,
    id: i64,
    grade: &GradeWrite<'_>,
    expected: i32,
    now: i64,
) -> Result<bool, AppError> {
    let changed = with_tx!(tx, |c| {
        sqlx::query(
            "UPDATE submissions SET raw_points = $2, rubric_marks = $3, feedback = $4, graded_by = $5, graded_at = $6,
                graded_submission = submit_count, grade_version = grade_version + 1
         WHERE id = $1 AND grade_version = $7",
        )
        .bind(id)
        .bind(grade.raw_points)
        .bind(&grade.rubric_marks)
        .bind(grade.feedback)
        .bind(grade.by)
        .bind(now)
        .bind(expected)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
    });
    Ok(changed == 1)
}

/// Feedback files count as a grading change too (another grader's page is then stale).
pub async fn touch_grade(tx: &mut Tx, id: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE submissions SET grade_version = grade_version + 1 WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

/// Submissions with a grade, as the transaction sees them.
pub async fn graded_in_tx(tx: &mut Tx, item_id: i64) -> Result<Vec<SubmissionRow>, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE item_id = $1 AND graded_at IS NOT NULL"
    )))
    .bind(item_id)
    .fetch_all(c)
    .await?
    }))
}

/// One learner's graded submission, if any (a date change re-counts one grade, not the class's).
pub async fn graded_one_in_tx(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
) -> Result<Option<SubmissionRow>, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SUBMISSION_COLUMNS} FROM submissions
         WHERE item_id = $1 AND user_id = $2 AND graded_at IS NOT NULL"
        )))
        .bind(item_id)
        .bind(user_id)
        .fetch_optional(c)
        .await?
    }))
}

/// `work` (handed in by the learner) or `feedback` (from a grader).
pub async fn attach_file(
    tx: &mut Tx,
    submission_id: i64,
    file_id: i64,
    purpose: &str,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO submission_files (submission_id, file_id, purpose) VALUES ($1, $2, $3)"
    )
    .bind(submission_id)
    .bind(file_id)
    .bind(purpose)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

pub async fn file_count(tx: &mut Tx, submission_id: i64, purpose: &str) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM submission_files WHERE submission_id = $1 AND purpose = $2"
    )
    .bind(submission_id)
    .bind(purpose)
    .fetch_one(c)
    .await?))
}

/// Every file of an assignment's submissions (work and feedback).
pub async fn all_file_ids(db: &Db, item_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT sf.file_id FROM submission_files sf JOIN submissions s ON s.id = sf.submission_id
         WHERE s.item_id = $1"
    )
    .bind(item_id)
    .fetch_all(p)
    .await?))
}

/// Whether the file belongs to the submission with that purpose.
pub async fn has_file(
    db: &Db,
    submission_id: i64,
    file_id: i64,
    purpose: &str,
) -> Result<bool, AppError> {
    let n: i64 = with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM submission_files WHERE submission_id = $1 AND file_id = $2 AND purpose = $3"
    )
    .bind(submission_id)
    .bind(file_id)
    .bind(purpose)
    .fetch_one(p)
    .await?
    });
    Ok(n > 0)
}

/// The files of some submissions, with the submission each belongs to, oldest first.
pub async fn files_of(
    db: &Db,
    submission_ids: &[i64],
    purpose: &str,
) -> Result<Vec<(i64, FileRow)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        submission_id: i64,
        #[sqlx(flatten)]
        file: FileRow,
    }
    if submission_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Row> = with_db!(db, |p| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT sf.submission_id, f.id, f.course_id, f.storage_key, f.name, f.content_type, f.size_bytes,
                f.sha256, f.created_at, f.private_to
             FROM submission_files sf JOIN files f ON f.id = sf.file_id WHERE sf.purpose = ",
        );
        qb.push_bind(purpose).push(" AND sf.submission_id IN (");
        let mut sep = qb.separated(", ");
        for id in submission_ids {
            sep.push_bind(*id);
        }
        qb.push(") ORDER BY f.id");
        qb.build_query_as().fetch_all(p).await?
    });
    Ok(rows
        .into_iter()
        .map(|r| (r.submission_id, r.file))
        .collect())
}

/// One learner's line in the list: who, and their submission if any.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct LearnerWork {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub submission_id: Option<i64>,
    pub status: Option<String>,
    pub submitted_at: Option<i64>,
    pub submit_count: Option<i32>,
    pub raw_points: Option<f64>,
    pub graded_submission: Option<i32>,
    pub file_count: i64,
}

impl LearnerWork {
    /// `NEEDS_GRADING`, for a row already loaded.
    pub fn needs_grading(&self) -> bool {
        self.status.as_deref() == Some("submitted")
            && self
                .graded_submission
                .is_none_or(|g| g < self.submit_count.unwrap_or(0))
    }
}

/// A page of the course's active learners (by name) with their work, and how many match.
pub async fn learners_work(
    db: &Db,
    item_id: i64,
    course_id: i64,
    due_at: Option<i64>,
    filter: SubmissionFilter,
    per_page: u32,
    page: u32,
) -> Result<(Vec<LearnerWork>, i64), AppError> {
    let offset = crate::db::page_offset(page, per_page);
    Ok(with_db!(db, |p| {
        let query = |select: &str| {
            let mut qb = sqlx::QueryBuilder::new(select);
            qb.push(
                " FROM enrolments e JOIN users u ON u.id = e.user_id
                 LEFT JOIN submissions s ON s.user_id = u.id AND s.item_id = ",
            );
            qb.push_bind(item_id);
            // A learner's own due date (an extension) decides whether their work is late.
            qb.push(" LEFT JOIN item_overrides o ON o.user_id = u.id AND o.item_id = ");
            qb.push_bind(item_id);
            qb.push(" WHERE e.role = 'learner' AND e.status = 'active' AND e.course_id = ");
            qb.push_bind(course_id);
            match filter {
                SubmissionFilter::All => {}
                SubmissionFilter::NeedsGrading => {
                    qb.push(" AND ").push(NEEDS_GRADING);
                }
                SubmissionFilter::Late => {
                    qb.push(" AND s.submitted_at > COALESCE(o.due_at, ");
                    qb.push_bind(due_at);
                    qb.push(")");
                }
                SubmissionFilter::NotSubmitted => {
                    qb.push(" AND (s.id IS NULL OR s.submit_count = 0)");
                }
            }
            qb
        };
        let mut rows = query(
            "SELECT u.id AS user_id, u.name, u.email, s.id AS submission_id, s.status, s.submitted_at, s.submit_count,
                s.raw_points, s.graded_submission,
                (SELECT COUNT(*) FROM submission_files sf WHERE sf.submission_id = s.id AND sf.purpose = 'work') AS file_count",
        );
        rows.push(" ORDER BY LOWER(u.name), u.id LIMIT ");
        rows.push_bind(i64::from(per_page));
        rows.push(" OFFSET ");
        rows.push_bind(offset);
        let found = rows.build_query_as().fetch_all(p).await?;
        let total: i64 = query("SELECT COUNT(*)")
            .build_query_scalar()
            .fetch_one(p)
            .await?;
        (found, total)
    }))
}

/// The learners listed just before and after one learner (by name, as the list shows them).
pub async fn neighbours(
    db: &Db,
    course_id: i64,
    user_id: i64,
) -> Result<(Option<i64>, Option<i64>), AppError> {
    let base = "FROM enrolments e JOIN users u ON u.id = e.user_id
         WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active'";
    Ok(with_db!(db, |p| {
        let me: Option<(String, i64)> =
            sqlx::query_as("SELECT LOWER(name), id FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(p)
                .await?;
        let Some((name, id)) = me else {
            return Ok((None, None));
        };
        let previous: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT u.id {base} AND (LOWER(u.name) < $2 OR LOWER(u.name) = $2 AND u.id < $3)
             ORDER BY LOWER(u.name) DESC, u.id DESC LIMIT 1"
        )))
        .bind(course_id)
        .bind(&name)
        .bind(id)
        .fetch_optional(p)
        .await?;
        let next: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT u.id {base} AND (LOWER(u.name) > $2 OR LOWER(u.name) = $2 AND u.id > $3)
             ORDER BY LOWER(u.name), u.id LIMIT 1"
        )))
        .bind(course_id)
        .bind(&name)
        .bind(id)
        .fetch_optional(p)
        .await?;
        (previous, next)
    }))
}

/// Counts for the list's header: learners, submitted, needing grading, late.
pub async fn counts(
    db: &Db,
    item_id: i64,
    course_id: i64,
    due_at: Option<i64>,
) -> Result<(i64, i64, i64, i64), AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*),
            COALESCE(SUM(CASE WHEN s.submit_count > 0 THEN 1 ELSE 0 END), 0),
            COALESCE(SUM(CASE WHEN {NEEDS_GRADING} THEN 1 ELSE 0 END), 0),
            COALESCE(SUM(CASE WHEN s.submitted_at IS NOT NULL AND COALESCE(o.due_at, $3) IS NOT NULL
                AND s.submitted_at > COALESCE(o.due_at, $3) THEN 1 ELSE 0 END), 0)
         FROM enrolments e LEFT JOIN submissions s ON s.item_id = $1 AND s.user_id = e.user_id
         LEFT JOIN item_overrides o ON o.item_id = $1 AND o.user_id = e.user_id
         WHERE e.course_id = $2 AND e.role = 'learner' AND e.status = 'active'"
        )))
        .bind(item_id)
        .bind(course_id)
        .bind(due_at)
        .fetch_one(p)
        .await?
    }))
}

/// Handed-in work for the zip: who, and the submission.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct SubmittedWork {
    pub submission_id: i64,
    pub user_id: i64,
    pub name: String,
}

/// Who handed in work (not the texts: see `bodies`).
pub async fn submitted_work(db: &Db, item_id: i64) -> Result<Vec<SubmittedWork>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT s.id AS submission_id, s.user_id, u.name FROM submissions s JOIN users u ON u.id = s.user_id
         WHERE s.item_id = $1 AND s.status = 'submitted' ORDER BY LOWER(u.name), u.id"
    )
    .bind(item_id)
    .fetch_all(p)
    .await?
    }))
}

/// (submission, text) of some submissions.
pub async fn bodies(db: &Db, submission_ids: &[i64]) -> Result<Vec<(i64, String)>, AppError> {
    if submission_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(with_db!(db, |p| {
        let mut qb = sqlx::QueryBuilder::new("SELECT id, body FROM submissions WHERE id IN (");
        let mut sep = qb.separated(", ");
        for id in submission_ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(p).await?
    }))
}

/// Copies an assignment's settings to an item of a course copy.
pub async fn copy(
    tx: &mut Tx,
    from: i64,
    to: i64,
    course_id: i64,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO assignments (item_id, course_id, due_at, cutoff_at, late_percent_per_day, late_max_percent,
                accept_text, accept_files, max_files, resubmit, max_points, rubric, updated_at)
         SELECT $2, $3, due_at, cutoff_at, late_percent_per_day, late_max_percent, accept_text, accept_files,
                max_files, resubmit, max_points, rubric, $4
         FROM assignments WHERE item_id = $1
         ON CONFLICT (item_id) DO NOTHING",
        )
        .bind(from)
        .bind(to)
        .bind(course_id)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// A learner with an assignment due soon that they have not handed in.
#[derive(sqlx::FromRow)]
pub struct DueSoon {
    pub item_id: i64,
    pub user_id: i64,
    pub course_id: i64,
    pub title: String,
    pub course_title: String,
    pub due_at: i64,
}

/// Active learners of published courses whose own due date (an override's, else the
/// assignment's) falls in (`$1`, `$2`], who have not handed it in and were not told of that date.
pub async fn due_soon(
    db: &Db,
    after: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<DueSoon>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT a.item_id, e.user_id, a.course_id, i.title, c.title AS course_title, \
         COALESCE(o.due_at, a.due_at) AS due_at \
         FROM assignments a \
         JOIN items i ON i.id = a.item_id AND i.deleted_at IS NULL AND NOT i.hidden \
         JOIN courses c ON c.id = a.course_id AND c.state = 'published' \
         JOIN enrolments e ON e.course_id = a.course_id AND e.role = 'learner' AND e.status = 'active' \
         LEFT JOIN item_overrides o ON o.item_id = a.item_id AND o.user_id = e.user_id \
         WHERE COALESCE(o.due_at, a.due_at) > $1 AND COALESCE(o.due_at, a.due_at) <= $2 \
         AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.item_id = a.item_id \
             AND s.user_id = e.user_id AND s.status = 'submitted') \
         AND NOT EXISTS (SELECT 1 FROM assignment_due_notices n WHERE n.item_id = a.item_id \
             AND n.user_id = e.user_id AND n.due_at = COALESCE(o.due_at, a.due_at)) \
         ORDER BY a.item_id, e.user_id LIMIT $3"
    )
    .bind(after)
    .bind(until)
    .bind(limit)
    .fetch_all(p)
    .await?
    }))
}

/// Records that these learners were told of these due dates.
pub async fn mark_due_told(
    tx: &mut Tx,
    told: &[(i64, i64, i64)],
    now: i64,
) -> Result<(), AppError> {
    for (item_id, user_id, due_at) in told {
        with_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO assignment_due_notices (item_id, user_id, due_at, sent_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (item_id, user_id, due_at) DO NOTHING"
        )
        .bind(item_id)
        .bind(user_id)
        .bind(due_at)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
        });
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CalendarRow {
    item_id: i64,
    course_id: i64,
    title: String,
    course_title: String,
    due_at: Option<i64>,
    cutoff_at: Option<i64>,
}

/// The due and cut-off dates in [`from`, `to`) of the assignments a person sees: a learner's own
/// (an override's, else the assignment's) in published courses; staff see their courses' own.
pub async fn calendar(
    db: &Db,
    user_id: i64,
    from: i64,
    to: i64,
) -> Result<Vec<crate::calendar::model::Dated>, AppError> {
    use crate::calendar::model::{DateKind, item_dates};
    let rows: Vec<CalendarRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT a.item_id, a.course_id, i.title, c.title AS course_title, \
         COALESCE(o.due_at, a.due_at) AS due_at, COALESCE(o.cutoff_at, a.cutoff_at) AS cutoff_at \
         FROM enrolments e \
         JOIN courses c ON c.id = e.course_id AND (c.state = 'published' OR e.role <> 'learner') \
         JOIN assignments a ON a.course_id = e.course_id \
         JOIN items i ON i.id = a.item_id AND i.deleted_at IS NULL AND (NOT i.hidden OR e.role <> 'learner') \
         LEFT JOIN item_overrides o ON o.item_id = a.item_id AND o.user_id = e.user_id \
         WHERE e.user_id = $1 AND e.status = 'active' \
         AND ((COALESCE(o.due_at, a.due_at) >= $2 AND COALESCE(o.due_at, a.due_at) < $3) \
           OR (COALESCE(o.cutoff_at, a.cutoff_at) >= $2 AND COALESCE(o.cutoff_at, a.cutoff_at) < $3)) \
         ORDER BY a.item_id LIMIT 1000"
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
                &[(DateKind::Due, r.due_at), (DateKind::CutOff, r.cutoff_at)],
                (from, to),
            )
        })
        .collect())
}
