//! Confidential visit requests and written consent over the real server.

use integration_tests::{Persona, TestApp, consent_answer, signed_pdf, spawn_app_with, visit_request};
use proto::pb::{self, consent_service_client::ConsentServiceClient};
use send_planner::{
    domain::consent::{DateRange, VisitRefused},
    store::Store,
};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};
use tonic_types::StatusExt as _;

type Client = ConsentServiceClient<InterceptedService<Channel, integration_tests::Bearer>>;

async fn app() -> anyhow::Result<(TestApp, tempfile::TempDir)> {
    let web = tempfile::tempdir()?;
    Ok((spawn_app_with(web.path()).await?, web))
}

async fn client(app: &TestApp, persona: Persona) -> anyhow::Result<Client> {
    let (_, token) = app.persona(persona).await?;
    Ok(ConsentServiceClient::new(app.authed(&token).await?))
}

/// A reply-by date a month after the test clock's today.
fn reply_by(app: &TestApp) -> String {
    (app.clock.now().date_naive() + chrono::TimeDelta::days(30)).to_string()
}

async fn count(store: &Store, sql: &'static str) -> anyhow::Result<i64> {
    let (n,): (i64,) = match &store.db {
        send_planner::store::Db::Sqlite(pool) => sqlx::query_as(sql).fetch_one(pool).await?,
        send_planner::store::Db::Postgres(pool) => sqlx::query_as(sql).fetch_one(pool).await?,
    };
    Ok(n)
}

