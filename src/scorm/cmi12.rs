//! The SCORM 1.2 run-time environment's data model (the `cmi.` elements): which elements exist,
//! who may read or write each, their types and vocabularies, and the error codes a SCO gets back,
//! as the SCORM 1.2 Run-Time Environment (section 3.4) defines them. Pure, so the browser's API
//! object and the server (which checks what it is sent) use the same rules.

use std::collections::BTreeMap;

/// The error codes of `LMSGetLastError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    NoError,
    General,
    InvalidArgument,
    CannotHaveChildren,
    CannotHaveCount,
    NotInitialized,
    NotImplemented,
    Keyword,
    ReadOnly,
    WriteOnly,
    IncorrectType,
}

impl ErrorCode {
    pub fn code(self) -> u16 {
        match self {
            ErrorCode::NoError => 0,
            ErrorCode::General => 101,
            ErrorCode::InvalidArgument => 201,
            ErrorCode::CannotHaveChildren => 202,
            ErrorCode::CannotHaveCount => 203,
            ErrorCode::NotInitialized => 301,
            ErrorCode::NotImplemented => 401,
            ErrorCode::Keyword => 402,
            ErrorCode::ReadOnly => 403,
            ErrorCode::WriteOnly => 404,
            ErrorCode::IncorrectType => 405,
        }
    }

    pub fn from_code(code: u16) -> Option<ErrorCode> {
        ALL.iter().copied().find(|e| e.code() == code)
    }

    /// `LMSGetErrorString`.
    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::NoError => "No error",
            ErrorCode::General => "General exception",
            ErrorCode::InvalidArgument => "Invalid argument error",
            ErrorCode::CannotHaveChildren => "Element cannot have children",
            ErrorCode::CannotHaveCount => "Element not an array - cannot have count",
            ErrorCode::NotInitialized => "Not initialized",
            ErrorCode::NotImplemented => "Not implemented error",
            ErrorCode::Keyword => "Invalid set value, element is a keyword",
            ErrorCode::ReadOnly => "Element is read only",
            ErrorCode::WriteOnly => "Element is write only",
            ErrorCode::IncorrectType => "Incorrect data type",
        }
    }
}

const ALL: [ErrorCode; 11] = [
    ErrorCode::NoError,
    ErrorCode::General,
    ErrorCode::InvalidArgument,
    ErrorCode::CannotHaveChildren,
    ErrorCode::CannotHaveCount,
    ErrorCode::NotInitialized,
    ErrorCode::NotImplemented,
    ErrorCode::Keyword,
    ErrorCode::ReadOnly,
    ErrorCode::WriteOnly,
    ErrorCode::IncorrectType,
];

/// At most this many characters of `cmi.suspend_data`: SCORM 1.2 says 4,096, which breaks
/// resuming in many real packages; 2004 says 64,000, and Lyceum gives both that.
pub const SUSPEND_DATA_MAX: usize = 64_000;

/// What the LMS tells a SCO when it starts.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Launch {
    pub student_id: String,
    /// "Last, First", as SCORM 1.2 asks.
    pub student_name: String,
    /// Whether this attempt counts (`credit`) or not (`no-credit`).
    pub credit: bool,
    /// `ab-initio`, `resume` or empty.
    pub entry: String,
    /// `normal`, `browse` or `review`.
    pub lesson_mode: String,
    pub mastery_score: Option<f64>,
    pub max_time_allowed: Option<String>,
    pub time_limit_action: Option<String>,
    pub launch_data: String,
    pub comments_from_lms: String,
    /// The time spent in earlier sessions (CMITimespan in 1.2, an ISO 8601 duration in 2004).
    pub total_time: String,
    /// SCORM 2004 `cmi.completion_threshold` (0–1), from the manifest.
    pub completion_threshold: Option<f64>,
    /// SCORM 2004 `cmi.scaled_passing_score` (-1–1), from the manifest's sequencing.
    pub scaled_passing_score: Option<f64>,
}

/// Who may do what with an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadOnly,
    ReadWrite,
    WriteOnly,
}

