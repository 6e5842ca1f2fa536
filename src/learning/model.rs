use crate::completion::model::Progress;
use crate::courses::model::{Course, CourseCard, EnrolmentStatus, ItemDetail, Section};
use crate::enrolments::model::EnrolOption;
use serde::{Deserialize, Serialize};

/// A course as the catalogue's course page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoursePage {
    /// The enrolment key is never sent (only whether one is needed).
    pub course: Course,
    pub description_html: String,
    pub outline: Vec<Section>,
    pub instructors: Vec<String>,
    pub enrol: EnrolOption,
    pub progress: Option<Progress>,
    /// The actor may open the content now.
    pub can_open: bool,
    /// The actor may see the staff view.
    pub is_staff: bool,
}

/// One item in the player, with the outline and where the learner stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlayerView {
    pub course_id: i64,
    pub course_code: String,
    pub course_title: String,
    pub outline: Vec<Section>,
    pub completed: Vec<i64>,
    pub item: ItemDetail,
    pub previous: Option<i64>,
    pub next: Option<i64>,
    pub progress: Progress,
    /// Progress is recorded only for learners.
    pub is_learner: bool,
}

impl PlayerView {
    pub fn is_complete(&self, item_id: i64) -> bool {
        self.completed.contains(&item_id)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearningCard {
    pub course_id: i64,
    pub code: String,
    pub title: String,
    pub status: EnrolmentStatus,
    pub progress: Progress,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyLearning {
    pub in_progress: Vec<LearningCard>,
    pub completed: Vec<LearningCard>,
    /// Waiting for approval or a place.
    pub waiting: Vec<LearningCard>,
    pub teaching: Vec<CourseCard>,
}
