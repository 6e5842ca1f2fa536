//! Assignments on SQLite and PostgreSQL: drafts and handing in, files private to their learner,
//! due dates with the late penalty and the cut-off, resubmission, grading with points and with a
//! rubric, graders' conflicts, release, the gradebook, and the zip of all work.

use crate::support::{self, ClassSpec};
use axum::body::Bytes;
use lyceum::assignments::model::*;
use lyceum::assignments::{archive, service as assignments};
use lyceum::auth::permissions::Actor;
use lyceum::courses::model::{FileInfo, ItemForm};
use lyceum::db::now;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::grading::service as gradebook;
use lyceum::input::format_datetime;
use lyceum::items::service as items;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

struct Class {
    teacher: Actor,
    assistant: Actor,
    learner: Actor,
    other: Actor,
    course_id: i64,
    item_id: i64,
}

async fn class(state: &AppState) -> Class {
    let c = support::class(
        state,
        ClassSpec {
            code: "AS-1",
            title: "Essays",
            learners: &["ada@example.com", "bo@example.com"],
            ..Default::default()
        },
    )
    .await;
    let item_id = c
        .add_item(
            state,
            ItemForm {
                kind: "assignment".into(),
                title: "Essay 1".into(),
                body: "Write about **cells**.".into(),
                required: true,
                ..Default::default()
            },
        )
        .await;
    Class {
        assistant: c.assistant(),
        learner: c.learners[0].clone(),
        other: c.learners[1].clone(),
        teacher: c.teacher,
        course_id: c.course_id,
        item_id,
    }
}

fn settings(due: Option<i64>, cutoff: Option<i64>) -> AssignmentSettingsForm {
    AssignmentSettingsForm {
        due_at: format_datetime(due),
        cutoff_at: format_datetime(cutoff),
        late_percent_per_day: "10".into(),
        late_max_percent: "30".into(),
        accept_text: true,
        accept_files: true,
        max_files: "2".into(),
        resubmit: false,
        max_points: "80".into(),
        rubric: Vec::new(),
    }
}

async fn upload(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
    name: &str,
) -> Result<FileInfo, AppError> {
    let bytes = Bytes::from(format!("%PDF-1.7\n% {name}\n"));
    assignments::upload_work(
        state,
        actor,
        item_id,
        name,
        futures_util::stream::iter(vec![Ok::<_, std::io::Error>(bytes)]),
    )
    .await
}

fn draft(body: &str, version: i32) -> DraftSave {
    DraftSave {
        body: body.into(),
        version,
    }
}

fn points(p: &str, version: i32) -> GradeInput {
    GradeInput {
        points: p.into(),
        feedback: "Good start.".into(),
        version,
        ..Default::default()
    }
}

