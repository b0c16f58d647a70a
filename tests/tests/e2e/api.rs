//! The real server over native gRPC (HTTP/2) and gRPC-web (HTTP/1.1): data, bad input, health,
//! reflection, static files.

use integration_tests::{Bearer, Persona, TestApp, spawn_app_with};
use proto::pb::{
    ListLocalAreasRequest, ListRegionsRequest, reference_service_client::ReferenceServiceClient,
};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};
use tonic_reflection::pb::v1::{
    ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
    server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
};
use tonic_types::StatusExt as _;

/// A server whose web-app folder holds a marker index.html.
async fn app() -> anyhow::Result<(TestApp, tempfile::TempDir)> {
    let web = tempfile::tempdir()?;
    std::fs::write(web.path().join("index.html"), "<!DOCTYPE html><title>marker</title>")?;
    Ok((spawn_app_with(web.path()).await?, web))
}

async fn native(app: &TestApp) -> anyhow::Result<Channel> {
    app.channel().await
}

/// A signed-in national planner's channel.
async fn planner(app: &TestApp) -> anyhow::Result<InterceptedService<Channel, Bearer>> {
    let (_, token) = app.persona(Persona::Planner).await?;
    app.authed(&token).await
}

/// A signed-in gRPC-web client over a plain HTTP/1.1 connection, as a browser would call.
async fn grpc_web(app: &TestApp) -> anyhow::Result<ReferenceServiceClient<WebChannel>> {
    let (_, token) = app.persona(Persona::Planner).await?;
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let service = tower::ServiceBuilder::new().layer(tonic_web::GrpcWebClientLayer::new()).service(http);
    let service = InterceptedService::new(service, Bearer::new(&token)?);
    Ok(ReferenceServiceClient::with_origin(service, app.url().parse()?))
}

type WebChannel = InterceptedService<tonic_web::GrpcWebClientService<HttpClient>, Bearer>;

type HttpClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    tonic_web::GrpcWebCall<tonic::body::Body>,
>;

#[tokio::test]
async fn native_grpc_lists_ten_regions_and_inner_london_areas() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut client = ReferenceServiceClient::new(planner(&app).await?);
    let regions = client.list_regions(ListRegionsRequest {}).await?.into_inner().regions;
    assert_eq!(regions.len(), 10);
    let inner = regions.iter().find(|r| r.name == "Inner London").expect("Inner London");
    assert_eq!(inner.local_area_count, 13);
    let areas = client
        .list_local_areas(ListLocalAreasRequest { region_code: inner.code.clone(), ..Default::default() })
        .await?
        .into_inner();
    let names: Vec<_> = areas.local_areas.iter().map(|a| a.name.as_str()).collect();
    assert!(names.contains(&"Camden") && names.contains(&"Westminster"), "{names:?}");
    assert_eq!(areas.total_size, 13);
    assert!(areas.next_page_token.is_empty());
    app.stop().await
}

#[tokio::test]
async fn grpc_web_over_http1_answers_the_same() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut client = grpc_web(&app).await?;
    let regions = client.list_regions(ListRegionsRequest {}).await?.into_inner().regions;
    assert_eq!(regions.iter().map(|r| r.local_area_count).sum::<u32>(), 153);
    let page = client
        .list_local_areas(ListLocalAreasRequest {
            name_prefix: "west".into(),
            page_size: 2,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(page.local_areas.len(), 2);
    assert!(!page.next_page_token.is_empty());
    let rest = client
        .list_local_areas(ListLocalAreasRequest {
            name_prefix: "west".into(),
            page_size: 2,
            page_token: page.next_page_token,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(rest.local_areas.iter().all(|a| !page.local_areas.contains(a)), "pages do not overlap");
    assert_eq!(page.total_size, rest.total_size);
    app.stop().await
}

/// Each bad request, the field its error must name.
fn bad_requests() -> Vec<(ListLocalAreasRequest, &'static str)> {
    vec![
        (ListLocalAreasRequest { region_code: "E99999999".into(), ..Default::default() }, "region_code"),
        (ListLocalAreasRequest { page_size: -1, ..Default::default() }, "page_size"),
        (ListLocalAreasRequest { page_token: "x".repeat(5000), ..Default::default() }, "page_token"),
        (ListLocalAreasRequest { page_token: "not-a-token".into(), ..Default::default() }, "page_token"),
        (ListLocalAreasRequest { kind: 99, ..Default::default() }, "kind"),
        (ListLocalAreasRequest { name_prefix: "a".repeat(101), ..Default::default() }, "name_prefix"),
    ]
}

#[tokio::test]
async fn bad_input_is_invalid_argument_naming_the_field_on_both_transports() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut native = ReferenceServiceClient::new(planner(&app).await?);
    let mut web = grpc_web(&app).await?;
    for (request, field) in bad_requests() {
        for status in [
            native.list_local_areas(request.clone()).await.expect_err("refused"),
            web.list_local_areas(request.clone()).await.expect_err("refused"),
        ] {
            assert_eq!(status.code(), Code::InvalidArgument, "{field}: {status:?}");
            let named: Vec<String> = status
                .get_details_bad_request()
                .map(|b| b.field_violations.into_iter().map(|v| v.field).collect())
                .unwrap_or_default();
            assert_eq!(named, [field], "the BadRequest detail names the field: {status:?}");
            assert!(status.message().len() < 200, "short message: {}", status.message());
        }
    }
    app.stop().await
}

#[tokio::test]
async fn health_reports_serving_for_the_server_and_each_service() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut health = HealthClient::new(native(&app).await?);
    for service in [
        "",
        "sendplanner.v1.ReferenceService",
        "sendplanner.v1.AuthService",
        "sendplanner.v1.AccountService",
        "sendplanner.v1.AuditService",
    ] {
        let reply = health.check(HealthCheckRequest { service: service.into() }).await?.into_inner();
        assert_eq!(reply.status(), ServingStatus::Serving, "{service:?}");
    }
    let unknown = health.check(HealthCheckRequest { service: "no.such.Service".into() }).await;
    assert_eq!(unknown.expect_err("unknown service").code(), Code::NotFound);
    app.stop().await
}

#[tokio::test]
async fn reflection_lists_the_services_and_describes_them() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut reflection = ServerReflectionClient::new(native(&app).await?);
    let requests = [
        MessageRequest::ListServices(String::new()),
        MessageRequest::FileContainingSymbol("sendplanner.v1.ReferenceService".into()),
    ]
    .map(|m| ServerReflectionRequest { host: String::new(), message_request: Some(m) });
    let mut replies = reflection.server_reflection_info(tokio_stream_iter(requests)).await?.into_inner();
    let Some(MessageResponse::ListServicesResponse(list)) =
        replies.message().await?.and_then(|r| r.message_response)
    else {
        anyhow::bail!("expected a list of services");
    };
    let names: Vec<_> = list.service.iter().map(|s| s.name.as_str()).collect();
    for expected in
        ["sendplanner.v1.ReferenceService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"]
    {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let Some(MessageResponse::FileDescriptorResponse(files)) =
        replies.message().await?.and_then(|r| r.message_response)
    else {
        anyhow::bail!("expected the file describing ReferenceService");
    };
    assert!(!files.file_descriptor_proto.is_empty());
    app.stop().await
}

fn tokio_stream_iter<T: Send + 'static>(
    items: impl IntoIterator<Item = T>,
) -> impl futures_core::Stream<Item = T> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    for item in items {
        let _ = tx.send(item);
    }
    UnboundedStream(rx)
}

