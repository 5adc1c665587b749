//! The HTTP contract: probes, the exact problem JSON, the OpenAPI document (served and committed), the docs page,
//! and the migrations and schema on this backend.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use muamalat::db::DbConn;

use crate::helpers::{TestApp, assert_problem};

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/readyz"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "ok"}));
    }
}

#[tokio::test]
async fn problem_json_is_exactly_what_clients_are_promised() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/api/v1/transactions/424242"))
        .bearer_auth(app.token("clerk").await)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({
            "type": "https://muamalat.example/problems/transaction_not_found",
            "title": "Not Found",
            "status": 404,
            "detail": "No transaction 424242.",
            "code": "transaction_not_found"
        })
    );
    let (_, body) = app.post("clerk", "/api/v1/transactions", json!({"kind": "internal", "subject": ""})).await;
    assert_eq!(
        body,
        json!({
            "type": "https://muamalat.example/problems/validation_failed",
            "title": "Unprocessable Entity",
            "status": 422,
            "detail": "`subject`: must not be empty",
            "code": "validation_failed",
            "errors": [{"field": "subject", "code": "required", "message": "must not be empty"}]
        })
    );
}

#[tokio::test]
async fn served_openapi_matches_the_committed_document() {
    let app = TestApp::spawn().await;
    let served: Value = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    let generated = muamalat::app::openapi_json();
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(committed_path, &generated).unwrap();
    } else {
        assert!(
            committed == generated,
            "openapi/openapi.json is stale. Regenerate it with:\n    cargo run -p muamalat-api -- openapi > openapi/openapi.json\n"
        );
    }
    assert_eq!(served, serde_json::from_str::<Value>(&generated).unwrap());
    assert_eq!(served["openapi"], "3.1.0");
    // Every operation is documented with at least one response, and all but sign-in and probes need the bearer.
    // Operation ids are unique (client generators name functions after them).
    let paths = served["paths"].as_object().unwrap();
    assert!(paths.len() >= 25, "{}", paths.len());
    let mut ids = std::collections::HashSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(ids.insert(id.to_string()), "operationId `{id}` of {method} {path} is used twice");
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}");
            let public = ["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/oauth/token"]
                .contains(&path.as_str())
                || path.ends_with("z");
            assert_eq!(op.get("security").is_some(), !public, "{method} {path}");
            // What generated clients and their readers need: a title, an explanation, every answer named.
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path}: no summary");
            assert!(op["description"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path}: no description");
            if !public {
                assert!(op["responses"].get("401").is_some(), "{method} {path} does not declare 401");
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                assert!(!p["schema"].to_string().contains("\"null\""), "{method} {path}: {p} may be null");
            }
        }
    }
    // Every reference resolves.
    let text = served.to_string();
    for reference in text.split("\"$ref\":\"#/").skip(1).filter_map(|rest| rest.split('"').next()) {
        let pointer = format!("/{reference}");
        assert!(served.pointer(&pointer).is_some(), "`#/{reference}` does not resolve");
    }
    assert!(served["components"]["securitySchemes"]["bearer"].is_object());
    let agency = &served["components"]["securitySchemes"]["agency"];
    assert_eq!(agency["flows"]["clientCredentials"]["tokenUrl"], "/api/v1/oauth/token", "{agency}");
}

