//! Fuzz targets: plain functions of arbitrary bytes that run the server's own decoding,
//! validation and parsing and must not panic on any input. `fuzz/` (cargo-fuzz, libFuzzer)
//! calls them and `scripts/fuzz.sh` runs it; the tests below are the short smoke run that
//! `cargo test` makes of each, on hand-written seeds, their mutations and pseudo-random bytes.
//!
//! - [`rpc_request`]: a request of any RPC of the contract, decoded with prost, then every check
//!   its handler makes of it that needs no store: the handlers' own field readers in `grpc/`,
//!   the domain's parsers and its decisions, over facts made up for the call (who asks, the
//!   record's state). The input is `[message, who, state, kind, protobuf...]`: byte 0 picks the
//!   message of [`REQUESTS`], byte 1 the caller (one per role), bytes 2 and 3 the record the
//!   decision reads; the rest is the message.
//! - [`letter_text`]: a letter's text laid out as the screen and the PDF do, and checked, for
//!   every kind of engagement.
//! - [`case_study_csv`]: a sample-list upload parsed and, when it parses, every pick check.
//! - [`anonymise`]: names removed from a letter for the national report. The first line holds
//!   the names (separated by `|`), the rest the text.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use prost::Message;
use proto::pb;

use crate::{
    domain::{
        anonymise::Anonymiser,
        case_studies::{
            self, Entry, Party, Population, Rules, SampleChange, SampleFacts, check_agreement, check_pick,
            count_valid, list_shortfalls, parse_csv, pick_findings, representativeness, suggest_pick,
        },
        consent::{
            self, ConsentOnRecord, DateRange, NewVisitRequest, RequestChange, RequestFacts, RequestState,
        },
        engagement::{
            self, EngagementChange, EngagementFacts, EngagementRecord, InspectorRecord, MemberRecord,
            TeamFacts,
        },
        identity::{
            AccountActor, AccountChange, AccountFacts, Inspectorate, Person, RecipientBody, Scope,
            ScopeInput, decide_account, decide_password_change, parse_sign_in, throttle_keys,
        },
        inspectors::{self, EntryFacts},
        letter_text,
        letters::{
            self, DraftFacts, LetterChange, LetterFacts, LetterRecord, LetterRequest, LetterState,
            check_letter, default_distribution, required_sections,
        },
        notifications::decide_preference,
        programme::{EngagementKind, EngagementState, NewEngagement, TeamRole},
        proposals,
        public_id::parse_public_id,
        start_page::acknowledge,
    },
    grpc::{
        account, audit, case_studies as case_study_rpc, consent as consent_rpc, letters as letter_rpc,
        programme, reference, setup,
    },
    pdf,
    report::national_report,
};

/// Decodes a request of one message type and runs its checks.
type Runner = fn(&[u8], &Facts, &mut Reached) -> bool;

macro_rules! requests {
    ($($name:ident),* $(,)?) => {
        /// The request message of every RPC of the contract, by name, in the order byte 0 of
        /// [`rpc_request`]'s input picks them.
        pub const REQUESTS: &[&str] = &[$(stringify!($name)),*];
        const RUNNERS: &[Runner] = &[$(run::<pb::$name>),*];
    };
}

requests!(
    // AuthService
    SignInRequest,
    SignOutRequest,
    WhoAmIRequest,
    ChangePasswordRequest,
    // SetupService
    CreateFirstAdministratorRequest,
    // AccountService
    CreatePersonRequest,
    ListPeopleRequest,
    RevokeSessionsRequest,
    GetPersonRequest,
    SetAccountDisabledRequest,
    ResetPasswordRequest,
    ChangeRoleRequest,
    SetEmailRequest,
    // AuditService
    ListAuditEventsRequest,
    ListSuspiciousAccessRequest,
    ListAuditEntriesRequest,
    ListAuditPeopleRequest,
    // CaseStudyService
    GetCaseStudySampleRequest,
    CheckCaseStudyPickRequest,
    UploadCaseStudySampleRequest,
    PickCaseStudiesRequest,
    SuggestCaseStudyPickRequest,
    AgreeCaseStudySampleRequest,
    AskForMoreCaseStudiesRequest,
    // ConsentService
    CreateVisitRequestRequest,
    ListVisitRequestsRequest,
    GetVisitRequestRequest,
    AnswerVisitRequestRequest,
    WithdrawConsentRequest,
    CancelVisitRequestRequest,
    RecordSafeguardingConcernRequest,
    ListSafeguardingConcernsRequest,
    AcknowledgeSafeguardingConcernRequest,
    GetConsentTotalsRequest,
    // LetterService
    CreateLetterRequest,
    UpdateDraftRequest,
    CheckLetterRequest,
    SubmitLetterRequest,
    ReturnLetterRequest,
    ApproveLetterRequest,
    SetDistributionRequest,
    IssueLetterRequest,
    RevokeRecipientRequest,
    CorrectLetterRequest,
    SetPublicationRequest,
    ListInboxRequest,
    ListLettersRequest,
    GetLetterRequest,
    ListLetterViewsRequest,
    WhoCanSeeRequest,
    ListPublishedLettersRequest,
    ExportNationalReportRequest,
    // NotificationService
    ListOutboxRequest,
    GetEmailPreferencesRequest,
    SetEmailPreferenceRequest,
    // ProgrammeService
    ScheduleEngagementRequest,
    ListEngagementsRequest,
    GetEngagementRequest,
    RescheduleEngagementRequest,
    PostponeEngagementRequest,
    NotifyLocalAreaRequest,
    AssignTeamRequest,
    RecordOutcomeRequest,
    RecordPastInspectionRequest,
    OverrideDueDateRequest,
    CreateInspectorRequest,
    ListInspectorsRequest,
    AddUnavailabilityRequest,
    DeclareConflictRequest,
    ListInspectorAccountsRequest,
    LinkInspectorAccountRequest,
    GetNationalBoardRequest,
    ExportNationalProgrammeRequest,
    // ReferenceService
    ListRegionsRequest,
    ListLocalAreasRequest,
    // StartService
    GetStartPageRequest,
    // SchedulingService (last, so that the seeds' first bytes keep their messages)
    StartProposalRequest,
    CancelProposalRequest,
    GetProposalRequest,
    AcceptProposalRequest,
);

/// What one input reached: how many checks accepted it and how many refused it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reached {
    /// The message (or file) decoded.
    pub decoded: bool,
    /// Checks that accepted what they were given.
    pub accepted: u32,
    /// Checks that refused it.
    pub refused: u32,
}

impl Reached {
    /// Counts one check's answer and passes its value on.
    fn check<T, E>(&mut self, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => {
                self.accepted += 1;
                Some(value)
            }
            Err(_) => {
                self.refused += 1;
                None
            }
        }
    }

    /// Counts an answer that is `None` when refused.
    fn some<T>(&mut self, value: Option<T>) -> Option<T> {
        self.check(value.ok_or(()))
    }
}

// ---------------------------------------------------------------------------------------------
// The targets.

/// A request of any RPC (see the module's documentation for the input's layout).
pub fn rpc_request(data: &[u8]) {
    let _ = rpc_request_reached(data);
}

/// A letter's text, read as UTF-8 (invalid bytes replaced).
pub fn letter_text(data: &[u8]) {
    let _ = letter_text_reached(data);
}

/// A case-study sample list as uploaded.
pub fn case_study_csv(data: &[u8]) {
    let _ = case_study_csv_reached(data);
}

/// Names and a text for the national report's anonymiser (see the module's documentation).
pub fn anonymise(data: &[u8]) {
    let _ = anonymise_reached(data);
}

/// [`rpc_request`], saying what the input reached.
pub fn rpc_request_reached(data: &[u8]) -> Reached {
    let mut reached = Reached::default();
    let byte = |i: usize| data.get(i).copied().unwrap_or_default();
    let run = RUNNERS[usize::from(byte(0)) % RUNNERS.len()];
    let facts = Facts::new(byte(1), byte(2), byte(3));
    reached.decoded = run(data.get(4..).unwrap_or_default(), &facts, &mut reached);
    reached
}

/// [`letter_text`], saying what the input reached (`decoded`: it was UTF-8 as it stands).
pub fn letter_text_reached(data: &[u8]) -> Reached {
    let mut reached = Reached { decoded: std::str::from_utf8(data).is_ok(), ..Reached::default() };
    let text = String::from_utf8_lossy(data);
    let references: Vec<String> = SAMPLE.iter().map(|e| e.reference.clone()).collect();
    for kind in EngagementKind::ALL {
        let required = required_sections(kind);
        let _ = letter_text::blocks(&text, required);
        let _ = letter_text::sections(&text, required);
        let findings = check_letter(kind, &text, &references);
        for finding in &findings {
            let _ = finding.subject();
        }
        if findings.is_empty() {
            reached.accepted += 1;
        } else {
            reached.refused += 1;
        }
    }
    // The PDF of the same text, as the download route prints it.
    let letter = LetterRecord {
        body: text.into_owned(),
        issued_at: Some("2026-12-03T09:00:00.000000Z".into()),
        ..sample_letter(EngagementKind::InterimVisit, LetterState::Issued, 1)
    };
    reached.check(pdf::render(&letter_rpc::printed(&letter)));
    reached
}

