//! `sendplanner.v1.ConsentService`: confidential visit requests and written consent.

use std::sync::Arc;

use proto::pb::{
    self, AcknowledgeSafeguardingConcernRequest, AcknowledgeSafeguardingConcernResponse,
    AnswerVisitRequestRequest, AnswerVisitRequestResponse, CancelVisitRequestRequest,
    CancelVisitRequestResponse, CreateVisitRequestRequest, CreateVisitRequestResponse,
    GetConsentTotalsRequest, GetConsentTotalsResponse, GetVisitRequestRequest, GetVisitRequestResponse,
    ListSafeguardingConcernsRequest, ListSafeguardingConcernsResponse, ListVisitRequestsRequest,
    ListVisitRequestsResponse, RecordSafeguardingConcernRequest, RecordSafeguardingConcernResponse,
    WithdrawConsentRequest, WithdrawConsentResponse, answer_visit_request_request,
    consent_service_server::ConsentService as Rpc,
};
use tonic::{Request, Response, Status};

use super::{
    convert::{caller, range_to_pb, request_id},
    status,
};
use crate::{
    auth::Authenticator,
    domain::{
        Refusal,
        audit::Actor,
        consent::{
            Answer, ConsentAnswer, ConsentRecord, NewVisitRequest, RequestAction, RequestChange,
            RequestState, SafeguardingConcern, Term, VisitRequest, allowed_actions, decide, may_create,
        },
        identity::{Caller, Person},
        public_id::parse_public_id,
        reference::page_size,
        start_page::{Acknowledgement, acknowledge},
    },
    store::Store,
};

/// Largest message the service accepts: a 10 MiB document plus the form around it.
pub const MAX_MESSAGE_BYTES: usize = 11 * 1024 * 1024;

/// Visit requests and consent.
#[derive(Debug, Clone)]
pub struct ConsentService {
    store: Store,
    auth: Arc<Authenticator>,
}

impl ConsentService {
    /// A service over `store`, timed by the authenticator's clock.
    pub fn new(store: Store, auth: Arc<Authenticator>) -> Self {
        Self { store, auth }
    }
}

/// What the store's failures and the rules' refusals answer: a request the caller may not
/// see answers exactly as a missing one.
const WHAT: &str = "visit request";

/// Ids are public ids (UUIDv4); anything else cannot exist.
pub(crate) fn parse_id(id: &str) -> Result<&str, Status> {
    parse_public_id(id).ok_or_else(|| status::not_found(WHAT))
}

pub(crate) fn term_from_pb(value: i32) -> Option<Term> {
    match pb::Term::try_from(value).ok()? {
        pb::Term::Unspecified => None,
        pb::Term::Autumn => Some(Term::Autumn),
        pb::Term::Spring => Some(Term::Spring),
        pb::Term::Summer => Some(Term::Summer),
    }
}

pub fn term_to_pb(t: Term) -> pb::Term {
    match t {
        Term::Autumn => pb::Term::Autumn,
        Term::Spring => pb::Term::Spring,
        Term::Summer => pb::Term::Summer,
    }
}

/// Domain state to proto.
pub fn state_to_pb(s: RequestState) -> pb::RequestState {
    match s {
        RequestState::Requested => pb::RequestState::Requested,
        RequestState::Consented => pb::RequestState::Consented,
        RequestState::Declined => pb::RequestState::Declined,
        RequestState::Withdrawn => pb::RequestState::Withdrawn,
        RequestState::Expired => pb::RequestState::Expired,
        RequestState::Cancelled => pb::RequestState::Cancelled,
    }
}

fn action_to_pb(a: RequestAction) -> pb::RequestAction {
    match a {
        RequestAction::Answer => pb::RequestAction::Answer,
        RequestAction::Withdraw => pb::RequestAction::Withdraw,
        RequestAction::Cancel => pb::RequestAction::Cancel,
        RequestAction::RecordSafeguardingConcern => pb::RequestAction::RecordSafeguardingConcern,
        RequestAction::ScheduleVisit => pb::RequestAction::ScheduleVisit,
    }
}

