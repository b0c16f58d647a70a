//! The engagement aggregate: every rule of an engagement's life in one decision.
//!
//! [`decide`] takes who is acting, the facts the store loaded (in the write's own transaction:
//! the engagement, its area's consents and every inspector's commitments) and the change asked
//! for, and returns what to write or a [`Refusal`]. [`decide_new`] does the same for a new
//! engagement, [`allowed_actions`] answers which changes the caller may ask for now, and
//! [`warnings`] what a reader is told about a live engagement. Rule ids are listed in [`RULES`];
//! each has a test below that makes it fire.

use chrono::NaiveDate;

use super::{
    Finding, Refusal,
    clock::{long_date, long_range},
    consent::{ConsentOnRecord, DateRange, MAX_NOTE_CHARS, VisitRefused, visit_allowed},
    identity::{Inspectorate, Person, Scope},
    programme::{
        Candidate, EngagementKind, EngagementState, NewEngagement, Outcome, TeamRole, busy_days,
        check_onsite, check_team, term_dates, term_of, timeline,
    },
};

/// The change was asked in a state that does not allow it.
pub const STATE: &str = "engagement.state";
/// A change after the area was notified needs a reason; so does a postponement.
pub const REASON_REQUIRED: &str = "engagement.reason_required";
/// An inspection's outcome must be recorded with it.
pub const OUTCOME_REQUIRED: &str = "engagement.outcome_required";
/// Only inspections carry an outcome: an interim visit or meeting has no judgement.
pub const NO_OUTCOME: &str = "engagement.no_outcome";
/// The day the area had to be notified has passed.
pub const NOTICE_PASSED: &str = "notice.passed";
/// An interim visit goes ahead only on a current written consent covering its days.
pub const CONSENT_NOT_CURRENT: &str = "consent.not_current";

/// What a visit's team is told when its visit cannot go ahead, and nothing more: the consent
/// behind it is not theirs to know.
pub const WILL_NOT_GO_AHEAD: &str = "engagement.will_not_go_ahead";

/// Every rule id this aggregate decides, its own and the team rules it applies.
pub const RULES: &[&str] = &[
    STATE,
    REASON_REQUIRED,
    OUTCOME_REQUIRED,
    NO_OUTCOME,
    NOTICE_PASSED,
    CONSENT_NOT_CURRENT,
    WILL_NOT_GO_AHEAD,
    super::programme::TEAM_DUPLICATE,
    super::programme::TEAM_COMPOSITION,
    super::programme::INSPECTOR_UNAVAILABLE,
    super::programme::INSPECTOR_DOUBLE_BOOKED,
    super::programme::INSPECTOR_CONFLICT,
    super::programme::INSPECTOR_TERM_LIMIT,
    super::programme::INSPECTOR_TRAVEL,
    super::programme::INSPECTOR_LOAD,
];

/// An inspector as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectorRecord {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Ofsted or CQC.
    pub inspectorate: Inspectorate,
    /// Social care specialism.
    pub social_care: bool,
    /// Home region.
    pub home_region: String,
    /// The inspector's own account.
    pub person_id: Option<i64>,
    /// Most engagements per term.
    pub max_per_term: u32,
    /// Declared unavailability.
    pub unavailable: Vec<DateRange>,
    /// Declared conflicts of interest.
    pub conflicts: Vec<Conflict>,
    /// The entry's version (optimistic concurrency for linking an account).
    pub version: i64,
    /// The linked account in words ("Ivy Inspector (ivy)"), or empty.
    pub account_label: String,
}

/// A local area an inspector must not inspect, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The area's ONS code.
    pub local_area_code: String,
    /// The area's name, for people.
    pub local_area_name: String,
    /// The declared reason: for planners and the inspector only.
    pub reason: String,
}

impl Conflict {
    /// A conflict with area `code` (named `name`) for `reason`.
    pub fn new(code: &str, name: &str, reason: &str) -> Self {
        Self { local_area_code: code.into(), local_area_name: name.into(), reason: reason.into() }
    }
}

/// A team member as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    /// Inspector id.
    pub inspector_id: i64,
    /// Name.
    pub name: String,
    /// Role in the team.
    pub role: TeamRole,
    /// The inspector's own account, if linked.
    pub person_id: Option<i64>,
}

/// An engagement as stored, with its derived state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagementRecord {
    /// The database's key, for joins inside the store; never shown outside.
    pub id: i64,
    /// The id the API and URLs carry (see [`crate::domain::public_id`]).
    pub public_id: String,
    /// ONS code.
    pub local_area_code: String,
    /// Area name.
    pub local_area_name: String,
    /// Region code.
    pub region_code: String,
    /// Region name.
    pub region_name: String,
    /// Kind.
    pub kind: EngagementKind,
    /// State (onsite and reporting derived from the dates).
    pub state: EngagementState,
    /// Onsite days.
    pub onsite: DateRange,
    /// Note.
    pub note: String,
    /// Why postponed.
    pub postponed_reason: String,
    /// Recorded outcome.
    pub outcome: Option<Outcome>,
    /// Version.
    pub version: i64,
    /// The team.
    pub team: Vec<MemberRecord>,
}

impl EngagementRecord {
    /// Whether `person` writes this engagement's letter: its lead HMI, or for a team without
    /// one, an Ofsted inspector on it.
    pub fn writer_is(&self, person: &Person) -> bool {
        let has_lead = self.team.iter().any(|m| m.role == TeamRole::LeadHmi);
        self.team.iter().any(|m| {
            m.person_id == Some(person.id)
                && (m.role == TeamRole::LeadHmi || (!has_lead && m.role == TeamRole::OfstedInspector))
        })
    }
}

