//! Acknowledgement types (compile for the browser too).

use serde::{Deserialize, Serialize};

/// The statement a new acknowledgement starts with.
pub const DEFAULT_STATEMENT: &str = "I have read and understood this policy.";

/// Rows per page of the staff's list of learners.
pub const PER_PAGE: u32 = 50;

/// What the learner sees below the policy text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerView {
    pub statement: String,
    /// When this learner confirmed (`None`: not yet).
    pub confirmed_at: Option<i64>,
    /// Only learners confirm; staff see the statement as a preview.
    pub may_confirm: bool,
}

/// One learner of the course and whether they confirmed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Confirmation {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub confirmed_at: Option<i64>,
    /// The statement as it read when they confirmed.
    pub statement: Option<String>,
}

/// The staff's panel: the statement and a page of learners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub statement: String,
    pub confirmed: i64,
    pub learners: i64,
    pub page: crate::paging::Page<Confirmation>,
}
