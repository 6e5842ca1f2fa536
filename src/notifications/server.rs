//! Server functions of the notification centre: each person reads and sets only their own.

use super::model::{Channel, Kind, Notification, PreferencesForm};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "notifications/list")]
pub async fn my_notifications(page: u32) -> Result<Page<Notification>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::list(&state, &actor, page).await)
}

#[server(endpoint = "notifications/unread")]
pub async fn unread_notifications() -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::unread_count(&state, &actor).await)
}

/// Marks one notification read, or all of them (`id` left out).
#[server(endpoint = "notifications/read")]
pub async fn mark_notifications_read(id: Option<i64>) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::mark_read(&state, &actor, id).await)
}

#[server(endpoint = "notifications/preferences")]
pub async fn notification_preferences() -> Result<Vec<(Kind, Channel)>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::preferences(&state, &actor).await)
}

#[server(endpoint = "notifications/save_preferences")]
pub async fn save_notification_preferences(form: PreferencesForm) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::save_preferences(&state, &actor, &form).await)
}
