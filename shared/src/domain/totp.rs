//! Two-factor sign-in: time-based one-time passwords (RFC 6238: SHA-1,
//! 6 digits, 30-second steps, as every authenticator app reads them) through
//! `totp-rs`, and single-use recovery codes stored as hashes.

use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

use crate::domain::AccountId;
use crate::domain::secret_token::hashes_match;
use crate::random::Random;

/// Length of a TOTP secret: 160 bits, RFC 4226's recommendation.
pub const SECRET_BYTES: usize = 20;
/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Recovery codes handed out at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// What authenticator apps show above the account name.
pub const ISSUER: &str = "Accounts";

/// A TOTP secret in memory: never printed, zeroed when dropped.
pub type TotpSecret = SecretBox<Vec<u8>>;

/// A fresh random secret.
pub fn new_secret(random: &dyn Random) -> TotpSecret {
    let mut bytes = vec![0u8; SECRET_BYTES];
    random.fill(&mut bytes);
    SecretBox::new(Box::new(bytes))
}

/// The TOTP generator of `secret` for `username`'s authenticator entry.
fn generator(secret: &TotpSecret, username: &str) -> Option<TOTP> {
    // A username has no `:` and the secret is 160 bits, so `new` accepts
    // both; `None` only if that ever stops holding.
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECS as u64,
        secret.expose_secret().clone(),
        Some(ISSUER.into()),
        username.into(),
    )
    .ok()
}

/// The secret in base32 (what a person types into an app by hand) and the
/// `otpauth://` URI (what a QR code carries).
pub fn enrolment(secret: &TotpSecret, username: &str) -> Option<(String, String)> {
    let totp = generator(secret, username)?;
    Some((totp.get_secret_base32(), totp.get_url()))
}

/// The code of `secret` at Unix time `at`.
pub fn code_at(secret: &TotpSecret, at: i64) -> Option<String> {
    Some(generator(secret, "")?.generate(u64::try_from(at).ok()?))
}

/// The step of `code` within one step of `now`, if it is later than
/// `after_step`: a code is accepted once, and never one older than the last
/// accepted (no replay within its window).
pub fn matching_step(secret: &TotpSecret, code: &str, now: i64, after_step: i64) -> Option<i64> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now.div_euclid(STEP_SECS);
    (current - 1..=current + 1)
        .filter(|step| *step > after_step)
        .find(|step| code_at(secret, step * STEP_SECS).is_some_and(|expected| hashes_match(&expected, code)))
}

/// A QR code of `uri` as an SVG document, drawn here (no outside service
/// ever sees the secret). `fast_qr` picks the mask by the standard's
/// penalty rules, as `qrcode` did, in a ninth of its time; the dark modules
/// are written as one path of horizontal runs.
pub fn qr_svg(uri: &str) -> Option<String> {
    use std::fmt::Write as _;
    const QUIET_ZONE: usize = 4;
    let code = fast_qr::QRBuilder::new(uri).ecl(fast_qr::ECL::M).build().ok()?;
    let (width, modules) = (code.size, &code.data);
    let dark = |x: usize, y: usize| modules[y * width + x].value();
    let mut path = String::with_capacity(width * width * 2);
    for y in 0..width {
        let mut x = 0;
        while x < width {
            let start = x;
            while x < width && dark(x, y) {
                x += 1;
            }
            if x > start {
                let _ = write!(path, "M{} {}h{}v1h-{}z", start + QUIET_ZONE, y + QUIET_ZONE, x - start, x - start);
            }
            x += 1;
        }
    }
    let size = width + 2 * QUIET_ZONE;
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="200" height="200" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
    ))
}

/// Ten fresh recovery codes (`xxxxx-xxxxx`, 50 random bits each, in an
/// alphabet without look-alikes), shown once: secrets until then.
pub fn new_recovery_codes(random: &dyn Random) -> Vec<SecretString> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            random.fill(&mut bytes);
            let chars: String = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
            SecretString::from(format!("{}-{}", &chars[..5], &chars[5..]))
        })
        .collect()
}

