//! Letters over the real server: drafting, checks, approval, distribution, reading, revocation,
//! publication, corrections, the embargo, PDF and the anonymised national report.

use integration_tests::{Persona, TestApp, spawn_app_with};
use proto::pb::{
    self, audit_service_client::AuditServiceClient, letter_service_client::LetterServiceClient,
    programme_service_client::ProgrammeServiceClient,
};
use send_planner::domain::{audit::Actor, letters::CaseStudyEntry};
use tonic::{Code, Status, service::interceptor::InterceptedService, transport::Channel};
use tonic_types::StatusExt as _;

type Letters = LetterServiceClient<InterceptedService<Channel, integration_tests::Bearer>>;

const CLEAN: &str = "Context\nWe visited Camden on 20 and 21 April 2027.\n\nWhat we found\n\
    Leaders described how support continued during the pandemic.\n\nNext steps\n\
    We will share learning in our national report.\n";

/// The rule ids and subjects of a refusal's `PreconditionFailure` detail.
fn broken(status: &Status) -> Vec<(String, String)> {
    status
        .get_details_precondition_failure()
        .map(|f| f.violations.into_iter().map(|v| (v.r#type, v.subject)).collect())
        .unwrap_or_default()
}

/// The rule ids of a refusal, from its details.
fn rules(status: &Status) -> Vec<String> {
    broken(status).into_iter().map(|(rule, _)| rule).collect()
}

/// The fields of a refusal's `BadRequest` detail.
fn fields(status: &Status) -> Vec<String> {
    status
        .get_details_bad_request()
        .map(|b| b.field_violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

/// The morning after the interim visit's last onsite day (21 April 2027), when its letter may
/// be approved. Sessions made before are idle by then: sign in again afterwards.
fn after_the_visit(app: &TestApp) -> anyhow::Result<()> {
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2027-04-22T09:00:00Z")?.to_utc());
    Ok(())
}

async fn letters(app: &TestApp, persona: Persona) -> anyhow::Result<Letters> {
    let (_, token) = app.persona(persona).await?;
    Ok(LetterServiceClient::new(app.authed(&token).await?))
}

/// Submits `letter` as read.
async fn submit(client: &mut Letters, letter: &pb::Letter) -> Result<pb::Letter, Status> {
    let request = pb::SubmitLetterRequest { id: letter.id.clone(), version: letter.version };
    client.submit_letter(request).await?.into_inner().letter.ok_or_else(|| Status::internal("no letter"))
}

/// Approves `letter` as read, with `overrides`.
async fn approve(
    client: &mut Letters,
    letter: &pb::Letter,
    overrides: Vec<pb::CheckOverride>,
) -> Result<pb::Letter, Status> {
    let request = pb::ApproveLetterRequest { id: letter.id.clone(), version: letter.version, overrides };
    client.approve_letter(request).await?.into_inner().letter.ok_or_else(|| Status::internal("no letter"))
}

/// Issues `letter` as read, published at `publish_at` (RFC 3339, or empty).
async fn issue(client: &mut Letters, letter: &pb::Letter, publish_at: &str) -> Result<pb::Letter, Status> {
    let request = pb::IssueLetterRequest {
        id: letter.id.clone(),
        version: letter.version,
        publish_at: publish_at.into(),
    };
    client.issue_letter(request).await?.into_inner().letter.ok_or_else(|| Status::internal("no letter"))
}

/// Stores a case study with `reference` in the engagement's sample list (as the future
/// sample-list RPC will).
async fn case_study(app: &TestApp, engagement: &str, reference: &str) -> anyhow::Result<()> {
    let entry =
        CaseStudyEntry { reference: reference.into(), age_band: "11-15".into(), ..Default::default() };
    app.store
        .add_case_study_entry(engagement, &entry, app.clock.now(), |id| {
            Actor::system("test").event("case_study.add", "case_study", id, "ok", "")
        })
        .await?;
    Ok(())
}

/// An interim visit to Camden on consent, with a team in which the test inspector account
/// (Persona::OfstedInspector) is the Ofsted inspector. Returns the engagement id.
async fn interim_visit(app: &TestApp) -> anyhow::Result<String> {
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")?.to_utc());
    Ok(app.interim_visit_with_team().await?.engagement.id)
}

/// Drafts, submits, approves and issues a clean letter; returns it issued.
async fn issued_letter(app: &TestApp, engagement: &str) -> anyhow::Result<pb::Letter> {
    let mut inspector = letters(app, Persona::OfstedInspector).await?;
    let draft = inspector
        .create_letter(pb::CreateLetterRequest {
            engagement_id: engagement.into(),
            title: "Interim visit to Camden".into(),
            body: CLEAN.into(),
        })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    let submitted = submit(&mut inspector, &draft).await?;
    after_the_visit(app)?;
    let mut planner = letters(app, Persona::Planner).await?;
    let approved = approve(&mut planner, &submitted, vec![]).await?;
    let issued = issue(&mut planner, &approved, "").await?;
    Ok(issued)
}

async fn app() -> anyhow::Result<(TestApp, tempfile::TempDir)> {
    let web = tempfile::tempdir()?;
    Ok((spawn_app_with(web.path()).await?, web))
}

#[tokio::test]
async fn a_check_blocks_approval_until_the_team_fixes_it_or_an_approver_overrides_with_a_reason()
-> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let engagement = interim_visit(&app).await?;
    let mut inspector = letters(&app, Persona::OfstedInspector).await?;
    let body = format!("{CLEAN}We recommend that leaders publish their plan.\n");
    let draft = inspector
        .create_letter(pb::CreateLetterRequest {
            engagement_id: engagement.clone(),
            title: "Interim visit".into(),
            body,
        })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    let defaults: Vec<_> = draft.distribution.iter().map(|d| d.recipient()).collect();
    assert_eq!(defaults, [pb::Recipient::Dfe, pb::Recipient::LocalArea, pb::Recipient::NhsEngland]);
    let findings =
        inspector.check_letter(pb::CheckLetterRequest { id: draft.id.clone() }).await?.into_inner().findings;
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (findings[0].rule.as_str(), findings[0].line, findings[0].column),
        ("letter.judgement_wording", 9, 4)
    );
    let submitted = submit(&mut inspector, &draft).await?;
    assert!(submitted.allowed_actions().next().is_none(), "the writer waits for quality assurance");
    let mut planner = letters(&app, Persona::Planner).await?;
    let unapproved = issue(&mut planner, &submitted, "").await.expect_err("not approved");
    assert_eq!(unapproved.code(), Code::FailedPrecondition);
    assert_eq!(rules(&unapproved), ["letter.state"]);
    let early = approve(&mut planner, &submitted, vec![]).await.expect_err("the visit has not happened yet");
    assert_eq!(rules(&early), ["letter.before_last_onsite_day"]);
    assert!(early.message().contains("21 April 2027"), "{}", early.message());

    after_the_visit(&app)?;
    let mut planner = letters(&app, Persona::Planner).await?;
    let seen = planner
        .get_letter(pb::GetLetterRequest { id: submitted.id.clone() })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    let actions: Vec<_> = seen.allowed_actions().collect();
    assert_eq!(
        actions,
        [
            pb::LetterAction::Return,
            pb::LetterAction::Approve,
            pb::LetterAction::SetDistribution,
            pb::LetterAction::ViewAudience
        ]
    );
    assert_eq!(seen.section_headings, ["Context", "What we found", "Next steps"]);
    let blocked = approve(&mut planner, &submitted, vec![]).await.expect_err("a check fails");
    assert_eq!(blocked.code(), Code::FailedPrecondition);
    assert_eq!(broken(&blocked), [("letter.judgement_wording".to_owned(), "body:9:4".to_owned())]);
    assert!(!blocked.message().contains("letter."), "people read no rule ids: {}", blocked.message());
    let no_reason = approve(
        &mut planner,
        &submitted,
        vec![pb::CheckOverride { rule: "letter.judgement_wording".into(), reason: " ".into() }],
    )
    .await
    .expect_err("override needs a reason");
    assert_eq!(broken(&no_reason), [("letter.override_reason".to_owned(), "overrides".to_owned())]);
    let stale = planner
        .approve_letter(pb::ApproveLetterRequest {
            id: submitted.id.clone(),
            version: submitted.version - 1,
            overrides: vec![],
        })
        .await
        .expect_err("an old version");
    assert_eq!(stale.code(), Code::Aborted);
    let approved = approve(
        &mut planner,
        &submitted,
        vec![pb::CheckOverride {
            rule: "letter.judgement_wording".into(),
            reason: "Quoting the area's own plan, not our recommendation".into(),
        }],
    )
    .await?;
    assert_eq!(approved.state(), pb::LetterState::Approved);
    let mut inspector = letters(&app, Persona::OfstedInspector).await?;
    let edit = inspector
        .update_draft(pb::UpdateDraftRequest {
            id: approved.id.clone(),
            version: approved.version,
            title: "x".into(),
            body: CLEAN.into(),
        })
        .await
        .expect_err("approved letters are not edited");
    assert_eq!(edit.code(), Code::FailedPrecondition);
    assert_eq!(rules(&edit), ["letter.state"]);
    app.stop().await
}

#[tokio::test]
async fn a_stored_case_study_reference_blocks_approval_and_a_returned_letter_tells_the_team_why()
-> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let engagement = interim_visit(&app).await?;
    case_study(&app, &engagement, "Case Amber").await?;
    let mut inspector = letters(&app, Persona::OfstedInspector).await?;
    let draft = inspector
        .create_letter(pb::CreateLetterRequest {
            engagement_id: engagement.clone(),
            title: "Interim visit".into(),
            body: format!("{CLEAN}Case Amber moved to a new school.\n"),
        })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    let actions: Vec<_> = draft.allowed_actions().collect();
    assert_eq!(actions, [pb::LetterAction::Edit, pb::LetterAction::Submit]);
    let findings =
        inspector.check_letter(pb::CheckLetterRequest { id: draft.id.clone() }).await?.into_inner().findings;
    let found: Vec<_> = findings.iter().map(|f| (f.rule.as_str(), f.line, f.column)).collect();
    assert_eq!(found, [("letter.case_reference", 9, 1)]);
    let submitted = submit(&mut inspector, &draft).await?;

    after_the_visit(&app)?;
    let mut planner = letters(&app, Persona::Planner).await?;
    let blocked =
        approve(&mut planner, &submitted, vec![]).await.expect_err("the stored reference blocks approval");
    assert_eq!(blocked.code(), Code::FailedPrecondition);
    assert_eq!(broken(&blocked), [("letter.case_reference".to_owned(), "body:9:1".to_owned())]);
    assert!(blocked.message().contains("Case Amber"), "{}", blocked.message());

    let no_reason = planner
        .return_letter(pb::ReturnLetterRequest {
            id: submitted.id.clone(),
            version: submitted.version,
            reason: "  ".into(),
        })
        .await
        .expect_err("a return needs a reason");
    assert_eq!(rules(&no_reason), ["letter.return_reason"]);
    let returned = planner
        .return_letter(pb::ReturnLetterRequest {
            id: submitted.id.clone(),
            version: submitted.version,
            reason: "Take out the case study's reference".into(),
        })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    assert_eq!(returned.state(), pb::LetterState::Draft);
    let mut inspector = letters(&app, Persona::OfstedInspector).await?;
    let seen = inspector
        .get_letter(pb::GetLetterRequest { id: returned.id.clone() })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    assert_eq!(seen.returned_reason, "Take out the case study's reference");
    let fixed = inspector
        .update_draft(pb::UpdateDraftRequest {
            id: seen.id.clone(),
            version: seen.version,
            title: seen.title.clone(),
            body: format!("{CLEAN}One young person moved to a new school.\n"),
        })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    let resubmitted = submit(&mut inspector, &fixed).await?;
    assert_eq!(resubmitted.returned_reason, "Take out the case study's reference", "kept for the approver");
    let approved = approve(&mut planner, &resubmitted, vec![]).await?;
    assert_eq!(approved.state(), pb::LetterState::Approved);
    assert!(approved.returned_reason.is_empty(), "cleared on approval");
    app.stop().await
}

#[tokio::test]
async fn inspectors_see_the_engagements_of_their_own_teams_only() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let engagement = interim_visit(&app).await?;
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    let other = ProgrammeServiceClient::new(app.authed(&lead).await?)
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000033".into(),
            kind: pb::EngagementKind::EngagementMeeting.into(),
            onsite: Some(pb::DateRange { first_day: "2027-02-03".into(), last_day: "2027-02-03".into() }),
            note: String::new(),
        })
        .await?
        .into_inner()
        .engagement
        .expect("engagement");
    let (_, token) = app.persona(Persona::OfstedInspector).await?;
    let mut mine = ProgrammeServiceClient::new(app.authed(&token).await?);
    let listed = mine.list_engagements(pb::ListEngagementsRequest::default()).await?.into_inner().engagements;
    assert_eq!(listed.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), [engagement.as_str()]);
    assert_eq!(listed[0].team.len(), 3, "their own team is shown to them");
    let hidden =
        mine.get_engagement(pb::GetEngagementRequest { id: other.id }).await.expect_err("not their team");
    assert_eq!(hidden.code(), Code::NotFound);
    app.stop().await
}

