//! Letters and reports: the one home of every letter rule. A letter's life (draft, submitted,
//! approved, issued, superseded), who may do what in which state, the content checks run
//! before approval, distribution, corrections and the local area's publication choice are all
//! decided here, by [`decide`] (and [`decide_draft`] for a new letter), from facts the store
//! loads. [`allowed_actions`] answers from the same rules which actions a caller may take now.
//!
//! Every rule has a stable id (`letter.…`, listed in [`RULES`]) that programs and tests match;
//! people read the sentence that comes with it.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use regex::Regex;

use super::{
    Finding, Refusal,
    identity::{Person, Scope},
    programme::{EngagementKind, TeamRole},
};

/// A move the letter's state does not allow (subject `state`).
pub const STATE: &str = "letter.state";
/// No approval before the engagement's last onsite day (subject `state`).
pub const BEFORE_LAST_ONSITE_DAY: &str = "letter.before_last_onsite_day";
/// Returning a letter to the team needs a reason (subject `reason`).
pub const RETURN_REASON: &str = "letter.return_reason";
/// Overriding a content check needs a reason (subject `overrides`).
pub const OVERRIDE_REASON: &str = "letter.override_reason";
/// A report that goes to the public needs its publication time (subject `publish_at`).
pub const PUBLISH_AT_REQUIRED: &str = "letter.publish_at_required";
/// The publication time cannot be in the past (subject `publish_at`).
pub const PUBLISH_AT_PAST: &str = "letter.publish_at_past";
/// Nothing is issued to an empty distribution list (subject `distribution`).
pub const DISTRIBUTION_EMPTY: &str = "letter.distribution_empty";
/// Once issued, the distribution list only loses recipients by revocation (subject `recipients`).
pub const DISTRIBUTION_FROZEN: &str = "letter.distribution_frozen";
/// Only a recipient on the list is revoked, once (subject `recipient`).
pub const RECIPIENT_NOT_LISTED: &str = "letter.recipient_not_listed";
/// Only an issued letter is corrected (subject `state`).
pub const CORRECTION_ISSUED_ONLY: &str = "letter.correction_issued_only";
/// A letter is corrected once; the correction is corrected after it is issued (subject `state`).
pub const CORRECTION_EXISTS: &str = "letter.correction_exists";
/// The local area publishes only an issued interim-visit letter (subject `publish`).
pub const PUBLICATION_INTERIM_ISSUED: &str = "letter.publication_interim_issued";
/// Content: an interim-visit letter carries no formal judgement or recommendation.
pub const JUDGEMENT_WORDING_RULE: &str = "letter.judgement_wording";
/// Content: no personal email addresses.
pub const PERSONAL_EMAIL: &str = "letter.personal_email";
/// Content: no personal phone numbers.
pub const PERSONAL_PHONE: &str = "letter.personal_phone";
/// Content: no case-study references, by pattern or as stored for the engagement.
pub const CASE_REFERENCE: &str = "letter.case_reference";
/// Content: no child's name.
pub const CHILD_NAME: &str = "letter.child_name";
/// Content: every required section of the letter's kind.
pub const REQUIRED_SECTION: &str = "letter.required_section";

/// Every letter rule id. A unit test makes each one fire.
pub const RULES: &[&str] = &[
    STATE,
    BEFORE_LAST_ONSITE_DAY,
    RETURN_REASON,
    OVERRIDE_REASON,
    PUBLISH_AT_REQUIRED,
    PUBLISH_AT_PAST,
    DISTRIBUTION_EMPTY,
    DISTRIBUTION_FROZEN,
    RECIPIENT_NOT_LISTED,
    CORRECTION_ISSUED_ONLY,
    CORRECTION_EXISTS,
    PUBLICATION_INTERIM_ISSUED,
    JUDGEMENT_WORDING_RULE,
    PERSONAL_EMAIL,
    PERSONAL_PHONE,
    CASE_REFERENCE,
    CHILD_NAME,
    REQUIRED_SECTION,
];

/// Where a letter stands. Nothing issued is edited in place: a correction is a new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LetterState {
    /// Being written by the team.
    Draft,
    /// Sent for quality assurance.
    Submitted,
    /// Approved by a national planner.
    Approved,
    /// Issued to its distribution list.
    Issued,
    /// Replaced by a corrected version (kept in history).
    Superseded,
}

impl LetterState {
    /// Every state.
    pub const ALL: [Self; 5] = [Self::Draft, Self::Submitted, Self::Approved, Self::Issued, Self::Superseded];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Issued => "issued",
            Self::Superseded => "superseded",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The state in words, for sentences.
    fn words(self) -> &'static str {
        match self {
            Self::Draft => "a draft",
            Self::Submitted => "waiting for quality assurance",
            Self::Approved => "approved",
            Self::Issued => "issued",
            Self::Superseded => "replaced by a correction",
        }
    }
}

/// A step in a letter's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterMove {
    /// Change the text.
    Edit,
    /// Send for quality assurance.
    Submit,
    /// Send back to the team.
    Return,
    /// Approve.
    Approve,
    /// Issue to the distribution list.
    Issue,
    /// Replace by a corrected version.
    Supersede,
}

