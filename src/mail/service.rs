use super::model::OutboxMessage;
use crate::auth::permissions::{Action, Actor, can};
use crate::db::{Db, now};
use crate::error::AppError;
use crate::users::model::Page;
use crate::{with_db, with_db_write};
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
