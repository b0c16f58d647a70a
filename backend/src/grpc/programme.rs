//! `sendplanner.v1.ProgrammeService`: engagements, teams, inspectors, history and the boards.
//! Each engagement handler decodes the request, lets the store load the facts and run
//! [`engagement::decide`] inside the write's transaction, and encodes what it returns.

use std::sync::Arc;

use chrono::NaiveDate;
use proto::pb::{self, programme_service_server::ProgrammeService as Rpc};
use tonic::{Request, Response, Status};

use super::{
    convert::{caller, inspectorate_from_pb, kind_to_pb, range_to_pb, request_id},
    status,
};
use crate::{
    auth::Authenticator,
    board::{AreaLine, area_line, outcome_group, to_csv},
    domain::{
        FieldViolation, Finding, InvalidInput,
        audit::Actor,
        consent::{DateRange, MAX_NOTE_CHARS},
        engagement::{
            self, EngagementAction, EngagementChange, EngagementRecord, InspectorRecord, allowed_actions,
            decide, decide_new,
        },
        identity::{Caller, Inspectorate, Scope},
        programme::{
            AreaFacts, EngagementKind, EngagementState, NewEngagement, Outcome, TeamRole, term_of, timeline,
        },
        public_id::parse_public_id,
    },
    store::{ReadFacts, Store},
};

/// The programme.
#[derive(Debug, Clone)]
pub struct ProgrammeService {
    store: Store,
    auth: Arc<Authenticator>,
}

impl ProgrammeService {
    /// A service over `store`, timed by the authenticator's clock.
    pub fn new(store: Store, auth: Arc<Authenticator>) -> Self {
        Self { store, auth }
    }

    fn today(&self) -> NaiveDate {
        self.auth.clock().now().date_naive()
    }
}

/// What a missing or hidden engagement answers.
const ENGAGEMENT: &str = "engagement";
/// What a missing inspector answers.
const INSPECTOR: &str = "inspector";

pub(crate) fn parse_id(id: &str, what: &'static str) -> Result<i64, Status> {
    id.trim().parse::<i64>().map_err(|_| status::not_found(what))
}

/// An engagement's public id from a request; a malformed one answers as a missing engagement.
pub(crate) fn engagement_id(id: &str) -> Result<&str, Status> {
    parse_public_id(id).ok_or_else(|| status::not_found(ENGAGEMENT))
}

pub(crate) fn kind_from_pb(value: i32) -> Option<EngagementKind> {
    Some(match pb::EngagementKind::try_from(value).ok()? {
        pb::EngagementKind::Unspecified => return None,
        pb::EngagementKind::FullInspection => EngagementKind::FullInspection,
        pb::EngagementKind::LegacyInspection => EngagementKind::LegacyInspection,
        pb::EngagementKind::MonitoringInspection => EngagementKind::MonitoringInspection,
        pb::EngagementKind::InterimVisit => EngagementKind::InterimVisit,
        pb::EngagementKind::EngagementMeeting => EngagementKind::EngagementMeeting,
        pb::EngagementKind::ThematicVisit => EngagementKind::ThematicVisit,
    })
}

fn state_to_pb(s: EngagementState) -> pb::EngagementState {
    match s {
        EngagementState::Proposed => pb::EngagementState::Proposed,
        EngagementState::Notified => pb::EngagementState::Notified,
        EngagementState::Onsite => pb::EngagementState::Onsite,
        EngagementState::Reporting => pb::EngagementState::Reporting,
        EngagementState::Done => pb::EngagementState::Done,
        EngagementState::Postponed => pb::EngagementState::Postponed,
    }
}

pub(crate) fn outcome_from_pb(value: i32) -> Option<Outcome> {
    Some(match pb::Outcome::try_from(value).ok()? {
        pb::Outcome::Unspecified => return None,
        pb::Outcome::Positive => Outcome::Positive,
        pb::Outcome::Inconsistent => Outcome::Inconsistent,
        pb::Outcome::SystemicFailings => Outcome::SystemicFailings,
        pb::Outcome::LegacyLetter => Outcome::LegacyLetter,
        pb::Outcome::WrittenStatementOfAction => Outcome::WrittenStatementOfAction,
    })
}

