//! Server functions for signing in and out, registration, password reset, set-up and the account page.

use super::model::{ApiTokenInfo, MfaStatus, NewApiToken, SessionInfo, SignInNext, TotpSetup};
use super::permissions::Actor;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What every page's shell needs: who is signed in and how the site is called.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShellInfo {
    pub actor: Option<Actor>,
    pub site_name: String,
    pub self_registration: bool,
    pub setup_needed: bool,
    /// Somebody reports to the person signed in ("My team").
    #[serde(default)]
    pub has_team: bool,
}

#[server(endpoint = "auth/shell")]
pub async fn get_shell() -> Result<ShellInfo, AppError> {
    let state = crate::edge::state()?;
    let settings = crate::settings::service::current(&state).await?;
    let actor = super::request::current().actor;
    let setup_needed = actor.is_none() && super::service::setup_needed(&state.db).await?;
    let has_team = match &actor {
        Some(actor) => crate::users::profile_store::has_reports(&state.db, actor.id).await?,
        None => false,
    };
    Ok(ShellInfo {
        has_team,
        actor,
        site_name: settings.site_name,
        self_registration: settings.self_registration,
        setup_needed,
    })
}

/// Signed in, or (two-step verification) the code is asked next.
#[server(endpoint = "auth/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<SignInNext, AppError> {
    let state = crate::edge::state()?;
    let auth = super::request::current();
    let (cookies, next) = crate::edge::respond(
        super::request::sign_in_cookies(&state, &auth, &email, &password).await,
    )?;
    for cookie in cookies {
        crate::edge::set_cookie(&cookie);
    }
    Ok(next)
}

/// The second step of a sign-in: a code from the authenticator app, or a recovery code.
#[server(endpoint = "auth/second_step")]
pub async fn second_step(code: String) -> Result<Vec<String>, AppError> {
    let state = crate::edge::state()?;
    let auth = super::request::current();
    let (cookies, recovery_codes) = crate::edge::respond(
        super::request::second_step_cookies(&state, &auth, &request_headers(), &code).await,
    )?;
    for cookie in cookies {
        crate::edge::set_cookie(&cookie);
    }
    Ok(recovery_codes)
}

/// The authenticator app to set up before the second step, when the sign-in rules ask for
/// two-step verification and the person has none yet.
#[server(endpoint = "auth/second_step_setup")]
pub async fn second_step_setup() -> Result<Option<TotpSetup>, AppError> {
    let state = crate::edge::state()?;
    let challenge =
        super::request::cookie_value(&request_headers(), super::request::CHALLENGE_COOKIE);
    crate::edge::respond(super::mfa::challenge_setup(&state, challenge.as_deref()).await)
}

#[cfg(feature = "ssr")]
fn request_headers() -> http::HeaderMap {
    use_context::<http::request::Parts>()
        .map(|p| p.headers)
        .unwrap_or_default()
}

#[server(endpoint = "account/mfa")]
pub async fn my_mfa() -> Result<MfaStatus, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::mfa::status(&state, &actor).await)
}

#[server(endpoint = "account/totp_begin")]
pub async fn begin_totp() -> Result<TotpSetup, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::mfa::begin_totp(&state, &actor).await)
}

/// Turns two-step verification on; returns the recovery codes (shown once).
#[server(endpoint = "account/totp_confirm")]
pub async fn confirm_totp(code: String) -> Result<Vec<String>, AppError> {
    let (state, actor, auth) = crate::edge::signed_in()?;
    crate::edge::respond(super::mfa::confirm_totp(&state, &actor, &code, &auth.client()).await)
}

#[server(endpoint = "account/mfa_off")]
pub async fn turn_off_mfa(code: String) -> Result<(), AppError> {
    let (state, actor, auth) = crate::edge::signed_in()?;
    crate::edge::respond(super::mfa::disable(&state, &actor, &code, &auth.client()).await)
}

#[server(endpoint = "account/recovery_codes")]
pub async fn new_recovery_codes(code: String) -> Result<Vec<String>, AppError> {
    let (state, actor, auth) = crate::edge::signed_in()?;
    crate::edge::respond(
        super::mfa::replace_recovery_codes(&state, &actor, &code, &auth.client()).await,
    )
}

