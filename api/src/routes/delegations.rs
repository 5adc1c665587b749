//! `/delegations`: a manager's authority handed to a deputy for a period.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use shared_types::{Delegation, NewDelegation, Problem};
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::Json;
use super::{IdempotencyKey, Pool, as_caller, read, write};
use crate::auth::AuthUser;
use crate::db;
use crate::domain::delegations;
use crate::domain::idempotency::Stored;
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_delegations).service(create_delegation).service(end_delegation);
}

/// List my delegations
///
/// The delegations the caller gave (as the manager) or received (as the deputy), newest first, at most 200, each with
/// its period, note, when it was ended early (`ended_at`) and whether it is in force now (`active`). Any signed-in
/// user; an administrator sees only their own here too.
#[utoipa::path(tag = "organisation", responses(
    (status = 200, description = "Delegations", body = Vec<Delegation>),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/delegations")]
pub async fn list_delegations(pool: Pool, who: AuthUser) -> Result<web::Json<Vec<Delegation>>, ApiError> {
    read(&pool, who, delegations::list).await
}

/// Delegate a manager's authority to a deputy
///
/// From `starts_at` (now by default) until `ends_at`, at most 365 days, the deputy sees the manager's referrals, unit
/// queue and subtree and acts on them, and every event and audit entry they record names the manager in `on_behalf_of`.
/// A manager delegates their own authority (leave out `delegator_user_id`); an administrator may name any manager as
/// `delegator_user_id`. Anyone else gets 403 `forbidden`. 422 `validation_failed` for an unknown or disabled deputy, a
/// deputy who is only an auditor, a manager as their own deputy, a delegator who is not a manager, or a period that
/// ends before it starts, in the past, or more than 365 days after it starts. Audited; an `Idempotency-Key` makes a
/// retry safe.
#[utoipa::path(tag = "organisation", request_body = NewDelegation, params(IdempotencyKey), responses(
    (status = 201, description = "Delegated", body = Delegation),
    (status = 403, description = "Not a manager (or delegating someone else's authority without being an admin)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid deputy or period", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/delegations")]
pub async fn create_delegation(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    body: Json<NewDelegation>,
) -> Result<Stored<Delegation>, ApiError> {
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        delegations::create(conn, actor, &body)
    })
    .await
}

/// End a delegation
///
/// Ends the delegation now: the deputy loses the manager's authority with their next request. The manager, the deputy
/// or an administrator may end it; for anyone else it answers 404 `delegation_not_found`, like one that does not exist.
/// Ending a delegation that is already over answers 204 and changes nothing; otherwise the end is audited.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path, description = "Delegation id")), responses(
    (status = 204, description = "Ended (or already over)"),
    (status = 404, description = "`delegation_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/delegations/{id}")]
pub async fn end_delegation(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    as_caller(&pool, who, move |conn, actor| db::write_tx(conn, |conn| delegations::end(conn, actor, id))).await?;
    Ok(HttpResponse::NoContent().finish())
}
