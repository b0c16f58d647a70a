//! Start pages over the real server (issue #11, item 3): what waits for each role, only within
//! their scope, and the acknowledgement of safeguarding concerns.
//!
//! Run: `cargo test -p integration-tests --test e2e -- start::` (add
//! `SEND_PLANNER_TEST_DB=postgres` for PostgreSQL).

use anyhow::Context as _;
use integration_tests::{Persona, TestApp, spawn_app_with, visit_request};
use proto::pb::{
    self, audit_service_client::AuditServiceClient, consent_service_client::ConsentServiceClient,
    letter_service_client::LetterServiceClient, programme_service_client::ProgrammeServiceClient,
    start_service_client::StartServiceClient,
};
use tonic::Code;

async fn app() -> anyhow::Result<TestApp> {
    spawn_app_with(&integration_tests::workspace_root().join("dist")).await
}

/// `persona`'s start page, signed in afresh (the tests move the clock past idle sessions).
async fn start(app: &TestApp, persona: Persona) -> anyhow::Result<pb::GetStartPageResponse> {
    let (_, token) = app.persona(persona).await?;
    Ok(StartServiceClient::new(app.authed(&token).await?)
        .get_start_page(pb::GetStartPageRequest {})
        .await?
        .into_inner())
}

async fn consent(
    app: &TestApp,
    persona: Persona,
) -> anyhow::Result<
    ConsentServiceClient<
        tonic::service::interceptor::InterceptedService<tonic::transport::Channel, integration_tests::Bearer>,
    >,
> {
    let (_, token) = app.persona(persona).await?;
    Ok(ConsentServiceClient::new(app.authed(&token).await?))
}

fn set_clock(app: &TestApp, rfc3339: &str) -> anyhow::Result<()> {
    app.clock.set(chrono::DateTime::parse_from_rfc3339(rfc3339)?.to_utc());
    Ok(())
}

/// (area, reply-by, overdue) of each reply listed.
fn replies(page: &pb::GetStartPageResponse) -> Vec<(String, String, bool)> {
    page.replies.iter().map(|r| (r.local_area_name.clone(), r.reply_by.clone(), r.overdue)).collect()
}

fn nothing_waits(page: &pb::GetStartPageResponse) -> bool {
    *page == pb::GetStartPageResponse::default()
}

#[tokio::test]
async fn requests_wait_for_their_area_and_region_until_the_reply_by_day_then_are_overdue()
-> anyhow::Result<()> {
    let app = app().await?;
    // Today is Monday 23 November 2026: Camden is asked to reply today, Hartlepool next week.
    let mut lead = consent(&app, Persona::InnerLondonLead).await?;
    let camden = lead.create_visit_request(visit_request("E09000007", "2026-11-23")).await?.into_inner();
    let mut planner = consent(&app, Persona::Planner).await?;
    planner.create_visit_request(visit_request("E06000001", "2026-11-30")).await?;
    let camden_id = camden.request.context("created")?.id;

    let waiting = |area: &str, day: &str, late| vec![(area.to_owned(), day.to_owned(), late)];
    let page = start(&app, Persona::Camden).await?;
    assert_eq!(replies(&page), waiting("Camden", "2026-11-23", false), "the reply-by day itself");
    assert_eq!(page.replies[0].request_id, camden_id);
    assert_eq!(
        replies(&start(&app, Persona::InnerLondonLead).await?),
        waiting("Camden", "2026-11-23", false)
    );
    assert_eq!(replies(&start(&app, Persona::Hartlepool).await?), waiting("Hartlepool", "2026-11-30", false));
    assert_eq!(
        replies(&start(&app, Persona::NorthEastLead).await?),
        waiting("Hartlepool", "2026-11-30", false)
    );
    assert!(replies(&start(&app, Persona::Planner).await?).is_empty(), "planners see overdue replies only");
    for outsider in [Persona::Westminster, Persona::OfstedInspector] {
        assert!(nothing_waits(&start(&app, outsider).await?), "{outsider:?} learns nothing");
    }

    // The next day Camden's reply is overdue, for Camden, its lead and national planners.
    set_clock(&app, "2026-11-24T09:00:00Z")?;
    assert_eq!(replies(&start(&app, Persona::Camden).await?), waiting("Camden", "2026-11-23", true));
    assert_eq!(replies(&start(&app, Persona::InnerLondonLead).await?), waiting("Camden", "2026-11-23", true));
    assert_eq!(replies(&start(&app, Persona::Planner).await?), waiting("Camden", "2026-11-23", true));
    assert!(nothing_waits(&start(&app, Persona::Westminster).await?));

    // An answered request waits for nobody.
    set_clock(&app, "2026-11-23T10:00:00Z")?;
    let mut hartlepool = consent(&app, Persona::Hartlepool).await?;
    let theirs = hartlepool.list_visit_requests(pb::ListVisitRequestsRequest::default()).await?.into_inner();
    let request = theirs.requests.first().context("Hartlepool's request")?;
    hartlepool
        .answer_visit_request(pb::AnswerVisitRequestRequest {
            id: request.id.clone(),
            version: request.version,
            answer: Some(pb::answer_visit_request_request::Answer::Decline(pb::DeclineAnswer {
                reason: "Ofsted inspection last month".into(),
            })),
        })
        .await?;
    assert!(nothing_waits(&start(&app, Persona::Hartlepool).await?));
    assert!(nothing_waits(&start(&app, Persona::NorthEastLead).await?));
    Ok(())
}