/// The rule ids a refusal names in its `PreconditionFailure` detail.
fn rules(status: &tonic::Status) -> Vec<String> {
    let failure = status.get_details_precondition_failure();
    failure.map(|f| f.violations.into_iter().map(|v| v.r#type).collect()).unwrap_or_default()
}

/// The fields a refusal names in its `BadRequest` detail.
fn fields(status: &tonic::Status) -> Vec<String> {
    let bad = status.get_details_bad_request();
    bad.map(|b| b.field_violations.into_iter().map(|v| v.field).collect()).unwrap_or_default()
}

/// A withdrawal of the consent on request `id`, read at `version`.
fn withdrawal(id: &str, version: i64, reason: &str) -> pb::WithdrawConsentRequest {
    pb::WithdrawConsentRequest { id: id.into(), version, reason: reason.into() }
}

/// A cancellation of request `id`, read at `version`.
fn cancellation(id: &str, version: i64, reason: &str) -> pb::CancelVisitRequestRequest {
    pb::CancelVisitRequestRequest { id: id.into(), version, reason: reason.into() }
}

/// What the caller may do, as the server says.
fn actions(request: &pb::VisitRequest) -> Vec<pb::RequestAction> {
    request.allowed_actions().collect()
}

async fn get(client: &mut Client, id: &str) -> Result<pb::VisitRequest, tonic::Status> {
    let reply = client.get_visit_request(pb::GetVisitRequestRequest { id: id.into() }).await?;
    reply.into_inner().request.ok_or_else(|| tonic::Status::internal("no request"))
}

async fn create(app: &TestApp, by: Persona, area: &str) -> anyhow::Result<pb::VisitRequest> {
    let mut c = client(app, by).await?;
    let created = c.create_visit_request(visit_request(area, &reply_by(app))).await?.into_inner();
    created.request.ok_or_else(|| anyhow::anyhow!("no request"))
}

#[tokio::test]
async fn a_request_is_seen_by_its_audience_and_nobody_else() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let request = create(&app, Persona::InnerLondonLead, "E09000007").await?;
    assert_eq!(request.state(), pb::RequestState::Requested);
    assert_eq!(actions(&request), [pb::RequestAction::Cancel, pb::RequestAction::RecordSafeguardingConcern]);
    let for_camden = get(&mut client(&app, Persona::Camden).await?, &request.id).await?;
    assert_eq!(
        actions(&for_camden),
        [pb::RequestAction::Answer, pb::RequestAction::RecordSafeguardingConcern]
    );
    assert_eq!((request.local_area_name.as_str(), request.region_name.as_str()), ("Camden", "Inner London"));

    for persona in [Persona::Planner, Persona::InnerLondonLead, Persona::Camden] {
        let mut c = client(&app, persona).await?;
        assert_eq!(get(&mut c, &request.id).await?.id, request.id, "{persona:?} reads it");
        let listed =
            c.list_visit_requests(pb::ListVisitRequestsRequest::default()).await?.into_inner().requests;
        assert_eq!(listed.len(), 1, "{persona:?} lists it");
    }
    let missing = get(&mut client(&app, Persona::Planner).await?, "999999").await.expect_err("missing");
    for persona in [Persona::Westminster, Persona::NorthEastLead, Persona::Hartlepool] {
        let mut c = client(&app, persona).await?;
        let hidden = get(&mut c, &request.id).await.expect_err("hidden");
        assert_eq!((hidden.code(), hidden.message()), (missing.code(), missing.message()), "{persona:?}");
        let listed =
            c.list_visit_requests(pb::ListVisitRequestsRequest::default()).await?.into_inner().requests;
        assert!(listed.is_empty(), "{persona:?} lists nothing");
        let concern = c
            .record_safeguarding_concern(pb::RecordSafeguardingConcernRequest {
                id: request.id.clone(),
                note: "probe".into(),
            })
            .await
            .expect_err("hidden");
        assert_eq!((concern.code(), concern.message()), (missing.code(), missing.message()));
    }
    for persona in [Persona::OfstedInspector, Persona::Dfe, Persona::Admin] {
        let status = get(&mut client(&app, persona).await?, &request.id).await.expect_err("not their role");
        assert_eq!(status.code(), Code::PermissionDenied, "{persona:?}");
        assert!(!status.message().contains("Camden"));
    }
    let outside = client(&app, Persona::InnerLondonLead)
        .await?
        .create_visit_request(visit_request("E06000001", &reply_by(&app)))
        .await
        .expect_err("another region");
    assert_eq!(outside.code(), Code::InvalidArgument);
    assert_eq!(fields(&outside), ["local_area_code"], "{outside:?}");
    app.stop().await
}

#[tokio::test]
async fn consent_in_writing_with_its_document_then_withdrawal() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let request = create(&app, Persona::InnerLondonLead, "E09000007").await?;
    let mut camden = client(&app, Persona::Camden).await?;
    let consented =
        camden.answer_visit_request(consent_answer(&request.id, request.version)).await?.into_inner();
    let consented = consented.request.expect("request");
    assert_eq!(consented.state(), pb::RequestState::Consented);
    assert_eq!(
        actions(&consented),
        [pb::RequestAction::Withdraw, pb::RequestAction::RecordSafeguardingConcern],
        "the area may withdraw what it gave"
    );

    let mut lead = client(&app, Persona::InnerLondonLead).await?;
    let seen = get(&mut lead, &request.id).await?;
    assert_eq!(
        actions(&seen),
        [
            pb::RequestAction::Cancel,
            pb::RequestAction::RecordSafeguardingConcern,
            pb::RequestAction::ScheduleVisit
        ],
        "the region's lead may plan the visit on the consent"
    );
    let consent = seen.consent.clone().expect("consent on record");
    let document = consent.document.clone().expect("document");
    use sha2::Digest as _;
    assert_eq!(document.sha256, hex::encode(sha2::Sha256::digest(signed_pdf(&request.id))));
    assert_eq!(
        (consent.signatory_name.as_str(), document.content_type.as_str()),
        ("Alex Morgan", "application/pdf")
    );

    let store = &app.store;
    let spring = DateRange::parse("2027-04-20", "2027-04-21", "dates").map_err(|e| anyhow::anyhow!("{e}"))?;
    let blocked =
        DateRange::parse("2027-04-27", "2027-04-28", "dates").map_err(|e| anyhow::anyhow!("{e}"))?;
    let today = app.clock.now().date_naive();
    assert_eq!(store.may_visit("E09000007", spring, today).await?, Ok(()));
    assert!(matches!(store.may_visit("E09000007", blocked, today).await?, Err(VisitRefused::Unavailable(_))));
    assert_eq!(store.may_visit("E09000033", spring, today).await?, Err(VisitRefused::NoConsent));

    let withdrawn = camden
        .withdraw_consent(withdrawal(&request.id, consented.version, "Local outbreak"))
        .await?
        .into_inner()
        .request
        .expect("request");
    assert_eq!(withdrawn.state(), pb::RequestState::Withdrawn);
    assert!(matches!(store.may_visit("E09000007", spring, today).await?, Err(VisitRefused::NotCurrent(_))));
    let history = get(&mut lead, &request.id).await?.history;
    let kinds: Vec<_> = history.iter().map(|h| h.kind.as_str()).collect();
    assert_eq!(kinds, ["requested", "consented", "withdrawn"]);
    assert_eq!(history[2].note, "Local outbreak");
    assert!(get(&mut lead, &request.id).await?.consent.is_some(), "the consent stays in history");
    app.stop().await
}