/// What values an element takes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// CMIString255 / CMIString4096 / suspend data: at most this many characters.
    Text(usize),
    /// CMIIdentifier: 1 to 255 printable characters without spaces.
    Identifier,
    /// One of these words.
    Vocabulary(&'static [&'static str]),
    /// CMIDecimal (or empty, when `blank`), within a range when given.
    Decimal {
        blank: bool,
        range: Option<(f64, f64)>,
    },
    /// CMISInteger within a range.
    Integer(i32, i32),
    /// CMITime: HH:MM:SS(.SS).
    Time,
    /// CMITimespan: HHHH:MM:SS(.SS).
    Timespan,
    /// An interaction's result: a word or a decimal.
    Result,
}

/// An element as the data model defines it.
enum Element {
    /// `_children` (the list) or `_count` (an array's length): read-only keywords.
    Keyword(String),
    Value {
        access: Access,
        kind: Kind,
        /// Where an array's new entry is appended: the array's prefix and the index asked for.
        array: Vec<(String, usize)>,
    },
}

const CORE_CHILDREN: &str = "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode,exit,session_time";
const SCORE_CHILDREN: &str = "raw,min,max";
const OBJECTIVES_CHILDREN: &str = "id,score,status";
const STUDENT_DATA_CHILDREN: &str = "mastery_score,max_time_allowed,time_limit_action";
const PREFERENCE_CHILDREN: &str = "audio,language,speed,text";
const INTERACTIONS_CHILDREN: &str =
    "id,objectives,time,type,correct_responses,weighting,student_response,result,latency";

const STATUS_SET: &[&str] = &["passed", "completed", "failed", "incomplete", "browsed"];
const OBJECTIVE_STATUS: &[&str] = &[
    "passed",
    "completed",
    "failed",
    "incomplete",
    "browsed",
    "not attempted",
];
const EXIT: &[&str] = &["time-out", "suspend", "logout", ""];
const INTERACTION_TYPES: &[&str] = &[
    "true-false",
    "choice",
    "fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
];

fn score(blank_range: bool) -> Kind {
    Kind::Decimal {
        blank: true,
        range: blank_range.then_some((0.0, 100.0)),
    }
}

fn index(text: &str) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || text.len() > 6 {
        return None;
    }
    text.parse().ok()
}

fn value(access: Access, kind: Kind) -> Result<Element, ErrorCode> {
    Ok(Element::Value {
        access,
        kind,
        array: Vec::new(),
    })
}

fn keyword(text: &str) -> Result<Element, ErrorCode> {
    Ok(Element::Keyword(text.to_string()))
}

