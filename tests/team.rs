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
