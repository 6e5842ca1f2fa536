//! SQL for requirements, the people they apply to and their cycles (both databases).

use super::model::{Cycle, MyRequirement, Training};
use super::status::{Standing, State};
use crate::db::{Db, Tx};
use crate::error::{AppError, Violation, constraint_error};
use crate::{with_db, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequirementRow {
    pub id: i64,
    pub name: String,
    pub course_id: Option<i64>,
    pub programme_id: Option<i64>,
    /// JSON: `status::Timing`.
    pub timing: String,
    /// JSON: `reminders::ReminderPlan`; None for no reminders.
    pub reminders: Option<String>,
    /// The course's title or the programme's name.
    pub training_title: String,
}

impl RequirementRow {
    pub fn training(&self) -> Training {
        Training::from_columns(self.course_id, self.programme_id)
    }
}

/// A requirement's columns with its training's title, over `REQUIREMENT_FROM`.
const REQUIREMENT_SELECT: &str = "SELECT r.id, r.name, r.course_id, r.programme_id, r.timing, \
     r.reminders, COALESCE(c.title, pg.name) AS training_title \
     FROM requirements r LEFT JOIN courses c ON c.id = r.course_id \
     LEFT JOIN programmes pg ON pg.id = r.programme_id";

pub async fn insert(
    tx: &mut Tx,
    name: &str,
    training: Training,
    timing: &str,
    reminders: &str,
    by: i64,
    now: i64,
) -> Result<i64, AppError> {
    with_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO requirements (name, course_id, programme_id, timing, reminders, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id"
    )
    .bind(name)
    .bind(training.columns().0)
    .bind(training.columns().1)
    .bind(timing)
    .bind(reminders)
    .bind(by)
    .bind(now)
    .fetch_one(c)
    .await)
    .map_err(|e| {
        constraint_error(
            e,
            [
                (
                    Violation::Unique("requirements_name"),
                    AppError::invalid("name", "Another requirement has this name."),
                ),
                // SQLite names no key: the one training given is the one that failed.
                (
                    Violation::ForeignKey(training.noun()),
                    match training {
                        Training::Course(_) => AppError::invalid("course_id", "Choose a course."),
                        Training::Programme(_) => {
                            AppError::invalid("programme_id", "Choose a programme.")
                        }
                    },
                ),
            ],
        )
    })
}

pub async fn add_target(tx: &mut Tx, id: i64, kind: &str, target: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO requirement_targets (requirement_id, kind, target_id) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING"
    )
    .bind(id)
    .bind(kind)
    .bind(target)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

pub async fn find(db: &Db, id: i64) -> Result<Option<RequirementRow>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!("{REQUIREMENT_SELECT} WHERE r.id = $1"));
    Ok(with_db!(db, |p| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(p)
        .await?))
}

/// Every requirement with its training's title, by name.
pub async fn list(db: &Db) -> Result<Vec<RequirementRow>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{REQUIREMENT_SELECT} ORDER BY LOWER(r.name), r.id LIMIT 500"
    ));
    Ok(with_db!(db, |p| sqlx::query_as(sql).fetch_all(p).await?))
}

/// How many people are in each state, per requirement (those it applies to now).
pub async fn state_counts(db: &Db) -> Result<Vec<(i64, String, i64)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT requirement_id, state, COUNT(*) FROM requirement_people WHERE removed_on IS NULL \
         GROUP BY requirement_id, state"
    )
    .fetch_all(p)
    .await?))
}

/// How many people are in each state on one requirement (those it applies to now).
pub async fn state_counts_of(db: &Db, id: i64) -> Result<Vec<(i64, String, i64)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT requirement_id, state, COUNT(*) FROM requirement_people \
         WHERE requirement_id = $1 AND removed_on IS NULL GROUP BY requirement_id, state"
    )
    .bind(id)
    .fetch_all(p)
    .await?))
}

/// Every requirement's id.
pub async fn ids(db: &Db) -> Result<Vec<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT id FROM requirements ORDER BY id"
    )
    .fetch_all(p)
    .await?))
}

pub async fn targets(db: &Db, id: i64) -> Result<Vec<(String, i64)>, AppError> {
    Ok(with_db!(db, |p| {
        sqlx::query_as(
        "SELECT kind, target_id FROM requirement_targets WHERE requirement_id = $1 ORDER BY kind, target_id"
    )
    .bind(id)
    .fetch_all(p)
    .await?
    }))
}

