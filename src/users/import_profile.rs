//! The profile columns of a user import (employee id, department, job title, manager, location,
//! hire date, and the administrator-defined fields by name). A column the file leaves out keeps what is recorded; a column it has sets the
//! field for every row, an empty cell clearing it. Managers are named by email: an account, or a
//! person the same file creates. The file as a whole must not make anyone report to themselves.

use super::custom_fields::CustomField;
use super::model::{User, UserStatus};
use super::profile::{Profile, ProfileFields, ProfileForm};
use crate::error::AppError;
use std::collections::{HashMap, HashSet};

/// The columns, as a file names them, and how a problem with each one is introduced.
const COLUMNS: [(&str, &str); 6] = [
    ("employee_id", "Employee id"),
    ("department", "Department"),
    ("job_title", "Job title"),
    ("manager_email", "Manager"),
    ("location", "Location"),
    ("hire_date", "Hire date"),
];

/// The profile columns a file has: each column's place in the file, then the defined fields
/// it names. A cell is (column, text), the column counting the fixed ones first.
#[derive(Debug, Default)]
pub(super) struct ProfileColumns {
    fixed: [Option<usize>; 6],
    /// (the field, where it is in the file).
    custom: Vec<(CustomField, usize)>,
    /// Every defined field, for checking values.
    defined: Vec<CustomField>,
}

impl ProfileColumns {
    pub fn find(headers: &[String], defined: Vec<CustomField>) -> ProfileColumns {
        let mut fixed = [None; 6];
        for (slot, (name, _)) in fixed.iter_mut().zip(COLUMNS) {
            *slot = headers
                .iter()
                .position(|h| h == name || (name == "manager_email" && h == "manager"));
        }
        let custom = defined
            .iter()
            .filter_map(|f| Some((f.clone(), headers.iter().position(|h| *h == f.name)?)))
            .collect();
        ProfileColumns {
            fixed,
            custom,
            defined,
        }
    }

    pub fn any(&self) -> bool {
        self.fixed.iter().any(Option::is_some) || !self.custom.is_empty()
    }

    /// One row's cells in the profile columns the file has.
    pub fn cells(&self, cell: impl Fn(usize) -> String) -> Vec<(usize, String)> {
        let fixed = self.fixed.iter().enumerate();
        let custom = self
            .custom
            .iter()
            .enumerate()
            .map(|(i, (_, at))| (COLUMNS.len() + i, Some(*at)));
        fixed
            .map(|(column, at)| (column, *at))
            .chain(custom)
            .filter_map(|(column, at)| at.map(|at| (column, cell(at))))
            .collect()
    }

    fn label(&self, column: usize) -> &str {
        match COLUMNS.get(column) {
            Some((_, label)) => label,
            None => self
                .custom
                .get(column - COLUMNS.len())
                .map_or("Profile", |(f, _)| f.label.as_str()),
        }
    }

    /// What the preview shows of a row's profile cells ("Department: Nursing; Manager: …").
    pub fn summary(&self, cells: &[(usize, String)]) -> String {
        cells
            .iter()
            .filter(|(_, text)| !text.is_empty())
            .map(|(column, text)| format!("{}: {text}", self.label(*column)))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The profile a row asks for: what is recorded, with the file's cells over it. Problems
    /// come back as messages that name the column.
    pub fn requested(
        &self,
        recorded: &Profile,
        cells: &[(usize, String)],
    ) -> Result<ProfileFields, Vec<String>> {
        let mut form = ProfileForm::of(recorded);
        for (column, text) in cells {
            let field = match column {
                0 => &mut form.employee_id,
                1 => &mut form.department,
                2 => &mut form.job_title,
                3 => &mut form.manager_email,
                4 => &mut form.location,
                5 => &mut form.hire_date,
                custom => match self.custom.get(custom - COLUMNS.len()) {
                    Some((f, _)) => form.custom.entry(f.name.clone()).or_default(),
                    None => continue,
                },
            };
            field.clone_from(text);
        }
        ProfileFields::parse(&form, &self.defined).map_err(|error| match error {
            AppError::Invalid(problems) => problems
                .into_iter()
                .map(|p| {
                    let label = COLUMNS
                        .iter()
                        .find(|(name, _)| *name == p.field)
                        .map(|(_, label)| *label);
                    match label {
                        Some(label) => format!("{label}: {}", p.message),
                        // A defined field's message names it already.
                        None => p.message,
                    }
                })
                .collect(),
            other => vec![other.to_string()],
        })
    }

    /// What is recorded, as the same rules read it (to tell whether a row changes anything).
    pub fn recorded(&self, recorded: &Profile) -> Option<ProfileFields> {
        ProfileFields::parse(&ProfileForm::of(recorded), &[])
            .ok()
            .map(|mut fields| {
                fields.custom = self
                    .defined
                    .iter()
                    .map(|f| {
                        let value = recorded.custom.get(&f.name).cloned().unwrap_or_default();
                        (f.name.clone(), value)
                    })
                    .collect();
                fields
            })
    }

    pub fn defined(&self) -> &[CustomField] {
        &self.defined
    }
}

/// The reporting lines once a file is applied, to check each row's manager against.
pub(super) struct ReportingLines {
    /// person's email → manager's email.
    lines: HashMap<String, String>,
    /// Everyone the file names (they exist once it is applied).
    in_file: HashSet<String>,
}

impl ReportingLines {
    /// `recorded` are the lines today; `rows` are (email, requested profile) of the file's rows.
    pub fn after_import<'a>(
        recorded: Vec<(String, String)>,
        rows: impl Iterator<Item = (&'a str, &'a ProfileFields)>,
        in_file: HashSet<String>,
    ) -> ReportingLines {
        let mut lines: HashMap<String, String> = recorded.into_iter().collect();
        for (email, profile) in rows {
            match &profile.manager_email {
                Some(manager) => lines.insert(email.to_string(), manager.clone()),
                None => lines.remove(email),
            };
        }
        ReportingLines { lines, in_file }
    }

