//! SQL for managers' teams (both databases): the reporting tree below a person, read with a
//! recursive query. Saving a profile refuses loops; the depth limit guards against one anyway.

use super::model::TeamMember;
use crate::db::Db;
use crate::error::AppError;
use crate::with_db;

/// Reporting lines deeper than this are not followed.
const MAX_DEPTH: i64 = 50;

/// Everyone below `$1`, with their depth.
const TEAM: &str = "WITH RECURSIVE team(id, depth) AS ( \
     SELECT user_id, CAST(1 AS BIGINT) FROM user_profiles WHERE manager_id = $1 \
     UNION ALL SELECT q.user_id, t.depth + 1 FROM user_profiles q JOIN team t ON q.manager_id = t.id \
     WHERE t.depth < $2) ";

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    name: String,
    email: String,
    job_title: String,
    department: String,
    location: String,
    depth: i64,
    manager_name: String,
    courses: i64,
    completed: i64,
    required: i64,
    compliant: i64,
    overdue: i64,
}

impl From<MemberRow> for TeamMember {
    fn from(r: MemberRow) -> TeamMember {
        TeamMember {
            id: r.id,
            name: r.name,
            email: r.email,
            job_title: r.job_title,
            department: r.department,
            location: r.location,
            depth: r.depth,
            manager_name: r.manager_name,
            courses: r.courses,
            completed: r.completed,
            required: r.required,
            compliant: r.compliant,
            overdue: r.overdue,
        }
    }
}

const MEMBER_COLUMNS: &str = "SELECT u.id, u.name, u.email, COALESCE(p.job_title, '') AS job_title, \
     COALESCE(p.department, '') AS department, COALESCE(p.location, '') AS location, t.depth, \
     COALESCE(m.name, '') AS manager_name, \
     (SELECT COUNT(*) FROM enrolments e WHERE e.user_id = u.id AND e.role = 'learner' AND e.status = 'active') AS courses, \
     (SELECT COUNT(*) FROM enrolments e WHERE e.user_id = u.id AND e.role = 'learner' AND e.status = 'active' \
       AND e.completed_at IS NOT NULL) AS completed, \
     (SELECT COUNT(*) FROM requirement_people rp WHERE rp.user_id = u.id AND rp.removed_on IS NULL) AS required, \
     (SELECT COUNT(*) FROM requirement_people rp WHERE rp.user_id = u.id AND rp.removed_on IS NULL \
       AND {COMPLIANT}) AS compliant, \
     (SELECT COUNT(*) FROM requirement_people rp WHERE rp.user_id = u.id AND rp.removed_on IS NULL \
       AND rp.state IN ('overdue', 'expired')) AS overdue \
     FROM {FROM} t JOIN users u ON u.id = t.id LEFT JOIN user_profiles p ON p.user_id = u.id \
     LEFT JOIN users m ON m.id = p.manager_id WHERE u.status <> 'deleted'";

/// The member columns of the people in `from` (`team`, or one page of it), with compliance
/// counted as the reports count it.
fn member_columns(from: &str) -> String {
    MEMBER_COLUMNS
        .replace("{COMPLIANT}", crate::compliance::store::COMPLIANT)
        .replace("{FROM}", from)
}

/// One page of the people below `manager_id` (direct reports first, then by name), and how many
/// there are.
pub async fn members(
    db: &Db,
    manager_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<TeamMember>, i64), AppError> {
    // The page is chosen first, so the counts are worked out for its people only, not for the
    // whole tree below a senior manager (11,110 people in the benchmark).
    let list = sqlx::AssertSqlSafe(format!(
        "{TEAM}, page AS (SELECT t.id, t.depth FROM team t JOIN users u ON u.id = t.id \
         WHERE u.status <> 'deleted' ORDER BY t.depth, u.name, u.id LIMIT $3 OFFSET $4) \
         {} ORDER BY t.depth, u.name, u.id",
        member_columns("page")
    ));
    let count = sqlx::AssertSqlSafe(format!(
        "{TEAM}SELECT COUNT(*) FROM team t JOIN users u ON u.id = t.id WHERE u.status <> 'deleted'"
    ));
    let (rows, total): (Vec<MemberRow>, i64) = with_db!(db, |p| {
        let rows = sqlx::query_as(list)
            .bind(manager_id)
            .bind(MAX_DEPTH)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?;
        let total = sqlx::query_scalar(count)
            .bind(manager_id)
            .bind(MAX_DEPTH)
            .fetch_one(p)
            .await?;
        (rows, total)
    });
    Ok((rows.into_iter().map(TeamMember::from).collect(), total))
}

/// `person_id` as a member of `manager_id`'s team, if they are in it.
pub async fn member(
    db: &Db,
    manager_id: i64,
    person_id: i64,
) -> Result<Option<TeamMember>, AppError> {
    let sql = sqlx::AssertSqlSafe(format!("{TEAM}{} AND u.id = $3", member_columns("team")));
    let row: Option<MemberRow> = with_db!(db, |p| sqlx::query_as(sql)
        .bind(manager_id)
        .bind(MAX_DEPTH)
        .bind(person_id)
        .fetch_optional(p)
        .await?);
    Ok(row.map(TeamMember::from))
}
