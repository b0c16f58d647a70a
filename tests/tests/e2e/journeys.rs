//! Whole journeys in headless Chromium, from nothing but an administrator's account, clicking as
//! each person would: no API call, no id or code typed by hand.
//!
//! - An interim visit: the administrator makes the accounts, the planner the inspectors (each
//!   linked to their account, picked by name), the regional lead asks Camden, Camden consents
//!   one question at a time, the lead schedules the visit from the consent, assigns the team and
//!   notifies Camden; the team's writer drafts the letter, the planner approves and issues it, and
//!   Camden publishes it for anyone to read.
//! - A full inspection: scheduled, staffed and notified by the lead, its outcome recorded after
//!   the onsite week, its report written by the lead inspector, approved and issued by the planner
//!   with a publication time, and published on the public page at that time.
//!
//! Every page passes axe-core and reflows at 320 px (`Browser::assert_accessible`); key pages are
//! saved as screenshots under `target/screenshots/`.

use chrono::NaiveDate;
use fantoccini::Locator;
use integration_tests::{Browser, TestApp, signed_pdf, spawn_app};
use proto::pb::{CreatePersonRequest, Role};

/// The administrator's password, and everyone else's (typed by the administrator).
const PASSWORD: &str = "correct horse battery";

/// Fills in and submits the sign-in form, and waits for the person's start page.
async fn sign_in(browser: &Browser, app: &TestApp, username: &str, display_name: &str) -> anyhow::Result<()> {
    browser.client.goto(&format!("{}/sign-in", app.url())).await?;
    browser.find("#username").await?.send_keys(username).await?;
    browser.find("#password").await?.send_keys(PASSWORD).await?;
    browser.find("[data-testid=sign-in]").await?.click().await?;
    browser.wait_for_text("[data-testid=identity]", display_name).await?;
    browser.find("[data-testid=start-page]").await?;
    Ok(())
}

/// Waits until `css` shows `text`; if it never does, fails with the page's error summary too.
async fn expect(browser: &Browser, css: &str, text: &str) -> anyhow::Result<String> {
    match browser.wait_for_text(css, text).await {
        Ok(shown) => Ok(shown),
        Err(e) => {
            browser.screenshot("failure").await.ok();
            let problem = match browser.client.find(Locator::Css("[data-testid=error]")).await {
                Ok(summary) => summary.html(false).await?,
                Err(_) => String::new(),
            };
            anyhow::bail!("{e}; the page says: {problem}")
        }
    }
}

/// Follows the menu item or link with these words.
async fn follow(browser: &Browser, words: &str) -> anyhow::Result<()> {
    browser.client.find(Locator::LinkText(words)).await?.click().await?;
    Ok(())
}

