//! `/units`, `/users`, `/external-entities`: the organisation and its directory.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, patch, post, web};
use serde::Deserialize;
use shared_types::{
    ExternalEntity, InboxItem, NewExternalEntity, NewUnit, NewUser, Page, Priority, Problem, TransactionKind,
    TransactionStatus, Unit, UnitUpdate, User, UserUpdate,
};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::Json;
use super::{IdempotencyKey, Pool, read, write};
use crate::auth::AuthUser;
use crate::domain::idempotency::Stored;
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

/// List the unit tree
///
/// Every unit of the organisation, disabled ones included, in tree order (each unit after its parent), with its code,
/// Arabic and English names, kind, parent, head and registry code (set when the unit runs a registry of its own): what
/// referral pickers and the administration screens need. Any signed-in user; not paged.
#[utoipa::path(tag = "organisation", responses(
    (status = 200, description = "All units", body = Vec<Unit>),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/units")]
pub async fn list_units(pool: Pool, who: AuthUser) -> Result<web::Json<Vec<Unit>>, ApiError> {
    read(&pool, who, |conn, _| org::list_units(conn)).await
}

/// Create a unit
///
/// Adds a unit under `parent_id` (or at the root) with its code, names, kind and optional head; a `registry_code` makes
/// it a registry desk that numbers what it and the units below it without a registry of their own register (its numbers
/// prefixed with the code). Administrators only (403 `forbidden`). 409 `already_exists` when the code or registry code
/// is taken; 422 `validation_failed` for an invalid code, a missing name, or an unknown parent or head. Audited; an
/// `Idempotency-Key` makes a retry safe.
#[utoipa::path(tag = "organisation", request_body = NewUnit, params(IdempotencyKey), responses(
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
    body: Json<NewUnit>,
) -> Result<Stored<Unit>, ApiError> {
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        org::create_unit(conn, Some(actor), &body)
    })
    .await
}

/// Get a unit
///
/// One unit by id, as the unit tree shows it: code, names, kind, parent, head, registry code and whether it is active.
/// Any signed-in user; 404 `unit_not_found`.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path, description = "Unit id")), responses(
    (status = 200, description = "The unit", body = Unit),
    (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/units/{id}")]
pub async fn get_unit(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<web::Json<Unit>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, _| org::get_unit(conn, id)).await
}

/// Update a unit
///
/// Renames a unit, moves it with its whole subtree under another parent, changes its head, or disables or enables it;
/// fields left out stay as they are. Administrators only (403 `forbidden`). 404 `unit_not_found`; 409 `unit_cycle` when
/// moving a unit under itself or its own subtree; 422 `validation_failed` for an empty name or an unknown parent or
/// head. Audited.
#[utoipa::path(tag = "organisation", request_body = UnitUpdate, params(IdempotencyKey, ("id" = i64, Path, description = "Unit id")), responses(
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
    body: Json<UnitUpdate>,
) -> Result<Stored<Unit>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| org::update_unit(conn, actor, id, &body))
        .await
}

/// The order of the overview: oldest first (`age`, the default) or `newest` first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverviewSort {
    #[default]
    Age,
    Newest,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// `age` (oldest first, the default) or `newest`.
    #[param(inline)]
    pub sort: Option<OverviewSort>,
    pub kind: Option<TransactionKind>,
    pub status: Option<TransactionStatus>,
    pub priority: Option<Priority>,
    pub overdue: Option<bool>,
    /// Page size, 1–200 (default 50).
    #[serde(default, deserialize_with = "crate::routes::page_limit")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Overview of a unit and every unit below it
///
/// Every open referral, copies included, to the unit and every unit below it, with its transaction, who holds it and
/// for how long: oldest first (`sort=age`, the default) or newest first (`sort=newest`), filtered by `kind`, `status`,
/// `priority` and `overdue`, and only for transactions within the caller's clearance. For the head of the unit or of a
/// unit above it (or their deputy during a delegation), administrators and auditors; anyone else gets 403 `forbidden`.
/// 404 `unit_not_found`; 400 `invalid_parameter` for another `sort`, a bad value or a foreign cursor. Page with `limit`
/// (1–200, default 50) and `cursor` (the previous page's `next_cursor`).
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
    let oldest_first = q.sort.unwrap_or_default() == OverviewSort::Age;
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
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only users of this unit.
    pub unit_id: Option<i64>,
    /// Part of a username or an Arabic or English name.
    pub q: Option<String>,
}

