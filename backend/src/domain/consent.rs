//! Interim-visit requests and the local area's written answer: one decision, [`decide`], holds
//! every rule of a request (who may do what in which state, stale versions, required reasons,
//! expiry as read), and [`allowed_actions`] answers from the same rules what a caller may do
//! now. [`visit_allowed`] is the rule scheduling relies on: a visit may take place only on a
//! current written consent whose dates allow it.
//!
//! Rule ids (see [`RULES`]) are stable strings for programs and tests; people read the sentences.

use chrono::NaiveDate;
use sha2::{Digest as _, Sha256};

use super::{
    FieldViolation, InvalidInput, Refusal,
    clock::{long_date, long_range},
    identity::{Person, Scope},
};

/// Every rule id of this aggregate. A unit test below makes each one fire.
pub const RULES: &[&str] = &[
    "request.visible",
    "request.create_by_planner",
    "request.create_in_region",
    "request.answer_by_area",
    "request.withdraw_by_area",
    "request.cancel_by_planner",
    "request.schedule_by_planner",
    "request.version",
    "request.expired",
    "request.transition",
    "request.schedule_needs_consent",
    "request.reply_by",
    "request.reason_required",
    "request.note_length",
    "safeguarding.note_required",
];

/// The term of an academic year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    /// September to December.
    Autumn,
    /// January to Easter.
    Spring,
    /// Easter to July (August, the holiday, counts with it).
    Summer,
}

impl Term {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Autumn => "autumn",
            Self::Spring => "spring",
            Self::Summer => "summer",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Autumn, Self::Spring, Self::Summer].into_iter().find(|t| t.as_str() == s)
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

impl RequestState {
    /// The state as read on `today`: a request still waiting after its reply-by date has
    /// expired (the rule behind `request.expired`). Nothing is written when it expires.
    pub fn effective(stored: Self, reply_by: NaiveDate, today: NaiveDate) -> Self {
        if stored == Self::Requested && reply_by < today { Self::Expired } else { stored }
    }

    /// Where the request stands, to follow "This request …".
    fn phrase(self) -> &'static str {
        match self {
            Self::Requested => "is still waiting for an answer",
            Self::Consented => "has already been consented to",
            Self::Declined => "has already been declined",
            Self::Withdrawn => "has had its consent withdrawn",
            Self::Expired => "has expired unanswered",
            Self::Cancelled => "has been cancelled",
        }
    }
}

/// A change of state someone asks for.
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

impl Move {
    /// What was tried, to follow "it cannot be …".
    fn attempted(self) -> &'static str {
        match self {
            Self::Consent => "consented to",
            Self::Decline => "declined",
            Self::Withdraw => "withdrawn",
            Self::Cancel => "cancelled",
        }
    }
}

