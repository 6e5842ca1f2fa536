//! The notification centre on SQLite and PostgreSQL: each person's choice per kind decides
//! whether a notification is kept, emailed at once (through the outbox and the job queue) or
//! gathered into the daily digest; people read and mark only their own.

use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::notifications::model::{Channel, Kind, PreferencesForm};
use lyceum::notifications::service::{self as notifications, Notice};
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;
use lyceum::with_db_write;

use crate::support::{ClassSpec, class};

const DAY: i64 = 86_400;

fn notice(user_id: i64, subject: &str) -> Notice {
    Notice {
        user_id,
        subject: subject.into(),
        body: "Something happened.".into(),
        link: "/courses".into(),
    }
}

fn choose(kind: Kind, channel: Channel) -> PreferencesForm {
    PreferencesForm {
        channels: [(kind.as_str().to_string(), channel.as_str().to_string())].into(),
    }
}

/// Subjects of the outbox messages to `to`, oldest first.
async fn outbox(state: &lyceum::state::AppState, to: &str) -> Vec<(String, String)> {
    with_db_write!(&state.db, |p| sqlx::query_as::<_, (String, String)>(
        "SELECT subject, body FROM outbox WHERE to_address = $1 ORDER BY id"
    )
    .bind(to)
    .fetch_all(p)
    .await
    .unwrap())
}

db_test!(
    each_person_hears_as_they_chose_and_the_digest_gathers_a_day,
    |state| {
        let now = lyceum::db::now();
        let ada = user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
        let ben = user_with_roles(&state, "ben@example.com", &[Role::Learner]).await;
        let cat = user_with_roles(&state, "cat@example.com", &[Role::Learner]).await;
        let dan = user_with_roles(&state, "dan@example.com", &[Role::Learner]).await;
        // Ada keeps the default (email at once); Ben takes the digest, Cat turns it off, Dan reads
        // in Lyceum only.
        for (person, channel) in [
            (&ben, Channel::Digest),
            (&cat, Channel::Off),
            (&dan, Channel::InApp),
        ] {
            notifications::save_preferences(&state, person, &choose(Kind::GradeReleased, channel))
                .await
                .unwrap();
        }
        let prefs = notifications::preferences(&state, &ben).await.unwrap();
        assert!(prefs.contains(&(Kind::GradeReleased, Channel::Digest)));
        assert!(prefs.contains(&(Kind::ComplianceReminder, Channel::Email)));

        let mut tx = state.db.begin().await.unwrap();
        let told = notifications::notify(
            &state,
            &mut tx,
            Kind::GradeReleased,
            &[
                notice(ada.id, "Grade one"),
                notice(ben.id, "Grade one"),
                notice(cat.id, "Grade one"),
                notice(dan.id, "Grade one"),
            ],
            now,
        )
        .await
        .unwrap();
        // Not committed: nothing was told after all.
        drop(tx);
        assert_eq!(told, 3);
        assert_eq!(notifications::unread_count(&state, &ada).await.unwrap(), 0);
        assert!(outbox(&state, "ada@example.com").await.is_empty());

        let mut tx = state.db.begin().await.unwrap();
        for subject in ["Grade one", "Grade two"] {
            notifications::notify(
                &state,
                &mut tx,
                Kind::GradeReleased,
                &[
                    notice(ada.id, subject),
                    notice(ben.id, subject),
                    notice(cat.id, subject),
                    notice(dan.id, subject),
                ],
                now,
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        for (person, unread) in [(&ada, 2), (&ben, 2), (&cat, 0), (&dan, 2)] {
            assert_eq!(
                notifications::unread_count(&state, person).await.unwrap(),
                unread,
                "{}",
                person.email
            );
        }
        // Ada's emails are queued at once, with the link and where to change it.
        let ada_mail = outbox(&state, "ada@example.com").await;
        assert_eq!(ada_mail.len(), 2);
        assert_eq!(ada_mail[0].0, "Grade one");
        assert!(
            ada_mail[0].1.contains("/courses") && ada_mail[0].1.contains("/notifications/settings")
        );
        for quiet in ["ben@example.com", "cat@example.com", "dan@example.com"] {
            assert!(outbox(&state, quiet).await.is_empty(), "{quiet}");
        }

        // The digest at seven sends Ben one email with both, once.
        let sent = notifications::digest(&state, now + DAY).await.unwrap();
        assert_eq!(sent, 1);
        let ben_mail = outbox(&state, "ben@example.com").await;
        assert_eq!(ben_mail.len(), 1);
        assert!(
            ben_mail[0].0.ends_with("2 notifications"),
            "{}",
            ben_mail[0].0
        );
        assert!(ben_mail[0].1.contains("Grade one") && ben_mail[0].1.contains("Grade two"));
        assert_eq!(notifications::digest(&state, now + DAY).await.unwrap(), 0);
        // The next digest is queued for seven o'clock site time (UTC here), once.
        let queued: Vec<i64> = with_db_write!(&state.db, |p| sqlx::query_scalar(
            "SELECT run_at FROM jobs WHERE kind = $1 AND state = 'queued'"
        )
        .bind(notifications::DIGEST.kind)
        .fetch_all(p)
        .await
        .unwrap());
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].rem_euclid(DAY), 7 * 3600);
    }
);

