//! Satisfaction (cmi5 §13.1.4 moveOn, §9.3.9): whether an AU, each block and the course are
//! satisfied from what a registration recorded, and the statements the LMS writes itself
//! (launched, abandoned, waived, satisfied).

use super::rules::{
    BLOCK_ACTIVITY_TYPE, CMI5_CATEGORY, COURSE_ACTIVITY_TYPE, LAUNCH_MODE_EXTENSION,
    LAUNCH_PARAMETERS_EXTENSION, LAUNCH_URL_EXTENSION, LaunchMode, MASTERY_EXTENSION,
    MOVEON_CATEGORY, MOVEON_EXTENSION, REASON_EXTENSION, VERB_ABANDONED, VERB_LAUNCHED,
    VERB_SATISFIED, VERB_WAIVED, context_template,
};
use super::structure::{Course, MoveOn, Node};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// What a registration has recorded for one AU, over all its sessions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuRecord {
    pub completed: bool,
    pub passed: bool,
    pub failed: bool,
    pub waived: bool,
}

/// Whether the AU has met its moveOn criterion (cmi5 §13.1.4). A waived AU has, whatever its
/// moveOn (§9.3.9); failing never undoes anything.
pub fn au_satisfied(move_on: MoveOn, record: &AuRecord) -> bool {
    record.waived
        || match move_on {
            MoveOn::Passed => record.passed,
            MoveOn::Completed => record.completed,
            MoveOn::CompletedAndPassed => record.completed && record.passed,
            MoveOn::CompletedOrPassed => record.completed || record.passed,
            MoveOn::NotApplicable => true,
        }
}

/// Which blocks (by id, inner blocks before the blocks holding them) and whether the course
/// are satisfied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Satisfaction {
    pub blocks: Vec<String>,
    pub course: bool,
}

/// What is satisfied given each AU's record, keyed by the AU's id from `cmi5.xml` (missing =
/// nothing recorded). A block is satisfied when all its AUs and blocks are; the course when
/// all of its are (cmi5 §13.1.4). Evaluate at registration too: NotApplicable AUs can satisfy
/// blocks before any launch (§9.6.1).
pub fn satisfaction(course: &Course, records: &HashMap<String, AuRecord>) -> Satisfaction {
    let satisfied = all_satisfied(course, records);
    Satisfaction {
        blocks: satisfied
            .iter()
            .filter(|s| s.level == Level::Block)
            .map(|s| s.publisher_id.to_string())
            .collect(),
        course: satisfied.iter().any(|s| s.level == Level::Course),
    }
}

/// What a "satisfied" statement is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Block,
    Course,
}

/// A satisfied block or course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Satisfied<'a> {
    pub level: Level,
    /// The id from `cmi5.xml`, which goes in the statement's grouping (cmi5 §9.6.2.3).
    pub publisher_id: &'a str,
    pub title: &'a str,
}

/// The "satisfied" statements the LMS must now write: the satisfied blocks and course whose
/// publisher id is not in `written` (those it wrote before in this registration; it should
/// write one per block or course, cmi5 §9.3), inner blocks first and the course last. Write
/// them with [`satisfied_statement`] and add their ids to `written`.
pub fn newly_satisfied<'a>(
    course: &'a Course,
    records: &HashMap<String, AuRecord>,
    written: &HashSet<String>,
) -> Vec<Satisfied<'a>> {
    all_satisfied(course, records)
        .into_iter()
        .filter(|s| !written.contains(s.publisher_id))
        .collect()
}

fn all_satisfied<'a>(
    course: &'a Course,
    records: &HashMap<String, AuRecord>,
) -> Vec<Satisfied<'a>> {
    let mut out = Vec::new();
    if members_satisfied(&course.children, records, &mut out) {
        out.push(Satisfied {
            level: Level::Course,
            publisher_id: &course.id,
            title: &course.title,
        });
    }
    out
}

