//! `sendplanner.v1.NotificationService`: the outbox, for national planners (administrators see
//! only whether Notify is configured), and each person's choice of emails.

use proto::pb::{
    self, GetEmailPreferencesRequest, GetEmailPreferencesResponse, ListOutboxRequest, ListOutboxResponse,
    SetEmailPreferenceRequest, SetEmailPreferenceResponse,
    notification_service_server::NotificationService as Rpc,
};
use tonic::{Request, Response, Status};

use super::{convert::caller, status};
use crate::{
    domain::{
        Refusal,
        identity::{Person, Role},
        notifications::{EventKind, decide_preference},
    },
    store::Store,
};

/// Messages listed at most.
const OUTBOX_PAGE: i64 = 200;

/// The outbox and email choices.
#[derive(Debug, Clone)]
pub struct NotificationService {
    store: Store,
    configured: bool,
}

impl NotificationService {
    /// A service over `store`; `configured`: whether a Notify API key is set.
    pub fn new(store: Store, configured: bool) -> Self {
        Self { store, configured }
    }

    async fn preferences(&self, person: &Person) -> Result<(Vec<pb::EmailPreference>, bool), Status> {
        let chosen = self.store.email_preferences(person.id).await.map_err(status::from_store)?;
        let account = self.store.account(person.id).await.map_err(status::from_store)?;
        let list = EventKind::for_role(person.role())
            .into_iter()
            .map(|kind| pb::EmailPreference {
                kind: kind.as_str().to_owned(),
                label: kind.label().to_owned(),
                email: chosen.iter().find(|(k, _)| k == kind.as_str()).is_none_or(|(_, on)| *on),
            })
            .collect();
        Ok((list, account.and_then(|a| a.email).is_some()))
    }
}

/// A stored status in words.
fn status_words(status: &str) -> &'static str {
    match status {
        "pending" => "Waiting",
        "sending" => "Sending",
        "sent" => "Sent",
        "failed" => "Could not be sent",
        "cancelled" => "Cancelled",
        _ => "Unknown",
    }
}

#[tonic::async_trait]
impl Rpc for NotificationService {
    async fn list_outbox(
        &self,
        request: Request<ListOutboxRequest>,
    ) -> Result<Response<ListOutboxResponse>, Status> {
        let caller = caller(&request)?;
        // The messages tell of confidential requests: only national planners, who may see them
        // all, read the list.
        if caller.person.role() != Role::NationalPlanner {
            return Ok(Response::new(ListOutboxResponse {
                notify_configured: self.configured,
                messages: Vec::new(),
                messages_hidden: true,
            }));
        }
        let rows = self.store.outbox(OUTBOX_PAGE).await.map_err(status::from_store)?;
        let messages = rows
            .into_iter()
            .map(|r| pb::OutboxMessage {
                kind: EventKind::parse(&r.kind).map_or("An email", EventKind::label).to_owned(),
                recipient: r.recipient,
                email_address: r.email_address,
                status: status_words(&r.status).to_owned(),
                created_at: r.created_at,
                due_at: r.due_at,
                attempts: u32::try_from(r.attempts).unwrap_or_default(),
                last_error: r.last_error,
                delivery_status: r.delivery_status,
            })
            .collect();
        Ok(Response::new(ListOutboxResponse {
            notify_configured: self.configured,
            messages,
            messages_hidden: false,
        }))
    }

    async fn get_email_preferences(
        &self,
        request: Request<GetEmailPreferencesRequest>,
    ) -> Result<Response<GetEmailPreferencesResponse>, Status> {
        let caller = caller(&request)?;
        let (preferences, has_email) = self.preferences(&caller.person).await?;
        Ok(Response::new(GetEmailPreferencesResponse { preferences, has_email }))
    }

    async fn set_email_preference(
        &self,
        request: Request<SetEmailPreferenceRequest>,
    ) -> Result<Response<SetEmailPreferenceResponse>, Status> {
        let caller = caller(&request)?;
        let req = request.into_inner();
        let kind = decide_preference(caller.person.role(), &req.kind).map_err(Refusal::from)?;
        self.store
            .set_email_preference(caller.person.id, kind, req.email)
            .await
            .map_err(status::from_store)?;
        let (preferences, has_email) = self.preferences(&caller.person).await?;
        Ok(Response::new(SetEmailPreferenceResponse { preferences, has_email }))
    }
}
