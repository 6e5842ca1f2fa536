//! SQL for audiences (both databases). An audience's rules become one SQL condition over `u`
//! (users) and `p` (their profile, LEFT JOINed): fixed fragments chosen by the rule's kind, every
//! value bound. The same condition counts members, lists them, and (later) resolves assignments.

use super::model::{DateOp, Member, Rule, TextColumn, TextOp};
use crate::db::{Db, Tx, like_pattern};
use crate::error::{AppError, Violation, constraint_error};
use crate::{with_db, with_tx};
use chrono::NaiveDate;
use sqlx::AssertSqlSafe;

/// A value a condition binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bind {
    Text(String),
    Int(i64),
}

/// SQL text with `$n` placeholders and the values they stand for, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    pub sql: String,
    pub binds: Vec<Bind>,
}

impl Condition {
    fn placeholder(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }

    /// A defined field's value for the person (NULL when they have none).
    fn custom_value(&mut self, field_id: i64) -> String {
        format!(
            "(SELECT v.value FROM profile_field_values v WHERE v.user_id = u.id AND v.field_id = {})",
            self.placeholder(Bind::Int(field_id))
        )
    }

    /// A text comparison of `col` (never NULL), case-insensitive.
    fn text(&mut self, col: &str, op: TextOp, value: &str) -> String {
        match op {
            TextOp::Is => format!(
                "LOWER({col}) = {}",
                self.placeholder(Bind::Text(value.to_lowercase()))
            ),
            TextOp::IsNot => format!(
                "LOWER({col}) <> {}",
                self.placeholder(Bind::Text(value.to_lowercase()))
            ),
            TextOp::Contains => format!(
                "LOWER({col}) LIKE {} ESCAPE '\\'",
                self.placeholder(Bind::Text(like_pattern(value)))
            ),
            TextOp::StartsWith => {
                let pattern = like_pattern(value);
                let starts = pattern.strip_prefix('%').unwrap_or(&pattern).to_string();
                format!(
                    "LOWER({col}) LIKE {} ESCAPE '\\'",
                    self.placeholder(Bind::Text(starts))
                )
            }
            TextOp::IsEmpty => format!("{col} = ''"),
            TextOp::IsNotEmpty => format!("{col} <> ''"),
        }
    }

    /// A date comparison of `col` (`YYYY-MM-DD` text, or NULL when not recorded).
    fn date(&mut self, col: &str, op: DateOp, value: &str, today: NaiveDate) -> String {
        match op {
            DateOp::IsEmpty => format!("{col} IS NULL"),
            DateOp::Before => format!("{col} < {}", self.placeholder(Bind::Text(value.into()))),
            DateOp::OnOrAfter => {
                format!("{col} >= {}", self.placeholder(Bind::Text(value.into())))
            }
            DateOp::WithinDays => {
                let days = value.parse::<u64>().unwrap_or(0);
                let from = today
                    .checked_sub_days(chrono::Days::new(days))
                    .unwrap_or(NaiveDate::MIN);
                format!(
                    "({col} >= {} AND {col} <= {})",
                    self.placeholder(Bind::Text(from.format("%Y-%m-%d").to_string())),
                    self.placeholder(Bind::Text(today.format("%Y-%m-%d").to_string()))
                )
            }
        }
    }

    fn push_rule(&mut self, rule: &Rule, today: NaiveDate) {
        let sql = match rule {
            Rule::Text { column, op, value } => {
                let col = match column {
                    TextColumn::Department => "COALESCE(p.department, '')",
                    TextColumn::JobTitle => "COALESCE(p.job_title, '')",
                    TextColumn::Location => "COALESCE(p.location, '')",
                    TextColumn::EmployeeId => "COALESCE(p.employee_id, '')",
                };
                self.text(col, *op, value)
            }
            Rule::Custom {
                field_id,
                op,
                value,
            } => {
                let col = format!("COALESCE({}, '')", self.custom_value(*field_id));
                self.text(&col, *op, value)
            }
            Rule::CustomDate {
                field_id,
                op,
                value,
            } => {
                let col = self.custom_value(*field_id);
                self.date(&col, *op, value, today)
            }
            Rule::HireDate { op, value } => self.date("p.hire_date", *op, value, today),
            Rule::Role { role, has } => format!(
                "{}EXISTS (SELECT 1 FROM user_roles ar WHERE ar.user_id = u.id AND ar.role = {})",
                if *has { "" } else { "NOT " },
                self.placeholder(Bind::Text(role.as_str().to_string()))
            ),
            Rule::Cohort { cohort_id, member } => format!(
                "{}EXISTS (SELECT 1 FROM cohort_members acm WHERE acm.user_id = u.id AND acm.cohort_id = {})",
                if *member { "" } else { "NOT " },
                self.placeholder(Bind::Int(*cohort_id))
            ),
            Rule::ReportsTo {
                manager_id,
                indirect: false,
            } => format!(
                "p.manager_id = {}",
                self.placeholder(Bind::Int(*manager_id))
            ),
            // UNION (not UNION ALL) stops at people already found, so even a loop would end.
            Rule::ReportsTo {
                manager_id,
                indirect: true,
            } => format!(
                "u.id IN (WITH RECURSIVE team(id) AS (SELECT user_id FROM user_profiles WHERE manager_id = {} \
                 UNION SELECT q.user_id FROM user_profiles q JOIN team t ON q.manager_id = t.id) SELECT id FROM team)",
                self.placeholder(Bind::Int(*manager_id))
            ),
        };
        self.sql.push_str(&sql);
    }