/// The state machine: the state after `m`, or `None` where the state does not allow it.
pub fn transition(current: RequestState, m: Move) -> Option<RequestState> {
    use RequestState::{Cancelled, Consented, Declined, Requested, Withdrawn};
    match (current, m) {
        (Requested, Move::Consent) => Some(Consented),
        (Requested, Move::Decline) => Some(Declined),
        (Consented, Move::Withdraw) => Some(Withdrawn),
        (Requested | Consented, Move::Cancel) => Some(Cancelled),
        _ => None,
    }
}

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// A text field, trimmed. `required` is the sentence for an empty one (`None`: optional);
/// `label` names it in the sentence for one too long.
fn text_field(
    value: &str,
    field: &'static str,
    required: Option<&str>,
    (label, max): (&str, usize),
    errors: &mut Vec<FieldViolation>,
) -> String {
    let value = value.trim();
    match required {
        Some(sentence) if value.is_empty() => errors.push(FieldViolation::new(field, sentence)),
        _ if value.chars().count() > max => {
            errors.push(FieldViolation::new(field, format!("{label} must be {max} characters or fewer")));
        }
        _ => {}
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
        let local_area_code = text_field(
            local_area_code,
            "local_area_code",
            Some("Select a local area"),
            ("Local area code", 16),
            &mut errors,
        );
        if term.is_none() {
            errors.push(FieldViolation::new("phase.term", "Select a term"));
        }
        if !(2020..=2100).contains(&academic_year) {
            errors.push(FieldViolation::new(
                "phase.academic_year",
                "Enter the academic year's first year, such as 2026",
            ));
        }
        let window = match window {
            Some((first, last)) => DateRange::parse(first, last, "window").map_err(|e| errors.push(e)).ok(),
            None => {
                errors.push(FieldViolation::new("window", "Enter the first and last days of the window"));
                None
            }
        };
        // request.reply_by: today or later, and before the window opens.
        let reply_by = match NaiveDate::parse_from_str(reply_by.trim(), "%Y-%m-%d") {
            Ok(day) if day < today => {
                errors.push(FieldViolation::new(
                    "reply_by",
                    "The reply-by date must be today or in the future",
                ));
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                errors.push(FieldViolation::new("reply_by", "The reply-by date must be a real date"));
                None
            }
        };
        if let (Some(w), Some(r)) = (window, reply_by)
            && r >= w.first
        {
            errors.push(FieldViolation::new("reply_by", "The reply-by date must be before the window opens"));
        }
        let note = text_field(note, "note", None, ("Note", MAX_NOTE_CHARS), &mut errors);
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
        let signatory_name = text_field(
            signatory_name,
            "signatory_name",
            Some("Enter the name of the person who signed"),
            ("Name", 200),
            &mut errors,
        );
        let signatory_role = text_field(
            signatory_role,
            "signatory_role",
            Some("Enter the signatory's role"),
            ("Role", 200),
            &mut errors,
        );
        let organisation = text_field(
            organisation,
            "organisation",
            Some("Enter the organisation"),
            ("Organisation", 200),
            &mut errors,
        );
        let date_signed = match NaiveDate::parse_from_str(date_signed.trim(), "%Y-%m-%d") {
            Ok(day) if day > today => {
                errors
                    .push(FieldViolation::new("date_signed", "The date signed must be today or in the past"));
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                errors.push(FieldViolation::new("date_signed", "The date signed must be a real date"));
                None
            }
        };
        let content_type = if document.is_empty() {
            errors.push(FieldViolation::new("document", "Attach the signed letter"));
            None
        } else if document.len() > MAX_DOCUMENT_BYTES {
            errors.push(FieldViolation::new(
                "document",
                format!("The signed letter must be smaller than {} MB", MAX_DOCUMENT_BYTES >> 20),
            ));
            None
        } else {
            let kind = sniff_document(&document);
            if kind.is_none() {
                errors.push(FieldViolation::new(
                    "document",
                    "The signed letter must be a PDF, PNG or JPEG file",
                ));
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
            errors.push(FieldViolation::new("unavailable", "List 100 unavailable periods or fewer"));
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
    /// The request's public id.
    pub request_id: String,
    /// Who signed it.
    pub signatory_name: String,
    /// When.
    pub date_signed: NaiveDate,
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
    #[error("the local area cannot host a visit on {}", long_range(.0.first, .0.last))]
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
    /// Public id (see [`crate::domain::public_id`]): the one `/documents/{id}` takes.
    pub id: String,
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
    /// Public id (see [`crate::domain::public_id`]); the database key stays in the store.
    pub id: String,
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

/// How many requests stand in one state, for one region and phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentTotal {
    /// Region code.
    pub region_code: String,
    /// Region name.
    pub region_name: String,
    /// Term.
    pub term: Term,
    /// Academic year start.
    pub academic_year: i32,
    /// The state as read today.
    pub state: RequestState,
    /// How many.
    pub count: i64,
}

/// A recorded safeguarding concern, as national planners see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeguardingConcern {
    /// The concern's own public id.
    pub id: String,
    /// The public id of the request it was raised on.
    pub request_id: String,
    /// Area name.
    pub local_area_name: String,
    /// Region name.
    pub region_name: String,
    /// Who raised it.
    pub raised_by: String,
    /// What they said.
    pub note: String,
    /// Canonical time.
    pub raised_at: String,
    /// The national planner who acknowledged it and when (canonical time), once one has.
    pub acknowledged: Option<(String, String)>,
}

/// A local area's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Written consent.
    Consent(ConsentAnswer),
    /// Decline with an optional reason.
    Decline(String),
}

/// What the request rules need to know of one request, loaded by the store (inside the
/// write's own transaction when a change follows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    /// ONS code of the area asked.
    pub local_area_code: String,
    /// Its region's code.
    pub region_code: String,
    /// The state as read today ([`RequestState::effective`]).
    pub state: RequestState,
    /// Answer by.
    pub reply_by: NaiveDate,
    /// The version the store holds.
    pub version: i64,
}

