//! The worker every instance runs: it claims what is due and runs it. `run_one` is the one list
//! of job kinds, each the function of the area whose work it is.

use super::daily::Daily;
use super::queue;
use crate::assignments::service as assignments;
use crate::certificates::service as certificates;
use crate::compliance::service as compliance;
use crate::db::now;
use crate::error::AppError;
use crate::notifications::service as notifications;
use crate::state::AppState;

/// The work that runs every day, queued at start-up.
const DAILY: [&Daily; 6] = [
    &compliance::NIGHTLY,
    &notifications::DIGEST,
    &certificates::EXPIRING,
    &assignments::DUE_SOON,
    &crate::cmi5::launch::ABANDON,
    &crate::webhooks::service::PRUNE,
];

/// Runs one claimed job as at `at`; the error is kept on the job (and logged) for the next try.
async fn run_one(state: &AppState, kind: &str, payload: &str, at: i64) -> Result<(), String> {
    match kind {
        crate::mail::mailer::DELIVER => state.mailer.deliver(&state.db, payload).await,
        crate::xapi::forward::FORWARD => crate::xapi::forward::run(state).await,
        crate::webhooks::outbox::DELIVER => crate::webhooks::deliver::run(state, payload).await,
        k if k == crate::webhooks::service::PRUNE.kind => {
            crate::webhooks::service::prune(state, at)
                .await
                .map(|_| ())
                .map_err(|e| format!("{e:?}"))
        }
        k if k == compliance::NIGHTLY.kind => compliance::nightly(state, at)
            .await
            .map_err(|e| format!("{e:?}")),
        k if k == notifications::DIGEST.kind => notifications::digest(state, at)
            .await
            .map(|_| ())
            .map_err(|e| format!("{e:?}")),
        crate::completion::model::RESET_LEARNER => {
            crate::items::service::reset_learner(state, payload, at)
                .await
                .map_err(|e| format!("{e:?}"))
        }
        k if k == assignments::DUE_SOON.kind => assignments::notify_due_soon(state, at)
            .await
            .map(|_| ())
            .map_err(|e| format!("{e:?}")),
        k if k == crate::cmi5::launch::ABANDON.kind => {
            crate::cmi5::launch::abandon_stale(state, at)
                .await
                .map(|_| ())
                .map_err(|e| format!("{e:?}"))
        }
        k if k == certificates::EXPIRING.kind => certificates::notify_expiring(state, at)
            .await
            .map(|_| ())
            .map_err(|e| format!("{e:?}")),
        // What follows a course completion: each area's part, in turn (a failure retries both;
        // each part is idempotent).
        crate::completion::model::COURSE_COMPLETED => async {
            compliance::course_completed(state, payload, at).await?;
            crate::programmes::service::course_completed(state, payload, at).await?;
            certificates::course_completed(state, payload, at).await
        }
        .await
        .map_err(|e| format!("{e:?}")),
        crate::compliance::matrix::RECOMPUTE => crate::compliance::matrix::recompute(state, at)
            .await
            .map_err(|e| format!("{e:?}")),
        crate::programmes::model::PROGRAMME_COMPLETED => async {
            compliance::programme_completed(state, payload, at).await?;
            certificates::programme_completed(state, payload, at).await
        }
        .await
        .map_err(|e| format!("{e:?}")),
        other => Err(format!("Lyceum has no job kind “{other}”.")),
    }
}

/// Runs the jobs due at `at` until none is left (a failed one waits for its back-off); returns
/// how many were run, failed ones included.
pub async fn run_due(state: &AppState, at: i64) -> Result<usize, AppError> {
    let mut ran = 0;
    // A bound, so that a job that queues itself again for "now" cannot hold the worker.
    while ran < 1000
        && let Some(job) = queue::claim(&state.db, at).await?
    {
        match run_one(state, &job.kind, &job.payload, at).await {
            Ok(()) => queue::finish(&state.db, job.id, now()).await?,
            Err(error) => {
                let left = queue::fail(&state.db, &job, &error, at).await?;
                tracing::warn!(job_id = job.id, kind = %job.kind, attempt = job.attempts,
                    state = left.as_str(), %error, "a background job failed");
            }
        }
        ran += 1;
    }
    Ok(ran)
}

/// Runs due jobs for as long as the server runs, looking again every second.
pub async fn run(state: AppState) {
    for daily in DAILY {
        if let Err(e) = super::daily::ensure(&state, daily, now()).await {
            tracing::warn!(error = %e, kind = daily.kind, "scheduling a daily job failed");
        }
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let at = now();
        match queue::any_due(&state.db, at).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "looking for due background jobs failed");
                continue;
            }
        }
        if let Err(e) = run_due(&state, at).await {
            tracing::warn!(error = %e, "running background jobs failed");
        }
    }
}
