use super::model::SiteSettings;
use crate::audit;
use crate::auth::permissions::{Action, Actor, can};
use crate::db::{Db, Tx, now};
use crate::error::AppError;
use crate::state::AppState;
use crate::{with_db, with_tx};

async fn load(db: &Db) -> Result<SiteSettings, AppError> {
    let rows: Vec<(String, String)> =
        with_db!(db, |p| sqlx::query_as("SELECT key, value FROM settings")
            .fetch_all(p)
            .await)?;
    let mut settings = SiteSettings::default();
    for (key, value) in rows {
        match key.as_str() {
            "site_name" => settings.site_name = value,
            "self_registration" => settings.self_registration = value == "true",
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

pub async fn put_value(tx: &mut Tx, key: &str, value: &str) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    .bind(key)
    .bind(value)
    .execute(c)
    .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn get_value(db: &Db, key: &str) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT value FROM settings WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(p)
    .await)?)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    new: SiteSettings,
) -> Result<SiteSettings, AppError> {
    if !can(actor, Action::ManageSettings) {
        return Err(AppError::Forbidden);
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
