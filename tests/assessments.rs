//! Assessments on SQLite and PostgreSQL: the question bank and its GIFT/Aiken import (all or
//! nothing), quizzes with every question type marked by hand-computed rules, the server's clock,
//! answer ordering under replays, attempts and grading methods, review options, hand-marking and
//! completion.

use crate::support::{self, ClassSpec};
use lyceum::assessments::model::*;
use lyceum::assessments::question::*;
use lyceum::assessments::{attempts, bank, quiz, review};
use lyceum::auth::permissions::Actor;
use lyceum::courses::model::{CourseForm, ItemForm};
use lyceum::db::Db;
use lyceum::db_test;
use lyceum::enrolments::service::create_course;
use lyceum::error::AppError;
use lyceum::items::copy;
use lyceum::items::service as items;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

// ---- helpers ---------------------------------------------------------------------------------

struct Class {
    teacher: Actor,
    learner: Actor,
    course_id: i64,
    section_id: i64,
    category_id: i64,
}

async fn class(state: &AppState) -> Class {
    let c = support::class(
        state,
        ClassSpec {
            code: "QZ-1",
            title: "Quizzing",
            learners: &["learner@example.com"],
            assistant: false,
            ..Default::default()
        },
    )
    .await;
    let category_id = bank::categories(state, &c.teacher, c.course_id)
        .await
        .unwrap()[0]
        .id;
    Class {
        learner: c.learners[0].clone(),
        teacher: c.teacher,
        course_id: c.course_id,
        section_id: c.section_id,
        category_id,
    }
}

fn q(name: &str, body: QuestionBody) -> Question {
    Question {
        name: name.into(),
        stem: RichText::new(TextFormat::Markdown, format!("{name}?")),
        general_feedback: None,
        body,
        default_mark: 1.0,
        tags: vec![],
        id_number: None,
    }
}

fn choice(text: &str, fraction: f64) -> Choice {
    Choice {
        text: RichText::plain(text),
        fraction,
        feedback: None,
    }
}

async fn add_question(state: &AppState, c: &Class, category_id: i64, question: Question) -> i64 {
    bank::save(
        state,
        &c.teacher,
        c.course_id,
        BankQuestion {
            id: None,
            category_id,
            question,
            version: 0,
        },
    )
    .await
    .unwrap()
}

