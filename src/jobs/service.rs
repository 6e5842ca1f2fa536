//! The administrators' view of the job queue: what is queued, running or failed, and retrying a
//! failed job or cancelling a queued one.

use super::model::{Job, JobCounts, JobState};
use super::queue;
use crate::audit::{self, Entry};
use crate::auth::permissions::{Action, Actor, can};
use crate::db::now;
use crate::error::AppError;
use crate::paging::Page;
use crate::state::AppState;

fn allowed(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::ManageJobs) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    job_state: &str,
    page: u32,
) -> Result<(JobCounts, Page<Job>), AppError> {
    allowed(actor)?;
    let job_state = JobState::parse(job_state).ok_or_else(|| {
        AppError::invalid("state", "Choose queued, running, done, dead or cancelled.")
    })?;
    let counts = queue::counts(&state.db).await?;
    let page = queue::list(&state.db, job_state, page.max(1), 50).await?;
    Ok((counts, page))
}

/// Queues a failed (or cancelled) job again, now.
pub async fn retry(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    change(state, actor, id, Change::Retry).await
}

/// Cancels a queued job.
pub async fn cancel(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    change(state, actor, id, Change::Cancel).await
}

enum Change {
    Retry,
    Cancel,
}

async fn change(state: &AppState, actor: &Actor, id: i64, change: Change) -> Result<(), AppError> {
    allowed(actor)?;
    let job = queue::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let at = now();
    let (changed, action) = match change {
        Change::Retry => (queue::retry(&state.db, id, at).await?, "job.retry"),
        Change::Cancel => (queue::cancel(&state.db, id, at).await?, "job.cancel"),
    };
    if !changed {
        return Err(AppError::Conflict(format!(
            "This job is {} now: refresh the list.",
            job.state.label().to_lowercase()
        )));
    }
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(action, "job", None, format!("{} #{id}", job.kind)),
        at,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