/// The state after a move, or the `letter.state` refusal naming the current state.
pub fn letter_transition(current: LetterState, m: LetterMove) -> Result<LetterState, Refusal> {
    use LetterState::{Approved, Draft, Issued, Submitted, Superseded};
    match (current, m) {
        (Draft, LetterMove::Edit) => Ok(Draft),
        (Draft, LetterMove::Submit) => Ok(Submitted),
        (Submitted, LetterMove::Return) => Ok(Draft),
        (Submitted, LetterMove::Approve) => Ok(Approved),
        (Approved, LetterMove::Issue) => Ok(Issued),
        (Issued, LetterMove::Supersede) => Ok(Superseded),
        (state, m) => Err(Refusal::rule(
            STATE,
            "state",
            format!(
                "The letter is {}, so it cannot be {}",
                state.words(),
                match m {
                    LetterMove::Edit => "edited (an issued letter is corrected by a new version)",
                    LetterMove::Submit => "submitted",
                    LetterMove::Return => "returned to the team",
                    LetterMove::Approve => "approved",
                    LetterMove::Issue => "issued",
                    LetterMove::Supersede => "replaced",
                }
            ),
        )),
    }
}

/// A letter as its audience sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRecord {
    /// The database's key, for joins inside the store; never shown outside.
    pub id: i64,
    /// The id the API and URLs carry (see [`crate::domain::public_id`]).
    pub public_id: String,
    /// The engagement's database key.
    pub engagement_id: i64,
    /// The engagement's public id.
    pub engagement_public_id: String,
    /// Kind of engagement.
    pub engagement_kind: EngagementKind,
    /// Area code.
    pub local_area_code: String,
    /// Area name.
    pub local_area_name: String,
    /// Region name.
    pub region_name: String,
    /// Kind of area (stored name).
    pub area_kind: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// State.
    pub state: LetterState,
    /// Version.
    pub version: i64,
    /// (recipient, revoked at).
    pub distribution: Vec<(String, Option<String>)>,
    /// Embargo for full reports.
    pub publish_at: Option<String>,
    /// The local area chose to publish.
    pub published: bool,
    /// The local area agreed to be named in national reports.
    pub named: bool,
    /// The public id of the letter this corrects.
    pub supersedes_id: Option<String>,
    /// The public id of the letter that corrected this one.
    pub superseded_by_id: Option<String>,
    /// When issued.
    pub issued_at: Option<String>,
    /// When the viewer first opened it.
    pub first_opened_at: Option<String>,
    /// Why a national planner last sent it back to the team (kept through resubmission so the
    /// approver sees what was asked; cleared on approval).
    pub returned_reason: String,
}

impl LetterRecord {
    /// Recipients whose access is not revoked.
    pub fn current_recipients(&self) -> impl Iterator<Item = &str> {
        self.distribution.iter().filter(|(_, revoked)| revoked.is_none()).map(|(r, _)| r.as_str())
    }
}

/// The caller's place on the engagement's team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamFacts {
    /// The caller's role on the team, if they are on it.
    pub caller_role: Option<TeamRole>,
    /// Whether the team has a lead HMI.
    pub has_lead: bool,
}

impl TeamFacts {
    /// The caller writes the engagement's letters: its lead HMI, or for a team without one an
    /// Ofsted inspector on it.
    pub fn writes(&self) -> bool {
        match self.caller_role {
            Some(TeamRole::LeadHmi) => true,
            Some(TeamRole::OfstedInspector) => !self.has_lead,
            _ => false,
        }
    }
}

/// What a decision about an existing letter reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterFacts {
    /// The letter, with its distribution.
    pub letter: LetterRecord,
    /// The caller on the engagement's team.
    pub team: TeamFacts,
    /// The engagement's last onsite day.
    pub onsite_last: NaiveDate,
    /// Now.
    pub now: DateTime<Utc>,
    /// Every pseudonymous case-study reference stored for the engagement (empty where the
    /// caller only lists letters).
    pub references: Vec<String>,
}

/// What deciding on a new letter reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftFacts {
    /// The engagement's kind.
    pub kind: EngagementKind,
    /// The caller on its team.
    pub team: TeamFacts,
}

/// A change to a letter, as requested (already decoded: fields are well-formed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LetterChange {
    /// New title and text (drafts only).
    Edit {
        /// Title.
        title: String,
        /// Text.
        body: String,
    },
    /// Send for QA.
    Submit,
    /// Back to the team, with why.
    Return(String),
    /// Approve, with the checks overridden: (rule, reason).
    Approve(Vec<(String, String)>),
    /// New distribution list (before issue).
    Distribution(Vec<&'static str>),
    /// Issue, with the publication time for full reports.
    Issue(Option<DateTime<Utc>>),
    /// End one recipient's access at once.
    Revoke(&'static str),
    /// A corrected version of an issued letter, as a new draft.
    Correct {
        /// Title.
        title: String,
        /// Text.
        body: String,
    },
    /// The local area's publication choice.
    Publication {
        /// Publish it.
        publish: bool,
        /// Name the area in national reports.
        named: bool,
    },
}

/// A change with the version of the letter the caller read (`None` for changes that do not
/// depend on it: revocation, correction, publication).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRequest {
    /// The version read.
    pub version: Option<i64>,
    /// The change.
    pub change: LetterChange,
}

/// What to write: the letter's state afterwards and the change, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterDecision {
    /// The letter's state after the change (a correction leaves the issued letter issued).
    pub next: LetterState,
    /// The change to store.
    pub change: LetterChange,
}

/// What a caller may do with a letter; the contract's `LetterAction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterAction {
    /// Change the draft.
    Edit,
    /// Send for quality assurance.
    Submit,
    /// Send back to the team.
    Return,
    /// Approve.
    Approve,
    /// Change the distribution list.
    SetDistribution,
    /// Issue.
    Issue,
    /// Revoke a recipient.
    Revoke,
    /// Write a corrected version.
    Correct,
    /// Choose whether to publish (the local area).
    SetPublication,
    /// See who viewed it and who can see it.
    ViewAudience,
}