#[tokio::test]
async fn recipients_read_it_unread_then_read_and_others_cannot_find_it() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let engagement = interim_visit(&app).await?;
    let letter = issued_letter(&app, &engagement).await?;
    let mut dfe = letters(&app, Persona::Dfe).await?;
    let inbox = dfe.list_inbox(pb::ListInboxRequest {}).await?.into_inner().letters;
    assert_eq!(inbox.len(), 1);
    assert!(inbox[0].first_opened_at.is_empty(), "unread");
    let read = dfe
        .get_letter(pb::GetLetterRequest { id: letter.id.clone() })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    assert!(!read.first_opened_at.is_empty(), "read, with the time first opened");
    let again = dfe.list_inbox(pb::ListInboxRequest {}).await?.into_inner().letters;
    assert_eq!(again[0].first_opened_at, read.first_opened_at);

    let missing = dfe.get_letter(pb::GetLetterRequest { id: "999999".into() }).await.expect_err("missing");
    let mut westminster = letters(&app, Persona::Westminster).await?;
    let hidden =
        westminster.get_letter(pb::GetLetterRequest { id: letter.id.clone() }).await.expect_err("other area");
    assert_eq!((hidden.code(), hidden.message()), (missing.code(), missing.message()));
    assert!(westminster.list_inbox(pb::ListInboxRequest {}).await?.into_inner().letters.is_empty());

    let mut planner = letters(&app, Persona::Planner).await?;
    let views = planner
        .list_letter_views(pb::ListLetterViewsRequest { id: letter.id.clone() })
        .await?
        .into_inner()
        .views;
    assert_eq!(views.iter().map(|v| v.person.as_str()).collect::<Vec<_>>(), ["reader.dfe"]);
    let who = planner.who_can_see(pb::WhoCanSeeRequest { id: letter.id.clone() }).await?.into_inner().people;
    let names: Vec<_> = who.iter().map(|p| (p.username.as_str(), p.because.as_str())).collect();
    assert!(names.contains(&("reader.dfe", "distribution: dfe")), "{names:?}");
    assert!(names.contains(&("user.camden", "distribution: local_area")), "{names:?}");
    assert!(names.contains(&("hmi.ofsted", "team")), "{names:?}");
    assert!(!names.iter().any(|(u, _)| *u == "user.westminster"), "{names:?}");

    planner
        .revoke_recipient(pb::RevokeRecipientRequest {
            id: letter.id.clone(),
            recipient: pb::Recipient::Dfe.into(),
        })
        .await?;
    let revoked =
        dfe.get_letter(pb::GetLetterRequest { id: letter.id.clone() }).await.expect_err("revoked at once");
    assert_eq!(revoked.code(), Code::NotFound);
    app.stop().await
}

