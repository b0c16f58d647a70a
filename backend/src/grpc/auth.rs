//! `sendplanner.v1.AuthService`: sign in, sign out, who am I.

use std::sync::Arc;

use proto::pb::{
    ChangePasswordRequest, ChangePasswordResponse, SignInRequest, SignInResponse, SignOutRequest,
    SignOutResponse, WhoAmIRequest, WhoAmIResponse, auth_service_server::AuthService as Rpc,
};
use tonic::{Request, Response, Status};

use super::{
    convert::{caller, person_to_pb, request_id},
    status,
};
use crate::{
    auth::{Authenticator, Source, password},
    domain::{
        Refusal,
        audit::Actor,
        clock::canonical,
        identity::{MAX_PASSWORD_CHARS, decide_password_change},
    },
    store::Store,
};

/// Sign-in and sessions.
#[derive(Debug, Clone)]
pub struct AuthService {
    store: Store,
    auth: Arc<Authenticator>,
}

impl AuthService {
    /// A service over the shared authenticator.
    pub fn new(store: Store, auth: Arc<Authenticator>) -> Self {
        Self { store, auth }
    }
}

#[tonic::async_trait]
impl Rpc for AuthService {
    async fn sign_in(&self, request: Request<SignInRequest>) -> Result<Response<SignInResponse>, Status> {
        let source = request.extensions().get::<Source>().map(|s| s.0);
        let request_id = request_id(&request);
        let req = request.into_inner();
        let signed_in = self
            .auth
            .sign_in(&req.username, &req.password, source, &request_id)
            .await
            .map_err(status::from_auth)?;
        tracing::info!(person = signed_in.person.id, "signed in");
        Ok(Response::new(SignInResponse {
            token: signed_in.token,
            person: Some(proto::pb::Person {
                must_change_password: signed_in.must_change_password,
                ..person_to_pb(&signed_in.person)
            }),
            idle_expires_at: canonical(signed_in.idle_expires_at),
            absolute_expires_at: canonical(signed_in.absolute_expires_at),
        }))
    }

    async fn sign_out(&self, request: Request<SignOutRequest>) -> Result<Response<SignOutResponse>, Status> {
        let caller = caller(&request)?;
        self.auth.sign_out(&caller, &request_id(&request)).await.map_err(status::from_auth)?;
        Ok(Response::new(SignOutResponse {}))
    }

    async fn who_am_i(&self, request: Request<WhoAmIRequest>) -> Result<Response<WhoAmIResponse>, Status> {
        let caller = caller(&request)?;
        let person = proto::pb::Person {
            must_change_password: caller.must_change_password,
            ..person_to_pb(&caller.person)
        };
        Ok(Response::new(WhoAmIResponse { person: Some(person) }))
    }

    async fn change_password(
        &self,
        request: Request<ChangePasswordRequest>,
    ) -> Result<Response<ChangePasswordResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.into_inner();
        let id = caller.person.id;
        // Bounds the hashing work before any is done.
        if req.current_password.chars().count() > MAX_PASSWORD_CHARS {
            return Err(status::invalid("current_password", "Your current password is incorrect"));
        }
        let old_hash = self.store.password_hash(id).await.map_err(status::from_store)?;
        let current_ok = !req.current_password.is_empty()
            && password::verify(req.current_password.clone(), old_hash.clone()).await;
        decide_password_change(&req.current_password, current_ok, &req.new_password, &caller.person.username)
            .map_err(Refusal::from)?;
        let new_hash = password::hash(req.new_password).await.map_err(|e| status::internal(&e))?;
        let after = self
            .store
            .change_own_password(
                id,
                &old_hash,
                &new_hash,
                &caller.session,
                self.auth.clock().now(),
                |revoked| {
                    actor.event(
                        "person.change_password",
                        "person",
                        &id.to_string(),
                        "ok",
                        &format!("revoked={revoked}"),
                    )
                },
            )
            .await
            .map_err(status::from_store)?;
        tracing::info!(person = id, "changed their password");
        Ok(Response::new(ChangePasswordResponse { person: Some(super::convert::account_to_pb(&after)) }))
    }
}
