//! QTI 1.2 (`<questestinterop>`, Canvas's question types included).

use super::*;
use crate::input::escape_html;
use roxmltree::{Document, Node};
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------------
// QTI 1.2

/// Reads the items under `node`: directly, or inside <assessment>, <section>s (nested) and
/// <objectbank>. `category` is the nearest titled section's, except under Canvas's unnamed
/// "root_section".
pub(super) fn read_v1_container(
    doc: &Document,
    node: Node,
    category: Option<&str>,
    result: &mut ImportResult,
) {
    for child in elements(node) {
        match tag(child) {
            "item" => read_v1_item(doc, child, category, result),
            "section" => {
                let inner = if child.attribute("ident") == Some("root_section") {
                    None
                } else {
                    attr(child, "title").or(category)
                };
                read_v1_container(doc, child, inner, result);
            }
            "bankentry_item" => result.problem(
                line_of(doc, child),
                "The quiz refers to a question bank kept in another file of the export \
                 (bankentry_item); import that file instead.",
            ),
            _ => read_v1_container(doc, child, category, result),
        }
    }
}

/// One QTI 1.2 item, read once; each question type is then a mapping from it.
pub(super) struct Item1<'a, 'i> {
    ident: Option<String>,
    title: Option<String>,
    /// Canvas's `question_type` metadata, e.g. "multiple_choice_question".
    canvas_type: Option<String>,
    points: Option<f64>,
    presentation: Option<Node<'a, 'i>>,
    responses: Vec<Response1<'i>>,
    conditions: Vec<Condition>,
    /// `itemfeedback` texts by ident.
    feedback: HashMap<String, RichText>,
    /// Canvas formula questions keep their variables in `itemproc_extension/calculated`.
    calculated: bool,
}

/// A `response_lid`, `response_str`, … with its choices.
pub(super) struct Response1<'i> {
    kind: &'i str,
    ident: String,
    cardinality: String,
    /// The name of its `render_*` element.
    render: &'i str,
    /// Its own material: a matching prompt, or a Canvas blank's name.
    prompt: RichText,
    labels: Vec<Label>,
    numeric: bool,
}

pub(super) struct Label {
    ident: String,
    text: RichText,
    /// New Quizzes' `answer_type` (dropdown, wordbank, openEntry).
    answer_type: Option<String>,
}

/// A `respcondition`: what it tests and what it does.
#[derive(Default)]
pub(super) struct Condition {
    /// `varequal` tests outside any `<not>`.
    equals: Vec<Equal>,
    lower: Option<f64>,
    upper: Option<f64>,
    /// The `setvar` value (negative for Subtract).
    score: Option<f64>,
    /// `displayfeedback` link ids.
    feedback: Vec<String>,
    /// `correctanswer="Yes"`, which some exports set instead of points.
    marked_correct: bool,
}

pub(super) struct Equal {
    response: String,
    value: String,
    case_sensitive: bool,
}

/// Canvas's whole-item feedback; the model keeps only the neutral one, as general feedback.
pub(super) const CANVAS_ITEM_FEEDBACK: [&str; 3] =
    ["general_fb", "correct_fb", "general_incorrect_fb"];

impl<'a, 'i> Item1<'a, 'i> {
    fn read(node: Node<'a, 'i>) -> Item1<'a, 'i> {
        let presentation = child(node, "presentation");
        let responses = presentation
            .map(|p| {
                p.descendants()
                    .filter(|d| d.is_element() && is_response(tag(*d)))
                    .map(Response1::read)
                    .collect()
            })
            .unwrap_or_default();
        let conditions = node
            .descendants()
            .filter(|d| d.is_element() && tag(*d) == "respcondition")
            .map(read_condition)
            .collect();
        let feedback = children_named(node, "itemfeedback")
            .filter_map(|f| Some((attr(f, "ident")?.to_string(), materials(f))))
            .collect();
        Item1 {
            ident: attr(node, "ident").map(String::from),
            title: attr(node, "title").map(String::from),
            canvas_type: metadata(node, "question_type"),
            points: metadata(node, "points_possible").and_then(|p| p.parse().ok()),
            presentation,
            responses,
            conditions,
            feedback,
            calculated: descendant(node, "calculated").is_some(),
        }
    }

    fn label(&self) -> &str {
        self.title
            .as_deref()
            .or(self.ident.as_deref())
            .unwrap_or("untitled")
    }

