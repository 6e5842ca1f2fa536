//! One SCO session as the API functions see it (SCORM 1.2's `LMSInitialize` … `LMSGetDiagnostic`,
//! SCORM 2004's `Initialize` … `GetDiagnostic`), and the batches of changes it owes the server.
//! Pure: the browser's API objects (`api.rs`) wrap it, and tests drive it directly. The two
//! versions differ in their data model (`cmi12`, `cmi2004`) and in the error codes of calls made
//! out of turn; everything else is one code path.

use super::model::{ScoLaunch, Version};
use super::{cmi12, cmi2004};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    NotInitialized,
    Running,
    Finished,
}

/// The data model the SCO talks to.
#[derive(Debug, Clone)]
enum Model {
    V12(cmi12::Cmi),
    V2004(cmi2004::Cmi),
}

impl Model {
    fn new(launch: &ScoLaunch) -> Model {
        let (data, values) = (launch.launch.clone(), launch.values.clone());
        match launch.version {
            Version::Scorm12 => Model::V12(cmi12::Cmi::new(data, values)),
            Version::Scorm2004(_) => Model::V2004(cmi2004::Cmi::new(data, values)),
        }
    }

    fn get(&self, element: &str) -> Result<String, u16> {
        match self {
            Model::V12(cmi) => cmi.get(element).map_err(cmi12::ErrorCode::code),
            Model::V2004(cmi) => cmi.get(element).map_err(cmi2004::ErrorCode::code),
        }
    }

    fn set(&mut self, element: &str, value: &str) -> Result<(), u16> {
        match self {
            Model::V12(cmi) => cmi.set(element, value).map_err(cmi12::ErrorCode::code),
            Model::V2004(cmi) => cmi.set(element, value).map_err(cmi2004::ErrorCode::code),
        }
    }

    fn is_2004(&self) -> bool {
        matches!(self, Model::V2004(_))
    }
}

/// An API call, for the error it gets when made out of turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Initialize,
    GetValue,
    SetValue,
    Commit,
    Finish,
}

impl Call {
    fn name(self, v2004: bool) -> &'static str {
        match (self, v2004) {
            (Call::Initialize, false) => "LMSInitialize",
            (Call::Initialize, true) => "Initialize",
            (Call::GetValue, false) => "LMSGetValue",
            (Call::GetValue, true) => "GetValue",
            (Call::SetValue, false) => "LMSSetValue",
            (Call::SetValue, true) => "SetValue",
            (Call::Commit, false) => "LMSCommit",
            (Call::Commit, true) => "Commit",
            (Call::Finish, false) => "LMSFinish",
            (Call::Finish, true) => "Terminate",
        }
    }

    /// The error of this call made before `Initialize` (`before`) or after the session ended:
    /// SCORM 1.2 has one code for both, 2004 one per call and case.
    fn out_of_turn(self, v2004: bool, before: bool) -> u16 {
        if !v2004 {
            return if self == Call::Initialize { 101 } else { 301 };
        }
        match (self, before) {
            (Call::Initialize, true) => 103,
            (Call::Initialize, false) => 104,
            (Call::GetValue, true) => 122,
            (Call::GetValue, false) => 123,
            (Call::SetValue, true) => 132,
            (Call::SetValue, false) => 133,
            (Call::Commit, true) => 142,
            (Call::Commit, false) => 143,
            (Call::Finish, true) => 112,
            (Call::Finish, false) => 113,
        }
    }
}

/// Changes to send, numbered so that the server keeps only the newest.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    pub sequence: i64,
    pub changes: BTreeMap<String, String>,
    pub finish: bool,
}

#[derive(Debug, Clone)]
pub struct Session {
    model: Model,
    phase: Phase,
    last_error: u16,
    diagnostic: String,
    /// Set since the last batch was taken.
    pending: BTreeMap<String, String>,
    /// Taken but not yet acknowledged (sent again if it fails).
    unsent: Option<Batch>,
    /// Whether that batch was sent to outlive the page (`keepalive`).
    unsent_survives: bool,
    sequence: i64,
    finish_owed: bool,
    record: bool,
}

