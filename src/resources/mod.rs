//! The resource kinds: a file, a video (uploaded, or from YouTube/Vimeo) and an external link.
//! They keep everything in the item row's shared columns (`file_id`, `url`), so they have no
//! tables of their own: a check of those columns and a player each.

#[cfg(feature = "ssr")]
pub mod check;
pub mod pages;
