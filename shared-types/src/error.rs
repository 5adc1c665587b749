//! Problem details (RFC 9457) and the stable machine codes the UI translates.

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. The UI translates them; integrators branch on them.
/// New codes may be added, existing ones never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request body is not well-formed JSON.
    MalformedJson,
    /// One or more fields are missing, of the wrong type, unknown or out of range; see `errors`.
    ValidationFailed,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// The request body is not `application/json`.
    UnsupportedMediaType,
    /// A path or query parameter could not be parsed.
    InvalidParameter,
    /// No bearer token was sent.
    Unauthenticated,
    /// The bearer token is malformed, forged, of the wrong kind or expired.
    InvalidToken,
    /// Username or password is wrong.
    InvalidCredentials,
    /// The refresh token is unknown, expired or revoked.
    InvalidRefreshToken,
    /// The account is disabled.
    AccountDisabled,
    /// The caller is authenticated but not allowed to do this.
    Forbidden,
    /// No such route.
    RouteNotFound,
    /// The HTTP method is not allowed on this route.
    MethodNotAllowed,
    TransactionNotFound,
    ReferralNotFound,
    UnitNotFound,
    UserNotFound,
    ExternalEntityNotFound,
    /// A unit, user or entity with this code or username already exists.
    AlreadyExists,
    /// Moving the unit would put it under itself.
    UnitCycle,
    /// The unit or user is disabled and cannot take part.
    Disabled,
    /// The referral is not held by the caller.
    ReferralNotHeld,
    /// The referral was already received.
    ReferralAlreadyReceived,
    /// The referral was already completed (forwarded, returned or completed), possibly a moment ago by someone else.
    ReferralAlreadyCompleted,
    /// The record changed since the caller read it (optimistic concurrency); reload and retry.
    VersionConflict,
    /// The transaction is closed; reopen it first.
    TransactionClosed,
    /// The transaction is archived and can no longer change.
    TransactionArchived,
    /// The operation needs a closed transaction.
    TransactionNotClosed,
    /// The operation needs a draft.
    TransactionNotDraft,
    /// The operation is not possible on a draft; send it first.
    TransactionIsDraft,
    /// The transaction cannot be closed while referrals for action are still open.
    OpenActionReferrals,
    /// The same Idempotency-Key was used with a different request.
    IdempotencyKeyReused,
    /// Too many failed sign-ins in a row: the account refuses sign-in for a while (longer after each further failure).
    AccountLocked,
    /// The API client's id or secret is wrong, or the client was revoked (OAuth2 `invalid_client`).
    InvalidClient,
    /// A scope was asked that the client does not have (OAuth2 `invalid_scope`).
    InvalidScope,
    /// Only `grant_type=client_credentials` is supported (OAuth2 `unsupported_grant_type`).
    UnsupportedGrantType,
    /// No such submission (or not the caller's).
    SubmissionNotFound,
    /// The submission was already registered or rejected.
    SubmissionDecided,
    /// No such API client.
    ApiClientNotFound,
    /// No such delegation of the caller's (given or received).
    DelegationNotFound,
    /// No such holiday in the working calendar.
    HolidayNotFound,
    /// A generated holiday (the Eids, the national days) can be moved to another day, not removed.
    HolidayGenerated,
    /// No such session of the caller's (or it has already ended).
    SessionNotFound,
    /// Too many requests of this kind from this client in a short time (sign-in, tokens, submissions): wait for
    /// `Retry-After` seconds.
    RateLimited,
    /// No such document, or the caller may not see it.
    DocumentNotFound,
    /// The document has no such version.
    DocumentVersionNotFound,
    /// The document was withdrawn: no new versions.
    DocumentWithdrawn,
    /// A stored version (above all the original) can never be changed or removed; upload a new version instead.
    VersionImmutable,
    /// The `multipart/form-data` body is malformed or was cut off.
    MalformedUpload,
    /// The requested byte range lies outside the content.
    RangeNotSatisfiable,
    /// The service is temporarily unable to answer (for example the database is down).
    ServiceUnavailable,
    /// Something went wrong on the server; it has been logged.
    InternalError,
}

impl std::fmt::Display for ErrorCode {
    /// The snake_case form used on the wire.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => f.write_str(&s),
            _ => Err(std::fmt::Error),
        }
    }
}

/// One failing field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// JSON path of the field, e.g. `subject` or `referrals[0].unit_id`.
    pub field: String,
    /// Machine code: `required`, `too_long`, `out_of_range`, `invalid`, `unknown_field`, `wrong_type`, ...
    pub code: String,
    /// Human-readable explanation (English).
    pub message: String,
}

/// RFC 9457 problem details, served as `application/problem+json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "https://muamalat.example/problems/open_action_referrals",
    "title": "Conflict",
    "status": 409,
    "detail": "The transaction still has 1 open referral(s) for action.",
    "code": "open_action_referrals"
})))]
pub struct Problem {
    /// A URI identifying the problem type; ends with the `code`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the HTTP status.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Explanation of this occurrence.
    pub detail: String,
    /// Stable machine code.
    pub code: ErrorCode,
    /// Failing fields, for `validation_failed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Base of the `type` URIs of problems.
pub const PROBLEM_TYPE_BASE: &str = "https://muamalat.example/problems/";