/// What `element` is, or why it is not one.
fn element(name: &str, cmi: &Cmi) -> Result<Element, ErrorCode> {
    use Access::*;
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        ["cmi", "core", "_children"] => keyword(CORE_CHILDREN),
        ["cmi", "core", "student_id"] => value(ReadOnly, Kind::Identifier),
        ["cmi", "core", "student_name"] => value(ReadOnly, Kind::Text(255)),
        ["cmi", "core", "lesson_location"] => value(ReadWrite, Kind::Text(255)),
        ["cmi", "core", "credit"] | ["cmi", "core", "entry"] | ["cmi", "core", "lesson_mode"] => {
            value(ReadOnly, Kind::Text(255))
        }
        ["cmi", "core", "lesson_status"] => value(ReadWrite, Kind::Vocabulary(STATUS_SET)),
        ["cmi", "core", "score", "_children"] => keyword(SCORE_CHILDREN),
        ["cmi", "core", "score", "raw" | "min" | "max"] => value(ReadWrite, score(true)),
        ["cmi", "core", "total_time"] => value(ReadOnly, Kind::Timespan),
        ["cmi", "core", "exit"] => value(WriteOnly, Kind::Vocabulary(EXIT)),
        ["cmi", "core", "session_time"] => value(WriteOnly, Kind::Timespan),
        ["cmi", "suspend_data"] => value(ReadWrite, Kind::Text(SUSPEND_DATA_MAX)),
        ["cmi", "launch_data"] | ["cmi", "comments_from_lms"] => value(ReadOnly, Kind::Text(4096)),
        ["cmi", "comments"] => value(ReadWrite, Kind::Text(4096)),
        ["cmi", "objectives", "_children"] => keyword(OBJECTIVES_CHILDREN),
        ["cmi", "objectives", "_count"] => keyword(&cmi.count("cmi.objectives").to_string()),
        ["cmi", "objectives", n, rest @ ..] => {
            let n = index(n).ok_or(ErrorCode::InvalidArgument)?;
            let (access, kind) = match rest {
                ["id"] => (ReadWrite, Kind::Identifier),
                ["score", "_children"] => return keyword(SCORE_CHILDREN),
                ["score", "raw" | "min" | "max"] => (ReadWrite, score(false)),
                ["status"] => (ReadWrite, Kind::Vocabulary(OBJECTIVE_STATUS)),
                _ => return Err(unknown(rest)),
            };
            Ok(Element::Value {
                access,
                kind,
                array: vec![("cmi.objectives".into(), n)],
            })
        }
        ["cmi", "student_data", "_children"] => keyword(STUDENT_DATA_CHILDREN),
        ["cmi", "student_data", "mastery_score"] => value(ReadOnly, score(true)),
        ["cmi", "student_data", "max_time_allowed"] => value(ReadOnly, Kind::Timespan),
        ["cmi", "student_data", "time_limit_action"] => value(ReadOnly, Kind::Text(255)),
        ["cmi", "student_preference", "_children"] => keyword(PREFERENCE_CHILDREN),
        ["cmi", "student_preference", "audio"] => value(ReadWrite, Kind::Integer(-1, 100)),
        ["cmi", "student_preference", "language"] => value(ReadWrite, Kind::Text(255)),
        ["cmi", "student_preference", "speed"] => value(ReadWrite, Kind::Integer(-100, 100)),
        ["cmi", "student_preference", "text"] => value(ReadWrite, Kind::Integer(-1, 1)),
        ["cmi", "interactions", "_children"] => keyword(INTERACTIONS_CHILDREN),
        ["cmi", "interactions", "_count"] => keyword(&cmi.count("cmi.interactions").to_string()),
        ["cmi", "interactions", n, rest @ ..] => {
            let n = index(n).ok_or(ErrorCode::InvalidArgument)?;
            let prefix = format!("cmi.interactions.{n}");
            let mut array = vec![("cmi.interactions".to_string(), n)];
            let kind = match rest {
                ["id"] => Kind::Identifier,
                ["objectives", "_count"] => {
                    return keyword(&cmi.count(&format!("{prefix}.objectives")).to_string());
                }
                ["objectives", m, "id"] => {
                    let m = index(m).ok_or(ErrorCode::InvalidArgument)?;
                    array.push((format!("{prefix}.objectives"), m));
                    Kind::Identifier
                }
                ["time"] => Kind::Time,
                ["type"] => Kind::Vocabulary(INTERACTION_TYPES),
                ["correct_responses", "_count"] => {
                    return keyword(
                        &cmi.count(&format!("{prefix}.correct_responses"))
                            .to_string(),
                    );
                }
                ["correct_responses", m, "pattern"] => {
                    let m = index(m).ok_or(ErrorCode::InvalidArgument)?;
                    array.push((format!("{prefix}.correct_responses"), m));
                    Kind::Text(255)
                }
                ["weighting"] => Kind::Decimal {
                    blank: false,
                    range: None,
                },
                ["student_response"] => Kind::Text(255),
                ["result"] => Kind::Result,
                ["latency"] => Kind::Timespan,
                _ => return Err(unknown(rest)),
            };
            Ok(Element::Value {
                access: WriteOnly,
                kind,
                array,
            })
        }
        _ => Err(unknown(&parts)),
    }
}

/// An unknown element: asking a leaf for `_children` or `_count` is its own error.
fn unknown(parts: &[&str]) -> ErrorCode {
    match parts.last() {
        Some(&"_children") => ErrorCode::CannotHaveChildren,
        Some(&"_count") => ErrorCode::CannotHaveCount,
        _ => ErrorCode::InvalidArgument,
    }
}

fn decimal(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
        && digits != ".";
    if ok { text.parse().ok() } else { None }
}

