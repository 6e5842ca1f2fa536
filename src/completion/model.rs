//! Where a learner stands in a course (compiles for the browser too).

use crate::enrolments::model::percent;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub done: i64,
    pub total: i64,
    pub completed_at: Option<i64>,
    pub last_item_id: Option<i64>,
}

/// The learner's completed items and progress in one course, as the player's outline shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseProgress {
    pub completed: Vec<i64>,
    pub progress: Progress,
}

/// Said by an item's own panel in the course player when the learner finished something there
/// (handed in, confirmed): the player's outline and progress, which the panel cannot reach,
/// load again without a page reload. Provided by the player; absent elsewhere.
#[derive(Debug, Clone, Copy)]
pub struct ProgressChanged(RwSignal<u32>);

impl ProgressChanged {
    /// For the player: a fresh one in the context of what it renders.
    pub fn provide() -> Self {
        let changed = ProgressChanged(RwSignal::new(0));
        provide_context(changed);
        changed
    }
    /// The player's, when the panel is shown in one. Read when the panel is created (a context
    /// cannot be looked up after an `await`).
    pub fn in_context() -> Option<Self> {
        use_context::<Self>()
    }
    pub fn notify(self) {
        self.0.update(|n| *n += 1);
    }
    /// How many times it was said (0 until something changed).
    pub fn count(self) -> u32 {
        self.0.get()
    }
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

/// The job kind that starts a learner's course afresh for a new certification cycle (queued by
/// compliance, run by `items::service::reset_learner`, which knows the item kinds).
pub const RESET_LEARNER: &str = "completion.reset_learner";

/// What a `RESET_LEARNER` job is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResetLearner {
    pub course_id: i64,
    pub user_id: i64,
}

/// The job kind queued when a learner completes a course, in the completion's transaction: what
/// follows a completion (a certificate) runs in the background, in the areas above.
pub const COURSE_COMPLETED: &str = "completion.course_completed";

/// What a `COURSE_COMPLETED` job is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CourseCompleted {
    pub course_id: i64,
    pub user_id: i64,
}
