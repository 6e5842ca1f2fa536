//! Checking a package's zip before anything is kept (its names, its size, its manifest and
//! launch files), and unpacking it. Blocking work: callers run it on the blocking pool.

use super::manifest::{self, Refusal};
use super::model::Structure;
use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// At most this many files in a package (authoring tools' largest exports hold a few thousand).
pub const MAX_FILES: usize = 20_000;
/// At most this many bytes unpacked.
pub const MAX_UNPACKED: u64 = 2 * 1024 * 1024 * 1024;
/// The manifest is read whole: refuse a "manifest" that is not one before reading it.
const MAX_MANIFEST: u64 = 16 * 1024 * 1024;

/// A file of the package: its place in the zip and its path from the package's root.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub index: usize,
    pub path: String,
    pub size: u64,
}

/// A package that may be kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspected {
    pub structure: Structure,
    pub entries: Vec<Entry>,
    pub total_bytes: u64,
}

fn open(zip_path: &Path) -> Result<zip::ZipArchive<File>, Refusal> {
    let file = File::open(zip_path).map_err(|e| Refusal::Damaged(e.to_string()))?;
    zip::ZipArchive::new(file).map_err(|e| match e {
        zip::result::ZipError::InvalidArchive(_) => Refusal::NotZip,
        other => Refusal::Damaged(other.to_string()),
    })
}

/// Files that operating systems add to a zip and no package uses.
fn is_litter(name: &str) -> bool {
    name.starts_with("__MACOSX/")
        || name
            .rsplit('/')
            .next()
            .is_some_and(|f| f == ".DS_Store" || f == "Thumbs.db")
}

/// Checks a package: every name stays inside it, it is not too big, it has a manifest that can
/// be played (at the top, or in the one folder that holds everything, as when someone zipped
/// the folder rather than its contents), and every launched file is there.
pub fn inspect(zip_path: &Path) -> Result<Inspected, Refusal> {
    let mut archive = open(zip_path)?;
    let mut files = Vec::new();
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| Refusal::Damaged(e.to_string()))?;
        let name = entry.name().to_string();
        // Paths are kept relative to the package: nothing absolute, nothing that climbs out.
        let unsafe_name = entry.enclosed_name().is_none()
            || name.starts_with('/')
            || name.contains('\\')
            || name
                .split('/')
                .any(|part| part == ".." || part.contains(':'));
        if unsafe_name {
            return Err(Refusal::UnsafePath(name));
        }
        if entry.is_dir() || is_litter(&name) {
            continue;
        }
        files.push(Entry {
            index,
            path: name,
            size: entry.size(),
        });
    }
    if files.len() > MAX_FILES {
        return Err(Refusal::TooManyFiles {
            count: files.len(),
            max: MAX_FILES,
        });
    }
    let total_bytes: u64 = files.iter().map(|f| f.size).sum();
    if total_bytes > MAX_UNPACKED {
        return Err(Refusal::TooLarge {
            size: total_bytes.div_ceil(1024 * 1024),
            max: MAX_UNPACKED / (1024 * 1024),
        });
    }
    let root = package_root(&files)?;
    let manifest_entry = files
        .iter()
        .find(|f| f.path == format!("{root}imsmanifest.xml"))
        .ok_or(Refusal::NoManifest)?;
    if manifest_entry.size > MAX_MANIFEST {
        return Err(Refusal::Damaged(
            "imsmanifest.xml is too large to be a manifest".into(),
        ));
    }
    let mut bytes = Vec::new();
    archive
        .by_index(manifest_entry.index)
        .map_err(|e| Refusal::Damaged(e.to_string()))?
        .take(MAX_MANIFEST)
        .read_to_end(&mut bytes)
        .map_err(|e| Refusal::Damaged(e.to_string()))?;
    let structure = manifest::parse(&manifest::decode(&bytes))?;
    let entries: Vec<Entry> = files
        .into_iter()
        .filter_map(|f| {
            let path = f.path.strip_prefix(root.as_str())?.to_string();
            Some(Entry { path, ..f })
        })
        .collect();
    let present: HashSet<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    for item in &structure.items {
        if let Some(launch) = &item.launch {
            let file = manifest::launch_file(launch);
            if !present.contains(file.as_str()) {
                return Err(Refusal::LaunchFileMissing {
                    item: item.title.clone(),
                    path: file,
                });
            }
        }
    }
    Ok(Inspected {
        structure,
        entries,
        total_bytes,
    })
}

/// Where the manifest is: at the top (""), or in the one folder holding every file
/// ("folder/"). Without one, says what the zip is instead, when it can tell.
fn package_root(files: &[Entry]) -> Result<String, Refusal> {
    if files.iter().any(|f| f.path == "imsmanifest.xml") {
        return Ok(String::new());
    }
    let folder = files
        .first()
        .and_then(|f| f.path.split_once('/'))
        .map(|(top, _)| format!("{top}/"));
    if let Some(folder) = folder
        && files.iter().all(|f| f.path.starts_with(&folder))
        && files
            .iter()
            .any(|f| f.path == format!("{folder}imsmanifest.xml"))
    {
        return Ok(folder);
    }
    let named = |wanted: &dyn Fn(&str) -> bool| {
        files
            .iter()
            .any(|f| wanted(f.path.rsplit('/').next().unwrap_or_default()))
    };
    if named(&|f| f.eq_ignore_ascii_case("cmi5.xml")) {
        return Err(Refusal::Cmi5);
    }
    let aicc = |f: &str| {
        let lower = f.to_ascii_lowercase();
        [".crs", ".au", ".des", ".cst"]
            .iter()
            .any(|ext| lower.ends_with(ext))
    };
    if named(&aicc) {
        return Err(Refusal::Aicc);
    }
    Err(Refusal::NoManifest)
}

/// Unpacks each entry into `dir/{index}`; a file larger than the zip declared is refused (a
/// zip that lies about sizes to get past the limits).
pub fn unpack(zip_path: &Path, entries: &[Entry], dir: &Path) -> Result<(), Refusal> {
    let mut archive = open(zip_path)?;
    std::fs::create_dir_all(dir).map_err(|e| Refusal::Damaged(e.to_string()))?;
    for entry in entries {
        let mut file = archive
            .by_index(entry.index)
            .map_err(|e| Refusal::Damaged(format!("{}: {e}", entry.path)))?;
        let mut out = File::create(dir.join(entry.index.to_string()))
            .map_err(|e| Refusal::Damaged(e.to_string()))?;
        let written = std::io::copy(&mut (&mut file).take(entry.size + 1), &mut out)
            .map_err(|e| Refusal::Damaged(format!("{}: {e}", entry.path)))?;
        if written != entry.size {
            return Err(Refusal::Damaged(format!(
                "{} does not hold the {} bytes the zip says",
                entry.path, entry.size
            )));
        }
    }
    Ok(())
}