/// `H[H[H[H]]]:MM:SS[.S[S]]` with at least `min_hours` hour digits and at most `max_hours`; the
/// seconds as a number.
fn clock(text: &str, min_hours: usize, max_hours: usize) -> Option<(u32, u32, f64)> {
    let mut parts = text.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || h.len() < min_hours
        || h.len() > max_hours
        || m.len() != 2
        || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    if whole.len() != 2
        || fraction.len() > 2
        || (s.contains('.') && fraction.is_empty())
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let (hours, minutes, seconds): (u32, u32, f64) =
        (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    (minutes < 60 && seconds < 60.0).then_some((hours, minutes, seconds))
}

fn valid(kind: Kind, text: &str) -> bool {
    match kind {
        Kind::Text(max) => text.chars().count() <= max,
        Kind::Identifier => {
            !text.is_empty()
                && text.chars().count() <= 255
                && text.chars().all(|c| !c.is_whitespace() && !c.is_control())
        }
        Kind::Vocabulary(words) => words.contains(&text),
        Kind::Decimal { blank, range } => {
            (blank && text.is_empty())
                || decimal(text)
                    .is_some_and(|v| range.is_none_or(|(lo, hi)| (lo..=hi).contains(&v)))
        }
        Kind::Integer(lo, hi) => {
            let digits = text.strip_prefix('-').unwrap_or(text);
            !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && text.parse::<i32>().is_ok_and(|v| (lo..=hi).contains(&v))
        }
        Kind::Time => clock(text, 2, 2).is_some_and(|(h, _, _)| h < 24),
        Kind::Timespan => clock(text, 2, 4).is_some(),
        Kind::Result => {
            ["correct", "wrong", "unanticipated", "neutral"].contains(&text)
                || decimal(text).is_some()
        }
    }
}

/// Seconds of a CMITimespan (0 when it is not one).
pub fn seconds(timespan: &str) -> f64 {
    clock(timespan, 2, 4)
        .map(|(h, m, s)| f64::from(h) * 3600.0 + f64::from(m) * 60.0 + s)
        .unwrap_or(0.0)
}

/// Seconds as a CMITimespan (`HHHH:MM:SS.SS`, hours capped at 9999).
pub fn timespan(total: f64) -> String {
    let centis = (total.max(0.0) * 100.0).round() as u64;
    let hours = (centis / 360_000).min(9999);
    let minutes = centis / 6000 % 60;
    let seconds = centis / 100 % 60;
    format!("{hours:04}:{minutes:02}:{seconds:02}.{:02}", centis % 100)
}

/// Where a name sorts when a batch of values is set (both versions): ids first, then interaction
/// types, then the rest, each group by numeric index (a map sorts `.10.` before `.2.`), so that every dependency and every array entry before it
/// is already in place.
pub fn set_order(name: &str) -> (u8, Vec<(usize, &str)>) {
    let parts: Vec<&str> = name.split('.').collect();
    let group = match parts.as_slice() {
        ["cmi", "objectives" | "interactions", _, "id"] => 0,
        ["cmi", "interactions", _, "type"] => 1,
        ["cmi", "interactions", _, "objectives", _, "id"] => 1,
        _ => 2,
    };
    let key = parts
        .iter()
        .map(|part| (index(part).unwrap_or(usize::MAX), *part))
        .collect();
    (group, key)
}

/// How many entries the array `prefix` has among kept `values` (both versions: entries are
/// added in order, so the count is one past the highest index).
pub fn count_in(values: &BTreeMap<String, String>, prefix: &str) -> usize {
    let start = format!("{prefix}.");
    values
        .range(start.clone()..)
        .take_while(|(k, _)| k.starts_with(&start))
        .filter_map(|(k, _)| k.get(start.len()..)?.split('.').next().and_then(index))
        .max()
        .map_or(0, |n| n + 1)
}

/// A learner's data for one SCO: what the LMS set at launch and what the SCO has set (kept
/// between sessions; the keys are element names).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cmi {
    pub launch: Launch,
    pub values: BTreeMap<String, String>,
}

impl Cmi {
    pub fn new(launch: Launch, values: BTreeMap<String, String>) -> Cmi {
        Cmi { launch, values }
    }

    /// How many entries an array has (entries are added in order, so the count is one past the
    /// highest index).
    fn count(&self, prefix: &str) -> usize {
        count_in(&self.values, prefix)
    }

    /// `LMSGetValue`.
    pub fn get(&self, name: &str) -> Result<String, ErrorCode> {
        match element(name, self)? {
            Element::Keyword(text) => Ok(text),
            Element::Value { access, array, .. } => {
                if access == Access::WriteOnly {
                    return Err(ErrorCode::WriteOnly);
                }
                if array.iter().any(|(prefix, n)| *n >= self.count(prefix)) {
                    return Err(ErrorCode::InvalidArgument);
                }
                Ok(self.read(name))
            }
        }
    }

