//! Words for the values the server sends: states, phases, dates, times and sizes, as GOV.UK
//! style writes them ("19 April 2027", "Spring 2026/27").

use js_sys::{Object, Reflect};
use proto::pb::{DateRange, Phase, RequestState, Term};
use wasm_bindgen::JsValue;

/// Every request state, in the order a request moves through them, with the value used in
/// forms and addresses.
pub(crate) const STATES: [(RequestState, &str); 6] = [
    (RequestState::Requested, "requested"),
    (RequestState::Consented, "consented"),
    (RequestState::Declined, "declined"),
    (RequestState::Withdrawn, "withdrawn"),
    (RequestState::Expired, "expired"),
    (RequestState::Cancelled, "cancelled"),
];

/// A request state in words.
pub(crate) fn state_label(state: RequestState) -> &'static str {
    match state {
        RequestState::Requested => "Requested",
        RequestState::Consented => "Consented",
        RequestState::Declined => "Declined",
        RequestState::Withdrawn => "Withdrawn",
        RequestState::Expired => "Expired",
        RequestState::Cancelled => "Cancelled",
        RequestState::Unspecified => "Unknown",
    }
}

/// The GOV.UK tag colour of a state: waiting is blue, consent green, a refusal or withdrawal
/// orange or red, and the ended ones grey.
pub(crate) fn state_tag_class(state: RequestState) -> &'static str {
    match state {
        RequestState::Requested => "govuk-tag govuk-tag--blue",
        RequestState::Consented => "govuk-tag govuk-tag--green",
        RequestState::Declined => "govuk-tag govuk-tag--orange",
        RequestState::Withdrawn => "govuk-tag govuk-tag--red",
        RequestState::Expired | RequestState::Cancelled | RequestState::Unspecified => {
            "govuk-tag govuk-tag--grey"
        }
    }
}

/// A term in words.
pub(crate) fn term_label(term: Term) -> &'static str {
    match term {
        Term::Autumn => "Autumn",
        Term::Winter => "Winter",
        Term::Spring => "Spring",
        Term::Unspecified => "Unknown term",
    }
}

/// An academic year by the year it starts: 2026 is "2026/27".
pub(crate) fn academic_year_label(year: i32) -> String {
    format!("{year}/{:02}", (year + 1).rem_euclid(100))
}

/// A phase: "Spring 2026/27".
pub(crate) fn phase_label(phase: Option<&Phase>) -> String {
    phase.map_or_else(String::new, |p| {
        format!("{} {}", term_label(p.term()), academic_year_label(p.academic_year))
    })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// An ISO date (YYYY-MM-DD) as "19 April 2027"; anything else as it came.
pub(crate) fn date_label(iso: &str) -> String {
    let mut parts = iso.splitn(3, '-').map(str::parse::<u32>);
    match (parts.next(), parts.next(), parts.next()) {
        (Some(Ok(year)), Some(Ok(month @ 1..=12)), Some(Ok(day @ 1..=31))) => {
            format!("{day} {} {year}", MONTHS[month as usize - 1])
        }
        _ => iso.to_owned(),
    }
}

/// A range of days: "19 April 2027 to 14 May 2027".
pub(crate) fn range_label(range: Option<&DateRange>) -> String {
    range.map_or_else(String::new, |r| {
        if r.first_day == r.last_day {
            date_label(&r.first_day)
        } else {
            format!("{} to {}", date_label(&r.first_day), date_label(&r.last_day))
        }
    })
}

/// An RFC 3339 time in UK time: "22 November 2026 at 22:38"; anything unreadable as it came.
pub(crate) fn time_label(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let options = Object::new();
    for (key, value) in [("dateStyle", "long"), ("timeStyle", "short"), ("timeZone", "Europe/London")] {
        // Setting a property on a fresh object cannot fail.
        let _ = Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    String::from(date.to_locale_string("en-GB", &options))
}

/// A size in bytes as "2 KB" or "1.4 MB" (GOV.UK writes KB and MB).
pub(crate) fn size_label(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let bytes_f = bytes as f64;
    if bytes_f < KB {
        format!("{bytes} bytes")
    } else if bytes_f < KB * KB {
        format!("{:.0} KB", (bytes_f / KB).ceil())
    } else {
        format!("{:.1} MB", bytes_f / (KB * KB))
    }
}

/// A document's type in words.
pub(crate) fn content_type_label(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "PDF",
        "image/png" => "PNG image",
        "image/jpeg" => "JPEG image",
        _ => "File",
    }
}

/// One step of a request's history in words.
pub(crate) fn event_label(kind: &str) -> String {
    match kind {
        "requested" => "Asked for an interim visit".to_owned(),
        "consented" => "Consented in writing".to_owned(),
        "declined" => "Declined the visit".to_owned(),
        "withdrawn" => "Withdrew consent".to_owned(),
        "cancelled" => "Cancelled the request".to_owned(),
        "safeguarding_concern" => "Recorded a safeguarding concern (escalated)".to_owned(),
        other => other.replace('_', " "),
    }
}

/// The academic year running today, by the year it starts (September).
pub(crate) fn current_academic_year() -> i32 {
    let today = js_sys::Date::new_0();
    let year = i32::try_from(today.get_full_year()).unwrap_or(2026);
    // Months count from 0: September is 8.
    if today.get_month() >= 8 { year } else { year - 1 }
}
