//! External agencies over the API: their registration as API clients (`/api-clients`, administrators), the OAuth2
//! token endpoint (`/oauth/token`, client credentials) and what an agency's token opens (`/agency/...`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use base64::Engine;
use serde::Deserialize;
use shared_types::{ApiClient, ApiClientCredentials, ClientTokenResponse, ErrorCode, NewApiClient, Problem};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Limits, Pool, as_caller, read, write};
use crate::auth::{AuthClient, AuthUser, JwtKeys};
use crate::db;
use crate::domain::clients;
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_api_clients)
        .service(create_api_client)
        .service(rotate_api_client_secret)
        .service(revoke_api_client)
        .service(oauth_token)
        .service(agency_me);
}

/// Every API client (administrators).
#[utoipa::path(tag = "agencies", responses(
    (status = 200, description = "API clients", body = Vec<ApiClient>),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/api-clients")]
pub async fn list_api_clients(pool: Pool, who: AuthUser) -> Result<web::Json<Vec<ApiClient>>, ApiError> {
    read(&pool, who, clients::list).await
}

/// Register an external agency as an API client (administrators). The answer holds the client secret: it is
/// shown this once and stored only as a hash.
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
    body: web::Json<NewApiClient>,
) -> Result<HttpResponse, ApiError> {
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

/// Give an API client a new secret (administrators); the old secret stops working at once.
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
    as_caller(&pool, who, move |conn, actor| db::write_tx(conn, |conn| clients::rotate(conn, actor, id)))
        .await
        .map(web::Json)
}

/// Revoke an API client (administrators): no new tokens, and its tokens stop working at once.
#[utoipa::path(tag = "agencies", params(("id" = i64, Path, description = "API client id")), responses(
    (status = 204, description = "Revoked"),
    (status = 404, description = "`api_client_not_found`", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[delete("/api-clients/{id}")]
pub async fn revoke_api_client(pool: Pool, who: AuthUser, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    as_caller(&pool, who, move |conn, actor| db::write_tx(conn, |conn| clients::revoke(conn, actor, id))).await?;
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

/// The OAuth2 token endpoint: the client-credentials grant for external agencies. The token it issues is a JWT
/// for `Authorization: Bearer` on the agency endpoints only (its audience is refused everywhere else), limited to
/// the scopes granted. Rate-limited per address and per client.
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
    let answer =
        db::run(&pool, move |conn| clients::token(conn, &keys, &client_id, &secret, form.scope.as_deref(), origin))
            .await?;
    // RFC 6749 §5.1: tokens are not to be cached.
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(answer))
}

/// The API client a token belongs to (any scope): a way for an agency to check its setup.
#[utoipa::path(tag = "agencies", responses(
    (status = 200, description = "The client", body = ApiClient),
    (status = 401, description = "`invalid_token`, `invalid_client` (revoked)", body = Problem, content_type = "application/problem+json"),
), security(("agency" = [])))]
#[get("/agency/me")]
pub async fn agency_me(pool: Pool, who: AuthClient) -> Result<web::Json<ApiClient>, ApiError> {
    db::run(&pool, move |conn| clients::current(conn, &who)).await.map(web::Json)
}