    /// The question text: the presentation's material, with `[[n]]` for each response when
    /// the responses are blanks in the text.
    fn stem(&self, blanks: bool) -> RichText {
        let mut pieces = Vec::new();
        let mut count = 0;
        if let Some(p) = self.presentation {
            presentation_pieces(p, blanks, &mut count, &mut pieces);
        }
        rich_text(&pieces)
    }

    fn first_lid(&self) -> Result<&Response1<'i>, String> {
        self.responses
            .iter()
            .find(|r| r.kind == "response_lid")
            .ok_or_else(|| "it has no answer choices.".to_string())
    }

    /// Conditions that give points and test `response`.
    fn scoring<'s>(&'s self, response: &'s str) -> impl Iterator<Item = &'s Condition> {
        self.conditions.iter().filter(move |c| {
            c.score.is_some_and(|s| s > 0.0) && c.equals.iter().any(|e| e.response == response)
        })
    }

    /// Whether a condition that gives points picks `value` for `response`.
    fn picks(&self, response: &str, value: &str) -> bool {
        self.scoring(response).any(|c| {
            c.equals
                .iter()
                .any(|e| e.response == response && e.value == value)
        })
    }

    /// The best score given when `value` is picked for `response`.
    fn score_of(&self, response: &str, value: &str) -> Option<f64> {
        self.conditions
            .iter()
            .filter(|c| {
                c.equals
                    .iter()
                    .any(|e| e.response == response && e.value == value)
            })
            .filter_map(|c| c.score)
            .reduce(f64::max)
    }

    /// Feedback shown for one answer: from a condition testing that answer alone.
    fn answer_feedback(&self, response: &str, value: &str) -> Option<RichText> {
        self.conditions
            .iter()
            .filter(|c| {
                matches!(c.equals.as_slice(), [e] if e.response == response && e.value == value)
            })
            .find_map(|c| self.condition_feedback(c))
    }

    fn condition_feedback(&self, condition: &Condition) -> Option<RichText> {
        condition
            .feedback
            .iter()
            .filter(|id| !CANVAS_ITEM_FEEDBACK.contains(&id.as_str()))
            .find_map(|id| self.feedback.get(id))
            .cloned()
    }
}

pub(super) fn is_response(name: &str) -> bool {
    matches!(
        name,
        "response_lid"
            | "response_str"
            | "response_num"
            | "response_xy"
            | "response_grp"
            | "response_extension"
    )
}

impl<'i> Response1<'i> {
    fn read(node: Node<'_, 'i>) -> Response1<'i> {
        let render = elements(node)
            .map(tag)
            .find(|n| n.starts_with("render_"))
            .unwrap_or_default();
        let prompt: Vec<(String, bool)> = children_named(node, "material")
            .flat_map(material_pieces)
            .collect();
        let labels = node
            .descendants()
            .filter(|d| d.is_element() && tag(*d) == "response_label")
            .map(|l| Label {
                ident: attr(l, "ident").unwrap_or_default().to_string(),
                text: materials(l),
                answer_type: l.attribute("answer_type").map(String::from),
            })
            .collect();
        let fib_type = descendant(node, "render_fib").and_then(|r| r.attribute("fibtype"));
        Response1 {
            kind: tag(node),
            ident: attr(node, "ident").unwrap_or_default().to_string(),
            cardinality: attr(node, "rcardinality").unwrap_or("Single").to_string(),
            render,
            prompt: rich_text(&prompt),
            labels,
            numeric: tag(node) == "response_num"
                || matches!(
                    fib_type,
                    Some("Decimal" | "Integer" | "Real" | "Float" | "Scientific")
                ),
        }
    }

    /// The names a Canvas stem may use for this blank: the ident after "response_" (New
    /// Quizzes), then the material text (classic Canvas).
    fn blank_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        push_unique(
            &mut names,
            self.ident
                .strip_prefix("response_")
                .unwrap_or_default()
                .to_string(),
        );
        push_unique(&mut names, plain_text(&self.prompt));
        names
    }
}

/// The first value of a Canvas `qtimetadatafield` with this label.
pub(super) fn metadata(item: Node, label: &str) -> Option<String> {
    item.descendants()
        .filter(|d| d.is_element() && tag(*d) == "qtimetadatafield")
        .find(|f| child(*f, "fieldlabel").is_some_and(|l| plain_of(l) == label))
        .and_then(|f| child(f, "fieldentry"))
        .map(plain_of)
}

