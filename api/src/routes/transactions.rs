//! `/transactions`: register, draft, send, refer, annotate, decide, close, reopen, archive, link; and tracking:
//! timeline, route, current location, dwell time.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use shared_types::{
    AllowedActions, AnnotationRequest, DecisionRequest, DraftUpdate, DwellReport, Event, Location, NewLink,
    NewTransaction, Problem, ReferRequest, Route, StatusChangeRequest, Transaction, TransactionWithReferrals,
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Pool, Registrar, answer, caller, idempotency_key, read, write};
use crate::auth::AuthUser;
use crate::db;
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

/// Register an incoming letter, create an outgoing letter, or start an internal draft.
///
/// Incoming and outgoing letters are numbered at once by the caller's registry (`1448/000123`, unique and gapless
/// per registry and Hijri year) and can be referred in the same request. Internal transactions start as drafts.
#[utoipa::path(tag = "transactions", request_body = NewTransaction,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe creation: the same key and body answer the first response")),
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
    body: web::Json<NewTransaction>,
) -> Result<HttpResponse, ApiError> {
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
    let stored = match checked {
        Ok(registration) => registrar.write(registration).await?,
        Err(stored) => stored,
    };
    Ok(answer(stored, StatusCode::CREATED))
}

/// A transaction's header.
#[utoipa::path(tag = "transactions", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "The transaction", body = Transaction),
    (status = 404, description = "`transaction_not_found` (also when you may not see it)", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}")]
pub async fn get_transaction(
    pool: Pool,
    who: AuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<Transaction>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| tracking::get(conn, actor, id)).await
}

/// Edit a draft (its author).
#[utoipa::path(tag = "transactions", request_body = DraftUpdate, params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "The edited draft", body = Transaction),
    (status = 409, description = "`transaction_not_draft` or `version_conflict`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/transactions/{id}")]
pub async fn update_draft(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<DraftUpdate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        transactions::update_draft(conn, actor, id, &body)
    })
    .await
}

/// Send a draft straight to its target units/users: it is numbered by the author's registry, without passing
/// through the central registry.
#[utoipa::path(tag = "transactions", request_body = ReferRequest, params(("id" = i64, Path, description = "Transaction id"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe")), responses(
    (status = 200, description = "Sent", body = TransactionWithReferrals),
    (status = 409, description = "`transaction_not_draft`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid targets", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/send")]
pub async fn send(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<ReferRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        transactions::send_draft(conn, actor, id, &body.targets)
    })
    .await
}

/// Refer to one or several units and/or users at once, keeping what you hold (parallel routing, copies).
#[utoipa::path(tag = "routing", request_body = ReferRequest, params(("id" = i64, Path, description = "Transaction id"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe")), responses(
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
    id: web::Path<i64>,
    body: web::Json<ReferRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        routing::refer(conn, actor, id, &body.targets)
    })
    .await
}

/// Add a note (تأشيرة / annotation) to the timeline.
#[utoipa::path(tag = "routing", request_body = AnnotationRequest, params(("id" = i64, Path, description = "Transaction id"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe")), responses(
    (status = 201, description = "Recorded", body = Transaction),
    (status = 409, description = "The transaction is not open", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/annotations")]
pub async fn annotate(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<AnnotationRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        routing::annotate(conn, actor, id, &body.text)
    })
    .await
}

/// Record a decision: approve, reject, or request information.
#[utoipa::path(tag = "routing", request_body = DecisionRequest, params(("id" = i64, Path, description = "Transaction id"), ("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe")), responses(
    (status = 201, description = "Recorded", body = Transaction),
    (status = 403, description = "Not a participant", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The transaction is not open", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/decisions")]
pub async fn decide(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<DecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        routing::decide(conn, actor, id, &body)
    })
    .await
}

/// Close (حفظ) with a resolution in `note`. Fails with `open_action_referrals` while others still hold it for action.
#[utoipa::path(tag = "routing", request_body = StatusChangeRequest, params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Closed", body = Transaction),
    (status = 409, description = "`open_action_referrals`, `transaction_closed`, `version_conflict`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A resolution is required", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/close")]
pub async fn close(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<StatusChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| routing::close(conn, actor, id, &body))
        .await
}

/// Reopen a closed transaction, with a reason in `note`.
#[utoipa::path(tag = "routing", request_body = StatusChangeRequest, params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Reopened", body = Transaction),
    (status = 409, description = "`transaction_not_closed`, `transaction_archived`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/reopen")]
pub async fn reopen(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<StatusChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| routing::reopen(conn, actor, id, &body))
        .await
}

/// Archive a closed transaction (its registry); no further change is possible.
#[utoipa::path(tag = "routing", request_body = StatusChangeRequest, params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Archived", body = Transaction),
    (status = 409, description = "`transaction_not_closed`, `transaction_archived`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/archive")]
pub async fn archive(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<StatusChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| routing::archive(conn, actor, id, &body))
        .await
}

/// Link to another transaction (reply to, related, follow-up).
#[utoipa::path(tag = "transactions", request_body = NewLink, params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 201, description = "Linked", body = Transaction),
    (status = 409, description = "`already_exists`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown transaction", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/transactions/{id}/links")]
pub async fn link(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<NewLink>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        transactions::link(conn, actor, id, &body)
    })
    .await
}

/// Every event of the transaction, oldest first: who, from which unit, what, when, on whose behalf.
#[utoipa::path(tag = "tracking", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "The timeline", body = Vec<Event>, example = super::examples::timeline),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}/timeline")]
pub async fn timeline(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<web::Json<Vec<Event>>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| tracking::timeline(conn, actor, id)).await
}

/// The route as a tree: every referral under the one it came from, so parallel branches and copies show.
#[utoipa::path(tag = "tracking", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "The route tree", body = Route),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}/route")]
pub async fn route(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<web::Json<Route>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| tracking::route(conn, actor, id)).await
}

/// Where the transaction is now: open referrals and who holds it for action.
#[utoipa::path(tag = "tracking", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Current location", body = Location),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}/location")]
pub async fn location(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<web::Json<Location>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| tracking::location(conn, actor, id)).await
}

/// What the caller may do on this transaction now (the actions a client should offer).
#[utoipa::path(tag = "routing", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Allowed actions", body = AllowedActions),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}/actions")]
pub async fn actions(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<web::Json<AllowedActions>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| {
        let t = crate::domain::policy::visible_transaction(conn, actor, id)?;
        crate::domain::policy::allowed_actions(conn, actor, &t)
    })
    .await
}

/// Dwell time (مدة البقاء) of every referral — waiting and working — with totals per user and per unit.
#[utoipa::path(tag = "tracking", params(("id" = i64, Path, description = "Transaction id")), responses(
    (status = 200, description = "Dwell times", body = DwellReport),
    (status = 404, description = "`transaction_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/transactions/{id}/dwell")]
pub async fn dwell(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<web::Json<DwellReport>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, actor| tracking::dwell(conn, actor, id)).await
}
