//! The acknowledgement item kind on SQLite and PostgreSQL, added through the item layer: the
//! learner confirms (once, with time and wording), the item and the course complete, staff see and
//! export who confirmed, a course copy keeps the statement and none of the confirmations, and
//! nobody else may confirm or look.

use crate::support::{self, ClassSpec};
use lyceum::acknowledgements::model::DEFAULT_STATEMENT;
use lyceum::acknowledgements::service as ack;
use lyceum::auth::permissions::Actor;
use lyceum::courses::model::ItemForm;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::items::service as items;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

struct Class {
    teacher: Actor,
    assistant: Actor,
    learner: Actor,
    other: Actor,
    outsider: Actor,
    course_id: i64,
    item_id: i64,
}

async fn class(state: &AppState) -> Class {
    let c = support::class(
        state,
        ClassSpec {
            code: "FS-1",
            title: "Fire safety",
            section: "Policies",
            learners: &["ada@example.com", "bo@example.com"],
            ..Default::default()
        },
    )
    .await;
    let outsider = user_with_roles(state, "cy@example.com", &[Role::Learner]).await;
    let item_id = c
        .add_item(
            state,
            ItemForm {
                kind: "acknowledgement".into(),
                title: "Fire safety policy".into(),
                body: "Keep **exits** clear. <script>alert(1)</script>".into(),
                required: true,
                // Ignored: an acknowledgement completes on confirmation, never on view.
                completion: "view".into(),
                ..Default::default()
            },
        )
        .await;
    Class {
        assistant: c.assistant(),
        learner: c.learners[0].clone(),
        other: c.learners[1].clone(),
        teacher: c.teacher,
        outsider,
        course_id: c.course_id,
        item_id,
    }
}

db_test!(
    a_learner_confirms_once_and_the_item_and_course_complete,
    |state| {
        let c = class(&state).await;
        let statement = "I have read and understood the fire safety policy.";
        ack::save_statement(&state, &c.teacher, c.item_id, statement)
            .await
            .unwrap();

        // Opening it does not complete it.
        let opened = lyceum::learning::service::open_item(&state, &c.learner, c.item_id)
            .await
            .unwrap();
        assert!(opened.item.html.contains("<strong>exits</strong>"));
        assert!(
            !opened.item.html.contains("<script"),
            "policy text is sanitised"
        );
        assert!(opened.completed.is_empty());
        let err = lyceum::learning::service::mark_done(&state, &c.learner, c.item_id)
            .await
            .unwrap_err();
        assert_eq!(err, AppError::Forbidden, "not by Mark as done either");

        let before = ack::learner_view(&state, &c.learner, c.item_id)
            .await
            .unwrap();
        assert_eq!(before.statement, statement);
        assert_eq!(before.confirmed_at, None);
        assert!(before.may_confirm);

        let after = ack::confirm(&state, &c.learner, c.item_id).await.unwrap();
        let first = after.confirmed_at.expect("recorded when");
        let done = lyceum::completion::store::completed_items(&state.db, c.course_id, c.learner.id)
            .await
            .unwrap();
        assert_eq!(done, vec![c.item_id]);
        let progress = lyceum::completion::store::progress(&state.db, c.course_id, c.learner.id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            progress.completed_at.is_some(),
            "the only required item: course complete"
        );

        // Rewording later and confirming again keep the first confirmation as it was.
        ack::save_statement(&state, &c.teacher, c.item_id, "New wording.")
            .await
            .unwrap();
        let again = ack::confirm(&state, &c.learner, c.item_id).await.unwrap();
        assert_eq!(again.confirmed_at, Some(first));
        let overview = ack::overview(&state, &c.teacher, c.item_id, 1)
            .await
            .unwrap();
        assert_eq!((overview.confirmed, overview.learners), (1, 2));
        let ada = overview
            .page
            .items
            .iter()
            .find(|r| r.user_id == c.learner.id)
            .unwrap();
        assert_eq!(ada.confirmed_at, Some(first));
        assert_eq!(ada.statement.as_deref(), Some(statement));
        let bo = overview
            .page
            .items
            .iter()
            .find(|r| r.user_id == c.other.id)
            .unwrap();
        assert_eq!(bo.confirmed_at, None);

        let csv = ack::export_csv(&state, &c.assistant, c.item_id)
            .await
            .unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "name,email,confirmed,confirmed_at,statement");
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(
            lines.iter().any(|l| l.contains("ada@example.com")
                && l.contains(",yes,")
                && l.contains(statement)),
            "{csv}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("bo@example.com") && l.contains(",no,")),
            "{csv}"
        );

        // The audit log has the confirmation.
        let audit: i64 = match &state.db {
            lyceum::db::Db::Sqlite(pools) => sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'acknowledgement.confirm'",
            )
            .fetch_one(&pools.read)
            .await
            .unwrap(),
            lyceum::db::Db::Postgres(pool) => sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'acknowledgement.confirm'",
            )
            .fetch_one(pool)
            .await
            .unwrap(),
        };
        assert_eq!(audit, 2, "each press is audited");
    }
);

