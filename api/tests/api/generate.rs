//! `muamalat generate` (the library function behind it) on a small set: every row where it belongs, numbers gapless
//! per registry and Hijri year and continued by the next registration, every transaction in the search index.

use diesel::prelude::*;
use muamalat::generate::{Options, generate};
use muamalat::schema::{referrals, registration_counters, transactions};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_generated_history_is_numbered_indexed_and_continued() {
    let app = TestApp::spawn().await;
    let summary = {
        let mut conn = app.pool.get().unwrap();
        generate(&mut conn, Options { transactions: 400, seed: 7 }).unwrap()
    };
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