pub(crate) fn state_from_pb(value: i32) -> Result<Option<RequestState>, Status> {
    Ok(match pb::RequestState::try_from(value) {
        Ok(pb::RequestState::Unspecified) => None,
        Ok(pb::RequestState::Requested) => Some(RequestState::Requested),
        Ok(pb::RequestState::Consented) => Some(RequestState::Consented),
        Ok(pb::RequestState::Declined) => Some(RequestState::Declined),
        Ok(pb::RequestState::Withdrawn) => Some(RequestState::Withdrawn),
        Ok(pb::RequestState::Expired) => Some(RequestState::Expired),
        Ok(pb::RequestState::Cancelled) => Some(RequestState::Cancelled),
        Err(_) => return Err(status::invalid("state", "Select a request state")),
    })
}

/// A ListVisitRequests request's state filter, page size and page token (the public id of the
/// last request of the page before, or empty).
pub(crate) fn requests_page(
    req: &ListVisitRequestsRequest,
) -> Result<(Option<RequestState>, u32, &str), Status> {
    let state = state_from_pb(req.state)?;
    let limit = page_size(req.page_size).map_err(Refusal::from)?;
    let before = match req.page_token.trim() {
        "" => "",
        token => parse_public_id(token)
            .ok_or_else(|| status::invalid("page_token", "is not a page token this server issued"))?,
    };
    Ok((state, limit, before))
}

