//! What a question import (GIFT, Aiken) hands back and what an export wrote or left out. Imports
//! never stop at a broken question: it becomes an `ImportProblem` with its line and the parser
//! carries on, so an instructor can fix a file in one pass.

use serde::{Deserialize, Serialize};

use super::question::*;

/// One question read from a file, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedQuestion {
    /// 1-based line where the question starts (its first line that is not a comment).
    pub line: usize,
    /// From the last `$CATEGORY:` line before it, as written (e.g. "$course$/top/Default for X").
    pub category: Option<String>,
    /// Whether the file named the question (`::title::`); otherwise its name is made from the stem.
    pub has_title: bool,
    pub question: Question,
}

/// Why a question was not imported, as a sentence for an instructor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ImportResult {
    pub questions: Vec<ImportedQuestion>,
    pub problems: Vec<ImportProblem>,
}

/// The exported text and the questions it leaves out, as `(question name, why)`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExportResult {
    pub text: String,
    pub skipped: Vec<(String, String)>,
}

impl ImportResult {
    pub fn problem(&mut self, line: usize, message: impl Into<String>) {
        self.problems.push(ImportProblem {
            line,
            message: message.into(),
        });
    }

    /// Keeps a parsed question only if the bank could use it; otherwise reports why on its line.
    pub fn accept(
        &mut self,
        line: usize,
        category: Option<String>,
        has_title: bool,
        question: Question,
    ) {
        let problems = question.problems();
        if problems.is_empty() {
            self.questions.push(ImportedQuestion {
                line,
                category,
                has_title,
                question,
            });
        } else {
            let message = format!("Question '{}': {}", question.name, problems.join(" "));
            self.problem(line, message);
        }
    }
}

/// How many characters of the stem name an untitled question.
const NAME_CHARS: usize = 60;

/// A name for a question the file did not name: the start of its stem as plain text (markup
/// removed, whitespace collapsed), cut at a word boundary near 60 characters.
pub fn name_from_stem(stem: &RichText, fallback: &str) -> String {
    let plain = if stem.format == TextFormat::Plain {
        stem.text.clone()
    } else {
        decode_entities(&strip_tags(&stem.text))
    };
    let words: Vec<&str> = plain.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.is_empty() {
        return fallback.to_string();
    }
    if joined.chars().count() <= NAME_CHARS {
        return joined;
    }
    let cut: String = joined.chars().take(NAME_CHARS).collect();
    // Prefer ending on a whole word unless that would throw away too much.
    let cut = match cut.rfind(' ') {
        Some(at) if at >= NAME_CHARS / 2 => cut[..at].to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end())
}

fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // Like PHP's strip_tags, `a < b` is text: a tag starts with a letter, `/` or `!`.
        let opens = c == '<'
            && chars
                .peek()
                .is_some_and(|n| n.is_alphabetic() || matches!(n, '/' | '!'));
        match c {
            '<' if opens => in_tag = true,
            // A tag boundary separates words ("a<br>b" is two words).
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Decodes the entities sanitised HTML uses, for plain-text names and summaries.
pub fn decode_entities(text: &str) -> String {
    const ENTITIES: [(&str, &str); 7] = [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        // Last, so "&amp;lt;" stays "&lt;".
        ("&amp;", "&"),
    ];
    ENTITIES
        .iter()
        .fold(text.to_string(), |text, (entity, plain)| {
            text.replace(entity, plain)
        })
}
