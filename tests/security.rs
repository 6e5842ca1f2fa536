//! What a black-box probe of a running Lyceum found, one test per finding, each failing before its
//! fix: exam integrity and hidden content, account takeover, CSV injection and malformed input.
//! Through the real router (or the services), on SQLite and PostgreSQL.

use axum::body::{Body, Bytes};
use http::{Method, Request, StatusCode, header};
use lyceum::assessments::model::{QuestionInput, QuizSettingsForm};
use lyceum::assessments::question::{
    Choice, Question, QuestionBody, Response, RichText, TextFormat,
};
use lyceum::assessments::{attempts, bank, quiz, review};
use lyceum::assignments::service as assignments;
use lyceum::auth::permissions::Actor;
use lyceum::auth::service::{self as auth, PasswordChange};
use lyceum::auth::throttle::Client;
use lyceum::courses::model::{CourseForm, CourseRole, CourseState, FileInfo, ItemForm};
use lyceum::courses::{service as courses, structure};
use lyceum::db_test;
use lyceum::enrolments::service::{create_course, set_enrolment_settings};
use lyceum::error::AppError;
use lyceum::items::service as items;
use lyceum::state::AppState;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::Role;

use crate::support::*;

struct School {
    teacher: Actor,
    learner: Actor,
    course_id: i64,
    section_id: i64,
}

