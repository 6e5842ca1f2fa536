//! The job `webhooks.deliver`: sends one delivery, signed, to the address checked for it, and
//! keeps what the receiver answered. Any 2xx is delivered; anything else (no answer, a
//! redirect, 4xx, 5xx) is tried again with the job queue's back-off, up to its last try. An
//! address refused as private is not tried again: it will not change by waiting.

use super::address;
use super::model::{Delivery, DeliveryState};
use super::outbox::DELIVER;
use super::signature;
use super::store::{self, Attempt};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use std::time::{Duration, Instant};

/// How much of a response body is kept to show.
const KEPT_CHARS: usize = 2_000;
/// The purpose a subscription's secret is sealed for (`seal`).
pub const SECRET: &str = "webhook_subscriptions.secret";

pub const JOB: &str = DELIVER;

/// Runs the job for the delivery whose id is `payload`.
pub async fn run(state: &AppState, payload: &str) -> Result<(), String> {
    let text = |e: AppError| e.to_string();
    let Ok(id) = payload.trim().parse::<i64>() else {
        return Ok(());
    };
    let Some(delivery) = store::delivery(&state.db, id).await.map_err(text)? else {
        return Ok(());
    };
    let Some(subscription) = store::subscription_row(&state.db, delivery.subscription_id)
        .await
        .map_err(text)?
    else {
        return Ok(());
    };
    if !subscription.enabled {
        store::set_state(
            &state.db,
            id,
            DeliveryState::Cancelled,
            "The subscription was switched off before this was sent.",
        )
        .await
        .map_err(text)?;
        return Ok(());
    }
    let at = now();
    let target = match address::check(&subscription.url, subscription.allow_private).await {
        Ok(t) => t,
        Err(refused) => {
            let error = refused.message();
            let state_now = match refused {
                address::Refused::Private(_) | address::Refused::NotWeb => DeliveryState::Failed,
                // DNS may come back.
                address::Refused::Unresolved(..) => DeliveryState::Retrying,
            };
            let tries =
                record_failure(state, &delivery, state_now, None, None, &error, None, at).await?;
            return match state_now {
                DeliveryState::Failed => Ok(()),
                _ if tries >= crate::jobs::queue::MAX_ATTEMPTS => Ok(()),
                _ => Err(error),
            };
        }
    };
    let secret = state
        .sealer
        .open(SECRET, &subscription.secret_sealed)
        .map_err(text)?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(0)
        .resolve_to_addrs(&target.host, &target.addrs)
        .build()
        .map_err(|e| format!("Lyceum could not make an HTTP client: {e}"))?;
    let started = Instant::now();
    let sent = client
        .post(&subscription.url)
        .header("Content-Type", "application/json")
        .header("User-Agent", "Lyceum-Webhooks/1")
        .header("Lyceum-Event", &delivery.event)
        .header("Lyceum-Delivery", delivery.id.to_string())
        .header("Lyceum-Event-Id", &delivery.event_id)
        .header(
            signature::HEADER,
            signature::header_value(&secret, at, &delivery.payload),
        )
        .body(delivery.payload.clone())
        .send()
        .await;
    let mut response = match sent {
        Ok(r) => r,
        Err(e) => {
            let error = format!("No answer from the receiver: {}", describe(&e));
            let ms = elapsed_ms(started);
            let tries = record_failure(
                state,
                &delivery,
                DeliveryState::Retrying,
                None,
                None,
                &error,
                Some(ms),
                at,
            )
            .await?;
            return give_up_after(tries, error);
        }
    };
    let status = response.status();
    let body = read_start(&mut response).await;
    let ms = elapsed_ms(started);
    let code = Some(i32::from(status.as_u16()));
    if status.is_success() {
        store::record(
            &state.db,
            id,
            &Attempt {
                state: DeliveryState::Delivered,
                response_status: code,
                response_body: Some(&body),
                error: None,
                duration_ms: Some(ms),
                at,
            },
        )
        .await
        .map_err(text)?;
        return Ok(());
    }
    let error = format!("The receiver answered {status}.");
    let tries = record_failure(
        state,
        &delivery,
        DeliveryState::Retrying,
        code,
        Some(&body),
        &error,
        Some(ms),
        at,
    )
    .await?;
    give_up_after(tries, error)
}

/// The job fails (to be tried again) unless that was the last try.
fn give_up_after(tries: i32, error: String) -> Result<(), String> {
    if tries >= crate::jobs::queue::MAX_ATTEMPTS {
        Ok(())
    } else {
        Err(error)
    }
}

/// Keeps a failed try; a retrying one on its last try is failed for good. Returns the tries.
#[allow(clippy::too_many_arguments)]
async fn record_failure(
    state: &AppState,
    delivery: &Delivery,
    mut outcome: DeliveryState,
    response_status: Option<i32>,
    response_body: Option<&str>,
    error: &str,
    duration_ms: Option<i64>,
    at: i64,
) -> Result<i32, String> {
    // The delivery as read when this try began: its tries before this one.
    if outcome == DeliveryState::Retrying
        && delivery.attempts + 1 >= crate::jobs::queue::MAX_ATTEMPTS
    {
        outcome = DeliveryState::Failed;
    }
    store::record(
        &state.db,
        delivery.id,
        &Attempt {
            state: outcome,
            response_status,
            response_body,
            error: Some(error),
            duration_ms,
            at,
        },
    )
    .await
    .map_err(|e| e.to_string())
}

fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "it did not answer in time.".into()
    } else if e.is_connect() {
        "the connection was refused or could not be made.".into()
    } else {
        e.to_string()
    }
}

/// The start of the response body, as text; the rest is not read.
async fn read_start(response: &mut reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < KEPT_CHARS * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    String::from_utf8_lossy(&bytes)
        .chars()
        .take(KEPT_CHARS)
        .collect()
}
