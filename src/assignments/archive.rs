//! Every handed-in submission of an assignment as one zip: a folder per learner with their text
//! (as HTML) and their files. Built in a temporary file (never in memory), on a blocking thread.

use super::store;
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::error::AppError;
use crate::files::storage::{Storage, io_error};
use crate::state::AppState;
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

/// One file to put in the zip.
struct Entry {
    folder: String,
    name: String,
    source: Source,
}

enum Source {
    Text(String),
    Stored(String),
}

/// Builds the zip and returns its suggested name and its temporary path (the caller serves it,
/// then removes it).
pub async fn build(
    state: &AppState,
    actor: &Actor,
    item_id: i64,
) -> Result<(String, PathBuf), AppError> {
    let (course_id, title, _) = super::service::find(state, item_id).await?;
    access::require(&state.db, actor, course_id, CourseAccess::may_see_learners).await?;
    let work = store::submitted_work(&state.db, item_id).await?;
    let ids: Vec<i64> = work.iter().map(|w| w.submission_id).collect();
    let files = store::files_of(&state.db, &ids, "work").await?;
    let mut entries = Vec::new();
    for w in &work {
        let folder = format!("{} ({})", safe_segment(&w.name), w.user_id);
        if !w.body.trim().is_empty() {
            let html = crate::courses::content::render_markdown(&w.body);
            entries.push(Entry {
                folder: folder.clone(),
                name: "online-text.html".into(),
                source: Source::Text(format!(
                    "<!doctype html><meta charset=\"utf-8\"><title>{}</title>\n{html}\n",
                    crate::assessments::render::escape(&w.name)
                )),
            });
        }
        for (_, f) in files.iter().filter(|(s, _)| *s == w.submission_id) {
            entries.push(Entry {
                folder: folder.clone(),
                name: safe_segment(&f.name),
                source: Source::Stored(f.storage_key.clone()),
            });
        }
    }
    let temp = state.files.temp_path().await?;
    let storage = state.files.clone();
    let handle = tokio::runtime::Handle::current();
    let path = temp.clone();
    let written = tokio::task::spawn_blocking(move || write_zip(&path, &storage, &handle, entries))
        .await
        .map_err(|_| AppError::Internal)?;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(e);
    }
    Ok((format!("{}-submissions.zip", safe_segment(&title)), temp))
}

fn write_zip(
    path: &PathBuf,
    storage: &Storage,
    handle: &tokio::runtime::Handle,
    entries: Vec<Entry>,
) -> Result<(), AppError> {
    let file = std::fs::File::create(path).map_err(io_error)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let zip_error = |e: zip::result::ZipError| {
        tracing::error!(error = %e, "could not write the submissions zip");
        AppError::Internal
    };
    let mut used = HashSet::new();
    for entry in entries {
        // Two files of one learner may share a name: number the later ones.
        let mut name = format!("{}/{}", entry.folder, entry.name);
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{}/{n}-{}", entry.folder, entry.name);
            n += 1;
        }
        zip.start_file(name, options).map_err(zip_error)?;
        match entry.source {
            Source::Text(text) => zip.write_all(text.as_bytes()).map_err(io_error)?,
            Source::Stored(key) => copy_stored(storage, handle, &key, &mut zip)?,
        }
    }
    let mut out = zip.finish().map_err(zip_error)?;
    out.flush().map_err(io_error)?;
    Ok(())
}

/// Copies a stored file into the zip: from disk, or streamed from S3 a chunk at a time.
fn copy_stored(
    storage: &Storage,
    handle: &tokio::runtime::Handle,
    key: &str,
    out: &mut impl Write,
) -> Result<(), AppError> {
    if let Some(path) = storage.local_path(key)? {
        let mut file = std::fs::File::open(path).map_err(io_error)?;
        std::io::copy(&mut file, out).map_err(io_error)?;
        return Ok(());
    }
    handle.block_on(async {
        use futures_util::StreamExt;
        let mut stream = Box::pin(storage.read_object(key, None).await?);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                tracing::error!(error = %e, "could not read a stored file for the zip");
                AppError::Internal
            })?;
            out.write_all(&chunk).map_err(io_error)?;
        }
        Ok(())
    })
}

/// A name safe as one path segment in a zip (no slashes, no dot-dot, no control characters).
fn safe_segment(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim().trim_matches('.').trim();
    if trimmed.is_empty() {
        "unnamed".into()
    } else {
        trimmed.chars().take(120).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_segment;

    #[test]
    fn segments_cannot_escape_their_folder() {
        assert_eq!(safe_segment("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_segment(".."), "unnamed");
        assert_eq!(safe_segment("Zoë O'Neil"), "Zoë O'Neil");
        assert_eq!(safe_segment("a\nb"), "a_b");
    }
}
