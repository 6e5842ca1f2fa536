//! SQL for courses, categories, sections, items and revisions (both databases); file records
//! are in `files::records`.

use super::model::*;
use crate::db::{Db, Tx};
use crate::error::{AppError, Violation, constraint_error};
use crate::items::kind::ItemKind;
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

// ---- categories ----------------------------------------------------------------------------

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

// ---- sections and items ---------------------------------------------------------------------

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
