//! Use cases of single sign-on: administrators configure providers; anyone starts a sign-in
//! through one, and the callback finds who the provider's person is here.

use super::model::{self, ProviderForm, ProviderInfo, SignInButton};
use super::oidc::{self, Mapping, Person};
use super::store::{self, LoginRow, ProviderRow};
use crate::audit;
use crate::auth::model::SignInRule;
use crate::auth::permissions::{Action, Actor, can};
use crate::auth::throttle::{Client, Guarded};
use crate::auth::{service as auth, tokens};
use crate::db::now;
use crate::error::{AppError, Problems};
use crate::state::AppState;
use crate::users::model::{Email, Role, UserName};
use crate::users::profile::ProfileForm;
use crate::users::store as users;

/// The purpose a client secret is sealed for (`seal`).
const SECRET: &str = "sso_providers.client_secret";
/// How long a sign-in may take at the provider.
pub const LOGIN_SECS: i64 = 10 * 60;

fn require_admin(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::ManageSettings) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The address to register with the provider as Lyceum's redirect URI.
pub fn redirect_uri(state: &AppState, slug: &str) -> String {
    let mut url = state.config.base_url.clone();
    url.set_path(&format!("/sso/{slug}/callback"));
    url.set_query(None);
    url.to_string()
}

fn info(state: &AppState, row: ProviderRow) -> ProviderInfo {
    ProviderInfo {
        redirect_uri: redirect_uri(state, &row.slug),
        id: row.id,
        slug: row.slug,
        name: row.name,
        issuer_url: row.issuer_url,
        client_id: row.client_id,
        has_secret: !row.client_secret_sealed.is_empty(),
        scopes: row.scopes,
        email_claim: row.email_claim,
        name_claim: row.name_claim,
        allowed_domains: row.allowed_domains,
        create_accounts: row.create_accounts,
        link_by_email: row.link_by_email,
        trust_email: row.trust_email,
        enabled: row.enabled,
        profile_claims: row.profile_claims,
        linked_people: row.linked_people,
    }
}

pub async fn providers(state: &AppState, actor: &Actor) -> Result<Vec<ProviderInfo>, AppError> {
    require_admin(actor)?;
    let rows = store::providers(&state.db).await?;
    Ok(rows.into_iter().map(|r| info(state, r)).collect())
}

/// The buttons of the sign-in page (anyone may see them).
pub async fn buttons(state: &AppState) -> Result<Vec<SignInButton>, AppError> {
    let rows = store::buttons(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|(slug, name)| SignInButton { slug, name })
        .collect())
}

fn claim_name(problems: &mut Problems, field: &str, value: &str) -> String {
    let value = value.trim();
    if value.is_empty() || value.len() > 100 || value.chars().any(char::is_whitespace) {
        problems.add(
            field,
            "Enter the name of a claim in the ID token, such as email.",
        );
    }
    value.to_string()
}

