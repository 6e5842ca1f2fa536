//! The audit log: every administrative action (who, what, when, target, before/after), written in
//! the same transaction as the action itself so the log and the data never disagree. When an
//! account is deleted, its entries stay and lose the person's names and addresses (`service`).

pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
pub use service::{Person, forget_person, former_identities};
#[cfg(feature = "ssr")]
pub use store::{Entry, list, record};