/// One engagement an inspector is on, as the team rules see it (free/busy, nothing else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    /// The engagement.
    pub engagement_id: i64,
    /// The inspector.
    pub inspector_id: i64,
    /// The engagement's region: who may see it.
    pub region_code: String,
    /// Days it holds the inspector (from notification to the last onsite day).
    pub busy: DateRange,
    /// Its first onsite day (which term it counts in).
    pub onsite_first: NaiveDate,
    /// Still to happen (proposed or notified): it books the inspector.
    pub live: bool,
}

/// Every inspector and their commitments: what team rules need to judge any team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamFacts {
    /// Every inspector.
    pub inspectors: Vec<InspectorRecord>,
    /// Every engagement team place, except on postponed engagements.
    pub commitments: Vec<Commitment>,
}

impl TeamFacts {
    /// The team rules' view of `members` for engagement `engagement_id` on `onsite`, as
    /// `viewer` may know it, and the average load per inspector in that term. Commitments on
    /// engagements the viewer may not see count towards term limits but show only as days the
    /// inspector is unavailable, and workload figures count only what the viewer may see. An
    /// unknown inspector is a field error.
    pub fn candidates(
        &self,
        viewer: &Person,
        engagement_id: i64,
        onsite: DateRange,
        members: &[(i64, TeamRole)],
    ) -> Result<(Vec<(Candidate, TeamRole)>, f64), Refusal> {
        let (year, term) = term_of(onsite.first);
        let term = term_dates(year, term);
        let others = || self.commitments.iter().filter(|c| c.engagement_id != engagement_id);
        let in_term = |c: &&Commitment| term.first <= c.onsite_first && c.onsite_first <= term.last;
        let seen = |c: &&Commitment| plans_in(viewer, &c.region_code);
        let total = others().filter(in_term).filter(seen).count();
        let average =
            if self.inspectors.is_empty() { 0.0 } else { total as f64 / self.inspectors.len() as f64 };
        let mut team = Vec::with_capacity(members.len());
        for (id, role) in members {
            let Some(i) = self.inspectors.iter().find(|i| i.id == *id) else {
                return Err(Refusal::field("members", "Select inspectors from the list"));
            };
            let mine = || others().filter(|c| c.inspector_id == i.id);
            let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            let mut unavailable = i.unavailable.clone();
            unavailable.extend(mine().filter(|c| c.live && !seen(c)).map(|c| c.busy));
            let candidate = Candidate {
                id: i.id,
                name: i.name.clone(),
                inspectorate: i.inspectorate,
                social_care: i.social_care,
                home_region: i.home_region.clone(),
                max_per_term: i.max_per_term,
                unavailable,
                conflicts: i.conflicts.iter().map(|c| c.local_area_code.clone()).collect(),
                booked: mine().filter(|c| c.live).filter(seen).map(|c| c.busy).collect(),
                load_this_term: count(mine().filter(in_term).count()),
                visible_load: count(mine().filter(in_term).filter(seen).count()),
            };
            team.push((candidate, *role));
        }
        Ok((team, average))
    }

    /// Each inspector as `viewer` may know them: declared conflicts' reasons only for national
    /// planners and the inspector themself, and the days of engagements the viewer may not see
    /// added to the days they are unavailable, indistinguishable from leave.
    pub fn inspectors_for(&self, viewer: &Person) -> Vec<InspectorRecord> {
        let planner = matches!(viewer.scope, Scope::England);
        self.inspectors
            .iter()
            .filter(|i| may_change_inspector(viewer, &self.inspectors, i.id).is_ok())
            .map(|i| {
                let mut shown = i.clone();
                if i.person_id == Some(viewer.id) {
                    return shown;
                }
                shown.unavailable.extend(
                    self.commitments
                        .iter()
                        .filter(|c| c.inspector_id == i.id && c.live && !plans_in(viewer, &c.region_code))
                        .map(|c| c.busy),
                );
                shown.unavailable.sort_by_key(|u| (u.first, u.last));
                shown.unavailable.dedup();
                if !planner {
                    for conflict in &mut shown.conflicts {
                        conflict.reason.clear();
                    }
                }
                shown
            })
            .collect()
    }
}

/// What [`decide`] reasons about.
#[derive(Debug, Clone, Copy)]
pub struct EngagementFacts<'a> {
    /// The engagement as it stands.
    pub engagement: &'a EngagementRecord,
    /// Today.
    pub today: NaiveDate,
    /// The area's consents (they matter for interim visits only).
    pub consents: &'a [ConsentOnRecord],
    /// Inspectors and their commitments.
    pub team: &'a TeamFacts,
}

/// A change asked of an engagement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngagementChange {
    /// New onsite days (back to proposed: the area is notified again).
    Reschedule {
        /// The new days.
        onsite: DateRange,
        /// Why (required once the area was notified).
        reason: String,
    },
    /// Put off.
    Postpone {
        /// Why (required).
        reason: String,
    },
    /// The area is told.
    Notify,
    /// A new team.
    AssignTeam {
        /// (inspector id, role) for each member.
        members: Vec<(i64, TeamRole)>,
        /// Why (required once the area was notified).
        reason: String,
    },
    /// Finished, with the inspection's outcome (none for meetings and visits).
    Complete {
        /// The outcome.
        outcome: Option<Outcome>,
    },
}

/// What the caller may ask of an engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngagementAction {
    /// New dates.
    Reschedule,
    /// Put off.
    Postpone,
    /// Tell the area.
    Notify,
    /// Choose the team.
    AssignTeam,
    /// Record the outcome and finish.
    RecordOutcome,
    /// Start the letter or report.
    WriteLetter,
}

/// What a decided change writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The stored state afterwards.
    pub state: &'static str,
    /// The history step's kind.
    pub event: &'static str,
    /// The reason recorded with it.
    pub reason: String,
    /// Soft findings to show with the result.
    pub warnings: Vec<Finding>,
}