db_test!(
    only_learners_of_the_course_confirm_and_only_staff_look,
    |state| {
        let c = class(&state).await;
        for who in [&c.teacher, &c.assistant, &c.outsider] {
            let err = ack::confirm(&state, who, c.item_id).await.unwrap_err();
            assert_eq!(err, AppError::Forbidden);
        }
        for who in [&c.learner, &c.outsider] {
            let err = ack::overview(&state, who, c.item_id, 1).await.unwrap_err();
            assert_eq!(err, AppError::Forbidden);
            let err = ack::export_csv(&state, who, c.item_id).await.unwrap_err();
            assert_eq!(err, AppError::Forbidden);
        }
        let err = ack::save_statement(&state, &c.assistant, c.item_id, "x")
            .await
            .unwrap_err();
        assert_eq!(err, AppError::Forbidden, "assistants see, instructors word");
        let err = ack::save_statement(&state, &c.teacher, c.item_id, "  ")
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Invalid(ref e) if e[0].field == "statement"));
        // A hidden acknowledgement does not exist for learners.
        let detail = items::item_for_editing(&state, &c.teacher, c.item_id)
            .await
            .unwrap();
        let mut form = detail.form();
        form.hidden = true;
        items::update_item(&state, &c.teacher, c.item_id, &form)
            .await
            .unwrap();
        let err = ack::confirm(&state, &c.learner, c.item_id)
            .await
            .unwrap_err();
        assert_eq!(err, AppError::NotFound);
        // Another kind's item is not an acknowledgement.
        let staff = ack::learner_view(&state, &c.teacher, c.item_id)
            .await
            .unwrap();
        assert!(!staff.may_confirm);
        assert_eq!(staff.statement, DEFAULT_STATEMENT);
    }
);

db_test!(
    a_course_copy_keeps_the_statement_and_no_confirmations,
    |state| {
        let c = class(&state).await;
        ack::save_statement(&state, &c.teacher, c.item_id, "I will keep exits clear.")
            .await
            .unwrap();
        ack::confirm(&state, &c.learner, c.item_id).await.unwrap();
        let copy =
            lyceum::items::copy::copy_course(&state, &c.teacher, c.course_id, "FS-2", "Again")
                .await
                .unwrap();
        let outline = lyceum::courses::outline_store::outline(&state.db, copy.id, true)
            .await
            .unwrap();
        let copied = outline[0].items[0].clone();
        assert_eq!(copied.kind, lyceum::items::kind::ItemKind::Acknowledgement);
        let overview = ack::overview(&state, &c.teacher, copied.id, 1)
            .await
            .unwrap();
        assert_eq!(overview.statement, "I will keep exits clear.");
        assert_eq!(overview.confirmed, 0);
        // Deleting the item takes its confirmations with it.
        items::delete_item(&state, &c.teacher, c.item_id)
            .await
            .unwrap();
        let err = ack::overview(&state, &c.teacher, c.item_id, 1)
            .await
            .unwrap_err();
        assert_eq!(err, AppError::NotFound);
    }
);
