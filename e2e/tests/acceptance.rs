//! The acceptance flow of the core issue, against the real `muamalat` binary started as a separate process with the
//! demo organisation, over real HTTP. On PostgreSQL too when `TEST_DATABASE_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::json;
use support::{Client, start};

#[tokio::test]
async fn acceptance_flow_against_the_real_binary() {
    let server = start().await;
    assert!(server.stdout.contains("registry.clerk1"), "the demo sign-in is printed:\n{}", server.stdout);

    let clerk = Client::login(&server, "registry.clerk1").await;
    let units: HashMap<String, i64> = clerk
        .get("/api/v1/units")
        .await
        .as_array()
        .expect("units")
        .iter()
        .map(|u| (u["code"].as_str().expect("code").to_string(), u["id"].as_i64().expect("id")))
        .collect();
    assert!(units.len() >= 25, "the demo organisation has at least 25 units");
    let users = clerk.get("/api/v1/users").await;
    assert!(users.as_array().expect("users").len() >= 60, "the demo organisation has at least 60 users");
    let ministry = clerk.get("/api/v1/external-entities?q=%D9%88%D8%B2%D8%A7%D8%B1%D8%A9").await[0]["id"].clone();
    let user_id = |name: &str| {
        users.as_array().expect("users").iter().find(|u| u["username"] == name).map(|u| u["id"].clone()).expect(name)
    };

    // Register an incoming letter from a ministry; refer to Khobar for action and to HR for information.
    let reg = clerk
        .post(
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": "طلب بيانات المشاريع البلدية", "external_entity_id": ministry,
                   "sender_reference": "1447/م/889", "priority": "urgent",
                   "referrals": [{"unit_id": units["KHB"], "purpose": "action", "instructions": "للإفادة"},
                                 {"unit_id": units["GD-HR"], "purpose": "information"}]}),
        )
        .await;
    let tid = reg["transaction"]["id"].as_i64().expect("id");
    let number = reg["transaction"]["registration_number"].as_str().expect("number");
    assert!(number.ends_with("/000001"), "{number}");
    let to_khb = reg["referrals"]
        .as_array()
        .expect("referrals")
        .iter()
        .find(|r| r["to_unit"]["code"] == "KHB")
        .expect("KHB")
        .clone();

    // Khobar's head receives it and refers it to an employee with instructions.
    let head = Client::login(&server, "khb.head").await;
    let queue = head.get("/api/v1/inbox?box=unit").await;
    assert_eq!(queue["items"][0]["referral"]["id"], to_khb["id"]);
    // It waits a little before the head opens it, and the head works on it a little: dwell time must show both.
    let started = std::time::Instant::now();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    head.post(&format!("/api/v1/referrals/{}/receive", to_khb["id"]), json!({})).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let fwd = head
        .post(
            &format!("/api/v1/referrals/{}/forward", to_khb["id"]),
            json!({"targets": [{"unit_id": units["KHB"], "user_id": user_id("khb.employee1"), "purpose": "action", "instructions": "نأمل الدراسة"}]}),
        )
        .await;
    let to_emp = fwd["referrals"][0].clone();

    // The employee forwards it to the engineering department.
    let emp = Client::login(&server, "khb.employee1").await;
    assert_eq!(emp.get("/api/v1/inbox").await["items"][0]["referral"]["id"], to_emp["id"]);
    let fwd2 = emp
        .post(
            &format!("/api/v1/referrals/{}/forward", to_emp["id"]),
            json!({"targets": [{"unit_id": units["KHB-ENG"], "purpose": "action"}]}),
        )
        .await;
    let to_eng = fwd2["referrals"][0].clone();

    // The engineering department completes it, and it is closed.
    let eng = Client::login(&server, "khb-eng.employee1").await;
    eng.post(&format!("/api/v1/referrals/{}/receive", to_eng["id"]), json!({})).await;
    eng.post(&format!("/api/v1/referrals/{}/complete", to_eng["id"]), json!({"note": "أُرسلت البيانات"})).await;
    let closed = clerk.post(&format!("/api/v1/transactions/{tid}/close"), json!({"note": "أنجز"})).await;
    assert_eq!(closed["status"], "closed");

    // Timeline: every hop; route: the parallel copy; dwell: every holder.
    let timeline = head.get(&format!("/api/v1/transactions/{tid}/timeline")).await;
    let kinds: Vec<&str> =
        timeline.as_array().expect("events").iter().map(|e| e["kind"].as_str().expect("kind")).collect();
    assert_eq!(
        kinds,
        [
            "registered",
            "referred",
            "referred",
            "received",
            "forwarded",
            "referred",
            "received",
            "forwarded",
            "referred",
            "received",
            "completed",
            "closed"
        ]
    );
    let route = clerk.get(&format!("/api/v1/transactions/{tid}/route")).await;
    assert_eq!(route["roots"].as_array().expect("roots").len(), 2);
    assert_eq!(route["roots"][1]["referral"]["purpose"], "information");
    assert_eq!(route["roots"][0]["children"][0]["children"][0]["referral"]["id"], to_eng["id"]);
    let dwell = clerk.get(&format!("/api/v1/transactions/{tid}/dwell")).await;
    for r in dwell["referrals"].as_array().expect("referrals") {
        let sent: chrono::DateTime<chrono::Utc> = r["sent_at"].as_str().expect("sent").parse().expect("time");
        let done: chrono::DateTime<chrono::Utc> = r["completed_at"].as_str().expect("completed").parse().expect("time");
        let total = r["dwell"]["total"]["wall_clock_seconds"].as_i64().expect("total");
        assert_eq!(total, (done - sent).num_seconds(), "{r}");
        assert_eq!(r["dwell"]["running"], false);
    }
    // The head's referral waited about 1.1 s and was worked on about 1.1 s, as this test paced it.
    let khb_referral = dwell["referrals"]
        .as_array()
        .expect("referrals")
        .iter()
        .find(|r| r["id"] == to_khb["id"])
        .expect("the Khobar referral")
        .clone();
    let seconds = |which: &str| khb_referral["dwell"][which]["wall_clock_seconds"].as_i64().expect("seconds");
    let paced = started.elapsed().as_secs() as i64 + 1;
    assert!((1..=paced).contains(&seconds("waiting")), "waiting {}: {khb_referral}", seconds("waiting"));
    assert!((1..=paced).contains(&seconds("working")), "working {}: {khb_referral}", seconds("working"));
    let head_total = dwell["per_user"]
        .as_array()
        .expect("per_user")
        .iter()
        .find(|u| u["user"]["username"] == "khb.head")
        .expect("the head's total")
        .clone();
    assert!(head_total["working"]["wall_clock_seconds"].as_i64().expect("seconds") >= 1, "{head_total}");
    let holders: Vec<&str> = dwell["per_user"]
        .as_array()
        .expect("per_user")
        .iter()
        .map(|u| u["user"]["username"].as_str().expect("user"))
        .collect();
    for who in ["khb.head", "khb.employee1", "khb-eng.employee1"] {
        assert!(holders.contains(&who), "{who} missing from {holders:?}");
    }

    // Bad input changes nothing and gets a problem.
    let (status, problem) = clerk
        .send(reqwest::Method::POST, &format!("/api/v1/transactions/{tid}/close"), Some(json!({"note": "x"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["code"], "transaction_closed");
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/inbox", server.base))
        .bearer_auth("forged.token.here")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // An agency — the demo ministry's API client, printed at seeding — submits a letter; the central registry
    // registers it; the registration number goes back to the agency.
    let line = server.stdout.lines().find(|l| l.contains("client_secret")).expect("the demo agency is printed");
    let words: Vec<&str> = line.split_whitespace().collect();
    let after = |key: &str| words.iter().position(|w| *w == key).map(|i| words[i + 1]).expect(key);
    let http = reqwest::Client::new();
    let grant = [
        ("grant_type", "client_credentials"),
        ("client_id", after("client_id")),
        ("client_secret", after("client_secret")),
    ];
    let res = http.post(format!("{}/api/v1/oauth/token", server.base)).form(&grant).send().await.expect("token");
    assert_eq!(res.status(), StatusCode::OK);
    let agency_token =
        res.json::<serde_json::Value>().await.expect("json")["access_token"].as_str().expect("token").to_string();
    let res = http
        .post(format!("{}/api/v1/agency/submissions", server.base))
        .bearer_auth(&agency_token)
        .json(&json!({"subject": "تعميم بشأن اشتراطات البناء", "sender_reference": "MOMAH-1448/901"}))
        .send()
        .await
        .expect("submit");
    assert_eq!(res.status(), StatusCode::CREATED);
    let submission = res.json::<serde_json::Value>().await.expect("json")["id"].as_i64().expect("id");
    let registered = clerk
        .post(
            &format!("/api/v1/intake/{submission}/register"),
            json!({"referrals": [{"unit_id": units["KHB"], "purpose": "information"}]}),
        )
        .await;
    let agency_number = registered["transaction"]["registration_number"].clone();
    let mine: serde_json::Value = http
        .get(format!("{}/api/v1/agency/submissions/{submission}", server.base))
        .bearer_auth(&agency_token)
        .send()
        .await
        .expect("read")
        .json()
        .await
        .expect("json");
    assert_eq!(mine["status"], "registered");
    assert_eq!(mine["registration_number"], agency_number);
    // The agency's token opens nothing of the staff's.
    let res = http.get(format!("{}/api/v1/inbox", server.base)).bearer_auth(&agency_token).send().await.expect("inbox");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // The audit log holds every step, and its hash chain verifies — through the API and with the command.
    let auditor = Client::login(&server, "auditor1").await;
    let entries = auditor.get(&format!("/api/v1/audit?transaction_id={tid}&limit=200")).await;
    let mut actions: Vec<&str> =
        entries["items"].as_array().expect("items").iter().map(|e| e["action"].as_str().expect("action")).collect();
    actions.reverse();
    assert_eq!(actions, kinds, "the audit log records every timeline event");
    let report = auditor.get("/api/v1/audit/verification").await;
    assert_eq!(report["intact"], true, "{report}");
    let verify = || {
        let mut cmd = std::process::Command::new(support::binary());
        cmd.arg("audit-verify").env_clear();
        for (k, v) in server.env() {
            cmd.env(k, v);
        }
        cmd.output().expect("run muamalat audit-verify")
    };
    let out = verify();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("The chain is intact."));

    // Someone with access to the database drops the guard and rewrites what the employee forwarded with.
    let entries = auditor.get(&format!("/api/v1/audit?transaction_id={tid}&action=forwarded")).await;
    let forwarded = entries["items"].as_array().expect("items").last().expect("forwarded entry");
    let seq = forwarded["seq"].as_i64().expect("sealed");
    tamper(&server.database_url(), seq);
    let out = verify();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("broken at entry seq {seq} ")), "{stderr}");
    let report = auditor.get("/api/v1/audit/verification").await;
    assert_eq!(report["first_broken"]["seq"], seq, "{report}");
}

