//! How grades combine: category weights, dropping the lowest N, extra credit, excused items,
//! letter schemes and late penalties. Pure functions over one learner's grades, so a change to
//! one grade recomputes one learner's total from their own rows, never the whole course.

use serde::{Deserialize, Serialize};

/// A gradebook category's rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRule {
    pub id: i64,
    /// Share of the course total, in percent; when every category has weight 0 the course total
    /// is points-based (sum of points over sum of maximums).
    pub weight: f64,
    /// How many of the lowest-scoring graded items to leave out (at least one always counts).
    pub drop_lowest: u32,
}

/// One learner's standing on one grade item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    pub item_id: i64,
    pub category_id: Option<i64>,
    /// `None` until graded; an override, when there is one, is already applied.
    pub points: Option<f64>,
    pub max_points: f64,
    /// Left out entirely, as if the item did not exist for this learner.
    pub excused: bool,
    /// Points add to what was earned but the maximum does not grow.
    pub extra_credit: bool,
}

/// The course total as a percentage, from graded items only (ungraded ones do not count against
/// the learner yet); `None` when nothing is graded.
pub fn course_total(categories: &[CategoryRule], scores: &[ItemScore]) -> Option<f64> {
    let weighted = categories.iter().any(|c| c.weight > 0.0);
    if !weighted {
        let (earned, possible) = sums(&kept(scores.iter().collect(), 0));
        return (possible > 0.0).then(|| earned / possible * 100.0);
    }
    let mut total = 0.0;
    let mut weights = 0.0;
    for category in categories.iter().filter(|c| c.weight > 0.0) {
        let in_category: Vec<&ItemScore> = scores
            .iter()
            .filter(|s| s.category_id == Some(category.id))
            .collect();
        if let Some(percent) = category_percent(category, &in_category) {
            total += category.weight * percent;
            weights += category.weight;
        }
    }
    // Categories with nothing graded yet are left out and the others' weights scaled up.
    (weights > 0.0).then(|| total / weights)
}

/// One category's percentage for one learner, after drops and extra credit.
pub fn category_percent(category: &CategoryRule, scores: &[&ItemScore]) -> Option<f64> {
    let (earned, possible) = sums(&kept(scores.to_vec(), category.drop_lowest));
    (possible > 0.0).then(|| earned / possible * 100.0)
}

/// The items that count: graded, not excused, minus the lowest `drop` regular items by
/// percentage (ties drop the item with the larger maximum first, which helps the learner least;
/// Moodle and Canvas drop by percentage too). Extra credit is never dropped.
fn kept(scores: Vec<&ItemScore>, drop: u32) -> Vec<&ItemScore> {
    let graded: Vec<&ItemScore> = scores
        .into_iter()
        .filter(|s| !s.excused && s.points.is_some())
        .collect();
    let (extra, mut regular): (Vec<&ItemScore>, Vec<&ItemScore>) =
        graded.into_iter().partition(|s| s.extra_credit);
    regular.retain(|s| s.max_points > 0.0);
    let drop = (drop as usize).min(regular.len().saturating_sub(1));
    regular.sort_by(|a, b| {
        share(a)
            .total_cmp(&share(b))
            .then(b.max_points.total_cmp(&a.max_points))
            .then(a.item_id.cmp(&b.item_id))
    });
    regular.drain(..drop);
    regular.extend(extra);
    regular
}

fn share(s: &ItemScore) -> f64 {
    s.points.unwrap_or(0.0) / s.max_points
}

fn sums(kept: &[&ItemScore]) -> (f64, f64) {
    kept.iter().fold((0.0, 0.0), |(earned, possible), s| {
        (
            earned + s.points.unwrap_or(0.0),
            possible + if s.extra_credit { 0.0 } else { s.max_points },
        )
    })
}

/// A letter scheme: the first band (highest minimum first) whose minimum the percentage reaches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LetterBand {
    pub min_percent: f64,
    pub letter: String,
}

pub fn letter_for(bands: &[LetterBand], percent: f64) -> Option<&str> {
    bands
        .iter()
        .filter(|b| percent + 1e-9 >= b.min_percent)
        .max_by(|a, b| a.min_percent.total_cmp(&b.min_percent))
        .map(|b| b.letter.as_str())
}

