//! The inspection programme over the real server: notice, teams, consent, scope and boards.
//! The server's clock is set to Monday 23 November 2026 so bank holidays fall where the tests
//! expect them.

use integration_tests::{Persona, TestApp, fields, rules, spawn_app_with};
use proto::pb::{
    self, consent_service_client::ConsentServiceClient, programme_service_client::ProgrammeServiceClient,
};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};

type Client = ProgrammeServiceClient<InterceptedService<Channel, integration_tests::Bearer>>;

async fn app() -> anyhow::Result<(TestApp, tempfile::TempDir)> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")?.to_utc());
    Ok((app, web))
}

async fn client(app: &TestApp, persona: Persona) -> anyhow::Result<Client> {
    let (_, token) = app.persona(persona).await?;
    Ok(ProgrammeServiceClient::new(app.authed(&token).await?))
}

fn range(first: &str, last: &str) -> Option<pb::DateRange> {
    Some(pb::DateRange { first_day: first.into(), last_day: last.into() })
}

async fn schedule(
    c: &mut Client,
    area: &str,
    kind: pb::EngagementKind,
    first: &str,
    last: &str,
) -> Result<pb::Engagement, tonic::Status> {
    let request = pb::ScheduleEngagementRequest {
        local_area_code: area.into(),
        kind: kind.into(),
        onsite: range(first, last),
        note: "test".into(),
    };
    let reply = c.schedule_engagement(request).await?.into_inner();
    reply.engagement.ok_or_else(|| tonic::Status::internal("no engagement"))
}

/// Four inspectors: lead HMI, Ofsted, CQC, Ofsted social care (Inner London), and a CQC
/// inspector from the North East. Returns their ids in that order.
async fn inspectors(c: &mut Client) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::new();
    for (name, inspectorate, social_care, region) in [
        ("Lead HMI", pb::Inspectorate::Ofsted, false, "E13000001"),
        ("Ofsted Inspector", pb::Inspectorate::Ofsted, false, "E13000001"),
        ("CQC Inspector", pb::Inspectorate::Cqc, false, "E13000001"),
        ("Social Care Inspector", pb::Inspectorate::Ofsted, true, "E13000001"),
        ("Northern CQC Inspector", pb::Inspectorate::Cqc, false, "E12000001"),
    ] {
        let created = c
            .create_inspector(pb::CreateInspectorRequest {
                name: name.into(),
                inspectorate: inspectorate.into(),
                social_care,
                home_region_code: region.into(),
                max_engagements_per_term: 4,
                ..Default::default()
            })
            .await?
            .into_inner();
        ids.push(created.inspector.expect("inspector").id);
    }
    Ok(ids)
}

fn member(id: &str, role: pb::TeamRole) -> pb::TeamMember {
    pb::TeamMember { inspector_id: id.into(), name: String::new(), role: role.into() }
}

fn full_team(ids: &[String]) -> Vec<pb::TeamMember> {
    vec![
        member(&ids[0], pb::TeamRole::LeadHmi),
        member(&ids[1], pb::TeamRole::OfstedInspector),
        member(&ids[2], pb::TeamRole::CqcInspector),
        member(&ids[3], pb::TeamRole::SocialCareInspector),
    ]
}

