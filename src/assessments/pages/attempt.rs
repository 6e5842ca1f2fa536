//! Taking a quiz. Every change is queued in local storage first and then sent; a queue that could
//! not be sent (offline, server away) is retried every few seconds and when the browser says it
//! is back online, and survives a reload. The countdown runs from the server's clock.

use super::super::model::*;
use super::super::question::Response;
use super::super::server::*;
use crate::error::AppError;
use crate::ui::ErrorPage;
use crate::ui::format::plural;
use crate::ui::route_id;
use crate::ui::storage::local_storage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use std::collections::BTreeMap;

fn queue_key(attempt_id: i64) -> String {
    format!("lyceum-attempt-{attempt_id}")
}

/// Unsent answers kept on this device.
fn load_queue(attempt_id: i64) -> Vec<AnswerSave> {
    local_storage()
        .and_then(|s| s.get_item(&queue_key(attempt_id)).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn store_queue(attempt_id: i64, queue: &[AnswerSave]) {
    if let Some(storage) = local_storage() {
        let _ = if queue.is_empty() {
            storage.remove_item(&queue_key(attempt_id))
        } else {
            storage.set_item(
                &queue_key(attempt_id),
                &serde_json::to_string(queue).unwrap_or_default(),
            )
        };
    }
}

#[derive(Clone, Copy, PartialEq)]
enum SyncState {
    Saved,
    Saving,
    Offline,
    /// The server answered "busy" (503): answers wait on this device and are sent again later.
    Busy,
}

/// After a failed send, the next try waits 1 s, 2 s, 4 s, … up to 30 s, each spread by ±50 %:
/// thousands of pages that lost the server at once must not all come back in the same second.
fn retry_delay_ms(failures: u32) -> f64 {
    let base = 1000.0 * f64::from(2u32.saturating_pow(failures.saturating_sub(1).min(5)));
    base.min(30_000.0) * (0.5 + random_unit())
}

fn random_unit() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Math::random()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.5
    }
}

fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

