//! Certificates: templates administrators design, issued when a learner completes a course that
//! names one (or by hand), drawn as a PDF with a QR code to a public verification page that says
//! valid, expired or revoked, and as a signed Open Badges 3.0 credential; "My certificates" for learners, a searchable list for
//! administrators.

#[cfg(feature = "ssr")]
mod badge;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod images;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
mod pdf;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod store;
