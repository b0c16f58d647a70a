//! Sign-in, sessions, accounts and the audit trail over the real server.

use chrono::TimeDelta;
use integration_tests::{PASSWORD, Persona, TestApp, spawn_app_with};
use proto::pb::{
    self, account_service_client::AccountServiceClient, audit_service_client::AuditServiceClient,
    auth_service_client::AuthServiceClient,
};
use send_planner::store::{Db, Store};
use tonic::Code;
use tonic_types::StatusExt as _;

/// The fields a refusal names in its `BadRequest` detail.
fn fields(status: &tonic::Status) -> Vec<String> {
    let bad = status.get_details_bad_request();
    bad.map(|b| b.field_violations.into_iter().map(|v| v.field).collect()).unwrap_or_default()
}

async fn app() -> anyhow::Result<(TestApp, tempfile::TempDir)> {
    let web = tempfile::tempdir()?;
    Ok((spawn_app_with(web.path()).await?, web))
}

async fn sign_in(app: &TestApp, username: &str, password: &str) -> Result<pb::SignInResponse, tonic::Status> {
    let channel = app.channel().await.map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let request = pb::SignInRequest { username: username.into(), password: password.into() };
    AuthServiceClient::new(channel).sign_in(request).await.map(tonic::Response::into_inner)
}

async fn who_am_i(app: &TestApp, token: &str) -> Result<pb::Person, tonic::Status> {
    let channel = app.authed(token).await.map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let reply = AuthServiceClient::new(channel).who_am_i(pb::WhoAmIRequest {}).await?.into_inner();
    reply.person.ok_or_else(|| tonic::Status::internal("no person"))
}

/// Rows in a table, read directly.
async fn count(store: &Store, table: &'static str) -> anyhow::Result<i64> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
    let (n,): (i64,) = match &store.db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_one(pool).await?,
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_one(pool).await?,
    };
    Ok(n)
}

#[tokio::test]
async fn a_person_signs_in_and_the_token_is_stored_only_as_a_hash() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    app.seed_person(Persona::InnerLondonLead.request()).await?;
    let reply = sign_in(&app, " Lead.Inner ", PASSWORD).await?;
    assert!(reply.token.len() >= 43, "at least 256 bits, base64url");
    let me = who_am_i(&app, &reply.token).await?;
    assert_eq!((me.username.as_str(), me.scope_label.as_str()), ("lead.inner", "Inner London"));
    assert_eq!(me.role(), pb::Role::RegionalLead);
    let stored: Vec<(String,)> = match &app.store.db {
        Db::Sqlite(pool) => sqlx::query_as("SELECT token_hash FROM sessions").fetch_all(pool).await?,
        Db::Postgres(pool) => sqlx::query_as("SELECT token_hash FROM sessions").fetch_all(pool).await?,
    };
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, reply.token);
    assert!(!stored[0].0.contains(&reply.token));
    app.stop().await
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_username_answer_alike() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    app.seed_person(Persona::Planner.request()).await?;
    let wrong = sign_in(&app, "planner", "not the password at all").await.expect_err("refused");
    let unknown = sign_in(&app, "nobody", "not the password at all").await.expect_err("refused");
    assert_eq!((wrong.code(), wrong.message()), (unknown.code(), unknown.message()));
    assert_eq!(wrong.code(), Code::Unauthenticated);
    app.stop().await
}

#[tokio::test]
async fn five_failures_lock_a_username_known_or_not_until_the_lock_ends() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    app.seed_person(Persona::Planner.request()).await?;
    for username in ["planner", "nobody"] {
        for _ in 0..5 {
            let status = sign_in(&app, username, "wrong password here").await.expect_err("refused");
            assert_eq!(status.code(), Code::Unauthenticated);
        }
        let locked = sign_in(&app, username, PASSWORD).await.expect_err("locked");
        assert_eq!(locked.code(), Code::ResourceExhausted, "{username}: {locked:?}");
        assert!(
            locked
                .message()
                .contains("too many failed sign-in attempts. Try again after 09:15 UTC on 23 November 2026"),
            "the lock's end in words: {}",
            locked.message()
        );
    }
    app.clock.advance(TimeDelta::minutes(16));
    sign_in(&app, "planner", PASSWORD).await?;
    app.stop().await
}