#[tokio::test]
async fn an_inspection_to_notify_this_week_waits_for_planners_its_lead_and_its_team_until_notified()
-> anyhow::Result<()> {
    let app = app().await?;
    let (_, token) = app.persona(Persona::InnerLondonLead).await?;
    let mut programme = ProgrammeServiceClient::new(app.authed(&token).await?);
    // Onsite from Monday 7 December 2026: Camden is to be told today, Monday 23 November.
    let scheduled = programme
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000007".into(),
            kind: pb::EngagementKind::FullInspection.into(),
            onsite: Some(pb::DateRange { first_day: "2026-12-07".into(), last_day: "2026-12-11".into() }),
            note: String::new(),
        })
        .await?
        .into_inner()
        .engagement
        .context("scheduled")?;
    let notices = |page: &pb::GetStartPageResponse| {
        page.notices
            .iter()
            .map(|n| (n.engagement_id.clone(), n.notification_date.clone(), n.overdue))
            .collect::<Vec<_>>()
    };
    let due = |late| vec![(scheduled.id.clone(), "2026-11-23".to_owned(), late)];
    assert_eq!(notices(&start(&app, Persona::Planner).await?), due(false));
    assert_eq!(notices(&start(&app, Persona::InnerLondonLead).await?), due(false));
    for outsider in [Persona::NorthEastLead, Persona::Camden, Persona::OfstedInspector] {
        assert!(nothing_waits(&start(&app, outsider).await?), "{outsider:?} is not told of a proposal");
    }

    // Once on its team, the inspector is told too; an inspector off the team is not.
    let (account, _) = app.persona(Persona::OfstedInspector).await?;
    let mut off_team = Persona::OfstedInspector.request();
    off_team.username = "hmi.offteam".into();
    app.seed_person(off_team).await?;
    let mut ids = Vec::new();
    for (name, inspectorate, social_care, person) in [
        ("Lead HMI", pb::Inspectorate::Ofsted, false, String::new()),
        ("Ofsted Inspector", pb::Inspectorate::Ofsted, false, String::new()),
        ("CQC Inspector", pb::Inspectorate::Cqc, false, String::new()),
        ("Social Care Inspector", pb::Inspectorate::Ofsted, true, account.id.clone()),
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
            .into_inner();
        ids.push(created.inspector.context("inspector")?.id);
    }
    let member = |id: &String, role: pb::TeamRole| pb::TeamMember {
        inspector_id: id.clone(),
        name: String::new(),
        role: role.into(),
    };
    let scheduled = programme
        .assign_team(pb::AssignTeamRequest {
            id: scheduled.id.clone(),
            version: scheduled.version,
            members: vec![
                member(&ids[0], pb::TeamRole::LeadHmi),
                member(&ids[1], pb::TeamRole::OfstedInspector),
                member(&ids[2], pb::TeamRole::CqcInspector),
                member(&ids[3], pb::TeamRole::SocialCareInspector),
            ],
            reason: String::new(),
        })
        .await?
        .into_inner()
        .engagement
        .context("with its team")?;
    assert_eq!(notices(&start(&app, Persona::OfstedInspector).await?), due(false));
    let token = app.sign_in("hmi.offteam", integration_tests::PASSWORD).await?;
    let off_team_page = StartServiceClient::new(app.authed(&token).await?)
        .get_start_page(pb::GetStartPageRequest {})
        .await?
        .into_inner();
    assert!(nothing_waits(&off_team_page), "off the team");

    // On the Tuesday it is late (and still listed); the Friday before it was not yet due.
    set_clock(&app, "2026-11-24T09:00:00Z")?;
    assert_eq!(notices(&start(&app, Persona::Planner).await?), due(true));
    set_clock(&app, "2026-11-20T09:00:00Z")?;
    assert!(notices(&start(&app, Persona::Planner).await?).is_empty(), "next week's notice");

    set_clock(&app, "2026-11-23T09:00:00Z")?;
    let (_, token) = app.persona(Persona::InnerLondonLead).await?;
    ProgrammeServiceClient::new(app.authed(&token).await?)
        .notify_local_area(pb::NotifyLocalAreaRequest {
            id: scheduled.id.clone(),
            version: scheduled.version,
        })
        .await?;
    assert!(notices(&start(&app, Persona::Planner).await?).is_empty(), "notified");
    assert!(notices(&start(&app, Persona::InnerLondonLead).await?).is_empty());
    Ok(())
}

