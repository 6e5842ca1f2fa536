//! Server functions of single sign-on: the administrators' provider list and form, and the
//! sign-in page's buttons (for anyone).
// The provider form posts its fields flat (it works without the script); the code the server
// macro writes from them is past clippy's argument count.
#![allow(clippy::too_many_arguments)]

use super::model::{ProviderInfo, SignInButton};
use crate::auth::model::SignInRule;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "sso/providers")]
pub async fn sso_providers() -> Result<Vec<ProviderInfo>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::providers(&state, &actor).await)
}

#[server(endpoint = "sso/buttons")]
pub async fn sso_buttons() -> Result<Vec<SignInButton>, AppError> {
    let state = crate::edge::state()?;
    crate::edge::respond(super::service::buttons(&state).await)
}

/// `id` 0 adds a provider; an empty `client_secret` keeps the one kept. The yes/no settings are
/// checkboxes ("on" when ticked), so that the form also posts without the script.
#[server(endpoint = "sso/save_provider")]
pub async fn save_sso_provider(
    id: i64,
    slug: String,
    name: String,
    issuer_url: String,
    client_id: String,
    client_secret: String,
    scopes: String,
    email_claim: String,
    name_claim: String,
    allowed_domains: String,
    #[server(default)] create_accounts: Option<String>,
    #[server(default)] link_by_email: Option<String>,
    #[server(default)] trust_email: Option<String>,
    #[server(default)] enabled: Option<String>,
    #[server(default)] profile_claims: String,
) -> Result<ProviderInfo, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    let ticked = |v: Option<String>| v.is_some_and(|v| !v.is_empty() && v != "false");
    let form = super::model::ProviderForm {
        id,
        slug,
        name,
        issuer_url,
        client_id,
        client_secret,
        scopes,
        email_claim,
        name_claim,
        allowed_domains,
        create_accounts: ticked(create_accounts),
        link_by_email: ticked(link_by_email),
        trust_email: ticked(trust_email),
        enabled: ticked(enabled),
        profile_claims,
    };
    crate::edge::respond(super::service::save_provider(&state, &actor, &form).await)
}

#[server(endpoint = "sso/delete_provider")]
pub async fn delete_sso_provider(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::delete_provider(&state, &actor, id).await)
}

#[server(endpoint = "sso/rules")]
pub async fn sign_in_rules() -> Result<Vec<SignInRule>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(super::service::rules(&state, &actor).await)
}

/// The roles (`administrator`, `manager`, `instructor`, `learner`) whose password sign-in is off,
/// and those that need two-step verification.
#[server(endpoint = "sso/save_rules")]
pub async fn save_sign_in_rules(
    #[server(default)] password_off: Vec<String>,
    #[server(default)] mfa_required: Vec<String>,
) -> Result<Vec<SignInRule>, AppError> {
    let (state, actor, _) = crate::edge::signed_in()?;
    crate::edge::respond(
        super::service::save_rules(&state, &actor, &password_off, &mfa_required).await,
    )
}
