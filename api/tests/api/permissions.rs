//! The permission matrix: every kind of actor × every endpoint that touches a transaction × each confidentiality
//! level, on the real server, against a written-down expectation — the same expectation `docs/PERMISSIONS.md` is
//! generated from, so the document cannot drift from the code. Run with `UPDATE_PERMISSIONS=1` to rewrite the
//! document after a deliberate change of the rules.
//!
//! A request that the rules allow is sent with a body that fails only after the access checks (an empty text, a
//! stale `expected_version`, an empty file), so that the matrix changes nothing and "allowed" shows as that late
//! failure; a refused request shows as 403 (the role or the position on the route does not allow it) or 404 (the
//! transaction is invisible: above the actor's clearance, or the actor is not on its route).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, upload_text};

/// The kinds of actor. Every person is cleared for `confidential` (so `top_secret` is above everyone's clearance)
/// but the uncleared employee, who is cleared for `normal` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Actor {
    Admin,
    Auditor,
    /// A clerk of the registry that registered the transaction.
    ClerkOfRegistry,
    /// A clerk of another registry.
    OtherClerk,
    /// The head of the unit the transaction was referred to.
    HeadOnRoute,
    /// The head of a unit the transaction never reached.
    OtherHead,
    /// A member of the unit the transaction was referred to (its queue).
    EmployeeOnRoute,
    /// An employee of a unit the transaction never reached.
    OtherEmployee,
    /// A member of the route unit cleared for `normal` only.
    UnclearedOnRoute,
    /// An employee elsewhere standing in for the head on the route (a delegation in force).
    Deputy,
    /// An external agency's API client, with every agency scope.
    Agency,
}

const ACTORS: [Actor; 11] = [
    Actor::Admin,
    Actor::Auditor,
    Actor::ClerkOfRegistry,
    Actor::OtherClerk,
    Actor::HeadOnRoute,
    Actor::OtherHead,
    Actor::EmployeeOnRoute,
    Actor::OtherEmployee,
    Actor::UnclearedOnRoute,
    Actor::Deputy,
    Actor::Agency,
];

impl Actor {
    fn username(self) -> &'static str {
        match self {
            Actor::Admin => "m.admin",
            Actor::Auditor => "m.auditor",
            Actor::ClerkOfRegistry => "m.clerk",
            Actor::OtherClerk => "m.khb-clerk",
            Actor::HeadOnRoute => "m.head",
            Actor::OtherHead => "m.other-head",
            Actor::EmployeeOnRoute => "m.employee",
            Actor::OtherEmployee => "m.other-employee",
            Actor::UnclearedOnRoute => "m.uncleared",
            Actor::Deputy => "m.deputy",
            Actor::Agency => "(API client)",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Actor::Admin => "admin",
            Actor::Auditor => "auditor",
            Actor::ClerkOfRegistry => "clerk of the registering registry",
            Actor::OtherClerk => "clerk of another registry",
            Actor::HeadOnRoute => "head of a unit on the route",
            Actor::OtherHead => "head of another unit",
            Actor::EmployeeOnRoute => "employee of a unit on the route",
            Actor::OtherEmployee => "employee elsewhere",
            Actor::UnclearedOnRoute => "employee on the route cleared for normal only",
            Actor::Deputy => "deputy of the head on the route",
            Actor::Agency => "external agency (API client)",
        }
    }

    /// The highest level the actor is cleared for.
    fn clearance(self) -> usize {
        match self {
            Actor::UnclearedOnRoute => 0,
            _ => 1,
        }
    }

    fn on_route(self) -> bool {
        matches!(
            self,
            Actor::ClerkOfRegistry
                | Actor::HeadOnRoute
                | Actor::EmployeeOnRoute
                | Actor::UnclearedOnRoute
                | Actor::Deputy
        )
    }

    fn staff(self) -> bool {
        !matches!(self, Actor::Auditor | Actor::Agency)
    }

    /// Speaks for the transaction's owner side: an admin, or a clerk of its registry.
    fn owner(self) -> bool {
        matches!(self, Actor::Admin | Actor::ClerkOfRegistry)
    }

    /// Holds the open referral for action (the route unit's queue, or heads that unit, or stands in for its head).
    fn holder(self) -> bool {
        matches!(self, Actor::HeadOnRoute | Actor::EmployeeOnRoute | Actor::UnclearedOnRoute | Actor::Deputy)
    }
}

const LEVELS: [&str; 3] = ["normal", "confidential", "top_secret"];

/// What the rules say should happen.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Allowed: the request got past every access check (shown by the response the probe expects).
    Allowed,
    /// 401: the credentials are not of the kind the endpoint takes (a person's token on an agency endpoint, an
    /// agency's token on a staff endpoint).
    Unauthorized,
    Forbidden,
    NotFound,
    /// Refused with a conflict of this code (the action does not fit the actor's position, e.g. a referral they do
    /// not hold).
    Conflict(&'static str),
}

