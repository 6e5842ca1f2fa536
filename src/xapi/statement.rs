//! Statements as the LRS keeps them: the xAPI version a request speaks, the preparation of a
//! valid statement for storage (what the LRS fills in, normal forms), the keys it is found by,
//! and whether two statements with one id are the same.

use super::agent::{actor_key, ifi_key, member_keys, normal_mbox};
use super::validate::{CONTEXT_ACTIVITY_KINDS, VOIDED, is_version, parse_timestamp, validate};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

/// The xAPI version of a request: 1.0.x or 2.0.x.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

impl Version {
    /// From the X-Experience-API-Version header: "1.0" or "1.0.x" is 1.0, "2.0" or "2.0.x" 2.0.
    pub fn from_header(h: &str) -> Result<Version, Invalid> {
        let h = h.trim();
        if is_version(h, "1.0") {
            Ok(Version::V1)
        } else if is_version(h, "2.0") {
            Ok(Version::V2)
        } else {
            Err(Invalid(format!(
                "{h:?} is not a version this LRS speaks (1.0.x or 2.0.x)"
            )))
        }
    }

    /// The version the LRS names in its answers.
    pub fn header(self) -> &'static str {
        match self {
            Version::V1 => "1.0.3",
            Version::V2 => "2.0.0",
        }
    }
}

/// Why a statement (or parameter) is refused: the property's path and the rule, e.g.
/// "actor.mbox: must be a mailto: IRI with an email address".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

/// A statement ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Lower-case hyphenated UUID: the client's, or a new (v4) one.
    pub id: String,
    /// As stored: id, stored, authority, timestamp (= stored when absent) and version (1.0.0 or
    /// 2.0.0 when absent) filled in; UUIDs (id, StatementRef ids, registration) in lower case;
    /// every contextActivities value a list; for 2.0 timestamps in UTC (with the precision sent),
    /// for 1.0.x the timestamp text as sent.
    pub statement: Value,
    pub keys: Keys,
}

/// What a stored statement is found by. Agent keys are those of [`super::agent::agent_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// The actor's key; for an anonymous Group the members' key of
    /// [`super::agent::actor_key`] ("group:<sha256>"), which no `agent` parameter names.
    pub actor: String,
    pub verb: String,
    pub object_activity: Option<String>,
    /// The object's key when it is an Agent or an identified Group.
    pub object_agent: Option<String>,
    /// The StatementRef's id (lower case) when the object is one.
    pub object_statement: Option<String>,
    /// context.registration, lower case.
    pub registration: Option<String>,
    /// The statement voided, when the verb is http://adlnet.gov/expapi/verbs/voided.
    pub voids: Option<String>,
    /// Every Activity id: the object, the context activities, and those of a SubStatement
    /// (`related_activities=true`).
    pub related_activities: Vec<String>,
    /// Every Agent and identified Group key: actor, object, authority, instructor, team, the
    /// members of any of these Groups, 2.0 contextAgents and contextGroups, and those of a
    /// SubStatement (`related_agents=true`). Anonymous Groups appear by their members only.
    pub related_agents: Vec<String>,
    /// What the plain `agent` parameter matches: the actor and object (Agents and identified
    /// Groups) and the members of a Group that is the actor or object (xAPI counts a Group whose
    /// members include the agent as a match).
    pub agents: Vec<String>,
    /// The timestamp in UTC, RFC 3339 with nine fractional digits (fixed width, so that text
    /// order is time order).
    pub timestamp: String,
}

/// Validates the statement and fills in what the LRS adds. `authority` replaces any the client
/// sent; `stored` is now.
pub fn prepare(
    statement: Value,
    version: Version,
    authority: &Value,
    stored: DateTime<Utc>,
) -> Result<Prepared, Invalid> {
    validate(&statement, version)?;
    let Value::Object(mut map) = statement else {
        return Err(Invalid("statement: must be a JSON object".to_string()));
    };
    let id = map
        .get("id")
        .and_then(Value::as_str)
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_ascii_lowercase);
    map.insert("id".to_string(), Value::String(id.clone()));
    normalise(&mut map, version);
    let stored = stored.to_rfc3339_opts(SecondsFormat::Millis, true);
    map.entry("timestamp")
        .or_insert_with(|| Value::String(stored.clone()));
    map.insert("stored".to_string(), Value::String(stored));
    map.insert("authority".to_string(), authority.clone());
    map.entry("version").or_insert_with(|| {
        Value::String(
            match version {
                Version::V1 => "1.0.0",
                Version::V2 => "2.0.0",
            }
            .to_string(),
        )
    });
    let statement = Value::Object(map);
    let keys = keys(&statement);
    Ok(Prepared {
        id,
        statement,
        keys,
    })
}