/// The live members of a cohort.
pub async fn cohort_members(db: &Db, cohort_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT cm.user_id FROM cohort_members cm JOIN users u ON u.id = cm.user_id \
         WHERE cm.cohort_id = $1 AND u.status <> 'deleted'"
    )
    .bind(cohort_id)
    .fetch_all(p)
    .await?))
}

/// Who the requirement applies to now (`removed_on` empty), and who it once did.
pub async fn assigned(db: &Db, id: i64) -> Result<Vec<(i64, bool)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT user_id, removed_on IS NULL FROM requirement_people WHERE requirement_id = $1"
    )
    .bind(id)
    .fetch_all(p)
    .await?))
}

/// Assigns the requirement to a person today (again, if they had left its targets).
pub async fn assign(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    today: &str,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO requirement_people (requirement_id, user_id, assigned_on, state, updated_at) \
         VALUES ($1, $2, $3, 'not_started', $4) \
         ON CONFLICT (requirement_id, user_id) DO UPDATE SET removed_on = NULL, updated_at = excluded.updated_at"
    )
    .bind(id)
    .bind(user_id)
    .bind(today)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
    });
    Ok(())
}

/// The person left every target: kept for the record, no longer chased.
pub async fn unassign(tx: &mut Tx, id: i64, user_id: i64, today: &str) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE requirement_people SET removed_on = $3 WHERE requirement_id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .bind(today)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// What the standing of one person is computed from, with what was recorded last.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub assigned_on: String,
    pub state: String,
    pub due_on: Option<String>,
    pub expires_on: Option<String>,
    pub completed_on: Option<String>,
    pub extended_to: Option<String>,
    pub exempt_reason: Option<String>,
    pub hire_date: Option<String>,
    /// When the course or the programme shows them completed (Unix time), if it does.
    pub training_completed_at: Option<i64>,
    pub started: bool,
    pub reminded_on: Option<String>,
}

/// A person's facts and recorded standing (`PersonRow`), over `PERSON_FROM`.
const PERSON_COLUMNS: &str = "rp.user_id, u.name, u.email, rp.assigned_on, rp.state, rp.due_on, \
     rp.expires_on, rp.completed_on, rp.extended_to, rp.exempt_reason, pr.hire_date, \
     COALESCE(e.completed_at, pm.completed_at) AS training_completed_at, rp.reminded_on, \
     (EXISTS (SELECT 1 FROM item_progress ip WHERE ip.user_id = rp.user_id AND ip.course_id = r.course_id) \
      OR EXISTS (SELECT 1 FROM programme_courses pc JOIN item_progress ip \
         ON ip.course_id = pc.course_id AND ip.user_id = rp.user_id WHERE pc.programme_id = r.programme_id)) AS started";

/// The people requirement `$1` applies to now.
const PERSON_FROM: &str = "FROM requirement_people rp JOIN users u ON u.id = rp.user_id \
     JOIN requirements r ON r.id = rp.requirement_id \
     LEFT JOIN user_profiles pr ON pr.user_id = rp.user_id \
     LEFT JOIN enrolments e ON e.user_id = rp.user_id AND e.course_id = r.course_id \
     LEFT JOIN programme_members pm ON pm.user_id = rp.user_id AND pm.programme_id = r.programme_id \
     WHERE rp.requirement_id = $1 AND rp.removed_on IS NULL AND u.status <> 'deleted'";

/// Everyone the requirement applies to now, by name, with their facts.
pub async fn people(db: &Db, id: i64) -> Result<Vec<PersonRow>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} {PERSON_FROM} ORDER BY u.name, u.id"
    ));
    Ok(with_db!(db, |p| sqlx::query_as(sql)
        .bind(id)
        .fetch_all(p)
        .await?))
}

/// One person the requirement applies to now, with their facts.
/// The requirements asking for a course or a programme that a person is assigned now.
pub async fn assigned_on(db: &Db, training: Training, user_id: i64) -> Result<Vec<i64>, AppError> {
    let (course_id, programme_id) = training.columns();
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT r.id FROM requirements r JOIN requirement_people rp ON rp.requirement_id = r.id \
         WHERE (r.course_id = $1 OR r.programme_id = $2) AND rp.user_id = $3 \
         AND rp.removed_on IS NULL ORDER BY r.id"
    )
    .bind(course_id)
    .bind(programme_id)
    .bind(user_id)
    .fetch_all(p)
    .await?))
}

