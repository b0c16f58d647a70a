//! Headless Chromium against the real server and the built web app (`dist/`): signing in and
//! out, each role's start page and menu, pages a role may not use, accounts, the audit trail,
//! confidential visit requests with their written consent, and the inspection programme
//! (scheduling with notice, teams, the regional and national boards and their CSV export), and
//! letters (drafting, checks, approval, issue, reading, publication, the national report).

use anyhow::Context as _;
use chrono::{NaiveDate, TimeDelta};
use fantoccini::Locator;
use integration_tests::{
    Bearer, Browser, Persona, TestApp, consent_answer, signed_pdf, spawn_app, visit_request,
};
use proto::pb::{
    self, CreatePersonRequest, Person, RevokeSessionsRequest, Role, SignInRequest,
    account_service_client::AccountServiceClient, audit_service_client::AuditServiceClient,
    auth_service_client::AuthServiceClient, consent_service_client::ConsentServiceClient,
    programme_service_client::ProgrammeServiceClient,
};
use sha2::Digest as _;
use tonic::{service::interceptor::InterceptedService, transport::Channel};

/// Long enough and not a common password.
const PASSWORD: &str = "correct horse battery";

/// A national planner's menu.
const PLANNER_MENU: [&str; 11] = [
    "Regions",
    "National board",
    "Programme",
    "Inspectors",
    "Visit requests",
    "Totals",
    "Safeguarding",
    "Audit trail",
    "Suspicious access",
    "National report",
    "Emails",
];

/// A local area user's menu.
const LOCAL_AREA_MENU: [&str; 3] = ["My local area", "Visit requests", "Letters"];

/// A regional lead's menu.
const LEAD_MENU: [&str; 5] = ["My region", "Programme", "Inspectors", "Visit requests", "Totals"];

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

