//! The lesson kind: a Markdown page whose every save is kept as a revision (compare any two,
//! restore one). Its page lives in the item row's `body`; revisions in `item_revisions`.

pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