/// [`case_study_csv`], saying what the input reached (`decoded`: the file parsed).
pub fn case_study_csv_reached(data: &[u8]) -> Reached {
    let mut reached = Reached::default();
    let entries = match parse_csv(data) {
        Ok(entries) => entries,
        Err(errors) => {
            for e in &errors {
                let _ = e.subject();
            }
            reached.refused += 1;
            return reached;
        }
    };
    reached.decoded = true;
    reached.accepted += 1;
    let all: Vec<&Entry> = entries.iter().collect();
    let population = Population { needs: [40, 30, 20, 10], sen_support: 60, ehc_plan: 40 };
    let _ = representativeness(&entries, &population);
    for e in &entries {
        let _ = e.needs_codes();
    }
    for rules in [Rules::Interim, Rules::Full] {
        let (_, most) = rules.sizes();
        let _ = check_pick(rules, &all);
        let first = &all[..most.min(all.len())];
        let _ = check_pick(rules, first);
        reached.check(check_agreement(rules, first));
        let short = list_shortfalls(rules, &entries);
        let _ = pick_findings(rules, first);
        // The suggestion the team asks for, on lists as large as a test can afford to search.
        if entries.len() <= MAX_SEARCHED_ENTRIES {
            let suggested = suggest_pick(rules, &entries, 7);
            if short.is_empty() != suggested.is_some()
                || (count_valid(rules, &entries) > 0) != short.is_empty()
            {
                // `list_shortfalls` promises a valid pick exactly when it finds no shortfall.
                reached.refused += 1;
            }
        }
        // The team's pick of the first entries, decided as the service does.
        let facts = SampleFacts {
            rules: Some(rules),
            version: 1,
            frozen: false,
            entries: entries.clone(),
            picked: vec![],
        };
        let references = first.iter().map(|e| e.reference.clone()).collect();
        reached.check(case_studies::decide(
            Party::Team,
            &facts,
            1,
            SampleChange::Pick { references, reason: String::new() },
        ));
    }
    reached
}

/// Longest list whose suggested pick the case-study target asks for.
const MAX_SEARCHED_ENTRIES: usize = 40;

/// [`anonymise`], saying what the input reached (`accepted`: no name is left in the report).
pub fn anonymise_reached(data: &[u8]) -> Reached {
    let mut reached = Reached { decoded: true, ..Reached::default() };
    let text = String::from_utf8_lossy(data);
    let (names, body) = text.split_once('\n').unwrap_or(("", &text));
    let names: Vec<String> = names.split('|').map(str::to_owned).filter(|n| !n.trim().is_empty()).collect();
    let mut anonymiser = Anonymiser::new(names.iter().cloned());
    for name in &names {
        anonymiser.replace(name, "[name removed]");
        anonymiser.replace_area(name, "a county in London");
    }
    let _ = anonymiser.apply(body);
    let letter = LetterRecord {
        body: body.to_owned(),
        ..sample_letter(EngagementKind::InterimVisit, LetterState::Issued, 1)
    };
    let report = national_report(2026, &[letter], &names);
    if report.contains("Camden") {
        reached.refused += 1;
    } else {
        reached.accepted += 1;
    }
    reached
}

// ---------------------------------------------------------------------------------------------
// The facts the decisions read, made up from bytes 1 to 3.

/// The area, region and today every made-up record shares.
const AREA: &str = "E09000007";
const REGION: &str = "E12000007";
const SAMPLE_ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

/// The day the made-up facts are read on (a Thursday).
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// One person of each role, in [`Role::ALL`](crate::domain::identity::Role::ALL)'s order (byte 1 picks one).
fn people() -> [Person; 6] {
    let person = |id: i64, username: &str, scope: Scope| Person {
        id,
        username: username.to_owned(),
        display_name: format!("{username} (made up)"),
        scope,
        scope_label: String::new(),
    };
    [
        person(1, "nina.planner", Scope::England),
        person(2, "rob.lead", Scope::Region(REGION.to_owned())),
        person(3, "lou.area", Scope::LocalArea(AREA.to_owned())),
        person(
            4,
            "ivy.inspector",
            Scope::Inspector {
                inspectorate: Inspectorate::Ofsted,
                social_care: false,
                home_region: REGION.to_owned(),
            },
        ),
        person(5, "dee.dfe", Scope::Body(RecipientBody::Dfe)),
        person(6, "ada.admin", Scope::Accounts),
    ]
}

/// The case-study list every made-up sample holds: valid interim and full picks exist.
pub const SAMPLE_CSV: &str = "reference,age_band,primary_needs,support,alternative_provision,multi_agency,school_phase\n\
CYP-1,5-10,CI,SEN Support,no,yes,primary\n\
CYP-2,5-10,CL,SEN Support,no,yes,primary\n\
CYP-3,11-15,SEMH,EHC plan,yes,yes,secondary\n\
CYP-4,11-15,SP,EHC plan,no,no,secondary\n\
CYP-5,5-10,CI;CL,EHC plan,no,yes,primary\n\
CYP-6,16-19,SEMH,SEN Support,no,no,post-16\n\
CYP-7,0-4,CL,EHC plan,no,no,early years\n\
CYP-8,20-25,SP,EHC plan,yes,yes,post-19\n";

static SAMPLE: LazyLock<Vec<Entry>> = LazyLock::new(|| parse_csv(SAMPLE_CSV.as_bytes()).unwrap_or_default());

/// A valid interim pick of [`SAMPLE_CSV`].
const INTERIM_PICK: [&str; 4] = ["CYP-1", "CYP-2", "CYP-3", "CYP-5"];

const ENGAGEMENT_KINDS: [EngagementKind; 3] =
    [EngagementKind::FullInspection, EngagementKind::InterimVisit, EngagementKind::EngagementMeeting];

const ENGAGEMENT_STATES: [EngagementState; 6] = [
    EngagementState::Proposed,
    EngagementState::Notified,
    EngagementState::Onsite,
    EngagementState::Reporting,
    EngagementState::Done,
    EngagementState::Postponed,
];

/// A letter's text that passes every content check for its kind.
fn clean_body(kind: EngagementKind) -> String {
    required_sections(kind)
        .iter()
        .map(|h| format!("{h}\nLeaders described the work with partners.\n\n"))
        .collect()
}

/// A letter to Camden of `kind` in `state`, at `version`.
fn sample_letter(kind: EngagementKind, state: LetterState, version: i64) -> LetterRecord {
    LetterRecord {
        id: 1,
        public_id: SAMPLE_ID.to_owned(),
        engagement_id: 2,
        engagement_public_id: SAMPLE_ID.to_owned(),
        engagement_kind: kind,
        local_area_code: AREA.to_owned(),
        local_area_name: "Camden".to_owned(),
        region_name: "London".to_owned(),
        area_kind: "london_borough".to_owned(),
        title: "Visit to Camden".to_owned(),
        body: clean_body(kind),
        state,
        version,
        distribution: default_distribution(kind).iter().map(|r| ((*r).to_owned(), None)).collect(),
        publish_at: None,
        published: false,
        named: false,
        supersedes_id: None,
        superseded_by_id: None,
        issued_at: None,
        first_opened_at: None,
        returned_reason: String::new(),
    }
}

/// Who asks and what the record they ask about holds.
#[derive(Debug, Clone)]
struct Facts {
    /// The caller.
    actor: Person,
    /// Byte 2: the record's state (each aggregate reads it modulo its number of states).
    state: u8,
    /// Byte 3: the record's kind and flags.
    kind: u8,
    /// Today.
    today: NaiveDate,
    /// Now.
    now: DateTime<Utc>,
    /// Every inspector, for team rules.
    team: TeamFacts,
}

impl Facts {
    fn new(who: u8, state: u8, kind: u8) -> Self {
        let inspector = |id: i64, inspectorate, social_care, person_id| InspectorRecord {
            id,
            name: format!("Inspector {id}"),
            inspectorate,
            social_care,
            home_region: REGION.to_owned(),
            person_id,
            max_per_term: 6,
            unavailable: vec![],
            conflicts: vec![],
            version: 1,
            account_label: String::new(),
        };
        let team = TeamFacts {
            inspectors: vec![
                inspector(1, Inspectorate::Ofsted, false, Some(4)),
                inspector(2, Inspectorate::Ofsted, false, None),
                inspector(3, Inspectorate::Cqc, false, None),
                inspector(4, Inspectorate::Ofsted, true, None),
            ],
            commitments: vec![],
        };
        let actor = people()[usize::from(who % 6)].clone();
        let today = today();
        Self {
            actor,
            state,
            kind,
            today,
            now: today.and_time(NaiveTime::MIN).and_utc() + TimeDelta::hours(9),
            team,
        }
    }

    /// Byte 2 as an index among `n` states.
    fn state_of(&self, n: usize) -> usize {
        usize::from(self.state) % n
    }

    /// Bit `bit` of byte 3.
    fn flag(&self, bit: u8) -> bool {
        self.kind & (1 << bit) != 0
    }

    fn account_actor(&self) -> AccountActor {
        AccountActor::Signed(self.actor.role())
    }

    /// The account a change names: byte 2 picks whose, bit 0 of byte 3 whether it is disabled,
    /// bit 1 whether it has an email address.
    fn account(&self, version: i64) -> AccountFacts {
        let mut person = people()[self.state_of(6)].clone();
        person.id += 100;
        AccountFacts {
            person,
            disabled: self.flag(0),
            version,
            must_change_password: false,
            email: self.flag(1).then(|| "someone@example.gov.uk".to_owned()),
        }
    }

