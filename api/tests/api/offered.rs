//! What a client is offered is exactly what the server accepts. For each state a transaction can be in and each
//! kind of actor — the clerk of the registering registry, the holder, the head of the holder's unit and the head
//! above, that head's deputy, an employee of the registry's unit, another registry's clerk, an outsider, an auditor
//! and an administrator — every action is attempted for real: it succeeds if and only if `GET .../actions` offered
//! it, and a refusal changes nothing. Hidden transactions offer nothing and refuse everything with 404.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, upload_text};

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Draft,
    OpenSent,
    OpenReceived,
    OpenBlocked,
    OpenNoReferrals,
    Closed,
    Archived,
}

const ACTORS: [&str; 10] =
    ["admin", "auditor", "khb.clerk", "eng.emp", "eng.head", "khb.head", "hr.emp", "khb.emp", "clerk", "hr.head"];

/// A transaction in the state: its id.
async fn build(app: &TestApp, state: State) -> i64 {
    let eng = app.unit("KHB-ENG");
    let register = |referrals: Value| async move {
        let (status, body) = app
            .post(
                "khb.clerk",
                "/api/v1/transactions",
                json!({"kind": "incoming", "subject": "خطاب للتجربة", "external_entity_id": app.fx.ministry,
                       "referrals": referrals}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["transaction"]["id"].as_i64().unwrap()
    };
    let to_eng = json!([{"unit_id": eng, "purpose": "action"}]);
    match state {
        State::Draft => {
            let (status, body) =
                app.post("eng.emp", "/api/v1/transactions", json!({"kind": "internal", "subject": "مسودة"})).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            assert_eq!(body["transaction"]["status"], "draft", "{body}");
            body["transaction"]["id"].as_i64().unwrap()
        }
        State::OpenSent => register(to_eng).await,
        State::OpenReceived => {
            let t = register(to_eng).await;
            let r = open_referrals(app, t).await[0].clone();
            let (status, body) = app
                .post(
                    "eng.emp",
                    &format!("/api/v1/referrals/{}/receive", r["id"]),
                    json!({"expected_version": r["version"]}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            t
        }
        State::OpenBlocked => {
            register(json!([{"unit_id": eng, "purpose": "action"},
                            {"unit_id": app.unit("KHB"), "user_id": app.user("khb.emp"), "purpose": "action"}]))
            .await
        }
        State::OpenNoReferrals => register(json!([])).await,
        State::Closed | State::Archived => {
            let t = register(to_eng).await;
            let (status, body) = app
                .post(
                    "eng.emp",
                    &format!("/api/v1/transactions/{t}/close"),
                    json!({"note": "أنجز", "expected_version": version(app, t).await}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if state == State::Archived {
                let (status, body) = app
                    .post(
                        "khb.clerk",
                        &format!("/api/v1/transactions/{t}/archive"),
                        json!({"expected_version": version(app, t).await}),
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
            t
        }
    }
}

async fn version(app: &TestApp, t: i64) -> Value {
    let (_, body) = app.get("admin", &format!("/api/v1/transactions/{t}")).await;
    body["version"].clone()
}

async fn open_referrals(app: &TestApp, t: i64) -> Vec<Value> {
    let (_, body) = app.get("admin", &format!("/api/v1/transactions/{t}/location")).await;
    body["open_referrals"].as_array().cloned().unwrap_or_default()
}

/// Every action, with what `AllowedActions` says of it.
#[derive(Debug, Clone)]
enum Action {
    Refer,
    Annotate,
    Decide,
    Close,
    Reopen,
    Archive,
    EditDraft,
    Send,
    Link,
    AddDocument,
    /// (which, referral's index among the open ones)
    OnReferral(&'static str, usize),
}

fn offered(actions: &Value, action: &Action, referral_id: Option<&Value>) -> bool {
    let flag = |name: &str| actions[name].as_bool().unwrap_or(false);
    match action {
        Action::Refer => flag("refer"),
        Action::Annotate => flag("annotate"),
        Action::Decide => flag("decide"),
        Action::Close => flag("close"),
        Action::Reopen => flag("reopen"),
        Action::Archive => flag("archive"),
        Action::EditDraft => flag("edit_draft"),
        Action::Send => flag("send"),
        Action::Link => flag("link"),
        Action::AddDocument => flag("add_document"),
        Action::OnReferral(which, _) => actions["referrals"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| Some(&r["referral_id"]) == referral_id)
            .is_some_and(|r| r[*which].as_bool().unwrap_or(false)),
    }
}

async fn attempt(
    app: &TestApp,
    who: &str,
    t: i64,
    other: i64,
    action: &Action,
    referral: Option<&Value>,
) -> (StatusCode, Value) {
    let hr = app.unit("HR");
    let path = |tail: &str| format!("/api/v1/transactions/{t}/{tail}");
    let v = version(app, t).await;
    match action {
        Action::Refer => {
            app.post(who, &path("referrals"), json!({"targets": [{"unit_id": hr, "purpose": "information"}]})).await
        }
        Action::Annotate => app.post(who, &path("annotations"), json!({"text": "ملاحظة"})).await,
        Action::Decide => app.post(who, &path("decisions"), json!({"decision": "approve"})).await,
        Action::Close => app.post(who, &path("close"), json!({"note": "تم", "expected_version": v})).await,
        Action::Reopen => app.post(who, &path("reopen"), json!({"note": "يعاد", "expected_version": v})).await,
        Action::Archive => app.post(who, &path("archive"), json!({"expected_version": v})).await,
        Action::EditDraft => {
            app.call(
                Some(who),
                Method::PATCH,
                &format!("/api/v1/transactions/{t}"),
                Some(json!({"subject": "معدل", "expected_version": v})),
            )
            .await
        }
        Action::Send => app.post(who, &path("send"), json!({"targets": [{"unit_id": hr, "purpose": "action"}]})).await,
        Action::Link => app.post(who, &path("links"), json!({"transaction_id": other, "kind": "related"})).await,
        Action::AddDocument => {
            let token = app.token(who).await;
            upload_text(app, &token, &path("documents"), "مرفق", b"attached").await
        }
        Action::OnReferral(which, _) => {
            let r = referral.expect("a referral");
            let rv = &r["version"];
            let body = match *which {
                "receive" => json!({"expected_version": rv}),
                "forward" => json!({"targets": [{"unit_id": hr, "purpose": "information"}], "expected_version": rv}),
                _ => json!({"note": "تم", "expected_version": rv}),
            };
            app.post(who, &format!("/api/v1/referrals/{}/{which}", r["id"]), body).await
        }
    }
}

async fn check(state: State) {
    let app = TestApp::spawn().await;
    // The head of KHB-ENG's deputy, for the day.
    let (status, body) = app
        .post(
            "eng.head",
            "/api/v1/delegations",
            json!({"deputy_user_id": app.user("hr.emp"), "ends_at": chrono::Utc::now() + chrono::Duration::hours(2)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The transaction to link to: one everyone who sees the main one may see.
    let other = build(&app, State::OpenSent).await;
    let mut wrong = Vec::new();
    let mut offered_any = false;
    for who in ACTORS {
        let mut t = build(&app, state).await;
        let (status, mut actions) = app.get(who, &format!("/api/v1/transactions/{t}/actions")).await;
        let hidden = status == StatusCode::NOT_FOUND;
        assert!(hidden || status == StatusCode::OK, "{who}: {status} {actions}");
        let referral_count = open_referrals(&app, t).await.len();
        let mut all = vec![
            Action::Refer,
            Action::Annotate,
            Action::Decide,
            Action::Close,
            Action::Reopen,
            Action::Archive,
            Action::EditDraft,
            Action::Send,
            Action::Link,
            Action::AddDocument,
        ];
        for i in 0..referral_count {
            for which in ["receive", "forward", "return", "complete"] {
                all.push(Action::OnReferral(which, i));
            }
        }
        for action in all {
            let referral = match action {
                Action::OnReferral(_, i) => open_referrals(&app, t).await.get(i).cloned(),
                _ => None,
            };
            if matches!(action, Action::OnReferral(..)) && referral.is_none() {
                continue;
            }
            let promised = !hidden && offered(&actions, &action, referral.as_ref().map(|r| &r["id"]));
            offered_any |= promised;
            let before = app.counts();
            let (status, body) = attempt(&app, who, t, other, &action, referral.as_ref()).await;
            if hidden {
                if status != StatusCode::NOT_FOUND {
                    wrong.push(format!("{state:?} {who} {action:?}: hidden, yet answered {status} {body}"));
                }
                continue;
            }
            if status.is_success() {
                // Done: start again from the same state for the next action.
                t = build(&app, state).await;
                actions = app.get(who, &format!("/api/v1/transactions/{t}/actions")).await.1;
            } else {
                assert!(
                    [StatusCode::FORBIDDEN, StatusCode::CONFLICT].contains(&status),
                    "{state:?} {who} {action:?}: the test's request is wrong: {status} {body}"
                );
                assert_eq!(app.counts(), before, "{state:?} {who} {action:?}: a refusal changed something");
            }
            if promised != status.is_success() {
                wrong.push(format!("{state:?} {who} {action:?}: offered {promised}, answered {status} {body}"));
            }
        }
    }
    assert!(wrong.is_empty(), "offered and accepted disagree:\n{}", wrong.join("\n"));
    // Something is offered to someone in every state but the archive, where nothing may change.
    assert_eq!(offered_any, state != State::Archived, "{state:?}");
}

#[tokio::test]
async fn offered_is_accepted_on_a_draft() {
    check(State::Draft).await;
}

#[tokio::test]
async fn offered_is_accepted_on_a_referral_just_sent() {
    check(State::OpenSent).await;
}

#[tokio::test]
async fn offered_is_accepted_on_a_referral_received() {
    check(State::OpenReceived).await;
}

#[tokio::test]
async fn offered_is_accepted_when_someone_else_must_act_first() {
    check(State::OpenBlocked).await;
}

#[tokio::test]
async fn offered_is_accepted_on_an_open_transaction_with_no_referral() {
    check(State::OpenNoReferrals).await;
}

#[tokio::test]
async fn offered_is_accepted_on_a_closed_transaction() {
    check(State::Closed).await;
}

#[tokio::test]
async fn offered_is_accepted_on_an_archived_transaction() {
    check(State::Archived).await;
}
