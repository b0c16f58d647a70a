//! The national board's render time in Chromium, over a full year of programme: from navigation
//! to `/national` until its areas table shows all 153 local areas; and GetNationalBoard itself
//! over native gRPC, for the server's share.
//!
//! Run (optimised web app, as served in production):
//! `scripts/build-frontend.sh --release && cargo bench -p integration-tests --bench board_render`.
//! It uses whatever `dist/` holds, and prints its wasm size so the two builds are not confused.
//! Needs `chromium` and `chromium-driver` (scripts/setup.sh with WITH_BROWSER=1).
//!
//! Seeded on SQLite with the server's clock at Tuesday 1 September 2026: a past full inspection
//! with an outcome for each of the 153 areas (2021 to 2025), then for every area an engagement
//! meeting or (one in three) a full inspection spread over the academic year's weeks, and a
//! second engagement meeting for every other area. The autumn's engagements are notified; the
//! clock then moves to Monday 1 February 2027 and those finished are closed with an outcome, so
//! the board shows every state.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{Datelike as _, NaiveDate, TimeDelta, Weekday};
use integration_tests::{Bearer, Browser, DbKind, PASSWORD, Persona, TestApp, spawn_app_on, workspace_root};
use proto::pb::{
    self, programme_service_client::ProgrammeServiceClient, reference_service_client::ReferenceServiceClient,
};
use tonic::{service::interceptor::InterceptedService, transport::Channel};

type Programme = ProgrammeServiceClient<InterceptedService<Channel, Bearer>>;

/// Loads of the page measured, after one to warm up.
const PAGE_LOADS: usize = 20;
/// Calls of GetNationalBoard measured, after one to warm up.
const BOARD_CALLS: usize = 50;
/// Rows the areas table shows when complete.
const AREAS: usize = 153;

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

fn at(rfc3339: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    Ok(chrono::DateTime::parse_from_rfc3339(rfc3339)?.to_utc())
}

/// Every current local area's ONS code, region by region.
async fn area_codes(app: &TestApp, token: &str) -> anyhow::Result<Vec<String>> {
    let mut reference = ReferenceServiceClient::new(app.authed(token).await?);
    let regions = reference.list_regions(pb::ListRegionsRequest {}).await?.into_inner().regions;
    let mut codes = Vec::new();
    for region in regions {
        let page = reference
            .list_local_areas(pb::ListLocalAreasRequest {
                region_code: region.code,
                page_size: 200,
                ..Default::default()
            })
            .await?
            .into_inner();
        codes.extend(page.local_areas.into_iter().map(|a| a.ons_code));
    }
    Ok(codes)
}

/// Schedules an engagement starting on the Tuesday of `week` (or a later week if those days are
/// refused, e.g. for a bank holiday): full inspections Tuesday to Thursday, meetings on the
/// Tuesday.
async fn schedule(
    programme: &mut Programme,
    area: &str,
    kind: pb::EngagementKind,
    mut week: NaiveDate,
) -> anyhow::Result<pb::Engagement> {
    for _ in 0..4 {
        let first = week.succ_opt().context("date")?;
        let last =
            if kind == pb::EngagementKind::FullInspection { first + TimeDelta::days(2) } else { first };
        let request = pb::ScheduleEngagementRequest {
            local_area_code: area.to_owned(),
            kind: kind.into(),
            onsite: Some(pb::DateRange { first_day: first.to_string(), last_day: last.to_string() }),
            note: "benchmark".to_owned(),
        };
        match programme.schedule_engagement(request).await {
            Ok(reply) => return reply.into_inner().engagement.context("engagement"),
            Err(status) if status.code() == tonic::Code::InvalidArgument => week += TimeDelta::days(7),
            Err(status) => return Err(status.into()),
        }
    }
    anyhow::bail!("no week found for {area}")
}

