//! The SCORM package kind: an instructor uploads a SCORM 1.2 or 2004 zip, Lyceum checks its
//! manifest (refusing a broken package with the reason), keeps its files in storage and plays it
//! in a frame of the player, with a table of contents for packages of several SCOs. Plugged in
//! through `items::registry`; its tables come from its own migration.

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod manifest;
pub mod model;
#[cfg(feature = "ssr")]
pub mod package;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
