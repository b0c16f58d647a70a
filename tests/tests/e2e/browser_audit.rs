//! Headless Chromium: an inspector added in the browser linked to their own account, picked by
//! name, and who then sees their own visit and availability; an existing entry linked
//! afterwards; and the audit trail searched by a named person and a named local area, read as
//! sentences with UK dates and times.

use anyhow::Context as _;
use fantoccini::Locator;
use integration_tests::{Browser, Persona, TestApp, spawn_app, visit_request};
use proto::pb::{
    self, CreatePersonRequest, Person, Role, consent_service_client::ConsentServiceClient,
    programme_service_client::ProgrammeServiceClient,
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

/// A national planner and an Ofsted inspector's account, created directly in the store.
async fn seed(app: &TestApp) -> anyhow::Result<(Person, Person)> {
    let planner = app.seed_person(account("nadia", "Nadia Planner", Role::NationalPlanner)).await?;
    let ivy = app
        .seed_person(CreatePersonRequest {
            region_code: "E13000001".into(),
            inspectorate: pb::Inspectorate::Ofsted.into(),
            ..account("ivy", "Ivy Inspector", Role::Inspector)
        })
        .await?;
    Ok((planner, ivy))
}

/// Signs in through the form and waits for the header to name the person.
async fn sign_in(browser: &Browser, app: &TestApp, username: &str, display_name: &str) -> anyhow::Result<()> {
    browser.client.goto(&format!("{}/sign-in", app.url())).await?;
    browser.find("#username").await?.send_keys(username).await?;
    browser.find("#password").await?.send_keys(PASSWORD).await?;
    browser.find("[data-testid=sign-in]").await?.click().await?;
    browser.wait_for_text("[data-testid=identity]", display_name).await?;
    Ok(())
}

/// Chooses the option of the select `#id` whose value is `value`, once it has arrived; returns
/// the option's words.
async fn choose(browser: &Browser, id: &str, value: &str) -> anyhow::Result<String> {
    let words = browser.find(&format!("#{id} option[value='{value}']")).await?.text().await?;
    browser.find(&format!("#{id}")).await?.select_by_value(value).await?;
    Ok(words)
}

/// Opens the Inspectors page from the menu.
async fn open_inspectors(browser: &Browser) -> anyhow::Result<()> {
    browser.client.find(Locator::LinkText("Inspectors")).await?.click().await?;
    browser.wait_for_text("h1", "Inspectors").await?;
    browser.find("[data-testid=inspectors], [data-testid=no-inspectors]").await?;
    Ok(())
}

#[tokio::test]
async fn a_planner_adds_an_inspector_linked_to_their_account_and_the_inspector_sees_their_own_visit()
-> anyhow::Result<()> {
    let app = spawn_app().await?;
    let (_, ivy) = seed(&app).await?;
    let browser = Browser::start().await?;
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    open_inspectors(&browser).await?;
    browser.assert_accessible().await?;

    // The account is picked by name; not linking stays possible.
    browser.find("#inspector-name").await?.send_keys("Ivy Inspector").await?;
    browser.find("#inspectorate-ofsted").await?.click().await?;
    choose(&browser, "inspector-home-region", "E13000001").await?;
    let none = browser.find("#inspector-account option[value='']").await?.text().await?;
    assert_eq!(none, "Not linked to an account yet");
    assert_eq!(choose(&browser, "inspector-account", &ivy.id).await?, "Ivy Inspector (ivy)");
    browser.find("[data-testid=add-inspector]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Ivy Inspector is added to the inspectors.").await?;
    let table = browser.wait_for_text("[data-testid=inspectors]", "Ivy Inspector (ivy)").await?;
    assert!(table.contains("1 inspector") && !table.contains("Not linked"), "one row, linked: {table}");
    // Linked, so no longer offered.
    assert!(
        browser
            .client
            .find(Locator::Css(&format!("#inspector-account option[value='{}']", ivy.id)))
            .await
            .is_err()
    );
    browser.assert_accessible().await?;

    // A visit with Ivy on its team.
    let token = app.sign_in("nadia", PASSWORD).await?;
    let mut planner = ProgrammeServiceClient::new(app.authed(&token).await?);
    let entry = planner
        .list_inspectors(pb::ListInspectorsRequest {})
        .await?
        .into_inner()
        .inspectors
        .into_iter()
        .next()
        .context("inspector")?;
    let meeting = planner
        .schedule_engagement(pb::ScheduleEngagementRequest {
            local_area_code: "E09000007".into(),
            kind: pb::EngagementKind::EngagementMeeting.into(),
            onsite: Some(pb::DateRange { first_day: "2027-01-12".into(), last_day: "2027-01-12".into() }),
            note: String::new(),
        })
        .await?
        .into_inner()
        .engagement
        .context("engagement")?;
    planner
        .assign_team(pb::AssignTeamRequest {
            id: meeting.id.clone(),
            version: meeting.version,
            members: vec![pb::TeamMember {
                inspector_id: entry.id.clone(),
                name: String::new(),
                role: pb::TeamRole::OfstedInspector.into(),
            }],
            reason: String::new(),
        })
        .await?;

    // Ivy signs in and sees her visit and her own availability, as herself.
    browser.sign_out().await?;
    sign_in(&browser, &app, "ivy", "Ivy Inspector").await?;
    browser.wait_for_text("[data-testid=my-visits]", "Camden").await?;
    assert!(browser.client.find(Locator::Css("[data-testid=no-visits]")).await.is_err());
    browser.assert_accessible().await?;
    browser.client.find(Locator::LinkText("My availability")).await?.click().await?;
    browser.wait_for_text("h1", "My availability").await?;
    let mine = browser.wait_for_text("[data-testid=inspectors]", "Ivy Inspector").await?;
    assert!(mine.contains("1 inspector"), "{mine}");
    assert!(browser.client.find(Locator::Css("[data-testid=link-form]")).await.is_err());
    browser.assert_accessible().await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_planner_links_an_inspector_already_on_the_list_to_their_account() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let (_, ivy) = seed(&app).await?;
    let token = app.sign_in("nadia", PASSWORD).await?;
    let entry = ProgrammeServiceClient::new(app.authed(&token).await?)
        .create_inspector(pb::CreateInspectorRequest {
            name: "Ivy Inspector".into(),
            inspectorate: pb::Inspectorate::Ofsted.into(),
            social_care: false,
            home_region_code: "E13000001".into(),
            max_engagements_per_term: 4,
            person_id: String::new(),
        })
        .await?
        .into_inner()
        .inspector
        .context("inspector")?;
    let browser = Browser::start().await?;
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    open_inspectors(&browser).await?;
    let row = format!("[data-testid=inspectors] [data-inspector='{}']", entry.id);
    browser.wait_for_text(&row, "Not linked").await?;

    // The row's action chooses the entry in the link form; no account chosen yet: refused at
    // the account's field.
    let action = browser.find(&format!("{row} [data-testid=link-account]")).await?;
    let words = action.text().await?;
    assert!(words.starts_with("Link to an account") && words.ends_with("for Ivy Inspector"), "{words}");
    action.click().await?;
    let chosen = browser.find("#link-inspector").await?.prop("value").await?;
    assert_eq!(chosen.as_deref(), Some(entry.id.as_str()));
    browser.find("[data-testid=link-account-submit]").await?.click().await?;
    let summary = "[data-testid=link-form] [data-testid=error]";
    let problem = browser
        .wait_for_text(
            &format!("{summary} [data-field=person_id] a[href='#link-account']"),
            "Select the inspector's account from the list",
        )
        .await?;
    let inline = browser.find("#link-account-error").await?.text().await?;
    assert!(inline.contains(&problem), "{inline}");
    assert!(browser.client.title().await?.starts_with("Error: "));
    browser.assert_accessible().await?;

    // Picked by name and linked.
    assert_eq!(choose(&browser, "link-account", &ivy.id).await?, "Ivy Inspector (ivy)");
    browser.find("[data-testid=link-account-submit]").await?.click().await?;
    browser
        .wait_for_text(
            "[data-testid=banner]",
            "Ivy Inspector is linked to their account (Ivy Inspector (ivy)).",
        )
        .await?;
    let linked = browser.wait_for_text(&row, "Ivy Inspector (ivy)").await?;
    assert!(!linked.contains("Link to an account"), "{linked}");
    // Nothing is left to link: the form has gone.
    assert!(browser.client.find(Locator::Css("[data-testid=link-form]")).await.is_err());
    assert!(!browser.client.title().await?.starts_with("Error: "));
    browser.assert_accessible().await?;
    browser.screenshot("inspector-linked").await?;

    // Ivy now sees her own record.
    browser.sign_out().await?;
    sign_in(&browser, &app, "ivy", "Ivy Inspector").await?;
    browser.client.find(Locator::LinkText("My availability")).await?.click().await?;
    browser.wait_for_text("[data-testid=inspectors]", "Ivy Inspector").await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_planner_finds_what_a_named_person_did_and_what_happened_to_a_named_local_area()
-> anyhow::Result<()> {
    let app = spawn_app().await?;
    seed(&app).await?;
    // In November (GMT) the Inner London lead asks Camden and the planner asks Hartlepool; in
    // June (BST) the planner sets Camden's due date by hand.
    let (lead, lead_token) = app.persona(Persona::InnerLondonLead).await?;
    let reply_by = (app.clock.now().date_naive() + chrono::TimeDelta::days(30)).to_string();
    let request = ConsentServiceClient::new(app.authed(&lead_token).await?)
        .create_visit_request(visit_request("E09000007", &reply_by))
        .await?
        .into_inner()
        .request
        .context("request")?;
    let token = app.sign_in("nadia", PASSWORD).await?;
    ConsentServiceClient::new(app.authed(&token).await?)
        .create_visit_request(visit_request("E06000001", &reply_by))
        .await?;
    app.clock.set("2027-06-01T08:30:00Z".parse()?);
    let token = app.sign_in("nadia", PASSWORD).await?;
    ProgrammeServiceClient::new(app.authed(&token).await?)
        .override_due_date(pb::OverrideDueDateRequest {
            local_area_code: "E09000007".into(),
            due_by: "2029-01-01".into(),
            reason: "moved by the minister".into(),
        })
        .await?;

    let browser = Browser::start().await?;
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    browser.client.find(Locator::LinkText("Audit trail")).await?.click().await?;
    browser.wait_for_text("h1", "Audit trail").await?;
    browser.assert_accessible().await?;

    // What a person did, picked by name.
    assert_eq!(choose(&browser, "audit-person", &lead.id).await?, "Test lead.inner (lead.inner)");
    browser.find("[data-testid=show-events]").await?.click().await?;
    let events = browser
        .wait_for_text(
            "[data-testid=audit-events]",
            "Test lead.inner sent the visit request to Camden, 23 November 2026 at 09:00",
        )
        .await?;
    assert!(events.contains("Test lead.inner signed in, 23 November 2026 at 09:00"), "{events}");
    assert!(!events.contains("Nadia Planner"), "only the lead's events: {events}");
    let heading = browser.find("[data-testid=events-heading]").await?.text().await?;
    assert!(
        heading.contains("by Test lead.inner (lead.inner)") && heading.contains("most recent first"),
        "{heading}"
    );
    browser.assert_accessible().await?;

    // What happened to a local area, picked by name: anyone's events about Camden, newest first.
    choose(&browser, "audit-person", "").await?;
    choose(&browser, "region", "E13000001").await?;
    choose(&browser, "local-area", "E09000007").await?;
    browser.find("[data-testid=show-events]").await?.click().await?;
    browser.wait_for_text("[data-testid=events-heading]", "about Camden").await?;
    let mut sentences = Vec::new();
    for item in browser.client.find_all(Locator::Css("[data-testid=audit-sentence]")).await? {
        sentences.push(item.text().await?);
    }
    assert_eq!(
        sentences,
        [
            "Nadia Planner set by hand when Camden is next due an inspection, 1 June 2027 at 09:30",
            "Test lead.inner sent the visit request to Camden, 23 November 2026 at 09:00",
        ]
    );
    // People read names and sentences, never ids or codes; the chain stays a click away.
    let main = browser.find("main").await?.text().await?;
    for hidden in [request.id.as_str(), "E09000007", "visit_request", "due_date", "national_planner"] {
        assert!(!main.contains(hidden), "{hidden}: {main}");
    }
    assert!(!main.contains("Hartlepool"), "{main}");
    browser.find("[data-testid=audit-event] details summary").await?.click().await?;
    let chain = browser.wait_for_text("[data-testid=audit-event] details", "in the chain").await?;
    assert!(chain.contains("Its hash begins"), "{chain}");
    browser.assert_accessible().await?;
    browser.screenshot("audit-by-area").await?;

    browser.close().await?;
    app.stop().await
}
