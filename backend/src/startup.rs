//! Builds the application: store, services, one listener for gRPC, gRPC-web and static files.

use std::{future::Future, net::SocketAddr, path::Path, sync::Arc};

use anyhow::Context as _;
use http::{HeaderValue, Response, header};
use proto::pb::{
    account_service_server::AccountServiceServer, audit_service_server::AuditServiceServer,
    auth_service_server::AuthServiceServer, case_study_service_server::CaseStudyServiceServer,
    consent_service_server::ConsentServiceServer, letter_service_server::LetterServiceServer,
    notification_service_server::NotificationServiceServer, programme_service_server::ProgrammeServiceServer,
    reference_service_server::ReferenceServiceServer, scheduling_service_server::SchedulingServiceServer,
    setup_service_server::SetupServiceServer, start_service_server::StartServiceServer,
};
use tokio::net::TcpListener;
use tonic_health::server::HealthReporter;
use tower_http::{set_header::SetResponseHeaderLayer, trace::TraceLayer};

use crate::{
    auth::{Authenticator, authorize},
    config::Settings,
    domain::clock::Clock,
    grpc::{
        account::AccountService,
        audit::AuditService,
        auth::AuthService,
        case_studies::CaseStudyService,
        consent::{self, ConsentService},
        documents::{self, Documents},
        letters::{self, LetterPdfs, LetterService},
        notifications::NotificationService,
        programme::ProgrammeService,
        reference::ReferenceService,
        scheduling::SchedulingService,
        setup::{self, SetupService},
        start::StartService,
    },
    store::Store,
    web_app::{self, WebApp},
};

/// The web app's Content-Security-Policy: only its own scripts (and their WebAssembly), styles,
/// fonts and images; calls only to its own origin; never framed.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
    form-action 'self'";

/// Whether a response of the web app is one a browser can open as a document: the page shell
/// (HTML) or an SVG image, which may hold scripts. The policy and referrer headers apply only to
/// documents, so they go only on those; the wasm modules, scripts and styles of a start page,
/// about 200 small files, would otherwise carry them about 300 bytes a time (issue #17).
fn is_document<B>(response: &Response<B>) -> bool {
    response.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).is_none_or(|kind| {
        let kind = kind.to_ascii_lowercase();
        kind.starts_with("text/html") || kind.starts_with("image/svg+xml")
    })
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    store: Store,
    health: HealthReporter,
    setup_link: Option<String>,
    notifier: Option<crate::notify::Notifier>,
    clock: Clock,
    metrics: Option<(TcpListener, crate::metrics::Metrics)>,
    signing: Option<(ed25519_dalek::SigningKey, std::path::PathBuf, std::time::Duration)>,
}

