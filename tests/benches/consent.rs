//! Consent writes (document upload, state change, history and audit append in one transaction)
//! through the real server, on SQLite and PostgreSQL; and the largest accepted document's round
//! trip through gRPC-web (upload) and /documents (download).
//!
//! Run: `cargo bench -p integration-tests --bench consent`.

use std::time::{Duration, Instant};

use integration_tests::{Bearer, DbKind, Persona, TestApp, consent_answer, spawn_app_on, visit_request};
use proto::pb::{self, consent_service_client::ConsentServiceClient};
use tonic::service::interceptor::InterceptedService;

/// Prints count, throughput over `wall`, p50 and p99.
fn summary(label: &str, mut samples: Vec<Duration>, wall: Duration) {
    samples.sort();
    let n = samples.len();
    let p = |q: f64| samples[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
    println!(
        "{label:<48} n={n:<4} {:>7.1}/s  p50={:>8.2} ms  p99={:>8.2} ms",
        n as f64 / wall.as_secs_f64(),
        p(0.50).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3
    );
}

async fn requests(app: &TestApp, n: usize) -> anyhow::Result<Vec<pb::VisitRequest>> {
    let (_, planner) = app.persona(Persona::Planner).await?;
    let mut client = ConsentServiceClient::new(app.authed(&planner).await?);
    let reply_by = (app.clock.now().date_naive() + chrono::TimeDelta::days(30)).to_string();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let created = client.create_visit_request(visit_request("E09000007", &reply_by)).await?;
        out.push(created.into_inner().request.ok_or_else(|| anyhow::anyhow!("no request"))?);
    }
    Ok(out)
}

fn with_document(id: &str, version: i64, bytes: usize) -> pb::AnswerVisitRequestRequest {
    let mut answer = consent_answer(id, version);
    if let Some(pb::answer_visit_request_request::Answer::Consent(c)) = answer.answer.as_mut() {
        c.document = [b"%PDF-".as_slice(), &vec![b'x'; bytes - 5]].concat();
    }
    answer
}

async fn consent_writes(kind: DbKind, label: &str) -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_on(kind, web.path()).await?;
    let (_, camden) = app.persona(Persona::Camden).await?;

    // One writer, 200 consents with a 200 KiB signed letter each.
    let pending = requests(&app, 200).await?;
    let mut client = ConsentServiceClient::new(app.authed(&camden).await?);
    let mut samples = Vec::new();
    let wall = Instant::now();
    for r in &pending {
        let start = Instant::now();
        client.answer_visit_request(with_document(&r.id, r.version, 200 * 1024)).await?;
        samples.push(start.elapsed());
    }
    summary(&format!("{label}: consent write, 1 writer, 200 KiB"), samples, wall.elapsed());

    // Eight writers at once, each on its own connection.
    let pending = requests(&app, 400).await?;
    let wall = Instant::now();
    let mut tasks = Vec::new();
    for chunk in pending.chunks(50) {
        let chunk = chunk.to_vec();
        let mut client = ConsentServiceClient::new(app.authed(&camden).await?);
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            for r in &chunk {
                let start = Instant::now();
                client.answer_visit_request(with_document(&r.id, r.version, 200 * 1024)).await?;
                samples.push(start.elapsed());
            }
            anyhow::Ok(samples)
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await??);
    }
    summary(&format!("{label}: consent write, 8 writers, 200 KiB"), samples, wall.elapsed());
    app.stop().await
}

async fn largest_document_round_trip() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_on(DbKind::Sqlite, web.path()).await?;
    let (_, camden) = app.persona(Persona::Camden).await?;
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let service = tower::ServiceBuilder::new().layer(tonic_web::GrpcWebClientLayer::new()).service(http);
    let service = InterceptedService::new(service, Bearer::new(&camden)?);
    let mut web_client = ConsentServiceClient::<
        InterceptedService<
            tonic_web::GrpcWebClientService<
                hyper_util::client::legacy::Client<
                    hyper_util::client::legacy::connect::HttpConnector,
                    tonic_web::GrpcWebCall<tonic::body::Body>,
                >,
            >,
            Bearer,
        >,
    >::with_origin(service, app.url().parse()?);
    let size = 10 * 1024 * 1024;
    let mut uploads = Vec::new();
    let mut downloads = Vec::new();
    let pending = requests(&app, 5).await?;
    let wall = Instant::now();
    for r in pending {
        let start = Instant::now();
        let answered =
            web_client.answer_visit_request(with_document(&r.id, r.version, size)).await?.into_inner();
        uploads.push(start.elapsed());
        let document = answered.request.and_then(|r| r.consent).and_then(|c| c.document).expect("document");
        let start = Instant::now();
        let body = download(&app, &document.id, &camden).await?;
        downloads.push(start.elapsed());
        assert!(body >= size, "downloaded {body} bytes");
    }
    let wall = wall.elapsed();
    summary("largest document (10 MiB): upload via gRPC-web", uploads, wall);
    summary("largest document (10 MiB): download /documents", downloads, wall);
    app.stop().await
}

async fn download(app: &TestApp, id: &str, token: &str) -> anyhow::Result<usize> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await?;
    let request = format!(
        "GET /documents/{id} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n",
        app.addr
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    Ok(response.len())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    consent_writes(DbKind::Sqlite, "sqlite").await?;
    consent_writes(DbKind::Postgres, "postgres").await?;
    largest_document_round_trip().await
}
