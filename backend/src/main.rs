//! `send-planner`: serve (default) or migrate.

use clap::Parser as _;
use send_planner::{
    config::{Cli, Command},
    startup::{Application, shutdown_signal},
    store::Store,
    telemetry,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(&cli.settings.log, cli.settings.log_format)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            Application::build(&cli.settings)
                .await?
                .run_until(shutdown_signal())
                .await
        }
        Command::Migrate => {
            let store = Store::connect(&cli.settings.database_url).await?;
            store.migrate().await?;
            store.close().await;
            tracing::info!(database = store.kind(), "migrated");
            Ok(())
        }
    }
}
