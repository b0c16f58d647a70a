//! Account lifecycle over the real server (issue #12, items 1 and 3): the first administrator
//! from the one-time setup link; administrators disabling and enabling accounts, resetting a
//! password to a temporary one that must be changed first, and changing a role; people
//! changing their own password. Each change is audited and ends the person's sessions at once.

use chrono::TimeDelta;
use integration_tests::{PASSWORD, Persona, TestApp, spawn_app_with};
use proto::pb::{
    self, account_service_client::AccountServiceClient, audit_service_client::AuditServiceClient,
    auth_service_client::AuthServiceClient, setup_service_client::SetupServiceClient,
    start_service_client::StartServiceClient,
};
use tonic::Code;
use tonic_types::StatusExt as _;

async fn app() -> anyhow::Result<(TestApp, tempfile::TempDir)> {
    let web = tempfile::tempdir()?;
    Ok((spawn_app_with(web.path()).await?, web))
}

/// The fields a refusal names (`BadRequest`), or the subjects of the rules it breaks.
fn fields(status: &tonic::Status) -> Vec<String> {
    if let Some(bad) = status.get_details_bad_request() {
        return bad.field_violations.into_iter().map(|v| v.field).collect();
    }
    let failed = status.get_details_precondition_failure();
    failed.map(|f| f.violations.into_iter().map(|v| v.subject).collect()).unwrap_or_default()
}

type Authed =
    tonic::service::interceptor::InterceptedService<tonic::transport::Channel, integration_tests::Bearer>;

async fn accounts(app: &TestApp, token: &str) -> anyhow::Result<AccountServiceClient<Authed>> {
    Ok(AccountServiceClient::new(app.authed(token).await?))
}

async fn get(app: &TestApp, admin: &str, id: &str) -> anyhow::Result<pb::Person> {
    let reply = accounts(app, admin).await?.get_person(pb::GetPersonRequest { person_id: id.into() }).await?;
    reply.into_inner().person.ok_or_else(|| anyhow::anyhow!("no person"))
}

async fn who_am_i(app: &TestApp, token: &str) -> Result<pb::Person, tonic::Status> {
    let channel = app.authed(token).await.map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let reply = AuthServiceClient::new(channel).who_am_i(pb::WhoAmIRequest {}).await?.into_inner();
    reply.person.ok_or_else(|| tonic::Status::internal("no person"))
}

/// The actions recorded about person `id`, oldest first, as a planner reads them.
async fn trail(app: &TestApp, id: &str) -> anyhow::Result<Vec<(String, String)>> {
    let (_, planner) = app.persona(Persona::Planner).await?;
    let request = pb::ListAuditEventsRequest {
        object_type: "person".into(),
        object_id: id.into(),
        ..Default::default()
    };
    let events = AuditServiceClient::new(app.authed(&planner).await?).list_audit_events(request).await?;
    Ok(events.into_inner().events.into_iter().map(|e| (e.action, e.actor_username)).collect())
}

