//! The audit log: every state change and document read is an entry, entries chain by hash, and an edit made
//! directly in the database shows up in verification at the entry edited.

use diesel::prelude::*;
use muamalat::db::DbConn;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, upload_text};

fn is_postgres(app: &TestApp) -> bool {
    matches!(&*app.pool.get().expect("connection"), DbConn::Pg(_))
}

/// Drop the append-only triggers, as an owner of the database could.
fn drop_guards(app: &TestApp) {
    if is_postgres(app) {
        app.execute("DROP TRIGGER audit_log_append_only ON audit_log").expect("drop trigger");
    } else {
        app.execute("DROP TRIGGER audit_log_no_rewrite").expect("drop trigger");
        app.execute("DROP TRIGGER audit_log_no_delete").expect("drop trigger");
    }
}

async fn entries(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, body) = app.get("auditor", &format!("/api/v1/audit?limit=200{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").clone()
}

fn actions(items: &[Value]) -> Vec<&str> {
    items.iter().map(|e| e["action"].as_str().expect("action")).collect()
}

async fn verification(app: &TestApp) -> Value {
    let (status, body) = app.get("auditor", "/api/v1/audit/verification").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// A short routed flow with a document downloaded: answers the transaction id.
async fn some_activity(app: &TestApp) -> i64 {
    let t = app.register_incoming("طلب ترخيص بناء", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    let id = t["transaction"]["id"].as_i64().expect("id");
    let referral = &t["referrals"][0];
    let (status, body) =
        app.post("khb.head", &format!("/api/v1/referrals/{}/receive", referral["id"]), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        app.post("khb.head", &format!("/api/v1/transactions/{id}/annotations"), json!({"text": "للدراسة"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id
}

#[actix_web::test]
async fn changes_reads_and_sign_ins_are_audited_with_who_what_and_where() {
    let app = TestApp::spawn().await;
    let id = some_activity(&app).await;

    // A document: its upload is a timeline event; each download is an audit entry of its own.
    let (status, document) = upload_text(
        &app,
        &app.token("clerk").await,
        &format!("/api/v1/transactions/{id}/documents"),
        "خطاب الوزارة",
        "نص الخطاب".as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    let document_id = document["id"].as_i64().expect("document id");
    let res = app
        .client
        .get(app.url(&format!("/api/v1/documents/{document_id}/versions/1/content")))
        .bearer_auth(app.token("khb.head").await)
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), StatusCode::OK);

    let about = entries(&app, &format!("&transaction_id={id}")).await;
    let mut seen = actions(&about);
    seen.reverse();
    assert_eq!(seen, ["registered", "referred", "received", "annotated", "document_added", "document_downloaded"]);
    let download = &about[0];
    assert_eq!(download["user"]["username"], "khb.head");
    assert_eq!(download["object_type"], "document");
    assert_eq!(download["object_id"], json!(document_id));
    assert_eq!(download["origin"], "127.0.0.1");
    assert_eq!(download["details"]["version"], 1);
    let referred = about.iter().find(|e| e["action"] == "referred").expect("referred");
    assert_eq!(referred["object_type"], "referral");
    assert_eq!(referred["details"]["to_unit_id"], json!(app.unit("KHB")));

    // Administrative changes: the request is recorded, a password only as "changed".
    let (status, body) = app
        .call(
            Some("admin"),
            Method::PATCH,
            &format!("/api/v1/users/{}", app.user("hr.emp")),
            Some(json!({"password": "a new password 42", "clearance": "confidential"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let changes = entries(&app, &format!("&action=user_updated&user_id={}", app.user("admin"))).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["object_id"], json!(app.user("hr.emp")));
    assert_eq!(changes[0]["details"]["password_changed"], true);
    assert_eq!(changes[0]["details"]["clearance"], "confidential");
    assert!(!changes[0].to_string().contains("a new password 42"), "{}", changes[0]);

    // Sign-ins, failed ones included (with the reason, never the password tried).
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "hr.head", "password": "wrong guess 123"}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let failed = entries(&app, "&action=sign_in_failed").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["user"]["username"], "hr.head");
    assert_eq!(failed[0]["details"]["reason"], "wrong_password");
    assert!(!failed[0].to_string().contains("wrong guess"));
    let signed_in = entries(&app, &format!("&action=signed_in&user_id={}", app.user("khb.head"))).await;
    assert_eq!(signed_in.len(), 1);

    // Only auditors read the log; the filters are plain values (metacharacters match nothing), bad ones are 400.
    for who in ["admin", "clerk", "khb.head"] {
        assert_problem(&app.get(who, "/api/v1/audit").await, StatusCode::FORBIDDEN, "forbidden");
        assert_problem(&app.get(who, "/api/v1/audit/verification").await, StatusCode::FORBIDDEN, "forbidden");
    }
    for hostile in ["' OR '1'='1", "registered'; DROP TABLE audit_log; --", "%", "_"] {
        let encoded = percent_encoding::utf8_percent_encode(hostile, percent_encoding::NON_ALPHANUMERIC).to_string();
        assert!(entries(&app, &format!("&action={encoded}")).await.is_empty(), "{hostile}");
    }
    assert_problem(&app.get("auditor", "/api/v1/audit?cursor=zz").await, StatusCode::BAD_REQUEST, "invalid_parameter");
    assert_problem(&app.get("auditor", "/api/v1/audit?user_id=x").await, StatusCode::BAD_REQUEST, "invalid_parameter");

    // Paging walks the whole log once, newest first.
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = app.get("auditor", &format!("/api/v1/audit?limit=3{cursor}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        ids.extend(page["items"].as_array().expect("items").iter().map(|e| e["id"].as_i64().expect("id")));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(ids, sorted);

    // Everything is sealed by verification, and the chain holds.
    let report = verification(&app).await;
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(report["verified"], json!(ids.len()), "{report}");
    assert_eq!(report["head_hash"].as_str().map(str::len), Some(64));
}

#[actix_web::test]
async fn an_entry_edited_in_the_database_breaks_verification_at_that_entry() {
    let app = TestApp::spawn().await;
    some_activity(&app).await;
    let report = verification(&app).await;
    assert_eq!(report["intact"], true, "{report}");
    let total = report["verified"].as_i64().expect("verified");
    assert!(total > 10, "{report}");

    // The log refuses edits and deletions through SQL while its guards are in place.
    let target = total - 3;
    assert!(app.execute(&format!("UPDATE audit_log SET details = '{{}}' WHERE seq = {target}")).is_err());
    assert!(app.execute(&format!("DELETE FROM audit_log WHERE seq = {target}")).is_err());
    assert_eq!(verification(&app).await["intact"], true);
    // Nor can an entry be changed before the sealer reaches it (here: inside the transaction that wrote it, which
    // the sealer cannot see yet). Only sealing may fill in its sequence number and hashes.
    {
        let mut conn = app.pool.get().expect("connection");
        let unsealed: Result<(), diesel::result::Error> = muamalat::db::write_tx(&mut conn, |c| {
            let run = |c: &mut DbConn, statement: &str| match c {
                DbConn::Sqlite(c) => diesel::sql_query(statement).execute(c),
                DbConn::Pg(c) => diesel::sql_query(statement).execute(c),
            };
            run(
                c,
                "INSERT INTO audit_log (id, at, action, object_type, details) \
                 VALUES (987654, '2026-12-01 08:00:00', 'annotated', 'transaction', '{}')",
            )?;
            let rewritten = run(c, "UPDATE audit_log SET details = '{\"text\":\"x\"}' WHERE id = 987654");
            assert!(rewritten.is_err(), "an unsealed entry was rewritten");
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(matches!(unsealed, Err(diesel::result::Error::RollbackTransaction)), "{unsealed:?}");
    }
    for statement in [
        // Sealing an already sealed entry again, or unsealing it, is a change too.
        format!("UPDATE audit_log SET seq = NULL, prev_hash = NULL, hash = NULL WHERE seq = {target}"),
        format!("UPDATE audit_log SET hash = prev_hash WHERE seq = {target}"),
    ] {
        assert!(app.execute(&statement).is_err(), "{statement}");
    }
    assert_eq!(verification(&app).await["intact"], true);

    // Someone who owns the database drops them and rewrites an entry: verification names that entry.
    drop_guards(&app);
    let annotated = entries(&app, "&action=annotated").await;
    let seq = annotated[0]["seq"].as_i64().expect("sealed");
    app.execute(&format!("UPDATE audit_log SET details = '{{\"text\":\"غير ذلك\"}}' WHERE seq = {seq}")).expect("edit");
    let report = verification(&app).await;
    assert_eq!(report["intact"], false, "{report}");
    assert_eq!(report["first_broken"]["seq"], json!(seq), "{report}");
    assert_eq!(report["first_broken"]["reason"], "hash_mismatch");
    assert_eq!(report["verified"], json!(seq - 1));
}

#[actix_web::test]
async fn a_removed_or_rechained_entry_is_found() {
    let app = TestApp::spawn().await;
    some_activity(&app).await;
    let total = verification(&app).await["verified"].as_i64().expect("verified");
    drop_guards(&app);

    // Recomputing one entry's hash is not enough: the next entry still names the old one.
    let mut conn = app.pool.get().expect("connection");
    use muamalat::schema::audit_log;
    let row: muamalat::models::AuditRow = audit_log::table
        .filter(audit_log::seq.eq(total - 1))
        .select(muamalat::models::AuditRow::as_select())
        .first(&mut conn)
        .expect("row");
    let mut forged = row.clone();
    forged.details = "{\"note\":\"forged\"}".into();
    let hash = muamalat::domain::audit::entry_hash(row.prev_hash.as_deref().expect("sealed"), total - 1, &forged);
    diesel::update(audit_log::table.find(row.id))
        .set((audit_log::details.eq(&forged.details), audit_log::hash.eq(&hash)))
        .execute(&mut conn)
        .expect("forge");
    drop(conn);
    let report = verification(&app).await;
    assert_eq!(report["first_broken"]["seq"], json!(total), "{report}");
    assert_eq!(report["first_broken"]["reason"], "chain_mismatch");

    // A deleted entry leaves a gap.
    app.execute("DELETE FROM audit_log WHERE seq = 2").expect("delete");
    let report = verification(&app).await;
    assert_eq!(report["first_broken"], json!({"seq": 2, "id": null, "reason": "missing"}), "{report}");
}

#[actix_web::test]
async fn concurrent_changes_all_land_in_one_unbroken_chain() {
    let app = TestApp::spawn().await;
    let registrations = (0..12).map(|i| {
        let app = &app;
        async move {
            app.register_incoming(&format!("معاملة {i}"), json!([{"unit_id": app.unit("KHB"), "purpose": "action"}]))
                .await
        }
    });
    futures_util::future::join_all(registrations).await;
    let report = verification(&app).await;
    assert_eq!(report["intact"], true, "{report}");
    let mut conn = app.pool.get().expect("connection");
    use muamalat::schema::audit_log;
    let rows: i64 = audit_log::table.count().get_result(&mut conn).expect("count");
    assert_eq!(report["verified"], json!(rows));
    let registered: i64 =
        audit_log::table.filter(audit_log::action.eq("registered")).count().get_result(&mut conn).expect("count");
    assert_eq!(registered, 12);
}

#[actix_web::test]
async fn an_auditor_sees_no_entry_about_a_transaction_above_their_clearance() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .post(
            "clerk",
            "/api/v1/transactions",
            json!({
                "kind": "incoming",
                "subject": "تقرير سري",
                "external_entity_id": app.fx.ministry,
                "sender_reference": "S/1",
                "sender_reference_date": "2026-11-20",
                "confidentiality": "confidential",
                "referrals": [{"unit_id": app.unit("KHB"), "purpose": "action"}],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["transaction"]["id"].as_i64().expect("id");
    assert_eq!(entries(&app, &format!("&transaction_id={id}")).await.len(), 2);
    let (status, body) = app
        .call(
            Some("admin"),
            Method::PATCH,
            &format!("/api/v1/users/{}", app.user("auditor")),
            Some(json!({"clearance": "normal"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(entries(&app, &format!("&transaction_id={id}")).await.is_empty());
    assert!(entries(&app, "&action=registered").await.is_empty());
}

/// Every administrative change and every change to a session is an entry naming who made it and what it was about.
#[actix_web::test]
async fn administrative_and_session_changes_are_audited() {
    let app = TestApp::spawn().await;
    // What the fixture's own set-up recorded is not looked at.
    let before = entries(&app, "").await[0]["id"].as_i64().expect("id");
    let created = |body: &(StatusCode, Value)| {
        assert!(body.0.is_success(), "{:?}", body);
        body.1["id"].as_i64().or_else(|| body.1["client"]["id"].as_i64()).expect("id")
    };
    let unit = created(
        &app.post(
            "admin",
            "/api/v1/units",
            json!({"code": "AUD-U", "name_ar": "وحدة المراجعة", "name_en": "Audit unit", "kind": "section",
                   "parent_id": app.unit("HR")}),
        )
        .await,
    );
    let renamed = app
        .call(Some("admin"), Method::PATCH, &format!("/api/v1/units/{unit}"), Some(json!({"name_ar": "وحدة أخرى"})))
        .await;
    assert_eq!(renamed.0, StatusCode::OK, "{renamed:?}");
    let user = created(
        &app.post(
            "admin",
            "/api/v1/users",
            json!({"username": "aud.user", "password": "a long enough passphrase 77", "full_name_ar": "مستخدم",
                   "full_name_en": "User", "unit_id": unit, "roles": ["employee"], "clearance": "normal"}),
        )
        .await,
    );
    let entity = created(
        &app.post(
            "clerk",
            "/api/v1/external-entities",
            json!({"code": "AUD-E", "name_ar": "شركة المراجعة", "name_en": "Audit Co", "kind": "company"}),
        )
        .await,
    );
    let client = created(
        &app.post(
            "admin",
            "/api/v1/api-clients",
            json!({"name": "بوابة", "external_entity_id": app.fx.ministry, "scopes": ["submit"]}),
        )
        .await,
    );
    let rotated = app.post("admin", &format!("/api/v1/api-clients/{client}/secret"), json!({})).await;
    assert_eq!(rotated.0, StatusCode::OK, "{rotated:?}");
    let revoked = app.call(Some("admin"), Method::DELETE, &format!("/api/v1/api-clients/{client}"), None).await;
    assert!(revoked.0.is_success(), "{revoked:?}");
    let ends = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let delegation = created(
        &app.post("khb.head", "/api/v1/delegations", json!({"deputy_user_id": app.user("khb.emp"), "ends_at": ends}))
            .await,
    );
    let ended = app.call(Some("khb.head"), Method::DELETE, &format!("/api/v1/delegations/{delegation}"), None).await;
    assert!(ended.0.is_success(), "{ended:?}");

    // Sessions: a refresh, a sign-out, and a session ended from the list of another.
    let first = app.login("hr.emp").await;
    let (status, refreshed) = app
        .call(None, Method::POST, "/api/v1/auth/refresh", Some(json!({"refresh_token": first["refresh_token"]})))
        .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let (status, _) = app
        .call(None, Method::POST, "/api/v1/auth/logout", Some(json!({"refresh_token": refreshed["refresh_token"]})))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (other, keep) = (app.login("hr.emp").await, app.login("hr.emp").await);
    let sessions: Value = app
        .client
        .get(app.url("/api/v1/auth/sessions"))
        .bearer_auth(other["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let victim = sessions.as_array().unwrap().iter().find(|s| s["current"] == false).unwrap()["id"].clone();
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/auth/sessions/{}", victim.as_str().unwrap())))
        .bearer_auth(other["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    drop(keep);

    let (admin, head, clerk, employee) =
        (app.user("admin"), app.user("khb.head"), app.user("clerk"), app.user("hr.emp"));
    let expected: Vec<(&str, i64, &str, Option<i64>)> = vec![
        ("unit_created", admin, "unit", Some(unit)),
        ("unit_updated", admin, "unit", Some(unit)),
        ("user_created", admin, "user", Some(user)),
        ("entity_created", clerk, "entity", Some(entity)),
        ("api_client_created", admin, "api_client", Some(client)),
        ("api_client_secret_rotated", admin, "api_client", Some(client)),
        ("api_client_revoked", admin, "api_client", Some(client)),
        // About the manager whose authority is delegated.
        ("delegation_granted", head, "user", Some(head)),
        ("delegation_ended", head, "user", Some(head)),
        ("session_refreshed", employee, "session", None),
        ("signed_out", employee, "session", None),
        ("session_ended", employee, "session", None),
    ];
    for (action, by, object_type, object_id) in expected {
        let found: Vec<Value> = entries(&app, &format!("&action={action}&user_id={by}"))
            .await
            .into_iter()
            .filter(|e| e["id"].as_i64() > Some(before))
            .collect();
        assert_eq!(found.len(), 1, "{action}: {found:?}");
        let e = &found[0];
        assert_eq!(e["user"]["id"], json!(by), "{action}: {e}");
        assert_eq!(e["object_type"], object_type, "{action}: {e}");
        if let Some(id) = object_id {
            assert_eq!(e["object_id"], json!(id), "{action}: {e}");
        }
        assert_eq!(e["origin"], "127.0.0.1", "{action}: {e}");
    }
    let ended = &entries(&app, &format!("&action=session_ended&user_id={employee}")).await[0];
    assert_eq!(ended["details"]["session"], victim, "{ended}");
    assert_eq!(verification(&app).await["intact"], true);
}
