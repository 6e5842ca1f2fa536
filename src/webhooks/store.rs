//! SQL of webhook subscriptions and their deliveries (both databases). `outbox` keeps the
//! deliveries an event makes; this file reads them and records each try.

use super::model::{Delivery, DeliveryState, Event, Subscription};
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::paging::Page;
use crate::{with_db, with_db_write, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub secret_sealed: String,
    pub allow_private: bool,
    pub enabled: bool,
    pub created_at: i64,
}

const COLUMNS: &str = "id, url, description, secret_sealed, allow_private, enabled, created_at FROM webhook_subscriptions";

fn subscription_of(row: SubscriptionRow, events: &[(i64, String)]) -> Subscription {
    Subscription {
        events: events
            .iter()
            .filter(|(id, _)| *id == row.id)
            .filter_map(|(_, e)| Event::parse(e))
            .collect(),
        id: row.id,
        url: row.url,
        description: row.description,
        allow_private: row.allow_private,
        enabled: row.enabled,
        created_at: row.created_at,
    }
}

/// Every subscription with its events, oldest first (a site has a handful): two queries.
pub async fn subscriptions(db: &Db) -> Result<Vec<Subscription>, AppError> {
    let (rows, events): (Vec<SubscriptionRow>, Vec<(i64, String)>) = with_db!(db, |p| {
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} ORDER BY id")))
            .fetch_all(p)
            .await?;
        let events = sqlx::query_as(
            "SELECT subscription_id, event FROM webhook_subscription_events ORDER BY event",
        )
        .fetch_all(p)
        .await?;
        (rows, events)
    });
    Ok(rows
        .into_iter()
        .map(|r| subscription_of(r, &events))
        .collect())
}

pub async fn subscription_row(db: &Db, id: i64) -> Result<Option<SubscriptionRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {COLUMNS} WHERE id = $1")
    ))
    .bind(id)
    .fetch_optional(p)
    .await?))
}

pub async fn subscription(db: &Db, id: i64) -> Result<Option<Subscription>, AppError> {
    let Some(row) = subscription_row(db, id).await? else {
        return Ok(None);
    };
    let events: Vec<(i64, String)> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT subscription_id, event FROM webhook_subscription_events WHERE subscription_id = $1 ORDER BY event"
    )
    .bind(id)
    .fetch_all(p)
    .await?
    });
    Ok(Some(subscription_of(row, &events)))
}

/// What a save writes; `secret_sealed` None keeps the secret kept.
pub struct Fields<'a> {
    pub url: &'a str,
    pub description: &'a str,
    pub events: &'a [Event],
    pub allow_private: bool,
    pub enabled: bool,
}

pub async fn insert(
    tx: &mut Tx,
    f: &Fields<'_>,
    secret_sealed: &str,
    now: i64,
) -> Result<i64, AppError> {
    let id: i64 = with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO webhook_subscriptions (url, description, secret_sealed, allow_private, enabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
    )
    .bind(f.url)
    .bind(f.description)
    .bind(secret_sealed)
    .bind(f.allow_private)
    .bind(f.enabled)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    set_events(tx, id, f.events).await?;
    Ok(id)
}

/// Saves the settings of a subscription; false when there is none with that id.
pub async fn update(tx: &mut Tx, id: i64, f: &Fields<'_>, now: i64) -> Result<bool, AppError> {
    let changed = with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE webhook_subscriptions SET url = $1, description = $2, allow_private = $3, enabled = $4, \
         updated_at = $5 WHERE id = $6"
    )
    .bind(f.url)
    .bind(f.description)
    .bind(f.allow_private)
    .bind(f.enabled)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    if changed == 0 {
        return Ok(false);
    }
    set_events(tx, id, f.events).await?;
    Ok(true)
}

async fn set_events(tx: &mut Tx, id: i64, events: &[Event]) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM webhook_subscription_events WHERE subscription_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    for event in events {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO webhook_subscription_events (subscription_id, event) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(event.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected())?);
    }
    Ok(())
}

