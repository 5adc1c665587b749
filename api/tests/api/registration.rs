use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};

fn hijri_year_now() -> i32 {
    muamalat::calendar::hijri_year_at(chrono::Utc::now())
}

#[tokio::test]
async fn incoming_letters_are_numbered_per_registry_and_hijri_year() {
    let app = TestApp::spawn().await;
    let year = hijri_year_now();
    let first = app.register_incoming("الأول", json!([])).await;
    let second = app.register_incoming("الثاني", json!([])).await;
    assert_eq!(first["transaction"]["registration_number"], format!("{year}/000001"));
    assert_eq!(second["transaction"]["registration_number"], format!("{year}/000002"));
    assert_eq!(first["transaction"]["status"], "open");
    assert_eq!(first["transaction"]["kind"], "incoming");
    assert_eq!(first["transaction"]["external_entity"]["code"], "MOMAH");
    assert_eq!(first["transaction"]["sender_reference"], "MOMAH/1447/55");
    assert_eq!(first["transaction"]["registry"]["code"], "CR");
    let hijri = first["transaction"]["registered_on"]["hijri"].as_str().unwrap();
    assert!(hijri.starts_with(&format!("{year}-")), "{hijri}");
    // Khobar's own registry numbers with its prefix, independently.
    let (status, khb) = app
        .post(
            "khb.clerk",
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": "خطاب", "external_entity_id": app.fx.company}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{khb}");
    assert_eq!(khb["transaction"]["registration_number"], format!("KHB-{year}/000001"));
}

