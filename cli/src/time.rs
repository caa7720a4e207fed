//! Times and durations as people type them and as the CLI shows them.
//!
//! Input: RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` (a space or `T` between) read in China time
//! (UTC+8), since that is what reps type; for ranges also a bare date. Durations: seconds
//! (`200`) or units (`3m20s`, `1h5m`). Output: RFC 3339 in the store's time zone.

use chrono::{
    DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc,
};

/// The offset of a time typed without one: China time.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

const TIME_FORMS: &str =
    "expected RFC 3339 (2026-03-02T09:00:00+08:00) or YYYY-MM-DD HH:MM (China time)";

/// A point in time.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for form in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, form) {
            return local(naive, china()).ok_or_else(|| TIME_FORMS.to_string());
        }
    }
    Err(TIME_FORMS.into())
}

/// A bound of a time range: an exact time, or a whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeArg {
    At(DateTime<Utc>),
    Day(NaiveDate),
}

impl TimeArg {
    /// As the start of a range: a day starts at its midnight.
    pub fn start(self, zone: FixedOffset) -> Option<DateTime<Utc>> {
        match self {
            TimeArg::At(t) => Some(t),
            TimeArg::Day(d) => start_of_day(d, zone),
        }
    }

    /// As the (excluded) end of a range: a day ends at the next midnight.
    pub fn end(self, zone: FixedOffset) -> Option<DateTime<Utc>> {
        match self {
            TimeArg::At(t) => Some(t),
            TimeArg::Day(d) => start_of_day(d.succ_opt()?, zone),
        }
    }
}

/// A time, or a bare date `YYYY-MM-DD`.
pub fn parse_time_or_day(s: &str) -> Result<TimeArg, String> {
    if let Ok(day) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        return Ok(TimeArg::Day(day));
    }
    parse_time(s)
        .map(TimeArg::At)
        .map_err(|_| format!("{TIME_FORMS}, or a date YYYY-MM-DD"))
}

/// Midnight starting `day` in `zone`.
pub fn start_of_day(day: NaiveDate, zone: FixedOffset) -> Option<DateTime<Utc>> {
    local(day.and_hms_opt(0, 0, 0)?, zone)
}

/// The day `now` falls on in `zone`, as `[start, end)`.
pub fn day_of(now: DateTime<Utc>, zone: FixedOffset) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let day = now.with_timezone(&zone).date_naive();
    Some((
        start_of_day(day, zone)?,
        start_of_day(day.succ_opt()?, zone)?,
    ))
}

fn local(naive: NaiveDateTime, zone: FixedOffset) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// RFC 3339 in `zone`, to the second.
pub fn show(t: DateTime<Utc>, zone: FixedOffset) -> String {
    t.with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A duration in seconds: `200`, `3m20s`, `1h`, `1h5m30s`.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    const FORMS: &str = "expected seconds (200) or a duration like 3m20s";
    let s = s.trim();
    if s.is_empty() {
        return Err(FORMS.into());
    }
    if let Ok(secs) = s.parse::<i64>() {
        return if secs < 0 {
            Err("must not be negative".into())
        } else {
            Ok(secs)
        };
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    let mut last_unit = usize::MAX;
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 0,
            'm' => 1,
            's' => 2,
            _ => return Err(FORMS.into()),
        };
        // Units in order, each at most once, each after a number.
        if number.is_empty() || (last_unit != usize::MAX && unit <= last_unit) {
            return Err(FORMS.into());
        }
        let value: i64 = number.parse().map_err(|_| FORMS.to_string())?;
        let scale = [3600, 60, 1][unit];
        total = value
            .checked_mul(scale)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| "too long".to_string())?;
        number.clear();
        last_unit = unit;
    }
    if !number.is_empty() {
        return Err(FORMS.into());
    }
    Ok(total)
}

/// `200` → `3m20s`, for people.
pub fn show_duration(secs: i64) -> String {
    let d = Duration::seconds(secs);
    let (h, m, s) = (d.num_hours(), d.num_minutes() % 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_time_without_offset_is_utc_plus_8() {
        let t = parse_time("2026-03-02 09:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-02T01:00:00+00:00");
        assert_eq!(parse_time("2026-03-02T09:00:00+08:00").unwrap(), t);
        assert_eq!(parse_time("2026-03-02T01:00:00Z").unwrap(), t);
        assert_eq!(show(t, china()), "2026-03-02T09:00:00+08:00");
        assert!(parse_time("tomorrow").is_err());
        assert!(parse_time("2026-02-30 09:00").is_err());
    }

    #[test]
    fn a_day_covers_midnight_to_midnight_china_time() {
        let day = parse_time_or_day("2026-03-02").unwrap();
        assert_eq!(day.start(china()), parse_time("2026-03-02 00:00").ok());
        assert_eq!(day.end(china()), parse_time("2026-03-03 00:00").ok());
    }

    #[test]
    fn durations_in_seconds_or_units() {
        assert_eq!(parse_duration("200"), Ok(200));
        assert_eq!(parse_duration("3m20s"), Ok(200));
        assert_eq!(parse_duration("1h"), Ok(3600));
        assert_eq!(parse_duration("1h0m5s"), Ok(3605));
        for bad in [
            "",
            "-5",
            "3x",
            "m",
            "20s3m",
            "3m3m",
            "3m20",
            "99999999999999999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(show_duration(200), "3m20s");
        assert_eq!(show_duration(45), "45s");
        assert_eq!(show_duration(3605), "1h0m5s");
    }
}