/// The usual scheme, used until a course sets its own.
pub fn default_letters() -> Vec<LetterBand> {
    [
        (93.0, "A"),
        (90.0, "A-"),
        (87.0, "B+"),
        (83.0, "B"),
        (80.0, "B-"),
        (77.0, "C+"),
        (73.0, "C"),
        (70.0, "C-"),
        (67.0, "D+"),
        (60.0, "D"),
        (0.0, "F"),
    ]
    .into_iter()
    .map(|(min_percent, letter)| LetterBand {
        min_percent,
        letter: letter.to_string(),
    })
    .collect()
}

/// Reads a letter scheme typed one band per line as `A: 93` (the letter, then the lowest
/// percentage that earns it). One band must start at 0 so every total has a letter.
pub fn parse_letters(input: &str) -> Result<Vec<LetterBand>, String> {
    let mut bands = Vec::new();
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let band = line.rsplit_once(':').and_then(|(letter, min)| {
            let min = min
                .trim()
                .trim_end_matches('%')
                .trim()
                .replace(',', ".")
                .parse::<f64>()
                .ok()?;
            let letter = letter.trim();
            ((0.0..=100.0).contains(&min) && !letter.is_empty() && letter.chars().count() <= 20)
                .then(|| LetterBand {
                    min_percent: min,
                    letter: letter.to_string(),
                })
        });
        match band {
            Some(b) => bands.push(b),
            None => {
                return Err(format!(
                    "Line {}: write a band as `A: 93` (a letter, a colon, the lowest percentage).",
                    n + 1
                ));
            }
        }
    }
    if !bands.iter().any(|b| b.min_percent == 0.0) {
        return Err(
            "Add a band that starts at 0, like `F: 0`, so every total has a letter.".into(),
        );
    }
    bands.sort_by(|a, b| b.min_percent.total_cmp(&a.min_percent));
    Ok(bands)
}

