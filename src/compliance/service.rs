//! Requirements: who may set them (administrators and user managers), assigning them to the
//! people their targets hold (which enrols those people in the course), and refreshing each
//! person's standing with the one rule in `status`.

use super::model::{
    MyRequirement, PeopleQuery, PersonStanding, RequirementForm, RequirementSummary, Training,
};
use super::reminders::{self, Reminder, ReminderKind, ReminderPlan};
use super::status::{DueRule, Facts, Recurrence, Standing, State, Timing, standing};
use super::store::{self, PersonRow, RequirementRow};
use crate::audiences::service::Memberships;
use crate::audit;
use crate::auth::permissions::{Action, Actor, can};
use crate::completion::model::{RESET_LEARNER, ResetLearner};
use crate::db::{Tx, now};
use crate::error::{AppError, Problems, internal};
use crate::jobs::daily::Daily;
use crate::notifications::model::Kind;
use crate::notifications::service::{Notice, notify};
use crate::paging::Page;
use crate::settings::time_zone::today_in;
use crate::state::AppState;
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashSet};

fn allowed(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::ManageCompliance) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn ymd(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn parse_ymd(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A number typed in a form, in a range.
fn number(
    problems: &mut Problems,
    field: &str,
    text: &str,
    range: std::ops::RangeInclusive<u32>,
) -> u32 {
    match text.trim().parse::<u32>() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            problems.add(
                field,
                format!(
                    "Enter a whole number from {} to {}.",
                    range.start(),
                    range.end()
                ),
            );
            0
        }
    }
}

/// The form's timing, after its rules.
pub fn parse_timing(form: &RequirementForm) -> Result<Timing, AppError> {
    let mut problems = Problems::default();
    let due = match form.due_kind.as_str() {
        "fixed" => match parse_ymd(form.due_date.trim()) {
            Some(date) => DueRule::Fixed { date },
            None => {
                problems.add("due_date", "Enter the due date as YYYY-MM-DD.");
                DueRule::AfterAssignment { days: 0 }
            }
        },
        "after_assignment" => DueRule::AfterAssignment {
            days: number(&mut problems, "due_days", &form.due_days, 0..=3650),
        },
        "after_hire" => DueRule::AfterHire {
            days: number(&mut problems, "due_days", &form.due_days, 0..=3650),
        },
        _ => {
            problems.add("due_kind", "Choose when it is due.");
            DueRule::AfterAssignment { days: 0 }
        }
    };
    let recurrence = if form.valid_months.trim().is_empty() {
        None
    } else {
        let valid_months = number(&mut problems, "valid_months", &form.valid_months, 1..=120);
        let window_days = number(&mut problems, "window_days", &form.window_days, 0..=365);
        Some(Recurrence {
            valid_months,
            window_days,
        })
    };
    let due_soon_days = number(&mut problems, "due_soon_days", &form.due_soon_days, 0..=365);
    problems.into_result()?;
    Ok(Timing {
        due,
        recurrence,
        due_soon_days,
    })
}

/// An optional number of days: empty for none.
fn optional_days(problems: &mut Problems, field: &str, text: &str) -> Option<u32> {
    if text.trim().is_empty() {
        None
    } else {
        Some(number(problems, field, text, 1..=365))
    }
}

/// The form's reminders, after their rules.
pub fn parse_reminders(form: &RequirementForm) -> Result<ReminderPlan, AppError> {
    let mut problems = Problems::default();
    let before_days = if form.remind_before_days.trim().is_empty() {
        None
    } else {
        Some(number(
            &mut problems,
            "remind_before_days",
            &form.remind_before_days,
            0..=365,
        ))
    };
    let plan = ReminderPlan {
        before_days,
        on_overdue: form.remind_on_overdue,
        repeat_days: optional_days(
            &mut problems,
            "remind_repeat_days",
            &form.remind_repeat_days,
        ),
        escalate_after_days: optional_days(
            &mut problems,
            "escalate_after_days",
            &form.escalate_after_days,
        ),
    };
    problems.into_result()?;
    Ok(plan)
}

