//! Taking a quiz: start an attempt (questions frozen, drawn and shuffled once), save answers as
//! they change, submit. The server owns the clock: an attempt's deadline is fixed when it starts,
//! saves after it (plus a short grace for the network) are refused, and overdue attempts are
//! submitted by whichever comes first: the learner, the next request that touches the attempt,
//! or the background sweep (`submit_overdue`), on any app instance.

use super::bank_store::{self, QuestionRow};
use super::model::*;
use super::question::{Marking, Question, QuestionBody, Response};
use super::quiz_store::{
    self as store, AttemptQuestionRow, AttemptRow, NewAttemptQuestion, SlotRow,
};
use super::render;
use crate::auth::permissions::Actor;
use crate::courses::access;
use crate::db::{Tx, now};
use crate::error::{AppError, OrInternal};
use crate::state::AppState;
use rand::seq::SliceRandom;

/// Seconds after the deadline during which answers still in flight are accepted.
pub const GRACE_SECS: i64 = 15;

/// A quiz the actor may open (hidden quizzes do not exist for learners), with their access:
/// one query.
async fn open_quiz(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<(store::LearnerQuiz, access::CourseAccess), AppError> {
    let quiz = store::learner_quiz(&state.db, item_id, actor.id, now())
        .await?
        .ok_or(AppError::NotFound)?;
    let access = access::from_row(
        actor,
        quiz.course_id,
        &quiz.course_state,
        quiz.role.as_deref(),
    );
    access::check_item(&access, quiz.hidden)?;
    Ok((quiz, access))
}

/// The quiz page before (and between) attempts.
pub async fn intro(state: &AppState, actor: &Actor, item_id: i64) -> Result<QuizIntro, AppError> {
    let (quiz, access) = open_quiz(state, actor, item_id).await?;
    let own_dates = quiz.own_dates;
    let (course_id, title, settings) = (quiz.course_id, quiz.title, quiz.settings);
    let now = now();
    let mut attempts = store::attempts_of(&state.db, item_id, actor.id).await?;
    if attempts.iter().any(|a| overdue(a, now)) {
        for a in attempts.iter().filter(|a| overdue(a, now)) {
            finish(state, a.id, true).await?;
        }
        attempts = store::attempts_of(&state.db, item_id, actor.id).await?;
    }
    let slots = store::slots(&state.db, item_id).await?;
    let question_count: usize = slots.iter().map(|s| s.draw_count.max(1) as usize).sum();
    let open_attempt = attempts.iter().find(|a| a.in_progress()).map(|a| a.id);
    let cannot_start = if open_attempt.is_some() {
        None
    } else {
        why_not_start(&settings, &attempts, question_count, now)
    };
    // Marks show only when the review options let the learner see them.
    let marks = marks_shown(&settings, access.may_see_learners(), now);
    Ok(QuizIntro {
        item_id,
        course_id,
        title,
        grade_percent: quiz_percent(&settings, &attempts).filter(|_| marks),
        max_points: store::total_marks(&slots),
        question_count,
        attempts: attempts.iter().map(|a| summary_for(a, marks)).collect(),
        settings,
        open_attempt,
        cannot_start,
        now,
        own_dates,
    })
}

/// Whether a learner may see the marks of their finished attempts now (staff always may): the
/// review option for answers and marks, which the intro, the submit answer and "My grades" all
/// follow, so that no page tells what the review withholds.
pub fn marks_shown(settings: &QuizSettings, staff: bool, now: i64) -> bool {
    staff || settings.review_answers.allows(now, settings.closes_at)
}

/// An attempt's summary, without its score when marks are not shown.
pub(crate) fn summary_for(attempt: &AttemptRow, marks: bool) -> AttemptSummary {
    let mut summary = attempt.summary();
    if !marks {
        summary.score = None;
    }
    summary
}

/// The quiz grade as a percentage by the grading method, from finished, fully marked attempts.
pub fn quiz_percent(settings: &QuizSettings, attempts: &[AttemptRow]) -> Option<f64> {
    let shares: Vec<f64> = attempts
        .iter()
        .filter(|a| !a.in_progress() && !a.needs_grading && a.max_score > 0.0)
        .filter_map(|a| a.score.map(|s| s / a.max_score))
        .collect();
    settings.grading_method.combine(&shares).map(|s| s * 100.0)
}

fn why_not_start(
    settings: &QuizSettings,
    attempts: &[AttemptRow],
    question_count: usize,
    now: i64,
) -> Option<String> {
    if question_count == 0 {
        return Some("This quiz has no questions yet.".into());
    }
    if let Some(opens) = settings.opens_at.filter(|o| now < *o) {
        return Some(format!(
            "This quiz opens on {}.",
            crate::ui::format::datetime(opens)
        ));
    }
    if settings.closes_at.is_some_and(|c| now >= c) {
        return Some("This quiz has closed.".into());
    }
    if settings.attempts_allowed > 0 && attempts.len() as i32 >= settings.attempts_allowed {
        return Some(match settings.attempts_allowed {
            1 => "You have used your attempt.".into(),
            n => format!("You have used all {n} attempts."),
        });
    }
    None
}

fn overdue(attempt: &AttemptRow, now: i64) -> bool {
    attempt.in_progress() && attempt.deadline_at.is_some_and(|d| now > d + GRACE_SECS)
}

/// Starts an attempt, or returns the one already open.
/// A learner's dates on a quiz changed (extra time, a later close): an attempt they have open
/// gets the deadline it would have had with those dates, counted from when it started.
pub async fn dates_changed(tx: &mut Tx, item_id: i64, user_id: i64) -> Result<(), AppError> {
    let Some(settings) = store::settings_in_tx(tx, item_id).await? else {
        return Ok(());
    };
    let own = crate::overrides::store::for_learner_in_tx(tx, item_id, user_id).await?;
    let settings = settings.for_learner(own.as_ref());
    for attempt in store::attempts_of_in_tx(tx, item_id, user_id).await? {
        if attempt.in_progress() {
            store::set_open_attempt_deadline(tx, attempt.id, settings.deadline(attempt.started_at))
                .await?;
        }
    }
    Ok(())
}

pub async fn start(state: &AppState, actor: &Actor, item_id: i64) -> Result<i64, AppError> {
    let (quiz, _) = open_quiz(state, actor, item_id).await?;
    let (course_id, settings) = (quiz.course_id, quiz.settings);
    let now = now();
    let attempts = store::attempts_of(&state.db, item_id, actor.id).await?;
    if let Some(open) = attempts.iter().find(|a| a.in_progress()) {
        if !overdue(open, now) {
            return Ok(open.id);
        }
        finish(state, open.id, true).await?;
    }
    let (slots, fixed_rows) = store::slots_with_questions(&state.db, item_id, course_id).await?;
    let question_count: usize = slots.iter().map(|s| s.draw_count.max(1) as usize).sum();
    if let Some(reason) = why_not_start(&settings, &attempts, question_count, now) {
        return Err(AppError::Conflict(reason));
    }
    let questions = build_questions(state, course_id, &slots, &fixed_rows, &settings).await?;
    let max_score: f64 = questions.iter().map(|q| q.max_mark).sum();
    let deadline = settings.deadline(now);
    let number = store::next_attempt_number(&state.db, item_id, actor.id).await?;
    let mut tx = state.db.begin().await?;
    let new = store::NewAttempt {
        item_id,
        course_id,
        user_id: actor.id,
        number,
        started_at: now,
        deadline_at: deadline,
        max_score,
    };
    let Some(id) = store::insert_attempt(&mut tx, &new).await? else {
        // Another tab started one at the same moment: use that one.
        drop(tx);
        return store::attempts_of(&state.db, item_id, actor.id)
            .await?
            .into_iter()
            .find(|a| a.in_progress())
            .map(|a| a.id)
            // ... unless it has ended already: nothing is open to continue.
            .ok_or_else(|| {
                AppError::Conflict(
                    "Another attempt started at the same moment has ended. Please try again."
                        .into(),
                )
            });
    };
    store::insert_attempt_questions(&mut tx, id, &questions).await?;
    tx.commit().await?;
    Ok(id)
}

/// The questions for a new attempt: slots in order (or shuffled), random draws without repeats,
/// each question's options in a fresh order.
async fn build_questions(
    state: &AppState,
    course_id: i64,
    slots: &[SlotRow],
    fixed_rows: &[QuestionRow],
    settings: &QuizSettings,
) -> Result<Vec<NewAttemptQuestion>, AppError> {
    let fixed: Vec<i64> = slots.iter().filter_map(|s| s.question_id).collect();
    let mut categories: Vec<i64> = slots.iter().filter_map(|s| s.category_id).collect();
    categories.sort_unstable();
    categories.dedup();
    let pool = bank_store::in_categories(&state.db, course_id, &categories).await?;
    let mut rng = rand::thread_rng();
    let mut used: Vec<i64> = fixed.clone();
    let mut picked: Vec<(&QuestionRow, f64)> = Vec::new();
    for slot in slots {
        if let Some(id) = slot.question_id {
            if let Some(row) = fixed_rows.iter().find(|r| r.id == id) {
                picked.push((row, slot.mark));
            }
        } else if let Some(category) = slot.category_id {
            let mut candidates: Vec<&QuestionRow> = pool
                .iter()
                .filter(|r| r.category_id == category && !used.contains(&r.id))
                .collect();
            candidates.shuffle(&mut rng);
            for row in candidates.into_iter().take(slot.draw_count.max(1) as usize) {
                used.push(row.id);
                picked.push((row, slot.mark));
            }
        }
    }
    if settings.shuffle_questions {
        picked.shuffle(&mut rng);
    }
    let mut out = Vec::with_capacity(picked.len());
    for (n, (row, mark)) in picked.into_iter().enumerate() {
        let question = row.question()?;
        let order = display_order(&question, settings.shuffle_answers, &mut rng);
        let max_mark = if matches!(question.body, QuestionBody::Description) {
            0.0
        } else {
            mark
        };
        out.push(NewAttemptQuestion {
            slot: n as i32 + 1,
            question_id: row.id,
            question: row.data.clone(),
            display_order: serde_json::to_string(&order).or_internal("encoding an answer order")?,
            max_mark,
            shown_files: shown_files(&question),
        });
    }
    Ok(out)
}

/// The course files (`/files/{id}…` links) in what the attempt page shows of a question (stem,
/// choices, prompts, options, items), as " 12 15 ". Feedback and answers are not shown during an
/// attempt; files only they use wait for the review (see files::store).
pub fn shown_files(question: &Question) -> String {
    let mut texts: Vec<&str> = vec![&question.stem.text];
    match &question.body {
        QuestionBody::SingleChoice { choices } | QuestionBody::MultipleResponse { choices } => {
            texts.extend(choices.iter().map(|c| c.text.text.as_str()));
        }
        QuestionBody::Matching { pairs, distractors } => {
            texts.extend(pairs.iter().map(|p| p.prompt.text.as_str()));
            texts.extend(pairs.iter().map(|p| p.answer.as_str()));
            texts.extend(distractors.iter().map(String::as_str));
        }
        QuestionBody::Ordering { items } => texts.extend(items.iter().map(String::as_str)),
        _ => {}
    }
    let mut ids: Vec<i64> = texts.into_iter().flat_map(file_links).collect();
    ids.sort_unstable();
    ids.dedup();
    let listed: String = ids.iter().map(|id| format!(" {id}")).collect();
    if listed.is_empty() {
        listed
    } else {
        listed + " "
    }
}

/// The ids in `/files/{id}` links in a text.
fn file_links(text: &str) -> Vec<i64> {
    text.match_indices("/files/")
        .filter_map(|(at, marker)| {
            let digits: String = text[at + marker.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

/// The order a learner sees a question's options in (indexes into the question's own lists).
fn display_order(
    question: &Question,
    shuffle_answers: bool,
    rng: &mut impl rand::Rng,
) -> Vec<usize> {
    let mut order: Vec<usize> = match &question.body {
        QuestionBody::SingleChoice { choices } | QuestionBody::MultipleResponse { choices } => {
            (0..choices.len()).collect()
        }
        QuestionBody::Ordering { items } => (0..items.len()).collect(),
        QuestionBody::Matching { .. } => (0..matching_options(question).len()).collect(),
        _ => Vec::new(),
    };
    let always = matches!(
        question.body,
        QuestionBody::Ordering { .. } | QuestionBody::Matching { .. }
    );
    if shuffle_answers || always {
        order.shuffle(rng);
        // An ordering question must not start out already solved.
        if matches!(question.body, QuestionBody::Ordering { .. })
            && order.len() > 1
            && order.is_sorted()
        {
            order.rotate_left(1);
        }
    }
    order
}

/// A matching question's answer options: every pair's answer and the distractors, once each.
pub fn matching_options(question: &Question) -> Vec<String> {
    let QuestionBody::Matching { pairs, distractors } = &question.body else {
        return Vec::new();
    };
    let mut options: Vec<String> = Vec::new();
    for answer in pairs.iter().map(|p| &p.answer).chain(distractors) {
        if !options.iter().any(|o| o == answer) {
            options.push(answer.clone());
        }
    }
    options
}

/// The learner's own attempt, or 403.
async fn own_attempt(
    state: &AppState,
    actor: &Actor,
    attempt_id: i64,
) -> Result<AttemptRow, AppError> {
    let attempt = store::attempt(&state.db, attempt_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if attempt.user_id != actor.id {
        return Err(AppError::Forbidden);
    }
    Ok(attempt)
}

/// An attempt in progress, ready to show.
pub async fn view(
    state: &AppState,
    actor: &Actor,
    attempt_id: i64,
) -> Result<AttemptView, AppError> {
    let mut attempt = own_attempt(state, actor, attempt_id).await?;
    // A quiz hidden since the attempt began does not exist for learners any more.
    let (quiz, _) = open_quiz(state, actor, attempt.item_id).await?;
    let (title, settings) = (quiz.title, quiz.settings);
    let now = now();
    if overdue(&attempt, now) {
        finish(state, attempt.id, true).await?;
        attempt.state = "submitted".into();
    }
    let rows = if attempt.in_progress() {
        store::attempt_questions(&state.db, attempt_id).await?
    } else {
        Vec::new()
    };
    let mut questions = Vec::with_capacity(rows.len());
    for (n, row) in rows.iter().enumerate() {
        questions.push(attempt_question(row, n + 1)?);
    }
    Ok(AttemptView {
        attempt_id,
        item_id: attempt.item_id,
        course_id: attempt.course_id,
        title,
        number: attempt.number,
        questions_per_page: settings.questions_per_page,
        questions,
        now,
        deadline_at: attempt.deadline_at,
        submitted: !attempt.in_progress(),
    })
}

pub fn parse_question(row: &AttemptQuestionRow) -> Result<(Question, Vec<usize>), AppError> {
    let question: Question = serde_json::from_str(&row.question)
        .or_internal("a question frozen into an attempt does not parse")?;
    let order: Vec<usize> = serde_json::from_str(&row.display_order).unwrap_or_default();
    Ok((question, order))
}

/// A response as the learner's browser knows it: choices and ordering items are numbered by
/// their place in the order shown to this learner, never by the question's own order (an
/// ordering item's own index *is* its correct position, and authors often list the right choice
/// first). `to_shown` and `from_shown` translate at the edge; stored responses and marking use
/// the question's own indexes.
pub fn to_shown(response: Response, order: &[usize]) -> Response {
    let shown = |i: usize| order.iter().position(|o| *o == i).unwrap_or(usize::MAX);
    match response {
        Response::Single(i) if !order.is_empty() => Response::Single(shown(i)),
        Response::Multiple(v) if !order.is_empty() => {
            Response::Multiple(v.into_iter().map(shown).collect())
        }
        Response::Ordering(v) if !order.is_empty() => {
            Response::Ordering(v.into_iter().map(shown).collect())
        }
        other => other,
    }
}

/// The inverse of `to_shown`; a place outside the list becomes an index no option has (it
/// scores nothing).
pub fn from_shown(response: Response, order: &[usize]) -> Response {
    let own = |p: usize| order.get(p).copied().unwrap_or(usize::MAX);
    match response {
        Response::Single(p) if !order.is_empty() => Response::Single(own(p)),
        Response::Multiple(v) if !order.is_empty() => {
            Response::Multiple(v.into_iter().map(own).collect())
        }
        Response::Ordering(v) if !order.is_empty() => {
            Response::Ordering(v.into_iter().map(own).collect())
        }
        other => other,
    }
}

fn attempt_question(row: &AttemptQuestionRow, number: usize) -> Result<AttemptQuestion, AppError> {
    let (question, order) = parse_question(row)?;
    let html_of = |t: &super::question::RichText| render::to_html(t);
    // `(place shown, text)`: the browser never sees the question's own indexes.
    let ordered = |texts: Vec<String>| -> Vec<(usize, String)> {
        order
            .iter()
            .enumerate()
            .filter_map(|(place, i)| texts.get(*i).map(|t| (place, t.clone())))
            .collect()
    };
    let input = match &question.body {
        QuestionBody::SingleChoice { choices } => {
            QuestionInput::Single(ordered(choices.iter().map(|c| html_of(&c.text)).collect()))
        }
        QuestionBody::MultipleResponse { choices } => {
            QuestionInput::Multiple(ordered(choices.iter().map(|c| html_of(&c.text)).collect()))
        }
        QuestionBody::TrueFalse { .. } => QuestionInput::TrueFalse,
        QuestionBody::ShortAnswer { .. } => QuestionInput::ShortText,
        QuestionBody::Numeric { .. } => QuestionInput::Number,
        QuestionBody::Matching { pairs, .. } => {
            let options = matching_options(&question);
            QuestionInput::Matching {
                prompts: pairs.iter().map(|p| html_of(&p.prompt)).collect(),
                options: order
                    .iter()
                    .filter_map(|i| options.get(*i).cloned())
                    .collect(),
            }
        }
        QuestionBody::Ordering { items } => QuestionInput::Ordering(ordered(items.clone())),
        QuestionBody::FillBlanks { blanks } => QuestionInput::Blanks(blanks.len()),
        QuestionBody::Essay => QuestionInput::Essay,
        QuestionBody::Description => QuestionInput::Description,
    };
    Ok(AttemptQuestion {
        slot: row.slot,
        number,
        max_mark: row.max_mark,
        type_label: question.type_label().to_string(),
        stem_html: stem_html(&question),
        input,
        response: row
            .response
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .map(|r| to_shown(r, &order)),
        response_seq: row.response_seq,
    })
}

/// The stem as HTML, with fill-in-the-blank markers shown as numbered gaps.
pub fn stem_html(question: &Question) -> String {
    let mut html = render::to_html(&question.stem);
    if let QuestionBody::FillBlanks { blanks } = &question.body {
        for n in 1..=blanks.len() {
            html = html.replace(
                &format!("[[{n}]]"),
                &format!("<span class=\"blank-gap\">({n}) ______</span>"),
            );
        }
    }
    html
}

/// Saves answers. Older saves (lower counters) never overwrite newer ones, so a queue replayed
/// after a dropped connection is safe. After the deadline the attempt is submitted instead.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    attempt_id: i64,
    answers: &[AnswerSave],
) -> Result<SaveReceipt, AppError> {
    let attempt = own_attempt(state, actor, attempt_id).await?;
    let now = now();
    if answers.len() > 500 {
        return Err(AppError::invalid(
            "answers",
            "Too many answers in one save.",
        ));
    }
    // Choices and ordering items arrive by the place they were shown in (see `to_shown`).
    let orders = if answers.iter().any(|a| {
        matches!(
            a.response,
            Some(Response::Single(_) | Response::Multiple(_) | Response::Ordering(_))
        )
    }) {
        store::display_orders(&state.db, attempt_id).await?
    } else {
        Vec::new()
    };
    let mut encoded = Vec::with_capacity(answers.len());
    for a in answers {
        let json = match &a.response {
            Some(r) => {
                let order: Vec<usize> = orders
                    .iter()
                    .find(|(slot, _)| *slot == a.slot)
                    .and_then(|(_, o)| serde_json::from_str(o).ok())
                    .unwrap_or_default();
                let own = from_shown(r.clone(), &order);
                let json = serde_json::to_string(&own).or_internal("encoding an answer")?;
                if json.len() > 100_000 {
                    return Err(AppError::invalid(
                        "answers",
                        "An answer can be at most 100,000 characters.",
                    ));
                }
                Some(json)
            }
            None => None,
        };
        // One answer per slot: the newest this batch holds.
        match encoded.iter_mut().find(|(slot, _, _)| *slot == a.slot) {
            Some(kept) if kept.1 >= a.seq => {}
            Some(kept) => *kept = (a.slot, a.seq, json),
            None => encoded.push((a.slot, a.seq, json)),
        }
    }
    if attempt.in_progress() && !overdue(&attempt, now) {
        // One statement writes (and re-checks that the attempt is still open: a submit may have
        // landed since); one reads back where every slot stands and whether it is still open.
        store::save_responses(&state.db, attempt_id, &encoded, now).await?;
        let (still_open, saved) = store::saved_state(&state.db, attempt_id).await?;
        if still_open {
            return Ok(SaveReceipt {
                saved,
                now,
                deadline_at: attempt.deadline_at,
                finished: false,
            });
        }
    } else if attempt.in_progress() {
        finish(state, attempt_id, true).await?;
    }
    Ok(SaveReceipt {
        saved: Vec::new(),
        now,
        deadline_at: attempt.deadline_at,
        finished: true,
    })
}

/// The learner submits: last answers are saved first (if any are sent), then everything is marked.
pub async fn submit(
    state: &AppState,
    actor: &Actor,
    attempt_id: i64,
    last_answers: &[AnswerSave],
) -> Result<AttemptSummary, AppError> {
    if !last_answers.is_empty() {
        save(state, actor, attempt_id, last_answers).await?;
    }
    let attempt = own_attempt(state, actor, attempt_id).await?;
    let rules = CompletionRules::load(state, &attempt).await?;
    // A submit that arrives once time is up (the page's own countdown) counts as the clock's.
    let auto = attempt.deadline_at.is_some_and(|d| now() >= d);
    let done = match close_and_mark(state, &attempt, &rules, auto).await? {
        Some(closed) => closed,
        // Closed already (the clock, another tab): as it stands.
        None => own_attempt(state, actor, attempt_id).await?,
    };
    let marks = rules
        .settings
        .as_ref()
        .is_some_and(|s| marks_shown(s, rules.staff, now()));
    Ok(summary_for(&done, marks))
}

/// Closes and marks an attempt; returns false when it was already closed.
pub async fn finish(state: &AppState, attempt_id: i64, auto: bool) -> Result<bool, AppError> {
    let Some(attempt) = store::attempt(&state.db, attempt_id).await? else {
        return Err(AppError::NotFound);
    };
    let rules = CompletionRules::load(state, &attempt).await?;
    Ok(close_and_mark(state, &attempt, &rules, auto)
        .await?
        .is_some())
}

/// Closes and marks an attempt, returning it as it now stands, or `None` when it was already
/// closed (two finishers racing, say the learner's submit and the clock, mark it once). What
/// does not change is read before (`rules`): a transaction never waits for a second connection
/// (were every connection in such a transaction, none would come), and the writer is held only
/// for the writes.
async fn close_and_mark(
    state: &AppState,
    attempt: &AttemptRow,
    rules: &CompletionRules,
    auto: bool,
) -> Result<Option<AttemptRow>, AppError> {
    if !attempt.in_progress() {
        return Ok(None);
    }
    let attempt_id = attempt.id;
    let now = now();
    let mut tx = state.db.begin().await?;
    // Closing first makes this transaction a writer from its first statement (see quiz_store),
    // and answers saved until now are the ones marked.
    if !store::close_attempt(&mut tx, attempt_id, now, auto).await? {
        return Ok(None);
    }
    let rows = store::attempt_questions_in_tx(&mut tx, attempt_id).await?;
    let mut score = 0.0;
    let mut needs_grading = false;
    let mut marks = Vec::with_capacity(rows.len());
    for row in &rows {
        let (question, _) = parse_question(row)?;
        let response: Option<Response> = row
            .response
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok());
        let fraction = match response.as_ref().map(|r| question.mark(r)) {
            Some(Marking::Auto { fraction, .. }) => Some(fraction),
            Some(Marking::Manual) if response.as_ref().is_some_and(Response::is_answered) => None,
            // Unanswered questions, blank essays and descriptions score nothing.
            _ => Some(0.0),
        };
        match fraction {
            Some(f) => {
                let mark = f * row.max_mark;
                score += mark;
                marks.push((row.slot, f, mark));
            }
            None => needs_grading = true,
        }
    }
    store::set_auto_marks(&mut tx, attempt_id, &marks).await?;
    store::set_attempt_score(&mut tx, attempt_id, score, needs_grading).await?;
    let closed = record_completion(&mut tx, rules, attempt, now).await?;
    tx.commit().await?;
    Ok(closed)
}

/// What deciding a quiz's completion needs besides the attempts: read before the transaction.
pub struct CompletionRules {
    settings: Option<QuizSettings>,
    /// Only learners' attempts complete items and reach the gradebook (staff try quizzes out).
    learner: bool,
    /// The attempt's owner is the course's staff (sees marks whatever the review options).
    staff: bool,
    /// The quiz's total marks: what its grade is out of in the gradebook.
    max_points: f64,
}

impl CompletionRules {
    pub async fn load(state: &AppState, attempt: &AttemptRow) -> Result<Self, AppError> {
        let settings = store::settings_even_deleted(&state.db, attempt.item_id)
            .await?
            .map(|(_, _, s)| s);
        let access = access::load(
            &state.db,
            &Actor::other_person(attempt.user_id),
            attempt.course_id,
        )
        .await?;
        let max_points = store::total_marks(&store::slots(&state.db, attempt.item_id).await?);
        Ok(CompletionRules {
            settings,
            learner: access.is_learner(),
            staff: access.may_see_learners(),
            max_points,
        })
    }
}

/// A learner completes a quiz item by finishing an attempt, or, when the quiz has a pass mark,
/// once their quiz grade reaches it; the quiz grade goes to the gradebook either way. Returns the
/// attempt as it now stands.
pub async fn record_completion(
    tx: &mut Tx,
    rules: &CompletionRules,
    attempt: &AttemptRow,
    now: i64,
) -> Result<Option<AttemptRow>, AppError> {
    // Inside the transaction, so this attempt's new score counts.
    let attempts = store::attempts_of_in_tx(tx, attempt.item_id, attempt.user_id).await?;
    let current = attempts.iter().find(|a| a.id == attempt.id).cloned();
    let (Some(settings), true) = (&rules.settings, rules.learner) else {
        return Ok(current);
    };
    let percent = quiz_percent(settings, &attempts);
    let complete = match settings.pass_percent {
        None => true,
        Some(pass) => percent.is_some_and(|p| p + 1e-9 >= pass),
    };
    crate::completion::store::record_item(
        tx,
        attempt.user_id,
        attempt.item_id,
        attempt.course_id,
        complete,
        now,
    )
    .await?;
    // Also settles course completion, once the new total is known.
    crate::grading::service::record_quiz_grade(
        tx,
        attempt.course_id,
        attempt.item_id,
        attempt.user_id,
        percent,
        rules.max_points,
        now,
    )
    .await?;
    Ok(current)
}

/// Submits every attempt whose time is up; returns how many it closed. Safe on many instances
/// at once: each attempt closes once.
pub async fn submit_overdue(state: &AppState) -> Result<usize, AppError> {
    let ids = store::overdue_attempts(&state.db, now() - GRACE_SECS, 500).await?;
    let mut closed = 0;
    for id in ids {
        if finish(state, id, true).await? {
            closed += 1;
        }
    }
    Ok(closed)
}

/// The background clock: every few seconds, submits attempts whose time ran out (nobody may be
/// looking at them). Runs on every app instance; `finish` closes each attempt once.
pub async fn run_clock(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match submit_overdue(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "attempts submitted when their time ran out"),
            Err(e) => tracing::warn!(error = %e, "submitting overdue attempts failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{from_shown, to_shown};
    use crate::assessments::question::Response;

    #[test]
    fn only_the_files_the_attempt_page_shows_are_listed() {
        use crate::assessments::question::{Choice, Question, QuestionBody, RichText, TextFormat};
        let question = Question {
            name: "Q".into(),
            stem: RichText::new(TextFormat::Markdown, "Look: ![cell](/files/12/cell.png)"),
            general_feedback: Some(RichText::plain("See /files/99/solution.png")),
            body: QuestionBody::SingleChoice {
                choices: vec![Choice {
                    text: RichText::plain("![a](/files/7/a.png) and /files/12/x"),
                    fraction: 1.0,
                    feedback: Some(RichText::plain("/files/98/why.png")),
                }],
            },
            default_mark: 1.0,
            tags: vec![],
            id_number: None,
        };
        assert_eq!(super::shown_files(&question), " 7 12 ");
    }

    #[test]
    fn responses_travel_by_the_place_shown_and_come_back_as_the_questions_own() {
        // Shown: own item 2 first, then 0, then 1.
        let order = [2, 0, 1];
        // The learner puts the places in the order 1, 2, 0: own items 0, 1, 2 (the right order).
        let own = from_shown(Response::Ordering(vec![1, 2, 0]), &order);
        assert_eq!(own, Response::Ordering(vec![0, 1, 2]));
        assert_eq!(to_shown(own, &order), Response::Ordering(vec![1, 2, 0]));
        assert_eq!(from_shown(Response::Single(0), &order), Response::Single(2));
        assert_eq!(
            from_shown(Response::Multiple(vec![0, 2]), &order),
            Response::Multiple(vec![2, 1])
        );
        // A place outside the list names no option.
        assert_eq!(
            from_shown(Response::Single(7), &order),
            Response::Single(usize::MAX)
        );
        // Other answers pass untouched.
        let text = Response::Text("42".into());
        assert_eq!(from_shown(text.clone(), &order), text);
    }
}
