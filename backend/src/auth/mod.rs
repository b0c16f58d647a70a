//! Who is asking: sign-in, sessions, and the access check that runs before every handler.

pub mod password;
pub mod policy;
pub mod token;

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};
use chrono::{DateTime, Utc};

pub use crate::domain::identity::SessionSettings;
use crate::{
    domain::{
        InvalidInput,
        audit::Actor,
        clock::{Clock, long_date},
        identity::{
            Caller, Person, SessionEnd, decide_session, locked_until, parse_sign_in, password_change_due,
            throttle_keys,
        },
    },
    store::{Store, StoreError},
};

/// Why a sign-in or a session check failed. Messages never say whether a username exists.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Empty or oversized fields.
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    /// Unknown username or wrong password: the same answer for both.
    #[error("The username or password is incorrect")]
    WrongCredentials,
    /// Too many failed attempts for this username or from this address.
    #[error("There have been too many failed sign-in attempts. Try again after {until}.")]
    Throttled {
        /// When the lock ends, in words ("09:15 UTC on 23 November 2026").
        until: String,
    },
    /// No or malformed `authorization` header.
    #[error(transparent)]
    Token(#[from] token::BadToken),
    /// Signed out, revoked or unknown.
    #[error("{}", SessionEnd::Ended)]
    Ended,
    /// Idle or absolute expiry passed.
    #[error("{}", SessionEnd::Expired)]
    Expired,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] password::HashError),
}

impl From<SessionEnd> for AuthError {
    fn from(end: SessionEnd) -> Self {
        match end {
            SessionEnd::Ended => Self::Ended,
            SessionEnd::Expired => Self::Expired,
        }
    }
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The bearer token; shown to the client once, stored only as a hash.
    pub token: String,
    /// Who signed in.
    pub person: Person,
    /// Ends if unused past this.
    pub idle_expires_at: DateTime<Utc>,
    /// Ends regardless at this.
    pub absolute_expires_at: DateTime<Utc>,
    /// The password is a temporary one, to be changed before anything else.
    pub must_change_password: bool,
}

/// The request's id, set by [`authorize`] for logs and the audit trail.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The caller's network address, when known.
#[derive(Debug, Clone, Copy)]
pub struct Source(pub IpAddr);

/// Signs people in and checks sessions.
#[derive(Debug)]
pub struct Authenticator {
    store: Store,
    clock: Clock,
    sessions: SessionSettings,
    decoy_hash: String,
    metrics: crate::metrics::Metrics,
    request_timeout: std::time::Duration,
}

impl Authenticator {
    /// An authenticator over `store`.
    pub async fn new(
        store: Store,
        clock: Clock,
        sessions: SessionSettings,
    ) -> Result<Self, password::HashError> {
        Ok(Self {
            store,
            clock,
            sessions,
            decoy_hash: password::decoy().await?,
            metrics: Default::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        })
    }

