//! The instructor dashboard: work needing grading, late and missing work, learners at risk,
//! completion over time and quiz statistics with item analysis; charts drawn on the server.

#[cfg(feature = "ssr")]
pub mod charts;
pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod stats;
#[cfg(feature = "ssr")]
pub mod store;