fn outcome_to_pb(o: Outcome) -> pb::Outcome {
    match o {
        Outcome::Positive => pb::Outcome::Positive,
        Outcome::Inconsistent => pb::Outcome::Inconsistent,
        Outcome::SystemicFailings => pb::Outcome::SystemicFailings,
        Outcome::LegacyLetter => pb::Outcome::LegacyLetter,
        Outcome::WrittenStatementOfAction => pb::Outcome::WrittenStatementOfAction,
    }
}

pub(crate) fn role_from_pb(value: i32) -> Option<TeamRole> {
    Some(match pb::TeamRole::try_from(value).ok()? {
        pb::TeamRole::Unspecified => return None,
        pb::TeamRole::LeadHmi => TeamRole::LeadHmi,
        pb::TeamRole::OfstedInspector => TeamRole::OfstedInspector,
        pb::TeamRole::CqcInspector => TeamRole::CqcInspector,
        pb::TeamRole::SocialCareInspector => TeamRole::SocialCareInspector,
    })
}

pub(crate) fn role_to_pb(r: TeamRole) -> pb::TeamRole {
    match r {
        TeamRole::LeadHmi => pb::TeamRole::LeadHmi,
        TeamRole::OfstedInspector => pb::TeamRole::OfstedInspector,
        TeamRole::CqcInspector => pb::TeamRole::CqcInspector,
        TeamRole::SocialCareInspector => pb::TeamRole::SocialCareInspector,
    }
}

pub(crate) fn range_from_pb(
    r: Option<&pb::DateRange>,
    field: &'static str,
    missing: &str,
) -> Result<DateRange, Status> {
    let r = r.ok_or_else(|| status::invalid(field, missing))?;
    DateRange::parse(&r.first_day, &r.last_day, field).map_err(|v| status::invalid_argument(&v.into()))
}

/// A finding as the contract carries it (warnings in responses, like refusals' details).
pub fn finding_to_pb(f: Finding) -> pb::RuleFinding {
    pb::RuleFinding { rule: f.rule.into(), message: f.message, subject: f.subject }
}

fn action_to_pb(a: EngagementAction) -> pb::EngagementAction {
    match a {
        EngagementAction::Reschedule => pb::EngagementAction::Reschedule,
        EngagementAction::Postpone => pb::EngagementAction::Postpone,
        EngagementAction::Notify => pb::EngagementAction::Notify,
        EngagementAction::AssignTeam => pb::EngagementAction::AssignTeam,
        EngagementAction::RecordOutcome => pb::EngagementAction::RecordOutcome,
        EngagementAction::WriteLetter => pb::EngagementAction::WriteLetter,
    }
}