/// Checks and saves a provider. Its discovery document must be readable now, so that a typo
/// shows here rather than on the sign-in page.
pub async fn save_provider(
    state: &AppState,
    actor: &Actor,
    form: &ProviderForm,
) -> Result<ProviderInfo, AppError> {
    require_admin(actor)?;
    let existing = if form.id == 0 {
        None
    } else {
        Some(
            store::provider(&state.db, form.id)
                .await?
                .ok_or(AppError::NotFound)?,
        )
    };
    let mut problems = Problems::default();
    let slug = form.slug.trim().to_string();
    if !model::valid_slug(&slug) {
        problems.add(
            "slug",
            "Use 1 to 40 lower-case letters, digits and hyphens, such as staff-login.",
        );
    }
    let name = form.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 60 {
        problems.add(
            "name",
            "Enter the name people see on the button (at most 60 characters).",
        );
    }
    let issuer_url = oidc::issuer(&form.issuer_url).to_string();
    let parsed = url::Url::parse(&issuer_url).ok();
    if !parsed.is_some_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some()) {
        problems.add(
            "issuer_url",
            "Enter the provider's issuer URL, such as https://login.example.com.",
        );
    }
    let client_id = form.client_id.trim().to_string();
    if client_id.is_empty() || client_id.len() > 500 {
        problems.add("client_id", "Enter the client ID the provider gave Lyceum.");
    }
    let secret = form.client_secret.trim();
    if secret.is_empty() && existing.is_none() {
        problems.add(
            "client_secret",
            "Enter the client secret the provider gave Lyceum.",
        );
    }
    let scopes = form.scopes.split_whitespace().collect::<Vec<_>>();
    if !scopes.contains(&"openid") {
        problems.add("scopes", "The scopes must include openid.");
    }
    let scopes = scopes.join(" ");
    let email_claim = claim_name(&mut problems, "email_claim", &form.email_claim);
    let name_claim = claim_name(&mut problems, "name_claim", &form.name_claim);
    let domains = model::domains(&form.allowed_domains);
    if domains.iter().any(|d| !d.contains('.') || d.contains('@')) {
        problems.add(
            "allowed_domains",
            "Enter domains such as example.org, separated by commas.",
        );
    }
    let profile_claims = match model::profile_claims(&form.profile_claims) {
        Ok(pairs) => pairs
            .iter()
            .map(|(field, claim)| format!("{field}={claim}"))
            .collect::<Vec<_>>()
            .join("\n"),
        Err(message) => {
            problems.add("profile_claims", message);
            String::new()
        }
    };
    problems.into_result()?;
    if let Err(failure) = oidc::discover(&issuer_url).await {
        return Err(AppError::invalid("issuer_url", failure.0));
    }
    let sealed = match (secret, &existing) {
        ("", Some(row)) => row.client_secret_sealed.clone(),
        (secret, _) => state.sealer.seal(SECRET, secret)?,
    };
    let saved = store::Saved {
        id: form.id,
        slug: &slug,
        name: &name,
        issuer_url: &issuer_url,
        client_id: &client_id,
        client_secret_sealed: &sealed,
        scopes: &scopes,
        email_claim: &email_claim,
        name_claim: &name_claim,
        allowed_domains: &domains.join(", "),
        create_accounts: form.create_accounts,
        link_by_email: form.link_by_email,
        trust_email: form.trust_email,
        enabled: form.enabled,
        profile_claims: &profile_claims,
    };
    let mut tx = state.db.begin().await?;
    let id = store::save(&mut tx, &saved, now()).await?;
    let mut shown = form.clone();
    shown.client_secret = if secret.is_empty() {
        String::new()
    } else {
        "(changed)".into()
    };
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            "sso.provider_saved",
            "sso_provider",
            Some(id),
            name.as_str(),
        )
        .after(&shown),
        now(),
    )
    .await?;
    tx.commit().await?;
    let row = store::provider(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(info(state, row))
}

/// Removes a provider and the links to it (the accounts stay, with their other ways in).
pub async fn delete_provider(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    require_admin(actor)?;
    let row = store::provider(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    store::delete(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            "sso.provider_deleted",
            "sso_provider",
            Some(id),
            row.name.as_str(),
        ),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::invalid("", message)
}

async fn enabled_provider(state: &AppState, slug: &str) -> Result<ProviderRow, AppError> {
    store::provider_by_slug(&state.db, slug)
        .await?
        .filter(|p| p.enabled)
        .ok_or_else(|| refused("This sign-in option is not available. Sign in another way."))
}

fn unreachable_provider(row: &ProviderRow, failure: &oidc::Failure) -> AppError {
    tracing::warn!(provider = %row.slug, cause = %failure, "single sign-on failed at the provider");
    refused(format!(
        "Signing in with {} did not work ({failure}). Try again, or ask your administrator.",
        row.name
    ))
}

/// Starts a sign-in: the provider's authorization URL to send the browser to. `browser` is the
/// secret of the cookie that binds the sign-in to this browser.
pub async fn start(
    state: &AppState,
    slug: &str,
    next: &str,
    browser: &str,
    client: &Client,
) -> Result<String, AppError> {
    // Counted per client address (requests, not failures: a start cannot fail by guessing).
    let attempt = crate::auth::throttle::begin(&state.db, Guarded::SsoStart, "", client).await?;
    crate::auth::throttle::finish(&state.db, attempt, true).await?;
    let row = enabled_provider(state, slug).await?;
    let secret = state.sealer.open(SECRET, &row.client_secret_sealed)?;
    let provider = oidc::Provider {
        issuer_url: &row.issuer_url,
        client_id: &row.client_id,
        client_secret: &secret,
        redirect_uri: redirect_uri(state, &row.slug),
        scopes: &row.scopes,
    };
    let started = oidc::start(&provider)
        .await
        .map_err(|f| unreachable_provider(&row, &f))?;
    let login = LoginRow {
        provider_id: row.id,
        browser_hash: tokens::hash(browser),
        nonce: started.nonce,
        pkce_verifier: started.pkce_verifier,
        next_path: crate::auth::model::safe_next(Some(next.to_string())),
        created_at: now(),
    };
    store::insert_login(
        &state.db,
        &tokens::hash(&started.state),
        &login,
        now() - LOGIN_SECS,
    )
    .await?;
    Ok(started.url)
}

/// What the provider sent back to the callback.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// RFC 9207: the issuer that answered, when the provider says.
    pub iss: Option<String>,
}

