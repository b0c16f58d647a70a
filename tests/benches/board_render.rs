//! The national board's render time in Chromium, over a full year of programme: from navigation
//! to `/national` until its areas table shows all 153 local areas; and GetNationalBoard itself
//! over native gRPC, for the server's share.
//!
//! Run (optimised web app, as served in production):
//! `scripts/build-frontend.sh --release && cargo bench -p integration-tests --bench board_render`.
//! It uses whatever `dist/` holds, and prints its wasm size so the two builds are not confused.
//! Needs `chromium` and `chromium-driver` (scripts/setup.sh with WITH_BROWSER=1).
//!
//! Seeded on SQLite with a year of programme over all 153 areas (`integration_tests::year`, also
//! what the load generator `bin/load.rs` serves).

use std::time::{Duration, Instant};

use anyhow::Context as _;
use integration_tests::{
    Browser, DbKind, PASSWORD, Persona, TestApp, spawn_app_on, workspace_root,
    year::{self, AREAS},
};
use proto::pb::{self, programme_service_client::ProgrammeServiceClient};

/// Loads of the page measured, after one to warm up.
const PAGE_LOADS: usize = 20;
/// Calls of GetNationalBoard measured, after one to warm up.
const BOARD_CALLS: usize = 50;

fn summary(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let n = samples.len();
    let p = |q: f64| samples[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
    println!(
        "{label:<58} n={n:<4} p50={:>8.1} ms  p99={:>8.1} ms  min={:>8.1} ms  max={:>8.1} ms",
        p(0.50).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
        samples[0].as_secs_f64() * 1e3,
        samples[n - 1].as_secs_f64() * 1e3,
    );
}

/// A national planner's session token, signed in at the server's current time.
async fn planner_token(app: &TestApp) -> anyhow::Result<String> {
    Ok(app.persona(Persona::Planner).await?.1)
}

/// GetNationalBoard over native gRPC, unfiltered.
async fn server_board(app: &TestApp, token: &str) -> anyhow::Result<()> {
    let mut programme = ProgrammeServiceClient::new(app.authed(token).await?);
    let board = programme.get_national_board(pb::GetNationalBoardRequest::default()).await?.into_inner();
    anyhow::ensure!(board.areas.len() == AREAS, "{} areas on the board", board.areas.len());
    let mut samples = Vec::with_capacity(BOARD_CALLS);
    for _ in 0..BOARD_CALLS {
        let start = Instant::now();
        programme.get_national_board(pb::GetNationalBoardRequest::default()).await?;
        samples.push(start.elapsed());
    }
    summary("server: GetNationalBoard over native gRPC", samples);
    Ok(())
}

/// Polls (every animation frame) until the areas table has all its rows, then answers the
/// milliseconds since `arguments[0]` (a `performance.now()` value; 0 for the navigation start).
const UNTIL_RENDERED: &str = "
    const [since, rows, done] = arguments;
    const check = () => {
        const n = document.querySelectorAll('[data-testid=national-areas] tbody tr').length;
        if (n === rows) return done(performance.now() - since);
        requestAnimationFrame(check);
    };
    check();";

/// Clicks the menu's \"National board\" and answers the milliseconds until it is rendered.
const NAVIGATE_IN_APP: &str = "
    const [rows, done] = arguments;
    const link = [...document.querySelectorAll('[data-testid=nav] a')]
        .find(a => a.textContent.trim() === 'National board');
    const since = performance.now();
    link.click();
    const check = () => {
        const n = document.querySelectorAll('[data-testid=national-areas] tbody tr').length;
        if (n === rows) return done(performance.now() - since);
        requestAnimationFrame(check);
    };
    check();";

fn millis(value: &serde_json::Value) -> anyhow::Result<Duration> {
    let ms = value.as_f64().with_context(|| format!("not a number of milliseconds: {value}"))?;
    Ok(Duration::from_secs_f64(ms / 1e3))
}

/// The page in Chromium: full loads (HTML, wasm, session check, board call and render) and
/// navigations inside the running app (board call and render).
async fn browser_board(app: &TestApp) -> anyhow::Result<()> {
    let browser = Browser::start().await?;
    app.sign_in_in_browser(&browser, Persona::Planner.username(), PASSWORD).await?;
    let url = format!("{}/national", app.url());
    let rows = serde_json::json!(AREAS);
    browser.client.goto(&url).await?;
    browser.client.execute_async(UNTIL_RENDERED, vec![serde_json::json!(0), rows.clone()]).await?;

    let (mut page, mut wall) = (Vec::new(), Vec::new());
    for _ in 0..PAGE_LOADS {
        let start = Instant::now();
        browser.client.goto(&url).await?;
        let since_navigation =
            browser.client.execute_async(UNTIL_RENDERED, vec![serde_json::json!(0), rows.clone()]).await?;
        wall.push(start.elapsed());
        page.push(millis(&since_navigation)?);
    }
    summary("browser: load /national to 153 rows (performance.now)", page);
    summary("browser: load /national to 153 rows (WebDriver wall clock)", wall);

    let mut in_app = Vec::new();
    for _ in 0..PAGE_LOADS {
        browser.client.find(fantoccini::Locator::LinkText("Regions")).await?.click().await?;
        browser.find("[data-testid=regions]").await?;
        in_app.push(millis(&browser.client.execute_async(NAVIGATE_IN_APP, vec![rows.clone()]).await?)?);
    }
    summary("browser: in-app navigation to /national to 153 rows", in_app);
    browser.close().await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dist = workspace_root().join("dist");
    let wasm = std::fs::metadata(dist.join("pkg/frontend_bg.wasm"))
        .context("no web app in dist/: run scripts/build-frontend.sh --release")?
        .len();
    println!("web app: dist/pkg/frontend_bg.wasm, {} KiB", wasm / 1024);
    let app = spawn_app_on(DbKind::Sqlite, &dist).await?;
    let started = Instant::now();
    let engagements = year::seed(&app, AREAS).await?.len();
    println!(
        "seeded: {AREAS} past inspections, {engagements} engagements in 2026/27 ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    server_board(&app, &planner_token(&app).await?).await?;
    browser_board(&app).await?;
    app.stop().await
}