#[tokio::test]
async fn a_full_inspection_is_notified_on_the_monday_ten_working_days_before_skipping_easter()
-> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut lead = client(&app, Persona::InnerLondonLead).await?;
    let e = schedule(&mut lead, "E09000007", pb::EngagementKind::FullInspection, "2027-04-07", "2027-04-09")
        .await?;
    let timeline = e.timeline.clone().expect("timeline");
    assert_eq!(timeline.notification_date, "2027-03-22", "Good Friday and Easter Monday skipped");
    assert_eq!(timeline.week_two_offsite_onsite.map(|w| w.first_day).as_deref(), Some("2027-03-29"));
    assert_eq!(e.state(), pb::EngagementState::Proposed);
    let pcf = e.timetable.iter().find(|t| t.what == "Lead inspectors meet the Parent Carer Forum leads");
    assert_eq!(
        pcf.and_then(|t| t.days.as_ref()).map(|d| d.first_day.as_str()),
        Some("2027-04-01"),
        "the Thursday of the week after the announcement"
    );

    let holiday =
        schedule(&mut lead, "E09000007", pb::EngagementKind::FullInspection, "2027-03-29", "2027-03-31")
            .await
            .expect_err("Easter Monday");
    assert_eq!(holiday.code(), Code::InvalidArgument);
    assert_eq!(fields(&holiday), ["onsite"]);
    assert!(
        holiday.message().contains("29 March 2027, is a weekend or a bank holiday"),
        "{}",
        holiday.message()
    );
    let soon =
        schedule(&mut lead, "E09000007", pb::EngagementKind::FullInspection, "2026-11-30", "2026-12-02")
            .await
            .expect_err("notice passed");
    assert_eq!(fields(&soon), ["onsite"]);
    assert!(soon.message().contains("too soon"), "{}", soon.message());
    let backwards =
        schedule(&mut lead, "E09000007", pb::EngagementKind::FullInspection, "2027-04-09", "2027-04-07")
            .await
            .expect_err("order");
    assert_eq!(fields(&backwards), ["onsite"]);
    let legacy =
        schedule(&mut lead, "E09000007", pb::EngagementKind::LegacyInspection, "2027-01-18", "2027-01-20")
            .await?;
    assert_eq!(legacy.timeline.map(|t| t.notification_date).as_deref(), Some("2027-01-11"), "5 working days");
    app.stop().await
}

#[tokio::test]
async fn teams_must_have_the_right_shape_and_free_unconflicted_inspectors() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut lead = client(&app, Persona::InnerLondonLead).await?;
    let ids = inspectors(&mut lead).await?;
    let e = schedule(&mut lead, "E09000007", pb::EngagementKind::FullInspection, "2027-01-18", "2027-01-20")
        .await?;
    let assign = |e: &pb::Engagement, members: Vec<pb::TeamMember>| pb::AssignTeamRequest {
        id: e.id.clone(),
        version: e.version,
        members,
        reason: String::new(),
    };
    let wrong =
        lead.assign_team(assign(&e, full_team(&ids)[..3].to_vec())).await.expect_err("no social care");
    assert_eq!(wrong.code(), Code::FailedPrecondition);
    assert_eq!(rules(&wrong), ["team.composition"]);
    let mut misplaced = full_team(&ids);
    misplaced[2] = member(&ids[1], pb::TeamRole::CqcInspector);
    let misplaced = lead.assign_team(assign(&e, misplaced)).await.expect_err("Ofsted as CQC");
    assert_eq!(rules(&misplaced), ["team.duplicate", "team.composition"]);

    let staffed =
        lead.assign_team(assign(&e, full_team(&ids))).await?.into_inner().engagement.expect("engagement");
    assert_eq!(staffed.team.len(), 4);
    assert!(staffed.warnings.is_empty(), "{:?}", staffed.warnings);

    // The same people cannot be in Westminster over overlapping days.
    let clash =
        schedule(&mut lead, "E09000033", pb::EngagementKind::FullInspection, "2027-01-19", "2027-01-21")
            .await?;
    let double = lead.assign_team(assign(&clash, full_team(&ids))).await.expect_err("double booked");
    assert_eq!(rules(&double), ["inspector.double_booked"; 4]);
    assert!(!double.message().contains("Camden"), "only free/busy time: {}", double.message());

    lead.declare_conflict(pb::DeclareConflictRequest {
        inspector_id: ids[2].clone(),
        local_area_code: "E09000033".into(),
        reason: "Works part-time for a provider in Westminster".into(),
    })
    .await?;
    lead.add_unavailability(pb::AddUnavailabilityRequest {
        inspector_id: ids[3].clone(),
        period: range("2027-02-01", "2027-02-28"),
    })
    .await?;
    let later =
        schedule(&mut lead, "E09000033", pb::EngagementKind::FullInspection, "2027-02-15", "2027-02-17")
            .await?;
    let refused =
        lead.assign_team(assign(&later, full_team(&ids))).await.expect_err("conflicted and unavailable");
    assert_eq!(rules(&refused), ["inspector.conflict_of_interest", "inspector.unavailable"]);
    let unknown = lead
        .assign_team(assign(&later, vec![member("424242", pb::TeamRole::LeadHmi)]))
        .await
        .expect_err("unknown");
    assert_eq!(fields(&unknown), ["members"]);

    // A team from another region is allowed, with a warning.
    let interim_ready =
        schedule(&mut lead, "E09000007", pb::EngagementKind::EngagementMeeting, "2027-03-03", "2027-03-03")
            .await?;
    let travelled = lead
        .assign_team(assign(&interim_ready, vec![member(&ids[4], pb::TeamRole::CqcInspector)]))
        .await?
        .into_inner()
        .engagement
        .expect("engagement");
    assert!(travelled.warnings.iter().any(|w| w.rule == "inspector.travel"), "{:?}", travelled.warnings);
    app.stop().await
}

