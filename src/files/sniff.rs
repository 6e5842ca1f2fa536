//! What a file really is, decided from its first bytes rather than from the name or the browser's
//! claim, against an allow-list of types a course may hold.

/// Bytes needed to recognise every allowed type.
pub const SNIFF_LEN: usize = 8192;

/// The content type of an allowed file, or `None` when the type is not accepted.
/// `name` only breaks ties the bytes cannot (plain text, CSV, Markdown, Office documents in a zip).
pub fn content_type(head: &[u8], name: &str) -> Option<&'static str> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if let Some(kind) = infer::get(head) {
        let mime = kind.mime_type();
        return match mime {
            "application/pdf"
            | "image/png"
            | "image/jpeg"
            | "image/gif"
            | "image/webp"
            | "video/mp4"
            | "video/webm"
            | "audio/mpeg"
            | "audio/ogg"
            | "audio/x-wav"
            | "audio/mp4"
            | "video/quicktime"
            | "application/epub+zip"
            | "application/rtf" => Some(static_mime(mime)),
            "audio/m4a" => Some("audio/mp4"),
            "application/msword"
            | "application/vnd.ms-excel"
            | "application/vnd.ms-powerpoint"
            | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            | "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            | "application/vnd.oasis.opendocument.text"
            | "application/vnd.oasis.opendocument.spreadsheet"
            | "application/vnd.oasis.opendocument.presentation" => Some(static_mime(mime)),
            "application/zip" => match ext.as_str() {
                "docx" => {
                    Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
                }
                "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                "pptx" => Some(
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                ),
                _ => Some("application/zip"),
            },
            _ => None,
        };
    }
    // No magic number: accept text only when it is valid UTF-8 (a cut multi-byte sequence at the end
    // of the sample is fine) with a text extension.
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    if !text || head.contains(&0) {
        return None;
    }
    match ext.as_str() {
        "txt" | "text" | "log" => Some("text/plain; charset=utf-8"),
        "md" | "markdown" => Some("text/markdown; charset=utf-8"),
        "csv" => Some("text/csv; charset=utf-8"),
        _ => None,
    }
}

/// The extensions each accepted type may carry; the first is the one added when a name lacks them.
const EXTENSIONS: &[(&str, &[&str])] = &[
    ("application/pdf", &["pdf"]),
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/gif", &["gif"]),
    ("image/webp", &["webp"]),
    ("video/mp4", &["mp4", "m4v"]),
    ("video/webm", &["webm"]),
    ("audio/mpeg", &["mp3"]),
    ("audio/ogg", &["ogg", "oga", "opus"]),
    ("audio/x-wav", &["wav"]),
    ("audio/mp4", &["m4a", "mp4"]),
    ("video/quicktime", &["mov"]),
    ("application/epub+zip", &["epub"]),
    ("application/rtf", &["rtf"]),
    ("application/msword", &["doc"]),
    ("application/vnd.ms-excel", &["xls"]),
    ("application/vnd.ms-powerpoint", &["ppt"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &["pptx"],
    ),
    ("application/vnd.oasis.opendocument.text", &["odt"]),
    ("application/vnd.oasis.opendocument.spreadsheet", &["ods"]),
    ("application/vnd.oasis.opendocument.presentation", &["odp"]),
    ("application/zip", &["zip"]),
    ("text/plain; charset=utf-8", &["txt", "text", "log"]),
    ("text/markdown; charset=utf-8", &["md", "markdown"]),
    ("text/csv; charset=utf-8", &["csv"]),
];

/// The name with an extension that matches what the file is: a PDF named `essay.html` is kept as
/// `essay.html.pdf`, so whoever downloads it (or unpacks a zip of submissions) never opens it as
/// something that runs.
pub fn name_for(name: &str, content_type: &str) -> String {
    let Some((_, extensions)) = EXTENSIONS.iter().find(|(t, _)| *t == content_type) else {
        return name.to_string();
    };
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if extensions.contains(&ext.as_str()) {
        name.to_string()
    } else {
        match extensions.first() {
            Some(ext) => format!("{name}.{ext}"),
            None => name.to_string(),
        }
    }
}

/// `infer` hands out `&'static str` already; this keeps the match arms readable.
fn static_mime(mime: &'static str) -> &'static str {
    mime
}

/// A display name safe to keep and to put in a header: no path, no control characters, at most
/// 120 characters, never empty.
pub fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let mut out: String = cleaned.chars().take(120).collect();
    if out.is_empty() {
        out = "file".into();
    }
    out
}

/// A text file's characters, whatever encoding it was written in: a byte-order mark (UTF-8,
/// UTF-16) first, then UTF-8 if the bytes are, then the encoding an XML declaration or an HTML
/// `<meta>` names, else Windows-1252 (what old Windows tools wrote without saying so; it reads
/// Latin-1 text the same). A declared encoding the text no longer matches is harmless: the text
/// is decoded already.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = bytes.get(bom..).unwrap_or_default();
        return encoding.decode_without_bom_handling(rest).0.into_owned();
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let encoding = declared_encoding(bytes).unwrap_or(encoding_rs::WINDOWS_1252);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// The encoding the first kilobytes declare: `<?xml … encoding="…"?>`, `<meta charset="…">` or
/// `<meta … content="text/html; charset=…">`.
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = bytes.get(..bytes.len().min(2048)).unwrap_or(bytes);
    let head: String = head
        .iter()
        .map(|&b| char::from(b))
        .collect::<String>()
        .to_lowercase();
    let at = head
        .find("encoding=")
        .map(|i| i + "encoding=".len())
        .or_else(|| head.find("charset=").map(|i| i + "charset=".len()))?;
    let label: String = head
        .get(at..)?
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes())?;
    // UTF-8 was tried already; a UTF-16 declaration without its mark is wrong.
    (encoding != encoding_rs::UTF_8
        && encoding != encoding_rs::UTF_16LE
        && encoding != encoding_rs::UTF_16BE)
        .then_some(encoding)
}