/// A documented path asked with another method is a 405 naming the methods it answers; an undocumented one a 404.
#[tokio::test]
async fn other_methods_on_a_known_path_answer_405_with_allow() {
    let app = TestApp::spawn().await;
    let token = app.token("clerk").await;
    for (method, path, allow) in [
        (reqwest::Method::DELETE, "/api/v1/inbox", "GET"),
        (reqwest::Method::PUT, "/api/v1/units", "GET, POST"),
        (reqwest::Method::PATCH, "/api/v1/transactions/12/close", "POST"),
        (reqwest::Method::POST, "/healthz", "GET"),
        (reqwest::Method::DELETE, "/api/v1/documents/1/versions/1/content", "GET"),
    ] {
        let res = app.client.request(method.clone(), app.url(path)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_eq!(res.headers()["allow"], allow, "{method} {path}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "method_not_allowed", "{body}");
        assert_eq!(body["status"], 405, "{body}");
    }
    // Not documented under any method: still a 404, whatever the method.
    for (method, path) in
        [(reqwest::Method::DELETE, "/api/v1/no-such-thing"), (reqwest::Method::GET, "/api/v1/inbox/x/y")]
    {
        let res = app.client.request(method.clone(), app.url(path)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} {path}");
        assert!(res.headers().get("allow").is_none());
    }
}

/// `limit` is refused outside the 1–200 the document states, on every paged list, rather than silently clamped.
#[tokio::test]
async fn a_page_limit_outside_its_bounds_is_refused() {
    let app = TestApp::spawn().await;
    let khb = app.unit("KHB");
    for (who, list) in [
        ("khb.emp", "/api/v1/inbox".to_string()),
        ("khb.emp", "/api/v1/drafts".to_string()),
        ("auditor", "/api/v1/audit".to_string()),
        ("khb.head", format!("/api/v1/units/{khb}/overview")),
    ] {
        for limit in ["0", "201", "4294967296"] {
            let r = app.get(who, &format!("{list}?limit={limit}")).await;
            assert_problem(&r, StatusCode::BAD_REQUEST, "invalid_parameter");
        }
        for limit in ["1", "200"] {
            let (status, body) = app.get(who, &format!("{list}?limit={limit}")).await;
            assert_eq!(status, StatusCode::OK, "{list}?limit={limit}: {body}");
        }
    }
}

/// Bodies are read as the document describes them: a whole number written as a float is the integer it is (JSON
/// Schema's reading, and generated clients'); a form part the operation does not take is refused, not stored; a
/// sign-out body is optional, but one that is sent must be right.
#[tokio::test]
async fn bodies_are_read_as_the_document_describes_them() {
    let app = TestApp::spawn().await;
    let t = app.register_incoming("قياس", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    let r = app.referral_to(&t["referrals"], "KHB").clone();
    let (status, body) =
        app.post("khb.emp", &format!("/api/v1/referrals/{}/receive", r["id"]), json!({"expected_version": 1.0})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = app
        .post(
            "khb.emp",
            &format!("/api/v1/referrals/{}/complete", r["id"]),
            json!({"note": "x", "expected_version": 2.5}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    // A form part the operation does not take, or one sent twice.
    let tid = t["transaction"]["id"].as_i64().unwrap();
    let before = app.counts();
    let token = app.token("khb.emp").await;
    for (what, extra) in [("unknown", "whatever"), ("twice", "title")] {
        let boundary = "b0undary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nt\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"{extra}\"\r\n\r\n1\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc\r\n\
             --{boundary}--\r\n"
        );
        let res = app
            .client
            .post(app.url(&format!("/api/v1/transactions/{tid}/documents")))
            .bearer_auth(&token)
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], extra, "{what}: {problem}");
    }
    assert_eq!(app.counts(), before, "nothing was stored");

    // Sign-out: no body at all is fine (the cookie's session); a body that is sent is read strictly.
    let res = app.client.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for (body, code) in
        [("garbage", "malformed_json"), (r#"{"refresh_token": null, "unexpected": 42}"#, "validation_failed")]
    {
        let res = app
            .client
            .post(app.url("/api/v1/auth/logout"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{body}: {}", res.status());
        assert_eq!(res.json::<Value>().await.unwrap()["code"], code, "{body}");
    }
}

#[tokio::test]
async fn interactive_docs_are_served_by_the_binary() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    assert!(!html.contains("cdn."), "the docs page must not load assets from a CDN");
    let res = app.client.get(app.url("/api/docs/swagger-ui.css")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

fn migration_names(backend: &str) -> Vec<String> {
    let dir = format!("{}/../migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn both_migration_trees_carry_the_same_names() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
    for backend in ["sqlite", "postgres"] {
        for name in migration_names(backend) {
            let dir = format!("{}/../migrations/{backend}/{name}", env!("CARGO_MANIFEST_DIR"));
            assert!(std::path::Path::new(&format!("{dir}/up.sql")).exists(), "{dir}/up.sql");
            assert!(std::path::Path::new(&format!("{dir}/down.sql")).exists(), "{dir}/down.sql");
        }
    }
}

/// schema.rs agrees with what the migrations built on this backend: every column of every table loads.
#[tokio::test]
async fn schema_matches_the_migrated_database() {
    use muamalat::models::*;
    use muamalat::schema::*;
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().unwrap();
    let c = &mut *conn;
    units::table.select(UnitRow::as_select()).load(c).unwrap();
    users::table.select(UserRow::as_select()).load(c).unwrap();
    external_entities::table.select(EntityRow::as_select()).load(c).unwrap();
    refresh_tokens::table.select(RefreshTokenRow::as_select()).load(c).unwrap();
    transactions::table.select(TransactionRow::as_select()).load(c).unwrap();
    transaction_links::table.select(LinkRow::as_select()).load(c).unwrap();
    referrals::table.select(ReferralRow::as_select()).load(c).unwrap();
    events::table.select(EventRow::as_select()).load(c).unwrap();
    documents::table.select(DocumentRow::as_select()).load(c).unwrap();
    document_versions::table.select(DocumentVersionRow::as_select()).load(c).unwrap();
    blobs::table.select(blobs::all_columns).load::<(String, i64, String, chrono::NaiveDateTime)>(c).unwrap();
    user_roles::table.select((user_roles::user_id, user_roles::role)).load::<(i64, String)>(c).unwrap();
    server_settings::table.select((server_settings::name, server_settings::value)).load::<(String, String)>(c).unwrap();
    registration_counters::table.select(registration_counters::all_columns).load::<(i64, i32, i64)>(c).unwrap();
    idempotency_keys::table
        .select(idempotency_keys::all_columns)
        .load::<(i64, String, String, i32, String, chrono::NaiveDateTime)>(c)
        .unwrap();
    // Seeded rows round-trip, including the head of a unit.
    let khb: UnitRow = units::table.find(app.unit("KHB")).select(UnitRow::as_select()).first(c).unwrap();
    assert_eq!(khb.head_user_id, Some(app.user("khb.head")));
}

/// A table's columns: name, diesel type, nullable.
type Columns = Vec<(String, String, bool)>;

/// Tables and columns as `schema.rs` declares them.
fn declared_schema() -> std::collections::BTreeMap<String, Columns> {
    let text = include_str!("../../src/schema.rs");
    let mut tables = std::collections::BTreeMap::new();
    let mut current: Option<(String, Columns)> = None;
    for line in text.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with('{') && !line.starts_with("diesel::"))
        {
            current = Some((name.to_string(), Vec::new()));
        } else if let Some((column, ty)) = line.split_once(" -> ") {
            let ty = ty.trim_end_matches(',');
            let (ty, nullable) = match ty.strip_prefix("Nullable<").and_then(|t| t.strip_suffix('>')) {
                Some(inner) => (inner, true),
                None => (ty, false),
            };
            if let Some((_, columns)) = current.as_mut() {
                columns.push((column.to_string(), ty.to_string(), nullable));
            }
        } else if line == "}"
            && let Some((name, columns)) = current.take()
        {
            tables.insert(name, columns);
        }
    }
    tables
}

#[derive(diesel::QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    data_type: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    is_nullable: String,
}

#[derive(diesel::QueryableByName)]
struct SqliteTable {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[diesel(column_name = "type")]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    notnull: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pk: i32,
}

/// The diesel type a database column type reads as, on each backend.
fn diesel_type_of(database_type: &str) -> &'static str {
    match database_type.to_ascii_lowercase().as_str() {
        "bigint" | "int8" => "BigInt",
        "integer" | "int" | "int4" => "Integer",
        "text" | "character varying" => "Text",
        "boolean" | "bool" => "Bool",
        "timestamp" | "timestamp without time zone" => "Timestamp",
        "date" => "Date",
        _ => "(unknown)",
    }
}

/// `schema.rs` describes exactly the tables the migrations built on this backend — the same tables, the same columns
/// in the same order, of the same types and nullability — as `diesel print-schema` would print them. A migration
/// without its `schema.rs` change, or the reverse, fails here. The search index is outside it: an FTS5
/// table (and its shadow tables) on SQLite, a `tsvector` on PostgreSQL, written and read in SQL of each backend
/// (`api/src/domain/search`), and tested by the search tests; so is the PostgreSQL triggers' note of changes a database
/// transaction makes to the referral counts before it commits (`report_referral_changes`, always empty between
/// transactions), which no Rust code reads or writes.
#[tokio::test]
async fn schema_rs_describes_exactly_the_migrated_tables() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().unwrap();
    let mut built: std::collections::BTreeMap<String, Columns> = Default::default();
    match &mut *conn {
        DbConn::Pg(c) => {
            let columns: Vec<PgColumn> = diesel::sql_query(
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
                 FROM information_schema.columns WHERE table_schema = 'public' \
                 AND table_name <> '__diesel_schema_migrations' AND table_name <> 'transaction_search' \
                 AND table_name <> 'report_referral_changes' \
                 ORDER BY table_name, ordinal_position",
            )
            .load(c)
            .unwrap();
            for col in columns {
                built.entry(col.table_name).or_default().push((
                    col.column_name,
                    diesel_type_of(&col.data_type).to_string(),
                    col.is_nullable == "YES",
                ));
            }
        }
        DbConn::Sqlite(c) => {
            let tables: Vec<SqliteTable> = diesel::sql_query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name <> '__diesel_schema_migrations' AND name NOT LIKE 'transaction_search%'",
            )
            .load(c)
            .unwrap();
            for table in tables {
                let columns: Vec<SqliteColumn> =
                    diesel::sql_query(format!("PRAGMA table_info('{}')", table.name)).load(c).unwrap();
                let single_key = columns.iter().filter(|c| c.pk > 0).count() == 1;
                let columns = columns
                    .into_iter()
                    .map(|col| {
                        // A one-column INTEGER PRIMARY KEY is the rowid: a 64-bit integer that is never null.
                        let ty = if single_key && col.pk > 0 && col.kind.eq_ignore_ascii_case("integer") {
                            "BigInt".to_string()
                        } else {
                            diesel_type_of(&col.kind).to_string()
                        };
                        (col.name, ty, col.notnull == 0 && col.pk == 0)
                    })
                    .collect();
                built.insert(table.name, columns);
            }
        }
    }
    let declared = declared_schema();
    assert_eq!(declared.len(), 25, "schema.rs was read whole: {:?}", declared.keys());
    let tables = |m: &std::collections::BTreeMap<String, _>| m.keys().cloned().collect::<Vec<String>>();
    assert_eq!(tables(&declared), tables(&built), "the tables of schema.rs and of the migrated database");
    for (table, columns) in &declared {
        assert_eq!(columns, &built[table], "table {table}: schema.rs (left) against the migrated database (right)");
    }
}

/// The answers the OpenAPI document shows as examples are real ones: each reads back as the type it illustrates, and
/// the document carries it on its operation.
#[test]
fn the_documented_examples_are_answers_of_their_types() {
    use muamalat::routes::examples;
    fn reads_as<T: serde::de::DeserializeOwned>(name: &str, text: &str) {
        if let Err(e) = serde_json::from_str::<T>(text) {
            panic!("openapi/examples/{name} is not a {}: {e}", std::any::type_name::<T>());
        }
    }
    reads_as::<shared_types::TokenResponse>("signed-in.json", examples::SIGNED_IN);
    reads_as::<shared_types::TransactionWithReferrals>("registered.json", examples::REGISTERED);
    reads_as::<shared_types::Page<shared_types::InboxItem>>("inbox-page.json", examples::INBOX_PAGE);
    reads_as::<Vec<shared_types::Event>>("timeline.json", examples::TIMELINE);
    reads_as::<shared_types::Problem>("validation-problem.json", examples::VALIDATION_PROBLEM);
    let document: Value = serde_json::from_str(&muamalat::app::openapi_json()).unwrap();
    let example = |path: &str, method: &str, status: &str, content_type: &str| {
        document["paths"][path][method]["responses"][status]["content"][content_type]["example"].clone()
    };
    assert_eq!(example("/api/v1/auth/login", "post", "200", "application/json"), examples::signed_in());
    assert_eq!(example("/api/v1/transactions", "post", "201", "application/json"), examples::registered());
    assert_eq!(
        example("/api/v1/transactions", "post", "422", "application/problem+json"),
        examples::validation_problem()
    );
    assert_eq!(example("/api/v1/inbox", "get", "200", "application/json"), examples::inbox_page());
    assert_eq!(example("/api/v1/transactions/{id}/timeline", "get", "200", "application/json"), examples::timeline());
}