impl LetterAction {
    /// Every action, in the contract's order.
    pub const ALL: [Self; 10] = [
        Self::Edit,
        Self::Submit,
        Self::Return,
        Self::Approve,
        Self::SetDistribution,
        Self::Issue,
        Self::Revoke,
        Self::Correct,
        Self::SetPublication,
        Self::ViewAudience,
    ];
}

fn action_of(change: &LetterChange) -> LetterAction {
    match change {
        LetterChange::Edit { .. } => LetterAction::Edit,
        LetterChange::Submit => LetterAction::Submit,
        LetterChange::Return(_) => LetterAction::Return,
        LetterChange::Approve(_) => LetterAction::Approve,
        LetterChange::Distribution(_) => LetterAction::SetDistribution,
        LetterChange::Issue(_) => LetterAction::Issue,
        LetterChange::Revoke(_) => LetterAction::Revoke,
        LetterChange::Correct { .. } => LetterAction::Correct,
        LetterChange::Publication { .. } => LetterAction::SetPublication,
    }
}

/// A date as people read it: "3 February 2027".
fn day_words(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

fn not_allowed() -> Refusal {
    Refusal::NotAllowed("Your role does not allow this change to the letter".into())
}

/// The refusal of a write that found the letter changed since it was read.
pub fn stale(now: LetterState) -> Refusal {
    Refusal::Stale(format!(
        "Someone else changed this letter meanwhile: it is now {}. Reload it and try again",
        now.words()
    ))
}

/// The permission matrix: whether the caller's role lets them take `action` on this letter.
/// National planners return, approve, set the distribution, issue, revoke, correct and see the
/// audience; the team's writer edits and submits; the local area user of the letter's area
/// sets its publication. A local area user of another area is answered as if the letter were
/// missing.
fn role_allows(actor: &Person, facts: &LetterFacts, action: LetterAction) -> Result<(), Refusal> {
    use LetterAction as A;
    let allowed = match action {
        A::Edit | A::Submit => facts.team.writes(),
        A::Return | A::Approve | A::SetDistribution | A::Issue | A::Revoke | A::Correct | A::ViewAudience => {
            matches!(actor.scope, Scope::England)
        }
        A::SetPublication => match &actor.scope {
            Scope::LocalArea(code) if *code == facts.letter.local_area_code => true,
            Scope::LocalArea(_) => return Err(Refusal::NotFound("letter")),
            _ => false,
        },
    };
    if allowed { Ok(()) } else { Err(not_allowed()) }
}

/// The rules of `action` that depend on the letter and the time alone (not on what the request
/// carries): its state afterwards, or why it cannot be taken now.
fn state_allows(facts: &LetterFacts, action: LetterAction) -> Result<LetterState, Refusal> {
    use LetterAction as A;
    let letter = &facts.letter;
    match action {
        A::Edit => letter_transition(letter.state, LetterMove::Edit),
        A::Submit => letter_transition(letter.state, LetterMove::Submit),
        A::Return => letter_transition(letter.state, LetterMove::Return),
        A::Approve => {
            let next = letter_transition(letter.state, LetterMove::Approve)?;
            if facts.now.date_naive() < facts.onsite_last {
                return Err(Refusal::rule(
                    BEFORE_LAST_ONSITE_DAY,
                    "state",
                    format!(
                        "The letter cannot be approved before {}, the last onsite day",
                        day_words(facts.onsite_last)
                    ),
                ));
            }
            Ok(next)
        }
        A::SetDistribution => match letter.state {
            LetterState::Issued | LetterState::Superseded => Err(Refusal::rule(
                DISTRIBUTION_FROZEN,
                "recipients",
                format!(
                    "The letter is {}, so its distribution list cannot change: revoke a recipient instead",
                    letter.state.words()
                ),
            )),
            state => Ok(state),
        },
        A::Issue => {
            let next = letter_transition(letter.state, LetterMove::Issue)?;
            if letter.current_recipients().next().is_none() {
                return Err(Refusal::rule(
                    DISTRIBUTION_EMPTY,
                    "distribution",
                    "Add a recipient to the distribution list before issuing the letter",
                ));
            }
            Ok(next)
        }
        A::Revoke => match letter.state {
            LetterState::Issued => Ok(LetterState::Issued),
            state => Err(Refusal::rule(
                STATE,
                "state",
                format!("The letter is {}, so there is no access to revoke", state.words()),
            )),
        },
        A::Correct => {
            if letter.state != LetterState::Issued {
                return Err(Refusal::rule(
                    CORRECTION_ISSUED_ONLY,
                    "state",
                    format!("The letter is {}: only an issued letter is corrected", letter.state.words()),
                ));
            }
            if letter.superseded_by_id.is_some() {
                return Err(Refusal::rule(
                    CORRECTION_EXISTS,
                    "state",
                    "A correction of this letter already exists: change that one instead",
                ));
            }
            Ok(LetterState::Issued)
        }
        A::SetPublication => {
            if letter.engagement_kind != EngagementKind::InterimVisit || letter.state != LetterState::Issued {
                return Err(Refusal::rule(
                    PUBLICATION_INTERIM_ISSUED,
                    "publish",
                    "Only an issued interim-visit letter is published by the local area's choice",
                ));
            }
            Ok(LetterState::Issued)
        }
        A::ViewAudience => Ok(letter.state),
    }
}

/// The actions `actor` may take on the letter now, from the same rules as [`decide`].
pub fn allowed_actions(actor: &Person, facts: &LetterFacts) -> Vec<LetterAction> {
    LetterAction::ALL
        .into_iter()
        .filter(|a| role_allows(actor, facts, *a).is_ok() && state_allows(facts, *a).is_ok())
        .collect()
}

/// Decides a change to an existing letter: every letter rule in one place. `request.version`
/// is the version the caller read, checked before anything about the letter's state.
pub fn decide(
    actor: &Person,
    facts: &LetterFacts,
    request: &LetterRequest,
) -> Result<LetterDecision, Refusal> {
    let action = action_of(&request.change);
    role_allows(actor, facts, action)?;
    if request.version.is_some_and(|v| v != facts.letter.version) {
        return Err(stale(facts.letter.state));
    }
    let next = state_allows(facts, action)?;
    let change = match &request.change {
        LetterChange::Return(reason) => {
            if reason.trim().is_empty() {
                return Err(Refusal::rule(
                    RETURN_REASON,
                    "reason",
                    "Enter why the letter goes back to the team",
                ));
            }
            LetterChange::Return(reason.trim().to_owned())
        }
        LetterChange::Approve(overrides) => LetterChange::Approve(approval(facts, overrides)?),
        LetterChange::Issue(publish_at) => {
            let public = facts.letter.current_recipients().any(|r| r == "public");
            match publish_at {
                None if facts.letter.engagement_kind.is_inspection() && public => {
                    return Err(Refusal::rule(
                        PUBLISH_AT_REQUIRED,
                        "publish_at",
                        "Enter when the report is published: it goes to the public",
                    ));
                }
                Some(at) if *at < facts.now => {
                    return Err(Refusal::rule(
                        PUBLISH_AT_PAST,
                        "publish_at",
                        "The publication time must be in the future",
                    ));
                }
                _ => {}
            }
            LetterChange::Issue(*publish_at)
        }
        LetterChange::Revoke(recipient) => {
            if !facts.letter.current_recipients().any(|r| r == *recipient) {
                return Err(Refusal::rule(
                    RECIPIENT_NOT_LISTED,
                    "recipient",
                    "That recipient is not on the letter's distribution list, or their access has already ended",
                ));
            }
            LetterChange::Revoke(recipient)
        }
        other => other.clone(),
    };
    Ok(LetterDecision { next, change })
}

/// The overrides of an approval, trimmed, once every content finding is overridden with a
/// reason; otherwise each finding not overridden, as a refusal.
fn approval(facts: &LetterFacts, overrides: &[(String, String)]) -> Result<Vec<(String, String)>, Refusal> {
    if overrides.iter().any(|(_, reason)| reason.trim().is_empty()) {
        return Err(Refusal::rule(
            OVERRIDE_REASON,
            "overrides",
            "Enter a reason for each check you override",
        ));
    }
    let blocking: Vec<Finding> =
        check_letter(facts.letter.engagement_kind, &facts.letter.body, &facts.references)
            .into_iter()
            .filter(|f| !overrides.iter().any(|(rule, _)| rule == f.rule))
            .map(|f| Finding::new(f.rule, f.subject(), f.message))
            .collect();
    if !blocking.is_empty() {
        return Err(Refusal::Failed(blocking));
    }
    Ok(overrides.iter().map(|(rule, reason)| (rule.trim().to_owned(), reason.trim().to_owned())).collect())
}

/// Decides a new letter for an engagement: only its writer drafts. Someone not on the team is
/// answered as if the engagement were missing.
pub fn decide_draft(_actor: &Person, facts: &DraftFacts) -> Result<(), Refusal> {
    if facts.team.writes() {
        Ok(())
    } else if facts.team.caller_role.is_some() {
        Err(Refusal::NotAllowed("Only the team's lead inspector writes this engagement's letters".into()))
    } else {
        Err(Refusal::NotFound("engagement"))
    }
}

/// The default distribution for a kind of engagement: interim visits to the local area, DfE and
/// NHS England; inspections to the local area and, on publication day, the public.
pub fn default_distribution(kind: EngagementKind) -> &'static [&'static str] {
    match kind {
        EngagementKind::InterimVisit => &["local_area", "dfe", "nhs_england"],
        EngagementKind::FullInspection
        | EngagementKind::MonitoringInspection
        | EngagementKind::LegacyInspection => &["local_area", "public"],
        EngagementKind::EngagementMeeting | EngagementKind::ThematicVisit => &["local_area"],
    }
}

