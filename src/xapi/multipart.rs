//! Statements with their attachments' content, as xAPI sends them: `multipart/mixed`, the
//! statements (JSON) first, then one part per attachment named by its SHA-256
//! (`X-Experience-API-Hash`), in binary. Reading a request and writing a response.

use super::statement::Invalid;
use serde_json::Value;

/// One attachment's content as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub content_type: String,
    /// The `X-Experience-API-Hash` header (lowercase hex).
    pub hash: String,
    pub body: Vec<u8>,
}

fn invalid(message: impl Into<String>) -> Invalid {
    Invalid(message.into())
}

/// The statements (the first part) and the attachments' parts of a `multipart/mixed` body.
pub async fn read(content_type: &str, body: Vec<u8>) -> Result<(Value, Vec<Part>), Invalid> {
    let boundary = boundary_of(content_type)
        .ok_or_else(|| invalid("Content-Type: multipart/mixed needs a boundary"))?;
    let stream =
        futures_util::stream::once(
            async move { Ok::<_, std::convert::Infallible>(bytes_of(body)) },
        );
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut statements = None;
    let mut parts = Vec::new();
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|e| invalid(format!("The multipart body cannot be read: {e}")))?;
        let Some(field) = field else { break };
        let headers = field.headers().clone();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let part_type = header("content-type").unwrap_or_default();
        let hash = header("x-experience-api-hash");
        let encoding = header("content-transfer-encoding");
        let body = field
            .bytes()
            .await
            .map_err(|e| invalid(format!("The multipart body cannot be read: {e}")))?;
        if statements.is_none() {
            if !super::service::is_json(&part_type) {
                return Err(invalid(
                    "The first part holds the statements, as application/json.",
                ));
            }
            statements = Some(
                serde_json::from_slice::<Value>(&body)
                    .map_err(|e| invalid(format!("The statements part is not JSON: {e}")))?,
            );
            continue;
        }
        let Some(hash) = hash else {
            return Err(invalid(
                "An attachment part has no X-Experience-API-Hash header.",
            ));
        };
        if !encoding.is_some_and(|e| e.eq_ignore_ascii_case("binary")) {
            return Err(invalid(
                "An attachment part needs Content-Transfer-Encoding: binary.",
            ));
        }
        parts.push(Part {
            content_type: part_type,
            hash: hash.to_ascii_lowercase(),
            body: body.to_vec(),
        });
    }
    let statements = statements.ok_or_else(|| invalid("The multipart body has no parts."))?;
    Ok((statements, parts))
}

/// The `boundary` parameter (multer's own parser accepts only multipart/form-data).
fn boundary_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

fn bytes_of(body: Vec<u8>) -> axum::body::Bytes {
    axum::body::Bytes::from(body)
}

/// A `multipart/mixed` response: the JSON first, then each attachment; returns the body and the
/// boundary for the Content-Type header.
pub fn write(json: &Value, attachments: &[Part]) -> (Vec<u8>, String) {
    let boundary = format!("xapi-{:016x}", rand::random::<u64>());
    let mut out =
        format!("--{boundary}\r\nContent-Type: application/json\r\n\r\n{json}\r\n").into_bytes();
    for part in attachments {
        out.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Type: {}\r\nContent-Transfer-Encoding: binary\r\n\
                 X-Experience-API-Hash: {}\r\n\r\n",
                part.content_type, part.hash
            )
            .as_bytes(),
        );
        out.extend_from_slice(&part.body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (out, boundary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_what_it_writes() {
        let json = serde_json::json!([{"id": "x"}]);
        let part = Part {
            content_type: "text/plain".into(),
            hash: "abc".into(),
            body: b"hello\r\nworld".to_vec(),
        };
        let (body, boundary) = write(&json, std::slice::from_ref(&part));
        let (read_json, parts) = read(&format!("multipart/mixed; boundary={boundary}"), body)
            .await
            .unwrap();
        assert_eq!(read_json, json);
        assert_eq!(parts, vec![part]);
    }

    #[tokio::test]
    async fn refuses_parts_without_hash_or_binary_encoding_or_json_first() {
        let body = |first: &str, second: &str| {
            format!("--b\r\n{first}\r\n\r\n[]\r\n--b\r\n{second}\r\n\r\nhi\r\n--b--\r\n")
                .into_bytes()
        };
        let ct = "multipart/mixed; boundary=b";
        let no_hash = read(
            ct,
            body(
                "Content-Type: application/json",
                "Content-Type: text/plain\r\nContent-Transfer-Encoding: binary",
            ),
        )
        .await;
        assert!(no_hash.unwrap_err().0.contains("X-Experience-API-Hash"));
        let no_binary = read(
            ct,
            body(
                "Content-Type: application/json",
                "Content-Type: text/plain\r\nX-Experience-API-Hash: ab",
            ),
        )
        .await;
        assert!(no_binary.unwrap_err().0.contains("binary"));
        let not_json = read(
            ct,
            body("Content-Type: text/plain", "Content-Type: text/plain"),
        )
        .await;
        assert!(not_json.unwrap_err().0.contains("application/json"));
        assert!(
            read("multipart/mixed", Vec::new())
                .await
                .unwrap_err()
                .0
                .contains("boundary")
        );
    }
}
