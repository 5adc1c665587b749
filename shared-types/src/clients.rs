//! External agencies as API clients: OAuth2 client credentials, scoped tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::org::EntityRef;
use crate::wire::wire_enum;

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
    /// The most confidential outgoing letter the agency may receive.
    pub clearance: crate::Confidentiality,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "أمانة منطقة الرياض — بوابة المراسلات", "external_entity_id": 3, "scopes": ["submit", "read_submissions", "receive"],
    "clearance": "normal"
})))]
#[serde(deny_unknown_fields)]
pub struct NewApiClient {
    pub name: String,
    pub external_entity_id: i64,
    pub scopes: Vec<ApiScope>,
    /// The most confidential outgoing letter addressed to the agency that it may receive (default `normal`); at most
    /// the administrator's own clearance.
    #[serde(default)]
    pub clearance: Option<crate::Confidentiality>,
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

wire_enum! {
    /// Where an agency's submission stands.
    SubmissionStatus {
        /// Waiting in the central registry's intake queue.
        Pending = "pending",
        /// Registered as an incoming transaction: it has a registration number.
        Registered = "registered",
        Rejected = "rejected",
    }
}

/// An incoming letter an agency submits (scope `submit`); its documents follow, one request each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "subject": "طلب تزويد بيانات المشاريع البلدية", "sender_reference": "RYD-1448/552",
    "sender_reference_date": "2026-11-25", "priority": "urgent"
})))]
#[serde(deny_unknown_fields)]
pub struct NewSubmission {
    pub subject: String,
    #[serde(default)]
    pub summary: Option<String>,
    /// The agency's own reference number of the letter.
    pub sender_reference: String,
    #[serde(default)]
    pub sender_reference_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub priority: Option<crate::Priority>,
}

/// `multipart/form-data` of `POST /agency/submissions` with documents: the letter and its documents in one request,
/// registered together or not at all, so the registry never sees the letter without them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSubmissionForm {
    /// The letter: a `NewSubmission` as JSON text.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub letter: String,
    /// A title for the `file` part that follows it (optional; the file's name otherwise). Repeat per document.
    pub title: Option<Vec<String>>,
    /// One part per document, each with its file name; at most 50.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>, format = Binary))]
    pub file: Vec<Vec<u8>>,
}

/// A document sent with a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmittedDocument {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
}

/// A submission, as its agency and the registry see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submission {
    pub id: i64,
    pub status: SubmissionStatus,
    /// The agency.
    pub sender: EntityRef,
    pub subject: String,
    pub summary: Option<String>,
    pub sender_reference: String,
    pub sender_reference_date: Option<chrono::NaiveDate>,
    pub priority: crate::Priority,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Given when the registry registers it, e.g. `1448/000123`.
    pub registration_number: Option<String>,
    /// Why it was rejected.
    pub decision_note: Option<String>,
    pub documents: Vec<SubmittedDocument>,
    pub version: i32,
}

/// The registry registers a submission as an incoming transaction, referring it at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterSubmission {
    #[serde(default)]
    pub referrals: Vec<crate::ReferralTarget>,
    #[serde(default)]
    pub confidentiality: Option<crate::Confidentiality>,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub expected_version: Option<i32>,
}

/// The registry rejects a submission, saying why (the agency reads the reason).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RejectSubmission {
    pub reason: String,
    #[serde(default)]
    pub expected_version: Option<i32>,
}

/// A document of a letter addressed to an agency: its latest version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceivedDocument {
    pub id: i64,
    pub title: String,
    pub version: i32,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
}

/// An outgoing letter of the organisation addressed to the agency (scope `receive`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceivedLetter {
    pub id: i64,
    pub registration_number: String,
    pub subject: String,
    pub summary: Option<String>,
    pub registered_at: DateTime<Utc>,
    /// Documents not withdrawn.
    pub documents: Vec<ReceivedDocument>,
}
