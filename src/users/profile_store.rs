//! SQL for people's profiles (both databases).

use super::custom_field_store;
use super::custom_fields::CustomField;
use super::profile::{ManagerRef, Profile, ProfileFields};
use crate::db::{Db, Tx};
use crate::error::{AppError, Violation, constraint_error};
use crate::{with_db, with_tx};

#[derive(sqlx::FromRow)]
struct ProfileRow {
    employee_id: Option<String>,
    department: String,
    job_title: String,
    location: String,
    hire_date: Option<String>,
    manager_id: Option<i64>,
    manager_name: Option<String>,
    manager_email: Option<String>,
}

/// A person's profile; empty when nothing was recorded.
pub async fn find(db: &Db, user_id: i64) -> Result<Profile, AppError> {
    let row: Option<ProfileRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT p.employee_id, p.department, p.job_title, p.location, p.hire_date, p.manager_id, \
         m.name AS manager_name, m.email AS manager_email \
         FROM user_profiles p LEFT JOIN users m ON m.id = p.manager_id WHERE p.user_id = $1"
    )
    .bind(user_id)
    .fetch_optional(p)
    .await?
    });
    let mut profile = row.map(Profile::from).unwrap_or_default();
    profile.custom = custom_field_store::values_of(db, &[user_id])
        .await?
        .remove(&user_id)
        .unwrap_or_default();
    Ok(profile)
}

impl From<ProfileRow> for Profile {
    fn from(r: ProfileRow) -> Profile {
        Profile {
            employee_id: r.employee_id,
            department: r.department,
            job_title: r.job_title,
            manager: match (r.manager_id, r.manager_name, r.manager_email) {
                (Some(id), Some(name), Some(email)) => Some(ManagerRef { id, name, email }),
                _ => None,
            },
            location: r.location,
            hire_date: r.hire_date,
            custom: Default::default(),
        }
    }
}

/// The profiles of many people at once (those with nothing recorded are left out).
pub async fn find_many(
    db: &Db,
    user_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Profile>, AppError> {
    let mut found = std::collections::HashMap::new();
    for chunk in user_ids.chunks(1000) {
        let rows: Vec<(i64, ProfileRow)> = with_db!(db, |p| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT p.user_id, p.employee_id, p.department, p.job_title, p.location, p.hire_date, \
                 p.manager_id, m.name AS manager_name, m.email AS manager_email \
                 FROM user_profiles p LEFT JOIN users m ON m.id = p.manager_id WHERE p.user_id IN (",
            );
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            list.push_unseparated(")");
            query
                .build()
                .fetch_all(p)
                .await?
                .iter()
                .map(|row| {
                    use sqlx::{FromRow, Row};
                    Ok((row.try_get("user_id")?, ProfileRow::from_row(row)?))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        found.extend(rows.into_iter().map(|(id, row)| (id, Profile::from(row))));
    }
    for (id, custom) in custom_field_store::values_of(db, user_ids).await? {
        found.entry(id).or_default().custom = custom;
    }
    Ok(found)
}

/// Who holds each of these employee ids.
pub async fn employee_id_owners(
    db: &Db,
    employee_ids: &[String],
) -> Result<std::collections::HashMap<String, i64>, AppError> {
    let mut found = std::collections::HashMap::new();
    for chunk in employee_ids.chunks(1000) {
        let rows: Vec<(String, i64)> = with_db!(db, |p| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT employee_id, user_id FROM user_profiles WHERE employee_id IN (",
            );
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(id.clone());
            }
            list.push_unseparated(")");
            query.build_query_as().fetch_all(p).await?
        });
        found.extend(rows);
    }
    Ok(found)
}

/// Every reporting line as (person's email, manager's email): what an import checks for loops.
pub async fn reporting_lines(db: &Db) -> Result<Vec<(String, String)>, AppError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT u.email, m.email FROM user_profiles p JOIN users u ON u.id = p.user_id \
         JOIN users m ON m.id = p.manager_id"
    )
    .fetch_all(p)
    .await?))
}

/// Whether anyone reports to this person (the header offers "My team" then).
pub async fn has_reports(db: &Db, manager_id: i64) -> Result<bool, AppError> {
    Ok(with_db!(db, |p| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM user_profiles pr JOIN users u ON u.id = pr.user_id \
         WHERE pr.manager_id = $1 AND u.status <> 'deleted')"
    )
    .bind(manager_id)
    .fetch_one(p)
    .await?))
}

/// The manager of each person up the chain from `user_id` (its manager, theirs, …), at most
/// `limit` steps: what a new manager must not already report to.
pub async fn managers_above(tx: &mut Tx, user_id: i64, limit: usize) -> Result<Vec<i64>, AppError> {
    let mut chain = Vec::new();
    let mut current = user_id;
    while chain.len() < limit {
        let next: Option<Option<i64>> = with_tx!(tx, |c| sqlx::query_scalar(
            "SELECT manager_id FROM user_profiles WHERE user_id = $1"
        )
        .bind(current)
        .fetch_optional(c)
        .await?);
        match next.flatten() {
            Some(m) if !chain.contains(&m) => {
                chain.push(m);
                current = m;
            }
            _ => break,
        }
    }
    Ok(chain)
}

fn employee_id_taken() -> AppError {
    AppError::invalid("employee_id", "Another person has this employee id.")
}

/// Records a person's profile (all of it, the defined fields' values too).
pub async fn save(
    tx: &mut Tx,
    user_id: i64,
    fields: &ProfileFields,
    manager_id: Option<i64>,
    custom_fields: &[CustomField],
    now: i64,
) -> Result<(), AppError> {
    custom_field_store::set_values(tx, user_id, custom_fields, &fields.custom).await?;
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO user_profiles (user_id, employee_id, department, job_title, manager_id, location, hire_date, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (user_id) DO UPDATE SET employee_id = excluded.employee_id, department = excluded.department, \
         job_title = excluded.job_title, manager_id = excluded.manager_id, location = excluded.location, \
         hire_date = excluded.hire_date, updated_at = excluded.updated_at"
    )
    .bind(user_id)
    .bind(&fields.employee_id)
    .bind(&fields.department)
    .bind(&fields.job_title)
    .bind(manager_id)
    .bind(&fields.location)
    .bind(&fields.hire_date)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| {
        constraint_error(
            e,
            [(Violation::Unique("user_profiles_employee_id"), employee_id_taken())],
        )
    })?;
    Ok(())
}

/// Drops a person's profile (their account is deleted); whoever reported to them keeps no manager.
pub async fn forget(tx: &mut Tx, user_id: i64) -> Result<(), AppError> {
    with_tx!(tx, |c| {
        sqlx::query("DELETE FROM user_profiles WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *c)
            .await?;
        sqlx::query("UPDATE user_profiles SET manager_id = NULL WHERE manager_id = $1")
            .bind(user_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    Ok(())
}
