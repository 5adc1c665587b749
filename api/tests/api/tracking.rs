use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn inbox_boxes_filters_and_cursor_pages() {
    let app = TestApp::spawn().await;
    for i in 0..3 {
        app.register_incoming(&format!("خطاب {i}"), json!([{"unit_id": app.unit("KHB"), "user_id": app.user("khb.emp"), "purpose": "action"}, {"unit_id": app.unit("HR"), "purpose": "information"}])).await;
    }
    let urgent_not = app
        .post("clerk", "/api/v1/transactions", json!({"kind": "incoming", "subject": "عادي", "external_entity_id": app.fx.ministry, "priority": "normal",
               "due_at": "2020-01-01T00:00:00Z", "referrals": [{"unit_id": app.unit("KHB"), "user_id": app.user("khb.emp"), "purpose": "action"}]}))
        .await;
    assert_eq!(urgent_not.0, StatusCode::CREATED);

    let (_, held) = app.get("khb.emp", "/api/v1/inbox?box=held").await;
    assert_eq!(held["items"].as_array().unwrap().len(), 4);
    assert_eq!(held["items"][0]["transaction"]["subject"], "عادي", "newest first");
    assert!(held["next_cursor"].is_null());
    let (_, urgent) = app.get("khb.emp", "/api/v1/inbox?priority=urgent").await;
    assert_eq!(urgent["items"].as_array().unwrap().len(), 3);
    let (_, overdue) = app.get("khb.emp", "/api/v1/inbox?overdue=true").await;
    assert_eq!(overdue["items"].as_array().unwrap().len(), 1);
    assert_eq!(overdue["items"][0]["referral"]["overdue"], true);
    // Pages of two.
    let (_, p1) = app.get("khb.emp", "/api/v1/inbox?limit=2").await;
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    let cursor = p1["next_cursor"].as_str().unwrap();
    let (_, p2) = app.get("khb.emp", &format!("/api/v1/inbox?limit=2&cursor={cursor}")).await;
    assert_eq!(p2["items"].as_array().unwrap().len(), 2);
    assert!(p2["next_cursor"].is_null());
    assert_ne!(p1["items"][1]["referral"]["id"], p2["items"][0]["referral"]["id"]);
    // Copies go to HR's copies box, not its queue.
    let (_, copies) = app.get("hr.emp", "/api/v1/inbox?box=copies").await;
    assert_eq!(copies["items"].as_array().unwrap().len(), 3);
    let (_, queue) = app.get("hr.emp", "/api/v1/inbox?box=unit").await;
    assert_eq!(queue["items"], json!([]));
    let (_, sent) = app.get("clerk", "/api/v1/inbox?box=sent&kind=incoming").await;
    assert_eq!(sent["items"].as_array().unwrap().len(), 7);
    let (_, none) = app.get("clerk", "/api/v1/inbox?box=sent&kind=internal").await;
    assert_eq!(none["items"], json!([]));
}

