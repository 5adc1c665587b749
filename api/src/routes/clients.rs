//! External agencies over the API: their registration as API clients (`/api-clients`, administrators), the OAuth2
//! token endpoint (`/oauth/token`, client credentials) and what an agency's token opens (`/agency/...`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use base64::Engine;
use serde::Deserialize;
use shared_types::{ApiClient, ApiClientCredentials, ClientTokenResponse, ErrorCode, NewApiClient, Problem};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::body::Json;
use super::{Limits, Pool, change, read, write};
use crate::auth::{AuthClient, AuthUser, JwtKeys};
use crate::db;
use crate::domain::clients;
use crate::domain::idempotency::Stored;
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_api_clients)
        .service(create_api_client)
        .service(rotate_api_client_secret)
        .service(revoke_api_client)
        .service(oauth_token)
        .service(agency_me);
}

/// List API clients
///
/// Every external agency registered as an API client, revoked ones included, with its `client_id`, name, entity,
/// scopes, clearance and when its secret was last rotated; secrets are never shown again. Administrators only (403
/// `forbidden`).
#[utoipa::path(tag = "agencies", responses(
    (status = 200, description = "API clients", body = Vec<ApiClient>),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/api-clients")]
pub async fn list_api_clients(pool: Pool, who: AuthUser) -> Result<web::Json<Vec<ApiClient>>, ApiError> {
    read(&pool, who, clients::list).await
}

/// Register an external agency as an API client
///
/// Registers an entity of the directory as an API client with `scopes` (`submit`, `read_submissions`, `receive`) and a
/// `clearance`: the most confidential outgoing letter it may receive, `normal` by default and at most the
/// administrator's own. The answer holds the `client_secret`, shown this once and stored only as a SHA-256 hash; the
/// agency then gets tokens from `POST /oauth/token`. Administrators only (403 `forbidden`). Unlike other creating
/// requests it refuses an `Idempotency-Key` (400 `invalid_parameter`), since a replayed answer would hand out the
/// secret again. 422 `validation_failed` for a missing name or scope, an unknown or disabled entity, or a clearance
/// above the administrator's. Audited.
#[utoipa::path(tag = "agencies", request_body = NewApiClient, responses(
    (status = 201, description = "Registered; keep the secret now", body = ApiClientCredentials),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/api-clients")]
pub async fn create_api_client(
    pool: Pool,
    who: AuthUser,
    req: HttpRequest,
    body: Json<NewApiClient>,
) -> Result<Stored<ApiClientCredentials>, ApiError> {
    let body = body.into_inner();
    // No idempotent replay here: a replayed answer would hand out the secret a second time.
    if req.headers().contains_key("Idempotency-Key") {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidParameter,
            "Registering an API client cannot be replayed (its secret is shown once): send no Idempotency-Key.",
        ));
    }
    write(&pool, who, &req, &body.clone(), StatusCode::CREATED, move |conn, actor| clients::create(conn, actor, &body))
        .await
}

/// Rotate an API client's secret
///
/// Gives the client a new secret, answered this once and stored only as a hash. The old secret stops working at once
/// for token requests; tokens already issued with it stay valid until they expire (the access-token lifetime, 15
/// minutes by default). Administrators only (403 `forbidden`). 404 `api_client_not_found`; 409 `invalid_client` when
/// the client is revoked. Audited.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "API client id")), responses(
    (status = 200, description = "The new secret; keep it now", body = ApiClientCredentials),
    (status = 404, description = "`api_client_not_found`", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "`invalid_client`: revoked", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[post("/api-clients/{id}/secret")]
pub async fn rotate_api_client_secret(
    pool: Pool,
    who: AuthUser,
    id: web::Path<i64>,
) -> Result<web::Json<ApiClientCredentials>, ApiError> {
    let id = id.into_inner();
    change(&pool, who, move |conn, actor| clients::rotate(conn, actor, id)).await.map(web::Json)
}

/// Revoke an API client
///
/// Revokes the client for good: it gets no new tokens, and every request with a token it already holds is refused with
/// 401 `invalid_client` from then on. Revoking a revoked client answers 204 again and changes nothing. Administrators
/// only (403 `forbidden`); 404 `api_client_not_found`. Audited.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "API client id")), responses(
    (status = 204, description = "Revoked"),
    (status = 404, description = "`api_client_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/api-clients/{id}")]
