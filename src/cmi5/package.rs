//! Checking a cmi5 package's zip (cmi5 §14.1): its `cmi5.xml` at the top (or in the one folder
//! that holds everything) is a course structure, and every AU launched from inside the package
//! is there. Blocking work: callers run it on the blocking pool.

use super::structure::{self, Course};
use crate::packages::zip::{self, Entry, ZipRefusal};
use std::collections::HashSet;
use std::path::Path;

const STRUCTURE_FILE: &str = "cmi5.xml";
/// The structure is read whole: refuse a "cmi5.xml" that is not one before reading it.
const MAX_STRUCTURE: u64 = 16 * 1024 * 1024;

/// Why a package is refused, in words for the instructor who uploaded it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Zip(#[from] ZipRefusal),
    #[error(
        "The zip has no cmi5.xml at its top, so it is not a cmi5 package. Export it from the authoring tool as cmi5 (or use a SCORM package item for a SCORM export)."
    )]
    NoStructure,
    #[error("{0}")]
    Structure(String),
    #[error("The AU “{au}” launches {path}, which is not in the zip.")]
    LaunchFileMissing { au: String, path: String },
}

/// A package that may be kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspected {
    pub course: Course,
    pub entries: Vec<Entry>,
    pub total_bytes: u64,
}

pub fn inspect(zip_path: &Path) -> Result<Inspected, Refusal> {
    let listing = zip::list(zip_path)?;
    let root = zip::root_of(&listing.entries, STRUCTURE_FILE).ok_or(Refusal::NoStructure)?;
    let structure_entry = listing
        .entries
        .iter()
        .find(|e| e.path == format!("{root}{STRUCTURE_FILE}"))
        .ok_or(Refusal::NoStructure)?;
    let bytes = zip::read(zip_path, structure_entry, MAX_STRUCTURE)?;
    let text = String::from_utf8_lossy(&bytes);
    let course = structure::parse(&text).map_err(Refusal::Structure)?;
    let entries = zip::under_root(listing.entries, &root);
    let present: HashSet<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    for au in course.aus() {
        if let Some(path) = au.package_path()
            && !present.contains(path.as_str())
        {
            return Err(Refusal::LaunchFileMissing {
                au: au.title.clone(),
                path,
            });
        }
    }
    Ok(Inspected {
        course,
        entries,
        total_bytes: listing.total_bytes,
    })
}
