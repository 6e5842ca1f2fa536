//! Guessing limits for what an attacker could repeat: signing in, the current password on the
//! password form, "forgot password", registration and course enrolment keys.
//!
//! Each attempt is recorded (as pending) *before* its password is checked, and counts every
//! other recorded attempt, so simultaneous guesses see each other and never more than the limit
//! reach the password check (the last of any group to count sees the whole group).
//!
//! Sign-in is throttled per account *and* client, with growing delays (OWASP's "slow brute
//! force" advice, as large identity providers do): five failures from one client slow that
//! client down; many failures from anywhere slow down every client the account has never
//! signed in from, but not the owner's usual address or browser (its device cookie). A stranger
//! can therefore no longer lock the owner out.

use super::store;
use crate::db::{Db, now};
use crate::error::AppError;

/// Where a request comes from: its address, its browser, and the secret of its device cookie
/// (set at a successful sign-in, so a browser is recognised when its address changes).
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
    pub device: Option<String>,
}

impl Client {
    /// A client known only by its address (the CLI, tests).
    pub fn at(ip: &str) -> Client {
        Client {
            ip: ip.to_string(),
            user_agent: String::new(),
            device: None,
        }
    }

    /// The hash stored for the device cookie, '' without one.
    pub fn device_hash(&self) -> String {
        self.device
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(super::tokens::hash)
            .unwrap_or_default()
    }
}

/// What is being guarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    SignIn,
    PasswordChange,
    ResetRequest,
    Register,
    /// A course's enrolment key, counted per person and course.
    EnrolKey,
    /// A code from an authenticator app, or a recovery code (two-step verification).
    SecondFactor,
    /// A sign-in started through an identity provider (each keeps a pending login row).
    SsoStart,
}

/// Who an attempt is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The client address, whatever the account.
    Address,
    /// The account, from any client.
    Account,
    /// The account from this client (its device when the account knows it, else its address).
    AccountAndClient,
}

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub scope: Scope,
    pub max: i64,
    /// Past `max`, each further attempt waits twice as long as the one before (from the
    /// latest attempt); otherwise the scope waits until its oldest attempt leaves the window.
    pub growing: bool,
    /// Clients the account has signed in from recently are not held back by this limit.
    pub known_clients_exempt: bool,
}

/// Whether failed guesses count (a success clears them) or every request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    Failures,
    Requests,
}

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub window_secs: i64,
    pub counting: Counting,
    pub limits: &'static [Limit],
}

/// The first delay once a growing limit is reached; it doubles with each further attempt.
pub const FIRST_DELAY_SECS: i64 = 30;
/// A client that signed in to the account within this time is its "usual" client.
pub const KNOWN_CLIENT_SECS: i64 = 90 * 24 * 60 * 60;
/// Attempts are kept this long (the known clients are read from them), then pruned.
pub const KEEP_SECS: i64 = KNOWN_CLIENT_SECS;

const fn limit(scope: Scope, max: i64, growing: bool, known_clients_exempt: bool) -> Limit {
    Limit {
        scope,
        max,
        growing,
        known_clients_exempt,
    }
}