impl Application {
    /// Connects the store, applies migrations, binds the listener and assembles the services.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// As [`Application::build`], with a clock tests can move.
    pub async fn build_with_clock(settings: &Settings, clock: Clock) -> anyhow::Result<Self> {
        let store = Store::connect_with_timeout(
            &settings.database_url,
            std::time::Duration::from_secs(settings.database_timeout_seconds.max(1)),
        )
        .await
        .context("failed to open the database")?;
        store.migrate().await.context("failed to migrate the database")?;
        let auth = Arc::new(
            Authenticator::new(store.clone(), clock.clone(), settings.sessions())
                .await
                .context("failed to set up sign-in")?
                .with_request_timeout(std::time::Duration::from_secs(
                    settings.request_timeout_seconds.max(1),
                )),
        );
        let (health, health_service) = tonic_health::server::health_reporter();
        set_serving(&health, true).await;
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("failed to listen on {}", settings.addr))?;
        let bound = listener.local_addr().unwrap_or(settings.addr);
        let notifier = match settings.notify(bound).context("the GOV.UK Notify settings are wrong")? {
            Some(config) => {
                Some(crate::notify::Notifier::new(config).context("failed to set up the Notify client")?)
            }
            None => {
                tracing::info!("no GOV.UK Notify API key: emails wait in the outbox (see /notifications)");
                None
            }
        };
        // A database with no administrator: a one-time link to make the first one in the browser.
        let setup_link = setup::issue_setup_token(&store, clock.now())
            .await
            .context("failed to issue the first-run setup link")?
            .map(|token| format!("{}/setup?token={token}", settings.public_url(bound)));
        if let Some(link) = &setup_link {
            tracing::warn!(
                "no administrator yet: open {link} within an hour to create the first one (valid once; \
                 restart for a new link, or use `send-planner user add`)"
            );
        }
        let router =
            router(&store, &auth, health_service, &settings.static_dir, clock.clone(), notifier.is_some())?;
        let metrics = match settings.metrics_addr {
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("failed to listen for metrics on {addr}"))?;
                Some((listener, auth.metrics().clone()))
            }
            None => None,
        };
        let signing = match (&settings.audit_signing_key, &settings.audit_signed_file) {
            (Some(key), Some(file)) => {
                let key = crate::signed_audit::signing_key(key).context("--audit-signing-key")?;
                let every = std::time::Duration::from_secs(settings.audit_sign_minutes.max(1) * 60);
                Some((key, file.clone(), every))
            }
            (None, None) => None,
            _ => anyhow::bail!(
                "signing the audit trail needs both --audit-signing-key and --audit-signed-file"
            ),
        };
        Ok(Self { listener, router, store, health, setup_link, notifier, clock, metrics, signing })
    }

    /// Where the metrics are served, if they are.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// The first-run setup link logged at start, if the database had no administrator.
    pub fn setup_link(&self) -> Option<&str> {
        self.setup_link.as_deref()
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| ([127, 0, 0, 1], 0).into())
    }

    /// The store, for tests and admin commands.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until `shutdown` completes, then stops accepting, finishes in-flight requests
    /// and closes the database.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let Self { listener, router, store, health, notifier, clock, metrics, signing, .. } = self;
        let (stop_worker, stopped) = tokio::sync::watch::channel(false);
        let worker = notifier
            .map(|n| tokio::spawn(crate::notify::run(store.clone(), clock.clone(), n, stopped.clone())));
        let metrics_server = metrics.map(|(listener, metrics)| {
            let app = axum::Router::new()
                .route("/metrics", axum::routing::get(crate::metrics::serve_metrics))
                .with_state((metrics, store.clone()));
            let mut stop = stopped.clone();
            tokio::spawn(async move {
                let stopped = async move {
                    let _ = stop.changed().await;
                };
                axum::serve(listener, app).with_graceful_shutdown(stopped).await
            })
        });
        let readiness = tokio::spawn(watch_readiness(store.clone(), health.clone(), stopped.clone()));
        let signer = signing.map(|(key, file, every)| {
            tokio::spawn(crate::signed_audit::run(
                store.clone(),
                clock.clone(),
                key,
                file,
                every,
                stopped.clone(),
            ))
        });
        tracing::info!(addr = %listener.local_addr()?, database = store.kind(), "serving");
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight requests");
            set_serving(&health, false).await;
        };
        // Without TCP_NODELAY, a response's last segment waits on the peer's delayed ACK:
        // about 40 ms added to calls with large bodies (measured by the consent benchmark).
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!(error = %e, "failed to set TCP_NODELAY");
            }
        });
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(signal)
            .await
            .context("server failed")?;
        let _ = stop_worker.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        if let Some(server) = metrics_server {
            let _ = server.await;
        }
        let _ = readiness.await;
        if let Some(signer) = signer {
            let _ = signer.await;
        }
        store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Every 5 seconds, asks the database a trivial question and reports the services as not
/// serving while it does not answer (load balancers then send requests elsewhere), serving again
/// when it does; until `stop`.
async fn watch_readiness(store: Store, health: HealthReporter, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut serving = true;
    loop {
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            _ = stop.changed() => return,
        }
        let up = tokio::time::timeout(std::time::Duration::from_secs(3), store.ping())
            .await
            .is_ok_and(|r| r.is_ok());
        if up != serving {
            if up {
                tracing::info!("the database answers again: serving");
            } else {
                tracing::warn!("the database does not answer: health NOT_SERVING until it does");
            }
            set_serving(&health, up).await;
            serving = up;
        }
    }
}

/// Reports every service as serving (or not) to health checkers.
async fn set_serving(health: &HealthReporter, serving: bool) {
    macro_rules! each {
        ($($service:ty),*) => {$(
            if serving {
                health.set_serving::<$service>().await;
            } else {
                health.set_not_serving::<$service>().await;
            }
        )*};
    }
    each!(
        ReferenceServiceServer<ReferenceService>,
        AuthServiceServer<AuthService>,
        AccountServiceServer<AccountService>,
        SetupServiceServer<SetupService>,
        NotificationServiceServer<NotificationService>,
        AuditServiceServer<AuditService>,
        ConsentServiceServer<ConsentService>,
        ProgrammeServiceServer<ProgrammeService>,
        LetterServiceServer<LetterService>,
        CaseStudyServiceServer<CaseStudyService>
    );
}

