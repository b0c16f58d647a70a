//! Test fixtures: throwaway databases, the real server on port 0, and a headless browser.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use anyhow::{Context as _, bail};
use proto::pb::{self, auth_service_client::AuthServiceClient};
use send_planner::{
    config::{LogFormat, Settings},
    domain::{audit::Actor, clock::Clock},
    startup::Application,
    store::Store,
};
use tokio::sync::oneshot;
use tonic::{service::interceptor::InterceptedService, transport::Channel};

pub mod notify;
pub mod replicas;
pub mod scenario;
pub mod year;

/// When every test server's clock starts.
pub const TEST_START: &str = "2026-11-23T09:00:00Z";

/// The password every seeded test account uses: long enough, not common, no username in it.
pub const PASSWORD: &str = "correct horse battery staple";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// A fresh SQLite file in a temporary folder.
    Sqlite,
    /// A fresh database on the machine's PostgreSQL server, dropped afterwards.
    Postgres,
}

impl DbKind {
    /// The database the end-to-end tests use: `SEND_PLANNER_TEST_DB=postgres` or SQLite.
    pub fn from_env() -> Self {
        match std::env::var("SEND_PLANNER_TEST_DB").as_deref() {
            Ok("postgres") => Self::Postgres,
            _ => Self::Sqlite,
        }
    }
}

