//! What an organisation records about a person (employee id, department, job title, manager,
//! location, hire date): the form, its rules, and what pages show. Audiences, managers' teams and
//! compliance read it.

use super::custom_fields::{CustomField, check_values};
use crate::error::{AppError, Problems};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A person's profile as pages show it; every field may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub employee_id: Option<String>,
    pub department: String,
    pub job_title: String,
    pub manager: Option<ManagerRef>,
    pub location: String,
    /// `YYYY-MM-DD`.
    pub hire_date: Option<String>,
    /// The administrator-defined fields that have a value, by name.
    #[serde(default)]
    pub custom: BTreeMap<String, String>,
}

/// Whom a person reports to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerRef {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// The profile form as typed: the manager is named by their email address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub employee_id: String,
    pub department: String,
    pub job_title: String,
    pub manager_email: String,
    pub location: String,
    pub hire_date: String,
    /// Administrator-defined fields by name.
    pub custom: BTreeMap<String, String>,
}

impl ProfileForm {
    /// The form that shows a stored profile.
    pub fn of(profile: &Profile) -> ProfileForm {
        ProfileForm {
            employee_id: profile.employee_id.clone().unwrap_or_default(),
            department: profile.department.clone(),
            job_title: profile.job_title.clone(),
            manager_email: profile
                .manager
                .as_ref()
                .map(|m| m.email.clone())
                .unwrap_or_default(),
            location: profile.location.clone(),
            hire_date: profile.hire_date.clone().unwrap_or_default(),
            custom: profile.custom.clone(),
        }
    }
}

/// A profile form after its own rules (the manager is checked against the accounts later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFields {
    pub employee_id: Option<String>,
    pub department: String,
    pub job_title: String,
    pub manager_email: Option<String>,
    pub location: String,
    pub hire_date: Option<String>,
    /// Every defined field's value (empty when none), checked.
    pub custom: BTreeMap<String, String>,
}

fn text(problems: &mut Problems, field: &str, label: &str, input: &str, max: usize) -> String {
    let value = input.trim();
    if value.chars().count() > max {
        problems.add(
            field,
            format!("The {label} can be at most {max} characters."),
        );
    } else if value.chars().any(char::is_control) {
        problems.add(
            field,
            format!("The {label} cannot contain control characters."),
        );
    }
    value.to_string()
}

impl ProfileFields {
    /// Checks a form against its rules and the defined fields.
    pub fn parse(form: &ProfileForm, fields: &[CustomField]) -> Result<ProfileFields, AppError> {
        let mut problems = Problems::default();
        let employee_id = text(
            &mut problems,
            "employee_id",
            "employee id",
            &form.employee_id,
            64,
        );
        let department = text(
            &mut problems,
            "department",
            "department",
            &form.department,
            200,
        );
        let job_title = text(
            &mut problems,
            "job_title",
            "job title",
            &form.job_title,
            200,
        );
        let location = text(&mut problems, "location", "location", &form.location, 200);
        let manager_email = form.manager_email.trim().to_lowercase();
        let hire_date = problems
            .check(crate::input::parse_date("hire_date", &form.hire_date))
            .flatten()
            .map(|ts| crate::input::format_date(Some(ts)));
        let custom = check_values(fields, &form.custom, &mut problems);
        problems.into_result()?;
        Ok(ProfileFields {
            employee_id: (!employee_id.is_empty()).then_some(employee_id),
            department,
            job_title,
            manager_email: (!manager_email.is_empty()).then_some(manager_email),
            location,
            hire_date,
            custom,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_form_is_trimmed_and_checked() {
        let fields = ProfileFields::parse(
            &ProfileForm {
                employee_id: " E-042 ".into(),
                department: "Nursing".into(),
                manager_email: " Mo@Example.com ".into(),
                hire_date: "2024-02-29".into(),
                ..Default::default()
            },
            &[],
        )
        .unwrap();
        assert_eq!(fields.employee_id.as_deref(), Some("E-042"));
        assert_eq!(fields.manager_email.as_deref(), Some("mo@example.com"));
        assert_eq!(fields.hire_date.as_deref(), Some("2024-02-29"));
        let bad = ProfileFields::parse(
            &ProfileForm {
                hire_date: "2023-02-29".into(),
                job_title: "x".repeat(201),
                ..Default::default()
            },
            &[],
        )
        .unwrap_err();
        assert!(bad.field("hire_date").is_some());
        assert!(bad.field("job_title").is_some());
        assert_eq!(
            ProfileFields::parse(&ProfileForm::default(), &[])
                .unwrap()
                .employee_id,
            None
        );
    }
}
