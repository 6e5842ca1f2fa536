//! Two-step verification: an authenticator app (TOTP, `totp`) with one-time recovery codes.
//! A password sign-in of an account that has it stops at a challenge (an HttpOnly cookie's
//! secret, its hash kept five minutes) until a code from the app or a recovery code is given;
//! wrong codes are throttled per account like passwords. Signing in through an identity provider
//! leaves the second step to the provider.

use super::model::{MfaStatus, TotpSetup};
use super::permissions::Actor;
use super::throttle::{self, Client, Guarded};
use super::{mfa_store as store, tokens, totp};
use crate::audit;
use crate::db::{Db, now};
use crate::error::AppError;
use crate::settings::service as settings;
use crate::state::AppState;

/// The purpose the secret is sealed for (`seal`).
const SECRET: &str = "mfa_totp.secret";
/// How long the second step may take.
pub const CHALLENGE_SECS: i64 = 5 * 60;

/// The time an authenticator app reads: the real clock, even on a test server whose clock was
/// moved forward (`db::set_clock_offset`).
fn phone_time() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub async fn status(state: &AppState, actor: &Actor) -> Result<MfaStatus, AppError> {
    Ok(MfaStatus {
        enabled: enabled(&state.db, actor.id).await?,
        recovery_codes_left: store::recovery_codes_left(&state.db, actor.id).await?,
    })
}

/// Whether the account's password sign-ins need a second step.
pub async fn enabled(db: &Db, user_id: i64) -> Result<bool, AppError> {
    Ok(store::totp(db, user_id)
        .await?
        .is_some_and(|t| t.confirmed_at.is_some()))
}

/// A new secret for the actor's app (replacing one never confirmed).
pub async fn begin_totp(state: &AppState, actor: &Actor) -> Result<TotpSetup, AppError> {
    if enabled(&state.db, actor.id).await? {
        return Err(AppError::invalid(
            "",
            "Two-step verification is already on. Turn it off first to use another app.",
        ));
    }
    let secret = totp::new_secret();
    let sealed = state.sealer.seal(SECRET, &totp::typed_secret(&secret))?;
    store::begin_totp(&state.db, actor.id, &sealed, now()).await?;
    setup_of(state, actor, &secret).await
}

/// What the person's app is shown of a secret: its QR code, its typed form and its address.
async fn setup_of(state: &AppState, actor: &Actor, secret: &[u8]) -> Result<TotpSetup, AppError> {
    let site = settings::current(state).await?.site_name;
    let url = totp::otpauth_url(secret, &site, &actor.email);
    Ok(TotpSetup {
        qr_svg: totp::qr_svg(&url).unwrap_or_default(),
        typed_secret: totp::typed_secret(secret),
        otpauth_url: url,
    })
}

/// The secret's bytes, opened (it is sealed in the form people type it).
fn secret_of(state: &AppState, sealed: &str) -> Result<Vec<u8>, AppError> {
    let typed = state.sealer.open(SECRET, sealed)?;
    let b32: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    totp_rs::Secret::try_from_base32(&b32)
        .ok()
        .map(|s| s.as_bytes().to_vec())
        .ok_or_else(|| crate::error::internal("reading a TOTP secret", "not base32"))
}

fn wrong_code() -> AppError {
    AppError::invalid(
        "code",
        "That code is not right. Enter the 6-digit code your app shows now.",
    )
}

async fn new_recovery_codes(tx: &mut crate::db::Tx, user_id: i64) -> Result<Vec<String>, AppError> {
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .filter_map(|c| totp::normalised_recovery_code(c))
        .map(|c| tokens::hash(&c))
        .collect();
    store::replace_recovery_codes(tx, user_id, &hashes).await?;
    Ok(codes)
}