/// An engagement as `caller` may see it, with `warnings` and what they may do. Local area users
/// never see the team, the note or warnings.
fn engagement_to_pb(
    e: EngagementRecord,
    caller: &Caller,
    facts: &ReadFacts,
    today: NaiveDate,
    extra: Vec<Finding>,
) -> pb::Engagement {
    let area_view = matches!(caller.person.scope, Scope::LocalArea(_));
    let (warnings, allowed, consent) = if area_view {
        (Vec::new(), Vec::new(), None)
    } else {
        let f = facts.of(&e, today);
        let consent = engagement::consent_shown(&caller.person, &f).map(|c| pb::VisitConsent {
            request_id: c.request_id.clone(),
            state: crate::grpc::consent::state_to_pb(c.state).into(),
            signatory_name: c.signatory_name.clone(),
            date_signed: c.date_signed.to_string(),
        });
        let mut warnings = engagement::warnings(&caller.person, &f);
        for w in extra {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        (warnings, allowed_actions(&caller.person, &f), consent)
    };
    let timeline = timeline(e.kind, e.onsite.first).map(|t| pb::Timeline {
        notification_date: t.notification.to_string(),
        week_one_offsite: Some(range_to_pb(t.week_one)),
        week_two_offsite_onsite: Some(range_to_pb(t.week_two)),
        week_three_onsite: Some(range_to_pb(t.week_three)),
    });
    pb::Engagement {
        id: e.public_id,
        kind: kind_to_pb(e.kind).into(),
        state: state_to_pb(e.state).into(),
        onsite: Some(range_to_pb(e.onsite)),
        timeline,
        team: if area_view {
            Vec::new()
        } else {
            e.team
                .iter()
                .map(|m| pb::TeamMember {
                    inspector_id: m.inspector_id.to_string(),
                    name: m.name.clone(),
                    role: role_to_pb(m.role).into(),
                })
                .collect()
        },
        note: if area_view { String::new() } else { e.note },
        version: e.version,
        postponed_reason: e.postponed_reason,
        warnings: warnings.into_iter().map(finding_to_pb).collect(),
        allowed_actions: allowed.into_iter().map(|a| action_to_pb(a).into()).collect(),
        is_inspection: e.kind.is_inspection(),
        letter_sections: crate::domain::letters::required_sections(e.kind)
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        timetable: crate::domain::timetable::timetable(e.kind, e.onsite)
            .into_iter()
            .map(|t| pb::TimetableEntry { what: t.step.words().to_owned(), days: Some(range_to_pb(t.days)) })
            .collect(),
        consent,
        local_area_code: e.local_area_code,
        local_area_name: e.local_area_name,
        region_code: e.region_code,
        region_name: e.region_name,
    }
}

impl ProgrammeService {
    /// The facts readers are shown beside engagements of `area` (all areas when empty); none
    /// for local area users, who see neither warnings nor teams.
    async fn read_facts(&self, caller: &Caller, area: &str) -> Result<ReadFacts, Status> {
        if matches!(caller.person.scope, Scope::LocalArea(_)) {
            return Ok(ReadFacts::default());
        }
        self.store.read_facts(area, self.today()).await.map_err(status::store(ENGAGEMENT))
    }

    async fn one_to_pb(
        &self,
        e: EngagementRecord,
        caller: &Caller,
        extra: Vec<Finding>,
    ) -> Result<pb::Engagement, Status> {
        let facts = self.read_facts(caller, &e.local_area_code).await?;
        Ok(engagement_to_pb(e, caller, &facts, self.today(), extra))
    }

    /// Inspector `id` as `caller` may know them (see [`engagement::TeamFacts::inspectors_for`]).
    async fn inspector_as_seen(&self, caller: &Caller, id: i64) -> Result<Option<pb::Inspector>, Status> {
        let facts = self.store.team_facts().await.map_err(status::from_store)?;
        Ok(facts.inspectors_for(&caller.person).into_iter().find(|i| i.id == id).map(inspector_to_pb))
    }

    /// Applies `change` to engagement `id` read at `version`, decided in the store's transaction.
    async fn change(
        &self,
        id: &str,
        version: i64,
        change: EngagementChange,
        caller: &Caller,
        rid: &str,
        action: &str,
    ) -> Result<pb::Engagement, Status> {
        let id = engagement_id(id)?;
        let detail = match &change {
            EngagementChange::Reschedule { reason, .. }
            | EngagementChange::Postpone { reason }
            | EngagementChange::AssignTeam { reason, .. } => reason.trim(),
            EngagementChange::Notify | EngagementChange::Complete { .. } => "",
        };
        let event = Actor::person(&caller.person, rid).event(action, "engagement", id, "ok", detail);
        let (changed, warnings) = self
            .store
            .change_engagement(id, &change, &caller.person, self.auth.clock().now(), &event, |facts| {
                decide(&caller.person, version, facts, &change)
            })
            .await
            .map_err(status::store(ENGAGEMENT))?;
        self.one_to_pb(changed, caller, warnings).await
    }
}

fn inspector_to_pb(i: InspectorRecord) -> pb::Inspector {
    pb::Inspector {
        id: i.id.to_string(),
        name: i.name,
        inspectorate: match i.inspectorate {
            Inspectorate::Ofsted => pb::Inspectorate::Ofsted,
            Inspectorate::Cqc => pb::Inspectorate::Cqc,
        }
        .into(),
        social_care: i.social_care,
        home_region_code: i.home_region,
        max_engagements_per_term: i.max_per_term,
        version: i.version,
        account_label: i.account_label,
        unavailable: i.unavailable.into_iter().map(range_to_pb).collect(),
        conflicts: i
            .conflicts
            .into_iter()
            .map(|c| pb::Conflict {
                local_area_code: c.local_area_code,
                reason: c.reason,
                local_area_name: c.local_area_name,
            })
            .collect(),
        person_id: i.person_id.map(|p| p.to_string()).unwrap_or_default(),
    }
}

/// A required reason for a record outside the engagement aggregate (due dates, conflicts).
pub(crate) fn required_reason(reason: &str) -> Result<String, Status> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(status::invalid("reason", "Enter a reason"))
    } else if reason.chars().count() > MAX_NOTE_CHARS {
        Err(status::invalid("reason", "Reason must be 2,000 characters or fewer"))
    } else {
        Ok(reason.to_owned())
    }
}

