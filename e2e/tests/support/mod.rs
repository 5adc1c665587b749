//! What the end-to-end tests share: the real `muamalat` binary started as a separate process on a free port with
//! the demo organisation (on a temporary SQLite file, or on a fresh PostgreSQL database when `TEST_DATABASE_URL`
//! is set), and a small JSON client for its API.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod browser;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const PASSWORD: &str = "e2e-demo-password";

/// The `muamalat` binary built beside this test (same target directory and profile).
pub fn binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("target directory");
    let bin = dir.join(format!("muamalat{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} is missing: build it first with `cargo build -p muamalat-api`", bin.display());
    bin
}

pub struct Server {
    child: Child,
    pub base: String,
    _data: tempfile::TempDir,
    pg: Option<(String, String)>,
    pub stdout: String,
    /// The environment it was started with, to start it again.
    env: Vec<(String, String)>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
        if let Some((admin, name)) = &self.pg
            && let Ok(mut conn) = diesel::PgConnection::establish(admin)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn);
        }
    }
}

impl Server {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The environment the server runs with (its database and data directory), to run other commands against it.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// The database the server uses.
    pub fn database_url(&self) -> String {
        match self.env.iter().find(|(k, _)| k == "DATABASE_URL") {
            Some((_, url)) => url.clone(),
            None => format!("sqlite://{}", self._data.path().join("muamalat.db").display()),
        }
    }

    /// Stop the process (its database stays).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Start it again on the same address and database.
    pub async fn restart(&mut self) {
        self.stop();
        let (child, _) = spawn(&self.env);
        self.child = child;
        wait_ready(&self.base, &mut self.child).await;
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

pub async fn start() -> Server {
    start_with(None).await
}

fn spawn(env: &[(String, String)]) -> (Child, std::sync::mpsc::Receiver<String>) {
    spawn_with(env, &["serve", "--demo"])
}

fn spawn_with(env: &[(String, String)], args: &[&str]) -> (Child, std::sync::mpsc::Receiver<String>) {
    let mut cmd = Command::new(binary());
    cmd.args(args).env_clear().stdout(Stdio::piped()).stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start muamalat");
    // The seeding output goes to stdout: keep it to check the sign-in instructions.
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

async fn wait_ready(base: &str, child: &mut Child) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(res) = client.get(format!("{base}/readyz")).send().await
            && res.status() == StatusCode::OK
        {
            return;
        }
        assert!(Instant::now() < deadline, "the server did not become ready");
        if let Ok(Some(status)) = child.try_wait() {
            panic!("muamalat exited early: {status}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A fresh place for the binary to run: a free port, an empty data directory, and (when `TEST_DATABASE_URL` is
/// set) an empty PostgreSQL database, dropped with the server.
pub struct Setup {
    data: tempfile::TempDir,
    port: u16,
    env: Vec<(String, String)>,
    pg: Option<(String, String)>,
}

impl Setup {
    /// With `demo_password`, seeding uses it; without, seeding generates one and prints it.
    pub fn new(demo_password: Option<&str>) -> Setup {
        let data = tempfile::tempdir().expect("data dir");
        let port = free_port();
        let mut env: Vec<(String, String)> = vec![
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ("MUAMALAT_BIND".into(), format!("127.0.0.1:{port}")),
            ("MUAMALAT_DATA_DIR".into(), data.path().display().to_string()),
            ("RUST_LOG".into(), "error".into()),
        ];
        if let Some(password) = demo_password {
            env.push(("MUAMALAT_DEMO_PASSWORD".into(), password.into()));
        }
        let mut pg = None;
        if let Some(admin) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) {
            let name = format!("muamalat_e2e_{}_{port}", std::process::id());
            let mut conn = diesel::PgConnection::establish(&admin).expect("connect to TEST_DATABASE_URL");
            diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).expect("create database");
            let (base, _) = admin.rsplit_once('/').expect("TEST_DATABASE_URL ends with /<database>");
            env.push(("DATABASE_URL".into(), format!("{base}/{name}")));
            pg = Some((admin, name));
        }
        Setup { data, port, env, pg }
    }

    /// Run a command of the binary to its end in this place.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = Command::new(binary());
        cmd.args(args).env_clear();
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().expect("run muamalat")
    }

    /// Start the server with these arguments and wait until it is ready.
    pub async fn serve(self, args: &[&str]) -> Server {
        let Setup { data, port, env, pg } = self;
        let (mut child, rx) = spawn_with(&env, args);
        let base = format!("http://127.0.0.1:{port}");
        wait_ready(&base, &mut child).await;
        let stdout: Vec<String> = rx.try_iter().collect();
        Server { child, base, _data: data, pg, stdout: stdout.join("\n"), env }
    }
}

/// Start the server with the demo organisation; with `spa_dir` it also serves that built web UI at `/`.
pub async fn start_with(spa_dir: Option<PathBuf>) -> Server {
    start_with_settings(spa_dir, &[]).await
}

/// [`start_with`], with settings (`MUAMALAT_…` variables) of the test's own.
pub async fn start_with_settings(spa_dir: Option<PathBuf>, settings: &[(&str, &str)]) -> Server {
    let mut setup = Setup::new(Some(PASSWORD));
    if let Some(dir) = &spa_dir {
        setup.env.push(("MUAMALAT_SPA_DIR".into(), dir.display().to_string()));
    }
    setup.env.extend(settings.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    setup.serve(&["serve", "--demo"]).await
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    pub async fn login(server: &Server, username: &str) -> Client {
        Client::login_at(&server.base, username).await
    }

    pub async fn login_at(base: &str, username: &str) -> Client {
        let http = reqwest::Client::new();
        let res = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), StatusCode::OK, "login {username}");
        let body: Value = res.json().await.expect("json");
        Client { http, base: base.to_string(), token: body["access_token"].as_str().expect("token").into() }
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("json body") })
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(reqwest::Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.send(reqwest::Method::POST, path, Some(body)).await;
        assert!(status.is_success(), "POST {path}: {status} {answer}");
        answer
    }
}