db_test!(drafts_files_and_handing_in, |state| {
    let c = class(&state).await;
    assignments::save_settings(&state, &c.teacher, c.item_id, &settings(None, None))
        .await
        .unwrap();
    let mine = assignments::mine(&state, &c.learner, c.item_id)
        .await
        .unwrap();
    assert_eq!(mine.status, SubmissionStatus::NotStarted);
    assert!(mine.may_edit);

    // Nothing to hand in yet.
    let err = assignments::submit(&state, &c.learner, c.item_id, 0)
        .await
        .unwrap_err();
    assert!(err.field("submit").is_some(), "{err:?}");

    // A draft saves with versions; a save from an older version is refused.
    let v1 = assignments::save_draft(&state, &c.learner, c.item_id, &draft("First", 0))
        .await
        .unwrap();
    let v2 = assignments::save_draft(&state, &c.learner, c.item_id, &draft("Second", v1))
        .await
        .unwrap();
    assert!(v2 > v1);
    let stale = assignments::save_draft(&state, &c.learner, c.item_id, &draft("Old tab", v1))
        .await
        .unwrap_err();
    assert!(matches!(stale, AppError::Conflict(_)), "{stale:?}");
    let mine = assignments::mine(&state, &c.learner, c.item_id)
        .await
        .unwrap();
    assert_eq!(
        (mine.status, mine.body.as_str()),
        (SubmissionStatus::Draft, "Second")
    );

    // Files: private to their learner, at most two.
    let f1 = upload(&state, &c.learner, c.item_id, "essay.pdf")
        .await
        .unwrap();
    let notes = upload(&state, &c.learner, c.item_id, "notes.pdf")
        .await
        .unwrap();
    let third = upload(&state, &c.learner, c.item_id, "more.pdf")
        .await
        .unwrap_err();
    assert!(
        third.field("file").unwrap().contains("at most 2"),
        "{third:?}"
    );
    assert!(matches!(
        lyceum::files::service::authorize_file(&state, &c.other, f1.id).await,
        Err(AppError::NotFound)
    ));
    lyceum::files::service::authorize_file(&state, &c.learner, f1.id)
        .await
        .unwrap();
    lyceum::files::service::authorize_file(&state, &c.assistant, f1.id)
        .await
        .unwrap();
    let listed = lyceum::files::service::list(&state, &c.teacher, c.course_id)
        .await
        .unwrap();
    assert!(
        listed.iter().all(|f| f.id != f1.id),
        "work is not a course file"
    );
    // Nor is it a course file staff can delete or make an item's file.
    assert!(matches!(
        lyceum::files::service::delete(&state, &c.teacher, notes.id).await,
        Err(AppError::NotFound)
    ));
    assert!(
        lyceum::courses::service::set_cover(&state, &c.teacher, c.course_id, Some(f1.id))
            .await
            .is_err()
    );
    assignments::remove_work_file(&state, &c.learner, c.item_id, f1.id)
        .await
        .unwrap();
    assert!(matches!(
        lyceum::files::service::authorize_file(&state, &c.learner, f1.id).await,
        Err(AppError::NotFound)
    ));
    // Another learner cannot remove what is not theirs.
    assert!(
        assignments::remove_work_file(&state, &c.other, c.item_id, f1.id)
            .await
            .is_err()
    );

    // Handing in needs the version the page saw (file changes count).
    let mine = assignments::mine(&state, &c.learner, c.item_id)
        .await
        .unwrap();
    assert_eq!(mine.files.len(), 1);
    let stale = assignments::submit(&state, &c.learner, c.item_id, v2)
        .await
        .unwrap_err();
    assert!(matches!(stale, AppError::Conflict(_)));
    assignments::submit(&state, &c.learner, c.item_id, mine.version)
        .await
        .unwrap();
    let mine = assignments::mine(&state, &c.learner, c.item_id)
        .await
        .unwrap();
    assert_eq!(mine.status, SubmissionStatus::Submitted);
    assert!(!mine.may_edit && !mine.may_reopen);
    // The item is complete for the learner.
    let progress = lyceum::learning::service::course_page(&state, &c.learner, c.course_id)
        .await
        .unwrap();
    assert_eq!(progress.progress.map(|p| (p.done, p.total)), Some((1, 1)));

    // Handed-in work cannot change, and without resubmission cannot be taken back.
    assert!(
        assignments::save_draft(&state, &c.learner, c.item_id, &draft("Later", mine.version))
            .await
            .is_err()
    );
    assert!(
        upload(&state, &c.learner, c.item_id, "late.pdf")
            .await
            .is_err()
    );
    assert!(
        assignments::reopen(&state, &c.learner, c.item_id)
            .await
            .unwrap_err()
            .field("reopen")
            .is_some()
    );

    // Staff hand nothing in; outsiders see nothing.
    assert!(
        assignments::save_draft(&state, &c.teacher, c.item_id, &draft("x", 0))
            .await
            .is_err()
    );
    let outsider = user_with_roles(&state, "out@example.com", &[Role::Learner]).await;
    assert!(matches!(
        assignments::mine(&state, &outsider, c.item_id).await,
        Err(AppError::Forbidden)
    ));
});