/// Creates a requirement, assigns it to the people its targets hold now and enrols them.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    form: &RequirementForm,
) -> Result<i64, AppError> {
    allowed(actor)?;
    let mut problems = Problems::default();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        problems.add("name", "Enter a name of at most 200 characters.");
    }
    let timing = problems.check(parse_timing(form));
    let reminders = problems.check(parse_reminders(form)).unwrap_or_default();
    let emails: Vec<String> = form
        .emails
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect();
    let found = crate::users::store::ids_by_emails(&state.db, &emails).await?;
    let mut people = Vec::new();
    for email in &emails {
        match found.get(&email.to_lowercase()) {
            Some(id) => people.push(*id),
            None => problems.add("emails", format!("No account has the address {email}.")),
        }
    }
    let training = match (form.course_id, form.programme_id) {
        (0, 0) => {
            problems.add("training", "Choose a course or a programme.");
            None
        }
        (course, 0) => Some(Training::Course(course)),
        (0, programme) => Some(Training::Programme(programme)),
        _ => {
            problems.add("training", "Choose a course or a programme, not both.");
            None
        }
    };
    if form.audience_ids.is_empty() && form.cohort_ids.is_empty() && people.is_empty() {
        problems.add("emails", "Assign it to an audience, a cohort or people.");
    }
    problems.into_result()?;
    let (Some(timing), Some(training)) = (timing, training) else {
        return Err(internal("creating a requirement", "form not parsed"));
    };
    let timing_json =
        serde_json::to_string(&timing).map_err(|e| internal("writing a requirement", e))?;
    let reminders_json =
        serde_json::to_string(&reminders).map_err(|e| internal("writing a requirement", e))?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let id = store::insert(
        &mut tx,
        name,
        training,
        &timing_json,
        &reminders_json,
        actor.id,
        now,
    )
    .await?;
    for (kind, ids) in [
        ("audience", &form.audience_ids),
        ("cohort", &form.cohort_ids),
        ("user", &people),
    ] {
        for target in ids {
            store::add_target(&mut tx, id, kind, *target).await?;
        }
    }
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("requirement.create", "requirement", Some(id), name)
            .after(&(&timing, &reminders)),
        now,
    )
    .await?;
    tx.commit().await?;
    refresh(state, id, now).await?;
    super::matrix::queue_recompute(state, now).await?;
    Ok(id)
}

/// Who the requirement's targets hold at the memberships' moment.
async fn members(
    state: &AppState,
    id: i64,
    audiences: &mut Memberships,
) -> Result<BTreeSet<i64>, AppError> {
    let mut members = BTreeSet::new();
    for (kind, target) in store::targets(&state.db, id).await? {
        match kind.as_str() {
            // A deleted audience holds nobody.
            "audience" => members.extend(
                audiences
                    .of(state, target)
                    .await?
                    .unwrap_or_default()
                    .iter()
                    .copied(),
            ),
            "cohort" => members.extend(store::cohort_members(&state.db, target).await?),
            _ => {
                members.insert(target);
            }
        }
    }
    Ok(members)
}

/// How many people a refresh assigned, unassigned and moved to another state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub assigned: usize,
    pub unassigned: usize,
    pub changed: usize,
}

/// Brings a requirement up to date at `now`: assigns it to whoever its targets hold now (and
/// enrols them), stops chasing whoever left them, and records everyone's standing, their
/// completions and expiries. What every change calls.
pub async fn refresh(state: &AppState, id: i64, now: i64) -> Result<Refreshed, AppError> {
    refresh_with(state, id, now, &mut Memberships::at(now)).await
}