#[tokio::test]
async fn managers_see_their_unit_and_below_oldest_first() {
    let app = TestApp::spawn().await;
    let a = app
        .register_incoming(
            "أ",
            json!([{"unit_id": app.unit("KHB-ENG"), "user_id": app.user("eng.emp"), "purpose": "action"}]),
        )
        .await;
    let b = app.register_incoming("ب", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    app.register_incoming("ج", json!([{"unit_id": app.unit("HR"), "purpose": "action"}])).await;
    let (status, overview) = app.get("khb.head", &format!("/api/v1/units/{}/overview", app.unit("KHB"))).await;
    assert_eq!(status, StatusCode::OK, "{overview}");
    let items = overview["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "Khobar and its engineering department, not HR");
    assert_eq!(items[0]["transaction"]["id"], a["transaction"]["id"], "oldest first");
    assert_eq!(items[0]["referral"]["to_user"]["username"], "eng.emp");
    assert!(items[0]["referral"]["dwell"]["total"]["wall_clock_seconds"].as_i64().unwrap() >= 0);
    assert_eq!(items[1]["transaction"]["id"], b["transaction"]["id"]);
    let (_, newest) = app.get("khb.head", &format!("/api/v1/units/{}/overview?sort=newest", app.unit("KHB"))).await;
    assert_eq!(newest["items"][0]["transaction"]["id"], b["transaction"]["id"]);
    // The engineering head sees only their own unit; an employee sees no overview.
    let (_, eng) = app.get("eng.head", &format!("/api/v1/units/{}/overview", app.unit("KHB-ENG"))).await;
    assert_eq!(eng["items"].as_array().unwrap().len(), 1);
    let x = app.get("eng.head", &format!("/api/v1/units/{}/overview", app.unit("KHB"))).await;
    assert_problem(&x, StatusCode::FORBIDDEN, "forbidden");
    let x = app.get("khb.emp", &format!("/api/v1/units/{}/overview", app.unit("KHB"))).await;
    assert_problem(&x, StatusCode::FORBIDDEN, "forbidden");
    let x = app.get("khb.head", "/api/v1/units/999999/overview").await;
    assert_problem(&x, StatusCode::NOT_FOUND, "unit_not_found");
    // The head of Khobar may open a transaction held below them.
    let (status, _) = app.get("khb.head", &format!("/api/v1/transactions/{}", a["transaction"]["id"])).await;
    assert_eq!(status, StatusCode::OK);

    // A page at a time, oldest first, with filters: the status of the transaction and its priority.
    let overview = format!("/api/v1/units/{}/overview", app.unit("KHB"));
    let (_, first) = app.get("khb.head", &format!("{overview}?limit=1")).await;
    assert_eq!(first["items"][0]["transaction"]["id"], a["transaction"]["id"], "{first}");
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let (_, second) = app.get("khb.head", &format!("{overview}?limit=1&cursor={cursor}")).await;
    assert_eq!(second["items"][0]["transaction"]["id"], b["transaction"]["id"], "{second}");
    assert!(second["next_cursor"].is_null(), "{second}");
    let (_, open) = app.get("khb.head", &format!("{overview}?status=open")).await;
    assert_eq!(open["items"].as_array().unwrap().len(), 2, "{open}");
    let (_, closed) = app.get("khb.head", &format!("{overview}?status=closed")).await;
    assert_eq!(closed["items"], json!([]), "{closed}");
    let (_, urgent) = app.get("khb.head", &format!("{overview}?priority=very_urgent")).await;
    assert_eq!(urgent["items"], json!([]), "{urgent}");
}

/// The status filter of the inbox: an open letter and a closed one, each with a copy in HR.
#[tokio::test]
async fn the_status_filter_keeps_only_transactions_of_that_status() {
    let app = TestApp::spawn().await;
    let copy = json!([{"unit_id": app.unit("HR"), "purpose": "information"}]);
    let open = app.register_incoming("مفتوحة", copy.clone()).await;
    let done = app.register_incoming("محفوظة", copy).await;
    let (status, body) = app
        .post("clerk", &format!("/api/v1/transactions/{}/close", done["transaction"]["id"]), json!({"note": "حفظ"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ids = |page: &serde_json::Value| -> Vec<i64> {
        page["items"].as_array().unwrap().iter().map(|i| i["transaction"]["id"].as_i64().unwrap()).collect()
    };
    let (_, sent_open) = app.get("clerk", "/api/v1/inbox?box=sent&status=open").await;
    assert_eq!(ids(&sent_open), [open["transaction"]["id"].as_i64().unwrap()], "{sent_open}");
    let (_, sent_closed) = app.get("clerk", "/api/v1/inbox?box=sent&status=closed").await;
    assert_eq!(ids(&sent_closed), [done["transaction"]["id"].as_i64().unwrap()], "{sent_closed}");
    let (_, sent_all) = app.get("clerk", "/api/v1/inbox?box=sent").await;
    assert_eq!(ids(&sent_all).len(), 2, "{sent_all}");
}

#[tokio::test]
async fn confidential_transactions_stay_out_of_uncleared_lists() {
    let app = TestApp::spawn().await;
    let (status, secret) = app
        .post("clerk", "/api/v1/transactions", json!({"kind": "incoming", "subject": "سري", "external_entity_id": app.fx.ministry, "confidentiality": "confidential",
               "referrals": [{"unit_id": app.unit("KHB"), "purpose": "action"}]}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let tid = &secret["transaction"]["id"];
    // khb.head is cleared for confidential; khb.emp (normal) is not.
    let (_, queue) = app.get("khb.head", "/api/v1/inbox?box=unit").await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 1);
    let (_, queue) = app.get("khb.emp", "/api/v1/inbox?box=unit").await;
    assert_eq!(queue["items"], json!([]));
    let x = app.get("khb.emp", &format!("/api/v1/transactions/{tid}")).await;
    assert_problem(&x, StatusCode::NOT_FOUND, "transaction_not_found");
    // It cannot be referred to someone without the clearance to act on it.
    let before = app.counts();
    let x = app
        .post(
            "clerk",
            &format!("/api/v1/transactions/{tid}/referrals"),
            json!({"targets": [{"unit_id": app.unit("KHB"), "user_id": app.user("khb.emp"), "purpose": "action"}]}),
        )
        .await;
    assert_problem(&x, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(x.1["errors"][0]["code"], "insufficient_clearance");
    assert_eq!(app.counts(), before);
    // A normal transaction linking to it does not reveal it to whoever may see only the normal one.
    let normal = app
        .register_incoming(
            "عادية",
            json!([{"unit_id": app.unit("KHB"), "user_id": app.user("khb.emp"), "purpose": "action"}]),
        )
        .await;
    let nid = normal["transaction"]["id"].as_i64().unwrap();
    let (status, linked) = app
        .post("clerk", &format!("/api/v1/transactions/{nid}/links"), json!({"kind": "related", "transaction_id": tid}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{linked}");
    assert_eq!(linked["links"].as_array().unwrap().len(), 1, "the clerk sees the link");
    let (_, seen) = app.get("khb.emp", &format!("/api/v1/transactions/{nid}")).await;
    assert_eq!(seen["links"], json!([]), "khb.emp must not learn of the confidential transaction");
}

#[tokio::test]
async fn inbox_counts_and_allowed_actions_follow_the_route() {
    let app = TestApp::spawn().await;
    let created = app
        .register_incoming(
            "خطاب للعد",
            json!([{"unit_id": app.unit("KHB"), "purpose": "action"}, {"unit_id": app.unit("HR"), "purpose": "information"}]),
        )
        .await;
    let id = created["transaction"]["id"].as_i64().unwrap();
    app.register_incoming("خطاب ثان", json!([{"unit_id": app.unit("KHB"), "user_id": app.user("khb.emp"), "purpose": "action", "due_at": "2020-01-01T00:00:00Z"}]))
        .await;

    let (status, counts) = app.get("khb.clerk", "/api/v1/inbox/counts").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(counts, json!({"held": 0, "unit": 1, "copies": 0, "overdue": 0}));
    let (_, counts) = app.get("khb.emp", "/api/v1/inbox/counts").await;
    assert_eq!(counts, json!({"held": 1, "unit": 1, "copies": 0, "overdue": 1}));
    let (_, counts) = app.get("hr.emp", "/api/v1/inbox/counts").await;
    assert_eq!(counts, json!({"held": 0, "unit": 0, "copies": 1, "overdue": 0}));

    // The Khobar queue may receive its referral; the registry may refer and close only once Khobar is done.
    let (status, queue) = app.get("khb.clerk", &format!("/api/v1/transactions/{id}/actions")).await;
    assert_eq!(status, StatusCode::OK);
    let khb_referral = app.referral_to(&created["referrals"], "KHB")["id"].clone();
    assert_eq!(queue["referrals"][0]["referral_id"], khb_referral);
    assert_eq!(queue["referrals"][0]["receive"], true);
    assert_eq!(queue["refer"], true);
    assert_eq!(queue["close"], true, "Khobar's queue holds the only referral for action");
    let (_, registry) = app.get("clerk", &format!("/api/v1/transactions/{id}/actions")).await;
    assert_eq!(registry["referrals"], json!([]));
    assert_eq!(registry["close"], false);
    assert_eq!(registry["close_blocked_by"], 1);
    let (_, copy) = app.get("hr.emp", &format!("/api/v1/transactions/{id}/actions")).await;
    assert_eq!(copy["referrals"][0]["receive"], true, "a copy can be acknowledged");
    assert_eq!(copy["close"], false);

    // What the actions say is what the server accepts: the Khobar clerk receives, then it is no longer offered.
    let (status, _) = app
        .post(
            "khb.clerk",
            &format!("/api/v1/referrals/{khb_referral}/receive"),
            json!({"expected_version": queue["referrals"][0]["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = app.get("khb.clerk", &format!("/api/v1/transactions/{id}/actions")).await;
    assert_eq!(after["referrals"][0]["receive"], false);
    assert_eq!(after["referrals"][0]["forward"], true);
    assert_eq!(after["close"], true);
    // Someone who may not see it gets 404, as everywhere.
    let (status, _) = app.get("eng.emp", &format!("/api/v1/transactions/{id}/actions")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Every list and count a user has (for Khobar's head, also the overview of Khobar), as answered.
async fn lists(app: &TestApp, who: &str) -> Vec<serde_json::Value> {
    let mut paths: Vec<String> = ["held", "unit", "copies", "sent"]
        .iter()
        .map(|b| format!("/api/v1/inbox?box={b}"))
        .chain(["/api/v1/drafts".to_string(), "/api/v1/inbox/counts".to_string()])
        .collect();
    if who == "khb.head" {
        paths.push(format!("/api/v1/units/{}/overview", app.unit("KHB")));
    }
    let mut seen = Vec::new();
    for path in &paths {
        let (status, body) = app.get(who, path).await;
        assert_eq!(status, StatusCode::OK, "{who} {path}: {body}");
        seen.push(body);
    }
    seen
}

/// Issue 5's acceptance: someone without clearance for "top secret" cannot find, count, open or download a
/// top-secret transaction by any route — although it sits in their own unit's queue, with a copy, and in the
/// queue of a unit their manager heads. And when a clerk's clearance is lowered, what they sent and drafted above
/// it leaves their lists too.
#[tokio::test]
async fn no_list_count_or_endpoint_shows_what_is_above_the_callers_clearance() {
    let app = TestApp::spawn().await;
    let (status, created) = app
        .post(
            "admin",
            "/api/v1/users",
            json!({"username": "ts.clerk", "password": crate::helpers::PASSWORD, "full_name_ar": "كاتب سري",
                   "full_name_en": "Cleared clerk", "unit_id": app.unit("CR"), "roles": ["registry_clerk"],
                   "clearance": "top_secret"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let cleared_clerk = created["id"].clone();
    let before = (lists(&app, "clerk").await, lists(&app, "khb.head").await);

    let (status, secret) = app
        .post(
            "ts.clerk",
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": "سري للغاية", "external_entity_id": app.fx.ministry,
                   "confidentiality": "top_secret",
                   "referrals": [{"unit_id": app.unit("CR"), "purpose": "action"},
                                 {"unit_id": app.unit("CR"), "user_id": cleared_clerk, "purpose": "information"},
                                 {"unit_id": app.unit("KHB"), "purpose": "action"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{secret}");
    let id = secret["transaction"]["id"].as_i64().unwrap();
    let referral = secret["referrals"][0]["id"].as_i64().unwrap();
    let (status, document) = crate::helpers::upload_text(
        &app,
        &app.token("ts.clerk").await,
        &format!("/api/v1/transactions/{id}/documents"),
        "مرفق سري",
        "نص سري".as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    let document = document["id"].as_i64().unwrap();

    // Find, count: the clerk's and the Khobar head's lists and counts are exactly as they were.
    assert_eq!(lists(&app, "clerk").await, before.0, "the clerk's lists changed");
    assert_eq!(lists(&app, "khb.head").await, before.1, "the Khobar head's lists changed");
    // The cleared clerk does find it (so the lists above would have shown it).
    let (_, queue) = app.get("ts.clerk", "/api/v1/inbox?box=unit").await;
    assert_eq!(queue["items"][0]["transaction"]["id"], json!(id), "{queue}");

    // Open, download, act: every endpoint answers as if it did not exist.
    for who in ["clerk", "khb.head", "khb.emp"] {
        for path in ["", "/timeline", "/route", "/location", "/dwell", "/actions", "/documents"] {
            let r = app.get(who, &format!("/api/v1/transactions/{id}{path}")).await;
            assert_problem(&r, StatusCode::NOT_FOUND, "transaction_not_found");
        }
        for path in ["", "/versions/1/content", "/versions/1/text"] {
            let r = app.get(who, &format!("/api/v1/documents/{document}{path}")).await;
            assert_eq!(r.0, StatusCode::NOT_FOUND, "{who} {path}: {}", r.1);
        }
        let r = app.post(who, &format!("/api/v1/referrals/{referral}/receive"), json!({})).await;
        assert_problem(&r, StatusCode::NOT_FOUND, "referral_not_found");
        let r = app.post(who, &format!("/api/v1/transactions/{id}/annotations"), json!({"text": "؟"})).await;
        assert_problem(&r, StatusCode::NOT_FOUND, "transaction_not_found");
    }
    // Naming it in a link of one's own finds nothing either.
    let (status, draft) =
        app.post("clerk", "/api/v1/transactions", json!({"kind": "internal", "subject": "مسودة"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let r = app
        .post(
            "clerk",
            &format!("/api/v1/transactions/{}/links", draft["transaction"]["id"]),
            json!({"kind": "related", "transaction_id": id}),
        )
        .await;
    assert_eq!(r.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.1);
    assert!(!r.1.to_string().contains("سري للغاية"), "{}", r.1);

    // A clerk whose clearance is lowered loses what they sent and drafted above it.
    let (status, sent) = app
        .post(
            "clerk",
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": "سري", "external_entity_id": app.fx.ministry,
                   "confidentiality": "confidential", "referrals": [{"unit_id": app.unit("HR"), "purpose": "action"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let (status, drafted) = app
        .post(
            "clerk",
            "/api/v1/transactions",
            json!({"kind": "internal", "subject": "مسودة سرية", "confidentiality": "confidential"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drafted}");
    let listed = |body: &serde_json::Value, id: &serde_json::Value| {
        body["items"].as_array().unwrap().iter().any(|i| i["transaction"]["id"] == *id || i["id"] == *id)
    };
    let (_, box_sent) = app.get("clerk", "/api/v1/inbox?box=sent").await;
    assert!(listed(&box_sent, &sent["transaction"]["id"]), "{box_sent}");
    let (_, drafts) = app.get("clerk", "/api/v1/drafts").await;
    assert!(listed(&drafts, &drafted["transaction"]["id"]), "{drafts}");
    let (status, _) = app
        .call(
            Some("admin"),
            reqwest::Method::PATCH,
            &format!("/api/v1/users/{}", app.user("clerk")),
            Some(json!({"clearance": "normal"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, box_sent) = app.get("clerk", "/api/v1/inbox?box=sent").await;
    assert!(!listed(&box_sent, &sent["transaction"]["id"]), "{box_sent}");
    let (_, drafts) = app.get("clerk", "/api/v1/drafts").await;
    assert!(!listed(&drafts, &drafted["transaction"]["id"]), "{drafts}");
    assert!(listed(&drafts, &draft["transaction"]["id"]), "the normal draft stays: {drafts}");
    for t in [&sent["transaction"]["id"], &drafted["transaction"]["id"]] {
        let r = app.get("clerk", &format!("/api/v1/transactions/{t}")).await;
        assert_problem(&r, StatusCode::NOT_FOUND, "transaction_not_found");
    }
}
