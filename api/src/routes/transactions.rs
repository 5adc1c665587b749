//! `/transactions`: register, draft, send, refer, annotate, decide, close, reopen, archive, link; and tracking:
//! timeline, route, current location, dwell time.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, patch, post, web};
use shared_types::{
    AllowedActions, AnnotationRequest, DecisionRequest, DraftUpdate, DwellReport, Event, Location, NewLink,
    NewTransaction, Problem, ReferRequest, Route, StatusChangeRequest, Transaction, TransactionWithReferrals,
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::Json;
use super::{IdempotencyKey, Pool, Registrar, caller, idempotency_key, read, write};
use crate::auth::AuthUser;
use crate::db;
use crate::domain::idempotency::Stored;
use crate::domain::ids::TransactionId;
use crate::domain::{idempotency, routing, tracking, transactions};
use crate::error::ApiError;
use crate::registrar::Registration;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(get_transaction)
        .service(update_draft)
        .service(send)
        .service(refer)
        .service(annotate)
        .service(decide)
        .service(close)
        .service(reopen)
        .service(archive)
        .service(link)
        .service(timeline)
        .service(route)
        .service(location)
        .service(actions)
        .service(dwell);
}

/// Register a transaction or start an internal draft
///
/// `kind=incoming` registers a letter from an external entity (registry clerks only); `outgoing` registers a letter to
/// one (any member of staff); `internal` starts a draft, without a number or referrals, for the caller to edit and send
/// later. Incoming and outgoing letters are numbered at once by the caller's registry (the nearest unit at or above
/// theirs with a registry code, else the central registry), unique and gapless per registry and Hijri year
/// (`1448/000123`, or `KHB-1448/000007`), and can be referred in the same request. The confidentiality may not exceed
/// the caller's clearance, and `links` must name transactions the caller may see. Auditors get 403 `forbidden`, and so
/// does anyone but a registry clerk for an incoming letter. An `Idempotency-Key` makes a retry safe: the same key and
/// body answer the first response, the same key with another body 422 `idempotency_key_reused`. 422 `validation_failed`
/// lists every invalid field.
#[utoipa::path(tag = "transactions", request_body = NewTransaction,
    params(IdempotencyKey),
    responses(
        (status = 201, description = "Registered (or draft created), with the referrals opened", body = TransactionWithReferrals, example = super::examples::registered),
        (status = 400, description = "`malformed_json`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only registry clerks register incoming mail", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` or `idempotency_key_reused`", body = Problem, content_type = "application/problem+json", example = super::examples::validation_problem),
    ), security(("bearer" = [])))]
#[post("/transactions")]
pub async fn create(
    pool: Pool,
    registrar: Registrar,
    who: AuthUser,
    req: HttpRequest,
    body: Json<NewTransaction>,
) -> Result<Stored<TransactionWithReferrals>, ApiError> {
    let body = body.into_inner();
    let key = idempotency_key(&req, &body)?;
    // Checked here, beside other requests; written by the registrar, together with whatever else is waiting.
    let checked = db::run(&pool, move |conn| {
        let actor = caller(conn, who)?;
        if let Some(key) = &key
            && let Some(stored) = idempotency::lookup(conn, actor.id(), key)?
        {
            return Ok(Err(stored));
        }
        let prepared = transactions::prepare_create(conn, &actor, &body)?;
        Ok(Ok(Registration { actor, req: body, prepared, key }))
    })
    .await?;
    match checked {
        Ok(registration) => registrar.write(registration).await,
        Err(stored) => Ok(stored),
    }
}

/// Get a transaction's header
///
/// The transaction's header: kind, status, registration number and registry, subject, summary, sender or recipient, the
/// sender's reference, priority, confidentiality, due date (and whether it is overdue), dates in both calendars, the
/// links to other transactions the caller may see, and its `version` for `expected_version`. A transaction exists for
/// the caller only when their clearance covers its confidentiality and they are an administrator or auditor, its
/// creator, a member of the registry that registered it, or on its route (themselves, their unit's queue, a unit they
/// head or one below it, or a delegating manager's); otherwise the answer is 404 `transaction_not_found`, exactly as
/// for an id that does not exist.
#[utoipa::path(tag = "transactions", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "The transaction", body = Transaction),
    (status = 404, description = "`transaction_not_found` (also when you may not see it)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}")]
pub async fn get_transaction(
    pool: Pool,
    who: AuthUser,
    id: web::Path<TransactionId>,
) -> Result<web::Json<Transaction>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| tracking::get(conn, actor, id)).await
}

/// Edit a draft
///
/// Changes the header of an internal draft: subject, summary, priority, confidentiality (at most the caller's
/// clearance), due date and attachment count; fields left out stay as they are. Only its author or an administrator may
/// edit it (403 `forbidden`); a transaction that is not a draft answers 409 `transaction_not_draft` first. Send the
/// `version` read as `expected_version` (409 `version_conflict` on a mismatch). 422 `validation_failed` for invalid
/// fields. Records a `draft_updated` event. Hidden transactions (above the caller's clearance, or, for anyone but
/// administrators and auditors, with no route, registry or authorship tie to the caller) answer 404
/// `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "transactions", request_body = DraftUpdate, params(IdempotencyKey, ("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "The edited draft", body = Transaction),
    (status = 409, description = "`transaction_not_draft` or `version_conflict`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/transactions/{id}")]
pub async fn update_draft(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<TransactionId>,
    body: Json<DraftUpdate>,
) -> Result<Stored<Transaction>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        transactions::update_draft(conn, actor, id, &body)
    })
    .await
}

