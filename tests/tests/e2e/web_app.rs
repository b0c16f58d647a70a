//! The built web app as served (`dist/`, from `scripts/build-frontend.sh`): content-hashed names
//! cached for a year, `index.html` revalidated by `ETag`, Brotli and gzip picked by
//! `Accept-Encoding`, large gRPC-web replies compressed.

use std::collections::BTreeMap;

use integration_tests::{Persona, TestApp, spawn_app, spawn_app_with};
use proto::pb;
use send_planner::web_app::{IMMUTABLE, NO_CACHE, is_hashed};

/// A raw HTTP/1.1 reply: status, headers (names lowercased), body.
struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

async fn request(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> anyhow::Result<Reply> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", app.addr);
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| anyhow::anyhow!("no headers"))?;
    let text = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap_or_default().split(' ').nth(1).unwrap_or_default().parse()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(Reply { status, headers, body: raw[split + 4..].to_vec() })
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> anyhow::Result<Reply> {
    request(app, "GET", path, headers, &[]).await
}

/// The absolute paths a text file names in quotes or `url(...)`: `/x/y.z`.
fn named_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in text.split(['"', '\'', '(', ')']) {
        if piece.starts_with('/') && !piece.starts_with("//") && piece.contains('.') && !piece.contains(' ') {
            out.push(piece.to_owned());
        }
    }
    out
}

#[tokio::test]
async fn every_file_the_page_names_exists_is_hashed_immutable_and_compressed() -> anyhow::Result<()> {
    let app = spawn_app().await?;
    let index = get(&app, "/", &[]).await?;
    assert_eq!(index.status, 200);
    let html = String::from_utf8(index.body.clone())?;
    // Walk what the page loads: index.html, then what each script or style sheet names.
    let mut queue = named_paths(&html);
    anyhow::ensure!(queue.len() >= 4, "index.html names too few files: {queue:?}");
    let mut seen = Vec::new();
    let mut wasm = None;
    while let Some(path) = queue.pop() {
        if seen.contains(&path) {
            continue;
        }
        seen.push(path.clone());
        let reply = get(&app, &path, &[]).await?;
        assert_eq!(reply.status, 200, "{path} is missing");
        let name = path.rsplit('/').next().unwrap_or_default();
        assert!(is_hashed(name), "{path} has no content hash in its name");
        assert_eq!(reply.header("cache-control"), IMMUTABLE, "{path}");
        assert_eq!(reply.header("vary"), "accept-encoding", "{path}");
        if path.ends_with(".wasm") {
            wasm = Some(path.clone());
            assert_eq!(reply.header("content-type"), "application/wasm");
        }
        if path.ends_with(".js") || path.ends_with(".css") {
            let text = String::from_utf8(reply.body)?;
            // wasm-bindgen names its module relative to the script: `new URL('x.wasm', import.meta.url)`.
            for relative in text.split('\'').filter(|p| p.ends_with(".wasm") && !p.contains('/')) {
                let folder = &path[..path.rfind('/').unwrap_or(0)];
                queue.push(format!("{folder}/{relative}"));
            }
            queue.extend(named_paths(&text));
        }
    }
    let wasm = wasm.ok_or_else(|| anyhow::anyhow!("no wasm module reached from index.html: {seen:?}"))?;
    let plain = get(&app, &wasm, &[]).await?;
    for (accept, encoding) in [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("identity", "")] {
        let reply = get(&app, &wasm, &[("accept-encoding", accept)]).await?;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-encoding"), encoding, "{accept}");
        if !encoding.is_empty() {
            assert!(reply.body.len() * 2 < plain.body.len(), "{encoding} is not much smaller");
        }
    }
    app.stop().await
}