/// Picks the option of the select `css` whose words contain `text`, as a person reading it would.
async fn pick(browser: &Browser, css: &str, text: &str) -> anyhow::Result<()> {
    let select = browser.find(css).await?;
    for _ in 0..50 {
        for option in select.find_all(Locator::Css("option")).await? {
            if option.text().await?.contains(text) {
                option.click().await?;
                return Ok(());
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!("no option {text:?} in {css}")
}

/// Sets the server's clock (the tests' stand-in for time passing).
fn set_clock(app: &TestApp, rfc3339: &str) -> anyhow::Result<()> {
    app.clock.set(chrono::DateTime::parse_from_rfc3339(rfc3339)?.to_utc());
    Ok(())
}

/// A day of the year.
fn day(year: i32, month: u32, day: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| anyhow::anyhow!("no such day"))
}

/// One account the administrator makes: username, name, role (its radio's suffix) and scope.
struct Account {
    username: &'static str,
    name: &'static str,
    role: &'static str,
    /// The region, by its name, for regional leads and local area users.
    region: Option<&'static str>,
    /// The local area, by its name, for local area users.
    area: Option<&'static str>,
}

/// The inspectorate radio of an inspector's account, by the account's name (CQC for "Cara").
fn inspectorate_of(account: &Account) -> Option<&'static str> {
    (account.role == "inspector").then(|| if account.name.starts_with("Cara") { "cqc" } else { "ofsted" })
}

/// The administrator makes each account on the Accounts page.
async fn make_accounts(browser: &Browser, accounts: &[Account]) -> anyhow::Result<()> {
    follow(browser, "Accounts").await.ok();
    browser.find("#new-username").await?;
    for account in accounts {
        browser.find("#new-username").await?.send_keys(account.username).await?;
        browser.find("#new-display-name").await?.send_keys(account.name).await?;
        browser.find("#new-password").await?.send_keys(PASSWORD).await?;
        browser.find(&format!("label[for=role-{}]", account.role)).await?.click().await?;
        if let Some(region) = account.region {
            pick(browser, "#region-code", region).await?;
        }
        if let Some(area) = account.area {
            pick(browser, "#local-area", area).await?;
        }
        if let Some(inspectorate) = inspectorate_of(account) {
            browser.find(&format!("label[for=inspectorate-{inspectorate}]")).await?.click().await?;
        }
        browser.find("[data-testid=create]").await?.click().await?;
        let created = format!("Account created for {} ({})", account.name, account.username);
        if let Err(e) = browser.wait_for_text("[data-testid=banner]", &created).await {
            let problem = match browser.client.find(Locator::Css("[data-testid=error]")).await {
                Ok(summary) => summary.html(false).await?,
                Err(_) => String::new(),
            };
            anyhow::bail!("{e}; the page says: {problem}");
        }
        browser.wait_for_text(&format!("[data-username='{}']", account.username), account.name).await?;
    }
    Ok(())
}

/// One inspector the planner adds, linked to the account of the same name.
struct NewInspector {
    name: &'static str,
    cqc: bool,
    social_care: bool,
}

/// The planner adds each inspector on the Inspectors page, linked to their account by name.
async fn add_inspectors(browser: &Browser, inspectors: &[NewInspector]) -> anyhow::Result<()> {
    follow(browser, "Inspectors").await?;
    browser.find("#inspector-name").await?;
    for inspector in inspectors {
        browser.find("#inspector-name").await?.send_keys(inspector.name).await?;
        let inspectorate = if inspector.cqc { "cqc" } else { "ofsted" };
        browser.find(&format!("label[for=inspectorate-{inspectorate}]")).await?.click().await?;
        if inspector.social_care {
            browser.find("label[for=inspector-social-care]").await?.click().await?;
        }
        pick(browser, "#inspector-home-region", "Inner London").await?;
        pick(browser, "#inspector-account", inspector.name).await?;
        browser.find("[data-testid=add-inspector]").await?.click().await?;
        browser
            .wait_for_text("[data-testid=banner]", &format!("{} is added to the inspectors.", inspector.name))
            .await?;
        browser.wait_for_text("[data-testid=inspectors]", inspector.name).await?;
    }
    browser.assert_accessible().await?;
    Ok(())
}

/// On the engagement's page: the team task, each inspector's role picked by their name.
async fn assign_team(browser: &Browser, roles: &[(&str, &str)]) -> anyhow::Result<()> {
    browser.find("[data-testid=task-team] a").await?.click().await?;
    browser.wait_for_text("h1", "Assign the team").await?;
    for (name, role) in roles {
        // The role select is labelled "Role of <name>" (visually hidden); the list of inspectors
        // arrives after the heading, so wait for it.
        let label = browser
            .client
            .wait()
            .at_most(std::time::Duration::from_secs(20))
            .for_element(Locator::XPath(&format!("//label[normalize-space()='Role of {name}']")))
            .await?;
        let id = label.attr("for").await?.ok_or_else(|| anyhow::anyhow!("label without for"))?;
        browser.find(&format!("[id='{id}']")).await?.select_by_value(role).await?;
    }
    browser.assert_accessible().await?;
    browser.find("[data-testid=assign-team]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The team is assigned.").await?;
    browser.wait_for_text("[data-testid=task-team]", "Completed").await?;
    Ok(())
}

/// On the engagement's page: the notice task, checked, then sent.
async fn notify(browser: &Browser, area: &str) -> anyhow::Result<()> {
    browser.find("[data-testid=task-notice] a").await?.click().await?;
    browser.wait_for_text("h1", &format!("Check before you notify {area}")).await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=notify]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The local area has been notified.").await?;
    browser.wait_for_text("[data-testid=task-notice]", "Completed").await?;
    Ok(())
}