/// Send a draft
///
/// Numbers the draft at the caller's registry (the nearest unit at or above the caller's with a registry code, else the
/// central registry), opens it and refers it straight to `targets`, 1 to 50 units and/or users, with no stop at the
/// central registry. Only its author or an administrator may send it (403 `forbidden`); 409 `transaction_not_draft`
/// when it is not, or no longer, a draft; 422 `validation_failed` for unknown, disabled or duplicate targets or a user
/// not cleared for it. An `Idempotency-Key` makes a retry safe. Hidden transactions (above the caller's clearance, or,
/// for anyone but administrators and auditors, with no route, registry or authorship tie to the caller) answer 404
/// `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "transactions", request_body = ReferRequest, params(("id" = i64, Path, description = "Transaction id"), IdempotencyKey), responses(
    (status = 200, description = "Sent", body = TransactionWithReferrals),
    (status = 409, description = "`transaction_not_draft`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid targets", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/send")]
pub async fn send(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<TransactionId>,
    body: Json<ReferRequest>,
) -> Result<Stored<TransactionWithReferrals>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        transactions::send_draft(conn, actor, id, &body.targets)
    })
    .await
}

/// Refer a transaction to more units or users
///
/// Opens a referral to each of `targets` (1 to 50 units and/or users, each with a purpose, instructions and an optional
/// due date, else the transaction's) without giving up what the caller holds: parallel routing, and copies for
/// information. The new referrals hang under the caller's open referral (one for action first) when they hold one.
/// Allowed for staff who hold an open referral on the transaction, its creator, clerks of the registry that registered
/// it and administrators; anyone else, auditors included, gets 403 `forbidden`. 409 `transaction_closed`,
/// `transaction_archived` or `transaction_is_draft`; 422 `validation_failed` for invalid targets. An `Idempotency-Key`
/// makes a retry safe. Hidden transactions (above the caller's clearance, or, for anyone but administrators and
/// auditors, with no route, registry or authorship tie to the caller) answer 404 `transaction_not_found`, exactly like
/// missing ones.
#[utoipa::path(tag = "routing", request_body = ReferRequest, params(("id" = i64, Path, description = "Transaction id"), IdempotencyKey), responses(
    (status = 201, description = "Referrals opened", body = TransactionWithReferrals),
    (status = 403, description = "Not the registry, the creator or a holder", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`transaction_closed`, `transaction_archived`, `transaction_is_draft`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid targets", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/referrals")]
