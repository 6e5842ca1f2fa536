//! Date overrides on SQLite and PostgreSQL, set once on the item layer for every kind with dates:
//! an assignment extension (the learner sees their due date, the late penalty follows it, removing
//! it counts the penalty again in the gradebook, a later cut-off lets them hand in), a quiz
//! accommodation (a later close, a longer time limit, an extra attempt), who may set and see them,
//! audit, and a course copy that takes none.

use crate::support::{self, ClassSpec};
use lyceum::assessments::model::{QuestionFormat, QuizSettingsForm};
use lyceum::assignments::model::{AssignmentSettingsForm, DraftSave, GradeInput};
use lyceum::assignments::service as assignments;
use lyceum::auth::permissions::Actor;
use lyceum::courses::model::ItemForm;
use lyceum::db::{Db, now};
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::input::format_datetime;
use lyceum::items::overrides;
use lyceum::items::service as items;
use lyceum::overrides::model::OverrideForm;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

const DAY: i64 = 86_400;

struct Class {
    teacher: Actor,
    assistant: Actor,
    ada: Actor,
    bo: Actor,
    course_id: i64,
    section: i64,
}

async fn class(state: &AppState) -> Class {
    let c = support::class(
        state,
        ClassSpec {
            code: "OV-1",
            title: "Overrides",
            learners: &["ada@example.com", "bo@example.com"],
            ..Default::default()
        },
    )
    .await;
    Class {
        assistant: c.assistant(),
        ada: c.learners[0].clone(),
        bo: c.learners[1].clone(),
        teacher: c.teacher,
        course_id: c.course_id,
        section: c.section_id,
    }
}