db_test!(late_work_loses_points_and_the_cut_off_closes_it, |state| {
    let c = class(&state).await;
    let now = now();
    // Due 26 hours ago: two started days late, 20 % off.
    let due = now - 26 * 3600;
    assignments::save_settings(
        &state,
        &c.teacher,
        c.item_id,
        &settings(Some(due), Some(now + 3600)),
    )
    .await
    .unwrap();
    let v = assignments::save_draft(&state, &c.learner, c.item_id, &draft("Late essay", 0))
        .await
        .unwrap();
    assignments::submit(&state, &c.learner, c.item_id, v)
        .await
        .unwrap();
    let list = assignments::list(&state, &c.teacher, c.item_id, SubmissionFilter::Late, 1)
        .await
        .unwrap();
    assert_eq!(list.rows.len(), 1);
    assert!(list.rows[0].late_by.unwrap() >= 26 * 3600);
    assert_eq!(
        (
            list.counts.submitted,
            list.counts.late,
            list.counts.needs_grading
        ),
        (1, 1, 1)
    );
    let saved = assignments::grade(
        &state,
        &c.teacher,
        c.item_id,
        c.learner.id,
        &points("80", 0),
    )
    .await
    .unwrap();
    assert_eq!(saved.raw_points, Some(80.0));
    assert!((saved.points.unwrap() - 64.0).abs() < 1e-9, "{saved:?}");
    // The gradebook has 64 / 80 (hidden from the learner until released).
    let table = gradebook::grader_table(&state, &c.teacher, c.course_id, 1, 1)
        .await
        .unwrap();
    let column = table
        .items
        .iter()
        .position(|i| i.name == "Essay 1")
        .unwrap();
    assert!(table.items[column].hidden && table.items[column].from_source);
    let row = table
        .rows
        .iter()
        .find(|r| r.user_id == c.learner.id)
        .unwrap();
    assert_eq!(row.cells[column].shown(), Some(64.0));
    assert!((row.total_percent.unwrap() - 80.0).abs() < 1e-9);

    // A milder late rule applies to work already graded.
    let mut milder = settings(Some(due), Some(now + 3600));
    milder.late_percent_per_day = "5".into();
    assignments::save_settings(&state, &c.teacher, c.item_id, &milder)
        .await
        .unwrap();
    let table = gradebook::grader_table(&state, &c.teacher, c.course_id, 1, 1)
        .await
        .unwrap();
    let row = table
        .rows
        .iter()
        .find(|r| r.user_id == c.learner.id)
        .unwrap();
    assert_eq!(row.cells[column].shown(), Some(72.0));

    // After the cut-off nothing more is taken.
    assignments::save_settings(
        &state,
        &c.teacher,
        c.item_id,
        &settings(Some(now - 7200), Some(now - 3600)),
    )
    .await
    .unwrap();
    let err = assignments::save_draft(&state, &c.other, c.item_id, &draft("Too late", 0))
        .await
        .unwrap_err();
    assert!(err.field("body").unwrap().contains("cut-off"), "{err:?}");
    assert!(
        upload(&state, &c.other, c.item_id, "x.pdf")
            .await
            .unwrap_err()
            .field("file")
            .is_some()
    );
    let mine = assignments::mine(&state, &c.other, c.item_id)
        .await
        .unwrap();
    assert!(!mine.may_edit);

    // Bad settings come back as field messages.
    let mut bad = settings(Some(now), Some(now - 86_400));
    bad.max_files = "0".into();
    let err = assignments::save_settings(&state, &c.teacher, c.item_id, &bad)
        .await
        .unwrap_err();
    assert!(err.field("cutoff_at").is_some() && err.field("max_files").is_some());
    // Learners and assistants do not change settings.
    assert!(matches!(
        assignments::save_settings(&state, &c.assistant, c.item_id, &settings(None, None)).await,
        Err(AppError::Forbidden)
    ));
});