pub async fn revoke_api_client(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    change(&pool, who, move |conn, actor| clients::revoke(conn, actor, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An OAuth2 token request (RFC 6749 §4.4), `application/x-www-form-urlencoded`. The client authenticates with
/// `client_id` and `client_secret` in the body or with HTTP Basic.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    pub grant_type: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Space-separated scopes, a subset of the client's (default: all of them).
    pub scope: Option<String>,
}

/// `Authorization: Basic base64(client_id:client_secret)`.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let (id, secret) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// Get an agency access token (OAuth2 client credentials)
///
/// The OAuth2 token endpoint (RFC 6749 §4.4) for external agencies: a form body with `grant_type=client_credentials`,
/// the client's `client_id` and `client_secret` (in the body or with HTTP Basic) and optionally `scope`, a
/// space-separated subset of the client's scopes (all of them by default). The answer is a JWT for `Authorization:
/// Bearer` on the `/agency/...` endpoints only (staff endpoints refuse it), valid `expires_in` seconds, sent with
/// `Cache-Control: no-store`; each token issued is audited with the client as the actor. Errors: 400
/// `unsupported_grant_type`, `invalid_scope` (a scope the client was not granted) or `invalid_parameter`; 401
/// `invalid_client` for missing, unknown or wrong credentials or a revoked client; 429 `rate_limited`, per client
/// address and per client id, with `Retry-After`.
#[utoipa::path(tag = "agencies", request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"), responses(
    (status = 200, description = "A token", body = ClientTokenResponse),
    (status = 400, description = "`unsupported_grant_type`, `invalid_scope`, `invalid_parameter`", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "`invalid_client`", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "`rate_limited` (see `Retry-After`)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/oauth/token")]
pub async fn oauth_token(
    req: HttpRequest,
    pool: Pool,
    keys: web::Data<JwtKeys>,
    limits: Limits,
    form: web::Form<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let ip = crate::auth::client_ip(&req);
    limits.token(ip)?;
    let form = form.into_inner();
    if form.grant_type != "client_credentials" {
        return Err(ApiError::bad_request(
            ErrorCode::UnsupportedGrantType,
            "Only `grant_type=client_credentials` is supported.",
        ));
    }
    let (client_id, secret) = match (basic_credentials(&req), form.client_id, form.client_secret) {
        (Some(basic), _, _) => basic,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => {
            return Err(ApiError::unauthorized(
                ErrorCode::InvalidClient,
                "Send client_id and client_secret, in the body or with HTTP Basic.",
            ));
        }
    };
    limits.token_for_client(&client_id)?;
    let keys = keys.into_inner();
    let origin = ip.map(|ip| ip.to_string());
    let answer = db::run(&pool, move |conn| {
        let (answer, issued) = clients::token(conn, &keys, &client_id, &secret, form.scope.as_deref(), origin)?;
        db::write_tx(conn, |conn| clients::record_token(conn, issued))?;
        Ok(answer)
    })
    .await?;
    // RFC 6749 §5.1: tokens are not to be cached.
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(answer))
}

/// Get the calling API client
///
/// The API client the token belongs to (its `client_id`, name, entity, scopes and clearance), so an agency can check
/// its setup. Any agency token, whatever its scopes; staff tokens are refused. 401 `unauthenticated` without a token,
/// `invalid_token` for an invalid, expired or staff token, `invalid_client` once the client is revoked; like every
/// agency request it counts against the client's request quota (429 `rate_limited`).
#[utoipa::path(tag = "agencies", responses(
    (status = 200, description = "The client", body = ApiClient),
    (status = 401, description = "`invalid_token`, `invalid_client` (revoked)", body = Problem, content_type = "application/problem+json"),
), security(("agency" = [])))]
#[get("/agency/me")]
pub async fn agency_me(pool: Pool, who: AuthClient) -> Result<web::Json<ApiClient>, ApiError> {
    db::run(&pool, move |conn| clients::current(conn, &who)).await.map(web::Json)
}
