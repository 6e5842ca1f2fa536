//! `AppError`: the one user-safe error type that crosses the server-function boundary.
//! Internal causes are logged on the server, once, with the request id, and never shown:
//! - a database error converts with `?` (`From<sqlx::Error>` logs it);
//! - a write that can break a unique or foreign-key constraint maps it with `constraint_error`
//!   to a message on the field at fault (or a conflict);
//! - any other failure that should not happen goes through `internal` or `.or_internal(..)`,
//!   which log its cause with a short context;
//! - what the person caused is `NotFound`, `Invalid` (field messages, see `Problems`),
//!   `Conflict` or `BadRequest`, never `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A problem with one input field, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("We could not find what you were looking for.")]
    NotFound,
    #[error("{}", join_messages(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// The request itself was malformed (wrong types, broken JSON, a value out of range): a
    /// client error, answered 400.
    #[error("{0}")]
    BadRequest(String),
    /// Too busy to answer now (no database connection in time): nothing was lost or changed; the
    /// same request may be sent again shortly (503 with Retry-After).
    #[error("Lyceum is busy right now. Nothing was lost: try again in a few seconds.")]
    Unavailable,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never reached the server, or its answer could not be read.
    #[error("Could not reach Lyceum ({0}). Check your connection and try again.")]
    Transport(String),
}