#[tokio::test]
async fn inboxes_and_letter_lists_cost_the_same_queries_whatever_their_length() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let engagement = interim_visit(&app).await?;
    issued_letter(&app, &engagement).await?;
    let mut dfe = letters(&app, Persona::Dfe).await?;
    let mut planner = letters(&app, Persona::Planner).await?;
    let mut costs = Vec::new();
    for expected in [1, 2, 3] {
        if expected > 1 {
            issued_letter(&app, &engagement).await?;
            dfe = letters(&app, Persona::Dfe).await?;
            planner = letters(&app, Persona::Planner).await?;
        }
        let before = app.store.round_trips();
        let inbox = dfe.list_inbox(pb::ListInboxRequest {}).await?.into_inner().letters;
        let middle = app.store.round_trips();
        let listed = planner
            .list_letters(pb::ListLettersRequest { engagement_id: engagement.clone() })
            .await?
            .into_inner()
            .letters;
        let after = app.store.round_trips();
        assert_eq!((inbox.len(), listed.len()), (expected, expected));
        assert!(listed.iter().all(|l| l.allowed_actions().any(|a| a == pb::LetterAction::Correct)));
        costs.push((middle - before, after - middle));
    }
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "queries grew with the list: {costs:?}");
    app.stop().await
}

#[tokio::test]
async fn the_local_area_chooses_to_publish_and_only_published_letters_are_public() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let engagement = interim_visit(&app).await?;
    let letter = issued_letter(&app, &engagement).await?;
    let mut public = LetterServiceClient::new(app.channel().await?);
    assert!(
        public
            .list_published_letters(pb::ListPublishedLettersRequest {})
            .await?
            .into_inner()
            .letters
            .is_empty()
    );
    let mut westminster = letters(&app, Persona::Westminster).await?;
    let theirs = westminster
        .set_publication(pb::SetPublicationRequest {
            id: letter.id.clone(),
            publish: true,
            named_in_national_reports: true,
        })
        .await
        .expect_err("not their letter");
    assert_eq!(theirs.code(), Code::NotFound);
    let mut camden = letters(&app, Persona::Camden).await?;
    camden
        .set_publication(pb::SetPublicationRequest {
            id: letter.id.clone(),
            publish: true,
            named_in_national_reports: false,
        })
        .await?;
    let shown = public.list_published_letters(pb::ListPublishedLettersRequest {}).await?.into_inner().letters;
    assert_eq!(shown.len(), 1);
    assert!(shown[0].distribution.is_empty(), "the public page shows no distribution list");
    camden
        .set_publication(pb::SetPublicationRequest {
            id: letter.id.clone(),
            publish: false,
            named_in_national_reports: false,
        })
        .await?;
    assert!(
        public
            .list_published_letters(pb::ListPublishedLettersRequest {})
            .await?
            .into_inner()
            .letters
            .is_empty()
    );
    app.stop().await
}