pub async fn refer(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<TransactionId>,
    body: Json<ReferRequest>,
) -> Result<Stored<TransactionWithReferrals>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        routing::refer(conn, actor, id, &body.targets)
    })
    .await
}

/// Annotate a transaction (تأشيرة)
///
/// Adds a note to the timeline as an `annotated` event; it changes nothing else. Any member of staff who may see the
/// transaction may annotate it while it is open; auditors only read (403 `forbidden`). When the caller holds an open
/// referral on it, the note is tied to that referral (and names the manager in `on_behalf_of` when held by delegation).
/// 409 `transaction_is_draft`, `transaction_closed` or `transaction_archived`; 422 `validation_failed` for an empty
/// `text` or one longer than 4,000 characters. An `Idempotency-Key` makes a retry safe. Hidden transactions (above the
/// caller's clearance, or, for anyone but administrators and auditors, with no route, registry or authorship tie to the
/// caller) answer 404 `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "routing", request_body = AnnotationRequest, params(("id" = i64, Path, description = "Transaction id"), IdempotencyKey), responses(
    (status = 201, description = "Recorded", body = Transaction),
    (status = 409, description = "The transaction is not open", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/annotations")]
pub async fn annotate(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<TransactionId>,
    body: Json<AnnotationRequest>,
) -> Result<Stored<Transaction>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        routing::annotate(conn, actor, id, &body.text)
    })
    .await
}

/// Record a decision
///
/// Records `approve`, `reject` or `request_information`, with an optional note, as a `decision_recorded` event on the
/// timeline; it changes neither the transaction's status nor its referrals. Allowed for staff who hold an open referral
/// on the transaction, its creator, clerks of the registry that registered it and administrators; anyone else, auditors
/// included, gets 403 `forbidden`. 409 `transaction_is_draft`, `transaction_closed` or `transaction_archived`; 422 for
/// a note longer than 4,000 characters. An `Idempotency-Key` makes a retry safe. Hidden transactions (above the
/// caller's clearance, or, for anyone but administrators and auditors, with no route, registry or authorship tie to the
/// caller) answer 404 `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "routing", request_body = DecisionRequest, params(("id" = i64, Path, description = "Transaction id"), IdempotencyKey), responses(
    (status = 201, description = "Recorded", body = Transaction),
    (status = 403, description = "Not a participant", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The transaction is not open", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/decisions")]
pub async fn decide(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<TransactionId>,
    body: Json<DecisionRequest>,
) -> Result<Stored<Transaction>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        routing::decide(conn, actor, id, &body)
    })
    .await
}

/// Close a transaction (حفظ)
///
/// Closes an open transaction with a resolution in `note` (required). The caller must hold an open referral for action
/// on it, or be its creator, a clerk of the registry that registered it or an administrator (403 `forbidden`
/// otherwise). While someone else still holds an open referral for action it fails with 409 `open_action_referrals`;
/// every referral still open (the caller's own, and those for information, opinion or signature) is completed with it.
/// Send the transaction's `version` as `expected_version` (409 `version_conflict`). Other errors: 409
/// `transaction_closed`, `transaction_archived` or `transaction_is_draft`; 422 `validation_failed` without a
/// resolution. Hidden transactions (above the caller's clearance, or, for anyone but administrators and auditors, with
/// no route, registry or authorship tie to the caller) answer 404 `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "routing", request_body = StatusChangeRequest, params(IdempotencyKey, ("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Closed", body = Transaction),
    (status = 409, description = "`open_action_referrals`, `transaction_closed`, `version_conflict`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A resolution is required", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/close")]
pub async fn close(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<TransactionId>,
    body: Json<StatusChangeRequest>,
) -> Result<Stored<Transaction>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| routing::close(conn, actor, id, &body))
        .await
}

