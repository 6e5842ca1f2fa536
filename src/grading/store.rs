//! SQL for the gradebook: categories, items, grades with versions and history, course totals.

use super::rules::{CategoryRule, ItemScore};
use crate::db::{Db, Tx};
use crate::error::{AppError, Violation, constraint_error};
use crate::items::kind::ItemKind;
use crate::{with_db, with_db_write, with_tx};

#[derive(sqlx::FromRow, Debug, Clone, PartialEq)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub weight: f64,
    pub drop_lowest: i32,
}

impl CategoryRow {
    pub fn rule(&self) -> CategoryRule {
        CategoryRule {
            id: self.id,
            weight: self.weight,
            drop_lowest: self.drop_lowest.max(0) as u32,
        }
    }
}

pub async fn categories(db: &Db, course_id: i64) -> Result<Vec<CategoryRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT id, name, weight, drop_lowest FROM grade_categories WHERE course_id = $1 ORDER BY LOWER(name), id LIMIT 200"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?
    }))
}

/// The course a category belongs to.
pub async fn category_course(db: &Db, category_id: i64) -> Result<Option<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT course_id FROM grade_categories WHERE id = $1"
    )
    .bind(category_id)
    .fetch_optional(p)
    .await?))
}

pub async fn update_category(
    db: &Db,
    id: i64,
    name: &str,
    weight: f64,
    drop_lowest: i32,
) -> Result<(), AppError> {
    let result: Result<u64, sqlx::Error> = with_db_write!(db, |p| sqlx::query(
        "UPDATE grade_categories SET name = $2, weight = $3, drop_lowest = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(name)
    .bind(weight)
    .bind(drop_lowest)
    .execute(p)
    .await
    .map(|r| r.rows_affected()));
    result.map(|_| ()).map_err(category_name_taken)
}

/// Category names are unique in a course whatever their case (`grade_categories_name_idx`).
fn category_name_taken(e: sqlx::Error) -> AppError {
    constraint_error(
        e,
        [(
            Violation::Unique("grade_categories_name_idx"),
            AppError::invalid("name", "There is already a category with this name."),
        )],
    )
}

/// Deletes a category; its items become uncategorised (ON DELETE SET NULL).
pub async fn delete_category(db: &Db, id: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "DELETE FROM grade_categories WHERE id = $1"
    )
    .bind(id)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

pub async fn insert_category(
    db: &Db,
    course_id: i64,
    name: &str,
    weight: f64,
    drop_lowest: i32,
    now: i64,
) -> Result<i64, AppError> {
    let result: Result<i64, sqlx::Error> = with_db_write!(db, |p| {
        sqlx::query_scalar(
        "INSERT INTO grade_categories (course_id, name, weight, drop_lowest, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(course_id)
    .bind(name)
    .bind(weight)
    .bind(drop_lowest)
    .bind(now)
    .fetch_one(p)
    .await
    });
    result.map_err(category_name_taken)
}

#[derive(sqlx::FromRow, Debug, Clone, PartialEq)]
pub struct ItemRow {
    pub id: i64,
    pub category_id: Option<i64>,
    pub name: String,
    pub max_points: f64,
    pub extra_credit: bool,
    pub source: String,
    pub source_item_id: Option<i64>,
    /// Learners do not see it (yet).
    pub hidden: bool,
}

const ITEM_COLUMNS: &str =
    "id, category_id, name, max_points, extra_credit, source, source_item_id, hidden";

/// A grade item `gi` whose course item (if it has one) is not in the recycle bin: the grades of
/// a deleted quiz or assignment leave the gradebook and its totals until it is restored.
const LIVE_SOURCE: &str = "NOT EXISTS (SELECT 1 FROM items d WHERE d.id = gi.source_item_id AND d.deleted_at IS NOT NULL)";

pub async fn items(db: &Db, course_id: i64) -> Result<Vec<ItemRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM grade_items gi WHERE gi.course_id = $1 AND {LIVE_SOURCE} \
         ORDER BY gi.position, gi.id LIMIT 1000"
        )))
        .bind(course_id)
        .fetch_all(p)
        .await?
    }))
}

