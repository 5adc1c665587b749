//! The working calendar: read by everyone, changed by administrators, generated holidays kept where they were moved,
//! and the business time of dwell counted within it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};

async fn put(app: &TestApp, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.call(Some(who), Method::PUT, path, Some(body)).await
}

async fn patch(app: &TestApp, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.call(Some(who), Method::PATCH, path, Some(body)).await
}

async fn delete(app: &TestApp, who: &str, path: &str) -> (StatusCode, Value) {
    app.call(Some(who), Method::DELETE, path, None).await
}

fn of_kind<'a>(calendar: &'a Value, kind: &str) -> Vec<&'a Value> {
    calendar["holidays"].as_array().unwrap().iter().filter(|h| h["kind"] == kind).collect()
}

#[tokio::test]
async fn the_default_calendar_has_the_saudi_week_ramadan_hours_and_the_years_holidays() {
    let app = TestApp::spawn().await;
    let (status, calendar) = app.get("hr.emp", "/api/v1/calendar?from=1447-01-01&to=1448-12-30").await;
    assert_eq!(status, StatusCode::OK, "{calendar}");
    assert_eq!(calendar["working_days"], json!(["sunday", "monday", "tuesday", "wednesday", "thursday"]));
    assert_eq!(calendar["hours"], json!({"start": "07:30", "end": "14:30"}));
    assert_eq!(calendar["ramadan_hours"], json!({"start": "10:00", "end": "15:00"}));
    // Both Eids of 1447 and 1448, four days each, by Umm al-Qura.
    let fitr = of_kind(&calendar, "eid_al_fitr");
    assert_eq!(fitr.iter().map(|h| h["year"].as_i64().unwrap()).collect::<Vec<_>>(), [1447, 1448]);
    // Ramadan 1447 has 30 days by Umm al-Qura (18 February to 19 March 2026): the holiday starts on the day after
    // 29 Ramadan, which is 30 Ramadan.
    assert_eq!(fitr[0]["first_day"]["hijri"], "1447-09-30");
    assert_eq!(fitr[0]["first_day"]["gregorian"], "2026-03-19");
    assert_eq!(fitr[0]["last_day"]["hijri"], "1447-10-03");
    assert_eq!(fitr[0]["days"], 4);
    let adha = of_kind(&calendar, "eid_al_adha");
    assert_eq!(adha[0]["first_day"]["hijri"], "1447-12-09", "the day of Arafat");
    assert_eq!(adha[0]["last_day"]["hijri"], "1447-12-12");
    // The national days of the Gregorian years those Hijri years touch; 23 September 2026 is a Wednesday.
    let national: Vec<&str> =
        of_kind(&calendar, "national_day").iter().map(|h| h["first_day"]["gregorian"].as_str().unwrap()).collect();
    assert!(national.contains(&"2026-09-23"), "{national:?}");
    assert_eq!(of_kind(&calendar, "national_day")[0]["name_ar"], "اليوم الوطني");
    // A day that is not one is refused.
    assert_problem(
        &app.get("hr.emp", "/api/v1/calendar?from=2026-02-30").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_problem(
        &app.get("hr.emp", "/api/v1/calendar?to=1447-13-01").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    // Nor a period that ends before it begins.
    assert_problem(
        &app.get("hr.emp", "/api/v1/calendar?from=2026-05-01&to=2026-04-30").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
}

#[tokio::test]
async fn only_administrators_change_the_week_and_bad_weeks_change_nothing() {
    let app = TestApp::spawn().await;
    let week = json!({"working_days": ["sunday", "monday", "tuesday", "wednesday", "thursday", "saturday"],
                      "hours": {"start": "08:00", "end": "15:00"}});
    assert_problem(
        &put(&app, "khb.head", "/api/v1/calendar/week", week.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (_, before) = app.get("admin", "/api/v1/calendar").await;
    let bad = [
        json!({"working_days": [], "hours": {"start": "08:00", "end": "15:00"}}),
        json!({"working_days": ["sunday", "sunday"], "hours": {"start": "08:00", "end": "15:00"}}),
        json!({"working_days": ["sunday"], "hours": {"start": "8:00", "end": "15:00"}}),
        json!({"working_days": ["sunday"], "hours": {"start": "+8:00", "end": "15:00"}}),
        json!({"working_days": ["sunday"], "hours": {"start": "15:00", "end": "08:00"}}),
        json!({"working_days": ["sunday"], "hours": {"start": "08:00", "end": "24:00"}}),
        json!({"working_days": ["sunday"], "hours": {"start": "08:00", "end": "15:00"},
               "ramadan_hours": {"start": "14:00", "end": "10:00"}}),
    ];
    for body in bad {
        let answer = put(&app, "admin", "/api/v1/calendar/week", body.clone()).await;
        assert_problem(&answer, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    assert_problem(
        &put(&app, "admin", "/api/v1/calendar/week", json!({"working_days": ["someday"], "hours": {}})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    let (_, unchanged) = app.get("admin", "/api/v1/calendar").await;
    assert_eq!(unchanged, before);

    let (status, after) = put(&app, "admin", "/api/v1/calendar/week", week).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["working_days"].as_array().unwrap().len(), 6);
    assert_eq!(after["working_days"][5], "saturday");
    assert_eq!(after["hours"], json!({"start": "08:00", "end": "15:00"}));
    assert_eq!(after["ramadan_hours"], Value::Null, "no Ramadan hours given: the ordinary ones apply");
    let (_, read) = app.get("hr.emp", "/api/v1/calendar").await;
    assert_eq!(read["working_days"], after["working_days"]);
    let (_, log) = app.get("auditor", "/api/v1/audit?action=working_week_changed").await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(1), "{log}");
}

#[tokio::test]
async fn holidays_are_added_moved_and_removed_and_a_moved_eid_stays_moved_after_a_restart() {
    let app = TestApp::spawn().await;
    // Added in Hijri days; shown in both calendars.
    let rain =
        json!({"name_ar": "إجازة مطرية", "name_en": "Rain day", "first_day": "1448-07-10", "last_day": "١٤٤٨-٠٧-١١"});
    assert_problem(
        &app.post("hr.emp", "/api/v1/calendar/holidays", rain.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (status, added) = app.post("admin", "/api/v1/calendar/holidays", rain).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["kind"], "other");
    assert_eq!(added["first_day"]["hijri"], "1448-07-10");
    assert_eq!(added["days"], 2);
    let path = format!("/api/v1/calendar/holidays/{}", added["id"]);
    for bad in [
        json!({"name_ar": " ", "name_en": "x", "first_day": "2026-12-20", "last_day": "2026-12-20"}),
        json!({"name_ar": "x", "name_en": "x", "first_day": "2026-12-20", "last_day": "2026-12-19"}),
        json!({"name_ar": "x", "name_en": "x", "first_day": "2026-12-20", "last_day": "2027-03-01"}),
        json!({"name_ar": "x", "name_en": "x", "first_day": "2026-13-20", "last_day": "2026-12-21"}),
    ] {
        let answer = app.post("admin", "/api/v1/calendar/holidays", bad).await;
        assert_problem(&answer, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }
    let (status, moved) = patch(&app, "admin", &path, json!({"last_day": "1448-07-12"})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!((moved["days"].clone(), moved["name_en"].clone()), (json!(3), json!("Rain day")));
    assert_problem(
        &patch(&app, "admin", &path, json!({"first_day": "1448-07-13"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    // A change sent as an array of its fields is not a change (serde would read one from it).
    let answer = app.call(Some("admin"), Method::PATCH, &path, Some(json!([null, null]))).await;
    assert_problem(&answer, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(delete(&app, "admin", &path).await.0, StatusCode::NO_CONTENT);
    assert_problem(&delete(&app, "admin", &path).await, StatusCode::NOT_FOUND, "holiday_not_found");
    assert_problem(&patch(&app, "admin", &path, json!({})).await, StatusCode::NOT_FOUND, "holiday_not_found");

    // The announcement moves Eid al-Fitr 1448 a day later: the generated holiday is moved, not removed.
    let (_, calendar) = app.get("admin", "/api/v1/calendar?from=1448-01-01&to=1448-12-29").await;
    let eid = of_kind(&calendar, "eid_al_fitr")[0].clone();
    let eid_path = format!("/api/v1/calendar/holidays/{}", eid["id"]);
    assert_problem(&delete(&app, "admin", &eid_path).await, StatusCode::CONFLICT, "holiday_generated");
    let (status, moved) =
        patch(&app, "admin", &eid_path, json!({"first_day": "1448-10-02", "last_day": "1448-10-05"})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    // The next start writes the missing holidays again, but not over the moved one, and not a second copy.
    drop(muamalat::db::connect(&app.database_url, Some(1)).expect("reopen"));
    let (_, calendar) = app.get("admin", "/api/v1/calendar?from=1448-01-01&to=1448-12-29").await;
    let fitr = of_kind(&calendar, "eid_al_fitr");
    assert_eq!(fitr.len(), 1, "{fitr:?}");
    assert_eq!(fitr[0]["first_day"]["hijri"], "1448-10-02");
    let (_, log) = app.get("auditor", "/api/v1/audit?action=holiday_changed").await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(2), "{log}");
}

/// Rewrite a referral's times as Riyadh wall-clock times (stored as UTC, three hours earlier).
fn set_times(app: &TestApp, referral: i64, sent: &str, received: &str, completed: &str) {
    let utc = |riyadh: &str| {
        let at = chrono::NaiveDateTime::parse_from_str(riyadh, "%Y-%m-%d %H:%M").unwrap() - chrono::Duration::hours(3);
        at.format("%Y-%m-%d %H:%M:%S").to_string()
    };
    let statement = format!(
        "UPDATE referrals SET sent_at = '{}', received_at = '{}', completed_at = '{}' WHERE id = {referral}",
        utc(sent),
        utc(received),
        utc(completed)
    );
    assert_eq!(app.execute(&statement).unwrap(), 1);
}

async fn dwell(app: &TestApp, id: i64) -> Value {
    let (status, d) = app.get("clerk", &format!("/api/v1/transactions/{id}/dwell")).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    d["referrals"][0]["dwell"].clone()
}

#[tokio::test]
async fn dwell_counts_business_time_within_the_calendar_as_it_is_now() {
    let app = TestApp::spawn().await;
    let t = app.register_incoming("طلب رخصة بناء", json!([{"unit_id": app.unit("KHB"), "purpose": "action"}])).await;
    let id = t["transaction"]["id"].as_i64().unwrap();
    let referral = t["referrals"][0]["id"].as_i64().unwrap();
    let (status, body) = app.post("khb.head", &format!("/api/v1/referrals/{referral}/receive"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let done = json!({"note": "تمت الدراسة"});
    let (status, body) = app.post("khb.head", &format!("/api/v1/referrals/{referral}/complete"), done).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Sent on Thursday 10 December 2026 at 13:00, opened on Sunday 13 December at 08:00, completed at 10:00.
    set_times(&app, referral, "2026-12-10 13:00", "2026-12-13 08:00", "2026-12-13 10:00");
    let d = dwell(&app, id).await;
    assert_eq!(d["waiting"], json!({"wall_clock_seconds": 67 * 3600, "business_seconds": 2 * 3600}), "{d}");
    assert_eq!(d["working"], json!({"wall_clock_seconds": 2 * 3600, "business_seconds": 2 * 3600}));
    assert_eq!(d["total"]["business_seconds"], 4 * 3600);
    // Sunday 13 December declared off: the waiting time is Thursday's 1.5 hours, the working time none.
    let sunday = json!({"name_ar": "إجازة", "name_en": "Day off", "first_day": "2026-12-13", "last_day": "2026-12-13"});
    assert_eq!(app.post("admin", "/api/v1/calendar/holidays", sunday).await.0, StatusCode::CREATED);
    let d = dwell(&app, id).await;
    assert_eq!(d["waiting"]["business_seconds"], 90 * 60, "{d}");
    assert_eq!(d["working"]["business_seconds"], 0);
    // And the per-user and per-unit totals carry it too.
    let (_, report) = app.get("clerk", &format!("/api/v1/transactions/{id}/dwell")).await;
    assert_eq!(report["per_unit"][0]["total"]["business_seconds"], 90 * 60, "{report}");
}