/// The error summary inside `scope` lists a problem marked `marker` (`[data-rule='…']` or
/// `[data-field='…']`, never shown) whose words contain `text` and which links to the field
/// `#field`; the field shows the same words inline, and the title starts with "Error: ".
async fn assert_problem(
    browser: &Browser,
    scope: &str,
    marker: &str,
    field: &str,
    text: &str,
) -> anyhow::Result<()> {
    let summary = format!("{scope} [data-testid=error]");
    let item = browser.wait_for_text(&format!("{summary} {marker}"), text).await?;
    let link = browser.find(&format!("{summary} {marker} a[href='#{field}']")).await?.text().await?;
    assert_eq!(link, item, "the summary item is its link");
    let inline = browser.find(&format!("#{field}-error")).await?.text().await?;
    assert!(inline.contains(&item), "inline {inline:?} lacks {item:?}");
    assert!(browser.find(&summary).await?.text().await?.contains("There is a problem"));
    let title = browser.client.title().await?;
    assert!(title.starts_with("Error: "), "{title}");
    Ok(())
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
    let error = browser.wait_for_text("[data-testid=error] [data-field=region_code]", "E99999999").await?;
    assert!(!error.contains("region_code"), "no field names shown: {error}");
    let error = browser.find("[data-testid=error]").await?.text().await?;
    assert!(error.contains("There is a problem"), "{error}");
    assert!(browser.client.title().await?.starts_with("Error: "));
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
async fn the_page_shell_gives_way_to_the_app_and_says_so_when_the_app_cannot_load() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let browser = Browser::start().await?;
    browser.client.goto(&format!("{}/sign-in", app.url())).await?;
    browser.find("#username").await?;
    // Once mounted, the app's own header is the only one: the shell is gone.
    let headers = browser.client.find_all(Locator::Css("header.govuk-template__header")).await?;
    assert_eq!(headers.len(), 1);
    assert!(browser.client.find_all(Locator::Css("#app-shell")).await?.is_empty());
    app.stop().await?;

    // The same page without its module (as when a script is blocked or the file is missing):
    // the shell's header stays and says clearly that the app could not start.
    let dist = integration_tests::workspace_root()
        .join(std::env::var("SEND_PLANNER_TEST_DIST").unwrap_or_else(|_| "dist".to_owned()));
    let web = tempfile::tempdir()?;
    std::fs::copy(dist.join("index.html"), web.path().join("index.html"))?;
    for entry in std::fs::read_dir(&dist)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "js") {
            std::fs::copy(&path, web.path().join(path.file_name().context("name")?))?;
        }
    }
    copy_dir(&dist.join("assets"), &web.path().join("assets"))?;
    let app = integration_tests::spawn_app_with(web.path()).await?;
    browser.client.goto(&format!("{}/sign-in", app.url())).await?;
    let message = browser.wait_for_text("#app-status[role=alert]", "could not start").await?;
    assert!(message.contains("Reload the page"), "{message}");
    browser.wait_for_text(".govuk-service-navigation__service-name", "SEND Planner").await?;
    browser.assert_accessible().await?;
    browser.close().await?;
    app.stop().await
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let target = to.join(path.file_name().context("name")?);
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_national_planner_signs_in_to_the_regions_and_reads_the_audit_trail() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let planner = seed_planner(&app).await?;
    let browser = Browser::start().await?;
    browser.client.goto(&app.url()).await?;
    // Not signed in: the regions are not shown, the sign-in page is.
    browser.wait_for_text("h1", "Sign in").await?;
    assert_eq!(browser.path().await?, "/sign-in");
    assert_eq!(browser.client.title().await?, "Sign in - SEND Planner");
    browser.assert_accessible().await?;

    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    browser.wait_for_text("[data-testid=start-page]", "Regions of England").await?;
    assert_eq!(browser.path().await?, "/");
    let identity = browser.find("[data-testid=identity]").await?.text().await?;
    assert!(
        identity.contains("Signed in as Nadia Planner")
            && identity.contains("National planner")
            && identity.contains("All of England"),
        "{identity}"
    );
    assert_eq!(menu(&browser).await?, PLANNER_MENU);
    browser.wait_for_text("[data-testid=regions] caption", "10 regions").await?;
    assert_eq!(browser.client.title().await?, "Regions - SEND Planner");
    browser.assert_accessible().await?;

    browser.client.find(Locator::LinkText("Audit trail")).await?.click().await?;
    browser.wait_for_text("h1", "Audit trail").await?;
    assert_eq!(browser.client.title().await?, "Audit trail - SEND Planner");
    browser.assert_accessible().await?;
    // The person is picked by name; the events read as sentences (browser_audit.rs has more).
    browser.find(&format!("#audit-person option[value='{}']", planner.id)).await?;
    browser.find("#audit-person").await?.select_by_value(&planner.id).await?;
    browser.find("[data-testid=show-events]").await?.click().await?;
    let events = browser.wait_for_text("[data-testid=audit-events]", "Nadia Planner signed in, ").await?;
    assert!(!events.contains("session.sign_in"), "{events}");
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn below_641_px_the_menu_collapses_behind_a_menu_button_that_opens_and_closes_it() -> anyhow::Result<()>
{
    let app = spawn_app().await?;
    seed_planner(&app).await?;
    let browser = Browser::start().await?;
    browser.client.goto(&app.url()).await?;
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    browser.wait_for_text("[data-testid=regions] caption", "10 regions").await?;
    // Wide: the menu shows, its button does not.
    let button = browser.find("[data-testid=menu-button]").await?;
    let list = browser.find("#navigation").await?;
    assert!(!button.is_displayed().await? && list.is_displayed().await?);

    browser.assert_reflows(390).await?;
    let button = browser.find("[data-testid=menu-button]").await?;
    assert!(button.is_displayed().await?, "the Menu button shows at 390 px");
    assert!(!browser.find("#navigation").await?.is_displayed().await?, "the menu is collapsed");
    assert_eq!(button.attr("aria-expanded").await?.as_deref(), Some("false"));
    assert_eq!(button.attr("aria-controls").await?.as_deref(), Some("navigation"));
    button.click().await?;
    assert!(browser.find("#navigation").await?.is_displayed().await?, "Menu opens it");
    assert_eq!(button.attr("aria-expanded").await?.as_deref(), Some("true"));
    browser.assert_reflows(320).await?;
    browser.screenshot("menu-open").await?;
    browser.client.find(Locator::LinkText("Audit trail")).await?.click().await?;
    browser.wait_for_text("h1", "Audit trail").await?;
    assert!(!browser.find("#navigation").await?.is_displayed().await?, "the menu closes on the next page");
    assert_eq!(button.attr("aria-expanded").await?.as_deref(), Some("false"));
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn an_inspector_records_their_own_unavailability_and_a_conflict_and_sees_no_one_elses()
-> anyhow::Result<()> {
    let app = spawn_app().await?;
    let (person, token) = app.persona(Persona::OfstedInspector).await?;
    let mut programme =
        ProgrammeServiceClient::new(app.authed(&app.persona(Persona::Planner).await?.1).await?);
    for (name, person_id) in [("Olu Own", person.id.clone()), ("Someone Else", String::new())] {
        programme
            .create_inspector(pb::CreateInspectorRequest {
                name: name.into(),
                inspectorate: pb::Inspectorate::Ofsted.into(),
                social_care: false,
                home_region_code: "E13000001".into(),
                max_engagements_per_term: 4,
                person_id,
            })
            .await?;
    }
    drop(token);
    let browser = Browser::start().await?;
    sign_in_as(&browser, &app, Persona::OfstedInspector).await?;
    browser.client.find(Locator::LinkText("My availability")).await?.click().await?;
    browser.wait_for_text("h1", "My availability").await?;
    let table = browser.wait_for_text("[data-testid=inspectors]", "Olu Own").await?;
    assert!(table.contains("1 inspector") && !table.contains("Someone Else"), "{table}");
    assert_eq!(browser.client.title().await?, "My availability - SEND Planner");
    assert!(browser.client.find(Locator::Css("[data-testid=new-inspector-form]")).await.is_err());
    browser.assert_accessible().await?;

    // Their own record is already chosen in both forms.
    browser.fill_date("unavailable-first-day", day(2027, 3, 1)?).await?;
    browser.fill_date("unavailable-last-day", day(2027, 3, 5)?).await?;
    browser.find("[data-testid=add-unavailability]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The unavailability of Olu Own is recorded.").await?;
    browser.wait_for_text("[data-testid=inspectors]", "1 to 5 March 2027").await?;
    browser.find("#region option[value=E13000001]").await?;
    browser.find("#region").await?.select_by_value("E13000001").await?;
    browser.find("#local-area option[value=E09000007]").await?;
    browser.find("#local-area").await?.select_by_value("E09000007").await?;
    browser.find("#conflict-reason").await?.send_keys("My sister leads the SEND service").await?;
    browser.find("[data-testid=declare-conflict]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The conflict of interest of Olu Own is recorded.").await?;
    browser.wait_for_text("[data-testid=inspectors]", "My sister leads the SEND service").await?;
    browser.assert_accessible().await?;

    // A regional lead sees the days and the area, not the reason.
    browser.sign_out().await?;
    sign_in_as(&browser, &app, Persona::InnerLondonLead).await?;
    browser.client.find(Locator::LinkText("Inspectors")).await?.click().await?;
    let table = browser.wait_for_text("[data-testid=inspectors]", "Olu Own").await?;
    assert!(table.contains("1 to 5 March 2027") && table.contains("Someone Else"), "{table}");
    assert!(!table.contains("My sister"), "{table}");

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
    assert_eq!(browser.path().await?, "/regions/E13000001");
    let table = browser.wait_for_text("[data-testid=areas]", "Camden").await?;
    assert!(table.contains("13 local areas"), "{table}");
    let identity = browser.find("[data-testid=identity]").await?.text().await?;
    assert!(identity.contains("Regional lead") && identity.contains("Inner London"), "{identity}");
    assert_eq!(menu(&browser).await?, LEAD_MENU);
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
    assert_eq!(browser.path().await?, "/local-area");
    browser.wait_for_text("[data-testid=waiting]", "No visit requests are waiting for your answer.").await?;
    let identity = browser.find("[data-testid=identity]").await?.text().await?;
    assert!(identity.contains("Local area user") && identity.contains("Camden"), "{identity}");
    assert_eq!(menu(&browser).await?, LOCAL_AREA_MENU);
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
    assert_eq!(browser.path().await?, "/sign-in");
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
    assert_eq!(browser.path().await?, "/sign-in");
    assert!(browser.client.find(Locator::Css("[data-testid=identity]")).await.is_err());
    let token = browser.client.execute("return sessionStorage.getItem('sp.session');", vec![]).await?;
    assert!(token.is_null(), "{token}");
    browser.assert_accessible().await?;

    browser.client.refresh().await?;
    browser.wait_for_text("h1", "Sign in").await?;
    browser.client.goto(&app.url()).await?;
    browser.wait_for_text("h1", "Sign in").await?;
    assert_eq!(browser.path().await?, "/sign-in");
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
    assert_eq!(browser.path().await?, "/sign-in");
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
    assert_eq!(browser.path().await?, "/accounts");
    assert_eq!(menu(&browser).await?, ["Accounts", "Suspicious access", "Emails"]);
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
    assert_problem(&browser, "", "[data-field=region_code]", "region-code", "region").await?;
    browser.assert_accessible().await?;

    // With the region, the account is created and listed.
    browser.find("#region-code").await?.select_by_value("E13000001").await?;
    browser.find("[data-testid=create]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Account created for Rhea Lead (rhea)").await?;
    assert!(browser.client.find(Locator::Css("[data-testid=error]")).await.is_err());
    let row = browser.wait_for_text("[data-username=rhea]", "Inner London").await?;
    assert!(row.contains("Regional lead"), "{row}");
    browser.assert_accessible().await?;

    // A local area user: the area picked by its name, never typed as a code.
    browser.find("#new-username").await?.send_keys("cam").await?;
    browser.find("#new-display-name").await?.send_keys("Cam Area").await?;
    browser.find("#new-password").await?.send_keys(PASSWORD).await?;
    browser.find("label[for=role-local-area-user]").await?.click().await?;
    browser.find("#region-code option[value=E13000001]").await?;
    browser.find("[data-testid=create]").await?.click().await?;
    assert_problem(&browser, "", "[data-field=local_area_code]", "local-area", "local area").await?;
    browser.find("#region-code").await?.select_by_value("E13000001").await?;
    browser.find("#local-area option[value=E09000007]").await?;
    browser.find("#local-area").await?.select_by_value("E09000007").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=create]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Account created for Cam Area (cam)").await?;
    let row = browser.wait_for_text("[data-username=cam]", "Camden").await?;
    assert!(row.contains("Local area user"), "{row}");

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

type Consent = ConsentServiceClient<InterceptedService<Channel, Bearer>>;

/// The persona's display name (see `Persona::request`).
fn display_name(persona: Persona) -> String {
    format!("Test {}", persona.username())
}

/// Seeds the persona if needed, signs it in through the sign-in page and waits for its name.
async fn sign_in_as(browser: &Browser, app: &TestApp, persona: Persona) -> anyhow::Result<()> {
    app.persona(persona).await?;
    submit_sign_in(browser, app, persona.username(), integration_tests::PASSWORD).await?;
    browser.wait_for_text("[data-testid=identity]", &display_name(persona)).await?;
    browser.find("[data-testid=start-page]").await?;
    Ok(())
}

/// A consent-service client signed in as the persona (seeded if needed).
async fn consent_client(app: &TestApp, persona: Persona) -> anyhow::Result<Consent> {
    let (_, token) = app.persona(persona).await?;
    Ok(ConsentServiceClient::new(app.authed(&token).await?))
}

/// The server's today (its clock stands still in tests).
fn today(app: &TestApp) -> NaiveDate {
    app.clock.now().date_naive()
}

/// A request created over gRPC by `by` for `area`, answered a month from today.
async fn create_request(app: &TestApp, by: Persona, area: &str) -> anyhow::Result<pb::VisitRequest> {
    let reply_by = (today(app) + TimeDelta::days(30)).to_string();
    let created = consent_client(app, by)
        .await?
        .create_visit_request(visit_request(area, &reply_by))
        .await?
        .into_inner();
    created.request.ok_or_else(|| anyhow::anyhow!("no request in the answer"))
}

/// Lower-case hex SHA-256.
fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn a_regional_lead_asks_camden_for_a_visit_and_camden_consents_with_a_signed_letter()
-> anyhow::Result<()> {
    let app = spawn_app().await?;
    let browser = Browser::start().await?;
    let today = today(&app);

    // The regional lead asks Camden, through the form.
    sign_in_as(&browser, &app, Persona::InnerLondonLead).await?;
    assert_eq!(menu(&browser).await?, LEAD_MENU);
    browser.client.find(Locator::LinkText("Visit requests")).await?.click().await?;
    browser.wait_for_text("[data-testid=no-requests]", "There are no visit requests yet.").await?;
    assert_eq!(browser.client.title().await?, "Visit requests - SEND Planner");
    browser.assert_accessible().await?;

    browser.find("[data-testid=new-request]").await?.click().await?;
    browser.wait_for_text("h1", "Request an interim visit").await?;
    assert_eq!(browser.path().await?, "/requests/new");
    assert_eq!(browser.client.title().await?, "Request an interim visit - SEND Planner");
    // Only the lead's own region is offered.
    browser.find("#local-area option[value=E09000007]").await?;
    assert!(browser.client.find(Locator::Css("#local-area option[value=E06000001]")).await.is_err());
    browser.assert_accessible().await?;
    // Nothing filled in: the server names the fields.
    browser.find("[data-testid=send-request]").await?.click().await?;
    assert_problem(&browser, "", "[data-field=local_area_code]", "local-area", "local area").await?;
    assert_problem(&browser, "", "[data-field='phase.term']", "term", "term").await?;
    browser.assert_accessible().await?;

    browser.find("#local-area").await?.select_by_value("E09000007").await?;
    browser.find("label[for=term-spring]").await?.click().await?;
    browser.fill_date("window-first-day", today + TimeDelta::days(60)).await?;
    browser.fill_date("window-last-day", today + TimeDelta::days(80)).await?;
    browser.fill_date("reply-by", today + TimeDelta::days(30)).await?;
    browser.find("#note").await?.send_keys("Interim visit, spring phase").await?;
    browser.find("[data-testid=send-request]").await?.click().await?;
    browser.wait_for_text("[data-testid=request-title]", "Camden").await?;
    let request_path = browser.path().await?;
    let id = request_path.strip_prefix("/requests/").unwrap_or_default().to_owned();
    assert!(send_planner::domain::public_id::parse_public_id(&id).is_some(), "{request_path}");
    let summary = browser.words("[data-testid=request-summary]").await?;
    assert!(
        summary.contains("Inner London") && summary.contains("Spring term") && summary.contains("Requested"),
        "{summary}"
    );
    assert_eq!(browser.client.title().await?, "Visit request: Camden - SEND Planner");
    browser.assert_accessible().await?;
    browser.sign_out().await?;

    // Camden sees it waiting, opens it and consents with its signed letter.
    sign_in_as(&browser, &app, Persona::Camden).await?;
    assert_eq!(menu(&browser).await?, LOCAL_AREA_MENU);
    browser.wait_for_text("[data-testid=waiting]", "1 visit request is waiting for your answer.").await?;
    browser.find("[data-testid=visit-requests]").await?.click().await?;
    let table = browser.wait_for_text("[data-testid=requests]", "Camden").await?;
    assert!(table.contains("Requested") && table.contains("Inner London"), "{table}");
    browser.assert_accessible().await?;
    browser.client.find(Locator::LinkText("Camden")).await?.click().await?;
    browser.wait_for_text("[data-testid=request-title]", "Camden").await?;
    assert_eq!(browser.path().await?, request_path);
    assert!(browser.client.find(Locator::Css("[data-testid=cancel-link]")).await.is_err());
    browser.assert_accessible().await?;

    // One question per page: does Camden agree? Continuing without an answer says what to do.
    browser.find("[data-testid=answer]").await?.click().await?;
    browser.wait_for_text("h1", "Does Camden agree to an interim visit?").await?;
    assert_eq!(browser.client.current_url().await?.query(), Some("answer=agree"));
    browser.assert_accessible().await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    assert_problem(&browser, "", "[data-field=agrees]", "agrees", "Select yes if Camden agrees").await?;
    assert!(browser.client.title().await?.starts_with("Error: "));
    browser.assert_accessible().await?;
    browser.find("label[for=agrees-yes]").await?.click().await?;
    browser.find("[data-testid=continue]").await?.click().await?;

    browser.wait_for_text("h1", "Who signed the consent letter?").await?;
    browser.find("#consent-signatory-name").await?.send_keys("Alex Morgan").await?;
    browser.find("#consent-signatory-role").await?.send_keys("Director of Children's Services").await?;
    browser.find("#consent-organisation").await?.send_keys("London Borough of Camden").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=continue]").await?.click().await?;

    let letter = signed_pdf("Camden consents to an interim visit");
    let folder = tempfile::tempdir()?;
    let file = folder.path().join("consent-letter.pdf");
    std::fs::write(&file, &letter)?;
    browser.wait_for_text("h1", "Upload the signed consent letter").await?;
    browser.fill_date("consent-date-signed", today).await?;
    browser.find("#consent-document").await?.send_keys(&file.display().to_string()).await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=continue]").await?.click().await?;

    browser.wait_for_text("h1", "Are there days Camden cannot host a visit?").await?;
    browser.fill_date("unavailable-from", today + TimeDelta::days(65)).await?;
    browser.fill_date("unavailable-to", today + TimeDelta::days(66)).await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=continue]").await?.click().await?;

    // Check your answers: every answer with its Change link, and what sending means.
    browser.wait_for_text("h1", "Check your answer before sending it").await?;
    let answers = browser.words("[data-testid=answers]").await?;
    assert!(
        answers.contains("Yes, Camden agrees")
            && answers.contains("Alex Morgan")
            && answers.contains("consent-letter.pdf")
            && answers.contains("Change"),
        "{answers}"
    );
    let check = browser.words("[data-testid=consent-form]").await?;
    assert!(check.contains("the visiting team does not"), "{check}");
    browser.assert_accessible().await?;
    browser.screenshot("check-your-answers").await?;
    // A change goes back to its question, with the answer kept.
    browser.find("[data-testid=answers] a[href$='answer=signatory']").await?.click().await?;
    browser.wait_for_text("h1", "Who signed the consent letter?").await?;
    assert_eq!(
        browser.find("#consent-signatory-name").await?.prop("value").await?.as_deref(),
        Some("Alex Morgan")
    );
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("h1", "Upload the signed consent letter").await?;
    browser.wait_for_text("[data-testid=chosen-document]", "consent-letter.pdf").await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("h1", "Are there days Camden cannot host a visit?").await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("h1", "Check your answer before sending it").await?;
    browser.find("[data-testid=consent]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Your written consent is on record.").await?;
    browser.wait_for_text("[data-testid=request-summary] [data-testid=state]", "Consented").await?;
    let consent = browser.words("[data-testid=consent]").await?;
    assert!(consent.contains("Alex Morgan") && consent.contains("PDF"), "{consent}");
    assert_eq!(browser.find("[data-testid=document-hash]").await?.text().await?, sha256(&letter));
    assert_eq!(browser.path().await?, request_path);
    // Consented: withdrawal is offered, answering again is not.
    browser.find("[data-testid=withdraw-link]").await?;
    assert!(browser.client.find(Locator::Css("[data-testid=answer]")).await.is_err());
    let history = browser.find("[data-testid=history]").await?.text().await?;
    assert!(history.contains("Consented in writing") && history.contains("Test user.camden"), "{history}");
    browser.assert_accessible().await?;
    browser.sign_out().await?;

    // The regional lead sees the consent, its hash, and downloads the very same letter.
    sign_in_as(&browser, &app, Persona::InnerLondonLead).await?;
    browser.client.goto(&format!("{}{request_path}", app.url())).await?;
    let shown = browser.find("[data-testid=document-hash]").await?.text().await?;
    assert_eq!(shown, sha256(&letter));
    let consent = browser.words("[data-testid=consent]").await?;
    assert!(
        consent.contains("Alex Morgan")
            && consent.contains("Director of Children's Services")
            && consent.contains("London Borough of Camden"),
        "{consent}"
    );
    browser.find("[data-testid=cancel-link]").await?;
    browser.assert_accessible().await?;
    // Catch the download in the page rather than saving it to disk.
    browser
        .client
        .execute(
            "window.__downloads = [];
             const create = URL.createObjectURL.bind(URL);
             URL.createObjectURL = blob => {
                 const url = create(blob);
                 window.__downloads.push({ blob, url });
                 return url;
             };
             HTMLAnchorElement.prototype.click = function () {
                 for (const d of window.__downloads) if (d.url === this.href) d.name = this.download;
             };",
            vec![],
        )
        .await?;
    browser.find("[data-testid=download]").await?.click().await?;
    let download = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const wait = () => {
                 const d = window.__downloads.find(d => d.name);
                 if (!d) return setTimeout(wait, 50);
                 d.blob.arrayBuffer().then(b =>
                     done({ name: d.name, type: d.blob.type, bytes: Array.from(new Uint8Array(b)) }));
             };
             wait();",
            vec![],
        )
        .await?;
    let bytes: Vec<u8> = serde_json::from_value(download["bytes"].clone())?;
    assert_eq!(sha256(&bytes), sha256(&letter));
    assert_eq!(download["type"], "application/pdf");
    let name = download["name"].as_str().unwrap_or_default();
    assert!(name.starts_with("consent-") && name.ends_with(".pdf"), "{name}");
    assert!(browser.client.find(Locator::Css("[data-testid=error]")).await.is_err());

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn another_area_or_region_neither_lists_a_request_nor_finds_it_at_its_address() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let camden = create_request(&app, Persona::InnerLondonLead, "E09000007").await?;
    create_request(&app, Persona::InnerLondonLead, "E09000033").await?;
    let browser = Browser::start().await?;

    // Westminster, in the same region, sees its own request and not Camden's.
    sign_in_as(&browser, &app, Persona::Westminster).await?;
    browser.client.find(Locator::LinkText("Visit requests")).await?.click().await?;
    let table = browser.wait_for_text("[data-testid=requests]", "Westminster").await?;
    assert!(!table.contains("Camden"), "{table}");
    assert!(table.contains("1 visit request"), "{table}");
    browser.assert_accessible().await?;
    // At Camden's address: the same page as for a request that does not exist.
    browser.client.goto(&format!("{}/requests/999999", app.url())).await?;
    browser.wait_for_text("[data-testid=not-found]", "Page not found").await?;
    let missing = browser.find("main").await?.text().await?;
    browser.client.goto(&format!("{}/requests/{}", app.url(), camden.id)).await?;
    browser.wait_for_text("[data-testid=not-found]", "Page not found").await?;
    let hidden = browser.find("main").await?.text().await?;
    assert_eq!(hidden, missing);
    assert!(!hidden.contains("Camden"), "{hidden}");
    assert_eq!(browser.client.title().await?, "Page not found - SEND Planner");
    browser.assert_accessible().await?;
    browser.sign_out().await?;

    // Another region's lead: nothing listed, nothing found, nothing counted.
    sign_in_as(&browser, &app, Persona::NorthEastLead).await?;
    browser.client.goto(&format!("{}/requests", app.url())).await?;
    browser.wait_for_text("[data-testid=no-requests]", "There are no visit requests yet.").await?;
    browser.client.goto(&format!("{}/requests/{}", app.url(), camden.id)).await?;
    browser.wait_for_text("[data-testid=not-found]", "Page not found").await?;
    assert_eq!(browser.find("main").await?.text().await?, missing);
    browser.assert_accessible().await?;
    browser.client.goto(&format!("{}/totals", app.url())).await?;
    browser.wait_for_text("[data-testid=no-totals]", "No visit requests have been made yet.").await?;
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn camden_withdraws_its_consent_and_the_request_shows_withdrawn() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let request = create_request(&app, Persona::InnerLondonLead, "E09000007").await?;
    consent_client(&app, Persona::Camden)
        .await?
        .answer_visit_request(consent_answer(&request.id, request.version))
        .await?;
    let browser = Browser::start().await?;

    sign_in_as(&browser, &app, Persona::Camden).await?;
    browser.client.goto(&format!("{}/requests/{}", app.url(), request.id)).await?;
    browser.wait_for_text("[data-testid=request-summary] [data-testid=state]", "Consented").await?;
    // The question, then the check; with no reason the server refuses, and the person is taken
    // back to the question, where the summary links to the field.
    browser.find("[data-testid=withdraw-link]").await?.click().await?;
    browser.wait_for_text("h1", "Why is your local area withdrawing its consent?").await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("h1", "Check before you withdraw Camden's consent").await?;
    let check = browser.words("[data-testid=withdraw-form]").await?;
    assert!(check.contains("cannot go ahead"), "{check}");
    browser.assert_accessible().await?;
    browser.find("[data-testid=withdraw]").await?.click().await?;
    browser.wait_for_text("h1", "Why is your local area withdrawing its consent?").await?;
    let error =
        browser.wait_for_text("[data-testid=withdraw-question] [data-testid=error]", "reason").await?;
    assert!(error.contains("There is a problem"), "{error}");
    browser.find("#withdraw-reason-error").await?;
    browser.assert_accessible().await?;

    browser
        .find("#withdraw-reason")
        .await?
        .send_keys("The director has left; a new decision is needed")
        .await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("[data-testid=answers]", "a new decision is needed").await?;
    browser.find("[data-testid=withdraw]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Your consent has been withdrawn.").await?;
    browser.wait_for_text("[data-testid=request-summary] [data-testid=state]", "Withdrawn").await?;
    // History is kept: the consent stays on record, and the withdrawal is added.
    let consent = browser.words("[data-testid=consent]").await?;
    assert!(consent.contains("Alex Morgan"), "{consent}");
    let history = browser.find("[data-testid=history]").await?.text().await?;
    assert!(
        history.contains("Consented in writing")
            && history.contains("Withdrew consent")
            && history.contains("a new decision is needed"),
        "{history}"
    );
    assert!(browser.client.find(Locator::Css("[data-testid=withdraw-link]")).await.is_err());
    browser.assert_accessible().await?;

    // The list says so too.
    browser.client.find(Locator::LinkText("Visit requests")).await?.click().await?;
    let table = browser.wait_for_text("[data-testid=requests]", "Camden").await?;
    assert!(table.contains("Withdrawn"), "{table}");
    browser.find("#state-filter").await?.select_by_value("consented").await?;
    browser.wait_for_text("[data-testid=no-requests]", "No visit requests are in this state.").await?;
    browser.find("#state-filter").await?.select_by_value("withdrawn").await?;
    browser.wait_for_text("[data-testid=requests]", "Camden").await?;
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn an_answer_to_a_request_changed_meanwhile_says_so_and_reloads_it() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let request = create_request(&app, Persona::InnerLondonLead, "E09000007").await?;
    let browser = Browser::start().await?;
    sign_in_as(&browser, &app, Persona::Camden).await?;
    browser.client.goto(&format!("{}/requests/{}?answer=agree", app.url(), request.id)).await?;
    browser.find("label[for=agrees-no]").await?.click().await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("h1", "Why is Camden declining the visit?").await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.find("[data-testid=decline-form]").await?;

    // The lead cancels while the page is open.
    consent_client(&app, Persona::InnerLondonLead)
        .await?
        .cancel_visit_request(pb::CancelVisitRequestRequest {
            id: request.id.clone(),
            version: request.version,
            reason: "The phase is full".into(),
        })
        .await?;
    browser.find("[data-testid=decline]").await?.click().await?;
    let error = browser.wait_for_text("[data-testid=decline-form] [data-testid=error]", "cancelled").await?;
    assert!(error.to_lowercase().contains("reload it and try again"), "{error}");
    browser.assert_accessible().await?;
    browser.find("[data-testid=reload]").await?.click().await?;
    browser.wait_for_text("[data-testid=request-summary] [data-testid=state]", "Cancelled").await?;
    assert!(browser.client.find(Locator::Css("[data-testid=decline-form]")).await.is_err());
    assert!(browser.client.find(Locator::Css("[data-testid=answer]")).await.is_err());
    let history = browser.find("[data-testid=history]").await?.text().await?;
    assert!(history.contains("The phase is full"), "{history}");

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_national_planner_sees_totals_by_region_and_phase_and_the_escalated_concerns() -> anyhow::Result<()>
{
    let app = spawn_app().await?;
    let camden = create_request(&app, Persona::InnerLondonLead, "E09000007").await?;
    create_request(&app, Persona::InnerLondonLead, "E09000033").await?;
    create_request(&app, Persona::NorthEastLead, "E06000001").await?;
    let mut camden_user = consent_client(&app, Persona::Camden).await?;
    camden_user.answer_visit_request(consent_answer(&camden.id, camden.version)).await?;
    camden_user
        .record_safeguarding_concern(pb::RecordSafeguardingConcernRequest {
            id: camden.id.clone(),
            note: "A child disclosed harm at a setting".into(),
        })
        .await?;
    let browser = Browser::start().await?;

    sign_in_as(&browser, &app, Persona::Planner).await?;
    assert_eq!(menu(&browser).await?, PLANNER_MENU);
    browser.client.find(Locator::LinkText("Totals")).await?.click().await?;
    browser.wait_for_text("h1", "Interim visit requests: totals").await?;
    browser.find("[data-testid=totals] tbody tr").await?;
    assert_eq!(browser.client.title().await?, "Interim visit requests: totals - SEND Planner");
    // Requested, Consented, Declined, Withdrawn, Expired, Cancelled, Total.
    assert_eq!(
        browser.words("[data-testid=totals] tr[data-region=E13000001]").await?,
        "Inner London Summer term 2026/27 1 1 0 0 0 0 2"
    );
    assert_eq!(
        browser.words("[data-testid=totals] tr[data-region=E12000001]").await?,
        "North East Summer term 2026/27 1 0 0 0 0 0 1"
    );
    assert_eq!(browser.words("[data-testid=totals-all]").await?, "All 2 1 0 0 0 0 3");
    browser.assert_accessible().await?;

    browser.client.find(Locator::LinkText("Safeguarding")).await?.click().await?;
    let concerns = browser.wait_for_text("[data-testid=concerns]", "Camden").await?;
    assert!(
        concerns.contains("A child disclosed harm at a setting") && concerns.contains("Test user.camden"),
        "{concerns}"
    );
    assert_eq!(browser.client.title().await?, "Safeguarding concerns - SEND Planner");
    browser.assert_accessible().await?;
    browser.find("[data-testid=concerns] a").await?.click().await?;
    browser.find("[data-testid=safeguarding-flag]").await?;
    browser.wait_for_text("[data-testid=request-summary] [data-testid=state]", "Consented").await?;
    browser.find("[data-testid=cancel-link]").await?;
    browser.assert_accessible().await?;

    // Planners choose the region first, then one of its areas.
    browser.client.goto(&format!("{}/requests/new", app.url())).await?;
    browser.find("#region option[value=E12000001]").await?;
    browser.find("#region").await?.select_by_value("E12000001").await?;
    browser.find("#local-area option[value=E06000001]").await?;
    browser.assert_accessible().await?;
    browser.sign_out().await?;

    // A regional lead counts only their own region.
    sign_in_as(&browser, &app, Persona::InnerLondonLead).await?;
    browser.client.goto(&format!("{}/totals", app.url())).await?;
    browser.find("[data-testid=totals] tr[data-region=E13000001]").await?;
    let totals = browser.find("[data-testid=totals]").await?.text().await?;
    assert!(!totals.contains("North East"), "{totals}");
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

type Programme = ProgrammeServiceClient<InterceptedService<Channel, Bearer>>;

/// Sets the server's clock to Monday 23 November 2026, 09:00 UTC, so the programme's notice,
/// bank holidays and academic year fall where these tests expect them. Call it before signing in.
fn set_programme_clock(app: &TestApp) -> anyhow::Result<()> {
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")?.to_utc());
    Ok(())
}

/// A programme-service client signed in as the persona (seeded if needed).
async fn programme_client(app: &TestApp, persona: Persona) -> anyhow::Result<Programme> {
    let (_, token) = app.persona(persona).await?;
    Ok(ProgrammeServiceClient::new(app.authed(&token).await?))
}

/// A day of the year, for the date inputs.
fn day(year: i32, month: u32, day: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).context("no such day")
}

