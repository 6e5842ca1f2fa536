//! A package's zip, checked before anything of it is kept: every name stays inside the package,
//! the litter operating systems add is left out, the number of files and the unpacked size are
//! limited, and nothing read or unpacked is larger than the zip said. What the files mean (a
//! manifest, a course structure) is the kind's. Blocking work: callers run it on the blocking
//! pool (`tokio::task::spawn_blocking`).

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// At most this many files in a package (authoring tools' largest exports hold a few thousand).
pub const MAX_FILES: usize = 20_000;
/// At most this many bytes unpacked.
pub const MAX_UNPACKED: u64 = 2 * 1024 * 1024 * 1024;

/// A file of the package: its place in the zip, its path (from the zip's top, or from the
/// package's root after `under_root`) and its size as the zip declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub index: usize,
    pub path: String,
    pub size: u64,
}

/// Why a zip is refused, whatever the package's kind. Each message names the problem so that
/// whoever exports the package can fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ZipRefusal {
    #[error("This file is not a zip archive.")]
    NotZip,
    #[error("The zip is damaged: {0}.")]
    Damaged(String),
    #[error(
        "The zip holds a file named “{0}”, which points outside the package: it cannot be unpacked safely."
    )]
    UnsafePath(String),
    #[error("The zip holds {count} files; a package may hold at most {max}.")]
    TooManyFiles { count: usize, max: usize },
    /// Sizes in MB (rounded up), as people read them.
    #[error("The package unpacks to {size} MB; a package may unpack to at most {max} MB.")]
    TooLarge { size: u64, max: u64 },
}

/// The files of a zip that may be kept, and their size together.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub entries: Vec<Entry>,
    pub total_bytes: u64,
}

fn open(zip_path: &Path) -> Result<::zip::ZipArchive<File>, ZipRefusal> {
    let file = File::open(zip_path).map_err(|e| ZipRefusal::Damaged(e.to_string()))?;
    ::zip::ZipArchive::new(file).map_err(|e| match e {
        ::zip::result::ZipError::InvalidArchive(_) => ZipRefusal::NotZip,
        other => ZipRefusal::Damaged(other.to_string()),
    })
}

/// Files that operating systems add to a zip and no package uses.
fn is_litter(name: &str) -> bool {
    name.starts_with("__MACOSX/") || matches!(last_segment(name), ".DS_Store" | "Thumbs.db")
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or_default()
}

/// The zip's files: every name stays inside the package (nothing absolute, nothing that climbs
/// out, no drive or stream names), folders and litter left out, within `MAX_FILES` and
/// `MAX_UNPACKED`.
pub fn list(zip_path: &Path) -> Result<Listing, ZipRefusal> {
    let mut archive = open(zip_path)?;
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| ZipRefusal::Damaged(e.to_string()))?;
        let name = entry.name().to_string();
        let unsafe_name = entry.enclosed_name().is_none()
            || name.starts_with('/')
            || name.contains('\\')
            || name
                .split('/')
                .any(|part| part == ".." || part.contains(':'));
        if unsafe_name {
            return Err(ZipRefusal::UnsafePath(name));
        }
        if entry.is_dir() || is_litter(&name) {
            continue;
        }
        entries.push(Entry {
            index,
            path: name,
            size: entry.size(),
        });
    }
    if entries.len() > MAX_FILES {
        return Err(ZipRefusal::TooManyFiles {
            count: entries.len(),
            max: MAX_FILES,
        });
    }
    let total_bytes: u64 = entries.iter().map(|f| f.size).sum();
    if total_bytes > MAX_UNPACKED {
        return Err(ZipRefusal::TooLarge {
            size: total_bytes.div_ceil(1024 * 1024),
            max: MAX_UNPACKED / (1024 * 1024),
        });
    }
    Ok(Listing {
        entries,
        total_bytes,
    })
}

/// Where the package's root is, found by the file that marks it (`imsmanifest.xml`,
/// `cmi5.xml`): at the top (""), or in the one folder that holds every file ("folder/", as when
/// someone zipped the folder rather than its contents). `None`: the marker is in neither.
pub fn root_of(entries: &[Entry], marker: &str) -> Option<String> {
    if entries.iter().any(|f| f.path == marker) {
        return Some(String::new());
    }
    let (top, _) = entries.first()?.path.split_once('/')?;
    let folder = format!("{top}/");
    let marked = format!("{folder}{marker}");
    (entries.iter().all(|f| f.path.starts_with(&folder))
        && entries.iter().any(|f| f.path == marked))
    .then_some(folder)
}

