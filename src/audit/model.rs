use serde::{Deserialize, Serialize};

/// One recorded administrative action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub target_label: String,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
}

/// Filters for the audit log viewer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// Action name prefix, such as `user.` or `user.suspend`.
    pub action: String,
    /// Matches the actor's or the target's label.
    pub search: String,
    pub page: u32,
}

impl AuditQuery {
    pub const PER_PAGE: u32 = 50;
}