pub(super) fn read_condition(node: Node) -> Condition {
    let mut condition = Condition {
        marked_correct: node.attribute("correctanswer") == Some("Yes"),
        ..Condition::default()
    };
    if let Some(var) = child(node, "conditionvar") {
        for test in var.descendants().filter(Node::is_element) {
            // A test under <not> names what must not be picked: never a right answer.
            let negated = test
                .ancestors()
                .take_while(|a| a.id() != var.id())
                .any(|a| tag(a) == "not");
            if negated {
                continue;
            }
            let mut value = String::new();
            inner_text(test, &mut value);
            let value = value.trim().to_string();
            match tag(test) {
                "varequal" => condition.equals.push(Equal {
                    response: test.attribute("respident").unwrap_or_default().to_string(),
                    value,
                    case_sensitive: test.attribute("case") == Some("Yes"),
                }),
                "vargte" | "vargt" => condition.lower = value.parse().ok(),
                "varlte" | "varlt" => condition.upper = value.parse().ok(),
                _ => {}
            }
        }
    }
    condition.score = children_named(node, "setvar").find_map(|s| {
        let value: f64 = plain_of(s).parse().ok()?;
        Some(match s.attribute("action") {
            Some("Subtract") => -value,
            _ => value,
        })
    });
    condition.feedback = children_named(node, "displayfeedback")
        .filter_map(|f| f.attribute("linkrefid").map(String::from))
        .collect();
    condition
}

/// The texts in a node's `material` elements, as one rich text.
pub(super) fn materials(node: Node) -> RichText {
    let pieces: Vec<(String, bool)> = node
        .descendants()
        .filter(|d| d.is_element() && tag(*d) == "material")
        .flat_map(material_pieces)
        .collect();
    rich_text(&pieces)
}

/// A material's texts as (text, is HTML).
pub(super) fn material_pieces(material: Node) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for m in elements(material) {
        match tag(m) {
            "mattext" | "matemtext" => out.push(mattext(m)),
            "matimage" => {
                if let Some(uri) = attr(m, "uri") {
                    let alt = m.attribute("label").unwrap_or_default();
                    let img = format!(
                        "<img src=\"{}\" alt=\"{}\">",
                        escape_html(uri),
                        escape_html(alt)
                    );
                    out.push((img, true));
                }
            }
            "matbreak" => out.push(("\n".to_string(), false)),
            _ => {}
        }
    }
    out
}

pub(super) fn mattext(node: Node) -> (String, bool) {
    let mut text = String::new();
    inner_text(node, &mut text);
    let html = match node.attribute("texttype") {
        Some(t) => t.to_ascii_lowercase().contains("html"),
        // No type given: markup written inline, or text that reads as HTML.
        None => {
            node.children().any(|c| c.is_element())
                || text.contains("</")
                || text.contains("/>")
                || text.contains("<br")
        }
    };
    if !html {
        return (text, false);
    }
    let mut out = String::new();
    for c in node.children() {
        // Text is HTML source (escaped or in CDATA); elements are XHTML written inline.
        if c.is_text() {
            out.push_str(c.text().unwrap_or_default());
        } else if c.is_element() {
            write_element(c, &keep, &mut out);
        }
    }
    (out, true)
}

/// Joins material pieces: HTML when any piece is HTML (the plain ones are escaped into it).
pub(super) fn rich_text(pieces: &[(String, bool)]) -> RichText {
    if pieces.iter().any(|(_, html)| *html) {
        let text: String = pieces
            .iter()
            .map(|(t, html)| if *html { t.clone() } else { escape_html(t) })
            .collect();
        RichText::new(TextFormat::Html, text.trim())
    } else {
        let text: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
        RichText::plain(text.trim())
    }
}

/// The presentation's material in order (through `flow`s); a response's own material and
/// choices are not question text.
pub(super) fn presentation_pieces(
    node: Node,
    blanks: bool,
    count: &mut usize,
    out: &mut Vec<(String, bool)>,
) {
    for c in elements(node) {
        match tag(c) {
            "material" => out.extend(material_pieces(c)),
            "flow" | "flow_mat" => presentation_pieces(c, blanks, count, out),
            name if blanks && is_response(name) => {
                *count += 1;
                out.push((format!("[[{count}]]"), false));
            }
            _ => {}
        }
    }
}

