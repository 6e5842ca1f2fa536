use super::model::{AuditEvent, AuditQuery};
use crate::auth::permissions::{Action, Actor, can};
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::paging::Page;
use crate::{with_db, with_tx};
use serde::Serialize;

/// What happened, built by the service that did it.
pub struct Entry {
    action: &'static str,
    target_type: &'static str,
    target_id: Option<i64>,
    target_label: String,
    before: Option<String>,
    after: Option<String>,
}

impl Entry {
    pub fn new(
        action: &'static str,
        target_type: &'static str,
        target_id: Option<i64>,
        target_label: impl Into<String>,
    ) -> Entry {
        Entry {
            action,
            target_type,
            target_id,
            target_label: target_label.into(),
            before: None,
            after: None,
        }
    }
    pub fn before(mut self, state: &impl Serialize) -> Entry {
        self.before = serde_json::to_string(state).ok();
        self
    }
    pub fn after(mut self, state: &impl Serialize) -> Entry {
        self.after = serde_json::to_string(state).ok();
        self
    }
}

pub async fn record(tx: &mut Tx, actor: &Actor, entry: Entry, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_label, action, target_type, target_id, target_label, before_state, after_state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(now)
    .bind(if actor.id > 0 { Some(actor.id) } else { None })
    .bind(format!("{} <{}>", actor.name, actor.email))
    .bind(entry.action)
    .bind(entry.target_type)
    .bind(entry.target_id)
    .bind(&entry.target_label)
    .bind(&entry.before)
    .bind(&entry.after)
    .execute(c)
    .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: i64,
    actor_id: Option<i64>,
    actor_label: String,
    action: String,
    target_type: String,
    target_id: Option<i64>,
    target_label: String,
    before_state: Option<String>,
    after_state: Option<String>,
}

const FILTER: &str = "($1 = '' OR action LIKE $2) AND ($3 = '' OR LOWER(actor_label) LIKE $4 OR LOWER(target_label) LIKE $4)";

pub async fn list(
    db: &Db,
    actor: &Actor,
    query: &AuditQuery,
) -> Result<Page<AuditEvent>, AppError> {
    if !can(actor, Action::ViewAuditLog) {
        return Err(AppError::Forbidden);
    }
    let action = query.action.trim().to_string();
    let action_pattern = format!("{}%", action.replace(['%', '_'], ""));
    let search = query.search.trim().to_lowercase();
    let search_pattern = format!("%{}%", search.replace(['%', '_'], ""));
    let page = query.page.max(1);
    let per_page = AuditQuery::PER_PAGE;
    let offset = crate::db::page_offset(page, per_page);
    let (rows, total): (Vec<Row>, i64) = with_db!(db, |p| {
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, at, actor_id, actor_label, action, target_type, target_id, target_label, before_state, after_state \
             FROM audit_log WHERE {FILTER} ORDER BY id DESC LIMIT $5 OFFSET $6"
        )))
        .bind(&action)
        .bind(&action_pattern)
        .bind(&search)
        .bind(&search_pattern)
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(p)
        .await?;
        let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM audit_log WHERE {FILTER}"
        )))
        .bind(&action)
        .bind(&action_pattern)
        .bind(&search)
        .bind(&search_pattern)
        .fetch_one(p)
        .await?;
        (rows, total)
    });
    let items = rows
        .into_iter()
        .map(|r| AuditEvent {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_label: r.actor_label,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            target_label: r.target_label,
            before_state: r.before_state,
            after_state: r.after_state,
        })
        .collect();
    Ok(Page {
        items,
        total,
        total_capped: false,
        page,
        per_page,
    })
}

// ---- forgetting a person --------------------------------------------------------------------

/// The texts of one entry, as `service::forget_person` rewrites them.
#[derive(sqlx::FromRow, Debug, Clone, PartialEq)]
pub struct EntryTexts {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub target_label: String,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
}

const TEXT_COLUMNS: &str = "id, actor_id, actor_label, target_type, target_id, target_label, \
     before_state, after_state FROM audit_log";

/// The entries a user made and those about their account.
pub async fn entries_about_user(tx: &mut Tx, user_id: i64) -> Result<Vec<EntryTexts>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        format!(
            "SELECT {TEXT_COLUMNS} WHERE actor_id = $1 OR (target_type = 'user' AND target_id = $1)"
        )
    ))
    .bind(user_id)
    .fetch_all(c)
    .await)?)
}

/// The entries whose texts match a `LIKE` pattern (`db::like_pattern`: lower-case, escaped),
/// whatever their case.
pub async fn entries_matching(tx: &mut Tx, pattern: &str) -> Result<Vec<EntryTexts>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        format!(
            "SELECT {TEXT_COLUMNS} WHERE LOWER(actor_label) LIKE $1 ESCAPE '\\' \
         OR LOWER(target_label) LIKE $1 ESCAPE '\\' \
         OR LOWER(before_state) LIKE $1 ESCAPE '\\' OR LOWER(after_state) LIKE $1 ESCAPE '\\'"
        )
    ))
    .bind(pattern)
    .fetch_all(c)
    .await)?)
}

/// Writes an entry's labels and states back; who acted (by id), what they did, to what and when
/// stay as they were.
pub async fn rewrite_texts(tx: &mut Tx, entry: &EntryTexts) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE audit_log SET actor_label = $2, target_label = $3, before_state = $4, after_state = $5 \
         WHERE id = $1"
    )
    .bind(entry.id)
    .bind(&entry.actor_label)
    .bind(&entry.target_label)
    .bind(&entry.before_state)
    .bind(&entry.after_state)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}
