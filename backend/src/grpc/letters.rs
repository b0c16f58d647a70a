//! `sendplanner.v1.LetterService`: letters and reports, their checks, distribution and
//! publication. Also `GET /letters/{id}/pdf`.

use std::sync::Arc;

use axum::{
    extract::{Path, Request as HttpRequest, State},
    response::{IntoResponse as _, Response as HttpResponse},
};
use chrono::{DateTime, Utc};
use http::{StatusCode, header};
use proto::pb::{self, letter_service_server::LetterService as Rpc};
use tonic::{Request, Response, Status};

use super::{
    convert::{caller, request_id, role_to_pb},
    status,
};
use crate::{
    auth::{Authenticator, RequestId},
    domain::{
        FieldViolation,
        audit::Actor,
        clock::parse_canonical,
        identity::{Caller, Role},
        letters::{ContentFinding, LetterState, check_letter},
        programme::{EngagementKind, term_of},
    },
    pdf::{PrintedLetter, render},
    report::national_report,
    store::{LetterChange, LetterError, LetterRecord, Store, StoreError},
};

/// Longest letter text accepted.
pub const MAX_LETTER_CHARS: usize = 100_000;

/// Letters.
#[derive(Debug, Clone)]
pub struct LetterService {
    store: Store,
    auth: Arc<Authenticator>,
}

impl LetterService {
    /// A service over `store`, timed by the authenticator's clock.
    pub fn new(store: Store, auth: Arc<Authenticator>) -> Self {
        Self { store, auth }
    }
}

fn not_found() -> Status {
    Status::not_found("letter not found")
}

fn parse_id(id: &str) -> Result<i64, Status> {
    id.trim().parse::<i64>().map_err(|_| not_found())
}

fn letter_status(e: LetterError) -> Status {
    match e {
        LetterError::NotFound => not_found(),
        LetterError::NotAllowed(m) => Status::permission_denied(m),
        LetterError::Illegal(m) => Status::failed_precondition(m),
        LetterError::Stale(_) => Status::aborted(e.to_string()),
        LetterError::Invalid(e) => status::invalid_argument(&e),
        LetterError::Store(StoreError::NotFound) => not_found(),
        LetterError::Store(e) => status::from_store(e),
    }
}

fn store_status(e: StoreError) -> Status {
    letter_status(LetterError::Store(e))
}

fn recipient_name(r: i32) -> Option<&'static str> {
    match pb::Recipient::try_from(r).ok()? {
        pb::Recipient::Unspecified => None,
        pb::Recipient::LocalArea => Some("local_area"),
        pb::Recipient::Dfe => Some("dfe"),
        pb::Recipient::NhsEngland => Some("nhs_england"),
        pb::Recipient::Public => Some("public"),
    }
}

fn recipient_to_pb(name: &str) -> pb::Recipient {
    match name {
        "local_area" => pb::Recipient::LocalArea,
        "dfe" => pb::Recipient::Dfe,
        "nhs_england" => pb::Recipient::NhsEngland,
        "public" => pb::Recipient::Public,
        _ => pb::Recipient::Unspecified,
    }
}

fn state_to_pb(s: LetterState) -> pb::LetterState {
    match s {
        LetterState::Draft => pb::LetterState::Draft,
        LetterState::Submitted => pb::LetterState::Submitted,
        LetterState::Approved => pb::LetterState::Approved,
        LetterState::Issued => pb::LetterState::Issued,
        LetterState::Superseded => pb::LetterState::Superseded,
    }
}

fn kind_to_pb(k: EngagementKind) -> pb::EngagementKind {
    match k {
        EngagementKind::FullInspection => pb::EngagementKind::FullInspection,
        EngagementKind::LegacyInspection => pb::EngagementKind::LegacyInspection,
        EngagementKind::MonitoringInspection => pb::EngagementKind::MonitoringInspection,
        EngagementKind::InterimVisit => pb::EngagementKind::InterimVisit,
        EngagementKind::EngagementMeeting => pb::EngagementKind::EngagementMeeting,
        EngagementKind::ThematicVisit => pb::EngagementKind::ThematicVisit,
    }
}

