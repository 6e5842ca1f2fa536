//! The SCORM run-time on the server: launching a SCO for someone (what the LMS tells it, what
//! it set before) and keeping what it commits. The browser's API object checks each value as it
//! is set; the server checks them again with the same data model (`cmi12`), since anything can
//! be posted. A learner's commits are kept; staff preview a package without leaving a record.

use super::attempt_store::{self, AttemptUpdate};
use super::cmi12::{Cmi, Launch};
use super::model::{ScoLaunch, Structure, TocItem, Version};
use super::navigation::{self, Move};
use super::sequencing::{self, Activity, Availability, Learner, Memory, Report};
use super::store;
use super::{cmi12, cmi2004, session};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
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
    let package = package_for(state, actor, item_id).await?;
    let found = package
        .structure
        .items
        .iter()
        .find(|i| i.identifier == sco && i.launch.is_some())
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok(Target {
        course_id: package.course_id,
        access: package.access,
        base_url: crate::packages::base_url(item_id, package.revision),
        structure: package.structure,
        sco: found,
    })
}

fn launch_of(
    actor: &Actor,
    version: Version,
    sco: &TocItem,
    credit: bool,
    entry: &str,
    total_time: &str,
) -> Launch {
    let v2004 = matches!(version, Version::Scorm2004(_));
    Launch {
        student_id: actor.email.clone(),
        // 1.2 asks for "Last, First"; 2004's learner_name is the name as the learner gives it.
        student_name: if v2004 {
            actor.name.trim().to_string()
        } else {
            student_name(&actor.name)
        },
        credit,
        entry: entry.into(),
        lesson_mode: if credit { "normal" } else { "browse" }.into(),
        mastery_score: sco.mastery_score,
        max_time_allowed: sco.max_time_allowed.clone(),
        time_limit_action: sco.time_limit_action.clone(),
        launch_data: sco.launch_data.clone().unwrap_or_default(),
        comments_from_lms: String::new(),
        total_time: kept_time(version, total_time),
        completion_threshold: sco.completion_threshold,
        // The primary objective satisfied by its measure: the SCO is told the passing score.
        scaled_passing_score: sco
            .sequencing
            .objectives
            .iter()
            .find(|o| o.primary && o.satisfied_by_measure)
            .map(|o| o.min_measure),
    }
}

/// A kept total time in the version's format: attempts start with 1.2's `0000:00:00.00`, which a
/// 2004 SCO reads as an ISO 8601 duration.
fn kept_time(version: Version, total_time: &str) -> String {
    match version {
        Version::Scorm2004(_) if !total_time.starts_with('P') && !total_time.is_empty() => {
            cmi2004::duration(cmi12::seconds(total_time))
        }
        _ => total_time.to_string(),
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

/// A new SCORM 2004 attempt starts with the activity's objectives in `cmi.objectives`, as the
/// run-time asks (their ids from the manifest), so that the SCO reports on them by index.
/// `None`: nothing to set (1.2, or no objective with an id).
fn initial_objectives(sco: &TocItem) -> Result<Option<String>, AppError> {
    let ids: Vec<&str> = sco
        .sequencing
        .objectives
        .iter()
        .map(|o| o.id.as_str())
        .filter(|id| !id.is_empty())
        .collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let values: BTreeMap<String, String> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| (format!("cmi.objectives.{n}.id"), id.to_string()))
        .collect();
    serde_json::to_string(&values)
        .map(Some)
        .map_err(|e| internal("writing a SCO's values", e))
}

/// What sequencing reads of one SCO's current attempt.
fn report_of(
    actor: &Actor,
    version: Version,
    sco: &TocItem,
    row: &attempt_store::CurrentRow,
) -> Result<Report, AppError> {
    let known = |flag: bool, word: &str| (word != "unknown").then_some(flag);
    let values = values_of(&row.cmi)?;
    let attempts = u32::try_from(row.number).unwrap_or(u32::MAX);
    if version == Version::Scorm12 {
        let status = row.status.as_str();
        return Ok(Report {
            attempts,
            completed: Some(matches!(status, "completed" | "passed" | "failed")),
            satisfied: match status {
                "passed" => Some(true),
                "failed" => Some(false),
                _ => None,
            },
            ..Report::default()
        });
    }
    let launch = launch_of(actor, version, sco, true, "", "");
    let cmi = cmi2004::Cmi::new(launch, values);
    let outcome = cmi.outcome();
    let objectives = (0..)
        .map_while(|n| {
            let id = cmi.values.get(&format!("cmi.objectives.{n}.id"))?;
            let field = |f: &str| cmi.values.get(&format!("cmi.objectives.{n}.{f}"));
            let satisfied = match field("success_status").map(String::as_str) {
                Some("passed") => Some(true),
                Some("failed") => Some(false),
                _ => None,
            };
            let measure = field("score.scaled").and_then(|v| v.parse().ok());
            Some((id.clone(), (satisfied, measure)))
        })
        .collect();
    Ok(Report {
        attempts,
        completed: known(
            outcome.completion == "completed",
            outcome.completion.as_str(),
        ),
        satisfied: known(outcome.success == "passed", outcome.success.as_str()),
        measure: outcome.score,
        objectives,
    })
}

/// Which parts of the package the one asking may open and how the player moves: for a
/// learner, by the package's sequencing over their attempts; staff may open everything.
pub async fn availability(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<Availability, AppError> {
    let package = package_for(state, actor, item_id).await?;
    availability_of(state, actor, item_id, &package.access, &package.structure).await
}

async fn availability_of(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    access: &CourseAccess,
    structure: &Structure,
) -> Result<Availability, AppError> {
    if !access.is_learner() {
        return Ok(everything_open(structure));
    }
    let rows = attempt_store::all_current(&state.db, item_id, actor.id).await?;
    let learner = learner_of(
        item_id,
        actor.id,
        attempt_store::memory(&state.db, item_id, actor.id).await?,
    )?;
    let activities = activities_of(actor, structure, &rows)?;
    Ok(sequencing::evaluate(
        &activities,
        &structure.sequencing,
        &learner,
    ))
}

/// Everything open: staff previewing a package, and SCORM 1.2 (no sequencing).
fn everything_open(structure: &Structure) -> Availability {
    let items = structure
        .items
        .iter()
        .map(|i| (i.identifier.clone(), i.launch.is_some()));
    Availability::open(items, &structure.sequencing)
}

/// What sequencing remembers for a learner, and the seed of their draws (their own, per item).
fn learner_of(item_id: i64, user_id: i64, memory: Option<String>) -> Result<Learner, AppError> {
    let memory = match memory {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| internal("reading what sequencing kept", e))?
        }
        None => Memory::default(),
    };
    Ok(Learner {
        memory,
        seed: (item_id as u64) << 32 ^ user_id as u64,
    })
}