/// The normal forms of a statement or SubStatement (checked already).
fn normalise(map: &mut Map<String, Value>, version: Version) {
    // xAPI 2.0 stores timestamps in UTC; 1.0.x keeps them as sent.
    if version == Version::V2
        && let Some(Value::String(text)) = map.get_mut("timestamp")
        && let Some(timestamp) = parse_timestamp(text, version)
    {
        *text = timestamp.utc_text(timestamp.fraction_digits);
    }
    if let Some(object) = map.get_mut("object").and_then(Value::as_object_mut) {
        match object.get("objectType").and_then(Value::as_str) {
            Some("StatementRef") => lowercase(object, "id"),
            Some("SubStatement") => normalise(object, version),
            _ => {}
        }
    }
    if let Some(context) = map.get_mut("context").and_then(Value::as_object_mut) {
        lowercase(context, "registration");
        if let Some(reference) = context.get_mut("statement").and_then(Value::as_object_mut) {
            lowercase(reference, "id");
        }
        if let Some(activities) = context
            .get_mut("contextActivities")
            .and_then(Value::as_object_mut)
        {
            for list in activities.values_mut() {
                if !list.is_array() {
                    *list = Value::Array(vec![list.take()]);
                }
            }
        }
    }
}

fn lowercase(map: &mut Map<String, Value>, key: &str) {
    if let Some(Value::String(text)) = map.get_mut(key) {
        *text = text.to_lowercase();
    }
}

fn keys(statement: &Value) -> Keys {
    let text = |pointer: &str| statement.pointer(pointer).and_then(Value::as_str);
    let verb = text("/verb/id").unwrap_or_default().to_string();
    let object = statement.get("object");
    let object_type = text("/object/objectType").unwrap_or("Activity");
    let object_id = text("/object/id").map(str::to_string);
    let object_statement = (object_type == "StatementRef")
        .then(|| object_id.clone())
        .flatten();
    let is_agent = matches!(object_type, "Agent" | "Group");

    let mut agents = Vec::new();
    for actor in [statement.get("actor"), object.filter(|_| is_agent)]
        .into_iter()
        .flatten()
    {
        push_agent(actor, &mut agents);
    }
    let mut related_activities = Vec::new();
    activities(statement, &mut related_activities);
    let mut related_agents = Vec::new();
    if let Some(authority) = statement.get("authority") {
        push_agent(authority, &mut related_agents);
    }
    related(statement, &mut related_agents);

    Keys {
        actor: statement.get("actor").map(actor_key).unwrap_or_default(),
        object_activity: (object_type == "Activity")
            .then(|| object_id.clone())
            .flatten(),
        object_agent: object.filter(|_| is_agent).and_then(ifi_key),
        registration: text("/context/registration").map(str::to_string),
        voids: (verb == VOIDED).then(|| object_statement.clone()).flatten(),
        verb,
        object_statement,
        related_activities,
        related_agents,
        agents,
        timestamp: text("/timestamp").map(instant_text).unwrap_or_default(),
    }
}

fn push_unique(list: &mut Vec<String>, key: String) {
    if !list.contains(&key) {
        list.push(key);
    }
}

/// An Agent's or identified Group's key and the keys of a Group's members.
fn push_agent(actor: &Value, list: &mut Vec<String>) {
    for key in ifi_key(actor).into_iter().chain(member_keys(actor)) {
        push_unique(list, key);
    }
}