/// Quiz-fed items whose marks the quiz's review options do not show learners yet (review of
/// marks "never", or "after the quiz closes" before it closes): learners see them as they see
/// hidden items.
pub async fn quiz_marks_withheld(db: &Db, course_id: i64, now: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT gi.id FROM grade_items gi JOIN quizzes q ON q.item_id = gi.source_item_id
         WHERE gi.course_id = $1 AND gi.source = 'quiz'
           AND NOT (q.review_answers = 'after_submit'
                    OR (q.review_answers = 'after_close' AND q.closes_at IS NOT NULL AND q.closes_at <= $2))"
    )
    .bind(course_id)
    .bind(now)
    .fetch_all(p)
    .await?
    }))
}

pub async fn item(db: &Db, id: i64) -> Result<Option<(i64, ItemRow)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        course_id: i64,
        #[sqlx(flatten)]
        item: ItemRow,
    }
    let row: Option<Row> = with_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT course_id, {ITEM_COLUMNS} FROM grade_items gi WHERE gi.id = $1 AND {LIVE_SOURCE}"
    )))
    .bind(id)
    .fetch_optional(p)
    .await?
    });
    Ok(row.map(|r| (r.course_id, r.item)))
}

pub async fn insert_item(
    db: &Db,
    course_id: i64,
    category_id: Option<i64>,
    name: &str,
    max_points: f64,
    extra_credit: bool,
    now: i64,
) -> Result<i64, AppError> {
    Ok(with_db_write!(db, |p| {
        sqlx::query_scalar(
        "INSERT INTO grade_items (course_id, category_id, name, max_points, extra_credit, source, position, created_at)
         VALUES ($1, $2, $3, $4, $5, 'manual', (SELECT COALESCE(MAX(position), 0) + 1 FROM grade_items WHERE course_id = $1), $6)
         RETURNING id"
    )
    .bind(course_id)
    .bind(category_id)
    .bind(name)
    .bind(max_points)
    .bind(extra_credit)
    .bind(now)
    .fetch_one(p)
    .await?
    }))
}

pub async fn update_item(
    db: &Db,
    id: i64,
    category_id: Option<i64>,
    name: &str,
    max_points: f64,
    extra_credit: bool,
) -> Result<(), AppError> {
    with_db_write!(db, |p| {
        sqlx::query(
        "UPDATE grade_items SET category_id = $2, name = $3, max_points = $4, extra_credit = $5 WHERE id = $1"
    )
    .bind(id)
    .bind(category_id)
    .bind(name)
    .bind(max_points)
    .bind(extra_credit)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Deletes a grade item with its grades and their history.
pub async fn delete_item(db: &Db, id: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query("DELETE FROM grade_items WHERE id = $1")
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected())?);
    Ok(())
}

/// What feeds a grade item that a course item owns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    /// Graded out of the quiz's total marks (its percentage of them), visible from the start.
    Quiz { max_points: f64 },
    /// Graded out of the assignment's points, hidden until the grades are released.
    Assignment { max_points: f64 },
    /// A percentage the item's content reports (a SCORM package's score), visible from the start.
    Reported { kind: ItemKind },
}

