//! Bad input at the wire: messages over the size limit, broken gRPC-web frames, and the request
//! id every refusal carries.

use std::{
    io::{Read as _, Write as _},
    net::SocketAddr,
    time::Duration,
};

use integration_tests::{Bearer, PASSWORD, Persona, consent_answer, visit_request};
use proto::pb::{self, auth_service_client::AuthServiceClient, consent_service_client::ConsentServiceClient};
use tonic::Code;
use tonic_types::StatusExt as _;

/// Sends `head` and then `body` as a gRPC-web call over HTTP/1.1 to `path`, declaring
/// `content_length`, and reads what comes back within 10 s (the server may answer before the
/// body is all there).
fn raw_grpc_web(addr: SocketAddr, path: &str, content_length: usize, body: &[u8]) -> anyhow::Result<String> {
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/grpc-web+proto\r\n\
         X-Grpc-Web: 1\r\nContent-Length: {content_length}\r\nConnection: close\r\n\r\n"
    )?;
    stream.write_all(body)?;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            // The server answered and closed while we still had body to send, or the read timed
            // out after an answer: what arrived is the answer.
            Err(e) if !answer.is_empty() => {
                eprintln!("after the answer: {e}");
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(percent_decoded(&String::from_utf8_lossy(&answer)))
}

/// `text` with `%XX` escapes (as `grpc-message` carries its sentence) decoded.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A gRPC message frame: flag, length, bytes.
fn frame(flag: u8, declared: usize, bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = vec![flag];
    out.extend_from_slice(&u32::try_from(declared)?.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(out)
}

/// The gRPC status code a raw answer carries (in its headers or its trailer frame).
fn grpc_status(answer: &str) -> Option<u32> {
    let lower = answer.to_ascii_lowercase();
    let at = lower.find("grpc-status:")?;
    lower[at + "grpc-status:".len()..].trim_start().split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

#[tokio::test]
async fn a_message_over_the_limit_is_refused_resource_exhausted_before_its_body_is_read() -> anyhow::Result<()>
{
    let web = tempfile::tempdir()?;
    let app = integration_tests::spawn_app_with(web.path()).await?;
    let addr = app.addr;
    // A sign-in declaring 2 MiB (its service takes 1 MiB), of which only 1 KiB is ever sent:
    // the answer comes from the length prefix alone.
    let declared = 2 * 1024 * 1024;
    let answer = tokio::task::spawn_blocking(move || {
        let head = frame(0, declared, &[b'x'; 1024])?;
        raw_grpc_web(addr, "/sendplanner.v1.AuthService/SignIn", 5 + declared, &head)
    })
    .await??;
    assert_eq!(grpc_status(&answer), Some(8), "RESOURCE_EXHAUSTED: {answer}");
    assert!(answer.contains("larger than this service accepts"), "{answer}");

    // Over native gRPC: a 2 MiB password, and a signed letter of 12 MiB (consent takes 11).
    let mut auth = AuthServiceClient::new(app.channel().await?);
    let big = auth
        .sign_in(pb::SignInRequest { username: "someone".into(), password: "p".repeat(2 << 20) })
        .await
        .expect_err("too large");
    assert_eq!(big.code(), Code::ResourceExhausted, "{big:?}");
    let (_, planner) = app.persona(Persona::Planner).await?;
    let (_, camden) = app.persona(Persona::Camden).await?;
    let mut as_planner = ConsentServiceClient::new(app.authed(&planner).await?);
    let request = as_planner
        .create_visit_request(visit_request("E09000007", "2027-01-15"))
        .await?
        .into_inner()
        .request
        .ok_or_else(|| anyhow::anyhow!("no request"))?;
    let mut as_camden =
        ConsentServiceClient::new(app.authed(&camden).await?).max_encoding_message_size(64 << 20);
    let mut answer = consent_answer(&request.id, request.version);
    if let Some(pb::answer_visit_request_request::Answer::Consent(consent)) = answer.answer.as_mut() {
        consent.document = vec![b'%'; 12 << 20];
    }
    let huge = as_camden.answer_visit_request(answer).await.expect_err("too large");
    assert_eq!(huge.code(), Code::ResourceExhausted, "{huge:?}");
    // Nothing stored changed: the request still waits for its answer, at its version.
    let after = as_planner.get_visit_request(pb::GetVisitRequestRequest { id: request.id.clone() }).await?;
    let after = after.into_inner().request.ok_or_else(|| anyhow::anyhow!("no request"))?;
    assert_eq!((after.version, after.state), (request.version, request.state));
    app.stop().await
}

#[tokio::test]
async fn a_broken_grpc_web_frame_gets_a_clean_invalid_argument() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = integration_tests::spawn_app_with(web.path()).await?;
    let addr = app.addr;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        // The frame promises 100 bytes; the body ends after 10.
        ("truncated", frame(0, 100, &[0x0a; 10])?),
        // A whole frame whose bytes are not a SignInRequest (a field with an impossible wire type).
        ("not the message", frame(0, 6, &[0x0f, 0xff, 0xff, 0xff, 0xff, 0x0f])?),
        // A compression flag that does not exist.
        ("bad flag", frame(7, 2, &[0x0a, 0x00])?),
        // Less than a frame header.
        ("no header", vec![0, 0]),
    ];
    for (case, body) in cases {
        let length = body.len();
        let answer = tokio::task::spawn_blocking(move || {
            raw_grpc_web(addr, "/sendplanner.v1.AuthService/SignIn", length, &body)
        })
        .await??;
        assert!(answer.starts_with("HTTP/1.1 200"), "{case}: {answer}");
        assert_eq!(grpc_status(&answer), Some(3), "{case}: INVALID_ARGUMENT: {answer}");
        assert!(answer.contains("could not be read"), "{case}: {answer}");
        assert!(
            !answer.to_ascii_lowercase().contains("decode"),
            "{case}: codec words reach the caller: {answer}"
        );
    }
    // And the server is as well as before.
    let mut auth = AuthServiceClient::new(app.channel().await?);
    app.seed_person(Persona::Planner.request()).await?;
    auth.sign_in(pb::SignInRequest {
        username: Persona::Planner.username().into(),
        password: PASSWORD.into(),
    })
    .await?;
    app.stop().await
}

