//! Email notifications through GOV.UK Notify (issue #12, items 4 and 5), against a local server
//! that checks every request as Notify would (`integration_tests::notify`): an event writes its
//! outbox rows in its own transaction; the worker sends them with a JWT signed by the key's
//! secret, retries after a 500 with backoff, and after a restart sends nothing twice; people
//! turn kinds of email off; without a key messages wait, listed for national planners.

use chrono::TimeDelta;
use integration_tests::{
    DbKind, Persona, TestApp, consent_answer,
    notify::{FakeNotify, api_key, templates},
    spawn_app_configured, spawn_app_with, visit_request,
};
use proto::pb::{
    self, consent_service_client::ConsentServiceClient,
    notification_service_client::NotificationServiceClient, start_service_client::StartServiceClient,
};
use send_planner::{
    config::Settings,
    notify::{self, Notifier},
    store::{Db, Store},
};
use tonic::Code;

const PUBLIC_URL: &str = "https://send-planner.example.gov.uk";

fn configure(fake: &FakeNotify) -> impl FnOnce(&mut Settings) {
    let url = fake.url.clone();
    move |s: &mut Settings| {
        s.notify_api_key = Some(api_key());
        s.notify_base_url = url;
        s.notify_templates = templates();
        s.public_url = Some(PUBLIC_URL.into());
        // The server's own worker runs a round at start and then waits an hour: these tests
        // run the rounds themselves, at the times they choose.
        s.notify_poll_seconds = 3600;
    }
}

/// An app sending to `fake`, and a worker of its own (the same code the server runs).
async fn app_with_notify(fake: &FakeNotify) -> anyhow::Result<(TestApp, Notifier, tempfile::TempDir)> {
    let web = tempfile::tempdir()?;
    let mut settings = None;
    let app = spawn_app_configured(DbKind::from_env(), web.path(), |s| {
        configure(fake)(s);
        settings = Some(s.clone());
    })
    .await?;
    let settings = settings.ok_or_else(|| anyhow::anyhow!("settings"))?;
    let config = settings.notify(app.addr)?.ok_or_else(|| anyhow::anyhow!("Notify is configured"))?;
    Ok((app, Notifier::new(config)?, web))
}

/// Seeds `persona` with an email address; its session token.
async fn with_email(app: &TestApp, persona: Persona, email: &str) -> anyhow::Result<(pb::Person, String)> {
    let person =
        app.seed_person(pb::CreatePersonRequest { email: email.into(), ..persona.request() }).await?;
    let token = app.sign_in(persona.username(), integration_tests::PASSWORD).await?;
    Ok((person, token))
}

/// (kind, email, status) of every outbox row, oldest first.
async fn outbox(store: &Store) -> anyhow::Result<Vec<(String, String, String)>> {
    let sql = "SELECT kind, email_address, status FROM notification_outbox ORDER BY id";
    Ok(match &store.db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
    })
}

/// The outcomes of every attempt, in order.
async fn attempts(store: &Store) -> anyhow::Result<Vec<String>> {
    let sql = "SELECT outcome FROM notification_attempts ORDER BY outbox_id, attempt";
    let rows: Vec<(String,)> = match &store.db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
    };
    Ok(rows.into_iter().map(|(o,)| o).collect())
}

fn row(kind: &str, email: &str, status: &str) -> (String, String, String) {
    (kind.into(), email.into(), status.into())
}

async fn ask_camden(app: &TestApp, lead: &str) -> anyhow::Result<pb::VisitRequest> {
    let reply = ConsentServiceClient::new(app.authed(lead).await?)
        .create_visit_request(visit_request("E09000007", "2027-01-15"))
        .await?;
    reply.into_inner().request.ok_or_else(|| anyhow::anyhow!("no request"))
}