/// Turns two-step verification on once the app shows the right code; returns the recovery
/// codes, shown this once.
pub async fn confirm_totp(
    state: &AppState,
    actor: &Actor,
    code: &str,
    client: &Client,
) -> Result<Vec<String>, AppError> {
    let row = store::totp(&state.db, actor.id)
        .await?
        .filter(|t| t.confirmed_at.is_none())
        .ok_or_else(|| AppError::invalid("", "Start the set-up again: scan the new QR code."))?;
    let secret = secret_of(state, &row.secret_sealed)?;
    let attempt = throttle::begin(&state.db, Guarded::SecondFactor, &actor.email, client).await?;
    let step = totp::accepted_step(&secret, code, phone_time(), row.last_step);
    throttle::finish(&state.db, attempt, step.is_some()).await?;
    let step = step.ok_or_else(wrong_code)?;
    let mut tx = state.db.begin().await?;
    if store::confirm_totp(&mut tx, actor.id, step, now()).await? == 0 {
        return Err(AppError::Conflict(
            "Two-step verification was turned on meanwhile.".into(),
        ));
    }
    let codes = new_recovery_codes(&mut tx, actor.id).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("account.mfa_on", "user", Some(actor.id), &actor.email),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Checks a code from the app or a recovery code for an account with two-step verification
/// (throttled per account); a code is used once.
async fn check_code(
    state: &AppState,
    user_id: i64,
    email: &str,
    code: &str,
    client: &Client,
) -> Result<(), AppError> {
    let row = store::totp(&state.db, user_id)
        .await?
        .filter(|t| t.confirmed_at.is_some())
        .ok_or_else(|| AppError::invalid("", "Two-step verification is off for this account."))?;
    let attempt = throttle::begin(&state.db, Guarded::SecondFactor, email, client).await?;
    let secret = secret_of(state, &row.secret_sealed)?;
    let right = match totp::accepted_step(&secret, code, phone_time(), row.last_step) {
        // A request at the same moment may have used that step first.
        Some(step) => store::use_step(&state.db, user_id, step).await? == 1,
        None => match totp::normalised_recovery_code(code) {
            Some(plain) => {
                store::use_recovery_code(&state.db, user_id, &tokens::hash(&plain), now()).await?
                    == 1
            }
            None => false,
        },
    };
    throttle::finish(&state.db, attempt, right).await?;
    if right { Ok(()) } else { Err(wrong_code()) }
}

/// Turns two-step verification off (a current code or a recovery code proves the app is at hand).
pub async fn disable(
    state: &AppState,
    actor: &Actor,
    code: &str,
    client: &Client,
) -> Result<(), AppError> {
    if super::rules::asked_of(&state.db, &actor.roles)
        .await?
        .mfa_required
    {
        return Err(AppError::invalid(
            "code",
            "Your organisation requires two-step verification for your role: it stays on.",
        ));
    }
    check_code(state, actor.id, &actor.email, code, client).await?;
    let mut tx = state.db.begin().await?;
    store::delete_all(&mut tx, actor.id).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("account.mfa_off", "user", Some(actor.id), &actor.email),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns it off for an account, in the caller's transaction (an administrator's reset).
pub async fn turn_off_in(tx: &mut crate::db::Tx, user_id: i64) -> Result<(), AppError> {
    store::delete_all(tx, user_id).await
}

/// New recovery codes (the old ones stop working), after a current code.
pub async fn replace_recovery_codes(
    state: &AppState,
    actor: &Actor,
    code: &str,
    client: &Client,
) -> Result<Vec<String>, AppError> {
    check_code(state, actor.id, &actor.email, code, client).await?;
    let mut tx = state.db.begin().await?;
    let codes = new_recovery_codes(&mut tx, actor.id).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            "account.recovery_codes",
            "user",
            Some(actor.id),
            &actor.email,
        ),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// A sign-in whose password was right waits for its second step: the challenge cookie's secret.
pub(super) async fn open_challenge(db: &Db, user_id: i64) -> Result<String, AppError> {
    let token = tokens::new_secret();
    store::insert_challenge(db, &tokens::hash(&token), user_id, now()).await?;
    Ok(token)
}

/// The account a waiting sign-in is for, if the challenge is still fresh.
async fn challenged(
    state: &AppState,
    challenge: Option<&str>,
) -> Result<(String, Actor), AppError> {
    let expired = || AppError::invalid("", "This sign-in has expired. Sign in again.");
    let hash = tokens::hash(challenge.ok_or_else(expired)?);
    let user_id = store::challenge(&state.db, &hash, now() - CHALLENGE_SECS)
        .await?
        .ok_or_else(expired)?;
    let user = crate::users::store::find(&state.db, user_id)
        .await?
        .ok_or_else(expired)?;
    let actor = Actor {
        id: user.id,
        name: user.name,
        email: user.email,
        roles: user.roles,
    };
    Ok((hash, actor))
}

/// The app to set up first, when the sign-in rules ask the person's role for two-step
/// verification and they have none yet (else `None`: they enter a code from their app).
pub async fn challenge_setup(
    state: &AppState,
    challenge: Option<&str>,
) -> Result<Option<TotpSetup>, AppError> {
    let (_, actor) = challenged(state, challenge).await?;
    match store::totp(&state.db, actor.id).await? {
        Some(row) if row.confirmed_at.is_some() => Ok(None),
        // One secret for the whole set-up: the page drawn again (a reload, a wrong code) shows
        // the one the app may already have scanned.
        Some(row) => {
            let secret = secret_of(state, &row.secret_sealed)?;
            Ok(Some(setup_of(state, &actor, &secret).await?))
        }
        None => Ok(Some(begin_totp(state, &actor).await?)),
    }
}

/// A second step that went through: the session, and the recovery codes when it set up the app
/// (shown once).
pub struct SecondStepDone {
    pub session: String,
    pub recovery_codes: Vec<String>,
}

impl std::fmt::Debug for SecondStepDone {
    // Never the secrets themselves.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecondStepDone")
            .field("recovery_codes", &self.recovery_codes.len())
            .finish_non_exhaustive()
    }
}

/// The second step: with the right code the waiting sign-in becomes a session; for a person
/// setting up their app (`challenge_setup`), the code confirms it.
pub async fn second_step(
    state: &AppState,
    challenge: Option<&str>,
    code: &str,
    client: &Client,
) -> Result<SecondStepDone, AppError> {
    let (hash, actor) = challenged(state, challenge).await?;
    let recovery_codes = if enabled(&state.db, actor.id).await? {
        check_code(state, actor.id, &actor.email, code, client).await?;
        Vec::new()
    } else {
        confirm_totp(state, &actor, code, client).await?
    };
    store::end_challenge(&state.db, &hash, now() - CHALLENGE_SECS).await?;
    Ok(SecondStepDone {
        session: super::service::sign_in_as(state, actor.id, client).await?,
        recovery_codes,
    })
}
