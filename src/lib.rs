//! Lyceum: an open-source learning management system.
//! Each area of the product is a folder with its whole slice (model, store, service, server
//! functions, pages); see ARCHITECTURE.md for the layers and how a request flows.
#![recursion_limit = "512"]

pub mod acknowledgements;
pub mod app;
pub mod assessments;
pub mod assignments;
pub mod audiences;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cartridge;
pub mod certificates;
pub mod cmi5;
pub mod completion;
pub mod compliance;
pub mod courses;
pub mod dashboard;
pub mod enrolments;
pub mod enums;
pub mod error;
pub mod files;
pub mod grading;
pub mod input;
pub mod items;
pub mod jobs;
pub mod learning;
pub mod lessons;
pub mod mail;
pub mod notifications;
pub mod overrides;
pub mod packages;
pub mod paging;
pub mod programmes;
pub mod resources;
pub mod scorm;
pub mod settings;
pub mod sso;
pub mod team;
pub mod ui;
pub mod users;
pub mod webhooks;
pub mod xapi;

#[cfg(feature = "ssr")]
pub mod backup;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod edge;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod seal;
#[cfg(feature = "ssr")]
pub mod spreadsheet;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod testing;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Each page marks the body hydrated once it is (pages load lazily: see app.rs), and puts back
    // what was typed before (ui::typed).
    ui::typed::remember();
    // hydrate_lazy: pages are lazy routes, each loaded with its own WASM chunk.
    leptos::mount::hydrate_lazy(app::App);
}