#[tokio::test]
async fn every_refusal_carries_the_request_id_its_log_lines_carry() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = integration_tests::spawn_app_with(web.path()).await?;
    let mut auth = AuthServiceClient::new(app.channel().await?);
    // A field at fault (BadRequest kept beside the id), a refused sign-in, a hidden record.
    let blank = auth
        .sign_in(pb::SignInRequest { username: String::new(), password: String::new() })
        .await
        .expect_err("blank");
    let wrong = auth
        .sign_in(pb::SignInRequest { username: "nobody".into(), password: "not the password at all".into() })
        .await
        .expect_err("wrong");
    let (_, planner) = app.persona(Persona::Planner).await?;
    let mut consent = ConsentServiceClient::with_interceptor(app.channel().await?, Bearer::new(&planner)?);
    let hidden = consent
        .get_visit_request(pb::GetVisitRequestRequest { id: uuid::Uuid::new_v4().to_string() })
        .await
        .expect_err("missing");
    let mut ids = std::collections::BTreeSet::new();
    for status in [&blank, &wrong, &hidden] {
        let info = status.get_details_request_info().unwrap_or_else(|| panic!("no request id: {status:?}"));
        let header = status.metadata().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_eq!(info.request_id, header, "{status:?}");
        assert_eq!(info.request_id.len(), 16, "{status:?}");
        ids.insert(info.request_id);
    }
    assert_eq!(ids.len(), 3, "each request its own id");
    assert_eq!(integration_tests::fields(&blank), ["username", "password"]);
    assert_eq!(hidden.code(), Code::NotFound);
    app.stop().await
}
