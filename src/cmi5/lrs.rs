//! The LRS side of a session: its credentials (handed out by the fetch URL) act for the learner
//! in their registration, each request's statements are checked by the cmi5 rules with the
//! session locked, and what the AU reached moves its record, the course's satisfaction, the
//! item's completion and the gradebook, in the transaction that stores the statements.

use super::launch::{KEY_PREFIX, LAUNCH_DATA, actor_of, au_activity_id, object_id};
use super::moveon::{self, AuRecord, Envelope};
use super::rules::{self, Kind, LaunchMode, Session};
use super::service::structure_of;
use super::store::{self, RecordRow, SessionState};
use super::structure::Course;
use crate::auth::tokens;
use crate::db::{Tx, now};
use crate::error::AppError;
use crate::items::kind::ItemKind;
use crate::state::AppState;
use crate::xapi::delegate::{Binding, Delegate};
use crate::xapi::service::Refusal;
use futures_util::future::BoxFuture;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// cmi5 sessions as LRS credentials (installed by `http`).
pub struct Sessions;

impl Delegate for Sessions {
    fn prefix(&self) -> &'static str {
        KEY_PREFIX
    }

    fn authenticate<'a>(
        &'a self,
        state: &'a AppState,
        key: &'a str,
        secret: &'a str,
    ) -> BoxFuture<'a, Result<Option<Binding>, AppError>> {
        Box::pin(authenticate(state, key, secret))
    }

    fn admit<'a>(
        &'a self,
        tx: &'a mut Tx,
        state: &'a AppState,
        binding: &'a Binding,
        statements: &'a [Value],
    ) -> BoxFuture<'a, Result<Vec<Value>, Refusal>> {
        Box::pin(admit(tx, state, binding, statements))
    }
}

async fn authenticate(
    state: &AppState,
    key: &str,
    secret: &str,
) -> Result<Option<Binding>, AppError> {
    let Some(session_id) = key.strip_prefix(KEY_PREFIX) else {
        return Ok(None);
    };
    let Some(row) = store::session(&state.db, session_id).await? else {
        return Ok(None);
    };
    if row.secret_hash.as_deref() != Some(tokens::hash(secret).as_str()) {
        return Ok(None);
    }
    let actor = actor_of(state, row.user_id);
    let Ok(actor_key) = crate::xapi::agent::agent_key(&actor) else {
        return Ok(None);
    };
    Ok(Some(Binding {
        reference: row.id,
        actor,
        actor_key,
        registration: row.registration,
        activity_id: au_activity_id(state, row.item_id, &row.au_id),
        read_only_states: &[LAUNCH_DATA],
    }))
}

