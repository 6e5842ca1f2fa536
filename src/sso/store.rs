//! SQL of identity providers, the identities linked to accounts, and sign-ins on their way
//! (both databases).

use crate::db::{Db, Tx};
use crate::error::{AppError, Violation, constraint_error};
use crate::{with_db, with_db_write, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret_sealed: String,
    pub scopes: String,
    pub email_claim: String,
    pub name_claim: String,
    pub allowed_domains: String,
    pub create_accounts: bool,
    pub link_by_email: bool,
    pub trust_email: bool,
    pub enabled: bool,
    pub profile_claims: String,
    pub linked_people: i64,
}

const COLUMNS: &str = "p.id, p.slug, p.name, p.issuer_url, p.client_id, p.client_secret_sealed, \
     p.scopes, p.email_claim, p.name_claim, p.allowed_domains, p.create_accounts, \
     p.link_by_email, p.trust_email, p.enabled, p.profile_claims, \
     (SELECT COUNT(*) FROM sso_identities i WHERE i.provider_id = p.id) AS linked_people";

/// Every provider, by name (a site has a handful).
pub async fn providers(db: &Db) -> Result<Vec<ProviderRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {COLUMNS} FROM sso_providers p ORDER BY p.name, p.id")
    ))
    .fetch_all(p)
    .await?))
}

pub async fn provider(db: &Db, id: i64) -> Result<Option<ProviderRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {COLUMNS} FROM sso_providers p WHERE p.id = $1")
    ))
    .bind(id)
    .fetch_optional(p)
    .await?))
}

pub async fn provider_by_slug(db: &Db, slug: &str) -> Result<Option<ProviderRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {COLUMNS} FROM sso_providers p WHERE p.slug = $1")
    ))
    .bind(slug)
    .fetch_optional(p)
    .await?))
}

/// The enabled providers' buttons: (slug, name).
pub async fn buttons(db: &Db) -> Result<Vec<(String, String)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT slug, name FROM sso_providers WHERE enabled ORDER BY name, id"
    )
    .fetch_all(p)
    .await?))
}

fn slug_taken(err: sqlx::Error) -> AppError {
    constraint_error(
        err,
        [(
            Violation::Unique("sso_providers_slug"),
            AppError::invalid("slug", "Another provider has this short name."),
        )],
    )
}

/// A provider's settings as saved (`id` 0 inserts); returns its id.
pub struct Saved<'a> {
    pub id: i64,
    pub slug: &'a str,
    pub name: &'a str,
    pub issuer_url: &'a str,
    pub client_id: &'a str,
    pub client_secret_sealed: &'a str,
    pub scopes: &'a str,
    pub email_claim: &'a str,
    pub name_claim: &'a str,
    pub allowed_domains: &'a str,
    pub create_accounts: bool,
    pub link_by_email: bool,
    pub trust_email: bool,
    pub enabled: bool,
    pub profile_claims: &'a str,
}

