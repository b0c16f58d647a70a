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
        FieldViolation, InvalidInput, Refusal,
        audit::Actor,
        identity::{
            AccountActor, AccountChange, AccountDecision, MAX_USERNAME_CHARS, NewPerson, NewPersonInput,
            Person, Role, decide_account,
        },
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

/// Who an audit actor is to the account rules: a signed-in role, or the system itself (the
/// command line, which has no role).
fn account_actor(actor: &Actor) -> AccountActor {
    match actor.role.parse::<Role>() {
        Ok(role) => AccountActor::Signed(role),
        Err(_) => AccountActor::CommandLine,
    }
}

/// Decides a CreatePerson request by `actor`: enum values the contract does not know are
/// reported together with the account rules' faults.
pub fn new_person_from_pb(req: &CreatePersonRequest, actor: AccountActor) -> Result<NewPerson, Refusal> {
    let mut errors = Vec::new();
    let mut known = |value: i32, parsed: bool, field: &'static str| {
        if value != 0 && !parsed {
            errors.push(FieldViolation::new(field, format!("{value} is not a known value")));
        }
    };
    known(req.role, role_from_pb(req.role).is_some(), "role");
    known(req.inspectorate, inspectorate_from_pb(req.inspectorate).is_some(), "inspectorate");
    known(req.recipient_body, recipient_body_from_pb(req.recipient_body).is_some(), "recipient_body");
    let decided = decide_account(
        actor,
        AccountChange::CreatePerson(NewPersonInput {
            username: &req.username,
            display_name: &req.display_name,
            password: &req.password,
            role: role_from_pb(req.role),
            region_code: &req.region_code,
            local_area_code: &req.local_area_code,
            inspectorate: inspectorate_from_pb(req.inspectorate),
            social_care: req.social_care,
            recipient_body: recipient_body_from_pb(req.recipient_body),
        }),
    );
    match decided {
        Ok(AccountDecision::Create(person)) if errors.is_empty() => Ok(person),
        Err(Refusal::Invalid(InvalidInput(more))) => {
            errors.extend(more);
            Err(InvalidInput(errors).into())
        }
        Err(other) => Err(other),
        Ok(_) => Err(InvalidInput(errors).into()),
    }
}

/// Creates an account: decides, hashes the password, stores it with its audit event (shared
/// with the command line, whose actor is the system).
pub async fn create_person(
    store: &Store,
    req: &CreatePersonRequest,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Person, Status> {
    let new = new_person_from_pb(req, account_actor(actor))?;
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
        let limit = page_size(req.page_size).map_err(Refusal::from)?;
        if req.page_token.chars().count() > MAX_USERNAME_CHARS {
            return Err(status::invalid("page_token", "is not a page token this server issued"));
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
        decide_account(account_actor(&actor), AccountChange::RevokeSessions)?;
        let id = request
            .get_ref()
            .person_id
            .parse::<i64>()
            .map_err(|_| status::invalid("person_id", "is not a person id"))?;
        let revoked = self
            .store
            .revoke_sessions_of(id, self.auth.clock().now(), |n| {
                actor.event("session.revoke_all", "person", &id.to_string(), "ok", &format!("revoked={n}"))
            })
            .await
            .map_err(status::store("person"))?;
        Ok(Response::new(RevokeSessionsResponse { revoked: u32::try_from(revoked).unwrap_or(u32::MAX) }))
    }
}
