//! Certificates: who may design, issue, see and revoke them, and the work. A course that names a
//! template issues a certificate when a learner completes it (the `COURSE_COMPLETED` job, never
//! inside the request); it expires with the shortest recurring requirement on the course that the
//! learner is assigned, and the next completion issues the next one (the old one stays, as
//! history). Anyone holding the number may verify it; only its holder and administrators may
//! download it.

use super::model::{
    Certificate, CertificateQuery, CourseSetting, Design, Fields, ImageSlot, IssueForm, Standing,
    Template, TemplateForm, Verification,
};
use super::store::{self, CertificateRow, NewCertificate};
use crate::audit;
use crate::auth::permissions::{Action, Actor, can};
use crate::compliance::model::Training;
use crate::courses::access;
use crate::db::{Tx, now};
use crate::error::{AppError, internal};
use crate::notifications::model::Kind;
use crate::notifications::service::{self as notifications, Notice};
use crate::paging::Page;
use crate::settings::time_zone::today_in;
use crate::state::AppState;

const PER_PAGE: u32 = 50;

pub(super) fn require(actor: &Actor) -> Result<(), AppError> {
    if can(actor, Action::ManageCertificates) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn today(state: &AppState, at: i64) -> Result<chrono::NaiveDate, AppError> {
    let zone = crate::settings::service::current(state).await?.time_zone;
    Ok(today_in(at, &zone))
}

fn ymd(date: chrono::NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn design_json(design: &Design) -> Result<String, AppError> {
    serde_json::to_string(design).map_err(|e| internal("saving a certificate template", e))
}

/// Changes template `id`'s name and design in the caller's transaction, its row locked
/// meanwhile, so that saving the texts and uploading an image at the same moment both land.
/// An image the change leaves no template drawing is deleted (certificates are drawn from
/// their template, so nothing else draws it). Returns the name and design saved (NotFound:
/// no such template).
pub(super) async fn change_design(
    tx: &mut Tx,
    id: i64,
    change: impl FnOnce(&mut String, &mut Design),
    at: i64,
) -> Result<(String, Design), AppError> {
    let (mut name, json) = store::lock_design(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut design = design_of(&json)?;
    let before = design.images;
    change(&mut name, &mut design);
    store::update_template(tx, id, &name, &design_json(&design)?, at).await?;
    let dropped: Vec<i64> = ImageSlot::ALL
        .into_iter()
        .filter_map(|slot| before.get(slot))
        .filter(|old| !design.images.names(*old))
        .collect();
    if !dropped.is_empty() {
        let mut drawn = Vec::new();
        for json in store::designs(tx).await? {
            drawn.push(design_of(&json)?.images);
        }
        for old in dropped {
            if !drawn.iter().any(|images| images.names(old)) {
                store::delete_image(tx, old).await?;
            }
        }
    }
    Ok((name, design))
}

pub(super) fn design_of(json: &str) -> Result<Design, AppError> {
    serde_json::from_str(json).map_err(|e| internal("reading a certificate template", e))
}

fn template_of(row: store::TemplateRow) -> Result<Template, AppError> {
    Ok(Template {
        design: design_of(&row.design)?,
        id: row.id,
        name: row.name,
        courses: row.courses,
        issued: row.issued,
    })
}

fn certificate_of(state: &AppState, row: CertificateRow, today: &str) -> Certificate {
    Certificate {
        share_url: verify_url(state, &row.number),
        standing: Standing::of(row.revoked_at.is_some(), row.expires_on.as_deref(), today),
        id: row.id,
        number: row.number,
        user_id: row.user_id,
        recipient_name: row.recipient_name,
        email: row.email,
        course_id: row.course_id,
        title: row.title,
        grade: row.grade,
        completed_on: row.completed_on,
        expires_on: row.expires_on,
        issued_at: row.issued_at,
        issued_by: row.issued_by,
        revoked_at: row.revoked_at,
        revoke_reason: row.revoke_reason,
    }
}

// --- Templates ---

pub async fn templates(state: &AppState, actor: &Actor) -> Result<Vec<Template>, AppError> {
    require(actor)?;
    store::templates(&state.db)
        .await?
        .into_iter()
        .map(template_of)
        .collect()
}

pub async fn template(state: &AppState, actor: &Actor, id: i64) -> Result<Template, AppError> {
    require(actor)?;
    template_of(
        store::template(&state.db, id)
            .await?
            .ok_or(AppError::NotFound)?,
    )
}

/// Creates a template (`id` empty) or saves one; returns its id.
pub async fn save_template(
    state: &AppState,
    actor: &Actor,
    id: Option<i64>,
    form: &TemplateForm,
) -> Result<i64, AppError> {
    require(actor)?;
    let (name, design) = form.parse()?;
    if store::name_taken(&state.db, &name, id).await? {
        return Err(AppError::invalid(
            "name",
            "Another template has this name. Choose another.",
        ));
    }
    let at = now();
    let mut tx = state.db.begin().await?;
    let (id, design) = match id {
        None => {
            let id = store::create_template(&mut tx, &name, &design_json(&design)?, at).await?;
            (id, design)
        }
        // Images change only by upload or removal: a save keeps the template's own.
        Some(id) => {
            let (_, saved) = change_design(
                &mut tx,
                id,
                |saved_name, saved| {
                    let images = saved.images;
                    *saved_name = name.clone();
                    *saved = Design { images, ..design };
                },
                at,
            )
            .await?;
            (id, saved)
        }
    };
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            "certificate_template.save",
            "certificate_template",
            Some(id),
            &name,
        )
        .after(&design),
        at,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes a template that no course issues and no certificate was drawn with.
pub async fn delete_template(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    let template = template(state, actor, id).await?;
    if template.courses > 0 || template.issued > 0 {
        return Err(AppError::Conflict(format!(
            "“{}” is in use ({} courses issue it, {} certificates were drawn with it): it cannot be deleted.",
            template.name, template.courses, template.issued
        )));
    }
    let mut tx = state.db.begin().await?;
    // Its images go with it, unless another template draws them: emptied first (which deletes
    // them), then the template.
    change_design(
        &mut tx,
        id,
        |_, design| design.images = Default::default(),
        now(),
    )
    .await?;
    if !store::delete_unused_template(&mut tx, id).await? {
        return Err(AppError::Conflict(
            "The template came into use meanwhile: it was not deleted.".into(),
        ));
    }
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new(
            "certificate_template.delete",
            "certificate_template",
            Some(id),
            &template.name,
        ),
        now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A template's design as a PDF with made-up values, before it is saved.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    form: &TemplateForm,
) -> Result<Vec<u8>, AppError> {
    require(actor)?;
    let (_, design) = form.parse()?;
    super::pdf::render(
        &design,
        &super::images::pictures(state, &design).await?,
        &Fields::sample(),
        &verify_url(state, &Fields::sample().number),
    )
}

// --- Which course issues which ---

pub async fn course_setting(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<CourseSetting, AppError> {
    access::require(&state.db, actor, course_id, |a| a.may_edit()).await?;
    Ok(CourseSetting {
        template_id: store::course_template(&state.db, course_id).await?,
        templates: template_choices(state).await?,
    })
}

/// Names the template a course issues on completion (`None`: no certificate).
pub async fn set_course_template(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    template_id: Option<i64>,
) -> Result<(), AppError> {
    access::require(&state.db, actor, course_id, |a| a.may_edit()).await?;
    let label = chosen_template(state, template_id).await?;
    store::set_course_template(&state.db, course_id, template_id).await?;
    audit_choice(
        state,
        actor,
        audit::Entry::new("course.certificate", "course", Some(course_id), label),
    )
    .await
}

/// The templates a programme may choose from, and the one it issues (if any).
pub async fn programme_setting(
    state: &AppState,
    actor: &Actor,
    programme_id: i64,
) -> Result<CourseSetting, AppError> {
    require(actor)?;
    Ok(CourseSetting {
        template_id: store::programme_template(&state.db, programme_id).await?,
        templates: template_choices(state).await?,
    })
}

/// Names the template a programme issues on completion (`None`: no certificate).
pub async fn set_programme_template(
    state: &AppState,
    actor: &Actor,
    programme_id: i64,
    template_id: Option<i64>,
) -> Result<(), AppError> {
    require(actor)?;
    if !store::programme_exists(&state.db, programme_id).await? {
        return Err(AppError::invalid("programme_id", "Choose a programme."));
    }
    let label = chosen_template(state, template_id).await?;
    store::set_programme_template(&state.db, programme_id, template_id).await?;
    audit_choice(
        state,
        actor,
        audit::Entry::new(
            "programme.certificate",
            "programme",
            Some(programme_id),
            label,
        ),
    )
    .await
}

/// The name of the template chosen (checked to exist), or "none", for the audit log.
async fn chosen_template(state: &AppState, template_id: Option<i64>) -> Result<String, AppError> {
    Ok(match template_id {
        Some(t) => {
            store::template(&state.db, t)
                .await?
                .ok_or_else(|| AppError::invalid("template_id", "Choose one of the templates."))?
                .name
        }
        None => "none".into(),
    })
}

async fn audit_choice(
    state: &AppState,
    actor: &Actor,
    entry: audit::Entry,
) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    audit::record(&mut tx, actor, entry, now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Every template's id and name, for a course's or a programme's choice.
async fn template_choices(state: &AppState) -> Result<Vec<(i64, String)>, AppError> {
    Ok(store::templates(&state.db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect())
}

// --- Issuing ---

/// Draws a certificate number: 12 characters of Crockford's base 32 (60 random bits, so a
/// number cannot be guessed), grouped by four.
fn new_number() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    let mut out = String::with_capacity(14);
    for i in 0..12 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let c = ALPHABET
            .get(rng.gen_range(0..ALPHABET.len()))
            .copied()
            .unwrap_or(b'0');
        out.push(c as char);
    }
    out
}

/// The job run after a course completion: issues the course's certificate, if it names one.
pub async fn course_completed(state: &AppState, payload: &str, at: i64) -> Result<(), AppError> {
    let done: crate::completion::model::CourseCompleted = serde_json::from_str(payload)
        .map_err(|e| internal("reading a course completion job", e))?;
    issue(
        state,
        done.user_id,
        Training::Course(done.course_id),
        None,
        None,
        at,
    )
    .await
    .map(|_| ())
}

/// The job run after a programme completion: issues the programme's certificate, if it names one.
pub async fn programme_completed(state: &AppState, payload: &str, at: i64) -> Result<(), AppError> {
    let done: crate::programmes::model::ProgrammeCompleted = serde_json::from_str(payload)
        .map_err(|e| internal("reading a programme completion job", e))?;
    issue(
        state,
        done.user_id,
        Training::Programme(done.programme_id),
        None,
        None,
        at,
    )
    .await
    .map(|_| ())
}

/// Issues the course's (or programme's) certificate to a person for their completion (on
/// `completed_on`, or the day they completed it), unless they already hold one for it. Returns
/// the number, or `None` when it names no template or the person has not completed it.
async fn issue(
    state: &AppState,
    user_id: i64,
    target: Training,
    completed_on: Option<chrono::NaiveDate>,
    by: Option<&Actor>,
    at: i64,
) -> Result<Option<String>, AppError> {
    let (template, subject) = match target {
        Training::Course(id) => (
            store::course_template(&state.db, id).await?,
            store::subject(&state.db, user_id, id).await?,
        ),
        Training::Programme(id) => (
            store::programme_template(&state.db, id).await?,
            store::programme_subject(&state.db, user_id, id).await?,
        ),
    };
    let Some(template_id) = template else {
        return Ok(None);
    };
    let subject = subject.ok_or(AppError::NotFound)?;
    let (course_id, programme_id) = target.columns();
    let zone = crate::settings::service::current(state).await?.time_zone;
    let completed = match (completed_on, subject.completed_at) {
        (Some(date), _) => date,
        (None, Some(when)) => today_in(when, &zone),
        (None, None) => return Ok(None),
    };
    // A certificate expires with the requirements asking for its course or programme.
    let expires = crate::compliance::service::valid_months(state, user_id, target)
        .await?
        .map(|m| crate::compliance::status::add_months(completed, m));
    let grade = subject
        .percent
        .map(|p| format!("{}%", (p * 10.0).round() / 10.0));
    let completed_on = ymd(completed);
    let expires_on = expires.map(ymd);
    let number = new_number();

    let mut tx = state.db.begin().await?;
    if store::issued_for(&mut tx, user_id, course_id, programme_id, &completed_on).await? {
        return Ok(None);
    }
    let id = store::insert(
        &mut tx,
        &NewCertificate {
            number: &number,
            user_id,
            course_id,
            programme_id,
            template_id,
            recipient_name: &subject.recipient_name,
            title: &subject.title,
            grade: grade.as_deref(),
            completed_on: &completed_on,
            expires_on: expires_on.as_deref(),
            issued_by: by.map(|a| a.id),
        },
        at,
    )
    .await?;
    let data = serde_json::json!({
        "id": id,
        "number": number,
        "user_id": user_id,
        "course_id": course_id,
        "programme_id": programme_id,
        "title": subject.title,
        "completed_on": completed_on,
        "expires_on": expires_on,
    });
    crate::webhooks::outbox::emit(
        &mut tx,
        crate::webhooks::model::Event::CertificateIssued,
        data,
        at,
    )
    .await?;
    if let Some(actor) = by {
        audit::record(
            &mut tx,
            actor,
            audit::Entry::new("certificate.issue", "certificate", Some(id), &number).after(&(
                &subject.recipient_name,
                &subject.title,
                &completed_on,
            )),
            at,
        )
        .await?;
    }
    notifications::notify(
        state,
        &mut tx,
        Kind::CertificateIssued,
        &[Notice {
            user_id,
            subject: format!("Your certificate for “{}”", subject.title),
            body: format!(
                "Your certificate for “{}” is ready (number {number}{}). Download it or share its verification link from My certificates.",
                subject.title,
                expires_on
                    .as_deref()
                    .map(|e| format!(", valid until {e}"))
                    .unwrap_or_default()
            ),
            link: "/certificates".into(),
        }],
        at,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(number))
}

/// Issues a course's certificate by hand (for a completion recorded elsewhere, say).
pub async fn issue_by_hand(
    state: &AppState,
    actor: &Actor,
    form: &IssueForm,
) -> Result<String, AppError> {
    require(actor)?;
    let mut problems = crate::error::Problems::default();
    let user = crate::users::store::find_by_email(&state.db, form.email.trim()).await?;
    if user.is_none() {
        problems.add("email", "No one has this email address.");
    }
    let course_id = form.course_id.trim().parse::<i64>().ok();
    let template = match course_id {
        Some(c) => store::course_template(&state.db, c).await?,
        None => None,
    };
    if course_id.is_none() {
        problems.add("course_id", "Choose a course.");
    } else if template.is_none() {
        problems.add(
            "course_id",
            "This course issues no certificate: choose a template in its settings first.",
        );
    }
    let date = if form.completed_on.trim().is_empty() {
        None
    } else {
        let parsed = chrono::NaiveDate::parse_from_str(form.completed_on.trim(), "%Y-%m-%d").ok();
        if parsed.is_none() {
            problems.add("completed_on", "Give the date as YYYY-MM-DD.");
        }
        parsed
    };
    problems.into_result()?;
    let (Some(user), Some(course_id)) = (user, course_id) else {
        return Err(AppError::invalid(
            "",
            "Some of what was sent could not be read.",
        ));
    };
    let at = now();
    let date = match date {
        Some(d) => d,
        None => today(state, at).await?,
    };
    issue(
        state,
        user.id,
        Training::Course(course_id),
        Some(date),
        Some(actor),
        at,
    )
    .await?
    .ok_or_else(|| {
        AppError::Conflict(format!(
            "{} already holds a certificate for this course completed on {}.",
            user.name,
            ymd(date)
        ))
    })
}

/// Every morning, holders of certificates that expire within `EXPIRY_NOTICE_DAYS` (and were not
/// renewed) are told once.
pub const EXPIRING: crate::jobs::daily::Daily = crate::jobs::daily::Daily {
    kind: "certificates.expiring",
    hour: 6,
    minute: 30,
};

/// How long before expiry a holder hears of it.
pub const EXPIRY_NOTICE_DAYS: u64 = 30;

/// The `EXPIRING` run at `now`; returns how many people were told.
pub async fn notify_expiring(state: &AppState, now: i64) -> Result<usize, AppError> {
    let today = today(state, now).await?;
    let until = today
        .checked_add_days(chrono::Days::new(EXPIRY_NOTICE_DAYS))
        .unwrap_or(today);
    let mut told = 0;
    loop {
        let batch = store::expiring(&state.db, &ymd(today), &ymd(until), 500).await?;
        if batch.is_empty() {
            break;
        }
        let notices: Vec<Notice> = batch
            .iter()
            .map(|c| Notice {
                user_id: c.user_id,
                subject: format!("Your certificate for “{}” expires on {}", c.title, c.expires_on),
                body: format!(
                    "Certificate {} for “{}” is valid until the day before {}. Complete the course again to renew it.",
                    c.number, c.title, c.expires_on
                ),
                link: "/certificates".into(),
            })
            .collect();
        let ids: Vec<i64> = batch.iter().map(|c| c.id).collect();
        let mut tx = state.db.begin().await?;
        told +=
            notifications::notify(state, &mut tx, Kind::CertificateExpiring, &notices, now).await?;
        store::mark_expiry_notified(&mut tx, &ids, now).await?;
        tx.commit().await?;
    }
    Ok(told)
}

// --- Reading ---

/// The public address of a certificate's verification page.
pub fn verify_url(state: &AppState, number: &str) -> String {
    let mut url = state.config.base_url.clone();
    url.set_path(&super::model::verify_path(number));
    url.to_string()
}

/// The signed-in person's certificates, newest first.
pub async fn mine(state: &AppState, actor: &Actor) -> Result<Vec<Certificate>, AppError> {
    let today = ymd(today(state, now()).await?);
    Ok(store::of_user(&state.db, actor.id)
        .await?
        .into_iter()
        .map(|r| certificate_of(state, r, &today))
        .collect())
}

/// The certificate's PDF and its file name, for its holder and administrators (anyone else is
/// told there is no such certificate).
pub async fn pdf(
    state: &AppState,
    actor: &Actor,
    number: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let row = store::by_number(&state.db, number)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.user_id != actor.id && !can(actor, Action::ManageCertificates) {
        return Err(AppError::NotFound);
    }
    let template = store::template(&state.db, row.template_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let fields = Fields {
        learner: row.recipient_name,
        title: row.title,
        completed_on: row.completed_on,
        expires_on: row.expires_on,
        grade: row.grade,
        number: row.number,
    };
    let design = design_of(&template.design)?;
    let bytes = super::pdf::render(
        &design,
        &super::images::pictures(state, &design).await?,
        &fields,
        &verify_url(state, &fields.number),
    )?;
    Ok((format!("certificate-{}.pdf", fields.number), bytes))
}

/// The site's credential signing key, made (and kept in the database) at first need; every
/// instance reads the same one.
async fn signing_key(state: &AppState) -> Result<ed25519_dalek::SigningKey, AppError> {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    const NAME: &str = "credentials";
    if store::site_key(&state.db, NAME).await?.is_none() {
        let seed: [u8; 32] = rand::random();
        store::add_site_key(&state.db, NAME, &STANDARD.encode(seed), now()).await?;
    }
    let secret = store::site_key(&state.db, NAME)
        .await?
        .ok_or_else(|| internal("reading the credential key", "missing after it was made"))?;
    let seed: [u8; 32] = STANDARD
        .decode(secret)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| internal("reading the credential key", "not a 32-byte seed"))?;
    Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
}

/// The site's issuer id for Open Badges (its `did:key`).
pub async fn issuer_did(state: &AppState) -> Result<String, AppError> {
    Ok(super::badge::did_key(&signing_key(state).await?))
}

/// The certificate as a signed Open Badges 3.0 credential (a VC-JWT) and its file name, for
/// its holder and administrators; a revoked certificate has none.
pub async fn credential(
    state: &AppState,
    actor: &Actor,
    number: &str,
) -> Result<(String, String), AppError> {
    let row = store::by_number(&state.db, number)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.user_id != actor.id && !can(actor, Action::ManageCertificates) {
        return Err(AppError::NotFound);
    }
    if row.revoked_at.is_some() {
        return Err(AppError::Conflict(
            "This certificate was revoked: it has no credential.".into(),
        ));
    }
    let key = signing_key(state).await?;
    let settings = crate::settings::service::current(state).await?;
    let mut course_url = state.config.base_url.clone();
    course_url.set_path(&format!("/courses/{}", row.course_id.unwrap_or_default()));
    let id = verify_url(state, &row.number);
    let token = super::badge::sign(
        &key,
        &super::badge::Facts {
            id: &id,
            site_name: &settings.site_name,
            site_url: state.config.base_url.as_str(),
            achievement_id: course_url.as_str(),
            title: &row.title,
            recipient_name: &row.recipient_name,
            recipient_email: &row.email,
            salt: &row.number,
            issued_at: row.issued_at,
            expires_on: row.expires_on.as_deref(),
        },
    );
    Ok((format!("certificate-{}.jwt", row.number), token))
}

/// What the public verification page says about a number: whose it is, for what, and whether
/// it is valid, expired or revoked (nothing else about the person).
pub async fn verify(state: &AppState, number: &str) -> Result<Verification, AppError> {
    let number = number.trim().to_uppercase();
    let row = store::by_number(&state.db, &number)
        .await?
        .ok_or(AppError::NotFound)?;
    let settings = crate::settings::service::current(state).await?;
    let today = ymd(today_in(now(), &settings.time_zone));
    Ok(Verification {
        standing: Standing::of(row.revoked_at.is_some(), row.expires_on.as_deref(), &today),
        number: row.number,
        recipient_name: row.recipient_name,
        title: row.title,
        completed_on: row.completed_on,
        expires_on: row.expires_on,
        issued_at: row.issued_at,
        revoked_at: row.revoked_at,
        site_name: settings.site_name,
    })
}

/// One page of every certificate issued, for administrators.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    query: &CertificateQuery,
) -> Result<Page<Certificate>, AppError> {
    require(actor)?;
    let standing = filter_standing(&query.standing)?;
    let today = ymd(today(state, now()).await?);
    let page = query.page.max(1);
    let (rows, total) = store::page(
        &state.db,
        &search_pattern(&query.q),
        standing,
        &today,
        PER_PAGE as i64,
        (page as i64 - 1) * PER_PAGE as i64,
    )
    .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| certificate_of(state, r, &today))
            .collect(),
        total,
        total_capped: false,
        page,
        per_page: PER_PAGE,
    })
}

