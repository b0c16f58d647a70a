//! The `send-planner` binary's administrator commands, run as a person would run them.

use std::process::{Command, Output};

use send_planner::store::Store;

fn run(db: &str, args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_send-planner"));
    command
        .args(args)
        .env("DATABASE_URL", db)
        .env("SEND_PLANNER_LOG", "warn")
        .env_remove("SEND_PLANNER_PASSWORD");
    if let Some(password) = password {
        command.env("SEND_PLANNER_PASSWORD", password);
    }
    command.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn the_first_administrator_is_created_and_the_audit_trail_checked_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let add = [
        "user",
        "add",
        "--username",
        "first.admin",
        "--display-name",
        "First Admin",
        "--role",
        "administrator",
    ];

    let weak = run(&db, &add, Some("password1234"));
    assert!(!weak.status.success());
    assert!(
        text(&weak.stderr).contains("password: This is a commonly used password"),
        "{}",
        text(&weak.stderr)
    );

    let created = run(&db, &add, Some("a long and unusual passphrase"));
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(
        text(&created.stdout).starts_with("created first.admin (administrator"),
        "{}",
        text(&created.stdout)
    );

    let lead = run(
        &db,
        &[
            "user",
            "add",
            "--username",
            "lead.ne",
            "--display-name",
            "Lead",
            "--role",
            "regional-lead",
            "--scope",
            "E12000001",
        ],
        Some("another long passphrase"),
    );
    assert!(lead.status.success(), "{}", text(&lead.stderr));
    assert!(text(&lead.stdout).contains("North East"), "{}", text(&lead.stdout));

    let checkpoint = run(&db, &["audit", "checkpoint"], None);
    let checkpoint = text(&checkpoint.stdout).trim().to_owned();
    assert!(checkpoint.starts_with("2:") && checkpoint.len() == 66, "{checkpoint}");

    let verified = run(&db, &["audit", "verify", "--checkpoint", &checkpoint], None);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(text(&verified.stdout).contains("intact: 2 events"), "{}", text(&verified.stdout));

    let store = Store::connect(&db).await.expect("opens");
    if let send_planner::store::Db::Sqlite(pool) = &store.db {
        // Each account the command line made is in the trail, made by the command line.
        let events: Vec<(String, String, String)> =
            sqlx::query_as("SELECT action, actor_username, detail FROM audit_events ORDER BY seq")
                .fetch_all(pool)
                .await
                .expect("events");
        let expected =
            [("person.create", "cli", "role=administrator"), ("person.create", "cli", "role=regional_lead")];
        let events: Vec<(&str, &str, &str)> =
            events.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
        assert_eq!(events, expected);
        sqlx::raw_sql("UPDATE audit_events SET actor_username = 'someone else' WHERE seq = 1")
            .execute(pool)
            .await
            .expect("tampered");
    }
    store.close().await;
    let broken = run(&db, &["audit", "verify"], None);
    assert!(!broken.status.success());
    assert!(text(&broken.stderr).contains("event 1 was altered"), "{}", text(&broken.stderr));
}
