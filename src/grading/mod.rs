//! Grading: the rules that combine grades into category and course totals (weights, drops,
//! extra credit, excused items, letters, late penalties). The gradebook's storage and pages
//! build on these rules.

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod import;
pub mod model;
pub mod pages;
pub mod rules;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
