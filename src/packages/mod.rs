//! Zipped content packages, whatever the kind that plays them (SCORM's `imsmanifest.xml`, cmi5's
//! `cmi5.xml`): the zip checked before anything of it is kept (`zip.rs`: safe names, no litter,
//! limits on files and size, the package's root folder, unpacking), its files kept in storage
//! with a row each in `package_files` (`files.rs`: per item and revision, shared by course copies,
//! deleted from storage when no row names them), and served from Lyceum's own origin to people
//! who may open the item (`handlers.rs`); an upload received, checked by its kind, stored and
//! recorded in one pipeline (`upload.rs`) behind one form (`pages.rs`). A kind reads its own
//! manifest and keeps its own package row (`upload::Kind`); these do the rest.

#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod handlers;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod upload;
#[cfg(feature = "ssr")]
pub mod zip;

/// Where a revision of an item's package is served from (`handlers.rs`): its files' paths follow.
/// A new upload is a new revision, so a browser never mixes the files of two uploads.
pub fn base_url(item_id: i64, revision: i64) -> String {
    format!("/packages/{item_id}/{revision}/")
}
