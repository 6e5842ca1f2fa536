//! The SCORM 2004 run-time environment's data model (the `cmi.` and `adl.nav.` elements): which
//! elements exist, who may read or write each, their types and vocabularies, how the LMS settles
//! completion and success, and the error codes a SCO gets back, as the SCORM 2004 4th edition
//! Run-Time Environment (section 4.2) defines them. Pure, so the browser's API object and the
//! server (which checks what it is sent) use the same rules.
//!
//! Values are kept as the SCO sent them, keyed by element name, in the same map as SCORM 1.2's
//! model. A value longer than its smallest permitted maximum (SPM) is refused with 406 for every
//! element, not only `cmi.suspend_data`: the spec lets an LMS keep more, but a fixed bound keeps
//! what the server stores per learner bounded, and a refusal tells the SCO rather than losing
//! the tail silently.

use std::collections::{BTreeMap, BTreeSet};

pub use super::cmi12::{Launch, SUSPEND_DATA_MAX};

/// The error codes of `GetLastError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    NoError,
    GeneralException,
    GeneralInitializationFailure,
    AlreadyInitialized,
    ContentInstanceTerminated,
    GeneralTerminationFailure,
    TerminationBeforeInitialization,
    TerminationAfterTermination,
    RetrieveDataBeforeInitialization,
    RetrieveDataAfterTermination,
    StoreDataBeforeInitialization,
    StoreDataAfterTermination,
    CommitBeforeInitialization,
    CommitAfterTermination,
    GeneralArgumentError,
    GeneralGetFailure,
    GeneralSetFailure,
    GeneralCommitFailure,
    UndefinedDataModelElement,
    UnimplementedDataModelElement,
    ValueNotInitialized,
    ReadOnly,
    WriteOnly,
    TypeMismatch,
    ValueOutOfRange,
    DependencyNotEstablished,
}

impl ErrorCode {
    pub fn code(self) -> u16 {
        match self {
            ErrorCode::NoError => 0,
            ErrorCode::GeneralException => 101,
            ErrorCode::GeneralInitializationFailure => 102,
            ErrorCode::AlreadyInitialized => 103,
            ErrorCode::ContentInstanceTerminated => 104,
            ErrorCode::GeneralTerminationFailure => 111,
            ErrorCode::TerminationBeforeInitialization => 112,
            ErrorCode::TerminationAfterTermination => 113,
            ErrorCode::RetrieveDataBeforeInitialization => 122,
            ErrorCode::RetrieveDataAfterTermination => 123,
            ErrorCode::StoreDataBeforeInitialization => 132,
            ErrorCode::StoreDataAfterTermination => 133,
            ErrorCode::CommitBeforeInitialization => 142,
            ErrorCode::CommitAfterTermination => 143,
            ErrorCode::GeneralArgumentError => 201,
            ErrorCode::GeneralGetFailure => 301,
            ErrorCode::GeneralSetFailure => 351,
            ErrorCode::GeneralCommitFailure => 391,
            ErrorCode::UndefinedDataModelElement => 401,
            ErrorCode::UnimplementedDataModelElement => 402,
            ErrorCode::ValueNotInitialized => 403,
            ErrorCode::ReadOnly => 404,
            ErrorCode::WriteOnly => 405,
            ErrorCode::TypeMismatch => 406,
            ErrorCode::ValueOutOfRange => 407,
            ErrorCode::DependencyNotEstablished => 408,
        }
    }

    pub fn from_code(code: u16) -> Option<ErrorCode> {
        ALL.iter().copied().find(|e| e.code() == code)
    }

    /// `GetErrorString`.
    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::NoError => "No Error",
            ErrorCode::GeneralException => "General Exception",
            ErrorCode::GeneralInitializationFailure => "General Initialization Failure",
            ErrorCode::AlreadyInitialized => "Already Initialized",
            ErrorCode::ContentInstanceTerminated => "Content Instance Terminated",
            ErrorCode::GeneralTerminationFailure => "General Termination Failure",
            ErrorCode::TerminationBeforeInitialization => "Termination Before Initialization",
            ErrorCode::TerminationAfterTermination => "Termination After Termination",
            ErrorCode::RetrieveDataBeforeInitialization => "Retrieve Data Before Initialization",
            ErrorCode::RetrieveDataAfterTermination => "Retrieve Data After Termination",
            ErrorCode::StoreDataBeforeInitialization => "Store Data Before Initialization",
            ErrorCode::StoreDataAfterTermination => "Store Data After Termination",
            ErrorCode::CommitBeforeInitialization => "Commit Before Initialization",
            ErrorCode::CommitAfterTermination => "Commit After Termination",
            ErrorCode::GeneralArgumentError => "General Argument Error",
            ErrorCode::GeneralGetFailure => "General Get Failure",
            ErrorCode::GeneralSetFailure => "General Set Failure",
            ErrorCode::GeneralCommitFailure => "General Commit Failure",
            ErrorCode::UndefinedDataModelElement => "Undefined Data Model Element",
            ErrorCode::UnimplementedDataModelElement => "Unimplemented Data Model Element",
            ErrorCode::ValueNotInitialized => "Data Model Element Value Not Initialized",
            ErrorCode::ReadOnly => "Data Model Element Is Read Only",
            ErrorCode::WriteOnly => "Data Model Element Is Write Only",
            ErrorCode::TypeMismatch => "Data Model Element Type Mismatch",
            ErrorCode::ValueOutOfRange => "Data Model Element Value Out Of Range",
            ErrorCode::DependencyNotEstablished => "Data Model Dependency Not Established",
        }
    }
}