/// Rewrite the details of the audit entry at `seq` straight in the database, past its append-only guard.
fn tamper(database_url: &str, seq: i64) {
    use diesel::prelude::*;
    let edit = format!("UPDATE audit_log SET details = '{{\"note\":\"rewritten\"}}' WHERE seq = {seq}");
    if database_url.starts_with("postgres") {
        let mut conn = diesel::PgConnection::establish(database_url).expect("connect");
        diesel::sql_query("DROP TRIGGER audit_log_append_only ON audit_log").execute(&mut conn).expect("drop");
        assert_eq!(diesel::sql_query(edit).execute(&mut conn).expect("edit"), 1);
    } else {
        let path = database_url.trim_start_matches("sqlite://");
        let mut conn = diesel::SqliteConnection::establish(path).expect("open");
        diesel::sql_query("DROP TRIGGER audit_log_no_rewrite").execute(&mut conn).expect("drop");
        assert_eq!(diesel::sql_query(edit).execute(&mut conn).expect("edit"), 1);
    }
}

/// The command line: `seed-demo` fills an empty database and prints a generated password when none is set, refuses a
/// database that already holds an organisation, and `serve` then signs in every kind of demo account with it.
#[tokio::test]
async fn seed_demo_prints_a_generated_password_that_serve_then_accepts() {
    let setup = support::Setup::new(None);
    let seeded = setup.run(&["seed-demo"]);
    let stdout = String::from_utf8_lossy(&seeded.stdout).to_string();
    assert!(seeded.status.success(), "seed-demo failed:\n{stdout}\n{}", String::from_utf8_lossy(&seeded.stderr));
    let password = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Password of every demo account: "))
        .map(str::trim)
        .expect("the generated password is printed");
    assert!(password.len() >= 12, "{password}");
    assert!(stdout.contains("(generated; set MUAMALAT_DEMO_PASSWORD"), "{stdout}");
    let again = setup.run(&["seed-demo"]);
    assert!(!again.status.success(), "a second seed-demo must refuse the filled database");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds an organisation"));

    let server = setup.serve(&["serve"]).await;
    let http = reqwest::Client::new();
    let login = |username: &'static str| {
        let (http, base, password) = (http.clone(), server.base.clone(), password.to_string());
        async move {
            let res = http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"username": username, "password": password}))
                .send()
                .await
                .expect("login");
            (res.status(), res.json::<serde_json::Value>().await.expect("json"))
        }
    };
    let (status, admin) = login("admin").await;
    assert_eq!(status, StatusCode::OK, "{admin}");
    // Every role of the design is among the demo accounts, and each of the printed ones signs in.
    let users = http
        .get(format!("{}/api/v1/users", server.base))
        .bearer_auth(admin["access_token"].as_str().expect("token"))
        .send()
        .await
        .expect("users")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    let roles: std::collections::BTreeSet<&str> = users
        .as_array()
        .expect("users")
        .iter()
        .flat_map(|u| u["roles"].as_array().expect("roles").iter().map(|r| r.as_str().expect("role")))
        .collect();
    for role in ["admin", "registry_clerk", "manager", "employee", "auditor"] {
        assert!(roles.contains(role), "no demo account is {role}: {roles:?}");
    }
    for username in ["registry.clerk1", "khb.head", "khb.employee1", "auditor1"] {
        assert_eq!(login(username).await.0, StatusCode::OK, "{username}");
    }
    // A general department's communications unit is a registry desk of its own: it numbers with its prefix.
    let (status, clerk) = login("hr-com.clerk").await;
    assert_eq!(status, StatusCode::OK, "{clerk}");
    let entities = http
        .get(format!("{}/api/v1/external-entities", server.base))
        .bearer_auth(clerk["access_token"].as_str().expect("token"))
        .send()
        .await
        .expect("entities")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    let res = http
        .post(format!("{}/api/v1/transactions", server.base))
        .bearer_auth(clerk["access_token"].as_str().expect("token"))
        .json(&json!({"kind": "outgoing", "subject": "إفادة بشأن التوظيف", "external_entity_id": entities[0]["id"]}))
        .send()
        .await
        .expect("register");
    assert_eq!(res.status(), StatusCode::CREATED);
    let outgoing: serde_json::Value = res.json().await.expect("json");
    let number = outgoing["transaction"]["registration_number"].as_str().expect("number");
    assert!(number.starts_with("HR-") && number.ends_with("/000001"), "{number}");
}

/// The README's curl walk-through (`docs/walkthrough.sh`) runs start to end against the real binary: register,
/// refer, receive, forward, complete, close, and the tracking it prints.
#[tokio::test]
async fn the_readme_walkthrough_runs_against_the_real_binary() {
    let server = start().await;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/walkthrough.sh");
    let out = tokio::process::Command::new("bash")
        .arg(&script)
        .arg(&server.base)
        .env("PASSWORD", support::PASSWORD)
        .output()
        .await
        .expect("run docs/walkthrough.sh (it needs curl and jq)");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "walkthrough failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("/000001 (transaction"), "{stdout}");
    assert!(stdout.contains("status: closed"), "{stdout}");
    for line in ["registered  registry.clerk1 @ CR", "forwarded  khb.employee1 @ KHB", "completed  khb-eng.employee1"] {
        assert!(stdout.contains(line), "the timeline shows `{line}`:\n{stdout}");
    }
    assert!(stdout.contains("GD-HR (information)"), "the route shows the parallel copy:\n{stdout}");
    assert!(stdout.contains("khb.head: waited"), "dwell time per holder:\n{stdout}");
}
