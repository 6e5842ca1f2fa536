//! SQL for courses, their prerequisites and the catalogue (both databases). Categories are in
//! `category_store`, sections and items in `outline_store`, file records in `files::records`.

use super::model::*;
use crate::db::{Db, Tx};
use crate::error::{AppError, Violation, constraint_error};
use crate::paging::Page;
use crate::{with_db, with_db_write, with_tx};

const COURSE_COLUMNS: &str = "c.id, c.code, c.title, c.summary, c.description, c.category_id, \
    cat.name AS category, c.cover_file_id, c.starts_at, c.ends_at, c.state, c.owner_id, o.name AS owner_name, \
    c.review_by, c.self_enrol, c.enrol_key, c.needs_approval, c.capacity, c.created_at, c.updated_at, \
    (SELECT string_agg(t.tag, ',' ORDER BY t.tag) FROM course_tags t WHERE t.course_id = c.id) AS tags \
    FROM courses c LEFT JOIN categories cat ON cat.id = c.category_id LEFT JOIN users o ON o.id = c.owner_id";

#[derive(sqlx::FromRow)]
struct CourseRow {
    id: i64,
    code: String,
    title: String,
    summary: String,
    description: String,
    category_id: Option<i64>,
    category: Option<String>,
    cover_file_id: Option<i64>,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
    state: String,
    owner_id: Option<i64>,
    owner_name: Option<String>,
    review_by: Option<i64>,
    self_enrol: bool,
    enrol_key: Option<String>,
    needs_approval: bool,
    capacity: Option<i32>,
    created_at: i64,
    updated_at: i64,
    tags: Option<String>,
}

fn split_tags(tags: Option<String>) -> Vec<String> {
    tags.map(|t| t.split(',').map(str::to_string).collect())
        .unwrap_or_default()
}

impl From<CourseRow> for Course {
    fn from(r: CourseRow) -> Course {
        Course {
            id: r.id,
            code: r.code,
            title: r.title,
            summary: r.summary,
            description: r.description,
            category_id: r.category_id,
            category: r.category,
            cover_file_id: r.cover_file_id,
            tags: split_tags(r.tags),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            state: CourseState::parse(&r.state).unwrap_or(CourseState::Draft),
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            review_by: r.review_by,
            enrolment: EnrolmentSettings {
                self_enrol: r.self_enrol,
                enrol_key: r.enrol_key,
                needs_approval: r.needs_approval,
                capacity: r.capacity,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Course codes are unique whatever their case (`courses_code_idx`); the category, checked
/// before the write, may have been deleted since.
fn course_conflict(e: sqlx::Error) -> AppError {
    constraint_error(
        e,
        [
            (
                Violation::Unique("courses_code_idx"),
                AppError::invalid("code", "Another course already uses this code."),
            ),
            (
                Violation::ForeignKey("courses_category_id_fkey"),
                AppError::invalid("category_id", "Choose a category from the list."),
            ),
        ],
    )
}

pub async fn find(db: &Db, id: i64) -> Result<Option<Course>, AppError> {
    let row: Option<CourseRow> = with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COURSE_COLUMNS} WHERE c.id = $1"
    )))
    .bind(id)
    .fetch_optional(p)
    .await?);
    Ok(row.map(Course::from))
}

pub async fn find_in_tx(tx: &mut Tx, id: i64) -> Result<Option<Course>, AppError> {
    let row: Option<CourseRow> = with_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COURSE_COLUMNS} WHERE c.id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await?);
    Ok(row.map(Course::from))
}

pub async fn insert(
    tx: &mut Tx,
    fields: &CourseFields,
    owner_id: i64,
    now: i64,
) -> Result<i64, AppError> {
    let id: i64 = with_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO courses (code, title, summary, description, category_id, starts_at, ends_at, owner_id, \
         review_by, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $10, $10) RETURNING id"
    )
    .bind(fields.code.as_str())
    .bind(&fields.title)
    .bind(&fields.summary)
    .bind(&fields.description)
    .bind(fields.category_id)
    .bind(fields.starts_at)
    .bind(fields.ends_at)
    .bind(owner_id)
    .bind(fields.review_by)
    .bind(now)
    .fetch_one(c)
    .await
    .map_err(course_conflict)?
    });
    set_tags(tx, id, &fields.tags).await?;
    Ok(id)
}

pub async fn update(tx: &mut Tx, id: i64, fields: &CourseFields, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE courses SET code = $2, title = $3, summary = $4, description = $5, category_id = $6, \
         starts_at = $7, ends_at = $8, review_by = $9, updated_at = $10 WHERE id = $1"
    )
    .bind(id)
    .bind(fields.code.as_str())
    .bind(&fields.title)
    .bind(&fields.summary)
    .bind(&fields.description)
    .bind(fields.category_id)
    .bind(fields.starts_at)
    .bind(fields.ends_at)
    .bind(fields.review_by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .map_err(course_conflict)?
    });
    set_tags(tx, id, &fields.tags).await
}

