//! Site settings: site name, self-registration, session lifetime, time zone. Stored as key/value rows;
//! each app instance caches them for a few seconds so pages do not read them on every request.

#[cfg(feature = "ssr")]
pub mod cache;
pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod time_zone;

#[cfg(feature = "ssr")]
pub use cache::SettingsCache;
pub use model::SiteSettings;
