//! The HTTP surface through the real router: every server function and REST route refuses a
//! learner, the REST API works end to end, and the security middleware does its job.

use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use lyceum::auth::service as auth;
use lyceum::db_test;
use lyceum::state::AppState;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::Role;

use crate::support::*;

/// Anyone may call these (they check what they need themselves).
const PUBLIC_FNS: &[&str] = &[
    "auth/shell",
    "auth/sign_in",
    "auth/sign_out",
    "auth/register",
    "auth/forgot_password",
    "auth/reset_password",
    "auth/setup",
    // The public verification page: a number in, a name, a title and dates out.
    "certificates/verify",
    // The sign-in page's buttons: names of the enabled identity providers.
    "sso/buttons",
    // The second step of a sign-in: only with the challenge cookie a right password gave.
    "auth/second_step",
    "auth/second_step_setup",
];
/// Any signed-in person may call these, on their own account only.
const ACCOUNT_FNS: &[(&str, &str)] = &[
    ("calendar/month", "month="),
    ("calendar/feed", ""),
    ("calendar/new_feed", ""),
    ("account/time_zone", ""),
    ("account/set_time_zone", "time_zone=Europe%2FBerlin"),
    ("account/update_name", "name=X"),
    (
        "account/change_password",
        "current_password=a&new_password=b",
    ),
    ("account/sessions", ""),
    ("account/sign_out_others", ""),
    ("account/api_tokens", ""),
    ("account/organisation", ""),
    ("account/create_api_token", "name=x"),
    ("account/revoke_api_token", "id=1"),
    ("account/mfa", ""),
    ("account/totp_begin", ""),
    ("account/totp_confirm", "code=123456"),
    ("account/mfa_off", "code=123456"),
    ("account/recovery_codes", "code=123456"),
    ("courses/catalogue", "query[page]=1"),
    ("courses/teaching", "query[page]=1"),
    ("courses/categories", ""),
    ("courses/reviews_due", ""),
    ("learning/mine", ""),
    // Only the asker's own reports: nobody else's are found.
    ("team/list", "page=1"),
    ("team/member", "id=1"),
    ("team/nudge", "user_id=1&requirement_id=1"),
    ("requirements/mine", ""),
    ("certificates/mine", ""),
    ("programmes/mine", ""),
    // Each person's own notifications and choices.
    ("notifications/list", "page=1"),
    ("notifications/unread", ""),
    ("notifications/read", "id=1"),
    ("notifications/preferences", ""),
    (
        "notifications/save_preferences",
        "form[channels][grade_released]=off",
    ),
    // Learners act on their own enrolment; refusals are about the course, not permissions.
    ("enrolments/self", "course_id=1&key="),
    ("enrolments/leave", "course_id=1"),
];
/// Administrators' and managers' functions, with a well-formed body each.
const ADMIN_FNS: &[(&str, &str)] = &[
    ("users/list", "query[page]=1"),
    ("users/get", "id=1"),
    ("users/create", "form[email]=z%40example.com&form[name]=Z"),
    (
        "users/update",
        "id=1&form[email]=z%40example.com&form[name]=Z",
    ),
    ("users/set_status", "id=1&status=suspended"),
    ("users/reset_mfa", "id=1"),
    ("users/delete", "id=1"),
    ("users/send_reset", "id=1"),
    (
        "users/import_preview",
        "csv=email%2Cname%0Aa%40example.com%2CA",
    ),
    (
        "users/import_apply",
        "csv=email%2Cname%0Aa%40example.com%2CA",
    ),
    ("settings/get", ""),
    (
        "settings/update",
        "site_name=X&self_registration=true&session_lifetime_minutes=60",
    ),
    ("audit/list", "query[page]=1"),
    ("outbox/list", "page=1"),
    ("jobs/list", "state=dead&page=1"),
    ("users/profile", "id=1"),
    ("audiences/list", "page=1"),
    ("audiences/detail", "id=1"),
    (
        "audiences/save",
        "form[name]=X&form[match_all]=true&form[rules][0][field]=department&form[rules][0][op]=is&form[rules][0][value]=X",
    ),
    ("audiences/delete", "id=1"),
    (
        "audiences/preview",
        "page=1&form[match_all]=true&form[rules][0][field]=department&form[rules][0][op]=is&form[rules][0][value]=X",
    ),
    ("audiences/members", "id=1&page=1"),
    ("requirements/list", ""),
    (
        "requirements/create",
        "form[name]=X&form[course_id]=1&form[due_kind]=after_assignment&form[due_days]=7&form[emails]=a%40example.com",
    ),
    ("requirements/people", "id=1&query[page]=1"),
    ("requirements/matrix", "by=department&page=1"),
    ("requirements/trend", "days=90"),
    ("requirements/recompute_matrix", ""),
    ("requirements/overview", "id=1"),
    ("requirements/refresh", "id=1"),
    ("requirements/exempt", "id=1&user_id=1&reason=X"),
    (
        "requirements/extend",
        "id=1&user_id=1&extended_to=2030-01-01&reason=X",
    ),
    ("users/save_profile", "id=1&form[department]=X"),
    ("users/profile_fields", ""),
    (
        "users/save_profile_field",
        "form[name]=shift&form[label]=Shift&form[kind]=text",
    ),
    ("users/delete_profile_field", "id=1"),
    ("jobs/retry", "id=1"),
    ("jobs/cancel", "id=1"),
    ("courses/create", "form[code]=X-1&form[title]=X"),
    ("courses/copy", "id=1&code=X-2&title=X"),
    ("courses/save_category", "name=X&parent_id="),
    ("courses/delete_category", "id=1"),
    ("cohorts/list", ""),
    ("cohorts/create", "name=X&description="),
    ("cohorts/delete", "cohort_id=1"),
    ("cohorts/members", "cohort_id=1"),
    ("cohorts/add_members", "cohort_id=1&emails=a%40example.com"),
    ("cohorts/remove_member", "cohort_id=1&user_id=1"),
    ("programmes/list", ""),
    ("certificates/programme", "programme_id=1"),
    ("certificates/set_programme", "programme_id=1"),
    ("programmes/save", "form[name]=X&form[courses]=C-1"),
    ("programmes/delete", "id=1"),
    ("programmes/add_people", "id=1&emails=a%40example.com"),
    ("certificates/list", "query[page]=1"),
    (
        "certificates/issue",
        "form[email]=a%40example.com&form[course_id]=1",
    ),
    ("certificates/revoke", "id=1&reason=X"),
    ("certificates/templates", ""),
    ("certificates/template", "id=1"),
    (
        "certificates/save_template",
        "form[name]=X&form[orientation]=landscape&form[heading]=H&form[body]=B&form[accent]=%23000000",
    ),
    ("certificates/delete_template", "id=1"),
    ("certificates/remove_image", "id=1&slot=logo"),
    ("xapi/clients", "page=1"),
    ("xapi/create_client", "name=X&scopes=all"),
    ("xapi/revoke_client", "id=1"),
    (
        "xapi/statements",
        "search[actor]=&search[verb]=&search[activity]=&search[since]=&search[until]=",
    ),
    ("xapi/forwarding", ""),
    (
        "xapi/save_forwarding",
        "endpoint=https%3A%2F%2Flrs.example.com%2Fxapi&username=u&password=p&enabled=on",
    ),
    ("sso/providers", ""),
    (
        "sso/save_provider",
        "id=0&slug=x&name=X&issuer_url=https%3A%2F%2Fidp.example.com&client_id=c&client_secret=s\
         &scopes=openid&email_claim=email&name_claim=name&allowed_domains=",
    ),
    ("sso/delete_provider", "id=1"),
    ("sso/rules", ""),
    ("sso/save_rules", "mfa_required[0]=learner"),
    ("webhooks/list", ""),
    (
        "webhooks/save",
        "id=0&url=https%3A%2F%2F93.184.216.34%2Fhook&events[0]=user.created&enabled=on",
    ),
    ("webhooks/delete", "id=1"),
    ("webhooks/roll_secret", "id=1"),
    ("webhooks/deliveries", "subscription=0&page=1"),
    ("webhooks/redeliver", "id=1"),
    ("webhooks/send_test", "id=1"),
];

