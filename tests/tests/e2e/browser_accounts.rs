//! Headless Chromium: the account lifecycle as people click it (issue #12, items 1 and 3). The
//! first administrator opens the setup link the server logged and makes their account; an
//! administrator changes a person's role, resets their password and disables and enables their
//! account; the person signs in with the temporary password and is taken to change it first.

use integration_tests::{Browser, Persona, TestApp, spawn_app, visit_request};
use proto::pb::{self, CreatePersonRequest, Role, consent_service_client::ConsentServiceClient};

const PASSWORD: &str = "correct horse battery";

async fn sign_in(browser: &Browser, app: &TestApp, username: &str, password: &str) -> anyhow::Result<()> {
    browser.client.goto(&format!("{}/sign-in", app.url())).await?;
    browser.find("#username").await?.send_keys(username).await?;
    browser.find("#password").await?.send_keys(password).await?;
    browser.find("[data-testid=sign-in]").await?.click().await?;
    Ok(())
}

/// The temporary password a banner shows: four groups of four letters or digits.
fn temporary_in(text: &str) -> Option<String> {
    text.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric())).find_map(|w| {
        let groups: Vec<&str> = w.split('-').collect();
        (groups.len() == 4
            && groups.iter().all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_alphanumeric())))
        .then(|| w.to_owned())
    })
}

