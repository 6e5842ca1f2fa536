//! Copying a course: settings, files, structure and every item with what its kind keeps, into a
//! new draft without people. Each kind copies its own part (`registry::copied`).

use super::registry;
use crate::audit::{self, Entry};
use crate::auth::permissions::{Action, Actor, can};
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::*;
use crate::courses::outline_store;
use crate::courses::store;
use crate::db::now;
use crate::error::{AppError, OrInternal};
use crate::files::records;
use crate::state::AppState;

/// Duplicates a course's settings, structure, content and files into a new draft, without people.
pub async fn copy_course(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    code: &str,
    title: &str,
) -> Result<Course, AppError> {
    if !can(actor, Action::CreateCourse) {
        return Err(AppError::Forbidden);
    }
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let source = store::find(&state.db, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut form = source.form();
    form.code = code.to_string();
    form.title = title.to_string();
    let fields = form.parse()?;
    let outline = outline_store::outline(&state.db, course_id, true).await?;
    let files = records::files(&state.db, course_id).await?;
    // Read before the transaction, in one query: a transaction never waits for a second
    // connection.
    let mut contents = outline_store::item_contents(&state.db, course_id).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let new_id = store::insert(&mut tx, &fields, actor.id, now).await?;
    store::set_enrolment_settings(&mut tx, new_id, &source.enrolment, now).await?;
    // Course-level content of the kinds first (a quiz's question bank), for the items to use.
    let shared = registry::copy_course_content(&mut tx, course_id, new_id, actor.id, now).await?;
    let mut file_map = Vec::with_capacity(files.len());
    for f in files.iter().rev() {
        let id = records::insert_file(&mut tx, new_id, &f.as_new(), actor.id, now).await?;
        file_map.push((f.id, id));
    }
    let remap = |old: Option<i64>| {
        old.and_then(|o| {
            file_map
                .iter()
                .find(|(from, _)| *from == o)
                .map(|(_, to)| *to)
        })
    };
    if let Some(cover) = remap(source.cover_file_id) {
        store::set_cover_in_tx(&mut tx, new_id, cover).await?;
    }
    for section in &outline {
        let section_id =
            outline_store::insert_section(&mut tx, new_id, &section.title, now).await?;
        for item in &section.items {
            // The outline and the contents are read one after the other: an item deleted in
            // between has no contents.
            let (mut body, url, file_id) = contents.remove(&item.id).ok_or_else(|| {
                AppError::Conflict(
                    "The course changed while it was being copied. Please try again.".into(),
                )
            })?;
            for (from, to) in &file_map {
                body = body.replace(&format!("/files/{from}/"), &format!("/files/{to}/"));
            }
            let fields = ItemFields {
                kind: item.kind,
                title: item.title.clone(),
                body,
                url,
                file_id: remap(file_id),
                required: item.required,
                hidden: item.hidden,
                completion: item.completion,
            };
            let new_item =
                outline_store::insert_item(&mut tx, new_id, section_id, &fields, now).await?;
            registry::copied(
                &mut tx, &shared, actor, new_id, item.id, new_item, &fields, now,
            )
            .await?;
        }
    }
    crate::enrolments::store::upsert(
        &mut tx,
        new_id,
        actor.id,
        CourseRole::Instructor,
        EnrolmentStatus::Active,
        EnrolmentMethod::Creator,
        None,
        now,
    )
    .await?;
    let course = store::find_in_tx(&mut tx, new_id)
        .await?
        .or_internal("reading back the copied course")?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "course.copy",
            "course",
            Some(new_id),
            format!("{} from {}", course.code, source.code),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(course)
}
