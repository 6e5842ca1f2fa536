//! After an attempt: the review (what the quiz's review options allow a learner to see; staff see
//! everything), the course's essay grading queue, and marking an essay by hand.

use super::attempts::{
    CompletionRules, parse_question, quiz_percent, record_completion, stem_html,
};
use super::model::*;
use super::question::{Marking, Question, QuestionBody, Response};
use super::quiz_store as store;
use super::render;
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::db::now;
use crate::error::AppError;
use crate::paging::Page;
use crate::state::AppState;

pub async fn review(
    state: &AppState,
    actor: &Actor,
    attempt_id: i64,
) -> Result<AttemptReview, AppError> {
    let attempt = store::attempt(&state.db, attempt_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let access = access::load(&state.db, actor, attempt.course_id).await?;
    let staff = access.may_see_learners();
    if attempt.user_id != actor.id && !staff {
        return Err(AppError::Forbidden);
    }
    if !staff {
        access::item_visible(&state.db, actor, attempt.course_id, attempt.item_id).await?;
    }
    if attempt.in_progress() {
        return Err(AppError::Conflict(
            "This attempt is still in progress.".into(),
        ));
    }
    let (_, title, settings) = super::quiz::find(state, attempt.item_id).await?;
    let now = now();
    let allowed = |when: ReviewWhen| staff || when.allows(now, settings.closes_at);
    let (show_answers, show_correct, show_feedback) = (
        allowed(settings.review_answers),
        allowed(settings.review_correct),
        allowed(settings.review_feedback),
    );
    let rows = store::attempt_questions(&state.db, attempt_id).await?;
    let mut questions = Vec::with_capacity(rows.len());
    for (n, row) in rows.iter().enumerate() {
        let (question, _) = parse_question(row)?;
        let response: Option<Response> = row
            .response
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok());
        let mut feedback = Vec::new();
        if show_feedback {
            if let Some(Marking::Auto {
                feedback: Some(f), ..
            }) = response.as_ref().map(|r| question.mark(r))
            {
                feedback.push(RichTextHtml(render::to_html(&f)));
            }
            if let Some(general) = &question.general_feedback {
                feedback.push(RichTextHtml(render::to_html(general)));
            }
        }
        questions.push(ReviewQuestion {
            slot: row.slot,
            number: n + 1,
            stem_html: stem_html(&question),
            type_label: question.type_label().to_string(),
            max_mark: row.max_mark,
            mark: if show_answers { row.mark } else { None },
            answer_text: if show_answers {
                response.as_ref().map(|r| describe_response(&question, r))
            } else {
                None
            },
            correct_text: if show_correct {
                describe_correct(&question)
            } else {
                None
            },
            feedback,
            needs_grading: row.fraction.is_none(),
            grader_comment: if show_feedback || staff {
                row.grader_comment.clone()
            } else {
                None
            },
        });
    }
    let percent = (!attempt.needs_grading && attempt.max_score > 0.0)
        .then(|| attempt.score.map(|s| s / attempt.max_score * 100.0))
        .flatten();
    let attempts = store::attempts_of(&state.db, attempt.item_id, attempt.user_id).await?;
    let quiz_grade = quiz_percent(&settings, &attempts);
    Ok(AttemptReview {
        attempt: super::attempts::summary_for(&attempt, show_answers),
        item_id: attempt.item_id,
        course_id: attempt.course_id,
        title,
        learner_name: store::learner_name(&state.db, attempt.user_id).await?,
        percent: if show_answers { percent } else { None },
        passed: if show_answers {
            settings
                .pass_percent
                .and_then(|pass| quiz_grade.map(|g| g + 1e-9 >= pass))
        } else {
            None
        },
        band_feedback: if show_feedback {
            percent.and_then(|p| settings.band_for(p).map(str::to_string))
        } else {
            None
        },
        show_answers,
        show_correct,
        show_feedback,
        questions,
        may_grade: staff,
    })
}

/// A learner's answer in words, for the review.
pub fn describe_response(question: &Question, response: &Response) -> String {
    let plain = |t: &super::question::RichText| render::to_plain(t);
    match (&question.body, response) {
        (QuestionBody::SingleChoice { choices }, Response::Single(i)) => {
            choices.get(*i).map(|c| plain(&c.text)).unwrap_or_default()
        }
        (QuestionBody::MultipleResponse { choices }, Response::Multiple(picked)) => picked
            .iter()
            .filter_map(|i| choices.get(*i).map(|c| plain(&c.text)))
            .collect::<Vec<_>>()
            .join("; "),
        (_, Response::Bool(b)) => if *b { "True" } else { "False" }.to_string(),
        (QuestionBody::Matching { pairs, .. }, Response::Matching(given)) => pairs
            .iter()
            .zip(given.iter())
            .map(|(p, g)| format!("{} → {}", plain(&p.prompt), g.as_deref().unwrap_or("—")))
            .collect::<Vec<_>>()
            .join("; "),
        (QuestionBody::Ordering { items }, Response::Ordering(order)) => order
            .iter()
            .filter_map(|i| items.get(*i).cloned())
            .collect::<Vec<_>>()
            .join(" → "),
        (_, Response::Blanks(given)) => given
            .iter()
            .enumerate()
            .map(|(i, g)| format!("({}) {}", i + 1, g))
            .collect::<Vec<_>>()
            .join("; "),
        (_, Response::Text(t)) => t.clone(),
        _ => String::new(),
    }
}

