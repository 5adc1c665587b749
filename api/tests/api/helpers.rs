//! The `TestApp` harness: the real application on port 0 against a fresh database — a temporary SQLite file, or,
//! when `TEST_DATABASE_URL` names a PostgreSQL server, a fresh PostgreSQL database per test, dropped afterwards.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::prelude::*;
use muamalat::app::Application;
use muamalat::config::Settings;
use muamalat::db::{self, DbConn, DbPool};
use muamalat::domain::org;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared_types::{Confidentiality, EntityKind, NewExternalEntity, NewUnit, NewUser, Role, UnitKind, UnitUpdate};

pub const PASSWORD: &str = "test-password-123";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Which database the suite runs on.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))
}

enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self
            && let Ok(mut conn) = diesel::PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn);
        }
    }
}

fn fresh_database() -> (TestDb, String) {
    match postgres_url() {
        Some(admin_url) => {
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let name = format!("muamalat_test_{}_{}_{}", std::process::id(), n, rand_suffix());
            let mut conn = diesel::PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
            diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).expect("create test database");
            let url = match admin_url.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => panic!("TEST_DATABASE_URL must end with /<database>"),
            };
            (TestDb::Postgres { admin_url, name }, url)
        }
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            (TestDb::Sqlite(dir), url)
        }
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
}

/// Ids of the fixture organisation.
#[derive(Debug, Clone, Default)]
pub struct Fixture {
    pub units: HashMap<&'static str, i64>,
    pub users: HashMap<&'static str, i64>,
    pub ministry: i64,
    pub company: i64,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: DbPool,
    pub fx: Fixture,
    /// The database's URL, to open it again as a restarted server would.
    pub database_url: String,
    tokens: std::sync::Mutex<HashMap<String, String>>,
    _db: TestDb,
    /// The data directory (the local document store is its `blobs/`), removed with the app.
    _data: tempfile::TempDir,
    /// The document store the server uses (local, or S3 when `TEST_S3_ENDPOINT` is set).
    pub blobs: muamalat::blobs::BlobStore,
    /// The server's registrar, to see how it grouped registrations.
    pub registrar: actix_web::web::Data<muamalat::registrar::Registrar>,
}

/// code, parent code, kind, registry code, Arabic name.
type UnitSpec = (&'static str, Option<&'static str>, UnitKind, Option<&'static str>, &'static str);

