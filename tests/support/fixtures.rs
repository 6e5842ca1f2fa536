//! Builders for what most tests start from: a published course with a section, its instructor, a
//! teaching assistant and some learners, all enrolled.

use lyceum::auth::permissions::Actor;
use lyceum::courses::model::{CourseForm, CourseRole, CourseState, ItemForm};
use lyceum::courses::{service, structure};
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

/// A published course: `teacher@example.com` teaches it, `ta@example.com` assists, and the
/// learners are enrolled in the order they were named.
pub struct Class {
    pub teacher: Actor,
    pub assistant: Actor,
    pub learners: Vec<Actor>,
    pub course_id: i64,
    pub section_id: i64,
}

pub struct ClassBuilder {
    code: &'static str,
    title: &'static str,
    section: &'static str,
    learners: Vec<&'static str>,
    published: bool,
}

impl ClassBuilder {
    /// One learner, `ada@example.com`, in a section "Week 1".
    pub fn new(code: &'static str) -> ClassBuilder {
        ClassBuilder {
            code,
            title: "A course",
            section: "Week 1",
            learners: vec!["ada@example.com"],
            published: true,
        }
    }

    pub fn title(mut self, title: &'static str) -> ClassBuilder {
        self.title = title;
        self
    }

    pub fn section(mut self, title: &'static str) -> ClassBuilder {
        self.section = title;
        self
    }

    pub fn learners(mut self, emails: &[&'static str]) -> ClassBuilder {
        self.learners = emails.to_vec();
        self
    }

    /// Left as a draft (learners are still enrolled).
    pub fn draft(mut self) -> ClassBuilder {
        self.published = false;
        self
    }

    pub async fn build(self, state: &AppState) -> Class {
        let teacher = user_with_roles(state, "teacher@example.com", &[Role::Instructor]).await;
        let assistant = user_with_roles(state, "ta@example.com", &[Role::Learner]).await;
        let mut learners = Vec::new();
        for email in &self.learners {
            learners.push(user_with_roles(state, email, &[Role::Learner]).await);
        }
        let course = lyceum::enrolments::service::create_course(
            state,
            &teacher,
            &CourseForm {
                code: self.code.into(),
                title: self.title.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let section_id = structure::add_section(state, &teacher, course.id, self.section)
            .await
            .unwrap();
        if self.published {
            service::set_state(state, &teacher, course.id, CourseState::Published)
                .await
                .unwrap();
        }
        let enrolled = learners
            .iter()
            .map(|l| (l, CourseRole::Learner))
            .chain([(&assistant, CourseRole::Assistant)]);
        for (who, role) in enrolled {
            lyceum::enrolments::service::enrol_user(state, &teacher, course.id, who.id, role)
                .await
                .unwrap();
        }
        Class {
            teacher,
            assistant,
            learners,
            course_id: course.id,
            section_id,
        }
    }
}

impl Class {
    /// The learner named `n`-th (from 0).
    pub fn learner(&self, n: usize) -> Actor {
        self.learners[n].clone()
    }

    /// Adds a required item of `kind` to the section, as the teacher.
    pub async fn add_item(&self, state: &AppState, kind: &str, title: &str) -> i64 {
        self.add(
            state,
            ItemForm {
                kind: kind.into(),
                title: title.into(),
                required: true,
                ..Default::default()
            },
        )
        .await
    }

    /// Adds an item as the teacher, with the form as given (the section is filled in).
    pub async fn add(&self, state: &AppState, form: ItemForm) -> i64 {
        lyceum::items::service::add_item(state, &self.teacher, self.section_id, &form)
            .await
            .unwrap()
    }
}
