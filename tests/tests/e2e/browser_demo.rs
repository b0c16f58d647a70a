//! Headless Chromium over the demo programme (issue #12, item 2): each role signs in with the
//! printed password and finds something real on its start page.

use integration_tests::{Browser, spawn_app};
use send_planner::demo::{self, DEMO_PASSWORD};

#[tokio::test]
async fn every_role_finds_something_real_to_click_in_the_demo() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    demo::seed(&app.store, app.clock.now()).await?;
    let browser = Browser::start().await?;
    for (username, path, shows) in [
        ("nadia.hussain", "/requests", "Brighton and Hove"),
        ("lead.innerlondon", "/requests", "Camden"),
        ("area.camden", "/local-area", "Reply by"),
        ("hmi.hana", "/my-visits", "Hackney"),
        ("reader.dfe", "/letters", "Interim visit to Camden"),
        ("ada.okafor", "/accounts", "area.croydon"),
    ] {
        browser.client.goto(&format!("{}/sign-in", app.url())).await?;
        browser.find("#username").await?.send_keys(username).await?;
        browser.find("#password").await?.send_keys(DEMO_PASSWORD).await?;
        browser.find("[data-testid=sign-in]").await?.click().await?;
        browser.find("[data-testid=identity]").await?;
        browser.client.goto(&format!("{}{path}", app.url())).await?;
        browser.wait_for_text("main", shows).await?;
        browser.assert_accessible().await?;
        browser.sign_out().await?;
    }
    browser.close().await?;
    app.stop().await
}
