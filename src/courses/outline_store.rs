//! SQL for a course's outline (both databases): sections, item rows and their order, item
//! text, and the recycle bin.

use super::model::*;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::items::kind::ItemKind;
use crate::{with_db, with_db_write, with_tx};

#[derive(sqlx::FromRow)]
struct SectionRow {
    id: i64,
    title: String,
    position: i32,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ItemRow {
    id: i64,
    section_id: i64,
    kind: String,
    title: String,
    position: i32,
    required: bool,
    hidden: bool,
    completion: String,
}

impl From<ItemRow> for Item {
    fn from(r: ItemRow) -> Item {
        Item {
            id: r.id,
            section_id: r.section_id,
            kind: ItemKind::parse(&r.kind).unwrap_or(ItemKind::Lesson),
            title: r.title,
            position: r.position,
            required: r.required,
            hidden: r.hidden,
            completion: Completion::parse(&r.completion).unwrap_or(Completion::View),
        }
    }
}

const ITEM_COLUMNS: &str =
    "i.id, i.section_id, i.kind, i.title, i.position, i.required, i.hidden, i.completion";

/// The outline: sections in order, each with its items in order (hidden items only when asked).
pub async fn outline(
    db: &Db,
    course_id: i64,
    include_hidden: bool,
) -> Result<Vec<Section>, AppError> {
    let (sections, items): (Vec<SectionRow>, Vec<ItemRow>) = with_db!(db, |p| {
        let sections = sqlx::query_as(
            "SELECT id, title, position FROM sections WHERE course_id = $1 AND deleted_at IS NULL \
             ORDER BY position, id",
        )
        .bind(course_id)
        .fetch_all(p)
        .await?;
        let items = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM items i WHERE i.course_id = $1 AND ($2 OR NOT i.hidden) \
             AND i.deleted_at IS NULL ORDER BY i.position, i.id"
        )))
        .bind(course_id)
        .bind(include_hidden)
        .fetch_all(p)
        .await?;
        (sections, items)
    });
    let mut out: Vec<Section> = sections
        .into_iter()
        .map(|s| Section {
            id: s.id,
            title: s.title,
            position: s.position,
            items: Vec::new(),
        })
        .collect();
    for item in items {
        if let Some(section) = out.iter_mut().find(|s| s.id == item.section_id) {
            section.items.push(Item::from(item));
        }
    }
    Ok(out)
}

pub async fn insert_section(
    tx: &mut Tx,
    course_id: i64,
    title: &str,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO sections (course_id, title, position, created_at) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(position) + 1, 0) FROM sections WHERE course_id = $1), $3) RETURNING id"
    )
    .bind(course_id)
    .bind(title)
    .bind(now)
    .fetch_one(c)
    .await?
    }))
}

/// The course a section belongs to (not one that was deleted).
pub async fn section_course(db: &Db, section_id: i64) -> Result<Option<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT course_id FROM sections WHERE id = $1 AND deleted_at IS NULL"
    )
    .bind(section_id)
    .fetch_optional(p)
    .await?))
}

pub async fn rename_section(db: &Db, section_id: i64, title: &str) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE sections SET title = $2 WHERE id = $1"
    )
    .bind(section_id)
    .bind(title)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

/// Puts a section's items in the recycle bin and hides the section; returns how many items.
pub async fn bin_section(tx: &mut Tx, section_id: i64, by: i64, now: i64) -> Result<u64, AppError> {
    let by = if by > 0 { Some(by) } else { None };
    Ok(with_tx!(tx, |c| {
        let items = sqlx::query(
            "UPDATE items SET deleted_at = $2, deleted_by = $3 WHERE section_id = $1 AND deleted_at IS NULL",
        )
        .bind(section_id)
        .bind(now)
        .bind(by)
        .execute(&mut *c)
        .await?
        .rows_affected();
        sqlx::query("UPDATE sections SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL")
            .bind(section_id)
            .bind(now)
            .execute(&mut *c)
            .await?;
        items
    }))
}

/// Removes for good the sections deleted before `before` that no longer hold any item (the
/// purge has taken their last one). Returns how many.
pub async fn purge_empty_sections(db: &Db, before: i64) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "DELETE FROM sections WHERE deleted_at IS NOT NULL AND deleted_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM items i WHERE i.section_id = sections.id)"
    )
    .bind(before)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?))
}

/// Section ids of a course in order.
pub async fn section_ids(tx: &mut Tx, course_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM sections WHERE course_id = $1 AND deleted_at IS NULL ORDER BY position, id"
    )
    .bind(course_id)
    .fetch_all(c)
    .await?))
}

