//! Creating and editing one bank question, every type in one form: rows of answers with weights
//! and feedback, pairs, ordered items or blanks, depending on the type. The server checks the
//! result (`Question::problems`) and its messages are shown above the save button.

use super::super::model::*;
use super::super::question::*;
use super::super::server::*;
use crate::error::AppError;
use crate::input::parse_number;
use crate::ui::ErrorPage;
use crate::ui::route_id;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

#[component]
pub fn QuestionEditorPage() -> impl IntoView {
    let course_id = route_id("id");
    let params = use_params_map();
    let query = use_query_map();
    let question_id = Memo::new(move |_| {
        params.with(|p| p.get("question_id").and_then(|v| v.parse::<i64>().ok()))
    });
    let data = Resource::new(
        move || (course_id.get(), question_id.get(), query.get()),
        |(course_id, id, query)| async move {
            let categories = load_question_categories(course_id).await?;
            let question = match id {
                Some(id) => load_bank_question(course_id, id).await?,
                None => {
                    let kind = query.get("type").unwrap_or_else(|| "single_choice".into());
                    let category_id = query
                        .get("category")
                        .and_then(|c| c.parse().ok())
                        .or(categories.first().map(|c| c.id))
                        .unwrap_or(0);
                    BankQuestion {
                        id: None,
                        category_id,
                        question: blank_question(&kind).ok_or(AppError::NotFound)?,
                        version: 0,
                    }
                }
            };
            Ok::<_, AppError>((categories, question))
        },
    );
    view! {
        <Title text="Question" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((categories, question)) => view! { <QuestionForm course_id=course_id.get_untracked() categories question /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One editable row; what each text means depends on the question type.
#[derive(Clone, Copy)]
struct Row {
    key: usize,
    a: RwSignal<String>,
    b: RwSignal<String>,
    c: RwSignal<String>,
    d: RwSignal<String>,
    format: TextFormat,
}

fn row(key: usize, a: String, b: String, c: String, d: String, format: TextFormat) -> Row {
    Row {
        key,
        a: RwSignal::new(a),
        b: RwSignal::new(b),
        c: RwSignal::new(c),
        d: RwSignal::new(d),
        format,
    }
}

fn pct(f: f64) -> String {
    let s = format!("{:.5}", f * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn feedback_text(f: &Option<RichText>) -> String {
    f.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}

/// The rows a question starts with in the editor.
fn initial_rows(body: &QuestionBody) -> Vec<Row> {
    let e = String::new;
    match body {
        QuestionBody::SingleChoice { choices } | QuestionBody::MultipleResponse { choices } => {
            choices
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    row(
                        i,
                        c.text.text.clone(),
                        pct(c.fraction),
                        feedback_text(&c.feedback),
                        e(),
                        c.text.format,
                    )
                })
                .collect()
        }
        QuestionBody::ShortAnswer { answers, .. } => answers
            .iter()
            .enumerate()
            .map(|(i, a)| {
                row(
                    i,
                    a.text.clone(),
                    pct(a.fraction),
                    feedback_text(&a.feedback),
                    e(),
                    TextFormat::Plain,
                )
            })
            .collect(),
        QuestionBody::Numeric { answers } => answers
            .iter()
            .enumerate()
            .map(|(i, a)| {
                // GIFT's "any other number" answer has an unbounded tolerance.
                let tolerance = if a.tolerance >= ANY_TOLERANCE {
                    "any".to_string()
                } else {
                    a.tolerance.to_string()
                };
                row(
                    i,
                    a.value.to_string(),
                    tolerance,
                    pct(a.fraction),
                    feedback_text(&a.feedback),
                    TextFormat::Plain,
                )
            })
            .collect(),
        QuestionBody::Matching { pairs, .. } => pairs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                row(
                    i,
                    p.prompt.text.clone(),
                    p.answer.clone(),
                    e(),
                    e(),
                    p.prompt.format,
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Tolerances at least this large mean "any number" (shown as `any`).
const ANY_TOLERANCE: f64 = 1e300;

fn rich(format: TextFormat, text: String) -> RichText {
    RichText { format, text }
}

fn optional_rich(text: String) -> Option<RichText> {
    (!text.trim().is_empty()).then(|| rich(TextFormat::Plain, text.trim().to_string()))
}

fn number(label: &str, input: &str, errors: &mut Vec<String>) -> f64 {
    match parse_number(input) {
        Some(v) => v,
        None => {
            errors.push(format!("{label}: “{input}” is not a number."));
            0.0
        }
    }
}

#[component]
fn QuestionForm(
    course_id: i64,
    categories: Vec<QuestionCategory>,
    question: BankQuestion,
) -> impl IntoView {
    let original = question.question.clone();
    let type_key = original.body.type_key();
    let name = RwSignal::new(original.name.clone());
    let category = RwSignal::new(question.category_id.to_string());
    let mark = RwSignal::new(original.default_mark.to_string());
    let stem = RwSignal::new(original.stem.text.clone());
    let general = RwSignal::new(feedback_text(&original.general_feedback));
    let rows = RwSignal::new(initial_rows(&original.body));
    let next_key = StoredValue::new(rows.with_untracked(Vec::len) + 1);
    let (mut tf_correct, mut tf_true_fb, mut tf_false_fb, mut case_sensitive) =
        (true, String::new(), String::new(), false);
    let (mut distractors, mut items, mut blanks) = (String::new(), String::new(), String::new());
    match &original.body {
        QuestionBody::TrueFalse {
            correct,
            true_feedback,
            false_feedback,
        } => {
            tf_correct = *correct;
            tf_true_fb = feedback_text(true_feedback);
            tf_false_fb = feedback_text(false_feedback);
        }
        QuestionBody::ShortAnswer {
            case_sensitive: c, ..
        } => case_sensitive = *c,
        QuestionBody::Matching { distractors: d, .. } => distractors = d.join("\n"),
        QuestionBody::Ordering { items: i } => items = i.join("\n"),
        QuestionBody::FillBlanks { blanks: b } => {
            blanks = b
                .iter()
                .map(|b| b.answers.join(" | "))
                .collect::<Vec<_>>()
                .join("\n");
            case_sensitive = b.first().is_some_and(|b| b.case_sensitive);
        }
        _ => {}
    }
    let tf_correct = RwSignal::new(tf_correct);
    let tf_true_fb = RwSignal::new(tf_true_fb);
    let tf_false_fb = RwSignal::new(tf_false_fb);
    let case_sensitive = RwSignal::new(case_sensitive);
    let distractors = RwSignal::new(distractors);
    let items = RwSignal::new(items);
    let blanks = RwSignal::new(blanks);
    let local_errors = RwSignal::new(Vec::<String>::new());
    let save = ServerAction::<SaveBankQuestion>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = save.value().get() {
            navigate(
                &format!("/courses/{course_id}/questions/{id}?saved=1"),
                Default::default(),
            );
        }
    });
    let stem_format = original.stem.format;
    let (tags, id_number) = (original.tags.clone(), original.id_number.clone());
    let body_kind = original.body.clone();
    let build = move || -> Result<Question, Vec<String>> {
        let mut errors = Vec::new();
        let rows = rows.get_untracked();
        let body = match &body_kind {
            QuestionBody::SingleChoice { .. } | QuestionBody::MultipleResponse { .. } => {
                let choices = rows
                    .iter()
                    .filter(|r| !r.a.get_untracked().trim().is_empty())
                    .map(|r| Choice {
                        text: rich(r.format, r.a.get_untracked().trim().to_string()),
                        fraction: number("Weight", &r.b.get_untracked(), &mut errors) / 100.0,
                        feedback: optional_rich(r.c.get_untracked()),
                    })
                    .collect();
                if matches!(body_kind, QuestionBody::SingleChoice { .. }) {
                    QuestionBody::SingleChoice { choices }
                } else {
                    QuestionBody::MultipleResponse { choices }
                }
            }
            QuestionBody::TrueFalse { .. } => QuestionBody::TrueFalse {
                correct: tf_correct.get_untracked(),
                true_feedback: optional_rich(tf_true_fb.get_untracked()),
                false_feedback: optional_rich(tf_false_fb.get_untracked()),
            },
            QuestionBody::ShortAnswer { .. } => QuestionBody::ShortAnswer {
                answers: rows
                    .iter()
                    .filter(|r| !r.a.get_untracked().trim().is_empty())
                    .map(|r| TextAnswer {
                        text: r.a.get_untracked().trim().to_string(),
                        fraction: number("Weight", &r.b.get_untracked(), &mut errors) / 100.0,
                        feedback: optional_rich(r.c.get_untracked()),
                    })
                    .collect(),
                case_sensitive: case_sensitive.get_untracked(),
            },
            QuestionBody::Numeric { .. } => QuestionBody::Numeric {
                answers: rows
                    .iter()
                    .filter(|r| !r.a.get_untracked().trim().is_empty())
                    .map(|r| NumericAnswer {
                        value: number("Value", &r.a.get_untracked(), &mut errors),
                        tolerance: match r.b.get_untracked().trim() {
                            "" => 0.0,
                            "any" => f64::MAX,
                            other => number("Tolerance", other, &mut errors),
                        },
                        fraction: number("Weight", &r.c.get_untracked(), &mut errors) / 100.0,
                        feedback: optional_rich(r.d.get_untracked()),
                    })
                    .collect(),
            },
            QuestionBody::Matching { .. } => QuestionBody::Matching {
                pairs: rows
                    .iter()
                    .filter(|r| {
                        !(r.a.get_untracked().trim().is_empty()
                            && r.b.get_untracked().trim().is_empty())
                    })
                    .map(|r| MatchPair {
                        prompt: rich(r.format, r.a.get_untracked().trim().to_string()),
                        answer: r.b.get_untracked().trim().to_string(),
                    })
                    .collect(),
                distractors: lines(&distractors.get_untracked()),
            },
            QuestionBody::Ordering { .. } => QuestionBody::Ordering {
                items: lines(&items.get_untracked()),
            },
            QuestionBody::FillBlanks { .. } => QuestionBody::FillBlanks {
                blanks: lines(&blanks.get_untracked())
                    .into_iter()
                    .map(|l| Blank {
                        answers: l
                            .split('|')
                            .map(|a| a.trim().to_string())
                            .filter(|a| !a.is_empty())
                            .collect(),
                        case_sensitive: case_sensitive.get_untracked(),
                    })
                    .collect(),
            },
            QuestionBody::Essay => QuestionBody::Essay,
            QuestionBody::Description => QuestionBody::Description,
        };
        let default_mark = number("Default mark", &mark.get_untracked(), &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Question {
            name: name.get_untracked(),
            stem: rich(stem_format, stem.get_untracked()),
            general_feedback: optional_rich(general.get_untracked()),
            body,
            default_mark,
            tags: tags.clone(),
            id_number: id_number.clone(),
        })
    };
    let id = question.id;
    let version = question.version;
    let server_errors = move || match save.value().get() {
        Some(Err(AppError::Invalid(list))) => list.into_iter().map(|e| e.message).collect(),
        Some(Err(other)) => vec![other.to_string()],
        _ => Vec::new(),
    };
    let saved = use_query_map().with_untracked(|q| q.get("saved").is_some());
    let type_label = original.type_label();
    let add_row = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        let default_weight = if matches!(type_key, "numeric" | "short_answer") {
            "100"
        } else {
            "0"
        };
        rows.update(|r| {
            r.push(row(
                key,
                String::new(),
                if type_key == "numeric" {
                    "0".into()
                } else {
                    default_weight.into()
                },
                if type_key == "numeric" {
                    "100".into()
                } else {
                    String::new()
                },
                String::new(),
                TextFormat::Plain,
            ))
        });
    };
    view! {
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href=format!("/courses/{course_id}/questions")>"Question bank"</a>" › "{if id.is_some() { "Edit question" } else { "New question" }}
        </nav>
        <h1>{format!("{} question", type_label)}</h1>
        {saved.then(|| view! { <p class="alert alert-success" role="status">"Saved."</p> })}
        <form class="form card" on:submit=move |ev| {
            ev.prevent_default();
            match build() {
                Ok(q) => {
                    local_errors.set(Vec::new());
                    save.dispatch(SaveBankQuestion { course_id, input: BankQuestion {
                        id,
                        category_id: category.get_untracked().parse().unwrap_or(0),
                        question: q,
                        version,
                    }});
                }
                Err(errors) => local_errors.set(errors),
            }
        }>
            <div class="field">
                <label for="q-name">"Name"</label>
                <p class="hint" id="q-name-hint">"Shown in the bank only; left empty, the start of the text is used."</p>
                <input id="q-name" type="text" aria-describedby="q-name-hint" bind:value=name />
            </div>
            <div class="field">
                <label for="q-category">"Category"</label>
                <select id="q-category" prop:value=move || category.get() on:change=move |ev| category.set(event_target_value(&ev))>
                    {categories.iter().map(|c| view! { <option value=c.id.to_string()>{c.name.clone()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="q-stem">"Question text"</label>
                <p class="hint" id="q-stem-hint">{match (stem_format, type_key) {
                    (_, "fill_blanks") => "Mark each blank as [[1]], [[2]], … in the text.",
                    (TextFormat::Markdown, _) => "Markdown: **bold**, lists, images, tables.",
                    (TextFormat::Html | TextFormat::Moodle, _) => "HTML (as imported); unsafe markup is removed when shown.",
                    (TextFormat::Plain, _) => "Plain text.",
                }}</p>
                <textarea id="q-stem" rows="6" aria-describedby="q-stem-hint" bind:value=stem></textarea>
            </div>
            <div class="field">
                <label for="q-mark">"Default mark"</label>
                <input id="q-mark" type="text" inputmode="decimal" bind:value=mark />
            </div>
            {match type_key {
                "single_choice" | "multiple_response" | "short_answer" => view! {
                    <fieldset>
                        <legend>{if type_key == "short_answer" { "Accepted answers (* matches anything)" } else { "Answers" }}</legend>
                        <p class="hint">{if type_key == "multiple_response" { "Weights of the right answers add up to 100 %; wrong ones can be negative." } else { "Give the right answer 100 %; partly right answers less." }}</p>
                        <For each=move || rows.get() key=|r| r.key let:r>
                            <div class="answer-row">
                                <div class="field"><label for=format!("a-{}", r.key)>"Answer"</label><input id=format!("a-{}", r.key) type="text" bind:value=r.a /></div>
                                <div class="field narrow"><label for=format!("b-{}", r.key)>"Weight %"</label><input id=format!("b-{}", r.key) type="text" inputmode="decimal" bind:value=r.b /></div>
                                <div class="field"><label for=format!("c-{}", r.key)>"Feedback"</label><input id=format!("c-{}", r.key) type="text" bind:value=r.c /></div>
                                <button type="button" class="btn btn-small btn-secondary" on:click=move |_| rows.update(|v| v.retain(|x| x.key != r.key))>"Remove"</button>
                            </div>
                        </For>
                        <button type="button" class="btn btn-secondary btn-small" on:click=add_row>"Add an answer"</button>
                        {(type_key == "short_answer").then(|| view! {
                            <div class="checkbox"><input id="q-case" type="checkbox" bind:checked=case_sensitive /><label for="q-case">"Case matters"</label></div>
                        })}
                    </fieldset>
                }.into_any(),
                "numeric" => view! {
                    <fieldset>
                        <legend>"Accepted values"</legend>
                        <For each=move || rows.get() key=|r| r.key let:r>
                            <div class="answer-row">
                                <div class="field narrow"><label for=format!("a-{}", r.key)>"Value"</label><input id=format!("a-{}", r.key) type="text" inputmode="decimal" bind:value=r.a /></div>
                                <div class="field narrow"><label for=format!("b-{}", r.key)>"± Tolerance (or any)"</label><input id=format!("b-{}", r.key) type="text" inputmode="decimal" bind:value=r.b /></div>
                                <div class="field narrow"><label for=format!("c-{}", r.key)>"Weight %"</label><input id=format!("c-{}", r.key) type="text" inputmode="decimal" bind:value=r.c /></div>
                                <div class="field"><label for=format!("d-{}", r.key)>"Feedback"</label><input id=format!("d-{}", r.key) type="text" bind:value=r.d /></div>
                                <button type="button" class="btn btn-small btn-secondary" on:click=move |_| rows.update(|v| v.retain(|x| x.key != r.key))>"Remove"</button>
                            </div>
                        </For>
                        <button type="button" class="btn btn-secondary btn-small" on:click=add_row>"Add a value"</button>
                    </fieldset>
                }.into_any(),
                "matching" => view! {
                    <fieldset>
                        <legend>"Pairs"</legend>
                        <For each=move || rows.get() key=|r| r.key let:r>
                            <div class="answer-row">
                                <div class="field"><label for=format!("a-{}", r.key)>"Prompt"</label><input id=format!("a-{}", r.key) type="text" bind:value=r.a /></div>
                                <div class="field"><label for=format!("b-{}", r.key)>"Matching answer"</label><input id=format!("b-{}", r.key) type="text" bind:value=r.b /></div>
                                <button type="button" class="btn btn-small btn-secondary" on:click=move |_| rows.update(|v| v.retain(|x| x.key != r.key))>"Remove"</button>
                            </div>
                        </For>
                        <button type="button" class="btn btn-secondary btn-small" on:click=add_row>"Add a pair"</button>
                        <div class="field">
                            <label for="q-distractors">"Extra wrong answers (one per line)"</label>
                            <textarea id="q-distractors" rows="3" bind:value=distractors></textarea>
                        </div>
                    </fieldset>
                }.into_any(),
                "true_false" => view! {
                    <fieldset>
                        <legend>"The statement is"</legend>
                        <div class="choice"><input type="radio" id="tf-true" name="tf" prop:checked=move || tf_correct.get() on:change=move |_| tf_correct.set(true) /><label for="tf-true">"True"</label></div>
                        <div class="choice"><input type="radio" id="tf-false" name="tf" prop:checked=move || !tf_correct.get() on:change=move |_| tf_correct.set(false) /><label for="tf-false">"False"</label></div>
                        <div class="field"><label for="tf-true-fb">"Feedback for “True”"</label><input id="tf-true-fb" type="text" bind:value=tf_true_fb /></div>
                        <div class="field"><label for="tf-false-fb">"Feedback for “False”"</label><input id="tf-false-fb" type="text" bind:value=tf_false_fb /></div>
                    </fieldset>
                }.into_any(),
                "ordering" => view! {
                    <div class="field">
                        <label for="q-items">"Items in the right order (one per line)"</label>
                        <textarea id="q-items" rows="6" bind:value=items></textarea>
                    </div>
                }.into_any(),
                "fill_blanks" => view! {
                    <div class="field">
                        <label for="q-blanks">"Accepted answers, one line per blank (separate alternatives with |)"</label>
                        <textarea id="q-blanks" rows="4" bind:value=blanks></textarea>
                    </div>
                    <div class="checkbox"><input id="q-case" type="checkbox" bind:checked=case_sensitive /><label for="q-case">"Case matters"</label></div>
                }.into_any(),
                _ => ().into_any(),
            }}
            <div class="field">
                <label for="q-general">"General feedback (shown after the attempt)"</label>
                <textarea id="q-general" rows="3" bind:value=general></textarea>
            </div>
            <div role="alert">
                {move || {
                    let mut all = local_errors.get();
                    all.extend(server_errors());
                    (!all.is_empty()).then(|| view! {
                        <ul class="alert alert-error">{all.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                    })
                }}
            </div>
            <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save question"</button>
        </form>
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}