#[tokio::test]
async fn only_registry_clerks_register_incoming_mail() {
    let app = TestApp::spawn().await;
    let before = app.counts();
    let r = app
        .post(
            "khb.emp",
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": "x", "external_entity_id": app.fx.ministry}),
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = app.post("auditor", "/api/v1/transactions", json!({"kind": "internal", "subject": "x"})).await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(app.counts(), before);
}

#[tokio::test]
async fn outgoing_letters_reply_to_incoming_ones() {
    let app = TestApp::spawn().await;
    let incoming = app.register_incoming("طلب بيانات", json!([])).await;
    let in_id = incoming["transaction"]["id"].as_i64().unwrap();
    let (status, out) = app
        .post(
            "clerk",
            "/api/v1/transactions",
            json!({"kind": "outgoing", "subject": "الرد على طلب البيانات", "external_entity_id": app.fx.ministry,
                   "links": [{"kind": "reply_to", "transaction_id": in_id}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{out}");
    assert_eq!(out["transaction"]["links"][0]["kind"], "reply_to");
    assert_eq!(out["transaction"]["links"][0]["direction"], "outbound");
    let (_, original) = app.get("clerk", &format!("/api/v1/transactions/{in_id}")).await;
    assert_eq!(original["links"][0]["direction"], "inbound");
    assert_eq!(original["links"][0]["transaction_id"], out["transaction"]["id"]);
}

#[tokio::test]
async fn internal_drafts_are_edited_then_sent_straight_to_the_target() {
    let app = TestApp::spawn().await;
    let (status, draft) =
        app.post("eng.emp", "/api/v1/transactions", json!({"kind": "internal", "subject": "مسودة"})).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let t = &draft["transaction"];
    assert_eq!(t["status"], "draft");
    assert!(t["registration_number"].is_null());
    let id = t["id"].as_i64().unwrap();
    // It waits among the author's drafts, which the author alone may edit and send.
    let (status, drafts) = app.get("eng.emp", "/api/v1/drafts").await;
    assert_eq!(status, StatusCode::OK, "{drafts}");
    assert_eq!(drafts["items"][0]["id"], json!(id));
    assert_eq!(drafts["items"][0]["status"], "draft");
    let (_, others) = app.get("hr.emp", "/api/v1/drafts").await;
    assert_eq!(others["items"], json!([]));
    let (_, actions) = app.get("eng.emp", &format!("/api/v1/transactions/{id}/actions")).await;
    assert_eq!(
        (actions["edit_draft"].clone(), actions["send"].clone(), actions["refer"].clone()),
        (json!(true), json!(true), json!(false))
    );
    let r = app.get("eng.emp", "/api/v1/drafts?cursor=bogus").await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_parameter");
    let (status, edited) = app
        .call(
            Some("eng.emp"),
            Method::PATCH,
            &format!("/api/v1/transactions/{id}"),
            Some(json!({"subject": "طلب صيانة", "priority": "very_urgent", "expected_version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["subject"], "طلب صيانة");
    assert_eq!(edited["version"], 2);
    // A stale version is refused.
    let r = app
        .call(
            Some("eng.emp"),
            Method::PATCH,
            &format!("/api/v1/transactions/{id}"),
            Some(json!({"subject": "x", "expected_version": 1})),
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "version_conflict");
    // Someone else cannot send it, nor even see it.
    let r = app
        .post(
            "hr.emp",
            &format!("/api/v1/transactions/{id}/send"),
            json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}]}),
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, "transaction_not_found");
    let (status, sent) = app
        .post(
            "eng.emp",
            &format!("/api/v1/transactions/{id}/send"),
            json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    // Numbered by the author's nearest registry (Khobar), not the central registry.
    let year = hijri_year_now();
    assert_eq!(sent["transaction"]["registration_number"], format!("KHB-{year}/000001"));
    assert_eq!(sent["transaction"]["status"], "open");
    assert_eq!(sent["referrals"][0]["to_unit"]["code"], "HR");
    let (_, drafts) = app.get("eng.emp", "/api/v1/drafts").await;
    assert_eq!(drafts["items"], json!([]), "a sent draft is no longer a draft");
    // HR sees it in its unit queue.
    let (_, queue) = app.get("hr.emp", "/api/v1/inbox?box=unit").await;
    assert_eq!(queue["items"][0]["transaction"]["id"], json!(id));
    let r = app
        .post(
            "eng.emp",
            &format!("/api/v1/transactions/{id}/send"),
            json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}]}),
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "transaction_not_draft");
}

async fn raw(app: &TestApp, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/transactions"))
        .bearer_auth(app.token("clerk").await)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn bad_bodies_get_clear_problems_and_change_nothing() {
    let app = TestApp::spawn().await;
    let before = app.counts();
    let r = raw(&app, "application/json", b"{\"kind\": \"incoming\", \"subject\": ".to_vec()).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "malformed_json");
    let r = raw(&app, "text/plain", b"{}".to_vec()).await;
    assert_problem(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let big = format!("{{\"kind\":\"incoming\",\"subject\":\"{}\"}}", "x".repeat(300 * 1024));
    let r = raw(&app, "application/json", big.into_bytes()).await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let r = app.post("clerk", "/api/v1/transactions", json!({"kind": "incoming"})).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.1["errors"][0]["field"], "subject");
    assert_eq!(r.1["errors"][0]["code"], "required");
    let r = app.post("clerk", "/api/v1/transactions", json!({"kind": "incoming", "subject": 5})).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.1["errors"][0]["code"], "wrong_type");
    let r =
        app.post("clerk", "/api/v1/transactions", json!({"kind": "incoming", "subject": "x", "colour": "red"})).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.1["errors"][0]["field"], "colour");
    assert_eq!(r.1["errors"][0]["code"], "unknown_field");
    let r = app.post("clerk", "/api/v1/transactions", json!({"kind": "letter", "subject": "x"})).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let r = app
        .post(
            "clerk",
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": "  ", "external_entity_id": 424242, "attachments_count": -1,
                   "referrals": [{"unit_id": 999999, "purpose": "action"}, {"unit_id": app.unit("KHB"), "user_id": app.user("hr.emp"), "purpose": "action"}]}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields: Vec<&str> = r.1["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(
        fields,
        ["subject", "attachments_count", "external_entity_id", "referrals[0].unit_id", "referrals[1].user_id"],
        "{}",
        r.1
    );
    let r = app
        .post("clerk2", "/api/v1/transactions", json!({"kind": "incoming", "subject": "سري", "external_entity_id": app.fx.ministry, "confidentiality": "top_secret"}))
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.1["errors"][0]["code"], "above_clearance");
    let r = app.call(Some("clerk"), Method::GET, "/api/v1/transactions/abc", None).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_parameter");
    let r = app.call(Some("clerk"), Method::GET, "/api/v1/transactions/999999", None).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "transaction_not_found");
    let r = app.call(Some("clerk"), Method::GET, "/api/v1/no-such-thing", None).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "route_not_found");
    let r = app.call(Some("clerk"), Method::GET, "/api/v1/inbox?box=everything", None).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_parameter");
    let r = app.call(Some("clerk"), Method::GET, "/api/v1/inbox?cursor=zzz", None).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_parameter");
    assert_eq!(app.counts(), before);
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let app = TestApp::spawn().await;
    let body = json!({"kind": "incoming", "subject": "مكرر", "external_entity_id": app.fx.ministry,
                      "referrals": [{"unit_id": app.unit("KHB"), "purpose": "action"}]});
    let send = |b: Value| {
        let app = &app;
        async move {
            let res = app
                .client
                .post(app.url("/api/v1/transactions"))
                .bearer_auth(app.token("clerk").await)
                .header("Idempotency-Key", "letter-2026-0001")
                .json(&b)
                .send()
                .await
                .unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let first = send(body.clone()).await;
    assert_eq!(first.0, StatusCode::CREATED);
    let counts = app.counts();
    let again = send(body.clone()).await;
    assert_eq!(again.0, StatusCode::CREATED);
    assert_eq!(again.1, first.1);
    assert_eq!(app.counts(), counts, "a replay must not create anything");
    let mut other = body;
    other["subject"] = json!("موضوع آخر");
    let r = send(other).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
    assert_eq!(app.counts(), counts);
}

/// Writes sent with a missing, malformed, forged, expired or `alg: none` token get 401 and change nothing.
#[tokio::test]
async fn writes_with_bad_tokens_get_401_and_change_nothing() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let t = app.register_incoming("خطاب", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    let (tid, rid) = (t["transaction"]["id"].as_i64().unwrap(), t["referrals"][0]["id"].as_i64().unwrap());
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64| {
        json!({"sub": app.user("admin").to_string(), "iss": "muamalat", "aud": "muamalat-api", "iat": now,
               "exp": exp, "typ": "access", "sid": "x"})
    };
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let forged = |exp: i64| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims(exp),
            &jsonwebtoken::EncodingKey::from_secret(b"not the server's key, not at all"),
        )
        .unwrap()
    };
    let real = app.token("clerk").await;
    let tampered = {
        let parts: Vec<&str> = real.split('.').collect();
        format!("{}.{}.{}", parts[0], b64(claims(now + 600)), parts[2])
    };
    let tokens: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        ("garbage", Some("not-a-token".into())),
        ("alg none", Some(format!("{}.{}.", b64(json!({"alg": "none", "typ": "JWT"})), b64(claims(now + 600))))),
        ("forged", Some(forged(now + 600))),
        ("expired and forged", Some(forged(now - 600))),
        ("a real token with its claims altered", Some(tampered)),
    ];
    let writes: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            "/api/v1/transactions".into(),
            json!({"kind": "incoming", "subject": "x", "external_entity_id": app.fx.ministry}),
        ),
        (
            Method::POST,
            format!("/api/v1/referrals/{rid}/forward"),
            json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}]}),
        ),
        (Method::POST, format!("/api/v1/transactions/{tid}/annotations"), json!({"text": "x"})),
        (Method::POST, format!("/api/v1/transactions/{tid}/close"), json!({"note": "x"})),
        (Method::PATCH, format!("/api/v1/units/{}", app.unit("HR")), json!({"name_ar": "x"})),
        (
            Method::POST,
            "/api/v1/users".into(),
            json!({"username": "x.y", "password": "a long passphrase 99", "full_name_ar": "x", "full_name_en": "x",
                   "unit_id": app.unit("HR"), "roles": ["employee"], "clearance": "normal"}),
        ),
    ];
    let before = app.counts();
    for (what, token) in &tokens {
        for (method, path, body) in &writes {
            let mut req = app.client.request(method.clone(), app.url(path)).json(body);
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{what}: {method} {path}");
            assert_eq!(res.headers()["content-type"], "application/problem+json", "{what}: {path}");
        }
    }
    assert_eq!(app.counts(), before, "nothing changed");
}

