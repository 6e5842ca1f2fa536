//! The item layer on SQLite and PostgreSQL: deleting an item puts it in the course's recycle bin
//! (gone for everyone: player, outline, progress, gradebook, My grades, REST), restoring brings it
//! back with the learners' work and grades, only the course's editors may do either, and the
//! purge removes what waited 30 days (with the learners' files).

use crate::support::{self, ClassSpec};
use http::{Method, StatusCode};
use lyceum::assignments::model::{AssignmentSettingsForm, DraftSave, GradeInput, SubmissionFilter};
use lyceum::assignments::service as assignments;
use lyceum::auth::permissions::Actor;
use lyceum::courses::model::{DeletedItem, ItemForm};
use lyceum::courses::{service, structure};
use lyceum::db::now;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::grading::service as gradebook;
use lyceum::items::service as items;
use lyceum::learning::service as learning;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

struct Class {
    teacher: Actor,
    assistant: Actor,
    learner: Actor,
    course_id: i64,
    section_id: i64,
    lesson: i64,
    essay: i64,
}

async fn class(state: &AppState) -> Class {
    let c = support::class(
        state,
        ClassSpec {
            code: "BIN-1",
            title: "Recycling",
            ..Default::default()
        },
    )
    .await;
    let add = |kind: &'static str, title: &'static str| ItemForm {
        kind: kind.into(),
        title: title.into(),
        body: "Read this.".into(),
        required: true,
        completion: "view".into(),
        ..Default::default()
    };
    let lesson = c.add_item(state, add("lesson", "Welcome")).await;
    let essay = c.add_item(state, add("assignment", "Essay 1")).await;
    Class {
        assistant: c.assistant(),
        learner: c.learners[0].clone(),
        teacher: c.teacher,
        course_id: c.course_id,
        section_id: c.section_id,
        lesson,
        essay,
    }
}

