//! The calendar on SQLite and PostgreSQL: a learner's month holds their assignments' due dates
//! (an extension's instead of the class's), their quizzes' windows and their mandatory
//! training's due date, and nothing from courses they are not in or items hidden from them; the
//! private feed is read by an independent iCalendar parser (Python's `icalendar`), needs its
//! token, and stops when a new address is made or the account is suspended.

use crate::support::{self, ClassSpec, send};
use axum::body::Body;
use http::{Request, StatusCode};
use lyceum::assessments::model::QuizSettingsForm;
use lyceum::assignments::model::AssignmentSettingsForm;
use lyceum::calendar::model::DateKind;
use lyceum::calendar::service as calendar;
use lyceum::courses::model::ItemForm;
use lyceum::db_test;
use lyceum::input::format_datetime;
use lyceum::overrides::model::OverrideForm;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;
use serde_json::Value;

/// 2026-12-10 09:00 UTC, and the month it is in.
const DUE: i64 = 1_796_893_200;
const MONTH: &str = "2026-12";
const DAY: i64 = 24 * 60 * 60;

fn assignment_settings(due: i64) -> AssignmentSettingsForm {
    AssignmentSettingsForm {
        due_at: format_datetime(Some(due)),
        cutoff_at: format_datetime(Some(due + 2 * DAY)),
        late_percent_per_day: "0".into(),
        late_max_percent: "0".into(),
        accept_text: true,
        max_files: "1".into(),
        max_points: "10".into(),
        ..Default::default()
    }
}