async fn admit(
    tx: &mut Tx,
    state: &AppState,
    binding: &Binding,
    statements: &[Value],
) -> Result<Vec<Value>, Refusal> {
    let session = store::lock_session(tx, &binding.reference)
        .await?
        .ok_or(Refusal::Unauthorized)?;
    store::lock_registration(tx, &session.registration).await?;
    let package = store::find_in(tx, session.item_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let course = structure_of(&package)?;
    let au = course
        .au(&session.au_id)
        .ok_or_else(|| Refusal::Rejected("This AU is no longer in the course.".to_string()))?;
    let mut records: HashMap<String, RecordRow> = store::records_in(tx, &session.registration)
        .await?
        .into_iter()
        .map(|r| (r.au_id.clone(), r))
        .collect();
    let mut record = records.get(&au.id).cloned().unwrap_or_else(|| RecordRow {
        au_id: au.id.clone(),
        ..RecordRow::default()
    });
    let mode = LaunchMode::parse(&session.launch_mode).unwrap_or(LaunchMode::Browse);
    let mut checked = Session {
        actor: &binding.actor,
        registration: &session.registration,
        session_id: &session.id,
        activity_id: &binding.activity_id,
        publisher_id: &au.id,
        launch_mode: mode,
        mastery_score: au.mastery_score,
        initialized: session.initialized,
        terminated: session.terminated,
        abandoned: session.abandoned,
        completed: record.completed,
        passed: record.passed,
        failed: record.failed,
        failed_in_session: session.failed_in_session,
    };
    let kinds = rules::check_all(statements, &checked).map_err(Refusal::Rejected)?;
    let now = now();
    let before = record.clone();
    for (statement, kind) in statements.iter().zip(&kinds) {
        checked.after(*kind);
        if matches!(kind, Kind::Passed | Kind::Failed)
            && let Some(scaled) = statement
                .pointer("/result/score/scaled")
                .and_then(Value::as_f64)
        {
            record.score = Some(record.score.map_or(scaled, |s| s.max(scaled)));
        }
    }
    store::set_session_state(
        tx,
        &session.id,
        SessionState {
            initialized: checked.initialized,
            terminated: checked.terminated,
            abandoned: checked.abandoned,
            failed_in_session: checked.failed_in_session,
        },
        now,
    )
    .await?;
    (record.completed, record.passed, record.failed) =
        (checked.completed, checked.passed, checked.failed);
    // Browse and Review sessions record nothing (the rules let them send no results anyway).
    if mode != LaunchMode::Normal || record == before {
        return Ok(Vec::new());
    }
    record.satisfied = moveon::au_satisfied(au.move_on, &as_au_record(&record));
    store::put_record(tx, &session.registration, &record, now).await?;
    records.insert(record.au_id.clone(), record);
    let course_id = crate::courses::outline_store::item_course(&state.db, session.item_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let progress = Progress {
        course_id,
        item_id: session.item_id,
        user_id: session.user_id,
        registration: &session.registration,
        session_id: &session.id,
        actor: &binding.actor,
        course: &course,
    };
    let satisfied = satisfy(tx, state, &progress, &records, now).await?;
    grade(tx, &progress, &records, now).await?;
    Ok(satisfied)
}

pub(super) fn as_au_record(r: &RecordRow) -> AuRecord {
    AuRecord {
        completed: r.completed,
        passed: r.passed,
        failed: r.failed,
        waived: r.waived,
    }
}

/// A learner's registration whose AU records moved (by an AU session's statements or a
/// waiver), and where the statements the LMS writes about it belong.
pub(super) struct Progress<'a> {
    pub course_id: i64,
    pub item_id: i64,
    pub user_id: i64,
    pub registration: &'a str,
    /// The AU session, or a fresh id outside any (cmi5 §9.3.7, §9.3.9).
    pub session_id: &'a str,
    /// The learner as the LRS knows them.
    pub actor: &'a Value,
    pub course: &'a Course,
}

/// The blocks and the course newly satisfied (cmi5 §9.3.9): their "satisfied" statements, kept
/// as written; the course's completes the item.
pub(super) async fn satisfy(
    tx: &mut Tx,
    state: &AppState,
    progress: &Progress<'_>,
    records: &HashMap<String, RecordRow>,
    now: i64,
) -> Result<Vec<Value>, Refusal> {
    let course = progress.course;
    let au_records: HashMap<String, AuRecord> = records
        .iter()
        .map(|(id, r)| (id.clone(), as_au_record(r)))
        .collect();
    let written: HashSet<String> = records
        .values()
        .filter(|r| r.satisfied)
        .map(|r| r.au_id.clone())
        .collect();
    let mut statements = Vec::new();
    for satisfied in moveon::newly_satisfied(course, &au_records, &written) {
        let id = uuid::Uuid::new_v4().to_string();
        let envelope = Envelope {
            id: &id,
            actor: progress.actor,
            registration: progress.registration,
            session_id: progress.session_id,
            timestamp: chrono::DateTime::from_timestamp(now, 0).unwrap_or_default(),
        };
        let object = object_id(state, progress.item_id, satisfied.publisher_id, &course.id);
        statements.push(moveon::satisfied_statement(&envelope, &object, &satisfied));
        store::put_record(
            tx,
            progress.registration,
            &RecordRow {
                au_id: satisfied.publisher_id.to_string(),
                satisfied: true,
                ..RecordRow::default()
            },
            now,
        )
        .await?;
        if satisfied.level == moveon::Level::Course {
            crate::completion::service::item_done(
                tx,
                progress.course_id,
                progress.user_id,
                progress.item_id,
                true,
                now,
            )
            .await?;
        }
    }
    Ok(statements)
}

/// The learner's grade for the item: the mean of the best scaled scores their AUs reported,
/// out of 100 points in the gradebook (AUs that report none do not count).
pub(super) async fn grade(
    tx: &mut Tx,
    progress: &Progress<'_>,
    records: &HashMap<String, RecordRow>,
    now: i64,
) -> Result<(), AppError> {
    let scores: Vec<f64> = progress
        .course
        .aus()
        .iter()
        .filter_map(|au| records.get(&au.id)?.score)
        .collect();
    if scores.is_empty() {
        return Ok(());
    }
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    crate::grading::service::record_reported_grade(
        tx,
        progress.course_id,
        progress.item_id,
        ItemKind::Cmi5,
        progress.user_id,
        Some(mean * 100.0),
        now,
    )
    .await
}