#[tokio::test]
async fn the_document_is_served_only_to_the_audience_as_an_uncached_attachment() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let request = create(&app, Persona::InnerLondonLead, "E09000007").await?;
    let mut camden = client(&app, Persona::Camden).await?;
    let answered =
        camden.answer_visit_request(consent_answer(&request.id, request.version)).await?.into_inner();
    let document = answered.request.and_then(|r| r.consent).and_then(|c| c.document).expect("document");
    let path = format!("/documents/{}", document.id);

    let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
    let ok = http_get(&app, &path, Some(&lead)).await?;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    let head = ok.to_lowercase();
    assert!(head.contains("content-disposition: attachment"), "{ok}");
    assert!(head.contains("cache-control: no-store"), "{ok}");
    assert!(head.contains("content-type: application/pdf"), "{ok}");
    assert!(ok.contains(&format!("signed consent: {}", request.id)));

    let (_, other) = app.persona(Persona::Westminster).await?;
    let hidden = http_get(&app, &path, Some(&other)).await?;
    let missing = http_get(&app, "/documents/999999", Some(&other)).await?;
    assert!(hidden.starts_with("HTTP/1.1 404") && missing.starts_with("HTTP/1.1 404"), "{hidden}");
    assert_eq!(body(&hidden), body(&missing));
    let (_, dfe) = app.persona(Persona::Dfe).await?;
    assert!(http_get(&app, &path, Some(&dfe)).await?.starts_with("HTTP/1.1 403"));
    assert!(http_get(&app, &path, None).await?.starts_with("HTTP/1.1 401"));
    let reads =
        count(&app.store, "SELECT COUNT(*) FROM audit_events WHERE action = 'consent_document.read'").await?;
    assert_eq!(reads, 1, "only the served download is a read");
    app.stop().await
}

fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

async fn http_get(app: &TestApp, path: &str, token: Option<&str>) -> anyhow::Result<String> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await?;
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n{auth}Connection: close\r\n\r\n", app.addr);
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    Ok(String::from_utf8_lossy(&response).into_owned())
}

