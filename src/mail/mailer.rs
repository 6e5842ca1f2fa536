//! Sending mail: every message goes to the outbox table, and a background job sends it over SMTP
//! when that is configured. Part of the app state, so it sits in the foundation and uses only
//! the database and the job queue's table.

use crate::db::{Db, Tx, now};
use crate::error::AppError;
use crate::jobs::queue;
use crate::{with_db, with_db_write, with_tx};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::Mailbox};

/// The job kind that delivers one outbox message (`jobs::worker`).
pub const DELIVER: &str = "mail.deliver";

/// Stores a message in the outbox and queues its delivery, in the caller's transaction: it is
/// sent only if that commits (a notification and its email stand or fall together).
pub async fn queue_in(
    tx: &mut Tx,
    to: &str,
    subject: &str,
    body: &str,
    at: i64,
) -> Result<(), AppError> {
    let id: i64 = with_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO outbox (to_address, subject, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(to)
        .bind(subject)
        .bind(body)
        .bind(at)
        .fetch_one(c)
        .await?
    });
    queue::enqueue(tx, DELIVER, &id.to_string(), at, at).await?;
    Ok(())
}

#[derive(Clone)]
pub struct Mailer {
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Option<Mailbox>,
}

impl Mailer {
    /// Settings were validated at start-up; anything unusable here just means "outbox only".
    pub fn new(smtp_url: Option<&str>, from: &str) -> Mailer {
        let smtp = smtp_url.and_then(|url| {
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .ok()
                .map(|b| b.build())
        });
        Mailer {
            smtp,
            from: from.parse().ok(),
        }
    }

    /// Stores the message in the outbox and queues its delivery (`deliver`, run by the job
    /// worker): a request never waits on the SMTP server, and a failed delivery is tried again.
    pub async fn send(&self, db: &Db, to: &str, subject: &str, body: &str) -> Result<(), AppError> {
        let at = now();
        let mut tx = db.begin().await?;
        queue_in(&mut tx, to, subject, body, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sends the outbox message `payload` (its id) over SMTP when SMTP is configured; without it
    /// the message stays in the outbox for administrators to read. A message already sent is
    /// not sent again. The error, if any, is kept on the message and returned for the job's retry.
    pub async fn deliver(&self, db: &Db, payload: &str) -> Result<(), String> {
        let id: i64 = payload
            .parse()
            .map_err(|_| format!("“{payload}” is not an outbox message id."))?;
        let (Some(smtp), Some(from)) = (&self.smtp, &self.from) else {
            return Ok(());
        };
        let message: Option<(String, String, String, Option<i64>)> =
            with_db!(db, |p| sqlx::query_as(
                "SELECT to_address, subject, body, sent_at FROM outbox WHERE id = $1"
            )
            .bind(id)
            .fetch_optional(p)
            .await)
            .map_err(|e| e.to_string())?;
        let Some((to, subject, body, sent_at)) = message else {
            // Removed since (an account deleted): nothing to send.
            return Ok(());
        };
        if sent_at.is_some() {
            return Ok(());
        }
        let outcome = match to.parse::<Mailbox>() {
            Ok(to) => match Message::builder()
                .from(from.clone())
                .to(to)
                .subject(subject)
                .body(body)
            {
                Ok(message) => smtp
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            },
            Err(e) => Err(e.to_string()),
        };
        let (sent_at, error) = match &outcome {
            Ok(()) => (Some(now()), None),
            Err(error) => (None, Some(error.as_str())),
        };
        with_db_write!(db, |p| sqlx::query(
            "UPDATE outbox SET sent_at = $1, last_error = $2 WHERE id = $3"
        )
        .bind(sent_at)
        .bind(error)
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| e.to_string())?;
        outcome
    }
}