impl Guarded {
    pub fn as_str(self) -> &'static str {
        match self {
            Guarded::SignIn => "sign_in",
            Guarded::PasswordChange => "password_change",
            Guarded::ResetRequest => "reset_request",
            Guarded::Register => "register",
            Guarded::EnrolKey => "enrol_key",
            Guarded::SecondFactor => "second_factor",
            Guarded::SsoStart => "sso_start",
        }
    }

    pub fn policy(self) -> Policy {
        const SIGN_IN: &[Limit] = &[
            limit(Scope::AccountAndClient, 5, true, false),
            limit(Scope::Account, 10, true, true),
            limit(Scope::Address, 30, false, false),
        ];
        // The session is the attacker here: no client is "usual".
        const PASSWORD_CHANGE: &[Limit] = &[
            limit(Scope::Account, 5, true, false),
            limit(Scope::Address, 30, false, false),
        ];
        const RESET_REQUEST: &[Limit] = &[
            limit(Scope::Account, 3, false, false),
            limit(Scope::Address, 10, false, false),
        ];
        const REGISTER: &[Limit] = &[limit(Scope::Address, 10, false, false)];
        // Keys are short words a class shares: five tries per person and course, then growing
        // waits; and a limit per client address across people.
        const ENROL_KEY: &[Limit] = &[
            limit(Scope::Account, 5, true, false),
            limit(Scope::Address, 30, false, false),
        ];
        // Six digits are a million guesses: five wrong codes per account, then growing waits,
        // wherever they come from (the password was right, so the client is no proof).
        const SECOND_FACTOR: &[Limit] = &[
            limit(Scope::Account, 5, true, false),
            limit(Scope::Address, 30, false, false),
        ];
        // Each start keeps a row for ten minutes and calls the provider: a client may start
        // plenty (a person trying again, a shared office address), not a flood.
        const SSO_START: &[Limit] = &[limit(Scope::Address, 60, false, false)];
        match self {
            Guarded::SsoStart => Policy {
                window_secs: 10 * 60,
                counting: Counting::Requests,
                limits: SSO_START,
            },
            Guarded::SecondFactor => Policy {
                window_secs: 15 * 60,
                counting: Counting::Failures,
                limits: SECOND_FACTOR,
            },
            Guarded::SignIn => Policy {
                window_secs: 15 * 60,
                counting: Counting::Failures,
                limits: SIGN_IN,
            },
            Guarded::PasswordChange => Policy {
                window_secs: 15 * 60,
                counting: Counting::Failures,
                limits: PASSWORD_CHANGE,
            },
            Guarded::ResetRequest => Policy {
                window_secs: 60 * 60,
                counting: Counting::Requests,
                limits: RESET_REQUEST,
            },
            Guarded::Register => Policy {
                window_secs: 60 * 60,
                counting: Counting::Requests,
                limits: REGISTER,
            },
            Guarded::EnrolKey => Policy {
                window_secs: 60 * 60,
                counting: Counting::Failures,
                limits: ENROL_KEY,
            },
        }
    }

    fn refusal(self, wait_secs: i64) -> AppError {
        let wait = wait_words(wait_secs);
        AppError::TooManyRequests(match self {
            Guarded::SignIn => format!(
                "Too many failed sign-in attempts. Wait {wait} and try again, or reset your password."
            ),
            Guarded::PasswordChange => {
                format!("Too many wrong current passwords. Wait {wait} and try again.")
            }
            Guarded::ResetRequest => format!(
                "Too many reset requests. Wait {wait} and try again; the links already sent still arrive (check your spam folder)."
            ),
            Guarded::Register => format!(
                "Too many accounts were created from your network. Wait {wait} and try again."
            ),
            Guarded::EnrolKey => format!(
                "Too many wrong enrolment keys. Wait {wait} and try again, or ask your instructor for the key."
            ),
            Guarded::SecondFactor => format!(
                "Too many wrong codes. Wait {wait} and try again, or use one of your recovery codes."
            ),
            Guarded::SsoStart => format!(
                "Too many sign-ins were started from your network. Wait {wait} and try again."
            ),
        })
    }
}

fn wait_words(secs: i64) -> String {
    if secs < 60 {
        crate::ui::format::plural(secs.max(1), "second", "seconds")
    } else {
        crate::ui::format::plural((secs + 59) / 60, "minute", "minutes")
    }
}

/// The other attempts one scope counts: how many, and the oldest and latest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: i64,
    pub first_at: i64,
    pub last_at: i64,
}

/// How long this attempt must wait under one limit, given what its scope has counted (0: go on).
pub fn wait_secs(limit: &Limit, tally: &Tally, window_secs: i64, now: i64) -> i64 {
    if tally.count < limit.max {
        return 0;
    }
    if limit.growing {
        let doublings = (tally.count - limit.max).min(20) as u32;
        let delay = (FIRST_DELAY_SECS << doublings).min(window_secs);
        (tally.last_at + delay - now).max(0)
    } else {
        (tally.first_at + window_secs - now).max(1)
    }
}

/// An attempt recorded and allowed to go on; `finish` records how it ended.
#[derive(Debug)]
#[must_use = "record the outcome with `finish`"]
pub struct Attempt {
    id: i64,
}

