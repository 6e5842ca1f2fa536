//! What webhooks are told about an account (`webhooks::outbox`): its id, address, name, roles
//! and status; never its password or profile.

use super::model::User;
use crate::db::Tx;
use crate::error::AppError;
use crate::webhooks::model::Event;
use serde_json::json;

pub async fn announce(tx: &mut Tx, event: Event, user: &User, now: i64) -> Result<(), AppError> {
    let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
    let data = json!({
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": roles,
        "status": user.status.as_str(),
    });
    crate::webhooks::outbox::emit(tx, event, data, now).await?;
    Ok(())
}

/// A deleted account: only its id, since its personal data has just been forgotten.
pub async fn announce_deleted(tx: &mut Tx, id: i64, now: i64) -> Result<(), AppError> {
    let data = json!({ "id": id, "status": "deleted" });
    crate::webhooks::outbox::emit(tx, Event::UserDeactivated, data, now).await?;
    Ok(())
}