/// A local area's answer checked against `today`, with the audit event's action and detail.
pub(crate) fn answer_from_pb(
    answer: Option<answer_visit_request_request::Answer>,
    today: chrono::NaiveDate,
) -> Result<(Answer, (&'static str, String)), Status> {
    match answer {
        Some(answer_visit_request_request::Answer::Consent(c)) => {
            let unavailable: Vec<(String, String)> =
                c.unavailable.into_iter().map(|r| (r.first_day, r.last_day)).collect();
            let parsed = ConsentAnswer::parse(
                &c.signatory_name,
                &c.signatory_role,
                &c.organisation,
                &c.date_signed,
                c.document,
                &unavailable,
                today,
            )
            .map_err(|e| status::invalid_argument(&e))?;
            let detail = format!("document_sha256={}", parsed.sha256);
            Ok((Answer::Consent(parsed), ("visit_request.consent", detail)))
        }
        Some(answer_visit_request_request::Answer::Decline(d)) => {
            Ok((Answer::Decline(d.reason), ("visit_request.decline", String::new())))
        }
        None => Err(status::invalid("answer", "Choose whether to consent or decline")),
    }
}

fn consent_to_pb(c: ConsentRecord) -> pb::Consent {
    pb::Consent {
        signatory_name: c.signatory_name,
        signatory_role: c.signatory_role,
        organisation: c.organisation,
        date_signed: c.date_signed.to_string(),
        document: Some(pb::ConsentDocument {
            id: c.document.id,
            content_type: c.document.content_type,
            size_bytes: u64::try_from(c.document.size_bytes).unwrap_or_default(),
            sha256: c.document.sha256,
        }),
        unavailable: c.unavailable.into_iter().map(range_to_pb).collect(),
    }
}

/// A request as the contract shows it to `viewer`, with what they may do to it now.
pub fn request_to_pb(r: VisitRequest, viewer: &Person) -> pb::VisitRequest {
    let allowed = allowed_actions(viewer, &r.facts());
    pb::VisitRequest {
        id: r.id,
        local_area_code: r.local_area_code,
        local_area_name: r.local_area_name,
        region_code: r.region_code,
        region_name: r.region_name,
        phase: Some(pb::Phase { term: term_to_pb(r.term).into(), academic_year: r.academic_year }),
        window: Some(range_to_pb(r.window)),
        reply_by: r.reply_by.to_string(),
        note: r.note,
        state: state_to_pb(r.state).into(),
        version: r.version,
        consent: r.consent.map(consent_to_pb),
        history: r
            .history
            .into_iter()
            .map(|h| pb::RequestEvent {
                seq: u32::try_from(h.seq).unwrap_or_default(),
                occurred_at: h.occurred_at,
                actor_display_name: h.actor_display_name,
                kind: h.kind,
                state: state_to_pb(h.state_after).into(),
                note: h.note,
            })
            .collect(),
        created_at: r.created_at,
        safeguarding_concern: r.safeguarding_concern,
        allowed_actions: allowed.into_iter().map(|a| action_to_pb(a).into()).collect(),
    }
}

fn concern_to_pb(c: SafeguardingConcern) -> pb::SafeguardingConcern {
    let (acknowledged_by, acknowledged_at) = c.acknowledged.unwrap_or_default();
    pb::SafeguardingConcern {
        request_id: c.request_id,
        local_area_name: c.local_area_name,
        region_name: c.region_name,
        raised_by: c.raised_by,
        note: c.note,
        raised_at: c.raised_at,
        id: c.id,
        acknowledged_by,
        acknowledged_at,
    }
}

impl ConsentService {
    /// Loads the request's facts, decides `change` on them and stores the outcome, in one
    /// transaction; `action` and `detail` name the audit event.
    async fn change(
        &self,
        id: &str,
        change: RequestChange<'_>,
        caller: &Caller,
        request_id: &str,
        (action, outcome, detail): (&str, &str, &str),
    ) -> Result<pb::VisitRequest, Status> {
        let id = parse_id(id)?;
        let event =
            Actor::person(&caller.person, request_id).event(action, "visit_request", id, outcome, detail);
        let changed = self
            .store
            .change_visit_request(id, &caller.person, self.auth.clock().now(), &event, |facts| {
                decide(&caller.person, facts, &change)
            })
            .await
            .map_err(status::store(WHAT))?;
        Ok(request_to_pb(changed, &caller.person))
    }
}

#[tonic::async_trait]
impl Rpc for ConsentService {
    async fn create_visit_request(
        &self,
        request: Request<CreateVisitRequestRequest>,
    ) -> Result<Response<CreateVisitRequestResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let now = self.auth.clock().now();
        let phase = req.phase.unwrap_or_default();
        let window = req.window.as_ref().map(|w| (w.first_day.as_str(), w.last_day.as_str()));
        let new = NewVisitRequest::parse(
            &req.local_area_code,
            term_from_pb(phase.term),
            phase.academic_year,
            window,
            &req.reply_by,
            &req.note,
            now.date_naive(),
        )
        .map_err(|e| status::invalid_argument(&e))?;
        let created = self
            .store
            .create_visit_request(
                &new,
                &caller.person,
                now,
                |id| actor.event("visit_request.create", "visit_request", id, "ok", ""),
                |region| may_create(&caller.person, region),
            )
            .await
            .map_err(status::store(WHAT))?;
        Ok(Response::new(CreateVisitRequestResponse {
            request: Some(request_to_pb(created, &caller.person)),
        }))
    }

    async fn list_visit_requests(
        &self,
        request: Request<ListVisitRequestsRequest>,
    ) -> Result<Response<ListVisitRequestsResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let (state, limit, before) = requests_page(&req)?;
        let today = self.auth.clock().now().date_naive();
        let mut requests = self
            .store
            .list_visit_requests(&caller.person.scope, state, before, i64::from(limit) + 1, today)
            .await
            .map_err(status::store(WHAT))?;
        let next_page_token = if requests.len() > limit as usize {
            requests.truncate(limit as usize);
            requests.last().map(|r| r.id.clone()).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(ListVisitRequestsResponse {
            requests: requests.into_iter().map(|r| request_to_pb(r, &caller.person)).collect(),
            next_page_token,
        }))
    }

    async fn get_visit_request(
        &self,
        request: Request<GetVisitRequestRequest>,
    ) -> Result<Response<GetVisitRequestResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let id = parse_id(&request.get_ref().id)?;
        let event = actor.event("visit_request.read", "visit_request", id, "ok", "");
        let found = self
            .store
            .visit_request(id, &caller.person.scope, self.auth.clock().now(), &event)
            .await
            .map_err(status::store(WHAT))?;
        Ok(Response::new(GetVisitRequestResponse { request: Some(request_to_pb(found, &caller.person)) }))
    }

    async fn answer_visit_request(
        &self,
        request: Request<AnswerVisitRequestRequest>,
    ) -> Result<Response<AnswerVisitRequestResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let today = self.auth.clock().now().date_naive();
        let (answer, audit) = answer_from_pb(req.answer, today)?;
        let change = RequestChange::Answer { version: req.version, answer: &answer };
        let changed = self.change(&req.id, change, &caller, &rid, (audit.0, "ok", &audit.1)).await?;
        Ok(Response::new(AnswerVisitRequestResponse { request: Some(changed) }))
    }

    async fn withdraw_consent(
        &self,
        request: Request<WithdrawConsentRequest>,
    ) -> Result<Response<WithdrawConsentResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let change = RequestChange::Withdraw { version: req.version, reason: &req.reason };
        let changed =
            self.change(&req.id, change, &caller, &rid, ("visit_request.withdraw", "ok", "")).await?;
        Ok(Response::new(WithdrawConsentResponse { request: Some(changed) }))
    }

    async fn cancel_visit_request(
        &self,
        request: Request<CancelVisitRequestRequest>,
    ) -> Result<Response<CancelVisitRequestResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let change = RequestChange::Cancel { version: req.version, reason: &req.reason };
        let changed = self.change(&req.id, change, &caller, &rid, ("visit_request.cancel", "ok", "")).await?;
        Ok(Response::new(CancelVisitRequestResponse { request: Some(changed) }))
    }

    async fn record_safeguarding_concern(
        &self,
        request: Request<RecordSafeguardingConcernRequest>,
    ) -> Result<Response<RecordSafeguardingConcernResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let change = RequestChange::RecordSafeguardingConcern { note: &req.note };
        let flagged =
            self.change(&req.id, change, &caller, &rid, ("safeguarding.escalate", "escalated", "")).await?;
        tracing::warn!(request = %flagged.id, "safeguarding concern recorded and escalated to national planners");
        Ok(Response::new(RecordSafeguardingConcernResponse { request: Some(flagged) }))
    }

    async fn list_safeguarding_concerns(
        &self,
        _request: Request<ListSafeguardingConcernsRequest>,
    ) -> Result<Response<ListSafeguardingConcernsResponse>, Status> {
        let concerns = self.store.safeguarding_concerns().await.map_err(status::store(WHAT))?;
        Ok(Response::new(ListSafeguardingConcernsResponse {
            concerns: concerns.into_iter().map(concern_to_pb).collect(),
        }))
    }

    async fn acknowledge_safeguarding_concern(
        &self,
        request: Request<AcknowledgeSafeguardingConcernRequest>,
    ) -> Result<Response<AcknowledgeSafeguardingConcernResponse>, Status> {
        const CONCERN: &str = "safeguarding concern";
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let id = parse_public_id(&request.get_ref().id).ok_or_else(|| status::not_found(CONCERN))?;
        let audit = |decision| {
            let outcome = match decision {
                Acknowledgement::Record => "acknowledged",
                Acknowledgement::AlreadyDone => "already_acknowledged",
            };
            actor.event("safeguarding.acknowledge", "safeguarding_concern", id, outcome, "")
        };
        let concern = self
            .store
            .acknowledge_safeguarding_concern(id, &caller.person, self.auth.clock().now(), audit, |already| {
                acknowledge(&caller.person, already)
            })
            .await
            .map_err(status::store(CONCERN))?;
        Ok(Response::new(AcknowledgeSafeguardingConcernResponse { concern: Some(concern_to_pb(concern)) }))
    }

    async fn get_consent_totals(
        &self,
        request: Request<GetConsentTotalsRequest>,
    ) -> Result<Response<GetConsentTotalsResponse>, Status> {
        let caller = caller(&request)?;
        let today = self.auth.clock().now().date_naive();
        let rows =
            self.store.consent_totals(&caller.person.scope, today).await.map_err(status::store(WHAT))?;
        let totals = rows
            .into_iter()
            .map(|t| pb::ConsentTotal {
                region_code: t.region_code,
                region_name: t.region_name,
                phase: Some(pb::Phase { term: term_to_pb(t.term).into(), academic_year: t.academic_year }),
                state: state_to_pb(t.state).into(),
                count: u32::try_from(t.count).unwrap_or(u32::MAX),
            })
            .collect();
        Ok(Response::new(GetConsentTotalsResponse { totals }))
    }
}