/// Counts the rows of a table's body.
async fn rows(browser: &Browser, table: &str) -> anyhow::Result<usize> {
    Ok(browser.client.find_all(Locator::Css(&format!("{table} tbody tr"))).await?.len())
}

#[tokio::test]
async fn a_regional_lead_schedules_a_full_inspection_and_its_notice_skips_easter() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    set_programme_clock(&app)?;
    let browser = Browser::start().await?;
    sign_in_as(&browser, &app, Persona::InnerLondonLead).await?;
    assert_eq!(menu(&browser).await?, LEAD_MENU);

    browser.client.find(Locator::LinkText("Programme")).await?.click().await?;
    browser.wait_for_text("[data-testid=board-title]", "Programme: Inner London").await?;
    browser.find("[data-testid=no-engagements]").await?;
    assert_eq!(browser.path().await?, "/board");
    assert_eq!(browser.client.title().await?, "Programme: Inner London - SEND Planner");
    browser.assert_accessible().await?;

    browser.find("[data-testid=schedule-engagement]").await?.click().await?;
    browser.wait_for_text("h1", "Schedule an engagement").await?;
    assert_eq!(browser.path().await?, "/engagements/new");
    assert_eq!(browser.client.title().await?, "Schedule an engagement - SEND Planner");
    // Only the lead's own region's areas are offered.
    browser.find("#local-area option[value=E09000007]").await?;
    assert!(browser.client.find(Locator::Css("#local-area option[value=E06000001]")).await.is_err());
    browser.assert_accessible().await?;

    // Easter Monday 2027 is a bank holiday: the server refuses and says why.
    browser.find("#local-area").await?.select_by_value("E09000007").await?;
    browser.find("label[for=kind-full-inspection]").await?.click().await?;
    browser.fill_date("onsite-first-day", day(2027, 3, 29)?).await?;
    browser.fill_date("onsite-last-day", day(2027, 3, 31)?).await?;
    browser.find("[data-testid=schedule]").await?.click().await?;
    let first_day = "The first onsite day, 29 March 2027, is a weekend or a bank holiday";
    assert_problem(&browser, "", "[data-field=onsite]", "onsite-first-day", first_day).await?;
    assert_eq!(browser.path().await?, "/engagements/new");
    browser.assert_accessible().await?;

    // Wednesday 7 to Friday 9 April: notified Monday 22 March, 10 working days before (Good
    // Friday and Easter Monday are not working days).
    browser.client.refresh().await?;
    browser.find("#local-area option[value=E09000007]").await?;
    browser.find("#local-area").await?.select_by_value("E09000007").await?;
    browser.find("label[for=kind-full-inspection]").await?.click().await?;
    browser.fill_date("onsite-first-day", day(2027, 4, 7)?).await?;
    browser.fill_date("onsite-last-day", day(2027, 4, 9)?).await?;
    browser.find("#note").await?.send_keys("Spring full inspection").await?;
    browser.find("[data-testid=schedule]").await?.click().await?;
    browser.wait_for_text("[data-testid=engagement-title]", "Full inspection: Camden").await?;
    let engagement_path = browser.path().await?;
    let id = engagement_path.strip_prefix("/engagements/").unwrap_or_default().to_owned();
    assert!(send_planner::domain::public_id::parse_public_id(&id).is_some(), "{engagement_path}");
    assert_eq!(browser.find("[data-testid=notification-date]").await?.text().await?, "22 March 2027");
    let summary = browser.words("[data-testid=engagement-summary]").await?;
    assert!(
        summary.contains("Proposed")
            && summary.contains("7 to 9 April 2027")
            && summary.contains("Spring full inspection"),
        "{summary}"
    );
    let timeline = browser.words("[data-testid=timeline]").await?;
    for week in [
        "Week 1: offsite 22 to 26 March 2027",
        "Week 2: offsite and onsite 29 March to 2 April 2027",
        "Week 3: onsite 5 to 9 April 2027",
    ] {
        assert!(timeline.contains(week), "{week:?} not in {timeline}");
    }
    assert_eq!(browser.client.title().await?, "Full inspection: Camden - SEND Planner");
    // The task list: what the engagement needs, each with its status.
    let tasks = browser.words("[data-testid=tasks]").await?;
    assert!(
        tasks.contains("Dates")
            && tasks.contains("Team Not yet started")
            && tasks.contains("Notice to the local area"),
        "{tasks}"
    );
    browser.find("[data-testid=task-notice] a").await?;
    browser.assert_accessible().await?;
    browser.screenshot("engagement-task-list").await?;
    browser.find("[data-testid=task-team] a").await?.click().await?;
    browser.wait_for_text("h1", "Assign the team").await?;
    browser.find("[data-testid=team-form] [data-testid=no-inspectors]").await?;
    browser.assert_accessible().await?;
    browser.find(".govuk-back-link").await?.click().await?;
    browser.wait_for_text("[data-testid=engagement-title]", "Full inspection: Camden").await?;

    // The board lists it, proposed, with its notice.
    browser.client.find(Locator::LinkText("Programme")).await?.click().await?;
    let row = browser.wait_for_text(&format!("[data-engagement='{id}']"), "Camden").await?;
    assert!(
        row.contains("Proposed") && row.contains("22 March 2027") && row.contains("Full inspection"),
        "{row}"
    );
    assert!(row.contains("Week of 5 April 2027"), "{row}");
    browser.find("#board-state").await?.select_by_value("notified").await?;
    browser.find("[data-testid=no-engagements]").await?;
    browser.find("#board-state").await?.select_by_value("proposed").await?;
    browser.find(&format!("[data-engagement='{id}']")).await?;
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_regional_lead_assigns_a_team_the_rules_refuse_and_then_accept_and_notifies_camden()
-> anyhow::Result<()> {
    let app = spawn_app().await?;
    set_programme_clock(&app)?;
    let mut lead = programme_client(&app, Persona::InnerLondonLead).await?;
    let mut ids = Vec::new();
    for (name, inspectorate, social_care) in [
        ("Hana Lead", pb::Inspectorate::Ofsted, false),
        ("Omar Ofsted", pb::Inspectorate::Ofsted, false),
        ("Cara Quality", pb::Inspectorate::Cqc, false),
        ("Sam Social", pb::Inspectorate::Ofsted, true),
    ] {
        let created = lead
            .create_inspector(pb::CreateInspectorRequest {
                name: name.into(),
                inspectorate: inspectorate.into(),
                social_care,
                home_region_code: "E13000001".into(),
                max_engagements_per_term: 4,
                ..Default::default()
            })
            .await?
            .into_inner();
        ids.push(created.inspector.context("inspector")?.id);
    }
    let engagement = lead
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000007".into(),
            kind: pb::EngagementKind::FullInspection.into(),
            onsite: Some(pb::DateRange { first_day: "2027-01-18".into(), last_day: "2027-01-20".into() }),
            note: "Winter full inspection".into(),
        })
        .await?
        .into_inner()
        .engagement
        .context("engagement")?;
    let browser = Browser::start().await?;
    sign_in_as(&browser, &app, Persona::InnerLondonLead).await?;

    // The inspectors page: the four, and a fifth added with an unavailability and a conflict.
    browser.client.find(Locator::LinkText("Inspectors")).await?.click().await?;
    let table = browser.wait_for_text("[data-testid=inspectors]", "Sam Social").await?;
    assert!(table.contains("4 inspectors") && table.contains("Inner London"), "{table}");
    assert_eq!(browser.client.title().await?, "Inspectors - SEND Planner");
    browser.assert_accessible().await?;
    browser.find("#inspector-name").await?.send_keys("Nia North").await?;
    browser.find("label[for=inspectorate-cqc]").await?.click().await?;
    browser.find("#inspector-home-region option[value=E12000001]").await?;
    browser.find("#inspector-home-region").await?.select_by_value("E12000001").await?;
    browser.find("[data-testid=add-inspector]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Nia North is added to the inspectors.").await?;
    let row = browser.wait_for_text("[data-testid=inspectors]", "Nia North").await?;
    assert!(row.contains("5 inspectors") && row.contains("North East"), "{row}");
    browser.find(&format!("#unavailable-inspector option[value='{}']", ids[3])).await?;
    browser.find("#unavailable-inspector").await?.select_by_value(&ids[3]).await?;
    browser.fill_date("unavailable-first-day", day(2027, 2, 1)?).await?;
    browser.fill_date("unavailable-last-day", day(2027, 2, 26)?).await?;
    browser.find("[data-testid=add-unavailability]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The unavailability of Sam Social is recorded.").await?;
    browser
        .wait_for_text(
            &format!("[data-testid=inspectors] [data-inspector='{}']", ids[3]),
            "1 to 26 February 2027",
        )
        .await?;
    browser.find("#conflict-inspector").await?.select_by_value(&ids[2]).await?;
    // The area by its name: a region, then one of its areas.
    browser.find("#region option[value=E13000001]").await?;
    browser.find("#region").await?.select_by_value("E13000001").await?;
    browser.find("#local-area option[value=E09000033]").await?;
    browser.find("#local-area").await?.select_by_value("E09000033").await?;
    browser.find("#conflict-reason").await?.send_keys("A close relative works for Westminster").await?;
    browser.find("[data-testid=declare-conflict]").await?.click().await?;
    browser
        .wait_for_text("[data-testid=banner]", "The conflict of interest of Cara Quality is recorded.")
        .await?;
    browser
        .wait_for_text(&format!("[data-testid=inspectors] [data-inspector='{}']", ids[2]), "Westminster")
        .await?;
    browser.assert_accessible().await?;

    // Only two Ofsted inspectors for a full inspection: refused, naming the rule.
    browser.client.goto(&format!("{}/engagements/{}", app.url(), engagement.id)).await?;
    browser.wait_for_text("[data-testid=engagement-title]", "Camden").await?;
    browser.find("[data-testid=task-team] a").await?.click().await?;
    browser.wait_for_text("h1", "Assign the team").await?;
    browser.find(&format!("#role-{}", ids[1])).await?;
    browser.find(&format!("#role-{}", ids[0])).await?.select_by_value("lead-hmi").await?;
    browser.find(&format!("#role-{}", ids[1])).await?.select_by_value("ofsted-inspector").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=assign-team]").await?.click().await?;
    assert_problem(
        &browser,
        "[data-testid=team-form]",
        "[data-rule='team.composition']",
        "team-choices",
        "lead HMI",
    )
    .await?;
    let error = browser.find("[data-testid=team-form] [data-testid=error]").await?.text().await?;
    assert!(!error.contains("team.composition"), "rule ids are not for people: {error}");
    browser.assert_accessible().await?;

    // With a CQC and a social care inspector the team is accepted.
    browser.find(&format!("#role-{}", ids[2])).await?.select_by_value("cqc-inspector").await?;
    browser.find(&format!("#role-{}", ids[3])).await?.select_by_value("social-care-inspector").await?;
    browser.find("[data-testid=assign-team]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The team is assigned.").await?;
    browser.wait_for_text("[data-testid=task-team]", "Completed").await?;
    let team = browser.words("[data-testid=team]").await?;
    for member in ["Hana Lead Lead HMI", "Omar Ofsted Ofsted inspector", "Cara Quality CQC inspector"] {
        assert!(team.contains(member), "{member:?} not in {team}");
    }
    assert!(team.contains("Sam Social Social care inspector"), "{team}");
    assert!(browser.client.find(Locator::Css("[data-testid=error]")).await.is_err());
    assert!(browser.client.find(Locator::Css("[data-testid=warnings]")).await.is_err());
    browser.assert_accessible().await?;

    // Camden is notified, after a check that says what follows; its start page shows the dates
    // and notice, never the team.
    browser.find("[data-testid=task-notice] a").await?.click().await?;
    browser.wait_for_text("h1", "Check before you notify Camden").await?;
    let check = browser.words("[data-testid=notify-form]").await?;
    assert!(check.contains("4 January 2027") && check.contains("never the team"), "{check}");
    browser.assert_accessible().await?;
    browser.find("[data-testid=notify]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The local area has been notified.").await?;
    browser.wait_for_text("[data-testid=engagement-summary] [data-testid=state]", "Notified").await?;
    browser.wait_for_text("[data-testid=task-notice]", "Completed").await?;
    // Once notified, a new team or new dates need a reason.
    browser.find("[data-testid=task-team] a").await?.click().await?;
    browser.find("#team-reason").await?;
    browser.client.back().await?;
    browser.find("[data-testid=task-dates] a").await?.click().await?;
    browser.find("#reschedule-reason").await?;
    browser.assert_accessible().await?;
    browser.sign_out().await?;

    sign_in_as(&browser, &app, Persona::Camden).await?;
    let confirmed = browser.wait_for_text("[data-testid=engagements]", "Full inspection").await?;
    assert!(
        confirmed.contains("18 to 20 January 2027")
            && confirmed.contains("4 January 2027")
            && confirmed.contains("Notified"),
        "{confirmed}"
    );
    let page = browser.find("main").await?.text().await?;
    for hidden in ["Hana Lead", "Omar Ofsted", "Cara Quality", "Sam Social", "Winter full inspection"] {
        assert!(!page.contains(hidden), "{hidden:?} shown to the local area: {page}");
    }
    browser.assert_accessible().await?;
    assert_no_access(&browser, &app, "/board", "Schedule an engagement").await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_national_planner_filters_the_national_board_and_exports_the_programme_as_csv() -> anyhow::Result<()>
{
    let app = spawn_app().await?;
    set_programme_clock(&app)?;
    let mut planner = programme_client(&app, Persona::Planner).await?;
    for (area, completed, outcome) in [
        ("E09000007", "2023-06-01", pb::Outcome::Inconsistent),
        ("E06000001", "2025-03-03", pb::Outcome::SystemicFailings),
        ("E10000015", "2024-01-10", pb::Outcome::Positive),
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
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000033".into(),
            kind: pb::EngagementKind::EngagementMeeting.into(),
            onsite: Some(pb::DateRange { first_day: "2027-03-03".into(), last_day: "2027-03-03".into() }),
            note: String::new(),
        })
        .await?;
    let browser = Browser::start().await?;
    sign_in_as(&browser, &app, Persona::Planner).await?;
    assert_eq!(menu(&browser).await?, PLANNER_MENU);

    browser.client.find(Locator::LinkText("National board")).await?.click().await?;
    browser.wait_for_text("[data-testid=national-areas] caption", "153 local areas").await?;
    assert_eq!(browser.path().await?, "/national");
    assert_eq!(browser.client.title().await?, "National board - SEND Planner");
    assert_eq!(rows(&browser, "[data-testid=national-areas]").await?, 153);
    // Ten regions and a row adding them up.
    assert_eq!(rows(&browser, "[data-testid=region-summary]").await?, 11);
    let inner = browser.words("[data-testid=region-summary] tr[data-region=E13000001]").await?;
    // Overdue, due this term, scheduled, done, interim visits: Camden is overdue (due June 2026)
    // and Westminster has an engagement meeting.
    assert!(inner.starts_with("Inner London 1 "), "{inner}");
    let camden = browser.words("[data-testid=national-areas] tr[data-area=E09000007]").await?;
    assert!(
        camden.contains("Inconsistent experiences and outcomes")
            && camden.contains("1 June 2023")
            && camden.contains("Overdue"),
        "{camden}"
    );
    let outcomes = browser.words("[data-testid=coverage-outcome]").await?;
    assert!(
        outcomes.contains("Did well at the last inspection") && outcomes.contains("0 of 1 area (0%)"),
        "{outcomes}"
    );
    browser.find("[data-testid=coverage-kind] tr[data-group=county]").await?;
    browser.assert_accessible().await?;

    // Counties only: 21 areas, asked of the server again.
    browser.find("#filter-kind").await?.select_by_value("county").await?;
    browser.find("[data-testid=apply-filters]").await?.click().await?;
    browser.wait_for_text("[data-testid=national-areas] caption", "21 local areas").await?;
    assert_eq!(rows(&browser, "[data-testid=national-areas]").await?, 21);
    let kinds = browser.words("[data-testid=coverage-kind] tbody").await?;
    assert!(kinds.starts_with("County 21 0 0%"), "{kinds}");
    assert!(
        browser
            .client
            .find(Locator::Css("[data-testid=region-summary] tr[data-region=E13000001]"))
            .await
            .is_err()
    );
    browser.assert_accessible().await?;
    browser.find("#filter-kind").await?.select_by_value("").await?;
    browser.find("#filter-outcome").await?.select_by_value("inconsistent").await?;
    browser.find("[data-testid=apply-filters]").await?.click().await?;
    // Camden is not a county: its row means the new answer is shown.
    browser.find("[data-testid=national-areas] tr[data-area=E09000007]").await?;
    assert_eq!(browser.words("[data-testid=national-areas] caption").await?, "1 local area");
    assert_eq!(rows(&browser, "[data-testid=national-areas]").await?, 1);

    // The CSV: caught in the page rather than saved to disk.
    browser
        .client
        .execute(
            "window.__downloads = [];
             const create = URL.createObjectURL.bind(URL);
             URL.createObjectURL = blob => {
                 const url = create(blob);
                 window.__downloads.push({ blob, url });
                 return url;
             };
             HTMLAnchorElement.prototype.click = function () {
                 for (const d of window.__downloads) if (d.url === this.href) d.name = this.download;
             };",
            vec![],
        )
        .await?;
    browser.find("[data-testid=export]").await?.click().await?;
    let download = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const wait = () => {
                 const d = window.__downloads.find(d => d.name);
                 if (!d) return setTimeout(wait, 50);
                 d.blob.text().then(text => done({ name: d.name, type: d.blob.type, text }));
             };
             wait();",
            vec![],
        )
        .await?;
    assert_eq!(download["name"], "send-planner-national-programme.csv");
    assert!(download["type"].as_str().unwrap_or_default().starts_with("text/csv"), "{download}");
    let csv = download["text"].as_str().unwrap_or_default();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 154, "a header and 153 areas");
    assert!(lines[0].starts_with("region,local_area,ons_code"), "{}", lines[0]);
    assert!(csv.contains("E09000007"), "{csv}");
    assert!(browser.client.find(Locator::Css("[data-testid=error]")).await.is_err());

    // The regional board for a planner: all of England, or one region.
    browser.client.find(Locator::LinkText("Programme")).await?.click().await?;
    browser.wait_for_text("[data-testid=board-title]", "Programme: England").await?;
    browser.wait_for_text("[data-testid=engagements]", "Westminster, Inner London").await?;
    browser.find("#board-region option[value=E12000001]").await?;
    browser.find("#board-region").await?.select_by_value("E12000001").await?;
    browser.wait_for_text("[data-testid=board-title]", "Programme: North East").await?;
    browser.find("[data-testid=no-engagements]").await?;
    browser.assert_accessible().await?;
    browser.find("#board-region").await?.select_by_value("E13000001").await?;
    browser.wait_for_text("[data-testid=engagements]", "Westminster").await?;
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

