//! QTI 1.2 export: a quiz's questions as one `<questestinterop>` assessment, as a Common
//! Cartridge holds it. Each item carries the CC profile (`cc_profile`, which Moodle reads) where
//! the type has one, and Canvas's `question_type` (which Canvas and Lyceum read) for every type,
//! so that the types outside the CC profile (numeric, matching, ordering, blanks) come back as
//! themselves. Texts are written as sanitised HTML (plain text stays plain); `address` rewrites
//! the addresses inside the HTML (files and links of the course, for the cartridge's paths).

use super::super::question::*;
use super::super::render::to_html;
use crate::input::escape_html as escape;

/// One question of the assessment with the points it is worth in the quiz.
pub struct Slot<'a> {
    pub question: &'a Question,
    pub mark: f64,
}

/// Rewrites the addresses in an HTML text.
pub type Address<'a> = &'a dyn Fn(&str) -> String;

/// The assessment's XML.
pub fn assessment(ident: &str, title: &str, slots: &[Slot], address: Address) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<questestinterop xmlns=\"http://www.imsglobal.org/xsd/ims_qtiasiv1p2\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://www.imsglobal.org/xsd/ims_qtiasiv1p2 http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_qtiasiv1p2p1_v1p0.xsd\">\n",
    );
    out.push_str(&format!(
        "  <assessment ident=\"{}\" title=\"{}\">\n    <qtimetadata>\n{}{}    </qtimetadata>\n    <section ident=\"root_section\">\n",
        escape(ident),
        escape(title),
        field("cc_profile", "cc.exam.v0p1"),
        field("qmd_assessmenttype", "Examination"),
    ));
    // A question keeps its identifier from the source (`id_number`) when it can be one here.
    let mut used = std::collections::HashSet::new();
    for (n, slot) in slots.iter().enumerate() {
        let own = slot.question.id_number.as_deref().filter(|id| {
            !id.is_empty()
                && id.len() <= 100
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        });
        let id = match own {
            Some(id) if used.insert(id.to_string()) => id.to_string(),
            _ => format!("{ident}_q{}", n + 1),
        };
        out.push_str(&item(&id, slot, address));
    }
    out.push_str("    </section>\n  </assessment>\n</questestinterop>\n");
    out
}

fn field(label: &str, entry: &str) -> String {
    format!(
        "      <qtimetadatafield><fieldlabel>{label}</fieldlabel><fieldentry>{}</fieldentry></qtimetadatafield>\n",
        escape(entry)
    )
}

/// A text as `<material>`: HTML unless it was plain.
fn material(text: &RichText, address: Address) -> String {
    if text.format == TextFormat::Plain {
        return format!(
            "<material><mattext texttype=\"text/plain\">{}</mattext></material>",
            escape(&text.text)
        );
    }
    format!(
        "<material><mattext texttype=\"text/html\">{}</mattext></material>",
        escape(&address(&to_html(text)))
    )
}

fn plain(text: &str) -> String {
    format!(
        "<material><mattext texttype=\"text/plain\">{}</mattext></material>",
        escape(text)
    )
}

/// What an item's parts are, built up as the type is written.
#[derive(Default)]
struct Parts {
    presentation: String,
    conditions: String,
    feedback: String,
    /// Scores add up (multiple response, matching, blanks) rather than one answer setting it.
    adds: bool,
}

impl Parts {
    fn condition(&mut self, tests: &str, score: Option<f64>, feedback: Option<&str>) {
        let score = score.map_or(String::new(), |s| {
            let action = match (s < 0.0, self.adds) {
                (true, _) => "Subtract",
                (false, true) => "Add",
                (false, false) => "Set",
            };
            format!(
                "<setvar action=\"{action}\" varname=\"SCORE\">{}</setvar>",
                number(s.abs())
            )
        });
        let shown = feedback.map_or(String::new(), |id| {
            format!("<displayfeedback feedbacktype=\"Response\" linkrefid=\"{id}\"/>")
        });
        let go_on = if score.is_empty() || self.adds {
            "Yes"
        } else {
            "No"
        };
        self.conditions.push_str(&format!(
            "        <respcondition continue=\"{go_on}\"><conditionvar>{tests}</conditionvar>{shown}{score}</respcondition>\n"
        ));
    }