const ALL: [ErrorCode; 26] = [
    ErrorCode::NoError,
    ErrorCode::GeneralException,
    ErrorCode::GeneralInitializationFailure,
    ErrorCode::AlreadyInitialized,
    ErrorCode::ContentInstanceTerminated,
    ErrorCode::GeneralTerminationFailure,
    ErrorCode::TerminationBeforeInitialization,
    ErrorCode::TerminationAfterTermination,
    ErrorCode::RetrieveDataBeforeInitialization,
    ErrorCode::RetrieveDataAfterTermination,
    ErrorCode::StoreDataBeforeInitialization,
    ErrorCode::StoreDataAfterTermination,
    ErrorCode::CommitBeforeInitialization,
    ErrorCode::CommitAfterTermination,
    ErrorCode::GeneralArgumentError,
    ErrorCode::GeneralGetFailure,
    ErrorCode::GeneralSetFailure,
    ErrorCode::GeneralCommitFailure,
    ErrorCode::UndefinedDataModelElement,
    ErrorCode::UnimplementedDataModelElement,
    ErrorCode::ValueNotInitialized,
    ErrorCode::ReadOnly,
    ErrorCode::WriteOnly,
    ErrorCode::TypeMismatch,
    ErrorCode::ValueOutOfRange,
    ErrorCode::DependencyNotEstablished,
];

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
    /// characterstring: at most this many characters.
    Text(usize),
    /// localized_string_type: an optional `{lang=..}`, then at most this many characters.
    Localized(usize),
    /// long_identifier_type: 1 to 4,000 characters without spaces (meant to be a URI).
    LongIdentifier,
    /// One of these words.
    Vocabulary(&'static [&'static str]),
    /// real(10,7); outside the bounds is out of range (407), not a type mismatch.
    Real(Option<f64>, Option<f64>),
    /// time(second,10,0): `YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]]`.
    Time,
    /// timeinterval(second,10,2): an ISO 8601 duration.
    Interval,
    /// language_type: an RFC 3066 tag or empty.
    Language,
    /// An interaction's result: a word or a real.
    Result,
    /// `adl.nav.request`.
    NavRequest,
    /// A correct response pattern of an interaction of this type.
    Pattern(&'static str),
    /// A learner response to an interaction of this type.
    Response(&'static str),
}

/// An element as the data model defines it.
enum Element {
    /// `_version`, `_children` or `_count`: read-only; `array` as for values.
    Keyword {
        text: String,
        array: Vec<(String, usize)>,
    },
    /// `_children` or `_count` asked of a known element that has none.
    NoKeyword,
    Value {
        access: Access,
        kind: Kind,
        /// The arrays the element is in: each array's prefix and the index asked for.
        array: Vec<(String, usize)>,
        /// Elements that must be set first (an entry's id, an interaction's type).
        needs: Vec<String>,
    },
}

const COMMENTS_CHILDREN: &str = "comment,location,timestamp";
const INTERACTIONS_CHILDREN: &str = "id,type,objectives,timestamp,correct_responses,weighting,learner_response,result,latency,description";
const PREFERENCE_CHILDREN: &str = "audio_level,language,delivery_speed,audio_captioning";
const OBJECTIVES_CHILDREN: &str =
    "id,score,success_status,completion_status,progress_measure,description";
const SCORE_CHILDREN: &str = "scaled,raw,min,max";

const COMPLETION: &[&str] = &["completed", "incomplete", "not attempted", "unknown"];
const SUCCESS: &[&str] = &["passed", "failed", "unknown"];
const CREDIT: &[&str] = &["credit", "no-credit"];
const ENTRY: &[&str] = &["ab-initio", "resume", ""];
const EXIT: &[&str] = &["time-out", "suspend", "logout", "normal", ""];
const MODE: &[&str] = &["browse", "normal", "review"];
const CAPTIONING: &[&str] = &["-1", "0", "1"];
const TIME_LIMIT_ACTION: &[&str] = &[
    "exit,message",
    "continue,message",
    "exit,no message",
    "continue,no message",
];
const INTERACTION_TYPES: &[&str] = &[
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "likert",
    "matching",
    "performance",
    "sequencing",
    "numeric",
    "other",
];
/// Interaction types whose correct response is a single pattern (RTE table 4.2.9.1a).
const ONE_CORRECT_RESPONSE: &[&str] = &["true-false", "likert", "numeric", "other"];
const RESULTS: &[&str] = &["correct", "incorrect", "unanticipated", "neutral"];
const NAV_REQUESTS: &[&str] = &[
    "continue",
    "previous",
    "exit",
    "exitAll",
    "abandon",
    "abandonAll",
    "suspendAll",
    "_none_",
];
const NAV_VALID: &[&str] = &["true", "false", "unknown"];

const UNIT: Option<f64> = Some(1.0);
const ZERO: Option<f64> = Some(0.0);
const SCALED: Kind = Kind::Real(Some(-1.0), UNIT);
const PROGRESS: Kind = Kind::Real(ZERO, UNIT);
const REAL: Kind = Kind::Real(None, None);

/// An array index: digits without leading zeros, so each entry has one spelling as a key.
fn index(text: &str) -> Option<usize> {
    let canonical = text == "0" || !text.starts_with('0');
    if text.is_empty() || !canonical || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn value(access: Access, kind: Kind) -> Result<Element, ErrorCode> {
    Ok(Element::Value {
        access,
        kind,
        array: Vec::new(),
        needs: Vec::new(),
    })
}

fn keyword(text: impl Into<String>) -> Result<Element, ErrorCode> {
    Ok(Element::Keyword {
        text: text.into(),
        array: Vec::new(),
    })
}

/// What `name` is, or why it is not one.
fn element(name: &str, cmi: &Cmi) -> Result<Element, ErrorCode> {
    use Access::*;
    if name == "adl" || name.starts_with("adl.") {
        return navigation(name);
    }
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        ["cmi", "_version"] => keyword("1.0"),
        [
            "cmi",
            list @ ("comments_from_learner" | "comments_from_lms"),
            rest @ ..,
        ] => comments(list, rest, &parts, cmi),
        ["cmi", "completion_status"] => value(ReadWrite, Kind::Vocabulary(COMPLETION)),
        ["cmi", "completion_threshold"] => value(ReadOnly, PROGRESS),
        ["cmi", "credit"] => value(ReadOnly, Kind::Vocabulary(CREDIT)),
        ["cmi", "entry"] => value(ReadOnly, Kind::Vocabulary(ENTRY)),
        ["cmi", "exit"] => value(WriteOnly, Kind::Vocabulary(EXIT)),
        ["cmi", "interactions", rest @ ..] => interactions(rest, &parts, cmi),
        ["cmi", "launch_data"] => value(ReadOnly, Kind::Text(4000)),
        ["cmi", "learner_id"] => value(ReadOnly, Kind::LongIdentifier),
        ["cmi", "learner_name"] => value(ReadOnly, Kind::Localized(250)),
        ["cmi", "learner_preference", "_children"] => keyword(PREFERENCE_CHILDREN),
        [
            "cmi",
            "learner_preference",
            "audio_level" | "delivery_speed",
        ] => value(ReadWrite, Kind::Real(ZERO, None)),
        ["cmi", "learner_preference", "language"] => value(ReadWrite, Kind::Language),
        ["cmi", "learner_preference", "audio_captioning"] => {
            value(ReadWrite, Kind::Vocabulary(CAPTIONING))
        }
        ["cmi", "location"] => value(ReadWrite, Kind::Text(1000)),
        ["cmi", "max_time_allowed"] => value(ReadOnly, Kind::Interval),
        ["cmi", "mode"] => value(ReadOnly, Kind::Vocabulary(MODE)),
        ["cmi", "objectives", rest @ ..] => objectives(rest, &parts, cmi),
        ["cmi", "progress_measure"] => value(ReadWrite, PROGRESS),
        ["cmi", "scaled_passing_score"] => value(ReadOnly, SCALED),
        ["cmi", "score", "_children"] => keyword(SCORE_CHILDREN),
        ["cmi", "score", "scaled"] => value(ReadWrite, SCALED),
        ["cmi", "score", "raw" | "min" | "max"] => value(ReadWrite, REAL),
        ["cmi", "session_time"] => value(WriteOnly, Kind::Interval),
        ["cmi", "success_status"] => value(ReadWrite, Kind::Vocabulary(SUCCESS)),
        ["cmi", "suspend_data"] => value(ReadWrite, Kind::Text(SUSPEND_DATA_MAX)),
        ["cmi", "time_limit_action"] => value(ReadOnly, Kind::Vocabulary(TIME_LIMIT_ACTION)),
        ["cmi", "total_time"] => value(ReadOnly, Kind::Interval),
        _ => unknown(&parts, cmi),
    }
}

/// `cmi.comments_from_learner` (read-write) and `cmi.comments_from_lms` (read-only).
fn comments(list: &str, rest: &[&str], parts: &[&str], cmi: &Cmi) -> Result<Element, ErrorCode> {
    let prefix = format!("cmi.{list}");
    let access = if list == "comments_from_lms" {
        Access::ReadOnly
    } else {
        Access::ReadWrite
    };
    let (n, field) = match rest {
        ["_children"] => return keyword(COMMENTS_CHILDREN),
        ["_count"] => return keyword(cmi.count(&prefix).to_string()),
        [n, field] => (*n, *field),
        _ => return unknown(parts, cmi),
    };
    let kind = match field {
        "comment" => Kind::Localized(4000),
        "location" => Kind::Text(250),
        "timestamp" => Kind::Time,
        _ => return unknown(parts, cmi),
    };
    let n = index(n).ok_or(ErrorCode::UndefinedDataModelElement)?;
    Ok(Element::Value {
        access,
        kind,
        array: vec![(prefix, n)],
        needs: Vec::new(),
    })
}

/// `cmi.interactions`: every field but `id` needs the id, and the responses need the type,
/// since the type says what a response looks like.
fn interactions(rest: &[&str], parts: &[&str], cmi: &Cmi) -> Result<Element, ErrorCode> {
    let (n, rest) = match rest {
        ["_children"] => return keyword(INTERACTIONS_CHILDREN),
        ["_count"] => return keyword(cmi.count("cmi.interactions").to_string()),
        [n, rest @ ..] => (*n, rest),
        [] => return unknown(parts, cmi),
    };
    let n = index(n).ok_or(ErrorCode::UndefinedDataModelElement)?;
    let entry = format!("cmi.interactions.{n}");
    let mut array = vec![("cmi.interactions".to_string(), n)];
    let mut needs = vec![format!("{entry}.id")];
    let type_key = format!("{entry}.type");
    let interaction_type = cmi
        .values
        .get(&type_key)
        .and_then(|t| INTERACTION_TYPES.iter().copied().find(|known| known == t))
        .unwrap_or("");
    let kind = match rest {
        ["id"] => {
            needs.clear();
            Kind::LongIdentifier
        }
        ["type"] => Kind::Vocabulary(INTERACTION_TYPES),
        [list @ ("objectives" | "correct_responses"), "_count"] => {
            let count = cmi.count(&format!("{entry}.{list}"));
            return Ok(Element::Keyword {
                text: count.to_string(),
                array,
            });
        }
        ["objectives", m, "id"] => {
            let m = index(m).ok_or(ErrorCode::UndefinedDataModelElement)?;
            array.push((format!("{entry}.objectives"), m));
            Kind::LongIdentifier
        }
        ["timestamp"] => Kind::Time,
        ["correct_responses", m, "pattern"] => {
            let m = index(m).ok_or(ErrorCode::UndefinedDataModelElement)?;
            array.push((format!("{entry}.correct_responses"), m));
            needs.push(type_key);
            Kind::Pattern(interaction_type)
        }
        ["weighting"] => REAL,
        ["learner_response"] => {
            needs.push(type_key);
            Kind::Response(interaction_type)
        }
        ["result"] => Kind::Result,
        ["latency"] => Kind::Interval,
        ["description"] => Kind::Localized(250),
        _ => return unknown(parts, cmi),
    };
    Ok(Element::Value {
        access: Access::ReadWrite,
        kind,
        array,
        needs,
    })
}

/// `cmi.objectives`: every field but `id` needs the id.
fn objectives(rest: &[&str], parts: &[&str], cmi: &Cmi) -> Result<Element, ErrorCode> {
    let (n, rest) = match rest {
        ["_children"] => return keyword(OBJECTIVES_CHILDREN),
        ["_count"] => return keyword(cmi.count("cmi.objectives").to_string()),
        [n, rest @ ..] => (*n, rest),
        [] => return unknown(parts, cmi),
    };
    let n = index(n).ok_or(ErrorCode::UndefinedDataModelElement)?;
    let array = vec![("cmi.objectives".to_string(), n)];
    let mut needs = vec![format!("cmi.objectives.{n}.id")];
    let kind = match rest {
        ["id"] => {
            needs.clear();
            Kind::LongIdentifier
        }
        ["score", "_children"] => {
            return Ok(Element::Keyword {
                text: SCORE_CHILDREN.into(),
                array,
            });
        }
        ["score", "scaled"] => SCALED,
        ["score", "raw" | "min" | "max"] => REAL,
        ["success_status"] => Kind::Vocabulary(SUCCESS),
        ["completion_status"] => Kind::Vocabulary(COMPLETION),
        ["progress_measure"] => PROGRESS,
        ["description"] => Kind::Localized(250),
        _ => return unknown(parts, cmi),
    };
    Ok(Element::Value {
        access: Access::ReadWrite,
        kind,
        array,
        needs,
    })
}

/// `adl.nav.request` and the read-only `adl.nav.request_valid.*`, whose targets may hold dots,
/// so these names are matched whole rather than split.
fn navigation(name: &str) -> Result<Element, ErrorCode> {
    if name == "adl.nav.request" {
        return value(Access::ReadWrite, Kind::NavRequest);
    }
    if let Some(rest) = name.strip_prefix("adl.nav.request_valid.") {
        let target = rest
            .strip_prefix("choice.")
            .or_else(|| rest.strip_prefix("jump."))
            .and_then(|t| t.strip_prefix("{target="))
            .and_then(|t| t.strip_suffix('}'));
        if matches!(rest, "continue" | "previous") || target.is_some_and(short_identifier) {
            return value(Access::ReadOnly, Kind::Vocabulary(NAV_VALID));
        }
    }
    // Shared data stores (4th edition) are part of the standard that Lyceum does not keep.
    if name == "adl.data" || name.starts_with("adl.data.") {
        return Err(ErrorCode::UnimplementedDataModelElement);
    }
    let asked_of = name
        .strip_suffix("._children")
        .or_else(|| name.strip_suffix("._count"));
    match asked_of {
        Some("adl" | "adl.nav" | "adl.nav.request_valid") => Ok(Element::NoKeyword),
        Some(prefix) if matches!(navigation(prefix), Ok(Element::Value { .. })) => {
            Ok(Element::NoKeyword)
        }
        _ => Err(ErrorCode::UndefinedDataModelElement),
    }
}

/// An undefined element, except that `_children` or `_count` asked of a known element that has
/// none is its own misuse (301 on get).
fn unknown(parts: &[&str], cmi: &Cmi) -> Result<Element, ErrorCode> {
    match parts.split_last() {
        Some((&("_children" | "_count"), prefix)) if known(prefix, cmi) => Ok(Element::NoKeyword),
        _ => Err(ErrorCode::UndefinedDataModelElement),
    }
}

/// Whether `parts` names an element or a group of elements of the data model.
fn known(parts: &[&str], cmi: &Cmi) -> bool {
    let entry = |n: &&str| index(n).is_some();
    let group = match parts {
        ["cmi"] => true,
        [
            "cmi",
            "score"
            | "learner_preference"
            | "objectives"
            | "interactions"
            | "comments_from_learner"
            | "comments_from_lms",
        ] => true,
        [
            "cmi",
            "objectives" | "interactions" | "comments_from_learner" | "comments_from_lms",
            n,
        ]
        | ["cmi", "objectives", n, "score"]
        | ["cmi", "interactions", n, "objectives" | "correct_responses"] => entry(n),
        [
            "cmi",
            "interactions",
            n,
            "objectives" | "correct_responses",
            m,
        ] => entry(n) && entry(m),
        _ => false,
    };
    group || matches!(element(&parts.join("."), cmi), Ok(Element::Value { .. }))
}

/// A real number as SCORM writes one: digits with at most one point, optionally negative (no
/// exponent, no `NaN`).
fn real(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !(whole.is_empty() && fraction.is_empty())
        && whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit());
    if ok { text.parse().ok() } else { None }
}