/// The PostgreSQL server used for throwaway databases (`SEND_PLANNER_TEST_PG_URL`).
fn pg_admin_url() -> String {
    std::env::var("SEND_PLANNER_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database that exists for one test and is removed when dropped.
pub struct TestDatabase {
    /// URL to hand to the backend.
    pub url: String,
    kind: DbKind,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDatabase {
    /// Creates an empty database of `kind`.
    pub async fn new(kind: DbKind) -> anyhow::Result<Self> {
        match kind {
            DbKind::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Ok(Self { url, kind, _dir: Some(dir), pg_name: None })
            }
            DbKind::Postgres => {
                use sqlx::Connection as _;
                let admin = pg_admin_url();
                let name = format!("send_planner_test_{:016x}", rand::random::<u64>());
                let mut conn = sqlx::PgConnection::connect(&admin).await.with_context(|| {
                    format!(
                        "PostgreSQL is not reachable at {admin}; start it or set SEND_PLANNER_TEST_PG_URL"
                    )
                })?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await?;
                conn.close().await?;
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
                Ok(Self { url: format!("{base}/{name}"), kind, _dir: None, pg_name: Some(name) })
            }
        }
    }

    /// Which database this is.
    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// A migrated store on this database.
    pub async fn store(&self) -> anyhow::Result<Store> {
        let store = Store::connect(&self.url).await?;
        store.migrate().await?;
        Ok(store)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop runs outside async context: use a thread with its own small runtime.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(async {
                use sqlx::Connection as _;
                let mut conn = sqlx::PgConnection::connect(&pg_admin_url()).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .execute(&mut conn)
                    .await?;
                anyhow::Ok(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: could not drop a test database");
        }
    }
}

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A running server on 127.0.0.1 with its own database.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its database, kept alive while the app runs.
    pub db: TestDatabase,
    /// The same store the server uses.
    pub store: Store,
    /// The server's clock: starts at [`TEST_START`] and stands still until a test moves it.
    pub clock: Clock,
    /// The first-run setup link the server logged (its database starts with no administrator).
    pub setup_link: Option<String>,
    /// Where its metrics are served, if configured.
    pub metrics_addr: Option<SocketAddr>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A native gRPC (HTTP/2) channel to the server.
    pub async fn channel(&self) -> anyhow::Result<Channel> {
        Ok(Channel::from_shared(self.url())?.connect().await?)
    }

    /// Creates an account directly in the store (as the command line would).
    pub async fn seed_person(&self, request: pb::CreatePersonRequest) -> anyhow::Result<pb::Person> {
        let person = send_planner::grpc::account::create_person(
            &self.store,
            &request,
            &Actor::system("test"),
            self.clock.now(),
        )
        .await
        .map_err(|status| anyhow::Error::new(status).context(format!("seed_person {}", request.username)))?;
        Ok(send_planner::grpc::convert::person_to_pb(&person))
    }

    /// Signs in over native gRPC and returns the session token.
    pub async fn sign_in(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let mut auth = AuthServiceClient::new(self.channel().await?);
        let reply = auth
            .sign_in(pb::SignInRequest { username: username.into(), password: password.into() })
            .await?
            .into_inner();
        Ok(reply.token)
    }

    /// Seeds a persona and signs it in: its record and a session token.
    pub async fn persona(&self, persona: Persona) -> anyhow::Result<(pb::Person, String)> {
        let request = persona.request();
        let person = match self.seed_person(request.clone()).await {
            Ok(person) => person,
            // Already seeded by an earlier call: find it by signing in. Any other failure is the
            // test's to see.
            Err(e)
                if e.downcast_ref::<tonic::Status>()
                    .is_some_and(|s| s.code() == tonic::Code::AlreadyExists) =>
            {
                let token = self.sign_in(&request.username, PASSWORD).await?;
                let mut auth =
                    AuthServiceClient::with_interceptor(self.channel().await?, Bearer::new(&token)?);
                let me = auth.who_am_i(pb::WhoAmIRequest {}).await?.into_inner().person;
                return Ok((me.context("who am I")?, token));
            }
            Err(e) => return Err(e),
        };
        let token = self.sign_in(&request.username, PASSWORD).await?;
        Ok((person, token))
    }

    /// A channel that sends `token` with every call.
    pub async fn authed(&self, token: &str) -> anyhow::Result<InterceptedService<Channel, Bearer>> {
        Ok(InterceptedService::new(self.channel().await?, Bearer::new(token)?))
    }

    /// Signs in through the web app's sign-in page and waits for the start page.
    pub async fn sign_in_in_browser(
        &self,
        browser: &Browser,
        username: &str,
        password: &str,
    ) -> anyhow::Result<()> {
        browser.client.goto(&format!("{}/sign-in", self.url())).await?;
        browser.find("#username").await?.send_keys(username).await?;
        browser.find("#password").await?.send_keys(password).await?;
        browser.find("form button[type=submit]").await?.click().await?;
        browser.find("[data-testid=start-page]").await?;
        Ok(())
    }

    /// Stops the server as [`Self::stop`] does but keeps its database (with its seeded data) for
    /// another server, e.g. a `send-planner serve` process; it is removed when the answer drops.
    pub async fn stop_keeping_database(mut self) -> anyhow::Result<TestDatabase> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await??;
        }
        self.store.close().await;
        let kept = TestDatabase { url: String::new(), kind: self.db.kind, _dir: None, pg_name: None };
        Ok(std::mem::replace(&mut self.db, kept))
    }

    /// Asks the server to stop and waits for it, reporting its result.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.server.take() {
            Some(server) => server.await?,
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts the real application on port 0 with a fresh database of the kind chosen by
/// `SEND_PLANNER_TEST_DB`, serving the web app from `static_dir`.
pub async fn spawn_app_with(static_dir: &Path) -> anyhow::Result<TestApp> {
    spawn_app_on(DbKind::from_env(), static_dir).await
}

/// The settings of a test server on `database_url`, serving `static_dir`: port 0, quiet logs, no
/// Notify key, no metrics, no audit signing.
pub fn test_settings(database_url: &str, static_dir: &Path) -> Settings {
    Settings {
        addr: ([127, 0, 0, 1], 0).into(),
        database_url: database_url.to_owned(),
        static_dir: static_dir.to_path_buf(),
        log: "warn".to_owned(),
        log_format: LogFormat::Text,
        session_idle_minutes: 30,
        session_absolute_hours: 12,
        public_url: None,
        notify_api_key: None,
        notify_base_url: send_planner::notify::DEFAULT_BASE_URL.to_owned(),
        notify_templates: Vec::new(),
        notify_poll_seconds: 1,
        metrics_addr: None,
        audit_signing_key: None,
        audit_signed_file: None,
        audit_sign_minutes: 5,
        request_timeout_seconds: 30,
        database_timeout_seconds: 10,
    }
}

/// Starts the real application on port 0 with a fresh database of `kind`.
pub async fn spawn_app_on(kind: DbKind, static_dir: &Path) -> anyhow::Result<TestApp> {
    spawn_app_configured(kind, static_dir, |_| {}).await
}

/// As [`spawn_app_on`], with the settings changed by `configure` first (e.g. a Notify key).
pub async fn spawn_app_configured(
    kind: DbKind,
    static_dir: &Path,
    configure: impl FnOnce(&mut Settings),
) -> anyhow::Result<TestApp> {
    let db = TestDatabase::new(kind).await?;
    let mut settings = test_settings(&db.url, static_dir);
    configure(&mut settings);
    // A fixed start (Monday 23 November 2026, 09:00 UTC) keeps every test's dates valid
    // whenever the suite runs: reply-by dates, windows and bank holidays are written around it.
    let clock = Clock::manual(TEST_START.parse()?);
    let app = Application::build_with_clock(&settings, clock.clone()).await?;
    let addr = app.local_addr();
    let store = app.store().clone();
    let setup_link = app.setup_link().map(str::to_owned);
    let metrics_addr = app.metrics_addr();
    let (tx, rx) = oneshot::channel();
    let server = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    Ok(TestApp { addr, db, store, clock, setup_link, metrics_addr, shutdown: Some(tx), server: Some(server) })
}

/// Starts the real application with the built web app in `dist/` (`scripts/build-frontend.sh`),
/// or in the folder `SEND_PLANNER_TEST_DIST` names (e.g. `dist-release`, the split release build).
pub async fn spawn_app() -> anyhow::Result<TestApp> {
    let dist = std::env::var("SEND_PLANNER_TEST_DIST").unwrap_or_else(|_| "dist".to_owned());
    spawn_app_with(&workspace_root().join(dist)).await
}

/// A chromedriver process driving headless Chromium, stopped when dropped.
pub struct Browser {
    /// The WebDriver session.
    pub client: fantoccini::Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session.
    pub async fn start() -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("chromedriver is not installed; run scripts/setup.sh with WITH_BROWSER=1")?;
        let profile = tempfile::tempdir()?;
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..50 {
            match fantoccini::ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Ok(Self { client, driver, _profile: profile });
                }
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut driver = driver;
        let _ = driver.kill();
        bail!("could not start a Chromium session: {last_error:?}")
    }

    /// Waits up to 20 s for an element matching a CSS selector.
    pub async fn find(&self, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(fantoccini::Locator::Css(css))
            .await
            .with_context(|| format!("no element matches {css:?}"))
    }

    /// The text of the element matching `css`, its runs of white space made single spaces.
    pub async fn words(&self, css: &str) -> anyhow::Result<String> {
        let text = self.find(css).await?.text().await?;
        Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// Types `date` into the GOV.UK date input whose boxes are `{id}-day`, `{id}-month`, `{id}-year`.
    pub async fn fill_date(&self, id: &str, date: chrono::NaiveDate) -> anyhow::Result<()> {
        use chrono::Datelike as _;
        self.find(&format!("#{id}-day")).await?.send_keys(&date.day().to_string()).await?;
        self.find(&format!("#{id}-month")).await?.send_keys(&date.month().to_string()).await?;
        self.find(&format!("#{id}-year")).await?.send_keys(&date.year().to_string()).await?;
        Ok(())
    }

    /// The path of the page the browser shows.
    pub async fn path(&self) -> anyhow::Result<String> {
        Ok(self.client.current_url().await?.path().to_owned())
    }

    /// Signs out from the header and waits for the sign-in page.
    pub async fn sign_out(&self) -> anyhow::Result<()> {
        self.find("[data-testid=sign-out]").await?.click().await?;
        self.wait_for_text("h1", "Sign in").await?;
        Ok(())
    }

    /// Waits up to 20 s until the element matching `css` shows `text`.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> anyhow::Result<String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let shown = match self.client.find(fantoccini::Locator::Css(css)).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if shown.contains(text) {
                return Ok(shown);
            }
            if tokio::time::Instant::now() > deadline {
                bail!("{css:?} shows {shown:?}, not {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Checks the current page as every page must be: axe-core's WCAG 2.2 A and AA rules with no
    /// violation, at the usual width and again at 320 CSS pixels (where the menu collapses), and
    /// no sideways scrolling at 320 px (WCAG 1.4.10 Reflow). Saves a screenshot at both widths
    /// under `target/screenshots/` (see [`Browser::screenshot`]), then restores the width.
    pub async fn assert_accessible(&self) -> anyhow::Result<()> {
        self.axe().await?;
        self.screenshot("wide").await?;
        let narrow = async {
            self.assert_reflows(320).await?;
            self.axe().await?;
            self.screenshot("320px").await
        }
        .await;
        self.client.set_window_size(1280, 900).await?;
        self.wait_for_width(1280).await?;
        narrow
    }

    /// Saves a PNG of the viewport as `target/screenshots/<test>/<nn>-<path>-<label>.png`: the
    /// key pages of each browser test, as a viewable artefact (not committed).
    pub async fn screenshot(&self, label: &str) -> anyhow::Result<()> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static TAKEN: AtomicUsize = AtomicUsize::new(0);
        let test = std::thread::current().name().unwrap_or("browser").replace("::", "-");
        let path = self.client.current_url().await?.path().trim_matches('/').replace('/', "_");
        let dir = workspace_root().join("target/screenshots").join(test);
        std::fs::create_dir_all(&dir)?;
        let n = TAKEN.fetch_add(1, Ordering::Relaxed);
        let png = self.client.screenshot().await?;
        let page = if path.is_empty() { "home".to_owned() } else { path.chars().take(60).collect() };
        std::fs::write(dir.join(format!("{n:03}-{page}-{label}.png")), png)?;
        Ok(())
    }

    /// Waits until the window is `width` CSS pixels wide.
    async fn wait_for_width(&self, width: u32) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let inner = self.client.execute("return window.innerWidth;", vec![]).await?;
            if inner.as_u64() == Some(u64::from(width)) {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                bail!("the window is {inner} px wide, not {width} px");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs axe-core (WCAG 2.0, 2.1, 2.2 A and AA rules) on the current page and fails with the
    /// violations, if any.
    async fn axe(&self) -> anyhow::Result<()> {
        let axe = std::fs::read_to_string(workspace_root().join("node_modules/axe-core/axe.min.js"))
            .context("axe-core is not installed; run scripts/setup.sh")?;
        self.client.execute(&axe, vec![]).await?;
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag', values:
                     ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] } })
                   .then(r => done(JSON.stringify(r.violations.map(v =>
                       ({ id: v.id, help: v.help, nodes: v.nodes.map(n => n.html) })))))
                   .catch(e => done('error: ' + e));",
                vec![],
            )
            .await?;
        let text = result.as_str().unwrap_or_default();
        if text != "[]" {
            let url = self.client.current_url().await?;
            bail!("accessibility violations on {url}: {text}");
        }
        Ok(())
    }

    /// Sets the window `width` CSS pixels wide and fails if the page then scrolls sideways
    /// (WCAG 1.4.10 Reflow: 320 px), once the layout has settled (up to 2 s after the resize).
    pub async fn assert_reflows(&self, width: u32) -> anyhow::Result<()> {
        self.client.set_window_size(width, 900).await?;
        self.wait_for_width(width).await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        loop {
            let scroll = self.client.execute("return document.documentElement.scrollWidth;", vec![]).await?;
            let scroll = scroll.as_u64().unwrap_or(u64::MAX);
            if scroll <= u64::from(width) {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                let url = self.client.current_url().await?;
                // The elements reaching past the edge outside a scrolling container (innermost
                // first, then outermost), to name the culprit.
                let past = self
                    .client
                    .execute(
                        "const w = arguments[0];
                         const past = e => e.getBoundingClientRect().right > w + 0.5;
                         const clipped = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                           if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; }
                           return false; };
                         const wide = [...document.body.querySelectorAll('*')].filter(e => past(e) && !clipped(e));
                         const inner = wide.filter(e => ![...e.children].some(c => wide.includes(c)));
                         const outer = wide.filter(e => !past(e.parentElement));
                         // Content (a long word) running out of a box that itself fits.
                         const spill = [...document.body.querySelectorAll('*')].filter(e => !clipped(e)
                           && getComputedStyle(e).overflowX === 'visible' && e.scrollWidth > e.clientWidth + 1
                           && e.getBoundingClientRect().left + e.scrollWidth > w + 0.5
                           && ![...e.children].some(c => c.scrollWidth > c.clientWidth + 1));
                         return [...inner, ...outer, ...spill].slice(0, 8).map(e => e.outerHTML.slice(0, 200));",
                        vec![serde_json::json!(width)],
                    )
                    .await?;
                let _ = self.screenshot("scrolls-sideways").await;
                bail!("{url} scrolls sideways at {width} px: {scroll} px wide, past the edge: {past}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs a Chrome DevTools Protocol command on the current tab (chromedriver's
    /// `goog/cdp/execute`), e.g. `Network.emulateNetworkConditions`.
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> anyhow::Result<serde_json::Value> {
        Ok(self.client.issue_cmd(Cdp { cmd: cmd.to_owned(), params }).await?)
    }

    /// Ends the session and stops chromedriver.
    pub async fn close(mut self) -> anyhow::Result<()> {
        let closed = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        closed?;
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// A CDP command sent through chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Sends `authorization: Bearer <token>` with every call.
#[derive(Clone)]
pub struct Bearer(tonic::metadata::MetadataValue<tonic::metadata::Ascii>);

impl Bearer {
    /// An interceptor for `token`.
    pub fn new(token: &str) -> anyhow::Result<Self> {
        Ok(Self(format!("Bearer {token}").parse()?))
    }
}

impl tonic::service::Interceptor for Bearer {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        request.metadata_mut().insert("authorization", self.0.clone());
        Ok(request)
    }
}

/// The test accounts: one per role, and a second in another scope where scope matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persona {
    /// National planner.
    Planner,
    /// Regional lead for Inner London (E13000001).
    InnerLondonLead,
    /// Regional lead for the North East (E12000001): another region.
    NorthEastLead,
    /// Local area user for Camden (E09000007).
    Camden,
    /// Local area user for Westminster (E09000033): another area, same region.
    Westminster,
    /// Local area user for Hartlepool (E06000001): another area in another region.
    Hartlepool,
    /// Ofsted social care inspector, home region Inner London.
    OfstedInspector,
    /// DfE recipient.
    Dfe,
    /// Administrator.
    Admin,
}

impl Persona {
    /// The account's username.
    pub fn username(self) -> &'static str {
        match self {
            Self::Planner => "planner",
            Self::InnerLondonLead => "lead.inner",
            Self::NorthEastLead => "lead.northeast",
            Self::Camden => "user.camden",
            Self::Westminster => "user.westminster",
            Self::Hartlepool => "user.hartlepool",
            Self::OfstedInspector => "hmi.ofsted",
            Self::Dfe => "reader.dfe",
            Self::Admin => "admin",
        }
    }

    /// The request that creates it.
    pub fn request(self) -> pb::CreatePersonRequest {
        let base = pb::CreatePersonRequest {
            username: self.username().into(),
            display_name: format!("Test {}", self.username()),
            password: PASSWORD.into(),
            ..Default::default()
        };
        match self {
            Self::Planner => pb::CreatePersonRequest { role: pb::Role::NationalPlanner.into(), ..base },
            Self::InnerLondonLead => pb::CreatePersonRequest {
                role: pb::Role::RegionalLead.into(),
                region_code: "E13000001".into(),
                ..base
            },
            Self::NorthEastLead => pb::CreatePersonRequest {
                role: pb::Role::RegionalLead.into(),
                region_code: "E12000001".into(),
                ..base
            },
            Self::Camden => pb::CreatePersonRequest {
                role: pb::Role::LocalAreaUser.into(),
                local_area_code: "E09000007".into(),
                ..base
            },
            Self::Westminster => pb::CreatePersonRequest {
                role: pb::Role::LocalAreaUser.into(),
                local_area_code: "E09000033".into(),
                ..base
            },
            Self::Hartlepool => pb::CreatePersonRequest {
                role: pb::Role::LocalAreaUser.into(),
                local_area_code: "E06000001".into(),
                ..base
            },
            Self::OfstedInspector => pb::CreatePersonRequest {
                role: pb::Role::Inspector.into(),
                region_code: "E13000001".into(),
                inspectorate: pb::Inspectorate::Ofsted.into(),
                social_care: true,
                ..base
            },
            Self::Dfe => pb::CreatePersonRequest {
                role: pb::Role::RecipientBody.into(),
                recipient_body: pb::RecipientBody::Dfe.into(),
                ..base
            },
            Self::Admin => pb::CreatePersonRequest { role: pb::Role::Administrator.into(), ..base },
        }
    }
}

