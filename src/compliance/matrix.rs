//! The compliance matrix (departments or audiences × requirements: per cent compliant, overdue,
//! expiring), its CSV, and compliance over time from the nightly snapshots.
//!
//! Counting every requirement row of a large organisation takes seconds, so the matrix is
//! computed in the background (by the nightly run, and by a job queued when an administrator
//! changes a requirement or asks) and kept: its page reads one page of groups, and says when the
//! figures were computed.

use super::model::{EXPIRING_DAYS, Matrix, MatrixCell, MatrixRow, NextRun, Trend, TrendPoint};
use super::store::{self, MatrixCellRow, MatrixFact};
use crate::audiences::service::Memberships;
use crate::auth::permissions::{Action, Actor, can};
use crate::db::now;
use crate::error::AppError;
use crate::paging::Page;
use crate::spreadsheet::CsvOut;
use crate::state::AppState;
use chrono::Days;
use std::collections::{BTreeMap, HashMap};

/// Rows per page.
pub const PER_PAGE: u32 = 25;

/// The job that computes the matrix again.
pub const RECOMPUTE: &str = "compliance.matrix";

fn allowed(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::ManageCompliance) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// How the rows group people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Department,
    Audience,
}

impl GroupBy {
    pub fn parse(text: &str) -> Result<GroupBy, AppError> {
        match text {
            "" | "department" => Ok(GroupBy::Department),
            "audience" => Ok(GroupBy::Audience),
            _ => Err(AppError::invalid("by", "Group by department or audience.")),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            GroupBy::Department => "department",
            GroupBy::Audience => "audience",
        }
    }
}

/// Everyone's row, kept under this grouping.
const EVERYONE: &str = "everyone";