    /// The visit request a change names, in the state byte 2 picks.
    fn request(&self, version: i64) -> RequestFacts {
        RequestFacts {
            local_area_code: AREA.to_owned(),
            region_code: REGION.to_owned(),
            state: RequestState::ALL[self.state_of(RequestState::ALL.len())],
            reply_by: self.today + TimeDelta::days(14),
            version,
        }
    }

    /// The letter a change names: byte 2 picks its state, byte 3 (modulo 3) its kind.
    fn letter(&self, version: i64) -> LetterFacts {
        let kind = ENGAGEMENT_KINDS[usize::from(self.kind) % ENGAGEMENT_KINDS.len()];
        let state = LetterState::ALL[self.state_of(LetterState::ALL.len())];
        let mut letter = sample_letter(kind, state, version);
        if matches!(state, LetterState::Issued | LetterState::Superseded) {
            letter.issued_at = Some(crate::domain::clock::canonical(self.now - TimeDelta::days(1)));
        }
        LetterFacts {
            letter,
            team: letters::TeamFacts {
                caller_role: matches!(self.actor.scope, Scope::Inspector { .. }).then_some(TeamRole::LeadHmi),
                has_lead: true,
            },
            onsite_last: day(2026, 11, 20),
            now: self.now,
            references: SAMPLE.iter().map(|e| e.reference.clone()).collect(),
        }
    }

    /// The engagement a change names: byte 2 picks its state, byte 3 (modulo 3) its kind; its
    /// onsite days are in February 2027 and its team is empty.
    fn engagement(&self, version: i64) -> EngagementRecord {
        let kind = ENGAGEMENT_KINDS[usize::from(self.kind) % ENGAGEMENT_KINDS.len()];
        let last = if kind == EngagementKind::InterimVisit { day(2027, 2, 9) } else { day(2027, 2, 10) };
        EngagementRecord {
            id: 1,
            public_id: SAMPLE_ID.to_owned(),
            local_area_code: AREA.to_owned(),
            local_area_name: "Camden".to_owned(),
            region_code: REGION.to_owned(),
            region_name: "London".to_owned(),
            kind,
            state: ENGAGEMENT_STATES[self.state_of(ENGAGEMENT_STATES.len())],
            onsite: DateRange { first: day(2027, 2, 8), last },
            note: String::new(),
            postponed_reason: String::new(),
            outcome: None,
            version,
            team: Vec::<MemberRecord>::new(),
        }
    }

    /// The area's consent to visits in the first months of 2027.
    fn consents(&self) -> Vec<ConsentOnRecord> {
        vec![ConsentOnRecord {
            request_id: SAMPLE_ID.to_owned(),
            signatory_name: "Sam Signer".to_owned(),
            date_signed: day(2026, 11, 2),
            state: RequestState::Consented,
            window: DateRange { first: day(2027, 1, 4), last: day(2027, 3, 31) },
            unavailable: vec![],
        }]
    }

    /// The sample a change names: byte 3 (modulo 3) picks its rules (interim, full, none); bit 0
    /// of byte 2 whether it is agreed, bit 1 whether the interim pick is made, bit 2 whether
    /// the list is cut to its first three entries.
    fn sample(&self, version: i64) -> SampleFacts {
        let rules = [Some(Rules::Interim), Some(Rules::Full), None][usize::from(self.kind) % 3];
        let mut entries = SAMPLE.clone();
        if self.state & 4 != 0 {
            entries.truncate(3);
        }
        SampleFacts {
            rules,
            version,
            frozen: self.state & 1 != 0,
            entries,
            picked: if self.state & 2 != 0 { INTERIM_PICK.map(str::to_owned).to_vec() } else { vec![] },
        }
    }

    fn party(&self) -> Party {
        Party::of(&self.actor.scope)
    }
}

// ---------------------------------------------------------------------------------------------
// Each request's checks.

/// Decodes a `T` from `body` and runs its checks; `false` if it does not decode.
fn run<T: Check>(body: &[u8], facts: &Facts, reached: &mut Reached) -> bool {
    match T::decode(body) {
        Ok(request) => {
            request.check(facts, reached);
            true
        }
        Err(_) => false,
    }
}

/// The checks a handler makes of its request before it reaches the store (or inside the
/// store's transaction, over facts the store would load).
trait Check: Message + Default {
    fn check(&self, facts: &Facts, reached: &mut Reached);
}

/// Requests with nothing to check beyond decoding.
macro_rules! no_fields_to_check {
    ($($name:ident),* $(,)?) => {
        $(impl Check for pb::$name {
            fn check(&self, _: &Facts, _: &mut Reached) {}
        })*
    };
}

no_fields_to_check!(
    SignOutRequest,
    WhoAmIRequest,
    ListSuspiciousAccessRequest,
    ListAuditPeopleRequest,
    ListSafeguardingConcernsRequest,
    GetConsentTotalsRequest,
    ListInboxRequest,
    ListPublishedLettersRequest,
    ListOutboxRequest,
    GetEmailPreferencesRequest,
    ListInspectorsRequest,
    ListInspectorAccountsRequest,
    ListRegionsRequest,
    GetStartPageRequest,
    ExportNationalProgrammeRequest,
);

// AuthService and SetupService.

impl Check for pb::SignInRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        if let Some(username) = r.check(parse_sign_in(&self.username, &self.password)) {
            let _ = throttle_keys(&username, Some(std::net::IpAddr::from([127, 0, 0, 1])));
        }
    }
}

impl Check for pb::ChangePasswordRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let current_ok = !self.current_password.is_empty();
        r.check(decide_password_change(
            &self.current_password,
            current_ok,
            &self.new_password,
            &f.actor.username,
        ));
    }
}

impl Check for pb::CreateFirstAdministratorRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(setup::first_administrator(self));
    }
}

// AccountService.

impl Check for pb::CreatePersonRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        r.check(account::new_person_from_pb(self, f.account_actor()));
    }
}

impl Check for pb::ListPeopleRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(account::people_page(self));
    }
}

impl Check for pb::RevokeSessionsRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        r.check(decide_account(f.account_actor(), AccountChange::RevokeSessions));
        r.check(account::person_id(&self.person_id));
    }
}

impl Check for pb::GetPersonRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(account::person_id(&self.person_id));
    }
}

impl Check for pb::SetAccountDisabledRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some(id) = r.check(account::person_id(&self.person_id)) else { return };
        let target = f.account(self.version);
        let change = AccountChange::SetDisabled {
            target: Some(&target),
            own: id == f.actor.id,
            version: self.version,
            disabled: self.disabled,
        };
        r.check(decide_account(f.account_actor(), change));
    }
}

impl Check for pb::ResetPasswordRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some(_) = r.check(account::person_id(&self.person_id)) else { return };
        let target = f.account(self.version);
        let change = AccountChange::ResetPassword { target: Some(&target), version: self.version };
        r.check(decide_account(f.account_actor(), change));
    }
}

impl Check for pb::ChangeRoleRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some(id) = r.check(account::person_id(&self.person_id)) else { return };
        let unknown = account::unknown_values(self.role, self.inspectorate, self.recipient_body);
        if r.check(if unknown.is_empty() { Ok(()) } else { Err(unknown) }).is_none() {
            return;
        }
        let target = f.account(self.version);
        let scope = ScopeInput {
            role: crate::grpc::convert::role_from_pb(self.role),
            region_code: &self.region_code,
            local_area_code: &self.local_area_code,
            inspectorate: crate::grpc::convert::inspectorate_from_pb(self.inspectorate),
            social_care: self.social_care,
            recipient_body: crate::grpc::convert::recipient_body_from_pb(self.recipient_body),
        };
        let change = AccountChange::ChangeRole {
            target: Some(&target),
            own: id == f.actor.id,
            version: self.version,
            scope,
        };
        r.check(decide_account(f.account_actor(), change));
    }
}

impl Check for pb::SetEmailRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some(_) = r.check(account::person_id(&self.person_id)) else { return };
        let target = f.account(self.version);
        let change =
            AccountChange::SetEmail { target: Some(&target), version: self.version, email: &self.email };
        r.check(decide_account(f.account_actor(), change));
    }
}

// AuditService.

impl Check for pb::ListAuditEventsRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(audit::events_query(self));
    }
}

impl Check for pb::ListAuditEntriesRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(audit::entries_query(self));
    }
}

// CaseStudyService.

/// A change to the made-up sample, decided as the service does.
fn sample_change(f: &Facts, r: &mut Reached, id: &str, version: i64, change: SampleChange) {
    if r.some(parse_public_id(id)).is_none() {
        return;
    }
    r.check(case_studies::decide(f.party(), &f.sample(version), version, change));
}

impl Check for pb::GetCaseStudySampleRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.some(parse_public_id(&self.engagement_id));
    }
}

impl Check for pb::CheckCaseStudyPickRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        if r.some(parse_public_id(&self.engagement_id)).is_none() {
            return;
        }
        let picked = case_study_rpc::picked_by(&SAMPLE, &self.references);
        for rules in [Rules::Interim, Rules::Full] {
            let _ = check_pick(rules, &picked);
        }
    }
}

impl Check for pb::UploadCaseStudySampleRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        if r.some(parse_public_id(&self.engagement_id)).is_none() {
            return;
        }
        let Some(entries) = r.check(parse_csv(&self.file)) else { return };
        let population = case_study_rpc::population_from_pb(self.population.as_ref());
        let _ = representativeness(&entries, &population);
        let change = SampleChange::Upload { entries, population, reason: self.reason.clone() };
        sample_change(f, r, &self.engagement_id, self.version, change);
    }
}

