//! Proposed programmes (issue 13, item 3) over the real server: progress streams, a
//! cancellation stops it, nothing changes until the proposal is accepted, accepting applies
//! every change at once and is refused once the programme changed, one proposal per scope
//! runs at a time across replicas (the lease), and a regional lead plans only their region.
//! Runs on the suite's database (PostgreSQL with `SEND_PLANNER_TEST_DB=postgres`).

use std::time::{Duration, Instant};

use integration_tests::{Bearer, Persona, TestApp, rules, spawn_app_with};
use proto::pb::{
    self, programme_service_client::ProgrammeServiceClient,
    scheduling_service_client::SchedulingServiceClient,
};
use send_planner::startup::Application;
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};

type Authed = InterceptedService<Channel, Bearer>;

async fn app() -> anyhow::Result<(TestApp, tempfile::TempDir)> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")?.to_utc());
    Ok((app, web))
}

async fn channel(app: &TestApp, persona: Persona) -> anyhow::Result<Authed> {
    let (_, token) = app.persona(persona).await?;
    app.authed(&token).await
}

fn range(first: &str, last: &str) -> Option<pb::DateRange> {
    Some(pb::DateRange { first_day: first.into(), last_day: last.into() })
}

/// Four Inner London inspectors (a full team), and three proposed full inspections without a
/// team: Camden and Islington (Inner London) and Hartlepool (North East). Returns the
/// engagements' ids in that order.
pub(crate) async fn programme(app: &TestApp) -> anyhow::Result<Vec<String>> {
    let mut planner = ProgrammeServiceClient::new(channel(app, Persona::Planner).await?);
    for (name, inspectorate, social_care) in [
        ("Lena Lead", pb::Inspectorate::Ofsted, false),
        ("Omar Ofsted", pb::Inspectorate::Ofsted, false),
        ("Cara Cqc", pb::Inspectorate::Cqc, false),
        ("Sami Social", pb::Inspectorate::Ofsted, true),
    ] {
        planner
            .create_inspector(pb::CreateInspectorRequest {
                name: name.into(),
                inspectorate: inspectorate.into(),
                social_care,
                home_region_code: "E13000001".into(),
                max_engagements_per_term: 4,
                ..Default::default()
            })
            .await?;
    }
    let mut ids = Vec::new();
    for (area, first, last) in [
        ("E09000007", "2027-04-07", "2027-04-09"),
        ("E09000019", "2027-01-20", "2027-01-22"),
        ("E06000001", "2027-02-03", "2027-02-05"),
    ] {
        let e = planner
            .schedule_engagement(pb::ScheduleEngagementRequest {
                local_area_code: area.into(),
                kind: pb::EngagementKind::FullInspection.into(),
                onsite: range(first, last),
                note: "due".into(),
            })
            .await?
            .into_inner()
            .engagement
            .ok_or_else(|| anyhow::anyhow!("no engagement"))?;
        ids.push(e.id);
    }
    Ok(ids)
}

async fn engagements(app: &TestApp) -> anyhow::Result<Vec<pb::Engagement>> {
    let mut planner = ProgrammeServiceClient::new(channel(app, Persona::Planner).await?);
    let request = pb::ListEngagementsRequest { academic_year: 2026, ..Default::default() };
    Ok(planner.list_engagements(request).await?.into_inner().engagements)
}

/// Starts a proposal and reads its whole stream.
async fn propose(
    client: &mut SchedulingServiceClient<Authed>,
    seconds: u32,
) -> Result<Vec<pb::ProposalProgress>, tonic::Status> {
    let mut stream = client.start_proposal(pb::StartProposalRequest { seconds }).await?.into_inner();
    let mut seen = Vec::new();
    while let Some(message) = stream.message().await? {
        seen.push(message);
    }
    Ok(seen)
}

async fn proposal(
    client: &mut SchedulingServiceClient<Authed>,
    id: &str,
) -> Result<pb::Proposal, tonic::Status> {
    let reply = client.get_proposal(pb::GetProposalRequest { id: id.into() }).await?.into_inner();
    reply.proposal.ok_or_else(|| tonic::Status::internal("no proposal"))
}