#[tokio::test]
async fn an_email_goes_from_the_event_through_the_outbox_to_notify_with_a_signed_token() -> anyhow::Result<()>
{
    let fake = FakeNotify::start().await?;
    let (app, notifier, _web) = app_with_notify(&fake).await?;
    let (_, lead) = with_email(&app, Persona::InnerLondonLead, "lead@example.gov.uk").await?;
    with_email(&app, Persona::Camden, "camden@example.gov.uk").await?;
    with_email(&app, Persona::Planner, "planner@example.gov.uk").await?;
    // Westminster's user has an address too, and hears nothing of Camden's request.
    with_email(&app, Persona::Westminster, "westminster@example.gov.uk").await?;

    let request = ask_camden(&app, &lead).await?;
    // Written with the request: the news now, and reminders 5 and 1 working days before 15 January.
    assert_eq!(
        outbox(&app.store).await?,
        [
            row("new_request", "camden@example.gov.uk", "pending"),
            row("reply_reminder", "camden@example.gov.uk", "pending"),
            row("reply_reminder", "camden@example.gov.uk", "pending"),
        ]
    );
    assert_eq!(notify::run_once(&app.store, &app.clock, &notifier).await?, 1, "only the news is due");
    let received = fake.received();
    assert_eq!(received.len(), 1);
    let email = &received[0];
    assert_eq!(email.email_address, "camden@example.gov.uk");
    assert_eq!(email.template_id, "00000000-0000-4000-8000-000000000001", "the new_request template");
    assert_eq!(email.name, "Test user.camden");
    assert_eq!(email.link, format!("{PUBLIC_URL}/requests/{}", request.id));
    assert!(fake.refused().is_empty(), "Notify accepted every token and body: {:?}", fake.refused());
    // Nothing confidential: only a greeting and a link.
    let said = format!("{email:?}");
    assert!(!said.contains("summer phase") && !said.contains("Camden"), "{said}");
    assert_eq!(outbox(&app.store).await?[0], row("new_request", "camden@example.gov.uk", "sent"));
    let delivery = match &app.store.db {
        Db::Sqlite(pool) => {
            sqlx::query_as::<_, (String,)>("SELECT delivery_status FROM notification_outbox ORDER BY id")
                .fetch_one(pool)
                .await?
        }
        Db::Postgres(pool) => {
            sqlx::query_as::<_, (String,)>("SELECT delivery_status FROM notification_outbox ORDER BY id")
                .fetch_one(pool)
                .await?
        }
    };
    assert_eq!(delivery.0, "delivered", "the round polled Notify's delivery status");

    // Friday 8 January 2027, 08:00: the first reminder.
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2027-01-08T08:00:00Z")?.to_utc());
    assert_eq!(notify::run_once(&app.store, &app.clock, &notifier).await?, 1);
    assert_eq!(
        fake.received()[1].template_id,
        "00000000-0000-4000-8000-000000000002",
        "the reminder template"
    );

    // Camden answers (signed in again: weeks have passed): the last reminder is cancelled; the
    // lead and the planner hear of it.
    let camden = app.sign_in(Persona::Camden.username(), integration_tests::PASSWORD).await?;
    ConsentServiceClient::new(app.authed(&camden).await?)
        .answer_visit_request(consent_answer(&request.id, request.version))
        .await?;
    let rows = outbox(&app.store).await?;
    assert_eq!(rows[2], row("reply_reminder", "camden@example.gov.uk", "cancelled"));
    assert_eq!(
        rows[3..],
        [
            row("request_answered", "lead@example.gov.uk", "pending"),
            row("request_answered", "planner@example.gov.uk", "pending"),
        ]
    );
    notify::run_once(&app.store, &app.clock, &notifier).await?;
    let to: Vec<String> = fake.received().iter().map(|r| r.email_address.clone()).collect();
    assert_eq!(
        to,
        ["camden@example.gov.uk", "camden@example.gov.uk", "lead@example.gov.uk", "planner@example.gov.uk"]
    );
    assert!(!to.contains(&"westminster@example.gov.uk".to_owned()));
    app.stop().await
}