/// Whether every node is satisfied, adding the satisfied blocks among them (after their own
/// satisfied blocks) to `out`. Every node is visited: a later block may be satisfied even
/// when an earlier sibling is not.
fn members_satisfied<'a>(
    nodes: &'a [Node],
    records: &HashMap<String, AuRecord>,
    out: &mut Vec<Satisfied<'a>>,
) -> bool {
    let mut all = true;
    for node in nodes {
        let satisfied = match node {
            Node::Au(au) => au_satisfied(
                au.move_on,
                &records.get(&au.id).copied().unwrap_or_default(),
            ),
            Node::Block(block) => {
                let satisfied = members_satisfied(&block.children, records, out);
                if satisfied {
                    out.push(Satisfied {
                        level: Level::Block,
                        publisher_id: &block.id,
                        title: &block.title,
                    });
                }
                satisfied
            }
        };
        all &= satisfied;
    }
    all
}

/// What every statement the LMS writes for a registration carries.
#[derive(Debug, Clone, Copy)]
pub struct Envelope<'a> {
    /// A fresh UUID for the statement.
    pub id: &'a str,
    /// The learner as in the launch URL.
    pub actor: &'a Value,
    pub registration: &'a str,
    /// The AU session's id; for "waived", and for "satisfied" outside any AU session, a fresh
    /// one (cmi5 §9.3.7, §9.3.9).
    pub session_id: &'a str,
    pub timestamp: DateTime<Utc>,
}

/// The AU a launched, abandoned or waived statement is about.
#[derive(Debug, Clone, Copy)]
pub struct AuObject<'a> {
    /// The LMS's activity id for the AU, as in the launch URL (cmi5 §8.1.5).
    pub activity_id: &'a str,
    /// The AU's id from `cmi5.xml` (cmi5 §9.6.2.3).
    pub publisher_id: &'a str,
}

/// What the LMS launched with, as written to `LMS.LaunchData` (which may differ from
/// `cmi5.xml`, cmi5 §10.2).
#[derive(Debug, Clone, Copy)]
pub struct Launch<'a> {
    pub mode: LaunchMode,
    /// The absolute URL launched, without the query parameters cmi5 adds (cmi5 §9.6.3.4).
    pub url: &'a str,
    pub move_on: MoveOn,
    pub mastery_score: Option<f64>,
    pub launch_parameters: Option<&'a str>,
}

/// "launched", written before the AU is launched (cmi5 §9.3.1), its context reporting the
/// launch data (§9.6.3.2–9.6.3.7).
pub fn launched_statement(envelope: &Envelope, au: &AuObject, launch: &Launch) -> Value {
    let mut statement = base(
        envelope,
        VERB_LAUNCHED,
        "launched",
        au_object(au),
        au.publisher_id,
    );
    let mut extend =
        |key: &str, value: Value| set(&mut statement, "/context/extensions", key, value);
    extend(LAUNCH_MODE_EXTENSION, json!(launch.mode.as_str()));
    extend(LAUNCH_URL_EXTENSION, json!(launch.url));
    extend(MOVEON_EXTENSION, json!(launch.move_on.as_str()));
    if let Some(score) = launch.mastery_score {
        extend(MASTERY_EXTENSION, json!(score));
    }
    if let Some(parameters) = launch.launch_parameters {
        extend(LAUNCH_PARAMETERS_EXTENSION, json!(parameters));
    }
    statement
}

/// "abandoned", for a session that ended without "terminated" (cmi5 §9.3.6), with the
/// session's length (§9.5.4.2: from "launched" to the AU's last statement, when the LMS knows
/// no better).
pub fn abandoned_statement(envelope: &Envelope, au: &AuObject, duration: TimeDelta) -> Value {
    let mut statement = base(
        envelope,
        VERB_ABANDONED,
        "abandoned",
        au_object(au),
        au.publisher_id,
    );
    set(
        &mut statement,
        "",
        "result",
        json!({ "duration": iso_duration(duration) }),
    );
    statement
}

