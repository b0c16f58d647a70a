//! The load generator (issue 15): the real `send-planner serve` process under a national
//! programme's traffic, beside a bare tonic echo as the ceiling and `pgbench` as the write
//! reference, all measured in one run on the same cores.
//!
//! Full run (release build, a few minutes per database; the command builds the server too):
//! `cargo run --release --locked -p integration-tests --bin load`
//! (`-- --db sqlite` or `-- --db postgres` for one database, `-- --seconds N` per phase).
//! Smoke run (seconds, tiny rates; `tests/tests/load_smoke.rs` runs it in `cargo test`):
//! `cargo run -p integration-tests --bin load -- --smoke`.
//!
//! What it does, per database (SQLite in a temporary folder, then a fresh PostgreSQL database on
//! `SEND_PLANNER_TEST_PG_URL`, dropped afterwards):
//! - seeds, in-process through the API (the server's clock set as the seed needs): an interim
//!   visit to Camden with its team and its issued letter (`scenario`), a year of programme over
//!   all 153 local areas (`year`, as the board_render bench), and accounts of every role: 6
//!   national planners, a lead per region, a user per local area, 11 inspectors, 4 recipient-body
//!   readers (DfE, NHS England) and 2 administrators;
//! - starts `send-planner serve` on that database as a process of its own pinned to core 0
//!   (`taskset -c 0`), signs everyone in, and drives it from this process pinned to core 1;
//! - starts this binary's `echo` command, also pinned to core 0: a bare tonic unary call
//!   (ReferenceService/ListRegions answering an empty reply from memory) behind the same
//!   tonic-web layer, axum server and TCP_NODELAY as the product, built with the same profile;
//! - closed loop (8 connections x 16 streams native, 16 HTTP/1.1 connections gRPC-web): the echo,
//!   WhoAmI, ListRegions, the national board, and the mix; open loop at a fixed arrival rate
//!   (latency from each call's intended send time, so queueing shows): the board at 250/s and
//!   2,000/s, the board over gRPC-web at 2,000/s, and the mix; writes with 8 clients (a visit
//!   request created, answered with a small signed PDF, an engagement moved a week), then
//!   `pgbench -c 8` single-row INSERTs (one transaction each) on a fresh database;
//! - reports per RPC: calls answered OK per second, p50/p95/p99/max of OK calls, and every
//!   non-OK grpc-status (or transport failure) as an error; CPU used by the server and by the
//!   generator during each phase; the server's peak RSS (VmHWM); and the ratios the issue sets
//!   targets for, as a Markdown table.
//!
//! With PostgreSQL the full run also pins the machine's PostgreSQL (its postmaster, so every new
//! backend, and the bench database's open backends) to core 0 while that database's phases run,
//! and restores its affinity afterwards; the smoke run leaves PostgreSQL alone.
//!
//! The mix (weights out of 100) is the hour an interim programme is announced: every page load
//! checks the session (WhoAmI 20), reads reference data (ListRegions 8), opens its start page
//! (planners 5, leads 8, local areas 15, inspectors 4; recipient bodies their inbox 3,
//! administrators the accounts list 1), planners the national board (10), letter readers a
//! letter (GetLetter 6, recorded as a view), an area answers a request in writing
//! (CreateVisitRequest by a planner or the region's lead, then AnswerVisitRequest with a small
//! PDF: 6, two calls) and planners move an engagement (RescheduleEngagement 2; each engagement
//! is moved by one caller at a time, so versions never collide).

use std::{
    collections::{BTreeMap, HashMap},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail, ensure};
use chrono::{NaiveDate, TimeDelta};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use integration_tests::{
    DbKind, PASSWORD, Persona, TestApp, TestDatabase, consent_answer, spawn_app_on, visit_request, year,
};
use proto::pb::{
    self, account_service_client::AccountServiceClient, auth_service_client::AuthServiceClient,
    consent_service_client::ConsentServiceClient, letter_service_client::LetterServiceClient,
    programme_service_client::ProgrammeServiceClient, reference_service_client::ReferenceServiceClient,
    start_service_client::StartServiceClient,
};
use rand::{Rng as _, SeedableRng as _, rngs::StdRng};
use tonic::{
    Status,
    metadata::{Ascii, MetadataValue},
    transport::Channel,
};
use tower::{ServiceBuilder, ServiceExt as _, util::BoxCloneSyncService};

/// Either transport, as one service type the generated clients accept (a transport failure as an
/// `UNAVAILABLE` status: a concrete error type keeps the calls' futures `Send`).
type Svc = BoxCloneSyncService<http::Request<tonic::body::Body>, http::Response<tonic::body::Body>, Status>;

fn transport_failure(e: impl std::fmt::Display) -> Status {
    Status::unavailable(format!("transport: {e}"))
}

/// The longest a call may take before it counts as an error (also sent as `grpc-timeout`).
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Calls of an open-loop phase in flight at most; arrivals beyond it are counted as errors
/// (`generator: over in-flight cap`) without being sent.
const MAX_IN_FLIGHT: usize = 8192;
/// HTTP/1.1 connections of an open-loop gRPC-web phase; calls beyond them wait for one (and the
/// wait counts, since latency runs from the intended send time).
const WEB_OPEN_CONNECTIONS: usize = 256;

// ---------------------------------------------------------------------------------------------
// Settings.

#[derive(Debug, Clone)]
struct Options {
    smoke: bool,
    databases: Vec<DbKind>,
    /// Each measured phase.
    phase: Duration,
    /// Unmeasured calls before each closed-loop phase.
    warmup: Duration,
    /// Native gRPC: connections x streams (closed loop), and connections for open loop.
    connections: usize,
    streams: usize,
    /// gRPC-web on HTTP/1.1: one call per connection at a time.
    web_connections: usize,
    /// Writers, and pgbench's clients.
    writers: usize,
    /// Open-loop rates of the board (calls per second).
    board_rates: Vec<u32>,
    /// Open-loop rate of the mix.
    mix_rate: u32,
    /// Local areas the year of programme covers (all 153 but in the smoke run).
    areas: usize,
    /// Pin PostgreSQL to core 0 while its phases run.
    pin_postgres: bool,
    /// The `send-planner` binary (else built with this binary's profile).
    server: Option<PathBuf>,
}

impl Options {
    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut options = Self {
            smoke: false,
            databases: vec![DbKind::Sqlite, DbKind::Postgres],
            phase: Duration::from_secs(10),
            warmup: Duration::from_secs(2),
            connections: 8,
            streams: 16,
            web_connections: 16,
            writers: 8,
            board_rates: vec![250, 2000],
            mix_rate: 1000,
            areas: year::AREAS,
            pin_postgres: true,
            server: None,
        };
        let mut seconds = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--smoke" => options.smoke = true,
                "--db" => {
                    options.databases = match args.next().map(String::as_str) {
                        Some("sqlite") => vec![DbKind::Sqlite],
                        Some("postgres") => vec![DbKind::Postgres],
                        Some("both") => vec![DbKind::Sqlite, DbKind::Postgres],
                        other => bail!("--db sqlite|postgres|both, not {other:?}"),
                    }
                }
                "--seconds" => seconds = Some(args.next().context("--seconds N")?.parse::<f64>()?),
                "--server" => options.server = Some(args.next().context("--server PATH")?.into()),
                other => bail!("unknown argument {other:?}; see the file's comment for usage"),
            }
        }
        if options.smoke {
            options.phase = Duration::from_secs(1);
            options.warmup = Duration::from_millis(100);
            (options.connections, options.streams, options.web_connections, options.writers) = (2, 2, 2, 2);
            options.board_rates = vec![20];
            options.mix_rate = 40;
            options.areas = 6;
            options.pin_postgres = false;
        }
        if let Some(s) = seconds {
            options.phase = Duration::from_secs_f64(s);
        }
        Ok(options)
    }
}

