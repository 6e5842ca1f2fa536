//! SQL for course categories (both databases).

use super::model::*;
use crate::db::Db;
use crate::error::{AppError, Violation, constraint_error};
use crate::{with_db, with_db_write};

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    course_count: i64,
}

/// Every category, depth-first by name, with its full path.
pub async fn categories(db: &Db) -> Result<Vec<CategoryOption>, AppError> {
    let rows: Vec<CategoryRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT k.id, k.parent_id, k.name, (SELECT COUNT(*) FROM courses c WHERE c.category_id = k.id) AS course_count \
         FROM categories k ORDER BY LOWER(k.name), k.id"
    )
    .fetch_all(p)
    .await?
    });
    let mut out = Vec::with_capacity(rows.len());
    fn walk(
        rows: &[CategoryRow],
        parent: Option<i64>,
        prefix: &str,
        depth: usize,
        out: &mut Vec<CategoryOption>,
    ) {
        if depth > 32 {
            return;
        }
        for r in rows.iter().filter(|r| r.parent_id == parent) {
            let path = if prefix.is_empty() {
                r.name.clone()
            } else {
                format!("{prefix} / {}", r.name)
            };
            out.push(CategoryOption {
                id: r.id,
                path: path.clone(),
                depth,
                parent_id: r.parent_id,
                course_count: r.course_count,
            });
            walk(rows, Some(r.id), &path, depth + 1, out);
        }
    }
    walk(&rows, None, "", 0, &mut out);
    Ok(out)
}

fn category_conflict(e: sqlx::Error) -> AppError {
    constraint_error(
        e,
        [
            (
                Violation::Unique("categories_sibling_name_idx"),
                AppError::invalid("name", "A category with this name already exists here."),
            ),
            (
                Violation::ForeignKey("categories_parent_id_fkey"),
                AppError::invalid("parent_id", "Choose a parent category from the list."),
            ),
        ],
    )
}

pub async fn insert_category(
    db: &Db,
    parent_id: Option<i64>,
    name: &str,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query_scalar(
        "INSERT INTO categories (parent_id, name, created_at) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(parent_id)
    .bind(name)
    .bind(now)
    .fetch_one(p)
    .await
    .map_err(category_conflict)?))
}

pub async fn update_category(
    db: &Db,
    id: i64,
    parent_id: Option<i64>,
    name: &str,
) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "UPDATE categories SET parent_id = $2, name = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(parent_id)
    .bind(name)
    .execute(p)
    .await
    .map(|r| r.rows_affected())
    .map_err(category_conflict)?))
}

pub async fn delete_category(db: &Db, id: i64) -> Result<u64, AppError> {
    // SQLite enforces ON DELETE RESTRICT through a RAISE (SQLITE_CONSTRAINT_TRIGGER), which sqlx
    // does not report as a foreign-key violation, so look for subcategories first.
    let children: i64 = with_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM categories WHERE parent_id = $1"
    )
    .bind(id)
    .fetch_one(p)
    .await?);
    if children > 0 {
        return Err(AppError::Conflict(
            "Move or delete the categories inside it first.".into(),
        ));
    }
    with_db_write!(db, |p| sqlx::query("DELETE FROM categories WHERE id = $1")
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        .map_err(|e| constraint_error(
            e,
            [(
                Violation::ForeignKey("categories_parent_id_fkey"),
                AppError::Conflict("Move or delete the categories inside it first.".into()),
            )],
        )))
}
