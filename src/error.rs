//! `AppError`: the one user-safe error type that crosses the server-function boundary.
//! Internal causes are logged on the server and never shown to the user.

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

    /// Whether a database error is a unique-constraint violation (same check on both backends).
    pub fn is_unique_violation(err: &sqlx::Error) -> bool {
        err.as_database_error()
            .is_some_and(|e| e.is_unique_violation())
    }

    /// Sets the HTTP status of the current server-function or page response to match the error.
    pub fn set_response_status(err: &AppError) {
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(code) = http::StatusCode::from_u16(err.status_code()) {
                res.set_status(code);
            }
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr::{is_unique_violation, note_cause_logged, set_response_status, watch_causes};
