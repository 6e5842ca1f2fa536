use crate::error::{AppError, Problems};
use serde::{Deserialize, Serialize};

/// Site-wide settings an administrator can change in the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    pub site_name: String,
    pub self_registration: bool,
    /// Sessions end after this many minutes without activity.
    pub session_lifetime_minutes: i64,
    /// Where the organisation is (an IANA name): due dates end at midnight there.
    #[serde(default = "utc")]
    pub time_zone: String,
}

fn utc() -> String {
    "UTC".into()
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            site_name: "Lyceum".into(),
            self_registration: false,
            session_lifetime_minutes: 480,
            time_zone: utc(),
        }
    }
}

impl SiteSettings {
    pub const MIN_SESSION_MINUTES: i64 = 5;
    pub const MAX_SESSION_MINUTES: i64 = 60 * 24 * 90;

    /// Parses the settings form (the server checks that the time zone exists).
    pub fn parse(
        site_name: &str,
        self_registration: bool,
        session_lifetime_minutes: &str,
        time_zone: &str,
    ) -> Result<SiteSettings, AppError> {
        let mut problems = Problems::default();
        let name = site_name.trim();
        if name.is_empty() {
            problems.add("site_name", "Enter a site name.");
        } else if name.chars().count() > 80 {
            problems.add("site_name", "Site names can be at most 80 characters.");
        }
        let minutes = match session_lifetime_minutes.trim().parse::<i64>() {
            Ok(m) if (Self::MIN_SESSION_MINUTES..=Self::MAX_SESSION_MINUTES).contains(&m) => m,
            _ => {
                problems.add(
                    "session_lifetime_minutes",
                    format!(
                        "Enter a whole number of minutes from {} to {}.",
                        Self::MIN_SESSION_MINUTES,
                        Self::MAX_SESSION_MINUTES
                    ),
                );
                0
            }
        };
        let zone = time_zone.trim();
        if zone.is_empty() || zone.len() > 64 || zone.chars().any(char::is_control) {
            problems.add(
                "time_zone",
                "Enter a time zone such as Europe/London or America/New_York.",
            );
        }
        problems.into_result()?;
        Ok(SiteSettings {
            site_name: name.to_string(),
            self_registration,
            session_lifetime_minutes: minutes,
            time_zone: zone.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_form_reports_every_bad_field() {
        let err = SiteSettings::parse(" ", false, "2", "UTC").unwrap_err();
        assert!(err.field("site_name").is_some());
        assert!(err.field("session_lifetime_minutes").is_some());
    }

    #[test]
    fn settings_form_parses() {
        let s = SiteSettings::parse(" Acme Academy ", true, "60", " Europe/Paris ").unwrap();
        assert_eq!(
            s,
            SiteSettings {
                site_name: "Acme Academy".into(),
                self_registration: true,
                session_lifetime_minutes: 60,
                time_zone: "Europe/Paris".into(),
            }
        );
    }
}