pub(super) fn read_v1_item(
    doc: &Document,
    node: Node,
    category: Option<&str>,
    result: &mut ImportResult,
) {
    let line = line_of(doc, node);
    let item = Item1::read(node);
    match map_v1(&item) {
        Ok((stem, body)) => {
            let name = item
                .title
                .clone()
                .unwrap_or_else(|| name_from_stem(&stem, "Question"));
            let question = Question {
                name,
                stem,
                general_feedback: item.feedback.get("general_fb").cloned(),
                body,
                default_mark: item.points.unwrap_or(1.0),
                tags: Vec::new(),
                id_number: item.ident.clone(),
            };
            result.accept(
                line,
                category.map(String::from),
                item.title.is_some(),
                question,
            );
        }
        Err(why) => result.problem(line, format!("Item '{}': {why}", item.label())),
    }
}

/// Canvas types Lyceum has no question type for.
pub(super) fn canvas_unsupported(canvas_type: &str) -> Option<&'static str> {
    match canvas_type {
        "calculated_question" | "formula_question" => Some("calculated (formula)"),
        "file_upload_question" => Some("file upload"),
        "hot_spot_question" => Some("hot spot"),
        "categorization_question" => Some("categorization"),
        _ => None,
    }
}

pub(super) fn unsupported(kind: &str) -> String {
    format!("{kind} questions are not supported.")
}

pub(super) fn map_v1(item: &Item1) -> Result<(RichText, QuestionBody), String> {
    if let Some(kind) = item.canvas_type.as_deref().and_then(canvas_unsupported) {
        return Err(unsupported(kind));
    }
    if item.calculated {
        return Err(unsupported("calculated (formula)"));
    }
    let stem = item.stem(false);
    let body = match item.canvas_type.as_deref() {
        Some("multiple_choice_question") => choice_v1(item, true)?,
        Some("multiple_answers_question") => choice_v1(item, false)?,
        Some("true_false_question") => true_false_v1(item)?,
        Some("short_answer_question") => short_answer_v1(item)?,
        Some("fill_in_multiple_blanks_question") => return canvas_blanks(item, &stem, true),
        Some("multiple_dropdowns_question") => return canvas_blanks(item, &stem, false),
        Some("numerical_question") => numeric_v1(item)?,
        Some("matching_question") => matching_v1(item),
        Some("essay_question") => QuestionBody::Essay,
        Some("text_only_question") => QuestionBody::Description,
        _ => return infer_v1(item, stem),
    };
    Ok((stem, body))
}

/// The type of an item without (known) Canvas metadata, from its responses.
pub(super) fn infer_v1(item: &Item1, stem: RichText) -> Result<(RichText, QuestionBody), String> {
    let responses = &item.responses;
    if responses
        .iter()
        .any(|r| r.kind == "response_xy" || r.render == "render_hotspot")
    {
        return Err(unsupported("hot spot"));
    }
    if responses.is_empty() {
        return Ok((stem, QuestionBody::Description));
    }
    if responses.iter().any(|r| {
        r.kind == "response_grp" || r.cardinality == "Ordered" || r.render == "render_extension"
    }) {
        return Ok((stem, ordering_v1(item)?));
    }
    if responses
        .iter()
        .all(|r| matches!(r.kind, "response_str" | "response_num"))
    {
        let [only] = responses.as_slice() else {
            return inline_blanks_v1(item);
        };
        let ranged = item
            .conditions
            .iter()
            .any(|c| c.lower.is_some() || c.upper.is_some());
        let tested = item
            .conditions
            .iter()
            .any(|c| c.equals.iter().any(|e| e.response == only.ident));
        let body = if only.numeric || ranged {
            numeric_v1(item)?
        } else if tested {
            short_answer_v1(item)?
        } else {
            QuestionBody::Essay
        };
        return Ok((stem, body));
    }
    if responses.iter().all(|r| r.kind == "response_lid") {
        // Several lists, or one with its own label: Canvas blanks when the text names them
        // all as [name], otherwise a matching question.
        let labelled = responses.len() > 1 || !responses.iter().all(|r| r.prompt.text.is_empty());
        if labelled && placeholders(&stem.text, responses).is_ok() {
            return canvas_blanks(item, &stem, false);
        }
        if responses.len() > 1 {
            return Ok((stem, matching_v1(item)));
        }
        let single = responses.iter().all(|r| r.cardinality != "Multiple");
        return Ok((stem, choice_v1(item, single)?));
    }
    Err("it mixes kinds of answer that one Lyceum question cannot hold.".into())
}

