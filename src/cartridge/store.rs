//! The record of each cartridge imported into a course.

use super::model::{ImportReport, SkippedLine};
use crate::db::{Db, Tx};
use crate::error::{AppError, OrInternal};
use crate::paging::Page;
use crate::{with_db, with_tx};

pub const PER_PAGE: u32 = 20;

/// What an import made, to record.
pub struct NewImport<'a> {
    pub course_id: i64,
    pub imported_by: i64,
    pub file_name: &'a str,
    pub title: &'a str,
    pub version: &'a str,
    pub sections: i64,
    pub items: i64,
    pub questions: i64,
    pub files: i64,
    pub skipped: &'a [SkippedLine],
    pub now: i64,
}

pub async fn insert(tx: &mut Tx, i: &NewImport<'_>) -> Result<i64, AppError> {
    let skipped = serde_json::to_string(i.skipped).or_internal("encoding an import report")?;
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO cartridge_imports (course_id, imported_by, file_name, title, version, sections, items,
                 questions, files, skipped, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(i.course_id)
        .bind(i.imported_by)
        .bind(i.file_name)
        .bind(i.title)
        .bind(i.version)
        .bind(i.sections)
        .bind(i.items)
        .bind(i.questions)
        .bind(i.files)
        .bind(&skipped)
        .bind(i.now)
        .fetch_one(c)
        .await?
    }))
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    file_name: String,
    title: String,
    version: String,
    imported_by: Option<String>,
    created_at: i64,
    sections: i64,
    items: i64,
    questions: i64,
    files: i64,
    skipped: String,
}

impl Row {
    fn report(self) -> Result<ImportReport, AppError> {
        let skipped: Vec<SkippedLine> =
            serde_json::from_str(&self.skipped).or_internal("reading an import report")?;
        Ok(ImportReport {
            id: self.id,
            file_name: self.file_name,
            title: self.title,
            version: self.version,
            imported_by: self.imported_by,
            created_at: self.created_at,
            sections: self.sections,
            items: self.items,
            questions: self.questions,
            files: self.files,
            skipped,
        })
    }
}

/// The course's imports, newest first.
pub async fn list(db: &Db, course_id: i64, page: u32) -> Result<Page<ImportReport>, AppError> {
    let page = page.max(1);
    let offset = crate::db::page_offset(page, PER_PAGE);
    let (rows, total): (Vec<Row>, i64) = with_db!(db, |p| {
        let rows = sqlx::query_as(
            "SELECT i.id, i.file_name, i.title, i.version, u.name AS imported_by, i.created_at, i.sections,
                    i.items, i.questions, i.files, i.skipped
             FROM cartridge_imports i LEFT JOIN users u ON u.id = i.imported_by
             WHERE i.course_id = $1 ORDER BY i.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(course_id)
        .bind(i64::from(PER_PAGE))
        .bind(offset)
        .fetch_all(p)
        .await?;
        let total =
            sqlx::query_scalar("SELECT COUNT(*) FROM cartridge_imports WHERE course_id = $1")
                .bind(course_id)
                .fetch_one(p)
                .await?;
        (rows, total)
    });
    Ok(Page {
        items: rows
            .into_iter()
            .map(Row::report)
            .collect::<Result<_, _>>()?,
        total,
        total_capped: false,
        page,
        per_page: PER_PAGE,
    })
}
