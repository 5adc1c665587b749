//! Benchmark: register-and-refer throughput and inbox/timeline latency with a large database loaded.
//!
//!     cargo run --release -p muamalat-api --example bench -- --backend sqlite
//!     cargo run --release -p muamalat-api --example bench -- --backend postgres \
//!         --database-url postgres://postgres@127.0.0.1:5432/postgres
//!
//! It builds a fresh database (a temporary SQLite file, or a new PostgreSQL database that it drops afterwards),
//! seeds the demo organisation, bulk-loads `--transactions` historical transactions with their referrals and
//! events, starts the real server on a loopback port, and measures over HTTP:
//! - register-and-refer: `--ops` registrations of an incoming letter referred to two units, `--concurrency` at once;
//! - inbox and timeline latency: `--samples` sequential requests each, reported as p50/p99, on kept-alive
//!   connections that ask for gzip (as browsers and Python's `requests` do), and the inbox once more uncompressed.
//!
//! It prints figures; it asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::prelude::*;
use muamalat::app::Application;
use muamalat::config::Settings;
use muamalat::db::{self, DbConn};
use muamalat::schema::{events, referrals, transactions, units, users};
use serde_json::{Value, json};

const PASSWORD: &str = "bench-password-1";

struct Args {
    backend: String,
    database_url: Option<String>,
    transactions: usize,
    ops: usize,
    concurrency: usize,
    samples: usize,
    pool: Option<u32>,
    /// Whether the registration clients ask for gzip (`gzip`, as browsers and Python's requests do) or not (`identity`).
    encoding: String,
}

fn args() -> Args {
    let mut a = Args {
        backend: "sqlite".into(),
        database_url: None,
        transactions: 100_000,
        ops: 5_000,
        concurrency: 16,
        samples: 2_000,
        pool: None,
        encoding: "gzip".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--backend" => a.backend = value,
            "--database-url" => a.database_url = Some(value),
            "--transactions" => a.transactions = value.parse().expect("number"),
            "--ops" => a.ops = value.parse().expect("number"),
            "--concurrency" => a.concurrency = value.parse().expect("number"),
            "--samples" => a.samples = value.parse().expect("number"),
            "--pool" => a.pool = Some(value.parse().expect("number")),
            "--encoding" => a.encoding = value,
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// A tiny deterministic generator, so every run loads the same data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Bulk-load historical transactions straight into the tables, in batches, with explicit ids.
fn preload(conn: &mut DbConn, n: usize) {
    let unit_ids: Vec<i64> = units::table.order(units::id).select(units::id).load(conn).unwrap();
    let staff: Vec<(i64, i64)> = users::table.select((users::id, users::unit_id)).load(conn).unwrap();
    let clerk: i64 = users::table.filter(users::username.eq("registry.clerk1")).select(users::id).first(conn).unwrap();
    let cr: i64 = units::table.filter(units::code.eq("CR")).select(units::id).first(conn).unwrap();
    let year = muamalat::calendar::hijri_year_at(Utc::now());
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    let start = Instant::now();
    let now = Utc::now().naive_utc();
    let mut referral_id = 0_i64;
    let mut event_id = 0_i64;
    let batch = 500;
    for first in (0..n).step_by(batch) {
        let last = (first + batch).min(n);
        db::write_tx(conn, |conn| -> QueryResult<()> {
            let mut t_rows = Vec::new();
            let mut r_rows = Vec::new();
            let mut e_rows = Vec::new();
            for i in first..last {
                let id = i as i64 + 1;
                let age = Duration::from_secs(rng.below(700 * 24 * 3600) as u64 + 3600);
                let at = now - chrono::Duration::from_std(age).unwrap();
                let closed = rng.below(10) < 7;
                let (to_user, to_unit) = staff[rng.below(staff.len())];
                let queue_unit = unit_ids[rng.below(unit_ids.len())];
                t_rows.push((
                    transactions::id.eq(id),
                    transactions::kind.eq("incoming"),
                    transactions::status.eq(if closed { "closed" } else { "open" }),
                    transactions::registry_unit_id.eq(cr),
                    transactions::hijri_year.eq(year - 1),
                    transactions::sequence.eq(id),
                    transactions::registration_number.eq(format!("{}/{:06}", year - 1, id)),
                    transactions::subject.eq(format!("معاملة تاريخية رقم {id}")),
                    transactions::priority.eq(["normal", "urgent", "very_urgent"][rng.below(3)]),
                    transactions::confidentiality.eq(0),
                    transactions::attachments_count.eq(0),
                    transactions::origin_unit_id.eq(cr),
                    transactions::created_by.eq(clerk),
                    (
                        transactions::created_at.eq(at),
                        transactions::registered_at.eq(at),
                        transactions::updated_at.eq(at),
                    ),
                ));
                // Root referral to a user (60%) or a unit queue; half are forwarded once; closed ones complete all.
                let hops = 1 + rng.below(2);
                let mut parent: Option<i64> = None;
                for hop in 0..hops {
                    referral_id += 1;
                    let last_hop = hop + 1 == hops;
                    let done = !last_hop || closed;
                    let sent = at + chrono::Duration::minutes(hop as i64 * 90);
                    let (u, unit) = if rng.below(10) < 6 { (Some(to_user), to_unit) } else { (None, queue_unit) };
                    r_rows.push((
                        referrals::id.eq(referral_id),
                        referrals::transaction_id.eq(id),
                        referrals::parent_referral_id.eq(parent),
                        referrals::from_unit_id.eq(cr),
                        referrals::from_user_id.eq(clerk),
                        referrals::to_unit_id.eq(unit),
                        referrals::to_user_id.eq(u),
                        referrals::purpose.eq("action"),
                        referrals::status.eq(if done { "completed" } else { "received" }),
                        referrals::outcome.eq(if done {
                            Some(if last_hop { "closed" } else { "forwarded" })
                        } else {
                            None
                        }),
                        (
                            referrals::sent_at.eq(sent),
                            referrals::received_at.eq(Some(sent + chrono::Duration::minutes(20))),
                            referrals::completed_at.eq(done.then(|| sent + chrono::Duration::minutes(80))),
                            referrals::version.eq(1),
                        ),
                    ));
                    for kind in ["referred", "received"] {
                        event_id += 1;
                        e_rows.push((
                            events::id.eq(event_id),
                            events::transaction_id.eq(id),
                            events::referral_id.eq(Some(referral_id)),
                            events::kind.eq(kind),
                            events::actor_user_id.eq(clerk),
                            events::actor_unit_id.eq(cr),
                            events::at.eq(sent),
                            events::details.eq("{}"),
                        ));
                    }
                    parent = Some(referral_id);
                }
            }
            // Multi-row inserts are backend-specific in diesel: run them on the concrete connection.
            macro_rules! insert_all {
                ($table:expr, $rows:expr) => {
                    match &mut *conn {
                        DbConn::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
                        DbConn::Pg(c) => diesel::insert_into($table).values($rows).execute(c),
                    }
                };
            }
            insert_all!(transactions::table, &t_rows)?;
            insert_all!(referrals::table, &r_rows)?;
            insert_all!(events::table, &e_rows)?;
            Ok(())
        })
        .unwrap();
    }
    if let DbConn::Pg(_) = conn {
        for table in ["transactions", "referrals", "events"] {
            diesel::sql_query(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            ))
            .execute(conn)
            .unwrap();
        }
        diesel::sql_query("ANALYZE").execute(conn).unwrap();
    } else {
        diesel::sql_query("ANALYZE").execute(conn).unwrap();
    }
    println!(
        "loaded {n} transactions, {referral_id} referrals, {event_id} events in {:.1} s",
        start.elapsed().as_secs_f64()
    );
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx].as_secs_f64() * 1000.0
}

