//! Case-study samples over the real server (issue #14): the area uploads a CSV (a bad row
//! refuses the whole file, by line and column), the team sees the rules, picks or asks for a
//! suggested pick, both agree and the list freezes; changes then need a reason and make a new
//! version; outsiders are answered as for a missing engagement; reads are audited; stored
//! references are refused in letters.

use integration_tests::{Persona, TestApp, fields, rules, spawn_app_with};
use proto::pb::{
    self, audit_service_client::AuditServiceClient, case_study_service_client::CaseStudyServiceClient,
    letter_service_client::LetterServiceClient,
};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};

type Client = CaseStudyServiceClient<InterceptedService<Channel, integration_tests::Bearer>>;

/// Eight children from which a valid interim pick exists (CYP-001, 002, 003, 005 is one).
pub(crate) const GOOD_CSV: &str = "reference,age_band,primary_needs,support,alternative_provision,multi_agency,school_phase\n\
CYP-001,5-10,CI,SEN Support,no,yes,primary\n\
CYP-002,5-10,CL,SEN Support,no,yes,primary\n\
CYP-003,11-15,SEMH,EHC plan,yes,yes,secondary\n\
CYP-004,11-15,SP,EHC plan,no,no,secondary\n\
CYP-005,16-19,CI;CL,EHC plan,no,yes,post-16\n\
CYP-006,5-10,SEMH,SEN Support,no,no,primary\n\
CYP-007,0-4,CL,EHC plan,no,no,early years\n\
CYP-008,11-15,SP,EHC plan,yes,yes,secondary\n";

/// The same with one bad row (line 3: an unknown need code) and a name (line 4).
const BAD_CSV: &str = "reference,age_band,primary_needs,support,alternative_provision,multi_agency,school_phase\n\
CYP-001,5-10,CI,SEN Support,no,yes,primary\n\
CYP-002,5-10,XX,SEN Support,no,yes,primary\n\
Amara Jones,11-15,SEMH,EHC plan,yes,yes,secondary\n";

async fn client(app: &TestApp, persona: Persona) -> anyhow::Result<Client> {
    let (_, token) = app.persona(persona).await?;
    Ok(CaseStudyServiceClient::new(app.authed(&token).await?))
}

async fn sample(client: &mut Client, engagement: &str) -> Result<pb::CaseStudySample, tonic::Status> {
    let request = pb::GetCaseStudySampleRequest { engagement_id: engagement.into() };
    Ok(client.get_case_study_sample(request).await?.into_inner().sample.unwrap_or_default())
}

async fn upload(
    client: &mut Client,
    engagement: &str,
    version: i64,
    csv: &str,
    reason: &str,
) -> Result<pb::CaseStudySample, tonic::Status> {
    let request = pb::UploadCaseStudySampleRequest {
        engagement_id: engagement.into(),
        version,
        file: csv.as_bytes().to_vec(),
        population: Some(pb::CaseStudyPopulation {
            communication_interaction: 40,
            cognition_learning: 30,
            social_emotional_mental_health: 20,
            sensory_physical: 10,
            sen_support: 80,
            ehc_plan: 20,
        }),
        reason: reason.into(),
    };
    Ok(client.upload_case_study_sample(request).await?.into_inner().sample.unwrap_or_default())
}

async fn pick(
    client: &mut Client,
    engagement: &str,
    version: i64,
    references: &[&str],
) -> Result<pb::CaseStudySample, tonic::Status> {
    let request = pb::PickCaseStudiesRequest {
        engagement_id: engagement.into(),
        version,
        references: references.iter().map(|r| (*r).to_owned()).collect(),
        reason: String::new(),
    };
    Ok(client.pick_case_studies(request).await?.into_inner().sample.unwrap_or_default())
}

async fn agree(
    client: &mut Client,
    engagement: &str,
    version: i64,
) -> Result<pb::CaseStudySample, tonic::Status> {
    let request = pb::AgreeCaseStudySampleRequest { engagement_id: engagement.into(), version };
    Ok(client.agree_case_study_sample(request).await?.into_inner().sample.unwrap_or_default())
}

