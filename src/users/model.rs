//! User types and the parsing rules for what people type (compiles for the browser too).

use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address, trimmed and lower-cased so that uniqueness ignores case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, AppError> {
        let value = input.trim().to_lowercase();
        let invalid =
            || AppError::invalid("email", "Enter an email address like name@example.com.");
        if value.is_empty() {
            return Err(AppError::invalid("email", "Enter an email address."));
        }
        if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = value.rsplit_once('@').ok_or_else(invalid)?;
        if local.is_empty() || local.contains('@') || domain.len() < 3 || !domain.contains('.') {
            return Err(invalid());
        }
        if domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
            return Err(invalid());
        }
        Ok(Email(value))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name: 1 to 120 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserName(String);

impl UserName {
    pub fn parse(input: &str) -> Result<UserName, AppError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(AppError::invalid("name", "Enter a name."));
        }
        if value.chars().count() > 120 {
            return Err(AppError::invalid(
                "name",
                "Names can be at most 120 characters.",
            ));
        }
        if value.chars().any(|c| c.is_control()) {
            return Err(AppError::invalid(
                "name",
                "Names cannot contain control characters.",
            ));
        }
        Ok(UserName(value.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Site-wide roles. A user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Administrator,
    Manager,
    Instructor,
    Learner,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Administrator,
        Role::Manager,
        Role::Instructor,
        Role::Learner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Manager => "manager",
            Role::Instructor => "instructor",
            Role::Learner => "learner",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Manager => "Manager",
            Role::Instructor => "Instructor",
            Role::Learner => "Learner",
        }
    }
    pub fn parse(input: &str) -> Result<Role, AppError> {
        match input.trim().to_lowercase().as_str() {
            "administrator" | "admin" => Ok(Role::Administrator),
            "manager" => Ok(Role::Manager),
            "instructor" => Ok(Role::Instructor),
            "learner" => Ok(Role::Learner),
            other => Err(AppError::invalid(
                "roles",
                format!(
                    "'{other}' is not a role (use administrator, manager, instructor or learner)."
                ),
            )),
        }
    }
    /// Parses a list separated by `;`, `,` or `|` (as in CSV files). An empty list means learner.
    pub fn parse_list(input: &str) -> Result<Vec<Role>, AppError> {
        let mut roles = Vec::new();
        for part in input
            .split([';', ',', '|'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let role = Role::parse(part)?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        if roles.is_empty() {
            roles.push(Role::Learner);
        }
        roles.sort();
        Ok(roles)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    Active,
    Suspended,
    Deleted,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Suspended => "suspended",
            UserStatus::Deleted => "deleted",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Active => "Active",
            UserStatus::Suspended => "Suspended",
            UserStatus::Deleted => "Deleted",
        }
    }
    pub fn parse(input: &str) -> Option<UserStatus> {
        match input {
            "active" => Some(UserStatus::Active),
            "suspended" => Some(UserStatus::Suspended),
            "deleted" => Some(UserStatus::Deleted),
            _ => None,
        }
    }
}

/// One row of the administrators' user table, and the REST API's user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<String>))]
    pub roles: Vec<Role>,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub status: UserStatus,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
}

impl User {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// Columns the user table can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum UserSort {
    #[default]
    Name,
    Email,
    Created,
    LastSignIn,
}

impl UserSort {
    pub fn as_str(self) -> &'static str {
        match self {
            UserSort::Name => "name",
            UserSort::Email => "email",
            UserSort::Created => "created",
            UserSort::LastSignIn => "last_sign_in",
        }
    }
    pub fn parse(input: &str) -> UserSort {
        match input {
            "email" => UserSort::Email,
            "created" => UserSort::Created,
            "last_sign_in" => UserSort::LastSignIn,
            _ => UserSort::Name,
        }
    }
}

/// What the user table shows: search text, filters, sort and page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct UserQuery {
    pub search: String,
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    pub sort: UserSort,
    pub descending: bool,
    pub page: u32,
    pub per_page: u32,
}

impl UserQuery {
    pub const DEFAULT_PER_PAGE: u32 = 25;
    pub const MAX_PER_PAGE: u32 = 100;

    pub fn per_page(&self) -> u32 {
        match self.per_page {
            0 => Self::DEFAULT_PER_PAGE,
            n => n.min(Self::MAX_PER_PAGE),
        }
    }
    pub fn page(&self) -> u32 {
        self.page.max(1)
    }
}

/// What an administrator or manager fills in to create or edit a user (raw form input).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserForm {
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub roles: Vec<String>,
    /// Optional on create: without it, the person sets one through an emailed link.
    #[serde(default)]
    pub password: String,
}

/// A user form after parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub email: Email,
    pub name: UserName,
    pub roles: Vec<Role>,
    pub password: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn email_without_domain_dot_is_rejected() {
        assert!(Email::parse("ada@localhost").is_err());
        assert!(Email::parse("ada.example.com").is_err());
        assert!(Email::parse("a b@example.com").is_err());
        assert_eq!(
            Email::parse("").unwrap_err().field("email").unwrap(),
            "Enter an email address."
        );
    }

    #[test]
    fn role_list_accepts_separators_and_defaults_to_learner() {
        assert_eq!(
            Role::parse_list("Instructor; manager").unwrap(),
            vec![Role::Manager, Role::Instructor]
        );
        assert_eq!(Role::parse_list("").unwrap(), vec![Role::Learner]);
        assert!(
            Role::parse_list("teacher")
                .unwrap_err()
                .field("roles")
                .unwrap()
                .contains("teacher")
        );
    }

    #[test]
    fn name_must_not_be_blank_or_too_long() {
        assert!(UserName::parse("   ").is_err());
        assert!(UserName::parse(&"x".repeat(121)).is_err());
        assert_eq!(
            UserName::parse(" Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
    }
}