/// A national planner's session token, signed in at the server's current time.
async fn planner_token(app: &TestApp) -> anyhow::Result<String> {
    Ok(app.persona(Persona::Planner).await?.1)
}

/// A year of programme (see the file's comment). Returns how many engagements were scheduled.
async fn seed(app: &TestApp) -> anyhow::Result<usize> {
    app.clock.set(at("2026-09-01T09:00:00Z")?);
    let token = planner_token(app).await?;
    let mut programme = ProgrammeServiceClient::new(app.authed(&token).await?);
    let areas = area_codes(app, &token).await?;
    anyhow::ensure!(areas.len() == AREAS, "{} areas", areas.len());
    let outcomes = [pb::Outcome::Positive, pb::Outcome::Inconsistent, pb::Outcome::SystemicFailings];
    for (i, area) in areas.iter().enumerate() {
        let completed =
            NaiveDate::from_ymd_opt(2021 + (i % 5) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32)
                .context("date")?;
        programme
            .record_past_inspection(pb::RecordPastInspectionRequest {
                local_area_code: area.clone(),
                kind: pb::EngagementKind::FullInspection.into(),
                completed_on: completed.to_string(),
                outcome: outcomes[i % outcomes.len()].into(),
            })
            .await?;
    }
    // Mondays from 21 September 2026: 42 weeks, to early July 2027.
    let first_monday = NaiveDate::from_ymd_opt(2026, 9, 21).context("date")?;
    anyhow::ensure!(first_monday.weekday() == Weekday::Mon);
    let monday = |n: usize| first_monday + TimeDelta::days(7 * (n % 42) as i64);
    let mut scheduled = Vec::new();
    for (i, area) in areas.iter().enumerate() {
        let kind = if i % 3 == 0 {
            pb::EngagementKind::FullInspection
        } else {
            pb::EngagementKind::EngagementMeeting
        };
        scheduled.push(schedule(&mut programme, area, kind, monday(i * 7 / 3)).await?);
        if i % 2 == 0 {
            let meeting = pb::EngagementKind::EngagementMeeting;
            scheduled.push(schedule(&mut programme, area, meeting, monday(i * 7 / 3 + 21)).await?);
        }
    }
    // The autumn and winter so far are notified ...
    let cutoff = NaiveDate::from_ymd_opt(2027, 2, 1).context("date")?;
    let onsite = |e: &pb::Engagement| -> anyhow::Result<(NaiveDate, NaiveDate)> {
        let r = e.onsite.as_ref().context("onsite")?;
        Ok((r.first_day.parse()?, r.last_day.parse()?))
    };
    let mut notified = Vec::new();
    for e in &scheduled {
        if onsite(e)?.0 < cutoff {
            let reply = programme
                .notify_local_area(pb::NotifyLocalAreaRequest { id: e.id.clone(), version: e.version })
                .await?;
            notified.push(reply.into_inner().engagement.context("engagement")?);
        }
    }
    // ... and, a term later (a new session: the old one has long expired), those finished are
    // closed.
    app.clock.set(at("2027-02-01T09:00:00Z")?);
    let mut programme = ProgrammeServiceClient::new(app.authed(&planner_token(app).await?).await?);
    for (i, e) in notified.iter().enumerate() {
        if onsite(e)?.1 < cutoff {
            let outcome = if e.kind() == pb::EngagementKind::FullInspection {
                outcomes[i % outcomes.len()]
            } else {
                pb::Outcome::Unspecified
            };
            programme
                .record_outcome(pb::RecordOutcomeRequest {
                    id: e.id.clone(),
                    version: e.version,
                    outcome: outcome.into(),
                })
                .await?;
        }
    }
    Ok(scheduled.len())
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
    let engagements = seed(&app).await?;
    println!(
        "seeded: {AREAS} past inspections, {engagements} engagements in 2026/27 ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    server_board(&app, &planner_token(&app).await?).await?;
    browser_board(&app).await?;
    app.stop().await
}
