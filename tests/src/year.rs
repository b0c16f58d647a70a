//! A year of national programme, seeded through the real API as a national planner: the
//! programme the national board benchmarks (`benches/board_render.rs`, `bin/load.rs`) read.
//!
//! With the server's clock at Tuesday 1 September 2026: a past full inspection with an outcome
//! for each local area (2021 to 2025), then for every area an engagement meeting or (one in
//! three) a full inspection spread over the academic year's weeks, and a second engagement
//! meeting for every other area. The autumn's engagements are notified; the clock then moves to
//! Monday 1 February 2027 and those finished are closed with an outcome, so the board shows every
//! state. Over all 153 areas that is 230 engagements.

use anyhow::Context as _;
use chrono::{Datelike as _, NaiveDate, TimeDelta, Weekday};
use proto::pb::{
    self, programme_service_client::ProgrammeServiceClient, reference_service_client::ReferenceServiceClient,
};
use tonic::{service::interceptor::InterceptedService, transport::Channel};

use crate::{Bearer, Persona, TestApp};

type Programme = ProgrammeServiceClient<InterceptedService<Channel, Bearer>>;

/// The current local areas England has.
pub const AREAS: usize = 153;

fn at(rfc3339: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    Ok(chrono::DateTime::parse_from_rfc3339(rfc3339)?.to_utc())
}

/// Every current local area's ONS code, region by region.
pub async fn area_codes(app: &TestApp, token: &str) -> anyhow::Result<Vec<String>> {
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

/// A year of programme (see the module's comment) over the first `areas` local areas (all of
/// them with [`AREAS`]). Answers every engagement scheduled, at its latest version; the clock is
/// left at Monday 1 February 2027.
pub async fn seed(app: &TestApp, areas: usize) -> anyhow::Result<Vec<pb::Engagement>> {
    app.clock.set(at("2026-09-01T09:00:00Z")?);
    let token = planner_token(app).await?;
    let mut programme = ProgrammeServiceClient::new(app.authed(&token).await?);
    let all = area_codes(app, &token).await?;
    anyhow::ensure!(all.len() == AREAS, "{} areas", all.len());
    let areas = &all[..areas.min(AREAS)];
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
    for (n, e) in scheduled.iter_mut().enumerate() {
        if onsite(e)?.0 < cutoff {
            let reply = programme
                .notify_local_area(pb::NotifyLocalAreaRequest { id: e.id.clone(), version: e.version })
                .await?;
            *e = reply.into_inner().engagement.context("engagement")?;
            notified.push(n);
        }
    }
    // ... and, a term later (a new session: the old one has long expired), those finished are
    // closed.
    app.clock.set(at("2027-02-01T09:00:00Z")?);
    let mut programme = ProgrammeServiceClient::new(app.authed(&planner_token(app).await?).await?);
    for (i, &n) in notified.iter().enumerate() {
        let e = &mut scheduled[n];
        if onsite(e)?.1 < cutoff {
            let outcome = if e.kind() == pb::EngagementKind::FullInspection {
                outcomes[i % outcomes.len()]
            } else {
                pb::Outcome::Unspecified
            };
            let reply = programme
                .record_outcome(pb::RecordOutcomeRequest {
                    id: e.id.clone(),
                    version: e.version,
                    outcome: outcome.into(),
                })
                .await?;
            *e = reply.into_inner().engagement.context("engagement")?;
        }
    }
    Ok(scheduled)
}