async fn set_tags(tx: &mut Tx, course_id: i64, tags: &[String]) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM course_tags WHERE course_id = $1"
    )
    .bind(course_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    if tags.is_empty() {
        return Ok(());
    }
    with_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new("INSERT INTO course_tags (course_id, tag) ");
        qb.push_values(tags, |mut row, tag| {
            row.push_bind(course_id).push_bind(tag.clone());
        });
        qb.build().execute(c).await.map(|r| r.rows_affected())?
    });
    Ok(())
}

pub async fn set_state(tx: &mut Tx, id: i64, state: CourseState, now: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE courses SET state = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(state.as_str())
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

pub async fn set_owner(tx: &mut Tx, id: i64, owner_id: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE courses SET owner_id = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(owner_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

pub async fn set_cover(db: &Db, id: i64, file_id: Option<i64>) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "UPDATE courses SET cover_file_id = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(file_id)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

pub async fn set_enrolment_settings(
    tx: &mut Tx,
    id: i64,
    s: &EnrolmentSettings,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE courses SET self_enrol = $2, enrol_key = $3, needs_approval = $4, capacity = $5, updated_at = $6 \
         WHERE id = $1"
    )
    .bind(id)
    .bind(s.self_enrol)
    .bind(s.enrol_key.clone())
    .bind(s.needs_approval)
    .bind(s.capacity)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

// ---- prerequisites -------------------------------------------------------------------------

pub async fn set_prerequisites(
    tx: &mut Tx,
    course_id: i64,
    required: &[i64],
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM course_prerequisites WHERE course_id = $1"
    )
    .bind(course_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    if required.is_empty() {
        return Ok(());
    }
    with_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new(
            "INSERT INTO course_prerequisites (course_id, required_course_id) ",
        );
        qb.push_values(required, |mut row, id| {
            row.push_bind(course_id).push_bind(*id);
        });
        qb.build().execute(c).await.map(|r| r.rows_affected())?
    });
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CardRow {
    id: i64,
    code: String,
    title: String,
    summary: String,
    state: String,
    category: Option<String>,
    tags: Option<String>,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
    cover_file_id: Option<i64>,
}

impl From<CardRow> for CourseCard {
    fn from(r: CardRow) -> CourseCard {
        CourseCard {
            id: r.id,
            code: r.code,
            title: r.title,
            summary: r.summary,
            state: CourseState::parse(&r.state).unwrap_or(CourseState::Draft),
            category: r.category,
            tags: split_tags(r.tags),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            cover_file_id: r.cover_file_id,
        }
    }
}

const CARD_COLUMNS: &str = "c.id, c.code, c.title, c.summary, c.state, cat.name AS category, \
    (SELECT string_agg(t.tag, ',' ORDER BY t.tag) FROM course_tags t WHERE t.course_id = c.id) AS tags, \
    c.starts_at, c.ends_at, c.cover_file_id FROM courses c LEFT JOIN categories cat ON cat.id = c.category_id";

pub async fn prerequisites(db: &Db, course_id: i64) -> Result<Vec<CourseCard>, AppError> {
    let rows: Vec<CardRow> = with_db!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CARD_COLUMNS} JOIN course_prerequisites cp ON cp.required_course_id = c.id \
         WHERE cp.course_id = $1 ORDER BY c.title"
    )))
    .bind(course_id)
    .fetch_all(p)
    .await?);
    Ok(rows.into_iter().map(CourseCard::from).collect())
}

/// Prerequisites of `course_id` that `user_id` has not completed.
pub async fn unmet_prerequisites(
    db: &Db,
    course_id: i64,
    user_id: i64,
) -> Result<Vec<CourseCard>, AppError> {
    let rows: Vec<CardRow> = with_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CARD_COLUMNS} JOIN course_prerequisites cp ON cp.required_course_id = c.id \
         WHERE cp.course_id = $1 AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = c.id \
         AND e.user_id = $2 AND e.completed_at IS NOT NULL) ORDER BY c.title"
    )))
    .bind(course_id)
    .bind(user_id)
    .fetch_all(p)
    .await?
    });
    Ok(rows.into_iter().map(CourseCard::from).collect())
}

pub async fn find_ids_by_codes(db: &Db, codes: &[String]) -> Result<Vec<(i64, String)>, AppError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    with_db!(db, |p| {
        let mut qb = sqlx::QueryBuilder::new("SELECT id, code FROM courses WHERE LOWER(code) IN (");
        let mut sep = qb.separated(", ");
        for code in codes {
            sep.push_bind(code.to_lowercase());
        }
        qb.push(")");
        Ok(qb.build_query_as().fetch_all(p).await?)
    })
}

// ---- catalogue -----------------------------------------------------------------------------

use crate::users::store::COUNT_CAP;