/// The Activity ids of a statement or SubStatement: object and context activities.
fn activities(body: &Value, list: &mut Vec<String>) {
    if let Some(object) = body.get("object") {
        match object.get("objectType").and_then(Value::as_str) {
            None | Some("Activity") => {
                if let Some(id) = object.get("id").and_then(Value::as_str) {
                    push_unique(list, id.to_string());
                }
            }
            Some("SubStatement") => activities(object, list),
            Some(_) => {}
        }
    }
    if let Some(context_activities) = body.pointer("/context/contextActivities") {
        for kind in CONTEXT_ACTIVITY_KINDS {
            let found: &[Value] = match context_activities.get(*kind) {
                Some(Value::Array(found)) => found,
                Some(one) => std::slice::from_ref(one),
                None => &[],
            };
            for activity in found {
                if let Some(id) = activity.get("id").and_then(Value::as_str) {
                    push_unique(list, id.to_string());
                }
            }
        }
    }
}

/// The agents of a statement or SubStatement (its authority aside).
fn related(body: &Value, list: &mut Vec<String>) {
    if let Some(actor) = body.get("actor") {
        push_agent(actor, list);
    }
    if let Some(object) = body.get("object") {
        match object.get("objectType").and_then(Value::as_str) {
            Some("Agent" | "Group") => push_agent(object, list),
            Some("SubStatement") => related(object, list),
            _ => {}
        }
    }
    let Some(context) = body.get("context") else {
        return;
    };
    for key in ["instructor", "team"] {
        if let Some(actor) = context.get(key) {
            push_agent(actor, list);
        }
    }
    for (key, member) in [("contextAgents", "agent"), ("contextGroups", "group")] {
        for entry in context
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(actor) = entry.get(member) {
                push_agent(actor, list);
            }
        }
    }
}

/// A timestamp as a fixed-width UTC text (the text itself if it does not parse).
fn instant_text(text: &str) -> String {
    // 1.0.x's timestamp syntax includes 2.0's.
    parse_timestamp(text, Version::V1).map_or_else(|| text.to_string(), |t| t.utc_text(9))
}

/// Whether two statements with the same id are the same for the LRS (a resend: no conflict).
/// Per xAPI's statement comparison, differences the LRS may cause are ignored: id case, stored,
/// authority, version, attachments, a timestamp the LRS filled in (equal to stored) or that
/// denotes the same instant, the case of UUIDs and email domains, Verb displays and Activity
/// definitions (not part of the statement), the order of Group members, a single context
/// activity against a list of one, number forms (1 and 1.0), and duration precision below
/// 0.01 s. Either side may be as stored or as sent.
pub fn same_statement(stored: &Value, sent: &Value) -> bool {
    let timestamps_agree = match (own_timestamp(stored), own_timestamp(sent)) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    timestamps_agree && comparable(stored) == comparable(sent)
}

/// The timestamp as an instant, unless absent or filled in by the LRS (then equal to stored).
fn own_timestamp(statement: &Value) -> Option<String> {
    let instant = instant_text(statement.get("timestamp")?.as_str()?);
    let stored = statement
        .get("stored")
        .and_then(Value::as_str)
        .map(instant_text);
    (stored.as_deref() != Some(instant.as_str())).then_some(instant)
}

fn comparable(statement: &Value) -> Value {
    let mut value = statement.clone();
    if let Some(map) = value.as_object_mut() {
        for key in [
            "id",
            "stored",
            "authority",
            "version",
            "timestamp",
            "attachments",
        ] {
            map.remove(key);
        }
        comparable_body(map);
    }
    numbers_as_floats(&mut value);
    value
}

