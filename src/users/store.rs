//! SQL for users and their roles. Shared dialect: runs on SQLite and PostgreSQL.

use super::model::{Email, Role, User, UserName, UserQuery, UserSort, UserStatus};
use crate::db::{Db, Tx};
use crate::error::{AppError, Violation, constraint_error};
use crate::paging::Page;
use crate::{with_db, with_db_write, with_tx};
use sqlx::AssertSqlSafe;

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    status: String,
    created_at: i64,
    last_sign_in_at: Option<i64>,
    roles: Option<String>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> User {
        let mut roles: Vec<Role> = row
            .roles
            .unwrap_or_default()
            .split(',')
            .filter_map(|r| Role::parse(r).ok())
            .collect();
        roles.sort();
        User {
            id: row.id,
            email: row.email,
            name: row.name,
            roles,
            status: UserStatus::parse(&row.status).unwrap_or(UserStatus::Active),
            created_at: row.created_at,
            last_sign_in_at: row.last_sign_in_at,
        }
    }
}

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.status, u.created_at, u.last_sign_in_at, \
     (SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles";

/// Credentials for signing in.
#[derive(sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: Option<String>,
    pub status: String,
}

fn email_taken() -> AppError {
    AppError::invalid(
        "email",
        "An account with this email address already exists.",
    )
}

/// Whether an error is the one for an address another account uses.
pub fn is_email_taken(err: &AppError) -> bool {
    *err == email_taken()
}

/// `users.email` is UNIQUE (PostgreSQL names it `users_email_key`).
fn email_conflict(err: sqlx::Error) -> AppError {
    constraint_error(err, [(Violation::Unique("users_email"), email_taken())])
}

pub async fn insert(
    tx: &mut Tx,
    email: &Email,
    name: &UserName,
    password_hash: Option<&str>,
    now: i64,
) -> Result<i64, AppError> {
    let result: Result<i64, sqlx::Error> = with_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, status, created_at, updated_at) \
         VALUES ($1, $2, $3, 'active', $4, $4) RETURNING id"
    )
    .bind(email.as_str())
    .bind(name.as_str())
    .bind(password_hash)
    .bind(now)
    .fetch_one(c)
    .await);
    result.map_err(email_conflict)
}

pub async fn set_roles(tx: &mut Tx, user_id: i64, roles: &[Role]) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM user_roles WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    for role in roles {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO user_roles (user_id, role) VALUES ($1, $2)"
        )
        .bind(user_id)
        .bind(role.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn find(db: &Db, id: i64) -> Result<Option<User>, AppError> {
    let sql = AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
    ));
    let row: Option<UserRow> =
        with_db!(db, |p| sqlx::query_as(sql).bind(id).fetch_optional(p).await)?;
    Ok(row.map(User::from))
}

/// The account with this (lower-case) email address.
pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<User>, AppError> {
    let sql = AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"
    ));
    let row: Option<UserRow> = with_db!(db, |p| sqlx::query_as(sql)
        .bind(email)
        .fetch_optional(p)
        .await)?;
    Ok(row.map(User::from))
}

/// The ids of the accounts (not deleted) with these addresses, by lower-case address: one query
/// per 500 addresses (a form naming people by email checks them all at once).
pub async fn ids_by_emails(
    db: &Db,
    emails: &[String],
) -> Result<std::collections::HashMap<String, i64>, AppError> {
    let mut found = std::collections::HashMap::new();
    for chunk in emails.chunks(500) {
        let rows: Vec<(String, i64)> = with_db!(db, |p| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT email, id FROM users WHERE status <> 'deleted' AND email IN (",
            );
            let mut sep = qb.separated(", ");
            for email in chunk {
                sep.push_bind(email.to_lowercase());
            }
            qb.push(")");
            qb.build_query_as().fetch_all(p).await
        })?;
        found.extend(rows);
    }
    Ok(found)
}