    /// What is wrong with `email` reporting to `manager`, who is `account` if one has that address.
    pub fn problem(&self, email: &str, manager: &str, account: Option<&User>) -> Option<String> {
        if manager == email {
            return Some("Manager: a person cannot be their own manager.".into());
        }
        let live = account.is_some_and(|u| u.status != UserStatus::Deleted);
        if !live && !self.in_file.contains(manager) {
            return Some(format!(
                "Manager: no account has the address {manager}, and no row of the file creates it."
            ));
        }
        let mut current = manager;
        for _ in 0..=self.lines.len() {
            match self.lines.get(current) {
                Some(next) if next == email => {
                    return Some(format!(
                        "Manager: {manager} would report to this person, directly or through others."
                    ));
                }
                Some(next) => current = next,
                None => break,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(manager: Option<&str>) -> ProfileFields {
        ProfileFields {
            custom: Default::default(),
            employee_id: None,
            department: String::new(),
            job_title: String::new(),
            manager_email: manager.map(str::to_string),
            location: String::new(),
            hire_date: None,
        }
    }

    #[test]
    fn cells_override_what_is_recorded_and_problems_name_the_column() {
        let shift = CustomField {
            id: 1,
            name: "shift".into(),
            label: "Shift".into(),
            kind: super::super::custom_fields::CustomKind::Choice,
            choices: vec!["Day".into(), "Night".into()],
            required: false,
            visible_to_user: true,
        };
        let columns = ProfileColumns::find(
            &[
                "email".into(),
                "name".into(),
                "department".into(),
                "shift".into(),
            ],
            vec![shift],
        );
        let cells = columns.cells(|at| {
            if at == 2 {
                "Nursing".into()
            } else {
                "night".into()
            }
        });
        let recorded = Profile {
            job_title: "Nurse".into(),
            ..Default::default()
        };
        let asked = columns.requested(&recorded, &cells).unwrap();
        assert_eq!(
            (asked.department.as_str(), asked.job_title.as_str()),
            ("Nursing", "Nurse")
        );
        assert_eq!(asked.custom["shift"], "Night");
        assert_eq!(columns.summary(&cells), "Department: Nursing; Shift: night");
        let bad = columns
            .requested(&recorded, &[(5, "2023-02-29".into())])
            .unwrap_err();
        assert!(bad[0].starts_with("Hire date: "), "{bad:?}");
        let dusk = columns
            .requested(&recorded, &[(6, "dusk".into())])
            .unwrap_err();
        assert!(dusk[0].starts_with("Shift must be one of"), "{dusk:?}");
    }

    #[test]
    fn a_file_cannot_close_a_reporting_loop() {
        let a = fields(Some("b@x.test"));
        let b = fields(Some("c@x.test"));
        let lines = ReportingLines::after_import(
            vec![("c@x.test".into(), "a@x.test".into())],
            [("a@x.test", &a), ("b@x.test", &b)].into_iter(),
            ["a@x.test".into(), "b@x.test".into()].into(),
        );
        assert!(
            lines
                .problem("a@x.test", "b@x.test", None)
                .unwrap()
                .contains("would report")
        );
        assert!(
            lines
                .problem("a@x.test", "a@x.test", None)
                .unwrap()
                .contains("own manager")
        );
        assert!(
            lines
                .problem("z@x.test", "nobody@x.test", None)
                .unwrap()
                .contains("no account")
        );
        // A file row that moves c away from a breaks the loop.
        let c = fields(None);
        let fixed = ReportingLines::after_import(
            vec![("c@x.test".into(), "a@x.test".into())],
            [("a@x.test", &a), ("b@x.test", &b), ("c@x.test", &c)].into_iter(),
            ["a@x.test".into(), "b@x.test".into(), "c@x.test".into()].into(),
        );
        assert_eq!(fixed.problem("a@x.test", "b@x.test", None), None);
    }
}