fn actions<'a>(trail: &'a [(String, String)], by: &str) -> Vec<&'a str> {
    trail.iter().filter(|(_, who)| who == by).map(|(action, _)| action.as_str()).collect()
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_and_loses_its_sessions_until_enabled() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let (admin_person, admin) = app.persona(Persona::Admin).await?;
    let (lead, lead_token) = app.persona(Persona::InnerLondonLead).await?;
    let before = get(&app, &admin, &lead.id).await?;
    assert!(!before.disabled);

    // Someone else changed it since: refused as stale, nothing changes.
    let stale = accounts(&app, &admin)
        .await?
        .set_account_disabled(pb::SetAccountDisabledRequest {
            person_id: lead.id.clone(),
            version: before.version - 1,
            disabled: true,
        })
        .await
        .expect_err("stale");
    assert_eq!(stale.code(), Code::Aborted);
    who_am_i(&app, &lead_token).await?;

    let disabled = accounts(&app, &admin)
        .await?
        .set_account_disabled(pb::SetAccountDisabledRequest {
            person_id: lead.id.clone(),
            version: before.version,
            disabled: true,
        })
        .await?
        .into_inner();
    assert_eq!(disabled.revoked, 1);
    let after = disabled.person.expect("person");
    assert!(after.disabled);
    assert_eq!(after.version, before.version + 1);
    assert_eq!(who_am_i(&app, &lead_token).await.expect_err("ended").code(), Code::Unauthenticated);
    let refused = app.sign_in(Persona::InnerLondonLead.username(), PASSWORD).await.expect_err("disabled");
    assert!(refused.to_string().contains("username or password is incorrect"), "{refused}");

    // Disabling again changes nothing; an administrator cannot disable their own account.
    let again = accounts(&app, &admin)
        .await?
        .set_account_disabled(pb::SetAccountDisabledRequest {
            person_id: lead.id.clone(),
            version: after.version,
            disabled: true,
        })
        .await
        .expect_err("already");
    assert_eq!((again.code(), fields(&again)), (Code::InvalidArgument, vec!["disabled".to_owned()]));
    let own = get(&app, &admin, &admin_person.id).await?;
    let own = accounts(&app, &admin)
        .await?
        .set_account_disabled(pb::SetAccountDisabledRequest {
            person_id: own.id,
            version: own.version,
            disabled: true,
        })
        .await
        .expect_err("own");
    assert!(own.message().contains("your own account"), "{}", own.message());

    accounts(&app, &admin)
        .await?
        .set_account_disabled(pb::SetAccountDisabledRequest {
            person_id: lead.id.clone(),
            version: after.version,
            disabled: false,
        })
        .await?;
    app.sign_in(Persona::InnerLondonLead.username(), PASSWORD).await?;
    let trail = trail(&app, &lead.id).await?;
    assert_eq!(actions(&trail, "admin"), ["person.disable", "person.enable"], "{trail:?}");
    app.stop().await
}

#[tokio::test]
async fn a_reset_password_is_temporary_and_must_be_changed_before_anything_else() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let (_, admin) = app.persona(Persona::Admin).await?;
    let (camden, old_session) = app.persona(Persona::Camden).await?;
    let version = get(&app, &admin, &camden.id).await?.version;
    let reset = accounts(&app, &admin)
        .await?
        .reset_password(pb::ResetPasswordRequest { person_id: camden.id.clone(), version })
        .await?
        .into_inner();
    let temporary = reset.temporary_password.clone();
    assert_eq!(temporary.len(), 19, "{temporary}");
    assert_eq!(reset.revoked, 1);
    assert!(reset.person.expect("person").must_change_password);
    assert_eq!(who_am_i(&app, &old_session).await.expect_err("ended").code(), Code::Unauthenticated);
    app.sign_in(Persona::Camden.username(), PASSWORD).await.expect_err("the old password is gone");

    let signed_in = AuthServiceClient::new(app.channel().await?)
        .sign_in(pb::SignInRequest {
            username: Persona::Camden.username().into(),
            password: temporary.clone(),
        })
        .await?
        .into_inner();
    assert!(signed_in.person.expect("person").must_change_password);
    let token = signed_in.token;
    let second = app.sign_in(Persona::Camden.username(), &temporary).await?;
    assert!(who_am_i(&app, &token).await?.must_change_password);
    let blocked = StartServiceClient::new(app.authed(&token).await?)
        .get_start_page(pb::GetStartPageRequest::default())
        .await
        .expect_err("password change due");
    assert_eq!(blocked.code(), Code::FailedPrecondition);
    assert!(blocked.message().contains("Change your password"), "{}", blocked.message());

    let mut auth = AuthServiceClient::new(app.authed(&token).await?);
    let wrong = auth
        .change_password(pb::ChangePasswordRequest {
            current_password: "not the temporary one".into(),
            new_password: "a new and private phrase".into(),
        })
        .await
        .expect_err("wrong current password");
    assert_eq!(fields(&wrong), ["current_password"]);
    let same = auth
        .change_password(pb::ChangePasswordRequest {
            current_password: temporary.clone(),
            new_password: temporary.clone(),
        })
        .await
        .expect_err("the same password");
    assert_eq!(fields(&same), ["new_password"]);
    let changed = auth
        .change_password(pb::ChangePasswordRequest {
            current_password: temporary.clone(),
            new_password: "a new and private phrase".into(),
        })
        .await?
        .into_inner();
    assert!(!changed.person.expect("person").must_change_password);
    StartServiceClient::new(app.authed(&token).await?)
        .get_start_page(pb::GetStartPageRequest::default())
        .await?;
    assert_eq!(who_am_i(&app, &second).await.expect_err("other session ended").code(), Code::Unauthenticated);
    app.sign_in(Persona::Camden.username(), "a new and private phrase").await?;
    app.sign_in(Persona::Camden.username(), &temporary).await.expect_err("the temporary password is gone");

    let trail = trail(&app, &camden.id).await?;
    assert_eq!(actions(&trail, "admin"), ["person.reset_password"], "{trail:?}");
    assert!(actions(&trail, "user.camden").contains(&"person.change_password"), "{trail:?}");
    app.stop().await
}