#[tokio::test]
async fn bad_answers_name_the_field_and_store_nothing() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let request = create(&app, Persona::InnerLondonLead, "E09000007").await?;
    let mut camden = client(&app, Persona::Camden).await?;
    let future = (app.clock.now().date_naive() + chrono::TimeDelta::days(1)).to_string();
    let with = |f: &dyn Fn(&mut pb::ConsentAnswer)| {
        let mut answer = consent_answer(&request.id, request.version);
        if let Some(pb::answer_visit_request_request::Answer::Consent(c)) = answer.answer.as_mut() {
            f(c);
        }
        answer
    };
    let cases = [
        (with(&|c| c.signatory_name = "  ".into()), "signatory_name"),
        (with(&|c| c.date_signed = future.clone()), "date_signed"),
        (with(&|c| c.document = b"GIF89a not a pdf".to_vec()), "document"),
        (with(&|c| c.document = Vec::new()), "document"),
        (with(&|c| c.document = [b"%PDF-".as_slice(), &vec![b' '; 10 * 1024 * 1024]].concat()), "document"),
        (
            pb::AnswerVisitRequestRequest { answer: None, ..consent_answer(&request.id, request.version) },
            "answer",
        ),
    ];
    for (answer, field) in cases {
        let status = camden.answer_visit_request(answer).await.expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument, "{field}: {status:?}");
        assert_eq!(fields(&status), [field], "{status:?}");
    }
    assert_eq!(count(&app.store, "SELECT COUNT(*) FROM consent_documents").await?, 0, "no orphan document");
    assert_eq!(count(&app.store, "SELECT COUNT(*) FROM consents").await?, 0);
    let unchanged = get(&mut camden, &request.id).await?;
    assert_eq!((unchanged.state(), unchanged.version), (pb::RequestState::Requested, request.version));
    assert_eq!(unchanged.history.len(), 1);

    let bad_request = client(&app, Persona::Planner)
        .await?
        .create_visit_request(pb::CreateVisitRequestRequest {
            reply_by: "2020-01-01".into(),
            ..visit_request("E09000007", "")
        })
        .await
        .expect_err("refused");
    assert_eq!(fields(&bad_request), ["reply_by"], "{bad_request:?}");
    let unexplained = client(&app, Persona::InnerLondonLead)
        .await?
        .cancel_visit_request(cancellation(&request.id, request.version, "   "))
        .await
        .expect_err("a reason is required");
    assert_eq!(fields(&unexplained), ["reason"], "{unexplained:?}");
    assert_eq!(get(&mut camden, &request.id).await?.version, request.version, "nothing changed");
    app.stop().await
}

#[tokio::test]
async fn the_largest_accepted_document_goes_through() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let request = create(&app, Persona::InnerLondonLead, "E09000007").await?;
    let mut answer = consent_answer(&request.id, request.version);
    if let Some(pb::answer_visit_request_request::Answer::Consent(c)) = answer.answer.as_mut() {
        c.document = [b"%PDF-".as_slice(), &vec![b'x'; 10 * 1024 * 1024 - 5]].concat();
    }
    let mut camden = client(&app, Persona::Camden).await?;
    let done = camden.answer_visit_request(answer).await?.into_inner().request.expect("request");
    let size = done.consent.and_then(|c| c.document).map(|d| d.size_bytes);
    assert_eq!(size, Some(10 * 1024 * 1024));
    app.stop().await
}

#[tokio::test]
async fn illegal_moves_name_the_current_state() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let expiring = create(&app, Persona::InnerLondonLead, "E09000007").await?;
    let cancelled = create(&app, Persona::InnerLondonLead, "E09000007").await?;
    let mut lead = client(&app, Persona::InnerLondonLead).await?;
    lead.cancel_visit_request(cancellation(&cancelled.id, cancelled.version, "Programme changed")).await?;
    let mut camden = client(&app, Persona::Camden).await?;
    let status = camden
        .answer_visit_request(consent_answer(&cancelled.id, cancelled.version + 1))
        .await
        .expect_err("cancelled");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert_eq!(rules(&status), ["request.transition"], "{status:?}");
    assert!(
        status.message().contains("cancelled"),
        "the sentence says where it stands: {}",
        status.message()
    );

    app.clock.advance(chrono::TimeDelta::days(31));
    let mut camden = client(&app, Persona::Camden).await?; // the old session expired meanwhile
    let expired = get(&mut camden, &expiring.id).await?;
    assert_eq!(expired.state(), pb::RequestState::Expired);
    assert_eq!(actions(&expired), [pb::RequestAction::RecordSafeguardingConcern], "nothing left to answer");
    let status = camden
        .answer_visit_request(consent_answer(&expiring.id, expiring.version))
        .await
        .expect_err("expired");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert_eq!(rules(&status), ["request.expired"], "{status:?}");
    assert!(!status.message().contains("request.expired"), "people never see rule ids");
    let withdraw = camden
        .withdraw_consent(withdrawal(&expiring.id, expiring.version, "x"))
        .await
        .expect_err("nothing to withdraw");
    assert_eq!(withdraw.code(), Code::FailedPrecondition);
    assert_eq!(rules(&withdraw), ["request.expired"], "{withdraw:?}");
    app.stop().await
}

