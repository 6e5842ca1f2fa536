//! Course use cases: create, edit, publish, copy, prerequisites, categories, reviews. Every
//! function checks the actor's site or course permission first and writes in one transaction.
//! What also changes enrolments (creating a course, its enrolment settings) is in
//! `enrolments::service`, the area above.

use super::access::{self, CourseAccess};
use super::category_store;
use super::model::*;
use super::outline_store;
use super::store;
use crate::audit::{self, Entry};
use crate::auth::permissions::{Action, Actor, can};
use crate::db::{Tx, now};
use crate::error::{AppError, OrInternal};
use crate::files::records;
use crate::paging::Page;
use crate::state::AppState;

/// A new course, checked before its transaction (the category check reads): who may create one,
/// and the form. The use case is `enrolments::service::create_course`, which also enrols the
/// creator.
pub async fn check_new(
    state: &AppState,
    actor: &Actor,
    form: &CourseForm,
) -> Result<CourseFields, AppError> {
    if !can(actor, Action::CreateCourse) {
        return Err(AppError::Forbidden);
    }
    let fields = form.parse()?;
    check_category(state, fields.category_id).await?;
    Ok(fields)
}

/// Inserts a course `check_new` accepted and records it, in the caller's transaction.
pub async fn insert_new(
    tx: &mut Tx,
    actor: &Actor,
    fields: &CourseFields,
    now: i64,
) -> Result<Course, AppError> {
    let id = store::insert(tx, fields, actor.id, now).await?;
    let course = store::find_in_tx(tx, id)
        .await?
        .or_internal("reading back the new course")?;
    audit::record(
        tx,
        actor,
        Entry::new("course.create", "course", Some(id), &course.code).after(&course.form()),
        now,
    )
    .await?;
    Ok(course)
}

async fn check_category(state: &AppState, category_id: Option<i64>) -> Result<(), AppError> {
    if let Some(id) = category_id
        && !category_store::categories(&state.db)
            .await?
            .iter()
            .any(|c| c.id == id)
    {
        return Err(AppError::invalid(
            "category_id",
            "Choose a category from the list.",
        ));
    }
    Ok(())
}