pub(super) fn choice_v1(item: &Item1, single: bool) -> Result<QuestionBody, String> {
    let r = item.first_lid()?;
    let mut scores: Vec<f64> = r
        .labels
        .iter()
        .map(|l| item.score_of(&r.ident, &l.ident).unwrap_or(0.0))
        .collect();
    if scores.iter().all(|s| *s <= 0.0) {
        // No points anywhere: fall back on conditions marked correctanswer="Yes".
        scores = r
            .labels
            .iter()
            .map(|l| {
                let marked = item.conditions.iter().any(|c| {
                    c.marked_correct
                        && c.equals
                            .iter()
                            .any(|e| e.response == r.ident && e.value == l.ident)
                });
                if marked { 1.0 } else { 0.0 }
            })
            .collect();
    }
    // Canvas marks multiple answers all-or-nothing: one condition names every right answer.
    let all_at_once = item
        .scoring(&r.ident)
        .any(|c| c.equals.iter().filter(|e| e.response == r.ident).count() > 1);
    let fractions = if single {
        share_of_best(&scores)
    } else if all_at_once {
        let right: Vec<bool> = r
            .labels
            .iter()
            .map(|l| item.picks(&r.ident, &l.ident))
            .collect();
        all_or_nothing(&right)
    } else {
        share_of_total(&scores)
    };
    let choices = r
        .labels
        .iter()
        .zip(fractions)
        .map(|(l, fraction)| Choice {
            text: l.text.clone(),
            fraction,
            feedback: item.answer_feedback(&r.ident, &l.ident),
        })
        .collect();
    Ok(if single {
        QuestionBody::SingleChoice { choices }
    } else {
        QuestionBody::MultipleResponse { choices }
    })
}

/// Single choice: each answer's score over the best one. The best score, not the declared
/// maximum, is 100 %: exporters write points (10 of 10) as often as percentages (100 of 100),
/// and Canvas's "vary points by answer" gives answers points under a maximum of 100.
pub(super) fn share_of_best(scores: &[f64]) -> Vec<f64> {
    let best = scores.iter().copied().fold(0.0, f64::max);
    scores
        .iter()
        .map(|s| {
            if best > 0.0 {
                (s / best).clamp(-1.0, 1.0)
            } else {
                0.0
            }
        })
        .collect()
}

/// Multiple response scored answer by answer: each score over the sum of the positive ones, so
/// the right answers add up to 100 % and wrong ones keep their proportion.
pub(super) fn share_of_total(scores: &[f64]) -> Vec<f64> {
    let total: f64 = scores.iter().filter(|s| **s > 0.0).sum();
    scores
        .iter()
        .map(|s| {
            if total > 0.0 {
                (s / total).clamp(-1.0, 1.0)
            } else {
                0.0
            }
        })
        .collect()
}

/// Multiple response marked all-or-nothing at the source: the right answers share 100 % and
/// each wrong one takes back an equal share, so ticking every box earns nothing (as in Canvas)
/// while partial credit stays possible.
pub(super) fn all_or_nothing(right: &[bool]) -> Vec<f64> {
    let rights = right.iter().filter(|r| **r).count();
    let wrongs = right.len() - rights;
    right
        .iter()
        .map(|r| {
            if *r {
                1.0 / rights as f64
            } else {
                -1.0 / wrongs as f64
            }
        })
        .collect()
}

pub(super) fn true_false_v1(item: &Item1) -> Result<QuestionBody, String> {
    let r = item.first_lid()?;
    let named = |word: &str| {
        r.labels
            .iter()
            .find(|l| plain_text(&l.text).eq_ignore_ascii_case(word))
    };
    let (Some(yes), Some(no)) = (
        named("true").or(r.labels.first()),
        named("false").or(r.labels.get(1)),
    ) else {
        return Err("a true/false question needs a True and a False answer.".into());
    };
    let score = |l: &Label| item.score_of(&r.ident, &l.ident).unwrap_or(0.0);
    if score(yes) <= 0.0 && score(no) <= 0.0 {
        return Err("neither True nor False is marked as the right answer.".into());
    }
    Ok(QuestionBody::TrueFalse {
        correct: score(yes) >= score(no),
        true_feedback: item.answer_feedback(&r.ident, &yes.ident),
        false_feedback: item.answer_feedback(&r.ident, &no.ident),
    })
}

