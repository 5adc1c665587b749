//! Benchmark: the time from opening http://…/ to the first rendered inbox, for a signed-in user, in headless
//! Chromium on the real server (demo organisation, 60 letters waiting in the inbox).
//!
//! "Cold" is a fresh browser profile (nothing cached: HTML, JS, wasm and font all fetched and the wasm compiled);
//! "warm" is a reload in the same browser (assets from the HTTP cache). The figure is the page's own performance
//! mark `muamalat:inbox-rendered`, set when the inbox list is first filled, measured from navigation start.
//!
//!   cargo build --release -p muamalat-api --bin muamalat && scripts/build-ui.sh
//!   cargo run --release -p muamalat-e2e --example first_inbox -- [runs]

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use fantoccini::cookies::Cookie;
use serde_json::{Value, json};
use support::browser::{Page, driver, spa_dir};
use support::{PASSWORD, start_with};

async fn rendered_at(page: &Page) -> f64 {
    page.until("the inbox mark", "return performance.getEntriesByName('muamalat:inbox-rendered').length > 0").await;
    let t = page.js("return performance.getEntriesByName('muamalat:inbox-rendered')[0].startTime").await;
    t.as_f64().expect("milliseconds")
}

fn summary(label: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    let median = v[v.len() / 2];
    println!(
        "{label:<5} n={:<3} min {:>6.0} ms  median {:>6.0} ms  max {:>6.0} ms",
        v.len(),
        v[0],
        median,
        v[v.len() - 1]
    );
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let server = start_with(Some(spa_dir())).await;
    let clerk = support::Client::login(&server, "registry.clerk1").await;
    let units = clerk.get("/api/v1/units").await;
    let users = clerk.get("/api/v1/users").await;
    let id_of = |list: &Value, field: &str, value: &str| {
        list.as_array().expect("list").iter().find(|x| x[field] == value).expect(value)["id"].clone()
    };
    let (khb, head) = (id_of(&units, "code", "KHB"), id_of(&users, "username", "khb.head"));
    let entity = clerk.get("/api/v1/external-entities").await[0]["id"].clone();
    for i in 0..60 {
        clerk
            .post(
                "/api/v1/transactions",
                json!({"kind": "incoming", "subject": format!("خطاب رقم {i} بشأن طلب خدمة بلدية"), "external_entity_id": entity,
                       "referrals": [{"unit_id": khb, "user_id": head, "purpose": "action"}]}),
            )
            .await;
    }
    let http = reqwest::Client::new();
    let wasm = std::fs::read_dir(spa_dir())
        .expect("dist")
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        .map(|e| e.metadata().expect("size").len())
        .unwrap_or(0);
    println!("first rendered inbox on {} (wasm {} bytes), {runs} runs each", server.base, wasm);

    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        // A signed-in browser with nothing cached: the session cookie, as a sign-in would leave it.
        let res = http
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"username": "khb.head", "password": PASSWORD, "session_cookie": true}))
            .send()
            .await
            .expect("login");
        let set_cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("muamalat_session="))
            .map(str::to_string)
            .expect("session cookie");
        let driver = driver().await;
        let page = Page::open(&driver, &server.base, "bench").await;
        page.goto("/healthz").await;
        // The cookie exactly as the server set it (path, HttpOnly, SameSite=Strict), for this host.
        let mut cookie = Cookie::parse(set_cookie).expect("a cookie");
        cookie.set_domain("127.0.0.1");
        page.c.add_cookie(cookie).await.expect("cookie");
        page.goto("/").await;
        cold.push(rendered_at(&page).await);
        let items = page.js("return document.querySelectorAll('ul.inbox li.item').length").await;
        assert_eq!(items, json!(25), "the first page of the inbox is on screen");
        page.c.refresh().await.expect("reload");
        warm.push(rendered_at(&page).await);
        let _ = page.c.close().await;
    }
    summary("cold", cold);
    summary("warm", warm);
}