fn comparable_body(map: &mut Map<String, Value>) {
    if let Some(verb) = map.get_mut("verb").and_then(Value::as_object_mut) {
        verb.remove("display");
    }
    if let Some(actor) = map.get_mut("actor") {
        comparable_agent(actor);
    }
    if let Some(object) = map.get_mut("object").and_then(Value::as_object_mut) {
        match object.get("objectType").and_then(Value::as_str) {
            None | Some("Activity") => {
                object.remove("definition");
            }
            Some("StatementRef") => lowercase(object, "id"),
            Some("SubStatement") => {
                object.remove("attachments");
                if let Some(Value::String(text)) = object.get_mut("timestamp") {
                    *text = instant_text(text);
                }
                comparable_body(object);
            }
            Some(_) => {
                let mut agent = Value::Object(std::mem::take(object));
                comparable_agent(&mut agent);
                if let Value::Object(agent) = agent {
                    *object = agent;
                }
            }
        }
    }
    if let Some(context) = map.get_mut("context").and_then(Value::as_object_mut) {
        lowercase(context, "registration");
        lowercase(context, "language");
        if let Some(reference) = context.get_mut("statement").and_then(Value::as_object_mut) {
            lowercase(reference, "id");
        }
        for key in ["instructor", "team"] {
            if let Some(actor) = context.get_mut(key) {
                comparable_agent(actor);
            }
        }
        for (key, member) in [("contextAgents", "agent"), ("contextGroups", "group")] {
            if let Some(Value::Array(entries)) = context.get_mut(key) {
                for actor in entries.iter_mut().filter_map(|e| e.get_mut(member)) {
                    comparable_agent(actor);
                }
            }
        }
        if let Some(activities) = context
            .get_mut("contextActivities")
            .and_then(Value::as_object_mut)
        {
            for list in activities.values_mut() {
                if !list.is_array() {
                    *list = Value::Array(vec![list.take()]);
                }
                for activity in list.as_array_mut().into_iter().flatten() {
                    if let Some(activity) = activity.as_object_mut() {
                        activity.remove("definition");
                    }
                }
            }
        }
    }
    if let Some(Value::String(duration)) = map.get_mut("result").and_then(|r| r.get_mut("duration"))
    {
        *duration = truncated_duration(duration);
    }
}

fn comparable_agent(actor: &mut Value) {
    let Some(map) = actor.as_object_mut() else {
        return;
    };
    if let Some(Value::String(mbox)) = map.get_mut("mbox") {
        *mbox = normal_mbox(mbox);
    }
    if let Some(Value::String(sum)) = map.get_mut("mbox_sha1sum") {
        *sum = sum.to_ascii_lowercase();
    }
    if let Some(Value::Array(members)) = map.get_mut("member") {
        members.iter_mut().for_each(comparable_agent);
        members.sort_by_cached_key(Value::to_string);
    }
}

/// A duration with the seconds' fraction cut to two digits (xAPI 2.0 ignores finer precision).
fn truncated_duration(text: &str) -> String {
    let Some((whole, fraction)) = text
        .strip_suffix('S')
        .and_then(|body| body.rsplit_once(['.', ',']))
    else {
        return text.to_string();
    };
    let kept = fraction.get(..2).unwrap_or(fraction).trim_end_matches('0');
    if kept.is_empty() {
        format!("{whole}S")
    } else {
        format!("{whole}.{kept}S")
    }
}