/// A small organisation: the municipality, its central registry, Khobar municipality (with its own registry) and
/// its engineering department, a general department, and a user of each kind.
fn seed_fixture(conn: &mut DbConn) -> Fixture {
    let mut fx = Fixture::default();
    db::write_tx(conn, |conn| -> Result<(), muamalat::error::ApiError> {
        let units: &[UnitSpec] = &[
            ("AMANAH", None, UnitKind::Amanah, None, "أمانة المنطقة الشرقية"),
            ("CR", Some("AMANAH"), UnitKind::CentralRegistry, Some("CR"), "مكتب الاتصالات الإدارية الرئيسي"),
            ("HR", Some("AMANAH"), UnitKind::GeneralDepartment, None, "الإدارة العامة للموارد البشرية"),
            ("KHB", Some("AMANAH"), UnitKind::Municipality, Some("KHB"), "بلدية الخبر"),
            ("KHB-ENG", Some("KHB"), UnitKind::Department, None, "الإدارة الهندسية بالخبر"),
        ];
        for (code, parent, kind, registry, name) in units {
            let u = org::create_unit(
                conn,
                None,
                &NewUnit {
                    code: (*code).into(),
                    name_ar: (*name).into(),
                    name_en: format!("{code} unit"),
                    kind: *kind,
                    parent_id: parent.map(|p| fx.units[p]),
                    head_user_id: None,
                    registry_code: registry.map(String::from),
                },
            )?;
            fx.units.insert(code, u.id);
        }
        let users: &[(&'static str, &str, &[Role], Confidentiality)] = &[
            ("admin", "AMANAH", &[Role::Admin], Confidentiality::TopSecret),
            ("clerk", "CR", &[Role::RegistryClerk], Confidentiality::Confidential),
            ("clerk2", "CR", &[Role::RegistryClerk], Confidentiality::Normal),
            ("auditor", "AMANAH", &[Role::Auditor], Confidentiality::TopSecret),
            ("khb.head", "KHB", &[Role::Manager, Role::Employee], Confidentiality::Confidential),
            ("khb.clerk", "KHB", &[Role::RegistryClerk, Role::Employee], Confidentiality::Normal),
            ("khb.emp", "KHB", &[Role::Employee], Confidentiality::Normal),
            ("eng.head", "KHB-ENG", &[Role::Manager, Role::Employee], Confidentiality::Normal),
            ("eng.emp", "KHB-ENG", &[Role::Employee], Confidentiality::Normal),
            ("hr.head", "HR", &[Role::Manager, Role::Employee], Confidentiality::Normal),
            ("hr.emp", "HR", &[Role::Employee], Confidentiality::Normal),
        ];
        for (username, unit, roles, clearance) in users {
            let u = org::create_user(
                conn,
                None,
                &NewUser {
                    username: (*username).into(),
                    password: PASSWORD.into(),
                    full_name_ar: format!("مستخدم {username}"),
                    full_name_en: format!("User {username}"),
                    unit_id: fx.units[unit],
                    roles: roles.to_vec(),
                    clearance: *clearance,
                    phone: None,
                    email: None,
                },
            )?;
            fx.users.insert(username, u.id);
        }
        let admin = muamalat::domain::actor::load_actor(conn, fx.users["admin"])?;
        for (unit, head) in [("KHB", "khb.head"), ("KHB-ENG", "eng.head"), ("HR", "hr.head")] {
            org::update_unit(
                conn,
                &admin,
                fx.units[unit],
                &UnitUpdate { head_user_id: Some(fx.users[head]), ..Default::default() },
            )?;
        }
        fx.ministry = org::create_entity(
            conn,
            None,
            &NewExternalEntity {
                code: "MOMAH".into(),
                name_ar: "وزارة الشؤون البلدية والقروية والإسكان".into(),
                name_en: "Ministry of Municipal and Rural Affairs".into(),
                kind: EntityKind::Ministry,
            },
        )?
        .id;
        fx.company = org::create_entity(
            conn,
            None,
            &NewExternalEntity {
                code: "ARAMCO".into(),
                name_ar: "أرامكو السعودية".into(),
                name_en: "Saudi Aramco".into(),
                kind: EntityKind::Company,
            },
        )?
        .id;
        Ok(())
    })
    .expect("seed fixture");
    fx
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        if std::env::var("TEST_LOG").is_ok() {
            muamalat::telemetry::init("pretty");
        }
        let (test_db, url) = fresh_database();
        let data = tempfile::tempdir().expect("data dir");
        let mut settings = Settings {
            database_url: Some(url.clone()),
            data_dir: data.path().to_path_buf(),
            bind: "127.0.0.1:0".into(),
            workers: Some(2),
            db_pool_size: Some(6),
            ..Settings::default()
        };
        // Documents go to an S3-compatible server when the test script started one (`TEST_S3_ENDPOINT`), in a
        // bucket of this test's own.
        if let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") {
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let bucket = format!("muamalat-test-{}-{}-{}", std::process::id(), n, rand_suffix());
            let res = reqwest::Client::new().put(format!("{endpoint}/{bucket}")).send().await.expect("create bucket");
            assert!(res.status().is_success(), "create bucket {bucket}: {}", res.status());
            settings.s3_bucket = Some(bucket);
            settings.s3_endpoint = Some(endpoint);
        }
        adjust(&mut settings);
        let blobs = muamalat::blobs::BlobStore::from_settings(&settings).expect("document store");
        let pool = db::connect(&url, settings.db_pool_size).expect("connect and migrate");
        let fx = {
            let mut conn = pool.get().expect("connection");
            seed_fixture(&mut conn)
        };
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let app = Application::build_with(settings, pool.clone(), listener).expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
        let registrar = app.registrar.clone();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
            pool,
            fx,
            database_url: url,
            tokens: Default::default(),
            _db: test_db,
            _data: data,
            blobs,
            registrar,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn unit(&self, code: &str) -> i64 {
        self.fx.units[code]
    }

    pub fn user(&self, username: &str) -> i64 {
        self.fx.users[username]
    }

    pub async fn login(&self, username: &str) -> Value {
        let res = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status(), StatusCode::OK, "login of {username}");
        res.json().await.expect("login json")
    }

    /// An access token of the user, signing in once per test.
    pub async fn token(&self, username: &str) -> String {
        if let Some(t) = self.tokens.lock().expect("lock").get(username) {
            return t.clone();
        }
        let body = self.login(username).await;
        let token = body["access_token"].as_str().expect("access_token").to_string();
        self.tokens.lock().expect("lock").insert(username.to_string(), token.clone());
        token
    }

    /// Send a request as a user (or anonymously), answering status and JSON body (Null when empty).
    pub async fn call(
        &self,
        who: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(user) = who {
            req = req.bearer_auth(self.token(user).await);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let text = res.text().await.expect("body");
        if status.is_client_error() || status.is_server_error() {
            assert_eq!(content_type, "application/problem+json", "{status} {path}: {text}");
        }
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }

    /// Run SQL straight against the test database, as someone with access to it would.
    pub fn execute(&self, statement: &str) -> Result<usize, diesel::result::Error> {
        let mut conn = self.pool.get().expect("connection");
        match &mut *conn {
            DbConn::Sqlite(c) => diesel::sql_query(statement).execute(c),
            DbConn::Pg(c) => diesel::sql_query(statement).execute(c),
        }
    }

    pub async fn get(&self, who: &str, path: &str) -> (StatusCode, Value) {
        self.call(Some(who), Method::GET, path, None).await
    }

    pub async fn post(&self, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Some(who), Method::POST, path, Some(body)).await
    }

    /// Register an incoming letter from the ministry as the central registry clerk, referred to the targets.
    pub async fn register_incoming(&self, subject: &str, referrals: Value) -> Value {
        let (status, body) = self
            .post(
                "clerk",
                "/api/v1/transactions",
                json!({
                    "kind": "incoming",
                    "subject": subject,
                    "external_entity_id": self.fx.ministry,
                    "sender_reference": "MOMAH/1447/55",
                    "sender_reference_date": "2026-11-20",
                    "priority": "urgent",
                    "referrals": referrals,
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Row counts of every table that requests change, to prove a refused request changed nothing.
    pub fn counts(&self) -> Vec<(&'static str, i64)> {
        use muamalat::schema::*;
        let mut conn = self.pool.get().expect("connection");
        vec![
            ("units", units::table.count().get_result(&mut conn).expect("count")),
            ("users", users::table.count().get_result(&mut conn).expect("count")),
            ("transactions", transactions::table.count().get_result(&mut conn).expect("count")),
            ("referrals", referrals::table.count().get_result(&mut conn).expect("count")),
            ("events", events::table.count().get_result(&mut conn).expect("count")),
            ("links", transaction_links::table.count().get_result(&mut conn).expect("count")),
            ("entities", external_entities::table.count().get_result(&mut conn).expect("count")),
            ("idempotency", idempotency_keys::table.count().get_result(&mut conn).expect("count")),
            ("delegations", delegations::table.count().get_result(&mut conn).expect("count")),
            ("api_clients", api_clients::table.count().get_result(&mut conn).expect("count")),
            ("submissions", submissions::table.count().get_result(&mut conn).expect("count")),
            // Sign-ins are audited too, and the harness signs users in lazily: leave them out.
            (
                "audit",
                audit_log::table
                    .filter(audit_log::action.ne_all(["signed_in", "sign_in_failed"]))
                    .count()
                    .get_result(&mut conn)
                    .expect("count"),
            ),
        ]
    }

    /// A referral's version and id in a JSON list of referrals, by target unit code.
    pub fn referral_to<'a>(&self, referrals: &'a Value, unit: &str) -> &'a Value {
        let id = self.unit(unit);
        referrals
            .as_array()
            .and_then(|a| a.iter().find(|r| r["to_unit"]["id"] == json!(id)))
            .unwrap_or_else(|| panic!("no referral to {unit} in {referrals}"))
    }
}

/// Upload a small text file as `multipart/form-data` (`title`, `file`) with a bearer token; answers status and JSON.
pub async fn upload_text(app: &TestApp, token: &str, path: &str, title: &str, content: &[u8]) -> (StatusCode, Value) {
    let boundary = "muamalat-text-upload-5c1d";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n{title}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"letter.txt\"\r\nContent-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = res.status();
    let text = res.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Assert a problem response: status and stable code.
#[track_caller]
pub fn assert_problem(actual: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(actual.0, status, "{}", actual.1);
    assert_eq!(actual.1["code"], json!(code), "{}", actual.1);
    assert_eq!(actual.1["status"], json!(status.as_u16()));
    assert!(actual.1["type"].as_str().is_some_and(|t| t.ends_with(code)), "{}", actual.1);
}
