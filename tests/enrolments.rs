//! Enrolments on SQLite and PostgreSQL: self-enrolment (keys, approval, capacity and the waiting
//! list), unenrolment that keeps history, progress and completion, enrolment dates, bulk CSV,
//! cohorts and who may do what.

use lyceum::auth::permissions::Actor;
use lyceum::completion::store as progress_store;
use lyceum::courses::model::{
    CourseForm, CourseRole, CourseState, EnrolmentMethod, EnrolmentSettingsForm, EnrolmentStatus,
    ItemForm,
};
use lyceum::courses::{access, service as courses, structure};
use lyceum::db_test;
use lyceum::enrolments::model::{EnrolOption, ParticipantQuery, ProgressFilter};
use lyceum::enrolments::{cohorts, service, store};
use lyceum::error::AppError;
use lyceum::items::service as items;
use lyceum::learning::service as learning;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

// ---- helpers ---------------------------------------------------------------------------------

async fn instructor(state: &AppState) -> Actor {
    user_with_roles(state, "teacher@example.com", &[Role::Instructor]).await
}

async fn learner(state: &AppState, email: &str) -> Actor {
    user_with_roles(state, email, &[Role::Learner]).await
}

fn settings(key: &str, approval: bool, capacity: &str) -> EnrolmentSettingsForm {
    EnrolmentSettingsForm {
        self_enrol: true,
        enrol_key: key.into(),
        needs_approval: approval,
        capacity: capacity.into(),
    }
}

fn lesson(title: &str, completion: &str, required: bool, hidden: bool) -> ItemForm {
    ItemForm {
        kind: "lesson".into(),
        title: title.into(),
        body: format!("# {title}\n"),
        required,
        hidden,
        completion: completion.into(),
        ..Default::default()
    }
}

/// A course by `teacher` with one section and these items; published with the given enrolment
/// settings unless `settings` is `None` (then it stays a draft, closed to self-enrolment).
async fn course(
    state: &AppState,
    teacher: &Actor,
    code: &str,
    settings: Option<EnrolmentSettingsForm>,
    items: &[ItemForm],
) -> (i64, Vec<i64>) {
    let form = CourseForm {
        code: code.into(),
        title: format!("Course {code}"),
        ..Default::default()
    };
    let course = service::create_course(state, teacher, &form).await.unwrap();
    let section = structure::add_section(state, teacher, course.id, "Week 1")
        .await
        .unwrap();
    let mut ids = Vec::new();
    for item in items {
        ids.push(
            items::add_item(state, teacher, section, item)
                .await
                .unwrap(),
        );
    }
    if let Some(settings) = settings {
        service::set_enrolment_settings(state, teacher, course.id, &settings)
            .await
            .unwrap();
        courses::set_state(state, teacher, course.id, CourseState::Published)
            .await
            .unwrap();
    }
    (course.id, ids)
}

/// An open, published course with one required "view" lesson.
async fn open_course(state: &AppState, teacher: &Actor, settings: EnrolmentSettingsForm) -> i64 {
    course(
        state,
        teacher,
        "BIO-101",
        Some(settings),
        &[lesson("Intro", "view", true, false)],
    )
    .await
    .0
}

async fn status_of(state: &AppState, course_id: i64, who: &Actor) -> Option<EnrolmentStatus> {
    store::find(&state.db, course_id, who.id)
        .await
        .unwrap()
        .map(|e| e.status())
}

async fn role_in(state: &AppState, course_id: i64, who: &Actor) -> Option<CourseRole> {
    access::load(&state.db, who, course_id).await.unwrap().role
}

/// Learners of a course (any status but withdrawn) with this progress filter, by email.
async fn learners_with(
    state: &AppState,
    teacher: &Actor,
    course_id: i64,
    progress: ProgressFilter,
) -> Vec<String> {
    let query = ParticipantQuery {
        role: Some(CourseRole::Learner),
        progress,
        ..Default::default()
    };
    service::participants(state, teacher, course_id, &query)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|p| p.email)
        .collect()
}

// ---- self-enrolment --------------------------------------------------------------------------