async fn school(state: &AppState) -> School {
    let teacher = user_with_roles(state, "teacher@example.com", &[Role::Instructor]).await;
    let learner = user_with_roles(state, "ada@example.com", &[Role::Learner]).await;
    let other = user_with_roles(state, "bo@example.com", &[Role::Learner]).await;
    let course = create_course(
        state,
        &teacher,
        &CourseForm {
            code: "SEC-1".into(),
            title: "Safety".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let section_id = structure::add_section(state, &teacher, course.id, "Week 1")
        .await
        .unwrap();
    courses::set_state(state, &teacher, course.id, CourseState::Published)
        .await
        .unwrap();
    for who in [&learner, &other] {
        lyceum::enrolments::service::enrol_user(
            state,
            &teacher,
            course.id,
            who.id,
            CourseRole::Learner,
        )
        .await
        .unwrap();
    }
    School {
        teacher,
        learner,
        course_id: course.id,
        section_id,
    }
}

fn pdf(
    name: &str,
) -> futures_util::stream::Iter<std::vec::IntoIter<Result<Bytes, std::io::Error>>> {
    futures_util::stream::iter(vec![Ok(Bytes::from(format!("%PDF-1.7\n% {name}\n")))])
}

async fn course_file(state: &AppState, s: &School, name: &str) -> FileInfo {
    lyceum::files::service::receive(state, &s.teacher, s.course_id, name, pdf(name))
        .await
        .unwrap()
}

async fn add_item(state: &AppState, s: &School, form: ItemForm) -> i64 {
    items::add_item(state, &s.teacher, s.section_id, &form)
        .await
        .unwrap()
}

async fn cookie(state: &AppState, email: &str) -> String {
    auth::sign_in(state, email, PASSWORD, &Client::at("127.0.0.1"))
        .await
        .unwrap()
        .session()
        .unwrap()
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::builder().uri(path);
    if let Some(token) = cookie {
        req = req.header(header::COOKIE, format!("lyceum_session={token}"));
    }
    req.body(Body::empty()).unwrap()
}

// ---- 1. exam integrity ------------------------------------------------------------------------

fn question(name: &str, body: QuestionBody) -> Question {
    Question {
        name: name.into(),
        stem: RichText::new(TextFormat::Markdown, format!("{name}?")),
        general_feedback: None,
        body,
        default_mark: 1.0,
        tags: vec![],
        id_number: None,
    }
}

async fn save_question(state: &AppState, s: &School, q: Question) -> i64 {
    let category = bank::categories(state, &s.teacher, s.course_id)
        .await
        .unwrap()[0]
        .id;
    bank::save(
        state,
        &s.teacher,
        s.course_id,
        lyceum::assessments::model::BankQuestion {
            id: None,
            category_id: category,
            question: q,
            version: 0,
        },
    )
    .await
    .unwrap()
}

async fn quiz_with(state: &AppState, s: &School, ids: &[i64], form: QuizSettingsForm) -> i64 {
    let item = add_item(
        state,
        s,
        ItemForm {
            kind: "quiz".into(),
            title: "Exam".into(),
            required: true,
            ..Default::default()
        },
    )
    .await;
    quiz::add_questions(state, &s.teacher, item, ids)
        .await
        .unwrap();
    quiz::save_settings(state, &s.teacher, item, &form)
        .await
        .unwrap();
    item
}

fn quiz_settings(review: &str) -> QuizSettingsForm {
    QuizSettingsForm {
        attempts_allowed: "0".into(),
        grading_method: "highest".into(),
        questions_per_page: "0".into(),
        shuffle_answers: true,
        review_answers: review.into(),
        review_correct: review.into(),
        review_feedback: review.into(),
        ..Default::default()
    }
}

db_test!(
    choices_and_ordering_items_travel_by_place_shown_and_sorting_them_never_solves,
    |state| {
        let s = school(&state).await;
        let category = bank::categories(&state, &s.teacher, s.course_id)
            .await
            .unwrap()[0]
            .id;
        let mut ids = Vec::new();
        for q in [
            question(
                "Order",
                QuestionBody::Ordering {
                    items: ["one", "two", "three", "four", "five", "six"]
                        .map(String::from)
                        .to_vec(),
                },
            ),
            // As GIFT authors often write it: the right answer first.
            question(
                "Pick",
                QuestionBody::SingleChoice {
                    choices: ["right", "wrong a", "wrong b", "wrong c"]
                        .iter()
                        .enumerate()
                        .map(|(i, t)| Choice {
                            text: RichText::plain(*t),
                            fraction: if i == 0 { 1.0 } else { 0.0 },
                            feedback: None,
                        })
                        .collect(),
                },
            ),
        ] {
            ids.push(
                bank::save(
                    &state,
                    &s.teacher,
                    s.course_id,
                    lyceum::assessments::model::BankQuestion {
                        id: None,
                        category_id: category,
                        question: q,
                        version: 0,
                    },
                )
                .await
                .unwrap(),
            );
        }
        let item = add_item(
            &state,
            &s,
            ItemForm {
                kind: "quiz".into(),
                title: "Exam".into(),
                required: true,
                ..Default::default()
            },
        )
        .await;
        quiz::add_questions(&state, &s.teacher, item, &ids)
            .await
            .unwrap();
        quiz::save_settings(
            &state,
            &s.teacher,
            item,
            &QuizSettingsForm {
                attempts_allowed: "0".into(),
                grading_method: "highest".into(),
                questions_per_page: "0".into(),
                shuffle_answers: true,
                review_answers: "after_submit".into(),
                review_correct: "after_submit".into(),
                review_feedback: "after_submit".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let mut first_choice_texts = std::collections::HashSet::new();
        for _ in 0..6 {
            let attempt = attempts::start(&state, &s.learner, item).await.unwrap();
            let view = attempts::view(&state, &s.learner, attempt).await.unwrap();
            let mut answers = Vec::new();
            for q in &view.questions {
                let (numbers, response) = match &q.input {
                    QuestionInput::Ordering(items) => {
                        let numbers: Vec<usize> = items.iter().map(|(n, _)| *n).collect();
                        let mut sorted = numbers.clone();
                        sorted.sort_unstable();
                        (numbers, Response::Ordering(sorted))
                    }
                    QuestionInput::Single(choices) => {
                        first_choice_texts.insert(choices[0].1.clone());
                        let numbers: Vec<usize> = choices.iter().map(|(n, _)| *n).collect();
                        let lowest = *numbers.iter().min().unwrap();
                        (numbers, Response::Single(lowest))
                    }
                    other => panic!("unexpected {other:?}"),
                };
                // Nothing but the place shown: 0, 1, 2, … in the order shown.
                assert_eq!(numbers, (0..numbers.len()).collect::<Vec<_>>());
                answers.push(lyceum::assessments::model::AnswerSave {
                    slot: q.slot,
                    seq: 1,
                    response: Some(response),
                });
            }
            attempts::submit(&state, &s.learner, attempt, &answers)
                .await
                .unwrap();
            let marked = review::review(&state, &s.teacher, attempt).await.unwrap();
            let ordering = marked
                .questions
                .iter()
                .find(|q| q.type_label == "Ordering")
                .unwrap();
            assert!(
                ordering.mark.unwrap() < ordering.max_mark,
                "sorting the numbers sent solved the ordering question"
            );
        }
        // The choices really are shuffled, so "the first one" is not a tell either.
        assert!(first_choice_texts.len() > 1, "{first_choice_texts:?}");
    }
);

// ---- 2, 3. files belong to something -----------------------------------------------------------

db_test!(
    learners_get_files_of_hidden_items_and_unused_files_only_when_shown,
    |state| {
        let s = school(&state).await;
        let app = lyceum::http::router(state.clone());
        let learner = cookie(&state, "ada@example.com").await;
        let teacher = cookie(&state, "teacher@example.com").await;

        // A file item that is hidden: the file does not exist for learners until it is shown.
        let handout = course_file(&state, &s, "handout.pdf").await;
        let form = ItemForm {
            kind: "file".into(),
            title: "Handout".into(),
            file_id: handout.id.to_string(),
            hidden: true,
            required: false,
            completion: "view".into(),
            ..Default::default()
        };
        let item = add_item(&state, &s, form.clone()).await;
        let path = format!("/files/{}", handout.id);
        assert_eq!(
            send(&app, get(&path, Some(&learner))).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            send(&app, get(&path, Some(&teacher))).await.status,
            StatusCode::OK
        );
        items::update_item(
            &state,
            &s.teacher,
            item,
            &ItemForm {
                hidden: false,
                ..form
            },
        )
        .await
        .unwrap();
        assert_eq!(
            send(&app, get(&path, Some(&learner))).await.status,
            StatusCode::OK
        );

        // A file no item uses is the staff's working copy.
        let draft = course_file(&state, &s, "draft.pdf").await;
        let draft_path = format!("/files/{}/draft.pdf", draft.id);
        assert_eq!(
            send(&app, get(&draft_path, Some(&learner))).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            send(&app, get(&draft_path, Some(&teacher))).await.status,
            StatusCode::OK
        );

        // Linked from a hidden lesson: still hidden; from a visible one: shown.
        let lesson = ItemForm {
            kind: "lesson".into(),
            title: "Reading".into(),
            body: format!("Read [the draft]({draft_path})."),
            hidden: true,
            required: false,
            completion: "view".into(),
            ..Default::default()
        };
        let reading = add_item(&state, &s, lesson.clone()).await;
        assert_eq!(
            send(&app, get(&draft_path, Some(&learner))).await.status,
            StatusCode::NOT_FOUND
        );
        items::update_item(
            &state,
            &s.teacher,
            reading,
            &ItemForm {
                hidden: false,
                ..lesson
            },
        )
        .await
        .unwrap();
        assert_eq!(
            send(&app, get(&draft_path, Some(&learner))).await.status,
            StatusCode::OK
        );
        // A file whose id only starts the same is not shown by that link.
        let next_id = format!("/files/{}1", draft.id);
        let other = send(&app, get(&next_id, Some(&learner))).await.status;
        assert!(other == StatusCode::NOT_FOUND, "{other}");
    }
);

db_test!(
    feedback_files_reach_the_learner_only_after_release,
    |state| {
        let s = school(&state).await;
        let app = lyceum::http::router(state.clone());
        let learner = cookie(&state, "ada@example.com").await;
        let other = cookie(&state, "bo@example.com").await;
        let form = ItemForm {
            kind: "assignment".into(),
            title: "Essay".into(),
            required: true,
            ..Default::default()
        };
        let item = add_item(&state, &s, form.clone()).await;
        let work = assignments::upload_work(&state, &s.learner, item, "essay.pdf", pdf("essay"))
            .await
            .unwrap();
        let feedback = assignments::upload_feedback(
            &state,
            &s.teacher,
            item,
            s.learner.id,
            "comments.pdf",
            pdf("comments"),
        )
        .await
        .unwrap();
        let feedback_path = format!("/files/{}", feedback.id);
        let work_path = format!("/files/{}", work.id);
        assert_eq!(
            send(&app, get(&feedback_path, Some(&learner))).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            send(&app, get(&work_path, Some(&learner))).await.status,
            StatusCode::OK
        );
        assert_eq!(
            send(&app, get(&work_path, Some(&other))).await.status,
            StatusCode::NOT_FOUND
        );

        assignments::set_released(&state, &s.teacher, item, true)
            .await
            .unwrap();
        assert_eq!(
            send(&app, get(&feedback_path, Some(&learner))).await.status,
            StatusCode::OK
        );
        assert_eq!(
            send(&app, get(&feedback_path, Some(&other))).await.status,
            StatusCode::NOT_FOUND
        );

        // Hiding the assignment hides the learner's own files with it.
        items::update_item(
            &state,
            &s.teacher,
            item,
            &ItemForm {
                hidden: true,
                ..form
            },
        )
        .await
        .unwrap();
        assert_eq!(
            send(&app, get(&work_path, Some(&learner))).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            send(&app, get(&feedback_path, Some(&learner))).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

// ---- 4. login CSRF -----------------------------------------------------------------------------

db_test!(sign_in_sign_up_and_reset_refuse_other_origins, |state| {
    user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
    let app = lyceum::http::router(state.clone());
    let form = format!(
        "email=ada%40example.com&password={}",
        PASSWORD.replace(' ', "+")
    );
    for (path, body) in [
        ("auth/sign_in", form.as_str()),
        (
            "auth/register",
            "email=x%40example.com&name=X&password=a+long+passphrase+here",
        ),
        ("auth/forgot_password", "email=ada%40example.com"),
        ("auth/reset_password", "token=x&password=y"),
    ] {
        let mut req = server_fn(path, body, None);
        req.headers_mut()
            .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        let reply = send(&app, req).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!reply.headers.contains_key(header::SET_COOKIE), "{path}");
        // A browser that sends no Origin still says where the request came from.
        let mut req = server_fn(path, body, None);
        req.headers_mut()
            .insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert_eq!(
            send(&app, req).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let mut own = server_fn("auth/sign_in", &form, None);
    own.headers_mut()
        .insert(header::ORIGIN, "http://127.0.0.1:3000".parse().unwrap());
    let reply = send(&app, own).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let cookies: Vec<_> = reply.headers.get_all(header::SET_COOKIE).iter().collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("lyceum_session="))
    );
    // The browser is remembered as one that signed in (see the throttle tests below).
    assert!(cookies.iter().any(|c| {
        let c = c.to_str().unwrap();
        c.starts_with("lyceum_device=") && c.contains("HttpOnly")
    }));
});

// ---- 5, 6. passwords and what they unlock ------------------------------------------------------

async fn api_status(app: &axum::Router, token: &str) -> StatusCode {
    send(app, api(Method::GET, "/users", Some(token), None))
        .await
        .status
}

fn reset_token(body: &str) -> String {
    body.split("token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

async fn latest_reset_token(state: &AppState, admin: &Actor, to: &str) -> String {
    let outbox = lyceum::mail::list_outbox(&state.db, admin, 1)
        .await
        .unwrap();
    let mail = outbox
        .items
        .iter()
        .filter(|m| m.to_address == to)
        .max_by_key(|m| m.id)
        .unwrap();
    reset_token(&mail.body)
}

db_test!(
    a_password_change_or_reset_ends_api_tokens_unless_kept,
    |state| {
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let app = lyceum::http::router(state.clone());
        let session = cookie(&state, "admin@example.com").await;
        let session_hash = lyceum::auth::tokens::hash(&session);
        let client = Client::at("127.0.0.1");

        // Changing the password revokes the tokens by default…
        let token = auth::create_api_token(&state, &admin, "sync")
            .await
            .unwrap()
            .secret;
        assert_eq!(api_status(&app, &token).await, StatusCode::OK);
        let change = PasswordChange {
            current: PASSWORD,
            new: "another long passphrase",
            revoke_api_tokens: true,
        };
        auth::change_password(&state, &admin, &change, &session_hash, &client)
            .await
            .unwrap();
        assert_eq!(api_status(&app, &token).await, StatusCode::UNAUTHORIZED);

        // …and keeps them only when asked to.
        let kept = auth::create_api_token(&state, &admin, "kept")
            .await
            .unwrap()
            .secret;
        let change = PasswordChange {
            current: "another long passphrase",
            new: "a third long passphrase",
            revoke_api_tokens: false,
        };
        auth::change_password(&state, &admin, &change, &session_hash, &client)
            .await
            .unwrap();
        assert_eq!(api_status(&app, &kept).await, StatusCode::OK);

        // A reset revokes them too, and ends every session.
        auth::request_password_reset(&state, "admin@example.com", &client)
            .await
            .unwrap();
        let link = latest_reset_token(&state, &admin, "admin@example.com").await;
        auth::reset_password(&state, &link, "a fourth long passphrase", true)
            .await
            .unwrap();
        assert_eq!(api_status(&app, &kept).await, StatusCode::UNAUTHORIZED);
        assert!(
            auth::actor_for_session(&state, &session_hash)
                .await
                .unwrap()
                .is_none()
        );

        let log = lyceum::audit::list(
            &state.db,
            &admin,
            &lyceum::audit::model::AuditQuery {
                page: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let actions: Vec<_> = log.items.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"account.password_change"), "{actions:?}");
        assert!(actions.contains(&"account.password_reset"), "{actions:?}");
        let reset = log
            .items
            .iter()
            .find(|e| e.action == "account.password_reset")
            .unwrap();
        assert!(
            reset
                .after_state
                .as_deref()
                .unwrap()
                .contains(r#""api_tokens_revoked":1"#),
            "{:?}",
            reset.after_state
        );
    }
);

db_test!(only_the_newest_reset_link_works, |state| {
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
    let client = Client::at("10.1.0.1");
    auth::request_password_reset(&state, "ada@example.com", &client)
        .await
        .unwrap();
    let first = latest_reset_token(&state, &admin, "ada@example.com").await;
    auth::request_password_reset(&state, "ada@example.com", &client)
        .await
        .unwrap();
    let second = latest_reset_token(&state, &admin, "ada@example.com").await;
    assert_ne!(first, second);
    // Issuing the second ended the first.
    assert!(
        auth::reset_password(&state, &first, "a brand new passphrase", true)
            .await
            .is_err()
    );
    auth::reset_password(&state, &second, "a brand new passphrase", true)
        .await
        .unwrap();
    assert!(
        auth::reset_password(&state, &first, "yet another passphrase", true)
            .await
            .is_err()
    );
    // An administrator's link is a link like any other.
    let ada = lyceum::users::service::list_after(&state, &admin, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "ada@example.com")
        .unwrap();
    auth::request_password_reset(&state, "ada@example.com", &client)
        .await
        .unwrap();
    let learner_link = latest_reset_token(&state, &admin, "ada@example.com").await;
    lyceum::users::service::send_reset(&state, &admin, ada.id)
        .await
        .unwrap();
    assert!(
        auth::reset_password(&state, &learner_link, "yet another passphrase", true)
            .await
            .is_err()
    );
});

// ---- 7, 8. guessing limits on the password forms -----------------------------------------------

db_test!(
    forgot_password_is_limited_the_same_for_any_address,
    |state| {
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
        for email in ["ada@example.com", "nobody@example.com"] {
            let client = Client::at(if email.starts_with("ada") {
                "10.2.0.1"
            } else {
                "10.2.0.2"
            });
            for _ in 0..3 {
                auth::request_password_reset(&state, email, &client)
                    .await
                    .unwrap();
            }
            let err = auth::request_password_reset(&state, email, &client)
                .await
                .unwrap_err();
            assert!(
                matches!(err, AppError::TooManyRequests(_)),
                "{email}: {err:?}"
            );
        }
        let outbox = lyceum::mail::list_outbox(&state.db, &admin, 1)
            .await
            .unwrap();
        let sent = outbox
            .items
            .iter()
            .filter(|m| m.to_address == "ada@example.com")
            .count();
        assert_eq!(sent, 3);
        // Per client address too: many addresses from one client.
        let client = Client::at("10.2.0.3");
        for n in 0..10 {
            auth::request_password_reset(&state, &format!("x{n}@example.com"), &client)
                .await
                .unwrap();
        }
        assert!(matches!(
            auth::request_password_reset(&state, "x99@example.com", &client)
                .await
                .unwrap_err(),
            AppError::TooManyRequests(_)
        ));
        // Through HTTP: 429.
        let app = lyceum::http::router(state.clone());
        let reply = send(
            &app,
            server_fn("auth/forgot_password", "email=ada%40example.com", None),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            reply.body
        );
    }
);

db_test!(guessing_the_current_password_is_limited, |state| {
    let ada = user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
    let session = lyceum::auth::tokens::hash(&cookie(&state, "ada@example.com").await);
    let client = Client::at("10.3.0.1");
    let guess = PasswordChange {
        current: "a wrong guess",
        new: "a new long passphrase",
        revoke_api_tokens: true,
    };
    for _ in 0..5 {
        let err = auth::change_password(&state, &ada, &guess, &session, &client)
            .await
            .unwrap_err();
        assert!(err.field("current_password").is_some(), "{err:?}");
    }
    // Even the right one now waits, from any address (the session itself may be stolen).
    let right = PasswordChange {
        current: PASSWORD,
        ..guess
    };
    for ip in ["10.3.0.1", "10.3.0.2"] {
        let err = auth::change_password(&state, &ada, &right, &session, &Client::at(ip))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::TooManyRequests(_)), "{err:?}");
    }
});

// ---- 9, 10. sign-in throttling ----------------------------------------------------------------

db_test!(
    the_owner_still_signs_in_while_strangers_guess_from_elsewhere,
    |state| {
        user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
        // Ada signs in from home, in a browser that keeps its device cookie.
        let home = Client {
            ip: "10.4.0.1".into(),
            user_agent: "home".into(),
            device: Some("ada-laptop-device-secret".into()),
        };
        auth::sign_in(&state, "ada@example.com", PASSWORD, &home)
            .await
            .unwrap()
            .session()
            .unwrap();
        // Strangers guess from four addresses until each is held back.
        for n in 0..4 {
            let stranger = Client::at(&format!("10.66.0.{n}"));
            for _ in 0..5 {
                auth::sign_in(&state, "ada@example.com", "guess", &stranger)
                    .await
                    .unwrap_err();
            }
            assert!(matches!(
                auth::sign_in(&state, "ada@example.com", "guess", &stranger)
                    .await
                    .unwrap_err(),
                AppError::TooManyRequests(_)
            ));
        }
        // A new client now waits even with the right password…
        let err = auth::sign_in(
            &state,
            "ada@example.com",
            PASSWORD,
            &Client::at("10.77.0.1"),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, AppError::TooManyRequests(_)), "{err:?}");
        // …but Ada's laptop, now on a café's network, is known by its cookie…
        let cafe = Client {
            ip: "10.88.0.1".into(),
            ..home.clone()
        };
        auth::sign_in(&state, "ada@example.com", PASSWORD, &cafe)
            .await
            .unwrap()
            .session()
            .unwrap();
        // …and her home address is known too.
        auth::sign_in(&state, "ada@example.com", PASSWORD, &Client::at("10.4.0.1"))
            .await
            .unwrap()
            .session()
            .unwrap();
    }
);

async fn guess_at_once(state: &AppState, clients: Vec<Client>) -> (usize, usize) {
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|client| {
            let state = state.clone();
            tokio::spawn(async move {
                auth::sign_in(&state, "ada@example.com", "a wrong guess", &client).await
            })
        })
        .collect();
    let (mut checked, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Err(AppError::Invalid(_)) => checked += 1,
            Err(AppError::TooManyRequests(_)) => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    (checked, refused)
}

db_test!(simultaneous_guesses_never_pass_the_limit, |state| {
    user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
    // 40 at once from one client: at most 5 reach the password check.
    let (checked, refused) = guess_at_once(&state, vec![Client::at("10.5.0.1"); 40]).await;
    assert!(checked <= 5, "{checked} guesses were checked");
    assert_eq!(checked + refused, 40);
    // 40 at once from 40 clients: at most the account's 10 (minus those above).
    let many = (0..40)
        .map(|n| Client::at(&format!("10.6.0.{n}")))
        .collect();
    let (more, _) = guess_at_once(&state, many).await;
    assert!(
        checked + more <= 10,
        "{} guesses were checked",
        checked + more
    );
});

// ---- 11. CSV injection --------------------------------------------------------------------------

const FORMULA: &str = r#"=HYPERLINK("http://evil.example","open")"#;

/// Every cell of a CSV file that a spreadsheet would run as a formula.
fn live_formulas(csv_text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .filter(|cell| {
            cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err()
        })
        .collect()
}

db_test!(every_csv_export_neutralises_formulas, |state| {
    let s = school(&state).await;
    user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    lyceum::auth::service::update_own_name(&state, &s.learner, FORMULA)
        .await
        .unwrap();
    lyceum::grading::service::add_item(
        &state,
        &s.teacher,
        s.course_id,
        None,
        "@SUM(A1)",
        10.0,
        false,
    )
    .await
    .unwrap();
    let app = lyceum::http::router(state.clone());
    let admin = cookie(&state, "admin@example.com").await;
    let teacher = cookie(&state, "teacher@example.com").await;
    for (path, who) in [
        ("/admin/users/export.csv".to_string(), &admin),
        (
            format!("/courses/{}/participants.csv", s.course_id),
            &teacher,
        ),
        (format!("/courses/{}/grades.csv", s.course_id), &teacher),
    ] {
        let reply = send(&app, get(&path, Some(who))).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.body.contains("'=HYPERLINK"), "{path}: {}", reply.body);
        assert_eq!(live_formulas(&reply.body), Vec::<String>::new(), "{path}");
    }
    // The grades file goes back in: the neutralised item name and learner still match.
    let export = lyceum::grading::service::export_csv(&state, &s.teacher, s.course_id)
        .await
        .unwrap();
    let edited = export.replacen(",,", ",7,", 1);
    let preview = lyceum::grading::import::preview(&state, &s.teacher, s.course_id, &edited)
        .await
        .unwrap();
    assert!(preview.problems.is_empty(), "{:?}", preview.problems);
    assert_eq!(preview.changes.len(), 1, "{:?}", preview.changes);
});

// ---- 12, 13. NUL and malformed input ----------------------------------------------------------

db_test!(nul_and_malformed_input_are_client_errors, |state| {
    user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let app = lyceum::http::router(state.clone());
    let admin = cookie(&state, "admin@example.com").await;
    let bad_request = |reply: &Reply, what: &str| {
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            reply.body
        );
        let err: AppError = serde_json::from_str(&reply.body)
            .unwrap_or_else(|e| panic!("{what}: {e}: {}", reply.body));
        assert!(matches!(err, AppError::BadRequest(_)), "{what}: {err:?}");
    };
    for (path, body) in [
        ("courses/catalogue", "query[search]=%00abc&query[page]=1"),
        ("users/list", "query[search]=%00abc&query[page]=1"),
        ("users/list", "query[search]=abc&query[page]=-1"),
        ("users/get", "id=abc"),
        ("users/get", "id=99999999999999999999999"),
        ("attempts/save", r#"{"attempt_id":"#),
        ("attempts/save", r#"{"attempt_id":1,"answers":"none"}"#),
        (
            "questions/list",
            r#"{"course_id":1,"query":{"page":1,"search":"\u0000"}}"#,
        ),
    ] {
        bad_request(
            &send(&app, server_fn(path, body, Some(&admin))).await,
            &format!("{path} {body}"),
        );
    }
    // Pages refuse NUL in the address too.
    let page = send(&app, get("/courses?search=%00abc", Some(&admin))).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // Page 0 is page 1, not an error.
    let first = send(&app, server_fn("users/list", "query[page]=0", Some(&admin))).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
});

// ---- 14. the REST API's error shape -------------------------------------------------------------

db_test!(rest_rejections_keep_the_documented_error_shape, |state| {
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let token = auth::create_api_token(&state, &admin, "probe")
        .await
        .unwrap()
        .secret;
    let app = lyceum::http::router(state.clone());
    let doc: serde_json::Value = serde_json::from_str(
        &send(&app, api(Method::GET, "/openapi.json", None, None))
            .await
            .body,
    )
    .unwrap();
    let with_type = |mut req: Request<Body>, content_type: &str| {
        req.headers_mut()
            .insert(header::CONTENT_TYPE, content_type.parse().unwrap());
        req
    };
    let cases: Vec<(&str, &str, Request<Body>, StatusCode)> = vec![
        (
            "/api/v1/users",
            "post",
            api(Method::POST, "/users", Some(&token), Some("{\"email\":")),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/users",
            "post",
            api(
                Method::POST,
                "/users",
                Some(&token),
                Some(r#"{"email":5,"name":"X"}"#),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/users",
            "post",
            api(
                Method::POST,
                "/users",
                Some(&token),
                Some(r#"{"email":"a@example.com","name":"X","extra":1}"#),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/api/v1/users",
            "post",
            with_type(
                api(Method::POST, "/users", Some(&token), Some("{}")),
                "text/plain",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "/api/v1/users",
            "post",
            api(
                Method::POST,
                "/users",
                Some(&token),
                Some("{\"email\":\"\\u0000@x.org\",\"name\":\"X\"}"),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/users",
            "get",
            api(Method::GET, "/users?limit=abc", Some(&token), None),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/users/{id}",
            "get",
            api(Method::GET, "/users/abc", Some(&token), None),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/users/{id}",
            "patch",
            api(
                Method::PATCH,
                "/users/1",
                Some(&token),
                Some(r#"{"roles":"x"}"#),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // The document says at least 10 characters: an empty one is not "no password".
        (
            "/api/v1/users",
            "post",
            api(
                Method::POST,
                "/users",
                Some(&token),
                Some(r#"{"email":"e@example.com","name":"E","password":""}"#),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // The API takes addresses as the document states them: no surrounding spaces.
        (
            "/api/v1/users",
            "post",
            api(
                Method::POST,
                "/users",
                Some(&token),
                Some(r#"{"email":" e@example.com","name":"E"}"#),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (path, method, req, expected) in cases {
        let what = format!("{method} {}", req.uri());
        let reply = send(&app, req).await;
        assert_eq!(reply.status, expected, "{what}: {}", reply.body);
        assert!(
            reply.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{what}"
        );
        let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        assert!(
            body["error"]["code"].is_string() && body["error"]["message"].is_string(),
            "{what}: {body}"
        );
        // The status is one the document declares for this operation, with the error body.
        let declared = &doc["paths"][path][method]["responses"][expected.as_str()];
        assert_eq!(
            declared["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "{what}: status {expected} is not declared"
        );
    }
    for (req, expected) in [
        (
            api(Method::GET, "/nothing-here", Some(&token), None),
            StatusCode::NOT_FOUND,
        ),
        (
            api(Method::PUT, "/users", Some(&token), Some("{}")),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ] {
        let what = req.uri().to_string();
        let reply = send(&app, req).await;
        assert_eq!(reply.status, expected, "{what}");
        let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        assert!(body["error"]["code"].is_string(), "{what}: {}", reply.body);
        if expected == StatusCode::METHOD_NOT_ALLOWED {
            assert!(reply.headers.contains_key(header::ALLOW), "{what}");
        }
    }
});

// ---- the same class elsewhere: enrolment keys are guessed like passwords -----------------------

db_test!(guessing_an_enrolment_key_is_limited, |state| {
    let teacher = user_with_roles(&state, "teacher@example.com", &[Role::Instructor]).await;
    let learner = user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
    let course = create_course(
        &state,
        &teacher,
        &CourseForm {
            code: "KEY-1".into(),
            title: "Keyed".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    set_enrolment_settings(
        &state,
        &teacher,
        course.id,
        &lyceum::courses::model::EnrolmentSettingsForm {
            self_enrol: true,
            enrol_key: "mitochondria".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    courses::set_state(&state, &teacher, course.id, CourseState::Published)
        .await
        .unwrap();
    let enrol = |key: &'static str| {
        let (state, learner) = (state.clone(), learner.clone());
        async move {
            lyceum::enrolments::service::self_enrol(
                &state,
                &learner,
                course.id,
                key,
                &Client::at("10.9.0.1"),
            )
            .await
        }
    };
    for guess in ["ribosome", "nucleus", "golgi", "vacuole", "lysosome"] {
        let err = enrol(guess).await.unwrap_err();
        assert!(err.field("enrol_key").is_some(), "{err:?}");
    }
    // The sixth try waits, even with the right key.
    assert!(matches!(
        enrol("mitochondria").await.unwrap_err(),
        AppError::TooManyRequests(_)
    ));
});

// ---- the same classes elsewhere: what the review withholds, no other page tells -------------------

fn true_false(name: &str) -> Question {
    question(
        name,
        QuestionBody::TrueFalse {
            correct: true,
            true_feedback: None,
            false_feedback: None,
        },
    )
}

db_test!(
    marks_the_review_withholds_are_withheld_everywhere,
    |state| {
        let s = school(&state).await;
        let q = save_question(&state, &s, true_false("Sky")).await;
        let item = quiz_with(&state, &s, &[q], quiz_settings("never")).await;
        let attempt = attempts::start(&state, &s.learner, item).await.unwrap();
        let answer = lyceum::assessments::model::AnswerSave {
            slot: 1,
            seq: 1,
            response: Some(Response::Bool(true)),
        };
        let submitted = attempts::submit(&state, &s.learner, attempt, &[answer])
            .await
            .unwrap();
        assert_eq!(submitted.score, None, "the submit answer tells the mark");
        let intro = attempts::intro(&state, &s.learner, item).await.unwrap();
        assert_eq!(intro.grade_percent, None);
        assert!(intro.attempts.iter().all(|a| a.score.is_none()));
        let review = review::review(&state, &s.learner, attempt).await.unwrap();
        assert_eq!(review.attempt.score, None);
        let mine = lyceum::grading::service::my_grades(&state, &s.learner, s.course_id)
            .await
            .unwrap();
        assert!(
            mine.rows.is_empty(),
            "My grades shows the quiz: {:?}",
            mine.rows
        );
        // Staff see the mark; once the review shows marks, so does the learner.
        let staff = attempts::intro(&state, &s.teacher, item).await.unwrap();
        assert!(
            staff
                .attempts
                .iter()
                .all(|a| a.score.is_none() || a.score == Some(1.0))
        );
        quiz::save_settings(&state, &s.teacher, item, &quiz_settings("after_submit"))
            .await
            .unwrap();
        let intro = attempts::intro(&state, &s.learner, item).await.unwrap();
        assert_eq!(intro.grade_percent, Some(100.0));
        let mine = lyceum::grading::service::my_grades(&state, &s.learner, s.course_id)
            .await
            .unwrap();
        assert_eq!(mine.rows.len(), 1);
    }
);

db_test!(
    a_questions_files_reach_the_learner_as_the_attempt_and_review_show_them,
    |state| {
        let s = school(&state).await;
        let app = lyceum::http::router(state.clone());
        let learner = cookie(&state, "ada@example.com").await;
        let diagram = course_file(&state, &s, "diagram.pdf").await;
        let solution = course_file(&state, &s, "solution.pdf").await;
        let mut q = true_false("Cells");
        q.stem = RichText::new(
            TextFormat::Markdown,
            format!(
                "Cells? See [the diagram](/files/{}/diagram.pdf).",
                diagram.id
            ),
        );
        q.general_feedback = Some(RichText::plain(format!(
            "Worked answer: /files/{}/solution.pdf",
            solution.id
        )));
        let id = save_question(&state, &s, q).await;
        let item = quiz_with(&state, &s, &[id], quiz_settings("after_close")).await;
        let status = |file: i64| {
            let (app, learner) = (app.clone(), learner.clone());
            async move {
                send(&app, get(&format!("/files/{file}"), Some(&learner)))
                    .await
                    .status
            }
        };
        assert_eq!(status(diagram.id).await, StatusCode::NOT_FOUND);
        let attempt = attempts::start(&state, &s.learner, item).await.unwrap();
        // While answering: what the page shows, not the worked answer.
        assert_eq!(status(diagram.id).await, StatusCode::OK);
        assert_eq!(status(solution.id).await, StatusCode::NOT_FOUND);
        attempts::submit(&state, &s.learner, attempt, &[])
            .await
            .unwrap();
        assert_eq!(status(solution.id).await, StatusCode::NOT_FOUND);
        // Once the review shows feedback, its files come with it.
        quiz::save_settings(&state, &s.teacher, item, &quiz_settings("after_submit"))
            .await
            .unwrap();
        assert_eq!(status(solution.id).await, StatusCode::OK);
    }
);

db_test!(uploads_are_named_for_what_they_are, |state| {
    let s = school(&state).await;
    let file = lyceum::files::service::receive(
        &state,
        &s.teacher,
        s.course_id,
        "essay.html",
        pdf("not a page"),
    )
    .await
    .unwrap();
    assert_eq!(file.name, "essay.html.pdf");
    assert_eq!(file.content_type, "application/pdf");
});

db_test!(ids_from_other_courses_tell_nothing, |state| {
    let s = school(&state).await;
    let q = save_question(&state, &s, true_false("Secret")).await;
    quiz_with(&state, &s, &[q], quiz_settings("after_submit")).await;
    // Another instructor's course.
    let rival = user_with_roles(&state, "rival@example.com", &[Role::Instructor]).await;
    let theirs = create_course(
        &state,
        &rival,
        &CourseForm {
            code: "RIV-1".into(),
            title: "Rival".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Deleting a question of another course by id: not found, and no quiz named.
    let err = bank::delete(&state, &rival, theirs.id, q)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::NotFound);
    // A draft course of someone else is not a course one can require.
    let draft = create_course(
        &state,
        &s.teacher,
        &CourseForm {
            code: "DRAFT-9".into(),
            title: "Unannounced".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let err = courses::set_prerequisites(&state, &rival, theirs.id, "DRAFT-9")
        .await
        .unwrap_err();
    assert!(err.field("prerequisites").is_some(), "{err:?}");
    assert!(!err.to_string().contains("Unannounced"));
    courses::set_prerequisites(&state, &s.teacher, theirs.id, "SEC-1")
        .await
        .unwrap_err();
    // The published one is fine.
    courses::set_prerequisites(&state, &rival, theirs.id, "SEC-1")
        .await
        .unwrap();
    let _ = draft;
});

db_test!(
    a_link_from_another_site_shows_an_item_but_records_nothing,
    |state| {
        let s = school(&state).await;
        let lesson = add_item(
            &state,
            &s,
            ItemForm {
                kind: "lesson".into(),
                title: "Fire safety".into(),
                body: "Know the exits.".into(),
                required: true,
                completion: "view".into(),
                ..Default::default()
            },
        )
        .await;
        let app = lyceum::http::router(state.clone());
        let learner = cookie(&state, "ada@example.com").await;
        let path = format!("/courses/{}/learn/{lesson}", s.course_id);
        let mut from_elsewhere = get(&path, Some(&learner));
        from_elsewhere
            .headers_mut()
            .insert("sec-fetch-site", "cross-site".parse().unwrap());
        let page = send(&app, from_elsewhere).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Know the exits."));
        let done = lyceum::completion::store::completed_items(&state.db, s.course_id, s.learner.id)
            .await
            .unwrap();
        assert!(done.is_empty(), "a cross-site link completed {done:?}");
        let mut own = get(&path, Some(&learner));
        own.headers_mut()
            .insert("sec-fetch-site", "same-origin".parse().unwrap());
        assert_eq!(send(&app, own).await.status, StatusCode::OK);
        let done = lyceum::completion::store::completed_items(&state.db, s.course_id, s.learner.id)
            .await
            .unwrap();
        assert_eq!(done, vec![lesson]);
    }
);

#[tokio::test]
async fn behind_a_proxy_the_client_is_the_address_the_proxy_added() {
    let mut config = lyceum::testing::config();
    config.trust_proxy = true;
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("lyceum")
        .build();
    let state = AppState::new(options, lyceum::testing::sqlite().await, config).unwrap();
    let mut headers = http::HeaderMap::new();
    // The client wrote the first entry; our proxy added the last.
    headers.insert("x-forwarded-for", "6.6.6.6, 10.0.0.9".parse().unwrap());
    let ip = lyceum::auth::request::client_ip(&state, &headers, None);
    assert_eq!(ip, "10.0.0.9");
    headers.insert("x-forwarded-for", "1.2.3.4".repeat(40).parse().unwrap());
    assert_eq!(
        lyceum::auth::request::client_ip(&state, &headers, None).len(),
        64
    );
}

db_test!(an_overlong_email_at_sign_in_is_a_field_message, |state| {
    let long = format!("{}@example.com", "a".repeat(3000));
    let err = auth::sign_in(&state, &long, "whatever", &Client::at("10.8.0.1"))
        .await
        .unwrap_err();
    assert!(err.field("email").is_some(), "{err:?}");
});

db_test!(
    the_test_clock_is_only_on_a_server_started_with_it_and_only_for_administrators,
    |state| {
        user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        user_with_roles(&state, "lena@example.com", &[Role::Learner]).await;
        let client = Client::at("127.0.0.1");
        let admin = auth::sign_in(&state, "admin@example.com", PASSWORD, &client)
            .await
            .unwrap()
            .session()
            .unwrap();
        let lena = auth::sign_in(&state, "lena@example.com", PASSWORD, &client)
            .await
            .unwrap()
            .session()
            .unwrap();
        // Zero days: the clock stays where it is for the tests running beside this one.
        let post = |cookie: &str| {
            Request::post("/admin/test-clock")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("lyceum_session={cookie}"))
                .body(Body::from("days=0"))
                .unwrap()
        };
        let real = lyceum::http::router(state.clone());
        assert_eq!(
            send(&real, post(&admin)).await.status,
            StatusCode::NOT_FOUND
        );

        let mut config = (*state.config).clone();
        config.test_clock = true;
        let testing = AppState {
            config: std::sync::Arc::new(config),
            ..state.clone()
        };
        let app = lyceum::http::router(testing);
        assert_eq!(send(&app, post(&lena)).await.status, StatusCode::FORBIDDEN);
        let moved = send(&app, post(&admin)).await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        assert!(moved.body.contains("\"now\""));
    }
);
