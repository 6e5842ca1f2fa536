//! "My team": a line manager sees the people who report to them, directly or through others,
//! and their learning; nobody else's. The reporting lines are the people's profiles (`manager`).

pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
