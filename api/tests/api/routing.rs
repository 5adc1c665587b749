//! Illegal steps get 409 with a specific code (or 404 when the caller may not see the transaction) and change
//! nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};

async fn khobar_action(app: &TestApp) -> (i64, Value) {
    let reg = app.register_incoming("للإجراء", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    (reg["transaction"]["id"].as_i64().unwrap(), reg["referrals"][0].clone())
}

#[tokio::test]
async fn only_the_holder_acts_on_a_referral() {
    let app = TestApp::spawn().await;
    let (tid, r) = khobar_action(&app).await;
    let before = app.counts();
    // HR cannot see the transaction at all: 404, not 403.
    let x = app
        .post(
            "hr.emp",
            &format!("/api/v1/referrals/{}/forward", r["id"]),
            json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}]}),
        )
        .await;
    assert_problem(&x, StatusCode::NOT_FOUND, "referral_not_found");
    let x = app.get("hr.emp", &format!("/api/v1/transactions/{tid}")).await;
    assert_problem(&x, StatusCode::NOT_FOUND, "transaction_not_found");
    // The registry can see it but does not hold the referral it sent: it may not receive, forward, return or
    // complete it.
    for (action, body) in [
        ("receive", json!({})),
        ("forward", json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}]})),
        ("return", json!({"note": "x"})),
        ("complete", json!({"note": "x"})),
    ] {
        let x = app.post("clerk", &format!("/api/v1/referrals/{}/{action}", r["id"]), body).await;
        assert_problem(&x, StatusCode::CONFLICT, "referral_not_held");
    }
    // The engineering department (below Khobar) does not hold Khobar's queue, and cannot see it.
    let x = app.post("eng.head", &format!("/api/v1/referrals/{}/complete", r["id"]), json!({"note": "x"})).await;
    assert_problem(&x, StatusCode::NOT_FOUND, "referral_not_found");
    let x = app.post("khb.head", "/api/v1/referrals/999999/receive", json!({})).await;
    assert_problem(&x, StatusCode::NOT_FOUND, "referral_not_found");
    assert_eq!(app.counts(), before);
}

