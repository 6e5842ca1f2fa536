//! Where a learner stands in a course (compiles for the browser too).

use crate::enrolments::model::percent;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub done: i64,
    pub total: i64,
    pub completed_at: Option<i64>,
    pub last_item_id: Option<i64>,
}

impl Progress {
    pub fn percent(&self) -> i64 {
        if self.completed_at.is_some() {
            100
        } else {
            percent(self.done, self.total)
        }
    }
}
