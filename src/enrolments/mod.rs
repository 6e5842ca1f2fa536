//! Who is in which course and how they got there: manual, self-enrolment (key, approval, capacity
//! with a waiting list that promotes automatically), bulk CSV, cohorts kept in sync. One row per
//! person per course; unenrolling marks it withdrawn, so progress and history stay.

#[cfg(feature = "ssr")]
pub mod announce;
#[cfg(feature = "ssr")]
pub mod cohort_store;
#[cfg(feature = "ssr")]
pub mod cohorts;
#[cfg(feature = "ssr")]
pub mod handlers;
pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