pub async fn find_in_tx(tx: &mut Tx, id: i64) -> Result<Option<User>, AppError> {
    let sql = AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
    ));
    let row: Option<UserRow> =
        with_tx!(tx, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    Ok(row.map(User::from))
}

/// Live and deleted users with these emails, by email, in a few queries (imports check thousands).
pub async fn find_by_emails_in_tx(
    tx: &mut Tx,
    emails: &[Email],
) -> Result<std::collections::HashMap<String, User>, AppError> {
    let mut found = std::collections::HashMap::new();
    for chunk in emails.chunks(1000) {
        let rows: Vec<UserRow> = with_tx!(tx, |c| {
            let mut query = sqlx::QueryBuilder::new(format!(
                "SELECT {USER_COLUMNS} FROM users u WHERE u.email IN ("
            ));
            let mut list = query.separated(", ");
            for email in chunk {
                list.push_bind(email.as_str().to_string());
            }
            list.push_unseparated(")");
            query.build_query_as().fetch_all(c).await
        })?;
        found.extend(
            rows.into_iter()
                .map(|row| (row.email.clone(), User::from(row))),
        );
    }
    Ok(found)
}

pub async fn credentials(db: &Db, email: &str) -> Result<Option<Credentials>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT id, password_hash, status FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_optional(p)
    .await)?)
}

pub async fn password_hash(db: &Db, id: i64) -> Result<Option<String>, AppError> {
    let hash: Option<Option<String>> = with_db!(db, |p| sqlx::query_scalar(
        "SELECT password_hash FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)?;
    Ok(hash.flatten())
}

/// Counting stops here: an exact count of a broad filter would read the whole table.
pub const COUNT_CAP: i64 = 10_000;

/// One page of users. The WHERE clause holds only the active filters, so each database can use its
/// indexes (FTS5 trigram on SQLite, pg_trgm on PostgreSQL); values are always bound, and the ORDER BY
/// comes from a closed enum, never from user input.
pub async fn list(db: &Db, query: &UserQuery) -> Result<Page<User>, AppError> {
    let dir = if query.descending { "DESC" } else { "ASC" };
    let order = match query.sort {
        UserSort::Name => format!("u.name {dir}, u.id {dir}"),
        UserSort::Email => format!("u.email {dir}"),
        UserSort::Created => format!("u.created_at {dir}, u.id {dir}"),
        UserSort::LastSignIn => format!("COALESCE(u.last_sign_in_at, 0) {dir}, u.id {dir}"),
    };
    let search = query.search.trim().to_lowercase();
    // The trigram index needs at least three characters; shorter searches scan.
    let use_fts = matches!(db, Db::Sqlite(_)) && search.chars().count() >= 3;
    let fts_phrase = format!("\"{}\"", search.replace('"', "\"\""));
    let pattern = crate::db::like_pattern(&search);
    let role = query.role.map(|r| r.as_str().to_string());
    let status = query.status.map(|s| s.as_str().to_string());
    let per_page = query.per_page();
    let page = query.page();
    let offset = crate::db::page_offset(page, per_page);

    macro_rules! push_filters {
        ($qb:expr) => {{
            match &status {
                Some(s) => $qb.push(" WHERE u.status = ").push_bind(s.clone()),
                None => $qb.push(" WHERE u.status <> 'deleted'"),
            };
            if let Some(r) = &role {
                $qb.push(" AND EXISTS (SELECT 1 FROM user_roles fr WHERE fr.user_id = u.id AND fr.role = ")
                    .push_bind(r.clone())
                    .push(")");
            }
            if use_fts {
                $qb.push(" AND u.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ")
                    .push_bind(fts_phrase.clone())
                    .push(")");
            } else if !search.is_empty() {
                $qb.push(" AND (LOWER(u.name) LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\' OR u.email LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\')");
            }
        }};
    }

    let (rows, counted): (Vec<UserRow>, i64) = with_db!(db, |p| {
        let mut list = sqlx::QueryBuilder::new(format!("SELECT {USER_COLUMNS} FROM users u"));
        push_filters!(list);
        list.push(format!(" ORDER BY {order} LIMIT "))
            .push_bind(i64::from(per_page))
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = list.build_query_as().fetch_all(p).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM users u");
        push_filters!(count);
        count
            .push(" LIMIT ")
            .push_bind(COUNT_CAP + 1)
            .push(") AS matches");
        let counted = count.build_query_scalar().fetch_one(p).await?;
        (rows, counted)
    });
    Ok(Page {
        items: rows.into_iter().map(User::from).collect(),
        total: counted.min(COUNT_CAP),
        total_capped: counted > COUNT_CAP,
        page,
        per_page,
    })
}

/// Users after `after_id`, by id: for cursor pagination and exports that must not hold everything in memory.
pub async fn list_after(db: &Db, after_id: i64, limit: i64) -> Result<Vec<User>, AppError> {
    let sql = AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.id > $1 AND u.status <> 'deleted' ORDER BY u.id LIMIT $2"
    ));
    let rows: Vec<UserRow> = with_db_write!(db, |p| sqlx::query_as(sql)
        .bind(after_id)
        .bind(limit)
        .fetch_all(p)
        .await)?;
    Ok(rows.into_iter().map(User::from).collect())
}