pub async fn person(db: &Db, id: i64, user_id: i64) -> Result<Option<PersonRow>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} {PERSON_FROM} AND rp.user_id = $2"
    ));
    Ok(with_db!(db, |p| sqlx::query_as(sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(p)
        .await?))
}

/// One page of the people a requirement applies to, by name, as `query` filters them, and how
/// many match.
pub async fn people_page(
    db: &Db,
    id: i64,
    query: &super::model::PeopleQuery,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PersonRow>, i64), AppError> {
    const FILTERS: &str = "AND ($2 = '' OR rp.state = $2) \
         AND ($3 = '' OR LOWER(COALESCE(pr.department, '')) = $3) \
         AND ($4 = '' OR LOWER(u.name) LIKE $4 ESCAPE '\\' OR LOWER(u.email) LIKE $4 ESCAPE '\\')";
    let search = if query.search.trim().is_empty() {
        String::new()
    } else {
        crate::db::like_pattern(&query.search)
    };
    let department = query.department.trim().to_lowercase();
    let list = sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} {PERSON_FROM} {FILTERS} ORDER BY u.name, u.id LIMIT $5 OFFSET $6"
    ));
    let count = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {PERSON_FROM} {FILTERS}"));
    Ok(with_db!(db, |p| {
        let rows = sqlx::query_as(list)
            .bind(id)
            .bind(&query.state)
            .bind(&department)
            .bind(&search)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?;
        let total = sqlx::query_scalar(count)
            .bind(id)
            .bind(&query.state)
            .bind(&department)
            .bind(&search)
            .fetch_one(p)
            .await?;
        (rows, total)
    }))
}

fn date(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// Records a person's standing.
pub async fn save_standing(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    standing: &Standing,
    completed_on: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE requirement_people SET state = $3, due_on = $4, expires_on = $5, completed_on = $6, \
         updated_at = $7 WHERE requirement_id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .bind(standing.state.as_str())
    .bind(date(standing.due_on))
    .bind(date(standing.expires_on))
    .bind(completed_on)
    .bind(now)
    .execute(c)
    .await?
    .rows_affected()
    });
    Ok(())
}

/// Keeps a cycle's completion for the record (once).
pub async fn record_cycle(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    completed_on: &str,
) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO requirement_cycles (requirement_id, user_id, completed_on) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING"
    )
    .bind(id)
    .bind(user_id)
    .bind(completed_on)
    .execute(c)
    .await?
    .rows_affected()
    });
    Ok(())
}

/// Notes when a cycle's certification lapsed.
pub async fn expire_cycle(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    completed_on: &str,
    expired_on: &str,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE requirement_cycles SET expired_on = $4 \
         WHERE requirement_id = $1 AND user_id = $2 AND completed_on = $3 AND expired_on IS NULL"
    )
    .bind(id)
    .bind(user_id)
    .bind(completed_on)
    .bind(expired_on)
    .execute(c)
    .await?
    .rows_affected());
    Ok(())
}

/// A person's cycles, newest first.
pub async fn cycles(db: &Db, id: i64, user_id: i64) -> Result<Vec<Cycle>, AppError> {
    let rows: Vec<(String, Option<String>)> = with_db!(db, |p| sqlx::query_as(
        "SELECT completed_on, expired_on FROM requirement_cycles \
         WHERE requirement_id = $1 AND user_id = $2 ORDER BY completed_on DESC"
    )
    .bind(id)
    .bind(user_id)
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .map(|(completed_on, expired_on)| Cycle {
            completed_on,
            expired_on,
        })
        .collect())
}

/// Exempts a person (with the reason and who granted it), or lifts it (`None`).
pub async fn set_exemption(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    reason: Option<&str>,
    by: i64,
) -> Result<bool, AppError> {
    let changed = with_tx!(tx, |c| sqlx::query(
        "UPDATE requirement_people SET exempt_reason = $3, exempt_by = $4 \
         WHERE requirement_id = $1 AND user_id = $2 AND removed_on IS NULL"
    )
    .bind(id)
    .bind(user_id)
    .bind(reason)
    .bind(reason.map(|_| by))
    .execute(c)
    .await?
    .rows_affected());
    Ok(changed > 0)
}

