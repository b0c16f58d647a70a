//! Interim-visit requests, the local area's written answer, and the rule scheduling relies on:
//! a visit may take place only on a current written consent whose dates allow it.

use chrono::NaiveDate;
use sha2::{Digest as _, Sha256};

use super::{FieldViolation, InvalidInput};

/// The term of an academic year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    /// September to December.
    Autumn,
    /// January to March.
    Winter,
    /// April to July.
    Spring,
}

impl Term {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Autumn => "autumn",
            Self::Winter => "winter",
            Self::Spring => "spring",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Autumn, Self::Winter, Self::Spring].into_iter().find(|t| t.as_str() == s)
    }
}

/// Where a request stands. `Expired` is never stored: a request still `Requested` after its
/// reply-by date reads as expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestState {
    /// Waiting for the answer.
    Requested,
    /// Written consent on record.
    Consented,
    /// Declined.
    Declined,
    /// Consent withdrawn.
    Withdrawn,
    /// Reply-by date passed unanswered.
    Expired,
    /// Cancelled by the inspectorate.
    Cancelled,
}

impl RequestState {
    /// Every state.
    pub const ALL: [Self; 6] =
        [Self::Requested, Self::Consented, Self::Declined, Self::Withdrawn, Self::Expired, Self::Cancelled];

    /// Stored name (and the name used in messages).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Consented => "consented",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A change someone asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// The local area consents.
    Consent,
    /// The local area declines.
    Decline,
    /// The local area withdraws its consent.
    Withdraw,
    /// The inspectorate cancels.
    Cancel,
}

/// A move the request's state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the request is {}; it cannot be {}", .current.as_str(), .attempted)]
pub struct IllegalMove {
    /// The state it is in.
    pub current: RequestState,
    /// What was tried, in words.
    pub attempted: &'static str,
}

/// The state after `m`, or why it cannot happen.
pub fn transition(current: RequestState, m: Move) -> Result<RequestState, IllegalMove> {
    use RequestState::{Cancelled, Consented, Declined, Requested, Withdrawn};
    match (current, m) {
        (Requested, Move::Consent) => Ok(Consented),
        (Requested, Move::Decline) => Ok(Declined),
        (Consented, Move::Withdraw) => Ok(Withdrawn),
        (Requested | Consented, Move::Cancel) => Ok(Cancelled),
        (current, m) => Err(IllegalMove {
            current,
            attempted: match m {
                Move::Consent => "consented to",
                Move::Decline => "declined",
                Move::Withdraw => "withdrawn",
                Move::Cancel => "cancelled",
            },
        }),
    }
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// First day.
    pub first: NaiveDate,
    /// Last day (not before `first`).
    pub last: NaiveDate,
}

impl DateRange {
    /// Reads two ISO dates, naming `field` if they are wrong or out of order.
    pub fn parse(first: &str, last: &str, field: &'static str) -> Result<Self, FieldViolation> {
        let day = |text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| FieldViolation::new(field, format!("{text:?} is not a date (YYYY-MM-DD)")))
        };
        let (first, last) = (day(first)?, day(last)?);
        if last < first {
            return Err(FieldViolation::new(field, "ends before it starts"));
        }
        Ok(Self { first, last })
    }

    /// Whether every day of `other` lies within this range.
    pub fn contains(&self, other: &Self) -> bool {
        self.first <= other.first && other.last <= self.last
    }

    /// Whether the two ranges share a day.
    pub fn overlaps(&self, other: &Self) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

/// Longest note or reason accepted.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Largest signed document accepted.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

fn text_field(
    value: &str,
    field: &'static str,
    required: bool,
    max: usize,
    errors: &mut Vec<FieldViolation>,
) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.push(FieldViolation::new(field, "is required"));
    } else if value.chars().count() > max {
        errors.push(FieldViolation::new(field, format!("must be at most {max} characters")));
    }
    value.to_owned()
}

/// A validated new request. Whether the area exists (and is in the caller's region) is checked
/// by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisitRequest {
    /// ONS code.
    pub local_area_code: String,
    /// Term.
    pub term: Term,
    /// Start year of the academic year.
    pub academic_year: i32,
    /// Proposed window.
    pub window: DateRange,
    /// Answer by.
    pub reply_by: NaiveDate,
    /// Note to the area.
    pub note: String,
}