/// The entries with their paths from `root` (as `root_of` found it); any outside it are dropped.
pub fn under_root(entries: Vec<Entry>, root: &str) -> Vec<Entry> {
    entries
        .into_iter()
        .filter_map(|f| {
            let path = f.path.strip_prefix(root)?.to_string();
            Some(Entry { path, ..f })
        })
        .collect()
}

/// Whether any file's name (its path's last segment) is `wanted`: what a zip that is not of the
/// kind expected is instead ("this is a cmi5 package").
pub fn named(entries: &[Entry], wanted: &dyn Fn(&str) -> bool) -> bool {
    entries.iter().any(|f| wanted(last_segment(&f.path)))
}

/// One file read whole (a manifest), refused when it is larger than `max` or than the zip said.
pub fn read(zip_path: &Path, entry: &Entry, max: u64) -> Result<Vec<u8>, ZipRefusal> {
    if entry.size > max {
        return Err(ZipRefusal::Damaged(format!(
            "{} is too large to read ({} bytes; at most {max})",
            entry.path, entry.size
        )));
    }
    let mut archive = open(zip_path)?;
    let mut file = archive
        .by_index(entry.index)
        .map_err(|e| ZipRefusal::Damaged(format!("{}: {e}", entry.path)))?;
    let mut bytes = Vec::new();
    (&mut file)
        .take(entry.size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ZipRefusal::Damaged(format!("{}: {e}", entry.path)))?;
    if bytes.len() as u64 != entry.size {
        return Err(size_lie(entry));
    }
    Ok(bytes)
}

/// A zip that lies about sizes to get past the limits.
fn size_lie(entry: &Entry) -> ZipRefusal {
    ZipRefusal::Damaged(format!(
        "{} does not hold the {} bytes the zip says",
        entry.path, entry.size
    ))
}

