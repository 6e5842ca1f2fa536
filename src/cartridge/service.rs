//! Importing a Common Cartridge into a course: the cartridge is read and planned first
//! (`plan::read`, nothing kept of a refused one), the files it uses are stored, then every
//! section, item, question, file record and the import's report are written in one
//! transaction, so an import lands whole or not at all. The new sections follow the course's
//! own. Only people who may edit the course import.

use super::model::{ImportReport, SkippedLine};
use super::plan::{self, Content, Mark, Plan};
use super::store::{self, NewImport};
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::model::ItemForm;
use crate::courses::outline_store;
use crate::db::{Tx, now};
use crate::error::{AppError, internal};
use crate::files::{records, sniff, storage::Storage};
use crate::items::registry::Imported;
use crate::packages::zip;
use crate::paging::Page;
use crate::state::AppState;
use axum::body::Bytes;
use futures_util::Stream;
use std::path::{Path, PathBuf};

pub async fn authorize(state: &AppState, actor: &Actor, course_id: i64) -> Result<(), AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    Ok(())
}

/// The course's imports, newest first, for those who may edit it.
pub async fn imports(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    page: u32,
) -> Result<Page<ImportReport>, AppError> {
    authorize(state, actor, course_id).await?;
    store::list(&state.db, course_id, page).await
}

/// Receives a cartridge (`.imscc` or `.zip`) and imports it; answers the import's id.
pub async fn import<S, E>(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    name: &str,
    mut chunks: S,
) -> Result<i64, AppError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    authorize(state, actor, course_id).await?;
    let zip = state.files.temp_path().await?;
    let unpacked = state.files.temp_path().await?;
    let result = async {
        crate::files::service::write_temp(&zip, state.config.max_upload_bytes, &mut chunks).await?;
        let plan = blocking({
            let zip = zip.clone();
            move || plan::read(&zip)
        })
        .await?
        .map_err(|r| AppError::invalid("file", r.to_string()))?;
        import_plan(state, actor, course_id, name, &zip, &unpacked, plan).await
    }
    .await;
    let _ = tokio::fs::remove_file(&zip).await;
    let _ = tokio::fs::remove_dir_all(&unpacked).await;
    result
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| internal("reading a cartridge", e))
}

/// A file of the cartridge as stored: `None` when its type is not one Lyceum keeps.
struct Kept {
    key: String,
    name: String,
    content_type: &'static str,
    size: i64,
    sha256: String,
}

async fn import_plan(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    name: &str,
    zip: &Path,
    unpacked: &Path,
    mut plan: Plan,
) -> Result<i64, AppError> {
    let entries: Vec<zip::Entry> = plan.files.iter().map(|f| f.entry.clone()).collect();
    if !entries.is_empty() {
        let (zip, dir) = (zip.to_path_buf(), unpacked.to_path_buf());
        blocking(move || zip::unpack(&zip, &entries, &dir))
            .await?
            .map_err(|e| AppError::invalid("file", e.to_string()))?;
    }
    let kept = keep_files(&state.files, &mut plan, unpacked).await?;
    let keys: Vec<String> = kept.iter().flatten().map(|k| k.key.clone()).collect();
    let mut tx = state.db.begin().await?;
    let recorded = record(&mut tx, actor, course_id, name, &plan, &kept).await;
    let result = match recorded {
        Ok(id) => tx.commit().await.map(|_| id).map_err(AppError::from),
        Err(e) => Err(e),
    };
    if result.is_err() {
        for key in &keys {
            let _ = state.files.delete(key).await;
        }
    }
    result
}

/// Stores each planned file; a type Lyceum does not keep is reported and left.
async fn keep_files(
    storage: &Storage,
    plan: &mut Plan,
    unpacked: &Path,
) -> Result<Vec<Option<Kept>>, AppError> {
    let mut kept: Vec<Option<Kept>> = Vec::with_capacity(plan.files.len());
    for file in &plan.files {
        let path: PathBuf = unpacked.join(file.entry.index.to_string());
        let (head, sha256, size) = read_head_and_hash(&path).await?;
        let name = sniff::safe_name(&file.name);
        let Some(content_type) = sniff::content_type(&head, &name) else {
            plan.skipped.push(plan::Skipped {
                title: file.entry.path.clone(),
                reason: "Lyceum does not keep files of this type, so it was left out.".into(),
            });
            kept.push(None);
            continue;
        };
        let key = Storage::new_key();
        if let Err(e) = storage.commit(&path, &key).await {
            for done in kept.iter().flatten() {
                let _ = storage.delete(&done.key).await;
            }
            return Err(e);
        }
        kept.push(Some(Kept {
            key,
            name: sniff::name_for(&name, content_type),
            content_type,
            size,
            sha256,
        }));
    }
    Ok(kept)
}

async fn read_head_and_hash(path: &Path) -> Result<(Vec<u8>, String, i64), AppError> {
    let path = path.to_path_buf();
    let (size, sha, head) = blocking(move || crate::files::service::Fingerprint::of_file(&path))
        .await?
        .map_err(crate::files::storage::io_error)?;
    Ok((head, sha, size as i64))
}