db_test!(learner_self_enrols_in_an_open_course, |state| {
    let teacher = instructor(&state).await;
    let student = learner(&state, "learner@example.com").await;
    let course_id = open_course(&state, &teacher, settings("", false, "")).await;

    let status = service::self_enrol(
        &state,
        &student,
        course_id,
        "",
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap();

    assert_eq!(status, EnrolmentStatus::Active);
    assert_eq!(
        role_in(&state, course_id, &student).await,
        Some(CourseRole::Learner)
    );
    let row = store::find(&state.db, course_id, student.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.method, EnrolmentMethod::SelfEnrol.as_str());
    let page = learning::course_page(&state, &student, course_id)
        .await
        .unwrap();
    assert_eq!(
        page.enrol,
        EnrolOption::Enrolled {
            role: CourseRole::Learner,
            status: EnrolmentStatus::Active
        }
    );
    assert!(page.can_open);
});

db_test!(a_course_without_self_enrolment_is_by_invitation, |state| {
    let teacher = instructor(&state).await;
    let student = learner(&state, "learner@example.com").await;
    let course_id = open_course(&state, &teacher, EnrolmentSettingsForm::default()).await;

    let err = service::self_enrol(
        &state,
        &student,
        course_id,
        "",
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap_err();

    assert!(err.general().unwrap().contains("invitation"), "{err:?}");
    assert_eq!(status_of(&state, course_id, &student).await, None);
});

db_test!(an_enrolment_key_must_match, |state| {
    let teacher = instructor(&state).await;
    let student = learner(&state, "learner@example.com").await;
    let course_id = open_course(&state, &teacher, settings("mitochondria", false, "")).await;
    let course = lyceum::courses::store::find(&state.db, course_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        service::enrol_option(&state, &student, &course)
            .await
            .unwrap(),
        EnrolOption::Open {
            needs_key: true,
            needs_approval: false,
            full: false
        }
    );

    for wrong in ["", "Mitochondria", "mitochondri"] {
        let err = service::self_enrol(
            &state,
            &student,
            course_id,
            wrong,
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap_err();
        assert!(err.field("enrol_key").is_some(), "{wrong:?}: {err:?}");
    }
    assert_eq!(status_of(&state, course_id, &student).await, None);

    let status = service::self_enrol(
        &state,
        &student,
        course_id,
        " mitochondria ",
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap();
    assert_eq!(status, EnrolmentStatus::Active);
    // The key never reaches the course page.
    let page = learning::course_page(&state, &student, course_id)
        .await
        .unwrap();
    assert_eq!(page.course.enrolment.enrol_key, None);
});

db_test!(enrolment_needing_approval_waits_until_approved, |state| {
    let teacher = instructor(&state).await;
    let student = learner(&state, "learner@example.com").await;
    let course_id = open_course(&state, &teacher, settings("", true, "")).await;

    let status = service::self_enrol(
        &state,
        &student,
        course_id,
        "",
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap();

    assert_eq!(status, EnrolmentStatus::Pending);
    assert_eq!(
        role_in(&state, course_id, &student).await,
        None,
        "a pending learner cannot open the content yet"
    );
    let waiting = learning::my_learning(&state, &student).await.unwrap();
    assert_eq!(waiting.waiting.len(), 1);
    assert!(waiting.in_progress.is_empty());

    service::approve(&state, &teacher, course_id, student.id)
        .await
        .unwrap();

    assert_eq!(
        status_of(&state, course_id, &student).await,
        Some(EnrolmentStatus::Active)
    );
    assert_eq!(
        role_in(&state, course_id, &student).await,
        Some(CourseRole::Learner)
    );
    assert!(matches!(
        service::approve(&state, &teacher, course_id, student.id)
            .await
            .unwrap_err(),
        AppError::Conflict(_)
    ));
});

db_test!(
    a_full_course_waitlists_and_promotes_when_a_place_frees,
    |state| {
        let teacher = instructor(&state).await;
        let first = learner(&state, "first@example.com").await;
        let second = learner(&state, "second@example.com").await;
        let third = learner(&state, "third@example.com").await;
        let course_id = open_course(&state, &teacher, settings("", false, "1")).await;

        assert_eq!(
            service::self_enrol(
                &state,
                &first,
                course_id,
                "",
                &lyceum::auth::throttle::Client::at("127.0.0.1")
            )
            .await
            .unwrap(),
            EnrolmentStatus::Active
        );
        let course = lyceum::courses::store::find(&state.db, course_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            service::enrol_option(&state, &second, &course)
                .await
                .unwrap(),
            EnrolOption::Open {
                needs_key: false,
                needs_approval: false,
                full: true
            }
        );
        assert_eq!(
            service::self_enrol(
                &state,
                &second,
                course_id,
                "",
                &lyceum::auth::throttle::Client::at("127.0.0.1")
            )
            .await
            .unwrap(),
            EnrolmentStatus::Waitlisted
        );
        assert_eq!(
            service::self_enrol(
                &state,
                &third,
                course_id,
                "",
                &lyceum::auth::throttle::Client::at("127.0.0.1")
            )
            .await
            .unwrap(),
            EnrolmentStatus::Waitlisted
        );
        assert_eq!(role_in(&state, course_id, &second).await, None);

        service::leave(&state, &first, course_id).await.unwrap();

        assert_eq!(
            status_of(&state, course_id, &first).await,
            Some(EnrolmentStatus::Withdrawn)
        );
        assert_eq!(
            status_of(&state, course_id, &second).await,
            Some(EnrolmentStatus::Active),
            "first in line gets the place"
        );
        assert_eq!(
            status_of(&state, course_id, &third).await,
            Some(EnrolmentStatus::Waitlisted)
        );
        assert_eq!(
            role_in(&state, course_id, &second).await,
            Some(CourseRole::Learner)
        );
    }
);

db_test!(raising_the_capacity_promotes_the_waiting_list, |state| {
    let teacher = instructor(&state).await;
    let people = [
        learner(&state, "a@example.com").await,
        learner(&state, "b@example.com").await,
        learner(&state, "c@example.com").await,
        learner(&state, "d@example.com").await,
    ];
    let course_id = open_course(&state, &teacher, settings("", false, "1")).await;
    for person in &people {
        service::self_enrol(
            &state,
            person,
            course_id,
            "",
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap();
    }
    assert_eq!(
        status_of(&state, course_id, &people[1]).await,
        Some(EnrolmentStatus::Waitlisted)
    );

    service::set_enrolment_settings(&state, &teacher, course_id, &settings("", false, "3"))
        .await
        .unwrap();

    let statuses = [
        status_of(&state, course_id, &people[0]).await,
        status_of(&state, course_id, &people[1]).await,
        status_of(&state, course_id, &people[2]).await,
        status_of(&state, course_id, &people[3]).await,
    ];
    use EnrolmentStatus::*;
    assert_eq!(
        statuses,
        [Some(Active), Some(Active), Some(Active), Some(Waitlisted)]
    );

    // No limit at all: everyone is in.
    service::set_enrolment_settings(&state, &teacher, course_id, &settings("", false, ""))
        .await
        .unwrap();
    assert_eq!(status_of(&state, course_id, &people[3]).await, Some(Active));
});

db_test!(a_draft_course_cannot_be_self_enrolled, |state| {
    let teacher = instructor(&state).await;
    let student = learner(&state, "learner@example.com").await;
    let (course_id, _) = course(&state, &teacher, "BIO-101", None, &[]).await;
    service::set_enrolment_settings(&state, &teacher, course_id, &settings("", false, ""))
        .await
        .unwrap();

    let err = service::self_enrol(
        &state,
        &student,
        course_id,
        "",
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap_err();

    assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
    assert!(err.general().unwrap().contains("not open"), "{err:?}");
    assert_eq!(status_of(&state, course_id, &student).await, None);
    assert_eq!(
        service::self_enrol(
            &state,
            &student,
            course_id + 1000,
            "",
            &lyceum::auth::throttle::Client::at("127.0.0.1")
        )
        .await
        .unwrap_err(),
        AppError::NotFound
    );
});

db_test!(enrolling_twice_is_a_conflict, |state| {
    let teacher = instructor(&state).await;
    let student = learner(&state, "learner@example.com").await;
    let course_id = open_course(&state, &teacher, settings("", false, "")).await;
    service::self_enrol(
        &state,
        &student,
        course_id,
        "",
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap();

    let err = service::self_enrol(
        &state,
        &student,
        course_id,
        "",
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap_err();

    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    // The instructor is already in too.
    assert!(matches!(
        service::self_enrol(
            &state,
            &teacher,
            course_id,
            "",
            &lyceum::auth::throttle::Client::at("127.0.0.1")
        )
        .await
        .unwrap_err(),
        AppError::Conflict(_)
    ));
});

db_test!(only_learners_may_leave_a_course, |state| {
    let teacher = instructor(&state).await;
    let student = learner(&state, "learner@example.com").await;
    let course_id = open_course(&state, &teacher, settings("", false, "")).await;

    assert_eq!(
        service::leave(&state, &teacher, course_id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        service::leave(&state, &student, course_id)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    service::self_enrol(
        &state,
        &student,
        course_id,
        "",
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap();
    service::leave(&state, &student, course_id).await.unwrap();
    assert_eq!(
        service::leave(&state, &student, course_id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        role_in(&state, course_id, &teacher).await,
        Some(CourseRole::Instructor)
    );
});

// ---- unenrolment keeps history ---------------------------------------------------------------

db_test!(
    unenrolled_learner_finds_their_progress_when_they_come_back,
    |state| {
        let teacher = instructor(&state).await;
        let student = learner(&state, "learner@example.com").await;
        let (course_id, items) = course(
            &state,
            &teacher,
            "BIO-101",
            Some(settings("", false, "")),
            &[
                lesson("One", "view", true, false),
                lesson("Two", "view", true, false),
            ],
        )
        .await;
        service::self_enrol(
            &state,
            &student,
            course_id,
            "",
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap();
        learning::open_item(&state, &student, items[0])
            .await
            .unwrap();

        service::unenrol(&state, &teacher, course_id, student.id)
            .await
            .unwrap();

        assert_eq!(
            status_of(&state, course_id, &student).await,
            Some(EnrolmentStatus::Withdrawn)
        );
        assert_eq!(role_in(&state, course_id, &student).await, None);
        assert_eq!(
            learning::open_item(&state, &student, items[1])
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert!(
            learning::my_learning(&state, &student)
                .await
                .unwrap()
                .in_progress
                .is_empty()
        );
        // Withdrawn people are listed only when asked for.
        let withdrawn = service::participants(
            &state,
            &teacher,
            course_id,
            &ParticipantQuery {
                status: Some(EnrolmentStatus::Withdrawn),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            withdrawn
                .items
                .iter()
                .map(|p| p.user_id)
                .collect::<Vec<_>>(),
            vec![student.id]
        );
        assert_eq!(
            learners_with(&state, &teacher, course_id, ProgressFilter::Any).await,
            Vec::<String>::new()
        );

        let status = service::self_enrol(
            &state,
            &student,
            course_id,
            "",
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap();

        assert_eq!(status, EnrolmentStatus::Active);
        assert_eq!(
            progress_store::completed_items(&state.db, course_id, student.id)
                .await
                .unwrap(),
            vec![items[0]]
        );
        let progress = progress_store::progress(&state.db, course_id, student.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((progress.done, progress.total), (1, 2));
        assert_eq!(progress.last_item_id, Some(items[0]));
    }
);

// ---- progress and completion -----------------------------------------------------------------

/// A published course with three required items (two completed on view, one by marking it done),
/// one optional item and one hidden required item, and an enrolled learner.
struct Progressing {
    course_id: i64,
    teacher: Actor,
    student: Actor,
    read: i64,
    watch: i64,
    reflect: i64,
    extra: i64,
    hidden: i64,
}

async fn progressing(state: &AppState) -> Progressing {
    let teacher = instructor(state).await;
    let student = learner(state, "learner@example.com").await;
    let (course_id, items) = course(
        state,
        &teacher,
        "BIO-101",
        Some(settings("", false, "")),
        &[
            lesson("Read", "view", true, false),
            lesson("Watch", "view", true, false),
            lesson("Reflect", "manual", true, false),
            lesson("Extra", "view", false, false),
            lesson("Staff notes", "view", true, true),
        ],
    )
    .await;
    service::self_enrol(
        state,
        &student,
        course_id,
        "",
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap();
    let [read, watch, reflect, extra, hidden] = items[..] else {
        unreachable!()
    };
    Progressing {
        course_id,
        teacher,
        student,
        read,
        watch,
        reflect,
        extra,
        hidden,
    }
}

db_test!(
    a_course_completes_when_every_required_visible_item_is_done,
    |state| {
        let p = progressing(&state).await;

        let view = learning::open_item(&state, &p.student, p.read)
            .await
            .unwrap();
        assert!(view.is_complete(p.read));
        assert_eq!((view.progress.done, view.progress.total), (1, 3));

        // A manual item is not done by opening it; an optional one does not count.
        let view = learning::open_item(&state, &p.student, p.reflect)
            .await
            .unwrap();
        assert!(!view.is_complete(p.reflect));
        let view = learning::open_item(&state, &p.student, p.extra)
            .await
            .unwrap();
        assert!(view.is_complete(p.extra));
        assert_eq!(view.progress.done, 1);
        // Hidden items are not there for learners, and do not block completion.
        assert_eq!(
            learning::open_item(&state, &p.student, p.hidden)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            learning::mark_done(&state, &p.student, p.hidden)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );

        let view = learning::open_item(&state, &p.student, p.watch)
            .await
            .unwrap();
        assert_eq!(view.progress.done, 2);
        assert_eq!(
            view.progress.completed_at, None,
            "not complete while a required item is left"
        );
        let mine = learning::my_learning(&state, &p.student).await.unwrap();
        assert_eq!(
            mine.in_progress
                .iter()
                .map(|c| c.course_id)
                .collect::<Vec<_>>(),
            vec![p.course_id]
        );
        assert!(mine.completed.is_empty());
        assert_eq!(mine.in_progress[0].progress.percent(), 66);

        let view = learning::mark_done(&state, &p.student, p.reflect)
            .await
            .unwrap();

        assert!(view.is_complete(p.reflect));
        assert!(view.progress.completed_at.is_some());
        assert_eq!(view.progress.percent(), 100);
        let stored = progress_store::progress(&state.db, p.course_id, p.student.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((stored.done, stored.total), (3, 3));
        assert!(stored.completed_at.is_some());
        let mut completed = progress_store::completed_items(&state.db, p.course_id, p.student.id)
            .await
            .unwrap();
        completed.sort();
        let mut expected = vec![p.read, p.watch, p.reflect, p.extra];
        expected.sort();
        assert_eq!(completed, expected);
        let mine = learning::my_learning(&state, &p.student).await.unwrap();
        assert!(mine.in_progress.is_empty());
        assert_eq!(
            mine.completed
                .iter()
                .map(|c| c.course_id)
                .collect::<Vec<_>>(),
            vec![p.course_id]
        );
        // Staff opening items record nothing.
        learning::open_item(&state, &p.teacher, p.hidden)
            .await
            .unwrap();
        assert_eq!(
            progress_store::progress(&state.db, p.course_id, p.teacher.id)
                .await
                .unwrap()
                .unwrap()
                .done,
            0
        );
    }
);

db_test!(
    participants_show_progress_filter_by_it_and_export_it,
    |state| {
        let p = progressing(&state).await;
        let starter = learner(&state, "starter@example.com").await;
        let idle = learner(&state, "idle@example.com").await;
        service::self_enrol(
            &state,
            &starter,
            p.course_id,
            "",
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap();
        service::self_enrol(
            &state,
            &idle,
            p.course_id,
            "",
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap();
        for item in [p.read, p.watch] {
            learning::open_item(&state, &p.student, item).await.unwrap();
        }
        learning::mark_done(&state, &p.student, p.reflect)
            .await
            .unwrap();
        learning::open_item(&state, &starter, p.read).await.unwrap();

        let all = service::participants(
            &state,
            &p.teacher,
            p.course_id,
            &ParticipantQuery::default(),
        )
        .await
        .unwrap();

        assert_eq!(all.total, 4, "three learners and the instructor");
        let done = all
            .items
            .iter()
            .find(|x| x.user_id == p.student.id)
            .unwrap();
        assert_eq!((done.done, done.total, done.percent()), (3, 3, 100));
        assert!(done.completed_at.is_some());
        let started = all.items.iter().find(|x| x.user_id == starter.id).unwrap();
        assert_eq!(started.percent(), 33);
        assert_eq!(
            learners_with(&state, &p.teacher, p.course_id, ProgressFilter::Completed).await,
            vec!["learner@example.com"]
        );
        assert_eq!(
            learners_with(&state, &p.teacher, p.course_id, ProgressFilter::InProgress).await,
            vec!["starter@example.com"]
        );
        assert_eq!(
            learners_with(&state, &p.teacher, p.course_id, ProgressFilter::NotStarted).await,
            vec!["idle@example.com"]
        );
        let searched = service::participants(
            &state,
            &p.teacher,
            p.course_id,
            &ParticipantQuery {
                search: "STARTER".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            searched.items.iter().map(|x| x.user_id).collect::<Vec<_>>(),
            vec![starter.id]
        );

        let csv = service::participants_csv(
            &state,
            &p.teacher,
            p.course_id,
            &ParticipantQuery::default(),
        )
        .await
        .unwrap();

        let mut lines = csv.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("name,email,role,status,progress_percent")
        );
        let row = csv
            .lines()
            .find(|l| l.contains("learner@example.com"))
            .expect("the learner's row");
        assert!(row.contains(",learner,active,100,3,3,"), "{row}");
        assert!(csv.contains("starter@example.com"));
        assert_eq!(csv.lines().count(), 5);
        let completed_only = service::participants_csv(
            &state,
            &p.teacher,
            p.course_id,
            &ParticipantQuery {
                progress: ProgressFilter::Completed,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(completed_only.lines().count(), 2);
        assert!(completed_only.contains("learner@example.com"));
    }
);

db_test!(
    names_that_look_like_formulas_are_exported_as_text,
    |state| {
        let teacher = instructor(&state).await;
        let course_id = open_course(&state, &teacher, settings("", false, "")).await;
        let admin = user_with_roles(&state, "root@example.com", &[Role::Administrator]).await;
        let sneaky = lyceum::users::service::create(
            &state,
            &admin,
            &lyceum::users::model::UserForm {
                email: "sneaky@example.com".into(),
                name: "=HYPERLINK(\"http://evil.example\")".into(),
                roles: vec!["learner".into()],
                password: String::new(),
            },
        )
        .await
        .unwrap();
        service::enrol_user(&state, &teacher, course_id, sneaky.id, CourseRole::Learner)
            .await
            .unwrap();

        let csv =
            service::participants_csv(&state, &teacher, course_id, &ParticipantQuery::default())
                .await
                .unwrap();

        let row = csv
            .lines()
            .find(|l| l.contains("sneaky@example.com"))
            .unwrap();
        assert!(row.starts_with("\"'=HYPERLINK"), "{row}");
    }
);

// ---- enrolment dates -------------------------------------------------------------------------

db_test!(an_enrolment_that_has_ended_gives_no_access, |state| {
    let teacher = instructor(&state).await;
    let student = learner(&state, "learner@example.com").await;
    let (course_id, items) = course(
        &state,
        &teacher,
        "BIO-101",
        Some(settings("", false, "")),
        &[lesson("One", "view", true, false)],
    )
    .await;
    service::enrol_user(&state, &teacher, course_id, student.id, CourseRole::Learner)
        .await
        .unwrap();
    assert_eq!(
        role_in(&state, course_id, &student).await,
        Some(CourseRole::Learner)
    );

    service::set_dates(&state, &teacher, course_id, student.id, "", "2020-01-01")
        .await
        .unwrap();

    assert_eq!(role_in(&state, course_id, &student).await, None);
    assert_eq!(
        learning::open_item(&state, &student, items[0])
            .await
            .unwrap_err(),
        AppError::Forbidden
    );

    // Not started yet: no access either.
    service::set_dates(&state, &teacher, course_id, student.id, "2999-01-01", "")
        .await
        .unwrap();
    assert_eq!(role_in(&state, course_id, &student).await, None);
    // Open-ended again: back in.
    service::set_dates(&state, &teacher, course_id, student.id, "", "")
        .await
        .unwrap();
    assert_eq!(
        role_in(&state, course_id, &student).await,
        Some(CourseRole::Learner)
    );
    learning::open_item(&state, &student, items[0])
        .await
        .unwrap();

    let err = service::set_dates(
        &state,
        &teacher,
        course_id,
        student.id,
        "2026-05-01",
        "2026-04-01",
    )
    .await
    .unwrap_err();
    assert!(err.field("ends_on").is_some());
    let err = service::set_dates(&state, &teacher, course_id, student.id, "someday", "")
        .await
        .unwrap_err();
    assert!(err.field("starts_on").is_some());
});

// ---- bulk CSV --------------------------------------------------------------------------------

db_test!(csv_preview_reports_each_problem_with_its_line, |state| {
    let teacher = instructor(&state).await;
    learner(&state, "ada@example.com").await;
    learner(&state, "bob@example.com").await;
    let course_id = open_course(&state, &teacher, settings("", false, "")).await;
    let csv = "Email,Role\n\
               ada@example.com,learner\n\
               nobody@example.com,learner\n\
               bob@example.com,teacher\n\
               ADA@example.com,assistant\n\
               not-an-email,\n";

    let preview = service::preview_csv(&state, &teacher, course_id, csv)
        .await
        .unwrap();

    assert_eq!((preview.valid, preview.invalid), (1, 4));
    let lines: Vec<usize> = preview.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 6]);
    assert!(preview.rows[0].errors.is_empty());
    assert_eq!(preview.rows[0].name.as_deref(), Some("Test ada"));
    assert!(
        preview.rows[1].errors[0].contains("No account"),
        "{:?}",
        preview.rows[1]
    );
    assert!(
        preview.rows[2].errors[0].contains("Role must be"),
        "{:?}",
        preview.rows[2]
    );
    assert!(
        preview.rows[3].errors.iter().any(|e| e.contains("twice")),
        "{:?}",
        preview.rows[3]
    );
    assert!(!preview.rows[4].errors.is_empty());
    assert_eq!(
        preview.rows[4].role, "learner",
        "an empty role means learner"
    );
    // A preview changes nothing.
    assert_eq!(
        learners_with(&state, &teacher, course_id, ProgressFilter::Any).await,
        Vec::<String>::new()
    );
    // No email column at all is a problem with the file.
    let err = service::preview_csv(&state, &teacher, course_id, "mail,role\nx,y\n")
        .await
        .unwrap_err();
    assert!(err.field("csv").is_some());
});

db_test!(
    csv_apply_refuses_everything_when_any_row_is_invalid,
    |state| {
        let teacher = instructor(&state).await;
        let ada = learner(&state, "ada@example.com").await;
        let course_id = open_course(&state, &teacher, settings("", false, "")).await;

        let err = service::apply_csv(
            &state,
            &teacher,
            course_id,
            "email,role\nada@example.com,learner\nnobody@example.com,learner\n",
        )
        .await
        .unwrap_err();

        assert!(
            err.field("csv").unwrap().contains("nothing was enrolled"),
            "{err:?}"
        );
        assert_eq!(status_of(&state, course_id, &ada).await, None);
    }
);

db_test!(
    csv_apply_enrols_new_people_and_updates_existing_ones,
    |state| {
        let teacher = instructor(&state).await;
        let ada = learner(&state, "ada@example.com").await;
        let bob = learner(&state, "bob@example.com").await;
        let cy = learner(&state, "cy@example.com").await;
        let dee = learner(&state, "dee@example.com").await;
        let course_id = open_course(&state, &teacher, settings("", false, "")).await;
        service::enrol_user(&state, &teacher, course_id, ada.id, CourseRole::Learner)
            .await
            .unwrap();
        service::self_enrol(
            &state,
            &dee,
            course_id,
            "",
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap();
        service::leave(&state, &dee, course_id).await.unwrap();

        let outcome = service::apply_csv(
        &state,
        &teacher,
        course_id,
        "email,role\nada@example.com,assistant\nbob@example.com,\ncy@example.com,Learner\ndee@example.com,learner\n",
    )
    .await
    .unwrap();

        assert_eq!(
            (outcome.enrolled, outcome.updated),
            (3, 1),
            "bob, cy and dee (back from withdrawn) are new; ada changes role"
        );
        assert_eq!(
            role_in(&state, course_id, &ada).await,
            Some(CourseRole::Assistant)
        );
        for person in [&bob, &cy, &dee] {
            assert_eq!(
                role_in(&state, course_id, person).await,
                Some(CourseRole::Learner)
            );
            let row = store::find(&state.db, course_id, person.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.method, "csv");
        }
    }
);

// ---- cohorts ---------------------------------------------------------------------------------

async fn manager(state: &AppState) -> Actor {
    user_with_roles(state, "manager@example.com", &[Role::Manager]).await
}

db_test!(
    linking_a_cohort_enrols_its_members_and_later_members_too,
    |state| {
        let teacher = instructor(&state).await;
        let boss = manager(&state).await;
        let ada = learner(&state, "ada@example.com").await;
        let bob = learner(&state, "bob@example.com").await;
        let cy = learner(&state, "cy@example.com").await;
        let course_id = open_course(&state, &teacher, EnrolmentSettingsForm::default()).await;
        let cohort = cohorts::create(&state, &boss, "Intake 2026", "September starters")
            .await
            .unwrap();

        assert_eq!(
            cohorts::add_members(&state, &boss, cohort, "ada@example.com,\nBOB@example.com")
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            status_of(&state, course_id, &ada).await,
            None,
            "not linked yet"
        );

        cohorts::link(&state, &boss, course_id, cohort)
            .await
            .unwrap();

        for person in [&ada, &bob] {
            assert_eq!(
                role_in(&state, course_id, person).await,
                Some(CourseRole::Learner)
            );
            let row = store::find(&state.db, course_id, person.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (row.method.as_str(), row.cohort_id),
                ("cohort", Some(cohort))
            );
        }
        assert_eq!(status_of(&state, course_id, &cy).await, None);

        assert_eq!(
            cohorts::add_members(&state, &boss, cohort, "cy@example.com; ada@example.com")
                .await
                .unwrap(),
            1
        );

        assert_eq!(
            role_in(&state, course_id, &cy).await,
            Some(CourseRole::Learner)
        );
        let listed = cohorts::list(&state, &boss).await.unwrap();
        assert_eq!(
            (
                listed[0].name.as_str(),
                listed[0].members,
                listed[0].courses
            ),
            ("Intake 2026", 3, 1)
        );
        let members: Vec<String> = cohorts::members(&state, &boss, cohort)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.email)
            .collect();
        assert_eq!(members.len(), 3);
        assert_eq!(
            cohorts::linked(&state, &teacher, course_id)
                .await
                .unwrap()
                .len(),
            1
        );
        // Unknown addresses are refused, all or nothing.
        let err = cohorts::add_members(&state, &boss, cohort, "dee@example.com")
            .await
            .unwrap_err();
        assert!(err.field("emails").unwrap().contains("dee@example.com"));
        assert!(
            cohorts::add_members(&state, &boss, cohort, "not an email")
                .await
                .unwrap_err()
                .field("emails")
                .is_some()
        );
        // Linking a cohort that does not exist is a field error, not a crash.
        let err = cohorts::link(&state, &boss, course_id, cohort + 1000)
            .await
            .unwrap_err();
        assert!(err.field("cohort_id").is_some(), "{err:?}");
    }
);

db_test!(
    removing_a_cohort_member_withdraws_only_enrolments_the_cohort_made,
    |state| {
        let teacher = instructor(&state).await;
        let boss = manager(&state).await;
        let ada = learner(&state, "ada@example.com").await;
        let bob = learner(&state, "bob@example.com").await;
        let (course_id, _) = course(
            &state,
            &teacher,
            "BIO-101",
            Some(settings("", false, "")),
            &[],
        )
        .await;
        let (other_course, _) = course(
            &state,
            &teacher,
            "BIO-102",
            Some(settings("", false, "")),
            &[],
        )
        .await;
        // Bob was in the course before the cohort came along.
        service::enrol_user(&state, &teacher, course_id, bob.id, CourseRole::Assistant)
            .await
            .unwrap();
        let cohort = cohorts::create(&state, &boss, "Intake 2026", "")
            .await
            .unwrap();
        cohorts::add_members(&state, &boss, cohort, "ada@example.com, bob@example.com")
            .await
            .unwrap();
        cohorts::link(&state, &boss, course_id, cohort)
            .await
            .unwrap();
        cohorts::link(&state, &boss, other_course, cohort)
            .await
            .unwrap();
        assert_eq!(
            role_in(&state, course_id, &bob).await,
            Some(CourseRole::Assistant),
            "linking keeps his own enrolment"
        );

        cohorts::remove_member(&state, &boss, cohort, ada.id)
            .await
            .unwrap();
        cohorts::remove_member(&state, &boss, cohort, bob.id)
            .await
            .unwrap();

        assert_eq!(
            status_of(&state, course_id, &ada).await,
            Some(EnrolmentStatus::Withdrawn)
        );
        assert_eq!(
            status_of(&state, other_course, &ada).await,
            Some(EnrolmentStatus::Withdrawn)
        );
        assert_eq!(
            role_in(&state, course_id, &bob).await,
            Some(CourseRole::Assistant)
        );
        assert_eq!(
            status_of(&state, other_course, &bob).await,
            Some(EnrolmentStatus::Withdrawn)
        );
        assert_eq!(
            cohorts::remove_member(&state, &boss, cohort, ada.id)
                .await
                .unwrap_err(),
            AppError::NotFound
        );

        // Unlinking withdraws the rest of what the cohort made.
        cohorts::add_members(&state, &boss, cohort, "ada@example.com")
            .await
            .unwrap();
        assert_eq!(
            role_in(&state, course_id, &ada).await,
            Some(CourseRole::Learner)
        );
        cohorts::unlink(&state, &boss, course_id, cohort)
            .await
            .unwrap();
        assert_eq!(
            status_of(&state, course_id, &ada).await,
            Some(EnrolmentStatus::Withdrawn)
        );
        assert_eq!(
            role_in(&state, course_id, &bob).await,
            Some(CourseRole::Assistant)
        );
        assert_eq!(
            role_in(&state, other_course, &ada).await,
            Some(CourseRole::Learner)
        );
    }
);

db_test!(learner_cannot_manage_cohorts, |state| {
    let teacher = instructor(&state).await;
    let boss = manager(&state).await;
    let student = learner(&state, "learner@example.com").await;
    let course_id = open_course(&state, &teacher, settings("", false, "")).await;
    let cohort = cohorts::create(&state, &boss, "Intake 2026", "")
        .await
        .unwrap();

    assert_eq!(
        cohorts::list(&state, &student).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        cohorts::create(&state, &student, "Mine", "")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        cohorts::members(&state, &student, cohort)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        cohorts::add_members(&state, &student, cohort, "learner@example.com")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        cohorts::remove_member(&state, &student, cohort, student.id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        cohorts::delete(&state, &student, cohort).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        cohorts::link(&state, &student, course_id, cohort)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    // Instructors teach; they do not run cohorts either (but may link one to their course).
    assert_eq!(
        cohorts::create(&state, &teacher, "Mine", "")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    cohorts::link(&state, &teacher, course_id, cohort)
        .await
        .unwrap();
    assert_eq!(cohorts::list(&state, &boss).await.unwrap().len(), 1);
});

// ---- permissions -----------------------------------------------------------------------------

db_test!(
    learner_outside_the_course_cannot_manage_its_enrolments,
    |state| {
        let teacher = instructor(&state).await;
        let outsider = learner(&state, "outsider@example.com").await;
        let pending = learner(&state, "pending@example.com").await;
        let course_id = open_course(&state, &teacher, settings("", true, "")).await;
        service::self_enrol(
            &state,
            &pending,
            course_id,
            "",
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap();
        let query = ParticipantQuery::default();

        assert_eq!(
            service::participants(&state, &outsider, course_id, &query)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::participants_csv(&state, &outsider, course_id, &query)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::enrol_user(
                &state,
                &outsider,
                course_id,
                outsider.id,
                CourseRole::Learner
            )
            .await
            .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::unenrol(&state, &outsider, course_id, teacher.id)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::approve(&state, &outsider, course_id, pending.id)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::preview_csv(
                &state,
                &outsider,
                course_id,
                "email\noutsider@example.com\n"
            )
            .await
            .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::apply_csv(
                &state,
                &outsider,
                course_id,
                "email\noutsider@example.com\n"
            )
            .await
            .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::set_dates(&state, &outsider, course_id, pending.id, "", "")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::search_people(&state, &outsider, course_id, "pending")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        // Nothing changed.
        assert_eq!(
            status_of(&state, course_id, &pending).await,
            Some(EnrolmentStatus::Pending)
        );
        assert_eq!(status_of(&state, course_id, &outsider).await, None);
        assert_eq!(
            role_in(&state, course_id, &teacher).await,
            Some(CourseRole::Instructor)
        );
    }
);

db_test!(
    enrolled_learner_cannot_see_the_other_participants,
    |state| {
        let teacher = instructor(&state).await;
        let student = learner(&state, "learner@example.com").await;
        let course_id = open_course(&state, &teacher, settings("", false, "")).await;
        service::self_enrol(
            &state,
            &student,
            course_id,
            "",
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap();

        assert_eq!(
            service::participants(&state, &student, course_id, &ParticipantQuery::default())
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::enrol_user(
                &state,
                &student,
                course_id,
                student.id,
                CourseRole::Instructor
            )
            .await
            .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            role_in(&state, course_id, &student).await,
            Some(CourseRole::Learner)
        );
    }
);

db_test!(
    assistant_sees_participants_but_cannot_add_instructors,
    |state| {
        let teacher = instructor(&state).await;
        let assistant = learner(&state, "assistant@example.com").await;
        let friend = learner(&state, "friend@example.com").await;
        let course_id = open_course(&state, &teacher, settings("", false, "")).await;
        service::enrol_user(
            &state,
            &teacher,
            course_id,
            assistant.id,
            CourseRole::Assistant,
        )
        .await
        .unwrap();

        let people =
            service::participants(&state, &assistant, course_id, &ParticipantQuery::default())
                .await
                .unwrap();
        assert_eq!(people.total, 2);
        service::participants_csv(&state, &assistant, course_id, &ParticipantQuery::default())
            .await
            .unwrap();

        assert_eq!(
            service::enrol_user(
                &state,
                &assistant,
                course_id,
                assistant.id,
                CourseRole::Instructor
            )
            .await
            .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::enrol_user(
                &state,
                &assistant,
                course_id,
                friend.id,
                CourseRole::Instructor
            )
            .await
            .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            role_in(&state, course_id, &assistant).await,
            Some(CourseRole::Assistant)
        );
        assert_eq!(status_of(&state, course_id, &friend).await, None);
    }
);

db_test!(
    a_manager_enrols_people_but_only_editors_make_instructors,
    |state| {
        let teacher = instructor(&state).await;
        let boss = manager(&state).await;
        let student = learner(&state, "learner@example.com").await;
        let helper = learner(&state, "helper@example.com").await;
        let course_id = open_course(&state, &teacher, settings("", false, "")).await;

        service::enrol_user(&state, &boss, course_id, student.id, CourseRole::Learner)
            .await
            .unwrap();
        assert_eq!(
            service::enrol_user(&state, &boss, course_id, helper.id, CourseRole::Instructor)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let err = service::apply_csv(
            &state,
            &boss,
            course_id,
            "email,role\nhelper@example.com,instructor\n",
        )
        .await
        .unwrap_err();
        assert!(err.field("csv").is_some());
        assert_eq!(status_of(&state, course_id, &helper).await, None);

        service::enrol_user(
            &state,
            &teacher,
            course_id,
            helper.id,
            CourseRole::Instructor,
        )
        .await
        .unwrap();
        assert!(
            access::load(&state.db, &helper, course_id)
                .await
                .unwrap()
                .may_edit()
        );
        // Unknown people cannot be enrolled.
        let err = service::enrol_user(
            &state,
            &teacher,
            course_id,
            helper.id + 1000,
            CourseRole::Learner,
        )
        .await
        .unwrap_err();
        assert!(err.field("user_id").is_some());
    }
);

db_test!(the_participants_csv_downloads_for_staff_only, |state| {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let teacher = instructor(&state).await;
    let student = learner(&state, "learner@example.com").await;
    let course_id = open_course(&state, &teacher, settings("", false, "")).await;
    service::self_enrol(
        &state,
        &student,
        course_id,
        "",
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap();
    let app = lyceum::http::router(state.clone());
    let download = |email: &'static str, query: &'static str| {
        let state = state.clone();
        let app = app.clone();
        async move {
            let token = lyceum::auth::service::sign_in(
                &state,
                email,
                lyceum::testing::PASSWORD,
                &lyceum::auth::throttle::Client::at("127.0.0.1"),
            )
            .await
            .unwrap()
            .session()
            .unwrap();
            let req = http::Request::builder()
                .uri(format!("/courses/{course_id}/participants.csv{query}"))
                .header(http::header::COOKIE, format!("lyceum_session={token}"))
                .body(axum::body::Body::empty())
                .unwrap();
            let res = tokio::time::timeout(std::time::Duration::from_secs(60), app.oneshot(req))
                .await
                .unwrap()
                .unwrap();
            let status = res.status();
            let headers = res.headers().clone();
            let body = res.into_body().collect().await.unwrap().to_bytes();
            (status, headers, String::from_utf8(body.to_vec()).unwrap())
        }
    };

    let (status, headers, csv) = download("teacher@example.com", "").await;
    assert_eq!(status, http::StatusCode::OK);
    assert_eq!(
        headers[http::header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert!(
        headers[http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains(&format!("participants-{course_id}.csv"))
    );
    assert!(csv.contains("learner@example.com"));
    assert_eq!(csv.lines().count(), 3);
    let (_, _, learners_only) = download("teacher@example.com", "?role=learner").await;
    assert_eq!(learners_only.lines().count(), 2);

    let (status, _, body) = download("learner@example.com", "").await;
    assert_eq!(status, http::StatusCode::FORBIDDEN);
    assert!(!body.contains("teacher@example.com"));
});