#[tokio::test]
async fn the_first_administrator_sets_up_the_service_from_the_logged_link() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let link = app.setup_link.clone().ok_or_else(|| anyhow::anyhow!("no setup link"))?;
    let browser = Browser::start().await?;

    // Without its token the page says what to do.
    browser.client.goto(&format!("{}/setup", app.url())).await?;
    browser.wait_for_text("[data-testid=setup-no-token]", "not complete").await?;
    browser.assert_accessible().await?;

    browser.client.goto(&link).await?;
    browser.wait_for_text("h1", "Set up SEND Planner").await?;
    assert_eq!(browser.client.title().await?, "Set up SEND Planner - SEND Planner");
    browser.assert_accessible().await?;
    browser.find("#username").await?.send_keys("ada").await?;
    browser.find("#display-name").await?.send_keys("Ada Administrator").await?;
    browser.find("#password").await?.send_keys("password1234").await?;
    browser.find("[data-testid=create-administrator]").await?.click().await?;
    let problem = browser.wait_for_text("[data-testid=error] [data-field=password]", "commonly used").await?;
    assert!(browser.find("#password-error").await?.text().await?.contains(&problem));
    browser.assert_accessible().await?;

    let password = browser.find("#password").await?;
    password.clear().await?;
    password.send_keys("the first administrator's phrase").await?;
    browser.find("[data-testid=create-administrator]").await?.click().await?;
    browser.wait_for_text("[data-testid=setup-done]", "SEND Planner is set up").await?;
    browser.wait_for_text("[data-testid=identity]", "Ada Administrator").await?;
    browser.assert_accessible().await?;

    // On to invite the others: the accounts page, with a new account made there.
    browser.find("[data-testid=to-accounts]").await?.click().await?;
    browser.wait_for_text("[data-testid=people]", "ada").await?;
    browser.find("#new-username").await?.send_keys("nadia").await?;
    browser.find("#new-display-name").await?.send_keys("Nadia Planner").await?;
    browser.find("#new-password").await?.send_keys(PASSWORD).await?;
    browser.find("label[for=role-national-planner]").await?.click().await?;
    browser.find("[data-testid=create]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Account created for Nadia Planner (nadia)").await?;

    // The link works once.
    browser.sign_out().await?;
    browser.client.goto(&link).await?;
    browser.find("#username").await?.send_keys("eve").await?;
    browser.find("#display-name").await?.send_keys("Eve").await?;
    browser.find("#password").await?.send_keys("another long phrase here").await?;
    browser.find("[data-testid=create-administrator]").await?.click().await?;
    browser.wait_for_text("[data-testid=error]", "expired or has already been used").await?;
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn an_administrator_changes_a_role_resets_a_password_and_disables_an_account() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let account = |username: &str, name: &str, role: Role, region: &str| CreatePersonRequest {
        username: username.into(),
        display_name: name.into(),
        password: PASSWORD.into(),
        role: role.into(),
        region_code: region.into(),
        ..Default::default()
    };
    app.seed_person(account("ada", "Ada Admin", Role::Administrator, "")).await?;
    app.seed_person(account("rhea", "Rhea Lead", Role::RegionalLead, "E13000001")).await?;
    let browser = Browser::start().await?;
    sign_in(&browser, &app, "ada", PASSWORD).await?;
    browser.wait_for_text("[data-username=rhea]", "Active").await?;
    browser.find("[data-username=rhea] a").await?.click().await?;
    browser.wait_for_text("h1", "Rhea Lead").await?;
    let summary = browser.words("[data-testid=account-summary]").await?;
    assert!(summary.contains("Regional lead") && summary.contains("Inner London"), "{summary}");
    assert_eq!(browser.client.title().await?, "Account of Rhea Lead - SEND Planner");
    browser.assert_accessible().await?;

    // Change the role: a question page of its own, back to the account after.
    browser.find("[data-testid=change-role]").await?.click().await?;
    browser.wait_for_text("h1", "Change the role").await?;
    browser.find("#region-code option[value=E12000001]").await?;
    browser.assert_accessible().await?;
    browser.find("#region-code").await?.select_by_value("E12000001").await?;
    browser.find("[data-testid=save-role]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The role of Rhea Lead is now Regional lead").await?;
    browser.wait_for_text("[data-testid=account-summary]", "North East").await?;
    assert!(browser.path().await?.starts_with("/accounts/"));

    // The email address: a question of its own; the person stays signed in.
    browser.find("[data-testid=change-email]").await?.click().await?;
    browser.wait_for_text("h1", "What is their email address?").await?;
    browser.assert_accessible().await?;
    browser.find("#email").await?.send_keys("rhea.lead@example.gov.uk").await?;
    browser.find("[data-testid=save-email]").await?.click().await?;
    browser
        .wait_for_text("[data-testid=banner]", "Emails to Rhea Lead now go to rhea.lead@example.gov.uk")
        .await?;
    browser.wait_for_text("[data-testid=account-email]", "rhea.lead@example.gov.uk").await?;

    // Reset the password: shown once.
    browser.find("[data-testid=reset]").await?.click().await?;
    let banner = browser.wait_for_text("[data-testid=banner]", "temporary password").await?;
    let temporary = temporary_in(&banner).ok_or_else(|| anyhow::anyhow!("no password in {banner:?}"))?;
    browser.wait_for_text("[data-testid=account-status]", "temporary password").await?;
    browser.assert_accessible().await?;

    // Disable, then enable again.
    browser.find("[data-testid=toggle-disabled]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The account of Rhea Lead is disabled").await?;
    browser.wait_for_text("[data-testid=account-status]", "Disabled").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=toggle-disabled]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "enabled again").await?;
    browser.sign_out().await?;

    // Rhea signs in with the temporary password and must change it before anything else.
    sign_in(&browser, &app, "rhea", &temporary).await?;
    browser.wait_for_text("[data-testid=password-due]", "reset by an administrator").await?;
    assert_eq!(browser.path().await?, "/account/password");
    browser.client.goto(&format!("{}/board", app.url())).await?;
    browser.wait_for_text("[data-testid=password-due]", "Choose a new password").await?;
    assert_eq!(browser.path().await?, "/account/password");
    browser.assert_accessible().await?;
    browser.find("#current-password").await?.send_keys(&temporary).await?;
    browser.find("#new-password").await?.send_keys("a private phrase of her own").await?;
    browser.find("[data-testid=save-password]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Your password has been changed").await?;
    browser.find("[data-testid=to-start]").await?.click().await?;
    browser.wait_for_text("[data-testid=start-page]", "North East").await?;
    assert_eq!(browser.path().await?, "/regions/E12000001");

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn people_choose_their_emails_and_planners_see_the_emails_waiting() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let with_email =
        |persona: Persona, email: &str| pb::CreatePersonRequest { email: email.into(), ..persona.request() };
    app.seed_person(with_email(Persona::Camden, "camden@example.gov.uk")).await?;
    app.seed_person(with_email(Persona::Planner, "planner@example.gov.uk")).await?;
    app.seed_person(Persona::Admin.request()).await?;
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    ConsentServiceClient::new(app.authed(&lead).await?)
        .create_visit_request(visit_request("E09000007", "2027-01-15"))
        .await?;
    let browser = Browser::start().await?;
    let password = integration_tests::PASSWORD;

    // Camden's user turns off the email of new requests.
    sign_in(&browser, &app, Persona::Camden.username(), password).await?;
    browser.find("[data-testid=own-emails]").await?.click().await?;
    browser.wait_for_text("h1", "Your emails").await?;
    assert_eq!(browser.client.title().await?, "Your emails - SEND Planner");
    browser.assert_accessible().await?;
    browser.find("label[for=email-new-request]").await?.click().await?;
    browser.find("[data-testid=save-emails]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Your email choices have been saved").await?;
    browser.client.refresh().await?;
    browser.wait_for_text("h1", "Your emails").await?;
    assert!(!browser.find("#email-new-request").await?.is_selected().await?, "saved as off");
    assert!(browser.find("#email-reply-reminder").await?.is_selected().await?, "the others stay on");
    browser.sign_out().await?;

    // A national planner sees the emails waiting: Notify is not set up here.
    sign_in(&browser, &app, Persona::Planner.username(), password).await?;
    browser.find("[data-testid=identity]").await?;
    browser.client.goto(&format!("{}/notifications", app.url())).await?;
    browser.wait_for_text("[data-testid=notify-configured]", "not set up").await?;
    let table = browser.wait_for_text("[data-testid=outbox]", "A new request for an interim visit").await?;
    assert!(table.contains("camden@example.gov.uk") && table.contains("Waiting"), "{table}");
    browser.assert_accessible().await?;
    browser.sign_out().await?;

    // An administrator learns only whether Notify is set up.
    sign_in(&browser, &app, Persona::Admin.username(), password).await?;
    browser.find("[data-testid=identity]").await?;
    browser.client.goto(&format!("{}/notifications", app.url())).await?;
    browser.wait_for_text("[data-testid=messages-hidden]", "national planners only").await?;
    let main = browser.find("main").await?.text().await?;
    assert!(!main.contains("camden@example.gov.uk"), "{main}");
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}
