//! The browser's local storage, for work that must survive a dropped connection or a reload
//! (lesson drafts, unsent quiz answers). On the server there is none.

pub fn local_storage() -> Option<Storage> {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window().local_storage().ok().flatten()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

#[cfg(feature = "hydrate")]
pub use web_sys::Storage;

#[cfg(not(feature = "hydrate"))]
pub struct Storage;
/// The server has no local storage (never returned: `local_storage` is `None` there).
#[cfg(not(feature = "hydrate"))]
#[derive(Debug)]
pub struct NoStorage;
#[cfg(not(feature = "hydrate"))]
impl Storage {
    pub fn get_item(&self, _: &str) -> Result<Option<String>, NoStorage> {
        Ok(None)
    }
    pub fn set_item(&self, _: &str, _: &str) -> Result<(), NoStorage> {
        Ok(())
    }
    pub fn remove_item(&self, _: &str) -> Result<(), NoStorage> {
        Ok(())
    }
}
