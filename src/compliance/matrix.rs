//! The compliance matrix (departments or audiences × requirements: per cent compliant, overdue,
//! expiring), its CSV, and compliance over time from the nightly snapshots.

use super::model::{EXPIRING_DAYS, Matrix, MatrixCell, MatrixRow, Trend, TrendPoint};
use super::store::{self, GroupCount};
use crate::auth::permissions::{Action, Actor, can};
use crate::db::now;
use crate::error::AppError;
use crate::paging::Page;
use crate::spreadsheet::CsvOut;
use crate::state::AppState;
use chrono::Days;
use std::collections::BTreeMap;

/// Rows per page.
pub const PER_PAGE: u32 = 25;

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

/// The last day that counts as "expiring soon".
async fn expiring_until(state: &AppState) -> Result<String, AppError> {
    let today = crate::settings::service::today(state).await?;
    let until = today
        .checked_add_days(Days::new(EXPIRING_DAYS.into()))
        .unwrap_or(today);
    Ok(until.format("%Y-%m-%d").to_string())
}

/// Cells in the columns' order from counts of one group.
fn cells<'a>(
    columns: &[(i64, String)],
    counts: impl Iterator<Item = &'a GroupCount>,
) -> Vec<MatrixCell> {
    let mut by_id: BTreeMap<i64, MatrixCell> = BTreeMap::new();
    for c in counts {
        by_id.entry(c.requirement_id).or_default().add(&MatrixCell {
            assigned: c.assigned,
            compliant: c.compliant,
            overdue: c.overdue,
            expiring: c.expiring,
        });
    }
    columns
        .iter()
        .map(|(id, _)| by_id.get(id).copied().unwrap_or_default())
        .collect()
}

/// Every department's row (by name; "No department" last) and everyone's.
async fn department_rows(
    state: &AppState,
    columns: &[(i64, String)],
) -> Result<(Vec<MatrixRow>, MatrixRow), AppError> {
    let counts = store::counts_by_department(&state.db, &expiring_until(state).await?).await?;
    let mut groups: BTreeMap<(bool, String), Vec<&GroupCount>> = BTreeMap::new();
    for c in &counts {
        groups
            .entry((c.grp.is_empty(), c.grp.to_lowercase()))
            .or_default()
            .push(c);
    }
    let rows = groups
        .into_values()
        .map(|group| MatrixRow {
            label: match group.first().map(|c| c.grp.as_str()) {
                Some("") | None => "No department".into(),
                Some(name) => name.to_string(),
            },
            cells: cells(columns, group.into_iter()),
        })
        .collect();
    let everyone = MatrixRow {
        label: "Everyone".into(),
        cells: cells(columns, counts.iter()),
    };
    Ok((rows, everyone))
}

/// One page of audience rows, and how many audiences there are.
async fn audience_rows(
    state: &AppState,
    actor: &Actor,
    columns: &[(i64, String)],
    page: u32,
) -> Result<(Vec<MatrixRow>, i64), AppError> {
    let until = expiring_until(state).await?;
    let (audiences, total) =
        crate::audiences::service::conditions(state, actor, page, now()).await?;
    let mut rows = Vec::with_capacity(audiences.len());
    for (_, name, condition) in audiences {
        let counts = store::counts_within(&state.db, &condition, &until).await?;
        rows.push(MatrixRow {
            label: name,
            cells: cells(columns, counts.iter()),
        });
    }
    Ok((rows, total))
}

async fn columns(state: &AppState) -> Result<Vec<(i64, String)>, AppError> {
    Ok(store::list(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

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
    let (rows, total, everyone) = match by {
        GroupBy::Department => {
            let (all, everyone) = department_rows(state, &requirements).await?;
            let total = all.len() as i64;
            let start = crate::db::page_offset(page, PER_PAGE) as usize;
            let rows = all
                .into_iter()
                .skip(start)
                .take(PER_PAGE as usize)
                .collect();
            (rows, total, Some(everyone))
        }
        GroupBy::Audience => {
            let (rows, total) = audience_rows(state, actor, &requirements, page).await?;
            // Audiences use their own page size.
            (rows, total, None)
        }
    };
    let per_page = match by {
        GroupBy::Department => PER_PAGE,
        GroupBy::Audience => crate::audiences::service::PER_PAGE,
    };
    Ok(Matrix {
        by: by.as_str().into(),
        requirements,
        rows: Page {
            items: rows,
            total,
            total_capped: false,
            page,
            per_page,
        },
        everyone,
    })
}

/// The whole matrix as CSV: one line per group and requirement.
pub async fn matrix_csv(state: &AppState, actor: &Actor, by: &str) -> Result<String, AppError> {
    allowed(actor)?;
    let by = GroupBy::parse(by)?;
    let requirements = columns(state).await?;
    let rows = match by {
        GroupBy::Department => {
            let (mut rows, everyone) = department_rows(state, &requirements).await?;
            rows.push(everyone);
            rows
        }
        GroupBy::Audience => {
            let mut rows = Vec::new();
            let mut page = 1;
            loop {
                let (mut some, total) = audience_rows(state, actor, &requirements, page).await?;
                let done = some.is_empty()
                    || i64::from(page) * i64::from(crate::audiences::service::PER_PAGE) >= total;
                rows.append(&mut some);
                if done {
                    break;
                }
                page += 1;
            }
            rows
        }
    };
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
