//! The instructor dashboard: what needs grading, late and missing work, learners at risk,
//! completion over time, and per-quiz statistics with item analysis. Staff who see learners only.

use super::model::*;
use super::{charts, stats, store};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::db::now;
use crate::error::AppError;
use crate::state::AppState;
use std::collections::{BTreeMap, HashMap};

/// Learners at risk listed per page.
pub const PER_PAGE: u32 = 25;
/// Days shown on the completion chart.
const COMPLETION_DAYS: i64 = 30;
const DAY: i64 = 86_400;

pub async fn overview(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    risk: RiskQuery,
) -> Result<Overview, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    if !(0.0..=100.0).contains(&risk.below_percent) || !risk.below_percent.is_finite() {
        return Err(AppError::invalid(
            "below_percent",
            "Enter a percentage from 0 to 100.",
        ));
    }
    if !(1..=365).contains(&risk.inactive_days) {
        return Err(AppError::invalid(
            "inactive_days",
            "Enter from 1 to 365 days.",
        ));
    }
    let course = crate::courses::store::find(&state.db, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = now();
    let mut needs_grading: Vec<GradingWork> = store::quiz_grading(&state.db, course_id)
        .await?
        .into_iter()
        .map(|(item_id, title, count)| GradingWork {
            item_id,
            title,
            kind: "Quiz".into(),
            count,
            href: format!("/courses/{course_id}/grading"),
        })
        .collect();
    needs_grading.extend(
        store::assignment_grading(&state.db, course_id)
            .await?
            .into_iter()
            .map(|(item_id, title, count)| GradingWork {
                item_id,
                title,
                kind: "Assignment".into(),
                count,
                href: format!(
                    "/courses/{course_id}/assignments/{item_id}/submissions?filter=needs-grading"
                ),
            }),
    );
    let late = store::late_work(&state.db, course_id, now)
        .await?
        .into_iter()
        .map(|r| LateWork {
            href: format!(
                "/courses/{course_id}/assignments/{}/submissions?filter=late",
                r.item_id
            ),
            item_id: r.item_id,
            title: r.title,
            due_at: r.due_at,
            late: r.late,
            missing: r.missing,
        })
        .collect();
    let idle_since = now - i64::from(risk.inactive_days) * DAY;
    let (rows, at_risk_total) = store::at_risk(
        &state.db,
        course_id,
        risk.below_percent,
        idle_since,
        PER_PAGE,
        risk.page.max(1),
    )
    .await?;
    let at_risk = rows
        .into_iter()
        .map(|r| {
            let mut reasons = Vec::new();
            if let Some(p) = r.percent.filter(|p| *p < risk.below_percent) {
                reasons.push(format!("Course total {:.1} %", p));
            }
            if r.last_active < idle_since {
                reasons.push(format!(
                    "Inactive for {}",
                    crate::ui::format::plural((now - r.last_active) / DAY, "day", "days")
                ));
            }
            AtRiskLearner {
                user_id: r.user_id,
                name: r.name,
                email: r.email,
                total_percent: r.percent,
                last_active_at: r.last_active,
                reasons,
            }
        })
        .collect();
    let learners = store::learner_count(&state.db, course_id).await?;
    let completion = completion_days(
        &store::completion_times(&state.db, course_id).await?,
        learners,
        now,
    );
    let points: Vec<(String, f64)> = completion
        .iter()
        .map(|d| (d.day[5..].to_string(), d.percent))
        .collect();
    Ok(Overview {
        course_id,
        course_title: course.title,
        learners,
        needs_grading,
        late,
        at_risk,
        at_risk_total,
        risk,
        per_page: PER_PAGE,
        completion_svg: charts::line_chart(
            "completion",
            "Learners who have completed the course",
            &points,
            100.0,
            " %",
        ),
        completion,
        quizzes: store::quizzes(&state.db, course_id).await?,
    })
}