/// `refresh`, with audiences' members worked out at most once across calls (the nightly run).
async fn refresh_with(
    state: &AppState,
    id: i64,
    now: i64,
    audiences: &mut Memberships,
) -> Result<Refreshed, AppError> {
    let requirement = store::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let timing = timing_of(&requirement)?;
    let zone = crate::settings::service::current(state).await?.time_zone;
    let today = today_in(now, &zone);
    let wanted = members(state, id, audiences).await?;
    let assigned = store::assigned(&state.db, id).await?;
    let active: HashSet<i64> = assigned
        .iter()
        .filter(|(_, active)| *active)
        .map(|(u, _)| *u)
        .collect();
    let new: Vec<i64> = wanted
        .iter()
        .filter(|u| !active.contains(u))
        .copied()
        .collect();
    let gone: Vec<i64> = active
        .iter()
        .filter(|u| !wanted.contains(u))
        .copied()
        .collect();
    let mut tx = state.db.begin().await?;
    for user in &new {
        store::assign(&mut tx, id, *user, &ymd(today), now).await?;
    }
    let training = requirement.training();
    match training {
        Training::Course(course_id) => {
            crate::enrolments::service::enrol_assigned(&mut tx, course_id, &new, now).await?
        }
        Training::Programme(programme_id) => {
            crate::programmes::service::enrol(&mut tx, programme_id, &new, now).await?;
        }
    }
    for user in &gone {
        store::unassign(&mut tx, id, *user, &ymd(today)).await?;
    }
    tx.commit().await?;
    if let (Training::Programme(programme_id), false) = (training, new.is_empty()) {
        // Someone newly on it may have done enough of its courses already.
        crate::programmes::service::catch_up(state, programme_id, now).await?;
    }

    let people = store::people(&state.db, id).await?;
    let new_people: HashSet<i64> = new.iter().copied().collect();
    let mut assigned_notices = Vec::new();
    let mut changed = 0;
    let mut tx = state.db.begin().await?;
    for person in &people {
        let (now_standing, shown_completed, completed_on) =
            standing_now(&timing, person, &zone, today);
        // A renewal window opened (or the certification lapsed) while the course or programme
        // still shows the last cycle's completion: start it afresh so the person can do it again.
        if timing.recurrence.is_some()
            && shown_completed.is_some()
            && matches!(now_standing.state, State::DueSoon | State::Expired)
        {
            start_afresh(&mut tx, training, person.user_id, now).await?;
        }
        if new_people.contains(&person.user_id) && !now_standing.state.compliant() {
            assigned_notices.push(assigned_notice(&requirement, person.user_id, &now_standing));
        }
        if save_standing(&mut tx, id, person, &now_standing, completed_on, now).await? {
            changed += 1;
        }
    }
    notify(
        state,
        &mut tx,
        Kind::ComplianceReminder,
        &assigned_notices,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Refreshed {
        assigned: new.len(),
        unassigned: gone.len(),
        changed,
    })
}

/// Starts a person's course or programme afresh for a new cycle, in the caller's transaction.
async fn start_afresh(
    tx: &mut Tx,
    training: Training,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    match training {
        Training::Course(course_id) => {
            let payload = serde_json::to_string(&ResetLearner { course_id, user_id })
                .map_err(|e| internal("queueing a reset", e))?;
            if !crate::jobs::queue::waiting(tx, RESET_LEARNER, &payload).await? {
                crate::jobs::queue::enqueue(tx, RESET_LEARNER, &payload, now, now).await?;
            }
            Ok(())
        }
        Training::Programme(id) => crate::programmes::service::reopen(tx, id, user_id, now).await,
    }
}

/// A person's standing today, with the day the course or programme shows completed and their
/// latest completion: that one, or the one recorded before it was started afresh for a new
/// cycle.
fn standing_now(
    timing: &Timing,
    person: &PersonRow,
    zone: &str,
    today: NaiveDate,
) -> (Standing, Option<NaiveDate>, Option<NaiveDate>) {
    let shown_completed = person.training_completed_at.map(|at| today_in(at, zone));
    let completed_on = shown_completed.max(person.completed_on.as_deref().and_then(parse_ymd));
    (
        standing(timing, &facts(person, completed_on), today),
        shown_completed,
        completed_on,
    )
}

/// Records a person's standing (and the cycle it completes or ends) unless it is the one
/// recorded; true when it changed.
async fn save_standing(
    tx: &mut Tx,
    id: i64,
    person: &PersonRow,
    now_standing: &Standing,
    completed_on: Option<NaiveDate>,
    now: i64,
) -> Result<bool, AppError> {
    let completed_text = completed_on.map(ymd);
    let same = person.state == now_standing.state.as_str()
        && person.due_on == now_standing.due_on.map(ymd)
        && person.expires_on == now_standing.expires_on.map(ymd)
        && person.completed_on == completed_text;
    if same {
        return Ok(false);
    }
    store::save_standing(
        tx,
        id,
        person.user_id,
        now_standing,
        completed_text.as_deref(),
        now,
    )
    .await?;
    if let Some(done) = &completed_text {
        store::record_cycle(tx, id, person.user_id, done).await?;
        if now_standing.state == State::Expired
            && let Some(expired) = now_standing.expires_on
        {
            store::expire_cycle(tx, id, person.user_id, done, &ymd(expired)).await?;
        }
    }
    Ok(true)
}