async fn token(client: &reqwest::Client, base: &str, username: &str) -> String {
    let body: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap_or_else(|| panic!("login {username}: {body}")).to_string()
}

async fn latency(client: &reqwest::Client, label: &str, requests: Vec<(String, String)>) {
    let mut times = Vec::with_capacity(requests.len());
    for (url, token) in &requests {
        let start = Instant::now();
        let res = client.get(url).bearer_auth(token).send().await.unwrap();
        assert!(res.status().is_success(), "{url}: {}", res.status());
        res.bytes().await.unwrap();
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "{label:<24} {} requests: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    let dir = tempfile::tempdir().unwrap();
    let mut drop_pg: Option<(String, String)> = None;
    let url = match a.backend.as_str() {
        "sqlite" => format!("sqlite://{}", dir.path().join("bench.db").display()),
        "postgres" => {
            let admin =
                a.database_url.clone().or_else(|| std::env::var("TEST_DATABASE_URL").ok()).expect("--database-url");
            let name = format!("muamalat_bench_{}", std::process::id());
            let mut conn = diesel::PgConnection::establish(&admin).unwrap();
            diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).unwrap();
            let (base, _) = admin.rsplit_once('/').unwrap();
            drop_pg = Some((admin.clone(), name.clone()));
            format!("{base}/{name}")
        }
        other => panic!("unknown backend {other}"),
    };
    println!("backend {}, {} cores", a.backend, std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let pool = db::connect(&url, a.pool).unwrap();
    {
        let mut conn = pool.get().unwrap();
        muamalat::seed::seed_demo(&mut conn, PASSWORD).unwrap();
        preload(&mut conn, a.transactions);
    }
    let settings = Settings { database_url: Some(url), bind: "127.0.0.1:0".into(), ..Settings::default() };
    let app = Application::build_with(settings, pool.clone(), TcpListener::bind("127.0.0.1:0").unwrap()).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let registrar = app.registrar.clone();
    tokio::spawn(app.run_until_stopped());
    // Like the clients integrators use (Python's requests, browsers): kept-alive connections asking for gzip.
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).gzip(a.encoding == "gzip").build().unwrap();
    let identity = reqwest::Client::builder().pool_max_idle_per_host(64).gzip(false).build().unwrap();

    // Register-and-refer throughput.
    let clerks = ["registry.clerk1", "registry.clerk2", "registry.clerk3"];
    let mut tokens = Vec::new();
    for c in clerks {
        tokens.push(token(&client, &base, c).await);
    }
    let all_units: Value =
        client.get(format!("{base}/api/v1/units")).bearer_auth(&tokens[0]).send().await.unwrap().json().await.unwrap();
    let unit = |code: &str| all_units.as_array().unwrap().iter().find(|u| u["code"] == code).unwrap()["id"].clone();
    let (khb, hr) = (unit("KHB"), unit("GD-HR"));
    let entities: Value = client
        .get(format!("{base}/api/v1/external-entities"))
        .bearer_auth(&tokens[0])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ministry = entities[0]["id"].clone();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let cpu_start = process_cpu_seconds();
    let mut workers = Vec::new();
    for w in 0..a.concurrency {
        let (client, base, token, next) =
            (client.clone(), base.clone(), tokens[w % tokens.len()].clone(), next.clone());
        let (khb, hr, ministry, ops) = (khb.clone(), hr.clone(), ministry.clone(), a.ops);
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= ops {
                    break;
                }
                let body = json!({"kind": "incoming", "subject": format!("خطاب قياس {i}"), "external_entity_id": ministry,
                                  "referrals": [{"unit_id": khb, "purpose": "action"}, {"unit_id": hr, "purpose": "information"}]});
                let res = client.post(format!("{base}/api/v1/transactions")).bearer_auth(&token).json(&body).send().await.unwrap();
                assert_eq!(res.status(), reqwest::StatusCode::CREATED, "{}", res.text().await.unwrap_or_default());
                res.bytes().await.unwrap();
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = process_cpu_seconds() - cpu_start;
    let groups = registrar.stats();
    println!(
        "register-and-refer: {} operations, concurrency {}, {:.1} s: {:.0} operations/s; \
         this process (server and load generator) used {:.0} µs of CPU per operation",
        a.ops,
        a.concurrency,
        elapsed,
        a.ops as f64 / elapsed,
        cpu * 1e6 / a.ops as f64
    );
    println!(
        "  written in {} groups: {:.1} registrations per commit on average, {} at most; {} groups retried one by one",
        groups.groups,
        groups.registrations as f64 / groups.groups.max(1) as f64,
        groups.largest_group,
        groups.groups_retried
    );

    // Inbox latency: the boxes of busy users (the Khobar head's queue holds every letter just registered).
    let inbox_users = ["khb.head", "khb.employee1", "gd-hr.head", "registry.clerk1", "ag-srv.head"];
    let mut inbox_tokens = Vec::new();
    for u in inbox_users {
        inbox_tokens.push(token(&client, &base, u).await);
    }
    let mut all = Vec::new();
    for b in ["held", "unit", "sent", "copies"] {
        let requests: Vec<(String, String)> = (0..a.samples / 4)
            .map(|i| (format!("{base}/api/v1/inbox?box={b}&limit=50"), inbox_tokens[i % inbox_tokens.len()].clone()))
            .collect();
        all.extend(requests.clone());
        latency(&client, &format!("inbox {b}"), requests).await;
    }
    latency(&client, "inbox all", all.clone()).await;
    // The same requests without compression: a compressed answer should cost no extra round trip.
    latency(&identity, "inbox all, uncompressed", all).await;

    // Timeline latency: random historical and fresh transactions, as the registry that registered them.
    let total = a.transactions + a.ops;
    let mut rng = Rng(42);
    let requests: Vec<(String, String)> = (0..a.samples)
        .map(|_| (format!("{base}/api/v1/transactions/{}/timeline", 1 + rng.below(total)), tokens[0].clone()))
        .collect();
    latency(&client, "timeline", requests).await;

    drop(pool);
    if std::env::var("BENCH_KEEP").is_ok() {
        println!("kept {}", dir.keep().display());
    }
    if let Some((admin, name)) = drop_pg {
        let mut conn = diesel::PgConnection::establish(&admin).unwrap();
        diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn).unwrap();
    }
}

/// CPU time (user and system) this process has used so far: a steadier figure than throughput on a shared machine.
/// Linux reports it in clock ticks of 1/100 s (`USER_HZ`, fixed by the kernel's ABI).
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
