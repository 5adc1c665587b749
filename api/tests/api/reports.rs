//! Reports (`GET /api/v1/reports/{name}`) on the real server: every figure equals what the rows in the database say
//! (computed here from the rows, not by the server's statements), within the access rules, and the CSV and XLSX
//! downloads read back with the same figures — on SQLite and PostgreSQL.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use muamalat::calendar;
use muamalat::schema::{referrals, transactions};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};
use crate::search::encode;

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

async fn report(app: &TestApp, who: &str, name: &str, query: &str) -> Value {
    let (status, body) = app.get(who, &format!("/api/v1/reports/{name}?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{name}?{query}: {body}");
    body
}

/// The value of a measure in a row.
fn value(report: &Value, row: &Value, measure: &str) -> i64 {
    let i = report["measures"].as_array().unwrap().iter().position(|m| m == measure).unwrap();
    row["values"][i].as_i64().unwrap()
}

/// The sum of a measure over the rows whose key passes a test.
fn sum_where(report: &Value, key: impl Fn(&Value) -> bool, measure: &str) -> i64 {
    report["rows"].as_array().unwrap().iter().filter(|r| key(&r["key"])).map(|r| value(report, r, measure)).sum()
}

/// Rows keyed by a key field (`kind`, a unit's id …) → that row.
fn rows_by(report: &Value, key: impl Fn(&Value) -> String) -> BTreeMap<String, &Value> {
    report["rows"].as_array().unwrap().iter().map(|r| (key(&r["key"]), r)).collect()
}

fn unit_key(k: &Value) -> String {
    k["unit"]["id"].to_string()
}

struct Letter {
    id: i64,
    to_khb: i64,
}

/// A small history with known shape: letters to Khobar, its engineering department and HR, some forwarded,
/// completed and closed, one confidential, one overdue; then dates moved back so ages and durations differ.
async fn history(app: &TestApp) -> Vec<Letter> {
    let mut letters = Vec::new();
    for (i, (subject, level)) in [
        ("طلب صيانة الطريق", "normal"),
        ("تقرير الإنارة", "normal"),
        ("خطاب سري بشأن الموازنة", "confidential"),
        ("طلب ترخيص محل", "normal"),
        ("شكوى مواطن", "normal"),
    ]
    .into_iter()
    .enumerate()
    {
        let (status, t) = app
            .post(
                "clerk",
                "/api/v1/transactions",
                json!({
                    "kind": "incoming",
                    "subject": subject,
                    "external_entity_id": app.fx.ministry,
                    "priority": "normal",
                    "confidentiality": level,
                    "referrals": [
                        {"unit_id": app.unit("KHB"), "purpose": "action"},
                        {"unit_id": app.unit(if i % 2 == 0 { "HR" } else { "KHB-ENG" }), "purpose": if i == 1 { "information" } else { "action" }},
                    ],
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        letters.push(Letter {
            id: t["transaction"]["id"].as_i64().unwrap(),
            to_khb: app.referral_to(&t["referrals"], "KHB")["id"].as_i64().unwrap(),
        });
    }
    // Khobar's head receives three and forwards two of them to an employee, who completes one.
    for l in &letters[..3] {
        let (status, r) = app.post("khb.head", &format!("/api/v1/referrals/{}/receive", l.to_khb), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
    }
    let mut to_emp = Vec::new();
    for l in &letters[..2] {
        let (status, fwd) = app
            .post(
                "khb.head",
                &format!("/api/v1/referrals/{}/forward", l.to_khb),
                json!({"targets": [{"unit_id": app.unit("KHB"), "user_id": app.user("khb.emp"), "purpose": "action"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{fwd}");
        to_emp.push(fwd["referrals"][0]["id"].as_i64().unwrap());
    }
    let (status, done) =
        app.post("khb.emp", &format!("/api/v1/referrals/{}/complete", to_emp[0]), json!({"note": "تم"})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    // The last letter is done by both units it went to, and closed.
    let (_, last) = app.get("clerk", &format!("/api/v1/transactions/{}/route", letters[4].id)).await;
    for node in last["roots"].as_array().unwrap() {
        let (id, who) = (
            node["referral"]["id"].as_i64().unwrap(),
            if node["referral"]["to_unit"]["code"] == "HR" { "hr.emp" } else { "khb.head" },
        );
        let (status, r) = app.post(who, &format!("/api/v1/referrals/{id}/receive"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        let (status, r) = app.post(who, &format!("/api/v1/referrals/{id}/complete"), json!({"note": "تم"})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
    }
    let (status, closed) =
        app.post("clerk", &format!("/api/v1/transactions/{}/close", letters[4].id), json!({"note": "حفظ"})).await;
    assert_eq!(status, StatusCode::OK, "{closed}");

    // Move the dates back: letter i registered (and its referrals sent) `ages[i]` days ago; completions a number of
    // hours after sending that differs per referral; the fourth letter past its due date.
    let ages = [1, 5, 20, 60, 200];
    let mut conn = app.pool.get().unwrap();
    let at = now();
    for (l, days) in letters.iter().zip(ages) {
        let registered = at - Duration::days(days) - Duration::minutes(7);
        diesel::update(transactions::table.find(l.id))
            .set(transactions::registered_at.eq(registered))
            .execute(&mut conn)
            .unwrap();
        let rows: Vec<(i64, Option<NaiveDateTime>, Option<NaiveDateTime>)> = referrals::table
            .filter(referrals::transaction_id.eq(l.id))
            .order(referrals::id)
            .select((referrals::id, referrals::received_at, referrals::completed_at))
            .load(&mut conn)
            .unwrap();
        for (n, (id, received, completed)) in rows.into_iter().enumerate() {
            let sent = registered + Duration::hours(n as i64);
            let received = received.map(|_| sent + Duration::minutes(30 + 11 * n as i64));
            let completed = completed.map(|_| sent + Duration::hours(3 + 5 * n as i64) + Duration::seconds(17));
            diesel::update(referrals::table.find(id))
                .set((
                    referrals::sent_at.eq(sent),
                    referrals::received_at.eq(received),
                    referrals::completed_at.eq(completed),
                ))
                .execute(&mut conn)
                .unwrap();
        }
    }
    diesel::update(transactions::table.find(letters[3].id))
        .set(transactions::due_at.eq(Some(at - Duration::days(2))))
        .execute(&mut conn)
        .unwrap();
    letters
}

type TxRow = (i64, String, String, Option<NaiveDateTime>, Option<NaiveDateTime>);
type RefRow = (i64, i64, i64, Option<i64>, Option<i64>, String, String, NaiveDateTime, Option<NaiveDateTime>);

fn rows(app: &TestApp) -> (Vec<TxRow>, Vec<RefRow>) {
    let mut conn = app.pool.get().unwrap();
    let ts = transactions::table
        .select((
            transactions::id,
            transactions::kind,
            transactions::status,
            transactions::registered_at,
            transactions::due_at,
        ))
        .load(&mut conn)
        .unwrap();
    let rs = referrals::table
        .select((
            referrals::id,
            referrals::transaction_id,
            referrals::to_unit_id,
            referrals::to_user_id,
            referrals::received_by,
            referrals::purpose,
            referrals::status,
            referrals::sent_at,
            referrals::completed_at,
        ))
        .load(&mut conn)
        .unwrap();
    (ts, rs)
}

fn seconds(later: NaiveDateTime, earlier: NaiveDateTime) -> i64 {
    later.and_utc().timestamp() - earlier.and_utc().timestamp()
}

#[tokio::test]
async fn report_figures_equal_the_rows_in_the_database() {
    let app = TestApp::spawn().await;
    history(&app).await;
    let (ts, rs) = rows(&app);
    let at = now();

    // Volume by kind: every registered transaction, open, closed, overdue.
    let by_kind = report(&app, "admin", "volume_by_kind", "").await;
    let kinds = rows_by(&by_kind, |k| k["kind"].as_str().unwrap().to_string());
    assert_eq!(kinds.len(), 3, "{by_kind}");
    for (kind, row) in &kinds {
        let mine: Vec<&TxRow> = ts.iter().filter(|t| &t.1 == kind && t.3.is_some()).collect();
        assert_eq!(value(&by_kind, row, "transactions"), mine.len() as i64, "{kind}");
        assert_eq!(value(&by_kind, row, "open"), mine.iter().filter(|t| t.2 == "open").count() as i64);
        assert_eq!(value(&by_kind, row, "closed"), mine.iter().filter(|t| t.2 == "closed").count() as i64);
        let overdue = mine.iter().filter(|t| t.2 == "open" && t.4.is_some_and(|d| d < at)).count() as i64;
        assert_eq!(value(&by_kind, row, "overdue"), overdue, "{kind}");
    }
    assert_eq!(value(&by_kind, kinds["incoming"], "transactions"), 5);
    assert_eq!(value(&by_kind, kinds["incoming"], "overdue"), 1);

    // Volume by unit: distinct transactions (over all time, each one's first referral to the unit) and referrals sent
    // to each unit.
    let by_unit = report(&app, "admin", "volume_by_unit", "").await;
    let units = rows_by(&by_unit, unit_key);
    let mut expected: HashMap<i64, (std::collections::HashSet<i64>, i64)> = HashMap::new();
    for r in &rs {
        let e = expected.entry(r.2).or_default();
        e.0.insert(r.1);
        e.1 += 1;
    }
    assert_eq!(units.len(), expected.len(), "{by_unit}");
    for (unit, (txs, n)) in &expected {
        let row = units[&unit.to_string()];
        assert_eq!(value(&by_unit, row, "transactions"), txs.len() as i64);
        assert_eq!(value(&by_unit, row, "referrals"), *n);
    }

    // Open and overdue by unit, and the bottlenecks: open referrals for action.
    let open = report(&app, "admin", "open_by_unit", "").await;
    let bottlenecks = report(&app, "admin", "bottlenecks", "").await;
    let due: HashMap<i64, Option<NaiveDateTime>> = ts.iter().map(|t| (t.0, t.4)).collect();
    let mut expected: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
    for r in rs.iter().filter(|r| r.5 == "action" && r.6 != "completed") {
        let e = expected.entry(r.2).or_default();
        e.0 += 1;
        e.1 += i64::from(due[&r.1].is_some_and(|d| d < at));
        e.2 += seconds(at, r.7);
    }
    let open_rows = rows_by(&open, unit_key);
    let bottleneck_rows = rows_by(&bottlenecks, unit_key);
    assert_eq!(open_rows.len(), expected.len(), "{open}");
    for (unit, (n, overdue, waited)) in &expected {
        assert_eq!(value(&open, open_rows[&unit.to_string()], "open"), *n);
        assert_eq!(value(&open, open_rows[&unit.to_string()], "overdue"), *overdue);
        let row = bottleneck_rows[&unit.to_string()];
        assert_eq!(value(&bottlenecks, row, "open"), *n);
        assert!((value(&bottlenecks, row, "total_seconds") - waited).abs() <= 5 * n, "{bottlenecks}");
    }
    let totals: Vec<i64> =
        bottlenecks["rows"].as_array().unwrap().iter().map(|r| value(&bottlenecks, r, "total_seconds")).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "the longest total wait first: {totals:?}");

    // Processing time per unit: completed referrals for action, sent → completed; nearest-rank median and p90.
    let processing = report(&app, "admin", "processing_by_unit", "").await;
    let mut took: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for r in rs.iter().filter(|r| r.5 == "action") {
        if let Some(done) = r.8 {
            took.entry(r.2).or_default().push(seconds(done, r.7));
        }
    }
    let processing_rows = rows_by(&processing, unit_key);
    assert_eq!(processing_rows.len(), took.len(), "{processing}");
    assert!(!took.is_empty());
    for (unit, list) in &mut took {
        list.sort_unstable();
        let n = list.len();
        let row = processing_rows[&unit.to_string()];
        assert_eq!(value(&processing, row, "referrals"), n as i64);
        assert_eq!(value(&processing, row, "average_seconds"), list.iter().sum::<i64>() / n as i64);
        assert_eq!(value(&processing, row, "median_seconds"), list[n.div_ceil(2) - 1]);
        assert_eq!(value(&processing, row, "p90_seconds"), list[(9 * n).div_ceil(10) - 1]);
    }

    // Dwell per person across transactions, the slowest first.
    let dwell = report(&app, "admin", "dwell_by_holder", "").await;
    let mut held: BTreeMap<i64, (i64, i64, i64, i64)> = BTreeMap::new();
    for r in rs.iter().filter(|r| r.5 == "action") {
        let Some(holder) = r.3.or(r.4) else { continue };
        let s = seconds(r.8.unwrap_or(at), r.7);
        let e = held.entry(holder).or_default();
        e.0 += 1;
        e.1 += i64::from(r.8.is_none());
        e.2 += s;
        // The longest still waiting with them.
        e.3 = e.3.max(if r.8.is_none() { s } else { 0 });
    }
    let dwell_rows = rows_by(&dwell, |k| k["user"]["id"].to_string());
    assert_eq!(dwell_rows.len(), held.len(), "{dwell}");
    for (user, (n, open, total, longest)) in &held {
        let row = dwell_rows[&user.to_string()];
        assert_eq!(value(&dwell, row, "referrals"), *n);
        assert_eq!(value(&dwell, row, "open"), *open);
        assert!((value(&dwell, row, "total_seconds") - total).abs() <= 5 * n, "{dwell}");
        assert!((value(&dwell, row, "max_seconds") - longest).abs() <= 5, "{dwell}");
    }
    let khb_head = dwell_rows[&app.user("khb.head").to_string()];
    assert_eq!(khb_head["key"]["unit"]["code"], "KHB");
    let averages: Vec<i64> =
        dwell["rows"].as_array().unwrap().iter().map(|r| value(&dwell, r, "average_seconds")).collect();
    assert!(averages.windows(2).all(|w| w[0] >= w[1]), "the slowest first: {averages:?}");

    // Ageing of open transactions: 1, 5, 20 and 60 days (the 200-day one is closed).
    let ageing = report(&app, "admin", "ageing", "").await;
    let buckets = rows_by(&ageing, |k| k["bucket"].as_str().unwrap().to_string());
    let got: Vec<(String, i64, i64)> =
        ["up_to_2_days", "up_to_7_days", "up_to_30_days", "up_to_90_days", "over_90_days"]
            .iter()
            .map(|b| {
                (b.to_string(), value(&ageing, buckets[*b], "transactions"), value(&ageing, buckets[*b], "overdue"))
            })
            .collect();
    assert_eq!(
        got,
        [
            ("up_to_2_days".into(), 1, 0),
            ("up_to_7_days".into(), 1, 0),
            ("up_to_30_days".into(), 1, 0),
            ("up_to_90_days".into(), 1, 1),
            ("over_90_days".into(), 0, 0)
        ]
    );

    // By Hijri month: each transaction in the month of its Riyadh registration day; every month of the span listed.
    let monthly = report(&app, "admin", "volume_by_month", "").await;
    let mut expected: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for t in ts.iter().filter(|t| t.3.is_some()) {
        let h = calendar::to_hijri(calendar::riyadh_date(t.3.unwrap().and_utc())).unwrap();
        *expected.entry((i64::from(h.year), i64::from(h.month))).or_default() += 1;
    }
    let months: Vec<((i64, i64), i64)> = monthly["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (r["key"]["year"].as_i64().unwrap(), r["key"]["month"].as_i64().unwrap()),
                value(&monthly, r, "transactions"),
            )
        })
        .collect();
    for (month, n) in &expected {
        assert!(months.contains(&(*month, *n)), "{month:?} {n} in {monthly}");
    }
    assert_eq!(months.iter().map(|m| m.1).sum::<i64>(), 5);
    assert_eq!(months.first().unwrap().0, *expected.keys().next().unwrap());
    assert_eq!(months.last().unwrap().0, *expected.keys().next_back().unwrap());
    assert!(months.len() >= 7, "about seven Hijri months from 200 days ago to today: {monthly}");

    // A period and a unit: only letters registered in the last 30 days; only HR (no sub-units).
    let today = calendar::riyadh_date(Utc::now());
    let from = (today - Duration::days(30)).format("%Y-%m-%d").to_string();
    let recent = report(&app, "admin", "volume_by_kind", &format!("from={from}")).await;
    assert_eq!(value(&recent, rows_by(&recent, |k| k["kind"].to_string())["\"incoming\""], "transactions"), 3);
    let hr = report(&app, "admin", "open_by_unit", &format!("unit_id={}", app.unit("HR"))).await;
    assert_eq!(hr["unit"]["code"], "HR", "{hr}");
    assert!(hr["rows"].as_array().unwrap().iter().all(|r| r["key"]["unit"]["code"] == "HR"), "{hr}");
    let khb = report(&app, "admin", "volume_by_unit", &format!("unit_id={}", app.unit("KHB"))).await;
    let codes: Vec<&str> =
        khb["rows"].as_array().unwrap().iter().map(|r| r["key"]["unit"]["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"KHB") && codes.contains(&"KHB-ENG") && !codes.contains(&"HR"), "{khb}");
    let khb_alone =
        report(&app, "admin", "volume_by_unit", &format!("unit_id={}&subtree=false", app.unit("KHB"))).await;
    assert_eq!(khb_alone["rows"].as_array().unwrap().len(), 1, "{khb_alone}");
    // A Hijri period works as a Gregorian one.
    let h = calendar::to_hijri(today - Duration::days(30)).unwrap();
    let hijri = report(&app, "admin", "volume_by_kind", &format!("from={h}")).await;
    assert_eq!(hijri["rows"], recent["rows"]);
}

#[tokio::test]
async fn reports_never_count_what_the_caller_may_not_see() {
    let app = TestApp::spawn().await;
    history(&app).await;
    for who in ["admin", "auditor", "clerk", "clerk2", "khb.head", "khb.emp", "eng.emp", "hr.head", "hr.emp"] {
        let (_, all) = app.get(who, "/api/v1/search?limit=1").await;
        let by_kind = report(&app, who, "volume_by_kind", "").await;
        let counted = sum_where(&by_kind, |_| true, "transactions");
        assert_eq!(counted, all["total"].as_i64().unwrap(), "{who}: {by_kind} against the search's total");
    }
    // The confidential letter went to HR: the HR staff (not cleared) do not count it, the clerk (cleared) does.
    let secret = "خطاب سري بشأن الموازنة";
    let (_, found) = app.get("clerk", &format!("/api/v1/search?q={}", encode(secret))).await;
    assert_eq!(found["total"], 1);
    let hr_open = |body: &Value| sum_where(body, |k| k["unit"]["code"] == "HR", "open");
    let as_admin = report(&app, "admin", "open_by_unit", "").await;
    let as_hr = report(&app, "hr.emp", "open_by_unit", "").await;
    assert_eq!(hr_open(&as_admin), 2, "{as_admin}");
    assert_eq!(hr_open(&as_hr), 1, "{as_hr}");
    // Khobar's head held three letters; an HR employee sees only the one of them that also went to HR.
    let held_by_khb_head = |body: &Value| sum_where(body, |k| k["user"]["username"] == "khb.head", "referrals");
    assert_eq!(held_by_khb_head(&report(&app, "admin", "dwell_by_holder", "").await), 4);
    assert_eq!(held_by_khb_head(&report(&app, "hr.emp", "dwell_by_holder", "").await), 2);
}

/// The raw answer of a download: status, content type, content disposition, bytes.
async fn download(app: &TestApp, who: &str, path: &str) -> (StatusCode, String, String, Vec<u8>) {
    let res = app.client.get(app.url(path)).bearer_auth(app.token(who).await).send().await.unwrap();
    let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    (res.status(), content_type, disposition, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn an_exported_xlsx_and_csv_read_back_with_the_figures_of_a_direct_count() {
    use calamine::{Data, Reader, Xlsx};

    let app = TestApp::spawn().await;
    history(&app).await;
    // A unit whose name looks like a formula: the exports keep it as text.
    let (status, renamed) = app
        .call(
            Some("admin"),
            reqwest::Method::PATCH,
            &format!("/api/v1/units/{}", app.unit("HR")),
            Some(json!({"name_ar": "=HYPERLINK(\"http://127.0.0.1/\",\"x\")", "name_en": "=HYPERLINK(\"http://127.0.0.1/\",\"y\")"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");

    let (status, content_type, disposition, bytes) =
        download(&app, "admin", "/api/v1/reports/volume_by_kind?format=xlsx&lang=ar").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(disposition.starts_with("attachment") && disposition.contains(".xlsx"), "{disposition}");
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["المعاملات حسب النوع"]);
    let sheet = book.worksheet_range("المعاملات حسب النوع").unwrap();
    let cells: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(cells[0][0], Data::String("النوع".into()));
    assert_eq!(cells[0][1], Data::String("المعاملات".into()));
    let direct: Vec<(String, i64)> = {
        let mut conn = app.pool.get().unwrap();
        transactions::table
            .filter(transactions::registered_at.is_not_null())
            .group_by(transactions::kind)
            .select((transactions::kind, diesel::dsl::count_star()))
            .load(&mut conn)
            .unwrap()
    };
    let incoming = direct.iter().find(|(k, _)| k == "incoming").unwrap().1;
    let row = cells.iter().find(|r| r[0] == Data::String("وارد".into())).expect("a row for incoming letters");
    assert_eq!(row[1], Data::Float(incoming as f64));
    let total: f64 = cells[1..].iter().map(|r| if let Data::Float(n) = r[1] { n } else { 0.0 }).sum();
    assert_eq!(total, direct.iter().map(|d| d.1).sum::<i64>() as f64);

    // Per unit: the formula-like name is a plain string cell, never a formula.
    let (_, _, _, bytes) = download(&app, "admin", "/api/v1/reports/open_by_unit?format=xlsx&lang=ar").await;
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let name = book.sheet_names()[0].clone();
    let sheet = book.worksheet_range(&name).unwrap();
    let hr = sheet.rows().find(|r| r[0] == Data::String("HR".into())).expect("HR's row").to_vec();
    assert_eq!(hr[1], Data::String("=HYPERLINK(\"http://127.0.0.1/\",\"x\")".into()));
    let formulas = book.worksheet_formula(&name).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula in the sheet");

    // CSV: a byte-order mark, the headings in the language asked for, the formula neutralised.
    let (status, content_type, disposition, bytes) =
        download(&app, "admin", "/api/v1/reports/open_by_unit?format=csv&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert!(disposition.contains(".csv"), "{disposition}");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("Unit code,Unit,Open,Overdue"));
    let hr_line = lines.find(|l| l.starts_with("HR,")).expect("HR's line");
    assert!(hr_line.starts_with("HR,\"'=HYPERLINK("), "{hr_line}");
    let json = report(&app, "admin", "open_by_unit", "").await;
    let hr_json = rows_by(&json, unit_key)[&app.unit("HR").to_string()];
    assert!(hr_line.ends_with(&format!(",{},{}", value(&json, hr_json, "open"), value(&json, hr_json, "overdue"))));

    // Durations are hours in the files.
    let (_, _, _, bytes) = download(&app, "admin", "/api/v1/reports/processing_by_unit?format=csv&lang=en").await;
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("Unit code,Unit,Referrals,Average (hours),Median (hours),90th percentile (hours)"));
}

#[tokio::test]
async fn bad_report_requests_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    history(&app).await;
    let before = app.counts();
    for query in [
        "/api/v1/reports/nonsense",
        "/api/v1/reports/ageing?from=yesterday",
        "/api/v1/reports/ageing?from=2026-02-30",
        "/api/v1/reports/ageing?format=pdf",
        "/api/v1/reports/ageing?lang=fr",
        "/api/v1/reports/ageing?unit=3",
        "/api/v1/reports/ageing?unit_id=x",
    ] {
        assert_problem(&app.get("admin", query).await, StatusCode::BAD_REQUEST, "invalid_parameter");
    }
    let (status, _) = app.call(None, reqwest::Method::GET, "/api/v1/reports/ageing", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A period that ends before it starts counts nothing; a unit that does not exist has nothing.
    let today = calendar::riyadh_date(Utc::now());
    let (a, b) = (today - Duration::days(30), today);
    let forwards = report(&app, "admin", "volume_by_kind", &format!("from={a}&to={b}")).await;
    assert!(forwards["rows"].as_array().unwrap().iter().any(|r| r["values"][0] != 0), "{forwards}");
    let backwards = report(&app, "admin", "volume_by_kind", &format!("from={b}&to={a}")).await;
    assert!(backwards["rows"].as_array().unwrap().iter().all(|r| r["values"][0] == 0), "{backwards}");
    let all_units = report(&app, "admin", "volume_by_unit", "").await;
    assert!(!all_units["rows"].as_array().unwrap().is_empty());
    let nothing = report(&app, "admin", "volume_by_unit", "unit_id=999999").await;
    assert_eq!(nothing["rows"], json!([]));
    assert_eq!(nothing["unit"], Value::Null);
    assert_eq!(app.counts(), before);
}

/// Counts per (day, kind, status, priority, confidentiality).
type DayCounts = BTreeMap<(String, String, String, String, i32), i64>;

/// `report_days` as the triggers keep it, without its emptied keys, against a count of the transactions themselves.
fn tallies_against_rows(app: &TestApp) -> (DayCounts, DayCounts) {
    use muamalat::schema::report_days;
    let mut conn = app.pool.get().unwrap();
    let kept: Vec<(String, String, String, String, i32, i64)> = report_days::table
        .select((
            report_days::day,
            report_days::kind,
            report_days::status,
            report_days::priority,
            report_days::confidentiality,
            report_days::transactions,
        ))
        .load(&mut conn)
        .unwrap();
    let kept = kept.into_iter().filter(|k| k.5 != 0).map(|(d, k, s, p, c, n)| ((d, k, s, p, c), n)).collect();
    let rows: Vec<(String, String, String, i32, Option<NaiveDateTime>)> = transactions::table
        .select((
            transactions::kind,
            transactions::status,
            transactions::priority,
            transactions::confidentiality,
            transactions::registered_at,
        ))
        .load(&mut conn)
        .unwrap();
    let mut counted = BTreeMap::new();
    for (kind, status, priority, level, registered) in rows {
        if let Some(at) = registered {
            let day = calendar::riyadh_date(at.and_utc()).format("%Y-%m-%d").to_string();
            *counted.entry((day, kind, status, priority, level)).or_default() += 1;
        }
    }
    (kept, counted)
}

#[tokio::test]
async fn the_day_counts_follow_every_change_exactly_and_match_the_live_count() {
    let app = TestApp::spawn().await;
    let letters = history(&app).await;
    let (kept, counted) = tallies_against_rows(&app);
    assert_eq!(kept, counted, "after registrations, closes and dates moved");

    // A draft counts once it is sent (registered); a reopened, closed again and archived letter moves between keys.
    let (status, draft) =
        app.post("eng.emp", "/api/v1/transactions", json!({"kind": "internal", "subject": "مسودة"})).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let draft_id = draft["transaction"]["id"].as_i64().unwrap();
    assert_eq!(tallies_against_rows(&app).0, counted, "a draft is not counted");
    let (status, sent) = app
        .post(
            "eng.emp",
            &format!("/api/v1/transactions/{draft_id}/send"),
            json!({"targets": [{"unit_id": app.unit("HR"), "purpose": "action"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let closed = letters[4].id;
    let path = |action: &str| format!("/api/v1/transactions/{closed}/{action}");
    let (status, r) = app.post("clerk", &path("reopen"), json!({"note": "معلومات جديدة"})).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (kept, counted) = tallies_against_rows(&app);
    assert_eq!(kept, counted, "after a send and a reopen");
    let (status, r) = app.post("clerk", &path("close"), json!({"note": "حفظ نهائي"})).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (status, r) = app.post("clerk", &path("archive"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (kept, counted) = tallies_against_rows(&app);
    assert_eq!(kept, counted, "after a close and an archive");
    assert!(counted.keys().any(|k| k.2 == "archived"));

    // Two letters either side of a Riyadh midnight (21:00 UTC): each in its own day, on both paths.
    let boundary = (calendar::riyadh_date(Utc::now()) - Duration::days(10)).and_hms_opt(21, 0, 0).unwrap();
    {
        let mut conn = app.pool.get().unwrap();
        for (l, at) in [(&letters[0], boundary - Duration::milliseconds(500)), (&letters[1], boundary)] {
            diesel::update(transactions::table.find(l.id))
                .set(transactions::registered_at.eq(at - Duration::days(1)))
                .execute(&mut conn)
                .unwrap();
        }
    }
    let (kept, counted) = tallies_against_rows(&app);
    assert_eq!(kept, counted, "after dates moved to a midnight");
    let root = app.unit("AMANAH");
    let last_day = calendar::riyadh_date((boundary - Duration::days(1) - Duration::seconds(1)).and_utc());
    for (day, expected) in [(last_day, 1), (last_day + Duration::days(1), 1)] {
        let period = format!("from={day}&to={day}");
        let tallied = report(&app, "admin", "volume_by_kind", &period).await;
        let live = report(&app, "admin", "volume_by_kind", &format!("{period}&unit_id={root}")).await;
        assert_eq!(tallied["rows"], live["rows"], "{period}");
        let total = sum_where(&tallied, |_| true, "transactions");
        assert_eq!(total, expected, "{period}: {tallied}");
    }

    // The administrator's whole-organisation figures (from the day counts) equal the same figures counted from the
    // rows (a unit scope that covers the whole tree counts live).
    for name in ["volume_by_kind", "volume_by_month", "ageing"] {
        let tallied = report(&app, "admin", name, "").await;
        let live = report(&app, "admin", name, &format!("unit_id={root}")).await;
        assert_eq!(tallied["rows"], live["rows"], "{name}");
        let from = calendar::riyadh_date(Utc::now()) - Duration::days(21);
        let tallied = report(&app, "auditor", name, &format!("from={from}")).await;
        let live = report(&app, "auditor", name, &format!("from={from}&unit_id={root}")).await;
        assert_eq!(tallied["rows"], live["rows"], "{name} from {from}");
    }
    // The clearance holds on the day counts too: an auditor cleared for normal transactions only does not count
    // the confidential letter.
    let (status, user) = app
        .post(
            "admin",
            "/api/v1/users",
            json!({"username": "auditor.normal", "password": crate::helpers::PASSWORD, "full_name_ar": "مدقق",
                   "full_name_en": "Auditor", "unit_id": root, "roles": ["auditor"], "clearance": "normal"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let total = |body: &Value| sum_where(body, |_| true, "transactions");
    assert_eq!(total(&report(&app, "admin", "volume_by_kind", "").await), 6);
    assert_eq!(total(&report(&app, "auditor.normal", "volume_by_kind", "").await), 5);
    assert_eq!(total(&report(&app, "auditor.normal", "volume_by_month", "").await), 5);
}

#[tokio::test]
async fn closing_and_reopening_at_once_keep_the_day_counts_exact() {
    // Each close takes its letter's count from `open` to `closed` and each reopen back: at once, on letters of the
    // same day and kind, they touch the same two rows, always in the same order, so none waits on another forever.
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let t = app
            .register_incoming(&format!("خطاب رقم {i}"), json!([{"unit_id": app.unit("KHB"), "purpose": "action"}]))
            .await;
        ids.push(t["transaction"]["id"].as_i64().unwrap());
    }
    let (to_reopen, to_close) = ids.split_at(6);
    for id in to_reopen {
        let (status, r) =
            app.post("khb.head", &format!("/api/v1/transactions/{id}/close"), json!({"note": "تم"})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
    }
    let close_paths: Vec<String> = to_close.iter().map(|id| format!("/api/v1/transactions/{id}/close")).collect();
    let reopen_paths: Vec<String> = to_reopen.iter().map(|id| format!("/api/v1/transactions/{id}/reopen")).collect();
    let closes = close_paths.iter().map(|p| app.post("khb.head", p, json!({"note": "تم"})));
    let reopens = reopen_paths.iter().map(|p| app.post("clerk", p, json!({"note": "عودة"})));
    let (closed, reopened) =
        tokio::join!(futures_util::future::join_all(closes), futures_util::future::join_all(reopens));
    for (status, body) in closed.iter().chain(&reopened) {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    let (kept, counted) = tallies_against_rows(&app);
    assert_eq!(kept, counted);
    let open: i64 = kept.iter().filter(|(k, _)| k.2 == "open").map(|(_, n)| n).sum();
    assert_eq!(open, 6);
}

/// Referral figures per (day, unit, confidentiality) and per (day, holder, unit, confidentiality).
type ReferralCounts = (BTreeMap<(String, i64, i32), [i64; 6]>, BTreeMap<(String, i64, i64, i32), [i64; 4]>);

/// `report_unit_days` and `report_holder_days` as the triggers keep them, without their emptied keys, against the
/// same figures counted here from the referrals and their transactions.
fn referral_tallies_against_rows(app: &TestApp) -> (ReferralCounts, ReferralCounts) {
    use muamalat::schema::{report_holder_days as h, report_unit_days as u};
    let mut conn = app.pool.get().unwrap();
    type UnitRow = (String, i64, i32, i64, i64, i64, i64, i64, i64);
    let units: Vec<UnitRow> = u::table
        .select((
            u::day,
            u::unit_id,
            u::confidentiality,
            u::referrals,
            u::arrivals,
            u::actions_open,
            u::open_sent_seconds,
            u::actions_completed,
            u::completed_seconds,
        ))
        .load(&mut conn)
        .unwrap();
    type HolderRow = (String, i64, i64, i32, i64, i64, i64, i64);
    let holders: Vec<HolderRow> = h::table
        .select((
            h::day,
            h::holder_id,
            h::unit_id,
            h::confidentiality,
            h::actions,
            h::actions_open,
            h::open_sent_seconds,
            h::completed_seconds,
        ))
        .load(&mut conn)
        .unwrap();
    let kept = (
        units
            .into_iter()
            .map(|k| ((k.0, k.1, k.2), [k.3, k.4, k.5, k.6, k.7, k.8]))
            .filter(|(_, v)| v.iter().any(|n| *n != 0))
            .collect(),
        holders
            .into_iter()
            .map(|k| ((k.0, k.1, k.2, k.3), [k.4, k.5, k.6, k.7]))
            .filter(|(_, v)| v.iter().any(|n| *n != 0))
            .collect(),
    );
    let levels: HashMap<i64, i32> = transactions::table
        .select((transactions::id, transactions::confidentiality))
        .load::<(i64, i32)>(&mut conn)
        .unwrap()
        .into_iter()
        .collect();
    let (_, rs) = rows(app);
    let mut first: HashMap<(i64, i64), i64> = HashMap::new();
    for r in &rs {
        let id = first.entry((r.1, r.2)).or_insert(r.0);
        *id = (*id).min(r.0);
    }
    let mut counted: ReferralCounts = Default::default();
    for r in &rs {
        let day = calendar::riyadh_date(r.7.and_utc()).format("%Y-%m-%d").to_string();
        let (action, done) = (r.5 == "action", r.6 == "completed");
        let (sent, took) = (r.7.and_utc().timestamp(), r.8.map_or(0, |c| seconds(c, r.7)));
        let v = counted.0.entry((day.clone(), r.2, levels[&r.1])).or_default();
        v[0] += 1;
        v[1] += i64::from(first[&(r.1, r.2)] == r.0);
        v[2] += i64::from(action && !done);
        v[3] += if action && !done { sent } else { 0 };
        v[4] += i64::from(action && done);
        v[5] += if action && done { took } else { 0 };
        if let (true, Some(holder)) = (action, r.3.or(r.4)) {
            let v = counted.1.entry((day, holder, r.2, levels[&r.1])).or_default();
            v[0] += 1;
            v[1] += i64::from(!done);
            v[2] += if done { 0 } else { sent };
            v[3] += if done { took } else { 0 };
        }
    }
    (kept, counted)
}

#[tokio::test]
async fn the_referral_counts_follow_every_change_exactly_and_hold_under_concurrent_routing() {
    let app = TestApp::spawn().await;
    let letters = history(&app).await;
    let (kept, counted) = referral_tallies_against_rows(&app);
    assert_eq!(kept, counted, "after registrations, receipts, forwards, completions, a close and dates moved");

    // A reopened letter goes back to a unit it had been at: a referral, not a new arrival there.
    let reopened = letters[4].id;
    let (status, r) =
        app.post("clerk", &format!("/api/v1/transactions/{reopened}/reopen"), json!({"note": "معلومات جديدة"})).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (kept, counted) = referral_tallies_against_rows(&app);
    assert_eq!(kept, counted, "after a reopen");

    // Routing at once: Khobar's head forwards letters to HR and engineering in one order and in the other while the
    // registry registers more letters to the same units, each change noting its figures under today's keys.
    let mut held = Vec::new();
    for i in 0..8 {
        let t = app
            .register_incoming(&format!("خطاب للتوزيع {i}"), json!([{"unit_id": app.unit("KHB"), "purpose": "action"}]))
            .await;
        held.push(app.referral_to(&t["referrals"], "KHB")["id"].as_i64().unwrap());
    }
    let (hr, eng) = (app.unit("HR"), app.unit("KHB-ENG"));
    let forward_paths: Vec<(String, Value)> = held
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (a, b) = if i % 2 == 0 { (hr, eng) } else { (eng, hr) };
            (
                format!("/api/v1/referrals/{id}/forward"),
                json!({"targets": [{"unit_id": a, "purpose": "action"}, {"unit_id": b, "purpose": "information"}]}),
            )
        })
        .collect();
    let forwards = forward_paths.iter().map(|(p, body)| app.post("khb.head", p, body.clone()));
    let registrations = (0..8).map(|i| {
        let targets = if i % 2 == 0 {
            json!([{"unit_id": eng, "purpose": "action"}, {"unit_id": hr, "purpose": "action"}])
        } else {
            json!([{"unit_id": hr, "purpose": "action"}, {"unit_id": eng, "purpose": "action"}])
        };
        app.post(
            "clerk",
            "/api/v1/transactions",
            json!({"kind": "incoming", "subject": format!("خطاب متزامن {i}"), "external_entity_id": app.fx.ministry,
                   "priority": "normal", "referrals": targets}),
        )
    });
    let (forwarded, registered) =
        tokio::join!(futures_util::future::join_all(forwards), futures_util::future::join_all(registrations));
    for (status, body) in &forwarded {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    for (status, body) in &registered {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
    }
    let (kept, counted) = referral_tallies_against_rows(&app);
    assert_eq!(kept, counted, "after forwarding and registering at once");

    // A transaction counts for a unit in the period of its first referral there: two periods add up to both.
    let today = calendar::riyadh_date(Utc::now());
    let split = today - Duration::days(10);
    let (early, late) = (format!("to={}", split - Duration::days(1)), format!("from={split}"));
    for who in ["admin", "khb.head"] {
        let all = report(&app, who, "volume_by_unit", "").await;
        let before = report(&app, who, "volume_by_unit", &early).await;
        let after = report(&app, who, "volume_by_unit", &late).await;
        for row in all["rows"].as_array().unwrap() {
            let unit = row["key"]["unit"]["id"].clone();
            let of = |r: &Value, m: &str| sum_where(r, |k| k["unit"]["id"] == unit, m);
            for measure in ["transactions", "referrals"] {
                assert_eq!(of(&before, measure) + of(&after, measure), of(&all, measure), "{who} {measure} {unit}");
            }
        }
    }

    // Khobar's head sees every letter here (each went to Khobar or its engineering department), so the figures
    // counted from the referrals he may see equal the administrator's, read from the day counts.
    let total = |r: &Value| sum_where(r, |_| true, "transactions");
    assert_eq!(
        total(&report(&app, "khb.head", "volume_by_kind", "").await),
        total(&report(&app, "admin", "volume_by_kind", "").await)
    );
    for name in ["volume_by_unit", "processing_by_unit", "dwell_by_holder", "bottlenecks"] {
        for period in ["", &late] {
            let (tallied, live) =
                (report(&app, "admin", name, period).await, report(&app, "khb.head", name, period).await);
            let (a, b) = (tallied["rows"].as_array().unwrap(), live["rows"].as_array().unwrap());
            assert_eq!(a.len(), b.len(), "{name}?{period}: {tallied} {live}");
            let measures = tallied["measures"].as_array().unwrap();
            let mut b: HashMap<String, &Value> = b.iter().map(|r| (r["key"].to_string(), r)).collect();
            for row in a {
                let other = b.remove(&row["key"].to_string()).unwrap_or_else(|| panic!("{name}: {row} in {live}"));
                for (i, m) in measures.iter().enumerate() {
                    let (x, y) = (row["values"][i].as_i64().unwrap(), other["values"][i].as_i64().unwrap());
                    // Waits until now differ by the moments the two answers were made (a second or two, per referral).
                    let slack = if name == "volume_by_unit" || name == "processing_by_unit" {
                        0
                    } else {
                        2 * value(&tallied, row, "open").max(1)
                    };
                    assert!((x - y).abs() <= slack, "{name}?{period} {m}: {row} against {other}");
                }
            }
        }
    }

    // A referral keeps its place and is never deleted, so what the counts say stays true.
    let mut conn = app.pool.get().unwrap();
    let moved = diesel::update(referrals::table.find(held[0])).set(referrals::to_unit_id.eq(hr)).execute(&mut conn);
    assert!(moved.is_err(), "a referral moved to another unit");
    let deleted = diesel::delete(referrals::table.find(held[0])).execute(&mut conn);
    assert!(deleted.is_err(), "a referral was deleted");
    let reclassified = diesel::update(transactions::table.find(letters[0].id))
        .set(transactions::confidentiality.eq(2))
        .execute(&mut conn);
    assert!(reclassified.is_err(), "a referred transaction changed its confidentiality");
    drop(conn);
    assert_eq!(referral_tallies_against_rows(&app).0, counted);
}
