//! Agents and Groups: their checks, the canonical key of an Agent or identified Group (its one
//! inverse functional identifier, IFI), and the Person object of GET /agents.

use super::statement::Invalid;
use super::validate::{
    child, invalid, is_iri, is_irl, is_mbox, item, known, object, required, string,
};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The inverse functional identifiers, in the order keys and Person objects list them.
pub const IFIS: &[&str] = &["mbox", "mbox_sha1sum", "openid", "account"];

const AGENT_KEYS: &[&str] = &[
    "objectType",
    "name",
    "mbox",
    "mbox_sha1sum",
    "openid",
    "account",
];
const GROUP_KEYS: &[&str] = &[
    "objectType",
    "name",
    "member",
    "mbox",
    "mbox_sha1sum",
    "openid",
    "account",
];

/// Which of the two an actor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Agent,
    Group,
}

/// The canonical key of an Agent or identified Group: `mbox:mailto:<address>` (the domain in
/// lower case: it is case-insensitive), `mbox_sha1sum:<hex in lower case>`, `openid:<uri>` or
/// `account:<homePage> <name>` (a homePage cannot contain a space, so the first one separates).
/// The value must be a valid Agent or Group (`objectType` may be absent for an Agent); an
/// anonymous Group has no key.
pub fn agent_key(agent: &Value) -> Result<String, Invalid> {
    check_actor(agent, "")?;
    ifi_key(agent).ok_or_else(|| invalid("", "an anonymous Group has no identifier"))
}

/// The key of any actor: [`agent_key`], or for an anonymous Group `group:` and the SHA-256 (hex)
/// of its members' keys, sorted and joined by newlines (the same members give the same key
/// whatever their order). The value must have been checked already.
pub fn actor_key(actor: &Value) -> String {
    if let Some(key) = ifi_key(actor) {
        return key;
    }
    let mut members = member_keys(actor);
    members.sort();
    members.dedup();
    let digest = Sha256::digest(members.join("\n").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("group:{hex}")
}

/// The keys of a Group's members (none for an Agent).
pub fn member_keys(actor: &Value) -> Vec<String> {
    actor
        .get("member")
        .and_then(Value::as_array)
        .map(|members| members.iter().filter_map(ifi_key).collect())
        .unwrap_or_default()
}

/// The [`agent_key`] of an Agent or Group checked already; `None` for an anonymous Group.
pub fn ifi_key(actor: &Value) -> Option<String> {
    if let Some(mbox) = actor.get("mbox").and_then(Value::as_str) {
        return Some(format!("mbox:{}", normal_mbox(mbox)));
    }
    if let Some(sum) = actor.get("mbox_sha1sum").and_then(Value::as_str) {
        return Some(format!("mbox_sha1sum:{}", sum.to_ascii_lowercase()));
    }
    if let Some(openid) = actor.get("openid").and_then(Value::as_str) {
        return Some(format!("openid:{openid}"));
    }
    let account = actor.get("account")?;
    let home_page = account.get("homePage").and_then(Value::as_str)?;
    let name = account.get("name").and_then(Value::as_str)?;
    Some(format!("account:{home_page} {name}"))
}

/// An mbox with the domain in lower case (the local part may be case-sensitive).
pub fn normal_mbox(mbox: &str) -> String {
    match mbox.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => mbox.to_string(),
    }
}

/// For GET /agents: the Person object of one agent, listing what the LRS was told about it:
/// `{"objectType": "Person", "name": [...], "mbox": [...], "mbox_sha1sum": [...], "openid": [...],
/// "account": [...]}` with only the properties the agent has.
pub fn person(agent: &Value) -> Value {
    let mut person = Map::new();
    person.insert("objectType".to_string(), json!("Person"));
    for key in ["name"].iter().chain(IFIS) {
        if let Some(value) = agent.get(*key) {
            person.insert((*key).to_string(), json!([value]));
        }
    }
    Value::Object(person)
}

// ---- checks --------------------------------------------------------------------------------------