#[tokio::test]
async fn an_interim_visit_needs_current_written_consent() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut lead = client(&app, Persona::InnerLondonLead).await?;
    let refused =
        schedule(&mut lead, "E09000007", pb::EngagementKind::InterimVisit, "2027-04-20", "2027-04-21")
            .await
            .expect_err("no consent");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert_eq!(rules(&refused), ["consent.not_current"]);
    assert_eq!(refused.message(), "Camden has not consented in writing to an interim visit");

    let consented = app.consented_request().await?;
    let visit =
        schedule(&mut lead, "E09000007", pb::EngagementKind::InterimVisit, "2027-04-20", "2027-04-21")
            .await?;
    assert!(visit.warnings.is_empty(), "{:?}", visit.warnings);
    let blocked =
        schedule(&mut lead, "E09000007", pb::EngagementKind::InterimVisit, "2027-04-27", "2027-04-28")
            .await
            .expect_err("area unavailable");
    assert_eq!(rules(&blocked), ["consent.not_current"]);
    assert!(blocked.message().starts_with("Camden cannot host a visit on"), "{}", blocked.message());

    let (_, camden) = app.persona(Persona::Camden).await?;
    ConsentServiceClient::new(app.authed(&camden).await?)
        .withdraw_consent(pb::WithdrawConsentRequest {
            id: consented.id.clone(),
            version: consented.version,
            reason: "Outbreak".into(),
        })
        .await?;
    let flagged = lead
        .get_engagement(pb::GetEngagementRequest { id: visit.id.clone() })
        .await?
        .into_inner()
        .engagement
        .expect("e");
    assert!(flagged.warnings.iter().any(|w| w.rule == "consent.not_current"), "{:?}", flagged.warnings);
    let notify = lead
        .notify_local_area(pb::NotifyLocalAreaRequest { id: visit.id, version: flagged.version })
        .await
        .expect_err("cannot go ahead");
    assert_eq!(rules(&notify), ["consent.not_current"]);
    app.stop().await
}

