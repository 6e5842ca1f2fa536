//! Where events leave: `emit` keeps one delivery per enabled subscription to the event and
//! queues its job, in the caller's transaction (nothing is sent for work that rolls back, and
//! nothing made is lost). Uses only the database and the job queue, so that any area may emit.

use super::model::Event;
use crate::db::Tx;
use crate::error::AppError;
use crate::with_tx;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

/// The job that sends one delivery (its id is the payload).
pub const DELIVER: &str = "webhooks.deliver";

/// The body every subscriber gets: the event's own id (the same for every subscriber, kept by
/// retries), its type, when it happened and its data.
pub fn envelope(event: Event, event_id: &str, at: i64, data: Value) -> String {
    let time = DateTime::<Utc>::from_timestamp(at, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true);
    json!({ "id": event_id, "type": event.as_str(), "created_at": time, "data": data }).to_string()
}

/// Queues `event` with `data` for every enabled subscription to it; returns how many.
pub async fn emit(tx: &mut Tx, event: Event, data: Value, now: i64) -> Result<usize, AppError> {
    let subscribers: Vec<i64> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT s.id FROM webhook_subscriptions s \
         JOIN webhook_subscription_events e ON e.subscription_id = s.id \
         WHERE e.event = $1 AND s.enabled = TRUE ORDER BY s.id"
    )
    .bind(event.as_str())
    .fetch_all(c)
    .await?);
    if subscribers.is_empty() {
        return Ok(0);
    }
    let event_id = uuid::Uuid::new_v4().to_string();
    let body = envelope(event, &event_id, now, data);
    for subscription in &subscribers {
        queue_delivery(tx, *subscription, event, &event_id, &body, now).await?;
    }
    Ok(subscribers.len())
}

/// Keeps one delivery of `body` to one subscription and queues its job.
pub async fn queue_delivery(
    tx: &mut Tx,
    subscription_id: i64,
    event: Event,
    event_id: &str,
    body: &str,
    now: i64,
) -> Result<i64, AppError> {
    let id: i64 = with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO webhook_deliveries (subscription_id, event, event_id, payload, state, attempts, created_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, $5) RETURNING id"
    )
    .bind(subscription_id)
    .bind(event.as_str())
    .bind(event_id)
    .bind(body)
    .bind(now)
    .fetch_one(c)
    .await?
    });
    crate::jobs::queue::enqueue(tx, DELIVER, &id.to_string(), now, now).await?;
    Ok(id)
}
