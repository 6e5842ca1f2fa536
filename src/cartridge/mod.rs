//! Common Cartridge import and export. Import (IMS CC 1.0–1.3, thin or full, `.imscc` from Canvas, Moodle,
//! Blackboard, publishers): a course's modules become sections, its pages lessons, its files
//! file items and course files, its web links links, its QTI assessments quizzes with their
//! questions in the bank, its assignments assignments. What cannot be imported is listed in the
//! import's report with the reason, kept for the course's import page. Read and planned before
//! anything is kept (`plan`), written in one transaction (`service`). Above the item layer: it
//! makes items of several kinds through `items::service`. Export (IMS CC 1.3,
//! `export` and `download`) writes what the import reads back, through `items::registry::exported`.

#[cfg(feature = "ssr")]
pub mod download;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod html;
#[cfg(feature = "ssr")]
pub mod manifest;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod plan;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
