//! `sendplanner.v1.AccountService`: accounts, for administrators.

use std::sync::Arc;

use proto::pb::{
    ChangeRoleRequest, ChangeRoleResponse, CreatePersonRequest, CreatePersonResponse, GetPersonRequest,
    GetPersonResponse, ListPeopleRequest, ListPeopleResponse, ResetPasswordRequest, ResetPasswordResponse,
    RevokeSessionsRequest, RevokeSessionsResponse, SetAccountDisabledRequest, SetAccountDisabledResponse,
    SetEmailRequest, SetEmailResponse, account_service_server::AccountService as Rpc,
};
use tonic::{Request, Response, Status};

use super::{
    convert::{
        account_to_pb, caller, inspectorate_from_pb, person_to_pb, recipient_body_from_pb, request_id,
        role_from_pb,
    },
    status,
};
use crate::{
    auth::{Authenticator, password},
    domain::{
        FieldViolation, InvalidInput, Refusal,
        audit::Actor,
        identity::{
            AccountActor, AccountChange, AccountDecision, AccountFacts, MAX_USERNAME_CHARS, NewPerson,
            NewPersonInput, Person, Role, ScopeInput, check_new_password, decide_account,
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

/// The role, inspectorate and recipient body numbers of a request that the contract does not
/// know, each as a fault of its field (0, "not given", is left to the account rules).
pub(crate) fn unknown_values(role: i32, inspectorate: i32, recipient_body: i32) -> Vec<FieldViolation> {
    [
        (role, role_from_pb(role).is_some(), "role"),
        (inspectorate, inspectorate_from_pb(inspectorate).is_some(), "inspectorate"),
        (recipient_body, recipient_body_from_pb(recipient_body).is_some(), "recipient_body"),
    ]
    .into_iter()
    .filter(|(value, parsed, _)| *value != 0 && !parsed)
    .map(|(value, _, field)| FieldViolation::new(field, format!("{value} is not a known value")))
    .collect()
}

/// Decides a CreatePerson request by `actor`: enum values the contract does not know are
/// reported together with the account rules' faults.
pub fn new_person_from_pb(req: &CreatePersonRequest, actor: AccountActor) -> Result<NewPerson, Refusal> {
    let mut errors = unknown_values(req.role, req.inspectorate, req.recipient_body);
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
            email: &req.email,
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

/// A person id as the contract carries it (as RevokeSessions reads it).
pub(crate) fn person_id(text: &str) -> Result<i64, Status> {
    text.parse::<i64>().map_err(|_| status::invalid("person_id", "is not a person id"))
}

/// A ListPeople request's page size (a page token is the last username of the page before, so
/// one longer than a username is none this server issued).
pub(crate) fn people_page(req: &ListPeopleRequest) -> Result<u32, Status> {
    let limit = page_size(req.page_size).map_err(Refusal::from)?;
    if req.page_token.chars().count() > MAX_USERNAME_CHARS {
        return Err(status::invalid("page_token", "is not a page token this server issued"));
    }
    Ok(limit)
}

impl AccountService {
    /// Applies one administrator's change to account `id` (`new_hash`: a reset's temporary
    /// password hash), as `decide` rules given the account and whether it is the caller's own,
    /// audited as `action` with the account's role after and how many sessions ended.
    async fn change(
        &self,
        actor: &Actor,
        own_id: i64,
        id: i64,
        new_hash: Option<&str>,
        decide: impl FnOnce(AccountActor, Option<&AccountFacts>, bool) -> Result<AccountDecision, Refusal>,
        action: &'static str,
    ) -> Result<(AccountFacts, u32), Status> {
        let (after, revoked) = self
            .store
            .change_account(
                id,
                self.auth.clock().now(),
                new_hash,
                |before| decide(account_actor(actor), before, id == own_id),
                |after, revoked| {
                    let detail = format!("role={};revoked={revoked}", after.person.role());
                    actor.event(action, "person", &id.to_string(), "ok", &detail)
                },
            )
            .await
            .map_err(status::store("person"))?;
        tracing::info!(person = id, action, "account changed");
        Ok((after, u32::try_from(revoked).unwrap_or(u32::MAX)))
    }
}

#[tonic::async_trait]
impl Rpc for AccountService {
    async fn get_person(
        &self,
        request: Request<GetPersonRequest>,
    ) -> Result<Response<GetPersonResponse>, Status> {
        let id = person_id(&request.get_ref().person_id)?;
        let account = self.store.account(id).await.map_err(status::from_store)?;
        let account = account.ok_or_else(|| status::not_found("person"))?;
        Ok(Response::new(GetPersonResponse { person: Some(account_to_pb(&account)) }))
    }

    async fn set_account_disabled(
        &self,
        request: Request<SetAccountDisabledRequest>,
    ) -> Result<Response<SetAccountDisabledResponse>, Status> {
        let caller = caller(&request)?;
        let (me, actor) = (caller.person.id, Actor::person(&caller.person, &request_id(&request)));
        let req = request.into_inner();
        let id = person_id(&req.person_id)?;
        let action = if req.disabled { "person.disable" } else { "person.enable" };
        let (after, revoked) = self
            .change(
                &actor,
                me,
                id,
                None,
                |actor, target, own| {
                    decide_account(
                        actor,
                        AccountChange::SetDisabled {
                            target,
                            own,
                            version: req.version,
                            disabled: req.disabled,
                        },
                    )
                },
                action,
            )
            .await?;
        Ok(Response::new(SetAccountDisabledResponse { person: Some(account_to_pb(&after)), revoked }))
    }

    async fn reset_password(
        &self,
        request: Request<ResetPasswordRequest>,
    ) -> Result<Response<ResetPasswordResponse>, Status> {
        let caller = caller(&request)?;
        let (me, actor) = (caller.person.id, Actor::person(&caller.person, &request_id(&request)));
        let req = request.into_inner();
        let id = person_id(&req.person_id)?;
        // Random, so it passes the policy; drawn again in the unlikely case it holds the username.
        let username = self.store.account(id).await.map_err(status::from_store)?.map(|a| a.person.username);
        let mut temporary = password::temporary();
        while check_new_password(&temporary, username.as_deref().unwrap_or_default()).is_err() {
            temporary = password::temporary();
        }
        let hash = password::hash(temporary.clone()).await.map_err(|e| status::internal(&e))?;
        let (after, revoked) = self
            .change(
                &actor,
                me,
                id,
                Some(&hash),
                |actor, target, _| {
                    decide_account(actor, AccountChange::ResetPassword { target, version: req.version })
                },
                "person.reset_password",
            )
            .await?;
        Ok(Response::new(ResetPasswordResponse {
            person: Some(account_to_pb(&after)),
            temporary_password: temporary,
            revoked,
        }))
    }

    async fn set_email(
        &self,
        request: Request<SetEmailRequest>,
    ) -> Result<Response<SetEmailResponse>, Status> {
        let caller = caller(&request)?;
        let (me, actor) = (caller.person.id, Actor::person(&caller.person, &request_id(&request)));
        let req = request.into_inner();
        let id = person_id(&req.person_id)?;
        let (after, _) = self
            .change(
                &actor,
                me,
                id,
                None,
                |actor, target, _| {
                    decide_account(
                        actor,
                        AccountChange::SetEmail { target, version: req.version, email: &req.email },
                    )
                },
                "person.set_email",
            )
            .await?;
        Ok(Response::new(SetEmailResponse { person: Some(account_to_pb(&after)) }))
    }

    async fn change_role(
        &self,
        request: Request<ChangeRoleRequest>,
    ) -> Result<Response<ChangeRoleResponse>, Status> {
        let caller = caller(&request)?;
        let (me, actor) = (caller.person.id, Actor::person(&caller.person, &request_id(&request)));
        let req = request.into_inner();
        let id = person_id(&req.person_id)?;
        let unknown = unknown_values(req.role, req.inspectorate, req.recipient_body);
        if !unknown.is_empty() {
            return Err(Refusal::from(InvalidInput(unknown)).into());
        }
        let scope = ScopeInput {
            role: role_from_pb(req.role),
            region_code: &req.region_code,
            local_area_code: &req.local_area_code,
            inspectorate: inspectorate_from_pb(req.inspectorate),
            social_care: req.social_care,
            recipient_body: recipient_body_from_pb(req.recipient_body),
        };
        let (after, revoked) = self
            .change(
                &actor,
                me,
                id,
                None,
                |actor, target, own| {
                    decide_account(
                        actor,
                        AccountChange::ChangeRole { target, own, version: req.version, scope },
                    )
                },
                "person.change_role",
            )
            .await?;
        Ok(Response::new(ChangeRoleResponse { person: Some(account_to_pb(&after)), revoked }))
    }

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
        let limit = people_page(&req)?;
        let mut people = self
            .store
            .list_people(&req.page_token, i64::from(limit) + 1)
            .await
            .map_err(status::from_store)?;
        let next_page_token = if people.len() > limit as usize {
            people.truncate(limit as usize);
            people.last().map(|p| p.person.username.clone()).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(ListPeopleResponse {
            people: people.iter().map(account_to_pb).collect(),
            next_page_token,
        }))
    }

    async fn revoke_sessions(
        &self,
        request: Request<RevokeSessionsRequest>,
    ) -> Result<Response<RevokeSessionsResponse>, Status> {
        let actor = Actor::person(&caller(&request)?.person, &request_id(&request));
        decide_account(account_actor(&actor), AccountChange::RevokeSessions)?;
        let id = person_id(&request.get_ref().person_id)?;
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
