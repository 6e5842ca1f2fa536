//! A cartridge's HTML: the addresses in it (`href`, `src`) pointed at what the import made of
//! them, and pages turned into the Markdown lessons are written in. Pure.

use regex::{Captures, Regex};
use std::sync::LazyLock;

/// `href="…"`, `src='…'`, and the same escaped inside XML text (`src=&quot;…&quot;`, as QTI
/// and assignment descriptors carry their HTML).
static ADDRESS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|&quot;(.*?)&quot;|&#34;(.*?)&#34;)"#,
    )
    .ok()
});

/// Replaces each address `to` answers for; the others stay as written.
pub fn rewrite(html: &str, to: &mut dyn FnMut(&str) -> Option<String>) -> String {
    let Some(re) = ADDRESS.as_ref() else {
        return html.to_string();
    };
    re.replace_all(html, |c: &Captures| {
        let whole = c.get(0).map_or("", |m| m.as_str());
        let Some(value) = (1..=4).find_map(|i| c.get(i)) else {
            return whole.to_string();
        };
        let Some(start) = c.get(0).map(|m| m.start()) else {
            return whole.to_string();
        };
        let (from, until) = (value.start() - start, value.end() - start);
        match to(value.as_str()) {
            Some(new) => format!(
                "{}{}{}",
                whole.get(..from).unwrap_or_default(),
                new,
                whole.get(until..).unwrap_or_default()
            ),
            None => whole.to_string(),
        }
    })
    .into_owned()
}

/// What an address in a cartridge names.
#[derive(Debug, Clone, PartialEq)]
pub enum Address {
    /// A file of the cartridge: its path from `$IMS-CC-FILEBASE$` or from the page's folder.
    File { base: bool, path: String },
    /// Canvas's link to a wiki page by its slug (`$WIKI_REFERENCE$/pages/slug`).
    Page(String),
    /// Canvas's link to another object by its identifier (`$CANVAS_OBJECT_REFERENCE$/quizzes/id`).
    Object(String),
    /// Anything else (the web, a fragment, mail): kept as written.
    Other,
}

pub fn address(raw: &str) -> Address {
    let raw = raw.replace("&amp;", "&");
    let decoded = percent_encoding::percent_decode_str(&raw)
        .decode_utf8_lossy()
        .to_string();
    let path = decoded
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    // Some exporters write the marker with underscores.
    let base = path
        .strip_prefix("$IMS-CC-FILEBASE$")
        .or_else(|| path.strip_prefix("$IMS_CC_FILEBASE$"));
    if let Some(rest) = base {
        return Address::File {
            base: true,
            path: rest.trim_start_matches('/').to_string(),
        };
    }
    if let Some(rest) = path.strip_prefix("$WIKI_REFERENCE$/pages/") {
        return Address::Page(rest.trim_end_matches('/').to_string());
    }
    if let Some(rest) = path.strip_prefix("$CANVAS_OBJECT_REFERENCE$/") {
        return Address::Object(rest.rsplit('/').next().unwrap_or_default().to_string());
    }
    let lower = path.to_lowercase();
    let elsewhere = lower.contains(':') || lower.starts_with("//") || lower.starts_with('/');
    if path.is_empty() || elsewhere || path.starts_with('$') {
        return Address::Other;
    }
    Address::File { base: false, path }
}

/// A page's `<title>`, when it has one.
pub fn title(html: &str) -> Option<String> {
    let lower = html.to_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower.get(start..)?.find('>')? + 1;
    let close = open_end + lower.get(open_end..)?.find("</title")?;
    let text = crate::assessments::exchange::decode_entities(html.get(open_end..close)?);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// A page as Markdown: what Lyceum's lesson editor shows and its renderer sanitises. Scripts,
/// styles and the head are dropped.
pub fn to_markdown(html: &str) -> String {
    let converter = htmd::HtmlToMarkdown::builder()
        .skip_tags(vec!["script", "style", "head", "title", "meta", "link"])
        .build();
    match converter.convert(html) {
        Ok(md) => md.trim().to_string(),
        // htmd fails only when html5ever does, which it does not for text; keep the words.
        Err(_) => html.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_addresses_in_every_quoting() {
        let html = r#"<img src="$IMS-CC-FILEBASE$/a.png"> <a
          href='x.pdf'>x</a> &lt;img src=&quot;b.png&quot;&gt; <a href="https://e.org">e</a>"#;
        let out = rewrite(html, &mut |v| {
            (!v.starts_with("https")).then(|| format!("[{v}]"))
        });
        assert!(out.contains(r#"src="[$IMS-CC-FILEBASE$/a.png]""#), "{out}");
        assert!(out.contains(r#"href='[x.pdf]'"#), "{out}");
        assert!(out.contains(r#"src=&quot;[b.png]&quot;"#), "{out}");
        assert!(out.contains(r#"href="https://e.org""#), "{out}");
    }

    #[test]
    fn reads_addresses() {
        assert_eq!(
            address("%24IMS-CC-FILEBASE%24/Course%20Files/a.png?canvas_download=1"),
            Address::File {
                base: true,
                path: "Course Files/a.png".into()
            }
        );
        assert_eq!(
            address("%24IMS_CC_FILEBASE%24/Course%20Files/a.png"),
            Address::File {
                base: true,
                path: "Course Files/a.png".into()
            }
        );
        assert_eq!(
            address("../web_resources/b.pdf"),
            Address::File {
                base: false,
                path: "../web_resources/b.pdf".into()
            }
        );
        assert_eq!(
            address("%24WIKI_REFERENCE%24/pages/wiki-sample"),
            Address::Page("wiki-sample".into())
        );
        assert_eq!(
            address("%24CANVAS_OBJECT_REFERENCE%24/assignments/i707c"),
            Address::Object("i707c".into())
        );
        for other in [
            "https://e.org/x",
            "mailto:a@b",
            "#top",
            "/files/1",
            "//cdn/x.js",
        ] {
            assert_eq!(address(other), Address::Other, "{other}");
        }
    }

    #[test]
    fn converts_pages() {
        let md = to_markdown(
            "<html><head><title>T</title><script>x()</script></head><body>\n  <h2>Fire</h2>\n    <p>Read <strong>this</strong>.</p>\n\n    <ul><li>one</li></ul></body></html>",
        );
        assert!(md.starts_with("## Fire"), "{md}");
        assert!(md.contains("Read **this**."), "{md}");
        assert!(md.contains("one"), "{md}");
        assert!(!md.contains("x()") && !md.contains('T'), "{md}");
        assert_eq!(
            title("<head><title> The  page </title></head>").as_deref(),
            Some("The page")
        );
    }
}