fn router(
    store: &Store,
    auth: &Arc<Authenticator>,
    health: tonic_health::pb::health_server::HealthServer<impl tonic_health::pb::health_server::Health>,
    static_dir: &Path,
    clock: Clock,
    notify_configured: bool,
) -> anyhow::Result<axum::Router> {
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1().context("failed to build reflection")?;
    let reflection_v1alpha = reflection().build_v1alpha().context("failed to build reflection")?;
    if !static_dir.join("index.html").is_file() {
        tracing::warn!(dir = %static_dir.display(), "no built web app found; run scripts/build-frontend.sh");
    }
    let web_app = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            |response: &Response<axum::body::Body>| {
                is_document(response).then(|| HeaderValue::from_static(CSP))
            },
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            |response: &Response<axum::body::Body>| {
                is_document(response).then(|| HeaderValue::from_static("no-referrer"))
            },
        ))
        .service(axum::Router::new().fallback(web_app::serve).with_state(WebApp::new(static_dir)));
    let grpc = tonic::service::Routes::new(health)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(
            ReferenceServiceServer::new(ReferenceService::new(store.clone()))
                .max_decoding_message_size(crate::grpc::MAX_REQUEST_BYTES),
        )
        .add_service(
            AuthServiceServer::new(AuthService::new(store.clone(), auth.clone()))
                .max_decoding_message_size(crate::grpc::MAX_REQUEST_BYTES),
        )
        .add_service(
            SetupServiceServer::new(SetupService::new(store.clone(), clock))
                .max_decoding_message_size(crate::grpc::MAX_REQUEST_BYTES),
        )
        .add_service(
            NotificationServiceServer::new(NotificationService::new(store.clone(), notify_configured))
                .max_decoding_message_size(crate::grpc::MAX_REQUEST_BYTES),
        )
        .add_service(
            AccountServiceServer::new(AccountService::new(store.clone(), auth.clone()))
                .max_decoding_message_size(crate::grpc::MAX_REQUEST_BYTES),
        )
        .add_service(
            AuditServiceServer::new(AuditService::new(store.clone(), auth.clone()))
                .max_decoding_message_size(crate::grpc::MAX_REQUEST_BYTES),
        )
        .add_service(
            ConsentServiceServer::new(ConsentService::new(store.clone(), auth.clone()))
                .max_decoding_message_size(consent::MAX_MESSAGE_BYTES),
        )
        .add_service(
            ProgrammeServiceServer::new(ProgrammeService::new(store.clone(), auth.clone()))
                .max_decoding_message_size(crate::grpc::MAX_REQUEST_BYTES),
        )
        .add_service(
            LetterServiceServer::new(LetterService::new(store.clone(), auth.clone()))
                .max_decoding_message_size(crate::grpc::MAX_TEXT_REQUEST_BYTES),
        )
        .add_service(
            CaseStudyServiceServer::new(CaseStudyService::new(store.clone(), auth.clone()))
                .max_decoding_message_size(crate::grpc::MAX_TEXT_REQUEST_BYTES),
        )
        .add_service(
            StartServiceServer::new(StartService::new(store.clone(), auth.clone()))
                .max_decoding_message_size(crate::grpc::MAX_REQUEST_BYTES),
        )
        .add_service(
            SchedulingServiceServer::new(SchedulingService::new(store.clone(), auth.clone()))
                .max_decoding_message_size(crate::grpc::MAX_REQUEST_BYTES),
        )
        .into_axum_router()
        // Every call passes the access check first (inside gRPC-web decoding, so its refusals
        // reach browsers as gRPC-web too).
        .layer(axum::middleware::from_fn_with_state(auth.clone(), authorize))
        // gRPC-web on the gRPC routes only: tonic-web answers other HTTP/1.1 requests with 400.
        .layer(tonic_web::GrpcWebLayer::new())
        // Large gRPC-web replies compressed for browsers (HTTP Content-Encoding, see web_app).
        .layer(axum::middleware::from_fn(web_app::buffer_grpc_web))
        .layer(web_app::compress_grpc_web());
    let documents = axum::Router::new()
        .route("/documents/{id}", axum::routing::get(documents::download))
        .with_state(Documents { store: store.clone(), auth: auth.clone() })
        .layer(axum::middleware::from_fn_with_state(auth.clone(), authorize));
    let letter_pdfs = axum::Router::new()
        .route("/letters/{id}/pdf", axum::routing::get(letters::download_pdf))
        .with_state(LetterPdfs { store: store.clone(), auth: auth.clone() })
        .layer(axum::middleware::from_fn_with_state(auth.clone(), authorize));
    Ok(grpc.merge(documents).merge(letter_pdfs).fallback_service(web_app).layer(TraceLayer::new_for_http()))
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "failed to listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "failed to listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