async fn visit(app: &TestApp) -> anyhow::Result<String> {
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")?.to_utc());
    Ok(app.notified_interim_visit_with_team().await?.engagement.id)
}

#[tokio::test]
async fn case_study_sample_is_uploaded_picked_against_the_rules_agreed_and_frozen() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    let engagement = visit(&app).await?;
    let mut area = client(&app, Persona::Camden).await?;
    let mut team = client(&app, Persona::OfstedInspector).await?;

    // Before any list: the team can do nothing yet; the rules are stated.
    let empty = sample(&mut team, &engagement).await?;
    assert!(empty.has_case_studies && empty.entries.is_empty() && empty.id.is_empty());
    assert!(empty.rules_summary.starts_with("An interim visit has 4 to 6 case studies"));

    // A file with bad rows: refused whole, each row's problem by line and column.
    let bad = upload(&mut area, &engagement, 0, BAD_CSV, "").await.expect_err("bad rows");
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert_eq!(fields(&bad), ["file:3:3", "file:4:1"]);
    assert!(
        bad.message().contains("Line 3, column 3 (primary needs): XX is not an area of need"),
        "{}",
        bad.message()
    );
    assert!(bad.message().contains("Line 4, column 1 (reference): This looks like a name"));
    let wrong_header = upload(&mut area, &engagement, 0, "name,needs\nA,CI\n", "").await.expect_err("header");
    assert_eq!(fields(&wrong_header), ["file:1:1"]);
    assert!(sample(&mut area, &engagement).await?.entries.is_empty(), "nothing stored from a rejected file");

    // The team may not upload; the area may.
    let refused = upload(&mut team, &engagement, 0, GOOD_CSV, "").await.expect_err("team");
    assert_eq!(refused.code(), Code::PermissionDenied);
    let listed = upload(&mut area, &engagement, 0, GOOD_CSV, "").await?;
    assert_eq!(listed.entries.len(), 8);
    assert_eq!(listed.list_version, 1);
    assert!(listed.list_shortfalls.is_empty());
    assert_eq!(listed.representativeness.len(), 6);
    assert_eq!(listed.entries[2].needs, ["social, emotional and mental health"]);
    assert!(!listed.id.is_empty() && listed.id != engagement);

    // A live check, then a pick that breaks rules: refused with each rule.
    let check = team
        .check_case_study_pick(pb::CheckCaseStudyPickRequest {
            engagement_id: engagement.clone(),
            references: vec!["CYP-003".into(), "CYP-004".into()],
        })
        .await?
        .into_inner();
    let unmet: Vec<_> = check.rules.iter().filter(|r| !r.met).map(|r| (r.rule.as_str(), r.missing)).collect();
    assert_eq!(
        unmet,
        [
            ("case_study.interim_size", 2),
            ("case_study.interim_sen_support", 2),
            ("case_study.interim_multi_agency", 2)
        ]
    );
    let broken =
        pick(&mut team, &engagement, listed.version, &["CYP-003", "CYP-004"]).await.expect_err("rules");
    assert_eq!(broken.code(), Code::FailedPrecondition);
    assert_eq!(
        rules(&broken),
        ["case_study.interim_size", "case_study.interim_sen_support", "case_study.interim_multi_agency"]
    );
    // The area may not pick; a stale version is refused.
    assert_eq!(
        pick(&mut area, &engagement, listed.version, &["CYP-001"]).await.expect_err("area").code(),
        Code::PermissionDenied
    );
    let valid = ["CYP-001", "CYP-002", "CYP-003", "CYP-005"];
    assert_eq!(
        pick(&mut team, &engagement, listed.version - 1, &valid).await.expect_err("stale").code(),
        Code::Aborted
    );
    let picked = pick(&mut team, &engagement, listed.version, &valid).await?;
    assert!(picked.pick_rules.iter().all(|r| r.met), "{:?}", picked.pick_rules);
    assert_eq!(picked.entries.iter().filter(|e| e.picked).count(), 4);

    // A suggested pick: valid, its seed recorded, and the seed reproduces it.
    let suggested = team
        .suggest_case_study_pick(pb::SuggestCaseStudyPickRequest {
            engagement_id: engagement.clone(),
            version: picked.version,
            reason: String::new(),
        })
        .await?
        .into_inner()
        .sample
        .unwrap_or_default();
    assert!(suggested.pick_rules.iter().all(|r| r.met));
    let seed: u64 = suggested.seed.parse()?;
    let entries = send_planner::domain::case_studies::parse_csv(GOOD_CSV.as_bytes())
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let again = send_planner::domain::case_studies::suggest_pick(
        send_planner::domain::case_studies::Rules::Interim,
        &entries,
        seed,
    )
    .unwrap_or_default();
    let again: Vec<&str> = again.iter().map(|&i| entries[i].reference.as_str()).collect();
    let chosen: Vec<&str> =
        suggested.entries.iter().filter(|e| e.picked).map(|e| e.reference.as_str()).collect();
    assert_eq!(again, chosen, "the recorded seed reproduces the suggestion");

    // Back to the hand pick; both agree; the list freezes.
    let picked = pick(&mut team, &engagement, suggested.version, &valid).await?;
    let by_area = agree(&mut area, &engagement, picked.version).await?;
    assert!(by_area.area_agreed.is_some() && !by_area.frozen);
    let both = agree(&mut team, &engagement, by_area.version).await?;
    assert!(both.frozen);
    let team_agreed = both.team_agreed.clone().unwrap_or_default();
    assert!(!team_agreed.by.is_empty() && team_agreed.at.starts_with("2026-11-23"), "{team_agreed:?}");
    assert!(!both.allowed_actions.contains(&pb::CaseStudyAction::Agree.into()));

    // A change to a frozen list needs a reason, and makes a new version that needs agreeing again.
    let no_reason = upload(&mut area, &engagement, both.version, GOOD_CSV, " ").await.expect_err("reason");
    assert_eq!(rules(&no_reason), ["case_study.reason_required"]);
    let changed = upload(
        &mut area,
        &engagement,
        both.version,
        &GOOD_CSV.replace("CYP-008", "CYP-009"),
        "CYP-008 moved away",
    )
    .await?;
    assert_eq!(changed.list_version, 2);
    assert!(!changed.frozen && changed.area_agreed.is_none() && changed.team_agreed.is_none());
    let reasons: Vec<_> = changed.history.iter().map(|h| (h.list_version, h.reason.as_str())).collect();
    assert_eq!(reasons, [(1, ""), (2, "CYP-008 moved away")]);
    assert!(changed.entries.iter().all(|e| !e.picked), "a new list needs a new pick");

    // The region's lead and national planners read it; they cannot change it.
    let mut lead = client(&app, Persona::InnerLondonLead).await?;
    assert_eq!(sample(&mut lead, &engagement).await?.entries.len(), 8);
    let mut planner = client(&app, Persona::Planner).await?;
    let seen = sample(&mut planner, &engagement).await?;
    assert!(seen.allowed_actions.is_empty());
    assert_eq!(
        agree(&mut lead, &engagement, seen.version).await.expect_err("lead").code(),
        Code::PermissionDenied
    );
    app.stop().await
}

