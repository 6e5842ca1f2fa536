//! The rules an LMS enforces on the statements an AU sends in a session (cmi5 §7.1, §9 and
//! §10.2.2): a statement that breaks one is rejected, which cmi5 §6.3 prefers to voiding it
//! later, and the reason names the rule and its section.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub const VERB_LAUNCHED: &str = "http://adlnet.gov/expapi/verbs/launched";
pub const VERB_INITIALIZED: &str = "http://adlnet.gov/expapi/verbs/initialized";
pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const VERB_PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
pub const VERB_FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
pub const VERB_ABANDONED: &str = "https://w3id.org/xapi/adl/verbs/abandoned";
pub const VERB_WAIVED: &str = "https://w3id.org/xapi/adl/verbs/waived";
pub const VERB_TERMINATED: &str = "http://adlnet.gov/expapi/verbs/terminated";
pub const VERB_SATISFIED: &str = "https://w3id.org/xapi/adl/verbs/satisfied";
/// xAPI's voiding verb, which an AU may not use (cmi5 §6.3).
pub const VERB_VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

pub const SESSION_EXTENSION: &str = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
pub const MASTERY_EXTENSION: &str = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
pub const LAUNCH_MODE_EXTENSION: &str = "https://w3id.org/xapi/cmi5/context/extensions/launchmode";
pub const LAUNCH_URL_EXTENSION: &str = "https://w3id.org/xapi/cmi5/context/extensions/launchurl";
pub const MOVEON_EXTENSION: &str = "https://w3id.org/xapi/cmi5/context/extensions/moveon";
pub const LAUNCH_PARAMETERS_EXTENSION: &str =
    "https://w3id.org/xapi/cmi5/context/extensions/launchparameters";
pub const PROGRESS_EXTENSION: &str = "https://w3id.org/xapi/cmi5/result/extensions/progress";
pub const REASON_EXTENSION: &str = "https://w3id.org/xapi/cmi5/result/extensions/reason";
pub const CMI5_CATEGORY: &str = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
pub const MOVEON_CATEGORY: &str = "https://w3id.org/xapi/cmi5/context/categories/moveon";
/// The `definition.type` of the LMS's block and course objects (cmi5 §9.4).
pub const BLOCK_ACTIVITY_TYPE: &str = "https://w3id.org/xapi/cmi5/activitytype/block";
pub const COURSE_ACTIVITY_TYPE: &str = "https://w3id.org/xapi/cmi5/activitytype/course";

/// Two masteryScores closer than this are the same: the AU copies the LMS's number, and JSON
/// round trips may differ in the last bits.
const SAME_SCORE: f64 = 1e-9;

/// What the LMS knows of the AU session a statement claims to belong to.
#[derive(Debug, Clone)]
pub struct Session<'a> {
    /// The agent the LMS launched with (an account: homePage and name).
    pub actor: &'a Value,
    pub registration: &'a str,
    pub session_id: &'a str,
    /// The AU's activity id as launched (the LMS's own id for it, not the AU's IRI).
    pub activity_id: &'a str,
    /// The AU's IRI from `cmi5.xml`, which the context template puts in
    /// `contextActivities.grouping` (cmi5 §9.6.2.3); see [`context_template`].
    pub publisher_id: &'a str,
    pub launch_mode: LaunchMode,
    pub mastery_score: Option<f64>,
    pub initialized: bool,
    pub terminated: bool,
    /// The LMS recorded "abandoned" for this session (cmi5 §9.3.6).
    pub abandoned: bool,
    /// "completed" is recorded in this registration for this AU, in any session.
    pub completed: bool,
    /// "passed" is recorded in this registration for this AU, in any session.
    pub passed: bool,
    /// "failed" is recorded in this registration for this AU, in any session. No rule needs
    /// it; [`Session::after`] keeps it for the caller to store with the AU's record.
    pub failed: bool,
    /// A "failed" was accepted in this very session: at most one of passed and failed per
    /// session, yet a learner may fail in one session and pass in a later one (cmi5 §9.3).
    pub failed_in_session: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LaunchMode {
    Normal,
    Browse,
    Review,
}

impl LaunchMode {
    /// The spec's spelling (cmi5 §10.2.2).
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchMode::Normal => "Normal",
            LaunchMode::Browse => "Browse",
            LaunchMode::Review => "Review",
        }
    }

    /// The mode the spec spells `s` (case-sensitive, as its value space).
    pub fn parse(s: &str) -> Option<LaunchMode> {
        [LaunchMode::Normal, LaunchMode::Browse, LaunchMode::Review]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// The cmi5-defined verb an accepted statement used, or Other for a "cmi5 allowed" statement
/// (cmi5 §7.1.3), which the satisfaction rules ignore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Initialized,
    Completed,
    Passed,
    Failed,
    Terminated,
    Other,
}

impl Session<'_> {
    /// The session's state once a statement of this kind has been accepted.
    pub fn after(&mut self, kind: Kind) {
        match kind {
            Kind::Initialized => self.initialized = true,
            Kind::Terminated => self.terminated = true,
            Kind::Completed => self.completed = true,
            Kind::Passed => self.passed = true,
            Kind::Failed => {
                self.failed = true;
                self.failed_in_session = true;
            }
            Kind::Other => {}
        }
    }
}

