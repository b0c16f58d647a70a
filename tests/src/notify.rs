//! A local stand-in for GOV.UK Notify's API, for the notification tests: the endpoints SEND
//! Planner uses (`POST /v2/notifications/email`, `GET /v2/notifications?reference=`,
//! `GET /v2/notifications/{id}`), each request checked as Notify checks it: a bearer JWT signed
//! HS256 with the API key's secret, its issuer the service id, issued within 30 seconds of now;
//! and the email's JSON body. It can be told to answer the next sends with 500.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::{get, post},
};

/// A key in Notify's format for `SERVICE_ID` and `SECRET`.
pub const SERVICE_ID: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
/// The key's secret.
pub const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";

/// The whole API key, as Notify shows it.
pub fn api_key() -> String {
    format!("send_planner_test-{SERVICE_ID}-{SECRET}")
}

/// A template id per event kind, `KIND=ID`, as the settings take them.
pub fn templates() -> Vec<String> {
    send_planner::domain::notifications::EventKind::ALL
        .iter()
        .enumerate()
        .map(|(i, kind)| format!("{}=00000000-0000-4000-8000-{:012}", kind.as_str(), i + 1))
        .collect()
}

/// An email Notify accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The id Notify gave it.
    pub id: String,
    /// Its address.
    pub email_address: String,
    /// Its template.
    pub template_id: String,
    /// The greeting's name.
    pub name: String,
    /// The link.
    pub link: String,
    /// SEND Planner's reference.
    pub reference: String,
}

#[derive(Debug, Default)]
struct Inner {
    received: Mutex<Vec<Received>>,
    /// Requests refused for their JWT or body, with why.
    refused: Mutex<Vec<String>>,
    fail_next: AtomicUsize,
    sends: AtomicUsize,
}

/// The running fake.
#[derive(Debug, Clone)]
pub struct FakeNotify {
    /// Where it listens: the base URL to configure.
    pub url: String,
    inner: Arc<Inner>,
}

#[derive(serde::Deserialize)]
struct Claims {
    iss: String,
    iat: i64,
}

#[derive(serde::Deserialize)]
struct Personalisation {
    name: String,
    link: String,
}

#[derive(serde::Deserialize)]
struct EmailBody {
    email_address: String,
    template_id: String,
    personalisation: Personalisation,
    reference: String,
}

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    let body = serde_json::json!({ "status_code": status.as_u16(), "errors": [{ "error": kind, "message": message }] });
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

/// Notify's check of the bearer token, or why it refuses it (answered 403).
fn authorised(inner: &Inner, headers: &HeaderMap) -> Result<(), String> {
    let refuse = |why: String| {
        inner.refused.lock().expect("lock").push(why.clone());
        why
    };
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| refuse("Unauthorized: authentication token must be provided".into()))?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.required_spec_claims = ["iss".to_owned()].into_iter().collect();
    validation.validate_exp = false;
    let data = jsonwebtoken::decode::<Claims>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(SECRET.as_bytes()),
        &validation,
    )
    .map_err(|e| refuse(format!("Invalid token: signature, api token not found ({e})")))?;
    if data.claims.iss != SERVICE_ID {
        return Err(refuse("Invalid token: service not found".into()));
    }
    let now = chrono::Utc::now().timestamp();
    if (now - data.claims.iat).abs() > 30 {
        return Err(refuse("Error: Your system clock must be accurate to within 30 seconds".into()));
    }
    Ok(())
}

async fn send_email(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(why) = authorised(&inner, &headers) {
        return error(StatusCode::FORBIDDEN, "AuthError", &why);
    }
    let Ok(email) = serde_json::from_slice::<EmailBody>(&body) else {
        inner.refused.lock().expect("lock").push("a body that is not an email request".into());
        return error(
            StatusCode::BAD_REQUEST,
            "ValidationError",
            "email_address, template_id, personalisation and reference are required",
        );
    };
    let uuid_like = email.template_id.len() == 36 && email.template_id.matches('-').count() == 4;
    if !email.email_address.contains('@') || !uuid_like || email.reference.is_empty() {
        inner.refused.lock().expect("lock").push(format!("a bad email request to {}", email.email_address));
        return error(StatusCode::BAD_REQUEST, "ValidationError", "email_address Not a valid email address");
    }
    inner.sends.fetch_add(1, Ordering::SeqCst);
    let failing = inner.fail_next.load(Ordering::SeqCst);
    if failing > 0 {
        inner.fail_next.store(failing - 1, Ordering::SeqCst);
        return error(StatusCode::INTERNAL_SERVER_ERROR, "Exception", "Internal server error");
    }
    let id = uuid::Uuid::new_v4().to_string();
    inner.received.lock().expect("lock").push(Received {
        id: id.clone(),
        email_address: email.email_address,
        template_id: email.template_id,
        name: email.personalisation.name,
        link: email.personalisation.link,
        reference: email.reference.clone(),
    });
    let body = serde_json::json!({
        "id": id, "reference": email.reference, "content": { "subject": "SEND Planner", "body": "…" },
        "uri": format!("/v2/notifications/{id}"), "template": { "id": "", "version": 1, "uri": "" }
    });
    (StatusCode::CREATED, [("content-type", "application/json")], body.to_string()).into_response()
}

async fn by_reference(State(inner): State<Arc<Inner>>, headers: HeaderMap, uri: Uri) -> Response {
    if let Err(why) = authorised(&inner, &headers) {
        return error(StatusCode::FORBIDDEN, "AuthError", &why);
    }
    let reference = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|p| p.strip_prefix("reference="))
        .unwrap_or_default();
    let found: Vec<serde_json::Value> = inner
        .received
        .lock()
        .expect("lock")
        .iter()
        .filter(|r| r.reference == reference)
        .map(|r| serde_json::json!({ "id": r.id, "reference": r.reference, "status": "sending" }))
        .collect();
    let body = serde_json::json!({ "notifications": found, "links": {} });
    (StatusCode::OK, [("content-type", "application/json")], body.to_string()).into_response()
}

async fn by_id(State(inner): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(why) = authorised(&inner, &headers) {
        return error(StatusCode::FORBIDDEN, "AuthError", &why);
    }
    if !inner.received.lock().expect("lock").iter().any(|r| r.id == id) {
        return error(StatusCode::NOT_FOUND, "NoResultFound", "No result found");
    }
    let body = serde_json::json!({ "id": id, "status": "delivered" });
    (StatusCode::OK, [("content-type", "application/json")], body.to_string()).into_response()
}

impl FakeNotify {
    /// Starts the fake on a free port.
    pub async fn start() -> anyhow::Result<Self> {
        let inner = Arc::new(Inner::default());
        let app = axum::Router::new()
            .route("/v2/notifications/email", post(send_email))
            .route("/v2/notifications", get(by_reference))
            .route("/v2/notifications/{id}", get(by_id))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self { url, inner })
    }

    /// The emails accepted, in order.
    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().expect("lock").clone()
    }

    /// Requests refused for their token or body.
    pub fn refused(&self) -> Vec<String> {
        self.inner.refused.lock().expect("lock").clone()
    }

    /// Every send attempted, accepted or not.
    pub fn sends(&self) -> usize {
        self.inner.sends.load(Ordering::SeqCst)
    }

    /// Answers the next `n` sends with 500.
    pub fn fail_next(&self, n: usize) {
        self.inner.fail_next.store(n, Ordering::SeqCst);
    }
}
