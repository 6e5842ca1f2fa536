//! Question text to safe HTML: every format goes through ammonia, whatever an import brought in.

use super::question::{RichText, TextFormat};
use crate::input::escape_html;

pub fn to_html(text: &RichText) -> String {
    match text.format {
        TextFormat::Markdown => crate::courses::content::render_markdown(&text.text),
        // Moodle's auto-format keeps line breaks; HTML is taken as written. Both are sanitised.
        TextFormat::Moodle => ammonia::clean(&text.text.replace('\n', "<br>")),
        TextFormat::Html => ammonia::clean(&text.text),
        TextFormat::Plain => escape_html(&text.text).replace('\n', "<br>"),
    }
}

/// The text without markup, for names, answer summaries and exports that need one line.
pub fn to_plain(text: &RichText) -> String {
    match text.format {
        TextFormat::Plain => text.text.clone(),
        _ => {
            let html = to_html(text);
            let stripped = ammonia::Builder::empty().clean(&html).to_string();
            super::exchange::decode_entities(&stripped)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_is_sanitised() {
        let evil = "<b>bold</b><script>alert(1)</script><img src=x onerror=alert(1)>";
        for format in [
            TextFormat::Moodle,
            TextFormat::Html,
            TextFormat::Markdown,
            TextFormat::Plain,
        ] {
            let html = to_html(&RichText::new(format, evil));
            assert!(!html.contains("<script"), "{format:?}: {html}");
            // No real tag keeps the handler (escaped text may still spell it out).
            assert!(
                !html.split('<').skip(1).any(|tag| tag
                    .split('>')
                    .next()
                    .unwrap_or("")
                    .contains("onerror")),
                "{format:?}: {html}"
            );
        }
        assert_eq!(
            to_plain(&RichText::new(TextFormat::Html, "<p>A &amp; B</p>")),
            "A & B"
        );
    }
}