#[tokio::test]
async fn progress_streams_then_nothing_changes_until_the_proposal_is_accepted_at_once() -> anyhow::Result<()>
{
    let (app, _web) = app().await?;
    let ids = programme(&app).await?;
    let mut planner = SchedulingServiceClient::new(channel(&app, Persona::Planner).await?);

    let started = Instant::now();
    let seen = propose(&mut planner, 2).await?;
    let first = seen.first().ok_or_else(|| anyhow::anyhow!("no progress"))?;
    let last = seen.last().ok_or_else(|| anyhow::anyhow!("no progress"))?;
    assert_eq!(first.state(), pb::ProposalState::Running);
    assert!(!first.proposal_id.is_empty() && seen.iter().all(|p| p.proposal_id == first.proposal_id));
    assert!(seen.len() >= 3, "the start, reports while it searches, the end: {seen:?}");
    assert!(
        seen.iter().skip(1).any(|p| p.state() == pb::ProposalState::Running && p.placed + p.unplaced == 3)
    );
    assert_eq!(last.state(), pb::ProposalState::Ready);
    assert_eq!((last.placed, last.unplaced), (3, 0), "{last:?}");
    assert!(started.elapsed() >= Duration::from_secs(2) && started.elapsed() < Duration::from_secs(8));
    let id = last.proposal_id.clone();
    assert!(uuid::Uuid::parse_str(&id).is_ok_and(|u| u.get_version_num() == 4), "a random id: {id}");

    // Nothing changed yet.
    let before = engagements(&app).await?;
    assert!(before.iter().all(|e| e.team.is_empty()), "{before:?}");

    let p = proposal(&mut planner, &id).await?;
    assert_eq!(p.state(), pb::ProposalState::Ready);
    assert_eq!(p.scope_name, "England");
    assert_eq!((p.added, p.moved, p.unchanged, p.unplaced), (3, 0, 0, 0));
    let mut planned: Vec<&str> = p.changes.iter().map(|c| c.engagement_id.as_str()).collect();
    planned.sort_unstable();
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(planned, expected);
    assert!(
        p.changes
            .iter()
            .all(|c| c.proposed_team.len() == 4 && c.proposed_team.iter().all(|m| !m.name.is_empty()))
    );
    assert!(p.changes.iter().any(|c| c.local_area_name == "Camden" && c.region_name == "Inner London"));

    // Accepted: every engagement as the proposal said, in one go.
    let accepted = planner
        .accept_proposal(pb::AcceptProposalRequest { id: id.clone(), programme_version: p.programme_version })
        .await?
        .into_inner()
        .proposal
        .ok_or_else(|| anyhow::anyhow!("no proposal"))?;
    assert_eq!(accepted.state(), pb::ProposalState::Accepted);
    let mut programme = ProgrammeServiceClient::new(channel(&app, Persona::Planner).await?);
    for change in &p.changes {
        let request = pb::GetEngagementRequest { id: change.engagement_id.clone() };
        let e = programme
            .get_engagement(request)
            .await?
            .into_inner()
            .engagement
            .ok_or_else(|| anyhow::anyhow!("gone"))?;
        assert_eq!(e.onsite, change.proposed_onsite, "{}", change.local_area_name);
        let mut team: Vec<&str> = e.team.iter().map(|m| m.inspector_id.as_str()).collect();
        let mut proposed: Vec<&str> = change.proposed_team.iter().map(|m| m.inspector_id.as_str()).collect();
        team.sort_unstable();
        proposed.sort_unstable();
        assert_eq!(team, proposed);
    }
    // Accepted once only.
    let again = planner
        .accept_proposal(pb::AcceptProposalRequest { id: id.clone(), programme_version: p.programme_version })
        .await
        .expect_err("already accepted");
    assert_eq!(again.code(), Code::FailedPrecondition);
    assert_eq!(rules(&again), ["proposal.not_ready"]);
    app.stop().await
}

