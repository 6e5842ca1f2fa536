//! The notification centre: what Lyceum tells a person (a training reminder, an approved
//! enrolment, a released grade), with an unread count in the header, and each person's choice
//! per kind of how they hear of it (in Lyceum only, an email now, the daily digest, or not at
//! all). Areas call `service::notify` in their own transaction; emails go through the outbox and
//! the job queue, never inside the request.

pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;