/// Courses matching the filters. `states` limits which states are listed (the catalogue shows only
/// published courses; staff lists show all); `member_id` limits to courses that person teaches.
pub async fn search(
    db: &Db,
    query: &CatalogueQuery,
    states: &[CourseState],
    teacher_id: Option<i64>,
) -> Result<Page<CourseCard>, AppError> {
    let search = query.search.trim().to_lowercase();
    let use_fts = matches!(db, Db::Sqlite(_)) && search.chars().count() >= 3;
    let fts_phrase = format!("\"{}\"", search.replace('"', "\"\""));
    let pattern = crate::db::like_pattern(&search);
    let tag = query.tag.trim().to_lowercase();
    let states: Vec<String> = states.iter().map(|s| s.as_str().to_string()).collect();
    let page = query.page();
    let per_page = CatalogueQuery::PER_PAGE;
    let offset = crate::db::page_offset(page, per_page);

    macro_rules! push_filters {
        ($qb:expr) => {{
            $qb.push(" WHERE c.state IN (");
            {
                let mut sep = $qb.separated(", ");
                for s in &states {
                    sep.push_bind(s.clone());
                }
            }
            $qb.push(")");
            if let Some(cat) = query.category_id {
                // The category and everything below it.
                $qb.push(" AND c.category_id IN (WITH RECURSIVE sub(id) AS (SELECT ")
                    .push_bind(cat)
                    .push(" UNION ALL SELECT k.id FROM categories k JOIN sub ON k.parent_id = sub.id) SELECT id FROM sub)");
            }
            if !tag.is_empty() {
                $qb.push(" AND EXISTS (SELECT 1 FROM course_tags ft WHERE ft.course_id = c.id AND ft.tag = ")
                    .push_bind(tag.clone())
                    .push(")");
            }
            if let Some(teacher) = teacher_id {
                // From the person's enrolments (a few rows), not from every course.
                $qb.push(" AND c.id IN (SELECT te.course_id FROM enrolments te WHERE te.user_id = ")
                    .push_bind(teacher)
                    .push(" AND te.role IN ('instructor', 'assistant') AND te.status = 'active')");
            }
            // Matches by title or code, or an exact tag, as one id list the planner can index.
            if use_fts {
                $qb.push(" AND c.id IN (SELECT rowid FROM courses_search WHERE courses_search MATCH ")
                    .push_bind(fts_phrase.clone())
                    .push(" UNION SELECT st.course_id FROM course_tags st WHERE st.tag = ")
                    .push_bind(search.clone())
                    .push(")");
            } else if !search.is_empty() {
                $qb.push(" AND c.id IN (SELECT m.id FROM courses m WHERE LOWER(m.title) LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\' OR LOWER(m.code) LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\' UNION SELECT st.course_id FROM course_tags st WHERE st.tag = ")
                    .push_bind(search.clone())
                    .push(")");
            }
        }};
    }

    let (rows, counted): (Vec<CardRow>, i64) = with_db!(db, |p| {
        let mut list = sqlx::QueryBuilder::new(format!("SELECT {CARD_COLUMNS}"));
        push_filters!(list);
        list.push(" ORDER BY c.title, c.id LIMIT ")
            .push_bind(i64::from(per_page))
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = list.build_query_as().fetch_all(p).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM courses c");
        push_filters!(count);
        count
            .push(" LIMIT ")
            .push_bind(COUNT_CAP + 1)
            .push(") AS matches");
        let counted = count.build_query_scalar().fetch_one(p).await?;
        (rows, counted)
    });
    Ok(Page {
        items: rows.into_iter().map(CourseCard::from).collect(),
        total: counted.min(COUNT_CAP),
        total_capped: counted > COUNT_CAP,
        page,
        per_page,
    })
}

/// Instructors of a course, by name.
pub async fn instructor_names(db: &Db, course_id: i64) -> Result<Vec<String>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT u.name FROM enrolments e JOIN users u ON u.id = e.user_id \
         WHERE e.course_id = $1 AND e.role = 'instructor' AND e.status = 'active' ORDER BY u.name LIMIT 20"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?
    }))
}

pub async fn reviews_due(
    db: &Db,
    before: i64,
    owner_id: Option<i64>,
) -> Result<Vec<ReviewDue>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        code: String,
        title: String,
        owner_name: Option<String>,
        review_by: i64,
    }
    let rows: Vec<Row> = with_db!(db, |p| sqlx::query_as(
        "SELECT c.id, c.code, c.title, o.name AS owner_name, c.review_by FROM courses c \
         LEFT JOIN users o ON o.id = c.owner_id \
         WHERE c.review_by IS NOT NULL AND c.review_by <= $1 AND c.state <> 'archived' \
         AND ($2 IS NULL OR c.owner_id = $2) ORDER BY c.review_by, c.id LIMIT 200"
    )
    .bind(before)
    .bind(owner_id)
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .map(|r| ReviewDue {
            id: r.id,
            code: r.code,
            title: r.title,
            owner_name: r.owner_name,
            review_by: r.review_by,
        })
        .collect())
}

pub async fn set_cover_in_tx(tx: &mut Tx, id: i64, file_id: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE courses SET cover_file_id = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(file_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}
