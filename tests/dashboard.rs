//! The instructor dashboard on SQLite and PostgreSQL, against hand-computed figures: quiz mean,
//! median, distribution, facility and discrimination; work needing grading; late and missing
//! work; learners at risk; completion by day.

use lyceum::assessments::model::{AnswerSave, BankQuestion};
use lyceum::assessments::question::*;
use lyceum::assessments::{attempts, bank, quiz};
use lyceum::assignments::model::{AssignmentSettingsForm, DraftSave};
use lyceum::assignments::service as assignments;
use lyceum::auth::permissions::Actor;
use lyceum::courses::model::{CourseForm, CourseRole, CourseState, ItemForm};
use lyceum::courses::{service, structure};
use lyceum::dashboard::model::RiskQuery;
use lyceum::dashboard::service as dashboard;
use lyceum::db::now;
use lyceum::db_test;
use lyceum::enrolments::service::create_course;
use lyceum::error::AppError;
use lyceum::input::format_datetime;
use lyceum::items::service as items;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

fn true_false(n: usize) -> Question {
    Question {
        name: format!("Q{n}"),
        stem: RichText::plain(format!("Statement {n}?")),
        general_feedback: None,
        body: QuestionBody::TrueFalse {
            correct: true,
            true_feedback: None,
            false_feedback: None,
        },
        default_mark: 1.0,
        tags: vec![],
        id_number: None,
    }
}

