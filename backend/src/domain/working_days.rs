//! Working days in England: Monday to Friday, less England and Wales bank holidays
//! (`migrations/data/bank-holidays-england-and-wales.json`, 2016 to 2030).

use std::{collections::BTreeSet, sync::LazyLock};

use chrono::{Datelike as _, NaiveDate, TimeDelta, Weekday};
use serde::Deserialize;

const BANK_HOLIDAYS_JSON: &str =
    include_str!("../../../migrations/data/bank-holidays-england-and-wales.json");

#[derive(Deserialize)]
struct Feed {
    #[serde(rename = "england-and-wales")]
    england_and_wales: Division,
}

#[derive(Deserialize)]
struct Division {
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    date: NaiveDate,
}

static BANK_HOLIDAYS: LazyLock<BTreeSet<NaiveDate>> = LazyLock::new(|| {
    serde_json::from_str::<Feed>(BANK_HOLIDAYS_JSON)
        .map(|feed| feed.england_and_wales.events.into_iter().map(|e| e.date).collect())
        .unwrap_or_default()
});

/// First and last year the bank holiday data covers; working days outside it cannot be known.
pub const COVERED_YEARS: std::ops::RangeInclusive<i32> = 2016..=2030;

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm, as in
/// Meeus's *Astronomical Algorithms*): the spring term ends on it, the summer term begins after.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let (b, c) = (year.div_euclid(100), year.rem_euclid(100));
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    let (month, day) = (u32::try_from(n / 31).unwrap_or(4), u32::try_from(n % 31 + 1).unwrap_or(1));
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// Whether `day` is an England and Wales bank holiday.
pub fn is_bank_holiday(day: NaiveDate) -> bool {
    BANK_HOLIDAYS.contains(&day)
}

/// Whether `day` is a working day: a weekday that is not a bank holiday.
pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !is_bank_holiday(day)
}

/// The working day `n` working days after `day` (`n` = 0: `day` itself if it is one, else the
/// next).
pub fn add_working_days(day: NaiveDate, n: u32) -> NaiveDate {
    let mut current = day;
    while !is_working_day(current) {
        current += TimeDelta::days(1);
    }
    let mut left = n;
    while left > 0 {
        current += TimeDelta::days(1);
        if is_working_day(current) {
            left -= 1;
        }
    }
    current
}

/// Working days from `from` (exclusive) to `to` (inclusive); 0 if `to` is not after `from`.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut count = 0;
    let mut day = from;
    while day < to {
        day += TimeDelta::days(1);
        if is_working_day(day) {
            count += 1;
        }
    }
    count
}

/// The latest Monday that is a working day and leaves at least `notice` working days before
/// `onsite_first` (the notification day itself not counted).
pub fn notification_monday(onsite_first: NaiveDate, notice: u32) -> NaiveDate {
    let mut monday = onsite_first - TimeDelta::days(i64::from(onsite_first.weekday().num_days_from_monday()));
    while monday >= onsite_first
        || !is_working_day(monday)
        || working_days_between(monday, onsite_first) < notice
    {
        monday -= TimeDelta::days(7);
    }
    monday
}

/// Whether the bank holiday data covers `day`'s year.
pub fn covered(day: NaiveDate) -> bool {
    COVERED_YEARS.contains(&day.year())
}

#[cfg(test)]
mod tests {
    #[test]
    fn easter_is_two_days_before_easter_monday_in_every_year_of_the_bank_holiday_data() {
        for year in COVERED_YEARS {
            let sunday = easter_sunday(year);
            assert_eq!(sunday.weekday(), Weekday::Sun, "{year}");
            assert!(is_bank_holiday(sunday + TimeDelta::days(1)), "Easter Monday {year}");
            assert!(is_bank_holiday(sunday - TimeDelta::days(2)), "Good Friday {year}");
        }
        assert_eq!(easter_sunday(2027), d("2027-03-28"));
        assert_eq!(easter_sunday(2038), d("2038-04-25"), "the latest possible");
        assert_eq!(easter_sunday(2285), d("2285-03-22"), "the earliest possible");
    }

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_data_holds_every_year_with_the_known_one_off_days() {
        for year in COVERED_YEARS {
            let count = BANK_HOLIDAYS.iter().filter(|h| h.year() == year).count();
            assert!((8..=10).contains(&count), "{year}: {count} bank holidays");
        }
        for one_off in ["2022-06-03", "2022-09-19", "2023-05-08"] {
            assert!(is_bank_holiday(d(one_off)), "{one_off}");
        }
    }