/// The `contextTemplate` for `LMS.LaunchData` (cmi5 §10.2.1): the session id and the AU's
/// publisher id, which [`check`] then requires in every statement of the session.
pub fn context_template(session_id: &str, publisher_id: &str) -> Value {
    json!({
        "contextActivities": {
            "grouping": [{ "id": publisher_id, "objectType": "Activity" }]
        },
        "extensions": { SESSION_EXTENSION: session_id }
    })
}

/// Checks one statement an AU sends under a session, as it arrived (before the LRS fills in
/// an id or anything else) and already valid xAPI. Err(reason) → the LRS answers 403.
///
/// Order is arrival order: the LMS rejects everything once "terminated" is accepted (cmi5
/// §9.3.8 leaves the grace period to the LMS; Lyceum's is none).
pub fn check(statement: &Value, session: &Session) -> Result<Kind, String> {
    if session.abandoned {
        return Err(rule(
            "9.3.6",
            "the LMS abandoned this session, so it records no more statements for it",
        ));
    }
    if session.terminated {
        return Err(rule(
            "9.3.8",
            "the session is terminated, so the LMS records no more statements for it",
        ));
    }
    if !statement.get("id").is_some_and(Value::is_string) {
        return Err(rule(
            "9.1",
            "the statement has no id; the AU must give every statement one",
        ));
    }
    match statement.get("timestamp").and_then(Value::as_str) {
        None => return Err(rule("9.7", "the statement has no timestamp")),
        Some(t) if !is_utc(t) => {
            return Err(rule("9.7", format!("the timestamp {t} is not in UTC")));
        }
        Some(_) => {}
    }
    actor(statement, session)?;
    let verb = statement
        .pointer("/verb/id")
        .and_then(Value::as_str)
        .ok_or_else(|| rule("9.3", "the statement has no verb id"))?;
    if verb == VERB_VOIDED {
        return Err(rule("6.3", "an AU may not void statements"));
    }
    if let Some(section) = lms_only(verb) {
        return Err(rule(
            section,
            format!("only the LMS writes “{verb}” statements"),
        ));
    }
    let context = context(statement, session)?;
    if !session.initialized && verb != VERB_INITIALIZED {
        return Err(rule(
            "9.3",
            format!(
                "“{verb}” before “initialized”: initialized must be the first statement of a session"
            ),
        ));
    }
    let categories = activity_ids(context.pointer("/contextActivities/category"));
    let kind = kind(statement, verb, &categories, session)?;
    // The verb's own rules first: they say more precisely what is wrong than the category does.
    defined(statement, kind, session)?;
    move_on_category(statement, kind, &categories)?;
    progress(statement)?;
    Ok(kind)
}

/// Checks the statements of one request in order, each against the state the ones before it
/// leave; the request is all or nothing, so the first refusal refuses it, naming the statement.
pub fn check_all(statements: &[Value], session: &Session) -> Result<Vec<Kind>, String> {
    let mut state = session.clone();
    let mut kinds = Vec::with_capacity(statements.len());
    for (i, statement) in statements.iter().enumerate() {
        let kind = check(statement, &state).map_err(|e| format!("statement {}: {e}", i + 1))?;
        state.after(kind);
        kinds.push(kind);
    }
    Ok(kinds)
}

fn rule(section: &str, problem: impl std::fmt::Display) -> String {
    format!("{problem} (cmi5 §{section})")
}

/// The section giving a verb to the LMS alone: an AU sending it would forge what the LMS
/// decides (launch, abandonment, waiver, satisfaction).
fn lms_only(verb: &str) -> Option<&'static str> {
    match verb {
        VERB_LAUNCHED => Some("9.3.1"),
        VERB_ABANDONED => Some("9.3.6"),
        VERB_WAIVED => Some("9.3.7"),
        VERB_SATISFIED => Some("9.3.9"),
        _ => None,
    }
}

/// A timestamp whose zone is Z or a zero offset (cmi5 §9.7); one without a zone is local time.
fn is_utc(timestamp: &str) -> bool {
    let Some((_, time)) = timestamp.split_once(['T', 't']) else {
        return false;
    };
    if time.ends_with(['Z', 'z']) {
        return true;
    }
    let offset = time.rfind(['+', '-']).and_then(|at| time.get(at + 1..));
    offset.is_some_and(|o| o.contains('0') && o.chars().all(|c| c == '0' || c == ':'))
}

/// The actor must be the launched learner, an Agent with an account (cmi5 §9.2, §8.1.3): the
/// session's credentials are the learner's, for statements about the learner only.
fn actor(statement: &Value, session: &Session) -> Result<(), String> {
    let actor = statement
        .get("actor")
        .ok_or_else(|| rule("9.2", "the statement has no actor"))?;
    if let Some(kind) = actor.get("objectType").filter(|t| *t != "Agent") {
        return Err(rule(
            "9.2",
            format!("the actor is a {kind}; it must be an Agent"),
        ));
    }
    let account = |agent: &Value| {
        agent
            .get("account")
            .map(|a| (a.get("homePage").cloned(), a.get("name").cloned()))
    };
    let Some(launched) = account(session.actor) else {
        return Err(rule("9.2", "the session's launch actor has no account"));
    };
    match account(actor) {
        None => Err(rule(
            "9.2",
            "the actor must be identified by the account the LMS launched with",
        )),
        Some(given) if given != launched => Err(rule(
            "8.1.3",
            "the actor is not the learner this session was launched for",
        )),
        Some(_) => Ok(()),
    }
}