#[tokio::test]
async fn a_change_of_role_applies_at_the_next_sign_in_and_bad_scopes_change_nothing() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let (admin_person, admin) = app.persona(Persona::Admin).await?;
    let (lead, lead_token) = app.persona(Persona::InnerLondonLead).await?;
    let version = get(&app, &admin, &lead.id).await?.version;
    let change = |region: &str, version| pb::ChangeRoleRequest {
        person_id: lead.id.clone(),
        version,
        role: pb::Role::RegionalLead.into(),
        region_code: region.into(),
        ..Default::default()
    };
    let bad = accounts(&app, &admin).await?.change_role(change("", version)).await.expect_err("no region");
    assert_eq!(fields(&bad), ["region_code"]);
    let unknown = accounts(&app, &admin)
        .await?
        .change_role(change("E99999999", version))
        .await
        .expect_err("no such region");
    assert_eq!(fields(&unknown), ["region_code"]);
    assert_eq!(get(&app, &admin, &lead.id).await?.version, version, "nothing changed");
    who_am_i(&app, &lead_token).await?;

    let changed = accounts(&app, &admin).await?.change_role(change("E12000001", version)).await?.into_inner();
    assert_eq!(changed.revoked, 1);
    assert_eq!(changed.person.expect("person").scope_label, "North East");
    assert_eq!(who_am_i(&app, &lead_token).await.expect_err("ended").code(), Code::Unauthenticated);
    let token = app.sign_in(Persona::InnerLondonLead.username(), PASSWORD).await?;
    let me = who_am_i(&app, &token).await?;
    assert_eq!((me.region_code.as_str(), me.scope_label.as_str()), ("E12000001", "North East"));

    let own = get(&app, &admin, &admin_person.id).await?;
    let refused = accounts(&app, &admin)
        .await?
        .change_role(pb::ChangeRoleRequest {
            person_id: own.id.clone(),
            version: own.version,
            role: pb::Role::NationalPlanner.into(),
            ..Default::default()
        })
        .await
        .expect_err("own role");
    assert_eq!(fields(&refused), ["role"]);
    let trail = trail(&app, &lead.id).await?;
    assert_eq!(actions(&trail, "admin"), ["person.change_role"], "{trail:?}");
    app.stop().await
}

fn setup_token(app: &TestApp) -> anyhow::Result<String> {
    let link = app.setup_link.clone().ok_or_else(|| anyhow::anyhow!("no setup link was logged"))?;
    assert!(link.starts_with(&format!("{}/setup?token=", app.url())), "{link}");
    Ok(link.rsplit('=').next().unwrap_or_default().to_owned())
}

fn first_admin(token: &str, username: &str) -> pb::CreateFirstAdministratorRequest {
    pb::CreateFirstAdministratorRequest {
        token: token.into(),
        username: username.into(),
        display_name: "Ada Administrator".into(),
        password: "the first administrator's phrase".into(),
    }
}

