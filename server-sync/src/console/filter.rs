//! A console question as typed by a person (query parameters), parsed into bounds.
//!
//! Dates are days in the tenant's time zone (`2026-12-01`), both ends included; absent, the
//! period is the last 7 days up to today. A period longer than [`MAX_PERIOD_DAYS`] is refused
//! (a year is the longest review a person reads; a longer one is an export). A page holds
//! [`DEFAULT_PAGE`] visits unless `limit` says otherwise, at most [`MAX_PAGE`]: a larger limit
//! is refused rather than quietly cut, so a company's own report learns its mistake. The
//! cursor is opaque to callers; it is the sort key of the last row (`<at ms>.<id>`). Every
//! refusal names the parameter, never echoes the value.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use fieldsales_protocol::record::Verdict;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{Error, Result};

/// Visits per page unless `limit` is given.
pub const DEFAULT_PAGE: usize = 50;
/// Largest page.
pub const MAX_PAGE: usize = 200;
/// Longest period, in days.
pub const MAX_PERIOD_DAYS: u64 = 366;
/// Length of the default period, in days (today included).
const DEFAULT_PERIOD_DAYS: u64 = 7;
/// Longest id a filter or cursor may name (ids are UUIDs).
const MAX_ID_LEN: usize = 64;

/// The query parameters of the visits list, as received.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitQuery {
    /// Only this rep's visits (user id).
    pub rep: Option<String>,
    /// Only visits of this customer (id).
    pub customer: Option<String>,
    /// `verified`, `out_of_range` or `unverifiable`.
    pub verdict: Option<String>,
    /// First day, `YYYY-MM-DD` in the tenant's time zone (default: 6 days before `to`).
    pub from: Option<String>,
    /// Last day, included (default: today).
    pub to: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Visits per page, 1 to 200 (default 50).
    pub limit: Option<String>,
}

/// The query parameters of the figures.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, `YYYY-MM-DD` in the tenant's time zone (default: 6 days before `to`).
    pub from: Option<String>,
    /// Last day, included (default: today).
    pub to: Option<String>,
}

/// A period of whole days in a time zone, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Start of the first day, ms since the epoch.
    pub from_ms: i64,
    /// Start of the day after the last, ms since the epoch (excluded).
    pub to_ms: i64,
}

/// Where the next page starts: after the row with this sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at_ms: i64,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.at_ms, self.id)
    }

    fn parse(s: &str) -> Result<Cursor> {
        let refused = || Error::Invalid {
            field: "cursor",
            reason: "is not a cursor this server gave out",
        };
        let (at, id) = s.split_once('.').ok_or_else(refused)?;
        let at_ms = at.parse::<i64>().map_err(|_| refused())?;
        if !is_id(id) {
            return Err(refused());
        }
        Ok(Cursor {
            at_ms,
            id: id.to_string(),
        })
    }
}

/// The visits list's question, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitFilter {
    pub rep: Option<String>,
    pub customer: Option<String>,
    pub verdict: Option<Verdict>,
    pub period: Period,
    pub cursor: Option<Cursor>,
    pub limit: usize,
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// An id named in a path (a visit's, a customer's), checked like a filter's.
pub fn path_id(value: &str, field: &'static str) -> Result<String> {
    id(Some(value), field)?.ok_or(Error::Invalid {
        field,
        reason: "is not an id",
    })
}

fn id(value: Option<&str>, field: &'static str) -> Result<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if is_id(v) => Ok(Some(v.to_string())),
        Some(_) => Err(Error::Invalid {
            field,
            reason: "is not an id",
        }),
    }
}

fn day(value: Option<&str>, field: &'static str) -> Result<Option<NaiveDate>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Error::Invalid {
                field,
                reason: "must be a date, YYYY-MM-DD",
            }),
    }
}

/// The first instant of `day` in `zone` (a day that starts in a summer-time gap starts when
/// the clock allows).
fn start_of(day: NaiveDate, zone: Tz) -> Result<i64> {
    let midnight = day.and_hms_opt(0, 0, 0).ok_or(Error::Invalid {
        field: "from",
        reason: "is out of range",
    })?;
    zone.from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.timestamp_millis())
        .ok_or(Error::Invalid {
            field: "from",
            reason: "is out of range",
        })
}

