//! The integration tests, one module per area, in one binary: one link of the crate and its
//! dependencies instead of one per file (see BENCHMARKS.md, "Test build"). Shared set-up lives in
//! `support` (HTTP helpers) and `lyceum::testing` (databases, users, `db_test!`). Three files stay
//! binaries of their own (Cargo.toml): `layering` reads the sources, `upload_memory` measures the
//! process's peak memory, and `overload` starves the pools it builds.

// Test code: a failure should stop the test loudly, in its helpers as in the tests themselves
// (clippy.toml allows these inside #[test] functions only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

mod acknowledgements;
mod assessments;
mod assignments;
mod audiences;
mod auth;
mod backup;
mod calendar;
mod cartridge;
mod certificates;
mod cmi5;
mod compliance;
mod courses;
mod dashboard;
mod enrolments;
mod errors;
mod grading;
mod http;
mod items;
mod jobs;
mod mfa;
mod notifications;
mod overrides;
mod programmes;
mod scorm;
mod scorm_navigation;
mod security;
mod sso;
mod storage_s3;
mod team;
mod users;
mod webhooks;
mod xapi;

/// A file under tests/ that is neither a module here nor a binary of its own would never run.
#[test]
fn every_test_file_is_built() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let main = include_str!("main.rs");
    let cargo = include_str!("../Cargo.toml");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".rs") else {
            continue;
        };
        assert!(
            name == "main.rs"
                || main.contains(&format!("\nmod {stem};\n"))
                || cargo.contains(&format!("path = \"tests/{name}\"")),
            "tests/{name} is not built: add `mod {stem};` to tests/main.rs"
        );
    }
}
