//! The built-in xAPI learning record store (`/xapi`, xAPI 1.0.3 and 2.0): statements, documents,
//! activities and agents for content and other systems, and the administrators' page of its
//! clients and statements, and forwarding every statement to another LRS. Other areas may hand out credentials bound to one learner
//! (`delegate`: cmi5's AU sessions).

pub mod model;
pub mod pages;
pub mod server;

#[cfg(feature = "ssr")]
pub mod agent;
#[cfg(feature = "ssr")]
pub mod clients;
#[cfg(feature = "ssr")]
pub mod delegate;
#[cfg(feature = "ssr")]
pub mod format;
#[cfg(feature = "ssr")]
pub mod forward;
#[cfg(feature = "ssr")]
pub mod forward_store;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod multipart;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod signature;
#[cfg(feature = "ssr")]
pub mod statement;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod validate;
