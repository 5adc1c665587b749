//! Delegation: a manager's authority handed to a deputy for a period; the deputy sees and acts on the manager's
//! work on the manager's behalf, and the delegation ends by itself.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};

fn in_seconds(s: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(s)).to_rfc3339()
}

async fn delegate(app: &TestApp, who: &str, body: Value) -> (StatusCode, Value) {
    app.post(who, "/api/v1/delegations", body).await
}

/// A letter referred for action to Khobar's queue.
async fn to_khobar(app: &TestApp, subject: &str) -> (i64, Value) {
    let t = app.register_incoming(subject, json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    (t["transaction"]["id"].as_i64().unwrap(), t["referrals"][0].clone())
}

#[tokio::test]
async fn a_deputy_sees_and_acts_on_the_managers_work_on_their_behalf_until_it_ends() {
    let app = TestApp::spawn().await;
    let (first, referral) = to_khobar(&app, "طلب صيانة طريق").await;
    let path = format!("/api/v1/transactions/{first}");
    // HR's employee is nowhere on the route: the letter does not exist for them.
    assert_problem(&app.get("hr.emp", &path).await, StatusCode::NOT_FOUND, "transaction_not_found");

    let (status, delegation) = delegate(
        &app,
        "khb.head",
        json!({"deputy_user_id": app.user("hr.emp"), "ends_at": in_seconds(3600), "note": "إجازة"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{delegation}");
    assert_eq!(delegation["active"], true);
    assert_eq!(delegation["delegator"]["username"], "khb.head");
    let (_, mine) = app.get("hr.emp", "/api/v1/delegations").await;
    assert_eq!(mine[0]["id"], delegation["id"]);

    // The deputy now sees Khobar's queue and the letter, and may act on it.
    let (status, _) = app.get("hr.emp", &path).await;
    assert_eq!(status, StatusCode::OK);
    let (_, counts) = app.get("hr.emp", "/api/v1/inbox/counts").await;
    assert_eq!(counts["unit"], 1, "{counts}");
    let (_, unit_box) = app.get("hr.emp", "/api/v1/inbox?box=unit").await;
    assert_eq!(unit_box["items"][0]["transaction"]["id"], json!(first));
    let (status, body) = app.post("hr.emp", &format!("/api/v1/referrals/{}/receive", referral["id"]), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(
            "hr.emp",
            &format!("/api/v1/referrals/{}/forward", referral["id"]),
            json!({"targets": [{"unit_id": app.unit("KHB-ENG"), "purpose": "action"}], "note": "للدراسة"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Every event they recorded says whose authority they used; so does the audit log.
    let (_, timeline) = app.get("clerk", &format!("{path}/timeline")).await;
    let by_deputy: Vec<&Value> =
        timeline.as_array().unwrap().iter().filter(|e| e["actor"]["username"] == "hr.emp").collect();
    assert_eq!(by_deputy.len(), 3, "received, forwarded, referred: {timeline}");
    for e in by_deputy {
        assert_eq!(e["on_behalf_of"]["username"], "khb.head", "{e}");
    }
    let (_, audit) = app.get("auditor", &format!("/api/v1/audit?transaction_id={first}&action=forwarded")).await;
    assert_eq!(audit["items"][0]["on_behalf_of"]["username"], "khb.head", "{audit}");
    // The manager's own actions stay their own.
    let (_, actions) = app.get("khb.head", &format!("{path}/timeline")).await;
    assert!(
        actions.as_array().unwrap().iter().all(|e| e["actor"]["username"] != "khb.head" || e["on_behalf_of"].is_null())
    );

    // A letter that arrives during the delegation and is never touched by the deputy...
    let (second, _) = to_khobar(&app, "طلب ترخيص لوحة").await;
    let second_path = format!("/api/v1/transactions/{second}");
    assert_eq!(app.get("hr.emp", &second_path).await.0, StatusCode::OK);
    // ...is gone for them once the manager ends the delegation; what they worked on stays theirs to see.
    let r =
        app.call(Some("khb.head"), Method::DELETE, &format!("/api/v1/delegations/{}", delegation["id"]), None).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT, "{}", r.1);
    assert_problem(&app.get("hr.emp", &second_path).await, StatusCode::NOT_FOUND, "transaction_not_found");
    assert_eq!(app.get("hr.emp", &path).await.0, StatusCode::OK);
    let (_, counts) = app.get("hr.emp", "/api/v1/inbox/counts").await;
    assert_eq!(counts["unit"], 0, "{counts}");
    let (_, mine) = app.get("khb.head", "/api/v1/delegations").await;
    assert_eq!(mine[0]["active"], false);
    assert!(mine[0]["ended_at"].is_string());
}

#[tokio::test]
async fn a_delegation_for_later_is_in_force_only_from_its_start() {
    let app = TestApp::spawn().await;
    let (id, referral) = to_khobar(&app, "طلب").await;
    let path = format!("/api/v1/transactions/{id}");
    let (status, body) = delegate(
        &app,
        "khb.head",
        json!({"deputy_user_id": app.user("hr.emp"), "starts_at": in_seconds(2), "ends_at": in_seconds(3600)}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["active"], false, "{body}");
    // Before it starts the deputy has nothing of the manager's: not the letter, not the queue, not the right to act.
    assert_problem(&app.get("hr.emp", &path).await, StatusCode::NOT_FOUND, "transaction_not_found");
    let (_, counts) = app.get("hr.emp", "/api/v1/inbox/counts").await;
    assert_eq!(counts["unit"], 0, "{counts}");
    let r = app.post("hr.emp", &format!("/api/v1/referrals/{}/receive", referral["id"]), json!({})).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "referral_not_found");
    tokio::time::sleep(std::time::Duration::from_millis(2_300)).await;
    // From its start, they do.
    assert_eq!(app.get("hr.emp", &path).await.0, StatusCode::OK);
    let (_, counts) = app.get("hr.emp", "/api/v1/inbox/counts").await;
    assert_eq!(counts["unit"], 1, "{counts}");
    let (_, mine) = app.get("hr.emp", "/api/v1/delegations").await;
    assert_eq!(mine[0]["active"], true, "{mine}");
}

#[tokio::test]
async fn a_delegation_ends_by_itself() {
    let app = TestApp::spawn().await;
    let (id, _) = to_khobar(&app, "طلب").await;
    let path = format!("/api/v1/transactions/{id}");
    let (status, body) =
        delegate(&app, "khb.head", json!({"deputy_user_id": app.user("hr.emp"), "ends_at": in_seconds(2)})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(app.get("hr.emp", &path).await.0, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2_300)).await;
    assert_problem(&app.get("hr.emp", &path).await, StatusCode::NOT_FOUND, "transaction_not_found");
    let (_, mine) = app.get("hr.emp", "/api/v1/delegations").await;
    assert_eq!(mine[0]["active"], false, "{mine}");
    assert!(mine[0]["ended_at"].is_null(), "it ran its course: {mine}");
}

#[tokio::test]
async fn who_may_delegate_to_whom_and_for_how_long() {
    let app = TestApp::spawn().await;
    let before = app.counts();
    let ok_until = in_seconds(3600);
    let deputy = app.user("hr.emp");
    // Only managers delegate, and only their own authority (administrators: anyone's).
    assert_problem(
        &delegate(&app, "khb.emp", json!({"deputy_user_id": deputy, "ends_at": ok_until})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_problem(
        &delegate(
            &app,
            "hr.head",
            json!({"deputy_user_id": deputy, "ends_at": ok_until, "delegator_user_id": app.user("khb.head")}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    for (body, field) in [
        (json!({"deputy_user_id": app.user("khb.head"), "ends_at": ok_until}), "deputy_user_id"),
        (json!({"deputy_user_id": 999_999, "ends_at": ok_until}), "deputy_user_id"),
        (json!({"deputy_user_id": app.user("auditor"), "ends_at": ok_until}), "deputy_user_id"),
        (json!({"deputy_user_id": deputy, "ends_at": in_seconds(-60)}), "ends_at"),
        (json!({"deputy_user_id": deputy, "starts_at": in_seconds(7200), "ends_at": ok_until}), "ends_at"),
        (json!({"deputy_user_id": deputy, "ends_at": in_seconds(400 * 86_400)}), "ends_at"),
    ] {
        let r = delegate(&app, "khb.head", body.clone()).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(r.1["errors"][0]["field"], field, "{body}: {}", r.1);
    }
    assert_eq!(app.counts(), before);
    let (status, body) = delegate(
        &app,
        "admin",
        json!({"deputy_user_id": deputy, "ends_at": ok_until, "delegator_user_id": app.user("khb.head")}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["delegator"]["username"], "khb.head");
    // Someone else's delegation does not exist for a stranger.
    let r = app.call(Some("eng.emp"), Method::DELETE, &format!("/api/v1/delegations/{}", body["id"]), None).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "delegation_not_found");
    // The deputy may end it.
    let r = app.call(Some("hr.emp"), Method::DELETE, &format!("/api/v1/delegations/{}", body["id"]), None).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT);
}
