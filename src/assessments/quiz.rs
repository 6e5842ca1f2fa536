//! Quiz set-up: settings and the ordered slots (fixed questions or random draws). Editing needs
//! the course's edit permission; slot changes only affect attempts started afterwards, because
//! every attempt keeps its own copy of its questions.

use super::bank_store;
use super::model::*;
use super::question::Question;
use super::quiz_store as store;
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::db::{Tx, now};
use crate::error::AppError;
use crate::state::AppState;
use std::collections::HashMap;

/// The quiz's course and settings, or `NotFound` when the item is not a quiz.
pub async fn find(state: &AppState, item_id: i64) -> Result<(i64, String, QuizSettings), AppError> {
    store::settings(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn editable(state: &AppState, actor: &Actor, item_id: i64) -> Result<i64, AppError> {
    let (course_id, ..) = find(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    Ok(course_id)
}

pub async fn editor(state: &AppState, actor: &Actor, item_id: i64) -> Result<QuizEditor, AppError> {
    let (course_id, title, settings) = find(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let categories = super::bank::categories(state, actor, course_id).await?;
    let slots = slot_views(state, course_id, item_id, &categories).await?;
    Ok(QuizEditor {
        item_id,
        course_id,
        title,
        settings,
        slots,
        categories,
        attempt_count: store::attempt_count(&state.db, item_id).await?,
    })
}

async fn slot_views(
    state: &AppState,
    course_id: i64,
    item_id: i64,
    categories: &[QuestionCategory],
) -> Result<Vec<QuizSlot>, AppError> {
    let rows = store::slots(&state.db, item_id).await?;
    let ids: Vec<i64> = rows.iter().filter_map(|s| s.question_id).collect();
    let questions = bank_store::find_many(&state.db, course_id, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for slot in rows {
        let (label, type_label) = match (slot.question_id, slot.category_id) {
            (Some(id), _) => match questions.iter().find(|q| q.id == id) {
                Some(row) => {
                    let q = row.question()?;
                    (q.name.clone(), q.type_label().to_string())
                }
                None => ("(missing question)".to_string(), String::new()),
            },
            (None, Some(category)) => {
                let name = categories
                    .iter()
                    .find(|c| c.id == category)
                    .map(|c| c.name.as_str())
                    .unwrap_or("?");
                (
                    format!("Random: {} from “{name}”", slot.draw_count),
                    "Random".to_string(),
                )
            }
            (None, None) => continue,
        };
        out.push(QuizSlot {
            id: slot.id,
            position: slot.position,
            mark: slot.mark,
            question_id: slot.question_id,
            category_id: slot.category_id,
            draw_count: slot.draw_count,
            label,
            type_label,
        });
    }
    Ok(out)
}

pub async fn save_settings(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    form: &QuizSettingsForm,
) -> Result<QuizSettings, AppError> {
    editable(state, actor, item_id).await?;
    let settings = form.parse()?;
    store::save_settings(&state.db, item_id, &settings, now()).await?;
    Ok(settings)
}

/// Adds bank questions to the end of the quiz, each worth its default mark. A question already
/// in the quiz is not added twice (the picker marks them; a page left open may still send one).
pub async fn add_questions(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    question_ids: &[i64],
) -> Result<(), AppError> {
    let course_id = editable(state, actor, item_id).await?;
    if question_ids.len() > 500 {
        return Err(AppError::invalid(
            "question_ids",
            "Add at most 500 questions at a time.",
        ));
    }
    let rows = bank_store::find_many(&state.db, course_id, question_ids).await?;
    if rows.len() != question_ids.len() {
        return Err(AppError::invalid(
            "question_ids",
            "Choose questions from this course's bank.",
        ));
    }
    let mut present: Vec<i64> = store::slots(&state.db, item_id)
        .await?
        .iter()
        .filter_map(|s| s.question_id)
        .collect();
    let mut tx = state.db.begin().await?;
    for id in question_ids {
        if present.contains(id) {
            continue;
        }
        present.push(*id);
        if let Some(row) = rows.iter().find(|r| r.id == *id) {
            let mark = row.question()?.default_mark;
            store::add_slot(&mut tx, item_id, Some(*id), None, 1, mark).await?;
        }
    }
    tx.commit().await?;
    points_changed(state, course_id, item_id).await
}

/// A quiz made by an import (a cartridge): its questions go to the bank, in a category named
/// after the quiz, and into the quiz in their order, in the import's transaction. Hook:
/// `items::registry::imported`.
pub async fn imported(
    tx: &mut Tx,
    author: i64,
    course_id: i64,
    item_id: i64,
    title: &str,
    questions: &[Question],
    now: i64,
) -> Result<(), AppError> {
    if questions.is_empty() {
        return Ok(());
    }
    let ids = super::bank::add_imported(tx, author, course_id, title, questions, now).await?;
    let mut total = 0.0;
    for (id, question) in ids.iter().zip(questions) {
        store::add_slot(tx, item_id, Some(*id), None, 1, question.default_mark).await?;
        total += question.default_mark;
    }
    crate::grading::service::quiz_points_changed(tx, course_id, item_id, total, now).await
}

/// The course's quizzes as an export (a cartridge) carries them, by item: their fixed
/// questions in order, each with the marks its slot gives. Random draws are left out: a
/// cartridge's assessment lists questions. Hook: `items::registry::exported`.
pub async fn exported(
    state: &AppState,
    course_id: i64,
) -> Result<HashMap<i64, Vec<(Question, f64)>>, AppError> {
    let mut out: HashMap<i64, Vec<(Question, f64)>> = HashMap::new();
    for (item_id, mark, row) in store::course_questions(&state.db, course_id).await? {
        out.entry(item_id)
            .or_default()
            .push((row.question()?, mark));
    }
    Ok(out)
}

/// The quiz's total marks may have changed: its gradebook item follows (grades keep their
/// percentage).
async fn points_changed(state: &AppState, course_id: i64, item_id: i64) -> Result<(), AppError> {
    let total = store::total_marks(&store::slots(&state.db, item_id).await?);
    let mut tx = state.db.begin().await?;
    crate::grading::service::quiz_points_changed(&mut tx, course_id, item_id, total, now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a slot that draws `count` different questions at random from a category.
pub async fn add_random(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    category_id: i64,
    count: i32,
    mark: f64,
) -> Result<(), AppError> {
    let course_id = editable(state, actor, item_id).await?;
    let categories = bank_store::categories(&state.db, course_id).await?;
    let Some(category) = categories.iter().find(|c| c.id == category_id) else {
        return Err(AppError::invalid(
            "category_id",
            "Choose one of this course's categories.",
        ));
    };
    if count < 1 || i64::from(count) > category.question_count {
        return Err(AppError::invalid(
            "draw_count",
            match category.question_count {
                0 => "This category has no questions yet.".to_string(),
                n => format!(
                    "Choose from 1 to {n} (the category has {}).",
                    crate::ui::format::plural(n, "question", "questions")
                ),
            },
        ));
    }
    check_mark(mark)?;
    let mut tx = state.db.begin().await?;
    store::add_slot(&mut tx, item_id, None, Some(category_id), count, mark).await?;
    tx.commit().await?;
    points_changed(state, course_id, item_id).await
}

fn check_mark(mark: f64) -> Result<(), AppError> {
    if mark.is_finite() && (0.0..=1000.0).contains(&mark) {
        Ok(())
    } else {
        Err(AppError::invalid("mark", "Enter a mark from 0 to 1000."))
    }
}

pub async fn update_slot(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    slot_id: i64,
    mark: f64,
    draw_count: i32,
) -> Result<(), AppError> {
    let course_id = editable(state, actor, item_id).await?;
    check_mark(mark)?;
    if !(1..=500).contains(&draw_count) {
        return Err(AppError::invalid(
            "draw_count",
            "Draw from 1 to 500 questions.",
        ));
    }
    match store::update_slot(&state.db, item_id, slot_id, mark, draw_count).await? {
        0 => Err(AppError::NotFound),
        _ => points_changed(state, course_id, item_id).await,
    }
}

pub async fn remove_slot(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    slot_id: i64,
) -> Result<(), AppError> {
    let course_id = editable(state, actor, item_id).await?;
    match store::delete_slot(&state.db, item_id, slot_id).await? {
        0 => Err(AppError::NotFound),
        _ => points_changed(state, course_id, item_id).await,
    }
}

/// Moves a slot one place up (`-1`) or down (`1`).
pub async fn move_slot(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    slot_id: i64,
    delta: i32,
) -> Result<(), AppError> {
    editable(state, actor, item_id).await?;
    let mut slots = store::slots(&state.db, item_id).await?;
    let Some(from) = slots.iter().position(|s| s.id == slot_id) else {
        return Err(AppError::NotFound);
    };
    let to = from as i64 + i64::from(delta.signum());
    if to < 0 || to >= slots.len() as i64 {
        return Ok(());
    }
    slots.swap(from, to as usize);
    let mut tx = state.db.begin().await?;
    for (position, slot) in slots.iter().enumerate() {
        store::set_slot_position(&mut tx, slot.id, position as i32 + 1).await?;
    }
    tx.commit().await?;
    Ok(())
}
