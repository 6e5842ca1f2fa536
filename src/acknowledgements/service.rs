//! Acknowledgement use cases: the learner confirms, the instructor words the statement and sees
//! (and exports) who confirmed.

use super::model::*;
use super::store;
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::parse_line;
use crate::courses::outline_store;
use crate::db::{Tx, now};
use crate::error::AppError;
use crate::paging::Page;
use crate::state::AppState;

/// A new acknowledgement item starts with the default statement (hook: `registry::saved`).
pub async fn create(tx: &mut Tx, item_id: i64, now: i64) -> Result<(), AppError> {
    store::insert(tx, item_id, DEFAULT_STATEMENT, now).await
}

/// Hook: `registry::copied`.
pub async fn copy(tx: &mut Tx, from: i64, to: i64, now: i64) -> Result<(), AppError> {
    store::copy(tx, from, to, now).await
}

/// The item's course, when it is an acknowledgement.
async fn course_of(state: &AppState, item_id: i64) -> Result<i64, AppError> {
    let (course_id, item, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if item.kind != crate::items::kind::ItemKind::Acknowledgement {
        return Err(AppError::NotFound);
    }
    Ok(course_id)
}

/// What the player shows below the policy text.
pub async fn learner_view(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<LearnerView, AppError> {
    let course_id = course_of(state, item_id).await?;
    let access = access::item_visible(&state.db, actor, course_id, item_id).await?;
    if !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    let statement = store::statement(&state.db, item_id)
        .await?
        .unwrap_or_else(|| DEFAULT_STATEMENT.to_string());
    let confirmed_at = if access.is_learner() {
        store::confirmed_at(&state.db, item_id, actor.id).await?
    } else {
        None
    };
    Ok(LearnerView {
        statement,
        confirmed_at,
        may_confirm: access.is_learner(),
    })
}

/// The learner confirms the statement: recorded with the time and the wording, audited, and the
/// item completes. Confirming again changes nothing.
pub async fn confirm(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<LearnerView, AppError> {
    let course_id = course_of(state, item_id).await?;
    let access = access::item_visible(&state.db, actor, course_id, item_id).await?;
    if !access.may_view_content() || !access.is_learner() {
        return Err(AppError::Forbidden);
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let statement = store::statement_in_tx(&mut tx, item_id)
        .await?
        .unwrap_or_else(|| DEFAULT_STATEMENT.to_string());
    store::confirm(&mut tx, item_id, actor.id, course_id, &statement, now).await?;
    crate::completion::service::item_done(&mut tx, course_id, actor.id, item_id, true, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("acknowledgement.confirm", "item", Some(item_id), &statement),
        now,
    )
    .await?;
    tx.commit().await?;
    learner_view(state, actor, item_id).await
}

/// The staff's panel: the statement and one page of the course's learners with their answer.
pub async fn overview(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    page: u32,
) -> Result<Overview, AppError> {
    let course_id = course_of(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let statement = store::statement(&state.db, item_id)
        .await?
        .unwrap_or_else(|| DEFAULT_STATEMENT.to_string());
    let (learners, confirmed) = store::counts(&state.db, course_id, item_id).await?;
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(PER_PAGE);
    let items =
        store::confirmations(&state.db, course_id, item_id, Some(PER_PAGE.into()), offset).await?;
    Ok(Overview {
        statement,
        confirmed,
        learners,
        page: Page {
            items,
            total: learners,
            total_capped: false,
            page,
            per_page: PER_PAGE,
        },
    })
}

/// The instructor words the statement learners confirm (earlier confirmations keep theirs).
pub async fn save_statement(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    statement: &str,
) -> Result<(), AppError> {
    let course_id = course_of(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let statement = parse_line("statement", "statement", statement, 500)?;
    store::set_statement(&state.db, item_id, &statement, now()).await
}

/// Every learner of the course with their confirmation, as CSV.
pub async fn export_csv(state: &AppState, actor: &Actor, item_id: i64) -> Result<String, AppError> {
    let course_id = course_of(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let rows = store::confirmations(&state.db, course_id, item_id, None, 0).await?;
    let mut out = crate::spreadsheet::CsvOut::new();
    out.row(["name", "email", "confirmed", "confirmed_at", "statement"])?;
    for r in &rows {
        out.row([
            r.name.as_str(),
            r.email.as_str(),
            if r.confirmed_at.is_some() {
                "yes"
            } else {
                "no"
            },
            &r.confirmed_at
                .map(crate::ui::format::datetime)
                .unwrap_or_default(),
            r.statement.as_deref().unwrap_or(""),
        ])?;
    }
    out.finish()
}
