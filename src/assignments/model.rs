//! Assignment types the pages exchange with the server (compile for the browser too), and the
//! pure rules: parsing the settings form, rubric scoring, lateness.

use crate::courses::model::FileInfo;
use crate::error::{AppError, Problems};
use crate::input::parse_number;
use crate::input::{format_datetime, parse_datetime};
use serde::{Deserialize, Serialize};

/// One rubric level: what the work shows, and the points it earns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RubricLevel {
    pub points: f64,
    pub description: String,
}

/// One rubric criterion with its levels (lowest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RubricCriterion {
    pub description: String,
    pub levels: Vec<RubricLevel>,
}

impl RubricCriterion {
    pub fn max_points(&self) -> f64 {
        self.levels.iter().map(|l| l.points).fold(0.0, f64::max)
    }
}

/// The most a rubric can give: the best level of every criterion.
pub fn rubric_max(rubric: &[RubricCriterion]) -> f64 {
    rubric.iter().map(RubricCriterion::max_points).sum()
}

/// Points for a choice of one level per criterion; `None` until every criterion has one.
pub fn rubric_points(rubric: &[RubricCriterion], levels: &[Option<usize>]) -> Option<f64> {
    if levels.len() != rubric.len() || rubric.is_empty() {
        return None;
    }
    rubric
        .iter()
        .zip(levels)
        .map(|(c, l)| l.and_then(|l| c.levels.get(l)).map(|l| l.points))
        .sum()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentSettings {
    pub due_at: Option<i64>,
    pub cutoff_at: Option<i64>,
    pub late_percent_per_day: f64,
    pub late_max_percent: f64,
    pub accept_text: bool,
    pub accept_files: bool,
    pub max_files: i32,
    pub resubmit: bool,
    /// Points possible: typed, or the rubric's maximum when there is a rubric.
    pub max_points: f64,
    /// Empty: graded with points.
    pub rubric: Vec<RubricCriterion>,
}

impl AssignmentSettings {
    pub fn penalty(&self) -> crate::grading::rules::LatePenalty {
        crate::grading::rules::LatePenalty {
            percent_per_day: self.late_percent_per_day,
            max_percent: self.late_max_percent,
        }
    }

    /// The settings as one learner has them: their override's due date and cut-off replace the
    /// item's, and a cut-off never falls before the due date they were given.
    pub fn for_learner(&self, dates: Option<&crate::overrides::model::LearnerDates>) -> Self {
        let mut s = self.clone();
        if let Some(d) = dates {
            s.due_at = d.due_at.or(s.due_at);
            s.cutoff_at = d.cutoff_at.or(s.cutoff_at);
            if let (Some(due), Some(cutoff)) = (s.due_at, s.cutoff_at) {
                s.cutoff_at = Some(cutoff.max(due));
            }
        }
        s
    }

    /// Seconds late for work handed in at `at` (None when on time or there is no due date).
    pub fn late_by(&self, at: i64) -> Option<i64> {
        self.due_at.filter(|due| at > *due).map(|due| at - due)
    }

    /// Points after the late penalty for work handed in at `submitted_at`.
    pub fn final_points(&self, raw: f64, submitted_at: Option<i64>) -> f64 {
        match (self.due_at, submitted_at) {
            (Some(due), Some(at)) => self.penalty().apply(raw, due, at),
            _ => raw,
        }
    }

    /// Whether the cut-off has passed (no more submissions).
    pub fn closed(&self, now: i64) -> bool {
        self.cutoff_at.is_some_and(|c| now > c)
    }
}

/// The settings form as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssignmentSettingsForm {
    pub due_at: String,
    pub cutoff_at: String,
    pub late_percent_per_day: String,
    pub late_max_percent: String,
    pub accept_text: bool,
    pub accept_files: bool,
    pub max_files: String,
    pub resubmit: bool,
    pub max_points: String,
    pub rubric: Vec<CriterionForm>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CriterionForm {
    pub description: String,
    pub levels: Vec<LevelForm>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LevelForm {
    pub points: String,
    pub description: String,
}

impl From<&AssignmentSettings> for AssignmentSettingsForm {
    fn from(s: &AssignmentSettings) -> Self {
        AssignmentSettingsForm {
            due_at: format_datetime(s.due_at),
            cutoff_at: format_datetime(s.cutoff_at),
            late_percent_per_day: crate::grading::model::format_points(s.late_percent_per_day),
            late_max_percent: crate::grading::model::format_points(s.late_max_percent),
            accept_text: s.accept_text,
            accept_files: s.accept_files,
            max_files: s.max_files.to_string(),
            resubmit: s.resubmit,
            max_points: crate::grading::model::format_points(s.max_points),
            rubric: s
                .rubric
                .iter()
                .map(|c| CriterionForm {
                    description: c.description.clone(),
                    levels: c
                        .levels
                        .iter()
                        .map(|l| LevelForm {
                            points: crate::grading::model::format_points(l.points),
                            description: l.description.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

fn number_in(
    problems: &mut Problems,
    field: &str,
    input: &str,
    range: std::ops::RangeInclusive<f64>,
    message: &str,
) -> f64 {
    match parse_number(input.trim()) {
        Some(v) if range.contains(&v) => v,
        _ => {
            problems.add(field, message);
            0.0
        }
    }
}

impl AssignmentSettingsForm {
    pub fn parse(&self) -> Result<AssignmentSettings, AppError> {
        let mut problems = Problems::default();
        let due_at = problems
            .check(parse_datetime("due_at", &self.due_at))
            .flatten();
        let cutoff_at = problems
            .check(parse_datetime("cutoff_at", &self.cutoff_at))
            .flatten();
        if let (Some(due), Some(cutoff)) = (due_at, cutoff_at)
            && cutoff < due
        {
            problems.add("cutoff_at", "The cut-off cannot be before the due date.");
        }
        let late_percent_per_day = if self.late_percent_per_day.trim().is_empty() {
            0.0
        } else {
            number_in(
                &mut problems,
                "late_percent_per_day",
                &self.late_percent_per_day,
                0.0..=100.0,
                "Enter a percentage from 0 to 100.",
            )
        };
        let late_max_percent = if self.late_max_percent.trim().is_empty() {
            100.0
        } else {
            number_in(
                &mut problems,
                "late_max_percent",
                &self.late_max_percent,
                0.0..=100.0,
                "Enter a percentage from 0 to 100.",
            )
        };
        if !self.accept_text && !self.accept_files {
            problems.add(
                "accept_text",
                "Accept text, files or both: learners need a way to hand in.",
            );
        }
        let max_files = match self.max_files.trim().parse::<i32>() {
            Ok(n) if (1..=20).contains(&n) => n,
            _ if !self.accept_files => 5,
            _ => {
                problems.add("max_files", "Allow from 1 to 20 files.");
                5
            }
        };
        let rubric = parse_rubric(&mut problems, &self.rubric);
        let max_points = if rubric.is_empty() {
            number_in(
                &mut problems,
                "max_points",
                &self.max_points,
                0.01..=100_000.0,
                "Enter the points possible (more than 0).",
            )
        } else {
            rubric_max(&rubric)
        };
        if !rubric.is_empty() && max_points <= 0.0 {
            problems.add(
                "rubric",
                "The rubric's best levels must be worth some points.",
            );
        }
        problems.into_result()?;
        Ok(AssignmentSettings {
            due_at,
            cutoff_at,
            late_percent_per_day,
            late_max_percent,
            accept_text: self.accept_text,
            accept_files: self.accept_files,
            max_files,
            resubmit: self.resubmit,
            max_points,
            rubric,
        })
    }
}

/// Criteria with no text and no levels are dropped (the editor's empty rows); anything else must
/// be complete. Problems name the criterion and level, as the editor numbers them.
fn parse_rubric(problems: &mut Problems, rows: &[CriterionForm]) -> Vec<RubricCriterion> {
    let mut out = Vec::new();
    // One message for the whole rubric, so every problem shows at once.
    let mut found: Vec<String> = Vec::new();
    for (i, c) in rows.iter().enumerate() {
        let description = c.description.trim();
        let levels: Vec<&LevelForm> = c
            .levels
            .iter()
            .filter(|l| !(l.points.trim().is_empty() && l.description.trim().is_empty()))
            .collect();
        if description.is_empty() && levels.is_empty() {
            continue;
        }
        let n = i + 1;
        if description.is_empty() || description.len() > 2000 {
            found.push(format!(
                "Criterion {n}: describe what it assesses (up to 2,000 characters)."
            ));
        }
        if levels.len() < 2 {
            found.push(format!("Criterion {n}: give it at least two levels."));
        }
        let mut parsed = Vec::new();
        for (j, l) in levels.iter().enumerate() {
            let points = match parse_number(l.points.trim()) {
                Some(p) if (0.0..=10_000.0).contains(&p) => p,
                _ => {
                    found.push(format!(
                        "Criterion {n}, level {}: enter points from 0.",
                        j + 1
                    ));
                    0.0
                }
            };
            if l.description.trim().is_empty() {
                found.push(format!(
                    "Criterion {n}, level {}: describe the level.",
                    j + 1
                ));
            }
            parsed.push(RubricLevel {
                points,
                description: l.description.trim().to_string(),
            });
        }
        out.push(RubricCriterion {
            description: description.to_string(),
            levels: parsed,
        });
    }
    if out.len() > 50 {
        found.push("A rubric can have at most 50 criteria.".into());
    }
    if !found.is_empty() {
        problems.add("rubric", found.join(" "));
    }
    out
}

/// The instructor's set-up of one assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentEditor {
    pub item_id: i64,
    pub course_id: i64,
    pub title: String,
    pub settings: AssignmentSettings,
    /// Once work is graded with the rubric, its criteria and levels stay as they are.
    pub rubric_locked: bool,
}

/// Where a learner's work stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubmissionStatus {
    NotStarted,
    Draft,
    Submitted,
}

impl SubmissionStatus {
    pub fn label(self) -> &'static str {
        match self {
            SubmissionStatus::NotStarted => "Not submitted",
            SubmissionStatus::Draft => "Draft (not submitted)",
            SubmissionStatus::Submitted => "Submitted",
        }
    }
}

/// A released grade as its learner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleasedGrade {
    pub raw_points: Option<f64>,
    /// The points after any late penalty, as the gradebook counts them.
    pub points: Option<f64>,
    pub max_points: f64,
    pub penalty_percent: f64,
    /// The level chosen for each criterion (rubric grading).
    pub rubric_levels: Vec<Option<usize>>,
    pub feedback_html: String,
    pub feedback_files: Vec<FileInfo>,
}

/// A learner's own view of an assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyAssignment {
    pub item_id: i64,
    pub course_id: i64,
    pub settings: AssignmentSettings,
    pub now: i64,
    pub status: SubmissionStatus,
    pub body: String,
    /// Sent back with every change; 0 before the first save.
    pub version: i32,
    pub files: Vec<FileInfo>,
    pub submitted_at: Option<i64>,
    pub submit_count: i32,
    /// The learner may change the work now (a draft before the cut-off, or a resubmission).
    pub may_edit: bool,
    /// Submitted work may be taken back to a draft and handed in again.
    pub may_reopen: bool,
    /// The viewer is the course's staff (previewing: no work of their own).
    pub staff: bool,
    pub grade: Option<ReleasedGrade>,
    /// The dates in `settings` are this learner's own (an extension or accommodation).
    #[serde(default)]
    pub own_dates: bool,
}

/// What the learner's page sends when the text changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftSave {
    pub body: String,
    /// The version the page last saw.
    pub version: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubmissionFilter {
    All,
    NeedsGrading,
    Late,
    NotSubmitted,
}

impl SubmissionFilter {
    pub const ALL: [SubmissionFilter; 4] = [
        SubmissionFilter::All,
        SubmissionFilter::NeedsGrading,
        SubmissionFilter::Late,
        SubmissionFilter::NotSubmitted,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionFilter::All => "all",
            SubmissionFilter::NeedsGrading => "needs-grading",
            SubmissionFilter::Late => "late",
            SubmissionFilter::NotSubmitted => "not-submitted",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SubmissionFilter::All => "Everyone",
            SubmissionFilter::NeedsGrading => "Needs grading",
            SubmissionFilter::Late => "Late",
            SubmissionFilter::NotSubmitted => "Not submitted",
        }
    }
    pub fn parse(s: &str) -> SubmissionFilter {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .unwrap_or(SubmissionFilter::All)
    }
}

/// One learner's line in the submissions list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub status: SubmissionStatus,
    pub submitted_at: Option<i64>,
    pub late_by: Option<i64>,
    pub file_count: i64,
    /// Points after any late penalty.
    pub points: Option<f64>,
    /// Submitted and not graded since.
    pub needs_grading: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionCounts {
    pub learners: i64,
    pub submitted: i64,
    pub needs_grading: i64,
    pub late: i64,
}

/// A page of an assignment's learners with their work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionList {
    pub item_id: i64,
    pub course_id: i64,
    pub title: String,
    pub max_points: f64,
    pub due_at: Option<i64>,
    pub released: bool,
    pub counts: SubmissionCounts,
    pub rows: Vec<SubmissionRow>,
    pub filter: SubmissionFilter,
    pub page: u32,
    pub per_page: u32,
    /// Learners matching the filter.
    pub total: i64,
}

/// One learner's work and its grading, for a grader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionDetail {
    pub item_id: i64,
    pub course_id: i64,
    pub title: String,
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub settings: AssignmentSettings,
    pub status: SubmissionStatus,
    pub body_html: String,
    pub files: Vec<FileInfo>,
    pub submitted_at: Option<i64>,
    pub submit_count: i32,
    pub late_by: Option<i64>,
    /// The penalty the rule gives this work, in percent.
    pub penalty_percent: f64,
    pub raw_points: Option<f64>,
    pub rubric_levels: Vec<Option<usize>>,
    pub feedback: String,
    pub feedback_files: Vec<FileInfo>,
    pub graded_at: Option<i64>,
    /// Sent back with a grade, so a grader never overwrites a colleague's newer grade unseen.
    pub grade_version: i32,
    pub released: bool,
    /// The learners before and after this one, in the list's order (by name).
    pub previous: Option<i64>,
    pub next: Option<i64>,
}

/// What a grader sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GradeInput {
    /// Points before any late penalty (points grading).
    pub points: String,
    /// The level chosen per criterion (rubric grading).
    pub rubric_levels: Vec<Option<usize>>,
    pub feedback: String,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeSaved {
    pub version: i32,
    pub raw_points: Option<f64>,
    pub points: Option<f64>,
}

/// "2 days 3 hours" for a lateness.
pub fn describe_late(secs: i64) -> String {
    let days = secs / 86_400;
    let hours = (secs % 86_400) / 3600;
    let minutes = (secs % 3600) / 60;
    let unit = |n: i64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (days, hours) {
        (0, 0) => unit(minutes.max(1), "minute"),
        (0, h) => unit(h, "hour"),
        (d, 0) => unit(d, "day"),
        (d, h) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> AssignmentSettingsForm {
        AssignmentSettingsForm {
            due_at: "2026-12-01T12:00".into(),
            cutoff_at: "2026-12-05T12:00".into(),
            late_percent_per_day: "10".into(),
            late_max_percent: "30".into(),
            accept_text: true,
            accept_files: true,
            max_files: "3".into(),
            resubmit: false,
            max_points: "50".into(),
            rubric: Vec::new(),
        }
    }

    fn level(points: &str, description: &str) -> LevelForm {
        LevelForm {
            points: points.into(),
            description: description.into(),
        }
    }

    #[test]
    fn settings_parse_and_refuse_with_field_messages() {
        let s = form().parse().unwrap();
        assert_eq!(s.max_points, 50.0);
        assert_eq!(s.cutoff_at.unwrap() - s.due_at.unwrap(), 4 * 86_400);
        let bad = AssignmentSettingsForm {
            cutoff_at: "2026-11-30T12:00".into(),
            late_percent_per_day: "120".into(),
            accept_text: false,
            accept_files: false,
            max_points: "0".into(),
            ..form()
        };
        let err = bad.parse().unwrap_err();
        assert!(err.field("cutoff_at").is_some());
        assert!(err.field("late_percent_per_day").is_some());
        assert!(err.field("accept_text").is_some());
        assert!(err.field("max_points").is_some());
    }

    #[test]
    fn rubric_sets_the_points_and_scores_a_choice_of_levels() {
        let f = AssignmentSettingsForm {
            max_points: "".into(),
            rubric: vec![
                CriterionForm {
                    description: "Argument".into(),
                    levels: vec![
                        level("0", "Missing"),
                        level("5", "Weak"),
                        level("10", "Strong"),
                    ],
                },
                CriterionForm {
                    description: "Sources".into(),
                    levels: vec![
                        level("0", "None"),
                        level("4", "Some"),
                        level("6", "Thorough"),
                    ],
                },
                // The editor's empty row is ignored.
                CriterionForm::default(),
            ],
            ..form()
        };
        let s = f.parse().unwrap();
        assert_eq!(s.rubric.len(), 2);
        assert_eq!(s.max_points, 16.0);
        assert_eq!(rubric_points(&s.rubric, &[Some(1), Some(2)]), Some(11.0));
        assert_eq!(
            rubric_points(&s.rubric, &[Some(2), None]),
            None,
            "every criterion needs a level"
        );
        assert_eq!(
            rubric_points(&s.rubric, &[Some(2), Some(9)]),
            None,
            "no such level"
        );
        // 11 points handed in 26 hours late at 10 % a day: two started days, 20 % off.
        let due = s.due_at.unwrap();
        assert!((s.final_points(11.0, Some(due + 26 * 3600)) - 8.8).abs() < 1e-9);
        assert_eq!(s.final_points(11.0, Some(due)), 11.0);
        assert_eq!(s.late_by(due + 90), Some(90));
        assert_eq!(describe_late(26 * 3600), "1 day 2 hours");
    }

    #[test]
    fn rubric_problems_name_the_criterion_and_level() {
        let f = AssignmentSettingsForm {
            rubric: vec![CriterionForm {
                description: "Clarity".into(),
                levels: vec![level("x", "Poor"), level("3", "")],
            }],
            ..form()
        };
        let message = f.parse().unwrap_err().field("rubric").unwrap();
        assert!(
            message.contains("Criterion 1, level 1: enter points"),
            "{message}"
        );
    }
}
