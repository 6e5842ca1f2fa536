use super::model::OutboxMessage;
use crate::auth::permissions::{Action, Actor, can};
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::paging::Page;

/// The outbox, newest first (administrators).
pub async fn list_outbox(
    db: &Db,
    actor: &Actor,
    page: u32,
) -> Result<Page<OutboxMessage>, AppError> {
    if !can(actor, Action::ViewOutbox) {
        return Err(AppError::Forbidden);
    }
    super::store::outbox_page(db, page.max(1), 25).await
}

/// What a redacted message's text becomes.
const REMOVED_BODY: &str = "(Removed when the account was deleted.)";

/// Drops a deleted person's addresses and the text of the mail sent to them from the outbox,
/// in the deletion's transaction; the messages stay, addressed to `replacement`.
pub async fn forget_recipient(
    tx: &mut Tx,
    addresses: &[String],
    replacement: &str,
) -> Result<(), AppError> {
    for address in addresses {
        super::store::redact_to(tx, &address.to_lowercase(), replacement, REMOVED_BODY).await?;
    }
    Ok(())
}
