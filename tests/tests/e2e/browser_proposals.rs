//! Headless Chromium: a national planner proposes a programme (issue 13, item 3). From the
//! national board they start a proposal, watch its progress stream in, cancel it, start again,
//! read the proposal as a change to the programme, check it and accept it, and see the
//! programme changed; a proposal overtaken by a change to the programme is refused with the
//! error summary. Each page passes axe at 1280 and 320 px and reflows at 320 px.

use integration_tests::{Browser, Persona, TestApp, spawn_app};
use proto::pb::{self, programme_service_client::ProgrammeServiceClient};

async fn sign_in_as(browser: &Browser, app: &TestApp, persona: Persona) -> anyhow::Result<()> {
    app.persona(persona).await?;
    browser.client.goto(&format!("{}/sign-in", app.url())).await?;
    browser.find("#username").await?.send_keys(persona.username()).await?;
    browser.find("#password").await?.send_keys(integration_tests::PASSWORD).await?;
    browser.find("[data-testid=sign-in]").await?.click().await?;
    browser.find("[data-testid=start-page]").await?;
    Ok(())
}

async fn teams(app: &TestApp, ids: &[String]) -> anyhow::Result<Vec<usize>> {
    let (_, token) = app.persona(Persona::Planner).await?;
    let mut client = ProgrammeServiceClient::new(app.authed(&token).await?);
    let mut sizes = Vec::new();
    for id in ids {
        let e = client.get_engagement(pb::GetEngagementRequest { id: id.clone() }).await?.into_inner();
        sizes.push(e.engagement.map_or(0, |e| e.team.len()));
    }
    Ok(sizes)
}

#[tokio::test]
async fn a_planner_proposes_a_programme_watches_it_work_and_accepts_it() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")?.to_utc());
    let ids = crate::proposals::programme(&app).await?;
    let browser = Browser::start().await?;
    sign_in_as(&browser, &app, Persona::Planner).await?;

    browser.client.goto(&format!("{}/national", app.url())).await?;
    browser.find("[data-testid=propose-programme]").await?.click().await?;
    browser.wait_for_text("h1", "Propose a programme").await?;
    assert_eq!(browser.path().await?, "/programme/proposal");
    browser.assert_accessible().await?;

    // Progress streams in; Cancel stops it and nothing changes.
    browser.find("[data-testid=start-proposal]").await?.click().await?;
    browser.find("[data-testid=proposal-progress] [data-testid=placed]").await?;
    browser.screenshot("progress").await?;
    browser.find("[data-testid=cancel-proposal]").await?.click().await?;
    browser.wait_for_text("[data-testid=proposal-cancelled]", "Nothing has changed").await?;
    assert_eq!(teams(&app, &ids).await?, [0, 0, 0]);
    browser.assert_accessible().await?;

    // Again, to the end: the proposal as a change to the programme.
    browser.find("[data-testid=start-proposal]").await?.click().await?;
    let placed = browser.find("[data-testid=proposal-progress] [data-testid=placed]").await?;
    assert!(placed.text().await?.parse::<u32>().is_ok());
    browser.wait_for_text("h1", "Proposed programme for England").await?;
    assert_eq!(browser.words("[data-testid=proposal-counts] [data-testid=added]").await?, "3");
    assert_eq!(browser.words("[data-testid=proposal-counts] [data-testid=unplaced]").await?, "0");
    let table = browser.words("[data-testid=proposal-changes]").await?;
    assert!(
        table.contains("Camden") && table.contains("Hartlepool") && table.contains("Lena Lead"),
        "{table}"
    );
    assert_eq!(teams(&app, &ids).await?, [0, 0, 0], "nothing changes until it is accepted");
    browser.assert_accessible().await?;

    // Check, then accept: the programme changes.
    browser.find("[data-testid=accept-proposal]").await?.click().await?;
    browser.wait_for_text("h1", "Check the proposed programme before you accept it").await?;
    assert!(browser.words(".govuk-warning-text").await?.contains("3 engagements at once"));
    browser.assert_accessible().await?;
    browser.find("[data-testid=confirm-accept]").await?.click().await?;
    browser.wait_for_text("[data-testid=proposal-accepted]", "The programme has been changed").await?;
    assert_eq!(teams(&app, &ids).await?, [4, 4, 4]);
    browser.assert_accessible().await?;

    // A proposal overtaken by a change to the programme is refused, and says why.
    browser.client.goto(&format!("{}/programme/proposal", app.url())).await?;
    browser.find("[data-testid=start-proposal]").await?.click().await?;
    browser.wait_for_text("h1", "Proposed programme for England").await?;
    browser.find("[data-testid=accept-proposal]").await?.click().await?;
    browser.find("[data-testid=confirm-accept]").await?;
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    ProgrammeServiceClient::new(app.authed(&lead).await?)
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000033".into(),
            kind: pb::EngagementKind::FullInspection.into(),
            onsite: Some(pb::DateRange { first_day: "2027-05-05".into(), last_day: "2027-05-07".into() }),
            note: "meanwhile".into(),
        })
        .await?;
    browser.find("[data-testid=confirm-accept]").await?.click().await?;
    browser.wait_for_text(".govuk-error-summary", "changed since this proposal began").await?;
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}