/// Reopen a closed transaction
///
/// Reopens a closed transaction with a reason in `note` (required). Whoever closed it, its creator, a clerk of the
/// registry that registered it or an administrator may reopen it (403 `forbidden` otherwise); when the caller reopens
/// it only as the one who closed it, a referral for action to them is opened, so it has a holder again. Send the
/// transaction's `version` as `expected_version` (409 `version_conflict`). 409 `transaction_not_closed` or
/// `transaction_archived`, checked before who may reopen it; 422 `validation_failed` without a reason. Hidden
/// transactions (above the caller's clearance, or, for anyone but administrators and auditors, with no route, registry
/// or authorship tie to the caller) answer 404 `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "routing", request_body = StatusChangeRequest, params(IdempotencyKey, ("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Reopened", body = Transaction),
    (status = 409, description = "`transaction_not_closed`, `transaction_archived`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/reopen")]
pub async fn reopen(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<TransactionId>,
    body: Json<StatusChangeRequest>,
) -> Result<Stored<Transaction>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| routing::reopen(conn, actor, id, &body))
        .await
}

/// Archive a closed transaction
///
/// Archives a closed transaction; after that nothing about it can change: no reopening, routing, annotations,
/// decisions, documents or links. Clerks of the registry that registered it and administrators only (403 `forbidden`).
/// Send the transaction's `version` as `expected_version` (409 `version_conflict`); an optional `note` is kept on the
/// `archived` event. 409 `transaction_not_closed` or `transaction_archived`, checked before who may archive it. Hidden
/// transactions (above the caller's clearance, or, for anyone but administrators and auditors, with no route, registry
/// or authorship tie to the caller) answer 404 `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "routing", request_body = StatusChangeRequest, params(IdempotencyKey, ("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Archived", body = Transaction),
    (status = 409, description = "`transaction_not_closed`, `transaction_archived`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/archive")]
pub async fn archive(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<TransactionId>,
    body: Json<StatusChangeRequest>,
) -> Result<Stored<Transaction>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| routing::archive(conn, actor, id, &body))
        .await
}

/// Link a transaction to another
///
/// Records that this transaction replies to (`reply_to`), relates to (`related`) or follows up (`follow_up`) another
/// one, as a `linked` event; the link shows on the headers of both, to callers who may see the other. Allowed for staff
/// who hold an open referral on the transaction, its creator, clerks of the registry that registered it and
/// administrators (403 `forbidden` otherwise), on a draft, open or closed transaction but not an archived one (409
/// `transaction_archived`). 409 `already_exists` for the same link twice; 422 `validation_failed` when the other
/// transaction is this one, does not exist or is hidden from the caller. An `Idempotency-Key` makes a retry safe.
/// Hidden transactions (above the caller's clearance, or, for anyone but administrators and auditors, with no route,
/// registry or authorship tie to the caller) answer 404 `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "transactions", request_body = NewLink, params(IdempotencyKey, ("id" = i64, Path, description = "Transaction id")), responses(
    (status = 201, description = "Linked", body = Transaction),
    (status = 409, description = "`already_exists`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown transaction", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/links")]
pub async fn link(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<TransactionId>,
    body: Json<NewLink>,
) -> Result<Stored<Transaction>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        transactions::link(conn, actor, id, &body)
    })
    .await
}

/// Get a transaction's timeline
///
/// Every event of the transaction, oldest first: registration, referrals, receipts, forwards, returns, completions,
/// annotations, decisions, documents, links, close, reopen and archive, each with who, from which unit, when, on whose
/// behalf (delegation), the referral it concerns and its details. Events are append-only and each one is also an entry
/// of the audit log. Anyone who may see the transaction may read it. Hidden transactions (above the caller's clearance,
/// or, for anyone but administrators and auditors, with no route, registry or authorship tie to the caller) answer 404
/// `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "tracking", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "The timeline", body = Vec<Event>, example = super::examples::timeline),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}/timeline")]
pub async fn timeline(
    pool: Pool,
    who: AuthUser,
    id: web::Path<TransactionId>,
) -> Result<web::Json<Vec<Event>>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| crate::domain::timeline::timeline(conn, actor, id)).await
}

