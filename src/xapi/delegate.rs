//! Credentials that another area hands out for the LRS, such as a cmi5 AU's session token: the
//! client they authenticate acts for one learner in one registration and activity, and the area
//! checks what it sends before it is stored. The areas that hand them out sit above the LRS, so
//! they are installed once, when the router is built (`http`), rather than named here.

use super::service::Refusal;
use crate::db::Tx;
use crate::error::AppError;
use crate::state::AppState;
use futures_util::future::BoxFuture;
use serde_json::Value;
use std::sync::{Arc, OnceLock};

/// What a delegated client may touch.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The delegate's own reference (a cmi5 session id).
    pub reference: String,
    /// The agent it acts for, and that agent's key (`agent::agent_key`).
    pub actor: Value,
    pub actor_key: String,
    pub registration: String,
    pub activity_id: String,
    /// State documents it may read but never write (cmi5's `LMS.LaunchData`).
    pub read_only_states: &'static [&'static str],
}

pub trait Delegate: Send + Sync {
    /// The start of every key it hands out (`Basic base64(key:secret)`); no client key has it.
    fn prefix(&self) -> &'static str;

    /// The binding behind a key and secret it handed out, while they are valid.
    fn authenticate<'a>(
        &'a self,
        state: &'a AppState,
        key: &'a str,
        secret: &'a str,
    ) -> BoxFuture<'a, Result<Option<Binding>, AppError>>;

    /// Checks statements sent under the binding, as they arrived and in order, inside the
    /// transaction that stores them (so one binding's requests are taken one at a time), and
    /// answers the statements the LMS itself records because of them, stored in that
    /// transaction too.
    fn admit<'a>(
        &'a self,
        tx: &'a mut Tx,
        state: &'a AppState,
        binding: &'a Binding,
        statements: &'a [Value],
    ) -> BoxFuture<'a, Result<Vec<Value>, Refusal>>;
}

static DELEGATES: OnceLock<Vec<Arc<dyn Delegate>>> = OnceLock::new();

/// Installs the delegates; the first call wins (every router built in one process has the same).
pub fn install(make: impl FnOnce() -> Vec<Arc<dyn Delegate>>) {
    DELEGATES.get_or_init(make);
}

/// The delegate that hands out `key`.
pub(super) fn find(key: &str) -> Option<Arc<dyn Delegate>> {
    DELEGATES
        .get()?
        .iter()
        .find(|d| key.starts_with(d.prefix()))
        .cloned()
}
