//! One SCO session as the SCORM 1.2 API functions see it (`LMSInitialize` … `LMSGetDiagnostic`),
//! and the batches of changes it owes the server. Pure: the browser's `window.API` (`api.rs`)
//! wraps it, and tests drive it directly.

use super::cmi12::{Cmi, ErrorCode};
use super::model::ScoLaunch;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    NotInitialized,
    Running,
    Finished,
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
    cmi: Cmi,
    phase: Phase,
    last_error: ErrorCode,
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
            cmi: Cmi::new(launch.launch.clone(), launch.values.clone()),
            phase: Phase::NotInitialized,
            last_error: ErrorCode::NoError,
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
        for (element, value) in kept {
            if self.cmi.set(&element, &value).is_ok() {
                self.pending.insert(element, value);
            }
        }
    }

    fn fail(&mut self, error: ErrorCode, diagnostic: impl Into<String>) -> bool {
        self.last_error = error;
        self.diagnostic = diagnostic.into();
        false
    }

    fn ok(&mut self) -> bool {
        self.last_error = ErrorCode::NoError;
        self.diagnostic.clear();
        true
    }

    /// `LMSInitialize("")`.
    pub fn initialize(&mut self, argument: &str) -> bool {
        if !argument.is_empty() {
            return self.fail(ErrorCode::InvalidArgument, "LMSInitialize takes \"\"");
        }
        match self.phase {
            Phase::NotInitialized => {
                self.phase = Phase::Running;
                self.ok()
            }
            Phase::Running => self.fail(ErrorCode::General, "already initialized"),
            Phase::Finished => self.fail(ErrorCode::General, "the session has finished"),
        }
    }

    fn running(&mut self, function: &str) -> bool {
        if self.phase == Phase::Running {
            true
        } else {
            self.fail(
                ErrorCode::NotInitialized,
                format!("{function} before LMSInitialize or after LMSFinish"),
            )
        }
    }

    /// `LMSGetValue(element)`.
    pub fn get(&mut self, element: &str) -> String {
        if !self.running("LMSGetValue") {
            return String::new();
        }
        match self.cmi.get(element) {
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

    /// `LMSSetValue(element, value)`.
    pub fn set(&mut self, element: &str, value: &str) -> bool {
        if !self.running("LMSSetValue") {
            return false;
        }
        match self.cmi.set(element, value) {
            Ok(()) => {
                self.pending.insert(element.to_string(), value.to_string());
                self.ok()
            }
            Err(e) => self.fail(e, format!("{element} = {value:?}")),
        }
    }

    /// `LMSCommit("")`: the caller sends the batch now.
    pub fn commit(&mut self, argument: &str) -> bool {
        if !argument.is_empty() {
            return self.fail(ErrorCode::InvalidArgument, "LMSCommit takes \"\"");
        }
        self.running("LMSCommit") && self.ok()
    }

    /// `LMSFinish("")`: the session ends; the caller sends the last batch now.
    pub fn finish(&mut self, argument: &str) -> bool {
        if !argument.is_empty() {
            return self.fail(ErrorCode::InvalidArgument, "LMSFinish takes \"\"");
        }
        if !self.running("LMSFinish") {
            return false;
        }
        self.phase = Phase::Finished;
        self.finish_owed = true;
        self.ok()
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
        self.last_error.code()
    }

    /// `LMSGetErrorString(code)`.
    pub fn error_string(code: &str) -> String {
        code.trim()
            .parse()
            .ok()
            .and_then(ErrorCode::from_code)
            .map(|e| e.message().to_string())
            .unwrap_or_default()
    }

    /// `LMSGetDiagnostic(code)`: more about the last error (its code asked, or "").
    pub fn diagnostic(&self, code: &str) -> String {
        let asked = code.trim();
        if asked.is_empty() || asked.parse::<u16>().ok() == Some(self.last_error.code()) {
            self.diagnostic.clone()
        } else {
            Session::error_string(asked)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorm::cmi12::Launch;
    use crate::scorm::model::Version;

    fn launch(record: bool) -> ScoLaunch {
        ScoLaunch {
            sco: "i1".into(),
            url: "/scorm/1/1/index.html".into(),
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
        assert_eq!(Session::error_string("403"), "Element is read only");
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
}
