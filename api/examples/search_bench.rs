//! Search, inbox, timeline and report latency against a running server over HTTP, as a browser would ask (kept-alive
//! connections, `Accept-Encoding: gzip`), for a database filled by `muamalat generate`:
//!
//! ```sh
//! MUAMALAT_DATABASE_URL=sqlite:///tmp/big/g.db MUAMALAT_DEMO_PASSWORD=… muamalat generate
//! MUAMALAT_DATABASE_URL=sqlite:///tmp/big/g.db muamalat serve &
//! cargo run --release -p muamalat-api --example search_bench -- --url http://127.0.0.1:8080 --password …
//! ```
//!
//! Prints p50 / p95 / p99 and throughput of each kind of request, for an administrator (who sees everything) and
//! an employee (who sees what reached them).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser)]
#[command(about = "Search, inbox, timeline and report latency against a running Muamalat server")]
struct Args {
    /// The server's address.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The demo accounts' password (`MUAMALAT_DEMO_PASSWORD` when the demo was seeded).
    #[arg(long, env = "MUAMALAT_DEMO_PASSWORD")]
    password: String,
    /// Requests of each kind.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// The employee who sees little.
    #[arg(long, default_value = "khb.employee1")]
    employee: String,
    /// Requests of each report (reports scan much more than a page of search).
    #[arg(long, default_value_t = 20)]
    report_requests: usize,
    /// Register-and-refer operations (an incoming letter referred to two units) at the end; 0 for none.
    #[arg(long, default_value_t = 2_000)]
    registrations: usize,
    /// Registrations in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// The server's process id: its peak resident memory (`VmHWM`) is printed at the end.
    #[arg(long)]
    pid: Option<u32>,
}

async fn token(client: &reqwest::Client, args: &Args, username: &str) -> String {
    let body: Value = client
        .post(format!("{}/api/v1/auth/login", args.url))
        .json(&json!({"username": username, "password": args.password}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login answer");
    body["access_token"].as_str().unwrap_or_else(|| panic!("login {username}: {body}")).to_string()
}

fn ms(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Send the requests one after another; print the percentiles, and answer the last body.
async fn measure(client: &reqwest::Client, token: &str, label: &str, paths: &[String]) -> Value {
    let mut times = Vec::with_capacity(paths.len());
    let started = Instant::now();
    let mut last = Value::Null;
    for path in paths {
        let start = Instant::now();
        let res = client.get(path).bearer_auth(token).send().await.expect("request");
        assert!(res.status().is_success(), "{path}: {}", res.status());
        last = res.json().await.expect("json");
        times.push(start.elapsed());
    }
    let total = started.elapsed().as_secs_f64();
    times.sort();
    let hits = last.get("total").map(|t| format!(", {t} hits")).unwrap_or_default();
    println!(
        "{label:<44} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  {:>6.0} req/s{hits}",
        ms(&times, 0.5),
        ms(&times, 0.95),
        ms(&times, 0.99),
        paths.len() as f64 / total
    );
    last
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Register incoming letters referred to two units, `--concurrency` at once; print the throughput and latencies.
async fn register_and_refer(client: &reqwest::Client, args: &Args, base: &str) {
    let token = token(client, args, "registry.clerk1").await;
    let get = |path: String| {
        let (client, token) = (client.clone(), token.clone());
        async move { client.get(path).bearer_auth(token).send().await.expect("get").json::<Value>().await.expect("json") }
    };
    let entity = get(format!("{base}/external-entities")).await[0]["id"].clone();
    let units = get(format!("{base}/units")).await;
    let unit = |code: &str| units.as_array().unwrap().iter().find(|u| u["code"] == code).unwrap()["id"].clone();
    let (khb, eng) = (unit("KHB"), unit("KHB-ENG"));
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency {
        let (client, token, next, base) = (client.clone(), token.clone(), next.clone(), base.to_string());
        let (entity, khb, eng, n) = (entity.clone(), khb.clone(), eng.clone(), args.registrations);
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
                let start = Instant::now();
                let res = client
                    .post(format!("{base}/transactions"))
                    .bearer_auth(&token)
                    .json(
                        &json!({"kind": "incoming", "subject": "طلب صيانة إنارة الطريق", "external_entity_id": entity,
                        "priority": "normal", "referrals": [{"unit_id": khb, "purpose": "action"},
                        {"unit_id": eng, "purpose": "information"}]}),
                    )
                    .send()
                    .await
                    .expect("register");
                assert_eq!(res.status(), reqwest::StatusCode::CREATED, "{}", res.text().await.unwrap_or_default());
                times.push(start.elapsed());
            }
            times
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.expect("task"));
    }
    let total = started.elapsed().as_secs_f64();
    times.sort();
    println!(
        "{:<44} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  {:>6.0} op/s ({} at concurrency {})",
        "register-and-refer",
        ms(&times, 0.5),
        ms(&times, 0.95),
        ms(&times, 0.99),
        times.len() as f64 / total,
        times.len(),
        args.concurrency
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = Args::parse();
    let client = reqwest::Client::builder().gzip(true).pool_max_idle_per_host(8).build().expect("client");
    let base = format!("{}/api/v1", args.url);
    let n = args.requests;
    let repeat = |path: String| vec![path; n];
    for who in ["admin", args.employee.as_str()] {
        let token = token(&client, &args, who).await;
        println!("== as {who}");
        let page =
            measure(&client, &token, "search: no words (newest first)", &repeat(format!("{base}/search?limit=20")))
                .await;
        let number =
            page["items"][0]["transaction"]["registration_number"].as_str().unwrap_or("1448/000001").to_string();
        let (year, sequence) =
            number.rsplit_once('-').map_or(number.as_str(), |(_, n)| n).split_once('/').unwrap_or(("1448", "1"));
        let fragment = format!("{year}/{}", sequence.trim_start_matches('0'));
        for (label, q) in [
            ("search: a common word (صيانة)", format!("q={}", encode("صيانة"))),
            ("search: two common words (طلب الإنارة)", format!("q={}", encode("طلب الإنارة"))),
            ("search: a rare word (برنيسو)", format!("q={}", encode("برنيسو"))),
            ("search: a registration number fragment", format!("q={}", encode(&fragment))),
            ("search: a word, filtered (open, urgent)", format!("q={}&status=open&priority=urgent", encode("رخصة"))),
            ("search: a word, newest first", format!("q={}&sort=newest", encode("شكوى"))),
        ] {
            measure(&client, &token, label, &repeat(format!("{base}/search?{q}&limit=20"))).await;
        }
        let inbox = measure(&client, &token, "inbox (held)", &repeat(format!("{base}/inbox?limit=50"))).await;
        let id =
            inbox["items"][0]["transaction"]["id"].as_i64().or_else(|| page["items"][0]["transaction"]["id"].as_i64());
        if let Some(id) = id {
            measure(&client, &token, "timeline", &repeat(format!("{base}/transactions/{id}/timeline"))).await;
        }
        for name in [
            "volume_by_kind",
            "volume_by_unit",
            "volume_by_month",
            "open_by_unit",
            "processing_by_unit",
            "dwell_by_holder",
            "ageing",
            "bottlenecks",
        ] {
            let paths = vec![format!("{base}/reports/{name}"); args.report_requests];
            measure(&client, &token, &format!("report: {name}"), &paths).await;
        }
    }
    if args.registrations > 0 {
        register_and_refer(&client, &args, &base).await;
    }
    if let Some(pid) = args.pid {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let peak = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap_or("VmHWM: unknown");
        println!("server peak resident memory ({pid}): {}", peak.trim_start_matches("VmHWM:").trim());
    }
}