impl Session {
    pub fn new(launch: &ScoLaunch) -> Session {
        Session {
            model: Model::new(launch),
            phase: Phase::NotInitialized,
            last_error: 0,
            diagnostic: String::new(),
            pending: BTreeMap::new(),
            unsent: None,
            unsent_survives: false,
            sequence: launch.sequence,
            finish_owed: false,
            record: launch.record,
        }
    }

    /// Changes this device kept from an earlier page that could not send them: they count as
    /// set, and are sent with the next batch.
    pub fn restore(&mut self, kept: BTreeMap<String, String>) {
        let mut ordered: Vec<(String, String)> = kept.into_iter().collect();
        ordered.sort_by(|(a, _), (b, _)| cmi12::set_order(a).cmp(&cmi12::set_order(b)));
        for (element, value) in ordered {
            if self.model.set(&element, &value).is_ok() {
                self.pending.insert(element, value);
            }
        }
    }

    fn fail(&mut self, error: u16, diagnostic: impl Into<String>) -> bool {
        self.last_error = error;
        self.diagnostic = diagnostic.into();
        false
    }

    fn ok(&mut self) -> bool {
        self.last_error = 0;
        self.diagnostic.clear();
        true
    }

    fn v2004(&self) -> bool {
        self.model.is_2004()
    }

    /// Calls take "" where the standard says so (201 otherwise).
    fn empty_argument(&mut self, call: Call, argument: &str) -> bool {
        if argument.is_empty() {
            return true;
        }
        let name = call.name(self.v2004());
        self.fail(201, format!("{name} takes \"\""))
    }

    /// `LMSInitialize("")` / `Initialize("")`.
    pub fn initialize(&mut self, argument: &str) -> bool {
        if !self.empty_argument(Call::Initialize, argument) {
            return false;
        }
        match self.phase {
            Phase::NotInitialized => {
                self.phase = Phase::Running;
                self.ok()
            }
            Phase::Running => {
                let code = Call::Initialize.out_of_turn(self.v2004(), true);
                self.fail(code, "already initialized")
            }
            Phase::Finished => {
                let code = Call::Initialize.out_of_turn(self.v2004(), false);
                self.fail(code, "the session has finished")
            }
        }
    }

    fn running(&mut self, call: Call) -> bool {
        let v2004 = self.v2004();
        let name = call.name(v2004);
        let initialize = Call::Initialize.name(v2004);
        let finish = Call::Finish.name(v2004);
        match self.phase {
            Phase::Running => true,
            Phase::NotInitialized => self.fail(
                call.out_of_turn(v2004, true),
                format!("{name} before {initialize}"),
            ),
            Phase::Finished => self.fail(
                call.out_of_turn(v2004, false),
                format!("{name} after {finish}"),
            ),
        }
    }

    /// `LMSGetValue(element)` / `GetValue(element)`.
    pub fn get(&mut self, element: &str) -> String {
        if !self.running(Call::GetValue) {
            return String::new();
        }
        match self.model.get(element) {
            Ok(value) => {
                self.ok();
                value
            }
            Err(e) => {
                self.fail(e, element.to_string());
                String::new()
            }
        }
    }

    /// `LMSSetValue(element, value)` / `SetValue(element, value)`.
    pub fn set(&mut self, element: &str, value: &str) -> bool {
        if !self.running(Call::SetValue) {
            return false;
        }
        match self.model.set(element, value) {
            Ok(()) => {
                self.pending.insert(element.to_string(), value.to_string());
                self.ok()
            }
            Err(e) => self.fail(e, format!("{element} = {value:?}")),
        }
    }

    /// `LMSCommit("")` / `Commit("")`: the caller sends the batch now.
    pub fn commit(&mut self, argument: &str) -> bool {
        self.empty_argument(Call::Commit, argument) && self.running(Call::Commit) && self.ok()
    }

    /// `LMSFinish("")` / `Terminate("")`: the session ends; the caller sends the last batch now.
    pub fn finish(&mut self, argument: &str) -> bool {
        if !self.empty_argument(Call::Finish, argument) || !self.running(Call::Finish) {
            return false;
        }
        self.phase = Phase::Finished;
        self.finish_owed = true;
        self.ok()
    }

