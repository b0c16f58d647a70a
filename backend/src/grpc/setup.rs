//! `sendplanner.v1.SetupService`: the first administrator, from the one-time setup link the
//! server logs when it starts on a database with no administrator.

use chrono::{DateTime, Utc};
use proto::pb::{
    CreateFirstAdministratorRequest, CreateFirstAdministratorResponse, CreatePersonRequest, Role as PbRole,
    setup_service_server::SetupService as Rpc,
};
use tonic::{Request, Response, Status};

use super::{
    account::new_person_from_pb,
    convert::{person_to_pb, request_id},
    status,
};
use crate::{
    auth::{password, token},
    domain::{
        Refusal,
        audit::Actor,
        clock::Clock,
        identity::{AccountActor, NewPerson, SETUP_LINK_LIFETIME, decide_setup, setup_link_due},
    },
    store::{Store, StoreError},
};

/// The first administrator's account, from a setup link.
#[derive(Debug, Clone)]
pub struct SetupService {
    store: Store,
    clock: Clock,
}

impl SetupService {
    /// A service over `store`, timing links by `clock`.
    pub fn new(store: Store, clock: Clock) -> Self {
        Self { store, clock }
    }
}

/// Issues a setup link's token if the database has no enabled administrator: the token (shown
/// once, in the server's log), valid for an hour from `now`; `None` when none is due.
pub async fn issue_setup_token(store: &Store, now: DateTime<Utc>) -> Result<Option<String>, StoreError> {
    let token = token::generate();
    let issued = store
        .issue_setup_link(&token::digest(&token), now, now + SETUP_LINK_LIFETIME, setup_link_due)
        .await?;
    Ok(issued.then_some(token))
}

/// The first administrator's account from a setup request's fields, every fault at once (the
/// link's token is checked by the store, in the write's transaction).
pub(crate) fn first_administrator(req: &CreateFirstAdministratorRequest) -> Result<NewPerson, Refusal> {
    new_person_from_pb(
        &CreatePersonRequest {
            username: req.username.clone(),
            display_name: req.display_name.clone(),
            password: req.password.clone(),
            role: PbRole::Administrator.into(),
            ..Default::default()
        },
        AccountActor::CommandLine,
    )
}

#[tonic::async_trait]
impl Rpc for SetupService {
    async fn create_first_administrator(
        &self,
        request: Request<CreateFirstAdministratorRequest>,
    ) -> Result<Response<CreateFirstAdministratorResponse>, Status> {
        let request_id = request_id(&request);
        let req = request.into_inner();
        // The account's own fields first, every fault at once; then the link, in the write's
        // transaction (so two tabs with one link make one administrator).
        let new = first_administrator(&req)?;
        let hash = password::hash(new.password.clone()).await.map_err(|e| status::internal(&e))?;
        let now = self.clock.now();
        let actor = Actor { request_id, ..Actor::system("setup_link") };
        let person = self
            .store
            .create_first_administrator(
                &token::digest(req.token.trim()),
                &new,
                &hash,
                now,
                |link, admins| decide_setup(link, admins, now),
                |p| actor.event("person.create", "person", &p.id.to_string(), "ok", "role=administrator"),
            )
            .await
            .map_err(status::from_store)?;
        tracing::info!(person = person.id, "first administrator created from the setup link");
        Ok(Response::new(CreateFirstAdministratorResponse { person: Some(person_to_pb(&person)) }))
    }
}