pub(super) fn short_answer_v1(item: &Item1) -> Result<QuestionBody, String> {
    let r = item
        .responses
        .first()
        .ok_or_else(|| "it has no answer box.".to_string())?;
    let best = item
        .scoring(&r.ident)
        .filter_map(|c| c.score)
        .fold(0.0, f64::max);
    let mut answers: Vec<TextAnswer> = Vec::new();
    let mut case_sensitive = false;
    for c in item.scoring(&r.ident) {
        for e in c.equals.iter().filter(|e| e.response == r.ident) {
            case_sensitive |= e.case_sensitive;
            let text = literal(&e.value);
            if text.is_empty() || answers.iter().any(|a| a.text == text) {
                continue;
            }
            answers.push(TextAnswer {
                text,
                fraction: (c.score.unwrap_or(0.0) / best).clamp(-1.0, 1.0),
                feedback: item.answer_feedback(&r.ident, &e.value),
            });
        }
    }
    if answers.is_empty() {
        return Err("it gives no accepted answer.".into());
    }
    // The first matching answer counts, so the best ones go first.
    answers.sort_by(|a, b| b.fraction.total_cmp(&a.fraction));
    Ok(QuestionBody::ShortAnswer {
        answers,
        case_sensitive,
    })
}

pub(super) fn numeric_v1(item: &Item1) -> Result<QuestionBody, String> {
    let scoring: Vec<&Condition> = item
        .conditions
        .iter()
        .filter(|c| c.score.is_some_and(|s| s > 0.0))
        .collect();
    let best = scoring.iter().filter_map(|c| c.score).fold(0.0, f64::max);
    let answers: Vec<NumericAnswer> = scoring
        .iter()
        .filter_map(|c| {
            let (value, tolerance) = numeric_range(c)?;
            Some(NumericAnswer {
                value,
                tolerance,
                fraction: (c.score.unwrap_or(0.0) / best).clamp(-1.0, 1.0),
                feedback: item.condition_feedback(c),
            })
        })
        .collect();
    if answers.is_empty() {
        return Err("it gives no right number.".into());
    }
    Ok(QuestionBody::Numeric { answers })
}

/// A condition's accepted number and tolerance.
pub(super) fn numeric_range(c: &Condition) -> Option<(f64, f64)> {
    let exact = c.equals.first().and_then(|e| e.value.parse::<f64>().ok());
    match (exact, c.lower, c.upper) {
        // Canvas writes a margin or precision answer as "the value, or between these two":
        // keep the value and accept half the range either side.
        (Some(value), Some(lower), Some(upper)) => Some((value, half_range(lower, upper))),
        (Some(value), _, _) => Some((value, 0.0)),
        (None, Some(lower), Some(upper)) => Some(((lower + upper) / 2.0, half_range(lower, upper))),
        _ => None,
    }
}

/// Half the width of a range, without the binary noise of the subtraction (3.15 − 3.13 is
/// 0.0200000000000018): a tolerance is read back as it was written.
fn half_range(lower: f64, upper: f64) -> f64 {
    ((upper - lower).abs() / 2.0 * 1e9).round() / 1e9
}

/// Where each response's `[name]` sits in a Canvas stem, as (byte offset, length), in
/// response order. Spots never overlap, so two blanks named alike take two places.
pub(super) fn placeholders(
    text: &str,
    responses: &[Response1],
) -> Result<Vec<(usize, usize)>, String> {
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for r in responses {
        let names = r.blank_names();
        let spot = names.iter().find_map(|name| {
            let pattern = format!("[{name}]");
            text.match_indices(&pattern)
                .map(|(at, _)| (at, pattern.len()))
                .find(|&(at, len)| !taken.iter().any(|&(t, tlen)| at < t + tlen && t < at + len))
        });
        match spot {
            Some(spot) => taken.push(spot),
            None => {
                let name = names.last().map_or(r.ident.as_str(), String::as_str);
                return Err(format!(
                    "the text has no [{name}] to show where that blank goes."
                ));
            }
        }
    }
    Ok(taken)
}

