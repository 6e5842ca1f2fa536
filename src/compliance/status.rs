//! Where a person stands on one requirement on a given day: the one rule that the requirement
//! pages, the reminders, the nightly run and the compliance reports all ask. Pure: dates in, a
//! status out (the caller says what "today" is in the site's time zone, so tests use a fixed
//! clock).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// When a requirement falls due for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DueRule {
    /// On this date.
    Fixed { date: NaiveDate },
    /// N days after the person was assigned.
    AfterAssignment { days: u32 },
    /// N days after their hire date (the assignment date when none is recorded).
    AfterHire { days: u32 },
}

/// Certification that lapses and is renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    /// A completion is valid this many months.
    pub valid_months: u32,
    /// The renewal window opens this many days before expiry.
    pub window_days: u32,
}

/// A requirement's timing, as its administrator set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timing {
    pub due: DueRule,
    pub recurrence: Option<Recurrence>,
    /// "Due soon" this many days before the due date.
    pub due_soon_days: u32,
}

/// What is known about one person and one requirement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub assigned_on: NaiveDate,
    pub hire_date: Option<NaiveDate>,
    /// They started the course (or programme) since the current cycle began.
    pub started: bool,
    /// When they last completed it (the current cycle's completion).
    pub completed_on: Option<NaiveDate>,
    /// An extension: the due date granted instead of the computed one.
    pub extended_to: Option<NaiveDate>,
    pub exempt: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    NotStarted,
    InProgress,
    DueSoon,
    Overdue,
    Completed,
    /// A certification lapsed: the person must recertify.
    Expired,
    Exempt,
}

impl State {
    pub const ALL: [State; 7] = [
        State::NotStarted,
        State::InProgress,
        State::DueSoon,
        State::Overdue,
        State::Completed,
        State::Expired,
        State::Exempt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::NotStarted => "not_started",
            State::InProgress => "in_progress",
            State::DueSoon => "due_soon",
            State::Overdue => "overdue",
            State::Completed => "completed",
            State::Expired => "expired",
            State::Exempt => "exempt",
        }
    }

    pub fn parse(input: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str() == input)
    }

    pub fn label(self) -> &'static str {
        match self {
            State::NotStarted => "Not started",
            State::InProgress => "In progress",
            State::DueSoon => "Due soon",
            State::Overdue => "Overdue",
            State::Completed => "Completed",
            State::Expired => "Expired",
            State::Exempt => "Exempt",
        }
    }

    /// Counts as compliant in reports: done and still valid, or exempt.
    pub fn compliant(self) -> bool {
        matches!(self, State::Completed | State::Exempt)
    }
}

/// A person's standing on a requirement on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub state: State,
    /// What they must do it by (the expiry, for a certification that is valid now).
    pub due_on: Option<NaiveDate>,
    /// When the current completion lapses.
    pub expires_on: Option<NaiveDate>,
    /// When the renewal window opens.
    pub window_opens_on: Option<NaiveDate>,
}

impl Timing {
    /// The timing in words.
    pub fn text(&self) -> String {
        let due = match self.due {
            DueRule::Fixed { date } => format!("Due on {}", date.format("%Y-%m-%d")),
            DueRule::AfterAssignment { days } => format!("Due {days} days after assignment"),
            DueRule::AfterHire { days } => format!("Due {days} days after hire"),
        };
        match self.recurrence {
            None => due,
            Some(r) => format!(
                "{due}; valid {} months, renewal opens {} days before expiry",
                r.valid_months, r.window_days
            ),
        }
    }
}

/// `date` plus whole months, the day clamped to the month's end (29 February plus a year is
/// 28 February).
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

fn add_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_add_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