/// The share of learners who had completed by the end of each of the last 30 days (UTC).
pub fn completion_days(completed_at: &[i64], learners: i64, now: i64) -> Vec<CompletionDay> {
    let today = now - now.rem_euclid(DAY);
    (0..COMPLETION_DAYS)
        .rev()
        .map(|back| {
            let start = today - back * DAY;
            let completed = completed_at.iter().filter(|t| **t < start + DAY).count() as i64;
            CompletionDay {
                day: chrono::DateTime::from_timestamp(start, 0)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                completed,
                percent: if learners > 0 {
                    completed as f64 * 100.0 / learners as f64
                } else {
                    0.0
                },
            }
        })
        .collect()
}

pub async fn quiz_stats(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<QuizStats, AppError> {
    let (course_id, title, _) = crate::assessments::quiz::find(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let attempts = store::finished_attempts(&state.db, item_id).await?;
    let percents: Vec<f64> = attempts
        .iter()
        .map(|(_, score, max)| score / max * 100.0)
        .collect();
    let bins = stats::distribution(&percents);
    let labels: Vec<String> = (0..10).map(band_label).collect();
    let values: Vec<f64> = bins.iter().map(|b| f64::from(*b)).collect();
    let totals: HashMap<i64, f64> = attempts
        .iter()
        .map(|(id, score, _)| (*id, *score))
        .collect();
    Ok(QuizStats {
        item_id,
        title: title.clone(),
        attempts: attempts.len() as i64,
        mean: stats::mean(&percents),
        median: stats::median(&percents),
        distribution_svg: charts::bar_chart(
            "distribution",
            &format!("Scores in “{title}”: attempts per band"),
            &labels,
            &values,
        ),
        distribution: bins.to_vec(),
        questions: item_analysis(store::question_marks(&state.db, item_id).await?, &totals),
    })
}

/// Facility and discrimination per bank question (a random slot's questions each get a line).
fn item_analysis(marks: Vec<store::QuestionMark>, totals: &HashMap<i64, f64>) -> Vec<QuestionStat> {
    /// One question's marks: (mark, mark possible, attempt) per attempt.
    struct Group {
        question_id: Option<i64>,
        name: String,
        rows: Vec<(f64, f64, i64)>,
    }
    // Keyed by question (or, for a deleted one, by slot), in first-seen slot order.
    let mut groups: BTreeMap<(i32, String), Group> = BTreeMap::new();
    let mut first_slot: HashMap<String, i32> = HashMap::new();
    for m in marks {
        let key = match m.question_id {
            Some(q) => format!("q{q}"),
            None => format!("s{}", m.slot),
        };
        let slot = *first_slot.entry(key.clone()).or_insert(m.slot);
        let group = groups.entry((slot, key)).or_insert_with(|| Group {
            question_id: m.question_id,
            name: m
                .name
                .clone()
                .unwrap_or_else(|| "(deleted question)".into()),
            rows: Vec::new(),
        });
        group
            .rows
            .push((m.mark.unwrap_or(0.0), m.max_mark, m.attempt_id));
    }
    groups
        .into_values()
        .map(
            |Group {
                 question_id,
                 name,
                 rows,
             }| {
                let pairs: Vec<(f64, f64)> = rows.iter().map(|(m, max, _)| (*m, *max)).collect();
                let question: Vec<f64> = rows.iter().map(|(m, ..)| *m).collect();
                let rest: Vec<f64> = rows
                    .iter()
                    .map(|(m, _, attempt)| totals.get(attempt).copied().unwrap_or(0.0) - m)
                    .collect();
                QuestionStat {
                    question_id,
                    name,
                    attempts: rows.len() as i64,
                    max_mark: rows.iter().map(|(_, max, _)| *max).fold(0.0, f64::max),
                    facility: stats::facility(&pairs),
                    discrimination: stats::discrimination(&question, &rest),
                }
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_counts_up_to_the_end_of_each_day() {
        let now = 1_764_000_000; // 2025-11-24 16:00 UTC
        let today = now - now % DAY;
        let days = completion_days(&[today - 3 * DAY + 10, today - DAY + 5, today + 60], 4, now);
        assert_eq!(days.len(), 30);
        let last = days.last().unwrap();
        assert_eq!((last.completed, last.percent), (3, 75.0));
        assert_eq!(days[days.len() - 2].completed, 2);
        assert_eq!(days[days.len() - 4].completed, 1);
        assert_eq!(days[days.len() - 5].completed, 0);
        assert_eq!(last.day, "2025-11-24");
    }
}
