//! The shapes GET /statements returns a stored statement in: `exact` (as stored), `ids` (only
//! what identifies Agents, Groups, Activities and Verbs) and `canonical` (one language in every
//! language map, chosen by Accept-Language).

use super::agent::IFIS;
use super::statement::Invalid;
use super::validate::COMPONENT_LISTS;
use serde_json::{Map, Value};

/// The `format` parameter of GET /statements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Exact,
    Ids,
    Canonical,
}

impl Format {
    pub fn parse(s: &str) -> Result<Format, Invalid> {
        match s {
            "exact" => Ok(Format::Exact),
            "ids" => Ok(Format::Ids),
            "canonical" => Ok(Format::Canonical),
            other => Err(Invalid(format!(
                "{other:?} is not one of exact, ids, canonical"
            ))),
        }
    }
}

/// The statement as GET returns it in `format`. `ids`: Agents and identified Groups keep their
/// objectType and IFI, anonymous Groups their objectType and members (each as an Agent in
/// `ids`), Activities only their id, Verbs only their id. `canonical`: every language map (Verb
/// display, Activity name and description, interaction components' descriptions, attachments'
/// display and description) keeps one language: the first of `languages` (Accept-Language tags in
/// order of preference) it has, else en-US, else en, else the first in sort order. (The canonical
/// Activity definition itself, if the LRS keeps one, is to be put in the statement before.)
pub fn format(statement: &Value, format: Format, languages: &[String]) -> Value {
    let mut shaped = statement.clone();
    if let Some(map) = shaped.as_object_mut() {
        match format {
            Format::Exact => {}
            Format::Ids => {
                ids_body(map);
                if let Some(authority) = map.get_mut("authority") {
                    ids_agent(authority);
                }
            }
            Format::Canonical => canonical_body(map, languages),
        }
    }
    shaped
}

fn object_type(value: &Value) -> Option<&str> {
    value.get("objectType").and_then(Value::as_str)
}

/// The statement or SubStatement in `ids`.
fn ids_body(map: &mut Map<String, Value>) {
    if let Some(actor) = map.get_mut("actor") {
        ids_agent(actor);
    }
    if let Some(verb) = map.get_mut("verb").and_then(Value::as_object_mut) {
        verb.retain(|key, _| key == "id");
    }
    if let Some(object) = map.get_mut("object") {
        match object_type(object) {
            None | Some("Activity") => ids_activity(object),
            Some("Agent" | "Group") => ids_agent(object),
            Some("SubStatement") => {
                if let Some(sub) = object.as_object_mut() {
                    ids_body(sub);
                }
            }
            Some(_) => {}
        }
    }
    let Some(context) = map.get_mut("context").and_then(Value::as_object_mut) else {
        return;
    };
    for key in ["instructor", "team"] {
        if let Some(actor) = context.get_mut(key) {
            ids_agent(actor);
        }
    }
    for (key, member) in [("contextAgents", "agent"), ("contextGroups", "group")] {
        if let Some(Value::Array(entries)) = context.get_mut(key) {
            entries
                .iter_mut()
                .filter_map(|entry| entry.get_mut(member))
                .for_each(ids_agent);
        }
    }
    for_each_context_activity(context, ids_activity);
}

fn ids_activity(activity: &mut Value) {
    if let Some(map) = activity.as_object_mut() {
        map.retain(|key, _| key == "id");
    }
}

fn ids_agent(actor: &mut Value) {
    let Some(map) = actor.as_object_mut() else {
        return;
    };
    let identified = IFIS.iter().any(|ifi| map.contains_key(*ifi));
    map.retain(|key, _| {
        key == "objectType" || IFIS.contains(&key.as_str()) || (!identified && key == "member")
    });
    if let Some(Value::Array(members)) = map.get_mut("member") {
        members.iter_mut().for_each(ids_agent);
    }
}

/// Applies `f` to each Activity of `context.contextActivities` (a list or, unnormalised, one).
fn for_each_context_activity(context: &mut Map<String, Value>, mut f: impl FnMut(&mut Value)) {
    let Some(activities) = context
        .get_mut("contextActivities")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for value in activities.values_mut() {
        match value {
            Value::Array(list) => list.iter_mut().for_each(&mut f),
            one => f(one),
        }
    }
}

