//! The instructor's report on a package (each learner's status, score, time and last visit,
//! paged and as CSV) and resetting a learner's attempts, so that they start the package again
//! (a broken package replaced, a retake allowed). Reset attempts stay on record.

use super::attempt_store::{self, ResultRow};
use super::model::{LearnerResult, ResultStatus, Results, Structure, Version};
use super::store;
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::db::now;
use crate::error::AppError;
use crate::paging::Page;
use crate::state::AppState;

const PER_PAGE: u32 = 50;

/// The package item's course and its structure (`None`: nothing uploaded yet).
async fn package_of(state: &AppState, item_id: i64) -> Result<(i64, Option<Structure>), AppError> {
    let course_id = super::service::course_of(state, item_id).await?;
    let structure = match store::find(&state.db, item_id).await? {
        Some(row) => Some(super::service::structure_of(&row)?),
        None => None,
    };
    Ok((course_id, structure))
}

fn parts(structure: Option<&Structure>) -> i64 {
    structure.map_or(0, |s| s.launchable().filter(|i| i.sco).count() as i64)
}

/// Seconds of a kept total time: `HHHH:MM:SS.SS` (1.2) or an ISO 8601 duration (2004).
fn seconds(total_time: &str, version: Option<Version>) -> f64 {
    match version {
        Some(Version::Scorm2004(_)) if total_time.starts_with('P') => {
            super::cmi2004::seconds(total_time)
        }
        _ => super::cmi12::seconds(total_time),
    }
}

