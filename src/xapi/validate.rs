//! Checks an xAPI statement as a client sends it (xAPI 1.0.3 and 2.0): the structure and every
//! value format the specification and the ADL conformance suite require, with a message naming the
//! offending property.

use super::agent;
use super::statement::{Invalid, Version};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde_json::{Map, Value};

/// The verb of a voiding statement.
pub const VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

const STATEMENT_KEYS: &[&str] = &[
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
];
// A SubStatement has no id, stored, version or authority of its own.
const SUBSTATEMENT_KEYS: &[&str] = &[
    "objectType",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "attachments",
];
const CONTEXT_KEYS_V1: &[&str] = &[
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "revision",
    "platform",
    "language",
    "statement",
    "extensions",
];
const CONTEXT_KEYS_V2: &[&str] = &[
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "revision",
    "platform",
    "language",
    "statement",
    "extensions",
    "contextAgents",
    "contextGroups",
];
/// The keys of `context.contextActivities`.
pub const CONTEXT_ACTIVITY_KINDS: &[&str] = &["parent", "grouping", "category", "other"];
const DEFINITION_KEYS: &[&str] = &[
    "name",
    "description",
    "type",
    "moreInfo",
    "extensions",
    "interactionType",
    "correctResponsesPattern",
    "choices",
    "scale",
    "source",
    "target",
    "steps",
];
/// The lists of interaction components an Activity definition may carry.
pub const COMPONENT_LISTS: &[&str] = &["choices", "scale", "source", "target", "steps"];
/// Each interaction type with the component lists it uses (no other list is allowed with it).
const INTERACTION_TYPES: &[(&str, &[&str])] = &[
    ("true-false", &[]),
    ("choice", &["choices"]),
    ("fill-in", &[]),
    ("long-fill-in", &[]),
    ("matching", &["source", "target"]),
    ("performance", &["steps"]),
    ("sequencing", &["choices"]),
    ("likert", &["scale"]),
    ("numeric", &[]),
    ("other", &[]),
];
const ATTACHMENT_KEYS: &[&str] = &[
    "usageType",
    "display",
    "description",
    "contentType",
    "length",
    "sha2",
    "fileUrl",
];

/// Checks one statement as sent by a client (not yet stored) against every rule of `version`.
pub fn validate(statement: &Value, version: Version) -> Result<(), Invalid> {
    let map = object(statement, "statement")?;
    known(map, "", STATEMENT_KEYS)?;
    if let Some(id) = string(map, "id", "")? {
        check_uuid(id, "id")?;
    }
    check_body(map, "", false, version)?;
    if let Some(stored) = string(map, "stored", "")? {
        check_timestamp(stored, "stored", version)?;
    }
    if let Some(authority) = map.get("authority") {
        agent::check_authority(authority, "authority")?;
    }
    if let Some(text) = string(map, "version", "")? {
        let known_version = match version {
            Version::V1 => is_version(text, "1.0"),
            Version::V2 => is_version(text, "1.0") || is_version(text, "2.0"),
        };
        if !known_version {
            let allowed = match version {
                Version::V1 => "1.0 or 1.0.x",
                Version::V2 => "1.0, 1.0.x, 2.0 or 2.0.x",
            };
            return Err(invalid("version", format!("must be {allowed}")));
        }
    }
    // Only a statement (not a SubStatement) voids: its object names the statement voided.
    let verb = map
        .get("verb")
        .and_then(|v| v.get("id"))
        .and_then(Value::as_str);
    let object_type = map
        .get("object")
        .and_then(|o| o.get("objectType"))
        .and_then(Value::as_str);
    if verb == Some(VOIDED) && object_type != Some("StatementRef") {
        return Err(invalid(
            "object",
            "a voiding statement's object must be a StatementRef",
        ));
    }
    Ok(())
}

/// What statements and SubStatements share: actor, verb, object, result, context,
/// timestamp, attachments.
fn check_body(
    map: &Map<String, Value>,
    path: &str,
    sub: bool,
    version: Version,
) -> Result<(), Invalid> {
    agent::check_actor(required(map, "actor", path)?, &child(path, "actor"))?;
    check_verb(required(map, "verb", path)?, &child(path, "verb"))?;
    let object_is_activity = check_object(
        required(map, "object", path)?,
        &child(path, "object"),
        sub,
        version,
    )?;
    if let Some(result) = map.get("result") {
        check_result(result, &child(path, "result"))?;
    }
    if let Some(context) = map.get("context") {
        check_context(
            context,
            &child(path, "context"),
            object_is_activity,
            version,
        )?;
    }
    if let Some(timestamp) = string(map, "timestamp", path)? {
        check_timestamp(timestamp, &child(path, "timestamp"), version)?;
    }
    if let Some(attachments) = map.get("attachments") {
        let path = child(path, "attachments");
        let list = array(attachments, &path)?;
        for (i, attachment) in list.iter().enumerate() {
            check_attachment(attachment, &item(&path, i))?;
        }
    }
    Ok(())
}

/// Checks the object; whether it is an Activity.
fn check_object(value: &Value, path: &str, sub: bool, version: Version) -> Result<bool, Invalid> {
    let map = object(value, path)?;
    match string(map, "objectType", path)? {
        None | Some("Activity") => {
            check_activity(map, path)?;
            Ok(true)
        }
        Some("Agent") => {
            agent::check_agent(map, path)?;
            Ok(false)
        }
        Some("Group") => {
            agent::check_group(map, path)?;
            Ok(false)
        }
        Some("StatementRef") => {
            check_statement_ref(map, path)?;
            Ok(false)
        }
        Some("SubStatement") if sub => Err(invalid(
            &child(path, "objectType"),
            "a SubStatement cannot contain a SubStatement",
        )),
        Some("SubStatement") => {
            known(map, path, SUBSTATEMENT_KEYS)?;
            check_body(map, path, true, version)?;
            Ok(false)
        }
        Some(other) => Err(invalid(
            &child(path, "objectType"),
            format!("must be Activity, Agent, Group, StatementRef or SubStatement, not {other:?}"),
        )),
    }
}

fn check_result(value: &Value, path: &str) -> Result<(), Invalid> {
    let map = object(value, path)?;
    known(
        map,
        path,
        &[
            "score",
            "success",
            "completion",
            "response",
            "duration",
            "extensions",
        ],
    )?;
    if let Some(score) = map.get("score") {
        check_score(score, &child(path, "score"))?;
    }
    for key in ["success", "completion"] {
        if map.get(key).is_some_and(|v| !v.is_boolean()) {
            return Err(invalid(&child(path, key), "must be true or false"));
        }
    }
    string(map, "response", path)?;
    if let Some(duration) = string(map, "duration", path)?
        && !is_duration(duration)
    {
        return Err(invalid(
            &child(path, "duration"),
            "must be an ISO 8601 duration such as PT1H30M or P4W",
        ));
    }
    if let Some(value) = map.get("extensions") {
        check_extensions(value, &child(path, "extensions"))?;
    }
    Ok(())
}

