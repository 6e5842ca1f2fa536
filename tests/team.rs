//! Managers' teams on SQLite and PostgreSQL: direct and indirect reports, and nobody else's.

use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::team::service as team;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;
use lyceum::users::profile::ProfileForm;
use lyceum::users::profile_service as profiles;

use crate::support::{ClassSpec, class};

db_test!(a_manager_sees_their_reports_and_nobody_elses, |state| {
    let class = class(
        &state,
        ClassSpec {
            learners: &["nina@example.com", "sam@example.com"],
            ..Default::default()
        },
    )
    .await;
    let (nina, sam) = (&class.learners[0], &class.learners[1]);
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let hugo = user_with_roles(&state, "hugo@example.com", &[Role::Learner]).await;
    let lea = user_with_roles(&state, "lea@example.com", &[Role::Learner]).await;
    let reports_to = |manager: &str, job: &str| ProfileForm {
        manager_email: manager.into(),
        job_title: job.into(),
        department: "Nursing".into(),
        ..Default::default()
    };
    profiles::save(
        &state,
        &admin,
        lea.id,
        &reports_to("hugo@example.com", "Ward manager"),
    )
    .await
    .unwrap();
    profiles::save(
        &state,
        &admin,
        nina.id,
        &reports_to("lea@example.com", "Staff nurse"),
    )
    .await
    .unwrap();

    // Hugo: Lea directly, Nina through Lea (direct reports first).
    let hugos = team::my_team(&state, &hugo, 1).await.unwrap();
    let names: Vec<(&str, i64, &str)> = hugos
        .items
        .iter()
        .map(|m| (m.email.as_str(), m.depth, m.manager_name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("lea@example.com", 1, "Test hugo"),
            ("nina@example.com", 2, "Test lea")
        ]
    );
    assert_eq!(hugos.total, 2);
    // Nina takes the class's course.
    assert_eq!((hugos.items[1].courses, hugos.items[1].completed), (1, 0));
    let detail = team::member(&state, &hugo, nina.id).await.unwrap();
    assert_eq!(detail.profile.job_title, "Staff nurse");
    assert_eq!(detail.courses.len(), 1);

    // Lea sees Nina only; Nina and Sam see nobody; nobody sees outside their own tree, upwards
    // included; an administrator's team is their reports too (none).
    assert_eq!(team::my_team(&state, &lea, 1).await.unwrap().total, 1);
    assert_eq!(team::my_team(&state, nina, 1).await.unwrap().total, 0);
    assert_eq!(team::my_team(&state, &admin, 1).await.unwrap().total, 0);
    for (asker, person) in [
        (&lea, sam.id),
        (nina, lea.id),
        (&lea, hugo.id),
        (&admin, nina.id),
    ] {
        assert!(matches!(
            team::member(&state, asker, person).await,
            Err(AppError::NotFound)
        ));
    }
    assert!(
        lyceum::users::profile_store::has_reports(&state.db, lea.id)
            .await
            .unwrap()
    );
    assert!(
        !lyceum::users::profile_store::has_reports(&state.db, nina.id)
            .await
            .unwrap()
    );

    // When Nina moves to Sam, she leaves Hugo's and Lea's teams at once.
    profiles::save(
        &state,
        &admin,
        nina.id,
        &reports_to("sam@example.com", "Staff nurse"),
    )
    .await
    .unwrap();
    assert_eq!(team::my_team(&state, &hugo, 1).await.unwrap().total, 1);
    assert!(team::member(&state, sam, nina.id).await.is_ok());
    assert!(team::member(&state, &hugo, nina.id).await.is_err());
});

db_test!(a_large_team_pages_with_each_persons_counts, |state| {
    let class = class(
        &state,
        ClassSpec {
            learners: &["r00@example.com"],
            ..Default::default()
        },
    )
    .await;
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let boss = user_with_roles(&state, "boss@example.com", &[Role::Learner]).await;
    let mut reports = vec![class.learners[0].clone()];
    for i in 1..52 {
        reports
            .push(user_with_roles(&state, &format!("r{i:02}@example.com"), &[Role::Learner]).await);
    }
    for person in &reports {
        profiles::save(
            &state,
            &admin,
            person.id,
            &ProfileForm {
                manager_email: "boss@example.com".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    // One report further down, under the last direct report.
    let deep = user_with_roles(&state, "deep@example.com", &[Role::Learner]).await;
    profiles::save(
        &state,
        &admin,
        deep.id,
        &ProfileForm {
            manager_email: "r51@example.com".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    let first = team::my_team(&state, &boss, 1).await.unwrap();
    assert_eq!((first.total, first.items.len()), (53, 50));
    assert_eq!(first.items[0].email, "r00@example.com");
    // r00 takes the class's course; the others take none.
    assert_eq!((first.items[0].courses, first.items[1].courses), (1, 0));
    let second = team::my_team(&state, &boss, 2).await.unwrap();
    let rest: Vec<(&str, i64)> = second
        .items
        .iter()
        .map(|m| (m.email.as_str(), m.depth))
        .collect();
    assert_eq!(
        rest,
        [
            ("r50@example.com", 1),
            ("r51@example.com", 1),
            ("deep@example.com", 2)
        ]
    );
});
