//! Test fixtures: throwaway databases, the real server on port 0, and a headless browser.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use anyhow::{Context as _, bail};
use send_planner::{
    config::{LogFormat, Settings},
    startup::Application,
    store::Store,
};
use tokio::sync::oneshot;

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
                Ok(Self {
                    url,
                    kind,
                    _dir: Some(dir),
                    pg_name: None,
                })
            }
            DbKind::Postgres => {
                use sqlx::Connection as _;
                let admin = pg_admin_url();
                let name = format!("send_planner_test_{:016x}", rand::random::<u64>());
                let mut conn = sqlx::PgConnection::connect(&admin).await.with_context(|| {
                    format!("PostgreSQL is not reachable at {admin}; start it or set SEND_PLANNER_TEST_PG_URL")
                })?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await?;
                conn.close().await?;
                let base = admin
                    .rsplit_once('/')
                    .map_or(admin.as_str(), |(base, _)| base);
                Ok(Self {
                    url: format!("{base}/{name}"),
                    kind,
                    _dir: None,
                    pg_name: Some(name),
                })
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
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                use sqlx::Connection as _;
                let mut conn = sqlx::PgConnection::connect(&pg_admin_url()).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
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
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// A running server on 127.0.0.1 with its own database.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its database, kept alive while the app runs.
    pub db: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
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
    let db = TestDatabase::new(DbKind::from_env()).await?;
    let settings = Settings {
        addr: ([127, 0, 0, 1], 0).into(),
        database_url: db.url.clone(),
        static_dir: static_dir.to_path_buf(),
        log: "warn".to_owned(),
        log_format: LogFormat::Text,
    };
    let app = Application::build(&settings).await?;
    let addr = app.local_addr();
    let (tx, rx) = oneshot::channel();
    let server = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    Ok(TestApp {
        addr,
        db,
        shutdown: Some(tx),
        server: Some(server),
    })
}

/// Starts the real application with the built web app in `dist/` (`scripts/build-frontend.sh`).
pub async fn spawn_app() -> anyhow::Result<TestApp> {
    spawn_app_with(&workspace_root().join("dist")).await
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
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
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
                    return Ok(Self {
                        client,
                        driver,
                        _profile: profile,
                    });
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

    /// Runs axe-core (WCAG 2.0, 2.1, 2.2 A and AA rules) on the current page and fails with the
    /// violations, if any.
    pub async fn assert_accessible(&self) -> anyhow::Result<()> {
        let axe =
            std::fs::read_to_string(workspace_root().join("node_modules/axe-core/axe.min.js"))
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