/// One entry of an engagement's case-study sample list: a pseudonymous reference and what
/// describes the case without naming anyone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseStudyEntry {
    /// The pseudonymous reference ("Case Blue", "CYP 4"); it must never appear in a letter.
    pub reference: String,
    /// Age band.
    pub age_band: String,
    /// Primary needs.
    pub primary_needs: String,
    /// Support in place.
    pub support: String,
    /// School phase.
    pub school_phase: String,
    /// In alternative provision.
    pub alternative_provision: bool,
    /// Supported by several agencies.
    pub multi_agency: bool,
}

/// Words and phrases that carry a formal judgement or recommendation, which an interim-visit
/// letter must not contain. The framework's outcome phrases first, then judgement vocabulary.
/// This is the one list: change it here.
pub const JUDGEMENT_WORDING: &[&str] = &[
    "typically positive experiences and outcomes",
    "inconsistent experiences and outcomes",
    "widespread and/or systemic failings",
    "systemic failings",
    "written statement of action",
    "priority action plan",
    "requires improvement",
    "inadequate",
    "outstanding",
    "judgement",
    "recommendation",
    "recommendations",
    "recommend",
    "recommends",
    "recommended",
];

/// The sections each kind of letter must have, as headings on lines of their own.
pub fn required_sections(kind: EngagementKind) -> &'static [&'static str] {
    match kind {
        EngagementKind::InterimVisit => &["Context", "What we found", "Next steps"],
        EngagementKind::FullInspection
        | EngagementKind::MonitoringInspection
        | EngagementKind::LegacyInspection => &["Summary", "Outcome", "Recommendations"],
        EngagementKind::EngagementMeeting | EngagementKind::ThematicVisit => &["Summary"],
    }
}

