//! The audit trail searched by person and by local area, told in sentences with UK times; and
//! an inspector's entry linked to their own account, once, by the rules.

use integration_tests::{Persona, TestApp, fields, spawn_app, visit_request};
use proto::pb::{
    self, audit_service_client::AuditServiceClient, consent_service_client::ConsentServiceClient,
    letter_service_client::LetterServiceClient, programme_service_client::ProgrammeServiceClient,
};
use tonic::Code;

/// A client channel that sends a session token.
type Authed =
    tonic::service::interceptor::InterceptedService<tonic::transport::Channel, integration_tests::Bearer>;

async fn audit(app: &TestApp, token: &str) -> anyhow::Result<AuditServiceClient<Authed>> {
    Ok(AuditServiceClient::new(app.authed(token).await?))
}

/// The sentences of a search, most recent first, with their event numbers.
async fn search(
    client: &mut AuditServiceClient<Authed>,
    actor_id: &str,
    local_area_code: &str,
) -> anyhow::Result<Vec<(u64, String)>> {
    let request = pb::ListAuditEntriesRequest {
        actor_id: actor_id.into(),
        local_area_code: local_area_code.into(),
        page_size: 100,
        page_token: String::new(),
    };
    let entries = client.list_audit_entries(request).await?.into_inner().entries;
    Ok(entries.into_iter().map(|e| (e.seq, e.sentence)).collect())
}

fn has(found: &[(u64, String)], text: &str) -> bool {
    found.iter().any(|(_, s)| s == text)
}

