//! Gradebook use cases: categories and manual items, quiz results flowing in, graders editing one
//! cell (never over a newer change: versions), overrides with a reason kept in history, and each
//! learner's course total recomputed from that learner's rows whenever one of their grades changes.

use super::model::*;
use super::rules;
use super::store::{self, CellWrite};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::parse_line;
use crate::db::{Tx, now};
use crate::error::{AppError, OrInternal};
use crate::items::kind::ItemKind;
use crate::state::AppState;
use crate::webhooks::model::Event;
use std::collections::HashMap;

pub async fn add_category(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    name: &str,
    weight: f64,
    drop_lowest: i32,
) -> Result<i64, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let name = parse_line("name", "category name", name, 200)?;
    check_category_rule(weight, drop_lowest)?;
    store::insert_category(&state.db, course_id, &name, weight, drop_lowest, now()).await
}

fn check_category_rule(weight: f64, drop_lowest: i32) -> Result<(), AppError> {
    if !(0.0..=1000.0).contains(&weight) || !weight.is_finite() {
        return Err(AppError::invalid(
            "weight",
            "Enter a weight from 0 to 1000 %.",
        ));
    }
    if !(0..=100).contains(&drop_lowest) {
        return Err(AppError::invalid(
            "drop_lowest",
            "Drop from 0 to 100 items.",
        ));
    }
    Ok(())
}

fn check_max_points(max_points: f64) -> Result<f64, AppError> {
    if max_points.is_finite() && max_points > 0.0 && max_points <= 100_000.0 {
        Ok(max_points)
    } else {
        Err(AppError::invalid(
            "max_points",
            "Enter the points possible (more than 0).",
        ))
    }
}

async fn check_category(
    state: &AppState,
    course_id: i64,
    category_id: Option<i64>,
) -> Result<(), AppError> {
    if let Some(category) = category_id
        && store::category_course(&state.db, category).await? != Some(course_id)
    {
        return Err(AppError::invalid(
            "category_id",
            "Choose one of this course's categories.",
        ));
    }
    Ok(())
}

pub async fn add_item(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    category_id: Option<i64>,
    name: &str,
    max_points: f64,
    extra_credit: bool,
) -> Result<i64, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let name = parse_line("name", "item name", name, 200)?;
    let max_points = check_max_points(max_points)?;
    check_category(state, course_id, category_id).await?;
    store::insert_item(
        &state.db,
        course_id,
        category_id,
        name.as_str(),
        max_points,
        extra_credit,
        now(),
    )
    .await
}

