//! `sendplanner.v1.AccountService`: accounts, for administrators.

use std::sync::Arc;

use proto::pb::{
    CreatePersonRequest, CreatePersonResponse, ListPeopleRequest, ListPeopleResponse, RevokeSessionsRequest,
    RevokeSessionsResponse, account_service_server::AccountService as Rpc,
};
use tonic::{Request, Response, Status};

use super::{
    convert::{caller, inspectorate_from_pb, person_to_pb, recipient_body_from_pb, request_id, role_from_pb},
    status,
};
use crate::{
    auth::{Authenticator, password},
    domain::{
        FieldViolation, InvalidInput,
        audit::Actor,
        identity::{NewPerson, NewPersonInput},
        reference::page_size,
    },
    store::Store,
};

/// Account management.
#[derive(Debug, Clone)]
pub struct AccountService {
    store: Store,
    auth: Arc<Authenticator>,
}

impl AccountService {
    /// A service over `store`, timing changes by the authenticator's clock.
    pub fn new(store: Store, auth: Arc<Authenticator>) -> Self {
        Self { store, auth }
    }
}

/// Reads the fields of a CreatePerson request (shared with the command line).
pub fn new_person_from_pb(req: &CreatePersonRequest) -> Result<NewPerson, InvalidInput> {
    let mut errors = Vec::new();
    let mut known = |value: i32, parsed: bool, field: &'static str| {
        if value != 0 && !parsed {
            errors.push(FieldViolation::new(field, format!("{value} is not a known value")));
        }
    };
    known(req.role, role_from_pb(req.role).is_some(), "role");
    known(req.inspectorate, inspectorate_from_pb(req.inspectorate).is_some(), "inspectorate");
    known(req.recipient_body, recipient_body_from_pb(req.recipient_body).is_some(), "recipient_body");
    let parsed = NewPerson::parse(NewPersonInput {
        username: &req.username,
        display_name: &req.display_name,
        password: &req.password,
        role: role_from_pb(req.role),
        region_code: &req.region_code,
        local_area_code: &req.local_area_code,
        inspectorate: inspectorate_from_pb(req.inspectorate),
        social_care: req.social_care,
        recipient_body: recipient_body_from_pb(req.recipient_body),
    });
    match parsed {
        Ok(person) if errors.is_empty() => Ok(person),
        Ok(_) => Err(InvalidInput(errors)),
        Err(InvalidInput(more)) => {
            errors.extend(more);
            Err(InvalidInput(errors))
        }
    }
}

/// Creates an account: validates, hashes the password, stores it with its audit event.
pub async fn create_person(
    store: &Store,
    req: &CreatePersonRequest,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<crate::domain::identity::Person, Status> {
    let new = new_person_from_pb(req).map_err(|e| status::invalid_argument(&e))?;
    let hash = password::hash(new.password.clone()).await.map_err(|e| status::internal(&e))?;
    store
        .create_person(&new, &hash, now, |p| {
            actor.event("person.create", "person", &p.id.to_string(), "ok", &format!("role={}", p.role()))
        })
        .await
        .map_err(status::from_store)
}

#[tonic::async_trait]
impl Rpc for AccountService {
    async fn create_person(
        &self,
        request: Request<CreatePersonRequest>,
    ) -> Result<Response<CreatePersonResponse>, Status> {
        let actor = Actor::person(&caller(&request)?.person, &request_id(&request));
        let person = create_person(&self.store, request.get_ref(), &actor, self.auth.clock().now()).await?;
        Ok(Response::new(CreatePersonResponse { person: Some(person_to_pb(&person)) }))
    }

    async fn list_people(
        &self,
        request: Request<ListPeopleRequest>,
    ) -> Result<Response<ListPeopleResponse>, Status> {
        let req = request.into_inner();
        let limit = page_size(req.page_size).map_err(|v| status::invalid_argument(&v.into()))?;
        if req.page_token.chars().count() > crate::domain::identity::MAX_USERNAME_CHARS {
            let v = FieldViolation::new("page_token", "is not a page token this server issued");
            return Err(status::invalid_argument(&v.into()));
        }
        let mut people = self
            .store
            .list_people(&req.page_token, i64::from(limit) + 1)
            .await
            .map_err(status::from_store)?;
        let next_page_token = if people.len() > limit as usize {
            people.truncate(limit as usize);
            people.last().map(|p| p.username.clone()).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(ListPeopleResponse {
            people: people.iter().map(person_to_pb).collect(),
            next_page_token,
        }))
    }

    async fn revoke_sessions(
        &self,
        request: Request<RevokeSessionsRequest>,
    ) -> Result<Response<RevokeSessionsResponse>, Status> {
        let actor = Actor::person(&caller(&request)?.person, &request_id(&request));
        let id = request.get_ref().person_id.parse::<i64>().map_err(|_| {
            status::invalid_argument(&FieldViolation::new("person_id", "is not a person id").into())
        })?;
        let revoked = self
            .store
            .revoke_sessions_of(id, self.auth.clock().now(), |n| {
                actor.event("session.revoke_all", "person", &id.to_string(), "ok", &format!("revoked={n}"))
            })
            .await
            .map_err(status::from_store)?;
        Ok(Response::new(RevokeSessionsResponse { revoked: u32::try_from(revoked).unwrap_or(u32::MAX) }))
    }
}
