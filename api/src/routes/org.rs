//! `/units`, `/users`, `/external-entities`: the organisation and its directory.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::Deserialize;
use shared_types::{
    ExternalEntity, InboxItem, NewExternalEntity, NewUnit, NewUser, Page, Priority, Problem, TransactionKind,
    TransactionStatus, Unit, UnitUpdate, User, UserUpdate,
};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Pool, read, write};
use crate::auth::AuthUser;
use crate::domain::org;
use crate::domain::tracking::{self, ListFilter};
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_units)
        .service(create_unit)
        .service(get_unit)
        .service(update_unit)
        .service(unit_overview)
        .service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(list_entities)
        .service(create_entity);
}

/// The unit tree, in tree order (each unit after its parent).
#[utoipa::path(tag = "organisation", responses(
    (status = 200, description = "All units", body = Vec<Unit>),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/units")]
pub async fn list_units(pool: Pool, who: AuthUser) -> Result<web::Json<Vec<Unit>>, ApiError> {
    read(&pool, who, |conn, _| org::list_units(conn)).await
}

/// Create a unit (admins).
#[utoipa::path(tag = "organisation", request_body = NewUnit, params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe creation")), responses(
    (status = 201, description = "Created", body = Unit),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`already_exists`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/units")]
pub async fn create_unit(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    body: web::Json<NewUnit>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        org::create_unit(conn, Some(actor), &body)
    })
    .await
}

/// One unit.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path, description = "Unit id")), responses(
    (status = 200, description = "The unit", body = Unit),
    (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/units/{id}")]
pub async fn get_unit(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<web::Json<Unit>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, _| org::get_unit(conn, id)).await
}

/// Rename, move (with its subtree), change the head, disable or enable a unit (admins).
#[utoipa::path(tag = "organisation", request_body = UnitUpdate, params(("id" = i64, Path, description = "Unit id")), responses(
    (status = 200, description = "Updated", body = Unit),
    (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`unit_cycle`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/units/{id}")]
pub async fn update_unit(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<UnitUpdate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| org::update_unit(conn, actor, id, &body))
        .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OverviewQuery {
    /// `age` (oldest first, the default) or `newest`.
    pub sort: Option<String>,
    pub kind: Option<TransactionKind>,
    pub status: Option<TransactionStatus>,
    pub priority: Option<Priority>,
    pub overdue: Option<bool>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Everything open in a unit and every unit below it: who holds what and for how long (the unit's head, admins,
/// auditors).
#[utoipa::path(tag = "tracking", params(("id" = i64, Path, description = "Unit id"), OverviewQuery), responses(
    (status = 200, description = "Open referrals, oldest first", body = Page<InboxItem>),
    (status = 403, description = "Not the head of this unit or above it", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/units/{id}/overview")]
pub async fn unit_overview(
    pool: Pool,
    who: AuthUser,
    id: web::Path<i64>,
    query: web::Query<OverviewQuery>,
) -> Result<web::Json<Page<InboxItem>>, ApiError> {
    let id = id.into_inner();
    let q = query.into_inner();
    let oldest_first = match q.sort.as_deref() {
        None | Some("age") => true,
        Some("newest") => false,
        Some(_) => {
            return Err(ApiError::bad_request(
                shared_types::ErrorCode::InvalidParameter,
                "`sort` is `age` or `newest`.",
            ));
        }
    };
    let filter = ListFilter {
        kind: q.kind,
        status: q.status,
        priority: q.priority,
        overdue: q.overdue,
        limit: q.limit,
        cursor: q.cursor,
    };
    read(&pool, who, move |conn, actor| tracking::overview(conn, actor, id, oldest_first, &filter)).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Only users of this unit.
    pub unit_id: Option<i64>,
    /// Part of a username or an Arabic or English name.
    pub q: Option<String>,
}

/// Users, for pickers and administration.
#[utoipa::path(tag = "organisation", params(UserQuery), responses(
    (status = 200, description = "Matching users (at most 500)", body = Vec<User>),
), security(("bearer" = [])))]
#[get("/users")]
pub async fn list_users(
    pool: Pool,
    who: AuthUser,
    query: web::Query<UserQuery>,
) -> Result<web::Json<Vec<User>>, ApiError> {
    let q = query.into_inner();
    read(&pool, who, move |conn, _| org::list_users(conn, q.unit_id, q.q.as_deref())).await
}

/// Create a user (admins).
#[utoipa::path(tag = "organisation", request_body = NewUser, params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe creation")), responses(
    (status = 201, description = "Created", body = User),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`already_exists`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/users")]
pub async fn create_user(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        org::create_user(conn, Some(actor), &body)
    })
    .await
}

/// One user.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path, description = "User id")), responses(
    (status = 200, description = "The user", body = User),
    (status = 404, description = "`user_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/users/{id}")]
pub async fn get_user(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<web::Json<User>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, _| org::get_user(conn, id)).await
}

/// Edit, move, re-role, disable or enable a user (admins). Disabling or a new password ends their sessions.
#[utoipa::path(tag = "organisation", request_body = UserUpdate, params(("id" = i64, Path, description = "User id")), responses(
    (status = 200, description = "Updated", body = User),
    (status = 404, description = "`user_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[patch("/users/{id}")]
pub async fn update_user(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    id: web::Path<i64>,
    body: web::Json<UserUpdate>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| org::update_user(conn, actor, id, &body))
        .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EntityQuery {
    /// Part of the code or the Arabic or English name.
    pub q: Option<String>,
}

/// The directory of external entities (ministries, agencies, companies, people).
#[utoipa::path(tag = "organisation", params(EntityQuery), responses(
    (status = 200, description = "Matching entities (at most 500)", body = Vec<ExternalEntity>),
), security(("bearer" = [])))]
#[get("/external-entities")]
pub async fn list_entities(
    pool: Pool,
    who: AuthUser,
    query: web::Query<EntityQuery>,
) -> Result<web::Json<Vec<ExternalEntity>>, ApiError> {
    let q = query.into_inner().q;
    read(&pool, who, move |conn, _| org::list_entities(conn, q.as_deref())).await
}

/// Add an external entity (admins and registry clerks).
#[utoipa::path(tag = "organisation", request_body = NewExternalEntity, params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe creation")), responses(
    (status = 201, description = "Created", body = ExternalEntity),
    (status = 409, description = "`already_exists`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/external-entities")]
pub async fn create_entity(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    body: web::Json<NewExternalEntity>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        org::create_entity(conn, Some(actor), &body)
    })
    .await
}