/// One problem found in a letter's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentFinding {
    /// Rule id, e.g. `letter.judgement_wording`.
    pub rule: &'static str,
    /// What is wrong and what to do, as a sentence.
    pub message: String,
    /// 1-based line, 0 for the whole letter.
    pub line: usize,
    /// 1-based column (characters), 0 for the whole letter.
    pub column: usize,
}

impl ContentFinding {
    /// The place it concerns: `body:LINE:COLUMN`, or `body` for the whole letter.
    pub fn subject(&self) -> String {
        if self.line == 0 { "body".to_owned() } else { format!("body:{}:{}", self.line, self.column) }
    }
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}\b").expect("a constant pattern compiles")
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+44\s?7\d{3}|\b07\d{3})\s?\d{3}\s?\d{3}\b|\b0\d{2,4}\s\d{3,4}\s\d{3,4}\b")
        .expect("a constant pattern compiles")
});
static CASE_PATTERN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:CYP|CS)[- ]?\d{1,5}\b").expect("a constant pattern compiles"));
static CHILD_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:child|young person|pupil|boy|girl|learner) (?:called|named) [A-Z][a-z]+|\b[A-Z][a-z]+,? (?:aged|age) \d{1,2}\b")
        .expect("a constant pattern compiles")
});

/// Each of [`JUDGEMENT_WORDING`] as a whole-words pattern, compiled once (compiling them for
/// every check took most of its time).
static JUDGEMENT_PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    JUDGEMENT_WORDING
        .iter()
        .filter_map(|phrase| Some((*phrase, Regex::new(&format!(r"\b{}\b", regex::escape(phrase))).ok()?)))
        .collect()
});

/// `text` in lower case, with where each character of it starts in both: (byte in the lower-case
/// text, byte in `text`), ascending. Lower case can be longer or shorter than the text ("İ" is
/// three bytes in lower case, the Kelvin sign's "k" one), so a place found in the one is
/// carried back to the other through this.
fn lowercase_with_places(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut lower = String::with_capacity(text.len());
    let mut places = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        places.push((lower.len(), at));
        lower.extend(c.to_lowercase());
    }
    (lower, places)
}

fn locate(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Runs every content check on a letter of `kind`. `references` are the case-study references
/// stored for the engagement, none of which may appear.
pub fn check_letter(kind: EngagementKind, text: &str, references: &[String]) -> Vec<ContentFinding> {
    let mut findings = Vec::new();
    let mut push = |rule: &'static str, at: Option<usize>, message: &dyn Fn(&str) -> String| {
        let (line, column) = at.map_or((0, 0), |b| locate(text, b));
        let place = if line == 0 { String::new() } else { format!(" on line {line}") };
        findings.push(ContentFinding { rule, message: message(&place), line, column });
    };
    if kind == EngagementKind::InterimVisit {
        let (lower, places) = lowercase_with_places(text);
        for (phrase, re) in JUDGEMENT_PATTERNS.iter() {
            if let Some(m) = re.find(&lower) {
                // Where the phrase starts in the text itself, not in its lower case.
                let at = places.partition_point(|(l, _)| *l <= m.start()).checked_sub(1);
                let at = at.and_then(|i| places.get(i)).map_or(0, |(_, t)| *t);
                // A longer phrase already reported covers its parts.
                if !JUDGEMENT_WORDING
                    .iter()
                    .any(|p| p.len() > phrase.len() && p.contains(phrase) && lower.contains(p))
                {
                    push(JUDGEMENT_WORDING_RULE, Some(at), &|place| {
                        format!(
                            "Remove \"{phrase}\"{place}: an interim-visit letter carries no formal judgement or recommendation"
                        )
                    });
                }
            }
        }
    }
    for m in EMAIL.find_iter(text) {
        push(PERSONAL_EMAIL, Some(m.start()), &|place| {
            format!("Remove the email address{place}: letters must not contain personal email addresses")
        });
    }
    for m in PHONE.find_iter(text) {
        push(PERSONAL_PHONE, Some(m.start()), &|place| {
            format!("Remove the phone number{place}: letters must not contain personal phone numbers")
        });
    }
    for m in CASE_PATTERN.find_iter(text) {
        push(CASE_REFERENCE, Some(m.start()), &|place| {
            format!(
                "Remove the case-study reference {}{place}: case studies must not be identifiable",
                m.as_str()
            )
        });
    }
    for reference in references.iter().map(|r| r.trim()).filter(|r| r.chars().count() >= 2) {
        if let Some(at) = text.find(reference) {
            push(CASE_REFERENCE, Some(at), &|place| {
                format!(
                    "Remove \"{reference}\"{place}: it is the reference of one of the visit's case studies"
                )
            });
        }
    }
    for m in CHILD_PATTERN.find_iter(text) {
        push(CHILD_NAME, Some(m.start()), &|place| {
            format!(
                "Remove what looks like a child's name, \"{}\"{place}: letters never name children",
                m.as_str()
            )
        });
    }
    let headings: Vec<&str> = text.lines().map(str::trim).collect();
    for section in required_sections(kind) {
        if !headings.iter().any(|h| h.eq_ignore_ascii_case(section)) {
            push(REQUIRED_SECTION, None, &|_| {
                format!("Add the section \"{section}\", as a heading on its own line")
            });
        }
    }
    findings
}

