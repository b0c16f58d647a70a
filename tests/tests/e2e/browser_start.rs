//! Headless Chromium: each role's start page says what needs their attention (issue #11, item
//! 3). A local area user follows a waiting request by its reply-by date (another area sees
//! nothing, the region's lead sees it too); a national planner sees
//! the safeguarding banner, acknowledges the concern and the banner goes; a national planner
//! finds the letters waiting for approval; the writer of a returned letter reads why.

use anyhow::Context as _;
use fantoccini::Locator;
use integration_tests::{Browser, Persona, TestApp, spawn_app, visit_request};
use proto::pb::{
    self, consent_service_client::ConsentServiceClient, letter_service_client::LetterServiceClient,
};

/// Seeds the persona if needed, signs it in through the sign-in page and waits for its start page.
async fn sign_in_as(browser: &Browser, app: &TestApp, persona: Persona) -> anyhow::Result<()> {
    app.persona(persona).await?;
    browser.client.goto(&format!("{}/sign-in", app.url())).await?;
    browser.find("#username").await?.send_keys(persona.username()).await?;
    browser.find("#password").await?.send_keys(integration_tests::PASSWORD).await?;
    browser.find("[data-testid=sign-in]").await?.click().await?;
    browser.wait_for_text("[data-testid=identity]", &format!("Test {}", persona.username())).await?;
    browser.find("[data-testid=start-page]").await?;
    Ok(())
}

/// Whether anything matches `css` now.
async fn shown(browser: &Browser, css: &str) -> anyhow::Result<bool> {
    Ok(!browser.client.find_all(Locator::Css(css)).await?.is_empty())
}

#[tokio::test]
async fn a_local_area_user_sees_the_request_waiting_with_its_reply_by_date_and_opens_it() -> anyhow::Result<()>
{
    let app = spawn_app().await?;
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    let created = ConsentServiceClient::new(app.authed(&lead).await?)
        .create_visit_request(visit_request("E09000007", "2027-01-14"))
        .await?
        .into_inner()
        .request
        .context("created")?;
    let browser = Browser::start().await?;

    sign_in_as(&browser, &app, Persona::Camden).await?;
    assert_eq!(browser.path().await?, "/local-area");
    browser.wait_for_text("[data-testid=attention]", "What needs your attention").await?;
    assert_eq!(
        browser.words("[data-testid=reply-due]").await?,
        "Camden: interim visit in the summer term 2026/27 Reply by 14 January 2027"
    );
    assert!(browser.words("[data-testid=attention] h3").await?.starts_with("1 visit request waiting"));
    assert!(!shown(&browser, "[data-testid=overdue]").await?);
    browser.assert_accessible().await?;
    browser.find("[data-testid=reply-due] a").await?.click().await?;
    browser.find("[data-testid=request-title]").await?;
    assert_eq!(browser.path().await?, format!("/requests/{}", created.id));
    browser.sign_out().await?;

    // Another area of the same region is told of nothing.
    sign_in_as(&browser, &app, Persona::Westminster).await?;
    browser.wait_for_text("[data-testid=nothing-waits]", "Nothing needs your attention.").await?;
    assert!(!browser.find("body").await?.text().await?.contains("Camden"));
    browser.assert_accessible().await?;
    browser.sign_out().await?;

    // The region's lead sees it waiting for the area's answer on their region's page.
    sign_in_as(&browser, &app, Persona::InnerLondonLead).await?;
    assert_eq!(browser.path().await?, "/regions/E13000001");
    browser.wait_for_text("[data-testid=reply-due]", "Reply by 14 January 2027").await?;
    assert!(browser.words("[data-testid=reply-due]").await?.starts_with("Camden: interim visit"));
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_planner_sees_the_safeguarding_banner_acknowledges_the_concern_and_the_banner_goes()
-> anyhow::Result<()> {
    let app = spawn_app().await?;
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    let request = ConsentServiceClient::new(app.authed(&lead).await?)
        .create_visit_request(visit_request("E09000007", "2027-01-14"))
        .await?
        .into_inner()
        .request
        .context("created")?;
    let (_, camden) = app.persona(Persona::Camden).await?;
    ConsentServiceClient::new(app.authed(&camden).await?)
        .record_safeguarding_concern(pb::RecordSafeguardingConcernRequest {
            id: request.id.clone(),
            note: "A child disclosed harm at a setting".into(),
        })
        .await?;
    let browser = Browser::start().await?;

    sign_in_as(&browser, &app, Persona::Planner).await?;
    let banner = browser
        .wait_for_text("[data-testid=safeguarding-banner]", "A safeguarding concern is waiting")
        .await?;
    assert!(banner.starts_with("Important"), "{banner}");
    browser.assert_accessible().await?;
    browser.client.find(Locator::LinkText("View safeguarding concerns")).await?.click().await?;
    browser.wait_for_text("h1", "Safeguarding concerns").await?;
    browser.wait_for_text("[data-testid=concerns]", "Camden").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=acknowledge]").await?.click().await?;
    let acknowledged = browser.wait_for_text("[data-testid=acknowledged]", "By Test planner on").await?;
    assert!(acknowledged.contains("23 November 2026 at 09:00"), "{acknowledged}");
    assert!(!shown(&browser, "[data-testid=acknowledge]").await?);
    browser.assert_accessible().await?;

    browser.client.find(Locator::LinkText("Regions")).await?.click().await?;
    browser.wait_for_text("[data-testid=attention]", "What needs your attention").await?;
    assert!(!shown(&browser, "[data-testid=safeguarding-banner]").await?, "the banner is gone");
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_planner_finds_the_letter_waiting_for_approval_and_its_writer_reads_why_it_came_back()
-> anyhow::Result<()> {
    let app = spawn_app().await?;
    let visit = app.interim_visit_with_team().await?;
    let submitted = app.submitted_letter(&visit.engagement.id).await?;
    let browser = Browser::start().await?;

    sign_in_as(&browser, &app, Persona::Planner).await?;
    browser.wait_for_text("[data-testid=to-approve]", "1 letter is waiting for approval.").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=approvals-link]").await?.click().await?;
    browser.wait_for_text("h1", "Letters waiting for approval").await?;
    let listed = browser.words("[data-testid=letter-to-approve]").await?;
    assert_eq!(listed, "Interim visit to Camden Camden, interim visit");
    browser.assert_accessible().await?;
    browser.find("[data-testid=letter-to-approve] a").await?.click().await?;
    browser.wait_for_text("[data-testid=letter-title]", "Interim visit to Camden").await?;
    assert_eq!(browser.path().await?, format!("/letters/{}", submitted.id));
    browser.sign_out().await?;

    let (_, planner) = app.persona(Persona::Planner).await?;
    LetterServiceClient::new(app.authed(&planner).await?)
        .return_letter(pb::ReturnLetterRequest {
            id: submitted.id.clone(),
            version: submitted.version,
            reason: "Say which services the leaders described".into(),
        })
        .await?;

    sign_in_as(&browser, &app, Persona::OfstedInspector).await?;
    assert_eq!(browser.path().await?, "/my-visits");
    let returned = browser
        .wait_for_text(
            "[data-testid=returned-letter]",
            "Returned because: Say which services the leaders described",
        )
        .await?;
    assert!(returned.contains("Interim visit to Camden"), "{returned}");
    assert!(browser.words("[data-testid=attention] h3").await?.starts_with("1 letter returned to you"));
    browser.assert_accessible().await?;
    browser.find("[data-testid=returned-letter] a").await?.click().await?;
    browser
        .wait_for_text("[data-testid=returned-reason]", "Say which services the leaders described")
        .await?;
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}
