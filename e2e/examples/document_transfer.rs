//! Benchmark: upload and download throughput of documents on the local store, and how much the server's memory
//! grows while a large upload streams through it (target: under 20 MB for a 100 MB file).
//!
//!   cargo build --release -p muamalat-api --bin muamalat
//!   cargo run --release -p muamalat-e2e --example document_transfer -- [runs]
//!
//! It starts the real server (demo organisation, temporary SQLite database and store), registers a letter, then for
//! 10 MB and 100 MB files: uploads each as a new version (`multipart/form-data`) and downloads it, timing both and
//! sampling the server's resident memory (`VmRSS` in `/proc/<pid>/status`) every 5 ms during the upload.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{PASSWORD, start};

const BOUNDARY: &str = "bench-boundary-3f9a1c";

/// A PDF-looking file of `size` bytes that does not compress.
fn content(size: usize, seed: u64) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut x = seed | 1;
    while bytes.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

fn form(fields: &[(&str, &str)], name: &str, file: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(file.len() + 1024);
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("VmRSS:").and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let server = start().await;
    let pid = server.pid();
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"username": "registry.clerk1", "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["access_token"].as_str().expect("token").to_string();
    let clerk = support::Client::login(&server, "registry.clerk1").await;
    let entity = clerk.get("/api/v1/external-entities").await[0]["id"].clone();
    let t = clerk
        .post("/api/v1/transactions", json!({"kind": "incoming", "subject": "ملف كبير", "external_entity_id": entity}))
        .await;
    let t = t["transaction"]["id"].as_i64().expect("id");
    let first = form(&[("title", "مخطط"), ("kind", "attachment")], "plan.pdf", &content(1000, 1));
    let doc: serde_json::Value = http
        .post(format!("{}/api/v1/transactions/{t}/documents", server.base))
        .bearer_auth(&token)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(first)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let doc = doc["id"].as_i64().expect("document");
    println!("document transfer on {} (server pid {pid}, local store), {runs} runs each", server.base);

    let mut seed = 2;
    for mb in [10_usize, 100] {
        let size = mb * 1024 * 1024;
        let (mut up, mut down, mut growth) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            seed += 1;
            let body = form(&[], &format!("plan-{mb}.pdf"), &content(size, seed));
            let baseline = rss_kb(pid);
            let peak = Arc::new(AtomicU64::new(baseline));
            let done = Arc::new(AtomicBool::new(false));
            let sampler = {
                let (peak, done) = (peak.clone(), done.clone());
                std::thread::spawn(move || {
                    while !done.load(Ordering::Relaxed) {
                        peak.fetch_max(rss_kb(pid), Ordering::Relaxed);
                        std::thread::sleep(Duration::from_millis(5));
                    }
                })
            };
            let started = Instant::now();
            let res = http
                .post(format!("{}/api/v1/documents/{doc}/versions", server.base))
                .bearer_auth(&token)
                .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
                .body(body)
                .send()
                .await
                .expect("upload");
            let status = res.status();
            let version: serde_json::Value = res.json().await.expect("json");
            let took = started.elapsed();
            done.store(true, Ordering::Relaxed);
            sampler.join().expect("sampler");
            assert!(status.is_success(), "{status} {version}");
            up.push(size as f64 / took.as_secs_f64() / 1e6);
            growth.push((peak.load(Ordering::Relaxed).saturating_sub(baseline)) as f64 / 1024.0);

            let started = Instant::now();
            let mut res = http
                .get(format!("{}{}", server.base, version["content_url"].as_str().expect("url")))
                .bearer_auth(&token)
                .send()
                .await
                .expect("download");
            let mut received = 0_usize;
            while let Some(chunk) = res.chunk().await.expect("chunk") {
                received += chunk.len();
            }
            let took = started.elapsed();
            assert_eq!(received, size);
            down.push(size as f64 / took.as_secs_f64() / 1e6);
        }
        let med = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
        println!(
            "{mb:>4} MB: upload median {:>6.0} MB/s, download median {:>6.0} MB/s, server memory growth during upload: median {:.1} MB, max {:.1} MB",
            med(up),
            med(down),
            med(growth.clone()),
            max(&growth)
        );
    }
}
