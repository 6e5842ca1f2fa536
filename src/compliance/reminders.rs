//! When a person is reminded of a requirement: the one rule the nightly run and its tests ask.
//! Pure: a plan, a standing, the day and the last reminder in, a reminder (or none) out, so
//! tests move a fake clock day by day.

use super::status::{Standing, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How a requirement chases people, as its administrator set it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderPlan {
    /// Remind this many days before the due date (once per due date).
    pub before_days: Option<u32>,
    /// Remind on the first day it is overdue (or the certification has expired).
    pub on_overdue: bool,
    /// While overdue, remind again every this many days.
    pub repeat_days: Option<u32>,
    /// Once this many days overdue, copy each reminder to the person's manager.
    pub escalate_after_days: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    /// Due on this date (today or later).
    Upcoming { due_on: NaiveDate },
    /// Was due on this date, this many days ago.
    Late { due_on: NaiveDate, days_late: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminder {
    pub kind: ReminderKind,
    /// Copy it to the manager.
    pub escalate: bool,
}

impl ReminderPlan {
    pub fn is_off(&self) -> bool {
        self.before_days.is_none() && !self.on_overdue && self.repeat_days.is_none()
    }

    /// The plan in words.
    pub fn text(&self) -> String {
        if self.is_off() {
            return "No reminders".into();
        }
        let mut parts = Vec::new();
        if let Some(days) = self.before_days {
            parts.push(format!("{days} days before the due date"));
        }
        if self.on_overdue {
            parts.push("when overdue".to_string());
        }
        if let Some(days) = self.repeat_days {
            parts.push(format!("every {days} days while overdue"));
        }
        let mut text = format!("Reminders {}", parts.join(", "));
        if let Some(days) = self.escalate_after_days {
            text.push_str(&format!(
                "; copied to the manager after {days} days overdue"
            ));
        }
        text
    }
}

/// The reminder due `today` for someone with this standing, last reminded on `last` (in any
/// cycle), or None. Completed (and not yet in the renewal window) and exempt people are left
/// alone; so is anybody reminded today already.
pub fn due(
    plan: &ReminderPlan,
    standing: &Standing,
    today: NaiveDate,
    last: Option<NaiveDate>,
) -> Option<Reminder> {
    if last.is_some_and(|l| l >= today) {
        return None;
    }
    let due_on = standing.due_on?;
    match standing.state {
        State::Completed | State::Exempt => None,
        State::Overdue | State::Expired => {
            let days_late = (today - due_on).num_days();
            let late_since = due_on.succ_opt()?;
            let reminded_late = last.filter(|l| *l >= late_since);
            let send = match reminded_late {
                None => plan.on_overdue || plan.repeat_days.is_some(),
                Some(l) => plan
                    .repeat_days
                    .is_some_and(|every| (today - l).num_days() >= i64::from(every)),
            };
            send.then_some(Reminder {
                kind: ReminderKind::Late { due_on, days_late },
                escalate: plan
                    .escalate_after_days
                    .is_some_and(|after| days_late >= i64::from(after)),
            })
        }
        State::NotStarted | State::InProgress | State::DueSoon => {
            let before = plan.before_days?;
            let from = due_on.checked_sub_days(chrono::Days::new(u64::from(before)))?;
            let already = last.is_some_and(|l| l >= from);
            (today >= from && !already).then_some(Reminder {
                kind: ReminderKind::Upcoming { due_on },
                escalate: false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn standing(state: State, due: &str) -> Standing {
        Standing {
            state,
            due_on: Some(d(due)),
            expires_on: None,
            window_opens_on: None,
        }
    }

    const PLAN: ReminderPlan = ReminderPlan {
        before_days: Some(7),
        on_overdue: true,
        repeat_days: Some(3),
        escalate_after_days: Some(7),
    };

    /// Walks a fake clock from `from` to `to`, as the nightly run would, with the state the
    /// status rule gives for a due date of `due` and no completion; returns the days reminded
    /// and whether each was escalated.
    fn walk(plan: &ReminderPlan, due_text: &str, from: &str, to: &str) -> Vec<(String, bool)> {
        let due_on = d(due_text);
        let mut last = None;
        let mut sent = Vec::new();
        let mut today = d(from);
        while today <= d(to) {
            let state = if today > due_on {
                State::Overdue
            } else {
                State::NotStarted
            };
            if let Some(r) = due(plan, &standing(state, due_text), today, last) {
                sent.push((today.format("%Y-%m-%d").to_string(), r.escalate));
                last = Some(today);
            }
            today = today.succ_opt().unwrap();
        }
        sent
    }

    #[test]
    fn a_week_before_then_on_overdue_then_every_three_days_copied_to_the_manager_after_a_week() {
        let sent = walk(&PLAN, "2027-03-10", "2027-02-20", "2027-03-25");
        let days: Vec<(&str, bool)> = sent.iter().map(|(d, e)| (d.as_str(), *e)).collect();
        assert_eq!(
            days,
            [
                ("2027-03-03", false), // 7 days before the last day
                ("2027-03-11", false), // the first overdue day
                ("2027-03-14", false),
                ("2027-03-17", true), // 7 days late: the manager is copied from here
                ("2027-03-20", true),
                ("2027-03-23", true),
            ]
        );
    }

    #[test]
    fn assigned_inside_the_window_is_reminded_at_once_and_only_once() {
        // Assigned 2 days before the due date: the "7 days before" reminder goes the first night.
        let sent = walk(&PLAN, "2027-03-10", "2027-03-08", "2027-03-10");
        assert_eq!(sent, [("2027-03-08".to_string(), false)]);
    }

    #[test]
    fn no_repeat_means_one_overdue_reminder() {
        let plan = ReminderPlan {
            repeat_days: None,
            escalate_after_days: None,
            ..PLAN
        };
        let sent = walk(&plan, "2028-02-29", "2028-02-01", "2028-04-01");
        let days: Vec<&str> = sent.iter().map(|(d, _)| d.as_str()).collect();
        // Leap year: seven days before 29 February is the 22nd; overdue from 1 March.
        assert_eq!(days, ["2028-02-22", "2028-03-01"]);
    }

    #[test]
    fn an_off_plan_is_silent_and_done_or_exempt_people_are_left_alone() {
        assert!(
            walk(
                &ReminderPlan::default(),
                "2027-03-10",
                "2027-02-01",
                "2027-05-01"
            )
            .is_empty()
        );
        let today = d("2027-04-01");
        for state in [State::Completed, State::Exempt] {
            assert_eq!(
                due(&PLAN, &standing(state, "2027-03-10"), today, None),
                None
            );
        }
        // Reminded today already (a second run the same day): nothing more.
        let late = standing(State::Overdue, "2027-03-10");
        assert_eq!(due(&PLAN, &late, today, Some(today)), None);
    }

    #[test]
    fn a_new_cycle_is_reminded_again_before_its_renewal_due_date() {
        // Reminded last year while overdue; now in the renewal window of the next cycle.
        let renewal = Standing {
            state: State::DueSoon,
            due_on: Some(d("2028-03-09")),
            expires_on: Some(d("2028-03-10")),
            window_opens_on: Some(d("2028-02-09")),
        };
        let r = due(&PLAN, &renewal, d("2028-03-02"), Some(d("2027-03-14"))).unwrap();
        assert_eq!(
            r.kind,
            ReminderKind::Upcoming {
                due_on: d("2028-03-09")
            }
        );
        // Expired the day after the last valid day: late by one day, reminded.
        let expired = Standing {
            state: State::Expired,
            ..renewal
        };
        let r = due(&PLAN, &expired, d("2028-03-10"), Some(d("2028-03-02"))).unwrap();
        assert_eq!(
            r.kind,
            ReminderKind::Late {
                due_on: d("2028-03-09"),
                days_late: 1
            }
        );
    }
}