#[tokio::test]
async fn two_people_answering_at_once_record_exactly_one_answer() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let request = create(&app, Persona::InnerLondonLead, "E09000007").await?;
    let mut second = Persona::Camden.request();
    second.username = "user.camden2".into();
    app.seed_person(second).await?;
    let token = app.sign_in("user.camden2", integration_tests::PASSWORD).await?;
    let mut a = client(&app, Persona::Camden).await?;
    let mut b = ConsentServiceClient::new(app.authed(&token).await?);
    let decline = pb::AnswerVisitRequestRequest {
        id: request.id.clone(),
        version: request.version,
        answer: Some(pb::answer_visit_request_request::Answer::Decline(pb::DeclineAnswer {
            reason: String::new(),
        })),
    };
    let (first, other) = tokio::join!(
        a.answer_visit_request(consent_answer(&request.id, request.version)),
        b.answer_visit_request(decline)
    );
    let outcomes = [first.map(|_| ()), other.map(|_| ())];
    let oks = outcomes.iter().filter(|r| r.is_ok()).count();
    assert_eq!(oks, 1, "{outcomes:?}");
    let loser = outcomes.iter().find_map(|r| r.as_ref().err()).expect("one refused");
    assert_eq!(loser.code(), Code::Aborted, "{loser:?}");
    assert!(loser.message().starts_with("Someone else changed this request"), "{}", loser.message());
    let history = get(&mut a, &request.id).await?.history;
    assert_eq!(history.len(), 2, "one answer in the history");
    app.stop().await
}

#[tokio::test]
async fn totals_are_national_for_planners_regional_for_leads_and_nobody_elses() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    create(&app, Persona::InnerLondonLead, "E09000007").await?;
    create(&app, Persona::InnerLondonLead, "E09000033").await?;
    create(&app, Persona::Planner, "E06000001").await?;
    let totals = |t: Vec<pb::ConsentTotal>| -> Vec<(String, u32)> {
        t.into_iter().map(|t| (t.region_name, t.count)).collect()
    };
    let national =
        client(&app, Persona::Planner).await?.get_consent_totals(pb::GetConsentTotalsRequest {}).await?;
    assert_eq!(
        totals(national.into_inner().totals),
        [("North East".to_owned(), 1), ("Inner London".to_owned(), 2)]
    );
    let regional = client(&app, Persona::InnerLondonLead)
        .await?
        .get_consent_totals(pb::GetConsentTotalsRequest {})
        .await?;
    assert_eq!(totals(regional.into_inner().totals), [("Inner London".to_owned(), 2)]);
    let status = client(&app, Persona::Camden)
        .await?
        .get_consent_totals(pb::GetConsentTotalsRequest {})
        .await
        .expect_err("no counts");
    assert_eq!(status.code(), Code::PermissionDenied);
    app.stop().await
}

#[tokio::test]
async fn a_safeguarding_concern_is_escalated_to_national_planners_and_audited() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let request = create(&app, Persona::InnerLondonLead, "E09000007").await?;
    let mut camden = client(&app, Persona::Camden).await?;
    let flagged = camden
        .record_safeguarding_concern(pb::RecordSafeguardingConcernRequest {
            id: request.id.clone(),
            note: "Referral made to children's social care".into(),
        })
        .await?
        .into_inner()
        .request
        .expect("request");
    assert!(flagged.safeguarding_concern);
    let concerns = client(&app, Persona::Planner)
        .await?
        .list_safeguarding_concerns(pb::ListSafeguardingConcernsRequest {})
        .await?
        .into_inner()
        .concerns;
    assert_eq!(concerns.len(), 1);
    assert_eq!(concerns[0].local_area_name, "Camden");
    let escalations =
        count(&app.store, "SELECT COUNT(*) FROM audit_events WHERE action = 'safeguarding.escalate'").await?;
    assert_eq!(escalations, 1);
    let reads_before =
        count(&app.store, "SELECT COUNT(*) FROM audit_events WHERE action = 'visit_request.read'").await?;
    get(&mut camden, &request.id).await?;
    let reads_after =
        count(&app.store, "SELECT COUNT(*) FROM audit_events WHERE action = 'visit_request.read'").await?;
    assert_eq!(reads_after, reads_before + 1, "every read of a consent record is audited");
    app.stop().await
}

