//! Who is asking, as the request carries it (resolved by `request::authenticate`). Apart from the
//! rest of `auth` so that `edge`, below every area's server functions, can hand it out.

use super::permissions::Actor;

#[derive(Debug, Clone, Default)]
pub struct RequestAuth {
    pub actor: Option<Actor>,
    pub session_hash: Option<String>,
    pub ip: String,
    pub user_agent: String,
    /// The device cookie's secret, if the browser sent one.
    pub device: Option<String>,
}

/// The `RequestAuth` of the request being served (inside a server function or page render).
pub fn current() -> RequestAuth {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestAuth>().cloned())
        .unwrap_or_default()
}
