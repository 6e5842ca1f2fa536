//! A quiz's set-up, shown under the item form: settings, the question slots, adding questions from
//! the bank or random draws from a category.

use super::super::model::*;
use super::super::server::*;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{Checkbox, ErrorPage, Field, FormAlert, TextArea};
use leptos::prelude::*;

#[component]
pub fn QuizSetup(item_id: i64) -> impl IntoView {
    let save = ServerAction::<SaveQuizSettings>::new();
    let add = ServerAction::<AddQuizQuestions>::new();
    let add_random = ServerAction::<AddQuizRandom>::new();
    let remove = ServerAction::<RemoveQuizSlot>::new();
    let move_slot = ServerAction::<MoveQuizSlot>::new();
    let update = ServerAction::<UpdateQuizSlot>::new();
    let editor = Resource::new(
        move || {
            (
                item_id,
                add.version().get(),
                add_random.version().get(),
                remove.version().get(),
                move_slot.version().get(),
                update.version().get(),
            )
        },
        |(id, ..)| load_quiz_editor(id),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading the quiz set-up…"</p> }>
            {move || Suspend::new(async move {
                let e = match editor.await {
                    Ok(e) => e,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                view! {
                    <section class="card" aria-labelledby="quiz-questions">
                        <h2 id="quiz-questions">"Questions"</h2>
                        {(e.attempt_count > 0).then(|| view! {
                            <p class="alert alert-info">{format!("{} made so far keep the questions they started with; changes apply to new attempts.", crate::ui::format::plural(e.attempt_count, "attempt", "attempts"))}</p>
                        })}
                        <SlotList item_id slots=e.slots.clone() remove move_slot update />
                        <AddFromBank item_id course_id=e.course_id categories=e.categories.clone()
                            in_quiz=e.slots.iter().filter_map(|s| s.question_id).collect() add />
                        <AddRandom item_id categories=e.categories.clone() add_random />
                        <p><a href=format!("/courses/{}/questions", e.course_id)>"Open the question bank"</a></p>
                    </section>
                    <section class="card" aria-labelledby="quiz-settings">
                        <h2 id="quiz-settings">"Quiz settings"</h2>
                        <SettingsForm item_id settings=e.settings.clone() save />
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn SlotList(
    item_id: i64,
    slots: Vec<QuizSlot>,
    remove: ServerAction<RemoveQuizSlot>,
    move_slot: ServerAction<MoveQuizSlot>,
    update: ServerAction<UpdateQuizSlot>,
) -> impl IntoView {
    if slots.is_empty() {
        return view! { <p>"No questions yet: add some from the bank below."</p> }.into_any();
    }
    let total: f64 = slots
        .iter()
        .map(|s| s.mark * f64::from(s.draw_count.max(1)))
        .sum();
    let count = slots.len();
    view! {
        <ol class="slot-list">
            {slots.into_iter().enumerate().map(|(i, s)| {
                let slot_id = s.id;
                let mark = RwSignal::new(s.mark.to_string());
                let draw = s.draw_count;
                let label = s.label.clone();
                view! {
                    <li>
                        <span class="slot-label">{s.label.clone()}" "<span class="small muted">{s.type_label.clone()}</span></span>
                        <label class="visually-hidden" for=format!("mark-{slot_id}")>{format!("Mark for {label}")}</label>
                        <input id=format!("mark-{slot_id}") class="narrow" type="text" inputmode="decimal" bind:value=mark
                            on:change=move |_| {
                                if let Ok(m) = mark.get_untracked().replace(',', ".").parse::<f64>() {
                                    update.dispatch(UpdateQuizSlot { item_id, slot_id, mark: m, draw_count: draw });
                                }
                            } />
                        <button type="button" class="btn btn-small btn-secondary" disabled={i == 0}
                            aria-label=format!("Up: move “{label}” higher") on:click=move |_| { move_slot.dispatch(MoveQuizSlot { item_id, slot_id, delta: -1 }); }>"Up"</button>
                        <button type="button" class="btn btn-small btn-secondary" disabled={i + 1 == count}
                            aria-label=format!("Down: move “{label}” lower") on:click=move |_| { move_slot.dispatch(MoveQuizSlot { item_id, slot_id, delta: 1 }); }>"Down"</button>
                        <button type="button" class="btn btn-small btn-danger"
                            aria-label=format!("Remove “{label}”") on:click=move |_| { remove.dispatch(RemoveQuizSlot { item_id, slot_id }); }>"Remove"</button>
                    </li>
                }
            }).collect_view()}
        </ol>
        <p>{format!("Total marks: {total}")}</p>
        {move || update.value().get().and_then(|r| r.err()).map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })}
    }
    .into_any()
}

#[component]
fn AddFromBank(
    item_id: i64,
    course_id: i64,
    categories: Vec<QuestionCategory>,
    /// Bank questions the quiz already has: shown ticked and disabled, never added twice.
    in_quiz: Vec<i64>,
    add: ServerAction<AddQuizQuestions>,
) -> impl IntoView {
    let in_quiz = StoredValue::new(in_quiz);
    let category = RwSignal::new(categories.first().map(|c| c.id).unwrap_or(0));
    let page = RwSignal::new(1u32);
    let picked = RwSignal::new(Vec::<i64>::new());
    let list = Resource::new(
        move || (category.get(), page.get(), add.version().get()),
        move |(category_id, page, _)| {
            load_bank(
                course_id,
                BankQuery {
                    category_id: Some(category_id),
                    search: String::new(),
                    page,
                },
            )
        },
    );
    view! {
        <details class="add-questions">
            <summary>"Add questions from the bank"</summary>
            <div class="field">
                <label for="add-category">"Category"</label>
                <select id="add-category" on:change=move |ev| { category.set(event_target_value(&ev).parse().unwrap_or(0)); page.set(1); }>
                    {categories.iter().map(|c| view! { <option value=c.id.to_string()>{format!("{} ({})", c.name, c.question_count)}</option> }).collect_view()}
                </select>
            </div>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let list = match list.await {
                        Ok(l) => l,
                        Err(error) => return view! { <ErrorPage error /> }.into_any(),
                    };
                    let page_count = list.page_count();
                    view! {
                        <fieldset>
                            <legend>"Questions to add"</legend>
                            {list.items.iter().map(|q| {
                                let id = q.id;
                                if in_quiz.with_value(|ids| ids.contains(&id)) {
                                    return view! {
                                        <div class="checkbox already-added">
                                            <input type="checkbox" id=format!("pick-{id}") checked disabled />
                                            <label for=format!("pick-{id}")>{format!("{} ({})", q.name, q.type_label)}
                                                <span class="small muted">" · Already in this quiz"</span></label>
                                        </div>
                                    }.into_any();
                                }
                                view! {
                                    <div class="checkbox">
                                        <input type="checkbox" id=format!("pick-{id}") prop:checked=move || picked.with(|p| p.contains(&id))
                                            on:change=move |ev| picked.update(|p| { p.retain(|x| *x != id); if event_target_checked(&ev) { p.push(id); } }) />
                                        <label for=format!("pick-{id}")>{format!("{} ({})", q.name, q.type_label)}</label>
                                    </div>
                                }.into_any()
                            }).collect_view()}
                        </fieldset>
                        {(page_count > 1).then(|| view! {
                            <p class="actions">
                                <button type="button" class="btn btn-small btn-secondary" disabled=move || page.get() <= 1 on:click=move |_| page.update(|p| *p -= 1)>"Previous"</button>
                                <span>{move || format!("Page {} of {page_count}", page.get())}</span>
                                <button type="button" class="btn btn-small btn-secondary" disabled=move || page.get() >= page_count on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
                            </p>
                        })}
                    }.into_any()
                })}
            </Suspense>
            <button type="button" class="btn btn-primary" disabled=move || picked.with(Vec::is_empty) || add.pending().get()
                on:click=move |_| { add.dispatch(AddQuizQuestions { item_id, question_ids: picked.get_untracked() }); picked.set(Vec::new()); }>
                {move || format!("Add {} selected", picked.with(Vec::len))}
            </button>
        </details>
    }
}

#[component]
fn AddRandom(
    item_id: i64,
    categories: Vec<QuestionCategory>,
    add_random: ServerAction<AddQuizRandom>,
) -> impl IntoView {
    let category = RwSignal::new(
        categories
            .first()
            .map(|c| c.id.to_string())
            .unwrap_or_default(),
    );
    let count = RwSignal::new("1".to_string());
    let mark = RwSignal::new("1".to_string());
    let result: Signal<Option<Result<(), AppError>>> = add_random.value().into();
    let local_error = RwSignal::new(None::<String>);
    let count_error = Signal::derive(move || {
        local_error
            .get()
            .or_else(|| field_error(result, "draw_count").get())
    });
    view! {
        <details class="add-random">
            <summary>"Add random questions from a category"</summary>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                match (count.get_untracked().trim().parse::<i32>(), mark.get_untracked().replace(',', ".").trim().parse::<f64>()) {
                    (Ok(c), Ok(m)) => {
                        local_error.set(None);
                        add_random.dispatch(AddQuizRandom { item_id, category_id: category.get_untracked().parse().unwrap_or(0), count: c, mark: m });
                    }
                    _ => local_error.set(Some("Enter a whole number of questions and a mark.".into())),
                }
            }>
                <div class="field">
                    <label for="random-category">"Category"</label>
                    <select id="random-category" prop:value=move || category.get() on:change=move |ev| category.set(event_target_value(&ev))>
                        {categories.iter().map(|c| view! { <option value=c.id.to_string()>{format!("{} ({})", c.name, c.question_count)}</option> }).collect_view()}
                    </select>
                </div>
                <Field label="How many questions" name="draw_count" value=count error=count_error />
                <Field label="Mark for each" name="mark" value=mark error=field_error(result, "mark") />
                <FormAlert result success="Random questions added." />
                <button type="submit" class="btn btn-secondary">"Add random questions"</button>
            </form>
        </details>
    }
}

#[component]
fn SettingsForm(
    item_id: i64,
    settings: QuizSettings,
    save: ServerAction<SaveQuizSettings>,
) -> impl IntoView {
    let form = QuizSettingsForm::from(&settings);
    let opens_at = RwSignal::new(form.opens_at.clone());
    let closes_at = RwSignal::new(form.closes_at.clone());
    let time_limit = RwSignal::new(form.time_limit_minutes.clone());
    let attempts = RwSignal::new(form.attempts_allowed.clone());
    let grading = RwSignal::new(form.grading_method.clone());
    let per_page = RwSignal::new(form.questions_per_page.clone());
    let shuffle_questions = RwSignal::new(form.shuffle_questions);
    let shuffle_answers = RwSignal::new(form.shuffle_answers);
    let pass = RwSignal::new(form.pass_percent.clone());
    let review_answers = RwSignal::new(form.review_answers.clone());
    let review_correct = RwSignal::new(form.review_correct.clone());
    let review_feedback = RwSignal::new(form.review_feedback.clone());
    let bands = RwSignal::new(form.feedback_bands.clone());
    let result: Signal<Option<Result<QuizSettings, AppError>>> = save.value().into();
    let when_select = move |id: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                    {ReviewWhen::ALL.iter().map(|w| view! { <option value=w.as_str()>{w.label()}</option> }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveQuizSettings { item_id, form: QuizSettingsForm {
                opens_at: opens_at.get_untracked(),
                closes_at: closes_at.get_untracked(),
                time_limit_minutes: time_limit.get_untracked(),
                attempts_allowed: attempts.get_untracked(),
                grading_method: grading.get_untracked(),
                questions_per_page: per_page.get_untracked(),
                shuffle_questions: shuffle_questions.get_untracked(),
                shuffle_answers: shuffle_answers.get_untracked(),
                pass_percent: pass.get_untracked(),
                review_answers: review_answers.get_untracked(),
                review_correct: review_correct.get_untracked(),
                review_feedback: review_feedback.get_untracked(),
                feedback_bands: bands.get_untracked(),
            }});
        }>
            <FormAlert result success="Quiz settings saved." />
            <Field label="Opens (UTC)" name="opens_at" kind="datetime-local" value=opens_at error=field_error(result, "opens_at") />
            <Field label="Closes (UTC)" name="closes_at" kind="datetime-local" value=closes_at error=field_error(result, "closes_at") />
            <Field label="Time limit in minutes" name="time_limit_minutes" value=time_limit error=field_error(result, "time_limit_minutes") hint="Empty for no limit." />
            <Field label="Attempts allowed" name="attempts_allowed" value=attempts error=field_error(result, "attempts_allowed") hint="0 for unlimited." />
            <div class="field">
                <label for="grading-method">"Grade from"</label>
                <select id="grading-method" prop:value=move || grading.get() on:change=move |ev| grading.set(event_target_value(&ev))>
                    {GradingMethod::ALL.iter().map(|m| view! { <option value=m.as_str()>{m.label()}</option> }).collect_view()}
                </select>
            </div>
            <Field label="Questions per page" name="questions_per_page" value=per_page error=field_error(result, "questions_per_page") hint="0 puts every question on one page." />
            <Checkbox label="Shuffle the questions" name="shuffle_questions" checked=shuffle_questions />
            <Checkbox label="Shuffle the answers" name="shuffle_answers" checked=shuffle_answers />
            <Field label="Pass mark (%)" name="pass_percent" value=pass error=field_error(result, "pass_percent") hint="Empty for none. With a pass mark, the quiz counts as complete once it is reached." />
            <fieldset>
                <legend>"What learners may review"</legend>
                {when_select("review-answers", "Their answers and marks", review_answers)}
                {when_select("review-correct", "The right answers", review_correct)}
                {when_select("review-feedback", "Feedback", review_feedback)}
            </fieldset>
            <TextArea label="Feedback by score" name="feedback_bands" value=bands error=field_error(result, "feedback_bands") rows=4
                hint="One band per line, the lowest percentage first or last: 80: Well done!" />
            <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save settings"</button>
        </form>
    }
}
