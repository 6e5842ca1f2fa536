//! Programmes: an ordered set of courses with a completion rule (all, or any N of them). People
//! added to a programme are enrolled in its courses; each sees one progress bar and the next
//! course to take, and the programme completes from their course completions (the
//! `COURSE_COMPLETED` job).

pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;