/// A minimal valid PDF, as a signed letter would start.
pub fn signed_pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% signed consent: {text}\n%%EOF\n").into_bytes()
}

/// A request for an interim visit in the summer term of 2026/27, answered by `reply_by`.
pub fn visit_request(area: &str, reply_by: &str) -> pb::CreateVisitRequestRequest {
    pb::CreateVisitRequestRequest {
        local_area_code: area.into(),
        phase: Some(pb::Phase { term: pb::Term::Summer.into(), academic_year: 2026 }),
        window: Some(pb::DateRange { first_day: "2027-04-19".into(), last_day: "2027-05-14".into() }),
        reply_by: reply_by.into(),
        note: "Interim visit, summer phase".into(),
    }
}

/// A written consent with a small signed PDF.
pub fn consent_answer(id: &str, version: i64) -> pb::AnswerVisitRequestRequest {
    pb::AnswerVisitRequestRequest {
        id: id.into(),
        version,
        answer: Some(pb::answer_visit_request_request::Answer::Consent(pb::ConsentAnswer {
            signatory_name: "Alex Morgan".into(),
            signatory_role: "Director of Children's Services".into(),
            organisation: "London Borough of Camden".into(),
            date_signed: "2026-01-01".into(),
            document: signed_pdf(id),
            unavailable: vec![pb::DateRange {
                first_day: "2027-04-26".into(),
                last_day: "2027-04-30".into(),
            }],
        })),
    }
}