    #[test]
    fn weekends_and_bank_holidays_are_not_working_days() {
        assert!(!is_working_day(d("2026-11-21")), "Saturday");
        assert!(!is_working_day(d("2026-11-22")), "Sunday");
        assert!(is_working_day(d("2026-11-23")), "Monday");
        assert!(!is_working_day(d("2026-12-25")), "Christmas Day");
        assert!(!is_working_day(d("2026-12-28")), "Boxing Day (substitute)");
        assert!(!is_working_day(d("2027-03-26")), "Good Friday 2027");
        assert!(!is_working_day(d("2027-03-29")), "Easter Monday 2027");
    }

    #[test]
    fn ten_working_days_over_easter_skip_good_friday_and_easter_monday() {
        // Monday 22 March 2027 + 10 working days, with 26 and 29 March off: Wednesday 7 April.
        assert_eq!(add_working_days(d("2027-03-22"), 10), d("2027-04-07"));
        assert_eq!(working_days_between(d("2027-03-22"), d("2027-04-07")), 10);
    }

    #[test]
    fn ten_working_days_over_christmas_skip_three_bank_holidays() {
        // 2026: 25 Dec (Fri), 28 Dec (Boxing Day substitute), 1 Jan 2027 (Fri).
        // 22-24 Dec, 29-31 Dec, 4-7 Jan: ten working days end on Thursday 7 January.
        assert_eq!(add_working_days(d("2026-12-21"), 10), d("2027-01-07"));
        assert_eq!(notification_monday(d("2027-01-07"), 10), d("2026-12-21"));
        assert_eq!(notification_monday(d("2027-01-06"), 10), d("2026-12-14"));
    }

    #[test]
    fn counting_starts_from_the_next_working_day() {
        assert_eq!(add_working_days(d("2026-11-21"), 0), d("2026-11-23"));
        assert_eq!(add_working_days(d("2026-11-20"), 1), d("2026-11-23"));
        assert_eq!(working_days_between(d("2026-11-23"), d("2026-11-23")), 0);
        assert_eq!(working_days_between(d("2026-11-24"), d("2026-11-23")), 0);
    }

    #[test]
    fn the_notification_monday_leaves_ten_working_days() {
        // No holidays: onsite Monday 18 January 2027, notified Monday 4 January.
        assert_eq!(notification_monday(d("2027-01-18"), 10), d("2027-01-04"));
        // Onsite Wednesday 7 April 2027: Easter takes two days, so Monday 22 March (10 days).
        assert_eq!(notification_monday(d("2027-04-07"), 10), d("2027-03-22"));
        // Onsite Monday 12 April 2027: Monday 29 March is Easter Monday, so 22 March.
        assert_eq!(notification_monday(d("2027-04-12"), 10), d("2027-03-22"));
        // Legacy framework: five working days.
        assert_eq!(notification_monday(d("2027-01-18"), 5), d("2027-01-11"));
    }

    #[test]
    fn the_notification_day_is_always_a_working_monday_with_enough_notice() {
        let mut day = d("2026-09-01");
        while day < d("2028-09-01") {
            let monday = notification_monday(day, 10);
            assert_eq!(monday.weekday(), Weekday::Mon);
            assert!(is_working_day(monday));
            assert!(working_days_between(monday, day) >= 10, "{day}: {monday}");
            assert!(
                working_days_between(monday + TimeDelta::days(7), day) < 10
                    || !is_working_day(monday + TimeDelta::days(7))
            );
            day += TimeDelta::days(1);
        }
    }
}