/// A finished sign-in: the session's secret and where to go.
pub struct SignedIn {
    pub session: String,
    pub next: String,
}

/// Finishes a sign-in: checks the state against this browser, exchanges the code, checks the ID
/// token, finds (or links, or creates) the account and opens a session.
pub async fn finish(
    state: &AppState,
    slug: &str,
    callback: &Callback,
    browser: Option<&str>,
    client: &Client,
) -> Result<SignedIn, AppError> {
    let expired = || refused("This sign-in has expired or was already used. Start again.");
    let login_state = callback.state.as_deref().ok_or_else(expired)?;
    let login = store::take_login(&state.db, &tokens::hash(login_state), now() - LOGIN_SECS)
        .await?
        .filter(|l| l.created_at >= now() - LOGIN_SECS)
        .ok_or_else(expired)?;
    let row = enabled_provider(state, slug).await?;
    // The state must come back to the provider and the browser that started the sign-in.
    if login.provider_id != row.id
        || browser.map(tokens::hash).as_deref() != Some(login.browser_hash.as_str())
    {
        return Err(expired());
    }
    if let Some(error) = &callback.error {
        let detail = callback.error_description.as_deref().unwrap_or(error);
        return Err(refused(format!(
            "{} did not sign you in: {detail}",
            row.name
        )));
    }
    if callback
        .iss
        .as_deref()
        .is_some_and(|iss| iss != oidc::issuer(&row.issuer_url))
    {
        return Err(refused(format!(
            "The answer did not come from {}. Start again.",
            row.name
        )));
    }
    let code = callback.code.as_deref().ok_or_else(expired)?;
    let secret = state.sealer.open(SECRET, &row.client_secret_sealed)?;
    let provider = oidc::Provider {
        issuer_url: &row.issuer_url,
        client_id: &row.client_id,
        client_secret: &secret,
        redirect_uri: redirect_uri(state, &row.slug),
        scopes: &row.scopes,
    };
    let mapping = Mapping {
        email: &row.email_claim,
        name: &row.name_claim,
    };
    let person = oidc::finish(
        &provider,
        code,
        &login.nonce,
        &login.pkce_verifier,
        &mapping,
    )
    .await
    .map_err(|f| unreachable_provider(&row, &f))?;
    let user_id = account(state, &row, &person).await?;
    let session = auth::sign_in_as(state, user_id, client).await?;
    // The profile follows the directory; a value the profile refuses does not stop the sign-in.
    if let Err(err) = fill_profile(state, &row, &person, user_id).await {
        tracing::warn!(provider = %row.slug, user_id, error = ?err, "the provider's profile claims were not kept");
    }
    store::touch_identity(&state.db, row.id, &person.subject, now()).await?;
    Ok(SignedIn {
        session,
        next: login.next_path,
    })
}

/// Fills the profile fields the provider's claims are mapped to, when they differ (audited as
/// the provider's change).
async fn fill_profile(
    state: &AppState,
    row: &ProviderRow,
    person: &Person,
    user_id: i64,
) -> Result<(), AppError> {
    let mapping = model::profile_claims(&row.profile_claims).unwrap_or_default();
    if mapping.is_empty() {
        return Ok(());
    }
    let profile = crate::users::profile_store::find(&state.db, user_id).await?;
    let mut form = ProfileForm::of(&profile);
    for (field, claim) in &mapping {
        let Some(value) = person.texts.get(claim) else {
            continue;
        };
        let slot = match field.as_str() {
            "employee_id" => &mut form.employee_id,
            "department" => &mut form.department,
            "job_title" => &mut form.job_title,
            "location" => &mut form.location,
            _ => continue,
        };
        slot.clone_from(value);
    }
    if form == ProfileForm::of(&profile) {
        return Ok(());
    }
    let provider = Actor {
        id: 0,
        name: row.name.clone(),
        email: format!("sso:{}", row.slug),
        roles: vec![Role::Administrator],
    };
    crate::users::profile_service::save(state, &provider, user_id, &form).await?;
    Ok(())
}