pub async fn set_section_position(
    tx: &mut Tx,
    section_id: i64,
    position: i32,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE sections SET position = $2 WHERE id = $1"
    )
    .bind(section_id)
    .bind(position)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

/// Item ids of a section in order (not those in the recycle bin: positions count what is shown).
pub async fn item_ids(tx: &mut Tx, section_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM items WHERE section_id = $1 AND deleted_at IS NULL ORDER BY position, id"
    )
    .bind(section_id)
    .fetch_all(c)
    .await?))
}

/// Every item of a course with its kind, the recycle bin's too (for work on all of a learner's
/// items, such as a reset for a new certification cycle).
pub async fn item_kinds(
    tx: &mut Tx,
    course_id: i64,
) -> Result<Vec<(i64, crate::items::kind::ItemKind)>, AppError> {
    let rows: Vec<(i64, String)> = with_tx!(tx, |c| sqlx::query_as(
        "SELECT id, kind FROM items WHERE course_id = $1 ORDER BY id"
    )
    .bind(course_id)
    .fetch_all(c)
    .await?);
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind)| Some((id, crate::items::kind::ItemKind::parse(&kind)?)))
        .collect())
}

pub async fn place_item(
    tx: &mut Tx,
    item_id: i64,
    section_id: i64,
    position: i32,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE items SET section_id = $2, position = $3 WHERE id = $1"
    )
    .bind(item_id)
    .bind(section_id)
    .bind(position)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

pub async fn insert_item(
    tx: &mut Tx,
    course_id: i64,
    section_id: i64,
    f: &ItemFields,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO items (course_id, section_id, kind, title, position, required, hidden, completion, body, url, \
         file_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position) + 1, 0) FROM items WHERE section_id = $2), \
         $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id"
    )
    .bind(course_id)
    .bind(section_id)
    .bind(f.kind.as_str())
    .bind(&f.title)
    .bind(f.required)
    .bind(f.hidden)
    .bind(f.completion.as_str())
    .bind(&f.body)
    .bind(f.url.clone())
    .bind(f.file_id)
    .bind(now)
    .fetch_one(c)
    .await?
    }))
}

pub async fn update_item(
    tx: &mut Tx,
    item_id: i64,
    f: &ItemFields,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE items SET kind = $2, title = $3, required = $4, hidden = $5, completion = $6, body = $7, url = $8, \
         file_id = $9, updated_at = $10 WHERE id = $1"
    )
    .bind(item_id)
    .bind(f.kind.as_str())
    .bind(&f.title)
    .bind(f.required)
    .bind(f.hidden)
    .bind(f.completion.as_str())
    .bind(&f.body)
    .bind(f.url.clone())
    .bind(f.file_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// A new title and text for an item (a lesson revision restored).
pub async fn set_item_text(
    tx: &mut Tx,
    item_id: i64,
    title: &str,
    body: &str,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query("UPDATE items SET title = $2, body = $3, updated_at = $4 WHERE id = $1")
            .bind(item_id)
            .bind(title)
            .bind(body)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Deletes an item for good, with its kind's rows (by cascade): the recycle bin's purge.
pub async fn delete_item(db: &Db, item_id: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query("DELETE FROM items WHERE id = $1")
        .bind(item_id)
        .execute(p)
        .await
        .map(|r| r.rows_affected())?);
    Ok(())
}

/// Puts an item in the recycle bin; false when it was there already.
pub async fn bin_item(tx: &mut Tx, item_id: i64, by: i64, now: i64) -> Result<bool, AppError> {
    let changed = with_tx!(tx, |c| sqlx::query(
        "UPDATE items SET deleted_at = $2, deleted_by = $3 WHERE id = $1 AND deleted_at IS NULL"
    )
    .bind(item_id)
    .bind(now)
    .bind(if by > 0 { Some(by) } else { None })
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(changed == 1)
}

/// Takes an item out of the recycle bin, where it was in its section (which comes back too if it
/// was deleted); false when it was not there.
pub async fn unbin_item(tx: &mut Tx, item_id: i64) -> Result<bool, AppError> {
    let changed = with_tx!(tx, |c| {
        let changed = sqlx::query(
            "UPDATE items SET deleted_at = NULL, deleted_by = NULL WHERE id = $1 AND deleted_at IS NOT NULL",
        )
        .bind(item_id)
        .execute(&mut *c)
        .await?
        .rows_affected();
        sqlx::query(
            "UPDATE sections SET deleted_at = NULL \
             WHERE id = (SELECT section_id FROM items WHERE id = $1) AND deleted_at IS NOT NULL",
        )
        .bind(item_id)
        .execute(&mut *c)
        .await?;
        changed
    });
    Ok(changed == 1)
}

#[derive(sqlx::FromRow)]
struct BinRow {
    course_id: i64,
    #[sqlx(flatten)]
    item: ItemRow,
    section_title: String,
    deleted_at: i64,
    deleted_by: Option<String>,
}

impl BinRow {
    fn into_deleted(self) -> (i64, DeletedItem) {
        let item = Item::from(self.item);
        (
            self.course_id,
            DeletedItem {
                id: item.id,
                kind: item.kind,
                title: item.title,
                section_title: self.section_title,
                deleted_at: self.deleted_at,
                deleted_by: self.deleted_by,
            },
        )
    }
}

const BIN_SELECT: &str = "SELECT i.course_id, i.id, i.section_id, i.kind, i.title, i.position, i.required, \
     i.hidden, i.completion, s.title AS section_title, i.deleted_at, u.name AS deleted_by \
     FROM items i JOIN sections s ON s.id = i.section_id LEFT JOIN users u ON u.id = i.deleted_by";

/// A course's recycle bin, most recently deleted first.
pub async fn deleted_items(db: &Db, course_id: i64) -> Result<Vec<DeletedItem>, AppError> {
    let rows: Vec<BinRow> = with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{BIN_SELECT} WHERE i.course_id = $1 AND i.deleted_at IS NOT NULL \
         ORDER BY i.deleted_at DESC, i.id DESC LIMIT 500"
    )))
    .bind(course_id)
    .fetch_all(p)
    .await?);
    Ok(rows.into_iter().map(|r| r.into_deleted().1).collect())
}