/// Gives a person a later due date (with the reason), or takes it back (`None`).
pub async fn set_extension(
    tx: &mut Tx,
    id: i64,
    user_id: i64,
    extended_to: Option<&str>,
    reason: Option<&str>,
) -> Result<bool, AppError> {
    let changed = with_tx!(tx, |c| sqlx::query(
        "UPDATE requirement_people SET extended_to = $3, extension_reason = $4 \
         WHERE requirement_id = $1 AND user_id = $2 AND removed_on IS NULL"
    )
    .bind(id)
    .bind(user_id)
    .bind(extended_to)
    .bind(reason)
    .execute(c)
    .await?
    .rows_affected());
    Ok(changed > 0)
}

#[derive(sqlx::FromRow)]
struct MineRow {
    id: i64,
    name: String,
    course_id: Option<i64>,
    programme_id: Option<i64>,
    title: String,
    state: String,
    due_on: Option<String>,
    expires_on: Option<String>,
}

/// The requirements that apply to a person now, soonest due first.
pub async fn mine(db: &Db, user_id: i64) -> Result<Vec<MyRequirement>, AppError> {
    let rows: Vec<MineRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT r.id, r.name, r.course_id, r.programme_id, COALESCE(c.title, pg.name) AS title, \
         rp.state, rp.due_on, rp.expires_on \
         FROM requirement_people rp JOIN requirements r ON r.id = rp.requirement_id \
         LEFT JOIN courses c ON c.id = r.course_id LEFT JOIN programmes pg ON pg.id = r.programme_id \
         WHERE rp.user_id = $1 AND rp.removed_on IS NULL \
         ORDER BY CASE WHEN rp.due_on IS NULL THEN 1 ELSE 0 END, rp.due_on, r.name \
         LIMIT 200"
    )
    .bind(user_id)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| MyRequirement {
            requirement_id: r.id,
            name: r.name,
            training: Training::from_columns(r.course_id, r.programme_id),
            training_title: r.title,
            state: State::parse(&r.state).unwrap_or(State::NotStarted),
            due_on: r.due_on,
            expires_on: r.expires_on,
        })
        .collect())
}

/// Notes that these people were reminded today.
pub async fn set_reminded(
    tx: &mut Tx,
    id: i64,
    user_ids: &[i64],
    today: &str,
) -> Result<(), AppError> {
    for chunk in user_ids.chunks(1000) {
        with_tx!(tx, |c| {
            let mut query = sqlx::QueryBuilder::new("UPDATE requirement_people SET reminded_on = ");
            query.push_bind(today);
            query.push(" WHERE requirement_id = ");
            query.push_bind(id);
            query.push(" AND user_id IN (");
            let mut list = query.separated(", ");
            for user in chunk {
                list.push_bind(*user);
            }
            list.push_unseparated(")");
            query.build().execute(c).await?.rows_affected()
        });
    }
    Ok(())
}

/// Whether the person `rp` (a `requirement_people` row) is compliant: completed and still valid
/// (in the renewal window too: due again, but not lapsed), or exempt. Reports count with it.
pub const COMPLIANT: &str = "(rp.state IN ('completed', 'exempt') \
     OR (rp.state = 'due_soon' AND rp.completed_on IS NOT NULL))";

/// One requirement row as the matrix counts it: whose, which requirement, the person's
/// department, and where they stand.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MatrixFact {
    pub user_id: i64,
    pub requirement_id: i64,
    pub department: String,
    pub compliant: bool,
    pub overdue: bool,
    pub expiring: bool,
}

/// Every requirement row that counts now (people it applies to, not deleted), with its flags;
/// `expiring_until` is the last day that counts as expiring soon. One pass, for computing the
/// matrix.
pub async fn matrix_facts(db: &Db, expiring_until: &str) -> Result<Vec<MatrixFact>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT rp.user_id, rp.requirement_id, COALESCE(p.department, '') AS department, \
         ({COMPLIANT}) AS compliant, (rp.state IN ('overdue', 'expired')) AS overdue, \
         ({COMPLIANT} AND rp.expires_on IS NOT NULL AND rp.expires_on <= $1) AS expiring \
         FROM requirement_people rp JOIN users u ON u.id = rp.user_id \
         LEFT JOIN user_profiles p ON p.user_id = rp.user_id \
         WHERE rp.removed_on IS NULL AND u.status <> 'deleted'"
    ));
    Ok(with_db!(db, |p| sqlx::query_as(sql)
        .bind(expiring_until)
        .fetch_all(p)
        .await?))
}

