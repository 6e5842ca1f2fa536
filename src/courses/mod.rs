//! Courses: settings, categories, structure (sections and items), content (Markdown lessons, files,
//! videos, links), lesson revisions, copying, prerequisites and review dates. Course-level
//! permissions live in `access`; every service starts there.

pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod access;
#[cfg(feature = "ssr")]
pub mod content;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod structure;