struct UnboundedStream<T>(tokio::sync::mpsc::UnboundedReceiver<T>);

impl<T> futures_core::Stream for UnboundedStream<T> {
    type Item = T;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}

#[tokio::test]
async fn the_web_app_is_served_on_the_same_port_for_any_app_address() -> anyhow::Result<()> {
    let (app, web) = app().await?;
    for path in ["/", "/regions/E13000001"] {
        let body = http_get(&app, path).await?;
        assert!(body.contains("<title>marker</title>"), "{path}: {body}");
        let head = body.to_lowercase();
        assert!(
            head.contains(
                "content-security-policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"
            ),
            "{head}"
        );
        assert!(head.contains("x-content-type-options: nosniff"), "{head}");
        assert!(head.contains("referrer-policy: no-referrer"), "{head}");
    }
    // The policy applies to documents only: a module, a script or a style sheet goes without it
    // (a start page fetches some 200 of them), an SVG image (which may hold script) with it.
    for (name, body) in [("pkg/chunk_1.0123456789abcdef.wasm", &b"\0asm\x01\0\0\0"[..]), ("boot.js", b"1;")] {
        std::fs::create_dir_all(web.path().join(name).parent().expect("a parent"))?;
        std::fs::write(web.path().join(name), body)?;
        let head = http_get(&app, &format!("/{name}")).await?.to_lowercase();
        assert!(!head.contains("content-security-policy"), "{name}: {head}");
        assert!(!head.contains("referrer-policy"), "{name}: {head}");
        assert!(head.contains("x-content-type-options: nosniff"), "{name}: {head}");
    }
    std::fs::write(web.path().join("icon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")?;
    let head = http_get(&app, "/icon.svg").await?.to_lowercase();
    assert!(head.contains("content-security-policy: default-src 'self'"), "{head}");
    app.stop().await
}

async fn http_get(app: &TestApp, path: &str) -> anyhow::Result<String> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await?;
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", app.addr).as_bytes(),
        )
        .await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    anyhow::ensure!(response.starts_with("HTTP/1.1 200"), "GET {path}: {response}");
    Ok(response)
}

#[tokio::test]
async fn shutdown_finishes_cleanly() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut client = ReferenceServiceClient::new(planner(&app).await?);
    client.list_regions(ListRegionsRequest {}).await?;
    tokio::time::timeout(std::time::Duration::from_secs(10), app.stop()).await??;
    Ok(())
}

#[tokio::test]
async fn calls_without_a_session_are_unauthenticated_on_both_transports() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut native = ReferenceServiceClient::new(native(&app).await?);
    let status = native.list_regions(ListRegionsRequest {}).await.expect_err("refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(status.message().contains("sign in"), "{}", status.message());
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let service = tower::ServiceBuilder::new().layer(tonic_web::GrpcWebClientLayer::new()).service(http);
    let mut web = ReferenceServiceClient::<tonic_web::GrpcWebClientService<HttpClient>>::with_origin(
        service,
        app.url().parse()?,
    );
    let status = web.list_regions(ListRegionsRequest {}).await.expect_err("refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    app.stop().await
}