fn check_score(value: &Value, path: &str) -> Result<(), Invalid> {
    let map = object(value, path)?;
    known(map, path, &["scaled", "raw", "min", "max"])?;
    let number = |key: &str| -> Result<Option<f64>, Invalid> {
        match map.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| invalid(&child(path, key), "must be a number")),
        }
    };
    let (scaled, raw, min, max) = (
        number("scaled")?,
        number("raw")?,
        number("min")?,
        number("max")?,
    );
    if scaled.is_some_and(|s| !(-1.0..=1.0).contains(&s)) {
        return Err(invalid(&child(path, "scaled"), "must be between -1 and 1"));
    }
    if let (Some(min), Some(max)) = (min, max)
        && min >= max
    {
        return Err(invalid(&child(path, "min"), "must be less than max"));
    }
    if let Some(raw) = raw {
        if min.is_some_and(|min| raw < min) {
            return Err(invalid(&child(path, "raw"), "must not be less than min"));
        }
        if max.is_some_and(|max| raw > max) {
            return Err(invalid(&child(path, "raw"), "must not be more than max"));
        }
    }
    Ok(())
}

fn check_context(
    value: &Value,
    path: &str,
    object_is_activity: bool,
    version: Version,
) -> Result<(), Invalid> {
    let map = object(value, path)?;
    known(
        map,
        path,
        match version {
            Version::V1 => CONTEXT_KEYS_V1,
            Version::V2 => CONTEXT_KEYS_V2,
        },
    )?;
    if let Some(registration) = string(map, "registration", path)? {
        check_uuid(registration, &child(path, "registration"))?;
    }
    if let Some(instructor) = map.get("instructor") {
        agent::check_actor(instructor, &child(path, "instructor"))?;
    }
    if let Some(team) = map.get("team") {
        let team_path = child(path, "team");
        if agent::check_actor(team, &team_path)? != agent::Kind::Group {
            return Err(invalid(&team_path, "must be a Group"));
        }
    }
    if let Some(activities) = map.get("contextActivities") {
        check_context_activities(activities, &child(path, "contextActivities"))?;
    }
    // Revision and platform only make sense for an Activity.
    for key in ["revision", "platform"] {
        if string(map, key, path)?.is_some() && !object_is_activity {
            return Err(invalid(
                &child(path, key),
                "is only allowed when the statement's object is an Activity",
            ));
        }
    }
    if let Some(language) = string(map, "language", path)?
        && !is_language_tag(language)
    {
        return Err(invalid(
            &child(path, "language"),
            "must be an RFC 5646 language tag",
        ));
    }
    if let Some(statement) = map.get("statement") {
        let path = child(path, "statement");
        let reference = object(statement, &path)?;
        if string(reference, "objectType", &path)? != Some("StatementRef") {
            return Err(invalid(&child(&path, "objectType"), "must be StatementRef"));
        }
        check_statement_ref(reference, &path)?;
    }
    if let Some(value) = map.get("extensions") {
        check_extensions(value, &child(path, "extensions"))?;
    }
    if let Some(list) = map.get("contextAgents") {
        check_context_members(list, &child(path, "contextAgents"), "contextAgent", "agent")?;
    }
    if let Some(list) = map.get("contextGroups") {
        check_context_members(list, &child(path, "contextGroups"), "contextGroup", "group")?;
    }
    Ok(())
}

fn check_context_activities(value: &Value, path: &str) -> Result<(), Invalid> {
    let map = object(value, path)?;
    known(map, path, CONTEXT_ACTIVITY_KINDS)?;
    for (kind, value) in map {
        let path = child(path, kind);
        // A single Activity is allowed and stored as a list of one.
        let list = match value {
            Value::Array(list) => list
                .iter()
                .enumerate()
                .map(|(i, a)| (item(&path, i), a))
                .collect(),
            other => vec![(path.clone(), other)],
        };
        for (path, value) in list {
            let activity_map = object(value, &path)?;
            match string(activity_map, "objectType", &path)? {
                None | Some("Activity") => check_activity(activity_map, &path)?,
                Some(_) => {
                    return Err(invalid(&child(&path, "objectType"), "must be Activity"));
                }
            }
        }
    }
    Ok(())
}

/// xAPI 2.0's contextAgents and contextGroups: `{objectType, agent|group, relevantTypes}`.
fn check_context_members(
    value: &Value,
    path: &str,
    object_type: &str,
    member: &str,
) -> Result<(), Invalid> {
    for (i, entry) in array(value, path)?.iter().enumerate() {
        let path = item(path, i);
        let map = object(entry, &path)?;
        if string(map, "objectType", &path)? != Some(object_type) {
            return Err(invalid(
                &child(&path, "objectType"),
                format!("must be {object_type}"),
            ));
        }
        known(map, &path, &["objectType", member, "relevantTypes"])?;
        let member_path = child(&path, member);
        let kind = agent::check_actor(required(map, member, &path)?, &member_path)?;
        match (member, kind) {
            ("agent", agent::Kind::Group) => {
                return Err(invalid(&member_path, "must be an Agent"));
            }
            ("group", agent::Kind::Agent) => {
                return Err(invalid(&member_path, "must be a Group"));
            }
            _ => {}
        }
        if let Some(types) = map.get("relevantTypes") {
            let types_path = child(&path, "relevantTypes");
            let list = array(types, &types_path)?;
            if list.is_empty() {
                return Err(invalid(&types_path, "must not be empty"));
            }
            for (j, relevant) in list.iter().enumerate() {
                check_iri(relevant, &item(&types_path, j))?;
            }
        }
    }
    Ok(())
}

fn check_timestamp(text: &str, path: &str, version: Version) -> Result<(), Invalid> {
    if parse_timestamp(text, version).is_some() {
        return Ok(());
    }
    Err(invalid(
        path,
        match version {
            Version::V1 => "must be an ISO 8601 date and time (an offset of -00:00 is not allowed)",
            Version::V2 => "must be an RFC 3339 timestamp with an offset (-00:00 is not allowed)",
        },
    ))
}

fn check_attachment(value: &Value, path: &str) -> Result<(), Invalid> {
    let map = object(value, path)?;
    known(map, path, ATTACHMENT_KEYS)?;
    check_iri(required(map, "usageType", path)?, &child(path, "usageType"))?;
    check_language_map(required(map, "display", path)?, &child(path, "display"))?;
    if let Some(description) = map.get("description") {
        check_language_map(description, &child(path, "description"))?;
    }
    let content_type = required(map, "contentType", path)?;
    if !content_type.as_str().is_some_and(is_media_type) {
        return Err(invalid(
            &child(path, "contentType"),
            "must be an Internet media type such as text/plain",
        ));
    }
    if !required(map, "length", path)?.is_u64() {
        return Err(invalid(
            &child(path, "length"),
            "must be a whole number of octets",
        ));
    }
    let sha2 = required(map, "sha2", path)?;
    if !sha2
        .as_str()
        .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(invalid(
            &child(path, "sha2"),
            "must be a hexadecimal SHA-2 hash",
        ));
    }
    if let Some(url) = string(map, "fileUrl", path)?
        && !is_irl(url)
    {
        return Err(invalid(&child(path, "fileUrl"), "must be an absolute IRL"));
    }
    Ok(())
}