/// An interim visit to Camden on consent (over gRPC, to keep the test fast), with a team in which
/// the test inspector account (Persona::OfstedInspector) is the Ofsted inspector and so writes
/// the letter. Sets the clock first. Returns the engagement id.
async fn interim_visit(app: &TestApp) -> anyhow::Result<String> {
    set_programme_clock(app)?;
    let (inspector_account, _) = app.persona(Persona::OfstedInspector).await?;
    let mut consent = consent_client(app, Persona::InnerLondonLead).await?;
    let request = consent
        .create_visit_request(visit_request("E09000007", "2027-01-15"))
        .await?
        .into_inner()
        .request
        .context("request")?;
    consent_client(app, Persona::Camden)
        .await?
        .answer_visit_request(consent_answer(&request.id, request.version))
        .await?;
    let mut programme = programme_client(app, Persona::InnerLondonLead).await?;
    let mut ids = Vec::new();
    for (name, inspectorate, social_care, person) in [
        ("Hana Inspector", pb::Inspectorate::Ofsted, false, inspector_account.id.clone()),
        ("Sol Care", pb::Inspectorate::Ofsted, true, String::new()),
        ("Cai Quality", pb::Inspectorate::Cqc, false, String::new()),
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
    let engagement = programme
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000007".into(),
            kind: pb::EngagementKind::InterimVisit.into(),
            onsite: Some(pb::DateRange { first_day: "2027-04-20".into(), last_day: "2027-04-21".into() }),
            note: String::new(),
        })
        .await?
        .into_inner()
        .engagement
        .context("engagement")?;
    let member = |id: &str, role: pb::TeamRole| pb::TeamMember {
        inspector_id: id.into(),
        name: String::new(),
        role: role.into(),
    };
    programme
        .assign_team(pb::AssignTeamRequest {
            id: engagement.id.clone(),
            version: engagement.version,
            members: vec![
                member(&ids[0], pb::TeamRole::OfstedInspector),
                member(&ids[1], pb::TeamRole::SocialCareInspector),
                member(&ids[2], pb::TeamRole::CqcInspector),
            ],
            reason: String::new(),
        })
        .await?;
    Ok(engagement.id)
}

