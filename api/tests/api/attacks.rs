//! Attacks: tokens made with the server's own key but wrong in one claim, hostile values in every filter and
//! parameter, and other people's records reached by guessing ids. (The permission matrix, `permissions.rs`, covers
//! every transaction endpoint for people off the route; `auth.rs` covers forged, expired and `alg: none` tokens and
//! refresh-token reuse.)

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};

const SECRET: &str = "a test signing secret of sufficient length 0123456789";

async fn status_with(app: &TestApp, token: &str) -> (StatusCode, Value) {
    let res = app.client.get(app.url("/api/v1/inbox")).bearer_auth(token).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn tokens_signed_with_the_real_key_but_wrong_in_any_claim_get_401() {
    let app = TestApp::spawn_with(|s| s.jwt_secret = Some(SECRET.to_string().into())).await;
    let now = chrono::Utc::now().timestamp();
    let user = app.user("khb.emp").to_string();
    // A live session of that user, and one that has ended.
    let session_of = |tokens: Value| {
        let (client, url) = (app.client.clone(), app.url("/api/v1/auth/sessions"));
        async move {
            let access = tokens["access_token"].as_str().unwrap().to_string();
            let sessions: Value = client.get(url).bearer_auth(access).send().await.unwrap().json().await.unwrap();
            sessions.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"].clone()
        }
    };
    let live = session_of(app.login("khb.emp").await).await;
    let ended_tokens = app.login("khb.emp").await;
    let ended = session_of(ended_tokens.clone()).await;
    let (status, _) = app
        .call(None, Method::POST, "/api/v1/auth/logout", Some(json!({"refresh_token": ended_tokens["refresh_token"]})))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let other_user = app.login("hr.emp").await;
    let others = session_of(other_user).await;
    let good = json!({"sub": user, "iss": "muamalat", "aud": "muamalat-api", "iat": now, "exp": now + 600,
                      "typ": "access", "sid": live});
    let sign = |alg: Algorithm, claims: &Value| {
        jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(SECRET.as_bytes())).unwrap()
    };
    // The control: right in every claim, accepted.
    assert_eq!(status_with(&app, &sign(Algorithm::HS256, &good)).await.0, StatusCode::OK);
    let with = |field: &str, value: Value| {
        let mut c = good.clone();
        c[field] = value;
        c
    };
    let without = |field: &str| {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(field);
        c
    };
    let cases = [
        ("another audience (an agency's)", sign(Algorithm::HS256, &with("aud", json!("muamalat-agency")))),
        ("another issuer", sign(Algorithm::HS256, &with("iss", json!("someone-else")))),
        ("a refresh-type token", sign(Algorithm::HS256, &with("typ", json!("refresh")))),
        ("expired", sign(Algorithm::HS256, &with("exp", json!(now - 120)))),
        ("no expiry", sign(Algorithm::HS256, &without("exp"))),
        ("no audience", sign(Algorithm::HS256, &without("aud"))),
        ("a subject that is not a user id", sign(Algorithm::HS256, &with("sub", json!("1 OR 1=1")))),
        ("a user that does not exist", sign(Algorithm::HS256, &with("sub", json!("987654")))),
        ("HS512 with the same key", sign(Algorithm::HS512, &good)),
        ("HS384 with the same key", sign(Algorithm::HS384, &good)),
        ("no session", sign(Algorithm::HS256, &without("sid"))),
        ("a session that has ended", sign(Algorithm::HS256, &with("sid", ended))),
        ("another user's session", sign(Algorithm::HS256, &with("sid", others))),
        ("a session that never was", sign(Algorithm::HS256, &with("sid", json!("' OR 1=1 --")))),
    ];
    for (what, token) in cases {
        let (status, body) = status_with(&app, &token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_eq!(body["code"], "invalid_token", "{what}: {body}");
    }
}

#[tokio::test]
async fn hostile_values_in_filters_and_parameters_are_plain_values() {
    let app = TestApp::spawn().await;
    app.register_incoming("معاملة للاختبار", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    let before = app.counts();
    let hostile = [
        "' OR '1'='1",
        "1; DROP TABLE transactions; --",
        "%",
        "_",
        "\\",
        "\") OR 1=1 --",
        "admin'--",
        "١٢٣",
        "<script>alert(1)</script>",
    ];
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    for value in hostile {
        let v = enc(value);
        // Free-text searches match nothing (LIKE wildcards are escaped, so `%` and `_` are literal too).
        for path in [format!("/api/v1/users?q={v}"), format!("/api/v1/external-entities?q={v}")] {
            let (status, body) = app.get("admin", &path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert_eq!(body, json!([]), "{path}");
        }
        // Text filters of the audit log match nothing.
        for path in [format!("/api/v1/audit?action={v}"), format!("/api/v1/audit?object_type={v}")] {
            let (status, body) = app.get("auditor", &path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert_eq!(body["items"], json!([]), "{path}");
        }
        // Typed parameters refuse what is not their type; cursors refuse what the server did not give out.
        let khb = app.unit("KHB");
        for path in [
            format!("/api/v1/audit?from={v}"),
            format!("/api/v1/audit?to={v}"),
            format!("/api/v1/audit?user_id={v}"),
            format!("/api/v1/audit?transaction_id={v}"),
            format!("/api/v1/audit?limit={v}"),
            format!("/api/v1/audit?cursor={v}"),
            format!("/api/v1/units/{khb}/overview?kind={v}"),
            format!("/api/v1/units/{khb}/overview?status={v}"),
            format!("/api/v1/units/{khb}/overview?priority={v}"),
            format!("/api/v1/units/{khb}/overview?overdue={v}"),
            format!("/api/v1/units/{khb}/overview?limit={v}"),
            format!("/api/v1/inbox?box={v}"),
            format!("/api/v1/inbox?priority={v}"),
            format!("/api/v1/inbox?status={v}"),
            format!("/api/v1/inbox?kind={v}"),
            format!("/api/v1/inbox?overdue={v}"),
            format!("/api/v1/inbox?cursor={v}"),
            format!("/api/v1/inbox?limit={v}"),
            format!("/api/v1/drafts?cursor={v}"),
            format!("/api/v1/units/{}/overview?cursor={v}", app.unit("KHB")),
            format!("/api/v1/units/{}/overview?sort={v}", app.unit("KHB")),
            format!("/api/v1/users?unit_id={v}"),
        ] {
            let who = if path.contains("overview") {
                "khb.head"
            } else if path.contains("audit") {
                "auditor"
            } else {
                "khb.emp"
            };
            let r = app.get(who, &path).await;
            assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_parameter");
        }
        // Path ids that are not numbers are a 400 or a 404, never a server error.
        for path in [format!("/api/v1/transactions/{v}"), format!("/api/v1/referrals/{v}/receive")] {
            let r = app.call(Some("khb.emp"), Method::GET, &path, None).await;
            assert!(
                r.0 == StatusCode::BAD_REQUEST || r.0 == StatusCode::NOT_FOUND || r.0 == StatusCode::METHOD_NOT_ALLOWED,
                "{path}: {r:?}"
            );
        }
        // Stored as typed, shown back as typed.
        let (status, body) =
            app.post("khb.head", "/api/v1/transactions", json!({"kind": "internal", "subject": value})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["transaction"]["subject"], value);
    }
    // Nothing else changed (the drafts above are the only new rows).
    let after = app.counts();
    let n = hostile.len() as i64;
    let changed: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).map(|(b, a)| (b.0, a.1 - b.1)).collect();
    assert_eq!(changed, [("transactions", n), ("events", n), ("audit", n)]);
}

#[tokio::test]
async fn guessed_ids_of_other_peoples_records_are_not_found_like_missing_ones() {
    let app = TestApp::spawn().await;
    let t = app.register_incoming("سري للغاية", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    let id = t["transaction"]["id"].as_i64().unwrap();
    let referral = t["referrals"][0]["id"].as_i64().unwrap();
    // HR's employee tries the real ids and ids that do not exist: the answers are the same.
    for (real, missing) in [
        (format!("/api/v1/transactions/{id}"), format!("/api/v1/transactions/{}", id + 1000)),
        (format!("/api/v1/transactions/{id}/timeline"), format!("/api/v1/transactions/{}/timeline", id + 1000)),
    ] {
        let a = app.get("hr.emp", &real).await;
        let b = app.get("hr.emp", &missing).await;
        assert_eq!(a.0, StatusCode::NOT_FOUND);
        assert_eq!((a.0, &a.1["code"], &a.1["title"]), (b.0, &b.1["code"], &b.1["title"]));
    }
    let a = app.post("hr.emp", &format!("/api/v1/referrals/{referral}/receive"), json!({})).await;
    let b = app.post("hr.emp", &format!("/api/v1/referrals/{}/receive", referral + 1000), json!({})).await;
    assert_problem(&a, StatusCode::NOT_FOUND, "referral_not_found");
    assert_problem(&b, StatusCode::NOT_FOUND, "referral_not_found");
}

/// The agency endpoints take only tokens the server issued to an active API client: forged, expired, `alg: none`,
/// another audience (a person's), another type, an unknown or revoked client — each 401, and nothing is submitted.
#[tokio::test]
async fn agency_tokens_wrong_in_any_way_get_401_on_every_agency_endpoint() {
    use base64::Engine;
    let app = TestApp::spawn_with(|s| s.jwt_secret = Some(SECRET.to_string().into())).await;
    let (status, creds) = app
        .post(
            "admin",
            "/api/v1/api-clients",
            json!({"name": "بوابة", "external_entity_id": app.fx.ministry, "scopes": ["submit", "read_submissions", "receive"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{creds}");
    let client = creds["client"]["id"].as_i64().unwrap().to_string();
    let (status, revoked) = app
        .post(
            "admin",
            "/api/v1/api-clients",
            json!({"name": "بوابة ملغاة", "external_entity_id": app.fx.ministry, "scopes": ["submit"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{revoked}");
    let revoked_id = revoked["client"]["id"].as_i64().unwrap();
    let (status, _) = app.call(Some("admin"), Method::DELETE, &format!("/api/v1/api-clients/{revoked_id}"), None).await;
    assert!(status.is_success());

    let now = chrono::Utc::now().timestamp();
    let good = json!({"sub": client, "iss": "muamalat", "aud": "muamalat-agency", "iat": now, "exp": now + 600,
                      "typ": "agency", "scope": "submit read_submissions receive"});
    let sign = |alg: Algorithm, key: &[u8], claims: &Value| {
        jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(key)).unwrap()
    };
    let with = |field: &str, value: Value| {
        let mut c = good.clone();
        c[field] = value;
        c
    };
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let key = SECRET.as_bytes();
    let endpoints = [
        (Method::GET, "/api/v1/agency/me"),
        (Method::GET, "/api/v1/agency/submissions"),
        (Method::POST, "/api/v1/agency/submissions"),
        (Method::GET, "/api/v1/agency/submissions/1"),
        (Method::GET, "/api/v1/agency/correspondence"),
        (Method::GET, "/api/v1/agency/correspondence/1"),
        (Method::GET, "/api/v1/agency/correspondence/1/documents/1/content"),
    ];
    let call = |token: String, method: Method, path: &'static str| {
        let (client, url) = (app.client.clone(), app.url(path));
        async move {
            let mut req = client.request(method.clone(), url).bearer_auth(token);
            if method == Method::POST {
                req = req.json(&json!({"subject": "خطاب", "sender_reference": "R/1"}));
            }
            let res = req.send().await.unwrap();
            (res.status(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // The control: right in every claim, accepted.
    let (status, body) = call(sign(Algorithm::HS256, key, &good), Method::GET, "/api/v1/agency/me").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let staff = app.token("clerk").await;
    let cases = [
        ("signed with another key", sign(Algorithm::HS256, b"not the server's key at all, no", &good)),
        ("alg none", format!("{}.{}.", b64(json!({"alg": "none", "typ": "JWT"})), b64(good.clone()))),
        ("expired", sign(Algorithm::HS256, key, &with("exp", json!(now - 120)))),
        ("a person's audience", sign(Algorithm::HS256, key, &with("aud", json!("muamalat-api")))),
        ("an access-type token", sign(Algorithm::HS256, key, &with("typ", json!("access")))),
        ("HS512 with the same key", sign(Algorithm::HS512, key, &good)),
        ("a client that does not exist", sign(Algorithm::HS256, key, &with("sub", json!("987654")))),
        ("a revoked client", sign(Algorithm::HS256, key, &with("sub", json!(revoked_id.to_string())))),
        ("a subject that is not an id", sign(Algorithm::HS256, key, &with("sub", json!("1 OR 1=1")))),
        ("a member of staff's real token", staff),
    ];
    let before = app.counts();
    for (what, token) in cases {
        for (method, path) in &endpoints {
            let (status, body) = call(token.clone(), method.clone(), path).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}, {method} {path}: {body}");
            assert!(
                ["invalid_token", "invalid_client"].contains(&body["code"].as_str().unwrap_or("")),
                "{what}: {body}"
            );
        }
    }
    assert_eq!(app.counts(), before, "nothing was submitted");
}