#[tokio::test]
async fn the_trail_is_found_by_person_and_by_local_area_most_recent_first_in_sentences() -> anyhow::Result<()>
{
    let app = spawn_app().await?;
    let (planner, planner_token) = app.persona(Persona::Planner).await?;
    let (lead, lead_token) = app.persona(Persona::InnerLondonLead).await?;
    let reply_by = (app.clock.now().date_naive() + chrono::TimeDelta::days(30)).to_string();
    // The lead asks Camden (winter: GMT); the planner asks Hartlepool and, in summer time, sets
    // Camden's due date by hand.
    let camden = ConsentServiceClient::new(app.authed(&lead_token).await?)
        .create_visit_request(visit_request("E09000007", &reply_by))
        .await?
        .into_inner()
        .request
        .ok_or_else(|| anyhow::anyhow!("no request"))?;
    ConsentServiceClient::new(app.authed(&planner_token).await?)
        .create_visit_request(visit_request("E06000001", &reply_by))
        .await?;
    // An engagement meeting with Camden, its team, and the letter its lead starts.
    let (hmi, hmi_token) = app.persona(Persona::OfstedInspector).await?;
    let mut planning = ProgrammeServiceClient::new(app.authed(&planner_token).await?);
    let entry = create(&mut planning, "Olu Own", &hmi.id).await?;
    let meeting = planning
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000007".into(),
            kind: pb::EngagementKind::EngagementMeeting.into(),
            onsite: Some(pb::DateRange { first_day: "2027-01-12".into(), last_day: "2027-01-12".into() }),
            note: String::new(),
        })
        .await?
        .into_inner()
        .engagement
        .ok_or_else(|| anyhow::anyhow!("no engagement"))?;
    planning
        .assign_team(pb::AssignTeamRequest {
            id: meeting.id.clone(),
            version: meeting.version,
            members: vec![pb::TeamMember {
                inspector_id: entry.id.clone(),
                name: String::new(),
                role: pb::TeamRole::LeadHmi.into(),
            }],
            reason: String::new(),
        })
        .await?;
    LetterServiceClient::new(app.authed(&hmi_token).await?)
        .create_letter(pb::CreateLetterRequest {
            engagement_id: meeting.id.clone(),
            title: "Engagement meeting".into(),
            body: "We met leaders.".into(),
        })
        .await?;
    app.clock.set("2027-06-01T08:30:00Z".parse()?);
    // Months later: the sessions have ended.
    let planner_token = app.sign_in(Persona::Planner.username(), integration_tests::PASSWORD).await?;
    ProgrammeServiceClient::new(app.authed(&planner_token).await?)
        .override_due_date(pb::OverrideDueDateRequest {
            local_area_code: "E09000007".into(),
            due_by: "2029-01-01".into(),
            reason: "moved by the minister".into(),
        })
        .await?;
    let mut client = audit(&app, &planner_token).await?;

    // By person: what the lead did, and nothing the planner did.
    let by_lead = search(&mut client, &lead.id, "").await?;
    let asked = "Test lead.inner sent the visit request to Camden, 23 November 2026 at 09:00";
    assert!(has(&by_lead, asked), "{by_lead:?}");
    assert!(has(&by_lead, "Test lead.inner signed in, 23 November 2026 at 09:00"), "{by_lead:?}");
    assert!(by_lead.iter().all(|(_, s)| s.starts_with("Test lead.inner ")), "{by_lead:?}");

    // By local area: every event about Camden's requests and the area itself, none about
    // Hartlepool; British Summer Time is an hour ahead.
    let by_area = search(&mut client, "", "E09000007").await?;
    let overridden = "Test planner set by hand when Camden is next due an inspection, 1 June 2027 at 09:30";
    let at = "23 November 2026 at 09:00";
    assert_eq!(
        by_area.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>(),
        [
            overridden.to_owned(),
            format!("Test hmi.ofsted started the letter to Camden, {at}"),
            format!("Test planner set the team for the engagement meeting with Camden, {at}"),
            format!("Test planner proposed the engagement meeting with Camden, {at}"),
            asked.to_owned(),
        ]
    );
    let hartlepool = search(&mut client, "", "E06000001").await?;
    assert_eq!(hartlepool.len(), 1, "{hartlepool:?}");
    assert!(
        hartlepool[0].1.starts_with("Test planner sent the visit request to Hartlepool"),
        "{hartlepool:?}"
    );

    // Both: the planner about Camden.
    let both = search(&mut client, &planner.id, "E09000007").await?;
    let both: Vec<&str> = both.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(both.len(), 3, "{both:?}");
    assert_eq!(both[0], overridden);
    assert!(both.iter().all(|s| s.starts_with("Test planner ") && s.contains("Camden")), "{both:?}");

    // Most recent first; the searches themselves are on record; no ids or codes in the words.
    let everyone = search(&mut client, "", "").await?;
    assert!(everyone.windows(2).all(|w| w[0].0 > w[1].0), "{everyone:?}");
    assert!(everyone[0].1.starts_with("Test planner searched the audit trail"), "{everyone:?}");
    assert!(has(&everyone, &format!("Test planner added Olu Own to the inspectors, {at}")), "{everyone:?}");
    for (_, sentence) in &everyone {
        for code in [
            camden.id.as_str(),
            meeting.id.as_str(),
            "E09000007",
            "E06000001",
            "visit_request",
            "due_date",
            "_",
        ] {
            assert!(!sentence.contains(code), "{sentence:?} shows {code:?}");
        }
    }

    // Paged: one at a time, each page older than the last.
    let first = client
        .list_audit_entries(pb::ListAuditEntriesRequest { page_size: 1, ..Default::default() })
        .await?
        .into_inner();
    assert_eq!(first.entries.len(), 1);
    let second = client
        .list_audit_entries(pb::ListAuditEntriesRequest {
            page_size: 1,
            page_token: first.next_page_token.clone(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(second.entries[0].seq < first.entries[0].seq);
    assert!(!second.entries[0].hash.is_empty() && second.entries[0].prev_hash != second.entries[0].hash);

    // A person not picked from the list is named as the field to fix.
    let refused = client
        .list_audit_entries(pb::ListAuditEntriesRequest { actor_id: "nadia".into(), ..Default::default() })
        .await
        .expect_err("not an id");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(fields(&refused), ["actor_id"]);

    // Whom to search for: everyone with an account, by name.
    let people = client.list_audit_people(pb::ListAuditPeopleRequest {}).await?.into_inner().people;
    let names: Vec<&str> = people.iter().map(|p| p.display_name.as_str()).collect();
    assert_eq!(names, ["Test hmi.ofsted", "Test lead.inner", "Test planner"]);
    assert_eq!(people[1].id, lead.id);

    // Only national planners read the trail.
    let lead_token = app.sign_in(Persona::InnerLondonLead.username(), integration_tests::PASSWORD).await?;
    let denied = audit(&app, &lead_token)
        .await?
        .list_audit_entries(pb::ListAuditEntriesRequest::default())
        .await
        .expect_err("planners only");
    assert_eq!(denied.code(), Code::PermissionDenied);
    app.stop().await
}

async fn create(
    programme: &mut ProgrammeServiceClient<Authed>,
    name: &str,
    person_id: &str,
) -> Result<pb::Inspector, tonic::Status> {
    let created = programme
        .create_inspector(pb::CreateInspectorRequest {
            name: name.into(),
            inspectorate: pb::Inspectorate::Ofsted.into(),
            social_care: true,
            home_region_code: "E13000001".into(),
            max_engagements_per_term: 4,
            person_id: person_id.into(),
        })
        .await?;
    Ok(created.into_inner().inspector.unwrap_or_default())
}

async fn link(
    programme: &mut ProgrammeServiceClient<Authed>,
    entry: &pb::Inspector,
    person_id: &str,
) -> Result<pb::Inspector, tonic::Status> {
    let request = pb::LinkInspectorAccountRequest {
        inspector_id: entry.id.clone(),
        version: entry.version,
        person_id: person_id.into(),
    };
    Ok(programme.link_inspector_account(request).await?.into_inner().inspector.unwrap_or_default())
}

#[tokio::test]
async fn an_inspector_entry_links_once_to_an_unlinked_inspector_account() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let (planner, planner_token) = app.persona(Persona::Planner).await?;
    let (lead, lead_token) = app.persona(Persona::InnerLondonLead).await?;
    let (hmi, hmi_token) = app.persona(Persona::OfstedInspector).await?;
    let mut programme = ProgrammeServiceClient::new(app.authed(&lead_token).await?);
    let entry = create(&mut programme, "Olu Own", "").await?;
    assert_eq!((entry.account_label.as_str(), entry.version), ("", 1));

    // Before: the inspector's own page has no record; their account is offered for linking.
    let mine = ProgrammeServiceClient::new(app.authed(&hmi_token).await?)
        .list_inspectors(pb::ListInspectorsRequest {})
        .await?
        .into_inner()
        .inspectors;
    assert!(mine.is_empty());
    let offered = programme.list_inspector_accounts(pb::ListInspectorAccountsRequest {}).await?.into_inner();
    let labels: Vec<&str> = offered.accounts.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["Test hmi.ofsted (hmi.ofsted)"]);

    // Refused, each at the field to fix: another role, no such account; a stale version.
    for (person, reason) in [
        (lead.id.as_str(), "Select an account with the role Inspector"),
        ("999999", "Select the inspector's account from the list"),
        ("not a number", "Select the inspector's account from the list"),
    ] {
        let refused = link(&mut programme, &entry, person).await.expect_err("refused");
        assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
        assert_eq!(fields(&refused), ["person_id"]);
        assert!(refused.message().contains(reason), "{refused:?}");
    }
    let stale = pb::Inspector { version: 7, ..entry.clone() };
    assert_eq!(link(&mut programme, &stale, &hmi.id).await.expect_err("stale").code(), Code::Aborted);

    // Linked: named by account, version moved on, no longer offered.
    let linked = link(&mut programme, &entry, &hmi.id).await?;
    assert_eq!(linked.account_label, "Test hmi.ofsted (hmi.ofsted)");
    assert_eq!((linked.person_id.as_str(), linked.version), (hmi.id.as_str(), 2));
    let offered = programme.list_inspector_accounts(pb::ListInspectorAccountsRequest {}).await?.into_inner();
    assert!(offered.accounts.is_empty(), "{offered:?}");

    // The inspector now sees their own record.
    let mine = ProgrammeServiceClient::new(app.authed(&hmi_token).await?)
        .list_inspectors(pb::ListInspectorsRequest {})
        .await?
        .into_inner()
        .inspectors;
    assert_eq!(mine.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["Olu Own"]);

    // Once: the entry is not linked again, the account not linked to a second entry, neither by
    // linking nor by adding.
    let again = link(&mut programme, &linked, &hmi.id).await.expect_err("linked already");
    assert_eq!(fields(&again), ["person_id"]);
    assert!(again.message().contains("This inspector is already linked to an account"), "{again:?}");
    let other = create(&mut programme, "Olu Twin", "").await?;
    let twice = link(&mut programme, &other, &hmi.id).await.expect_err("account linked elsewhere");
    assert_eq!(fields(&twice), ["person_id"]);
    assert!(twice.message().contains("already linked to another inspector"), "{twice:?}");
    let added = create(&mut programme, "Olu Triplet", &hmi.id).await.expect_err("account linked elsewhere");
    assert_eq!((added.code(), fields(&added)), (Code::InvalidArgument, vec!["person_id".to_owned()]));

    // Audited, in words.
    let mut trail = audit(&app, &planner_token).await?;
    let by_lead = search(&mut trail, &lead.id, "").await?;
    assert!(
        by_lead.iter().any(|(_, s)| s.starts_with("Test lead.inner linked Olu Own to their own account, ")),
        "{by_lead:?}"
    );
    drop(planner);

    // Only planners link; an unknown entry answers as missing.
    let mut as_inspector = ProgrammeServiceClient::new(app.authed(&hmi_token).await?);
    let denied = link(&mut as_inspector, &other, &hmi.id).await.expect_err("planners only");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let missing = pb::Inspector { id: "424242".into(), ..other.clone() };
    assert_eq!(link(&mut programme, &missing, &hmi.id).await.expect_err("missing").code(), Code::NotFound);
    app.stop().await
}
