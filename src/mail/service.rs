use super::model::OutboxMessage;
use crate::auth::permissions::{Action, Actor, can};
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::paging::Page;
use crate::with_db;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    to_address: String,
    subject: String,
    body: String,
    created_at: i64,
    sent_at: Option<i64>,
    last_error: Option<String>,
}

pub async fn list_outbox(
    db: &Db,
    actor: &Actor,
    page: u32,
) -> Result<Page<OutboxMessage>, AppError> {
    if !can(actor, Action::ViewOutbox) {
        return Err(AppError::Forbidden);
    }
    let page = page.max(1);
    let per_page = 25u32;
    let offset = crate::db::page_offset(page, per_page);
    let (rows, total): (Vec<Row>, i64) = with_db!(db, |p| {
        let rows = sqlx::query_as(
            "SELECT id, to_address, subject, body, created_at, sent_at, last_error FROM outbox ORDER BY id DESC LIMIT $1 OFFSET $2",
        )
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(p)
        .await?;
        let total = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
            .fetch_one(p)
            .await?;
        (rows, total)
    });
    let items = rows
        .into_iter()
        .map(|r| OutboxMessage {
            id: r.id,
            to_address: r.to_address,
            subject: r.subject,
            body: r.body,
            created_at: r.created_at,
            sent_at: r.sent_at,
            last_error: r.last_error,
        })
        .collect();
    Ok(Page {
        items,
        total,
        total_capped: false,
        page,
        per_page,
    })
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
