//! Question bank use cases: categories, questions, GIFT/Aiken import (preview, then apply) and
//! export. Only people who may edit the course use the bank.

use super::bank_store as store;
use super::exchange::{ExportResult, ImportResult};
use super::model::*;
use super::question::Question;
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::parse_line;
use crate::db::now;
use crate::error::AppError;
use crate::paging::Page;
use crate::state::AppState;

pub const DEFAULT_CATEGORY: &str = "Default";
/// An import larger than this is refused before parsing (about 10,000 questions).
const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;

async fn editor(state: &AppState, actor: &Actor, course_id: i64) -> Result<CourseAccess, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await
}

/// The course's categories; a course's first visit creates "Default" so there is always one.
pub async fn categories(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<Vec<QuestionCategory>, AppError> {
    editor(state, actor, course_id).await?;
    let list = store::categories(&state.db, course_id).await?;
    if !list.is_empty() {
        return Ok(list);
    }
    let mut tx = state.db.begin().await?;
    if store::category_by_name(&mut tx, course_id, DEFAULT_CATEGORY)
        .await?
        .is_none()
    {
        store::insert_category(&mut tx, course_id, DEFAULT_CATEGORY, now()).await?;
    }
    tx.commit().await?;
    store::categories(&state.db, course_id).await
}

pub async fn save_category(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    id: Option<i64>,
    name: &str,
) -> Result<i64, AppError> {
    editor(state, actor, course_id).await?;
    let name = parse_line("name", "category name", name, 200)?;
    let mut tx = state.db.begin().await?;
    if let Some(existing) = store::category_by_name(&mut tx, course_id, &name).await?
        && Some(existing) != id
    {
        return Err(AppError::invalid(
            "name",
            "There is already a category with this name.",
        ));
    }
    let id = match id {
        Some(id) => {
            if store::rename_category(&mut tx, course_id, id, &name).await? == 0 {
                return Err(AppError::NotFound);
            }
            id
        }
        None => store::insert_category(&mut tx, course_id, &name, now()).await?,
    };
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_category(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    id: i64,
) -> Result<(), AppError> {
    editor(state, actor, course_id).await?;
    if !store::categories(&state.db, course_id)
        .await?
        .iter()
        .any(|c| c.id == id)
    {
        return Err(AppError::NotFound);
    }
    if store::category_in_use(&state.db, id).await? {
        return Err(AppError::Conflict(
            "This category still has questions or feeds a quiz's random questions. Move or delete them first."
                .into(),
        ));
    }
    match store::delete_category(&state.db, course_id, id).await? {
        0 => Err(AppError::NotFound),
        _ => Ok(()),
    }
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    query: &BankQuery,
) -> Result<Page<QuestionSummary>, AppError> {
    editor(state, actor, course_id).await?;
    store::list(&state.db, course_id, query).await
}

pub async fn load(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    id: i64,
) -> Result<BankQuestion, AppError> {
    editor(state, actor, course_id).await?;
    let row = store::find(&state.db, course_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(BankQuestion {
        id: Some(row.id),
        category_id: row.category_id,
        question: row.question()?,
        version: row.version,
    })
}

/// Checks a question from the editor; problems come back as one message per problem.
fn checked(mut question: Question) -> Result<Question, AppError> {
    question.name = question.name.trim().to_string();
    if question.name.is_empty() {
        question.name = super::exchange::name_from_stem(&question.stem, question.type_label());
    }
    if question.name.chars().count() > 255 {
        return Err(AppError::invalid(
            "name",
            "The name can be at most 255 characters.",
        ));
    }
    if question.stem.text.len() > 200_000 {
        return Err(AppError::invalid(
            "stem",
            "The question text can be at most 200,000 characters.",
        ));
    }
    let problems = question.problems();
    if !problems.is_empty() {
        return Err(AppError::Invalid(
            problems
                .into_iter()
                .map(|message| crate::error::FieldError {
                    field: "question".into(),
                    message,
                })
                .collect(),
        ));
    }
    Ok(question)
}

pub async fn save(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    input: BankQuestion,
) -> Result<i64, AppError> {
    editor(state, actor, course_id).await?;
    let question = checked(input.question)?;
    if !store::categories(&state.db, course_id)
        .await?
        .iter()
        .any(|c| c.id == input.category_id)
    {
        return Err(AppError::invalid(
            "category_id",
            "Choose one of this course's categories.",
        ));
    }
    // Checked before the transaction: a transaction never waits for a second connection.
    if let Some(id) = input.id
        && store::find(&state.db, course_id, id).await?.is_none()
    {
        return Err(AppError::NotFound);
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let id = match input.id {
        None => {
            store::insert(
                &mut tx,
                course_id,
                input.category_id,
                &question,
                actor.id,
                now,
            )
            .await?
        }
        Some(id) => {
            if !store::update(
                &mut tx,
                course_id,
                id,
                input.category_id,
                &question,
                input.version,
                now,
            )
            .await?
            {
                return Err(AppError::Conflict(
                    "Someone else saved this question while you were editing it. Reload to see their version; copy your changes first."
                        .into(),
                ));
            }
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

pub async fn delete(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    id: i64,
) -> Result<(), AppError> {
    editor(state, actor, course_id).await?;
    // Only this course's questions: another course's quizzes must not be named below.
    store::find(&state.db, course_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let quizzes = store::quizzes_using(&state.db, id).await?;
    if !quizzes.is_empty() {
        return Err(AppError::Conflict(format!(
            "This question is used by {}. Remove it from the quiz first.",
            quizzes.join(", ")
        )));
    }
    match store::delete(&state.db, course_id, id).await? {
        0 => Err(AppError::NotFound),
        _ => Ok(()),
    }
}

fn parse(format: QuestionFormat, text: &str) -> Result<ImportResult, AppError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(AppError::invalid(
            "text",
            "The file is larger than 5 MB; split it into smaller files.",
        ));
    }
    if text.trim().is_empty() {
        return Err(AppError::invalid(
            "text",
            "Paste some questions or choose a file.",
        ));
    }
    Ok(match format {
        QuestionFormat::Gift => super::gift::parse_gift(text),
        QuestionFormat::Aiken => super::aiken::parse_aiken(text),
        QuestionFormat::Qti => super::qti::parse_qti(text),
    })
}

/// The bank category an imported question goes to: its own `$CATEGORY` (without Moodle's context
/// prefixes such as `$course$/top/`), else the one the instructor chose.
fn target_category(imported: Option<&str>, chosen: &str) -> String {
    let Some(path) = imported else {
        return chosen.to_string();
    };
    let mut rest = path.trim();
    if rest.starts_with('$')
        && let Some(end) = rest[1..].find('$')
    {
        rest = rest[end + 2..].trim_start_matches('/');
    }
    rest = rest.strip_prefix("top/").unwrap_or(rest);
    if rest == "top" {
        rest = "";
    }
    let cleaned: String = rest.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.trim().is_empty() {
        chosen.to_string()
    } else {
        cleaned.trim().to_string()
    }
}

/// What importing `text` would do, without changing anything.
pub async fn preview_import(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    format: QuestionFormat,
    text: &str,
    category_id: i64,
) -> Result<ImportPreview, AppError> {
    editor(state, actor, course_id).await?;
    let chosen = chosen_category(state, course_id, category_id).await?;
    let result = parse(format, text)?;
    Ok(ImportPreview {
        questions: result
            .questions
            .iter()
            .map(|q| PreviewQuestion {
                line: q.line,
                name: q.question.name.clone(),
                type_label: q.question.type_label().to_string(),
                category: target_category(q.category.as_deref(), &chosen),
            })
            .collect(),
        problems: result
            .problems
            .into_iter()
            .map(|p| PreviewProblem {
                line: p.line,
                message: p.message,
            })
            .collect(),
    })
}

async fn chosen_category(
    state: &AppState,
    course_id: i64,
    category_id: i64,
) -> Result<String, AppError> {
    store::categories(&state.db, course_id)
        .await?
        .into_iter()
        .find(|c| c.id == category_id)
        .map(|c| c.name)
        .ok_or_else(|| AppError::invalid("category_id", "Choose one of this course's categories."))
}

/// Imports every question, or none: with problems, only when `only_valid` says to skip them.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    format: QuestionFormat,
    text: &str,
    category_id: i64,
    only_valid: bool,
) -> Result<usize, AppError> {
    editor(state, actor, course_id).await?;
    let chosen = chosen_category(state, course_id, category_id).await?;
    let result = parse(format, text)?;
    if !result.problems.is_empty() && !only_valid {
        return Err(AppError::invalid(
            "text",
            format!(
                "{} found; nothing was imported. Fix them, or choose to import only the valid questions.",
                crate::ui::format::plural(result.problems.len(), "problem", "problems")
            ),
        ));
    }
    if result.questions.is_empty() {
        return Err(AppError::invalid(
            "text",
            "No questions were found to import.",
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    let mut category_ids: std::collections::HashMap<String, i64> = Default::default();
    for imported in &result.questions {
        let name = target_category(imported.category.as_deref(), &chosen);
        let key = name.to_lowercase();
        let category = match category_ids.get(&key) {
            Some(id) => *id,
            None => {
                let id = category_named(&mut tx, course_id, &name, now).await?;
                category_ids.insert(key, id);
                id
            }
        };
        store::insert(
            &mut tx,
            course_id,
            category,
            &imported.question,
            actor.id,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(
        course = course_id,
        count = result.questions.len(),
        "questions imported"
    );
    Ok(result.questions.len())
}

/// The course's category of that name, made when it has none (imports name categories).
async fn category_named(
    tx: &mut crate::db::Tx,
    course_id: i64,
    name: &str,
    now: i64,
) -> Result<i64, AppError> {
    match store::category_by_name(tx, course_id, name).await? {
        Some(id) => Ok(id),
        None => store::insert_category(tx, course_id, name, now).await,
    }
}

/// Questions an import (a cartridge) brings, added in its transaction to the category named
/// `category` (made when the course has none of that name); their ids, in order.
pub async fn add_imported(
    tx: &mut crate::db::Tx,
    author: i64,
    course_id: i64,
    category: &str,
    questions: &[Question],
    now: i64,
) -> Result<Vec<i64>, AppError> {
    let name: String = category.trim().chars().take(200).collect();
    let name = if name.is_empty() {
        DEFAULT_CATEGORY.to_string()
    } else {
        name
    };
    let category = category_named(tx, course_id, &name, now).await?;
    let mut ids = Vec::with_capacity(questions.len());
    for question in questions {
        ids.push(store::insert(tx, course_id, category, question, author, now).await?);
    }
    Ok(ids)
}

/// An exchange format's writer: the questions with their categories in, the text out.
type Writer = fn(&[(Option<String>, Question)]) -> ExportResult;

/// The bank (or one category) in an exchange format, with the questions it could not express.
pub async fn export(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    format: QuestionFormat,
    category_id: Option<i64>,
) -> Result<ExportResult, AppError> {
    editor(state, actor, course_id).await?;
    let write: Writer = match format {
        QuestionFormat::Gift => super::gift::write_gift,
        QuestionFormat::Aiken => super::aiken::write_aiken,
        QuestionFormat::Qti => {
            return Err(AppError::invalid(
                "format",
                "The bank reads QTI but writes GIFT and Aiken: choose one of those.",
            ));
        }
    };
    let categories = store::categories(&state.db, course_id).await?;
    let wanted: Vec<i64> = categories
        .iter()
        .filter(|c| category_id.is_none_or(|id| id == c.id))
        .map(|c| c.id)
        .collect();
    if wanted.is_empty() {
        return Err(AppError::NotFound);
    }
    let rows = store::in_categories(&state.db, course_id, &wanted).await?;
    let mut questions = Vec::with_capacity(rows.len());
    for row in &rows {
        let category = categories
            .iter()
            .find(|c| c.id == row.category_id)
            .map(|c| format!("$course$/top/{}", c.name));
        questions.push((category, row.question()?));
    }
    Ok(write(&questions))
}

#[cfg(test)]
mod tests {
    use super::target_category;

    #[test]
    fn imported_categories_lose_moodle_context_prefixes() {
        assert_eq!(
            target_category(Some("$course$/top/Default for LING-373"), "X"),
            "Default for LING-373"
        );
        assert_eq!(
            target_category(Some("$course$/Week 1/Cells"), "X"),
            "Week 1/Cells"
        );
        assert_eq!(target_category(Some("top/Maths"), "X"), "Maths");
        assert_eq!(target_category(Some("$course$/top"), "Chosen"), "Chosen");
        assert_eq!(target_category(None, "Chosen"), "Chosen");
        assert_eq!(target_category(Some("Plain"), "Chosen"), "Plain");
    }
}
