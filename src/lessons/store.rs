//! SQL for lesson revisions.

use super::model::Revision;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_tx};

pub async fn insert_revision(
    tx: &mut Tx,
    item_id: i64,
    title: &str,
    body: &str,
    author_id: i64,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO item_revisions (item_id, title, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(item_id)
    .bind(title)
    .bind(body)
    .bind(author_id)
    .bind(now)
    .fetch_one(c)
    .await?
    }))
}

#[derive(sqlx::FromRow)]
struct RevisionRow {
    id: i64,
    title: String,
    author: Option<String>,
    created_at: i64,
    body: String,
}

pub async fn revisions(db: &Db, item_id: i64) -> Result<Vec<Revision>, AppError> {
    let rows: Vec<RevisionRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT r.id, r.title, u.name AS author, r.created_at, '' AS body FROM item_revisions r \
         LEFT JOIN users u ON u.id = r.author_id WHERE r.item_id = $1 ORDER BY r.id DESC LIMIT 200"
    )
    .bind(item_id)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| Revision {
            id: r.id,
            title: r.title,
            author: r.author,
            created_at: r.created_at,
        })
        .collect())
}

/// One revision with its body, if it belongs to `item_id`.
pub async fn revision(
    db: &Db,
    item_id: i64,
    revision_id: i64,
) -> Result<Option<(Revision, String)>, AppError> {
    let row: Option<RevisionRow> = with_db!(db, |p| sqlx::query_as(
        "SELECT r.id, r.title, u.name AS author, r.created_at, r.body FROM item_revisions r \
         LEFT JOIN users u ON u.id = r.author_id WHERE r.item_id = $1 AND r.id = $2"
    )
    .bind(item_id)
    .bind(revision_id)
    .fetch_optional(p)
    .await?);
    Ok(row.map(|r| {
        (
            Revision {
                id: r.id,
                title: r.title,
                author: r.author,
                created_at: r.created_at,
            },
            r.body,
        )
    }))
}
