//! Programmes on SQLite and PostgreSQL: an ordered set of courses with "all" or "any N";
//! adding people enrols them in every course; each person's progress is one bar with the next
//! course in order; the programme completes from their course completions (by the job queue),
//! and only administrators and managers define programmes.

use crate::support::{self, ClassSpec};
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::programmes::model::ProgrammeForm;
use lyceum::programmes::service as programmes;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;
use lyceum::with_tx;

async fn complete(state: &AppState, course_id: i64, user_id: i64) {
    // A course completion as the completion rule records it: the enrolment, then the job.
    let mut tx = state.db.begin().await.unwrap();
    with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE enrolments SET completed_at = $1 WHERE course_id = $2 AND user_id = $3"
    )
    .bind(lyceum::db::now())
    .bind(course_id)
    .bind(user_id)
    .execute(c)
    .await
    .unwrap()
    .rows_affected());
    let payload =
        serde_json::to_string(&lyceum::completion::model::CourseCompleted { course_id, user_id })
            .unwrap();
    lyceum::jobs::queue::enqueue(
        &mut tx,
        lyceum::completion::model::COURSE_COMPLETED,
        &payload,
        lyceum::db::now(),
        lyceum::db::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    lyceum::jobs::worker::run_due(state, lyceum::db::now())
        .await
        .unwrap();
}

db_test!(
    a_programme_enrols_its_people_shows_the_next_course_and_completes_by_its_rule,
    |state| {
        let first = support::class(
            &state,
            ClassSpec {
                code: "NUR-1",
                title: "Hand hygiene",
                learners: &[],
                assistant: false,
                ..Default::default()
            },
        )
        .await;
        let mut courses = vec![first.course_id];
        for (code, title) in [("NUR-2", "Manual handling"), ("NUR-3", "Sepsis")] {
            let course = lyceum::enrolments::service::create_course(
                &state,
                &first.teacher,
                &lyceum::courses::model::CourseForm {
                    code: code.into(),
                    title: title.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            courses.push(course.id);
        }
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let ann = user_with_roles(&state, "ann@example.com", &[Role::Learner]).await;
        let bob = user_with_roles(&state, "bob@example.com", &[Role::Learner]).await;

        // Checked next to each field: unknown codes, a count above the number of courses.
        let err = programmes::save(
            &state,
            &admin,
            None,
            &ProgrammeForm {
                name: "Nursing induction".into(),
                courses: "NUR-1\nNUR-9".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert!(err.field("courses").unwrap().contains("NUR-9"), "{err:?}");
        let id = programmes::save(
            &state,
            &admin,
            None,
            &ProgrammeForm {
                name: "Nursing induction".into(),
                description: "For new nurses.".into(),
                courses: "nur-2\nNUR-1\nNUR-3".into(),
                required_count: "2".into(),
            },
        )
        .await
        .unwrap();
        // Completing the programme issues its certificate.
        let template = lyceum::certificates::service::save_template(
            &state,
            &admin,
            None,
            &lyceum::certificates::model::TemplateForm::from_design(
                "Programme",
                &lyceum::certificates::model::Design::default(),
            ),
        )
        .await
        .unwrap();
        lyceum::certificates::service::set_programme_template(&state, &admin, id, Some(template))
            .await
            .unwrap();
        assert_eq!(
            programmes::save(&state, &ann, None, &ProgrammeForm::default())
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            programmes::add_people(&state, &admin, id, "ann@example.com\nnobody@example.com")
                .await
                .unwrap_err()
                .field("emails")
                .unwrap(),
            "No one has the address nobody@example.com."
        );
        // No programme chosen, or a programme that is not there: said next to the choice.
        assert!(
            programmes::add_people(&state, &admin, 0, "ann@example.com")
                .await
                .unwrap_err()
                .field("programme")
                .is_some()
        );
        assert!(
            lyceum::certificates::service::set_programme_template(&state, &admin, 999, None)
                .await
                .unwrap_err()
                .field("programme_id")
                .is_some()
        );
        // Addresses match whatever their case.
        programmes::add_people(&state, &admin, id, "ANN@example.com, bob@example.com")
            .await
            .unwrap();

        // Adding enrolled them everywhere; the order is the programme's.
        let mine = programmes::mine(&state, &ann).await.unwrap();
        assert_eq!(mine.len(), 1);
        let p = &mine[0];
        assert_eq!(p.rule(), "Any 2 of 3 courses");
        let titles: Vec<&str> = p.courses.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["Manual handling", "Hand hygiene", "Sepsis"]);
        assert_eq!(p.next().unwrap().title, "Manual handling");
        assert_eq!(p.percent(), 0);
        for course in &courses {
            let enrolled = lyceum::completion::store::progress(&state.db, *course, ann.id)
                .await
                .unwrap();
            assert!(enrolled.is_some(), "enrolled in {course}");
        }

        // One course done: half-way, the next in order.
        complete(&state, courses[1], ann.id).await;
        let p = programmes::mine(&state, &ann).await.unwrap().remove(0);
        assert_eq!((p.percent(), p.completed_at), (50, None));
        assert_eq!(p.next().unwrap().title, "Hand hygiene");
        // Two: complete, with a course left over; Bob is untouched.
        complete(&state, courses[2], ann.id).await;
        let p = programmes::mine(&state, &ann).await.unwrap().remove(0);
        assert!(p.completed_at.is_some());
        assert_eq!((p.percent(), p.next()), (100, None));
        let certs = lyceum::certificates::service::mine(&state, &ann)
            .await
            .unwrap();
        assert_eq!(certs.len(), 1, "{certs:?}");
        assert_eq!(certs[0].title, "Nursing induction");
        assert_eq!(certs[0].expires_on, None);
        // The job again issues nothing more; the template in use stays.
        let payload = serde_json::to_string(&lyceum::programmes::model::ProgrammeCompleted {
            programme_id: id,
            user_id: ann.id,
        })
        .unwrap();
        lyceum::certificates::service::programme_completed(&state, &payload, lyceum::db::now())
            .await
            .unwrap();
        assert_eq!(
            lyceum::certificates::service::mine(&state, &ann)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            lyceum::certificates::service::delete_template(&state, &admin, template)
                .await
                .is_err()
        );
        let theirs = programmes::mine(&state, &bob).await.unwrap().remove(0);
        assert_eq!(theirs.percent(), 0);
        assert_eq!(
            programmes::list(&state, &admin).await.unwrap()[0].members,
            2
        );

        programmes::delete(&state, &admin, id).await.unwrap();
        assert!(programmes::mine(&state, &ann).await.unwrap().is_empty());
    }
);

db_test!(
    someone_put_on_a_programme_they_already_did_has_completed_it,
    |state| {
        let c = support::class(
            &state,
            ClassSpec {
                code: "FIRE-1",
                learners: &["ann@example.com", "bob@example.com"],
                ..Default::default()
            },
        )
        .await;
        let (ann, bob) = (&c.learners[0], &c.learners[1]);
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        // Ann completed the course before the programme was made.
        complete(&state, c.course_id, ann.id).await;
        let id = programmes::save(
            &state,
            &admin,
            None,
            &ProgrammeForm {
                name: "Fire safety".into(),
                courses: "FIRE-1".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        programmes::add_people(&state, &admin, id, "ann@example.com bob@example.com")
            .await
            .unwrap();
        assert!(
            programmes::mine(&state, ann).await.unwrap()[0]
                .completed_at
                .is_some()
        );
        assert_eq!(
            programmes::mine(&state, bob).await.unwrap()[0].completed_at,
            None
        );
    }
);
