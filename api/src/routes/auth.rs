//! `/auth`: sign in, refresh, sign out; `/me`.

use actix_web::{HttpResponse, get, post, web};
use shared_types::{LoginRequest, Problem, RefreshRequest, TokenResponse, User};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Config, Pool};
use crate::auth::{AuthUser, JwtKeys};
use crate::db;
use crate::domain::{accounts, actor, org};
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login).service(refresh).service(logout).service(me);
}

/// Sign in with username and password.
///
/// Answers a short-lived access token (JWT, for `Authorization: Bearer`) and a refresh token.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, description = "Signed in", body = TokenResponse),
    (status = 401, description = "`invalid_credentials` or `account_disabled`", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing fields", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/login")]
pub async fn login(
    pool: Pool,
    keys: web::Data<JwtKeys>,
    config: Config,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let body = body.into_inner();
    let keys = keys.into_inner();
    let ttl = config.refresh_token_ttl_seconds;
    // No write transaction around the password check: argon2 takes tens of milliseconds and SQLite has one writer.
    db::run(&pool, move |conn| accounts::login(conn, &keys, &body.username, &body.password, ttl)).await.map(web::Json)
}

/// Exchange a refresh token for a new pair. Refresh tokens are single-use; replaying one revokes the session.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, description = "New tokens", body = TokenResponse),
    (status = 401, description = "`invalid_refresh_token` or `account_disabled`", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/refresh")]
pub async fn refresh(
    pool: Pool,
    keys: web::Data<JwtKeys>,
    config: Config,
    body: web::Json<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let token = body.into_inner().refresh_token;
    let keys = keys.into_inner();
    let ttl = config.refresh_token_ttl_seconds;
    // The reuse check must be able to commit its revocation even though the request fails.
    db::run(&pool, move |conn| {
        let mut failure = None;
        let ok = db::write_tx(conn, |conn| match accounts::refresh(conn, &keys, &token, ttl) {
            Ok(tokens) => Ok(Some(tokens)),
            Err(e) if e.status.is_client_error() => {
                failure = Some(e);
                Ok(None)
            }
            Err(e) => Err(e),
        })?;
        ok.ok_or_else(|| failure.unwrap_or_else(|| ApiError::internal("refresh failed without an error")))
    })
    .await
    .map(web::Json)
}

/// Sign out: revoke the session of this refresh token.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses((status = 204, description = "Signed out")))]
#[post("/auth/logout")]
pub async fn logout(pool: Pool, body: web::Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let token = body.into_inner().refresh_token;
    db::run(&pool, move |conn| db::write_tx(conn, |conn| accounts::logout(conn, &token))).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user.
#[utoipa::path(tag = "auth", responses(
    (status = 200, description = "The signed-in user", body = User),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(pool: Pool, who: AuthUser) -> Result<web::Json<User>, ApiError> {
    super::read(&pool, who, |conn, actor: &actor::Actor| org::get_user(conn, actor.id())).await
}
