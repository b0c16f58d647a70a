//! Faults, as a person running the service meets them: the process killed with `kill -9` while
//! acknowledged writes stream in, PostgreSQL restarted under load, the SQLite disk full. After
//! each, every acknowledged write is present, no write is half there, the audit chain verifies,
//! and while the database was away callers heard `UNAVAILABLE`, never `INTERNAL`.
//!
//! These run as their own test binary (once per `scripts/test.sh`, on both databases inside),
//! because they start and kill server processes, run a private PostgreSQL cluster and mount a
//! small tmpfs: they need root, as the test machines give.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail, ensure};
use integration_tests::{Bearer, DbKind, PASSWORD, TestDatabase, test_settings, workspace_root};
use proto::pb::{self, account_service_client::AccountServiceClient, auth_service_client::AuthServiceClient};
use send_planner::{domain::clock::Clock, startup::Application, store::Store};
use tonic::{Code, transport::Channel};

// ---------------------------------------------------------------------------------------------
// The server as a process of its own.

/// The `send-planner` binary of this build, built first if it is missing or stale.
fn binary() -> anyhow::Result<PathBuf> {
    static BUILT: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
            let status = Command::new(cargo)
                .args(["build", "--locked", "--quiet", "-p", "send-planner", "--bin", "send-planner"])
                .current_dir(workspace_root())
                .status()
                .map_err(|e| e.to_string())?;
            if !status.success() {
                return Err(format!("cargo build of send-planner failed: {status}"));
            }
            // This test binary is target/<profile>/deps/faults-<hash>; the server is beside deps/.
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            let dir = exe.parent().and_then(Path::parent).ok_or("no target folder")?;
            Ok(dir.join("send-planner"))
        })
        .clone()
        .map_err(anyhow::Error::msg)
}

/// A port free at the moment of asking.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// One `send-planner serve` process.
struct Server {
    child: Child,
    url: String,
    addr: std::net::SocketAddr,
}