pub async fn set_secret(tx: &mut Tx, id: i64, sealed: &str, now: i64) -> Result<bool, AppError> {
    let changed = with_tx!(tx, |c| sqlx::query(
        "UPDATE webhook_subscriptions SET secret_sealed = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(sealed)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(changed == 1)
}

/// Removes a subscription and its deliveries' history.
pub async fn delete(tx: &mut Tx, id: i64) -> Result<bool, AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM webhook_deliveries WHERE subscription_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM webhook_subscription_events WHERE subscription_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    let gone = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM webhook_subscriptions WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(gone == 1)
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    subscription_id: i64,
    url: String,
    event: String,
    event_id: String,
    state: String,
    attempts: i32,
    response_status: Option<i32>,
    response_body: Option<String>,
    error: Option<String>,
    duration_ms: Option<i64>,
    created_at: i64,
    last_attempt_at: Option<i64>,
    payload: String,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Delivery {
        Delivery {
            id: r.id,
            subscription_id: r.subscription_id,
            url: r.url,
            event: r.event,
            event_id: r.event_id,
            state: DeliveryState::parse(&r.state).unwrap_or(DeliveryState::Failed),
            attempts: r.attempts,
            response_status: r.response_status,
            response_body: r.response_body,
            error: r.error,
            duration_ms: r.duration_ms,
            created_at: r.created_at,
            last_attempt_at: r.last_attempt_at,
            payload: r.payload,
        }
    }
}

const DELIVERY_COLUMNS: &str = "d.id, d.subscription_id, s.url, d.event, d.event_id, d.state, d.attempts, \
     d.response_status, d.response_body, d.error, d.duration_ms, d.created_at, d.last_attempt_at, d.payload \
     FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id";

/// One page of deliveries, the latest first; of one subscription when `subscription` is not 0.
pub async fn deliveries(
    db: &Db,
    subscription: i64,
    page: u32,
    per_page: u32,
) -> Result<Page<Delivery>, AppError> {
    let offset = crate::db::page_offset(page, per_page);
    let (rows, total): (Vec<DeliveryRow>, i64) = with_db!(db, |p| {
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} WHERE ($1 = 0 OR d.subscription_id = $1) \
             ORDER BY d.id DESC LIMIT $2 OFFSET $3"
        )))
        .bind(subscription)
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(p)
        .await?;
        let total = sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE ($1 = 0 OR subscription_id = $1)",
        )
        .bind(subscription)
        .fetch_one(p)
        .await?;
        (rows, total)
    });
    Ok(Page {
        items: rows.into_iter().map(Delivery::from).collect(),
        total,
        total_capped: false,
        page,
        per_page,
    })
}

pub async fn delivery(db: &Db, id: i64) -> Result<Option<Delivery>, AppError> {
    let row: Option<DeliveryRow> = with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {DELIVERY_COLUMNS} WHERE d.id = $1"
    )))
    .bind(id)
    .fetch_optional(p)
    .await?);
    Ok(row.map(Delivery::from))
}

/// What one try came to.
pub struct Attempt<'a> {
    pub state: DeliveryState,
    pub response_status: Option<i32>,
    pub response_body: Option<&'a str>,
    pub error: Option<&'a str>,
    pub duration_ms: Option<i64>,
    pub at: i64,
}

/// Records a try: counts it and keeps its outcome. Returns the number of tries so far.
pub async fn record(db: &Db, id: i64, a: &Attempt<'_>) -> Result<i32, AppError> {
    let delivered_at = (a.state == DeliveryState::Delivered).then_some(a.at);
    let tries: Option<i32> = with_db_write!(db, |p| {
        sqlx::query_scalar(
        "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, response_status = $2, \
         response_body = $3, error = $4, duration_ms = $5, last_attempt_at = $6, delivered_at = $7 \
         WHERE id = $8 RETURNING attempts"
    )
    .bind(a.state.as_str())
    .bind(a.response_status)
    .bind(a.response_body)
    .bind(a.error)
    .bind(a.duration_ms)
    .bind(a.at)
    .bind(delivered_at)
    .bind(id)
    .fetch_optional(p)
    .await
    })?;
    Ok(tries.unwrap_or(0))
}

/// Sets only the state (a try that made no request: the subscription is off or gone).
pub async fn set_state(
    db: &Db,
    id: i64,
    state: DeliveryState,
    error: &str,
) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE webhook_deliveries SET state = $1, error = $2 WHERE id = $3"
    )
    .bind(state.as_str())
    .bind(error)
    .bind(id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A delivery to be sent again from its first try (an administrator's "Send again").
pub async fn requeue(tx: &mut Tx, id: i64) -> Result<bool, AppError> {
    let changed = with_tx!(tx, |c| sqlx::query(
        "UPDATE webhook_deliveries SET state = 'queued', attempts = 0 \
         WHERE id = $1 AND state IN ('delivered', 'failed', 'cancelled')"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(changed == 1)
}

/// Deletes finished deliveries made before `before`; returns how many.
pub async fn delete_finished_before(db: &Db, before: i64) -> Result<u64, AppError> {
    with_db_write!(db, |p| sqlx::query(
        "DELETE FROM webhook_deliveries WHERE created_at < $1 \
         AND state IN ('delivered', 'failed', 'cancelled')"
    )
    .bind(before)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .map_err(AppError::from)
}