#[tokio::test]
async fn corrections_supersede_and_nothing_issued_is_edited() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let engagement = interim_visit(&app).await?;
    let letter = issued_letter(&app, &engagement).await?;
    let mut planner = letters(&app, Persona::Planner).await?;
    let unapproved = issue(&mut planner, &letter, "").await.expect_err("already issued");
    assert_eq!(unapproved.code(), Code::FailedPrecondition);
    assert_eq!(rules(&unapproved), ["letter.state"]);
    let corrected = planner
        .correct_letter(pb::CorrectLetterRequest {
            id: letter.id.clone(),
            title: "Interim visit to Camden (corrected)".into(),
            body: CLEAN.replace("20 and 21 April", "21 and 22 April"),
        })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    assert_eq!(
        (corrected.state(), corrected.supersedes_id.as_str()),
        (pb::LetterState::Draft, letter.id.as_str())
    );
    let twice = planner
        .correct_letter(pb::CorrectLetterRequest {
            id: letter.id.clone(),
            title: "Interim visit to Camden (corrected again)".into(),
            body: CLEAN.into(),
        })
        .await
        .expect_err("corrected once");
    assert_eq!(rules(&twice), ["letter.correction_exists"]);
    let empty = planner
        .set_distribution(pb::SetDistributionRequest {
            id: corrected.id.clone(),
            version: corrected.version,
            recipients: vec![],
        })
        .await
        .expect_err("empty list");
    assert_eq!(fields(&empty), ["recipients"]);
    let mut inspector = letters(&app, Persona::OfstedInspector).await?;
    let submitted = submit(&mut inspector, &corrected).await?;
    let approved = approve(&mut planner, &submitted, vec![]).await?;
    issue(&mut planner, &approved, "").await?;
    let old = planner
        .get_letter(pb::GetLetterRequest { id: letter.id.clone() })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    assert_eq!(
        (old.state(), old.superseded_by_id.as_str()),
        (pb::LetterState::Superseded, corrected.id.as_str())
    );
    assert_eq!(old.body, CLEAN, "history keeps the old text");
    let mut dfe = letters(&app, Persona::Dfe).await?;
    let inbox = dfe.list_inbox(pb::ListInboxRequest {}).await?.into_inner().letters;
    assert_eq!(inbox.len(), 1, "recipients see the current version");
    assert_eq!(inbox[0].supersedes_id, letter.id, "and that it changed");
    let oversized = planner
        .correct_letter(pb::CorrectLetterRequest {
            id: corrected.id.clone(),
            title: "t".into(),
            body: "x".repeat(100_001),
        })
        .await
        .expect_err("too long");
    assert_eq!(fields(&oversized), ["body"]);
    app.stop().await
}

