//! Input rules shared by every operation, and a collector that reports every failing field at
//! once (§1.4.1).

use crate::error::{AppError, ErrorCode, ErrorItem};

/// Collects field errors; `finish` turns them into one [`AppError`].
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<ErrorItem>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, code: ErrorCode, field: &str) {
        self.errors.push(ErrorItem { code, field: Some(field.to_owned()) });
    }

    /// Records `code` for `field` unless `ok`; returns `ok`.
    pub fn check(&mut self, ok: bool, code: ErrorCode, field: &str) -> bool {
        if !ok {
            self.fail(code, field);
        }
        ok
    }

    /// A required value: absent or `null` is 4002.
    pub fn required<'a, T>(&mut self, field: &str, value: &'a Option<T>) -> Option<&'a T> {
        if value.is_none() {
            self.fail(ErrorCode::FieldRequired, field);
        }
        value.as_ref()
    }

    /// Length in Unicode scalar values within `min..=max` (4004).
    pub fn length(&mut self, field: &str, value: &str, min: usize, max: usize) -> bool {
        let n = value.chars().count();
        self.check((min..=max).contains(&n), ErrorCode::FieldRange, field)
    }

    /// A required string of `min..=max` characters.
    pub fn required_str<'a>(
        &mut self,
        field: &str,
        value: &'a Option<String>,
        min: usize,
        max: usize,
    ) -> Option<&'a str> {
        let v = self.required(field, value)?;
        self.length(field, v, min, max).then_some(v.as_str())
    }

    pub fn email(&mut self, field: &str, value: &str) -> bool {
        self.check(is_email(value), ErrorCode::FieldFormat, field)
    }

    pub fn phone(&mut self, field: &str, value: &str) -> bool {
        self.check(is_e164(value), ErrorCode::FieldFormat, field)
    }

    pub fn http_url(&mut self, field: &str, value: &str, max: usize) -> bool {
        self.length(field, value, 1, max) && self.check(is_http_url(value), ErrorCode::FieldFormat, field)
    }

    pub fn language(&mut self, field: &str, value: &str) -> bool {
        self.check(is_language(value), ErrorCode::FieldFormat, field)
    }

    pub fn range<T: PartialOrd>(&mut self, field: &str, value: T, min: T, max: T) -> bool {
        self.check(value >= min && value <= max, ErrorCode::FieldRange, field)
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let fields: Vec<&str> = self.errors.iter().filter_map(|e| e.field.as_deref()).collect();
        Err(AppError {
            message: format!("Invalid input: {}", fields.join(", ")).into(),
            errors: self.errors,
            retry_after: None,
            internal: None,
        })
    }
}

/// A practical address check: one `@`, a local part of 1–64 and a dotted domain, ≤ 254 in all.
pub fn is_email(s: &str) -> bool {
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || local.contains('@') || local.starts_with('.') || local.ends_with('.') {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

/// E.164: `+`, a non-zero digit, 7–15 digits in all.
pub fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0')
}

/// An absolute `http` or `https` URL with a host.
pub fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// ISO 639-1 two-letter codes.
const LANGUAGES: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy \
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii \
ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr \
ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl \
sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

pub fn is_language(s: &str) -> bool {
    s.len() == 2 && LANGUAGES.split_ascii_whitespace().any(|l| l == s)
}

/// Password policy of §2.1: 10–128 characters, not containing the e-mail's local part.
pub fn password_acceptable(password: &str, email: &str) -> bool {
    let n = password.chars().count();
    if !(10..=128).contains(&n) {
        return false;
    }
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    local.is_empty() || !password.to_lowercase().contains(&local)
}

/// Canonical form for comparing e-mails case-insensitively.
pub fn normalize_email(s: &str) -> String {
    s.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_email("jan.novak@example.cz"));
        assert!(is_email("a+tag@sub.example.com"));
        assert!(!is_email("no-at.example.com"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@example.com"));
        assert!(!is_email("a@example.123"));
        assert!(!is_email("@example.com"));
    }

    #[test]
    fn phones_urls_languages() {
        assert!(is_e164("+420601234567"));
        assert!(!is_e164("420601234567"));
        assert!(!is_e164("+0601234567"));
        assert!(!is_e164("+42060123456789012"));
        assert!(is_http_url("https://shop.example.com/ok"));
        assert!(!is_http_url("ftp://example.com"));
        assert!(!is_http_url("javascript:alert(1)"));
        assert!(is_language("cs") && is_language("en") && !is_language("xx") && !is_language("eng"));
    }

    #[test]
    fn password_policy() {
        assert!(password_acceptable("correct horse battery", "jan@example.com"));
        assert!(!password_acceptable("short", "jan@example.com"));
        assert!(!password_acceptable("my-JAN-password-1", "jan@example.com"));
        assert!(!password_acceptable(&"x".repeat(129), "jan@example.com"));
    }

    #[test]
    fn validator_collects_every_field() {
        let mut v = Validator::new();
        let name: Option<String> = None;
        v.required_str("name", &name, 1, 100);
        v.email("email", "bad");
        let err = v.finish().unwrap_err();
        assert_eq!(err.errors.len(), 2);
        assert_eq!(err.errors[0].code, ErrorCode::FieldRequired);
        assert_eq!(err.errors[1].field.as_deref(), Some("email"));
    }
}
