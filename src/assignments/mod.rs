//! Assignments (a course item kind): instructions, due and cut-off dates, a late-penalty rule,
//! work handed in as text and/or files, drafts and resubmission, grading with points or a rubric,
//! feedback text and files, grades hidden until released, and a zip of every submission. Grades
//! flow into the gradebook after the late penalty.

#[cfg(feature = "ssr")]
pub mod archive;
#[cfg(feature = "ssr")]
pub mod handlers;
pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
