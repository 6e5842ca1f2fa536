//! SQL of the mail area: the outbox as administrators read it, and what runs inside a use
//! case's transaction (the mailer writes the outbox on its own).

use super::model::OutboxMessage;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::paging::Page;
use crate::{with_db, with_tx};

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

/// One page of the outbox, newest first.
pub async fn outbox_page(
    db: &Db,
    page: u32,
    per_page: u32,
) -> Result<Page<OutboxMessage>, AppError> {
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

/// Keeps the messages sent to `address` as a record that mail went out (subject, when, whether
/// it was sent) and drops the address and the text, which can name the person or hold a link.
pub async fn redact_to(
    tx: &mut Tx,
    address: &str,
    replacement: &str,
    body: &str,
) -> Result<u64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query(
        "UPDATE outbox SET to_address = $2, body = $3, last_error = REPLACE(last_error, $1, $2) \
         WHERE LOWER(to_address) = $1"
    )
    .bind(address)
    .bind(replacement)
    .bind(body)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
