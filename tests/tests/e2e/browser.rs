//! Headless Chromium against the real server and the built web app (`dist/`): signing in and
//! out, each role's start page and menu, pages a role may not use, accounts, the audit trail.

use fantoccini::Locator;
use integration_tests::{Browser, TestApp, spawn_app};
use proto::pb::{
    CreatePersonRequest, Person, RevokeSessionsRequest, Role, SignInRequest,
    account_service_client::AccountServiceClient, auth_service_client::AuthServiceClient,
};

/// Long enough and not a common password.
const PASSWORD: &str = "correct horse battery";

/// An account with `role` and no scope; add the scope with struct update syntax.
fn account(username: &str, display_name: &str, role: Role) -> CreatePersonRequest {
    CreatePersonRequest {
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        password: PASSWORD.to_owned(),
        role: role.into(),
        ..Default::default()
    }
}

/// A national planner, created directly in the store.
async fn seed_planner(app: &TestApp) -> anyhow::Result<Person> {
    app.seed_person(account("nadia", "Nadia Planner", Role::NationalPlanner)).await
}

/// Fills in and submits the sign-in form (from the sign-in page's address).
async fn submit_sign_in(
    browser: &Browser,
    app: &TestApp,
    username: &str,
    password: &str,
) -> anyhow::Result<()> {
    browser.client.goto(&format!("{}/sign-in", app.url())).await?;
    browser.find("#username").await?.send_keys(username).await?;
    browser.find("#password").await?.send_keys(password).await?;
    browser.find("[data-testid=sign-in]").await?.click().await?;
    Ok(())
}

/// Signs in and waits for the header to name the person.
async fn sign_in(browser: &Browser, app: &TestApp, username: &str, display_name: &str) -> anyhow::Result<()> {
    submit_sign_in(browser, app, username, PASSWORD).await?;
    browser.wait_for_text("[data-testid=identity]", display_name).await?;
    Ok(())
}

/// The labels of the header's menu.
async fn menu(browser: &Browser) -> anyhow::Result<Vec<String>> {
    browser.find("[data-testid=nav]").await?;
    let mut labels = Vec::new();
    for link in browser.client.find_all(Locator::Css("[data-testid=nav] a")).await? {
        labels.push(link.text().await?);
    }
    Ok(labels)
}

/// The path of the page the browser shows.
async fn path(browser: &Browser) -> anyhow::Result<String> {
    Ok(browser.client.current_url().await?.path().to_owned())
}

/// Opens `path` and expects "You do not have access to this page" and none of `data`.
async fn assert_no_access(browser: &Browser, app: &TestApp, path: &str, data: &str) -> anyhow::Result<()> {
    browser.client.goto(&format!("{}{path}", app.url())).await?;
    browser.wait_for_text("[data-testid=no-access]", "You do not have access to this page").await?;
    let shown = browser.find("main").await?.text().await?;
    assert!(!shown.contains(data), "{path} shows {data:?}: {shown}");
    assert_eq!(browser.client.title().await?, "You do not have access to this page - SEND Planner");
    Ok(())
}

#[tokio::test]
async fn a_planner_sees_ten_regions_and_finds_camden_and_westminster_in_inner_london() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    seed_planner(&app).await?;
    let browser = Browser::start().await?;
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    let caption = browser.wait_for_text("[data-testid=regions] caption", "10 regions").await?;
    assert!(caption.contains("153 local areas"), "{caption}");
    let rows = browser.client.find_all(Locator::Css("[data-testid=regions] tbody tr")).await?;
    assert_eq!(rows.len(), 10);
    browser.assert_accessible().await?;

    browser.client.find(Locator::LinkText("Inner London")).await?.click().await?;
    browser.wait_for_text("[data-testid=region-name]", "Inner London").await?;
    let table = browser.wait_for_text("[data-testid=areas]", "Camden").await?;
    assert!(table.contains("Westminster"), "{table}");
    assert!(table.contains("13 local areas"), "{table}");
    assert_eq!(browser.client.title().await?, "Inner London - SEND Planner");
    browser.assert_accessible().await?;

    browser.find("#name-filter").await?.send_keys("west").await?;
    let filtered = browser.wait_for_text("[data-testid=areas] caption", "1 local areas").await?;
    assert!(filtered.contains('1'), "{filtered}");
    let table = browser.find("[data-testid=areas]").await?.text().await?;
    assert!(table.contains("Westminster") && !table.contains("Camden"), "{table}");

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn an_unknown_region_shows_the_servers_message() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    seed_planner(&app).await?;
    let browser = Browser::start().await?;
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    browser.client.goto(&format!("{}/regions/E99999999", app.url())).await?;
    let error = browser.wait_for_text("[data-testid=error]", "region_code").await?;
    assert!(error.contains("There is a problem") && error.contains("E99999999"), "{error}");
    browser.assert_accessible().await?;
    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn an_unreachable_server_shows_a_clear_message_not_a_blank_page() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    seed_planner(&app).await?;
    let browser = Browser::start().await?;
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    browser.find("[data-testid=regions]").await?;
    // The page is loaded; now the server goes away and the person opens a region.
    app.stop().await?;
    browser.client.find(Locator::LinkText("Inner London")).await?.click().await?;
    let error = browser.wait_for_text("[data-testid=error]", "could not reach its server").await?;
    assert!(error.contains("There is a problem"), "{error}");
    browser.close().await
}