/// The statement or SubStatement in `canonical`.
fn canonical_body(map: &mut Map<String, Value>, languages: &[String]) {
    if let Some(display) = map.get_mut("verb").and_then(|verb| verb.get_mut("display")) {
        one_language(display, languages);
    }
    if let Some(object) = map.get_mut("object") {
        match object_type(object) {
            None | Some("Activity") => canonical_activity(object, languages),
            Some("SubStatement") => {
                if let Some(sub) = object.as_object_mut() {
                    canonical_body(sub, languages);
                }
            }
            Some(_) => {}
        }
    }
    if let Some(context) = map.get_mut("context").and_then(Value::as_object_mut) {
        for_each_context_activity(context, |activity| canonical_activity(activity, languages));
    }
    if let Some(Value::Array(attachments)) = map.get_mut("attachments") {
        for attachment in attachments.iter_mut().filter_map(Value::as_object_mut) {
            for key in ["display", "description"] {
                if let Some(text) = attachment.get_mut(key) {
                    one_language(text, languages);
                }
            }
        }
    }
}

fn canonical_activity(activity: &mut Value, languages: &[String]) {
    let Some(definition) = activity
        .get_mut("definition")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for key in ["name", "description"] {
        if let Some(text) = definition.get_mut(key) {
            one_language(text, languages);
        }
    }
    for list in COMPONENT_LISTS {
        if let Some(Value::Array(components)) = definition.get_mut(*list) {
            for description in components
                .iter_mut()
                .filter_map(|component| component.get_mut("description"))
            {
                one_language(description, languages);
            }
        }
    }
}

/// Keeps the one entry [`choose_language`] picks.
fn one_language(map: &mut Value, languages: &[String]) {
    let Some(entries) = map.as_object_mut() else {
        return;
    };
    let tags: Vec<&str> = entries.keys().map(String::as_str).collect();
    let Some(chosen) = choose_language(&tags, languages).map(str::to_string) else {
        return;
    };
    entries.retain(|tag, _| *tag == chosen);
}

