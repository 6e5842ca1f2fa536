//! Server functions of the calendar page.

use super::model::{Feed, Month};
use crate::error::AppError;
use leptos::prelude::*;

/// `month` "YYYY-MM", or empty for this month.
#[server(endpoint = "calendar/month")]
pub async fn calendar_month(month: String) -> Result<Month, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::month(&state, &actor, &month).await)
}

#[server(endpoint = "calendar/feed")]
pub async fn calendar_feed() -> Result<Feed, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::feed(&state, &actor).await)
}

#[server(endpoint = "calendar/new_feed")]
pub async fn new_calendar_feed() -> Result<Feed, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::new_feed(&state, &actor).await)
}