/// The academic year a list of engagements covers: the one asked for, or (0) the one `today` is
/// in; only years with bank holiday data.
pub(crate) fn academic_year(requested: i32, today: NaiveDate) -> Result<i32, Status> {
    let year = if requested == 0 { term_of(today).0 } else { requested };
    if !(2016..=2030).contains(&year) {
        return Err(status::invalid("academic_year", "Academic year must be between 2016 and 2030"));
    }
    Ok(year)
}

/// A new team's members as (inspector id, role).
pub(crate) fn team_members(members: &[pb::TeamMember]) -> Result<Vec<(i64, TeamRole)>, Status> {
    members
        .iter()
        .map(|m| {
            let id = m
                .inspector_id
                .trim()
                .parse::<i64>()
                .map_err(|_| status::invalid("members", "Select inspectors from the list"))?;
            let role = role_from_pb(m.role)
                .ok_or_else(|| status::invalid("members", "Select a role for each member"))?;
            Ok((id, role))
        })
        .collect()
}

/// A past inspection's kind, outcome and day (today or before), every fault at once.
pub(crate) fn past_inspection(
    req: &pb::RecordPastInspectionRequest,
    today: NaiveDate,
) -> Result<(EngagementKind, Outcome, NaiveDate), InvalidInput> {
    let mut errors = Vec::new();
    let kind = kind_from_pb(req.kind).filter(|k| k.is_inspection());
    if kind.is_none() {
        errors.push(FieldViolation::new("kind", "Select a full, 2016-framework or monitoring inspection"));
    }
    let outcome = outcome_from_pb(req.outcome);
    if outcome.is_none() {
        errors.push(FieldViolation::new("outcome", "Select the outcome"));
    }
    let completed = match NaiveDate::parse_from_str(req.completed_on.trim(), "%Y-%m-%d") {
        Ok(day) if day > today => {
            errors.push(FieldViolation::new(
                "completed_on",
                "The date it was completed must be today or in the past",
            ));
            None
        }
        Ok(day) => Some(day),
        Err(_) => {
            errors.push(FieldViolation::new("completed_on", "Enter the date it was completed"));
            None
        }
    };
    match (kind, outcome, completed) {
        (Some(kind), Some(outcome), Some(completed)) => Ok((kind, outcome, completed)),
        _ => Err(InvalidInput(errors)),
    }
}

/// An overridden due date and its reason.
pub(crate) fn due_date(req: &pb::OverrideDueDateRequest) -> Result<(NaiveDate, String), Status> {
    let due = NaiveDate::parse_from_str(req.due_by.trim(), "%Y-%m-%d")
        .map_err(|_| status::invalid("due_by", "Enter the new due date"))?;
    Ok((due, required_reason(&req.reason)?))
}