#[tokio::test]
async fn a_notify_outage_is_retried_with_backoff_and_nothing_is_sent_twice_after_a_restart()
-> anyhow::Result<()> {
    let fake = FakeNotify::start().await?;
    let (app, notifier, _web) = app_with_notify(&fake).await?;
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    with_email(&app, Persona::Camden, "camden@example.gov.uk").await?;

    // Two 500s: tried again after 30 s, then after a minute more; then sent, once.
    fake.fail_next(2);
    ask_camden(&app, &lead).await?;
    assert_eq!(notify::run_once(&app.store, &app.clock, &notifier).await?, 1);
    assert_eq!(notify::run_once(&app.store, &app.clock, &notifier).await?, 0, "not due again yet");
    app.clock.advance(TimeDelta::seconds(31));
    assert_eq!(notify::run_once(&app.store, &app.clock, &notifier).await?, 1);
    app.clock.advance(TimeDelta::seconds(31));
    assert_eq!(notify::run_once(&app.store, &app.clock, &notifier).await?, 0, "the second wait is a minute");
    app.clock.advance(TimeDelta::seconds(30));
    assert_eq!(notify::run_once(&app.store, &app.clock, &notifier).await?, 1);
    assert_eq!((fake.sends(), fake.received().len()), (3, 1));
    assert_eq!(attempts(&app.store).await?, ["retry", "retry", "sent"]);

    // A worker stops after Notify accepted a message but before recording it: the next worker,
    // once the claim lapses, finds it at Notify by its reference and does not send it again.
    ask_camden(&app, &lead).await?;
    let now = app.clock.now();
    let claimed = app.store.claim_notifications(now, now + TimeDelta::seconds(60), 20).await?;
    assert_eq!(claimed.len(), 1);
    notifier.send(&claimed[0]).await;
    assert_eq!(fake.received().len(), 2);
    assert_eq!(notify::run_once(&app.store, &app.clock, &notifier).await?, 0, "the claim still holds");
    app.clock.advance(TimeDelta::seconds(61));
    assert_eq!(notify::run_once(&app.store, &app.clock, &notifier).await?, 1);
    assert_eq!(fake.received().len(), 2, "not sent twice");
    assert_eq!(attempts(&app.store).await?.last().map(String::as_str), Some("found"));

    // A worker that stops before sending: the next one sends it, once.
    ask_camden(&app, &lead).await?;
    let now = app.clock.now();
    assert_eq!(app.store.claim_notifications(now, now + TimeDelta::seconds(60), 20).await?.len(), 1);
    app.clock.advance(TimeDelta::seconds(61));
    notify::run_once(&app.store, &app.clock, &notifier).await?;
    notify::run_once(&app.store, &app.clock, &notifier).await?;
    assert_eq!(fake.received().len(), 3);
    let references: std::collections::BTreeSet<String> =
        fake.received().into_iter().map(|r| r.reference).collect();
    assert_eq!(references.len(), 3, "each message once");
    app.stop().await
}