impl Period {
    /// The days `from..=to` in `zone`; absent ends default to the last 7 days up to the day of
    /// `now_ms`.
    pub fn parse(from: Option<&str>, to: Option<&str>, zone: Tz, now_ms: i64) -> Result<Period> {
        let today = Utc
            .timestamp_millis_opt(now_ms)
            .single()
            .map(|t| t.with_timezone(&zone).date_naive())
            .unwrap_or_default();
        let last_day = day(to, "to")?.unwrap_or(today);
        let first_day = match day(from, "from")? {
            Some(d) => d,
            None => last_day
                .checked_sub_days(Days::new(DEFAULT_PERIOD_DAYS - 1))
                .ok_or(Error::Invalid {
                    field: "to",
                    reason: "is out of range",
                })?,
        };
        if first_day > last_day {
            return Err(Error::Invalid {
                field: "from",
                reason: "must not be after to",
            });
        }
        if (last_day - first_day).num_days() >= MAX_PERIOD_DAYS as i64 {
            return Err(Error::Invalid {
                field: "to",
                reason: "a period is at most 366 days",
            });
        }
        let after = last_day
            .checked_add_days(Days::new(1))
            .ok_or(Error::Invalid {
                field: "to",
                reason: "is out of range",
            })?;
        Ok(Period {
            first_day,
            last_day,
            from_ms: start_of(first_day, zone)?,
            to_ms: start_of(after, zone)?,
        })
    }
}

impl VisitFilter {
    /// Checks `query`; `now_ms` decides the default period.
    pub fn parse(query: &VisitQuery, zone: Tz, now_ms: i64) -> Result<VisitFilter> {
        let verdict = match query.verdict.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(Verdict::parse(v).ok_or(Error::Invalid {
                field: "verdict",
                reason: "must be verified, out_of_range or unverifiable",
            })?),
        };
        let limit = match query.limit.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_PAGE,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or(Error::Invalid {
                    field: "limit",
                    reason: "must be a number from 1 to 200",
                })?,
        };
        let cursor = match query.cursor.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(Cursor::parse(c)?),
        };
        Ok(VisitFilter {
            rep: id(query.rep.as_deref(), "rep")?,
            customer: id(query.customer.as_deref(), "customer")?,
            verdict,
            period: Period::parse(query.from.as_deref(), query.to.as_deref(), zone, now_ms)?,
            cursor,
            limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHANGHAI: Tz = Tz::Asia__Shanghai;
    /// 2026-12-01T10:00:00+08:00.
    const NOW: i64 = 1_796_090_400_000;

    fn query(pairs: &[(&str, &str)]) -> VisitQuery {
        let mut q = VisitQuery::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "rep" => q.rep = v,
                "customer" => q.customer = v,
                "verdict" => q.verdict = v,
                "from" => q.from = v,
                "to" => q.to = v,
                "cursor" => q.cursor = v,
                "limit" => q.limit = v,
                _ => unreachable!("a parameter of the list"),
            }
        }
        q
    }

    fn refused_field(pairs: &[(&str, &str)]) -> &'static str {
        match VisitFilter::parse(&query(pairs), SHANGHAI, NOW) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn days_are_the_tenants_days() {
        let f = VisitFilter::parse(
            &query(&[("from", "2026-12-01"), ("to", "2026-12-01")]),
            SHANGHAI,
            NOW,
        )
        .unwrap();
        // Midnight in Shanghai is 16:00 UTC the day before; one whole day.
        assert_eq!(f.period.from_ms, NOW - 10 * 3_600_000);
        assert_eq!(f.period.to_ms - f.period.from_ms, 24 * 3_600_000);
        assert_eq!((f.limit, f.cursor, f.verdict), (DEFAULT_PAGE, None, None));
    }

    #[test]
    fn without_dates_the_period_is_the_last_seven_days_up_to_today() {
        let f = VisitFilter::parse(&query(&[]), SHANGHAI, NOW).unwrap();
        assert_eq!(f.period.last_day.to_string(), "2026-12-01");
        assert_eq!(f.period.first_day.to_string(), "2026-11-25");
    }

    #[test]
    fn malformed_filters_are_refused_by_name() {
        assert_eq!(refused_field(&[("from", "yesterday")]), "from");
        assert_eq!(
            refused_field(&[("from", "2026-12-02"), ("to", "2026-12-01")]),
            "from"
        );
        assert_eq!(
            refused_field(&[("from", "2024-01-01"), ("to", "2026-12-01")]),
            "to"
        );
        assert_eq!(refused_field(&[("verdict", "maybe")]), "verdict");
        assert_eq!(refused_field(&[("limit", "0")]), "limit");
        assert_eq!(refused_field(&[("limit", "201")]), "limit");
        assert_eq!(refused_field(&[("limit", "-3")]), "limit");
        assert_eq!(refused_field(&[("cursor", "garbage")]), "cursor");
        assert_eq!(refused_field(&[("cursor", "12.a'; drop")]), "cursor");
        assert_eq!(refused_field(&[("rep", "ann' OR 1=1")]), "rep");
    }

    #[test]
    fn a_cursor_reads_back_as_given() {
        let cursor = Cursor {
            at_ms: NOW,
            id: "0190-ab".into(),
        };
        let f = VisitFilter::parse(&query(&[("cursor", &cursor.encode())]), SHANGHAI, NOW).unwrap();
        assert_eq!(f.cursor, Some(cursor));
    }
}
