//! Prometheus metrics (issue #16, item 4), served in the OpenMetrics text format on a listen
//! address of their own (`--metrics-addr`), never on the public port: requests by method and
//! status code, their latency, the database pool, the audit trail's length and the email outbox
//! by status.

use std::{sync::Arc, time::Duration};

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

use crate::store::Store;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

/// Latency buckets: 1 ms to about 16 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<MethodLabels, Histogram, fn() -> Histogram>,
    pool: Family<StateLabels, Gauge>,
    waiting: Gauge,
    audit_events: Gauge,
    outbox: Family<StateLabels, Gauge>,
}

/// The service's metrics, shared by every request.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("send_planner");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests answered, by method and gRPC (or HTTP) status code",
            requests.clone(),
        );
        let latency = Family::<MethodLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register("request_duration_seconds", "Time to answer a request, by method", latency.clone());
        let pool = Family::<StateLabels, Gauge>::default();
        registry.register("db_pool_connections", "Database connections, in use and idle", pool.clone());
        let waiting = Gauge::default();
        registry.register(
            "db_pool_waiting",
            "Database operations waiting for a free connection",
            waiting.clone(),
        );
        let audit_events = Gauge::default();
        registry.register("audit_events", "Events in the audit trail", audit_events.clone());
        let outbox = Family::<StateLabels, Gauge>::default();
        registry.register("outbox_messages", "Emails in the outbox, by status", outbox.clone());
        Self { inner: Arc::new(Inner { registry, requests, latency, pool, waiting, audit_events, outbox }) }
    }
}

impl Metrics {
    /// Counts one answered request: its method (a bounded label: a method of the contract, a
    /// route's prefix, or "other"), its status code and how long it took.
    pub fn observe(&self, method: &str, code: &str, took: Duration) {
        let method = method.to_owned();
        self.inner
            .requests
            .get_or_create(&RequestLabels { method: method.clone(), code: code.to_owned() })
            .inc();
        self.inner.latency.get_or_create(&MethodLabels { method }).observe(took.as_secs_f64());
    }

    /// The metrics as OpenMetrics text, with the database's figures read now.
    pub async fn render(&self, store: &Store) -> String {
        let (size, idle) = store.pool_sizes();
        let state = |s: &str| StateLabels { state: s.to_owned() };
        self.inner.pool.get_or_create(&state("in_use")).set(i64::from(size.saturating_sub(idle)));
        self.inner.pool.get_or_create(&state("idle")).set(i64::from(idle));
        self.inner.waiting.set(i64::from(store.waiting()));
        match store.audit_head().await {
            Ok(head) => {
                self.inner.audit_events.set(head.seq);
            }
            Err(e) => tracing::warn!(error = %e, "metrics: the audit trail's length could not be read"),
        }
        match store.outbox_counts().await {
            Ok(counts) => {
                for (status, n) in counts {
                    self.inner.outbox.get_or_create(&state(&status)).set(n);
                }
            }
            Err(e) => tracing::warn!(error = %e, "metrics: the outbox could not be read"),
        }
        let mut text = String::new();
        if let Err(e) = encode(&mut text, &self.inner.registry) {
            tracing::warn!(error = %e, "metrics: encoding failed");
        }
        text
    }
}

/// `GET /metrics`.
pub async fn serve_metrics(
    axum::extract::State((metrics, store)): axum::extract::State<(Metrics, Store)>,
) -> impl axum::response::IntoResponse {
    (
        [(http::header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        metrics.render(&store).await,
    )
}