#[tokio::test]
async fn a_submitted_letter_waits_for_planners_and_a_returned_one_for_its_writer_with_the_reason()
-> anyhow::Result<()> {
    let app = app().await?;
    let visit = app.interim_visit_with_team().await?;
    let submitted = app.submitted_letter(&visit.engagement.id).await?;

    let planner_page = start(&app, Persona::Planner).await?;
    let to_approve: Vec<_> = planner_page.letters_to_approve.iter().map(|l| l.letter_id.as_str()).collect();
    assert_eq!(to_approve, [submitted.id.as_str()]);
    assert!(start(&app, Persona::OfstedInspector).await?.returned_letters.is_empty());

    let (_, token) = app.persona(Persona::Planner).await?;
    LetterServiceClient::new(app.authed(&token).await?)
        .return_letter(pb::ReturnLetterRequest {
            id: submitted.id.clone(),
            version: submitted.version,
            reason: "Say which services the leaders described".into(),
        })
        .await?;
    assert!(start(&app, Persona::Planner).await?.letters_to_approve.is_empty());
    let writer = start(&app, Persona::OfstedInspector).await?;
    let returned: Vec<_> =
        writer.returned_letters.iter().map(|l| (l.letter_id.as_str(), l.returned_reason.as_str())).collect();
    assert_eq!(returned, [(submitted.id.as_str(), "Say which services the leaders described")]);
    for outsider in [Persona::Camden, Persona::InnerLondonLead, Persona::Westminster] {
        let page = start(&app, outsider).await?;
        assert!(page.returned_letters.is_empty() && page.unread_letters.is_empty(), "{outsider:?}");
    }
    Ok(())
}

#[tokio::test]
async fn an_issued_letter_is_unread_for_its_local_area_until_opened() -> anyhow::Result<()> {
    let app = app().await?;
    let visit = app.notified_interim_visit_with_team().await?;
    let issued = app.issued_letter(&visit.engagement.id).await?;
    let unread = start(&app, Persona::Camden).await?.unread_letters;
    assert_eq!(unread.iter().map(|l| l.letter_id.as_str()).collect::<Vec<_>>(), [issued.id.as_str()]);
    assert_eq!(unread[0].title, "Interim visit to Camden");
    assert!(start(&app, Persona::Westminster).await?.unread_letters.is_empty());
    assert!(start(&app, Persona::Planner).await?.unread_letters.is_empty());

    let (_, token) = app.persona(Persona::Camden).await?;
    LetterServiceClient::new(app.authed(&token).await?)
        .get_letter(pb::GetLetterRequest { id: issued.id.clone() })
        .await?;
    assert!(start(&app, Persona::Camden).await?.unread_letters.is_empty(), "opened");
    Ok(())
}