// ---------------------------------------------------------------------------------------------
// Processes and cores.

/// Pins every thread of process `pid` to `cores` (a taskset list, e.g. "0").
fn pin(pid: u32, cores: &str) -> anyhow::Result<()> {
    let out = Command::new("taskset").args(["-a", "-p", "-c", cores, &pid.to_string()]).output()?;
    ensure!(out.status.success(), "taskset {pid}: {}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

/// A process's `Cpus_allowed_list`, to restore later.
fn allowed_cores(pid: u32) -> anyhow::Result<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .map(|v| v.trim().to_owned())
        .context("no Cpus_allowed_list")
}

/// A `VmHWM`/`VmRSS` line of `/proc/PID/status`, in MiB.
fn memory_mib(pid: u32, field: &str) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field} for {pid}"))?;
    Ok(kib / 1024.0)
}

/// CPU time (user + system) process `pid` has used so far.
fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command's closing parenthesis: state is field 3; utime, stime 14 and 15.
    let rest = stat.rsplit_once(')').context("stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> anyhow::Result<u64> { Ok(fields.get(i - 3).context("stat field")?.parse()?) };
    // USER_HZ is 100 on Linux.
    Ok(Duration::from_millis((ticks(14)? + ticks(15)?) * 10))
}

/// `/proc/loadavg`'s 1, 5 and 15 minute averages: a busy machine shows in the numbers.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// A port free at the moment of asking.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The `send-planner` binary: `--server`, or built with this binary's own profile (release for
/// the full run) and found beside it.
fn server_binary(options: &Options) -> anyhow::Result<PathBuf> {
    if let Some(path) = &options.server {
        return Ok(path.clone());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut args = vec!["build", "--locked", "--quiet", "-p", "send-planner", "--bin", "send-planner"];
    if !cfg!(debug_assertions) {
        args.push("--release");
    }
    let mut command = Command::new(cargo);
    command.args(&args).current_dir(integration_tests::workspace_root());
    // `cargo run` and `cargo test` set these for this binary; build scripts (ring's, through cc)
    // rerun when they change, so passing them on would rebuild half the tree on every run.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if ["CARGO_PKG_", "CARGO_MANIFEST_", "CARGO_BIN_", "CARGO_CRATE_", "CARGO_PRIMARY_PACKAGE", "OUT_DIR"]
            .iter()
            .any(|prefix| name.starts_with(prefix))
        {
            command.env_remove(name.as_ref());
        }
    }
    let status = command.status()?;
    ensure!(status.success(), "cargo build of send-planner failed: {status}");
    let exe = std::env::current_exe()?;
    Ok(exe.parent().context("no target folder")?.join("send-planner"))
}

/// A server process pinned to core 0, killed when dropped.
struct Process {
    child: Child,
    url: String,
}

impl Process {
    /// Starts `taskset -c 0 PROGRAM ARGS` (which execs, so the child is the server itself) and
    /// waits until its health check answers.
    async fn start(program: &Path, args: &[&str], env: &[(&str, &str)], port: u16) -> anyhow::Result<Self> {
        let mut command = Command::new("taskset");
        command.arg("-c").arg("0").arg(program).args(args);
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("start {}", program.display()))?;
        let mut process = Self { child, url: format!("http://127.0.0.1:{port}") };
        integration_tests::wait_until_serving(
            &process.url,
            &mut process.child,
            &program.display().to_string(),
        )
        .await?;
        Ok(process)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// PostgreSQL pinned to core 0 until dropped: the postmaster (so new backends inherit it) and
/// the open backends of one database.
struct PinnedPostgres {
    postmaster: u32,
    restore: String,
}

impl PinnedPostgres {
    async fn pin(database_url: &str) -> anyhow::Result<Self> {
        use sqlx::{Connection as _, Row as _};
        let mut conn = sqlx::PgConnection::connect(database_url).await?;
        let data: String = sqlx::query("SHOW data_directory").fetch_one(&mut conn).await?.try_get(0)?;
        let pidfile = std::fs::read_to_string(Path::new(&data).join("postmaster.pid"))
            .context("read postmaster.pid (the bench runs as root, beside PostgreSQL)")?;
        let postmaster: u32 = pidfile.lines().next().context("postmaster.pid")?.trim().parse()?;
        let restore = allowed_cores(postmaster)?;
        pin(postmaster, "0")?;
        let pinned = Self { postmaster, restore };
        pinned.pin_backends(&mut conn).await?;
        conn.close().await?;
        Ok(pinned)
    }

