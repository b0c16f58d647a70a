//! `sendplanner.v1.AuditService`: the trail of one object, for national planners.

use std::sync::Arc;

use proto::pb::{
    self, ListAuditEventsRequest, ListAuditEventsResponse, audit_service_server::AuditService as Rpc,
};
use tonic::{Request, Response, Status};

use super::{
    convert::{caller, request_id},
    status,
};
use crate::{
    auth::Authenticator,
    domain::{
        FieldViolation, InvalidInput,
        audit::{Actor, AuditEvent},
        audit_text::AuditEntry,
        identity::Role,
        reference::page_size,
    },
    store::Store,
};

/// Reads the audit trail.
#[derive(Debug, Clone)]
pub struct AuditService {
    store: Store,
    auth: Arc<Authenticator>,
}

impl AuditService {
    /// A service over `store`.
    pub fn new(store: Store, auth: Arc<Authenticator>) -> Self {
        Self { store, auth }
    }
}

fn event_to_pb(e: AuditEvent) -> pb::AuditEvent {
    let role = e.event.actor_role.parse::<Role>().ok().map(super::convert::role_to_pb).unwrap_or_default();
    pb::AuditEvent {
        seq: u64::try_from(e.seq).unwrap_or_default(),
        occurred_at: e.occurred_at,
        actor_id: e.event.actor_id,
        actor_username: e.event.actor_username,
        actor_role: role.into(),
        action: e.event.action,
        object_type: e.event.object_type,
        object_id: e.event.object_id,
        outcome: e.event.outcome,
        request_id: e.event.request_id,
        hash: e.hash,
    }
}

fn entry_to_pb(e: AuditEntry) -> pb::AuditEntry {
    pb::AuditEntry {
        sentence: e.sentence(),
        seq: u64::try_from(e.event.seq).unwrap_or_default(),
        refused: e.event.event.outcome != "ok",
        occurred_at: e.event.occurred_at,
        hash: e.event.hash,
        prev_hash: e.event.prev_hash,
    }
}

/// A search of the whole trail, its fields checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntriesQuery<'a> {
    /// The person whose actions are sought (a person id), or empty for anyone.
    pub(crate) actor_id: &'a str,
    /// The local area whose records are sought, or empty for any.
    pub(crate) area: &'a str,
    /// Entries per page.
    pub(crate) limit: u32,
    /// Entries before this sequence number (0: from the newest).
    pub(crate) before: i64,
}

/// A ListAuditEntries request's fields checked, every fault at once.
pub(crate) fn entries_query(req: &pb::ListAuditEntriesRequest) -> Result<EntriesQuery<'_>, InvalidInput> {
    let mut errors = Vec::new();
    let actor_id = req.actor_id.trim();
    if !actor_id.is_empty() && actor_id.parse::<i64>().is_err() {
        errors.push(FieldViolation::new("actor_id", "Select a person from the list"));
    }
    let area = req.local_area_code.trim();
    if area.len() > 20 {
        errors.push(FieldViolation::new("local_area_code", "Select a local area from the list"));
    }
    let limit = page_size(req.page_size).unwrap_or_else(|e| {
        errors.push(e);
        0
    });
    let before = match req.page_token.as_str() {
        "" => 0,
        token => token.parse::<i64>().ok().filter(|n| *n > 0).unwrap_or_else(|| {
            errors.push(FieldViolation::new("page_token", "is not a page token this server issued"));
            0
        }),
    };
    if errors.is_empty() {
        Ok(EntriesQuery { actor_id, area, limit, before })
    } else {
        Err(InvalidInput(errors))
    }
}

/// A ListAuditEvents request's fields checked, every fault at once: the object's type and id
/// (trimmed), the page size and the sequence number to read after.
pub(crate) fn events_query(req: &ListAuditEventsRequest) -> Result<(&str, &str, u32, i64), InvalidInput> {
    let mut errors = Vec::new();
    for (field, label, value) in [
        ("object_type", "the kind of record", &req.object_type),
        ("object_id", "the record's id", &req.object_id),
    ] {
        if value.trim().is_empty() {
            errors.push(FieldViolation::new(field, format!("Enter {label}")));
        } else if value.len() > 100 {
            errors.push(FieldViolation::new(field, format!("Enter {label} in 100 characters or fewer")));
        }
    }
    let limit = page_size(req.page_size).unwrap_or_else(|e| {
        errors.push(e);
        0
    });
    let after = match req.page_token.as_str() {
        "" => 0,
        token => token.parse::<i64>().unwrap_or_else(|_| {
            errors.push(FieldViolation::new("page_token", "is not a page token this server issued"));
            0
        }),
    };
    if errors.is_empty() {
        Ok((req.object_type.trim(), req.object_id.trim(), limit, after))
    } else {
        Err(InvalidInput(errors))
    }
}