#[tokio::test]
async fn two_corrections_made_at_once_make_one_new_version() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let engagement = interim_visit(&app).await?;
    let letter = issued_letter(&app, &engagement).await?;
    let (mut first, mut second) =
        (letters(&app, Persona::Planner).await?, letters(&app, Persona::Planner).await?);
    let correction = |n: u32| pb::CorrectLetterRequest {
        id: letter.id.clone(),
        title: format!("Correction {n}"),
        body: CLEAN.into(),
    };
    let (a, b) = tokio::join!(first.correct_letter(correction(1)), second.correct_letter(correction(2)));
    let refused: Vec<_> = [a, b].into_iter().filter_map(Result::err).collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        matches!(refused[0].code(), Code::FailedPrecondition | Code::Aborted),
        "refused as already corrected or as a conflict: {:?}",
        refused[0]
    );
    let listed = first
        .list_letters(pb::ListLettersRequest { engagement_id: engagement.clone() })
        .await?
        .into_inner()
        .letters;
    assert_eq!(listed.iter().filter(|l| l.supersedes_id == letter.id).count(), 1);
    app.stop().await
}

#[tokio::test]
async fn the_pdf_reads_back_and_the_national_report_names_no_one() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let engagement = interim_visit(&app).await?;
    let letter = issued_letter(&app, &engagement).await?;
    // A correction that (wrongly, with an override) quotes a reference and contact details, so
    // the export has something to remove.
    let mut planner = letters(&app, Persona::Planner).await?;
    case_study(&app, &engagement, "Case Amber").await?;
    let leaky = format!(
        "{CLEAN}CYP-12, Case Amber and Alex Morgan (alex@example.org, 07700 900123) told Hana Inspector.\n"
    );
    let corrected = planner
        .correct_letter(pb::CorrectLetterRequest {
            id: letter.id.clone(),
            title: letter.title.clone(),
            body: leaky,
        })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    let mut inspector = letters(&app, Persona::OfstedInspector).await?;
    let submitted = submit(&mut inspector, &corrected).await?;
    let overrides = ["letter.case_reference", "letter.personal_email", "letter.personal_phone"]
        .map(|rule| pb::CheckOverride { rule: rule.into(), reason: "test of the national report".into() })
        .to_vec();
    let approved = planner
        .approve_letter(pb::ApproveLetterRequest {
            id: submitted.id.clone(),
            version: submitted.version,
            overrides,
        })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    issue(&mut planner, &approved, "").await?;
    let (_, dfe) = app.persona(Persona::Dfe).await?;
    let response = http_get(&app, &format!("/letters/{}/pdf", approved.id), &dfe).await?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("headers") + 4;
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    assert!(head.starts_with("http/1.1 200") && head.contains("application/pdf"), "{head}");
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, &response[split..])?;
    let text = std::process::Command::new("pdftotext").arg(&path).arg("-").output()?;
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in
        ["Interim visit to Camden", "What we found", "Leaders described how support continued", "Page 1 of 1"]
    {
        assert!(text.contains(needle), "{needle:?} in {text}");
    }
    let (_, westminster) = app.persona(Persona::Westminster).await?;
    let hidden = http_get(&app, &format!("/letters/{}/pdf", approved.id), &westminster).await?;
    assert!(hidden.starts_with(b"HTTP/1.1 404"));

    let report = planner
        .export_national_report(pb::ExportNationalReportRequest { academic_year: 2026 })
        .await?
        .into_inner()
        .text;
    assert!(report.contains("a London borough in Inner London"), "{report}");
    // Every stored name: people, usernames, inspectors, signatories and every local area.
    let stored = app.store.identifying_names(&[]).await?;
    assert!(stored.iter().any(|n| n == "Alex Morgan") && stored.iter().any(|n| n == "Hana Inspector"));
    for name in &stored {
        assert!(!report.contains(name.as_str()), "{name:?} survived: {report}");
    }
    for reference in ["CYP-", "@", "07700", "Case Amber"] {
        assert!(!report.contains(reference), "{reference:?} survived");
    }
    let mut camden = letters(&app, Persona::Camden).await?;
    camden
        .set_publication(pb::SetPublicationRequest {
            id: approved.id.clone(),
            publish: false,
            named_in_national_reports: true,
        })
        .await?;
    let named = planner
        .export_national_report(pb::ExportNationalReportRequest { academic_year: 2026 })
        .await?
        .into_inner()
        .text;
    assert!(named.contains("Visit 1: Camden"), "{named}");
    app.stop().await
}

