//! A certificate as an Open Badges 3.0 `OpenBadgeCredential` (W3C Verifiable Credentials 2.0
//! data model), secured as a VC-JWT (OB 3.0 §8.2): the compact JWS's payload is the credential
//! itself with the registered claims `iss`, `jti`, `nbf` and `exp`; it is signed with EdDSA
//! (Ed25519) under the site's key, whose issuer id is a `did:key`, so a verifier needs nothing
//! but the file. The header carries the key too (`kid`, `jwk`). Pure: key and facts in, text out.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The multicodec prefix of an Ed25519 public key (0xed, as a varint).
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

/// The issuer's `did:key` for a signing key.
pub fn did_key(key: &SigningKey) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key.verifying_key().as_bytes());
    format!("did:key:z{}", bs58::encode(bytes).into_string())
}

/// What a credential says (all from the certificate as issued).
pub struct Facts<'a> {
    /// The credential's id: the verification page's address.
    pub id: &'a str,
    pub site_name: &'a str,
    pub site_url: &'a str,
    /// The achievement's id: the course's address.
    pub achievement_id: &'a str,
    pub title: &'a str,
    pub recipient_name: &'a str,
    pub recipient_email: &'a str,
    /// A per-certificate salt for the hashed email.
    pub salt: &'a str,
    pub issued_at: i64,
    /// The first day it is no longer valid (YYYY-MM-DD), if it expires.
    pub expires_on: Option<&'a str>,
}

fn rfc3339(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The start of a day (UTC) as a timestamp.
fn day_start(ymd: &str) -> Option<i64> {
    chrono::NaiveDate::parse_from_str(ymd, "%Y-%m-%d")
        .ok()?
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
}

/// The credential, unsigned: what the JWT's payload holds.
pub fn credential(issuer: &str, f: &Facts) -> Value {
    let email_hash = format!(
        "sha256${:x}",
        Sha256::digest(format!("{}{}", f.recipient_email.to_lowercase(), f.salt).as_bytes())
    );
    let mut vc = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": f.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f.title,
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": f.site_name,
            "url": f.site_url,
        },
        "validFrom": rfc3339(f.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": false,
                    "identityHash": f.recipient_name,
                },
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": true,
                    "identityHash": email_hash,
                    "salt": f.salt,
                }
            ],
            "achievement": {
                "id": f.achievement_id,
                "type": ["Achievement"],
                "name": f.title,
                "description": format!("Completed the course “{}”.", f.title),
                "criteria": { "narrative": format!("Complete every required item of “{}” (and reach its pass grade, if it has one).", f.title) },
            },
        },
        "iss": issuer,
        "jti": f.id,
        "nbf": f.issued_at,
    });
    if let Some(until) = f.expires_on.and_then(day_start)
        && let Some(map) = vc.as_object_mut()
    {
        map.insert("validUntil".into(), json!(rfc3339(until)));
        map.insert("exp".into(), json!(until));
    }
    vc
}

/// The credential as a compact JWS (`header.payload.signature`), signed with `key`.
pub fn sign(key: &SigningKey, f: &Facts) -> String {
    let issuer = did_key(key);
    let fragment = issuer.trim_start_matches("did:key:");
    let header = json!({
        "alg": "EdDSA",
        "typ": "JWT",
        "kid": format!("{issuer}#{fragment}"),
        "jwk": {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
        },
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(credential(&issuer, f).to_string())
    );
    let signature = key.sign(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_did_key_of_the_rfc8032_test_key() {
        // RFC 8032 §7.1 test 1's secret key; its did:key, as did:key's own examples encode it.
        let seed: [u8; 32] = [
            0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec,
            0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03,
            0x1c, 0xae, 0x7f, 0x60,
        ];
        let key = SigningKey::from_bytes(&seed);
        let did = did_key(&key);
        assert!(did.starts_with("did:key:z6Mk"), "{did}");
        let facts = Facts {
            id: "https://lyceum.example/verify/AAAA-BBBB-CCCC",
            site_name: "Lyceum",
            site_url: "https://lyceum.example/",
            achievement_id: "https://lyceum.example/courses/1",
            title: "Fire safety",
            recipient_name: "Nina",
            recipient_email: "nina@example.com",
            salt: "s",
            issued_at: 1_767_225_600,
            expires_on: Some("2027-01-01"),
        };
        let vc = credential(&did, &facts);
        assert_eq!(vc["validUntil"], "2027-01-01T00:00:00Z");
        assert_eq!(vc["exp"], 1_798_761_600);
        assert_eq!(vc["validFrom"], "2026-01-01T00:00:00Z");
        let jwt = sign(&key, &facts);
        assert_eq!(jwt.split('.').count(), 3);
    }
}