#[tokio::test]
async fn a_proposal_is_refused_once_the_programme_changed_and_nothing_changes() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    programme(&app).await?;
    let mut planner = SchedulingServiceClient::new(channel(&app, Persona::Planner).await?);
    let seen = propose(&mut planner, 1).await?;
    let id = seen.last().map(|p| p.proposal_id.clone()).unwrap_or_default();
    let p = proposal(&mut planner, &id).await?;

    // A wrong version from the caller is refused as stale too.
    let wrong = planner
        .accept_proposal(pb::AcceptProposalRequest {
            id: id.clone(),
            programme_version: p.programme_version - 1,
        })
        .await
        .expect_err("another version");
    assert_eq!(wrong.code(), Code::Aborted);

    // Someone adds an engagement meanwhile.
    let mut programme = ProgrammeServiceClient::new(channel(&app, Persona::InnerLondonLead).await?);
    programme
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000033".into(),
            kind: pb::EngagementKind::FullInspection.into(),
            onsite: range("2027-05-05", "2027-05-07"),
            note: "later".into(),
        })
        .await?;
    let before = engagements(&app).await?;
    let stale = planner
        .accept_proposal(pb::AcceptProposalRequest { id: id.clone(), programme_version: p.programme_version })
        .await
        .expect_err("the programme changed");
    assert_eq!(stale.code(), Code::Aborted);
    assert!(stale.message().contains("changed since this proposal began"), "{}", stale.message());
    assert_eq!(engagements(&app).await?, before, "nothing changed");
    assert_eq!(proposal(&mut planner, &id).await?.state(), pb::ProposalState::Ready);
    app.stop().await
}

#[tokio::test]
async fn a_cancelled_proposal_stops_and_frees_its_scope() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    programme(&app).await?;
    let mut planner = SchedulingServiceClient::new(channel(&app, Persona::Planner).await?);
    let started = Instant::now();
    let mut stream = planner.start_proposal(pb::StartProposalRequest { seconds: 10 }).await?.into_inner();
    let first = stream.message().await?.ok_or_else(|| anyhow::anyhow!("no progress"))?;
    let id = first.proposal_id.clone();

    // While it runs, this replica refuses a second one (its bound), and so does the lease for
    // the scope, which any replica would take.
    let busy = propose(&mut planner, 1).await.expect_err("one at a time");
    assert_eq!(busy.code(), Code::FailedPrecondition);
    assert_eq!(rules(&busy), ["proposal.busy"]);
    let (me, _) = app.persona(Persona::Planner).await?;
    let now = app.clock.now();
    let leased = app.store.start_proposal("england", 0, me.id.parse()?, now, now).await.expect_err("leased");
    assert!(leased.to_string().contains("already being worked out"), "{leased}");

    let cancelled = planner.cancel_proposal(pb::CancelProposalRequest { id: id.clone() }).await?.into_inner();
    assert_eq!(cancelled.proposal.map(|p| p.state()), Some(pb::ProposalState::Cancelled));
    let mut last = first;
    while let Some(message) = stream.message().await? {
        last = message;
    }
    assert_eq!(last.state(), pb::ProposalState::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(8), "stopped early: {:?}", started.elapsed());
    let refused = planner
        .accept_proposal(pb::AcceptProposalRequest { id: id.clone(), programme_version: 0 })
        .await
        .expect_err("cancelled");
    assert_eq!(rules(&refused), ["proposal.not_ready"]);
    assert!(engagements(&app).await?.iter().all(|e| e.team.is_empty()));

    // The scope is free again. Dropping the stream cancels too.
    let mut stream = planner.start_proposal(pb::StartProposalRequest { seconds: 10 }).await?.into_inner();
    let dropped = stream.message().await?.ok_or_else(|| anyhow::anyhow!("no progress"))?.proposal_id;
    drop(stream);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let state = proposal(&mut planner, &dropped).await?.state();
        if state == pb::ProposalState::Cancelled {
            break;
        }
        assert!(Instant::now() < deadline, "still {state:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.stop().await
}

/// A second server on `app`'s database and clock.
async fn second_replica(
    app: &TestApp,
    web: &std::path::Path,
) -> anyhow::Result<tokio::sync::oneshot::Sender<()>> {
    let settings = integration_tests::test_settings(&app.db.url, web);
    let replica = Application::build_with_clock(&settings, app.clock.clone()).await?;
    let addr = replica.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    tokio::spawn(replica.run_until(async move {
        let _ = stopped.await;
    }));
    let (_, token) = app.persona(Persona::Planner).await?;
    let channel = Channel::from_shared(format!("http://{addr}"))?.connect().await?;
    let mut b = SchedulingServiceClient::new(InterceptedService::new(channel, Bearer::new(&token)?));
    let refused = propose(&mut b, 1).await.expect_err("the scope is leased by the other replica");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert_eq!(rules(&refused), ["proposal.running"]);
    Ok(stop)
}