/// A letter as the contract shows it.
pub fn letter_to_pb(l: LetterRecord) -> pb::Letter {
    pb::Letter {
        id: l.id.to_string(),
        engagement_id: l.engagement_id.to_string(),
        engagement_kind: kind_to_pb(l.engagement_kind).into(),
        local_area_name: l.local_area_name,
        region_name: l.region_name,
        title: l.title,
        body: l.body,
        state: state_to_pb(l.state).into(),
        version: l.version,
        distribution: l
            .distribution
            .into_iter()
            .map(|(r, revoked)| pb::DistributionEntry {
                recipient: recipient_to_pb(&r).into(),
                revoked_at: revoked.unwrap_or_default(),
            })
            .collect(),
        publish_at: l.publish_at.unwrap_or_default(),
        published: l.published,
        named_in_national_reports: l.named,
        supersedes_id: l.supersedes_id.map(|i| i.to_string()).unwrap_or_default(),
        superseded_by_id: l.superseded_by_id.map(|i| i.to_string()).unwrap_or_default(),
        issued_at: l.issued_at.unwrap_or_default(),
        first_opened_at: l.first_opened_at.unwrap_or_default(),
        allowed_actions: Vec::new(),
        section_headings: crate::domain::letters::required_sections(l.engagement_kind)
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        returned_reason: String::new(),
    }
}

fn finding_to_pb(f: ContentFinding) -> pb::CheckFinding {
    pb::CheckFinding {
        rule: f.rule.into(),
        message: f.message,
        line: u32::try_from(f.line).unwrap_or_default(),
        column: u32::try_from(f.column).unwrap_or_default(),
    }
}

/// Title and text checked for size.
fn text_fields(title: &str, body: &str) -> Result<(String, String), Status> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(status::invalid_argument(
            &FieldViolation::new("title", "is required (at most 200 characters)").into(),
        ));
    }
    if body.chars().count() > MAX_LETTER_CHARS {
        return Err(status::invalid_argument(
            &FieldViolation::new("body", format!("is longer than {MAX_LETTER_CHARS} characters")).into(),
        ));
    }
    Ok((title.to_owned(), body.to_owned()))
}

/// Splits a letter's text into its sections for print: a line that names a required section,
/// or any short line followed by text, starts a section.
fn printed(l: &LetterRecord) -> PrintedLetter {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    let mut paragraph = String::new();
    let headings = crate::domain::letters::required_sections(l.engagement_kind);
    for line in l.body.lines().map(str::trim) {
        if headings.iter().any(|h| h.eq_ignore_ascii_case(line)) {
            if let Some(last) = sections.last_mut()
                && !paragraph.is_empty()
            {
                last.1.push(std::mem::take(&mut paragraph));
            }
            sections.push((line.to_owned(), Vec::new()));
        } else if line.is_empty() {
            if let Some(last) = sections.last_mut()
                && !paragraph.is_empty()
            {
                last.1.push(std::mem::take(&mut paragraph));
            }
        } else {
            if sections.is_empty() {
                sections.push((String::new(), Vec::new()));
            }
            if !paragraph.is_empty() {
                paragraph.push(' ');
            }
            paragraph.push_str(line);
        }
    }
    if let Some(last) = sections.last_mut()
        && !paragraph.is_empty()
    {
        last.1.push(paragraph);
    }
    let date = l
        .issued_at
        .as_deref()
        .and_then(parse_canonical)
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|| "Draft".into());
    PrintedLetter {
        title: l.title.clone(),
        date,
        addressee: vec![format!("{} local area", l.local_area_name), l.region_name.clone()],
        sections,
    }
}

impl LetterService {
    async fn change(
        &self,
        id: &str,
        version: i64,
        change: LetterChange,
        caller: &Caller,
        rid: &str,
        action: &str,
    ) -> Result<pb::Letter, Status> {
        let id = parse_id(id)?;
        let event = Actor::person(&caller.person, rid).event(action, "letter", &id.to_string(), "ok", "");
        let changed = self
            .store
            .change_letter(id, version, &change, &caller.person, self.auth.clock().now(), &event)
            .await
            .map_err(letter_status)?;
        Ok(letter_to_pb(changed))
    }

    async fn visible(&self, id: &str, caller: &Caller) -> Result<LetterRecord, Status> {
        self.store.letter(parse_id(id)?, &caller.person).await.map_err(store_status)
    }
}

