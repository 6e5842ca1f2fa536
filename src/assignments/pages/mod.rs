//! Assignment pages: the set-up under the item form, the learner's panel in the player, and the
//! graders' submissions list and grading page.

mod grading;
mod learner;
mod setup;

pub use grading::{SubmissionGradingPage, SubmissionsPage};
pub use learner::AssignmentPanel;
pub use setup::AssignmentSetup;