#[tokio::test]
async fn completed_received_and_stale_referrals_are_refused() {
    let app = TestApp::spawn().await;
    let (_, r) = khobar_action(&app).await;
    let rid = r["id"].as_i64().unwrap();
    let (status, received) = app.post("khb.emp", &format!("/api/v1/referrals/{rid}/receive"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let before = app.counts();
    let x = app.post("khb.emp", &format!("/api/v1/referrals/{rid}/receive"), json!({})).await;
    assert_problem(&x, StatusCode::CONFLICT, "referral_already_received");
    let x = app
        .post(
            "khb.emp",
            &format!("/api/v1/referrals/{rid}/forward"),
            json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}], "expected_version": 1}),
        )
        .await;
    assert_problem(&x, StatusCode::CONFLICT, "version_conflict");
    let x = app.post("khb.emp", &format!("/api/v1/referrals/{rid}/complete"), json!({})).await;
    assert_problem(&x, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let x = app.post("khb.emp", &format!("/api/v1/referrals/{rid}/forward"), json!({"targets": []})).await;
    assert_problem(&x, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(app.counts(), before);
    let (status, _) = app
        .post(
            "khb.emp",
            &format!("/api/v1/referrals/{rid}/complete"),
            json!({"note": "تم", "expected_version": received["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let before = app.counts();
    let x = app
        .post(
            "khb.head",
            &format!("/api/v1/referrals/{rid}/forward"),
            json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}]}),
        )
        .await;
    assert_problem(&x, StatusCode::CONFLICT, "referral_already_completed");
    assert_eq!(app.counts(), before);
}

#[tokio::test]
async fn return_sends_it_back_to_whoever_referred_it() {
    let app = TestApp::spawn().await;
    let (tid, r) = khobar_action(&app).await;
    let (status, back) = app
        .post("khb.head", &format!("/api/v1/referrals/{}/return", r["id"]), json!({"note": "ليست من اختصاصنا"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    let to_clerk = &back["referrals"][0];
    assert_eq!(to_clerk["to_user"]["username"], "clerk");
    assert_eq!(to_clerk["to_unit"]["code"], "CR");
    assert_eq!(to_clerk["instructions"], "ليست من اختصاصنا");
    let (_, timeline) = app.get("clerk", &format!("/api/v1/transactions/{tid}/timeline")).await;
    assert!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "returned" && e["details"]["note"] == "ليست من اختصاصنا")
    );
    let (_, held) = app.get("clerk", "/api/v1/inbox").await;
    assert_eq!(held["items"][0]["referral"]["id"], to_clerk["id"]);
}

#[tokio::test]
async fn close_reopen_archive_follow_the_rules() {
    let app = TestApp::spawn().await;
    let (tid, r) = khobar_action(&app).await;
    let path = |action: &str| format!("/api/v1/transactions/{tid}/{action}");
    let before = app.counts();
    let x = app.post("clerk", &path("close"), json!({"note": "حفظ"})).await;
    assert_problem(&x, StatusCode::CONFLICT, "open_action_referrals");
    let x = app.post("clerk", &path("close"), json!({})).await;
    assert_problem(&x, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let x = app.post("clerk", &path("archive"), json!({})).await;
    assert_problem(&x, StatusCode::CONFLICT, "transaction_not_closed");
    let x = app.post("clerk", &path("reopen"), json!({"note": "x"})).await;
    assert_problem(&x, StatusCode::CONFLICT, "transaction_not_closed");
    assert_eq!(app.counts(), before);
    // The holder of the last open action referral may close it; that completes their referral.
    let (status, closed) = app.post("khb.emp", &path("close"), json!({"note": "تمت المعالجة"})).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    let (_, loc) = app.get("clerk", &path("location")).await;
    assert_eq!(loc["open_referrals"], json!([]));
    let before = app.counts();
    for (action, body) in [
        ("close", json!({"note": "again"})),
        ("referrals", json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}]})),
        ("annotations", json!({"text": "ملاحظة"})),
        ("decisions", json!({"decision": "approve"})),
    ] {
        let x = app.post("clerk", &path(action), body).await;
        assert_problem(&x, StatusCode::CONFLICT, "transaction_closed");
    }
    let x = app
        .post(
            "khb.emp",
            &format!("/api/v1/referrals/{}/forward", r["id"]),
            json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}]}),
        )
        .await;
    assert_problem(&x, StatusCode::CONFLICT, "transaction_closed");
    let x = app.post("hr.emp", &path("reopen"), json!({"note": "x"})).await;
    assert_problem(&x, StatusCode::NOT_FOUND, "transaction_not_found");
    assert_eq!(app.counts(), before);
    let (status, reopened) = app
        .post("clerk", &path("reopen"), json!({"note": "وردت معلومات جديدة", "expected_version": closed["version"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{reopened}");
    assert_eq!(reopened["status"], "open");
    let (status, _) = app.post("clerk", &path("close"), json!({"note": "حفظ نهائي"})).await;
    assert_eq!(status, StatusCode::OK);
    let x = app.post("khb.emp", &path("archive"), json!({})).await;
    assert_problem(&x, StatusCode::FORBIDDEN, "forbidden");
    let (status, archived) = app.post("clerk", &path("archive"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(archived["status"], "archived");
    let x = app.post("clerk", &path("reopen"), json!({"note": "x"})).await;
    assert_problem(&x, StatusCode::CONFLICT, "transaction_archived");
}

#[tokio::test]
async fn annotations_and_decisions_land_on_the_timeline() {
    let app = TestApp::spawn().await;
    let (tid, _) = khobar_action(&app).await;
    let (status, _) = app
        .post("khb.head", &format!("/api/v1/transactions/{tid}/annotations"), json!({"text": "يُعتمد بعد المراجعة"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .post(
            "khb.head",
            &format!("/api/v1/transactions/{tid}/decisions"),
            json!({"decision": "approve", "note": "موافق"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let x = app.post("khb.head", &format!("/api/v1/transactions/{tid}/decisions"), json!({"decision": "maybe"})).await;
    assert_problem(&x, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let (_, timeline) = app.get("khb.head", &format!("/api/v1/transactions/{tid}/timeline")).await;
    let last = &timeline.as_array().unwrap()[timeline.as_array().unwrap().len() - 1];
    assert_eq!(last["kind"], "decision_recorded");
    assert_eq!(last["details"]["decision"], "approve");
    assert_eq!(last["actor"]["username"], "khb.head");
    assert_eq!(last["actor_unit"]["code"], "KHB");
}

/// Every purpose of a referral, every decision, every kind of link.
#[tokio::test]
async fn every_purpose_decision_and_link_kind_is_recorded() {
    let app = TestApp::spawn().await;
    let (tid, r) = khobar_action(&app).await;
    let (status, _) = app.post("khb.head", &format!("/api/v1/referrals/{}/receive", r["id"]), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    // Opinion and signature, beside action and information.
    let (status, referred) = app
        .post(
            "khb.head",
            &format!("/api/v1/transactions/{tid}/referrals"),
            json!({"targets": [
                {"unit_id": app.unit("HR"), "purpose": "opinion", "instructions": "نأمل إبداء الرأي"},
                {"unit_id": app.unit("KHB-ENG"), "user_id": app.user("eng.head"), "purpose": "signature"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{referred}");
    let purposes: Vec<&str> =
        referred["referrals"].as_array().unwrap().iter().map(|r| r["purpose"].as_str().unwrap()).collect();
    assert_eq!(purposes, ["opinion", "signature"]);
    // The opinion lands in HR's inbox as work (not a copy); the signature in the engineering head's.
    let (_, hr) = app.get("hr.emp", "/api/v1/inbox?box=unit").await;
    assert_eq!(hr["items"][0]["referral"]["purpose"], "opinion", "{hr}");
    let (_, eng) = app.get("eng.head", "/api/v1/inbox?box=held").await;
    assert_eq!(eng["items"][0]["referral"]["purpose"], "signature", "{eng}");
    // Decisions: approve, reject, request information.
    for decision in ["approve", "reject", "request_information"] {
        let (status, body) = app
            .post(
                "khb.head",
                &format!("/api/v1/transactions/{tid}/decisions"),
                json!({"decision": decision, "note": format!("قرار {decision}")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{decision}: {body}");
    }
    // Links: reply to, related, follow-up.
    let mut linked = Vec::new();
    for kind in ["reply_to", "related", "follow_up"] {
        let other = app.register_incoming(&format!("مرتبطة {kind}"), json!([])).await;
        let other_id = other["transaction"]["id"].as_i64().unwrap();
        let (status, body) = app
            .post(
                "clerk",
                &format!("/api/v1/transactions/{tid}/links"),
                json!({"kind": kind, "transaction_id": other_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{kind}: {body}");
        linked.push((kind, other_id));
    }
    let (_, t) = app.get("clerk", &format!("/api/v1/transactions/{tid}")).await;
    let links: Vec<(String, i64)> = t["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["kind"].as_str().unwrap().to_string(), l["transaction_id"].as_i64().unwrap()))
        .collect();
    for (kind, id) in &linked {
        assert!(links.contains(&(kind.to_string(), *id)), "{kind} → {id} missing from {links:?}");
    }
    let (_, timeline) = app.get("clerk", &format!("/api/v1/transactions/{tid}/timeline")).await;
    let decisions: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "decision_recorded")
        .map(|e| e["details"]["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["approve", "reject", "request_information"]);
    let link_events = timeline.as_array().unwrap().iter().filter(|e| e["kind"] == "linked").count();
    assert_eq!(link_events, 3, "{timeline}");
}
