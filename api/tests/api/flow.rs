//! The acceptance flow of the core issue, over HTTP.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn ids(v: &Value) -> Vec<i64> {
    v.as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn register_refer_forward_complete_close_and_track() {
    let app = TestApp::spawn().await;
    // The central registry registers a letter from the ministry and refers it to Khobar for action and to HR for
    // information, in one step.
    let reg = app
        .register_incoming(
            "طلب تزويد بيانات المشاريع",
            json!([
                {"unit_id": app.unit("KHB"), "purpose": "action", "instructions": "للإفادة"},
                {"unit_id": app.unit("HR"), "purpose": "information"}
            ]),
        )
        .await;
    let tid = reg["transaction"]["id"].as_i64().unwrap();
    let to_khb = app.referral_to(&reg["referrals"], "KHB").clone();
    let to_hr = app.referral_to(&reg["referrals"], "HR").clone();
    assert_eq!(to_khb["status"], "sent");

    // Khobar's head finds it in the unit queue, receives it, and forwards it to an employee with instructions.
    let (_, queue) = app.get("khb.head", "/api/v1/inbox?box=unit").await;
    assert_eq!(
        ids(&queue["items"].as_array().unwrap().iter().map(|i| i["referral"].clone()).collect::<Value>()),
        [to_khb["id"].as_i64().unwrap()]
    );
    let (status, received) =
        app.post("khb.head", &format!("/api/v1/referrals/{}/receive", to_khb["id"]), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{received}");
    assert_eq!(received["status"], "received");
    assert_eq!(received["received_by"]["username"], "khb.head");
    let (status, fwd) = app
        .post(
            "khb.head",
            &format!("/api/v1/referrals/{}/forward", to_khb["id"]),
            json!({"targets": [{"unit_id": app.unit("KHB"), "user_id": app.user("khb.emp"), "purpose": "action", "instructions": "نأمل الدراسة والرفع"}],
                   "expected_version": received["version"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fwd}");
    let to_emp = fwd["referrals"][0].clone();
    assert_eq!(to_emp["instructions"], "نأمل الدراسة والرفع");
    assert_eq!(to_emp["parent_referral_id"], to_khb["id"]);

    // The employee forwards it to the engineering department's queue.
    let (_, held) = app.get("khb.emp", "/api/v1/inbox").await;
    assert_eq!(held["items"][0]["referral"]["id"], to_emp["id"]);
    let (status, fwd2) = app
        .post(
            "khb.emp",
            &format!("/api/v1/referrals/{}/forward", to_emp["id"]),
            json!({"targets": [{"unit_id": app.unit("KHB-ENG"), "purpose": "action"}], "note": "للاختصاص"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fwd2}");
    let to_eng = fwd2["referrals"][0].clone();

    // The engineering department receives and completes; the registry closes the transaction.
    let (status, _) = app.post("eng.emp", &format!("/api/v1/referrals/{}/receive", to_eng["id"]), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, done) = app
        .post(
            "eng.emp",
            &format!("/api/v1/referrals/{}/complete", to_eng["id"]),
            json!({"note": "تم تزويد الوزارة بالبيانات"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["outcome"], "completed");
    let (status, closed) =
        app.post("clerk", &format!("/api/v1/transactions/{tid}/close"), json!({"note": "أُنجز الطلب"})).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["resolution"], "أُنجز الطلب");

    // The timeline shows every hop, in order, with who and where.
    let (status, timeline) = app.get("khb.head", &format!("/api/v1/transactions/{tid}/timeline")).await;
    assert_eq!(status, StatusCode::OK);
    let expected = [
        ("registered", "clerk", "CR"),
        ("referred", "clerk", "CR"),
        ("referred", "clerk", "CR"),
        ("received", "khb.head", "KHB"),
        ("forwarded", "khb.head", "KHB"),
        ("referred", "khb.head", "KHB"),
        ("received", "khb.emp", "KHB"),
        ("forwarded", "khb.emp", "KHB"),
        ("referred", "khb.emp", "KHB"),
        ("received", "eng.emp", "KHB-ENG"),
        ("completed", "eng.emp", "KHB-ENG"),
        ("closed", "clerk", "CR"),
    ];
    let got: Vec<(String, String, String)> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().into(),
                e["actor"]["username"].as_str().unwrap().into(),
                e["actor_unit"]["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(timeline[0]["details"]["registration_number"], reg["transaction"]["registration_number"]);
    assert!(reg["transaction"]["registration_number"].as_str().is_some_and(|n| n.ends_with("/000001")));
    let want: Vec<(String, String, String)> =
        expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    assert_eq!(got, want);

    // The route tree shows the parallel copy beside the chain KHB → employee → engineering.
    let (_, route) = app.get("clerk", &format!("/api/v1/transactions/{tid}/route")).await;
    let roots = route["roots"].as_array().unwrap();
    assert_eq!(roots.len(), 2);
    assert_eq!(roots[0]["referral"]["id"], to_khb["id"]);
    assert_eq!(roots[1]["referral"]["id"], to_hr["id"]);
    assert_eq!(roots[1]["referral"]["purpose"], "information");
    assert_eq!(roots[0]["children"][0]["referral"]["id"], to_emp["id"]);
    assert_eq!(roots[0]["children"][0]["children"][0]["referral"]["id"], to_eng["id"]);
    assert_eq!(roots[0]["children"][0]["children"][0]["children"], json!([]));
    // The copy was completed by the close.
    assert_eq!(roots[1]["referral"]["outcome"], "closed");

    // Nothing is open any more.
    let (_, location) = app.get("clerk", &format!("/api/v1/transactions/{tid}/location")).await;
    assert_eq!(location["status"], "closed");
    assert_eq!(location["open_referrals"], json!([]));

    // Dwell time: pin the hops to known times and check every figure.
    let t0: DateTime<Utc> = "2026-11-01T06:00:00Z".parse().unwrap();
    let at = |minutes: i64| (t0 + Duration::minutes(minutes)).naive_utc();
    {
        use muamalat::schema::referrals::dsl as r;
        let mut conn = app.pool.get().unwrap();
        let set = |conn: &mut muamalat::db::DbConn, id: &Value, sent: i64, received: Option<i64>, completed: i64| {
            diesel::update(r::referrals.find(id.as_i64().unwrap()))
                .set((r::sent_at.eq(at(sent)), r::received_at.eq(received.map(at)), r::completed_at.eq(at(completed))))
                .execute(conn)
                .unwrap();
        };
        // KHB: waited 30 min, worked 90 min. Employee: waited 60, worked 120. Engineering: waited 15, worked 240.
        set(&mut conn, &to_khb["id"], 0, Some(30), 120);
        set(&mut conn, &to_emp["id"], 120, Some(180), 300);
        set(&mut conn, &to_eng["id"], 300, Some(315), 555);
        // The copy to HR was never opened: it waited until the close.
        set(&mut conn, &to_hr["id"], 0, None, 555);
    }
    let (_, dwell) = app.get("clerk", &format!("/api/v1/transactions/{tid}/dwell")).await;
    let fig = |id: &Value| {
        let r = dwell["referrals"].as_array().unwrap().iter().find(|r| r["id"] == *id).unwrap();
        (
            r["dwell"]["waiting"]["wall_clock_seconds"].as_i64().unwrap(),
            r["dwell"]["working"]["wall_clock_seconds"].as_i64().unwrap(),
            r["dwell"]["running"].as_bool().unwrap(),
        )
    };
    assert_eq!(fig(&to_khb["id"]), (30 * 60, 90 * 60, false));
    assert_eq!(fig(&to_emp["id"]), (60 * 60, 120 * 60, false));
    assert_eq!(fig(&to_eng["id"]), (15 * 60, 240 * 60, false));
    assert_eq!(fig(&to_hr["id"]), (555 * 60, 0, false));
    let per_user = |username: &str| {
        dwell["per_user"].as_array().unwrap().iter().find(|u| u["user"]["username"] == username).cloned().unwrap()
    };
    assert_eq!(per_user("khb.head")["total"]["wall_clock_seconds"], 120 * 60);
    assert_eq!(per_user("khb.emp")["working"]["wall_clock_seconds"], 120 * 60);
    assert_eq!(per_user("eng.emp")["waiting"]["wall_clock_seconds"], 15 * 60);
    let per_unit =
        |code: &str| dwell["per_unit"].as_array().unwrap().iter().find(|u| u["unit"]["code"] == code).cloned().unwrap();
    // Khobar held it twice (the head's queue referral and the employee's): 120 + 180 minutes.
    assert_eq!(per_unit("KHB")["total"]["wall_clock_seconds"], 300 * 60);
    assert_eq!(per_unit("KHB")["referrals"], 2);
    assert_eq!(per_unit("KHB-ENG")["total"]["wall_clock_seconds"], 255 * 60);
    // 06:00 UTC on Sunday 1 November 2026 is 09:00 in Riyadh: Khobar's hops lie within the working day (07:30–14:30),
    // so their business time is their wall-clock time; Engineering's began at 14:00 and counts until 14:30 only.
    assert_eq!(per_unit("KHB")["total"]["business_seconds"], 300 * 60);
    assert_eq!(per_unit("KHB-ENG")["total"]["business_seconds"], 30 * 60);
    assert_eq!(per_user("eng.emp")["working"]["business_seconds"], 15 * 60);
}

#[tokio::test]
async fn open_referrals_run_their_clock_to_now() {
    let app = TestApp::spawn().await;
    let reg = app.register_incoming("مفتوحة", json!([{"unit_id": app.unit("HR"), "purpose": "action"}])).await;
    let rid = reg["referrals"][0]["id"].as_i64().unwrap();
    let tid = reg["transaction"]["id"].as_i64().unwrap();
    {
        use muamalat::schema::referrals::dsl as r;
        let mut conn = app.pool.get().unwrap();
        let sent = (Utc::now() - Duration::hours(3)).naive_utc();
        let received = (Utc::now() - Duration::hours(1)).naive_utc();
        diesel::update(r::referrals.find(rid))
            .set((r::sent_at.eq(sent), r::received_at.eq(received), r::status.eq("received")))
            .execute(&mut conn)
            .unwrap();
    }
    let (_, location) = app.get("hr.head", &format!("/api/v1/transactions/{tid}/location")).await;
    let holder = &location["holders"][0];
    assert_eq!(holder["unit"]["code"], "HR");
    let waiting = holder["dwell"]["waiting"]["wall_clock_seconds"].as_i64().unwrap();
    let working = holder["dwell"]["working"]["wall_clock_seconds"].as_i64().unwrap();
    assert_eq!(waiting, 2 * 3600);
    assert!((3600..3600 + 60).contains(&working), "{working}");
    assert_eq!(holder["dwell"]["running"], true);
}