/// Canvas's fill in multiple blanks and multiple dropdowns: each `[name]` in the stem becomes
/// `[[n]]`, numbered in reading order. Fill-in blanks list only accepted answers as choices
/// (marking just the first as right); dropdowns and New Quizzes word banks list wrong ones too.
pub(super) fn canvas_blanks(
    item: &Item1,
    stem: &RichText,
    every_listed: bool,
) -> Result<(RichText, QuestionBody), String> {
    let spots = placeholders(&stem.text, &item.responses)?;
    let mut order: Vec<((usize, usize), &Response1)> =
        spots.into_iter().zip(&item.responses).collect();
    order.sort_by_key(|((at, _), _)| *at);
    let mut text = String::new();
    let mut last = 0;
    let mut blanks = Vec::new();
    for (n, ((at, len), r)) in order.into_iter().enumerate() {
        text.push_str(stem.text.get(last..at).unwrap_or_default());
        text.push_str(&format!("[[{}]]", n + 1));
        last = at + len;
        let mut answers = Vec::new();
        for l in &r.labels {
            let listed =
                every_listed && matches!(l.answer_type.as_deref(), None | Some("openEntry"));
            if listed || item.picks(&r.ident, &l.ident) {
                push_unique(&mut answers, literal(&plain_text(&l.text)));
            }
        }
        if answers.is_empty() {
            let name = r.blank_names().pop().unwrap_or_default();
            return Err(format!("blank [{name}] has no right answer."));
        }
        blanks.push(Blank {
            answers,
            case_sensitive: false,
        });
    }
    text.push_str(stem.text.get(last..).unwrap_or_default());
    Ok((
        RichText::new(stem.format, text),
        QuestionBody::FillBlanks { blanks },
    ))
}

/// Standard QTI 1.2 fill-in-the-blanks: text boxes between pieces of material.
pub(super) fn inline_blanks_v1(item: &Item1) -> Result<(RichText, QuestionBody), String> {
    let blanks = item
        .responses
        .iter()
        .map(|r| {
            let mut answers = Vec::new();
            let mut case_sensitive = false;
            for e in item
                .scoring(&r.ident)
                .flat_map(|c| &c.equals)
                .filter(|e| e.response == r.ident)
            {
                case_sensitive |= e.case_sensitive;
                push_unique(&mut answers, literal(&e.value));
            }
            Blank {
                answers,
                case_sensitive,
            }
        })
        .collect();
    Ok((item.stem(true), QuestionBody::FillBlanks { blanks }))
}

pub(super) fn matching_v1(item: &Item1) -> QuestionBody {
    let lists: Vec<&Response1> = item
        .responses
        .iter()
        .filter(|r| r.kind == "response_lid")
        .collect();
    let mut pairs = Vec::new();
    for r in &lists {
        let answer = r
            .labels
            .iter()
            .find(|l| item.picks(&r.ident, &l.ident))
            .map(|l| plain_text(&l.text))
            .unwrap_or_default();
        // Canvas exports rows left empty in its editor as a blank prompt with a blank answer.
        if r.prompt.text.trim().is_empty() && answer.is_empty() {
            continue;
        }
        pairs.push(MatchPair {
            prompt: r.prompt.clone(),
            answer,
        });
    }
    let mut distractors = Vec::new();
    for l in lists.iter().flat_map(|r| &r.labels) {
        let text = plain_text(&l.text);
        if !pairs.iter().any(|p| p.answer == text) {
            push_unique(&mut distractors, text);
        }
    }
    QuestionBody::Matching { pairs, distractors }
}

/// An ordering: the right order is one condition testing every position in turn.
pub(super) fn ordering_v1(item: &Item1) -> Result<QuestionBody, String> {
    let r = item
        .responses
        .first()
        .ok_or_else(|| "it has no answer choices.".to_string())?;
    let order: Vec<&str> = item
        .conditions
        .iter()
        .map(|c| {
            c.equals
                .iter()
                .filter(|e| e.response == r.ident)
                .map(|e| e.value.as_str())
                .collect::<Vec<_>>()
        })
        .find(|order| order.len() >= 2)
        .ok_or_else(|| "it gives no right order.".to_string())?;
    let items = order
        .iter()
        .map(|id| {
            r.labels
                .iter()
                .find(|l| l.ident == *id)
                .map(|l| plain_text(&l.text))
                .ok_or_else(|| format!("its right order names an unknown answer '{id}'."))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(QuestionBody::Ordering { items })
}
