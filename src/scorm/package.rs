//! Checking a SCORM package's zip before anything is kept: the zip itself as any package's
//! (`packages::zip`: names, limits), then what makes it SCORM: `imsmanifest.xml` at the top (or
//! in the one folder that holds everything), a manifest that can be played, and every launched
//! file present. Blocking work: callers run it on the blocking pool.

use super::manifest::{self, Refusal};
use super::model::Structure;
use crate::packages::upload::Inspected;
use crate::packages::zip::{self, Entry, Listing};
use std::collections::HashSet;
use std::path::Path;

/// The file that makes a zip a SCORM package, at its root.
const MANIFEST: &str = "imsmanifest.xml";
/// The manifest is read whole: refuse a "manifest" that is not one before reading it.
const MAX_MANIFEST: u64 = 16 * 1024 * 1024;

/// Checks a package: the zip is safe to unpack (`zip::list`), it has a manifest that can be
/// played, and every launched file is there.
pub fn inspect(zip_path: &Path) -> Result<Inspected<Structure>, Refusal> {
    let Listing {
        entries,
        total_bytes,
    } = zip::list(zip_path)?;
    let root = zip::root_of(&entries, MANIFEST).ok_or_else(|| not_scorm(&entries))?;
    let entries = zip::under_root(entries, &root);
    let manifest_entry = entries
        .iter()
        .find(|f| f.path == MANIFEST)
        .ok_or(Refusal::NoManifest)?;
    let bytes = zip::read(zip_path, manifest_entry, MAX_MANIFEST)?;
    let structure = manifest::parse(&manifest::decode(&bytes))?;
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
        content: structure,
        entries,
        total_bytes,
    })
}

/// A zip without a manifest: what it is instead, when that can be told.
fn not_scorm(entries: &[Entry]) -> Refusal {
    if zip::named(entries, &|f| f.eq_ignore_ascii_case("cmi5.xml")) {
        return Refusal::Cmi5;
    }
    let aicc = |f: &str| {
        let lower = f.to_ascii_lowercase();
        [".crs", ".au", ".des", ".cst"]
            .iter()
            .any(|ext| lower.ends_with(ext))
    };
    if zip::named(entries, &aicc) {
        return Refusal::Aicc;
    }
    Refusal::NoManifest
}
