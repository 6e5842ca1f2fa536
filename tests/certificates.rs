//! Certificates on SQLite and PostgreSQL: a course that names a template issues one when a
//! learner completes it (by a background job, once), expiring with the recurring requirement the
//! learner is assigned; the PDF is read back with an independent PDF reader (names in Latin,
//! Greek and Cyrillic come out as text); the public verification page says valid, expired or
//! revoked and nothing else about the person; only the holder and administrators download it.

use crate::support::{self, ClassSpec, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use lyceum::certificates::model::{CertificateQuery, Design, IssueForm, Standing, TemplateForm};
use lyceum::certificates::service as certificates;
use lyceum::compliance::model::RequirementForm;
use lyceum::courses::model::ItemForm;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;
use lyceum::with_db_write;

async fn rename(state: &AppState, user_id: i64, name: &str) {
    with_db_write!(&state.db, |p| sqlx::query(
        "UPDATE users SET name = $1 WHERE id = $2"
    )
    .bind(name)
    .bind(user_id)
    .execute(p)
    .await
    .unwrap()
    .rows_affected());
}

async fn template(state: &AppState, admin: &lyceum::auth::permissions::Actor, name: &str) -> i64 {
    certificates::save_template(
        state,
        admin,
        None,
        &TemplateForm::from_design(name, &Design::default()),
    )
    .await
    .unwrap()
}

/// A requirement on the course for these people, due in a week and renewed every 12 months.
async fn yearly(
    state: &AppState,
    admin: &lyceum::auth::permissions::Actor,
    name: &str,
    course_id: i64,
    emails: &str,
) {
    lyceum::compliance::service::create(
        state,
        admin,
        &RequirementForm {
            name: name.into(),
            course_id,
            due_kind: "after_assignment".into(),
            due_days: "7".into(),
            valid_months: "12".into(),
            window_days: "30".into(),
            emails: emails.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

fn text_of(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).expect("an independent reader reads it")
}

db_test!(
    completing_a_course_issues_its_certificate_once_in_the_background,
    |state| {
        let c = support::class(
            &state,
            ClassSpec {
                code: "FS-1",
                title: "Fire safety",
                learners: &["nina@example.com"],
                ..Default::default()
            },
        )
        .await;
        let nina = c.learners[0].clone();
        rename(&state, nina.id, "Nina Ødegård").await;
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let item_id = c
            .add_item(
                &state,
                ItemForm {
                    kind: "acknowledgement".into(),
                    title: "Fire policy".into(),
                    body: "Keep exits clear.".into(),
                    required: true,
                    ..Default::default()
                },
            )
            .await;
        let t = template(&state, &admin, "Standard").await;
        // The course's teacher chooses it; a learner may not.
        assert_eq!(
            certificates::set_course_template(&state, &nina, c.course_id, Some(t))
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        certificates::set_course_template(&state, &c.teacher, c.course_id, Some(t))
            .await
            .unwrap();
        // Yearly recertification: the certificate expires with it.
        yearly(
            &state,
            &admin,
            "Fire safety yearly",
            c.course_id,
            "nina@example.com",
        )
        .await;

        lyceum::acknowledgements::service::confirm(&state, &nina, item_id)
            .await
            .unwrap();
        // Nothing is drawn inside the request: the completion queued a job.
        assert!(certificates::mine(&state, &nina).await.unwrap().is_empty());
        let now = lyceum::db::now();
        lyceum::jobs::worker::run_due(&state, now).await.unwrap();
        let mine = certificates::mine(&state, &nina).await.unwrap();
        assert_eq!(mine.len(), 1, "{mine:?}");
        let cert = &mine[0];
        assert_eq!(cert.standing, Standing::Valid);
        assert_eq!(cert.recipient_name, "Nina Ødegård");
        assert_eq!(cert.title, "Fire safety");
        // The requirement counts the completion at once, not at the next night.
        let required = lyceum::compliance::service::mine(&state, &nina)
            .await
            .unwrap();
        assert_eq!(
            (required[0].state, &required[0].expires_on),
            (
                lyceum::compliance::status::State::Completed,
                &cert.expires_on
            )
        );
        let completed = chrono::NaiveDate::parse_from_str(&cert.completed_on, "%Y-%m-%d").unwrap();
        let expected = lyceum::compliance::status::add_months(completed, 12);
        assert_eq!(
            cert.expires_on.as_deref(),
            Some(expected.format("%Y-%m-%d").to_string().as_str())
        );
        assert!(
            cert.share_url
                .ends_with(&format!("/verify/{}", cert.number))
        );
        assert_eq!(cert.number.len(), 14);

        // Running the job again, or the completion being seen again, issues nothing more.
        let payload = serde_json::to_string(&lyceum::completion::model::CourseCompleted {
            course_id: c.course_id,
            user_id: nina.id,
        })
        .unwrap();
        certificates::course_completed(&state, &payload, now)
            .await
            .unwrap();
        assert_eq!(certificates::mine(&state, &nina).await.unwrap().len(), 1);

        // She was told, in her notification centre.
        let told = lyceum::notifications::service::list(&state, &nina, 1)
            .await
            .unwrap();
        assert!(
            told.items
                .iter()
                .any(|n| n.subject.contains("Fire safety") && n.link == "/certificates"),
            "{told:?}"
        );

        // The PDF reads back with her name, the course, the dates and the number.
        let (file, pdf) = certificates::pdf(&state, &nina, &cert.number)
            .await
            .unwrap();
        assert_eq!(file, format!("certificate-{}.pdf", cert.number));
        assert!(pdf.starts_with(b"%PDF-"));
        let text = text_of(&pdf);
        for wanted in [
            "Nina Ødegård",
            "Fire safety",
            &cert.completed_on,
            &cert.number,
        ] {
            assert!(text.contains(wanted), "{wanted} not in {text:?}");
        }
    }
);

db_test!(names_in_latin_greek_and_cyrillic_print_as_text, |state| {
    let c = support::class(
        &state,
        ClassSpec {
            learners: &["a@example.com", "b@example.com", "c@example.com"],
            ..Default::default()
        },
    )
    .await;
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let t = template(&state, &admin, "Standard").await;
    certificates::set_course_template(&state, &admin, c.course_id, Some(t))
        .await
        .unwrap();
    let names = [
        "Zoë Ångström-Nuñez Çelik",
        "Αλέξανδρος Παπαδόπουλος",
        "Анна Каренина-Щукина",
    ];
    for (learner, name) in c.learners.iter().zip(names) {
        rename(&state, learner.id, name).await;
        let number = certificates::issue_by_hand(
            &state,
            &admin,
            &IssueForm {
                email: learner.email.clone(),
                course_id: c.course_id.to_string(),
                completed_on: "2026-02-28".into(),
            },
        )
        .await
        .unwrap();
        let (_, pdf) = certificates::pdf(&state, learner, &number).await.unwrap();
        let text = text_of(&pdf);
        assert!(text.contains(name), "{name} not in {text:?}");
        // The fonts travel inside the file (subset), so any reader shows the same letters.
        assert!(
            String::from_utf8_lossy(&pdf).contains("/FontFile2"),
            "embedded TrueType"
        );
    }
});

db_test!(
    the_verification_page_says_valid_expired_or_revoked_and_nothing_more,
    |state| {
        let c = support::class(
            &state,
            ClassSpec {
                learners: &["lena@example.com"],
                ..Default::default()
            },
        )
        .await;
        let lena = c.learners[0].clone();
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let t = template(&state, &admin, "Standard").await;
        certificates::set_course_template(&state, &admin, c.course_id, Some(t))
            .await
            .unwrap();
        yearly(&state, &admin, "Yearly", c.course_id, "lena@example.com").await;
        let issue = |date: &'static str| {
            let (state, admin, course_id, email) = (
                state.clone(),
                admin.clone(),
                c.course_id,
                lena.email.clone(),
            );
            async move {
                certificates::issue_by_hand(
                    &state,
                    &admin,
                    &IssueForm {
                        email,
                        course_id: course_id.to_string(),
                        completed_on: date.into(),
                    },
                )
                .await
            }
        };
        let old = issue("2020-01-15").await.unwrap();
        let today = chrono::Utc::now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();
        let current = certificates::issue_by_hand(
            &state,
            &admin,
            &IssueForm {
                email: lena.email.clone(),
                course_id: c.course_id.to_string(),
                completed_on: today,
            },
        )
        .await
        .unwrap();
        // The same completion twice is refused, with the reason.
        let again = issue("2020-01-15").await.unwrap_err();
        assert!(matches!(again, AppError::Conflict(_)), "{again:?}");

        let expired = certificates::verify(&state, &old).await.unwrap();
        assert_eq!(expired.standing, Standing::Expired);
        assert_eq!(expired.expires_on.as_deref(), Some("2021-01-15"));
        let valid = certificates::verify(&state, &current.to_lowercase())
            .await
            .unwrap();
        assert_eq!(valid.standing, Standing::Valid);
        assert_eq!(
            certificates::verify(&state, "NOPE-NOPE-NOPE")
                .await
                .unwrap_err(),
            AppError::NotFound
        );

        // Revoking needs a reason, and is said on the page from then on.
        let id = certificates::list(
            &state,
            &admin,
            &CertificateQuery {
                q: current.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items[0]
            .id;
        let err = certificates::revoke(&state, &admin, id, " ")
            .await
            .unwrap_err();
        assert!(err.field("reason").is_some());
        certificates::revoke(&state, &admin, id, "Issued in error")
            .await
            .unwrap();
        assert_eq!(
            certificates::verify(&state, &current)
                .await
                .unwrap()
                .standing,
            Standing::Revoked
        );

        // The page, as anyone sees it: the name and the standing, not the email or the reason.
        let app = lyceum::http::router(state.clone());
        for (number, words) in [(&old, "has expired"), (&current, "was revoked")] {
            let reply = send(
                &app,
                Request::get(format!("/verify/{number}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            assert_eq!(reply.status, StatusCode::OK);
            assert!(reply.body.contains(&lena.name), "{}", reply.body);
            assert!(reply.body.contains(words), "{words}: {}", reply.body);
            assert!(!reply.body.contains(&lena.email));
            assert!(!reply.body.contains("Issued in error"));
        }
        let unknown = send(
            &app,
            Request::get("/verify?number=ZZZZ-0000-ZZZZ")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert!(
            unknown.body.contains("No certificate has the number"),
            "{}",
            unknown.body
        );

        // The administrators' filters and CSV.
        let by = |standing: &str| CertificateQuery {
            standing: standing.into(),
            ..Default::default()
        };
        for (standing, n) in [("valid", 0), ("expired", 1), ("revoked", 1), ("", 2)] {
            let page = certificates::list(&state, &admin, &by(standing))
                .await
                .unwrap();
            assert_eq!(page.total, n, "{standing}");
        }
        let csv = certificates::csv(&state, &admin, &by("revoked"))
            .await
            .unwrap();
        assert_eq!(csv.lines().count(), 2, "{csv}");
        assert!(csv.contains(&current) && csv.contains("Issued in error"));
        assert!(
            certificates::list(&state, &admin, &by("lost"))
                .await
                .unwrap_err()
                .field("standing")
                .is_some()
        );
    }
);

db_test!(
    only_the_holder_and_administrators_download_a_certificate,
    |state| {
        let c = support::class(
            &state,
            ClassSpec {
                learners: &["ada@example.com", "bo@example.com"],
                ..Default::default()
            },
        )
        .await;
        let (ada, bo) = (c.learners[0].clone(), c.learners[1].clone());
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let t = template(&state, &admin, "Standard").await;
        certificates::set_course_template(&state, &c.teacher, c.course_id, Some(t))
            .await
            .unwrap();
        let number = certificates::issue_by_hand(
            &state,
            &admin,
            &IssueForm {
                email: ada.email.clone(),
                course_id: c.course_id.to_string(),
                completed_on: String::new(),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            certificates::pdf(&state, &bo, &number).await.unwrap_err(),
            AppError::NotFound,
            "another learner is told there is no such certificate"
        );
        assert!(certificates::mine(&state, &bo).await.unwrap().is_empty());
        for err in [
            certificates::list(&state, &bo, &CertificateQuery::default())
                .await
                .map(|_| ())
                .unwrap_err(),
            certificates::revoke(&state, &bo, 1, "x").await.unwrap_err(),
            certificates::issue_by_hand(&state, &c.teacher, &IssueForm::default())
                .await
                .map(|_| ())
                .unwrap_err(),
        ] {
            assert_eq!(err, AppError::Forbidden);
        }
        certificates::pdf(&state, &admin, &number).await.unwrap();

        // Over HTTP: the holder gets the PDF, someone else a 404, nobody signed in a 401.
        let app = lyceum::http::router(state.clone());
        let client = lyceum::auth::throttle::Client::at("127.0.0.1");
        let ada_session =
            lyceum::auth::service::sign_in(&state, &ada.email, lyceum::testing::PASSWORD, &client)
                .await
                .unwrap()
                .session()
                .unwrap();
        let bo_session =
            lyceum::auth::service::sign_in(&state, &bo.email, lyceum::testing::PASSWORD, &client)
                .await
                .unwrap()
                .session()
                .unwrap();
        let get = |cookie: Option<String>| {
            let mut req = Request::get(format!("/certificates/{number}.pdf"));
            if let Some(c) = cookie {
                req = req.header(header::COOKIE, format!("lyceum_session={c}"));
            }
            req.body(Body::empty()).unwrap()
        };
        let mine = send(&app, get(Some(ada_session))).await;
        assert_eq!(mine.status, StatusCode::OK);
        assert_eq!(mine.headers[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(
            send(&app, get(Some(bo_session))).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(send(&app, get(None)).await.status, StatusCode::UNAUTHORIZED);
    }
);

db_test!(templates_are_checked_and_one_in_use_is_kept, |state| {
    let c = support::class(&state, ClassSpec::default()).await;
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let bad = TemplateForm {
        body: "Well done {name}".into(),
        ..TemplateForm::from_design("Broken", &Design::default())
    };
    let err = certificates::save_template(&state, &admin, None, &bad)
        .await
        .unwrap_err();
    assert!(err.field("body").unwrap().contains("{name}"), "{err:?}");
    let t = template(&state, &admin, "Standard").await;
    let dup = certificates::save_template(
        &state,
        &admin,
        None,
        &TemplateForm::from_design("STANDARD", &Design::default()),
    )
    .await
    .unwrap_err();
    assert!(dup.field("name").is_some());
    // A preview draws what is typed, before it is saved.
    let pdf = certificates::preview(
        &state,
        &admin,
        &TemplateForm {
            orientation: "portrait".into(),
            heading: "Award of {title}".into(),
            ..TemplateForm::from_design("Draft", &Design::default())
        },
    )
    .await
    .unwrap();
    assert!(text_of(&pdf).contains("Award of Fire safety essentials"));

    certificates::set_course_template(&state, &admin, c.course_id, Some(t))
        .await
        .unwrap();
    let in_use = certificates::delete_template(&state, &admin, t)
        .await
        .unwrap_err();
    assert!(matches!(in_use, AppError::Conflict(_)), "{in_use:?}");
    certificates::set_course_template(&state, &admin, c.course_id, None)
        .await
        .unwrap();
    certificates::delete_template(&state, &admin, t)
        .await
        .unwrap();
    assert!(
        certificates::templates(&state, &admin)
            .await
            .unwrap()
            .is_empty()
    );
});

/// Runs the independent verifier (openbadgeslib, from PyPI) on a credential.
fn ob3_verify(did: &str, token: &str) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("lyceum-ob3-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.jwt", rand_suffix()));
    std::fs::write(&file, token).unwrap();
    let out = std::process::Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/ob3-verify.sh"
    ))
    .arg(did)
    .arg(&file)
    .output()
    .expect("scripts/ob3-verify.sh runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

fn rand_suffix() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

db_test!(
    the_open_badge_verifies_with_an_independent_library_and_not_once_changed,
    |state| {
        let c = support::class(
            &state,
            ClassSpec {
                learners: &["ola@example.com", "pia@example.com"],
                ..Default::default()
            },
        )
        .await;
        let (ola, pia) = (c.learners[0].clone(), c.learners[1].clone());
        rename(&state, ola.id, "Ola Nordmann-Øvrebø").await;
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let t = template(&state, &admin, "Standard").await;
        certificates::set_course_template(&state, &admin, c.course_id, Some(t))
            .await
            .unwrap();
        let number = certificates::issue_by_hand(
            &state,
            &admin,
            &IssueForm {
                email: ola.email.clone(),
                course_id: c.course_id.to_string(),
                completed_on: String::new(),
            },
        )
        .await
        .unwrap();
        let (file, token) = certificates::credential(&state, &ola, &number)
            .await
            .unwrap();
        assert_eq!(file, format!("certificate-{number}.jwt"));
        let did = certificates::issuer_did(&state).await.unwrap();
        assert!(did.starts_with("did:key:z6Mk"), "{did}");
        // The same key on every call (kept in the database).
        assert_eq!(certificates::issuer_did(&state).await.unwrap(), did);

        let (ok, said) = ob3_verify(&did, &token);
        assert!(ok, "{said}");
        assert!(said.contains("valid: Class"), "{said}");

        // One byte changed anywhere (here, in the payload's middle) and it no longer verifies.
        let mut bytes = token.clone().into_bytes();
        let middle =
            token.find('.').unwrap() + (token.rfind('.').unwrap() - token.find('.').unwrap()) / 2;
        bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
        let (ok, said) = ob3_verify(&did, &String::from_utf8(bytes).unwrap());
        assert!(!ok, "a changed credential was accepted: {said}");
        // Nor under another issuer's name.
        let (ok, _) = ob3_verify(
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            &token,
        );
        assert!(!ok);

        // Only its holder and administrators get it; a revoked certificate has none.
        assert_eq!(
            certificates::credential(&state, &pia, &number)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        certificates::credential(&state, &admin, &number)
            .await
            .unwrap();
        let id = certificates::list(&state, &admin, &CertificateQuery::default())
            .await
            .unwrap()
            .items[0]
            .id;
        certificates::revoke(&state, &admin, id, "Issued in error")
            .await
            .unwrap();
        assert!(matches!(
            certificates::credential(&state, &ola, &number)
                .await
                .unwrap_err(),
            AppError::Conflict(_)
        ));
    }
);

db_test!(
    holders_hear_once_that_a_certificate_expires_unless_it_was_renewed,
    |state| {
        let c = support::class(
            &state,
            ClassSpec {
                learners: &["una@example.com", "vic@example.com"],
                ..Default::default()
            },
        )
        .await;
        let (una, vic) = (c.learners[0].clone(), c.learners[1].clone());
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let t = template(&state, &admin, "Standard").await;
        certificates::set_course_template(&state, &admin, c.course_id, Some(t))
            .await
            .unwrap();
        yearly(
            &state,
            &admin,
            "Yearly",
            c.course_id,
            &format!("{}\n{}", una.email, vic.email),
        )
        .await;
        let now = lyceum::db::now();
        let today = chrono::DateTime::from_timestamp(now, 0)
            .unwrap()
            .date_naive();
        // Both completed a year ago less ten days: their certificates expire in ten days.
        let completed = today - chrono::Months::new(12) + chrono::Days::new(10);
        for person in [&una, &vic] {
            certificates::issue_by_hand(
                &state,
                &admin,
                &IssueForm {
                    email: person.email.clone(),
                    course_id: c.course_id.to_string(),
                    completed_on: completed.format("%Y-%m-%d").to_string(),
                },
            )
            .await
            .unwrap();
        }
        // Vic has already renewed.
        certificates::issue_by_hand(
            &state,
            &admin,
            &IssueForm {
                email: vic.email.clone(),
                course_id: c.course_id.to_string(),
                completed_on: today.format("%Y-%m-%d").to_string(),
            },
        )
        .await
        .unwrap();

        assert_eq!(certificates::notify_expiring(&state, now).await.unwrap(), 1);
        assert_eq!(
            certificates::notify_expiring(&state, now + 86_400)
                .await
                .unwrap(),
            0,
            "once"
        );
        let told = |who: lyceum::auth::permissions::Actor| {
            let state = state.clone();
            async move {
                lyceum::notifications::service::list(&state, &who, 1)
                    .await
                    .unwrap()
                    .items
                    .into_iter()
                    .filter(|n| n.subject.contains("expires on"))
                    .count()
            }
        };
        assert_eq!(told(una.clone()).await, 1);
        assert_eq!(told(vic.clone()).await, 0);
    }
);

/// A `w` × `h` PNG (a colour ramp), made here rather than kept as a file.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let pixels: Vec<u8> = (0..w * h)
        .flat_map(|i| [(i % 251) as u8, 60, 200, 255])
        .collect();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

/// A multipart upload of `bytes` as the `file` field, as a browser's form sends it.
fn image_upload(path: &str, bytes: &[u8], cookie: Option<&str>, json: bool) -> Request<Body> {
    let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"seal.png\"\r\nContent-Type: image/png\r\n\r\n".to_vec();
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n--XyZ--\r\n");
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ")
        .header(header::CONTENT_LENGTH, body.len());
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, format!("lyceum_session={c}"));
    }
    if json {
        req = req.header(header::ACCEPT, "application/json");
    }
    req.body(Body::from(body)).unwrap()
}

db_test!(
    template_images_are_checked_kept_by_saves_and_drawn_on_the_pdf,
    |state| {
        use lyceum::certificates::images;
        use lyceum::certificates::model::ImageSlot;
        let c = support::class(
            &state,
            ClassSpec {
                learners: &["ada@example.com"],
                ..Default::default()
            },
        )
        .await;
        let ada = &c.learners[0];
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let t = template(&state, &admin, "Branded").await;

        // What is not a usable image is refused next to the file field, and nothing is kept.
        let mut broken = png(40, 40);
        let cut = broken.len() - 30;
        broken.truncate(cut);
        let mut huge = png(2, 2);
        huge.resize(2 * 1024 * 1024 + 1, 0);
        for (bytes, says) in [
            (b"GIF89a not a png".to_vec(), "PNG or JPEG"),
            (broken, "could not be read"),
            (png(4001, 2), "4001 × 2 pixels"),
            (huge, "over 2 MB"),
            (Vec::new(), "Choose an image"),
        ] {
            let err = images::upload(&state, &admin, t, ImageSlot::Logo, bytes)
                .await
                .unwrap_err();
            assert!(err.field("file").unwrap().contains(says), "{says}: {err:?}");
        }
        assert_eq!(
            design_of(&state, &admin, t).await.images,
            Default::default()
        );
        assert_eq!(
            images::upload(&state, ada, t, ImageSlot::Logo, png(30, 10))
                .await
                .unwrap_err(),
            AppError::Forbidden
        );

        // Uploaded: the template draws it, and saving the texts keeps it.
        let logo = images::upload(&state, &admin, t, ImageSlot::Logo, png(300, 100))
            .await
            .unwrap();
        assert_eq!(design_of(&state, &admin, t).await.images.logo, Some(logo));
        let mut form = TemplateForm::from_design("Branded", &design_of(&state, &admin, t).await);
        form.heading = "Award".into();
        form.logo = String::new();
        certificates::save_template(&state, &admin, Some(t), &form)
            .await
            .unwrap();
        let saved = design_of(&state, &admin, t).await;
        assert_eq!(
            (saved.heading.as_str(), saved.images.logo),
            ("Award", Some(logo))
        );

        // Over HTTP: a plain form comes back to the template; a script gets the id; a learner is
        // refused before anything is read.
        let app = lyceum::http::router(state.clone());
        let client = lyceum::auth::throttle::Client::at("127.0.0.1");
        let admin_session = lyceum::auth::service::sign_in(
            &state,
            "admin@example.com",
            lyceum::testing::PASSWORD,
            &client,
        )
        .await
        .unwrap()
        .session()
        .unwrap();
        let ada_session =
            lyceum::auth::service::sign_in(&state, &ada.email, lyceum::testing::PASSWORD, &client)
                .await
                .unwrap()
                .session()
                .unwrap();
        let path = format!("/admin/certificates/templates/{t}/images/signature");
        let plain = send(
            &app,
            image_upload(&path, &png(200, 60), Some(&admin_session), false),
        )
        .await;
        assert_eq!(plain.status, StatusCode::SEE_OTHER);
        assert_eq!(
            plain.headers[header::LOCATION],
            format!("/admin/certificates/templates/{t}?image=signature#images")
        );
        let bad = send(
            &app,
            image_upload(&path, b"plain text", Some(&admin_session), false),
        )
        .await;
        assert_eq!(bad.status, StatusCode::SEE_OTHER);
        let back = bad.headers[header::LOCATION].to_str().unwrap().to_string();
        assert!(
            back.contains("image_error=Choose+a+PNG+or+JPEG") && back.contains("slot=signature"),
            "{back}"
        );
        let scripted = send(
            &app,
            image_upload(&path, &png(210, 60), Some(&admin_session), true),
        )
        .await;
        assert_eq!(scripted.status, StatusCode::CREATED);
        let signature: serde_json::Value = serde_json::from_str(&scripted.body).unwrap();
        let signature = signature["id"].as_i64().unwrap();
        assert_eq!(
            design_of(&state, &admin, t).await.images.signature,
            Some(signature)
        );
        assert_eq!(
            send(
                &app,
                image_upload(&path, &png(20, 20), Some(&ada_session), false)
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(&app, image_upload(&path, &png(20, 20), None, false))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let get_image = |cookie: &str| {
            Request::get(format!("/admin/certificates/images/{signature}"))
                .header(header::COOKIE, format!("lyceum_session={cookie}"))
                .body(Body::empty())
                .unwrap()
        };
        let shown = send(&app, get_image(&admin_session)).await;
        assert_eq!(
            (
                shown.status,
                shown.headers[header::CONTENT_TYPE].to_str().unwrap()
            ),
            (StatusCode::OK, "image/png")
        );
        assert_eq!(
            send(&app, get_image(&ada_session)).await.status,
            StatusCode::FORBIDDEN
        );

        // A certificate drawn with the template carries both images, and still its text.
        certificates::set_course_template(&state, &admin, c.course_id, Some(t))
            .await
            .unwrap();
        let number = certificates::issue_by_hand(
            &state,
            &admin,
            &IssueForm {
                email: ada.email.clone(),
                course_id: c.course_id.to_string(),
                completed_on: String::new(),
            },
        )
        .await
        .unwrap();
        let (_, pdf) = certificates::pdf(&state, ada, &number).await.unwrap();
        assert_eq!(image_count(&pdf), 2);
        assert!(text_of(&pdf).contains("Award"));

        // Removed: the certificate draws none there.
        images::remove(&state, &admin, t, ImageSlot::Logo)
            .await
            .unwrap();
        assert_eq!(design_of(&state, &admin, t).await.images.logo, None);
        let (_, pdf) = certificates::pdf(&state, ada, &number).await.unwrap();
        assert_eq!(image_count(&pdf), 1);
    }
);

async fn design_of(state: &AppState, admin: &lyceum::auth::permissions::Actor, t: i64) -> Design {
    certificates::template(state, admin, t)
        .await
        .unwrap()
        .design
}

/// How many images a PDF holds, counted by an independent reader.
fn image_count(pdf: &[u8]) -> usize {
    let doc = pdf_extract::Document::load_mem(pdf).expect("an independent reader reads it");
    doc.objects
        .values()
        .filter(|o| {
            o.as_stream().is_ok_and(|s| {
                s.dict
                    .get(b"Subtype")
                    .and_then(|v| v.as_name())
                    .is_ok_and(|n| n == b"Image")
            })
        })
        .count()
}

/// How many template images are kept.
async fn kept_images(state: &AppState) -> i64 {
    lyceum::with_db_write!(&state.db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM certificate_images"
    )
    .fetch_one(p)
    .await
    .unwrap())
}

db_test!(
    a_save_and_an_upload_at_once_both_land_and_images_no_template_draws_go,
    |state| {
        use lyceum::certificates::images;
        use lyceum::certificates::model::ImageSlot;
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let t = template(&state, &admin, "Branded").await;

        // The texts saved and a logo uploaded at the same moment, again and again: each time
        // both land (neither writes back what it read before the other).
        for round in 0..8 {
            let heading = format!("Award {round}");
            let form = TemplateForm::from_design(
                "Branded",
                &Design {
                    heading: heading.clone(),
                    ..Design::default()
                },
            );
            let (saved, uploaded) = tokio::join!(
                certificates::save_template(&state, &admin, Some(t), &form),
                images::upload(&state, &admin, t, ImageSlot::Logo, png(30 + round, 10)),
            );
            saved.unwrap();
            let logo = uploaded.unwrap();
            let design = design_of(&state, &admin, t).await;
            assert_eq!(
                (design.heading.as_str(), design.images.logo),
                (heading.as_str(), Some(logo)),
                "round {round}"
            );
            // The logo it replaced went: one kept.
            assert_eq!(kept_images(&state).await, 1, "round {round}");
        }

        // An image another template also draws stays while that one draws it.
        let signature = images::upload(&state, &admin, t, ImageSlot::Signature, png(60, 20))
            .await
            .unwrap();
        let copy = certificates::save_template(
            &state,
            &admin,
            None,
            &TemplateForm::from_design("Copy", &Design::default()),
        )
        .await
        .unwrap();
        lyceum::with_db_write!(&state.db, |p| {
            sqlx::query(
            "UPDATE certificate_templates SET design = (SELECT design FROM certificate_templates WHERE id = $1) WHERE id = $2"
        )
        .bind(t)
        .bind(copy)
        .execute(p)
        .await
        .unwrap()
        .rows_affected()
        });
        images::remove(&state, &admin, t, ImageSlot::Signature)
            .await
            .unwrap();
        assert_eq!(kept_images(&state).await, 2);
        assert_eq!(
            design_of(&state, &admin, copy).await.images.signature,
            Some(signature)
        );
        // Deleting templates takes their images with them once nothing draws them.
        certificates::delete_template(&state, &admin, copy)
            .await
            .unwrap();
        assert_eq!(kept_images(&state).await, 1);
        certificates::delete_template(&state, &admin, t)
            .await
            .unwrap();
        assert_eq!(kept_images(&state).await, 0);
    }
);