impl Server {
    /// Starts `send-planner serve` on `database_url` and waits until it answers.
    async fn start(database_url: &str) -> anyhow::Result<Self> {
        let port = free_port()?;
        let child = Command::new(binary()?)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--static-dir", "/nonexistent"])
            .env("DATABASE_URL", database_url)
            .env("SEND_PLANNER_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("start send-planner")?;
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let mut server = Self { child, url: format!("http://{addr}"), addr };
        integration_tests::wait_until_serving(&server.url, &mut server.child, "send-planner").await?;
        Ok(server)
    }

    /// `kill -9`: no shutdown, no flushing, no goodbye.
    fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the binary's command-line `args` on `database_url`, failing with its output.
fn cli(database_url: &str, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new(binary()?)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("SEND_PLANNER_LOG", "warn")
        .env("SEND_PLANNER_PASSWORD", PASSWORD)
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    ensure!(output.status.success(), "{args:?}: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    Ok(stdout)
}

// ---------------------------------------------------------------------------------------------
// Writes whose acknowledgements are kept.

/// An administrator's session on the server at `url`.
async fn admin_session(url: &str) -> anyhow::Result<String> {
    let mut auth = AuthServiceClient::new(Channel::from_shared(url.to_owned())?.connect().await?);
    let reply =
        auth.sign_in(pb::SignInRequest { username: "admin".into(), password: PASSWORD.into() }).await?;
    Ok(reply.into_inner().token)
}

/// A new national planner's account: one transactional write (the person and its audit event).
fn new_account(username: &str) -> pb::CreatePersonRequest {
    pb::CreatePersonRequest {
        username: username.into(),
        display_name: format!("Planner {username}"),
        password: PASSWORD.into(),
        role: pb::Role::NationalPlanner.into(),
        ..Default::default()
    }
}

/// What the writers saw: the usernames whose creation was acknowledged, and every refusal's
/// code with its message and when it came.
#[derive(Default)]
struct Outcomes {
    acknowledged: Vec<String>,
    refused: Vec<(Instant, Code, String)>,
    succeeded_at: Vec<Instant>,
}

/// `writers` tasks creating accounts `PREFIX-W-N` one after another until `stop` is set; each
/// keeps going after a refusal when `persist`, else stops at its first.
fn start_writers(
    url: &str,
    token: &str,
    prefix: &str,
    writers: usize,
    persist: bool,
    outcomes: &Arc<Mutex<Outcomes>>,
    stop: &Arc<std::sync::atomic::AtomicBool>,
) -> Vec<tokio::task::JoinHandle<anyhow::Result<()>>> {
    (0..writers)
        .map(|w| {
            let (url, token, prefix) = (url.to_owned(), token.to_owned(), prefix.to_owned());
            let (outcomes, stop) = (outcomes.clone(), stop.clone());
            tokio::spawn(async move {
                // A lazy channel reconnects by itself when the server or its database returns.
                let channel = Channel::from_shared(url)?.timeout(Duration::from_secs(20)).connect_lazy();
                let mut accounts = AccountServiceClient::with_interceptor(channel, Bearer::new(&token)?);
                for n in 0.. {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let username = format!("{prefix}-{w}-{n}");
                    let result = accounts.create_person(new_account(&username)).await;
                    let refused = {
                        let mut seen = outcomes.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                        match result {
                            Ok(_) => {
                                seen.acknowledged.push(username);
                                seen.succeeded_at.push(Instant::now());
                                false
                            }
                            Err(status) => {
                                seen.refused.push((
                                    Instant::now(),
                                    status.code(),
                                    status.message().to_owned(),
                                ));
                                true
                            }
                        }
                    };
                    if refused {
                        if !persist {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
                Ok(())
            })
        })
        .collect()
}

/// Checks the database behind `url` after a fault: every acknowledged account is there, every
/// account has exactly its one creation event and every creation event its account (nothing
/// half written), and the audit chain verifies from the first event to the last.
async fn check_nothing_lost(database_url: &str, acknowledged: &[String]) -> anyhow::Result<usize> {
    let store = Store::connect(database_url).await?;
    let (people, events, orphans) = count_accounts_and_events(&store).await?;
    let present: BTreeSet<String> = usernames(&store).await?.into_iter().collect();
    let missing: Vec<_> = acknowledged.iter().filter(|u| !present.contains(*u)).collect();
    ensure!(missing.is_empty(), "acknowledged but missing after the fault: {missing:?}");
    ensure!(
        people == events && orphans == 0,
        "half-written records: {people} accounts, {events} creation events, {orphans} accounts without theirs"
    );
    let head = send_planner::admin::verify_audit(&store, None)
        .await
        .map_err(|e| anyhow::anyhow!("audit verify failed after the fault: {e}"))?;
    store.close().await;
    ensure!(head.seq > 0, "an empty audit trail");
    Ok(present.len())
}

async fn usernames(store: &Store) -> anyhow::Result<Vec<String>> {
    Ok(match &store.db {
        send_planner::store::Db::Sqlite(pool) => {
            sqlx::query_scalar("SELECT username FROM people").fetch_all(pool).await?
        }
        send_planner::store::Db::Postgres(pool) => {
            sqlx::query_scalar("SELECT username FROM people").fetch_all(pool).await?
        }
    })
}

/// (accounts, `person.create` events, accounts with no creation event).
async fn count_accounts_and_events(store: &Store) -> anyhow::Result<(i64, i64, i64)> {
    const PEOPLE: &str = "SELECT COUNT(*) FROM people";
    const EVENTS: &str = "SELECT COUNT(*) FROM audit_events WHERE action = 'person.create'";
    const ORPHANS: &str = "SELECT COUNT(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM audit_events a \
         WHERE a.action = 'person.create' AND a.object_type = 'person' AND a.object_id = CAST(p.id AS TEXT))";
    macro_rules! counts {
        ($pool:expr) => {{
            let people: i64 = sqlx::query_scalar(PEOPLE).fetch_one($pool).await?;
            let events: i64 = sqlx::query_scalar(EVENTS).fetch_one($pool).await?;
            let orphans: i64 = sqlx::query_scalar(ORPHANS).fetch_one($pool).await?;
            (people, events, orphans)
        }};
    }
    Ok(match &store.db {
        send_planner::store::Db::Sqlite(pool) => counts!(pool),
        send_planner::store::Db::Postgres(pool) => counts!(pool),
    })
}

// ---------------------------------------------------------------------------------------------
// kill -9

async fn kill_9_during_acknowledged_writes(kind: DbKind) -> anyhow::Result<()> {
    let db = TestDatabase::new(kind).await?;
    cli(
        &db.url,
        &["user", "add", "--username", "admin", "--display-name", "Admin", "--role", "administrator"],
    )?;
    let server = Server::start(&db.url).await?;
    let token = admin_session(&server.url).await?;

    let outcomes = Arc::new(Mutex::new(Outcomes::default()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers = start_writers(&server.url, &token, "before", 4, false, &outcomes, &stop);
    // Kill it mid-stream: once 40 writes are acknowledged, with four more in flight.
    let started = Instant::now();
    while outcomes.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.acknowledged.len() < 40 {
        ensure!(started.elapsed() < Duration::from_secs(60), "writes too slow to test");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill()?;
    for writer in writers {
        writer.await??;
    }
    let acknowledged = outcomes.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.acknowledged.clone();
    ensure!(acknowledged.len() >= 40, "only {} writes acknowledged", acknowledged.len());

    // Restarted on the same database: all there, nothing half there, the chain intact, and the
    // session made before the kill still works.
    let present = check_nothing_lost(&db.url, &acknowledged).await?;
    cli(&db.url, &["audit", "verify"])?;
    let server = Server::start(&db.url).await?;
    let channel = Channel::from_shared(server.url.clone())?.connect().await?;
    let mut accounts = AccountServiceClient::with_interceptor(channel, Bearer::new(&token)?);
    accounts.create_person(new_account("after-restart")).await.context("a write after the restart")?;
    drop(server);
    eprintln!(
        "{kind:?}: {} writes acknowledged before kill -9, {present} accounts after restart",
        acknowledged.len()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_acknowledged_writes_loses_nothing_on_sqlite() -> anyhow::Result<()> {
    kill_9_during_acknowledged_writes(DbKind::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_acknowledged_writes_loses_nothing_on_postgres() -> anyhow::Result<()> {
    kill_9_during_acknowledged_writes(DbKind::Postgres).await
}

// ---------------------------------------------------------------------------------------------
// Two replicas as two processes

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_over_one_postgres_database_agree() -> anyhow::Result<()> {
    let db = TestDatabase::new(DbKind::Postgres).await?;
    let (a, b) = tokio::try_join!(Server::start(&db.url), Server::start(&db.url))?;
    let store = Store::connect(&db.url).await?;
    integration_tests::replicas::check_replicas(a.addr, b.addr, &store, Clock::system().now()).await?;
    store.close().await;
    drop((a, b));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A server in this process, for the database faults.

struct InProcess {
    url: String,
    store: Store,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl InProcess {
    async fn start(database_url: &str, database_timeout_seconds: u64) -> anyhow::Result<Self> {
        let mut settings = test_settings(database_url, Path::new("/nonexistent"));
        settings.database_timeout_seconds = database_timeout_seconds;
        let app = Application::build_with_clock(&settings, Clock::system()).await?;
        let url = format!("http://{}", app.local_addr());
        let store = app.store().clone();
        send_planner::grpc::account::create_person(
            &store,
            &pb::CreatePersonRequest {
                username: "admin".into(),
                display_name: "Admin".into(),
                password: PASSWORD.into(),
                role: pb::Role::Administrator.into(),
                ..Default::default()
            },
            &send_planner::domain::audit::Actor::system("test"),
            Clock::system().now(),
        )
        .await
        .map_err(|s| anyhow::anyhow!("seed the administrator: {s}"))?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let server = tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        Ok(Self { url, store, shutdown: Some(tx), server })
    }

    async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server.await?
    }
}

/// Refusals other than `UNAVAILABLE`, as text, to fail a test with.
fn other_refusals(refused: &[(Instant, Code, String)]) -> Vec<String> {
    refused
        .iter()
        .filter(|(_, code, _)| *code != Code::Unavailable)
        .map(|(_, c, m)| format!("{c:?}: {m}"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL restarted

/// A PostgreSQL cluster of the test's own (initdb in a temporary folder, run as the `postgres`
/// user on a free port), so that restarting it touches no other test.
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    fn create() -> anyhow::Result<Self> {
        let versions = std::fs::read_dir("/usr/lib/postgresql").context("PostgreSQL's binaries")?;
        let bin = versions
            .filter_map(Result::ok)
            .map(|v| v.path().join("bin"))
            .filter(|p| p.join("initdb").is_file())
            .max()
            .context("no initdb under /usr/lib/postgresql")?;
        let dir = tempfile::tempdir()?;
        let status = Command::new("chown").arg("postgres").arg(dir.path()).status()?;
        ensure!(status.success(), "chown postgres {}", dir.path().display());
        let cluster = Self { dir, bin, port: free_port()? };
        cluster
            .as_postgres("initdb", &["-D", &cluster.data(), "--auth=trust", "-U", "postgres", "--no-sync"])?;
        cluster.pg_ctl(&["start"])?;
        Ok(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn as_postgres(&self, tool: &str, args: &[&str]) -> anyhow::Result<()> {
        let output = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(tool))
            .args(args)
            .current_dir(self.dir.path())
            .output()?;
        ensure!(
            output.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    }

    /// `pg_ctl ACTION` (waiting for it to finish), listening on 127.0.0.1 and a socket in the
    /// cluster's own folder.
    fn pg_ctl(&self, action: &[&str]) -> anyhow::Result<()> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=on",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log").display().to_string();
        let data = self.data();
        let mut args = vec!["-D", data.as_str(), "-l", &log, "-o", &options, "-w"];
        args.extend_from_slice(action);
        self.as_postgres("pg_ctl", &args)
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["stop", "-m", "immediate"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_answers_unavailable_and_the_pool_recovers_within_5_s() -> anyhow::Result<()> {
    let cluster = tokio::task::spawn_blocking(Cluster::create).await??;
    {
        use sqlx::Connection as _;
        let mut admin = sqlx::PgConnection::connect(&cluster.url("postgres")).await?;
        sqlx::raw_sql("CREATE DATABASE faults").execute(&mut admin).await?;
        admin.close().await?;
    }
    let database_url = cluster.url("faults");
    // Each database call waits at most 2 s, so callers hear UNAVAILABLE within the 4 s gap.
    let app = InProcess::start(&database_url, 2).await?;
    let token = admin_session(&app.url).await?;
    let outcomes = Arc::new(Mutex::new(Outcomes::default()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers = start_writers(&app.url, &token, "load", 4, true, &outcomes, &stop);
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // An immediate stop (like a crash: every connection dropped, recovery from the WAL at the
    // next start), four seconds down, then started again.
    let went_down = Instant::now();
    let cluster =
        tokio::task::spawn_blocking(move || cluster.pg_ctl(&["stop", "-m", "immediate"]).map(|()| cluster))
            .await??;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let cluster = tokio::task::spawn_blocking(move || cluster.pg_ctl(&["start"]).map(|()| cluster)).await??;
    let came_back = Instant::now();

    // The first acknowledged write after the database is back, then a little more load.
    let recovered = loop {
        let first = {
            let seen = outcomes.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
            seen.succeeded_at.iter().find(|at| **at > came_back).copied()
        };
        if let Some(at) = first {
            break at;
        }
        ensure!(
            came_back.elapsed() < Duration::from_secs(30),
            "no write succeeded in 30 s after the restart"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await??;
    }
    let seen = std::mem::take(&mut *outcomes.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);
    let others = other_refusals(&seen.refused);
    ensure!(others.is_empty(), "callers heard more than UNAVAILABLE: {others:?}");
    let in_gap = seen.refused.iter().filter(|(at, _, _)| *at > went_down && *at <= came_back).count();
    ensure!(in_gap > 0, "no caller was told the database was away");
    let recovery = recovered.duration_since(came_back);
    ensure!(recovery <= Duration::from_secs(5), "the pool took {recovery:?} to recover");
    let acknowledged = seen.acknowledged;
    let refused = seen.refused.len();
    let present = check_nothing_lost(&database_url, &acknowledged).await?;
    eprintln!(
        "PostgreSQL down {:?}: {} writes acknowledged, {refused} refused UNAVAILABLE ({in_gap} in the gap), \
         first write {recovery:?} after it was back, {present} accounts",
        came_back.duration_since(went_down),
        acknowledged.len()
    );
    app.store.close().await;
    app.stop().await?;
    drop(cluster);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The SQLite disk full

/// A tmpfs of `megabytes`, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .status()?;
        ensure!(status.success(), "mount a tmpfs (these tests need root)");
        Ok(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file until the disk refuses more.
    fn fill(&self) -> anyhow::Result<PathBuf> {
        use std::io::Write as _;
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path)?;
        let chunk = vec![0u8; 64 * 1024];
        loop {
            match file.write(&chunk) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(28) => break,
                Err(e) => return Err(e.into()),
            }
        }
        // Whatever a partial write left: fill the last bytes too.
        while file.write(&[0u8; 512]).is_ok_and(|n| n > 0) {}
        Ok(path)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_unavailable_and_the_service_recovers_when_space_returns() -> anyhow::Result<()> {
    let disk = SmallDisk::mount(48)?;
    let database_url = format!("sqlite://{}", disk.path().join("send-planner.db").display());
    let app = InProcess::start(&database_url, 2).await?;
    let token = admin_session(&app.url).await?;
    let channel = Channel::from_shared(app.url.clone())?.connect().await?;
    let mut accounts = AccountServiceClient::with_interceptor(channel, Bearer::new(&token)?);
    let mut acknowledged = Vec::new();
    for n in 0..5 {
        let username = format!("before-{n}");
        accounts.create_person(new_account(&username)).await?;
        acknowledged.push(username);
    }

    // Empty the write-ahead log first, so that the next write must grow a file (a log that
    // already holds space would take a few more pages without asking the disk for any).
    if let send_planner::store::Db::Sqlite(pool) = &app.store.db {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await?;
    }
    let filler = disk.fill()?;
    let mut refused = Vec::new();
    for n in 0..5 {
        match accounts.create_person(new_account(&format!("full-{n}"))).await {
            Ok(_) => bail!("a write was acknowledged on a full disk"),
            Err(status) => refused.push((Instant::now(), status.code(), status.message().to_owned())),
        }
    }
    let others = other_refusals(&refused);
    ensure!(others.is_empty(), "a full disk answered more than UNAVAILABLE: {others:?}");
    ensure!(
        refused[0].2.contains("nothing was saved"),
        "the refusal does not say what happened: {}",
        refused[0].2
    );

    // Space returns: the next write is taken, with no restart.
    std::fs::remove_file(filler)?;
    let mut recovered = false;
    for n in 0..50 {
        let username = format!("after-{n}");
        if accounts.create_person(new_account(&username)).await.is_ok() {
            acknowledged.push(username);
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ensure!(recovered, "no write was taken once space returned");
    app.store.close().await;
    app.stop().await?;

    // No corruption: SQLite's own check, and nothing lost or half written.
    let store = Store::connect(&database_url).await?;
    if let send_planner::store::Db::Sqlite(pool) = &store.db {
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(pool).await?;
        ensure!(integrity == "ok", "integrity_check: {integrity}");
    }
    store.close().await;
    check_nothing_lost(&database_url, &acknowledged).await?;
    for (_, _, message) in refused.iter().take(1) {
        eprintln!("full disk: refused as UNAVAILABLE: {message}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A deadline on every database call

/// A call that would wait past the database timeout (a lock held elsewhere; on PostgreSQL also a
/// statement that runs too long) fails within it as `Unavailable`, on both databases.
async fn a_database_call_past_its_timeout_is_unavailable(kind: DbKind) -> anyhow::Result<()> {
    use send_planner::store::{Db, StoreError};
    let db = TestDatabase::new(kind).await?;
    db.store().await?.close().await;
    let store = Store::connect_with_timeout(&db.url, Duration::from_secs(1)).await?;
    let started = Instant::now();
    let waited: Result<(), StoreError> = match &store.db {
        Db::Sqlite(pool) => {
            // One connection holds the write lock; another asks for it.
            let mut holder = pool.begin_with("BEGIN IMMEDIATE").await?;
            sqlx::query("UPDATE audit_head SET seq = seq").execute(&mut *holder).await?;
            let second = pool.begin_with("BEGIN IMMEDIATE").await.map(drop).map_err(StoreError::from);
            holder.rollback().await?;
            second
        }
        Db::Postgres(pool) => {
            let mut holder = pool.begin().await?;
            sqlx::query("UPDATE audit_head SET seq = seq").execute(&mut *holder).await?;
            let locked = sqlx::query("UPDATE audit_head SET seq = seq").execute(pool).await.map(drop);
            holder.rollback().await?;
            let took = started.elapsed();
            ensure!(took < Duration::from_secs(3), "a lock wait took {took:?}");
            let slow =
                sqlx::query("SELECT pg_sleep(5)").execute(pool).await.map(drop).map_err(StoreError::from);
            ensure!(matches!(slow, Err(StoreError::Unavailable(_))), "a 5 s statement: {slow:?}");
            locked.map_err(StoreError::from)
        }
    };
    let took = started.elapsed();
    ensure!(matches!(waited, Err(StoreError::Unavailable(_))), "{kind:?}: {waited:?}");
    ensure!(took < Duration::from_secs(5), "{kind:?}: the calls took {took:?} with a 1 s timeout");
    store.close().await;
    Ok(())
}

#[tokio::test]
async fn a_database_call_past_its_timeout_is_unavailable_on_sqlite() -> anyhow::Result<()> {
    a_database_call_past_its_timeout_is_unavailable(DbKind::Sqlite).await
}

#[tokio::test]
async fn a_database_call_past_its_timeout_is_unavailable_on_postgres() -> anyhow::Result<()> {
    a_database_call_past_its_timeout_is_unavailable(DbKind::Postgres).await
}