/// The account of the provider's person: the one linked to their subject; else, with an address
/// the provider vouches for, the account with that address (when linking is on) or a new
/// learner account (when creating is on). The allowed domains apply to every way in.
async fn account(state: &AppState, row: &ProviderRow, person: &Person) -> Result<i64, AppError> {
    let allowed = model::domains(&row.allowed_domains);
    let email = person.email.as_deref().map(|e| e.to_lowercase());
    let in_domain = allowed.is_empty()
        || email
            .as_deref()
            .is_some_and(|e| model::domain_allowed(e, &allowed));
    if !in_domain {
        return Err(refused(format!(
            "{} signed you in as {}, which may not use this site. Sign in with your organisation's account.",
            row.name,
            email
                .as_deref()
                .unwrap_or("a person without an email address")
        )));
    }
    if let Some(user_id) = store::identity_user(&state.db, row.id, &person.subject).await? {
        return Ok(user_id);
    }
    let Some(email) = email.filter(|_| person.email_verified || row.trust_email) else {
        return Err(refused(format!(
            "{} has not verified your email address, so Lyceum cannot tell which account is yours. Verify it there, or ask your administrator.",
            row.name
        )));
    };
    let email = Email::parse(&email).map_err(|_| {
        refused(format!(
            "{} gave an email address Lyceum cannot use.",
            row.name
        ))
    })?;
    let system = Actor {
        id: 0,
        name: row.name.clone(),
        email: format!("sso:{}", row.slug),
        roles: Vec::new(),
    };
    if let Some(user) = users::find_by_email(&state.db, email.as_str()).await? {
        if !row.link_by_email {
            return Err(refused(format!(
                "An account with {} exists but is not linked to {}. Sign in with your password, or ask your administrator.",
                email.as_str(),
                row.name
            )));
        }
        let mut tx = state.db.begin().await?;
        store::link(&mut tx, row.id, &person.subject, user.id, now()).await?;
        audit::record(
            &mut tx,
            &system,
            audit::Entry::new("sso.linked", "user", Some(user.id), email.as_str()),
            now(),
        )
        .await?;
        tx.commit().await?;
        return Ok(user.id);
    }
    if !row.create_accounts {
        return Err(refused(format!(
            "There is no account for {} on this site. Ask your administrator for one.",
            email.as_str()
        )));
    }
    let name = person
        .name
        .as_deref()
        .and_then(|n| UserName::parse(n).ok())
        .or_else(|| UserName::parse(email.as_str().split('@').next().unwrap_or("")).ok())
        .ok_or_else(|| refused(format!("{} gave no name Lyceum can use.", row.name)))?;
    let mut tx = state.db.begin().await?;
    let user_id = users::insert(&mut tx, &email, &name, None, now()).await?;
    users::set_roles(&mut tx, user_id, &[Role::Learner]).await?;
    store::link(&mut tx, row.id, &person.subject, user_id, now()).await?;
    audit::record(
        &mut tx,
        &system,
        audit::Entry::new("sso.account_created", "user", Some(user_id), email.as_str()),
        now(),
    )
    .await?;
    let user = users::find_in_tx(&mut tx, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::users::announce::announce(
        &mut tx,
        crate::webhooks::model::Event::UserCreated,
        &user,
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// What a password sign-in asks of each site role (administrators' page).
pub async fn rules(state: &AppState, actor: &Actor) -> Result<Vec<SignInRule>, AppError> {
    require_admin(actor)?;
    crate::auth::rules::all(&state.db).await
}

/// Saves the sign-in rules: the roles whose password sign-in is off (only once an identity
/// provider is on, and never administrators), and those that need two-step verification.
pub async fn save_rules(
    state: &AppState,
    actor: &Actor,
    password_off: &[String],
    mfa_required: &[String],
) -> Result<Vec<SignInRule>, AppError> {
    require_admin(actor)?;
    let roles = |names: &[String], field: &str| -> Result<Vec<Role>, AppError> {
        names
            .iter()
            .map(|n| Role::parse(n).map_err(|_| AppError::invalid(field, "Unknown role.")))
            .collect()
    };
    let (off, mfa) = (
        roles(password_off, "password_off")?,
        roles(mfa_required, "mfa_required")?,
    );
    if off.contains(&Role::Administrator) {
        return Err(AppError::invalid(
            "password_off",
            "Administrators always keep their password, so that someone can mend a broken provider.",
        ));
    }
    if !off.is_empty() && store::buttons(&state.db).await?.is_empty() {
        return Err(AppError::invalid(
            "password_off",
            "Add and switch on an identity provider first: people with these roles would have no way to sign in.",
        ));
    }
    let rules: Vec<SignInRule> = Role::ALL
        .iter()
        .map(|role| SignInRule {
            role: *role,
            password_off: off.contains(role),
            mfa_required: mfa.contains(role),
        })
        .collect();
    let mut tx = state.db.begin().await?;
    crate::auth::rules::save_in(&mut tx, &rules, now()).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("sso.sign_in_rules", "settings", None, "Sign-in rules").after(&rules),
        now(),
    )
    .await?;
    tx.commit().await?;
    crate::auth::rules::all(&state.db).await
}