#[tokio::test]
async fn a_refused_token_is_not_retried_and_bad_settings_stop_the_server_naming_the_flag()
-> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let secret = integration_tests::notify::SECRET;
    let bad_key = spawn_app_configured(DbKind::from_env(), web.path(), |s| {
        s.notify_api_key = Some(format!("key-{secret}"));
        s.notify_templates = templates();
    })
    .await
    .err()
    .ok_or_else(|| anyhow::anyhow!("a bad key is refused"))?;
    let message = format!("{bad_key:#}");
    assert!(
        message.contains("--notify-api-key") && message.contains("is not a GOV.UK Notify API key"),
        "{message}"
    );
    assert!(!message.contains(secret), "the key never shows: {message}");
    let no_templates =
        spawn_app_configured(DbKind::from_env(), web.path(), |s| s.notify_api_key = Some(api_key()))
            .await
            .err()
            .ok_or_else(|| anyhow::anyhow!("templates are required"))?;
    let message = format!("{no_templates:#}");
    assert!(message.contains("lacks new_request, reply_reminder"), "{message}");

    // A key Notify does not know: refused (403), given up at once, never retried.
    let fake = FakeNotify::start().await?;
    let (app, _, _web) = app_with_notify(&fake).await?;
    let wrong = notify::settings(
        Some(&format!(
            "other-{}-{}",
            integration_tests::notify::SERVICE_ID,
            "00000000-0000-4000-8000-000000000000"
        )),
        &fake.url,
        &templates(),
        PUBLIC_URL,
        std::time::Duration::from_secs(1),
    )?
    .ok_or_else(|| anyhow::anyhow!("configured"))?;
    let wrong = Notifier::new(wrong)?;
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    with_email(&app, Persona::Camden, "camden@example.gov.uk").await?;
    ask_camden(&app, &lead).await?;
    notify::run_once(&app.store, &app.clock, &wrong).await?;
    assert_eq!(outbox(&app.store).await?[0].2, "failed");
    assert!(fake.refused().iter().any(|r| r.contains("Invalid token")), "{:?}", fake.refused());
    app.clock.advance(TimeDelta::hours(2));
    assert_eq!(notify::run_once(&app.store, &app.clock, &wrong).await?, 0, "a refusal is final");
    app.stop().await
}

#[tokio::test]
async fn people_turn_off_a_kind_of_email_and_their_start_page_shows_the_same() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    let (_, camden) = with_email(&app, Persona::Camden, "camden@example.gov.uk").await?;
    let mut emails = NotificationServiceClient::new(app.authed(&camden).await?);
    let listed = emails.get_email_preferences(pb::GetEmailPreferencesRequest {}).await?.into_inner();
    assert!(listed.has_email);
    let kinds: Vec<(&str, bool)> = listed.preferences.iter().map(|p| (p.kind.as_str(), p.email)).collect();
    assert_eq!(
        kinds,
        [("new_request", true), ("reply_reminder", true), ("visit_notified", true), ("letter_issued", true)]
    );
    let not_mine = emails
        .set_email_preference(pb::SetEmailPreferenceRequest {
            kind: "safeguarding_concern".into(),
            email: false,
        })
        .await
        .expect_err("not a local area user's email");
    assert_eq!(not_mine.code(), Code::InvalidArgument);
    let set = emails
        .set_email_preference(pb::SetEmailPreferenceRequest { kind: "new_request".into(), email: false })
        .await?
        .into_inner();
    assert!(!set.preferences[0].email);

    let request = ask_camden(&app, &lead).await?;
    let kinds: Vec<String> = outbox(&app.store).await?.into_iter().map(|(k, ..)| k).collect();
    assert_eq!(kinds, ["reply_reminder", "reply_reminder"], "no email of the new request");
    let start = StartServiceClient::new(app.authed(&camden).await?)
        .get_start_page(pb::GetStartPageRequest::default())
        .await?
        .into_inner();
    assert!(format!("{start:?}").contains(&request.id), "the start page still lists it");
    app.stop().await
}

#[tokio::test]
async fn without_a_key_messages_wait_and_only_national_planners_see_them() -> anyhow::Result<()> {
    let web = tempfile::tempdir()?;
    let app = spawn_app_with(web.path()).await?;
    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    with_email(&app, Persona::Camden, "camden@example.gov.uk").await?;
    let (_, planner) = app.persona(Persona::Planner).await?;
    let (_, admin) = app.persona(Persona::Admin).await?;
    ask_camden(&app, &lead).await?;
    let seen = NotificationServiceClient::new(app.authed(&planner).await?)
        .list_outbox(pb::ListOutboxRequest {})
        .await?
        .into_inner();
    assert!(!seen.notify_configured);
    assert_eq!(seen.messages.len(), 3);
    assert!(seen.messages.iter().all(|m| m.status == "Waiting"), "{:?}", seen.messages);
    assert!(seen.messages.iter().any(|m| m.kind == "A new request for an interim visit"));
    let hidden = NotificationServiceClient::new(app.authed(&admin).await?)
        .list_outbox(pb::ListOutboxRequest {})
        .await?
        .into_inner();
    assert!(hidden.messages_hidden && hidden.messages.is_empty() && !hidden.notify_configured);
    app.stop().await
}