impl Check for pb::PickCaseStudiesRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let change = SampleChange::Pick { references: self.references.clone(), reason: self.reason.clone() };
        sample_change(f, r, &self.engagement_id, self.version, change);
    }
}

impl Check for pb::SuggestCaseStudyPickRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let change = SampleChange::Suggest { seed: u64::from(f.kind), reason: self.reason.clone() };
        sample_change(f, r, &self.engagement_id, self.version, change);
    }
}

impl Check for pb::AgreeCaseStudySampleRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        sample_change(f, r, &self.engagement_id, self.version, SampleChange::Agree);
    }
}

impl Check for pb::AskForMoreCaseStudiesRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        sample_change(f, r, &self.engagement_id, self.version, SampleChange::AskForMore);
    }
}

// ConsentService.

/// A change to the made-up visit request, decided as the service does.
fn request_change(f: &Facts, r: &mut Reached, id: &str, version: i64, change: &RequestChange<'_>) {
    if r.check(consent_rpc::parse_id(id)).is_none() {
        return;
    }
    r.check(consent::decide(&f.actor, &f.request(version), change));
}

impl Check for pb::CreateVisitRequestRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let phase = self.phase.unwrap_or_default();
        let window = self.window.as_ref().map(|w| (w.first_day.as_str(), w.last_day.as_str()));
        r.check(NewVisitRequest::parse(
            &self.local_area_code,
            consent_rpc::term_from_pb(phase.term),
            phase.academic_year,
            window,
            &self.reply_by,
            &self.note,
            f.today,
        ));
        r.check(consent::may_create(&f.actor, REGION));
    }
}

impl Check for pb::ListVisitRequestsRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(consent_rpc::requests_page(self));
    }
}

impl Check for pb::GetVisitRequestRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(consent_rpc::parse_id(&self.id));
    }
}

impl Check for pb::AnswerVisitRequestRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some((answer, _)) = r.check(consent_rpc::answer_from_pb(self.answer.clone(), f.today)) else {
            return;
        };
        request_change(
            f,
            r,
            &self.id,
            self.version,
            &RequestChange::Answer { version: self.version, answer: &answer },
        );
    }
}

impl Check for pb::WithdrawConsentRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let change = RequestChange::Withdraw { version: self.version, reason: &self.reason };
        request_change(f, r, &self.id, self.version, &change);
    }
}

impl Check for pb::CancelVisitRequestRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let change = RequestChange::Cancel { version: self.version, reason: &self.reason };
        request_change(f, r, &self.id, self.version, &change);
    }
}

impl Check for pb::RecordSafeguardingConcernRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let change = RequestChange::RecordSafeguardingConcern { note: &self.note };
        request_change(f, r, &self.id, 1, &change);
    }
}

impl Check for pb::AcknowledgeSafeguardingConcernRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        if r.some(parse_public_id(&self.id)).is_some() {
            r.check(acknowledge(&f.actor, f.flag(0)));
        }
    }
}

// LetterService.

/// A change to the made-up letter, decided as the service does (`version`: the one read, for
/// changes that depend on it).
fn letter_change(f: &Facts, r: &mut Reached, id: &str, version: Option<i64>, change: LetterChange) {
    if r.check(letter_rpc::parse_id(id)).is_none() {
        return;
    }
    let facts = f.letter(version.unwrap_or(1));
    r.check(letters::decide(&f.actor, &facts, &LetterRequest { version, change }));
}

/// A letter's title and text, checked for size and then as the checks and layout read it.
fn letter_fields(f: &Facts, r: &mut Reached, title: &str, body: &str) -> Option<(String, String)> {
    let (title, body) = r.check(letter_rpc::text_fields(title, body))?;
    let kind = f.letter(1).letter.engagement_kind;
    let _ = letter_text::sections(&body, required_sections(kind));
    let _ = check_letter(kind, &body, &f.letter(1).references);
    Some((title, body))
}

impl Check for pb::CreateLetterRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        if letter_fields(f, r, &self.title, &self.body).is_none()
            || r.some(parse_public_id(&self.engagement_id)).is_none()
        {
            return;
        }
        let facts = f.letter(1);
        r.check(letters::decide_draft(
            &f.actor,
            &DraftFacts { kind: facts.letter.engagement_kind, team: facts.team },
        ));
    }
}

impl Check for pb::UpdateDraftRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some((title, body)) = letter_fields(f, r, &self.title, &self.body) else { return };
        letter_change(f, r, &self.id, Some(self.version), LetterChange::Edit { title, body });
    }
}

impl Check for pb::CheckLetterRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(letter_rpc::parse_id(&self.id));
    }
}

impl Check for pb::SubmitLetterRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        letter_change(f, r, &self.id, Some(self.version), LetterChange::Submit);
    }
}

impl Check for pb::ReturnLetterRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        letter_change(f, r, &self.id, Some(self.version), LetterChange::Return(self.reason.clone()));
    }
}

impl Check for pb::ApproveLetterRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let overrides = self.overrides.iter().map(|o| (o.rule.clone(), o.reason.clone())).collect();
        letter_change(f, r, &self.id, Some(self.version), LetterChange::Approve(overrides));
    }
}

impl Check for pb::SetDistributionRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some(recipients) = r.check(letter_rpc::recipients(&self.recipients)) else { return };
        letter_change(f, r, &self.id, Some(self.version), LetterChange::Distribution(recipients));
    }
}

impl Check for pb::IssueLetterRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some(publish_at) = r.check(letter_rpc::publish_at(&self.publish_at)) else { return };
        letter_change(f, r, &self.id, Some(self.version), LetterChange::Issue(publish_at));
    }
}

impl Check for pb::RevokeRecipientRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some(recipient) = r.some(letter_rpc::recipient_name(self.recipient)) else { return };
        letter_change(f, r, &self.id, None, LetterChange::Revoke(recipient));
    }
}

impl Check for pb::CorrectLetterRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some((title, body)) = letter_fields(f, r, &self.title, &self.body) else { return };
        letter_change(f, r, &self.id, None, LetterChange::Correct { title, body });
    }
}

impl Check for pb::SetPublicationRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let change =
            LetterChange::Publication { publish: self.publish, named: self.named_in_national_reports };
        letter_change(f, r, &self.id, None, change);
    }
}

impl Check for pb::ListLettersRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.some(parse_public_id(&self.engagement_id));
    }
}

impl Check for pb::GetLetterRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(letter_rpc::parse_id(&self.id));
    }
}

impl Check for pb::ListLetterViewsRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(letter_rpc::parse_id(&self.id));
    }
}

impl Check for pb::WhoCanSeeRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(letter_rpc::parse_id(&self.id));
    }
}

impl Check for pb::ExportNationalReportRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        // The report of the year asked for, over one issued letter (the letters the store would
        // load for it).
        let year = letter_rpc::report_year(self.academic_year, f.today);
        let letter = f.letter(1).letter;
        let report = national_report(year, &[letter], &["Sam Signer".to_owned()]);
        r.check(if report.contains("Camden") { Err(()) } else { Ok(()) });
    }
}

// NotificationService.

impl Check for pb::SetEmailPreferenceRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        r.check(decide_preference(f.actor.role(), &self.kind));
    }
}

// ProgrammeService.

/// A change to the made-up engagement, decided as the service does.
fn engagement_change(f: &Facts, r: &mut Reached, id: &str, version: i64, change: &EngagementChange) {
    if r.check(programme::engagement_id(id)).is_none() {
        return;
    }
    let engagement = f.engagement(version);
    let consents = f.consents();
    let facts =
        EngagementFacts { engagement: &engagement, today: f.today, consents: &consents, team: &f.team };
    r.check(engagement::decide(&f.actor, version, &facts, change));
}

impl Check for pb::ScheduleEngagementRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let onsite = self.onsite.as_ref().map(|o| (o.first_day.as_str(), o.last_day.as_str()));
        let parsed = NewEngagement::parse(
            &self.local_area_code,
            programme::kind_from_pb(self.kind),
            onsite,
            &self.note,
            f.today,
        );
        let Some(new) = r.check(parsed) else { return };
        let consents = f.consents();
        let facts =
            engagement::NewEngagementFacts { region: Some(REGION), area_name: "Camden", consents: &consents };
        r.check(engagement::decide_new(&f.actor, &facts, &new));
    }
}

impl Check for pb::ListEngagementsRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        r.check(programme::academic_year(self.academic_year, f.today));
    }
}

impl Check for pb::GetEngagementRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(programme::engagement_id(&self.id));
    }
}

impl Check for pb::RescheduleEngagementRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some(onsite) =
            r.check(programme::range_from_pb(self.onsite.as_ref(), "onsite", "Enter the new onsite days"))
        else {
            return;
        };
        let change = EngagementChange::Reschedule { onsite, reason: self.reason.clone() };
        engagement_change(f, r, &self.id, self.version, &change);
    }
}

impl Check for pb::PostponeEngagementRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let change = EngagementChange::Postpone { reason: self.reason.clone() };
        engagement_change(f, r, &self.id, self.version, &change);
    }
}

impl Check for pb::NotifyLocalAreaRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        engagement_change(f, r, &self.id, self.version, &EngagementChange::Notify);
    }
}

impl Check for pb::AssignTeamRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some(members) = r.check(programme::team_members(&self.members)) else { return };
        let change = EngagementChange::AssignTeam { members, reason: self.reason.clone() };
        engagement_change(f, r, &self.id, self.version, &change);
    }
}