async fn add_quiz(state: &AppState, c: &Class, title: &str) -> i64 {
    items::add_item(
        state,
        &c.teacher,
        c.section_id,
        &ItemForm {
            kind: "quiz".into(),
            title: title.into(),
            required: true,
            completion: "view".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn set_settings(state: &AppState, c: &Class, item_id: i64, form: QuizSettingsForm) {
    quiz::save_settings(state, &c.teacher, item_id, &form)
        .await
        .unwrap();
}

fn settings_form() -> QuizSettingsForm {
    QuizSettingsForm {
        attempts_allowed: "1".into(),
        grading_method: "highest".into(),
        questions_per_page: "0".into(),
        shuffle_answers: true,
        review_answers: "after_submit".into(),
        review_correct: "after_submit".into(),
        review_feedback: "after_submit".into(),
        ..Default::default()
    }
}

fn answer(slot: i32, seq: i64, response: Response) -> AnswerSave {
    AnswerSave {
        slot,
        seq,
        response: Some(response),
    }
}

/// The slot each bank question landed in for this attempt.
async fn slot_of(state: &AppState, who: &Actor, attempt_id: i64, question_name: &str) -> i32 {
    let view = attempts::view(state, who, attempt_id).await.unwrap();
    view.questions
        .iter()
        .find(|q| q.stem_html.contains(&format!("{question_name}?")))
        .unwrap_or_else(|| panic!("question {question_name} in the attempt"))
        .slot
}

/// The places (as the learner's page numbers them) of the options with these texts, in this
/// order: how a learner picks choices and orders items (the page never sees the question's own
/// indexes).
async fn places(
    state: &AppState,
    who: &Actor,
    attempt_id: i64,
    question_name: &str,
    texts: &[&str],
) -> Vec<usize> {
    let view = attempts::view(state, who, attempt_id).await.unwrap();
    let question = view
        .questions
        .iter()
        .find(|q| q.stem_html.contains(&format!("{question_name}?")))
        .unwrap_or_else(|| panic!("question {question_name} in the attempt"));
    let options = match &question.input {
        QuestionInput::Single(o) | QuestionInput::Multiple(o) | QuestionInput::Ordering(o) => o,
        other => panic!("{question_name} has no numbered options: {other:?}"),
    };
    texts
        .iter()
        .map(|t| {
            options
                .iter()
                .find(|(_, text)| text.contains(t))
                .unwrap_or_else(|| panic!("option {t} in {question_name}"))
                .0
        })
        .collect()
}

async fn exec(db: &Db, sql: &'static str, id: i64) {
    match db {
        Db::Sqlite(p) => {
            sqlx::query(sql).bind(id).execute(&p.write).await.unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query(sql).bind(id).execute(p).await.unwrap();
        }
    }
}

const GIFT_WITH_ONE_BROKEN: &str = "$CATEGORY: $course$/top/Geography

::Capital:: What is the capital of France? {=Paris ~London ~Berlin}

::Broken:: This answer block never closes {=yes ~no

::Rivers:: Which are rivers? {~%50%Nile ~%50%Danube ~%-100%Alps}
";

// ---- the bank --------------------------------------------------------------------------------

db_test!(
    import_with_problems_imports_nothing_unless_told_to_keep_the_valid_ones,
    |state| {
        let c = class(&state).await;
        let preview = bank::preview_import(
            &state,
            &c.teacher,
            c.course_id,
            QuestionFormat::Gift,
            GIFT_WITH_ONE_BROKEN,
            c.category_id,
        )
        .await
        .unwrap();
        assert_eq!(preview.questions.len(), 2, "{preview:?}");
        assert_eq!(preview.problems.len(), 1, "{preview:?}");
        assert_eq!(
            preview.problems[0].line, 5,
            "the problem is reported on the broken question's line"
        );
        assert!(preview.questions.iter().all(|q| q.category == "Geography"));

        let refused = bank::import(
            &state,
            &c.teacher,
            c.course_id,
            QuestionFormat::Gift,
            GIFT_WITH_ONE_BROKEN,
            c.category_id,
            false,
        )
        .await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
        let empty = bank::list(&state, &c.teacher, c.course_id, &BankQuery::default())
            .await
            .unwrap();
        assert_eq!(empty.total, 0, "nothing imported when there are problems");

        let count = bank::import(
            &state,
            &c.teacher,
            c.course_id,
            QuestionFormat::Gift,
            GIFT_WITH_ONE_BROKEN,
            c.category_id,
            true,
        )
        .await
        .unwrap();
        assert_eq!(count, 2);
        let categories = bank::categories(&state, &c.teacher, c.course_id)
            .await
            .unwrap();
        let geography = categories
            .iter()
            .find(|k| k.name == "Geography")
            .expect("category from $CATEGORY");
        assert_eq!(geography.question_count, 2);
        let list = bank::list(&state, &c.teacher, c.course_id, &BankQuery::default())
            .await
            .unwrap();
        let labels: Vec<_> = list
            .items
            .iter()
            .map(|q| (q.name.as_str(), q.type_label.as_str()))
            .collect();
        assert_eq!(
            labels,
            vec![
                ("Capital", "Multiple choice"),
                ("Rivers", "Multiple response")
            ]
        );
    }
);

db_test!(aiken_import_and_gift_export_round_trip, |state| {
    let c = class(&state).await;
    let aiken = "What is 2 + 2?\nA. 3\nB. 4\nC. 5\nANSWER: B\n\nWhich is a mammal?\nA) Shark\nB) Whale\nANSWER: B\n";
    assert_eq!(
        bank::import(
            &state,
            &c.teacher,
            c.course_id,
            QuestionFormat::Aiken,
            aiken,
            c.category_id,
            false
        )
        .await
        .unwrap(),
        2
    );
    let broken = "Question without answer\nA. one\nB. two\n";
    let preview = bank::preview_import(
        &state,
        &c.teacher,
        c.course_id,
        QuestionFormat::Aiken,
        broken,
        c.category_id,
    )
    .await
    .unwrap();
    assert_eq!(preview.questions.len(), 0);
    assert_eq!(preview.problems.len(), 1);
    assert_eq!(preview.problems[0].line, 1);

    add_question(
        &state,
        &c,
        c.category_id,
        q(
            "Order",
            QuestionBody::Ordering {
                items: vec!["a".into(), "b".into()],
            },
        ),
    )
    .await;
    let export = bank::export(&state, &c.teacher, c.course_id, QuestionFormat::Gift, None)
        .await
        .unwrap();
    assert_eq!(
        export.skipped.len(),
        1,
        "ordering questions cannot be written as GIFT"
    );
    assert_eq!(export.skipped[0].0, "Order");

    // The export reads back into another course as the same questions.
    let other = create_course(
        &state,
        &c.teacher,
        &CourseForm {
            code: "QZ-2".into(),
            title: "Copy".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let other_category = bank::categories(&state, &c.teacher, other.id)
        .await
        .unwrap()[0]
        .id;
    assert_eq!(
        bank::import(
            &state,
            &c.teacher,
            other.id,
            QuestionFormat::Gift,
            &export.text,
            other_category,
            false
        )
        .await
        .unwrap(),
        2
    );
    let again = bank::export(&state, &c.teacher, other.id, QuestionFormat::Aiken, None)
        .await
        .unwrap();
    assert!(again.text.contains("ANSWER: B"), "{}", again.text);
});

db_test!(learners_cannot_see_or_change_the_bank, |state| {
    let c = class(&state).await;
    let id = add_question(
        &state,
        &c,
        c.category_id,
        q(
            "Secret",
            QuestionBody::TrueFalse {
                correct: true,
                true_feedback: None,
                false_feedback: None,
            },
        ),
    )
    .await;
    assert_eq!(
        bank::list(&state, &c.learner, c.course_id, &BankQuery::default())
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        bank::load(&state, &c.learner, c.course_id, id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        bank::import(
            &state,
            &c.learner,
            c.course_id,
            QuestionFormat::Gift,
            "Q {T}",
            c.category_id,
            false
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        bank::export(&state, &c.learner, c.course_id, QuestionFormat::Gift, None)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
});

db_test!(
    saving_from_an_old_version_is_a_conflict_and_bad_questions_are_refused_in_words,
    |state| {
        let c = class(&state).await;
        let id = add_question(
            &state,
            &c,
            c.category_id,
            q(
                "Q",
                QuestionBody::TrueFalse {
                    correct: true,
                    true_feedback: None,
                    false_feedback: None,
                },
            ),
        )
        .await;
        let loaded = bank::load(&state, &c.teacher, c.course_id, id)
            .await
            .unwrap();
        bank::save(&state, &c.teacher, c.course_id, loaded.clone())
            .await
            .unwrap();
        let stale = bank::save(&state, &c.teacher, c.course_id, loaded).await;
        assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
        let bad = bank::save(
            &state,
            &c.teacher,
            c.course_id,
            BankQuestion {
                id: None,
                category_id: c.category_id,
                question: q(
                    "No right answer",
                    QuestionBody::SingleChoice {
                        choices: vec![choice("a", 0.0), choice("b", 0.0)],
                    },
                ),
                version: 0,
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            bad.field("question").as_deref(),
            Some("One answer must be fully correct (100 %).")
        );
    }
);

// ---- taking a quiz ---------------------------------------------------------------------------

db_test!(
    every_question_type_is_marked_by_its_rule_and_essays_wait_for_a_grader,
    |state| {
        let c = class(&state).await;
        let cat = c.category_id;
        let mut ids = vec![
            add_question(
                &state,
                &c,
                cat,
                q(
                    "Single",
                    QuestionBody::SingleChoice {
                        choices: vec![
                            choice("right", 1.0),
                            choice("half", 0.5),
                            choice("wrong", 0.0),
                        ],
                    },
                ),
            )
            .await,
            add_question(
                &state,
                &c,
                cat,
                q(
                    "Multi",
                    QuestionBody::MultipleResponse {
                        choices: vec![choice("a", 0.5), choice("b", 0.5), choice("c", -1.0)],
                    },
                ),
            )
            .await,
            add_question(
                &state,
                &c,
                cat,
                q(
                    "Short",
                    QuestionBody::ShortAnswer {
                        answers: vec![TextAnswer {
                            text: "mitochondri*".into(),
                            fraction: 1.0,
                            feedback: None,
                        }],
                        case_sensitive: false,
                    },
                ),
            )
            .await,
            add_question(
                &state,
                &c,
                cat,
                q(
                    "Numeric",
                    QuestionBody::Numeric {
                        answers: vec![NumericAnswer {
                            value: 9.81,
                            tolerance: 0.05,
                            fraction: 1.0,
                            feedback: None,
                        }],
                    },
                ),
            )
            .await,
            add_question(
                &state,
                &c,
                cat,
                q(
                    "Matching",
                    QuestionBody::Matching {
                        pairs: vec![
                            MatchPair {
                                prompt: RichText::plain("France"),
                                answer: "Paris".into(),
                            },
                            MatchPair {
                                prompt: RichText::plain("Italy"),
                                answer: "Rome".into(),
                            },
                            MatchPair {
                                prompt: RichText::plain("Spain"),
                                answer: "Madrid".into(),
                            },
                            MatchPair {
                                prompt: RichText::plain("Japan"),
                                answer: "Tokyo".into(),
                            },
                        ],
                        distractors: vec!["Lyon".into()],
                    },
                ),
            )
            .await,
            add_question(
                &state,
                &c,
                cat,
                q(
                    "Ordering",
                    QuestionBody::Ordering {
                        items: vec!["1".into(), "2".into(), "3".into(), "4".into()],
                    },
                ),
            )
            .await,
            add_question(&state, &c, cat, q("Essay", QuestionBody::Essay)).await,
        ];
        let mut blanks = q(
            "Blanks",
            QuestionBody::FillBlanks {
                blanks: vec![
                    Blank {
                        answers: vec!["red".into()],
                        case_sensitive: false,
                    },
                    Blank {
                        answers: vec!["blue".into()],
                        case_sensitive: false,
                    },
                ],
            },
        );
        blanks.stem = RichText::new(
            TextFormat::Markdown,
            "Blanks? Roses are [[1]], violets are [[2]].",
        );
        ids.push(add_question(&state, &c, cat, blanks).await);
        let item = add_quiz(&state, &c, "Every type").await;
        quiz::add_questions(&state, &c.teacher, item, &ids)
            .await
            .unwrap();
        let mut form = settings_form();
        form.shuffle_questions = true;
        set_settings(&state, &c, item, form).await;

        let attempt = attempts::start(&state, &c.learner, item).await.unwrap();
        let view = attempts::view(&state, &c.learner, attempt).await.unwrap();
        assert_eq!(view.questions.len(), 8);
        let blanks_view = view
            .questions
            .iter()
            .find(|q| q.stem_html.contains("Blanks?"))
            .unwrap();
        assert!(
            blanks_view.stem_html.contains("(1) ______"),
            "{}",
            blanks_view.stem_html
        );
        let mut saves = Vec::new();
        let single = places(&state, &c.learner, attempt, "Single", &["half"]).await[0];
        let multi = places(&state, &c.learner, attempt, "Multi", &["a", "b"]).await;
        let ordering = places(
            &state,
            &c.learner,
            attempt,
            "Ordering",
            &["2", "1", "3", "4"],
        )
        .await;
        for (name, response) in [
            ("Single", Response::Single(single)),             // 0.5
            ("Multi", Response::Multiple(multi)),             // 1.0
            ("Short", Response::Text("Mitochondria".into())), // 1.0
            ("Numeric", Response::Text("9,8".into())),        // 1.0 (within 0.05)
            (
                "Matching",
                Response::Matching(vec![
                    Some("Paris".into()),
                    Some("Lyon".into()),
                    Some("Madrid".into()),
                    None,
                ]),
            ), // 0.5
            ("Ordering", Response::Ordering(ordering)),       // 0.5
            (
                "Blanks",
                Response::Blanks(vec!["Red".into(), "green".into()]),
            ), // 0.5
            ("Essay", Response::Text("Cells make energy.".into())), // by hand
        ] {
            saves.push(answer(
                slot_of(&state, &c.learner, attempt, name).await,
                1,
                response,
            ));
        }
        let receipt = attempts::save(&state, &c.learner, attempt, &saves)
            .await
            .unwrap();
        assert!(!receipt.finished);
        assert!(receipt.saved.iter().all(|(_, seq)| *seq == 1));
        let summary = attempts::submit(&state, &c.learner, attempt, &[])
            .await
            .unwrap();
        // 0.5 + 1 + 1 + 1 + 0.5 + 0.5 + 0.5 = 5.0 of 8 so far; the essay waits.
        assert_eq!(summary.score, Some(5.0));
        assert_eq!(summary.max_score, 8.0);
        assert!(summary.needs_grading);

        let queue = review::grading_queue(&state, &c.teacher, c.course_id, 1)
            .await
            .unwrap();
        assert_eq!(queue.total, 1);
        let task = &queue.items[0];
        assert_eq!(task.question_name, "Essay");
        assert_eq!(
            review::grading_queue(&state, &c.learner, c.course_id, 1)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            review::grade_question(&state, &c.learner, attempt, task.slot, 1.0, "")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let too_much = review::grade_question(&state, &c.teacher, attempt, task.slot, 2.0, "")
            .await
            .unwrap_err();
        assert!(too_much.field("mark").is_some());
        review::grade_question(
            &state,
            &c.teacher,
            attempt,
            task.slot,
            0.75,
            "Good, but say which organelle.",
        )
        .await
        .unwrap();

        let r = review::review(&state, &c.learner, attempt).await.unwrap();
        assert_eq!(r.attempt.score, Some(5.75));
        assert!(!r.attempt.needs_grading);
        assert_eq!(r.percent.map(|p| (p * 100.0).round() / 100.0), Some(71.88));
        let essay = r
            .questions
            .iter()
            .find(|q| q.type_label == "Essay")
            .unwrap();
        assert_eq!(
            essay.grader_comment.as_deref(),
            Some("Good, but say which organelle.")
        );
        assert_eq!(
            review::grading_queue(&state, &c.teacher, c.course_id, 1)
                .await
                .unwrap()
                .total,
            0
        );
        // The learner finished the quiz item (no pass mark): it counts as done.
        let done = lyceum::completion::store::completed_items(&state.db, c.course_id, c.learner.id)
            .await
            .unwrap();
        assert_eq!(done, vec![item]);
    }
);

db_test!(an_older_save_never_overwrites_a_newer_one, |state| {
    let c = class(&state).await;
    let id = add_question(
        &state,
        &c,
        c.category_id,
        q(
            "Short",
            QuestionBody::ShortAnswer {
                answers: vec![TextAnswer {
                    text: "new".into(),
                    fraction: 1.0,
                    feedback: None,
                }],
                case_sensitive: false,
            },
        ),
    )
    .await;
    let item = add_quiz(&state, &c, "Replay").await;
    quiz::add_questions(&state, &c.teacher, item, &[id])
        .await
        .unwrap();
    let attempt = attempts::start(&state, &c.learner, item).await.unwrap();
    attempts::save(
        &state,
        &c.learner,
        attempt,
        &[answer(1, 7, Response::Text("new".into()))],
    )
    .await
    .unwrap();
    // A queue replayed late from another moment of the connection.
    let receipt = attempts::save(
        &state,
        &c.learner,
        attempt,
        &[answer(1, 3, Response::Text("old".into()))],
    )
    .await
    .unwrap();
    assert_eq!(receipt.saved, vec![(1, 7)]);
    let view = attempts::view(&state, &c.learner, attempt).await.unwrap();
    assert_eq!(
        view.questions[0].response,
        Some(Response::Text("new".into()))
    );
    // Starting again returns the open attempt rather than a second one.
    assert_eq!(
        attempts::start(&state, &c.learner, item).await.unwrap(),
        attempt
    );
    // Nobody else can read or write it.
    let other = user_with_roles(&state, "other@example.com", &[Role::Learner]).await;
    assert_eq!(
        attempts::view(&state, &other, attempt).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        attempts::save(&state, &other, attempt, &[])
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        attempts::submit(&state, &other, attempt, &[])
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        review::review(&state, &other, attempt).await.unwrap_err(),
        AppError::Forbidden
    );
    let summary = attempts::submit(&state, &c.learner, attempt, &[])
        .await
        .unwrap();
    assert_eq!(summary.score, Some(1.0));
});

db_test!(
    the_server_clock_ends_attempts_and_refuses_late_answers,
    |state| {
        let c = class(&state).await;
        let id = add_question(
            &state,
            &c,
            c.category_id,
            q(
                "TF",
                QuestionBody::TrueFalse {
                    correct: true,
                    true_feedback: None,
                    false_feedback: None,
                },
            ),
        )
        .await;
        let item = add_quiz(&state, &c, "Timed").await;
        quiz::add_questions(&state, &c.teacher, item, &[id])
            .await
            .unwrap();
        let mut form = settings_form();
        form.time_limit_minutes = "10".into();
        form.attempts_allowed = "0".into();
        set_settings(&state, &c, item, form).await;

        let attempt = attempts::start(&state, &c.learner, item).await.unwrap();
        let view = attempts::view(&state, &c.learner, attempt).await.unwrap();
        let limit = view.deadline_at.unwrap() - view.now;
        assert!(
            (598..=600).contains(&limit),
            "ten minutes from the server's clock, not the browser's: {limit}"
        );
        attempts::save(
            &state,
            &c.learner,
            attempt,
            &[answer(1, 1, Response::Bool(true))],
        )
        .await
        .unwrap();

        // Time runs out (moved back in the database: the test does not sleep ten minutes).
        exec(
            &state.db,
            "UPDATE quiz_attempts SET deadline_at = deadline_at - 700 WHERE id = $1",
            attempt,
        )
        .await;
        let late = attempts::save(
            &state,
            &c.learner,
            attempt,
            &[answer(1, 2, Response::Bool(false))],
        )
        .await
        .unwrap();
        assert!(
            late.finished,
            "a save after the deadline submits the attempt instead"
        );
        let r = review::review(&state, &c.learner, attempt).await.unwrap();
        assert!(r.attempt.auto_submitted);
        assert_eq!(
            r.attempt.score,
            Some(1.0),
            "the answer saved in time counts, the late one does not"
        );
        assert_eq!(
            r.attempt.submitted_at,
            Some(view.deadline_at.unwrap() - 700),
            "submitted as of the deadline"
        );

        // Nobody touches the second attempt: the background sweep submits it.
        let second = attempts::start(&state, &c.learner, item).await.unwrap();
        assert_ne!(second, attempt);
        exec(
            &state.db,
            "UPDATE quiz_attempts SET deadline_at = deadline_at - 700 WHERE id = $1",
            second,
        )
        .await;
        assert_eq!(attempts::submit_overdue(&state).await.unwrap(), 1);
        assert_eq!(
            attempts::submit_overdue(&state).await.unwrap(),
            0,
            "each attempt closes once"
        );
        let intro = attempts::intro(&state, &c.learner, item).await.unwrap();
        assert_eq!(intro.attempts.len(), 2);
        assert!(intro.attempts.iter().all(|a| a.state == "submitted"));
        assert_eq!(intro.open_attempt, None);
    }
);

db_test!(attempt_limits_windows_and_grading_methods, |state| {
    let c = class(&state).await;
    let a = add_question(
        &state,
        &c,
        c.category_id,
        q(
            "A",
            QuestionBody::TrueFalse {
                correct: true,
                true_feedback: None,
                false_feedback: None,
            },
        ),
    )
    .await;
    let b = add_question(
        &state,
        &c,
        c.category_id,
        q(
            "B",
            QuestionBody::TrueFalse {
                correct: true,
                true_feedback: None,
                false_feedback: None,
            },
        ),
    )
    .await;
    let item = add_quiz(&state, &c, "Twice").await;
    quiz::add_questions(&state, &c.teacher, item, &[a, b])
        .await
        .unwrap();
    let mut form = settings_form();
    form.attempts_allowed = "2".into();
    form.grading_method = "average".into();
    set_settings(&state, &c, item, form.clone()).await;

    let first = attempts::start(&state, &c.learner, item).await.unwrap();
    let slot_a = slot_of(&state, &c.learner, first, "A").await;
    attempts::submit(
        &state,
        &c.learner,
        first,
        &[answer(slot_a, 1, Response::Bool(true))],
    )
    .await
    .unwrap(); // 50 %
    let second = attempts::start(&state, &c.learner, item).await.unwrap();
    attempts::submit(
        &state,
        &c.learner,
        second,
        &[
            answer(1, 1, Response::Bool(true)),
            answer(2, 1, Response::Bool(true)),
        ],
    )
    .await
    .unwrap(); // 100 %
    let intro = attempts::intro(&state, &c.learner, item).await.unwrap();
    assert_eq!(intro.grade_percent, Some(75.0), "average of 50 % and 100 %");
    assert_eq!(
        intro.cannot_start.as_deref(),
        Some("You have used all 2 attempts.")
    );
    assert!(matches!(
        attempts::start(&state, &c.learner, item).await,
        Err(AppError::Conflict(_))
    ));

    form.grading_method = "highest".into();
    set_settings(&state, &c, item, form.clone()).await;
    assert_eq!(
        attempts::intro(&state, &c.learner, item)
            .await
            .unwrap()
            .grade_percent,
        Some(100.0)
    );
    form.grading_method = "last".into();
    form.attempts_allowed = "0".into();
    form.closes_at = "2001-01-01T00:00".into();
    form.opens_at = "2000-01-01T00:00".into();
    set_settings(&state, &c, item, form).await;
    let intro = attempts::intro(&state, &c.learner, item).await.unwrap();
    assert_eq!(intro.grade_percent, Some(100.0));
    assert_eq!(intro.cannot_start.as_deref(), Some("This quiz has closed."));

    let bad = quiz::save_settings(
        &state,
        &c.teacher,
        item,
        &QuizSettingsForm {
            time_limit_minutes: "soon".into(),
            opens_at: "2030-01-02T00:00".into(),
            closes_at: "2030-01-01T00:00".into(),
            feedback_bands: "great".into(),
            ..settings_form()
        },
    )
    .await
    .unwrap_err();
    assert!(bad.field("time_limit_minutes").is_some());
    assert_eq!(
        bad.field("closes_at").as_deref(),
        Some("The quiz must close after it opens.")
    );
    assert!(bad.field("feedback_bands").unwrap().starts_with("Line 1:"));
});

db_test!(
    random_draws_pick_different_questions_and_the_pass_mark_decides_completion,
    |state| {
        let c = class(&state).await;
        let pool = bank::save_category(&state, &c.teacher, c.course_id, None, "Pool")
            .await
            .unwrap();
        for n in 0..6 {
            add_question(
                &state,
                &c,
                pool,
                q(
                    &format!("P{n}"),
                    QuestionBody::TrueFalse {
                        correct: true,
                        true_feedback: None,
                        false_feedback: None,
                    },
                ),
            )
            .await;
        }
        let item = add_quiz(&state, &c, "Random").await;
        let too_many = quiz::add_random(&state, &c.teacher, item, pool, 7, 1.0)
            .await
            .unwrap_err();
        assert!(too_many.field("draw_count").is_some());
        quiz::add_random(&state, &c.teacher, item, pool, 4, 2.0)
            .await
            .unwrap();
        let mut form = settings_form();
        form.pass_percent = "60".into();
        form.attempts_allowed = "0".into();
        form.feedback_bands = "50: Nearly there.\n100: Perfect!".into();
        set_settings(&state, &c, item, form).await;
        assert_eq!(
            attempts::intro(&state, &c.learner, item)
                .await
                .unwrap()
                .question_count,
            4
        );

        let attempt = attempts::start(&state, &c.learner, item).await.unwrap();
        let view = attempts::view(&state, &c.learner, attempt).await.unwrap();
        let mut stems: Vec<_> = view.questions.iter().map(|q| q.stem_html.clone()).collect();
        stems.sort();
        stems.dedup();
        assert_eq!(stems.len(), 4, "four different questions");
        assert!(view.questions.iter().all(|q| q.max_mark == 2.0));
        // Two of four right: 50 %, below the pass mark.
        attempts::submit(
            &state,
            &c.learner,
            attempt,
            &[
                answer(1, 1, Response::Bool(true)),
                answer(2, 1, Response::Bool(true)),
            ],
        )
        .await
        .unwrap();
        let r = review::review(&state, &c.learner, attempt).await.unwrap();
        assert_eq!(r.percent, Some(50.0));
        assert_eq!(r.passed, Some(false));
        assert_eq!(r.band_feedback.as_deref(), Some("Nearly there."));
        assert!(
            lyceum::completion::store::completed_items(&state.db, c.course_id, c.learner.id)
                .await
                .unwrap()
                .is_empty()
        );
        let again = attempts::start(&state, &c.learner, item).await.unwrap();
        let all: Vec<_> = (1..=4)
            .map(|s| answer(s, 1, Response::Bool(true)))
            .collect();
        attempts::submit(&state, &c.learner, again, &all)
            .await
            .unwrap();
        let r = review::review(&state, &c.learner, again).await.unwrap();
        assert_eq!(r.passed, Some(true));
        assert_eq!(r.band_feedback.as_deref(), Some("Perfect!"));
        assert_eq!(
            lyceum::completion::store::completed_items(&state.db, c.course_id, c.learner.id)
                .await
                .unwrap(),
            vec![item]
        );
    }
);

db_test!(review_options_hide_answers_until_the_quiz_closes, |state| {
    let c = class(&state).await;
    let id = add_question(
        &state,
        &c,
        c.category_id,
        q(
            "Capital",
            QuestionBody::SingleChoice {
                choices: vec![
                    Choice {
                        text: RichText::plain("Paris"),
                        fraction: 1.0,
                        feedback: Some(RichText::plain("Yes!")),
                    },
                    Choice {
                        text: RichText::plain("Lyon"),
                        fraction: 0.0,
                        feedback: Some(RichText::plain("No, that is a city.")),
                    },
                ],
            },
        ),
    )
    .await;
    let item = add_quiz(&state, &c, "Reviewed").await;
    quiz::add_questions(&state, &c.teacher, item, &[id])
        .await
        .unwrap();
    let mut form = settings_form();
    form.review_correct = "after_close".into();
    form.review_feedback = "never".into();
    form.closes_at = "2099-01-01T00:00".into();
    set_settings(&state, &c, item, form).await;
    let attempt = attempts::start(&state, &c.learner, item).await.unwrap();
    let lyon = places(&state, &c.learner, attempt, "Capital", &["Lyon"]).await[0];
    attempts::submit(
        &state,
        &c.learner,
        attempt,
        &[answer(1, 1, Response::Single(lyon))],
    )
    .await
    .unwrap();
    let r = review::review(&state, &c.learner, attempt).await.unwrap();
    assert_eq!(r.questions[0].answer_text.as_deref(), Some("Lyon"));
    assert_eq!(
        r.questions[0].correct_text, None,
        "right answers only after the quiz closes"
    );
    assert!(r.questions[0].feedback.is_empty(), "feedback never shown");
    // Staff see everything.
    let staff = review::review(&state, &c.teacher, attempt).await.unwrap();
    assert_eq!(staff.questions[0].correct_text.as_deref(), Some("Paris"));
    assert!(
        staff.questions[0].feedback[0]
            .0
            .contains("No, that is a city.")
    );
    assert!(staff.may_grade);
});

db_test!(
    questions_in_use_cannot_be_deleted_and_attempts_keep_their_copy,
    |state| {
        let c = class(&state).await;
        let id = add_question(
            &state,
            &c,
            c.category_id,
            q(
                "Kept",
                QuestionBody::TrueFalse {
                    correct: true,
                    true_feedback: None,
                    false_feedback: None,
                },
            ),
        )
        .await;
        let item = add_quiz(&state, &c, "Frozen").await;
        quiz::add_questions(&state, &c.teacher, item, &[id])
            .await
            .unwrap();
        let attempt = attempts::start(&state, &c.learner, item).await.unwrap();
        assert!(matches!(
            bank::delete(&state, &c.teacher, c.course_id, id).await,
            Err(AppError::Conflict(_))
        ));
        // The instructor flips the right answer; the attempt already started keeps the old question.
        let mut loaded = bank::load(&state, &c.teacher, c.course_id, id)
            .await
            .unwrap();
        loaded.question.body = QuestionBody::TrueFalse {
            correct: false,
            true_feedback: None,
            false_feedback: None,
        };
        bank::save(&state, &c.teacher, c.course_id, loaded)
            .await
            .unwrap();
        let summary = attempts::submit(
            &state,
            &c.learner,
            attempt,
            &[answer(1, 1, Response::Bool(true))],
        )
        .await
        .unwrap();
        assert_eq!(summary.score, Some(1.0));
        let editor = quiz::editor(&state, &c.teacher, item).await.unwrap();
        assert_eq!(editor.attempt_count, 1);
        quiz::remove_slot(&state, &c.teacher, item, editor.slots[0].id)
            .await
            .unwrap();
        bank::delete(&state, &c.teacher, c.course_id, id)
            .await
            .unwrap();
        assert_eq!(
            quiz::editor(&state, &c.learner, item).await.unwrap_err(),
            AppError::Forbidden
        );
    }
);

db_test!(
    a_course_copy_brings_its_question_bank_and_quiz_set_up,
    |state| {
        let c = class(&state).await;
        let pool = bank::save_category(&state, &c.teacher, c.course_id, None, "Pool")
            .await
            .unwrap();
        let tf = |name: &str| {
            q(
                name,
                QuestionBody::TrueFalse {
                    correct: true,
                    true_feedback: None,
                    false_feedback: None,
                },
            )
        };
        let fixed = add_question(&state, &c, c.category_id, tf("Fixed")).await;
        for n in 0..3 {
            add_question(&state, &c, pool, tf(&format!("Pool {n}"))).await;
        }
        let item = add_quiz(&state, &c, "Check").await;
        quiz::add_questions(&state, &c.teacher, item, &[fixed])
            .await
            .unwrap();
        quiz::add_random(&state, &c.teacher, item, pool, 2, 1.5)
            .await
            .unwrap();
        let form = QuizSettingsForm {
            time_limit_minutes: "10".into(),
            pass_percent: "60".into(),
            ..settings_form()
        };
        set_settings(&state, &c, item, form).await;
        // A learner's attempt stays behind.
        attempts::start(&state, &c.learner, item).await.unwrap();

        let copy = copy::copy_course(&state, &c.teacher, c.course_id, "QZ-2", "Quizzing again")
            .await
            .unwrap();
        let mut categories: Vec<(String, i64)> = bank::categories(&state, &c.teacher, copy.id)
            .await
            .unwrap()
            .into_iter()
            .map(|k| (k.name, k.question_count))
            .collect();
        categories.sort();
        assert_eq!(
            categories,
            vec![("Default".to_string(), 1), ("Pool".to_string(), 3)]
        );
        let outline = lyceum::courses::outline_store::outline(&state.db, copy.id, true)
            .await
            .unwrap();
        let copied = outline[0].items[0].id;
        let editor = quiz::editor(&state, &c.teacher, copied).await.unwrap();
        let original = quiz::editor(&state, &c.teacher, item).await.unwrap();
        assert_eq!(editor.settings, original.settings);
        assert_eq!(editor.attempt_count, 0, "attempts are not copied");
        let slots: Vec<(String, f64, i32)> = editor
            .slots
            .iter()
            .map(|s| (s.label.clone(), s.mark, s.draw_count))
            .collect();
        assert_eq!(
            slots,
            vec![
                ("Fixed".to_string(), 1.0, 1),
                ("Random: 2 from “Pool”".to_string(), 1.5, 2)
            ]
        );
        // The copy's slots point into the copy's bank, not the original's.
        let copy_categories = bank::categories(&state, &c.teacher, copy.id).await.unwrap();
        assert!(
            editor.slots[1]
                .category_id
                .is_some_and(|k| copy_categories.iter().any(|x| x.id == k))
        );
        assert_ne!(editor.slots[0].question_id, Some(fixed));
    }
);

db_test!(a_question_already_in_the_quiz_is_not_added_twice, |state| {
    let c = class(&state).await;
    let tf = QuestionBody::TrueFalse {
        correct: true,
        true_feedback: None,
        false_feedback: None,
    };
    let one = add_question(&state, &c, c.category_id, q("One", tf.clone())).await;
    let two = add_question(&state, &c, c.category_id, q("Two", tf)).await;
    let item = add_quiz(&state, &c, "Twice").await;
    quiz::add_questions(&state, &c.teacher, item, &[one])
        .await
        .unwrap();
    // A page left open sends One again with Two.
    quiz::add_questions(&state, &c.teacher, item, &[one, two])
        .await
        .unwrap();
    let editor = quiz::editor(&state, &c.teacher, item).await.unwrap();
    let fixed: Vec<Option<i64>> = editor.slots.iter().map(|s| s.question_id).collect();
    assert_eq!(fixed, vec![Some(one), Some(two)]);
});

/// A Canvas-flavoured QTI 1.2 export: one multiple-choice question and one type the bank has
/// no counterpart for.
const QTI_12: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">
  <assessment ident="a1" title="Capitals">
    <section ident="root_section">
      <item ident="q1" title="Capital of France">
        <itemmetadata><qtimetadata>
          <qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>multiple_choice_question</fieldentry></qtimetadatafield>
          <qtimetadatafield><fieldlabel>points_possible</fieldlabel><fieldentry>2.0</fieldentry></qtimetadatafield>
        </qtimetadata></itemmetadata>
        <presentation>
          <material><mattext texttype="text/html">&lt;p&gt;What is the capital of France?&lt;/p&gt;</mattext></material>
          <response_lid ident="response1" rcardinality="Single"><render_choice>
            <response_label ident="1"><material><mattext texttype="text/plain">Paris</mattext></material></response_label>
            <response_label ident="2"><material><mattext texttype="text/plain">Lyon</mattext></material></response_label>
          </render_choice></response_lid>
        </presentation>
        <resprocessing>
          <outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
          <respcondition continue="No"><conditionvar><varequal respident="response1">1</varequal></conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>
        </resprocessing>
      </item>
      <item ident="q2" title="Where is it">
        <itemmetadata><qtimetadata>
          <qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>hot_spot_question</fieldentry></qtimetadatafield>
        </qtimetadata></itemmetadata>
        <presentation><material><mattext>Click Paris</mattext></material></presentation>
      </item>
    </section>
  </assessment>
</questestinterop>"#;

db_test!(
    qti_files_import_into_the_bank_with_their_problems,
    |state| {
        let c = class(&state).await;
        let preview = bank::preview_import(
            &state,
            &c.teacher,
            c.course_id,
            QuestionFormat::Qti,
            QTI_12,
            c.category_id,
        )
        .await
        .unwrap();
        assert_eq!(preview.questions.len(), 1, "{preview:?}");
        assert_eq!(preview.problems.len(), 1, "{preview:?}");
        assert_eq!(preview.problems[0].line, 22, "the unsupported item's line");
        assert!(
            preview.problems[0].message.contains("Where is it"),
            "{preview:?}"
        );
        let count = bank::import(
            &state,
            &c.teacher,
            c.course_id,
            QuestionFormat::Qti,
            QTI_12,
            c.category_id,
            true,
        )
        .await
        .unwrap();
        assert_eq!(count, 1);
        let list = bank::list(&state, &c.teacher, c.course_id, &BankQuery::default())
            .await
            .unwrap();
        let labels: Vec<_> = list
            .items
            .iter()
            .map(|q| (q.name.as_str(), q.type_label.as_str()))
            .collect();
        assert_eq!(labels, vec![("Capital of France", "Multiple choice")]);
        // The bank reads QTI; it writes GIFT and Aiken.
        assert!(
            bank::export(&state, &c.teacher, c.course_id, QuestionFormat::Qti, None)
                .await
                .unwrap_err()
                .field("format")
                .is_some()
        );
    }
);