/// One cell of the matrix as kept (`grouping`: `department`, `audience` or `everyone`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MatrixCellRow {
    pub grouping: String,
    pub group_key: String,
    pub label: String,
    pub position: i32,
    pub requirement_id: i64,
    pub assigned: i64,
    pub compliant: i64,
    pub overdue: i64,
    pub expiring: i64,
}

/// Replaces the kept matrix with these cells, in one transaction (readers see the old one or
/// the new one). Written a few hundred rows per statement.
pub async fn replace_matrix(
    db: &Db,
    cells: &[MatrixCellRow],
    computed_at: i64,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| sqlx::query("DELETE FROM compliance_matrix")
        .execute(c)
        .await?
        .rows_affected());
    for chunk in cells.chunks(400) {
        with_tx!(&mut tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO compliance_matrix (grouping, group_key, label, position, \
                 requirement_id, assigned, compliant, overdue, expiring, computed_at) ",
            );
            qb.push_values(chunk, |mut row, cell| {
                row.push_bind(&cell.grouping)
                    .push_bind(&cell.group_key)
                    .push_bind(&cell.label)
                    .push_bind(cell.position)
                    .push_bind(cell.requirement_id)
                    .push_bind(cell.assigned)
                    .push_bind(cell.compliant)
                    .push_bind(cell.overdue)
                    .push_bind(cell.expiring)
                    .push_bind(computed_at);
            });
            qb.build().execute(c).await?.rows_affected()
        });
    }
    tx.commit().await?;
    Ok(())
}

/// The kept cells of groups `from..to` (by position) of a grouping, in order.
pub async fn matrix_cells(
    db: &Db,
    grouping: &str,
    from: i64,
    to: i64,
) -> Result<Vec<MatrixCellRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT grouping, group_key, label, position, requirement_id, assigned, compliant, \
         overdue, expiring FROM compliance_matrix \
         WHERE grouping = $1 AND position >= $2 AND position < $3 ORDER BY position, requirement_id"
    )
    .bind(grouping)
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await?))
}

/// How many groups a grouping has in the kept matrix, and when it was computed (None: never).
pub async fn matrix_extent(db: &Db, grouping: &str) -> Result<(i64, Option<i64>), AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT CAST(COALESCE(MAX(CASE WHEN grouping = $1 THEN position END) + 1, 0) AS BIGINT), \
         MAX(computed_at) FROM compliance_matrix"
    )
    .bind(grouping)
    .fetch_one(p)
    .await?))
}

/// Records tonight's counts per requirement (again, if the night runs twice).
pub async fn save_snapshot(db: &Db, day: &str) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM compliance_snapshots WHERE day = $1")
            .bind(day)
            .execute(&mut *c)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO compliance_snapshots (day, requirement_id, assigned, compliant, overdue) \
             SELECT $1, rp.requirement_id, COUNT(*), \
             COALESCE(SUM(CASE WHEN {COMPLIANT} THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN rp.state IN ('overdue', 'expired') THEN 1 ELSE 0 END), 0) \
             FROM requirement_people rp JOIN users u ON u.id = rp.user_id \
             WHERE rp.removed_on IS NULL AND u.status <> 'deleted' GROUP BY rp.requirement_id",
        )))
        .bind(day)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    tx.commit().await?;
    Ok(())
}

/// Each night's totals across requirements since `since`, oldest first.
pub async fn trend(db: &Db, since: &str) -> Result<Vec<(String, i64, i64, i64)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT day, CAST(SUM(assigned) AS BIGINT), CAST(SUM(compliant) AS BIGINT), \
         CAST(SUM(overdue) AS BIGINT) FROM compliance_snapshots WHERE day >= $1 \
         GROUP BY day ORDER BY day"
    )
    .bind(since)
    .fetch_all(p)
    .await?))
}

/// The timings of the requirements asking for a course or a programme that a person is
/// assigned (and still chased).
pub async fn timings_for(
    db: &Db,
    user_id: i64,
    training: Training,
) -> Result<Vec<String>, AppError> {
    let (course_id, programme_id) = training.columns();
    Ok(with_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT r.timing FROM requirements r JOIN requirement_people rp ON rp.requirement_id = r.id \
         WHERE (r.course_id = $1 OR r.programme_id = $2) AND rp.user_id = $3 \
         AND rp.removed_on IS NULL ORDER BY r.id"
    )
    .bind(course_id)
    .bind(programme_id)
    .bind(user_id)
    .fetch_all(p)
    .await?
    }))
}