/// The state as stored: onsite and reporting are derived from the dates of a notified one.
pub fn stored_state(state: EngagementState) -> &'static str {
    match state {
        EngagementState::Proposed => "proposed",
        EngagementState::Done => "done",
        EngagementState::Postponed => "postponed",
        EngagementState::Notified | EngagementState::Onsite | EngagementState::Reporting => "notified",
    }
}

/// A state in words, for sentences.
pub fn state_words(state: EngagementState) -> &'static str {
    match state {
        EngagementState::Proposed => "proposed",
        EngagementState::Notified => "notified",
        EngagementState::Onsite => "under way onsite",
        EngagementState::Reporting => "being reported on",
        EngagementState::Done => "finished",
        EngagementState::Postponed => "postponed",
    }
}

/// Whether `actor` plans in `region`: national planners anywhere, regional leads at home.
fn plans_in(actor: &Person, region: &str) -> bool {
    actor.scope.may_plan_in(region).is_ok()
}

/// The state a change moves to, or the rule its current state breaks.
fn next_state(state: EngagementState, action: EngagementAction) -> Option<&'static str> {
    use EngagementAction as A;
    use EngagementState as S;
    let live = matches!(state, S::Proposed | S::Notified);
    match action {
        A::Reschedule if live || state == S::Postponed => Some("proposed"),
        A::Postpone if live => Some("postponed"),
        A::Notify if state == S::Proposed => Some("notified"),
        A::AssignTeam if live => Some(stored_state(state)),
        A::RecordOutcome if matches!(state, S::Onsite | S::Reporting) => Some("done"),
        A::WriteLetter if state != S::Postponed => Some(stored_state(state)),
        _ => None,
    }
}

fn action_of(change: &EngagementChange) -> (EngagementAction, &'static str) {
    match change {
        EngagementChange::Reschedule { .. } => (EngagementAction::Reschedule, "rescheduled"),
        EngagementChange::Postpone { .. } => (EngagementAction::Postpone, "postponed"),
        EngagementChange::Notify => (EngagementAction::Notify, "notified"),
        EngagementChange::AssignTeam { .. } => (EngagementAction::AssignTeam, "given a new team"),
        EngagementChange::Complete { .. } => (EngagementAction::RecordOutcome, "completed"),
    }
}

/// Which changes `actor` may ask for now. The rules that need the change's own values
/// (dates, team, outcome) are applied by [`decide`] when it is asked.
pub fn allowed_actions(actor: &Person, facts: &EngagementFacts<'_>) -> Vec<EngagementAction> {
    use EngagementAction as A;
    let e = facts.engagement;
    let planner = plans_in(actor, &e.region_code);
    [A::Reschedule, A::Postpone, A::Notify, A::AssignTeam, A::RecordOutcome, A::WriteLetter]
        .into_iter()
        .filter(|a| match a {
            A::WriteLetter => e.writer_is(actor),
            _ => planner,
        })
        .filter(|a| next_state(e.state, *a).is_some())
        .collect()
}

/// A reason given with a change: trimmed, at most [`MAX_NOTE_CHARS`], required when `needed`.
fn reason(text: &str, needed: bool, why: &str) -> Result<String, Refusal> {
    let text = text.trim();
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(Refusal::field("reason", "Reason must be 2,000 characters or fewer"));
    }
    if needed && text.is_empty() {
        return Err(Refusal::rule(REASON_REQUIRED, "reason", why));
    }
    Ok(text.to_owned())
}

/// Why a visit to `area` on `dates` cannot go ahead, in a sentence.
fn consent_finding(area: &str, refused: &VisitRefused) -> Finding {
    let message = match refused {
        VisitRefused::NoConsent => format!("{area} has not consented in writing to an interim visit"),
        VisitRefused::NotCurrent(_) => format!("{area}'s written consent to a visit is no longer current"),
        VisitRefused::OutsideWindow => {
            format!("The dates are outside the window {area} consented to")
        }
        VisitRefused::Unavailable(days) => {
            format!("{area} cannot host a visit on {}", long_range(days.first, days.last))
        }
    };
    Finding::new(CONSENT_NOT_CURRENT, "onsite", message)
}

/// Refuses an interim visit to `area` on `dates` without a current written consent for them.
fn consent_covers(
    kind: EngagementKind,
    area: &str,
    consents: &[ConsentOnRecord],
    dates: DateRange,
) -> Result<(), Refusal> {
    if kind != EngagementKind::InterimVisit {
        return Ok(());
    }
    visit_allowed(consents, dates).map_err(|r| Refusal::Failed(vec![consent_finding(area, &r)]))
}

/// The team rules for `members` holding the team over the days of `kind` on `onsite`: hard
/// findings refuse; soft ones are returned as warnings.
fn team_rules(
    actor: &Person,
    e: &EngagementRecord,
    onsite: DateRange,
    members: &[(i64, TeamRole)],
    team: &TeamFacts,
) -> Result<Vec<Finding>, Refusal> {
    let (candidates, average) = team.candidates(actor, e.id, onsite, members)?;
    let verdict = check_team(
        e.kind,
        &e.local_area_code,
        &e.region_code,
        busy_days(e.kind, onsite),
        &candidates,
        average,
    );
    if verdict.hard.is_empty() { Ok(verdict.soft) } else { Err(Refusal::Failed(verdict.hard)) }
}

