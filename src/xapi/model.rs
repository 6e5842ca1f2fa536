//! What the administrators' LRS page shows: clients (credentials for /xapi) and statements.

use serde::{Deserialize, Serialize};

/// The scopes xAPI defines that a client may be given, with what the page calls them.
pub const SCOPES: &[(&str, &str)] = &[
    ("statements/write", "Send statements"),
    ("statements/read/mine", "Read the statements it sent"),
    ("statements/read", "Read statements"),
    ("state", "Read and write state documents"),
    ("profile", "Read and write activity and agent profiles"),
    ("define", "Read activities and agents"),
    ("all/read", "Read everything"),
    ("all", "Everything"),
];

/// A client of the LRS as the page lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientInfo {
    pub id: i64,
    pub name: String,
    pub key: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A client just created: its secret is shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewClient {
    pub info: ClientInfo,
    pub secret: String,
}

/// One stored statement, summarised for the browser of statements (the JSON is there in full).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementSummary {
    pub id: String,
    pub stored: String,
    pub actor: String,
    pub verb: String,
    pub object: String,
    pub json: String,
}

/// The administrators' statement filters, as typed: an email or agent key, a verb id, an
/// activity id, dates (YYYY-MM-DD, the site's calendar day in UTC).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatementSearch {
    pub actor: String,
    pub verb: String,
    pub activity: String,
    pub since: String,
    pub until: String,
    /// Continue after this position (the "Older" link).
    pub after: Option<i64>,
}

/// A page of statements, newest first, with where the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementList {
    pub statements: Vec<StatementSummary>,
    pub next: Option<i64>,
}

/// Forwarding to another LRS as the administrators' page shows it (never the password).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Forwarding {
    /// The other LRS's xAPI base address (statements go to `{endpoint}/statements`).
    pub endpoint: String,
    pub username: String,
    pub has_password: bool,
    pub enabled: bool,
    /// Statements waiting to be sent.
    pub queued: i64,
    pub last_sent_at: Option<i64>,
    /// Why the last send failed, until one succeeds.
    pub last_error: Option<String>,
}
