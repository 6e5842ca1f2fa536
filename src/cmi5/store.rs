//! cmi5 rows: the course structure as uploaded, learners' registrations, what each AU reached
//! in a registration, and the sessions of AU launches.

use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_db_write, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PackageRow {
    pub item_id: i64,
    pub revision: i64,
    pub structure: String,
    pub file_name: String,
    pub file_count: i64,
    pub total_bytes: i64,
    pub uploaded_at: i64,
}

const PACKAGE: &str = "SELECT item_id, revision, structure, file_name, file_count, total_bytes, \
     uploaded_at FROM cmi5_packages WHERE item_id = $1";

pub async fn find(db: &Db, item_id: i64) -> Result<Option<PackageRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(PACKAGE)
        .bind(item_id)
        .fetch_optional(p)
        .await?))
}

pub async fn find_in(tx: &mut Tx, item_id: i64) -> Result<Option<PackageRow>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(PACKAGE)
        .bind(item_id)
        .fetch_optional(c)
        .await?))
}

pub async fn revision(tx: &mut Tx, item_id: i64) -> Result<Option<i64>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT revision FROM cmi5_packages WHERE item_id = $1"
    )
    .bind(item_id)
    .fetch_optional(c)
    .await?))
}

/// What an upload records of a course.
#[derive(Debug)]
pub struct NewPackage<'a> {
    pub item_id: i64,
    pub revision: i64,
    pub structure: &'a str,
    pub file_name: &'a str,
    pub file_count: i64,
    pub total_bytes: i64,
    pub uploaded_by: i64,
    pub now: i64,
}

pub async fn put(tx: &mut Tx, p: &NewPackage<'_>) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO cmi5_packages (item_id, revision, structure, file_name, file_count, \
         total_bytes, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (item_id) DO UPDATE SET revision = excluded.revision, \
         structure = excluded.structure, file_name = excluded.file_name, \
         file_count = excluded.file_count, total_bytes = excluded.total_bytes, \
         uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at"
    )
    .bind(p.item_id)
    .bind(p.revision)
    .bind(p.structure)
    .bind(p.file_name)
    .bind(p.file_count)
    .bind(p.total_bytes)
    .bind(p.uploaded_by)
    .bind(p.now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// A course copy plays the same course (its files are shared by `packages::files::copy`).
pub async fn copy(tx: &mut Tx, from: i64, to: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO cmi5_packages (item_id, revision, structure, file_name, file_count, \
         total_bytes, uploaded_by, uploaded_at) SELECT $2, revision, structure, file_name, \
         file_count, total_bytes, uploaded_by, uploaded_at FROM cmi5_packages WHERE item_id = $1"
    )
    .bind(from)
    .bind(to)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

// ---- registrations ------------------------------------------------------------------------

pub async fn registration(db: &Db, item_id: i64, user_id: i64) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT id FROM cmi5_registrations WHERE item_id = $1 AND user_id = $2 \
         AND archived_at IS NULL"
    )
    .bind(item_id)
    .bind(user_id)
    .fetch_optional(p)
    .await?))
}

/// The learner's current registration, made now if they have none (`id` is the new one's).
pub async fn registration_or_new(
    tx: &mut Tx,
    id: &str,
    item_id: i64,
    user_id: i64,
    now: i64,
) -> Result<String, AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO cmi5_registrations (id, item_id, user_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (item_id, user_id) WHERE archived_at IS NULL \
         DO NOTHING"
    )
    .bind(id)
    .bind(item_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM cmi5_registrations WHERE item_id = $1 AND user_id = $2 \
         AND archived_at IS NULL"
    )
    .bind(item_id)
    .bind(user_id)
    .fetch_one(c)
    .await?))
}

/// A new certification cycle: the registration is kept on record, the next launch starts one.
pub async fn archive_registration(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE cmi5_registrations SET archived_at = $3 WHERE item_id = $1 AND user_id = $2 \
         AND archived_at IS NULL"
    )
    .bind(item_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

// ---- what AUs reached ---------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct RecordRow {
    pub au_id: String,
    pub completed: bool,
    pub passed: bool,
    pub failed: bool,
    pub waived: bool,
    pub satisfied: bool,
    pub score: Option<f64>,
}

const RECORDS: &str = "SELECT au_id, completed, passed, failed, waived, satisfied, score \
     FROM cmi5_au_records WHERE registration = $1";