db_test!(resubmission_needs_grading_again, |state| {
    let c = class(&state).await;
    let mut form = settings(None, None);
    form.resubmit = true;
    assignments::save_settings(&state, &c.teacher, c.item_id, &form)
        .await
        .unwrap();
    let v = assignments::save_draft(&state, &c.learner, c.item_id, &draft("One", 0))
        .await
        .unwrap();
    assignments::submit(&state, &c.learner, c.item_id, v)
        .await
        .unwrap();
    assignments::grade(
        &state,
        &c.teacher,
        c.item_id,
        c.learner.id,
        &points("40", 0),
    )
    .await
    .unwrap();
    let needs = |state: AppState, teacher: Actor, item: i64| async move {
        assignments::list(&state, &teacher, item, SubmissionFilter::NeedsGrading, 1)
            .await
            .unwrap()
            .total
    };
    assert_eq!(needs(state.clone(), c.teacher.clone(), c.item_id).await, 0);
    assert!(
        assignments::mine(&state, &c.learner, c.item_id)
            .await
            .unwrap()
            .may_reopen
    );
    assignments::reopen(&state, &c.learner, c.item_id)
        .await
        .unwrap();
    let mine = assignments::mine(&state, &c.learner, c.item_id)
        .await
        .unwrap();
    assert_eq!(mine.status, SubmissionStatus::Draft);
    let v = assignments::save_draft(&state, &c.learner, c.item_id, &draft("Two", mine.version))
        .await
        .unwrap();
    assignments::submit(&state, &c.learner, c.item_id, v)
        .await
        .unwrap();
    assert_eq!(needs(state.clone(), c.teacher.clone(), c.item_id).await, 1);
    let detail = assignments::detail(&state, &c.teacher, c.item_id, c.learner.id)
        .await
        .unwrap();
    assert_eq!(detail.submit_count, 2);
    assert!(detail.body_html.contains("Two"));
    // The earlier grade stays until the work is graded again.
    assert_eq!(detail.raw_points, Some(40.0));
});

db_test!(rubric_grading_release_and_conflicts, |state| {
    let c = class(&state).await;
    let level = |p: &str, d: &str| LevelForm {
        points: p.into(),
        description: d.into(),
    };
    let mut form = settings(None, None);
    form.rubric = vec![
        CriterionForm {
            description: "Argument".into(),
            levels: vec![
                level("0", "Missing"),
                level("5", "Weak"),
                level("10", "Strong"),
            ],
        },
        CriterionForm {
            description: "Sources".into(),
            levels: vec![
                level("0", "None"),
                level("3", "Some"),
                level("6", "Thorough"),
            ],
        },
    ];
    let saved = assignments::save_settings(&state, &c.teacher, c.item_id, &form)
        .await
        .unwrap();
    assert_eq!(saved.max_points, 16.0);
    let v = assignments::save_draft(&state, &c.learner, c.item_id, &draft("My essay", 0))
        .await
        .unwrap();
    assignments::submit(&state, &c.learner, c.item_id, v)
        .await
        .unwrap();

    // Every criterion needs a level.
    let partial = GradeInput {
        rubric_levels: vec![Some(2), None],
        ..Default::default()
    };
    let err = assignments::grade(&state, &c.teacher, c.item_id, c.learner.id, &partial)
        .await
        .unwrap_err();
    assert!(err.field("rubric").is_some());
    // The assistant grades first (Strong + Some = 13); the teacher's grade, made from the
    // page they opened before, is refused and names the newer grade.
    let ta = GradeInput {
        rubric_levels: vec![Some(2), Some(1)],
        feedback: "Cite more.".into(),
        version: 0,
        ..Default::default()
    };
    let saved = assignments::grade(&state, &c.assistant, c.item_id, c.learner.id, &ta)
        .await
        .unwrap();
    assert_eq!(saved.points, Some(13.0));
    let teacher = GradeInput {
        rubric_levels: vec![Some(1), Some(1)],
        version: 0,
        ..Default::default()
    };
    match assignments::grade(&state, &c.teacher, c.item_id, c.learner.id, &teacher).await {
        Err(AppError::Conflict(m)) => assert!(m.contains("13"), "{m}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // The rubric cannot change once used.
    let mut changed = form.clone();
    changed.rubric[0].levels[2].points = "12".into();
    let err = assignments::save_settings(&state, &c.teacher, c.item_id, &changed)
        .await
        .unwrap_err();
    assert!(err.field("rubric").is_some());

    // Feedback files are private too.
    let feedback = assignments::upload_feedback(
        &state,
        &c.teacher,
        c.item_id,
        c.learner.id,
        "marked.pdf",
        futures_util::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from_static(
            b"%PDF-1.7\nmarked\n",
        ))]),
    )
    .await
    .unwrap();
    assert!(
        lyceum::files::service::authorize_file(&state, &c.other, feedback.id)
            .await
            .is_err()
    );
    // Learners cannot grade or add feedback.
    assert!(matches!(
        assignments::grade(&state, &c.other, c.item_id, c.learner.id, &ta).await,
        Err(AppError::Forbidden)
    ));

    // Until release the learner sees no grade, and My grades leaves the item out.
    let mine = assignments::mine(&state, &c.learner, c.item_id)
        .await
        .unwrap();
    assert!(mine.grade.is_none());
    let grades = gradebook::my_grades(&state, &c.learner, c.course_id)
        .await
        .unwrap();
    assert!(grades.rows.iter().all(|r| r.name != "Essay 1"));
    assert_eq!(grades.total_percent, None);
    assignments::set_released(&state, &c.teacher, c.item_id, true)
        .await
        .unwrap();
    let mine = assignments::mine(&state, &c.learner, c.item_id)
        .await
        .unwrap();
    let grade = mine.grade.unwrap();
    assert_eq!((grade.points, grade.max_points), (Some(13.0), 16.0));
    assert_eq!(grade.rubric_levels, vec![Some(2), Some(1)]);
    assert!(grade.feedback_html.contains("Cite more."));
    assert_eq!(grade.feedback_files.len(), 1);
    lyceum::files::service::authorize_file(&state, &c.learner, feedback.id)
        .await
        .unwrap();
    let grades = gradebook::my_grades(&state, &c.learner, c.course_id)
        .await
        .unwrap();
    let row = grades.rows.iter().find(|r| r.name == "Essay 1").unwrap();
    assert_eq!((row.points, row.max_points), (Some(13.0), 16.0));
    assert_eq!(row.feedback, "Cite more.");
    assert_eq!(
        row.link.as_deref(),
        Some(format!("/courses/{}/learn/{}", c.course_id, c.item_id).as_str())
    );
    assert!((grades.total_percent.unwrap() - 81.25).abs() < 1e-9);
    // The release told the graded learner, once: releasing again tells nobody.
    let told = |who| {
        let state = state.clone();
        async move {
            lyceum::notifications::service::list(&state, &who, 1)
                .await
                .unwrap()
                .items
        }
    };
    let notes = told(c.learner.clone()).await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].subject, "Your grade for “Essay 1” is ready");
    assert!(told(c.other.clone()).await.is_empty());
    assignments::set_released(&state, &c.teacher, c.item_id, true)
        .await
        .unwrap();
    assert_eq!(told(c.learner.clone()).await.len(), 1);
});

