//! `sendplanner.v1.LetterService`: letters and reports, their checks, distribution and
//! publication. Also `GET /letters/{id}/pdf`. Each handler decodes the request, has the store
//! load the facts (inside the write's transaction for a change), lets `domain::letters` decide,
//! and encodes the letter with the actions its caller may take now.

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
    convert::{caller, kind_to_pb, request_id, role_to_pb},
    status,
};
use crate::{
    auth::{Authenticator, RequestId},
    domain::{
        Refusal,
        audit::Actor,
        clock::parse_canonical,
        identity::{Caller, Person, Role},
        letter_text,
        letters::{
            self, ContentFinding, LetterAction, LetterChange, LetterFacts, LetterRecord, LetterRequest,
            LetterState, check_letter, required_sections,
        },
        programme::term_of,
        public_id::parse_public_id,
    },
    pdf::{PrintedLetter, render},
    report::national_report,
    store::{Store, StoreError},
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

/// A letter id from the request; anything unreadable is a letter that is not there.
/// A letter's public id from a request; a malformed one answers as a missing letter.
pub(crate) fn parse_id(id: &str) -> Result<&str, Status> {
    parse_public_id(id).ok_or_else(|| status::not_found("letter"))
}

pub(crate) fn recipient_name(r: i32) -> Option<&'static str> {
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

fn action_to_pb(a: LetterAction) -> pb::LetterAction {
    match a {
        LetterAction::Edit => pb::LetterAction::Edit,
        LetterAction::Submit => pb::LetterAction::Submit,
        LetterAction::Return => pb::LetterAction::Return,
        LetterAction::Approve => pb::LetterAction::Approve,
        LetterAction::SetDistribution => pb::LetterAction::SetDistribution,
        LetterAction::Issue => pb::LetterAction::Issue,
        LetterAction::Revoke => pb::LetterAction::Revoke,
        LetterAction::Correct => pb::LetterAction::Correct,
        LetterAction::SetPublication => pb::LetterAction::SetPublication,
        LetterAction::ViewAudience => pb::LetterAction::ViewAudience,
    }
}

/// A letter as the contract shows it, with the actions the caller may take on it. The reason it
/// was returned goes only to those who act on it (its team and national planners).
pub fn letter_to_pb(l: LetterRecord, actions: &[LetterAction]) -> pb::Letter {
    pb::Letter {
        id: l.public_id,
        engagement_id: l.engagement_public_id,
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
        supersedes_id: l.supersedes_id.unwrap_or_default(),
        superseded_by_id: l.superseded_by_id.unwrap_or_default(),
        issued_at: l.issued_at.unwrap_or_default(),
        first_opened_at: l.first_opened_at.unwrap_or_default(),
        allowed_actions: actions.iter().map(|a| i32::from(action_to_pb(*a))).collect(),
        section_headings: required_sections(l.engagement_kind).iter().map(|s| (*s).to_owned()).collect(),
        returned_reason: l.returned_reason,
    }
}

/// The letter of `facts` as `viewer` receives it: with what they may do now.
fn encode(viewer: &Person, facts: LetterFacts) -> pb::Letter {
    let actions = letters::allowed_actions(viewer, &facts);
    let mut letter = facts.letter;
    let acts_on_it = matches!(viewer.role(), Role::NationalPlanner) || facts.team.caller_role.is_some();
    if !acts_on_it {
        letter.returned_reason.clear();
    }
    letter_to_pb(letter, &actions)
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
pub(crate) fn text_fields(title: &str, body: &str) -> Result<(String, String), Status> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(status::invalid("title", "Enter a title of at most 200 characters"));
    }
    if body.chars().count() > MAX_LETTER_CHARS {
        return Err(status::invalid(
            "body",
            format!("The text must be at most {MAX_LETTER_CHARS} characters"),
        ));
    }
    Ok((title.to_owned(), body.to_owned()))
}

/// The recipients of a distribution list, each once, in the order given.
pub(crate) fn recipients(values: &[i32]) -> Result<Vec<&'static str>, Status> {
    let mut recipients = Vec::new();
    for r in values {
        let name = recipient_name(*r)
            .ok_or_else(|| status::invalid("recipients", "Select recipients from the list"))?;
        if !recipients.contains(&name) {
            recipients.push(name);
        }
    }
    if recipients.is_empty() {
        return Err(status::invalid("recipients", "Select at least one recipient"));
    }
    Ok(recipients)
}