impl NewVisitRequest {
    /// Checks every field against `today`, reporting all faults.
    pub fn parse(
        local_area_code: &str,
        term: Option<Term>,
        academic_year: i32,
        window: Option<(&str, &str)>,
        reply_by: &str,
        note: &str,
        today: NaiveDate,
    ) -> Result<Self, InvalidInput> {
        let mut errors = Vec::new();
        let local_area_code = text_field(local_area_code, "local_area_code", true, 16, &mut errors);
        if term.is_none() {
            errors.push(FieldViolation::new("phase.term", "is required: autumn, winter or spring"));
        }
        if !(2020..=2100).contains(&academic_year) {
            errors.push(FieldViolation::new("phase.academic_year", "must be a year such as 2026"));
        }
        let window = match window {
            Some((first, last)) => DateRange::parse(first, last, "window").map_err(|e| errors.push(e)).ok(),
            None => {
                errors.push(FieldViolation::new("window", "is required"));
                None
            }
        };
        let reply_by = match NaiveDate::parse_from_str(reply_by.trim(), "%Y-%m-%d") {
            Ok(day) if day < today => {
                errors.push(FieldViolation::new("reply_by", "is in the past"));
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                errors.push(FieldViolation::new(
                    "reply_by",
                    format!("{reply_by:?} is not a date (YYYY-MM-DD)"),
                ));
                None
            }
        };
        if let (Some(w), Some(r)) = (window, reply_by)
            && r >= w.first
        {
            errors.push(FieldViolation::new("reply_by", "must come before the window opens"));
        }
        let note = text_field(note, "note", false, MAX_NOTE_CHARS, &mut errors);
        match (term, window, reply_by) {
            (Some(term), Some(window), Some(reply_by)) if errors.is_empty() => {
                Ok(Self { local_area_code, term, academic_year, window, reply_by, note })
            }
            _ => Err(InvalidInput(errors)),
        }
    }
}

/// The kinds of signed document accepted, recognised from their first bytes.
pub fn sniff_document(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// A validated written consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentAnswer {
    /// Who signed.
    pub signatory_name: String,
    /// Their role or position.
    pub signatory_role: String,
    /// The local authority and/or NHS partner.
    pub organisation: String,
    /// When signed.
    pub date_signed: NaiveDate,
    /// The document's bytes.
    pub document: Vec<u8>,
    /// Its detected type.
    pub content_type: &'static str,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
    /// Days the area cannot host.
    pub unavailable: Vec<DateRange>,
}

impl ConsentAnswer {
    /// Checks every field against `today`, reporting all faults.
    pub fn parse(
        signatory_name: &str,
        signatory_role: &str,
        organisation: &str,
        date_signed: &str,
        document: Vec<u8>,
        unavailable: &[(String, String)],
        today: NaiveDate,
    ) -> Result<Self, InvalidInput> {
        let mut errors = Vec::new();
        let signatory_name = text_field(signatory_name, "signatory_name", true, 200, &mut errors);
        let signatory_role = text_field(signatory_role, "signatory_role", true, 200, &mut errors);
        let organisation = text_field(organisation, "organisation", true, 200, &mut errors);
        let date_signed = match NaiveDate::parse_from_str(date_signed.trim(), "%Y-%m-%d") {
            Ok(day) if day > today => {
                errors.push(FieldViolation::new("date_signed", "is in the future"));
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                errors.push(FieldViolation::new(
                    "date_signed",
                    format!("{date_signed:?} is not a date (YYYY-MM-DD)"),
                ));
                None
            }
        };
        let content_type = if document.is_empty() {
            errors.push(FieldViolation::new("document", "is empty: attach the signed letter"));
            None
        } else if document.len() > MAX_DOCUMENT_BYTES {
            errors.push(FieldViolation::new(
                "document",
                format!("is larger than {} MiB", MAX_DOCUMENT_BYTES >> 20),
            ));
            None
        } else {
            let kind = sniff_document(&document);
            if kind.is_none() {
                errors.push(FieldViolation::new("document", "is not a PDF, PNG or JPEG file"));
            }
            kind
        };
        let ranges: Vec<DateRange> = unavailable
            .iter()
            .filter_map(|(first, last)| {
                DateRange::parse(first, last, "unavailable").map_err(|e| errors.push(e)).ok()
            })
            .collect();
        if ranges.len() > 100 {
            errors.push(FieldViolation::new("unavailable", "lists more than 100 ranges"));
        }
        match (date_signed, content_type) {
            (Some(date_signed), Some(content_type)) if errors.is_empty() => {
                let sha256 = hex::encode(Sha256::digest(&document));
                Ok(Self {
                    signatory_name,
                    signatory_role,
                    organisation,
                    date_signed,
                    document,
                    content_type,
                    sha256,
                    unavailable: ranges,
                })
            }
            _ => Err(InvalidInput(errors)),
        }
    }
}