    /// Exchanges a username and password for a session.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        source: Option<IpAddr>,
        request_id: &str,
    ) -> Result<SignedIn, AuthError> {
        let username = parse_sign_in(username, password)?;
        let now = self.clock.now();
        let keys = throttle_keys(&username, source);
        let key_names: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
        if let Some(until) = locked_until(&self.store.sign_in_locks(&key_names).await?, now) {
            let until = format!("{} UTC on {}", until.format("%H:%M"), long_date(until.date_naive()));
            return Err(AuthError::Throttled { until });
        }
        let found = self.store.person_for_sign_in(&username).await?;
        let (hash, account) = match found {
            Some((account, hash)) => (hash, Some(account)),
            None => (self.decoy_hash.clone(), None),
        };
        let must_change_password = account.as_ref().is_some_and(|a| a.must_change_password);
        let person = account.map(|a| a.person);
        let matches = password::verify(password.to_owned(), hash).await;
        let actor = Actor::anonymous(request_id);
        match person {
            Some(person) if matches => {
                let token = token::generate();
                let (idle_expires_at, absolute_expires_at) = self.sessions.start(now);
                let event = Actor::person(&person, request_id).event(
                    "session.sign_in",
                    "person",
                    &person.id.to_string(),
                    "ok",
                    "",
                );
                self.store
                    .create_session(
                        person.id,
                        &token::digest(&token),
                        now,
                        idle_expires_at,
                        absolute_expires_at,
                        &key_names[0],
                        &event,
                    )
                    .await?;
                Ok(SignedIn { token, person, idle_expires_at, absolute_expires_at, must_change_password })
            }
            person => {
                let object_id = person.map(|p| p.id.to_string()).unwrap_or_default();
                let event = actor.event("session.sign_in", "person", &object_id, "wrong_credentials", "");
                self.store.record_sign_in_failure(&keys, now, &event).await?;
                Err(AuthError::WrongCredentials)
            }
        }
    }

    /// The caller behind an `authorization` header value, extending the session's idle expiry.
    pub async fn authenticate(&self, header: Option<&str>) -> Result<Caller, AuthError> {
        let token = token::from_header(header)?;
        let session_hash = token::digest(token);
        let session = self.store.session(&session_hash).await?;
        let now = self.clock.now();
        let refresh = decide_session(session.as_ref(), now, self.sessions)?;
        let session = session.ok_or(AuthError::Ended)?;
        if let Some(idle_expires_at) = refresh {
            self.store.touch_session(&session_hash, now, idle_expires_at).await?;
        }
        Ok(Caller {
            person: session.person,
            session: session_hash,
            must_change_password: session.must_change_password,
        })
    }

    /// Ends the caller's session.
    pub async fn sign_out(&self, caller: &Caller, request_id: &str) -> Result<(), AuthError> {
        let event = Actor::person(&caller.person, request_id).event(
            "session.sign_out",
            "person",
            &caller.person.id.to_string(),
            "ok",
            "",
        );
        self.store.revoke_session(&caller.session, self.clock.now(), &event).await?;
        Ok(())
    }

    /// Every request's deadline at most `limit` (a client's shorter `grpc-timeout` still wins).
    pub fn with_request_timeout(mut self, limit: std::time::Duration) -> Self {
        self.request_timeout = limit;
        self
    }

    /// The request metrics every call is counted in.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.metrics
    }

    /// The clock sessions are timed by.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}

/// Runs before every gRPC handler: gives the request an id, finds its rule in the policy
/// table (no rule: refused), and for non-public methods checks the session and the role,
/// putting the [`Caller`] in the request's extensions for the handler.
pub async fn authorize(State(auth): State<Arc<Authenticator>>, mut request: Request, next: Next) -> Response {
    use tracing::Instrument as _;
    let started = std::time::Instant::now();
    let request_id = format!("{:016x}", rand::random::<u64>());
    let is_grpc = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc"));
    let path = request.uri().path().to_owned();
    let outcome = match policy::access(&path) {
        None => Err(crate::grpc::status::no_method(&path)),
        Some(policy::Access::Public) => Ok(None),
        Some(access) => {
            let header = request.headers().get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
            match auth.authenticate(header).await {
                Ok(caller) if policy::allows(access, caller.person.role()) => {
                    match password_change_due(
                        caller.must_change_password,
                        policy::open_while_password_change_due(&path),
                    ) {
                        Ok(()) => Ok(Some(caller)),
                        Err(refusal) => Err(crate::grpc::status::refused(refusal)),
                    }
                }
                Ok(caller) => {
                    tracing::info!(%path, role = %caller.person.role(), "refused by role");
                    Err(crate::grpc::status::role_refused())
                }
                Err(e) => Err(crate::grpc::status::from_auth(e)),
            }
        }
    };
    let caller_id = match &outcome {
        Ok(Some(caller)) => Some(caller.person.id),
        _ => None,
    };
    let mut response = match outcome {
        Ok(caller) => {
            let source = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| Source(c.0.ip()));
            let extensions = request.extensions_mut();
            extensions.insert(RequestId(request_id.clone()));
            if let Some(source) = source {
                extensions.insert(source);
            }
            if let Some(caller) = caller {
                extensions.insert(caller);
            }
            // Every log line of the request carries its id.
            let span = tracing::info_span!("request", request_id = %request_id, method = policy::metric_label(&path));
            // The client's grpc-timeout, never longer than the server's own limit: a request
            // past it is abandoned (its transaction rolls back) and answered DEADLINE_EXCEEDED.
            let deadline = client_timeout(request.headers())
                .map_or(auth.request_timeout, |t| t.min(auth.request_timeout));
            match tokio::time::timeout(deadline, next.run(request).instrument(span)).await {
                Ok(response) => response,
                Err(_) => {
                    tracing::warn!(%path, ?deadline, "request abandoned at its deadline");
                    let status = crate::grpc::status::deadline_exceeded();
                    if is_grpc { status.into_http() } else { plain_http_refusal(&status) }
                }
            }
        }
        Err(status) if is_grpc => status.into_http(),
        Err(status) => plain_http_refusal(&status),
    };
    if is_grpc {
        crate::grpc::status::finish_error(response.headers_mut(), &request_id);
    }
    if let Ok(value) = http::HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    if let Some(person) = caller_id {
        auth.count_miss(person, &path, &response, is_grpc);
    }
    // A gRPC error answers in the headers (trailers-only); a success carries status 0 in the
    // trailers, after this point: a 200 without grpc-status counts as 0.
    let code = if is_grpc {
        response.headers().get("grpc-status").and_then(|v| v.to_str().ok()).unwrap_or("0").to_owned()
    } else {
        response.status().as_u16().to_string()
    };
    auth.metrics.observe(policy::metric_label(&path), &code, started.elapsed());
    response
}

