//! Headless Chromium against the real server and the built web app (`dist/`).

use fantoccini::Locator;
use integration_tests::{Browser, spawn_app};

#[tokio::test]
async fn a_planner_sees_ten_regions_and_finds_camden_and_westminster_in_inner_london()
-> anyhow::Result<()> {
    let app = spawn_app().await?;
    let browser = Browser::start().await?;
    browser.client.goto(&app.url()).await?;
    let caption = browser
        .wait_for_text("[data-testid=regions] caption", "10 regions")
        .await?;
    assert!(caption.contains("153 local areas"), "{caption}");
    let rows = browser
        .client
        .find_all(Locator::Css("[data-testid=regions] tbody tr"))
        .await?;
    assert_eq!(rows.len(), 10);
    browser.assert_accessible().await?;

    browser
        .client
        .find(Locator::LinkText("Inner London"))
        .await?
        .click()
        .await?;
    browser
        .wait_for_text("[data-testid=region-name]", "Inner London")
        .await?;
    let table = browser
        .wait_for_text("[data-testid=areas]", "Camden")
        .await?;
    assert!(table.contains("Westminster"), "{table}");
    assert!(table.contains("13 local areas"), "{table}");
    assert_eq!(browser.client.title().await?, "Inner London - SEND Planner");
    browser.assert_accessible().await?;

    browser
        .find("#name-filter")
        .await?
        .send_keys("west")
        .await?;
    let filtered = browser
        .wait_for_text("[data-testid=areas] caption", "1 local areas")
        .await?;
    assert!(filtered.contains('1'), "{filtered}");
    let table = browser.find("[data-testid=areas]").await?.text().await?;
    assert!(
        table.contains("Westminster") && !table.contains("Camden"),
        "{table}"
    );

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn an_unknown_region_shows_the_servers_message() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let browser = Browser::start().await?;
    browser
        .client
        .goto(&format!("{}/regions/E99999999", app.url()))
        .await?;
    let error = browser
        .wait_for_text("[data-testid=error]", "region_code")
        .await?;
    assert!(
        error.contains("There is a problem") && error.contains("E99999999"),
        "{error}"
    );
    browser.assert_accessible().await?;
    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn an_unreachable_server_shows_a_clear_message_not_a_blank_page() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let browser = Browser::start().await?;
    browser.client.goto(&app.url()).await?;
    browser.find("[data-testid=regions]").await?;
    // The page is loaded; now the server goes away and the person opens a region.
    app.stop().await?;
    browser
        .client
        .find(Locator::LinkText("Inner London"))
        .await?
        .click()
        .await?;
    let error = browser
        .wait_for_text("[data-testid=error]", "could not reach its server")
        .await?;
    assert!(error.contains("There is a problem"), "{error}");
    browser.close().await
}
