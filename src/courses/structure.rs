//! Course structure and content: sections, items, ordering, lesson revisions.

use super::access::{self, CourseAccess};
use super::content;
use super::model::*;
use super::store;
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;

async fn editable_section(
    state: &AppState,
    actor: &Actor,
    section_id: i64,
) -> Result<i64, AppError> {
    let course_id = store::section_course(&state.db, section_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    Ok(course_id)
}

async fn editable_item(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<(i64, Item), AppError> {
    let (course_id, item, ..) = store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    Ok((course_id, item))
}

pub async fn add_section(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    title: &str,
) -> Result<i64, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let title = parse_line("title", "section title", title, 200)?;
    let mut tx = state.db.begin().await?;
    let id = store::insert_section(&mut tx, course_id, &title, now()).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn rename_section(
    state: &AppState,
    actor: &Actor,
    section_id: i64,
    title: &str,
) -> Result<(), AppError> {
    editable_section(state, actor, section_id).await?;
    let title = parse_line("title", "section title", title, 200)?;
    store::rename_section(&state.db, section_id, &title).await
}

pub async fn delete_section(
    state: &AppState,
    actor: &Actor,
    section_id: i64,
) -> Result<(), AppError> {
    let course_id = editable_section(state, actor, section_id).await?;
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "section.delete",
            "course",
            Some(course_id),
            &section_id.to_string(),
        ),
        now(),
    )
    .await?;
    tx.commit().await?;
    store::delete_section(&state.db, section_id).await
}

/// Moves a section to `index` (0-based) among the course's sections.
pub async fn move_section(
    state: &AppState,
    actor: &Actor,
    section_id: i64,
    index: usize,
) -> Result<(), AppError> {
    let course_id = editable_section(state, actor, section_id).await?;
    let mut tx = state.db.begin().await?;
    let mut ids = store::section_ids(&mut tx, course_id).await?;
    ids.retain(|&id| id != section_id);
    ids.insert(index.min(ids.len()), section_id);
    for (position, id) in ids.iter().enumerate() {
        store::set_section_position(&mut tx, *id, position as i32).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Checks that a file chosen for an item belongs to the same course.
async fn check_file(state: &AppState, course_id: i64, fields: &ItemFields) -> Result<(), AppError> {
    if let Some(file_id) = fields.file_id {
        let file = store::find_file(&state.db, file_id).await?;
        let Some(file) = file.filter(|f| f.course_id == course_id && f.private_to.is_none()) else {
            return Err(AppError::invalid(
                "file_id",
                "Choose a file uploaded to this course.",
            ));
        };
        if fields.kind == ItemKind::Video && !file.info().is_video() && !file.info().is_audio() {
            return Err(AppError::invalid(
                "file_id",
                "Choose a video or audio file.",
            ));
        }
    }
    Ok(())
}

pub async fn add_item(
    state: &AppState,
    actor: &Actor,
    section_id: i64,
    form: &ItemForm,
) -> Result<i64, AppError> {
    let course_id = editable_section(state, actor, section_id).await?;
    let fields = form.parse()?;
    check_file(state, course_id, &fields).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let id = store::insert_item(&mut tx, course_id, section_id, &fields, now).await?;
    if fields.kind == ItemKind::Lesson {
        store::insert_revision(&mut tx, id, &fields.title, &fields.body, actor.id, now).await?;
    }
    if fields.kind == ItemKind::Quiz {
        crate::assessments::quiz_store::insert_quiz(&mut tx, id, course_id, now).await?;
    }
    if fields.kind == ItemKind::Assignment {
        crate::assignments::service::create(&mut tx, id, course_id, now).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Saves an item. Every save of a lesson keeps a revision.
pub async fn update_item(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    form: &ItemForm,
) -> Result<ItemDetail, AppError> {
    let (course_id, _) = editable_item(state, actor, item_id).await?;
    let fields = form.parse()?;
    check_file(state, course_id, &fields).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    store::update_item(&mut tx, item_id, &fields, now).await?;
    if fields.kind == ItemKind::Quiz {
        crate::assessments::quiz_store::insert_quiz(&mut tx, item_id, course_id, now).await?;
    }
    if fields.kind == ItemKind::Assignment {
        crate::assignments::service::create(&mut tx, item_id, course_id, now).await?;
    }
    if fields.kind == ItemKind::Lesson {
        store::insert_revision(&mut tx, item_id, &fields.title, &fields.body, actor.id, now)
            .await?;
    }
    tx.commit().await?;
    detail(state, item_id).await
}

pub async fn delete_item(state: &AppState, actor: &Actor, item_id: i64) -> Result<(), AppError> {
    let (course_id, item) = editable_item(state, actor, item_id).await?;
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("item.delete", "course", Some(course_id), &item.title),
        now(),
    )
    .await?;
    tx.commit().await?;
    if item.kind == ItemKind::Assignment {
        // The learners' files are not course files: they go with the assignment.
        crate::assignments::service::delete_all_files(state, item_id).await?;
    }
    store::delete_item(&state.db, item_id).await
}

/// Moves an item to `index` (0-based) in a section of the same course (drag and drop, or the
/// move up/down buttons).
pub async fn place_item(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    section_id: i64,
    index: usize,
) -> Result<(), AppError> {
    let (course_id, item) = editable_item(state, actor, item_id).await?;
    if store::section_course(&state.db, section_id).await? != Some(course_id) {
        return Err(AppError::invalid(
            "section_id",
            "Choose a section of this course.",
        ));
    }
    let mut tx = state.db.begin().await?;
    if item.section_id != section_id {
        // Close the gap left behind.
        let mut old = store::item_ids(&mut tx, item.section_id).await?;
        old.retain(|&id| id != item_id);
        for (position, id) in old.iter().enumerate() {
            store::place_item(&mut tx, *id, item.section_id, position as i32).await?;
        }
    }
    let mut ids = store::item_ids(&mut tx, section_id).await?;
    ids.retain(|&id| id != item_id);
    ids.insert(index.min(ids.len()), item_id);
    for (position, id) in ids.iter().enumerate() {
        store::place_item(&mut tx, *id, section_id, position as i32).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An item with its content rendered, for whoever has already been authorized.
pub async fn detail(state: &AppState, item_id: i64) -> Result<ItemDetail, AppError> {
    let (_, item, body, url, file_id) = store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let file = match file_id {
        Some(id) => store::find_file(&state.db, id).await?.map(|f| f.info()),
        None => None,
    };
    let html = if item.kind.has_text() {
        content::render_markdown(&body)
    } else {
        String::new()
    };
    let embed_url = if item.kind == ItemKind::Video {
        url.as_deref().and_then(content::video_embed)
    } else {
        None
    };
    Ok(ItemDetail {
        item,
        body,
        html,
        url,
        embed_url,
        file,
    })
}

/// The item for the editor (staff only).
pub async fn item_for_editing(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<ItemDetail, AppError> {
    let (course_id, ..) = store::find_item(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    detail(state, item_id).await
}

pub async fn revisions(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<Vec<Revision>, AppError> {
    let (course_id, ..) = store::find_item(&state.db, item_id)
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
    let (course_id, ..) = store::find_item(&state.db, item_id)
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
) -> Result<ItemDetail, AppError> {
    editable_item(state, actor, item_id).await?;
    let (revision, body) = store::revision(&state.db, item_id, revision_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = detail(state, item_id).await?;
    let mut form = current.form();
    form.title = revision.title;
    form.body = body;
    update_item(state, actor, item_id, &form).await
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