#[tokio::test]
async fn case_study_sample_is_hidden_from_outsiders_exactly_as_a_missing_one_and_reads_are_audited()
-> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    let engagement = visit(&app).await?;
    let mut area = client(&app, Persona::Camden).await?;
    upload(&mut area, &engagement, 0, GOOD_CSV, "").await?;
    let missing = send_planner::domain::public_id::new_public_id();
    for persona in [Persona::Westminster, Persona::Hartlepool, Persona::NorthEastLead] {
        let mut outsider = client(&app, persona).await?;
        let hidden = sample(&mut outsider, &engagement).await.expect_err("hidden");
        let absent = sample(&mut outsider, &missing).await.expect_err("missing");
        assert_eq!((hidden.code(), hidden.message()), (absent.code(), absent.message()), "{persona:?}");
        assert_eq!(hidden.code(), Code::NotFound);
    }
    // An inspector off the team.
    let mut other = Persona::OfstedInspector.request();
    other.username = "hmi.offteam".into();
    app.seed_person(other).await?;
    let token = app.sign_in("hmi.offteam", integration_tests::PASSWORD).await?;
    let mut off_team = CaseStudyServiceClient::new(app.authed(&token).await?);
    let hidden = sample(&mut off_team, &engagement).await.expect_err("off team");
    assert_eq!(hidden.code(), Code::NotFound);
    let hidden_pick = pick(&mut off_team, &engagement, 1, &["CYP-001"]).await.expect_err("off team");
    assert_eq!(hidden_pick.code(), Code::NotFound);

    // Reads are audited, with who read.
    let mut team = client(&app, Persona::OfstedInspector).await?;
    sample(&mut team, &engagement).await?;
    let (_, planner) = app.persona(Persona::Planner).await?;
    let trail = AuditServiceClient::new(app.authed(&planner).await?)
        .list_audit_events(pb::ListAuditEventsRequest {
            object_type: "engagement".into(),
            object_id: engagement.clone(),
            page_size: 100,
            page_token: String::new(),
        })
        .await?
        .into_inner();
    let actions: Vec<(String, String)> =
        trail.events.iter().map(|e| (e.action.clone(), e.actor_username.clone())).collect();
    let team_user = Persona::OfstedInspector.username().to_owned();
    assert!(actions.contains(&("case_study.view".into(), team_user)), "{actions:?}");
    assert!(actions.iter().any(|(a, _)| a == "case_study.upload"), "{actions:?}");
    app.stop().await
}

