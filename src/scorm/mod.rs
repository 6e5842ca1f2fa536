//! The SCORM package kind: an instructor uploads a SCORM 1.2 or 2004 zip, Lyceum checks its
//! manifest (refusing a broken package with the reason), keeps its files in storage and plays it
//! in a frame of the player, with a table of contents for packages of several SCOs. A SCORM 1.2
//! SCO talks to `window.API` (`api.rs`, `session.rs`, the data model in `cmi12.rs`), which sends
//! what it reports to the server (`runtime.rs`): kept per learner and SCO, resumed, and completing
//! the item when every SCO is completed or passed. Plugged in
//! through `items::registry`; its tables come from its own migration.

#[cfg(feature = "hydrate")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod attempt_store;
pub mod cmi12;
pub mod cmi2004;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod manifest;
pub mod model;
pub mod navigation;
#[cfg(feature = "ssr")]
pub mod package;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod report;
#[cfg(feature = "ssr")]
pub mod runtime;
pub mod sequencing;
#[cfg(feature = "ssr")]
pub mod sequencing_xml;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;
