//! SQL of the mail area that runs inside a use case's transaction (the mailer writes the outbox
//! on its own).

use crate::db::Tx;
use crate::error::AppError;
use crate::with_tx;

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