db_test!(a_file_missing_from_storage_is_named_in_the_zip, |state| {
    let c = class(&state).await;
    assignments::save_settings(&state, &c.teacher, c.item_id, &settings(None, None))
        .await
        .unwrap();
    let essay = upload(&state, &c.learner, c.item_id, "essay.pdf")
        .await
        .unwrap();
    let v = assignments::mine(&state, &c.learner, c.item_id)
        .await
        .unwrap()
        .version;
    assignments::submit(&state, &c.learner, c.item_id, v)
        .await
        .unwrap();
    let stored = lyceum::files::records::find_file(&state.db, essay.id)
        .await
        .unwrap()
        .unwrap();
    state.files.delete(&stored.storage_key).await.unwrap();
    let (_, path) = archive::build(&state, &c.teacher, c.item_id).await.unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let note = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().to_string())
        .find(|n| n.ends_with("/missing-files.txt"))
        .expect("a note");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(&note).unwrap(), &mut text).unwrap();
    assert!(text.contains("essay.pdf"), "{text}");
    assert!(!zip.file_names().any(|n| n.ends_with("/essay.pdf")));
    std::fs::remove_file(path).unwrap();
});

db_test!(the_zip_holds_every_handed_in_submission, |state| {
    let c = class(&state).await;
    assignments::save_settings(&state, &c.teacher, c.item_id, &settings(None, None))
        .await
        .unwrap();
    let v = assignments::save_draft(&state, &c.learner, c.item_id, &draft("Ada's *text*", 0))
        .await
        .unwrap();
    let essay = upload(&state, &c.learner, c.item_id, "essay.pdf")
        .await
        .unwrap();
    let v = assignments::mine(&state, &c.learner, c.item_id)
        .await
        .unwrap()
        .version
        .max(v);
    assignments::submit(&state, &c.learner, c.item_id, v)
        .await
        .unwrap();
    // A draft is not handed in, so not in the zip.
    assignments::save_draft(&state, &c.other, c.item_id, &draft("Bo's draft", 0))
        .await
        .unwrap();
    assert!(matches!(
        archive::build(&state, &c.learner, c.item_id).await,
        Err(AppError::Forbidden)
    ));
    let (name, path) = archive::build(&state, &c.assistant, c.item_id)
        .await
        .unwrap();
    assert_eq!(name, "Essay 1-submissions.zip");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().to_string())
        .collect();
    names.sort();
    let folder = format!("ada@example.com ({})", c.learner.id);
    let ada = lyceum::users::store::find(&state.db, c.learner.id)
        .await
        .unwrap()
        .unwrap()
        .name;
    let folder = if ada.is_empty() {
        folder
    } else {
        format!("{ada} ({})", c.learner.id)
    };
    assert_eq!(
        names,
        vec![
            format!("{folder}/essay.pdf"),
            format!("{folder}/online-text.html")
        ]
    );
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name(&format!("{folder}/online-text.html")).unwrap(),
        &mut text,
    )
    .unwrap();
    assert!(text.contains("<em>text</em>"), "{text}");
    let mut pdf = Vec::new();
    std::io::Read::read_to_end(
        &mut zip.by_name(&format!("{folder}/essay.pdf")).unwrap(),
        &mut pdf,
    )
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    std::fs::remove_file(path).unwrap();

    // Deleting the assignment keeps the learners' files while it is in the recycle bin; purging
    // it deletes them.
    let stored = lyceum::files::records::find_file(&state.db, essay.id)
        .await
        .unwrap()
        .unwrap();
    let on_disk = state
        .files
        .local_path(&stored.storage_key)
        .unwrap()
        .unwrap();
    assert!(on_disk.exists());
    items::delete_item(&state, &c.teacher, c.item_id)
        .await
        .unwrap();
    assert!(on_disk.exists());
    items::purge_deleted(&state, now() + 1).await.unwrap();
    assert!(
        lyceum::files::records::find_file(&state.db, essay.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(!on_disk.exists());
});

