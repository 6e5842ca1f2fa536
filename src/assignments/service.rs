//! Assignment use cases. Learners keep a draft (text and files), hand it in before the cut-off
//! (late after the due date) and, when allowed, take it back to hand in again. Graders mark with
//! points or a rubric, write feedback (text and files), and release the grades; until then
//! learners see none of it. The gradebook gets the points after any late penalty.

use super::model::*;
use super::store::{self, GradeWrite, SubmissionRow as Stored};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::FileInfo;
use crate::db::{Tx, now};
use crate::error::{AppError, OrInternal};
use crate::files::records;
use crate::files::service as files;
use crate::grading::store as grade_store;
use crate::notifications::model::Kind;
use crate::notifications::service::{self as notifications, Notice};
use crate::overrides::store as override_store;
use crate::state::AppState;
use axum::body::Bytes;
use futures_util::Stream;

/// Learners listed per page.
pub const PER_PAGE: u32 = 50;
const MAX_BODY: usize = 200_000;
const MAX_FEEDBACK: usize = 50_000;

/// The assignment's course, title and settings, or `NotFound` when the item is not one.
pub async fn find(
    state: &AppState,
    item_id: i64,
) -> Result<(i64, String, AssignmentSettings), AppError> {
    store::settings(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Makes a new item an assignment (from the course editor), with its gradebook column, hidden
/// until grades are released.
pub async fn create(tx: &mut Tx, item_id: i64, course_id: i64, now: i64) -> Result<(), AppError> {
    store::insert(tx, item_id, course_id, now).await?;
    let source = grade_store::Source::Assignment { max_points: 100.0 };
    grade_store::source_item(tx, course_id, item_id, source, now).await?;
    Ok(())
}

/// An assignment made by an import (a cartridge): its points possible, when the source gave
/// them, in the import's transaction. Hook: `items::registry::imported`.
pub async fn imported(
    tx: &mut Tx,
    course_id: i64,
    item_id: i64,
    points: Option<f64>,
    now: i64,
) -> Result<(), AppError> {
    let Some(points) = points.filter(|p| p.is_finite() && *p > 0.0) else {
        return Ok(());
    };
    let Some((_, mut settings)) = store::course_and_settings_in_tx(tx, item_id).await? else {
        return Err(AppError::NotFound);
    };
    settings.max_points = points.min(100_000.0);
    store::save_settings(tx, item_id, &settings, now).await?;
    crate::grading::service::assignment_changed(
        tx,
        course_id,
        item_id,
        settings.max_points,
        &[],
        now,
    )
    .await
}

/// The points each of the course's assignments is worth, as an export (a cartridge) carries
/// them. Hook: `items::registry::exported`.
pub async fn exported(
    state: &AppState,
    course_id: i64,
) -> Result<std::collections::HashMap<i64, f64>, AppError> {
    Ok(store::points_of_course(&state.db, course_id)
        .await?
        .into_iter()
        .collect())
}

/// An assignment in a course copy: the same settings, no work.
pub async fn copy(
    tx: &mut Tx,
    from: i64,
    to: i64,
    course_id: i64,
    now: i64,
) -> Result<(), AppError> {
    store::copy(tx, from, to, course_id, now).await
}

pub async fn editor(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<AssignmentEditor, AppError> {
    let (course_id, title, settings) = find(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    Ok(AssignmentEditor {
        item_id,
        course_id,
        title,
        settings,
        rubric_locked: store::rubric_graded_count(&state.db, item_id).await? > 0,
    })
}

/// Saves the settings. The gradebook follows: new points possible, and every graded learner's
/// points again (the due date or the late rule may have changed).
pub async fn save_settings(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    form: &AssignmentSettingsForm,
) -> Result<AssignmentSettings, AppError> {
    let (course_id, _, old) = find(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let settings = form.parse()?;
    if settings.rubric != old.rubric && store::rubric_graded_count(&state.db, item_id).await? > 0 {
        return Err(AppError::invalid(
            "rubric",
            "Work has been graded with this rubric, so its criteria and levels cannot change.",
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    store::save_settings(&mut tx, item_id, &settings, now).await?;
    let overrides = override_store::for_item_in_tx(&mut tx, item_id).await?;
    let graded: Vec<(i64, Option<f64>)> = graded_rows(&mut tx, item_id)
        .await?
        .iter()
        .map(|s| {
            let own = settings.for_learner(overrides.get(&s.user_id));
            (s.user_id, final_points(&own, s))
        })
        .collect();
    crate::grading::service::assignment_changed(
        &mut tx,
        course_id,
        item_id,
        settings.max_points,
        &graded,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(settings)
}

async fn graded_rows(tx: &mut Tx, item_id: i64) -> Result<Vec<Stored>, AppError> {
    store::graded_in_tx(tx, item_id).await
}

/// A learner's dates changed (an override set or removed): their graded work is counted again
/// with the late penalty their due date gives. Hook: `items::registry::dates_changed`.
pub async fn dates_changed(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    let Some((course_id, settings)) = store::course_and_settings_in_tx(tx, item_id).await? else {
        return Ok(());
    };
    let Some(row) = store::graded_one_in_tx(tx, item_id, user_id).await? else {
        return Ok(());
    };
    let own = override_store::for_learner_in_tx(tx, item_id, user_id).await?;
    let points = final_points(&settings.for_learner(own.as_ref()), &row);
    crate::grading::service::record_assignment_grade(
        tx,
        course_id,
        item_id,
        settings.max_points,
        user_id,
        points,
        now,
    )
    .await
}

fn final_points(settings: &AssignmentSettings, s: &Stored) -> Option<f64> {
    s.raw_points
        .map(|raw| settings.final_points(raw, s.submitted_at))
}

/// The item's assignment for someone who may hand in work: an enrolled learner who can see it.
async fn as_learner(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<(i64, AssignmentSettings), AppError> {
    let (course_id, _, settings) = find(state, item_id).await?;
    let access = access::item_visible(&state.db, actor, course_id, item_id).await?;
    if !access.is_learner() {
        return Err(AppError::invalid(
            "body",
            "Only learners of this course hand in work.",
        ));
    }
    let own = override_store::for_learner(&state.db, item_id, actor.id).await?;
    Ok((course_id, settings.for_learner(own.as_ref())))
}

/// The learner's own page. Staff previewing the item get the instructions and no work.
pub async fn mine(state: &AppState, actor: &Actor, item_id: i64) -> Result<MyAssignment, AppError> {
    let (course_id, _, item_settings) = find(state, item_id).await?;
    let access = access::item_visible(&state.db, actor, course_id, item_id).await?;
    let now = now();
    let learner = access.is_learner();
    let (row, own) = if learner {
        (
            store::submission(&state.db, item_id, actor.id).await?,
            override_store::for_learner(&state.db, item_id, actor.id).await?,
        )
    } else {
        (None, None)
    };
    // The learner's own dates: an extension shows as their due date.
    let settings = item_settings.for_learner(own.as_ref());
    let work = match &row {
        Some(r) => file_infos(store::files_of(&state.db, &[r.id], "work").await?),
        None => Vec::new(),
    };
    let closed = settings.closed(now);
    let submitted = row.as_ref().is_some_and(Stored::submitted);
    let released = released(state, item_id).await?;
    let grade = match &row {
        Some(r) if released && r.graded_at.is_some() => Some(ReleasedGrade {
            raw_points: r.raw_points,
            points: final_points(&settings, r),
            max_points: settings.max_points,
            penalty_percent: penalty_percent(&settings, r),
            rubric_levels: r.rubric_levels(),
            feedback_html: crate::courses::content::render_markdown(&r.feedback),
            feedback_files: file_infos(store::files_of(&state.db, &[r.id], "feedback").await?),
        }),
        _ => None,
    };
    Ok(MyAssignment {
        item_id,
        course_id,
        now,
        status: status(row.as_ref()),
        body: row.as_ref().map(|r| r.body.clone()).unwrap_or_default(),
        version: row.as_ref().map(|r| r.version).unwrap_or(0),
        files: work,
        submitted_at: row.as_ref().and_then(|r| r.submitted_at),
        submit_count: row.as_ref().map(|r| r.submit_count).unwrap_or(0),
        may_edit: learner && !closed && !submitted,
        may_reopen: learner && !closed && submitted && settings.resubmit,
        staff: access.may_see_learners(),
        grade,
        own_dates: own.is_some(),
        settings,
    })
}

fn status(row: Option<&Stored>) -> SubmissionStatus {
    match row {
        Some(r) if r.submitted() => SubmissionStatus::Submitted,
        Some(r) if !r.body.trim().is_empty() || r.version > 1 => SubmissionStatus::Draft,
        _ => SubmissionStatus::NotStarted,
    }
}

fn penalty_percent(settings: &AssignmentSettings, r: &Stored) -> f64 {
    match r.submitted_at {
        Some(at) => 100.0 - settings.final_points(100.0, Some(at)),
        None => 0.0,
    }
}

fn file_infos(rows: Vec<(i64, records::FileRow)>) -> Vec<FileInfo> {
    rows.iter().map(|(_, f)| f.info()).collect()
}

/// Whether the assignment's grades are released (its gradebook column is visible to learners).
async fn released(state: &AppState, item_id: i64) -> Result<bool, AppError> {
    Ok(grade_store::item_of_source(&state.db, item_id)
        .await?
        .is_some_and(|(_, hidden)| !hidden))
}

/// `as_learner`, while the assignment still takes work (before the cut-off); `field` is where
/// the refusal shows.
async fn open_for_work(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    field: &str,
) -> Result<(i64, AssignmentSettings), AppError> {
    let found = as_learner(state, actor, item_id).await?;
    if found.1.closed(now()) {
        return Err(closed_error(field));
    }
    Ok(found)
}

fn closed_error(field: &str) -> AppError {
    AppError::invalid(
        field,
        "The cut-off date has passed: this assignment no longer takes work.",
    )
}

fn handed_in(field: &str) -> AppError {
    AppError::invalid(
        field,
        "This work has been handed in, so it can no longer change.",
    )
}

fn stale_draft() -> AppError {
    AppError::Conflict(
        "Your work was changed in another window or tab. Reload the page to see the latest version; what you typed here is kept in this browser.".into(),
    )
}

/// Saves the draft's text. A save made from an older version than the stored one is refused,
/// so another tab's newer text is never overwritten unseen. Returns the new version.
pub async fn save_draft(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    draft: &DraftSave,
) -> Result<i32, AppError> {
    let (course_id, settings) = open_for_work(state, actor, item_id, "body").await?;
    let now = now();
    if !settings.accept_text {
        return Err(AppError::invalid(
            "body",
            "This assignment takes files only.",
        ));
    }
    if draft.body.len() > MAX_BODY {
        return Err(AppError::invalid(
            "body",
            "Your text can be at most 200,000 characters; hand in longer work as a file.",
        ));
    }
    let mut tx = state.db.begin().await?;
    let id = store::ensure_submission(&mut tx, item_id, course_id, actor.id, now).await?;
    let row = store::submission_in_tx(&mut tx, id).await?;
    if row.submitted() {
        return Err(AppError::Conflict(
            "This work has been handed in, so it can no longer change.".into(),
        ));
    }
    if !store::save_body(&mut tx, id, &draft.body, draft.version, now).await? {
        return Err(stale_draft());
    }
    let version = store::submission_in_tx(&mut tx, id).await?.version;
    tx.commit().await?;
    Ok(version)
}

/// Hands the draft in (as it is at `version`). Work after the due date is late; after the
/// cut-off it is refused. The item counts as complete for the learner.
pub async fn submit(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    version: i32,
) -> Result<(), AppError> {
    let (course_id, settings) = open_for_work(state, actor, item_id, "submit").await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let id = store::ensure_submission(&mut tx, item_id, course_id, actor.id, now).await?;
    let row = store::submission_in_tx(&mut tx, id).await?;
    if row.submitted() {
        return Err(AppError::Conflict(
            "This work has already been handed in.".into(),
        ));
    }
    if row.version != version.max(1) {
        return Err(stale_draft());
    }
    let has_text = settings.accept_text && !row.body.trim().is_empty();
    let has_files = settings.accept_files && store::file_count(&mut tx, id, "work").await? > 0;
    if !has_text && !has_files {
        return Err(AppError::invalid(
            "submit",
            match (settings.accept_text, settings.accept_files) {
                (true, true) => "Write your answer or add a file before handing in.",
                (true, false) => "Write your answer before handing in.",
                _ => "Add a file before handing in.",
            },
        ));
    }
    store::set_submitted(&mut tx, id, now).await?;
    crate::completion::service::item_done(&mut tx, course_id, actor.id, item_id, true, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes handed-in work back to a draft, to hand it in again (when the assignment allows it and
/// the cut-off has not passed). A grade already given stays until the work is graded again.
pub async fn reopen(state: &AppState, actor: &Actor, item_id: i64) -> Result<(), AppError> {
    let (course_id, settings) = open_for_work(state, actor, item_id, "reopen").await?;
    let now = now();
    if !settings.resubmit {
        return Err(AppError::invalid(
            "reopen",
            "This assignment takes one submission only.",
        ));
    }
    let mut tx = state.db.begin().await?;
    let id = store::ensure_submission(&mut tx, item_id, course_id, actor.id, now).await?;
    if !store::submission_in_tx(&mut tx, id).await?.submitted() {
        return Ok(());
    }
    store::reopen(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks, before a file is read, that the learner may add one more to their draft.
pub async fn authorize_work_upload(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<i64, AppError> {
    let (course_id, settings) = open_for_work(state, actor, item_id, "file").await?;
    if !settings.accept_files {
        return Err(AppError::invalid(
            "file",
            "This assignment takes text only.",
        ));
    }
    if let Some(row) = store::submission(&state.db, item_id, actor.id).await? {
        if row.submitted() {
            return Err(handed_in("file"));
        }
        let count = store::files_of(&state.db, &[row.id], "work").await?.len();
        if count >= settings.max_files as usize {
            return Err(AppError::invalid(
                "file",
                format!(
                    "You can hand in at most {}. Remove one to add another.",
                    crate::ui::format::plural(settings.max_files, "file", "files")
                ),
            ));
        }
    }
    Ok(course_id)
}

/// Adds an uploaded file to the learner's draft (seen only by them and the course's staff).
pub async fn upload_work<S, E>(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    name: &str,
    chunks: S,
) -> Result<FileInfo, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let course_id = authorize_work_upload(state, actor, item_id).await?;
    let target = Attach {
        item_id,
        course_id,
        learner_id: actor.id,
        purpose: "work",
    };
    store_and_attach(state, actor, &target, name, chunks).await
}

/// Where an uploaded file goes: a learner's work, or the feedback written for them.
struct Attach {
    item_id: i64,
    course_id: i64,
    learner_id: i64,
    purpose: &'static str,
}

/// Stores an upload private to the learner and links it to their submission. Work can only be
/// added to a draft; both kinds count as a change (the learner's, or the grading's). When the
/// link fails, the stored file goes again.
async fn store_and_attach<S, E>(
    state: &AppState,
    actor: &Actor,
    to: &Attach,
    name: &str,
    chunks: S,
) -> Result<FileInfo, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let file = files::store_upload(
        state,
        actor,
        to.course_id,
        Some(to.learner_id),
        name,
        chunks,
    )
    .await?;
    let attached = async {
        let now = now();
        let mut tx = state.db.begin().await?;
        let id =
            store::ensure_submission(&mut tx, to.item_id, to.course_id, to.learner_id, now).await?;
        if to.purpose == "work" {
            if store::submission_in_tx(&mut tx, id).await?.submitted() {
                return Err(handed_in("file"));
            }
            store::touch(&mut tx, id, now).await?;
        } else {
            store::touch_grade(&mut tx, id).await?;
        }
        store::attach_file(&mut tx, id, file.id, to.purpose).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(e) = attached {
        delete_file(state, file.id).await?;
        return Err(e);
    }
    Ok(file)
}

/// Removes a file from the learner's draft.
pub async fn remove_work_file(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    file_id: i64,
) -> Result<(), AppError> {
    let (course_id, _) = open_for_work(state, actor, item_id, "file").await?;
    let row = store::submission(&state.db, item_id, actor.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.submitted() {
        return Err(handed_in("file"));
    }
    if !store::has_file(&state.db, row.id, file_id, "work").await? {
        return Err(AppError::NotFound);
    }
    delete_file(state, file_id).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    store::ensure_submission(&mut tx, item_id, course_id, actor.id, now).await?;
    store::touch(&mut tx, row.id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes every file handed in or given as feedback on an assignment (before it is deleted).
pub async fn delete_all_files(state: &AppState, item_id: i64) -> Result<(), AppError> {
    for file_id in store::all_file_ids(&state.db, item_id).await? {
        delete_file(state, file_id).await?;
    }
    Ok(())
}

/// Deletes a file record (its link to a submission goes with it) and, when no other record uses
/// the stored blob, the blob.
async fn delete_file(state: &AppState, file_id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let orphan = records::delete_file(&mut tx, file_id).await?;
    tx.commit().await?;
    if let Some(key) = orphan {
        state.files.delete(&key).await?;
    }
    Ok(())
}

/// The assignment for a grader: the course's staff who see learners.
async fn as_grader(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<(i64, String, AssignmentSettings), AppError> {
    let found = find(state, item_id).await?;
    access::require(&state.db, actor, found.0, CourseAccess::may_see_learners).await?;
    Ok(found)
}

/// The learner must be enrolled as one (a grade for anybody else is refused).
async fn require_learner(state: &AppState, course_id: i64, user_id: i64) -> Result<(), AppError> {
    let learner = access::load(&state.db, &Actor::other_person(user_id), course_id).await?;
    if learner.is_learner() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    filter: SubmissionFilter,
    page: u32,
) -> Result<SubmissionList, AppError> {
    let (course_id, title, settings) = as_grader(state, actor, item_id).await?;
    let page = page.max(1);
    let (rows, total) = store::learners_work(
        &state.db,
        item_id,
        course_id,
        settings.due_at,
        filter,
        PER_PAGE,
        page,
    )
    .await?;
    let (learners, submitted, needs_grading, late) =
        store::counts(&state.db, item_id, course_id, settings.due_at).await?;
    let overrides = override_store::for_item(&state.db, item_id).await?;
    Ok(SubmissionList {
        item_id,
        course_id,
        title,
        max_points: settings.max_points,
        due_at: settings.due_at,
        released: released(state, item_id).await?,
        counts: SubmissionCounts {
            learners,
            submitted,
            needs_grading,
            late,
        },
        rows: rows
            .into_iter()
            .map(|w| {
                let needs_grading = w.needs_grading();
                let settings = settings.for_learner(overrides.get(&w.user_id));
                SubmissionRow {
                    user_id: w.user_id,
                    name: w.name,
                    email: w.email,
                    status: match w.status.as_deref() {
                        Some("submitted") => SubmissionStatus::Submitted,
                        Some(_) => SubmissionStatus::Draft,
                        None => SubmissionStatus::NotStarted,
                    },
                    submitted_at: w.submitted_at,
                    late_by: w.submitted_at.and_then(|at| settings.late_by(at)),
                    file_count: w.file_count,
                    points: w
                        .raw_points
                        .map(|raw| settings.final_points(raw, w.submitted_at)),
                    needs_grading,
                }
            })
            .collect(),
        filter,
        page,
        per_page: PER_PAGE,
        total,
    })
}

pub async fn detail(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    user_id: i64,
) -> Result<SubmissionDetail, AppError> {
    let (course_id, title, settings) = as_grader(state, actor, item_id).await?;
    require_learner(state, course_id, user_id).await?;
    let person = crate::users::store::find(&state.db, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = store::submission(&state.db, item_id, user_id).await?;
    let ids: Vec<i64> = row.iter().map(|r| r.id).collect();
    let (previous, next) = store::neighbours(&state.db, course_id, user_id).await?;
    Ok(SubmissionDetail {
        item_id,
        course_id,
        title,
        user_id,
        name: person.name,
        email: person.email,
        status: status(row.as_ref()),
        body_html: row
            .as_ref()
            .map(|r| crate::courses::content::render_markdown(&r.body))
            .unwrap_or_default(),
        files: file_infos(store::files_of(&state.db, &ids, "work").await?),
        feedback_files: file_infos(store::files_of(&state.db, &ids, "feedback").await?),
        submitted_at: row.as_ref().and_then(|r| r.submitted_at),
        submit_count: row.as_ref().map(|r| r.submit_count).unwrap_or(0),
        late_by: row
            .as_ref()
            .and_then(|r| r.submitted_at)
            .and_then(|at| settings.late_by(at)),
        penalty_percent: row
            .as_ref()
            .map(|r| penalty_percent(&settings, r))
            .unwrap_or(0.0),
        raw_points: row.as_ref().and_then(|r| r.raw_points),
        rubric_levels: row.as_ref().map(Stored::rubric_levels).unwrap_or_default(),
        feedback: row.as_ref().map(|r| r.feedback.clone()).unwrap_or_default(),
        graded_at: row.as_ref().and_then(|r| r.graded_at),
        grade_version: row.as_ref().map(|r| r.grade_version).unwrap_or(0),
        released: released(state, item_id).await?,
        previous,
        next,
        settings,
    })
}

/// Grades one learner's work (handed in or not: no work can be graded too). A grade made from an
/// older version than the stored one is refused, so graders never overwrite each other unseen.
pub async fn grade(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    user_id: i64,
    input: &GradeInput,
) -> Result<GradeSaved, AppError> {
    let (course_id, _, settings) = as_grader(state, actor, item_id).await?;
    require_learner(state, course_id, user_id).await?;
    let (raw, rubric_marks) = if settings.rubric.is_empty() {
        let typed = input.points.trim();
        let raw = if typed.is_empty() {
            None
        } else {
            match crate::input::parse_number(typed) {
                Some(v) if (0.0..=settings.max_points).contains(&v) => Some(v),
                _ => {
                    return Err(AppError::invalid(
                        "points",
                        format!(
                            "Enter points from 0 to {}, or leave it empty.",
                            crate::grading::model::format_points(settings.max_points)
                        ),
                    ));
                }
            }
        };
        (raw, None)
    } else {
        let chosen = input.rubric_levels.iter().filter(|l| l.is_some()).count();
        if chosen == 0 {
            (None, None)
        } else {
            let Some(points) = rubric_points(&settings.rubric, &input.rubric_levels) else {
                return Err(AppError::invalid(
                    "rubric",
                    "Choose a level for every criterion.",
                ));
            };
            let marks = serde_json::to_string(&input.rubric_levels)
                .or_internal("encoding rubric levels")?;
            (Some(points), Some(marks))
        }
    };
    if input.feedback.len() > MAX_FEEDBACK {
        return Err(AppError::invalid(
            "feedback",
            "Feedback can be at most 50,000 characters; attach longer feedback as a file.",
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let id = store::ensure_submission(&mut tx, item_id, course_id, user_id, now).await?;
    let write = GradeWrite {
        raw_points: raw,
        rubric_marks,
        feedback: input.feedback.trim(),
        by: actor.id,
    };
    if !store::write_grade(&mut tx, id, &write, input.version, now).await? {
        let newer = store::submission_in_tx(&mut tx, id).await?;
        let shown = newer
            .raw_points
            .map(crate::grading::model::format_points)
            .unwrap_or_else(|| "no grade".into());
        return Err(AppError::Conflict(format!(
            "Someone else graded this work (it now has {shown}) while you were grading. Reload to see their grade and feedback, then save again."
        )));
    }
    let row = store::submission_in_tx(&mut tx, id).await?;
    let own = override_store::for_learner_in_tx(&mut tx, item_id, user_id).await?;
    let points = final_points(&settings.for_learner(own.as_ref()), &row);
    crate::grading::service::record_assignment_grade(
        &mut tx,
        course_id,
        item_id,
        settings.max_points,
        user_id,
        points,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(GradeSaved {
        version: row.grade_version,
        raw_points: raw,
        points,
    })
}

/// Checks, before a file is read, that the actor may add feedback files for this learner.
pub async fn authorize_feedback_upload(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    user_id: i64,
) -> Result<i64, AppError> {
    let (course_id, ..) = as_grader(state, actor, item_id).await?;
    require_learner(state, course_id, user_id).await?;
    Ok(course_id)
}

/// Adds a feedback file for one learner (seen by them once grades are released).
pub async fn upload_feedback<S, E>(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    user_id: i64,
    name: &str,
    chunks: S,
) -> Result<FileInfo, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let course_id = authorize_feedback_upload(state, actor, item_id, user_id).await?;
    let target = Attach {
        item_id,
        course_id,
        learner_id: user_id,
        purpose: "feedback",
    };
    store_and_attach(state, actor, &target, name, chunks).await
}

pub async fn remove_feedback_file(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    user_id: i64,
    file_id: i64,
) -> Result<(), AppError> {
    as_grader(state, actor, item_id).await?;
    let row = store::submission(&state.db, item_id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !store::has_file(&state.db, row.id, file_id, "feedback").await? {
        return Err(AppError::NotFound);
    }
    delete_file(state, file_id).await?;
    let mut tx = state.db.begin().await?;
    store::touch_grade(&mut tx, row.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Shows the grades (points, rubric levels, feedback and its files) to learners, or hides them
/// again: the assignment's gradebook column is hidden exactly while they are.
pub async fn set_released(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    released: bool,
) -> Result<(), AppError> {
    let (course_id, title, settings) = as_grader(state, actor, item_id).await?;
    let was_released = self::released(state, item_id).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let source = grade_store::Source::Assignment {
        max_points: settings.max_points,
    };
    let grade_item = grade_store::source_item(&mut tx, course_id, item_id, source, now).await?;
    tx.commit().await?;
    crate::grading::service::set_item_hidden(state, actor, grade_item, !released).await?;
    if released && !was_released {
        tell_released(state, course_id, item_id, &title, now).await?;
    }
    Ok(())
}

/// A new certification cycle: the learner's handed-in work goes back to a draft, to be handed
/// in again (its grade and feedback stay on record until a new one replaces them).
pub async fn reopen_for_new_cycle(
    tx: &mut Tx,
    item_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    if let Some(id) = store::submitted_id_in_tx(tx, item_id, user_id).await? {
        store::reopen(tx, id, now).await?;
    }
    Ok(())
}

/// Tells each learner with a grade that it is released.
async fn tell_released(
    state: &AppState,
    course_id: i64,
    item_id: i64,
    title: &str,
    now: i64,
) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let notices: Vec<Notice> = store::graded_in_tx(&mut tx, item_id)
        .await?
        .into_iter()
        .map(|s| Notice {
            user_id: s.user_id,
            subject: format!("Your grade for “{title}” is ready"),
            body: "Your grade and the feedback on your work are released.".into(),
            link: format!("/courses/{course_id}/learn/{item_id}"),
        })
        .collect();
    notifications::notify(state, &mut tx, Kind::GradeReleased, &notices, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Every morning, learners with an assignment due before the end of tomorrow (site time) that
/// they have not handed in are told, once per due date.
pub const DUE_SOON: crate::jobs::daily::Daily = crate::jobs::daily::Daily {
    kind: "assignments.due_soon",
    hour: 8,
    minute: 0,
};

/// The `DUE_SOON` run at `now`; returns how many learners were told.
pub async fn notify_due_soon(state: &AppState, now: i64) -> Result<usize, AppError> {
    use crate::settings::time_zone::{at_local, local_datetime, today_in};
    let zone = crate::settings::service::current(state).await?.time_zone;
    let today = today_in(now, &zone);
    let day_after_tomorrow = today
        .checked_add_days(chrono::Days::new(2))
        .unwrap_or(today);
    let until = at_local(day_after_tomorrow, 0, 0, &zone);
    let mut told = 0;
    loop {
        let batch = store::due_soon(&state.db, now, until, 500).await?;
        if batch.is_empty() {
            break;
        }
        let notices: Vec<Notice> = batch
            .iter()
            .map(|d| Notice {
                user_id: d.user_id,
                subject: format!("“{}” is due {}", d.title, local_datetime(d.due_at, &zone)),
                body: format!(
                    "The assignment “{}” in “{}” is due {} and you have not handed it in yet.",
                    d.title,
                    d.course_title,
                    local_datetime(d.due_at, &zone)
                ),
                link: format!("/courses/{}/learn/{}", d.course_id, d.item_id),
            })
            .collect();
        let marks: Vec<(i64, i64, i64)> = batch
            .iter()
            .map(|d| (d.item_id, d.user_id, d.due_at))
            .collect();
        let mut tx = state.db.begin().await?;
        told +=
            notifications::notify(state, &mut tx, Kind::AssignmentDueSoon, &notices, now).await?;
        store::mark_due_told(&mut tx, &marks, now).await?;
        tx.commit().await?;
    }
    Ok(told)
}