#[tokio::test]
async fn sessions_end_when_idle_and_at_their_absolute_limit() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    app.seed_person(Persona::Camden.request()).await?;
    let idle = sign_in(&app, "user.camden", PASSWORD).await?.token;
    app.clock.advance(TimeDelta::minutes(29));
    who_am_i(&app, &idle).await?;
    app.clock.advance(TimeDelta::minutes(29));
    who_am_i(&app, &idle).await.map_err(|s| anyhow::anyhow!("use extends the idle expiry: {s:?}"))?;
    app.clock.advance(TimeDelta::minutes(31));
    let expired = who_am_i(&app, &idle).await.expect_err("idle too long");
    assert_eq!(expired.code(), Code::Unauthenticated);
    assert!(expired.message().contains("expired"), "{}", expired.message());

    let busy = sign_in(&app, "user.camden", PASSWORD).await?.token;
    for _ in 0..(12 * 3 - 1) {
        app.clock.advance(TimeDelta::minutes(20));
        who_am_i(&app, &busy).await?;
    }
    app.clock.advance(TimeDelta::minutes(21));
    let status = who_am_i(&app, &busy).await.expect_err("past the absolute limit");
    assert!(status.message().contains("expired"), "{}", status.message());
    app.stop().await
}

#[tokio::test]
async fn signing_out_and_revoking_end_sessions_at_once() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let (camden, first) = app.persona(Persona::Camden).await?;
    let second = app.sign_in("user.camden", PASSWORD).await?;
    AuthServiceClient::new(app.authed(&first).await?).sign_out(pb::SignOutRequest {}).await?;
    let ended = who_am_i(&app, &first).await.expect_err("signed out");
    assert!(ended.message().contains("ended"), "{}", ended.message());
    who_am_i(&app, &second).await?;

    let (_, admin) = app.persona(Persona::Admin).await?;
    let third = app.sign_in("user.camden", PASSWORD).await?;
    let revoked = AccountServiceClient::new(app.authed(&admin).await?)
        .revoke_sessions(pb::RevokeSessionsRequest { person_id: camden.id.clone() })
        .await?
        .into_inner()
        .revoked;
    assert_eq!(revoked, 2, "the second and third sessions were live");
    for token in [&second, &third] {
        assert_eq!(who_am_i(&app, token).await.expect_err("revoked").code(), Code::Unauthenticated);
    }
    let unknown = AccountServiceClient::new(app.authed(&admin).await?)
        .revoke_sessions(pb::RevokeSessionsRequest { person_id: "999999".into() })
        .await
        .expect_err("no such person");
    assert_eq!(unknown.code(), Code::NotFound);
    app.stop().await
}

#[tokio::test]
async fn malformed_missing_and_unknown_tokens_are_unauthenticated() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let plain = AuthServiceClient::new(app.channel().await?).who_am_i(pb::WhoAmIRequest {}).await;
    assert!(plain.expect_err("no token").message().contains("sign in"));
    let unknown = who_am_i(&app, &"A".repeat(43)).await.expect_err("unknown");
    assert_eq!(unknown.code(), Code::Unauthenticated);
    let malformed = who_am_i(&app, "short").await.expect_err("malformed");
    assert!(malformed.message().contains("malformed"), "{}", malformed.message());
    app.stop().await
}

#[tokio::test]
async fn bad_sign_in_input_names_the_field_and_stores_nothing() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let events = count(&app.store, "audit_events").await?;
    for (username, password, field) in [
        ("", "whatever password", "username"),
        (&*"u".repeat(65), "whatever password", "username"),
        ("planner", "", "password"),
        ("planner", &*"p".repeat(129), "password"),
    ] {
        let status = sign_in(&app, username, password).await.expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(fields(&status), [field], "{status:?}");
    }
    assert_eq!(count(&app.store, "audit_events").await?, events);
    assert_eq!(count(&app.store, "sign_in_throttle").await?, 0);
    assert_eq!(count(&app.store, "sessions").await?, 0);
    app.stop().await
}