/// "waived", with its reason (cmi5 §9.3.7, §9.5.5.2: "Tested Out", "Equivalent AU",
/// "Equivalent Outside Activity" or "Administrative"). Its result claims success and
/// completion, so it carries the moveOn category (§9.5.2, §9.5.3, §9.6.2.2).
pub fn waived_statement(envelope: &Envelope, au: &AuObject, reason: &str) -> Value {
    let mut statement = base(
        envelope,
        VERB_WAIVED,
        "waived",
        au_object(au),
        au.publisher_id,
    );
    let result = json!({
        "success": true,
        "completion": true,
        "extensions": { REASON_EXTENSION: reason }
    });
    set(&mut statement, "", "result", result);
    let categories = json!([activity(CMI5_CATEGORY), activity(MOVEON_CATEGORY)]);
    set(
        &mut statement,
        "/context/contextActivities",
        "category",
        categories,
    );
    statement
}

/// "satisfied" for a block or the course (cmi5 §9.3.9). `object_id` is the LMS's own id for
/// it, the same in every statement and never its publisher id (§9.4), which goes in the
/// grouping instead. It has no result, so no moveOn category (§9.6.2.2).
pub fn satisfied_statement(envelope: &Envelope, object_id: &str, satisfied: &Satisfied) -> Value {
    let kind = match satisfied.level {
        Level::Block => BLOCK_ACTIVITY_TYPE,
        Level::Course => COURSE_ACTIVITY_TYPE,
    };
    let object = json!({
        "objectType": "Activity",
        "id": object_id,
        "definition": {
            "type": kind,
            // The title's language is not kept, so it is tagged undetermined.
            "name": { "und": satisfied.title }
        }
    });
    base(
        envelope,
        VERB_SATISFIED,
        "satisfied",
        object,
        satisfied.publisher_id,
    )
}

/// An ISO 8601 duration to the hundredth of a second, as xAPI stores them ("PT1H2M3.45S");
/// a negative one (clocks disagreeing) is zero.
pub fn iso_duration(duration: TimeDelta) -> String {
    let hundredths = duration.num_milliseconds().max(0).saturating_add(5) / 10;
    let hours = hundredths / 360_000;
    let minutes = hundredths / 6_000 % 60;
    let seconds = hundredths / 100 % 60;
    let fraction = hundredths % 100;
    let mut out = String::from("PT");
    if hours > 0 {
        out.push_str(&format!("{hours}H"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}M"));
    }
    if fraction > 0 {
        let fraction = format!("{fraction:02}");
        out.push_str(&format!("{seconds}.{}S", fraction.trim_end_matches('0')));
    } else if seconds > 0 || out == "PT" {
        out.push_str(&format!("{seconds}S"));
    }
    out
}

fn au_object(au: &AuObject) -> Value {
    json!({ "objectType": "Activity", "id": au.activity_id })
}

fn activity(id: &str) -> Value {
    json!({ "id": id, "objectType": "Activity" })
}

/// A cmi5-defined statement from the LMS: the context template (session id, publisher id in
/// the grouping, cmi5 §9.6.2.3, §9.6.3.1), the registration and the cmi5 category (§9.6.2.1).
fn base(
    envelope: &Envelope,
    verb: &str,
    display: &str,
    object: Value,
    publisher_id: &str,
) -> Value {
    let mut statement = json!({
        "id": envelope.id,
        "timestamp": envelope.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true),
        "actor": envelope.actor,
        "verb": { "id": verb, "display": { "en-US": display } },
        "object": object,
        "context": context_template(envelope.session_id, publisher_id)
    });
    set(
        &mut statement,
        "/context",
        "registration",
        json!(envelope.registration),
    );
    set(
        &mut statement,
        "/context/contextActivities",
        "category",
        json!([activity(CMI5_CATEGORY)]),
    );
    statement
}