/// The statement's context, which must carry the registration, the session id and the
/// context template's publisher id activity (cmi5 §9.6, §10.2.1).
fn context<'s>(statement: &'s Value, session: &Session) -> Result<&'s Value, String> {
    let context = statement
        .get("context")
        .filter(|c| c.is_object())
        .ok_or_else(|| {
            rule(
                "9.6",
                "the statement has no context; the AU builds it from LMS.LaunchData's contextTemplate",
            )
        })?;
    match context.get("registration").and_then(Value::as_str) {
        None => return Err(rule("9.6.1", "the context has no registration")),
        // UUIDs compare regardless of case.
        Some(r) if !r.eq_ignore_ascii_case(session.registration) => {
            return Err(rule(
                "9.6.1",
                format!("the registration {r} is not this session's"),
            ));
        }
        Some(_) => {}
    }
    match context
        .pointer("/extensions")
        .and_then(|e| e.get(SESSION_EXTENSION))
    {
        None => return Err(rule("9.6.3.1", "the context has no session id extension")),
        Some(id) if id.as_str() != Some(session.session_id) => {
            return Err(rule(
                "9.6.3.1",
                format!("the session id {id} is not this session's"),
            ));
        }
        Some(_) => {}
    }
    let grouping = activity_ids(context.pointer("/contextActivities/grouping"));
    if !grouping.contains(&session.publisher_id) {
        return Err(rule(
            "9.6.2.3, §10.2.1",
            format!(
                "contextActivities.grouping lacks the AU's publisher id {} from the contextTemplate",
                session.publisher_id
            ),
        ));
    }
    Ok(context)
}