async fn columns(state: &AppState) -> Result<Vec<(i64, String)>, AppError> {
    Ok(store::list(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

fn cell_of(fact: &MatrixFact) -> MatrixCell {
    MatrixCell {
        assigned: 1,
        compliant: fact.compliant.into(),
        overdue: fact.overdue.into(),
        expiring: fact.expiring.into(),
    }
}

/// The cells of one group, one per requirement it has people on (`all`: one per column, zeros
/// included, so that the group has its row whatever its people).
fn group_cells(
    grouping: &str,
    key: String,
    label: String,
    position: usize,
    counts: &BTreeMap<i64, MatrixCell>,
    columns: Option<&[(i64, String)]>,
) -> Vec<MatrixCellRow> {
    let cell = |requirement_id: i64, c: MatrixCell| MatrixCellRow {
        grouping: grouping.into(),
        group_key: key.clone(),
        label: label.clone(),
        position: i32::try_from(position).unwrap_or(i32::MAX),
        requirement_id,
        assigned: c.assigned,
        compliant: c.compliant,
        overdue: c.overdue,
        expiring: c.expiring,
    };
    match columns {
        Some(all) => all
            .iter()
            .map(|(id, _)| cell(*id, counts.get(id).copied().unwrap_or_default()))
            .collect(),
        None => counts.iter().map(|(id, c)| cell(*id, *c)).collect(),
    }
}

/// Computes the whole matrix at `now` and keeps it: every department (by name, case aside;
/// "No department" last), every audience as its rules hold people now, and everyone.
pub async fn recompute(state: &AppState, now: i64) -> Result<(), AppError> {
    recompute_with(state, now, &mut Memberships::at(now)).await
}

/// `recompute`, with audiences' members as already worked out (the nightly run's).
pub async fn recompute_with(
    state: &AppState,
    now: i64,
    memberships: &mut Memberships,
) -> Result<(), AppError> {
    let requirements = columns(state).await?;
    let zone = crate::settings::service::current(state).await?.time_zone;
    let today = crate::settings::time_zone::today_in(now, &zone);
    let until = today
        .checked_add_days(Days::new(EXPIRING_DAYS.into()))
        .unwrap_or(today)
        .format("%Y-%m-%d")
        .to_string();
    let facts = store::matrix_facts(&state.db, &until).await?;

    let mut departments: BTreeMap<(bool, String), (String, BTreeMap<i64, MatrixCell>)> =
        BTreeMap::new();
    let mut everyone: BTreeMap<i64, MatrixCell> = BTreeMap::new();
    let mut by_person: HashMap<i64, Vec<&MatrixFact>> = HashMap::new();
    for fact in &facts {
        let cell = cell_of(fact);
        let key = (fact.department.is_empty(), fact.department.to_lowercase());
        departments
            .entry(key)
            .or_insert_with(|| (fact.department.clone(), BTreeMap::new()))
            .1
            .entry(fact.requirement_id)
            .or_default()
            .add(&cell);
        everyone.entry(fact.requirement_id).or_default().add(&cell);
        by_person.entry(fact.user_id).or_default().push(fact);
    }

    let mut cells = Vec::new();
    for (position, ((none, key), (label, counts))) in departments.into_iter().enumerate() {
        let label = if none { "No department".into() } else { label };
        cells.extend(group_cells(
            "department",
            key,
            label,
            position,
            &counts,
            None,
        ));
    }
    cells.extend(group_cells(
        EVERYONE,
        String::new(),
        "Everyone".into(),
        0,
        &everyone,
        Some(&requirements),
    ));
    let audiences = crate::audiences::service::all_names(state).await?;
    for (position, (id, name)) in audiences.into_iter().enumerate() {
        let mut counts: BTreeMap<i64, MatrixCell> = BTreeMap::new();
        // One deleted meanwhile holds nobody.
        let members = memberships.of(state, id).await?.unwrap_or_default();
        for person in members {
            for fact in by_person.get(person).into_iter().flatten() {
                counts
                    .entry(fact.requirement_id)
                    .or_default()
                    .add(&cell_of(fact));
            }
        }
        cells.extend(group_cells(
            "audience",
            id.to_string(),
            name,
            position,
            &counts,
            Some(&requirements),
        ));
    }
    store::replace_matrix(&state.db, &cells, now).await
}

/// How long after a learner's completion the matrix is computed again: one run then counts
/// every completion meanwhile (at 100,000 people a run takes about a minute).
pub const SETTLE_SECS: i64 = 10 * 60;

/// Queues the matrix to be computed again now (once, however many changes ask meanwhile; a
/// run already waiting for completions to settle is brought forward).
pub async fn queue_recompute(state: &AppState, now: i64) -> Result<(), AppError> {
    queue_recompute_at(state, now, now).await
}

/// Queues the matrix to be computed again once completions have settled, unless a run is
/// already waiting.
pub async fn queue_settled(state: &AppState, now: i64) -> Result<(), AppError> {
    queue_recompute_at(state, now + SETTLE_SECS, now).await
}

async fn queue_recompute_at(state: &AppState, run_at: i64, now: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    crate::jobs::queue::enqueue_once(&mut tx, RECOMPUTE, run_at, now).await?;
    tx.commit().await?;
    Ok(())
}

/// An administrator asks for the figures to be computed again now.
pub async fn request_recompute(state: &AppState, actor: &Actor) -> Result<(), AppError> {
    allowed(actor)?;
    queue_recompute(state, now()).await
}

/// Kept cells as rows, each with a cell per column (in the columns' order).
fn rows_of(columns: &[(i64, String)], kept: Vec<MatrixCellRow>) -> Vec<MatrixRow> {
    let mut rows: Vec<(i32, String, HashMap<i64, MatrixCell>)> = Vec::new();
    for c in kept {
        if rows
            .last()
            .is_none_or(|(position, _, _)| *position != c.position)
        {
            rows.push((c.position, c.label.clone(), HashMap::new()));
        }
        if let Some((_, _, cells)) = rows.last_mut() {
            cells.insert(
                c.requirement_id,
                MatrixCell {
                    assigned: c.assigned,
                    compliant: c.compliant,
                    overdue: c.overdue,
                    expiring: c.expiring,
                },
            );
        }
    }
    rows.into_iter()
        .map(|(_, label, cells)| MatrixRow {
            label,
            cells: columns
                .iter()
                .map(|(id, _)| cells.get(id).copied().unwrap_or_default())
                .collect(),
        })
        .collect()
}

/// Everyone's row as kept (empty cells before the first computation).
async fn everyone_row(state: &AppState, columns: &[(i64, String)]) -> Result<MatrixRow, AppError> {
    let kept = store::matrix_cells(&state.db, EVERYONE, 0, 1).await?;
    Ok(rows_of(columns, kept).pop().unwrap_or_else(|| MatrixRow {
        label: "Everyone".into(),
        cells: vec![MatrixCell::default(); columns.len()],
    }))
}

/// One page of the matrix as last computed.
pub async fn matrix(
    state: &AppState,
    actor: &Actor,
    by: &str,
    page: u32,
) -> Result<Matrix, AppError> {
    allowed(actor)?;
    let by = GroupBy::parse(by)?;
    let page = page.max(1);
    let requirements = columns(state).await?;
    let (total, computed_at) = store::matrix_extent(&state.db, by.as_str()).await?;
    let from = crate::db::page_offset(page, PER_PAGE);
    let kept =
        store::matrix_cells(&state.db, by.as_str(), from, from + i64::from(PER_PAGE)).await?;
    let everyone = match by {
        GroupBy::Department => Some(everyone_row(state, &requirements).await?),
        // Audiences may overlap: their people do not add up to everyone.
        GroupBy::Audience => None,
    };
    let zone = crate::settings::service::current(state).await?.time_zone;
    let now = now();
    Ok(Matrix {
        by: by.as_str().into(),
        rows: Page {
            items: rows_of(&requirements, kept),
            total,
            total_capped: false,
            page,
            per_page: PER_PAGE,
        },
        requirements,
        everyone,
        computed: computed_at.map(|at| crate::settings::time_zone::local_datetime(at, &zone)),
        next_run: match crate::jobs::queue::next_run(&state.db, RECOMPUTE, now).await? {
            None => NextRun::Idle,
            Some(at) if at <= now => NextRun::Now,
            Some(at) => NextRun::At(crate::settings::time_zone::local_datetime(at, &zone)),
        },
    })
}

/// The whole matrix as last computed, as CSV: one line per group and requirement.
pub async fn matrix_csv(state: &AppState, actor: &Actor, by: &str) -> Result<String, AppError> {
    allowed(actor)?;
    let by = GroupBy::parse(by)?;
    let requirements = columns(state).await?;
    let kept = store::matrix_cells(&state.db, by.as_str(), 0, i64::MAX).await?;
    let mut rows = rows_of(&requirements, kept);
    if by == GroupBy::Department {
        rows.push(everyone_row(state, &requirements).await?);
    }
    let mut out = CsvOut::new();
    out.row([
        by.as_str(),
        "requirement",
        "assigned",
        "compliant",
        "percent_compliant",
        "overdue",
        "expiring",
    ])?;
    for row in &rows {
        for ((_, name), cell) in requirements.iter().zip(&row.cells) {
            if cell.assigned == 0 {
                continue;
            }
            out.row([
                row.label.clone(),
                name.clone(),
                cell.assigned.to_string(),
                cell.compliant.to_string(),
                cell.percent().map(|p| p.to_string()).unwrap_or_default(),
                cell.overdue.to_string(),
                cell.expiring.to_string(),
            ])?;
        }
    }
    out.finish()
}

/// Compliance across every requirement, night by night, for the last `days` days, with its chart.
pub async fn trend(state: &AppState, actor: &Actor, days: u32) -> Result<Trend, AppError> {
    allowed(actor)?;
    let today = crate::settings::service::today(state).await?;
    let since = today
        .checked_sub_days(Days::new(days.clamp(1, 3660).into()))
        .unwrap_or(today);
    let points: Vec<TrendPoint> = store::trend(&state.db, &since.format("%Y-%m-%d").to_string())
        .await?
        .into_iter()
        .map(|(day, assigned, compliant, overdue)| TrendPoint {
            day,
            assigned,
            compliant,
            overdue,
        })
        .collect();
    let percents: Vec<(String, f64)> = points
        .iter()
        .map(|p| {
            let percent = if p.assigned == 0 {
                0.0
            } else {
                p.compliant as f64 * 100.0 / p.assigned as f64
            };
            (p.day.clone(), percent)
        })
        .collect();
    let svg = crate::dashboard::charts::line_chart(
        "compliance-trend",
        "People compliant across every requirement, night by night",
        &percents,
        100.0,
        " %",
    );
    Ok(Trend { points, svg })
}