#[tokio::test]
async fn a_national_planner_signs_in_to_the_regions_and_reads_the_audit_trail() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let planner = seed_planner(&app).await?;
    let browser = Browser::start().await?;
    browser.client.goto(&app.url()).await?;
    // Not signed in: the regions are not shown, the sign-in page is.
    browser.wait_for_text("h1", "Sign in").await?;
    assert_eq!(path(&browser).await?, "/sign-in");
    assert_eq!(browser.client.title().await?, "Sign in - SEND Planner");
    browser.assert_accessible().await?;

    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    browser.wait_for_text("[data-testid=start-page]", "Regions of England").await?;
    assert_eq!(path(&browser).await?, "/");
    let identity = browser.find("[data-testid=identity]").await?.text().await?;
    assert!(
        identity.contains("Signed in as Nadia Planner")
            && identity.contains("National planner")
            && identity.contains("All of England"),
        "{identity}"
    );
    assert_eq!(menu(&browser).await?, ["Regions", "Audit trail"]);
    browser.wait_for_text("[data-testid=regions] caption", "10 regions").await?;
    assert_eq!(browser.client.title().await?, "Regions - SEND Planner");
    browser.assert_accessible().await?;

    browser.client.find(Locator::LinkText("Audit trail")).await?.click().await?;
    browser.wait_for_text("h1", "Audit trail").await?;
    assert_eq!(browser.client.title().await?, "Audit trail - SEND Planner");
    browser.assert_accessible().await?;
    browser.find("#object-type").await?.send_keys("person").await?;
    browser.find("#object-id").await?.send_keys(&planner.id).await?;
    browser.find("[data-testid=show-events]").await?.click().await?;
    let events = browser.wait_for_text("[data-testid=audit-events]", "session.sign_in").await?;
    assert!(events.contains("nadia") && events.contains("ok"), "{events}");
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_regional_lead_signs_in_to_their_own_region_and_no_other() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    app.seed_person(CreatePersonRequest {
        region_code: "E13000001".to_owned(),
        ..account("rita", "Rita Lead", Role::RegionalLead)
    })
    .await?;
    let browser = Browser::start().await?;
    sign_in(&browser, &app, "rita", "Rita Lead").await?;
    browser.wait_for_text("[data-testid=start-page]", "Inner London").await?;
    assert_eq!(path(&browser).await?, "/regions/E13000001");
    let table = browser.wait_for_text("[data-testid=areas]", "Camden").await?;
    assert!(table.contains("13 local areas"), "{table}");
    let identity = browser.find("[data-testid=identity]").await?.text().await?;
    assert!(identity.contains("Regional lead") && identity.contains("Inner London"), "{identity}");
    assert_eq!(menu(&browser).await?, ["My region"]);
    // The way back to all regions is only for those who may see them.
    assert!(browser.client.find(Locator::LinkText("Back to regions")).await.is_err());
    assert_eq!(browser.client.title().await?, "Inner London - SEND Planner");
    browser.assert_accessible().await?;

    assert_no_access(&browser, &app, "/regions/E12000001", "Local areas").await?;
    assert_no_access(&browser, &app, "/", "regions").await?;
    assert_no_access(&browser, &app, "/audit", "Object type").await?;
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_local_area_user_signs_in_to_their_local_area() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    app.seed_person(CreatePersonRequest {
        local_area_code: "E09000007".to_owned(),
        ..account("lucy", "Lucy Camden", Role::LocalAreaUser)
    })
    .await?;
    let browser = Browser::start().await?;
    sign_in(&browser, &app, "lucy", "Lucy Camden").await?;
    browser.wait_for_text("[data-testid=start-page]", "Camden").await?;
    assert_eq!(path(&browser).await?, "/local-area");
    let page = browser.find("main").await?.text().await?;
    assert!(page.contains("Visit requests for your local area will appear here"), "{page}");
    let identity = browser.find("[data-testid=identity]").await?.text().await?;
    assert!(identity.contains("Local area user") && identity.contains("Camden"), "{identity}");
    assert_eq!(menu(&browser).await?, ["My local area"]);
    assert_eq!(browser.client.title().await?, "Camden - SEND Planner");
    browser.assert_accessible().await?;

    assert_no_access(&browser, &app, "/accounts", "People who can sign in").await?;
    assert_no_access(&browser, &app, "/regions/E13000001", "Westminster").await?;
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_wrong_password_shows_the_servers_message() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    seed_planner(&app).await?;
    let browser = Browser::start().await?;
    submit_sign_in(&browser, &app, "nadia", "not the right password").await?;
    let error = browser.wait_for_text("[data-testid=error]", "username or password").await?;
    assert!(error.contains("There is a problem"), "{error}");
    assert_eq!(path(&browser).await?, "/sign-in");
    assert!(browser.client.find(Locator::Css("[data-testid=identity]")).await.is_err());
    browser.assert_accessible().await?;
    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn signing_out_returns_to_sign_in_and_a_reload_stays_signed_out() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    seed_planner(&app).await?;
    let browser = Browser::start().await?;
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    // A reload keeps the session (it lives in the tab's sessionStorage).
    browser.client.refresh().await?;
    browser.wait_for_text("[data-testid=identity]", "Nadia Planner").await?;

    browser.find("[data-testid=sign-out]").await?.click().await?;
    browser.wait_for_text("h1", "Sign in").await?;
    assert_eq!(path(&browser).await?, "/sign-in");
    assert!(browser.client.find(Locator::Css("[data-testid=identity]")).await.is_err());
    let token = browser.client.execute("return sessionStorage.getItem('sp.session');", vec![]).await?;
    assert!(token.is_null(), "{token}");
    browser.assert_accessible().await?;

    browser.client.refresh().await?;
    browser.wait_for_text("h1", "Sign in").await?;
    browser.client.goto(&app.url()).await?;
    browser.wait_for_text("h1", "Sign in").await?;
    assert_eq!(path(&browser).await?, "/sign-in");
    assert!(browser.client.find(Locator::Css("[data-testid=regions]")).await.is_err());

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_revoked_session_sends_the_person_back_to_sign_in_saying_why() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let planner = seed_planner(&app).await?;
    app.seed_person(account("ada", "Ada Admin", Role::Administrator)).await?;
    let browser = Browser::start().await?;
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    browser.find("[data-testid=regions]").await?;

    // An administrator ends the planner's sessions (over native gRPC).
    let channel = tonic::transport::Channel::from_shared(app.url())?.connect().await?;
    let admin = AuthServiceClient::new(channel.clone())
        .sign_in(SignInRequest { username: "ada".to_owned(), password: PASSWORD.to_owned() })
        .await?
        .into_inner();
    let mut revoke = tonic::Request::new(RevokeSessionsRequest { person_id: planner.id.clone() });
    revoke.metadata_mut().insert("authorization", format!("Bearer {}", admin.token).parse()?);
    let revoked = AccountServiceClient::new(channel).revoke_sessions(revoke).await?.into_inner().revoked;
    assert_eq!(revoked, 1);

    browser.client.find(Locator::LinkText("Inner London")).await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Your session has ended. Sign in again.").await?;
    browser.wait_for_text("h1", "Sign in").await?;
    assert_eq!(path(&browser).await?, "/sign-in");
    assert!(browser.client.find(Locator::Css("[data-testid=areas]")).await.is_err());
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn an_administrator_creates_an_account_and_sees_the_servers_message_for_a_bad_field()
-> anyhow::Result<()> {
    let app = spawn_app().await?;
    app.seed_person(account("ada", "Ada Admin", Role::Administrator)).await?;
    let browser = Browser::start().await?;
    sign_in(&browser, &app, "ada", "Ada Admin").await?;
    browser.wait_for_text("[data-testid=start-page]", "Accounts").await?;
    assert_eq!(path(&browser).await?, "/accounts");
    assert_eq!(menu(&browser).await?, ["Accounts"]);
    browser.wait_for_text("[data-testid=people]", "Ada Admin").await?;
    assert_eq!(browser.client.title().await?, "Accounts - SEND Planner");
    browser.assert_accessible().await?;

    // A regional lead without a region: the server names the field.
    browser.find("#new-username").await?.send_keys("rhea").await?;
    browser.find("#new-display-name").await?.send_keys("Rhea Lead").await?;
    browser.find("#new-password").await?.send_keys(PASSWORD).await?;
    browser.find("label[for=role-regional-lead]").await?.click().await?;
    browser.find("#region-code option[value=E13000001]").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=create]").await?.click().await?;
    let error = browser.wait_for_text("[data-testid=error]", "region_code").await?;
    assert!(error.contains("There is a problem"), "{error}");
    browser.assert_accessible().await?;

    // With the region, the account is created and listed.
    browser.find("#region-code").await?.select_by_value("E13000001").await?;
    browser.find("[data-testid=create]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Account created for Rhea Lead (rhea)").await?;
    assert!(browser.client.find(Locator::Css("[data-testid=error]")).await.is_err());
    let row = browser.wait_for_text("[data-username=rhea]", "Inner London").await?;
    assert!(row.contains("Regional lead"), "{row}");
    browser.assert_accessible().await?;

    // Nobody has signed in as Rhea yet: no sessions to end.
    browser.find("[data-username=rhea] [data-testid=revoke]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Sessions ended: 0").await?;
    browser.assert_accessible().await?;

    // The new account works.
    browser.find("[data-testid=sign-out]").await?.click().await?;
    browser.wait_for_text("h1", "Sign in").await?;
    sign_in(&browser, &app, "rhea", "Rhea Lead").await?;
    browser.wait_for_text("[data-testid=start-page]", "Inner London").await?;

    browser.close().await?;
    app.stop().await
}
