//! A course as a Common Cartridge to download: its sections and items gathered through the item
//! layer (`items::registry::exported`), written by `export`, zipped in a temporary file on a
//! blocking thread (never in memory) with the course's files. Only people who may edit the
//! course export it; SCORM and cmi5 packages and acknowledgements stay out (a cartridge has no
//! place for them), as do a quiz's random draws.

use super::export::{self, Content, Course, Item, Section, StoredFile};
use crate::audit::{self, Entry};
use crate::auth::permissions::Actor;
use crate::courses::access::{self, CourseAccess};
use crate::courses::{outline_store, store as course_store};
use crate::db::now;
use crate::error::{AppError, OrInternal};
use crate::files::records::{self, FileRow};
use crate::files::storage::Storage;
use crate::files::zip_out::{ZipOut, safe_segment};
use crate::items::kind::ItemKind;
use crate::items::registry::{self, Exported};
use crate::state::AppState;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Builds the cartridge; answers its suggested name and its temporary path (the caller serves
/// it, then removes it).
pub async fn build(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
) -> Result<(String, PathBuf), AppError> {
    access::require(&state.db, actor, course_id, CourseAccess::may_edit).await?;
    let course = course_store::find(&state.db, course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let outline = outline_store::outline(&state.db, course_id, true).await?;
    let contents = outline_store::item_contents(&state.db, course_id).await?;
    // What each kind carries beside the rows: one query per kind.
    let mut kinds: HashMap<ItemKind, Vec<i64>> = HashMap::new();
    for item in outline.iter().flat_map(|s| &s.items) {
        kinds.entry(item.kind).or_default().push(item.id);
    }
    let mut extras: HashMap<i64, Exported> = HashMap::new();
    for (kind, ids) in kinds {
        extras.extend(registry::exported(state, kind, course_id, &ids).await?);
    }
    let mut sections = Vec::with_capacity(outline.len());
    let mut left_out = 0;
    for section in outline {
        let mut items = Vec::with_capacity(section.items.len());
        for item in section.items {
            let (body, url, file_id) = contents.get(&item.id).cloned().unwrap_or_default();
            let exported = extras.remove(&item.id).unwrap_or(Exported::Nothing);
            let content = match (item.kind, exported) {
                (_, Exported::Nothing) => None,
                (_, Exported::Questions(questions)) => Some(Content::Quiz(questions)),
                (_, Exported::Points(points)) => Some(Content::Assignment {
                    markdown: body,
                    points,
                }),
                (ItemKind::Lesson, Exported::Row) => Some(Content::Page(body)),
                (ItemKind::File, Exported::Row) => file_id.map(Content::File),
                (_, Exported::Row) => url.map(Content::Link),
            };
            let Some(content) = content else {
                left_out += 1;
                continue;
            };
            items.push(Item {
                id: item.id,
                title: item.title,
                hidden: item.hidden,
                content,
            });
        }
        sections.push(Section {
            title: section.title,
            items,
        });
    }
    let course = Course {
        id: course_id,
        title: course.title,
        sections,
    };
    // Every shared file of the course goes: those the items name, and the course's others
    // (the import keeps those as course files).
    let mut files: Vec<FileRow> = records::shared_files(&state.db, course_id).await?;
    // A file whose bytes are gone from storage is left out (its item with it), like items a
    // cartridge cannot hold, rather than failing the whole export.
    let keys: Vec<String> = files.iter().map(|f| f.storage_key.clone()).collect();
    let missing = state.files.missing(keys).await?;
    if !missing.is_empty() {
        tracing::warn!(
            course_id,
            missing = missing.len(),
            "course files missing from storage left out of a cartridge"
        );
        files.retain(|f| !missing.contains(&f.storage_key));
    }
    let stored: Vec<StoredFile> = files
        .iter()
        .map(|f| StoredFile {
            id: f.id,
            name: f.name.clone(),
        })
        .collect();
    let cartridge = export::write(&course, &stored);
    let keys: HashMap<i64, String> = files.into_iter().map(|f| (f.id, f.storage_key)).collect();
    let temp = state.files.temp_path().await?;
    let (storage, handle, path) = (
        state.files.clone(),
        tokio::runtime::Handle::current(),
        temp.clone(),
    );
    let written =
        tokio::task::spawn_blocking(move || write_zip(&path, &cartridge, &keys, &storage, &handle))
            .await
            .or_internal("the task writing a cartridge failed")?;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(e);
    }
    let mut tx = state.db.begin().await?;
    let entry = Entry::new(
        "course.export_cartridge",
        "course",
        Some(course_id),
        format!(
            "{} ({} sections; {left_out} items a cartridge cannot hold and {} files missing \
             from storage left out)",
            course.title,
            course.sections.len(),
            missing.len()
        ),
    );
    audit::record(&mut tx, actor, entry, now()).await?;
    tx.commit().await?;
    Ok((format!("{}.imscc", safe_segment(&course.title)), temp))
}

fn write_zip(
    path: &Path,
    cartridge: &export::Cartridge,
    keys: &HashMap<i64, String>,
    storage: &Storage,
    handle: &tokio::runtime::Handle,
) -> Result<(), AppError> {
    let mut zip = ZipOut::create(path, "a cartridge")?;
    for (name, text) in &cartridge.texts {
        zip.start(name)?;
        zip.write(text.as_bytes())?;
    }
    for (name, id) in &cartridge.files {
        let Some(key) = keys.get(id) else { continue };
        zip.start(name)?;
        zip.stored(storage, handle, key)?;
    }
    zip.finish()
}