fn sub_days(date: NaiveDate, days: u32) -> NaiveDate {
    date.checked_sub_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

/// The first due date, before any extension.
pub fn first_due(timing: &Timing, facts: &Facts) -> NaiveDate {
    match timing.due {
        DueRule::Fixed { date } => date,
        DueRule::AfterAssignment { days } => add_days(facts.assigned_on, days),
        DueRule::AfterHire { days } => add_days(facts.hire_date.unwrap_or(facts.assigned_on), days),
    }
}

/// Where the person stands on `today`. A due date is the last day to do it: overdue starts the
/// day after.
pub fn standing(timing: &Timing, facts: &Facts, today: NaiveDate) -> Standing {
    let valid = |completed: NaiveDate| {
        timing.recurrence.map(|r| {
            let expires = add_months(completed, r.valid_months);
            (expires, sub_days(expires, r.window_days))
        })
    };
    if facts.exempt {
        return Standing {
            state: State::Exempt,
            due_on: None,
            expires_on: None,
            window_opens_on: None,
        };
    }
    if let Some(completed) = facts.completed_on {
        return match valid(completed) {
            None => Standing {
                state: State::Completed,
                due_on: None,
                expires_on: None,
                window_opens_on: None,
            },
            Some((expires, opens)) => {
                // Renewal is due by the last valid day (or an extension granted for it); the
                // completion lapses on `expires`.
                let last_valid = sub_days(expires, 1);
                let due = facts
                    .extended_to
                    .filter(|d| *d > last_valid)
                    .unwrap_or(last_valid);
                let state = if today > due {
                    State::Expired
                } else if today >= opens {
                    State::DueSoon
                } else {
                    State::Completed
                };
                Standing {
                    state,
                    due_on: Some(due),
                    expires_on: Some(expires),
                    window_opens_on: Some(opens),
                }
            }
        };
    }
    let due = facts
        .extended_to
        .unwrap_or_else(|| first_due(timing, facts));
    let state = if today > due {
        State::Overdue
    } else if today >= sub_days(due, timing.due_soon_days) {
        State::DueSoon
    } else if facts.started {
        State::InProgress
    } else {
        State::NotStarted
    };
    Standing {
        state,
        due_on: Some(due),
        expires_on: None,
        window_opens_on: None,
    }
}

/// How many whole days from `today` to `date` (negative when it has passed).
pub fn days_until(today: NaiveDate, date: NaiveDate) -> i64 {
    (date - today).num_days()
}

/// Whether `date` is a leap day (for messages that explain a clamped expiry).
pub fn is_leap_day(date: NaiveDate) -> bool {
    date.month() == 2 && date.day() == 29
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn timing(due: DueRule, recurrence: Option<Recurrence>) -> Timing {
        Timing {
            due,
            recurrence,
            due_soon_days: 7,
        }
    }

    fn facts(assigned: &str) -> Facts {
        Facts {
            assigned_on: d(assigned),
            ..Default::default()
        }
    }

    #[test]
    fn due_dates_follow_the_rule_and_overdue_starts_the_day_after() {
        // 30 days after assignment on 15 January: 14 February.
        let t = timing(DueRule::AfterAssignment { days: 30 }, None);
        let f = facts("2025-01-15");
        assert_eq!(first_due(&t, &f), d("2025-02-14"));
        assert_eq!(standing(&t, &f, d("2025-02-06")).state, State::NotStarted);
        // Due soon from 7 days before (7 February) through the due date itself.
        assert_eq!(standing(&t, &f, d("2025-02-07")).state, State::DueSoon);
        assert_eq!(standing(&t, &f, d("2025-02-14")).state, State::DueSoon);
        assert_eq!(standing(&t, &f, d("2025-02-15")).state, State::Overdue);
        let started = Facts {
            started: true,
            ..f.clone()
        };
        assert_eq!(
            standing(&t, &started, d("2025-01-20")).state,
            State::InProgress
        );
        // An extension moves the due date: not overdue until the day after it.
        let extended = Facts {
            extended_to: Some(d("2025-03-01")),
            ..f
        };
        // Past the first due date, but the extension holds: due soon from 22 February.
        assert_eq!(
            standing(&t, &extended, d("2025-02-20")).state,
            State::NotStarted
        );
        assert_eq!(
            standing(&t, &extended, d("2025-02-22")).state,
            State::DueSoon
        );
        assert_eq!(
            standing(&t, &extended, d("2025-03-02")).state,
            State::Overdue
        );
    }

    #[test]
    fn due_relative_to_the_hire_date_crosses_a_leap_day() {
        // Hired 1 February 2024 (a leap year), due 30 days later: 2 March 2024.
        let t = timing(DueRule::AfterHire { days: 30 }, None);
        let f = Facts {
            hire_date: Some(d("2024-02-01")),
            ..facts("2024-02-10")
        };
        assert_eq!(first_due(&t, &f), d("2024-03-02"));
        // In 2025 (not a leap year) the same 30 days end on 3 March.
        let f = Facts {
            hire_date: Some(d("2025-02-01")),
            ..facts("2025-02-10")
        };
        assert_eq!(first_due(&t, &f), d("2025-03-03"));
        // No hire date recorded: counted from the assignment.
        let f = facts("2025-02-10");
        assert_eq!(first_due(&t, &f), d("2025-03-12"));
    }

    #[test]
    fn a_certification_is_valid_then_due_for_renewal_then_expired() {
        // Valid 12 months, renewal window 30 days before expiry.
        let yearly = Some(Recurrence {
            valid_months: 12,
            window_days: 30,
        });
        let t = timing(
            DueRule::Fixed {
                date: d("2025-03-31"),
            },
            yearly,
        );
        let done = Facts {
            completed_on: Some(d("2025-03-10")),
            ..facts("2025-03-01")
        };
        let s = standing(&t, &done, d("2025-06-01"));
        assert_eq!(s.state, State::Completed);
        assert_eq!(s.expires_on, Some(d("2026-03-10")));
        // 30 days before 10 March 2026 is 8 February 2026.
        assert_eq!(s.window_opens_on, Some(d("2026-02-08")));
        assert_eq!(standing(&t, &done, d("2026-02-07")).state, State::Completed);
        assert_eq!(standing(&t, &done, d("2026-02-08")).state, State::DueSoon);
        assert_eq!(standing(&t, &done, d("2026-03-09")).state, State::DueSoon);
        // Valid through the day before expiry; expired on it.
        assert_eq!(standing(&t, &done, d("2026-03-10")).state, State::Expired);
        // An extension for the renewal keeps them "due soon" until it passes.
        let extended = Facts {
            extended_to: Some(d("2026-04-10")),
            ..done.clone()
        };
        assert_eq!(
            standing(&t, &extended, d("2026-03-20")).state,
            State::DueSoon
        );
        assert_eq!(
            standing(&t, &extended, d("2026-04-11")).state,
            State::Expired
        );
        // Recertifying starts a new cycle from the new completion.
        let renewed = Facts {
            completed_on: Some(d("2026-03-20")),
            ..done
        };
        let s = standing(&t, &renewed, d("2026-03-21"));
        assert_eq!(
            (s.state, s.expires_on),
            (State::Completed, Some(d("2027-03-20")))
        );
    }

    #[test]
    fn a_leap_day_completion_expires_at_the_end_of_february() {
        let t = timing(
            DueRule::AfterAssignment { days: 7 },
            Some(Recurrence {
                valid_months: 12,
                window_days: 0,
            }),
        );
        let done = Facts {
            completed_on: Some(d("2024-02-29")),
            ..facts("2024-02-20")
        };
        let s = standing(&t, &done, d("2025-02-27"));
        assert_eq!(
            (s.state, s.expires_on),
            (State::Completed, Some(d("2025-02-28")))
        );
        assert_eq!(standing(&t, &done, d("2025-02-28")).state, State::Expired);
        assert!(is_leap_day(d("2024-02-29")));
        // Four years on, 29 February exists again.
        assert_eq!(add_months(d("2024-02-29"), 48), d("2028-02-29"));
    }

    #[test]
    fn exempt_wins_and_a_one_off_completion_never_lapses() {
        let t = timing(
            DueRule::Fixed {
                date: d("2020-01-01"),
            },
            None,
        );
        let exempt = Facts {
            exempt: true,
            ..facts("2019-12-01")
        };
        assert_eq!(standing(&t, &exempt, d("2030-01-01")).state, State::Exempt);
        let done = Facts {
            completed_on: Some(d("2019-12-31")),
            ..facts("2019-12-01")
        };
        assert_eq!(standing(&t, &done, d("2040-01-01")).state, State::Completed);
        assert!(State::Completed.compliant() && !State::DueSoon.compliant());
        assert_eq!(days_until(d("2025-01-01"), d("2024-12-30")), -2);
    }

    /// A due date ends at midnight where the site is.
    #[cfg(feature = "ssr")]
    #[test]
    fn overdue_starts_at_midnight_in_the_sites_time_zone() {
        use crate::settings::time_zone::today_in;
        // 23:30 UTC on 9 March 2025: 10 March in Berlin, 9 March in Los Angeles.
        let now = chrono::DateTime::parse_from_rfc3339("2025-03-09T23:30:00Z")
            .unwrap()
            .timestamp();
        let timing = Timing {
            due: DueRule::Fixed {
                date: d("2025-03-09"),
            },
            recurrence: None,
            due_soon_days: 7,
        };
        let facts = facts("2025-01-01");
        assert_eq!(
            standing(&timing, &facts, today_in(now, "Europe/Berlin")).state,
            State::Overdue
        );
        assert_eq!(
            standing(&timing, &facts, today_in(now, "America/Los_Angeles")).state,
            State::DueSoon
        );
    }
}