/// Everything of the import in the caller's transaction; the import's id.
async fn record(
    tx: &mut Tx,
    actor: &Actor,
    course_id: i64,
    file_name: &str,
    plan: &Plan,
    kept: &[Option<Kept>],
) -> Result<i64, AppError> {
    let now = now();
    let mut skipped: Vec<SkippedLine> = plan
        .skipped
        .iter()
        .map(|s| SkippedLine {
            title: s.title.clone(),
            reason: s.reason.clone(),
        })
        .collect();
    let mut file_urls: Vec<Option<(i64, String)>> = Vec::with_capacity(kept.len());
    for k in kept {
        let Some(k) = k else {
            file_urls.push(None);
            continue;
        };
        let record = records::NewFile {
            storage_key: &k.key,
            name: &k.name,
            content_type: k.content_type,
            size_bytes: k.size,
            sha256: &k.sha256,
        };
        let id = records::insert_file(tx, course_id, &record, actor.id, now).await?;
        file_urls.push(Some((id, file_url(id, &k.name))));
    }
    // First the rows (texts may link to items made after them), then the texts.
    let mut made: Vec<(i64, &plan::PlannedItem)> = Vec::new();
    let mut sections = 0;
    for section in &plan.sections {
        let title: String = section.title.chars().take(200).collect();
        let section_id = outline_store::insert_section(tx, course_id, &title, now).await?;
        sections += 1;
        for item in &section.items {
            let file_id = item.file.and_then(|i| file_urls.get(i).cloned().flatten());
            if item.file.is_some() && file_id.is_none() {
                skipped.push(SkippedLine {
                    title: item.title.clone(),
                    reason: "Its file was left out, so the item was not made.".into(),
                });
                continue;
            }
            let form = form_of(item, String::new(), file_id.map(|(id, _)| id));
            match crate::items::service::insert_imported(tx, course_id, section_id, &form, now)
                .await
            {
                Ok(id) => made.push((id, item)),
                Err(AppError::Invalid(problems)) => skipped.push(SkippedLine {
                    title: item.title.clone(),
                    reason: problems
                        .iter()
                        .map(|p| p.message.clone())
                        .collect::<Vec<_>>()
                        .join(" "),
                }),
                Err(e) => return Err(e),
            }
        }
    }
    let fill = |text: &str| {
        Mark::fill(text, &|mark| match mark {
            Mark::File(i) => file_urls
                .get(i)
                .cloned()
                .flatten()
                .map_or_else(|| "#".to_string(), |(_, url)| url),
            Mark::Item(i) => plan
                .item_links
                .get(i)
                .and_then(|r| made.iter().find(|(_, p)| &p.resource == r))
                .map_or_else(
                    || format!("/courses/{course_id}"),
                    |(id, _)| format!("/courses/{course_id}/learn/{id}"),
                ),
        })
    };
    let mut questions = 0;
    for (id, item) in &made {
        let file_id = item.file.and_then(|i| file_urls.get(i).cloned().flatten());
        let form = form_of(item, fill(&item.body), file_id.map(|(id, _)| id));
        let content = match &item.content {
            Content::Plain => Imported::Nothing,
            Content::Assignment { points } => Imported::Points(*points),
            Content::Quiz(list) => {
                questions += list.len() as i64;
                Imported::Questions(filled_questions(list, &fill)?)
            }
        };
        crate::items::service::finish_imported(tx, actor, course_id, *id, &form, &content, now)
            .await?;
    }
    for bank in &plan.banks {
        let list = filled_questions(&bank.questions, &fill)?;
        crate::assessments::bank::add_imported(tx, actor.id, course_id, &bank.title, &list, now)
            .await?;
        questions += list.len() as i64;
    }
    let files = file_urls.iter().flatten().count() as i64;
    let import = NewImport {
        course_id,
        imported_by: actor.id,
        file_name: &sniff::safe_name(file_name),
        title: &plan.title,
        version: &plan.version,
        sections,
        items: made.len() as i64,
        questions,
        files,
        skipped: &skipped,
        now,
    };
    let id = store::insert(tx, &import).await?;
    let summary = format!(
        "{} ({sections} sections, {} items, {questions} questions, {files} files; {} not imported)",
        non_empty(&plan.title, import.file_name),
        made.len(),
        skipped.len()
    );
    let entry = Entry::new(
        "course.import_cartridge",
        "course",
        Some(course_id),
        summary,
    );
    audit::record(tx, actor, entry, now).await?;
    Ok(id)
}

fn non_empty<'a>(value: &'a str, fallback: &'a str) -> &'a str {
    if value.trim().is_empty() {
        fallback
    } else {
        value
    }
}

fn form_of(item: &plan::PlannedItem, body: String, file_id: Option<i64>) -> ItemForm {
    ItemForm {
        kind: item.kind.as_str().to_string(),
        title: item.title.chars().take(200).collect(),
        body,
        url: item.url.clone().unwrap_or_default(),
        file_id: file_id.map(|id| id.to_string()).unwrap_or_default(),
        required: false,
        hidden: item.hidden,
        completion: String::new(),
    }
}

/// A file's address as pages link to it (the name percent-encoded: Markdown links end at spaces).
fn file_url(id: i64, name: &str) -> String {
    const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'.')
        .remove(b'-')
        .remove(b'_');
    let name = percent_encoding::utf8_percent_encode(name, PATH).to_string();
    format!("/files/{id}/{name}")
}

/// Questions with the files and links they use filled in (the marks are inside their texts).
fn filled_questions(
    list: &[crate::assessments::question::Question],
    fill: &dyn Fn(&str) -> String,
) -> Result<Vec<crate::assessments::question::Question>, AppError> {
    let json = serde_json::to_string(list).map_err(|e| internal("encoding questions", e))?;
    serde_json::from_str(&fill(&json)).map_err(|e| internal("filling questions", e))
}
