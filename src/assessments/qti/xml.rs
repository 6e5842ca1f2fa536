//! XML helpers both QTI versions read with.

use super::*;
use roxmltree::{Document, Node};

// ---------------------------------------------------------------------------------------------
// XML helpers shared by both versions

pub(super) fn tag<'i>(node: Node<'_, 'i>) -> &'i str {
    node.tag_name().name()
}

pub(super) fn line_of(doc: &Document, node: Node) -> usize {
    doc.text_pos_at(node.range().start).row as usize
}

pub(super) fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(Node::is_element)
}

pub(super) fn children_named<'a, 'i>(
    node: Node<'a, 'i>,
    name: &str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    elements(node).filter(move |c| tag(*c) == name)
}

pub(super) fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    children_named(node, name).next()
}

pub(super) fn descendant<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.descendants()
        .find(|d| d.is_element() && tag(*d) == name)
}

/// An attribute with its spaces trimmed, None when absent or blank.
pub(super) fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// QTI 2 feedback shown only after an answer; never part of a question's or choice's text.
pub(super) fn is_feedback(node: Node) -> bool {
    matches!(
        tag(node),
        "feedbackInline" | "feedbackBlock" | "modalFeedback"
    )
}

pub(super) fn inner_text(node: Node, out: &mut String) {
    for c in node.children() {
        if c.is_text() {
            out.push_str(c.text().unwrap_or_default());
        } else if c.is_element() && !is_feedback(c) {
            inner_text(c, out);
        }
    }
}

pub(super) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A node's text on one line, markup dropped (matching answers, ordering items, blanks).
pub(super) fn plain_of(node: Node) -> String {
    let mut text = String::new();
    inner_text(node, &mut text);
    collapse(&text)
}

/// Rich text as one plain line, for the model's plain-string answers.
pub(super) fn plain_text(text: &RichText) -> String {
    match text.format {
        TextFormat::Plain => collapse(&text.text),
        _ => {
            let mut out = String::new();
            let mut in_tag = false;
            for c in text.text.chars() {
                match c {
                    '<' => in_tag = true,
                    // A tag boundary separates words ("a<br>b").
                    '>' if in_tag => {
                        in_tag = false;
                        out.push(' ');
                    }
                    _ if !in_tag => out.push(c),
                    _ => {}
                }
            }
            collapse(&decode_entities(&out))
        }
    }
}

/// QTI compares answers literally; in Lyceum a `*` in an accepted answer is a wildcard.
pub(super) fn literal(text: &str) -> String {
    text.replace('*', "\\*")
}

pub(super) fn push_unique(list: &mut Vec<String>, text: String) {
    if !text.is_empty() && !list.contains(&text) {
        list.push(text);
    }
}