impl VisitRequest {
    /// The facts the request rules reason about.
    pub fn facts(&self) -> RequestFacts {
        RequestFacts {
            local_area_code: self.local_area_code.clone(),
            region_code: self.region_code.clone(),
            state: self.state,
            reply_by: self.reply_by,
            version: self.version,
        }
    }
}

/// What a caller may do to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestAction {
    /// Consent in writing or decline (the local area).
    Answer,
    /// Withdraw a consent (the local area).
    Withdraw,
    /// Cancel (national planners, the region's lead).
    Cancel,
    /// Record a safeguarding concern (anyone who may see the request).
    RecordSafeguardingConcern,
    /// Plan the visit on the consent (national planners, the region's lead).
    ScheduleVisit,
}

impl RequestAction {
    /// Every action, in the order the contract lists them.
    pub const ALL: [Self; 5] =
        [Self::Answer, Self::Withdraw, Self::Cancel, Self::RecordSafeguardingConcern, Self::ScheduleVisit];
}

/// A change asked of a request, as decoded from the call.
#[derive(Debug, Clone, Copy)]
pub enum RequestChange<'a> {
    /// The local area's answer, to the version it read.
    Answer {
        /// The version the caller read.
        version: i64,
        /// Consent or decline.
        answer: &'a Answer,
    },
    /// The local area withdraws its consent.
    Withdraw {
        /// The version the caller read.
        version: i64,
        /// Why (required).
        reason: &'a str,
    },
    /// The inspectorate cancels.
    Cancel {
        /// The version the caller read.
        version: i64,
        /// Why (required).
        reason: &'a str,
    },
    /// Immediate risk of harm to a child: recorded and escalated, in any state.
    RecordSafeguardingConcern {
        /// What happened (required).
        note: &'a str,
    },
}

/// What to write for an accepted change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDecision<'a> {
    /// The state after the change.
    pub state: RequestState,
    /// Whether the state moves (then the version goes up by one, guarded by the one read).
    pub moves: bool,
    /// The written consent to record with the move.
    pub consent: Option<&'a ConsentAnswer>,
    /// A safeguarding concern to record and escalate to national planners.
    pub escalate: bool,
    /// The history step's kind (`consented`, `safeguarding_concern`, ...).
    pub kind: &'static str,
    /// The history step's note.
    pub note: String,
}

/// `request.visible`: the caller's scope is decided before any other rule. National planners
/// see every request, a regional lead their region's, a local area user their area's; anyone
/// else nothing, answered exactly as a missing request.
fn visible(actor: &Person, facts: &RequestFacts) -> Result<(), Refusal> {
    let sees = match &actor.scope {
        Scope::England => true,
        Scope::Region(code) => *code == facts.region_code,
        Scope::LocalArea(code) => *code == facts.local_area_code,
        Scope::Inspector { .. } | Scope::Body(_) | Scope::Accounts => false,
    };
    if sees { Ok(()) } else { Err(Refusal::NotFound("visit request")) }
}

/// Who may take `action` on a request they can see.
fn who_may(actor: &Person, action: RequestAction) -> Result<(), Refusal> {
    let area = matches!(actor.scope, Scope::LocalArea(_));
    let planner = matches!(actor.scope, Scope::England | Scope::Region(_));
    let refused = |sentence: &str| Err(Refusal::NotAllowed(sentence.to_owned()));
    match action {
        // request.answer_by_area
        RequestAction::Answer if !area => refused("Only the local area can answer a visit request"),
        // request.withdraw_by_area
        RequestAction::Withdraw if !area => refused("Only the local area can withdraw its consent"),
        // request.cancel_by_planner
        RequestAction::Cancel if !planner => {
            refused("Only national planners and the region's lead can cancel a visit request")
        }
        // request.schedule_by_planner
        RequestAction::ScheduleVisit if !planner => {
            refused("Only national planners and the region's lead can plan a visit")
        }
        _ => Ok(()),
    }
}

