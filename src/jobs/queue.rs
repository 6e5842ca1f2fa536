//! SQL of the job queue (both databases). Uses only the database, so that the mailer (in the
//! foundation) can enqueue.

use super::model::{Job, JobCounts, JobState};
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::paging::Page;
use crate::{with_db, with_db_write, with_tx};

/// How long a worker may hold a claimed job before another may take it up again.
pub const LEASE_SECS: i64 = 5 * 60;
/// How many times a job is tried before it is dead.
pub const MAX_ATTEMPTS: i32 = 8;

/// The wait before the next try after `attempts` failed ones: 30 s, doubling, at most 6 hours.
pub fn backoff(attempts: i32) -> i64 {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    (30_i64 << doublings).min(6 * 60 * 60)
}

/// Adds a job to run at `run_at`, in the caller's transaction (it runs only if that commits).
pub async fn enqueue(
    tx: &mut Tx,
    kind: &str,
    payload: &str,
    run_at: i64,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, run_at, max_attempts, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(kind)
    .bind(payload)
    .bind(run_at)
    .bind(MAX_ATTEMPTS)
    .bind(now)
    .fetch_one(c)
    .await?))
}

/// Whether a job of this kind is waiting to run (for work that reschedules itself).
pub async fn queued(db: &Db, kind: &str) -> Result<bool, AppError> {
    let found: Option<i64> = with_db!(db, |p| sqlx::query_scalar(
        "SELECT id FROM jobs WHERE kind = $1 AND state IN ('queued', 'running') LIMIT 1"
    )
    .bind(kind)
    .fetch_optional(p)
    .await?);
    Ok(found.is_some())
}

/// Whether this very job (kind and payload) is waiting to run, read in the caller's transaction
/// (to queue work once).
pub async fn waiting(tx: &mut Tx, kind: &str, payload: &str) -> Result<bool, AppError> {
    let found: Option<i64> = with_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT id FROM jobs WHERE kind = $1 AND payload = $2 AND state IN ('queued', 'running') LIMIT 1"
    )
    .bind(kind)
    .bind(payload)
    .fetch_optional(c)
    .await?
    });
    Ok(found.is_some())
}

/// Whether a job of this kind is queued (not running), read in the caller's transaction.
pub async fn queued_other(tx: &mut Tx, kind: &str) -> Result<bool, AppError> {
    let found: Option<i64> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM jobs WHERE kind = $1 AND state = 'queued' LIMIT 1"
    )
    .bind(kind)
    .fetch_optional(c)
    .await?);
    Ok(found.is_some())
}

/// Queues a job of this kind to run at `run_at` unless one is queued already, in which case
/// that one runs at the earlier of the two times (work that one run catches up with however
/// many asked).
pub async fn enqueue_once(tx: &mut Tx, kind: &str, run_at: i64, now: i64) -> Result<(), AppError> {
    let queued: Option<i64> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM jobs WHERE kind = $1 AND state = 'queued' LIMIT 1"
    )
    .bind(kind)
    .fetch_optional(c)
    .await?);
    match queued {
        Some(id) => {
            with_tx!(tx, |c| sqlx::query(
                "UPDATE jobs SET run_at = $1 WHERE id = $2 AND run_at > $1"
            )
            .bind(run_at)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected());
        }
        None => {
            enqueue(tx, kind, "{}", run_at, now).await?;
        }
    }
    Ok(())
}

/// When a job of this kind is next to run: a running one now, else the earliest queued one.
pub async fn next_run(db: &Db, kind: &str, now: i64) -> Result<Option<i64>, AppError> {
    let at: Option<i64> = with_db!(db, |p| sqlx::query_scalar(
        "SELECT MIN(CASE WHEN state = 'running' THEN $2 ELSE run_at END) FROM jobs \
         WHERE kind = $1 AND state IN ('queued', 'running')"
    )
    .bind(kind)
    .bind(now)
    .fetch_one(p)
    .await?);
    Ok(at)
}

/// A job a worker has claimed.
#[derive(Debug, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// This try's number (1 for the first).
    pub attempts: i32,
    pub max_attempts: i32,
}

/// The next due job: a queued one whose time has come (the `(state, run_at)` index serves it)…
const DUE_QUEUED: &str =
    "SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $1 ORDER BY run_at, id LIMIT 1";
/// …or else one still running past its lease (a crashed instance's). Two lookups, not one `OR`:
/// with the `OR` the database scanned the whole table for every claim.
const DUE_EXPIRED: &str =
    "SELECT id FROM jobs WHERE state = 'running' AND locked_until < $1 ORDER BY id LIMIT 1";