#[server(endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = crate::edge::state()?;
    if let Some(hash) = super::request::current().session_hash {
        super::service::sign_out(&state, &hash).await?;
    }
    crate::edge::set_cookie(&super::request::clear_session_cookie(&state));
    Ok(())
}

#[server(endpoint = "auth/register")]
pub async fn register(email: String, name: String, password: String) -> Result<(), AppError> {
    let state = crate::edge::state()?;
    let client = super::request::current().client();
    let token = crate::edge::respond(
        super::service::register(&state, &email, &name, &password, &client).await,
    )?;
    crate::edge::set_cookie(&super::request::session_cookie(&state, &token));
    Ok(())
}

#[server(endpoint = "auth/forgot_password")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let state = crate::edge::state()?;
    let client = super::request::current().client();
    crate::edge::respond(super::service::request_password_reset(&state, &email, &client).await)
}

#[server(endpoint = "account/time_zone")]
pub async fn my_time_zone() -> Result<super::model::TimeZoneChoice, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::my_time_zone(&state, &actor).await)
}

/// `time_zone` an IANA name, or empty for the site's.
#[server(endpoint = "account/set_time_zone")]
pub async fn set_my_time_zone(time_zone: String) -> Result<super::model::TimeZoneChoice, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::set_own_time_zone(&state, &actor, &time_zone).await)
}

/// `keep_api_tokens` is a checkbox: absent (the default) revokes them.
#[server(endpoint = "auth/reset_password")]
pub async fn reset_password(
    token: String,
    password: String,
    #[server(default)] keep_api_tokens: Option<String>,
) -> Result<(), AppError> {
    let state = crate::edge::state()?;
    crate::edge::respond(
        super::service::reset_password(&state, &token, &password, keep_api_tokens.is_none()).await,
    )
}

#[server(endpoint = "auth/setup")]
pub async fn complete_setup(
    token: String,
    email: String,
    name: String,
    password: String,
) -> Result<(), AppError> {
    let state = crate::edge::state()?;
    let client = super::request::current().client();
    let session = crate::edge::respond(
        super::service::complete_setup(&state, &token, &email, &name, &password, &client).await,
    )?;
    crate::edge::set_cookie(&super::request::session_cookie(&state, &session));
    Ok(())
}

#[server(endpoint = "account/update_name")]
pub async fn update_my_name(name: String) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::update_own_name(&state, &actor, &name).await)
}

/// `keep_api_tokens` is a checkbox: absent (the default) revokes them.
#[server(endpoint = "account/change_password")]
pub async fn change_my_password(
    current_password: String,
    new_password: String,
    #[server(default)] keep_api_tokens: Option<String>,
) -> Result<(), AppError> {
    let (state, actor, auth) = crate::edge::signed_in()?;
    let change = super::service::PasswordChange {
        current: &current_password,
        new: &new_password,
        revoke_api_tokens: keep_api_tokens.is_none(),
    };
    let hash = auth.session_hash.clone().unwrap_or_default();
    crate::edge::respond(
        super::service::change_password(&state, &actor, &change, &hash, &auth.client()).await,
    )
}

#[server(endpoint = "account/sessions")]
pub async fn my_sessions() -> Result<Vec<SessionInfo>, AppError> {
    let (state, actor, auth) = crate::edge::signed_in()?;
    crate::edge::respond(
        super::service::list_sessions(&state, &actor, &auth.session_hash.unwrap_or_default()).await,
    )
}

#[server(endpoint = "account/sign_out_others")]
pub async fn sign_out_other_sessions() -> Result<(), AppError> {
    let (state, actor, auth) = crate::edge::signed_in()?;
    crate::edge::respond(
        super::service::sign_out_others(&state, &actor, &auth.session_hash.unwrap_or_default())
            .await,
    )
}

#[server(endpoint = "account/api_tokens")]
pub async fn my_api_tokens() -> Result<Vec<ApiTokenInfo>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::list_api_tokens(&state, &actor).await)
}

#[server(endpoint = "account/create_api_token")]
pub async fn create_api_token(name: String) -> Result<NewApiToken, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::create_api_token(&state, &actor, &name).await)
}

#[server(endpoint = "account/revoke_api_token")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::revoke_api_token(&state, &actor, id).await)
}