    /// Pins the backends already open on the connection's database.
    async fn pin_backends(&self, conn: &mut sqlx::PgConnection) -> anyhow::Result<()> {
        let pids: Vec<i32> =
            sqlx::query_scalar("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
                .fetch_all(&mut *conn)
                .await?;
        for pid in pids {
            // A backend may have ended meanwhile.
            let _ = pin(pid.unsigned_abs(), "0");
        }
        Ok(())
    }

    async fn pin_backends_of(&self, database_url: &str) -> anyhow::Result<()> {
        use sqlx::Connection as _;
        let mut conn = sqlx::PgConnection::connect(database_url).await?;
        self.pin_backends(&mut conn).await?;
        conn.close().await?;
        Ok(())
    }
}

impl Drop for PinnedPostgres {
    fn drop(&mut self) {
        if let Err(e) = pin(self.postmaster, &self.restore) {
            eprintln!("warning: could not restore PostgreSQL's cores ({}): {e}", self.restore);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The echo: `load echo PORT`.

struct Echo;

#[tonic::async_trait]
impl pb::reference_service_server::ReferenceService for Echo {
    async fn list_regions(
        &self,
        _: tonic::Request<pb::ListRegionsRequest>,
    ) -> Result<tonic::Response<pb::ListRegionsResponse>, Status> {
        Ok(tonic::Response::new(pb::ListRegionsResponse::default()))
    }

    async fn list_local_areas(
        &self,
        _: tonic::Request<pb::ListLocalAreasRequest>,
    ) -> Result<tonic::Response<pb::ListLocalAreasResponse>, Status> {
        Ok(tonic::Response::new(pb::ListLocalAreasResponse::default()))
    }
}

/// Serves the echo as the product serves its contract: tonic routes as an axum router, the
/// tonic-web layer, axum's server with TCP_NODELAY, a multi-threaded runtime (one worker when
/// pinned to one core), plus the standard health service to wait on.
fn echo_main(port: &str) -> anyhow::Result<()> {
    let port: u16 = port.parse()?;
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async move {
        let (_, health) = tonic_health::server::health_reporter();
        let router = tonic::service::Routes::new(health)
            .add_service(pb::reference_service_server::ReferenceServiceServer::new(Echo))
            .into_axum_router()
            .layer(tonic_web::GrpcWebLayer::new());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, router).await?;
        anyhow::Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Connections.

/// One connection (native: an HTTP/2 connection; gRPC-web: a pool of HTTP/1.1 connections, one
/// per call in flight).
#[derive(Clone)]
struct Conn {
    svc: Svc,
    origin: http::Uri,
    /// gRPC-web: at most this many calls (HTTP/1.1 connections) at once; the rest wait.
    limit: Option<Arc<tokio::sync::Semaphore>>,
}

impl Conn {
    async fn native(url: &str) -> anyhow::Result<Self> {
        let channel = Channel::from_shared(url.to_owned())?.tcp_nodelay(true).connect().await?;
        let svc = BoxCloneSyncService::new(channel.map_err(transport_failure));
        Ok(Self { svc, origin: url.parse()?, limit: None })
    }

    fn web(url: &str, connections: usize) -> anyhow::Result<Self> {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        let client: Client<HttpConnector, tonic_web::GrpcWebCall<tonic::body::Body>> =
            Client::builder(TokioExecutor::new()).pool_max_idle_per_host(connections).build(http);
        let svc = ServiceBuilder::new()
            .layer(tonic_web::GrpcWebClientLayer::new())
            .service(client)
            .map_response(|r: http::Response<_>| r.map(tonic::body::Body::new))
            .map_err(transport_failure);
        let limit = Some(Arc::new(tokio::sync::Semaphore::new(connections)));
        Ok(Self { svc: BoxCloneSyncService::new(svc), origin: url.parse()?, limit })
    }

    fn auth(&self) -> AuthServiceClient<Svc> {
        AuthServiceClient::with_origin(self.svc.clone(), self.origin.clone())
    }
    fn reference(&self) -> ReferenceServiceClient<Svc> {
        ReferenceServiceClient::with_origin(self.svc.clone(), self.origin.clone())
    }
    fn programme(&self) -> ProgrammeServiceClient<Svc> {
        ProgrammeServiceClient::with_origin(self.svc.clone(), self.origin.clone())
    }
    fn start(&self) -> StartServiceClient<Svc> {
        StartServiceClient::with_origin(self.svc.clone(), self.origin.clone())
    }
    fn consent(&self) -> ConsentServiceClient<Svc> {
        ConsentServiceClient::with_origin(self.svc.clone(), self.origin.clone())
    }
    fn letters(&self) -> LetterServiceClient<Svc> {
        LetterServiceClient::with_origin(self.svc.clone(), self.origin.clone())
    }
    fn accounts(&self) -> AccountServiceClient<Svc> {
        AccountServiceClient::with_origin(self.svc.clone(), self.origin.clone())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Native,
    Web,
}

impl Transport {
    fn label(self) -> &'static str {
        match self {
            Self::Native => "native",
            Self::Web => "gRPC-web",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Who calls.

/// A signed-in account.
#[derive(Clone)]
struct User {
    auth: MetadataValue<Ascii>,
    /// A local area user's area; a lead's region.
    scope: String,
}

/// An engagement planners move a week back and forth, one caller at a time.
#[derive(Debug, Clone)]
struct Movable {
    id: String,
    version: i64,
    first: NaiveDate,
    last: NaiveDate,
    earlier: bool,
}

/// Everything the calls need: the signed-in populations and the seeded records.
struct World {
    planners: Vec<User>,
    leads: Vec<User>,
    areas: Vec<User>,
    inspectors: Vec<User>,
    recipients: Vec<User>,
    admins: Vec<User>,
    everyone: Vec<User>,
    /// The issued letter and the signed-in users who may read it (checked before the run).
    letter: String,
    letter_readers: Vec<User>,
    /// A local area's region, for its lead.
    region_of: HashMap<String, String>,
    lead_of: HashMap<String, usize>,
    movable: Mutex<Vec<Movable>>,
    /// Reply-by date of the requests the run creates.
    reply_by: String,
    /// Sent to the echo, which checks nothing.
    anyone: User,
}

fn one<'a>(users: &'a [User], rng: &mut StdRng) -> &'a User {
    &users[rng.random_range(0..users.len())]
}

fn request<T>(message: T, user: &User) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("authorization", user.auth.clone());
    request.set_timeout(CALL_TIMEOUT);
    request
}

// ---------------------------------------------------------------------------------------------
// The calls.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Op {
    Echo,
    WhoAmI,
    ListRegions,
    Board,
    StartPlanner,
    StartLead,
    StartArea,
    StartInspector,
    Inbox,
    People,
    Letter,
    /// CreateVisitRequest then AnswerVisitRequest (recorded as two calls).
    Answer,
    Create,
    Reschedule,
}

impl Op {
    fn label(self) -> &'static str {
        match self {
            Self::Echo => "echo (ceiling)",
            Self::WhoAmI => "AuthService/WhoAmI",
            Self::ListRegions => "ReferenceService/ListRegions",
            Self::Board => "ProgrammeService/GetNationalBoard",
            Self::StartPlanner => "StartService/GetStartPage (planner)",
            Self::StartLead => "StartService/GetStartPage (regional lead)",
            Self::StartArea => "StartService/GetStartPage (local area)",
            Self::StartInspector => "StartService/GetStartPage (inspector)",
            Self::Inbox => "LetterService/ListInbox (recipient body)",
            Self::People => "AccountService/ListPeople (administrator)",
            Self::Letter => "LetterService/GetLetter",
            Self::Answer => "ConsentService/AnswerVisitRequest",
            Self::Create => "ConsentService/CreateVisitRequest",
            Self::Reschedule => "ProgrammeService/RescheduleEngagement",
        }
    }

    fn is_write(self) -> bool {
        matches!(self, Self::Answer | Self::Create | Self::Reschedule)
    }
}

/// The announcement hour's mix (see the file's comment).
const MIX: &[(Op, u32)] = &[
    (Op::WhoAmI, 20),
    (Op::ListRegions, 8),
    (Op::StartPlanner, 5),
    (Op::StartLead, 8),
    (Op::StartArea, 15),
    (Op::StartInspector, 4),
    (Op::Inbox, 3),
    (Op::People, 1),
    (Op::Board, 10),
    (Op::Letter, 6),
    (Op::Answer, 6),
    (Op::Reschedule, 2),
];

/// The writers' cycle.
const WRITES: &[Op] = &[Op::Answer, Op::Reschedule];

#[derive(Debug, Clone, Copy)]
enum Task {
    One(Op),
    Mix,
    Writes,
}

impl Task {
    fn pick(self, rng: &mut StdRng, n: usize) -> Op {
        match self {
            Self::One(op) => op,
            Self::Writes => WRITES[n % WRITES.len()],
            Self::Mix => {
                let total: u32 = MIX.iter().map(|(_, w)| w).sum();
                let mut x = rng.random_range(0..total);
                for &(op, w) in MIX {
                    if x < w {
                        return op;
                    }
                    x -= w;
                }
                Op::WhoAmI
            }
        }
    }

    fn label(self) -> String {
        match self {
            Self::One(op) => op.label().to_owned(),
            Self::Mix => "the mix".to_owned(),
            Self::Writes => "writes (request, written consent, a week moved)".to_owned(),
        }
    }
}

type Outcome = Result<(), Status>;

/// One call of `op` (not Answer), as a random member of its audience.
async fn call(world: &World, conn: &Conn, op: Op, rng: &mut StdRng) -> Outcome {
    match op {
        Op::Echo => {
            conn.reference().list_regions(request(pb::ListRegionsRequest {}, &world.anyone)).await.map(drop)
        }
        Op::WhoAmI => {
            conn.auth().who_am_i(request(pb::WhoAmIRequest {}, one(&world.everyone, rng))).await.map(drop)
        }
        Op::ListRegions => {
            let user = one(&world.everyone, rng);
            conn.reference().list_regions(request(pb::ListRegionsRequest {}, user)).await.map(drop)
        }
        Op::Board => {
            let user = one(&world.planners, rng);
            let mut programme = conn.programme();
            programme
                .get_national_board(request(pb::GetNationalBoardRequest::default(), user))
                .await
                .map(drop)
        }
        Op::StartPlanner | Op::StartLead | Op::StartArea | Op::StartInspector => {
            let users = match op {
                Op::StartPlanner => &world.planners,
                Op::StartLead => &world.leads,
                Op::StartArea => &world.areas,
                _ => &world.inspectors,
            };
            conn.start().get_start_page(request(pb::GetStartPageRequest {}, one(users, rng))).await.map(drop)
        }
        Op::Inbox => conn
            .letters()
            .list_inbox(request(pb::ListInboxRequest {}, one(&world.recipients, rng)))
            .await
            .map(drop),
        Op::People => {
            let people = pb::ListPeopleRequest { page_size: 50, page_token: String::new() };
            conn.accounts().list_people(request(people, one(&world.admins, rng))).await.map(drop)
        }
        Op::Letter => {
            let letter = pb::GetLetterRequest { id: world.letter.clone() };
            conn.letters().get_letter(request(letter, one(&world.letter_readers, rng))).await.map(drop)
        }
        Op::Reschedule => reschedule(world, conn, rng).await,
        Op::Answer | Op::Create => Err(Status::internal("not a single call")),
    }
}

/// Moves a free engagement a week (back, then forward again), as a national planner.
async fn reschedule(world: &World, conn: &Conn, rng: &mut StdRng) -> Outcome {
    let taken = world.movable.lock().unwrap_or_else(PoisonError::into_inner).pop();
    let Some(mut e) = taken else {
        return Err(Status::resource_exhausted("generator: no engagement free to move"));
    };
    let shift = TimeDelta::days(if e.earlier { -7 } else { 7 });
    let (first, last) = (e.first + shift, e.last + shift);
    let moved = pb::RescheduleEngagementRequest {
        id: e.id.clone(),
        version: e.version,
        onsite: Some(pb::DateRange { first_day: first.to_string(), last_day: last.to_string() }),
        reason: "Moved a week for the load benchmark".into(),
    };
    let result = conn.programme().reschedule_engagement(request(moved, one(&world.planners, rng))).await;
    let outcome = match result {
        Ok(reply) => {
            if let Some(engagement) = reply.into_inner().engagement {
                e.version = engagement.version;
            }
            (e.first, e.last, e.earlier) = (first, last, !e.earlier);
            Ok(())
        }
        Err(status) => Err(status),
    };
    world.movable.lock().unwrap_or_else(PoisonError::into_inner).insert(0, e);
    outcome
}

// ---------------------------------------------------------------------------------------------
// Recording.

#[derive(Default)]
struct OpStats {
    /// Latency of each OK call, in microseconds.
    ok: Vec<u32>,
    errors: BTreeMap<String, u64>,
}

#[derive(Default)]
struct Recorder {
    ops: BTreeMap<Op, OpStats>,
}

impl Recorder {
    fn add(&mut self, op: Op, latency: Duration, outcome: &Outcome) {
        let stats = self.ops.entry(op).or_default();
        match outcome {
            Ok(()) => stats.ok.push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX)),
            Err(status) => {
                let key = if status.message().starts_with("generator:") {
                    status.message().to_owned()
                } else {
                    format!("{:?}", status.code())
                };
                *stats.errors.entry(key).or_default() += 1;
            }
        }
    }