/// Whether the request's state allows `action` (`m` being the move it makes, if any).
fn state_allows(facts: &RequestFacts, action: RequestAction, m: Option<Move>) -> Result<(), Refusal> {
    match (action, m) {
        (RequestAction::ScheduleVisit, _) if facts.state != RequestState::Consented => Err(Refusal::rule(
            "request.schedule_needs_consent",
            "state",
            format!(
                "A visit can be planned only on a current written consent, and this request {}.",
                facts.state.phrase()
            ),
        )),
        (_, Some(m)) if facts.state == RequestState::Expired => Err(Refusal::rule(
            "request.expired",
            "state",
            format!(
                "The reply-by date of {} has passed, so this request cannot be {}.",
                long_date(facts.reply_by),
                m.attempted()
            ),
        )),
        (_, Some(m)) if transition(facts.state, m).is_none() => Err(Refusal::rule(
            "request.transition",
            "state",
            format!("This request {}, so it cannot be {}.", facts.state.phrase(), m.attempted()),
        )),
        _ => Ok(()),
    }
}

/// The move an action makes in its usual form (answering is judged as consenting: both
/// answers need a waiting request).
fn usual_move(action: RequestAction) -> Option<Move> {
    match action {
        RequestAction::Answer => Some(Move::Consent),
        RequestAction::Withdraw => Some(Move::Withdraw),
        RequestAction::Cancel => Some(Move::Cancel),
        RequestAction::RecordSafeguardingConcern | RequestAction::ScheduleVisit => None,
    }
}

/// `request.version`: someone else changed the request since the caller read it.
pub fn stale(now: RequestState) -> Refusal {
    Refusal::Stale(format!(
        "Someone else changed this request meanwhile: it is now {}. Reload it and try again.",
        now.as_str()
    ))
}

/// A reason or note of at most [`MAX_NOTE_CHARS`] (`request.note_length`), trimmed;
/// `required` is the sentence for an empty one.
fn note_text(
    value: &str,
    field: &'static str,
    required: Option<&str>,
    label: &str,
) -> Result<String, Refusal> {
    let mut errors = Vec::new();
    let text = text_field(value, field, required, (label, MAX_NOTE_CHARS), &mut errors);
    if errors.is_empty() { Ok(text) } else { Err(InvalidInput(errors).into()) }
}

/// The one decision of a visit request: whether `actor` may make `change` to the request
/// described by `facts`, and if so what to write. Scope first, then who may, then the version,
/// then the state, then the change's own content.
pub fn decide<'a>(
    actor: &Person,
    facts: &RequestFacts,
    change: &RequestChange<'a>,
) -> Result<RequestDecision<'a>, Refusal> {
    let (action, m, version) = match *change {
        RequestChange::Answer { version, answer: Answer::Consent(_) } => {
            (RequestAction::Answer, Some(Move::Consent), Some(version))
        }
        RequestChange::Answer { version, answer: Answer::Decline(_) } => {
            (RequestAction::Answer, Some(Move::Decline), Some(version))
        }
        RequestChange::Withdraw { version, .. } => {
            (RequestAction::Withdraw, Some(Move::Withdraw), Some(version))
        }
        RequestChange::Cancel { version, .. } => (RequestAction::Cancel, Some(Move::Cancel), Some(version)),
        RequestChange::RecordSafeguardingConcern { .. } => {
            (RequestAction::RecordSafeguardingConcern, None, None)
        }
    };
    visible(actor, facts)?;
    who_may(actor, action)?;
    if version.is_some_and(|v| v != facts.version) {
        return Err(stale(facts.state));
    }
    state_allows(facts, action, m)?;
    // request.reason_required
    let reason_required = Some("Enter a reason");
    let (consent, note) = match *change {
        RequestChange::Answer { answer: Answer::Consent(c), .. } => {
            (Some(c), format!("signed by {}, {}", c.signatory_name, c.signatory_role))
        }
        RequestChange::Answer { answer: Answer::Decline(reason), .. } => {
            (None, note_text(reason, "decline.reason", None, "Reason")?)
        }
        RequestChange::Withdraw { reason, .. } | RequestChange::Cancel { reason, .. } => {
            (None, note_text(reason, "reason", reason_required, "Reason")?)
        }
        RequestChange::RecordSafeguardingConcern { note } => {
            // safeguarding.note_required
            (None, note_text(note, "note", Some("Describe the safeguarding concern"), "Description")?)
        }
    };
    let state = m.and_then(|m| transition(facts.state, m)).unwrap_or(facts.state);
    Ok(RequestDecision {
        state,
        moves: m.is_some(),
        consent,
        escalate: m.is_none(),
        kind: if m.is_some() { state.as_str() } else { "safeguarding_concern" },
        note,
    })
}