/// A completion counts at once, not at the next night: the learner's home page and the
/// manager's team page say "Completed" as soon as the `COURSE_COMPLETED` job has run.
pub async fn course_completed(state: &AppState, payload: &str, now: i64) -> Result<(), AppError> {
    let done: crate::completion::model::CourseCompleted = serde_json::from_str(payload)
        .map_err(|e| internal("reading a course completion job", e))?;
    completed(state, Training::Course(done.course_id), done.user_id, now).await
}

/// The same for a programme (the `PROGRAMME_COMPLETED` job).
pub async fn programme_completed(
    state: &AppState,
    payload: &str,
    now: i64,
) -> Result<(), AppError> {
    let done: crate::programmes::model::ProgrammeCompleted = serde_json::from_str(payload)
        .map_err(|e| internal("reading a programme completion job", e))?;
    completed(
        state,
        Training::Programme(done.programme_id),
        done.user_id,
        now,
    )
    .await
}

/// Brings a person's standing up to date on each requirement asking for this course or
/// programme that they are assigned.
async fn completed(
    state: &AppState,
    training: Training,
    user_id: i64,
    now: i64,
) -> Result<(), AppError> {
    let zone = crate::settings::service::current(state).await?.time_zone;
    let today = today_in(now, &zone);
    let mut changed = false;
    for id in store::assigned_on(&state.db, training, user_id).await? {
        let requirement = store::find(&state.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let timing = timing_of(&requirement)?;
        let Some(person) = store::person(&state.db, id, user_id).await? else {
            continue;
        };
        let (now_standing, _, completed_on) = standing_now(&timing, &person, &zone, today);
        let mut tx = state.db.begin().await?;
        changed |= save_standing(&mut tx, id, &person, &now_standing, completed_on, now).await?;
        tx.commit().await?;
    }
    if changed {
        super::matrix::queue_settled(state, now).await?;
    }
    Ok(())
}

fn facts(person: &PersonRow, completed_on: Option<NaiveDate>) -> Facts {
    Facts {
        assigned_on: parse_ymd(&person.assigned_on).unwrap_or_default(),
        hire_date: person.hire_date.as_deref().and_then(parse_ymd),
        started: person.started,
        completed_on,
        extended_to: person.extended_to.as_deref().and_then(parse_ymd),
        exempt: person.exempt_reason.is_some(),
    }
}

/// People listed per page on a requirement's page.
pub const PEOPLE_PER_PAGE: u32 = 50;

/// One page of the people a requirement applies to, with their standing as last refreshed.
pub async fn people(
    state: &AppState,
    actor: &Actor,
    id: i64,
    query: &PeopleQuery,
) -> Result<Page<PersonStanding>, AppError> {
    allowed(actor)?;
    if !query.state.is_empty() && State::parse(&query.state).is_none() {
        return Err(AppError::invalid(
            "state",
            "Choose one of the states listed.",
        ));
    }
    store::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = query.page.max(1);
    let (rows, total) = store::people_page(
        &state.db,
        id,
        query,
        PEOPLE_PER_PAGE.into(),
        crate::db::page_offset(page, PEOPLE_PER_PAGE),
    )
    .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|p| PersonStanding {
                user_id: p.user_id,
                name: p.name,
                email: p.email,
                state: State::parse(&p.state).unwrap_or(State::NotStarted),
                assigned_on: p.assigned_on,
                due_on: p.due_on,
                expires_on: p.expires_on,
                completed_on: p.completed_on,
                extended_to: p.extended_to,
                exempt_reason: p.exempt_reason,
            })
            .collect(),
        total,
        total_capped: false,
        page,
        per_page: PEOPLE_PER_PAGE,
    })
}

