//! Server functions of the administrators' LRS page.

use super::model::{ClientInfo, Forwarding, NewClient, StatementList, StatementSearch};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[server(endpoint = "xapi/clients")]
pub async fn lrs_clients(page: u32) -> Result<Page<ClientInfo>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::clients::clients(&state, &actor, page).await)
}

#[server(endpoint = "xapi/create_client")]
/// `scopes`: the permissions, separated by spaces (as xAPI writes them).
pub async fn create_lrs_client(name: String, scopes: String) -> Result<NewClient, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::clients::create_client(&state, &actor, &name, &scopes).await)
}

#[server(endpoint = "xapi/revoke_client")]
pub async fn revoke_lrs_client(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::clients::revoke_client(&state, &actor, id).await)
}

#[server(endpoint = "xapi/statements")]
pub async fn lrs_statements(search: StatementSearch) -> Result<StatementList, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::clients::browse(&state, &actor, &search).await)
}

#[server(endpoint = "xapi/forwarding")]
pub async fn lrs_forwarding() -> Result<Forwarding, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::forward::settings(&state, &actor).await)
}

#[server(endpoint = "xapi/save_forwarding")]
/// An empty `password` keeps the one kept; `enabled` is a checkbox ("on" when ticked).
pub async fn save_lrs_forwarding(
    endpoint: String,
    username: String,
    password: String,
    #[server(default)] enabled: Option<String>,
) -> Result<Forwarding, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    let on = enabled.is_some_and(|v| !v.is_empty() && v != "false");
    crate::edge::respond(
        super::forward::save(&state, &actor, &endpoint, &username, &password, on).await,
    )
}
