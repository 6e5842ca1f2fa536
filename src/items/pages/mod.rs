//! Item pages: the editor of an item of any kind.

mod editor;
mod overrides;

pub use editor::ItemEditorPage;