/// Decides a change asked by `actor` of the engagement read at `version`.
pub fn decide(
    actor: &Person,
    version: i64,
    facts: &EngagementFacts<'_>,
    change: &EngagementChange,
) -> Result<Decision, Refusal> {
    let e = facts.engagement;
    if !plans_in(actor, &e.region_code) {
        return Err(Refusal::NotAllowed(
            "Only national planners and the region's lead can change an engagement".into(),
        ));
    }
    if e.version != version {
        return Err(Refusal::Stale(format!(
            "Someone else changed this engagement meanwhile: it is now {}. Reload it and try again",
            state_words(e.state)
        )));
    }
    let (action, event) = action_of(change);
    let Some(state) = next_state(e.state, action) else {
        return Err(Refusal::rule(
            STATE,
            "state",
            format!("The engagement is {}, so it cannot be {event}", state_words(e.state)),
        ));
    };
    let notified = e.state != EngagementState::Proposed;
    let after_notice = "Enter why: the local area has already been told the dates";
    let decided = |reason: String, warnings: Vec<Finding>| Decision { state, event, reason, warnings };
    match change {
        EngagementChange::Reschedule { onsite, reason: text } => {
            check_onsite(e.kind, *onsite, facts.today)?;
            let reason = reason(text, notified && e.state != EngagementState::Postponed, after_notice)?;
            consent_covers(e.kind, &e.local_area_name, facts.consents, *onsite)?;
            let members: Vec<_> = e.team.iter().map(|m| (m.inspector_id, m.role)).collect();
            let warnings = if members.is_empty() {
                Vec::new()
            } else {
                team_rules(actor, e, *onsite, &members, facts.team)?
            };
            Ok(decided(reason, warnings))
        }
        EngagementChange::Postpone { reason: text } => {
            let reason = reason(text, true, "Enter why the engagement is postponed")?;
            Ok(decided(reason, Vec::new()))
        }
        EngagementChange::Notify => {
            if let Some(t) = timeline(e.kind, e.onsite.first)
                && t.notification < facts.today
            {
                return Err(Refusal::rule(
                    NOTICE_PASSED,
                    "onsite",
                    format!(
                        "The local area had to be told by {}. Change the onsite days first",
                        long_date(t.notification)
                    ),
                ));
            }
            consent_covers(e.kind, &e.local_area_name, facts.consents, e.onsite)?;
            Ok(decided(String::new(), Vec::new()))
        }
        EngagementChange::AssignTeam { members, reason: text } => {
            let reason = reason(text, notified, after_notice)?;
            let warnings = team_rules(actor, e, e.onsite, members, facts.team)?;
            Ok(decided(reason, warnings))
        }
        EngagementChange::Complete { outcome } => match (e.kind.is_inspection(), outcome) {
            (true, None) => {
                Err(Refusal::rule(OUTCOME_REQUIRED, "outcome", "Select the inspection's outcome"))
            }
            (false, Some(_)) => Err(Refusal::rule(
                NO_OUTCOME,
                "outcome",
                "Only inspections have an outcome: an interim visit or meeting carries no judgement",
            )),
            _ => Ok(decided(String::new(), Vec::new())),
        },
    }
}

/// What [`decide_new`] reasons about.
#[derive(Debug, Clone, Copy)]
pub struct NewEngagementFacts<'a> {
    /// The region of the named area, if it is a current local area.
    pub region: Option<&'a str>,
    /// The area's name.
    pub area_name: &'a str,
    /// The area's consents.
    pub consents: &'a [ConsentOnRecord],
}

/// The one answer for an area that does not exist and for one outside the caller's region, so
/// that neither can be told from the other.
pub fn unknown_area(actor: &Person) -> Refusal {
    match actor.scope {
        Scope::Region(_) => Refusal::field("local_area_code", "Select a local area in your region"),
        _ => Refusal::field("local_area_code", "Select a local area"),
    }
}

/// Decides whether `actor` may propose `new`: scope first (an area outside it answers exactly as
/// an unknown one), then the consent an interim visit needs.
pub fn decide_new(
    actor: &Person,
    facts: &NewEngagementFacts<'_>,
    new: &NewEngagement,
) -> Result<(), Refusal> {
    match facts.region {
        Some(region) if plans_in(actor, region) => {}
        _ => return Err(unknown_area(actor)),
    }
    consent_covers(new.kind, facts.area_name, facts.consents, new.onsite)
}

/// What a reader who may see the team is told about a live engagement: an interim visit
/// without current consent, and the team's soft findings.
pub fn warnings(viewer: &Person, facts: &EngagementFacts<'_>) -> Vec<Finding> {
    let e = facts.engagement;
    if !matches!(e.state, EngagementState::Proposed | EngagementState::Notified) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Err(Refusal::Failed(findings)) =
        consent_covers(e.kind, &e.local_area_name, facts.consents, e.onsite)
    {
        if plans_in(viewer, &e.region_code) {
            out.extend(findings.into_iter().map(|f| Finding {
                message: format!("This visit cannot go ahead: {}", lower_first(&f.message)),
                ..f
            }));
        } else {
            // The team may see the visit but not the consent: only that it will not happen.
            out.push(Finding::new(WILL_NOT_GO_AHEAD, "engagement", "This visit will not go ahead"));
        }
    }
    let members: Vec<_> = e.team.iter().map(|m| (m.inspector_id, m.role)).collect();
    if !members.is_empty()
        && let Ok((candidates, average)) = facts.team.candidates(viewer, e.id, e.onsite, &members)
    {
        out.extend(
            check_team(
                e.kind,
                &e.local_area_code,
                &e.region_code,
                busy_days(e.kind, e.onsite),
                &candidates,
                average,
            )
            .soft,
        );
    }
    out
}

/// Whether `viewer` may see and change inspector `id`'s record among `inspectors` (availability,
/// conflicts): planners and leads any inspector's, an inspector only their own. Any other answers
/// as an inspector that does not exist.
pub fn may_change_inspector(viewer: &Person, inspectors: &[InspectorRecord], id: i64) -> Result<(), Refusal> {
    let known = inspectors.iter().find(|i| i.id == id);
    match (&viewer.scope, known) {
        (Scope::England | Scope::Region(_), Some(_)) => Ok(()),
        (Scope::Inspector { .. }, Some(i)) if i.person_id == Some(viewer.id) => Ok(()),
        _ => Err(Refusal::NotFound("inspector")),
    }
}