/// The letter's text: each section the template starts with, and a sentence under it.
fn filled_in(template: &str) -> String {
    template
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|heading| format!("{heading}\nLeaders and practitioners described how they work together for children and young people.\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The team's writer opens the visit from "Your visits", starts its letter from the template,
/// checks it and submits it for approval. Returns the letter's address.
async fn write_letter(browser: &Browser, area: &str, title: &str) -> anyhow::Result<String> {
    browser.wait_for_text("[data-testid=my-visits]", area).await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=my-visits] button").await?.click().await?;
    browser.wait_for_text("[data-testid=engagement-letters]", "No letter has been started yet.").await?;
    let body = browser.find("#letter-body").await?;
    let template = body.prop("value").await?.unwrap_or_default();
    browser.find("#letter-title").await?.send_keys(title).await?;
    body.clear().await?;
    body.send_keys(&filled_in(&template)).await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=start-letter]").await?.click().await?;
    browser.wait_for_text("[data-testid=letter-title]", title).await?;
    browser.find("[data-testid=check-letter]").await?.click().await?;
    browser.wait_for_text("[data-testid=no-findings]", "The checks found no problems.").await?;
    browser.find("[data-testid=submit-letter]").await?.click().await?;
    browser.wait_for_text("[data-testid=letter-state]", "Submitted").await?;
    browser.assert_accessible().await?;
    let url = browser.client.current_url().await?;
    Ok(url.path().to_owned())
}

/// Opens the area's engagement from the Programme page.
async fn open_engagement(browser: &Browser, area: &str) -> anyhow::Result<()> {
    follow(browser, "Programme").await?;
    browser.wait_for_text("[data-testid=engagements]", area).await?;
    browser
        .client
        .find(Locator::XPath(&format!(
            "//*[@data-testid='engagements']//a[contains(normalize-space(), '{area}')]"
        )))
        .await?
        .click()
        .await?;
    Ok(())
}

/// The planner opens the letter from the engagement's task list, approves it and issues it after
/// the check page; `publish_at` is a report's publication time (`YYYY-MM-DDTHH:MM`, UK time).
async fn approve_and_issue(
    browser: &Browser,
    area: &str,
    title: &str,
    publish_at: Option<&str>,
) -> anyhow::Result<()> {
    open_engagement(browser, area).await?;
    browser.wait_for_text("[data-testid=task-letter]", "In progress").await?;
    browser.find("[data-testid=task-letter] a").await?.click().await?;
    browser.wait_for_text("[data-testid=engagement-letters]", title).await?;
    follow(browser, title).await?;
    browser.wait_for_text("[data-testid=letter-state]", "Submitted").await?;
    browser.find("[data-testid=approve-link]").await?.click().await?;
    browser.wait_for_text("h1", "Approve the letter").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=approve]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The letter is approved.").await?;
    browser.wait_for_text("[data-testid=letter-state]", "Approved").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=issue-link]").await?.click().await?;
    browser.wait_for_text("h1", "Issue the letter").await?;
    if let Some(when) = publish_at {
        let input = browser.find("#publish-at").await?;
        browser
            .client
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
                vec![serde_json::to_value(&input)?, serde_json::Value::String(when.to_owned())],
            )
            .await?;
    }
    browser.find("[data-testid=issue]").await?.click().await?;
    browser.wait_for_text("h1", "Check before you issue the letter").await?;
    browser.assert_accessible().await?;
    browser.screenshot("check-before-issue").await?;
    browser.find("[data-testid=confirm-issue]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The letter is issued.").await?;
    browser.wait_for_text("[data-testid=letter-state]", "Issued").await?;
    Ok(())
}

