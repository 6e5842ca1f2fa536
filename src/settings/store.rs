//! SQL for the site settings (a key-value table).

use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::{with_db, with_tx};

/// Every stored setting, as key and text.
pub async fn all(db: &Db) -> Result<Vec<(String, String)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT key, value FROM settings"
    )
    .fetch_all(p)
    .await)?)
}

pub async fn put_value(tx: &mut Tx, key: &str, value: &str) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn get_value(db: &Db, key: &str) -> Result<Option<String>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT value FROM settings WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(p)
    .await)?)
}
