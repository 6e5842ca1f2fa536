//! SQL for administrator-defined profile fields and people's values (both databases).

use super::custom_fields::{CustomField, CustomKind};
use crate::db::{Db, Tx};
use crate::error::{AppError, Violation, constraint_error, internal};
use crate::{with_db, with_tx};
use std::collections::{BTreeMap, HashMap};

#[derive(sqlx::FromRow)]
struct FieldRow {
    id: i64,
    name: String,
    label: String,
    kind: String,
    choices: String,
    required: bool,
    visible_to_user: bool,
}

impl FieldRow {
    fn into_field(self) -> Result<CustomField, AppError> {
        Ok(CustomField {
            id: self.id,
            kind: CustomKind::parse(&self.kind)
                .ok_or_else(|| internal("reading a profile field", &self.kind))?,
            choices: serde_json::from_str(&self.choices)
                .map_err(|e| internal("reading a profile field's choices", e))?,
            name: self.name,
            label: self.label,
            required: self.required,
            visible_to_user: self.visible_to_user,
        })
    }
}

/// Every defined field, in the order they were made.
pub async fn list(db: &Db) -> Result<Vec<CustomField>, AppError> {
    let rows: Vec<FieldRow> = with_db!(db, |p| {
        sqlx::query_as(
        "SELECT id, name, label, kind, choices, required, visible_to_user FROM profile_fields ORDER BY id"
    )
    .fetch_all(p)
    .await?
    });
    rows.into_iter().map(FieldRow::into_field).collect()
}

/// Records a definition (a new one when its id is 0); the name of an existing one stays.
pub async fn save(tx: &mut Tx, field: &CustomField, now: i64) -> Result<i64, AppError> {
    let choices = serde_json::to_string(&field.choices)
        .map_err(|e| internal("writing a profile field's choices", e))?;
    let id: Option<i64> = if field.id == 0 {
        with_tx!(tx, |c| sqlx::query_scalar(
            "INSERT INTO profile_fields (name, label, kind, choices, required, visible_to_user, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        )
        .bind(&field.name)
        .bind(&field.label)
        .bind(field.kind.as_str())
        .bind(&choices)
        .bind(field.required)
        .bind(field.visible_to_user)
        .bind(now)
        .fetch_optional(c)
        .await)
    } else {
        with_tx!(tx, |c| sqlx::query_scalar(
            "UPDATE profile_fields SET label = $1, kind = $2, choices = $3, required = $4, visible_to_user = $5 \
             WHERE id = $6 RETURNING id"
        )
        .bind(&field.label)
        .bind(field.kind.as_str())
        .bind(&choices)
        .bind(field.required)
        .bind(field.visible_to_user)
        .bind(field.id)
        .fetch_optional(c)
        .await)
    }
    .map_err(|e| {
        constraint_error(
            e,
            [(
                Violation::Unique("profile_fields_name"),
                AppError::invalid("name", "Another profile field has this name."),
            )],
        )
    })?;
    id.ok_or(AppError::NotFound)
}

/// Removes a definition and everyone's values of it.
pub async fn delete(tx: &mut Tx, id: i64) -> Result<bool, AppError> {
    let deleted = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM profile_fields WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await?
    .rows_affected());
    Ok(deleted > 0)
}

/// The values of many people, by person and field name.
pub async fn values_of(
    db: &Db,
    user_ids: &[i64],
) -> Result<HashMap<i64, BTreeMap<String, String>>, AppError> {
    let mut found: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
    for chunk in user_ids.chunks(1000) {
        let rows: Vec<(i64, String, String)> = with_db!(db, |p| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT v.user_id, f.name, v.value FROM profile_field_values v \
                 JOIN profile_fields f ON f.id = v.field_id WHERE v.user_id IN (",
            );
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            list.push_unseparated(")");
            query.build_query_as().fetch_all(p).await?
        });
        for (user_id, name, value) in rows {
            found.entry(user_id).or_default().insert(name, value);
        }
    }
    Ok(found)
}

/// Replaces a person's values (checked; empty ones are not kept).
pub async fn set_values(
    tx: &mut Tx,
    user_id: i64,
    fields: &[CustomField],
    values: &BTreeMap<String, String>,
) -> Result<(), AppError> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM profile_field_values WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(c)
    .await?
    .rows_affected());
    for field in fields {
        let Some(value) = values.get(&field.name).filter(|v| !v.is_empty()) else {
            continue;
        };
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO profile_field_values (user_id, field_id, value) VALUES ($1, $2, $3)"
        )
        .bind(user_id)
        .bind(field.id)
        .bind(value)
        .execute(c)
        .await?
        .rows_affected());
    }
    Ok(())
}
