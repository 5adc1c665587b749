//! `/delegations`: a manager's authority handed to a deputy for a period.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use shared_types::{Delegation, NewDelegation, Problem};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Pool, as_caller, read, write};
use crate::auth::AuthUser;
use crate::db;
use crate::domain::delegations;
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_delegations).service(create_delegation).service(end_delegation);
}

/// The delegations the caller gave or received, newest first, with whether each is in force now.
#[utoipa::path(tag = "organisation", responses(
    (status = 200, description = "Delegations", body = Vec<Delegation>),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/delegations")]
pub async fn list_delegations(pool: Pool, who: AuthUser) -> Result<web::Json<Vec<Delegation>>, ApiError> {
    read(&pool, who, delegations::list).await
}

/// Delegate a manager's authority to a deputy until `ends_at` (a manager for themselves; an administrator for any
/// manager). The deputy then sees and acts on the manager's work, on the manager's behalf.
#[utoipa::path(tag = "organisation", request_body = NewDelegation, params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe creation")), responses(
    (status = 201, description = "Delegated", body = Delegation),
    (status = 403, description = "Not a manager (or delegating someone else's authority without being an admin)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid deputy or period", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/delegations")]
pub async fn create_delegation(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    body: web::Json<NewDelegation>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        delegations::create(conn, actor, &body)
    })
    .await
}

/// End a delegation now (its manager, its deputy, or an administrator).
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
