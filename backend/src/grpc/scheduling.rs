//! `sendplanner.v1.SchedulingService`: proposed programmes. The scheduler runs on a blocking
//! thread behind a per-process bound, off the request threads; its progress streams to the
//! caller; the proposal is kept in the database, so any replica can show, cancel or accept it.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use proto::pb::{self, scheduling_service_server::SchedulingService as Rpc};
use tokio::sync::{Semaphore, mpsc};
use tonic::{
    Request, Response, Status,
    codegen::tokio_stream::{Stream, wrappers::ReceiverStream},
};

use super::{
    convert::{caller, kind_to_pb, range_to_pb, request_id},
    status,
};
use crate::{
    auth::Authenticator,
    domain::{
        Refusal,
        audit::Actor,
        programme::{EngagementKind, TeamRole},
        proposals::{
            self, ChangeKind, PROPOSAL_BUSY, PROPOSAL_NOTHING, ProposalFacts, ProposedChange, counts,
            scope_key,
        },
        public_id::parse_public_id,
        scheduler::{Budget, Engine, Progress},
    },
    store::{ProposalRecord, Store, lease_until, started_at},
};

/// Proposals one process works out at once, unless told otherwise: the engine takes a core
/// while it runs, and reads must stay fast beside it.
pub const DEFAULT_CONCURRENT_PROPOSALS: usize = 1;
/// The search's time budget when the caller names none.
pub const DEFAULT_SECONDS: u32 = 3;
/// The longest search a caller may ask for.
pub const MAX_SECONDS: u32 = 10;
/// At most this often a progress message (about four a second).
const REPORT_EVERY: Duration = Duration::from_millis(250);
/// How often the runner looks for a cancellation made through another replica.
const CANCEL_POLL: Duration = Duration::from_millis(500);

/// What a missing or hidden proposal answers.
const PROPOSAL: &str = "proposal";

/// Proposed programmes.
#[derive(Debug, Clone)]
pub struct SchedulingService {
    store: Store,
    auth: Arc<Authenticator>,
    permits: Arc<Semaphore>,
}

impl SchedulingService {
    /// A service over `store` working out at most [`DEFAULT_CONCURRENT_PROPOSALS`] at once.
    pub fn new(store: Store, auth: Arc<Authenticator>) -> Self {
        Self::with_limit(store, auth, DEFAULT_CONCURRENT_PROPOSALS)
    }

    /// A service working out at most `limit` proposals at once in this process.
    pub fn with_limit(store: Store, auth: Arc<Authenticator>, limit: usize) -> Self {
        Self { store, auth, permits: Arc::new(Semaphore::new(limit.max(1))) }
    }
}

fn proposal_id(id: &str) -> Result<&str, Status> {
    parse_public_id(id).ok_or_else(|| status::not_found(PROPOSAL))
}

fn team_to_pb(team: &[(i64, String, TeamRole)]) -> Vec<pb::TeamMember> {
    team.iter()
        .map(|(id, name, role)| pb::TeamMember {
            inspector_id: id.to_string(),
            name: name.clone(),
            role: super::programme::role_to_pb(*role).into(),
        })
        .collect()
}

fn state_to_pb(state: &str) -> pb::ProposalState {
    match state {
        "running" => pb::ProposalState::Running,
        "ready" => pb::ProposalState::Ready,
        "cancelled" => pb::ProposalState::Cancelled,
        "accepted" => pb::ProposalState::Accepted,
        _ => pb::ProposalState::Unspecified,
    }
}

fn change_to_pb(c: &ProposedChange) -> pb::ProposalChange {
    let change = match c.change {
        ChangeKind::Added => pb::ProposalChangeKind::Added,
        ChangeKind::Moved => pb::ProposalChangeKind::Moved,
        ChangeKind::Unchanged => pb::ProposalChangeKind::Unchanged,
        ChangeKind::Unplaced => pb::ProposalChangeKind::Unplaced,
    };
    pb::ProposalChange {
        engagement_id: c.public_id.clone(),
        local_area_name: c.area_name.clone(),
        region_name: c.region_name.clone(),
        kind: EngagementKind::parse(&c.kind).map_or(pb::EngagementKind::Unspecified, kind_to_pb).into(),
        change: change.into(),
        current_onsite: Some(range_to_pb(c.current_onsite)),
        current_team: team_to_pb(&c.current_team),
        proposed_onsite: Some(range_to_pb(c.proposed_onsite)),
        proposed_team: team_to_pb(&c.proposed_team),
        reason: c.reason.clone(),
        pinned: c.pinned,
    }
}