/// The scheme as the settings form shows it, highest band first.
pub fn letters_text(bands: &[LetterBand]) -> String {
    bands
        .iter()
        .map(|b| format!("{}: {}", b.letter, b.min_percent))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A late-penalty rule: `percent_per_day` off for each started day late, at most `max_percent`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatePenalty {
    pub percent_per_day: f64,
    pub max_percent: f64,
}

impl LatePenalty {
    /// The points after the penalty for work submitted at `submitted_at` against `due_at`.
    pub fn apply(&self, points: f64, due_at: i64, submitted_at: i64) -> f64 {
        if submitted_at <= due_at {
            return points;
        }
        let days_late = ((submitted_at - due_at) as f64 / 86_400.0).ceil();
        let off = (days_late * self.percent_per_day)
            .min(self.max_percent)
            .clamp(0.0, 100.0);
        points * (1.0 - off / 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(item_id: i64, category: i64, points: Option<f64>, max: f64) -> ItemScore {
        ItemScore {
            item_id,
            category_id: Some(category),
            points,
            max_points: max,
            excused: false,
            extra_credit: false,
        }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn weighted_categories_drop_the_lowest_and_skip_empty_categories() {
        let categories = [
            CategoryRule {
                id: 1,
                weight: 40.0,
                drop_lowest: 1,
            }, // quizzes
            CategoryRule {
                id: 2,
                weight: 60.0,
                drop_lowest: 0,
            }, // assignments
            CategoryRule {
                id: 3,
                weight: 20.0,
                drop_lowest: 0,
            }, // exam, nothing graded yet
        ];
        let scores = [
            score(1, 1, Some(5.0), 10.0),  // 50 % -> dropped
            score(2, 1, Some(8.0), 10.0),  // 80 %
            score(3, 1, Some(18.0), 20.0), // 90 %
            score(4, 2, Some(30.0), 40.0),
            score(5, 2, Some(50.0), 60.0),
            score(6, 3, None, 100.0),
        ];
        // Quizzes: (8 + 18) / (10 + 20) = 86.667 %. Assignments: 80 / 100 = 80 %.
        // Exam has no grade: weights 40 and 60 only. Total = (40 × 86.667 + 60 × 80) / 100 = 82.667.
        let total = course_total(&categories, &scores);
        assert!(
            close(total, (40.0 * (26.0 / 30.0 * 100.0) + 60.0 * 80.0) / 100.0),
            "{total:?}"
        );
        assert!(close(total, 82.666_666_666_666_67));
    }

    #[test]
    fn dropping_never_removes_the_last_item_and_ties_drop_the_bigger_item() {
        let rule = CategoryRule {
            id: 1,
            weight: 100.0,
            drop_lowest: 5,
        };
        let one = score(1, 1, Some(3.0), 10.0);
        assert!(close(category_percent(&rule, &[&one]), 30.0));
        let rule = CategoryRule {
            id: 1,
            weight: 100.0,
            drop_lowest: 1,
        };
        let (a, b, c) = (
            score(1, 1, Some(5.0), 10.0),
            score(2, 1, Some(10.0), 20.0),
            score(3, 1, Some(9.0), 10.0),
        );
        // a and b are both 50 %; b (max 20) goes: (5 + 9) / 20 = 70 %.
        assert!(close(category_percent(&rule, &[&a, &b, &c]), 70.0));
    }

    #[test]
    fn points_mode_with_excused_ungraded_and_extra_credit_items() {
        let mut excused = score(2, 1, Some(0.0), 50.0);
        excused.excused = true;
        let mut bonus = score(4, 1, Some(5.0), 10.0);
        bonus.extra_credit = true;
        let scores = [
            score(1, 1, Some(40.0), 50.0),
            excused,
            score(3, 1, None, 100.0),
            bonus,
        ];
        // (40 + 5) / 50: excused and ungraded items count for nothing, bonus adds points only.
        assert!(close(
            course_total(
                &[CategoryRule {
                    id: 1,
                    weight: 0.0,
                    drop_lowest: 0
                }],
                &scores
            ),
            90.0
        ));
        assert_eq!(course_total(&[], &[score(1, 1, None, 10.0)]), None);
        // Extra credit can lift a total above 100 %.
        let mut big_bonus = score(5, 1, Some(20.0), 10.0);
        big_bonus.extra_credit = true;
        assert!(close(
            course_total(&[], &[score(1, 1, Some(10.0), 10.0), big_bonus]),
            300.0
        ));
    }

    #[test]
    fn letter_schemes_are_typed_one_band_per_line() {
        let bands = parse_letters("Pass: 50\nDistinction: 85 %\nFail: 0").unwrap();
        assert_eq!(letter_for(&bands, 84.9), Some("Pass"));
        assert_eq!(letter_for(&bands, 85.0), Some("Distinction"));
        assert_eq!(letters_text(&bands), "Distinction: 85\nPass: 50\nFail: 0");
        assert_eq!(
            parse_letters("A: 90\nB").unwrap_err(),
            "Line 2: write a band as `A: 93` (a letter, a colon, the lowest percentage)."
        );
        assert!(parse_letters("A: 90").unwrap_err().contains("starts at 0"));
    }

    #[test]
    fn letters_and_late_penalties() {
        let bands = default_letters();
        assert_eq!(letter_for(&bands, 93.0), Some("A"));
        assert_eq!(letter_for(&bands, 92.99), Some("A-"));
        assert_eq!(letter_for(&bands, 59.9), Some("F"));
        let rule = LatePenalty {
            percent_per_day: 10.0,
            max_percent: 30.0,
        };
        let due = 1_000_000;
        assert_eq!(rule.apply(80.0, due, due), 80.0);
        assert!(
            (rule.apply(80.0, due, due + 1) - 72.0).abs() < 1e-9,
            "a started day counts: 10 % off"
        );
        assert!(
            (rule.apply(80.0, due, due + 86_400 + 1) - 64.0).abs() < 1e-9,
            "two days: 20 % off"
        );
        assert!(
            (rule.apply(80.0, due, due + 10 * 86_400) - 56.0).abs() < 1e-9,
            "capped at 30 % off"
        );
    }
}
