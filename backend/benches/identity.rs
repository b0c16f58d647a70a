//! Sign-in latency, audit append cost and audit verification time.
//!
//! Run: `cargo bench -p send-planner --bench identity` (PostgreSQL numbers use
//! SEND_PLANNER_BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres; a throwaway
//! database is created and dropped).

use std::time::{Duration, Instant};

use send_planner::{
    admin::verify_audit,
    auth::{Authenticator, SessionSettings, password},
    domain::{
        audit::{Actor, GENESIS_HASH, chain_hash},
        clock::{Clock, canonical},
        identity::{NewPerson, NewPersonInput, Role},
    },
    store::Store,
};

fn summary(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let n = samples.len();
    let mean = samples.iter().sum::<Duration>() / u32::try_from(n).unwrap_or(1);
    let p = |q: f64| samples[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
    println!(
        "{label:<44} n={n:<6} mean={:>9.3} ms  p50={:>9.3} ms  p99={:>9.3} ms",
        mean.as_secs_f64() * 1e3,
        p(0.50).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3
    );
}

async fn timed<F: std::future::Future>(f: F) -> (F::Output, Duration) {
    let start = Instant::now();
    let out = f.await;
    (out, start.elapsed())
}

async fn pg_store() -> Option<(Store, String, String)> {
    use sqlx::Connection as _;
    let admin = std::env::var("SEND_PLANNER_BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("send_planner_bench_{:08x}", rand::random::<u32>());
    let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.ok()?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
    let store = Store::connect(&format!("{base}/{name}")).await.ok()?;
    store.migrate().await.ok()?;
    Some((store, admin, name))
}

async fn drop_pg(admin: &str, name: &str) {
    use sqlx::Connection as _;
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut conn)
            .await;
    }
}

async fn bench_store(label: &str, store: &Store) -> anyhow::Result<()> {
    let clock = Clock::system();
    // Sign-in: one account, successful sign-ins end to end (throttle check, lookup, argon2
    // verify, session insert and audit append in one transaction).
    let new = NewPerson::parse(NewPersonInput {
        username: "bench.planner",
        display_name: "Bench",
        password: "a long bench passphrase",
        role: Some(Role::NationalPlanner),
        region_code: "",
        local_area_code: "",
        inspectorate: None,
        social_care: false,
        recipient_body: None,
        email: "",
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = password::hash(new.password.clone()).await?;
    store
        .create_person(&new, &hash, clock.now(), |_| {
            Actor::system("bench").event("person.create", "person", "1", "ok", "")
        })
        .await?;
    let auth = Authenticator::new(
        store.clone(),
        clock.clone(),
        SessionSettings { idle: chrono::TimeDelta::minutes(30), absolute: chrono::TimeDelta::hours(12) },
    )
    .await?;
    let mut samples = Vec::new();
    for _ in 0..40 {
        let (r, t) = timed(auth.sign_in("bench.planner", "a long bench passphrase", None, "bench")).await;
        r?;
        samples.push(t);
    }
    summary(&format!("{label}: sign-in, end to end"), samples);

    // Audit append: one event per transaction (the cost each audited change pays).
    let actor = Actor::system("bench");
    let mut samples = Vec::new();
    for i in 0..1000 {
        let event = actor.event("bench.append", "bench", &i.to_string(), "ok", "");
        let (r, t) = timed(store.append_audit(clock.now(), &event)).await;
        r?;
        samples.push(t);
    }
    summary(&format!("{label}: audit append, own transaction"), samples);
    Ok(())
}

/// Writes `n` valid chained events after the current head, in one transaction per 10,000.
async fn fill_chain(store: &Store, n: i64) -> anyhow::Result<()> {
    let head = store.audit_head().await?;
    let (mut seq, mut prev) = (head.seq, head.hash);
    let now = canonical(Clock::system().now());
    let actor = Actor::system("bench");
    while seq < head.seq + n {
        let upto = (seq + 10_000).min(head.seq + n);
        let mut rows = Vec::new();
        while seq < upto {
            seq += 1;
            let event = actor.event("bench.fill", "bench", &seq.to_string(), "ok", "");
            let hash = chain_hash(&prev, seq, &now, &event);
            rows.push((seq, event, prev.clone(), hash.clone()));
            prev = hash;
        }
        macro_rules! insert {
            ($pool:expr) => {{
                let mut tx = $pool.begin().await?;
                for (seq, e, prev_hash, hash) in &rows {
                    sqlx::query(
                        "INSERT INTO audit_events (seq, occurred_at, actor_id, actor_username, actor_role, action, \
                         object_type, object_id, outcome, request_id, detail, prev_hash, hash) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                    )
                    .bind(seq)
                    .bind(&now)
                    .bind(&e.actor_id)
                    .bind(&e.actor_username)
                    .bind(&e.actor_role)
                    .bind(&e.action)
                    .bind(&e.object_type)
                    .bind(&e.object_id)
                    .bind(&e.outcome)
                    .bind(&e.request_id)
                    .bind(&e.detail)
                    .bind(prev_hash)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(seq)
                    .bind(&prev)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }};
        }
        match &store.db {
            send_planner::store::Db::Sqlite(pool) => insert!(pool),
            send_planner::store::Db::Postgres(pool) => insert!(pool),
        }
    }
    let _ = GENESIS_HASH;
    Ok(())
}

async fn bench_verify(label: &str, store: &Store) -> anyhow::Result<()> {
    let have = store.audit_head().await?.seq;
    fill_chain(store, 100_000 - have).await?;
    let mut samples = Vec::new();
    for _ in 0..3 {
        let (r, t) = timed(verify_audit(store, None)).await;
        assert_eq!(r?.seq, 100_000);
        samples.push(t);
    }
    summary(&format!("{label}: verify 100,000 events"), samples);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // argon2id on its own: the floor of sign-in latency.
    let hash = password::hash("a long bench passphrase".into()).await?;
    let mut samples = Vec::new();
    for _ in 0..40 {
        let (ok, t) = timed(password::verify("a long bench passphrase".into(), hash.clone())).await;
        assert!(ok);
        samples.push(t);
    }
    summary("argon2id verify (m=19 MiB, t=2, p=1)", samples);

    let dir = tempfile::tempdir()?;
    let sqlite = Store::connect(&format!("sqlite://{}", dir.path().join("bench.db").display())).await?;
    sqlite.migrate().await?;
    bench_store("sqlite", &sqlite).await?;
    bench_verify("sqlite", &sqlite).await?;
    sqlite.close().await;

    match pg_store().await {
        Some((store, admin, name)) => {
            let result = async {
                bench_store("postgres", &store).await?;
                bench_verify("postgres", &store).await
            }
            .await;
            store.close().await;
            drop_pg(&admin, &name).await;
            result?;
        }
        None => println!("postgres: not reachable, skipped"),
    }
    Ok(())
}
