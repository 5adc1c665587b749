//! `/referrals/{id}`: receive, forward, return, complete. Send the `version` you read as `expected_version`;
//! when someone else acted first the answer is 409 with `referral_already_completed` or `version_conflict`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use shared_types::{
    ForwardRequest, Problem, ReceiveRequest, Referral, ReferralActionRequest, TransactionWithReferrals,
};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Pool, write};
use crate::auth::AuthUser;
use crate::domain::routing;
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(receive).service(forward).service(return_referral).service(complete);
}

/// Acknowledge (receive) a referral you hold.
#[utoipa::path(tag = "routing", request_body(content = ReceiveRequest, description = "May be `{}`"), params(("id" = i64, Path, description = "Referral id")), responses(
    (status = 200, description = "Received", body = Referral),
    (status = 404, description = "`referral_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`referral_not_held`, `referral_already_received`, `referral_already_completed`, `version_conflict`, `transaction_closed`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/referrals/{id}/receive")]
pub async fn receive(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<ReceiveRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        routing::receive(conn, actor, id, body.expected_version)
    })
    .await
}

/// Forward: complete your referral and refer onwards to one or several units/users.
#[utoipa::path(tag = "routing", request_body = ForwardRequest, params(("id" = i64, Path, description = "Referral id")), responses(
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
    id: web::Path<i64>,
    body: web::Json<ForwardRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| routing::forward(conn, actor, id, &body))
        .await
}

/// Return your referral to whoever sent it, with a note.
#[utoipa::path(tag = "routing", request_body = ReferralActionRequest, params(("id" = i64, Path, description = "Referral id")), responses(
    (status = 200, description = "Returned; the referral back to the sender", body = TransactionWithReferrals),
    (status = 409, description = "`referral_not_held`, `referral_already_completed`, `version_conflict`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/referrals/{id}/return")]
pub async fn return_referral(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<ReferralActionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| {
        routing::return_to_sender(conn, actor, id, &body)
    })
    .await
}

/// Complete your referral with an action note (required).
#[utoipa::path(tag = "routing", request_body = ReferralActionRequest, params(("id" = i64, Path, description = "Referral id")), responses(
    (status = 200, description = "Completed", body = Referral),
    (status = 409, description = "`referral_not_held`, `referral_already_completed`, `version_conflict`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The action note is required", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/referrals/{id}/complete")]
pub async fn complete(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<ReferralActionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| routing::complete(conn, actor, id, &body))
        .await
}