/// Exempts a person with a reason (who granted it is recorded), or lifts the exemption.
pub async fn exempt(
    state: &AppState,
    actor: &Actor,
    id: i64,
    user_id: i64,
    reason: Option<&str>,
) -> Result<(), AppError> {
    allowed(actor)?;
    let reason = reason.map(str::trim);
    if reason.is_some_and(|r| r.is_empty() || r.chars().count() > 500) {
        return Err(AppError::invalid(
            "reason",
            "Give the reason, in at most 500 characters.",
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    if !store::set_exemption(&mut tx, id, user_id, reason, actor.id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            if reason.is_some() {
                "requirement.exempt"
            } else {
                "requirement.unexempt"
            },
            "requirement",
            Some(id),
            user_id.to_string(),
        )
        .after(&reason),
        now,
    )
    .await?;
    tx.commit().await?;
    refresh(state, id, now).await?;
    super::matrix::queue_recompute(state, now).await
}

/// Gives a person until `date` (with a reason), or takes the extension back (`None`).
pub async fn extend(
    state: &AppState,
    actor: &Actor,
    id: i64,
    user_id: i64,
    date: Option<&str>,
    reason: &str,
) -> Result<(), AppError> {
    allowed(actor)?;
    let mut problems = Problems::default();
    let date = match date.map(str::trim) {
        None => None,
        Some(text) => match parse_ymd(text) {
            Some(d) => Some(ymd(d)),
            None => {
                problems.add("extended_to", "Enter the new due date as YYYY-MM-DD.");
                None
            }
        },
    };
    let reason = reason.trim();
    if date.is_some() && (reason.is_empty() || reason.chars().count() > 500) {
        problems.add("reason", "Give the reason, in at most 500 characters.");
    }
    problems.into_result()?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let reason = date.as_ref().map(|_| reason);
    if !store::set_extension(&mut tx, id, user_id, date.as_deref(), reason).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            "requirement.extend",
            "requirement",
            Some(id),
            user_id.to_string(),
        )
        .after(&(date, reason)),
        now,
    )
    .await?;
    tx.commit().await?;
    refresh(state, id, now).await?;
    super::matrix::queue_recompute(state, now).await
}

/// The signed-in person's required training, soonest due first.
pub async fn mine(state: &AppState, actor: &Actor) -> Result<Vec<MyRequirement>, AppError> {
    store::mine(&state.db, actor.id).await
}

/// A person's mandatory training dates between two local dates (`from` inclusive, `to`
/// exclusive, YYYY-MM-DD) for their calendar: when each open requirement is due, and when a
/// completed one expires. All-day entries.
pub async fn calendar(
    db: &crate::db::Db,
    user_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<crate::calendar::model::Dated>, AppError> {
    use crate::calendar::model::{DateKind, Dated};
    let mut out = Vec::new();
    for r in store::mine(db, user_id).await? {
        let (kind, date) = match r.state {
            State::Completed => (DateKind::Renewal, r.expires_on.as_deref()),
            State::Exempt | State::Expired => continue,
            _ => (DateKind::TrainingDue, r.due_on.as_deref()),
        };
        let Some(date) = date.filter(|d| *d >= from && *d < to) else {
            continue;
        };
        let Ok(day) = NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
            continue;
        };
        let href = match r.training {
            Training::Course(id) => format!("/courses/{id}/learn"),
            Training::Programme(_) => "/".to_string(),
        };
        out.push(Dated {
            uid: format!("requirement-{}-{}", r.requirement_id, kind.as_str()),
            kind,
            at: day
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp(),
            all_day: true,
            title: r.name,
            context: r.training_title,
            href,
        });
    }
    Ok(out)
}

/// The nightly run: five past midnight where the site is.
pub const NIGHTLY: Daily = Daily {
    kind: "compliance.nightly",
    hour: 0,
    minute: 5,
};

/// The nightly run: every requirement brought up to date (states move at midnight: due soon,
/// overdue, expired), then the next night queued.
pub async fn nightly(state: &AppState, now: i64) -> Result<(), AppError> {
    let mut audiences = Memberships::at(now);
    for id in store::ids(&state.db).await? {
        refresh_with(state, id, now, &mut audiences).await?;
        remind(state, id, now).await?;
    }
    let zone = crate::settings::service::current(state).await?.time_zone;
    store::save_snapshot(&state.db, &ymd(today_in(now, &zone))).await?;
    super::matrix::recompute_with(state, now, &mut audiences).await?;
    crate::jobs::daily::queue_next(state, &NIGHTLY, now).await
}