#[tokio::test]
async fn a_full_report_is_published_at_its_embargo_time_not_before() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")?.to_utc());
    let (inspector_account, _) = app.persona(Persona::OfstedInspector).await?;
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    let mut programme = ProgrammeServiceClient::new(app.authed(&lead).await?);
    let mut ids = Vec::new();
    for (name, inspectorate, social_care, person) in [
        ("Lead", pb::Inspectorate::Ofsted, false, inspector_account.id.clone()),
        ("Ofsted", pb::Inspectorate::Ofsted, false, String::new()),
        ("CQC", pb::Inspectorate::Cqc, false, String::new()),
        ("Social care", pb::Inspectorate::Ofsted, true, String::new()),
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
            .await?;
        ids.push(created.into_inner().inspector.expect("inspector").id);
    }
    let e = programme
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000007".into(),
            kind: pb::EngagementKind::FullInspection.into(),
            onsite: Some(pb::DateRange { first_day: "2027-01-18".into(), last_day: "2027-01-20".into() }),
            note: String::new(),
        })
        .await?
        .into_inner()
        .engagement
        .expect("engagement");
    let roles = [
        pb::TeamRole::LeadHmi,
        pb::TeamRole::OfstedInspector,
        pb::TeamRole::CqcInspector,
        pb::TeamRole::SocialCareInspector,
    ];
    let members = ids
        .iter()
        .zip(roles)
        .map(|(id, role)| pb::TeamMember { inspector_id: id.clone(), name: String::new(), role: role.into() })
        .collect();
    programme
        .assign_team(pb::AssignTeamRequest {
            id: e.id.clone(),
            version: e.version,
            members,
            reason: String::new(),
        })
        .await?;
    let body = "Summary\nThe area's arrangements are inconsistent.\nOutcome\nInconsistent experiences and outcomes.\n\
                Recommendations\nLeaders should act.\n";
    let mut inspector = letters(&app, Persona::OfstedInspector).await?;
    let draft = inspector
        .create_letter(pb::CreateLetterRequest {
            engagement_id: e.id.clone(),
            title: "Area SEND inspection of Camden".into(),
            body: body.into(),
        })
        .await?
        .into_inner()
        .letter
        .expect("letter");
    let submitted = submit(&mut inspector, &draft).await?;
    // The morning after the inspection's last onsite day.
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2027-01-21T09:00:00Z")?.to_utc());
    let mut planner = letters(&app, Persona::Planner).await?;
    let approved = approve(&mut planner, &submitted, vec![]).await?;
    let no_time = issue(&mut planner, &approved, "").await.expect_err("a report needs its publication time");
    assert_eq!(broken(&no_time), [("letter.publish_at_required".to_owned(), "publish_at".to_owned())]);
    let past = issue(&mut planner, &approved, "2027-01-20T09:30:00Z").await.expect_err("a time gone by");
    assert_eq!(rules(&past), ["letter.publish_at_past"]);
    issue(&mut planner, &approved, "2027-01-23T09:30:00Z").await?;
    let mut public = LetterServiceClient::new(app.channel().await?);
    assert!(
        public
            .list_published_letters(pb::ListPublishedLettersRequest {})
            .await?
            .into_inner()
            .letters
            .is_empty(),
        "embargoed"
    );
    app.clock.advance(chrono::TimeDelta::hours(48));
    assert!(
        public
            .list_published_letters(pb::ListPublishedLettersRequest {})
            .await?
            .into_inner()
            .letters
            .is_empty(),
        "09:00, not yet"
    );
    app.clock.advance(chrono::TimeDelta::minutes(31));
    let shown = public.list_published_letters(pb::ListPublishedLettersRequest {}).await?.into_inner().letters;
    assert_eq!(shown.len(), 1, "published at 09:30 on its day");
    app.stop().await
}