/// Whether any job is due at `at`: a read, so that an idle worker's look every second does not
/// take SQLite's one writer.
pub async fn any_due(db: &Db, at: i64) -> Result<bool, AppError> {
    for due in [DUE_QUEUED, DUE_EXPIRED] {
        let found: Option<i64> = with_db!(db, |p| sqlx::query_scalar(sqlx::AssertSqlSafe(due))
            .bind(at)
            .fetch_optional(p)
            .await?);
        if found.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Claims the next due job for `LEASE_SECS`, or None. Two workers never claim the same job:
/// PostgreSQL skips the rows another transaction has locked; SQLite has one writer.
pub async fn claim(db: &Db, at: i64) -> Result<Option<Claimed>, AppError> {
    const CLAIM: &str = "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $2 \
         WHERE id = ({DUE}) RETURNING id, kind, payload, attempts, max_attempts";
    let lease = at + LEASE_SECS;
    for due in [DUE_QUEUED, DUE_EXPIRED] {
        let claimed: Option<Claimed> = match db {
            Db::Sqlite(pools) => {
                sqlx::query_as(sqlx::AssertSqlSafe(CLAIM.replace("{DUE}", due)))
                    .bind(at)
                    .bind(lease)
                    .fetch_optional(&pools.write)
                    .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(sqlx::AssertSqlSafe(
                    CLAIM.replace("{DUE}", &format!("{due} FOR UPDATE SKIP LOCKED")),
                ))
                .bind(at)
                .bind(lease)
                .fetch_optional(pool)
                .await?
            }
        };
        if claimed.is_some() {
            return Ok(claimed);
        }
    }
    Ok(None)
}

/// A claimed job ran: done.
pub async fn finish(db: &Db, id: i64, at: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE jobs SET state = 'done', finished_at = $2, locked_until = NULL, last_error = NULL \
         WHERE id = $1 AND state = 'running'"
    )
    .bind(id)
    .bind(at)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A claimed job failed: queued again after its back-off, or dead after its last try. Returns
/// the state it is left in.
pub async fn fail(db: &Db, job: &Claimed, error: &str, at: i64) -> Result<JobState, AppError> {
    let dead = job.attempts >= job.max_attempts;
    let (state, run_at, finished_at) = if dead {
        (JobState::Dead, at, Some(at))
    } else {
        (JobState::Queued, at + backoff(job.attempts), None)
    };
    with_db_write!(db, |p| {
        sqlx::query(
        "UPDATE jobs SET state = $2, run_at = $3, finished_at = $4, locked_until = NULL, last_error = $5 \
         WHERE id = $1 AND state = 'running'"
    )
    .bind(job.id)
    .bind(state.as_str())
    .bind(run_at)
    .bind(finished_at)
    .bind(error)
    .execute(p)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(state)
}

/// A dead or cancelled job queued again now, with its tries counted afresh; false when the job
/// is in no such state.
pub async fn retry(db: &Db, id: i64, at: i64) -> Result<bool, AppError> {
    let changed = with_db_write!(db, |p| sqlx::query(
        "UPDATE jobs SET state = 'queued', run_at = $2, attempts = 0, finished_at = NULL \
         WHERE id = $1 AND state IN ('dead', 'cancelled')"
    )
    .bind(id)
    .bind(at)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(changed == 1)
}

/// A queued job that will not run; false when it is not queued (running, done, dead).
pub async fn cancel(db: &Db, id: i64, at: i64) -> Result<bool, AppError> {
    let changed = with_db_write!(db, |p| {
        sqlx::query(
        "UPDATE jobs SET state = 'cancelled', finished_at = $2 WHERE id = $1 AND state = 'queued'"
    )
    .bind(id)
    .bind(at)
    .execute(p)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(changed == 1)
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    kind: String,
    state: String,
    run_at: i64,
    attempts: i32,
    max_attempts: i32,
    last_error: Option<String>,
    created_at: i64,
    finished_at: Option<i64>,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Job {
        Job {
            id: r.id,
            kind: r.kind,
            state: JobState::parse(&r.state).unwrap_or(JobState::Dead),
            run_at: r.run_at,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            last_error: r.last_error,
            created_at: r.created_at,
            finished_at: r.finished_at,
        }
    }
}

/// One page of the jobs in `state`, the latest first.
pub async fn list(
    db: &Db,
    state: JobState,
    page: u32,
    per_page: u32,
) -> Result<Page<Job>, AppError> {
    let offset = crate::db::page_offset(page, per_page);
    let (rows, total): (Vec<JobRow>, i64) = with_db!(db, |p| {
        let rows = sqlx::query_as(
            "SELECT id, kind, state, run_at, attempts, max_attempts, last_error, created_at, finished_at \
             FROM jobs WHERE state = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(state.as_str())
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(p)
        .await?;
        let total = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = $1")
            .bind(state.as_str())
            .fetch_one(p)
            .await?;
        (rows, total)
    });
    Ok(Page {
        items: rows.into_iter().map(Job::from).collect(),
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// One job, in any state.
pub async fn find(db: &Db, id: i64) -> Result<Option<Job>, AppError> {
    let row: Option<JobRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT id, kind, state, run_at, attempts, max_attempts, last_error, created_at, finished_at \
         FROM jobs WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await?
    });
    Ok(row.map(Job::from))
}

pub async fn counts(db: &Db) -> Result<JobCounts, AppError> {
    let (queued, running, dead): (i64, i64, i64) = with_db!(db, |p| sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END), 0) FROM jobs"
    )
    .fetch_one(p)
    .await?);
    Ok(JobCounts {
        queued,
        running,
        dead,
    })
}
