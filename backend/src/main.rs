//! `send-planner`: serve (default) or migrate.

use std::io::BufRead as _;

use anyhow::Context as _;
use clap::Parser as _;
use proto::pb;
use send_planner::{
    admin,
    config::{self, AddUser, AuditCommand, Cli, Command, RoleArg, Settings, UserCommand},
    demo,
    domain::{audit::Actor, clock::Clock},
    grpc::account::create_person,
    signed_audit,
    startup::{Application, shutdown_signal},
    store::Store,
    telemetry,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(&cli.settings.log, cli.settings.log_format)?;
    match cli.command.clone().unwrap_or(Command::Serve) {
        Command::Serve => Application::build(&cli.settings).await?.run_until(shutdown_signal()).await,
        Command::Demo => {
            let mut settings = cli.settings.clone();
            if settings.database_url == config::DEFAULT_DATABASE_URL {
                settings.database_url = demo::DEMO_DATABASE.to_owned();
            }
            let store = open(&settings).await?;
            let seeded = demo::seed(&store, Clock::system().now()).await;
            store.close().await;
            let seeded = seeded.context("the demo could not start")?;
            print_demo(&seeded, &settings);
            Application::build(&settings).await?.run_until(shutdown_signal()).await
        }
        Command::Migrate => {
            let store = open(&cli.settings).await?;
            store.close().await;
            tracing::info!(database = store.kind(), "migrated");
            Ok(())
        }
        Command::User(UserCommand::Add(args)) => {
            let store = open(&cli.settings).await?;
            let request = add_user_request(&args, read_password()?);
            let person = create_person(&store, &request, &Actor::system("cli"), Clock::system().now())
                .await
                .map_err(|status| anyhow::anyhow!("{}", status.message()))?;
            store.close().await;
            println!(
                "created {} ({}, {}) with id {}",
                person.username,
                person.role(),
                person.scope_label,
                person.id
            );
            Ok(())
        }
        Command::Audit(AuditCommand::Verify { checkpoint, signed, public_key }) => {
            let store = open(&cli.settings).await?;
            let verified = admin::verify_audit(&store, checkpoint.as_ref()).await;
            let against = match (&signed, &public_key) {
                (Some(file), Some(key)) => match signed_audit::public_key(key) {
                    Ok(key) => Some(signed_audit::verify_signed(&store, file, &key).await),
                    Err(e) => Some(Err(e)),
                },
                _ => None,
            };
            store.close().await;
            let head = verified.map_err(|e| anyhow::anyhow!("audit trail broken: {e}"))?;
            println!("audit trail intact: {} events, head {}", head.seq, head.hash);
            if let Some(against) = against {
                let matched = against
                    .map_err(|e| anyhow::anyhow!("audit trail differs from its signed record: {e}"))?;
                println!("signed record matches: {matched} events as signed");
            }
            Ok(())
        }
        Command::Audit(AuditCommand::Sign) => {
            let (Some(key), Some(file)) = (&cli.settings.audit_signing_key, &cli.settings.audit_signed_file)
            else {
                anyhow::bail!(
                    "set SEND_PLANNER_AUDIT_SIGNING_KEY and --audit-signed-file to sign the audit trail"
                );
            };
            let key = signed_audit::signing_key(key)?;
            let store = open(&cli.settings).await?;
            let record = signed_audit::sign_new_events(&store, &key, file, Clock::system().now()).await;
            store.close().await;
            match record? {
                Some(r) => println!("signed events {} to {} into {}", r.from_seq, r.to_seq, file.display()),
                None => println!("nothing new to sign"),
            }
            Ok(())
        }
        Command::Audit(AuditCommand::Keygen) => {
            let (secret, public) = signed_audit::new_key_pair();
            println!("secret key (SEND_PLANNER_AUDIT_SIGNING_KEY; keep it outside the database): {secret}");
            println!("public key (audit verify --public-key): {public}");
            Ok(())
        }
        Command::Audit(AuditCommand::Checkpoint) => {
            let store = open(&cli.settings).await?;
            let head = admin::audit_checkpoint(&store).await?;
            store.close().await;
            println!("{head}");
            Ok(())
        }
    }
}

/// The demo's sign-in names and password, on standard output.
fn print_demo(seeded: &demo::Seeded, settings: &Settings) {
    let fresh = matches!(seeded, demo::Seeded::Fresh(_));
    println!(
        "SEND Planner demo ({}) at {}",
        if fresh { "an example programme, just made" } else { "the example programme made before" },
        settings.public_url(settings.addr)
    );
    println!("Sign in as any of these, with the password: {}", demo::DEMO_PASSWORD);
    for account in seeded.accounts() {
        println!("  {:<20} {} ({})", account.username, account.display_name, account.role);
    }
}

async fn open(settings: &send_planner::config::Settings) -> anyhow::Result<Store> {
    let timeout = std::time::Duration::from_secs(settings.database_timeout_seconds.max(1));
    let store = Store::connect_with_timeout(&settings.database_url, timeout)
        .await
        .context("failed to open the database")?;
    store.migrate().await.context("failed to migrate the database")?;
    Ok(store)
}

/// SEND_PLANNER_PASSWORD, or the first line of standard input: never a command-line argument,
/// which other users of the machine could read.
fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("SEND_PLANNER_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("failed to read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn add_user_request(args: &AddUser, password: String) -> pb::CreatePersonRequest {
    let mut request = pb::CreatePersonRequest {
        username: args.username.clone(),
        display_name: args.display_name.clone(),
        password,
        social_care: args.social_care,
        ..Default::default()
    };
    let scope = args.scope.clone();
    let role = match args.role {
        RoleArg::NationalPlanner => pb::Role::NationalPlanner,
        RoleArg::RegionalLead => {
            request.region_code = scope;
            pb::Role::RegionalLead
        }
        RoleArg::LocalAreaUser => {
            request.local_area_code = scope;
            pb::Role::LocalAreaUser
        }
        RoleArg::Inspector => {
            request.region_code = scope;
            pb::Role::Inspector
        }
        RoleArg::RecipientBody => {
            request.recipient_body = match scope.as_str() {
                "dfe" => pb::RecipientBody::Dfe.into(),
                "nhs-england" => pb::RecipientBody::NhsEngland.into(),
                _ => 0,
            };
            pb::Role::RecipientBody
        }
        RoleArg::Administrator => pb::Role::Administrator,
    };
    request.role = role.into();
    request.inspectorate = match args.inspectorate.as_str() {
        "ofsted" => pb::Inspectorate::Ofsted.into(),
        "cqc" => pb::Inspectorate::Cqc.into(),
        _ => 0,
    };
    request
}