#[tokio::test]
async fn lists_cost_the_same_queries_for_one_row_as_for_many() -> anyhow::Result<()> {
    let (app, _web) = app().await?;
    let mut planner = client(&app, Persona::Planner).await?;
    let mut camden = client(&app, Persona::Camden).await?;
    let first = create(&app, Persona::Planner, "E09000007").await?;
    camden
        .record_safeguarding_concern(pb::RecordSafeguardingConcernRequest {
            id: first.id.clone(),
            note: "Referral made".into(),
        })
        .await?;
    /// Round trips of one call of each list, and how many rows each answered.
    async fn costs(app: &TestApp, planner: &mut Client) -> anyhow::Result<Vec<(u64, usize)>> {
        let mut out = Vec::new();
        let before = app.store.round_trips();
        let listed = planner.list_visit_requests(pb::ListVisitRequestsRequest::default()).await?.into_inner();
        out.push((app.store.round_trips() - before, listed.requests.len()));
        let before = app.store.round_trips();
        let totals = planner.get_consent_totals(pb::GetConsentTotalsRequest {}).await?.into_inner();
        out.push((app.store.round_trips() - before, totals.totals.len()));
        let before = app.store.round_trips();
        let concerns =
            planner.list_safeguarding_concerns(pb::ListSafeguardingConcernsRequest {}).await?.into_inner();
        out.push((app.store.round_trips() - before, concerns.concerns.len()));
        Ok(out)
    }
    let few = costs(&app, &mut planner).await?;
    for area in ["E09000033", "E06000001", "E09000007", "E09000033", "E06000001", "E08000021"] {
        let request = create(&app, Persona::Planner, area).await?;
        if area == "E09000033" {
            client(&app, Persona::Westminster)
                .await?
                .record_safeguarding_concern(pb::RecordSafeguardingConcernRequest {
                    id: request.id.clone(),
                    note: "Referral made".into(),
                })
                .await?;
        }
    }
    let many = costs(&app, &mut planner).await?;
    for ((few_trips, few_rows), (many_trips, many_rows)) in few.iter().zip(&many) {
        assert!(many_rows > few_rows, "the second call answers more rows: {few:?} then {many:?}");
        assert_eq!(few_trips, many_trips, "queries do not grow with the rows: {few:?} then {many:?}");
    }
    app.stop().await
}

/// Whether `id` is a random UUIDv4 in canonical form (122 random bits of 128).
fn is_random_uuid(id: &str) -> bool {
    send_planner::domain::public_id::parse_public_id(id).is_some()
        && id.as_bytes().get(14) == Some(&b'4')
        && id.as_bytes().get(19).is_some_and(|c| b"89ab".contains(c))
}

/// What a refusal says: code, message and the details (but the request's own id).
fn answer(status: &tonic::Status) -> (Code, String, String) {
    integration_tests::refusal(status)
}

/// A response's status line and body, without headers such as the date.
fn status_and_body(response: &str) -> (&str, &str) {
    (response.lines().next().unwrap_or_default(), body(response))
}

