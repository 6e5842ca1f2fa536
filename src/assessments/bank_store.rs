//! SQL for the question bank: categories and questions (stored as JSON).

use super::model::{BankQuery, QuestionCategory, QuestionSummary};
use super::question::Question;
use crate::db::{Db, Tx};
use crate::error::{AppError, OrInternal, internal};
use crate::paging::Page;
use crate::{with_db, with_db_write, with_tx};

pub const PER_PAGE: u32 = 25;

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    name: String,
    question_count: i64,
}

pub async fn categories(db: &Db, course_id: i64) -> Result<Vec<QuestionCategory>, AppError> {
    let rows: Vec<CategoryRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT c.id, c.name, (SELECT COUNT(*) FROM questions q WHERE q.category_id = c.id) AS question_count
         FROM question_categories c WHERE c.course_id = $1 ORDER BY LOWER(c.name), c.id LIMIT 1000"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| QuestionCategory {
            id: r.id,
            name: r.name,
            question_count: r.question_count,
        })
        .collect())
}

/// The id of the course's category with this name (ignoring case), if there is one.
pub async fn category_by_name(
    tx: &mut Tx,
    course_id: i64,
    name: &str,
) -> Result<Option<i64>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM question_categories WHERE course_id = $1 AND LOWER(name) = LOWER($2)"
    )
    .bind(course_id)
    .bind(name)
    .fetch_optional(c)
    .await?))
}

pub async fn insert_category(
    tx: &mut Tx,
    course_id: i64,
    name: &str,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO question_categories (course_id, name, created_at) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(course_id)
    .bind(name)
    .bind(now)
    .fetch_one(c)
    .await?
    }))
}

pub async fn rename_category(
    tx: &mut Tx,
    course_id: i64,
    id: i64,
    name: &str,
) -> Result<u64, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query(
        "UPDATE question_categories SET name = $3 WHERE course_id = $1 AND id = $2"
    )
    .bind(course_id)
    .bind(id)
    .bind(name)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?))
}

pub async fn category_in_use(db: &Db, id: i64) -> Result<bool, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM questions WHERE category_id = $1)
             OR EXISTS (SELECT 1 FROM quiz_slots WHERE category_id = $1)"
    )
    .bind(id)
    .fetch_one(p)
    .await?))
}

pub async fn delete_category(db: &Db, course_id: i64, id: i64) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "DELETE FROM question_categories WHERE course_id = $1 AND id = $2"
    )
    .bind(course_id)
    .bind(id)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?))
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    category_id: i64,
    category: String,
    name: String,
    qtype: String,
    updated_at: i64,
    used_in: i64,
}

pub async fn list(
    db: &Db,
    course_id: i64,
    query: &BankQuery,
) -> Result<Page<QuestionSummary>, AppError> {
    let page = query.page.max(1);
    let offset = crate::db::page_offset(page, PER_PAGE);
    let pattern = crate::db::like_pattern(&query.search);
    let search = !query.search.trim().is_empty();
    macro_rules! filters {
        ($qb:expr) => {{
            $qb.push(" WHERE q.course_id = ").push_bind(course_id);
            if let Some(category) = query.category_id {
                $qb.push(" AND q.category_id = ").push_bind(category);
            }
            if search {
                $qb.push(" AND LOWER(q.name) LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\'");
            }
        }};
    }
    let (rows, total): (Vec<SummaryRow>, i64) = with_db!(db, |p| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT q.id, q.category_id, c.name AS category, q.name, q.qtype, q.updated_at,
                    (SELECT COUNT(DISTINCT s.item_id) FROM quiz_slots s WHERE s.question_id = q.id) AS used_in
             FROM questions q JOIN question_categories c ON c.id = q.category_id",
        );
        filters!(qb);
        qb.push(" ORDER BY LOWER(q.name), q.id LIMIT ")
            .push_bind(i64::from(PER_PAGE))
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = qb.build_query_as().fetch_all(p).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM questions q");
        filters!(count);
        (rows, count.build_query_scalar().fetch_one(p).await?)
    });
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| QuestionSummary {
                id: r.id,
                category_id: r.category_id,
                category: r.category,
                name: r.name,
                type_label: type_label(&r.qtype).to_string(),
                updated_at: r.updated_at,
                used_in: r.used_in,
            })
            .collect(),
        total,
        total_capped: false,
        page,
        per_page: PER_PAGE,
    })
}

