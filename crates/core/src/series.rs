//! Time buckets of statistics series: hour, day, week (Monday) or month boundaries in the
//! caller's time zone, so a day is the merchant's day, DST changes included.

use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Hour,
    Day,
    Week,
    Month,
}

impl Interval {
    pub fn parse(s: &str) -> Option<Interval> {
        match s {
            "hour" => Some(Interval::Hour),
            "day" => Some(Interval::Day),
            "week" => Some(Interval::Week),
            "month" => Some(Interval::Month),
            _ => None,
        }
    }
}

/// The most buckets a series holds (a year of days; hours only for ≤ 7 days).
pub const MAX_BUCKETS: usize = 400;

/// `[from, to)` cut at the interval's local boundaries; the first and last bucket are clipped
/// to the period.
pub fn buckets(from: i64, to: i64, interval: Interval, zone: &str) -> Vec<(i64, i64)> {
    let tz: Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let mut out = Vec::new();
    let mut start = from;
    while start < to && out.len() < MAX_BUCKETS {
        let next = next_boundary(start, interval, tz).min(to);
        out.push((start, next));
        start = next;
    }
    out
}

/// The first local boundary strictly after `t`.
fn next_boundary(t: i64, interval: Interval, tz: Tz) -> i64 {
    let local = tz.timestamp_opt(t, 0).single().map(|d| d.naive_local()).unwrap_or_default();
    let next: NaiveDateTime = match interval {
        Interval::Hour => local.with_minute(0).and_then(|d| d.with_second(0)).unwrap_or(local) + Duration::hours(1),
        Interval::Day => midnight(local.date() + Duration::days(1)),
        Interval::Week => {
            let monday = local.date() - Duration::days(local.weekday().num_days_from_monday() as i64);
            midnight(monday + Duration::days(7))
        }
        Interval::Month => {
            let (y, m) = if local.month() == 12 { (local.year() + 1, 1) } else { (local.year(), local.month() + 1) };
            midnight(NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(local.date()))
        }
    };
    let utc = match tz.from_local_datetime(&next) {
        LocalResult::Single(d) => d.timestamp(),
        LocalResult::Ambiguous(a, _) => a.timestamp(),
        // A boundary inside a DST gap starts at the first instant after it.
        LocalResult::None => {
            tz.from_local_datetime(&(next + Duration::hours(1))).earliest().map_or(t + 3600, |d| d.timestamp())
        }
    };
    utc.max(t + 1)
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).expect("midnight exists")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_rfc3339;

    fn t(s: &str) -> i64 {
        parse_rfc3339(s).unwrap()
    }

    #[test]
    fn days_follow_the_local_midnight() {
        let b = buckets(t("2025-03-01T10:00:00Z"), t("2025-03-03T00:00:00Z"), Interval::Day, "Europe/Berlin");
        assert_eq!(
            b,
            vec![
                (t("2025-03-01T10:00:00Z"), t("2025-03-01T23:00:00Z")),
                (t("2025-03-01T23:00:00Z"), t("2025-03-02T23:00:00Z")),
                (t("2025-03-02T23:00:00Z"), t("2025-03-03T00:00:00Z")),
            ]
        );
    }

    #[test]
    fn a_dst_day_has_23_hours() {
        let b = buckets(t("2025-03-29T23:00:00Z"), t("2025-03-31T22:00:00Z"), Interval::Day, "Europe/Berlin");
        assert_eq!(b[0], (t("2025-03-29T23:00:00Z"), t("2025-03-30T22:00:00Z")));
        assert_eq!(b[1], (t("2025-03-30T22:00:00Z"), t("2025-03-31T22:00:00Z")));
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let w = buckets(t("2025-01-01T00:00:00Z"), t("2025-01-20T00:00:00Z"), Interval::Week, "UTC");
        assert_eq!(
            w.iter().map(|b| b.1).collect::<Vec<_>>(),
            [t("2025-01-06T00:00:00Z"), t("2025-01-13T00:00:00Z"), t("2025-01-20T00:00:00Z")]
        );
        let m = buckets(t("2024-12-15T00:00:00Z"), t("2025-02-10T00:00:00Z"), Interval::Month, "UTC");
        assert_eq!(
            m.iter().map(|b| b.1).collect::<Vec<_>>(),
            [t("2025-01-01T00:00:00Z"), t("2025-02-01T00:00:00Z"), t("2025-02-10T00:00:00Z")]
        );
        let h = buckets(t("2025-01-01T00:30:00Z"), t("2025-01-01T03:00:00Z"), Interval::Hour, "Asia/Kolkata");
        assert_eq!(
            h.iter().map(|b| b.1).collect::<Vec<_>>(),
            [t("2025-01-01T01:30:00Z"), t("2025-01-01T02:30:00Z"), t("2025-01-01T03:00:00Z")]
        );
    }
}
