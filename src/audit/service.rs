//! Forgetting a person: when an account is deleted, the entries about them keep what happened
//! (who acted, by id, what, to what, when) and lose the names and addresses that said who it was.

use super::store::{self, EntryTexts};
use crate::db::{Tx, like_pattern};
use crate::error::AppError;
use std::collections::BTreeMap;

/// The names and addresses a person had (now and before), and what replaces them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Person {
    pub emails: Vec<String>,
    pub names: Vec<String>,
}

impl Person {
    /// Adds a name and address, once each (addresses compared lower-cased, as stored).
    pub fn add(&mut self, email: &str, name: &str) {
        let email = email.trim().to_lowercase();
        if !email.is_empty() && !self.emails.contains(&email) {
            self.emails.push(email);
        }
        let name = name.trim();
        if !name.is_empty() && !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
        }
    }
}

/// The names and addresses an account had before, as the entries about it recorded them (the
/// before and after states of its changes).
pub async fn former_identities(tx: &mut Tx, user_id: i64) -> Result<Person, AppError> {
    let mut person = Person::default();
    for entry in store::entries_about_user(tx, user_id).await? {
        if !is_about_account(&entry, user_id) {
            continue;
        }
        for state in [&entry.before_state, &entry.after_state]
            .into_iter()
            .flatten()
        {
            let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(state) else {
                continue;
            };
            let text = |key: &str| fields.get(key).and_then(|v| v.as_str()).unwrap_or("");
            person.add(text("email"), text("name"));
        }
    }
    Ok(person)
}

fn is_about_account(entry: &EntryTexts, user_id: i64) -> bool {
    entry.target_type == "user" && entry.target_id == Some(user_id)
}

/// Rewrites the entries about a person: those they made (their label becomes `replacement`'s),
/// those about their account, and any that mention one of their addresses. In those, each of
/// their addresses and names becomes the replacement's; other people's stay as they are. An
/// entry that names them but is none of these is left alone: a name alone could be anyone's.
pub async fn forget_person(
    tx: &mut Tx,
    user_id: i64,
    person: &Person,
    replacement_email: &str,
    replacement_name: &str,
) -> Result<(), AppError> {
    let mut entries: BTreeMap<i64, EntryTexts> = BTreeMap::new();
    for entry in store::entries_about_user(tx, user_id).await? {
        entries.insert(entry.id, entry);
    }
    for email in &person.emails {
        for entry in store::entries_matching(tx, &like_pattern(email)).await? {
            entries.insert(entry.id, entry);
        }
    }
    for entry in entries.into_values() {
        let mut new = entry.clone();
        if new.actor_id == Some(user_id) {
            new.actor_label = format!("{replacement_name} <{replacement_email}>");
        }
        for text in [
            Some(&mut new.actor_label),
            Some(&mut new.target_label),
            new.before_state.as_mut(),
            new.after_state.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            *text = scrub(text, person, replacement_email, replacement_name);
        }
        if new != entry {
            store::rewrite_texts(tx, &new).await?;
        }
    }
    Ok(())
}

/// Replaces the person's addresses, then their names (an address may contain a name, never the
/// other way round), also as JSON writes them inside the recorded states.
fn scrub(text: &str, person: &Person, replacement_email: &str, replacement_name: &str) -> String {
    let mut out = text.to_string();
    for email in &person.emails {
        out = replace_whole(&out, email, replacement_email, true, address_bounds);
    }
    for name in &person.names {
        for form in written_forms(name) {
            out = replace_whole(&out, &form, replacement_name, false, word_bounds);
        }
    }
    out
}

/// A name as it is, and as JSON writes it inside a string when that differs (quotes, backslashes).
fn written_forms(name: &str) -> Vec<String> {
    let mut forms = vec![name.to_string()];
    if let Ok(json) = serde_json::to_string(name) {
        let inner = json
            .strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or(&json);
        if inner != name {
            forms.push(inner.to_string());
        }
    }
    forms
}

/// A name is whole when no letter or digit touches it ("Ann" is not in "Annual").
fn word_bounds(before: &str, after: &str) -> bool {
    let touches = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    !touches(before.chars().next_back()) && !touches(after.chars().next())
}

/// An address is whole when it is not the end of a longer one ("ann@x.org" in "joann@x.org")
/// nor the start of one in a longer domain ("ann@x.org.uk"); a full stop that ends a sentence
/// is not part of it.
fn address_bounds(before: &str, after: &str) -> bool {
    let local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let starts_inside = before.chars().next_back().is_some_and(local);
    let mut rest = after.chars();
    let ends_inside = match rest.next() {
        Some('.') => rest.next().is_some_and(char::is_alphanumeric),
        Some(c) => c.is_alphanumeric() || c == '-',
        None => false,
    };
    !starts_inside && !ends_inside
}

/// Replaces every whole occurrence of `needle` (ASCII case ignored when `any_case`).
fn replace_whole(
    text: &str,
    needle: &str,
    with: &str,
    any_case: bool,
    whole: fn(&str, &str) -> bool,
) -> String {
    if needle.is_empty() {
        return text.to_string();
    }
    // ASCII lower-casing keeps every byte where it was, so positions found in `haystack` are
    // positions in `text`.
    let (haystack, needle) = if any_case {
        (text.to_ascii_lowercase(), needle.to_ascii_lowercase())
    } else {
        (text.to_string(), needle.to_string())
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = haystack.get(from..).and_then(|h| h.find(&needle)) {
        let start = from + found;
        let end = start + needle.len();
        let (Some(before), Some(after)) = (text.get(..start), text.get(end..)) else {
            break;
        };
        if whole(before, after) {
            out.push_str(text.get(copied..start).unwrap_or_default());
            out.push_str(with);
            copied = end;
            from = end;
        } else {
            // Step past the first character of this match and look again.
            from = start + needle.chars().next().map_or(1, char::len_utf8);
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> Person {
        let mut p = Person::default();
        p.add("ada@example.com", "Ada Lovelace");
        p.add("ADA@old.example", "Ada \"Countess\" King");
        p
    }

    fn scrubbed(text: &str) -> String {
        scrub(text, &ada(), "deleted-7@deleted.invalid", "Deleted user")
    }

    #[test]
    fn every_address_and_name_is_replaced() {
        assert_eq!(
            scrubbed("Ada Lovelace <ada@example.com>"),
            "Deleted user <deleted-7@deleted.invalid>"
        );
        assert_eq!(
            scrubbed(r#"{"email":"ada@old.example","name":"Ada \"Countess\" King"}"#),
            r#"{"email":"deleted-7@deleted.invalid","name":"Deleted user"}"#
        );
        // Addresses whatever their case; the person's own addresses only.
        assert_eq!(
            scrubbed("sent to Ada@Example.com."),
            "sent to deleted-7@deleted.invalid."
        );
    }

    #[test]
    fn other_peoples_names_and_addresses_stay() {
        for text in [
            "Ada Lovelaces <xada@example.com>",
            "joada@example.com, ada@example.com.au, ada@example.community",
        ] {
            assert_eq!(scrubbed(text), text);
        }
    }

    #[test]
    fn an_address_is_replaced_before_the_name_it_contains() {
        let mut p = Person::default();
        p.add("ann@example.com", "ann");
        assert_eq!(
            scrub(
                "ann <ann@example.com>",
                &p,
                "deleted-1@deleted.invalid",
                "Deleted user"
            ),
            "Deleted user <deleted-1@deleted.invalid>"
        );
    }
}
