//! Authenticator-app codes (RFC 6238 TOTP: HMAC-SHA1, 6 digits, 30-second steps, as every
//! authenticator app reads them from an `otpauth://` link), through the `totp-rs` crate, and the
//! one-time recovery codes. Pure: the caller gives the time and keeps the last step accepted,
//! so that a code is never accepted twice.

use rand::RngCore;
use totp_rs::{Builder, Secret, Totp};

/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;
/// Letters and digits no one misreads (no 0/O, 1/I/L).
const RECOVERY_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

fn totp(secret: &[u8]) -> Option<Totp> {
    // One step either side of now: phones' clocks drift.
    Builder::new()
        .with_secret(Secret::from(secret.to_vec()))
        .with_skew(1)
        .build()
        .ok()
}

/// The secret as people type it into an app by hand: base32 in groups of four.
pub fn typed_secret(secret: &[u8]) -> String {
    let b32 = Secret::from(secret.to_vec()).to_base32();
    b32.trim_end_matches('=')
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `otpauth://` link an app reads from the QR code.
pub fn otpauth_url(secret: &[u8], issuer: &str, account: &str) -> String {
    let b32 = Secret::from(secret.to_vec()).to_base32();
    let label: String = format!("{issuer}:{account}");
    let label = percent_encoding::utf8_percent_encode(&label, percent_encoding::NON_ALPHANUMERIC);
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("secret", b32.trim_end_matches('='))
        .append_pair("issuer", issuer)
        .append_pair("algorithm", "SHA1")
        .append_pair("digits", "6")
        .append_pair("period", "30")
        .finish();
    format!("otpauth://totp/{label}?{query}")
}

/// The step `code` is right for at `unix_time` (one step either side), if it is later than
/// `after_step` (the last step accepted).
pub fn accepted_step(secret: &[u8], code: &str, unix_time: i64, after_step: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let step = totp(secret)?.check(&code, u64::try_from(unix_time).ok()?)?;
    i64::try_from(step).ok().filter(|s| *s > after_step)
}

/// The code an app shows at `unix_time` (for tests and the set-up check).
pub fn code_at(secret: &[u8], unix_time: i64) -> Option<String> {
    Some(
        totp(secret)?
            .generate(u64::try_from(unix_time).ok()?)
            .to_string(),
    )
}

/// New recovery codes, shown once: "ABCD-EFGH".
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            (0..9)
                .map(|i| {
                    if i == 4 {
                        return '-';
                    }
                    let pick = (rng.next_u32() as usize) % RECOVERY_ALPHABET.len();
                    RECOVERY_ALPHABET.get(pick).copied().map_or('X', char::from)
                })
                .collect()
        })
        .collect()
}

/// A recovery code as typed (any case, with or without the hyphen or spaces), as it is hashed.
pub fn normalised_recovery_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == 8).then_some(code)
}

/// The QR code of `text` as an SVG image (dark modules as one path), for the set-up page.
pub fn qr_svg(text: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut path = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (i % width + quiet, i / width + quiet);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"200\" height=\"200\" role=\"img\" aria-label=\"QR code for your authenticator app\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B (SHA-1 secret "12345678901234567890"), the last 6 of its 8 digits.
    #[test]
    fn codes_match_the_rfc_test_vectors_at_a_fixed_clock() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(secret, time).as_deref(), Some(code), "at {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_once_and_one_step_either_side() {
        let secret = new_secret();
        let now = 1_700_000_015;
        let code = code_at(&secret, now).unwrap();
        let step = accepted_step(&secret, &code, now, 0).unwrap();
        assert_eq!(step, now / 30);
        assert_eq!(accepted_step(&secret, &code, now, step), None, "not twice");
        assert_eq!(
            accepted_step(&secret, &code, now + 30, 0),
            Some(step),
            "a step late"
        );
        assert_eq!(
            accepted_step(&secret, &code, now - 30, 0),
            Some(step),
            "a step early"
        );
        assert_eq!(accepted_step(&secret, &code, now + 90, 0), None, "too late");
        assert_eq!(accepted_step(&secret, "12345", now, 0), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(accepted_step(&secret, &spaced, now, 0), Some(step));
    }

    #[test]
    fn set_up_links_and_recovery_codes() {
        let secret = b"12345678901234567890";
        assert_eq!(
            typed_secret(secret),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
        let url = otpauth_url(secret, "Lyceum Academy", "ada@example.com");
        assert!(url.starts_with("otpauth://totp/Lyceum%20Academy%3Aada%40example%2Ecom?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Lyceum+Academy"), "{url}");
        assert!(qr_svg(&url).unwrap().starts_with("<svg"));
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 9);
            let plain = normalised_recovery_code(&code.to_lowercase()).unwrap();
            assert_eq!(plain, code.replace('-', ""));
        }
        assert_eq!(normalised_recovery_code("abc"), None);
    }
}
