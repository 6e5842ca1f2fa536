//! Mandatory training on SQLite and PostgreSQL: assigning a requirement to an audience enrols
//! its people; standings move with a fake clock (due soon, overdue, completed, expired), keep
//! each cycle, honour extensions and exemptions, and follow audience membership.

use lyceum::audiences::model::{AudienceForm, RuleForm};
use lyceum::compliance::model::{NextRun, RequirementForm};
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

/// Everyone a requirement applies to (one page holds them all here).
async fn everyone(
    state: &lyceum::state::AppState,
    admin: &lyceum::auth::permissions::Actor,
    id: i64,
) -> Vec<lyceum::compliance::model::PersonStanding> {
    compliance::people(state, admin, id, &Default::default())
        .await
        .unwrap()
        .items
}

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
        let standings = everyone(&state, &admin, id).await;
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
        let on_day_8 = everyone(&state, &admin, id).await;
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
        let done = &everyone(&state, &admin, id).await[0];
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
        let lapsed = &everyone(&state, &admin, id).await[0];
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
        let exempt = everyone(&state, &admin, id).await;
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
        let now_people: Vec<String> = everyone(&state, &admin, id)
            .await
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
        lyceum::jobs::daily::ensure(&state, &compliance::NIGHTLY, now)
            .await
            .unwrap();
        lyceum::jobs::daily::ensure(&state, &compliance::NIGHTLY, now)
            .await
            .unwrap();
        let queued = || async {
            with_db_write!(&state.db, |p| sqlx::query_as::<_, (i64, i64)>(
                "SELECT id, run_at FROM jobs WHERE kind = $1 AND state = 'queued'"
            )
            .bind(compliance::NIGHTLY.kind)
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
        // Due the day after she was assigned, Nina is overdue from the night after that: the
        // first run two dates on (not two runs on: before 00:05 the first run is tonight's).
        let later = (now.div_euclid(DAY) + 2) * DAY + 300;
        // The nights, and the deliveries of the emails they and the assignment queued.
        assert!(lyceum::jobs::worker::run_due(&state, later).await.unwrap() >= 1);
        let standing = &everyone(&state, &admin, id).await[0];
        assert_eq!(standing.state, State::Overdue);
        let next = queued().await;
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].1, later + DAY);
    }
);