#[tokio::test]
async fn leads_change_only_their_region_and_areas_see_only_confirmed_engagements_without_teams()
-> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut lead = client(&app, Persona::InnerLondonLead).await?;
    let ids = inspectors(&mut lead).await?;
    let e = schedule(&mut lead, "E09000007", pb::EngagementKind::FullInspection, "2027-01-18", "2027-01-20")
        .await?;
    let e = lead
        .assign_team(pb::AssignTeamRequest {
            id: e.id.clone(),
            version: e.version,
            members: full_team(&ids),
            reason: String::new(),
        })
        .await?
        .into_inner()
        .engagement
        .expect("e");
    let mut north = client(&app, Persona::NorthEastLead).await?;
    let hidden =
        north.get_engagement(pb::GetEngagementRequest { id: e.id.clone() }).await.expect_err("other region");
    assert_eq!(hidden.code(), Code::NotFound);
    let postpone = north
        .postpone_engagement(pb::PostponeEngagementRequest {
            id: e.id.clone(),
            version: e.version,
            reason: "x".into(),
        })
        .await
        .expect_err("other region");
    assert_eq!(postpone.code(), Code::NotFound);
    let outside =
        schedule(&mut north, "E09000007", pb::EngagementKind::EngagementMeeting, "2027-03-03", "2027-03-03")
            .await
            .expect_err("outside region");
    assert_eq!(fields(&outside), ["local_area_code"]);
    let nowhere =
        schedule(&mut north, "E99999999", pb::EngagementKind::EngagementMeeting, "2027-03-03", "2027-03-03")
            .await
            .expect_err("no such area");
    assert_eq!(
        integration_tests::refusal(&outside),
        integration_tests::refusal(&nowhere),
        "an area outside the region answers exactly as one that does not exist"
    );

    let mut camden = client(&app, Persona::Camden).await?;
    let none = camden.list_engagements(pb::ListEngagementsRequest::default()).await?.into_inner().engagements;
    assert!(none.is_empty(), "a proposal is not shown to the area");
    let notified =
        lead.notify_local_area(pb::NotifyLocalAreaRequest { id: e.id.clone(), version: e.version }).await?;
    let notified = notified.into_inner().engagement.expect("e");
    let seen = camden.list_engagements(pb::ListEngagementsRequest::default()).await?.into_inner().engagements;
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].team.is_empty() && seen[0].warnings.is_empty() && seen[0].note.is_empty(),
        "no team deliberations"
    );
    assert_eq!(seen[0].timeline.as_ref().map(|t| t.notification_date.as_str()), Some("2027-01-04"));

    let no_reason = lead
        .reschedule_engagement(pb::RescheduleEngagementRequest {
            id: e.id.clone(),
            version: notified.version,
            onsite: range("2027-02-01", "2027-02-03"),
            reason: String::new(),
        })
        .await
        .expect_err("reason needed after notification");
    assert_eq!(rules(&no_reason), ["engagement.reason_required"]);
    let stale = lead
        .postpone_engagement(pb::PostponeEngagementRequest {
            id: e.id.clone(),
            version: e.version,
            reason: "Outbreak".into(),
        })
        .await
        .expect_err("stale version");
    assert_eq!(stale.code(), Code::Aborted);
    let postponed = lead
        .postpone_engagement(pb::PostponeEngagementRequest {
            id: e.id.clone(),
            version: notified.version,
            reason: "Local outbreak".into(),
        })
        .await?
        .into_inner()
        .engagement
        .expect("e");
    assert_eq!(
        (postponed.state(), postponed.postponed_reason.as_str()),
        (pb::EngagementState::Postponed, "Local outbreak")
    );
    app.stop().await
}

