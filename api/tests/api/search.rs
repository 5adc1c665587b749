//! Search (`GET /api/v1/search`) on the real server: Arabic folding and stemming, registration numbers, filters,
//! facets and paging, snippets, the index written with each change, and the access rules — on SQLite and PostgreSQL.

use std::collections::BTreeSet;

use muamalat::db;
use muamalat::domain::{actor, timeline};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared_types::EventKind;

use crate::helpers::{TestApp, assert_problem, upload_text};

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Search as a user; answers the body of a 200.
async fn search(app: &TestApp, who: &str, query: &str) -> Value {
    let (status, body) = app.get(who, &format!("/api/v1/search?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

async fn find(app: &TestApp, who: &str, words: &str) -> Value {
    search(app, who, &format!("q={}", encode(words))).await
}

fn ids(results: &Value) -> Vec<i64> {
    results["items"].as_array().unwrap().iter().map(|h| h["transaction"]["id"].as_i64().unwrap()).collect()
}

fn id_set(results: &Value) -> BTreeSet<i64> {
    ids(results).into_iter().collect()
}

async fn incoming(app: &TestApp, subject: &str, to: &str) -> i64 {
    let t = app.register_incoming(subject, json!([{"unit_id": app.unit(to), "purpose": "action"}])).await;
    t["transaction"]["id"].as_i64().unwrap()
}

async fn incoming_with(app: &TestApp, body: Value) -> i64 {
    let mut letter = json!({
        "kind": "incoming",
        "subject": "خطاب",
        "external_entity_id": app.fx.ministry,
        "priority": "normal",
        "referrals": [{"unit_id": app.unit("KHB"), "purpose": "action"}],
    });
    for (k, v) in body.as_object().unwrap() {
        letter[k] = v.clone();
    }
    let (status, t) = app.post("clerk", "/api/v1/transactions", letter).await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    t["transaction"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_word_finds_its_other_spellings_with_and_without_clitics() {
    let app = TestApp::spawn().await;
    let imara = incoming(&app, "خطاب من الإمارة بشأن الموازنة", "KHB").await;
    let amara = incoming(&app, "تقرير الأمارة السنوي", "KHB").await;
    let sayana = incoming(&app, "طلب الصيانة الدورية للمبنى", "KHB").await;
    let wal = incoming(&app, "وللصيانة موعد محدد", "KHB").await;
    let other = incoming(&app, "رخصة بناء", "KHB").await;

    assert_eq!(id_set(&find(&app, "clerk", "الاماره").await), BTreeSet::from([imara, amara]));
    assert_eq!(id_set(&find(&app, "clerk", "صيانه").await), BTreeSet::from([sayana, wal]));
    assert_eq!(id_set(&find(&app, "clerk", "الصيانة").await), BTreeSet::from([sayana, wal]));
    // Tashkeel and tatweel are folded away; every word must occur.
    assert_eq!(id_set(&find(&app, "clerk", "الصِّيـانة الدورية").await), BTreeSet::from([sayana]));
    assert!(ids(&find(&app, "clerk", "صيانة رخصة").await).is_empty());
    assert_eq!(ids(&find(&app, "clerk", "رخصه").await), [other]);
    // The sender's name is searched, in both languages.
    let ministry = find(&app, "clerk", "وزارة").await;
    assert_eq!(ministry["total"], 5, "{ministry}");
    // The snippet marks the words as written.
    let hit = &find(&app, "clerk", "صيانه").await["items"][0];
    assert_eq!(hit["snippet"]["source"], "subject", "{hit}");
    let marked: Vec<&str> = hit["snippet"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["hit"] == true)
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert!(marked == ["وللصيانة"] || marked == ["الصيانة"], "{hit}");
}

#[tokio::test]
async fn a_registration_number_whole_or_in_part_comes_first() {
    let app = TestApp::spawn().await;
    // The central registry's counter stands at 122 this year: the next letter is number 123.
    {
        use diesel::prelude::*;
        use muamalat::schema::registration_counters as rc;
        let mut conn = app.pool.get().unwrap();
        let year = muamalat::calendar::hijri_year_at(chrono::Utc::now());
        diesel::insert_into(rc::table)
            .values((rc::registry_unit_id.eq(app.unit("CR")), rc::hijri_year.eq(year), rc::last_value.eq(122_i64)))
            .execute(&mut conn)
            .unwrap();
    }
    let letter =
        app.register_incoming("مراسلة عن الرقم 1448", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    let number = letter["transaction"]["registration_number"].as_str().unwrap().to_string();
    let id = letter["transaction"]["id"].as_i64().unwrap();
    assert!(number.ends_with("/000123"), "{number}");
    let (prefix_year, _) = number.split_once('/').unwrap();
    let year = prefix_year.rsplit('-').next().unwrap().to_string();
    let other = incoming(&app, &format!("متابعة السنة {year} رقم 123"), "KHB").await;

    let arabic_digits: String = format!("{year}/123")
        .chars()
        .map(|c| c.to_digit(10).map_or(c, |d| char::from_u32(0x0660 + d).unwrap()))
        .collect();
    for query in [number.clone(), format!("{year}/123"), "000123".into(), arabic_digits, number.to_lowercase()] {
        let found = find(&app, "clerk", &query).await;
        assert_eq!(found["items"][0]["transaction"]["id"], id, "{query}: {found}");
        assert_eq!(found["items"][0]["number_match"], true, "{query}");
        if found["total"] == 2 {
            assert_eq!(found["items"][1]["transaction"]["id"], other, "{query}");
            assert_eq!(found["items"][1]["number_match"], false, "{query}");
        }
    }
    // The sender's reference is searched by its parts too.
    assert_eq!(find(&app, "clerk", "MOMAH/1447/55").await["total"], 2);
}

#[tokio::test]
async fn a_secret_match_is_neither_shown_nor_counted_to_those_who_may_not_see_it() {
    let app = TestApp::spawn().await;
    let normal = incoming(&app, "مشروع تطوير الواجهة البحرية", "KHB").await;
    let secret = incoming_with(&app, json!({"subject": "مشروع تطوير سري", "confidentiality": "confidential"})).await;
    let elsewhere = incoming_with(
        &app,
        json!({"subject": "مشروع تطوير الموارد", "referrals": [{"unit_id": app.unit("HR"), "purpose": "action"}]}),
    )
    .await;
    // The uncleared employee on the route: only the normal one, and nothing of the secret in the counts.
    let seen = find(&app, "khb.emp", "مشروع تطوير").await;
    assert_eq!(ids(&seen), [normal], "{seen}");
    assert_eq!(seen["total"], 1);
    assert_eq!(seen["facets"]["confidentiality"], json!([{"value": "normal", "count": 1}]));
    assert_eq!(seen["facets"]["kind"], json!([{"value": "incoming", "count": 1}]));
    let filtered = search(&app, "khb.emp", &format!("q={}&confidentiality=confidential", encode("سري"))).await;
    assert_eq!(filtered["total"], 0, "{filtered}");
    assert_eq!(filtered["facets"]["confidentiality"], json!([]), "{filtered}");
    // The cleared head of the unit on the route sees both; an employee off the route sees only what reached them.
    assert_eq!(id_set(&find(&app, "khb.head", "مشروع تطوير").await), BTreeSet::from([normal, secret]));
    assert_eq!(id_set(&find(&app, "hr.emp", "مشروع تطوير").await), BTreeSet::from([elsewhere]));
    assert_eq!(find(&app, "eng.emp", "مشروع").await["total"], 0);
    // The administrator and the registry see all three.
    for who in ["admin", "clerk"] {
        let all = find(&app, who, "مشروع تطوير").await;
        assert_eq!(all["total"], 3, "{who}: {all}");
    }
    // The registry's normal-only clerk: the two normal ones.
    assert_eq!(id_set(&find(&app, "clerk2", "مشروع").await), BTreeSet::from([normal, elsewhere]));
}

/// The database's visibility rule (`policy::visible_sql`) and the one `GET /transactions/{id}` applies
/// (`policy::can_view`) agree for every user of the fixture, a deputy standing in for a manager included.
#[tokio::test]
async fn search_sees_exactly_what_each_user_may_open() {
    let app = TestApp::spawn().await;
    let mut all = vec![
        incoming(&app, "أ", "KHB").await,
        incoming(&app, "ب", "KHB-ENG").await,
        incoming(&app, "ج", "HR").await,
        incoming_with(&app, json!({"confidentiality": "confidential"})).await,
        incoming_with(&app, json!({"confidentiality": "confidential", "referrals": []})).await,
    ];
    // Two internal memos of the head of Khobar: one still a draft (only its author sees it), one sent to a person.
    for send in [false, true] {
        let (status, body) = app
            .post(
                "khb.head",
                "/api/v1/transactions",
                json!({"kind": "internal", "subject": "مذكرة داخلية", "priority": "normal"}),
            )
            .await;
        assert!(status.is_success(), "{body}");
        let id = body["transaction"]["id"].as_i64().unwrap();
        if send {
            let target = json!({"targets": [{"user_id": app.user("eng.emp"), "unit_id": app.unit("KHB-ENG"), "purpose": "action"}]});
            let (status, body) = app.post("khb.head", &format!("/api/v1/transactions/{id}/send"), target).await;
            assert!(status.is_success(), "{body}");
        }
        all.push(id);
    }
    let (status, body) = app
        .post(
            "admin",
            "/api/v1/delegations",
            json!({"delegator_user_id": app.user("hr.head"), "deputy_user_id": app.user("eng.emp"),
                   "ends_at": (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for who in app.fx.users.keys() {
        let mut may_open = BTreeSet::new();
        for id in &all {
            if app.get(who, &format!("/api/v1/transactions/{id}")).await.0 == StatusCode::OK {
                may_open.insert(*id);
            }
        }
        let found = search(&app, who, "limit=200").await;
        assert_eq!(id_set(&found), may_open, "{who}");
        assert_eq!(found["total"], may_open.len(), "{who}");
    }
}

/// Each tie of the visibility rule, alone, lets a person see a transaction, in search and when opening it: the
/// rule's branches are set one at a time on a referral and a transaction nobody probed is otherwise tied to, so a
/// branch left out of either form of the rule fails here (comparing the two forms cannot show that).
#[tokio::test]
async fn each_tie_alone_shows_a_transaction_and_nothing_else_does() {
    let app = TestApp::spawn().await;
    // Sent by the central registry to HR's queue: nobody of Khobar's engineering is tied to it.
    let hr = incoming(&app, "طلب موارد", "HR").await;
    // Sent to the engineering unit's queue.
    let eng = incoming(&app, "طلب هندسي", "KHB-ENG").await;
    let sees = |who: &'static str, id: i64| {
        let app = &app;
        async move {
            // Without words the rule gathers the ties; with words it asks of each row found: both forms.
            let in_search = id_set(&search(app, who, "limit=200").await).contains(&id);
            let by_word = id_set(&search(app, who, &format!("limit=200&q={}", encode("طلب"))).await).contains(&id);
            let opens = app.get(who, &format!("/api/v1/transactions/{id}")).await.0 == StatusCode::OK;
            assert_eq!((in_search, by_word), (opens, opens), "{who} on {id}: search and opening disagree");
            in_search
        }
    };
    let (emp, other) = (app.user("eng.emp"), app.user("hr.emp"));
    let (clerk, eng_unit) = (app.user("clerk"), app.unit("KHB-ENG"));
    let set = |table: &str, id: i64, assignments: &str| {
        let key = if table == "referrals" { "transaction_id" } else { "id" };
        app.execute(&format!("UPDATE {table} SET {assignments} WHERE {key} = {id}")).expect("update");
    };
    let untied = format!("from_user_id = {clerk}, to_user_id = NULL, received_by = NULL, completed_by = NULL");
    assert!(!sees("eng.emp", hr).await && !sees("eng.head", hr).await);
    // (the person probed, the change that ties them, whether it does)
    let cases: Vec<(&'static str, &'static str, String, bool)> = vec![
        ("eng.emp", "referrals", format!("from_user_id = {emp}"), true),
        ("eng.emp", "referrals", format!("to_user_id = {emp}"), true),
        ("eng.emp", "referrals", format!("received_by = {emp}"), true),
        ("eng.emp", "referrals", format!("to_user_id = {other}, received_by = {emp}"), true),
        ("eng.emp", "referrals", format!("to_user_id = {other}, received_by = {other}, completed_by = {emp}"), true),
        ("eng.emp", "referrals", format!("to_user_id = {other}, received_by = {other}, completed_by = {other}"), false),
        ("eng.head", "referrals", format!("from_unit_id = {eng_unit}"), true),
        ("eng.emp", "referrals", format!("from_unit_id = {eng_unit}"), false),
        ("eng.emp", "transactions", format!("created_by = {emp}"), true),
        ("eng.emp", "transactions", format!("registry_unit_id = {eng_unit}"), true),
    ];
    for (who, table, change, tied) in &cases {
        set(table, hr, change);
        assert_eq!(sees(who, hr).await, *tied, "{who} after {table}: {change}");
        // Undone, the tie is gone again.
        set("referrals", hr, &format!("{untied}, from_unit_id = {}", app.unit("CR")));
        set("transactions", hr, &format!("created_by = {clerk}, registry_unit_id = {}", app.unit("CR")));
        assert!(!sees(who, hr).await, "{who} still sees after undoing {change}");
    }
    // A unit's queue is seen by its members and its head; work sent to one of its people, by its head only.
    assert!(sees("eng.emp", eng).await && sees("eng.head", eng).await);
    set("referrals", eng, &format!("to_user_id = {other}"));
    assert!(!sees("eng.emp", eng).await);
    assert!(sees("eng.head", eng).await);
}

#[tokio::test]
async fn the_index_follows_each_committed_change_and_never_a_rolled_back_one() {
    let app = TestApp::spawn().await;
    let id = incoming(&app, "طلب إنارة الشارع", "KHB").await;
    assert_eq!(find(&app, "khb.head", "عاجلجدا").await["total"], 0);
    let (status, body) = app
        .post("khb.head", &format!("/api/v1/transactions/{id}/annotations"), json!({"text": "يرجى المتابعة عاجلجدا"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let found = find(&app, "khb.head", "عاجلجدا").await;
    assert_eq!(ids(&found), [id]);
    assert_eq!(found["items"][0]["snippet"]["source"], "note", "{found}");
    let (status, _) = app
        .post(
            "khb.head",
            &format!("/api/v1/transactions/{id}/decisions"),
            json!({"decision": "approve", "note": "اعتمادنهائي"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(ids(&find(&app, "khb.head", "اعتمادنهائي").await), [id]);

    // An annotation written and then rolled back with its database transaction is never found.
    {
        let mut conn = app.pool.get().unwrap();
        let admin = actor::load_actor(&mut conn, app.user("admin")).unwrap();
        let rolled_back: Result<(), muamalat::error::ApiError> = db::write_tx(&mut conn, |conn| {
            let at = chrono::Utc::now().naive_utc();
            timeline::record(conn, id, None, EventKind::Annotated, &admin, at, json!({"text": "كلمةمتراجعة"}))?;
            Err(muamalat::error::ApiError::internal("rolled back on purpose"))
        });
        assert!(rolled_back.is_err());
    }
    assert_eq!(find(&app, "admin", "كلمةمتراجعة").await["total"], 0);

    // A document's extracted text is searched once extracted (in the background, after the upload answered).
    let token = app.token("khb.head").await;
    let (status, doc) = upload_text(
        &app,
        &token,
        &format!("/api/v1/transactions/{id}/documents"),
        "محضر المعاينة",
        "تمت معاينة الموقع وتبين وجود تلفيات كهربائية في الأعمدة".as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    // The whole suite runs at once on two cores: give the background extraction up to 30 seconds.
    let mut found = Value::Null;
    for _ in 0..600 {
        found = find(&app, "khb.head", "تلفيات").await;
        if found["total"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(ids(&found), [id], "{found}");
    assert_eq!(found["items"][0]["snippet"]["source"], "document", "{found}");
    assert_eq!(found["items"][0]["snippet"]["document_title"], "محضر المعاينة");
    // The title too.
    assert_eq!(ids(&find(&app, "khb.head", "المعاينه").await), [id]);
}

/// One answer is of one moment: while letters with the word are registered, every page holds as many items as its
/// total says and its facets add up to that total (the page, the total and the facets are separate statements).
#[tokio::test]
async fn a_page_its_total_and_its_facets_agree_while_letters_arrive() {
    let app = TestApp::spawn().await;
    const LETTERS: i64 = 25;
    let writing = async {
        for i in 0..LETTERS {
            incoming(&app, &format!("بلاغ تسرب مياه {i}"), "KHB").await;
        }
    };
    let reading = async {
        let (mut seen, mut answers) = (0, 0);
        while seen < LETTERS {
            let found = search(&app, "admin", &format!("q={}&limit=100", encode("تسرب"))).await;
            let total = found["total"].as_i64().unwrap();
            assert_eq!(ids(&found).len() as i64, total, "{found}");
            for facet in ["status", "kind", "priority", "confidentiality"] {
                let counted: i64 =
                    found["facets"][facet].as_array().unwrap().iter().map(|f| f["count"].as_i64().unwrap()).sum();
                assert_eq!(counted, total, "{facet}: {found}");
            }
            assert!(total >= seen, "a committed letter went missing: {found}");
            (seen, answers) = (total, answers + 1);
        }
        answers
    };
    let ((), answers) = tokio::join!(writing, reading);
    assert!(answers > 1, "the reader never ran beside the writer");
}

#[tokio::test]
async fn filters_facets_and_paging() {
    let app = TestApp::spawn().await;
    let mut letters = Vec::new();
    for (i, priority) in ["normal", "urgent", "normal", "very_urgent", "normal"].iter().enumerate() {
        letters.push(incoming_with(&app, json!({"subject": format!("شكوى رقم {i}"), "priority": priority})).await);
    }
    let eng = incoming_with(
        &app,
        json!({"subject": "شكوى هندسية", "referrals": [{"unit_id": app.unit("KHB-ENG"), "purpose": "action"}]}),
    )
    .await;
    let q = encode("شكوى");

    let all = search(&app, "admin", &format!("q={q}")).await;
    assert_eq!(all["total"], 6);
    assert_eq!(
        all["facets"]["priority"],
        json!([{"value": "normal", "count": 4}, {"value": "urgent", "count": 1}, {"value": "very_urgent", "count": 1}])
    );
    // A facet ignores its own filter and applies the others.
    let urgent = search(&app, "admin", &format!("q={q}&priority=urgent")).await;
    assert_eq!(ids(&urgent), [letters[1]]);
    assert_eq!(urgent["total"], 1);
    assert_eq!(urgent["facets"]["priority"], all["facets"]["priority"]);
    assert_eq!(urgent["facets"]["kind"], json!([{"value": "incoming", "count": 1}]));

    // Held in a unit, with or without its sub-units; held by a person; from an entity.
    let khb = app.unit("KHB");
    assert_eq!(search(&app, "admin", &format!("q={q}&unit_id={khb}")).await["total"], 5);
    assert_eq!(search(&app, "admin", &format!("q={q}&unit_id={khb}&subtree=true")).await["total"], 6);
    assert_eq!(ids(&search(&app, "admin", &format!("q={q}&unit_id={}", app.unit("KHB-ENG"))).await), [eng]);
    assert_eq!(search(&app, "admin", &format!("q={q}&holder_id={}", app.user("khb.emp"))).await["total"], 0);
    assert_eq!(search(&app, "admin", &format!("q={q}&entity_id={}", app.fx.ministry)).await["total"], 6);
    assert_eq!(search(&app, "admin", &format!("q={q}&entity_id={}", app.fx.company)).await["total"], 0);
    assert_eq!(search(&app, "admin", &format!("q={q}&has_documents=true")).await["total"], 0);
    assert_eq!(search(&app, "admin", &format!("q={q}&has_documents=false")).await["total"], 6);
    assert_eq!(search(&app, "admin", &format!("q={q}&overdue=true")).await["total"], 0);
    assert_eq!(search(&app, "admin", &format!("q={q}&status=open&kind=incoming")).await["total"], 6);

    // Registered between two days, in either calendar.
    let today = chrono::Utc::now().with_timezone(&muamalat::calendar::RIYADH).date_naive();
    let hijri = muamalat::calendar::to_hijri(today).unwrap().to_string();
    for (from, to, expected) in [
        (today.to_string(), today.to_string(), 6),
        (hijri.clone(), hijri.clone(), 6),
        ((today + chrono::Days::new(1)).to_string(), (today + chrono::Days::new(9)).to_string(), 0),
        ("1434-01-01".into(), (today - chrono::Days::new(1)).to_string(), 0),
    ] {
        let found = search(&app, "admin", &format!("q={q}&registered_from={from}&registered_to={to}")).await;
        assert_eq!(found["total"], expected, "{from} – {to}");
    }

    // Paging by date and by relevance: every hit once, the total on every page.
    for sort in ["newest", "oldest", "relevance"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let after = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
            let page = search(&app, "admin", &format!("q={q}&sort={sort}&limit=4{after}")).await;
            assert_eq!(page["total"], 6);
            seen.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        let mut expected = letters.clone();
        expected.push(eng);
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, expected, "{sort}");
        if sort == "newest" {
            assert!(seen.windows(2).all(|w| w[0] > w[1]), "{seen:?}");
        }
        if sort == "oldest" {
            assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        }
    }
    // Without words: what the filters select, newest first.
    let listed = search(&app, "admin", "priority=very_urgent").await;
    assert_eq!(ids(&listed), [letters[3]]);
    assert!(listed["items"][0]["snippet"].is_null());
}

/// Without words, the total and facets of an administrator or auditor are summed from the day counts: they equal the
/// same list counted from the rows (a filter that selects the same rows but takes the counting path), and the rows
/// themselves — drafts included, by registration day and within the clearance.
#[tokio::test]
async fn without_words_the_counts_summed_from_the_day_counts_equal_the_rows() {
    let app = TestApp::spawn().await;
    let mut letters = Vec::new();
    for (i, (priority, level)) in [
        ("normal", "normal"),
        ("urgent", "normal"),
        ("very_urgent", "confidential"),
        ("normal", "confidential"),
        ("urgent", "normal"),
        ("normal", "normal"),
    ]
    .into_iter()
    .enumerate()
    {
        let kind = if i == 5 { "outgoing" } else { "incoming" };
        let mut letter =
            json!({"kind": kind, "subject": format!("خطاب {i}"), "priority": priority, "confidentiality": level});
        if i == 0 {
            letter["referrals"] = json!([]);
        }
        letters.push(incoming_with(&app, letter).await);
    }
    let (status, body) =
        app.post("clerk", &format!("/api/v1/transactions/{}/close", letters[0]), json!({"note": "تم"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Two drafts, one of them made very urgent before it is sent, the other kept a draft.
    let mut drafts = Vec::new();
    for _ in 0..2 {
        let (status, body) = app
            .post(
                "khb.head",
                "/api/v1/transactions",
                json!({"kind": "internal", "subject": "مذكرة", "priority": "normal"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        drafts.push(body["transaction"]["id"].as_i64().unwrap());
    }
    let (status, body) = app
        .call(
            Some("khb.head"),
            reqwest::Method::PATCH,
            &format!("/api/v1/transactions/{}", drafts[0]),
            Some(json!({"priority": "very_urgent"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let target = json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}]});
    let (status, body) = app.post("khb.head", &format!("/api/v1/transactions/{}/send", drafts[0]), target).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // One letter registered twelve days ago (the day counts follow the change of its date).
    let today = chrono::Utc::now().with_timezone(&muamalat::calendar::RIYADH).date_naive();
    {
        use diesel::prelude::*;
        use muamalat::schema::transactions;
        let mut conn = app.pool.get().unwrap();
        diesel::update(transactions::table.find(letters[1]))
            .set(transactions::registered_at.eq(chrono::Utc::now().naive_utc() - chrono::Duration::days(12)))
            .execute(&mut conn)
            .unwrap();
    }
    let (status, user) = app
        .post(
            "admin",
            "/api/v1/users",
            json!({"username": "auditor.normal", "password": crate::helpers::PASSWORD, "full_name_ar": "مدقق",
                   "full_name_en": "Auditor", "unit_id": app.unit("AMANAH"), "roles": ["auditor"], "clearance": "normal"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");

    let week_ago = today - chrono::Days::new(7);
    let queries = [
        String::new(),
        "status=open".into(),
        "priority=urgent&kind=incoming".into(),
        "confidentiality=confidential".into(),
        format!("registered_from={week_ago}"),
        format!("registered_to={}", today - chrono::Days::new(1)),
        format!("registered_from={today}&registered_to={today}&priority=normal"),
    ];
    for who in ["admin", "auditor", "auditor.normal"] {
        for query in &queries {
            let tallied = search(&app, who, &format!("limit=100&{query}")).await;
            let counted = search(&app, who, &format!("limit=100&has_documents=false&{query}")).await;
            assert_eq!(tallied["total"], counted["total"], "{who} {query}");
            assert_eq!(tallied["facets"], counted["facets"], "{who} {query}");
            assert_eq!(tallied["total"], tallied["items"].as_array().unwrap().len(), "{who} {query}");
        }
    }
    // And the rows themselves: everything for the administrator, the draft included; a normal clearance counts
    // the normal letters only; a period counts only what was registered in it.
    let all = search(&app, "admin", "").await;
    assert_eq!(all["total"], 8, "{all}");
    assert_eq!(
        all["facets"]["status"],
        json!([{"value": "draft", "count": 1}, {"value": "open", "count": 6}, {"value": "closed", "count": 1}])
    );
    assert_eq!(
        all["facets"]["priority"],
        json!([{"value": "normal", "count": 4}, {"value": "urgent", "count": 2}, {"value": "very_urgent", "count": 2}])
    );
    assert_eq!(search(&app, "auditor.normal", "").await["total"], 6);
    let recent = search(&app, "admin", &format!("registered_from={week_ago}")).await;
    assert_eq!(recent["total"], 6, "{recent}");
    let earlier = search(&app, "admin", &format!("registered_to={week_ago}")).await;
    assert_eq!(ids(&earlier), [letters[1]]);
}

#[tokio::test]
async fn bad_queries_are_refused_and_query_syntax_is_only_ever_words() {
    let app = TestApp::spawn().await;
    let id = incoming(&app, "طلب near صيانة", "KHB").await;
    for bad in [
        format!("q={}", "ا".repeat(501)),
        "unknown=1".into(),
        "kind=letter".into(),
        "limit=0".into(),
        "limit=201".into(),
        "registered_from=2026-02-30".into(),
        "registered_to=yesterday".into(),
        "cursor=x1".into(),
        "q=a&cursor=k-5".into(),
        "cursor=kx".into(),
        "registered_from=".into(),
    ] {
        let answer = app.get("clerk", &format!("/api/v1/search?{bad}")).await;
        assert_problem(&answer, StatusCode::BAD_REQUEST, "invalid_parameter");
    }
    // FTS5 and tsquery operators, quotes and SQL are words or nothing, never syntax.
    for words in ["\"", "صيانة\"", "NEAR(طلب صيانة)", "طلب OR x", "طلب*", "'", "' OR 1=1 --", "a & b | !c", ":*", "()"]
    {
        let found = find(&app, "clerk", words).await;
        assert!(found["total"].as_i64().unwrap() <= 1, "{words}: {found}");
    }
    assert_eq!(ids(&find(&app, "clerk", "NEAR(طلب صيانة)").await), [id]);
    // A unit, person or entity that does not exist holds nothing; `subtree` alone changes nothing.
    for nothing in ["unit_id=999999", "unit_id=999999&subtree=true", "holder_id=999999", "entity_id=-1"] {
        assert_eq!(search(&app, "clerk", nothing).await["total"], 0, "{nothing}");
    }
    assert_eq!(search(&app, "clerk", "subtree=true").await["total"], 1);
    assert_eq!(find(&app, "clerk", "طلب OR x").await["total"], 0, "OR is a word: every word must occur");
    let nothing = find(&app, "clerk", "!!! ؟؟").await;
    assert_eq!(nothing["total"], 0);
    assert_eq!(app.call(None, reqwest::Method::GET, "/api/v1/search?q=x", None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn transactions_from_before_the_index_are_indexed_when_the_server_starts() {
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    let id = incoming(&app, "رسالة قديمة عن الحدائق", "KHB").await;
    // As if it had been written before the index existed: no entry, and the start-up check not past it yet.
    {
        let mut conn = app.pool.get().unwrap();
        diesel::sql_query(format!("DELETE FROM transaction_search WHERE rowid = {id}")).execute(&mut conn).unwrap();
        diesel::sql_query("UPDATE server_settings SET value = '0' WHERE name = 'search_index_checked_through'")
            .execute(&mut conn)
            .unwrap();
    }
    assert_eq!(find(&app, "admin", "الحدائق").await["total"], 0);
    let mut conn = app.pool.get().unwrap();
    assert_eq!(muamalat::domain::search::index::fill_missing(&mut conn).unwrap(), 1);
    assert_eq!(ids(&find(&app, "admin", "الحدائق").await), [id]);
    // Checked through the newest transaction: the next start looks at nothing.
    assert_eq!(muamalat::domain::search::index::fill_missing(&mut conn).unwrap(), 0);
}
