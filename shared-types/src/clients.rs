//! External agencies as API clients: OAuth2 client credentials, scoped tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::org::{EntityRef, wire_enum};

wire_enum! {
    /// What an agency's token allows.
    ApiScope {
        /// Submit incoming correspondence to the central registry.
        Submit = "submit",
        /// Read the status of its own submissions.
        ReadSubmissions = "read_submissions",
        /// Read correspondence addressed to it.
        Receive = "receive",
    }
}

/// An external agency registered as an API client. Its secret is never shown again after creation or rotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiClient {
    pub id: i64,
    /// The OAuth2 `client_id`.
    pub client_id: String,
    pub name: String,
    /// The agency in the directory of external entities: the sender of what it submits.
    pub external_entity: EntityRef,
    pub scopes: Vec<ApiScope>,
    pub created_at: DateTime<Utc>,
    pub secret_rotated_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "أمانة منطقة الرياض — بوابة المراسلات", "external_entity_id": 3, "scopes": ["submit", "read_submissions", "receive"]
})))]
#[serde(deny_unknown_fields)]
pub struct NewApiClient {
    pub name: String,
    pub external_entity_id: i64,
    pub scopes: Vec<ApiScope>,
}

/// A client with its secret, answered once: when it is created, and when its secret is rotated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiClientCredentials {
    pub client: ApiClient,
    pub client_secret: String,
}

/// The answer of the token endpoint (RFC 6749 §5.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientTokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    /// The scopes granted, space-separated.
    pub scope: String,
}