    fn merge(&mut self, other: Self) {
        for (op, stats) in other.ops {
            let mine = self.ops.entry(op).or_default();
            mine.ok.extend(stats.ok);
            for (k, v) in stats.errors {
                *mine.errors.entry(k).or_default() += v;
            }
        }
    }
}

/// `call`, given up (as an error) if the server has not answered a while after its deadline.
async fn limited<T>(call: impl Future<Output = Result<T, Status>>) -> Result<T, Status> {
    tokio::time::timeout(CALL_TIMEOUT + Duration::from_secs(2), call)
        .await
        .unwrap_or_else(|_| Err(Status::deadline_exceeded("generator: no answer in time")))
}

/// Runs `op` (Answer as its two calls), timing the first from `intended`.
async fn step(world: &World, conn: &Conn, op: Op, rng: &mut StdRng, rec: &mut Recorder, intended: Instant) {
    let _permit = match &conn.limit {
        Some(limit) => limit.acquire().await.ok(),
        None => None,
    };
    if op != Op::Answer {
        let outcome = limited(call(world, conn, op, rng)).await;
        rec.add(op, intended.elapsed(), &outcome);
        return;
    }
    let area = one(&world.areas, rng).clone();
    let region = world.region_of.get(&area.scope).cloned().unwrap_or_default();
    let creator = match world.lead_of.get(&region) {
        Some(&lead) if rng.random_bool(0.5) => world.leads[lead].clone(),
        _ => one(&world.planners, rng).clone(),
    };
    let mut consent = conn.consent();
    let create = request(visit_request(&area.scope, &world.reply_by), &creator);
    let created =
        limited(async { consent.create_visit_request(create).await.map(|r| r.into_inner().request) }).await;
    let outcome = created.as_ref().map(drop).map_err(Clone::clone);
    rec.add(Op::Create, intended.elapsed(), &outcome);
    let Ok(Some(created)) = created else { return };
    let sent = Instant::now();
    let answer = request(consent_answer(&created.id, created.version), &area);
    let outcome = limited(async { consent.answer_visit_request(answer).await.map(drop) }).await;
    rec.add(Op::Answer, sent.elapsed(), &outcome);
}

// ---------------------------------------------------------------------------------------------
// Phases.

#[derive(Debug, Clone, Copy)]
enum Load {
    /// Connections x streams, each stream calling again as soon as it is answered.
    Closed { connections: usize, streams: usize },
    /// Calls at a fixed rate over `connections`, whether or not earlier ones were answered.
    Open { rate: u32, connections: usize },
}

struct Phase {
    label: String,
    transport: Transport,
    load: Load,
    task: Task,
}

struct Measured {
    label: String,
    transport: Transport,
    load: Load,
    wall: Duration,
    rec: Recorder,
    server_cpu: f64,
    generator_cpu: f64,
}

impl Measured {
    fn ok_rate(&self, op: Op) -> f64 {
        self.rec.ops.get(&op).map_or(0.0, |s| s.ok.len() as f64 / self.wall.as_secs_f64())
    }

    fn total_ok_rate(&self, pick: impl Fn(Op) -> bool) -> f64 {
        let n: usize = self.rec.ops.iter().filter(|(op, _)| pick(**op)).map(|(_, s)| s.ok.len()).sum();
        n as f64 / self.wall.as_secs_f64()
    }

    fn errors(&self) -> u64 {
        self.rec.ops.values().flat_map(|s| s.errors.values()).sum()
    }

