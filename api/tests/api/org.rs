use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn admin_creates_renames_moves_and_disables_units() {
    let app = TestApp::spawn().await;
    let (status, unit) = app
        .post(
            "admin",
            "/api/v1/units",
            json!({"code": "KHB-PARKS", "name_ar": "قسم الحدائق", "name_en": "Parks Section", "kind": "section", "parent_id": app.unit("KHB")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{unit}");
    let id = unit["id"].as_i64().unwrap();
    let path = format!("/api/v1/units/{id}");
    let (status, renamed) =
        app.call(Some("admin"), Method::PATCH, &path, Some(json!({"name_ar": "قسم الحدائق والتشجير"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["name_ar"], "قسم الحدائق والتشجير");
    // Move it under the engineering department; the head of KHB still manages it (below KHB).
    let (status, moved) =
        app.call(Some("admin"), Method::PATCH, &path, Some(json!({"parent_id": app.unit("KHB-ENG")}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(moved["parent_id"], json!(app.unit("KHB-ENG")));
    // Moving KHB under its own descendant is refused.
    let before = app.counts();
    let r = app
        .call(
            Some("admin"),
            Method::PATCH,
            &format!("/api/v1/units/{}", app.unit("KHB")),
            Some(json!({"parent_id": id})),
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "unit_cycle");
    assert_eq!(app.counts(), before);
    let (status, disabled) = app.call(Some("admin"), Method::PATCH, &path, Some(json!({"active": false}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(disabled["active"], false);
    // A disabled unit cannot receive referrals.
    let incoming = app.register_incoming("اختبار", json!([])).await;
    let tid = incoming["transaction"]["id"].as_i64().unwrap();
    let r = app
        .post(
            "clerk",
            &format!("/api/v1/transactions/{tid}/referrals"),
            json!({"targets": [{"unit_id": id, "purpose": "action"}]}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(r.1["errors"][0]["field"], "targets[0].unit_id");
    assert_eq!(r.1["errors"][0]["code"], "disabled");
}

#[tokio::test]
async fn only_admins_change_the_organisation() {
    let app = TestApp::spawn().await;
    let before = app.counts();
    let r = app
        .post(
            "khb.head",
            "/api/v1/units",
            json!({"code": "X1", "name_ar": "س", "name_en": "X", "kind": "section", "parent_id": app.unit("KHB")}),
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = app
        .call(
            Some("khb.head"),
            Method::PATCH,
            &format!("/api/v1/users/{}", app.user("khb.emp")),
            Some(json!({"active": false})),
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(app.counts(), before);
}

#[tokio::test]
async fn users_are_created_validated_and_unique() {
    let app = TestApp::spawn().await;
    let body = json!({
        "username": "khb.emp2", "password": "long enough password", "full_name_ar": "سارة العتيبي",
        "full_name_en": "Sara Al-Otaibi", "unit_id": app.unit("KHB"), "roles": ["employee"], "clearance": "normal"
    });
    let (status, user) = app.post("admin", "/api/v1/users", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());
    let before = app.counts();
    let r = app.post("admin", "/api/v1/users", body).await;
    assert_problem(&r, StatusCode::CONFLICT, "already_exists");
    let r = app
        .post(
            "admin",
            "/api/v1/users",
            json!({"username": "a b", "password": "short", "full_name_ar": "", "full_name_en": "X", "unit_id": 999999,
                   "roles": [], "clearance": "normal"}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields: Vec<&str> = r.1["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in ["username", "full_name_ar", "password", "roles", "unit_id"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    assert_eq!(app.counts(), before);
    // The new user can sign in with their password.
    let r = app
        .call(
            None,
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"username": "khb.emp2", "password": "long enough password"})),
        )
        .await;
    assert_eq!(r.0, StatusCode::OK);
}

/// An administrator renames a user and moves them to another unit: their work follows their unit from then on.
#[tokio::test]
async fn admins_rename_and_move_users() {
    let app = TestApp::spawn().await;
    let path = format!("/api/v1/users/{}", app.user("hr.emp"));
    let (status, renamed) = app
        .call(
            Some("admin"),
            Method::PATCH,
            &path,
            Some(json!({"full_name_ar": "نورة القحطاني", "full_name_en": "Noura Al-Qahtani"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["full_name_ar"], "نورة القحطاني");
    assert_eq!(renamed["full_name_en"], "Noura Al-Qahtani");
    let (status, moved) =
        app.call(Some("admin"), Method::PATCH, &path, Some(json!({"unit_id": app.unit("KHB")}))).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["unit_id"], json!(app.unit("KHB")));
    assert_eq!(moved["full_name_ar"], "نورة القحطاني", "a move keeps the name");
    // The move shows at once: Khobar's queue is now theirs, and the unit's list of users has them.
    let t = app.register_incoming("إلى الخبر", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    let (_, queue) = app.get("hr.emp", "/api/v1/inbox?box=unit").await;
    assert_eq!(queue["items"][0]["transaction"]["id"], t["transaction"]["id"], "{queue}");
    let (_, members) = app.get("admin", &format!("/api/v1/users?unit_id={}", app.unit("KHB"))).await;
    assert!(members.as_array().unwrap().iter().any(|u| u["username"] == "hr.emp"), "{members}");
    // To a unit that does not exist, or a blank name: 422, and nothing changes.
    let before = app.counts();
    let r = app.call(Some("admin"), Method::PATCH, &path, Some(json!({"unit_id": 999_999}))).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let r = app.call(Some("admin"), Method::PATCH, &path, Some(json!({"full_name_ar": " "}))).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(app.counts(), before);
    let (_, still) = app.get("admin", &path).await;
    assert_eq!(still["unit_id"], json!(app.unit("KHB")));
}

#[tokio::test]
async fn directory_search_finds_arabic_and_english_names() {
    let app = TestApp::spawn().await;
    let (status, found) = app.get("clerk", "/api/v1/external-entities?q=%D8%A3%D8%B1%D8%A7%D9%85%D9%83%D9%88").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["code"], "ARAMCO");
    let (status, none) = app.get("clerk", "/api/v1/users?q=%00").await;
    assert_eq!(status, StatusCode::OK, "a NUL in a search is ignored, not a server error: {none}");
    let (_, found) = app.get("clerk", "/api/v1/external-entities?q=ministry").await;
    assert_eq!(found[0]["code"], "MOMAH");
    let (_, users) = app.get("clerk", &format!("/api/v1/users?unit_id={}", app.unit("KHB"))).await;
    assert_eq!(users.as_array().unwrap().len(), 3);
    let (status, units) = app.get("khb.emp", "/api/v1/units").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(units.as_array().unwrap().len(), 5);
    let (status, entity) = app
        .post("clerk", "/api/v1/external-entities", json!({"code": "SEC", "name_ar": "الشركة السعودية للكهرباء", "name_en": "Saudi Electricity", "kind": "company"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{entity}");
    // The pickers fold as the browser does: ta marbuta typed as ه, hamza forms, diacritics, case; every word counts.
    let q = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    for typed in ["الشركه السعوديه", "الشَّركة", "saudi ELECTRICITY", "sec"] {
        let (_, found) = app.get("clerk", &format!("/api/v1/external-entities?q={}", q(typed))).await;
        assert!(found.as_array().unwrap().iter().any(|e| e["code"] == "SEC"), "{typed}: {found}");
    }
    let (_, found) = app.get("clerk", &format!("/api/v1/external-entities?q={}", q("الشركه الصحيه"))).await;
    assert!(!found.as_array().unwrap().iter().any(|e| e["code"] == "SEC"), "every word must match: {found}");
    let body = json!({
        "username": "khb.emp2", "password": "long enough password", "full_name_ar": "سارة الأحمدي",
        "full_name_en": "Sara Al-Ahmadi", "unit_id": app.unit("KHB"), "roles": ["employee"], "clearance": "normal"
    });
    let (status, user) = app.post("admin", "/api/v1/users", body).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    for typed in ["ساره الاحمدي", "سارَة", "KHB.EMP2", "ahmadi"] {
        let (_, people) = app.get("clerk", &format!("/api/v1/users?q={}", q(typed))).await;
        assert!(people.as_array().unwrap().iter().any(|u| u["username"] == "khb.emp2"), "{typed}: {people}");
    }
    // A rename is searchable at once, under its new name only.
    let path = format!("/api/v1/users/{}", user["id"]);
    let r = app.call(Some("admin"), Method::PATCH, &path, Some(json!({"full_name_ar": "نورة الأحمدي"}))).await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    let (_, renamed) = app.get("clerk", &format!("/api/v1/users?q={}", q("نوره"))).await;
    assert!(renamed.as_array().unwrap().iter().any(|u| u["username"] == "khb.emp2"), "{renamed}");
    let (_, old) = app.get("clerk", &format!("/api/v1/users?q={}", q("ساره الاحمدي"))).await;
    assert!(!old.as_array().unwrap().iter().any(|u| u["username"] == "khb.emp2"), "{old}");
    let r = app
        .post(
            "khb.emp",
            "/api/v1/external-entities",
            json!({"code": "SEC2", "name_ar": "س", "name_en": "S", "kind": "company"}),
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn passwords_must_be_hard_to_guess() {
    let app = TestApp::spawn().await;
    let user = |password: &str| {
        json!({
            "username": "khb.emp3", "password": password, "full_name_ar": "فهد الدوسري",
            "full_name_en": "Fahd Al-Dosari", "unit_id": app.unit("KHB"), "roles": ["employee"], "clearance": "normal"
        })
    };
    let before = app.counts();
    for (password, reason) in [
        ("password1234", "too_weak"),
        ("1234567890", "too_weak"),
        ("qwertyuiop", "too_weak"),
        ("aaaaaaaaaaaa", "too_weak"),
        ("khb.emp3-2026!", "contains_name"),
        ("short", "too_short"),
    ] {
        let r = app.post("admin", "/api/v1/users", user(password)).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(r.1["errors"][0]["field"], "password", "{password}: {}", r.1);
        assert_eq!(r.1["errors"][0]["code"], reason, "{password}: {}", r.1);
    }
    assert_eq!(app.counts(), before);
    let (status, body) = app.post("admin", "/api/v1/users", user("ساحل الخبر وقت الغروب 7")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Changing a password follows the same policy.
    let r = app
        .call(
            Some("admin"),
            Method::PATCH,
            &format!("/api/v1/users/{}", body["id"]),
            Some(json!({"password": "password12345"})),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
}

/// Rows from before search names existed (an upgraded database) get theirs computed at start, and are then found.
#[tokio::test]
async fn search_names_missing_from_older_rows_are_filled_in() {
    use diesel::prelude::*;
    use muamalat::schema::{external_entities, users};
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().expect("connection");
    diesel::update(users::table).set(users::search_name.eq("")).execute(&mut conn).expect("blank users");
    diesel::update(external_entities::table)
        .set(external_entities::search_name.eq(""))
        .execute(&mut conn)
        .expect("blank entities");
    let (_, none) = app.get("clerk", "/api/v1/external-entities?q=aramco").await;
    assert_eq!(none, json!([]), "nothing is found without search names");
    let filled = muamalat::domain::org::fill_search_names(&mut conn).expect("fill");
    let count: i64 = users::table.count().get_result(&mut conn).expect("count");
    assert!(filled as i64 > count, "every user and entity: {filled}");
    assert_eq!(muamalat::domain::org::fill_search_names(&mut conn).expect("again"), 0, "then nothing to do");
    let (_, found) = app.get("clerk", "/api/v1/external-entities?q=aramco").await;
    assert_eq!(found[0]["code"], "ARAMCO", "{found}");
}