db_test!(the_dashboard_agrees_with_hand_computed_figures, |state| {
    let teacher = user_with_roles(&state, "teacher@example.com", &[Role::Instructor]).await;
    let course = create_course(
        &state,
        &teacher,
        &CourseForm {
            code: "DB-1".into(),
            title: "Dashboards".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let section = structure::add_section(&state, &teacher, course.id, "Week 1")
        .await
        .unwrap();
    service::set_state(&state, &teacher, course.id, CourseState::Published)
        .await
        .unwrap();
    let category = bank::categories(&state, &teacher, course.id).await.unwrap()[0].id;
    let mut ids = Vec::new();
    for n in 1..=4 {
        let input = BankQuestion {
            id: None,
            category_id: category,
            question: true_false(n),
            version: 0,
        };
        ids.push(
            bank::save(&state, &teacher, course.id, input)
                .await
                .unwrap(),
        );
    }
    let quiz_item = items::add_item(
        &state,
        &teacher,
        section,
        &ItemForm {
            kind: "quiz".into(),
            title: "Check".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    quiz::add_questions(&state, &teacher, quiz_item, &ids)
        .await
        .unwrap();

    // Four learners answer 4, 3, 2 and 1 questions right (always the first ones).
    let mut learners: Vec<Actor> = Vec::new();
    for (i, right) in [4usize, 3, 2, 1].into_iter().enumerate() {
        let learner = user_with_roles(&state, &format!("l{i}@example.com"), &[Role::Learner]).await;
        lyceum::enrolments::service::enrol_user(
            &state,
            &teacher,
            course.id,
            learner.id,
            CourseRole::Learner,
        )
        .await
        .unwrap();
        let attempt = attempts::start(&state, &learner, quiz_item).await.unwrap();
        let answers: Vec<AnswerSave> = (1..=4)
            .map(|slot| AnswerSave {
                slot,
                seq: 1,
                response: Some(Response::Bool(slot as usize <= right)),
            })
            .collect();
        attempts::submit(&state, &learner, attempt, &answers)
            .await
            .unwrap();
        learners.push(learner);
    }
    // A staff member's own attempt does not count.
    let attempt = attempts::start(&state, &teacher, quiz_item).await.unwrap();
    attempts::submit(&state, &teacher, attempt, &[])
        .await
        .unwrap();

    let s = dashboard::quiz_stats(&state, &teacher, quiz_item)
        .await
        .unwrap();
    assert_eq!(s.attempts, 4);
    assert_eq!((s.mean, s.median), (Some(62.5), Some(62.5)));
    assert_eq!(s.distribution, vec![0, 0, 1, 0, 0, 1, 0, 1, 0, 1]);
    assert!(s.distribution_svg.contains("<svg") && s.distribution_svg.contains("90–100 %: 1"));
    let facility: Vec<Option<f64>> = s.questions.iter().map(|q| q.facility).collect();
    assert_eq!(
        facility,
        vec![Some(100.0), Some(75.0), Some(50.0), Some(25.0)]
    );
    assert_eq!(s.questions[0].name, "Q1");
    // Everyone got Q1 right: no discrimination. Q4 (only the best learner): question
    // [1,0,0,0] against the rest [3,3,2,1]: 0.75 / sqrt(0.75 × 2.75) = 52.22.
    assert_eq!(s.questions[0].discrimination, None);
    let d4 = s.questions[3].discrimination.unwrap();
    assert!((d4 - 52.2233).abs() < 1e-3, "{d4}");
    assert!(s.questions[1].discrimination.unwrap() > 0.0);

    // A required assignment due yesterday: one learner hands it in (late, and so completes
    // the course), three do not.
    let assignment = items::add_item(
        &state,
        &teacher,
        section,
        &ItemForm {
            kind: "assignment".into(),
            title: "Report".into(),
            required: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let form = AssignmentSettingsForm {
        due_at: format_datetime(Some(now() - 86_400)),
        accept_text: true,
        max_points: "10".into(),
        ..Default::default()
    };
    assignments::save_settings(&state, &teacher, assignment, &form)
        .await
        .unwrap();
    let v = assignments::save_draft(
        &state,
        &learners[0],
        assignment,
        &DraftSave {
            body: "Done".into(),
            version: 0,
        },
    )
    .await
    .unwrap();
    assignments::submit(&state, &learners[0], assignment, v)
        .await
        .unwrap();

    let o = dashboard::overview(&state, &teacher, course.id, RiskQuery::default())
        .await
        .unwrap();
    assert_eq!(o.learners, 4);
    let waiting: Vec<(&str, i64)> = o
        .needs_grading
        .iter()
        .map(|w| (w.title.as_str(), w.count))
        .collect();
    assert_eq!(waiting, vec![("Report", 1)]);
    assert_eq!(o.late.len(), 1);
    assert_eq!((o.late[0].late, o.late[0].missing), (1, 3));
    // Totals: 100, 75, 50, 25 (the quiz is the only graded item): one learner below 50 %
    // (the first has completed the course, so is not at risk at all).
    let risky: Vec<&str> = o.at_risk.iter().map(|l| l.email.as_str()).collect();
    assert_eq!(risky, vec!["l3@example.com"]);
    assert_eq!(
        o.at_risk[0].reasons,
        vec!["Course total 25.0 %".to_string()]
    );
    // Raising the bar to 60 % adds the learner at 50 %, lowest first.
    let o = dashboard::overview(
        &state,
        &teacher,
        course.id,
        RiskQuery {
            below_percent: 60.0,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let risky: Vec<&str> = o.at_risk.iter().map(|l| l.email.as_str()).collect();
    assert_eq!(risky, vec!["l3@example.com", "l2@example.com"]);
    assert_eq!(o.at_risk_total, 2);
    // Inactivity: everyone enrolled just now, so nobody is idle for a day yet.
    let o = dashboard::overview(
        &state,
        &teacher,
        course.id,
        RiskQuery {
            below_percent: 0.0,
            inactive_days: 1,
            page: 1,
        },
    )
    .await
    .unwrap();
    assert_eq!(o.at_risk_total, 0);

    // Completion by day: one of four learners, today; nobody before.
    assert_eq!(o.completion.len(), 30);
    let today = o.completion.last().unwrap();
    assert_eq!((today.completed, today.percent), (1, 25.0));
    assert_eq!(o.completion[28].completed, 0);
    assert!(o.completion_svg.contains("<polyline"));

    // Bad filters are field messages; learners and outsiders are refused.
    let err = dashboard::overview(
        &state,
        &teacher,
        course.id,
        RiskQuery {
            inactive_days: 0,
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(err.field("inactive_days").is_some());
    assert!(matches!(
        dashboard::overview(&state, &learners[0], course.id, RiskQuery::default()).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        dashboard::quiz_stats(&state, &learners[0], quiz_item).await,
        Err(AppError::Forbidden)
    ));
});