    fn percentile_ms(&self, op: Op, q: f64) -> Option<f64> {
        let stats = self.rec.ops.get(&op)?;
        percentile(&stats.ok, q)
    }
}

/// The `q` quantile of `samples` (sorted), in milliseconds.
fn percentile(sorted: &[u32], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let i = ((n as f64 * q).ceil() as usize).clamp(1, n) - 1;
    Some(f64::from(sorted[i]) / 1e3)
}

async fn connections(url: &str, transport: Transport, load: Load) -> anyhow::Result<Vec<Conn>> {
    let n = match load {
        Load::Closed { connections, .. } | Load::Open { connections, .. } => connections,
    };
    match transport {
        Transport::Native => {
            let mut conns = Vec::with_capacity(n);
            for _ in 0..n {
                conns.push(Conn::native(url).await?);
            }
            Ok(conns)
        }
        // One pool of HTTP/1.1 connections, one per call in flight: `n` callers share it.
        Transport::Web => Ok(vec![Conn::web(url, n)?; n]),
    }
}

async fn closed(
    world: &Arc<World>,
    conns: &[Conn],
    streams_per_conn: usize,
    task: Task,
    length: Duration,
) -> anyhow::Result<(Recorder, Duration)> {
    let start = Instant::now();
    let deadline = start + length;
    let mut tasks = Vec::new();
    let mut stream = 0_u64;
    for conn in conns {
        for _ in 0..streams_per_conn {
            let (world, conn) = (world.clone(), conn.clone());
            stream += 1;
            tasks.push(tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(stream);
                let mut rec = Recorder::default();
                let mut n = 0;
                while Instant::now() < deadline {
                    let op = task.pick(&mut rng, n);
                    n += 1;
                    step(&world, &conn, op, &mut rng, &mut rec, Instant::now()).await;
                }
                rec
            }));
        }
    }
    let mut rec = Recorder::default();
    for t in tasks {
        rec.merge(t.await?);
    }
    Ok((rec, start.elapsed()))
}

async fn open(
    world: &Arc<World>,
    conns: &[Conn],
    rate: u32,
    task: Task,
    length: Duration,
) -> anyhow::Result<(Recorder, Duration)> {
    let shared = Arc::new(Mutex::new(Recorder::default()));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let calls = (f64::from(rate) * length.as_secs_f64()).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let mut rng = StdRng::seed_from_u64(u64::from(rate));
    let start = Instant::now() + Duration::from_millis(5);
    for i in 0..calls {
        let intended = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(intended.into()).await;
        let op = task.pick(&mut rng, i as usize);
        if in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
            let over = Err(Status::resource_exhausted("generator: over in-flight cap"));
            shared.lock().unwrap_or_else(PoisonError::into_inner).add(op, Duration::ZERO, &over);
            continue;
        }
        in_flight.fetch_add(1, Ordering::Relaxed);
        let (world, conn) = (world.clone(), conns[i as usize % conns.len()].clone());
        let (shared, in_flight) = (shared.clone(), in_flight.clone());
        let seed = rng.random();
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut rec = Recorder::default();
            step(&world, &conn, op, &mut rng, &mut rec, intended).await;
            shared.lock().unwrap_or_else(PoisonError::into_inner).merge(rec);
            in_flight.fetch_sub(1, Ordering::Relaxed);
        });
    }
    // Wait for the calls still in flight (each gives up after CALL_TIMEOUT and a margin).
    let drain = Instant::now();
    while in_flight.load(Ordering::Relaxed) > 0 && drain.elapsed() < CALL_TIMEOUT + Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let wall = start.elapsed();
    let rec = std::mem::take(&mut *shared.lock().unwrap_or_else(PoisonError::into_inner));
    Ok((rec, wall))
}

/// Waits (up to a minute) until process `pid` is idle, under 10% of a core over 300 ms: an
/// overloaded phase's backlog must not run into the next phase's numbers.
async fn settle(pid: u32) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let before = cpu_time(pid)?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let busy = (cpu_time(pid)? - before).as_secs_f64() / 0.3;
        if busy < 0.10 {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(60) {
            println!("warning: the server is still busy ({:.0}% of a core) after a minute", busy * 100.0);
            return Ok(());
        }
    }
}

/// Runs `phase` against the server at `url` (process `pid`) and prints its table.
async fn run_phase(
    world: &Arc<World>,
    url: &str,
    pid: u32,
    phase: &Phase,
    options: &Options,
    postgres: Option<(&PinnedPostgres, &str)>,
) -> anyhow::Result<Measured> {
    settle(pid).await?;
    let conns = connections(url, phase.transport, phase.load).await?;
    if let Load::Closed { streams, .. } = phase.load {
        closed(world, &conns, streams, phase.task, options.warmup).await?;
    }
    if let Some((pinned, url)) = postgres {
        pinned.pin_backends_of(url).await?;
    }
    let me = std::process::id();
    let (server_before, own_before) = (cpu_time(pid)?, cpu_time(me)?);
    let (mut rec, wall) = match phase.load {
        Load::Closed { streams, .. } => closed(world, &conns, streams, phase.task, options.phase).await?,
        Load::Open { rate, .. } => open(world, &conns, rate, phase.task, options.phase).await?,
    };
    let server_cpu = (cpu_time(pid)? - server_before).as_secs_f64() / wall.as_secs_f64();
    let generator_cpu = (cpu_time(me)? - own_before).as_secs_f64() / wall.as_secs_f64();
    for stats in rec.ops.values_mut() {
        stats.ok.sort_unstable();
    }
    let measured = Measured {
        label: phase.label.clone(),
        transport: phase.transport,
        load: phase.load,
        wall,
        rec,
        server_cpu,
        generator_cpu,
    };
    print_phase(&measured);
    Ok(measured)
}

fn load_label(load: Load, transport: Transport) -> String {
    match (load, transport) {
        (Load::Closed { connections, .. }, Transport::Web) => format!("closed {connections} conn"),
        (Load::Closed { connections, streams }, Transport::Native) => {
            format!("closed {connections}x{streams}")
        }
        (Load::Open { rate, .. }, _) => format!("open {rate}/s"),
    }
}

