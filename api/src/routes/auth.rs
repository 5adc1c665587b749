//! `/auth`: sign in, refresh, sign out; `/me`.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use shared_types::{LoginRequest, Problem, RefreshRequest, Session, TokenResponse, User};
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::{Json, OptionalJson};
use super::{Config, Limits, Pool, change, read};
use crate::auth::{AuthUser, JwtKeys};
use crate::db;
use crate::domain::{accounts, actor, org};
use crate::error::ApiError;

/// The cookie that keeps a browser's refresh token out of reach of page scripts.
pub const SESSION_COOKIE: &str = "muamalat_session";

/// `HttpOnly`, only sent to the auth endpoints, never cross-site; `Secure` whenever the request came over HTTPS
/// (directly or as told by a reverse proxy).
fn session_cookie(req: &HttpRequest, value: String, max_age_seconds: i64) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/api/v1/auth")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(req.connection_info().scheme() == "https")
        .max_age(time::Duration::seconds(max_age_seconds))
        .finish()
}

/// Answer tokens; a cookie session gets its refresh token as the cookie and not in the body.
fn tokens_response(req: &HttpRequest, mut tokens: TokenResponse, cookie: bool) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if cookie && let Some(token) = tokens.refresh_token.take() {
        response.cookie(session_cookie(req, token, tokens.refresh_expires_in));
    }
    response.json(tokens)
}

/// The refresh token of a request: from the body, else from the session cookie.
fn refresh_token_of(req: &HttpRequest, body: Option<RefreshRequest>) -> (Option<String>, bool) {
    match body.and_then(|b| b.refresh_token) {
        Some(token) => (Some(token), false),
        None => (req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()), true),
    }
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(login).service(refresh).service(logout).service(me).service(sessions).service(end_session);
}

/// Sign in with username and password
///
/// Opens a session and answers a short-lived access token (a JWT for `Authorization: Bearer`, valid `expires_in`
/// seconds), an opaque single-use refresh token and the signed-in user. With `session_cookie: true` (browsers) the
/// refresh token is set as an `HttpOnly` cookie scoped to `/api/v1/auth` instead of being answered in the body. Every
/// attempt is audited, failed ones too. Errors: 401 `invalid_credentials` (an unknown username and a wrong password
/// look the same) or `account_disabled`; 429 `account_locked` after too many failed sign-ins in a row (the lock doubles
/// with each further failure, up to an hour) or `rate_limited` for too many sign-ins from one address, both with
/// `Retry-After`.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, description = "Signed in", body = TokenResponse, example = super::examples::signed_in),
    (status = 401, description = "`invalid_credentials` or `account_disabled`", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`account_locked`: too many failed sign-ins in a row; `rate_limited`: too many sign-ins from this address (see `Retry-After`)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing fields", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    pool: Pool,
    keys: web::Data<JwtKeys>,
    config: Config,
    limits: Limits,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let ip = crate::auth::client_ip(&req);
    limits.sign_in(ip)?;
    let body = body.into_inner();
    let keys = keys.into_inner();
    let ttl = config.refresh_token_ttl_seconds;
    let cookie = body.session_cookie;
    // No write transaction around the password check: argon2 takes tens of milliseconds and SQLite has one writer.
    let lockout = accounts::Lockout { after: config.login_lockout_after, first_seconds: config.login_lockout_seconds };
    let origin = ip.map(|ip| ip.to_string());
    let tokens = db::run(&pool, move |conn| {
        accounts::login(conn, &keys, &body.username, &body.password, ttl, lockout, origin.as_deref())
    })
    .await?;
    Ok(tokens_response(&req, tokens, cookie))
}