    /// The navigation a SCORM 2004 SCO asked for as it ended (`adl.nav.request`: `continue`,
    /// `previous`, `{target=ID}choice`, `exit`, …), if any.
    pub fn navigation(&self) -> Option<String> {
        match (&self.model, self.phase) {
            (Model::V2004(cmi), Phase::Finished) => cmi
                .values
                .get("adl.nav.request")
                .filter(|r| !r.is_empty() && r.as_str() != "_none_")
                .cloned(),
            _ => None,
        }
    }

    /// The page is going away (the tab closes, the learner opens another part): the session is
    /// owed a finish even if the SCO does not call `LMSFinish`. The SCO may still call in while
    /// it unloads (most set `session_time` and `exit`, then finish), so the session stays open.
    pub fn leaving(&mut self) {
        if self.phase == Phase::Running {
            self.finish_owed = true;
        }
    }

    pub fn last_error(&self) -> u16 {
        self.last_error
    }

    /// `LMSGetErrorString(code)` / `GetErrorString(code)`.
    pub fn error_string(&self, code: &str) -> String {
        let Ok(code) = code.trim().parse::<u16>() else {
            return String::new();
        };
        match self.model {
            Model::V12(_) => cmi12::ErrorCode::from_code(code).map(|e| e.message()),
            Model::V2004(_) => cmi2004::ErrorCode::from_code(code).map(|e| e.message()),
        }
        .unwrap_or_default()
        .to_string()
    }

    /// `LMSGetDiagnostic(code)` / `GetDiagnostic(code)`: more about the last error (its code
    /// asked, or "").
    pub fn diagnostic(&self, code: &str) -> String {
        let asked = code.trim();
        if asked.is_empty() || asked.parse::<u16>().ok() == Some(self.last_error) {
            self.diagnostic.clone()
        } else {
            self.error_string(asked)
        }
    }

    /// Whether anything is owed to the server.
    pub fn owes(&self) -> bool {
        self.record && (!self.pending.is_empty() || self.finish_owed || self.unsent.is_some())
    }

    /// The next batch to send (None when nothing is owed, or a batch is on its way). A staff
    /// preview owes nothing. `now`: the page is going away and cannot wait for the batch on its
    /// way, so this one carries everything not yet acknowledged, under a newer number (the
    /// server keeps whichever is newest).
    pub fn take_batch(&mut self, now: bool) -> Option<Batch> {
        if !self.owes() || (self.unsent.is_some() && !now) {
            return None;
        }
        // Nothing new, and the batch on its way outlives the page: sending it again would only
        // count its session time twice.
        if now && self.pending.is_empty() && !self.finish_owed && self.unsent_survives {
            return None;
        }
        self.unsent_survives = now;
        self.sequence += 1;
        let mut changes = self
            .unsent
            .as_ref()
            .map(|b| b.changes.clone())
            .unwrap_or_default();
        changes.extend(std::mem::take(&mut self.pending));
        let batch = Batch {
            sequence: self.sequence,
            changes,
            finish: std::mem::take(&mut self.finish_owed)
                || self.unsent.as_ref().is_some_and(|b| b.finish),
        };
        self.unsent = Some(batch.clone());
        Some(batch)
    }

    /// The server answered batch `sequence`: kept (or refused for good), or not reached (then
    /// its changes go back in front of anything set since, to be sent again). An answer to a
    /// batch another has replaced changes nothing.
    pub fn sent(&mut self, sequence: i64, reached: bool) {
        if self.unsent.as_ref().is_none_or(|b| b.sequence != sequence) {
            return;
        }
        let Some(batch) = self.unsent.take() else {
            return;
        };
        if !reached {
            for (element, value) in batch.changes {
                self.pending.entry(element).or_insert(value);
            }
            self.finish_owed |= batch.finish;
        }
    }

    /// What this device must keep until the server has it (after a reload it is restored).
    pub fn unsaved(&self) -> BTreeMap<String, String> {
        let mut all = self
            .unsent
            .as_ref()
            .map(|b| b.changes.clone())
            .unwrap_or_default();
        all.extend(self.pending.clone());
        all
    }
}

