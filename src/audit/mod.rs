//! The audit log: every administrative action (who, what, when, target, before/after), written in
//! the same transaction as the action itself so the log and the data never disagree.

pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
pub use store::{Entry, list, record};
