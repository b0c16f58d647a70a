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
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Apply migrations and reference data, then serve gRPC, gRPC-web and the web app on one port.
    Serve,
    /// Apply migrations and reference data, then exit.
    Migrate,
    /// Serve an example programme to look around in, from a database of its own
    /// (send-planner-demo.db unless --database-url names another): seeded on first run with
    /// fictional people in every role; prints their sign-in names and the one password.
    Demo,
    /// Manage accounts from the command line (e.g. the first administrator).
    #[command(subcommand)]
    User(UserCommand),
    /// Check or checkpoint the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// Account commands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from SEND_PLANNER_PASSWORD or, if unset, from the
    /// first line of standard input; it never appears on the command line.
    Add(AddUser),
}

/// The roles, as command-line values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// All of England.
    NationalPlanner,
    /// One region (--scope REGION_CODE).
    RegionalLead,
    /// One local area (--scope ONS_CODE).
    LocalAreaUser,
    /// Ofsted or CQC inspector (--scope HOME_REGION_CODE --inspectorate …).
    Inspector,
    /// DfE or NHS England (--scope dfe|nhs-england).
    RecipientBody,
    /// Manages accounts.
    Administrator,
}

/// `user add`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct AddUser {
    /// Username (3 to 64 of a-z 0-9 . _ - @).
    #[arg(long)]
    pub username: String,
    /// Name shown to people.
    #[arg(long)]
    pub display_name: String,
    /// Role.
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Region code (regional lead, inspector's home region), local area ONS code (local area
    /// user) or recipient body (`dfe`, `nhs-england`).
    #[arg(long, default_value = "")]
    pub scope: String,
    /// Inspector's inspectorate: `ofsted` or `cqc`.
    #[arg(long, default_value = "")]
    pub inspectorate: String,
    /// Ofsted inspector with a social care specialism.
    #[arg(long)]
    pub social_care: bool,
}

/// Audit trail commands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and report the first broken link; exits non-zero if broken.
    Verify {
        /// A head printed earlier by `audit checkpoint` (SEQ:HASH): also detects truncation.
        #[arg(long)]
        checkpoint: Option<crate::admin::Checkpoint>,
        /// The file of signed records (`--audit-signed-file` of the server): also checks every
        /// event against what was signed, which catches a history rewritten and rehashed.
        #[arg(long, requires = "public_key")]
        signed: Option<PathBuf>,
        /// The public key of the signing key, 64 hex digits.
        #[arg(long, requires = "signed")]
        public_key: Option<String>,
    },
    /// Sign the events not yet signed now and append the record to `--audit-signed-file`
    /// (the server does this every few minutes).
    Sign,
    /// Print a new Ed25519 key pair for signing the audit trail: the secret for
    /// SEND_PLANNER_AUDIT_SIGNING_KEY, the public key for `audit verify --public-key`.
    Keygen,
    /// Print the chain's head (SEQ:HASH) to keep outside the system.
    Checkpoint,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The default of `--database-url`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://send-planner.db";

