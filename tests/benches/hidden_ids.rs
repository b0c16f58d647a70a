//! Can an outsider tell a hidden visit request from a missing one by timing? (issue #10, item 7)
//!
//! Command: `cargo bench -p integration-tests --bench hidden_ids`
//! (`SEND_PLANNER_TEST_DB=postgres` for PostgreSQL; `HIDDEN_IDS_CALLS=N` changes the 300 calls;
//! `--profile dev` reuses the test build instead of an optimised one.)
//!
//! A national planner creates a request to Camden (Inner London); the North East's lead, who may
//! not know it exists, then makes alternating `GetVisitRequest` calls for its id and for a random
//! id of the same format that nothing has, 150 of each. The benchmark prints the median and
//! p90 of each and their difference, and exits non-zero if the medians differ by 1 ms or more.

use std::time::{Duration, Instant};

use integration_tests::{Persona, spawn_app_on, visit_request};
use proto::pb::{self, consent_service_client::ConsentServiceClient};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let calls: usize = std::env::var("HIDDEN_IDS_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let web = tempfile::tempdir()?;
    let kind = integration_tests::DbKind::from_env();
    let app = spawn_app_on(kind, web.path()).await?;
    let planner = app.persona(Persona::Planner).await?.1;
    let outsider = app.persona(Persona::NorthEastLead).await?.1;
    let reply_by = (app.clock.now().date_naive() + chrono::TimeDelta::days(30)).to_string();
    let hidden = ConsentServiceClient::new(app.authed(&planner).await?)
        .create_visit_request(visit_request("E09000007", &reply_by))
        .await?
        .into_inner()
        .request
        .ok_or_else(|| anyhow::anyhow!("no request"))?;
    // The same format as today's ids (decimal integers), and the same length, with nothing behind it.
    let random = {
        let len = hidden.id.len().max(6);
        let low = 10u64.pow(len as u32 - 1);
        (low * 9 + rand::random::<u64>() % low).to_string()
    };
    let mut client = ConsentServiceClient::new(app.authed(&outsider).await?);
    // Warm the connection and the statement caches.
    for id in [&hidden.id, &random, &hidden.id, &random] {
        let _ = client.get_visit_request(pb::GetVisitRequestRequest { id: id.clone() }).await;
    }
    let (mut hidden_times, mut random_times) = (Vec::new(), Vec::new());
    let mut codes = std::collections::BTreeSet::new();
    for i in 0..calls {
        let (id, times) =
            if i % 2 == 0 { (&hidden.id, &mut hidden_times) } else { (&random, &mut random_times) };
        let start = Instant::now();
        let answer = client.get_visit_request(pb::GetVisitRequestRequest { id: id.clone() }).await;
        times.push(start.elapsed());
        codes.insert(format!(
            "{}: {:?}",
            if i % 2 == 0 { "hidden" } else { "random" },
            answer.map_err(|s| s.code()).err()
        ));
    }
    hidden_times.sort();
    random_times.sort();
    let (h50, h90) = (percentile(&hidden_times, 0.5), percentile(&hidden_times, 0.9));
    let (r50, r90) = (percentile(&random_times, 0.5), percentile(&random_times, 0.9));
    let difference = ms(h50) - ms(r50);
    println!("hidden_ids on {kind:?}: {calls} alternating GetVisitRequest calls by another region's lead");
    println!("  answers: {codes:?}");
    println!("  hidden id {}: median {:.3} ms, p90 {:.3} ms", hidden.id, ms(h50), ms(h90));
    println!("  random id {random}: median {:.3} ms, p90 {:.3} ms", ms(r50), ms(r90));
    println!("  median difference (hidden - random): {difference:+.3} ms (limit 1 ms)");
    app.stop().await?;
    if difference.abs() >= 1.0 {
        eprintln!("FAIL: the median difference is {difference:+.3} ms, at least 1 ms");
        std::process::exit(1);
    }
    Ok(())
}
