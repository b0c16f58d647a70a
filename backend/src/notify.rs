//! The worker that sends the notification outbox through GOV.UK Notify's API: it claims due
//! messages under a lease, sends each (`POST /v2/notifications/email`, authenticated by an HS256
//! JWT signed with the API key's secret, issuer the service id), records every attempt and what
//! came of it, retries with backoff, and polls the delivery status of what it sent.
//!
//! A claim that lapsed mid-send (the worker stopped between sending and recording) is never
//! sent blind: the next worker first asks Notify for the message by its reference
//! (`GET /v2/notifications?reference=…`) and records the send it finds. So a restart sends
//! nothing twice.

use std::{collections::HashMap, time::Duration};

use chrono::{TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    domain::{
        clock::Clock,
        notifications::{Answer, EventKind, NotifyKey, after_attempt, parse_key},
    },
    store::{Store, StoreError, notifications::Claimed},
};

/// GOV.UK Notify's API.
pub const DEFAULT_BASE_URL: &str = "https://api.notifications.service.gov.uk";

/// How long a claim lasts: longer than one send with its timeout.
const LEASE: TimeDelta = TimeDelta::seconds(60);

/// Messages claimed at once.
const BATCH: i64 = 20;

/// Everything the worker needs to send.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// The API key, split.
    pub key: NotifyKey,
    /// Notify's API, without a trailing slash.
    pub base_url: String,
    /// The template of each event kind.
    pub templates: HashMap<EventKind, String>,
    /// Where people open SEND Planner: the emails' links start here.
    pub public_url: String,
    /// How often the worker looks for due messages.
    pub poll: Duration,
}

/// Why the Notify settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadSettings(String);

/// Reads the Notify settings: none without a key (messages then wait in the outbox); with a
/// key, the key's format and a template for every event kind (`KIND=TEMPLATE_ID`).
pub fn settings(
    key: Option<&str>,
    base_url: &str,
    templates: &[String],
    public_url: &str,
    poll: Duration,
) -> Result<Option<NotifyConfig>, BadSettings> {
    let Some(key) = key.filter(|k| !k.trim().is_empty()) else { return Ok(None) };
    let key = parse_key(key)
        .map_err(|v| BadSettings(format!("--notify-api-key (SEND_PLANNER_NOTIFY_API_KEY) {}", v.reason)))?;
    let mut map = HashMap::new();
    for pair in templates.iter().flat_map(|t| t.split(',')).map(str::trim).filter(|t| !t.is_empty()) {
        let (kind, id) = pair
            .split_once('=')
            .ok_or_else(|| BadSettings(format!("--notify-template {pair:?} is not KIND=TEMPLATE_ID")))?;
        let kind = EventKind::parse(kind.trim()).ok_or_else(|| {
            let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
            BadSettings(format!("--notify-template {kind:?} is not one of: {}", kinds.join(", ")))
        })?;
        map.insert(kind, id.trim().to_owned());
    }
    let missing: Vec<&str> =
        EventKind::ALL.iter().filter(|k| !map.contains_key(k)).map(|k| k.as_str()).collect();
    if !missing.is_empty() {
        return Err(BadSettings(format!(
            "with a Notify API key, every kind of email needs its template: --notify-template KIND=TEMPLATE_ID \
             (or SEND_PLANNER_NOTIFY_TEMPLATES) lacks {}",
            missing.join(", ")
        )));
    }
    Ok(Some(NotifyConfig {
        key,
        base_url: base_url.trim_end_matches('/').to_owned(),
        templates: map,
        public_url: public_url.trim_end_matches('/').to_owned(),
        poll,
    }))
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    iat: i64,
}

#[derive(Serialize)]
struct EmailRequest<'a> {
    email_address: &'a str,
    template_id: &'a str,
    personalisation: Personalisation<'a>,
    reference: &'a str,
}

/// What a template fills in: a greeting and the link. Nothing confidential.
#[derive(Serialize)]
struct Personalisation<'a> {
    name: &'a str,
    link: String,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct Notification {
    id: String,
    #[serde(default)]
    status: String,
}

#[derive(Deserialize)]
struct Found {
    #[serde(default)]
    notifications: Vec<Notification>,
}

/// Talks to Notify.
#[derive(Debug, Clone)]
pub struct Notifier {
    config: NotifyConfig,
    http: reqwest::Client,
}

