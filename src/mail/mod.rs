//! Outgoing email. Every message is written to the outbox table first; when SMTP is configured it is
//! then sent with lettre and marked sent (or its error kept). Without SMTP, administrators read the
//! outbox in the UI. When an account is deleted, the messages to it stay without their address
//! or text (`forget_recipient`).

#[cfg(feature = "ssr")]
pub mod mailer;
pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
mod store;
#[cfg(feature = "ssr")]
pub use mailer::Mailer;
#[cfg(feature = "ssr")]
pub use service::{forget_recipient, list_outbox};
