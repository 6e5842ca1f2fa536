//! Item bodies written back as HTML text, for stems and choices.

use super::*;
use crate::input::escape_html;
use roxmltree::Node;

// ---------------------------------------------------------------------------------------------
// XHTML to HTML text (QTI 2 bodies and QTI 1.2 mattext written as markup)

/// What stands in for an element when a body is written out as HTML.
pub(super) enum Swap {
    Keep,
    Drop,
    Text(String),
}

pub(super) fn keep(_: Node<'_, '_>) -> Swap {
    Swap::Keep
}

pub(super) const VOID_ELEMENTS: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];
pub(super) const BLOCK_ELEMENTS: [&str; 14] = [
    "p",
    "div",
    "ul",
    "ol",
    "table",
    "blockquote",
    "pre",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
];
pub(super) const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The children of `node` as HTML; `swap` decides what replaces an element.
pub(super) fn html_of(node: Node, swap: &dyn Fn(Node<'_, '_>) -> Swap) -> String {
    let mut out = String::new();
    write_children(node, swap, &mut out);
    out
}

pub(super) fn write_children(node: Node, swap: &dyn Fn(Node<'_, '_>) -> Swap, out: &mut String) {
    for c in node.children() {
        if c.is_text() {
            let text = c.text().unwrap_or_default();
            // Source indentation means nothing in HTML, except inside <pre>.
            if c.ancestors().any(|a| tag(a) == "pre") {
                out.push_str(&escape_html(text));
            } else {
                out.push_str(&escape_html(&squeeze(text)));
            }
        } else if c.is_element() {
            write_element(c, swap, out);
        }
    }
}

/// Runs of whitespace as one space, keeping a space at either end if there was one.
pub(super) fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

pub(super) fn write_element(node: Node, swap: &dyn Fn(Node<'_, '_>) -> Swap, out: &mut String) {
    match swap(node) {
        Swap::Drop => return,
        Swap::Text(text) => return out.push_str(&text),
        Swap::Keep => {}
    }
    let name = tag(node);
    match name {
        // Shown after an answer, or built from template variables: not part of the question.
        "feedbackBlock" | "feedbackInline" | "modalFeedback" | "templateBlock"
        | "templateInline" | "printedVariable" => return,
        // A rubric is for the candidate, or for scorers and authors only.
        "rubricBlock"
            if node
                .attribute("view")
                .is_some_and(|v| v.contains("candidate")) =>
        {
            return write_children(node, swap, out);
        }
        "rubricBlock" => return,
        _ if name.ends_with("Interaction") => return,
        _ => {}
    }
    out.push('<');
    out.push_str(name);
    for a in node.attributes().filter(|a| a.namespace() != Some(XSI)) {
        out.push_str(&format!(" {}=\"{}\"", a.name(), escape_html(a.value())));
    }
    out.push('>');
    if VOID_ELEMENTS.contains(&name) {
        return;
    }
    write_children(node, swap, out);
    out.push_str(&format!("</{name}>"));
}

pub(super) fn html_rich(node: Node) -> RichText {
    RichText::new(TextFormat::Html, html_of(node, &keep).trim())
}