/// The package's activity tree as sequencing sees a learner's current attempts.
fn activities_of<'s>(
    actor: &Actor,
    structure: &'s Structure,
    rows: &[attempt_store::CurrentRow],
) -> Result<Vec<Activity<'s>>, AppError> {
    let mut activities = Vec::with_capacity(structure.items.len());
    for item in &structure.items {
        let report = match rows.iter().find(|r| r.sco == item.identifier) {
            Some(row) => report_of(actor, structure.version, item, row)?,
            None => Report::default(),
        };
        activities.push(Activity {
            identifier: &item.identifier,
            depth: item.depth,
            leaf: item.launch.is_some(),
            sequencing: &item.sequencing,
            report,
        });
    }
    Ok(activities)
}

/// A learner's activity tree and what sequencing remembers for them, read in `tx` (it sees
/// the transaction's own writes).
async fn learner_tree<'s>(
    tx: &mut Tx,
    actor: &Actor,
    item_id: i64,
    structure: &'s Structure,
) -> Result<(Vec<Activity<'s>>, Learner), AppError> {
    let rows = attempt_store::all_current_in_tx(tx, item_id, actor.id).await?;
    let memory = attempt_store::memory_in_tx(tx, item_id, actor.id).await?;
    Ok((
        activities_of(actor, structure, &rows)?,
        learner_of(item_id, actor.id, memory)?,
    ))
}

async fn keep_memory(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    memory: &Memory,
    now: i64,
) -> Result<(), AppError> {
    let json =
        serde_json::to_string(memory).map_err(|e| internal("writing what sequencing keeps", e))?;
    attempt_store::keep_memory(tx, item_id, user_id, &json, now).await
}

