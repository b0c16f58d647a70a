//! Words for the values the server sends: states, phases, dates, times and sizes, as GOV.UK
//! style writes them ("19 April 2027", "Summer term 2026/27").

use js_sys::{Object, Reflect};
use proto::pb::{
    DateRange, EngagementKind, EngagementState, Inspectorate, Outcome, Phase, RequestState, TeamRole, Term,
};
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
        Term::Spring => "Spring",
        Term::Summer => "Summer",
        Term::Unspecified => "Unknown term",
    }
}

/// A count of things: "1 inspector", "4 inspectors".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// An academic year by the year it starts: 2026 is "2026/27".
pub(crate) fn academic_year_label(year: i32) -> String {
    format!("{year}/{:02}", (year + 1).rem_euclid(100))
}

/// A phase: "Summer term 2026/27".
pub(crate) fn phase_label(phase: Option<&Phase>) -> String {
    phase.map_or_else(String::new, |p| {
        format!("{} term {}", term_label(p.term()), academic_year_label(p.academic_year))
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

/// A range of days as people write it, as the server's sentences do: "20 to 21 April 2027",
/// "30 March to 2 April 2027", "29 December 2026 to 2 January 2027", one day as "7 April 2027".
pub(crate) fn range_label(range: Option<&DateRange>) -> String {
    range.map_or_else(String::new, |r| {
        let first = date_label(&r.first_day);
        let last = date_label(&r.last_day);
        if r.first_day == r.last_day {
            return first;
        }
        let parts = |label: &str| {
            let mut words = label.splitn(3, ' ').map(str::to_owned);
            (words.next(), words.next(), words.next())
        };
        match (parts(&first), parts(&last)) {
            ((Some(day), Some(month), Some(year)), (_, Some(last_month), Some(last_year)))
                if year == last_year && year.parse::<u32>().is_ok() =>
            {
                if month == last_month {
                    format!("{day} to {last}")
                } else {
                    format!("{day} {month} to {last}")
                }
            }
            _ => format!("{first} to {last}"),
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

/// Every engagement state, in the order an engagement moves through them, with the value used
/// in forms.
pub(crate) const ENGAGEMENT_STATES: [(EngagementState, &str); 6] = [
    (EngagementState::Proposed, "proposed"),
    (EngagementState::Notified, "notified"),
    (EngagementState::Onsite, "onsite"),
    (EngagementState::Reporting, "reporting"),
    (EngagementState::Done, "done"),
    (EngagementState::Postponed, "postponed"),
];

/// An engagement state in words.
pub(crate) fn engagement_state_label(state: EngagementState) -> &'static str {
    match state {
        EngagementState::Proposed => "Proposed",
        EngagementState::Notified => "Notified",
        EngagementState::Onsite => "Onsite",
        EngagementState::Reporting => "Reporting",
        EngagementState::Done => "Done",
        EngagementState::Postponed => "Postponed",
        EngagementState::Unspecified => "Unknown",
    }
}

/// The GOV.UK tag colour of an engagement state: proposals yellow, confirmed ones blue, under
/// way purple, reporting turquoise, finished green and postponed orange.
pub(crate) fn engagement_state_tag_class(state: EngagementState) -> &'static str {
    match state {
        EngagementState::Proposed => "govuk-tag govuk-tag--yellow",
        EngagementState::Notified => "govuk-tag",
        EngagementState::Onsite => "govuk-tag govuk-tag--purple",
        EngagementState::Reporting => "govuk-tag govuk-tag--turquoise",
        EngagementState::Done => "govuk-tag govuk-tag--green",
        EngagementState::Postponed => "govuk-tag govuk-tag--orange",
        EngagementState::Unspecified => "govuk-tag govuk-tag--grey",
    }
}

/// Every kind of engagement, in the order offered, with the value used in forms.
pub(crate) const ENGAGEMENT_KINDS: [(EngagementKind, &str); 6] = [
    (EngagementKind::FullInspection, "full-inspection"),
    (EngagementKind::MonitoringInspection, "monitoring-inspection"),
    (EngagementKind::InterimVisit, "interim-visit"),
    (EngagementKind::EngagementMeeting, "engagement-meeting"),
    (EngagementKind::ThematicVisit, "thematic-visit"),
    (EngagementKind::LegacyInspection, "legacy-inspection"),
];

/// A kind of engagement in words.
pub(crate) fn engagement_kind_label(kind: EngagementKind) -> &'static str {
    match kind {
        EngagementKind::FullInspection => "Full inspection",
        EngagementKind::LegacyInspection => "Inspection (2016 framework)",
        EngagementKind::MonitoringInspection => "Monitoring inspection",
        EngagementKind::InterimVisit => "Interim visit",
        EngagementKind::EngagementMeeting => "Engagement meeting",
        EngagementKind::ThematicVisit => "Thematic visit",
        EngagementKind::Unspecified => "Engagement",
    }
}

/// Every outcome, in the order offered, with the value used in forms.
pub(crate) const OUTCOMES: [(Outcome, &str); 5] = [
    (Outcome::Positive, "positive"),
    (Outcome::Inconsistent, "inconsistent"),
    (Outcome::SystemicFailings, "systemic-failings"),
    (Outcome::LegacyLetter, "legacy-letter"),
    (Outcome::WrittenStatementOfAction, "written-statement-of-action"),
];

/// An inspection outcome in words.
pub(crate) fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Positive => "Typically positive experiences and outcomes",
        Outcome::Inconsistent => "Inconsistent experiences and outcomes",
        Outcome::SystemicFailings => "Widespread and/or systemic failings",
        Outcome::LegacyLetter => "Letter, no written statement of action (2016 framework)",
        Outcome::WrittenStatementOfAction => "Written statement of action (2016 framework)",
        Outcome::Unspecified => "None on record",
    }
}

/// A team role in words.
pub(crate) fn team_role_label(role: TeamRole) -> &'static str {
    match role {
        TeamRole::LeadHmi => "Lead HMI",
        TeamRole::OfstedInspector => "Ofsted inspector",
        TeamRole::CqcInspector => "CQC inspector",
        TeamRole::SocialCareInspector => "Social care inspector",
        TeamRole::Unspecified => "No role",
    }
}

/// Every team role, in the order offered, with the value used in forms.
pub(crate) const TEAM_ROLES: [(TeamRole, &str); 4] = [
    (TeamRole::LeadHmi, "lead-hmi"),
    (TeamRole::OfstedInspector, "ofsted-inspector"),
    (TeamRole::CqcInspector, "cqc-inspector"),
    (TeamRole::SocialCareInspector, "social-care-inspector"),
];

/// An inspectorate in words.
pub(crate) fn inspectorate_label(inspectorate: Inspectorate) -> &'static str {
    match inspectorate {
        Inspectorate::Ofsted => "Ofsted",
        Inspectorate::Cqc => "CQC",
        Inspectorate::Unspecified => "Unknown",
    }
}