#[tokio::test]
async fn case_study_references_on_the_list_or_taken_off_it_are_refused_in_letters() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    let engagement = visit(&app).await?;
    let mut area = client(&app, Persona::Camden).await?;
    // References the letter checks' own CYP-/CS- pattern would not catch.
    let first = upload(&mut area, &engagement, 0, &GOOD_CSV.replace("CYP-008", "Blue 8"), "").await?;
    // "Blue 8" is taken off the list: still a stored reference of the engagement.
    upload(&mut area, &engagement, first.version, &GOOD_CSV.replace("CYP-008", "Green 9"), "").await?;
    let (_, token) = app.persona(Persona::OfstedInspector).await?;
    let mut letters = LetterServiceClient::new(app.authed(&token).await?);
    let body = format!(
        "{}We met the family of Blue 8 and of Green 9.\n",
        integration_tests::scenario::CLEAN_INTERIM_LETTER
    );
    let draft = letters
        .create_letter(pb::CreateLetterRequest {
            engagement_id: engagement.clone(),
            title: "Interim visit".into(),
            body,
        })
        .await?
        .into_inner()
        .letter
        .unwrap_or_default();
    let findings = letters.check_letter(pb::CheckLetterRequest { id: draft.id }).await?.into_inner().findings;
    let references: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == "letter.case_reference")
        .map(|f| (f.message.split('"').nth(1).unwrap_or_default(), f.line))
        .collect();
    assert_eq!(references, [("Blue 8", 9), ("Green 9", 9)], "{findings:?}");
    app.stop().await
}

/// Three children, one on SEN Support, two with multi-agency support: no valid interim pick.
const SHORT_CSV: &str = "reference,age_band,primary_needs,support,alternative_provision,multi_agency,school_phase\n\
CYP-001,5-10,CI,SEN Support,no,yes,primary\n\
CYP-003,11-15,SEMH,EHC plan,yes,yes,secondary\n\
CYP-004,11-15,SP,EHC plan,no,no,secondary\n";

async fn ask_for_more(
    client: &mut Client,
    engagement: &str,
    version: i64,
) -> Result<pb::CaseStudySample, tonic::Status> {
    let request = pb::AskForMoreCaseStudiesRequest { engagement_id: engagement.into(), version };
    Ok(client.ask_for_more_case_studies(request).await?.into_inner().sample.unwrap_or_default())
}

async fn start_page(app: &TestApp, persona: Persona) -> anyhow::Result<pb::GetStartPageResponse> {
    let (_, token) = app.persona(persona).await?;
    let mut start = pb::start_service_client::StartServiceClient::new(app.authed(&token).await?);
    Ok(start.get_start_page(pb::GetStartPageRequest {}).await?.into_inner())
}

