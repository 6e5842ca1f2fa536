//! The learner's side: the course page with its enrol button, "My learning", and the course player
//! that records views and completion. A course is complete when every required, visible item is.

pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
