//! What clients see, pinned: the main JSON answers and problem documents of one correspondence flow, as insta
//! snapshots (`api/tests/api/snapshots/`) with ids, times, tokens and the Hijri year masked. The same snapshots hold
//! on SQLite and PostgreSQL, so the two backends answer alike. After an intended change of an answer, review and
//! accept the new snapshots with `cargo insta review` (or `INSTA_UPDATE=always`).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, upload_text};

/// Mask what differs from run to run: ids, instants, tokens, digests of secrets, the Hijri year of numbers.
fn redacted(value: &Value) -> Value {
    fn walk(key: &str, value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), walk(k, v))).collect()),
            Value::Array(items) => Value::Array(items.iter().map(|v| walk(key, v)).collect()),
            Value::Number(_) if key == "id" || key.ends_with("_id") || key.ends_with("_ids") => json!("[id]"),
            Value::Number(_) if key == "hijri_year" => json!("[hijri year]"),
            Value::Number(_) if key.ends_with("_seconds") => json!("[seconds]"),
            Value::String(_)
                if key == "at"
                    || key.ends_with("_at")
                    || key.ends_with("_date")
                    || ["as_of", "since", "gregorian", "hijri"].contains(&key) =>
            {
                json!("[time]")
            }
            Value::String(_) if key.ends_with("token") || key == "sid" => json!("[token]"),
            Value::String(s) if key == "registration_number" => {
                // `1448/000001` or `KHB-1448/000001`: the year moves with the calendar, the sequence does not.
                let (head, sequence) = s.rsplit_once('/').unwrap_or(("", s));
                let prefix = head.rsplit_once('-').map(|(p, _)| format!("{p}-")).unwrap_or_default();
                json!(format!("{prefix}[year]/{sequence}"))
            }
            Value::String(s) if key == "detail" || key.ends_with("_url") => json!(mask_numbers(s)),
            other => other.clone(),
        }
    }
    walk("", value)
}

/// Numbers that are ids: in a problem's `detail` ("No transaction 42.") and in links
/// (`/api/v1/documents/7/versions/1/content`), the digits after a space or a slash.
fn mask_numbers(text: &str) -> String {
    let mut out = String::new();
    let mut previous = ' ';
    let mut masking = false;
    for c in text.chars() {
        if c.is_ascii_digit() && (masking || previous == ' ' || previous == '/') {
            if !masking {
                out.push('N');
            }
            masking = true;
        } else {
            masking = false;
            out.push(c);
        }
        previous = c;
    }
    out
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(&redacted(value)).unwrap_or_default()
}

#[tokio::test]
async fn main_answers_and_problems_look_as_pinned() {
    let app = TestApp::spawn().await;
    let khb = app.unit("KHB");
    let eng = app.unit("KHB-ENG");

    // Signing in.
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "khb.head", "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    insta::assert_snapshot!("sign_in", pretty(&res.json::<Value>().await.unwrap()));

    // Registering an incoming letter referred for action and for information.
    let t = app
        .register_incoming(
            "طلب ترخيص بناء",
            json!([{"unit_id": khb, "purpose": "action", "instructions": "للإفادة"},
                   {"unit_id": eng, "purpose": "information"}]),
        )
        .await;
    insta::assert_snapshot!("registered", pretty(&t));
    let id = t["transaction"]["id"].as_i64().unwrap();

    // The holder's inbox, its counts, and what they may do.
    let (_, inbox) = app.get("khb.head", "/api/v1/inbox?box=unit").await;
    insta::assert_snapshot!("inbox_unit", pretty(&inbox));
    let (_, counts) = app.get("khb.head", "/api/v1/inbox/counts").await;
    insta::assert_snapshot!("inbox_counts", pretty(&counts));
    let (_, actions) = app.get("khb.head", &format!("/api/v1/transactions/{id}/actions")).await;
    insta::assert_snapshot!("allowed_actions", pretty(&actions));

    // Receiving, then a document.
    let referral = app.referral_to(&t["referrals"], "KHB").clone();
    let (status, received) = app
        .post(
            "khb.head",
            &format!("/api/v1/referrals/{}/receive", referral["id"]),
            json!({"expected_version": referral["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{received}");
    insta::assert_snapshot!("received", pretty(&received));
    let token = app.token("khb.head").await;
    let (status, document) =
        upload_text(&app, &token, &format!("/api/v1/transactions/{id}/documents"), "الخطاب", b"letter text").await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    insta::assert_snapshot!("document", pretty(&document));

    // Where it is and how long it has stayed.
    let (_, transaction) = app.get("khb.head", &format!("/api/v1/transactions/{id}")).await;
    insta::assert_snapshot!("transaction", pretty(&transaction));
    let (_, timeline) = app.get("khb.head", &format!("/api/v1/transactions/{id}/timeline")).await;
    insta::assert_snapshot!("timeline", pretty(&timeline));
    let (_, location) = app.get("khb.head", &format!("/api/v1/transactions/{id}/location")).await;
    insta::assert_snapshot!("location", pretty(&location));
    let (_, dwell) = app.get("khb.head", &format!("/api/v1/transactions/{id}/dwell")).await;
    insta::assert_snapshot!("dwell", pretty(&dwell));

    // Problem documents, each with its stable code.
    let problems = [
        ("not_found", app.get("khb.head", "/api/v1/transactions/424242").await),
        ("bad_parameter", app.get("khb.head", "/api/v1/inbox?box=everything").await),
        (
            "validation_failed",
            app.post("clerk", "/api/v1/transactions", json!({"kind": "internal", "subject": " "})).await,
        ),
        (
            "version_conflict",
            app.post(
                "khb.head",
                &format!("/api/v1/referrals/{}/complete", referral["id"]),
                json!({"expected_version": 1, "note": "تم"}),
            )
            .await,
        ),
        ("unauthenticated", app.call(None, Method::GET, "/api/v1/inbox", None).await),
        ("method_not_allowed", app.call(Some("khb.head"), Method::DELETE, "/api/v1/inbox", None).await),
    ];
    for (name, (status, body)) in problems {
        assert!(status.is_client_error(), "{name}: {status} {body}");
        insta::assert_snapshot!(format!("problem_{name}"), pretty(&body));
    }
}