/// Settings for the backend.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "SEND_PLANNER_ADDR", default_value = "127.0.0.1:8080", global = true)]
    pub addr: SocketAddr,
    /// Database: `sqlite://FILE` (created if missing) or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    /// Folder of the built web app (index.html, pkg/, assets/), served on the same port.
    #[arg(long, env = "SEND_PLANNER_STATIC_DIR", default_value = "dist", global = true)]
    pub static_dir: PathBuf,
    /// Log filter in `tracing` syntax, e.g. `info` or `send_planner=debug,info`.
    #[arg(long, env = "SEND_PLANNER_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Log line format.
    #[arg(long, env = "SEND_PLANNER_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,
    /// Minutes a session may stay unused before it ends.
    #[arg(long, env = "SEND_PLANNER_SESSION_IDLE_MINUTES", default_value_t = 30, global = true)]
    pub session_idle_minutes: u32,
    /// Hours after sign-in at which a session ends, used or not.
    #[arg(long, env = "SEND_PLANNER_SESSION_ABSOLUTE_HOURS", default_value_t = 12, global = true)]
    pub session_absolute_hours: u32,
    /// The address people open SEND Planner at, e.g. `https://send-planner.example.gov.uk`, for
    /// links the server hands out (the first-run setup link); `http://` and the listening
    /// address when unset.
    #[arg(long, env = "SEND_PLANNER_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// GOV.UK Notify API key (`NAME-SERVICE_ID-SECRET`). Without one, emails wait in the outbox.
    #[arg(long, env = "SEND_PLANNER_NOTIFY_API_KEY", hide_env_values = true, global = true)]
    pub notify_api_key: Option<String>,
    /// GOV.UK Notify's API address.
    #[arg(long, env = "SEND_PLANNER_NOTIFY_BASE_URL", default_value = crate::notify::DEFAULT_BASE_URL, global = true)]
    pub notify_base_url: String,
    /// A Notify email template for one kind of email, `KIND=TEMPLATE_ID`, once per kind
    /// (new_request, reply_reminder, request_answered, visit_notified, letter_returned,
    /// letter_issued, safeguarding_concern); the variable takes them comma-separated.
    #[arg(
        long = "notify-template",
        env = "SEND_PLANNER_NOTIFY_TEMPLATES",
        value_delimiter = ',',
        global = true
    )]
    pub notify_templates: Vec<String>,
    /// Ed25519 secret key (64 hex digits) the server signs the audit trail with; keep it outside
    /// the database. With `--audit-signed-file`.
    #[arg(long, env = "SEND_PLANNER_AUDIT_SIGNING_KEY", hide_env_values = true, global = true)]
    pub audit_signing_key: Option<String>,
    /// File outside the database the signed records are appended to.
    #[arg(long, env = "SEND_PLANNER_AUDIT_SIGNED_FILE", global = true)]
    pub audit_signed_file: Option<PathBuf>,
    /// Minutes between signed records (sooner once 1,000 events wait).
    #[arg(long, env = "SEND_PLANNER_AUDIT_SIGN_MINUTES", default_value_t = 5, global = true)]
    pub audit_sign_minutes: u64,
    /// Seconds a request may take before it is abandoned and answered DEADLINE_EXCEEDED (a
    /// client's shorter `grpc-timeout` wins).
    #[arg(long, env = "SEND_PLANNER_REQUEST_TIMEOUT_SECONDS", default_value_t = 30, global = true)]
    pub request_timeout_seconds: u64,
    /// Seconds one database call may wait: for a free connection (also while the database is
    /// down), for a lock, or for one statement; past it the request answers UNAVAILABLE.
    #[arg(long, env = "SEND_PLANNER_DATABASE_TIMEOUT_SECONDS", default_value_t = 10, global = true)]
    pub database_timeout_seconds: u64,
    /// Address of the Prometheus metrics (`/metrics`), apart from the public port; none: off.
    #[arg(long, env = "SEND_PLANNER_METRICS_ADDR", global = true)]
    pub metrics_addr: Option<SocketAddr>,
    /// Seconds between the notification worker's rounds.
    #[arg(long, env = "SEND_PLANNER_NOTIFY_POLL_SECONDS", default_value_t = 10, global = true)]
    pub notify_poll_seconds: u64,
}

impl Settings {
    /// Where people open SEND Planner, without a trailing slash; `bound` is the address the
    /// server listens on (its port when `--addr` asked for port 0).
    pub fn public_url(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{bound}"),
        }
    }

    /// The Notify settings (none without a key), checked; `bound` as for [`Settings::public_url`].
    pub fn notify(
        &self,
        bound: SocketAddr,
    ) -> Result<Option<crate::notify::NotifyConfig>, crate::notify::BadSettings> {
        crate::notify::settings(
            self.notify_api_key.as_deref(),
            &self.notify_base_url,
            &self.notify_templates,
            &self.public_url(bound),
            std::time::Duration::from_secs(self.notify_poll_seconds.max(1)),
        )
    }

    /// Session lifetimes.
    pub fn sessions(&self) -> crate::auth::SessionSettings {
        crate::auth::SessionSettings {
            idle: chrono::TimeDelta::minutes(i64::from(self.session_idle_minutes.max(1))),
            absolute: chrono::TimeDelta::hours(i64::from(self.session_absolute_hours.max(1))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_is_the_default_and_flags_follow_any_command() {
        let cli = Cli::try_parse_from(["send-planner", "--addr", "127.0.0.1:0"]).expect("parses");
        assert_eq!(cli.command, None);
        assert_eq!(cli.settings.addr.port(), 0);
        let cli = Cli::try_parse_from(["send-planner", "migrate", "--database-url", "sqlite://x.db"])
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
