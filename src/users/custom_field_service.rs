//! Defining profile fields: administrators define, change and delete them; whoever edits people
//! (or audiences) reads the definitions.

use super::custom_field_store as store;
use super::custom_fields::{CustomField, CustomFieldForm, parse_definition};
use crate::audit;
use crate::auth::permissions::{Action, Actor, can};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<CustomField>, AppError> {
    if !(can(actor, Action::ViewUsers) || can(actor, Action::ManageAudiences)) {
        return Err(AppError::Forbidden);
    }
    store::list(&state.db).await
}

/// Creates a field (`id` is `None`) or changes one (its name stays: files and rules use it).
pub async fn save(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    form: &CustomFieldForm,
) -> Result<CustomField, AppError> {
    if !can(actor, Action::ManageSettings) {
        return Err(AppError::Forbidden);
    }
    let mut field = parse_definition(form)?;
    if let Some(id) = id {
        let existing = store::list(&state.db)
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or(AppError::NotFound)?;
        field.id = id;
        field.name = existing.name;
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    field.id = store::save(&mut tx, &field, now).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            if id.is_some() {
                "profile_field.update"
            } else {
                "profile_field.create"
            },
            "profile_field",
            Some(field.id),
            &field.name,
        )
        .after(&field),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(field)
}

/// Deletes a field and everyone's values of it.
pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    if !can(actor, Action::ManageSettings) {
        return Err(AppError::Forbidden);
    }
    let field = store::list(&state.db)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or(AppError::NotFound)?;
    let now = now();
    let mut tx = state.db.begin().await?;
    store::delete(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            "profile_field.delete",
            "profile_field",
            Some(id),
            &field.name,
        )
        .before(&field),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
