//! Server functions for certificates: the holder's list, the public verification, and the
//! administrators' templates, list, issuing and revoking; a course's choice of template.

use super::model::{
    Certificate, CertificateQuery, CourseSetting, IssueForm, Template, TemplateForm, Verification,
};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::edge::{respond, signed_in};

#[server(endpoint = "certificates/mine")]
pub async fn my_certificates() -> Result<Vec<Certificate>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::mine(&state, &actor).await)
}

/// Public: what the verification page says about a number (no sign-in needed).
#[server(endpoint = "certificates/verify")]
pub async fn verify_certificate(number: String) -> Result<Verification, AppError> {
    let state = crate::edge::state()?;
    respond(super::service::verify(&state, &number).await)
}

#[server(endpoint = "certificates/list")]
pub async fn list_certificates(query: CertificateQuery) -> Result<Page<Certificate>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::list(&state, &actor, &query).await)
}

#[server(endpoint = "certificates/issue")]
pub async fn issue_certificate(form: IssueForm) -> Result<String, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::issue_by_hand(&state, &actor, &form).await)
}

#[server(endpoint = "certificates/revoke")]
pub async fn revoke_certificate(id: i64, reason: String) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::revoke(&state, &actor, id, &reason).await)
}

#[server(endpoint = "certificates/templates")]
pub async fn certificate_templates() -> Result<Vec<Template>, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::templates(&state, &actor).await)
}

#[server(endpoint = "certificates/template")]
pub async fn certificate_template(id: i64) -> Result<Template, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::template(&state, &actor, id).await)
}

/// Creates a template (`id` empty) or saves one; returns its id.
#[server(endpoint = "certificates/save_template")]
pub async fn save_certificate_template(
    id: Option<i64>,
    form: TemplateForm,
) -> Result<i64, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::save_template(&state, &actor, id, &form).await)
}

/// Takes the image out of a template's slot (`background`, `logo` or `signature`).
#[server(endpoint = "certificates/remove_image")]
pub async fn remove_certificate_image(id: i64, slot: String) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    let slot = super::model::ImageSlot::parse(&slot).ok_or(AppError::NotFound)?;
    respond(super::images::remove(&state, &actor, id, slot).await)
}

#[server(endpoint = "certificates/delete_template")]
pub async fn delete_certificate_template(id: i64) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::delete_template(&state, &actor, id).await)
}

#[server(endpoint = "certificates/course")]
pub async fn course_certificate(course_id: i64) -> Result<CourseSetting, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::course_setting(&state, &actor, course_id).await)
}

/// Names the template a course issues on completion (none: no certificate).
#[server(endpoint = "certificates/set_course")]
pub async fn set_course_certificate(
    course_id: i64,
    template_id: Option<i64>,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::set_course_template(&state, &actor, course_id, template_id).await)
}

#[server(endpoint = "certificates/programme")]
pub async fn programme_certificate(programme_id: i64) -> Result<CourseSetting, AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::programme_setting(&state, &actor, programme_id).await)
}

/// Names the template a programme issues on completion (none: no certificate).
#[server(endpoint = "certificates/set_programme")]
pub async fn set_programme_certificate(
    programme_id: i64,
    template_id: Option<i64>,
) -> Result<(), AppError> {
    let (state, actor, _) = signed_in()?;
    respond(super::service::set_programme_template(&state, &actor, programme_id, template_id).await)
}
