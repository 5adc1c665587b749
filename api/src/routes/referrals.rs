//! `/referrals/{id}`: receive, forward, return, complete. Send the `version` you read as `expected_version`;
//! when someone else acted first the answer is 409 with `referral_already_completed` or `version_conflict`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, post, web};
use shared_types::{
    ForwardRequest, Problem, ReceiveRequest, Referral, ReferralActionRequest, TransactionWithReferrals,
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::Json;
use super::{IdempotencyKey, Pool, write};
use crate::auth::AuthUser;
use crate::domain::idempotency::Stored;
use crate::domain::ids::ReferralId;
use crate::domain::routing;
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(receive).service(forward).service(return_referral).service(complete);
}

/// Receive (acknowledge) a referral
///
/// Marks a referral the caller holds as received, which ends its waiting time and starts its working time, and records
/// a `received` event. The caller holds a referral addressed to them, one waiting in their unit's queue, any referral
/// to a unit they head or one below it, and, during a delegation, those of the manager they stand in for (their events
/// then name the manager in `on_behalf_of`). Send the referral's `version` as `expected_version` (the body may be
/// `{}`). 404 `referral_not_found` when the referral is missing or its transaction is hidden from the caller; 409
/// `referral_not_held`, `referral_already_received`, `referral_already_completed`, `version_conflict`, or
/// `transaction_closed`, `transaction_archived` or `transaction_is_draft` when the transaction is not open.
#[utoipa::path(tag = "routing", request_body(content = ReceiveRequest, description = "May be `{}`"), params(IdempotencyKey, ("id" = i64, Path, description = "Referral id")), responses(
    (status = 200, description = "Received", body = Referral),
    (status = 404, description = "`referral_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`referral_not_held`, `referral_already_received`, `referral_already_completed`, `version_conflict`, `transaction_closed`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/referrals/{id}/receive")]
pub async fn receive(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<ReferralId>,
    body: Json<ReceiveRequest>,
) -> Result<Stored<Referral>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        routing::receive(conn, actor, id, body.expected_version)
    })
    .await
}

/// Forward a referral
///
/// In one step, completes a referral the caller holds (outcome `forwarded`, with the optional `note`) and opens a
/// referral under it to each of `targets`, 1 to 50 units and/or users; a referral not yet received is marked received
/// first. The caller holds a referral addressed to them, one waiting in their unit's queue, any referral to a unit they
/// head or one below it, and, during a delegation, those of the manager they stand in for (their events then name the
/// manager in `on_behalf_of`). Send `expected_version`: of two people forwarding the same referral at once exactly one
/// succeeds and the other gets 409 `referral_already_completed` or `version_conflict`. Other errors: 404
/// `referral_not_found` (missing or hidden); 409 `referral_not_held` or a transaction that is not open; 422
/// `validation_failed` for unknown, disabled or duplicate targets, a user not of the named unit or not cleared for the
/// transaction.
#[utoipa::path(tag = "routing", request_body = ForwardRequest, params(IdempotencyKey, ("id" = i64, Path, description = "Referral id")), responses(
    (status = 200, description = "Forwarded; the new referrals", body = TransactionWithReferrals),
    (status = 404, description = "`referral_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`referral_not_held`, `referral_already_completed`, `version_conflict`, `transaction_closed`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid targets", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/referrals/{id}/forward")]
pub async fn forward(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<ReferralId>,
    body: Json<ForwardRequest>,
) -> Result<Stored<TransactionWithReferrals>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| routing::forward(conn, actor, id, &body))
        .await
}

/// Return a referral to its sender
///
/// Completes a referral the caller holds (outcome `returned`) and opens a new referral back to the user and unit that
/// sent it, with the same purpose and the optional `note` as its instructions; a referral not yet received is marked
/// received first. Same holders and `expected_version` rule as forwarding: 409 `referral_already_completed` or
/// `version_conflict` when someone acted first, `referral_not_held`, or a transaction that is not open; 404
/// `referral_not_found` when missing or hidden; 422 for a note longer than 4,000 characters.
#[utoipa::path(tag = "routing", request_body = ReferralActionRequest, params(IdempotencyKey, ("id" = i64, Path, description = "Referral id")), responses(
    (status = 200, description = "Returned; the referral back to the sender", body = TransactionWithReferrals),
    (status = 409, description = "`referral_not_held`, `referral_already_completed`, `version_conflict`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/referrals/{id}/return")]
pub async fn return_referral(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<ReferralId>,
    body: Json<ReferralActionRequest>,
) -> Result<Stored<TransactionWithReferrals>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        routing::return_to_sender(conn, actor, id, &body)
    })
    .await
}

/// Complete a referral
///
/// Completes a referral the caller holds (outcome `completed`) with an action note saying what was done, recorded as a
/// `completed` event; a referral not yet received is marked received first. It does not close the transaction (see
/// `POST /transactions/{id}/close`). Same holders and `expected_version` rule as forwarding: 409
/// `referral_already_completed` or `version_conflict` when someone acted first, `referral_not_held`, or a transaction
/// that is not open; 404 `referral_not_found` when missing or hidden; 422 when `note` is missing or too long.
#[utoipa::path(tag = "routing", request_body = ReferralActionRequest, params(IdempotencyKey, ("id" = i64, Path, description = "Referral id")), responses(
    (status = 200, description = "Completed", body = Referral),
    (status = 409, description = "`referral_not_held`, `referral_already_completed`, `version_conflict`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The action note is required", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/referrals/{id}/complete")]
pub async fn complete(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<ReferralId>,
    body: Json<ReferralActionRequest>,
) -> Result<Stored<Referral>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| routing::complete(conn, actor, id, &body))
        .await
}