/// The rule ids a refusal names in its `PreconditionFailure` detail, in order.
pub fn rules(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt as _;
    status
        .get_details_precondition_failure()
        .map(|f| f.violations.into_iter().map(|v| v.r#type).collect())
        .unwrap_or_default()
}

/// The fields a refusal names in its `BadRequest` detail, in order.
pub fn fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt as _;
    status
        .get_details_bad_request()
        .map(|b| b.field_violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

/// What a refusal tells its caller, leaving out the request's own id (a `RequestInfo` detail
/// that differs on every call): the code, the message and every other detail, for comparing
/// two refusals.
pub fn refusal(status: &tonic::Status) -> (tonic::Code, String, String) {
    use tonic_types::{ErrorDetail, StatusExt as _};
    let details: Vec<ErrorDetail> = status
        .get_error_details_vec()
        .into_iter()
        .filter(|d| !matches!(d, ErrorDetail::RequestInfo(_)))
        .collect();
    (status.code(), status.message().to_owned(), format!("{details:?}"))
}

/// Waits until the server process `child`, reached at `url`, answers its health check: `Ok` once
/// it does; an error if the process exits first or 60 s pass. `what` names it in the error.
pub async fn wait_until_serving(
    url: &str,
    child: &mut std::process::Child,
    what: &str,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    loop {
        if let Ok(channel) = tonic::transport::Channel::from_shared(url.to_owned())?.connect().await {
            let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
            if health.check(tonic_health::pb::HealthCheckRequest::default()).await.is_ok() {
                return Ok(());
            }
        }
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("{what} exited before serving: {status}");
        }
        anyhow::ensure!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "{what} did not start in 60 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