fn proposal_to_pb(p: &ProposalRecord) -> pb::Proposal {
    let n = counts(&p.changes);
    pb::Proposal {
        id: p.public_id.clone(),
        state: state_to_pb(&p.state).into(),
        scope_name: p.scope_name.clone(),
        programme_version: p.programme_version,
        score: p.score,
        added: n.added,
        moved: n.moved,
        unchanged: n.unchanged,
        unplaced: n.unplaced,
        changes: p.changes.iter().map(change_to_pb).collect(),
        started_at: started_at(p),
    }
}

fn progress_to_pb(id: &str, state: pb::ProposalState, p: &Progress) -> pb::ProposalProgress {
    pb::ProposalProgress {
        proposal_id: id.to_owned(),
        state: state.into(),
        best_score: p.best_cost,
        placed: u32::try_from(p.placed).unwrap_or(u32::MAX),
        unplaced: u32::try_from(p.unplaced).unwrap_or(u32::MAX),
        elapsed_ms: u32::try_from(p.elapsed.as_millis()).unwrap_or(u32::MAX),
    }
}

/// Works out proposal `id` on a blocking thread and streams its progress into `out`; stops
/// early when `out` is dropped (the caller went away) or the proposal is cancelled in the
/// database (through any replica). Stores the result and releases the lease either way.
struct Run {
    store: Store,
    auth: Arc<Authenticator>,
    id: String,
    facts: ProposalFacts,
    engine: Engine,
    budget: Budget,
    out: mpsc::Sender<Result<pb::ProposalProgress, Status>>,
    /// This process's place for one proposal: given back before the last message, so a caller
    /// who saw the stream end may start the next one at once.
    permit: tokio::sync::OwnedSemaphorePermit,
}

impl Run {
    async fn run(self) {
        let Self { store, auth, id, facts, mut engine, budget, out, permit } = self;
        let started = Instant::now();
        let cancel = Arc::new(AtomicBool::new(false));
        let (progress_tx, mut progress_rx) = mpsc::channel::<Progress>(4);
        let flag = cancel.clone();
        let solver = tokio::task::spawn_blocking(move || {
            let mut last: Option<Instant> = None;
            engine.solve_with(budget, &mut |p| {
                if flag.load(Ordering::Relaxed) {
                    return false;
                }
                if last.is_none_or(|t| t.elapsed() >= REPORT_EVERY) {
                    last = Some(Instant::now());
                    // A full channel drops a report: the next one carries the newer best.
                    let _ = progress_tx.try_send(*p);
                }
                true
            })
        });
        let mut poll = tokio::time::interval(CANCEL_POLL);
        loop {
            tokio::select! {
                report = progress_rx.recv() => match report {
                    Some(p) => {
                        let message = progress_to_pb(&id, pb::ProposalState::Running, &p);
                        if out.send(Ok(message)).await.is_err() {
                            cancel.store(true, Ordering::Relaxed);
                        }
                    }
                    // The search ended and dropped its sender.
                    None => break,
                },
                _ = poll.tick() => {
                    let cancelled = out.is_closed()
                        || matches!(store.proposal_state(&id).await.as_deref(), Ok("cancelled"));
                    if cancelled {
                        cancel.store(true, Ordering::Relaxed);
                    }
                }
            }
        }
        let plan = match solver.await {
            Ok(plan) => plan,
            Err(e) => {
                let _ = out.send(Err(status::internal(&e))).await;
                let _ = store.finish_proposal(&id, None, auth.clock().now()).await;
                return;
            }
        };
        let now = auth.clock().now();
        let cancelled = cancel.load(Ordering::Relaxed);
        let outcome = if cancelled {
            store.finish_proposal(&id, None, now).await
        } else {
            let changes = proposals::changes(&facts, &plan);
            store.finish_proposal(&id, Some((plan.cost, &changes)), now).await
        };
        drop(permit);
        if let Err(e) = outcome {
            let _ = out.send(Err(status::from_store(e))).await;
            return;
        }
        let state = if cancelled { pb::ProposalState::Cancelled } else { pb::ProposalState::Ready };
        let last = Progress {
            elapsed: started.elapsed(),
            best_cost: plan.cost,
            placed: plan.assignments.len(),
            unplaced: plan.unplaced.len(),
        };
        let _ = out.send(Ok(progress_to_pb(&id, state, &last))).await;
    }
}