#[tokio::test]
async fn the_first_administrator_comes_from_a_one_time_setup_link() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let token = setup_token(&app)?;
    let mut setup = SetupServiceClient::new(app.channel().await?);

    let guessed =
        setup.create_first_administrator(first_admin(&"x".repeat(43), "ada")).await.expect_err("guessed");
    assert_eq!((guessed.code(), fields(&guessed)), (Code::FailedPrecondition, vec!["token".to_owned()]));
    let weak = setup
        .create_first_administrator(pb::CreateFirstAdministratorRequest {
            password: "password1234".into(),
            ..first_admin(&token, "ada")
        })
        .await
        .expect_err("weak password");
    assert_eq!(fields(&weak), ["password"]);

    let made = setup.create_first_administrator(first_admin(&token, "ada")).await?.into_inner();
    let ada = made.person.expect("person");
    assert_eq!(ada.role(), pb::Role::Administrator);
    let session = app.sign_in("ada", "the first administrator's phrase").await?;
    accounts(&app, &session).await?.create_person(Persona::Planner.request()).await?;

    let reused = setup.create_first_administrator(first_admin(&token, "bob")).await.expect_err("used");
    assert_eq!(reused.code(), Code::FailedPrecondition);
    assert_eq!(reused.message(), guessed.message(), "a used link reads as a guessed one");
    let trail = trail(&app, &ada.id).await?;
    assert_eq!(
        trail.first().map(|(a, who)| (a.as_str(), who.as_str())),
        Some(("person.create", "setup_link"))
    );

    // The server, started again on a database with an administrator, logs no link.
    let again = send_planner::startup::Application::build_with_clock(
        &send_planner::config::Settings {
            public_url: Some("https://send-planner.example".into()),
            ..integration_tests::test_settings(&app.db.url, _web.path())
        },
        app.clock.clone(),
    )
    .await?;
    assert_eq!(again.setup_link(), None);
    drop(again);
    app.stop().await
}

#[tokio::test]
async fn a_setup_link_expires_after_an_hour() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let token = setup_token(&app)?;
    app.clock.advance(TimeDelta::minutes(60));
    let late = SetupServiceClient::new(app.channel().await?)
        .create_first_administrator(first_admin(&token, "ada"))
        .await
        .expect_err("expired");
    assert_eq!(late.code(), Code::FailedPrecondition);
    assert!(late.message().contains("expired or has already been used"), "{}", late.message());
    app.sign_in("ada", "the first administrator's phrase").await.expect_err("nobody was made");
    app.stop().await
}

#[tokio::test]
async fn an_administrator_changes_an_email_address_and_the_person_stays_signed_in() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let (_, admin) = app.persona(Persona::Admin).await?;
    let (camden, token) = app.persona(Persona::Camden).await?;
    let before = get(&app, &admin, &camden.id).await?;
    assert_eq!(before.email, "");
    let set = |email: &str, version| pb::SetEmailRequest {
        person_id: camden.id.clone(),
        version,
        email: email.into(),
    };
    let bad = accounts(&app, &admin)
        .await?
        .set_email(set("not an address", before.version))
        .await
        .expect_err("bad");
    assert_eq!(fields(&bad), ["email"]);
    let after = accounts(&app, &admin)
        .await?
        .set_email(set(" Camden.SEND@example.gov.uk ", before.version))
        .await?
        .into_inner()
        .person
        .expect("person");
    assert_eq!((after.email.as_str(), after.version), ("camden.send@example.gov.uk", before.version + 1));
    who_am_i(&app, &token).await?;
    let stale = accounts(&app, &admin).await?.set_email(set("", before.version)).await.expect_err("stale");
    assert_eq!(stale.code(), Code::Aborted);
    let trail = trail(&app, &camden.id).await?;
    assert_eq!(actions(&trail, "admin"), ["person.set_email"], "{trail:?}");
    app.stop().await
}