/// The grade item a course item feeds, created on first use (named after the item).
pub async fn source_item(
    tx: &mut Tx,
    course_id: i64,
    item_id: i64,
    source: Source,
    now: i64,
) -> Result<i64, AppError> {
    // Looked up first: it exists after the first grade, and this runs on every submit.
    let existing: Option<i64> = with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM grade_items WHERE source_item_id = $1"
    )
    .bind(item_id)
    .fetch_optional(c)
    .await?);
    if let Some(id) = existing {
        return Ok(id);
    }
    let (kind, max_points, hidden) = match source {
        Source::Quiz { max_points } => ("quiz", max_points, false),
        Source::Assignment { max_points } => ("assignment", max_points, true),
        Source::Reported { kind } => (kind.as_str(), 100.0, false),
    };
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO grade_items (course_id, name, max_points, source, source_item_id, hidden, position, created_at)
         SELECT $1, i.title, $3, $4, i.id, $5, (SELECT COALESCE(MAX(position), 0) + 1 FROM grade_items WHERE course_id = $1), $6
         FROM items i WHERE i.id = $2
         ON CONFLICT (source_item_id) WHERE source_item_id IS NOT NULL DO NOTHING"
    )
    .bind(course_id)
    .bind(item_id)
    .bind(max_points)
    .bind(kind)
    .bind(hidden)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM grade_items WHERE source_item_id = $1"
    )
    .bind(item_id)
    .fetch_one(c)
    .await?))
}

/// The grade item a course item feeds, if it has one: its id and whether it is hidden.
pub async fn item_of_source(db: &Db, item_id: i64) -> Result<Option<(i64, bool)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT id, hidden FROM grade_items WHERE source_item_id = $1"
    )
    .bind(item_id)
    .fetch_optional(p)
    .await?))
}

/// The grade item a course item feeds, if it has one: its id and its points possible.
pub async fn source_max(tx: &mut Tx, item_id: i64) -> Result<Option<(i64, f64)>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(
        "SELECT id, max_points FROM grade_items WHERE source_item_id = $1"
    )
    .bind(item_id)
    .fetch_optional(c)
    .await?))
}

/// Multiplies every grade on an item by `factor` (its points possible changed and each grade
/// keeps its percentage), overrides included.
pub async fn rescale_grades(tx: &mut Tx, grade_item_id: i64, factor: f64) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE grades SET points = points * $2, override_points = override_points * $2, version = version + 1
         WHERE grade_item_id = $1"
    )
    .bind(grade_item_id)
    .bind(factor)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Courses whose totals must be computed again (after a migration changed their grades).
pub async fn stale_courses(db: &Db) -> Result<Vec<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT course_id FROM gradebook_stale ORDER BY course_id"
    )
    .fetch_all(p)
    .await?))
}

pub async fn clear_stale(db: &Db, course_id: i64) -> Result<(), AppError> {
    with_db_write!(db, |p| sqlx::query(
        "DELETE FROM gradebook_stale WHERE course_id = $1"
    )
    .bind(course_id)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

/// Changes the points possible of the item a course item feeds (an assignment's settings).
pub async fn set_source_max(tx: &mut Tx, item_id: i64, max_points: f64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE grade_items SET max_points = $2 WHERE source_item_id = $1"
    )
    .bind(item_id)
    .bind(max_points)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(())
}

/// Shows or hides a grade item; true when that changed it.
pub async fn set_hidden(tx: &mut Tx, grade_item_id: i64, hidden: bool) -> Result<bool, AppError> {
    let changed = with_tx!(tx, |c| sqlx::query(
        "UPDATE grade_items SET hidden = $2 WHERE id = $1 AND hidden <> $2"
    )
    .bind(grade_item_id)
    .bind(hidden)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?);
    Ok(changed == 1)
}

/// Learners with a grade on an item (to bring their totals up to date after the item changes).
pub async fn graded_learners(tx: &mut Tx, grade_item_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_scalar(
        "SELECT user_id FROM grades WHERE grade_item_id = $1"
    )
    .bind(grade_item_id)
    .fetch_all(c)
    .await?))
}

#[derive(sqlx::FromRow, Debug, Clone, PartialEq)]
pub struct GradeRow {
    pub grade_item_id: i64,
    pub user_id: i64,
    pub points: Option<f64>,
    pub override_points: Option<f64>,
    pub excused: bool,
    pub feedback: String,
    pub version: i32,
}

impl GradeRow {
    /// What counts: the override when there is one.
    pub fn effective(&self) -> Option<f64> {
        self.override_points.or(self.points)
    }
}