pub async fn records(db: &Db, registration: &str) -> Result<Vec<RecordRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(RECORDS)
        .bind(registration)
        .fetch_all(p)
        .await?))
}

pub async fn records_in(tx: &mut Tx, registration: &str) -> Result<Vec<RecordRow>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(RECORDS)
        .bind(registration)
        .fetch_all(c)
        .await?))
}

pub async fn put_record(
    tx: &mut Tx,
    registration: &str,
    r: &RecordRow,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO cmi5_au_records (registration, au_id, completed, passed, failed, waived, \
         satisfied, score, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (registration, au_id) DO UPDATE SET completed = excluded.completed, \
         passed = excluded.passed, failed = excluded.failed, waived = excluded.waived, \
         satisfied = excluded.satisfied, score = excluded.score, updated_at = excluded.updated_at"
    )
    .bind(registration)
    .bind(&r.au_id)
    .bind(r.completed)
    .bind(r.passed)
    .bind(r.failed)
    .bind(r.waived)
    .bind(r.satisfied)
    .bind(r.score)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

// ---- sessions -----------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub registration: String,
    pub au_id: String,
    pub launch_mode: String,
    pub secret_hash: Option<String>,
    pub initialized: bool,
    pub terminated: bool,
    pub abandoned: bool,
    pub failed_in_session: bool,
    pub launched_at: i64,
    pub last_at: i64,
    pub item_id: i64,
    pub user_id: i64,
}

const SESSION: &str = "SELECT s.id, s.registration, s.au_id, s.launch_mode, s.secret_hash, \
     s.initialized, s.terminated, s.abandoned, s.failed_in_session, s.launched_at, s.last_at, \
     r.item_id, r.user_id FROM cmi5_sessions s JOIN cmi5_registrations r ON r.id = s.registration \
     WHERE s.id = $1";

#[derive(Debug)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub registration: &'a str,
    pub au_id: &'a str,
    pub launch_mode: &'a str,
    pub fetch_hash: &'a str,
    pub now: i64,
}

pub async fn insert_session(tx: &mut Tx, s: &NewSession<'_>) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO cmi5_sessions (id, registration, au_id, launch_mode, fetch_hash, \
         initialized, terminated, abandoned, failed_in_session, launched_at, last_at) \
         VALUES ($1, $2, $3, $4, $5, FALSE, FALSE, FALSE, FALSE, $6, $6)"
    )
    .bind(s.id)
    .bind(s.registration)
    .bind(s.au_id)
    .bind(s.launch_mode)
    .bind(s.fetch_hash)
    .bind(s.now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// Spends a fetch URL: the session it belongs to gets its secret, once (cmi5 §8.2.3). Answers
/// the session's id, or `None` when the token is unknown or was used already.
pub async fn claim_fetch(
    db: &Db,
    fetch_hash: &str,
    secret_hash: &str,
) -> Result<Option<String>, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query_scalar(
        "UPDATE cmi5_sessions SET secret_hash = $2 WHERE fetch_hash = $1 \
         AND secret_hash IS NULL AND NOT terminated AND NOT abandoned RETURNING id"
    )
    .bind(fetch_hash)
    .bind(secret_hash)
    .fetch_optional(p)
    .await?))
}

pub async fn session(db: &Db, id: &str) -> Result<Option<SessionRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(SESSION)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// The session, locked until the transaction ends so that its statements are checked one
/// request at a time (SQLite's write transaction is exclusive already).
pub async fn lock_session(tx: &mut Tx, id: &str) -> Result<Option<SessionRow>, AppError> {
    Ok(match tx {
        Tx::Sqlite(c) => {
            sqlx::query_as(SESSION)
                .bind(id)
                .fetch_optional(&mut **c)
                .await?
        }
        Tx::Postgres(c) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SESSION} FOR UPDATE OF s")))
                .bind(id)
                .fetch_optional(&mut **c)
                .await?
        }
    })
}