/// The administrator, seeded as an install would seed the first one.
async fn seed_admin(app: &TestApp) -> anyhow::Result<()> {
    app.seed_person(CreatePersonRequest {
        username: "ada".into(),
        display_name: "Ada Admin".into(),
        password: PASSWORD.into(),
        role: Role::Administrator.into(),
        ..Default::default()
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn an_interim_visit_from_request_to_published_letter_in_the_browser_alone() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    seed_admin(&app).await?;
    let browser = Browser::start().await?;

    // The administrator makes everyone's accounts, picking regions and areas by name.
    sign_in(&browser, &app, "ada", "Ada Admin").await?;
    make_accounts(
        &browser,
        &[
            Account {
                username: "nadia",
                name: "Nadia Planner",
                role: "national-planner",
                region: None,
                area: None,
            },
            Account {
                username: "rhea",
                name: "Rhea Lead",
                role: "regional-lead",
                region: Some("Inner London"),
                area: None,
            },
            Account {
                username: "cam",
                name: "Cam Area",
                role: "local-area-user",
                region: Some("Inner London"),
                area: Some("Camden"),
            },
            Account {
                username: "ola",
                name: "Ola Ofsted",
                role: "inspector",
                region: Some("Inner London"),
                area: None,
            },
            Account {
                username: "sami",
                name: "Sami Social",
                role: "inspector",
                region: Some("Inner London"),
                area: None,
            },
            Account {
                username: "cara",
                name: "Cara Quality",
                role: "inspector",
                region: Some("Inner London"),
                area: None,
            },
        ],
    )
    .await?;
    browser.assert_accessible().await?;
    browser.sign_out().await?;

    // The planner adds the three inspectors, each linked to their account.
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    add_inspectors(
        &browser,
        &[
            NewInspector { name: "Ola Ofsted", cqc: false, social_care: false },
            NewInspector { name: "Sami Social", cqc: false, social_care: true },
            NewInspector { name: "Cara Quality", cqc: true, social_care: false },
        ],
    )
    .await?;
    browser.sign_out().await?;

    // The regional lead asks Camden for an interim visit in the summer term.
    sign_in(&browser, &app, "rhea", "Rhea Lead").await?;
    follow(&browser, "Visit requests").await?;
    browser.find("[data-testid=new-request]").await?.click().await?;
    browser.wait_for_text("h1", "Request an interim visit").await?;
    pick(&browser, "#local-area", "Camden").await?;
    browser.find("label[for=term-summer]").await?.click().await?;
    browser.fill_date("window-first-day", day(2027, 4, 12)?).await?;
    browser.fill_date("window-last-day", day(2027, 4, 30)?).await?;
    browser.fill_date("reply-by", day(2026, 12, 21)?).await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=send-request]").await?.click().await?;
    browser.wait_for_text("[data-testid=request-title]", "Camden").await?;
    let request_path = browser.client.current_url().await?.path().to_owned();
    browser.sign_out().await?;

    // Camden answers: yes, who signed, the signed letter, the days it cannot host; then checks.
    sign_in(&browser, &app, "cam", "Cam Area").await?;
    follow(&browser, "Visit requests").await?;
    browser.wait_for_text("[data-testid=requests]", "Camden").await?;
    follow(&browser, "Camden").await?;
    browser.wait_for_text("[data-testid=request-title]", "Camden").await?;
    browser.find("[data-testid=answer]").await?.click().await?;
    browser.wait_for_text("h1", "Does Camden agree to an interim visit?").await?;
    browser.find("label[for=agrees-yes]").await?.click().await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("h1", "Who signed the consent letter?").await?;
    browser.find("#consent-signatory-name").await?.send_keys("Alex Morgan").await?;
    browser.find("#consent-signatory-role").await?.send_keys("Director of Children's Services").await?;
    browser.find("#consent-organisation").await?.send_keys("London Borough of Camden").await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("h1", "Upload the signed consent letter").await?;
    let folder = tempfile::tempdir()?;
    let file = folder.path().join("camden-consent.pdf");
    std::fs::write(&file, signed_pdf("Camden consents to an interim visit"))?;
    browser.fill_date("consent-date-signed", day(2026, 11, 23)?).await?;
    browser.find("#consent-document").await?.send_keys(&file.display().to_string()).await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("h1", "Are there days Camden cannot host a visit?").await?;
    browser.fill_date("unavailable-from", day(2027, 4, 26)?).await?;
    browser.fill_date("unavailable-to", day(2027, 4, 27)?).await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("h1", "Check your answer before sending it").await?;
    browser.assert_accessible().await?;
    browser.screenshot("consent-check-your-answers").await?;
    browser.find("[data-testid=consent]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "Your written consent is on record.").await?;
    browser.wait_for_text("[data-testid=request-summary] [data-testid=state]", "Consented").await?;
    browser.sign_out().await?;

    // The lead schedules the visit from the consent: the area and kind are filled in, and the
    // days Camden cannot host are shown.
    sign_in(&browser, &app, "rhea", "Rhea Lead").await?;
    browser.client.goto(&format!("{}{request_path}", app.url())).await?;
    browser.find("[data-testid=schedule-visit]").await?.click().await?;
    browser.wait_for_text("h1", "Schedule an engagement").await?;
    let consented = browser.wait_for_text("[data-testid=consented-dates]", "cannot host").await?;
    assert!(
        consented.contains("12 to 30 April 2027") && consented.contains("26 to 27 April 2027"),
        "{consented}"
    );
    browser.assert_accessible().await?;
    browser.fill_date("onsite-first-day", day(2027, 4, 20)?).await?;
    browser.fill_date("onsite-last-day", day(2027, 4, 21)?).await?;
    browser.find("[data-testid=schedule]").await?.click().await?;
    expect(&browser, "[data-testid=engagement-title]", "Interim visit: Camden").await?;
    let summary = browser.words("[data-testid=engagement-summary]").await?;
    assert!(summary.contains("Signed by Alex Morgan"), "the lead sees the consent: {summary}");
    browser.assert_accessible().await?;
    browser.screenshot("interim-visit-task-list").await?;
    assign_team(
        &browser,
        &[
            ("Ola Ofsted", "ofsted-inspector"),
            ("Sami Social", "social-care-inspector"),
            ("Cara Quality", "cqc-inspector"),
        ],
    )
    .await?;
    notify(&browser, "Camden").await?;
    browser.assert_accessible().await?;
    browser.sign_out().await?;

    // After the visit the team's writer drafts the letter and submits it.
    set_clock(&app, "2027-04-22T09:00:00Z")?;
    sign_in(&browser, &app, "ola", "Ola Ofsted").await?;
    write_letter(&browser, "Camden", "Interim visit to Camden").await?;
    browser.sign_out().await?;

    // The planner approves and issues it.
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    approve_and_issue(&browser, "Camden", "Interim visit to Camden", None).await?;
    browser.sign_out().await?;

    // Camden reads it and publishes it, after the check.
    sign_in(&browser, &app, "cam", "Cam Area").await?;
    follow(&browser, "Letters").await?;
    browser.wait_for_text("[data-testid=letters]", "Interim visit to Camden").await?;
    follow(&browser, "Interim visit to Camden").await?;
    browser.find("[data-testid=publish]").await?.click().await?;
    browser.wait_for_text("h1", "Check before you publish the letter").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=confirm-publish]").await?.click().await?;
    browser.wait_for_text("[data-testid=publication]", "Published by the local area").await?;
    browser.sign_out().await?;

    // Anyone reads it on the public page.
    follow(&browser, "Published letters and reports").await?;
    let published =
        browser.wait_for_text("[data-testid=published-letter]", "Interim visit to Camden").await?;
    assert!(published.contains("Leaders and practitioners described"), "{published}");
    browser.assert_accessible().await?;
    browser.screenshot("published-letter").await?;

    browser.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_full_inspection_from_scheduling_to_its_published_report_in_the_browser_alone() -> anyhow::Result<()>
{
    let app = spawn_app().await?;
    seed_admin(&app).await?;
    let browser = Browser::start().await?;

    sign_in(&browser, &app, "ada", "Ada Admin").await?;
    make_accounts(
        &browser,
        &[
            Account {
                username: "nadia",
                name: "Nadia Planner",
                role: "national-planner",
                region: None,
                area: None,
            },
            Account {
                username: "rhea",
                name: "Rhea Lead",
                role: "regional-lead",
                region: Some("Inner London"),
                area: None,
            },
            Account {
                username: "hana",
                name: "Hana Lead",
                role: "inspector",
                region: Some("Inner London"),
                area: None,
            },
            Account {
                username: "omar",
                name: "Omar Ofsted",
                role: "inspector",
                region: Some("Inner London"),
                area: None,
            },
            Account {
                username: "cara",
                name: "Cara Quality",
                role: "inspector",
                region: Some("Inner London"),
                area: None,
            },
            Account {
                username: "sam",
                name: "Sam Social",
                role: "inspector",
                region: Some("Inner London"),
                area: None,
            },
        ],
    )
    .await?;
    browser.sign_out().await?;

    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    add_inspectors(
        &browser,
        &[
            NewInspector { name: "Hana Lead", cqc: false, social_care: false },
            NewInspector { name: "Omar Ofsted", cqc: false, social_care: false },
            NewInspector { name: "Cara Quality", cqc: true, social_care: false },
            NewInspector { name: "Sam Social", cqc: false, social_care: true },
        ],
    )
    .await?;
    browser.sign_out().await?;

    // The lead schedules Camden's full inspection, staffs it and notifies Camden.
    sign_in(&browser, &app, "rhea", "Rhea Lead").await?;
    follow(&browser, "Programme").await?;
    browser.find("[data-testid=schedule-engagement]").await?.click().await?;
    browser.wait_for_text("h1", "Schedule an engagement").await?;
    pick(&browser, "#local-area", "Camden").await?;
    browser.find("label[for=kind-full-inspection]").await?.click().await?;
    browser.fill_date("onsite-first-day", day(2027, 1, 18)?).await?;
    browser.fill_date("onsite-last-day", day(2027, 1, 20)?).await?;
    browser.find("[data-testid=schedule]").await?.click().await?;
    expect(&browser, "[data-testid=engagement-title]", "Full inspection: Camden").await?;
    assign_team(
        &browser,
        &[
            ("Hana Lead", "lead-hmi"),
            ("Omar Ofsted", "ofsted-inspector"),
            ("Cara Quality", "cqc-inspector"),
            ("Sam Social", "social-care-inspector"),
        ],
    )
    .await?;
    notify(&browser, "Camden").await?;
    browser.assert_accessible().await?;

    // After the onsite week the lead records the outcome: one question, then a check.
    // (Sessions expire: the lead signs in again after the weeks have passed.)
    browser.sign_out().await?;
    set_clock(&app, "2027-01-21T09:00:00Z")?;
    sign_in(&browser, &app, "rhea", "Rhea Lead").await?;
    open_engagement(&browser, "Camden").await?;
    expect(&browser, "[data-testid=engagement-title]", "Full inspection: Camden").await?;
    browser.find("[data-testid=task-outcome] a").await?.click().await?;
    browser.wait_for_text("h1", "What was the outcome of the inspection?").await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("h1", "Check the outcome of the inspection in Camden").await?;
    browser.find("[data-testid=record-outcome]").await?.click().await?;
    // No outcome chosen: the server refuses, and the question shows the problem at its field.
    browser.wait_for_text("h1", "What was the outcome of the inspection?").await?;
    browser.find("#outcome-error").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=outcome-question] input[type=radio]").await?.click().await?;
    browser.find("[data-testid=continue]").await?.click().await?;
    browser.wait_for_text("h1", "Check the outcome of the inspection in Camden").await?;
    browser.assert_accessible().await?;
    browser.find("[data-testid=record-outcome]").await?.click().await?;
    browser.wait_for_text("[data-testid=banner]", "The outcome is recorded.").await?;
    browser.wait_for_text("[data-testid=task-outcome]", "Completed").await?;
    browser.sign_out().await?;

    // The lead inspector writes the report.
    sign_in(&browser, &app, "hana", "Hana Lead").await?;
    write_letter(&browser, "Camden", "Camden local area SEND inspection").await?;
    browser.sign_out().await?;

    // The planner approves it and issues it to be published on 1 February 2027 at 09:30.
    sign_in(&browser, &app, "nadia", "Nadia Planner").await?;
    approve_and_issue(&browser, "Camden", "Camden local area SEND inspection", Some("2027-02-01T09:30"))
        .await?;
    browser.sign_out().await?;

    // Not on the public page before its time; there once the time has come.
    follow(&browser, "Published letters and reports").await?;
    browser.wait_for_text("[data-testid=published-title]", "Published letters and reports").await?;
    browser.wait_for_text("[data-testid=no-published]", "Nothing has been published yet.").await?;
    let page = browser.find("main").await?.text().await?;
    assert!(!page.contains("Camden local area SEND inspection"), "published early: {page}");
    set_clock(&app, "2027-02-01T10:00:00Z")?;
    browser.client.refresh().await?;
    let published =
        browser.wait_for_text("[data-testid=published-letter]", "Camden local area SEND inspection").await?;
    assert!(published.contains("Leaders and practitioners described"), "{published}");
    browser.assert_accessible().await?;
    browser.screenshot("published-report").await?;

    browser.close().await?;
    app.stop().await
}