/// A report's publication time as typed (RFC 3339), or `None` when empty.
pub(crate) fn publish_at(text: &str) -> Result<Option<DateTime<Utc>>, Status> {
    match text.trim() {
        "" => Ok(None),
        text => DateTime::parse_from_rfc3339(text).map(|t| Some(t.with_timezone(&Utc))).map_err(|_| {
            status::invalid(
                "publish_at",
                "Enter the publication time as a date and time, such as 2027-05-04T09:30:00Z",
            )
        }),
    }
}

/// The academic year a national report covers: the one asked for, or (0) the one `today` is in.
pub(crate) fn report_year(requested: i32, today: chrono::NaiveDate) -> i32 {
    match requested {
        0 => term_of(today).0,
        y => y,
    }
}

/// A letter laid out for print: its text read by the one layout the web app uses too.
pub(crate) fn printed(l: &LetterRecord) -> PrintedLetter {
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
        sections: letter_text::sections(&l.body, required_sections(l.engagement_kind)),
    }
}

impl LetterService {
    /// Decides `change` on letter `id` inside the store's write transaction and answers the
    /// letter written, audited as `action` (with `detail`).
    #[expect(clippy::too_many_arguments, reason = "the change, who asked and its audit, each distinct")]
    async fn change(
        &self,
        id: &str,
        version: Option<i64>,
        change: LetterChange,
        caller: &Caller,
        rid: &str,
        action: &str,
        detail: &str,
    ) -> Result<pb::Letter, Status> {
        let id = parse_id(id)?;
        let actor = Actor::person(&caller.person, rid);
        let request = LetterRequest { version, change };
        let facts = self
            .store
            .change_letter(
                id,
                &caller.person,
                self.auth.clock().now(),
                |facts| letters::decide(&caller.person, facts, &request),
                |written| {
                    let detail = if written == id { detail.to_owned() } else { format!("supersedes={id}") };
                    actor.event(action, "letter", written, "ok", &detail)
                },
            )
            .await
            .map_err(status::store("letter"))?;
        Ok(encode(&caller.person, facts))
    }

    async fn visible(&self, id: &str, caller: &Caller) -> Result<LetterFacts, Status> {
        self.store
            .letter_facts(parse_id(id)?, &caller.person, self.auth.clock().now())
            .await
            .map_err(status::store("letter"))
    }

    /// The audience pages (views, who can see) for those the rules let see them.
    async fn audience(&self, id: &str, caller: &Caller) -> Result<LetterRecord, Status> {
        let facts = self.visible(id, caller).await?;
        if !letters::allowed_actions(&caller.person, &facts).contains(&LetterAction::ViewAudience) {
            return Err(Refusal::NotAllowed(
                "Your role does not allow you to see a letter's audience".into(),
            )
            .into());
        }
        Ok(facts.letter)
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
            parse_public_id(&req.engagement_id).ok_or_else(|| status::not_found("engagement"))?;
        let facts = self
            .store
            .create_letter(
                engagement,
                &title,
                &body,
                &caller.person,
                self.auth.clock().now(),
                |facts| letters::decide_draft(&caller.person, facts),
                |id| actor.event("letter.create", "letter", id, "ok", ""),
            )
            .await
            .map_err(status::store("engagement"))?;
        Ok(Response::new(pb::CreateLetterResponse { letter: Some(encode(&caller.person, facts)) }))
    }

