//! Settings: every one has a command-line flag and an environment variable.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

/// SEND Planner: plans and runs local area SEND inspections and interim visits.
#[derive(Debug, Clone, Parser)]
#[command(name = "send-planner", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The settings shared by every command.
    #[command(flatten)]
    pub settings: Settings,
}

/// The commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Apply migrations and reference data, then serve gRPC, gRPC-web and the web app on one port.
    Serve,
    /// Apply migrations and reference data, then exit.
    Migrate,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Settings for the backend.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    #[arg(
        long,
        env = "SEND_PLANNER_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub addr: SocketAddr,
    /// Database: `sqlite://FILE` (created if missing) or `postgres://USER@HOST:PORT/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://send-planner.db",
        global = true
    )]
    pub database_url: String,
    /// Folder of the built web app (index.html, pkg/, assets/), served on the same port.
    #[arg(
        long,
        env = "SEND_PLANNER_STATIC_DIR",
        default_value = "dist",
        global = true
    )]
    pub static_dir: PathBuf,
    /// Log filter in `tracing` syntax, e.g. `info` or `send_planner=debug,info`.
    #[arg(long, env = "SEND_PLANNER_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Log line format.
    #[arg(
        long,
        env = "SEND_PLANNER_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_is_the_default_and_flags_follow_any_command() {
        let cli = Cli::try_parse_from(["send-planner", "--addr", "127.0.0.1:0"]).expect("parses");
        assert_eq!(cli.command, None);
        assert_eq!(cli.settings.addr.port(), 0);
        let cli =
            Cli::try_parse_from(["send-planner", "migrate", "--database-url", "sqlite://x.db"])
                .expect("parses");
        assert_eq!(cli.command, Some(Command::Migrate));
        assert_eq!(cli.settings.database_url, "sqlite://x.db");
    }

    #[test]
    fn a_bad_address_is_refused_naming_the_flag() {
        let err = Cli::try_parse_from(["send-planner", "--addr", "nowhere"]).expect_err("refused");
        assert!(err.to_string().contains("--addr"), "{err}");
    }
}
