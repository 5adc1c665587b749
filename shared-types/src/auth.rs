//! Login, token refresh and logout.

use serde::{Deserialize, Serialize};

use crate::org::User;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"username": "registry.clerk1", "password": "correct horse battery staple"})))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// For browsers: keep the refresh token in an `HttpOnly` cookie scoped to `/api/v1/auth` instead of answering
    /// it in the body, so that page scripts never see it. Refresh and logout then read it from the cookie.
    #[serde(default)]
    pub session_cookie: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// Absent when the session is kept in the `HttpOnly` cookie (see `LoginRequest::session_cookie`).
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// Tokens issued at login and on refresh. The access token is a short-lived JWT for the `Authorization: Bearer`
/// header; the refresh token is opaque, single-use, and rotates on every refresh.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: i64,
    /// Absent when the session is kept in the `HttpOnly` cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Lifetime of the refresh token in seconds.
    pub refresh_expires_in: i64,
    /// The signed-in user.
    pub user: User,
}

/// One signed-in session of the caller (a chain of refresh tokens, from a sign-in until it ends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// Pass it to `DELETE /auth/sessions/{id}` to end the session.
    pub id: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// When it last renewed its access token.
    pub last_used_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The session of the token this list was asked with.
    pub current: bool,
}