/// Whether a SCORM 2004 navigation request ends the learner's time in the package (the player
/// takes the content away).
pub fn leaves(request: &str) -> bool {
    matches!(
        request,
        "exit" | "exitAll" | "suspendAll" | "abandon" | "abandonAll"
    )
}

/// The navigation request an `adl.nav.request_valid.*` element asks about: `continue`,
/// `previous`, or `choice.{target=X}` / `jump.{target=X}` as `{target=X}choice` / `jump`.
pub fn asked_request(element: &str) -> Option<String> {
    let rest = element.strip_prefix("adl.nav.request_valid.")?;
    if matches!(rest, "continue" | "previous") {
        return Some(rest.to_string());
    }
    let (verb, target) = rest.split_once('.')?;
    matches!(verb, "choice" | "jump").then(|| format!("{target}{verb}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorm::cmi12::Launch;
    use crate::scorm::model::Version;

    fn launch(record: bool) -> ScoLaunch {
        ScoLaunch {
            sco: "i1".into(),
            url: "/packages/1/1/index.html".into(),
            version: Version::Scorm12,
            record,
            launch: Launch {
                student_id: "ada".into(),
                credit: true,
                entry: "ab-initio".into(),
                lesson_mode: "normal".into(),
                ..Launch::default()
            },
            values: BTreeMap::new(),
            sequence: 4,
        }
    }

    #[test]
    fn the_api_functions_follow_the_session_states_and_set_their_error_codes() {
        let mut s = Session::new(&launch(true));
        assert_eq!(s.get("cmi.core.student_id"), "");
        assert_eq!(s.last_error(), 301);
        assert!(!s.set("cmi.core.lesson_location", "a"));
        assert!(!s.initialize("x"));
        assert_eq!(s.last_error(), 201);
        assert!(s.initialize(""));
        assert_eq!(s.last_error(), 0);
        assert!(!s.initialize(""));
        assert_eq!(s.last_error(), 101);
        assert_eq!(s.get("cmi.core.student_id"), "ada");
        assert!(!s.set("cmi.core.student_id", "bob"));
        assert_eq!(s.last_error(), 403);
        assert_eq!(s.error_string("403"), "Element is read only");
        assert_eq!(s.diagnostic(""), "cmi.core.student_id = \"bob\"");
        assert!(s.set("cmi.core.lesson_status", "incomplete"));
        assert_eq!(s.get("cmi.core.lesson_status"), "incomplete");
        assert!(s.commit(""));
        assert!(s.finish(""));
        assert!(!s.finish(""));
        assert_eq!(s.last_error(), 301);
        assert_eq!(s.get("cmi.core.lesson_status"), "");
    }

    #[test]
    fn changes_go_in_numbered_batches_and_a_failed_one_is_sent_again() {
        let mut s = Session::new(&launch(true));
        s.initialize("");
        assert_eq!(s.take_batch(false), None);
        s.set("cmi.core.lesson_location", "p1");
        let first = s.take_batch(false).unwrap();
        assert_eq!(first.sequence, 5);
        assert_eq!(first.changes["cmi.core.lesson_location"], "p1");
        // One batch at a time; changes meanwhile wait for the next.
        s.set("cmi.core.lesson_location", "p2");
        assert_eq!(s.take_batch(false), None);
        assert_eq!(s.unsaved()["cmi.core.lesson_location"], "p2");
        s.sent(5, false);
        s.set("cmi.suspend_data", "abc");
        let again = s.take_batch(false).unwrap();
        assert_eq!(again.sequence, 6);
        // The newer value wins over the one that failed to go.
        assert_eq!(again.changes["cmi.core.lesson_location"], "p2");
        assert_eq!(again.changes["cmi.suspend_data"], "abc");
        s.sent(6, true);
        assert!(!s.owes());
        s.finish("");
        let last = s.take_batch(false).unwrap();
        assert!(last.finish && last.changes.is_empty());
        s.sent(last.sequence, true);
        assert!(!s.owes());
    }

    #[test]
    fn a_closing_page_owes_a_finish_and_sends_everything_at_once() {
        let mut s = Session::new(&launch(true));
        s.initialize("");
        s.set("cmi.core.lesson_location", "3");
        let in_flight = s.take_batch(false).unwrap();
        // The tab closes: a finish is owed, and the SCO's own unload still gets through.
        s.leaving();
        assert!(s.set("cmi.core.exit", "suspend"));
        assert!(s.finish(""));
        let last = s.take_batch(true).unwrap();
        assert!(last.finish && last.sequence > in_flight.sequence);
        assert_eq!(last.changes["cmi.core.lesson_location"], "3");
        assert_eq!(last.changes["cmi.core.exit"], "suspend");
        // The late answer to the replaced batch changes nothing.
        s.sent(in_flight.sequence, false);
        // The page's own goodbye after the SCO finished sends nothing twice.
        s.leaving();
        assert_eq!(s.take_batch(true), None);
        s.sent(last.sequence, true);
        assert!(!s.owes());

        let mut preview = Session::new(&launch(false));
        preview.initialize("");
        assert!(preview.set("cmi.core.lesson_status", "completed"));
        assert!(!preview.owes());
        assert_eq!(preview.take_batch(false), None);

        let mut restored = Session::new(&launch(true));
        restored.restore(BTreeMap::from([
            ("cmi.core.lesson_location".to_string(), "p9".to_string()),
            ("cmi.core.student_id".to_string(), "forged".to_string()),
        ]));
        restored.initialize("");
        assert_eq!(restored.get("cmi.core.lesson_location"), "p9");
        assert_eq!(restored.get("cmi.core.student_id"), "ada");
        assert_eq!(restored.take_batch(false).unwrap().changes.len(), 1);
    }

    fn launch_2004() -> ScoLaunch {
        ScoLaunch {
            version: Version::Scorm2004(Some(4)),
            ..launch(true)
        }
    }

    #[test]
    fn a_2004_session_answers_with_2004_codes() {
        let mut s = Session::new(&launch_2004());
        assert_eq!(s.get("cmi.learner_id"), "");
        assert_eq!(s.last_error(), 122);
        assert!(!s.set("cmi.location", "a"));
        assert_eq!(s.last_error(), 132);
        assert!(!s.commit(""));
        assert_eq!(s.last_error(), 142);
        assert!(!s.finish(""));
        assert_eq!(s.last_error(), 112);
        assert!(!s.initialize("x"));
        assert_eq!(s.last_error(), 201);
        assert!(s.initialize(""));
        assert!(!s.initialize(""));
        assert_eq!(s.last_error(), 103);
        assert_eq!(s.get("cmi.learner_id"), "ada");
        assert!(!s.set("cmi.learner_id", "bob"));
        assert_eq!(s.last_error(), 404);
        assert!(s.set("cmi.location", "p2"));
        assert!(s.set("adl.nav.request", "continue"));
        assert_eq!(s.navigation(), None);
        assert!(s.finish(""));
        assert_eq!(s.navigation().as_deref(), Some("continue"));
        assert_eq!(s.get("cmi.location"), "");
        assert_eq!(s.last_error(), 123);
        assert!(!s.set("cmi.location", "p3"));
        assert_eq!(s.last_error(), 133);
        assert!(!s.commit(""));
        assert_eq!(s.last_error(), 143);
        assert!(!s.finish(""));
        assert_eq!(s.last_error(), 113);
        assert!(!s.initialize(""));
        assert_eq!(s.last_error(), 104);
        let batch = s.take_batch(false).unwrap();
        assert!(batch.finish);
        assert_eq!(batch.changes["cmi.location"], "p2");
    }

    #[test]
    fn request_valid_elements_name_the_request_they_ask_about() {
        let asked = |e: &str| asked_request(e);
        assert_eq!(
            asked("adl.nav.request_valid.continue").as_deref(),
            Some("continue")
        );
        assert_eq!(
            asked("adl.nav.request_valid.choice.{target=etiquette.1}").as_deref(),
            Some("{target=etiquette.1}choice")
        );
        assert_eq!(
            asked("adl.nav.request_valid.jump.{target=a}").as_deref(),
            Some("{target=a}jump")
        );
        assert_eq!(asked("adl.nav.request"), None);
        assert_eq!(asked("adl.nav.request_valid.exit"), None);
    }

    #[test]
    fn exits_take_the_content_away() {
        assert!(leaves("exitAll") && leaves("suspendAll") && !leaves("continue"));
    }
}