#[tonic::async_trait]
impl Rpc for LetterService {
    async fn create_letter(
        &self,
        request: Request<pb::CreateLetterRequest>,
    ) -> Result<Response<pb::CreateLetterResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let (title, body) = text_fields(&req.title, &req.body)?;
        let engagement =
            req.engagement_id.trim().parse::<i64>().map_err(|_| Status::not_found("engagement not found"))?;
        let letter = self
            .store
            .create_letter(engagement, &title, &body, &caller.person, self.auth.clock().now(), |id| {
                actor.event("letter.create", "letter", &id.to_string(), "ok", "")
            })
            .await
            .map_err(|e| match e {
                LetterError::NotFound => Status::not_found("engagement not found"),
                e => letter_status(e),
            })?;
        Ok(Response::new(pb::CreateLetterResponse { letter: Some(letter_to_pb(letter)) }))
    }

    async fn update_draft(
        &self,
        request: Request<pb::UpdateDraftRequest>,
    ) -> Result<Response<pb::UpdateDraftResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let (title, body) = text_fields(&req.title, &req.body)?;
        let l = self
            .change(&req.id, req.version, LetterChange::Edit { title, body }, &caller, &rid, "letter.edit")
            .await?;
        Ok(Response::new(pb::UpdateDraftResponse { letter: Some(l) }))
    }

    async fn check_letter(
        &self,
        request: Request<pb::CheckLetterRequest>,
    ) -> Result<Response<pb::CheckLetterResponse>, Status> {
        let caller = caller(&request)?;
        let letter = self.visible(&request.get_ref().id, &caller).await?;
        let findings = check_letter(letter.engagement_kind, &letter.body, &[]);
        Ok(Response::new(pb::CheckLetterResponse {
            findings: findings.into_iter().map(finding_to_pb).collect(),
        }))
    }

    async fn submit_letter(
        &self,
        request: Request<pb::SubmitLetterRequest>,
    ) -> Result<Response<pb::SubmitLetterResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let l =
            self.change(&req.id, req.version, LetterChange::Submit, &caller, &rid, "letter.submit").await?;
        Ok(Response::new(pb::SubmitLetterResponse { letter: Some(l) }))
    }

    async fn return_letter(
        &self,
        request: Request<pb::ReturnLetterRequest>,
    ) -> Result<Response<pb::ReturnLetterResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        if req.reason.trim().is_empty() {
            return Err(status::invalid_argument(&FieldViolation::new("reason", "is required").into()));
        }
        let l =
            self.change(&req.id, req.version, LetterChange::Return, &caller, &rid, "letter.return").await?;
        Ok(Response::new(pb::ReturnLetterResponse { letter: Some(l) }))
    }

    async fn approve_letter(
        &self,
        request: Request<pb::ApproveLetterRequest>,
    ) -> Result<Response<pb::ApproveLetterResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let letter = self.visible(&req.id, &caller).await?;
        let mut overrides = Vec::new();
        for o in &req.overrides {
            if o.reason.trim().is_empty() {
                let v = FieldViolation::new("overrides", format!("overriding {} needs a reason", o.rule));
                return Err(status::invalid_argument(&v.into()));
            }
            overrides.push((o.rule.clone(), o.reason.trim().to_owned()));
        }
        let blocking: Vec<String> = check_letter(letter.engagement_kind, &letter.body, &[])
            .into_iter()
            .filter(|f| !overrides.iter().any(|(rule, _)| rule == f.rule))
            .map(|f| {
                if f.line == 0 {
                    format!("{}: {}", f.rule, f.message)
                } else {
                    format!("{} at line {}, column {}: {}", f.rule, f.line, f.column, f.message)
                }
            })
            .collect();
        if !blocking.is_empty() {
            return Err(Status::failed_precondition(blocking.join("; ")));
        }
        let l = self
            .change(&req.id, req.version, LetterChange::Approve(overrides), &caller, &rid, "letter.approve")
            .await?;
        Ok(Response::new(pb::ApproveLetterResponse { letter: Some(l) }))
    }

    async fn set_distribution(
        &self,
        request: Request<pb::SetDistributionRequest>,
    ) -> Result<Response<pb::SetDistributionResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let mut recipients = Vec::new();
        for r in &req.recipients {
            let name = recipient_name(*r).ok_or_else(|| {
                status::invalid_argument(
                    &FieldViolation::new("recipients", format!("{r} is not a recipient")).into(),
                )
            })?;
            if !recipients.contains(&name) {
                recipients.push(name);
            }
        }
        if recipients.is_empty() {
            return Err(status::invalid_argument(
                &FieldViolation::new("recipients", "must name at least one recipient").into(),
            ));
        }
        let l = self
            .change(
                &req.id,
                req.version,
                LetterChange::Distribution(recipients),
                &caller,
                &rid,
                "letter.distribution",
            )
            .await?;
        Ok(Response::new(pb::SetDistributionResponse { letter: Some(l) }))
    }

    async fn issue_letter(
        &self,
        request: Request<pb::IssueLetterRequest>,
    ) -> Result<Response<pb::IssueLetterResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let letter = self.visible(&req.id, &caller).await?;
        let publish_at = match req.publish_at.trim() {
            "" if letter.engagement_kind.is_inspection()
                && letter.distribution.iter().any(|(r, _)| r == "public") =>
            {
                return Err(status::invalid_argument(
                    &FieldViolation::new("publish_at", "is required: the report is published at this time")
                        .into(),
                ));
            }
            "" => None,
            text => {
                let at = DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).map_err(|_| {
                    status::invalid_argument(
                        &FieldViolation::new("publish_at", "is not an RFC 3339 time").into(),
                    )
                })?;
                if at < self.auth.clock().now() {
                    return Err(status::invalid_argument(
                        &FieldViolation::new("publish_at", "is in the past").into(),
                    ));
                }
                Some(at)
            }
        };
        let l = self
            .change(&req.id, req.version, LetterChange::Issue(publish_at), &caller, &rid, "letter.issue")
            .await?;
        Ok(Response::new(pb::IssueLetterResponse { letter: Some(l) }))
    }

    async fn revoke_recipient(
        &self,
        request: Request<pb::RevokeRecipientRequest>,
    ) -> Result<Response<pb::RevokeRecipientResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let id = parse_id(&req.id)?;
        let recipient = recipient_name(req.recipient).ok_or_else(|| {
            status::invalid_argument(&FieldViolation::new("recipient", "is required").into())
        })?;
        let event = actor.event("letter.revoke", "letter", &id.to_string(), "ok", recipient);
        let l = self
            .store
            .revoke_recipient(id, recipient, &caller.person, self.auth.clock().now(), &event)
            .await
            .map_err(letter_status)?;
        Ok(Response::new(pb::RevokeRecipientResponse { letter: Some(letter_to_pb(l)) }))
    }

    async fn correct_letter(
        &self,
        request: Request<pb::CorrectLetterRequest>,
    ) -> Result<Response<pb::CorrectLetterResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let id = parse_id(&req.id)?;
        let (title, body) = text_fields(&req.title, &req.body)?;
        let l = self
            .store
            .correct_letter(id, &title, &body, &caller.person, self.auth.clock().now(), |new| {
                actor.event("letter.correct", "letter", &new.to_string(), "ok", &format!("supersedes={id}"))
            })
            .await
            .map_err(letter_status)?;
        Ok(Response::new(pb::CorrectLetterResponse { letter: Some(letter_to_pb(l)) }))
    }

    async fn set_publication(
        &self,
        request: Request<pb::SetPublicationRequest>,
    ) -> Result<Response<pb::SetPublicationResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let id = parse_id(&req.id)?;
        let detail = format!("publish={} named={}", req.publish, req.named_in_national_reports);
        let event = actor.event("letter.publication", "letter", &id.to_string(), "ok", &detail);
        let l = self
            .store
            .set_publication(
                id,
                req.publish,
                req.named_in_national_reports,
                &caller.person,
                self.auth.clock().now(),
                &event,
            )
            .await
            .map_err(letter_status)?;
        Ok(Response::new(pb::SetPublicationResponse { letter: Some(letter_to_pb(l)) }))
    }

    async fn list_inbox(
        &self,
        request: Request<pb::ListInboxRequest>,
    ) -> Result<Response<pb::ListInboxResponse>, Status> {
        let caller = caller(&request)?;
        let letters = self.store.inbox(&caller.person).await.map_err(store_status)?;
        Ok(Response::new(pb::ListInboxResponse { letters: letters.into_iter().map(letter_to_pb).collect() }))
    }

    async fn list_letters(
        &self,
        request: Request<pb::ListLettersRequest>,
    ) -> Result<Response<pb::ListLettersResponse>, Status> {
        let caller = caller(&request)?;
        let engagement = request.get_ref().engagement_id.trim().parse::<i64>().unwrap_or(-1);
        let letters = self.store.letters_of(engagement, &caller.person).await.map_err(store_status)?;
        Ok(Response::new(pb::ListLettersResponse {
            letters: letters.into_iter().map(letter_to_pb).collect(),
        }))
    }

    async fn get_letter(
        &self,
        request: Request<pb::GetLetterRequest>,
    ) -> Result<Response<pb::GetLetterResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let letter = self.visible(&request.get_ref().id, &caller).await?;
        let event = actor.event("letter.view", "letter", &letter.id.to_string(), "ok", "");
        self.store
            .record_letter_view(letter.id, &caller.person, self.auth.clock().now(), &event)
            .await
            .map_err(store_status)?;
        let letter = self.store.letter(letter.id, &caller.person).await.map_err(store_status)?;
        Ok(Response::new(pb::GetLetterResponse { letter: Some(letter_to_pb(letter)) }))
    }

    async fn list_letter_views(
        &self,
        request: Request<pb::ListLetterViewsRequest>,
    ) -> Result<Response<pb::ListLetterViewsResponse>, Status> {
        let caller = caller(&request)?;
        let letter = self.visible(&request.get_ref().id, &caller).await?;
        let views = self.store.letter_views(letter.id).await.map_err(store_status)?;
        Ok(Response::new(pb::ListLetterViewsResponse {
            views: views
                .into_iter()
                .map(|(person, action, occurred_at)| pb::LetterView { person, action, occurred_at })
                .collect(),
        }))
    }

    async fn who_can_see(
        &self,
        request: Request<pb::WhoCanSeeRequest>,
    ) -> Result<Response<pb::WhoCanSeeResponse>, Status> {
        let caller = caller(&request)?;
        let letter = self.visible(&request.get_ref().id, &caller).await?;
        let people = self.store.who_can_see(letter.id).await.map_err(store_status)?;
        Ok(Response::new(pb::WhoCanSeeResponse {
            people: people
                .into_iter()
                .map(|(username, display_name, role, because)| pb::PersonWithAccess {
                    username,
                    display_name,
                    role: role.parse::<Role>().map(role_to_pb).unwrap_or_default().into(),
                    because,
                })
                .collect(),
        }))
    }

    async fn list_published_letters(
        &self,
        _request: Request<pb::ListPublishedLettersRequest>,
    ) -> Result<Response<pb::ListPublishedLettersResponse>, Status> {
        let letters = self.store.published_letters(self.auth.clock().now()).await.map_err(store_status)?;
        Ok(Response::new(pb::ListPublishedLettersResponse {
            letters: letters
                .into_iter()
                .map(|l| pb::Letter { distribution: Vec::new(), version: 0, ..letter_to_pb(l) })
                .collect(),
        }))
    }

    async fn export_national_report(
        &self,
        request: Request<pb::ExportNationalReportRequest>,
    ) -> Result<Response<pb::ExportNationalReportResponse>, Status> {
        let year = match request.get_ref().academic_year {
            0 => term_of(self.auth.clock().now().date_naive()).0,
            y => y,
        };
        let letters = self.store.issued_interim_letters(year).await.map_err(store_status)?;
        let named: Vec<String> =
            letters.iter().filter(|l| l.named).map(|l| l.local_area_name.clone()).collect();
        let names = self.store.identifying_names(&named).await.map_err(store_status)?;
        Ok(Response::new(pb::ExportNationalReportResponse { text: national_report(year, &letters, &names) }))
    }
}

