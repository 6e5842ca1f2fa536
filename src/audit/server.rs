use super::model::{AuditEvent, AuditQuery};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[server(endpoint = "audit/list")]
pub async fn list_audit(query: AuditQuery) -> Result<Page<AuditEvent>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::list(&state.db, &actor, &query).await)
}
