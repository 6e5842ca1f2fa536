//! Courses: settings, categories, structure (sections and items), content (Markdown lessons, files,
//! videos, links), lesson revisions, copying, prerequisites and review dates. Course-level
//! permissions live in `access`; every service starts there.

#[cfg(feature = "ssr")]
pub mod access;
#[cfg(feature = "ssr")]
pub mod category_store;
#[cfg(feature = "ssr")]
pub mod content;
pub mod model;
#[cfg(feature = "ssr")]
pub mod outline_store;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod structure;