/// An Agent (`objectType` absent or "Agent") or a Group; which. (As a statement's object an
/// Agent needs its objectType: there an absent one means an Activity.)
pub(super) fn check_actor(value: &Value, path: &str) -> Result<Kind, Invalid> {
    let map = object(value, path)?;
    match string(map, "objectType", path)? {
        None | Some("Agent") => check_agent(map, path).map(|()| Kind::Agent),
        Some("Group") => check_group(map, path).map(|()| Kind::Group),
        Some(other) => Err(invalid(
            &child(path, "objectType"),
            format!("must be Agent or Group, not {other:?}"),
        )),
    }
}

/// An Agent (`objectType` absent or "Agent"): a name and exactly one IFI.
pub(super) fn check_agent(map: &Map<String, Value>, path: &str) -> Result<(), Invalid> {
    known(map, path, AGENT_KEYS)?;
    string(map, "name", path)?;
    if ifis(map, path)? == 0 {
        return Err(invalid(
            path,
            "an Agent needs one of mbox, mbox_sha1sum, openid or account",
        ));
    }
    Ok(())
}

/// A Group (`objectType` "Group"): identified by one IFI, or anonymous with members. Members
/// are Agents, never Groups.
pub(super) fn check_group(map: &Map<String, Value>, path: &str) -> Result<(), Invalid> {
    known(map, path, GROUP_KEYS)?;
    string(map, "name", path)?;
    let identified = ifis(map, path)? == 1;
    let member_path = child(path, "member");
    match map.get("member") {
        None if identified => Ok(()),
        None => Err(invalid(
            &member_path,
            "an anonymous Group needs its members",
        )),
        Some(Value::Array(members)) if members.is_empty() && !identified => Err(invalid(
            &member_path,
            "an anonymous Group needs its members",
        )),
        Some(Value::Array(members)) => {
            for (i, member) in members.iter().enumerate() {
                let path = item(&member_path, i);
                let member_map = object(member, &path)?;
                match string(member_map, "objectType", &path)? {
                    None | Some("Agent") => check_agent(member_map, &path)?,
                    Some(_) => {
                        return Err(invalid(
                            &child(&path, "objectType"),
                            "a Group's members are Agents",
                        ));
                    }
                }
            }
            Ok(())
        }
        Some(_) => Err(invalid(&member_path, "must be an array of Agents")),
    }
}

/// A statement's authority: an Agent, or (OAuth) an anonymous Group of exactly two Agents.
pub(super) fn check_authority(value: &Value, path: &str) -> Result<(), Invalid> {
    if check_actor(value, path)? == Kind::Group {
        let map = object(value, path)?;
        let members = map
            .get("member")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if ifis(map, path)? != 0 || members != 2 {
            return Err(invalid(
                path,
                "an authority Group must be anonymous with exactly two Agents (OAuth)",
            ));
        }
    }
    Ok(())
}