/// The staff view of a course: settings, full outline (hidden items too), files.
pub async fn editor(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<CourseEditor, AppError> {
    let access =
        access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let course = store::find(&state.db, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(CourseEditor {
        course,
        sections: outline_store::outline(&state.db, course_id, true).await?,
        files: records::files(&state.db, course_id)
            .await?
            .iter()
            .map(records::FileRow::info)
            .collect(),
        prerequisites: store::prerequisites(&state.db, course_id).await?,
        categories: category_store::categories(&state.db).await?,
        max_upload_bytes: state.config.max_upload_bytes,
        can_edit: access.may_edit(),
        deleted: if access.may_edit() {
            outline_store::deleted_items(&state.db, course_id).await?
        } else {
            Vec::new()
        },
    })
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    form: &CourseForm,
) -> Result<Course, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let fields = form.parse()?;
    check_category(state, fields.category_id).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let before = store::find_in_tx(&mut tx, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::update(&mut tx, course_id, &fields, now).await?;
    let course = store::find_in_tx(&mut tx, course_id)
        .await?
        .or_internal("reading back the changed course")?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("course.update", "course", Some(course_id), &course.code)
            .before(&before.form())
            .after(&course.form()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(course)
}

pub async fn set_state(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    new_state: CourseState,
) -> Result<Course, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let course = store::find_in_tx(&mut tx, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::set_state(&mut tx, course_id, new_state, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            match new_state {
                CourseState::Draft => "course.draft",
                CourseState::Published => "course.publish",
                CourseState::Archived => "course.archive",
            },
            "course",
            Some(course_id),
            &course.code,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Course {
        state: new_state,
        ..course
    })
}

const MAX_PREREQUISITES: usize = 50;

/// Sets the courses that must be completed before enrolling, by code (comma-separated).
pub async fn set_prerequisites(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    codes: &str,
) -> Result<Vec<CourseCard>, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let wanted: Vec<String> = codes
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if wanted.len() > MAX_PREREQUISITES {
        return Err(AppError::invalid(
            "prerequisites",
            format!("A course can require at most {MAX_PREREQUISITES} others."),
        ));
    }
    // Only courses the instructor may see count: a draft of someone else's is "no such course".
    let mut found = Vec::new();
    for (id, code) in store::find_ids_by_codes(&state.db, &wanted).await? {
        if access::load(&state.db, actor, id).await?.may_see_course() {
            found.push((id, code));
        }
    }
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|w| !found.iter().any(|(_, code)| code.eq_ignore_ascii_case(w)))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(AppError::invalid(
            "prerequisites",
            format!("No course has the code {}.", missing.join(", ")),
        ));
    }
    let mut ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.contains(&course_id) {
        return Err(AppError::invalid(
            "prerequisites",
            "A course cannot require itself.",
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    store::set_prerequisites(&mut tx, course_id, &ids).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("course.prerequisites", "course", Some(course_id), codes),
        now,
    )
    .await?;
    tx.commit().await?;
    store::prerequisites(&state.db, course_id).await
}

pub async fn set_cover(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    file_id: Option<i64>,
) -> Result<(), AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    if let Some(file_id) = file_id {
        let file = records::find_file(&state.db, file_id).await?;
        if !file.is_some_and(|f| {
            f.course_id == course_id
                && f.private_to.is_none()
                && f.content_type.starts_with("image/")
        }) {
            return Err(AppError::invalid(
                "cover_file_id",
                "Choose an image uploaded to this course.",
            ));
        }
    }
    store::set_cover(&state.db, course_id, file_id).await
}

// ---- lists ---------------------------------------------------------------------------------

/// Published courses for the catalogue.
pub async fn catalogue(
    state: &AppState,
    _actor: &Actor,
    query: &CatalogueQuery,
) -> Result<Page<CourseCard>, AppError> {
    store::search(&state.db, query, &[CourseState::Published], None).await
}

/// Courses the actor teaches (every state); administrators and managers see every course.
pub async fn teaching(
    state: &AppState,
    actor: &Actor,
    query: &CatalogueQuery,
) -> Result<Page<CourseCard>, AppError> {
    let oversees_all = actor.is_admin() || actor.has_role(crate::users::model::Role::Manager);
    let teacher = if oversees_all { None } else { Some(actor.id) };
    store::search(&state.db, query, CourseState::ALL, teacher).await
}

/// Courses whose review date has passed: all of them for administrators, one's own otherwise.
pub async fn reviews_due(state: &AppState, actor: &Actor) -> Result<Vec<ReviewDue>, AppError> {
    let owner = if can(actor, Action::ViewAllReviews) {
        None
    } else {
        Some(actor.id)
    };
    store::reviews_due(&state.db, now(), owner).await
}

// ---- categories ----------------------------------------------------------------------------

pub async fn categories(state: &AppState) -> Result<Vec<CategoryOption>, AppError> {
    category_store::categories(&state.db).await
}

fn parse_parent(input: &str) -> Result<Option<i64>, AppError> {
    match input.trim() {
        "" => Ok(None),
        s => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::invalid("parent_id", "Choose a parent category from the list.")),
    }
}

pub async fn save_category(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    name: &str,
    parent_id: &str,
) -> Result<i64, AppError> {
    if !can(actor, Action::ManageCategories) {
        return Err(AppError::Forbidden);
    }
    let name = parse_line("name", "name", name, 100)?;
    let parent = parse_parent(parent_id)?;
    let now = now();
    match id {
        None => {
            let id = category_store::insert_category(&state.db, parent, &name, now).await?;
            Ok(id)
        }
        Some(id) => {
            // A category cannot move under itself or under one of its own descendants.
            if let Some(parent) = parent {
                let all = category_store::categories(&state.db).await?;
                let mut cursor = Some(parent);
                while let Some(c) = cursor {
                    if c == id {
                        return Err(AppError::invalid(
                            "parent_id",
                            "A category cannot move inside itself.",
                        ));
                    }
                    cursor = all.iter().find(|k| k.id == c).and_then(|k| k.parent_id);
                }
            }
            if category_store::update_category(&state.db, id, parent, &name).await? == 0 {
                return Err(AppError::NotFound);
            }
            Ok(id)
        }
    }
}

pub async fn delete_category(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    if !can(actor, Action::ManageCategories) {
        return Err(AppError::Forbidden);
    }
    if category_store::delete_category(&state.db, id).await? == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
