//! The item layer: the lifecycle of a course item of any kind (create, save, delete, copy), its
//! editor and its player. `kind` lists the kinds; `registry` is the one place where each kind's
//! own code is plugged in. Courses keep the item rows (`courses::outline_store`), kinds keep what they
//! add; see ARCHITECTURE.md, "How to add an item kind".

#[cfg(feature = "ssr")]
pub mod copy;
pub mod kind;
#[cfg(feature = "ssr")]
pub mod overrides;
pub mod pages;
pub mod registry;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
