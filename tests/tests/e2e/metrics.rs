//! Prometheus metrics on their own address (issue #16, item 4): requests by method and code,
//! latency, the pool, the audit trail and the outbox; none of it on the public port.

use std::io::{Read as _, Write as _};

use integration_tests::{DbKind, Persona, spawn_app_configured};
use proto::pb::{self, auth_service_client::AuthServiceClient, consent_service_client::ConsentServiceClient};

/// `GET path` over plain HTTP/1.0; the body.
fn get(addr: std::net::SocketAddr, path: &str) -> anyhow::Result<String> {
    let mut stream = std::net::TcpStream::connect(addr)?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default())
}

#[tokio::test]
async fn requests_the_pool_the_trail_and_the_outbox_are_measured_apart_from_the_public_port()
-> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_configured(DbKind::from_env(), web.path(), |s| {
        s.metrics_addr = Some(([127, 0, 0, 1], 0).into())
    })
    .await?;
    let metrics = app.metrics_addr.ok_or_else(|| anyhow::anyhow!("metrics are served"))?;
    let (_, planner) = app.persona(Persona::Planner).await?;
    AuthServiceClient::new(app.channel().await?).who_am_i(pb::WhoAmIRequest {}).await.expect_err("no token");
    let missing = ConsentServiceClient::new(app.authed(&planner).await?)
        .get_visit_request(pb::GetVisitRequestRequest {
            id: send_planner::domain::public_id::new_public_id(),
        })
        .await
        .expect_err("missing");
    assert_eq!(missing.code(), tonic::Code::NotFound);

    let text = tokio::task::spawn_blocking(move || get(metrics, "/metrics")).await??;
    for line in [
        r#"send_planner_requests_total{method="/sendplanner.v1.AuthService/SignIn",code="0"} 1"#,
        r#"send_planner_requests_total{method="/sendplanner.v1.AuthService/WhoAmI",code="16"} 1"#,
        r#"send_planner_requests_total{method="/sendplanner.v1.ConsentService/GetVisitRequest",code="5"} 1"#,
        r#"send_planner_request_duration_seconds_count{method="/sendplanner.v1.AuthService/SignIn"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    }
    assert!(text.contains(r#"send_planner_db_pool_connections{state="idle"}"#), "{text}");
    // Nothing waits for a connection once the calls are answered.
    assert!(text.contains("send_planner_db_pool_waiting 0\n"), "{text}");
    let events = text.lines().find_map(|l| l.strip_prefix("send_planner_audit_events ")).unwrap_or("0");
    assert!(events.parse::<i64>()? >= 2, "the account and its sign-in: {events}");
    assert!(text.trim_end().ends_with("# EOF"), "OpenMetrics text");

    // The public port does not serve them.
    let public = app.addr;
    let page = tokio::task::spawn_blocking(move || get(public, "/metrics")).await??;
    assert!(!page.contains("send_planner_requests_total"), "{page}");
    app.stop().await
}

#[tokio::test]
async fn health_reports_not_serving_once_the_database_stops_answering() -> anyhow::Result<()> {
    use tonic_health::pb::{
        HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
    };
    let web = tempfile::tempdir()?;
    let app = integration_tests::spawn_app_with(web.path()).await?;
    let mut health = HealthClient::new(app.channel().await?);
    let check = HealthCheckRequest { service: "sendplanner.v1.AuthService".into() };
    assert_eq!(health.check(check.clone()).await?.into_inner().status(), ServingStatus::Serving);
    // The server's own pool, closed under it: the database no longer answers it.
    app.store.close().await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let status = health.check(check.clone()).await?.into_inner().status();
        if status == ServingStatus::NotServing {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "still {status:?} after 15 s without a database");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    app.stop().await
}

#[tokio::test]
async fn the_server_signs_new_audit_events_into_a_file_outside_the_database() -> anyhow::Result<()> {
    use send_planner::signed_audit;
    let web = tempfile::tempdir()?;
    let app = integration_tests::spawn_app_with(web.path()).await?;
    let file = web.path().join("audit-signed.jsonl");
    let (secret, public) = signed_audit::new_key_pair();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let signer = tokio::spawn(signed_audit::run(
        app.store.clone(),
        app.clock.clone(),
        signed_audit::signing_key(&secret)?,
        file.clone(),
        std::time::Duration::from_millis(100),
        stopped,
    ));
    app.persona(Persona::Planner).await?;
    app.persona(Persona::Camden).await?;
    let head = app.store.audit_head().await?.seq;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while signed_audit::read_records(&file)?.iter().map(|r| r.to_seq).max().unwrap_or(0) < head {
        assert!(tokio::time::Instant::now() < deadline, "not signed within 10 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = stop.send(true);
    signer.await?;
    let matched = signed_audit::verify_signed(&app.store, &file, &signed_audit::public_key(&public)?).await?;
    assert_eq!(matched, head, "every event as signed");
    app.stop().await
}

#[tokio::test]
async fn a_request_past_the_clients_grpc_timeout_is_abandoned_with_deadline_exceeded() -> anyhow::Result<()> {
    use prost::Message as _;
    let web = tempfile::tempdir()?;
    let app = integration_tests::spawn_app_with(web.path()).await?;
    app.seed_person(Persona::Planner.request()).await?;
    // A raw gRPC-web call over HTTP/1.1, as a browser sends it, so that no client library
    // enforces the timeout itself: the answer is the server's. Hashing the password alone takes
    // longer than a millisecond.
    let body = pb::SignInRequest {
        username: Persona::Planner.username().into(),
        password: integration_tests::PASSWORD.into(),
    }
    .encode_to_vec();
    let addr = app.addr;
    let call = move |timeout: &'static str| -> anyhow::Result<String> {
        let mut frame = vec![0u8];
        frame.extend_from_slice(&u32::try_from(body.len())?.to_be_bytes());
        frame.extend_from_slice(&body);
        let mut stream = std::net::TcpStream::connect(addr)?;
        write!(
            stream,
            "POST /sendplanner.v1.AuthService/SignIn HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/grpc-web+proto\r\n\
             X-Grpc-Web: 1\r\ngrpc-timeout: {timeout}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            frame.len()
        )?;
        stream.write_all(&frame)?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        Ok(String::from_utf8_lossy(&answer).into_owned())
    };
    let late = tokio::task::spawn_blocking({
        let call = call.clone();
        move || call("1m")
    })
    .await??;
    assert!(late.to_ascii_lowercase().contains("grpc-status: 4"), "DEADLINE_EXCEEDED: {late}");
    let in_time = tokio::task::spawn_blocking(move || call("10S")).await??;
    assert!(in_time.contains("grpc-status:0") || in_time.contains("grpc-status: 0"), "OK: {in_time}");
    app.stop().await
}