#[tokio::test]
async fn visits_letters_and_concerns_email_the_people_they_concern() -> anyhow::Result<()> {
    let fake = FakeNotify::start().await?;
    let (app, notifier, _web) = app_with_notify(&fake).await?;
    with_email(&app, Persona::Camden, "camden@example.gov.uk").await?;
    with_email(&app, Persona::OfstedInspector, "hmi@example.gov.uk").await?;
    with_email(&app, Persona::Planner, "planner@example.gov.uk").await?;
    with_email(&app, Persona::Dfe, "dfe@example.gov.uk").await?;
    let visit = app.notified_interim_visit_with_team().await?;
    let kinds = |rows: Vec<(String, String, String)>| -> Vec<(String, String)> {
        rows.into_iter()
            .filter(|(k, ..)| !matches!(k.as_str(), "new_request" | "reply_reminder" | "request_answered"))
            .map(|(k, e, _)| (k, e))
            .collect()
    };
    assert_eq!(
        kinds(outbox(&app.store).await?),
        [("visit_notified".to_owned(), "camden@example.gov.uk".to_owned())]
    );

    // A letter returned to its writer, then issued to the area and DfE.
    let submitted = app.submitted_letter(&visit.engagement.id).await?;
    let (_, planner) = app.persona(Persona::Planner).await?;
    let mut letters = proto::pb::letter_service_client::LetterServiceClient::new(app.authed(&planner).await?);
    letters
        .return_letter(pb::ReturnLetterRequest {
            id: submitted.id.clone(),
            version: submitted.version,
            reason: "Say which services the leaders described".into(),
        })
        .await?;
    let issued = app.issued_letter(&visit.engagement.id).await?;
    let rows = kinds(outbox(&app.store).await?);
    assert_eq!(rows[1], ("letter_returned".to_owned(), "hmi@example.gov.uk".to_owned()));
    let issued_to: Vec<&str> =
        rows.iter().filter(|(k, _)| k == "letter_issued").map(|(_, e)| e.as_str()).collect();
    assert_eq!(issued_to, ["camden@example.gov.uk", "dfe@example.gov.uk"]);

    // A safeguarding concern reaches national planners.
    let (_, camden) = app.persona(Persona::Camden).await?;
    ConsentServiceClient::new(app.authed(&camden).await?)
        .record_safeguarding_concern(pb::RecordSafeguardingConcernRequest {
            id: visit.request.id.clone(),
            note: "A parent raised a concern".into(),
        })
        .await?;
    let rows = kinds(outbox(&app.store).await?);
    assert_eq!(rows.last(), Some(&("safeguarding_concern".to_owned(), "planner@example.gov.uk".to_owned())));

    // Every one of them reaches Notify, with its own template and a link to what waits.
    while notify::run_once(&app.store, &app.clock, &notifier).await? > 0 {}
    let received = fake.received();
    let letter_link = format!("{PUBLIC_URL}/letters/{}", issued.id);
    assert!(
        received.iter().any(|r| r.email_address == "dfe@example.gov.uk" && r.link == letter_link),
        "{received:?}"
    );
    assert!(received.iter().any(|r| r.link == format!("{PUBLIC_URL}/safeguarding")));
    assert!(fake.refused().is_empty(), "{:?}", fake.refused());
    app.stop().await
}
