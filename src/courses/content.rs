//! Turning what instructors write into what learners see: Markdown rendered and sanitised, and video
//! addresses turned into privacy-enhanced embeds from an allow-list.

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

/// The embeddable player address for a YouTube or Vimeo link, or `None` for any other address.
/// YouTube embeds use youtube-nocookie.com and Vimeo embeds `dnt=1`, so nothing tracks a learner
/// until they press play.
pub fn video_embed(input: &str) -> Option<String> {
    let url = url::Url::parse(input.trim()).ok()?;
    if !matches!(url.scheme(), "https" | "http") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let youtube_id = match host {
        "youtube.com" | "m.youtube.com" | "youtube-nocookie.com" => match segments.as_slice() {
            ["watch"] => url
                .query_pairs()
                .find(|(k, _)| k == "v")
                .map(|(_, v)| v.into_owned()),
            ["embed" | "shorts" | "live", id] => Some((*id).to_string()),
            _ => None,
        },
        "youtu.be" => segments.first().map(|s| (*s).to_string()),
        _ => None,
    };
    if let Some(id) = youtube_id {
        let valid = id.len() == 11
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        return valid.then(|| format!("https://www.youtube-nocookie.com/embed/{id}"));
    }
    let vimeo_id = match (host, segments.as_slice()) {
        ("vimeo.com", [id, ..]) => Some(*id),
        ("player.vimeo.com", ["video", id, ..]) => Some(*id),
        _ => None,
    }?;
    (!vimeo_id.is_empty() && vimeo_id.len() <= 20 && vimeo_id.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("https://player.vimeo.com/video/{vimeo_id}?dnt=1"))
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

    #[test]
    fn youtube_and_vimeo_become_privacy_enhanced_embeds() {
        let yt = Some("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ".to_string());
        assert_eq!(
            video_embed("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=4"),
            yt
        );
        assert_eq!(video_embed("https://youtu.be/dQw4w9WgXcQ"), yt);
        assert_eq!(video_embed("https://youtube.com/shorts/dQw4w9WgXcQ"), yt);
        assert_eq!(
            video_embed("https://vimeo.com/76979871"),
            Some("https://player.vimeo.com/video/76979871?dnt=1".into())
        );
        assert_eq!(
            video_embed("https://evil.example/watch?v=dQw4w9WgXcQ"),
            None
        );
        assert_eq!(video_embed("https://youtube.com/watch?v=bad\"id"), None);
        assert_eq!(video_embed("javascript:alert(1)"), None);
    }
}
