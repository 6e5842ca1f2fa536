//! A manager's team: only the people below the one asking, whoever they are. Being somebody's
//! manager is a fact of the profiles, not a site role, so the check is the reporting tree itself.

use super::model::{TeamMember, TeamMemberDetail};
use super::store;
use crate::auth::permissions::Actor;
use crate::error::AppError;
use crate::paging::Page;
use crate::state::AppState;

pub const PER_PAGE: u32 = 50;

pub async fn my_team(
    state: &AppState,
    actor: &Actor,
    page: u32,
) -> Result<Page<TeamMember>, AppError> {
    let page = page.max(1);
    let (items, total) = store::members(
        &state.db,
        actor.id,
        PER_PAGE.into(),
        crate::db::page_offset(page, PER_PAGE),
    )
    .await?;
    Ok(Page {
        items,
        total,
        total_capped: false,
        page,
        per_page: PER_PAGE,
    })
}

/// One person of the team with their profile and courses. Anyone outside the asker's team is
/// "not found", so the page tells nothing about who exists.
pub async fn member(
    state: &AppState,
    actor: &Actor,
    person_id: i64,
) -> Result<TeamMemberDetail, AppError> {
    let member = store::member(&state.db, actor.id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(TeamMemberDetail {
        profile: crate::users::profile_store::find(&state.db, person_id).await?,
        courses: crate::learning::store::learning_cards(&state.db, person_id, 200).await?,
        requirements: crate::compliance::store::mine(&state.db, person_id).await?,
        member,
    })
}

/// Reminds someone in the asker's team of a requirement now. Anyone outside the team is "not
/// found", as on their page.
pub async fn nudge(
    state: &AppState,
    actor: &Actor,
    person_id: i64,
    requirement_id: i64,
) -> Result<(), AppError> {
    store::member(&state.db, actor.id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::compliance::service::nudge(state, requirement_id, person_id, actor).await
}