#[tokio::test]
async fn bad_accounts_are_refused_naming_the_field_and_nothing_is_stored() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let (_, admin) = app.persona(Persona::Admin).await?;
    let mut accounts = AccountServiceClient::new(app.authed(&admin).await?);
    let people = count(&app.store, "people").await?;
    let events = count(&app.store, "audit_events").await?;
    let lead = Persona::InnerLondonLead.request();
    let cases = [
        (
            pb::CreatePersonRequest { region_code: String::new(), ..lead.clone() },
            Code::InvalidArgument,
            "region_code",
        ),
        (
            pb::CreatePersonRequest { region_code: "E99".into(), ..lead.clone() },
            Code::InvalidArgument,
            "region_code",
        ),
        (
            pb::CreatePersonRequest {
                role: pb::Role::LocalAreaUser.into(),
                region_code: String::new(),
                local_area_code: "E10000006".into(), // Cumbria: retired
                ..lead.clone()
            },
            Code::InvalidArgument,
            "local_area_code",
        ),
        (
            pb::CreatePersonRequest { password: "qwertyuiop123".into(), ..lead.clone() },
            Code::InvalidArgument,
            "password",
        ),
        (
            pb::CreatePersonRequest { username: "no spaces please".into(), ..lead.clone() },
            Code::InvalidArgument,
            "username",
        ),
        (pb::CreatePersonRequest { role: 77, ..lead.clone() }, Code::InvalidArgument, "role"),
        (
            pb::CreatePersonRequest { username: "admin".into(), ..lead.clone() },
            Code::AlreadyExists,
            "username",
        ),
    ];
    for (request, code, field) in cases {
        let status = accounts.create_person(request).await.expect_err("refused");
        assert_eq!(status.code(), code, "{field}: {status:?}");
        assert!(fields(&status).iter().any(|f| f == field), "{field}: {status:?}");
    }
    assert_eq!(count(&app.store, "people").await?, people);
    assert_eq!(count(&app.store, "audit_events").await?, events);
    let created = accounts.create_person(lead).await?.into_inner().person.expect("person");
    assert_eq!(created.scope_label, "Inner London");
    let listed = accounts.list_people(pb::ListPeopleRequest::default()).await?.into_inner().people;
    assert!(listed.iter().any(|p| p.username == "lead.inner"));
    app.stop().await
}

#[tokio::test]
async fn national_planners_read_an_objects_trail_and_the_read_is_recorded() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let (_, admin) = app.persona(Persona::Admin).await?;
    let (_, planner) = app.persona(Persona::Planner).await?;
    let created = AccountServiceClient::new(app.authed(&admin).await?)
        .create_person(Persona::Dfe.request())
        .await?
        .into_inner()
        .person
        .expect("person");
    app.sign_in("reader.dfe", PASSWORD).await?;
    let mut audit = AuditServiceClient::new(app.authed(&planner).await?);
    let request = pb::ListAuditEventsRequest {
        object_type: "person".into(),
        object_id: created.id.clone(),
        ..Default::default()
    };
    let events = audit.list_audit_events(request.clone()).await?.into_inner().events;
    let actions: Vec<_> = events.iter().map(|e| (e.action.as_str(), e.actor_username.as_str())).collect();
    assert_eq!(actions, [("person.create", "admin"), ("session.sign_in", "reader.dfe")]);
    assert!(events.windows(2).all(|w| w[0].seq < w[1].seq));
    let again = audit.list_audit_events(request).await?.into_inner().events;
    let last = again.last().expect("events");
    assert_eq!((last.action.as_str(), last.actor_username.as_str()), ("audit.read", "planner"));
    let missing =
        audit.list_audit_events(pb::ListAuditEventsRequest::default()).await.expect_err("object required");
    assert_eq!(missing.code(), Code::InvalidArgument);
    assert_eq!(fields(&missing), ["object_type", "object_id"], "{missing:?}");
    app.stop().await
}

#[tokio::test]
async fn fifty_failures_from_one_address_lock_that_address_for_every_username() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    app.seed_person(Persona::Planner.request()).await?;
    // Spread over many usernames so no single username reaches its own limit of five.
    for i in 0..50 {
        let status =
            sign_in(&app, &format!("guess{}", i % 25), "wrong password here").await.expect_err("refused");
        assert_eq!(status.code(), Code::Unauthenticated, "attempt {i}");
    }
    let locked = sign_in(&app, "planner", PASSWORD).await.expect_err("address locked");
    assert_eq!(locked.code(), Code::ResourceExhausted);
    app.clock.advance(TimeDelta::minutes(16));
    sign_in(&app, "planner", PASSWORD).await?;
    app.stop().await
}
