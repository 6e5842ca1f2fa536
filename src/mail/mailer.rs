//! Sending mail: every message goes to the outbox table, then out over SMTP when it is configured.
//! Part of the app state, so it sits in the foundation and uses only the database.

use crate::db::{Db, now};
use crate::error::AppError;
use crate::with_db_write;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::Mailbox};

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

    /// Stores the message in the outbox and, with SMTP configured, sends it.
    pub async fn send(&self, db: &Db, to: &str, subject: &str, body: &str) -> Result<(), AppError> {
        let id: i64 = with_db_write!(db, |p| {
            sqlx::query_scalar(
            "INSERT INTO outbox (to_address, subject, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
        )
        .bind(to)
        .bind(subject)
        .bind(body)
        .bind(now())
        .fetch_one(p)
        .await
        })?;
        let (Some(smtp), Some(from)) = (&self.smtp, &self.from) else {
            return Ok(());
        };
        let outcome = match to.parse::<Mailbox>() {
            Ok(to) => match Message::builder()
                .from(from.clone())
                .to(to)
                .subject(subject)
                .body(body.to_string())
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
        match outcome {
            Ok(()) => {
                with_db_write!(db, |p| sqlx::query(
                    "UPDATE outbox SET sent_at = $1 WHERE id = $2"
                )
                .bind(now())
                .bind(id)
                .execute(p)
                .await
                .map(|r| r.rows_affected()))?;
            }
            Err(error) => {
                tracing::warn!(outbox_id = id, %error, "sending email failed; kept in the outbox");
                with_db_write!(db, |p| sqlx::query(
                    "UPDATE outbox SET last_error = $1 WHERE id = $2"
                )
                .bind(&error)
                .bind(id)
                .execute(p)
                .await
                .map(|r| r.rows_affected()))?;
            }
        }
        Ok(())
    }
}
