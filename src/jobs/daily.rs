//! Work that runs once a day at a local time where the site is (the nightly compliance run, the
//! digest email): queued at start-up unless one is waiting, and each run queues the next. As
//! every job, each run happens once even with several instances.

use super::queue;
use crate::error::{AppError, internal};
use crate::settings::time_zone::{at_local, today_in};
use crate::state::AppState;

/// A job kind that runs every day at `hour:minute`, site time.
pub struct Daily {
    pub kind: &'static str,
    pub hour: u32,
    pub minute: u32,
}

/// When the next run is due after `now`: tomorrow at its time (a run is never moved earlier
/// than the next day, so a late run does not run twice in one day).
async fn next_run(state: &AppState, daily: &Daily, now: i64) -> Result<i64, AppError> {
    let zone = crate::settings::service::current(state).await?.time_zone;
    let today = today_in(now, &zone);
    let at_today = at_local(today, daily.hour, daily.minute, &zone);
    if at_today > now {
        return Ok(at_today);
    }
    let tomorrow = today
        .succ_opt()
        .ok_or_else(|| internal("scheduling a daily job", "no tomorrow"))?;
    Ok(at_local(tomorrow, daily.hour, daily.minute, &zone))
}

/// Queues the next run unless one is waiting or running (at start-up).
pub async fn ensure(state: &AppState, daily: &Daily, now: i64) -> Result<(), AppError> {
    if queue::queued(&state.db, daily.kind).await? {
        return Ok(());
    }
    let at = next_run(state, daily, now).await?;
    let mut tx = state.db.begin().await?;
    queue::enqueue(&mut tx, daily.kind, "{}", at, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Queues the run after this one (called by the run itself, which is still "running").
pub async fn queue_next(state: &AppState, daily: &Daily, now: i64) -> Result<(), AppError> {
    let at = next_run(state, daily, now).await?;
    let mut tx = state.db.begin().await?;
    // Another queued run would be a second chain.
    if !queue::queued_other(&mut tx, daily.kind).await? {
        queue::enqueue(&mut tx, daily.kind, "{}", at, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
