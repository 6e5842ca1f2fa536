//! What a manager's team pages show.

use crate::compliance::model::MyRequirement;
use crate::learning::model::LearningCard;
use crate::users::profile::Profile;
use serde::{Deserialize, Serialize};

/// One person in a manager's team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub department: String,
    pub location: String,
    /// 1 for a direct report, 2 for their reports, …
    pub depth: i64,
    /// Whom they report to.
    pub manager_name: String,
    /// Courses they take (active enrolments as a learner) and how many of those they completed.
    pub courses: i64,
    pub completed: i64,
    /// Required training that applies to them, how much of it they are compliant with
    /// (completed and valid, or exempt), and how much is overdue or expired.
    pub required: i64,
    pub compliant: i64,
    pub overdue: i64,
}

/// A person in the team with their profile and courses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMemberDetail {
    pub member: TeamMember,
    pub profile: Profile,
    pub courses: Vec<LearningCard>,
    pub requirements: Vec<MyRequirement>,
}