db_test!(
    reminders_follow_the_plan_day_by_day_and_reach_the_manager_when_late,
    |state| {
        let class = class(
            &state,
            ClassSpec {
                learners: &["nina@example.com"],
                ..Default::default()
            },
        )
        .await;
        let nina = &class.learners[0];
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let hugo = user_with_roles(&state, "hugo@example.com", &[Role::Learner]).await;
        let lea = user_with_roles(&state, "lea@example.com", &[Role::Learner]).await;
        profiles::save(
            &state,
            &admin,
            nina.id,
            &ProfileForm {
                manager_email: "hugo@example.com".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let form = RequirementForm {
            name: "Manual handling".into(),
            course_id: class.course_id,
            due_kind: "after_assignment".into(),
            due_days: "10".into(),
            due_soon_days: "3".into(),
            remind_before_days: "7".into(),
            remind_on_overdue: true,
            remind_repeat_days: "3".into(),
            escalate_after_days: "5".into(),
            emails: "nina@example.com".into(),
            ..Default::default()
        };
        let bad = compliance::create(
            &state,
            &admin,
            &RequirementForm {
                remind_repeat_days: "0".into(),
                escalate_after_days: "soon".into(),
                ..form.clone()
            },
        )
        .await
        .unwrap_err();
        assert!(
            bad.field("remind_repeat_days").is_some() && bad.field("escalate_after_days").is_some(),
            "{bad:?}"
        );
        let id = compliance::create(&state, &admin, &form).await.unwrap();
        let start = lyceum::db::now();
        let subjects = |person: lyceum::auth::permissions::Actor| {
            let state = state.clone();
            async move {
                let mut all: Vec<String> = lyceum::notifications::service::list(&state, &person, 1)
                    .await
                    .unwrap()
                    .items
                    .into_iter()
                    .map(|n| n.subject)
                    .collect();
                all.reverse();
                all
            }
        };
        // Every night for 17 days, as the job queue would run it: reminded 7 days before the
        // due date (day 3), on the first overdue day (11), then every 3 days (14, 17); from 5
        // days late (day 17 is 7 late) the manager gets a copy.
        let mut reminded_on = Vec::new();
        for day in 0..=17 {
            let before = subjects(nina.clone()).await.len();
            compliance::nightly(&state, start + day * DAY)
                .await
                .unwrap();
            // A second run the same night sends nothing more.
            compliance::nightly(&state, start + day * DAY + 60)
                .await
                .unwrap();
            let after = subjects(nina.clone()).await.len();
            assert!(after - before <= 1, "day {day}");
            if after > before {
                reminded_on.push(day);
            }
        }
        assert_eq!(reminded_on, [3, 11, 14, 17]);
        let due = ymd(start + 10 * DAY);
        assert_eq!(
            subjects(nina.clone()).await,
            [
                format!("You are asked to complete “Manual handling” by {due}"),
                format!("“Manual handling” is due by {due}"),
                "“Manual handling” is overdue".to_string(),
                "“Manual handling” is overdue".to_string(),
                "“Manual handling” is overdue".to_string(),
            ]
        );
        assert_eq!(
            subjects(hugo.clone()).await,
            ["Test nina is overdue with “Manual handling”"]
        );

        // Hugo nudges Nina; Lea, who does not manage her, cannot.
        assert!(matches!(
            lyceum::team::service::nudge(&state, &lea, nina.id, id).await,
            Err(AppError::NotFound)
        ));
        lyceum::team::service::nudge(&state, &hugo, nina.id, id)
            .await
            .unwrap();
        let list = lyceum::notifications::service::list(&state, nina, 1)
            .await
            .unwrap();
        assert!(
            list.items[0]
                .body
                .starts_with("Test hugo asks you to do this.")
        );
        // The team list counts her requirement, overdue.
        let team = lyceum::team::service::my_team(&state, &hugo, 1)
            .await
            .unwrap();
        assert_eq!(
            (
                team.items[0].required,
                team.items[0].compliant,
                team.items[0].overdue
            ),
            (1, 0, 1)
        );
        let detail = lyceum::team::service::member(&state, &hugo, nina.id)
            .await
            .unwrap();
        assert_eq!(detail.requirements[0].state, State::Overdue);
    }
);

db_test!(
    the_matrix_counts_each_department_and_audience_and_the_nights_make_a_trend,
    |state| {
        let class = class(&state, ClassSpec::default()).await;
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let mut people = Vec::new();
        for (email, department) in [
            ("nina@example.com", "Nursing"),
            ("sam@example.com", "Nursing"),
            ("pat@example.com", "Porters"),
            ("kim@example.com", ""),
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
                    value: "nursing".into(),
                }],
            },
        )
        .await
        .unwrap();
        let form = RequirementForm {
            name: "Fire safety".into(),
            course_id: class.course_id,
            due_kind: "after_assignment".into(),
            due_days: "0".into(),
            due_soon_days: "0".into(),
            valid_months: "12".into(),
            window_days: "30".into(),
            emails: "nina@example.com pat@example.com kim@example.com sam@example.com".into(),
            ..Default::default()
        };
        let id = compliance::create(&state, &admin, &form).await.unwrap();
        // Nina completed eleven and a half months ago (valid, expiring within 30 days); the
        // others are due today and become overdue tomorrow.
        let start = lyceum::db::now();
        with_db_write!(&state.db, |p| sqlx::query(
            "UPDATE enrolments SET completed_at = $1 WHERE course_id = $2 AND user_id = $3"
        )
        .bind(start - 350 * DAY)
        .bind(class.course_id)
        .bind(people[0].id)
        .execute(p)
        .await
        .unwrap()
        .rows_affected());
        compliance::nightly(&state, start + DAY).await.unwrap();

        let matrix = lyceum::compliance::matrix::matrix(&state, &admin, "department", 1)
            .await
            .unwrap();
        assert_eq!(matrix.requirements, [(id, "Fire safety".to_string())]);
        let rows: Vec<(&str, i64, i64, i64, i64)> = matrix
            .rows
            .items
            .iter()
            .map(|r| {
                let c = r.cells[0];
                (
                    r.label.as_str(),
                    c.assigned,
                    c.compliant,
                    c.overdue,
                    c.expiring,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("Nursing", 2, 1, 1, 1),
                ("Porters", 1, 0, 1, 0),
                ("No department", 1, 0, 1, 0)
            ]
        );
        let everyone = matrix.everyone.unwrap().cells[0];
        assert_eq!(
            (everyone.assigned, everyone.compliant, everyone.percent()),
            (4, 1, Some(25))
        );

        let by_audience = lyceum::compliance::matrix::matrix(&state, &admin, "audience", 1)
            .await
            .unwrap();
        assert_eq!(by_audience.rows.items.len(), 1);
        assert_eq!(by_audience.rows.items[0].label, "Nursing");
        assert_eq!(by_audience.rows.items[0].cells[0].assigned, 2);
        assert!(nursing > 0);

        let csv = lyceum::compliance::matrix::matrix_csv(&state, &admin, "department")
            .await
            .unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "department,requirement,assigned,compliant,percent_compliant,overdue,expiring"
        );
        assert!(lines.contains(&"Nursing,Fire safety,2,1,50,1,1"), "{csv}");
        assert!(lines.contains(&"Everyone,Fire safety,4,1,25,3,1"), "{csv}");

        // (The job queued when the requirement was made has not run: no worker here.)
        assert!(matrix.computed.is_some() && matrix.next_run == NextRun::Now);
        // The page shows the figures as computed: a change queues the work again (once,
        // however many changes ask), and the figures move when the job has run.
        compliance::exempt(&state, &admin, id, people[2].id, Some("On leave"))
            .await
            .unwrap();
        compliance::refresh_now(&state, &admin, id).await.unwrap();
        lyceum::compliance::matrix::request_recompute(&state, &admin)
            .await
            .unwrap();
        let everyone_now = |m: lyceum::compliance::model::Matrix| {
            (
                m.everyone.unwrap().cells[0].compliant,
                m.next_run == NextRun::Idle,
            )
        };
        let waiting = lyceum::compliance::matrix::matrix(&state, &admin, "department", 1)
            .await
            .unwrap();
        assert_eq!(everyone_now(waiting), (1, false));
        let queued: i64 = with_db_write!(&state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND state = 'queued'"
        )
        .bind(lyceum::compliance::matrix::RECOMPUTE)
        .fetch_one(p)
        .await
        .unwrap());
        assert_eq!(queued, 1);
        lyceum::jobs::worker::run_due(&state, lyceum::db::now())
            .await
            .unwrap();
        let computed = lyceum::compliance::matrix::matrix(&state, &admin, "department", 1)
            .await
            .unwrap();
        assert_eq!(everyone_now(computed), (2, true));

        // A learner's completion counts on the matrix once completions have settled (one run
        // for however many complete meanwhile), or at once when an administrator asks.
        let done_at = lyceum::db::now();
        let mut tx = state.db.begin().await.unwrap();
        lyceum::with_tx!(&mut tx, |c| sqlx::query(
            "UPDATE enrolments SET completed_at = $1 WHERE course_id = $2 AND user_id = $3"
        )
        .bind(done_at)
        .bind(class.course_id)
        .bind(people[1].id)
        .execute(c)
        .await
        .unwrap()
        .rows_affected());
        let payload = serde_json::to_string(&lyceum::completion::model::CourseCompleted {
            course_id: class.course_id,
            user_id: people[1].id,
        })
        .unwrap();
        lyceum::jobs::queue::enqueue(
            &mut tx,
            lyceum::completion::model::COURSE_COMPLETED,
            &payload,
            done_at,
            done_at,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        lyceum::jobs::worker::run_due(&state, done_at)
            .await
            .unwrap();
        let settling = lyceum::compliance::matrix::matrix(&state, &admin, "department", 1)
            .await
            .unwrap();
        assert_eq!(settling.everyone.as_ref().unwrap().cells[0].compliant, 2);
        assert!(
            matches!(&settling.next_run, NextRun::At(at) if !at.is_empty()),
            "{:?}",
            settling.next_run
        );
        let settled = done_at + lyceum::compliance::matrix::SETTLE_SECS;
        assert!(settled > done_at);
        lyceum::compliance::matrix::request_recompute(&state, &admin)
            .await
            .unwrap();
        let brought_forward = lyceum::compliance::matrix::matrix(&state, &admin, "department", 1)
            .await
            .unwrap();
        assert_eq!(brought_forward.next_run, NextRun::Now);
        lyceum::jobs::worker::run_due(&state, lyceum::db::now())
            .await
            .unwrap();
        let counted = lyceum::compliance::matrix::matrix(&state, &admin, "department", 1)
            .await
            .unwrap();
        assert_eq!(everyone_now(counted), (3, true));
        assert!(
            lyceum::compliance::matrix::request_recompute(&state, &people[0])
                .await
                .is_err()
        );

        // One snapshot per night, however often the night runs.
        compliance::nightly(&state, start + DAY + 60).await.unwrap();
        compliance::nightly(&state, start + 2 * DAY).await.unwrap();
        let trend = lyceum::compliance::matrix::trend(&state, &admin, 3650)
            .await
            .unwrap();
        let nights: Vec<(i64, i64, i64)> = trend
            .points
            .iter()
            .filter(|p| p.day >= ymd(start + DAY))
            .map(|p| (p.assigned, p.compliant, p.overdue))
            .collect();
        // Pat is exempt and Sam completed since the matrix above: compliant.
        assert_eq!(nights, [(4, 3, 1), (4, 3, 1)]);
        assert!(trend.svg.starts_with("<svg") && trend.svg.contains("People compliant"));

        // Learners see none of it.
        assert!(matches!(
            lyceum::compliance::matrix::matrix(&state, &people[0], "department", 1).await,
            Err(AppError::Forbidden)
        ));
        assert!(
            lyceum::compliance::matrix::matrix(&state, &admin, "weather", 1)
                .await
                .unwrap_err()
                .field("by")
                .is_some()
        );
    }
);

