//! The SCORM run-time on the server: launching a SCO for someone (what the LMS tells it, what
//! it set before) and keeping what it commits. The browser's API object checks each value as it
//! is set; the server checks them again with the same data model (`cmi12`), since anything can
//! be posted. A learner's commits are kept; staff preview a package without leaving a record.

use super::attempt_store::{self, AttemptUpdate};
use super::cmi12::{Cmi, Launch};
use super::model::{ScoLaunch, Structure, TocItem, Version};
use super::store;
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::outline_store;
use crate::db::{Tx, now};
use crate::error::{AppError, internal};
use crate::items::kind::ItemKind;
use crate::state::AppState;
use std::collections::BTreeMap;

/// Who is launching what: the item's course, their access, the package and the SCO.
struct Target {
    course_id: i64,
    access: CourseAccess,
    structure: Structure,
    base_url: String,
    sco: TocItem,
}

async fn target(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    sco: &str,
) -> Result<Target, AppError> {
    let (course_id, item, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if item.kind != ItemKind::Scorm {
        return Err(AppError::NotFound);
    }
    let access = access::item_visible(&state.db, actor, course_id, item_id).await?;
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    let row = store::find(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let structure: Structure = serde_json::from_str(&row.structure)
        .map_err(|e| internal("reading a package's structure", e))?;
    let found = structure
        .items
        .iter()
        .find(|i| i.identifier == sco && i.launch.is_some())
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok(Target {
        course_id,
        access,
        base_url: format!("/scorm/{item_id}/{}/", row.revision),
        structure,
        sco: found,
    })
}

fn launch_of(actor: &Actor, sco: &TocItem, credit: bool, entry: &str, total_time: &str) -> Launch {
    Launch {
        student_id: actor.email.clone(),
        student_name: student_name(&actor.name),
        credit,
        entry: entry.into(),
        lesson_mode: if credit { "normal" } else { "browse" }.into(),
        mastery_score: sco.mastery_score,
        max_time_allowed: sco.max_time_allowed.clone(),
        time_limit_action: sco.time_limit_action.clone(),
        launch_data: sco.launch_data.clone().unwrap_or_default(),
        comments_from_lms: String::new(),
        total_time: total_time.into(),
    }
}

/// "Last, First", as SCORM 1.2's `cmi.core.student_name` asks (a single name stays as it is).
fn student_name(name: &str) -> String {
    match name.trim().rsplit_once(' ') {
        Some((first, last)) => format!("{last}, {first}"),
        None => name.trim().to_string(),
    }
}

fn values_of(cmi: &str) -> Result<BTreeMap<String, String>, AppError> {
    serde_json::from_str(cmi).map_err(|e| internal("reading a SCO's kept values", e))
}

/// What the player needs to start a SCO: for a learner, their current attempt (a new one the
/// first time), resumed when they left it suspended.
pub async fn launch(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    sco: &str,
) -> Result<ScoLaunch, AppError> {
    let target = target(state, actor, item_id, sco).await?;
    let url = format!(
        "{}{}",
        target.base_url,
        target.sco.launch.clone().unwrap_or_default()
    );
    let record = target.access.is_learner();
    if !record {
        return Ok(ScoLaunch {
            sco: sco.to_string(),
            url,
            version: target.structure.version,
            record,
            launch: launch_of(actor, &target.sco, false, "ab-initio", ""),
            values: BTreeMap::new(),
            sequence: 0,
        });
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let (attempt, new) = match attempt_store::current(&mut tx, item_id, actor.id, sco).await? {
        Some(a) => (a, false),
        None => (
            attempt_store::start(&mut tx, item_id, actor.id, sco, now).await?,
            true,
        ),
    };
    tx.commit().await?;
    let entry = if new {
        "ab-initio"
    } else if attempt.suspended {
        "resume"
    } else {
        ""
    };
    Ok(ScoLaunch {
        sco: sco.to_string(),
        url,
        version: target.structure.version,
        record,
        launch: launch_of(actor, &target.sco, true, entry, &attempt.total_time),
        values: values_of(&attempt.cmi)?,
        sequence: attempt.sequence,
    })
}

/// Keeps what a SCO set since its last commit (numbered by `sequence`: an older or repeated
/// commit changes nothing). `finish`: the session ended (`LMSFinish`, or the window closed):
/// its time joins the total, the status is settled by the LMS's rules, and when every SCO of
/// the package is completed or passed the item is.
pub async fn commit(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    sco: &str,
    sequence: i64,
    changes: &BTreeMap<String, String>,
    finish: bool,
) -> Result<(), AppError> {
    let target = target(state, actor, item_id, sco).await?;
    if !target.access.is_learner() {
        // Staff preview: nothing is kept.
        return Ok(());
    }
    if target.structure.version != Version::Scorm12 {
        return Err(AppError::BadRequest(
            "SCORM 2004 results are not recorded yet.".into(),
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let Some(attempt) = attempt_store::current(&mut tx, item_id, actor.id, sco).await? else {
        return Err(AppError::Conflict(
            "This part was not started: open it again.".into(),
        ));
    };
    if sequence <= attempt.sequence {
        return Ok(());
    }
    let launch = launch_of(actor, &target.sco, true, "", &attempt.total_time);
    let mut cmi = Cmi::new(launch, values_of(&attempt.cmi)?);
    for (element, value) in changes {
        cmi.set(element, value).map_err(|e| {
            AppError::BadRequest(format!("{element}: {} ({})", e.message(), e.code()))
        })?;
    }
    let (status, total_time, suspended) = if finish {
        let outcome = cmi.outcome();
        // A session's own values end with it.
        cmi.values.remove("cmi.core.session_time");
        cmi.values.remove("cmi.core.exit");
        (outcome.status, outcome.total_time, outcome.suspended)
    } else {
        (
            cmi.get("cmi.core.lesson_status")
                .unwrap_or_else(|_| "not attempted".into()),
            attempt.total_time.clone(),
            attempt.suspended,
        )
    };
    let score = cmi
        .values
        .get("cmi.core.score.raw")
        .and_then(|v| v.parse::<f64>().ok());
    let kept =
        serde_json::to_string(&cmi.values).map_err(|e| internal("writing a SCO's values", e))?;
    attempt_store::save(
        &mut tx,
        attempt.id,
        &AttemptUpdate {
            cmi: &kept,
            status: &status,
            score,
            total_time: &total_time,
            suspended,
            sequence,
            now,
        },
    )
    .await?;
    if finish {
        complete_if_done(&mut tx, &target, item_id, actor.id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The item is done when every SCO of the package is completed or passed.
async fn complete_if_done(
    tx: &mut Tx,
    target: &Target,
    item_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    let done = attempt_store::done_scos(tx, item_id, user_id).await?;
    let all = target
        .structure
        .launchable()
        .filter(|i| i.sco)
        .all(|i| done.contains(&i.identifier));
    if all {
        crate::completion::service::item_done(tx, target.course_id, user_id, item_id, true, now)
            .await?;
    }
    Ok(())
}

/// Hook `registry::reset_learner`: a new certification cycle starts every SCO afresh.
pub async fn reset_learner(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    attempt_store::archive(tx, item_id, user_id, now).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_given_last_name_first() {
        assert_eq!(
            super::student_name("Ada King Lovelace"),
            "Lovelace, Ada King"
        );
        assert_eq!(super::student_name("Plato"), "Plato");
    }
}