#[tokio::test]
async fn a_safeguarding_concern_waits_for_planners_until_one_acknowledges_it_once() -> anyhow::Result<()> {
    let app = app().await?;
    let mut lead = consent(&app, Persona::InnerLondonLead).await?;
    let request = lead.create_visit_request(visit_request("E09000007", "2027-01-15")).await?.into_inner();
    let request = request.request.context("created")?;
    consent(&app, Persona::Camden)
        .await?
        .record_safeguarding_concern(pb::RecordSafeguardingConcernRequest {
            id: request.id.clone(),
            note: "A child disclosed harm at school".into(),
        })
        .await?;

    let concerns = start(&app, Persona::Planner).await?.concerns;
    assert_eq!(concerns.len(), 1);
    assert_eq!(concerns[0].local_area_name, "Camden");
    for other in [Persona::InnerLondonLead, Persona::Camden] {
        assert!(start(&app, other).await?.concerns.is_empty(), "{other:?}: only planners get the banner");
    }

    // Only national planners may acknowledge; an unknown id is not found.
    let refused = lead
        .acknowledge_safeguarding_concern(pb::AcknowledgeSafeguardingConcernRequest {
            id: concerns[0].concern_id.clone(),
        })
        .await
        .expect_err("a lead may not acknowledge");
    assert_eq!(refused.code(), Code::PermissionDenied);
    let mut planner = consent(&app, Persona::Planner).await?;
    let missing = planner
        .acknowledge_safeguarding_concern(pb::AcknowledgeSafeguardingConcernRequest {
            id: "7a1e3c1e-0000-4000-8000-000000000000".into(),
        })
        .await
        .expect_err("no such concern");
    assert_eq!(missing.code(), Code::NotFound);

    let first = planner
        .acknowledge_safeguarding_concern(pb::AcknowledgeSafeguardingConcernRequest {
            id: concerns[0].concern_id.clone(),
        })
        .await?
        .into_inner()
        .concern
        .context("acknowledged")?;
    assert_eq!(first.acknowledged_by, "Test planner");
    assert!(!first.acknowledged_at.is_empty());
    assert!(start(&app, Persona::Planner).await?.concerns.is_empty(), "the banner is gone");

    // Acknowledging again changes nothing: the first acknowledgement stands.
    app.clock.set(app.clock.now() + chrono::TimeDelta::minutes(5));
    let again = planner
        .acknowledge_safeguarding_concern(pb::AcknowledgeSafeguardingConcernRequest {
            id: concerns[0].concern_id.clone(),
        })
        .await?
        .into_inner()
        .concern
        .context("again")?;
    assert_eq!(again, first);
    let listed =
        planner.list_safeguarding_concerns(pb::ListSafeguardingConcernsRequest {}).await?.into_inner();
    assert_eq!(listed.concerns, std::slice::from_ref(&first));

    // Both calls are in the audit trail.
    let (_, token) = app.persona(Persona::Planner).await?;
    let events = AuditServiceClient::new(app.authed(&token).await?)
        .list_audit_events(pb::ListAuditEventsRequest {
            object_type: "safeguarding_concern".into(),
            object_id: first.id.clone(),
            page_size: 50,
            page_token: String::new(),
        })
        .await?
        .into_inner()
        .events;
    let mut outcomes: Vec<_> = events
        .iter()
        .filter(|e| e.action == "safeguarding.acknowledge")
        .map(|e| e.outcome.as_str())
        .collect();
    outcomes.sort_unstable();
    assert_eq!(outcomes, ["acknowledged", "already_acknowledged"]);
    Ok(())
}

/// The store narrows each list to the viewer's scope on its own, before the domain judges again:
/// asked directly for another area's or region's view, it loads nothing.
#[tokio::test]
async fn the_store_loads_start_page_facts_only_within_the_viewers_scope() -> anyhow::Result<()> {
    use send_planner::domain::identity::{Person, Scope};
    let app = app().await?;
    let mut lead = consent(&app, Persona::InnerLondonLead).await?;
    lead.create_visit_request(visit_request("E09000007", "2027-01-15")).await?;
    let (_, token) = app.persona(Persona::InnerLondonLead).await?;
    ProgrammeServiceClient::new(app.authed(&token).await?)
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000007".into(),
            kind: pb::EngagementKind::FullInspection.into(),
            onsite: Some(pb::DateRange { first_day: "2026-12-07".into(), last_day: "2026-12-11".into() }),
            note: String::new(),
        })
        .await?;
    let today = app.clock.now().date_naive();
    let until = send_planner::domain::start_page::end_of_notice_week(today);
    let person = |scope: Scope| Person {
        id: 0,
        username: "viewer".into(),
        display_name: "Viewer".into(),
        scope,
        scope_label: String::new(),
    };
    let count = |scope: Scope| {
        let store = app.store.clone();
        async move {
            let viewer = person(scope);
            let requests = store.unanswered_requests(&viewer.scope, today).await?.len();
            let notices = store.notices_pending(&viewer, until, today).await?.len();
            anyhow::Ok((requests, notices))
        }
    };
    assert_eq!(count(Scope::LocalArea("E09000007".into())).await?, (1, 0), "areas see no proposals");
    assert_eq!(count(Scope::Region("E13000001".into())).await?, (1, 1));
    assert_eq!(count(Scope::England).await?, (1, 1));
    assert_eq!(count(Scope::LocalArea("E09000033".into())).await?, (0, 0));
    assert_eq!(count(Scope::Region("E12000001".into())).await?, (0, 0));
    assert_eq!(count(Scope::Accounts).await?, (0, 0));
    Ok(())
}