/// A new inspector's entry (id 0, version 1), every fault at once.
pub(crate) fn new_inspector(req: &pb::CreateInspectorRequest) -> Result<InspectorRecord, InvalidInput> {
    let mut errors = Vec::new();
    let name = req.name.trim();
    if name.is_empty() {
        errors.push(FieldViolation::new("name", "Enter the inspector's name"));
    } else if name.chars().count() > 100 {
        errors.push(FieldViolation::new("name", "Name must be 100 characters or fewer"));
    }
    let inspectorate = inspectorate_from_pb(req.inspectorate);
    if inspectorate.is_none() {
        errors.push(FieldViolation::new("inspectorate", "Select Ofsted or CQC"));
    }
    if req.social_care && inspectorate != Some(Inspectorate::Ofsted) {
        errors
            .push(FieldViolation::new("social_care", "Only Ofsted inspectors have a social care specialism"));
    }
    let person_id = match req.person_id.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldViolation::new("person_id", "Select the inspector's account from the list"));
                None
            }
        },
    };
    if !(1..=30).contains(&req.max_engagements_per_term) {
        errors.push(FieldViolation::new(
            "max_engagements_per_term",
            "Most engagements a term must be between 1 and 30",
        ));
    }
    let Some(inspectorate) = inspectorate.filter(|_| errors.is_empty()) else {
        return Err(InvalidInput(errors));
    };
    Ok(InspectorRecord {
        id: 0,
        name: name.to_owned(),
        inspectorate,
        social_care: req.social_care,
        home_region: req.home_region_code.trim().to_owned(),
        person_id,
        max_per_term: req.max_engagements_per_term,
        unavailable: vec![],
        conflicts: vec![],
        version: 1,
        account_label: String::new(),
    })
}