fn identifier(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.chars().count() <= max
        && text.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

/// short_identifier_type: 1 to 250 characters without spaces, nor braces, which would read as
/// a response's `{...}` delimiters.
fn short_identifier(text: &str) -> bool {
    identifier(text, 250) && !text.contains(['{', '}'])
}

/// language_type: empty, or `i`, `x` or a 2–3 letter code, then subtags of 1–8 letters or digits.
fn language(text: &str) -> bool {
    if text.is_empty() {
        return true;
    }
    let mut tags = text.split('-');
    let primary = tags.next().is_some_and(|tag| {
        tag.eq_ignore_ascii_case("i")
            || tag.eq_ignore_ascii_case("x")
            || ((2..=3).contains(&tag.len()) && tag.bytes().all(|b| b.is_ascii_alphabetic()))
    });
    primary
        && text.len() <= 250
        && tags.all(|tag| {
            (1..=8).contains(&tag.len()) && tag.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// localized_string_type: `{lang=<language>}` (optional) and at most `max` characters of text.
fn localized(text: &str, max: usize) -> bool {
    let body = match text.strip_prefix("{lang=").and_then(|t| t.split_once('}')) {
        Some((lang, _)) if !language(lang) => return false,
        Some((_, body)) => body,
        None => text,
    };
    body.chars().count() <= max
}

/// Takes exactly `len` digits from the front of `rest`.
fn digits(rest: &mut &str, len: usize) -> Option<u32> {
    let head = rest.get(..len)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    *rest = rest.get(len..)?;
    head.parse().ok()
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// time(second,10,0): `YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]]`, years 1970–2038. A time zone
/// may follow any time part, and the fraction may have more than two digits, since
/// JavaScript's `toISOString()` writes milliseconds and many SCOs send just that.
fn timestamp(text: &str) -> bool {
    fn parse(text: &str) -> Option<()> {
        let mut rest = text;
        let year = digits(&mut rest, 4)?;
        if !(1970..=2038).contains(&year) {
            return None;
        }
        let Some(after) = rest.strip_prefix('-') else {
            return rest.is_empty().then_some(());
        };
        rest = after;
        let month = digits(&mut rest, 2)?;
        if !(1..=12).contains(&month) {
            return None;
        }
        let Some(after) = rest.strip_prefix('-') else {
            return rest.is_empty().then_some(());
        };
        rest = after;
        let day = digits(&mut rest, 2)?;
        if day == 0 || day > days_in(year, month) {
            return None;
        }
        let Some(after) = rest.strip_prefix('T') else {
            return rest.is_empty().then_some(());
        };
        rest = after;
        if digits(&mut rest, 2)? > 23 {
            return None;
        }
        if let Some(after) = rest.strip_prefix(':') {
            rest = after;
            if digits(&mut rest, 2)? > 59 {
                return None;
            }
            if let Some(after) = rest.strip_prefix(':') {
                rest = after;
                if digits(&mut rest, 2)? > 59 {
                    return None;
                }
                if let Some(after) = rest.strip_prefix('.') {
                    let fraction = after.bytes().take_while(u8::is_ascii_digit).count();
                    if fraction == 0 {
                        return None;
                    }
                    rest = after.get(fraction..)?;
                }
            }
        }
        zone(rest)
    }
    fn zone(text: &str) -> Option<()> {
        if text.is_empty() || text == "Z" {
            return Some(());
        }
        let mut rest = text.strip_prefix(['+', '-'])?;
        if digits(&mut rest, 2)? > 23 {
            return None;
        }
        if rest.is_empty() {
            return Some(());
        }
        rest = rest.strip_prefix(':')?;
        (digits(&mut rest, 2)? <= 59 && rest.is_empty()).then_some(())
    }
    parse(text).is_some()
}

/// The seconds of timeinterval(second,10,2): `P[yY][mM][dD][T[hH][mM][s[.s]S]]`, with
/// 365-day years and 30-day months.
fn interval(text: &str) -> Option<f64> {
    const DAY: f64 = 86_400.0;
    let rest = text.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    if date.is_empty() && time.is_none() {
        return None;
    }
    let mut total = designators(date, &[('Y', 365.0 * DAY), ('M', 30.0 * DAY), ('D', DAY)])?;
    if let Some(time) = time {
        if time.is_empty() {
            return None;
        }
        total += designators(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    Some(total)
}

/// `<number><designator>...`, designators in the order given, each at most once; only the last
/// (seconds) may have a fraction.
fn designators(mut text: &str, units: &[(char, f64)]) -> Option<f64> {
    let mut total = 0.0;
    let mut next = 0;
    while !text.is_empty() {
        let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let number = text.get(..end)?;
        let mut rest = text.get(end..)?.chars();
        let designator = rest.next()?;
        let position = next
            + units
                .iter()
                .skip(next)
                .position(|(unit, _)| *unit == designator)?;
        let (_, factor) = units.get(position)?;
        let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
        let last = position + 1 == units.len();
        if whole.is_empty()
            || fraction.is_empty()
            || (number.contains('.') && !last)
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        total += number.parse::<f64>().ok()? * factor;
        next = position + 1;
        text = rest.as_str();
    }
    Some(total)
}

/// Strips leading `{name=true|false}` delimiters (each of `names` at most once); `None` when one
/// is malformed.
fn options<'a>(mut text: &'a str, names: &[&str]) -> Option<&'a str> {
    let mut seen = Vec::new();
    'delimiters: loop {
        for name in names {
            let open = format!("{{{name}=");
            if let Some(rest) = text.strip_prefix(open.as_str()) {
                let (flag, after) = rest.split_once('}')?;
                if !matches!(flag, "true" | "false") || seen.contains(name) {
                    return None;
                }
                seen.push(*name);
                text = after;
                continue 'delimiters;
            }
        }
        return Some(text);
    }
}

/// `[,]`-separated short identifiers, unique when asked.
fn identifiers(text: &str, unique: bool) -> bool {
    let mut seen = BTreeSet::new();
    text.split("[,]")
        .all(|id| short_identifier(id) && (seen.insert(id) || !unique))
}

/// `[,]`-separated `source[.]target` pairs of short identifiers.
fn pairs(text: &str) -> bool {
    text.split("[,]").all(|pair| {
        pair.split_once("[.]").is_some_and(|(source, target)| {
            short_identifier(source) && short_identifier(target) && !target.contains("[.]")
        })
    })
}

/// `[,]`-separated `step_name[.]step_answer` records: a short identifier (or nothing) and a
/// characterstring of at most 250 (or a numeric range, which is one), not both empty.
fn steps(text: &str) -> bool {
    text.split("[,]").all(|step| {
        step.split_once("[.]").is_some_and(|(name, answer)| {
            (name.is_empty() || short_identifier(name))
                && !answer.contains("[.]")
                && answer.chars().count() <= 250
                && !(name.is_empty() && answer.is_empty())
        })
    })
}

/// A correct response pattern (RTE 4.2.9.1).
fn correct_response(interaction_type: &str, text: &str) -> bool {
    match interaction_type {
        "true-false" => matches!(text, "true" | "false"),
        // An empty pattern: choosing nothing is the correct response.
        "choice" => text.is_empty() || identifiers(text, true),
        "fill-in" => options(text, &["case_matters", "order_matters"])
            .is_some_and(|rest| rest.split("[,]").all(|s| localized(s, 250))),
        "long-fill-in" => {
            options(text, &["case_matters"]).is_some_and(|rest| localized(rest, 4000))
        }
        "likert" => short_identifier(text),
        "matching" => pairs(text),
        "performance" => options(text, &["order_matters"]).is_some_and(steps),
        "sequencing" => identifiers(text, false),
        "numeric" => match text.split_once("[:]") {
            Some((min, max)) => {
                let bound = |b: &str| {
                    if b.is_empty() {
                        Some(None)
                    } else {
                        real(b).map(Some)
                    }
                };
                match (bound(min), bound(max)) {
                    (Some(Some(min)), Some(Some(max))) => min <= max,
                    (Some(_), Some(_)) => true,
                    _ => false,
                }
            }
            // A single number: exactly that value.
            None => real(text).is_some(),
        },
        "other" => text.chars().count() <= 4000,
        _ => false,
    }
}

/// A learner response (RTE 4.2.9.2).
fn learner_response(interaction_type: &str, text: &str) -> bool {
    match interaction_type {
        "true-false" => matches!(text, "true" | "false"),
        "choice" => text.is_empty() || identifiers(text, true),
        "fill-in" => text.split("[,]").all(|s| localized(s, 250)),
        "long-fill-in" => localized(text, 4000),
        "likert" => short_identifier(text),
        "matching" => pairs(text),
        "performance" => steps(text),
        "sequencing" => identifiers(text, false),
        "numeric" => real(text).is_some(),
        "other" => text.chars().count() <= 4000,
        _ => false,
    }
}

fn nav_request(text: &str) -> bool {
    NAV_REQUESTS.contains(&text)
        || text
            .strip_prefix("{target=")
            .and_then(|t| t.split_once('}'))
            .is_some_and(|(target, request)| {
                short_identifier(target) && matches!(request, "choice" | "jump")
            })
}

/// Whether `text` is a value of `kind`: 406 when not of the type, 407 when a number is out of
/// its range.
fn check(kind: Kind, text: &str) -> Result<(), ErrorCode> {
    let ok = match kind {
        Kind::Text(max) => text.chars().count() <= max,
        Kind::Localized(max) => localized(text, max),
        Kind::LongIdentifier => identifier(text, 4000),
        Kind::Vocabulary(words) => words.contains(&text),
        Kind::Real(min, max) => {
            let number = real(text).ok_or(ErrorCode::TypeMismatch)?;
            let inside = min.is_none_or(|min| number >= min) && max.is_none_or(|max| number <= max);
            return if inside {
                Ok(())
            } else {
                Err(ErrorCode::ValueOutOfRange)
            };
        }
        Kind::Time => timestamp(text),
        Kind::Interval => interval(text).is_some(),
        Kind::Language => language(text),
        Kind::Result => RESULTS.contains(&text) || real(text).is_some(),
        Kind::NavRequest => nav_request(text),
        Kind::Pattern(interaction_type) => correct_response(interaction_type, text),
        Kind::Response(interaction_type) => learner_response(interaction_type, text),
    };
    if ok {
        Ok(())
    } else {
        Err(ErrorCode::TypeMismatch)
    }
}

/// Seconds of an ISO 8601 duration (`P[yY][mM][dD][T[hH][mM][s[.s]S]]`, 365-day years and 30-day
/// months); 0 when it is not one.
pub fn seconds(duration: &str) -> f64 {
    interval(duration).unwrap_or(0.0)
}

/// Seconds as an ISO 8601 duration in hours, minutes and seconds to the centisecond
/// (`PT1H2M3.45S`; nothing is `PT0H0M0S`).
pub fn duration(seconds: f64) -> String {
    let centis = (seconds.max(0.0) * 100.0).round() as u64;
    let hours = centis / 360_000;
    let minutes = centis / 6000 % 60;
    let whole = centis / 100 % 60;
    let seconds = match centis % 100 {
        0 => whole.to_string(),
        tenths if tenths % 10 == 0 => format!("{whole}.{}", tenths / 10),
        hundredths => format!("{whole}.{hundredths:02}"),
    };
    format!("PT{hours}H{minutes}M{seconds}S")
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
    /// highest index). The LMS's comments come from the launch.
    fn count(&self, prefix: &str) -> usize {
        if prefix == "cmi.comments_from_lms" {
            return usize::from(!self.launch.comments_from_lms.is_empty());
        }
        super::cmi12::count_in(&self.values, prefix)
    }

    /// `GetValue`.
    pub fn get(&self, name: &str) -> Result<String, ErrorCode> {
        if name.is_empty() {
            return Err(ErrorCode::GeneralGetFailure);
        }
        let (text, array) = match element(name, self)? {
            Element::NoKeyword => return Err(ErrorCode::GeneralGetFailure),
            Element::Keyword { text, array } => (Some(text), array),
            Element::Value {
                access: Access::WriteOnly,
                ..
            } => return Err(ErrorCode::WriteOnly),
            Element::Value { array, .. } => (None, array),
        };
        if array.iter().any(|(prefix, n)| *n >= self.count(prefix)) {
            return Err(ErrorCode::GeneralGetFailure);
        }
        match text {
            Some(text) => Ok(text),
            None => self.read(name).ok_or(ErrorCode::ValueNotInitialized),
        }
    }

    /// An element's value, the LMS's own or its default when the SCO has set none; `None` when
    /// it has neither.
    fn read(&self, name: &str) -> Option<String> {
        let launch = &self.launch;
        let set_or = |default: &str| {
            Some(
                self.values
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| default.into()),
            )
        };
        match name {
            "cmi.learner_id" => Some(launch.student_id.clone()),
            "cmi.learner_name" => Some(launch.student_name.clone()),
            "cmi.credit" => Some(if launch.credit { "credit" } else { "no-credit" }.into()),
            "cmi.entry" => Some(launch.entry.clone()),
            "cmi.mode" if launch.lesson_mode.is_empty() => Some("normal".into()),
            "cmi.mode" => Some(launch.lesson_mode.clone()),
            "cmi.launch_data" => Some(launch.launch_data.clone()).filter(|d| !d.is_empty()),
            "cmi.max_time_allowed" => launch
                .max_time_allowed
                .clone()
                .filter(|t| interval(t).is_some()),
            "cmi.time_limit_action" => Some(
                launch
                    .time_limit_action
                    .clone()
                    .filter(|a| TIME_LIMIT_ACTION.contains(&a.as_str()))
                    .unwrap_or_else(|| "continue,no message".into()),
            ),
            "cmi.total_time" => Some(self.total_time()),
            "cmi.completion_threshold" => launch.completion_threshold.map(|v| v.to_string()),
            "cmi.scaled_passing_score" => launch.scaled_passing_score.map(|v| v.to_string()),
            "cmi.comments_from_lms.0.comment" => {
                Some(launch.comments_from_lms.clone()).filter(|c| !c.is_empty())
            }
            "cmi.completion_status" => Some(self.completion_status()),
            "cmi.success_status" => Some(self.success_status()),
            "cmi.learner_preference.audio_level" | "cmi.learner_preference.delivery_speed" => {
                set_or("1")
            }
            "cmi.learner_preference.language" => set_or(""),
            "cmi.learner_preference.audio_captioning" => set_or("0"),
            "adl.nav.request" => set_or("_none_"),
            // The data model alone cannot tell: the player answers where it knows (`api.rs`).
            _ if name.starts_with("adl.nav.request_valid.") => Some("unknown".into()),
            _ if name.starts_with("cmi.objectives.")
                && (name.ends_with(".success_status") || name.ends_with(".completion_status")) =>
            {
                set_or("unknown")
            }
            _ => self.values.get(name).cloned(),
        }
    }

    /// The time of earlier sessions as an ISO 8601 duration (a SCORM 1.2 timespan is converted).
    fn total_time(&self) -> String {
        let kept = &self.launch.total_time;
        if interval(kept).is_some() {
            kept.clone()
        } else {
            duration(super::cmi12::seconds(kept))
        }
    }

    fn number(&self, name: &str) -> Option<f64> {
        self.values.get(name).and_then(|v| real(v))
    }

    /// `cmi.completion_status` as RTE 4.2.4.1 has the LMS report it: with a completion threshold
    /// and a progress measure, progress decides; otherwise the SCO's value, or `unknown`.
    fn completion_status(&self) -> String {
        let progress = self.number("cmi.progress_measure");
        match (self.launch.completion_threshold, progress) {
            (Some(threshold), Some(progress)) if progress >= threshold => "completed".into(),
            (Some(_), Some(_)) => "incomplete".into(),
            _ => self
                .values
                .get("cmi.completion_status")
                .cloned()
                .unwrap_or_else(|| "unknown".into()),
        }
    }

    /// `cmi.success_status` as RTE 4.2.22.1 has the LMS report it: with a scaled passing score,
    /// the scaled score decides, and without one the status is `unknown` whatever the SCO set;
    /// with no passing score, the SCO's value, or `unknown`.
    fn success_status(&self) -> String {
        let scaled = self.number("cmi.score.scaled");
        match (self.launch.scaled_passing_score, scaled) {
            (Some(passing), Some(scaled)) if scaled >= passing => "passed".into(),
            (Some(_), Some(_)) => "failed".into(),
            (Some(_), None) => "unknown".into(),
            (None, _) => self
                .values
                .get("cmi.success_status")
                .cloned()
                .unwrap_or_else(|| "unknown".into()),
        }
    }

    /// `SetValue`.
    pub fn set(&mut self, name: &str, text: &str) -> Result<(), ErrorCode> {
        if name.is_empty() {
            return Err(ErrorCode::GeneralSetFailure);
        }
        let (kind, array, needs) = match element(name, self)? {
            Element::Keyword { .. }
            | Element::NoKeyword
            | Element::Value {
                access: Access::ReadOnly,
                ..
            } => return Err(ErrorCode::ReadOnly),
            Element::Value {
                kind, array, needs, ..
            } => (kind, array, needs),
        };
        // An array grows one entry at a time: index n may be set once 0..n exist.
        if array.iter().any(|(prefix, n)| *n > self.count(prefix)) {
            return Err(ErrorCode::GeneralSetFailure);
        }
        if needs.iter().any(|needed| !self.values.contains_key(needed)) {
            return Err(ErrorCode::DependencyNotEstablished);
        }
        check(kind, text)?;
        if self.clashes(name, text) {
            return Err(ErrorCode::GeneralSetFailure);
        }
        self.values.insert(name.to_string(), text.to_string());
        Ok(())
    }

    /// Sets a batch of values (a commit the server checks again) in an order in which each
    /// one's dependencies come first, whatever order the map holds them in: a `BTreeMap` sorts
    /// `cmi.objectives.0.completion_status` before `cmi.objectives.0.id`, and `.10.` before
    /// `.2.`. The first refusal is returned with its element.
    pub fn set_all(
        &mut self,
        values: &BTreeMap<String, String>,
    ) -> Result<(), (String, ErrorCode)> {
        let mut ordered: Vec<(&String, &String)> = values.iter().collect();
        ordered.sort_by_cached_key(|(name, _)| super::cmi12::set_order(name));
        for (name, text) in ordered {
            self.set(name, text).map_err(|e| (name.clone(), e))?;
        }
        Ok(())
    }

    /// The other entries' values of `field` in the array at `prefix`.
    fn siblings(&self, prefix: &str, except: &str, field: &str) -> Vec<&String> {
        (0..self.count(prefix))
            .filter(|i| i.to_string() != except)
            .filter_map(|i| self.values.get(&format!("{prefix}.{i}.{field}")))
            .collect()
    }

    /// The rules that refuse a well-typed value with 351: ids unique in their array, one
    /// correct response for the single-answer types, and no choice pattern given twice.
    fn clashes(&self, name: &str, text: &str) -> bool {
        let parts: Vec<&str> = name.split('.').collect();
        match parts.as_slice() {
            ["cmi", "objectives", n, "id"] => self
                .siblings("cmi.objectives", n, "id")
                .iter()
                .any(|id| *id == text),
            ["cmi", "interactions", n, "objectives", m, "id"] => self
                .siblings(&format!("cmi.interactions.{n}.objectives"), m, "id")
                .iter()
                .any(|id| *id == text),
            ["cmi", "interactions", n, "correct_responses", m, "pattern"] => {
                let prefix = format!("cmi.interactions.{n}");
                let interaction_type = self
                    .values
                    .get(&format!("{prefix}.type"))
                    .map_or("", String::as_str);
                if ONE_CORRECT_RESPONSE.contains(&interaction_type) {
                    return *m != "0";
                }
                fn choices(pattern: &str) -> BTreeSet<&str> {
                    pattern.split("[,]").collect()
                }
                interaction_type == "choice"
                    && self
                        .siblings(&format!("{prefix}.correct_responses"), m, "pattern")
                        .iter()
                        .any(|other| choices(other) == choices(text))
            }
            _ => false,
        }
    }
}

/// What a finished session means for the learner's record.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// `completed`, `incomplete`, `not attempted` or `unknown`, as the LMS evaluates it.
    pub completion: String,
    /// `passed`, `failed` or `unknown`, as the LMS evaluates it.
    pub success: String,
    /// `cmi.score.scaled` (-1 to 1), if set.
    pub score: Option<f64>,
    /// `cmi.score.raw`, if set.
    pub raw: Option<f64>,
    /// The earlier sessions' time plus this one's, as an ISO 8601 duration.
    pub total_time: String,
    /// The SCO asked to be resumed next time (`cmi.exit` = `suspend`).
    pub suspended: bool,
    /// The navigation the SCO asked for on leaving (`adl.nav.request`), unless `_none_`.
    pub exit_request: Option<String>,
}

impl Cmi {
    /// The record after `Terminate` (or a session that ended): the session's time added to the
    /// total, completion and success settled by the threshold and the passing score.
    pub fn outcome(&self) -> Outcome {
        let session = self
            .values
            .get("cmi.session_time")
            .map_or(0.0, |t| seconds(t));
        Outcome {
            completion: self.completion_status(),
            success: self.success_status(),
            score: self.number("cmi.score.scaled"),
            raw: self.number("cmi.score.raw"),
            total_time: duration(seconds(&self.total_time()) + session),
            suspended: self.values.get("cmi.exit").is_some_and(|e| e == "suspend"),
            exit_request: self
                .values
                .get("adl.nav.request")
                .filter(|r| *r != "_none_")
                .cloned(),
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
                launch_data: "hello".into(),
                ..Launch::default()
            },
            BTreeMap::new(),
        )
    }

    /// A SCO whose manifest gives a completion threshold and a scaled passing score.
    fn graded() -> Cmi {
        let mut cmi = fresh();
        cmi.launch.completion_threshold = Some(0.8);
        cmi.launch.scaled_passing_score = Some(0.6);
        cmi
    }

    /// A fresh SCO with interaction 0 of `interaction_type`.
    fn with_interaction(interaction_type: &str) -> Cmi {
        let mut cmi = fresh();
        cmi.set("cmi.interactions.0.id", "q1").unwrap();
        cmi.set("cmi.interactions.0.type", interaction_type)
            .unwrap();
        cmi
    }

    fn pattern(cmi: &mut Cmi, text: &str) -> Result<(), ErrorCode> {
        cmi.set("cmi.interactions.0.correct_responses.0.pattern", text)
    }

    fn response(cmi: &mut Cmi, text: &str) -> Result<(), ErrorCode> {
        cmi.set("cmi.interactions.0.learner_response", text)
    }

    #[test]
    fn every_error_code_has_its_number_and_standard_message() {
        for error in ALL {
            assert_eq!(ErrorCode::from_code(error.code()), Some(error));
            assert!(!error.message().is_empty());
        }
        assert_eq!(ErrorCode::from_code(0), Some(NoError));
        assert_eq!(ErrorCode::from_code(406), Some(TypeMismatch));
        assert_eq!(ErrorCode::from_code(408), Some(DependencyNotEstablished));
        assert_eq!(ErrorCode::from_code(999), None);
        assert_eq!(NoError.message(), "No Error");
        assert_eq!(
            ValueNotInitialized.message(),
            "Data Model Element Value Not Initialized"
        );
        assert_eq!(ReadOnly.code(), 404);
        assert_eq!(CommitAfterTermination.code(), 143);
    }

    #[test]
    fn the_lms_values_are_read_only_and_read_as_launched() {
        let mut cmi = graded();
        cmi.launch.max_time_allowed = Some("PT1H30M".into());
        cmi.launch.time_limit_action = Some("exit,message".into());
        cmi.launch.total_time = "PT2H".into();
        assert_eq!(cmi.get("cmi._version").unwrap(), "1.0");
        assert_eq!(cmi.get("cmi.learner_id").unwrap(), "ada@example.com");
        assert_eq!(cmi.get("cmi.learner_name").unwrap(), "Lovelace, Ada");
        assert_eq!(cmi.get("cmi.credit").unwrap(), "credit");
        assert_eq!(cmi.get("cmi.entry").unwrap(), "ab-initio");
        assert_eq!(cmi.get("cmi.mode").unwrap(), "normal");
        assert_eq!(cmi.get("cmi.launch_data").unwrap(), "hello");
        assert_eq!(cmi.get("cmi.max_time_allowed").unwrap(), "PT1H30M");
        assert_eq!(cmi.get("cmi.time_limit_action").unwrap(), "exit,message");
        assert_eq!(cmi.get("cmi.total_time").unwrap(), "PT2H");
        assert_eq!(cmi.get("cmi.completion_threshold").unwrap(), "0.8");
        assert_eq!(cmi.get("cmi.scaled_passing_score").unwrap(), "0.6");
        for element in [
            "cmi._version",
            "cmi.learner_id",
            "cmi.learner_name",
            "cmi.credit",
            "cmi.entry",
            "cmi.mode",
            "cmi.launch_data",
            "cmi.max_time_allowed",
            "cmi.time_limit_action",
            "cmi.total_time",
            "cmi.completion_threshold",
            "cmi.scaled_passing_score",
            "cmi.comments_from_lms.0.comment",
            "cmi.score._children",
            "cmi.objectives._count",
            "cmi.interactions._children",
            "adl.nav.request_valid.continue",
        ] {
            assert_eq!(cmi.set(element, "x"), Err(ReadOnly), "{element}");
        }
        cmi.launch.credit = false;
        assert_eq!(cmi.get("cmi.credit").unwrap(), "no-credit");
    }

    #[test]
    fn what_the_manifest_does_not_give_is_not_initialized_or_its_default() {
        let mut cmi = fresh();
        cmi.launch.launch_data = String::new();
        cmi.launch.max_time_allowed = Some("01:30:00".into());
        cmi.launch.lesson_mode = String::new();
        assert_eq!(
            cmi.get("cmi.completion_threshold"),
            Err(ValueNotInitialized)
        );
        assert_eq!(
            cmi.get("cmi.scaled_passing_score"),
            Err(ValueNotInitialized)
        );
        assert_eq!(cmi.get("cmi.launch_data"), Err(ValueNotInitialized));
        // Not an ISO 8601 duration: as good as none.
        assert_eq!(cmi.get("cmi.max_time_allowed"), Err(ValueNotInitialized));
        assert_eq!(
            cmi.get("cmi.time_limit_action").unwrap(),
            "continue,no message"
        );
        assert_eq!(cmi.get("cmi.total_time").unwrap(), "PT0H0M0S");
        assert_eq!(cmi.get("cmi.mode").unwrap(), "normal");
        // A total kept as a SCORM 1.2 timespan reads as a duration.
        cmi.launch.total_time = "0001:02:03.50".into();
        assert_eq!(cmi.get("cmi.total_time").unwrap(), "PT1H2M3.5S");
    }

    #[test]
    fn the_lms_comment_is_a_read_only_array_of_one() {
        let mut cmi = fresh();
        assert_eq!(cmi.get("cmi.comments_from_lms._count").unwrap(), "0");
        assert_eq!(
            cmi.get("cmi.comments_from_lms.0.comment"),
            Err(GeneralGetFailure)
        );
        cmi.launch.comments_from_lms = "Read chapter 2 first".into();
        assert_eq!(cmi.get("cmi.comments_from_lms._count").unwrap(), "1");
        assert_eq!(
            cmi.get("cmi.comments_from_lms._children").unwrap(),
            COMMENTS_CHILDREN
        );
        assert_eq!(
            cmi.get("cmi.comments_from_lms.0.comment").unwrap(),
            "Read chapter 2 first"
        );
        assert_eq!(
            cmi.get("cmi.comments_from_lms.0.location"),
            Err(ValueNotInitialized)
        );
        assert_eq!(
            cmi.get("cmi.comments_from_lms.1.comment"),
            Err(GeneralGetFailure)
        );
        assert_eq!(
            cmi.set("cmi.comments_from_lms.0.comment", "mine"),
            Err(ReadOnly)
        );
    }

    #[test]
    fn the_learners_comments_are_an_array_with_typed_fields() {
        let mut cmi = fresh();
        cmi.set(
            "cmi.comments_from_learner.0.comment",
            "{lang=en-GB}Too long",
        )
        .unwrap();
        cmi.set("cmi.comments_from_learner.0.location", "page 3")
            .unwrap();
        cmi.set(
            "cmi.comments_from_learner.0.timestamp",
            "2024-03-01T10:15:30Z",
        )
        .unwrap();
        assert_eq!(cmi.get("cmi.comments_from_learner._count").unwrap(), "1");
        assert_eq!(
            cmi.get("cmi.comments_from_learner.0.comment").unwrap(),
            "{lang=en-GB}Too long"
        );
        // The entry is made by its location alone; the comment stays unset.
        cmi.set("cmi.comments_from_learner.1.location", "p4")
            .unwrap();
        assert_eq!(
            cmi.get("cmi.comments_from_learner.1.comment"),
            Err(ValueNotInitialized)
        );
        assert_eq!(
            cmi.set("cmi.comments_from_learner.3.comment", "x"),
            Err(GeneralSetFailure)
        );
        assert_eq!(
            cmi.set("cmi.comments_from_learner.0.timestamp", "yesterday"),
            Err(TypeMismatch)
        );
        assert_eq!(
            cmi.set("cmi.comments_from_learner.0.location", &"l".repeat(251)),
            Err(TypeMismatch)
        );
        let comment = "c".repeat(4000);
        assert_eq!(
            cmi.set("cmi.comments_from_learner.0.comment", &comment),
            Ok(())
        );
        assert_eq!(
            cmi.set(
                "cmi.comments_from_learner.0.comment",
                &format!("{comment}c")
            ),
            Err(TypeMismatch)
        );
        // The language tag does not count towards the length.
        assert_eq!(
            cmi.set(
                "cmi.comments_from_learner.0.comment",
                &format!("{{lang=fr}}{comment}")
            ),
            Ok(())
        );
        assert_eq!(
            cmi.set("cmi.comments_from_learner.0.comment", "{lang=123456}bad"),
            Err(TypeMismatch)
        );
    }

    #[test]
    fn write_only_elements_cannot_be_read() {
        let mut cmi = fresh();
        cmi.set("cmi.exit", "suspend").unwrap();
        cmi.set("cmi.session_time", "PT5M30S").unwrap();
        assert_eq!(cmi.get("cmi.exit"), Err(WriteOnly));
        assert_eq!(cmi.get("cmi.session_time"), Err(WriteOnly));
        for exit in ["time-out", "logout", "normal", ""] {
            assert_eq!(cmi.set("cmi.exit", exit), Ok(()), "{exit}");
        }
        assert_eq!(cmi.set("cmi.exit", "timeout"), Err(TypeMismatch));
        assert_eq!(cmi.set("cmi.session_time", "00:05:30"), Err(TypeMismatch));
    }

    #[test]
    fn elements_never_set_read_not_initialized_unless_they_have_a_default() {
        let cmi = fresh();
        for element in [
            "cmi.location",
            "cmi.score.raw",
            "cmi.score.scaled",
            "cmi.score.min",
            "cmi.score.max",
            "cmi.progress_measure",
            "cmi.suspend_data",
        ] {
            assert_eq!(cmi.get(element), Err(ValueNotInitialized), "{element}");
        }
        assert_eq!(cmi.get("cmi.completion_status").unwrap(), "unknown");
        assert_eq!(cmi.get("cmi.success_status").unwrap(), "unknown");
        assert_eq!(cmi.get("cmi.learner_preference.audio_level").unwrap(), "1");
        assert_eq!(cmi.get("cmi.learner_preference.language").unwrap(), "");
        assert_eq!(
            cmi.get("cmi.learner_preference.delivery_speed").unwrap(),
            "1"
        );
        assert_eq!(
            cmi.get("cmi.learner_preference.audio_captioning").unwrap(),
            "0"
        );
        assert_eq!(cmi.get("adl.nav.request").unwrap(), "_none_");
    }

    #[test]
    fn completion_is_settled_by_progress_against_the_threshold() {
        // Without a threshold the SCO's own status stands.
        let mut cmi = fresh();
        cmi.set("cmi.progress_measure", "0.1").unwrap();
        cmi.set("cmi.completion_status", "completed").unwrap();
        assert_eq!(cmi.get("cmi.completion_status").unwrap(), "completed");

        let mut cmi = graded();
        assert_eq!(cmi.get("cmi.completion_status").unwrap(), "unknown");
        // A threshold but no progress measure: the SCO's value.
        cmi.set("cmi.completion_status", "incomplete").unwrap();
        assert_eq!(cmi.get("cmi.completion_status").unwrap(), "incomplete");
        // Progress decides once there is some, whatever the SCO said.
        cmi.set("cmi.progress_measure", "0.79").unwrap();
        cmi.set("cmi.completion_status", "completed").unwrap();
        assert_eq!(cmi.get("cmi.completion_status").unwrap(), "incomplete");
        cmi.set("cmi.progress_measure", "0.8").unwrap();
        cmi.set("cmi.completion_status", "incomplete").unwrap();
        assert_eq!(cmi.get("cmi.completion_status").unwrap(), "completed");
        assert_eq!(cmi.outcome().completion, "completed");
    }

    #[test]
    fn success_is_settled_by_the_scaled_score_against_the_passing_score() {
        let mut cmi = fresh();
        cmi.set("cmi.success_status", "passed").unwrap();
        assert_eq!(cmi.get("cmi.success_status").unwrap(), "passed");

        let mut cmi = graded();
        // A passing score but no scaled score: unknown, whatever the SCO said.
        cmi.set("cmi.success_status", "passed").unwrap();
        assert_eq!(cmi.get("cmi.success_status").unwrap(), "unknown");
        cmi.set("cmi.score.scaled", "0.59").unwrap();
        assert_eq!(cmi.get("cmi.success_status").unwrap(), "failed");
        assert_eq!(cmi.outcome().success, "failed");
        cmi.set("cmi.score.scaled", "0.6").unwrap();
        cmi.set("cmi.success_status", "failed").unwrap();
        assert_eq!(cmi.get("cmi.success_status").unwrap(), "passed");
        assert_eq!(cmi.outcome().success, "passed");
    }

    #[test]
    fn a_finished_session_adds_its_time_and_reports_score_and_navigation() {
        let mut cmi = graded();
        cmi.launch.total_time = "PT1H30M".into();
        cmi.set("cmi.session_time", "PT45M30.25S").unwrap();
        cmi.set("cmi.progress_measure", "0.9").unwrap();
        cmi.set("cmi.score.scaled", "0.75").unwrap();
        cmi.set("cmi.score.raw", "75").unwrap();
        cmi.set("cmi.exit", "suspend").unwrap();
        cmi.set("adl.nav.request", "continue").unwrap();
        assert_eq!(
            cmi.outcome(),
            Outcome {
                completion: "completed".into(),
                success: "passed".into(),
                score: Some(0.75),
                raw: Some(75.0),
                total_time: "PT2H15M30.25S".into(),
                suspended: true,
                exit_request: Some("continue".into()),
            }
        );
        cmi.set("adl.nav.request", "_none_").unwrap();
        cmi.set("cmi.exit", "logout").unwrap();
        let outcome = cmi.outcome();
        assert_eq!(outcome.exit_request, None);
        assert!(!outcome.suspended);

        let untouched = fresh().outcome();
        assert_eq!(untouched.completion, "unknown");
        assert_eq!(untouched.success, "unknown");
        assert_eq!(untouched.score, None);
        assert_eq!(untouched.raw, None);
        assert_eq!(untouched.total_time, "PT0H0M0S");
    }

    #[test]
    fn unknown_elements_and_misplaced_keywords_give_their_codes() {
        let mut cmi = fresh();
        assert_eq!(
            cmi.get("cmi.core.student_id"),
            Err(UndefinedDataModelElement)
        );
        assert_eq!(cmi.get("cmi.nonsense"), Err(UndefinedDataModelElement));
        assert_eq!(cmi.set("cmi.nonsense", "x"), Err(UndefinedDataModelElement));
        assert_eq!(
            cmi.get("cmi.objectives.x.id"),
            Err(UndefinedDataModelElement)
        );
        assert_eq!(
            cmi.get("cmi.objectives.01.id"),
            Err(UndefinedDataModelElement)
        );
        assert_eq!(
            cmi.get("cmi.objectives.0.bogus"),
            Err(UndefinedDataModelElement)
        );
        assert_eq!(cmi.get(""), Err(GeneralGetFailure));
        assert_eq!(cmi.set("", "x"), Err(GeneralSetFailure));
        // _children and _count asked of what has none.
        assert_eq!(cmi.get("cmi.location._children"), Err(GeneralGetFailure));
        assert_eq!(cmi.get("cmi.score.raw._children"), Err(GeneralGetFailure));
        assert_eq!(cmi.get("cmi.location._count"), Err(GeneralGetFailure));
        assert_eq!(cmi.get("cmi.score._count"), Err(GeneralGetFailure));
        assert_eq!(
            cmi.get("cmi.learner_preference._count"),
            Err(GeneralGetFailure)
        );
        assert_eq!(
            cmi.get("cmi.interactions.0.objectives._children"),
            Err(GeneralGetFailure)
        );
        assert_eq!(cmi.get("adl.nav.request._count"), Err(GeneralGetFailure));
        assert_eq!(cmi.set("cmi.location._children", "x"), Err(ReadOnly));
        // ...but of what does not exist, the element is undefined.
        assert_eq!(
            cmi.get("cmi.nonsense._children"),
            Err(UndefinedDataModelElement)
        );
        assert_eq!(cmi.get("adl.nav.bogus"), Err(UndefinedDataModelElement));
        assert_eq!(
            cmi.get("adl.data._count"),
            Err(UnimplementedDataModelElement)
        );
        // The keywords that exist.
        assert_eq!(cmi.get("cmi.score._children").unwrap(), SCORE_CHILDREN);
        assert_eq!(
            cmi.get("cmi.learner_preference._children").unwrap(),
            PREFERENCE_CHILDREN
        );
        assert_eq!(
            cmi.get("cmi.objectives._children").unwrap(),
            OBJECTIVES_CHILDREN
        );
        assert_eq!(
            cmi.get("cmi.interactions._children").unwrap(),
            INTERACTIONS_CHILDREN
        );
        assert_eq!(
            cmi.get("cmi.comments_from_learner._children").unwrap(),
            COMMENTS_CHILDREN
        );
    }

    #[test]
    fn values_are_checked_against_their_types_and_vocabularies() {
        let mut cmi = fresh();
        assert_eq!(cmi.set("cmi.completion_status", "not attempted"), Ok(()));
        assert_eq!(
            cmi.set("cmi.completion_status", "passed"),
            Err(TypeMismatch)
        );
        assert_eq!(
            cmi.set("cmi.success_status", "completed"),
            Err(TypeMismatch)
        );
        assert_eq!(cmi.set("cmi.score.raw", "85.5"), Ok(()));
        assert_eq!(cmi.set("cmi.score.raw", "-12"), Ok(()));
        assert_eq!(cmi.get("cmi.score.raw").unwrap(), "-12");
        for bad in ["", "abc", "1e3", "1.2.3", "NaN", " 1", "-", "."] {
            assert_eq!(cmi.set("cmi.score.raw", bad), Err(TypeMismatch), "{bad:?}");
        }
        assert_eq!(cmi.set("cmi.location", &"x".repeat(1000)), Ok(()));
        assert_eq!(
            cmi.set("cmi.location", &"x".repeat(1001)),
            Err(TypeMismatch)
        );
        assert_eq!(cmi.set("cmi.learner_preference.language", "en-US"), Ok(()));
        assert_eq!(cmi.set("cmi.learner_preference.language", ""), Ok(()));
        assert_eq!(
            cmi.set("cmi.learner_preference.language", "x-klingon"),
            Ok(())
        );
        for bad in ["english", "e", "en_US", "en-", "12"] {
            assert_eq!(
                cmi.set("cmi.learner_preference.language", bad),
                Err(TypeMismatch),
                "{bad}"
            );
        }
        assert_eq!(
            cmi.set("cmi.learner_preference.audio_captioning", "-1"),
            Ok(())
        );
        assert_eq!(
            cmi.set("cmi.learner_preference.audio_captioning", "2"),
            Err(TypeMismatch)
        );
    }

    #[test]
    fn suspend_data_holds_64000_characters_and_refuses_more() {
        // Past the SPM is refused (406) rather than kept or cut: see the module's note.
        let mut cmi = fresh();
        let long = "s".repeat(SUSPEND_DATA_MAX);
        assert_eq!(cmi.set("cmi.suspend_data", &long), Ok(()));
        assert_eq!(cmi.get("cmi.suspend_data").unwrap().len(), 64_000);
        assert_eq!(
            cmi.set("cmi.suspend_data", &format!("{long}s")),
            Err(TypeMismatch)
        );
        assert_eq!(cmi.get("cmi.suspend_data").unwrap(), long);
    }

    #[test]
    fn numbers_outside_their_range_are_out_of_range() {
        let mut cmi = fresh();
        assert_eq!(cmi.set("cmi.score.scaled", "-1"), Ok(()));
        assert_eq!(cmi.set("cmi.score.scaled", "1"), Ok(()));
        assert_eq!(cmi.set("cmi.score.scaled", "1.01"), Err(ValueOutOfRange));
        assert_eq!(cmi.set("cmi.score.scaled", "-1.5"), Err(ValueOutOfRange));
        assert_eq!(cmi.set("cmi.score.scaled", "high"), Err(TypeMismatch));
        assert_eq!(cmi.set("cmi.progress_measure", "0"), Ok(()));
        assert_eq!(cmi.set("cmi.progress_measure", "1.1"), Err(ValueOutOfRange));
        assert_eq!(
            cmi.set("cmi.progress_measure", "-0.1"),
            Err(ValueOutOfRange)
        );
        assert_eq!(cmi.set("cmi.learner_preference.audio_level", "2.5"), Ok(()));
        assert_eq!(
            cmi.set("cmi.learner_preference.audio_level", "-1"),
            Err(ValueOutOfRange)
        );
        assert_eq!(
            cmi.set("cmi.learner_preference.delivery_speed", "-0.5"),
            Err(ValueOutOfRange)
        );
        cmi.set("cmi.objectives.0.id", "obj1").unwrap();
        assert_eq!(
            cmi.set("cmi.objectives.0.score.scaled", "2"),
            Err(ValueOutOfRange)
        );
        assert_eq!(
            cmi.set("cmi.objectives.0.progress_measure", "1.5"),
            Err(ValueOutOfRange)
        );
    }

    #[test]
    fn arrays_grow_one_entry_at_a_time() {
        let mut cmi = fresh();
        assert_eq!(cmi.get("cmi.objectives._count").unwrap(), "0");
        assert_eq!(
            cmi.set("cmi.objectives.1.id", "obj2"),
            Err(GeneralSetFailure)
        );
        cmi.set("cmi.objectives.0.id", "obj1").unwrap();
        cmi.set("cmi.objectives.1.id", "obj2").unwrap();
        assert_eq!(cmi.get("cmi.objectives._count").unwrap(), "2");
        assert_eq!(cmi.get("cmi.objectives.1.id").unwrap(), "obj2");
        assert_eq!(cmi.get("cmi.objectives.2.id"), Err(GeneralGetFailure));
        assert_eq!(
            cmi.get("cmi.objectives.5.score._children"),
            Err(GeneralGetFailure)
        );
        assert_eq!(
            cmi.get("cmi.objectives.0.score._children").unwrap(),
            SCORE_CHILDREN
        );
        assert_eq!(cmi.get("cmi.interactions._count").unwrap(), "0");
        assert_eq!(
            cmi.get("cmi.interactions.0.objectives._count"),
            Err(GeneralGetFailure)
        );
        let mut cmi = with_interaction("choice");
        assert_eq!(
            cmi.get("cmi.interactions.0.objectives._count").unwrap(),
            "0"
        );
        assert_eq!(
            cmi.set("cmi.interactions.0.objectives.1.id", "obj"),
            Err(GeneralSetFailure)
        );
        cmi.set("cmi.interactions.0.objectives.0.id", "obj")
            .unwrap();
        assert_eq!(
            cmi.get("cmi.interactions.0.objectives._count").unwrap(),
            "1"
        );
        assert_eq!(cmi.get("cmi.interactions.0.id").unwrap(), "q1");
        assert_eq!(cmi.get("cmi.interactions.0.type").unwrap(), "choice");
    }

    #[test]
    fn an_entrys_fields_need_its_id_and_responses_need_a_type() {
        let mut cmi = fresh();
        assert_eq!(
            cmi.set("cmi.objectives.0.success_status", "passed"),
            Err(DependencyNotEstablished)
        );
        assert_eq!(
            cmi.set("cmi.objectives.0.score.raw", "1"),
            Err(DependencyNotEstablished)
        );
        // Beyond the next entry is a set failure, not a dependency.
        assert_eq!(
            cmi.set("cmi.objectives.3.success_status", "passed"),
            Err(GeneralSetFailure)
        );
        assert_eq!(
            cmi.set("cmi.interactions.0.type", "choice"),
            Err(DependencyNotEstablished)
        );
        assert_eq!(
            cmi.set("cmi.interactions.0.objectives.0.id", "obj"),
            Err(DependencyNotEstablished)
        );
        cmi.set("cmi.interactions.0.id", "urn:lyceum:q1").unwrap();
        assert_eq!(
            cmi.set("cmi.interactions.0.learner_response", "true"),
            Err(DependencyNotEstablished)
        );
        assert_eq!(
            cmi.set("cmi.interactions.0.correct_responses.0.pattern", "true"),
            Err(DependencyNotEstablished)
        );
        cmi.set("cmi.interactions.0.type", "true-false").unwrap();
        assert_eq!(
            cmi.set("cmi.interactions.0.learner_response", "true"),
            Ok(())
        );
        assert_eq!(
            cmi.set("cmi.interactions.0.timestamp", "2024-05-06T07:08:09.1"),
            Ok(())
        );
        assert_eq!(cmi.set("cmi.interactions.0.weighting", "2.5"), Ok(()));
        assert_eq!(cmi.set("cmi.interactions.0.latency", "PT12.5S"), Ok(()));
        assert_eq!(
            cmi.set("cmi.interactions.0.description", "{lang=en}Is it?"),
            Ok(())
        );
        for result in [
            "correct",
            "incorrect",
            "unanticipated",
            "neutral",
            "0.5",
            "-3",
        ] {
            assert_eq!(
                cmi.set("cmi.interactions.0.result", result),
                Ok(()),
                "{result}"
            );
        }
        assert_eq!(
            cmi.set("cmi.interactions.0.result", "wrong"),
            Err(TypeMismatch)
        );
        assert_eq!(
            cmi.set("cmi.interactions.0.type", "essay"),
            Err(TypeMismatch)
        );
        assert_eq!(cmi.set("cmi.interactions.0.id", ""), Err(TypeMismatch));
        assert_eq!(
            cmi.set("cmi.interactions.0.id", "has space"),
            Err(TypeMismatch)
        );
        assert_eq!(
            cmi.set("cmi.interactions.0.weighting", "heavy"),
            Err(TypeMismatch)
        );
        assert_eq!(
            cmi.set("cmi.interactions.0.latency", "12"),
            Err(TypeMismatch)
        );
        assert_eq!(
            cmi.set("cmi.interactions.0.description", &"d".repeat(251)),
            Err(TypeMismatch)
        );
        // Fields never set read as not initialized.
        let cmi = with_interaction("numeric");
        assert_eq!(
            cmi.get("cmi.interactions.0.result"),
            Err(ValueNotInitialized)
        );
        assert_eq!(
            cmi.get("cmi.interactions.0.learner_response"),
            Err(ValueNotInitialized)
        );
    }

    #[test]
    fn objective_ids_are_unique_within_their_array() {
        let mut cmi = fresh();
        cmi.set("cmi.objectives.0.id", "obj1").unwrap();
        cmi.set("cmi.objectives.1.id", "obj2").unwrap();
        assert_eq!(
            cmi.set("cmi.objectives.1.id", "obj1"),
            Err(GeneralSetFailure)
        );
        assert_eq!(
            cmi.set("cmi.objectives.2.id", "obj2"),
            Err(GeneralSetFailure)
        );
        // Setting an entry's own id again is no clash.
        assert_eq!(cmi.set("cmi.objectives.0.id", "obj1"), Ok(()));
        cmi.set("cmi.objectives.0.success_status", "passed")
            .unwrap();
        cmi.set("cmi.objectives.0.completion_status", "completed")
            .unwrap();
        assert_eq!(
            cmi.get("cmi.objectives.0.success_status").unwrap(),
            "passed"
        );
        assert_eq!(
            cmi.get("cmi.objectives.1.success_status").unwrap(),
            "unknown"
        );
        assert_eq!(
            cmi.get("cmi.objectives.1.completion_status").unwrap(),
            "unknown"
        );
        assert_eq!(
            cmi.get("cmi.objectives.1.score.raw"),
            Err(ValueNotInitialized)
        );
        assert_eq!(
            cmi.get("cmi.objectives.1.description"),
            Err(ValueNotInitialized)
        );

        let mut cmi = with_interaction("other");
        cmi.set("cmi.interactions.0.objectives.0.id", "obj1")
            .unwrap();
        assert_eq!(
            cmi.set("cmi.interactions.0.objectives.1.id", "obj1"),
            Err(GeneralSetFailure)
        );
    }

    #[test]
    fn durations_convert_to_seconds_and_back() {
        assert_eq!(seconds("PT1H2M3.45S"), 3723.45);
        assert_eq!(seconds("P1Y"), 365.0 * 86_400.0);
        assert_eq!(seconds("P1M"), 30.0 * 86_400.0);
        assert_eq!(seconds("P1DT1S"), 86_401.0);
        assert_eq!(seconds("PT90M"), 5400.0);
        assert_eq!(seconds("P0Y0M0DT0H0M0S"), 0.0);
        for invalid in [
            "", "P", "PT", "P1DT", "1H", "PT1.5H", "PT-1S", "P1H", "PT1S1M", "PT1M1M", "P1W",
            "PT.5S", "PT1.S", "PT1,5S", "pt1s", "01:00:00",
        ] {
            assert_eq!(seconds(invalid), 0.0, "{invalid}");
            assert_eq!(interval(invalid), None, "{invalid}");
        }
        assert_eq!(duration(3723.45), "PT1H2M3.45S");
        assert_eq!(duration(0.0), "PT0H0M0S");
        assert_eq!(duration(-5.0), "PT0H0M0S");
        assert_eq!(duration(f64::NAN), "PT0H0M0S");
        assert_eq!(duration(59.5), "PT0H0M59.5S");
        assert_eq!(duration(0.456), "PT0H0M0.46S");
        assert_eq!(duration(100.0 * 3600.0), "PT100H0M0S");
        for total in [0.0, 0.01, 61.1, 3599.99, 86_400.0, 1_000_000.25] {
            assert_eq!(seconds(&duration(total)), total, "{total}");
        }
    }

    #[test]
    fn timestamps_may_stop_at_any_part() {
        for valid in [
            "2024",
            "2024-03",
            "2024-03-01",
            "2024-03-01T10",
            "2024-03-01T10:15",
            "2024-03-01T10:15:30",
            "2024-03-01T10:15:30.5",
            "2024-03-01T10:15:30.25Z",
            "2024-03-01T10:15:30.123Z",
            "2024-03-01T10:15:30+01:00",
            "2024-03-01T10:15:30-05",
            "2024-02-29T00:00:00",
            "1970-01-01",
            "2038-12-31T23:59:59",
        ] {
            assert!(timestamp(valid), "{valid}");
        }
        for invalid in [
            "",
            "24",
            "1969",
            "2039-01-01",
            "2024-13",
            "2024-00-10",
            "2023-02-29",
            "2024-04-31",
            "2024-03-01 10:15",
            "2024-03-01T24:00",
            "2024-03-01T10:60",
            "2024-03-01T10:15:60",
            "2024-03-01T10:15:30.",
            "2024-03-01T10:15:30Q",
            "2024-03-01T10:15:30+25:00",
            "2024-03-01T10:15:30+01:",
            "2024-3-1",
            "2024-03-01T",
        ] {
            assert!(!timestamp(invalid), "{invalid}");
        }
    }

    #[test]
    fn true_false_likert_numeric_and_other_take_one_correct_response() {
        let mut cmi = with_interaction("true-false");
        assert_eq!(pattern(&mut cmi, "yes"), Err(TypeMismatch));
        assert_eq!(pattern(&mut cmi, "true"), Ok(()));
        assert_eq!(
            cmi.set("cmi.interactions.0.correct_responses.1.pattern", "false"),
            Err(GeneralSetFailure)
        );
        assert_eq!(response(&mut cmi, "false"), Ok(()));
        assert_eq!(response(&mut cmi, "f"), Err(TypeMismatch));

        let mut cmi = with_interaction("likert");
        assert_eq!(pattern(&mut cmi, "strongly_agree"), Ok(()));
        assert_eq!(pattern(&mut cmi, "strongly agree"), Err(TypeMismatch));
        assert_eq!(pattern(&mut cmi, ""), Err(TypeMismatch));
        assert_eq!(response(&mut cmi, "agree"), Ok(()));

        let mut cmi = with_interaction("numeric");
        for good in ["1.5[:]2.5", "[:]10", "-3[:]", "7", "2[:]2"] {
            assert_eq!(pattern(&mut cmi, good), Ok(()), "{good}");
        }
        for bad in ["3[:]1", "a[:]b", "1:2", "", "1[:]2[:]3"] {
            assert_eq!(pattern(&mut cmi, bad), Err(TypeMismatch), "{bad}");
        }
        assert_eq!(response(&mut cmi, "2.25"), Ok(()));
        assert_eq!(response(&mut cmi, "two"), Err(TypeMismatch));

        let mut cmi = with_interaction("other");
        assert_eq!(pattern(&mut cmi, "anything at all, {really}"), Ok(()));
        assert_eq!(pattern(&mut cmi, &"o".repeat(4001)), Err(TypeMismatch));
        assert_eq!(
            cmi.set("cmi.interactions.0.correct_responses.1.pattern", "x"),
            Err(GeneralSetFailure)
        );
        assert_eq!(response(&mut cmi, "free text"), Ok(()));
    }

    #[test]
    fn choice_patterns_are_sets_of_unique_identifiers() {
        let mut cmi = with_interaction("choice");
        assert_eq!(pattern(&mut cmi, "a[,]b[,]c"), Ok(()));
        assert_eq!(pattern(&mut cmi, ""), Ok(()));
        assert_eq!(pattern(&mut cmi, "a[,]a"), Err(TypeMismatch));
        assert_eq!(pattern(&mut cmi, "a[,]"), Err(TypeMismatch));
        assert_eq!(pattern(&mut cmi, "a b"), Err(TypeMismatch));
        pattern(&mut cmi, "a[,]b").unwrap();
        // The same set of choices twice is refused, in any order.
        assert_eq!(
            cmi.set("cmi.interactions.0.correct_responses.1.pattern", "b[,]a"),
            Err(GeneralSetFailure)
        );
        assert_eq!(
            cmi.set("cmi.interactions.0.correct_responses.1.pattern", "c"),
            Ok(())
        );
        assert_eq!(
            cmi.get("cmi.interactions.0.correct_responses._count")
                .unwrap(),
            "2"
        );
        assert_eq!(response(&mut cmi, "a[,]c"), Ok(()));
        assert_eq!(response(&mut cmi, "c[,]c"), Err(TypeMismatch));
    }

    #[test]
    fn fill_in_patterns_take_their_delimiters_and_languages() {
        let mut cmi = with_interaction("fill-in");
        for good in [
            "paris",
            "{case_matters=true}Paris",
            "{order_matters=false}{case_matters=true}red[,]blue",
            "{lang=fr}Paris[,]{lang=en}Paris",
            "",
        ] {
            assert_eq!(pattern(&mut cmi, good), Ok(()), "{good}");
        }
        for bad in [
            "{case_matters=yes}Paris",
            "{case_matters=true}{case_matters=false}Paris",
            "{lang=123456}Paris",
        ] {
            assert_eq!(pattern(&mut cmi, bad), Err(TypeMismatch), "{bad}");
        }
        assert_eq!(pattern(&mut cmi, &"w".repeat(251)), Err(TypeMismatch));
        assert_eq!(response(&mut cmi, "Paris[,]London"), Ok(()));

        let mut cmi = with_interaction("long-fill-in");
        assert_eq!(pattern(&mut cmi, "{case_matters=false}An essay"), Ok(()));
        assert_eq!(pattern(&mut cmi, &"w".repeat(4000)), Ok(()));
        assert_eq!(pattern(&mut cmi, &"w".repeat(4001)), Err(TypeMismatch));
        assert_eq!(
            pattern(&mut cmi, "{order_matters=true}An essay"),
            Ok(()),
            "not a delimiter here, so part of the text"
        );
        assert_eq!(response(&mut cmi, "{lang=de}Ein Aufsatz"), Ok(()));
    }

    #[test]
    fn matching_performance_and_sequencing_use_their_delimiters() {
        let mut cmi = with_interaction("matching");
        assert_eq!(pattern(&mut cmi, "a[.]1[,]b[.]2"), Ok(()));
        for bad in ["a[.]", "[.]1", "a", "a[.]1[.]2", "a[.]1[,]", "a.1"] {
            assert_eq!(pattern(&mut cmi, bad), Err(TypeMismatch), "{bad}");
        }
        assert_eq!(response(&mut cmi, "a[.]2"), Ok(()));
        assert_eq!(response(&mut cmi, "a-2"), Err(TypeMismatch));

        let mut cmi = with_interaction("performance");
        for good in [
            "step1[.]open[,]step2[.]close",
            "{order_matters=false}step1[.]5[:]10",
            "[.]answer",
            "step1[.]",
        ] {
            assert_eq!(pattern(&mut cmi, good), Ok(()), "{good}");
        }
        for bad in ["[.]", "step1", "{order_matters=maybe}s[.]a", "bad step[.]a"] {
            assert_eq!(pattern(&mut cmi, bad), Err(TypeMismatch), "{bad}");
        }
        assert_eq!(response(&mut cmi, "step1[.]open"), Ok(()));
        assert_eq!(
            response(&mut cmi, "{order_matters=true}step1[.]open"),
            Err(TypeMismatch)
        );

        let mut cmi = with_interaction("sequencing");
        assert_eq!(pattern(&mut cmi, "c[,]a[,]b"), Ok(()));
        assert_eq!(pattern(&mut cmi, "a[,]a"), Ok(()));
        assert_eq!(pattern(&mut cmi, ""), Err(TypeMismatch));
        assert_eq!(pattern(&mut cmi, "a[,][,]b"), Err(TypeMismatch));
        assert_eq!(response(&mut cmi, "a[,]b[,]c"), Ok(()));
    }

    #[test]
    fn navigation_requests_and_their_validity() {
        let mut cmi = fresh();
        for request in [
            "continue",
            "previous",
            "exit",
            "exitAll",
            "abandon",
            "abandonAll",
            "suspendAll",
            "_none_",
            "{target=sco-2}choice",
            "{target=intro.page}jump",
        ] {
            assert_eq!(cmi.set("adl.nav.request", request), Ok(()), "{request}");
            assert_eq!(cmi.get("adl.nav.request").unwrap(), request);
        }
        for bad in [
            "choice",
            "{target=}choice",
            "{target=a}start",
            "next",
            "start",
        ] {
            assert_eq!(cmi.set("adl.nav.request", bad), Err(TypeMismatch), "{bad}");
        }
        for asked in [
            "adl.nav.request_valid.continue",
            "adl.nav.request_valid.previous",
            "adl.nav.request_valid.choice.{target=sco-2}",
            "adl.nav.request_valid.jump.{target=intro.page}",
        ] {
            assert_eq!(cmi.get(asked).unwrap(), "unknown", "{asked}");
            assert_eq!(cmi.set(asked, "true"), Err(ReadOnly), "{asked}");
        }
        assert_eq!(
            cmi.get("adl.nav.request_valid.choice"),
            Err(UndefinedDataModelElement)
        );
        assert_eq!(
            cmi.get("adl.nav.request_valid.choice.sco-2"),
            Err(UndefinedDataModelElement)
        );
    }

    #[test]
    fn a_batch_is_set_with_its_dependencies_first() {
        let mut changes = BTreeMap::new();
        for n in 0..12 {
            changes.insert(
                format!("cmi.objectives.{n}.success_status"),
                "passed".into(),
            );
            changes.insert(format!("cmi.objectives.{n}.id"), format!("obj{n}"));
        }
        changes.insert(
            "cmi.interactions.0.correct_responses.0.pattern".into(),
            "true".into(),
        );
        changes.insert("cmi.interactions.0.objectives.0.id".into(), "obj1".into());
        changes.insert("cmi.interactions.0.type".into(), "true-false".into());
        changes.insert("cmi.interactions.0.id".into(), "q1".into());
        let mut cmi = fresh();
        assert_eq!(cmi.set_all(&changes), Ok(()));
        assert_eq!(cmi.get("cmi.objectives._count").unwrap(), "12");
        assert_eq!(
            cmi.get("cmi.objectives.11.success_status").unwrap(),
            "passed"
        );

        let mut refused = BTreeMap::new();
        refused.insert("cmi.location".to_string(), "ok".to_string());
        refused.insert("cmi.score.scaled".to_string(), "3".to_string());
        assert_eq!(
            fresh().set_all(&refused),
            Err(("cmi.score.scaled".to_string(), ValueOutOfRange))
        );
    }
}
