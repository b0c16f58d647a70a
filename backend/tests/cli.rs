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

/// Runs the binary with extra environment variables.
fn run_with(db: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_send-planner"));
    command
        .args(args)
        .env("DATABASE_URL", db)
        .env("SEND_PLANNER_LOG", "warn")
        .env_remove("SEND_PLANNER_PASSWORD");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the binary runs")
}

#[tokio::test]
async fn a_history_rewritten_and_rehashed_passes_the_chain_but_not_the_signed_record() {
    use send_planner::domain::audit::{GENESIS_HASH, chain_hash};
    let dir = tempfile::tempdir().expect("temp dir");
    let db = format!("sqlite://{}", dir.path().join("signed.db").display());
    let signed = dir.path().join("audit-signed.jsonl");
    let signed_arg = signed.display().to_string();
    for username in ["first.admin", "second.admin"] {
        let add =
            ["user", "add", "--username", username, "--display-name", "Admin", "--role", "administrator"];
        let made = run(&db, &add, Some("a long and unusual passphrase"));
        assert!(made.status.success(), "{}", text(&made.stderr));
    }
    let keys = text(&run(&db, &["audit", "keygen"], None).stdout);
    let key_after = |label: &str| {
        keys.lines()
            .find(|l| l.starts_with(label))
            .and_then(|l| l.rsplit(' ').next())
            .expect("a key")
            .to_owned()
    };
    let (secret, public) = (key_after("secret key"), key_after("public key"));
    assert!(
        !keys.contains("SEND_PLANNER_AUDIT_SIGNING_KEY=") && secret.len() == 64 && public.len() == 64,
        "{keys}"
    );

    let bad = run_with(
        &db,
        &["audit", "sign", "--audit-signed-file", &signed_arg],
        &[("SEND_PLANNER_AUDIT_SIGNING_KEY", "xyz")],
    );
    assert!(
        !bad.status.success() && text(&bad.stderr).contains("is not an Ed25519 key"),
        "{}",
        text(&bad.stderr)
    );
    let sign = run_with(
        &db,
        &["audit", "sign", "--audit-signed-file", &signed_arg],
        &[("SEND_PLANNER_AUDIT_SIGNING_KEY", &secret)],
    );
    assert!(sign.status.success(), "{}", text(&sign.stderr));
    assert!(text(&sign.stdout).contains("signed events 1 to 2"), "{}", text(&sign.stdout));
    let verify = ["audit", "verify", "--signed", &signed_arg, "--public-key", &public];
    let clean = run(&db, &verify, None);
    assert!(clean.status.success(), "{}", text(&clean.stderr));
    assert!(
        text(&clean.stdout).contains("signed record matches: 2 events as signed"),
        "{}",
        text(&clean.stdout)
    );

    // A database administrator rewrites the first event and recomputes every hash after it.
    let store = Store::connect(&db).await.expect("opens");
    if let send_planner::store::Db::Sqlite(pool) = &store.db {
        sqlx::raw_sql("UPDATE audit_events SET actor_username = 'someone else' WHERE seq = 1")
            .execute(pool)
            .await
            .expect("tampered");
        let mut prev = GENESIS_HASH.to_owned();
        for event in store.audit_events_after(0, 100).await.expect("events") {
            let hash = chain_hash(&prev, event.seq, &event.occurred_at, &event.event);
            sqlx::query("UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(event.seq)
                .execute(pool)
                .await
                .expect("rehashed");
            prev = hash;
        }
        sqlx::query("UPDATE audit_head SET hash = $1").bind(&prev).execute(pool).await.expect("head");
    }
    store.close().await;
    let chain_only = run(&db, &["audit", "verify"], None);
    assert!(
        chain_only.status.success(),
        "the rehashed chain verifies on its own: {}",
        text(&chain_only.stderr)
    );
    let caught = run(&db, &verify, None);
    assert!(!caught.status.success());
    assert!(
        text(&caught.stderr).contains("event 1 differs from the record signed at"),
        "{}",
        text(&caught.stderr)
    );
    // Another key's public half does not accept the record.
    let (_, other) = send_planner::signed_audit::new_key_pair();
    let wrong = run(&db, &["audit", "verify", "--signed", &signed_arg, "--public-key", &other], None);
    assert!(text(&wrong.stderr).contains("is not signed by this key"), "{}", text(&wrong.stderr));
}
