use super::model::SiteSettings;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "settings/get")]
pub async fn get_site_settings() -> Result<SiteSettings, AppError> {
    use crate::auth::permissions::{Action, can};
    let (state, actor, _) = crate::edge::signed_in()?;
    if !can(&actor, Action::ManageSettings) {
        return crate::edge::respond(Err(AppError::Forbidden));
    }
    crate::edge::respond(super::service::current(&state).await)
}

#[server(endpoint = "settings/update")]
pub async fn update_site_settings(
    site_name: String,
    self_registration: bool,
    session_lifetime_minutes: String,
    /// Left out: the time zone stays as it is.
    time_zone: Option<String>,
) -> Result<SiteSettings, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    let time_zone = match time_zone {
        Some(zone) => zone,
        None => crate::edge::respond(super::service::current(&state).await)?.time_zone,
    };
    let parsed = SiteSettings::parse(
        &site_name,
        self_registration,
        &session_lifetime_minutes,
        &time_zone,
    );
    crate::edge::respond(match parsed {
        Ok(settings) => super::service::update(&state, &actor, settings).await,
        Err(e) => Err(e),
    })
}
