//! Lessons: a Markdown page whose every save is kept as a revision; any two revisions can be
//! compared and an old one restored.

use super::model::*;
use super::store;
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::outline_store;
use crate::courses::structure;
use crate::db::{Tx, now};
use crate::error::AppError;
use crate::state::AppState;

/// Every save of a lesson (create, update, copy) keeps a revision.
pub async fn keep_revision(
    tx: &mut Tx,
    item_id: i64,
    title: &str,
    body: &str,
    author_id: i64,
    now: i64,
) -> Result<(), AppError> {
    store::insert_revision(tx, item_id, title, body, author_id, now).await?;
    Ok(())
}

pub async fn revisions(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<Vec<Revision>, AppError> {
    let (course_id, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    store::revisions(&state.db, item_id).await
}

/// Line-by-line comparison of two revisions of a lesson.
pub async fn compare(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    old_id: i64,
    new_id: i64,
) -> Result<RevisionDiff, AppError> {
    let (course_id, ..) = outline_store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let (old, old_body) = store::revision(&state.db, item_id, old_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (new, new_body) = store::revision(&state.db, item_id, new_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(RevisionDiff {
        old,
        new,
        lines: diff_lines(&old_body, &new_body),
    })
}

pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    // A last line without its newline is still the same line.
    let terminated = |s: &str| {
        if s.is_empty() || s.ends_with('\n') {
            s.to_string()
        } else {
            format!("{s}\n")
        }
    };
    let (old, new) = (terminated(old), terminated(new));
    similar::TextDiff::from_lines(&old, &new)
        .iter_all_changes()
        .map(|change| {
            let text = change.value().trim_end_matches('\n').to_string();
            match change.tag() {
                similar::ChangeTag::Equal => DiffLine::Same(text),
                similar::ChangeTag::Insert => DiffLine::Added(text),
                similar::ChangeTag::Delete => DiffLine::Removed(text),
            }
        })
        .collect()
}

/// Makes an old revision current again (as a new revision, so nothing is lost).
pub async fn restore(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    revision_id: i64,
) -> Result<(), AppError> {
    structure::editable_item(state, actor, item_id).await?;
    let (revision, body) = store::revision(&state.db, item_id, revision_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = now();
    let mut tx = state.db.begin().await?;
    outline_store::set_item_text(&mut tx, item_id, &revision.title, &body, now).await?;
    keep_revision(&mut tx, item_id, &revision.title, &body, actor.id, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_added_and_removed_lines() {
        let lines = diff_lines("a\nb\nc\n", "a\nc\nd\n");
        assert_eq!(
            lines,
            vec![
                DiffLine::Same("a".into()),
                DiffLine::Removed("b".into()),
                DiffLine::Same("c".into()),
                DiffLine::Added("d".into()),
            ]
        );
    }

    #[test]
    fn a_missing_final_newline_is_not_a_change() {
        let lines = diff_lines("a", "a\nb");
        assert_eq!(
            lines,
            vec![DiffLine::Same("a".into()), DiffLine::Added("b".into())]
        );
    }
}