/// A learner's rows (one per part they opened; none when they have not started) made into
/// their line of the report.
fn summarise(
    user: (i64, String, String),
    rows: &[ResultRow],
    parts: i64,
    version: Option<Version>,
) -> LearnerResult {
    let attempts: Vec<&ResultRow> = rows.iter().filter(|r| r.sco.is_some()).collect();
    let done = attempts
        .iter()
        .filter(|r| matches!(r.status.as_deref(), Some("completed" | "passed")))
        .count() as i64;
    let scores: Vec<f64> = attempts.iter().filter_map(|r| r.score).collect();
    let status = if attempts.is_empty() {
        ResultStatus::NotStarted
    } else if attempts
        .iter()
        .any(|r| r.status.as_deref() == Some("failed"))
    {
        ResultStatus::Failed
    } else if parts > 0 && done >= parts {
        if attempts
            .iter()
            .any(|r| r.status.as_deref() == Some("passed"))
        {
            ResultStatus::Passed
        } else {
            ResultStatus::Completed
        }
    } else {
        ResultStatus::InProgress
    };
    LearnerResult {
        user_id: user.0,
        name: user.1,
        email: user.2,
        status,
        done,
        score: (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
        seconds: attempts
            .iter()
            .map(|r| seconds(r.total_time.as_deref().unwrap_or(""), version))
            .sum(),
        last_seen: attempts.iter().filter_map(|r| r.updated_at).max(),
        attempt: attempts.iter().filter_map(|r| r.number).max().unwrap_or(0),
    }
}

/// Groups rows ordered by learner into one line per learner.
fn lines(rows: Vec<ResultRow>, parts: i64, version: Option<Version>) -> Vec<LearnerResult> {
    let mut out = Vec::new();
    let mut group: Vec<ResultRow> = Vec::new();
    for row in rows {
        if group.first().is_some_and(|g| g.user_id != row.user_id) {
            out.push(flush(std::mem::take(&mut group), parts, version));
        }
        group.push(row);
    }
    if !group.is_empty() {
        out.push(flush(group, parts, version));
    }
    out
}

fn flush(group: Vec<ResultRow>, parts: i64, version: Option<Version>) -> LearnerResult {
    let user = group
        .first()
        .map(|r| (r.user_id, r.name.clone(), r.email.clone()))
        .unwrap_or_default();
    summarise(user, &group, parts, version)
}

/// One page of the course's learners with their results on the package.
pub async fn results(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    page: u32,
) -> Result<Results, AppError> {
    let (course_id, structure) = package_of(state, item_id).await?;
    let access =
        access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let parts = parts(structure.as_ref());
    let version = structure.as_ref().map(|s| s.version);
    let (learners, started, done) =
        attempt_store::result_counts(&state.db, course_id, item_id, parts).await?;
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(PER_PAGE);
    let rows = attempt_store::results(&state.db, course_id, item_id, Some(PER_PAGE.into()), offset)
        .await?;
    Ok(Results {
        parts,
        learners,
        started,
        done,
        may_reset: access.may_edit(),
        page: Page {
            items: lines(rows, parts, version),
            total: learners,
            total_capped: false,
            page,
            per_page: PER_PAGE,
        },
    })
}

/// Every learner's results, as CSV.
pub async fn export_csv(state: &AppState, actor: &Actor, item_id: i64) -> Result<String, AppError> {
    let (course_id, structure) = package_of(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let parts = parts(structure.as_ref());
    let version = structure.as_ref().map(|s| s.version);
    let rows = attempt_store::results(&state.db, course_id, item_id, None, 0).await?;
    let mut out = crate::spreadsheet::CsvOut::new();
    out.row([
        "name",
        "email",
        "status",
        "parts_done",
        "parts",
        "score_percent",
        "time_spent_seconds",
        "last_accessed",
        "attempt",
    ])?;
    for r in lines(rows, parts, version) {
        out.row([
            r.name.as_str(),
            r.email.as_str(),
            r.status.label(),
            &r.done.to_string(),
            &parts.to_string(),
            &r.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
            &format!("{:.0}", r.seconds),
            &r.last_seen
                .map(crate::ui::format::datetime)
                .unwrap_or_default(),
            &r.attempt.to_string(),
        ])?;
    }
    out.finish()
}

/// Starts a learner's attempts afresh (instructors): their attempts so far are archived, kept on
/// record, and the next launch begins anew. The item's completion and grade stay as earned
/// until the package reports again.
pub async fn reset(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    let (course_id, _) = package_of(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let archived = attempt_store::archive(&mut tx, item_id, user_id, now).await?;
    if archived == 0 {
        return Err(AppError::Conflict(
            "This learner has no attempt to reset.".into(),
        ));
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "scorm.reset",
            "item",
            Some(item_id),
            format!("user {user_id}"),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(user: i64, sco: Option<&str>, status: &str, score: Option<f64>) -> ResultRow {
        ResultRow {
            user_id: user,
            name: format!("User {user}"),
            email: format!("u{user}@example.com"),
            sco: sco.map(str::to_string),
            status: sco.map(|_| status.to_string()),
            score,
            total_time: sco.map(|_| "0000:10:00.00".to_string()),
            updated_at: sco.map(|_| 100 + user),
            number: sco.map(|_| 1),
        }
    }

    #[test]
    fn each_learner_gets_one_line_with_the_package_as_a_whole() {
        let rows = vec![
            row(1, None, "", None),
            row(2, Some("a"), "completed", Some(80.0)),
            row(2, Some("b"), "passed", Some(60.0)),
            row(3, Some("a"), "incomplete", None),
            row(4, Some("a"), "failed", Some(20.0)),
        ];
        let out = lines(rows, 2, Some(Version::Scorm12));
        let statuses: Vec<ResultStatus> = out.iter().map(|l| l.status).collect();
        assert_eq!(
            statuses,
            vec![
                ResultStatus::NotStarted,
                ResultStatus::Passed,
                ResultStatus::InProgress,
                ResultStatus::Failed
            ]
        );
        let two = out.get(1).unwrap();
        assert_eq!((two.done, two.score, two.seconds), (2, Some(70.0), 1200.0));
        assert_eq!(two.last_seen, Some(102));
        let one = out.first().unwrap();
        assert_eq!((one.score, one.seconds, one.attempt), (None, 0.0, 0));
    }
}
