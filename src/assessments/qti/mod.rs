//! QTI import: IMS QTI 1.2 files (`<questestinterop>`, Canvas exports included) and QTI 2.1/2.2
//! items (`<assessmentItem>`) become bank questions, as the GIFT and Aiken importers do. One XML
//! file is read at a time; finding the files in a package is the caller's job. An item that
//! cannot become a Lyceum question (hot spots, formulas, uploads, drawings, …) is reported on its
//! line and the reader carries on. Tags are matched by local name, so any namespace (or none)
//! works. Texts keep their HTML as written: the bank sanitises it when it renders.

mod html;
mod v1;
mod v2;
pub mod write;
mod xml;

#[cfg(test)]
mod tests;

use self::html::*;
use self::v1::*;
use self::v2::*;
use self::xml::*;
use super::exchange::*;
use super::question::*;
use roxmltree::{Document, ParsingOptions};

pub fn parse_qti(input: &str) -> ImportResult {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut result = ImportResult::default();
    // QTI 1.2 samples often carry an inline DTD. A declared encoding other than UTF-8 is
    // harmless: the text is decoded already.
    let options = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let doc = match Document::parse_with_options(input, options) {
        Ok(doc) => doc,
        Err(e) => {
            let at = e.pos();
            let full = e.to_string();
            // roxmltree ends its message with " at line:column"; we say where in our own words.
            let message = full.rsplit_once(" at ").map_or(full.as_str(), |(m, _)| m);
            result.problem(
                at.row as usize,
                format!(
                    "The file is not well-formed XML: {message} (line {}, column {}).",
                    at.row, at.col
                ),
            );
            return result;
        }
    };
    let root = doc.root_element();
    match tag(root) {
        "questestinterop" => {
            read_v1_container(&doc, root, None, &mut result);
            if result.questions.is_empty() && result.problems.is_empty() {
                result.problem(
                    line_of(&doc, root),
                    "The file holds no questions: it has no <item> elements.",
                );
            }
        }
        "assessmentItem" => read_v2_item(&doc, root, &mut result),
        other => result.problem(1, wrong_root(other)),
    }
    result
}

fn wrong_root(name: &str) -> String {
    let hint = match name {
        "assessmentTest" => " It is a QTI 2 test; import the item files it refers to instead.",
        "manifest" => " It is a package manifest; import the question files it lists instead.",
        n if n.starts_with("qti-") => " It looks like QTI 3, which is not supported.",
        _ => "",
    };
    format!(
        "This is not a QTI question file: its root element is <{name}>, not <questestinterop> \
         (QTI 1.2) or <assessmentItem> (QTI 2.1/2.2).{hint}"
    )
}
