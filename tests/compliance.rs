//! Mandatory training on SQLite and PostgreSQL: assigning a requirement to an audience enrols
//! its people; standings move with a fake clock (due soon, overdue, completed, expired), keep
//! each cycle, honour extensions and exemptions, and follow audience membership.

use lyceum::audiences::model::{AudienceForm, RuleForm};
use lyceum::compliance::model::RequirementForm;
use lyceum::compliance::service as compliance;
use lyceum::compliance::status::State;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;
use lyceum::users::profile::ProfileForm;
use lyceum::users::profile_service as profiles;
use lyceum::with_db_write;

use crate::support::{ClassSpec, class};

const DAY: i64 = 86_400;

fn ymd(at: i64) -> String {
    lyceum::settings::time_zone::today_in(at, "UTC")
        .format("%Y-%m-%d")
        .to_string()
}

db_test!(
    a_requirement_chases_an_audience_through_a_certification_cycle,
    |state| {
        let class = class(&state, ClassSpec::default()).await;
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let mut people = Vec::new();
        for (email, department) in [
            ("nina@example.com", "Nursing"),
            ("sam@example.com", "Nursing"),
            ("pat@example.com", "Porters"),
        ] {
            let person = user_with_roles(&state, email, &[Role::Learner]).await;
            profiles::save(
                &state,
                &admin,
                person.id,
                &ProfileForm {
                    department: department.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            people.push(person);
        }
        let (nina, sam, pat) = (&people[0], &people[1], &people[2]);
        let nursing = lyceum::audiences::service::save(
            &state,
            &admin,
            None,
            &AudienceForm {
                name: "Nursing".into(),
                description: String::new(),
                match_all: true,
                rules: vec![RuleForm {
                    field: "department".into(),
                    op: "is".into(),
                    value: "Nursing".into(),
                }],
            },
        )
        .await
        .unwrap();
        let learner = &class.learners;
        assert!(learner.is_empty() || learner.iter().all(|l| l.id != nina.id));
        let form = RequirementForm {
            name: "Fire safety".into(),
            course_id: class.course_id,
            due_kind: "after_assignment".into(),
            due_days: "7".into(),
            valid_months: "12".into(),
            window_days: "30".into(),
            due_soon_days: "3".into(),
            audience_ids: vec![nursing],
            ..Default::default()
        };
        // Only those who look after people set requirements.
        assert!(matches!(
            compliance::create(&state, nina, &form).await,
            Err(AppError::Forbidden)
        ));
        let bad = compliance::create(
            &state,
            &admin,
            &RequirementForm {
                due_kind: "fixed".into(),
                due_date: "2025-02-30".into(),
                valid_months: "0".into(),
                ..form.clone()
            },
        )
        .await
        .unwrap_err();
        assert!(
            bad.field("due_date").is_some() && bad.field("valid_months").is_some(),
            "{bad:?}"
        );
        let id = compliance::create(&state, &admin, &form).await.unwrap();
        let start = lyceum::db::now();

        // Assigned to the audience: Nina and Sam, enrolled as learners, due in 7 days.
        let standings = compliance::people(&state, &admin, id).await.unwrap();
        let emails: Vec<&str> = standings.iter().map(|s| s.email.as_str()).collect();
        assert_eq!(emails, ["nina@example.com", "sam@example.com"]);
        assert!(standings.iter().all(|s| s.state == State::NotStarted));
        assert_eq!(
            standings[0].due_on.as_deref(),
            Some(ymd(start + 7 * DAY).as_str())
        );
        let enrolment = lyceum::enrolments::store::find(&state.db, class.course_id, nina.id)
            .await
            .unwrap()
            .expect("assignment enrols");
        assert_eq!(enrolment.status, "active");
        assert_eq!(enrolment.role, "learner");
        let mine = compliance::mine(&state, nina).await.unwrap();
        assert_eq!((mine.len(), mine[0].name.as_str()), (1, "Fire safety"));

        // Sam gets until day 20; on day 8 Nina is overdue, Sam is not.
        compliance::extend(
            &state,
            &admin,
            id,
            sam.id,
            Some(&ymd(start + 20 * DAY)),
            "On leave",
        )
        .await
        .unwrap();
        let no_reason = compliance::extend(&state, &admin, id, sam.id, Some(&ymd(start)), " ")
            .await
            .unwrap_err();
        assert!(no_reason.field("reason").is_some());
        compliance::refresh(&state, id, start + 8 * DAY)
            .await
            .unwrap();
        let on_day_8 = compliance::people(&state, &admin, id).await.unwrap();
        assert_eq!(
            (on_day_8[0].state, on_day_8[1].state),
            (State::Overdue, State::NotStarted)
        );

        // Nina completes the course on day 9: completed, valid twelve months, the cycle recorded.
        with_db_write!(&state.db, |p| sqlx::query(
            "UPDATE enrolments SET completed_at = $1 WHERE course_id = $2 AND user_id = $3"
        )
        .bind(start + 9 * DAY)
        .bind(class.course_id)
        .bind(nina.id)
        .execute(p)
        .await
        .unwrap()
        .rows_affected());
        compliance::refresh(&state, id, start + 10 * DAY)
            .await
            .unwrap();
        let done = &compliance::people(&state, &admin, id).await.unwrap()[0];
        assert_eq!(done.state, State::Completed);
        assert_eq!(
            done.completed_on.as_deref(),
            Some(ymd(start + 9 * DAY).as_str())
        );
        let completed_on =
            chrono::NaiveDate::parse_from_str(done.completed_on.as_deref().unwrap(), "%Y-%m-%d")
                .unwrap();
        let expires = lyceum::compliance::status::add_months(completed_on, 12);
        assert_eq!(
            done.expires_on,
            Some(expires.format("%Y-%m-%d").to_string())
        );

        // A year on, past the expiry: expired, and the cycle says when.
        let after_expiry = expires.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp() + DAY;
        compliance::refresh(&state, id, after_expiry).await.unwrap();
        let lapsed = &compliance::people(&state, &admin, id).await.unwrap()[0];
        assert_eq!(lapsed.state, State::Expired);
        let cycles = lyceum::compliance::store::cycles(&state.db, id, nina.id)
            .await
            .unwrap();
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].expired_on, lapsed.expires_on);

        // Sam is exempted, with the reason; membership follows profiles: Pat joins Nursing and is
        // assigned, Sam leaves it and is no longer chased.
        compliance::exempt(&state, &admin, id, sam.id, Some("Qualified elsewhere"))
            .await
            .unwrap();
        let exempt = compliance::people(&state, &admin, id).await.unwrap();
        assert_eq!(exempt[1].state, State::Exempt);
        assert_eq!(
            exempt[1].exempt_reason.as_deref(),
            Some("Qualified elsewhere")
        );
        for (person, department) in [(pat, "Nursing"), (sam, "Porters")] {
            profiles::save(
                &state,
                &admin,
                person.id,
                &ProfileForm {
                    department: department.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        let refreshed = compliance::refresh(&state, id, after_expiry).await.unwrap();
        assert_eq!((refreshed.assigned, refreshed.unassigned), (1, 1));
        let now_people: Vec<String> = compliance::people(&state, &admin, id)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.email)
            .collect();
        assert_eq!(now_people, ["nina@example.com", "pat@example.com"]);
        assert!(compliance::mine(&state, sam).await.unwrap().is_empty());
    }
);

db_test!(
    the_nightly_run_moves_states_at_midnight_and_queues_the_next_night,
    |state| {
        let class = class(
            &state,
            ClassSpec {
                learners: &["nina@example.com"],
                ..Default::default()
            },
        )
        .await;
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let id = compliance::create(
            &state,
            &admin,
            &RequirementForm {
                name: "Hand hygiene".into(),
                course_id: class.course_id,
                due_kind: "after_assignment".into(),
                due_days: "1".into(),
                due_soon_days: "0".into(),
                emails: "nina@example.com".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let now = lyceum::db::now();
        // Queued once, however often start-up asks.
        compliance::ensure_nightly(&state, now).await.unwrap();
        compliance::ensure_nightly(&state, now).await.unwrap();
        let queued = || async {
            with_db_write!(&state.db, |p| sqlx::query_as::<_, (i64, i64)>(
                "SELECT id, run_at FROM jobs WHERE kind = $1 AND state = 'queued'"
            )
            .bind(compliance::NIGHTLY)
            .fetch_all(p)
            .await
            .unwrap())
        };
        let first = queued().await;
        assert_eq!(first.len(), 1);
        let (_, run_at) = first[0];
        // Five past the next midnight (the site is on UTC).
        assert_eq!(run_at.rem_euclid(DAY), 300);
        assert!(run_at > now && run_at <= now + DAY + 300);
        // Two nights on, the nightly run finds Nina overdue and queues the next night.
        let later = run_at + DAY;
        assert_eq!(
            lyceum::jobs::worker::run_due(&state, later).await.unwrap(),
            1
        );
        let standing = &compliance::people(&state, &admin, id).await.unwrap()[0];
        assert_eq!(standing.state, State::Overdue);
        let next = queued().await;
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].1, run_at + 2 * DAY);
    }
);
