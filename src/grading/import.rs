//! Grades from a CSV file: the export's own format (an `email` column, one column per item named
//! as the export names it, others ignored). First a preview of every change and every problem
//! by line; then applying the previewed changes, each only if its cell has not changed since.

use super::model::*;
use super::service::{self, set_cell};
use super::store;
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::error::AppError;
use crate::state::AppState;
use std::collections::HashMap;

const MAX_CSV: usize = 5_000_000;
/// The reason recorded for every imported change (an override needs one).
pub const REASON: &str = "Imported from a CSV file";

/// "Essay (20)" → "essay": the export adds the points in brackets.
fn column_key(header: &str) -> String {
    let h = header.trim();
    let base = match (h.rfind(" ("), h.ends_with(')')) {
        (Some(i), true) => &h[..i],
        _ => h,
    };
    base.trim().to_lowercase()
}

/// What a cell says: `None` to leave it, `Some(None)` for excused, or points.
fn parse_cell(text: &str) -> Result<Option<Option<f64>>, ()> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.eq_ignore_ascii_case("ex") {
        return Ok(Some(None));
    }
    match crate::input::parse_number(t) {
        Some(v) if v >= 0.0 => Ok(Some(Some(v))),
        _ => Err(()),
    }
}

fn shown(g: Option<&store::GradeRow>) -> String {
    match g {
        Some(g) if g.excused => "EX".into(),
        Some(g) => g.effective().map(format_points).unwrap_or_default(),
        None => String::new(),
    }
}

pub async fn preview(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    csv_text: &str,
) -> Result<GradeImportPreview, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    if csv_text.len() > MAX_CSV {
        return Err(AppError::invalid(
            "csv",
            "The file is larger than 5 MB; split it into smaller files.",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| AppError::invalid("csv", "The file could not be read as CSV."))?
        .clone();
    let Some(email_col) = headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case("email"))
    else {
        return Err(AppError::invalid(
            "csv",
            "The first line must name the columns, with one called “email” (as in the exported file).",
        ));
    };
    let items = store::items(&state.db, course_id).await?;
    let mut problems = Vec::new();
    let mut columns: Vec<(usize, &store::ItemRow)> = Vec::new();
    for (col, header) in headers.iter().enumerate() {
        let key = column_key(crate::spreadsheet::restore_cell(header.trim()));
        if col == email_col || matches!(key.as_str(), "name" | "total %" | "total" | "letter" | "")
        {
            continue;
        }
        let matching: Vec<&store::ItemRow> = items
            .iter()
            .filter(|i| i.name.to_lowercase() == key)
            .collect();
        match matching.as_slice() {
            [item] => columns.push((col, item)),
            [] => problems.push(ImportProblem {
                line: 1,
                message: format!(
                    "Column “{}” matches no grade item; it is ignored.",
                    header.trim()
                ),
            }),
            _ => problems.push(ImportProblem {
                line: 1,
                message: format!(
                    "Column “{}” matches several grade items; rename them to import it.",
                    header.trim()
                ),
            }),
        }
    }
    let learners: HashMap<String, (i64, String)> = store::learner_emails(&state.db, course_id)
        .await?
        .into_iter()
        .map(|(id, email, name)| (email.to_lowercase(), (id, name)))
        .collect();
    let ids: Vec<i64> = learners.values().map(|(id, _)| *id).collect();
    let grades: HashMap<(i64, i64), store::GradeRow> =
        service::by_cell(store::grades_of(&state.db, course_id, &ids).await?);
    let mut changes = Vec::new();
    let mut unchanged = 0;
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let Ok(record) = record else {
            problems.push(ImportProblem {
                line,
                message: "This line could not be read as CSV.".into(),
            });
            continue;
        };
        let email = crate::spreadsheet::restore_cell(record.get(email_col).unwrap_or("").trim());
        if email.is_empty() && record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some((user_id, name)) = learners.get(&email.to_lowercase()) else {
            problems.push(ImportProblem {
                line,
                message: format!(
                    "No learner of this course has the address “{email}”; the line is skipped."
                ),
            });
            continue;
        };
        for (col, item) in &columns {
            let typed = record.get(*col).unwrap_or("");
            let value = match parse_cell(typed) {
                Ok(Some(v)) => v,
                Ok(None) => continue,
                Err(()) => {
                    problems.push(ImportProblem {
                        line,
                        message: format!(
                            "{}: “{}” is not a grade (points from 0, or EX for excused); the cell is skipped.",
                            item.name,
                            typed.trim()
                        ),
                    });
                    continue;
                }
            };
            if let Some(v) = value
                && v > item.max_points * 10.0
            {
                problems.push(ImportProblem {
                    line,
                    message: format!(
                        "{}: {} is far above the {} possible; the cell is skipped.",
                        item.name,
                        format_points(v),
                        crate::ui::format::plural(item.max_points, "point", "points")
                    ),
                });
                continue;
            }
            let current = grades.get(&(item.id, *user_id));
            let new = match value {
                None => "EX".to_string(),
                Some(v) => format_points(v),
            };
            let old = shown(current);
            if old == new {
                unchanged += 1;
                continue;
            }
            changes.push(ImportChange {
                line,
                user_id: *user_id,
                learner: if name.is_empty() {
                    email.to_string()
                } else {
                    format!("{name} ({email})")
                },
                grade_item_id: item.id,
                item: item.name.clone(),
                old,
                new,
                version: current.map(|g| g.version).unwrap_or(0),
            });
        }
    }
    Ok(GradeImportPreview {
        changes,
        problems,
        unchanged,
    })
}