const GRADE_COLUMNS: &str =
    "grade_item_id, user_id, points, override_points, excused, feedback, version";

pub async fn grade(
    tx: &mut Tx,
    grade_item_id: i64,
    user_id: i64,
) -> Result<Option<GradeRow>, AppError> {
    Ok(with_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {GRADE_COLUMNS} FROM grades WHERE grade_item_id = $1 AND user_id = $2")
    ))
    .bind(grade_item_id)
    .bind(user_id)
    .fetch_optional(c)
    .await?))
}

/// Grades of some learners in a course, in one query (the grader table's page).
pub async fn grades_of(
    db: &Db,
    course_id: i64,
    user_ids: &[i64],
) -> Result<Vec<GradeRow>, AppError> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(with_db!(db, |p| {
        let mut qb = sqlx::QueryBuilder::new(format!(
            "SELECT {GRADE_COLUMNS} FROM grades WHERE course_id = "
        ));
        qb.push_bind(course_id).push(" AND user_id IN (");
        let mut sep = qb.separated(", ");
        for id in user_ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(p).await?
    }))
}

/// Sets a source-fed grade (a quiz result), leaving any override alone.
pub async fn set_source_points(
    tx: &mut Tx,
    grade_item_id: i64,
    user_id: i64,
    course_id: i64,
    points: Option<f64>,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO grades (grade_item_id, user_id, course_id, points, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (grade_item_id, user_id) DO UPDATE SET points = excluded.points, version = grades.version + 1,
             updated_at = excluded.updated_at"
    )
    .bind(grade_item_id)
    .bind(user_id)
    .bind(course_id)
    .bind(points)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// A grader's change to one cell, applied only if the cell is still at `expected_version`
/// (0 for a cell nobody has graded). Returns whether it was applied.
pub async fn write_cell(
    tx: &mut Tx,
    cell: &CellWrite,
    expected_version: i32,
    now: i64,
) -> Result<bool, AppError> {
    let changed = if expected_version == 0 {
        with_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO grades (grade_item_id, user_id, course_id, points, override_points, excused, feedback, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (grade_item_id, user_id) DO NOTHING"
        )
        .bind(cell.grade_item_id)
        .bind(cell.user_id)
        .bind(cell.course_id)
        .bind(cell.points)
        .bind(cell.override_points)
        .bind(cell.excused)
        .bind(&cell.feedback)
        .bind(cell.by)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
        })
    } else {
        with_tx!(tx, |c| {
            sqlx::query(
            "UPDATE grades SET points = $3, override_points = $4, excused = $5, feedback = $6, updated_by = $7,
                 updated_at = $8, version = version + 1
             WHERE grade_item_id = $1 AND user_id = $2 AND version = $9"
        )
        .bind(cell.grade_item_id)
        .bind(cell.user_id)
        .bind(cell.points)
        .bind(cell.override_points)
        .bind(cell.excused)
        .bind(&cell.feedback)
        .bind(cell.by)
        .bind(now)
        .bind(expected_version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
        })
    };
    Ok(changed == 1)
}

pub struct CellWrite {
    pub grade_item_id: i64,
    pub user_id: i64,
    pub course_id: i64,
    pub points: Option<f64>,
    pub override_points: Option<f64>,
    pub excused: bool,
    pub feedback: String,
    pub by: i64,
}

pub async fn add_history(
    tx: &mut Tx,
    cell: &CellWrite,
    reason: &str,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO grade_history (grade_item_id, user_id, points, override_points, excused, reason, changed_by, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(cell.grade_item_id)
    .bind(cell.user_id)
    .bind(cell.points)
    .bind(cell.override_points)
    .bind(cell.excused)
    .bind(reason)
    .bind(cell.by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

#[derive(sqlx::FromRow, Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub points: Option<f64>,
    pub override_points: Option<f64>,
    pub excused: bool,
    pub reason: String,
    pub changed_by_name: Option<String>,
    pub changed_at: i64,
}

pub async fn history(
    db: &Db,
    grade_item_id: i64,
    user_id: i64,
) -> Result<Vec<HistoryRow>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT h.points, h.override_points, h.excused, h.reason, u.name AS changed_by_name, h.changed_at
         FROM grade_history h LEFT JOIN users u ON u.id = h.changed_by
         WHERE h.grade_item_id = $1 AND h.user_id = $2 ORDER BY h.id DESC LIMIT 200"
    )
    .bind(grade_item_id)
    .bind(user_id)
    .fetch_all(p)
    .await?
    }))
}