/// Checks the IFIs present; how many there are (more than one is an error).
fn ifis(map: &Map<String, Value>, path: &str) -> Result<usize, Invalid> {
    let present: Vec<&str> = IFIS
        .iter()
        .copied()
        .filter(|k| map.contains_key(*k))
        .collect();
    if present.len() > 1 {
        return Err(invalid(
            path,
            format!(
                "has several identifiers ({}): use exactly one",
                present.join(", ")
            ),
        ));
    }
    if let Some(mbox) = string(map, "mbox", path)?
        && !is_mbox(mbox)
    {
        return Err(invalid(
            &child(path, "mbox"),
            "must be a mailto: IRI with an email address",
        ));
    }
    if let Some(sum) = string(map, "mbox_sha1sum", path)?
        && !(sum.len() == 40 && sum.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(invalid(
            &child(path, "mbox_sha1sum"),
            "must be a SHA-1 hash in 40 hexadecimal digits",
        ));
    }
    if let Some(openid) = string(map, "openid", path)?
        && !is_iri(openid)
    {
        return Err(invalid(&child(path, "openid"), "must be an absolute URI"));
    }
    if let Some(account) = map.get("account") {
        let path = child(path, "account");
        let account = object(account, &path)?;
        known(account, &path, &["homePage", "name"])?;
        if !required(account, "homePage", &path)?
            .as_str()
            .is_some_and(is_irl)
        {
            return Err(invalid(
                &child(&path, "homePage"),
                "must be an absolute IRL",
            ));
        }
        if !required(account, "name", &path)?.is_string() {
            return Err(invalid(&child(&path, "name"), "must be a string"));
        }
    }
    Ok(present.len())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn actor(v: Value) -> Result<Kind, Invalid> {
        check_actor(&v, "actor")
    }

    #[test]
    fn agents_need_exactly_one_valid_ifi() {
        assert_eq!(
            actor(json!({"mbox": "mailto:a@example.com"})).unwrap(),
            Kind::Agent
        );
        assert!(actor(json!({"objectType": "Agent", "name": "x", "mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"})).is_ok());
        assert!(actor(json!({"openid": "http://openid.example.org/12345"})).is_ok());
        assert!(actor(json!({"account": {"homePage": "http://www.example.com", "name": "xAPI account name"}})).is_ok());
        assert!(actor(json!({"objectType": "Agent", "name": "x"})).is_err());
        assert!(
            actor(json!({"mbox": "mailto:a@example.com", "openid": "http://o.example.org/1"}))
                .is_err()
        );
        assert!(actor(json!({"mbox": "mailto:should.fail.com"})).is_err());
        assert!(actor(json!({"mbox": "http://should.fail.com"})).is_err());
        assert!(actor(json!({"mbox_sha1sum": 12345})).is_err());
        assert!(actor(json!({"mbox_sha1sum": "not-a-hash"})).is_err());
        assert!(actor(json!({"openid": "ab=c://should.fail.com"})).is_err());
        assert!(actor(json!({"account": {"name": "n"}})).is_err());
        assert!(actor(json!({"account": {"homePage": "http://www.example.com"}})).is_err());
        assert!(
            actor(json!({"account": {"homePage": "homePage.com/testUser", "name": "n"}})).is_err()
        );
        assert!(
            actor(json!({"account": {"homePage": "http://www.example.com", "name": {"key": "v"}}}))
                .is_err()
        );
        assert!(
            actor(json!({"account": {"homePage": "http://www.example.com", "name": "n", "id": 1}}))
                .is_err()
        );
        assert!(actor(json!({"objectType": "agent", "mbox": "mailto:a@example.com"})).is_err());
        assert!(actor(json!({"objectType": 123, "mbox": "mailto:a@example.com"})).is_err());
        assert!(actor(json!({"name": 123, "mbox": "mailto:a@example.com"})).is_err());
        assert!(actor(json!({"name": null, "mbox": "mailto:a@example.com"})).is_err());
        assert!(actor(json!("mailto:a@example.com")).is_err());
        let e = actor(json!({"mbox": "a@example.com"})).unwrap_err();
        assert_eq!(
            e.0,
            "actor.mbox: must be a mailto: IRI with an email address"
        );
    }

    #[test]
    fn groups_are_identified_or_anonymous_with_agent_members() {
        assert_eq!(
            actor(json!({"objectType": "Group", "mbox": "mailto:g@example.com"})).unwrap(),
            Kind::Group
        );
        assert!(
            actor(json!({"objectType": "Group", "mbox": "mailto:g@example.com", "member": []}))
                .is_ok()
        );
        assert!(
            actor(json!({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}))
                .is_ok()
        );
        assert!(actor(json!({"objectType": "Group", "name": "anonymous"})).is_err());
        assert!(actor(json!({"objectType": "Group", "member": []})).is_err());
        assert!(
            actor(json!({"objectType": "Group", "member": {"mbox": "mailto:a@example.com"}}))
                .is_err()
        );
        assert!(actor(json!({"objectType": "Group", "member": [{"objectType": "Group", "mbox": "mailto:a@example.com"}]})).is_err());
        assert!(actor(json!({"objectType": "Group", "member": [{"name": "no ifi"}]})).is_err());
        assert!(actor(json!({"objectType": "Group", "mbox": "mailto:g@example.com", "account": {"homePage": "http://e.com", "name": "n"}})).is_err());
    }

    #[test]
    fn authorities_are_agents_or_oauth_pairs() {
        let agent = json!({"objectType": "Agent", "mbox": "mailto:a@example.com"});
        assert!(check_authority(&agent, "authority").is_ok());
        let pair = json!({"objectType": "Group", "member": [
            {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
            {"mbox": "mailto:bob@example.com"}]});
        assert!(check_authority(&pair, "authority").is_ok());
        let mut three = pair.clone();
        three["member"]
            .as_array_mut()
            .unwrap()
            .push(json!({"mbox": "mailto:c@example.com"}));
        assert!(check_authority(&three, "authority").is_err());
        let mut identified = pair;
        identified["mbox"] = json!("mailto:g@example.com");
        assert!(check_authority(&identified, "authority").is_err());
    }

    #[test]
    fn keys_name_the_one_ifi() {
        assert_eq!(
            agent_key(&json!({"mbox": "mailto:Bob@Example.COM"})).unwrap(),
            "mbox:mailto:Bob@example.com"
        );
        assert_eq!(
            agent_key(&json!({"objectType": "Agent", "mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"})).unwrap(),
            "mbox_sha1sum:cd9b00a5611f94eaa7b1661edab976068e364975"
        );
        assert_eq!(
            agent_key(&json!({"openid": "http://openid.example.org/1"})).unwrap(),
            "openid:http://openid.example.org/1"
        );
        assert_eq!(
            agent_key(&json!({"objectType": "Group", "account": {"homePage": "http://example.com", "name": "Rick James"}})).unwrap(),
            "account:http://example.com Rick James"
        );
        assert!(
            agent_key(
                &json!({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]})
            )
            .is_err()
        );
        assert!(
            agent_key(&json!({"mbox": "mailto:a@example.com", "openid": "http://o.example.org/1"}))
                .is_err()
        );
        assert!(agent_key(&json!("wrong")).is_err());
        assert!(
            agent_key(&json!({"objectType": "Person", "mbox": "mailto:a@example.com"})).is_err()
        );
    }

    #[test]
    fn anonymous_groups_are_keyed_by_their_members() {
        let one = json!({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}, {"openid": "http://o.example.org/1"}]});
        let other_order = json!({"objectType": "Group", "name": "same people", "member": [{"openid": "http://o.example.org/1"}, {"mbox": "mailto:a@example.com"}]});
        let other = json!({"objectType": "Group", "member": [{"mbox": "mailto:b@example.com"}]});
        assert!(actor_key(&one).starts_with("group:"));
        assert_eq!(actor_key(&one).len(), "group:".len() + 64);
        assert_eq!(actor_key(&one), actor_key(&other_order));
        assert_ne!(actor_key(&one), actor_key(&other));
        assert_eq!(
            actor_key(&json!({"mbox": "mailto:a@example.com"})),
            "mbox:mailto:a@example.com"
        );
        assert_eq!(
            member_keys(&one),
            vec!["mbox:mailto:a@example.com", "openid:http://o.example.org/1"]
        );
    }

    #[test]
    fn person_lists_what_is_known() {
        let agent = json!({"objectType": "Agent", "name": "Rick James", "account": {"homePage": "http://www.example.com/agentId/1", "name": "Rick James"}});
        assert_eq!(
            person(&agent),
            json!({"objectType": "Person", "name": ["Rick James"], "account": [{"homePage": "http://www.example.com/agentId/1", "name": "Rick James"}]})
        );
        assert_eq!(
            person(&json!({"mbox": "mailto:a@example.com"})),
            json!({"objectType": "Person", "mbox": ["mailto:a@example.com"]})
        );
    }
}
