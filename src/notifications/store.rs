//! SQL of notifications and preferences (both databases).

use super::model::{Channel, Kind, Notification};
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_db_write, with_tx};

/// Someone a notification goes to: their address and their choice for its kind, if they made one.
#[derive(Debug, sqlx::FromRow)]
pub struct Recipient {
    pub user_id: i64,
    pub email: String,
    pub channel: Option<String>,
}

/// The active people among `user_ids`, with their choice for `kind`.
pub async fn recipients(
    tx: &mut Tx,
    kind: Kind,
    user_ids: &[i64],
) -> Result<Vec<Recipient>, AppError> {
    let mut found = Vec::new();
    for chunk in user_ids.chunks(1000) {
        let rows: Vec<Recipient> = with_tx!(tx, |c| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT u.id AS user_id, u.email, p.channel FROM users u \
                 LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.kind = ",
            );
            query.push_bind(kind.as_str());
            query.push(" WHERE u.status = 'active' AND u.id IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            list.push_unseparated(")");
            query.build_query_as().fetch_all(c).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

/// A notification to store.
pub struct NewNotification<'a> {
    pub user_id: i64,
    pub kind: Kind,
    pub subject: &'a str,
    pub body: &'a str,
    pub link: &'a str,
    pub digest_pending: bool,
}

pub async fn insert(tx: &mut Tx, n: &NewNotification<'_>, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO notifications (user_id, kind, subject, body, link, created_at, digest_pending) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(n.user_id)
    .bind(n.kind.as_str())
    .bind(n.subject)
    .bind(n.body)
    .bind(n.link)
    .bind(now)
    .bind(n.digest_pending)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    subject: String,
    body: String,
    link: String,
    created_at: i64,
    read_at: Option<i64>,
}

impl Row {
    /// None for a kind this version no longer has.
    fn into_notification(self) -> Option<Notification> {
        Some(Notification {
            id: self.id,
            kind: Kind::parse(&self.kind)?,
            subject: self.subject,
            body: self.body,
            link: self.link,
            created_at: self.created_at,
            read: self.read_at.is_some(),
        })
    }
}

/// One page of a person's notifications, the latest first, and how many they have.
pub async fn list(
    db: &Db,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Notification>, i64), AppError> {
    let (rows, total): (Vec<Row>, i64) = with_db!(db, |p| {
        let rows = sqlx::query_as(
            "SELECT id, kind, subject, body, link, created_at, read_at FROM notifications \
             WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(user_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?;
        let total = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(p)
            .await?;
        (rows, total)
    });
    Ok((
        rows.into_iter()
            .filter_map(Row::into_notification)
            .collect(),
        total,
    ))
}

pub async fn unread_count(db: &Db, user_id: i64) -> Result<i64, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"
    )
    .bind(user_id)
    .fetch_one(p)
    .await?))
}

/// Marks one of the person's notifications read (`Some(id)`), or all of them; how many changed.
pub async fn mark_read(db: &Db, user_id: i64, id: Option<i64>, now: i64) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND read_at IS NULL \
         AND (CAST($2 AS BIGINT) IS NULL OR id = $2)"
    )
    .bind(user_id)
    .bind(id)
    .bind(now)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?)
}

/// The person's choices, kind by kind (kinds they never chose are left out).
pub async fn preferences(db: &Db, user_id: i64) -> Result<Vec<(Kind, Channel)>, AppError> {
    let rows: Vec<(String, String)> = with_db!(db, |p| sqlx::query_as(
        "SELECT kind, channel FROM notification_preferences WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .filter_map(|(k, c)| Some((Kind::parse(&k)?, Channel::parse(&c)?)))
        .collect())
}

pub async fn set_preference(
    tx: &mut Tx,
    user_id: i64,
    kind: Kind,
    channel: Channel,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO notification_preferences (user_id, kind, channel) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, kind) DO UPDATE SET channel = excluded.channel"
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(channel.as_str())
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// People with notifications waiting for the digest, after `after` (by id), `limit` at a time.
pub async fn digest_people(db: &Db, after: i64, limit: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT DISTINCT user_id FROM notifications WHERE digest_pending AND user_id > $1 \
         ORDER BY user_id LIMIT $2"
    )
    .bind(after)
    .bind(limit)
    .fetch_all(p)
    .await?))
}

/// A person's address and the notifications waiting for their digest (oldest first), taken
/// off the digest in the same transaction.
pub async fn take_digest(
    tx: &mut Tx,
    user_id: i64,
) -> Result<(Option<String>, Vec<Notification>), AppError> {
    let (email, rows): (Option<String>, Vec<Row>) = with_tx!(tx, |c| {
        let email =
            sqlx::query_scalar("SELECT email FROM users WHERE id = $1 AND status = 'active'")
                .bind(user_id)
                .fetch_optional(&mut *c)
                .await?;
        let rows = sqlx::query_as(
            "SELECT id, kind, subject, body, link, created_at, read_at FROM notifications \
             WHERE user_id = $1 AND digest_pending ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&mut *c)
        .await?;
        sqlx::query(
            "UPDATE notifications SET digest_pending = FALSE WHERE user_id = $1 AND digest_pending",
        )
        .bind(user_id)
        .execute(&mut *c)
        .await?;
        (email, rows)
    });
    Ok((
        email,
        rows.into_iter()
            .filter_map(Row::into_notification)
            .collect(),
    ))
}