/// Sends the reminders due today on one requirement, as its plan says (copies to managers
/// included), and notes who was reminded. Run by the nightly run after the refresh, so that
/// states are today's; a second run the same day sends nothing more. Returns how many people
/// were reminded.
pub async fn remind(state: &AppState, id: i64, now: i64) -> Result<usize, AppError> {
    let requirement = store::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = plan_of(&requirement)?;
    if plan.is_off() {
        return Ok(0);
    }
    let zone = crate::settings::service::current(state).await?.time_zone;
    let today = today_in(now, &zone);
    let mut due: Vec<(PersonRow, Reminder)> = Vec::new();
    for person in store::people(&state.db, id).await? {
        let standing = Standing {
            state: State::parse(&person.state).unwrap_or(State::NotStarted),
            due_on: person.due_on.as_deref().and_then(parse_ymd),
            expires_on: person.expires_on.as_deref().and_then(parse_ymd),
            window_opens_on: None,
        };
        let last = person.reminded_on.as_deref().and_then(parse_ymd);
        if let Some(reminder) = reminders::due(&plan, &standing, today, last) {
            due.push((person, reminder));
        }
    }
    if due.is_empty() {
        return Ok(0);
    }
    let escalated: Vec<i64> = due
        .iter()
        .filter(|(_, r)| r.escalate)
        .map(|(p, _)| p.user_id)
        .collect();
    let profiles = crate::users::profile_store::find_many(&state.db, &escalated).await?;
    let mut to_people = Vec::new();
    let mut to_managers = Vec::new();
    for (person, reminder) in &due {
        let expired = (person.state == State::Expired.as_str())
            .then(|| person.expires_on.as_deref().and_then(parse_ymd))
            .flatten();
        to_people.push(reminder_notice(
            &requirement,
            person.user_id,
            reminder.kind,
            expired,
        ));
        if let Some(manager) = profiles
            .get(&person.user_id)
            .and_then(|p| p.manager.as_ref())
        {
            to_managers.push(manager_notice(
                &requirement,
                person,
                reminder.kind,
                manager.id,
            ));
        }
    }
    let reminded: Vec<i64> = due.iter().map(|(p, _)| p.user_id).collect();
    let mut tx = state.db.begin().await?;
    notify(state, &mut tx, Kind::ComplianceReminder, &to_people, now).await?;
    notify(state, &mut tx, Kind::ComplianceReminder, &to_managers, now).await?;
    store::set_reminded(&mut tx, id, &reminded, &ymd(today)).await?;
    tx.commit().await?;
    Ok(reminded.len())
}

/// What a person newly assigned is told.
fn assigned_notice(requirement: &RequirementRow, user_id: i64, standing: &Standing) -> Notice {
    let by = standing
        .due_on
        .map(|d| format!(" by {}", ymd(d)))
        .unwrap_or_default();
    Notice {
        user_id,
        subject: format!("You are asked to complete “{}”{by}", requirement.name),
        body: format!(
            "This training is required of you: complete the {} “{}”{by}.",
            requirement.training().noun(),
            requirement.training_title
        ),
        link: requirement.training().link(),
    }
}

/// What a reminder tells the person (`expired`: the day their certification lapsed, when it
/// did, rather than a first completion being late).
fn reminder_notice(
    requirement: &RequirementRow,
    user_id: i64,
    kind: ReminderKind,
    expired: Option<NaiveDate>,
) -> Notice {
    let noun = requirement.training().noun();
    let (subject, body) = match (kind, expired) {
        (ReminderKind::Late { .. }, Some(expired)) => (
            format!("“{}” has expired", requirement.name),
            format!(
                "Your certification expired on {}. Complete the {} “{}” again to renew it.",
                ymd(expired),
                noun,
                requirement.training_title
            ),
        ),
        (ReminderKind::Upcoming { due_on }, _) => (
            format!("“{}” is due by {}", requirement.name, ymd(due_on)),
            format!(
                "Complete the {} “{}” by {}.",
                noun,
                requirement.training_title,
                ymd(due_on)
            ),
        ),
        (ReminderKind::Late { due_on, days_late }, None) => (
            format!("“{}” is overdue", requirement.name),
            format!(
                "It was due by {} ({}). Complete the {} “{}” as soon as you can.",
                ymd(due_on),
                days_text(days_late),
                noun,
                requirement.training_title
            ),
        ),
    };
    Notice {
        user_id,
        subject,
        body,
        link: requirement.training().link(),
    }
}

/// What the copy of a late reminder tells the person's manager.
fn manager_notice(
    requirement: &RequirementRow,
    person: &PersonRow,
    kind: ReminderKind,
    manager_id: i64,
) -> Notice {
    let late = match kind {
        ReminderKind::Late { days_late, .. } => days_text(days_late),
        ReminderKind::Upcoming { .. } => "not yet late".into(),
    };
    Notice {
        user_id: manager_id,
        subject: format!("{} is overdue with “{}”", person.name, requirement.name),
        body: format!(
            "{} reports to you and has not completed “{}” ({late}). They have been reminded.",
            person.name, requirement.training_title
        ),
        link: format!("/team/{}", person.user_id),
    }
}

