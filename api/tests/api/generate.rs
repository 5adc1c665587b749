//! `muamalat generate` (the library function behind it) on a small set: every row where it belongs, numbers gapless
//! per registry and Hijri year and continued by the next registration, every transaction in the search index.

use diesel::prelude::*;
use muamalat::db;
use muamalat::generate::{Options, generate};
use muamalat::schema::{referrals, registration_counters, transactions};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_generated_history_is_numbered_indexed_and_continued() {
    let app = TestApp::spawn().await;
    let indexes_before = secondary_indexes(&app);
    let summary = {
        let mut conn = app.pool.get().unwrap();
        generate(&mut conn, Options { transactions: 400, seed: 7 }).unwrap()
    };
    // The indexes were set aside for the load (more rows than there were) and are all back, as they were.
    assert_eq!(secondary_indexes(&app), indexes_before);
    assert!(indexes_before.iter().any(|(name, _)| name == "referrals_seen_user_idx"), "{indexes_before:?}");
    assert_eq!(set_aside_notes(&app), 0);
    assert_eq!(summary.transactions, 400);
    let mut conn = app.pool.get().unwrap();
    let stored: i64 = transactions::table.count().get_result(&mut conn).unwrap();
    assert_eq!(stored, 400);
    let routed: i64 = referrals::table.count().get_result(&mut conn).unwrap();
    assert_eq!(routed as usize, summary.referrals);
    assert!(summary.referrals >= 400 && summary.events > summary.referrals, "{summary:?}");
    // Gapless: in each registry and year, the sequences are 1..=n and the counter stands at n.
    let numbered: Vec<(Option<i64>, Option<i32>, Option<i64>)> = transactions::table
        .select((transactions::registry_unit_id, transactions::hijri_year, transactions::sequence))
        .load(&mut conn)
        .unwrap();
    let mut by_year: std::collections::BTreeMap<(i64, i32), Vec<i64>> = Default::default();
    for (registry, year, sequence) in numbered {
        by_year.entry((registry.unwrap(), year.unwrap())).or_default().push(sequence.unwrap());
    }
    assert!(by_year.len() > 10, "spread over the years since 1434: {:?}", by_year.keys());
    for ((registry, year), mut sequences) in by_year {
        sequences.sort_unstable();
        assert_eq!(sequences, (1..=sequences.len() as i64).collect::<Vec<_>>(), "{registry} {year}");
        let counter: i64 = registration_counters::table
            .find((registry, year))
            .select(registration_counters::last_value)
            .first(&mut conn)
            .unwrap();
        assert_eq!(counter, sequences.len() as i64);
    }
    // Every transaction is found by its own registration number, and a common word finds many.
    let some: Vec<(i64, String)> = transactions::table
        .select((transactions::id, transactions::registration_number.assume_not_null()))
        .order(transactions::id)
        .limit(5)
        .load(&mut conn)
        .unwrap();
    for (id, number) in some {
        let (status, found) = app.get("admin", &format!("/api/v1/search?q={}", crate::search::encode(&number))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(found["items"][0]["transaction"]["id"], id, "{number}: {found}");
        assert_eq!(found["items"][0]["number_match"], true);
    }
    let (_, all) = app.get("admin", "/api/v1/search?limit=1").await;
    assert_eq!(all["total"], 400);
    // The next registration continues this year's numbers.
    let this_year = muamalat::calendar::hijri_year_at(chrono::Utc::now());
    let before: i64 = registration_counters::table
        .find((app.unit("CR"), this_year))
        .select(registration_counters::last_value)
        .first(&mut conn)
        .optional()
        .unwrap()
        .unwrap_or(0);
    let next = app.register_incoming("بعد التوليد", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    let number = next["transaction"]["registration_number"].as_str().unwrap();
    assert!(number.ends_with(&format!("/{:06}", before + 1)), "{number} after {before}");
}

/// A load that fails halfway keeps the batches it committed, with their registration numbers counted and (on
/// PostgreSQL) the id sequences past their ids: the next registration takes the next number and id, and the
/// indexes are back.
#[tokio::test]
async fn a_load_that_fails_halfway_leaves_a_database_that_registers_on() {
    let app = TestApp::spawn().await;
    let indexes_before = secondary_indexes(&app);
    let first_id: i64 = {
        let mut conn = app.pool.get().unwrap();
        transactions::table
            .select(diesel::dsl::max(transactions::id))
            .first::<Option<i64>>(&mut conn)
            .unwrap()
            .unwrap_or(0)
    };
    // The 1,500th transaction of the load cannot be written: the second batch of a thousand fails.
    let stop = first_id + 1_500;
    let trap = if app.database_url.starts_with("postgres") {
        vec![
            "CREATE FUNCTION stop_load() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'the load is cut short'; END $$"
                .to_string(),
            format!(
                "CREATE TRIGGER stop_load BEFORE INSERT ON transactions FOR EACH ROW WHEN (NEW.id = {stop}) \
                     EXECUTE FUNCTION stop_load()"
            ),
        ]
    } else {
        vec![format!(
            "CREATE TRIGGER stop_load BEFORE INSERT ON transactions WHEN NEW.id = {stop} \
             BEGIN SELECT RAISE(ABORT, 'the load is cut short'); END"
        )]
    };
    for statement in &trap {
        app.execute(statement).unwrap();
    }
    let failed = {
        let mut conn = app.pool.get().unwrap();
        generate(&mut conn, Options { transactions: 2_500, seed: 11 })
    };
    assert!(failed.is_err(), "the trap stops the load");
    app.execute("DROP TRIGGER stop_load ON transactions").or_else(|_| app.execute("DROP TRIGGER stop_load")).unwrap();
    let mut conn = app.pool.get().unwrap();
    let kept: i64 = transactions::table.count().get_result(&mut conn).unwrap();
    assert_eq!(kept, 1_000, "the first batch is committed, the second is not");
    assert_eq!(secondary_indexes(&app), indexes_before);
    // Every counter stands at the last number its registry and year gave.
    let numbered: Vec<(Option<i64>, Option<i32>, Option<i64>)> = transactions::table
        .select((transactions::registry_unit_id, transactions::hijri_year, transactions::sequence))
        .load(&mut conn)
        .unwrap();
    let mut last: std::collections::BTreeMap<(i64, i32), i64> = Default::default();
    for (registry, year, sequence) in numbered {
        let entry = last.entry((registry.unwrap(), year.unwrap())).or_default();
        *entry = (*entry).max(sequence.unwrap());
    }
    for ((registry, year), sequence) in last {
        let counter: i64 = registration_counters::table
            .find((registry, year))
            .select(registration_counters::last_value)
            .first(&mut conn)
            .unwrap();
        assert_eq!(counter, sequence, "{registry} {year}");
    }
    // Registering goes on: the next number, a new id, no conflict.
    let next = app.register_incoming("بعد التوقف", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    assert!(next["transaction"]["id"].as_i64().unwrap() > first_id + 1_000, "{next}");
}

/// A bulk load cut short leaves its indexes set aside; the next start builds them again from their definitions.
#[tokio::test]
async fn indexes_set_aside_by_a_load_cut_short_are_rebuilt_at_the_next_start() {
    let app = TestApp::spawn().await;
    let before = secondary_indexes(&app);
    let set_aside = {
        let mut conn = app.pool.get().unwrap();
        db::set_aside_indexes(&mut conn, &["referrals", "events"], &["referrals_transaction_idx"]).unwrap()
    };
    let during = secondary_indexes(&app);
    assert!(set_aside >= 3, "{set_aside}");
    assert_eq!(during.len(), before.len() - set_aside);
    assert!(during.iter().any(|(name, _)| name == "referrals_transaction_idx"), "kept: {during:?}");
    assert!(!during.iter().any(|(name, _)| name == "events_transaction_idx"), "{during:?}");
    assert_eq!(set_aside_notes(&app), set_aside as i64);
    // Unique indexes stay: the data stays right while the others are away.
    let taken = app.register_incoming("أثناء الغياب", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    assert!(taken["transaction"]["id"].is_i64(), "{taken}");
    drop(db::connect(&app.database_url, Some(1)).expect("a restarted server"));
    assert_eq!(secondary_indexes(&app), before);
    assert_eq!(set_aside_notes(&app), 0);
}

/// The non-unique indexes of the tables a load fills, with their definitions, from the catalogue.
fn secondary_indexes(app: &TestApp) -> Vec<(String, String)> {
    #[derive(QueryableByName)]
    struct Index {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        definition: String,
    }
    let mut conn = app.pool.get().unwrap();
    let query = match &mut *conn {
        db::DbConn::Sqlite(_) => {
            "SELECT name, sql AS definition FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ('transactions', 'referrals', 'events') ORDER BY name"
        }
        db::DbConn::Pg(_) => {
            "SELECT indexname::TEXT AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = 'public' \
             AND indexdef NOT LIKE 'CREATE UNIQUE%' AND tablename IN ('transactions', 'referrals', 'events') \
             ORDER BY indexname"
        }
    };
    let found: Vec<Index> = diesel::sql_query(query).load(&mut conn).unwrap();
    found.into_iter().map(|i| (i.name, i.definition)).collect()
}

fn set_aside_notes(app: &TestApp) -> i64 {
    use muamalat::schema::server_settings::dsl as s;
    let mut conn = app.pool.get().unwrap();
    s::server_settings.filter(s::name.like("set\\_aside\\_index:%").escape('\\')).count().get_result(&mut conn).unwrap()
}
