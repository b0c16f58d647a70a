//! Store conformance: every case runs on SQLite and on PostgreSQL.

use std::collections::HashSet;

use integration_tests::{DbKind, TestDatabase};
use send_planner::{
    admin::{Checkpoint, VerifyError, verify_audit},
    domain::{
        audit::{Actor, BrokenChain},
        reference::{LocalAreaKind, LocalAreaQuery, LocalAreaQueryInput},
    },
    store::Store,
};

/// Runs each named case in `cases` once per database.
macro_rules! on_both_databases {
    ($($case:ident),* $(,)?) => {$(
        mod $case {
            use super::*;

            #[tokio::test]
            async fn sqlite() -> anyhow::Result<()> {
                let db = TestDatabase::new(DbKind::Sqlite).await?;
                cases::$case(&db.store().await?).await
            }

            #[tokio::test]
            async fn postgres() -> anyhow::Result<()> {
                let db = TestDatabase::new(DbKind::Postgres).await?;
                cases::$case(&db.store().await?).await
            }
        }
    )*};
}

on_both_databases!(
    ten_regions_with_the_published_counts,
    retired_areas_are_history_not_current,
    filters_by_region_name_prefix_and_kind,
    like_wildcards_in_a_prefix_match_literally,
    paging_walks_every_area_once_in_order,
    migrating_again_changes_nothing,
    an_untouched_audit_chain_verifies,
    an_edited_audit_event_is_named,
    a_deleted_audit_event_is_named,
    reordered_audit_events_are_named,
    a_truncated_audit_chain_fails_against_its_checkpoint,
    concurrent_audit_appends_get_consecutive_numbers,
);

/// Runs one tampering statement directly on the database, as an intruder with database access
/// would.
async fn tamper(store: &Store, sql: &'static str) -> anyhow::Result<()> {
    match &store.db {
        send_planner::store::Db::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ())?,
        send_planner::store::Db::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ())?,
    }
    Ok(())
}

/// Appends `n` events, as different people would cause them.
async fn audit_events(store: &Store, n: usize) -> anyhow::Result<()> {
    let clock = send_planner::domain::clock::Clock::system();
    for i in 0..n {
        let actor = Actor::system(&format!("tester{i}"));
        store
            .append_audit(clock.now(), &actor.event("person.create", "person", &i.to_string(), "ok", ""))
            .await?;
    }
    Ok(())
}

