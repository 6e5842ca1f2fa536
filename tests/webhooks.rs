//! Webhooks on SQLite and PostgreSQL: events reach a real HTTP receiver on loopback through the
//! job queue, signed so that an independent implementation (Python's `hmac`) verifies them; a
//! failed delivery is tried again after the back-off and its response kept; private and loopback
//! addresses are refused unless an administrator allowed them, when saving and again at sending;
//! only administrators manage webhooks; enrolments, course completions, released grades and
//! certificates are sent as they happen.

use crate::support::{self, ClassSpec};
use axum::http::HeaderMap;
use lyceum::auth::permissions::Actor;
use lyceum::certificates::model::{Design, TemplateForm};
use lyceum::courses::model::ItemForm;
use lyceum::db::now;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::jobs::worker::run_due;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::{Role, UserForm};
use lyceum::webhooks::model::{DeliveryState, SubscriptionForm};
use lyceum::webhooks::service as webhooks;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
struct Got {
    headers: HeaderMap,
    body: String,
}

/// An HTTP server on loopback that keeps every request and answers with the statuses queued
/// (200 once they run out).
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Got>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }
    fn bodies(&self) -> Vec<Value> {
        self.got()
            .iter()
            .map(|g| serde_json::from_str(&g.body).unwrap())
            .collect()
    }
}