db_test!(
    a_renewal_window_starts_the_course_afresh_and_the_new_completion_opens_a_new_cycle,
    |state| {
        let class = class(
            &state,
            ClassSpec {
                learners: &["nina@example.com"],
                ..Default::default()
            },
        )
        .await;
        let nina = &class.learners[0];
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let id = compliance::create(
            &state,
            &admin,
            &RequirementForm {
                name: "Resuscitation".into(),
                course_id: class.course_id,
                due_kind: "after_assignment".into(),
                due_days: "30".into(),
                valid_months: "12".into(),
                window_days: "30".into(),
                emails: "nina@example.com".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let start = lyceum::db::now();
        let complete = |at: i64| {
            let state = state.clone();
            async move {
                with_db_write!(&state.db, |p| sqlx::query(
                    "UPDATE enrolments SET completed_at = $1 WHERE course_id = $2 AND user_id = $3"
                )
                .bind(at)
                .bind(class.course_id)
                .bind(nina.id)
                .execute(p)
                .await
                .unwrap()
                .rows_affected())
            }
        };
        let completed_at = || {
            let state = state.clone();
            async move {
                with_db_write!(&state.db, |p| sqlx::query_scalar::<_, Option<i64>>(
                    "SELECT completed_at FROM enrolments WHERE course_id = $1 AND user_id = $2"
                )
                .bind(class.course_id)
                .bind(nina.id)
                .fetch_one(p)
                .await
                .unwrap())
            }
        };
        complete(start).await;
        compliance::nightly(&state, start).await.unwrap();
        let first = everyone(&state, &admin, id).await[0].clone();
        assert_eq!(first.state, State::Completed);
        // Before the window opens nothing is reset, whatever runs.
        lyceum::jobs::worker::run_due(&state, start + 300 * DAY)
            .await
            .unwrap();
        assert_eq!(completed_at().await, Some(start));

        // Eleven months on the renewal window is open: the course is reset by a job, once,
        // and she stays compliant on her last completion until it lapses.
        let window = start + 340 * DAY;
        compliance::nightly(&state, window).await.unwrap();
        compliance::refresh(&state, id, window).await.unwrap();
        let resets: i64 = with_db_write!(&state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND state = 'queued'"
        )
        .bind(lyceum::completion::model::RESET_LEARNER)
        .fetch_one(p)
        .await
        .unwrap());
        assert_eq!(resets, 1);
        lyceum::jobs::worker::run_due(&state, window).await.unwrap();
        assert_eq!(completed_at().await, None);
        compliance::refresh(&state, id, window).await.unwrap();
        let renewing = everyone(&state, &admin, id).await[0].clone();
        assert_eq!(renewing.state, State::DueSoon);
        assert_eq!(renewing.completed_on, first.completed_on);
        assert_eq!(renewing.expires_on, first.expires_on);

        // She does it again: completed, valid a year from the new date, two cycles on record.
        complete(window).await;
        compliance::refresh(&state, id, window).await.unwrap();
        let renewed = everyone(&state, &admin, id).await[0].clone();
        assert_eq!(renewed.state, State::Completed);
        assert_eq!(renewed.completed_on, Some(ymd(window)));
        assert!(renewed.expires_on > first.expires_on);
        let cycles = lyceum::compliance::store::cycles(&state.db, id, nina.id)
            .await
            .unwrap();
        assert_eq!(cycles.len(), 2);
        assert_eq!(cycles[1].completed_on, first.completed_on.clone().unwrap());
    }
);

db_test!(a_requirements_people_page_filters_and_pages, |state| {
    let class = class(&state, ClassSpec::default()).await;
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let mut emails = Vec::new();
    for i in 0..55 {
        let email = format!("p{i:02}@example.com");
        let person = user_with_roles(&state, &email, &[Role::Learner]).await;
        if i % 5 == 0 {
            profiles::save(
                &state,
                &admin,
                person.id,
                &ProfileForm {
                    department: "Theatre".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        emails.push(email);
    }
    let id = compliance::create(
        &state,
        &admin,
        &RequirementForm {
            name: "Sharps".into(),
            course_id: class.course_id,
            emails: emails.join("\n"),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let query = |state: &str, department: &str, search: &str, page: u32| {
        lyceum::compliance::model::PeopleQuery {
            state: state.into(),
            department: department.into(),
            search: search.into(),
            page,
        }
    };
    let first = compliance::people(&state, &admin, id, &query("", "", "", 1))
        .await
        .unwrap();
    assert_eq!(
        (first.items.len(), first.total, first.page_count()),
        (50, 55, 2)
    );
    let second = compliance::people(&state, &admin, id, &query("", "", "", 2))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 5);
    let theatre = compliance::people(&state, &admin, id, &query("not_started", "theatre", "", 1))
        .await
        .unwrap();
    assert_eq!(theatre.total, 11);
    let found = compliance::people(&state, &admin, id, &query("", "", "P07@", 1))
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].email, "p07@example.com");
    assert_eq!(
        compliance::people(&state, &admin, id, &query("overdue", "", "", 1))
            .await
            .unwrap()
            .total,
        0
    );
    let bad = compliance::people(&state, &admin, id, &query("sleeping", "", "", 1))
        .await
        .unwrap_err();
    assert!(bad.field("state").is_some());
});

db_test!(
    a_lapsed_certification_is_reminded_as_expired_not_as_late,
    |state| {
        use lyceum::notifications::service as notifications;
        let class = class(
            &state,
            ClassSpec {
                learners: &["nina@example.com"],
                ..Default::default()
            },
        )
        .await;
        let nina = &class.learners[0];
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let id = compliance::create(
            &state,
            &admin,
            &RequirementForm {
                name: "Fire safety".into(),
                course_id: class.course_id,
                due_kind: "after_assignment".into(),
                due_days: "7".into(),
                due_soon_days: "0".into(),
                valid_months: "12".into(),
                window_days: "30".into(),
                remind_on_overdue: true,
                emails: nina.email.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        // Nina completed it today; a year and five days on, it has lapsed.
        let start = lyceum::db::now();
        with_db_write!(&state.db, |p| sqlx::query(
            "UPDATE enrolments SET completed_at = $1 WHERE course_id = $2 AND user_id = $3"
        )
        .bind(start)
        .bind(class.course_id)
        .bind(nina.id)
        .execute(p)
        .await
        .unwrap()
        .rows_affected());
        compliance::refresh(&state, id, start).await.unwrap();
        let done = &everyone(&state, &admin, id).await[0];
        assert_eq!(done.state, State::Completed);
        let expires = done.expires_on.clone().unwrap();

        let later = start + 370 * DAY;
        compliance::nightly(&state, later).await.unwrap();
        assert_eq!(everyone(&state, &admin, id).await[0].state, State::Expired);
        let told: Vec<_> = notifications::list(&state, nina, 1)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|n| n.subject.starts_with("“Fire safety”"))
            .collect();
        assert_eq!(told.len(), 1, "reminded once: {told:?}");
        assert_eq!(told[0].subject, "“Fire safety” has expired");
        assert!(
            told[0]
                .body
                .contains(&format!("Your certification expired on {expires}.")),
            "{}",
            told[0].body
        );
    }
);

db_test!(
    a_programme_is_required_renewed_and_certified_as_a_course_is,
    |state| {
        use lyceum::compliance::model::Training;
        let first = class(
            &state,
            ClassSpec {
                code: "NUR-1",
                title: "Hand hygiene",
                ..Default::default()
            },
        )
        .await;
        let second = lyceum::enrolments::service::create_course(
            &state,
            &first.teacher,
            &lyceum::courses::model::CourseForm {
                code: "NUR-2".into(),
                title: "Manual handling".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
        let courses = [first.course_id, second];
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let nina = user_with_roles(&state, "nina@example.com", &[Role::Learner]).await;
        let programme = lyceum::programmes::service::save(
            &state,
            &admin,
            None,
            &lyceum::programmes::model::ProgrammeForm {
                name: "Nursing induction".into(),
                courses: "NUR-1\nNUR-2".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let template = lyceum::certificates::service::save_template(
            &state,
            &admin,
            None,
            &lyceum::certificates::model::TemplateForm::from_design(
                "Induction",
                &lyceum::certificates::model::Design::default(),
            ),
        )
        .await
        .unwrap();
        lyceum::certificates::service::set_programme_template(
            &state,
            &admin,
            programme,
            Some(template),
        )
        .await
        .unwrap();
        let form = RequirementForm {
            name: "Induction".into(),
            programme_id: programme,
            due_kind: "after_assignment".into(),
            due_days: "30".into(),
            valid_months: "12".into(),
            window_days: "30".into(),
            emails: "nina@example.com".into(),
            ..Default::default()
        };
        // One of a course or a programme, and one that is there, said next to the choice.
        for (course_id, programme_id, field) in [
            (0, 0, "training"),
            (first.course_id, programme, "training"),
            (0, 999, "programme_id"),
        ] {
            let err = compliance::create(
                &state,
                &admin,
                &RequirementForm {
                    course_id,
                    programme_id,
                    ..form.clone()
                },
            )
            .await
            .unwrap_err();
            assert!(
                err.field(field).is_some(),
                "{course_id} {programme_id}: {err:?}"
            );
        }
        let id = compliance::create(&state, &admin, &form).await.unwrap();
        let start = lyceum::db::now();

        // Assigned: she is on the programme and enrolled in both its courses; her home page
        // names the programme and leads to it.
        let on = lyceum::programmes::service::mine(&state, &nina)
            .await
            .unwrap();
        assert_eq!(on.len(), 1);
        for course in courses {
            let enrolled = lyceum::enrolments::store::find(&state.db, course, nina.id)
                .await
                .unwrap();
            assert!(enrolled.is_some(), "enrolled in {course}");
        }
        let mine = compliance::mine(&state, &nina).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].training, Training::Programme(programme));
        assert_eq!(mine[0].training_title, "Nursing induction");
        assert_eq!(mine[0].training.link(), format!("/#programme-{programme}"));
        assert_eq!(mine[0].state, State::NotStarted);
        let listed = compliance::list(&state, &admin).await.unwrap();
        assert_eq!(listed[0].training_title, "Nursing induction");
        // Its page is headed with what it asks for and how many people stand where.
        let summary = compliance::summary(&state, &admin, id).await.unwrap();
        assert_eq!(
            (
                summary.name.as_str(),
                summary.training.label(),
                summary.training_title.as_str()
            ),
            ("Induction", "Programme", "Nursing induction")
        );
        assert!(summary.counts.contains(&(State::NotStarted, 1)));
        assert_eq!(
            compliance::summary(&state, &nina, id).await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            compliance::summary(&state, &admin, id + 1000)
                .await
                .unwrap_err(),
            AppError::NotFound
        );

        // One course done is not the programme; both are, and it counts at once (the jobs that
        // follow a completion), with the certificate expiring with the requirement.
        let complete = |course_id: i64, at: i64| {
            let state = state.clone();
            let user_id = nina.id;
            async move {
                let mut tx = state.db.begin().await.unwrap();
                lyceum::with_tx!(&mut tx, |c| sqlx::query(
                    "UPDATE enrolments SET completed_at = $1 WHERE course_id = $2 AND user_id = $3"
                )
                .bind(at)
                .bind(course_id)
                .bind(user_id)
                .execute(c)
                .await
                .unwrap()
                .rows_affected());
                let payload = serde_json::to_string(&lyceum::completion::model::CourseCompleted {
                    course_id,
                    user_id,
                })
                .unwrap();
                lyceum::jobs::queue::enqueue(
                    &mut tx,
                    lyceum::completion::model::COURSE_COMPLETED,
                    &payload,
                    at,
                    at,
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
                lyceum::jobs::worker::run_due(&state, at).await.unwrap();
            }
        };
        complete(courses[0], start).await;
        assert_ne!(
            everyone(&state, &admin, id).await[0].state,
            State::Completed
        );
        complete(courses[1], start).await;
        let done = everyone(&state, &admin, id).await[0].clone();
        assert_eq!(done.state, State::Completed);
        assert_eq!(done.completed_on, Some(ymd(start)));
        let certificates = lyceum::certificates::service::mine(&state, &nina)
            .await
            .unwrap();
        assert_eq!(certificates.len(), 1);
        assert_eq!(certificates[0].title, "Nursing induction");
        assert_eq!(certificates[0].expires_on, done.expires_on);

        // The renewal window opens: her programme and both its courses start afresh, and she
        // stays compliant on her last completion meanwhile.
        let window = start + 340 * DAY;
        compliance::nightly(&state, window).await.unwrap();
        lyceum::jobs::worker::run_due(&state, window).await.unwrap();
        let on = lyceum::programmes::service::mine(&state, &nina)
            .await
            .unwrap();
        assert_eq!(on[0].completed_at, None);
        assert!(
            on[0].courses.iter().all(|c| !c.completed),
            "{:?}",
            on[0].courses
        );
        compliance::refresh(&state, id, window).await.unwrap();
        let renewing = everyone(&state, &admin, id).await[0].clone();
        assert_eq!(renewing.state, State::DueSoon);
        assert_eq!(renewing.completed_on, done.completed_on);

        // She does it again: a new cycle, a new certificate, both cycles on record.
        complete(courses[0], window).await;
        complete(courses[1], window).await;
        let renewed = everyone(&state, &admin, id).await[0].clone();
        assert_eq!(renewed.state, State::Completed);
        assert_eq!(renewed.completed_on, Some(ymd(window)));
        assert!(renewed.expires_on > done.expires_on);
        assert_eq!(
            lyceum::compliance::store::cycles(&state.db, id, nina.id)
                .await
                .unwrap()
                .len(),
            2
        );
        let certificates = lyceum::certificates::service::mine(&state, &nina)
            .await
            .unwrap();
        assert_eq!(certificates.len(), 2);
        assert!(
            certificates
                .iter()
                .any(|c| c.expires_on == renewed.expires_on)
        );
    }
);
