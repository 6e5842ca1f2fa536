//! Audiences: saved rules over people (profile fields, site roles, cohorts, reporting lines)
//! with a live member count and preview. Membership is computed from the rules whenever it is
//! read, so it follows profile changes at once; assignments of training resolve it the same way.

pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