    fn read(&self, name: &str) -> String {
        let launch = &self.launch;
        let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        match name {
            "cmi.core.student_id" => launch.student_id.clone(),
            "cmi.core.student_name" => launch.student_name.clone(),
            "cmi.core.credit" => if launch.credit { "credit" } else { "no-credit" }.into(),
            "cmi.core.entry" => launch.entry.clone(),
            "cmi.core.lesson_mode" => launch.lesson_mode.clone(),
            "cmi.core.total_time" => {
                if launch.total_time.is_empty() {
                    "0000:00:00.00".into()
                } else {
                    launch.total_time.clone()
                }
            }
            "cmi.core.lesson_status" => self
                .values
                .get(name)
                .cloned()
                .unwrap_or_else(|| "not attempted".into()),
            "cmi.launch_data" => launch.launch_data.clone(),
            "cmi.comments_from_lms" => launch.comments_from_lms.clone(),
            "cmi.student_data.mastery_score" => number(launch.mastery_score),
            "cmi.student_data.max_time_allowed" => {
                launch.max_time_allowed.clone().unwrap_or_default()
            }
            "cmi.student_data.time_limit_action" => {
                launch.time_limit_action.clone().unwrap_or_default()
            }
            _ => self.values.get(name).cloned().unwrap_or_default(),
        }
    }

    /// Sets a batch of values (a commit the server checks again) with each array's entries in
    /// order, whatever order the map holds them in. The first refusal is returned with its
    /// element.
    pub fn set_all(
        &mut self,
        values: &BTreeMap<String, String>,
    ) -> Result<(), (String, ErrorCode)> {
        let mut ordered: Vec<(&String, &String)> = values.iter().collect();
        ordered.sort_by_cached_key(|(name, _)| set_order(name));
        for (name, text) in ordered {
            self.set(name, text).map_err(|e| (name.clone(), e))?;
        }
        Ok(())
    }

    /// `LMSSetValue`.
    pub fn set(&mut self, name: &str, text: &str) -> Result<(), ErrorCode> {
        match element(name, self)? {
            Element::Keyword(_) => Err(ErrorCode::Keyword),
            Element::Value {
                access,
                kind,
                array,
            } => {
                if access == Access::ReadOnly {
                    return Err(ErrorCode::ReadOnly);
                }
                // An array grows one entry at a time: index n may be set once 0..n exist.
                if array.iter().any(|(prefix, n)| *n > self.count(prefix)) {
                    return Err(ErrorCode::InvalidArgument);
                }
                if !valid(kind, text) {
                    return Err(ErrorCode::IncorrectType);
                }
                self.values.insert(name.to_string(), text.to_string());
                Ok(())
            }
        }
    }
}

/// What a finished session means for the learner's record.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// `cmi.core.lesson_status` after the LMS's own rule: with a mastery score and a raw score,
    /// a credit attempt is passed or failed by the score.
    pub status: String,
    pub score: Option<f64>,
    pub total_time: String,
    /// The SCO asked to be resumed next time (`cmi.core.exit` = `suspend`).
    pub suspended: bool,
}

