//! QTI 2.1 / 2.2 (`<assessmentItem>`).

use super::*;
use roxmltree::{Document, Node, NodeId};
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------------
// QTI 2.1 / 2.2

/// A `responseDeclaration`.
pub(super) struct Declaration {
    cardinality: String,
    base_type: String,
    correct: Vec<String>,
    mapping: Vec<MapEntry>,
}

pub(super) struct MapEntry {
    key: String,
    value: f64,
    case_sensitive: bool,
}

impl Declaration {
    /// Accepted values with their share of the mark, best first: correct values in full,
    /// other mapped values over the best mapped value.
    fn accepted(&self) -> Vec<(String, f64)> {
        let best = self.mapping.iter().map(|e| e.value).fold(0.0, f64::max);
        let mut out: Vec<(String, f64)> = self.correct.iter().map(|v| (v.clone(), 1.0)).collect();
        for e in self.mapping.iter().filter(|e| e.value > 0.0) {
            if !out.iter().any(|(v, _)| *v == e.key) {
                out.push((e.key.clone(), (e.value / best).min(1.0)));
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    /// Each choice's score: its mapped value, or 1 when it is a correct value.
    fn scores(&self, ids: &[&str]) -> Vec<f64> {
        ids.iter()
            .map(|id| {
                if self.mapping.is_empty() {
                    if self.correct.iter().any(|c| c.as_str() == *id) {
                        1.0
                    } else {
                        0.0
                    }
                } else {
                    self.mapping
                        .iter()
                        .find(|e| e.key == *id)
                        .map_or(0.0, |e| e.value)
                }
            })
            .collect()
    }

    /// The right pairs ("A B" values) of a match, associate or gap match.
    fn pairs(&self) -> Vec<(String, String)> {
        let keys: Vec<&str> = if self.correct.is_empty() {
            self.mapping
                .iter()
                .filter(|e| e.value > 0.0)
                .map(|e| e.key.as_str())
                .collect()
        } else {
            self.correct.iter().map(String::as_str).collect()
        };
        let mut out: Vec<(String, String)> = Vec::new();
        for key in keys {
            if let Some((a, b)) = key.split_once(char::is_whitespace) {
                let pair = (a.trim().to_string(), b.trim().to_string());
                if !out.contains(&pair) {
                    out.push(pair);
                }
            }
        }
        out
    }

    fn case_sensitive(&self) -> bool {
        self.mapping.iter().any(|e| e.case_sensitive)
    }
}

/// One QTI 2 item: its body, response declarations and modal feedback.
pub(super) struct Item2<'a, 'i> {
    body: Node<'a, 'i>,
    declarations: HashMap<String, Declaration>,
    modal: Vec<(String, RichText)>,
}

impl<'a, 'i> Item2<'a, 'i> {
    fn read(node: Node<'a, 'i>) -> Result<Item2<'a, 'i>, String> {
        let body = child(node, "itemBody").ok_or_else(|| "it has no <itemBody>.".to_string())?;
        let declarations = children_named(node, "responseDeclaration")
            .filter_map(|d| Some((attr(d, "identifier")?.to_string(), read_declaration(d))))
            .collect();
        let modal = children_named(node, "modalFeedback")
            .map(|m| {
                let id = m.attribute("identifier").unwrap_or_default().to_string();
                (id, html_rich(m))
            })
            .collect();
        Ok(Item2 {
            body,
            declarations,
            modal,
        })
    }

    fn declaration(&self, interaction: Node) -> Result<&Declaration, String> {
        let id = interaction
            .attribute("responseIdentifier")
            .unwrap_or_default();
        self.declarations
            .get(id)
            .ok_or_else(|| format!("its response '{id}' is never declared."))
    }

    fn stem(&self, swap: &dyn Fn(Node<'_, '_>) -> Swap) -> RichText {
        RichText::new(TextFormat::Html, html_of(self.body, swap).trim())
    }

    /// The body with each block interaction replaced by its prompt.
    fn stem_with_prompts(&self) -> RichText {
        self.stem(&|n: Node<'_, '_>| {
            if tag(n).ends_with("Interaction") {
                Swap::Text(prompt_html(n))
            } else {
                Swap::Keep
            }
        })
    }
}

pub(super) fn read_declaration(node: Node) -> Declaration {
    let correct = child(node, "correctResponse")
        .map(|c| children_named(c, "value").map(plain_of).collect())
        .unwrap_or_default();
    let mapping = child(node, "mapping")
        .map(|m| {
            children_named(m, "mapEntry")
                .filter_map(|e| {
                    Some(MapEntry {
                        key: e.attribute("mapKey")?.trim().to_string(),
                        value: e.attribute("mappedValue")?.trim().parse().ok()?,
                        case_sensitive: e.attribute("caseSensitive") == Some("true"),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Declaration {
        cardinality: node
            .attribute("cardinality")
            .unwrap_or("single")
            .to_string(),
        base_type: node.attribute("baseType").unwrap_or_default().to_string(),
        correct,
        mapping,
    }
}

/// An interaction's prompt as a paragraph (a div when it holds blocks), or nothing.
pub(super) fn prompt_html(interaction: Node) -> String {
    let Some(prompt) = child(interaction, "prompt") else {
        return String::new();
    };
    let inner = html_of(prompt, &keep);
    let inner = inner.trim();
    if inner.is_empty() {
        return String::new();
    }
    let blocks = prompt
        .descendants()
        .any(|d| d.is_element() && BLOCK_ELEMENTS.contains(&tag(d)));
    match blocks {
        true => format!("<div>{inner}</div>"),
        false => format!("<p>{inner}</p>"),
    }
}

pub(super) fn read_v2_item(doc: &Document, node: Node, result: &mut ImportResult) {
    let line = line_of(doc, node);
    let title = attr(node, "title").map(String::from);
    let identifier = attr(node, "identifier").map(String::from);
    let label = title
        .as_deref()
        .or(identifier.as_deref())
        .unwrap_or("untitled");
    let mapped = Item2::read(node).and_then(|item| {
        let (stem, body) = map_v2(node, &item)?;
        // One modal feedback not tied to a choice is shown whatever the answer.
        let general = match item.modal.as_slice() {
            [(id, text)] if !choice_ids(node).contains(&id.as_str()) => Some(text.clone()),
            _ => None,
        };
        Ok((stem, body, general))
    });
    match mapped {
        Ok((stem, body, general_feedback)) => {
            let question = Question {
                name: title
                    .clone()
                    .unwrap_or_else(|| name_from_stem(&stem, "Question")),
                stem,
                general_feedback,
                body,
                default_mark: score_maximum(node).unwrap_or(1.0),
                tags: Vec::new(),
                id_number: identifier.clone(),
            };
            result.accept(line, None, title.is_some(), question);
        }
        Err(why) => result.problem(line, format!("Item '{label}': {why}")),
    }
}

pub(super) fn choice_ids<'a>(node: Node<'a, '_>) -> Vec<&'a str> {
    node.descendants()
        .filter(|n| n.is_element() && tag(*n) == "simpleChoice")
        .filter_map(|n| n.attribute("identifier"))
        .collect()
}

/// The SCORE outcome's `normalMaximum`, the item's mark.
pub(super) fn score_maximum(item: Node) -> Option<f64> {
    children_named(item, "outcomeDeclaration")
        .find(|o| o.attribute("identifier") == Some("SCORE"))?
        .attribute("normalMaximum")?
        .trim()
        .parse()
        .ok()
}

/// "graphicGapMatchInteraction" → "graphic gap match".
pub(super) fn interaction_words(name: &str) -> String {
    let base = name.strip_suffix("Interaction").unwrap_or(name);
    let mut out = String::new();
    for c in base.chars() {
        if c.is_uppercase() {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

pub(super) fn map_v2(node: Node, item: &Item2) -> Result<(RichText, QuestionBody), String> {
    if descendant(node, "templateDeclaration").is_some() {
        return Err(
            "it uses template variables (values that change on each attempt), which are not \
             supported."
                .into(),
        );
    }
    // An end-attempt button (hint, show solution) asks nothing.
    let interactions: Vec<Node> = item
        .body
        .descendants()
        .filter(|n| {
            n.is_element() && tag(*n).ends_with("Interaction") && tag(*n) != "endAttemptInteraction"
        })
        .collect();
    let inline = |n: &Node| matches!(tag(*n), "textEntryInteraction" | "inlineChoiceInteraction");
    match interactions.as_slice() {
        [] => Ok((item.stem_with_prompts(), QuestionBody::Description)),
        [one] if tag(*one) == "textEntryInteraction" => text_entry_v2(item, *one),
        several if several.iter().all(inline) => fill_blanks_v2(item, several),
        [one] => match tag(*one) {
            "choiceInteraction" => choice_v2(item, *one),
            "extendedTextInteraction" => Ok((item.stem_with_prompts(), QuestionBody::Essay)),
            "orderInteraction" => order_v2(item, *one),
            "matchInteraction" => match_v2(item, *one),
            "associateInteraction" => associate_v2(item, *one),
            "gapMatchInteraction" => gap_match_v2(item, *one),
            other => Err(format!(
                "{} interactions ({other}) are not supported.",
                interaction_words(other)
            )),
        },
        several => {
            let mut names: Vec<&str> = Vec::new();
            for name in several.iter().map(|n| tag(*n)) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            Err(format!(
                "it combines {} interactions ({}); a Lyceum question holds one.",
                several.len(),
                names.join(", ")
            ))
        }
    }
}

pub(super) fn choice_v2(
    item: &Item2,
    interaction: Node,
) -> Result<(RichText, QuestionBody), String> {
    let decl = item.declaration(interaction)?;
    let options: Vec<Node> = children_named(interaction, "simpleChoice").collect();
    let ids: Vec<&str> = options
        .iter()
        .map(|o| o.attribute("identifier").unwrap_or_default())
        .collect();
    let scores = decl.scores(&ids);
    let single = match interaction.attribute("maxChoices") {
        Some(max) => max.trim() == "1",
        None => decl.cardinality == "single",
    };
    let fractions = if single {
        share_of_best(&scores)
    } else if decl.mapping.is_empty() {
        // match_correct: right only when exactly the correct set is ticked.
        let right: Vec<bool> = scores.iter().map(|s| *s > 0.0).collect();
        all_or_nothing(&right)
    } else {
        share_of_total(&scores)
    };
    let choices = options
        .iter()
        .zip(&ids)
        .zip(fractions)
        .map(|((option, id), fraction)| Choice {
            text: html_rich(*option),
            fraction,
            feedback: descendant(*option, "feedbackInline")
                .map(html_rich)
                .or_else(|| {
                    item.modal
                        .iter()
                        .find(|(m, _)| m == id)
                        .map(|(_, text)| text.clone())
                }),
        })
        .collect();
    let body = if single {
        QuestionBody::SingleChoice { choices }
    } else {
        QuestionBody::MultipleResponse { choices }
    };
    Ok((item.stem_with_prompts(), body))
}

/// One text box: a short answer (or a number for numeric responses). The box comes after the
/// question, so a line marks where the word belongs in the text.
pub(super) fn text_entry_v2(
    item: &Item2,
    interaction: Node,
) -> Result<(RichText, QuestionBody), String> {
    let decl = item.declaration(interaction)?;
    let stem = item.stem(&|n: Node<'_, '_>| {
        if n.id() == interaction.id() {
            Swap::Text("_____".into())
        } else {
            Swap::Keep
        }
    });
    let accepted = decl.accepted();
    if accepted.is_empty() {
        return Err("it gives no accepted answer.".into());
    }
    let body = if matches!(decl.base_type.as_str(), "float" | "integer") {
        let answers = accepted
            .iter()
            .map(|(value, fraction)| {
                Some(NumericAnswer {
                    value: value.trim().parse().ok()?,
                    tolerance: 0.0,
                    fraction: *fraction,
                    feedback: None,
                })
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| "its right answer is not a number.".to_string())?;
        QuestionBody::Numeric { answers }
    } else {
        let answers = accepted
            .iter()
            .map(|(value, fraction)| TextAnswer {
                text: literal(value),
                fraction: *fraction,
                feedback: None,
            })
            .collect();
        QuestionBody::ShortAnswer {
            answers,
            case_sensitive: decl.case_sensitive(),
        }
    };
    Ok((stem, body))
}

/// Text boxes and inline choice lists in the text: blanks `[[n]]` where each one stood. A blank
/// has no partial credit, so only fully right answers are kept.
pub(super) fn fill_blanks_v2(
    item: &Item2,
    interactions: &[Node],
) -> Result<(RichText, QuestionBody), String> {
    let ids: Vec<NodeId> = interactions.iter().map(Node::id).collect();
    let stem = item.stem(
        &|n: Node<'_, '_>| match ids.iter().position(|id| *id == n.id()) {
            Some(i) => Swap::Text(format!("[[{}]]", i + 1)),
            None => Swap::Keep,
        },
    );
    let mut blanks = Vec::new();
    for interaction in interactions {
        let decl = item.declaration(*interaction)?;
        let full = decl
            .accepted()
            .into_iter()
            .filter(|(_, fraction)| *fraction >= 0.999_999)
            .map(|(value, _)| value);
        let mut answers = Vec::new();
        if tag(*interaction) == "inlineChoiceInteraction" {
            for id in full {
                if let Some(choice) = children_named(*interaction, "inlineChoice")
                    .find(|c| c.attribute("identifier") == Some(id.as_str()))
                {
                    push_unique(&mut answers, literal(&plain_of(choice)));
                }
            }
        } else {
            for value in full {
                push_unique(&mut answers, literal(&value));
            }
        }
        blanks.push(Blank {
            answers,
            case_sensitive: decl.case_sensitive(),
        });
    }
    Ok((stem, QuestionBody::FillBlanks { blanks }))
}

pub(super) fn order_v2(
    item: &Item2,
    interaction: Node,
) -> Result<(RichText, QuestionBody), String> {
    let decl = item.declaration(interaction)?;
    let items = decl
        .correct
        .iter()
        .map(|id| {
            children_named(interaction, "simpleChoice")
                .find(|c| c.attribute("identifier") == Some(id.as_str()))
                .map(plain_of)
                .ok_or_else(|| format!("its right order names an unknown choice '{id}'."))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if items.is_empty() {
        return Err("it gives no right order.".into());
    }
    Ok((item.stem_with_prompts(), QuestionBody::Ordering { items }))
}

pub(super) fn find_choice<'a, 'i>(choices: &[Node<'a, 'i>], id: &str) -> Option<Node<'a, 'i>> {
    choices
        .iter()
        .find(|c| c.attribute("identifier") == Some(id))
        .copied()
}

pub(super) fn match_v2(
    item: &Item2,
    interaction: Node,
) -> Result<(RichText, QuestionBody), String> {
    let decl = item.declaration(interaction)?;
    let sets: Vec<Vec<Node>> = children_named(interaction, "simpleMatchSet")
        .map(|s| children_named(s, "simpleAssociableChoice").collect())
        .collect();
    let [sources, targets] = sets.as_slice() else {
        return Err("a match interaction needs exactly two sets of choices.".into());
    };
    let mut found: Vec<(usize, Node, Node)> = Vec::new();
    for (a, b) in decl.pairs() {
        // A directed pair names the source first; take the reverse too.
        let pair = match (find_choice(sources, &a), find_choice(targets, &b)) {
            (Some(s), Some(t)) => Some((s, t)),
            _ => find_choice(sources, &b).zip(find_choice(targets, &a)),
        };
        let Some((source, target)) = pair else {
            return Err(format!("its right pair '{a} {b}' names an unknown choice."));
        };
        let at = sources
            .iter()
            .position(|s| s.id() == source.id())
            .unwrap_or_default();
        found.push((at, source, target));
    }
    found.sort_by_key(|(at, _, _)| *at);
    let pairs = found
        .iter()
        .map(|(_, s, t)| MatchPair {
            prompt: html_rich(*s),
            answer: plain_of(*t),
        })
        .collect();
    let mut distractors = Vec::new();
    for t in targets {
        if !found.iter().any(|(_, _, used)| used.id() == t.id()) {
            push_unique(&mut distractors, plain_of(*t));
        }
    }
    Ok((
        item.stem_with_prompts(),
        QuestionBody::Matching { pairs, distractors },
    ))
}

/// Associate: pairs drawn from one pool; each right pair becomes "first → second" and choices
/// in no pair become distractors.
pub(super) fn associate_v2(
    item: &Item2,
    interaction: Node,
) -> Result<(RichText, QuestionBody), String> {
    let decl = item.declaration(interaction)?;
    let options: Vec<Node> = children_named(interaction, "simpleAssociableChoice").collect();
    let mut pairs = Vec::new();
    let mut used: Vec<NodeId> = Vec::new();
    for (a, b) in decl.pairs() {
        let (Some(first), Some(second)) = (find_choice(&options, &a), find_choice(&options, &b))
        else {
            return Err(format!("its right pair '{a} {b}' names an unknown choice."));
        };
        pairs.push(MatchPair {
            prompt: html_rich(first),
            answer: plain_of(second),
        });
        used.extend([first.id(), second.id()]);
    }
    let mut distractors = Vec::new();
    for option in options.iter().filter(|o| !used.contains(&o.id())) {
        push_unique(&mut distractors, plain_of(*option));
    }
    Ok((
        item.stem_with_prompts(),
        QuestionBody::Matching { pairs, distractors },
    ))
}

/// Gap match with words: each gap becomes a typed blank accepting the words that fill it. The
/// word list itself is not kept (blanks are typed).
pub(super) fn gap_match_v2(
    item: &Item2,
    interaction: Node,
) -> Result<(RichText, QuestionBody), String> {
    let decl = item.declaration(interaction)?;
    let words: Vec<Node> = children_named(interaction, "gapText").collect();
    if descendant(interaction, "gapImg").is_some() || words.iter().any(|w| plain_of(*w).is_empty())
    {
        return Err(unsupported("gap match with pictures"));
    }
    let gaps: Vec<Node> = interaction
        .descendants()
        .filter(|n| n.is_element() && tag(*n) == "gap")
        .collect();
    let gap_id = |g: &Node| g.attribute("identifier").unwrap_or_default().to_string();
    let pairs = decl.pairs();
    let blanks = gaps
        .iter()
        .map(|gap| {
            let gap = gap_id(gap);
            let mut answers = Vec::new();
            for (a, b) in &pairs {
                // A directed pair is (word, gap); take the reverse too.
                let word = match (a == &gap, b == &gap) {
                    (_, true) => a,
                    (true, false) => b,
                    (false, false) => continue,
                };
                if let Some(w) = find_choice(&words, word) {
                    push_unique(&mut answers, literal(&plain_of(w)));
                }
            }
            Blank {
                answers,
                case_sensitive: false,
            }
        })
        .collect();
    let gap_nodes: Vec<NodeId> = gaps.iter().map(Node::id).collect();
    let inner = |n: Node<'_, '_>| match tag(n) {
        "prompt" | "gapText" => Swap::Drop,
        "gap" => match gap_nodes.iter().position(|id| *id == n.id()) {
            Some(i) => Swap::Text(format!("[[{}]]", i + 1)),
            None => Swap::Drop,
        },
        _ => Swap::Keep,
    };
    let stem = item.stem(&|n: Node<'_, '_>| {
        if n.id() == interaction.id() {
            Swap::Text(format!("{}{}", prompt_html(n), html_of(n, &inner)))
        } else {
            Swap::Keep
        }
    });
    Ok((stem, QuestionBody::FillBlanks { blanks }))
}