/// An interim-visit letter whose last line says "recommend": the judgement-wording check finds
/// it at line 9, column 4.
const LETTER_WITH_JUDGEMENT: &str = "Context\nWe visited Camden on 20 and 21 April 2027.\n\nWhat we found\n\
    Leaders described how support continued during the pandemic.\n\nNext steps\n\
    We will share learning in our national report.\nWe recommend that leaders publish their plan.";

#[tokio::test]
async fn an_inspector_drafts_a_letter_a_planner_approves_and_issues_it_and_recipients_read_and_publish_it()
-> anyhow::Result<()> {
    let app = spawn_app().await?;
    let engagement = interim_visit(&app).await?;
    // Seeded now, so "who can see" lists them once the letter is issued.
    app.persona(Persona::Dfe).await?;
    app.persona(Persona::Westminster).await?;
    let browser = Browser::start().await?;

    // The inspector opens the visit and starts the letter, prefilled with its sections.
    sign_in_as(&browser, &app, Persona::OfstedInspector).await?;
    assert_eq!(browser.path().await?, "/my-visits");
    assert_eq!(menu(&browser).await?, ["My visits", "My availability", "Letters"]);
    assert_eq!(browser.client.title().await?, "Your visits - SEND Planner");
    // Their visits are listed; the interim visit to Camden is opened from the list.
    browser.wait_for_text("[data-testid=my-visits]", "Camden").await?;
    browser.assert_accessible().await?;
    browser
        .client
        .find(fantoccini::Locator::XPath(
            "//button[normalize-space()='Open the letters of the Interim visit to Camden']",
        ))
        .await?
        .click()
        .await?;
    browser.wait_for_text("[data-testid=visit-reference]", "Interim visit to Camden").await?;
    browser.wait_for_text("[data-testid=engagement-letters]", "No letter has been started yet.").await?;
    let body = browser.find("#letter-body").await?;
    let template = body.prop("value").await?.unwrap_or_default();
    assert!(
        template.contains("Context") && template.contains("What we found") && template.contains("Next steps"),
        "{template}"
    );
    browser.assert_accessible().await?;
    browser.find("#letter-title").await?.send_keys("Interim visit to Camden").await?;
    body.clear().await?;
    body.send_keys(LETTER_WITH_JUDGEMENT).await?;
    browser.find("[data-testid=start-letter]").await?.click().await?;
    browser.wait_for_text("[data-testid=letter-title]", "Interim visit to Camden").await?;
    let letter_path = browser.path().await?;
    let id = letter_path.strip_prefix("/letters/").unwrap_or_default().to_owned();
    assert!(send_planner::domain::public_id::parse_public_id(&id).is_some(), "{letter_path}");
    assert_eq!(browser.client.title().await?, "Interim visit to Camden - SEND Planner");
    browser.wait_for_text("[data-testid=letter-state]", "Draft").await?;
    let shown = browser.find("[data-testid=letter-body]").await?;
    assert_eq!(shown.find(Locator::Css("h2")).await?.text().await?, "Context");
    let distribution = browser.words("[data-testid=distribution]").await?;
    assert!(
        distribution.contains("Department for Education (DfE) Has access")
            && distribution.contains("NHS England Has access"),
        "{distribution}"
    );
    // The checks find the judgement wording, with its line and column.
    browser.find("[data-testid=check-letter]").await?.click().await?;
    let finding = browser
        .wait_for_text("[data-testid=findings] [data-rule='letter.judgement_wording']", "line 9, column 4")
        .await?;
    assert!(!finding.contains("letter.judgement_wording"), "rule ids are not for people: {finding}");
    browser.assert_accessible().await?;
    browser.find("[data-testid=submit-letter]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The letter is submitted for approval.").await?;
    browser.wait_for_text("[data-testid=letter-state]", "Submitted").await?;
    assert!(browser.client.find(Locator::Css("[data-testid=edit-form]")).await.is_err());
    browser.sign_out().await?;
    // Letters are approved after the visit's last onsite day (21 April 2027).
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2027-04-22T09:00:00Z")?.to_utc());

    // The planner's approval is refused by the check; with a reason to let it stand it passes.
    sign_in_as(&browser, &app, Persona::Planner).await?;
    assert_eq!(menu(&browser).await?, PLANNER_MENU);
    browser.client.goto(&format!("{}/engagements/{engagement}", app.url())).await?;
    browser.wait_for_text("[data-testid=task-letter]", "In progress").await?;
    browser.find("[data-testid=task-letter] a").await?.click().await?;
    browser.wait_for_text("[data-testid=engagement-letters]", "Interim visit to Camden").await?;
    browser.assert_accessible().await?;
    browser.client.find(Locator::LinkText("Interim visit to Camden")).await?.click().await?;
    browser.wait_for_text("[data-testid=letter-state]", "Submitted").await?;
    browser.find("[data-testid=approve-link]").await?.click().await?;
    browser.wait_for_text("h1", "Approve the letter").await?;
    browser.find("[data-testid=approve]").await?.click().await?;
    let rule = "[data-rule='letter.judgement_wording']";
    assert_problem(&browser, "[data-testid=approve-form]", rule, "override-0", "line 9, column 4").await?;
    browser
        .find("#override-0")
        .await?
        .send_keys("Quoting the area's own plan, not our recommendation")
        .await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=approve]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The letter is approved.").await?;
    browser.wait_for_text("[data-testid=letter-state]", "Approved").await?;
    browser.find("[data-testid=distribution-link]").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=issue-link]").await?.click().await?;
    browser.wait_for_text("h1", "Issue the letter").await?;
    browser.find("[data-testid=issue]").await?.click().await?;
    // Checked first: who receives it, and that an issued letter is never withdrawn.
    browser.wait_for_text("h1", "Check before you issue the letter").await?;
    let check = browser.words("[data-testid=issue-check]").await?;
    assert!(check.contains("Department for Education") && check.contains("never withdrawn"), "{check}");
    browser.assert_accessible().await?;
    browser.find("[data-testid=confirm-issue]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The letter is issued.").await?;
    browser.wait_for_text("[data-testid=letter-state]", "Issued").await?;
    let who = browser.wait_for_text("[data-testid=who-can-see]", "reader.dfe").await?;
    assert!(who.contains("user.camden") && !who.contains("user.westminster"), "{who}");
    // The planner's own reading is on record too.
    browser.wait_for_text("[data-testid=letter-views]", "Opened").await?;
    browser.find("[data-testid=correct-link]").await?;
    browser.assert_accessible().await?;

    // The national report names no local area.
    browser.client.find(Locator::LinkText("National report")).await?.click().await?;
    browser.wait_for_text("h1", "National report").await?;
    assert_eq!(browser.client.title().await?, "National report - SEND Planner");
    browser.find("[data-testid=produce-report]").await?.click().await?;
    let report =
        browser.wait_for_text("[data-testid=national-report]", "a London borough in Inner London").await?;
    assert!(!report.contains("Camden"), "{report}");
    browser.find("[data-testid=download-report]").await?;
    browser.assert_accessible().await?;
    browser.sign_out().await?;

    // DfE: unread in its letters, then read.
    sign_in_as(&browser, &app, Persona::Dfe).await?;
    assert_eq!(browser.path().await?, "/letters");
    assert_eq!(browser.client.title().await?, "Letters - SEND Planner");
    let row = browser.wait_for_text(&format!("[data-testid=letters] [data-letter='{id}']"), "Unread").await?;
    assert!(row.contains("Interim visit to Camden") && row.contains("Camden, Inner London"), "{row}");
    browser.assert_accessible().await?;
    browser.client.find(Locator::LinkText("Interim visit to Camden")).await?.click().await?;
    browser.wait_for_text("[data-testid=letter-body]", "Leaders described how support continued").await?;
    browser.find("[data-testid=download-pdf]").await?;
    assert!(browser.client.find(Locator::Css("[data-testid=approve-form]")).await.is_err());
    browser.assert_accessible().await?;
    browser.client.find(Locator::LinkText("Letters")).await?.click().await?;
    let state =
        browser.wait_for_text(&format!("[data-letter='{id}'] [data-testid=read-state]"), "Read").await?;
    assert_eq!(state, "Read");
    browser.sign_out().await?;

    // Westminster: neither listed nor found at its address.
    sign_in_as(&browser, &app, Persona::Westminster).await?;
    browser.client.goto(&format!("{}/letters", app.url())).await?;
    browser.find("[data-testid=no-letters]").await?;
    browser.client.goto(&format!("{}/letters/{id}", app.url())).await?;
    browser.wait_for_text("[data-testid=not-found]", "Page not found").await?;
    assert!(!browser.find("main").await?.text().await?.contains("Camden"));
    browser.client.goto(&format!("{}/letters/999999", app.url())).await?;
    browser.wait_for_text("[data-testid=not-found]", "Page not found").await?;
    browser.assert_accessible().await?;
    browser.sign_out().await?;

    // Camden publishes it.
    sign_in_as(&browser, &app, Persona::Camden).await?;
    assert_eq!(menu(&browser).await?, LOCAL_AREA_MENU);
    browser.client.find(Locator::LinkText("Letters")).await?.click().await?;
    browser.wait_for_text(&format!("[data-letter='{id}']"), "Unread").await?;
    browser.client.find(Locator::LinkText("Interim visit to Camden")).await?.click().await?;
    browser.wait_for_text("[data-testid=publication]", "Not published").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=publish]").await?.click().await?;
    browser.wait_for_text("h1", "Check before you publish the letter").await?;
    let check = browser.words("[data-testid=publish-check]").await?;
    assert!(check.contains("without signing in"), "{check}");
    browser.assert_accessible().await?;
    browser.find("[data-testid=confirm-publish]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The letter is published.").await?;
    browser.wait_for_text("[data-testid=publication]", "Published by the local area").await?;
    browser.find("[data-testid=unpublish]").await?;
    browser.sign_out().await?;

    // Signed out, the public page shows it in full.
    browser.client.find(Locator::LinkText("Published letters and reports")).await?.click().await?;
    let published =
        browser.wait_for_text("[data-testid=published-letter]", "Interim visit to Camden").await?;
    assert!(published.contains("Leaders described how support continued"), "{published}");
    assert!(!published.contains("NHS England"), "no distribution list: {published}");
    assert_eq!(browser.path().await?, "/published");
    assert_eq!(browser.client.title().await?, "Published letters and reports - SEND Planner");
    assert!(browser.client.find(Locator::Css("[data-testid=identity]")).await.is_err());
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn suspicious_access_shows_planners_a_lead_probing_another_regions_request() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let hidden = create_request(&app, Persona::InnerLondonLead, "E09000007").await?;
    // The North East's lead asks five times for Camden's request: each answered as missing.
    let mut outsider = consent_client(&app, Persona::NorthEastLead).await?;
    for _ in 0..5 {
        let refused = outsider
            .get_visit_request(pb::GetVisitRequestRequest { id: hidden.id.clone() })
            .await
            .expect_err("hidden from another region's lead");
        assert_eq!(refused.code(), tonic::Code::NotFound);
    }
    // Misses are counted off the request's path: wait until the server lists them.
    let (_, token) = app.persona(Persona::Planner).await?;
    let mut audit = AuditServiceClient::new(app.authed(&token).await?);
    let mut listed = false;
    for _ in 0..100 {
        let callers =
            audit.list_suspicious_access(pb::ListSuspiciousAccessRequest {}).await?.into_inner().callers;
        if callers.iter().any(|c| c.username == Persona::NorthEastLead.username() && c.misses >= 5) {
            listed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(listed, "the lead's misses were never counted");

    let browser = Browser::start().await?;
    sign_in_as(&browser, &app, Persona::Planner).await?;
    browser.client.find(Locator::LinkText("Suspicious access")).await?.click().await?;
    browser.wait_for_text("h1", "Suspicious access").await?;
    assert_eq!(browser.path().await?, "/suspicious-access");
    assert_eq!(browser.client.title().await?, "Suspicious access - SEND Planner");
    let intro = browser.words("main p.govuk-body").await?;
    assert!(intro.contains("last 24 hours"), "{intro}");
    browser.wait_for_text("[data-testid=suspicious-callers]", &display_name(Persona::NorthEastLead)).await?;
    let row = browser.words("[data-testid=suspicious-caller]").await?;
    assert!(
        row.contains("Regional lead")
            && row.contains(" 5 ")
            && row.contains("visit requests (5)")
            && row.contains("23 November 2026 at 09:00"),
        "{row}"
    );
    // Never the record's id, nor a role's code.
    assert!(!row.contains(&hidden.id) && !row.contains("REGIONAL_LEAD"), "{row}");
    browser.assert_accessible().await?;

    // Reflows at 320 CSS pixels: nothing scrolls sideways.
    browser.assert_reflows(320).await?;
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

/// Clicks the label of the checkbox `id` (the GOV.UK checkbox input itself is drawn over it).
async fn tick(browser: &Browser, id: &str) -> anyhow::Result<()> {
    browser.find(&format!("label[for={id}]")).await?.click().await?;
    Ok(())
}

#[tokio::test]
async fn an_area_uploads_its_case_study_sample_and_the_team_picks_a_valid_set_and_both_agree()
-> anyhow::Result<()> {
    let app = spawn_app().await?;
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")?.to_utc());
    app.notified_interim_visit_with_team().await?;
    let browser = Browser::start().await?;
    let folder = tempfile::tempdir()?;
    let bad = folder.path().join("sample-with-a-bad-row.csv");
    std::fs::write(
        &bad,
        "reference,age_band,primary_needs,support,alternative_provision,multi_agency,school_phase\n\
         CYP-001,5-10,CI,SEN Support,no,yes,primary\n\
         CYP-002,5-10,XX,SEN Support,no,yes,primary\n",
    )?;
    let good = folder.path().join("sample.csv");
    std::fs::write(&good, crate::case_studies::GOOD_CSV)?;

    // The area opens the visit's case studies from its start page and uploads a file with a
    // bad row: nothing is stored and the row's problem is shown by line and column.
    sign_in_as(&browser, &app, Persona::Camden).await?;
    browser.find("[data-testid=case-studies-link]").await?.click().await?;
    browser.wait_for_text("[data-testid=case-studies-title]", "Case studies: Camden").await?;
    browser.wait_for_text("[data-testid=template-header]", "reference,age_band,primary_needs").await?;
    browser.wait_for_text("[data-testid=no-list]", "has not supplied a sample list").await?;
    browser.find("#case-study-file").await?.send_keys(&bad.display().to_string()).await?;
    browser.find("[data-testid=upload]").await?.click().await?;
    let error = browser.wait_for_text("[data-testid=error]", "Line 3, column 3 (primary needs)").await?;
    assert!(error.contains("XX is not an area of need"), "{error}");
    assert!(!error.contains("file:"), "no codes shown: {error}");
    browser.find("[data-testid=error] a[href='#case-study-file']").await?;
    browser.wait_for_text("#case-study-file-error", "XX is not an area of need").await?;
    assert!(browser.client.title().await?.starts_with("Error: "));
    browser.assert_accessible().await?;
    browser.find("#case-study-file").await?.send_keys(&good.display().to_string()).await?;
    browser.find("[data-testid=upload]").await?.click().await?;
    browser.wait_for_text("[data-testid=entries]", "CYP-008").await?;
    browser.sign_out().await?;

    // The team picks two children: the rules say what is missing, and saving is refused.
    sign_in_as(&browser, &app, Persona::OfstedInspector).await?;
    browser.find("[data-testid=case-studies-link]").await?.click().await?;
    browser.wait_for_text("[data-testid=case-studies-title]", "Case studies: Camden").await?;
    tick(&browser, "pick-2").await?;
    tick(&browser, "pick-3").await?;
    browser.wait_for_text("[data-testid=pick-rules]", "pick 2 more children").await?;
    browser.find("[data-testid=save-pick]").await?.click().await?;
    let refused = browser.wait_for_text("[data-testid=error]", "At least 2 must be on SEN Support").await?;
    assert!(!refused.contains("case_study."), "no rule ids shown: {refused}");
    browser.assert_accessible().await?;
    // Then a valid set: every rule met, saved, and agreed by the team.
    tick(&browser, "pick-3").await?;
    tick(&browser, "pick-0").await?;
    tick(&browser, "pick-1").await?;
    tick(&browser, "pick-4").await?;
    browser.wait_for_text("[data-testid=pick-rules]", "4 children picked").await?;
    browser.find("[data-testid=save-pick]").await?.click().await?;
    browser.find("[data-testid=agree]").await?.click().await?;
    browser.wait_for_text("[data-testid=agreement]", "Agreed by").await?;
    browser.assert_accessible().await?;
    browser.assert_reflows(320).await?;
    browser.sign_out().await?;

    // The area agrees too: the sample is frozen.
    sign_in_as(&browser, &app, Persona::Camden).await?;
    browser.find("[data-testid=case-studies-link]").await?.click().await?;
    browser.find("[data-testid=agree]").await?.click().await?;
    browser.wait_for_text("[data-testid=frozen]", "Both sides have agreed").await?;
    browser.wait_for_text("[data-testid=history]", "Version 1").await?;
    browser.assert_accessible().await?;
    browser.assert_reflows(320).await?;
    browser.close().await?;
    app.stop().await
}