/// Where the player goes as the learner leaves `from` asking for `request` (the SCO's
/// `adl.nav.request` or the player's Continue and Previous): exit and post-condition rules
/// run, a retry sets the attempts it replaces aside, and what sequencing remembers is kept.
/// Staff move by flow and choice alone.
pub async fn navigate(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    from: &str,
    request: &str,
) -> Result<Move, AppError> {
    let package = package_for(state, actor, item_id).await?;
    let structure = &package.structure;
    if !package.access.is_learner() || structure.version == Version::Scorm12 {
        let open = everything_open(structure);
        return Ok(if session::leaves(request) {
            Move::Exit
        } else {
            open.navigate(from, request)
                .map_or(Move::Stay, Move::Deliver)
        });
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let (activities, learner) = learner_tree(&mut tx, actor, item_id, structure).await?;
    let outcome = navigation::request(&activities, &structure.sequencing, &learner, from, request);
    attempt_store::set_aside(&mut tx, item_id, actor.id, &outcome.set_aside, now).await?;
    if outcome.memory != learner.memory {
        keep_memory(&mut tx, item_id, actor.id, &outcome.memory, now).await?;
        // An exit may settle the package (an attempt limit reached).
        complete_if_done(&mut tx, actor, package.course_id, structure, item_id, now).await?;
    }
    tx.commit().await?;
    Ok(outcome.next)
}

/// An item's package, for someone who may open the item.
struct Package {
    course_id: i64,
    access: CourseAccess,
    structure: Structure,
    revision: i64,
}

async fn package_for(state: &AppState, actor: &Actor, item_id: i64) -> Result<Package, AppError> {
    let course_id = super::service::course_of(state, item_id).await?;
    let access = access::item_visible(&state.db, actor, course_id, item_id).await?;
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    let row = store::find(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let structure = super::service::structure_of(&row)?;
    Ok(Package {
        course_id,
        access,
        structure,
        revision: row.revision,
    })
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
            launch: launch_of(
                actor,
                target.structure.version,
                &target.sco,
                false,
                "ab-initio",
                "",
            ),
            values: BTreeMap::new(),
            sequence: 0,
        });
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    if target.structure.version != Version::Scorm12 {
        let structure = &target.structure;
        let (activities, mut learner) = learner_tree(&mut tx, actor, item_id, structure).await?;
        let open = sequencing::evaluate(&activities, &structure.sequencing, &learner);
        if open.part(sco).is_some_and(|p| p.disabled) {
            return Err(AppError::Conflict(
                "This part is not open yet: the package asks you to finish the parts before it first."
                    .into(),
            ));
        }
        // Entering a SCO opens again the clusters an exit ended around it.
        if navigation::reopen(&activities, &mut learner.memory, sco) {
            keep_memory(&mut tx, item_id, actor.id, &learner.memory, now).await?;
        }
    }
    let (attempt, new) = match attempt_store::current(&mut tx, item_id, actor.id, sco).await? {
        Some(a) => (a, false),
        None => {
            let mut started = attempt_store::start(&mut tx, item_id, actor.id, sco, now).await?;
            if let Some(cmi) = initial_objectives(&target.sco)? {
                attempt_store::set_values(&mut tx, started.id, &cmi).await?;
                started.cmi = cmi;
            }
            (started, true)
        }
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
        launch: launch_of(
            actor,
            target.structure.version,
            &target.sco,
            true,
            entry,
            &attempt.total_time,
        ),
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
    let version = target.structure.version;
    let launch = launch_of(actor, version, &target.sco, true, "", &attempt.total_time);
    let kept = values_of(&attempt.cmi)?;
    let applied = match version {
        Version::Scorm12 => apply_12(launch, kept, changes, finish, &attempt)?,
        Version::Scorm2004(_) => apply_2004(launch, kept, changes, finish, &attempt)?,
    };
    let Applied {
        values,
        status,
        score,
        total_time,
        suspended,
    } = applied;
    let kept = serde_json::to_string(&values).map_err(|e| internal("writing a SCO's values", e))?;
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
    if score != attempt.score {
        grade(&mut tx, &target, item_id, actor.id, now).await?;
    }
    if finish {
        complete_if_done(
            &mut tx,
            actor,
            target.course_id,
            &target.structure,
            item_id,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What a commit leaves in the attempt's record.
struct Applied {
    values: BTreeMap<String, String>,
    /// `completed`, `passed`, `failed`, `incomplete` or `not attempted` (both versions).
    status: String,
    /// As a percentage.
    score: Option<f64>,
    total_time: String,
    suspended: bool,
}

fn refused(element: &str, message: &str, code: u16) -> AppError {
    AppError::BadRequest(format!("{element}: {message} ({code})"))
}

/// A SCORM 1.2 commit: the values checked again, the status settled by the LMS's rules when the
/// session ends.
fn apply_12(
    launch: Launch,
    kept: BTreeMap<String, String>,
    changes: &BTreeMap<String, String>,
    finish: bool,
    attempt: &attempt_store::AttemptRow,
) -> Result<Applied, AppError> {
    let mut cmi = Cmi::new(launch, kept);
    // Arrays in index order (a map sorts entry 10 before entry 2).
    cmi.set_all(changes)
        .map_err(|(element, e)| refused(&element, e.message(), e.code()))?;
    let score = percent_12(&cmi.values);
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
    Ok(Applied {
        values: cmi.values,
        status,
        score,
        total_time,
        suspended,
    })
}

/// A SCORM 2004 commit: completion and success by the run-time's rules (threshold, passing
/// score), the scaled score as the percentage.
fn apply_2004(
    launch: Launch,
    kept: BTreeMap<String, String>,
    changes: &BTreeMap<String, String>,
    finish: bool,
    attempt: &attempt_store::AttemptRow,
) -> Result<Applied, AppError> {
    let mut cmi = cmi2004::Cmi::new(launch, kept);
    // In dependency order (an interaction's id before its type, its type before its responses).
    cmi.set_all(changes)
        .map_err(|(element, e)| refused(&element, e.message(), e.code()))?;
    let outcome = cmi.outcome();
    let status = match (outcome.success.as_str(), outcome.completion.as_str()) {
        ("passed", _) => "passed",
        ("failed", _) => "failed",
        (_, "completed") => "completed",
        (_, "not attempted") if !finish => "not attempted",
        _ => "incomplete",
    }
    .to_string();
    let score = match outcome.score {
        Some(scaled) => Some((scaled * 100.0).clamp(0.0, 100.0)),
        None => percent_of(&cmi.values, "cmi.score"),
    };
    let (total_time, suspended) = if finish {
        for own in ["cmi.session_time", "cmi.exit", "adl.nav.request"] {
            cmi.values.remove(own);
        }
        (outcome.total_time, outcome.suspended)
    } else {
        (attempt.total_time.clone(), attempt.suspended)
    };
    Ok(Applied {
        values: cmi.values,
        status,
        score,
        total_time,
        suspended,
    })
}

/// A SCORM 1.2 score as a percentage: `raw` placed between `min` and `max` when the SCO gives a
/// range, else `raw` itself (the scale 1.2 asks for is 0–100).
fn percent_12(values: &BTreeMap<String, String>) -> Option<f64> {
    percent_of(values, "cmi.core.score")
}

/// `raw` of the score under `prefix` as a percentage of its `min`..`max` (0–100 without them).
fn percent_of(values: &BTreeMap<String, String>, prefix: &str) -> Option<f64> {
    let number = |k: &str| {
        values
            .get(&format!("{prefix}.{k}"))
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    let raw = number("raw")?;
    let min = number("min").unwrap_or(0.0);
    let percent = match number("max") {
        Some(max) if max > min => (raw - min) / (max - min) * 100.0,
        _ => raw,
    };
    Some(percent.clamp(0.0, 100.0))
}

/// The learner's grade for the package: the mean of the scores their SCOs report (most packages
/// have one SCO), out of 100 points in the gradebook.
async fn grade(
    tx: &mut Tx,
    target: &Target,
    item_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    let scores = attempt_store::scores(tx, item_id, user_id).await?;
    if scores.is_empty() {
        return Ok(());
    }
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    crate::grading::service::record_reported_grade(
        tx,
        target.course_id,
        item_id,
        ItemKind::Scorm,
        user_id,
        Some(mean),
        now,
    )
    .await
}

/// The item is done when every SCO of the package is completed or passed, or (SCORM 2004)
/// when the organization rolls up as completed: a package's rollup rules may ask for less (a
/// post-test passed, one test of several taken) than every SCO.
async fn complete_if_done(
    tx: &mut Tx,
    actor: &Actor,
    course_id: i64,
    structure: &Structure,
    item_id: i64,
    now: i64,
) -> Result<(), AppError> {
    let user_id = actor.id;
    let done = attempt_store::done_scos(tx, item_id, user_id).await?;
    let all = structure
        .launchable()
        .filter(|i| i.sco)
        .all(|i| done.contains(&i.identifier));
    let rolled_up = structure.version != Version::Scorm12 && {
        let (activities, learner) = learner_tree(tx, actor, item_id, structure).await?;
        sequencing::evaluate(&activities, &structure.sequencing, &learner).completed == Some(true)
    };
    if all || rolled_up {
        crate::completion::service::item_done(tx, course_id, user_id, item_id, true, now).await?;
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
    attempt_store::archive(tx, item_id, user_id, now)
        .await
        .map(drop)
}

#[cfg(test)]
mod tests {
    #[test]
    fn scores_become_percentages_of_the_range_the_sco_gives() {
        let values = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (format!("cmi.core.score.{k}"), v.to_string()))
                .collect::<super::BTreeMap<_, _>>()
        };
        assert_eq!(super::percent_12(&values(&[("raw", "85")])), Some(85.0));
        assert_eq!(
            super::percent_12(&values(&[("raw", "7"), ("min", "0"), ("max", "10")])),
            Some(70.0)
        );
        assert_eq!(
            super::percent_12(&values(&[("raw", "15"), ("min", "10"), ("max", "20")])),
            Some(50.0)
        );
        assert_eq!(super::percent_12(&values(&[("raw", "250")])), Some(100.0));
        assert_eq!(super::percent_12(&values(&[("raw", "")])), None);
        assert_eq!(super::percent_12(&values(&[])), None);
    }

    #[test]
    fn names_are_given_last_name_first() {
        assert_eq!(
            super::student_name("Ada King Lovelace"),
            "Lovelace, Ada King"
        );
        assert_eq!(super::student_name("Plato"), "Plato");
    }
}
