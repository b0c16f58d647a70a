//! Two replicas over one database (issue #16, item 1): two servers in this process, each with
//! its own pool and port, as two processes behind a load balancer would be (`tests/faults.rs`
//! runs the same checks on two `send-planner` processes). Runs on the suite's database
//! (PostgreSQL with `SEND_PLANNER_TEST_DB=postgres`).

use std::net::SocketAddr;

use integration_tests::{TestApp, spawn_app_with};
use send_planner::startup::Application;

/// A second server on `app`'s database and clock; its address and its stop switch.
async fn second_replica(
    app: &TestApp,
    web: &std::path::Path,
) -> anyhow::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let settings = integration_tests::test_settings(&app.db.url, web);
    let replica = Application::build_with_clock(&settings, app.clock.clone()).await?;
    let addr = replica.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    tokio::spawn(replica.run_until(async move {
        let _ = stopped.await;
    }));
    Ok((addr, stop))
}

#[tokio::test]
async fn two_replicas_share_sessions_versions_one_audit_chain_and_lockouts() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    let (b, stop_b) = second_replica(&app, web.path()).await?;
    integration_tests::replicas::check_replicas(app.addr, b, &app.store, app.clock.now()).await?;
    let _ = stop_b.send(());
    app.stop().await
}