/// The course of an item, in the recycle bin or not.
pub async fn item_course(db: &Db, item_id: i64) -> Result<Option<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT course_id FROM items WHERE id = $1"
    )
    .bind(item_id)
    .fetch_optional(p)
    .await?))
}

/// One item in the recycle bin, with its course.
pub async fn find_deleted_item(
    db: &Db,
    item_id: i64,
) -> Result<Option<(i64, DeletedItem)>, AppError> {
    let row: Option<BinRow> = with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{BIN_SELECT} WHERE i.id = $1 AND i.deleted_at IS NOT NULL"
    )))
    .bind(item_id)
    .fetch_optional(p)
    .await?);
    Ok(row.map(BinRow::into_deleted))
}

/// Items deleted before `before`, across courses, oldest first: what the purge removes.
pub async fn binned_before(
    db: &Db,
    before: i64,
    limit: i64,
) -> Result<Vec<(i64, DeletedItem)>, AppError> {
    let rows: Vec<BinRow> = with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{BIN_SELECT} WHERE i.deleted_at IS NOT NULL AND i.deleted_at < $1 \
         ORDER BY i.deleted_at, i.id LIMIT $2"
    )))
    .bind(before)
    .bind(limit)
    .fetch_all(p)
    .await?);
    Ok(rows.into_iter().map(BinRow::into_deleted).collect())
}

#[derive(sqlx::FromRow)]
pub struct ItemContentRow {
    pub course_id: i64,
    #[sqlx(flatten)]
    item: ItemRow,
    pub body: String,
    pub url: Option<String>,
    pub file_id: Option<i64>,
}

/// One item with its content and the course it belongs to (`None` once it is in the recycle
/// bin: a deleted item does not exist for anyone until it is restored).
pub async fn find_item(
    db: &Db,
    item_id: i64,
) -> Result<Option<(i64, Item, String, Option<String>, Option<i64>)>, AppError> {
    let row: Option<ItemContentRow> = with_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT i.course_id, {ITEM_COLUMNS}, i.body, i.url, i.file_id FROM items i \
         WHERE i.id = $1 AND i.deleted_at IS NULL"
        )))
        .bind(item_id)
        .fetch_optional(p)
        .await?
    });
    Ok(row.map(|r| (r.course_id, Item::from(r.item), r.body, r.url, r.file_id)))
}

/// Every item's content (body, address, file) in a course, by item id: what a copy carries.
pub async fn item_contents(
    db: &Db,
    course_id: i64,
) -> Result<std::collections::HashMap<i64, (String, Option<String>, Option<i64>)>, AppError> {
    let rows: Vec<(i64, String, Option<String>, Option<i64>)> = with_db!(db, |p| {
        sqlx::query_as("SELECT id, body, url, file_id FROM items WHERE course_id = $1")
            .bind(course_id)
            .fetch_all(p)
            .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, body, url, file_id)| (id, (body, url, file_id)))
        .collect())
}
