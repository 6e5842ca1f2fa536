//! Who may do what: the one place every service asks. The browser uses the same rules only to hide
//! what a person may not do; the server always checks again.

use crate::users::model::Role;
use serde::{Deserialize, Serialize};

/// The signed-in person, as every service sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
}

impl Actor {
    /// Someone other than the caller, with no site roles, for asking what their enrolment lets
    /// them do in a course (is this person a learner there?).
    pub fn other_person(user_id: i64) -> Actor {
        Actor {
            id: user_id,
            name: String::new(),
            email: String::new(),
            roles: Vec::new(),
        }
    }
}

/// Everything that needs permission beyond being signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// See the user list and user details.
    ViewUsers,
    /// Create, edit, suspend, delete, import and export users (not administrators, unless admin).
    ManageUser {
        target_roles: &'a [Role],
    },
    /// Give or take away these roles.
    AssignRoles {
        roles: &'a [Role],
    },
    ManageSettings,
    ViewAuditLog,
    ViewOutbox,
    /// See the background jobs; retry a failed one, cancel a queued one.
    ManageJobs,
    CreateCourse,
    /// Edit the category tree.
    ManageCategories,
    /// Create cohorts and change their members.
    ManageCohorts,
    /// Define audiences (rules over people's profiles, roles and cohorts) and see who they hold.
    ManageAudiences,
    /// Set mandatory training (requirements), exempt people and extend their due dates.
    ManageCompliance,
    /// Design certificate templates; see, search, issue and revoke anyone's certificates.
    ManageCertificates,
    /// See every course overdue for review (owners see their own).
    ViewAllReviews,
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Administrator)
    }
    fn is_user_manager(&self) -> bool {
        self.is_admin() || self.has_role(Role::Manager)
    }
}

/// Whether `actor` may perform `action`.
pub fn can(actor: &Actor, action: Action<'_>) -> bool {
    match action {
        Action::ViewUsers => actor.is_user_manager(),
        // Managers look after people but may not touch an administrator's account.
        Action::ManageUser { target_roles } => {
            actor.is_admin()
                || (actor.has_role(Role::Manager) && !target_roles.contains(&Role::Administrator))
        }
        // Only administrators make administrators or managers.
        Action::AssignRoles { roles } => {
            actor.is_admin()
                || (actor.has_role(Role::Manager)
                    && roles
                        .iter()
                        .all(|r| matches!(r, Role::Instructor | Role::Learner)))
        }
        Action::ManageSettings | Action::ViewOutbox | Action::ManageJobs => actor.is_admin(),
        Action::ViewAuditLog => actor.is_admin(),
        Action::CreateCourse => actor.is_admin() || actor.has_role(Role::Instructor),
        Action::ManageCategories | Action::ViewAllReviews => actor.is_admin(),
        Action::ManageCohorts
        | Action::ManageAudiences
        | Action::ManageCompliance
        | Action::ManageCertificates => actor.is_user_manager(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            id: 1,
            name: "A".into(),
            email: "a@example.com".into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn learner_may_not_administer() {
        let learner = actor(&[Role::Learner]);
        assert!(!can(&learner, Action::ViewUsers));
        assert!(!can(
            &learner,
            Action::ManageUser {
                target_roles: &[Role::Learner]
            }
        ));
        assert!(!can(&learner, Action::ManageSettings));
        assert!(!can(&learner, Action::ViewAuditLog));
        assert!(!can(&learner, Action::CreateCourse));
    }

    #[test]
    fn manager_manages_people_but_not_admins_or_settings() {
        let manager = actor(&[Role::Manager]);
        assert!(can(&manager, Action::ViewUsers));
        assert!(can(
            &manager,
            Action::ManageUser {
                target_roles: &[Role::Learner, Role::Instructor]
            }
        ));
        assert!(!can(
            &manager,
            Action::ManageUser {
                target_roles: &[Role::Administrator]
            }
        ));
        assert!(can(
            &manager,
            Action::AssignRoles {
                roles: &[Role::Instructor]
            }
        ));
        assert!(!can(
            &manager,
            Action::AssignRoles {
                roles: &[Role::Manager]
            }
        ));
        assert!(!can(&manager, Action::ManageSettings));
    }

    #[test]
    fn administrator_may_do_everything() {
        let admin = actor(&[Role::Administrator]);
        assert!(can(
            &admin,
            Action::ManageUser {
                target_roles: &[Role::Administrator]
            }
        ));
        assert!(can(&admin, Action::AssignRoles { roles: &Role::ALL }));
        assert!(can(&admin, Action::ManageSettings));
        assert!(can(&admin, Action::ViewOutbox));
    }

    #[test]
    fn instructor_may_create_courses() {
        assert!(can(&actor(&[Role::Instructor]), Action::CreateCourse));
    }
}
