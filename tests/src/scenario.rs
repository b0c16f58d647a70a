//! Scenario builders: the steps the product's people take, as one call each, so tests read as
//! the story they check ("a consented interim visit with its team", "an issued letter").
//! Every step goes through the real API as the person who would take it, and fails loudly.

use anyhow::Context as _;
use proto::pb::{
    self, consent_service_client::ConsentServiceClient, letter_service_client::LetterServiceClient,
    programme_service_client::ProgrammeServiceClient,
};

use crate::{Persona, TestApp, consent_answer, visit_request};

/// A letter with the three sections an interim-visit letter needs and nothing the checks refuse.
pub const CLEAN_INTERIM_LETTER: &str = "Context\nWe visited Camden on 20 and 21 April 2027.\n\nWhat we found\n\
    Leaders described how support continued during the pandemic.\n\nNext steps\n\
    We will share learning in our national report.\n";

/// The days of the interim visit the builders plan: Tuesday and Wednesday, 20 and 21 April 2027,
/// inside the window [`visit_request`] asks for and clear of the days [`consent_answer`] blocks.
pub const VISIT_DAYS: (&str, &str) = ("2027-04-20", "2027-04-21");

/// A day after the visit, when its letter may be approved.
pub const AFTER_THE_VISIT: &str = "2027-04-22T09:00:00Z";

/// Camden's consented interim visit with its team (the test inspector account is the team's
/// Ofsted inspector, so it writes the letter).
#[derive(Debug, Clone)]
pub struct InterimVisit {
    /// The consented request.
    pub request: pb::VisitRequest,
    /// The engagement, with its team.
    pub engagement: pb::Engagement,
    /// The team's inspector ids: Ofsted, social care, CQC.
    pub inspectors: Vec<String>,
}

impl TestApp {
    /// The Inner London lead asks Camden for an interim visit and Camden consents in writing.
    pub async fn consented_request(&self) -> anyhow::Result<pb::VisitRequest> {
        let (_, lead) = self.persona(Persona::InnerLondonLead).await?;
        let (_, camden) = self.persona(Persona::Camden).await?;
        let request = ConsentServiceClient::new(self.authed(&lead).await?)
            .create_visit_request(visit_request("E09000007", "2027-01-15"))
            .await?
            .into_inner()
            .request
            .context("the created request")?;
        ConsentServiceClient::new(self.authed(&camden).await?)
            .answer_visit_request(consent_answer(&request.id, request.version))
            .await?
            .into_inner()
            .request
            .context("the consented request")
    }

    /// A consented interim visit to Camden on [`VISIT_DAYS`], scheduled by the Inner London lead
    /// with a team of three: the test inspector account (Ofsted), a social care inspector and a
    /// CQC inspector.
    pub async fn interim_visit_with_team(&self) -> anyhow::Result<InterimVisit> {
        let request = self.consented_request().await?;
        let (_, lead) = self.persona(Persona::InnerLondonLead).await?;
        let (account, _) = self.persona(Persona::OfstedInspector).await?;
        let mut programme = ProgrammeServiceClient::new(self.authed(&lead).await?);
        let mut inspectors = Vec::new();
        for (name, inspectorate, social_care, person) in [
            ("Hana Inspector", pb::Inspectorate::Ofsted, false, account.id.clone()),
            ("Sol Care", pb::Inspectorate::Ofsted, true, String::new()),
            ("Cai Quality", pb::Inspectorate::Cqc, false, String::new()),
        ] {
            let created = programme
                .create_inspector(pb::CreateInspectorRequest {
                    name: name.into(),
                    inspectorate: inspectorate.into(),
                    social_care,
                    home_region_code: "E13000001".into(),
                    max_engagements_per_term: 4,
                    person_id: person,
                })
                .await?
                .into_inner()
                .inspector
                .context("the created inspector")?;
            inspectors.push(created.id);
        }
        let scheduled = programme
            .schedule_engagement(pb::ScheduleEngagementRequest {
                local_area_code: "E09000007".into(),
                kind: pb::EngagementKind::InterimVisit.into(),
                onsite: Some(pb::DateRange { first_day: VISIT_DAYS.0.into(), last_day: VISIT_DAYS.1.into() }),
                note: String::new(),
            })
            .await?
            .into_inner()
            .engagement
            .context("the scheduled engagement")?;
        let member = |id: &str, role: pb::TeamRole| pb::TeamMember {
            inspector_id: id.into(),
            name: String::new(),
            role: role.into(),
        };
        let engagement = programme
            .assign_team(pb::AssignTeamRequest {
                id: scheduled.id.clone(),
                version: scheduled.version,
                members: vec![
                    member(&inspectors[0], pb::TeamRole::OfstedInspector),
                    member(&inspectors[1], pb::TeamRole::SocialCareInspector),
                    member(&inspectors[2], pb::TeamRole::CqcInspector),
                ],
                reason: String::new(),
            })
            .await?
            .into_inner()
            .engagement
            .context("the engagement with its team")?;
        Ok(InterimVisit { request, engagement, inspectors })
    }