#[tonic::async_trait]
impl Rpc for AuditService {
    async fn list_audit_entries(
        &self,
        request: Request<pb::ListAuditEntriesRequest>,
    ) -> Result<Response<pb::ListAuditEntriesResponse>, Status> {
        let actor = Actor::person(&caller(&request)?.person, &request_id(&request));
        let req = request.into_inner();
        let EntriesQuery { actor_id, area, limit, before } =
            entries_query(&req).map_err(|e| status::invalid_argument(&e))?;
        let detail = format!("actor={actor_id};area={area}");
        let read = actor.event("audit.search", "audit", "", "ok", &detail);
        let mut entries = self
            .store
            .search_audit_trail(actor_id, area, before, i64::from(limit) + 1, self.auth.clock().now(), &read)
            .await
            .map_err(status::from_store)?;
        let next_page_token = if entries.len() > limit as usize {
            entries.truncate(limit as usize);
            entries.last().map(|e| e.event.seq.to_string()).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListAuditEntriesResponse {
            entries: entries.into_iter().map(entry_to_pb).collect(),
            next_page_token,
        }))
    }

    async fn list_audit_people(
        &self,
        _request: Request<pb::ListAuditPeopleRequest>,
    ) -> Result<Response<pb::ListAuditPeopleResponse>, Status> {
        let people = self.store.audit_people().await.map_err(status::from_store)?;
        Ok(Response::new(pb::ListAuditPeopleResponse {
            people: people
                .into_iter()
                .map(|(id, display_name, username, role)| pb::AuditPerson {
                    id: id.to_string(),
                    display_name,
                    username,
                    role: role
                        .parse::<Role>()
                        .ok()
                        .map(super::convert::role_to_pb)
                        .unwrap_or_default()
                        .into(),
                })
                .collect(),
        }))
    }

    async fn list_audit_events(
        &self,
        request: Request<ListAuditEventsRequest>,
    ) -> Result<Response<ListAuditEventsResponse>, Status> {
        let actor = Actor::person(&caller(&request)?.person, &request_id(&request));
        let req = request.into_inner();
        let (object_type, object_id, limit, after) =
            events_query(&req).map_err(|e| status::invalid_argument(&e))?;
        let read = actor.event("audit.read", object_type, object_id, "ok", "");
        let mut events = self
            .store
            .read_audit_trail(
                object_type,
                object_id,
                after,
                i64::from(limit) + 1,
                self.auth.clock().now(),
                &read,
            )
            .await
            .map_err(status::from_store)?;
        let next_page_token = if events.len() > limit as usize {
            events.truncate(limit as usize);
            events.last().map(|e| e.seq.to_string()).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(ListAuditEventsResponse {
            events: events.into_iter().map(event_to_pb).collect(),
            next_page_token,
        }))
    }

    async fn list_suspicious_access(
        &self,
        _request: Request<pb::ListSuspiciousAccessRequest>,
    ) -> Result<Response<pb::ListSuspiciousAccessResponse>, Status> {
        let found =
            self.store.suspicious_callers(self.auth.clock().now()).await.map_err(status::from_store)?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        let at = |minute: &str| format!("{}:00Z", minute.trim_end_matches('Z'));
        Ok(Response::new(pb::ListSuspiciousAccessResponse {
            callers: found
                .into_iter()
                .map(|c| pb::SuspiciousCaller {
                    role: c
                        .role
                        .parse::<Role>()
                        .ok()
                        .map(super::convert::role_to_pb)
                        .unwrap_or_default()
                        .into(),
                    misses: count(c.misses),
                    first_at: at(&c.first_minute),
                    last_at: at(&c.last_minute),
                    kinds: c
                        .targets
                        .iter()
                        .map(|(kind, misses)| pb::MissCount {
                            kind: crate::domain::security::target_words(kind).to_owned(),
                            misses: count(*misses),
                        })
                        .collect(),
                    username: c.username,
                    display_name: c.display_name,
                })
                .collect(),
        }))
    }
}