/// What the PDF route needs.
#[derive(Debug, Clone)]
pub struct LetterPdfs {
    /// The store.
    pub store: Store,
    /// For the clock.
    pub auth: Arc<Authenticator>,
}

/// `GET /letters/{id}/pdf`: an issued letter (or, for its team and planners, a draft) as PDF, to
/// the letter's audience only; every download is audited.
pub async fn download_pdf(
    State(pdfs): State<LetterPdfs>,
    Path(id): Path<String>,
    request: HttpRequest,
) -> HttpResponse {
    let missing =
        || (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], "not found").into_response();
    let Some(caller) = request.extensions().get::<Caller>().cloned() else { return missing() };
    let Ok(id) = id.parse::<i64>() else { return missing() };
    let letter = match pdfs.store.letter(id, &caller.person).await {
        Ok(letter) => letter,
        Err(StoreError::NotFound) => return missing(),
        Err(e) => {
            tracing::error!(error = %e, "failed to read a letter");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let rid = request.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let event =
        Actor::person(&caller.person, &rid).event("letter.download", "letter", &id.to_string(), "ok", "");
    if let Err(e) = pdfs.store.record_letter_view(id, &caller.person, pdfs.auth.clock().now(), &event).await {
        tracing::error!(error = %e, "failed to record a letter download");
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    }
    match render(&printed(&letter)) {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"letter-{id}.pdf\"")),
                (header::CACHE_CONTROL, "no-store".to_owned()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "failed to render a letter");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}