/// The right answer in words, for the review (none for essays).
pub fn describe_correct(question: &Question) -> Option<String> {
    let plain = |t: &super::question::RichText| render::to_plain(t);
    let best = |fractions: &mut dyn Iterator<Item = (f64, String)>| {
        fractions
            .filter(|(f, _)| *f >= 0.999_999)
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join(" or ")
    };
    Some(match &question.body {
        QuestionBody::SingleChoice { choices } => {
            best(&mut choices.iter().map(|c| (c.fraction, plain(&c.text))))
        }
        QuestionBody::MultipleResponse { choices } => choices
            .iter()
            .filter(|c| c.fraction > 0.0)
            .map(|c| plain(&c.text))
            .collect::<Vec<_>>()
            .join("; "),
        QuestionBody::TrueFalse { correct, .. } => {
            if *correct { "True" } else { "False" }.to_string()
        }
        QuestionBody::ShortAnswer { answers, .. } => {
            best(&mut answers.iter().map(|a| (a.fraction, a.text.clone())))
        }
        QuestionBody::Numeric { answers } => best(&mut answers.iter().map(|a| {
            let text = if a.tolerance > 0.0 {
                format!("{} ± {}", a.value, a.tolerance)
            } else {
                a.value.to_string()
            };
            (a.fraction, text)
        })),
        QuestionBody::Matching { pairs, .. } => pairs
            .iter()
            .map(|p| format!("{} → {}", plain(&p.prompt), p.answer))
            .collect::<Vec<_>>()
            .join("; "),
        QuestionBody::Ordering { items } => items.join(" → "),
        QuestionBody::FillBlanks { blanks } => blanks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                format!(
                    "({}) {}",
                    i + 1,
                    b.answers.first().cloned().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        QuestionBody::Essay | QuestionBody::Description => return None,
    })
    .filter(|s| !s.is_empty())
}

/// Essays waiting for a mark in a course (graders: instructors and teaching assistants).
pub async fn grading_queue(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    page: u32,
) -> Result<Page<GradingTask>, AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let page = page.max(1);
    let per_page = 25u32;
    let (rows, total) = store::grading_queue(
        &state.db,
        course_id,
        i64::from(per_page),
        crate::db::page_offset(page, per_page),
    )
    .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| GradingTask {
                attempt_id: r.attempt_id,
                slot: r.slot,
                item_id: r.item_id,
                quiz_title: r.quiz_title,
                learner_name: r.learner_name,
                submitted_at: r.submitted_at,
                question_name: serde_json::from_str::<Question>(&r.question)
                    .map(|q| q.name)
                    .unwrap_or_default(),
            })
            .collect(),
        total,
        total_capped: false,
        page,
        per_page,
    })
}

/// A grader marks one hand-marked question (or changes any question's mark) with a comment.
pub async fn grade_question(
    state: &AppState,
    actor: &Actor,
    attempt_id: i64,
    slot: i32,
    mark: f64,
    comment: &str,
) -> Result<(), AppError> {
    let attempt = store::attempt(&state.db, attempt_id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::require(
        &state.db,
        actor,
        attempt.course_id,
        CourseAccess::may_see_learners,
    )
    .await?;
    if attempt.in_progress() {
        return Err(AppError::Conflict(
            "This attempt is still in progress.".into(),
        ));
    }
    let rows = store::attempt_questions(&state.db, attempt_id).await?;
    let row = rows
        .iter()
        .find(|r| r.slot == slot)
        .ok_or(AppError::NotFound)?;
    if !mark.is_finite() || mark < 0.0 || mark > row.max_mark + 1e-9 {
        return Err(AppError::invalid(
            "mark",
            format!("Enter a mark from 0 to {}.", row.max_mark),
        ));
    }
    if comment.len() > 20_000 {
        return Err(AppError::invalid(
            "comment",
            "The comment can be at most 20,000 characters.",
        ));
    }
    let fraction = if row.max_mark > 0.0 {
        mark / row.max_mark
    } else {
        0.0
    };
    let completion = CompletionRules::load(state, &attempt).await?;
    let now = now();
    let mut tx = state.db.begin().await?;
    let graded = store::ManualMark {
        fraction,
        mark,
        comment: comment.trim(),
        grader: actor.id,
        at: now,
    };
    store::set_question_mark(&mut tx, attempt_id, slot, &graded).await?;
    let rows = store::attempt_questions_in_tx(&mut tx, attempt_id).await?;
    let score: f64 = rows.iter().filter_map(|r| r.mark).sum();
    let needs_grading = rows.iter().any(|r| r.fraction.is_none());
    store::set_attempt_score(&mut tx, attempt_id, score, needs_grading).await?;
    record_completion(&mut tx, &completion, &attempt, now).await?;
    tx.commit().await?;
    Ok(())
}