#[tokio::test]
async fn outcomes_set_due_dates_and_the_national_board_and_export_cover_every_area() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut planner = client(&app, Persona::Planner).await?;
    for (area, completed, outcome) in [
        ("E09000007", "2023-06-01", pb::Outcome::Inconsistent), // Camden: overdue (due 2026-06-01)
        ("E06000001", "2025-03-03", pb::Outcome::SystemicFailings), // Hartlepool: monitoring due 2026-09-03: overdue
        ("E10000015", "2024-01-10", pb::Outcome::Positive),         // Hertfordshire: due 2029
    ] {
        planner
            .record_past_inspection(pb::RecordPastInspectionRequest {
                local_area_code: area.into(),
                kind: pb::EngagementKind::FullInspection.into(),
                completed_on: completed.into(),
                outcome: outcome.into(),
            })
            .await?;
    }
    planner
        .override_due_date(pb::OverrideDueDateRequest {
            local_area_code: "E06000001".into(),
            due_by: "2027-06-30".into(),
            reason: "Agreed with DfE after a change of leadership".into(),
        })
        .await?;
    let board = planner.get_national_board(pb::GetNationalBoardRequest::default()).await?.into_inner();
    assert_eq!(board.areas.len(), 153);
    assert_eq!(board.regions.len(), 10);
    let camden = board.areas.iter().find(|a| a.local_area_code == "E09000007").expect("Camden");
    assert_eq!((camden.status.as_str(), camden.next_full_due_by.as_str()), ("overdue", "2026-06-01"));
    let hartlepool = board.areas.iter().find(|a| a.local_area_code == "E06000001").expect("Hartlepool");
    assert_eq!(hartlepool.next_monitoring_due_by, "2026-09-03");
    assert_eq!(hartlepool.next_full_due_by, "2027-06-30", "the override wins");
    assert_eq!(hartlepool.override_reason, "Agreed with DfE after a change of leadership");
    let inner = board.regions.iter().find(|r| r.region_name == "Inner London").expect("Inner London");
    assert_eq!(inner.overdue, 1);

    let counties = planner
        .get_national_board(pb::GetNationalBoardRequest { area_kind: "county".into(), ..Default::default() })
        .await?
        .into_inner();
    assert_eq!(counties.areas.len(), 21);
    assert!(counties.areas.iter().all(|a| a.area_kind == "county"));
    let did_not = planner
        .get_national_board(pb::GetNationalBoardRequest {
            last_outcome: pb::Outcome::Inconsistent.into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(did_not.areas.len(), 1);
    let groups: Vec<_> = board.coverage_by_last_outcome.iter().map(|c| (c.group.as_str(), c.areas)).collect();
    assert!(groups.contains(&("did_well", 1)) && groups.contains(&("did_not_do_well", 2)), "{groups:?}");

    let csv = planner
        .export_national_programme(pb::ExportNationalProgrammeRequest::default())
        .await?
        .into_inner()
        .csv;
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 154, "a header and 153 areas");
    assert!(rows[0].starts_with("region,local_area,ons_code"));
    assert!(csv.contains("\"Bristol, City of\""), "quoted commas");

    let status = client(&app, Persona::InnerLondonLead)
        .await?
        .get_national_board(pb::GetNationalBoardRequest::default())
        .await
        .expect_err("national board is for national planners");
    assert_eq!(status.code(), Code::PermissionDenied);
    app.stop().await
}

#[tokio::test]
async fn inspectors_declare_their_own_conflicts_and_no_one_elses() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let (account, token) = app.persona(Persona::OfstedInspector).await?;
    let mut lead = client(&app, Persona::InnerLondonLead).await?;
    let own = lead
        .create_inspector(pb::CreateInspectorRequest {
            name: "Own Record".into(),
            inspectorate: pb::Inspectorate::Ofsted.into(),
            social_care: true,
            home_region_code: "E13000001".into(),
            max_engagements_per_term: 4,
            person_id: account.id.clone(),
        })
        .await?
        .into_inner()
        .inspector
        .expect("inspector");
    assert_eq!(own.person_id, account.id);
    let other = inspectors(&mut lead).await?;
    let mut me = ProgrammeServiceClient::new(app.authed(&token).await?);
    let declare = |inspector_id: &str| pb::DeclareConflictRequest {
        inspector_id: inspector_id.into(),
        local_area_code: "E09000007".into(),
        reason: "My partner works for Camden's SEND service".into(),
    };
    let declared = me.declare_conflict(declare(&own.id)).await?.into_inner().inspector.expect("inspector");
    assert_eq!(declared.conflicts.len(), 1);
    let refused = me.declare_conflict(declare(&other[0])).await.expect_err("someone else's record");
    assert_eq!(refused.code(), Code::NotFound);
    let twice = lead
        .create_inspector(pb::CreateInspectorRequest {
            name: "Again".into(),
            inspectorate: pb::Inspectorate::Ofsted.into(),
            home_region_code: "E13000001".into(),
            max_engagements_per_term: 4,
            person_id: account.id.clone(),
            ..Default::default()
        })
        .await
        .expect_err("one record per account");
    assert_eq!(fields(&twice), ["person_id"]);
    let audited: (i64,) = match &app.store.db {
        send_planner::store::Db::Sqlite(pool) => {
            sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE action = 'inspector.conflict'")
                .fetch_one(pool)
                .await?
        }
        send_planner::store::Db::Postgres(pool) => {
            sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE action = 'inspector.conflict'")
                .fetch_one(pool)
                .await?
        }
    };
    assert_eq!(audited.0, 1);
    app.stop().await
}

