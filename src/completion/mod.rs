//! Completion, in one place: an item is done (viewed, marked done, handed in, passed, confirmed:
//! each kind says when, see `items::kind`), and a course is complete once every required, visible
//! item is done and, when the course has a pass grade, the learner's total reaches it. Kinds and
//! the gradebook report what happened here; nothing else decides completion.

pub mod model;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
