//! Every handed-in submission of an assignment as one zip: a folder per learner with their text
//! (as HTML) and their files. Built in a temporary file (never in memory), on a blocking thread.

use super::store;
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::db::Db;
use crate::error::{AppError, OrInternal};
use crate::files::records::FileRow;
use crate::files::storage::Storage;
use crate::files::zip_out::{ZipOut, safe_segment};
use crate::state::AppState;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Learners whose texts are read from the database at a time, so memory stays bounded however
/// large the class.
const TEXTS_PER_QUERY: usize = 100;

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
    let mut files: HashMap<i64, Vec<FileRow>> = HashMap::new();
    for (submission, file) in store::files_of(&state.db, &ids, "work").await? {
        files.entry(submission).or_default().push(file);
    }
    // Files handed in but gone from storage are named in a note in the learner's folder.
    let keys: Vec<String> = files
        .values()
        .flatten()
        .map(|f| f.storage_key.clone())
        .collect();
    let missing = state.files.missing(keys).await?;
    let temp = state.files.temp_path().await?;
    let zip = Zip {
        storage: state.files.clone(),
        db: state.db.clone(),
        handle: tokio::runtime::Handle::current(),
    };
    let path = temp.clone();
    let written = tokio::task::spawn_blocking(move || zip.write(&path, &work, &files, &missing))
        .await
        .or_internal("the task writing the submissions zip failed")?;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(e);
    }
    Ok((format!("{}-submissions.zip", safe_segment(&title)), temp))
}

/// What the blocking writer reaches back to: stored files and the database (through the runtime).
struct Zip {
    storage: Storage,
    db: Db,
    handle: tokio::runtime::Handle,
}

impl Zip {
    fn write(
        &self,
        path: &Path,
        work: &[store::SubmittedWork],
        files: &HashMap<i64, Vec<FileRow>>,
        missing: &HashSet<String>,
    ) -> Result<(), AppError> {
        let mut zip = ZipOut::create(path, "the submissions zip")?;
        for page in work.chunks(TEXTS_PER_QUERY) {
            let ids: Vec<i64> = page.iter().map(|w| w.submission_id).collect();
            let texts: HashMap<i64, String> = self
                .handle
                .block_on(store::bodies(&self.db, &ids))?
                .into_iter()
                .collect();
            for w in page {
                let folder = format!("{} ({})", safe_segment(&w.name), w.user_id);
                // Two files of one learner may share a name: number the later ones.
                let mut used = HashSet::new();
                let mut start = |zip: &mut ZipOut, name: &str| {
                    let mut entry = format!("{folder}/{name}");
                    let mut n = 2;
                    while !used.insert(entry.clone()) {
                        entry = format!("{folder}/{n}-{name}");
                        n += 1;
                    }
                    zip.start(&entry)
                };
                if let Some(body) = texts.get(&w.submission_id).filter(|b| !b.trim().is_empty()) {
                    let html = crate::courses::content::render_markdown(body);
                    start(&mut zip, "online-text.html")?;
                    let page = format!(
                        "<!doctype html><meta charset=\"utf-8\"><title>{}</title>\n{html}\n",
                        crate::input::escape_html(&w.name)
                    );
                    zip.write(page.as_bytes())?;
                }
                let mut lost = Vec::new();
                for f in files.get(&w.submission_id).into_iter().flatten() {
                    if missing.contains(&f.storage_key) {
                        lost.push(f.name.as_str());
                        continue;
                    }
                    start(&mut zip, &safe_segment(&f.name))?;
                    zip.stored(&self.storage, &self.handle, &f.storage_key)?;
                }
                if !lost.is_empty() {
                    start(&mut zip, "missing-files.txt")?;
                    let note = format!(
                        "These files were handed in but are missing from the server's storage:\n{}\n",
                        lost.join("\n")
                    );
                    zip.write(note.as_bytes())?;
                }
            }
        }
        zip.finish()
    }
}