fn check_verb(value: &Value, path: &str) -> Result<(), Invalid> {
    let map = object(value, path)?;
    known(map, path, &["id", "display"])?;
    check_iri(required(map, "id", path)?, &child(path, "id"))?;
    if let Some(display) = map.get("display") {
        check_language_map(display, &child(path, "display"))?;
    }
    Ok(())
}

/// An Activity (as object or context activity): `objectType` is known to be absent or "Activity".
fn check_activity(map: &Map<String, Value>, path: &str) -> Result<(), Invalid> {
    known(map, path, &["objectType", "id", "definition"])?;
    check_iri(required(map, "id", path)?, &child(path, "id"))?;
    if let Some(definition) = map.get("definition") {
        check_definition(definition, &child(path, "definition"))?;
    }
    Ok(())
}

fn check_definition(value: &Value, path: &str) -> Result<(), Invalid> {
    let map = object(value, path)?;
    known(map, path, DEFINITION_KEYS)?;
    for key in ["name", "description"] {
        if let Some(text) = map.get(key) {
            check_language_map(text, &child(path, key))?;
        }
    }
    if let Some(kind) = map.get("type") {
        check_iri(kind, &child(path, "type"))?;
    }
    if let Some(more) = string(map, "moreInfo", path)?
        && !is_irl(more)
    {
        return Err(invalid(&child(path, "moreInfo"), "must be an absolute IRL"));
    }
    if let Some(extensions) = map.get("extensions") {
        check_extensions(extensions, &child(path, "extensions"))?;
    }
    let interaction = string(map, "interactionType", path)?;
    let lists: &[&str] = match interaction {
        None => {
            if let Some(key) = COMPONENT_LISTS
                .iter()
                .chain(&["correctResponsesPattern"])
                .find(|key| map.contains_key(**key))
            {
                return Err(invalid(&child(path, key), "needs an interactionType"));
            }
            &[]
        }
        Some(kind) => INTERACTION_TYPES
            .iter()
            .find(|(name, _)| *name == kind)
            .map(|(_, lists)| *lists)
            .ok_or_else(|| {
                invalid(
                    &child(path, "interactionType"),
                    "must be one of true-false, choice, fill-in, long-fill-in, matching, \
                     performance, sequencing, likert, numeric, other",
                )
            })?,
    };
    if let Some(pattern) = map.get("correctResponsesPattern") {
        let pattern_path = child(path, "correctResponsesPattern");
        for (i, response) in array(pattern, &pattern_path)?.iter().enumerate() {
            if !response.is_string() {
                return Err(invalid(&item(&pattern_path, i), "must be a string"));
            }
        }
    }
    for key in COMPONENT_LISTS {
        let Some(list) = map.get(*key) else { continue };
        let list_path = child(path, key);
        if !lists.contains(key) {
            return Err(invalid(
                &list_path,
                format!(
                    "is not used by the interactionType {:?}",
                    interaction.unwrap_or("")
                ),
            ));
        }
        let mut ids: Vec<&str> = Vec::new();
        for (i, component) in array(list, &list_path)?.iter().enumerate() {
            let component_path = item(&list_path, i);
            let component_map = object(component, &component_path)?;
            known(component_map, &component_path, &["id", "description"])?;
            let Some(id) = string(component_map, "id", &component_path)? else {
                return Err(invalid(&child(&component_path, "id"), "is required"));
            };
            if ids.contains(&id) {
                return Err(invalid(
                    &child(&component_path, "id"),
                    format!("{id:?} is used twice in {key}"),
                ));
            }
            ids.push(id);
            if let Some(description) = component_map.get("description") {
                check_language_map(description, &child(&component_path, "description"))?;
            }
        }
    }
    Ok(())
}

/// `{objectType: "StatementRef", id: UUID}`.
fn check_statement_ref(map: &Map<String, Value>, path: &str) -> Result<(), Invalid> {
    known(map, path, &["objectType", "id"])?;
    let Some(id) = string(map, "id", path)? else {
        return Err(invalid(&child(path, "id"), "is required"));
    };
    check_uuid(id, &child(path, "id"))
}

// ---- building blocks ---------------------------------------------------------------------------

/// An error at `path` ("" for the value as a whole).
pub(super) fn invalid(path: &str, message: impl std::fmt::Display) -> Invalid {
    if path.is_empty() {
        Invalid(message.to_string())
    } else {
        Invalid(format!("{path}: {message}"))
    }
}

pub(super) fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub(super) fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

pub(super) fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, Invalid> {
    value
        .as_object()
        .ok_or_else(|| invalid(path, "must be a JSON object"))
}

fn array<'a>(value: &'a Value, path: &str) -> Result<&'a Vec<Value>, Invalid> {
    value
        .as_array()
        .ok_or_else(|| invalid(path, "must be an array"))
}

pub(super) fn required<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a Value, Invalid> {
    map.get(key)
        .ok_or_else(|| invalid(&child(path, key), "is required"))
}

/// The property `key` if present, which must then be a string.
pub(super) fn string<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, Invalid> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(invalid(&child(path, key), "must be a string")),
    }
}

/// Rejects properties xAPI does not define here (names are case-sensitive) and properties set
/// to null (allowed only as extension values, which are not checked with this).
pub(super) fn known(map: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<(), Invalid> {
    for (key, value) in map {
        if !allowed.contains(&key.as_str()) {
            return Err(invalid(
                &child(path, key),
                "is not a property xAPI allows here",
            ));
        }
        if value.is_null() {
            return Err(invalid(&child(path, key), "must not be null"));
        }
    }
    Ok(())
}

fn check_uuid(text: &str, path: &str) -> Result<(), Invalid> {
    if is_uuid(text) {
        Ok(())
    } else {
        Err(invalid(
            path,
            "must be a UUID (8-4-4-4-12 hexadecimal digits)",
        ))
    }
}

fn check_iri(value: &Value, path: &str) -> Result<(), Invalid> {
    if value.as_str().is_some_and(is_iri) {
        Ok(())
    } else {
        Err(invalid(path, "must be an absolute IRI (with a scheme)"))
    }
}

/// `{language tag: string}`.
fn check_language_map(value: &Value, path: &str) -> Result<(), Invalid> {
    let map = object(value, path)?;
    for (tag, text) in map {
        if !is_language_tag(tag) {
            return Err(invalid(
                &child(path, tag),
                "is not an RFC 5646 language tag",
            ));
        }
        if !text.is_string() {
            return Err(invalid(&child(path, tag), "must be a string"));
        }
    }
    Ok(())
}

/// `{IRI: any JSON, null included}`.
fn check_extensions(value: &Value, path: &str) -> Result<(), Invalid> {
    let map = object(value, path)?;
    match map.keys().find(|key| !is_iri(key)) {
        Some(key) => Err(invalid(
            &child(path, key),
            "an extension's key must be an absolute IRI",
        )),
        None => Ok(()),
    }
}

// ---- value formats (also for the resources' parameters) ----------------------------------------

/// A UUID in its standard string form, any version or variant, either case.
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// An absolute IRI: a scheme (RFC 3986 syntax), a colon, something after it, and no characters
/// IRIs exclude (whitespace, controls, `<>"{}|\^` and backtick).
pub fn is_iri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut scheme_chars = scheme.chars();
    scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !text.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        })
}