#[tokio::test]
async fn index_html_is_revalidated_by_etag_and_is_every_routes_fallback() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    std::fs::write(web.path().join("index.html"), "<!DOCTYPE html><title>release one</title>")?;
    let app = spawn_app_with(web.path()).await?;
    let first = get(&app, "/", &[]).await?;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("cache-control"), NO_CACHE);
    assert!(first.header("content-type").starts_with("text/html"));
    let etag = first.header("etag").to_owned();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag:?}");
    let again = get(&app, "/regions/E13000001", &[("if-none-match", &etag)]).await?;
    assert_eq!(again.status, 304, "an app route answers with the same page shell");
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), etag);
    // A new release: a new ETag, so the next page load gets the new page.
    std::fs::write(web.path().join("index.html"), "<!DOCTYPE html><title>release two</title>")?;
    let next = get(&app, "/", &[("if-none-match", &etag)]).await?;
    assert_eq!(next.status, 200);
    assert_ne!(next.header("etag"), etag);
    assert!(String::from_utf8_lossy(&next.body).contains("release two"));
    // A file of another release is missing, not the page shell parsed as a script.
    for path in ["/pkg/frontend.0123456789abcdef.js", "/assets/app.0123456789abcdef.css", "/boot.js"] {
        assert_eq!(get(&app, path, &[]).await?.status, 404, "{path}");
    }
    // The shell's own compressed copies, when the build wrote them.
    std::fs::write(web.path().join("index.html.gz"), b"not really gzip, but served as such")?;
    let gz = get(&app, "/", &[("accept-encoding", "gzip")]).await?;
    assert_eq!(gz.header("content-encoding"), "gzip");
    assert_ne!(gz.header("etag"), next.header("etag"), "each encoding has its own ETag");
    assert_eq!(gz.header("vary"), "accept-encoding");
    app.stop().await
}

/// A gRPC-web call as a browser's fetch makes it (which always offers gzip and Brotli).
async fn grpc_web_call(
    app: &TestApp,
    token: &str,
    method: &str,
    message: &impl prost::Message,
    accept: &str,
) -> anyhow::Result<Reply> {
    let encoded = message.encode_to_vec();
    let mut body = vec![0u8];
    body.extend_from_slice(&u32::try_from(encoded.len())?.to_be_bytes());
    body.extend_from_slice(&encoded);
    let bearer = format!("Bearer {token}");
    request(
        app,
        "POST",
        method,
        &[
            ("content-type", "application/grpc-web+proto"),
            ("x-grpc-web", "1"),
            ("authorization", &bearer),
            ("accept-encoding", accept),
        ],
        &body,
    )
    .await
}

#[tokio::test]
async fn large_grpc_web_replies_are_compressed_small_ones_are_not() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    let (_, token) = app.persona(Persona::Planner).await?;
    let areas = "/sendplanner.v1.ReferenceService/ListLocalAreas";
    let all = pb::ListLocalAreasRequest::default();
    let big = grpc_web_call(&app, &token, areas, &all, "gzip, deflate, br, zstd").await?;
    assert_eq!(big.status, 200);
    assert_eq!(big.header("content-encoding"), "br", "{:?}", big.headers);
    assert_eq!(big.header("vary"), "accept-encoding");
    let plain = grpc_web_call(&app, &token, areas, &all, "identity").await?;
    assert_eq!(plain.header("content-encoding"), "");
    assert!(
        plain.body.len() > usize::from(send_planner::web_app::COMPRESS_FROM_BYTES)
            && big.body.len() < plain.body.len(),
        "153 areas: {} bytes, {} with Brotli",
        plain.body.len(),
        big.body.len()
    );
    let gzip = grpc_web_call(&app, &token, areas, &all, "gzip").await?;
    assert_eq!(gzip.header("content-encoding"), "gzip");
    let one = pb::ListLocalAreasRequest { name_prefix: "Camden".into(), ..Default::default() };
    let small = grpc_web_call(&app, &token, areas, &one, "gzip, deflate, br").await?;
    assert_eq!(small.status, 200);
    assert_eq!(small.header("content-encoding"), "", "a small reply is sent as it is");
    // A refusal (trailers only) passes through untouched.
    let refused = grpc_web_call(&app, "not-a-session", areas, &all, "gzip, br").await?;
    assert_eq!(refused.header("grpc-status"), "16", "{:?}", refused.headers);
    app.stop().await
}
