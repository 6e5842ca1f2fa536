//! Notifications and preferences as pages show them (shared with the browser).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

crate::string_enum!(
    /// What a notification is about; each person chooses per kind how they hear of it.
    Kind {
        ComplianceReminder = "compliance_reminder" / "Reminders about required training",
        EnrolmentApproved = "enrolment_approved" / "Enrolment requests approved",
        GradeReleased = "grade_released" / "Grades released",
        CertificateIssued = "certificate_issued" / "Certificates issued to me",
        CertificateExpiring = "certificate_expiring" / "My certificates about to expire",
        AssignmentDueSoon = "assignment_due_soon" / "Assignments due soon that I have not handed in",
    }
);

crate::string_enum!(
    /// How a person hears of one kind of notification.
    Channel {
        InApp = "in_app" / "In Lyceum only",
        Email = "email" / "In Lyceum and by email at once",
        Digest = "digest" / "In Lyceum and in one email a day",
        Off = "off" / "Not at all",
    }
);

impl Kind {
    /// What a person who never chose gets.
    pub fn default_channel(self) -> Channel {
        Channel::Email
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub kind: Kind,
    pub subject: String,
    pub body: String,
    /// A path inside Lyceum, or empty.
    pub link: String,
    pub created_at: i64,
    pub read: bool,
}

/// A person's choice per kind, as the settings form sends it: kind → channel, both as their
/// stored words (`compliance_reminder` → `digest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PreferencesForm {
    pub channels: BTreeMap<String, String>,
}