/// The ids of a contextActivities list (xAPI also allows a single activity instead of a list).
fn activity_ids(list: Option<&Value>) -> Vec<&str> {
    match list {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|a| a.get("id").and_then(Value::as_str))
            .collect(),
        Some(one) => one.get("id").and_then(Value::as_str).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Whether the statement is cmi5-defined (cmi5 §7.1.3: a cmi5 verb and the cmi5 category).
/// A cmi5 verb about the AU itself without the category is refused rather than taken as
/// "allowed": it would report completion or success while dodging the rules below. About
/// another object (a page, a quiz inside the AU) it is an ordinary allowed statement.
fn kind(
    statement: &Value,
    verb: &str,
    categories: &[&str],
    session: &Session,
) -> Result<Kind, String> {
    let kind = match verb {
        VERB_INITIALIZED => Some(Kind::Initialized),
        VERB_COMPLETED => Some(Kind::Completed),
        VERB_PASSED => Some(Kind::Passed),
        VERB_FAILED => Some(Kind::Failed),
        VERB_TERMINATED => Some(Kind::Terminated),
        _ => None,
    };
    let about_au =
        statement.pointer("/object/id").and_then(Value::as_str) == Some(session.activity_id);
    match (categories.contains(&CMI5_CATEGORY), kind) {
        (true, Some(kind)) => Ok(kind),
        (true, None) => Err(rule(
            "7.1.3, §9.3",
            format!("the cmi5 category activity is only for cmi5's own verbs, not “{verb}”"),
        )),
        (false, Some(_)) if about_au => Err(rule(
            "9.6.2.1",
            format!(
                "a “{verb}” statement about the AU needs the cmi5 category activity {CMI5_CATEGORY}"
            ),
        )),
        (false, _) => Ok(Kind::Other),
    }
}

/// The moveOn category marks exactly the cmi5-defined statements whose result carries success
/// or completion (cmi5 §9.6.2.2).
fn move_on_category(statement: &Value, kind: Kind, categories: &[&str]) -> Result<(), String> {
    let result = statement.get("result");
    let judged = ["success", "completion"]
        .iter()
        .any(|k| result.and_then(|r| r.get(k)).is_some());
    let marked = categories.contains(&MOVEON_CATEGORY);
    if kind != Kind::Other && judged && !marked {
        return Err(rule(
            "9.6.2.2",
            format!(
                "a statement whose result has success or completion needs the moveOn category activity {MOVEON_CATEGORY}"
            ),
        ));
    }
    if marked && (kind == Kind::Other || !judged) {
        return Err(rule(
            "9.6.2.2",
            "only a cmi5 statement whose result has success or completion may carry the moveOn category activity",
        ));
    }
    Ok(())
}

/// The progress extension is an integer percentage (cmi5 §9.5.5.1).
fn progress(statement: &Value) -> Result<(), String> {
    match statement
        .pointer("/result/extensions")
        .and_then(|e| e.get(PROGRESS_EXTENSION))
    {
        Some(p) if p.as_u64().is_none_or(|p| p > 100) => Err(rule(
            "9.5.5.1",
            format!("the progress extension is {p}; it must be an integer from 0 to 100"),
        )),
        _ => Ok(()),
    }
}

/// The rules for a cmi5-defined statement.
fn defined(statement: &Value, kind: Kind, session: &Session) -> Result<(), String> {
    let verb = match kind {
        Kind::Initialized => "initialized",
        Kind::Completed => "completed",
        Kind::Passed => "passed",
        Kind::Failed => "failed",
        Kind::Terminated => "terminated",
        Kind::Other => return Ok(()),
    };
    object(statement, session)?;
    let judged = matches!(kind, Kind::Completed | Kind::Passed | Kind::Failed);
    if judged && session.launch_mode != LaunchMode::Normal {
        return Err(rule(
            "10.2.2",
            format!(
                "“{verb}” in {} mode: only a Normal launch records completion or success",
                session.launch_mode.as_str()
            ),
        ));
    }
    order(kind, verb, session)?;
    result(statement, kind, verb)?;
    mastery(statement, kind, verb, session)
}

/// A cmi5-defined statement is about the AU as launched (cmi5 §9.4, §8.1.5).
fn object(statement: &Value, session: &Session) -> Result<(), String> {
    let object = statement.get("object");
    if let Some(kind) = object
        .and_then(|o| o.get("objectType"))
        .filter(|t| *t != "Activity")
    {
        return Err(rule(
            "9.4",
            format!("the object is a {kind}; it must be the AU's activity"),
        ));
    }
    match object.and_then(|o| o.get("id")).and_then(Value::as_str) {
        Some(id) if id == session.activity_id => Ok(()),
        Some(id) => Err(rule(
            "9.4",
            format!(
                "the object {id} is not the AU's activity id {} from the launch URL",
                session.activity_id
            ),
        )),
        None => Err(rule("9.4", "the statement has no object id")),
    }
}

/// The ordering rules within a session and a registration (cmi5 §9.3, §9.3.2–9.3.5).
fn order(kind: Kind, verb: &str, session: &Session) -> Result<(), String> {
    let problem = match kind {
        Kind::Initialized if session.initialized => {
            Some(("9.3.2", "“initialized” again: it comes once per session"))
        }
        Kind::Completed if session.completed => Some((
            "9.3.3",
            "“completed” again: the AU is already completed in this registration",
        )),
        Kind::Passed if session.passed => Some((
            "9.3.4",
            "“passed” again: the AU is already passed in this registration",
        )),
        Kind::Passed if session.failed_in_session => Some((
            "9.3",
            "“passed” after “failed” in the same session: a session has at most one of them",
        )),
        Kind::Failed if session.passed => Some((
            "9.3",
            "“failed” after “passed”: failed may not follow passed in a registration",
        )),
        Kind::Failed if session.failed_in_session => {
            Some(("9.3", "“failed” again in the same session"))
        }
        _ => None,
    };
    match problem {
        Some((section, why)) => Err(rule(section, format!("{why} (verb {verb})"))),
        None => Ok(()),
    }
}

/// What each cmi5-defined verb's result must and must not hold (cmi5 §9.5.1–9.5.4).
fn result(statement: &Value, kind: Kind, verb: &str) -> Result<(), String> {
    let field = |name: &str| statement.get("result").and_then(|r| r.get(name));
    let scored = matches!(kind, Kind::Passed | Kind::Failed);
    if let Some(score) = field("score") {
        if !scored {
            return Err(rule(
                "9.5.1",
                format!("a “{verb}” statement may not carry a score (only passed and failed may)"),
            ));
        }
        if score.get("raw").is_some() && (score.get("min").is_none() || score.get("max").is_none())
        {
            return Err(rule("9.5.1", "a raw score needs min and max"));
        }
        if let Some(scaled) = score.get("scaled")
            && !scaled.as_f64().is_some_and(|s| (0.0..=1.0).contains(&s))
        {
            return Err(rule(
                "9.5.1",
                format!("the scaled score {scaled} is not between 0 and 1"),
            ));
        }
    }
    let success = field("success");
    match (kind, success) {
        (Kind::Passed, Some(Value::Bool(true))) | (Kind::Failed, Some(Value::Bool(false))) => {}
        (Kind::Passed, _) => return Err(rule("9.5.2", "“passed” needs result.success true")),
        (Kind::Failed, _) => return Err(rule("9.5.2", "“failed” needs result.success false")),
        (_, Some(_)) => {
            return Err(rule(
                "9.5.2",
                format!("a “{verb}” statement may not carry result.success"),
            ));
        }
        (_, None) => {}
    }
    match (kind, field("completion")) {
        (Kind::Completed, Some(Value::Bool(true))) => {}
        (Kind::Completed, _) => {
            return Err(rule("9.5.3", "“completed” needs result.completion true"));
        }
        (_, Some(_)) => {
            return Err(rule(
                "9.5.3",
                format!("a “{verb}” statement may not carry result.completion"),
            ));
        }
        (_, None) => {}
    }
    let timed = matches!(
        kind,
        Kind::Completed | Kind::Passed | Kind::Failed | Kind::Terminated
    );
    if timed && !field("duration").is_some_and(Value::is_string) {
        return Err(rule(
            "9.5.4.1",
            format!("a “{verb}” statement needs result.duration"),
        ));
    }
    Ok(())
}

/// Passed and failed agree with the masteryScore the LMS gave, and say which one they used
/// (cmi5 §9.3.4, §9.3.5, §9.6.3.2).
fn mastery(statement: &Value, kind: Kind, verb: &str, session: &Session) -> Result<(), String> {
    if !matches!(kind, Kind::Passed | Kind::Failed) {
        return Ok(());
    }
    let scaled = statement
        .pointer("/result/score/scaled")
        .and_then(Value::as_f64);
    let stated = statement
        .pointer("/context/extensions")
        .and_then(|e| e.get(MASTERY_EXTENSION));
    let Some(mastery) = session.mastery_score else {
        return match stated {
            Some(v) => Err(rule(
                "9.6.3.2",
                format!("the masteryScore extension is {v}, but the LMS gave this AU none"),
            )),
            None => Ok(()),
        };
    };
    if let Some(s) = scaled {
        if kind == Kind::Passed && s < mastery {
            return Err(rule(
                "9.3.4",
                format!("“passed” with the scaled score {s}, below the masteryScore {mastery}"),
            ));
        }
        if kind == Kind::Failed && s >= mastery {
            return Err(rule(
                "9.3.5",
                format!(
                    "“failed” with the scaled score {s}, at or above the masteryScore {mastery}"
                ),
            ));
        }
    }
    match stated {
        None if scaled.is_some() => Err(rule(
            "9.6.3.2",
            format!("a scored “{verb}” needs the masteryScore extension ({mastery})"),
        )),
        Some(v) if !v.as_f64().is_some_and(|v| (v - mastery).abs() < SAME_SCORE) => Err(rule(
            "9.6.3.2",
            format!("the masteryScore extension is {v}, not the LMS's {mastery}"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGISTRATION: &str = "760e3480-ba55-4991-94b0-01820dbd23a2";
    const SESSION: &str = "2f6b1c4e-8d1a-4c55-9a53-0b0b7e3f7c11";
    const ACTIVITY: &str = "https://lyceum.example/cmi5/au/17";
    const PUBLISHER: &str = "https://w3id.org/xapi/cmi5/catapult/lts/au/005-1-invalid-au";

    fn learner() -> Value {
        json!({
            "objectType": "Agent",
            "account": { "homePage": "https://lyceum.example", "name": "42" }
        })
    }

    /// An initialized Normal session with a masteryScore of 0.9, as CATAPULT's 005-1 test AU.
    fn session(actor: &Value) -> Session<'_> {
        Session {
            actor,
            registration: REGISTRATION,
            session_id: SESSION,
            activity_id: ACTIVITY,
            publisher_id: PUBLISHER,
            launch_mode: LaunchMode::Normal,
            mastery_score: Some(0.9),
            initialized: true,
            terminated: false,
            abandoned: false,
            completed: false,
            passed: false,
            failed: false,
            failed_in_session: false,
        }
    }

    /// A statement as a conformant AU sends it for `verb` (cmi5-defined for cmi5's verbs,
    /// allowed otherwise), its context built from the context template.
    fn statement(verb: &str) -> Value {
        let mut context = context_template(SESSION, PUBLISHER);
        context["registration"] = json!(REGISTRATION);
        let mut st = json!({
            "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
            "timestamp": "2024-05-01T10:00:00.000Z",
            "actor": learner(),
            "verb": { "id": verb },
            "object": { "id": ACTIVITY, "objectType": "Activity" },
            "context": context,
        });
        let category =
            |ids: &[&str]| json!(ids.iter().map(|id| json!({ "id": id })).collect::<Vec<_>>());
        let judged = category(&[CMI5_CATEGORY, MOVEON_CATEGORY]);
        match verb {
            VERB_INITIALIZED => {
                st["context"]["contextActivities"]["category"] = category(&[CMI5_CATEGORY])
            }
            VERB_TERMINATED => {
                st["context"]["contextActivities"]["category"] = category(&[CMI5_CATEGORY]);
                st["result"] = json!({ "duration": "PT10M" });
            }
            VERB_COMPLETED => {
                st["context"]["contextActivities"]["category"] = judged;
                st["result"] = json!({ "completion": true, "duration": "PT9M" });
            }
            VERB_PASSED | VERB_FAILED => {
                st["context"]["contextActivities"]["category"] = judged;
                st["context"]["extensions"][MASTERY_EXTENSION] = json!(0.9);
                let scaled = if verb == VERB_PASSED { 0.9 } else { 0.89 };
                st["result"] = json!({
                    "success": verb == VERB_PASSED,
                    "duration": "PT8M",
                    "score": { "scaled": scaled, "raw": scaled * 100.0, "min": 0, "max": 100 }
                });
            }
            _ => {}
        }
        st
    }

    const EXPERIENCED: &str = "http://adlnet.gov/expapi/verbs/experienced";

    /// The refusal, which must cite the section.
    fn refusal(st: &Value, s: &Session, section: &str) -> String {
        let e = check(st, s).unwrap_err();
        assert!(
            e.contains(&format!("(cmi5 §{section}")),
            "expected §{section}: {e}"
        );
        e
    }

    #[test]
    fn accepts_a_conformant_session() {
        let actor = learner();
        let mut s = session(&actor);
        s.initialized = false;
        let sent = [
            (VERB_INITIALIZED, Kind::Initialized),
            (EXPERIENCED, Kind::Other),
            (VERB_FAILED, Kind::Failed),
            (EXPERIENCED, Kind::Other),
            (VERB_COMPLETED, Kind::Completed),
            (VERB_TERMINATED, Kind::Terminated),
        ];
        for (verb, kind) in sent {
            assert_eq!(check(&statement(verb), &s), Ok(kind), "{verb}");
            s.after(kind);
        }
        assert!(s.initialized && s.terminated && s.completed && s.failed && s.failed_in_session);
        assert!(!s.passed);
        // The next session of the registration: failed then, passed now.
        let mut next = session(&actor);
        next.completed = true;
        next.failed = true;
        for verb in [VERB_PASSED, VERB_TERMINATED] {
            let kind = check(&statement(verb), &next).unwrap();
            next.after(kind);
        }
        assert!(next.passed);
    }

    #[test]
    fn initialized_comes_first_and_once() {
        let actor = learner();
        let mut s = session(&actor);
        s.initialized = false;
        for verb in [EXPERIENCED, VERB_COMPLETED, VERB_TERMINATED] {
            let e = refusal(&statement(verb), &s, "9.3");
            assert!(e.contains("before “initialized”"), "{e}");
        }
        let e = refusal(&statement(VERB_INITIALIZED), &session(&actor), "9.3.2");
        assert!(e.contains("“initialized” again"), "{e}");
    }

    #[test]
    fn nothing_after_terminated_or_abandoned() {
        let actor = learner();
        let mut s = session(&actor);
        s.terminated = true;
        for verb in [
            EXPERIENCED,
            VERB_COMPLETED,
            VERB_TERMINATED,
            VERB_INITIALIZED,
        ] {
            let e = refusal(&statement(verb), &s, "9.3.8");
            assert!(e.contains("the session is terminated"), "{e}");
        }
        let mut s = session(&actor);
        s.abandoned = true;
        refusal(&statement(EXPERIENCED), &s, "9.3.6");
    }

    #[test]
    fn completed_and_passed_once_per_registration() {
        let actor = learner();
        let mut s = session(&actor);
        s.after(check(&statement(VERB_COMPLETED), &s).unwrap());
        let e = refusal(&statement(VERB_COMPLETED), &s, "9.3.3");
        assert!(e.contains("already completed in this registration"), "{e}");
        s.after(check(&statement(VERB_PASSED), &s).unwrap());
        let e = refusal(&statement(VERB_PASSED), &s, "9.3.4");
        assert!(e.contains("already passed"), "{e}");
        // As CATAPULT 007-1/007-2: the same in a later session of the registration.
        let mut later = session(&actor);
        later.completed = true;
        later.passed = true;
        refusal(&statement(VERB_COMPLETED), &later, "9.3.3");
        refusal(&statement(VERB_PASSED), &later, "9.3.4");
        let e = refusal(&statement(VERB_FAILED), &later, "9.3");
        assert!(e.contains("“failed” after “passed”"), "{e}");
    }

    #[test]
    fn one_of_passed_and_failed_per_session() {
        // As CATAPULT 005-2: failed, then failed again, then passed, in one session.
        let actor = learner();
        let mut s = session(&actor);
        s.after(check(&statement(VERB_FAILED), &s).unwrap());
        let e = refusal(&statement(VERB_FAILED), &s, "9.3");
        assert!(e.contains("“failed” again in the same session"), "{e}");
        let e = refusal(&statement(VERB_PASSED), &s, "9.3");
        assert!(
            e.contains("“passed” after “failed” in the same session"),
            "{e}"
        );
        // Failing again in a later session is allowed.
        let mut later = session(&actor);
        later.failed = true;
        assert_eq!(check(&statement(VERB_FAILED), &later), Ok(Kind::Failed));
    }

    #[test]
    fn passed_and_failed_agree_with_the_mastery_score() {
        let actor = learner();
        let s = session(&actor);
        let with_score = |verb: &str, scaled: f64| {
            let mut st = statement(verb);
            st["result"]["score"] = json!({ "scaled": scaled });
            st
        };
        let e = refusal(&with_score(VERB_PASSED, 0.89), &s, "9.3.4");
        assert!(e.contains("below the masteryScore 0.9"), "{e}");
        assert_eq!(check(&with_score(VERB_PASSED, 0.9), &s), Ok(Kind::Passed));
        let e = refusal(&with_score(VERB_FAILED, 0.9), &s, "9.3.5");
        assert!(e.contains("at or above the masteryScore"), "{e}");
        refusal(&with_score(VERB_FAILED, 0.91), &s, "9.3.5");
        // The masteryScore extension: required with a score, and the LMS's value.
        let mut st = statement(VERB_PASSED);
        st["context"]["extensions"]
            .as_object_mut()
            .unwrap()
            .remove(MASTERY_EXTENSION);
        refusal(&st, &s, "9.6.3.2");
        st["context"]["extensions"][MASTERY_EXTENSION] = json!(0.8);
        let e = refusal(&st, &s, "9.6.3.2");
        assert!(e.contains("not the LMS's 0.9"), "{e}");
        // Without a score, passed needs no extension.
        let mut st = statement(VERB_PASSED);
        st["result"].as_object_mut().unwrap().remove("score");
        st["context"]["extensions"]
            .as_object_mut()
            .unwrap()
            .remove(MASTERY_EXTENSION);
        assert_eq!(check(&st, &s), Ok(Kind::Passed));
        // No masteryScore given: any score passes, but the extension would be invented.
        let mut none = session(&actor);
        none.mastery_score = None;
        let mut st = with_score(VERB_PASSED, 0.1);
        st["context"]["extensions"]
            .as_object_mut()
            .unwrap()
            .remove(MASTERY_EXTENSION);
        assert_eq!(check(&st, &none), Ok(Kind::Passed));
        refusal(&with_score(VERB_PASSED, 0.1), &none, "9.6.3.2");
    }

    #[test]
    fn browse_and_review_record_no_results() {
        // As CATAPULT 006.
        let actor = learner();
        for mode in [LaunchMode::Browse, LaunchMode::Review] {
            let mut s = session(&actor);
            s.launch_mode = mode;
            for verb in [VERB_COMPLETED, VERB_PASSED, VERB_FAILED] {
                let e = refusal(&statement(verb), &s, "10.2.2");
                assert!(e.contains(&format!("in {} mode", mode.as_str())), "{e}");
            }
            assert_eq!(check(&statement(EXPERIENCED), &s), Ok(Kind::Other));
            assert_eq!(check(&statement(VERB_TERMINATED), &s), Ok(Kind::Terminated));
        }
        assert_eq!(LaunchMode::parse("Review"), Some(LaunchMode::Review));
        assert_eq!(LaunchMode::parse("review"), None);
    }

    #[test]
    fn statements_belong_to_the_session() {
        let actor = learner();
        let s = session(&actor);
        let mut st = statement(VERB_COMPLETED);
        st["actor"]["account"]["name"] = json!("43");
        let e = refusal(&st, &s, "8.1.3");
        assert!(e.contains("not the learner"), "{e}");
        let mut st = statement(EXPERIENCED);
        st["actor"] = json!({ "objectType": "Agent", "mbox": "mailto:catapult@example.com" });
        refusal(&st, &s, "9.2");
        let mut st = statement(VERB_PASSED);
        st["actor"]["objectType"] = json!("Group");
        let e = refusal(&st, &s, "9.2");
        assert!(e.contains("must be an Agent"), "{e}");

        let mut st = statement(VERB_PASSED);
        st["context"]["registration"] = json!("ccaf384c-f8d4-4e7a-8304-49af58f0b176");
        refusal(&st, &s, "9.6.1");
        st["context"]["registration"] = json!(REGISTRATION.to_uppercase());
        assert_eq!(check(&st, &s), Ok(Kind::Passed), "UUIDs ignore case");
        st["context"]
            .as_object_mut()
            .unwrap()
            .remove("registration");
        refusal(&st, &s, "9.6.1");
        let mut st = statement(EXPERIENCED);
        st.as_object_mut().unwrap().remove("context");
        refusal(&st, &s, "9.6");

        let mut st = statement(EXPERIENCED);
        st["context"]["extensions"][SESSION_EXTENSION] = json!("another-session");
        let e = refusal(&st, &s, "9.6.3.1");
        assert!(e.contains("not this session's"), "{e}");
        st["context"]["extensions"]
            .as_object_mut()
            .unwrap()
            .remove(SESSION_EXTENSION);
        refusal(&st, &s, "9.6.3.1");

        let mut st = statement(EXPERIENCED);
        st["context"]["contextActivities"]["grouping"] =
            json!([{ "id": "https://example.com/other" }]);
        let e = refusal(&st, &s, "9.6.2.3");
        assert!(e.contains(PUBLISHER), "{e}");
        // A single activity instead of a list is xAPI too.
        st["context"]["contextActivities"]["grouping"] = json!({ "id": PUBLISHER });
        assert_eq!(check(&st, &s), Ok(Kind::Other));

        let mut st = statement(VERB_PASSED);
        st["object"]["id"] = json!("http://example.com/not/the/lms/id");
        let e = refusal(&st, &s, "9.4");
        assert!(e.contains("not the AU's activity id"), "{e}");
        let mut st = statement(VERB_COMPLETED);
        st["object"]["id"] = json!(PUBLISHER);
        refusal(&st, &s, "9.4");
    }

    #[test]
    fn the_cmi5_category_marks_cmi5_statements() {
        let actor = learner();
        let s = session(&actor);
        for verb in [VERB_COMPLETED, VERB_PASSED, VERB_FAILED, VERB_TERMINATED] {
            let mut st = statement(verb);
            st["context"]["contextActivities"]["category"] = json!([{ "id": MOVEON_CATEGORY }]);
            let e = refusal(&st, &s, "9.6.2.1");
            assert!(
                e.contains("needs the cmi5 category activity"),
                "{verb}: {e}"
            );
        }
        // About another object (a quiz inside the AU), a cmi5 verb is an allowed statement.
        let mut st = statement(VERB_COMPLETED);
        st["object"]["id"] = json!("https://example.com/au/quiz-1");
        st["context"]["contextActivities"]
            .as_object_mut()
            .unwrap()
            .remove("category");
        assert_eq!(check(&st, &s), Ok(Kind::Other));
        // The category on a verb cmi5 does not define.
        let mut st = statement(EXPERIENCED);
        st["context"]["contextActivities"]["category"] = json!([{ "id": CMI5_CATEGORY }]);
        refusal(&st, &s, "7.1.3");
    }

    #[test]
    fn the_moveon_category_marks_results() {
        let actor = learner();
        let s = session(&actor);
        let without_moveon = |verb: &str| {
            let mut st = statement(verb);
            st["context"]["contextActivities"]["category"] = json!([{ "id": CMI5_CATEGORY }]);
            st
        };
        for verb in [VERB_COMPLETED, VERB_PASSED, VERB_FAILED] {
            let e = refusal(&without_moveon(verb), &s, "9.6.2.2");
            assert!(e.contains("needs the moveOn category"), "{e}");
        }
        let mut st = statement(EXPERIENCED);
        st["context"]["contextActivities"]["category"] = json!([{ "id": MOVEON_CATEGORY }]);
        refusal(&st, &s, "9.6.2.2");
        let mut st = statement(VERB_TERMINATED);
        st["context"]["contextActivities"]["category"] =
            json!([{ "id": CMI5_CATEGORY }, { "id": MOVEON_CATEGORY }]);
        let e = refusal(&st, &s, "9.6.2.2");
        assert!(
            e.contains("only a cmi5 statement whose result has success or completion"),
            "{e}"
        );
    }

    #[test]
    fn results_hold_what_each_verb_needs() {
        // As CATAPULT 005-1's list.
        let actor = learner();
        let s = session(&actor);
        let altered = |verb: &str, change: &dyn Fn(&mut Value)| {
            let mut st = statement(verb);
            change(&mut st);
            st
        };
        type Change = dyn Fn(&mut Value);
        let cases: [(&str, &Change, &str); 15] = [
            (
                VERB_PASSED,
                &|st| st["result"]["completion"] = json!(true),
                "9.5.3",
            ),
            (
                VERB_COMPLETED,
                &|st| st["result"]["success"] = json!(true),
                "9.5.2",
            ),
            (
                VERB_COMPLETED,
                &|st| {
                    st["result"].as_object_mut().unwrap().remove("completion");
                },
                "9.5.3",
            ),
            (
                VERB_COMPLETED,
                &|st| st["result"]["completion"] = json!(false),
                "9.5.3",
            ),
            (
                VERB_COMPLETED,
                &|st| st["result"]["score"] = json!({ "scaled": 0.5 }),
                "9.5.1",
            ),
            (
                VERB_TERMINATED,
                &|st| {
                    st.as_object_mut().unwrap().remove("result");
                },
                "9.5.4.1",
            ),
            (
                VERB_COMPLETED,
                &|st| {
                    st["result"].as_object_mut().unwrap().remove("duration");
                },
                "9.5.4.1",
            ),
            (
                VERB_PASSED,
                &|st| {
                    st["result"].as_object_mut().unwrap().remove("duration");
                },
                "9.5.4.1",
            ),
            (
                VERB_FAILED,
                &|st| {
                    st["result"].as_object_mut().unwrap().remove("duration");
                },
                "9.5.4.1",
            ),
            (
                VERB_PASSED,
                &|st| {
                    st["result"].as_object_mut().unwrap().remove("success");
                },
                "9.5.2",
            ),
            (
                VERB_PASSED,
                &|st| st["result"]["success"] = json!(false),
                "9.5.2",
            ),
            (
                VERB_FAILED,
                &|st| st["result"]["success"] = json!(true),
                "9.5.2",
            ),
            (
                VERB_PASSED,
                &|st| {
                    st["result"]["score"].as_object_mut().unwrap().remove("min");
                },
                "9.5.1",
            ),
            (
                VERB_PASSED,
                &|st| {
                    st["result"]["score"].as_object_mut().unwrap().remove("max");
                },
                "9.5.1",
            ),
            (
                VERB_PASSED,
                &|st| st["result"]["score"]["scaled"] = json!(-0.5),
                "9.5.1",
            ),
        ];
        for (verb, change, section) in cases {
            refusal(&altered(verb, change), &s, section);
        }
        let mut st = statement(VERB_INITIALIZED);
        st["result"] = json!({ "success": true });
        let mut fresh = session(&actor);
        fresh.initialized = false;
        refusal(&st, &fresh, "9.5.2");
    }

    #[test]
    fn envelope_rules() {
        let actor = learner();
        let s = session(&actor);
        let mut st = statement(EXPERIENCED);
        st.as_object_mut().unwrap().remove("id");
        refusal(&st, &s, "9.1");
        let mut st = statement(EXPERIENCED);
        st.as_object_mut().unwrap().remove("timestamp");
        refusal(&st, &s, "9.7");
        for ts in [
            "2024-05-01T10:00:00.000-06:00",
            "2024-05-01T10:00:00",
            "2024-05-01",
        ] {
            let mut st = statement(EXPERIENCED);
            st["timestamp"] = json!(ts);
            let e = refusal(&st, &s, "9.7");
            assert!(e.contains("is not in UTC"), "{ts}: {e}");
        }
        for ts in [
            "2024-05-01T10:00:00+00:00",
            "2024-05-01T10:00:00.5+0000",
            "2024-05-01t10:00:00z",
        ] {
            let mut st = statement(EXPERIENCED);
            st["timestamp"] = json!(ts);
            assert_eq!(check(&st, &s), Ok(Kind::Other), "{ts}");
        }
        // As CATAPULT's 6.3.0.0-1: no voiding.
        let mut st = statement(VERB_VOIDED);
        st["object"] =
            json!({ "objectType": "StatementRef", "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0" });
        refusal(&st, &s, "6.3");
        for (verb, section) in [
            (VERB_WAIVED, "9.3.7"),
            (VERB_SATISFIED, "9.3.9"),
            (VERB_LAUNCHED, "9.3.1"),
            (VERB_ABANDONED, "9.3.6"),
        ] {
            let e = refusal(&statement(verb), &s, section);
            assert!(e.contains("only the LMS writes"), "{e}");
        }
        let mut st = statement(EXPERIENCED);
        st["result"] = json!({ "extensions": { PROGRESS_EXTENSION: 50 } });
        assert_eq!(check(&st, &s), Ok(Kind::Other));
        for bad in [json!(101), json!(-1), json!(12.5), json!("50")] {
            st["result"]["extensions"][PROGRESS_EXTENSION] = bad;
            refusal(&st, &s, "9.5.5.1");
        }
    }

    #[test]
    fn checks_a_batch_in_order() {
        let actor = learner();
        let mut s = session(&actor);
        s.initialized = false;
        let batch = [
            statement(VERB_INITIALIZED),
            statement(VERB_COMPLETED),
            statement(VERB_TERMINATED),
        ];
        assert_eq!(
            check_all(&batch, &s),
            Ok(vec![Kind::Initialized, Kind::Completed, Kind::Terminated])
        );
        assert!(!s.initialized, "the caller's session is left as it was");
        let batch = [
            statement(VERB_INITIALIZED),
            statement(VERB_TERMINATED),
            statement(EXPERIENCED),
        ];
        let e = check_all(&batch, &s).unwrap_err();
        assert!(
            e.starts_with("statement 3: the session is terminated"),
            "{e}"
        );
    }
}
