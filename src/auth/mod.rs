//! Authentication and authorisation: passwords (Argon2id), database-backed sessions, guessing
//! limits (`throttle`), two-step verification (`mfa`, `totp`), password reset, first-administrator set-up, personal API tokens, and the permission rules
//! in `permissions` that every service calls.

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod identity;
#[cfg(feature = "ssr")]
pub mod mfa;
pub mod mfa_pages;
#[cfg(feature = "ssr")]
pub mod mfa_store;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod password;
pub mod permissions;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod rules;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod tokens;
#[cfg(feature = "ssr")]
pub mod totp;
