//! External agencies as API clients: registration with a secret shown once, rotation and revocation, the OAuth2
//! client-credentials token endpoint, scoped tokens that open the agency endpoints and nothing else.

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, upload_text};

async fn register(app: &TestApp, scopes: Value) -> Value {
    let (status, body) = app
        .post(
            "admin",
            "/api/v1/api-clients",
            json!({"name": "بوابة مراسلات الوزارة", "external_entity_id": app.fx.ministry, "scopes": scopes}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn token_form(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, Value, Option<String>) {
    let res = app.client.post(app.url("/api/v1/oauth/token")).form(form).send().await.unwrap();
    let status = res.status();
    let cache = res.headers().get("cache-control").map(|v| v.to_str().unwrap().to_string());
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{body}");
    }
    (status, body, cache)
}

async fn token_for(app: &TestApp, creds: &Value) -> String {
    let (id, secret) = (creds["client"]["client_id"].as_str().unwrap(), creds["client_secret"].as_str().unwrap());
    let (status, body, _) =
        token_form(app, &[("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

async fn get_with(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let res = app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_agency_gets_a_scoped_token_that_opens_its_endpoints_and_nothing_else() {
    let app = TestApp::spawn().await;
    assert_problem(
        &app.post(
            "khb.head",
            "/api/v1/api-clients",
            json!({"name": "x", "external_entity_id": app.fx.ministry, "scopes": ["submit"]}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let creds = register(&app, json!(["submit", "read_submissions"])).await;
    let client_id = creds["client"]["client_id"].as_str().unwrap().to_string();
    let secret = creds["client_secret"].as_str().unwrap().to_string();
    assert!(secret.len() >= 40);
    assert_eq!(creds["client"]["external_entity"]["code"], "MOMAH");
    // The secret is shown once: never in the list, never stored as such.
    let (_, listed) = app.get("admin", "/api/v1/api-clients").await;
    assert_eq!(listed[0]["client_id"], json!(client_id));
    assert!(!listed.to_string().contains(&secret));
    let mut conn = app.pool.get().unwrap();
    use diesel::prelude::*;
    let stored: String = muamalat::schema::api_clients::table
        .select(muamalat::schema::api_clients::secret_hash)
        .first(&mut conn)
        .unwrap();
    assert_ne!(stored, secret);
    drop(conn);

    // Client credentials in the body, or with HTTP Basic; all the client's scopes unless fewer are asked.
    let (status, body, cache) = token_form(
        &app,
        &[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", &secret)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "read_submissions submit");
    assert_eq!(cache.as_deref(), Some("no-store"));
    let token = body["access_token"].as_str().unwrap().to_string();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let res = app
        .client
        .post(app.url("/api/v1/oauth/token"))
        .header("Authorization", format!("Basic {basic}"))
        .form(&[("grant_type", "client_credentials"), ("scope", "submit")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["scope"], "submit");

    // Wrong secret, unknown client, other grants, scopes the client does not have.
    for (form, status, code) in [
        (
            vec![("grant_type", "client_credentials"), ("client_id", client_id.as_str()), ("client_secret", "guess")],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "agency-nobody"),
                ("client_secret", secret.as_str()),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (vec![("grant_type", "client_credentials")], StatusCode::UNAUTHORIZED, "invalid_client"),
        (
            vec![("grant_type", "password"), ("client_id", client_id.as_str()), ("client_secret", secret.as_str())],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", client_id.as_str()),
                ("client_secret", secret.as_str()),
                ("scope", "receive"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (vec![("client_id", client_id.as_str())], StatusCode::BAD_REQUEST, "invalid_parameter"),
    ] {
        let (got, body, _) = token_form(&app, &form).await;
        assert_eq!((got, body["code"].as_str().unwrap_or_default()), (status, code), "{form:?}: {body}");
    }
    let res = app
        .client
        .post(app.url("/api/v1/oauth/token"))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // The agency's token opens the agency endpoints, and no staff endpoint; a staff token opens no agency one.
    let (status, me) = get_with(&app, &token, "/api/v1/agency/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["client_id"], json!(client_id));
    for path in ["/api/v1/me", "/api/v1/inbox", "/api/v1/units", "/api/v1/transactions/1", "/api/v1/audit"] {
        let (status, body) = get_with(&app, &token, path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
        assert_eq!(body["code"], "invalid_token");
    }
    let staff = app.token("admin").await;
    assert_eq!(get_with(&app, &staff, "/api/v1/agency/me").await.0, StatusCode::UNAUTHORIZED);

    // Token requests are audited with the client as the actor.
    let (_, audit) = app.get("auditor", "/api/v1/audit?action=client_token_issued").await;
    assert_eq!(audit["items"][0]["client_id"], creds["client"]["id"], "{audit}");
    assert!(audit["items"][0]["user"].is_null());
}

#[tokio::test]
async fn rotating_a_secret_and_revoking_a_client_take_effect_at_once() {
    let app = TestApp::spawn().await;
    let creds = register(&app, json!(["read_submissions"])).await;
    let id = creds["client"]["id"].as_i64().unwrap();
    let client_id = creds["client"]["client_id"].as_str().unwrap().to_string();
    let old_secret = creds["client_secret"].as_str().unwrap().to_string();
    let token = token_for(&app, &creds).await;

    let (status, rotated) = app.post("admin", &format!("/api/v1/api-clients/{id}/secret"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    assert_ne!(rotated["client_secret"], json!(old_secret));
    let (status, body, _) = token_form(
        &app,
        &[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", &old_secret)],
    )
    .await;
    assert_eq!((status, body["code"].clone()), (StatusCode::UNAUTHORIZED, json!("invalid_client")));
    let fresh = token_for(&app, &rotated).await;
    assert_eq!(get_with(&app, &fresh, "/api/v1/agency/me").await.0, StatusCode::OK);
    // A token issued before the rotation lapses with its short lifetime.
    assert_eq!(get_with(&app, &token, "/api/v1/agency/me").await.0, StatusCode::OK);

    let r = app.call(Some("eng.emp"), Method::DELETE, &format!("/api/v1/api-clients/{id}"), None).await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = app.call(Some("admin"), Method::DELETE, &format!("/api/v1/api-clients/{id}"), None).await;
    assert_eq!(r.0, StatusCode::NO_CONTENT);
    let (status, body) = get_with(&app, &fresh, "/api/v1/agency/me").await;
    assert_eq!((status, body["code"].clone()), (StatusCode::UNAUTHORIZED, json!("invalid_client")));
    let (status, _, _) = token_form(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", rotated["client_secret"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let r = app.call(Some("admin"), Method::DELETE, "/api/v1/api-clients/999999", None).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "api_client_not_found");
}

#[tokio::test]
async fn submissions_are_rate_limited_per_client() {
    let app = TestApp::spawn_with(|s| s.submission_rate_per_minute = 2).await;
    let creds = register(&app, json!(["submit"])).await;
    let token = token_for(&app, &creds).await;
    let letter = json!({"subject": "خطاب", "sender_reference": "R/1"});
    for _ in 0..2 {
        let (status, body) =
            agency_call(&app, &token, Method::POST, "/api/v1/agency/submissions", Some(letter.clone())).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = agency_call(&app, &token, Method::POST, "/api/v1/agency/submissions", Some(letter)).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::TOO_MANY_REQUESTS, json!("rate_limited")));
}

#[tokio::test]
async fn every_request_of_an_api_client_counts_against_its_quota() {
    let app = TestApp::spawn_with(|s| s.agency_request_rate_per_minute = 3).await;
    let creds = register(&app, json!(["read_submissions", "receive"])).await;
    let token = token_for(&app, &creds).await;
    let other = token_for(&app, &register(&app, json!(["receive"])).await).await;
    for path in ["/api/v1/agency/me", "/api/v1/agency/submissions", "/api/v1/agency/correspondence"] {
        let (status, body) = agency_call(&app, &token, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    for path in ["/api/v1/agency/correspondence", "/api/v1/agency/correspondence/1/documents/1/content"] {
        let (status, body) = agency_call(&app, &token, Method::GET, path, None).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::TOO_MANY_REQUESTS, json!("rate_limited")), "{path}");
    }
    // Another client has its own quota.
    let (status, body) = agency_call(&app, &other, Method::GET, "/api/v1/agency/correspondence", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn token_requests_are_rate_limited_per_client() {
    let app = TestApp::spawn_with(|s| s.client_token_rate_per_minute = 3).await;
    let creds = register(&app, json!(["submit"])).await;
    let client_id = creds["client"]["client_id"].as_str().unwrap().to_string();
    for _ in 0..3 {
        let (status, _, _) = token_form(
            &app,
            &[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", "wrong")],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let res = app
        .client
        .post(app.url("/api/v1/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id.as_str()),
            ("client_secret", creds["client_secret"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
}

async fn agency_call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_agency_submits_the_registry_registers_and_the_number_goes_back() {
    let app = TestApp::spawn().await;
    let ministry = register(&app, json!(["submit", "read_submissions"])).await;
    let (status, company) = app
        .post(
            "admin",
            "/api/v1/api-clients",
            json!({"name": "بوابة أرامكو", "external_entity_id": app.fx.company, "scopes": ["submit", "read_submissions"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{company}");
    let (ministry_token, company_token) = (token_for(&app, &ministry).await, token_for(&app, &company).await);

    // The ministry submits a letter and its document.
    let (status, submission) = agency_call(
        &app,
        &ministry_token,
        Method::POST,
        "/api/v1/agency/submissions",
        Some(json!({"subject": "طلب بيانات المشاريع", "sender_reference": "MOMAH-1448/77", "sender_reference_date": "2026-11-26", "priority": "urgent"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{submission}");
    assert_eq!(submission["status"], "pending");
    assert_eq!(submission["sender"]["code"], "MOMAH");
    let id = submission["id"].as_i64().unwrap();
    let (status, with_doc) = upload_text(
        &app,
        &ministry_token,
        &format!("/api/v1/agency/submissions/{id}/documents"),
        "الخطاب",
        b"letter text",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{with_doc}");
    assert_eq!(with_doc["documents"].as_array().unwrap().len(), 1);
    let (status, body) =
        upload_text(&app, &ministry_token, &format!("/api/v1/agency/submissions/{id}/documents"), "فارغ", b"").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Another agency cannot see it, nor add to it; bad bodies change nothing.
    let path = format!("/api/v1/agency/submissions/{id}");
    let (status, body) = agency_call(&app, &company_token, Method::GET, &path, None).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::NOT_FOUND, json!("submission_not_found")));
    let (status, _) =
        upload_text(&app, &company_token, &format!("/api/v1/agency/submissions/{id}/documents"), "x", b"x").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, theirs) = agency_call(&app, &company_token, Method::GET, "/api/v1/agency/submissions", None).await;
    assert_eq!(theirs["items"], json!([]));
    let (status, body) =
        agency_call(&app, &ministry_token, Method::POST, "/api/v1/agency/submissions", Some(json!({"subject": ""})))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A token without the scope is refused.
    let (id_str, secret) =
        (ministry["client"]["client_id"].as_str().unwrap(), ministry["client_secret"].as_str().unwrap());
    let (_, narrow, _) = token_form(
        &app,
        &[("grant_type", "client_credentials"), ("client_id", id_str), ("client_secret", secret), ("scope", "submit")],
    )
    .await;
    let (status, _) = agency_call(&app, narrow["access_token"].as_str().unwrap(), Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The central registry's intake queue holds it; other registries do not work it.
    let (status, queue) = app.get("clerk", "/api/v1/intake").await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue["items"][0]["id"], json!(id));
    assert_problem(&app.get("khb.clerk", "/api/v1/intake").await, StatusCode::FORBIDDEN, "forbidden");
    assert_problem(&app.get("admin", "/api/v1/intake").await, StatusCode::FORBIDDEN, "forbidden");
    assert_problem(&app.get("khb.clerk", &format!("/api/v1/intake/{id}")).await, StatusCode::FORBIDDEN, "forbidden");

    // The clerk reads it and its document before deciding; the read is audited.
    let (status, seen) = app.get("clerk", &format!("/api/v1/intake/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    let document = seen["documents"][0]["id"].as_i64().unwrap();
    let res = app
        .client
        .get(app.url(&format!("/api/v1/intake/{id}/documents/{document}/content")))
        .bearer_auth(app.token("clerk").await)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["etag"].to_str().unwrap(),
        format!("\"{}\"", seen["documents"][0]["sha256"].as_str().unwrap())
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"letter text");
    let r = app.get("clerk", &format!("/api/v1/intake/{id}/documents/{}/content", document + 1000)).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "document_not_found");
    let (_, read) =
        app.get("auditor", &format!("/api/v1/audit?action=document_downloaded&user_id={}", app.user("clerk"))).await;
    assert_eq!(read["items"][0]["object_type"], "submission", "{read}");
    assert_eq!(read["items"][0]["details"]["document"], json!(document), "{read}");

    // A document the agency adds after the clerk looked makes a new version of the submission: registering what
    // the clerk saw is refused, so nothing arrives unseen.
    let (status, more) =
        upload_text(&app, &ministry_token, &format!("/api/v1/agency/submissions/{id}/documents"), "ملحق", b"annex")
            .await;
    assert_eq!(status, StatusCode::CREATED, "{more}");
    assert_eq!(more["version"], json!(seen["version"].as_i64().unwrap() + 1), "{more}");
    let stale = app
        .post(
            "clerk",
            &format!("/api/v1/intake/{id}/register"),
            json!({"referrals": [{"unit_id": app.unit("KHB"), "purpose": "action"}], "expected_version": seen["version"]}),
        )
        .await;
    assert_problem(&stale, StatusCode::CONFLICT, "version_conflict");
    let (_, seen) = app.get("clerk", &format!("/api/v1/intake/{id}")).await;
    assert_eq!(seen["documents"].as_array().unwrap().len(), 2, "{seen}");

    // The clerk registers it: an incoming transaction from the ministry, numbered, with the document, referred.
    let (status, registered) = app
        .post(
            "clerk",
            &format!("/api/v1/intake/{id}/register"),
            json!({"referrals": [{"unit_id": app.unit("KHB"), "purpose": "action"}], "expected_version": seen["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let t = &registered["transaction"];
    assert_eq!(t["kind"], "incoming");
    assert_eq!(t["external_entity"]["code"], "MOMAH");
    assert_eq!(t["sender_reference"], "MOMAH-1448/77");
    assert_eq!(t["priority"], "urgent");
    let number = t["registration_number"].as_str().unwrap().to_string();
    let (_, docs) = app.get("clerk", &format!("/api/v1/transactions/{}/documents", t["id"])).await;
    assert_eq!(docs[0]["versions"][0]["sha256"], with_doc["documents"][0]["sha256"], "{docs}");
    assert_eq!(docs.as_array().unwrap().len(), 2, "the annex came too: {docs}");
    assert_problem(
        &app.post("clerk", &format!("/api/v1/intake/{id}/register"), json!({})).await,
        StatusCode::CONFLICT,
        "submission_decided",
    );

    // The number goes back to the agency.
    let (status, mine) = agency_call(&app, &ministry_token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["status"], "registered");
    assert_eq!(mine["registration_number"], json!(number));

    // A rejected submission says why.
    let (_, second) = agency_call(
        &app,
        &ministry_token,
        Method::POST,
        "/api/v1/agency/submissions",
        Some(json!({"subject": "مكرر", "sender_reference": "MOMAH-1448/78"})),
    )
    .await;
    let second_id = second["id"].as_i64().unwrap();
    let (status, rejected) =
        app.post("clerk", &format!("/api/v1/intake/{second_id}/reject"), json!({"reason": "مكرر للخطاب 77"})).await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    let (_, mine) = agency_call(&app, &ministry_token, Method::GET, "/api/v1/agency/submissions", None).await;
    assert_eq!(mine["items"][0]["status"], "rejected");
    assert_eq!(mine["items"][0]["decision_note"], "مكرر للخطاب 77");
    assert_eq!(mine["items"][1]["registration_number"], json!(number));
    // A page at a time.
    let (_, first) = agency_call(&app, &ministry_token, Method::GET, "/api/v1/agency/submissions?limit=1", None).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1, "{first}");
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, next) = agency_call(
        &app,
        &ministry_token,
        Method::GET,
        &format!("/api/v1/agency/submissions?limit=1&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(next["items"][0]["registration_number"], json!(number), "{next}");
    assert!(next["next_cursor"].is_null(), "{next}");

    // All of it is in the audit log, the agency's part with the client as the actor.
    let (_, audit) = app.get("auditor", "/api/v1/audit?object_type=submission&limit=50").await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for wanted in ["submission_received", "submission_document_added", "submission_registered", "submission_rejected"] {
        assert!(actions.contains(&wanted), "{wanted} missing from {actions:?}");
    }
    let received = audit["items"].as_array().unwrap().iter().find(|e| e["action"] == "submission_received").unwrap();
    assert_eq!(received["client_id"], ministry["client"]["id"]);
}

#[tokio::test]
async fn an_outgoing_letter_is_readable_by_the_agency_it_is_addressed_to_and_no_other() {
    let app = TestApp::spawn().await;
    let ministry = register(&app, json!(["receive"])).await;
    let (_, company) = app
        .post(
            "admin",
            "/api/v1/api-clients",
            json!({"name": "أرامكو", "external_entity_id": app.fx.company, "scopes": ["receive"]}),
        )
        .await;
    let (ministry_token, company_token) = (token_for(&app, &ministry).await, token_for(&app, &company).await);
    // An incoming letter from the ministry is not something sent to it.
    app.register_incoming("وارد من الوزارة", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    let (status, outgoing) = app
        .post(
            "clerk",
            "/api/v1/transactions",
            json!({"kind": "outgoing", "subject": "إفادة بشأن المشاريع", "external_entity_id": app.fx.ministry}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{outgoing}");
    let id = outgoing["transaction"]["id"].as_i64().unwrap();
    let number = outgoing["transaction"]["registration_number"].clone();
    let (status, document) = upload_text(
        &app,
        &app.token("clerk").await,
        &format!("/api/v1/transactions/{id}/documents"),
        "الإفادة",
        b"reply text",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");

    let (status, letters) =
        agency_call(&app, &ministry_token, Method::GET, "/api/v1/agency/correspondence", None).await;
    assert_eq!(status, StatusCode::OK, "{letters}");
    assert!(letters["next_cursor"].is_null(), "{letters}");
    let letters = letters["items"].clone();
    assert_eq!(letters.as_array().unwrap().len(), 1, "{letters}");
    assert_eq!(letters[0]["registration_number"], number);
    assert_eq!(letters[0]["documents"][0]["title"], "الإفادة");
    let doc = letters[0]["documents"][0]["id"].as_i64().unwrap();
    let content = format!("/api/v1/agency/correspondence/{id}/documents/{doc}/content");
    let res = app.client.get(app.url(&content)).bearer_auth(&ministry_token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"reply text");

    // Another agency finds nothing, by any route.
    let (_, theirs) = agency_call(&app, &company_token, Method::GET, "/api/v1/agency/correspondence", None).await;
    assert_eq!(theirs["items"], json!([]));
    for path in [format!("/api/v1/agency/correspondence/{id}"), content.clone()] {
        let (status, _) = agency_call(&app, &company_token, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // The ministry's download is audited with it as the actor.
    let (_, audit) = app.get("auditor", &format!("/api/v1/audit?action=document_downloaded&transaction_id={id}")).await;
    assert_eq!(audit["items"][0]["client_id"], ministry["client"]["id"], "{audit}");
}

/// A request body: its content type and bytes.
type Body = (String, Vec<u8>);

/// A `multipart/form-data` body of parts: (name, file name if a file, content).
fn form(parts: &[(&str, Option<&str>, &[u8])]) -> Body {
    let boundary = "muamalat-submission-7f3a";
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        if let Some(file) = file {
            body.extend_from_slice(
                format!("; filename=\"{file}\"\r\nContent-Type: application/octet-stream").as_bytes(),
            );
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The letter and its documents in one request: registered together, or — when any part is wrong — not at all.
#[tokio::test]
async fn a_letter_and_its_documents_are_submitted_in_one_request_or_not_at_all() {
    let app = TestApp::spawn().await;
    let token = token_for(&app, &register(&app, json!(["submit", "read_submissions"])).await).await;
    let send = |(content_type, body): Body| {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/agency/submissions"), token.clone());
        async move {
            let res = client.post(url).bearer_auth(token).header("content-type", content_type).body(body).send().await;
            let res = res.unwrap();
            (res.status(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let letter = json!({"subject": "طلب بيانات", "sender_reference": "MOMAH-1448/90"}).to_string();
    let (status, s) = send(form(&[
        ("letter", None, letter.as_bytes()),
        ("title", None, "الخطاب الأصلي".as_bytes()),
        ("file", Some("letter.txt"), b"the letter"),
        ("file", Some("annex.txt"), b"the annex"),
    ]))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    assert_eq!(s["status"], "pending");
    let docs = s["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2, "{s}");
    assert_eq!(docs[0]["title"], "الخطاب الأصلي");
    assert_eq!(docs[1]["title"], "annex.txt", "untitled: named by its file");
    assert_eq!(docs[1]["file_name"], "annex.txt");
    let (_, queue) = app.get("clerk", "/api/v1/intake").await;
    assert_eq!(queue["items"][0]["documents"].as_array().unwrap().len(), 2, "{queue}");

    // Anything wrong in the form leaves no submission at all.
    let before = app.counts();
    let zip = [b"PK\x03\x04".as_slice(), &[0_u8; 64]].concat();
    let cases: Vec<(&str, Body, StatusCode, &str)> = vec![
        (
            "an empty second file",
            form(&[("letter", None, letter.as_bytes()), ("file", Some("a.txt"), b"a"), ("file", Some("b.txt"), b"")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        ("no letter", form(&[("file", Some("a.txt"), b"a")]), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (
            "a letter that is not one",
            form(&[("letter", None, b"{\"subject\": 5}"), ("file", Some("a.txt"), b"a")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "a letter with an empty subject",
            form(&[("letter", None, br#"{"subject": " ", "sender_reference": "R"}"#), ("file", Some("a.txt"), b"a")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "an unknown part",
            form(&[("letter", None, letter.as_bytes()), ("extra", None, b"x")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "a title naming no file after it",
            form(&[("letter", None, letter.as_bytes()), ("file", Some("a.txt"), b"a"), ("title", None, b"\x01")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "two titles for one file",
            form(&[
                ("letter", None, letter.as_bytes()),
                ("title", None, b"one"),
                ("title", None, b"two"),
                ("file", Some("a.txt"), b"a"),
            ]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "a file of a kind not accepted",
            form(&[("letter", None, letter.as_bytes()), ("file", Some("a.txt"), b"a"), ("file", Some("x.zip"), &zip)]),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "a path for a file name",
            form(&[("letter", None, letter.as_bytes()), ("file", Some("../etc/passwd"), b"a")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "a body cut off",
            (
                "multipart/form-data; boundary=cut".to_string(),
                b"--cut\r\nContent-Disposition: form-data; name=\"letter\"\r\n\r\n{".to_vec(),
            ),
            StatusCode::BAD_REQUEST,
            "malformed_upload",
        ),
    ];
    for (what, body, status, code) in cases {
        let (got, problem) = send(body).await;
        assert_eq!((got, problem["code"].as_str()), (status, Some(code)), "{what}: {problem}");
    }
    // JSON bodies keep their own checks.
    let (status, problem) =
        send(("application/json".into(), br#"{"subject": "x", "sender_reference": "R", "extra": 1}"#.to_vec())).await;
    assert_eq!(
        (status, problem["errors"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_field"))
    );
    let (status, problem) = send(("application/json".into(), b"{not json".to_vec())).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
    assert_eq!(app.counts(), before, "nothing was submitted");
}

/// An agency receives the letters addressed to it only up to its clearance (default normal): a confidential reply
/// exists for a client cleared for it, and for no other, by any route.
#[tokio::test]
async fn an_agency_receives_only_letters_within_its_clearance() {
    let app = TestApp::spawn().await;
    let plain = register(&app, json!(["receive"])).await;
    assert_eq!(plain["client"]["clearance"], "normal", "{plain}");
    let (status, cleared) = app
        .post(
            "admin",
            "/api/v1/api-clients",
            json!({"name": "بوابة الوزارة السرية", "external_entity_id": app.fx.ministry, "scopes": ["receive"],
                   "clearance": "confidential"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cleared}");
    assert_eq!(cleared["client"]["clearance"], "confidential");
    // No administrator grants more than their own clearance; a level that does not exist is refused too.
    let (status, _) = app
        .post(
            "admin",
            "/api/v1/users",
            json!({"username": "admin2", "password": crate::helpers::PASSWORD, "full_name_ar": "مشرف", "full_name_en": "Admin",
                   "unit_id": app.unit("AMANAH"), "roles": ["admin"], "clearance": "confidential"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let before = app.counts();
    let r = app
        .post(
            "admin2",
            "/api/v1/api-clients",
            json!({"name": "x", "external_entity_id": app.fx.ministry, "scopes": ["receive"], "clearance": "top_secret"}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.1["errors"][0]["code"], "above_clearance", "{}", r.1);
    let r = app
        .post(
            "admin",
            "/api/v1/api-clients",
            json!({"name": "x", "external_entity_id": app.fx.ministry, "scopes": ["receive"], "clearance": "secret"}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(app.counts(), before);
    let (status, secret) = app
        .post(
            "clerk",
            "/api/v1/transactions",
            json!({"kind": "outgoing", "subject": "إفادة سرية", "external_entity_id": app.fx.ministry,
                   "confidentiality": "confidential"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{secret}");
    let id = secret["transaction"]["id"].as_i64().unwrap();
    let (status, document) =
        upload_text(&app, &app.token("clerk").await, &format!("/api/v1/transactions/{id}/documents"), "سري", b"x")
            .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    let document = document["id"].as_i64().unwrap();
    let (plain_token, cleared_token) = (token_for(&app, &plain).await, token_for(&app, &cleared).await);
    let paths = [
        format!("/api/v1/agency/correspondence/{id}"),
        format!("/api/v1/agency/correspondence/{id}/documents/{document}/content"),
    ];
    let (_, list) = agency_call(&app, &plain_token, Method::GET, "/api/v1/agency/correspondence", None).await;
    assert_eq!(list["items"], json!([]), "{list}");
    for path in &paths {
        let (status, body) = agency_call(&app, &plain_token, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    let (_, list) = agency_call(&app, &cleared_token, Method::GET, "/api/v1/agency/correspondence", None).await;
    assert_eq!(list["items"][0]["id"], json!(id), "{list}");
    let res = app.client.get(app.url(&paths[1])).bearer_auth(&cleared_token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
