//! Assessments: the per-course question bank (categories, ten question types, GIFT and Aiken
//! import/export, QTI 1.2/2.1 import), quizzes (settings, fixed and random slots), attempts with a server-owned clock,
//! automatic marking, and hand-marking of essays. Marking rules live in `question`; every use
//! case checks the caller's course access first.

#[cfg(feature = "ssr")]
pub mod aiken;
#[cfg(feature = "ssr")]
pub mod attempts;
#[cfg(feature = "ssr")]
pub mod bank;
#[cfg(feature = "ssr")]
pub mod bank_store;
#[cfg(feature = "ssr")]
pub mod exchange;
#[cfg(feature = "ssr")]
pub mod gift;
#[cfg(feature = "ssr")]
pub mod handlers;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod qti;
pub mod question;
#[cfg(feature = "ssr")]
pub mod quiz;
#[cfg(feature = "ssr")]
pub mod quiz_store;
#[cfg(feature = "ssr")]
pub mod render;
#[cfg(feature = "ssr")]
pub mod review;
pub mod server;
