//! Site settings: site name, self-registration, session lifetime. Stored as key/value rows;
//! each app instance caches them for a few seconds so pages do not read them on every request.

pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;

pub use model::SiteSettings;
#[cfg(feature = "ssr")]
pub use service::SettingsCache;