async fn broken(store: &Store, checkpoint: Option<&Checkpoint>) -> BrokenChain {
    match verify_audit(store, checkpoint).await {
        Err(VerifyError::Broken(b)) => b,
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

fn query(region: &str, prefix: &str, kind: Option<LocalAreaKind>, page_size: i32) -> LocalAreaQuery {
    LocalAreaQuery::parse(LocalAreaQueryInput {
        region_code: region,
        name_prefix: prefix,
        kind: Ok(kind),
        include_retired: false,
        page_size,
        page_token: "",
    })
    .expect("valid query")
}

fn names(page: &send_planner::domain::reference::LocalAreaPage) -> Vec<&str> {
    page.local_areas.iter().map(|a| a.name.as_str()).collect()
}

mod cases {
    pub(super) use super::audit_cases::*;
    use super::*;

    pub(super) async fn ten_regions_with_the_published_counts(store: &Store) -> anyhow::Result<()> {
        let regions = store.list_regions().await?;
        let counts: Vec<(&str, u32)> =
            regions.iter().map(|r| (r.name.as_str(), r.local_area_count)).collect();
        assert_eq!(
            counts,
            [
                ("North East", 12),
                ("North West", 24),
                ("Yorkshire and The Humber", 15),
                ("East Midlands", 10),
                ("West Midlands", 14),
                ("East of England", 11),
                ("Inner London", 13),
                ("Outer London", 20),
                ("South East", 19),
                ("South West", 15),
            ]
        );
        let all = store.list_local_areas(&query("", "", None, 200)).await?;
        assert_eq!(all.total_size, 153);
        assert_eq!(all.local_areas.len(), 153);
        Ok(())
    }

    pub(super) async fn retired_areas_are_history_not_current(store: &Store) -> anyhow::Result<()> {
        let current = store.list_local_areas(&query("", "Cumbria", None, 50)).await?;
        assert!(current.local_areas.is_empty(), "Cumbria is not current: {:?}", names(&current));
        let mut q = query("", "", None, 200);
        q.include_retired = true;
        let all = store.list_local_areas(&q).await?;
        let cumbria = all.local_areas.iter().find(|a| a.name == "Cumbria").expect("kept as history");
        assert_eq!(cumbria.retired_on.map(|d| d.to_string()).as_deref(), Some("2023-03-31"));
        assert_eq!(all.total_size, 153 + 19, "19 retired areas kept");
        assert!(all.local_areas.iter().any(|a| a.name == "Northamptonshire" && a.retired_on.is_some()));
        Ok(())
    }

    pub(super) async fn filters_by_region_name_prefix_and_kind(store: &Store) -> anyhow::Result<()> {
        let inner = store.list_local_areas(&query("E13000001", "", None, 50)).await?;
        assert_eq!(inner.total_size, 13);
        assert!(names(&inner).contains(&"Camden") && names(&inner).contains(&"Westminster"));
        assert!(inner.local_areas.iter().all(|a| a.region_name == "Inner London"));
        let camden = inner.local_areas.iter().find(|a| a.name == "Camden").expect("Camden");
        assert_eq!((camden.ons_code.as_str(), camden.dfe_code.as_deref()), ("E09000007", Some("202")));
        assert_eq!(camden.kind, LocalAreaKind::LondonBorough);

        let cam = store.list_local_areas(&query("", "CAM", None, 50)).await?;
        assert_eq!(names(&cam), ["Cambridgeshire", "Camden"]);

        let counties = store.list_local_areas(&query("", "", Some(LocalAreaKind::County), 50)).await?;
        assert_eq!(counties.total_size, 21);
        assert!(counties.local_areas.iter().all(|a| a.kind == LocalAreaKind::County));

        let both = store.list_local_areas(&query("E12000006", "", Some(LocalAreaKind::County), 50)).await?;
        assert!(names(&both).contains(&"Norfolk"));
        assert!(
            both.local_areas.iter().all(|a| a.region_code == "E12000006" && a.kind == LocalAreaKind::County)
        );

        let none = store.list_local_areas(&query("E13000001", "Zz", None, 50)).await?;
        assert_eq!((none.total_size, none.local_areas.len(), none.next.is_none()), (0, 0, true));
        Ok(())
    }

    pub(super) async fn like_wildcards_in_a_prefix_match_literally(store: &Store) -> anyhow::Result<()> {
        for prefix in ["%", "_", "\\", "C%"] {
            let page = store.list_local_areas(&query("", prefix, None, 50)).await?;
            assert_eq!(page.total_size, 0, "{prefix:?} matched {:?}", names(&page));
        }
        let comma = store.list_local_areas(&query("", "Bristol, C", None, 50)).await?;
        assert_eq!(names(&comma), ["Bristol, City of"]);
        Ok(())
    }

    pub(super) async fn paging_walks_every_area_once_in_order(store: &Store) -> anyhow::Result<()> {
        let mut seen = Vec::new();
        let mut token = String::new();
        let mut pages = 0;
        loop {
            let q = LocalAreaQuery::parse(LocalAreaQueryInput {
                region_code: "",
                name_prefix: "",
                kind: Ok(None),
                include_retired: false,
                page_size: 7,
                page_token: &token,
            })
            .expect("valid");
            let page = store.list_local_areas(&q).await?;
            pages += 1;
            assert_eq!(page.total_size, 153);
            assert!(page.local_areas.len() <= 7);
            seen.extend(page.local_areas.iter().map(|a| (a.name.to_lowercase(), a.ons_code.clone())));
            match page.next {
                Some(cursor) => token = cursor.encode(),
                None => break,
            }
        }
        assert_eq!(pages, 153usize.div_ceil(7));
        assert_eq!(seen.len(), 153);
        assert_eq!(seen.iter().map(|(_, c)| c).collect::<HashSet<_>>().len(), 153, "no area twice");
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "ordered by name");
        Ok(())
    }

    pub(super) async fn migrating_again_changes_nothing(store: &Store) -> anyhow::Result<()> {
        store.migrate().await?;
        store.migrate().await?;
        let regions = store.list_regions().await?;
        assert_eq!(regions.len(), 10);
        assert_eq!(regions.iter().map(|r| r.local_area_count).sum::<u32>(), 153);
        Ok(())
    }
}

mod audit_cases {
    use super::*;

    pub(crate) async fn an_untouched_audit_chain_verifies(store: &Store) -> anyhow::Result<()> {
        audit_events(store, 25).await?;
        let head = verify_audit(store, None).await?;
        assert_eq!(head.seq, 25);
        assert_eq!(verify_audit(store, Some(&head)).await?.hash, head.hash);
        Ok(())
    }

    pub(crate) async fn an_edited_audit_event_is_named(store: &Store) -> anyhow::Result<()> {
        audit_events(store, 5).await?;
        tamper(store, "UPDATE audit_events SET outcome = 'denied' WHERE seq = 3").await?;
        assert_eq!(broken(store, None).await, BrokenChain::Altered { seq: 3 });
        Ok(())
    }

    pub(crate) async fn a_deleted_audit_event_is_named(store: &Store) -> anyhow::Result<()> {
        audit_events(store, 5).await?;
        tamper(store, "DELETE FROM audit_events WHERE seq = 2").await?;
        assert_eq!(broken(store, None).await, BrokenChain::Gap { expected: 2, found: 3 });
        Ok(())
    }

    pub(crate) async fn reordered_audit_events_are_named(store: &Store) -> anyhow::Result<()> {
        audit_events(store, 5).await?;
        // Swap events 2 and 4 by number, keeping every row.
        tamper(store, "UPDATE audit_events SET seq = -2 WHERE seq = 2").await?;
        tamper(store, "UPDATE audit_events SET seq = 2 WHERE seq = 4").await?;
        tamper(store, "UPDATE audit_events SET seq = 4 WHERE seq = -2").await?;
        assert_eq!(broken(store, None).await, BrokenChain::Unlinked { seq: 2 });
        Ok(())
    }

    pub(crate) async fn a_truncated_audit_chain_fails_against_its_checkpoint(
        store: &Store,
    ) -> anyhow::Result<()> {
        audit_events(store, 5).await?;
        let kept = send_planner::admin::audit_checkpoint(store).await?;
        // Remove the last event and rewind the head to match: the chain alone looks intact.
        tamper(store, "DELETE FROM audit_events WHERE seq = 5").await?;
        tamper(
            store,
            "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_events WHERE seq = 4) WHERE id = 1",
        )
        .await?;
        assert_eq!(verify_audit(store, None).await?.seq, 4);
        assert_eq!(broken(store, Some(&kept)).await, BrokenChain::Truncated { last: 4, head: 5 });
        Ok(())
    }

    pub(crate) async fn concurrent_audit_appends_get_consecutive_numbers(
        store: &Store,
    ) -> anyhow::Result<()> {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { audit_events(&store, 10).await })
            })
            .collect();
        for task in tasks {
            task.await??;
        }
        assert_eq!(verify_audit(store, None).await?.seq, 80);
        Ok(())
    }
}

