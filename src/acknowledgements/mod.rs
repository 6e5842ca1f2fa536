//! The acknowledgement kind: a policy text (the item's Markdown body) and a statement the learner
//! confirms ("I have read and understood the fire safety policy"). It completes on confirmation,
//! records when and the statement as it read, and the instructor sees and exports who confirmed.
//! Plugged in through `items::registry`; its tables come from its own migration.

#[cfg(feature = "ssr")]
pub mod handlers;
pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
