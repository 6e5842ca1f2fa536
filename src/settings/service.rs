use super::model::SiteSettings;
use super::store;
use crate::audit;
use crate::auth::permissions::{Action, Actor, can};
use crate::db::{Db, now};
use crate::error::AppError;
use crate::state::AppState;

async fn load(db: &Db) -> Result<SiteSettings, AppError> {
    let rows = store::all(db).await?;
    let mut settings = SiteSettings::default();
    for (key, value) in rows {
        match key.as_str() {
            "site_name" => settings.site_name = value,
            "self_registration" => settings.self_registration = value == "true",
            "time_zone" => settings.time_zone = value,
            "session_lifetime_minutes" => {
                settings.session_lifetime_minutes =
                    value.parse().unwrap_or(settings.session_lifetime_minutes)
            }
            _ => {}
        }
    }
    Ok(settings)
}

/// Current settings (cached briefly).
pub async fn current(state: &AppState) -> Result<SiteSettings, AppError> {
    if let Some(settings) = state.settings.get() {
        return Ok(settings);
    }
    let settings = load(&state.db).await?;
    state.settings.put(settings.clone());
    Ok(settings)
}

pub use super::store::{get_value, put_value};

/// Today where the site is.
pub async fn today(state: &AppState) -> Result<chrono::NaiveDate, AppError> {
    Ok(super::time_zone::today_in(
        now(),
        &current(state).await?.time_zone,
    ))
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    new: SiteSettings,
) -> Result<SiteSettings, AppError> {
    if !can(actor, Action::ManageSettings) {
        return Err(AppError::Forbidden);
    }
    if !super::time_zone::is_zone(&new.time_zone) {
        return Err(AppError::invalid(
            "time_zone",
            format!(
                "{} is not a time zone. Enter one such as Europe/London or America/New_York.",
                new.time_zone
            ),
        ));
    }
    let before = load(&state.db).await?;
    let mut tx = state.db.begin().await?;
    put_value(&mut tx, "site_name", &new.site_name).await?;
    put_value(
        &mut tx,
        "self_registration",
        if new.self_registration {
            "true"
        } else {
            "false"
        },
    )
    .await?;
    put_value(
        &mut tx,
        "session_lifetime_minutes",
        &new.session_lifetime_minutes.to_string(),
    )
    .await?;
    put_value(&mut tx, "time_zone", &new.time_zone).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("settings.update", "settings", None, "Site settings")
            .before(&before)
            .after(&new),
        now(),
    )
    .await?;
    tx.commit().await?;
    state.settings.put(new.clone());
    Ok(new)
}
