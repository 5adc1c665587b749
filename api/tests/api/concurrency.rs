//! Numbers stay unique and gapless under parallel registration; of two people forwarding the same referral at the
//! same moment exactly one wins.

use std::collections::BTreeSet;

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
        let (_, loser) = outcomes.iter().find(|(s, _)| *s != StatusCode::OK).unwrap();
        assert!(
            ["referral_already_completed", "version_conflict"].contains(&loser["code"].as_str().unwrap()),
            "round {round}: {loser}"
        );
        // Exactly one onward referral exists.
        let (_, route) = app.get("khb.head", &format!("/api/v1/transactions/{}/route", reg["transaction"]["id"])).await;
        assert_eq!(route["roots"][0]["children"].as_array().unwrap().len(), 1, "{route}");
    }
}
