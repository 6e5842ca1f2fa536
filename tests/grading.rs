//! The gradebook on SQLite and PostgreSQL: quiz results flowing in, weighted categories with
//! drops, overrides with reasons and history, excused grades, and conflicts between graders.

use crate::support::{self, ClassSpec};
use lyceum::assessments::model::{AnswerSave, BankQuestion};
use lyceum::assessments::question::*;
use lyceum::assessments::{attempts, bank, quiz};
use lyceum::auth::permissions::Actor;
use lyceum::courses::model::{CourseRole, ItemForm};
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::grading::model::CellEdit;
use lyceum::grading::service as gradebook;
use lyceum::grading::store;
use lyceum::items::service as items;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

struct Class {
    teacher: Actor,
    assistant: Actor,
    learner: Actor,
    course_id: i64,
    section_id: i64,
}

async fn class(state: &AppState) -> Class {
    let c = support::class(
        state,
        ClassSpec {
            code: "GB-1",
            title: "Grades",
            learners: &["learner@example.com"],
            ..Default::default()
        },
    )
    .await;
    Class {
        assistant: c.assistant(),
        learner: c.learners[0].clone(),
        teacher: c.teacher,
        course_id: c.course_id,
        section_id: c.section_id,
    }
}

fn edit(points: &str, version: i32) -> CellEdit {
    CellEdit {
        points: points.into(),
        version,
        ..Default::default()
    }
}

async fn total(state: &AppState, c: &Class) -> Option<f64> {
    store::total(&state.db, c.course_id, c.learner.id)
        .await
        .unwrap()
}