    /// Appends the condition an audience's rules make, in brackets.
    pub fn push_audience(&mut self, rules: &[Rule], match_all: bool, today: NaiveDate) {
        self.sql.push('(');
        for (i, rule) in rules.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(if match_all { " AND " } else { " OR " });
            }
            self.push_rule(rule, today);
        }
        if rules.is_empty() {
            self.sql.push_str("1 = 0");
        }
        self.sql.push(')');
    }

    pub fn audience(rules: &[Rule], match_all: bool, today: NaiveDate) -> Condition {
        let mut condition = Condition::default();
        condition.push_audience(rules, match_all, today);
        condition
    }
}

/// People who are not deleted, with their profile.
/// The people a condition is written over (`u` the user, `p` their profile): a condition reads
/// `SELECT u.id {PEOPLE} AND {condition}`.
pub const PEOPLE: &str =
    "FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.status <> 'deleted'";

/// Binds a condition's values to a query, in order (other areas' reports count within an
/// audience with it).
#[macro_export]
macro_rules! bind_condition {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bind in $binds {
            query = match bind {
                $crate::audiences::store::Bind::Text(text) => query.bind(text.clone()),
                $crate::audiences::store::Bind::Int(int) => query.bind(*int),
            };
        }
        query
    }};
}

/// How many people each condition holds, in one pass over the people.
pub async fn count_each(db: &Db, conditions: &[Condition]) -> Result<Vec<i64>, AppError> {
    if conditions.is_empty() {
        return Ok(Vec::new());
    }
    // Renumber each condition's placeholders after the ones before it.
    let mut all = Condition::default();
    let mut columns = Vec::with_capacity(conditions.len());
    for condition in conditions {
        let offset = all.binds.len();
        let mut sql = condition.sql.clone();
        for n in (1..=condition.binds.len()).rev() {
            sql = sql.replace(&format!("${n}"), &format!("$__{}", n + offset));
        }
        all.binds.extend(condition.binds.iter().cloned());
        columns.push(format!(
            "SUM(CASE WHEN {} THEN 1 ELSE 0 END)",
            sql.replace("$__", "$")
        ));
    }
    let sql = AssertSqlSafe(format!("SELECT {} {PEOPLE}", columns.join(", ")));
    let counts: Vec<Option<i64>> = with_db!(db, |p| {
        use sqlx::Row;
        let row = crate::bind_condition!(sqlx::query(sql), &all.binds)
            .fetch_one(p)
            .await?;
        (0..conditions.len())
            .map(|i| row.try_get::<Option<i64>, _>(i))
            .collect::<Result<Vec<_>, _>>()?
    });
    Ok(counts.into_iter().map(Option::unwrap_or_default).collect())
}

/// One page of the people a condition holds, by name.
pub async fn members(
    db: &Db,
    condition: &Condition,
    limit: i64,
    offset: i64,
) -> Result<Vec<Member>, AppError> {
    let n = condition.binds.len();
    let sql = AssertSqlSafe(format!(
        "SELECT u.id, u.name, u.email, COALESCE(p.department, '') AS department, \
         COALESCE(p.job_title, '') AS job_title, COALESCE(p.location, '') AS location \
         {PEOPLE} AND {} ORDER BY u.name, u.id LIMIT ${} OFFSET ${}",
        condition.sql,
        n + 1,
        n + 2
    ));
    let rows: Vec<(i64, String, String, String, String, String)> = with_db!(db, |p| {
        crate::bind_condition!(sqlx::query_as(sql), &condition.binds)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(id, name, email, department, job_title, location)| Member {
                id,
                name,
                email,
                department,
                job_title,
                location,
            },
        )
        .collect())
}

