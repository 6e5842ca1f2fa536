//! What the resource kinds require of an item's shared columns, checked when it is saved.

use crate::courses::model::ItemFields;
use crate::error::AppError;

/// A file item needs a file.
pub fn file(fields: &mut ItemFields) -> Result<(), AppError> {
    if fields.file_id.is_none() {
        return Err(AppError::invalid("file_id", "Choose an uploaded file."));
    }
    Ok(())
}

/// A video is an uploaded file or a YouTube/Vimeo address, not both.
pub fn video(fields: &mut ItemFields) -> Result<(), AppError> {
    match (fields.file_id, fields.url.as_deref()) {
        (Some(_), None) => Ok(()),
        (None, Some(url)) if video_embed(url).is_some() => Ok(()),
        (None, Some(_)) => Err(AppError::invalid(
            "url",
            "Enter a YouTube or Vimeo address, or choose an uploaded video.",
        )),
        (Some(_), Some(_)) => Err(AppError::invalid(
            "url",
            "Choose an uploaded video or enter an address, not both.",
        )),
        (None, None) => Err(AppError::invalid(
            "url",
            "Choose an uploaded video or enter a YouTube or Vimeo address.",
        )),
    }
}

/// A link is a web address (kept in its normal form).
pub fn link(fields: &mut ItemFields) -> Result<(), AppError> {
    match fields.url.as_deref().map(url::Url::parse) {
        Some(Ok(u)) if matches!(u.scheme(), "http" | "https") => {
            fields.url = Some(u.to_string());
            Ok(())
        }
        _ => Err(AppError::invalid(
            "url",
            "Enter a web address starting with https:// or http://.",
        )),
    }
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
    use crate::courses::model::ItemForm;

    #[test]
    fn video_items_need_an_allowed_address_or_a_file() {
        let mut form = ItemForm {
            kind: "video".into(),
            title: "Intro".into(),
            url: "https://evil.example/video".into(),
            ..Default::default()
        };
        assert!(form.parse(video).unwrap_err().field("url").is_some());
        form.url = "https://youtu.be/dQw4w9WgXcQ".into();
        assert_eq!(
            form.parse(video).unwrap().url.as_deref(),
            Some("https://youtu.be/dQw4w9WgXcQ")
        );
        form.url.clear();
        form.file_id = "7".into();
        assert_eq!(form.parse(video).unwrap().file_id, Some(7));
        form.url = "https://youtu.be/dQw4w9WgXcQ".into();
        assert!(
            form.parse(video).unwrap_err().field("url").is_some(),
            "not both"
        );
    }

    #[test]
    fn links_must_be_web_addresses() {
        let form = ItemForm {
            kind: "link".into(),
            title: "Docs".into(),
            url: "javascript:alert(1)".into(),
            ..Default::default()
        };
        assert!(form.parse(link).unwrap_err().field("url").is_some());
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