/// Records an attempt, then refuses it (429) when a limit is reached. `account` is what the
/// person typed (normalised), whether or not such an account exists, so the answers never tell.
pub async fn begin(
    db: &Db,
    guarded: Guarded,
    account: &str,
    client: &Client,
) -> Result<Attempt, AppError> {
    let now = now();
    let device = client.device_hash();
    let id = store::insert_attempt(db, guarded.as_str(), account, &client.ip, &device, now).await?;
    let policy = guarded.policy();
    let window_start = now - policy.window_secs;
    // Failures count from the account's last success; requests count in the window.
    let account_since = match policy.counting {
        Counting::Failures => store::last_success(db, guarded.as_str(), account)
            .await?
            .map_or(window_start, |at| at.max(window_start)),
        Counting::Requests => window_start,
    };
    let known = if policy.limits.iter().any(|l| l.known_clients_exempt) {
        store::known_client(db, account, &client.ip, &device, now - KNOWN_CLIENT_SECS).await?
    } else {
        KnownClient::No
    };
    let requests = policy.counting == Counting::Requests;
    let mut wait = 0;
    for limit in policy.limits {
        if limit.known_clients_exempt && known != KnownClient::No {
            continue;
        }
        let key = match limit.scope {
            Scope::Address => store::TallyKey::Address(&client.ip),
            Scope::Account => store::TallyKey::Account(account),
            Scope::AccountAndClient => match known {
                // A browser the account knows is one client wherever it connects from.
                KnownClient::ByDevice => store::TallyKey::AccountAndDevice(account, &device),
                _ => store::TallyKey::AccountAndAddress(account, &client.ip),
            },
        };
        let since = if limit.scope == Scope::Address {
            window_start
        } else {
            account_since
        };
        let tally = store::tally(db, guarded.as_str(), key, since, requests, id).await?;
        wait = wait.max(wait_secs(limit, &tally, policy.window_secs, now));
    }
    if wait > 0 {
        store::set_outcome(db, id, "refused").await?;
        return Err(guarded.refusal(wait));
    }
    Ok(Attempt { id })
}

/// Records how an allowed attempt ended.
pub async fn finish(db: &Db, attempt: Attempt, succeeded: bool) -> Result<(), AppError> {
    let outcome = if succeeded { "succeeded" } else { "failed" };
    store::set_outcome(db, attempt.id, outcome).await
}

/// Whether the account has signed in from this client recently, and how it is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownClient {
    No,
    ByAddress,
    ByDevice,
}

/// Deletes attempts older than `KEEP_SECS`; returns how many.
pub async fn prune(db: &Db) -> Result<u64, AppError> {
    store::delete_attempts_before(db, now() - KEEP_SECS).await
}

/// Prunes old attempts every hour, on every instance (deleting twice is harmless).
pub async fn run_pruning(db: Db) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match prune(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "pruned old sign-in attempts"),
            Err(e) => tracing::warn!(error = %e, "pruning sign-in attempts failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAIR: Limit = limit(Scope::AccountAndClient, 5, true, false);
    const FLAT: Limit = limit(Scope::Address, 3, false, false);

    fn tally(count: i64, first_at: i64, last_at: i64) -> Tally {
        Tally {
            count,
            first_at,
            last_at,
        }
    }

    #[test]
    fn below_the_limit_nothing_waits() {
        assert_eq!(wait_secs(&PAIR, &tally(4, 0, 100), 900, 100), 0);
        assert_eq!(wait_secs(&FLAT, &tally(2, 0, 100), 3600, 100), 0);
    }

    #[test]
    fn growing_delays_double_from_the_latest_attempt_up_to_the_window() {
        // At the limit: 30 s after the latest failure.
        assert_eq!(wait_secs(&PAIR, &tally(5, 0, 1000), 900, 1000), 30);
        assert_eq!(wait_secs(&PAIR, &tally(5, 0, 1000), 900, 1030), 0);
        // Each further failure doubles it: 60 s, 120 s, …
        assert_eq!(wait_secs(&PAIR, &tally(6, 0, 1000), 900, 1000), 60);
        assert_eq!(wait_secs(&PAIR, &tally(7, 0, 1000), 900, 1010), 110);
        // …but never past the window.
        assert_eq!(wait_secs(&PAIR, &tally(40, 0, 1000), 900, 1000), 900);
    }

    #[test]
    fn flat_limits_wait_until_the_oldest_attempt_leaves_the_window() {
        assert_eq!(wait_secs(&FLAT, &tally(3, 1000, 2000), 3600, 2000), 2600);
        assert_eq!(wait_secs(&FLAT, &tally(3, 1000, 2000), 3600, 4600), 1);
    }

    #[test]
    fn waits_are_said_in_words() {
        assert_eq!(wait_words(1), "1 second");
        assert_eq!(wait_words(30), "30 seconds");
        assert_eq!(wait_words(60), "1 minute");
        assert_eq!(wait_words(61), "2 minutes");
        assert_eq!(wait_words(900), "15 minutes");
    }
}