/// A quiz of four true/false questions worth a mark each.
async fn quiz_of_four(state: &AppState, c: &Class) -> i64 {
    let category = bank::categories(state, &c.teacher, c.course_id)
        .await
        .unwrap()[0]
        .id;
    let mut ids = Vec::new();
    for n in 0..4 {
        let question = Question {
            name: format!("Q{n}"),
            stem: RichText::plain(format!("Q{n}?")),
            general_feedback: None,
            body: QuestionBody::TrueFalse {
                correct: true,
                true_feedback: None,
                false_feedback: None,
            },
            default_mark: 1.0,
            tags: vec![],
            id_number: None,
        };
        ids.push(
            bank::save(
                state,
                &c.teacher,
                c.course_id,
                BankQuestion {
                    id: None,
                    category_id: category,
                    question,
                    version: 0,
                },
            )
            .await
            .unwrap(),
        );
    }
    let item = items::add_item(
        state,
        &c.teacher,
        c.section_id,
        &ItemForm {
            kind: "quiz".into(),
            title: "Quiz 1".into(),
            required: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    quiz::add_questions(state, &c.teacher, item, &ids)
        .await
        .unwrap();
    item
}

/// The learner answers three of the quiz's four questions (rightly) and submits.
async fn three_of_four(state: &AppState, c: &Class, item: i64) {
    let attempt = attempts::start(state, &c.learner, item).await.unwrap();
    let answers: Vec<AnswerSave> = (1..=3)
        .map(|slot| AnswerSave {
            slot,
            seq: 1,
            response: Some(Response::Bool(true)),
        })
        .collect();
    attempts::submit(state, &c.learner, attempt, &answers)
        .await
        .unwrap();
}

db_test!(
    a_submitted_quiz_reaches_the_gradebook_out_of_its_marks,
    |state| {
        let c = class(&state).await;
        let item = quiz_of_four(&state, &c).await;
        three_of_four(&state, &c, item).await;
        let items = store::items(&state.db, c.course_id).await.unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(
            (
                items[0].name.as_str(),
                items[0].max_points,
                items[0].source.as_str()
            ),
            ("Quiz 1", 4.0, "quiz")
        );
        assert_eq!(total(&state, &c).await, Some(75.0));
        // One scale everywhere: the learner's intro, My grades and the gradebook say 3 of 4.
        let intro = attempts::intro(&state, &c.learner, item).await.unwrap();
        assert_eq!((intro.grade_percent, intro.max_points), (Some(75.0), 4.0));
        let mine = gradebook::my_grades(&state, &c.learner, c.course_id)
            .await
            .unwrap();
        assert_eq!(
            (mine.rows[0].points, mine.rows[0].max_points),
            (Some(3.0), 4.0)
        );
        let grades = store::grades_of(&state.db, c.course_id, &[c.learner.id])
            .await
            .unwrap();
        assert_eq!(grades[0].points, Some(3.0));

        // Overriding the quiz's result needs a reason; the change is kept in the history.
        let grades = store::grades_of(&state.db, c.course_id, &[c.learner.id])
            .await
            .unwrap();
        let version = grades[0].version;
        let refused = gradebook::set_cell(
            &state,
            &c.teacher,
            items[0].id,
            c.learner.id,
            &edit("3.6", version),
        )
        .await
        .unwrap_err();
        assert!(refused.field("reason").is_some(), "{refused:?}");
        let override_edit = CellEdit {
            reason: "Question 4 was ambiguous.".into(),
            ..edit("3.6", version)
        };
        gradebook::set_cell(
            &state,
            &c.teacher,
            items[0].id,
            c.learner.id,
            &override_edit,
        )
        .await
        .unwrap();
        assert_eq!(total(&state, &c).await, Some(90.0));
        let history = store::history(&state.db, items[0].id, c.learner.id)
            .await
            .unwrap();
        assert_eq!(history[0].reason, "Question 4 was ambiguous.");
        assert_eq!(
            (history[0].points, history[0].override_points),
            (Some(3.0), Some(3.6))
        );

        // The quiz loses its unanswered question: it is worth 3 points, and the grade keeps its
        // percentage (the override too).
        let slot = quiz::editor(&state, &c.teacher, item).await.unwrap().slots[3].id;
        quiz::remove_slot(&state, &c.teacher, item, slot)
            .await
            .unwrap();
        let items = store::items(&state.db, c.course_id).await.unwrap();
        assert_eq!(items[0].max_points, 3.0);
        let grades = store::grades_of(&state.db, c.course_id, &[c.learner.id])
            .await
            .unwrap();
        let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
        assert!(close(grades[0].points, 2.25), "{:?}", grades[0]);
        assert!(close(grades[0].override_points, 2.7), "{:?}", grades[0]);
        assert!(close(total(&state, &c).await, 90.0));
    }
);

db_test!(
    weighted_categories_drops_and_excused_grades_keep_the_total_current,
    |state| {
        let c = class(&state).await;
        let homework =
            gradebook::add_category(&state, &c.teacher, c.course_id, "Homework", 40.0, 1)
                .await
                .unwrap();
        let exams = gradebook::add_category(&state, &c.teacher, c.course_id, "Exams", 60.0, 0)
            .await
            .unwrap();
        let dup = gradebook::add_category(&state, &c.teacher, c.course_id, "homework", 10.0, 0)
            .await
            .unwrap_err();
        assert!(dup.field("name").is_some());
        let mut hw = Vec::new();
        for n in 1..=3 {
            hw.push(
                gradebook::add_item(
                    &state,
                    &c.teacher,
                    c.course_id,
                    Some(homework),
                    &format!("HW {n}"),
                    10.0,
                    false,
                )
                .await
                .unwrap(),
            );
        }
        let midterm = gradebook::add_item(
            &state,
            &c.teacher,
            c.course_id,
            Some(exams),
            "Midterm",
            50.0,
            false,
        )
        .await
        .unwrap();
        let final_exam = gradebook::add_item(
            &state,
            &c.teacher,
            c.course_id,
            Some(exams),
            "Final",
            100.0,
            false,
        )
        .await
        .unwrap();

        gradebook::set_cell(&state, &c.teacher, hw[0], c.learner.id, &edit("5", 0))
            .await
            .unwrap();
        gradebook::set_cell(&state, &c.teacher, hw[1], c.learner.id, &edit("8", 0))
            .await
            .unwrap();
        gradebook::set_cell(&state, &c.assistant, hw[2], c.learner.id, &edit("9", 0))
            .await
            .unwrap();
        // Homework only so far, lowest (5/10) dropped: (8 + 9) / 20 = 85 %.
        assert_eq!(total(&state, &c).await, Some(85.0));
        gradebook::set_cell(&state, &c.teacher, midterm, c.learner.id, &edit("40", 0))
            .await
            .unwrap();
        // Exams 40/50 = 80 %: 0.4 × 85 + 0.6 × 80 = 82.
        assert!((total(&state, &c).await.unwrap() - 82.0).abs() < 1e-9);
        // The final is excused: nothing changes; then graded 70/100: exams (40 + 70) / 150 = 73.33 %.
        let v = gradebook::set_cell(
            &state,
            &c.teacher,
            final_exam,
            c.learner.id,
            &CellEdit {
                excused: true,
                ..edit("", 0)
            },
        )
        .await
        .unwrap()
        .version;
        assert!((total(&state, &c).await.unwrap() - 82.0).abs() < 1e-9);
        gradebook::set_cell(&state, &c.teacher, final_exam, c.learner.id, &edit("70", v))
            .await
            .unwrap();
        let expected = 0.4 * 85.0 + 0.6 * (110.0 / 150.0 * 100.0);
        assert!((total(&state, &c).await.unwrap() - expected).abs() < 1e-9);

        let bad = gradebook::set_cell(&state, &c.teacher, midterm, c.learner.id, &edit("lots", 1))
            .await
            .unwrap_err();
        assert!(bad.field("points").is_some());
        assert_eq!(
            gradebook::set_cell(&state, &c.learner, midterm, c.learner.id, &edit("50", 1))
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let not_learner =
            gradebook::set_cell(&state, &c.teacher, midterm, c.assistant.id, &edit("50", 0))
                .await
                .unwrap_err();
        assert!(not_learner.field("user_id").is_some());
    }
);

db_test!(two_graders_editing_one_cell_see_the_conflict, |state| {
    let c = class(&state).await;
    let essay = gradebook::add_item(&state, &c.teacher, c.course_id, None, "Essay", 20.0, false)
        .await
        .unwrap();
    // Both open the table while the cell is empty (version 0).
    let first = gradebook::set_cell(&state, &c.teacher, essay, c.learner.id, &edit("15", 0))
        .await
        .unwrap()
        .version;
    let conflict = gradebook::set_cell(&state, &c.assistant, essay, c.learner.id, &edit("12", 0))
        .await
        .unwrap_err();
    match conflict {
        AppError::Conflict(message) => assert!(message.contains("it is now 15"), "{message}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // From the current version the assistant's change goes through.
    let second = gradebook::set_cell(
        &state,
        &c.assistant,
        essay,
        c.learner.id,
        &edit("12", first),
    )
    .await
    .unwrap()
    .version;
    assert_eq!(second, first + 1);
    let stale =
        gradebook::set_cell(&state, &c.teacher, essay, c.learner.id, &edit("16", first)).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))));
    assert_eq!(total(&state, &c).await, Some(60.0));
    assert_eq!(
        store::history(&state.db, essay, c.learner.id)
            .await
            .unwrap()
            .len(),
        2
    );
    // The table and the CSV show the same thing, to staff only.
    let table = gradebook::grader_table(&state, &c.assistant, c.course_id, 1, 1)
        .await
        .unwrap();
    assert_eq!(table.rows.len(), 1, "learners only, not the assistant");
    assert_eq!(table.rows[0].cells[0].shown(), Some(12.0));
    assert_eq!(table.rows[0].cells[0].version, second);
    assert_eq!(table.rows[0].letter.as_deref(), Some("D"));
    let csv = gradebook::export_csv(&state, &c.teacher, c.course_id)
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "email,name,Essay (20),total %,letter");
    assert!(
        lines[1].starts_with("learner@example.com,") && lines[1].ends_with(",12,60,D"),
        "{csv}"
    );
    assert_eq!(
        gradebook::export_csv(&state, &c.learner, c.course_id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        gradebook::grader_table(&state, &c.learner, c.course_id, 1, 1)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let mine = gradebook::my_grades(&state, &c.learner, c.course_id)
        .await
        .unwrap();
    assert_eq!(
        (mine.rows[0].points, mine.total_percent),
        (Some(12.0), Some(60.0))
    );
});

db_test!(
    a_pass_grade_holds_back_course_completion_until_the_total_reaches_it,
    |state| {
        let c = class(&state).await;
        let lesson = items::add_item(
            &state,
            &c.teacher,
            c.section_id,
            &ItemForm {
                kind: "lesson".into(),
                title: "Read me".into(),
                body: "Text".into(),
                required: true,
                completion: "view".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let paper =
            gradebook::add_item(&state, &c.teacher, c.course_id, None, "Paper", 10.0, false)
                .await
                .unwrap();
        let bad = gradebook::save_settings(&state, &c.teacher, c.course_id, "120", "A: 90")
            .await
            .unwrap_err();
        assert!(
            bad.field("pass_percent").is_some() && bad.field("letters").is_some(),
            "{bad:?}"
        );
        assert_eq!(
            gradebook::save_settings(&state, &c.learner, c.course_id, "50", "F: 0")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        gradebook::save_settings(&state, &c.teacher, c.course_id, "60", "Pass: 60\nFail: 0")
            .await
            .unwrap();

        lyceum::learning::service::open_item(&state, &c.learner, lesson)
            .await
            .unwrap();
        let completed = || async {
            lyceum::completion::store::progress(&state.db, c.course_id, c.learner.id)
                .await
                .unwrap()
                .unwrap()
                .completed_at
        };
        assert_eq!(completed().await, None, "every item done, but no grade yet");
        gradebook::set_cell(&state, &c.teacher, paper, c.learner.id, &edit("5", 0))
            .await
            .unwrap();
        assert_eq!(completed().await, None, "50 % is below the pass grade");
        let mine = gradebook::my_grades(&state, &c.learner, c.course_id)
            .await
            .unwrap();
        assert_eq!(mine.letter.as_deref(), Some("Fail"));
        gradebook::set_cell(&state, &c.teacher, paper, c.learner.id, &edit("7", 1))
            .await
            .unwrap();
        assert!(
            completed().await.is_some(),
            "70 % passes: the course is complete"
        );
        let mine = gradebook::my_grades(&state, &c.learner, c.course_id)
            .await
            .unwrap();
        assert_eq!(mine.letter.as_deref(), Some("Pass"));
    }
);

db_test!(
    csv_import_previews_then_applies_and_reports_conflicts,
    |state| {
        let c = class(&state).await;
        let second = user_with_roles(&state, "second@example.com", &[Role::Learner]).await;
        lyceum::enrolments::service::enrol_user(
            &state,
            &c.teacher,
            c.course_id,
            second.id,
            CourseRole::Learner,
        )
        .await
        .unwrap();
        let essay =
            gradebook::add_item(&state, &c.teacher, c.course_id, None, "Essay", 20.0, false)
                .await
                .unwrap();
        let lab = gradebook::add_item(&state, &c.teacher, c.course_id, None, "Lab", 10.0, false)
            .await
            .unwrap();
        gradebook::set_cell(&state, &c.teacher, lab, c.learner.id, &edit("7", 0))
            .await
            .unwrap();
        // The export's own format comes back in: the name column and the totals are ignored.
        let csv = "email,name,Essay (20),Lab (10),Quiz 9,total %\n\
                   learner@example.com,Lena,15,7,,60\n\
                   second@example.com,Sam,ex,lots,,\n\
                   nobody@example.com,Who,12,3,,\n";
        let preview = lyceum::grading::import::preview(&state, &c.teacher, c.course_id, csv)
            .await
            .unwrap();
        let changes: Vec<(i64, i64, &str)> = preview
            .changes
            .iter()
            .map(|ch| (ch.user_id, ch.grade_item_id, ch.new.as_str()))
            .collect();
        assert_eq!(
            changes,
            vec![(c.learner.id, essay, "15"), (second.id, essay, "EX")]
        );
        assert_eq!(preview.unchanged, 1, "Lab 7 is already 7");
        let problems: Vec<(usize, &str)> = preview
            .problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].0 == 1 && problems[0].1.contains("Quiz 9"),
            "{problems:?}"
        );
        assert!(
            problems[1].0 == 3 && problems[1].1.contains("Lab"),
            "{problems:?}"
        );
        assert!(
            problems[2].0 == 4 && problems[2].1.contains("nobody@example.com"),
            "{problems:?}"
        );
        // Nothing changes until applied.
        assert_eq!(total(&state, &c).await, Some(70.0));

        // Meanwhile a grader changes one of the previewed cells: that one is refused.
        let v = store::grades_of(&state.db, c.course_id, &[second.id])
            .await
            .unwrap()
            .len();
        assert_eq!(v, 0);
        gradebook::set_cell(&state, &c.assistant, essay, second.id, &edit("11", 0))
            .await
            .unwrap();
        let applied =
            lyceum::grading::import::apply(&state, &c.teacher, c.course_id, &preview.changes)
                .await
                .unwrap();
        assert_eq!(applied.applied, 1);
        assert_eq!(applied.conflicts.len(), 1);
        assert!(
            applied.conflicts[0].contains("Sam")
                || applied.conflicts[0].contains("second@example.com"),
            "{:?}",
            applied.conflicts
        );
        // (15 + 7) / 30.
        assert!((total(&state, &c).await.unwrap() - 22.0 / 30.0 * 100.0).abs() < 1e-9);
        let history = gradebook::cell_history(&state, &c.teacher, essay, c.learner.id)
            .await
            .unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].reason, "Imported from a CSV file");
        // The export shows every learner's row: points, an excused cell as EX, an empty one empty.
        gradebook::set_cell(
            &state,
            &c.teacher,
            lab,
            second.id,
            &CellEdit {
                excused: true,
                ..edit("", 0)
            },
        )
        .await
        .unwrap();
        let export = gradebook::export_csv(&state, &c.teacher, c.course_id)
            .await
            .unwrap();
        assert_eq!(export.lines().count(), 3, "{export}");
        assert!(
            export
                .lines()
                .any(|l| l.starts_with("learner@example.com,") && l.contains(",15,7,")),
            "{export}"
        );
        assert!(
            export
                .lines()
                .any(|l| l.starts_with("second@example.com,") && l.contains(",11,EX,")),
            "{export}"
        );
        // Learners cannot import.
        assert_eq!(
            lyceum::grading::import::preview(&state, &c.learner, c.course_id, csv)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        // A file that is not a grades CSV says so.
        let err =
            lyceum::grading::import::preview(&state, &c.teacher, c.course_id, "name,score\nx,1\n")
                .await
                .unwrap_err();
        assert!(err.field("csv").unwrap().contains("email"), "{err:?}");
    }
);

db_test!(items_and_categories_change_and_totals_follow, |state| {
    let c = class(&state).await;
    let essays = gradebook::add_category(&state, &c.teacher, c.course_id, "Essays", 0.0, 0)
        .await
        .unwrap();
    let essay = gradebook::add_item(
        &state,
        &c.teacher,
        c.course_id,
        Some(essays),
        "Essay",
        20.0,
        false,
    )
    .await
    .unwrap();
    let lab = gradebook::add_item(&state, &c.teacher, c.course_id, None, "Lab", 10.0, false)
        .await
        .unwrap();
    gradebook::set_cell(&state, &c.teacher, essay, c.learner.id, &edit("10", 0))
        .await
        .unwrap();
    gradebook::set_cell(&state, &c.teacher, lab, c.learner.id, &edit("10", 0))
        .await
        .unwrap();
    assert!((total(&state, &c).await.unwrap() - 20.0 / 30.0 * 100.0).abs() < 1e-9);
    // The essay is now out of 10: 20 / 20.
    gradebook::update_item(
        &state,
        &c.teacher,
        essay,
        Some(essays),
        "Essay one",
        10.0,
        false,
    )
    .await
    .unwrap();
    assert_eq!(total(&state, &c).await, Some(100.0));
    // Weighting the essays' category at 100 % leaves the uncategorised lab out.
    gradebook::update_category(&state, &c.teacher, essays, "Essays", 100.0, 0)
        .await
        .unwrap();
    assert_eq!(total(&state, &c).await, Some(100.0));
    gradebook::set_cell(&state, &c.teacher, essay, c.learner.id, &edit("5", 1))
        .await
        .unwrap();
    assert_eq!(total(&state, &c).await, Some(50.0));
    // Deleting the category puts its items back among the others (points again): 15 / 20.
    gradebook::delete_category(&state, &c.teacher, essays)
        .await
        .unwrap();
    assert_eq!(total(&state, &c).await, Some(75.0));
    // Deleting the lab: 5 / 10.
    gradebook::delete_item(&state, &c.teacher, lab)
        .await
        .unwrap();
    assert_eq!(total(&state, &c).await, Some(50.0));
    let err = gradebook::update_item(&state, &c.teacher, essay, None, "", 10.0, false)
        .await
        .unwrap_err();
    assert!(err.field("name").is_some());
    assert_eq!(
        gradebook::delete_item(&state, &c.assistant, essay)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    // Column pages: 30 more items make three pages of 12.
    for n in 0..30 {
        gradebook::add_item(
            &state,
            &c.teacher,
            c.course_id,
            None,
            &format!("Item {n:02}"),
            1.0,
            false,
        )
        .await
        .unwrap();
    }
    let first = gradebook::grader_table(&state, &c.teacher, c.course_id, 1, 1)
        .await
        .unwrap();
    let third = gradebook::grader_table(&state, &c.teacher, c.course_id, 1, 3)
        .await
        .unwrap();
    assert_eq!(
        (first.items.len(), first.col_pages, first.total_items),
        (12, 3, 31)
    );
    assert_eq!(third.items.len(), 7);
    assert_eq!(third.rows[0].cells.len(), 7);
    assert_eq!(first.items[0].name, "Essay one");
});

db_test!(
    totals_a_migration_marked_stale_are_computed_again_after_start_up,
    |state| {
        use lyceum::db::Db;
        let c = class(&state).await;
        let lab = gradebook::add_item(&state, &c.teacher, c.course_id, None, "Lab", 10.0, false)
            .await
            .unwrap();
        gradebook::set_cell(&state, &c.teacher, lab, c.learner.id, &edit("7", 0))
            .await
            .unwrap();
        assert_eq!(total(&state, &c).await, Some(70.0));
        // What a migration leaves: a total out of date and the course marked.
        let mut tx = state.db.begin().await.unwrap();
        store::set_total(&mut tx, c.course_id, c.learner.id, Some(12.0), 0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mark = "INSERT INTO gradebook_stale (course_id) VALUES ($1)";
        match &state.db {
            Db::Sqlite(p) => {
                sqlx::query(mark)
                    .bind(c.course_id)
                    .execute(&p.write)
                    .await
                    .unwrap();
            }
            Db::Postgres(p) => {
                sqlx::query(mark)
                    .bind(c.course_id)
                    .execute(p)
                    .await
                    .unwrap();
            }
        }
        assert_eq!(
            store::stale_courses(&state.db).await.unwrap(),
            vec![c.course_id]
        );
        gradebook::recompute_stale(state.clone()).await;
        assert_eq!(total(&state, &c).await, Some(70.0));
        assert!(store::stale_courses(&state.db).await.unwrap().is_empty());
    }
);

db_test!(
    migration_0013_puts_quiz_grades_kept_out_of_100_on_the_quiz_marks,
    |state| {
        let c = class(&state).await;
        let item = quiz_of_four(&state, &c).await;
        three_of_four(&state, &c, item).await;
        let column = store::items(&state.db, c.course_id).await.unwrap()[0].id;
        let version = store::grades_of(&state.db, c.course_id, &[c.learner.id])
            .await
            .unwrap()[0]
            .version;
        gradebook::set_cell(
            &state,
            &c.teacher,
            column,
            c.learner.id,
            &CellEdit {
                reason: "Question 4 was ambiguous.".into(),
                ..edit("3.6", version)
            },
        )
        .await
        .unwrap();
        // The data as it was before the migration: the quiz's column out of 100, its grade and
        // override as percentages, and no course marked for new totals.
        let old_form = [
            "UPDATE grades SET points = points * 25, override_points = override_points * 25 \
             WHERE grade_item_id = $1",
            "UPDATE grade_items SET max_points = 100 WHERE id = $1",
            "DELETE FROM gradebook_stale WHERE $1 > 0",
        ];
        for sql in old_form {
            lyceum::with_db_write!(&state.db, |p| sqlx::query(sql)
                .bind(column)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
                .unwrap());
        }
        assert_eq!(
            store::grades_of(&state.db, c.course_id, &[c.learner.id])
                .await
                .unwrap()[0]
                .points,
            Some(75.0)
        );

        // The migration's statements, but the table it creates (which exists already).
        let dir = match &state.db {
            lyceum::db::Db::Sqlite(_) => "sqlite",
            lyceum::db::Db::Postgres(_) => "postgres",
        };
        let path = format!(
            "{}/migrations/{dir}/0013_quiz_points.sql",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        let statements: Vec<&str> = code
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty() && !s.starts_with("CREATE TABLE"))
            .collect();
        assert_eq!(statements.len(), 3, "{statements:?}");
        for sql in statements {
            lyceum::with_db_write!(&state.db, |p| sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(p)
                .await
                .map(|r| r.rows_affected())
                .unwrap());
        }

        let column_now = store::items(&state.db, c.course_id).await.unwrap();
        assert_eq!(column_now[0].max_points, 4.0);
        let grade = store::grades_of(&state.db, c.course_id, &[c.learner.id])
            .await
            .unwrap()
            .remove(0);
        let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
        assert!(close(grade.points, 3.0), "{grade:?}");
        assert!(close(grade.override_points, 3.6), "{grade:?}");
        // The course is marked, and the server's start-up pass computes its totals again.
        assert_eq!(
            store::stale_courses(&state.db).await.unwrap(),
            vec![c.course_id]
        );
        gradebook::recompute_stale(state.clone()).await;
        assert!(store::stale_courses(&state.db).await.unwrap().is_empty());
        assert!(close(total(&state, &c).await, 90.0));
    }
);
