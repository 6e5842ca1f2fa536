//! SCORM package types (compile for the browser too).

use serde::{Deserialize, Serialize};

/// Which SCORM a package follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Version {
    Scorm12,
    /// SCORM 2004, with its edition when the manifest states it (2, 3 or 4).
    Scorm2004(Option<u8>),
}

impl Version {
    pub fn label(self) -> String {
        match self {
            Version::Scorm12 => "SCORM 1.2".into(),
            Version::Scorm2004(Some(2)) => "SCORM 2004 2nd edition".into(),
            Version::Scorm2004(Some(3)) => "SCORM 2004 3rd edition".into(),
            Version::Scorm2004(Some(n)) => format!("SCORM 2004 {n}th edition"),
            Version::Scorm2004(None) => "SCORM 2004".into(),
        }
    }

    /// The stored form (`1.2`, `2004`, `2004-3`).
    pub fn as_stored(self) -> String {
        match self {
            Version::Scorm12 => "1.2".into(),
            Version::Scorm2004(None) => "2004".into(),
            Version::Scorm2004(Some(n)) => format!("2004-{n}"),
        }
    }

    pub fn from_stored(text: &str) -> Version {
        match text {
            "1.2" => Version::Scorm12,
            other => Version::Scorm2004(other.strip_prefix("2004-").and_then(|n| n.parse().ok())),
        }
    }
}

/// One entry of the package's table of contents (the default organization's items in order,
/// nested by `depth`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TocItem {
    /// The item's identifier in the manifest.
    pub identifier: String,
    pub title: String,
    /// 0 for the organization's own items.
    pub depth: u32,
    /// The file the item launches, relative to the package's root, with the item's parameters
    /// (`None`: a heading that groups other items).
    pub launch: Option<String>,
    /// Whether the launched resource is a SCO (it talks to the LMS) rather than an asset.
    pub sco: bool,
    /// Whether the manifest shows the item (`isvisible`).
    pub visible: bool,
    /// SCORM 1.2 `adlcp:masteryscore` (0–100).
    pub mastery_score: Option<f64>,
    /// `adlcp:datafromlms` / `adlcp:dataFromLMS`: `cmi.launch_data`.
    pub launch_data: Option<String>,
    /// SCORM 2004 `adlcp:completionThreshold` (0–1).
    pub completion_threshold: Option<f64>,
    /// `adlcp:maxtimeallowed` (1.2) or the limit's duration: `cmi.max_time_allowed`.
    pub max_time_allowed: Option<String>,
    /// `adlcp:timelimitaction`: `cmi.time_limit_action`.
    pub time_limit_action: Option<String>,
    /// SCORM 2004 sequencing (the default for 1.2 and for packages without any).
    #[serde(default)]
    pub sequencing: super::sequencing::Sequencing,
}

/// What a package's manifest says, as kept for the player.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Structure {
    pub version: Version,
    /// The default organization's title.
    pub title: String,
    pub items: Vec<TocItem>,
    /// The organization's own sequencing: its control modes govern its top-level items.
    #[serde(default)]
    pub sequencing: super::sequencing::Sequencing,
}

impl Structure {
    /// The items a learner can open, in order.
    pub fn launchable(&self) -> impl Iterator<Item = &TocItem> {
        self.items.iter().filter(|i| i.launch.is_some())
    }
}

/// An item's package as its editor and player show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageInfo {
    pub item_id: i64,
    pub structure: Structure,
    pub file_count: i64,
    pub total_bytes: i64,
    /// The uploaded zip's name.
    pub file_name: String,
    pub uploaded_at: i64,
    /// Where the package's files are served from (`/packages/{item}/{revision}/`).
    pub base_url: String,
}

/// What the player needs to start one SCO for the person asking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoLaunch {
    /// The item's identifier in the manifest.
    pub sco: String,
    /// The page to load in the frame.
    pub url: String,
    pub version: Version,
    /// Whether what the SCO reports is kept (a learner's attempt) or not (a staff preview).
    pub record: bool,
    pub launch: super::cmi12::Launch,
    /// What the SCO set in earlier sessions of this attempt.
    pub values: std::collections::BTreeMap<String, String>,
    /// The number of the last commit the server kept.
    pub sequence: i64,
}

/// One learner's results on a package, as the instructor's report shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerResult {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub status: ResultStatus,
    /// Parts (SCOs) completed or passed, of those the package has.
    pub done: i64,
    /// The grade: the mean of the parts' scores (percentages), when any reported one.
    pub score: Option<f64>,
    /// Time spent in the current attempts, in seconds.
    pub seconds: f64,
    pub last_seen: Option<i64>,
    /// The highest attempt number of any part (1 unless reset or recertified).
    pub attempt: i64,
}

/// Where a learner stands on a package as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResultStatus {
    NotStarted,
    InProgress,
    Failed,
    Completed,
    Passed,
}

impl ResultStatus {
    pub fn label(self) -> &'static str {
        match self {
            ResultStatus::NotStarted => "Not started",
            ResultStatus::InProgress => "In progress",
            ResultStatus::Failed => "Failed",
            ResultStatus::Completed => "Completed",
            ResultStatus::Passed => "Passed",
        }
    }
}

/// The instructor's report on a package: counts, and one page of the course's learners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// The parts (SCOs) the package has.
    pub parts: i64,
    pub learners: i64,
    pub started: i64,
    pub done: i64,
    /// Whether the one asking may reset a learner's attempts.
    pub may_reset: bool,
    pub page: crate::paging::Page<LearnerResult>,
}