/// Current local areas' ONS codes, the first `n` by code.
async fn area_codes(app: &TestApp, n: i64) -> anyhow::Result<Vec<String>> {
    let sql = "SELECT ons_code FROM local_areas WHERE retired_on IS NULL ORDER BY ons_code LIMIT $1";
    let rows: Vec<(String,)> = match &app.store.db {
        send_planner::store::Db::Sqlite(pool) => sqlx::query_as(sql).bind(n).fetch_all(pool).await?,
        send_planner::store::Db::Postgres(pool) => sqlx::query_as(sql).bind(n).fetch_all(pool).await?,
    };
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

async fn one_inspector(c: &mut Client, name: &str) -> anyhow::Result<String> {
    let created = c
        .create_inspector(pb::CreateInspectorRequest {
            name: name.into(),
            inspectorate: pb::Inspectorate::Ofsted.into(),
            social_care: false,
            home_region_code: "E13000001".into(),
            max_engagements_per_term: 30,
            person_id: String::new(),
        })
        .await?
        .into_inner()
        .inspector
        .expect("inspector");
    Ok(created.id)
}

#[tokio::test]
async fn twenty_concurrent_bookings_of_one_inspector_on_the_same_days_let_exactly_one_win()
-> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut planner = client(&app, Persona::Planner).await?;
    let inspector = one_inspector(&mut planner, "Sole Inspector").await?;
    let mut meetings = Vec::new();
    for area in area_codes(&app, 20).await? {
        meetings.push(
            schedule(&mut planner, &area, pb::EngagementKind::EngagementMeeting, "2027-03-03", "2027-03-03")
                .await?,
        );
    }
    let mut calls = tokio::task::JoinSet::new();
    for e in meetings {
        let mut c = planner.clone();
        let request = pb::AssignTeamRequest {
            id: e.id,
            version: e.version,
            members: vec![member(&inspector, pb::TeamRole::OfstedInspector)],
            reason: String::new(),
        };
        calls.spawn(async move { c.assign_team(request).await.map(|_| ()) });
    }
    let (mut won, mut refused) = (0, Vec::new());
    while let Some(done) = calls.join_next().await {
        match done? {
            Ok(()) => won += 1,
            Err(status) => refused.push((status.code(), rules(&status))),
        }
    }
    assert_eq!(won, 1, "exactly one booking wins: {refused:?}");
    assert_eq!(refused.len(), 19);
    for (code, rules) in &refused {
        assert_eq!(
            (*code, rules.as_slice()),
            (Code::FailedPrecondition, ["inspector.double_booked".to_owned()].as_slice())
        );
    }
    app.stop().await
}