fn filter_standing(input: &str) -> Result<&'static str, AppError> {
    if input.is_empty() {
        return Ok("");
    }
    Standing::parse(input)
        .map(Standing::as_str)
        .ok_or_else(|| AppError::invalid("standing", "Choose valid, expired or revoked."))
}

fn search_pattern(q: &str) -> String {
    if q.trim().is_empty() {
        String::new()
    } else {
        crate::db::like_pattern(q)
    }
}

/// Every certificate the list's filters match, as CSV (read a page at a time).
pub async fn csv(
    state: &AppState,
    actor: &Actor,
    query: &CertificateQuery,
) -> Result<String, AppError> {
    require(actor)?;
    let standing = filter_standing(&query.standing)?;
    let today = ymd(today(state, now()).await?);
    let search = search_pattern(&query.q);
    let mut out = crate::spreadsheet::CsvOut::new();
    out.row([
        "number",
        "name",
        "email",
        "title",
        "grade",
        "completed_on",
        "expires_on",
        "issued_at",
        "standing",
        "revoked_at",
        "revoke_reason",
    ])?;
    const BATCH: i64 = 1000;
    let mut offset = 0;
    loop {
        let (rows, _) = store::page(&state.db, &search, standing, &today, BATCH, offset).await?;
        let n = rows.len() as i64;
        for r in rows {
            let c = certificate_of(state, r, &today);
            out.row([
                c.number.as_str(),
                &c.recipient_name,
                &c.email,
                &c.title,
                c.grade.as_deref().unwrap_or(""),
                &c.completed_on,
                c.expires_on.as_deref().unwrap_or(""),
                &crate::input::format_datetime(Some(c.issued_at)),
                c.standing.as_str(),
                &crate::input::format_datetime(c.revoked_at),
                c.revoke_reason.as_deref().unwrap_or(""),
            ])?;
        }
        if n < BATCH {
            break;
        }
        offset += BATCH;
    }
    out.finish()
}

/// Revokes a certificate with a reason; its verification page says so from now on.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> Result<(), AppError> {
    require(actor)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "Say why the certificate is revoked.",
        ));
    }
    if reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "reason",
            "Keep the reason to 500 characters.",
        ));
    }
    let at = now();
    if !store::revoke(&state.db, id, actor.id, reason, at).await? {
        return Err(AppError::Conflict(
            "This certificate does not exist or is already revoked.".into(),
        ));
    }
    let mut tx = state.db.begin().await?;
    audit::record(
        &mut tx,
        actor,
        audit::Entry::new("certificate.revoke", "certificate", Some(id), reason),
        at,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