/// Applies previewed changes, each as a grader's edit from the previewed version: a cell someone
/// changed since is left alone and reported.
pub async fn apply(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    changes: &[ImportChange],
) -> Result<GradeImportResult, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    if changes.len() > 200_000 {
        return Err(AppError::invalid(
            "csv",
            "Import at most 200,000 grades at a time.",
        ));
    }
    let mut result = GradeImportResult {
        applied: 0,
        conflicts: Vec::new(),
        failed: Vec::new(),
    };
    // Only this course's items (one query, not one per change).
    let items: std::collections::HashSet<i64> = store::items(&state.db, course_id)
        .await?
        .iter()
        .map(|i| i.id)
        .collect();
    for change in changes {
        if !items.contains(&change.grade_item_id) {
            result.failed.push(format!(
                "Line {}: {} is not an item of this course.",
                change.line, change.item
            ));
            continue;
        }
        let excused = change.new == "EX";
        let edit = CellEdit {
            points: if excused {
                String::new()
            } else {
                change.new.clone()
            },
            excused,
            feedback: None,
            reason: REASON.into(),
            version: change.version,
        };
        match set_cell(state, actor, change.grade_item_id, change.user_id, &edit).await {
            Ok(_) => result.applied += 1,
            Err(AppError::Conflict(_)) => result.conflicts.push(format!(
                "Line {}: {}, {}: changed by someone else since the preview; left as it is.",
                change.line, change.learner, change.item
            )),
            Err(e) => result.failed.push(format!(
                "Line {}: {}, {}: {}",
                change.line,
                change.learner,
                change.item,
                e.field("points")
                    .or_else(|| e.field("user_id"))
                    .unwrap_or_else(|| e.to_string())
            )),
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_cells_read_like_the_export() {
        assert_eq!(column_key("Essay 1 (20)"), "essay 1");
        assert_eq!(column_key(" Lab "), "lab");
        assert_eq!(column_key("Week (2) notes"), "week (2) notes");
        assert_eq!(parse_cell(""), Ok(None));
        assert_eq!(parse_cell("ex"), Ok(Some(None)));
        assert_eq!(parse_cell("7,5"), Ok(Some(Some(7.5))));
        assert_eq!(parse_cell("-1"), Err(()));
        assert_eq!(parse_cell("lots"), Err(()));
    }
}