pub async fn update_profile(
    tx: &mut Tx,
    id: i64,
    email: &Email,
    name: &UserName,
    now: i64,
) -> Result<(), AppError> {
    let result = with_tx!(tx, |c| sqlx::query(
        "UPDATE users SET email = $1, name = $2, updated_at = $3 WHERE id = $4"
    )
    .bind(email.as_str())
    .bind(name.as_str())
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()));
    result.map(|_| ()).map_err(email_conflict)
}

pub async fn update_name(tx: &mut Tx, id: i64, name: &UserName, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE users SET name = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(name.as_str())
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: UserStatus,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE users SET status = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(status.as_str())
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_password(
    tx: &mut Tx,
    id: i64,
    password_hash: &str,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(password_hash)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The name a deleted account has instead of the person's.
pub const DELETED_NAME: &str = "Deleted user";

/// Removes personal data but keeps the row, so records that point at it stay intact. Returns the
/// address and name that now stand for the person.
pub async fn anonymise(tx: &mut Tx, id: i64, now: i64) -> Result<(String, String), AppError> {
    let email = format!("deleted-{id}@deleted.invalid");
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE users SET email = $1, name = $2, password_hash = NULL, status = 'deleted', updated_at = $3 WHERE id = $4"
    )
    .bind(&email)
    .bind(DELETED_NAME)
    .bind(now)
    .bind(id)
    .execute(c)
    .await.map(|r| r.rows_affected())
    })?;
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM user_roles WHERE user_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok((email, DELETED_NAME.to_string()))
}

pub async fn record_sign_in(db: &Db, id: i64, now: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE users SET last_sign_in_at = $1 WHERE id = $2"
    )
    .bind(now)
    .bind(id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

const COUNT_ACTIVE_ADMINS: &str = "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id \
     WHERE r.role = 'administrator' AND u.status = 'active'";

pub async fn count_active_admins(db: &Db) -> Result<i64, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(COUNT_ACTIVE_ADMINS)
        .fetch_one(p)
        .await)?)
}

pub async fn count_active_admins_in_tx(tx: &mut Tx) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(COUNT_ACTIVE_ADMINS)
        .fetch_one(c)
        .await)?)
}

/// The time zone a person chose (empty: the site's).
pub async fn time_zone(db: &Db, id: i64) -> Result<String, AppError> {
    let zone: Option<String> = with_db!(db, |p| sqlx::query_scalar(
        "SELECT time_zone FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await?);
    Ok(zone.unwrap_or_default())
}

pub async fn set_time_zone(db: &Db, id: i64, zone: &str, now: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE users SET time_zone = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(zone)
    .bind(now)
    .bind(id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(crate::db::like_pattern(" 50%_Off "), "%50\\%\\_off%");
    }
}