impl Notifier {
    /// A client for `config`, each request bounded by a timeout.
    pub fn new(config: NotifyConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("send-planner/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { config, http })
    }

    /// The bearer token of a request made now: a JWT, HS256 with the key's secret, issuer the
    /// service id, issued at the real time (Notify allows 30 seconds either way).
    fn token(&self) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims { iss: &self.config.key.service_id, iat: Utc::now().timestamp() };
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(self.config.key.secret.as_bytes()),
        )
    }

    async fn get(&self, path: &str) -> Result<reqwest::Response, Answer> {
        let token = self.token().map_err(|e| Answer::Unreachable(e.to_string()))?;
        self.http
            .get(format!("{}{path}", self.config.base_url))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| Answer::Unreachable(e.to_string()))
    }

    /// Sends one message; Notify's answer and its HTTP status. (Public so that tests can stop
    /// a worker between sending and recording.)
    pub async fn send(&self, m: &Claimed) -> (Answer, Option<u16>) {
        let Some(template) = self.config.templates.get(&m.kind) else {
            return (Answer::Status(400, format!("no template for {}", m.kind.as_str())), None);
        };
        let body = EmailRequest {
            email_address: &m.email_address,
            template_id: template,
            personalisation: Personalisation {
                name: &m.display_name,
                link: format!("{}{}", self.config.public_url, m.link_path),
            },
            reference: &m.reference,
        };
        let token = match self.token() {
            Ok(token) => token,
            Err(e) => return (Answer::Unreachable(e.to_string()), None),
        };
        let sent = self
            .http
            .post(format!("{}/v2/notifications/email", self.config.base_url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => return (Answer::Unreachable(e.to_string()), None),
        };
        let code = response.status().as_u16();
        if response.status().is_success() {
            match response.json::<Created>().await {
                Ok(created) => (Answer::Accepted { id: created.id, status: "created".into() }, Some(code)),
                Err(e) => (Answer::Unreachable(format!("an unreadable answer: {e}")), Some(code)),
            }
        } else {
            let text = response.text().await.unwrap_or_default();
            (Answer::Status(code, text.chars().take(300).collect()), Some(code))
        }
    }

    /// The message Notify already holds under `reference`, if any.
    async fn find(&self, reference: &str) -> Result<Option<Notification>, Answer> {
        let response = self.get(&format!("/v2/notifications?reference={reference}")).await?;
        let code = response.status().as_u16();
        if !response.status().is_success() {
            return Err(Answer::Status(code, response.text().await.unwrap_or_default()));
        }
        let found: Found = response.json().await.map_err(|e| Answer::Unreachable(e.to_string()))?;
        Ok(found.notifications.into_iter().next())
    }

    /// Notify's status of a sent message.
    async fn status(&self, id: &str) -> Option<String> {
        let response = self.get(&format!("/v2/notifications/{id}")).await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        response.json::<Notification>().await.ok().map(|n| n.status)
    }
}

/// One round of the worker at `clock`'s time: claims what is due, sends it (first looking up a
/// lapsed claim's message at Notify), records each attempt, then polls delivery statuses.
/// Answers how many messages it attempted.
pub async fn run_once(store: &Store, clock: &Clock, notifier: &Notifier) -> Result<usize, StoreError> {
    let now = clock.now();
    let claimed = store.claim_notifications(now, now + LEASE, BATCH).await?;
    for m in &claimed {
        if m.reclaimed {
            match notifier.find(&m.reference).await {
                Ok(Some(found)) => {
                    let outcome = after_attempt(
                        Answer::Accepted { id: found.id, status: found.status },
                        m.attempt,
                        clock.now(),
                    );
                    store.record_notification_attempt(m, clock.now(), &outcome, Some(200), true).await?;
                    continue;
                }
                Ok(None) => {}
                Err(answer) => {
                    // Unsure whether it was sent: wait and ask again rather than risk a second email.
                    let outcome = after_attempt(answer, m.attempt, clock.now());
                    store.record_notification_attempt(m, clock.now(), &outcome, None, false).await?;
                    continue;
                }
            }
        }
        let (answer, code) = notifier.send(m).await;
        let outcome = after_attempt(answer, m.attempt, clock.now());
        if !store.record_notification_attempt(m, clock.now(), &outcome, code, false).await? {
            tracing::warn!(message = m.id, "a notification's claim lapsed before its attempt was recorded");
        }
    }
    for (id, notify_id) in store.notifications_in_flight(BATCH).await? {
        if let Some(status) = notifier.status(&notify_id).await {
            store.record_delivery_status(id, &status).await?;
        }
    }
    Ok(claimed.len())
}

/// Runs the worker until `stop` resolves, a round every `poll`.
pub async fn run(store: Store, clock: Clock, notifier: Notifier, stop: tokio::sync::watch::Receiver<bool>) {
    let mut stop = stop;
    let poll = notifier.config.poll;
    loop {
        if let Err(e) = run_once(&store, &clock, &notifier).await {
            tracing::warn!(error = %e, "the notification worker's round failed; it tries again");
        }
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
    }
}
