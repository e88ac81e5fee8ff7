//! Timestamps are whole Unix seconds in storage and RFC 3339 UTC with `Z` on the wire (§1.6).

use chrono::{DateTime, SecondsFormat, Utc};

/// Unix seconds of now.
pub fn now() -> i64 {
    Utc::now().timestamp()
}

/// `2025-01-31T12:00:00Z`.
pub fn rfc3339(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Any RFC 3339 offset and fraction, converted to Unix seconds (fractions dropped).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_whole_seconds() {
        assert_eq!(rfc3339(1_738_324_800), "2025-01-31T12:00:00Z");
        assert_eq!(parse_rfc3339("2025-01-31T13:00:00.75+01:00"), Some(1_738_324_800));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