    async fn update_draft(
        &self,
        request: Request<pb::UpdateDraftRequest>,
    ) -> Result<Response<pb::UpdateDraftResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let (title, body) = text_fields(&req.title, &req.body)?;
        let change = LetterChange::Edit { title, body };
        let l = self.change(&req.id, Some(req.version), change, &caller, &rid, "letter.edit", "").await?;
        Ok(Response::new(pb::UpdateDraftResponse { letter: Some(l) }))
    }

    async fn check_letter(
        &self,
        request: Request<pb::CheckLetterRequest>,
    ) -> Result<Response<pb::CheckLetterResponse>, Status> {
        let caller = caller(&request)?;
        let facts = self.visible(&request.get_ref().id, &caller).await?;
        let findings = check_letter(facts.letter.engagement_kind, &facts.letter.body, &facts.references);
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
        let l = self
            .change(&req.id, Some(req.version), LetterChange::Submit, &caller, &rid, "letter.submit", "")
            .await?;
        Ok(Response::new(pb::SubmitLetterResponse { letter: Some(l) }))
    }

    async fn return_letter(
        &self,
        request: Request<pb::ReturnLetterRequest>,
    ) -> Result<Response<pb::ReturnLetterResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let change = LetterChange::Return(req.reason);
        let l = self.change(&req.id, Some(req.version), change, &caller, &rid, "letter.return", "").await?;
        Ok(Response::new(pb::ReturnLetterResponse { letter: Some(l) }))
    }

    async fn approve_letter(
        &self,
        request: Request<pb::ApproveLetterRequest>,
    ) -> Result<Response<pb::ApproveLetterResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let overrides = req.overrides.into_iter().map(|o| (o.rule, o.reason)).collect();
        let change = LetterChange::Approve(overrides);
        let l = self.change(&req.id, Some(req.version), change, &caller, &rid, "letter.approve", "").await?;
        Ok(Response::new(pb::ApproveLetterResponse { letter: Some(l) }))
    }

    async fn set_distribution(
        &self,
        request: Request<pb::SetDistributionRequest>,
    ) -> Result<Response<pb::SetDistributionResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let recipients = recipients(&req.recipients)?;
        let change = LetterChange::Distribution(recipients);
        let l =
            self.change(&req.id, Some(req.version), change, &caller, &rid, "letter.distribution", "").await?;
        Ok(Response::new(pb::SetDistributionResponse { letter: Some(l) }))
    }

    async fn issue_letter(
        &self,
        request: Request<pb::IssueLetterRequest>,
    ) -> Result<Response<pb::IssueLetterResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let publish_at = publish_at(&req.publish_at)?;
        let change = LetterChange::Issue(publish_at);
        let l = self.change(&req.id, Some(req.version), change, &caller, &rid, "letter.issue", "").await?;
        Ok(Response::new(pb::IssueLetterResponse { letter: Some(l) }))
    }

    async fn revoke_recipient(
        &self,
        request: Request<pb::RevokeRecipientRequest>,
    ) -> Result<Response<pb::RevokeRecipientResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let recipient = recipient_name(req.recipient)
            .ok_or_else(|| status::invalid("recipient", "Select a recipient"))?;
        let change = LetterChange::Revoke(recipient);
        let l = self.change(&req.id, None, change, &caller, &rid, "letter.revoke", recipient).await?;
        Ok(Response::new(pb::RevokeRecipientResponse { letter: Some(l) }))
    }

    async fn correct_letter(
        &self,
        request: Request<pb::CorrectLetterRequest>,
    ) -> Result<Response<pb::CorrectLetterResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let (title, body) = text_fields(&req.title, &req.body)?;
        let change = LetterChange::Correct { title, body };
        let l = self.change(&req.id, None, change, &caller, &rid, "letter.correct", "").await?;
        Ok(Response::new(pb::CorrectLetterResponse { letter: Some(l) }))
    }

    async fn set_publication(
        &self,
        request: Request<pb::SetPublicationRequest>,
    ) -> Result<Response<pb::SetPublicationResponse>, Status> {
        let caller = caller(&request)?;
        let rid = request_id(&request);
        let req = request.into_inner();
        let detail = format!("publish={} named={}", req.publish, req.named_in_national_reports);
        let change = LetterChange::Publication { publish: req.publish, named: req.named_in_national_reports };
        let l = self.change(&req.id, None, change, &caller, &rid, "letter.publication", &detail).await?;
        Ok(Response::new(pb::SetPublicationResponse { letter: Some(l) }))
    }

    async fn list_inbox(
        &self,
        request: Request<pb::ListInboxRequest>,
    ) -> Result<Response<pb::ListInboxResponse>, Status> {
        let caller = caller(&request)?;
        let letters = self
            .store
            .inbox(&caller.person, self.auth.clock().now())
            .await
            .map_err(status::store("letter"))?;
        Ok(Response::new(pb::ListInboxResponse {
            letters: letters.into_iter().map(|f| encode(&caller.person, f)).collect(),
        }))
    }

    async fn list_letters(
        &self,
        request: Request<pb::ListLettersRequest>,
    ) -> Result<Response<pb::ListLettersResponse>, Status> {
        let caller = caller(&request)?;
        // A malformed id matches no engagement: an empty list, as for one the caller may not see.
        let engagement = parse_public_id(&request.get_ref().engagement_id).unwrap_or_default();
        let letters = self
            .store
            .letters_of(engagement, &caller.person, self.auth.clock().now())
            .await
            .map_err(status::store("letter"))?;
        Ok(Response::new(pb::ListLettersResponse {
            letters: letters.into_iter().map(|f| encode(&caller.person, f)).collect(),
        }))
    }

    async fn get_letter(
        &self,
        request: Request<pb::GetLetterRequest>,
    ) -> Result<Response<pb::GetLetterResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let id = parse_id(&request.get_ref().id)?;
        let event = actor.event("letter.view", "letter", id, "ok", "");
        let facts = self
            .store
            .view_letter(id, &caller.person, self.auth.clock().now(), &event)
            .await
            .map_err(status::store("letter"))?;
        Ok(Response::new(pb::GetLetterResponse { letter: Some(encode(&caller.person, facts)) }))
    }

    async fn list_letter_views(
        &self,
        request: Request<pb::ListLetterViewsRequest>,
    ) -> Result<Response<pb::ListLetterViewsResponse>, Status> {
        let caller = caller(&request)?;
        let letter = self.audience(&request.get_ref().id, &caller).await?;
        let views = self.store.letter_views(&letter).await.map_err(status::store("letter"))?;
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
        let letter = self.audience(&request.get_ref().id, &caller).await?;
        let people = self.store.who_can_see(letter.id).await.map_err(status::store("letter"))?;
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
        let letters =
            self.store.published_letters(self.auth.clock().now()).await.map_err(status::store("letter"))?;
        Ok(Response::new(pb::ListPublishedLettersResponse {
            letters: letters
                .into_iter()
                .map(|l| pb::Letter {
                    distribution: Vec::new(),
                    version: 0,
                    returned_reason: String::new(),
                    ..letter_to_pb(l, &[])
                })
                .collect(),
        }))
    }

    async fn export_national_report(
        &self,
        request: Request<pb::ExportNationalReportRequest>,
    ) -> Result<Response<pb::ExportNationalReportResponse>, Status> {
        let year = report_year(request.get_ref().academic_year, self.auth.clock().now().date_naive());
        let letters = self.store.issued_interim_letters(year).await.map_err(status::store("letter"))?;
        let named: Vec<String> =
            letters.iter().filter(|l| l.named).map(|l| l.local_area_name.clone()).collect();
        let names = self.store.identifying_names(&named).await.map_err(status::store("letter"))?;
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
    let Some(id) = parse_public_id(&id) else { return missing() };
    let rid = request.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let event = Actor::person(&caller.person, &rid).event("letter.download", "letter", id, "ok", "");
    // The audience check and the record of the download in one transaction.
    let letter = match pdfs.store.view_letter(id, &caller.person, pdfs.auth.clock().now(), &event).await {
        Ok(facts) => facts.letter,
        Err(StoreError::NotFound) => return missing(),
        Err(e) => {
            tracing::error!(error = %e, "failed to record a letter download");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::letter_text::Block;

    #[test]
    fn the_pdf_and_the_screen_lay_a_letter_out_alike() {
        let body = "Opening words for the area.\n\ncontext\nWe visited Camden on 20 and 21 April.\nWe met leaders.\n\n\
            What we found\nLeaders know their area well.\n\nAreas to develop\nWaiting times are long.\n\n\
            Next steps\nWe will share learning nationally.\n";
        let letter = LetterRecord {
            issued_at: Some("2027-04-30T09:00:00.000000Z".into()),
            ..letters::sample(LetterState::Issued, body)
        };
        let print = printed(&letter);
        let from_pdf: Vec<Block> = print
            .sections
            .iter()
            .flat_map(|(heading, paragraphs)| {
                let heading = (!heading.is_empty()).then(|| Block::Heading(heading.clone()));
                heading.into_iter().chain(paragraphs.iter().cloned().map(Block::Paragraph))
            })
            .collect();
        let on_screen = letter_text::blocks(
            body,
            required_sections(crate::domain::programme::EngagementKind::InterimVisit),
        );
        assert_eq!(from_pdf, on_screen);
        let headings: Vec<_> = print.sections.iter().map(|(h, _)| h.as_str()).collect();
        assert_eq!(headings, ["", "context", "What we found", "Areas to develop", "Next steps"]);
        assert_eq!(print.sections[1].1, ["We visited Camden on 20 and 21 April. We met leaders."]);
    }
}