impl Outcome {
    fn cell(&self) -> String {
        match self {
            Outcome::Allowed => "✓".into(),
            Outcome::Unauthorized => "401".into(),
            Outcome::Forbidden => "403".into(),
            Outcome::NotFound => "404".into(),
            Outcome::Conflict(code) => format!("409 `{code}`"),
        }
    }
}

/// What an allowed request answers, given the probe body sent.
#[derive(Debug, Clone, Copy)]
enum Probe {
    Ok,
    Invalid,
    Stale,
    Conflict(&'static str),
    /// 404 with this code: the check passed and the record asked for is missing.
    Missing(&'static str),
}

impl Probe {
    fn matches(self, status: StatusCode, body: &Value) -> bool {
        match self {
            Probe::Ok => status == StatusCode::OK,
            Probe::Invalid => status == StatusCode::UNPROCESSABLE_ENTITY && body["code"] == "validation_failed",
            Probe::Stale => status == StatusCode::CONFLICT && body["code"] == "version_conflict",
            Probe::Conflict(code) => status == StatusCode::CONFLICT && body["code"] == code,
            Probe::Missing(code) => status == StatusCode::NOT_FOUND && body["code"] == code,
        }
    }
}

/// Which record of a level an endpoint acts on.
#[derive(Debug, Clone, Copy)]
enum Target {
    Open,
    Closed,
    Referral,
    Document,
}

/// Who may do it when they can see the transaction.
#[derive(Debug, Clone, Copy)]
enum Rule {
    Anyone,
    Staff,
    /// Staff on the owner side or holding an open referral.
    Participant,
    /// Holds the referral; others get 409 `referral_not_held`.
    Holder,
    /// Staff on the owner side, or holding the referral for action.
    Closer,
    /// Admin, or a clerk of the registering registry (also: whoever closed it may reopen it; here that is the
    /// registrar, who is not in the matrix).
    Registry,
    /// Visible is enough to learn the request does not fit (a draft action on a registered transaction, a change
    /// to a stored version).
    Visible,
}

struct Endpoint {
    method: Method,
    /// `{t}` is the transaction, `{r}` the referral, `{d}` the document, `{v}` its first version.
    path: &'static str,
    target: Target,
    body: Option<fn(i64) -> Value>,
    /// Multipart upload of an empty file.
    upload: bool,
    rule: Rule,
    probe: Probe,
}

fn long_note(_: i64) -> Value {
    json!({"decision": "approve", "note": "ن".repeat(4_001)})
}

fn endpoints() -> Vec<Endpoint> {
    let e = |method: Method, path, target, body, rule, probe| Endpoint {
        method,
        path,
        target,
        body,
        upload: false,
        rule,
        probe,
    };
    use Method as M;
    use Probe as P;
    use Rule as R;
    use Target as T;
    vec![
        e(M::GET, "/transactions/{t}", T::Open, None, R::Anyone, P::Ok),
        e(M::GET, "/transactions/{t}/timeline", T::Open, None, R::Anyone, P::Ok),
        e(M::GET, "/transactions/{t}/route", T::Open, None, R::Anyone, P::Ok),
        e(M::GET, "/transactions/{t}/location", T::Open, None, R::Anyone, P::Ok),
        e(M::GET, "/transactions/{t}/dwell", T::Open, None, R::Anyone, P::Ok),
        e(M::GET, "/transactions/{t}/actions", T::Open, None, R::Anyone, P::Ok),
        e(M::GET, "/transactions/{t}/documents", T::Open, None, R::Anyone, P::Ok),
        e(M::GET, "/documents/{d}", T::Document, None, R::Anyone, P::Ok),
        e(M::GET, "/documents/{d}/versions/{v}/content", T::Document, None, R::Anyone, P::Ok),
        e(M::GET, "/documents/{d}/versions/{v}/text", T::Document, None, R::Anyone, P::Ok),
        e(M::POST, "/transactions/{t}/annotations", T::Open, Some(|_| json!({"text": " "})), R::Staff, P::Invalid),
        e(
            M::POST,
            "/transactions/{t}/referrals",
            T::Open,
            Some(|_| json!({"targets": []})),
            R::Participant,
            P::Invalid,
        ),
        e(M::POST, "/transactions/{t}/decisions", T::Open, Some(long_note), R::Participant, P::Invalid),
        e(
            M::POST,
            "/transactions/{t}/links",
            T::Open,
            Some(|t| json!({"kind": "related", "transaction_id": t})),
            R::Participant,
            P::Invalid,
        ),
        e(M::POST, "/transactions/{t}/close", T::Open, Some(|_| json!({"expected_version": -1})), R::Closer, P::Stale),
        e(
            M::PATCH,
            "/transactions/{t}",
            T::Open,
            Some(|_| json!({"subject": "x"})),
            R::Visible,
            P::Conflict("transaction_not_draft"),
        ),
        e(
            M::POST,
            "/transactions/{t}/send",
            T::Open,
            Some(|_| json!({"targets": []})),
            R::Visible,
            P::Conflict("transaction_not_draft"),
        ),
        e(
            M::POST,
            "/transactions/{t}/reopen",
            T::Closed,
            Some(|_| json!({"expected_version": -1})),
            R::Registry,
            P::Stale,
        ),
        e(
            M::POST,
            "/transactions/{t}/archive",
            T::Closed,
            Some(|_| json!({"expected_version": -1})),
            R::Registry,
            P::Stale,
        ),
        e(
            M::POST,
            "/referrals/{r}/receive",
            T::Referral,
            Some(|_| json!({"expected_version": -1})),
            R::Holder,
            P::Stale,
        ),
        e(
            M::POST,
            "/referrals/{r}/forward",
            T::Referral,
            Some(|_| json!({"targets": [], "expected_version": -1})),
            R::Holder,
            P::Stale,
        ),
        e(
            M::POST,
            "/referrals/{r}/return",
            T::Referral,
            Some(|_| json!({"expected_version": -1})),
            R::Holder,
            P::Stale,
        ),
        e(
            M::POST,
            "/referrals/{r}/complete",
            T::Referral,
            Some(|_| json!({"expected_version": -1})),
            R::Holder,
            P::Stale,
        ),
        Endpoint { upload: true, ..e(M::POST, "/transactions/{t}/documents", T::Open, None, R::Staff, P::Invalid) },
        Endpoint { upload: true, ..e(M::POST, "/documents/{d}/versions", T::Document, None, R::Staff, P::Invalid) },
        e(M::POST, "/documents/{d}/withdraw", T::Document, Some(|_| json!({"reason": " "})), R::Staff, P::Invalid),
        e(M::PUT, "/documents/{d}/versions/{v}", T::Document, None, R::Visible, P::Conflict("version_immutable")),
        e(M::DELETE, "/documents/{d}/versions/{v}", T::Document, None, R::Visible, P::Conflict("version_immutable")),
    ]
}

/// Who may call an endpoint that is not about one transaction.
#[derive(Debug, Clone, Copy)]
enum RoleRule {
    Anyone,
    Admin,
    AdminOrClerk,
    Clerk,
    Staff,
    Auditor,
    Manager,
    /// Clerks of the central registry.
    CentralClerk,
    /// Admins, auditors, and the head of the unit (or of one above it), or their deputy.
    HeadOfUnit,
    /// Any signed-in person; the record named does not exist, so the answer is its 404.
    AnyoneMissing,
    /// The manager whose authority it is, or an admin.
    DelegatorOrAdmin,
    /// External agencies only (API client tokens).
    Agency,
}

struct RoleEndpoint {
    method: Method,
    /// `{unit}` is the route unit, `{user}` the route employee; any other `{…}` names a record that does not exist.
    /// A remark after a space is shown, not sent.
    path: &'static str,
    body: Option<fn(&Ids) -> Value>,
    /// Multipart upload of an empty file.
    upload: bool,
    rule: RoleRule,
    probe: Probe,
}

/// Records of the matrix that bodies name.
struct Ids {
    head: i64,
}

fn role_endpoints() -> Vec<RoleEndpoint> {
    let e = |method, path, body, rule, probe| RoleEndpoint { method, path, body, upload: false, rule, probe };
    use Method as M;
    use Probe as P;
    use RoleRule as R;
    let bad_unit = |_: &Ids| json!({"code": "", "name_ar": "", "name_en": "", "kind": "department"});
    vec![
        e(M::GET, "/me", None, R::Anyone, P::Ok),
        e(M::GET, "/auth/sessions", None, R::Anyone, P::Ok),
        e(M::DELETE, "/auth/sessions/{session}", None, R::AnyoneMissing, P::Missing("session_not_found")),
        e(M::GET, "/inbox", None, R::Anyone, P::Ok),
        e(M::GET, "/inbox/counts", None, R::Anyone, P::Ok),
        e(M::GET, "/drafts", None, R::Anyone, P::Ok),
        e(M::GET, "/search", None, R::Anyone, P::Ok),
        e(M::GET, "/reports/{name}", None, R::Anyone, P::Ok),
        e(M::GET, "/units", None, R::Anyone, P::Ok),
        e(M::GET, "/units/{unit}", None, R::Anyone, P::Ok),
        e(M::GET, "/units/{unit}/overview", None, R::HeadOfUnit, P::Ok),
        e(M::GET, "/users", None, R::Anyone, P::Ok),
        e(M::GET, "/users/{user}", None, R::Anyone, P::Ok),
        e(M::GET, "/external-entities", None, R::Anyone, P::Ok),
        e(M::POST, "/units", Some(bad_unit), R::Admin, P::Invalid),
        e(M::PATCH, "/units/{unit}", Some(|_| json!({"name_ar": ""})), R::Admin, P::Invalid),
        e(
            M::POST,
            "/users",
            Some(|_| {
                json!({"username": "x", "password": "", "full_name_ar": "", "full_name_en": "", "unit_id": 1,
                       "roles": [], "clearance": "normal"})
            }),
            R::Admin,
            P::Invalid,
        ),
        e(M::PATCH, "/users/{user}", Some(|_| json!({"full_name_ar": ""})), R::Admin, P::Invalid),
        e(
            M::POST,
            "/external-entities",
            Some(|_| json!({"code": "", "name_ar": "", "name_en": "", "kind": "ministry"})),
            R::AdminOrClerk,
            P::Invalid,
        ),
        e(
            M::POST,
            "/transactions (incoming)",
            Some(|_| json!({"kind": "incoming", "subject": " ", "referrals": []})),
            R::Clerk,
            P::Invalid,
        ),
        e(
            M::POST,
            "/transactions (internal draft)",
            Some(|_| json!({"kind": "internal", "subject": " "})),
            R::Staff,
            P::Invalid,
        ),
        e(M::GET, "/delegations", None, R::Anyone, P::Ok),
        e(
            M::POST,
            "/delegations (own authority)",
            Some(|_| json!({"deputy_user_id": 0, "ends_at": "2020-01-01T00:00:00Z"})),
            R::Manager,
            P::Invalid,
        ),
        e(
            M::POST,
            "/delegations (for the head on the route)",
            Some(|ids| json!({"delegator_user_id": ids.head, "deputy_user_id": 0, "ends_at": "2020-01-01T00:00:00Z"})),
            R::DelegatorOrAdmin,
            P::Invalid,
        ),
        e(M::DELETE, "/delegations/{delegation}", None, R::AnyoneMissing, P::Missing("delegation_not_found")),
        e(M::GET, "/calendar", None, R::Anyone, P::Ok),
        e(
            M::PUT,
            "/calendar/week",
            Some(|_| json!({"working_days": [], "hours": {"start": "08:00", "end": "15:00"}})),
            R::Admin,
            P::Invalid,
        ),
        e(
            M::POST,
            "/calendar/holidays",
            Some(|_| json!({"name_ar": "", "name_en": "", "first_day": "x", "last_day": "x"})),
            R::Admin,
            P::Invalid,
        ),
        e(M::PATCH, "/calendar/holidays/{holiday}", Some(|_| json!({})), R::Admin, P::Missing("holiday_not_found")),
        e(M::DELETE, "/calendar/holidays/{holiday}", None, R::Admin, P::Missing("holiday_not_found")),
        e(M::GET, "/api-clients", None, R::Admin, P::Ok),
        e(
            M::POST,
            "/api-clients",
            Some(|_| json!({"name": "", "external_entity_id": 0, "scopes": []})),
            R::Admin,
            P::Invalid,
        ),
        e(M::POST, "/api-clients/{client}/secret", Some(|_| json!({})), R::Admin, P::Missing("api_client_not_found")),
        e(M::DELETE, "/api-clients/{client}", None, R::Admin, P::Missing("api_client_not_found")),
        e(M::GET, "/intake", None, R::CentralClerk, P::Ok),
        e(M::GET, "/intake/{submission}", None, R::CentralClerk, P::Missing("submission_not_found")),
        e(
            M::GET,
            "/intake/{submission}/documents/{document}/content",
            None,
            R::CentralClerk,
            P::Missing("submission_not_found"),
        ),
        e(
            M::POST,
            "/intake/{submission}/register",
            Some(|_| json!({"referrals": []})),
            R::CentralClerk,
            P::Missing("submission_not_found"),
        ),
        e(
            M::POST,
            "/intake/{submission}/reject",
            Some(|_| json!({"reason": ""})),
            R::CentralClerk,
            P::Missing("submission_not_found"),
        ),
        e(M::GET, "/audit", None, R::Auditor, P::Ok),
        e(M::GET, "/audit/verification", None, R::Auditor, P::Ok),
        // The agency endpoints, for external agencies' API clients only.
        e(M::GET, "/agency/me", None, R::Agency, P::Ok),
        e(M::GET, "/agency/submissions", None, R::Agency, P::Ok),
        e(
            M::POST,
            "/agency/submissions",
            Some(|_| json!({"subject": " ", "sender_reference": ""})),
            R::Agency,
            P::Invalid,
        ),
        e(M::GET, "/agency/submissions/{submission}", None, R::Agency, P::Missing("submission_not_found")),
        RoleEndpoint {
            upload: true,
            ..e(
                M::POST,
                "/agency/submissions/{submission}/documents",
                None,
                R::Agency,
                P::Missing("submission_not_found"),
            )
        },
        e(M::GET, "/agency/correspondence", None, R::Agency, P::Ok),
        e(M::GET, "/agency/correspondence/{letter}", None, R::Agency, P::Missing("transaction_not_found")),
        e(
            M::GET,
            "/agency/correspondence/{letter}/documents/{document}/content",
            None,
            R::Agency,
            P::Missing("transaction_not_found"),
        ),
    ]
}

fn role_expected(actor: Actor, endpoint: &RoleEndpoint) -> Outcome {
    let clerk = matches!(actor, Actor::ClerkOfRegistry | Actor::OtherClerk);
    if matches!(endpoint.rule, RoleRule::Agency) != (actor == Actor::Agency) {
        return Outcome::Unauthorized;
    }
    let allowed = match endpoint.rule {
        RoleRule::Anyone | RoleRule::AnyoneMissing | RoleRule::Agency => true,
        RoleRule::Admin => actor == Actor::Admin,
        RoleRule::AdminOrClerk => actor == Actor::Admin || clerk,
        RoleRule::Clerk => clerk,
        RoleRule::Staff => actor.staff(),
        RoleRule::Auditor => actor == Actor::Auditor,
        RoleRule::Manager => matches!(actor, Actor::HeadOnRoute | Actor::OtherHead),
        RoleRule::DelegatorOrAdmin => matches!(actor, Actor::Admin | Actor::HeadOnRoute),
        RoleRule::CentralClerk => actor == Actor::ClerkOfRegistry,
        RoleRule::HeadOfUnit => matches!(actor, Actor::Admin | Actor::Auditor | Actor::HeadOnRoute | Actor::Deputy),
    };
    if allowed { Outcome::Allowed } else { Outcome::Forbidden }
}

/// Whether `actor` may see the matrix's transactions of `level` at all.
fn sees(actor: Actor, level: &str) -> bool {
    let cleared = LEVELS.iter().position(|l| *l == level).is_some_and(|rank| rank <= actor.clearance());
    actor != Actor::Agency && cleared && (matches!(actor, Actor::Admin | Actor::Auditor) || actor.on_route())
}

/// The rules, written down: what `actor` gets from `endpoint` on a transaction of `level`.
fn expected(actor: Actor, level: &str, endpoint: &Endpoint) -> Outcome {
    if actor == Actor::Agency {
        return Outcome::Unauthorized;
    }
    if !sees(actor, level) {
        return Outcome::NotFound;
    }
    let allowed = match endpoint.rule {
        Rule::Anyone | Rule::Visible => true,
        Rule::Staff => actor.staff(),
        Rule::Participant => actor.staff() && (actor.owner() || actor.holder()),
        Rule::Holder => {
            return if actor.holder() { Outcome::Allowed } else { Outcome::Conflict("referral_not_held") };
        }
        Rule::Closer => actor.staff() && (actor.owner() || actor.holder()),
        Rule::Registry => actor.owner(),
    };
    if allowed { Outcome::Allowed } else { Outcome::Forbidden }
}

/// The records each level's requests act on.
#[derive(Debug, Clone, Copy)]
struct Records {
    open: i64,
    closed: i64,
    referral: i64,
    document: i64,
}

async fn create(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, created) = app.post("admin", path, body).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {created}");
    created
}

/// Units and users of the matrix, and for each level an open transaction (with a document, and a referral for
/// action to the route unit's queue) and a closed one, registered by a top-secret clerk of the central registry.
/// What the matrix set up: the records of each level, the route unit and employee, the ids bodies name, and the
/// agency's token.
struct World {
    records: BTreeMap<&'static str, Records>,
    route_unit: i64,
    route_employee: i64,
    ids: Ids,
    agency_token: String,
}

async fn set_up(app: &TestApp) -> World {
    let unit = |code: &str, parent: &str| {
        json!({"code": code, "name_ar": format!("وحدة {code}"), "name_en": code, "kind": "department",
               "parent_id": app.unit(parent)})
    };
    let on_route = create(app, "/api/v1/units", unit("M-ROUTE", "KHB")).await["id"].as_i64().unwrap();
    let elsewhere = create(app, "/api/v1/units", unit("M-ELSE", "HR")).await["id"].as_i64().unwrap();
    let mut users: Vec<(&str, i64, Vec<&str>, &str)> = vec![
        ("m.registrar", app.unit("CR"), vec!["registry_clerk"], "top_secret"),
        ("m.admin", app.unit("AMANAH"), vec!["admin"], "confidential"),
        ("m.auditor", app.unit("AMANAH"), vec!["auditor"], "confidential"),
        ("m.clerk", app.unit("CR"), vec!["registry_clerk"], "confidential"),
        ("m.khb-clerk", app.unit("KHB"), vec!["registry_clerk"], "confidential"),
    ];
    users.extend([
        ("m.head", on_route, vec!["manager", "employee"], "confidential"),
        ("m.other-head", elsewhere, vec!["manager", "employee"], "confidential"),
        ("m.employee", on_route, vec!["employee"], "confidential"),
        ("m.other-employee", elsewhere, vec!["employee"], "confidential"),
        ("m.uncleared", on_route, vec!["employee"], "normal"),
        ("m.deputy", elsewhere, vec!["employee"], "confidential"),
    ]);
    let mut ids = BTreeMap::new();
    for (username, unit_id, roles, clearance) in users {
        let user = create(
            app,
            "/api/v1/users",
            json!({"username": username, "password": PASSWORD, "full_name_ar": format!("مستخدم {username}"),
                   "full_name_en": username, "unit_id": unit_id, "roles": roles, "clearance": clearance}),
        )
        .await;
        ids.insert(username, user["id"].as_i64().unwrap());
    }
    for (unit_id, head) in [(on_route, "m.head"), (elsewhere, "m.other-head")] {
        let (status, body) = app
            .call(
                Some("admin"),
                Method::PATCH,
                &format!("/api/v1/units/{unit_id}"),
                Some(json!({"head_user_id": ids[head]})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let mut records = BTreeMap::new();
    for level in LEVELS {
        let register = |purpose: &str| {
            json!({"kind": "incoming", "subject": format!("مصفوفة الصلاحيات {level}"),
                   "external_entity_id": app.fx.ministry, "sender_reference": "P/1", "sender_reference_date": "2026-11-20",
                   "confidentiality": level, "referrals": [{"unit_id": on_route, "purpose": purpose}]})
        };
        let (status, open) = app.post("m.registrar", "/api/v1/transactions", register("action")).await;
        assert_eq!(status, StatusCode::CREATED, "{open}");
        let open_id = open["transaction"]["id"].as_i64().unwrap();
        let (status, closed) = app.post("m.registrar", "/api/v1/transactions", register("information")).await;
        assert_eq!(status, StatusCode::CREATED, "{closed}");
        let closed_id = closed["transaction"]["id"].as_i64().unwrap();
        let (status, body) =
            app.post("m.registrar", &format!("/api/v1/transactions/{closed_id}/close"), json!({"note": "حفظ"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, document) =
            upload(app, "m.registrar", &format!("/api/v1/transactions/{open_id}/documents"), b"letter").await;
        assert_eq!(status, StatusCode::CREATED, "{document}");
        records.insert(
            level,
            Records {
                open: open_id,
                closed: closed_id,
                referral: open["referrals"][0]["id"].as_i64().unwrap(),
                document: document["id"].as_i64().unwrap(),
            },
        );
    }
    // The route head's deputy, in force now.
    let ends = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let (status, body) =
        app.post("m.head", "/api/v1/delegations", json!({"deputy_user_id": ids["m.deputy"], "ends_at": ends})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // An agency with every scope.
    let client = create(
        app,
        "/api/v1/api-clients",
        json!({"name": "بوابة الوزارة", "external_entity_id": app.fx.ministry,
               "scopes": ["submit", "read_submissions", "receive"]}),
    )
    .await;
    let res = app
        .client
        .post(app.url("/api/v1/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client["client"]["client_id"].as_str().unwrap()),
            ("client_secret", client["client_secret"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let agency_token = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string();
    World {
        records,
        route_unit: on_route,
        route_employee: ids["m.employee"],
        ids: Ids { head: ids["m.head"] },
        agency_token,
    }
}

/// Send a request as an actor: a person with their access token, the agency with its API client's token.
async fn send(
    app: &TestApp,
    world: &World,
    actor: Actor,
    method: Method,
    path: &str,
    body: Option<Value>,
    upload: bool,
) -> (StatusCode, Value) {
    let token = match actor {
        Actor::Agency => world.agency_token.clone(),
        _ => app.token(actor.username()).await,
    };
    if upload {
        return upload_text(app, &token, path, "خطاب", b"").await;
    }
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    if status.is_client_error() {
        assert!(text.contains("\"code\""), "{status} {path}: not a problem: {text}");
    }
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) })
}

async fn upload(app: &TestApp, who: &str, path: &str, content: &[u8]) -> (StatusCode, Value) {
    upload_text(app, &app.token(who).await, path, "خطاب", content).await
}

/// Operations that take no signed-in caller: signing in and out, the agencies' token endpoint, the probes.
const PUBLIC: [(&str, &str); 6] = [
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/oauth/token"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
];

/// `METHOD /path` with every path parameter written `{}` and any remark after a space dropped.
fn operation(method: &str, path: &str) -> String {
    let path = path.split(' ').next().unwrap_or_default();
    let mut normal = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                normal.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => normal.push(c),
        }
    }
    format!("{method} {normal}")
}

/// Read what the server answered as an outcome of the rules.
fn outcome(probe: Probe, status: StatusCode, body: &Value) -> Outcome {
    if probe.matches(status, body) {
        return Outcome::Allowed;
    }
    match (status, body["code"].as_str()) {
        (StatusCode::UNAUTHORIZED, Some("invalid_token")) => Outcome::Unauthorized,
        (StatusCode::FORBIDDEN, _) => Outcome::Forbidden,
        (StatusCode::NOT_FOUND, _) => Outcome::NotFound,
        (StatusCode::CONFLICT, Some("referral_not_held")) => Outcome::Conflict("referral_not_held"),
        _ => panic!("unexpected {status} {body}"),
    }
}

/// The document: one table per confidentiality level.
fn document(endpoints: &[Endpoint], role_endpoints: &[RoleEndpoint]) -> String {
    let mut doc = String::from(
        "# Permissions\n\n\
         Generated from the expectations of `api/tests/api/permissions.rs`, which the test suite checks against the \
         real server on SQLite and PostgreSQL; the test fails when this file is stale (regenerate it with \
         `UPDATE_PERMISSIONS=1 cargo test -p muamalat-api --test api permissions`).\n\n\
         Every person here is cleared for `confidential`, but the employee on the route cleared for `normal` only; the \
         deputy stands in for the head on the route by a delegation in force. The transactions are incoming letters \
         registered by the central registry and referred to one unit (for action on the open ones, for information on \
         the closed ones). The test also checks that every operation of the OpenAPI document is a row here (or one of \
         the few that take no signed-in caller: sign-in, refresh, sign-out, the agencies' token endpoint, the probes).\n\n\
         - ✓ allowed: the request passed every access check (the test sends a body that then fails validation or \
         carries a stale `expected_version`, or names a record that does not exist, so nothing changes);\n\
         - 401: the credentials are not of the kind the endpoint takes (a person's token on an agency endpoint, an \
         agency's token on a staff endpoint);\n\
         - 403: the role or the actor's place on the route does not allow it;\n\
         - 404: the transaction does not exist for this actor — above their clearance, or they are not on its \
         route, are not of its registry and are neither admin nor auditor. The answer is the same, status, code and \
         title, as for an id that does not exist at all (the test compares them), so ids leak nothing;\n\
         - 409 `referral_not_held`: visible, but the referral is someone else's.\n\n\
         Lists (inbox boxes, their counts, drafts, the manager overview, the audit log) only ever hold what these \
         rules let the actor see, filtered in SQL; they are tested in `tracking.rs` \
         (`no_list_count_or_endpoint_shows_what_is_above_the_callers_clearance`) and `audit.rs`.\n",
    );
    let header = |doc: &mut String, first: &str| {
        let _ = write!(doc, "| {first} |");
        for actor in ACTORS {
            let _ = write!(doc, " {} |", actor.title());
        }
        doc.push_str("\n|---|");
        doc.push_str(&"---|".repeat(ACTORS.len()));
        doc.push('\n');
    };
    doc.push_str("\n## By role\n\nEndpoints that are not about one transaction (the route unit and employee of the tables below stand in \
                  for `{unit}` and `{user}`; any other parameter names a record that does not exist, so ✓ there is \
                  that record's 404).\n\n");
    header(&mut doc, "endpoint");
    for endpoint in role_endpoints {
        let _ = write!(doc, "| `{} {}` |", endpoint.method, endpoint.path);
        for actor in ACTORS {
            let _ = write!(doc, " {} |", role_expected(actor, endpoint).cell());
        }
        doc.push('\n');
    }
    for level in LEVELS {
        let _ = write!(doc, "\n## Confidentiality `{level}`\n\n");
        header(&mut doc, "endpoint");
        for endpoint in endpoints {
            let _ = write!(doc, "| `{} {}` |", endpoint.method, endpoint.path);
            for actor in ACTORS {
                let _ = write!(doc, " {} |", expected(actor, level, endpoint).cell());
            }
            doc.push('\n');
        }
    }
    doc
}

#[tokio::test]
async fn every_actor_gets_what_the_rules_say_on_every_endpoint_and_level() {
    let app = TestApp::spawn().await;
    let world = set_up(&app).await;
    let endpoints = endpoints();
    let mut wrong = Vec::new();
    let fill = |path: &str, t: i64, r: i64, d: i64| {
        format!(
            "/api/v1{}",
            path.replace("{t}", &t.to_string())
                .replace("{r}", &r.to_string())
                .replace("{d}", &d.to_string())
                .replace("{v}", "1")
        )
    };
    for endpoint in &endpoints {
        // What a record that does not exist answers: a hidden one must answer exactly alike (status, code, title).
        let missing = fill(endpoint.path, 987_654, 987_654, 987_654);
        let (status, absent) = send(
            &app,
            &world,
            Actor::Admin,
            endpoint.method.clone(),
            &missing,
            endpoint.body.map(|b| b(987_654)),
            endpoint.upload,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{} {missing}: {absent}", endpoint.method);
        for level in LEVELS {
            let r = world.records[level];
            let t = match endpoint.target {
                Target::Closed => r.closed,
                _ => r.open,
            };
            let path = fill(endpoint.path, t, r.referral, r.document);
            for actor in ACTORS {
                let body = endpoint.body.map(|b| b(t));
                let (status, body) =
                    send(&app, &world, actor, endpoint.method.clone(), &path, body, endpoint.upload).await;
                let got = outcome(endpoint.probe, status, &body);
                let want = expected(actor, level, endpoint);
                if got != want {
                    wrong.push(format!(
                        "{level} {} {} as {:?}: expected {}, got {} ({status} {body})",
                        endpoint.method,
                        endpoint.path,
                        actor,
                        want.cell(),
                        got.cell()
                    ));
                } else if got == Outcome::NotFound
                    && (body["code"] != absent["code"] || body["title"] != absent["title"])
                {
                    wrong.push(format!(
                        "{level} {} {} as {actor:?}: hidden answers {body}, missing answers {absent}",
                        endpoint.method, endpoint.path
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{} cells differ from the rules:\n{}", wrong.len(), wrong.join("\n"));

    // Nothing the matrix sent changed anything: each open transaction still has its two events and one referral.
    for level in LEVELS {
        let (_, timeline) =
            app.get("m.registrar", &format!("/api/v1/transactions/{}/timeline", world.records[level].open)).await;
        let kinds: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["registered", "referred", "document_added"], "{level}");
    }

    // Endpoints that are not about one transaction, by role.
    let role_endpoints = role_endpoints();
    for endpoint in &role_endpoints {
        let mut path = format!(
            "/api/v1{}",
            endpoint
                .path
                .split(' ')
                .next()
                .unwrap_or_default()
                .replace("{unit}", &world.route_unit.to_string())
                .replace("{user}", &world.route_employee.to_string())
                .replace("{name}", "volume_by_kind")
        );
        // Any other parameter names a record that does not exist.
        while let (Some(open), Some(close)) = (path.find('{'), path.find('}')) {
            path.replace_range(open..=close, "0");
        }
        for actor in ACTORS {
            let body = endpoint.body.map(|b| b(&world.ids));
            let (status, body) = send(&app, &world, actor, endpoint.method.clone(), &path, body, endpoint.upload).await;
            let got = outcome(endpoint.probe, status, &body);
            let want = role_expected(actor, endpoint);
            if got != want {
                wrong.push(format!(
                    "{} {} as {actor:?}: expected {}, got {} ({status} {body})",
                    endpoint.method,
                    endpoint.path,
                    want.cell(),
                    got.cell()
                ));
            }
        }
    }
    // Search shows and counts a level's transactions to exactly those who may see them: their words match for
    // everyone, and nobody else finds them, nor a count that includes them, nor a facet value that hints at them.
    for level in LEVELS {
        let r = world.records[level];
        let query = format!("/api/v1/search?q={}", crate::search::encode(&format!("مصفوفة الصلاحيات {level}")));
        for actor in ACTORS.into_iter().filter(|a| *a != Actor::Agency) {
            let (status, body) = send(&app, &world, actor, Method::GET, &query, None, false).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let found: std::collections::BTreeSet<i64> =
                body["items"].as_array().unwrap().iter().map(|h| h["transaction"]["id"].as_i64().unwrap()).collect();
            let want: std::collections::BTreeSet<i64> =
                if sees(actor, level) { [r.open, r.closed].into() } else { Default::default() };
            let levels = body["facets"]["confidentiality"].as_array().unwrap().len();
            if found != want || body["total"] != want.len() || levels != usize::from(!want.is_empty()) {
                wrong.push(format!("search for the {level} records as {actor:?}: expected {want:?}, got {body}"));
            }
        }
    }
    // Reports count exactly what search finds for the same caller: every level's records to those who may see them.
    for actor in ACTORS.into_iter().filter(|a| *a != Actor::Agency) {
        let (_, all) = send(&app, &world, actor, Method::GET, "/api/v1/search?limit=1", None, false).await;
        let (status, report) =
            send(&app, &world, actor, Method::GET, "/api/v1/reports/volume_by_kind", None, false).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let counted: i64 = report["rows"].as_array().unwrap().iter().map(|r| r["values"][0].as_i64().unwrap()).sum();
        if counted != all["total"].as_i64().unwrap() {
            wrong.push(format!("reports as {actor:?} count {counted}, search finds {}", all["total"]));
        }
    }
    assert!(wrong.is_empty(), "{} cells differ from the rules:\n{}", wrong.len(), wrong.join("\n"));

    // The matrix leaves no endpoint out: every operation of the OpenAPI document is in it, or is one of the few that
    // take no signed-in caller.
    let document_ops: std::collections::BTreeSet<String> = {
        let json: Value = serde_json::from_str(&muamalat::app::openapi_json()).unwrap();
        json["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| operation(&m.to_uppercase(), path)))
            .collect()
    };
    let in_matrix: std::collections::BTreeSet<String> = endpoints
        .iter()
        .map(|e| operation(e.method.as_str(), &format!("/api/v1{}", e.path)))
        .chain(role_endpoints.iter().map(|e| operation(e.method.as_str(), &format!("/api/v1{}", e.path))))
        .chain(PUBLIC.iter().map(|(m, p)| operation(m, p)))
        .collect();
    let left_out: Vec<&String> = document_ops.difference(&in_matrix).collect();
    assert!(left_out.is_empty(), "operations missing from the permission matrix: {left_out:?}");
    let unknown: Vec<&String> = in_matrix.difference(&document_ops).collect();
    assert!(unknown.is_empty(), "matrix rows that are no operation: {unknown:?}");

    let generated = document(&endpoints, &role_endpoints);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/PERMISSIONS.md");
    if std::env::var("UPDATE_PERMISSIONS").is_ok() {
        std::fs::write(&path, &generated).expect("write docs/PERMISSIONS.md");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/PERMISSIONS.md is stale. Regenerate it with:\n    UPDATE_PERMISSIONS=1 cargo test -p muamalat-api --test api permissions"
    );
}
