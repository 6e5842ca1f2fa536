//! The instructor's view of a cmi5 course: each learner's AUs (paged), waiving an AU for a
//! learner (cmi5 §9.3.7: the LMS writes "waived", and moveOn counts the AU as satisfied, so the
//! block, the course and the item may follow), and resetting a learner's registration so that
//! they start afresh (the old one stays on record with its statements).

use super::launch::{actor_of, au_activity_id, refusal};
use super::lrs::{self, Progress};
use super::model::{AuResult, LearnerResult, Results, WAIVER_REASONS};
use super::moveon::{self, AuObject, Envelope};
use super::service::{course_of, structure_of};
use super::store::{self, RecordRow, ResultRow};
use super::structure::{Au, Course};
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::{CourseRole, EnrolmentStatus};
use crate::db::now;
use crate::error::AppError;
use crate::paging::Page;
use crate::state::AppState;
use std::collections::HashMap;

const PER_PAGE: u32 = 50;

/// The item's course, what the actor may do in it, and its cmi5 course (`None`: nothing
/// uploaded yet), for someone who may see the learners.
async fn report_of(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<(i64, CourseAccess, Option<Course>), AppError> {
    let course_id = course_of(state, item_id).await?;
    let access =
        access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let course = match store::find(&state.db, item_id).await? {
        Some(row) => Some(structure_of(&row)?),
        None => None,
    };
    Ok((course_id, access, course))
}

/// One page of the course's learners with every AU of the course.
pub async fn results(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    page: u32,
) -> Result<Results, AppError> {
    let (course_id, access, course) = report_of(state, actor, item_id).await?;
    let course_au_id = course.as_ref().map_or("", |c| c.id.as_str());
    let (learners, started, satisfied) =
        store::result_counts(&state.db, course_id, item_id, course_au_id).await?;
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(PER_PAGE);
    let rows = store::results(&state.db, course_id, item_id, PER_PAGE.into(), offset).await?;
    Ok(Results {
        aus: course.as_ref().map_or_else(Vec::new, |c| {
            c.aus().iter().map(|au| au.title.clone()).collect()
        }),
        learners,
        started,
        satisfied,
        may_manage: access.may_edit(),
        page: Page {
            items: lines(rows, course.as_ref()),
            total: learners,
            total_capped: false,
            page,
            per_page: PER_PAGE,
        },
    })
}

/// Every learner's line, as CSV: one column per AU (in words), then the course, score and
/// last activity.
pub async fn export_csv(state: &AppState, actor: &Actor, item_id: i64) -> Result<String, AppError> {
    let (course_id, _, course) = report_of(state, actor, item_id).await?;
    let rows = store::results(&state.db, course_id, item_id, i64::MAX, 0).await?;
    let aus: Vec<String> = course.as_ref().map_or_else(Vec::new, |c| {
        c.aus().iter().map(|au| au.title.clone()).collect()
    });
    let mut out = crate::spreadsheet::CsvOut::new();
    let mut header = vec!["name".to_string(), "email".to_string()];
    header.extend(aus.iter().cloned());
    header.extend(["course", "score_percent", "last_activity"].map(String::from));
    out.row(header.iter().map(String::as_str))?;
    for line in lines(rows, course.as_ref()) {
        let mut cells = vec![line.name.clone(), line.email.clone()];
        cells.extend(line.aus.iter().map(|a| a.label().to_string()));
        cells.push(
            match (line.satisfied, line.started) {
                (true, _) => "Satisfied",
                (false, true) => "In progress",
                (false, false) => "Not started",
            }
            .to_string(),
        );
        cells.push(line.score.map(|s| format!("{s:.2}")).unwrap_or_default());
        cells.push(
            line.last_seen
                .map(crate::ui::format::datetime)
                .unwrap_or_default(),
        );
        out.row(cells.iter().map(String::as_str))?;
    }
    out.finish()
}

/// Rows ordered by learner made into one line per learner.
fn lines(rows: Vec<ResultRow>, course: Option<&Course>) -> Vec<LearnerResult> {
    let aus = course.map_or_else(Vec::new, |c| c.aus());
    let mut out: Vec<LearnerResult> = Vec::new();
    let mut group: Vec<ResultRow> = Vec::new();
    for row in rows {
        if group.first().is_some_and(|g| g.user_id != row.user_id) {
            out.push(line(&std::mem::take(&mut group), course, &aus));
        }
        group.push(row);
    }
    if !group.is_empty() {
        out.push(line(&group, course, &aus));
    }
    out
}

fn line(group: &[ResultRow], course: Option<&Course>, aus: &[&Au]) -> LearnerResult {
    let first = group.first();
    let records: HashMap<&str, &ResultRow> = group
        .iter()
        .filter_map(|r| Some((r.au_id.as_deref()?, r)))
        .collect();
    let mark = |id: &str| {
        records
            .get(id)
            .map_or_else(AuResult::default, |r| AuResult {
                completed: r.completed.unwrap_or(false),
                passed: r.passed.unwrap_or(false),
                failed: r.failed.unwrap_or(false),
                waived: r.waived.unwrap_or(false),
                satisfied: r.satisfied.unwrap_or(false),
            })
    };
    let scores: Vec<f64> = aus
        .iter()
        .filter_map(|au| records.get(au.id.as_str())?.score)
        .collect();
    LearnerResult {
        user_id: first.map_or(0, |r| r.user_id),
        name: first.map(|r| r.name.clone()).unwrap_or_default(),
        email: first.map(|r| r.email.clone()).unwrap_or_default(),
        started: first.is_some_and(|r| r.registration.is_some()),
        satisfied: course.is_some_and(|c| mark(&c.id).satisfied),
        aus: aus.iter().map(|au| mark(&au.id)).collect(),
        score: (!scores.is_empty())
            .then(|| 100.0 * scores.iter().sum::<f64>() / scores.len() as f64),
        last_seen: first.and_then(|r| r.last_seen),
    }
}

/// The course's item and structure, for an instructor who may change it.
async fn managed(state: &AppState, actor: &Actor, item_id: i64) -> Result<(i64, Course), AppError> {
    let course_id = course_of(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let row = store::find(&state.db, item_id).await?.ok_or_else(|| {
        AppError::Conflict("No package has been uploaded to this item yet.".into())
    })?;
    Ok((course_id, structure_of(&row)?))
}

async fn require_learner(state: &AppState, course_id: i64, user_id: i64) -> Result<(), AppError> {
    let enrolment = crate::enrolments::store::find(&state.db, course_id, user_id).await?;
    match enrolment {
        Some(e) if e.role() == CourseRole::Learner && e.status() == EnrolmentStatus::Active => {
            Ok(())
        }
        _ => Err(AppError::invalid(
            "user_id",
            "This person is not a learner of this course.",
        )),
    }
}

/// Waives the AU at `index` for a learner, for one of the reasons cmi5 names.
pub async fn waive(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    user_id: i64,
    index: usize,
    reason: &str,
) -> Result<(), AppError> {
    let (course_id, course) = managed(state, actor, item_id).await?;
    let reason = WAIVER_REASONS
        .into_iter()
        .find(|r| *r == reason)
        .ok_or_else(|| AppError::invalid("reason", "Choose why the AU is waived."))?;
    let au = course
        .aus()
        .into_iter()
        .nth(index)
        .cloned()
        .ok_or_else(|| AppError::invalid("au", "Choose an AU of the course."))?;
    require_learner(state, course_id, user_id).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let fresh = uuid::Uuid::new_v4().to_string();
    let registration = store::registration_or_new(&mut tx, &fresh, item_id, user_id, now).await?;
    store::lock_registration(&mut tx, &registration).await?;
    let mut records: HashMap<String, RecordRow> = store::records_in(&mut tx, &registration)
        .await?
        .into_iter()
        .map(|r| (r.au_id.clone(), r))
        .collect();
    let mut record = records.get(&au.id).cloned().unwrap_or_else(|| RecordRow {
        au_id: au.id.clone(),
        ..RecordRow::default()
    });
    if record.satisfied {
        return Err(AppError::Conflict(format!(
            "“{}” is satisfied already for this learner: there is nothing to waive.",
            au.title
        )));
    }
    (record.waived, record.satisfied) = (true, true);
    store::put_record(&mut tx, &registration, &record, now).await?;
    records.insert(au.id.clone(), record);

    let learner = actor_of(state, user_id);
    // A waiver happens outside any AU session: its statements get a session id of their own.
    let session_id = uuid::Uuid::new_v4().to_string();
    let statement_id = uuid::Uuid::new_v4().to_string();
    let activity_id = au_activity_id(state, item_id, &au.id);
    let mut statements = vec![moveon::waived_statement(
        &Envelope {
            id: &statement_id,
            actor: &learner,
            registration: &registration,
            session_id: &session_id,
            timestamp: chrono::DateTime::from_timestamp(now, 0).unwrap_or_default(),
        },
        &AuObject {
            activity_id: &activity_id,
            publisher_id: &au.id,
        },
        reason,
    )];
    let progress = Progress {
        course_id,
        item_id,
        user_id,
        registration: &registration,
        session_id: &session_id,
        actor: &learner,
        course: &course,
    };
    let satisfied = lrs::satisfy(&mut tx, state, &progress, &records, now)
        .await
        .map_err(refusal)?;
    statements.extend(satisfied);
    lrs::grade(&mut tx, &progress, &records, now).await?;
    crate::xapi::service::record_lms_statements(&mut tx, state, statements)
        .await
        .map_err(refusal)?;
    let summary = format!("{} for user {user_id}: {reason}", au.title);
    let entry = Entry::new("cmi5.waive", "item", Some(item_id), summary);
    audit::record(&mut tx, actor, entry, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Starts a learner afresh: their registration is archived (kept on record, with its
/// statements) and their next launch begins a new one. The item's completion and grade stay
/// as earned until the course reports again.
pub async fn reset(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    let course_id = course_of(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    if store::registration(&state.db, item_id, user_id)
        .await?
        .is_none()
    {
        return Err(AppError::Conflict(
            "This learner has not started the course: there is nothing to reset.".into(),
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    store::archive_registration(&mut tx, item_id, user_id, now).await?;
    let entry = Entry::new(
        "cmi5.reset",
        "item",
        Some(item_id),
        format!("user {user_id}"),
    );
    audit::record(&mut tx, actor, entry, now).await?;
    tx.commit().await?;
    Ok(())
}