#[tokio::test]
async fn requests_and_documents_have_random_ids_and_unknown_ids_answer_like_hidden_ones() -> anyhow::Result<()>
{
    let (app, _web) = app().await?;
    let first = create(&app, Persona::InnerLondonLead, "E09000007").await?;
    let second = create(&app, Persona::InnerLondonLead, "E09000033").await?;
    assert!(is_random_uuid(&first.id) && is_random_uuid(&second.id), "{} {}", first.id, second.id);
    assert_ne!(first.id, second.id);
    let mut camden = client(&app, Persona::Camden).await?;
    let answered = camden.answer_visit_request(consent_answer(&first.id, first.version)).await?.into_inner();
    let document = answered.request.and_then(|r| r.consent).and_then(|c| c.document).expect("document");
    assert!(is_random_uuid(&document.id), "{}", document.id);
    camden
        .record_safeguarding_concern(pb::RecordSafeguardingConcernRequest {
            id: first.id.clone(),
            note: "Referral made to children's social care".into(),
        })
        .await?;
    let mut planner = client(&app, Persona::Planner).await?;
    let concerns = planner
        .list_safeguarding_concerns(pb::ListSafeguardingConcernsRequest {})
        .await?
        .into_inner()
        .concerns;
    assert_eq!(concerns.iter().map(|c| c.request_id.as_str()).collect::<Vec<_>>(), [first.id.as_str()]);

    // Pages follow creation order through a token that is the last request's public id.
    let page = |token: &str| pb::ListVisitRequestsRequest {
        page_size: 1,
        page_token: token.into(),
        ..Default::default()
    };
    let one = planner.list_visit_requests(page("")).await?.into_inner();
    assert_eq!(one.requests.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [second.id.as_str()]);
    assert_eq!(one.next_page_token, second.id);
    let two = planner.list_visit_requests(page(&one.next_page_token)).await?.into_inner();
    assert_eq!(two.requests.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [first.id.as_str()]);
    let bad = planner.list_visit_requests(page("2")).await.expect_err("not a token");
    assert_eq!(fields(&bad), ["page_token"]);

    // The audit trail names the request and the document by the ids the API carries.
    for (object_type, object_id) in
        [("visit_request", first.id.as_str()), ("consent_document", document.id.as_str())]
    {
        let sql = "SELECT COUNT(*) FROM audit_events WHERE object_type = $1 AND object_id = $2";
        let (n,): (i64,) = match &app.store.db {
            send_planner::store::Db::Sqlite(pool) => {
                sqlx::query_as(sql).bind(object_type).bind(object_id).fetch_one(pool).await?
            }
            send_planner::store::Db::Postgres(pool) => {
                sqlx::query_as(sql).bind(object_type).bind(object_id).fetch_one(pool).await?
            }
        };
        if object_type == "consent_document" {
            let (_, lead) = app.persona(Persona::InnerLondonLead).await?;
            assert!(
                http_get(&app, &format!("/documents/{object_id}"), Some(&lead))
                    .await?
                    .starts_with("HTTP/1.1 200")
            );
            assert_eq!(n, 0, "not read yet");
        } else {
            assert!(n >= 3, "created, answered, concern: {n}");
        }
    }
    let reads = count(
        &app.store,
        "SELECT COUNT(*) FROM audit_events e JOIN consent_documents d ON d.public_id = e.object_id \
         WHERE e.action = 'consent_document.read'",
    )
    .await?;
    assert_eq!(reads, 1);

    // An outsider learns nothing from an id: hidden, unknown but well formed, malformed or an
    // old integer id all answer alike (code, message and details).
    let random = send_planner::domain::public_id::new_public_id();
    let mut outsider = client(&app, Persona::Hartlepool).await?;
    let (_, outsider_token) = app.persona(Persona::Hartlepool).await?;
    let hidden = get(&mut outsider, &first.id).await.expect_err("hidden");
    let hidden_document =
        http_get(&app, &format!("/documents/{}", document.id), Some(&outsider_token)).await?;
    assert!(hidden_document.starts_with("HTTP/1.1 404"), "{hidden_document}");
    for other in [random.as_str(), "1", "999999", "not-an-id", &random.to_uppercase()] {
        let e = get(&mut outsider, other).await.expect_err("unknown");
        assert_eq!(answer(&e), answer(&hidden), "request {other:?}");
        let d = http_get(&app, &format!("/documents/{other}"), Some(&outsider_token)).await?;
        assert_eq!(status_and_body(&d), status_and_body(&hidden_document), "document {other:?}");
    }
    app.stop().await
}
