//! Programmes as pages show them, and the form that defines one (shared with the browser).

use crate::error::{AppError, Problems};
use serde::{Deserialize, Serialize};

/// What an administrator types to define a programme.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeForm {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Course codes in order, one per line (or separated by commas).
    pub courses: String,
    /// How many complete it; empty: all of them.
    #[serde(default)]
    pub required_count: String,
}

/// A programme's definition, checked (the course codes are looked up by the service).
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub name: String,
    pub description: String,
    pub codes: Vec<String>,
    pub required_count: Option<u32>,
}

impl ProgrammeForm {
    pub fn parse(&self) -> Result<Parsed, AppError> {
        let mut problems = Problems::default();
        let name = self.name.trim();
        if name.is_empty() {
            problems.add("name", "Give the programme a name.");
        } else if name.chars().count() > 120 {
            problems.add("name", "Keep the name to 120 characters.");
        }
        if self.description.chars().count() > 2000 {
            problems.add("description", "Keep the description to 2,000 characters.");
        }
        let mut codes: Vec<String> = Vec::new();
        for code in self
            .courses
            .split(['\n', ','])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            if codes.iter().any(|c| c.eq_ignore_ascii_case(code)) {
                problems.add("courses", format!("{code} is listed twice."));
            } else {
                codes.push(code.to_string());
            }
        }
        if codes.is_empty() {
            problems.add("courses", "List the programme's courses by code, in order.");
        }
        let required = self.required_count.trim();
        let required_count = if required.is_empty() {
            None
        } else {
            match required.parse::<u32>() {
                Ok(n) if n >= 1 && (n as usize) <= codes.len().max(1) => Some(n),
                _ => {
                    problems.add(
                        "required_count",
                        format!(
                            "Give a number from 1 to {} (the number of courses), or leave it empty for all.",
                            codes.len().max(1)
                        ),
                    );
                    None
                }
            }
        };
        problems.into_result()?;
        Ok(Parsed {
            name: name.to_string(),
            description: self.description.trim().to_string(),
            // "All of them" is kept as empty, so adding a course keeps meaning all.
            required_count: required_count.filter(|n| *n as usize != codes.len()),
            codes,
        })
    }
}

/// One course of a programme, for one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeCourse {
    pub course_id: i64,
    pub code: String,
    pub title: String,
    /// The person completed it.
    pub completed: bool,
}

/// A programme with one person's progress (or, for administrators, none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Programme {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub required_count: Option<u32>,
    pub courses: Vec<ProgrammeCourse>,
    pub members: i64,
    pub completed_at: Option<i64>,
}

impl Programme {
    /// How many courses complete it.
    pub fn required(&self) -> usize {
        self.required_count
            .map_or(self.courses.len(), |n| n as usize)
            .min(self.courses.len())
    }
    pub fn done(&self) -> usize {
        self.courses.iter().filter(|c| c.completed).count()
    }
    /// Progress towards completion, 0–100 (complete is 100 even with courses left).
    pub fn percent(&self) -> i64 {
        let required = self.required();
        if self.completed_at.is_some() {
            100
        } else {
            ((self.done().min(required) * 100).checked_div(required)).unwrap_or(0) as i64
        }
    }
    /// The first course in order not completed yet, while the programme is not complete.
    pub fn next(&self) -> Option<&ProgrammeCourse> {
        if self.completed_at.is_some() || self.done() >= self.required() {
            return None;
        }
        self.courses.iter().find(|c| !c.completed)
    }
    /// The rule in words: "All 3 courses" or "Any 2 of 3 courses".
    pub fn rule(&self) -> String {
        match self.required_count {
            Some(n) if (n as usize) < self.courses.len() => {
                format!("Any {n} of {} courses", self.courses.len())
            }
            _ => format!("All {} courses", self.courses.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programme(done: &[bool], required_count: Option<u32>) -> Programme {
        Programme {
            id: 1,
            name: "P".into(),
            description: String::new(),
            required_count,
            courses: done
                .iter()
                .enumerate()
                .map(|(i, d)| ProgrammeCourse {
                    course_id: i as i64 + 1,
                    code: format!("C{i}"),
                    title: format!("Course {i}"),
                    completed: *d,
                })
                .collect(),
            members: 0,
            completed_at: None,
        }
    }

    #[test]
    fn progress_and_the_next_course_follow_the_rule_and_the_order() {
        let p = programme(&[true, false, false], None);
        assert_eq!((p.done(), p.required(), p.percent()), (1, 3, 33));
        assert_eq!(p.next().map(|c| c.course_id), Some(2));
        assert_eq!(p.rule(), "All 3 courses");
        let any_two = programme(&[false, true, false], Some(2));
        assert_eq!(any_two.percent(), 50);
        assert_eq!(
            any_two.next().map(|c| c.course_id),
            Some(1),
            "the first left, in order"
        );
        assert_eq!(any_two.rule(), "Any 2 of 3 courses");
        let met = programme(&[true, false, true], Some(2));
        assert_eq!(met.next(), None);
        assert_eq!(met.percent(), 100);
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let err = ProgrammeForm {
            name: "".into(),
            courses: "A-1\na-1".into(),
            required_count: "3".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        for field in ["name", "courses", "required_count"] {
            assert!(err.field(field).is_some(), "{field}: {err:?}");
        }
        let ok = ProgrammeForm {
            name: "Nursing induction".into(),
            courses: "A-1, B-2\nC-3".into(),
            required_count: "3".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(ok.codes, vec!["A-1", "B-2", "C-3"]);
        assert_eq!(ok.required_count, None, "all of them");
    }
}

/// The job kind queued when a person completes a programme, in that transaction: what follows
/// (a certificate) runs in the background, in the areas above.
pub const PROGRAMME_COMPLETED: &str = "programmes.completed";

/// What a `PROGRAMME_COMPLETED` job is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeCompleted {
    pub programme_id: i64,
    pub user_id: i64,
}
