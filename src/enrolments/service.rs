//! Enrolment use cases. Self-enrolment follows the course's settings; staff enrol by hand or by CSV;
//! places freed by unenrolment or a larger capacity go to the waiting list in order. Creating a
//! course is here too: its creator is enrolled as its instructor.

use super::announce::{Enrolled, enrolled, learners_enrolled};
use super::model::*;
use super::store;
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::auth::throttle::{self, Client, Guarded};
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::{
    Course, CourseForm, CourseState, EnrolmentSettings, EnrolmentSettingsForm,
};
use crate::courses::service as course_service;
use crate::courses::store as course_store;
use crate::db::{Tx, now};
use crate::error::AppError;
use crate::notifications::model::Kind;
use crate::notifications::service::{self as notifications, Notice};
use crate::paging::Page;
use crate::state::AppState;
use crate::users::model::{Email, UserQuery, UserStatus};

/// What the course page offers the actor: their enrolment, an enrol button, or the reason not.
pub async fn enrol_option(
    state: &AppState,
    actor: &Actor,
    course: &Course,
) -> Result<EnrolOption, AppError> {
    if let Some(e) = store::find(&state.db, course.id, actor.id).await?
        && e.status() != EnrolmentStatus::Withdrawn
    {
        return Ok(EnrolOption::Enrolled {
            role: e.role(),
            status: e.status(),
        });
    }
    if course.state != CourseState::Published {
        return Ok(EnrolOption::Closed {
            reason: "This course is not open for enrolment.".into(),
        });
    }
    if !course.enrolment.self_enrol {
        return Ok(EnrolOption::Closed {
            reason: "Enrolment in this course is by invitation: ask its instructor.".into(),
        });
    }
    if course.ends_at.is_some_and(|end| end + 86_400 <= now()) {
        return Ok(EnrolOption::Closed {
            reason: "This course has ended.".into(),
        });
    }
    let unmet = course_store::unmet_prerequisites(&state.db, course.id, actor.id).await?;
    if !unmet.is_empty() {
        let list = unmet
            .iter()
            .map(|c| format!("{} ({})", c.title, c.code))
            .collect::<Vec<_>>()
            .join(", ");
        return Ok(EnrolOption::Closed {
            reason: format!("Complete these courses first: {list}."),
        });
    }
    let full = match course.enrolment.capacity {
        Some(cap) => store::places_taken_db(&state.db, course.id).await? >= i64::from(cap),
        None => false,
    };
    Ok(EnrolOption::Open {
        needs_key: course.enrolment.enrol_key.is_some(),
        needs_approval: course.enrolment.needs_approval,
        full,
    })
}