/// Which of a language map's `tags` to show for `languages` (in order of preference): for each
/// wanted tag, the same tag (any case), else the nearest more general one (de-CH-1996 → de-CH →
/// de), else a more specific one (en → en-GB); then en-US, then en; else the first in sort order.
pub fn choose_language<'a>(tags: &[&'a str], languages: &[String]) -> Option<&'a str> {
    let wanted = languages
        .iter()
        .map(String::as_str)
        .filter(|tag| *tag != "*")
        .chain(["en-US", "en"]);
    for want in wanted {
        let mut general = want;
        loop {
            if let Some(tag) = tags.iter().find(|tag| tag.eq_ignore_ascii_case(general)) {
                return Some(tag);
            }
            match general.rsplit_once('-') {
                Some((head, _)) => general = head,
                None => break,
            }
        }
        let prefix = format!("{want}-");
        if let Some(tag) = tags.iter().find(|tag| {
            tag.get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(&prefix))
        }) {
            return Some(tag);
        }
    }
    tags.iter().min().copied()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    fn langs(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| t.to_string()).collect()
    }

    /// The statement of the conformance suite's format tests: a Group's SubStatement about an
    /// interaction with many languages.
    fn statement() -> Value {
        json!({
            "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
            "actor": {"objectType": "Agent", "name": "xAPI account", "mbox": "mailto:agent@adlnet.gov"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended", "en-US": "attended"}},
            "object": {
                "objectType": "SubStatement",
                "actor": {"objectType": "Group", "name": "Group Identified", "mbox": "mailto:group@adlnet.gov",
                    "member": [{"name": "m", "mbox": "mailto:m@adlnet.gov"}]},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended", "en-US": "attended", "ja-JP": "出席した"}},
                "object": {"objectType": "Activity", "id": "http://www.example.com/unicode/1", "definition": {
                    "name": {"en": "Other", "en-GB": "attended", "en-US": "attended", "ko-KR": "참석"},
                    "description": {"en-US": "On this map, please mark Franklin, TN", "en-GB": "On this map, please mark Franklin, TN"},
                    "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                    "interactionType": "choice", "correctResponsesPattern": ["a"],
                    "choices": [{"id": "a", "description": {"en-US": "A", "fr": "Un"}}]}},
                "context": {"instructor": {"name": "I", "mbox": "mailto:i@adlnet.gov"},
                    "contextActivities": {"parent": [{"id": "http://example.com/p", "definition": {"name": {"fr": "p", "de": "P"}}}]}}
            },
            "context": {"team": {"objectType": "Group", "name": "T", "member": [{"name": "t", "mbox": "mailto:t@adlnet.gov"}]},
                "contextAgents": [{"objectType": "contextAgent", "agent": {"name": "c", "mbox": "mailto:c@adlnet.gov"}}]},
            "authority": {"objectType": "Group", "member": [
                {"name": "app", "account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
                {"name": "user", "mbox": "mailto:bob@example.com"}]},
            "attachments": [{"usageType": "http://example.com/u", "display": {"en-US": "A", "es": "Una"}, "contentType": "text/plain", "length": 1, "sha2": "ab"}],
            "stored": "2024-03-01T10:20:30.456Z"
        })
    }

    #[test]
    fn formats_parse() {
        assert_eq!(Format::parse("exact").unwrap(), Format::Exact);
        assert_eq!(Format::parse("ids").unwrap(), Format::Ids);
        assert_eq!(Format::parse("canonical").unwrap(), Format::Canonical);
        assert!(Format::parse("Exact").is_err());
        assert!(Format::parse("").is_err());
    }

    #[test]
    fn exact_is_as_stored() {
        assert_eq!(
            format(&statement(), Format::Exact, &langs(&["fr"])),
            statement()
        );
    }

    #[test]
    fn ids_keep_only_identifiers() {
        let s = format(&statement(), Format::Ids, &[]);
        assert_eq!(
            s["actor"],
            json!({"objectType": "Agent", "mbox": "mailto:agent@adlnet.gov"})
        );
        assert_eq!(
            s["verb"],
            json!({"id": "http://adlnet.gov/expapi/verbs/attended"})
        );
        let sub = &s["object"];
        assert_eq!(sub["objectType"], json!("SubStatement"));
        assert_eq!(
            sub["actor"],
            json!({"objectType": "Group", "mbox": "mailto:group@adlnet.gov"})
        );
        assert_eq!(
            sub["object"],
            json!({"id": "http://www.example.com/unicode/1"})
        );
        assert_eq!(
            sub["context"]["instructor"],
            json!({"mbox": "mailto:i@adlnet.gov"})
        );
        assert_eq!(
            sub["context"]["contextActivities"]["parent"],
            json!([{"id": "http://example.com/p"}])
        );
        assert_eq!(
            s["context"]["team"],
            json!({"objectType": "Group", "member": [{"mbox": "mailto:t@adlnet.gov"}]})
        );
        assert_eq!(
            s["context"]["contextAgents"][0]["agent"],
            json!({"mbox": "mailto:c@adlnet.gov"})
        );
        assert_eq!(
            s["authority"]["member"],
            json!([
            {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
            {"mbox": "mailto:bob@example.com"}])
        );
        assert_eq!(s["attachments"], statement()["attachments"]);
        assert_eq!(s["stored"], statement()["stored"]);
    }

    #[test]
    fn canonical_keeps_one_language() {
        let s = format(&statement(), Format::Canonical, &langs(&["en-GB"]));
        assert_eq!(s["verb"]["display"], json!({"en-GB": "attended"}));
        let sub = &s["object"];
        assert_eq!(sub["verb"]["display"], json!({"en-GB": "attended"}));
        let definition = &sub["object"]["definition"];
        assert_eq!(definition["name"], json!({"en-GB": "attended"}));
        assert_eq!(
            definition["description"],
            json!({"en-GB": "On this map, please mark Franklin, TN"})
        );
        assert_eq!(
            definition["type"],
            statement()["object"]["object"]["definition"]["type"]
        );
        assert_eq!(
            definition["choices"][0]["description"],
            json!({"en-US": "A"})
        );
        assert_eq!(
            sub["context"]["contextActivities"]["parent"][0]["definition"]["name"],
            json!({"de": "P"})
        );
        assert_eq!(sub["actor"], statement()["object"]["actor"]);
        assert_eq!(s["attachments"][0]["display"], json!({"en-US": "A"}));
        let french = format(&statement(), Format::Canonical, &langs(&["fr-CA", "de"]));
        assert_eq!(
            french["object"]["object"]["definition"]["choices"][0]["description"],
            json!({"fr": "Un"})
        );
        assert_eq!(
            french["object"]["context"]["contextActivities"]["parent"][0]["definition"]["name"],
            json!({"fr": "p"})
        );
        assert_eq!(french["verb"]["display"], json!({"en-US": "attended"}));
    }

    #[test]
    fn language_choice() {
        let tags = ["en-GB", "en-US", "fr", "zh-Hant-TW"];
        assert_eq!(choose_language(&tags, &langs(&["en-gb"])), Some("en-GB"));
        assert_eq!(choose_language(&tags, &langs(&["fr-CA"])), Some("fr"));
        assert_eq!(
            choose_language(&tags, &langs(&["zh-Hant"])),
            Some("zh-Hant-TW")
        );
        assert_eq!(choose_language(&tags, &langs(&["de", "fr"])), Some("fr"));
        assert_eq!(choose_language(&tags, &langs(&["de"])), Some("en-US"));
        assert_eq!(choose_language(&tags, &langs(&["*"])), Some("en-US"));
        assert_eq!(choose_language(&["de", "en"], &[]), Some("en"));
        assert_eq!(choose_language(&["sv", "de"], &[]), Some("de"));
        assert_eq!(choose_language(&["en-AU"], &[]), Some("en-AU"));
        assert_eq!(choose_language(&[], &langs(&["en"])), None);
    }
}