#[tokio::test]
async fn listing_engagements_and_the_board_cost_the_same_queries_for_two_or_twelve() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut planner = client(&app, Persona::Planner).await?;
    let inspector = one_inspector(&mut planner, "Busy Inspector").await?;
    let areas = area_codes(&app, 12).await?;
    // Each meeting on its own Wednesday, so one inspector can be on every team.
    let days = [
        "2027-01-06",
        "2027-01-13",
        "2027-01-20",
        "2027-01-27",
        "2027-02-03",
        "2027-02-10",
        "2027-02-24",
        "2027-03-03",
        "2027-03-10",
        "2027-03-17",
        "2027-03-24",
        "2027-04-07",
    ];
    let add = async |planner: &mut Client, n: usize| -> anyhow::Result<()> {
        let e = schedule(planner, &areas[n], pb::EngagementKind::EngagementMeeting, days[n], days[n]).await?;
        planner
            .assign_team(pb::AssignTeamRequest {
                id: e.id,
                version: e.version,
                members: vec![member(&inspector, pb::TeamRole::OfstedInspector)],
                reason: String::new(),
            })
            .await?;
        Ok(())
    };
    let cost = async |planner: &mut Client| -> anyhow::Result<(u64, usize, u64)> {
        // The first call may refresh the session; the second is measured.
        planner.list_engagements(pb::ListEngagementsRequest::default()).await?;
        let before = app.store.round_trips();
        let listed = planner.list_engagements(pb::ListEngagementsRequest::default()).await?.into_inner();
        let list = app.store.round_trips() - before;
        let before = app.store.round_trips();
        planner.get_national_board(pb::GetNationalBoardRequest::default()).await?;
        Ok((list, listed.engagements.len(), app.store.round_trips() - before))
    };
    for n in 0..2 {
        add(&mut planner, n).await?;
    }
    let (two, listed, board_two) = cost(&mut planner).await?;
    assert_eq!(listed, 2);
    for n in 2..12 {
        add(&mut planner, n).await?;
    }
    let (twelve, listed, board_twelve) = cost(&mut planner).await?;
    assert_eq!(listed, 12);
    assert_eq!(two, twelve, "queries for 2 engagements and for 12");
    assert_eq!(board_two, board_twelve, "the national board's queries for 2 engagements and for 12");
    app.stop().await
}

#[tokio::test]
async fn a_lead_sees_another_regions_booking_only_as_unavailable_days_and_no_conflict_reasons()
-> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut planner = client(&app, Persona::Planner).await?;
    let mut lead = client(&app, Persona::InnerLondonLead).await?;
    let ids = inspectors(&mut lead).await?;
    // A national planner books the CQC inspector for a meeting in Hartlepool (North East).
    let north = schedule(
        &mut planner,
        "E06000001",
        pb::EngagementKind::EngagementMeeting,
        "2027-01-19",
        "2027-01-19",
    )
    .await?;
    planner
        .assign_team(pb::AssignTeamRequest {
            id: north.id,
            version: north.version,
            members: vec![member(&ids[2], pb::TeamRole::CqcInspector)],
            reason: String::new(),
        })
        .await?;
    // The Ofsted inspector is on leave on the same day.
    lead.add_unavailability(pb::AddUnavailabilityRequest {
        inspector_id: ids[1].clone(),
        period: range("2027-01-19", "2027-01-19"),
    })
    .await?;
    lead.declare_conflict(pb::DeclareConflictRequest {
        inspector_id: ids[0].clone(),
        local_area_code: "E09000033".into(),
        reason: "Sits on a board in Westminster".into(),
    })
    .await?;
    let e =
        schedule(&mut lead, "E09000007", pb::EngagementKind::EngagementMeeting, "2027-01-19", "2027-01-19")
            .await?;
    let try_one = async |lead: &mut Client, id: &str, role: pb::TeamRole| {
        lead.assign_team(pb::AssignTeamRequest {
            id: e.id.clone(),
            version: e.version,
            members: vec![member(id, role)],
            reason: String::new(),
        })
        .await
        .expect_err("not available")
    };
    let booked = try_one(&mut lead, &ids[2], pb::TeamRole::CqcInspector).await;
    let on_leave = try_one(&mut lead, &ids[1], pb::TeamRole::OfstedInspector).await;
    assert_eq!(rules(&booked), rules(&on_leave), "a booking elsewhere reads as leave");
    assert_eq!(booked.message(), "CQC Inspector is not available on 19 January 2027");
    assert_eq!(on_leave.message(), "Ofsted Inspector is not available on 19 January 2027");

    let listed = lead.list_inspectors(pb::ListInspectorsRequest {}).await?.into_inner().inspectors;
    let cqc = listed.iter().find(|i| i.id == ids[2]).expect("listed");
    assert_eq!(cqc.unavailable, range("2027-01-19", "2027-01-19").into_iter().collect::<Vec<_>>());
    let lead_hmi = listed.iter().find(|i| i.id == ids[0]).expect("listed");
    assert_eq!(
        lead_hmi
            .conflicts
            .iter()
            .map(|c| (c.local_area_code.as_str(), c.reason.as_str()))
            .collect::<Vec<_>>(),
        [("E09000033", "")],
        "the area to avoid, not the reason"
    );
    let as_planner = planner.list_inspectors(pb::ListInspectorsRequest {}).await?.into_inner().inspectors;
    let lead_hmi = as_planner.iter().find(|i| i.id == ids[0]).expect("listed");
    assert_eq!(lead_hmi.conflicts[0].reason, "Sits on a board in Westminster");
    app.stop().await
}