/// The actor enrols themselves. Returns the resulting status (active, pending approval, or on the
/// waiting list).
pub async fn self_enrol(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    key: &str,
    client: &Client,
) -> Result<EnrolmentStatus, AppError> {
    let course = course_store::find(&state.db, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    match enrol_option(state, actor, &course).await? {
        EnrolOption::Enrolled { status, .. } => {
            return Err(AppError::Conflict(format!(
                "You are already in this course ({}).",
                status.label().to_lowercase()
            )));
        }
        EnrolOption::Closed { reason } => return Err(AppError::invalid("", reason)),
        EnrolOption::Open { .. } => {}
    }
    if let Some(expected) = &course.enrolment.enrol_key {
        // Guesses are limited per person and course, like passwords.
        let guesser = format!("course:{course_id}:user:{}", actor.id);
        let attempt = throttle::begin(&state.db, Guarded::EnrolKey, &guesser, client).await?;
        let right = constant_time_eq(key.trim().as_bytes(), expected.as_bytes());
        throttle::finish(&state.db, attempt, right).await?;
        if !right {
            return Err(AppError::invalid(
                "enrol_key",
                "That enrolment key is not right. Check it with your instructor.",
            ));
        }
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    // Counted inside the transaction so two people cannot take the last place.
    let full = match course.enrolment.capacity {
        Some(cap) => store::places_taken(&mut tx, course_id).await? >= i64::from(cap),
        None => false,
    };
    let status = if full {
        EnrolmentStatus::Waitlisted
    } else if course.enrolment.needs_approval {
        EnrolmentStatus::Pending
    } else {
        EnrolmentStatus::Active
    };
    store::upsert(
        &mut tx,
        course_id,
        actor.id,
        CourseRole::Learner,
        status,
        EnrolmentMethod::SelfEnrol,
        None,
        now,
    )
    .await?;
    enrolled(
        &mut tx,
        Enrolled {
            course_id,
            user_id: actor.id,
            role: CourseRole::Learner,
            status,
            method: EnrolmentMethod::SelfEnrol,
        },
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new("enrolment.self", "course", Some(course_id), &course.code).after(&status),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(status)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Enrols people whom mandatory training (or a programme) was assigned to, as learners, in the
/// caller's transaction (`store::enrol_assigned`); webhooks hear of each new enrolment.
pub async fn enrol_assigned(
    tx: &mut Tx,
    course_id: i64,
    user_ids: &[i64],
    now: i64,
) -> Result<(), AppError> {
    let enrolled = store::enrol_assigned(tx, course_id, user_ids, now).await?;
    let pairs: Vec<(i64, i64)> = enrolled.iter().map(|u| (course_id, *u)).collect();
    learners_enrolled(tx, &pairs, EnrolmentMethod::Manual, now).await
}

/// The actor leaves a course they are a learner in.
pub async fn leave(state: &AppState, actor: &Actor, course_id: i64) -> Result<(), AppError> {
    let e = store::find(&state.db, course_id, actor.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if e.role() != CourseRole::Learner || e.status() == EnrolmentStatus::Withdrawn {
        return Err(AppError::Forbidden);
    }
    withdraw(state, actor, course_id, actor.id, "enrolment.leave").await
}

async fn withdraw(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    user_id: i64,
    action: &'static str,
) -> Result<(), AppError> {
    let now = now();
    let course = course_store::find(&state.db, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    if store::set_status(&mut tx, course_id, user_id, EnrolmentStatus::Withdrawn, now).await? == 0 {
        return Err(AppError::NotFound);
    }
    promote_waitlist(&mut tx, course_id, course.enrolment.capacity, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            action,
            "course",
            Some(course_id),
            format!("{} user {user_id}", course.code),
        ),
        now,
    )
    .await?;
    tx.commit().await.map_err(AppError::from)
}

/// Creates a course with its creator enrolled as its instructor (which is what lets them edit
/// it), in one transaction.
pub async fn create_course(
    state: &AppState,
    actor: &Actor,
    form: &CourseForm,
) -> Result<Course, AppError> {
    let fields = course_service::check_new(state, actor, form).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let course = course_service::insert_new(&mut tx, actor, &fields, now).await?;
    store::upsert(
        &mut tx,
        course.id,
        actor.id,
        CourseRole::Instructor,
        EnrolmentStatus::Active,
        EnrolmentMethod::Creator,
        None,
        now,
    )
    .await?;
    enrolled(
        &mut tx,
        Enrolled {
            course_id: course.id,
            user_id: actor.id,
            role: CourseRole::Instructor,
            status: EnrolmentStatus::Active,
            method: EnrolmentMethod::Creator,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(course)
}

/// Saves a course's enrolment settings (its instructors may), and gives any places a larger
/// capacity opened to the waiting list.
pub async fn set_enrolment_settings(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    form: &EnrolmentSettingsForm,
) -> Result<EnrolmentSettings, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let settings = form.parse()?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let course = course_store::find_in_tx(&mut tx, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    course_store::set_enrolment_settings(&mut tx, course_id, &settings, now).await?;
    promote_waitlist(&mut tx, course_id, settings.capacity, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "course.enrolment_settings",
            "course",
            Some(course_id),
            &course.code,
        )
        .after(&EnrolmentSettings {
            enrol_key: settings.enrol_key.as_ref().map(|_| "(set)".to_string()),
            ..settings.clone()
        }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(settings)
}

/// Gives free places to the people at the head of the waiting list.
pub async fn promote_waitlist(
    tx: &mut Tx,
    course_id: i64,
    capacity: Option<i32>,
    now: i64,
) -> Result<usize, AppError> {
    let free = match capacity {
        Some(cap) => i64::from(cap) - store::places_taken(tx, course_id).await?,
        None => i64::MAX / 2,
    };
    if free <= 0 {
        return Ok(0);
    }
    let promoted = store::waitlist_head(tx, course_id, free.min(10_000)).await?;
    for user_id in &promoted {
        store::set_status(tx, course_id, *user_id, EnrolmentStatus::Active, now).await?;
    }
    Ok(promoted.len())
}

/// People staff may add: active users matching a search (name or email), ten at a time.
pub async fn search_people(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    search: &str,
) -> Result<Vec<PersonMatch>, AppError> {
    access::require(
        &state.db,
        actor,
        course_id,
        CourseAccess::may_manage_enrolments,
    )
    .await?;
    if search.trim().chars().count() < 2 {
        return Ok(Vec::new());
    }
    let query = UserQuery {
        search: search.to_string(),
        status: Some(UserStatus::Active),
        per_page: 10,
        page: 1,
        ..Default::default()
    };
    Ok(crate::users::store::list(&state.db, &query)
        .await?
        .items
        .into_iter()
        .map(|u| PersonMatch {
            id: u.id,
            name: u.name,
            email: u.email,
        })
        .collect())
}

/// Staff enrol (or change the role of) one person.
pub async fn enrol_user(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    user_id: i64,
    role: CourseRole,
) -> Result<(), AppError> {
    let access = access::require(
        &state.db,
        actor,
        course_id,
        CourseAccess::may_manage_enrolments,
    )
    .await?;
    // Only those who may edit the course can make more editors.
    if role == CourseRole::Instructor && !access.may_edit() && !actor.is_admin() {
        return Err(AppError::Forbidden);
    }
    let user = crate::users::store::find(&state.db, user_id)
        .await?
        .filter(|u| u.status == UserStatus::Active)
        .ok_or_else(|| {
            AppError::invalid(
                "user_id",
                "Choose an active person from the search results.",
            )
        })?;
    let now = now();
    let mut tx = state.db.begin().await?;
    store::upsert(
        &mut tx,
        course_id,
        user.id,
        role,
        EnrolmentStatus::Active,
        EnrolmentMethod::Manual,
        None,
        now,
    )
    .await?;
    enrolled(
        &mut tx,
        Enrolled {
            course_id,
            user_id: user.id,
            role,
            status: EnrolmentStatus::Active,
            method: EnrolmentMethod::Manual,
        },
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "enrolment.add",
            "course",
            Some(course_id),
            format!("{} as {}", user.email, role.as_str()),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Staff unenrol someone; their progress stays for if they come back.
pub async fn unenrol(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    access::require(
        &state.db,
        actor,
        course_id,
        CourseAccess::may_manage_enrolments,
    )
    .await?;
    withdraw(state, actor, course_id, user_id, "enrolment.remove").await
}

/// Approves a pending request.
pub async fn approve(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    user_id: i64,
) -> Result<(), AppError> {
    access::require(
        &state.db,
        actor,
        course_id,
        CourseAccess::may_manage_enrolments,
    )
    .await?;
    let e = store::find(&state.db, course_id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if e.status() != EnrolmentStatus::Pending {
        return Err(AppError::Conflict(
            "This person is not waiting for approval.".into(),
        ));
    }
    let now = now();
    let mut tx = state.db.begin().await?;
    store::set_status(&mut tx, course_id, user_id, EnrolmentStatus::Active, now).await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "enrolment.approve",
            "course",
            Some(course_id),
            user_id.to_string(),
        ),
        now,
    )
    .await?;
    if let Some(course) = course_store::find(&state.db, course_id).await? {
        let notice = Notice {
            user_id,
            subject: format!("You are enrolled in “{}”", course.title),
            body: "Your request to join the course was approved: you can start now.".into(),
            link: format!("/courses/{course_id}"),
        };
        notifications::notify(state, &mut tx, Kind::EnrolmentApproved, &[notice], now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sets the dates an enrolment is valid between (`YYYY-MM-DD`, empty for open-ended).
pub async fn set_dates(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    user_id: i64,
    starts_on: &str,
    ends_on: &str,
) -> Result<(), AppError> {
    access::require(
        &state.db,
        actor,
        course_id,
        CourseAccess::may_manage_enrolments,
    )
    .await?;
    let starts = crate::input::parse_date("starts_on", starts_on)?;
    let ends = crate::input::parse_date("ends_on", ends_on)?;
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        return Err(AppError::invalid(
            "ends_on",
            "The end date must be on or after the start date.",
        ));
    }
    if store::set_dates(&state.db, course_id, user_id, starts, ends).await? == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

pub async fn participants(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    query: &ParticipantQuery,
) -> Result<Page<Participant>, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    store::participants(&state.db, course_id, query, true).await
}

/// Every participant matching the filters as CSV.
pub async fn participants_csv(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    query: &ParticipantQuery,
) -> Result<String, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let page = store::participants(&state.db, course_id, query, false).await?;
    let mut out = crate::spreadsheet::CsvOut::new();
    out.row([
        "name",
        "email",
        "role",
        "status",
        "progress_percent",
        "items_done",
        "items_required",
        "enrolled_at",
        "last_activity_at",
        "completed_at",
    ])?;
    let stamp = |t: Option<i64>| t.map(crate::ui::format::datetime).unwrap_or_default();
    for p in &page.items {
        out.row([
            p.name.clone(),
            p.email.clone(),
            p.role.as_str().to_string(),
            p.status.as_str().to_string(),
            p.percent().to_string(),
            p.done.to_string(),
            p.total.to_string(),
            stamp(Some(p.enrolled_at)),
            stamp(p.last_activity_at),
            stamp(p.completed_at),
        ])?;
    }
    out.finish()
}

// ---- bulk CSV --------------------------------------------------------------------------------

/// Checks a CSV of `email,role` rows (role optional: learner) against the users that exist.
pub async fn preview_csv(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    text: &str,
) -> Result<CsvPreview, AppError> {
    access::require(
        &state.db,
        actor,
        course_id,
        CourseAccess::may_manage_enrolments,
    )
    .await?;
    let mut tx = state.db.begin().await?;
    let preview = check_csv(&mut tx, text).await?;
    tx.commit().await?;
    Ok(preview)
}

async fn check_csv(tx: &mut Tx, text: &str) -> Result<CsvPreview, AppError> {
    const MAX_ROWS: usize = 10_000;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| AppError::invalid("csv", "The file is not valid CSV."))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let Some(email_col) = col("email") else {
        return Err(AppError::invalid(
            "csv",
            "The first line must name the columns, including email (and optionally role).",
        ));
    };
    let role_col = col("role");
    let mut rows = Vec::new();
    let mut emails = Vec::new();
    for (index, record) in reader.records().enumerate() {
        if rows.len() >= MAX_ROWS {
            return Err(AppError::invalid(
                "csv",
                format!("Upload at most {MAX_ROWS} rows at a time."),
            ));
        }
        let line = index + 2;
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                rows.push(CsvRow {
                    line,
                    email: String::new(),
                    role: String::new(),
                    name: None,
                    errors: vec!["This line is not valid CSV.".into()],
                });
                continue;
            }
        };
        let raw_email =
            crate::spreadsheet::restore_cell(record.get(email_col).unwrap_or("")).to_string();
        let raw_role = role_col
            .and_then(|c| record.get(c))
            .unwrap_or("")
            .to_string();
        let mut errors = Vec::new();
        match Email::parse(&raw_email) {
            Ok(e) => emails.push(e),
            Err(e) => errors.push(e.to_string()),
        }
        let role = if raw_role.is_empty() {
            "learner".to_string()
        } else {
            raw_role.to_lowercase()
        };
        if CourseRole::parse(&role).is_none() {
            errors.push("Role must be learner, assistant or instructor.".into());
        }
        rows.push(CsvRow {
            line,
            email: raw_email.trim().to_lowercase(),
            role,
            name: None,
            errors,
        });
    }
    let found = crate::users::store::find_by_emails_in_tx(tx, &emails).await?;
    let mut seen = std::collections::HashSet::new();
    for row in rows.iter_mut().filter(|r| r.errors.is_empty()) {
        match found.get(&row.email) {
            Some(u) if u.status == UserStatus::Active => row.name = Some(u.name.clone()),
            Some(_) => row
                .errors
                .push("This account is suspended or deleted.".into()),
            None => row
                .errors
                .push("No account has this email. Create or import the person first.".into()),
        }
        if !seen.insert(row.email.clone()) {
            row.errors
                .push("This email appears twice in the file.".into());
        }
    }
    let invalid = rows.iter().filter(|r| !r.errors.is_empty()).count();
    Ok(CsvPreview {
        valid: rows.len() - invalid,
        invalid,
        rows,
    })
}

/// Enrols every row, or nothing if any row has a problem.
pub async fn apply_csv(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    text: &str,
) -> Result<CsvOutcome, AppError> {
    let access = access::require(
        &state.db,
        actor,
        course_id,
        CourseAccess::may_manage_enrolments,
    )
    .await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let preview = check_csv(&mut tx, text).await?;
    if preview.invalid > 0 {
        return Err(AppError::invalid(
            "csv",
            format!(
                "{} with problems; nothing was enrolled. Fix the file and try again.",
                crate::ui::format::plural(preview.invalid, "row", "rows")
            ),
        ));
    }
    let emails: Vec<Email> = preview
        .rows
        .iter()
        .filter_map(|r| Email::parse(&r.email).ok())
        .collect();
    let users = crate::users::store::find_by_emails_in_tx(&mut tx, &emails).await?;
    let mut outcome = CsvOutcome {
        enrolled: 0,
        updated: 0,
    };
    for row in &preview.rows {
        let (Some(user), Some(role)) = (users.get(&row.email), CourseRole::parse(&row.role)) else {
            continue;
        };
        if role == CourseRole::Instructor && !access.may_edit() {
            return Err(AppError::invalid(
                "csv",
                format!(
                    "Line {}: only the course's instructors can add instructors.",
                    row.line
                ),
            ));
        }
        let existing = store::find_in_tx(&mut tx, course_id, user.id).await?;
        let new = !matches!(existing, Some(e) if e.status() != EnrolmentStatus::Withdrawn);
        if new {
            outcome.enrolled += 1;
        } else {
            outcome.updated += 1;
        }
        store::upsert(
            &mut tx,
            course_id,
            user.id,
            role,
            EnrolmentStatus::Active,
            EnrolmentMethod::Csv,
            None,
            now,
        )
        .await?;
        if new {
            enrolled(
                &mut tx,
                Enrolled {
                    course_id,
                    user_id: user.id,
                    role,
                    status: EnrolmentStatus::Active,
                    method: EnrolmentMethod::Csv,
                },
                now,
            )
            .await?;
        }
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new(
            "enrolment.csv",
            "course",
            Some(course_id),
            format!("{} enrolled, {} updated", outcome.enrolled, outcome.updated),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}