/// Migrations 0008 and 0009 give every engagement, letter, visit request, consent document and
/// safeguarding concern made before them a distinct random public id, and 0010 renames the terms
/// (England's autumn, spring and summer): rows are written with the schema of 0007, then the
/// remaining migrations run.
mod public_ids_are_backfilled {
    use super::*;

    #[tokio::test]
    async fn sqlite() -> anyhow::Result<()> {
        backfill(DbKind::Sqlite, "sqlite").await
    }

    #[tokio::test]
    async fn postgres() -> anyhow::Result<()> {
        backfill(DbKind::Postgres, "postgres").await
    }

    const OLD_ROWS: &str = "\
        INSERT INTO regions (code, name, sort_order) VALUES ('E12000001', 'North East', 1);
        INSERT INTO local_areas (ons_code, name, name_key, dfe_code, kind, region_code)
            VALUES ('E06000001', 'Hartlepool', 'hartlepool', '805', 'unitary_authority', 'E12000001');
        INSERT INTO people (username, display_name, password_hash, role, created_at)
            VALUES ('old.planner', 'Old Planner', 'x', 'national_planner', '2026-01-05T09:00:00.000000Z');
        INSERT INTO engagements (local_area_code, region_code, kind, state, onsite_first, onsite_last, busy_first,
                academic_year, term, note, created_by, created_at)
            SELECT 'E06000001', 'E12000001', 'engagement_meeting', 'proposed', '2026-02-02', '2026-02-02',
                '2026-02-02', 2025, 'spring', 'old', id, '2026-01-05T09:00:00.000000Z' FROM people;
        INSERT INTO engagements (local_area_code, region_code, kind, state, onsite_first, onsite_last, busy_first,
                academic_year, term, note, created_by, created_at)
            SELECT local_area_code, region_code, kind, state, onsite_first, onsite_last, busy_first,
                academic_year, term, 'older', created_by, created_at FROM engagements;
        INSERT INTO letters (engagement_id, title, body, state, created_by, created_at)
            SELECT id, 'Old letter', 'text', 'issued', created_by, created_at FROM engagements;
        INSERT INTO letters (engagement_id, title, body, state, supersedes_id, created_by, created_at)
            SELECT engagement_id, 'Correction', 'text', 'draft', id, created_by, created_at FROM letters
            WHERE id = (SELECT MIN(id) FROM letters);
        INSERT INTO visit_requests (local_area_code, region_code, term, academic_year, window_first, window_last,
                reply_by, note, state, created_by, created_at)
            SELECT 'E06000001', 'E12000001', 'spring', 2025, '2026-02-02', '2026-03-27', '2026-01-20', 'old',
                'consented', id, '2026-01-05T09:00:00.000000Z' FROM people;
        INSERT INTO consent_documents (request_id, content_type, size_bytes, sha256, bytes, uploaded_by, uploaded_at)
            SELECT id, 'application/pdf', 0, 'e3b0', CAST('' AS BYTEA), created_by, created_at FROM visit_requests;
        INSERT INTO safeguarding_concerns (request_id, raised_by, note, raised_at)
            SELECT id, created_by, 'old', created_at FROM visit_requests;";