#[tokio::test]
async fn after_a_withdrawal_the_team_learns_only_that_the_visit_will_not_go_ahead() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let visit = app.interim_visit_with_team().await?;
    let (_, camden) = app.persona(Persona::Camden).await?;
    ConsentServiceClient::new(app.authed(&camden).await?)
        .withdraw_consent(pb::WithdrawConsentRequest {
            id: visit.request.id.clone(),
            version: visit.request.version,
            reason: "A local outbreak".into(),
        })
        .await?;
    let get = pb::GetEngagementRequest { id: visit.engagement.id.clone() };
    let mut inspector = client(&app, Persona::OfstedInspector).await?;
    let seen = inspector.get_engagement(get.clone()).await?.into_inner().engagement.expect("engagement");
    let told: Vec<_> = seen.warnings.iter().map(|w| (w.rule.as_str(), w.message.as_str())).collect();
    assert_eq!(told, [("engagement.will_not_go_ahead", "This visit will not go ahead")]);
    let mut lead = client(&app, Persona::InnerLondonLead).await?;
    let seen = lead.get_engagement(get).await?.into_inner().engagement.expect("engagement");
    assert_eq!(seen.warnings.iter().map(|w| w.rule.as_str()).collect::<Vec<_>>(), ["consent.not_current"]);
    app.stop().await
}

#[tokio::test]
async fn a_visit_shows_its_written_consent_to_planners_and_the_lead_never_to_its_team() -> anyhow::Result<()>
{
    let (app, _web) = app().await?;
    let visit = app.interim_visit_with_team().await?;
    let get = pb::GetEngagementRequest { id: visit.engagement.id.clone() };
    for persona in [Persona::Planner, Persona::InnerLondonLead] {
        let seen = client(&app, persona).await?.get_engagement(get.clone()).await?.into_inner().engagement;
        let consent = seen.and_then(|e| e.consent).expect("the consent, for those who may see it");
        assert_eq!(consent.request_id, visit.request.id, "{persona:?}");
        assert_eq!(consent.state(), pb::RequestState::Consented);
        assert_eq!(consent.signatory_name, "Alex Morgan");
    }
    let mut inspector = client(&app, Persona::OfstedInspector).await?;
    let seen = inspector.get_engagement(get.clone()).await?.into_inner().engagement.expect("engagement");
    assert_eq!(seen.consent, None, "the team sees the visit, not its consent");
    let listed = inspector.list_engagements(pb::ListEngagementsRequest::default()).await?.into_inner();
    assert!(listed.engagements.iter().all(|e| e.consent.is_none()));

    let (_, camden) = app.persona(Persona::Camden).await?;
    ConsentServiceClient::new(app.authed(&camden).await?)
        .withdraw_consent(pb::WithdrawConsentRequest {
            id: visit.request.id.clone(),
            version: visit.request.version,
            reason: "A local outbreak".into(),
        })
        .await?;
    let seen =
        client(&app, Persona::InnerLondonLead).await?.get_engagement(get).await?.into_inner().engagement;
    assert_eq!(seen.and_then(|e| e.consent).map(|c| c.state()), Some(pb::RequestState::Withdrawn));
    app.stop().await
}
