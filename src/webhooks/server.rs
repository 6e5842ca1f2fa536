//! Server functions of the administrators' webhooks page.

use super::model::{Delivery, Saved, Subscription};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[server(endpoint = "webhooks/list")]
pub async fn webhook_subscriptions() -> Result<Vec<Subscription>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::subscriptions(&state, &actor).await)
}

/// `id` 0 adds a subscription (its secret comes back once). The yes/no settings are checkboxes
/// ("on" when ticked).
#[server(endpoint = "webhooks/save")]
pub async fn save_webhook(
    id: i64,
    url: String,
    #[server(default)] description: String,
    #[server(default)] events: Vec<String>,
    #[server(default)] allow_private: Option<String>,
    #[server(default)] enabled: Option<String>,
) -> Result<Saved, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    let ticked = |v: Option<String>| v.is_some_and(|v| !v.is_empty() && v != "false");
    let form = super::model::SubscriptionForm {
        id,
        url,
        description,
        events,
        allow_private: ticked(allow_private),
        enabled: ticked(enabled),
    };
    crate::edge::respond(super::service::save(&state, &actor, &form).await)
}

#[server(endpoint = "webhooks/delete")]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::delete(&state, &actor, id).await)
}

#[server(endpoint = "webhooks/roll_secret")]
pub async fn roll_webhook_secret(id: i64) -> Result<Saved, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::roll_secret(&state, &actor, id).await)
}

/// `subscription` 0: the deliveries of every subscription.
#[server(endpoint = "webhooks/deliveries")]
pub async fn webhook_deliveries(subscription: i64, page: u32) -> Result<Page<Delivery>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::deliveries(&state, &actor, subscription, page).await)
}

#[server(endpoint = "webhooks/redeliver")]
pub async fn redeliver_webhook(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::redeliver(&state, &actor, id).await)
}

#[server(endpoint = "webhooks/send_test")]
pub async fn send_test_webhook(id: i64) -> Result<i64, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::send_test(&state, &actor, id).await)
}