db_test!(
    learners_hear_once_that_work_is_due_soon_by_their_own_date,
    |state| {
        use lyceum::notifications::service as notifications;
        let c = class(&state).await;
        let now = now();
        // Due in six hours for everyone; Bo has an extension of a week.
        let due = now + 6 * 3600;
        assignments::save_settings(&state, &c.teacher, c.item_id, &settings(Some(due), None))
            .await
            .unwrap();
        lyceum::items::overrides::set(
            &state,
            &c.teacher,
            c.item_id,
            &lyceum::overrides::model::OverrideForm {
                learners: c.other.email.clone(),
                due_at: format_datetime(Some(now + 7 * 86_400)),
                reason: "Extension".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let told = |who: Actor| {
            let state = state.clone();
            async move {
                notifications::list(&state, &who, 1)
                    .await
                    .unwrap()
                    .items
                    .into_iter()
                    .filter(|n| n.subject.contains("Essay 1") && n.subject.contains("is due"))
                    .count()
            }
        };
        assert_eq!(assignments::notify_due_soon(&state, now).await.unwrap(), 1);
        assert_eq!(told(c.learner.clone()).await, 1);
        assert_eq!(
            told(c.other.clone()).await,
            0,
            "her own date is a week away"
        );
        // Once per due date, however often the job runs.
        assert_eq!(
            assignments::notify_due_soon(&state, now + 60)
                .await
                .unwrap(),
            0
        );

        // A new due date tells again, unless the work was handed in.
        assignments::save_draft(&state, &c.learner, c.item_id, &draft("Done", 0))
            .await
            .unwrap();
        let mine = assignments::mine(&state, &c.learner, c.item_id)
            .await
            .unwrap();
        assignments::submit(&state, &c.learner, c.item_id, mine.version)
            .await
            .unwrap();
        let later = now + 20 * 3600;
        assignments::save_settings(&state, &c.teacher, c.item_id, &settings(Some(later), None))
            .await
            .unwrap();
        assert_eq!(
            assignments::notify_due_soon(&state, now + 120)
                .await
                .unwrap(),
            0
        );
        assert_eq!(told(c.learner.clone()).await, 1);
    }
);