#[tonic::async_trait]
impl Rpc for ProgrammeService {
    async fn schedule_engagement(
        &self,
        request: Request<pb::ScheduleEngagementRequest>,
    ) -> Result<Response<pb::ScheduleEngagementResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let onsite = req.onsite.as_ref().map(|o| (o.first_day.as_str(), o.last_day.as_str()));
        let new = NewEngagement::parse(
            &req.local_area_code,
            kind_from_pb(req.kind),
            onsite,
            &req.note,
            self.today(),
        )
        .map_err(|e| status::invalid_argument(&e))?;
        let id = self
            .store
            .schedule_engagement(
                &new,
                &caller.person,
                self.auth.clock().now(),
                |id| actor.event("engagement.schedule", "engagement", id, "ok", new.kind.as_str()),
                |facts| decide_new(&caller.person, facts, &new),
            )
            .await
            .map_err(status::store(ENGAGEMENT))?;
        let created = self
            .store
            .engagement(&id, &caller.person, self.today())
            .await
            .map_err(status::store(ENGAGEMENT))?;
        Ok(Response::new(pb::ScheduleEngagementResponse {
            engagement: Some(self.one_to_pb(created, &caller, Vec::new()).await?),
        }))
    }

    async fn list_engagements(
        &self,
        request: Request<pb::ListEngagementsRequest>,
    ) -> Result<Response<pb::ListEngagementsResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let year = academic_year(req.academic_year, self.today())?;
        let found = self
            .store
            .engagements(&caller.person, req.region_code.trim(), year, self.today())
            .await
            .map_err(status::store(ENGAGEMENT))?;
        let facts = self.read_facts(&caller, "").await?;
        let today = self.today();
        Ok(Response::new(pb::ListEngagementsResponse {
            engagements: found
                .into_iter()
                .map(|e| engagement_to_pb(e, &caller, &facts, today, Vec::new()))
                .collect(),
        }))
    }

    async fn get_engagement(
        &self,
        request: Request<pb::GetEngagementRequest>,
    ) -> Result<Response<pb::GetEngagementResponse>, Status> {
        let caller = caller(&request)?;
        let id = engagement_id(&request.get_ref().id)?;
        let found = self
            .store
            .engagement(id, &caller.person, self.today())
            .await
            .map_err(status::store(ENGAGEMENT))?;
        Ok(Response::new(pb::GetEngagementResponse {
            engagement: Some(self.one_to_pb(found, &caller, Vec::new()).await?),
        }))
    }

    async fn reschedule_engagement(
        &self,
        request: Request<pb::RescheduleEngagementRequest>,
    ) -> Result<Response<pb::RescheduleEngagementResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let onsite = range_from_pb(req.onsite.as_ref(), "onsite", "Enter the new onsite days")?;
        let change = EngagementChange::Reschedule { onsite, reason: req.reason };
        let e = self.change(&req.id, req.version, change, &caller, &rid, "engagement.reschedule").await?;
        Ok(Response::new(pb::RescheduleEngagementResponse { engagement: Some(e) }))
    }

    async fn postpone_engagement(
        &self,
        request: Request<pb::PostponeEngagementRequest>,
    ) -> Result<Response<pb::PostponeEngagementResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let change = EngagementChange::Postpone { reason: req.reason };
        let e = self.change(&req.id, req.version, change, &caller, &rid, "engagement.postpone").await?;
        Ok(Response::new(pb::PostponeEngagementResponse { engagement: Some(e) }))
    }

    async fn notify_local_area(
        &self,
        request: Request<pb::NotifyLocalAreaRequest>,
    ) -> Result<Response<pb::NotifyLocalAreaResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let e = self
            .change(&req.id, req.version, EngagementChange::Notify, &caller, &rid, "engagement.notify")
            .await?;
        Ok(Response::new(pb::NotifyLocalAreaResponse { engagement: Some(e) }))
    }

    async fn assign_team(
        &self,
        request: Request<pb::AssignTeamRequest>,
    ) -> Result<Response<pb::AssignTeamResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let members = team_members(&req.members)?;
        let change = EngagementChange::AssignTeam { members, reason: req.reason };
        let e = self.change(&req.id, req.version, change, &caller, &rid, "engagement.assign_team").await?;
        Ok(Response::new(pb::AssignTeamResponse { engagement: Some(e) }))
    }

    async fn record_outcome(
        &self,
        request: Request<pb::RecordOutcomeRequest>,
    ) -> Result<Response<pb::RecordOutcomeResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let change = EngagementChange::Complete { outcome: outcome_from_pb(req.outcome) };
        let e = self.change(&req.id, req.version, change, &caller, &rid, "engagement.complete").await?;
        Ok(Response::new(pb::RecordOutcomeResponse { engagement: Some(e) }))
    }

    async fn record_past_inspection(
        &self,
        request: Request<pb::RecordPastInspectionRequest>,
    ) -> Result<Response<pb::RecordPastInspectionResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let (kind, outcome, completed) =
            past_inspection(&req, self.today()).map_err(|e| status::invalid_argument(&e))?;
        let area = req.local_area_code.trim();
        let event = actor.event("inspection.record_past", "local_area", area, "ok", outcome.as_str());
        self.store
            .record_past_inspection(area, kind, completed, outcome, self.auth.clock().now(), &event)
            .await
            .map_err(status::from_store)?;
        Ok(Response::new(pb::RecordPastInspectionResponse {}))
    }

    async fn override_due_date(
        &self,
        request: Request<pb::OverrideDueDateRequest>,
    ) -> Result<Response<pb::OverrideDueDateResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let (due, reason) = due_date(&req)?;
        let area = req.local_area_code.trim();
        let event = actor.event("due_date.override", "local_area", area, "ok", &reason);
        self.store
            .override_due_date(area, due, &reason, &caller.person, self.auth.clock().now(), &event)
            .await
            .map_err(status::from_store)?;
        Ok(Response::new(pb::OverrideDueDateResponse {}))
    }

    async fn create_inspector(
        &self,
        request: Request<pb::CreateInspectorRequest>,
    ) -> Result<Response<pb::CreateInspectorResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let record = new_inspector(&req).map_err(|e| status::invalid_argument(&e))?;
        let id = self
            .store
            .create_inspector(&record, self.auth.clock().now(), |id| {
                actor.event("inspector.create", "inspector", &id.to_string(), "ok", "")
            })
            .await
            .map_err(status::from_store)?;
        Ok(Response::new(pb::CreateInspectorResponse {
            inspector: Some(inspector_to_pb(InspectorRecord { id, ..record })),
        }))
    }

    async fn list_inspectors(
        &self,
        request: Request<pb::ListInspectorsRequest>,
    ) -> Result<Response<pb::ListInspectorsResponse>, Status> {
        let caller = caller(&request)?;
        let facts = self.store.team_facts().await.map_err(status::from_store)?;
        Ok(Response::new(pb::ListInspectorsResponse {
            inspectors: facts.inspectors_for(&caller.person).into_iter().map(inspector_to_pb).collect(),
        }))
    }

    async fn add_unavailability(
        &self,
        request: Request<pb::AddUnavailabilityRequest>,
    ) -> Result<Response<pb::AddUnavailabilityResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let id = parse_id(&req.inspector_id, INSPECTOR)?;
        // Scope first: an inspector adds only to their own record.
        let inspectors = self.store.inspectors().await.map_err(status::from_store)?;
        engagement::may_change_inspector(&caller.person, &inspectors, id)?;
        let period =
            range_from_pb(req.period.as_ref(), "period", "Enter the days the inspector cannot work")?;
        let event = actor.event("inspector.unavailable", "inspector", &id.to_string(), "ok", "");
        self.store
            .add_unavailability(id, period, self.auth.clock().now(), &event)
            .await
            .map_err(status::store(INSPECTOR))?;
        Ok(Response::new(pb::AddUnavailabilityResponse {
            inspector: self.inspector_as_seen(&caller, id).await?,
        }))
    }

    async fn declare_conflict(
        &self,
        request: Request<pb::DeclareConflictRequest>,
    ) -> Result<Response<pb::DeclareConflictResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let id = parse_id(&req.inspector_id, INSPECTOR)?;
        // Scope first: an inspector declares only their own conflicts.
        let inspectors = self.store.inspectors().await.map_err(status::from_store)?;
        engagement::may_change_inspector(&caller.person, &inspectors, id)?;
        let reason = required_reason(&req.reason)?;
        let area = req.local_area_code.trim();
        let event = actor.event("inspector.conflict", "inspector", &id.to_string(), "ok", area);
        self.store
            .declare_conflict(id, area, &reason, &caller.person, self.auth.clock().now(), &event)
            .await
            .map_err(status::store(INSPECTOR))?;
        Ok(Response::new(pb::DeclareConflictResponse {
            inspector: self.inspector_as_seen(&caller, id).await?,
        }))
    }

    async fn list_inspector_accounts(
        &self,
        _request: Request<pb::ListInspectorAccountsRequest>,
    ) -> Result<Response<pb::ListInspectorAccountsResponse>, Status> {
        let accounts = self.store.unlinked_inspector_accounts().await.map_err(status::from_store)?;
        Ok(Response::new(pb::ListInspectorAccountsResponse {
            accounts: accounts
                .into_iter()
                .map(|(id, display_name, username)| pb::InspectorAccount {
                    person_id: id.to_string(),
                    label: format!("{display_name} ({username})"),
                    display_name,
                    username,
                })
                .collect(),
        }))
    }

    async fn link_inspector_account(
        &self,
        request: Request<pb::LinkInspectorAccountRequest>,
    ) -> Result<Response<pb::LinkInspectorAccountResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let id = parse_id(&req.inspector_id, INSPECTOR)?;
        // A person id that is no number names no account: the rule says which field to fix.
        let person = req.person_id.trim().parse::<i64>().ok();
        let event = actor.event(
            "inspector.link",
            "inspector",
            &id.to_string(),
            "ok",
            &format!("person={}", person.unwrap_or_default()),
        );
        self.store
            .link_inspector_account(
                id,
                person,
                self.auth.clock().now(),
                |entry, account| crate::domain::inspectors::decide_link(entry, req.version, account),
                &event,
            )
            .await
            .map_err(status::store(INSPECTOR))?;
        Ok(Response::new(pb::LinkInspectorAccountResponse {
            inspector: self.inspector_as_seen(&caller, id).await?,
        }))
    }

    async fn get_national_board(
        &self,
        request: Request<pb::GetNationalBoardRequest>,
    ) -> Result<Response<pb::GetNationalBoardResponse>, Status> {
        let req = request.into_inner();
        let year = if req.academic_year == 0 { term_of(self.today()).0 } else { req.academic_year };
        let lines =
            board_lines(self.store.national_facts(year).await.map_err(status::from_store)?, self.today());
        let outcome = outcome_from_pb(req.last_outcome);
        let shown: Vec<&AreaLine> = lines
            .iter()
            .filter(|l| req.region_code.is_empty() || l.facts.region_code == req.region_code)
            .filter(|l| req.area_kind.is_empty() || l.facts.kind == req.area_kind)
            .filter(|l| outcome.is_none() || l.facts.last.map(|(o, _)| o) == outcome)
            .collect();
        let mut regions: Vec<pb::RegionSummary> = Vec::new();
        for l in &shown {
            let at = match regions.iter().position(|r| r.region_code == l.facts.region_code) {
                Some(at) => at,
                None => {
                    regions.push(pb::RegionSummary {
                        region_code: l.facts.region_code.clone(),
                        region_name: l.facts.region_name.clone(),
                        ..Default::default()
                    });
                    regions.len() - 1
                }
            };
            let r = &mut regions[at];
            match l.status {
                "overdue" => r.overdue += 1,
                "due_this_term" => r.due_this_term += 1,
                "scheduled" => r.scheduled += 1,
                "done" => r.done += 1,
                _ => {}
            }
            r.interim_visits += u32::from(l.interim);
        }
        let coverage = |group: &dyn Fn(&AreaLine) -> String| {
            let mut out: Vec<pb::CoverageCount> = Vec::new();
            for l in &shown {
                let g = group(l);
                let at = match out.iter().position(|c| c.group == g) {
                    Some(at) => at,
                    None => {
                        out.push(pb::CoverageCount { group: g, ..Default::default() });
                        out.len() - 1
                    }
                };
                out[at].areas += 1;
                out[at].with_interim_visit += u32::from(l.interim);
            }
            out
        };
        let coverage_by_area_kind = coverage(&|l| l.facts.kind.clone());
        let coverage_by_last_outcome = coverage(&|l| outcome_group(l.facts.last).to_owned());
        let areas = shown
            .iter()
            .map(|l| pb::AreaProgramme {
                local_area_code: l.facts.code.clone(),
                local_area_name: l.facts.name.clone(),
                region_code: l.facts.region_code.clone(),
                region_name: l.facts.region_name.clone(),
                area_kind: l.facts.kind.clone(),
                last_outcome: l.facts.last.map(|(o, _)| outcome_to_pb(o)).unwrap_or_default().into(),
                last_inspected_on: l.facts.last.map(|(_, d)| d.to_string()).unwrap_or_default(),
                next_full_due_by: l.full_due.map(|d| d.to_string()).unwrap_or_default(),
                next_monitoring_due_by: l.monitoring_due.map(|d| d.to_string()).unwrap_or_default(),
                status: l.status.to_owned(),
                override_reason: l.facts.override_due.as_ref().map(|o| o.1.clone()).unwrap_or_default(),
                scheduled_kinds: l.facts.engagements.iter().map(|(k, _, _)| k.as_str().to_owned()).collect(),
                interim_visit_this_year: l.interim,
            })
            .collect();
        Ok(Response::new(pb::GetNationalBoardResponse {
            regions,
            areas,
            coverage_by_area_kind,
            coverage_by_last_outcome,
        }))
    }

    async fn export_national_programme(
        &self,
        request: Request<pb::ExportNationalProgrammeRequest>,
    ) -> Result<Response<pb::ExportNationalProgrammeResponse>, Status> {
        let req = request.into_inner();
        let year = if req.academic_year == 0 { term_of(self.today()).0 } else { req.academic_year };
        let lines =
            board_lines(self.store.national_facts(year).await.map_err(status::from_store)?, self.today());
        let csv = to_csv(&lines).map_err(|e| status::internal(&e))?;
        Ok(Response::new(pb::ExportNationalProgrammeResponse { csv }))
    }
}

fn board_lines(facts: Vec<AreaFacts>, today: NaiveDate) -> Vec<AreaLine> {
    facts.into_iter().map(|f| area_line(f, today)).collect()
}
