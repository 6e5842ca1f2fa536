use serde::{Deserialize, Serialize};

/// Where to go after signing in: only a path on this site (never `//elsewhere`), else home.
pub fn safe_next(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".into())
}

/// One of a user's active sessions, for the account page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub created_at: i64,
    pub last_seen_at: i64,
    pub ip: String,
    pub user_agent: String,
    pub current: bool,
}

/// A personal access token as listed (never the secret itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A token just created: the secret is shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub info: ApiTokenInfo,
    pub secret: String,
}

/// Two-step verification on the account page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MfaStatus {
    pub enabled: bool,
    pub recovery_codes_left: i64,
}

/// What an authenticator app needs to start: the QR code, or the secret to type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TotpSetup {
    pub qr_svg: String,
    pub typed_secret: String,
    pub otpauth_url: String,
}

/// How a sign-in went: signed in, or the password was right and the second step is next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInNext {
    SignedIn,
    SecondStep,
}

/// What a password sign-in asks of people with one site role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInRule {
    pub role: crate::users::model::Role,
    /// They sign in through an identity provider only (never for administrators).
    pub password_off: bool,
    /// Two-step verification, set up at their next sign-in if they have none.
    pub mfa_required: bool,
}

/// The time zone a person reads times in, and the choice of them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TimeZoneChoice {
    /// Empty: the site's.
    pub zone: String,
    pub site_zone: String,
    pub zones: Vec<String>,
}