/// An IRI that is also a URL (parses as one once internationalised parts are encoded).
pub fn is_irl(text: &str) -> bool {
    is_iri(text) && url::Url::parse(text).is_ok()
}

/// `mailto:` and an email address (local part, `@`, a domain of dot-separated labels).
pub fn is_mbox(text: &str) -> bool {
    let Some(address) = text.strip_prefix("mailto:") else {
        return false;
    };
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '@'))
        && domain.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// "1.0" for `major_minor` "1.0", or "1.0.<digits>".
pub(super) fn is_version(text: &str, major_minor: &str) -> bool {
    match text.strip_prefix(major_minor) {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix('.')
            .is_some_and(|patch| !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit())),
        None => false,
    }
}

/// `type/subtype` with optional parameters, as in Content-Type.
fn is_media_type(text: &str) -> bool {
    let essence = text.split(';').next().unwrap_or_default().trim();
    let token = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-*'{}|~`".contains(c))
    };
    essence
        .split_once('/')
        .is_some_and(|(kind, subtype)| token(kind) && token(subtype))
}

/// An ISO 8601 duration (4.4.3.2): `PnW`, or `PnYnMnDTnHnMnS` with any components present in
/// that order (at least one; `T` only before time components). Only the last component may have
/// a decimal fraction.
pub fn is_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    if let Some(weeks) = rest.strip_suffix('W') {
        return is_duration_number(weeks, true);
    }
    let (date, time) = match rest.split_once('T') {
        Some((_, "")) => return false,
        Some((date, time)) => (date, time),
        None => (rest, ""),
    };
    let (Some(mut numbers), Some(time_numbers)) = (
        duration_components(date, &['Y', 'M', 'D']),
        duration_components(time, &['H', 'M', 'S']),
    ) else {
        return false;
    };
    numbers.extend(time_numbers);
    let last = numbers.len().saturating_sub(1);
    !numbers.is_empty()
        && numbers
            .iter()
            .enumerate()
            .all(|(i, number)| is_duration_number(number, i == last))
}

/// The numbers of `text` made of `<number><unit>` pairs, units in the order given, each at most
/// once.
fn duration_components<'a>(text: &'a str, units: &[char]) -> Option<Vec<&'a str>> {
    let mut numbers = Vec::new();
    let mut rest = text;
    let mut allowed = units;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))?;
        let (number, tail) = rest.split_at_checked(end)?;
        let mut chars = tail.chars();
        let unit = chars.next()?;
        let position = allowed.iter().position(|u| *u == unit)?;
        allowed = allowed.get(position + 1..)?;
        numbers.push(number);
        rest = chars.as_str();
    }
    Some(numbers)
}

fn is_duration_number(text: &str, fraction_allowed: bool) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    match text.split_once(['.', ',']) {
        None => digits(text),
        Some((whole, fraction)) => fraction_allowed && digits(whole) && digits(fraction),
    }
}

/// A well-formed RFC 5646 language tag (any case): language (with up to three extended
/// language subtags), script, region, variants, extensions and private use, or a private-use or
/// grandfathered tag.
pub fn is_language_tag(tag: &str) -> bool {
    const GRANDFATHERED: &[&str] = &[
        "en-GB-oed",
        "i-ami",
        "i-bnn",
        "i-default",
        "i-enochian",
        "i-hak",
        "i-klingon",
        "i-lux",
        "i-mingo",
        "i-navajo",
        "i-pwn",
        "i-tao",
        "i-tay",
        "i-tsu",
        "sgn-BE-FR",
        "sgn-BE-NL",
        "sgn-CH-DE",
        "art-lojban",
        "cel-gaulish",
        "no-bok",
        "no-nyn",
        "zh-guoyu",
        "zh-hakka",
        "zh-min",
        "zh-min-nan",
        "zh-xiang",
    ];
    if GRANDFATHERED.iter().any(|g| g.eq_ignore_ascii_case(tag)) {
        return true;
    }
    let parts: Vec<&str> = tag.split('-').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return false;
    }
    let alpha = |p: &str| p.bytes().all(|b| b.is_ascii_alphabetic());
    let digit = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mut rest = parts.as_slice();
    let private_use = |rest: &[&str]| rest.len() > 1 && rest.iter().skip(1).all(|p| !p.is_empty());
    match rest.first() {
        Some(first) if first.eq_ignore_ascii_case("x") => return private_use(rest),
        Some(language) if alpha(language) && (2..=3).contains(&language.len()) => {
            rest = rest.get(1..).unwrap_or_default();
            // Up to three extended language subtags (three letters each).
            for _ in 0..3 {
                match rest.first() {
                    Some(ext) if ext.len() == 3 && alpha(ext) => {
                        rest = rest.get(1..).unwrap_or_default()
                    }
                    _ => break,
                }
            }
        }
        Some(language) if alpha(language) && (4..=8).contains(&language.len()) => {
            rest = rest.get(1..).unwrap_or_default();
        }
        _ => return false,
    }
    if rest.first().is_some_and(|p| p.len() == 4 && alpha(p)) {
        rest = rest.get(1..).unwrap_or_default();
    }
    if rest
        .first()
        .is_some_and(|p| (p.len() == 2 && alpha(p)) || (p.len() == 3 && digit(p)))
    {
        rest = rest.get(1..).unwrap_or_default();
    }
    while rest.first().is_some_and(|p| {
        (5..=8).contains(&p.len())
            || (p.len() == 4 && p.bytes().next().is_some_and(|b| b.is_ascii_digit()))
    }) {
        rest = rest.get(1..).unwrap_or_default();
    }
    // Extensions: a singleton (not x) and one or more subtags of two to eight characters.
    while let Some(singleton) = rest.first() {
        if singleton.len() != 1 || singleton.eq_ignore_ascii_case("x") {
            break;
        }
        let count = rest
            .iter()
            .skip(1)
            .take_while(|p| (2..=8).contains(&p.len()))
            .count();
        if count == 0 {
            return false;
        }
        rest = rest.get(1 + count..).unwrap_or_default();
    }
    match rest.first() {
        None => true,
        Some(x) if x.eq_ignore_ascii_case("x") => private_use(rest),
        Some(_) => false,
    }
}

/// A parsed timestamp: the instant and how many fractional second digits were sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    pub instant: DateTime<Utc>,
    pub fraction_digits: usize,
}

impl Timestamp {
    /// RFC 3339 in UTC with `digits` fractional digits (at most 9).
    pub fn utc_text(&self, digits: usize) -> String {
        let base = self.instant.format("%Y-%m-%dT%H:%M:%S");
        if digits == 0 {
            return format!("{base}Z");
        }
        let nanos = format!("{:09}", self.instant.timestamp_subsec_nanos());
        let fraction = nanos.get(..digits.min(9)).unwrap_or(&nanos);
        format!("{base}.{fraction}Z")
    }
}

