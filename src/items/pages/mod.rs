//! Item pages: the editor of an item of any kind.

mod editor;

pub use editor::ItemEditorPage;
