use super::model::OutboxMessage;
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[server(endpoint = "outbox/list")]
pub async fn list_outbox(page: u32) -> Result<Page<OutboxMessage>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::list_outbox(&state.db, &actor, page).await)
}
