//! Each app instance keeps the site settings for a few seconds, so pages do not read them on every
//! request. Part of the app state: it knows the settings' type and nothing else of the area.

use super::model::SiteSettings;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Several app instances may share one database, so the cache is short-lived.
const CACHE_TTL: Duration = Duration::from_secs(5);

#[derive(Clone, Default)]
pub struct SettingsCache(Arc<RwLock<Option<(Instant, SiteSettings)>>>);

impl SettingsCache {
    pub(super) fn get(&self) -> Option<SiteSettings> {
        let guard = self.0.read().ok()?;
        guard
            .as_ref()
            .filter(|(at, _)| at.elapsed() < CACHE_TTL)
            .map(|(_, s)| s.clone())
    }
    pub(super) fn put(&self, settings: SiteSettings) {
        if let Ok(mut guard) = self.0.write() {
            *guard = Some((Instant::now(), settings));
        }
    }
}
