//! Date overrides and accommodations: dates one learner has instead of an item's (an extension,
//! a later close, extra time, extra attempts). Kept per learner, never copied with a course. The
//! kinds read them here when they decide for a learner (`for_learner`); the item layer sets and
//! removes them (`items::overrides`), for every kind with dates at once.

pub mod model;
#[cfg(feature = "ssr")]
pub mod store;