/// A timestamp as the version allows it. 2.0: RFC 3339 (`T`, seconds, an offset). 1.0.x: ISO 8601
/// extended or basic format, seconds and offset optional (without an offset UTC is assumed). Both
/// reject the "unknown local offset" -00:00 (also -00 and -0000).
pub fn parse_timestamp(text: &str, version: Version) -> Option<Timestamp> {
    let (date, time) = text.split_once(['T', 't'])?;
    let extended = date.contains('-');
    if version == Version::V2 && !extended {
        return None;
    }
    let date_digits: String = if extended {
        let parts: Vec<&str> = date.split('-').collect();
        if parts.iter().zip([4, 2, 2]).all(|(p, len)| p.len() == len) && parts.len() == 3 {
            parts.concat()
        } else {
            return None;
        }
    } else {
        date.to_string()
    };
    if date_digits.len() != 8 || !date_digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = date_digits.get(0..4)?.parse().ok()?;
    let month: u32 = date_digits.get(4..6)?.parse().ok()?;
    let day: u32 = date_digits.get(6..8)?.parse().ok()?;

    let (clock, offset_minutes) = split_offset(time, version, extended)?;
    // RFC 3339 has only the decimal point; ISO 8601 also the comma.
    if version == Version::V2 && clock.contains(',') {
        return None;
    }
    let (clock, fraction) = match clock.split_once(['.', ',']) {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (clock, None),
    };
    let fields: Vec<&str> = if extended {
        clock.split(':').collect()
    } else {
        let mut fields = Vec::new();
        let mut rest = clock;
        while let Some((field, tail)) = rest.split_at_checked(2) {
            fields.push(field);
            rest = tail;
        }
        if !rest.is_empty() {
            return None;
        }
        fields
    };
    let minimum_fields = if version == Version::V2 { 3 } else { 2 };
    if fields.len() < minimum_fields
        || fields.len() > 3
        || fields
            .iter()
            .any(|f| f.len() != 2 || !f.bytes().all(|b| b.is_ascii_digit()))
        || (fraction.is_some() && fields.len() != 3)
    {
        return None;
    }
    let number = |i: usize| fields.get(i).and_then(|f| f.parse::<u32>().ok());
    let (hour, minute, second) = (number(0)?, number(1)?, number(2).unwrap_or(0));
    let (nanos, fraction_digits) = match fraction {
        None => (0, 0),
        Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => return None,
        Some(f) => {
            let nine: String = f.chars().chain(std::iter::repeat('0')).take(9).collect();
            (nine.parse::<u32>().ok()?, f.len())
        }
    };
    if second > 59 {
        return None;
    }
    let local = NaiveDate::from_ymd_opt(year, month, day)?
        .and_hms_nano_opt(hour, minute, second, nanos)?
        .and_utc();
    let instant = local.checked_sub_signed(TimeDelta::try_minutes(offset_minutes)?)?;
    Some(Timestamp {
        instant,
        fraction_digits,
    })
}

