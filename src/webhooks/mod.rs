//! Webhooks: administrators subscribe URLs to events (`/admin/webhooks`). An area that makes an
//! event calls `outbox::emit` in its own transaction (foundation: any area may), which keeps one
//! delivery per subscribed URL and queues the durable job `webhooks.deliver`; the job signs the
//! body (`signature`: HMAC-SHA256 over the timestamp and the body, see docs/WEBHOOKS.md), posts
//! it to an address it has checked (`address`: private and loopback addresses only when an
//! administrator allowed them, checked again at each try so that a changed DNS answer cannot
//! reach inside) and keeps the response; a failed try is tried again with the queue's back-off.

#[cfg(feature = "ssr")]
pub mod address;
#[cfg(feature = "ssr")]
pub mod deliver;
pub mod model;
#[cfg(feature = "ssr")]
pub mod outbox;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod signature;
#[cfg(feature = "ssr")]
pub mod store;