impl Check for pb::RecordOutcomeRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let change = EngagementChange::Complete { outcome: programme::outcome_from_pb(self.outcome) };
        engagement_change(f, r, &self.id, self.version, &change);
    }
}

impl Check for pb::RecordPastInspectionRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        r.check(programme::past_inspection(self, f.today));
    }
}

impl Check for pb::OverrideDueDateRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(programme::due_date(self));
    }
}

impl Check for pb::CreateInspectorRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.check(programme::new_inspector(self));
    }
}

impl Check for pb::AddUnavailabilityRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some(id) = r.check(programme::parse_id(&self.inspector_id, "inspector")) else { return };
        r.check(engagement::may_change_inspector(&f.actor, &f.team.inspectors, id));
        r.check(programme::range_from_pb(
            self.period.as_ref(),
            "period",
            "Enter the days the inspector cannot work",
        ));
    }
}

impl Check for pb::DeclareConflictRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        let Some(id) = r.check(programme::parse_id(&self.inspector_id, "inspector")) else { return };
        r.check(engagement::may_change_inspector(&f.actor, &f.team.inspectors, id));
        r.check(programme::required_reason(&self.reason));
    }
}

impl Check for pb::LinkInspectorAccountRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        if r.check(programme::parse_id(&self.inspector_id, "inspector")).is_none() {
            return;
        }
        let person = self.person_id.trim().parse::<i64>().ok();
        let account = |role: &str, linked_to| inspectors::AccountFacts { role: role.to_owned(), linked_to };
        // Byte 3 (modulo 4): no such account, an inspector's, a planner's, a linked one.
        let accounts = [
            None,
            Some(account("inspector", None)),
            Some(account("national_planner", None)),
            Some(account("inspector", Some(2))),
        ];
        let chosen = person.and_then(|_| accounts[usize::from(f.kind) % accounts.len()].clone());
        let entry = EntryFacts { version: self.version, person_id: f.flag(7).then_some(9) };
        r.check(inspectors::decide_link(Some(entry), self.version, chosen.as_ref()));
    }
}

impl Check for pb::GetNationalBoardRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        r.some(programme::outcome_from_pb(self.last_outcome));
    }
}

// ReferenceService.

impl Check for pb::ListLocalAreasRequest {
    fn check(&self, _: &Facts, r: &mut Reached) {
        if let Some(query) = r.check(reference::local_area_query(self))
            && let Some(after) = query.after
        {
            // A page token the server hands out reads back as the same place.
            let again = crate::domain::reference::PageCursor::decode(&after.encode());
            r.check(if again.as_ref() == Ok(&after) { Ok(()) } else { Err(()) });
        }
    }
}

// SchedulingService. The proposal's engine runs over facts only the store loads; what the
// handlers check of the request itself is the id (and, inline in `start_proposal`, the seconds).

/// Whether the caller's scope plans anything, and the proposal's id, as the handlers read them.
fn proposal(f: &Facts, r: &mut Reached, id: Option<&str>) {
    r.some(proposals::scope_key(&f.actor.scope));
    if let Some(id) = id {
        r.some(parse_public_id(id));
    }
}

impl Check for pb::StartProposalRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        proposal(f, r, None);
    }
}

impl Check for pb::CancelProposalRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        proposal(f, r, Some(&self.id));
    }
}

impl Check for pb::GetProposalRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        proposal(f, r, Some(&self.id));
    }
}

impl Check for pb::AcceptProposalRequest {
    fn check(&self, f: &Facts, r: &mut Reached) {
        proposal(f, r, Some(&self.id));
    }
}

#[cfg(test)]
mod tests {
    use prost::Message as _;
    use rand::{Rng as _, RngCore as _, SeedableRng as _};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::domain::reference::PageCursor;

    // Byte 1: who asks.
    const PLANNER: u8 = 0;
    const AREA_USER: u8 = 2;
    const INSPECTOR: u8 = 3;
    const ADMIN: u8 = 5;
    // Bytes 2 and 3 of letters and engagements.
    const FULL: u8 = 0;
    const INTERIM: u8 = 1;

    /// An input of [`rpc_request`]: `message` asked by `who` of a record in `state` of `kind`.
    fn input<M: Message>(who: u8, state: u8, kind: u8, message: &M) -> Vec<u8> {
        let name = std::any::type_name::<M>().rsplit("::").next().unwrap_or_default();
        let index =
            REQUESTS.iter().position(|n| *n == name).unwrap_or_else(|| panic!("{name} is not listed"));
        let mut out = vec![u8::try_from(index).expect("fewer than 256 requests"), who, state, kind];
        message.encode(&mut out).expect("a Vec grows");
        out
    }

