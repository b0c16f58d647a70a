//! Serving the built web app (`scripts/build-frontend.sh`, finished by `tools/dist-pack`) and
//! compressing gRPC-web replies.
//!
//! - Files whose name carries a content hash (`STEM.<16 hex digits>.EXT`) never change: they are
//!   served `Cache-Control: public, max-age=31536000, immutable`.
//! - `index.html` (for `/` and for every app route, the single-page fallback) is `no-cache` with
//!   an `ETag` from its content, answering `304 Not Modified` to a matching `If-None-Match`: a new
//!   release is picked up on the next page load, and names only files of that release.
//! - Each file is sent as its Brotli or gzip copy (made at build) when the browser accepts it,
//!   with `Vary: Accept-Encoding`.
//! - A missing file under `/pkg/` or `/assets/`, or any missing path with a dot in its last
//!   segment, is a 404, not the page shell: a script tag that names a file of another release
//!   fails loudly (the page then says it could not start) instead of parsing HTML as JavaScript.

use std::{
    convert::Infallible,
    path::{Path, PathBuf},
};

use axum::{
    body::Body,
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse as _, Response},
};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use sha2::{Digest as _, Sha256};
use tower::ServiceExt as _;
use tower_http::{
    compression::{CompressionLayer, Predicate, predicate::SizeAbove},
    services::ServeDir,
};

/// `Cache-Control` of files named by their content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else: revalidate on every use.
pub const NO_CACHE: &str = "no-cache";
/// gRPC-web replies at least this long are compressed (when the caller accepts it); smaller ones
/// would gain less than the encoding costs.
pub const COMPRESS_FROM_BYTES: u16 = 1024;
/// The most a gRPC-web reply is buffered to learn its size (replies are unary; the largest, a
/// consent document, is at most 10 MiB).
const MAX_BUFFERED_REPLY: usize = 64 * 1024 * 1024;

/// Whether a file name carries a content hash: `STEM.<16 lowercase hex digits>.EXT`.
pub fn is_hashed(name: &str) -> bool {
    let mut parts = name.rsplit('.');
    let (Some(_ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !stem.is_empty() && hash.len() == 16 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The web app's static files: hashed assets, and `index.html` for every other path.
#[derive(Clone)]
pub struct WebApp {
    dir: PathBuf,
    files: ServeDir,
}

impl WebApp {
    /// Serves the web app built into `dir`.
    pub fn new(dir: &Path) -> Self {
        let files = ServeDir::new(dir)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false);
        Self { dir: dir.to_path_buf(), files }
    }
}

/// The handler behind every path no other route claims.
pub async fn serve(State(app): State<WebApp>, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = request.uri().path().to_owned();
    if path == "/" || path == "/index.html" {
        return index(&app.dir, request.headers(), request.method() == Method::HEAD).await;
    }
    let headers = request.headers().clone();
    let head = request.method() == Method::HEAD;
    let Ok(response) = app.files.clone().oneshot(request).await;
    let mut response = response.map(Body::new);
    let last = path.rsplit('/').next().unwrap_or_default();
    if response.status() == StatusCode::NOT_FOUND {
        let asset = path.starts_with("/pkg/") || path.starts_with("/assets/") || last.contains('.');
        if !asset {
            return index(&app.dir, &headers, head).await;
        }
        return response;
    }
    let cache = if is_hashed(last) { IMMUTABLE } else { NO_CACHE };
    let out = response.headers_mut();
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// The encodings a request accepts, of those the build writes: Brotli first, then gzip.
fn accepted(headers: &HeaderMap) -> (bool, bool) {
    let (mut br, mut gzip) = (false, false);
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim().strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
            });
            if refused {
                continue;
            }
            match coding.as_str() {
                "br" => br = true,
                "gzip" => gzip = true,
                "*" => (br, gzip) = (true, true),
                _ => {}
            }
        }
    }
    (br, gzip)
}

