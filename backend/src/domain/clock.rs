//! Time, from one place, so tests can control it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};

/// Where "now" comes from: the system clock, or a clock a test moves by hand.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { fixed: None }
    }

    /// A clock that stands still at `at` until [`Clock::advance`] moves it.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self { fixed: Some(Arc::new(Mutex::new(at))) }
    }

    /// Now, to the microsecond (the precision both databases keep).
    pub fn now(&self) -> DateTime<Utc> {
        let now = match &self.fixed {
            Some(at) => *at.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
            None => Utc::now(),
        };
        truncate_to_micros(now)
    }

    /// Sets a manual clock to `at`; does nothing to the system clock.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(now) = &self.fixed {
            *now.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = at;
        }
    }

    /// Moves a manual clock forward; does nothing to the system clock.
    pub fn advance(&self, by: TimeDelta) {
        if let Some(at) = &self.fixed {
            let mut at = at.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            *at += by;
        }
    }
}

fn truncate_to_micros(t: DateTime<Utc>) -> DateTime<Utc> {
    let micros = t.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(t)
}

/// The canonical text form of a time: RFC 3339, UTC, always six fractional digits, so texts
/// compare in time order and hash the same everywhere.
pub fn canonical(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads a canonical time back.
pub fn parse_canonical(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_times_sort_as_text_in_time_order() {
        let a = DateTime::from_timestamp(1_700_000_000, 5_000).expect("valid");
        let b = a + TimeDelta::milliseconds(1);
        let c = a + TimeDelta::seconds(1);
        assert!(canonical(a) < canonical(b) && canonical(b) < canonical(c));
        assert_eq!(canonical(a).len(), canonical(c).len());
        assert_eq!(parse_canonical(&canonical(a)), Some(a));
    }

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = DateTime::from_timestamp(1_700_000_000, 0).expect("valid");
        let clock = Clock::manual(start);
        assert_eq!(clock.now(), start);
        clock.advance(TimeDelta::minutes(31));
        assert_eq!(clock.now(), start + TimeDelta::minutes(31));
    }
}

/// A day as people read it in sentences: "3 February 2027".
pub fn long_date(day: chrono::NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// A span of days in words: "3 February 2027" for one day, "3 to 4 February 2027" and
/// "30 January to 2 February 2027" within a year, both dates in full otherwise.
pub fn long_range(first: chrono::NaiveDate, last: chrono::NaiveDate) -> String {
    use chrono::Datelike as _;
    if first == last {
        long_date(first)
    } else if first.year() != last.year() {
        format!("{} to {}", long_date(first), long_date(last))
    } else if first.month() != last.month() {
        format!("{} to {}", first.format("%-d %B"), long_date(last))
    } else {
        format!("{} to {}", first.format("%-d"), long_date(last))
    }
}

#[cfg(test)]
mod date_words {
    use chrono::NaiveDate;

    use super::{long_date, long_range};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn dates_read_as_words() {
        assert_eq!(long_date(d(2027, 2, 3)), "3 February 2027");
        assert_eq!(long_range(d(2027, 2, 3), d(2027, 2, 4)), "3 to 4 February 2027");
        assert_eq!(long_range(d(2027, 1, 30), d(2027, 2, 2)), "30 January to 2 February 2027");
        assert_eq!(long_range(d(2026, 12, 30), d(2027, 1, 2)), "30 December 2026 to 2 January 2027");
        assert_eq!(long_range(d(2027, 2, 3), d(2027, 2, 3)), "3 February 2027");
    }
}