fn join_messages(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError {
            field: field.to_string(),
            message: message.into(),
        }])
    }

    /// The message for one field, if this error names it.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == name)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// A message for errors that are not about one field (shown at the top of a form).
    pub fn general(&self) -> Option<String> {
        match self {
            AppError::Invalid(errors) => {
                let general: Vec<_> = errors
                    .iter()
                    .filter(|e| e.field.is_empty())
                    .map(|e| e.message.clone())
                    .collect();
                if general.is_empty() {
                    None
                } else {
                    Some(general.join(" "))
                }
            }
            other => Some(other.to_string()),
        }
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests(_) => 429,
            AppError::BadRequest(_) => 400,
            AppError::Unavailable => 503,
            AppError::Internal => 500,
            AppError::Transport(_) => 502,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid(_) => "invalid",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unavailable => "unavailable",
            AppError::Internal => "internal",
            AppError::Transport(_) => "transport",
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The server could not read the request's arguments: a client error (400).
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::BadRequest(format!("The request could not be read: {message}"))
            }
            // On the server this can only be a request body that does not decode (broken JSON);
            // in the browser it is an answer that could not be read (below).
            ServerFnErrorErr::Deserialization(message) if cfg!(feature = "ssr") => {
                AppError::BadRequest(format!("The request could not be read: {message}"))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

/// Collects field errors so a form can report every problem at once.
#[derive(Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }
    /// Keeps the value when parsing succeeded, records the error otherwise.
    pub fn check<T>(&mut self, result: Result<T, AppError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(AppError::Invalid(mut errors)) => {
                self.0.append(&mut errors);
                None
            }
            Err(_) => None,
        }
    }
    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }

    /// The parsed value when nothing was wrong, else every problem found. `parsed` is `None` when
    /// a part did not parse: its problem is recorded, unless `check` met an error that names no
    /// field, which is still the input's fault (a message for the whole form), not ours.
    pub fn finish<T>(self, parsed: Option<T>) -> Result<T, AppError> {
        self.into_result()?;
        parsed.ok_or_else(|| AppError::invalid("", "Some of what was sent could not be read."))
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;

    impl From<sqlx::Error> for AppError {
        /// Logs the cause once (inside the request's span, so with its request id) and keeps
        /// only what the person may see: "busy" when no connection came in time or the database
        /// is momentarily locked or unreachable, "internal" otherwise.
        fn from(err: sqlx::Error) -> Self {
            note_cause_logged();
            if is_overload(&err) {
                tracing::warn!(error = %err, "database busy: answered 503");
                AppError::Unavailable
            } else {
                tracing::error!(error = %err, "database error");
                AppError::Internal
            }
        }
    }

    tokio::task_local! {
        /// Set while a request is served: whether the cause of its error has been logged.
        static CAUSE_LOGGED: std::cell::Cell<bool>;
    }

    /// Records that the cause of this request's error is in the log (so the answer's 5xx is not
    /// logged a second time, without it).
    pub fn note_cause_logged() {
        let _ = CAUSE_LOGGED.try_with(|c| c.set(true));
    }

    /// Serves `future` (one request), telling afterwards whether it logged the cause of an error.
    pub async fn watch_causes<F: std::future::Future>(future: F) -> (F::Output, bool) {
        CAUSE_LOGGED
            .scope(std::cell::Cell::new(false), async move {
                let out = future.await;
                (out, CAUSE_LOGGED.with(std::cell::Cell::get))
            })
            .await
    }

    /// Errors that mean "not now" rather than "wrong": the request can be sent again as it is.
    fn is_overload(err: &sqlx::Error) -> bool {
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
            sqlx::Error::Database(db) => matches!(
                db.code().as_deref(),
                // SQLite: busy / locked (and their extended codes); PostgreSQL: too many
                // connections, cannot connect now, lock timeout.
                Some("5" | "6" | "261" | "262" | "517" | "53300" | "57P03" | "55P03")
            ),
            _ => false,
        }
    }

    impl From<sqlx::migrate::MigrateError> for AppError {
        fn from(err: sqlx::migrate::MigrateError) -> Self {
            note_cause_logged();
            tracing::error!(error = %err, "migration error");
            AppError::Internal
        }
    }

    /// An unexpected failure: logs its cause with a short context (once, inside the request's
    /// span) and answers `Internal`, which shows the person nothing of the cause.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> AppError {
        note_cause_logged();
        tracing::error!(error = %cause, "{context}");
        AppError::Internal
    }

    /// `.or_internal("reading back the new user")?`: a failure that should not happen becomes
    /// `Internal`, with its cause and context in the log (see `internal`). Not for what a
    /// person can cause: a missing row they asked for is `NotFound`, bad input `Invalid`.
    pub trait OrInternal<T> {
        fn or_internal(self, context: &str) -> Result<T, AppError>;
    }

    impl<T, E: std::fmt::Display> OrInternal<T> for Result<T, E> {
        fn or_internal(self, context: &str) -> Result<T, AppError> {
            self.map_err(|cause| internal(context, cause))
        }
    }

    impl<T> OrInternal<T> for Option<T> {
        fn or_internal(self, context: &str) -> Result<T, AppError> {
            self.ok_or_else(|| internal(context, "nothing there"))
        }
    }

    /// A constraint a write may break, for `constraint_error`, named by a fragment of its name as
    /// PostgreSQL reports it: `users_email` matches `users_email_key`, `courses_code_idx` the
    /// index. SQLite names a column constraint by its columns (`users.email`, read here as
    /// `users_email`) and an index by its name, so one fragment serves both databases.
    #[derive(Debug, Clone, Copy)]
    pub enum Violation<'a> {
        Unique(&'a str),
        /// SQLite names no constraint when a foreign key fails: there the first `ForeignKey`
        /// entry answers, so list the one the caller's input can break first.
        ForeignKey(&'a str),
    }

    /// Turns a broken unique or foreign-key constraint into what the person should read (a
    /// field message, a conflict): the answer of the first entry that matches. Anything else
    /// is a database error like any other (logged, `Internal` or `Unavailable`).
    pub fn constraint_error<'a>(
        err: sqlx::Error,
        answers: impl IntoIterator<Item = (Violation<'a>, AppError)>,
    ) -> AppError {
        let Some(db) = err.as_database_error() else {
            return AppError::from(err);
        };
        let unique = db.is_unique_violation();
        let foreign_key = db.is_foreign_key_violation();
        let constraint = db.constraint();
        let named = constraint.map_or_else(|| db.message().replace('.', "_"), str::to_string);
        for (violation, answer) in answers {
            let matches = match violation {
                Violation::Unique(name) => unique && named.contains(name),
                Violation::ForeignKey(name) => {
                    foreign_key && (constraint.is_none() || named.contains(name))
                }
            };
            if matches {
                return answer;
            }
        }
        AppError::from(err)
    }

    /// Sets the HTTP status of the current server-function or page response to match the error.
    pub fn set_response_status(err: &AppError) {
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
            && let Ok(code) = http::StatusCode::from_u16(err.status_code())
        {
            res.set_status(code);
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr::{
    OrInternal, Violation, constraint_error, internal, note_cause_logged, set_response_status,
    watch_causes,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_keeps_every_problem_and_never_answers_internal() {
        let mut problems = Problems::default();
        problems.add("email", "Enter an email address.");
        let err = problems.finish(None::<()>).unwrap_err();
        assert_eq!(
            err.field("email").as_deref(),
            Some("Enter an email address.")
        );
        // A part that failed without naming a field is still the input's fault.
        let err = Problems::default().finish(None::<()>).unwrap_err();
        assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
        assert_eq!(Problems::default().finish(Some(7)), Ok(7));
    }

    #[cfg(feature = "ssr")]
    mod ssr {
        use super::super::*;
        use sqlx::error::{DatabaseError, ErrorKind};

        /// A database error worded as SQLite or PostgreSQL word them.
        #[derive(Debug)]
        struct Broken {
            message: &'static str,
            constraint: Option<&'static str>,
            foreign_key: bool,
        }

        impl std::fmt::Display for Broken {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.message)
            }
        }

        impl std::error::Error for Broken {}

        impl DatabaseError for Broken {
            fn message(&self) -> &str {
                self.message
            }
            fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
                self
            }
            fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
                self
            }
            fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
                self
            }
            fn constraint(&self) -> Option<&str> {
                self.constraint
            }
            fn kind(&self) -> ErrorKind {
                if self.foreign_key {
                    ErrorKind::ForeignKeyViolation
                } else {
                    ErrorKind::UniqueViolation
                }
            }
        }

        fn unique(message: &'static str, constraint: Option<&'static str>) -> sqlx::Error {
            sqlx::Error::Database(Box::new(Broken {
                message,
                constraint,
                foreign_key: false,
            }))
        }

        fn foreign_key(message: &'static str, constraint: Option<&'static str>) -> sqlx::Error {
            sqlx::Error::Database(Box::new(Broken {
                message,
                constraint,
                foreign_key: true,
            }))
        }

        fn answers() -> [(Violation<'static>, AppError); 3] {
            [
                (
                    Violation::Unique("users_email"),
                    AppError::invalid("email", "taken"),
                ),
                (
                    Violation::Unique("courses_code_idx"),
                    AppError::invalid("code", "in use"),
                ),
                (
                    Violation::ForeignKey("course_cohorts_cohort_id_fkey"),
                    AppError::invalid("cohort_id", "choose one"),
                ),
            ]
        }

        #[test]
        fn a_unique_violation_is_the_field_message_on_both_databases() {
            for err in [
                // SQLite names a column constraint by its columns, an index by its name.
                unique("UNIQUE constraint failed: users.email", None),
                // PostgreSQL names the constraint.
                unique(
                    "duplicate key value violates unique constraint \"users_email_key\"",
                    Some("users_email_key"),
                ),
            ] {
                assert_eq!(
                    constraint_error(err, answers()).field("email").as_deref(),
                    Some("taken")
                );
            }
            for err in [
                unique("UNIQUE constraint failed: index 'courses_code_idx'", None),
                unique("duplicate key value", Some("courses_code_idx")),
            ] {
                assert_eq!(
                    constraint_error(err, answers()).field("code").as_deref(),
                    Some("in use")
                );
            }
        }

        #[test]
        fn a_foreign_key_violation_is_the_field_message_on_both_databases() {
            for err in [
                // SQLite names no constraint: the first foreign-key answer is the one.
                foreign_key("FOREIGN KEY constraint failed", None),
                foreign_key(
                    "insert or update on table \"course_cohorts\" violates foreign key constraint",
                    Some("course_cohorts_cohort_id_fkey"),
                ),
            ] {
                assert_eq!(
                    constraint_error(err, answers())
                        .field("cohort_id")
                        .as_deref(),
                    Some("choose one")
                );
            }
        }

        #[test]
        fn a_constraint_nobody_expected_is_an_internal_error() {
            for err in [
                unique("UNIQUE constraint failed: cohorts.name", None),
                unique("duplicate key value", Some("cohorts_name_idx")),
                foreign_key(
                    "violates foreign key constraint",
                    Some("items_section_id_fkey"),
                ),
                sqlx::Error::RowNotFound,
            ] {
                assert_eq!(constraint_error(err, answers()), AppError::Internal);
            }
            // A unique violation is not answered by a foreign-key entry, nor the other way round.
            let only_fk = [(
                Violation::ForeignKey("users_email"),
                AppError::invalid("email", "x"),
            )];
            let err = unique("UNIQUE constraint failed: users.email", None);
            assert_eq!(constraint_error(err, only_fk), AppError::Internal);
        }

        #[test]
        fn or_internal_answers_internal_and_keeps_what_worked() {
            let failed: Result<(), std::io::Error> = Err(std::io::Error::other("disk full"));
            assert_eq!(failed.or_internal("writing"), Err(AppError::Internal));
            assert_eq!(
                None::<i32>.or_internal("reading back"),
                Err(AppError::Internal)
            );
            assert_eq!(Some(3).or_internal("reading back"), Ok(3));
            assert_eq!(Ok::<_, String>(4).or_internal("parsing"), Ok(4));
            assert_eq!(internal("context", "cause"), AppError::Internal);
        }
    }
}