/// `index.html`: `no-cache`, an `ETag` of its content (per encoding), `304` on a match.
async fn index(dir: &Path, headers: &HeaderMap, head: bool) -> Response {
    let path = dir.join("index.html");
    let Ok(plain) = tokio::fs::read(&path).await else {
        return (StatusCode::NOT_FOUND, "the web app is not built: run scripts/build-frontend.sh")
            .into_response();
    };
    let hash: String = Sha256::digest(&plain).iter().take(8).map(|b| format!("{b:02x}")).collect();
    let (br, gzip) = accepted(headers);
    let mut chosen = None;
    for (accepted, encoding, suffix) in [(br, "br", "br"), (gzip, "gzip", "gz")] {
        if !accepted {
            continue;
        }
        if let Ok(body) = tokio::fs::read(path.with_extension(format!("html.{suffix}"))).await {
            chosen = Some((encoding, body));
            break;
        }
    }
    let etag = match &chosen {
        Some((encoding, _)) => format!("\"{hash}-{encoding}\""),
        None => format!("\"{hash}\""),
    };
    let matches = headers.get_all(header::IF_NONE_MATCH).iter().any(|value| {
        value.to_str().is_ok_and(|v| {
            v.split(',').map(|t| t.trim().trim_start_matches("W/")).any(|t| t == "*" || t == etag)
        })
    });
    let mut builder = Response::builder()
        .header(header::CACHE_CONTROL, NO_CACHE)
        .header(header::VARY, "accept-encoding")
        .header(header::ETAG, &etag);
    if matches {
        return builder.status(StatusCode::NOT_MODIFIED).body(Body::empty()).unwrap_or_default();
    }
    builder = builder.header(header::CONTENT_TYPE, "text/html; charset=utf-8");
    let body = match chosen {
        Some((encoding, body)) => {
            builder = builder.header(header::CONTENT_ENCODING, encoding);
            body
        }
        None => plain,
    };
    builder = builder.header(header::CONTENT_LENGTH, body.len());
    let body = if head { Body::empty() } else { Body::from(body) };
    builder.body(body).unwrap_or_default()
}

/// Compresses gRPC-web replies of at least [`COMPRESS_FROM_BYTES`] with Brotli or gzip, as HTTP
/// `Content-Encoding` (which browsers undo before the wasm client reads the body, costing the
/// app no decoder), not gRPC's own message compression. Native gRPC is left alone.
pub fn compress_grpc_web() -> CompressionLayer<impl Predicate> {
    // Only replies [`buffer_grpc_web`] buffered (they carry a length): a streamed reply is sent
    // as it comes, each message at once, never held back by an encoder.
    let grpc_web = |_: StatusCode, _: http::Version, headers: &HeaderMap, _: &http::Extensions| {
        headers.contains_key(header::CONTENT_LENGTH)
            && headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/grpc-web"))
    };
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(SizeAbove::new(COMPRESS_FROM_BYTES).and(grpc_web))
}

/// Server-streaming methods: their replies are never buffered (nor so compressed), so each
/// message reaches the browser when it is sent.
pub const STREAMING_METHODS: &[&str] = &["/sendplanner.v1.SchedulingService/StartProposal"];

/// Buffers a gRPC-web reply when the caller accepts a compressed one, so that its size is known
/// to [`compress_grpc_web`]'s threshold (a streamed body has no length). Every RPC of the
/// contract but the [`STREAMING_METHODS`] is unary, so nothing waits that would otherwise
/// have streamed.
pub async fn buffer_grpc_web(request: Request, next: Next) -> Result<Response, Infallible> {
    if STREAMING_METHODS.contains(&request.uri().path()) {
        return Ok(next.run(request).await);
    }
    let (br, gzip) = accepted(request.headers());
    let response = next.run(request).await;
    let grpc_web = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc-web"));
    if !(grpc_web && (br || gzip)) {
        return Ok(response);
    }
    let (mut parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_BUFFERED_REPLY).await {
        Ok(bytes) => {
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            Ok(Response::from_parts(parts, Body::from(bytes)))
        }
        Err(e) => {
            tracing::warn!(error = %e, "failed to buffer a gRPC-web reply");
            Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("frontend_bg.0123456789abcdef.wasm"));
        assert!(is_hashed("govuk-frontend.min.0123456789abcdef.css"));
        assert!(!is_hashed("frontend_bg.wasm"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("light-94a07e06a1-v2.woff2"));
        assert!(!is_hashed(".0123456789abcdef.js"));
        assert!(!is_hashed("app.0123456789ABCDEF.css"));
    }

    #[test]
    fn accept_encoding_honours_zero_quality() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate, br;q=0"));
        assert_eq!(accepted(&headers), (false, true));
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br;q=1.0, gzip;q=0.5"));
        assert_eq!(accepted(&headers), (true, true));
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        assert_eq!(accepted(&headers), (false, false));
    }
}