#[cfg(test)]
mod tests {

    #[test]
    fn text_in_any_encoding_is_read() {
        use super::decode_text;
        assert_eq!(decode_text(b"\xEF\xBB\xBF<a/>"), "<a/>");
        assert_eq!(
            decode_text(&[0xFF, 0xFE, b'<', 0, b'a', 0, b'/', 0, b'>', 0]),
            "<a/>"
        );
        assert_eq!(decode_text("café".as_bytes()), "café");
        // Undeclared: Windows-1252 (its quotes), which reads Latin-1 letters the same.
        assert_eq!(decode_text(b"caf\xE9 \x93x\x94"), "café \u{201c}x\u{201d}");
        let greek = b"<?xml version=\"1.0\" encoding=\"ISO-8859-7\"?><p>\xE1\xE2</p>";
        assert_eq!(
            decode_text(greek),
            "<?xml version=\"1.0\" encoding=\"ISO-8859-7\"?><p>\u{3b1}\u{3b2}</p>"
        );
        let html = b"<html><head><meta charset=\"koi8-r\"></head><body>\xC1</body></html>";
        assert!(
            decode_text(html).contains('\u{430}'),
            "{}",
            decode_text(html)
        );
    }

    use super::*;

    #[test]
    fn names_end_in_what_the_file_is() {
        assert_eq!(name_for("essay.pdf", "application/pdf"), "essay.pdf");
        assert_eq!(name_for("essay.PDF", "application/pdf"), "essay.PDF");
        assert_eq!(name_for("essay.html", "application/pdf"), "essay.html.pdf");
        assert_eq!(name_for("run.hta", "application/zip"), "run.hta.zip");
        assert_eq!(name_for("photo", "image/jpeg"), "photo.jpg");
        assert_eq!(
            name_for("notes.md", "text/markdown; charset=utf-8"),
            "notes.md"
        );
        // Every accepted type has its extensions.
        for (mime, exts) in EXTENSIONS {
            assert!(!exts.is_empty(), "{mime}");
        }
    }

    #[test]
    fn sniffs_from_bytes_not_names() {
        assert_eq!(
            content_type(b"%PDF-1.7\n...", "notes.txt"),
            Some("application/pdf")
        );
        assert_eq!(
            content_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "x.pdf"),
            Some("image/png")
        );
        assert_eq!(
            content_type(b"Hello, world", "notes.txt"),
            Some("text/plain; charset=utf-8")
        );
        // An HTML page or an executable is refused whatever it is called.
        assert_eq!(
            content_type(b"<html><script>alert(1)</script>", "page.html"),
            None
        );
        assert_eq!(content_type(b"MZ\x90\0\x03\0\0\0\x04\0", "setup.pdf"), None);
        assert_eq!(content_type(b"\0\0\0binary", "data.txt"), None);
    }

    #[test]
    fn names_lose_paths_and_odd_characters() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(
            safe_name("C:\\Users\\me\\report \"final\".pdf"),
            "report final.pdf"
        );
        assert_eq!(safe_name("..."), "file");
        assert_eq!(safe_name("a\nb.txt"), "ab.txt");
    }
}
