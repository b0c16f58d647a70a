//! `sendplanner.v1.AuthService`: sign in, sign out, who am I.

use std::sync::Arc;

use proto::pb::{
    SignInRequest, SignInResponse, SignOutRequest, SignOutResponse, WhoAmIRequest, WhoAmIResponse,
    auth_service_server::AuthService as Rpc,
};
use tonic::{Request, Response, Status};

use super::{
    convert::{caller, person_to_pb, request_id},
    status,
};
use crate::{
    auth::{Authenticator, Source},
    domain::clock::canonical,
};

/// Sign-in and sessions.
#[derive(Debug, Clone)]
pub struct AuthService {
    auth: Arc<Authenticator>,
}

impl AuthService {
    /// A service over the shared authenticator.
    pub fn new(auth: Arc<Authenticator>) -> Self {
        Self { auth }
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
            person: Some(person_to_pb(&signed_in.person)),
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
        Ok(Response::new(WhoAmIResponse { person: Some(person_to_pb(&caller.person)) }))
    }
}