/// Get a transaction's route as a tree
///
/// Every referral of the transaction, open or completed, as a forest: each referral under the one it was forwarded,
/// returned or referred from, the first referrals as roots, so parallel branches and copies show. Each node has its
/// sender and target, purpose, instructions, due date, status, outcome, action note and dwell time. Anyone who may see
/// the transaction may read it. Hidden transactions (above the caller's clearance, or, for anyone but administrators
/// and auditors, with no route, registry or authorship tie to the caller) answer 404 `transaction_not_found`, exactly
/// like missing ones.
#[utoipa::path(tag = "tracking", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "The route tree", body = Route),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}/route")]
pub async fn route(pool: Pool, who: AuthUser, id: web::Path<TransactionId>) -> Result<web::Json<Route>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| tracking::route(conn, actor, id)).await
}

/// Get where a transaction is now
///
/// The transaction's current location: its status, its open referrals, and its holders, one for each open referral for
/// action, with the unit, the user (the one named, or whoever received it from the unit's queue), since when and the
/// dwell time so far. A closed or archived transaction has none. Anyone who may see the transaction may read it. Hidden
/// transactions (above the caller's clearance, or, for anyone but administrators and auditors, with no route, registry
/// or authorship tie to the caller) answer 404 `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "tracking", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Current location", body = Location),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}/location")]
pub async fn location(
    pool: Pool,
    who: AuthUser,
    id: web::Path<TransactionId>,
) -> Result<web::Json<Location>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| tracking::location(conn, actor, id)).await
}

/// List what I may do on a transaction now
///
/// The actions the server would allow the caller on this transaction now, decided by the same rules as the actions
/// themselves: refer, annotate, decide, close (with how many open referrals for action held by others block it),
/// reopen, archive, edit or send a draft, and, for each open referral the caller holds, its `version` and whether it
/// may be received, forwarded, returned or completed. Clients should offer only these. Anyone who may see the
/// transaction may ask. Hidden transactions (above the caller's clearance, or, for anyone but administrators and
/// auditors, with no route, registry or authorship tie to the caller) answer 404 `transaction_not_found`, exactly like
/// missing ones.
#[utoipa::path(tag = "routing", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Allowed actions", body = AllowedActions),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}/actions")]
pub async fn actions(
    pool: Pool,
    who: AuthUser,
    id: web::Path<TransactionId>,
) -> Result<web::Json<AllowedActions>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| {
        let t = crate::domain::policy::visible_transaction(conn, actor, id)?;
        crate::domain::policy::allowed_actions(conn, actor, &t)
    })
    .await
}

/// Get a transaction's dwell times (مدة البقاء)
///
/// For every referral of the transaction, its waiting time (sent → received) and working time (received → completed, or
/// until now while it is open) in wall-clock seconds, with totals per user and per unit; a referral to a unit's queue
/// counts for whoever received it. Each figure also comes in business seconds (`business_seconds`): only the working
/// hours of working days count, by the working calendar (`GET /calendar`).
/// Anyone who may see the transaction may read it. Hidden transactions (above the caller's clearance, or, for anyone
/// but administrators and auditors, with no route, registry or authorship tie to the caller) answer 404
/// `transaction_not_found`, exactly like missing ones.
#[utoipa::path(tag = "tracking", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Dwell times", body = DwellReport),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}/dwell")]
pub async fn dwell(
    pool: Pool,
    who: AuthUser,
    id: web::Path<TransactionId>,
) -> Result<web::Json<DwellReport>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| tracking::dwell(conn, actor, id)).await
}