async fn receiver(answers: &[u16]) -> Receiver {
    let got = Arc::new(Mutex::new(Vec::new()));
    let queued = Arc::new(Mutex::new(answers.iter().copied().collect::<VecDeque<_>>()));
    let (g, q) = (got.clone(), queued.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (g, q) = (g.clone(), q.clone());
            async move {
                g.lock().unwrap().push(Got { headers, body });
                let code = q.lock().unwrap().pop_front().unwrap_or(200);
                (
                    axum::http::StatusCode::from_u16(code).unwrap(),
                    if code == 200 { "thanks" } else { "boom" },
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver {
        url: format!("http://127.0.0.1:{port}/hook"),
        got,
        answers: queued,
    }
}

/// Whether Python's standard library accepts the signature header for this body and secret.
fn python_verifies(secret: &str, header: &str, body: &str) -> bool {
    use std::io::Write;
    let script = "import hmac, hashlib, sys\n\
        secret, header = sys.argv[1], sys.argv[2]\n\
        body = sys.stdin.buffer.read()\n\
        parts = dict(p.split('=', 1) for p in header.split(','))\n\
        signed = parts['t'].encode() + b'.' + body\n\
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()\n\
        sys.exit(0 if hmac.compare_digest(expected, parts['v1']) else 1)\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, secret, header])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    child.wait().unwrap().success()
}

async fn admin(state: &AppState) -> Actor {
    user_with_roles(state, "admin@example.com", &[Role::Administrator]).await
}

fn form(url: &str, events: &[&str], allow_private: bool) -> SubscriptionForm {
    SubscriptionForm {
        id: 0,
        url: url.into(),
        description: "HR system".into(),
        events: events.iter().map(|e| e.to_string()).collect(),
        allow_private,
        enabled: true,
    }
}

/// Runs what the job queue has due now and a little later (a delivery queued "now" by a
/// request in the same second).
async fn deliver(state: &AppState) {
    run_due(state, now() + 1).await.unwrap();
}

db_test!(
    signed_events_reach_the_receiver_and_python_verifies_them,
    |state| {
        let admin = admin(&state).await;
        let hook = receiver(&[]).await;
        let saved = webhooks::save(
            &state,
            &admin,
            &form(&hook.url, &["user.created", "user.updated"], true),
        )
        .await
        .unwrap();
        let secret = saved
            .secret
            .clone()
            .expect("a new webhook's secret is shown once");
        assert!(secret.starts_with("whsec_"));
        // The secret is kept sealed, never as written.
        let kept = lyceum::webhooks::store::subscription_row(&state.db, saved.subscription.id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            !kept
                .secret_sealed
                .contains(secret.trim_start_matches("whsec_"))
        );

        let ada = lyceum::users::service::create(
            &state,
            &admin,
            &UserForm {
                email: "ada@example.com".into(),
                name: "Ada Lovelace".into(),
                roles: vec!["learner".into()],
                password: "correct horse battery staple".into(),
            },
        )
        .await
        .unwrap();
        // Nothing is sent inside the request: the delivery waits for the job queue.
        assert!(hook.got().is_empty());
        deliver(&state).await;
        let got = hook.got();
        assert_eq!(got.len(), 1);
        let request = &got[0];
        assert_eq!(request.headers["lyceum-event"], "user.created");
        assert_eq!(request.headers["content-type"], "application/json");
        let body: Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(body["type"], "user.created");
        assert_eq!(body["data"]["id"], ada.id);
        assert_eq!(body["data"]["email"], "ada@example.com");
        assert_eq!(body["data"]["roles"][0], "learner");
        assert!(body["data"].get("password").is_none());
        let signature = request.headers["lyceum-signature"].to_str().unwrap();
        assert!(python_verifies(&secret, signature, &request.body));
        assert!(!python_verifies("whsec_other", signature, &request.body));
        let mut tampered = request.body.clone();
        tampered.push(' ');
        assert!(!python_verifies(&secret, signature, &tampered));

        // Changing the account sends the change; suspending it is not subscribed: nothing.
        lyceum::users::service::update(
            &state,
            &admin,
            ada.id,
            &UserForm {
                email: "ada@example.com".into(),
                name: "Ada King".into(),
                roles: vec!["learner".into()],
                password: String::new(),
            },
        )
        .await
        .unwrap();
        // So does a change of their profile (department, manager…) by an administrator.
        lyceum::users::profile_service::save(
            &state,
            &admin,
            ada.id,
            &lyceum::users::profile::ProfileForm {
                department: "Nursing".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        lyceum::users::service::set_status(
            &state,
            &admin,
            ada.id,
            lyceum::users::model::UserStatus::Suspended,
        )
        .await
        .unwrap();
        deliver(&state).await;
        let bodies = hook.bodies();
        assert_eq!(bodies.len(), 3, "{bodies:?}");
        assert_eq!(bodies[1]["type"], "user.updated");
        assert_eq!(bodies[1]["data"]["name"], "Ada King");
        assert_eq!(bodies[2]["type"], "user.updated");
        assert_eq!(bodies[2]["data"]["id"], ada.id);

        // The deliveries page lists them, delivered, with the receiver's answer.
        let page = webhooks::deliveries(&state, &admin, 0, 1).await.unwrap();
        assert_eq!(page.total, 3);
        let latest = &page.items[0];
        assert_eq!(latest.state, DeliveryState::Delivered);
        assert_eq!(latest.response_status, Some(200));
        assert_eq!(latest.response_body.as_deref(), Some("thanks"));
        assert_eq!(latest.attempts, 1);

        // A new secret: the old one no longer verifies what is sent next.
        let rolled = webhooks::roll_secret(&state, &admin, saved.subscription.id)
            .await
            .unwrap();
        let new_secret = rolled.secret.unwrap();
        webhooks::send_test(&state, &admin, saved.subscription.id)
            .await
            .unwrap();
        deliver(&state).await;
        let ping = hook.got().pop().unwrap();
        assert_eq!(ping.headers["lyceum-event"], "ping");
        let signature = ping.headers["lyceum-signature"].to_str().unwrap();
        assert!(python_verifies(&new_secret, signature, &ping.body));
        assert!(!python_verifies(&secret, signature, &ping.body));
    }
);

db_test!(
    a_failed_delivery_is_tried_again_after_the_back_off,
    |state| {
        let admin = admin(&state).await;
        let hook = receiver(&[500]).await;
        let id = webhooks::save(&state, &admin, &form(&hook.url, &["user.created"], true))
            .await
            .unwrap()
            .subscription
            .id;
        webhooks::send_test(&state, &admin, id).await.unwrap();
        let at = now() + 1;
        assert_eq!(run_due(&state, at).await.unwrap(), 1);
        let first = webhooks::deliveries(&state, &admin, id, 1)
            .await
            .unwrap()
            .items
            .remove(0);
        assert_eq!(first.state, DeliveryState::Retrying);
        assert_eq!(first.response_status, Some(500));
        assert_eq!(first.response_body.as_deref(), Some("boom"));
        assert!(first.error.unwrap().contains("500"));
        // Not before its back-off (30 s after the first try), then once.
        assert_eq!(run_due(&state, at + 29).await.unwrap(), 0);
        assert_eq!(run_due(&state, at + 30).await.unwrap(), 1);
        let second = webhooks::deliveries(&state, &admin, id, 1)
            .await
            .unwrap()
            .items
            .remove(0);
        assert_eq!(second.state, DeliveryState::Delivered);
        assert_eq!(second.attempts, 2);
        let got = hook.got();
        assert_eq!(got.len(), 2);
        // The same event (its id and body) both times, so a receiver can tell a retry.
        assert_eq!(got[0].body, got[1].body);
        assert_eq!(
            got[0].headers["lyceum-delivery"],
            got[1].headers["lyceum-delivery"]
        );

        // Sent again by hand: queued once more; a delivery still waiting cannot be.
        assert_eq!(
            webhooks::redeliver(&state, &admin, 999_999)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        webhooks::redeliver(&state, &admin, second.id)
            .await
            .unwrap();
        assert!(
            webhooks::redeliver(&state, &admin, second.id)
                .await
                .is_err()
        );
        run_due(&state, at + 31).await.unwrap();
        assert_eq!(hook.got().len(), 3);
        assert!(hook.answers.lock().unwrap().is_empty());
    }
);

db_test!(private_addresses_are_refused_unless_allowed, |state| {
    let admin = admin(&state).await;
    let hook = receiver(&[]).await;
    for url in [
        hook.url.as_str(),
        "http://localhost/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
    ] {
        let err = webhooks::save(&state, &admin, &form(url, &["user.created"], false))
            .await
            .unwrap_err();
        assert!(
            err.field("url").is_some_and(|m| m.contains("private")),
            "{url}: {err:?}"
        );
    }
    let err = webhooks::save(
        &state,
        &admin,
        &form("ftp://example.com/x", &["user.created"], false),
    )
    .await
    .unwrap_err();
    assert!(err.field("url").is_some(), "{err:?}");
    let err = webhooks::save(&state, &admin, &form(&hook.url, &[], true))
        .await
        .unwrap_err();
    assert!(err.field("events").is_some(), "{err:?}");
    let err = webhooks::save(&state, &admin, &form(&hook.url, &["user.exploded"], true))
        .await
        .unwrap_err();
    assert!(err.field("events").is_some(), "{err:?}");
    assert!(
        webhooks::subscriptions(&state, &admin)
            .await
            .unwrap()
            .is_empty()
    );

    // Allowed when saved, then no longer (as if the DNS answer had changed to a private
    // address): the delivery is refused at sending, kept as failed, and not tried again.
    let saved = webhooks::save(&state, &admin, &form(&hook.url, &["user.created"], true))
        .await
        .unwrap();
    let id = saved.subscription.id;
    let mut tx = state.db.begin().await.unwrap();
    lyceum::webhooks::store::update(
        &mut tx,
        id,
        &lyceum::webhooks::store::Fields {
            url: &hook.url,
            description: "",
            events: &[lyceum::webhooks::model::Event::UserCreated],
            allow_private: false,
            enabled: true,
        },
        now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    webhooks::send_test(&state, &admin, id).await.unwrap();
    deliver(&state).await;
    assert!(hook.got().is_empty());
    let refused = webhooks::deliveries(&state, &admin, id, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(refused.state, DeliveryState::Failed);
    assert!(refused.error.unwrap().contains("private"));
    assert!(
        !lyceum::jobs::queue::queued(&state.db, lyceum::webhooks::outbox::DELIVER)
            .await
            .unwrap()
    );

    // A switched-off webhook is sent nothing new.
    let mut off = SubscriptionForm::of(&saved.subscription);
    off.allow_private = true;
    off.enabled = false;
    webhooks::save(&state, &admin, &off).await.unwrap();
    user_with_roles(&state, "ben@example.com", &[Role::Learner]).await;
    lyceum::users::service::create(
        &state,
        &admin,
        &UserForm {
            email: "cy@example.com".into(),
            name: "Cy".into(),
            roles: vec!["learner".into()],
            password: "correct horse battery staple".into(),
        },
    )
    .await
    .unwrap();
    deliver(&state).await;
    assert!(hook.got().is_empty());
});

db_test!(only_administrators_manage_webhooks, |state| {
    let admin = admin(&state).await;
    let hook = receiver(&[]).await;
    let id = webhooks::save(&state, &admin, &form(&hook.url, &["user.created"], true))
        .await
        .unwrap()
        .subscription
        .id;
    for roles in [&[Role::Learner][..], &[Role::Instructor], &[Role::Manager]] {
        let who =
            user_with_roles(&state, &format!("{}@example.com", roles[0].as_str()), roles).await;
        assert_eq!(
            webhooks::subscriptions(&state, &who).await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            webhooks::save(&state, &who, &form(&hook.url, &["user.created"], true))
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            webhooks::send_test(&state, &who, id).await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            webhooks::deliveries(&state, &who, 0, 1).await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            webhooks::roll_secret(&state, &who, id).await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            webhooks::delete(&state, &who, id).await.unwrap_err(),
            AppError::Forbidden
        );
    }
    webhooks::delete(&state, &admin, id).await.unwrap();
    assert!(
        webhooks::subscriptions(&state, &admin)
            .await
            .unwrap()
            .is_empty()
    );
});

db_test!(
    enrolments_completions_grades_and_certificates_are_sent,
    |state| {
        let admin = admin(&state).await;
        let hook = receiver(&[]).await;
        webhooks::save(
            &state,
            &admin,
            &form(
                &hook.url,
                &[
                    "enrolment.created",
                    "course.completed",
                    "grade.released",
                    "certificate.issued",
                ],
                true,
            ),
        )
        .await
        .unwrap();
        let c = support::class(
            &state,
            ClassSpec {
                code: "FS-1",
                title: "Fire safety",
                learners: &["nina@example.com"],
                assistant: false,
                ..Default::default()
            },
        )
        .await;
        let nina = c.learners[0].clone();
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
        let template = lyceum::certificates::service::save_template(
            &state,
            &admin,
            None,
            &TemplateForm::from_design("Standard", &Design::default()),
        )
        .await
        .unwrap();
        lyceum::certificates::service::set_course_template(
            &state,
            &c.teacher,
            c.course_id,
            Some(template),
        )
        .await
        .unwrap();
        lyceum::acknowledgements::service::confirm(&state, &nina, item_id)
            .await
            .unwrap();
        // The completion's job issues the certificate; the next run sends what that made.
        deliver(&state).await;
        deliver(&state).await;
        let bodies = hook.bodies();
        let of = |t: &str| {
            bodies
                .iter()
                .filter(|b| b["type"] == t)
                .cloned()
                .collect::<Vec<_>>()
        };
        // The teacher (creating the course) and Nina (added by the teacher).
        let enrolled = of("enrolment.created");
        assert_eq!(enrolled.len(), 2, "{bodies:?}");
        assert_eq!(enrolled[1]["data"]["user_id"], nina.id);
        assert_eq!(enrolled[1]["data"]["role"], "learner");
        assert_eq!(enrolled[1]["data"]["method"], "manual");
        let completed = of("course.completed");
        assert_eq!(completed.len(), 1, "{bodies:?}");
        assert_eq!(completed[0]["data"]["course_id"], c.course_id);
        assert_eq!(completed[0]["data"]["user_id"], nina.id);
        let issued = of("certificate.issued");
        assert_eq!(issued.len(), 1, "{bodies:?}");
        assert_eq!(issued[0]["data"]["user_id"], nina.id);
        assert_eq!(issued[0]["data"]["title"], "Fire safety");
        assert_eq!(issued[0]["data"]["number"].as_str().unwrap().len(), 14);

        // Releasing a hidden grade item sends it once; hiding it again and showing it sends again,
        // saving it unchanged does not.
        let grade_item = lyceum::grading::service::add_item(
            &state,
            &c.teacher,
            c.course_id,
            None,
            "Drill",
            10.0,
            false,
        )
        .await
        .unwrap();
        lyceum::grading::service::set_item_hidden(&state, &c.teacher, grade_item, true)
            .await
            .unwrap();
        lyceum::grading::service::set_item_hidden(&state, &c.teacher, grade_item, false)
            .await
            .unwrap();
        lyceum::grading::service::set_item_hidden(&state, &c.teacher, grade_item, false)
            .await
            .unwrap();
        deliver(&state).await;
        let released: Vec<Value> = hook
            .bodies()
            .into_iter()
            .filter(|b| b["type"] == "grade.released")
            .collect();
        assert_eq!(released.len(), 1);
        assert_eq!(released[0]["data"]["name"], "Drill");
        assert_eq!(released[0]["data"]["course_id"], c.course_id);
    }
);

db_test!(
    enrolments_by_cohorts_and_assigned_training_are_sent,
    |state| {
        let admin = admin(&state).await;
        let hook = receiver(&[]).await;
        webhooks::save(
            &state,
            &admin,
            &form(&hook.url, &["enrolment.created"], true),
        )
        .await
        .unwrap();
        let c = support::class(
            &state,
            ClassSpec {
                learners: &[],
                assistant: false,
                ..Default::default()
            },
        )
        .await;
        let ada = user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
        let bo = user_with_roles(&state, "bo@example.com", &[Role::Learner]).await;
        // A cohort with Ada is linked to the course (she is enrolled), then Bo joins it.
        let cohort = lyceum::enrolments::cohorts::create(&state, &admin, "Nurses", "")
            .await
            .unwrap();
        lyceum::enrolments::cohorts::add_members(&state, &admin, cohort, "ada@example.com")
            .await
            .unwrap();
        lyceum::enrolments::cohorts::link(&state, &c.teacher, c.course_id, cohort)
            .await
            .unwrap();
        lyceum::enrolments::cohorts::add_members(&state, &admin, cohort, "bo@example.com")
            .await
            .unwrap();
        // Training assigned to Cy enrols him; to Ada, already enrolled, sends nothing more.
        let cy = user_with_roles(&state, "cy@example.com", &[Role::Learner]).await;
        lyceum::compliance::service::create(
            &state,
            &admin,
            &lyceum::compliance::model::RequirementForm {
                name: "Yearly".into(),
                course_id: c.course_id,
                due_kind: "after_assignment".into(),
                due_days: "7".into(),
                emails: "cy@example.com, ada@example.com".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        deliver(&state).await;
        let enrolled: Vec<(i64, String)> = hook
            .bodies()
            .iter()
            .filter(|b| b["data"]["role"] == "learner")
            .map(|b| {
                (
                    b["data"]["user_id"].as_i64().unwrap(),
                    b["data"]["method"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            enrolled,
            vec![
                (ada.id, "cohort".to_string()),
                (bo.id, "cohort".to_string()),
                (cy.id, "manual".to_string()),
            ]
        );
    }
);

db_test!(finished_deliveries_are_pruned_after_thirty_days, |state| {
    let admin = admin(&state).await;
    let hook = receiver(&[500]).await;
    let id = webhooks::save(&state, &admin, &form(&hook.url, &["user.created"], true))
        .await
        .unwrap()
        .subscription
        .id;
    webhooks::send_test(&state, &admin, id).await.unwrap();
    webhooks::send_test(&state, &admin, id).await.unwrap();
    // One delivered, one still to be tried again (the receiver failed it once).
    deliver(&state).await;
    let states: Vec<DeliveryState> = webhooks::deliveries(&state, &admin, id, 1)
        .await
        .unwrap()
        .items
        .iter()
        .map(|d| d.state)
        .collect();
    assert_eq!(states.len(), 2);
    assert!(
        states.contains(&DeliveryState::Delivered) && states.contains(&DeliveryState::Retrying)
    );
    // A month on, the finished one goes; the one still being tried stays.
    let later = now() + webhooks::KEEP_DAYS * 24 * 60 * 60 + 60;
    assert_eq!(webhooks::prune(&state, later).await.unwrap(), 1);
    let left = webhooks::deliveries(&state, &admin, id, 1).await.unwrap();
    assert_eq!(left.total, 1);
    assert_eq!(left.items[0].state, DeliveryState::Retrying);
    // And the next night is queued.
    assert!(
        lyceum::jobs::queue::queued(&state.db, webhooks::PRUNE.kind)
            .await
            .unwrap()
    );
});
