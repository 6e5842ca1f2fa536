//! Use cases of webhooks for administrators: subscriptions (each with its signing secret, shown
//! once), the deliveries and their responses, sending one again, and a test event.

use super::address;
use super::deliver::SECRET;
use super::model::{Delivery, Event, Saved, Subscription, SubscriptionForm};
use super::outbox;
use super::store::{self, Fields};
use crate::audit;
use crate::auth::permissions::{Action, Actor, can};
use crate::db::now;
use crate::error::{AppError, Problems};
use crate::paging::Page;
use crate::state::AppState;
use serde_json::json;

pub const PER_PAGE: u32 = 25;
/// How long finished deliveries stay listed.
pub const KEEP_DAYS: i64 = 30;

/// The nightly clean-up of old deliveries.
pub const PRUNE: crate::jobs::daily::Daily = crate::jobs::daily::Daily {
    kind: "webhooks.prune",
    hour: 3,
    minute: 30,
};

/// Deletes the deliveries that finished more than `KEEP_DAYS` ago, then queues the next night.
pub async fn prune(state: &AppState, at: i64) -> Result<u64, AppError> {
    let gone = store::delete_finished_before(&state.db, at - KEEP_DAYS * 24 * 60 * 60).await?;
    crate::jobs::daily::queue_next(state, &PRUNE, at).await?;
    Ok(gone)
}

fn require_admin(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::ManageSettings) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A new signing secret, as receivers keep it.
fn new_secret() -> String {
    format!("whsec_{}", crate::auth::tokens::new_secret())
}

pub async fn subscriptions(state: &AppState, actor: &Actor) -> Result<Vec<Subscription>, AppError> {
    require_admin(actor)?;
    store::subscriptions(&state.db).await
}

/// Checks and saves a subscription. The URL is resolved now: an address that leads to a private
/// or loopback address is refused here, next to the field, unless allowed.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    form: &SubscriptionForm,
) -> Result<Saved, AppError> {
    require_admin(actor)?;
    let mut problems = Problems::default();
    let url = form.url.trim().to_string();
    if url.len() > 2_000 {
        problems.add("url", "Give an address of at most 2,000 characters.");
    } else if let Err(refused) = address::check(&url, form.allow_private).await {
        problems.add("url", refused.message());
    }
    let description = form.description.trim().to_string();
    if description.chars().count() > 200 {
        problems.add("description", "Keep the description to 200 characters.");
    }
    let mut events = Vec::new();
    for name in &form.events {
        match Event::parse(name) {
            Some(e) if e != Event::Ping => {
                if !events.contains(&e) {
                    events.push(e);
                }
            }
            _ => problems.add("events", format!("Lyceum sends no event “{name}”.")),
        }
    }
    if form.events.is_empty() {
        problems.add("events", "Choose at least one event to send.");
    }
    problems.into_result()?;
    let fields = Fields {
        url: &url,
        description: &description,
        events: &events,
        allow_private: form.allow_private,
        enabled: form.enabled,
    };
    let at = now();
    let mut tx = state.db.begin().await?;
    let (id, secret) = if form.id == 0 {
        let secret = new_secret();
        let sealed = state.sealer.seal(SECRET, &secret)?;
        (
            store::insert(&mut tx, &fields, &sealed, at).await?,
            Some(secret),
        )
    } else if store::update(&mut tx, form.id, &fields, at).await? {
        (form.id, None)
    } else {
        return Err(AppError::NotFound);
    };
    let mut shown = form.clone();
    shown.url = url.clone();
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("webhook.saved", "webhook", Some(id), url.as_str()).after(&shown),
        at,
    )
    .await?;
    tx.commit().await?;
    let subscription = store::subscription(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Saved {
        subscription,
        secret,
    })
}

/// A new secret for a subscription (the old one stops at once); shown once.
pub async fn roll_secret(state: &AppState, actor: &Actor, id: i64) -> Result<Saved, AppError> {
    require_admin(actor)?;
    let secret = new_secret();
    let sealed = state.sealer.seal(SECRET, &secret)?;
    let at = now();
    let mut tx = state.db.begin().await?;
    if !store::set_secret(&mut tx, id, &sealed, at).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("webhook.secret_rolled", "webhook", Some(id), id.to_string()),
        at,
    )
    .await?;
    tx.commit().await?;
    let subscription = store::subscription(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Saved {
        subscription,
        secret: Some(secret),
    })
}

pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    require_admin(actor)?;
    let row = store::subscription_row(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    store::delete(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("webhook.deleted", "webhook", Some(id), row.url.as_str()),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One page of deliveries, the latest first; of one subscription when `subscription` is not 0.
pub async fn deliveries(
    state: &AppState,
    actor: &Actor,
    subscription: i64,
    page: u32,
) -> Result<Page<Delivery>, AppError> {
    require_admin(actor)?;
    store::deliveries(&state.db, subscription, page.max(1), PER_PAGE).await
}

/// Sends a finished delivery again, as it was (same event id, new signature).
pub async fn redeliver(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    require_admin(actor)?;
    store::delivery(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let at = now();
    let mut tx = state.db.begin().await?;
    if !store::requeue(&mut tx, id).await? {
        return Err(AppError::invalid(
            "",
            "This delivery is still waiting to be sent; it cannot be sent again yet.",
        ));
    }
    crate::jobs::queue::enqueue(&mut tx, outbox::DELIVER, &id.to_string(), at, at).await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a `ping` to one subscription (whatever events it chose), to try the receiver.
pub async fn send_test(state: &AppState, actor: &Actor, id: i64) -> Result<i64, AppError> {
    require_admin(actor)?;
    store::subscription_row(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let at = now();
    let event_id = uuid::Uuid::new_v4().to_string();
    let body = outbox::envelope(
        Event::Ping,
        &event_id,
        at,
        json!({ "subscription_id": id, "sent_by": actor.id }),
    );
    let mut tx = state.db.begin().await?;
    let delivery = outbox::queue_delivery(&mut tx, id, Event::Ping, &event_id, &body, at).await?;
    tx.commit().await?;
    Ok(delivery)
}