/// Changes a grade item. Items fed by a quiz or an assignment take their name and points from
/// it, so only their category and extra credit change here. Every learner's total follows.
pub async fn update_item(
    state: &AppState,
    actor: &Actor,
    grade_item_id: i64,
    category_id: Option<i64>,
    name: &str,
    max_points: f64,
    extra_credit: bool,
) -> Result<(), AppError> {
    let (course_id, item) = store::item(&state.db, grade_item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    check_category(state, course_id, category_id).await?;
    let (name, max_points) = if item.source == "manual" {
        (
            parse_line("name", "item name", name, 200)?,
            check_max_points(max_points)?,
        )
    } else {
        (item.name.clone(), item.max_points)
    };
    store::update_item(
        &state.db,
        grade_item_id,
        category_id,
        &name,
        max_points,
        extra_credit,
    )
    .await?;
    recompute_course(state, course_id).await
}

/// Deletes a manual grade item with its grades (items fed by a quiz or an assignment go with
/// their course item).
pub async fn delete_item(
    state: &AppState,
    actor: &Actor,
    grade_item_id: i64,
) -> Result<(), AppError> {
    let (course_id, item) = store::item(&state.db, grade_item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    if item.source != "manual" {
        return Err(AppError::invalid(
            "item",
            "This item comes from a quiz or an assignment: delete that from the course instead.",
        ));
    }
    store::delete_item(&state.db, grade_item_id).await?;
    recompute_course(state, course_id).await
}

pub async fn update_category(
    state: &AppState,
    actor: &Actor,
    category_id: i64,
    name: &str,
    weight: f64,
    drop_lowest: i32,
) -> Result<(), AppError> {
    let course_id = store::category_course(&state.db, category_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let name = parse_line("name", "category name", name, 200)?;
    check_category_rule(weight, drop_lowest)?;
    store::update_category(&state.db, category_id, &name, weight, drop_lowest).await?;
    recompute_course(state, course_id).await
}

/// Deletes a category; its items stay, uncategorised.
pub async fn delete_category(
    state: &AppState,
    actor: &Actor,
    category_id: i64,
) -> Result<(), AppError> {
    let course_id = store::category_course(&state.db, category_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    store::delete_category(&state.db, category_id).await?;
    recompute_course(state, course_id).await
}

/// A course item went to the recycle bin or came back: its grades leave or rejoin the totals and
/// its completion leaves or rejoins the course's, so every learner's total and completion follow.
pub async fn course_items_changed(state: &AppState, course_id: i64) -> Result<(), AppError> {
    recompute_course(state, course_id).await
}

/// Every learner's total again, after the gradebook's structure changed (an item's points, a
/// category's weight). A few hundred learners per transaction, so writers are not held up long.
async fn recompute_course(state: &AppState, course_id: i64) -> Result<(), AppError> {
    let learners = store::learner_ids(&state.db, course_id).await?;
    let now = now();
    for chunk in learners.chunks(200) {
        let mut tx = state.db.begin().await?;
        for user_id in chunk {
            recompute_total(&mut tx, course_id, *user_id, now).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// One cell's history, newest first.
pub async fn cell_history(
    state: &AppState,
    actor: &Actor,
    grade_item_id: i64,
    user_id: i64,
) -> Result<Vec<HistoryEntry>, AppError> {
    let (course_id, _) = store::item(&state.db, grade_item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    Ok(store::history(&state.db, grade_item_id, user_id)
        .await?
        .into_iter()
        .map(|h| HistoryEntry {
            points: h.points,
            override_points: h.override_points,
            excused: h.excused,
            reason: h.reason,
            changed_by: h.changed_by_name.unwrap_or_default(),
            changed_at: h.changed_at,
        })
        .collect())
}

/// A quiz result reaches the gradebook and the learner's total follows; runs inside the
/// transaction that changed the attempt. The scale is the quiz's: its grade item is worth the
/// quiz's total marks (`max_points`) and the grade is the learner's percentage of them, so the
/// review, the intro, the gradebook and My grades all read "3 / 4 points (75 %)".
pub async fn record_quiz_grade(
    tx: &mut Tx,
    course_id: i64,
    quiz_item_id: i64,
    user_id: i64,
    percent: Option<f64>,
    max_points: f64,
    now: i64,
) -> Result<(), AppError> {
    let grade_item = match store::source_max(tx, quiz_item_id).await? {
        Some((id, old)) => {
            rescale_quiz(tx, course_id, id, quiz_item_id, old, max_points, now).await?;
            id
        }
        None => {
            let source = store::Source::Quiz { max_points };
            store::source_item(tx, course_id, quiz_item_id, source, now).await?
        }
    };
    let points = percent.map(|p| p / 100.0 * max_points);
    store::set_source_points(tx, grade_item, user_id, course_id, points, now).await?;
    recompute_total(tx, course_id, user_id, now).await
}

/// A quiz's total marks changed (questions added or removed, a mark changed): its grade item is
/// worth the new total and every grade on it keeps its percentage. In the transaction that
/// changed the quiz, or its own.
pub async fn quiz_points_changed(
    tx: &mut Tx,
    course_id: i64,
    quiz_item_id: i64,
    max_points: f64,
    now: i64,
) -> Result<(), AppError> {
    if let Some((id, old)) = store::source_max(tx, quiz_item_id).await? {
        rescale_quiz(tx, course_id, id, quiz_item_id, old, max_points, now).await?;
    }
    Ok(())
}

/// Moves a quiz's grade item from `old` to `new` points possible, grades scaled, totals after.
/// A quiz with no marks (every question removed) keeps the last total it had.
async fn rescale_quiz(
    tx: &mut Tx,
    course_id: i64,
    grade_item: i64,
    quiz_item_id: i64,
    old: f64,
    new: f64,
    now: i64,
) -> Result<(), AppError> {
    if new <= 0.0 || (old - new).abs() < 1e-9 {
        return Ok(());
    }
    if old > 0.0 {
        store::rescale_grades(tx, grade_item, new / old).await?;
    }
    store::set_source_max(tx, quiz_item_id, new).await?;
    for user_id in store::graded_learners(tx, grade_item).await? {
        recompute_total(tx, course_id, user_id, now).await?;
    }
    Ok(())
}

/// Computes again the totals of the courses a migration marked stale (0013: quiz grades moved
/// from out of 100 to out of the quiz's marks), once, in the background after start-up.
pub async fn recompute_stale(state: AppState) {
    let courses = match store::stale_courses(&state.db).await {
        Ok(courses) => courses,
        Err(e) => {
            tracing::warn!(error = %e, "listing courses with stale totals failed");
            return;
        }
    };
    for course_id in courses {
        let done = match recompute_course(&state, course_id).await {
            Ok(()) => store::clear_stale(&state.db, course_id).await,
            Err(e) => Err(e),
        };
        if let Err(e) = done {
            tracing::warn!(course_id, error = %e, "recomputing a course's totals failed");
        }
    }
}

/// An assignment's grade (points after any late penalty) reaches the gradebook and the learner's
/// total follows; runs inside the transaction that graded the work.
pub async fn record_assignment_grade(
    tx: &mut Tx,
    course_id: i64,
    assignment_item_id: i64,
    max_points: f64,
    user_id: i64,
    points: Option<f64>,
    now: i64,
) -> Result<(), AppError> {
    let source = store::Source::Assignment { max_points };
    let grade_item = store::source_item(tx, course_id, assignment_item_id, source, now).await?;
    store::set_source_points(tx, grade_item, user_id, course_id, points, now).await?;
    recompute_total(tx, course_id, user_id, now).await
}

/// A score that an item's content reports (a SCORM package: a percentage) reaches the gradebook,
/// out of 100 points, and the learner's total follows; in the transaction that kept the report.
pub async fn record_reported_grade(
    tx: &mut Tx,
    course_id: i64,
    item_id: i64,
    kind: ItemKind,
    user_id: i64,
    percent: Option<f64>,
    now: i64,
) -> Result<(), AppError> {
    let source = store::Source::Reported { kind };
    let grade_item = store::source_item(tx, course_id, item_id, source, now).await?;
    let points = percent.map(|p| p.clamp(0.0, 100.0));
    store::set_source_points(tx, grade_item, user_id, course_id, points, now).await?;
    recompute_total(tx, course_id, user_id, now).await
}

/// An assignment's settings changed: its grade item takes the new points possible, the graded
/// learners' points are set again (`graded`: the due date or the late rule may have changed),
/// and every learner with a grade on it gets their total recomputed once.
pub async fn assignment_changed(
    tx: &mut Tx,
    course_id: i64,
    assignment_item_id: i64,
    max_points: f64,
    graded: &[(i64, Option<f64>)],
    now: i64,
) -> Result<(), AppError> {
    let source = store::Source::Assignment { max_points };
    let grade_item = store::source_item(tx, course_id, assignment_item_id, source, now).await?;
    store::set_source_max(tx, assignment_item_id, max_points).await?;
    for (user_id, points) in graded {
        store::set_source_points(tx, grade_item, *user_id, course_id, *points, now).await?;
    }
    for user_id in store::graded_learners(tx, grade_item).await? {
        recompute_total(tx, course_id, user_id, now).await?;
    }
    Ok(())
}

/// Shows a grade item to learners, or hides it (an assignment's grades until they are released).
pub async fn set_item_hidden(
    state: &AppState,
    actor: &Actor,
    grade_item_id: i64,
    hidden: bool,
) -> Result<(), AppError> {
    let (course_id, item) = store::item(&state.db, grade_item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let at = now();
    let mut tx = state.db.begin().await?;
    if store::set_hidden(&mut tx, grade_item_id, hidden).await? && !hidden {
        let learners = store::graded_learners(&mut tx, grade_item_id).await?;
        let data = serde_json::json!({
            "course_id": course_id,
            "grade_item_id": grade_item_id,
            "name": item.name,
            "max_points": item.max_points,
            "graded_learner_ids": learners,
        });
        crate::webhooks::outbox::emit(&mut tx, Event::GradeReleased, data, at).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One learner's course total from their own grades: a handful of rows, whatever the class size.
/// A total reaching the course's pass grade may complete the course.
pub async fn recompute_total(
    tx: &mut Tx,
    course_id: i64,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    let (categories, scores) = store::learner_scores(tx, course_id, user_id).await?;
    let total = rules::course_total(&categories, &scores);
    store::set_total(tx, course_id, user_id, total, now).await?;
    crate::completion::service::course_if_done(tx, course_id, user_id, now).await
}

/// The course's letter scheme (its own, or the default).
pub async fn letters(state: &AppState, course_id: i64) -> Result<Vec<rules::LetterBand>, AppError> {
    let (_, letters) = store::settings(&state.db, course_id).await?;
    Ok(letters
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_else(rules::default_letters))
}

/// Sets the pass grade (empty for none) and the letter scheme, then brings every learner's
/// completion up to date (a lower pass grade can complete courses at once).
pub async fn save_settings(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    pass_percent: &str,
    letters: &str,
) -> Result<(), AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let mut problems = crate::error::Problems::default();
    let pass = match pass_percent.trim() {
        "" => None,
        typed => match crate::input::parse_number(typed.trim_end_matches('%')) {
            Some(p) if (0.0..=100.0).contains(&p) => Some(p),
            _ => {
                problems.add(
                    "pass_percent",
                    "Enter a pass grade from 0 to 100 %, or leave it empty.",
                );
                None
            }
        },
    };
    let bands = match rules::parse_letters(letters) {
        Ok(b) => Some(b),
        Err(message) => {
            problems.add("letters", message);
            None
        }
    };
    problems.into_result()?;
    let json = serde_json::to_string(&bands).or_internal("encoding letter grades")?;
    let now = now();
    store::save_settings(&state.db, course_id, pass, Some(json.as_str()), now).await?;
    let learners = store::learner_ids(&state.db, course_id).await?;
    let mut tx = state.db.begin().await?;
    for user_id in learners {
        crate::completion::service::course_if_done(&mut tx, course_id, user_id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A grader changes one learner's grade on one item. A change made from an older version than
/// the stored one is refused with the newer value, so nobody overwrites a colleague unseen.
pub async fn set_cell(
    state: &AppState,
    actor: &Actor,
    grade_item_id: i64,
    user_id: i64,
    edit: &CellEdit,
) -> Result<SavedCell, AppError> {
    let (course_id, item) = store::item(&state.db, grade_item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let learner = access::load(&state.db, &Actor::other_person(user_id), course_id).await?;
    if !learner.is_learner() {
        return Err(AppError::invalid(
            "user_id",
            "Only learners of this course have grades.",
        ));
    }
    let typed = edit.points.trim();
    let value = if typed.is_empty() {
        None
    } else {
        match crate::input::parse_number(typed) {
            Some(v) if v >= 0.0 && v <= item.max_points * 10.0 => Some(v),
            _ => {
                return Err(AppError::invalid(
                    "points",
                    format!(
                        "Enter points from 0 (out of {}), or leave it empty.",
                        item.max_points
                    ),
                ));
            }
        }
    };
    if edit.feedback.as_ref().is_some_and(|f| f.len() > 20_000) {
        return Err(AppError::invalid(
            "feedback",
            "Feedback can be at most 20,000 characters.",
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let current = store::grade(&mut tx, grade_item_id, user_id).await?;
    let from_source = item.source != "manual";
    let (points, override_points) = if from_source {
        (current.as_ref().and_then(|g| g.points), value)
    } else {
        (value, None)
    };
    let overriding =
        from_source && override_points != current.as_ref().and_then(|g| g.override_points);
    if overriding && edit.reason.trim().is_empty() {
        return Err(AppError::invalid(
            "reason",
            "Say why you are overriding the result it came with.",
        ));
    }
    let cell = CellWrite {
        grade_item_id,
        user_id,
        course_id,
        points,
        override_points,
        excused: edit.excused,
        feedback: match &edit.feedback {
            Some(f) => f.trim().to_string(),
            None => current
                .as_ref()
                .map(|g| g.feedback.clone())
                .unwrap_or_default(),
        },
        by: actor.id,
    };
    if !store::write_cell(&mut tx, &cell, edit.version, now).await? {
        let newer = store::grade(&mut tx, grade_item_id, user_id).await?;
        let shown = newer
            .as_ref()
            .and_then(|g| g.effective())
            .map(|p| format!("{p}"))
            .unwrap_or_else(|| "no grade".into());
        return Err(AppError::Conflict(format!(
            "Someone else changed this grade (it is now {shown}) while you were editing. Check it, then save again."
        )));
    }
    store::add_history(&mut tx, &cell, edit.reason.trim(), now).await?;
    recompute_total(&mut tx, course_id, user_id, now).await?;
    let version = store::grade(&mut tx, grade_item_id, user_id)
        .await?
        .map(|g| g.version)
        .unwrap_or(1);
    tx.commit().await?;
    let total_percent = store::total(&state.db, course_id, user_id).await?;
    let letters = letters(state, course_id).await?;
    Ok(SavedCell {
        version,
        total_percent,
        letter: total_percent.and_then(|t| rules::letter_for(&letters, t).map(str::to_string)),
    })
}

/// Staff see the grader table: one page of active learners (by name) × one page of grade
/// items, so a large class with many items stays a page the browser renders quickly.
pub async fn grader_table(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    page: u32,
    col_page: u32,
) -> Result<GraderTable, AppError> {
    let access =
        access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let course = crate::courses::store::find(&state.db, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = page.max(1);
    let categories = store::categories(&state.db, course_id).await?;
    let all_items = store::items(&state.db, course_id).await?;
    let col_pages = (all_items.len().max(1) as u32).div_ceil(COLS_PER_PAGE);
    let col_page = col_page.clamp(1, col_pages);
    let items: Vec<&store::ItemRow> = all_items
        .iter()
        .skip(((col_page - 1) * COLS_PER_PAGE) as usize)
        .take(COLS_PER_PAGE as usize)
        .collect();
    let (learners, total_learners) = store::learners(&state.db, course_id, PER_PAGE, page).await?;
    let ids: Vec<i64> = learners.iter().map(|l| l.id).collect();
    let grades = by_cell(store::grades_of(&state.db, course_id, &ids).await?);
    let totals: HashMap<i64, Option<f64>> = store::totals_of(&state.db, course_id, &ids)
        .await?
        .into_iter()
        .collect();
    let letters = letters(state, course_id).await?;
    let (pass, _) = store::settings(&state.db, course_id).await?;
    let rows = learners
        .into_iter()
        .map(|l| {
            let total = totals.get(&l.id).copied().flatten();
            GraderRow {
                user_id: l.id,
                name: l.name,
                email: l.email,
                total_percent: total,
                letter: total.and_then(|t| rules::letter_for(&letters, t).map(str::to_string)),
                cells: items
                    .iter()
                    .map(|i| match grades.get(&(i.id, l.id)) {
                        Some(g) => GradeCell {
                            points: g.points,
                            override_points: g.override_points,
                            excused: g.excused,
                            feedback: g.feedback.clone(),
                            version: g.version,
                        },
                        None => GradeCell {
                            points: None,
                            override_points: None,
                            excused: false,
                            feedback: String::new(),
                            version: 0,
                        },
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(GraderTable {
        course_id,
        course_title: course.title,
        items: items.iter().map(|i| item_view(i, &categories)).collect(),
        all_items: all_items
            .iter()
            .map(|i| item_view(i, &categories))
            .collect(),
        col_page,
        col_pages,
        total_items: all_items.len(),
        categories: categories
            .into_iter()
            .map(|c| GradeCategoryView {
                id: c.id,
                name: c.name,
                weight: c.weight,
                drop_lowest: c.drop_lowest,
            })
            .collect(),
        rows,
        page,
        per_page: PER_PAGE,
        total_learners,
        may_edit_setup: access.may_edit(),
        pass_percent: pass.map(format_points).unwrap_or_default(),
        letters: rules::letters_text(&letters),
    })
}

/// Learners per page of the grader table.
pub const PER_PAGE: u32 = 50;
const COLS_PER_PAGE: u32 = COLUMNS_PER_PAGE;

fn item_view(i: &store::ItemRow, categories: &[store::CategoryRow]) -> GradeItemView {
    GradeItemView {
        id: i.id,
        name: i.name.clone(),
        category_id: i.category_id,
        category: i.category_id.and_then(|c| {
            categories
                .iter()
                .find(|k| k.id == c)
                .map(|k| k.name.clone())
        }),
        max_points: i.max_points,
        extra_credit: i.extra_credit,
        from_source: i.source != "manual",
        hidden: i.hidden,
    }
}

/// A learner's own grades (enrolled learners only).
pub async fn my_grades(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<MyGrades, AppError> {
    let access = access::load(&state.db, actor, course_id).await?;
    if !access.is_learner() || !access.may_view_content() {
        return Err(AppError::Forbidden);
    }
    let course = crate::courses::store::find(&state.db, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let categories = store::categories(&state.db, course_id).await?;
    let all_items = store::items(&state.db, course_id).await?;
    let grades = store::grades_of(&state.db, course_id, &[actor.id]).await?;
    // Hidden items are left out, and so is their share of the total: the total shown is the one
    // the visible grades make (Moodle's "excluding hidden items"). So are quizzes whose review
    // options do not show marks yet: the gradebook must not tell what the review withholds.
    let withheld = store::quiz_marks_withheld(&state.db, course_id, crate::db::now()).await?;
    let items: Vec<&store::ItemRow> = all_items
        .iter()
        .filter(|i| !i.hidden && !withheld.contains(&i.id))
        .collect();
    let total = if items.len() == all_items.len() {
        store::total(&state.db, course_id, actor.id).await?
    } else {
        let rules: Vec<rules::CategoryRule> =
            categories.iter().map(store::CategoryRow::rule).collect();
        let scores: Vec<rules::ItemScore> = items
            .iter()
            .map(|i| {
                let g = grades.iter().find(|g| g.grade_item_id == i.id);
                rules::ItemScore {
                    item_id: i.id,
                    category_id: i.category_id,
                    points: g.and_then(|g| g.effective()),
                    max_points: i.max_points,
                    excused: g.is_some_and(|g| g.excused),
                    extra_credit: i.extra_credit,
                }
            })
            .collect();
        rules::course_total(&rules, &scores)
    };
    let letters = letters(state, course_id).await?;
    // Assignment feedback is written on the submission (visible here once released: hidden
    // items are left out above).
    let work_feedback: HashMap<i64, String> =
        store::submission_feedback(&state.db, course_id, actor.id)
            .await?
            .into_iter()
            .collect();
    Ok(MyGrades {
        course_id,
        course_title: course.title,
        rows: items
            .iter()
            .map(|i| {
                let g = grades.iter().find(|g| g.grade_item_id == i.id);
                let cell_feedback = g.map(|g| g.feedback.clone()).unwrap_or_default();
                MyGradeRow {
                    name: i.name.clone(),
                    category: item_view(i, &categories).category,
                    points: g.and_then(|g| g.effective()),
                    max_points: i.max_points,
                    excused: g.is_some_and(|g| g.excused),
                    feedback: if cell_feedback.is_empty() {
                        i.source_item_id
                            .and_then(|s| work_feedback.get(&s).cloned())
                            .unwrap_or_default()
                    } else {
                        cell_feedback
                    },
                    link: i
                        .source_item_id
                        .map(|s| format!("/courses/{course_id}/learn/{s}")),
                }
            })
            .collect(),
        total_percent: total,
        letter: total.and_then(|t| rules::letter_for(&letters, t).map(str::to_string)),
    })
}

/// The grader table as CSV: every learner (not one page), one column per item, then the total.
/// Two queries (learners with totals, then the grades streamed into a learners × items grid),
/// whatever the size of the course.
pub async fn export_csv(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<String, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let items = store::items(&state.db, course_id).await?;
    let letters = letters(state, course_id).await?;
    let learners = store::learners_with_totals(&state.db, course_id).await?;
    let column: HashMap<i64, usize> = items.iter().enumerate().map(|(c, i)| (i.id, c)).collect();
    let row: HashMap<i64, usize> = learners
        .iter()
        .enumerate()
        .map(|(r, (l, _))| (l.id, r))
        .collect();
    let mut grid = vec![ExportCell::Empty; items.len() * learners.len()];
    store::each_grade(&state.db, course_id, |item, user, points, excused| {
        if let (Some(&c), Some(&r)) = (column.get(&item), row.get(&user))
            && let Some(slot) = grid.get_mut(r * items.len() + c)
        {
            *slot = match (excused, points) {
                (true, _) => ExportCell::Excused,
                (false, Some(p)) => ExportCell::Points(p),
                (false, None) => ExportCell::Empty,
            };
        }
    })
    .await?;
    let mut out = crate::spreadsheet::CsvOut::new();
    let mut header = vec!["email".to_string(), "name".to_string()];
    header.extend(
        items
            .iter()
            .map(|i| format!("{} ({})", i.name, format_points(i.max_points))),
    );
    header.push("total %".into());
    header.push("letter".into());
    out.row(&header)?;
    let mut record: Vec<String> = Vec::with_capacity(items.len() + 4);
    for (r, (l, total)) in learners.iter().enumerate() {
        record.clear();
        record.push(l.email.clone());
        record.push(l.name.clone());
        record.extend(
            grid.get(r * items.len()..(r + 1) * items.len())
                .unwrap_or_default()
                .iter()
                .map(|cell| match cell {
                    ExportCell::Empty => String::new(),
                    ExportCell::Excused => "EX".into(),
                    ExportCell::Points(p) => format_points(*p),
                }),
        );
        record.push(total.map(format_points).unwrap_or_default());
        record.push(
            total
                .and_then(|t| rules::letter_for(&letters, t))
                .unwrap_or_default()
                .to_string(),
        );
        out.row(&record)?;
    }
    out.finish()
}

#[derive(Clone, Copy)]
enum ExportCell {
    Empty,
    Excused,
    Points(f64),
}

/// Grades keyed by (grade item, learner), so tables are built without a scan per cell.
pub(crate) fn by_cell(grades: Vec<store::GradeRow>) -> HashMap<(i64, i64), store::GradeRow> {
    grades
        .into_iter()
        .map(|g| ((g.grade_item_id, g.user_id), g))
        .collect()
}
