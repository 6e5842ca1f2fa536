//! The cmi5 course kind (AICC/ADL cmi5, "Quartz"): an instructor uploads a cmi5 package, whose
//! `cmi5.xml` (`structure`) names its blocks and AUs; learners open each AU in a frame or a
//! window of its own (`launch`), and the AU reports to Lyceum's LRS with credentials bound to
//! its session (`lrs`), where the statement rules (`rules`) are enforced and moveOn decides
//! satisfaction (`moveon`), which completes the item and grades it. Instructors see each learner's
//! AUs, waive an AU or reset a registration (`report`). Plugged in through
//! `items::registry`; its tables come from its own migration.

pub mod model;
pub mod pages;
pub mod server;

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod launch;
#[cfg(feature = "ssr")]
pub mod lrs;
#[cfg(feature = "ssr")]
pub mod moveon;
#[cfg(feature = "ssr")]
pub mod package;
#[cfg(feature = "ssr")]
pub mod report;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod structure;