async fn add(state: &AppState, c: &Class, kind: &str, title: &str) -> i64 {
    items::add_item(
        state,
        &c.teacher,
        c.section,
        &ItemForm {
            kind: kind.into(),
            title: title.into(),
            required: true,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// The points the gradebook holds for a learner on a course item.
async fn gradebook_points(db: &Db, item_id: i64, user_id: i64) -> Option<f64> {
    let sql = "SELECT g.points FROM grades g JOIN grade_items gi ON gi.id = g.grade_item_id \
               WHERE gi.source_item_id = $1 AND g.user_id = $2";
    match db {
        Db::Sqlite(pools) => sqlx::query_scalar(sql)
            .bind(item_id)
            .bind(user_id)
            .fetch_optional(&pools.read)
            .await
            .unwrap()
            .flatten(),
        Db::Postgres(pool) => sqlx::query_scalar(sql)
            .bind(item_id)
            .bind(user_id)
            .fetch_optional(pool)
            .await
            .unwrap()
            .flatten(),
    }
}

async fn hand_in(state: &AppState, who: &Actor, item_id: i64) -> Result<(), AppError> {
    let draft = DraftSave {
        body: "My essay.".into(),
        version: 0,
    };
    let version = assignments::save_draft(state, who, item_id, &draft).await?;
    assignments::submit(state, who, item_id, version).await
}

db_test!(
    an_extension_moves_the_learners_due_date_and_late_penalty,
    |state| {
        let c = class(&state).await;
        let item = add(&state, &c, "assignment", "Essay").await;
        let t = now();
        assignments::save_settings(
            &state,
            &c.teacher,
            item,
            &AssignmentSettingsForm {
                due_at: format_datetime(Some(t - 2 * DAY - 3600)),
                cutoff_at: format_datetime(Some(t - DAY)),
                late_percent_per_day: "10".into(),
                late_max_percent: "50".into(),
                accept_text: true,
                max_files: "1".into(),
                max_points: "80".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        // The cut-off has passed for everyone.
        assert!(hand_in(&state, &c.bo, item).await.is_err());

        let form = OverrideForm {
            learners: "ADA@example.com".into(),
            due_at: format_datetime(Some(t + DAY)),
            cutoff_at: format_datetime(Some(t + 2 * DAY)),
            reason: "Medical certificate".into(),
            ..Default::default()
        };
        let err = overrides::set(&state, &c.assistant, item, &form)
            .await
            .unwrap_err();
        assert_eq!(err, AppError::Forbidden, "assistants see, instructors set");
        assert_eq!(
            overrides::set(&state, &c.teacher, item, &form)
                .await
                .unwrap(),
            1
        );

        let mine = assignments::mine(&state, &c.ada, item).await.unwrap();
        assert!(mine.own_dates);
        assert_eq!(mine.settings.due_at, Some(t + DAY - (t + DAY) % 60));
        assert!(mine.may_edit, "her cut-off is later");
        let theirs = assignments::mine(&state, &c.bo, item).await.unwrap();
        assert!(!theirs.own_dates);
        assert!(!theirs.may_edit);
        hand_in(&state, &c.ada, item).await.unwrap();
        // Handed in before her own due date: the "late" count and filter leave her out.
        use lyceum::assignments::model::SubmissionFilter;
        let listed = assignments::list(&state, &c.teacher, item, SubmissionFilter::All, 1)
            .await
            .unwrap();
        assert_eq!(listed.counts.submitted, 1);
        assert_eq!(listed.counts.late, 0, "her due date is tomorrow");
        let late = assignments::list(&state, &c.teacher, item, SubmissionFilter::Late, 1)
            .await
            .unwrap();
        assert!(late.rows.is_empty());

        // Graded on time: no penalty; the gradebook holds the full points.
        let grade = GradeInput {
            points: "50".into(),
            ..Default::default()
        };
        let saved = assignments::grade(&state, &c.teacher, item, c.ada.id, &grade)
            .await
            .unwrap();
        assert_eq!(saved.points, Some(50.0));
        assert_eq!(
            gradebook_points(&state.db, item, c.ada.id).await,
            Some(50.0)
        );

        // Listed with its reason; removing it counts the item's due date again (3 days late: 30 %).
        let list = overrides::list(&state, &c.assistant, item, 1)
            .await
            .unwrap();
        assert_eq!(list.page.items.len(), 1);
        assert_eq!(list.page.items[0].reason, "Medical certificate");
        assert!(list.page.items[0].dates.describe().starts_with("Due "));
        overrides::remove(&state, &c.teacher, item, c.ada.id)
            .await
            .unwrap();
        assert_eq!(
            gradebook_points(&state.db, item, c.ada.id).await,
            Some(35.0)
        );
        let late = assignments::list(&state, &c.teacher, item, SubmissionFilter::Late, 1)
            .await
            .unwrap();
        assert_eq!(late.counts.late, 1, "late again by the item's due date");
        assert_eq!(late.rows.len(), 1);
        assert!(
            !assignments::mine(&state, &c.ada, item)
                .await
                .unwrap()
                .own_dates
        );
        let err = overrides::remove(&state, &c.teacher, item, c.ada.id)
            .await
            .unwrap_err();
        assert_eq!(err, AppError::NotFound);

        // Audited both ways.
        let sql =
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('override.set', 'override.remove')";
        let audited: i64 = match &state.db {
            Db::Sqlite(pools) => sqlx::query_scalar(sql)
                .fetch_one(&pools.read)
                .await
                .unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        };
        assert_eq!(audited, 2);
    }
);

db_test!(
    a_quiz_accommodation_gives_a_later_close_more_time_and_an_attempt_more,
    |state| {
        let c = class(&state).await;
        let quiz = add(&state, &c, "quiz", "Check").await;
        let category = lyceum::assessments::bank::categories(&state, &c.teacher, c.course_id)
            .await
            .unwrap()[0]
            .id;
        lyceum::assessments::bank::import(
            &state,
            &c.teacher,
            c.course_id,
            QuestionFormat::Gift,
            "Cells divide. {T}",
            category,
            false,
        )
        .await
        .unwrap();
        let ids: Vec<i64> = vec![1];
        lyceum::assessments::quiz::add_questions(&state, &c.teacher, quiz, &ids)
            .await
            .unwrap();
        let t = now();
        lyceum::assessments::quiz::save_settings(
            &state,
            &c.teacher,
            quiz,
            &QuizSettingsForm {
                closes_at: format_datetime(Some(t - 3600)),
                time_limit_minutes: "10".into(),
                attempts_allowed: "1".into(),
                grading_method: "highest".into(),
                questions_per_page: "0".into(),
                review_answers: "after_submit".into(),
                review_correct: "after_submit".into(),
                review_feedback: "after_submit".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let closed = lyceum::assessments::attempts::intro(&state, &c.bo, quiz)
            .await
            .unwrap();
        assert!(closed.cannot_start.is_some());

        // Assignments' dates are not a quiz's.
        let wrong = OverrideForm {
            learners: "ada@example.com".into(),
            due_at: format_datetime(Some(t + DAY)),
            ..Default::default()
        };
        let err = overrides::set(&state, &c.teacher, quiz, &wrong)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref e) if e[0].field == "due_at"));
        let stranger = OverrideForm {
            learners: "ada@example.com, nobody@example.com".into(),
            closes_at: format_datetime(Some(t + DAY)),
            ..Default::default()
        };
        let err = overrides::set(&state, &c.teacher, quiz, &stranger)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::Invalid(ref e) if e[0].message.contains("nobody@example.com")),
            "{err:?}"
        );

        let form = OverrideForm {
            learners: "ada@example.com".into(),
            closes_at: format_datetime(Some(t + DAY)),
            time_limit_minutes: "25".into(),
            extra_attempts: "1".into(),
            reason: "Accessibility plan".into(),
            ..Default::default()
        };
        overrides::set(&state, &c.teacher, quiz, &form)
            .await
            .unwrap();
        let intro = lyceum::assessments::attempts::intro(&state, &c.ada, quiz)
            .await
            .unwrap();
        assert!(intro.own_dates);
        assert_eq!(intro.cannot_start, None);
        assert_eq!(intro.settings.time_limit_secs, Some(25 * 60));
        assert_eq!(intro.settings.attempts_allowed, 2);
        let attempt = lyceum::assessments::attempts::start(&state, &c.ada, quiz)
            .await
            .unwrap();
        let view = lyceum::assessments::attempts::view(&state, &c.ada, attempt)
            .await
            .unwrap();
        let deadline = view.deadline_at.unwrap();
        assert!(
            deadline >= t + 25 * 60 - 5 && deadline <= now() + 25 * 60,
            "her time limit"
        );
        // More time granted while she is in the attempt: its deadline moves at once.
        let more = OverrideForm {
            time_limit_minutes: "40".into(),
            ..form.clone()
        };
        overrides::set(&state, &c.teacher, quiz, &more)
            .await
            .unwrap();
        let moved = lyceum::assessments::attempts::view(&state, &c.ada, attempt)
            .await
            .unwrap()
            .deadline_at
            .unwrap();
        assert!(
            moved >= deadline + 15 * 60 - 1 && moved <= deadline + 15 * 60 + 1,
            "40 minutes from the same start: {deadline} -> {moved}"
        );
        // Bo still cannot start.
        let err = lyceum::assessments::attempts::start(&state, &c.bo, quiz)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Conflict(_)));

        // Learners neither see nor set overrides; a course copy takes none.
        let err = overrides::list(&state, &c.ada, quiz, 1).await.unwrap_err();
        assert_eq!(err, AppError::Forbidden);
        let err = overrides::set(&state, &c.ada, quiz, &form)
            .await
            .unwrap_err();
        assert_eq!(err, AppError::Forbidden);
        let copy =
            lyceum::items::copy::copy_course(&state, &c.teacher, c.course_id, "OV-2", "Again")
                .await
                .unwrap();
        let outline = lyceum::courses::outline_store::outline(&state.db, copy.id, true)
            .await
            .unwrap();
        let copied = outline[0].items[0].id;
        let list = overrides::list(&state, &c.teacher, copied, 1)
            .await
            .unwrap();
        assert_eq!(list.page.total, 0);
        // Items without dates have none to change.
        let lesson = add(&state, &c, "lesson", "Reading").await;
        assert!(
            overrides::set(&state, &c.teacher, lesson, &form)
                .await
                .is_err()
        );
    }
);