/// The ids of everyone a condition holds (for assigning training to an audience).
pub async fn member_ids(db: &Db, condition: &Condition) -> Result<Vec<i64>, AppError> {
    let sql = AssertSqlSafe(format!(
        "SELECT u.id {PEOPLE} AND {} ORDER BY u.id",
        condition.sql
    ));
    Ok(with_db!(db, |p| crate::bind_condition!(
        sqlx::query_scalar(sql),
        &condition.binds
    )
    .fetch_all(p)
    .await?))
}

/// An audience as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AudienceRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub match_all: bool,
    /// JSON: `Vec<Rule>`.
    pub rules: String,
}

impl AudienceRow {
    pub fn rules(&self) -> Result<Vec<Rule>, AppError> {
        serde_json::from_str(&self.rules)
            .map_err(|e| crate::error::internal("reading an audience's rules", e))
    }
}

pub async fn find(db: &Db, id: i64) -> Result<Option<AudienceRow>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT id, name, description, match_all, rules FROM audiences WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await?))
}

/// One page of audiences by name, and how many there are.
pub async fn list(db: &Db, limit: i64, offset: i64) -> Result<(Vec<AudienceRow>, i64), AppError> {
    Ok(with_db!(db, |p| {
        let rows = sqlx::query_as(
            "SELECT id, name, description, match_all, rules FROM audiences \
             ORDER BY LOWER(name), id LIMIT $1 OFFSET $2",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audiences")
            .fetch_one(p)
            .await?;
        (rows, total)
    }))
}

fn name_taken() -> AppError {
    AppError::invalid("name", "Another audience has this name.")
}

/// Records an audience: a new one when `id` is `None`. Returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    tx: &mut Tx,
    id: Option<i64>,
    name: &str,
    description: &str,
    match_all: bool,
    rules: &[Rule],
    by: i64,
    now: i64,
) -> Result<i64, AppError> {
    let rules = serde_json::to_string(rules)
        .map_err(|e| crate::error::internal("writing an audience's rules", e))?;
    let saved: Option<i64> = match id {
        None => with_tx!(tx, |c| sqlx::query_scalar(
            "INSERT INTO audiences (name, description, match_all, rules, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
        )
        .bind(name)
        .bind(description)
        .bind(match_all)
        .bind(&rules)
        .bind(by)
        .bind(now)
        .fetch_optional(c)
        .await),
        Some(id) => with_tx!(tx, |c| sqlx::query_scalar(
            "UPDATE audiences SET name = $1, description = $2, match_all = $3, rules = $4, updated_at = $5 \
             WHERE id = $6 RETURNING id"
        )
        .bind(name)
        .bind(description)
        .bind(match_all)
        .bind(&rules)
        .bind(now)
        .bind(id)
        .fetch_optional(c)
        .await),
    }
    .map_err(|e| constraint_error(e, [(Violation::Unique("audiences_name"), name_taken())]))?;
    saved.ok_or(AppError::NotFound)
}

pub async fn delete(tx: &mut Tx, id: i64) -> Result<bool, AppError> {
    let deleted = with_tx!(tx, |c| sqlx::query("DELETE FROM audiences WHERE id = $1")
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    Ok(deleted > 0)
}

/// The names of these cohorts (those that still exist).
pub async fn cohort_names(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = with_db!(db, |p| {
        let mut query = sqlx::QueryBuilder::new("SELECT id, name FROM cohorts WHERE id IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        list.push_unseparated(")");
        query.build_query_as().fetch_all(p).await?
    });
    Ok(rows.into_iter().collect())
}

/// The email addresses of these people (those that are not deleted).
pub async fn emails(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = with_db!(db, |p| {
        let mut query = sqlx::QueryBuilder::new(
            "SELECT id, email FROM users WHERE status <> 'deleted' AND id IN (",
        );
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        list.push_unseparated(")");
        query.build_query_as().fetch_all(p).await?
    });
    Ok(rows.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::model::Role;

    #[test]
    fn rules_become_bound_sql() {
        let today = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let condition = Condition::audience(
            &[
                Rule::Text {
                    column: TextColumn::Department,
                    op: TextOp::Is,
                    value: "Nursing'; DROP TABLE users; --".into(),
                },
                Rule::HireDate {
                    op: DateOp::WithinDays,
                    value: "1".into(),
                },
                Rule::Role {
                    role: Role::Learner,
                    has: false,
                },
            ],
            false,
            today,
        );
        assert!(!condition.sql.contains("DROP"));
        assert!(condition.sql.contains(" OR "));
        // A leap year: the day before 1 March 2024 is 29 February.
        assert_eq!(condition.binds[1], Bind::Text("2024-02-29".into()));
        assert_eq!(condition.binds.len(), 4);
        assert!(condition.sql.contains("$4"));
    }
}