/// The clock part and the offset in minutes east of UTC.
fn split_offset(time: &str, version: Version, extended: bool) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(sign_at) = time.rfind(['+', '-']) else {
        // ISO 8601 allows local time; 1.0.x LRSs take it as UTC. RFC 3339 requires an offset.
        return (version == Version::V1).then_some((time, 0));
    };
    let (clock, offset) = time.split_at_checked(sign_at)?;
    let negative = offset.starts_with('-');
    let digits = offset.get(1..)?;
    let (hours, minutes) = match (digits.len(), digits.split_once(':')) {
        (5, Some((h, m))) if extended => (h, m),
        // ±hhmm belongs to the basic format, but 1.0.x clients send it with extended ones too.
        (4, None) if version == Version::V1 => digits.split_at_checked(2)?,
        (2, None) if version == Version::V1 => (digits, "00"),
        _ => return None,
    };
    if !(hours.len() == 2
        && minutes.len() == 2
        && hours
            .bytes()
            .chain(minutes.bytes())
            .all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (hours, minutes): (i64, i64) = (hours.parse().ok()?, minutes.parse().ok()?);
    if hours > 23 || minutes > 59 || (negative && hours == 0 && minutes == 0) {
        return None;
    }
    let total = hours * 60 + minutes;
    Some((clock, if negative { -total } else { total }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    fn statement() -> Value {
        json!({
            "actor": {"objectType": "Agent", "name": "xAPI mbox", "mbox": "mailto:xapi@adlnet.gov"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended", "en-US": "attended"}},
            "object": {"objectType": "Activity", "id": "http://www.example.com/meetings/occurances/34534"}
        })
    }

    /// The statement with `value` at the JSON pointer `pointer` (parents created as objects).
    fn with(pointer: &str, value: Value) -> Value {
        let mut s = statement();
        let mut target = &mut s;
        let keys: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
        let (last, parents) = keys.split_last().unwrap();
        for key in parents {
            target = target
                .as_object_mut()
                .unwrap()
                .entry(key.to_string())
                .or_insert_with(|| json!({}));
        }
        target
            .as_object_mut()
            .unwrap()
            .insert(last.to_string(), value);
        s
    }

    fn ok(s: &Value, version: Version) {
        if let Err(e) = validate(s, version) {
            panic!("rejected {s}: {}", e.0);
        }
    }

    fn bad(s: &Value, version: Version) {
        assert!(validate(s, version).is_err(), "accepted {s}");
    }

    /// Cases of the ADL LRS conformance suite (configs over templates/statements/default.json),
    /// by their names there: (version, accepted, suite test, pointer, value).
    #[test]
    fn conformance_suite_samples() {
        let choice = json!({"objectType": "Activity", "id": "http://www.example.com/meetings/categories/teammeeting",
            "definition": {"name": {"en": "Choice"}, "description": {"en": "Which of these prototypes are available at the beta site?"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction", "moreInfo": "http://virtualmeeting.example.com/345256",
                "interactionType": "choice", "correctResponsesPattern": ["golf[,]tetris"],
                "choices": [{"id": "golf", "description": {"en-US": "Golf Example"}}, {"id": "tetris", "description": {"en-US": "Tetris Example"}}],
                "extensions": {"http://example.com/profiles/meetings/extension/location": "X:\\meetings\\minutes\\examplemeeting.one"}}});
        let substatement = json!({"objectType": "SubStatement",
            "actor": {"objectType": "Agent", "name": "xAPI mbox_sha1sum", "mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/reported", "display": {"en-GB": "reported", "en-US": "reported"}},
            "object": {"objectType": "Activity", "id": "http://www.example.com/meetings/occurances/34534"}});
        let oauth = |members: Value| json!({"objectType": "Group", "member": members});
        let app = json!({"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}});
        let user = json!({"mbox": "mailto:bob@example.com"});
        let (v1, v2) = (Version::V1, Version::V2);
        let cases = [
            (
                v1,
                true,
                "should pass statement activity choice template",
                "/object",
                choice.clone(),
            ),
            (
                v1,
                true,
                "should pass statement SubStatement template",
                "/object",
                substatement.clone(),
            ),
            (
                v2,
                true,
                "statement authority anonymous group with two members is accepted",
                "/authority",
                oauth(json!([app, user])),
            ),
            (
                v2,
                true,
                "Statement \"template\" valid RFC 3339 date in timestamp",
                "/timestamp",
                json!("2008-09-15T15:53:00.601+00:00"),
            ),
            (
                v1,
                true,
                "statement result \"duration\" property is valid with \"P4W\"",
                "/result/duration",
                json!("P4W"),
            ),
            (
                v2,
                true,
                "statement \"version\" valid 1.0.9",
                "/version",
                json!("1.0.9"),
            ),
            (
                v1,
                false,
                "statement activity \"interactionType\" fails with invalid iri",
                "/object/definition/interactionType",
                json!("ab=c://should.fail.com"),
            ),
            (
                v1,
                false,
                "... did not reject statement timestmap with -00:00 offset",
                "/timestamp",
                json!("2008-09-15T15:53:00.601-00:00"),
            ),
            (
                v2,
                false,
                "statement \"authority\" invalid three member",
                "/authority",
                oauth(json!([app, user, {"mbox": "mailto:james@example.com"}])),
            ),
            (
                v2,
                false,
                "should fail statement authority identified group (mbox)",
                "/authority",
                json!({"objectType": "Group", "name": "Group Identified", "mbox": "mailto:xapi@adlnet.gov"}),
            ),
            (
                v1,
                false,
                "statement result \"duration\" property is invalid with \"P4W1D\"",
                "/result/duration",
                json!("P4W1D"),
            ),
            (
                v1,
                false,
                "statement result \"raw\" rejects raw greater than max",
                "/result/score",
                json!({"raw": 101, "min": 0, "max": 100}),
            ),
            (
                v1,
                false,
                "statement \"id\" invalid UUID with too many digits",
                "/id",
                json!("AA97B177-9383-4934-8543-0F91A7A028368"),
            ),
            (
                v1,
                false,
                "statement verb voided does not use object \"StatementRef\"",
                "/verb/id",
                json!(VOIDED),
            ),
            (
                v1,
                false,
                "statement object \"name\" should fail given invalid language code",
                "/object/definition/name/something",
                json!("x"),
            ),
            (
                v1,
                false,
                "... activity extensions key is not an IRI",
                "/object/definition/extensions/should fail",
                json!(true),
            ),
            (
                v1,
                false,
                "statement actor \"agent mbox\" not mailto:email address",
                "/actor/mbox",
                json!("mailto:should.fail.com"),
            ),
            (
                v1,
                false,
                "statement context \"team\" is agent",
                "/context/team",
                json!({"objectType": "Agent", "mbox": "mailto:xapi@adlnet.gov"}),
            ),
            (
                v2,
                false,
                "... \"contextAgents\" ... if \"relevantTypes\" is empty",
                "/context/contextAgents",
                json!([{"objectType": "contextAgent", "agent": {"objectType": "Agent", "mbox": "mailto:player-1@example.com"}, "relevantTypes": []}]),
            ),
            (
                v1,
                false,
                "statement \"version\" invalid 1.1.0",
                "/version",
                json!("1.1.0"),
            ),
        ];
        for (version, accepted, name, pointer, value) in cases {
            let result = validate(&with(pointer, value), version);
            assert_eq!(result.is_ok(), accepted, "{name}: {result:?}");
        }
        let mut with_substatement_agent = with("/object", substatement);
        with_substatement_agent["object"]["object"] = json!({"mbox": "mailto:xapi@adlnet.gov"});
        bad(&with_substatement_agent, v1); // "substatement should fail when using agent as object and no objectType"
        let mut choice_without_type = choice;
        choice_without_type["definition"]
            .as_object_mut()
            .unwrap()
            .remove("interactionType");
        bad(&with("/object", choice_without_type), v1); // "Activity Definition uses choices without interactionType"
    }

    #[test]
    fn accepts_a_minimal_statement_in_both_versions() {
        ok(&statement(), Version::V1);
        ok(&statement(), Version::V2);
    }

    #[test]
    fn top_level_properties_are_known_case_sensitive_and_not_null() {
        bad(
            &with("/Actor", json!({"mbox": "mailto:a@b.c"})),
            Version::V1,
        );
        bad(&with("/objectType", json!("Statement")), Version::V2);
        bad(&with("/result", Value::Null), Version::V2);
        let mut missing = statement();
        missing.as_object_mut().unwrap().remove("verb");
        let e = validate(&missing, Version::V1).unwrap_err();
        assert_eq!(e.0, "verb: is required");
        bad(&json!([statement()]), Version::V1);
    }

    #[test]
    fn ids_are_uuids_in_standard_form() {
        ok(
            &with("/id", json!("FD41C918-B88B-4B20-A0A5-A4C32391AAA0")),
            Version::V1,
        );
        bad(
            &with("/id", json!("AA97B177-9383-4934-8543-0F91A7A028368")),
            Version::V1,
        );
        bad(
            &with("/id", json!("MA97B177-9383-4934-8543-0F91A7A02836")),
            Version::V1,
        );
        bad(
            &with("/id", json!("fd41c918b88b4b20a0a5a4c32391aaa0")),
            Version::V1,
        );
        bad(&with("/id", json!(12345)), Version::V1);
    }

    #[test]
    fn verbs_need_an_iri_and_a_language_map() {
        bad(
            &with("/verb/id", json!("adlnet.gov/expapi/verbs/attended")),
            Version::V1,
        );
        bad(&with("/verb/display", json!("attended")), Version::V1);
        bad(
            &with("/verb/display/a12345", json!("attended")),
            Version::V1,
        );
        bad(&with("/verb/display/en-US", Value::Null), Version::V1);
        bad(&with("/verb/extra", json!("x")), Version::V1);
    }

    #[test]
    fn a_voiding_statement_voids_a_statement_ref() {
        let voiding = with("/verb/id", json!(VOIDED));
        bad(&voiding, Version::V1);
        let mut voiding = voiding;
        voiding["object"] =
            json!({"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"});
        ok(&voiding, Version::V1);
    }

    #[test]
    fn objects_by_type() {
        bad(&with("/object/objectType", json!("activity")), Version::V1);
        bad(
            &with(
                "/object",
                json!({"id": "http://example.com/a", "mbox": "mailto:a@b.c"}),
            ),
            Version::V1,
        );
        bad(
            &with("/object", json!({"objectType": "StatementRef"})),
            Version::V1,
        );
        bad(
            &with(
                "/object",
                json!({"objectType": "StatementRef", "id": "nope"}),
            ),
            Version::V1,
        );
        // An Agent as object needs its objectType (else it is read as an Activity).
        bad(
            &with("/object", json!({"mbox": "mailto:a@b.c"})),
            Version::V1,
        );
        ok(
            &with(
                "/object",
                json!({"objectType": "Agent", "mbox": "mailto:a@b.c"}),
            ),
            Version::V1,
        );
        ok(
            &with(
                "/object",
                json!({"objectType": "Group", "mbox": "mailto:a@b.c"}),
            ),
            Version::V1,
        );
        let sub = json!({"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"},
            "verb": {"id": "http://example.com/v"}, "object": {"id": "http://example.com/a"}});
        ok(&with("/object", sub.clone()), Version::V2);
        for forbidden in ["id", "stored", "version", "authority"] {
            let mut s = sub.clone();
            s[forbidden] = json!("1.0.0");
            bad(&with("/object", s), Version::V2);
        }
        let mut nested = sub.clone();
        nested["object"] = sub;
        bad(&with("/object", nested), Version::V2);
    }

    #[test]
    fn activity_definitions() {
        let definition = |d: Value| with("/object/definition", d);
        ok(&definition(json!({})), Version::V1);
        ok(
            &definition(
                json!({"name": {"de-DE": "x"}, "description": {"zh-Hant": "y"},
            "type": "http://adlnet.gov/expapi/activities/meeting", "moreInfo": "http://example.com/m",
            "extensions": {"http://example.com/e": null}}),
            ),
            Version::V1,
        );
        bad(&definition(json!({"name": "x"})), Version::V1);
        bad(&definition(json!({"type": "meeting"})), Version::V1);
        bad(
            &definition(json!({"moreInfo": "virtualmeeting.example.com/345256"})),
            Version::V1,
        );
        bad(
            &definition(json!({"extensions": {"should fail": true}})),
            Version::V1,
        );
        bad(&definition(json!("definition")), Version::V1);
        let choice = json!({"interactionType": "choice", "correctResponsesPattern": ["golf[,]tetris"],
            "choices": [{"id": "golf", "description": {"en-US": "Golf"}}, {"id": "tetris"}]});
        ok(&definition(choice.clone()), Version::V1);
        let mut no_type = choice.clone();
        no_type.as_object_mut().unwrap().remove("interactionType");
        bad(&definition(no_type), Version::V1);
        let mut wrong_case = choice.clone();
        wrong_case["interactionType"] = json!("choiCe");
        bad(&definition(wrong_case), Version::V1);
        let mut wrong_list = choice.clone();
        wrong_list["scale"] = json!([{"id": "a"}]);
        bad(&definition(wrong_list), Version::V1);
        let mut twice = choice.clone();
        twice["choices"] = json!([{"id": "a"}, {"id": "a"}]);
        bad(&definition(twice), Version::V1);
        let mut no_id = choice;
        no_id["choices"] = json!([{"description": {"en": "a"}}]);
        bad(&definition(no_id), Version::V1);
        bad(
            &definition(json!({"interactionType": "numeric", "correctResponsesPattern": [4]})),
            Version::V1,
        );
        ok(
            &definition(
                json!({"interactionType": "matching", "source": [{"id": "a"}], "target": [{"id": "1"}]}),
            ),
            Version::V1,
        );
        ok(
            &definition(json!({"interactionType": "performance", "steps": [{"id": "a"}]})),
            Version::V1,
        );
    }

    #[test]
    fn results_and_scores() {
        ok(
            &with(
                "/result",
                json!({"score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100},
            "success": true, "completion": false, "response": "r", "duration": "PT1H0M0S",
            "extensions": {"http://example.com/e": {}}}),
            ),
            Version::V1,
        );
        bad(&with("/result/success", json!("true")), Version::V1);
        bad(&with("/result/completion", json!("false")), Version::V1);
        bad(&with("/result/response", json!(12345)), Version::V1);
        bad(&with("/result/duration", json!("PA1H0M0S")), Version::V1);
        bad(&with("/result/extensions", json!("x")), Version::V1);
        bad(&with("/result/score", json!(12345)), Version::V1);
        bad(&with("/result/score/scaled", json!(1.01)), Version::V1);
        bad(&with("/result/score/scaled", json!("0.5")), Version::V1);
        bad(
            &with("/result", json!({"score": {"raw": 101, "max": 100}})),
            Version::V1,
        );
        bad(
            &with("/result", json!({"score": {"raw": -1, "min": 0}})),
            Version::V1,
        );
        bad(
            &with("/result", json!({"score": {"min": 10, "max": 5}})),
            Version::V1,
        );
        ok(
            &with(
                "/result",
                json!({"score": {"scaled": 1.0, "raw": 100.6767676, "max": 100.6767676}}),
            ),
            Version::V1,
        );
    }

    #[test]
    fn durations() {
        for good in [
            "PT4H35M59.14S",
            "P3Y1M29DT4H35M59.14S",
            "P4W",
            "PT1H0M0.1S",
            "P1D",
            "PT0S",
            "P1DT12H36M0.12567S",
            "P0.5Y",
        ] {
            assert!(is_duration(good), "{good}");
        }
        for bad in [
            "P4W1D", "PA1H0M0S", "P", "PT", "P1H", "PT1D", "P1.5YT1H", "P1M1Y", "1H", "P1DT",
            "P-1D", "PT1.S",
        ] {
            assert!(!is_duration(bad), "{bad}");
        }
    }

    #[test]
    fn contexts() {
        let context = |c: Value| with("/context", c);
        ok(
            &context(
                json!({"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "instructor": {"mbox": "mailto:i@example.com"},
            "team": {"objectType": "Group", "mbox": "mailto:t@example.com"},
            "contextActivities": {"parent": {"id": "http://example.com/p"}, "other": [{"id": "http://example.com/o"}]},
            "revision": "r1", "platform": "p", "language": "tlh",
            "statement": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
            "extensions": {"http://example.com/e": 1}}),
            ),
            Version::V1,
        );
        bad(&context(json!({"registration": "x"})), Version::V1);
        bad(
            &context(json!({"team": {"mbox": "mailto:t@example.com"}})),
            Version::V1,
        );
        bad(&context(json!({"instructor": "x"})), Version::V1);
        bad(
            &context(json!({"contextActivities": {"sibling": {"id": "http://example.com/p"}}})),
            Version::V1,
        );
        bad(
            &context(
                json!({"contextActivities": {"parent": [{"id": "http://example.com/p", "key": 1}]}}),
            ),
            Version::V1,
        );
        bad(&context(json!({"contextActivities": "x"})), Version::V1);
        bad(&context(json!({"revision": 5})), Version::V1);
        bad(&context(json!({"language": "something"})), Version::V1);
        bad(
            &context(json!({"statement": {"id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}})),
            Version::V1,
        );
        let mut on_agent = context(json!({"platform": "p"}));
        on_agent["object"] = json!({"objectType": "Agent", "mbox": "mailto:a@b.c"});
        bad(&on_agent, Version::V1);
        let mut on_activity = context(json!({"revision": "r"}));
        on_activity["object"] = json!({"id": "http://example.com/a"});
        ok(&on_activity, Version::V1);
    }

    #[test]
    fn context_agents_and_groups_are_2_0_only() {
        let agents = with(
            "/context/contextAgents",
            json!([{"objectType": "contextAgent",
            "agent": {"mbox": "mailto:p@example.com"}, "relevantTypes": ["http://example.com/t"]}]),
        );
        ok(&agents, Version::V2);
        bad(&agents, Version::V1);
        let groups = with(
            "/context/contextGroups",
            json!([{"objectType": "contextGroup",
            "group": {"objectType": "Group", "member": [{"mbox": "mailto:p@example.com"}]},
            "relevantTypes": ["http://example.com/t"]}]),
        );
        ok(&groups, Version::V2);
        bad(
            &with(
                "/context/contextAgents",
                json!([{"objectType": "Should fail", "agent": {"mbox": "mailto:p@example.com"}}]),
            ),
            Version::V2,
        );
        bad(
            &with(
                "/context/contextAgents",
                json!([{"objectType": "contextAgent", "agent": {"key": "x"}}]),
            ),
            Version::V2,
        );
        bad(
            &with(
                "/context/contextAgents",
                json!([{"objectType": "contextAgent", "agent": {"mbox": "mailto:p@example.com"}, "relevantTypes": []}]),
            ),
            Version::V2,
        );
        bad(
            &with(
                "/context/contextAgents",
                json!([{"objectType": "contextAgent", "agent": {"mbox": "mailto:p@example.com"}, "relevantTypes": ["abc"]}]),
            ),
            Version::V2,
        );
        bad(
            &with(
                "/context/contextGroups",
                json!([{"objectType": "contextGroup", "group": {"mbox": "mailto:p@example.com"}}]),
            ),
            Version::V2,
        );
        bad(&with("/context/contextAgents", json!({})), Version::V2);
    }

    #[test]
    fn timestamps_by_version() {
        for good in [
            "2008-09-15T15:53:00.601Z",
            "2008-09-15T15:53:00.601+00:00",
            "2008-09-15T15:53:00-05:00",
            "2013-05-18T05:32:34.80412345678Z",
        ] {
            assert!(parse_timestamp(good, Version::V2).is_some(), "{good}");
            assert!(parse_timestamp(good, Version::V1).is_some(), "{good}");
        }
        for v1_only in [
            "2008-09-15T15:53Z",
            "20080915T155300Z",
            "2008-09-15T15:53:00",
            "2008-09-15T15:53:00+05",
            "2008-09-15T15:53:00.5+0530",
            "20080915T155300+0530",
            "2008-09-15T15:53:00,5Z",
        ] {
            assert!(parse_timestamp(v1_only, Version::V1).is_some(), "{v1_only}");
            assert!(parse_timestamp(v1_only, Version::V2).is_none(), "{v1_only}");
        }
        for never in [
            "should fail",
            "01/011/2015",
            "2008-09-15T15:53:00.601-00",
            "2008-09-15T15:53:00.601-0000",
            "2008-09-15T15:53:00.601-00:00",
            "2008-02-30T00:00:00Z",
            "2008-09-15T25:00:00Z",
            "2008-09-15",
            "2008-09-15T15:53:00.Z",
        ] {
            assert!(parse_timestamp(never, Version::V1).is_none(), "{never}");
            assert!(parse_timestamp(never, Version::V2).is_none(), "{never}");
        }
        let t = parse_timestamp("2023-05-04T12:00:00.1234-05:00", Version::V2).unwrap();
        assert_eq!(t.fraction_digits, 4);
        assert_eq!(t.utc_text(4), "2023-05-04T17:00:00.1234Z");
        assert_eq!(t.utc_text(0), "2023-05-04T17:00:00Z");
        bad(
            &with("/timestamp", json!("2008-09-15T15:53:00")),
            Version::V2,
        );
        ok(
            &with("/timestamp", json!("2008-09-15T15:53:00")),
            Version::V1,
        );
        bad(&with("/stored", json!("yesterday")), Version::V1);
    }

    #[test]
    fn versions() {
        for (text, v1, v2) in [
            ("1.0", true, true),
            ("1.0.9", true, true),
            ("1.0.3", true, true),
            ("2.0.0", false, true),
            ("2.0", false, true),
            ("1.1.0", false, false),
            ("0.9.9", false, false),
            ("should fail", false, false),
            ("1.0.", false, false),
        ] {
            let s = with("/version", json!(text));
            assert_eq!(validate(&s, Version::V1).is_ok(), v1, "{text}");
            assert_eq!(validate(&s, Version::V2).is_ok(), v2, "{text}");
        }
    }

    #[test]
    fn attachments() {
        let attachment = json!({"usageType": "http://example.com/attachment-usage/test",
            "display": {"en-US": "A test attachment"}, "description": {"es-MX": "Una prueba"},
            "contentType": "text/plain; charset=ascii", "length": 27,
            "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
            "fileUrl": "http://over.there.com/file.txt"});
        ok(
            &with("/attachments", json!([attachment.clone()])),
            Version::V1,
        );
        bad(&with("/attachments", attachment.clone()), Version::V1);
        bad(&with("/attachments", json!(["should fail"])), Version::V1);
        for (key, value) in [
            ("usageType", json!("should fail")),
            ("contentType", json!(12345)),
            ("length", json!("27")),
            ("length", json!(2.5)),
            ("sha2", json!(12345)),
            ("fileUrl", json!("over.there.com/file.txt")),
            ("display", json!("x")),
            ("description", json!({"a12345678": "x"})),
        ] {
            let mut a = attachment.clone();
            a[key] = value;
            bad(&with("/attachments", json!([a])), Version::V1);
        }
        let mut no_display = attachment;
        no_display.as_object_mut().unwrap().remove("display");
        bad(&with("/attachments", json!([no_display])), Version::V1);
    }

    #[test]
    fn language_tags() {
        for good in [
            "en",
            "de",
            "tlh",
            "cmn",
            "en-US",
            "zh-Hant",
            "sr-Latn-RS",
            "zh-Hans-CN",
            "es-419",
            "sr-Cyrl",
            "de-CH-1901",
            "en-a-bbb-x-a-ccc",
            "x-whatever",
            "i-klingon",
            "EN-us",
            "zh-yue-HK",
            "sl-rozaj-biske",
        ] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in [
            "",
            "a12345",
            "a12345678",
            "something",
            "en-something-AU",
            "zh-something-ccc",
            "s-something",
            "en-",
            "en--US",
            "e",
            "en_US",
            "en-US-x",
            "en-a",
            "123",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn iris_and_irls() {
        for good in [
            "http://example.com/a",
            "urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
            "mailto:a@b.c",
            "http://例え.jp/パス",
        ] {
            assert!(is_iri(good), "{good}");
        }
        for bad in [
            "example.com/a",
            "ab=c://should.fail.com",
            "should fail",
            "http://a b",
            ":x",
            "1http://x",
            "http:",
        ] {
            assert!(!is_iri(bad), "{bad}");
        }
        assert!(is_irl("http://virtualmeeting.example.com/345256"));
        assert!(!is_irl("homePage.com/testUser"));
    }

    #[test]
    fn extensions_allow_any_value_but_need_iri_keys() {
        for value in [
            json!(null),
            json!(""),
            json!({}),
            json!(true),
            json!(12345),
            json!({"key": "valid"}),
        ] {
            ok(
                &with(
                    "/result/extensions",
                    json!({"http://example.com/ex": value}),
                ),
                Version::V1,
            );
        }
        bad(
            &with(
                "/context/extensions",
                json!({"example.com/extension/wrong": 1}),
            ),
            Version::V1,
        );
    }
}
