//! Certificate pages: "My certificates", the public verification page, the administrators'
//! list (search, revoke, issue by hand, CSV) and template designer (with a live preview), and
//! the course editor's choice of certificate.

use super::model::{
    Certificate, CertificateQuery, Design, Fields, ImageSlot, IssueForm, MAX_IMAGE_BYTES,
    Orientation, PLACEHOLDERS, Standing, TemplateForm, Verification, fill,
};
use super::server::*;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{ErrorPage, Field, FormAlert, Pagination, TextArea};
use leptos::prelude::*;
use leptos_meta::Title;

/// A certificate's standing in words, coloured on top.
fn badge(standing: Standing) -> impl IntoView {
    let class = match standing {
        Standing::Valid => "badge badge-success",
        Standing::Expired | Standing::Revoked => "badge badge-danger",
    };
    view! { <span class=class>{standing.label()}</span> }
}

fn admin_links() -> impl IntoView {
    let shell = crate::auth::shell::use_shell();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let manage = shell.await.ok().and_then(|s| s.actor).is_some_and(|a| {
                    crate::auth::permissions::can(&a, crate::auth::permissions::Action::ManageCertificates)
                });
                manage.then(|| view! {
                    <p class="toolbar">
                        <a class="btn btn-secondary" href="/admin/certificates">"All certificates"</a>
                        <a class="btn btn-secondary" href="/admin/certificates/templates">"Templates"</a>
                    </p>
                })
            })}
        </Suspense>
    }
}

