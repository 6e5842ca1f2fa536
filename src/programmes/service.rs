//! Programmes: administrators define them and put people on them (which enrols those people in
//! every course of the programme); each person sees their progress; a programme completes from
//! its member's course completions (the `COURSE_COMPLETED` job).

use super::model::{
    PROGRAMME_COMPLETED, Programme, ProgrammeCompleted, ProgrammeCourse, ProgrammeForm,
};
use super::store::{self, ProgrammeRow};
use crate::audit;
use crate::auth::permissions::{Action, Actor, can};
use crate::completion::model::{RESET_LEARNER, ResetLearner};
use crate::db::{Tx, now};
use crate::error::{AppError, Problems, internal};
use crate::state::AppState;
use std::collections::HashMap;

fn require(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::ManageCompliance) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The programmes with their courses, each marked as `user_id` completed it (0: nobody's, every
/// programme's courses).
async fn assemble(
    state: &AppState,
    rows: Vec<ProgrammeRow>,
    user_id: i64,
) -> Result<Vec<Programme>, AppError> {
    let mut courses: HashMap<i64, Vec<ProgrammeCourse>> = HashMap::new();
    for c in store::courses(&state.db, user_id, user_id != 0).await? {
        courses
            .entry(c.programme_id)
            .or_default()
            .push(ProgrammeCourse {
                course_id: c.course_id,
                code: c.code,
                title: c.title,
                completed: c.completed,
            });
    }
    Ok(rows
        .into_iter()
        .map(|r| Programme {
            courses: courses.remove(&r.id).unwrap_or_default(),
            id: r.id,
            name: r.name,
            description: r.description,
            required_count: r.required_count.and_then(|n| u32::try_from(n).ok()),
            members: r.members,
            completed_at: r.completed_at,
        })
        .collect())
}

/// Every programme, for administrators.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<Programme>, AppError> {
    require(actor)?;
    assemble(state, store::all(&state.db).await?, 0).await
}

/// The programmes the signed-in person is on, with their progress.
pub async fn mine(state: &AppState, actor: &Actor) -> Result<Vec<Programme>, AppError> {
    assemble(
        state,
        store::of_member(&state.db, actor.id).await?,
        actor.id,
    )
    .await
}

/// Creates a programme (`id` empty) or saves one; returns its id.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    form: &ProgrammeForm,
) -> Result<i64, AppError> {
    require(actor)?;
    let parsed = form.parse()?;
    let found = crate::courses::store::find_ids_by_codes(&state.db, &parsed.codes).await?;
    let mut course_ids = Vec::with_capacity(parsed.codes.len());
    let mut unknown = Vec::new();
    for code in &parsed.codes {
        match found.iter().find(|(_, c)| c.eq_ignore_ascii_case(code)) {
            Some((course_id, _)) => course_ids.push(*course_id),
            None => unknown.push(code.as_str()),
        }
    }
    let mut problems = Problems::default();
    if !unknown.is_empty() {
        problems.add(
            "courses",
            format!("No course has the code {}.", unknown.join(", ")),
        );
    }
    if store::name_taken(&state.db, &parsed.name, id).await? {
        problems.add("name", "Another programme has this name. Choose another.");
    }
    problems.into_result()?;
    let required = parsed.required_count.map(|n| n as i32);
    let at = now();
    let mut tx = state.db.begin().await?;
    let id = match id {
        None => store::create(&mut tx, &parsed.name, &parsed.description, required, at).await?,
        Some(id) => {
            if !store::update(&mut tx, id, &parsed.name, &parsed.description, required, at).await? {
                return Err(AppError::NotFound);
            }
            id
        }
    };
    store::set_courses(&mut tx, id, &course_ids).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("programme.save", "programme", Some(id), &parsed.name)
            .after(&(&parsed.codes, parsed.required_count)),
        at,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    require(actor)?;
    let mut tx = state.db.begin().await?;
    if !store::delete(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("programme.delete", "programme", Some(id), id.to_string()),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Puts people (by email, one per line or separated by commas) on a programme and enrols them
/// in each of its courses; returns how many were named.
pub async fn add_people(
    state: &AppState,
    actor: &Actor,
    id: i64,
    emails: &str,
) -> Result<usize, AppError> {
    require(actor)?;
    let emails: Vec<String> = emails
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect();
    if emails.is_empty() {
        return Err(AppError::invalid(
            "emails",
            "Give at least one email address.",
        ));
    }
    let found = crate::users::store::ids_by_emails(&state.db, &emails).await?;
    let unknown: Vec<&str> = emails
        .iter()
        .filter(|e| !found.contains_key(&e.to_lowercase()))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::invalid(
            "emails",
            format!("No one has the address {}.", unknown.join(", ")),
        ));
    }
    let mut users: Vec<i64> = found.into_values().collect();
    users.sort_unstable();
    users.dedup();
    let at = now();
    let mut tx = state.db.begin().await?;
    if !enrol(&mut tx, id, &users, at).await? {
        // Every programme has a course: there is no such programme (or none was chosen).
        return Err(AppError::invalid("programme", "Choose a programme."));
    }
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            "programme.add_people",
            "programme",
            Some(id),
            id.to_string(),
        )
        .after(&users),
        at,
    )
    .await?;
    tx.commit().await?;
    catch_up(state, id, at).await?;
    Ok(users.len())
}

