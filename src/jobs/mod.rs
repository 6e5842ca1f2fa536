//! The durable job queue: work that must not run inside a request (sending mail now; reminders,
//! renewals and digests next) is written to the `jobs` table in the same database, and a worker
//! in every instance runs what is due. On PostgreSQL a claim skips rows another instance holds
//! (`FOR UPDATE SKIP LOCKED`), so with several instances each job runs once; on SQLite the single
//! writer does the same. A failed job is tried again with back-off, then kept as dead for an
//! administrator to retry; a claim whose lease ran out (a crashed instance) is taken up again.
//!
//! `queue` (the table, foundation: the mailer enqueues) and `worker` (the loop and the one list
//! of job kinds, above the areas whose work it runs) are the layers; `model` is what pages show.

#[cfg(feature = "ssr")]
pub mod daily;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod queue;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod worker;