#[component]
pub fn AttemptPage() -> impl IntoView {
    let attempt_id = route_id("id");
    let attempt = Resource::new(move || attempt_id.get(), load_attempt);
    view! {
        <Title text="Quiz attempt" />
        <Suspense fallback=|| view! { <p>"Loading the attempt…"</p> }>
            {move || Suspend::new(async move {
                match attempt.await {
                    Ok(view) if view.submitted => view! {
                        <h1>{view.title.clone()}</h1>
                        <p class="alert alert-info" role="status">"This attempt has been submitted."</p>
                        <p><a class="btn btn-primary" href=format!("/attempts/{}/review", view.attempt_id)>"See the review"</a></p>
                    }.into_any(),
                    Ok(view) => view! { <AttemptForm view /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AttemptForm(view: AttemptView) -> impl IntoView {
    let attempt_id = view.attempt_id;
    let navigate = use_navigate();
    // Answers as the server has them; anything newer still queued on this device is merged in
    // after hydration (the server cannot see local storage, and both renders must match).
    let initial: BTreeMap<i32, (i64, Option<Response>)> = view
        .questions
        .iter()
        .map(|q| (q.slot, (q.response_seq, q.response.clone())))
        .collect();
    let next_seq = initial.values().map(|(s, _)| *s).max().unwrap_or(0) + 1;
    let answers = RwSignal::new(initial);
    let queue = RwSignal::new(Vec::<AnswerSave>::new());
    let seq = StoredValue::new(next_seq);
    let restored = RwSignal::new(0usize);
    Effect::new(move |previous: Option<()>| {
        if previous.is_some() {
            return;
        }
        let queued = load_queue(attempt_id);
        let mut count = 0;
        answers.update(|shown| {
            for a in &queued {
                if let Some(entry) = shown.get_mut(&a.slot)
                    && a.seq > entry.0
                {
                    *entry = (a.seq, a.response.clone());
                    count += 1;
                }
            }
        });
        let highest = queued.iter().map(|a| a.seq).max().unwrap_or(0);
        seq.set_value(seq.get_value().max(highest + 1));
        queue.set(queued);
        restored.set(count);
    });
    let sync = RwSignal::new(SyncState::Saved);
    let sending = StoredValue::new(false);
    let submitting = StoredValue::new(false);
    // Failed sends in a row, and when the next one may go (see `retry_delay_ms`).
    let failures = StoredValue::new(0u32);
    let next_try = StoredValue::new(0f64);
    let back_off = move || {
        let n = failures.get_value() + 1;
        failures.set_value(n);
        next_try.set_value(now_ms() + retry_delay_ms(n));
    };
    let finished = RwSignal::new(false);
    let submit_error = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let page = RwSignal::new(0usize);

    // The server's clock: its "now" when the page loaded, advanced by the browser's elapsed time.
    let server_now = view.now;
    let loaded_at = now_seconds();
    let deadline = view.deadline_at;
    let remaining = RwSignal::new(deadline.map(|d| d - server_now));

    let go_to_review = {
        let navigate = navigate.clone();
        move || {
            store_queue(attempt_id, &[]);
            navigate(
                &format!("/attempts/{attempt_id}/review"),
                Default::default(),
            );
        }
    };

    // Sends the queue if there is one and nothing is in flight.
    let flush = {
        let go_to_review = go_to_review.clone();
        move || {
            if sending.get_value() || finished.get_untracked() || now_ms() < next_try.get_value() {
                return;
            }
            let batch = queue.get_untracked();
            if batch.is_empty() {
                sync.set(SyncState::Saved);
                return;
            }
            sending.set_value(true);
            sync.set(SyncState::Saving);
            let go_to_review = go_to_review.clone();
            leptos::task::spawn_local(async move {
                let result = save_answers(attempt_id, batch).await;
                sending.set_value(false);
                if result.is_ok() {
                    failures.set_value(0);
                }
                match result {
                    Ok(receipt) if receipt.finished => {
                        finished.set(true);
                        go_to_review();
                    }
                    Ok(receipt) => {
                        queue.update(|q| {
                            q.retain(|a| {
                                !receipt
                                    .saved
                                    .iter()
                                    .any(|(slot, s)| *slot == a.slot && *s >= a.seq)
                            })
                        });
                        store_queue(attempt_id, &queue.get_untracked());
                        sync.set(if queue.get_untracked().is_empty() {
                            SyncState::Saved
                        } else {
                            SyncState::Saving
                        });
                    }
                    Err(AppError::Transport(_)) => {
                        back_off();
                        sync.set(SyncState::Offline);
                    }
                    Err(AppError::Unavailable | AppError::Internal) => {
                        back_off();
                        sync.set(SyncState::Busy);
                    }
                    Err(error) => {
                        back_off();
                        sync.set(SyncState::Offline);
                        submit_error.set(Some(error.to_string()));
                    }
                }
            });
        }
    };

    let record = {
        let flush = flush.clone();
        move |slot: i32, response: Option<Response>| {
            let s = seq.get_value();
            seq.set_value(s + 1);
            answers.update(|a| {
                a.insert(slot, (s, response.clone()));
            });
            queue.update(|q| {
                q.retain(|a| a.slot != slot);
                q.push(AnswerSave {
                    slot,
                    seq: s,
                    response,
                });
            });
            store_queue(attempt_id, &queue.get_untracked());
            flush();
        }
    };

    let submit = {
        let go_to_review = go_to_review.clone();
        move || {
            if finished.get_untracked() || submitting.get_value() || now_ms() < next_try.get_value()
            {
                return;
            }
            submitting.set_value(true);
            let batch = queue.get_untracked();
            submit_error.set(None);
            let go_to_review = go_to_review.clone();
            leptos::task::spawn_local(async move {
                let result = submit_attempt(attempt_id, batch).await;
                submitting.set_value(false);
                match result {
                    Ok(_) => {
                        finished.set(true);
                        go_to_review();
                    }
                    Err(AppError::Transport(_)) => {
                        back_off();
                        sync.set(SyncState::Offline);
                        submit_error.set(Some(
                            "You are offline. Your answers are kept on this device; submit again when the connection is back."
                                .into(),
                        ));
                    }
                    Err(AppError::Unavailable) => {
                        back_off();
                        sync.set(SyncState::Busy);
                        submit_error.set(Some(
                            "Lyceum is busy. Your answers are kept on this device; submit again in a few seconds."
                                .into(),
                        ));
                    }
                    Err(error) => submit_error.set(Some(error.to_string())),
                }
            });
        }
    };

    // Retry every few seconds, tick the clock, and submit when time is up.
    {
        let flush = flush.clone();
        let submit = submit.clone();
        Effect::new(move |_| {
            let flush = flush.clone();
            let submit = submit.clone();
            let handle = set_interval_with_handle(
                move || {
                    if let Some(d) = deadline {
                        let left = d - (server_now + now_seconds() - loaded_at);
                        remaining.set(Some(left));
                        if left <= 0 && !finished.get_untracked() {
                            submit();
                            return;
                        }
                    }
                    if !queue.get_untracked().is_empty() {
                        flush();
                    }
                },
                std::time::Duration::from_secs(1),
            );
            on_cleanup(move || {
                if let Ok(h) = handle {
                    h.clear();
                }
            });
        });
    }
    {
        let flush = flush.clone();
        let online = window_event_listener(leptos::ev::online, move |_| flush());
        on_cleanup(move || online.remove());
    }

    let questions = StoredValue::new(view.questions.clone());
    let per_page = if view.questions_per_page <= 0 {
        view.questions.len().max(1)
    } else {
        view.questions_per_page as usize
    };
    let page_count = view.questions.len().div_ceil(per_page).max(1);
    let answered = move |slot: i32| {
        answers.with(|a| {
            a.get(&slot)
                .and_then(|(_, r)| r.as_ref())
                .is_some_and(Response::is_answered)
        })
    };
    let unanswered_count = move || {
        questions.with_value(|qs| {
            qs.iter()
                .filter(|q| !matches!(q.input, QuestionInput::Description) && !answered(q.slot))
                .count()
        })
    };

    let title = view.title.clone();
    let record_for_questions = record.clone();
    let submit_confirmed = submit.clone();
    view! {
        <div class="attempt">
            <div class="attempt-bar" role="region" aria-label="Attempt status">
                <h1 class="attempt-title">{format!("{title} · attempt {}", view.number)}</h1>
                {deadline.map(|_| view! {
                    <p class="attempt-timer" role="timer" aria-live="off">
                        "Time left: "<strong>{move || remaining.get().map(format_remaining).unwrap_or_default()}</strong>
                    </p>
                })}
                <p class="attempt-sync" role="status" aria-live="polite">{move || match sync.get() {
                    SyncState::Saved => "All answers saved.".to_string(),
                    SyncState::Saving => "Saving…".to_string(),
                    SyncState::Offline => format!(
                        "Offline: {} kept on this device; they will be sent when the connection returns.",
                        plural(queue.with(Vec::len), "answer", "answers")
                    ),
                    SyncState::Busy => format!(
                        "The server is busy: {} kept on this device; trying again shortly.",
                        plural(queue.with(Vec::len), "answer", "answers")
                    ),
                }}</p>
            </div>
            {move || (restored.get() > 0).then(|| view! {
                <p class="alert alert-info" role="status">{format!("Restored from this device: {} not yet sent.", plural(restored.get(), "answer", "answers"))}</p>
            })}
            <nav class="question-nav" aria-label="Questions">
                <ol>
                    {view.questions.iter().map(|q| {
                        let slot = q.slot;
                        let number = q.number;
                        let target_page = (number - 1) / per_page;
                        view! {
                            <li>
                                <a href=format!("#question-{number}")
                                    class=move || if answered(slot) { "qnav answered" } else { "qnav" }
                                    aria-label=move || format!("Question {number}, {}", if answered(slot) { "answered" } else { "unanswered" })
                                    on:click=move |_| page.set(target_page)>{number}</a>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                <p class="small muted">{move || format!("{} unanswered", unanswered_count())}</p>
            </nav>
            <form class="attempt-questions" on:submit=|ev| ev.prevent_default()>
                {view.questions.iter().map(|q| {
                    let number = q.number;
                    let on_page = (number - 1) / per_page;
                    let record = record_for_questions.clone();
                    let q = q.clone();
                    view! {
                        <div class:hidden=move || page.get() != on_page>
                            <QuestionBlock question=q answers record=Callback::new(move |(slot, r)| record(slot, r)) />
                        </div>
                    }
                }).collect_view()}
                {(page_count > 1).then(|| view! {
                    <nav class="player-nav" aria-label="Pages">
                        <button type="button" class="btn btn-secondary" disabled=move || page.get() == 0
                            on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"Previous page"</button>
                        <span>{move || format!("Page {} of {page_count}", page.get() + 1)}</span>
                        <button type="button" class="btn btn-secondary" disabled=move || page.get() + 1 >= page_count
                            on:click=move |_| page.update(|p| *p += 1)>"Next page"</button>
                    </nav>
                })}
            </form>
            {move || submit_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            <Show when=move || confirming.get() fallback=move || view! {
                <p><button type="button" class="btn btn-primary" on:click=move |_| confirming.set(true)>"Finish attempt…"</button></p>
            }>
                <div class="card confirm" role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
                    <h2 id="confirm-title">"Submit your answers?"</h2>
                    <p id="confirm-text">{move || match unanswered_count() {
                        0 => "Every question has an answer. You cannot change them after submitting.".to_string(),
                        n => format!("{} without an answer. You cannot change your answers after submitting.", plural(n, "question", "questions")),
                    }}</p>
                    <div class="actions">
                        <button type="button" class="btn btn-primary" on:click={
                            let submit_confirmed = submit_confirmed.clone();
                            move |_| submit_confirmed()
                        }>"Submit all and finish"</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| confirming.set(false)>"Return to the attempt"</button>
                    </div>
                </div>
            </Show>
        </div>
    }
}

fn now_seconds() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

fn format_remaining(seconds: i64) -> String {
    let s = seconds.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// One question with its controls; every change goes to `record`.
#[component]
fn QuestionBlock(
    question: AttemptQuestion,
    answers: RwSignal<BTreeMap<i32, (i64, Option<Response>)>>,
    record: Callback<(i32, Option<Response>)>,
) -> impl IntoView {
    let slot = question.slot;
    let number = question.number;
    let current = move || answers.with(|a| a.get(&slot).and_then(|(_, r)| r.clone()));
    let name = format!("q{slot}");
    let legend = format!(
        "Question {number} ({}, {})",
        question.type_label,
        plural(question.max_mark, "mark", "marks")
    );
    let input = match question.input.clone() {
        QuestionInput::Single(options) => options
            .into_iter()
            .map(|(index, html)| {
                let id = format!("{name}-{index}");
                view! {
                    <div class="choice">
                        <input type="radio" id=id.clone() name=name.clone()
                            prop:checked=move || current() == Some(Response::Single(index))
                            on:change=move |_| record.run((slot, Some(Response::Single(index)))) />
                        <label for=id inner_html=html></label>
                    </div>
                }
            })
            .collect_view()
            .into_any(),
        QuestionInput::Multiple(options) => options
            .into_iter()
            .map(|(index, html)| {
                let id = format!("{name}-{index}");
                let picked = move || match current() {
                    Some(Response::Multiple(v)) => v,
                    _ => Vec::new(),
                };
                view! {
                    <div class="choice">
                        <input type="checkbox" id=id.clone()
                            prop:checked=move || picked().contains(&index)
                            on:change=move |ev| {
                                let mut v = picked();
                                v.retain(|i| *i != index);
                                if event_target_checked(&ev) { v.push(index); v.sort_unstable(); }
                                record.run((slot, Some(Response::Multiple(v))));
                            } />
                        <label for=id inner_html=html></label>
                    </div>
                }
            })
            .collect_view()
            .into_any(),
        QuestionInput::TrueFalse => [(true, "True"), (false, "False")]
            .into_iter()
            .map(|(value, label)| {
                let id = format!("{name}-{label}");
                view! {
                    <div class="choice">
                        <input type="radio" id=id.clone() name=name.clone()
                            prop:checked=move || current() == Some(Response::Bool(value))
                            on:change=move |_| record.run((slot, Some(Response::Bool(value)))) />
                        <label for=id>{label}</label>
                    </div>
                }
            })
            .collect_view()
            .into_any(),
        QuestionInput::ShortText | QuestionInput::Number => {
            let id = format!("{name}-answer");
            let numeric = matches!(question.input, QuestionInput::Number);
            view! {
                <label for=id.clone()>"Answer"</label>
                <input id=id type="text" inputmode=if numeric { "decimal" } else { "text" } autocomplete="off"
                    prop:value=move || match current() { Some(Response::Text(t)) => t, _ => String::new() }
                    on:input=move |ev| record.run((slot, Some(Response::Text(event_target_value(&ev))))) />
            }
            .into_any()
        }
        QuestionInput::Essay => {
            let id = format!("{name}-answer");
            view! {
                <label for=id.clone()>"Your answer"</label>
                <textarea id=id rows="10"
                    prop:value=move || match current() { Some(Response::Text(t)) => t, _ => String::new() }
                    on:input=move |ev| record.run((slot, Some(Response::Text(event_target_value(&ev)))))></textarea>
            }
            .into_any()
        }
        QuestionInput::Blanks(count) => (0..count)
            .map(|i| {
                let id = format!("{name}-blank-{i}");
                let given = move || match current() {
                    Some(Response::Blanks(v)) => v,
                    _ => vec![String::new(); count],
                };
                view! {
                    <div class="field">
                        <label for=id.clone()>{format!("Blank ({})", i + 1)}</label>
                        <input id=id type="text" autocomplete="off"
                            prop:value=move || given().get(i).cloned().unwrap_or_default()
                            on:input=move |ev| {
                                let mut v = given();
                                v.resize(count, String::new());
                                if let Some(blank) = v.get_mut(i) {
                                    *blank = event_target_value(&ev);
                                }
                                record.run((slot, Some(Response::Blanks(v))));
                            } />
                    </div>
                }
            })
            .collect_view()
            .into_any(),
        QuestionInput::Matching { prompts, options } => {
            let count = prompts.len();
            prompts
                .into_iter()
                .enumerate()
                .map(|(i, prompt)| {
                    let id = format!("{name}-match-{i}");
                    let options = options.clone();
                    let given = move || match current() {
                        Some(Response::Matching(v)) => v,
                        _ => vec![None; count],
                    };
                    view! {
                        <div class="field match-row">
                            <label for=id.clone() inner_html=prompt></label>
                            <select id=id
                                prop:value=move || given().get(i).cloned().flatten().unwrap_or_default()
                                on:change=move |ev| {
                                    let value = event_target_value(&ev);
                                    let mut v = given();
                                    v.resize(count, None);
                                    if let Some(choice) = v.get_mut(i) {
                                        *choice = (!value.is_empty()).then_some(value);
                                    }
                                    record.run((slot, Some(Response::Matching(v))));
                                }>
                                <option value="">"Choose…"</option>
                                {options.iter().map(|o| view! { <option value=o.clone()>{o.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                    }
                })
                .collect_view()
                .into_any()
        }
        QuestionInput::Ordering(items) => {
            let texts: Vec<(usize, String)> = items.clone();
            let start: Vec<usize> = items.iter().map(|(i, _)| *i).collect();
            let order = move || match current() {
                Some(Response::Ordering(v)) => v,
                _ => start.clone(),
            };
            let order = Signal::derive(order);
            view! {
                <p class="hint">"Put the items in order with the Up and Down buttons."</p>
                <ol class="ordering">
                    {move || {
                        let current_order = order.get();
                        let len = current_order.len();
                        current_order.iter().enumerate().map(|(position, item)| {
                            let text = texts.iter().find(|(i, _)| i == item).map(|(_, t)| t.clone()).unwrap_or_default();
                            let swap = move |delta: isize| {
                                let mut v = order.get_untracked();
                                let to = position as isize + delta;
                                if to >= 0 && (to as usize) < v.len() {
                                    v.swap(position, to as usize);
                                    record.run((slot, Some(Response::Ordering(v))));
                                }
                            };
                            view! {
                                <li>
                                    <span>{text.clone()}</span>
                                    <button type="button" class="btn btn-small btn-secondary" disabled={position == 0}
                                        aria-label=format!("Up: move “{text}” higher") on:click=move |_| swap(-1)>"Up"</button>
                                    <button type="button" class="btn btn-small btn-secondary" disabled={position + 1 == len}
                                        aria-label=format!("Down: move “{text}” lower") on:click=move |_| swap(1)>"Down"</button>
                                </li>
                            }
                        }).collect_view()
                    }}
                </ol>
            }
            .into_any()
        }
        QuestionInput::Description => ().into_any(),
    };
    view! {
        <fieldset class="question card" id=format!("question-{number}")>
            <legend>{legend}</legend>
            <div class="prose question-stem" inner_html=question.stem_html.clone()></div>
            {input}
        </fieldset>
    }
}