/// Refresh the tokens of a session
///
/// Exchanges a refresh token for a new access token and a new refresh token. The token comes from the body, or, when
/// the body names none, from the session cookie set at login; a cookie session gets its new refresh token as the
/// cookie. Refresh tokens are single-use: replaying one that was already used revokes the whole session, its access
/// tokens included, and answers 401 `invalid_refresh_token`, as do unknown and expired tokens; a disabled account gets
/// 401 `account_disabled`. No bearer token is needed. Rate-limited per client address (429 `rate_limited` with
/// `Retry-After`).
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, description = "New tokens", body = TokenResponse),
    (status = 401, description = "`invalid_refresh_token` or `account_disabled`", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`rate_limited`: too many refreshes from this address (see `Retry-After`)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    pool: Pool,
    keys: web::Data<JwtKeys>,
    config: Config,
    limits: Limits,
    body: OptionalJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let ip = crate::auth::client_ip(&req);
    limits.refresh(ip)?;
    let (token, cookie) = refresh_token_of(&req, body.0);
    let token = token.ok_or_else(|| {
        ApiError::unauthorized(shared_types::ErrorCode::InvalidRefreshToken, "No refresh token was sent; sign in.")
    })?;
    let keys = keys.into_inner();
    let ttl = config.refresh_token_ttl_seconds;
    let origin = ip.map(|ip| ip.to_string());
    // The reuse check must be able to commit its revocation even though the request fails.
    let tokens = db::run(&pool, move |conn| {
        let mut failure = None;
        let ok = db::write_tx(conn, |conn| match accounts::refresh(conn, &keys, &token, ttl, origin.as_deref()) {
            Ok(tokens) => Ok(Some(tokens)),
            Err(e) if e.status.is_client_error() => {
                failure = Some(e);
                Ok(None)
            }
            Err(e) => Err(e),
        })?;
        ok.ok_or_else(|| failure.unwrap_or_else(|| ApiError::internal("refresh failed without an error")))
    })
    .await?;
    Ok(tokens_response(&req, tokens, cookie))
}

/// Sign out
///
/// Ends the session the refresh token belongs to, so its refresh token and its access tokens stop working at once, and
/// audits the sign-out. The token comes from the body or, when the body names none, from the session cookie, which is
/// then cleared. Always answers 204, also for an unknown or already revoked token or none at all, so signing out twice
/// is not an error. No bearer token is needed.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses((status = 204, description = "Signed out")))]
#[post("/auth/logout")]
pub async fn logout(
    req: HttpRequest,
    pool: Pool,
    body: OptionalJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let (token, cookie) = refresh_token_of(&req, body.0);
    if let Some(token) = token {
        let origin = crate::auth::client_ip(&req).map(|ip| ip.to_string());
        db::run(&pool, move |conn| db::write_tx(conn, |conn| accounts::logout(conn, &token, origin.as_deref())))
            .await?;
    }
    let mut response = HttpResponse::NoContent();
    if cookie {
        response.cookie(session_cookie(&req, String::new(), 0));
    }
    Ok(response.finish())
}

/// Get the signed-in user
///
/// The caller's own account: username, Arabic and English names, unit, roles, clearance and contact details, what a
/// client needs to decide which screens and actions to offer. Any signed-in user; agency tokens are refused (they have
/// `GET /agency/me`). 401 `unauthenticated` without a token, `invalid_token` for an invalid or expired token or an
/// ended session, `account_disabled` once the account is disabled.
#[utoipa::path(tag = "auth", responses(
    (status = 200, description = "The signed-in user", body = User),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(pool: Pool, who: AuthUser) -> Result<web::Json<User>, ApiError> {
    super::read(&pool, who, |conn, actor: &actor::Actor| org::get_user(conn, actor.id())).await
}

/// List my sessions
///
/// The caller's live sessions (each sign-in, until it is signed out, ended, revoked or expires), most recently used
/// first, with when each started, was last refreshed and expires; `current` marks the session of the calling token. Any
/// signed-in user, and only their own sessions. Pass a session's `id` to `DELETE /auth/sessions/{id}` to end it.
#[utoipa::path(tag = "auth", responses(
    (status = 200, description = "Live sessions", body = Vec<Session>),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/auth/sessions")]
pub async fn sessions(pool: Pool, who: AuthUser) -> Result<web::Json<Vec<Session>>, ApiError> {
    let current = who.session.clone();
    read(&pool, who, move |conn, actor| accounts::sessions(conn, actor.id(), &current)).await
}

/// End one of my sessions
///
/// Ends one of the caller's sessions, for example on a lost tablet or a shared computer: its refresh token stops
/// working, and so do the access tokens issued in it, at once, since every request checks that its session is still
/// live. The caller may end the session they are using too. The end is audited as `session_ended`. 404
/// `session_not_found` when the id is not one of the caller's sessions or that session has already ended.
#[utoipa::path(tag = "auth", params(("id" = String, Path, description = "Session id")), responses(
    (status = 204, description = "Ended"),
    (status = 404, description = "`session_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/auth/sessions/{id}")]
pub async fn end_session(pool: Pool, who: AuthUser, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    change(&pool, who, move |conn, actor| accounts::end_session(conn, actor, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