/// One learner's inputs to the course total: the course's category rules and their own scores.
pub async fn learner_scores(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
) -> Result<(Vec<CategoryRule>, Vec<ItemScore>), AppError> {
    #[derive(sqlx::FromRow)]
    struct Score {
        id: i64,
        category_id: Option<i64>,
        max_points: f64,
        extra_credit: bool,
        points: Option<f64>,
        override_points: Option<f64>,
        excused: Option<bool>,
    }
    let rules: Vec<CategoryRow> = with_tx!(tx, |c| sqlx::query_as(
        "SELECT id, name, weight, drop_lowest FROM grade_categories WHERE course_id = $1"
    )
    .bind(course_id)
    .fetch_all(c)
    .await?);
    let scores: Vec<Score> = with_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT gi.id, gi.category_id, gi.max_points, gi.extra_credit, g.points, g.override_points, g.excused
         FROM grade_items gi LEFT JOIN grades g ON g.grade_item_id = gi.id AND g.user_id = $2
         WHERE gi.course_id = $1 AND {LIVE_SOURCE}"
    )))
    .bind(course_id)
    .bind(user_id)
    .fetch_all(c)
    .await?
    });
    Ok((
        rules.iter().map(CategoryRow::rule).collect(),
        scores
            .into_iter()
            .map(|s| ItemScore {
                item_id: s.id,
                category_id: s.category_id,
                points: s.override_points.or(s.points),
                max_points: s.max_points,
                excused: s.excused.unwrap_or(false),
                extra_credit: s.extra_credit,
            })
            .collect(),
    ))
}

pub async fn set_total(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
    percent: Option<f64>,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO course_totals (course_id, user_id, percent, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (course_id, user_id) DO UPDATE SET percent = excluded.percent, updated_at = excluded.updated_at"
    )
    .bind(course_id)
    .bind(user_id)
    .bind(percent)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

pub async fn total(db: &Db, course_id: i64, user_id: i64) -> Result<Option<f64>, AppError> {
    let row: Option<Option<f64>> = with_db!(db, |p| sqlx::query_scalar(
        "SELECT percent FROM course_totals WHERE course_id = $1 AND user_id = $2"
    )
    .bind(course_id)
    .bind(user_id)
    .fetch_optional(p)
    .await?);
    Ok(row.flatten())
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct LearnerRow {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// A page of a course's active learners by name, and how many there are.
pub async fn learners(
    db: &Db,
    course_id: i64,
    per_page: u32,
    page: u32,
) -> Result<(Vec<LearnerRow>, i64), AppError> {
    let offset = crate::db::page_offset(page, per_page);
    Ok(with_db!(db, |p| {
        let rows = sqlx::query_as(
            "SELECT u.id, u.name, u.email FROM enrolments e JOIN users u ON u.id = e.user_id
             WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active'
             ORDER BY LOWER(u.name), u.id LIMIT $2 OFFSET $3",
        )
        .bind(course_id)
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(p)
        .await?;
        let total = sqlx::query_scalar(
            "SELECT COUNT(*) FROM enrolments WHERE course_id = $1 AND role = 'learner' AND status = 'active'",
        )
        .bind(course_id)
        .fetch_one(p)
        .await?;
        (rows, total)
    }))
}

/// Every active learner of a course by name, with their course total: the CSV export's rows.
pub async fn learners_with_totals(
    db: &Db,
    course_id: i64,
) -> Result<Vec<(LearnerRow, Option<f64>)>, AppError> {
    let rows: Vec<(i64, String, String, Option<f64>)> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT u.id, u.name, u.email, t.percent FROM enrolments e JOIN users u ON u.id = e.user_id
         LEFT JOIN course_totals t ON t.course_id = e.course_id AND t.user_id = e.user_id
         WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active'
         ORDER BY LOWER(u.name), u.id"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, name, email, total)| (LearnerRow { id, name, email }, total))
        .collect())
}

/// Every grade of a course as (grade item, learner, points that count, excused), streamed to
/// `each` so that a 10,000 × 50 export never holds half a million rows.
pub async fn each_grade(
    db: &Db,
    course_id: i64,
    mut each: impl FnMut(i64, i64, Option<f64>, bool),
) -> Result<(), AppError> {
    use futures_util::TryStreamExt;
    with_db!(db, |p| {
        let mut rows = sqlx::query_as::<_, (i64, i64, Option<f64>, bool)>(
            "SELECT grade_item_id, user_id, COALESCE(override_points, points), excused FROM grades WHERE course_id = $1",
        )
        .bind(course_id)
        .fetch(p);
        while let Some((item, user, points, excused)) = rows.try_next().await? {
            each(item, user, points, excused);
        }
    });
    Ok(())
}

/// Course totals of some learners, in one query.
pub async fn totals_of(
    db: &Db,
    course_id: i64,
    user_ids: &[i64],
) -> Result<Vec<(i64, Option<f64>)>, AppError> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(with_db!(db, |p| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT user_id, percent FROM course_totals WHERE course_id = ",
        );
        qb.push_bind(course_id).push(" AND user_id IN (");
        let mut sep = qb.separated(", ");
        for id in user_ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(p).await?
    }))
}

