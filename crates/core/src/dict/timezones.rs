//! IANA time zones offered to users. Ids are given at seeding in alphabetical order and kept in
//! the database, so a newer tz database only appends.

use chrono::{Offset, TimeZone, Utc};
use chrono_tz::Tz;

const REGIONS: &[&str] = &[
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
];

/// The zone names to seed, sorted.
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| *n == "UTC" || REGIONS.iter().any(|r| n.starts_with(r)))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Current offset from UTC as `+01:00`; `None` for a name the tz database does not know.
pub fn utc_offset(name: &str) -> Option<String> {
    let tz: Tz = name.parse().ok()?;
    let secs = tz.offset_from_utc_datetime(&Utc::now().naive_utc()).fix().local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.abs();
    Some(format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sorted_and_include_utc() {
        let n = names();
        assert!(n.len() > 300);
        assert!(n.windows(2).all(|w| w[0] < w[1]));
        assert!(n.contains(&"UTC") && n.contains(&"Europe/Prague"));
        assert_eq!(utc_offset("UTC").as_deref(), Some("+00:00"));
        assert!(utc_offset("Mars/Olympus").is_none());
    }
}
