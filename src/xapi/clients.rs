//! The administrators' side of the LRS: its clients (created with a secret shown once, revoked,
//! kept on record) and browsing what was stored.

use super::model::{
    ClientInfo, NewClient, SCOPES, StatementList, StatementSearch, StatementSummary,
};
use super::service::timestamp;
use super::store::{self, ClientRow, Filter};
use crate::audit;
use crate::auth::permissions::{Action, Actor, can};
use crate::auth::tokens;
use crate::db::now;
use crate::error::AppError;
use crate::paging::Page;
use crate::state::AppState;
use serde_json::Value;

pub const PER_PAGE: u32 = 25;
const BROWSE_PAGE: i64 = 50;

pub(super) fn require(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::ManageSettings) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn info(row: ClientRow) -> ClientInfo {
    ClientInfo {
        id: row.id,
        name: row.name,
        key: row.key,
        scopes: row.scopes.split_whitespace().map(str::to_string).collect(),
        created_at: row.created_at,
        revoked_at: row.revoked_at,
    }
}

pub async fn create_client(
    state: &AppState,
    actor: &Actor,
    name: &str,
    scopes: &str,
) -> Result<NewClient, AppError> {
    require(actor)?;
    let scopes: Vec<String> = scopes.split_whitespace().map(str::to_string).collect();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid(
            "name",
            "Give the client a name of up to 80 characters, such as 'Storyline courses'.",
        ));
    }
    if scopes.is_empty() {
        return Err(AppError::invalid(
            "scopes",
            "Choose at least one permission.",
        ));
    }
    if let Some(unknown) = scopes
        .iter()
        .find(|s| !SCOPES.iter().any(|(scope, _)| scope == s))
    {
        return Err(AppError::invalid(
            "scopes",
            format!("'{unknown}' is not a permission of the LRS."),
        ));
    }
    // Both are URL-safe base64, so never hold the ':' that separates them in HTTP Basic.
    let key: String = tokens::new_secret().chars().take(20).collect();
    let secret = tokens::new_secret();
    let scopes_text = scopes.join(" ");
    let at = now();
    let mut tx = state.db.begin().await?;
    let id = store::insert_client(
        &mut tx,
        name,
        &key,
        &tokens::hash(&secret),
        &scopes_text,
        actor.id,
        at,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("xapi_client.create", "xapi_client", Some(id), name),
        at,
    )
    .await?;
    tx.commit().await?;
    Ok(NewClient {
        info: ClientInfo {
            id,
            name: name.to_string(),
            key,
            scopes,
            created_at: at,
            revoked_at: None,
        },
        secret,
    })
}

pub async fn clients(
    state: &AppState,
    actor: &Actor,
    page: u32,
) -> Result<Page<ClientInfo>, AppError> {
    require(actor)?;
    let page = page.max(1);
    let offset = i64::from(page - 1) * i64::from(PER_PAGE);
    let rows = store::clients(&state.db, i64::from(PER_PAGE), offset).await?;
    Ok(Page {
        items: rows.into_iter().map(info).collect(),
        total: store::count_clients(&state.db).await?,
        total_capped: false,
        page,
        per_page: PER_PAGE,
    })
}

pub async fn revoke_client(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    require(actor)?;
    let at = now();
    let mut tx = state.db.begin().await?;
    if !store::revoke_client(&mut tx, id, at).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("xapi_client.revoke", "xapi_client", Some(id), ""),
        at,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The statements stored, newest first, filtered as the administrator typed.
pub async fn browse(
    state: &AppState,
    actor: &Actor,
    search: &StatementSearch,
) -> Result<StatementList, AppError> {
    require(actor)?;
    let filter = Filter {
        agent: actor_key(&search.actor)?,
        verb: Some(search.verb.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string),
        activity: Some(search.activity.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string),
        related_activities: true,
        since: day("since", &search.since, 0)?,
        until: day("until", &search.until, 86_400 * 1_000_000 - 1)?,
        after: search.after,
        ..Filter::default()
    };
    let mut rows = store::query(&state.db, &filter, BROWSE_PAGE).await?;
    let more = rows.len() as i64 > BROWSE_PAGE;
    rows.truncate(usize::try_from(BROWSE_PAGE).unwrap_or(0));
    let next = if more {
        rows.last().map(|(seq, _)| *seq)
    } else {
        None
    };
    Ok(StatementList {
        statements: rows.into_iter().map(|(_, text)| summary(&text)).collect(),
        next,
    })
}

/// What people type for "Who": an email address, an agent key, or an agent's JSON.
fn actor_key(text: &str) -> Result<Option<String>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.starts_with('{') {
        let value: Value = serde_json::from_str(text)
            .map_err(|_| AppError::invalid("actor", "This is not an agent in JSON."))?;
        return super::agent::agent_key(&value)
            .map(Some)
            .map_err(|e| AppError::invalid("actor", e.0));
    }
    if text.contains('@') && !text.contains(':') {
        return Ok(Some(format!("mbox:mailto:{text}")));
    }
    Ok(Some(text.to_string()))
}

/// A date (YYYY-MM-DD) as microseconds, plus `add` (the end of the day for "until").
fn day(field: &str, text: &str, add: i64) -> Result<Option<i64>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, "Give a date as YYYY-MM-DD."))?;
    let micros = date
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_micros())
        .unwrap_or(0);
    // "since" is exclusive in the store: start one microsecond before the day.
    Ok(Some(if add == 0 { micros - 1 } else { micros + add }))
}

fn summary(text: &str) -> StatementSummary {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    let any_language = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_object)
            .and_then(|m| {
                m.get("en-US")
                    .or_else(|| m.get("en"))
                    .or_else(|| m.values().next())
            })
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let actor = s("/actor/name")
        .or_else(|| s("/actor/mbox").map(|m| m.trim_start_matches("mailto:").to_string()))
        .or_else(|| s("/actor/account/name"))
        .or_else(|| s("/actor/openid"))
        .unwrap_or_else(|| "(group)".to_string());
    let verb = any_language("/verb/display")
        .or_else(|| s("/verb/id"))
        .unwrap_or_default();
    let object = any_language("/object/definition/name")
        .or_else(|| s("/object/id"))
        .or_else(|| s("/object/name"))
        .unwrap_or_default();
    StatementSummary {
        id: s("/id").unwrap_or_default(),
        stored: s("/stored").unwrap_or_else(|| timestamp(0)),
        actor,
        verb,
        object,
        json: serde_json::to_string_pretty(&v).unwrap_or_default(),
    }
}