db_test!(a_whole_group_gets_an_extension_at_once, |state| {
    let c = class(&state).await;
    let item = add(&state, &c, "assignment", "Essay").await;
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let cohort = lyceum::enrolments::cohorts::create(&state, &admin, "Exchange students", "")
        .await
        .unwrap();
    let outsider = user_with_roles(&state, "cy@example.com", &[Role::Learner]).await;
    lyceum::enrolments::cohorts::add_members(
        &state,
        &admin,
        cohort,
        "ada@example.com, bo@example.com, cy@example.com",
    )
    .await
    .unwrap();
    let list = overrides::list(&state, &c.teacher, item, 1).await.unwrap();
    assert_eq!(list.groups.len(), 1);
    assert_eq!(
        list.groups[0].learners, 2,
        "only the course's learners count"
    );

    let t = now();
    let form = OverrideForm {
        cohort: cohort.to_string(),
        due_at: format_datetime(Some(t + 3 * DAY)),
        reason: "Exchange term".into(),
        ..Default::default()
    };
    assert_eq!(
        overrides::set(&state, &c.teacher, item, &form)
            .await
            .unwrap(),
        2
    );
    for who in [&c.ada, &c.bo] {
        assert!(
            assignments::mine(&state, who, item)
                .await
                .unwrap()
                .own_dates
        );
    }
    assert!(assignments::mine(&state, &outsider, item).await.is_err());
    let list = overrides::list(&state, &c.teacher, item, 1).await.unwrap();
    assert_eq!(list.page.total, 2);

    // Neither a group nor an email: the form says what is missing.
    let nobody = OverrideForm {
        due_at: format_datetime(Some(t + 3 * DAY)),
        ..Default::default()
    };
    let err = overrides::set(&state, &c.teacher, item, &nobody)
        .await
        .unwrap_err();
    assert!(err.field("learners").is_some(), "{err:?}");
    let wrong = OverrideForm {
        cohort: "999999".into(),
        ..form
    };
    let err = overrides::set(&state, &c.teacher, item, &wrong)
        .await
        .unwrap_err();
    assert!(err.field("cohort").is_some(), "{err:?}");
});