db_test!(people_read_and_mark_only_their_own, |state| {
    let now = lyceum::db::now();
    let ada = user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
    let ben = user_with_roles(&state, "ben@example.com", &[Role::Learner]).await;
    let mut tx = state.db.begin().await.unwrap();
    notifications::notify(
        &state,
        &mut tx,
        Kind::EnrolmentApproved,
        &[
            notice(ada.id, "First"),
            notice(ada.id, "Second"),
            notice(ben.id, "Ben's"),
        ],
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let page = notifications::list(&state, &ada, 1).await.unwrap();
    let subjects: Vec<&str> = page.items.iter().map(|n| n.subject.as_str()).collect();
    assert_eq!(subjects, ["Second", "First"]);
    assert_eq!(page.total, 2);
    // Ben's notification is not Ada's to mark.
    let bens = notifications::list(&state, &ben, 1).await.unwrap().items[0].id;
    notifications::mark_read(&state, &ada, Some(bens))
        .await
        .unwrap();
    assert_eq!(notifications::unread_count(&state, &ben).await.unwrap(), 1);
    notifications::mark_read(&state, &ada, Some(page.items[0].id))
        .await
        .unwrap();
    assert_eq!(notifications::unread_count(&state, &ada).await.unwrap(), 1);
    notifications::mark_read(&state, &ada, None).await.unwrap();
    assert_eq!(notifications::unread_count(&state, &ada).await.unwrap(), 0);
    assert!(
        notifications::list(&state, &ada, 1)
            .await
            .unwrap()
            .items
            .iter()
            .all(|n| n.read)
    );

    // A choice that is not one gets its message next to the field.
    let bad = notifications::save_preferences(
        &state,
        &ada,
        &PreferencesForm {
            channels: [("grade_released".to_string(), "pigeon".to_string())].into(),
        },
    )
    .await
    .unwrap_err();
    assert!(bad.field("channels.grade_released").is_some(), "{bad:?}");
    assert!(matches!(
        notifications::save_preferences(
            &state,
            &ada,
            &PreferencesForm {
                channels: [("weather".to_string(), "email".to_string())].into(),
            },
        )
        .await,
        Err(AppError::Invalid(_))
    ));
});

db_test!(an_approved_enrolment_is_notified, |state| {
    let class = class(&state, ClassSpec::default()).await;
    let learner = user_with_roles(&state, "lena@example.com", &[Role::Learner]).await;
    lyceum::with_db_write!(&state.db, |p| {
        sqlx::query(
        "INSERT INTO enrolments (course_id, user_id, role, status, method, enrolled_at, updated_at) \
         VALUES ($1, $2, 'learner', 'pending', 'self', 0, 0)"
    )
    .bind(class.course_id)
    .bind(learner.id)
    .execute(p)
    .await
    .unwrap()
    .rows_affected()
    });
    lyceum::enrolments::service::approve(&state, &class.teacher, class.course_id, learner.id)
        .await
        .unwrap();
    let items = notifications::list(&state, &learner, 1)
        .await
        .unwrap()
        .items;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, Kind::EnrolmentApproved);
    assert_eq!(items[0].link, format!("/courses/{}", class.course_id));
    assert_eq!(outbox(&state, "lena@example.com").await.len(), 1);
});