#[component]
pub fn MyCertificatesPage() -> impl IntoView {
    let mine = Resource::new(|| (), |_| my_certificates());
    view! {
        <Title text="My certificates" />
        <div class="page-header"><h1>"My certificates"</h1></div>
        {admin_links()}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match mine.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state">"No certificates yet. Courses that award one issue it when you complete them."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="certificate-list" aria-label="Certificates">
                            {list.into_iter().map(|c| view! { <MyCertificate c /> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MyCertificate(c: Certificate) -> impl IntoView {
    let heading = format!("certificate-{}", c.id);
    let share_id = format!("share-{}", c.id);
    view! {
        <li class="card" aria-labelledby=heading.clone()>
            <h2 id=heading.clone() class="h3">{c.title.clone()}</h2>
            <p>{badge(c.standing)}" "
                {format!("Completed {}", c.completed_on)}
                {c.expires_on.clone().map(|e| format!(" · valid until {e}"))}
                {format!(" · number {}", c.number)}
            </p>
            <div class="form-actions">
                <a class="btn btn-primary" href=c.pdf_path() download="">"Download PDF"</a>
                {(c.standing != Standing::Revoked).then(|| view! {
                    <a class="btn btn-secondary" href=c.badge_path() download="">"Open Badge (OB 3.0)"</a>
                })}
                <a class="btn btn-secondary" href=c.verify_path()>"Verification page"</a>
            </div>
            <div class="field">
                <label for=share_id.clone()>"Share link"</label>
                <input id=share_id readonly value=c.share_url.clone() />
            </div>
        </li>
    }
}

/// The public verification page: `/verify/NUMBER`, or `/verify?number=` from its own form.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let number = Memo::new(move |_| {
        params
            .with(|p| p.get("number"))
            .or_else(|| query.with(|q| q.get("number")))
            .unwrap_or_default()
    });
    let found = Resource::new(
        move || number.get(),
        |n| async move {
            if n.trim().is_empty() {
                Ok(None)
            } else {
                verify_certificate(n).await.map(Some)
            }
        },
    );
    view! {
        <Title text="Verify a certificate" />
        <div class="page-header"><h1>"Verify a certificate"</h1></div>
        <Suspense fallback=|| view! { <p>"Checking…"</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(None) => ().into_any(),
                    Ok(Some(v)) => view! { <Verified v /> }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <div class="alert alert-error" role="alert">
                            {format!("No certificate has the number “{}”. Check it and try again.", number.get_untracked())}
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
        <form class="toolbar" method="get" action="/verify" role="search" aria-label="Verify another certificate">
            <div class="field">
                <label for="verify-number">"Certificate number"</label>
                <input id="verify-number" name="number" value=number.get_untracked() autocomplete="off" />
            </div>
            <button type="submit" class="btn btn-secondary">"Verify"</button>
        </form>
    }
}

#[component]
fn Verified(v: Verification) -> impl IntoView {
    let (class, headline) = match v.standing {
        Standing::Valid => (
            "alert alert-success",
            "This certificate is valid.".to_string(),
        ),
        Standing::Expired => (
            "alert alert-error",
            format!(
                "This certificate has expired (on {}).",
                v.expires_on.clone().unwrap_or_default()
            ),
        ),
        Standing::Revoked => (
            "alert alert-error",
            format!(
                "This certificate was revoked on {}.",
                crate::input::format_date(v.revoked_at)
            ),
        ),
    };
    view! {
        <section class="card" aria-labelledby="verified-heading">
            <div class=class role="status" id="verified-heading">{badge(v.standing)}" "{headline}</div>
            <dl class="facts">
                <dt>"Awarded to"</dt><dd>{v.recipient_name.clone()}</dd>
                <dt>"For"</dt><dd>{v.title.clone()}</dd>
                <dt>"Completed"</dt><dd>{v.completed_on.clone()}</dd>
                <dt>"Valid until"</dt><dd>{v.expires_on.clone().unwrap_or_else(|| "No expiry".into())}</dd>
                <dt>"Issued"</dt><dd>{crate::input::format_date(Some(v.issued_at))}</dd>
                <dt>"Number"</dt><dd>{v.number.clone()}</dd>
                <dt>"Issued by"</dt><dd>{v.site_name.clone()}</dd>
            </dl>
        </section>
    }
}

#[component]
pub fn CertificatesAdminPage() -> impl IntoView {
    let revoke = ServerAction::<RevokeCertificate>::new();
    let issue = ServerAction::<IssueCertificate>::new();
    let params = leptos_router::hooks::use_query_map();
    let query = Memo::new(move |_| {
        params.with(|q| CertificateQuery {
            q: q.get("q").unwrap_or_default(),
            standing: q.get("standing").unwrap_or_default(),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        })
    });
    let list = Resource::new(
        move || (query.get(), revoke.version().get(), issue.version().get()),
        |(query, ..)| list_certificates(query),
    );
    let revoke_result: Signal<Option<Result<(), AppError>>> = revoke.value().into();
    let editing = RwSignal::new(None::<(i64, String)>);
    let reason = RwSignal::new(String::new());
    let q = query.get_untracked();
    let csv = format!(
        "/admin/certificates.csv{}",
        crate::ui::query_string(&[("q", q.q.clone()), ("standing", q.standing.clone())])
    );
    view! {
        <Title text="Certificates" />
        <div class="page-header">
            <div>
                <p class="small"><a href="/certificates">"← My certificates"</a></p>
                <h1>"Certificates"</h1>
            </div>
            <div class="toolbar">
                <a class="btn btn-secondary" href="/admin/certificates/templates">"Templates"</a>
                <a class="btn btn-secondary" href=csv download="">"Download CSV"</a>
            </div>
        </div>
        <FormAlert result=revoke_result success="Certificate revoked." />
        {move || editing.get().map(|(id, label)| view! {
            <section class="card" aria-labelledby="revoke-heading">
                <h2 id="revoke-heading">{format!("Revoke {label}")}</h2>
                <form class="form" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    revoke.dispatch(RevokeCertificate { id, reason: reason.get_untracked() });
                }>
                    <TextArea label="Reason" name="reason" value=reason rows=2 error=field_error(revoke_result, "reason")
                        hint="Kept on record; the verification page says only that it was revoked." />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-danger">"Revoke certificate"</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| editing.set(None)>"Close"</button>
                    </div>
                </form>
            </section>
        })}
        <form class="toolbar" method="get" role="search" aria-label="Search certificates">
            <div class="field">
                <label for="certificates-q">"Name, email, number or course"</label>
                <input id="certificates-q" name="q" type="search" value=q.q.clone() />
            </div>
            <div class="field">
                <label for="certificates-standing">"Status"</label>
                <select id="certificates-standing" name="standing">
                    <option value="" selected=q.standing.is_empty()>"Any"</option>
                    {[Standing::Valid, Standing::Expired, Standing::Revoked].into_iter().map(|s| view! {
                        <option value=s.as_str() selected=q.standing == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="btn btn-secondary">"Search"</button>
        </form>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! { <p class="empty-state">"No certificates match."</p> }.into_any(),
                    Ok(list) => {
                        let (page, page_count, total) = (list.page, list.page_count(), list.total);
                        let q = query.get_untracked();
                        let href = move |p: u32| crate::ui::query_string(&[
                            ("q", q.q.clone()),
                            ("standing", q.standing.clone()),
                            ("page", p.to_string()),
                        ]);
                        view! {
                        <section class="card">
                            <div class="table-wrap"><table class="data-table">
                                <caption class="visually-hidden">"Certificates issued"</caption>
                                <thead><tr><th scope="col">"Person"</th><th scope="col">"Course"</th><th scope="col">"Number"</th><th scope="col">"Completed"</th><th scope="col">"Expires"</th><th scope="col">"Status"</th><th scope="col">"Actions"</th></tr></thead>
                                <tbody>{list.items.into_iter().map(|c| {
                                    let label = format!("{} for {}", c.number, c.recipient_name);
                                    let id = c.id;
                                    let revocable = c.standing != Standing::Revoked;
                                    view! { <tr>
                                        <td>{c.recipient_name.clone()}<br /><span class="small muted">{c.email.clone()}</span></td>
                                        <td>{c.title.clone()}</td>
                                        <td><a href=c.verify_path()>{c.number.clone()}</a></td>
                                        <td>{c.completed_on.clone()}</td>
                                        <td>{c.expires_on.clone().unwrap_or_default()}</td>
                                        <td>{badge(c.standing)}{c.revoke_reason.clone().map(|r| view! { <br /><span class="small">{r}</span> })}</td>
                                        <td class="actions">
                                            <a class="btn btn-small btn-secondary" href=c.pdf_path() download="" aria-label=format!("PDF of {label}")>"PDF"</a>
                                            {revocable.then(|| view! {
                                                <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Revoke {label}")
                                                    on:click=move |_| editing.set(Some((id, label.clone())))>"Revoke"</button>
                                            })}
                                        </td>
                                    </tr> }
                                }).collect_view()}</tbody>
                            </table></div>
                            <Pagination page page_count total href />
                        </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <IssueByHand issue />
    }
}

#[component]
fn IssueByHand(issue: ServerAction<IssueCertificate>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let course_id = RwSignal::new(String::new());
    let completed_on = RwSignal::new(String::new());
    let result: Signal<Option<Result<String, AppError>>> = issue.value().into();
    let courses = Resource::new(
        || (),
        |_| crate::courses::server::teaching(crate::courses::model::CatalogueQuery::default()),
    );
    view! {
        <section class="card" aria-labelledby="issue-heading">
            <h2 id="issue-heading">"Issue a certificate by hand"</h2>
            <form class="form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                issue.dispatch(IssueCertificate { form: IssueForm {
                    email: email.get_untracked(),
                    course_id: course_id.get_untracked(),
                    completed_on: completed_on.get_untracked(),
                } });
            }>
                {move || match result.get() {
                    Some(Ok(number)) => Some(view! { <div class="alert alert-success" role="status">{format!("Certificate {number} issued.")}</div> }.into_any()),
                    Some(Err(e)) => e.general().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> }.into_any()),
                    None => None,
                }}
                <Field label="Email" name="email" kind="email" value=email error=field_error(result, "email") />
                <div class="field">
                    <label for="issue-course">"Course"</label>
                    <select id="issue-course" on:change=move |ev| course_id.set(event_target_value(&ev))
                        aria-invalid=move || if field_error(result, "course_id").get().is_some() { "true" } else { "false" }>
                        <option value="">"Choose a course"</option>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                courses.await.map(|p| p.items).unwrap_or_default().into_iter().map(|c| view! {
                                    <option value=c.id.to_string()>{format!("{} ({})", c.title, c.code)}</option>
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                    {move || field_error(result, "course_id").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </div>
                <Field label="Completed on" name="completed_on" kind="date" value=completed_on error=field_error(result, "completed_on")
                    hint="Leave empty for today." />
                <div class="form-actions"><button type="submit" class="btn btn-primary">"Issue certificate"</button></div>
            </form>
        </section>
    }
}

#[component]
pub fn CertificateTemplatesPage() -> impl IntoView {
    let delete = ServerAction::<DeleteCertificateTemplate>::new();
    let list = Resource::new(move || delete.version().get(), |_| certificate_templates());
    let deleted: Signal<Option<Result<(), AppError>>> = delete.value().into();
    view! {
        <Title text="Certificate templates" />
        <div class="page-header">
            <div>
                <p class="small"><a href="/admin/certificates">"← Certificates"</a></p>
                <h1>"Certificate templates"</h1>
            </div>
            <a class="btn btn-primary" href="/admin/certificates/templates/new">"New template"</a>
        </div>
        <FormAlert result=deleted success="Template deleted." />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty-state">"No templates yet. Create one, then choose it in a course's settings."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <section class="card">
                            <div class="table-wrap"><table class="data-table">
                                <caption class="visually-hidden">"Templates"</caption>
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Orientation"</th><th scope="col">"Courses"</th><th scope="col">"Issued"</th><th scope="col">"Actions"</th></tr></thead>
                                <tbody>{list.into_iter().map(|t| {
                                    let id = t.id;
                                    let unused = t.courses == 0 && t.issued == 0;
                                    view! { <tr>
                                        <td><a href=format!("/admin/certificates/templates/{}", t.id)>{t.name.clone()}</a></td>
                                        <td>{match t.design.orientation { Orientation::Landscape => "Landscape", Orientation::Portrait => "Portrait" }}</td>
                                        <td>{t.courses}</td>
                                        <td>{t.issued}</td>
                                        <td>{unused.then(|| view! {
                                            <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Delete {}", t.name)
                                                on:click=move |_| { delete.dispatch(DeleteCertificateTemplate { id }); }>"Delete"</button>
                                        })}</td>
                                    </tr> }
                                }).collect_view()}</tbody>
                            </table></div>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/admin/certificates/templates/new` and `/admin/certificates/templates/:id`.
#[component]
pub fn TemplateEditorPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|i| i.parse::<i64>().ok())
    });
    let loaded = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                // Asked for the permission's sake: a new template is for those who may design.
                None => certificate_templates()
                    .await
                    .map(|_| TemplateForm::from_design("", &Design::default())),
                Some(id) => certificate_template(id)
                    .await
                    .map(|t| TemplateForm::from_design(&t.name, &t.design)),
            }
        },
    );
    view! {
        <Title text="Certificate template" />
        <div class="page-header">
            <div>
                <p class="small"><a href="/admin/certificates/templates">"← Templates"</a></p>
                <h1>{move || if id.get().is_some() { "Edit certificate template" } else { "New certificate template" }}</h1>
            </div>
        </div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(form) => view! { <TemplateEditor id=id.get_untracked() form /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TemplateEditor(id: Option<i64>, form: TemplateForm) -> impl IntoView {
    let save = ServerAction::<SaveCertificateTemplate>::new();
    let result: Signal<Option<Result<i64, AppError>>> = save.value().into();
    let images = ImageSignals {
        background: RwSignal::new(form.image(ImageSlot::Background)),
        logo: RwSignal::new(form.image(ImageSlot::Logo)),
        signature: RwSignal::new(form.image(ImageSlot::Signature)),
    };
    let name = RwSignal::new(form.name);
    let orientation = RwSignal::new(form.orientation);
    let heading = RwSignal::new(form.heading);
    let body = RwSignal::new(form.body);
    let signatory = RwSignal::new(form.signatory);
    let footer = RwSignal::new(form.footer);
    let accent = RwSignal::new(form.accent);
    // A new template, once saved, continues as the saved one.
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let (None, Some(Ok(new_id))) = (id, result.get()) {
            navigate(
                &format!("/admin/certificates/templates/{new_id}"),
                Default::default(),
            );
        }
    });
    let placeholders = PLACEHOLDERS
        .iter()
        .map(|(p, what)| format!("{{{p}}} {what}"))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <div class="template-editor">
            <section class="card" aria-labelledby="design-heading">
                <h2 id="design-heading">"Design"</h2>
                <form class="form" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    save.dispatch(SaveCertificateTemplate { id, form: TemplateForm {
                        name: name.get_untracked(),
                        orientation: orientation.get_untracked(),
                        heading: heading.get_untracked(),
                        body: body.get_untracked(),
                        signatory: signatory.get_untracked(),
                        footer: footer.get_untracked(),
                        accent: accent.get_untracked(),
                        ..Default::default()
                    } });
                }>
                    <FormAlert result success="Template saved." />
                    <Field label="Name" name="name" value=name required=true error=field_error(result, "name") />
                    <div class="field">
                        <label for="template-orientation">"Orientation"</label>
                        <select id="template-orientation" name="orientation" on:change=move |ev| orientation.set(event_target_value(&ev))>
                            <option value="landscape" selected=orientation.get_untracked() == "landscape">"Landscape"</option>
                            <option value="portrait" selected=orientation.get_untracked() == "portrait">"Portrait"</option>
                        </select>
                        {move || field_error(result, "orientation").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                    </div>
                    <p class="hint" id="placeholders-hint">{format!("Placeholders: {placeholders}")}</p>
                    <Field label="Heading" name="heading" value=heading error=field_error(result, "heading") />
                    <TextArea label="Text" name="body" value=body rows=6 error=field_error(result, "body")
                        hint="One line per line on the certificate; a line that is only {learner} or {title} is printed large." />
                    <TextArea label="Signatory" name="signatory" value=signatory rows=2 error=field_error(result, "signatory")
                        hint="Printed under a signature line, e.g. “Dr Ana Silva, Head of Training”. Leave empty for none." />
                    <Field label="Footer" name="footer" value=footer error=field_error(result, "footer") />
                    <Field label="Accent colour" name="accent" value=accent error=field_error(result, "accent") hint="#rrggbb" />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary">"Save template"</button>
                    </div>
                </form>
                // The design as typed, drawn as a PDF in a new tab (a plain post: works without script).
                <form method="post" action="/admin/certificates/preview.pdf" target="_blank" class="form-actions">
                    <input type="hidden" name="name" prop:value=move || name.get() value=name.get_untracked() />
                    <input type="hidden" name="orientation" prop:value=move || orientation.get() value=orientation.get_untracked() />
                    <input type="hidden" name="heading" prop:value=move || heading.get() value=heading.get_untracked() />
                    <input type="hidden" name="body" prop:value=move || body.get() value=body.get_untracked() />
                    <input type="hidden" name="signatory" prop:value=move || signatory.get() value=signatory.get_untracked() />
                    <input type="hidden" name="footer" prop:value=move || footer.get() value=footer.get_untracked() />
                    <input type="hidden" name="accent" prop:value=move || accent.get() value=accent.get_untracked() />
                    {ImageSlot::ALL.map(|slot| {
                        let image = images.get(slot);
                        let text = move || image.get().map(|i| i.to_string()).unwrap_or_default();
                        view! { <input type="hidden" name=slot.as_str() prop:value=text value=text() /> }
                    })}
                    <button type="submit" class="btn btn-secondary">"Preview as PDF"</button>
                </form>
            </section>
            <section class="card" aria-labelledby="preview-heading">
                <h2 id="preview-heading">"Preview"</h2>
                <p class="hint">"With made-up values; the PDF is drawn the same way."</p>
                <LivePreview orientation heading body signatory footer accent images />
            </section>
            {match id {
                Some(id) => view! { <TemplateImages id images /> }.into_any(),
                None => view! {
                    <section class="card" id="images" aria-labelledby="images-heading">
                        <h2 id="images-heading">"Images"</h2>
                        <p class="empty-state">"Save the template first; then add a background or border, a logo and a signature."</p>
                    </section>
                }.into_any(),
            }}
        </div>
    }
}

/// The template's images as the editor holds them (ids), shared by the preview and the forms.
#[derive(Clone, Copy)]
struct ImageSignals {
    background: RwSignal<Option<i64>>,
    logo: RwSignal<Option<i64>>,
    signature: RwSignal<Option<i64>>,
}

impl ImageSignals {
    fn get(&self, slot: ImageSlot) -> RwSignal<Option<i64>> {
        match slot {
            ImageSlot::Background => self.background,
            ImageSlot::Logo => self.logo,
            ImageSlot::Signature => self.signature,
        }
    }
}

fn image_url(id: i64) -> String {
    format!("/admin/certificates/images/{id}")
}

/// Upload or remove each image. An upload is a plain multipart form (it posts and comes back
/// here before the script loads); once loaded, the script sends it itself, so what is typed in
/// the design form stays.
#[component]
fn TemplateImages(id: i64, images: ImageSignals) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map().get_untracked();
    let uploaded = query.get("image").and_then(|s| ImageSlot::parse(&s));
    let failed_slot = query.get("slot").and_then(|s| ImageSlot::parse(&s));
    let failed_message = query.get("image_error");
    let remove = ServerAction::<RemoveCertificateImage>::new();
    // The slot empties once the server has taken the image out, not before.
    let removing = RwSignal::new(None::<ImageSlot>);
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get()
            && let Some(slot) = removing.get_untracked()
        {
            images.get(slot).set(None);
        }
    });
    let max_mb = MAX_IMAGE_BYTES / (1024 * 1024);
    view! {
        <section class="card" id="images" aria-labelledby="images-heading">
            <h2 id="images-heading">"Images"</h2>
            <p class="hint">{format!("PNG or JPEG, up to {max_mb} MB. An image is kept with the template as soon as it is uploaded.")}</p>
            <FormAlert result=Signal::from(remove.value()) success="Image removed." />
            <div class="template-images">
                {ImageSlot::ALL.map(|slot| {
                    let image = images.get(slot);
                    let error = RwSignal::new(if failed_slot == Some(slot) { failed_message.clone() } else { None });
                    let done = RwSignal::new((uploaded == Some(slot)).then(|| format!("{} uploaded.", slot.label())));
                    let sending = RwSignal::new(false);
                    let input_id = format!("image-{}", slot.as_str());
                    let hint_id = format!("image-{}-hint", slot.as_str());
                    let error_id = format!("image-{}-error", slot.as_str());
                    let (hint_for, error_for, described) = (hint_id.clone(), error_id.clone(), hint_id.clone());
                    let on_submit = move |ev: leptos::ev::SubmitEvent| {
                        #[cfg(feature = "hydrate")]
                        {
                            use wasm_bindgen::JsCast;
                            let Some(form) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else {
                                return;
                            };
                            ev.prevent_default();
                            sending.set(true);
                            done.set(None);
                            leptos::task::spawn_local(async move {
                                #[derive(serde::Deserialize)]
                                struct Uploaded { id: i64 }
                                match crate::ui::upload::send_form::<Uploaded>(&form).await {
                                    Ok(u) => {
                                        image.set(Some(u.id));
                                        error.set(None);
                                        done.set(Some(format!("{} uploaded.", slot.label())));
                                        form.reset();
                                    }
                                    Err(e) => error.set(Some(e.field("file").or_else(|| e.general()).unwrap_or_else(|| e.to_string()))),
                                }
                                sending.set(false);
                            });
                        }
                        #[cfg(not(feature = "hydrate"))]
                        let _ = ev;
                    };
                    view! {
                        <div class="template-image">
                            <h3>{slot.label()}</h3>
                            <p class="hint" id=hint_for>{slot.hint()}</p>
                            {move || match image.get() {
                                Some(i) => view! {
                                    <div class="template-image-current">
                                        <img src=image_url(i) alt=format!("Current {}", slot.label().to_lowercase()) />
                                        <button type="button" class="btn btn-small btn-secondary" on:click=move |_| {
                                            done.set(None);
                                            removing.set(Some(slot));
                                            remove.dispatch(RemoveCertificateImage { id, slot: slot.as_str().into() });
                                        }>{format!("Remove {}", slot.label().to_lowercase())}</button>
                                    </div>
                                }.into_any(),
                                None => view! { <p class="empty-state">"None."</p> }.into_any(),
                            }}
                            <form class="form inline-form" method="post" enctype="multipart/form-data"
                                action=format!("/admin/certificates/templates/{id}/images/{}", slot.as_str())
                                on:submit=on_submit>
                                <div class="field">
                                    <label for=input_id.clone()>{format!("{} image", slot.label())}</label>
                                    <input id=input_id type="file" name="file" accept="image/png,image/jpeg" required
                                        aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                                        aria-describedby=move || if error.get().is_some() { format!("{described} {error_for}") } else { described.clone() } />
                                    {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone() role="alert">{e}</p> })}
                                </div>
                                <button type="submit" class="btn btn-secondary" disabled=move || sending.get()>
                                    {move || if sending.get() { "Uploading…".to_string() } else { format!("Upload {}", slot.label().to_lowercase()) }}
                                </button>
                            </form>
                            <p role="status" class="small">{move || done.get()}</p>
                        </div>
                    }
                })}
            </div>
        </section>
    }
}

/// The certificate as HTML, redrawn as the form changes (the PDF follows the same layout).
#[component]
fn LivePreview(
    orientation: RwSignal<String>,
    heading: RwSignal<String>,
    body: RwSignal<String>,
    signatory: RwSignal<String>,
    footer: RwSignal<String>,
    accent: RwSignal<String>,
    images: ImageSignals,
) -> impl IntoView {
    let sample = Fields::sample();
    let s1 = sample.clone();
    let s2 = sample.clone();
    let s3 = sample.clone();
    let colour = move || {
        let a = accent.get();
        if super::model::parse_colour(&a).is_some() {
            a
        } else {
            "#1d4ed8".into()
        }
    };
    view! {
        <div
            class=move || format!(
                "certificate-preview {}{}",
                if orientation.get() == "portrait" { "portrait" } else { "landscape" },
                if images.background.get().is_some() { " with-background" } else { "" },
            )
            style=move || match images.background.get() {
                Some(i) => format!("--accent: {}; background-image: url({})", colour(), image_url(i)),
                None => format!("--accent: {}", colour()),
            }
            aria-label="Certificate preview"
            role="img"
        >
            {move || images.logo.get().map(|i| view! { <img class="certificate-logo" src=image_url(i) alt="" /> })}
            <p class="certificate-heading">{move || fill(&heading.get(), &s1)}</p>
            <div class="certificate-body">
                {move || body.get().lines().map(|line| {
                    let trimmed = line.trim();
                    let alone = trimmed.starts_with('{') && trimmed.ends_with('}') && trimmed.matches('{').count() == 1;
                    let text = fill(line, &sample);
                    view! { <p class:certificate-emphasis=alone>{text}</p> }
                }).collect_view()}
            </div>
            <div class="certificate-foot">
                <div class="certificate-signature">
                    {move || images.signature.get().map(|i| view! { <img src=image_url(i) alt="" /> })}
                    <p class="certificate-signatory">{move || fill(&signatory.get(), &s2)}</p>
                </div>
                <p class="certificate-qr" aria-hidden="true">"QR"</p>
            </div>
            <p class="certificate-footer">{move || fill(&footer.get(), &s3)}</p>
        </div>
    }
}

/// The course editor's "Certificate" panel: which template the course issues on completion.
#[component]
pub fn CourseCertificatePanel(course_id: i64) -> impl IntoView {
    let set = ServerAction::<SetCourseCertificate>::new();
    let result: Signal<Option<Result<(), AppError>>> = set.value().into();
    let setting = Resource::new(|| (), move |_| course_certificate(course_id));
    let chosen = RwSignal::new(String::new());
    view! {
        <section class="card" aria-labelledby="certificate-heading">
            <h2 id="certificate-heading">"Certificate"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match setting.await {
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                        Ok(s) => {
                            chosen.set(s.template_id.map(|t| t.to_string()).unwrap_or_default());
                            let current = s.template_id;
                            view! {
                                <form class="form" novalidate on:submit=move |ev| {
                                    ev.prevent_default();
                                    set.dispatch(SetCourseCertificate { course_id, template_id: chosen.get_untracked().parse().ok() });
                                }>
                                    <FormAlert result success="Certificate setting saved." />
                                    <div class="field">
                                        <label for="course-certificate">"Issue on completion"</label>
                                        <p class="hint" id="course-certificate-hint">"Learners who complete the course receive this certificate (in the background, within a minute)."</p>
                                        <select id="course-certificate" aria-describedby="course-certificate-hint" on:change=move |ev| chosen.set(event_target_value(&ev))>
                                            <option value="" selected=current.is_none()>"No certificate"</option>
                                            {s.templates.into_iter().map(|(id, name)| view! {
                                                <option value=id.to_string() selected=current == Some(id)>{name}</option>
                                            }).collect_view()}
                                        </select>
                                        {move || field_error(result, "template_id").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                                    </div>
                                    <div class="form-actions"><button type="submit" class="btn btn-primary">"Save certificate setting"</button></div>
                                </form>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// On the Programmes page: which certificate a programme issues when completed.
#[component]
pub fn ProgrammeCertificatePanel(programmes: Vec<(i64, String)>) -> impl IntoView {
    let set = ServerAction::<SetProgrammeCertificate>::new();
    let result: Signal<Option<Result<(), AppError>>> = set.value().into();
    let templates = Resource::new(|| (), |_| certificate_templates());
    let programme = RwSignal::new(String::new());
    let template = RwSignal::new(String::new());
    view! {
        <section class="card" aria-labelledby="programme-certificate-heading">
            <h2 id="programme-certificate-heading">"Certificate on completion"</h2>
            <form class="form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                set.dispatch(SetProgrammeCertificate {
                    programme_id: programme.get_untracked().parse().unwrap_or(0),
                    template_id: template.get_untracked().parse().ok(),
                });
            }>
                <FormAlert result success="Certificate setting saved." />
                <div class="field">
                    <label for="certificate-programme">"Programme"</label>
                    <select id="certificate-programme" on:change=move |ev| programme.set(event_target_value(&ev))>
                        <option value="">"Choose a programme"</option>
                        {programmes.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                    {move || field_error(result, "programme_id").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </div>
                <div class="field">
                    <label for="certificate-template">"Certificate"</label>
                    <select id="certificate-template" on:change=move |ev| template.set(event_target_value(&ev))>
                        <option value="">"No certificate"</option>
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                templates.await.unwrap_or_default().into_iter().map(|t| view! {
                                    <option value=t.id.to_string()>{t.name}</option>
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                    {move || field_error(result, "template_id").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </div>
                <div class="form-actions"><button type="submit" class="btn btn-primary">"Save certificate setting"</button></div>
            </form>
        </section>
    }
}
