//! Attempts on hidden records: answered exactly as missing ones, and counted, so that national
//! planners and administrators see callers who probe.

use std::time::Duration;

use integration_tests::{Persona, TestApp, spawn_app_with};
use proto::pb::{
    self, audit_service_client::AuditServiceClient, consent_service_client::ConsentServiceClient,
};
use tonic::Code;

async fn app() -> anyhow::Result<(TestApp, tempfile::TempDir)> {
    let web = tempfile::tempdir()?;
    Ok((spawn_app_with(web.path()).await?, web))
}

async fn suspicious(app: &TestApp, persona: Persona) -> Result<Vec<pb::SuspiciousCaller>, tonic::Status> {
    let (_, token) = app.persona(persona).await.map_err(|e| tonic::Status::unknown(e.to_string()))?;
    let channel = app.authed(&token).await.map_err(|e| tonic::Status::unknown(e.to_string()))?;
    let reply =
        AuditServiceClient::new(channel).list_suspicious_access(pb::ListSuspiciousAccessRequest {}).await?;
    Ok(reply.into_inner().callers)
}

#[tokio::test]
async fn a_lead_probing_another_regions_requests_is_listed_for_planners_and_administrators()
-> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let (_, planner) = app.persona(Persona::Planner).await?;
    let hidden = ConsentServiceClient::new(app.authed(&planner).await?)
        .create_visit_request(integration_tests::visit_request("E09000007", "2027-01-15"))
        .await?
        .into_inner()
        .request
        .expect("request");
    let (_, north) = app.persona(Persona::NorthEastLead).await?;
    let mut outsider = ConsentServiceClient::new(app.authed(&north).await?);
    // The hidden request and four ids that do not exist: all five answer alike.
    let mut answers = Vec::new();
    for id in [hidden.id.clone(), "999999".into(), "999998".into(), "999997".into(), "999996".into()] {
        let refused =
            outsider.get_visit_request(pb::GetVisitRequestRequest { id }).await.expect_err("hidden");
        answers.push((refused.code(), refused.message().to_owned()));
    }
    assert!(
        answers.iter().all(|a| *a == (Code::NotFound, "visit request not found".to_owned())),
        "{answers:?}"
    );
    // Counting happens off the request's path: give it a moment.
    let mut listed = Vec::new();
    for _ in 0..50 {
        listed = suspicious(&app, Persona::Planner).await?;
        if listed.first().is_some_and(|c| c.misses >= 5) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let lead = listed.iter().find(|c| c.username == "lead.northeast").expect("the probing lead is listed");
    assert_eq!(lead.misses, 5);
    assert_eq!(lead.role(), pb::Role::RegionalLead);
    assert_eq!(
        lead.kinds.iter().map(|k| (k.kind.as_str(), k.misses)).collect::<Vec<_>>(),
        [("visit requests", 5)]
    );
    assert_eq!(lead.first_at, "2026-11-23T09:00:00Z");
    assert!(listed.iter().all(|c| c.username != "planner"), "the planner missed nothing");
    let seen_by_admin = suspicious(&app, Persona::Admin).await?;
    assert_eq!(seen_by_admin.len(), listed.len());
    let refused = suspicious(&app, Persona::InnerLondonLead).await.expect_err("not for leads");
    assert_eq!(refused.code(), Code::PermissionDenied);
    app.stop().await
}