/// What is stored for a recovery code of `account_id`: SHA-256 of the
/// account and the code as typed, case and dashes aside.
pub fn recovery_code_hash(account_id: &AccountId, code: &str) -> String {
    let normalised: String =
        code.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_lowercase).collect();
    hex::encode(Sha256::digest(format!("{account_id}:{normalised}").as_bytes()))
}

/// The index of the stored hash `code` matches, if any.
pub fn find_recovery_code(hashes: &[String], account_id: &AccountId, code: &str) -> Option<usize> {
    let presented = recovery_code_hash(account_id, code);
    hashes.iter().position(|stored| hashes_match(stored, &presented))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> TotpSecret {
        // RFC 6238 appendix B's SHA-1 seed.
        SecretBox::new(Box::new(b"12345678901234567890".to_vec()))
    }

    #[test]
    fn codes_are_rfc_6238s() {
        // Appendix B, truncated to 6 digits.
        assert_eq!(code_at(&secret(), 59).as_deref(), Some("287082"));
        assert_eq!(code_at(&secret(), 1_111_111_109).as_deref(), Some("081804"));
        assert_eq!(code_at(&secret(), 2_000_000_000).as_deref(), Some("279037"));
    }

    #[test]
    fn a_code_matches_within_one_step_and_only_after_the_last_accepted() {
        let now = 1_111_111_109;
        let step = now / STEP_SECS;
        let previous = code_at(&secret(), now - STEP_SECS).unwrap();
        assert_eq!(matching_step(&secret(), &previous, now, 0), Some(step - 1));
        assert_eq!(matching_step(&secret(), &previous, now, step - 1), None, "replayed");
        let too_old = code_at(&secret(), now - 2 * STEP_SECS).unwrap();
        assert_eq!(matching_step(&secret(), &too_old, now, 0), None);
        assert_eq!(matching_step(&secret(), "12345", now, 0), None);
    }

    #[test]
    fn recovery_codes_match_as_typed_and_only_their_own_account() {
        let codes = new_recovery_codes(&crate::random::OsRandom);
        assert_eq!(codes.len(), RECOVERY_CODES);
        let (acct, other) = (AccountId::parse(&"a".repeat(32)).unwrap(), AccountId::parse(&"b".repeat(32)).unwrap());
        let hashes: Vec<String> = codes.iter().map(|c| recovery_code_hash(&acct, c.expose_secret())).collect();
        let typed = codes[3].expose_secret().to_uppercase().replace('-', " ");
        assert_eq!(find_recovery_code(&hashes, &acct, &typed), Some(3));
        assert_eq!(find_recovery_code(&hashes, &other, codes[3].expose_secret()), None);
    }

    #[test]
    fn the_enrolment_uri_names_the_issuer_and_the_account() {
        let (base32, uri) = enrolment(&secret(), "alice").unwrap();
        assert_eq!(base32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert!(uri.starts_with("otpauth://totp/Accounts:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), "{uri}");
    }

    /// The dark modules of `svg`'s path, back on a grid of `scale` pixels
    /// per module, as a camera would see them.
    fn rasterise(svg: &str, scale: usize) -> (usize, Vec<bool>) {
        let number = |s: &str| s.parse::<usize>().unwrap();
        let size = number(svg.split("viewBox=\"0 0 ").nth(1).unwrap().split(' ').next().unwrap());
        let mut pixels = vec![false; size * size * scale * scale];
        let path = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
        for run in path.split('M').filter(|r| !r.is_empty()) {
            // "x yhNv1h-Nz"
            let (x, rest) = run.split_once(' ').unwrap();
            let (y, rest) = rest.split_once('h').unwrap();
            let n = rest.split('v').next().unwrap();
            let (x, y, n) = (number(x), number(y), number(n));
            for px in x * scale..(x + n) * scale {
                for py in y * scale..(y + 1) * scale {
                    pixels[py * size * scale + px] = true;
                }
            }
        }
        (size * scale, pixels)
    }

    #[test]
    fn the_qr_code_reads_back_as_the_enrolment_uri() {
        let (_, uri) = enrolment(&secret(), "alice").unwrap();
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
        let (side, pixels) = rasterise(&svg, 4);
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| if pixels[y * side + x] { 0 } else { 255 });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().expect("a readable QR code");
        assert_eq!(content, uri);
    }
}