/// The learner hands the essay in and the teacher grades it 40 / 50 and releases the grade.
async fn graded_essay(state: &AppState, c: &Class) {
    assignments::save_settings(
        state,
        &c.teacher,
        c.essay,
        &AssignmentSettingsForm {
            accept_text: true,
            max_files: "1".into(),
            max_points: "50".into(),
            late_percent_per_day: "0".into(),
            late_max_percent: "0".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let version = assignments::save_draft(
        state,
        &c.learner,
        c.essay,
        &DraftSave {
            body: "Cells divide.".into(),
            version: 0,
        },
    )
    .await
    .unwrap();
    assignments::submit(state, &c.learner, c.essay, version)
        .await
        .unwrap();
    assignments::grade(
        state,
        &c.teacher,
        c.essay,
        c.learner.id,
        &GradeInput {
            points: "40".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assignments::set_released(state, &c.teacher, c.essay, true)
        .await
        .unwrap();
}

fn outline_ids(outline: &[lyceum::courses::model::Section]) -> Vec<i64> {
    outline
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.id))
        .collect()
}

async fn gradebook_columns(state: &AppState, c: &Class) -> Vec<String> {
    gradebook::grader_table(state, &c.teacher, c.course_id, 1, 1)
        .await
        .unwrap()
        .all_items
        .into_iter()
        .map(|i| i.name)
        .collect()
}

async fn my_essay_points(state: &AppState, c: &Class) -> Option<Option<f64>> {
    gradebook::my_grades(state, &c.learner, c.course_id)
        .await
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.name == "Essay 1")
        .map(|r| r.points)
}

async fn rest_overrides_status(state: &AppState, c: &Class, item_id: i64) -> StatusCode {
    let app = lyceum::http::router(state.clone());
    let token = lyceum::auth::service::create_api_token(state, &c.teacher, "SIS")
        .await
        .unwrap()
        .secret;
    let path = format!("/items/{item_id}/overrides");
    crate::support::send(
        &app,
        crate::support::api(Method::GET, &path, Some(&token), None),
    )
    .await
    .status
}

db_test!(
    a_deleted_item_is_gone_for_everyone_and_comes_back_with_its_grades,
    |state| {
        let c = class(&state).await;
        graded_essay(&state, &c).await;
        assert_eq!(my_essay_points(&state, &c).await, Some(Some(40.0)));
        let before = lyceum::grading::store::total(&state.db, c.course_id, c.learner.id)
            .await
            .unwrap();
        assert_eq!(before, Some(80.0));
        assert_eq!(
            rest_overrides_status(&state, &c, c.essay).await,
            StatusCode::OK
        );

        // Neither a learner nor a teaching assistant may delete.
        for who in [&c.learner, &c.assistant] {
            assert_eq!(
                items::delete_item(&state, who, c.essay).await.unwrap_err(),
                AppError::Forbidden
            );
        }
        let title = items::delete_item(&state, &c.teacher, c.essay)
            .await
            .unwrap();
        assert_eq!(title, "Essay 1");
        // Deleting twice finds nothing.
        assert_eq!(
            items::delete_item(&state, &c.teacher, c.essay)
                .await
                .unwrap_err(),
            AppError::NotFound
        );

        // The learner: not in the outline, not openable, not their work, not in My grades, and
        // the progress counts the lesson only.
        let page = learning::course_page(&state, &c.learner, c.course_id)
            .await
            .unwrap();
        assert_eq!(outline_ids(&page.outline), vec![c.lesson]);
        assert_eq!(
            learning::open_item(&state, &c.learner, c.essay)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            assignments::mine(&state, &c.learner, c.essay)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(my_essay_points(&state, &c).await, None);
        let opened = learning::open_item(&state, &c.learner, c.lesson)
            .await
            .unwrap();
        assert_eq!((opened.progress.done, opened.progress.total), (1, 1));
        // The learner completed everything that is left.
        assert!(opened.progress.completed_at.is_some());

        // Staff: not in the editor's outline, the gradebook, its CSV, the submissions list or
        // the REST API; in the recycle bin.
        let editor = service::editor(&state, &c.teacher, c.course_id)
            .await
            .unwrap();
        assert_eq!(outline_ids(&editor.sections), vec![c.lesson]);
        assert_eq!(
            editor.deleted.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![c.essay]
        );
        assert_eq!(
            editor.deleted[0].deleted_by.as_deref(),
            Some("Test teacher")
        );
        assert!(gradebook_columns(&state, &c).await.is_empty());
        let csv = gradebook::export_csv(&state, &c.teacher, c.course_id)
            .await
            .unwrap();
        assert!(!csv.contains("Essay 1"), "{csv}");
        assert_eq!(
            assignments::list(&state, &c.teacher, c.essay, SubmissionFilter::All, 1)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            rest_overrides_status(&state, &c, c.essay).await,
            StatusCode::NOT_FOUND
        );
        // Its grade no longer counts: no graded item is left.
        assert_eq!(
            lyceum::grading::store::total(&state.db, c.course_id, c.learner.id)
                .await
                .unwrap(),
            None
        );
        // A teaching assistant sees the editor but not the bin.
        let ta_view = service::editor(&state, &c.assistant, c.course_id)
            .await
            .unwrap();
        assert!(ta_view.deleted.is_empty());

        // Only the course's editors restore; the learner is refused without learning anything.
        for who in [&c.learner, &c.assistant] {
            assert_eq!(
                items::restore_item(&state, who, c.essay).await.unwrap_err(),
                AppError::Forbidden
            );
        }
        assert_eq!(
            items::restore_item(&state, &c.teacher, c.lesson)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            items::restore_item(&state, &c.teacher, c.essay)
                .await
                .unwrap(),
            "Essay 1"
        );

        // Back where it was, with the work and the grade.
        let page = learning::course_page(&state, &c.learner, c.course_id)
            .await
            .unwrap();
        assert_eq!(outline_ids(&page.outline), vec![c.lesson, c.essay]);
        let mine = assignments::mine(&state, &c.learner, c.essay)
            .await
            .unwrap();
        assert_eq!(mine.body, "Cells divide.");
        assert_eq!(mine.grade.and_then(|g| g.points), Some(40.0));
        assert_eq!(my_essay_points(&state, &c).await, Some(Some(40.0)));
        assert_eq!(gradebook_columns(&state, &c).await, vec!["Essay 1"]);
        assert_eq!(
            lyceum::grading::store::total(&state.db, c.course_id, c.learner.id)
                .await
                .unwrap(),
            Some(80.0)
        );
        assert_eq!(
            rest_overrides_status(&state, &c, c.essay).await,
            StatusCode::OK
        );
        let editor = service::editor(&state, &c.teacher, c.course_id)
            .await
            .unwrap();
        assert!(editor.deleted.is_empty());

        // Both are audited.
        let admin = user_with_roles(&state, "root@example.com", &[Role::Administrator]).await;
        let log = lyceum::audit::list(
            &state.db,
            &admin,
            &lyceum::audit::model::AuditQuery {
                page: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"item.delete"), "{actions:?}");
        assert!(actions.contains(&"item.restore"), "{actions:?}");
    }
);

db_test!(
    the_purge_removes_items_deleted_30_days_ago_with_their_files,
    |state| {
        let c = class(&state).await;
        assignments::save_settings(
            &state,
            &c.teacher,
            c.essay,
            &AssignmentSettingsForm {
                accept_files: true,
                max_files: "1".into(),
                max_points: "10".into(),
                late_percent_per_day: "0".into(),
                late_max_percent: "0".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let bytes = axum::body::Bytes::from_static(b"%PDF-1.7\n% essay\n");
        let file = assignments::upload_work(
            &state,
            &c.learner,
            c.essay,
            "essay.pdf",
            futures_util::stream::iter(vec![Ok::<_, std::io::Error>(bytes)]),
        )
        .await
        .unwrap();
        let stored = lyceum::files::records::find_file(&state.db, file.id)
            .await
            .unwrap()
            .unwrap();
        let on_disk = state
            .files
            .local_path(&stored.storage_key)
            .unwrap()
            .unwrap();

        items::delete_item(&state, &c.teacher, c.essay)
            .await
            .unwrap();
        items::delete_item(&state, &c.teacher, c.lesson)
            .await
            .unwrap();
        // Deleted just now: a purge of what is 30 days old leaves them, files and all.
        let purged = items::purge_deleted(&state, now() - DeletedItem::KEPT_SECS)
            .await
            .unwrap();
        assert_eq!(purged, 0);
        assert!(on_disk.exists());
        // Restoring still works; the lesson stays in the bin.
        items::restore_item(&state, &c.teacher, c.essay)
            .await
            .unwrap();
        items::delete_item(&state, &c.teacher, c.essay)
            .await
            .unwrap();

        // Thirty days later both go for good, with the learner's file.
        let purged = items::purge_deleted(&state, now() + 1).await.unwrap();
        assert_eq!(purged, 2);
        assert!(!on_disk.exists());
        assert!(
            lyceum::files::records::find_file(&state.db, file.id)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            items::restore_item(&state, &c.teacher, c.essay)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        let editor = service::editor(&state, &c.teacher, c.course_id)
            .await
            .unwrap();
        assert!(editor.deleted.is_empty());
        assert!(outline_ids(&editor.sections).is_empty());
    }
);

db_test!(
    a_question_of_a_deleted_quiz_stays_in_the_bank_until_the_quiz_is_purged,
    |state| {
        use lyceum::assessments::{bank, model::QuestionFormat, quiz};
        let c = class(&state).await;
        let section = service::editor(&state, &c.teacher, c.course_id)
            .await
            .unwrap()
            .sections[0]
            .id;
        let item = items::add_item(
            &state,
            &c.teacher,
            section,
            &ItemForm {
                kind: "quiz".into(),
                title: "Check".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let category = bank::categories(&state, &c.teacher, c.course_id)
            .await
            .unwrap()[0]
            .id;
        bank::import(
            &state,
            &c.teacher,
            c.course_id,
            QuestionFormat::Gift,
            "::Cells:: Cells divide? {T}",
            category,
            false,
        )
        .await
        .unwrap();
        let question = bank::list(&state, &c.teacher, c.course_id, &Default::default())
            .await
            .unwrap()
            .items[0]
            .id;
        quiz::add_questions(&state, &c.teacher, item, &[question])
            .await
            .unwrap();
        items::delete_item(&state, &c.teacher, item).await.unwrap();
        // Restoring the quiz needs its question: deleting it is refused, and says why.
        match bank::delete(&state, &c.teacher, c.course_id, question).await {
            Err(AppError::Conflict(m)) => assert!(m.contains("Check (recently deleted)"), "{m}"),
            other => panic!("expected a conflict, got {other:?}"),
        }
        // The deleted quiz's editor is gone too.
        assert_eq!(
            quiz::editor(&state, &c.teacher, item).await.unwrap_err(),
            AppError::NotFound
        );
        items::purge_deleted(&state, now() + 1).await.unwrap();
        bank::delete(&state, &c.teacher, c.course_id, question)
            .await
            .unwrap();
    }
);

db_test!(
    deleting_a_section_puts_its_items_in_the_bin_and_restoring_one_brings_it_back,
    |state| {
        let c = class(&state).await;
        graded_essay(&state, &c).await;
        let editor = service::editor(&state, &c.teacher, c.course_id)
            .await
            .unwrap();
        let section = editor.sections[0].id;
        // Another section, so the course still has one.
        let other = structure::add_section(&state, &c.teacher, c.course_id, "Week 2")
            .await
            .unwrap();

        // Only the course's editors delete a section.
        assert_eq!(
            items::delete_section(&state, &c.learner, section)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let binned = items::delete_section(&state, &c.teacher, section)
            .await
            .unwrap();
        assert_eq!(binned, 2);
        let editor = service::editor(&state, &c.teacher, c.course_id)
            .await
            .unwrap();
        assert_eq!(
            editor.sections.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![other]
        );
        let mut bin: Vec<i64> = editor.deleted.iter().map(|d| d.id).collect();
        bin.sort();
        assert_eq!(bin, vec![c.lesson, c.essay]);
        // The deleted section takes no edits, and a second delete finds nothing.
        assert_eq!(
            structure::rename_section(&state, &c.teacher, section, "Renamed")
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            items::delete_section(&state, &c.teacher, section)
                .await
                .unwrap_err(),
            AppError::NotFound
        );

        // Restoring the essay brings back the section, with the essay and its grade; the lesson
        // stays in the bin.
        items::restore_item(&state, &c.teacher, c.essay)
            .await
            .unwrap();
        let editor = service::editor(&state, &c.teacher, c.course_id)
            .await
            .unwrap();
        assert_eq!(
            editor.sections.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![section, other]
        );
        assert_eq!(outline_ids(&editor.sections), vec![c.essay]);
        assert_eq!(
            editor.deleted.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![c.lesson]
        );

        // Deleted again and purged: the section goes with its last item; the other stays.
        items::delete_section(&state, &c.teacher, section)
            .await
            .unwrap();
        let purged = items::purge_deleted(&state, now() + 1).await.unwrap();
        assert_eq!(purged, 2);
        let left: i64 = lyceum::with_db!(&state.db, |p| {
            sqlx::query_scalar("SELECT COUNT(*) FROM sections WHERE id = $1")
                .bind(section)
                .fetch_one(p)
                .await
                .unwrap()
        });
        assert_eq!(left, 0);
        let editor = service::editor(&state, &c.teacher, c.course_id)
            .await
            .unwrap();
        assert_eq!(
            editor.sections.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![other]
        );
        assert!(editor.deleted.is_empty());
    }
);

db_test!(
    a_reset_for_a_new_cycle_archives_each_kinds_part_and_clears_progress,
    |state| {
        let c = class(&state).await;
        let form = ItemForm {
            kind: "acknowledgement".into(),
            title: "Fire policy".into(),
            body: "Use the stairs.".into(),
            required: true,
            ..Default::default()
        };
        let policy = items::add_item(&state, &c.teacher, c.section_id, &form)
            .await
            .unwrap();
        learning::open_item(&state, &c.learner, c.lesson)
            .await
            .unwrap();
        graded_essay(&state, &c).await;
        lyceum::acknowledgements::service::confirm(&state, &c.learner, policy)
            .await
            .unwrap();
        let done = lyceum::completion::store::completed_items(&state.db, c.course_id, c.learner.id)
            .await
            .unwrap();
        assert!(
            done.contains(&c.lesson) && done.contains(&policy),
            "{done:?}"
        );

        let payload = format!(
            r#"{{"course_id":{},"user_id":{}}}"#,
            c.course_id, c.learner.id
        );
        items::reset_learner(&state, &payload, now()).await.unwrap();

        // Nothing done; the essay is a draft to hand in again, its grade still on record; the
        // policy is to confirm again, the first confirmation kept in the history.
        assert!(
            lyceum::completion::store::completed_items(&state.db, c.course_id, c.learner.id)
                .await
                .unwrap()
                .is_empty()
        );
        let essay = assignments::mine(&state, &c.learner, c.essay)
            .await
            .unwrap();
        assert_eq!(
            essay.status,
            lyceum::assignments::model::SubmissionStatus::Draft
        );
        assert_eq!(my_essay_points(&state, &c).await, Some(Some(40.0)));
        let view = lyceum::acknowledgements::service::learner_view(&state, &c.learner, policy)
            .await
            .unwrap();
        assert_eq!(view.confirmed_at, None);
        assert!(view.may_confirm);
        let kept: i64 = lyceum::with_db_write!(&state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM acknowledgement_history WHERE item_id = $1 AND user_id = $2"
        )
        .bind(policy)
        .bind(c.learner.id)
        .fetch_one(p)
        .await
        .unwrap());
        assert_eq!(kept, 1);
        lyceum::acknowledgements::service::confirm(&state, &c.learner, policy)
            .await
            .unwrap();
    }
);