pub async fn settings(db: &Db, course_id: i64) -> Result<(Option<f64>, Option<String>), AppError> {
    let row: Option<(Option<f64>, Option<String>)> = with_db!(db, |p| sqlx::query_as(
        "SELECT pass_percent, letters FROM gradebook_settings WHERE course_id = $1"
    )
    .bind(course_id)
    .fetch_optional(p)
    .await?);
    Ok(row.unwrap_or((None, None)))
}

pub async fn save_settings(
    db: &Db,
    course_id: i64,
    pass_percent: Option<f64>,
    letters: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    with_db_write!(db, |p| {
        sqlx::query(
        "INSERT INTO gradebook_settings (course_id, pass_percent, letters, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (course_id) DO UPDATE SET pass_percent = excluded.pass_percent, letters = excluded.letters,
             updated_at = excluded.updated_at"
    )
    .bind(course_id)
    .bind(pass_percent)
    .bind(letters)
    .bind(now)
    .execute(p)
    .await
    .map(|r| r.rows_affected())?
    });
    Ok(())
}

/// Every active learner of a course (to bring totals and completion up to date after a rule
/// change, which affects everyone).
/// (assignment item, feedback) of a learner's graded submissions in a course.
pub async fn submission_feedback(
    db: &Db,
    course_id: i64,
    user_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT item_id, feedback FROM submissions
         WHERE course_id = $1 AND user_id = $2 AND graded_at IS NOT NULL AND feedback <> ''"
    )
    .bind(course_id)
    .bind(user_id)
    .fetch_all(p)
    .await?))
}

/// (id, email, name) of a course's active learners, for matching an imported file.
pub async fn learner_emails(
    db: &Db,
    course_id: i64,
) -> Result<Vec<(i64, String, String)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT u.id, u.email, u.name FROM enrolments e JOIN users u ON u.id = e.user_id
         WHERE e.course_id = $1 AND e.role = 'learner' AND e.status = 'active'"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?))
}

pub async fn learner_ids(db: &Db, course_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT user_id FROM enrolments WHERE course_id = $1 AND role = 'learner' AND status = 'active' ORDER BY user_id"
    )
    .bind(course_id)
    .fetch_all(p)
    .await?
    }))
}
