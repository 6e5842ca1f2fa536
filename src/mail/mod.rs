//! Outgoing email. Every message is written to the outbox table first; when SMTP is configured it is
//! then sent with lettre and marked sent (or its error kept). Without SMTP, administrators read the
//! outbox in the UI.

#[cfg(feature = "ssr")]
pub mod mailer;
pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
pub use mailer::Mailer;
#[cfg(feature = "ssr")]
pub use service::list_outbox;