/// Sets `key` in the object at `pointer`, which the builders above always have (serde_json's
/// indexing would panic otherwise, so it is not used).
fn set(statement: &mut Value, pointer: &str, key: &str, value: Value) {
    if let Some(object) = statement
        .pointer_mut(pointer)
        .and_then(Value::as_object_mut)
    {
        object.insert(key.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::super::rules::SESSION_EXTENSION;
    use super::super::structure::{NAMESPACE, parse};
    use super::*;
    use chrono::TimeZone;

    fn record(flags: &str) -> AuRecord {
        AuRecord {
            completed: flags.contains('c'),
            passed: flags.contains('p'),
            failed: flags.contains('f'),
            waived: flags.contains('w'),
        }
    }

    #[test]
    fn move_on_table() {
        use MoveOn::*;
        // Records: nothing, completed, passed, failed, completed and passed, failed then
        // passed, completed and failed, waived.
        let records = ["", "c", "p", "f", "cp", "fp", "cf", "w"];
        let table = [
            (Passed, [false, false, true, false, true, true, false, true]),
            (
                Completed,
                [false, true, false, false, true, false, true, true],
            ),
            (
                CompletedAndPassed,
                [false, false, false, false, true, false, false, true],
            ),
            (
                CompletedOrPassed,
                [false, true, true, false, true, true, true, true],
            ),
            (NotApplicable, [true; 8]),
        ];
        for (move_on, expected) in table {
            for (flags, want) in records.iter().zip(expected) {
                assert_eq!(
                    au_satisfied(move_on, &record(flags)),
                    want,
                    "{} with “{flags}”",
                    move_on.as_str()
                );
            }
        }
    }

    /// course > [block A > [au1 Completed, block A1 > [au2 Passed, au3 NotApplicable]],
    /// block B > [au4 NotApplicable], au5 CompletedAndPassed]
    fn nested() -> Course {
        let au = |n: u8, move_on: &str| {
            format!(
                r#"<au id="https://e.com/au{n}" moveOn="{move_on}"><title><langstring>AU {n}</langstring></title><url>{n}.html</url></au>"#
            )
        };
        let block = |id: &str, inner: String| {
            format!(
                r#"<block id="https://e.com/{id}"><title><langstring>Block {id}</langstring></title>{inner}</block>"#
            )
        };
        let a1 = block("A1", au(2, "Passed") + &au(3, "NotApplicable"));
        let a = block("A", au(1, "Completed") + &a1);
        let b = block("B", au(4, "NotApplicable"));
        parse(&format!(
            r#"<courseStructure xmlns="{NAMESPACE}"><course id="https://e.com/course"><title><langstring>Course</langstring></title></course>{a}{b}{}</courseStructure>"#,
            au(5, "CompletedAndPassed")
        ))
        .unwrap()
    }

    fn records(entries: &[(u8, &str)]) -> HashMap<String, AuRecord> {
        entries
            .iter()
            .map(|(n, flags)| (format!("https://e.com/au{n}"), record(flags)))
            .collect()
    }

    fn ids(blocks: &[&str]) -> Vec<String> {
        blocks
            .iter()
            .map(|b| format!("https://e.com/{b}"))
            .collect()
    }

    #[test]
    fn rolls_up_nested_blocks() {
        let course = nested();
        // At registration, only the block of NotApplicable AUs.
        let s = satisfaction(&course, &HashMap::new());
        assert_eq!(
            s,
            Satisfaction {
                blocks: ids(&["B"]),
                course: false
            }
        );
        // A failed AU counts for nothing.
        let s = satisfaction(&course, &records(&[(2, "f")]));
        assert_eq!(s.blocks, ids(&["B"]));
        let s = satisfaction(&course, &records(&[(2, "p")]));
        assert_eq!(s.blocks, ids(&["A1", "B"]));
        let s = satisfaction(&course, &records(&[(2, "p"), (1, "c")]));
        assert_eq!(s.blocks, ids(&["A1", "A", "B"]), "inner blocks first");
        assert!(!s.course, "au5 wants completed and passed");
        let s = satisfaction(&course, &records(&[(2, "p"), (1, "c"), (5, "c")]));
        assert!(!s.course);
        let s = satisfaction(&course, &records(&[(2, "p"), (1, "c"), (5, "cp")]));
        assert!(s.course);
        // Waiving stands in for any moveOn.
        let s = satisfaction(&course, &records(&[(2, "w"), (1, "w"), (5, "w")]));
        assert_eq!(
            s,
            Satisfaction {
                blocks: ids(&["A1", "A", "B"]),
                course: true
            }
        );
        // Records of AUs the course does not have change nothing.
        let s = satisfaction(&course, &records(&[(9, "cp")]));
        assert_eq!(s.blocks, ids(&["B"]));
    }

    #[test]
    fn lists_only_what_is_newly_satisfied() {
        let course = nested();
        let mut written = HashSet::new();
        let now = newly_satisfied(&course, &HashMap::new(), &written);
        assert_eq!(
            now,
            [Satisfied {
                level: Level::Block,
                publisher_id: "https://e.com/B",
                title: "Block B"
            }]
        );
        written.extend(now.iter().map(|s| s.publisher_id.to_string()));
        assert!(newly_satisfied(&course, &HashMap::new(), &written).is_empty());
        let all = records(&[(2, "p"), (1, "c"), (5, "cp")]);
        let now: Vec<(Level, &str)> = newly_satisfied(&course, &all, &written)
            .iter()
            .map(|s| (s.level, s.publisher_id))
            .collect();
        assert_eq!(
            now,
            [
                (Level::Block, "https://e.com/A1"),
                (Level::Block, "https://e.com/A"),
                (Level::Course, "https://e.com/course"),
            ]
        );
    }

    #[test]
    fn rolls_up_the_complex_example() {
        let Some(dir) = super::super::structure::tests::corpus() else {
            return;
        };
        let xml = std::fs::read_to_string(dir.join("spec/examples/complex-cmi5.xml")).unwrap();
        let course = parse(&xml).unwrap();
        let block =
            |n: &str| format!("http://courses.example.edu/identifiers/courses/d07e186b/blocks/{n}");
        // Its Proterozoic block holds only NotApplicable AUs: satisfied from the start.
        let s = satisfaction(&course, &HashMap::new());
        assert_eq!(
            s,
            Satisfaction {
                blocks: vec![block("003-001-002")],
                course: false
            }
        );
        let everything: HashMap<String, AuRecord> = course
            .aus()
            .iter()
            .map(|a| (a.id.clone(), record("cp")))
            .collect();
        let s = satisfaction(&course, &everything);
        assert_eq!(s.blocks.len(), 6);
        assert_eq!(s.blocks.last(), Some(&block("003")));
        assert!(s.course);
    }

    fn envelope(actor: &Value) -> Envelope<'_> {
        Envelope {
            id: "0c3f1a52-5b8e-4e5e-9d56-6c2d0c3e8a10",
            actor,
            registration: "760e3480-ba55-4991-94b0-01820dbd23a2",
            session_id: "session-1",
            timestamp: Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap(),
        }
    }

    const AU: AuObject = AuObject {
        activity_id: "https://lyceum.example/cmi5/au/17",
        publisher_id: "https://example.com/au",
    };

    fn categories(statement: &Value) -> Vec<&str> {
        statement["context"]["contextActivities"]["category"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn writes_launched() {
        let actor = json!({ "objectType": "Agent", "account": { "homePage": "https://lyceum.example", "name": "42" } });
        let launch = Launch {
            mode: LaunchMode::Normal,
            url: "https://lyceum.example/cmi5/content/9/index.html?pages=1",
            move_on: MoveOn::CompletedOrPassed,
            mastery_score: Some(0.3),
            launch_parameters: Some("mode=1"),
        };
        let st = launched_statement(&envelope(&actor), &AU, &launch);
        assert_eq!(st["id"], "0c3f1a52-5b8e-4e5e-9d56-6c2d0c3e8a10");
        assert_eq!(st["timestamp"], "2024-05-01T10:00:00.000Z");
        assert_eq!(st["actor"], actor);
        assert_eq!(st["verb"]["id"], VERB_LAUNCHED);
        assert_eq!(st["object"]["id"], AU.activity_id);
        let context = &st["context"];
        assert_eq!(
            context["registration"],
            "760e3480-ba55-4991-94b0-01820dbd23a2"
        );
        assert_eq!(
            context["contextActivities"]["grouping"][0]["id"],
            AU.publisher_id
        );
        assert_eq!(categories(&st), [CMI5_CATEGORY]);
        let extensions = &context["extensions"];
        assert_eq!(extensions[SESSION_EXTENSION], "session-1");
        assert_eq!(extensions[LAUNCH_MODE_EXTENSION], "Normal");
        assert_eq!(extensions[LAUNCH_URL_EXTENSION], launch.url);
        assert_eq!(extensions[MOVEON_EXTENSION], "CompletedOrPassed");
        assert_eq!(extensions[MASTERY_EXTENSION], 0.3);
        assert_eq!(extensions[LAUNCH_PARAMETERS_EXTENSION], "mode=1");
        assert!(st.get("result").is_none());
        // Without a masteryScore or launch parameters, their extensions are left out.
        let bare = Launch {
            mastery_score: None,
            launch_parameters: None,
            ..launch
        };
        let st = launched_statement(&envelope(&actor), &AU, &bare);
        assert!(st["context"]["extensions"].get(MASTERY_EXTENSION).is_none());
        assert!(
            st["context"]["extensions"]
                .get(LAUNCH_PARAMETERS_EXTENSION)
                .is_none()
        );
    }

    #[test]
    fn writes_abandoned_and_waived() {
        let actor = json!({ "account": { "homePage": "https://lyceum.example", "name": "42" } });
        let st = abandoned_statement(&envelope(&actor), &AU, TimeDelta::milliseconds(3_723_450));
        assert_eq!(st["verb"]["id"], VERB_ABANDONED);
        assert_eq!(st["result"], json!({ "duration": "PT1H2M3.45S" }));
        assert_eq!(categories(&st), [CMI5_CATEGORY]);
        assert_eq!(st["context"]["extensions"][SESSION_EXTENSION], "session-1");

        let st = waived_statement(&envelope(&actor), &AU, "Administrative");
        assert_eq!(st["verb"]["id"], VERB_WAIVED);
        assert_eq!(st["object"]["id"], AU.activity_id);
        assert_eq!(
            st["result"],
            json!({ "success": true, "completion": true, "extensions": { REASON_EXTENSION: "Administrative" } })
        );
        assert_eq!(categories(&st), [CMI5_CATEGORY, MOVEON_CATEGORY]);
    }

    #[test]
    fn writes_satisfied() {
        let actor = json!({ "account": { "homePage": "https://lyceum.example", "name": "42" } });
        let course = nested();
        let written = HashSet::new();
        let all = records(&[(2, "p"), (1, "c"), (5, "cp")]);
        let now = newly_satisfied(&course, &all, &written);
        let block = now.iter().find(|s| s.level == Level::Block).unwrap();
        let st = satisfied_statement(
            &envelope(&actor),
            "https://lyceum.example/cmi5/block/3",
            block,
        );
        assert_eq!(st["verb"]["id"], VERB_SATISFIED);
        assert_eq!(st["object"]["id"], "https://lyceum.example/cmi5/block/3");
        assert_eq!(st["object"]["definition"]["type"], BLOCK_ACTIVITY_TYPE);
        assert_eq!(st["object"]["definition"]["name"]["und"], "Block A1");
        assert_eq!(
            st["context"]["contextActivities"]["grouping"][0]["id"],
            "https://e.com/A1"
        );
        assert_eq!(
            categories(&st),
            [CMI5_CATEGORY],
            "no moveOn category without a result"
        );
        assert!(st.get("result").is_none());
        let whole = now.last().unwrap();
        let st = satisfied_statement(
            &envelope(&actor),
            "https://lyceum.example/cmi5/course/1",
            whole,
        );
        assert_eq!(st["object"]["definition"]["type"], COURSE_ACTIVITY_TYPE);
        assert_eq!(
            st["context"]["contextActivities"]["grouping"][0]["id"],
            "https://e.com/course"
        );
    }

    #[test]
    fn formats_durations() {
        let ms = TimeDelta::milliseconds;
        assert_eq!(iso_duration(ms(0)), "PT0S");
        assert_eq!(iso_duration(ms(-5_000)), "PT0S");
        assert_eq!(iso_duration(ms(4)), "PT0S");
        assert_eq!(iso_duration(ms(5)), "PT0.01S");
        assert_eq!(iso_duration(ms(1_500)), "PT1.5S");
        assert_eq!(iso_duration(ms(60_000)), "PT1M");
        assert_eq!(iso_duration(ms(3_600_000)), "PT1H");
        assert_eq!(iso_duration(ms(3_600_050)), "PT1H0.05S");
        assert_eq!(iso_duration(ms(90_061_000)), "PT25H1M1S");
    }
}
