//! Numbers stay unique and gapless under parallel registration; of two people forwarding the same referral at the
//! same moment exactly one wins.

use std::collections::BTreeSet;

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_registrations_get_unique_gapless_numbers() {
    let app = TestApp::spawn().await;
    let clerks = ["clerk", "clerk2"];
    for c in clerks {
        app.token(c).await;
    }
    let mut tasks = Vec::new();
    for i in 0..40 {
        let client = app.client.clone();
        let url = app.url("/api/v1/transactions");
        let token = app.token(clerks[i % 2]).await;
        let body = json!({"kind": "incoming", "subject": format!("خطاب رقم {i}"), "external_entity_id": app.fx.ministry,
                          "referrals": [{"unit_id": app.unit("KHB"), "purpose": "action"}]});
        tasks.push(tokio::spawn(async move {
            let res = client.post(url).bearer_auth(token).json(&body).send().await.unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }));
    }
    let mut sequences = BTreeSet::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let number = body["transaction"]["registration_number"].as_str().unwrap().to_string();
        let seq: i64 = number.rsplit('/').next().unwrap().parse().unwrap();
        assert!(sequences.insert(seq), "duplicate number {number}");
    }
    assert_eq!(sequences, (1..=40).collect::<BTreeSet<i64>>(), "numbers must be 1..=40 with no gap");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_people_forwarding_the_same_referral_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let head = app.token("khb.head").await;
    let clerk = app.token("khb.clerk").await;
    for round in 0..5 {
        // A referral to Khobar's queue: both the head and Khobar's clerk hold it.
        let reg = app
            .register_incoming(&format!("سباق {round}"), json!([{"unit_id": app.unit("KHB"), "purpose": "action"}]))
            .await;
        let rid = reg["referrals"][0]["id"].as_i64().unwrap();
        let version = reg["referrals"][0]["version"].clone();
        let mut tasks = Vec::new();
        for (token, target) in [(head.clone(), "HR"), (clerk.clone(), "KHB-ENG")] {
            let client = app.client.clone();
            let url = app.url(&format!("/api/v1/referrals/{rid}/forward"));
            let body =
                json!({"targets": [{"unit_id": app.unit(target), "purpose": "action"}], "expected_version": version});
            tasks.push(tokio::spawn(async move {
                let res = client.post(url).bearer_auth(token).json(&body).send().await.unwrap();
                (res.status(), res.json::<Value>().await.unwrap())
            }));
        }
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap());
        }
        let wins = outcomes.iter().filter(|(s, _)| *s == StatusCode::OK).count();
        assert_eq!(wins, 1, "round {round}: {outcomes:?}");
        let (status, loser) = outcomes.iter().find(|(s, _)| *s != StatusCode::OK).unwrap();
        assert_eq!(*status, StatusCode::CONFLICT, "round {round}: {loser}");
        assert!(
            ["referral_already_completed", "version_conflict"].contains(&loser["code"].as_str().unwrap()),
            "round {round}: {loser}"
        );
        // Exactly one onward referral exists.
        let (_, route) = app.get("khb.head", &format!("/api/v1/transactions/{}/route", reg["transaction"]["id"])).await;
        assert_eq!(route["roots"][0]["children"].as_array().unwrap().len(), 1, "{route}");
    }
}

/// Hold a registry's counter (and, on SQLite, the write lock) for a while, so that registrations arriving meanwhile
/// queue up at the registrar; answers once the lock is held.
async fn hold_the_counter(app: &TestApp, registry: i64, year: i32, ms: u64) -> tokio::task::JoinHandle<()> {
    let (locked_tx, locked) = tokio::sync::oneshot::channel();
    let pool = app.pool.clone();
    let holder = tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
        muamalat::db::write_tx(&mut conn, |c| {
            muamalat::db::take_sequences(c, registry, year, 0)?;
            locked_tx.send(()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(ms));
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
    });
    locked.await.unwrap();
    holder
}