/// Linking to a transaction the caller may not see answers exactly as linking to one that does not exist, when
/// registering and afterwards, whether or not the link already exists.
#[tokio::test]
async fn a_link_to_a_hidden_transaction_answers_as_a_missing_one() {
    let app = TestApp::spawn().await;
    // Registered by Khobar's registry and referred nowhere: the central registry's clerk may not see it.
    let (status, hidden) = app
        .post(
            "khb.clerk",
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": "خطاب بلدية الخبر", "external_entity_id": app.fx.company}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hidden}");
    let hidden = hidden["transaction"]["id"].as_i64().unwrap();
    let answer = |r: (StatusCode, Value)| {
        let detail = r.1["errors"][0]["message"].as_str().unwrap_or_default().replace(&hidden.to_string(), "N");
        (r.0, r.1["errors"][0]["field"].clone(), detail.replace("999999", "N"))
    };
    let register = |to: i64| {
        app.post(
            "clerk",
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": "رد", "external_entity_id": app.fx.ministry,
                   "links": [{"kind": "related", "transaction_id": to}]}),
        )
    };
    let (to_hidden, to_missing) = (answer(register(hidden).await), answer(register(999_999).await));
    assert_eq!(to_hidden.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(to_hidden, to_missing);

    // Afterwards: the Khobar head may link both ways; the central clerk, who sees only theirs, learns nothing from
    // whether a link to the hidden one already exists.
    let t = app.register_incoming("وارد", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    let t = t["transaction"]["id"].as_i64().unwrap();
    let (status, body) = app
        .post(
            "khb.head",
            &format!("/api/v1/transactions/{t}/links"),
            json!({"kind": "related", "transaction_id": hidden}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let path = format!("/api/v1/transactions/{t}/links");
    let link = |to: i64| app.post("clerk", &path, json!({"kind": "related", "transaction_id": to}));
    let (existing, missing) = (answer(link(hidden).await), answer(link(999_999).await));
    assert_eq!(existing.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(existing, missing);
}