async fn http_get(app: &TestApp, path: &str, token: &str) -> anyhow::Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n",
        app.addr
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    Ok(response)
}

/// Whether `id` is a random UUIDv4 in canonical form (122 random bits of 128).
fn is_random_uuid(id: &str) -> bool {
    send_planner::domain::public_id::parse_public_id(id).is_some()
        && id.as_bytes().get(14) == Some(&b'4')
        && id.as_bytes().get(19).is_some_and(|c| b"89ab".contains(c))
}

/// What a refusal says: code, message and the details (but the request's own id).
fn answer(status: &Status) -> (Code, String, String) {
    integration_tests::refusal(status)
}

/// A response's status line and body, without headers such as the date.
fn status_and_body(response: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let line = response.iter().position(|b| *b == b'\r').unwrap_or(response.len());
    let body = response.windows(4).position(|w| w == b"\r\n\r\n").map_or(response.len(), |at| at + 4);
    (response[..line].to_vec(), response[body..].to_vec())
}

#[tokio::test]
async fn engagements_and_letters_have_random_ids_and_unknown_ids_answer_like_hidden_ones()
-> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let engagement = interim_visit(&app).await?;
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    let mut programme = ProgrammeServiceClient::new(app.authed(&lead).await?);
    let next = programme
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000007".into(),
            kind: pb::EngagementKind::EngagementMeeting.into(),
            onsite: Some(pb::DateRange { first_day: "2027-05-10".into(), last_day: "2027-05-10".into() }),
            note: String::new(),
        })
        .await?
        .into_inner()
        .engagement
        .expect("engagement");
    assert!(is_random_uuid(&engagement) && is_random_uuid(&next.id), "{engagement} {}", next.id);
    assert_ne!(engagement, next.id);

    let mut inspector = letters(&app, Persona::OfstedInspector).await?;
    let mut drafts = Vec::new();
    for title in ["First draft", "Second draft"] {
        let draft = inspector
            .create_letter(pb::CreateLetterRequest {
                engagement_id: engagement.clone(),
                title: title.into(),
                body: CLEAN.into(),
            })
            .await?
            .into_inner()
            .letter
            .expect("letter");
        assert!(is_random_uuid(&draft.id), "{}", draft.id);
        assert_eq!(draft.engagement_id, engagement, "cross-references carry the public id too");
        drafts.push(draft.id);
    }
    assert_ne!(drafts[0], drafts[1]);

    // The audit trail names each object by the id the API carries.
    let (_, planner_token) = app.persona(Persona::Planner).await?;
    let mut audit = AuditServiceClient::new(app.authed(&planner_token).await?);
    for (object_type, object_id, action) in [
        ("engagement", engagement.as_str(), "engagement.schedule"),
        ("letter", drafts[0].as_str(), "letter.create"),
    ] {
        let request = pb::ListAuditEventsRequest {
            object_type: object_type.into(),
            object_id: object_id.into(),
            page_size: 50,
            page_token: String::new(),
        };
        let events = audit.list_audit_events(request).await?.into_inner().events;
        assert!(events.iter().any(|e| e.action == action), "{action} of {object_id}: {events:?}");
    }

    // An outsider learns nothing from an id: hidden, unknown but well formed, malformed or an
    // old integer id all answer alike (code, message and details).
    let random = send_planner::domain::public_id::new_public_id();
    let (_, westminster) = app.persona(Persona::Westminster).await?;
    let mut outsider = ProgrammeServiceClient::new(app.authed(&westminster).await?);
    let mut outsider_letters = letters(&app, Persona::Westminster).await?;
    let hidden_engagement = outsider
        .get_engagement(pb::GetEngagementRequest { id: engagement.clone() })
        .await
        .expect_err("hidden");
    let hidden_letter = outsider_letters
        .get_letter(pb::GetLetterRequest { id: drafts[0].clone() })
        .await
        .expect_err("hidden");
    let (_, westminster_token) = app.persona(Persona::Westminster).await?;
    let hidden_pdf = http_get(&app, &format!("/letters/{}/pdf", drafts[0]), &westminster_token).await?;
    assert!(hidden_pdf.starts_with(b"HTTP/1.1 404"));
    for other in [random.as_str(), "1", "999999", "not-an-id", &random.to_uppercase()] {
        let e = outsider
            .get_engagement(pb::GetEngagementRequest { id: other.into() })
            .await
            .expect_err("unknown");
        assert_eq!(answer(&e), answer(&hidden_engagement), "engagement {other:?}");
        let l = outsider_letters
            .get_letter(pb::GetLetterRequest { id: other.into() })
            .await
            .expect_err("unknown");
        assert_eq!(answer(&l), answer(&hidden_letter), "letter {other:?}");
        let pdf = http_get(&app, &format!("/letters/{other}/pdf"), &westminster_token).await?;
        assert_eq!(status_and_body(&pdf), status_and_body(&hidden_pdf), "pdf {other:?}");
    }
    app.stop().await
}