/// List users
///
/// Users for pickers and administration, in id order, at most 500, disabled accounts included: only those of `unit_id`
/// when given, and only those whose username or Arabic or English name contains `q` (Latin letters in any case). Each
/// with roles, unit and clearance. Any signed-in user.
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

/// Create a user
///
/// Creates an account in `unit_id` with at least one role and a clearance. The password must have at least 10
/// characters, must not contain the username or the user's names, and must score at least 3 of 4 on zxcvbn's
/// guessability estimate. Administrators only (403 `forbidden`). 409 `already_exists` when the username is taken; 422
/// `validation_failed` for an invalid username, a weak password, no role, or an unknown or disabled unit. Audited (the
/// password only as `password_changed`); an `Idempotency-Key` makes a retry safe.
#[utoipa::path(tag = "organisation", request_body = NewUser, params(IdempotencyKey), responses(
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
    body: Json<NewUser>,
) -> Result<Stored<User>, ApiError> {
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        org::create_user(conn, Some(actor), &body)
    })
    .await
}

/// Get a user
///
/// One user by id, with roles, unit, clearance, contact details and whether the account is active. Any signed-in user;
/// 404 `user_not_found`.
#[utoipa::path(tag = "organisation", params(("id" = i64, Path, description = "User id")), responses(
    (status = 200, description = "The user", body = User),
    (status = 404, description = "`user_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/users/{id}")]
pub async fn get_user(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<web::Json<User>, ApiError> {
    let id = id.into_inner();
    read(&pool, who, move |conn, _| org::get_user(conn, id)).await
}

/// Update a user
///
/// Edits names and contact details, moves the user to another unit, replaces their roles, changes their clearance or
/// password, or disables or enables the account; fields left out stay as they are. Disabling the account or setting a
/// new password ends all its sessions at once. Administrators only (403 `forbidden`); an administrator cannot disable
/// their own account (409, code `forbidden`). 404 `user_not_found`; 422 `validation_failed` for a weak password, an
/// empty list of roles, or an unknown or disabled unit. Audited (the password only as `password_changed`).
#[utoipa::path(tag = "organisation", request_body = UserUpdate, params(IdempotencyKey, ("id" = i64, Path, description = "User id")), responses(
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
    body: Json<UserUpdate>,
) -> Result<Stored<User>, ApiError> {
    let id = id.into_inner();
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::OK, move |conn, actor| org::update_user(conn, actor, id, &body))
        .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EntityQuery {
    /// Part of the code or the Arabic or English name.
    pub q: Option<String>,
}

/// List external entities
///
/// The directory of external entities (ministries, agencies, companies, people) that send incoming letters and receive
/// outgoing ones, in id order, at most 500, disabled ones included; `q` keeps those whose code or Arabic or English
/// name contains it. Any signed-in user.
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

/// Add an external entity
///
/// Adds a ministry, agency, company or person to the directory, so letters can name it as their sender or recipient.
/// Administrators and registry clerks only (403 `forbidden`). 409 `already_exists` when the code is taken; 422
/// `validation_failed` for an invalid code or a missing name. Audited; an `Idempotency-Key` makes a retry safe.
#[utoipa::path(tag = "organisation", request_body = NewExternalEntity, params(IdempotencyKey), responses(
    (status = 201, description = "Created", body = ExternalEntity),
    (status = 409, description = "`already_exists`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/external-entities")]
pub async fn create_entity(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    body: Json<NewExternalEntity>,
) -> Result<Stored<ExternalEntity>, ApiError> {
    let body = body.into_inner();
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| {
        org::create_entity(conn, Some(actor), &body)
    })
    .await
}
