//! Identity providers as administrators see and edit them, and as the sign-in page shows them.

use serde::{Deserialize, Serialize};

/// A provider on the administrators' page. The client secret never leaves the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderInfo {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub issuer_url: String,
    pub client_id: String,
    pub has_secret: bool,
    pub scopes: String,
    pub email_claim: String,
    pub name_claim: String,
    pub allowed_domains: String,
    pub create_accounts: bool,
    pub link_by_email: bool,
    pub trust_email: bool,
    pub enabled: bool,
    /// Lines of "field=claim" (`profile_claims`).
    pub profile_claims: String,
    /// The address to register with the provider as this client's redirect URI.
    pub redirect_uri: String,
    pub linked_people: i64,
}

/// What the provider form sends. An empty `client_secret` keeps the one kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderForm {
    /// 0 for a new provider.
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub scopes: String,
    pub email_claim: String,
    pub name_claim: String,
    pub allowed_domains: String,
    pub create_accounts: bool,
    pub link_by_email: bool,
    pub trust_email: bool,
    pub enabled: bool,
    pub profile_claims: String,
}

impl ProviderForm {
    pub fn new_provider() -> ProviderForm {
        ProviderForm {
            scopes: DEFAULT_SCOPES.into(),
            email_claim: "email".into(),
            name_claim: "name".into(),
            link_by_email: true,
            enabled: true,
            ..ProviderForm::default()
        }
    }

    pub fn of(p: &ProviderInfo) -> ProviderForm {
        ProviderForm {
            id: p.id,
            slug: p.slug.clone(),
            name: p.name.clone(),
            issuer_url: p.issuer_url.clone(),
            client_id: p.client_id.clone(),
            client_secret: String::new(),
            scopes: p.scopes.clone(),
            email_claim: p.email_claim.clone(),
            name_claim: p.name_claim.clone(),
            allowed_domains: p.allowed_domains.clone(),
            create_accounts: p.create_accounts,
            link_by_email: p.link_by_email,
            trust_email: p.trust_email,
            enabled: p.enabled,
            profile_claims: p.profile_claims.clone(),
        }
    }
}

pub const DEFAULT_SCOPES: &str = "openid email profile";

/// A button on the sign-in page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInButton {
    pub slug: String,
    pub name: String,
}

impl SignInButton {
    /// Where the button leads (a plain link: it works before the script loads).
    pub fn href(&self, next: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if !next.is_empty() && next != "/" {
            q.append_pair("next", next);
        }
        let query = q.finish();
        if query.is_empty() {
            format!("/sso/{}/start", self.slug)
        } else {
            format!("/sso/{}/start?{query}", self.slug)
        }
    }
}

/// The profile fields a provider's claims may fill.
pub const PROFILE_FIELDS: [&str; 4] = ["employee_id", "department", "job_title", "location"];

/// The profile mapping as typed: lines (or commas) of "field=claim", such as
/// "department=department" or "job_title=title". A line names an unknown field: its message.
pub fn profile_claims(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (field, claim) = line
                .split_once('=')
                .map(|(f, c)| (f.trim(), c.trim()))
                .filter(|(f, c)| !f.is_empty() && !c.is_empty() && !c.contains(char::is_whitespace))
                .ok_or_else(|| {
                    format!("Write \"{line}\" as field=claim, such as department=department.")
                })?;
            if !PROFILE_FIELDS.contains(&field) {
                return Err(format!(
                    "{field} is not a profile field: use {}.",
                    PROFILE_FIELDS.join(", ")
                ));
            }
            Ok((field.to_string(), claim.to_string()))
        })
        .collect()
}

/// A slug: 1 to 40 lower-case letters, digits and hyphens (it is part of the redirect URI).
pub fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 40
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
}

/// The allowed domains as typed (commas, spaces or lines between them), lower case, without
/// a leading "@"; empty means any domain.
pub fn domains(list: &str) -> Vec<String> {
    list.split(|c: char| c == ',' || c.is_whitespace())
        .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .collect()
}

/// Whether `email` is in one of `allowed` (or any domain when `allowed` is empty). A
/// subdomain is not its parent: "nurse@x.example.org" is not in "example.org".
pub fn domain_allowed(email: &str, allowed: &[String]) -> bool {
    if allowed.is_empty() {
        return true;
    }
    email
        .rsplit_once('@')
        .map(|(_, domain)| domain.to_ascii_lowercase())
        .is_some_and(|domain| allowed.contains(&domain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_read_loosely_and_matched_exactly() {
        let allowed = domains(" @Example.org, nurses.example.net\nexample.com ");
        assert_eq!(
            allowed,
            ["example.org", "nurses.example.net", "example.com"]
        );
        assert!(domain_allowed("ada@EXAMPLE.org", &allowed));
        assert!(!domain_allowed("ada@x.example.org", &allowed));
        assert!(!domain_allowed("ada@example.org.evil.test", &allowed));
        assert!(!domain_allowed("no-at-sign", &allowed));
        assert!(domain_allowed("anyone@anywhere.test", &[]));
    }

    #[test]
    fn profile_claims_are_read_and_checked() {
        assert_eq!(
            profile_claims("department=department\n job_title = title ,employee_id=employeeNumber")
                .unwrap(),
            [
                ("department".to_string(), "department".to_string()),
                ("job_title".to_string(), "title".to_string()),
                ("employee_id".to_string(), "employeeNumber".to_string()),
            ]
        );
        assert!(profile_claims("").unwrap().is_empty());
        assert!(
            profile_claims("salary=pay")
                .unwrap_err()
                .contains("not a profile field")
        );
        assert!(
            profile_claims("department")
                .unwrap_err()
                .contains("field=claim")
        );
    }

    #[test]
    fn slugs_and_button_links() {
        assert!(valid_slug("okta-staff"));
        assert!(!valid_slug("Okta"));
        assert!(!valid_slug("-x"));
        assert!(!valid_slug(""));
        let b = SignInButton {
            slug: "idp".into(),
            name: "Staff".into(),
        };
        assert_eq!(b.href("/"), "/sso/idp/start");
        assert_eq!(
            b.href("/courses/3?x=1"),
            "/sso/idp/start?next=%2Fcourses%2F3%3Fx%3D1"
        );
    }
}
