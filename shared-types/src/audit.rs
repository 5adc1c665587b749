//! The audit log: who did what, on whose behalf, when and from where; hash-chained so that an edit shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::org::UserRef;
use crate::wire::wire_enum;

wire_enum! {
    /// Audited actions that are not timeline events. (Every timeline event is audited too, under its
    /// [`EventKind`](crate::EventKind) name.)
    AuditAction {
        SignedIn = "signed_in",
        SignInFailed = "sign_in_failed",
        SignedOut = "signed_out",
        /// A refresh token was exchanged for new tokens (the session goes on).
        SessionRefreshed = "session_refreshed",
        SessionEnded = "session_ended",
        UnitCreated = "unit_created",
        UnitUpdated = "unit_updated",
        UserCreated = "user_created",
        UserUpdated = "user_updated",
        EntityCreated = "entity_created",
        DelegationGranted = "delegation_granted",
        DelegationEnded = "delegation_ended",
        ApiClientCreated = "api_client_created",
        ApiClientSecretRotated = "api_client_secret_rotated",
        ApiClientRevoked = "api_client_revoked",
        ClientTokenIssued = "client_token_issued",
        SubmissionReceived = "submission_received",
        SubmissionDocumentAdded = "submission_document_added",
        SubmissionRegistered = "submission_registered",
        SubmissionRejected = "submission_rejected",
        /// The working week or hours were changed.
        WorkingWeekChanged = "working_week_changed",
        HolidayAdded = "holiday_added",
        /// A holiday was renamed or moved.
        HolidayChanged = "holiday_changed",
        HolidayRemoved = "holiday_removed",
        /// A document version's file was downloaded.
        DocumentDownloaded = "document_downloaded",
        /// A document version's extracted text was read.
        DocumentTextRead = "document_text_read",
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// Place in the hash chain; null for an entry written in the last moments and not sealed yet.
    pub seq: Option<i64>,
    pub at: DateTime<Utc>,
    /// Who acted: null for a failed sign-in with an unknown username, and for an API client.
    pub user: Option<UserRef>,
    /// The API client (external agency) that acted, by its row id.
    pub client_id: Option<i64>,
    /// Set when the user acted for someone else (delegation).
    pub on_behalf_of: Option<UserRef>,
    /// The client's address, as the server saw it.
    pub origin: Option<String>,
    /// An audit action (`signed_in`, `document_downloaded`, ...) or a timeline event kind, in its wire form.
    pub action: String,
    /// What the action concerns: `transaction`, `referral`, `document`, `unit`, `user`, `entity`, `session`,
    /// `api_client`.
    pub object_type: String,
    pub object_id: Option<i64>,
    pub transaction_id: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
    /// SHA-256 (hex) over the previous entry's hash and this entry's canonical form; null until sealed.
    pub hash: Option<String>,
}

/// What verifying the chain found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditVerification {
    /// True when every sealed entry matches its hash and follows the one before it.
    pub intact: bool,
    /// Sealed entries checked.
    pub verified: i64,
    /// Hash of the last sealed entry: keep it somewhere else to be able to show the log was not cut short later.
    pub head_hash: Option<String>,
    /// The first entry that does not verify, when one does not.
    pub first_broken: Option<AuditBreak>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditBreak {
    pub seq: i64,
    /// The entry's id, or null when the entry at `seq` is missing.
    pub id: Option<i64>,
    /// `hash_mismatch` (the entry was changed), `chain_mismatch` (it does not follow the one before) or `missing`
    /// (an entry was removed).
    pub reason: String,
}