    fn range(first: &str, last: &str) -> Option<pb::DateRange> {
        Some(pb::DateRange { first_day: first.into(), last_day: last.into() })
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    /// Requests every check accepts, at least one of each message of the contract.
    fn valid_requests() -> Vec<Vec<u8>> {
        use pb::*;
        let id = || SAMPLE_ID.to_owned();
        let interim_body = || clean_body(crate::domain::programme::EngagementKind::InterimVisit);
        let interim_pick = || strings(&INTERIM_PICK);
        vec![
            input(
                INSPECTOR,
                0,
                0,
                &SignInRequest { username: " Ivy.Inspector ".into(), password: "a passphrase".into() },
            ),
            input(INSPECTOR, 0, 0, &SignOutRequest {}),
            input(INSPECTOR, 0, 0, &WhoAmIRequest {}),
            input(
                PLANNER,
                0,
                0,
                &ChangePasswordRequest {
                    current_password: "the old passphrase".into(),
                    new_password: "a much newer passphrase".into(),
                },
            ),
            input(
                ADMIN,
                0,
                0,
                &CreateFirstAdministratorRequest {
                    token: "setup-token".into(),
                    username: "ada.first".into(),
                    display_name: "Ada First".into(),
                    password: "a long admin passphrase".into(),
                },
            ),
            input(
                ADMIN,
                0,
                0,
                &CreatePersonRequest {
                    username: "ivy.two".into(),
                    display_name: "Ivy Two".into(),
                    password: "another long passphrase".into(),
                    role: Role::Inspector.into(),
                    region_code: REGION.into(),
                    inspectorate: Inspectorate::Ofsted.into(),
                    email: "ivy.two@example.gov.uk".into(),
                    ..Default::default()
                },
            ),
            input(ADMIN, 0, 0, &ListPeopleRequest { page_size: 20, page_token: "ivy".into() }),
            input(ADMIN, 0, 0, &RevokeSessionsRequest { person_id: "104".into() }),
            input(ADMIN, 0, 0, &GetPersonRequest { person_id: "104".into() }),
            input(
                ADMIN,
                3,
                0,
                &SetAccountDisabledRequest { person_id: "104".into(), version: 3, disabled: true },
            ),
            input(ADMIN, 3, 0, &ResetPasswordRequest { person_id: "104".into(), version: 3 }),
            input(
                ADMIN,
                3,
                0,
                &ChangeRoleRequest {
                    person_id: "104".into(),
                    version: 3,
                    role: Role::RegionalLead.into(),
                    region_code: REGION.into(),
                    ..Default::default()
                },
            ),
            input(
                ADMIN,
                3,
                0,
                &SetEmailRequest { person_id: "104".into(), version: 3, email: "ivy@example.gov.uk".into() },
            ),
            input(
                PLANNER,
                0,
                0,
                &ListAuditEventsRequest {
                    object_type: "letter".into(),
                    object_id: id(),
                    page_size: 50,
                    page_token: "12".into(),
                },
            ),
            input(PLANNER, 0, 0, &ListSuspiciousAccessRequest {}),
            input(
                PLANNER,
                0,
                0,
                &ListAuditEntriesRequest {
                    actor_id: "4".into(),
                    local_area_code: AREA.into(),
                    page_size: 20,
                    page_token: "99".into(),
                },
            ),
            input(PLANNER, 0, 0, &ListAuditPeopleRequest {}),
            input(INSPECTOR, 0, 0, &GetCaseStudySampleRequest { engagement_id: id() }),
            input(
                INSPECTOR,
                0,
                0,
                &CheckCaseStudyPickRequest { engagement_id: id(), references: interim_pick() },
            ),
            input(
                AREA_USER,
                0,
                0,
                &UploadCaseStudySampleRequest {
                    engagement_id: id(),
                    version: 2,
                    file: SAMPLE_CSV.as_bytes().to_vec(),
                    population: Some(CaseStudyPopulation {
                        communication_interaction: 40,
                        cognition_learning: 30,
                        social_emotional_mental_health: 20,
                        sensory_physical: 10,
                        sen_support: 70,
                        ehc_plan: 30,
                    }),
                    reason: String::new(),
                },
            ),
            input(
                INSPECTOR,
                0,
                0,
                &PickCaseStudiesRequest {
                    engagement_id: id(),
                    version: 2,
                    references: interim_pick(),
                    reason: String::new(),
                },
            ),
            input(
                INSPECTOR,
                0,
                0,
                &SuggestCaseStudyPickRequest { engagement_id: id(), version: 2, reason: String::new() },
            ),
            input(INSPECTOR, 2, 0, &AgreeCaseStudySampleRequest { engagement_id: id(), version: 2 }),
            input(INSPECTOR, 4, 0, &AskForMoreCaseStudiesRequest { engagement_id: id(), version: 2 }),
            input(
                PLANNER,
                0,
                0,
                &CreateVisitRequestRequest {
                    local_area_code: AREA.into(),
                    phase: Some(Phase { term: Term::Spring.into(), academic_year: 2026 }),
                    window: range("2027-02-01", "2027-03-26"),
                    reply_by: "2026-12-18".into(),
                    note: "Two days in February or March".into(),
                },
            ),
            input(
                PLANNER,
                0,
                0,
                &ListVisitRequestsRequest {
                    state: RequestState::Requested.into(),
                    page_size: 20,
                    page_token: id(),
                },
            ),
            input(PLANNER, 0, 0, &GetVisitRequestRequest { id: id() }),
            input(
                AREA_USER,
                0,
                0,
                &AnswerVisitRequestRequest {
                    id: id(),
                    version: 2,
                    answer: Some(answer_visit_request_request::Answer::Consent(ConsentAnswer {
                        signatory_name: "Sam Signer".into(),
                        signatory_role: "Director of Children's Services".into(),
                        organisation: "London Borough of Camden".into(),
                        date_signed: "2026-12-01".into(),
                        document: b"%PDF-1.7\n%signed\n".to_vec(),
                        unavailable: range("2027-02-15", "2027-02-19").into_iter().collect(),
                    })),
                },
            ),
            input(
                AREA_USER,
                1,
                0,
                &WithdrawConsentRequest { id: id(), version: 2, reason: "Leaders changed".into() },
            ),
            input(
                PLANNER,
                0,
                0,
                &CancelVisitRequestRequest { id: id(), version: 2, reason: "Plans changed".into() },
            ),
            input(
                AREA_USER,
                0,
                0,
                &RecordSafeguardingConcernRequest { id: id(), note: "A child at risk".into() },
            ),
            input(PLANNER, 0, 0, &ListSafeguardingConcernsRequest {}),
            input(PLANNER, 0, 0, &AcknowledgeSafeguardingConcernRequest { id: id() }),
            input(PLANNER, 0, 0, &GetConsentTotalsRequest {}),
            input(
                INSPECTOR,
                0,
                INTERIM,
                &CreateLetterRequest {
                    engagement_id: id(),
                    title: "Visit to Camden".into(),
                    body: interim_body(),
                },
            ),
            input(
                INSPECTOR,
                0,
                INTERIM,
                &UpdateDraftRequest {
                    id: id(),
                    version: 2,
                    title: "Visit to Camden".into(),
                    body: interim_body(),
                },
            ),
            input(PLANNER, 0, 0, &CheckLetterRequest { id: id() }),
            input(INSPECTOR, 0, INTERIM, &SubmitLetterRequest { id: id(), version: 2 }),
            input(
                PLANNER,
                1,
                INTERIM,
                &ReturnLetterRequest { id: id(), version: 2, reason: "Say more".into() },
            ),
            input(PLANNER, 1, INTERIM, &ApproveLetterRequest { id: id(), version: 2, overrides: vec![] }),
            input(
                PLANNER,
                2,
                INTERIM,
                &SetDistributionRequest {
                    id: id(),
                    version: 2,
                    recipients: vec![
                        Recipient::LocalArea.into(),
                        Recipient::Dfe.into(),
                        Recipient::LocalArea.into(),
                    ],
                },
            ),
            input(
                PLANNER,
                2,
                INTERIM,
                &IssueLetterRequest { id: id(), version: 2, publish_at: String::new() },
            ),
            input(
                PLANNER,
                2,
                FULL,
                &IssueLetterRequest { id: id(), version: 2, publish_at: "2026-12-10T09:30:00Z".into() },
            ),
            input(
                PLANNER,
                3,
                INTERIM,
                &RevokeRecipientRequest { id: id(), recipient: Recipient::Dfe.into() },
            ),
            input(
                PLANNER,
                3,
                INTERIM,
                &CorrectLetterRequest {
                    id: id(),
                    title: "Visit to Camden (corrected)".into(),
                    body: interim_body(),
                },
            ),
            input(
                AREA_USER,
                3,
                INTERIM,
                &SetPublicationRequest { id: id(), publish: true, named_in_national_reports: false },
            ),
            input(AREA_USER, 0, 0, &ListInboxRequest {}),
            input(PLANNER, 0, 0, &ListLettersRequest { engagement_id: id() }),
            input(PLANNER, 0, 0, &GetLetterRequest { id: id() }),
            input(PLANNER, 0, 0, &ListLetterViewsRequest { id: id() }),
            input(PLANNER, 0, 0, &WhoCanSeeRequest { id: id() }),
            input(PLANNER, 0, 0, &ListPublishedLettersRequest {}),
            input(PLANNER, 0, INTERIM, &ExportNationalReportRequest { academic_year: 2026 }),
            input(PLANNER, 0, INTERIM, &ExportNationalReportRequest { academic_year: 0 }),
            input(PLANNER, 0, 0, &ListOutboxRequest {}),
            input(AREA_USER, 0, 0, &GetEmailPreferencesRequest {}),
            input(AREA_USER, 0, 0, &SetEmailPreferenceRequest { kind: "new_request".into(), email: false }),
            input(
                PLANNER,
                0,
                0,
                &ScheduleEngagementRequest {
                    local_area_code: AREA.into(),
                    kind: EngagementKind::FullInspection.into(),
                    onsite: range("2027-02-08", "2027-02-10"),
                    note: String::new(),
                },
            ),
            input(PLANNER, 0, 0, &ListEngagementsRequest { region_code: REGION.into(), academic_year: 2026 }),
            input(PLANNER, 0, 0, &GetEngagementRequest { id: id() }),
            input(
                PLANNER,
                0,
                FULL,
                &RescheduleEngagementRequest {
                    id: id(),
                    version: 2,
                    onsite: range("2027-02-15", "2027-02-17"),
                    reason: String::new(),
                },
            ),
            input(
                PLANNER,
                0,
                FULL,
                &PostponeEngagementRequest { id: id(), version: 2, reason: "The area asked".into() },
            ),
            input(PLANNER, 0, FULL, &NotifyLocalAreaRequest { id: id(), version: 2 }),
            input(
                PLANNER,
                0,
                FULL,
                &AssignTeamRequest {
                    id: id(),
                    version: 2,
                    members: vec![
                        TeamMember {
                            inspector_id: "1".into(),
                            name: String::new(),
                            role: TeamRole::LeadHmi.into(),
                        },
                        TeamMember {
                            inspector_id: "2".into(),
                            name: String::new(),
                            role: TeamRole::OfstedInspector.into(),
                        },
                        TeamMember {
                            inspector_id: "3".into(),
                            name: String::new(),
                            role: TeamRole::CqcInspector.into(),
                        },
                        TeamMember {
                            inspector_id: "4".into(),
                            name: String::new(),
                            role: TeamRole::SocialCareInspector.into(),
                        },
                    ],
                    reason: String::new(),
                },
            ),
            input(
                PLANNER,
                2,
                FULL,
                &RecordOutcomeRequest { id: id(), version: 2, outcome: Outcome::Positive.into() },
            ),
            input(
                PLANNER,
                0,
                0,
                &RecordPastInspectionRequest {
                    local_area_code: AREA.into(),
                    kind: EngagementKind::FullInspection.into(),
                    completed_on: "2025-06-01".into(),
                    outcome: Outcome::Positive.into(),
                },
            ),
            input(
                PLANNER,
                0,
                0,
                &OverrideDueDateRequest {
                    local_area_code: AREA.into(),
                    due_by: "2027-06-01".into(),
                    reason: "Agreed with the area".into(),
                },
            ),
            input(
                PLANNER,
                0,
                0,
                &CreateInspectorRequest {
                    name: "Ivy Inspector".into(),
                    inspectorate: Inspectorate::Ofsted.into(),
                    social_care: true,
                    home_region_code: REGION.into(),
                    max_engagements_per_term: 6,
                    person_id: "4".into(),
                },
            ),
            input(PLANNER, 0, 0, &ListInspectorsRequest {}),
            input(
                PLANNER,
                0,
                0,
                &AddUnavailabilityRequest {
                    inspector_id: "2".into(),
                    period: range("2027-03-01", "2027-03-05"),
                },
            ),
            input(
                PLANNER,
                0,
                0,
                &DeclareConflictRequest {
                    inspector_id: "2".into(),
                    local_area_code: AREA.into(),
                    reason: "Worked there until 2025".into(),
                },
            ),
            input(PLANNER, 0, 0, &ListInspectorAccountsRequest {}),
            input(
                PLANNER,
                0,
                1,
                &LinkInspectorAccountRequest { inspector_id: "2".into(), version: 1, person_id: "7".into() },
            ),
            input(
                PLANNER,
                0,
                0,
                &GetNationalBoardRequest {
                    region_code: REGION.into(),
                    area_kind: "london_borough".into(),
                    last_outcome: Outcome::Positive.into(),
                    academic_year: 2026,
                },
            ),
            input(PLANNER, 0, 0, &ExportNationalProgrammeRequest { academic_year: 2026 }),
            input(PLANNER, 0, 0, &ListRegionsRequest {}),
            input(
                PLANNER,
                0,
                0,
                &ListLocalAreasRequest {
                    region_code: REGION.into(),
                    name_prefix: "Cam".into(),
                    kind: LocalAreaKind::LondonBorough.into(),
                    include_retired: false,
                    page_size: 20,
                    page_token: PageCursor { name_key: "camden".into(), ons_code: AREA.into() }.encode(),
                },
            ),
            input(AREA_USER, 0, 0, &GetStartPageRequest {}),
            input(PLANNER, 0, 0, &StartProposalRequest { seconds: 30 }),
            input(PLANNER, 0, 0, &CancelProposalRequest { id: id() }),
            input(PLANNER, 0, 0, &GetProposalRequest { id: id() }),
            input(PLANNER, 0, 0, &AcceptProposalRequest { id: id(), programme_version: 7 }),
        ]
    }

    /// Requests one check refuses: a field wrong, a caller who may not, a record in a state
    /// that does not allow it.
    fn refused_requests() -> Vec<Vec<u8>> {
        use pb::*;
        let id = || SAMPLE_ID.to_owned();
        vec![
            input(INSPECTOR, 0, 0, &SignInRequest { username: " ".into(), password: String::new() }),
            input(
                PLANNER,
                0,
                0,
                &ChangePasswordRequest { current_password: String::new(), new_password: "short".into() },
            ),
            input(ADMIN, 0, 0, &CreatePersonRequest { username: "x".into(), role: 99, ..Default::default() }),
            input(
                PLANNER,
                0,
                0,
                &CreatePersonRequest { username: "not.an.admin".into(), ..Default::default() },
            ),
            input(ADMIN, 0, 0, &ListPeopleRequest { page_size: -1, page_token: String::new() }),
            input(ADMIN, 0, 0, &GetPersonRequest { person_id: "one".into() }),
            input(
                ADMIN,
                5,
                0,
                &SetAccountDisabledRequest { person_id: "6".into(), version: 1, disabled: true },
            ),
            input(
                ADMIN,
                3,
                1,
                &SetAccountDisabledRequest { person_id: "104".into(), version: 1, disabled: true },
            ),
            input(
                ADMIN,
                3,
                0,
                &ChangeRoleRequest { person_id: "104".into(), version: 1, role: 42, ..Default::default() },
            ),
            input(
                ADMIN,
                3,
                0,
                &SetEmailRequest { person_id: "104".into(), version: 1, email: "not an address".into() },
            ),
            input(PLANNER, 0, 0, &ListAuditEventsRequest { object_type: " ".into(), ..Default::default() }),
            input(PLANNER, 0, 0, &ListAuditEntriesRequest { page_token: "0".into(), ..Default::default() }),
            input(
                AREA_USER,
                0,
                0,
                &UploadCaseStudySampleRequest {
                    engagement_id: id(),
                    file: b"ref,age\nCYP-1,5-10\n".to_vec(),
                    ..Default::default()
                },
            ),
            input(
                INSPECTOR,
                0,
                0,
                &PickCaseStudiesRequest {
                    engagement_id: id(),
                    references: strings(&["CYP-99"]),
                    ..Default::default()
                },
            ),
            input(AREA_USER, 0, 0, &PickCaseStudiesRequest { engagement_id: id(), ..Default::default() }),
            input(
                INSPECTOR,
                0,
                2,
                &SuggestCaseStudyPickRequest { engagement_id: "42".into(), ..Default::default() },
            ),
            input(INSPECTOR, 0, 0, &AskForMoreCaseStudiesRequest { engagement_id: id(), version: 0 }),
            input(
                PLANNER,
                0,
                0,
                &CreateVisitRequestRequest {
                    local_area_code: AREA.into(),
                    phase: Some(Phase { term: 9, academic_year: 1999 }),
                    window: range("2027-02-01", "2027-01-26"),
                    reply_by: "2026-02-30".into(),
                    note: String::new(),
                },
            ),
            input(
                PLANNER,
                0,
                0,
                &ListVisitRequestsRequest { state: 77, page_size: 0, page_token: String::new() },
            ),
            input(
                AREA_USER,
                0,
                0,
                &AnswerVisitRequestRequest {
                    id: id(),
                    version: 1,
                    answer: Some(answer_visit_request_request::Answer::Consent(ConsentAnswer {
                        date_signed: "2027-12-01".into(),
                        document: b"GIF89a".to_vec(),
                        ..Default::default()
                    })),
                },
            ),
            input(AREA_USER, 0, 0, &AnswerVisitRequestRequest { id: id(), version: 1, answer: None }),
            input(AREA_USER, 1, 0, &WithdrawConsentRequest { id: id(), version: 1, reason: " ".into() }),
            input(INSPECTOR, 0, 0, &CancelVisitRequestRequest { id: id(), version: 1, reason: "No".into() }),
            input(AREA_USER, 0, 0, &AcknowledgeSafeguardingConcernRequest { id: id() }),
            input(
                INSPECTOR,
                0,
                INTERIM,
                &CreateLetterRequest { engagement_id: id(), title: " ".into(), body: String::new() },
            ),
            input(PLANNER, 1, INTERIM, &ReturnLetterRequest { id: id(), version: 1, reason: String::new() }),
            input(
                PLANNER,
                1,
                INTERIM,
                &ApproveLetterRequest {
                    id: id(),
                    version: 1,
                    overrides: vec![CheckOverride {
                        rule: "letter.child_name".into(),
                        reason: String::new(),
                    }],
                },
            ),
            input(
                PLANNER,
                2,
                INTERIM,
                &SetDistributionRequest { id: id(), version: 1, recipients: vec![99] },
            ),
            input(
                PLANNER,
                2,
                INTERIM,
                &IssueLetterRequest { id: id(), version: 1, publish_at: "tomorrow".into() },
            ),
            input(PLANNER, 2, FULL, &IssueLetterRequest { id: id(), version: 1, publish_at: String::new() }),
            input(
                PLANNER,
                0,
                INTERIM,
                &RevokeRecipientRequest { id: id(), recipient: Recipient::Public.into() },
            ),
            input(
                AREA_USER,
                3,
                FULL,
                &SetPublicationRequest { id: id(), publish: true, named_in_national_reports: true },
            ),
            input(
                AREA_USER,
                0,
                0,
                &SetEmailPreferenceRequest { kind: "safeguarding_concern".into(), email: true },
            ),
            input(
                PLANNER,
                0,
                0,
                &ScheduleEngagementRequest {
                    local_area_code: AREA.into(),
                    kind: EngagementKind::FullInspection.into(),
                    onsite: range("2027-02-06", "2027-02-10"),
                    note: String::new(),
                },
            ),
            input(PLANNER, 0, 0, &ListEngagementsRequest { region_code: String::new(), academic_year: 1999 }),
            input(
                PLANNER,
                0,
                FULL,
                &RescheduleEngagementRequest {
                    id: id(),
                    version: 1,
                    onsite: range("2027-02-17", "2027-02-15"),
                    reason: String::new(),
                },
            ),
            input(
                PLANNER,
                0,
                FULL,
                &PostponeEngagementRequest { id: id(), version: 1, reason: String::new() },
            ),
            input(
                PLANNER,
                0,
                FULL,
                &AssignTeamRequest {
                    id: id(),
                    version: 1,
                    members: vec![TeamMember { inspector_id: "x".into(), ..Default::default() }],
                    reason: String::new(),
                },
            ),
            input(PLANNER, 2, FULL, &RecordOutcomeRequest { id: id(), version: 1, outcome: 0 }),
            input(
                PLANNER,
                0,
                0,
                &RecordPastInspectionRequest { completed_on: "2030-01-01".into(), ..Default::default() },
            ),
            input(PLANNER, 0, 0, &OverrideDueDateRequest { due_by: "soon".into(), ..Default::default() }),
            input(
                PLANNER,
                0,
                0,
                &CreateInspectorRequest {
                    name: "Cy".into(),
                    inspectorate: 2,
                    social_care: true,
                    ..Default::default()
                },
            ),
            input(INSPECTOR, 0, 0, &AddUnavailabilityRequest { inspector_id: "2".into(), period: None }),
            input(
                PLANNER,
                0,
                0,
                &DeclareConflictRequest {
                    inspector_id: "2".into(),
                    reason: String::new(),
                    ..Default::default()
                },
            ),
            input(
                PLANNER,
                0,
                2,
                &LinkInspectorAccountRequest { inspector_id: "2".into(), version: 1, person_id: "7".into() },
            ),
            input(
                PLANNER,
                0,
                0,
                &ListLocalAreasRequest { page_token: "not a token!".into(), kind: 9, ..Default::default() },
            ),
            input(INSPECTOR, 0, 0, &StartProposalRequest { seconds: 30 }),
            input(PLANNER, 0, 0, &AcceptProposalRequest { id: "1".into(), programme_version: 7 }),
        ]
    }

    fn no_checks(name: &str) -> bool {
        // Messages without fields, and those whose fields only filter what the store returns.
        let index = REQUESTS.iter().position(|n| *n == name).expect("listed");
        rpc_request_reached(&[u8::try_from(index).expect("small"), 0, 0, 0]).accepted
            + rpc_request_reached(&[u8::try_from(index).expect("small"), 0, 0, 0]).refused
            == 0
    }

    fn name_of(input: &[u8]) -> &'static str {
        REQUESTS[usize::from(input[0]) % REQUESTS.len()]
    }