    /// An answer's feedback, when it has one: written, and its id for the condition to show.
    fn answer_feedback(
        &mut self,
        id: String,
        text: Option<&RichText>,
        address: Address,
    ) -> Option<String> {
        let text = text?;
        self.feedback(&id, text, address);
        Some(id)
    }

    fn feedback(&mut self, id: &str, text: &RichText, address: Address) {
        self.feedback.push_str(&format!(
            "      <itemfeedback ident=\"{id}\"><flow_mat>{}</flow_mat></itemfeedback>\n",
            material(text, address)
        ));
    }
}

impl Parts {
    fn adding() -> Parts {
        Parts {
            adds: true,
            ..Parts::default()
        }
    }
}

fn number(n: f64) -> String {
    let rounded = (n * 10_000.0).round() / 10_000.0;
    format!("{rounded}")
}

fn equal(response: &str, value: &str) -> String {
    format!(
        "<varequal respident=\"{response}\">{}</varequal>",
        escape(value)
    )
}

fn choices(response: &str, cardinality: &str, labels: &[(String, String)]) -> String {
    let labels: String = labels
        .iter()
        .map(|(id, material)| format!("<response_label ident=\"{id}\">{material}</response_label>"))
        .collect();
    format!(
        "<response_lid ident=\"{response}\" rcardinality=\"{cardinality}\"><render_choice>{labels}</render_choice></response_lid>"
    )
}

/// (CC profile, Canvas type) of a question.
fn types(body: &QuestionBody) -> (Option<&'static str>, Option<&'static str>) {
    match body {
        QuestionBody::SingleChoice { .. } => (
            Some("cc.multiple_choice.v0p1"),
            Some("multiple_choice_question"),
        ),
        QuestionBody::MultipleResponse { .. } => (
            Some("cc.multiple_response.v0p1"),
            Some("multiple_answers_question"),
        ),
        QuestionBody::TrueFalse { .. } => (Some("cc.true_false.v0p1"), Some("true_false_question")),
        QuestionBody::ShortAnswer { .. } => (Some("cc.fib.v0p1"), Some("short_answer_question")),
        QuestionBody::Numeric { .. } => (None, Some("numerical_question")),
        QuestionBody::Matching { .. } => (None, Some("matching_question")),
        // Canvas has no ordering type: the ordered response says what it is.
        QuestionBody::Ordering { .. } => (None, None),
        QuestionBody::FillBlanks { .. } => (None, Some("fill_in_multiple_blanks_question")),
        QuestionBody::Essay => (Some("cc.essay.v0p1"), Some("essay_question")),
        QuestionBody::Description => (None, Some("text_only_question")),
    }
}

/// The one response (`R`) of a choice, text or numeric question.
const R: &str = "response1";
/// A box to type an answer in (short answers, essays).
const TEXT_BOX: &str = "<response_str ident=\"response1\" rcardinality=\"Single\"><render_fib><response_label ident=\"answer1\" rshuffle=\"No\"/></render_fib></response_str>";