/// Unpacks each entry into `dir/{index}`; a file larger than the zip declared is refused.
pub fn unpack(zip_path: &Path, entries: &[Entry], dir: &Path) -> Result<(), ZipRefusal> {
    let mut archive = open(zip_path)?;
    std::fs::create_dir_all(dir).map_err(|e| ZipRefusal::Damaged(e.to_string()))?;
    for entry in entries {
        let mut file = archive
            .by_index(entry.index)
            .map_err(|e| ZipRefusal::Damaged(format!("{}: {e}", entry.path)))?;
        let mut out = File::create(dir.join(entry.index.to_string()))
            .map_err(|e| ZipRefusal::Damaged(e.to_string()))?;
        let written = std::io::copy(&mut (&mut file).take(entry.size + 1), &mut out)
            .map_err(|e| ZipRefusal::Damaged(format!("{}: {e}", entry.path)))?;
        if written != entry.size {
            return Err(size_lie(entry));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::path::PathBuf;

    /// A temporary file or folder, removed when dropped.
    struct Temp(PathBuf);

    impl Temp {
        fn new() -> Temp {
            let name: u64 = rand::random();
            Temp(std::env::temp_dir().join(format!("lyceum-zip-{name:016x}")))
        }
    }

    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A zip of `files` (path, bytes; a path ending in `/` is a folder) in a temporary file.
    fn zip_of(files: &[(&str, &[u8])]) -> Temp {
        let file = Temp::new();
        let mut zip = ::zip::ZipWriter::new(File::create(&file.0).unwrap());
        let options = ::zip::write::SimpleFileOptions::default();
        for (path, bytes) in files {
            if path.ends_with('/') {
                zip.add_directory(*path, options).unwrap();
            } else {
                zip.start_file(*path, options).unwrap();
                zip.write_all(bytes).unwrap();
            }
        }
        zip.finish().unwrap();
        file
    }

    fn paths(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.path.as_str()).collect()
    }

    #[test]
    fn a_listing_leaves_out_folders_and_litter_and_counts_the_bytes() {
        let zip = zip_of(&[
            ("course/", b""),
            ("course/index.html", b"<p>hi</p>"),
            ("course/.DS_Store", b"junk"),
            ("__MACOSX/course/._index.html", b"junk"),
            ("course/img/Thumbs.db", b"junk"),
            ("course/img/a.png", b"png"),
        ]);
        let listing = list(&zip.0).unwrap();
        assert_eq!(
            paths(&listing.entries),
            ["course/index.html", "course/img/a.png"]
        );
        assert_eq!(listing.total_bytes, 12);
    }

    #[test]
    fn names_that_leave_the_package_are_refused() {
        for name in ["../evil.html", "a/../../evil.html", "/etc/passwd", "c:/x"] {
            let zip = zip_of(&[("index.html", b"x"), (name, b"x")]);
            assert_eq!(
                list(&zip.0).unwrap_err(),
                ZipRefusal::UnsafePath(name.into()),
                "{name}"
            );
        }
        assert!(
            ZipRefusal::UnsafePath("../x".into())
                .to_string()
                .contains("“../x”")
        );
    }

    #[test]
    fn a_file_that_is_not_a_zip_is_refused_as_such() {
        let not_zip = Temp::new();
        std::fs::write(&not_zip.0, b"%PDF-1.7 not a zip").unwrap();
        assert_eq!(list(&not_zip.0).unwrap_err(), ZipRefusal::NotZip);
        assert_eq!(
            ZipRefusal::NotZip.to_string(),
            "This file is not a zip archive."
        );
        let missing = Temp::new();
        assert!(matches!(
            list(&missing.0).unwrap_err(),
            ZipRefusal::Damaged(_)
        ));
    }

    #[test]
    fn the_root_is_the_top_or_the_one_folder_holding_everything() {
        let entry = |index, path: &str| Entry {
            index,
            path: path.into(),
            size: 1,
        };
        let top = [entry(0, "cmi5.xml"), entry(1, "a/index.html")];
        assert_eq!(root_of(&top, "cmi5.xml").as_deref(), Some(""));
        let folder = [entry(0, "pkg/a.html"), entry(1, "pkg/imsmanifest.xml")];
        assert_eq!(root_of(&folder, "imsmanifest.xml").as_deref(), Some("pkg/"));
        assert_eq!(root_of(&folder, "cmi5.xml"), None);
        // A marker in a folder that does not hold everything is no root.
        let scattered = [entry(0, "pkg/imsmanifest.xml"), entry(1, "other.html")];
        assert_eq!(root_of(&scattered, "imsmanifest.xml"), None);
        assert_eq!(root_of(&[], "imsmanifest.xml"), None);

        let relative = under_root(
            vec![
                entry(0, "pkg/a.html"),
                entry(1, "pkg/b/c.js"),
                entry(2, "x"),
            ],
            "pkg/",
        );
        assert_eq!(paths(&relative), ["a.html", "b/c.js"]);
        assert_eq!(relative[1].index, 1);
        assert_eq!(under_root(top.to_vec(), "").len(), 2);

        assert!(named(&folder, &|f| f == "imsmanifest.xml"));
        assert!(!named(&folder, &|f| f.eq_ignore_ascii_case("CMI5.XML")));
    }

    #[test]
    fn an_entry_is_read_whole_within_its_limit() {
        let zip = zip_of(&[("a/manifest.xml", b"<manifest/>")]);
        let entries = list(&zip.0).unwrap().entries;
        assert_eq!(read(&zip.0, &entries[0], 1024).unwrap(), b"<manifest/>");
        let refused = read(&zip.0, &entries[0], 4).unwrap_err();
        assert!(
            refused.to_string().contains("a/manifest.xml is too large"),
            "{refused}"
        );
        // A zip that says an entry is smaller than it is.
        let lying = Entry {
            size: 3,
            ..entries[0].clone()
        };
        assert!(matches!(
            read(&zip.0, &lying, 1024),
            Err(ZipRefusal::Damaged(_))
        ));
    }

    #[test]
    fn unpacking_puts_each_entry_under_its_index_and_refuses_a_size_lie() {
        let zip = zip_of(&[("x/", b""), ("x/a.html", b"<p>a</p>"), ("b.css", b"p{}")]);
        let entries = list(&zip.0).unwrap().entries;
        let dir = Temp::new();
        unpack(&zip.0, &entries, &dir.0).unwrap();
        for entry in &entries {
            let bytes = std::fs::read(dir.0.join(entry.index.to_string())).unwrap();
            assert_eq!(bytes.len() as u64, entry.size, "{}", entry.path);
        }
        assert_eq!(std::fs::read(dir.0.join("1")).unwrap(), b"<p>a</p>");
        let lying = vec![Entry {
            size: 2,
            ..entries[0].clone()
        }];
        let other = Temp::new();
        assert_eq!(
            unpack(&zip.0, &lying, &other.0).unwrap_err(),
            ZipRefusal::Damaged("x/a.html does not hold the 2 bytes the zip says".into())
        );
    }
}
