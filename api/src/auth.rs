//! Authentication: argon2id password hashes, short-lived HS256 access tokens, opaque rotating refresh tokens, and
//! the [`AuthUser`] extractor that every protected handler takes.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared_types::ErrorCode;

use crate::error::ApiError;

pub const ISSUER: &str = "muamalat";
pub const AUDIENCE: &str = "muamalat-api";
/// The audience of API clients' (external agencies') tokens: never accepted where staff tokens are, and the
/// reverse.
pub const AGENCY_AUDIENCE: &str = "muamalat-agency";

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// Token kind; only `access` is accepted by the API.
    pub typ: String,
    /// The session (refresh-token family) it was issued in: once that session ends — signed out, ended from the
    /// list of sessions, revoked for a replayed refresh token, or the account disabled — the token stops working
    /// at once, not when it expires.
    pub sid: String,
}

/// Claims of an API client's token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientClaims {
    /// The API client's row id.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// Always `agency`.
    pub typ: String,
    /// Granted scopes, space-separated.
    pub scope: String,
}

/// Signing and verification keys, built once at start.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    client_validation: Validation,
    pub access_ttl_seconds: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], access_ttl_seconds: i64) -> Self {
        // Only HS256 is accepted: tokens naming any other algorithm, `none` included, are rejected.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let mut client_validation = validation.clone();
        client_validation.set_audience(&[AGENCY_AUDIENCE]);
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            client_validation,
            access_ttl_seconds,
        }
    }

    /// A token for an API client, for `scope`.
    pub fn issue_client(&self, client: i64, scope: &str, now: i64) -> Result<String, ApiError> {
        let claims = ClientClaims {
            sub: client.to_string(),
            iss: ISSUER.into(),
            aud: AGENCY_AUDIENCE.into(),
            iat: now,
            exp: now + self.access_ttl_seconds,
            typ: "agency".into(),
            scope: scope.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)
    }

    pub fn verify_client(&self, token: &str) -> Result<ClientClaims, ApiError> {
        let data = jsonwebtoken::decode::<ClientClaims>(token, &self.decoding, &self.client_validation)
            .map_err(|_| ApiError::unauthorized(ErrorCode::InvalidToken, "The API client token is not valid."))?;
        if data.claims.typ != "agency" {
            return Err(ApiError::unauthorized(ErrorCode::InvalidToken, "This is not an API client token."));
        }
        Ok(data.claims)
    }

    pub fn issue(&self, user_id: i64, session: &str, now: i64) -> Result<String, ApiError> {
        let claims = Claims {
            sub: user_id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + self.access_ttl_seconds,
            typ: "access".into(),
            sid: session.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            let detail = match e.kind() {
                ErrorKind::ExpiredSignature => "The access token has expired; refresh it.",
                ErrorKind::InvalidSignature => "The access token's signature is not valid.",
                ErrorKind::InvalidAlgorithm => "The access token uses an algorithm that is not accepted.",
                _ => "The access token is not valid.",
            };
            ApiError::unauthorized(ErrorCode::InvalidToken, detail)
        })?;
        if data.claims.typ != "access" {
            return Err(ApiError::unauthorized(ErrorCode::InvalidToken, "This is not an access token."));
        }
        Ok(data.claims)
    }
}

/// The caller, authenticated by a valid access token. Whether the account is still active, and what it may do,
/// is checked against the database by the domain when the request is served.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: i64,
    /// The session the token was issued in, which must still be live.
    pub session: String,
    /// The client's address, for the audit log.
    pub origin: Option<IpAddr>,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

/// The bearer token of the request.
fn bearer(req: &HttpRequest) -> Result<&str, ApiError> {
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized(ErrorCode::Unauthenticated, "Sign in: send `Authorization: Bearer <token>`.")
    })?;
    header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized(ErrorCode::InvalidToken, "The Authorization header must be `Bearer <token>`.")
        })
}

fn keys_of(req: &HttpRequest) -> Result<&web::Data<JwtKeys>, ApiError> {
    req.app_data::<web::Data<JwtKeys>>().ok_or_else(|| ApiError::internal("JwtKeys not configured"))
}

fn authenticate(req: &HttpRequest) -> Result<AuthUser, ApiError> {
    let keys = keys_of(req)?;
    let token = bearer(req)?;
    let claims = keys.verify(token)?;
    let user_id = claims
        .sub
        .parse()
        .map_err(|_| ApiError::unauthorized(ErrorCode::InvalidToken, "The access token's subject is not valid."))?;
    Ok(AuthUser { user_id, session: claims.sid, origin: client_ip(req) })
}

/// An API client (external agency), authenticated by a token from `/oauth/token`. Whether it is still active is
/// checked against the database when the request is served.
#[derive(Debug, Clone)]
pub struct AuthClient {
    pub client_id: i64,
    pub scopes: Vec<shared_types::ApiScope>,
    pub origin: Option<IpAddr>,
}

impl AuthClient {
    /// The token must carry this scope (403 otherwise).
    pub fn ensure(&self, scope: shared_types::ApiScope) -> Result<(), ApiError> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("This token lacks the `{scope}` scope.")))
        }
    }
}

impl FromRequest for AuthClient {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate_client(req))
    }
}

fn authenticate_client(req: &HttpRequest) -> Result<AuthClient, ApiError> {
    let claims = keys_of(req)?.verify_client(bearer(req)?)?;
    let client_id = claims
        .sub
        .parse()
        .map_err(|_| ApiError::unauthorized(ErrorCode::InvalidToken, "The token's subject is not valid."))?;
    let scopes = claims.scope.split_whitespace().filter_map(|s| s.parse().ok()).collect();
    // Every request of an API client counts against its quota, reads and downloads included.
    if let Some(limits) = req.app_data::<web::Data<crate::rate_limit::RateLimits>>() {
        limits.agency_request(client_id)?;
    }
    Ok(AuthClient { client_id, scopes, origin: client_ip(req) })
}

/// The client's address: the connection's peer, or with `trust_proxy` the address the proxy reports.
pub fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    let trust_proxy = req.app_data::<web::Data<crate::config::Settings>>().is_some_and(|s| s.trust_proxy);
    if trust_proxy {
        let reported = req
            .connection_info()
            .realip_remote_addr()
            .and_then(|a| a.parse::<IpAddr>().ok().or_else(|| a.parse::<std::net::SocketAddr>().ok().map(|s| s.ip())));
        if reported.is_some() {
            return reported;
        }
    }
    req.peer_addr().map(|a| a.ip())
}

/// Hash a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(e.to_string()))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A hash to verify against when the username does not exist, so both paths cost the same time.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

/// A random URL-safe token of 32 bytes.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Refresh tokens are stored as their SHA-256, so a database leak does not hand out sessions.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("s3cret passphrase").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("s3cret passphrase", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("s3cret passphrase", "not a hash"));
    }

    #[test]
    fn tokens_verify_and_reject_tampering() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let now = chrono::Utc::now().timestamp();
        let t = keys.issue(42, "session", now).unwrap();
        assert_eq!(keys.verify(&t).unwrap().sub, "42");
        let other = JwtKeys::new(b"another secret of enough length!", 60);
        assert!(other.verify(&t).is_err());
        let expired = keys.issue(42, "session", now - 3600).unwrap();
        assert!(keys.verify(&expired).is_err());
    }
}