fn item(ident: &str, slot: &Slot, address: Address) -> String {
    let q = slot.question;
    let mut stem = q.stem.clone();
    let mut parts = Parts::default();
    match &q.body {
        QuestionBody::SingleChoice { choices: list }
        | QuestionBody::MultipleResponse { choices: list } => {
            let single = matches!(q.body, QuestionBody::SingleChoice { .. });
            if !single {
                parts = Parts::adding();
            }
            let labels: Vec<(String, String)> = list
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("c{}", i + 1), material(&c.text, address)))
                .collect();
            parts.presentation = choices(R, if single { "Single" } else { "Multiple" }, &labels);
            for (i, c) in list.iter().enumerate() {
                let id = format!("c{}", i + 1);
                let feedback =
                    parts.answer_feedback(format!("{id}_fb"), c.feedback.as_ref(), address);
                let score = (c.fraction != 0.0).then_some(c.fraction * 100.0);
                parts.condition(&equal(R, &id), score, feedback.as_deref());
            }
        }
        QuestionBody::TrueFalse {
            correct,
            true_feedback,
            false_feedback,
        } => {
            let labels = [
                ("true".to_string(), plain("True")),
                ("false".to_string(), plain("False")),
            ];
            parts.presentation = choices(R, "Single", &labels);
            for (id, right, feedback) in [
                ("true", *correct, true_feedback),
                ("false", !*correct, false_feedback),
            ] {
                let feedback =
                    parts.answer_feedback(format!("{id}_fb"), feedback.as_ref(), address);
                parts.condition(&equal(R, id), right.then_some(100.0), feedback.as_deref());
            }
        }
        QuestionBody::ShortAnswer {
            answers,
            case_sensitive,
        } => {
            parts.presentation = TEXT_BOX.to_string();
            let case = if *case_sensitive { "Yes" } else { "No" };
            for (i, a) in answers.iter().enumerate() {
                let feedback =
                    parts.answer_feedback(format!("a{}_fb", i + 1), a.feedback.as_ref(), address);
                // A `\*` in Lyceum is a literal star; QTI has no wildcards.
                let text = a.text.replace("\\*", "*");
                let test = format!(
                    "<varequal respident=\"{R}\" case=\"{case}\">{}</varequal>",
                    escape(&text)
                );
                let score = (a.fraction != 0.0).then_some(a.fraction * 100.0);
                parts.condition(&test, score, feedback.as_deref());
            }
        }
        QuestionBody::Numeric { answers } => {
            parts.presentation = format!(
                "<response_str ident=\"{R}\" rcardinality=\"Single\"><render_fib fibtype=\"Decimal\"><response_label ident=\"answer1\"/></render_fib></response_str>"
            );
            for (i, a) in answers.iter().enumerate() {
                let feedback =
                    parts.answer_feedback(format!("a{}_fb", i + 1), a.feedback.as_ref(), address);
                let exact = equal(R, &number(a.value));
                let test = if a.tolerance > 0.0 {
                    format!(
                        "<or>{exact}<and><vargte respident=\"{R}\">{}</vargte><varlte respident=\"{R}\">{}</varlte></and></or>",
                        number(a.value - a.tolerance),
                        number(a.value + a.tolerance)
                    )
                } else {
                    exact
                };
                let score = (a.fraction > 0.0).then_some(a.fraction * 100.0);
                parts.condition(&test, score, feedback.as_deref());
            }
        }
        QuestionBody::Matching { pairs, distractors } => {
            parts = Parts::adding();
            let mut answers: Vec<&str> = Vec::new();
            for a in pairs
                .iter()
                .map(|p| p.answer.as_str())
                .chain(distractors.iter().map(String::as_str))
            {
                if !answers.contains(&a) {
                    answers.push(a);
                }
            }
            let labels: Vec<(String, String)> = answers
                .iter()
                .enumerate()
                .map(|(i, a)| (format!("m{}", i + 1), plain(a)))
                .collect();
            let share = 100.0 / pairs.len().max(1) as f64;
            for (n, pair) in pairs.iter().enumerate() {
                let response = format!("response_{}", n + 1);
                let render: String = labels
                    .iter()
                    .map(|(id, m)| format!("<response_label ident=\"{id}\">{m}</response_label>"))
                    .collect();
                parts.presentation.push_str(&format!(
                    "<response_lid ident=\"{response}\">{}<render_choice>{render}</render_choice></response_lid>",
                    material(&pair.prompt, address)
                ));
                if let Some(at) = answers.iter().position(|a| *a == pair.answer) {
                    let id = format!("m{}", at + 1);
                    parts.condition(&equal(&response, &id), Some(share), None);
                }
            }
        }
        QuestionBody::Ordering { items } => {
            let labels: Vec<(String, String)> = items
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("o{}", i + 1), plain(t)))
                .collect();
            parts.presentation = choices(R, "Ordered", &labels);
            let tests: String = labels.iter().map(|(id, _)| equal(R, id)).collect();
            parts.condition(&tests, Some(100.0), None);
        }
        QuestionBody::FillBlanks { blanks } => {
            parts = Parts::adding();
            // Canvas names each blank in the text as [name].
            let mut text = stem.text.clone();
            for n in 1..=blanks.len() {
                text = text.replace(&format!("[[{n}]]"), &format!("[blank{n}]"));
            }
            stem = RichText::new(stem.format, text);
            let share = 100.0 / blanks.len().max(1) as f64;
            for (n, blank) in blanks.iter().enumerate() {
                let response = format!("response_blank{}", n + 1);
                let labels: Vec<(String, String)> = blank
                    .answers
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        (
                            format!("b{}_{}", n + 1, i + 1),
                            plain(&a.replace("\\*", "*")),
                        )
                    })
                    .collect();
                let render: String = labels
                    .iter()
                    .map(|(id, m)| format!("<response_label ident=\"{id}\">{m}</response_label>"))
                    .collect();
                parts.presentation.push_str(&format!(
                    "<response_lid ident=\"{response}\">{}<render_choice>{render}</render_choice></response_lid>",
                    plain(&format!("blank{}", n + 1))
                ));
                for (id, _) in &labels {
                    parts.condition(&equal(&response, id), Some(share), None);
                }
            }
        }
        QuestionBody::Essay => {
            parts.presentation = TEXT_BOX.to_string();
        }
        QuestionBody::Description => {}
    }
    if let Some(general) = &q.general_feedback {
        parts.feedback("general_fb", general, address);
        parts.conditions.insert_str(
            0,
            "        <respcondition continue=\"Yes\"><conditionvar><other/></conditionvar><displayfeedback feedbacktype=\"Response\" linkrefid=\"general_fb\"/></respcondition>\n",
        );
    }
    let (profile, canvas) = types(&q.body);
    let mut metadata = String::new();
    if let Some(profile) = profile {
        metadata.push_str(&field("cc_profile", profile));
    }
    if let Some(canvas) = canvas {
        metadata.push_str(&field("question_type", canvas));
    }
    metadata.push_str(&field("points_possible", &number(slot.mark)));
    let processing = if parts.conditions.is_empty() {
        String::new()
    } else {
        format!(
            "      <resprocessing><outcomes><decvar maxvalue=\"100\" minvalue=\"0\" varname=\"SCORE\" vartype=\"Decimal\"/></outcomes>\n{}      </resprocessing>\n",
            parts.conditions
        )
    };
    format!(
        "      <item ident=\"{ident}\" title=\"{}\">\n      <itemmetadata><qtimetadata>\n{metadata}      </qtimetadata></itemmetadata>\n      <presentation>{}{}</presentation>\n{processing}{}      </item>\n",
        escape(&q.name),
        material(&stem, address),
        parts.presentation,
        parts.feedback
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rich(text: &str) -> RichText {
        RichText::new(TextFormat::Html, text)
    }

    fn question(name: &str, stem: RichText, body: QuestionBody) -> Question {
        Question {
            name: name.into(),
            stem,
            general_feedback: None,
            body,
            default_mark: 1.0,
            tags: Vec::new(),
            id_number: None,
        }
    }

    /// Every type Lyceum has, with feedback, partial credit, tolerances and distractors.
    fn every_type() -> Vec<Question> {
        let choice = |text: &str, fraction: f64, feedback: Option<&str>| Choice {
            text: RichText::plain(text),
            fraction,
            feedback: feedback.map(rich),
        };
        let mut single = question(
            "Capital",
            rich(
                "<p>Which is the capital of <b>France</b>? <img src=\"/files/7/map.png\" alt=\"map\"></p>",
            ),
            QuestionBody::SingleChoice {
                choices: vec![
                    choice("Paris", 1.0, Some("<p>Yes.</p>")),
                    choice("Lyon", 0.5, None),
                    choice("Nice", 0.0, Some("<p>No.</p>")),
                ],
            },
        );
        single.general_feedback = Some(rich("<p>Paris has been the capital since 987.</p>"));
        vec![
            single,
            question(
                "Primes",
                RichText::plain("Pick the primes & only them"),
                QuestionBody::MultipleResponse {
                    choices: vec![
                        choice("2", 0.5, None),
                        choice("3", 0.5, None),
                        choice("4", -0.5, Some("<p>4 = 2 × 2</p>")),
                    ],
                },
            ),
            question(
                "Sky",
                RichText::plain("The sky is blue."),
                QuestionBody::TrueFalse {
                    correct: true,
                    true_feedback: Some(rich("<p>Right.</p>")),
                    false_feedback: None,
                },
            ),
            question(
                "Short",
                RichText::plain("Name the red planet."),
                QuestionBody::ShortAnswer {
                    answers: vec![
                        TextAnswer {
                            text: "Mars".into(),
                            fraction: 1.0,
                            feedback: Some(rich("<p>Yes</p>")),
                        },
                        TextAnswer {
                            text: "Ares".into(),
                            fraction: 0.5,
                            feedback: None,
                        },
                    ],
                    case_sensitive: true,
                },
            ),
            question(
                "Pi",
                RichText::plain("e to two places?"),
                QuestionBody::Numeric {
                    answers: vec![
                        NumericAnswer {
                            value: 2.72,
                            tolerance: 0.01,
                            fraction: 1.0,
                            feedback: None,
                        },
                        NumericAnswer {
                            value: 3.0,
                            tolerance: 0.0,
                            fraction: 0.5,
                            feedback: Some(rich("<p>Close.</p>")),
                        },
                    ],
                },
            ),
            question(
                "Match",
                RichText::plain("Match the countries."),
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
                    ],
                    distractors: vec!["Madrid".into()],
                },
            ),
            question(
                "Order",
                RichText::plain("Order the numbers."),
                QuestionBody::Ordering {
                    items: vec!["one".into(), "two".into(), "three".into()],
                },
            ),
            question(
                "Blanks",
                RichText::plain("Roses are [[1]], violets are [[2]]."),
                QuestionBody::FillBlanks {
                    blanks: vec![
                        Blank {
                            answers: vec!["red".into(), "crimson".into()],
                            case_sensitive: false,
                        },
                        Blank {
                            answers: vec!["blue".into()],
                            case_sensitive: false,
                        },
                    ],
                },
            ),
            question("Essay", rich("<p>Discuss.</p>"), QuestionBody::Essay),
            question(
                "Note",
                RichText::plain("Read this first."),
                QuestionBody::Description,
            ),
        ]
    }

    #[test]
    fn every_type_reads_back_as_itself() {
        let questions = every_type();
        let slots: Vec<Slot> = questions
            .iter()
            .enumerate()
            .map(|(i, question)| Slot {
                question,
                mark: 1.0 + i as f64,
            })
            .collect();
        let xml = assessment("quiz_1", "Mixed <quiz>", &slots, &|html| {
            html.replace("/files/7/map.png", "../web_resources/map.png")
        });
        let read = super::super::parse_qti(&xml);
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        assert_eq!(read.questions.len(), questions.len());
        for (i, (got, want)) in read.questions.iter().zip(&questions).enumerate() {
            let got = &got.question;
            assert_eq!(got.name, want.name);
            assert_eq!(got.body, want.body, "{}", want.name);
            assert_eq!(got.default_mark, 1.0 + i as f64);
            assert_eq!(got.general_feedback, want.general_feedback);
            if want.stem.format == TextFormat::Plain {
                assert_eq!(got.stem, want.stem);
            }
        }
        let first = &read.questions[0].question.stem.text;
        assert!(first.contains("../web_resources/map.png"), "{first}");
        assert!(first.contains("<b>France</b>"), "{first}");
        assert!(xml.contains("cc.multiple_choice.v0p1"));
        assert!(xml.contains("title=\"Mixed &lt;quiz&gt;\""));
    }

    #[test]
    fn markdown_and_moodle_texts_are_written_as_html() {
        let q = question(
            "Md",
            RichText::new(TextFormat::Markdown, "Is **this** bold?"),
            QuestionBody::Essay,
        );
        let xml = assessment(
            "q",
            "Q",
            &[Slot {
                question: &q,
                mark: 1.0,
            }],
            &|h| h.to_string(),
        );
        let read = super::super::parse_qti(&xml);
        let stem = &read.questions[0].question.stem;
        assert_eq!(stem.format, TextFormat::Html);
        assert!(stem.text.contains("<strong>this</strong>"), "{}", stem.text);
    }
}