fn days_text(days: i64) -> String {
    match days {
        1 => "1 day late".into(),
        n => format!("{n} days late"),
    }
}

/// Reminds one person of one requirement now, whatever its plan (a manager's nudge); the
/// caller has checked who may. Refused for someone with nothing left to do.
pub async fn nudge(state: &AppState, id: i64, user_id: i64, from: &Actor) -> Result<(), AppError> {
    let requirement = store::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let person = store::person(&state.db, id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let state_now = State::parse(&person.state).unwrap_or(State::NotStarted);
    let due_on = person.due_on.as_deref().and_then(parse_ymd);
    let (Some(due_on), false) = (due_on, state_now.compliant()) else {
        return Err(AppError::Conflict(format!(
            "{} has nothing to do on this requirement now.",
            person.name
        )));
    };
    let now = now();
    let today = crate::settings::service::today(state).await?;
    let kind = if today > due_on {
        ReminderKind::Late {
            due_on,
            days_late: (today - due_on).num_days(),
        }
    } else {
        ReminderKind::Upcoming { due_on }
    };
    let expired = (state_now == State::Expired)
        .then(|| person.expires_on.as_deref().and_then(parse_ymd))
        .flatten();
    let mut notice = reminder_notice(&requirement, user_id, kind, expired);
    notice.body = format!("{} asks you to do this. {}", from.name, notice.body);
    let mut tx = state.db.begin().await?;
    notify(state, &mut tx, Kind::ComplianceReminder, &[notice], now).await?;
    store::set_reminded(&mut tx, id, &[user_id], &ymd(today)).await?;
    audit::record(
        &mut tx,
        from,
        audit::Entry::new(
            "requirement.nudge",
            "requirement",
            Some(id),
            user_id.to_string(),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every requirement with how many people are in each state.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<RequirementSummary>, AppError> {
    allowed(actor)?;
    let counts = store::state_counts(&state.db).await?;
    store::list(&state.db)
        .await?
        .into_iter()
        .map(|row| summary_of(row, &counts))
        .collect()
}

/// One requirement, as its page heads it.
pub async fn summary(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<RequirementSummary, AppError> {
    allowed(actor)?;
    let row = store::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    summary_of(row, &store::state_counts_of(&state.db, id).await?)
}

/// A requirement with its timing and reminders in words and its people per state (from
/// `(requirement, state, people)` counts).
fn summary_of(
    row: RequirementRow,
    counts: &[(i64, String, i64)],
) -> Result<RequirementSummary, AppError> {
    let timing = timing_of(&row)?;
    Ok(RequirementSummary {
        reminders_text: plan_of(&row)?.text(),
        id: row.id,
        training: row.training(),
        name: row.name,
        training_title: row.training_title,
        timing_text: timing.text(),
        counts: State::ALL
            .into_iter()
            .map(|s| {
                let n = counts
                    .iter()
                    .find(|(id, st, _)| *id == row.id && st == s.as_str())
                    .map_or(0, |(_, _, n)| *n);
                (s, n)
            })
            .collect(),
    })
}

/// How long a person's completion of a course or programme stays valid: the shortest cycle of
/// the recurring requirements asking for it that they are assigned (`None`: no expiry).
/// Certificates expire with it.
pub async fn valid_months(
    state: &AppState,
    user_id: i64,
    training: Training,
) -> Result<Option<u32>, AppError> {
    let mut months: Option<u32> = None;
    for json in store::timings_for(&state.db, user_id, training).await? {
        let timing: Timing = serde_json::from_str(&json)
            .map_err(|e| internal("reading a requirement's timing", e))?;
        if let Some(r) = timing.recurrence {
            months = Some(months.map_or(r.valid_months, |m| m.min(r.valid_months)));
        }
    }
    Ok(months)
}

fn timing_of(row: &RequirementRow) -> Result<Timing, AppError> {
    serde_json::from_str(&row.timing).map_err(|e| internal("reading a requirement's timing", e))
}

fn plan_of(row: &RequirementRow) -> Result<ReminderPlan, AppError> {
    match &row.reminders {
        None => Ok(ReminderPlan::default()),
        Some(json) => {
            serde_json::from_str(json).map_err(|e| internal("reading a requirement's reminders", e))
        }
    }
}

/// Refreshes one requirement now (the button on its page).
pub async fn refresh_now(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    allowed(actor)?;
    let now = now();
    refresh(state, id, now).await?;
    super::matrix::queue_recompute(state, now).await
}