db_test!(
    overrides_are_set_listed_and_removed_through_the_rest_api,
    |state| {
        use crate::support::{api, send};
        use http::{Method, StatusCode};
        let c = class(&state).await;
        let item = add(&state, &c, "assignment", "Essay").await;
        let app = lyceum::http::router(state.clone());
        let token = lyceum::auth::service::create_api_token(&state, &c.teacher, "SIS")
            .await
            .unwrap()
            .secret;
        let body = r#"{"due_at":"2030-01-02T10:00:00Z","cutoff_at":"2030-01-03T10:00:00+02:00","reason":"Exchange term"}"#;
        let path = format!("/items/{item}/overrides/{}", c.ada.id);
        let reply = send(&app, api(Method::PUT, &path, Some(&token), Some(body))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(
            reply.body.contains(r#""due_at":"2030-01-02T10:00:00Z""#),
            "{}",
            reply.body
        );
        assert!(
            reply.body.contains(r#""cutoff_at":"2030-01-03T08:00:00Z""#),
            "{}",
            reply.body
        );
        let mine = assignments::mine(&state, &c.ada, item).await.unwrap();
        assert!(mine.own_dates);

        // A quiz-only field, a stranger and a learner's token are refused.
        // `1.0` is a JSON Schema integer: read as 1, then refused by the rules, not the parser.
        let wrong = send(
            &app,
            api(
                Method::PUT,
                &path,
                Some(&token),
                Some(r#"{"extra_attempts":1.0}"#),
            ),
        )
        .await;
        assert_eq!(
            wrong.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            wrong.body
        );
        assert!(
            wrong.body.contains(r#""field":"extra_attempts""#),
            "{}",
            wrong.body
        );
        let stranger = user_with_roles(&state, "cy@example.com", &[Role::Learner]).await;
        let not_ours = format!("/items/{item}/overrides/{}", stranger.id);
        let reply = send(&app, api(Method::PUT, &not_ours, Some(&token), Some(body))).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        let learner_token = lyceum::auth::service::create_api_token(&state, &c.bo, "mine")
            .await
            .unwrap()
            .secret;
        let reply = send(
            &app,
            api(Method::PUT, &path, Some(&learner_token), Some(body)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);

        let list = send(
            &app,
            api(
                Method::GET,
                &format!("/items/{item}/overrides"),
                Some(&token),
                None,
            ),
        )
        .await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("ada@example.com") && list.body.contains("Exchange term"));
        // A query parameter the document does not name is refused, not ignored.
        let unknown = send(
            &app,
            api(
                Method::GET,
                &format!("/items/{item}/overrides?page=1&colour=blue"),
                Some(&token),
                None,
            ),
        )
        .await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.body);
        let gone = send(&app, api(Method::DELETE, &path, Some(&token), None)).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let again = send(&app, api(Method::DELETE, &path, Some(&token), None)).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
    }
);