impl Cmi {
    /// The record after `LMSFinish` (or a session that ended): the session's time added to the
    /// total, the status settled.
    pub fn outcome(&self) -> Outcome {
        let raw = self
            .values
            .get("cmi.core.score.raw")
            .and_then(|v| decimal(v));
        let mut status = self.read("cmi.core.lesson_status");
        if self.launch.credit
            && let (Some(mastery), Some(raw)) = (self.launch.mastery_score, raw)
        {
            status = if raw >= mastery { "passed" } else { "failed" }.into();
        }
        if status == "not attempted" {
            status = "incomplete".into();
        }
        let session = self
            .values
            .get("cmi.core.session_time")
            .map_or(0.0, |t| seconds(t));
        Outcome {
            status,
            score: raw,
            total_time: timespan(seconds(&self.read("cmi.core.total_time")) + session),
            suspended: self
                .values
                .get("cmi.core.exit")
                .is_some_and(|e| e == "suspend"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode::*;
    use super::*;

    fn fresh() -> Cmi {
        Cmi::new(
            Launch {
                student_id: "ada@example.com".into(),
                student_name: "Lovelace, Ada".into(),
                credit: true,
                entry: "ab-initio".into(),
                lesson_mode: "normal".into(),
                mastery_score: Some(80.0),
                launch_data: "hello".into(),
                ..Launch::default()
            },
            BTreeMap::new(),
        )
    }

    #[test]
    fn the_lms_values_are_read_only_and_read_as_launched() {
        let mut cmi = fresh();
        assert_eq!(cmi.get("cmi.core.student_name").unwrap(), "Lovelace, Ada");
        assert_eq!(cmi.get("cmi.core.credit").unwrap(), "credit");
        assert_eq!(cmi.get("cmi.core.lesson_status").unwrap(), "not attempted");
        assert_eq!(cmi.get("cmi.core.total_time").unwrap(), "0000:00:00.00");
        assert_eq!(cmi.get("cmi.student_data.mastery_score").unwrap(), "80");
        assert_eq!(cmi.get("cmi.launch_data").unwrap(), "hello");
        for element in [
            "cmi.core.student_id",
            "cmi.core.credit",
            "cmi.core.entry",
            "cmi.core.total_time",
            "cmi.launch_data",
            "cmi.student_data.mastery_score",
        ] {
            assert_eq!(cmi.set(element, "x"), Err(ReadOnly), "{element}");
        }
        assert_eq!(cmi.set("cmi.core._children", "x"), Err(Keyword));
        assert_eq!(cmi.get("cmi.core._children").unwrap(), CORE_CHILDREN);
    }

    #[test]
    fn write_only_elements_cannot_be_read() {
        let mut cmi = fresh();
        cmi.set("cmi.core.exit", "suspend").unwrap();
        cmi.set("cmi.core.session_time", "00:05:30").unwrap();
        assert_eq!(cmi.get("cmi.core.exit"), Err(WriteOnly));
        assert_eq!(cmi.get("cmi.core.session_time"), Err(WriteOnly));
    }

    #[test]
    fn values_are_checked_against_their_types_and_vocabularies() {
        let mut cmi = fresh();
        assert_eq!(cmi.set("cmi.core.lesson_status", "completed"), Ok(()));
        assert_eq!(
            cmi.set("cmi.core.lesson_status", "not attempted"),
            Err(IncorrectType)
        );
        assert_eq!(
            cmi.set("cmi.core.lesson_status", "done"),
            Err(IncorrectType)
        );
        assert_eq!(cmi.set("cmi.core.score.raw", "85.5"), Ok(()));
        assert_eq!(cmi.set("cmi.core.score.raw", ""), Ok(()));
        assert_eq!(cmi.set("cmi.core.score.raw", "101"), Err(IncorrectType));
        assert_eq!(cmi.set("cmi.core.score.raw", "abc"), Err(IncorrectType));
        assert_eq!(cmi.set("cmi.core.exit", "quit"), Err(IncorrectType));
        assert_eq!(
            cmi.set("cmi.core.session_time", "0000:61:00"),
            Err(IncorrectType)
        );
        assert_eq!(cmi.set("cmi.core.session_time", "12:30:05.5"), Ok(()));
        assert_eq!(
            cmi.set("cmi.core.session_time", "1:30:05"),
            Err(IncorrectType)
        );
        assert_eq!(cmi.set("cmi.student_preference.audio", "-1"), Ok(()));
        assert_eq!(
            cmi.set("cmi.student_preference.audio", "101"),
            Err(IncorrectType)
        );
        assert_eq!(
            cmi.set("cmi.student_preference.text", "2"),
            Err(IncorrectType)
        );
        assert_eq!(
            cmi.set("cmi.core.lesson_location", &"x".repeat(256)),
            Err(IncorrectType)
        );
        // Suspend data far past SCORM 1.2's 4,096 characters, which breaks real packages' resume.
        let long = "s".repeat(SUSPEND_DATA_MAX);
        assert_eq!(cmi.set("cmi.suspend_data", &long), Ok(()));
        assert_eq!(cmi.get("cmi.suspend_data").unwrap().len(), SUSPEND_DATA_MAX);
        assert_eq!(
            cmi.set("cmi.suspend_data", &format!("{long}s")),
            Err(IncorrectType)
        );
    }

    #[test]
    fn unknown_elements_and_misplaced_keywords_give_their_codes() {
        let mut cmi = fresh();
        assert_eq!(cmi.get("cmi.core.nonsense"), Err(InvalidArgument));
        assert_eq!(cmi.get(""), Err(InvalidArgument));
        assert_eq!(
            cmi.get("cmi.core.student_id._children"),
            Err(CannotHaveChildren)
        );
        assert_eq!(cmi.get("cmi.core._count"), Err(CannotHaveCount));
        assert_eq!(cmi.set("cmi.objectives._count", "1"), Err(Keyword));
        assert_eq!(ErrorCode::from_code(405), Some(IncorrectType));
        assert_eq!(IncorrectType.message(), "Incorrect data type");
    }

    #[test]
    fn arrays_grow_one_entry_at_a_time() {
        let mut cmi = fresh();
        assert_eq!(cmi.get("cmi.objectives._count").unwrap(), "0");
        assert_eq!(cmi.set("cmi.objectives.1.id", "obj2"), Err(InvalidArgument));
        cmi.set("cmi.objectives.0.id", "obj1").unwrap();
        cmi.set("cmi.objectives.0.status", "passed").unwrap();
        cmi.set("cmi.objectives.1.id", "obj2").unwrap();
        assert_eq!(cmi.get("cmi.objectives._count").unwrap(), "2");
        assert_eq!(cmi.get("cmi.objectives.0.status").unwrap(), "passed");
        assert_eq!(cmi.get("cmi.objectives.5.id"), Err(InvalidArgument));
        assert_eq!(cmi.set("cmi.objectives.0.status", "not attempted"), Ok(()));
        // Interactions are write-only but count, with their own nested arrays.
        cmi.set("cmi.interactions.0.id", "q1").unwrap();
        cmi.set("cmi.interactions.0.type", "choice").unwrap();
        cmi.set("cmi.interactions.0.time", "13:05:00").unwrap();
        cmi.set("cmi.interactions.0.result", "wrong").unwrap();
        cmi.set("cmi.interactions.0.result", "0.5").unwrap();
        assert_eq!(
            cmi.set("cmi.interactions.0.time", "25:00:00"),
            Err(IncorrectType)
        );
        assert_eq!(
            cmi.set("cmi.interactions.0.type", "essay"),
            Err(IncorrectType)
        );
        cmi.set("cmi.interactions.0.correct_responses.0.pattern", "a")
            .unwrap();
        assert_eq!(
            cmi.set("cmi.interactions.0.correct_responses.2.pattern", "c"),
            Err(InvalidArgument)
        );
        assert_eq!(cmi.get("cmi.interactions._count").unwrap(), "1");
        assert_eq!(
            cmi.get("cmi.interactions.0.correct_responses._count")
                .unwrap(),
            "1"
        );
        assert_eq!(cmi.get("cmi.interactions.0.id"), Err(WriteOnly));
        assert_eq!(cmi.set("cmi.interactions.x.id", "q"), Err(InvalidArgument));
    }

    #[test]
    fn a_finished_session_adds_its_time_and_is_passed_or_failed_by_the_mastery_score() {
        let mut cmi = fresh();
        cmi.launch.total_time = "0001:30:00.00".into();
        cmi.set("cmi.core.session_time", "00:45:30.25").unwrap();
        cmi.set("cmi.core.lesson_status", "completed").unwrap();
        cmi.set("cmi.core.score.raw", "79").unwrap();
        cmi.set("cmi.core.exit", "suspend").unwrap();
        let outcome = cmi.outcome();
        assert_eq!(outcome.status, "failed");
        assert_eq!(outcome.score, Some(79.0));
        assert_eq!(outcome.total_time, "0002:15:30.25");
        assert!(outcome.suspended);
        cmi.set("cmi.core.score.raw", "80").unwrap();
        assert_eq!(cmi.outcome().status, "passed");
        // Without credit the SCO's own status stands; an untouched SCO is incomplete.
        cmi.launch.credit = false;
        assert_eq!(cmi.outcome().status, "completed");
        assert_eq!(fresh().outcome().status, "incomplete");
        assert_eq!(timespan(36_000_000.0), "9999:00:00.00");
    }

    #[test]
    fn a_batch_sets_array_entries_in_index_order() {
        let mut cmi = fresh();
        let batch: BTreeMap<String, String> = (0..12)
            .map(|n| (format!("cmi.interactions.{n}.id"), format!("q{n}")))
            .collect();
        // Sorted by name, entry 10 comes before entry 2 exists.
        assert_eq!(cmi.set_all(&batch), Ok(()));
        assert_eq!(cmi.get("cmi.interactions._count").unwrap(), "12");
        let gap = BTreeMap::from([("cmi.interactions.20.id".to_string(), "x".to_string())]);
        assert_eq!(
            cmi.set_all(&gap),
            Err(("cmi.interactions.20.id".to_string(), InvalidArgument))
        );
    }
}