/// Functions on one course (course 1, section 1, lesson item 1, file 1 in `course_fixture`), which
/// a learner who is not in that draft course must be refused.
const COURSE_FNS: &[(&str, &str)] = &[
    ("courses/editor", "id=1"),
    ("certificates/course", "course_id=1"),
    ("certificates/set_course", "course_id=1"),
    ("courses/update", "id=1&form[code]=C-1&form[title]=X"),
    ("courses/set_state", "id=1&state=published"),
    ("courses/enrolment_settings", "id=1&form[self_enrol]=true"),
    ("courses/prerequisites", "id=1&codes="),
    ("courses/cover", "id=1"),
    ("courses/add_section", "course_id=1&title=X"),
    ("courses/rename_section", "section_id=1&title=X"),
    ("courses/delete_section", "section_id=1"),
    ("courses/move_section", "section_id=1&index=0"),
    ("items/add", "section_id=1&form[kind]=lesson&form[title]=X"),
    ("items/item", "item_id=1"),
    ("items/update", "item_id=1&form[kind]=lesson&form[title]=X"),
    ("items/delete", "item_id=1"),
    ("items/restore", "item_id=1"),
    ("courses/place_item", "item_id=1&section_id=1&index=0"),
    ("lessons/revisions", "item_id=1"),
    ("lessons/compare", "item_id=1&old=1&new=1"),
    ("lessons/restore", "item_id=1&revision_id=1"),
    ("courses/delete_file", "file_id=1"),
    ("enrolments/participants", "course_id=1&query[page]=1"),
    ("enrolments/search_people", "course_id=1&search=ab"),
    ("enrolments/add", "course_id=1&user_id=1&role=learner"),
    ("enrolments/remove", "course_id=1&user_id=1"),
    ("enrolments/approve", "course_id=1&user_id=1"),
    (
        "enrolments/dates",
        "course_id=1&user_id=1&starts_on=&ends_on=",
    ),
    (
        "enrolments/csv_preview",
        "course_id=1&csv=email%0Aa%40example.com",
    ),
    (
        "enrolments/csv_apply",
        "course_id=1&csv=email%0Aa%40example.com",
    ),
    ("cohorts/link", "course_id=1&cohort_id=1"),
    ("cohorts/unlink", "course_id=1&cohort_id=1"),
    ("cohorts/linked", "course_id=1"),
    ("cohorts/options", "course_id=1"),
    ("learning/course", "course_id=1"),
    ("learning/open", "item_id=1"),
    ("learning/done", "item_id=1"),
    ("learning/resume", "course_id=1"),
    ("learning/progress", "course_id=1"),
    ("questions/categories", "course_id=1"),
    ("questions/save_category", "course_id=1&name=X"),
    ("questions/delete_category", "course_id=1&id=1"),
    ("questions/list", r#"{"course_id":1,"query":{"page":1}}"#),
    ("questions/load", "course_id=1&id=1"),
    (
        "questions/save",
        r#"{"course_id":1,"input":{"id":1,"category_id":1,"version":1,"question":{"name":"Q","stem":{"format":"plain","text":"Q?"},"general_feedback":null,"body":{"type":"essay"},"default_mark":1.0,"tags":[],"id_number":null}}}"#,
    ),
    ("questions/delete", "course_id=1&id=1"),
    (
        "questions/preview_import",
        "course_id=1&format=gift&text=Q%7BT%7D&category_id=1",
    ),
    (
        "questions/import",
        "course_id=1&format=gift&text=Q%7BT%7D&category_id=1&only_valid=false",
    ),
    ("quizzes/editor", "item_id=2"),
    (
        "quizzes/save_settings",
        "item_id=2&form[attempts_allowed]=1",
    ),
    (
        "quizzes/add_questions",
        r#"{"item_id":2,"question_ids":[1]}"#,
    ),
    (
        "quizzes/add_random",
        "item_id=2&category_id=1&count=1&mark=1",
    ),
    (
        "quizzes/update_slot",
        "item_id=2&slot_id=1&mark=1&draw_count=1",
    ),
    ("quizzes/remove_slot", "item_id=2&slot_id=1"),
    ("quizzes/move_slot", "item_id=2&slot_id=1&delta=1"),
    ("quizzes/intro", "item_id=2"),
    ("quizzes/start", "item_id=2"),
    ("attempts/load", "attempt_id=1"),
    ("attempts/save", r#"{"attempt_id":1,"answers":[]}"#),
    ("attempts/submit", r#"{"attempt_id":1,"answers":[]}"#),
    ("attempts/review", "attempt_id=1"),
    ("attempts/grading_queue", "course_id=1&page=1"),
    ("attempts/grade", "attempt_id=1&slot=1&mark=1&comment="),
    ("grades/table", "course_id=1&page=1&col_page=1"),
    (
        "grades/save_cell",
        r#"{"grade_item_id":1,"user_id":1,"edit":{"points":"5","excused":false,"feedback":"","reason":"","version":0}}"#,
    ),
    (
        "grades/add_category",
        "course_id=1&name=X&weight=0&drop_lowest=0",
    ),
    (
        "grades/add_item",
        "course_id=1&category_id=&name=X&max_points=10&extra_credit=false",
    ),
    ("grades/mine", "course_id=1"),
    (
        "grades/settings",
        "course_id=1&pass_percent=50&letters=F%3A%200",
    ),
    ("grades/set_hidden", "grade_item_id=1&hidden=true"),
    (
        "grades/update_item",
        "grade_item_id=1&name=X&max_points=10&extra_credit=false",
    ),
    ("grades/delete_item", "grade_item_id=1"),
    (
        "grades/update_category",
        "category_id=1&name=X&weight=0&drop_lowest=0",
    ),
    ("grades/delete_category", "category_id=1"),
    ("grades/history", "grade_item_id=1&user_id=1"),
    ("grades/import_preview", "course_id=1&csv=email%0A"),
    ("grades/import_apply", r#"{"course_id":1,"changes":[]}"#),
    ("assignments/editor", "item_id=3"),
    (
        "assignments/save_settings",
        r#"{"item_id":3,"form":{"max_points":"10","accept_text":true}}"#,
    ),
    ("assignments/mine", "item_id=3"),
    (
        "assignments/save_draft",
        r#"{"item_id":3,"draft":{"body":"x","version":0}}"#,
    ),
    ("assignments/submit", "item_id=3&version=0"),
    ("assignments/reopen", "item_id=3"),
    ("assignments/remove_file", "item_id=3&file_id=1"),
    ("assignments/list", "item_id=3&filter=all&page=1"),
    ("assignments/detail", "item_id=3&user_id=1"),
    (
        "assignments/grade",
        r#"{"item_id":3,"user_id":1,"input":{"points":"5","version":0}}"#,
    ),
    (
        "assignments/remove_feedback_file",
        "item_id=3&user_id=1&file_id=1",
    ),
    ("assignments/release", "item_id=3&released=true"),
    (
        "dashboard/overview",
        "course_id=1&below_percent=50&inactive_days=14&page=1",
    ),
    ("dashboard/quiz", "item_id=2"),
    ("items/overrides", "item_id=2&page=1"),
    (
        "items/set_override",
        "item_id=2&form[learners]=a%40example.com&form[extra_attempts]=1",
    ),
    ("items/remove_override", "item_id=2&user_id=1"),
    ("acknowledgements/view", "item_id=4"),
    ("acknowledgements/confirm", "item_id=4"),
    ("acknowledgements/overview", "item_id=4&page=1"),
    (
        "acknowledgements/statement",
        "item_id=4&statement=I%20agree",
    ),
    ("scorm/package", "item_id=5"),
    ("scorm/launch", "item_id=5&sco=i1"),
    (
        "scorm/commit",
        r#"{"item_id":5,"sco":"i1","sequence":1,"changes":{},"finish":false}"#,
    ),
    ("scorm/results", "item_id=5&page=1"),
    ("cmi5/course", "item_id=6"),
    ("cmi5/results", "item_id=6&page=1"),
    (
        "cmi5/waive",
        "item_id=6&user_id=1&au=0&reason=Administrative",
    ),
    ("cmi5/reset", "item_id=6&user_id=1"),
    ("cartridge/imports", "course_id=1&page=1"),
    ("scorm/availability", "item_id=5"),
    ("scorm/reset", "item_id=5&user_id=1"),
    ("scorm/navigate", "item_id=5&from=i1&request=continue"),
];

/// A draft course (id 1) with a section, a lesson, a file, and a quiz (item 2) holding bank
/// question 1 (category 1) that the instructor has started an attempt at (attempt 1), a
/// manual grade item (1), an assignment (item 3) and a grade category (1).
async fn course_fixture(state: &AppState) {
    use lyceum::courses::model::{CourseForm, ItemForm};
    let instructor = user_with_roles(state, "teacher@example.com", &[Role::Instructor]).await;
    let course = lyceum::enrolments::service::create_course(
        state,
        &instructor,
        &CourseForm {
            code: "C-1".into(),
            title: "Course".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let section = lyceum::courses::structure::add_section(state, &instructor, course.id, "One")
        .await
        .unwrap();
    lyceum::items::service::add_item(
        state,
        &instructor,
        section,
        &ItemForm {
            kind: "lesson".into(),
            title: "Lesson".into(),
            body: "Hello".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let bytes = axum::body::Bytes::from_static(b"%PDF-1.7\n%fixture\n");
    lyceum::files::service::receive(
        state,
        &instructor,
        course.id,
        "notes.pdf",
        futures_util::stream::iter(vec![Ok::<_, std::io::Error>(bytes)]),
    )
    .await
    .unwrap();
    let quiz = lyceum::items::service::add_item(
        state,
        &instructor,
        section,
        &ItemForm {
            kind: "quiz".into(),
            title: "Quiz".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let category = lyceum::assessments::bank::categories(state, &instructor, course.id)
        .await
        .unwrap()[0]
        .id;
    let question = lyceum::assessments::bank::import(
        state,
        &instructor,
        course.id,
        lyceum::assessments::model::QuestionFormat::Gift,
        "Is this a fixture? {T}",
        category,
        false,
    )
    .await
    .unwrap();
    lyceum::assessments::quiz::add_questions(state, &instructor, quiz, &[1])
        .await
        .unwrap();
    let attempt = lyceum::assessments::attempts::start(state, &instructor, quiz)
        .await
        .unwrap();
    let grade_item = lyceum::grading::service::add_item(
        state,
        &instructor,
        course.id,
        None,
        "Essay",
        10.0,
        false,
    )
    .await
    .unwrap();
    assert_eq!(grade_item, 1);
    let assignment = lyceum::items::service::add_item(
        state,
        &instructor,
        section,
        &ItemForm {
            kind: "assignment".into(),
            title: "Essay".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(assignment, 3);
    let acknowledgement = lyceum::items::service::add_item(
        state,
        &instructor,
        section,
        &ItemForm {
            kind: "acknowledgement".into(),
            title: "Fire safety".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(acknowledgement, 4);
    let package = lyceum::items::service::add_item(
        state,
        &instructor,
        section,
        &ItemForm {
            kind: "scorm".into(),
            title: "Golf".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(package, 5);
    let cmi5_course = lyceum::items::service::add_item(
        state,
        &instructor,
        section,
        &ItemForm {
            kind: "cmi5".into(),
            title: "Fire safety".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(cmi5_course, 6);
    let category =
        lyceum::grading::service::add_category(state, &instructor, course.id, "Essays", 0.0, 0)
            .await
            .unwrap();
    assert_eq!(category, 1);
    assert_eq!(
        (course.id, section, quiz, category, question, attempt),
        (1, 1, 2, 1, 1, 1)
    );
}

db_test!(
    a_learner_outside_a_course_is_refused_by_every_course_function,
    |state| {
        course_fixture(&state).await;
        let app = lyceum::http::router(state.clone());
        let learner = session_for(&state, "outsider@example.com", &[Role::Learner]).await;
        for (path, body) in COURSE_FNS {
            let reply = send(&app, server_fn(path, body, Some(&learner))).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{path}: {}",
                reply.body
            );
        }
        // Nor may they download the course's files or its participants list.
        for path in [
            "/files/1/notes.pdf",
            "/courses/1/participants.csv",
            "/courses/1/questions/export?format=gift",
            "/assignments/3/submissions.zip",
            "/courses/1/cartridge.imscc",
            "/acknowledgements/4/confirmations.csv",
            "/packages/5/1/index.html",
            "/scorm/5/1/index.html",
        ] {
            let req = Request::builder()
                .uri(path)
                .header(header::COOKIE, format!("lyceum_session={learner}"))
                .body(Body::empty())
                .unwrap();
            assert_eq!(
                send(&app, req).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
    }
);

db_test!(
    the_course_instructor_may_call_the_course_functions,
    |state| {
        course_fixture(&state).await;
        let app = lyceum::http::router(state.clone());
        let token = auth::sign_in(
            &state,
            "teacher@example.com",
            PASSWORD,
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap()
        .session()
        .unwrap();
        for path in [
            "courses/editor",
            "items/item",
            "lessons/revisions",
            "enrolments/participants",
            "learning/course",
            "questions/list",
            "questions/save",
            "quizzes/editor",
            "attempts/load",
            "attempts/save",
            "grades/table",
            "assignments/editor",
            "assignments/list",
            "assignments/save_settings",
            "dashboard/overview",
            "dashboard/quiz",
            "items/overrides",
            "acknowledgements/view",
            "acknowledgements/overview",
            "acknowledgements/statement",
            "scorm/package",
            "scorm/results",
            "cmi5/course",
            "cmi5/results",
            "cartridge/imports",
        ] {
            let body = COURSE_FNS.iter().find(|(p, _)| *p == path).unwrap().1;
            let reply = send(&app, server_fn(path, body, Some(&token))).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        }
        let req = Request::builder()
            .uri("/files/1/notes.pdf")
            .header(header::COOKIE, format!("lyceum_session={token}"))
            .header(header::RANGE, "bytes=0-3")
            .body(Body::empty())
            .unwrap();
        let reply = send(&app, req).await;
        assert_eq!(reply.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(reply.body, "%PDF");
        assert_eq!(reply.headers[header::CONTENT_TYPE], "application/pdf");
    }
);

#[test]
fn every_server_function_is_classified_in_these_tests() {
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        let name = path.trim_start_matches("/api/");
        let known = PUBLIC_FNS.contains(&name)
            || ACCOUNT_FNS.iter().any(|(p, _)| *p == name)
            || ADMIN_FNS.iter().any(|(p, _)| *p == name)
            || COURSE_FNS.iter().any(|(p, _)| *p == name);
        assert!(
            known,
            "server function {path} is not covered by the permission tests: add it to tests/http.rs"
        );
    }
}

db_test!(
    a_learner_gets_forbidden_from_every_admin_server_function,
    |state| {
        let app = lyceum::http::router(state.clone());
        let learner = session_for(&state, "learner@example.com", &[Role::Learner]).await;
        for (path, body) in ADMIN_FNS {
            let reply = send(&app, server_fn(path, body, Some(&learner))).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{path}: {}",
                reply.body
            );
            assert!(reply.body.contains("Forbidden"), "{path}: {}", reply.body);
        }
        let manager = session_for(&state, "manager@example.com", &[Role::Manager]).await;
        for path in [
            "settings/get",
            "audit/list",
            "outbox/list",
            "jobs/list",
            "xapi/clients",
            "xapi/save_forwarding",
            "sso/providers",
            "sso/save_provider",
            "sso/save_rules",
            "webhooks/list",
            "webhooks/save",
            "webhooks/deliveries",
        ] {
            let body = ADMIN_FNS.iter().find(|(p, _)| *p == path).unwrap().1;
            assert_eq!(
                send(&app, server_fn(path, body, Some(&manager)))
                    .await
                    .status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
    }
);

db_test!(
    signed_out_callers_get_unauthorized_from_account_and_admin_functions,
    |state| {
        let app = lyceum::http::router(state.clone());
        for (path, body) in ACCOUNT_FNS.iter().chain(ADMIN_FNS).chain(COURSE_FNS) {
            let reply = send(&app, server_fn(path, body, None)).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{path}: {}",
                reply.body
            );
        }
    }
);

db_test!(an_administrator_may_call_the_admin_functions, |state| {
    let app = lyceum::http::router(state.clone());
    let admin = session_for(&state, "admin@example.com", &[Role::Administrator]).await;
    let reply = send(
        &app,
        server_fn("users/list", "query[search]=admin", Some(&admin)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("admin@example.com"));
});

db_test!(sign_in_sets_a_secure_session_cookie, |state| {
    let app = lyceum::http::router(state.clone());
    user_with_roles(&state, "cookie@example.com", &[Role::Learner]).await;
    let body = format!(
        "email=cookie%40example.com&password={}",
        PASSWORD.replace(' ', "+")
    );
    let reply = send(&app, server_fn("auth/sign_in", &body, None)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let cookie = reply
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.starts_with("lyceum_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
});

db_test!(a_cross_origin_state_change_is_refused, |state| {
    let app = lyceum::http::router(state.clone());
    let admin = session_for(&state, "admin@example.com", &[Role::Administrator]).await;
    let mut req = server_fn(
        "users/create",
        "form[email]=evil%40example.com&form[name]=Evil",
        Some(&admin),
    );
    req.headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(send(&app, req).await.status, StatusCode::FORBIDDEN);
    let mut same = server_fn("users/list", "query[page]=1", Some(&admin));
    same.headers_mut()
        .insert(header::ORIGIN, "http://127.0.0.1:3000".parse().unwrap());
    assert_eq!(send(&app, same).await.status, StatusCode::OK);
});

db_test!(responses_carry_security_headers_and_a_request_id, |state| {
    let app = lyceum::http::router(state.clone());
    let reply = send(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    assert_eq!(reply.headers["x-frame-options"], "DENY");
    assert!(
        reply.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(reply.headers.contains_key("referrer-policy"));
    assert_eq!(reply.headers["x-request-id"].len(), 16);
    let ready = send(&app, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(ready.status, StatusCode::OK);
});

db_test!(oversized_bodies_are_refused, |state| {
    let app = lyceum::http::router(state.clone());
    let big = "x".repeat(state.config.max_body_bytes + 1);
    let mut req = server_fn("auth/sign_in", &big, None);
    req.headers_mut()
        .insert(header::CONTENT_LENGTH, big.len().into());
    let reply = send(&app, req).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
});

db_test!(the_rest_api_needs_a_token_and_refuses_learners, |state| {
    let app = lyceum::http::router(state.clone());
    let anonymous = send(&app, api(Method::GET, "/users", None, None)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let error: serde_json::Value = serde_json::from_str(&anonymous.body).unwrap();
    assert_eq!(error["error"]["code"], "unauthenticated");

    let learner = user_with_roles(&state, "l@example.com", &[Role::Learner]).await;
    let token = auth::create_api_token(&state, &learner, "t")
        .await
        .unwrap()
        .secret;
    let routes = [
        (Method::GET, "/users", None),
        (
            Method::POST,
            "/users",
            Some(r#"{"email":"x@example.com","name":"X"}"#),
        ),
        (Method::GET, "/users/1", None),
        (Method::PATCH, "/users/1", Some(r#"{"name":"Y"}"#)),
        (Method::DELETE, "/users/1", None),
    ];
    for (method, path, body) in routes {
        let reply = send(&app, api(method.clone(), path, Some(&token), body)).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            reply.body
        );
        assert!(reply.body.contains(r#""code":"forbidden""#));
    }
});

db_test!(the_rest_api_manages_users_with_cursor_pagination, |state| {
    let app = lyceum::http::router(state.clone());
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let token = auth::create_api_token(&state, &admin, "script")
        .await
        .unwrap()
        .secret;

    let created = send(
        &app,
        api(
            Method::POST,
            "/users",
            Some(&token),
            Some(r#"{"email":"api@example.com","name":"Api Person","roles":["instructor"]}"#),
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let user: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    let id = user["id"].as_i64().unwrap();
    assert_eq!(user["roles"], serde_json::json!(["instructor"]));

    let duplicate = send(
        &app,
        api(
            Method::POST,
            "/users",
            Some(&token),
            Some(r#"{"email":"API@example.com","name":"Again"}"#),
        ),
    )
    .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    let error: serde_json::Value = serde_json::from_str(&duplicate.body).unwrap();
    assert_eq!(error["error"]["field"], "email");
    assert_eq!(error["error"]["code"], "conflict");

    let patched = send(
        &app,
        api(
            Method::PATCH,
            &format!("/users/{id}"),
            Some(&token),
            Some(r#"{"status":"suspended","name":"Renamed"}"#),
        ),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let patched: serde_json::Value = serde_json::from_str(&patched.body).unwrap();
    assert_eq!(
        (patched["name"].as_str(), patched["status"].as_str()),
        (Some("Renamed"), Some("suspended"))
    );

    for i in 0..3 {
        let body = format!(r#"{{"email":"p{i}@example.com","name":"P{i}"}}"#);
        assert_eq!(
            send(&app, api(Method::POST, "/users", Some(&token), Some(&body)))
                .await
                .status,
            StatusCode::CREATED
        );
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let reply = send(
            &app,
            api(
                Method::GET,
                &format!("/users?limit=2&cursor={cursor}"),
                Some(&token),
                None,
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        let page: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "{seen:?}");

    assert_eq!(
        send(
            &app,
            api(Method::DELETE, &format!("/users/{id}"), Some(&token), None)
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(
            &app,
            api(Method::GET, &format!("/users/{id}"), Some(&token), None)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let bad_limit = send(&app, api(Method::GET, "/users?limit=0", Some(&token), None)).await;
    assert_eq!(bad_limit.status, StatusCode::UNPROCESSABLE_ENTITY);
});

db_test!(
    malformed_bodies_get_a_client_error_with_a_message_never_a_server_error,
    |state| {
        course_fixture(&state).await;
        let app = lyceum::http::router(state.clone());
        let session = auth::sign_in(
            &state,
            "teacher@example.com",
            PASSWORD,
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap()
        .session()
        .unwrap();
        let teacher = auth::actor_for_session(&state, &lyceum::auth::tokens::hash(&session))
            .await
            .unwrap()
            .unwrap();
        let token = auth::create_api_token(&state, &teacher, "script")
            .await
            .unwrap()
            .secret;
        // The REST API: broken JSON is 400, JSON of the wrong shape 422 (as the document says).
        for (body, expected) in [
            (r#"{"extra_attempts":"#, StatusCode::BAD_REQUEST),
            (r#"{"extra_attempts":1"#, StatusCode::BAD_REQUEST),
            (
                r#"{"extra_attempts":"two"}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (r#"{"due_at":5}"#, StatusCode::UNPROCESSABLE_ENTITY),
            (r#"["extra_attempts"]"#, StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let path = format!("/items/2/overrides/{}", teacher.id);
            let reply = send(&app, api(Method::PUT, &path, Some(&token), Some(body))).await;
            assert_eq!(reply.status, expected, "PUT {path} {body}: {}", reply.body);
            let error: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
            assert!(
                error["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{body}: {}",
                reply.body
            );
        }
        // The same feature's server function: arguments that cannot be read are 400.
        for body in [
            "item_id=two&form[learners]=a%40example.com",
            "item_id=2",
            "item_id=2&form[learners]=a%40example.com&form[extra_attempts]=1&form",
        ] {
            let reply = send(&app, server_fn("items/set_override", body, Some(&session))).await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{body}: {}",
                reply.body
            );
            let err: lyceum::error::AppError = serde_json::from_str(&reply.body).unwrap();
            assert!(
                matches!(&err, lyceum::error::AppError::BadRequest(m) if !m.is_empty()),
                "{body}: {err:?}"
            );
        }
    }
);

#[tokio::test]
async fn the_openapi_document_describes_the_user_routes() {
    let doc = serde_json::to_value(<lyceum::rest::ApiDoc as utoipa::OpenApi>::openapi()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/users", "/api/v1/users/{id}"] {
        assert!(doc["paths"].get(path).is_some(), "missing {path}");
    }
    assert!(doc["paths"]["/api/v1/users/{id}"].get("patch").is_some());
    assert!(doc["components"]["schemas"].get("User").is_some());
    assert!(doc["components"]["securitySchemes"].get("bearer").is_some());
}

fn page(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, format!("lyceum_session={cookie}"))
        .body(Body::empty())
        .unwrap()
}

const ADMIN_PAGES: &[&str] = &[
    "/admin/users",
    "/admin/users/new",
    "/admin/users/import",
    "/admin/users/1",
    "/admin/settings",
    "/admin/audit",
    "/admin/outbox",
    "/admin/certificates",
    "/admin/programmes",
    "/admin/certificates/templates",
    "/admin/certificates/templates/new",
    "/admin/lrs",
];

db_test!(a_learner_sees_the_403_page_on_every_admin_page, |state| {
    let app = lyceum::http::router(state.clone());
    let learner = session_for(&state, "learner@example.com", &[Role::Learner]).await;
    for path in ADMIN_PAGES {
        let reply = send(&app, page(path, &learner)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            reply.body.contains("You do not have access to this page"),
            "{path}"
        );
    }
    let export = send(&app, page("/admin/users/export.csv", &learner)).await;
    assert_eq!(export.status, StatusCode::FORBIDDEN);
    let home = send(&app, page("/", &learner)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Welcome, Test"));
});

db_test!(
    an_administrator_sees_the_admin_pages_and_exports_csv,
    |state| {
        let app = lyceum::http::router(state.clone());
        let admin = session_for(&state, "admin@example.com", &[Role::Administrator]).await;
        for path in ADMIN_PAGES {
            assert_eq!(
                send(&app, page(path, &admin)).await.status,
                StatusCode::OK,
                "{path}"
            );
        }
        let export = send(&app, page("/admin/users/export.csv", &admin)).await;
        assert_eq!(export.status, StatusCode::OK);
        assert_eq!(
            export.headers[header::CONTENT_TYPE],
            "text/csv; charset=utf-8"
        );
        assert!(export.body.contains("admin@example.com"));
        let missing = send(&app, page("/no-such-page", &admin)).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
);

/// Pages name the static files under the build id; those answers are cached for a year and sent
/// precompressed; the split loader's relative imports land in the same folder.
#[tokio::test]
async fn static_files_are_addressed_by_build_and_cached_for_a_year() {
    let site = std::env::temp_dir().join(format!("lyceum-site-{}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("lyceum.js"),
        "export function initSync() {}\n".repeat(100),
    )
    .unwrap();
    std::fs::write(pkg.join("lyceum.js.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("chunk_1.wasm"), b"\0asm").unwrap();
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("lyceum")
        .site_root(site.to_str().unwrap())
        .build();
    let state = AppState::new(
        options,
        lyceum::testing::sqlite().await,
        lyceum::testing::config(),
    )
    .unwrap();
    let root = state.assets.root();
    let app = lyceum::http::router(state);

    let sign_in = send(&app, page("/sign-in", "")).await;
    assert!(
        sign_in.body.contains(&format!("{root}/pkg/lyceum.css")),
        "{}",
        sign_in.body
    );

    let mut req = page(&format!("{root}/pkg/lyceum.js"), "");
    req.headers_mut()
        .insert(header::ACCEPT_ENCODING, "br, gzip".parse().unwrap());
    let js = send(&app, req).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(js.headers[header::CONTENT_ENCODING], "br");
    assert_eq!(
        js.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let chunk = send(&app, page(&format!("{root}/pkg/chunk_1.wasm"), "")).await;
    assert_eq!(chunk.status, StatusCode::OK);
    assert_eq!(
        chunk.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    // Another build's id or no id: today's file, revalidated rather than kept.
    let old = send(&app, page("/v/0123456789abcdef/pkg/chunk_1.wasm", "")).await;
    assert_eq!(old.status, StatusCode::OK);
    assert_eq!(old.headers[header::CACHE_CONTROL], "no-cache");
    let escape = send(&app, page(&format!("{root}/pkg/..%2Fsecret"), "")).await;
    assert_eq!(escape.status, StatusCode::NOT_FOUND);
    std::fs::remove_dir_all(&site).unwrap();
}

fn sign_in_post(body: &str, origin: &str) -> Request<Body> {
    Request::post("/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, origin)
        .body(Body::from(body.to_string()))
        .unwrap()
}

db_test!(signing_in_works_as_a_plain_form_post, |state| {
    let app = lyceum::http::router(state.clone());
    user_with_roles(&state, "plain@example.com", &[Role::Learner]).await;
    let origin = "http://127.0.0.1:3000";
    let body = |password: &str, next: &str| {
        format!(
            "email=plain%40example.com&password={}&next={}",
            password.replace(' ', "+"),
            next
        )
    };

    let wrong = send(&app, sign_in_post(&body("not it", "%2Fcourses"), origin)).await;
    assert_eq!(wrong.status, StatusCode::SEE_OTHER);
    let back = wrong.headers[header::LOCATION].to_str().unwrap();
    assert!(back.starts_with("/sign-in?error="), "{back}");
    assert!(
        back.contains("email=plain%40example.com") && back.contains("next=%2Fcourses"),
        "{back}"
    );
    assert!(
        !back.contains("not+it"),
        "the password never goes back into an address"
    );
    assert!(!wrong.headers.contains_key(header::SET_COOKIE));

    let right = send(&app, sign_in_post(&body(PASSWORD, "%2Fcourses"), origin)).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(right.headers[header::LOCATION], "/courses");
    let cookies: Vec<&str> = right
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("lyceum_session=") && c.contains("HttpOnly")),
        "{cookies:?}"
    );

    // Only a path on this site is followed; another site cannot post the form at all.
    let elsewhere = send(
        &app,
        sign_in_post(&body(PASSWORD, "%2F%2Fevil.example"), origin),
    )
    .await;
    assert_eq!(elsewhere.headers[header::LOCATION], "/");
    let forged = send(
        &app,
        sign_in_post(&body(PASSWORD, ""), "https://evil.example"),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let garbled = send(&app, sign_in_post("email=x", origin)).await;
    assert_eq!(garbled.status, StatusCode::SEE_OTHER);
});

db_test!(a_visitor_gets_the_home_page_with_a_sign_in_link, |state| {
    let app = lyceum::http::router(state.clone());
    user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let home = send(&app, page("/", "")).await;
    assert_eq!(home.status, StatusCode::OK, "a first visit is not an error");
    assert!(home.body.contains("href=\"/sign-in\""), "{}", home.body);
    assert!(home.body.contains("<meta name=\"description\""));
});

/// A server-function post as a browser sends it without script: HTML accepted, from a page.
fn plain_post(path: &str, body: &str, cookie: &str, from: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("/api/{path}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, format!("http://localhost{from}"))
        .header(header::COOKIE, format!("lyceum_session={cookie}"))
        .body(Body::from(body.to_string()))
        .unwrap()
}

db_test!(
    a_plain_form_post_goes_back_to_its_page_with_the_error_and_what_was_typed,
    |state| {
        let app = lyceum::http::router(state.clone());
        let admin = session_for(&state, "admin@example.com", &[Role::Administrator]).await;
        let body = "form[name]=Typed+Name&form[email]=not-an-email&form[roles][]=instructor\
                    &form[password]=a+secret+passphrase";
        let reply = send(
            &app,
            plain_post("users/create", body, &admin, "/admin/users/new?x=1"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let location = reply.headers[header::LOCATION].to_str().unwrap();
        let url = url::Url::parse(&format!("http://localhost{location}")).unwrap();
        assert_eq!(url.path(), "/admin/users/new");
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| {
            query
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("x").as_deref(), Some("1"));
        assert_eq!(get("typed.form[name]").as_deref(), Some("Typed Name"));
        assert_eq!(get("typed.form[roles][]").as_deref(), Some("instructor"));
        // A password is never put in a link.
        assert!(!location.contains("secret"), "{location}");
        let failed: lyceum::error::AppError =
            serde_json::from_str(&get("failed").unwrap()).unwrap();
        assert!(failed.field("email").is_some(), "{failed:?}");

        // Once it succeeds, the browser goes to the new user's page.
        let body = "form[name]=Typed+Name&form[email]=typed%40example.com&form[roles][]=instructor";
        let reply = send(
            &app,
            plain_post("users/create", body, &admin, "/admin/users/new"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        let location = reply.headers[header::LOCATION].to_str().unwrap();
        let id: i64 = location
            .strip_prefix("/admin/users/")
            .and_then(|rest| rest.strip_suffix("?created=1"))
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("{location}"));
        let created = lyceum::users::store::find(&state.db, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(created.name, "Typed Name");
        assert!(created.roles.contains(&Role::Instructor));
    }
);
