//! Server functions for managers' teams.

use super::model::{TeamMember, TeamMemberDetail};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "team/list")]
pub async fn my_team(page: u32) -> Result<Page<TeamMember>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::my_team(&state, &actor, page).await)
}

#[server(endpoint = "team/member")]
pub async fn load_team_member(id: i64) -> Result<TeamMemberDetail, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::member(&state, &actor, id).await)
}

/// Reminds a team member of a requirement now.
#[server(endpoint = "team/nudge")]
pub async fn nudge_team_member(user_id: i64, requirement_id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::nudge(&state, &actor, user_id, requirement_id).await)
}
