//! Signed statements: the JWS (compact serialization) a statement carries as its signature
//! attachment must use RS256, RS384 or RS512 and sign the statement itself.

use super::statement::{Invalid, same_statement};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

pub const USAGE: &str = "http://adlnet.gov/expapi/attachments/signature";

fn part(text: &str) -> Result<Vec<u8>, Invalid> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| Invalid("signature: not a JWS (a part is not base64url)".into()))
}

/// Checks the JWS against the statement as sent (its attachments aside). Lyceum cannot check the
/// signature itself without the signer's certificate; it checks the form, the algorithm and that
/// the signed payload is this statement.
pub fn check(statement: &Value, jws: &[u8]) -> Result<(), Invalid> {
    let text = std::str::from_utf8(jws)
        .map_err(|_| Invalid("signature: not a JWS (not text)".into()))?
        .trim();
    let pieces: Vec<&str> = text.split('.').collect();
    let [header, payload, signature] = pieces.as_slice() else {
        return Err(Invalid("signature: not a JWS in compact form".into()));
    };
    let header: Value = serde_json::from_slice(&part(header)?)
        .map_err(|_| Invalid("signature: the JWS header is not JSON".into()))?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if !matches!(alg, "RS256" | "RS384" | "RS512") {
        return Err(Invalid(format!(
            "signature: the algorithm must be RS256, RS384 or RS512, not '{alg}'"
        )));
    }
    if part(signature)?.is_empty() {
        return Err(Invalid("signature: the JWS has no signature".into()));
    }
    let mut signed: Value = serde_json::from_slice(&part(payload)?)
        .map_err(|_| Invalid("signature: the signed payload is not a JSON statement".into()))?;
    let mut sent = statement.clone();
    if let Some(object) = sent.as_object_mut() {
        object.remove("attachments");
        // A statement signed before the LRS named it carries no id in its payload.
        if signed.get("id").is_none() {
            object.remove("id");
        }
    }
    if let Some(object) = signed.as_object_mut() {
        object.remove("attachments");
    }
    if same_statement(&signed, &sent) {
        Ok(())
    } else {
        Err(Invalid(
            "signature: the signed payload is not this statement".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jws(header: &Value, payload: &Value) -> Vec<u8> {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string()),
            URL_SAFE_NO_PAD.encode(b"sig")
        )
        .into_bytes()
    }

    #[test]
    fn the_payload_must_be_the_statement_and_the_algorithm_rsa() {
        let statement = json!({
            "actor": {"mbox": "mailto:a@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": "http://example.com/a"},
        });
        let mut sent = statement.clone();
        sent["attachments"] = json!([{"usageType": USAGE}]);
        assert!(check(&sent, &jws(&json!({"alg": "RS256"}), &statement)).is_ok());
        let hs = check(&sent, &jws(&json!({"alg": "HS256"}), &statement)).unwrap_err();
        assert!(hs.0.contains("RS256"));
        let mut other = statement.clone();
        other["verb"]["id"] = json!("http://adlnet.gov/expapi/verbs/failed");
        let differs = check(&sent, &jws(&json!({"alg": "RS512"}), &other)).unwrap_err();
        assert!(differs.0.contains("not this statement"));
        assert!(check(&sent, b"not a jws").is_err());
    }
}
