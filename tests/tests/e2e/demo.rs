//! `send-planner demo` (issue #12, item 2): the example programme it seeds, through the
//! service's own handlers, and its refusal to touch a database that holds anything else.

use integration_tests::{DbKind, TestDatabase};
use send_planner::{
    auth::password,
    demo::{self, DEMO_PASSWORD, Seeded},
    store::{Db, Store},
};

/// The first column of every row `sql` returns, as text.
async fn column(store: &Store, sql: &'static str) -> anyhow::Result<Vec<String>> {
    Ok(match &store.db {
        Db::Sqlite(pool) => sqlx::query_as::<_, (String,)>(sql).fetch_all(pool).await?,
        Db::Postgres(pool) => sqlx::query_as::<_, (String,)>(sql).fetch_all(pool).await?,
    }
    .into_iter()
    .map(|(v,)| v)
    .collect())
}

fn demo_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-03T09:00:00Z").expect("time").to_utc()
}

#[tokio::test]
async fn the_demo_gives_every_role_a_realistic_programme_and_seeds_only_once() -> anyhow::Result<()> {
    let db = TestDatabase::new(DbKind::from_env()).await?;
    let store = db.store().await?;
    let seeded = demo::seed(&store, demo_now()).await?;
    let Seeded::Fresh(accounts) = &seeded else { anyhow::bail!("a fresh database is seeded") };
    for role in [
        "Administrator",
        "National planner",
        "Regional lead",
        "Local area user",
        "Inspector",
        "Recipient body",
    ] {
        assert!(accounts.iter().any(|a| a.role.starts_with(role)), "no {role} among {accounts:?}");
    }
    assert_eq!(
        accounts.iter().filter(|a| a.role.starts_with("Regional lead")).count(),
        10,
        "a lead per region"
    );
    // Every account signs in with the one password printed.
    for username in ["ada.okafor", "nadia.hussain", "area.camden", "hmi.hana"] {
        let (_, hash) = store.person_for_sign_in(username).await?.expect("account");
        assert!(password::verify(DEMO_PASSWORD.into(), hash).await, "{username}");
    }

    let states = column(&store, "SELECT DISTINCT state FROM visit_requests ORDER BY state").await?;
    assert_eq!(states, ["cancelled", "consented", "declined", "requested", "withdrawn"]);
    let expired = column(
        &store,
        "SELECT CAST(public_id AS TEXT) FROM visit_requests WHERE state = 'requested' AND reply_by < '2026-12-03'",
    )
    .await?;
    assert_eq!(expired.len(), 1, "last year's unanswered request has expired");
    let regions = column(
        &store,
        "SELECT DISTINCT a.region_code FROM visit_requests r JOIN local_areas a ON a.ons_code = r.local_area_code",
    )
    .await?;
    assert_eq!(regions.len(), 10, "requests in all ten regions: {regions:?}");
    let letters = column(&store, "SELECT DISTINCT state FROM letters ORDER BY state").await?;
    assert_eq!(letters, ["approved", "draft", "issued", "submitted"]);
    let returned = column(&store, "SELECT title FROM letters WHERE returned_reason <> ''").await?;
    assert_eq!(returned, ["Interim visit to Bolton"]);
    let published = column(&store, "SELECT title FROM letters WHERE published").await?;
    assert_eq!(published, ["Interim visit to Camden"]);
    let teams = column(&store, "SELECT DISTINCT CAST(engagement_id AS TEXT) FROM engagement_team").await?;
    assert_eq!(teams.len(), 8, "every interim visit has its team");
    let history = column(&store, "SELECT local_area_code FROM inspection_history").await?;
    assert!(history.len() >= 10, "past inspections: {history:?}");
    let concerns = column(&store, "SELECT note FROM safeguarding_concerns").await?;
    assert_eq!(concerns.len(), 1);
    // Its emails wait in the outbox (no Notify key), every kind of them.
    let kinds = column(&store, "SELECT DISTINCT kind FROM notification_outbox ORDER BY kind").await?;
    assert_eq!(
        kinds,
        [
            "letter_issued",
            "letter_returned",
            "new_request",
            "reply_reminder",
            "request_answered",
            "safeguarding_concern",
            "visit_notified"
        ]
    );

    // Run again: served as it is, nothing added.
    let before = column(&store, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events").await?;
    let again = demo::seed(&store, demo_now()).await?;
    assert!(matches!(&again, Seeded::Again(a) if a.len() == accounts.len()), "{again:?}");
    assert_eq!(column(&store, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events").await?, before);
    Ok(())
}

#[tokio::test]
async fn the_demo_refuses_a_database_that_holds_other_data() -> anyhow::Result<()> {
    let db = TestDatabase::new(DbKind::from_env()).await?;
    let store = db.store().await?;
    let mut admin = integration_tests::Persona::Admin.request();
    admin.username = "someone.real".into();
    send_planner::grpc::account::create_person(
        &store,
        &admin,
        &send_planner::domain::audit::Actor::system("cli"),
        demo_now(),
    )
    .await?;
    let refused = demo::seed(&store, demo_now()).await.expect_err("holds data");
    let message = refused.to_string();
    assert!(message.contains("already holds data (1 row in people)"), "{message}");
    assert!(message.contains("send-planner-demo.db"), "{message}");
    let people = column(&store, "SELECT username FROM people").await?;
    assert_eq!(people, ["someone.real"], "nothing added");
    Ok(())
}
