//! Inbox load time for a DfE user with 500 issued letters, on SQLite and PostgreSQL.
//!
//! Run: `cargo bench -p send-planner --bench inbox` (PostgreSQL via SEND_PLANNER_BENCH_PG_URL,
//! default postgres://postgres@127.0.0.1:5432/postgres; a throwaway database is made and dropped).

use std::time::{Duration, Instant};

use send_planner::{
    domain::{
        audit::Actor,
        clock::{Clock, canonical},
        identity::{NewPerson, NewPersonInput, RecipientBody, Role},
    },
    store::Store,
};

const LETTERS: i64 = 500;

/// 500 issued interim-visit letters distributed to DfE, written straight to the tables.
async fn seed(store: &Store) -> Result<send_planner::domain::identity::Person, Box<dyn std::error::Error>> {
    let now = Clock::system().now();
    let new = NewPerson::parse(NewPersonInput {
        username: "reader.dfe",
        display_name: "DfE Reader",
        password: "a long bench passphrase",
        role: Some(Role::RecipientBody),
        region_code: "",
        local_area_code: "",
        inspectorate: None,
        social_care: false,
        recipient_body: Some(RecipientBody::Dfe),
        email: "",
    })
    .map_err(|e| e.to_string())?;
    let reader = store
        .create_person(&new, "not-a-real-hash", now, |_| {
            Actor::system("bench").event("person.create", "person", "", "ok", "")
        })
        .await?;
    macro_rules! fill {
        ($pool:expr) => {{
            let mut tx = $pool.begin().await?;
            let (engagement,): (i64,) = sqlx::query_as(
                "INSERT INTO engagements (local_area_code, region_code, kind, state, onsite_first, onsite_last, busy_first, \
                   academic_year, term, note, created_by, created_at) \
                 VALUES ('E09000007', 'E13000001', 'interim_visit', 'done', '2027-01-11', '2027-01-12', '2027-01-11', \
                   2026, 'winter', '', $1, $2) RETURNING id",
            )
            .bind(reader.id)
            .bind(canonical(now))
            .fetch_one(&mut *tx)
            .await?;
            for i in 0..LETTERS {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO letters (engagement_id, title, body, state, issued_at, created_by, created_at) \
                     VALUES ($1, $2, $3, 'issued', $4, $5, $4) RETURNING id",
                )
                .bind(engagement)
                .bind(format!("Interim visit letter {i}"))
                .bind("Context\nC\nWhat we found\nF\nNext steps\nN\n".repeat(20))
                .bind(canonical(now))
                .bind(reader.id)
                .fetch_one(&mut *tx)
                .await?;
                for r in ["local_area", "dfe", "nhs_england"] {
                    sqlx::query("INSERT INTO letter_recipients (letter_id, recipient) VALUES ($1, $2)")
                        .bind(id)
                        .bind(r)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
        }};
    }
    match &store.db {
        send_planner::store::Db::Sqlite(pool) => fill!(pool),
        send_planner::store::Db::Postgres(pool) => fill!(pool),
    }
    Ok(reader)
}

async fn bench(label: &str, store: &Store) -> Result<(), Box<dyn std::error::Error>> {
    let reader = seed(store).await?;
    let mut samples: Vec<Duration> = Vec::new();
    for _ in 0..30 {
        let start = Instant::now();
        let inbox = store.inbox(&reader, Clock::system().now()).await?;
        samples.push(start.elapsed());
        assert_eq!(inbox.len(), LETTERS as usize);
    }
    samples.sort();
    let p = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    println!(
        "{label}: inbox of {LETTERS} letters: p50={:.2} ms p99={:.2} ms",
        p(0.5).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use sqlx::Connection as _;
    let dir = tempfile::tempdir()?;
    let sqlite = Store::connect(&format!("sqlite://{}", dir.path().join("inbox.db").display())).await?;
    sqlite.migrate().await?;
    bench("sqlite", &sqlite).await?;
    sqlite.close().await;

    let admin = std::env::var("SEND_PLANNER_BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("send_planner_bench_{:08x}", rand::random::<u32>());
    let mut conn = sqlx::PgConnection::connect(&admin).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
    let pg = Store::connect(&format!("{base}/{name}")).await?;
    let result = async {
        pg.migrate().await?;
        bench("postgres", &pg).await
    }
    .await;
    pg.close().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
        .execute(&mut conn)
        .await?;
    result
}