#[tokio::test]
async fn the_team_asks_the_area_for_more_children_and_a_new_list_answers_it() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    let engagement = visit(&app).await?;
    let mut area = client(&app, Persona::Camden).await?;
    let mut team = client(&app, Persona::OfstedInspector).await?;
    let mut lead = client(&app, Persona::InnerLondonLead).await?;

    // Nothing to ask before the area has supplied a list.
    let none = ask_for_more(&mut team, &engagement, 0).await.expect_err("no list");
    assert_eq!(none.code(), Code::FailedPrecondition);

    let short = upload(&mut area, &engagement, 0, SHORT_CSV, "").await?;
    assert!(!short.list_shortfalls.is_empty());
    let team_view = sample(&mut team, &engagement).await?;
    assert!(team_view.allowed_actions().any(|a| a == pb::CaseStudyAction::AskForMore));
    assert!(
        !sample(&mut area, &engagement)
            .await?
            .allowed_actions()
            .any(|a| a == pb::CaseStudyAction::AskForMore)
    );

    // Only the team asks; a stale version is refused; nothing is recorded by a refusal.
    assert_eq!(
        ask_for_more(&mut area, &engagement, short.version).await.expect_err("area").code(),
        Code::PermissionDenied
    );
    assert_eq!(
        ask_for_more(&mut lead, &engagement, short.version).await.expect_err("lead").code(),
        Code::PermissionDenied
    );
    assert_eq!(
        ask_for_more(&mut team, &engagement, short.version - 1).await.expect_err("stale").code(),
        Code::Aborted
    );
    assert!(sample(&mut area, &engagement).await?.more_asked.is_none());
    assert!(start_page(&app, Persona::Camden).await?.case_studies_asked.is_empty());

    // The team asks: recorded with what the list lacks, seen by the area on the sample and its
    // start page, and by nobody else's start page.
    let asked = ask_for_more(&mut team, &engagement, short.version).await?;
    let more = asked.more_asked.clone().expect("recorded");
    let lacks: Vec<String> = short.list_shortfalls.iter().map(|s| s.message.clone()).collect();
    assert_eq!(more.missing, lacks);
    assert!(!more.by.is_empty() && !more.at.is_empty());
    assert_eq!(sample(&mut area, &engagement).await?.more_asked, Some(more));
    let camden = start_page(&app, Persona::Camden).await?;
    assert_eq!(camden.case_studies_asked.len(), 1);
    assert_eq!(camden.case_studies_asked[0].engagement_id, engagement);
    assert_eq!(camden.case_studies_asked[0].local_area_name, "Camden");
    for persona in [Persona::Planner, Persona::InnerLondonLead, Persona::OfstedInspector] {
        assert!(start_page(&app, persona).await?.case_studies_asked.is_empty(), "{persona:?}");
    }

    // A full list answers it: the request is cleared, and there is nothing left to ask for.
    let full = upload(&mut area, &engagement, asked.version, GOOD_CSV, "").await?;
    assert!(full.more_asked.is_none() && full.list_shortfalls.is_empty());
    assert!(start_page(&app, Persona::Camden).await?.case_studies_asked.is_empty());
    let nothing = ask_for_more(&mut team, &engagement, full.version).await.expect_err("enough");
    assert_eq!(nothing.code(), Code::FailedPrecondition);
    assert_eq!(rules(&nothing), ["case_study.more_only_when_short"]);

    // Audited, in words.
    let (_, planner) = app.persona(Persona::Planner).await?;
    let mut audit = AuditServiceClient::new(app.authed(&planner).await?);
    let trail = audit
        .list_audit_entries(pb::ListAuditEntriesRequest { page_size: 100, ..Default::default() })
        .await?
        .into_inner();
    assert!(
        trail.entries.iter().any(|e| e.sentence.contains("asked the local area for more children")),
        "{:?}",
        trail.entries.iter().map(|e| &e.sentence).collect::<Vec<_>>()
    );
    Ok(())
}
