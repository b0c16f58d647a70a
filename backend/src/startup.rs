//! Builds the application: store, services, one listener for gRPC, gRPC-web and static files.

use std::{future::Future, net::SocketAddr, path::Path};

use anyhow::Context as _;
use proto::pb::reference_service_server::ReferenceServiceServer;
use tokio::net::TcpListener;
use tonic_health::server::HealthReporter;
use tower_http::{
    services::{ServeDir, ServeFile},
    trace::TraceLayer,
};

use crate::{config::Settings, grpc::reference::ReferenceService, store::Store};

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    store: Store,
    health: HealthReporter,
}

impl Application {
    /// Connects the store, applies migrations, binds the listener and assembles the services.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let store = Store::connect(&settings.database_url)
            .await
            .context("failed to open the database")?;
        store
            .migrate()
            .await
            .context("failed to migrate the database")?;
        let (health, health_service) = tonic_health::server::health_reporter();
        health
            .set_serving::<ReferenceServiceServer<ReferenceService>>()
            .await;
        let router = router(&store, health_service, &settings.static_dir)?;
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("failed to listen on {}", settings.addr))?;
        Ok(Self {
            listener,
            router,
            store,
            health,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| ([127, 0, 0, 1], 0).into())
    }

    /// The store, for tests and admin commands.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until `shutdown` completes, then stops accepting, finishes in-flight requests
    /// and closes the database.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Self {
            listener,
            router,
            store,
            health,
        } = self;
        tracing::info!(addr = %listener.local_addr()?, database = store.kind(), "serving");
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight requests");
            health
                .set_not_serving::<ReferenceServiceServer<ReferenceService>>()
                .await;
        };
        axum::serve(listener, router)
            .with_graceful_shutdown(signal)
            .await
            .context("server failed")?;
        store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

fn router(
    store: &Store,
    health: tonic_health::pb::health_server::HealthServer<
        impl tonic_health::pb::health_server::Health,
    >,
    static_dir: &Path,
) -> anyhow::Result<axum::Router> {
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection()
        .build_v1()
        .context("failed to build reflection")?;
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .context("failed to build reflection")?;
    if !static_dir.join("index.html").is_file() {
        tracing::warn!(dir = %static_dir.display(), "no built web app found; run scripts/build-frontend.sh");
    }
    let web_app = ServeDir::new(static_dir).fallback(ServeFile::new(static_dir.join("index.html")));
    let grpc = tonic::service::Routes::new(health)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(ReferenceServiceServer::new(ReferenceService::new(
            store.clone(),
        )))
        .into_axum_router()
        // gRPC-web on the gRPC routes only: tonic-web answers other HTTP/1.1 requests with 400.
        .layer(tonic_web::GrpcWebLayer::new());
    Ok(grpc
        .fallback_service(web_app)
        .layer(TraceLayer::new_for_http()))
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
