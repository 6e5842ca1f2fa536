//! Who is asking: resolved once per request from the session cookie (or, for the REST API, a
//! bearer token) and kept in the request's extensions for pages and server functions.

pub use super::identity::{RequestAuth, current};
use super::model::SignInNext;
use super::permissions::Actor;
use super::service::{self, SignedIn};
use super::throttle::Client;
use crate::error::AppError;
use crate::state::AppState;
use http::{HeaderMap, header};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "lyceum_session";
/// A random secret a browser keeps once it has signed in: the account's "usual client" even when
/// its address changes (see `throttle`).
pub const DEVICE_COOKIE: &str = "lyceum_device";
const DEVICE_COOKIE_SECS: i64 = 400 * 24 * 60 * 60;
/// A sign-in whose password was right, waiting for its second step.
pub const CHALLENGE_COOKIE: &str = "lyceum_mfa";

impl RequestAuth {
    /// The client as the guessing limits see it.
    pub fn client(&self) -> Client {
        Client {
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            device: self.device.clone(),
        }
    }
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE).filter(|v| !v.is_empty())
}

/// The client's address: the socket peer, or, behind a trusted proxy, the last X-Forwarded-For
/// entry (the one our proxy added: entries before it are whatever the client sent, and would let
/// anyone pick a new address for every guess). Capped in length, as it is stored.
pub fn client_ip(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if state.config.trust_proxy
        && let Some(last) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|s| !s.is_empty())
    {
        return last.chars().take(64).collect();
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Who is asking: the session cookie's actor, if any, and the client as the guessing limits see
/// it. Resolved once per request by `http::guards::resolve_session`, which answers an error (the
/// database could not say) in the caller's shape.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Result<RequestAuth, AppError> {
    let ip = client_ip(state, headers, peer);
    let user_agent: String = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect();
    let device = cookie_value(headers, DEVICE_COOKIE).filter(|v| !v.is_empty() && v.len() <= 100);
    let mut auth = RequestAuth {
        ip,
        user_agent,
        device,
        ..Default::default()
    };
    if let Some(token) = session_token(headers) {
        let hash = super::tokens::hash(&token);
        if let Some(actor) = service::actor_for_session(state, &hash).await? {
            auth.actor = Some(actor);
            auth.session_hash = Some(hash);
        }
    }
    Ok(auth)
}

/// The signed-in actor, or `Unauthenticated`.
pub fn require_actor() -> Result<Actor, AppError> {
    current().actor.ok_or(AppError::Unauthenticated)
}

/// A cookie Lyceum sets: HttpOnly, SameSite=Lax, Secure when people reach Lyceum over https;
/// without `max_age` it lasts as long as the browser runs.
pub fn cookie(
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
    max_age: Option<i64>,
) -> String {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax{age}{secure}")
}

pub fn session_cookie(state: &AppState, token: &str) -> String {
    cookie(state, SESSION_COOKIE, token, "/", None)
}

/// Signs in with a password and returns the cookies to set: the session (or, for an account with
/// two-step verification, the challenge that waits for the code), and a device cookie for a
/// browser that has none yet (so the guessing limits know it next time). The one way in for the
/// `auth/sign_in` server function and the plain form post (`handlers`).
pub async fn sign_in_cookies(
    state: &AppState,
    auth: &RequestAuth,
    email: &str,
    password: &str,
) -> Result<(Vec<String>, SignInNext), AppError> {
    let mut client = auth.client();
    let new_device = client.device.is_none().then(super::tokens::new_secret);
    if new_device.is_some() {
        client.device = new_device.clone();
    }
    let (mut cookies, next) = match service::sign_in(state, email, password, &client).await? {
        SignedIn::Session(token) => (vec![session_cookie(state, &token)], SignInNext::SignedIn),
        SignedIn::SecondStep(challenge) => (
            vec![challenge_cookie(
                state,
                &challenge,
                super::mfa::CHALLENGE_SECS,
            )],
            SignInNext::SecondStep,
        ),
    };
    cookies.extend(new_device.map(|device| device_cookie(state, &device)));
    Ok((cookies, next))
}

/// The second step of a sign-in with the challenge cookie in `headers`: the session's cookie,
/// the challenge's cleared, and the recovery codes if this step set up the app.
pub async fn second_step_cookies(
    state: &AppState,
    auth: &RequestAuth,
    headers: &HeaderMap,
    code: &str,
) -> Result<(Vec<String>, Vec<String>), AppError> {
    let challenge = cookie_value(headers, CHALLENGE_COOKIE);
    let done = super::mfa::second_step(state, challenge.as_deref(), code, &auth.client()).await?;
    Ok((
        vec![
            session_cookie(state, &done.session),
            challenge_cookie(state, "", 0),
        ],
        done.recovery_codes,
    ))
}

/// A sign-in waiting for its second step (`mfa`): HttpOnly, five minutes.
pub fn challenge_cookie(state: &AppState, secret: &str, max_age: i64) -> String {
    cookie(state, CHALLENGE_COOKIE, secret, "/", Some(max_age))
}

/// The device cookie (a year and more: it only marks the browser as one that signed in before).
pub fn device_cookie(state: &AppState, secret: &str) -> String {
    cookie(state, DEVICE_COOKIE, secret, "/", Some(DEVICE_COOKIE_SECS))
}

pub fn clear_session_cookie(state: &AppState) -> String {
    cookie(state, SESSION_COOKIE, "", "/", Some(0))
}
