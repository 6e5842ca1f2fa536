//! What a password sign-in asks of people by their site roles: administrators may switch
//! password sign-in off for roles whose people have an identity provider (administrators always
//! keep it: someone must be able to fix a broken provider), and require two-step verification.
//! The strictest of a person's roles wins.

use super::mfa_store as store;
use super::model::SignInRule;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::users::model::Role;

/// Every role's rule (roles without a row ask for neither).
pub async fn all(db: &Db) -> Result<Vec<SignInRule>, AppError> {
    let rows = store::rules(db).await?;
    Ok(Role::ALL
        .iter()
        .map(|role| {
            let row = rows.iter().find(|(r, ..)| r == role.as_str());
            SignInRule {
                role: *role,
                password_off: *role != Role::Administrator && row.is_some_and(|r| r.1),
                mfa_required: row.is_some_and(|r| r.2),
            }
        })
        .collect())
}

/// What the rules ask of a person with `roles`.
pub struct Asked {
    pub password_allowed: bool,
    pub mfa_required: bool,
}

pub async fn asked_of(db: &Db, roles: &[Role]) -> Result<Asked, AppError> {
    let rules = all(db).await?;
    let of = |role: &Role| rules.iter().find(|r| r.role == *role);
    Ok(Asked {
        password_allowed: roles.contains(&Role::Administrator)
            || !roles.iter().any(|r| of(r).is_some_and(|x| x.password_off)),
        mfa_required: roles.iter().any(|r| of(r).is_some_and(|x| x.mfa_required)),
    })
}

/// Saves the rules (the caller checked who may, and audits).
pub async fn save_in(tx: &mut Tx, rules: &[SignInRule], now: i64) -> Result<(), AppError> {
    for rule in rules {
        let password_off = rule.password_off && rule.role != Role::Administrator;
        store::save_rule(tx, rule.role.as_str(), password_off, rule.mfa_required, now).await?;
    }
    Ok(())
}
