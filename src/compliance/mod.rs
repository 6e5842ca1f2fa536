//! Compliance training: requirements (a course assigned to people with a due date, optionally
//! recurring), each person's standing on them, and the reports. `status` is the one rule for
//! where a person stands on a day (`settings::time_zone` says which day it is where the site is).

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod matrix;
pub mod model;
pub mod pages;
pub mod reminders;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
pub mod status;
#[cfg(feature = "ssr")]
pub mod store;