/// The events of an iCalendar text as Python's `icalendar` reads them.
fn parsed(ics: &str) -> Vec<Value> {
    let file = std::env::temp_dir().join(format!("lyceum-{}.ics", uuid::Uuid::new_v4()));
    std::fs::write(&file, ics).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/ical-parse.sh");
    let out = std::process::Command::new(script)
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_file(&file).ok();
    assert!(
        out.status.success(),
        "icalendar refused the feed: {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn fetch(state: &AppState, url: &str) -> (StatusCode, String, String) {
    let path = url::Url::parse(url).unwrap().path().to_string();
    let app = lyceum::http::router(state.clone());
    let reply = send(&app, Request::get(&path).body(Body::empty()).unwrap()).await;
    let kind = reply
        .headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (reply.status, kind, reply.body)
}

db_test!(a_learners_month_and_feed_hold_their_own_dates, |state| {
    let c = support::class(
        &state,
        ClassSpec {
            code: "HIS-1",
            title: "History, modern",
            learners: &["ada@example.com", "bo@example.com"],
            assistant: false,
            ..Default::default()
        },
    )
    .await;
    let (ada, bo) = (c.learners[0].clone(), c.learners[1].clone());
    let essay = c
        .add_item(
            &state,
            ItemForm {
                kind: "assignment".into(),
                title: "Essay; draft".into(),
                required: true,
                ..Default::default()
            },
        )
        .await;
    lyceum::assignments::service::save_settings(
        &state,
        &c.teacher,
        essay,
        &assignment_settings(DUE),
    )
    .await
    .unwrap();
    // Bo has an extension of a day.
    lyceum::items::overrides::set(
        &state,
        &c.teacher,
        essay,
        &OverrideForm {
            learners: "bo@example.com".into(),
            due_at: format_datetime(Some(DUE + DAY)),
            reason: "Illness".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let quiz = c
        .add_item(
            &state,
            ItemForm {
                kind: "quiz".into(),
                title: "Test".into(),
                required: true,
                completion: "view".into(),
                ..Default::default()
            },
        )
        .await;
    lyceum::assessments::quiz::save_settings(
        &state,
        &c.teacher,
        quiz,
        &QuizSettingsForm {
            opens_at: format_datetime(Some(DUE - 3 * DAY)),
            closes_at: format_datetime(Some(DUE + 5 * DAY)),
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
    // A hidden item's dates are not shown to learners; another course's not at all.
    let hidden = c
        .add_item(
            &state,
            ItemForm {
                kind: "assignment".into(),
                title: "Secret".into(),
                hidden: true,
                ..Default::default()
            },
        )
        .await;
    lyceum::assignments::service::save_settings(
        &state,
        &c.teacher,
        hidden,
        &assignment_settings(DUE),
    )
    .await
    .unwrap();

    let month = calendar::month(&state, &ada, MONTH).await.unwrap();
    let kinds: Vec<(String, DateKind, String)> = month
        .entries
        .iter()
        .map(|e| (e.dated.title.clone(), e.dated.kind, e.date.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("Test".into(), DateKind::Opens, "2026-12-07".into()),
            ("Essay; draft".into(), DateKind::Due, "2026-12-10".into()),
            ("Essay; draft".into(), DateKind::CutOff, "2026-12-12".into()),
            ("Test".into(), DateKind::Closes, "2026-12-15".into()),
        ]
    );
    assert_eq!(month.entries[1].time, "09:00");
    assert_eq!(
        month.entries[1].dated.href,
        format!("/courses/{}/learn/{essay}", c.course_id)
    );
    // In her own time zone, New York's (UTC-5 in December), the due date is at 04:00; a zone
    // that is not one is refused next to the field; empty goes back to the site's (UTC).
    let err = lyceum::auth::service::set_own_time_zone(&state, &ada, "Mars/Olympus")
        .await
        .unwrap_err();
    assert!(err.field("time_zone").is_some(), "{err:?}");
    let choice = lyceum::auth::service::set_own_time_zone(&state, &ada, "America/New_York")
        .await
        .unwrap();
    assert_eq!(choice.zone, "America/New_York");
    assert!(choice.zones.iter().any(|z| z == "Asia/Kolkata"));
    let there = calendar::month(&state, &ada, MONTH).await.unwrap();
    assert_eq!(there.time_zone, "America/New_York");
    let due = there
        .entries
        .iter()
        .find(|e| e.dated.kind == DateKind::Due)
        .unwrap();
    assert_eq!(
        (due.date.as_str(), due.time.as_str()),
        ("2026-12-10", "04:00")
    );
    lyceum::auth::service::set_own_time_zone(&state, &ada, "")
        .await
        .unwrap();
    assert_eq!(
        calendar::month(&state, &ada, MONTH)
            .await
            .unwrap()
            .time_zone,
        "UTC"
    );
    // Bo's own due date is the extension's.
    let bos = calendar::month(&state, &bo, MONTH).await.unwrap();
    let due = bos
        .entries
        .iter()
        .find(|e| e.dated.kind == DateKind::Due)
        .unwrap();
    assert_eq!(due.date, "2026-12-11");
    // The instructor sees the hidden one too; someone in no course sees nothing.
    let teacher = calendar::month(&state, &c.teacher, MONTH).await.unwrap();
    assert!(teacher.entries.iter().any(|e| e.dated.title == "Secret"));
    assert!(!month.entries.iter().any(|e| e.dated.title == "Secret"));
    let outsider = user_with_roles(&state, "cy@example.com", &[Role::Learner]).await;
    assert!(
        calendar::month(&state, &outsider, MONTH)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    // Another month: nothing; a month that is not one: refused next to the field.
    assert!(
        calendar::month(&state, &ada, "2027-02")
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    assert!(
        calendar::month(&state, &ada, "2026-13")
            .await
            .unwrap_err()
            .field("month")
            .is_some()
    );

    // The feed: the same dates, read by an independent parser.
    let feed = calendar::feed(&state, &ada).await.unwrap();
    assert_eq!(
        calendar::feed(&state, &ada).await.unwrap(),
        feed,
        "the address is kept"
    );
    let ics = calendar::ics(
        &state,
        feed.url
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".ics"),
    )
    .await;
    // The feed holds the year ahead of today: the fixed dates above are in it while they are
    // less than 400 days away, which a test run after 2027 would not be.
    let ics = ics.unwrap();
    let events = parsed(&ics);
    if lyceum::db::now() < DUE {
        let due = events
            .iter()
            .find(|e| e["summary"] == "Due: Essay; draft")
            .unwrap_or_else(|| panic!("{events:?}"));
        assert_eq!(due["start"], "2026-12-10T09:00:00+00:00");
        assert_eq!(due["all_day"], false);
        assert_eq!(due["description"], "History, modern");
        assert!(
            due["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/courses/{}/learn/{essay}", c.course_id))
        );
        assert!(
            due["uid"]
                .as_str()
                .unwrap()
                .starts_with(&format!("item-{essay}-due@"))
        );
        assert_eq!(events.len(), 4, "{events:?}");
    }
    let (status, kind, body) = fetch(&state, &feed.url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/calendar"), "{kind}");
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n"));

    // A new address: the old one stops at once.
    let renewed = calendar::new_feed(&state, &ada).await.unwrap();
    assert_ne!(renewed.url, feed.url);
    assert_eq!(fetch(&state, &feed.url).await.0, StatusCode::NOT_FOUND);
    assert_eq!(fetch(&state, &renewed.url).await.0, StatusCode::OK);
    assert_eq!(
        fetch(&state, "http://x/calendar/feed/not-a-token.ics")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // A suspended account's feed stops too.
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    lyceum::users::service::set_status(
        &state,
        &admin,
        ada.id,
        lyceum::users::model::UserStatus::Suspended,
    )
    .await
    .unwrap();
    assert_eq!(fetch(&state, &renewed.url).await.0, StatusCode::NOT_FOUND);
});

db_test!(mandatory_training_due_dates_are_all_day_entries, |state| {
    let c = support::class(
        &state,
        ClassSpec {
            code: "FS-1",
            title: "Fire safety",
            learners: &["nina@example.com"],
            assistant: false,
            ..Default::default()
        },
    )
    .await;
    let nina = c.learners[0].clone();
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    lyceum::compliance::service::create(
        &state,
        &admin,
        &lyceum::compliance::model::RequirementForm {
            name: "Fire safety yearly".into(),
            course_id: c.course_id,
            due_kind: "after_assignment".into(),
            due_days: "7".into(),
            emails: "nina@example.com".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mine = lyceum::compliance::service::mine(&state, &nina)
        .await
        .unwrap();
    let due_on = mine[0].due_on.clone().unwrap();
    let month = calendar::month(&state, &nina, &due_on[..7]).await.unwrap();
    let entry = month
        .entries
        .iter()
        .find(|e| e.dated.kind == DateKind::TrainingDue)
        .unwrap_or_else(|| panic!("{month:?}"));
    assert_eq!(entry.date, due_on);
    assert_eq!(entry.time, "");
    assert_eq!(entry.dated.title, "Fire safety yearly");
    let feed = calendar::feed(&state, &nina).await.unwrap();
    let ics = calendar::ics(
        &state,
        feed.url
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".ics"),
    )
    .await
    .unwrap();
    let events = parsed(&ics);
    let training = events
        .iter()
        .find(|e| e["summary"] == "Training due: Fire safety yearly")
        .unwrap_or_else(|| panic!("{events:?}"));
    assert_eq!(training["all_day"], true);
    assert_eq!(training["start"], due_on.as_str());
});
