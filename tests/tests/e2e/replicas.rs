//! Two replicas over one database (issue #16, item 1): two servers, each with its own pool and
//! port, as two processes behind a load balancer would be. A session made on one works on the
//! other and a revocation ends it on both; a conflicting edit through the other replica is
//! detected by its version; concurrent audit appends through both stay one valid chain; sign-in
//! lockout counts across both. Runs on the suite's database (PostgreSQL with
//! `SEND_PLANNER_TEST_DB=postgres`).

use std::net::SocketAddr;

use integration_tests::{Bearer, Persona, TestApp, consent_answer, spawn_app_with, visit_request};
use proto::pb::{
    self, account_service_client::AccountServiceClient, auth_service_client::AuthServiceClient,
    consent_service_client::ConsentServiceClient,
};
use send_planner::startup::Application;
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};

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

async fn channel(addr: SocketAddr) -> anyhow::Result<Channel> {
    Ok(Channel::from_shared(format!("http://{addr}"))?.connect().await?)
}

async fn authed(addr: SocketAddr, token: &str) -> anyhow::Result<InterceptedService<Channel, Bearer>> {
    Ok(InterceptedService::new(channel(addr).await?, Bearer::new(token)?))
}

async fn who_am_i(addr: SocketAddr, token: &str) -> Result<pb::Person, tonic::Status> {
    let channel = authed(addr, token).await.map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let reply = AuthServiceClient::new(channel).who_am_i(pb::WhoAmIRequest {}).await?.into_inner();
    reply.person.ok_or_else(|| tonic::Status::internal("no person"))
}

async fn sign_in(addr: SocketAddr, username: &str, password: &str) -> Result<String, tonic::Status> {
    let channel = channel(addr).await.map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let request = pb::SignInRequest { username: username.into(), password: password.into() };
    Ok(AuthServiceClient::new(channel).sign_in(request).await?.into_inner().token)
}

#[tokio::test]
async fn two_replicas_share_sessions_versions_one_audit_chain_and_lockouts() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    let (b, stop_b) = second_replica(&app, web.path()).await?;
    let a = app.addr;

    // A session made on A works on B; revoked through B, it ends on A at once.
    let (camden, _) = app.persona(Persona::Camden).await?;
    let token = sign_in(a, Persona::Camden.username(), integration_tests::PASSWORD).await?;
    assert_eq!(who_am_i(b, &token).await?.username, "user.camden");
    let (_, admin) = app.persona(Persona::Admin).await?;
    AccountServiceClient::new(authed(b, &admin).await?)
        .revoke_sessions(pb::RevokeSessionsRequest { person_id: camden.id.clone() })
        .await?;
    assert_eq!(who_am_i(a, &token).await.expect_err("revoked").code(), Code::Unauthenticated);

    // The same answer sent through both at once, at the same version: one wins, the other is
    // told the request changed; nothing is lost or doubled.
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    let request = ConsentServiceClient::new(authed(a, &lead).await?)
        .create_visit_request(visit_request("E09000007", "2027-01-15"))
        .await?
        .into_inner()
        .request
        .ok_or_else(|| anyhow::anyhow!("no request"))?;
    let camden_token = sign_in(b, Persona::Camden.username(), integration_tests::PASSWORD).await?;
    let answer = |addr| {
        let (request, token) = (request.clone(), camden_token.clone());
        async move {
            let channel = authed(addr, &token).await?;
            let sent = ConsentServiceClient::new(channel)
                .answer_visit_request(consent_answer(&request.id, request.version))
                .await;
            anyhow::Ok(sent.err().map(|s| s.code()))
        }
    };
    let (first, second) = tokio::join!(answer(a), answer(b));
    let mut codes = vec![first?, second?];
    codes.sort_by_key(|c| c.map(|c| c as i32));
    assert_eq!(codes[0], None, "one answer is taken: {codes:?}");
    assert!(
        matches!(codes[1], Some(Code::Aborted | Code::FailedPrecondition)),
        "the other is refused as stale: {codes:?}"
    );

    // Concurrent audit appends through both replicas: one chain, every event in it.
    let before = app.store.audit_head().await?.seq;
    let mut signings = Vec::new();
    for i in 0..16 {
        let addr = if i % 2 == 0 { a } else { b };
        signings.push(tokio::spawn(async move {
            sign_in(addr, "user.camden", integration_tests::PASSWORD).await
        }));
    }
    for signing in signings {
        signing.await??;
    }
    let verified = send_planner::admin::verify_audit(&app.store, None).await?;
    assert_eq!(verified.seq, before + 16, "every sign-in appended once, in one unbroken chain");

    // Lockout counts across both: three failures on A and two on B lock the username on both.
    for (i, addr) in [a, a, a, b, b].into_iter().enumerate() {
        let refused = sign_in(addr, "user.camden", "not the password at all").await.expect_err("wrong");
        assert_eq!(refused.code(), Code::Unauthenticated, "attempt {i}");
    }
    for addr in [a, b] {
        let locked = sign_in(addr, "user.camden", integration_tests::PASSWORD).await.expect_err("locked");
        assert_eq!(locked.code(), Code::ResourceExhausted);
    }
    let _ = stop_b.send(());
    app.stop().await
}