fn numbers_as_floats(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().and_then(serde_json::Number::from_f64) {
                *number = float;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(numbers_as_floats),
        Value::Object(map) => map.values_mut().for_each(numbers_as_floats),
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-03-01T10:20:30.456789Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn authority() -> Value {
        json!({"objectType": "Agent", "name": "LMS", "account": {"homePage": "https://lms.example.com", "name": "client-1"}})
    }

    fn statement() -> Value {
        json!({
            "actor": {"objectType": "Agent", "name": "xAPI mbox", "mbox": "mailto:xapi@adlnet.gov"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended", "en-US": "attended"}},
            "object": {"objectType": "Activity", "id": "http://www.example.com/meetings/occurances/34534"}
        })
    }

    #[test]
    fn versions_from_headers() {
        for (header, version) in [
            ("1.0", Version::V1),
            ("1.0.0", Version::V1),
            ("1.0.3", Version::V1),
            (" 1.0.2 ", Version::V1),
            ("2.0", Version::V2),
            ("2.0.0", Version::V2),
            ("2.0.7", Version::V2),
        ] {
            assert_eq!(Version::from_header(header).unwrap(), version, "{header}");
        }
        for header in [
            "", "1", "1.1", "1.1.0", "0.95", "2.1.0", "3.0.0", "1.0.x", "2.0.",
        ] {
            assert!(Version::from_header(header).is_err(), "{header}");
        }
        assert_eq!(Version::V1.header(), "1.0.3");
        assert_eq!(Version::V2.header(), "2.0.0");
        assert_eq!(Invalid("x: y".into()).to_string(), "x: y");
    }

    #[test]
    fn prepare_fills_in_what_the_lrs_adds() {
        let mut sent = statement();
        sent["id"] = json!("FD41C918-B88B-4B20-A0A5-A4C32391AAA0");
        sent["authority"] = json!({"mbox": "mailto:someone@else.com"});
        let p = prepare(sent, Version::V1, &authority(), now()).unwrap();
        assert_eq!(p.id, "fd41c918-b88b-4b20-a0a5-a4c32391aaa0");
        assert_eq!(p.statement["id"], json!(p.id));
        assert_eq!(p.statement["stored"], json!("2024-03-01T10:20:30.456Z"));
        assert_eq!(p.statement["timestamp"], json!("2024-03-01T10:20:30.456Z"));
        assert_eq!(p.statement["authority"], authority());
        assert_eq!(p.statement["version"], json!("1.0.0"));
        assert_eq!(p.keys.timestamp, "2024-03-01T10:20:30.456000000Z");

        let p = prepare(statement(), Version::V2, &authority(), now()).unwrap();
        assert!(uuid::Uuid::parse_str(&p.id).is_ok());
        assert_eq!(p.id, p.id.to_lowercase());
        assert_eq!(p.statement["version"], json!("2.0.0"));

        let mut versioned = statement();
        versioned["version"] = json!("1.0.3");
        let p = prepare(versioned, Version::V2, &authority(), now()).unwrap();
        assert_eq!(p.statement["version"], json!("1.0.3"));

        let mut invalid = statement();
        invalid["verb"]["id"] = json!("different value");
        assert!(prepare(invalid, Version::V1, &authority(), now()).is_err());
    }

    #[test]
    fn prepare_normalises_timestamps_by_version() {
        let mut sent = statement();
        sent["timestamp"] = json!("2023-05-04T12:00:00.12-05:00");
        let v1 = prepare(sent.clone(), Version::V1, &authority(), now()).unwrap();
        assert_eq!(
            v1.statement["timestamp"],
            json!("2023-05-04T12:00:00.12-05:00")
        );
        assert_eq!(v1.keys.timestamp, "2023-05-04T17:00:00.120000000Z");
        let v2 = prepare(sent, Version::V2, &authority(), now()).unwrap();
        assert_eq!(v2.statement["timestamp"], json!("2023-05-04T17:00:00.12Z"));

        let mut sub = statement();
        sub["object"] = json!({"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"},
            "verb": {"id": "http://example.com/v"}, "object": {"id": "http://example.com/a"},
            "timestamp": "2023-05-04T12:00:00+02:00"});
        let v2 = prepare(sub, Version::V2, &authority(), now()).unwrap();
        assert_eq!(
            v2.statement["object"]["timestamp"],
            json!("2023-05-04T10:00:00Z")
        );
    }

    #[test]
    fn prepare_lists_context_activities_and_lowercases_uuids() {
        let mut sent = statement();
        sent["context"] = json!({
            "registration": "EC531277-B57B-4C15-8D91-D292C5B2B8F7",
            "statement": {"objectType": "StatementRef", "id": "6690E6C9-3EF0-4ED3-8B37-7F3964730BEE"},
            "contextActivities": {"parent": {"id": "http://example.com/p"}, "other": [{"id": "http://example.com/o"}]}
        });
        sent["object"] = json!({"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"},
            "verb": {"id": "http://example.com/v"}, "object": {"objectType": "StatementRef", "id": "8F87CCDE-BB56-4C2E-AB83-44982EF22DF0"},
            "context": {"contextActivities": {"category": {"id": "http://example.com/c"}}}});
        let p = prepare(sent, Version::V1, &authority(), now()).unwrap();
        let context = &p.statement["context"];
        assert_eq!(
            context["registration"],
            json!("ec531277-b57b-4c15-8d91-d292c5b2b8f7")
        );
        assert_eq!(
            context["statement"]["id"],
            json!("6690e6c9-3ef0-4ed3-8b37-7f3964730bee")
        );
        assert_eq!(
            context["contextActivities"]["parent"],
            json!([{"id": "http://example.com/p"}])
        );
        assert_eq!(
            context["contextActivities"]["other"],
            json!([{"id": "http://example.com/o"}])
        );
        let sub = &p.statement["object"];
        assert_eq!(
            sub["object"]["id"],
            json!("8f87ccde-bb56-4c2e-ab83-44982ef22df0")
        );
        assert_eq!(
            sub["context"]["contextActivities"]["category"],
            json!([{"id": "http://example.com/c"}])
        );
        assert_eq!(
            p.keys.registration.as_deref(),
            Some("ec531277-b57b-4c15-8d91-d292c5b2b8f7")
        );
        assert_eq!(p.keys.object_statement, None);
        assert_eq!(
            p.keys.related_activities,
            vec![
                "http://example.com/c",
                "http://example.com/p",
                "http://example.com/o"
            ]
        );
    }

    #[test]
    fn keys_of_a_statement() {
        let mut sent = statement();
        sent["object"] = json!({"objectType": "Group", "mbox": "mailto:G@Example.com",
            "member": [{"mbox": "mailto:m1@example.com"}, {"openid": "http://o.example.org/m2"}]});
        sent["context"] = json!({
            "instructor": {"mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"},
            "team": {"objectType": "Group", "member": [{"mbox": "mailto:t1@example.com"}]},
            "contextAgents": [{"objectType": "contextAgent", "agent": {"mbox": "mailto:ca@example.com"}}],
            "contextGroups": [{"objectType": "contextGroup", "group": {"objectType": "Group", "account": {"homePage": "http://e.com", "name": "g"}}}]
        });
        let p = prepare(sent, Version::V2, &authority(), now()).unwrap();
        let k = &p.keys;
        assert_eq!(k.actor, "mbox:mailto:xapi@adlnet.gov");
        assert_eq!(k.verb, "http://adlnet.gov/expapi/verbs/attended");
        assert_eq!(k.object_activity, None);
        assert_eq!(k.object_agent.as_deref(), Some("mbox:mailto:G@example.com"));
        assert_eq!(k.voids, None);
        assert!(k.related_activities.is_empty());
        assert_eq!(
            k.agents,
            vec![
                "mbox:mailto:xapi@adlnet.gov",
                "mbox:mailto:G@example.com",
                "mbox:mailto:m1@example.com",
                "openid:http://o.example.org/m2"
            ]
        );
        assert_eq!(
            k.related_agents,
            vec![
                "account:https://lms.example.com client-1",
                "mbox:mailto:xapi@adlnet.gov",
                "mbox:mailto:G@example.com",
                "mbox:mailto:m1@example.com",
                "openid:http://o.example.org/m2",
                "mbox_sha1sum:cd9b00a5611f94eaa7b1661edab976068e364975",
                "mbox:mailto:t1@example.com",
                "mbox:mailto:ca@example.com",
                "account:http://e.com g",
            ]
        );
    }

    #[test]
    fn keys_of_voiding_and_substatements_and_anonymous_actors() {
        let mut voiding = statement();
        voiding["verb"] = json!({"id": VOIDED});
        voiding["object"] =
            json!({"objectType": "StatementRef", "id": "8F87CCDE-BB56-4C2E-AB83-44982EF22DF0"});
        let p = prepare(voiding, Version::V1, &authority(), now()).unwrap();
        assert_eq!(
            p.keys.voids.as_deref(),
            Some("8f87ccde-bb56-4c2e-ab83-44982ef22df0")
        );
        assert_eq!(
            p.keys.object_statement.as_deref(),
            Some("8f87ccde-bb56-4c2e-ab83-44982ef22df0")
        );

        let mut sub = statement();
        sub["actor"] = json!({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}, {"mbox": "mailto:b@example.com"}]});
        sub["object"] = json!({"objectType": "SubStatement", "actor": {"mbox": "mailto:s@example.com"},
            "verb": {"id": "http://example.com/v"}, "object": {"id": "http://example.com/inner"}});
        let p = prepare(sub, Version::V1, &authority(), now()).unwrap();
        assert!(p.keys.actor.starts_with("group:"));
        assert_eq!(p.keys.object_activity, None);
        assert_eq!(p.keys.related_activities, vec!["http://example.com/inner"]);
        assert_eq!(
            p.keys.agents,
            vec!["mbox:mailto:a@example.com", "mbox:mailto:b@example.com"]
        );
        assert!(
            p.keys
                .related_agents
                .contains(&"mbox:mailto:s@example.com".to_string())
        );
        assert!(
            !p.keys
                .related_agents
                .iter()
                .any(|k| k.starts_with("group:"))
        );
    }

    #[test]
    fn a_resent_statement_is_the_same() {
        let mut sent = statement();
        sent["id"] = json!("fd41c918-b88b-4b20-a0a5-a4c32391aaa0");
        sent["context"] = json!({"contextActivities": {"parent": {"id": "http://example.com/p", "definition": {"name": {"en": "P"}}}}});
        sent["result"] = json!({"score": {"raw": 1}, "duration": "P1DT12H36M0.1237S"});
        let first = prepare(sent.clone(), Version::V1, &authority(), now()).unwrap();
        let later = DateTime::parse_from_rfc3339("2024-03-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let again = prepare(
            sent.clone(),
            Version::V2,
            &json!({"mbox": "mailto:other@example.com"}),
            later,
        )
        .unwrap();
        assert!(same_statement(&first.statement, &again.statement));
        assert!(same_statement(&first.statement, &sent));

        let mut same = sent.clone();
        same["id"] = json!("FD41C918-B88B-4B20-A0A5-A4C32391AAA0");
        same["verb"]["display"] = json!({"fr": "a assisté"});
        same["context"]["contextActivities"]["parent"] = json!([{"id": "http://example.com/p"}]);
        same["result"] = json!({"score": {"raw": 1.0}, "duration": "P1DT12H36M0.12S"});
        same["actor"]["mbox"] = json!("mailto:xapi@ADLNET.gov");
        same["attachments"] = json!([]);
        assert!(same_statement(&first.statement, &same));

        let mut different = sent.clone();
        different["verb"]["id"] = json!("http://adlnet.gov/expapi/verbs/failed");
        assert!(!same_statement(&first.statement, &different));
        let mut different = sent.clone();
        different["result"]["duration"] = json!("P1DT12H36M0.13S");
        assert!(!same_statement(&first.statement, &different));
        let mut different = sent;
        different["actor"]["mbox"] = json!("mailto:XAPI@adlnet.gov");
        assert!(!same_statement(&first.statement, &different));
    }

    #[test]
    fn timestamps_compare_as_instants_unless_the_lrs_chose_them() {
        let mut sent = statement();
        sent["timestamp"] = json!("2023-05-04T12:00:00-05:00");
        let stored = prepare(sent.clone(), Version::V2, &authority(), now())
            .unwrap()
            .statement;
        let mut utc = sent.clone();
        utc["timestamp"] = json!("2023-05-04T17:00:00.000Z");
        assert!(same_statement(&stored, &utc));
        let mut later = sent;
        later["timestamp"] = json!("2023-05-04T17:00:01Z");
        assert!(!same_statement(&stored, &later));
        // The first had no timestamp: the LRS's (= stored) is not the client's.
        let unstamped = prepare(statement(), Version::V1, &authority(), now())
            .unwrap()
            .statement;
        assert!(same_statement(&unstamped, &later));
    }

    #[test]
    fn group_member_order_does_not_matter() {
        let mut a = statement();
        a["actor"] = json!({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}, {"mbox": "mailto:b@example.com"}]});
        let mut b = a.clone();
        b["actor"]["member"] =
            json!([{"mbox": "mailto:b@example.com"}, {"mbox": "mailto:a@example.com"}]);
        assert!(same_statement(&a, &b));
        b["actor"]["member"] = json!([{"mbox": "mailto:b@example.com"}]);
        assert!(!same_statement(&a, &b));
    }

    #[test]
    fn durations_truncate_to_hundredths() {
        assert_eq!(truncated_duration("P1DT12H36M0.12567S"), "P1DT12H36M0.12S");
        assert_eq!(truncated_duration("PT0.10S"), "PT0.1S");
        assert_eq!(truncated_duration("PT1.001S"), "PT1S");
        assert_eq!(truncated_duration("PT1S"), "PT1S");
        assert_eq!(truncated_duration("P4W"), "P4W");
    }
}