#[tokio::test]
async fn one_proposal_per_scope_runs_across_replicas_and_a_lead_plans_only_their_region() -> anyhow::Result<()>
{
    let (app, web) = app().await?;
    programme(&app).await?;
    let mut planner = SchedulingServiceClient::new(channel(&app, Persona::Planner).await?);
    let mut stream = planner.start_proposal(pb::StartProposalRequest { seconds: 3 }).await?.into_inner();
    let national = stream.message().await?.ok_or_else(|| anyhow::anyhow!("no progress"))?.proposal_id;
    let stop = second_replica(&app, web.path()).await?;
    while stream.message().await?.is_some() {}
    let _ = stop.send(());

    let mut lead = SchedulingServiceClient::new(channel(&app, Persona::InnerLondonLead).await?);
    let seen = propose(&mut lead, 1).await?;
    let last = seen.last().ok_or_else(|| anyhow::anyhow!("no progress"))?;
    assert_eq!((last.placed, last.unplaced), (2, 0), "Camden and Islington only");
    let regional = proposal(&mut lead, &last.proposal_id).await?;
    assert_eq!(regional.scope_name, "Inner London");
    assert!(regional.changes.iter().all(|c| c.region_name == "Inner London"), "{regional:?}");
    // The national planner sees the region's proposal; the lead does not see England's, nor
    // does another region's lead see Inner London's: each answered exactly as a random id.
    assert_eq!(proposal(&mut planner, &last.proposal_id).await?.scope_name, "Inner London");
    let random = uuid::Uuid::new_v4().to_string();
    let missing = proposal(&mut lead, &random).await.expect_err("no such proposal");
    let hidden = proposal(&mut lead, &national).await.expect_err("England's");
    assert_eq!((hidden.code(), hidden.message()), (missing.code(), missing.message()));
    assert_eq!(hidden.code(), Code::NotFound);
    let mut other = SchedulingServiceClient::new(channel(&app, Persona::NorthEastLead).await?);
    let other_hidden = proposal(&mut other, &last.proposal_id).await.expect_err("Inner London's");
    assert_eq!((other_hidden.code(), other_hidden.message()), (missing.code(), missing.message()));
    for refused in [
        other.cancel_proposal(pb::CancelProposalRequest { id: last.proposal_id.clone() }).await.map(|_| ()),
        other
            .accept_proposal(pb::AcceptProposalRequest {
                id: last.proposal_id.clone(),
                programme_version: regional.programme_version,
            })
            .await
            .map(|_| ()),
    ] {
        let status = refused.expect_err("hidden");
        assert_eq!((status.code(), status.message()), (missing.code(), missing.message()));
    }
    assert_eq!(proposal(&mut lead, &last.proposal_id).await?.state(), pb::ProposalState::Ready);
    app.stop().await
}

/// A browser's gRPC-web call over HTTP/1.1, offering Brotli and gzip as fetch always does:
/// progress still arrives while the search runs, not buffered (and compressed) to its end.
#[tokio::test]
async fn over_grpc_web_progress_arrives_while_the_search_runs() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    programme(&app).await?;
    let (_, token) = app.persona(Persona::Planner).await?;
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let service = tower::ServiceBuilder::new().layer(tonic_web::GrpcWebClientLayer::new()).service(http);
    let mut client = SchedulingServiceClient::with_origin(service, app.url().parse()?);
    let mut request = tonic::Request::new(pb::StartProposalRequest { seconds: 3 });
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse()?);
    request.metadata_mut().insert("accept-encoding", "gzip, deflate, br".parse()?);
    let started = Instant::now();
    let response = client.start_proposal(request).await?;
    assert!(response.metadata().get("content-encoding").is_none(), "a stream is sent as it comes");
    let mut stream = response.into_inner();
    let mut arrivals = Vec::new();
    while let Some(message) = stream.message().await? {
        arrivals.push((started.elapsed(), message.state()));
    }
    let (first, _) = arrivals.first().copied().ok_or_else(|| anyhow::anyhow!("no progress"))?;
    let (last, state) = arrivals.last().copied().ok_or_else(|| anyhow::anyhow!("no progress"))?;
    assert_eq!(state, pb::ProposalState::Ready);
    assert!(last >= Duration::from_secs(3), "{arrivals:?}");
    assert!(first < Duration::from_millis(1500), "the first report came at once: {arrivals:?}");
    assert!(
        arrivals.iter().filter(|(at, _)| *at < last - Duration::from_millis(500)).count() >= 2,
        "{arrivals:?}"
    );
    app.stop().await
}