    /// Every request message the contract's methods take, by name.
    fn contract_requests() -> Vec<String> {
        let set =
            prost_types::FileDescriptorSet::decode(proto::FILE_DESCRIPTOR_SET).expect("valid descriptor set");
        let mut names = Vec::new();
        for file in &set.file {
            for service in &file.service {
                for method in &service.method {
                    let input = method.input_type();
                    let name =
                        input.strip_prefix(".sendplanner.v1.").unwrap_or_else(|| panic!("{input} is ours"));
                    names.push(name.to_owned());
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    #[test]
    fn every_request_message_of_the_contract_is_fuzzed() {
        let mut listed: Vec<String> = REQUESTS.iter().map(|s| (*s).to_owned()).collect();
        listed.sort();
        listed.dedup();
        assert_eq!(listed.len(), REQUESTS.len(), "a message is listed twice in REQUESTS");
        assert_eq!(listed, contract_requests(), "REQUESTS must list the request message of every RPC");
        assert!(REQUESTS.len() <= 256, "byte 0 picks the message");
    }

    #[test]
    fn valid_requests_of_every_message_decode_and_pass_every_check() {
        let seeds = valid_requests();
        for name in REQUESTS {
            assert!(seeds.iter().any(|s| name_of(s) == *name), "no valid seed for {name}");
        }
        for seed in &seeds {
            let name = name_of(seed);
            let reached = rpc_request_reached(seed);
            assert!(reached.decoded, "{name} did not decode");
            assert_eq!(reached.refused, 0, "{name} was refused: {reached:?}");
            assert!(reached.accepted > 0 || no_checks(name), "{name} reached no check: {reached:?}");
        }
    }

    #[test]
    fn wrong_requests_are_refused_by_a_check() {
        for seed in refused_requests() {
            let reached = rpc_request_reached(&seed);
            assert!(
                reached.decoded && reached.refused > 0,
                "{} was not refused: {reached:?}",
                name_of(&seed)
            );
        }
    }

    /// Letters and files for the other targets.
    fn letter_seeds() -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = EngagementKind::ALL.iter().map(|k| clean_body(*k).into_bytes()).collect();
        out.push(
            "Context\nWe met Ann Lee, aged 9, and CYP-12.\nCall 07700 900123 or jo@example.org.\n\n\
             What we found\nThe area requires improvement: we recommend more work.\n\nNext steps\nNone.\n"
                .into(),
        );
        out.push(
            "\u{feff}Summary\r\n\r\n\u{2014} caf\u{e9} \u{130}stanbul \u{212a}elvin judgement\r\n".into(),
        );
        out.push(b"\xff\xfe not UTF-8\nSummary\n".to_vec());
        out.push(Vec::new());
        out
    }

    fn csv_seeds() -> Vec<Vec<u8>> {
        vec![
            SAMPLE_CSV.into(),
            case_studies::CSV_TEMPLATE.into(),
            format!("\u{feff}{}", SAMPLE_CSV.to_uppercase()).into_bytes(),
            b"reference,age_band\nCYP-1,5-10\n".to_vec(),
            format!("{}CYP-9,5-10,CI\n\"unclosed,5-10\n", case_studies::CSV_TEMPLATE).into_bytes(),
            b"\xe9\n".to_vec(),
        ]
    }

    fn anonymise_seeds() -> Vec<Vec<u8>> {
        vec![
            "Sam Signer|Camden\nSam Signer met Camden Council and the London Borough of Camden. Camden's leaders spoke.".into(),
            "Bristol, City of|Ann\nAnnual reviews in Bristol City Council; Ann agreed.".into(),
            "\u{130}|\u{212a}\n\u{130}\u{130} \u{212a} text".into(),
            b"|\n\xff".to_vec(),
        ]
    }

    #[test]
    fn the_other_targets_seeds_reach_their_parsers() {
        assert_eq!(SAMPLE.len(), 8, "the made-up sample list parses");
        for kind in EngagementKind::ALL {
            let reached = letter_text_reached(clean_body(kind).as_bytes());
            assert!(reached.decoded && reached.accepted > 0, "{kind:?}: {reached:?}");
            assert!(
                check_letter(kind, &clean_body(kind), &[]).is_empty(),
                "{kind:?}'s clean letter has findings"
            );
        }
        let reached = letter_text_reached(&letter_seeds()[EngagementKind::ALL.len()]);
        assert!(reached.refused > 0, "a letter naming a child passed its checks");
        let reached = case_study_csv_reached(SAMPLE_CSV.as_bytes());
        assert!(reached.decoded && reached.refused == 0, "{reached:?}");
        assert!(!case_study_csv_reached(b"reference\n").decoded);
        let reached = anonymise_reached(&anonymise_seeds()[0]);
        assert_eq!(reached.accepted, 1, "Camden left in the report");
    }

    /// `n` inputs: each seed as it is, then seeds mutated (bytes flipped, inserted, removed,
    /// cut, or spliced from another seed) and random bytes, from a fixed seed.
    fn inputs(seeds: &[Vec<u8>], n: usize, random_header: bool) -> Vec<Vec<u8>> {
        let mut rng = ChaCha8Rng::seed_from_u64(16);
        let mut out: Vec<Vec<u8>> = seeds.to_vec();
        while out.len() < n {
            let mut data = if rng.random_bool(0.1) {
                let mut random = vec![0; rng.random_range(0..96)];
                rng.fill_bytes(&mut random);
                random
            } else {
                seeds[rng.random_range(0..seeds.len())].clone()
            };
            for _ in 0..rng.random_range(1..=4) {
                let at = rng.random_range(0..=data.len());
                match rng.random_range(0..6) {
                    0 if at < data.len() => data[at] ^= 1 << rng.random_range(0..8),
                    1 if at < data.len() => data[at] = rng.random(),
                    2 => data.insert(at, rng.random()),
                    3 if at < data.len() => {
                        data.remove(at);
                    }
                    4 => data.truncate(at),
                    _ => {
                        let other = &seeds[rng.random_range(0..seeds.len())];
                        let from = rng.random_range(0..=other.len());
                        data.splice(at..at, other[from..].iter().take(32).copied());
                    }
                }
            }
            if random_header && !data.is_empty() && rng.random_bool(0.2) {
                data[0] = rng.random();
            }
            out.push(data);
        }
        out
    }

    #[test]
    fn random_and_mutated_requests_never_panic() {
        let mut seeds = valid_requests();
        seeds.extend(refused_requests());
        let mut decoded = 0;
        for data in inputs(&seeds, 4000, true) {
            decoded += usize::from(rpc_request_reached(&data).decoded);
        }
        // Most mutations still decode: the checks, not only prost, see them.
        assert!(decoded > 600, "only {decoded} of 4000 decoded");
    }

    #[test]
    fn random_and_mutated_letters_files_and_names_never_panic() {
        for data in inputs(&letter_seeds(), 120, false) {
            letter_text(&data);
        }
        let mut parsed = 0;
        for data in inputs(&csv_seeds(), 1000, false) {
            parsed += usize::from(case_study_csv_reached(&data).decoded);
        }
        assert!(parsed > 5, "only {parsed} of 1000 files parsed");
        for data in inputs(&anonymise_seeds(), 200, false) {
            anonymise(&data);
        }
    }

    /// Inputs that panicked before their bugs were fixed, each through its target.
    #[test]
    fn what_panicked_once_no_longer_does() {
        // check_letter placed judgement wording by its byte in the lower-cased text: where lower
        // case is shorter (the Kelvin sign's "k" is 1 byte, the sign 3), that fell inside a
        // character of the text itself and slicing there panicked.
        let text = "\u{212a} judgement";
        letter_text(text.as_bytes());
        let findings = check_letter(EngagementKind::InterimVisit, text, &[]);
        let found = findings.iter().find(|f| f.rule == letters::JUDGEMENT_WORDING_RULE).expect("found");
        assert_eq!((found.line, found.column), (1, 3), "{found:?}");
        // Where lower case is longer ("İ" becomes 3 bytes), the place pointed past the phrase.
        let findings = check_letter(EngagementKind::InterimVisit, "\u{130}\u{130}\nNo judgement", &[]);
        let found = findings.iter().find(|f| f.rule == letters::JUDGEMENT_WORDING_RULE).expect("found");
        assert_eq!((found.line, found.column), (2, 4), "{found:?}");
        // The national report's heading added 1 to the year asked for: i32::MAX overflowed.
        let request = pb::ExportNationalReportRequest { academic_year: i32::MAX };
        assert_eq!(rpc_request_reached(&input(PLANNER, 0, INTERIM, &request)).refused, 0);
    }

    /// Writes the seeds as `fuzz/corpus/<target>/seed-N`, the fuzzer's starting corpora:
    /// `cargo test -p send-planner --lib fuzzing::tests::write_seed_corpora -- --ignored`.
    #[test]
    #[ignore = "writes files; run by hand when the seeds change"]
    fn write_seed_corpora() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
        let mut requests = valid_requests();
        requests.extend(refused_requests());
        requests.push(input(
            PLANNER,
            0,
            INTERIM,
            &pb::ExportNationalReportRequest { academic_year: i32::MAX },
        ));
        let mut letters = letter_seeds();
        letters.extend(["\u{212a} judgement", "\u{130}\u{130}\nNo judgement"].map(|t| t.as_bytes().to_vec()));
        for (target, seeds) in [
            ("rpc_request", requests),
            ("letter_text", letters),
            ("case_study_csv", csv_seeds()),
            ("anonymise", anonymise_seeds()),
        ] {
            let dir = root.join(target);
            std::fs::create_dir_all(&dir).expect("corpus folder");
            for (i, seed) in seeds.iter().enumerate() {
                std::fs::write(dir.join(format!("seed-{i:03}")), seed).expect("seed written");
            }
        }
    }
}