type ProgressStream = std::pin::Pin<Box<dyn Stream<Item = Result<pb::ProposalProgress, Status>> + Send>>;

#[tonic::async_trait]
impl Rpc for SchedulingService {
    type StartProposalStream = ProgressStream;

    async fn start_proposal(
        &self,
        request: Request<pb::StartProposalRequest>,
    ) -> Result<Response<Self::StartProposalStream>, Status> {
        let caller = caller(&request)?;
        let scope = &caller.person.scope;
        let key = scope_key(scope).ok_or_else(status::role_refused)?.to_owned();
        let seconds = match request.get_ref().seconds {
            0 => DEFAULT_SECONDS,
            s if s <= MAX_SECONDS => s,
            _ => {
                return Err(status::invalid(
                    "seconds",
                    format!("Enter a number of seconds from 1 to {MAX_SECONDS}"),
                ));
            }
        };
        let permit = self.permits.clone().try_acquire_owned().map_err(|_| {
            status::refused(Refusal::rule(
                PROPOSAL_BUSY,
                "proposal",
                "The service is already working out as many proposals as it can. Try again in a minute",
            ))
        })?;
        let now = self.auth.clock().now();
        let (version, facts) =
            self.store.proposal_facts(scope, now.date_naive()).await.map_err(status::from_store)?;
        if facts.engagements.iter().all(|e| e.pinned) {
            return Err(status::refused(Refusal::rule(
                PROPOSAL_NOTHING,
                "proposal",
                "There is nothing to plan: the programme has no proposed inspection or interim visit",
            )));
        }
        let engine = Engine::new(proposals::instance(&facts)).map_err(|e| {
            status::refused(Refusal::rule(
                PROPOSAL_NOTHING,
                "proposal",
                format!("The programme cannot be planned: {e}"),
            ))
        })?;
        let time = Duration::from_secs(u64::from(seconds));
        let id = self
            .store
            .start_proposal(&key, version, caller.person.id, now, lease_until(now, time))
            .await
            .map_err(status::from_store)?;
        let (out, rx) = mpsc::channel(8);
        let first = pb::ProposalProgress {
            proposal_id: id.clone(),
            state: pb::ProposalState::Running.into(),
            unplaced: u32::try_from(facts.engagements.len()).unwrap_or(u32::MAX),
            ..Default::default()
        };
        let _ = out.try_send(Ok(first));
        let seed = u64::try_from(version).unwrap_or_default();
        let run = Run {
            store: self.store.clone(),
            auth: self.auth.clone(),
            id,
            facts,
            engine,
            budget: Budget::time(time, seed),
            out,
            permit,
        };
        tokio::spawn(run.run());
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn cancel_proposal(
        &self,
        request: Request<pb::CancelProposalRequest>,
    ) -> Result<Response<pb::CancelProposalResponse>, Status> {
        let caller = caller(&request)?;
        let id = proposal_id(&request.get_ref().id)?;
        let now = self.auth.clock().now();
        let p = self
            .store
            .cancel_proposal(id, &caller.person.scope, now)
            .await
            .map_err(status::store(PROPOSAL))?;
        Ok(Response::new(pb::CancelProposalResponse { proposal: Some(proposal_to_pb(&p)) }))
    }

    async fn get_proposal(
        &self,
        request: Request<pb::GetProposalRequest>,
    ) -> Result<Response<pb::GetProposalResponse>, Status> {
        let caller = caller(&request)?;
        let id = proposal_id(&request.get_ref().id)?;
        let p = self.store.proposal(id, &caller.person.scope).await.map_err(status::store(PROPOSAL))?;
        Ok(Response::new(pb::GetProposalResponse { proposal: Some(proposal_to_pb(&p)) }))
    }

    async fn accept_proposal(
        &self,
        request: Request<pb::AcceptProposalRequest>,
    ) -> Result<Response<pb::AcceptProposalResponse>, Status> {
        let caller = caller(&request)?;
        let actor = Actor::person(&caller.person, &request_id(&request));
        let req = request.get_ref();
        let id = proposal_id(&req.id)?;
        let now = self.auth.clock().now();
        let p = self
            .store
            .accept_proposal(id, req.programme_version, &actor, &caller.person.scope, now)
            .await
            .map_err(status::store(PROPOSAL))?;
        Ok(Response::new(pb::AcceptProposalResponse { proposal: Some(proposal_to_pb(&p)) }))
    }
}
