//! What every request handler and service needs: database, settings, mailer.

use crate::config::Config;
use crate::db::Db;
use crate::mail::Mailer;
use crate::settings::SettingsCache;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub mailer: Mailer,
    pub settings: SettingsCache,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Config) -> AppState {
        let mailer = Mailer::new(config.smtp_url.as_deref(), &config.smtp_from);
        AppState {
            leptos_options,
            db,
            config: Arc::new(config),
            mailer,
            settings: SettingsCache::default(),
        }
    }
}