/// The stored type key's label (the key is `QuestionBody`'s serde tag).
fn type_label(qtype: &str) -> &'static str {
    super::model::QUESTION_TYPES
        .iter()
        .find(|(key, _)| *key == qtype)
        .map(|(_, label)| *label)
        .unwrap_or("Question")
}

#[derive(sqlx::FromRow)]
pub struct QuestionRow {
    pub id: i64,
    pub category_id: i64,
    pub data: String,
    pub version: i32,
}

impl QuestionRow {
    pub fn question(&self) -> Result<Question, AppError> {
        serde_json::from_str(&self.data).map_err(|e| {
            internal(
                "a stored question does not parse",
                format_args!("question {}: {e}", self.id),
            )
        })
    }
}

pub async fn find(db: &Db, course_id: i64, id: i64) -> Result<Option<QuestionRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT id, category_id, data, version FROM questions WHERE course_id = $1 AND id = $2"
    )
    .bind(course_id)
    .bind(id)
    .fetch_optional(p)
    .await?))
}

/// Questions of a course by id, in one query.
pub async fn find_many(db: &Db, course_id: i64, ids: &[i64]) -> Result<Vec<QuestionRow>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(with_db!(db, |p| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT id, category_id, data, version FROM questions WHERE course_id = ",
        );
        qb.push_bind(course_id).push(" AND id IN (");
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(p).await?
    }))
}

/// Every question of some categories (for random draws and exports), oldest first.
pub async fn in_categories(
    db: &Db,
    course_id: i64,
    categories: &[i64],
) -> Result<Vec<QuestionRow>, AppError> {
    if categories.is_empty() {
        return Ok(Vec::new());
    }
    Ok(with_db!(db, |p| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT id, category_id, data, version FROM questions WHERE course_id = ",
        );
        qb.push_bind(course_id).push(" AND category_id IN (");
        let mut sep = qb.separated(", ");
        for id in categories {
            sep.push_bind(*id);
        }
        qb.push(") ORDER BY category_id, id LIMIT 20000");
        qb.build_query_as().fetch_all(p).await?
    }))
}

pub async fn insert(
    tx: &mut Tx,
    course_id: i64,
    category_id: i64,
    question: &Question,
    author: i64,
    now: i64,
) -> Result<i64, AppError> {
    let data = serde_json::to_string(question).or_internal("encoding a question")?;
    let qtype = question.body.type_key();
    Ok(with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO questions (course_id, category_id, qtype, name, data, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id"
    )
    .bind(course_id)
    .bind(category_id)
    .bind(qtype)
    .bind(&question.name)
    .bind(data)
    .bind(author)
    .bind(now)
    .fetch_one(c)
    .await?
    }))
}

/// Saves a new version if the stored one is still `version`; returns whether it did.
pub async fn update(
    tx: &mut Tx,
    course_id: i64,
    id: i64,
    category_id: i64,
    question: &Question,
    version: i32,
    now: i64,
) -> Result<bool, AppError> {
    let data = serde_json::to_string(question).or_internal("encoding a question")?;
    let qtype = question.body.type_key();
    let changed = with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE questions SET category_id = $3, qtype = $4, name = $5, data = $6, version = version + 1, updated_at = $7
         WHERE course_id = $1 AND id = $2 AND version = $8"
    )
    .bind(course_id)
    .bind(id)
    .bind(category_id)
    .bind(qtype)
    .bind(&question.name)
    .bind(data)
    .bind(now)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(changed == 1)
}

/// Titles of the quizzes that use a question by name; a quiz in the recycle bin counts (it may be
/// restored) and says where it is.
pub async fn quizzes_using(db: &Db, question_id: i64) -> Result<Vec<String>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT DISTINCT CASE WHEN i.deleted_at IS NULL THEN i.title ELSE i.title || ' (recently deleted)' END AS title
         FROM quiz_slots s JOIN items i ON i.id = s.item_id
         WHERE s.question_id = $1 ORDER BY title LIMIT 20"
    )
    .bind(question_id)
    .fetch_all(p)
    .await?
    }))
}

pub async fn delete(db: &Db, course_id: i64, id: i64) -> Result<u64, AppError> {
    Ok(with_db_write!(db, |p| sqlx::query(
        "DELETE FROM questions WHERE course_id = $1 AND id = $2"
    )
    .bind(course_id)
    .bind(id)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?))
}