impl Authenticator {
    /// Counts a signed-in caller's request for a record they may not see (answered, like a
    /// missing one, `NotFound`), off the request's path: the answer and its timing stay as they
    /// are, and a failure to count is only logged.
    fn count_miss(&self, person: i64, path: &str, response: &Response, is_grpc: bool) {
        let missed = if is_grpc {
            response.headers().get("grpc-status").is_some_and(|v| v.as_bytes() == b"5")
        } else {
            response.status() == http::StatusCode::NOT_FOUND
        };
        let Some(target) = crate::domain::security::target_of(path).filter(|_| missed) else { return };
        let store = self.store.clone();
        let at = self.clock.now();
        tokio::spawn(async move {
            if let Err(e) = store.record_miss(person, target, at).await {
                tracing::warn!(error = %e, "failed to count a miss");
            }
        });
    }
}

/// The server's own limit on a request, unless configured otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The `grpc-timeout` a client sent: 1 to 8 digits and a unit (H, M, S, m, u, n).
pub fn client_timeout(headers: &http::HeaderMap) -> Option<std::time::Duration> {
    let text = headers.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = text.split_at(text.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    use std::time::Duration;
    Some(match unit {
        "H" => Duration::from_secs(n.checked_mul(3600)?),
        "M" => Duration::from_secs(n.checked_mul(60)?),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// A refusal for a plain HTTP route, with the HTTP status matching the gRPC code.
fn plain_http_refusal(status: &tonic::Status) -> Response {
    use axum::response::IntoResponse as _;
    let code = match status.code() {
        tonic::Code::Unauthenticated => http::StatusCode::UNAUTHORIZED,
        tonic::Code::PermissionDenied | tonic::Code::FailedPrecondition => http::StatusCode::FORBIDDEN,
        tonic::Code::NotFound | tonic::Code::Unimplemented => http::StatusCode::NOT_FOUND,
        tonic::Code::DeadlineExceeded => http::StatusCode::GATEWAY_TIMEOUT,
        _ => http::StatusCode::INTERNAL_SERVER_ERROR,
    };
    (code, [(http::header::CACHE_CONTROL, "no-store")], status.message().to_owned()).into_response()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn timeout(text: &str) -> Option<Duration> {
        let mut headers = http::HeaderMap::new();
        headers.insert("grpc-timeout", http::HeaderValue::from_str(text).expect("header"));
        client_timeout(&headers)
    }

    #[test]
    fn a_clients_grpc_timeout_is_read_in_each_unit_and_junk_is_ignored() {
        assert_eq!(timeout("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(timeout("3M"), Some(Duration::from_secs(180)));
        assert_eq!(timeout("5S"), Some(Duration::from_secs(5)));
        assert_eq!(timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(timeout("7u"), Some(Duration::from_micros(7)));
        assert_eq!(timeout("9n"), Some(Duration::from_nanos(9)));
        for junk in ["", "S", "123456789S", "5x", "-5S", "5.0S"] {
            assert_eq!(timeout(junk), None, "{junk:?}");
        }
        assert_eq!(client_timeout(&http::HeaderMap::new()), None);
    }
}