/// Registrations that arrive together are written together, in one database transaction (the registrar). One that
/// fails inside such a group must fail alone. Here the writer is held back twice while registrations queue up:
/// first ten good ones, committed as a group; then 24, among them two that link to a transaction the clerk may not
/// see (refused at write time) and two sends of one request with the same `Idempotency-Key`. That group fails and
/// is written again one by one: every good registration is committed with a gapless number, the two bad ones get
/// 422 and leave nothing, and the repeated request is registered once and answered twice alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_registration_failing_in_a_group_fails_alone_and_numbers_stay_gapless() {
    let app = TestApp::spawn().await;
    let first = app.register_incoming("الأول", json!([])).await;
    let year = first["transaction"]["hijri_year"].as_i64().unwrap() as i32;
    let registry = first["transaction"]["registry"]["id"].as_i64().unwrap();
    let first_id = first["transaction"]["id"].as_i64().unwrap();
    let token = app.token("clerk").await;
    let register = |i: usize, links: Value, key: Option<&'static str>| {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/transactions"), token.clone());
        let subject = if key.is_some() { "مكرر".to_string() } else { format!("خطاب رقم {i}") };
        let body = json!({"kind": "incoming", "subject": subject, "external_entity_id": app.fx.ministry, "links": links,
                          "referrals": [{"unit_id": app.unit("KHB"), "purpose": "action"},
                                        {"unit_id": app.unit("HR"), "purpose": "information"}]});
        tokio::spawn(async move {
            let mut request = client.post(url).bearer_auth(token).json(&body);
            if let Some(key) = key {
                request = request.header("Idempotency-Key", key);
            }
            let res = request.send().await.unwrap();
            (i, res.status(), res.json::<Value>().await.unwrap())
        })
    };
    let number_of = |body: &Value| -> i64 {
        let number = body["transaction"]["registration_number"].as_str().unwrap();
        number.rsplit('/').next().unwrap().parse().unwrap()
    };
    let mut sequences = BTreeSet::from([1_i64]);

    // Ten good ones, held back together: committed as a group.
    let before = app.registrar.stats();
    let holder = hold_the_counter(&app, registry, year, 800).await;
    let tasks: Vec<_> = (0..10).map(|i| register(i, json!([]), None)).collect();
    holder.await.unwrap();
    for t in tasks {
        let (i, status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{i}: {body}");
        assert!(sequences.insert(number_of(&body)), "duplicate {body}");
    }
    let grouped = app.registrar.stats();
    assert!(grouped.largest_group > 1, "{grouped:?}");
    assert_eq!(grouped.groups_retried, before.groups_retried, "{grouped:?}");
    assert_eq!(grouped.registrations - before.registrations, 10, "{grouped:?}");

    // 24 held back together, two of them bad and two the same request: the group fails and is written one by one.
    let holder = hold_the_counter(&app, registry, year, 800).await;
    let tasks: Vec<_> = (10..34)
        .map(|i| match i {
            // The same link twice passes the checks but not the database's unique key: refused at write time.
            15 | 27 => register(
                i,
                json!([{"kind": "related", "transaction_id": first_id}, {"kind": "related", "transaction_id": first_id}]),
                None,
            ),
            32 | 33 => register(i, json!([]), Some("the-same-letter")),
            _ => register(i, json!([]), None),
        })
        .collect();
    holder.await.unwrap();
    let mut repeated = Vec::new();
    for t in tasks {
        let (i, status, body) = t.await.unwrap();
        if i == 15 || i == 27 {
            assert_eq!(status, StatusCode::CONFLICT, "{i}: {body}");
            assert_eq!(body["code"], "already_exists", "{body}");
            continue;
        }
        assert_eq!(status, StatusCode::CREATED, "{i}: {body}");
        assert_eq!(body["referrals"].as_array().unwrap().len(), 2, "{body}");
        if i >= 32 {
            sequences.insert(number_of(&body));
            repeated.push(body);
        } else {
            assert!(sequences.insert(number_of(&body)), "duplicate {body}");
        }
    }
    assert_eq!(repeated.len(), 2);
    assert_eq!(repeated[0], repeated[1], "the repeated request is answered alike");
    // 1 + 10 + 20 good + the repeated one = numbers 1..=32, none lost to the failed ones.
    assert_eq!(sequences, (1..=32).collect::<BTreeSet<i64>>());
    let (_, timeline) =
        app.get("clerk", &format!("/api/v1/transactions/{}/timeline", repeated[0]["transaction"]["id"])).await;
    assert_eq!(timeline.as_array().unwrap().len(), 3, "registered and two referrals, once: {timeline}");
    {
        use muamalat::schema::transactions;
        let mut conn = app.pool.get().unwrap();
        let registered: i64 = transactions::table
            .filter(transactions::registry_unit_id.eq(registry))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(registered, 32, "nothing of the failed ones, and the repeated one once");
    }
    let after = app.registrar.stats();
    assert!(after.groups_retried > grouped.groups_retried, "{after:?}");
    assert_eq!(after.registrations - grouped.registrations, 21, "{after:?}");
}
