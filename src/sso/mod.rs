//! Signing in through an organisation's identity provider (OpenID Connect): the providers an
//! administrator configures (`/admin/sso`), shown as buttons on the sign-in page; the sign-in
//! itself (`handlers`: start and callback, `oidc`: discovery, PKCE, ID token checks through the
//! `openidconnect` crate) and who the provider's person is here (`service::finish`: a linked
//! identity, an existing account linked by a verified address, or a new account).

#[cfg(feature = "ssr")]
pub mod handlers;
pub mod model;
#[cfg(feature = "ssr")]
pub mod oidc;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