/// The kinds of local area, with the server's names.
pub(crate) const AREA_KINDS: [(&str, &str); 4] = [
    ("london_borough", "London borough"),
    ("metropolitan_district", "Metropolitan district"),
    ("unitary_authority", "Unitary authority"),
    ("county", "County"),
];

/// A kind of local area (the server's name) in words.
pub(crate) fn area_kind_label(kind: &str) -> String {
    AREA_KINDS
        .iter()
        .find(|(name, _)| *name == kind)
        .map_or_else(|| kind.replace('_', " "), |(_, label)| (*label).to_owned())
}

/// A group of the coverage by last outcome (the server's name) in words.
pub(crate) fn outcome_group_label(group: &str) -> String {
    match group {
        "did_well" => "Did well at the last inspection".to_owned(),
        "did_not_do_well" => "Did not do well at the last inspection".to_owned(),
        "no_outcome" => "No inspection on record".to_owned(),
        other => area_kind_label(other),
    }
}

/// A local area's status on the national board (the server's name) in words, with its GOV.UK
/// tag class.
pub(crate) fn board_status(status: &str) -> (&'static str, &'static str) {
    match status {
        "overdue" => ("Overdue", "govuk-tag govuk-tag--red"),
        "due_this_term" => ("Due this term", "govuk-tag govuk-tag--orange"),
        "scheduled" => ("Scheduled", "govuk-tag"),
        "done" => ("Done", "govuk-tag govuk-tag--green"),
        "not_due" => ("Not due", "govuk-tag govuk-tag--grey"),
        _ => ("Unknown", "govuk-tag govuk-tag--grey"),
    }
}