/// Puts people on a programme and enrols them in each of its courses, in the caller's
/// transaction; false when there is no such programme (every programme has a course). Once it
/// has committed, `catch_up` completes it for those who had done enough already.
pub async fn enrol(tx: &mut Tx, id: i64, users: &[i64], at: i64) -> Result<bool, AppError> {
    let courses = store::course_ids(tx, id).await?;
    if courses.is_empty() {
        return Ok(false);
    }
    store::add_members(tx, id, users, at).await?;
    for course_id in &courses {
        crate::enrolments::service::enrol_assigned(tx, *course_id, users, at).await?;
    }
    Ok(true)
}

/// Completes a programme for everyone on it whose course completions already meet its rule
/// (one query for all of them, a write only for those it completes).
pub async fn catch_up(state: &AppState, id: i64, at: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let open = store::open_members(&mut tx, id).await?;
    complete_met(&mut tx, open, at).await?;
    tx.commit().await?;
    Ok(())
}

/// Starts a new cycle of a programme for a person (a certification renewed): their completion
/// is cleared and each of its courses they completed is queued to start afresh (the
/// `RESET_LEARNER` job), in the caller's transaction.
pub async fn reopen(tx: &mut Tx, id: i64, user_id: i64, at: i64) -> Result<(), AppError> {
    for course_id in store::completed_course_ids(tx, id, user_id).await? {
        let payload = serde_json::to_string(&ResetLearner { course_id, user_id })
            .map_err(|e| internal("queueing a reset", e))?;
        if !crate::jobs::queue::waiting(tx, RESET_LEARNER, &payload).await? {
            crate::jobs::queue::enqueue(tx, RESET_LEARNER, &payload, at, at).await?;
        }
    }
    store::clear_completion(tx, id, user_id).await
}

/// The job run after a course completion: completes the person's programmes that now meet
/// their rule.
pub async fn course_completed(state: &AppState, payload: &str, at: i64) -> Result<(), AppError> {
    let done: crate::completion::model::CourseCompleted = serde_json::from_str(payload)
        .map_err(|e| internal("reading a course completion job", e))?;
    check(state, done.user_id, done.course_id, at).await
}

async fn check(state: &AppState, user_id: i64, course_id: i64, at: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let open = store::open_with_course(&mut tx, user_id, course_id).await?;
    complete_met(&mut tx, open, at).await?;
    tx.commit().await?;
    Ok(())
}

/// Completes those open memberships whose rule the person's courses now meet, and queues what
/// follows (`PROGRAMME_COMPLETED`).
async fn complete_met(tx: &mut Tx, open: Vec<store::Standing>, at: i64) -> Result<(), AppError> {
    for p in open {
        let required = p.required_count.map_or(p.total, i64::from).min(p.total);
        if required > 0
            && p.done >= required
            && store::mark_completed(tx, p.programme_id, p.user_id, at).await?
        {
            let payload = serde_json::to_string(&ProgrammeCompleted {
                programme_id: p.programme_id,
                user_id: p.user_id,
            })
            .map_err(|e| internal("queueing a programme completion", e))?;
            crate::jobs::queue::enqueue(tx, PROGRAMME_COMPLETED, &payload, at, at).await?;
        }
    }
    Ok(())
}