/// A request's consent as the visit rule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentOnRecord {
    /// The request's current (effective) state.
    pub state: RequestState,
    /// The window the area agreed to.
    pub window: DateRange,
    /// Days it cannot host.
    pub unavailable: Vec<DateRange>,
}

/// Why a visit may not take place on the dates asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisitRefused {
    /// No written consent was ever given.
    #[error("the local area has not consented in writing to a visit")]
    NoConsent,
    /// The consent was withdrawn (or its request cancelled).
    #[error("the local area's consent is no longer current (it was {})", .0.as_str())]
    NotCurrent(RequestState),
    /// The dates fall outside every consented window.
    #[error("the dates fall outside the window the local area consented to")]
    OutsideWindow,
    /// The area said it cannot host on some of these dates.
    #[error("the local area cannot host a visit between {} and {}", .0.first, .0.last)]
    Unavailable(DateRange),
}

/// The rule scheduling relies on: a visit to an area on `dates` may go ahead only with a
/// current written consent (state consented) whose window holds every day and whose
/// unavailable dates leave them free.
pub fn visit_allowed(consents: &[ConsentOnRecord], dates: DateRange) -> Result<(), VisitRefused> {
    let current: Vec<_> = consents.iter().filter(|c| c.state == RequestState::Consented).collect();
    if current.is_empty() {
        return Err(consents
            .iter()
            .map(|c| VisitRefused::NotCurrent(c.state))
            .next()
            .unwrap_or(VisitRefused::NoConsent));
    }
    let mut refusal = VisitRefused::OutsideWindow;
    for consent in current {
        if !consent.window.contains(&dates) {
            continue;
        }
        match consent.unavailable.iter().find(|u| u.overlaps(&dates)) {
            Some(blocked) => refusal = VisitRefused::Unavailable(*blocked),
            None => return Ok(()),
        }
    }
    Err(refusal)
}

/// The stored document's facts (its bytes are fetched separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInfo {
    /// Id.
    pub id: i64,
    /// Detected type.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// A consent on record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// Who signed.
    pub signatory_name: String,
    /// Their role.
    pub signatory_role: String,
    /// Their organisation.
    pub organisation: String,
    /// When signed.
    pub date_signed: NaiveDate,
    /// The signed document.
    pub document: DocumentInfo,
    /// Days the area cannot host.
    pub unavailable: Vec<DateRange>,
}

/// One step of a request's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// 1, 2, 3, …
    pub seq: i64,
    /// Canonical time.
    pub occurred_at: String,
    /// Who.
    pub actor_display_name: String,
    /// What (`requested`, `consented`, …).
    pub kind: String,
    /// The state after it.
    pub state_after: RequestState,
    /// Reason or note.
    pub note: String,
}

/// A visit request as its audience sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRequest {
    /// Id.
    pub id: i64,
    /// ONS code.
    pub local_area_code: String,
    /// Area name.
    pub local_area_name: String,
    /// Region code.
    pub region_code: String,
    /// Region name.
    pub region_name: String,
    /// Term.
    pub term: Term,
    /// Academic year start.
    pub academic_year: i32,
    /// Proposed window.
    pub window: DateRange,
    /// Answer by.
    pub reply_by: NaiveDate,
    /// Note.
    pub note: String,
    /// Effective state (expired if unanswered past reply-by).
    pub state: RequestState,
    /// For optimistic concurrency.
    pub version: i64,
    /// A safeguarding concern was recorded.
    pub safeguarding_concern: bool,
    /// Canonical creation time.
    pub created_at: String,
    /// The written consent, if one was given.
    pub consent: Option<ConsentRecord>,
    /// History, oldest first (filled by single reads).
    pub history: Vec<HistoryEntry>,
}

