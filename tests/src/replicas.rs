//! What two replicas over one database must agree on (issue #16, item 1), checked through the
//! addresses of two servers: in-process ones (`e2e::replicas`) or two `send-planner` processes
//! (`faults`).

use std::net::SocketAddr;

use proto::pb::{
    self, account_service_client::AccountServiceClient, auth_service_client::AuthServiceClient,
    consent_service_client::ConsentServiceClient,
};
use send_planner::{domain::audit::Actor, store::Store};
use tonic::{Code, service::interceptor::InterceptedService, transport::Channel};

use crate::{Bearer, Persona, consent_answer, visit_request};

async fn channel(addr: SocketAddr) -> anyhow::Result<Channel> {
    Ok(Channel::from_shared(format!("http://{addr}"))?.connect().await?)
}

async fn authed(addr: SocketAddr, token: &str) -> anyhow::Result<InterceptedService<Channel, Bearer>> {
    Ok(InterceptedService::new(channel(addr).await?, Bearer::new(token)?))
}

async fn who_am_i(addr: SocketAddr, token: &str) -> Result<pb::Person, tonic::Status> {
    let channel = authed(addr, token).await.map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let reply = AuthServiceClient::new(channel).who_am_i(pb::WhoAmIRequest {}).await?.into_inner();
    reply.person.ok_or_else(|| tonic::Status::internal("no person"))
}

async fn sign_in(addr: SocketAddr, username: &str, password: &str) -> Result<String, tonic::Status> {
    let channel = channel(addr).await.map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let request = pb::SignInRequest { username: username.into(), password: password.into() };
    Ok(AuthServiceClient::new(channel).sign_in(request).await?.into_inner().token)
}

/// Servers `a` and `b` share one database, `store`: a session made on A works on B and a
/// revocation through B ends it on A at once; the same answer sent through both at one version is
/// taken once and refused once as stale; 16 concurrent sign-ins through both leave one unbroken
/// audit chain with every event; three failed sign-ins on A and two on B lock the username on
/// both. Accounts are created in `store` as at `now`.
pub async fn check_replicas(
    a: SocketAddr,
    b: SocketAddr,
    store: &Store,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let seed = |persona: Persona| async move {
        let person = send_planner::grpc::account::create_person(
            store,
            &persona.request(),
            &Actor::system("test"),
            now,
        )
        .await
        .map_err(|s| anyhow::anyhow!("seed {}: {s}", persona.username()))?;
        anyhow::Ok(send_planner::grpc::convert::person_to_pb(&person))
    };
    // A session made on A works on B; revoked through B, it ends on A at once.
    let camden = seed(Persona::Camden).await?;
    let token = sign_in(a, Persona::Camden.username(), crate::PASSWORD).await?;
    assert_eq!(who_am_i(b, &token).await?.username, "user.camden");
    seed(Persona::Admin).await?;
    let admin = sign_in(b, Persona::Admin.username(), crate::PASSWORD).await?;
    AccountServiceClient::new(authed(b, &admin).await?)
        .revoke_sessions(pb::RevokeSessionsRequest { person_id: camden.id.clone() })
        .await?;
    assert_eq!(who_am_i(a, &token).await.expect_err("revoked").code(), Code::Unauthenticated);

    // The same answer sent through both at once, at the same version: one wins, the other is
    // told the request changed; nothing is lost or doubled.
    seed(Persona::InnerLondonLead).await?;
    let lead = sign_in(a, Persona::InnerLondonLead.username(), crate::PASSWORD).await?;
    let request = ConsentServiceClient::new(authed(a, &lead).await?)
        .create_visit_request(visit_request("E09000007", "2027-01-15"))
        .await?
        .into_inner()
        .request
        .ok_or_else(|| anyhow::anyhow!("no request"))?;
    let camden_token = sign_in(b, Persona::Camden.username(), crate::PASSWORD).await?;
    let answer = |addr| {
        let (request, token) = (request.clone(), camden_token.clone());
        async move {
            let channel = authed(addr, &token).await?;
            let sent = ConsentServiceClient::new(channel)
                .answer_visit_request(consent_answer(&request.id, request.version))
                .await;
            anyhow::Ok(sent.err().map(|s| s.code()))
        }
    };
    let (first, second) = tokio::join!(answer(a), answer(b));
    let mut codes = vec![first?, second?];
    codes.sort_by_key(|c| c.map(|c| c as i32));
    assert_eq!(codes[0], None, "one answer is taken: {codes:?}");
    assert!(
        matches!(codes[1], Some(Code::Aborted | Code::FailedPrecondition)),
        "the other is refused as stale: {codes:?}"
    );

    // Concurrent audit appends through both replicas: one chain, every event in it.
    let before = store.audit_head().await?.seq;
    let mut signings = Vec::new();
    for i in 0..16 {
        let addr = if i % 2 == 0 { a } else { b };
        signings.push(tokio::spawn(async move { sign_in(addr, "user.camden", crate::PASSWORD).await }));
    }
    for signing in signings {
        signing.await??;
    }
    let verified = send_planner::admin::verify_audit(store, None).await?;
    assert_eq!(verified.seq, before + 16, "every sign-in appended once, in one unbroken chain");

    // Lockout counts across both: three failures on A and two on B lock the username on both.
    for (i, addr) in [a, a, a, b, b].into_iter().enumerate() {
        let refused = sign_in(addr, "user.camden", "not the password at all").await.expect_err("wrong");
        assert_eq!(refused.code(), Code::Unauthenticated, "attempt {i}");
    }
    for addr in [a, b] {
        let locked = sign_in(addr, "user.camden", crate::PASSWORD).await.expect_err("locked");
        assert_eq!(locked.code(), Code::ResourceExhausted);
    }
    Ok(())
}