/// Holds the registration until the transaction ends, so that whatever moves its AU records and
/// the course's satisfaction (an AU's statements, a waiver) runs one at a time and each sees the
/// records the other wrote; otherwise two AUs satisfied at once could each miss the other and
/// the course never be satisfied. SQLite's single writer runs them one at a time already.
pub async fn lock_registration(tx: &mut Tx, id: &str) -> Result<(), AppError> {
    if let Tx::Postgres(c) = tx {
        sqlx::query("SELECT id FROM cmi5_registrations WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut **c)
            .await?;
    }
    Ok(())
}

/// The session's state after the statements just accepted.
#[derive(Debug, Clone, Copy)]
pub struct SessionState {
    pub initialized: bool,
    pub terminated: bool,
    pub abandoned: bool,
    pub failed_in_session: bool,
}

pub async fn set_session_state(
    tx: &mut Tx,
    id: &str,
    s: SessionState,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE cmi5_sessions SET initialized = $2, terminated = $3, abandoned = $4, \
         failed_in_session = $5, last_at = $6 WHERE id = $1"
    )
    .bind(id)
    .bind(s.initialized)
    .bind(s.terminated)
    .bind(s.abandoned)
    .bind(s.failed_in_session)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// The learner's sessions of an AU left open in a registration (a newer launch abandons them).
pub async fn open_sessions(
    tx: &mut Tx,
    registration: &str,
    au_id: &str,
) -> Result<Vec<String>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM cmi5_sessions WHERE registration = $1 AND au_id = $2 \
         AND NOT terminated AND NOT abandoned"
    )
    .bind(registration)
    .bind(au_id)
    .fetch_all(c)
    .await?))
}

/// Sessions nothing was heard from since `before` and never ended, oldest first.
pub async fn stale_sessions(db: &Db, before: i64, limit: i64) -> Result<Vec<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT id FROM cmi5_sessions WHERE NOT terminated AND NOT abandoned AND last_at < $1 \
         ORDER BY last_at LIMIT $2"
    )
    .bind(before)
    .bind(limit)
    .fetch_all(p)
    .await?))
}

// ---- the instructor's report ----------------------------------------------------------------

/// A learner of the course with one of their current registration's records: one row per
/// record, one row with no record when they have none (or no registration).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResultRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// Their current registration, if they launched anything.
    pub registration: Option<String>,
    /// When the LRS last heard from one of the registration's sessions.
    pub last_seen: Option<i64>,
    pub au_id: Option<String>,
    pub completed: Option<bool>,
    pub passed: Option<bool>,
    pub failed: Option<bool>,
    pub waived: Option<bool>,
    pub satisfied: Option<bool>,
    pub score: Option<f64>,
}

/// A page of the course's active learners (by name), each with their records of the item.
pub async fn results(
    db: &Db,
    course_id: i64,
    item_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<ResultRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT u.id AS user_id, u.name, u.email, r.id AS registration, \
         (SELECT MAX(s.last_at) FROM cmi5_sessions s WHERE s.registration = r.id) AS last_seen, \
         a.au_id, a.completed, a.passed, a.failed, a.waived, a.satisfied, a.score \
         FROM (SELECT e.user_id FROM enrolments e JOIN users n ON n.id = e.user_id \
               WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active' \
               ORDER BY n.name, n.id LIMIT $3 OFFSET $4) page \
         JOIN users u ON u.id = page.user_id \
         LEFT JOIN cmi5_registrations r ON r.item_id = $2 AND r.user_id = u.id \
              AND r.archived_at IS NULL \
         LEFT JOIN cmi5_au_records a ON a.registration = r.id \
         ORDER BY u.name, u.id, a.au_id"
    )
    .bind(course_id)
    .bind(item_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(p)
    .await?))
}

/// The course's active learners, how many launched the course, and how many satisfied it
/// (`course_au_id`: the course's id in `cmi5.xml`, whose record says so).
pub async fn result_counts(
    db: &Db,
    course_id: i64,
    item_id: i64,
    course_au_id: &str,
) -> Result<(i64, i64, i64), AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT COUNT(*), \
         COALESCE(SUM(CASE WHEN r.id IS NOT NULL THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN a.satisfied THEN 1 ELSE 0 END), 0) \
         FROM enrolments e \
         LEFT JOIN cmi5_registrations r ON r.item_id = $2 AND r.user_id = e.user_id \
              AND r.archived_at IS NULL \
         LEFT JOIN cmi5_au_records a ON a.registration = r.id AND a.au_id = $3 \
         WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active'"
    )
    .bind(course_id)
    .bind(item_id)
    .bind(course_au_id)
    .fetch_one(p)
    .await?))
}