/// A local area's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Written consent.
    Consent(ConsentAnswer),
    /// Decline with an optional reason.
    Decline(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn range(a: &str, b: &str) -> DateRange {
        DateRange { first: d(a), last: d(b) }
    }

    #[test]
    fn only_the_documented_moves_are_allowed() {
        use RequestState::*;
        let moves = [Move::Consent, Move::Decline, Move::Withdraw, Move::Cancel];
        let mut allowed = Vec::new();
        for state in RequestState::ALL {
            for m in moves {
                if let Ok(next) = transition(state, m) {
                    allowed.push((state, m, next));
                }
            }
        }
        assert_eq!(
            allowed,
            [
                (Requested, Move::Consent, Consented),
                (Requested, Move::Decline, Declined),
                (Requested, Move::Cancel, Cancelled),
                (Consented, Move::Withdraw, Withdrawn),
                (Consented, Move::Cancel, Cancelled),
            ]
        );
    }

    #[test]
    fn an_illegal_move_names_the_current_state() {
        let err = transition(RequestState::Expired, Move::Consent).expect_err("illegal");
        assert_eq!(err.to_string(), "the request is expired; it cannot be consented to");
    }

    #[test]
    fn documents_are_recognised_by_content_not_name() {
        assert_eq!(sniff_document(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(sniff_document(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_document(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff_document(b"MZ\x90\x00 an exe named letter.pdf"), None);
        assert_eq!(sniff_document(b""), None);
    }

    fn consent(document: Vec<u8>, date_signed: &str, name: &str) -> Result<ConsentAnswer, InvalidInput> {
        ConsentAnswer::parse(name, "Director", "Camden Council", date_signed, document, &[], d("2026-11-22"))
    }

    #[test]
    fn a_valid_consent_carries_its_hash() {
        let c = consent(b"%PDF-1.4 signed".to_vec(), "2026-11-20", "A Person").expect("valid");
        assert_eq!(c.sha256, hex::encode(Sha256::digest(b"%PDF-1.4 signed")));
        assert_eq!(c.content_type, "application/pdf");
    }

    #[test]
    fn bad_consents_name_each_field() {
        let fields = |r: Result<ConsentAnswer, InvalidInput>| -> Vec<&'static str> {
            r.expect_err("invalid").0.iter().map(|v| v.field).collect()
        };
        assert_eq!(fields(consent(b"%PDF-".to_vec(), "2026-11-20", " ")), ["signatory_name"]);
        assert_eq!(fields(consent(b"%PDF-".to_vec(), "2026-11-23", "A")), ["date_signed"]);
        assert_eq!(fields(consent(Vec::new(), "2026-11-20", "A")), ["document"]);
        assert_eq!(fields(consent(b"GIF89a".to_vec(), "2026-11-20", "A")), ["document"]);
        assert_eq!(fields(consent(vec![b'%'; MAX_DOCUMENT_BYTES + 1], "2026-11-20", "A")), ["document"]);
    }

    #[test]
    fn a_request_needs_a_window_after_its_reply_by_date() {
        let today = d("2026-11-22");
        let ok = NewVisitRequest::parse(
            "E09000007",
            Some(Term::Spring),
            2026,
            Some(("2027-04-20", "2027-04-21")),
            "2027-01-15",
            "",
            today,
        );
        assert!(ok.is_ok());
        let err = NewVisitRequest::parse(
            "E09000007",
            None,
            1999,
            Some(("2027-04-21", "2027-04-20")),
            "2026-01-01",
            "",
            today,
        )
        .expect_err("invalid");
        let fields: Vec<_> = err.0.iter().map(|v| v.field).collect();
        assert_eq!(fields, ["phase.term", "phase.academic_year", "window", "reply_by"]);
    }

    fn on_record(state: RequestState) -> ConsentOnRecord {
        ConsentOnRecord {
            state,
            window: range("2027-01-11", "2027-01-22"),
            unavailable: vec![range("2027-01-14", "2027-01-15")],
        }
    }

    #[test]
    fn a_visit_needs_a_current_consent_whose_dates_allow_it() {
        let consented = [on_record(RequestState::Consented)];
        assert_eq!(visit_allowed(&consented, range("2027-01-12", "2027-01-13")), Ok(()));
        assert_eq!(visit_allowed(&consented, range("2027-01-18", "2027-01-19")), Ok(()));
        assert_eq!(
            visit_allowed(&consented, range("2027-01-13", "2027-01-14")),
            Err(VisitRefused::Unavailable(range("2027-01-14", "2027-01-15")))
        );
        assert_eq!(
            visit_allowed(&consented, range("2027-01-22", "2027-01-25")),
            Err(VisitRefused::OutsideWindow)
        );
        assert_eq!(visit_allowed(&[], range("2027-01-12", "2027-01-13")), Err(VisitRefused::NoConsent));
        for state in [
            RequestState::Withdrawn,
            RequestState::Requested,
            RequestState::Declined,
            RequestState::Cancelled,
        ] {
            assert_eq!(
                visit_allowed(&[on_record(state)], range("2027-01-12", "2027-01-13")),
                Err(VisitRefused::NotCurrent(state))
            );
        }
    }

    #[test]
    fn any_current_consent_may_allow_the_dates() {
        let mut second = on_record(RequestState::Consented);
        second.window = range("2027-03-01", "2027-03-12");
        second.unavailable.clear();
        let both = [on_record(RequestState::Withdrawn), second];
        assert_eq!(visit_allowed(&both, range("2027-03-02", "2027-03-03")), Ok(()));
        assert_eq!(visit_allowed(&both, range("2027-01-12", "2027-01-13")), Err(VisitRefused::OutsideWindow));
    }
}