pub async fn save(tx: &mut Tx, s: &Saved<'_>, now: i64) -> Result<i64, AppError> {
    let result: Result<Option<i64>, sqlx::Error> = if s.id == 0 {
        with_tx!(tx, |c| {
            sqlx::query_scalar(
            "INSERT INTO sso_providers (slug, name, issuer_url, client_id, client_secret_sealed, \
             scopes, email_claim, name_claim, allowed_domains, create_accounts, link_by_email, \
             trust_email, enabled, created_at, updated_at, profile_claims) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) RETURNING id"
        )
        .bind(s.slug)
        .bind(s.name)
        .bind(s.issuer_url)
        .bind(s.client_id)
        .bind(s.client_secret_sealed)
        .bind(s.scopes)
        .bind(s.email_claim)
        .bind(s.name_claim)
        .bind(s.allowed_domains)
        .bind(s.create_accounts)
        .bind(s.link_by_email)
        .bind(s.trust_email)
        .bind(s.enabled)
        .bind(now)
        .bind(s.profile_claims)
        .fetch_optional(c)
        .await
        })
    } else {
        with_tx!(tx, |c| sqlx::query_scalar(
            "UPDATE sso_providers SET slug = $2, name = $3, issuer_url = $4, client_id = $5, \
             client_secret_sealed = $6, scopes = $7, email_claim = $8, name_claim = $9, \
             allowed_domains = $10, create_accounts = $11, link_by_email = $12, \
             trust_email = $13, enabled = $14, updated_at = $15, profile_claims = $16 \
             WHERE id = $1 RETURNING id"
        )
        .bind(s.id)
        .bind(s.slug)
        .bind(s.name)
        .bind(s.issuer_url)
        .bind(s.client_id)
        .bind(s.client_secret_sealed)
        .bind(s.scopes)
        .bind(s.email_claim)
        .bind(s.name_claim)
        .bind(s.allowed_domains)
        .bind(s.create_accounts)
        .bind(s.link_by_email)
        .bind(s.trust_email)
        .bind(s.enabled)
        .bind(now)
        .bind(s.profile_claims)
        .fetch_optional(c)
        .await)
    };
    result.map_err(slug_taken)?.ok_or(AppError::NotFound)
}

pub async fn delete(tx: &mut Tx, id: i64) -> Result<u64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query(
        "DELETE FROM sso_providers WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await?
    .rows_affected()))
}

/// A sign-in on its way through a provider.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoginRow {
    pub provider_id: i64,
    pub browser_hash: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
    pub created_at: i64,
}

/// Keeps a sign-in on its way, and forgets the stale ones (abandoned at the provider).
pub async fn insert_login(
    db: &Db,
    state_hash: &str,
    l: &LoginRow,
    stale_before: i64,
) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "DELETE FROM sso_logins WHERE created_at < $1"
    )
    .bind(stale_before)
    .execute(p)
    .await?
    .rows_affected());
    with_db_write!(db, |p| sqlx::query(
        "INSERT INTO sso_logins (state_hash, provider_id, browser_hash, nonce, pkce_verifier, \
         next_path, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(state_hash)
    .bind(l.provider_id)
    .bind(&l.browser_hash)
    .bind(&l.nonce)
    .bind(&l.pkce_verifier)
    .bind(&l.next_path)
    .bind(l.created_at)
    .execute(p)
    .await?
    .rows_affected());
    Ok(())
}

/// Takes the sign-in with this state (it can be used once), and forgets the stale ones.
pub async fn take_login(
    db: &Db,
    state_hash: &str,
    stale_before: i64,
) -> Result<Option<LoginRow>, AppError> {
    let row = with_db_write!(db, |p| sqlx::query_as(
        "DELETE FROM sso_logins WHERE state_hash = $1 RETURNING provider_id, browser_hash, \
         nonce, pkce_verifier, next_path, created_at"
    )
    .bind(state_hash)
    .fetch_optional(p)
    .await?);
    with_db_write!(db, |p| sqlx::query(
        "DELETE FROM sso_logins WHERE created_at < $1"
    )
    .bind(stale_before)
    .execute(p)
    .await?
    .rows_affected());
    Ok(row)
}

/// The account a provider's subject is linked to.
pub async fn identity_user(
    db: &Db,
    provider_id: i64,
    subject: &str,
) -> Result<Option<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT user_id FROM sso_identities WHERE provider_id = $1 AND subject = $2"
    )
    .bind(provider_id)
    .bind(subject)
    .fetch_optional(p)
    .await?))
}

pub async fn link(
    tx: &mut Tx,
    provider_id: i64,
    subject: &str,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO sso_identities (provider_id, subject, user_id, created_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $4)"
    )
    .bind(provider_id)
    .bind(subject)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

pub async fn touch_identity(
    db: &Db,
    provider_id: i64,
    subject: &str,
    now: i64,
) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE sso_identities SET last_used_at = $3 WHERE provider_id = $1 AND subject = $2"
    )
    .bind(provider_id)
    .bind(subject)
    .bind(now)
    .execute(p)
    .await?
    .rows_affected());
    Ok(())
}
