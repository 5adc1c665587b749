use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_problem};

async fn me_with(app: &TestApp, token: &str) -> StatusCode {
    app.client.get(app.url("/api/v1/me")).bearer_auth(token).send().await.unwrap().status()
}

#[tokio::test]
async fn login_issues_tokens_and_me_answers_the_user() {
    let app = TestApp::spawn().await;
    let body = app.login("khb.head").await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["user"]["username"], "khb.head");
    assert_eq!(body["user"]["roles"], json!(["manager", "employee"]));
    let (status, me) = app.get("khb.head", "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["unit_id"], json!(app.unit("KHB")));
}

#[tokio::test]
async fn wrong_credentials_are_refused_alike() {
    let app = TestApp::spawn().await;
    let before = app.counts();
    for (user, pass) in
        [("khb.head", "wrong password!"), ("nobody.here", PASSWORD), ("nul\u{0}byte", PASSWORD), ("", "")]
    {
        let r =
            app.call(None, Method::POST, "/api/v1/auth/login", Some(json!({"username": user, "password": pass}))).await;
        assert_problem(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    assert_eq!(app.counts(), before);
}

#[tokio::test]
async fn missing_malformed_forged_expired_and_none_tokens_get_401() {
    let app = TestApp::spawn().await;
    let r = app.call(None, Method::GET, "/api/v1/me", None).await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, "unauthenticated");

    let res = app.client.get(app.url("/api/v1/me")).header("Authorization", "Basic abc").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64| json!({"sub": app.user("admin").to_string(), "iss": "muamalat", "aud": "muamalat-api", "iat": now, "exp": exp, "typ": "access"});
    // alg none: no signature at all.
    let none = format!("{}.{}.", b64(json!({"alg": "none", "typ": "JWT"})), b64(claims(now + 600)));
    assert_eq!(me_with(&app, &none).await, StatusCode::UNAUTHORIZED);
    // Forged: signed with another key.
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims(now + 600),
        &jsonwebtoken::EncodingKey::from_secret(b"not the server's key, not at all"),
    )
    .unwrap();
    assert_eq!(me_with(&app, &forged).await, StatusCode::UNAUTHORIZED);
    // A real token with its payload altered.
    let real = app.token("khb.emp").await;
    let parts: Vec<&str> = real.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], b64(claims(now + 600)), parts[2]);
    assert_eq!(me_with(&app, &tampered).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_with(&app, "not-a-jwt").await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_with(&app, &real).await, StatusCode::OK);
}