    async fn backfill(kind: DbKind, folder: &str) -> anyhow::Result<()> {
        let db = TestDatabase::new(kind).await?;
        let store = Store::connect(&db.url).await?;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(folder);
        let mut before = sqlx::migrate::Migrator::new(dir).await?;
        before.migrations =
            before.migrations.iter().filter(|m| m.version < 8).cloned().collect::<Vec<_>>().into();
        match &store.db {
            send_planner::store::Db::Sqlite(pool) => before.run(pool).await?,
            send_planner::store::Db::Postgres(pool) => before.run(pool).await?,
        }
        tamper(&store, OLD_ROWS).await?;
        store.migrate().await?;

        let sql = "SELECT 'engagement', public_id FROM engagements UNION ALL SELECT 'letter', public_id FROM letters \
            UNION ALL SELECT 'request', public_id FROM visit_requests \
            UNION ALL SELECT 'document', public_id FROM consent_documents \
            UNION ALL SELECT 'concern', public_id FROM safeguarding_concerns";
        let ids: Vec<(String, Option<String>)> = match &store.db {
            send_planner::store::Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
            send_planner::store::Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
        };
        assert_eq!(
            ids.len(),
            8,
            "two engagements, three letters, a request, its document and concern: {ids:?}"
        );
        let mut seen = HashSet::new();
        for (what, id) in &ids {
            let id = id.as_deref().unwrap_or_default();
            let version = id.as_bytes().get(14).copied();
            assert!(
                send_planner::domain::public_id::parse_public_id(id).is_some() && version == Some(b'4'),
                "{what} {id:?} is a UUIDv4"
            );
            assert!(seen.insert(id.to_owned()), "{id} given twice");
        }

        // 0010: the old "spring" (April to July) is England's summer term.
        let sql = "SELECT term FROM engagements UNION ALL SELECT term FROM visit_requests";
        let terms: Vec<(String,)> = match &store.db {
            send_planner::store::Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
            send_planner::store::Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
        };
        assert_eq!(terms.len(), 3);
        assert!(terms.iter().all(|(t,)| t == "summer"), "{terms:?}");
        Ok(())
    }
}