/// The Monday of the week of an ISO date, as ISO; anything unreadable as it came.
pub(crate) fn week_of(iso: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(&format!("{iso}T12:00:00Z")));
    if date.get_time().is_nan() {
        return iso.to_owned();
    }
    // Sunday is 0: Monday is 1 day back from Tuesday, 6 days back from Sunday.
    let back = (date.get_utc_day() + 6) % 7;
    let monday = js_sys::Date::new(&JsValue::from_f64(date.get_time() - f64::from(back) * 86_400_000.0));
    format!(
        "{:04}-{:02}-{:02}",
        monday.get_utc_full_year(),
        monday.get_utc_month() + 1,
        monday.get_utc_date()
    )
}

/// A letter's state in words.
pub(crate) fn letter_state_label(state: proto::pb::LetterState) -> &'static str {
    use proto::pb::LetterState;
    match state {
        LetterState::Draft => "Draft",
        LetterState::Submitted => "Submitted",
        LetterState::Approved => "Approved",
        LetterState::Issued => "Issued",
        LetterState::Superseded => "Superseded",
        LetterState::Unspecified => "Unknown",
    }
}

/// The GOV.UK tag colour of a letter's state: drafts grey, waiting blue, approved turquoise,
/// issued green and superseded orange.
pub(crate) fn letter_state_tag_class(state: proto::pb::LetterState) -> &'static str {
    use proto::pb::LetterState;
    match state {
        LetterState::Draft | LetterState::Unspecified => "govuk-tag govuk-tag--grey",
        LetterState::Submitted => "govuk-tag govuk-tag--blue",
        LetterState::Approved => "govuk-tag govuk-tag--turquoise",
        LetterState::Issued => "govuk-tag govuk-tag--green",
        LetterState::Superseded => "govuk-tag govuk-tag--orange",
    }
}

/// Every recipient a letter can be distributed to, in the order offered, with the value used in
/// forms.
pub(crate) const RECIPIENTS: [(proto::pb::Recipient, &str); 4] = [
    (proto::pb::Recipient::LocalArea, "local-area"),
    (proto::pb::Recipient::Dfe, "dfe"),
    (proto::pb::Recipient::NhsEngland, "nhs-england"),
    (proto::pb::Recipient::Public, "public"),
];

/// A recipient in words.
pub(crate) fn recipient_label(recipient: proto::pb::Recipient) -> &'static str {
    use proto::pb::Recipient;
    match recipient {
        Recipient::LocalArea => "The local area",
        Recipient::Dfe => "Department for Education (DfE)",
        Recipient::NhsEngland => "NHS England",
        Recipient::Public => "The public (published)",
        Recipient::Unspecified => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use proto::pb::DateRange;

    use super::range_label;

    fn range(first: &str, last: &str) -> String {
        range_label(Some(&DateRange { first_day: first.to_owned(), last_day: last.to_owned() }))
    }

    #[test]
    fn a_range_says_its_month_and_year_once_where_they_are_shared() {
        assert_eq!(range("2027-04-20", "2027-04-21"), "20 to 21 April 2027");
        assert_eq!(range("2027-03-30", "2027-04-02"), "30 March to 2 April 2027");
        assert_eq!(range("2026-12-29", "2027-01-02"), "29 December 2026 to 2 January 2027");
        assert_eq!(range("2027-04-07", "2027-04-07"), "7 April 2027");
        assert_eq!(range("not a date", "2027-04-07"), "not a date to 7 April 2027");
        assert_eq!(range_label(None), "");
    }
}