/// An interim-visit letter to Camden in `state`, for tests here and in the PDF layout.
#[cfg(test)]
pub(crate) fn sample(state: LetterState, body: &str) -> LetterRecord {
    LetterRecord {
        id: 1,
        public_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
        engagement_id: 2,
        engagement_public_id: "6a1f0c2e-3b4d-4e5f-8a6b-7c8d9e0f1a2b".into(),
        engagement_kind: EngagementKind::InterimVisit,
        local_area_code: "E09000007".into(),
        local_area_name: "Camden".into(),
        region_name: "Inner London".into(),
        area_kind: "london_borough".into(),
        title: "Interim visit to Camden".into(),
        body: body.into(),
        state,
        version: 3,
        distribution: vec![("dfe".into(), None), ("local_area".into(), None)],
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

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    const GOOD_INTERIM: &str = "Context\nWe visited Camden on 20 and 21 April.\n\nWhat we found\n\
        Leaders know their area well.\n\nNext steps\nWe will share learning nationally.\n";

    fn rules(findings: &[ContentFinding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.rule).collect()
    }

    fn person(scope: Scope) -> Person {
        Person {
            id: 7,
            username: "someone".into(),
            display_name: "Someone".into(),
            scope,
            scope_label: String::new(),
        }
    }

    fn planner() -> Person {
        person(Scope::England)
    }

    fn inspector() -> Person {
        person(Scope::Inspector {
            inspectorate: super::super::identity::Inspectorate::Ofsted,
            social_care: false,
            home_region: "E13000001".into(),
        })
    }

    fn camden() -> Person {
        person(Scope::LocalArea("E09000007".into()))
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("a time").to_utc()
    }

    /// A clean interim letter in `state`, its team's writer calling, the day after the visit.
    fn facts(state: LetterState) -> LetterFacts {
        LetterFacts {
            letter: sample(state, GOOD_INTERIM),
            team: TeamFacts { caller_role: Some(TeamRole::OfstedInspector), has_lead: false },
            onsite_last: NaiveDate::from_ymd_opt(2027, 4, 21).expect("a date"),
            now: at("2027-04-22T09:00:00Z"),
            references: Vec::new(),
        }
    }

    fn request(version: i64, change: LetterChange) -> LetterRequest {
        LetterRequest { version: Some(version), change }
    }

    /// The rule ids a refused decision names.
    fn refused(actor: &Person, facts: &LetterFacts, change: LetterChange) -> Vec<&'static str> {
        let version = facts.letter.version;
        decide(actor, facts, &request(version, change)).expect_err("refused").rules()
    }

    #[test]
    fn every_rule_fires() {
        let mut fired: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
        let approve = || LetterChange::Approve(vec![]);

        fired.push((STATE, refused(&inspector(), &facts(LetterState::Approved), LetterChange::Submit)));
        let mut early = facts(LetterState::Submitted);
        early.now = at("2027-04-20T17:00:00Z");
        fired.push((BEFORE_LAST_ONSITE_DAY, refused(&planner(), &early, approve())));
        fired.push((
            RETURN_REASON,
            refused(&planner(), &facts(LetterState::Submitted), LetterChange::Return(" ".into())),
        ));
        let overrides = vec![("letter.judgement_wording".to_owned(), "  ".to_owned())];
        fired.push((
            OVERRIDE_REASON,
            refused(&planner(), &facts(LetterState::Submitted), LetterChange::Approve(overrides)),
        ));
        let mut report = facts(LetterState::Approved);
        report.letter.engagement_kind = EngagementKind::FullInspection;
        report.letter.distribution = vec![("local_area".into(), None), ("public".into(), None)];
        fired.push((PUBLISH_AT_REQUIRED, refused(&planner(), &report, LetterChange::Issue(None))));
        let yesterday = report.now - TimeDelta::days(1);
        fired.push((PUBLISH_AT_PAST, refused(&planner(), &report, LetterChange::Issue(Some(yesterday)))));
        let mut nobody = facts(LetterState::Approved);
        nobody.letter.distribution = vec![("dfe".into(), Some("2027-04-22T08:00:00Z".into()))];
        fired.push((DISTRIBUTION_EMPTY, refused(&planner(), &nobody, LetterChange::Issue(None))));
        fired.push((
            DISTRIBUTION_FROZEN,
            refused(&planner(), &facts(LetterState::Issued), LetterChange::Distribution(vec!["dfe"])),
        ));
        fired.push((
            RECIPIENT_NOT_LISTED,
            refused(&planner(), &facts(LetterState::Issued), LetterChange::Revoke("nhs_england")),
        ));
        let correct = || LetterChange::Correct { title: "T".into(), body: GOOD_INTERIM.into() };
        fired.push((CORRECTION_ISSUED_ONLY, refused(&planner(), &facts(LetterState::Approved), correct())));
        let mut corrected = facts(LetterState::Issued);
        corrected.letter.superseded_by_id = Some("9b2e4c1a-5d3f-4a7b-9c8e-1f2a3b4c5d6e".into());
        fired.push((CORRECTION_EXISTS, refused(&planner(), &corrected, correct())));
        let publish = || LetterChange::Publication { publish: true, named: false };
        fired
            .push((PUBLICATION_INTERIM_ISSUED, refused(&camden(), &facts(LetterState::Approved), publish())));

        // The content rules block approval until overridden.
        let mut content = facts(LetterState::Submitted);
        content.letter.body =
            "Context\nWe recommend a plan.\nWrite to jo@example.org or 07700 900123.\nCYP-12 and Case Blue moved.\nSam, aged 9, spoke.\n"
                .to_owned();
        content.references = vec!["Case Blue".into()];
        let mut all = refused(&planner(), &content, approve());
        all.sort_unstable();
        all.dedup();
        for rule in all.clone() {
            fired.push((rule, all.clone()));
        }

        for (rule, got) in &fired {
            assert!(got.contains(rule), "{rule} did not fire: {got:?}");
        }
        let tested: Vec<&str> = fired.iter().map(|(rule, _)| *rule).collect();
        for rule in RULES {
            assert!(tested.contains(rule), "{rule} has no test that makes it fire");
        }
        assert_eq!(tested.len(), RULES.len(), "each rule is tested once");
    }

    #[test]
    fn content_findings_travel_with_their_place_and_a_sentence() {
        let mut content = facts(LetterState::Submitted);
        content.letter.body = format!("{GOOD_INTERIM}\nWrite to jo@example.org.\n");
        let refusal =
            decide(&planner(), &content, &request(3, LetterChange::Approve(vec![]))).expect_err("blocked");
        let Refusal::Failed(findings) = refusal else { panic!("a rule refusal: {refusal:?}") };
        assert_eq!(findings[0].rule, PERSONAL_EMAIL);
        assert_eq!(findings[0].subject, "body:10:10");
        assert_eq!(
            findings[0].message,
            "Remove the email address on line 10: letters must not contain personal email addresses"
        );
        let overridden = vec![(PERSONAL_EMAIL.to_owned(), " A generic team inbox ".to_owned())];
        let decision = decide(&planner(), &content, &request(3, LetterChange::Approve(overridden)))
            .expect("approved with the override");
        assert_eq!(decision.next, LetterState::Approved);
        assert_eq!(
            decision.change,
            LetterChange::Approve(vec![(PERSONAL_EMAIL.to_owned(), "A generic team inbox".to_owned())])
        );
    }

    #[test]
    fn the_last_onsite_day_itself_allows_approval_and_the_sentence_names_it_for_people() {
        let mut on_the_day = facts(LetterState::Submitted);
        on_the_day.now = at("2027-04-21T16:00:00Z");
        assert!(decide(&planner(), &on_the_day, &request(3, LetterChange::Approve(vec![]))).is_ok());
        let mut before = on_the_day.clone();
        before.now = at("2027-04-20T16:00:00Z");
        let refusal =
            decide(&planner(), &before, &request(3, LetterChange::Approve(vec![]))).expect_err("early");
        assert_eq!(
            refusal.to_string(),
            "The letter cannot be approved before 21 April 2027, the last onsite day"
        );
        assert!(!allowed_actions(&planner(), &before).contains(&LetterAction::Approve));
    }

    #[test]
    fn a_stale_version_is_refused_with_what_the_letter_is_now() {
        let refusal = decide(&inspector(), &facts(LetterState::Draft), &request(2, LetterChange::Submit))
            .expect_err("stale");
        assert_eq!(
            refusal,
            Refusal::Stale(
                "Someone else changed this letter meanwhile: it is now a draft. Reload it and try again"
                    .into()
            )
        );
    }

    #[test]
    fn the_permission_matrix() {
        let lead_present = TeamFacts { caller_role: Some(TeamRole::OfstedInspector), has_lead: true };
        let mut not_writer = facts(LetterState::Draft);
        not_writer.team = lead_present;
        assert!(matches!(
            decide(&inspector(), &not_writer, &request(3, LetterChange::Submit)),
            Err(Refusal::NotAllowed(_))
        ));
        let mut lead = facts(LetterState::Draft);
        lead.team = TeamFacts { caller_role: Some(TeamRole::LeadHmi), has_lead: true };
        assert_eq!(allowed_actions(&inspector(), &lead), [LetterAction::Edit, LetterAction::Submit]);
        assert!(allowed_actions(&inspector(), &not_writer).is_empty());
        let mut off_team = facts(LetterState::Draft);
        off_team.team = TeamFacts::default();
        assert!(matches!(
            decide(&planner(), &off_team, &request(3, LetterChange::Submit)),
            Err(Refusal::NotAllowed(_))
        ));
        assert_eq!(
            allowed_actions(&planner(), &facts(LetterState::Submitted)),
            [
                LetterAction::Return,
                LetterAction::Approve,
                LetterAction::SetDistribution,
                LetterAction::ViewAudience
            ]
        );
        assert_eq!(
            allowed_actions(&planner(), &facts(LetterState::Issued)),
            [LetterAction::Revoke, LetterAction::Correct, LetterAction::ViewAudience]
        );
        assert_eq!(allowed_actions(&camden(), &facts(LetterState::Issued)), [LetterAction::SetPublication]);
        let westminster = person(Scope::LocalArea("E09000033".into()));
        let publish = request(3, LetterChange::Publication { publish: true, named: true });
        assert_eq!(
            decide(&westminster, &facts(LetterState::Issued), &publish),
            Err(Refusal::NotFound("letter")),
            "another area's letter is answered as missing"
        );
        let dfe = person(Scope::Body(super::super::identity::RecipientBody::Dfe));
        assert!(allowed_actions(&dfe, &facts(LetterState::Issued)).is_empty());
    }

    #[test]
    fn only_the_writer_drafts() {
        let writer = DraftFacts {
            kind: EngagementKind::InterimVisit,
            team: TeamFacts { caller_role: Some(TeamRole::OfstedInspector), has_lead: false },
        };
        assert_eq!(decide_draft(&inspector(), &writer), Ok(()));
        let cqc = DraftFacts {
            team: TeamFacts { caller_role: Some(TeamRole::CqcInspector), has_lead: false },
            ..writer.clone()
        };
        assert!(matches!(decide_draft(&inspector(), &cqc), Err(Refusal::NotAllowed(_))));
        let stranger = DraftFacts { team: TeamFacts::default(), ..writer };
        assert_eq!(decide_draft(&inspector(), &stranger), Err(Refusal::NotFound("engagement")));
    }

    #[test]
    fn a_return_keeps_its_reason_and_a_correction_leaves_the_issued_letter_issued() {
        let decision = decide(
            &planner(),
            &facts(LetterState::Submitted),
            &request(3, LetterChange::Return(" Add the dates ".into())),
        )
        .expect("returned");
        assert_eq!(
            decision,
            LetterDecision { next: LetterState::Draft, change: LetterChange::Return("Add the dates".into()) }
        );
        let correct = LetterRequest {
            version: None,
            change: LetterChange::Correct { title: "T".into(), body: "B".into() },
        };
        assert_eq!(
            decide(&planner(), &facts(LetterState::Issued), &correct).map(|d| d.next),
            Ok(LetterState::Issued)
        );
    }

    #[test]
    fn the_patterns_compile() {
        for re in [&*EMAIL, &*PHONE, &*CASE_PATTERN, &*CHILD_PATTERN] {
            assert!(!re.as_str().is_empty());
        }
    }

    #[test]
    fn a_clean_interim_letter_passes() {
        assert_eq!(check_letter(EngagementKind::InterimVisit, GOOD_INTERIM, &[]), vec![]);
    }

    #[test]
    fn judgement_wording_is_found_with_its_place() {
        let text = format!("{GOOD_INTERIM}We recommend that leaders act.\n");
        let findings = check_letter(EngagementKind::InterimVisit, &text, &[]);
        assert_eq!(rules(&findings), ["letter.judgement_wording"]);
        assert_eq!((findings[0].line, findings[0].column), (9, 4));
        assert_eq!(findings[0].subject(), "body:9:4");
        let phrase = format!("{GOOD_INTERIM}There are widespread and/or systemic failings.\n");
        let findings = check_letter(EngagementKind::InterimVisit, &phrase, &[]);
        assert_eq!(findings.len(), 1, "the longest phrase only: {findings:?}");
    }

    #[test]
    fn full_reports_may_recommend() {
        let text =
            "Summary\nS\nOutcome\nInconsistent experiences and outcomes.\nRecommendations\nWe recommend X.\n";
        assert_eq!(check_letter(EngagementKind::FullInspection, text, &[]), vec![]);
    }

    #[test]
    fn personal_details_case_references_and_names_are_found() {
        let text = format!(
            "{GOOD_INTERIM}Contact jo.bloggs@example.org or 07700 900123.\nCYP-12 improved.\nA child called Amara was seen.\nSam, aged 9, spoke to us.\n"
        );
        let findings = check_letter(EngagementKind::InterimVisit, &text, &["Case Blue".into()]);
        assert_eq!(
            rules(&findings),
            [
                "letter.personal_email",
                "letter.personal_phone",
                "letter.case_reference",
                "letter.child_name",
                "letter.child_name"
            ]
        );
        let with_reference = format!("{GOOD_INTERIM}Case Blue moved school.\n");
        let findings = check_letter(EngagementKind::InterimVisit, &with_reference, &["Case Blue".into()]);
        assert_eq!(rules(&findings), ["letter.case_reference"]);
        assert_eq!(
            findings[0].message,
            "Remove \"Case Blue\" on line 9: it is the reference of one of the visit's case studies"
        );
    }

    #[test]
    fn missing_sections_are_named() {
        let findings = check_letter(EngagementKind::InterimVisit, "Context\nOnly this.\n", &[]);
        let messages: Vec<_> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Add the section \"What we found\", as a heading on its own line",
                "Add the section \"Next steps\", as a heading on its own line"
            ]
        );
        assert_eq!(findings[0].subject(), "body");
    }

    #[test]
    fn issued_letters_are_never_edited_only_superseded() {
        let refused = letter_transition(LetterState::Issued, LetterMove::Edit).expect_err("refused");
        assert_eq!(refused.rules(), [STATE]);
        assert!(refused.to_string().contains("new version"), "{refused}");
        assert_eq!(
            letter_transition(LetterState::Issued, LetterMove::Supersede),
            Ok(LetterState::Superseded)
        );
        assert!(letter_transition(LetterState::Draft, LetterMove::Issue).is_err(), "unapproved");
        assert_eq!(letter_transition(LetterState::Approved, LetterMove::Issue), Ok(LetterState::Issued));
    }
}