/// The written consent behind an interim visit, for a reader who may see it: national planners
/// and the region's lead. The visit's team and the local area's recipients are not told (they
/// learn only that a visit will not go ahead). The consent whose window holds the onsite days,
/// current first.
pub fn consent_shown<'a>(viewer: &Person, facts: &EngagementFacts<'a>) -> Option<&'a ConsentOnRecord> {
    let e = facts.engagement;
    if e.kind != EngagementKind::InterimVisit || !plans_in(viewer, &e.region_code) {
        return None;
    }
    let holding = || facts.consents.iter().filter(|c| c.window.contains(&e.onsite));
    holding().find(|c| c.state == super::consent::RequestState::Consented).or_else(|| holding().next())
}

/// `text` with its first letter in lower case, unless it starts a name.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if text.starts_with("The ") => c.to_lowercase().chain(chars).collect(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::domain::test_days::{d, range};
    use crate::domain::{consent::RequestState, programme};

    const TODAY: &str = "2026-11-23";

    fn planner() -> Person {
        Person {
            id: 1,
            username: "planner".into(),
            display_name: "Pat Planner".into(),
            scope: Scope::England,
            scope_label: "England".into(),
        }
    }

    fn lead(region: &str) -> Person {
        Person { id: 2, scope: Scope::Region(region.into()), username: "lead".into(), ..planner() }
    }

    fn inspector_person(id: i64) -> Person {
        Person {
            id,
            scope: Scope::Inspector {
                inspectorate: Inspectorate::Ofsted,
                social_care: false,
                home_region: "E13000001".into(),
            },
            username: format!("inspector{id}"),
            ..planner()
        }
    }

    fn inspector(id: i64, inspectorate: Inspectorate, social_care: bool) -> InspectorRecord {
        InspectorRecord {
            id,
            name: format!("Inspector {id}"),
            inspectorate,
            social_care,
            home_region: "E13000001".into(),
            person_id: Some(100 + id),
            max_per_term: 6,
            unavailable: vec![],
            conflicts: vec![],
            version: 1,
            account_label: String::new(),
        }
    }

    fn team_facts() -> TeamFacts {
        TeamFacts {
            inspectors: vec![
                inspector(1, Inspectorate::Ofsted, false),
                inspector(2, Inspectorate::Ofsted, true),
                inspector(3, Inspectorate::Cqc, false),
                inspector(4, Inspectorate::Ofsted, false),
            ],
            commitments: vec![],
        }
    }

    const INTERIM_TEAM: [(i64, TeamRole); 3] =
        [(1, TeamRole::OfstedInspector), (2, TeamRole::SocialCareInspector), (3, TeamRole::CqcInspector)];

    fn visit(state: EngagementState) -> EngagementRecord {
        EngagementRecord {
            id: 10,
            public_id: "6a1f0c2e-3b4d-4e5f-8a6b-7c8d9e0f1a2b".into(),
            local_area_code: "E09000007".into(),
            local_area_name: "Camden".into(),
            region_code: "E13000001".into(),
            region_name: "Inner London".into(),
            kind: EngagementKind::InterimVisit,
            state,
            onsite: range("2027-01-11", "2027-01-12"),
            note: String::new(),
            postponed_reason: String::new(),
            outcome: None,
            version: 3,
            team: vec![],
        }
    }

    fn consent() -> Vec<ConsentOnRecord> {
        vec![ConsentOnRecord {
            request_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            signatory_name: "Alex Morgan".into(),
            date_signed: d("2026-11-20"),
            state: RequestState::Consented,
            window: range("2027-01-04", "2027-02-26"),
            unavailable: vec![range("2027-02-01", "2027-02-05")],
        }]
    }

    /// Runs `decide` on `e` with the standard facts, optionally changed by `adjust`.
    fn run(
        actor: &Person,
        e: &EngagementRecord,
        change: EngagementChange,
        adjust: impl FnOnce(&mut TeamFacts, &mut Vec<ConsentOnRecord>),
    ) -> Result<Decision, Refusal> {
        let mut team = team_facts();
        let mut consents = consent();
        adjust(&mut team, &mut consents);
        let facts = EngagementFacts { engagement: e, today: d(TODAY), consents: &consents, team: &team };
        decide(actor, e.version, &facts, &change)
    }

    fn fired(result: Result<Decision, Refusal>) -> Vec<&'static str> {
        match result {
            Err(r) => r.rules(),
            Ok(d) => d.warnings.iter().map(|w| w.rule).collect(),
        }
    }

    fn assign(members: &[(i64, TeamRole)]) -> EngagementChange {
        EngagementChange::AssignTeam { members: members.to_vec(), reason: String::new() }
    }

    /// One scenario per rule id: the rule and the ids the scenario produced.
    fn scenarios() -> Vec<(&'static str, Vec<&'static str>)> {
        use EngagementState as S;
        let p = planner();
        let proposed = visit(S::Proposed);
        let notified = visit(S::Notified);
        let booked = |t: &mut TeamFacts, _: &mut Vec<ConsentOnRecord>| {
            t.commitments.push(Commitment {
                engagement_id: 99,
                inspector_id: 1,
                region_code: "E13000001".into(),
                busy: range("2027-01-12", "2027-01-13"),
                onsite_first: d("2027-01-12"),
                live: true,
            });
        };
        let mut reporting = visit(S::Reporting);
        reporting.kind = EngagementKind::FullInspection;
        vec![
            (STATE, fired(run(&p, &visit(S::Done), EngagementChange::Notify, |_, _| {}))),
            (
                REASON_REQUIRED,
                fired(run(&p, &notified, EngagementChange::Postpone { reason: " ".into() }, |_, _| {})),
            ),
            (
                OUTCOME_REQUIRED,
                fired(run(&p, &reporting, EngagementChange::Complete { outcome: None }, |_, _| {})),
            ),
            (
                NO_OUTCOME,
                fired(run(
                    &p,
                    &visit(S::Reporting),
                    EngagementChange::Complete { outcome: Some(Outcome::Positive) },
                    |_, _| {},
                )),
            ),
            (NOTICE_PASSED, {
                let mut past = visit(S::Proposed);
                past.kind = EngagementKind::FullInspection;
                past.onsite = range("2026-11-30", "2026-12-02");
                fired(run(&p, &past, EngagementChange::Notify, |_, _| {}))
            }),
            (CONSENT_NOT_CURRENT, fired(run(&p, &proposed, EngagementChange::Notify, |_, c| c.clear()))),
            (WILL_NOT_GO_AHEAD, {
                let team = team_facts();
                let facts =
                    EngagementFacts { engagement: &proposed, today: d(TODAY), consents: &[], team: &team };
                warnings(&inspector_person(101), &facts).iter().map(|w| w.rule).collect()
            }),
            (
                programme::TEAM_DUPLICATE,
                fired(run(
                    &p,
                    &proposed,
                    assign(&[INTERIM_TEAM[0], INTERIM_TEAM[0], INTERIM_TEAM[2]]),
                    |_, _| {},
                )),
            ),
            (programme::TEAM_COMPOSITION, fired(run(&p, &proposed, assign(&INTERIM_TEAM[..2]), |_, _| {}))),
            (
                programme::INSPECTOR_UNAVAILABLE,
                fired(run(&p, &proposed, assign(&INTERIM_TEAM), |t, _| {
                    t.inspectors[0].unavailable.push(range("2027-01-12", "2027-01-20"));
                })),
            ),
            (programme::INSPECTOR_DOUBLE_BOOKED, fired(run(&p, &proposed, assign(&INTERIM_TEAM), booked))),
            (
                programme::INSPECTOR_CONFLICT,
                fired(run(&p, &proposed, assign(&INTERIM_TEAM), |t, _| {
                    t.inspectors[2].conflicts.push(Conflict::new("E09000007", "Camden", "Former employee"));
                })),
            ),
            (
                programme::INSPECTOR_TERM_LIMIT,
                fired(run(&p, &proposed, assign(&INTERIM_TEAM), |t, _| t.inspectors[1].max_per_term = 0)),
            ),
            (
                programme::INSPECTOR_TRAVEL,
                fired(run(&p, &proposed, assign(&INTERIM_TEAM), |t, _| {
                    t.inspectors[0].home_region = "E12000002".into();
                })),
            ),
            (
                programme::INSPECTOR_LOAD,
                fired(run(&p, &proposed, assign(&INTERIM_TEAM), |t, _| {
                    for n in 0..3 {
                        t.commitments.push(Commitment {
                            engagement_id: 50 + n,
                            inspector_id: 2,
                            region_code: "E13000001".into(),
                            busy: range("2027-03-01", "2027-03-02"),
                            onsite_first: d("2027-03-01"),
                            live: false,
                        });
                    }
                })),
            ),
        ]
    }

    #[test]
    fn each_rule_has_a_scenario_that_makes_it_fire() {
        let scenarios = scenarios();
        for (rule, fired) in &scenarios {
            assert!(fired.contains(rule), "{rule} did not fire: {fired:?}");
        }
        let covered: HashSet<_> = scenarios.iter().map(|s| s.0).collect();
        let listed: HashSet<_> = RULES.iter().copied().collect();
        assert_eq!(covered, listed, "every rule in RULES has exactly one scenario");
    }

    #[test]
    fn a_valid_team_is_assigned_and_moves_nothing_else() {
        let e = visit(EngagementState::Proposed);
        let decision = run(&planner(), &e, assign(&INTERIM_TEAM), |_, _| {}).expect("allowed");
        assert_eq!(
            decision,
            Decision {
                state: "proposed",
                event: "given a new team",
                reason: String::new(),
                warnings: vec![]
            }
        );
    }

    #[test]
    fn a_double_booking_names_only_the_days_never_the_other_engagement() {
        let e = visit(EngagementState::Proposed);
        let refused = run(&planner(), &e, assign(&INTERIM_TEAM), |t, _| {
            t.commitments.push(Commitment {
                engagement_id: 99,
                inspector_id: 1,
                region_code: "E13000001".into(),
                busy: range("2027-01-12", "2027-01-13"),
                onsite_first: d("2027-01-12"),
                live: true,
            });
        })
        .expect_err("refused");
        let Refusal::Failed(findings) = refused else { panic!("a rule refusal") };
        assert_eq!(findings[0].subject, "members");
        assert_eq!(findings[0].message, "Inspector 1 is not available on 12 to 13 January 2027");
    }

    #[test]
    fn a_stale_version_is_refused_before_any_rule() {
        let e = visit(EngagementState::Done);
        let team = team_facts();
        let facts = EngagementFacts { engagement: &e, today: d(TODAY), consents: &[], team: &team };
        let refused = decide(&planner(), 2, &facts, &EngagementChange::Notify).expect_err("stale");
        assert!(matches!(refused, Refusal::Stale(ref m) if m.contains("finished")), "{refused:?}");
    }

    #[test]
    fn only_planners_and_the_regions_lead_change_an_engagement() {
        let e = visit(EngagementState::Proposed);
        let other = run(&lead("E12000002"), &e, EngagementChange::Notify, |_, _| {}).expect_err("refused");
        assert!(matches!(other, Refusal::NotAllowed(_)));
        assert!(run(&lead("E13000001"), &e, EngagementChange::Notify, |_, _| {}).is_ok());
    }

    #[test]
    fn a_reason_is_needed_only_after_the_area_was_told() {
        let change = || assign(&INTERIM_TEAM);
        assert!(run(&planner(), &visit(EngagementState::Proposed), change(), |_, _| {}).is_ok());
        let refused =
            run(&planner(), &visit(EngagementState::Notified), change(), |_, _| {}).expect_err("reason");
        assert_eq!(refused.rules(), [REASON_REQUIRED]);
        let with_reason =
            EngagementChange::AssignTeam { members: INTERIM_TEAM.to_vec(), reason: "Illness".into() };
        assert!(run(&planner(), &visit(EngagementState::Notified), with_reason, |_, _| {}).is_ok());
    }

    #[test]
    fn rescheduling_checks_dates_consent_and_the_team_on_the_new_days() {
        let mut e = visit(EngagementState::Proposed);
        e.team = INTERIM_TEAM
            .iter()
            .map(|(id, role)| MemberRecord {
                inspector_id: *id,
                name: String::new(),
                role: *role,
                person_id: None,
            })
            .collect();
        let moved = |first: &str, last: &str| EngagementChange::Reschedule {
            onsite: range(first, last),
            reason: String::new(),
        };
        assert!(run(&planner(), &e, moved("2027-01-18", "2027-01-19"), |_, _| {}).is_ok());
        let weekend = run(&planner(), &e, moved("2027-01-16", "2027-01-17"), |_, _| {}).expect_err("weekend");
        assert!(matches!(weekend, Refusal::Invalid(_)));
        let blocked = run(&planner(), &e, moved("2027-02-01", "2027-02-02"), |_, _| {}).expect_err("blocked");
        assert_eq!(blocked.rules(), [CONSENT_NOT_CURRENT]);
        assert!(
            blocked.to_string().contains("Camden cannot host a visit on 1 to 5 February 2027"),
            "{blocked}"
        );
        let unavailable = run(&planner(), &e, moved("2027-01-18", "2027-01-19"), |t, _| {
            t.inspectors[2].unavailable.push(range("2027-01-19", "2027-01-19"));
        })
        .expect_err("unavailable");
        assert_eq!(unavailable.rules(), [programme::INSPECTOR_UNAVAILABLE]);
    }

    #[test]
    fn the_caller_is_offered_exactly_what_the_state_and_their_role_allow() {
        use EngagementAction as A;
        let team = team_facts();
        let mut e = visit(EngagementState::Proposed);
        let offered = |who: &Person, e: &EngagementRecord| {
            allowed_actions(
                who,
                &EngagementFacts { engagement: e, today: d(TODAY), consents: &[], team: &team },
            )
        };
        assert_eq!(offered(&planner(), &e), [A::Reschedule, A::Postpone, A::Notify, A::AssignTeam]);
        assert_eq!(offered(&lead("E12000002"), &e), []);
        e.state = EngagementState::Reporting;
        e.team = vec![MemberRecord {
            inspector_id: 1,
            name: String::new(),
            role: TeamRole::OfstedInspector,
            person_id: Some(7),
        }];
        assert_eq!(offered(&planner(), &e), [A::RecordOutcome]);
        assert_eq!(offered(&inspector_person(7), &e), [A::WriteLetter]);
        assert_eq!(offered(&inspector_person(8), &e), []);
    }

    #[test]
    fn a_new_engagement_outside_the_callers_region_answers_like_an_unknown_area() {
        let new = NewEngagement {
            local_area_code: "E08000003".into(),
            kind: EngagementKind::InterimVisit,
            onsite: range("2027-01-11", "2027-01-12"),
            note: String::new(),
        };
        let lead = lead("E13000001");
        let elsewhere =
            NewEngagementFacts { region: Some("E12000002"), area_name: "Manchester", consents: &[] };
        let unknown = NewEngagementFacts { region: None, area_name: "", consents: &[] };
        assert_eq!(decide_new(&lead, &elsewhere, &new), decide_new(&lead, &unknown, &new));
        assert_eq!(decide_new(&lead, &elsewhere, &new), Err(unknown_area(&lead)));
        let consents = consent();
        let own = NewEngagementFacts { region: Some("E13000001"), area_name: "Camden", consents: &consents };
        assert_eq!(decide_new(&lead, &own, &new), Ok(()));
        let none = NewEngagementFacts { consents: &[], ..own };
        assert_eq!(decide_new(&lead, &none, &new).expect_err("no consent").rules(), [CONSENT_NOT_CURRENT]);
    }

    #[test]
    fn readers_are_warned_of_a_visit_that_cannot_go_ahead() {
        let e = visit(EngagementState::Proposed);
        let team = team_facts();
        let facts = EngagementFacts { engagement: &e, today: d(TODAY), consents: &[], team: &team };
        let w = warnings(&planner(), &facts);
        assert_eq!(w.iter().map(|f| f.rule).collect::<Vec<_>>(), [CONSENT_NOT_CURRENT]);
        assert_eq!(
            w[0].message,
            "This visit cannot go ahead: Camden has not consented in writing to an interim visit"
        );
    }

    #[test]
    fn another_regions_booking_reads_to_a_lead_exactly_as_leave() {
        let e = visit(EngagementState::Proposed);
        let elsewhere = |t: &mut TeamFacts, _: &mut Vec<ConsentOnRecord>| {
            t.commitments.push(Commitment {
                engagement_id: 99,
                inspector_id: 1,
                region_code: "E12000001".into(),
                busy: range("2027-01-12", "2027-01-13"),
                onsite_first: d("2027-01-12"),
                live: true,
            });
        };
        let on_leave = |t: &mut TeamFacts, _: &mut Vec<ConsentOnRecord>| {
            t.inspectors[0].unavailable.push(range("2027-01-12", "2027-01-13"));
        };
        let lead = lead("E13000001");
        let booked = run(&lead, &e, assign(&INTERIM_TEAM), elsewhere).expect_err("refused");
        let leave = run(&lead, &e, assign(&INTERIM_TEAM), on_leave).expect_err("refused");
        assert_eq!(booked, leave, "the same rule, subject and sentence");
        assert_eq!(booked.rules(), [programme::INSPECTOR_UNAVAILABLE]);
        let planner = run(&planner(), &e, assign(&INTERIM_TEAM), elsewhere).expect_err("refused");
        assert_eq!(planner.rules(), [programme::INSPECTOR_DOUBLE_BOOKED], "planners may see the engagement");
    }

    #[test]
    fn workload_warnings_count_only_what_the_caller_may_see() {
        let e = visit(EngagementState::Proposed);
        let busy_elsewhere = |t: &mut TeamFacts, _: &mut Vec<ConsentOnRecord>| {
            for n in 0..3 {
                t.commitments.push(Commitment {
                    engagement_id: 50 + n,
                    inspector_id: 2,
                    region_code: "E12000001".into(),
                    busy: range("2027-03-01", "2027-03-02"),
                    onsite_first: d("2027-03-01"),
                    live: false,
                });
            }
        };
        let lead = run(&lead("E13000001"), &e, assign(&INTERIM_TEAM), busy_elsewhere).expect("allowed");
        assert_eq!(lead.warnings, vec![], "another region's engagements are not the lead's to count");
        let planner = run(&planner(), &e, assign(&INTERIM_TEAM), busy_elsewhere).expect("allowed");
        assert_eq!(planner.warnings.iter().map(|w| w.rule).collect::<Vec<_>>(), [programme::INSPECTOR_LOAD]);
    }

    #[test]
    fn leads_see_free_busy_time_and_conflicted_areas_but_not_the_reasons() {
        let mut facts = team_facts();
        facts.inspectors[0].conflicts.push(Conflict::new("E09000007", "Camden", "Married to the director"));
        facts.commitments.push(Commitment {
            engagement_id: 99,
            inspector_id: 1,
            region_code: "E12000001".into(),
            busy: range("2027-01-12", "2027-01-13"),
            onsite_first: d("2027-01-12"),
            live: true,
        });
        let as_lead = facts.inspectors_for(&lead("E13000001"));
        assert_eq!(as_lead[0].conflicts, [Conflict::new("E09000007", "Camden", "")]);
        assert_eq!(as_lead[0].unavailable, [range("2027-01-12", "2027-01-13")]);
        let as_north = facts.inspectors_for(&lead("E12000001"));
        assert_eq!(as_north[0].unavailable, [], "their own region's engagement, which they can see");
        let as_planner = facts.inspectors_for(&planner());
        assert_eq!(as_planner[0].conflicts[0].reason, "Married to the director");
        let themself = facts.inspectors_for(&inspector_person(101));
        assert_eq!(themself[0].conflicts[0].reason, "Married to the director");
        assert_eq!(
            themself.iter().map(|i| i.id).collect::<Vec<_>>(),
            [1],
            "an inspector sees only their own record"
        );
        assert_eq!(as_lead.len(), 4);
    }

    #[test]
    fn the_consent_behind_a_visit_is_shown_to_planners_and_the_regions_lead_only() {
        let e = visit(EngagementState::Proposed);
        let (consents, team) = (consent(), team_facts());
        let facts = EngagementFacts { engagement: &e, today: d(TODAY), consents: &consents, team: &team };
        assert_eq!(consent_shown(&planner(), &facts).map(|c| c.signatory_name.as_str()), Some("Alex Morgan"));
        assert!(consent_shown(&lead("E13000001"), &facts).is_some());
        assert_eq!(consent_shown(&lead("E12000001"), &facts), None, "another region's lead");
        assert_eq!(consent_shown(&inspector_person(101), &facts), None, "the visit's own team");
        let mut withdrawn = consent();
        withdrawn[0].state = RequestState::Withdrawn;
        let facts = EngagementFacts { engagement: &e, today: d(TODAY), consents: &withdrawn, team: &team };
        assert_eq!(consent_shown(&planner(), &facts).map(|c| c.state), Some(RequestState::Withdrawn));
        let meeting =
            EngagementRecord { kind: EngagementKind::EngagementMeeting, ..visit(EngagementState::Proposed) };
        let facts =
            EngagementFacts { engagement: &meeting, today: d(TODAY), consents: &consents, team: &team };
        assert_eq!(consent_shown(&planner(), &facts), None, "only interim visits rest on consent");
    }

    #[test]
    fn an_inspector_changes_only_their_own_record_and_another_reads_as_missing() {
        let facts = team_facts();
        assert_eq!(may_change_inspector(&planner(), &facts.inspectors, 2), Ok(()));
        assert_eq!(may_change_inspector(&lead("E12000001"), &facts.inspectors, 2), Ok(()));
        assert_eq!(may_change_inspector(&inspector_person(102), &facts.inspectors, 2), Ok(()));
        let other =
            may_change_inspector(&inspector_person(102), &facts.inspectors, 1).expect_err("another's record");
        let unknown = may_change_inspector(&inspector_person(102), &facts.inspectors, 77)
            .expect_err("no such inspector");
        assert_eq!(other, unknown);
        assert_eq!(other, Refusal::NotFound("inspector"));
        let area = Person { scope: Scope::LocalArea("E09000007".into()), ..planner() };
        assert_eq!(may_change_inspector(&area, &facts.inspectors, 1), Err(Refusal::NotFound("inspector")));
    }
}
