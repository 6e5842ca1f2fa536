//! Turning what instructors write into what learners see: Markdown rendered and sanitised.

use pulldown_cmark::{Options, Parser, html};

/// Renders Markdown to HTML and removes anything unsafe (scripts, event handlers, `javascript:` links).
pub fn render_markdown(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    options.insert(Options::ENABLE_FOOTNOTES);
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .add_tag_attributes("code", ["class"])
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_tables_images_and_code_but_not_scripts() {
        let html = render_markdown(
            "# Cells\n\n![diagram](/files/3/cell.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```\n\n<script>alert(1)</script>\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<h1>Cells</h1>"));
        assert!(html.contains(r#"<img src="/files/3/cell.png" alt="diagram">"#));
        assert!(html.contains("<table>"));
        assert!(html.contains(r#"<code class="language-rust">"#));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("onerror"));
    }
}