    /// [`Self::interim_visit_with_team`], notified to Camden by the lead, so the area's users
    /// see it (and its case-study sample).
    pub async fn notified_interim_visit_with_team(&self) -> anyhow::Result<InterimVisit> {
        let mut visit = self.interim_visit_with_team().await?;
        let (_, lead) = self.persona(Persona::InnerLondonLead).await?;
        visit.engagement = ProgrammeServiceClient::new(self.authed(&lead).await?)
            .notify_local_area(pb::NotifyLocalAreaRequest {
                id: visit.engagement.id.clone(),
                version: visit.engagement.version,
            })
            .await?
            .into_inner()
            .engagement
            .context("the notified engagement")?;
        Ok(visit)
    }

    /// The team's writer drafts [`CLEAN_INTERIM_LETTER`] for `engagement` and submits it.
    pub async fn submitted_letter(&self, engagement: &str) -> anyhow::Result<pb::Letter> {
        let (_, token) = self.persona(Persona::OfstedInspector).await?;
        let mut inspector = LetterServiceClient::new(self.authed(&token).await?);
        let draft = inspector
            .create_letter(pb::CreateLetterRequest {
                engagement_id: engagement.into(),
                title: "Interim visit to Camden".into(),
                body: CLEAN_INTERIM_LETTER.into(),
            })
            .await?
            .into_inner()
            .letter
            .context("the draft")?;
        inspector
            .submit_letter(pb::SubmitLetterRequest { id: draft.id.clone(), version: draft.version })
            .await?
            .into_inner()
            .letter
            .context("the submitted letter")
    }

    /// The visit's letter drafted, submitted, approved by a national planner after the visit
    /// (the clock moves to [`AFTER_THE_VISIT`]) and issued to its default distribution.
    pub async fn issued_letter(&self, engagement: &str) -> anyhow::Result<pb::Letter> {
        let submitted = self.submitted_letter(engagement).await?;
        self.clock.set(chrono::DateTime::parse_from_rfc3339(AFTER_THE_VISIT)?.to_utc());
        let (_, token) = self.persona(Persona::Planner).await?;
        let mut planner = LetterServiceClient::new(self.authed(&token).await?);
        let approved = planner
            .approve_letter(pb::ApproveLetterRequest {
                id: submitted.id.clone(),
                version: submitted.version,
                overrides: vec![],
            })
            .await?
            .into_inner()
            .letter
            .context("the approved letter")?;
        planner
            .issue_letter(pb::IssueLetterRequest {
                id: approved.id.clone(),
                version: approved.version,
                publish_at: String::new(),
            })
            .await?
            .into_inner()
            .letter
            .context("the issued letter")
    }
}
