//! Checking a cmi5 upload: a zip (cmi5 §14.1) whose `cmi5.xml` at the top (or in the one folder
//! that holds everything) is a course structure, every AU launched from inside the package
//! there; or the `cmi5.xml` alone (§14.2), every AU at an absolute URL. Blocking work: callers
//! run it on the blocking pool.

use super::structure::{self, Course};
use crate::packages::upload::Inspected;
use crate::packages::zip::{self, ZipRefusal};
use std::collections::HashSet;
use std::io::Read;
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
    #[error(
        "This file is neither a zip nor a cmi5.xml. Upload the cmi5 package's .zip, or its cmi5.xml alone when every AU is on another server."
    )]
    NeitherZipNorXml,
    #[error("{0}")]
    Structure(String),
    #[error("The AU “{au}” launches {path}, which is not in the zip.")]
    LaunchFileMissing { au: String, path: String },
}

/// Checks an upload: a zip package, or a `cmi5.xml` alone whose AUs are all elsewhere (cmi5
/// §14.2: absolute URLs), which keeps no files.
pub fn inspect(path: &Path) -> Result<Inspected<Course>, Refusal> {
    match zip::list(path) {
        Err(ZipRefusal::NotZip) => structure_alone(path),
        listed => inspect_zip(path, listed?),
    }
}

fn structure_alone(path: &Path) -> Result<Inspected<Course>, Refusal> {
    let size = std::fs::metadata(path)
        .map_err(|e| ZipRefusal::Damaged(e.to_string()))?
        .len();
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_STRUCTURE + 1).read_to_end(&mut head))
        .map_err(|e| ZipRefusal::Damaged(e.to_string()))?;
    let text = String::from_utf8_lossy(&head);
    if !text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
    {
        return Err(Refusal::NeitherZipNorXml);
    }
    if size > MAX_STRUCTURE {
        return Err(Refusal::Structure(format!(
            "This cmi5.xml is larger than {} MB; a course structure is far smaller.",
            MAX_STRUCTURE / 1024 / 1024
        )));
    }
    let options = structure::Options { remote_only: true };
    let course = structure::parse_with(&text, options).map_err(Refusal::Structure)?;
    Ok(Inspected {
        content: course,
        entries: Vec::new(),
        total_bytes: 0,
    })
}

fn inspect_zip(zip_path: &Path, listing: zip::Listing) -> Result<Inspected<Course>, Refusal> {
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
        content: course,
        entries,
        total_bytes: listing.total_bytes,
    })
}