#[tokio::test]
async fn expired_access_tokens_get_401() {
    let app = TestApp::spawn_with(|s| s.access_token_ttl_seconds = -60).await;
    let token = app.login("khb.emp").await["access_token"].as_str().unwrap().to_string();
    let res = app.client.get(app.url("/api/v1/me")).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "invalid_token");
    assert!(body["detail"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_session() {
    let app = TestApp::spawn().await;
    let first = app.login("khb.emp").await;
    let r1 = first["refresh_token"].as_str().unwrap();
    let (status, second) =
        app.call(None, Method::POST, "/api/v1/auth/refresh", Some(json!({"refresh_token": r1}))).await;
    assert_eq!(status, StatusCode::OK);
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    let access = second["access_token"].as_str().unwrap();
    assert_eq!(me_with(&app, access).await, StatusCode::OK);
    // The older access token of the same session still works until it expires.
    assert_eq!(me_with(&app, first["access_token"].as_str().unwrap()).await, StatusCode::OK);
    // Replaying the used token fails and revokes the family: the fresh one stops working too, and so do the
    // session's access tokens, at once.
    let replay = app.call(None, Method::POST, "/api/v1/auth/refresh", Some(json!({"refresh_token": r1}))).await;
    assert_problem(&replay, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    let after = app.call(None, Method::POST, "/api/v1/auth/refresh", Some(json!({"refresh_token": r2}))).await;
    assert_problem(&after, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    assert_eq!(me_with(&app, access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_with(&app, first["access_token"].as_str().unwrap()).await, StatusCode::UNAUTHORIZED);
    // Another session of the same user is not touched.
    let other = app.login("khb.emp").await;
    assert_eq!(me_with(&app, other["access_token"].as_str().unwrap()).await, StatusCode::OK);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = TestApp::spawn().await;
    let tokens = app.login("khb.emp").await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(me_with(&app, access).await, StatusCode::OK);
    let (status, _) = app.call(None, Method::POST, "/api/v1/auth/logout", Some(json!({"refresh_token": rt}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let r = app.call(None, Method::POST, "/api/v1/auth/refresh", Some(json!({"refresh_token": rt}))).await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    // The signed-out session's access token stops at once, not when it expires.
    let res = app.client.get(app.url("/api/v1/me")).bearer_auth(access).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "invalid_token", "{body}");
    assert!(body["detail"].as_str().unwrap().contains("session has ended"), "{body}");
}

#[tokio::test]
async fn disabling_a_user_stops_their_tokens_at_once() {
    let app = TestApp::spawn().await;
    let tokens = app.login("hr.emp").await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(me_with(&app, access).await, StatusCode::OK);
    let (status, _) = app
        .call(
            Some("admin"),
            Method::PATCH,
            &format!("/api/v1/users/{}", app.user("hr.emp")),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me_with(&app, access).await, StatusCode::UNAUTHORIZED);
    let r = app
        .call(None, Method::POST, "/api/v1/auth/refresh", Some(json!({"refresh_token": tokens["refresh_token"]})))
        .await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    let r = app
        .call(None, Method::POST, "/api/v1/auth/login", Some(json!({"username": "hr.emp", "password": PASSWORD})))
        .await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, "account_disabled");
}

#[tokio::test]
async fn a_browser_session_lives_in_an_http_only_cookie() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let login = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "hr.emp", "password": PASSWORD, "session_cookie": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("muamalat_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(cookie.contains(attribute), "{attribute} missing from {cookie}");
    }
    let body: Value = login.json().await.unwrap();
    assert!(body.get("refresh_token").is_none(), "page scripts never see the refresh token");
    assert!(body["access_token"].is_string());
    let pair = cookie.split(';').next().unwrap().to_string();

    // A reload: the cookie alone gives a new access token and rotates itself.
    let refreshed =
        client.post(app.url("/api/v1/auth/refresh")).header("Cookie", &pair).json(&json!({})).send().await.unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
    let rotated = refreshed.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    assert_ne!(rotated, pair);
    let body: Value = refreshed.json().await.unwrap();
    assert_eq!(body["user"]["username"], "hr.emp");
    assert!(body.get("refresh_token").is_none());

    // The old cookie is spent: replaying it fails (and revokes the family, as with body tokens).
    let replay =
        client.post(app.url("/api/v1/auth/refresh")).header("Cookie", &pair).json(&json!({})).send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    // No cookie and no body token: 401 with a code.
    let none = client.post(app.url("/api/v1/auth/refresh")).json(&json!({})).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let problem: Value = none.json().await.unwrap();
    assert_eq!(problem["code"], "invalid_refresh_token");

    // Sign out clears the cookie.
    let login = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "hr.emp", "password": PASSWORD, "session_cookie": true}))
        .send()
        .await
        .unwrap();
    let pair = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let out = client.post(app.url("/api/v1/auth/logout")).header("Cookie", &pair).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let after =
        client.post(app.url("/api/v1/auth/refresh")).header("Cookie", &pair).json(&json!({})).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_web_ui_is_served_with_history_fallback_and_never_under_api() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>SPA</title><script type=\"module\">import init from '/app.js'; await init();</script>",
    )
    .unwrap();
    std::fs::write(dir.path().join("app-1a2b.wasm"), b"\0asm").unwrap();
    // The office bundle: its own page, with its own start-up script.
    std::fs::create_dir(dir.path().join("office")).unwrap();
    std::fs::write(
        dir.path().join("office/index.html"),
        "<!doctype html><title>OFFICE</title><script type=\"module\">import init from '/office/o.js'; await init();</script>",
    )
    .unwrap();
    let spa_dir = dir.path().to_path_buf();
    let app = TestApp::spawn_with(move |s| s.spa_dir = spa_dir).await;
    let client = reqwest::Client::new();
    for page in ["/", "/transactions/12", "/register"] {
        let res = client.get(app.url(page)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{page}");
        assert_eq!(res.headers()["cache-control"], "no-cache");
        // The page may run its own scripts, its start-up script (by hash) and wasm, and cannot be framed.
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        for part in ["script-src 'self' 'wasm-unsafe-eval' 'sha256-", "frame-ancestors 'none'", "object-src 'none'"] {
            assert!(csp.contains(part), "{csp} lacks {part}");
        }
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert!(res.headers().get("strict-transport-security").is_none(), "HSTS only when configured");
        assert!(res.text().await.unwrap().contains("SPA"));
    }
    let office_script = "import init from '/office/o.js'; await init();";
    let office_hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(office_script.as_bytes()))
    };
    for page in ["/office", "/office/", "/office/admin", "/office/audit"] {
        let res = client.get(app.url(page)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{page}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains(&format!("'sha256-{office_hash}'")), "{page}: the office page's own script: {csp}");
        assert!(res.text().await.unwrap().contains("OFFICE"), "{page}");
    }
    // A path merely starting with the same letters is the desk's.
    let res = client.get(app.url("/officer")).send().await.unwrap();
    assert!(res.text().await.unwrap().contains("SPA"));
    let wasm = client.get(app.url("/app-1a2b.wasm")).send().await.unwrap();
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    for missing in ["/missing.js", "/api/v1/nothing", "/../Cargo.toml", "/.env"] {
        let res = client.get(app.url(missing)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{missing}");
    }
    let post = client.post(app.url("/transactions/12")).send().await.unwrap();
    assert_eq!(post.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn security_headers_on_every_answer_and_hsts_when_configured() {
    let app = TestApp::spawn_with(|s| s.hsts_max_age_seconds = Some(31_536_000)).await;
    let client = reqwest::Client::new();
    for path in ["/api/v1/inbox", "/healthz", "/api/v1/nothing"] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.headers()["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(res.headers()["x-frame-options"], "DENY", "{path}");
        assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains", "{path}");
        assert!(res.headers().get("access-control-allow-origin").is_none(), "no CORS unless configured: {path}");
    }
}

#[tokio::test]
async fn cross_origin_calls_only_from_the_configured_origins() {
    let app = TestApp::spawn_with(|s| s.cors_allowed_origins = Some("https://portal.example.gov.sa, ".into())).await;
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/inbox"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let res = preflight("https://portal.example.gov.sa").await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(res.headers()["access-control-allow-origin"], "https://portal.example.gov.sa");
    let res = preflight("https://evil.example").await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let res = client.get(app.url("/healthz")).header("origin", "https://evil.example").send().await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn users_list_and_end_their_sessions() {
    let app = TestApp::spawn().await;
    let sign_in = || async {
        let res = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": "clerk", "password": crate::helpers::PASSWORD}))
            .send()
            .await
            .unwrap();
        res.json::<Value>().await.unwrap()
    };
    let (tablet, desk) = (sign_in().await, sign_in().await);
    let token = |tokens: &Value| tokens["access_token"].as_str().unwrap().to_string();
    let list = |token: String| {
        let client = app.client.clone();
        let url = app.url("/api/v1/auth/sessions");
        async move { client.get(url).bearer_auth(token).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let sessions = list(token(&desk)).await;
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "the desk's own session is marked: {sessions:?}");
    let desk_session = current[0]["id"].as_str().unwrap().to_string();
    let tablet_session = sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_string();
    // A refresh continues a session, it does not start one.
    let refreshed = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": desk["refresh_token"]}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let after = list(token(&refreshed)).await;
    assert_eq!(after.as_array().unwrap().len(), 2, "{after}");
    let end = |id: String, with: String| {
        let client = app.client.clone();
        let url = app.url(&format!("/api/v1/auth/sessions/{id}"));
        async move { client.delete(url).bearer_auth(with).send().await.unwrap().status() }
    };
    // From the desk, end the tablet's session: its refresh token and its access token stop at once.
    assert_eq!(me_with(&app, &token(&tablet)).await, StatusCode::OK);
    assert_eq!(end(tablet_session.clone(), token(&refreshed)).await, StatusCode::NO_CONTENT);
    assert_eq!(me_with(&app, &token(&tablet)).await, StatusCode::UNAUTHORIZED);
    let res = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": tablet["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "the ended session cannot refresh");
    assert_eq!(me_with(&app, &token(&refreshed)).await, StatusCode::OK, "the desk goes on");
    // Someone else's session, or one already ended: 404.
    let r = app.call(Some("hr.emp"), Method::DELETE, &format!("/api/v1/auth/sessions/{desk_session}"), None).await;
    assert_problem(&r, StatusCode::NOT_FOUND, "session_not_found");
    assert_eq!(end(tablet_session, token(&refreshed)).await, StatusCode::NOT_FOUND);
    // Ending one's own session signs out everywhere it was used.
    assert_eq!(end(desk_session, token(&refreshed)).await, StatusCode::NO_CONTENT);
    assert_eq!(me_with(&app, &token(&refreshed)).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_with(&app, &token(&desk)).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn failed_sign_ins_in_a_row_lock_the_account_for_a_while() {
    let app = TestApp::spawn_with(|s| {
        s.login_lockout_after = 3;
        s.login_lockout_seconds = 1;
    })
    .await;
    let attempt = |password: &'static str| {
        let (client, url) = (app.client.clone(), app.url("/api/v1/auth/login"));
        async move {
            let res = client.post(url).json(&json!({"username": "clerk", "password": password})).send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    for _ in 0..3 {
        assert_problem(&attempt("wrong-password-1").await, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    // Locked: even the right password is refused until the lock lapses.
    assert_problem(&attempt(PASSWORD).await, StatusCode::TOO_MANY_REQUESTS, "account_locked");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(attempt(PASSWORD).await.0, StatusCode::OK);
    // A success clears the count: two more failures do not lock.
    for _ in 0..2 {
        assert_problem(&attempt("wrong-password-1").await, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    assert_eq!(attempt(PASSWORD).await.0, StatusCode::OK);
    // Each failure past the limit locks for longer: 1 s, then 2 s. (Attempts while locked are refused unchecked.)
    for _ in 0..3 {
        attempt("wrong-password-1").await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_problem(&attempt("wrong-password-1").await, StatusCode::UNAUTHORIZED, "invalid_credentials");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_problem(&attempt(PASSWORD).await, StatusCode::TOO_MANY_REQUESTS, "account_locked");
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert_eq!(attempt(PASSWORD).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_locked_account_says_when_to_try_again() {
    let app = TestApp::spawn_with(|s| {
        s.login_lockout_after = 2;
        s.login_lockout_seconds = 30;
    })
    .await;
    let url = app.url("/api/v1/auth/login");
    for _ in 0..2 {
        app.client.post(&url).json(&json!({"username": "clerk", "password": "wrong-password-1"})).send().await.unwrap();
    }
    let res = app.client.post(&url).json(&json!({"username": "clerk", "password": PASSWORD})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
}

#[tokio::test]
async fn sign_in_and_refresh_are_rate_limited_per_address() {
    let app = TestApp::spawn_with(|s| {
        s.sign_in_rate_per_minute = 3;
        s.refresh_rate_per_minute = 20;
    })
    .await;
    let url = app.url("/api/v1/auth/login");
    // Three attempts a minute from one address, whatever the accounts; the fourth is refused before any check.
    let mut refresh = String::new();
    for user in ["nobody", "hr.emp", "clerk"] {
        let res = app.client.post(&url).json(&json!({"username": user, "password": PASSWORD})).send().await.unwrap();
        assert_ne!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        if res.status() == StatusCode::OK {
            refresh = res.json::<Value>().await.unwrap()["refresh_token"].as_str().unwrap().to_string();
        }
    }
    let res = app.client.post(&url).json(&json!({"username": "khb.emp", "password": PASSWORD})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");

    // Refreshing has its own budget (20 a minute: one more every 3 s).
    let refresh_url = app.url("/api/v1/auth/refresh");
    for _ in 0..20 {
        let res = app.client.post(&refresh_url).json(&json!({"refresh_token": refresh})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        refresh = res.json::<Value>().await.unwrap()["refresh_token"].as_str().unwrap().to_string();
    }
    let res = app.client.post(&refresh_url).json(&json!({"refresh_token": refresh})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Refused before the token was looked at: it still works once the budget refills.
    tokio::time::sleep(std::time::Duration::from_millis(3_100)).await;
    let res = app.client.post(&refresh_url).json(&json!({"refresh_token": refresh})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// With no signing key configured, the one generated at the first start is kept in the database: a restarted
/// server, or a second node, accepts the tokens the first one issued. A server with another key refuses them.
#[tokio::test]
async fn the_generated_signing_key_is_kept_so_tokens_outlive_a_restart() {
    let app = TestApp::spawn().await;
    let token = app.token("clerk").await;
    let start = |secret: Option<&str>| {
        let data = tempfile::tempdir().unwrap();
        let settings = muamalat::config::Settings {
            data_dir: data.path().to_path_buf(),
            bind: "127.0.0.1:0".into(),
            workers: Some(1),
            jwt_secret: secret.map(|s| s.to_string().into()),
            ..muamalat::config::Settings::default()
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server = muamalat::app::Application::build_with(settings, app.pool.clone(), listener).unwrap();
        let base = format!("http://127.0.0.1:{}", server.port());
        tokio::spawn(server.run_until_stopped());
        (base, data)
    };
    let me = |base: String| {
        let (client, token) = (app.client.clone(), token.clone());
        async move { client.get(format!("{base}/api/v1/me")).bearer_auth(token).send().await.unwrap().status() }
    };
    let (again, _dir) = start(None);
    assert_eq!(me(again).await, StatusCode::OK, "the same database, the same key");
    let (other, _dir) = start(Some("another signing key of quite sufficient length 0123"));
    assert_eq!(me(other).await, StatusCode::UNAUTHORIZED, "a different key refuses the token");
}