/// What `actor` may do to the request now, by the same rules as [`decide`].
pub fn allowed_actions(actor: &Person, facts: &RequestFacts) -> Vec<RequestAction> {
    RequestAction::ALL
        .into_iter()
        .filter(|&action| {
            visible(actor, facts).and_then(|()| who_may(actor, action)).is_ok()
                && state_allows(facts, action, usual_move(action)).is_ok()
        })
        .collect()
}

/// Who may ask an area in `region` for a visit: national planners anywhere
/// (`request.create_by_planner`), regional leads in their own region
/// (`request.create_in_region`, naming `local_area_code`).
pub fn may_create(actor: &Person, region: &str) -> Result<(), Refusal> {
    match actor.scope {
        Scope::England | Scope::Region(_) => actor.scope.may_plan_in(region).map_err(Refusal::from),
        _ => Err(Refusal::NotAllowed("Only national planners and regional leads can ask for a visit".into())),
    }
}

/// For each aggregate's tests: `fired` lists every id of `rules`, once and in order, and each id
/// is named in `source` (the aggregate's file) outside its tests at least twice: in the list
/// and where it is decided.
#[cfg(test)]
pub(crate) fn assert_rules_covered(rules: &[&str], fired: &[&str], source: &str) {
    assert_eq!(fired, rules, "list each rule of RULES once, in order, in the test that fires them");
    let decisions = source.split("#[cfg(test)]").next().unwrap_or_default();
    for rule in rules {
        assert!(
            decisions.matches(rule).count() >= 2,
            "{rule} is named where it is decided, not only in RULES"
        );
    }
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
                if let Some(next) = transition(state, m) {
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

    fn person(scope: Scope) -> Person {
        Person {
            id: 1,
            username: "someone".into(),
            display_name: "Someone".into(),
            scope,
            scope_label: String::new(),
        }
    }

    fn planner() -> Person {
        person(Scope::England)
    }

    fn lead(region: &str) -> Person {
        person(Scope::Region(region.into()))
    }

    fn area(code: &str) -> Person {
        person(Scope::LocalArea(code.into()))
    }

    /// A request to Camden (Inner London) at version 3, answer by 15 January 2027.
    fn facts(state: RequestState) -> RequestFacts {
        RequestFacts {
            local_area_code: "E09000007".into(),
            region_code: "E13000001".into(),
            state,
            reply_by: d("2027-01-15"),
            version: 3,
        }
    }

    fn signed() -> Answer {
        Answer::Consent(consent(b"%PDF-1.4 signed".to_vec(), "2026-11-20", "A Person").expect("valid"))
    }

    /// A request to Camden for 20 and 21 April 2027, made on 22 November 2026.
    fn summer_request(reply_by: &str) -> Result<NewVisitRequest, InvalidInput> {
        let window = Some(("2027-04-20", "2027-04-21"));
        NewVisitRequest::parse("E09000007", Some(Term::Summer), 2026, window, reply_by, "", d("2026-11-22"))
    }

    /// What a refusal must be for the rule it is listed under.
    enum Expect {
        /// A `Failed` refusal naming the rule.
        Failed,
        /// Answered as missing.
        NotFound,
        /// The role may not, with this sentence.
        NotAllowed(&'static str),
        /// Someone else changed it.
        Stale,
        /// This field is at fault.
        Field(&'static str),
    }

    /// Every rule of the aggregate, each with a change that makes it fire.
    fn firings() -> Vec<(&'static str, Refusal, Expect)> {
        use RequestState::*;
        let (camden, consented, requested) = (area("E09000007"), facts(Consented), facts(Requested));
        let answer = signed();
        let answer_v3 = RequestChange::Answer { version: 3, answer: &answer };
        let fail = |r: Result<RequestDecision<'_>, Refusal>| r.expect_err("refused");
        vec![
            ("request.visible", fail(decide(&area("E09000033"), &requested, &answer_v3)), Expect::NotFound),
            (
                "request.create_by_planner",
                may_create(&camden, "E13000001").expect_err("refused"),
                Expect::NotAllowed("Only national planners and regional leads can ask for a visit"),
            ),
            (
                "request.create_in_region",
                may_create(&lead("E12000001"), "E13000001").expect_err("refused"),
                Expect::Field("local_area_code"),
            ),
            (
                "request.answer_by_area",
                fail(decide(&planner(), &requested, &answer_v3)),
                Expect::NotAllowed("Only the local area can answer a visit request"),
            ),
            (
                "request.withdraw_by_area",
                fail(decide(
                    &lead("E13000001"),
                    &consented,
                    &RequestChange::Withdraw { version: 3, reason: "x" },
                )),
                Expect::NotAllowed("Only the local area can withdraw its consent"),
            ),
            (
                "request.cancel_by_planner",
                fail(decide(&camden, &requested, &RequestChange::Cancel { version: 3, reason: "x" })),
                Expect::NotAllowed("Only national planners and the region's lead can cancel a visit request"),
            ),
            (
                "request.schedule_by_planner",
                who_may(&camden, RequestAction::ScheduleVisit).expect_err("refused"),
                Expect::NotAllowed("Only national planners and the region's lead can plan a visit"),
            ),
            (
                "request.version",
                fail(decide(&camden, &requested, &RequestChange::Answer { version: 2, answer: &answer })),
                Expect::Stale,
            ),
            ("request.expired", fail(decide(&camden, &facts(Expired), &answer_v3)), Expect::Failed),
            ("request.transition", fail(decide(&camden, &facts(Cancelled), &answer_v3)), Expect::Failed),
            (
                "request.schedule_needs_consent",
                state_allows(&facts(Withdrawn), RequestAction::ScheduleVisit, None).expect_err("refused"),
                Expect::Failed,
            ),
            (
                "request.reply_by",
                Refusal::from(summer_request("2027-04-20").expect_err("refused")),
                Expect::Field("reply_by"),
            ),
            (
                "request.reason_required",
                fail(decide(&planner(), &requested, &RequestChange::Cancel { version: 3, reason: "  " })),
                Expect::Field("reason"),
            ),
            (
                "request.note_length",
                fail(decide(
                    &camden,
                    &requested,
                    &RequestChange::Answer {
                        version: 3,
                        answer: &Answer::Decline("x".repeat(MAX_NOTE_CHARS + 1)),
                    },
                )),
                Expect::Field("decline.reason"),
            ),
            (
                "safeguarding.note_required",
                fail(decide(&camden, &requested, &RequestChange::RecordSafeguardingConcern { note: "" })),
                Expect::Field("note"),
            ),
        ]
    }

    #[test]
    fn every_rule_fires_as_it_should() {
        for (rule, refusal, expect) in firings() {
            match (expect, &refusal) {
                (Expect::Failed, Refusal::Failed(findings)) => {
                    assert_eq!(refusal.rules(), [rule]);
                    let sentence = &findings[0].message;
                    assert!(sentence.ends_with('.') && !sentence.contains(rule), "{rule}: {sentence}");
                    assert!(!sentence.contains("2027-"), "{rule}: people read dates as words: {sentence}");
                }
                (Expect::NotFound, Refusal::NotFound(what)) => assert_eq!(*what, "visit request", "{rule}"),
                (Expect::NotAllowed(sentence), Refusal::NotAllowed(said)) => {
                    assert_eq!(said, sentence, "{rule}")
                }
                (Expect::Stale, Refusal::Stale(said)) => {
                    assert!(said.starts_with("Someone else changed this request"), "{rule}: {said}");
                }
                (Expect::Field(field), Refusal::Invalid(e)) => {
                    assert_eq!(e.0.iter().map(|v| v.field).collect::<Vec<_>>(), [field], "{rule}");
                }
                (_, other) => panic!("{rule} fired as {other:?}"),
            }
        }
    }

    #[test]
    fn the_firings_cover_every_rule_id() {
        let fired: Vec<&str> = firings().iter().map(|(rule, ..)| *rule).collect();
        assert_rules_covered(RULES, &fired, include_str!("consent.rs"));
    }

    #[test]
    fn illegal_moves_say_where_the_request_stands_in_words() {
        let camden = area("E09000007");
        let answer = signed();
        let change = RequestChange::Answer { version: 3, answer: &answer };
        let cancelled = decide(&camden, &facts(RequestState::Cancelled), &change).expect_err("refused");
        assert_eq!(cancelled.to_string(), "This request has been cancelled, so it cannot be consented to.");
        let expired = decide(&camden, &facts(RequestState::Expired), &change).expect_err("refused");
        assert_eq!(
            expired.to_string(),
            "The reply-by date of 15 January 2027 has passed, so this request cannot be consented to."
        );
        let stale = decide(
            &camden,
            &facts(RequestState::Consented),
            &RequestChange::Withdraw { version: 1, reason: "x" },
        );
        assert_eq!(
            stale.expect_err("stale").to_string(),
            "Someone else changed this request meanwhile: it is now consented. Reload it and try again."
        );
    }

    #[test]
    fn an_accepted_answer_says_what_to_write() {
        let answer = signed();
        let change = RequestChange::Answer { version: 3, answer: &answer };
        let decision =
            decide(&area("E09000007"), &facts(RequestState::Requested), &change).expect("accepted");
        assert_eq!(
            (decision.state, decision.moves, decision.kind),
            (RequestState::Consented, true, "consented")
        );
        assert_eq!(decision.note, "signed by A Person, Director");
        assert!(decision.consent.is_some() && !decision.escalate);
        let concern = RequestChange::RecordSafeguardingConcern { note: " Referral made " };
        let flagged =
            decide(&lead("E13000001"), &facts(RequestState::Cancelled), &concern).expect("any state");
        assert_eq!((flagged.state, flagged.moves, flagged.escalate), (RequestState::Cancelled, false, true));
        assert_eq!((flagged.kind, flagged.note.as_str()), ("safeguarding_concern", "Referral made"));
    }

    #[test]
    fn allowed_actions_follow_the_same_rules() {
        use RequestAction::*;
        use RequestState::*;
        let camden = area("E09000007");
        assert_eq!(allowed_actions(&camden, &facts(Requested)), [Answer, RecordSafeguardingConcern]);
        assert_eq!(allowed_actions(&camden, &facts(Consented)), [Withdraw, RecordSafeguardingConcern]);
        assert_eq!(allowed_actions(&camden, &facts(Expired)), [RecordSafeguardingConcern]);
        assert_eq!(allowed_actions(&planner(), &facts(Requested)), [Cancel, RecordSafeguardingConcern]);
        assert_eq!(
            allowed_actions(&lead("E13000001"), &facts(Consented)),
            [Cancel, RecordSafeguardingConcern, ScheduleVisit]
        );
        assert_eq!(allowed_actions(&planner(), &facts(Withdrawn)), [RecordSafeguardingConcern]);
        assert!(allowed_actions(&lead("E12000001"), &facts(Consented)).is_empty(), "another region's lead");
        assert!(allowed_actions(&area("E09000033"), &facts(Requested)).is_empty(), "another area");
        let inspector = person(Scope::Inspector {
            inspectorate: crate::domain::identity::Inspectorate::Ofsted,
            social_care: false,
            home_region: "E13000001".into(),
        });
        assert!(allowed_actions(&inspector, &facts(Consented)).is_empty());
    }

    #[test]
    fn a_request_expires_only_when_waiting_past_its_reply_by_date() {
        let reply_by = d("2027-01-15");
        let after = d("2027-01-16");
        assert_eq!(
            RequestState::effective(RequestState::Requested, reply_by, reply_by),
            RequestState::Requested
        );
        assert_eq!(RequestState::effective(RequestState::Requested, reply_by, after), RequestState::Expired);
        assert_eq!(
            RequestState::effective(RequestState::Consented, reply_by, after),
            RequestState::Consented
        );
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
        let ok = summer_request("2027-01-15");
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
            request_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            signatory_name: "Alex Morgan".into(),
            date_signed: d("2026-11-20"),
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