fn print_phase(m: &Measured) {
    println!(
        "\n== {}: {} {} ({:.1} s; server CPU {:.0}% of a core, generator {:.0}%)",
        m.label,
        m.transport.label(),
        load_label(m.load, m.transport),
        m.wall.as_secs_f64(),
        m.server_cpu * 100.0,
        m.generator_cpu * 100.0
    );
    println!(
        "   {:<44} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8}  errors",
        "rpc", "ok", "ok/s", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    for (op, stats) in &m.rec.ops {
        let p = |q| percentile(&stats.ok, q).map_or("-".to_owned(), |v| format!("{v:.2}"));
        let errors = if stats.errors.is_empty() {
            "0".to_owned()
        } else {
            stats.errors.iter().map(|(k, v)| format!("{v} {k}")).collect::<Vec<_>>().join(", ")
        };
        println!(
            "   {:<44} {:>8} {:>9.1} {:>8} {:>8} {:>8} {:>8}  {errors}",
            op.label(),
            stats.ok.len(),
            stats.ok.len() as f64 / m.wall.as_secs_f64(),
            p(0.50),
            p(0.95),
            p(0.99),
            p(1.0)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Seeding and signing in.

/// Accounts the run signs in, as (username, request).
fn accounts(regions: &[String], areas: &[String]) -> Vec<pb::CreatePersonRequest> {
    let person = |username: String, role: pb::Role| pb::CreatePersonRequest {
        display_name: format!("Load {username}"),
        username,
        password: PASSWORD.into(),
        role: role.into(),
        ..Default::default()
    };
    let mut out = Vec::new();
    for n in 0..5 {
        out.push(person(format!("load.planner.{n}"), pb::Role::NationalPlanner));
    }
    for region in regions {
        out.push(pb::CreatePersonRequest {
            region_code: region.clone(),
            ..person(format!("load.lead.{region}"), pb::Role::RegionalLead)
        });
    }
    for area in areas {
        out.push(pb::CreatePersonRequest {
            local_area_code: area.clone(),
            ..person(format!("load.area.{area}"), pb::Role::LocalAreaUser)
        });
    }
    for (n, region) in regions.iter().enumerate() {
        let inspectorate = if n % 3 == 2 { pb::Inspectorate::Cqc } else { pb::Inspectorate::Ofsted };
        out.push(pb::CreatePersonRequest {
            region_code: region.clone(),
            inspectorate: inspectorate.into(),
            social_care: n % 3 == 1,
            ..person(format!("load.inspector.{n}"), pb::Role::Inspector)
        });
    }
    for (n, body) in
        [pb::RecipientBody::Dfe, pb::RecipientBody::NhsEngland].into_iter().cycle().take(4).enumerate()
    {
        out.push(pb::CreatePersonRequest {
            recipient_body: body.into(),
            ..person(format!("load.reader.{n}"), pb::Role::RecipientBody)
        });
    }
    for n in 0..2 {
        out.push(person(format!("load.admin.{n}"), pb::Role::Administrator));
    }
    out
}

/// What the seed leaves for the run.
struct Seeded {
    people: Vec<pb::CreatePersonRequest>,
    letter: String,
    movable: Vec<Movable>,
    region_of: HashMap<String, String>,
}

/// Seeds a fresh database of `kind` in-process (see the file's comment) and stops that server,
/// keeping the database.
async fn seed(kind: DbKind, options: &Options) -> anyhow::Result<(TestDatabase, Seeded)> {
    let web = tempfile::tempdir()?;
    let app: TestApp = spawn_app_on(kind, web.path()).await?;
    let started = Instant::now();
    let visit = app.interim_visit_with_team().await?;
    let letter = app.issued_letter(&visit.engagement.id).await?;
    let engagements = year::seed(&app, options.areas).await?;
    let (_, planner) = app.persona(Persona::Planner).await?;
    let mut reference = ReferenceServiceClient::new(app.authed(&planner).await?);
    let regions = reference.list_regions(pb::ListRegionsRequest {}).await?.into_inner().regions;
    let mut region_of = HashMap::new();
    for region in &regions {
        let page = reference
            .list_local_areas(pb::ListLocalAreasRequest {
                region_code: region.code.clone(),
                page_size: 200,
                ..Default::default()
            })
            .await?
            .into_inner();
        for area in page.local_areas {
            region_of.insert(area.ons_code, region.code.clone());
        }
    }
    let regions: Vec<String> = regions.into_iter().map(|r| r.code).collect();
    let mut areas: Vec<String> = year::area_codes(&app, &planner).await?;
    areas.truncate(options.areas);
    if !areas.iter().any(|a| a == "E09000007") {
        areas.push("E09000007".to_owned()); // Camden, whose letter the run reads
    }
    let people = accounts(&regions, &areas);
    for person in &people {
        app.seed_person(person.clone()).await?;
    }
    // Engagements not yet notified, from mid-February 2027, move a week back and forth.
    let from = NaiveDate::from_ymd_opt(2027, 2, 15).context("date")?;
    let mut movable = Vec::new();
    for e in engagements {
        let Some(onsite) = &e.onsite else { continue };
        let (first, last): (NaiveDate, NaiveDate) = (onsite.first_day.parse()?, onsite.last_day.parse()?);
        if e.state() == pb::EngagementState::Proposed && first >= from {
            movable.push(Movable { id: e.id, version: e.version, first, last, earlier: true });
        }
    }
    println!(
        "seeded {} areas' year ({} engagements movable), an issued letter, {} accounts in {:.1} s",
        options.areas,
        movable.len(),
        people.len(),
        started.elapsed().as_secs_f64()
    );
    let db = app.stop_keeping_database().await?;
    Ok((db, Seeded { people, letter: letter.id, movable, region_of }))
}

async fn sign_in(url: &str, username: &str) -> anyhow::Result<User> {
    let mut auth = AuthServiceClient::new(Channel::from_shared(url.to_owned())?.connect().await?);
    let reply =
        auth.sign_in(pb::SignInRequest { username: username.into(), password: PASSWORD.into() }).await?;
    Ok(User { auth: format!("Bearer {}", reply.into_inner().token).parse()?, scope: String::new() })
}

/// Signs every seeded account (and the scenario's personas) in on the server at `url`.
async fn world(url: &str, seeded: Seeded) -> anyhow::Result<World> {
    let started = Instant::now();
    let mut world = World {
        planners: Vec::new(),
        leads: Vec::new(),
        areas: Vec::new(),
        inspectors: Vec::new(),
        recipients: Vec::new(),
        admins: Vec::new(),
        everyone: Vec::new(),
        letter: seeded.letter,
        letter_readers: Vec::new(),
        region_of: seeded.region_of,
        lead_of: HashMap::new(),
        movable: Mutex::new(seeded.movable),
        reply_by: (chrono::Utc::now().date_naive() + TimeDelta::days(14)).to_string(),
        anyone: User { auth: "Bearer echo".parse()?, scope: String::new() },
    };
    let personas = [Persona::Planner, Persona::InnerLondonLead, Persona::Camden, Persona::OfstedInspector]
        .map(|p| p.request());
    for person in seeded.people.iter().chain(&personas) {
        let mut user = sign_in(url, &person.username).await?;
        let list = match person.role() {
            pb::Role::NationalPlanner => &mut world.planners,
            pb::Role::RegionalLead => {
                user.scope = person.region_code.clone();
                world.lead_of.insert(user.scope.clone(), world.leads.len());
                &mut world.leads
            }
            pb::Role::LocalAreaUser => {
                user.scope = person.local_area_code.clone();
                &mut world.areas
            }
            pb::Role::Inspector => &mut world.inspectors,
            pb::Role::RecipientBody => &mut world.recipients,
            _ => &mut world.admins,
        };
        list.push(user.clone());
        world.everyone.push(user);
    }
    // Who may read the letter is the service's rule: ask as each potential reader, once.
    let conn = Conn::native(url).await?;
    let candidates: Vec<User> = world
        .planners
        .iter()
        .chain(&world.areas)
        .chain(&world.inspectors)
        .chain(&world.recipients)
        .cloned()
        .collect();
    for user in candidates {
        let letter = pb::GetLetterRequest { id: world.letter.clone() };
        if conn.letters().get_letter(request(letter, &user)).await.is_ok() {
            world.letter_readers.push(user);
        }
    }
    ensure!(!world.letter_readers.is_empty(), "nobody signed in may read the seeded letter");
    println!(
        "signed in {} accounts ({} planners, {} leads, {} local area users, {} inspectors, {} recipient bodies, \
         {} administrators; {} may read the letter) in {:.1} s",
        world.everyone.len(),
        world.planners.len(),
        world.leads.len(),
        world.areas.len(),
        world.inspectors.len(),
        world.recipients.len(),
        world.admins.len(),
        world.letter_readers.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(world)
}

// ---------------------------------------------------------------------------------------------
// pgbench.

/// `pgbench` single-row INSERTs (each its own transaction) with `clients` clients on a fresh
/// database, pinned to core 1 like the generator (PostgreSQL on core 0 when `pin_postgres`):
/// transactions per second.
async fn pgbench(
    clients: usize,
    length: Duration,
    pin_postgres: bool,
    pinned: Option<&PinnedPostgres>,
) -> anyhow::Result<f64> {
    let db = TestDatabase::new(DbKind::Postgres).await?;
    // PostgreSQL on core 0 as in the PostgreSQL run, also beside the SQLite run.
    let own_pin = match pinned {
        None if pin_postgres => Some(PinnedPostgres::pin(&db.url).await?),
        _ => None,
    };
    let pinned = pinned.or(own_pin.as_ref());
    {
        use sqlx::Connection as _;
        let mut conn = sqlx::PgConnection::connect(&db.url).await?;
        sqlx::raw_sql(
            "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, body text NOT NULL, \
             at timestamptz NOT NULL DEFAULT now())",
        )
        .execute(&mut conn)
        .await?;
        conn.close().await?;
    }
    let script = tempfile::NamedTempFile::new()?;
    std::fs::write(script.path(), "INSERT INTO bench_insert (body) VALUES ('written consent');\n")?;
    let seconds = length.as_secs().max(1).to_string();
    let clients = clients.to_string();
    let (script_path, url) = (script.path().to_path_buf(), db.url.clone());
    let (c, t) = (clients.clone(), seconds.clone());
    let run = tokio::task::spawn_blocking(move || {
        Command::new("taskset")
            .args(["-c", "1", "pgbench", "-n", "-c", &c, "-j", "1", "-T", &t, "-f"])
            .arg(&script_path)
            .arg(&url)
            .output()
    });
    if let Some(pinned) = pinned {
        // pgbench's backends start with it; pin those that did not inherit core 0.
        tokio::time::sleep(Duration::from_millis(300)).await;
        pinned.pin_backends_of(&db.url).await?;
    }
    let out = run.await?.context("run pgbench (Debian: postgresql-client or postgresql-contrib)")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    ensure!(out.status.success(), "pgbench failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    let tps = stdout
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no tps in pgbench's output: {stdout}"))?;
    println!("\n== pgbench: -c {clients} -j 1 -T {seconds}, single-row INSERT: {tps:.0} tps");
    Ok(tps)
}

// ---------------------------------------------------------------------------------------------
// One database's run.

struct DbRun {
    kind: DbKind,
    phases: Vec<Measured>,
    pgbench_tps: f64,
    hwm_mib: f64,
    rss_mib: f64,
}

impl DbRun {
    fn find(&self, label: &str, transport: Transport, open_rate: Option<u32>) -> Option<&Measured> {
        self.phases.iter().find(|m| {
            m.label == label
                && m.transport == transport
                && match (m.load, open_rate) {
                    (Load::Open { rate, .. }, Some(r)) => rate == r,
                    (Load::Closed { .. }, None) => true,
                    _ => false,
                }
        })
    }
}

fn db_label(kind: DbKind) -> &'static str {
    match kind {
        DbKind::Sqlite => "SQLite",
        DbKind::Postgres => "PostgreSQL",
    }
}

async fn run_database(kind: DbKind, options: &Options, server: &Path) -> anyhow::Result<DbRun> {
    println!("\n#### {} (load average before: {})", db_label(kind), load_average());
    let (db, seeded) = seed(kind, options).await?;
    let db_url = db.url.clone();
    let pinned = if kind == DbKind::Postgres && options.pin_postgres {
        Some(PinnedPostgres::pin(&db_url).await?)
    } else {
        None
    };
    let port = free_port()?;
    let addr = format!("127.0.0.1:{port}");
    let env = [("DATABASE_URL", db_url.as_str()), ("SEND_PLANNER_LOG", "error")];
    let app = Process::start(server, &["serve", "--addr", &addr, "--static-dir", "/nonexistent"], &env, port)
        .await?;
    let world = Arc::new(world(&app.url, seeded).await?);
    let echo_port = free_port()?;
    let exe = std::env::current_exe()?;
    let echo = Process::start(&exe, &["echo", &echo_port.to_string()], &[], echo_port).await?;

    let closed_native = Load::Closed { connections: options.connections, streams: options.streams };
    let closed_web = Load::Closed { connections: options.web_connections, streams: 1 };
    let open = |rate| Load::Open { rate, connections: options.connections };
    let phase = |task: Task, transport, load| Phase { label: task.label(), transport, load, task };
    let mut ceiling = vec![
        phase(Task::One(Op::Echo), Transport::Native, closed_native),
        phase(Task::One(Op::Echo), Transport::Web, closed_web),
    ];
    let top_rate = options.board_rates.iter().copied().max().unwrap_or(1);
    ceiling.push(phase(Task::One(Op::Echo), Transport::Native, open(top_rate)));
    let mut phases = Vec::new();
    for op in [Op::WhoAmI, Op::ListRegions, Op::Board] {
        phases.push(phase(Task::One(op), Transport::Native, closed_native));
        phases.push(phase(Task::One(op), Transport::Web, closed_web));
    }
    phases.push(phase(Task::Mix, Transport::Native, closed_native));
    phases.push(phase(Task::Mix, Transport::Web, closed_web));
    // Writes (then pgbench) before the open-loop phases, which overload the server on purpose.
    let writers = Load::Closed { connections: options.writers, streams: 1 };
    phases.push(phase(Task::Writes, Transport::Native, writers));
    let mut overload = Vec::new();
    for &rate in &options.board_rates {
        overload.push(phase(Task::One(Op::Board), Transport::Native, open(rate)));
    }
    // Open loop over gRPC-web: at most WEB_OPEN_CONNECTIONS browsers' calls at once.
    let web_open = Load::Open { rate: top_rate, connections: WEB_OPEN_CONNECTIONS };
    overload.push(phase(Task::One(Op::Board), Transport::Web, web_open));
    overload.push(phase(Task::Mix, Transport::Native, open(options.mix_rate)));

    let mut measured = Vec::new();
    for p in &ceiling {
        measured.push(run_phase(&world, &echo.url, echo.pid(), p, options, None).await?);
    }
    let pg = pinned.as_ref().map(|p| (p, db_url.as_str()));
    for p in &phases {
        measured.push(run_phase(&world, &app.url, app.pid(), p, options, pg).await?);
    }
    settle(app.pid()).await?;
    let pgbench_tps = pgbench(options.writers, options.phase, options.pin_postgres, pinned.as_ref()).await?;
    for p in &overload {
        measured.push(run_phase(&world, &app.url, app.pid(), p, options, pg).await?);
    }
    let (hwm_mib, rss_mib) = (memory_mib(app.pid(), "VmHWM:")?, memory_mib(app.pid(), "VmRSS:")?);
    println!("\nserver memory: peak RSS (VmHWM) {hwm_mib:.1} MiB, RSS at the end {rss_mib:.1} MiB");
    println!("load average after: {} (other work on the machine shares these cores)", load_average());
    drop(echo);
    drop(app);
    drop(pinned);
    drop(db);
    Ok(DbRun { kind, phases: measured, pgbench_tps, hwm_mib, rss_mib })
}

// ---------------------------------------------------------------------------------------------
// The summary.

fn summary(runs: &[DbRun], options: &Options) -> String {
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        out.push_str("| ");
        out.push_str(&cells.join(" | "));
        out.push_str(" |\n");
    };
    let mut header = vec!["measure".to_owned()];
    header.extend(runs.iter().map(|r| db_label(r.kind).to_owned()));
    header.push("target".to_owned());
    let width = header.len();
    line(header);
    line(vec!["---".to_owned(); width]);
    let row = |name: &str, f: &dyn Fn(&DbRun) -> Option<String>, target: &str| {
        let mut cells = vec![name.to_owned()];
        cells.extend(runs.iter().map(|r| f(r).unwrap_or_else(|| "-".to_owned())));
        cells.push(target.to_owned());
        cells
    };
    let echo = |r: &DbRun, t| r.find(&Task::One(Op::Echo).label(), t, None).map(|m| m.ok_rate(Op::Echo));
    let single = |r: &DbRun, op: Op, t| r.find(&Task::One(op).label(), t, None).map(|m| m.ok_rate(op));
    let (c, s, w) = (options.connections, options.streams, options.web_connections);
    line(row(
        &format!("echo, native {c}x{s} (rps)"),
        &|r| echo(r, Transport::Native).map(|v| format!("{v:.0}")),
        "ceiling",
    ));
    line(row(
        &format!("echo, gRPC-web {w} conn (rps)"),
        &|r| echo(r, Transport::Web).map(|v| format!("{v:.0}")),
        "ceiling",
    ));
    for (op, target) in [(Op::WhoAmI, ">= 0.40 of echo"), (Op::ListRegions, ""), (Op::Board, "")] {
        line(row(
            &format!("{}, native {c}x{s}: rps (/ echo)", op.label()),
            &|r| {
                let (v, e) = (single(r, op, Transport::Native)?, echo(r, Transport::Native)?);
                Some(format!("{v:.0} ({:.3})", v / e))
            },
            target,
        ));
        line(row(
            &format!("{}, gRPC-web {w} conn: rps (/ native)", op.label()),
            &|r| {
                let (v, n) = (single(r, op, Transport::Web)?, single(r, op, Transport::Native)?);
                Some(format!("{v:.0} ({:.2})", v / n))
            },
            ">= 0.80 of native",
        ));
    }
    let mix = |r: &DbRun, t| r.find("the mix", t, None).map(|m| m.total_ok_rate(|_| true));
    line(row(
        &format!("the mix, native {c}x{s} (calls/s OK)"),
        &|r| mix(r, Transport::Native).map(|v| format!("{v:.0}")),
        "",
    ));
    line(row(
        &format!("the mix, gRPC-web {w} conn (calls/s OK, / native)"),
        &|r| {
            let (v, n) = (mix(r, Transport::Web)?, mix(r, Transport::Native)?);
            Some(format!("{v:.0} ({:.2})", v / n))
        },
        ">= 0.80 of native",
    ));
    let board = Task::One(Op::Board).label();
    let open_cell = |m: &Measured, op: Op| {
        let p = |q| m.percentile_ms(op, q).map_or("-".to_owned(), |v| format!("{v:.1}"));
        let errors = m.errors();
        format!("{:.0}/s OK, p50 {} ms, p99 {} ms, {errors} errors", m.ok_rate(op), p(0.5), p(0.99))
    };
    for &rate in &options.board_rates {
        let target = if rate >= 2000 { "2,000/s, p99 <= 10 ms, 0 errors" } else { "" };
        line(row(
            &format!("board, open loop {rate}/s native"),
            &|r| r.find(&board, Transport::Native, Some(rate)).map(|m| open_cell(m, Op::Board)),
            target,
        ));
    }
    let top = options.board_rates.iter().copied().max().unwrap_or(1);
    line(row(
        &format!("board, open loop {top}/s gRPC-web"),
        &|r| r.find(&board, Transport::Web, Some(top)).map(|m| open_cell(m, Op::Board)),
        "as native",
    ));
    line(row(
        &format!("echo, open loop {top}/s native"),
        &|r| {
            r.find(&Task::One(Op::Echo).label(), Transport::Native, Some(top)).map(|m| open_cell(m, Op::Echo))
        },
        "",
    ));
    let writes = Task::Writes.label();
    line(row(
        &format!("writes, {} clients (writes/s OK / pgbench -c {} tps)", options.writers, options.writers),
        &|r| {
            let m = r.find(&writes, Transport::Native, None)?;
            let v = m.total_ok_rate(Op::is_write);
            Some(format!("{v:.0} / {:.0} = {:.3}", r.pgbench_tps, v / r.pgbench_tps))
        },
        ">= 0.50",
    ));
    line(row(
        "server peak RSS (VmHWM, whole run)",
        &|r| Some(format!("{:.0} MiB (end {:.0})", r.hwm_mib, r.rss_mib)),
        "< 200 MB",
    ));
    out
}

/// Per-RPC latencies of the open-loop mix, as a Markdown table.
fn mix_table(runs: &[DbRun], options: &Options) -> String {
    let mut out = format!(
        "| the mix, open loop {}/s native: rpc | {} |\n| --- |{}\n",
        options.mix_rate,
        runs.iter()
            .map(|r| format!("{} ok/s, p50 / p95 / p99 ms", db_label(r.kind)))
            .collect::<Vec<_>>()
            .join(" | "),
        " --- |".repeat(runs.len())
    );
    let mixes: Vec<Option<&Measured>> =
        runs.iter().map(|r| r.find("the mix", Transport::Native, Some(options.mix_rate))).collect();
    let mut ops: Vec<Op> = mixes.iter().flatten().flat_map(|m| m.rec.ops.keys().copied()).collect();
    ops.sort();
    ops.dedup();
    for op in ops {
        out.push_str(&format!("| {} |", op.label()));
        for m in &mixes {
            let cell = m.map_or("-".to_owned(), |m| {
                let p = |q| m.percentile_ms(op, q).map_or("-".to_owned(), |v| format!("{v:.1}"));
                let errors: u64 = m.rec.ops.get(&op).map_or(0, |s| s.errors.values().sum());
                let errors = if errors > 0 { format!(", {errors} errors") } else { String::new() };
                format!("{:.0}, {} / {} / {}{errors}", m.ok_rate(op), p(0.5), p(0.95), p(0.99))
            });
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

async fn run(options: Options) -> anyhow::Result<()> {
    let server = server_binary(&options)?;
    let mut runs = Vec::new();
    for &kind in &options.databases {
        runs.push(run_database(kind, &options, &server).await?);
    }
    println!("\n#### Summary\n\n{}\n{}", summary(&runs, &options), mix_table(&runs, &options));
    if options.smoke {
        // The smoke run checks the generator, not the server's speed: every phase answered
        // something, and nothing but the generator's own limits failed.
        for run in &runs {
            for m in &run.phases {
                ensure!(m.rec.ops.values().any(|s| !s.ok.is_empty()), "{}: no call answered", m.label);
                for (op, stats) in &m.rec.ops {
                    let server_errors: Vec<_> =
                        stats.errors.iter().filter(|(k, _)| !k.starts_with("generator:")).collect();
                    ensure!(
                        server_errors.is_empty(),
                        "{} {} {}: {:?}",
                        db_label(run.kind),
                        m.label,
                        op.label(),
                        server_errors
                    );
                }
            }
        }
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("echo") {
        return echo_main(args.get(1).context("echo PORT")?);
    }
    let options = Options::parse(&args)?;
    // The generator on core 1 (the servers go on core 0), before any thread starts; one thread
    // drives every connection.
    pin(std::process::id(), "1")?;
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(run(options))
}
