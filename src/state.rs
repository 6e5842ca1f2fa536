//! What every request handler and service needs: database, settings, mailer, file storage.
//! Each handle's type sits in a file of its area that uses only the foundation, so the state is
//! foundation too (see `LAYERS` in tests/layering.rs).

use crate::config::Config;
use crate::db::Db;
use crate::files::storage::Storage;
use crate::http::assets::Assets;
use crate::mail::mailer::Mailer;
use crate::seal::Sealer;
use crate::settings::cache::SettingsCache;
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
    /// File contents: local folder or S3, built once because the S3 client holds a connection pool.
    pub files: Storage,
    /// The site's static files and the build id in their addresses.
    pub assets: Arc<Assets>,
    /// Seals the secrets Lyceum keeps to send on (see `seal`).
    pub sealer: Arc<Sealer>,
}

impl AppState {
    /// Fails on a storage URL that `Config::from_args` would have refused, or a sealing key that
    /// cannot be read or made (start-up only).
    /// Pages name the static files under their build id (see `http::assets`).
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Config) -> Result<AppState, String> {
        let assets = Assets::load(&leptos_options.site_root, &leptos_options.site_pkg_dir);
        let mailer = Mailer::new(config.smtp_url.as_deref(), &config.smtp_from);
        let files = Storage::new(config.files_dir(), config.storage_url.as_deref())
            .map_err(|e| e.to_string())?;
        let sealer = Sealer::load(config.secret_key.as_deref(), &config.data_dir)?;
        Ok(AppState {
            leptos_options,
            db,
            config: Arc::new(config),
            mailer,
            settings: SettingsCache::default(),
            files,
            assets: Arc::new(assets),
            sealer: Arc::new(sealer),
        })
    }
}
