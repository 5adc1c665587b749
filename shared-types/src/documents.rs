//! Documents of a transaction and their versions. Version 1 is the original and never changes; each later change is
//! a new version. Content is stored once per SHA-256.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::org::UserRef;
use crate::wire::wire_enum;

wire_enum! {
    /// What a document is in the life of the transaction.
    DocumentKind {
        /// The scanned original of an incoming letter (الأصل).
        OriginalScan = "original_scan",
        Attachment = "attachment",
        Draft = "draft",
        Reply = "reply",
        Other = "other",
    }
}

wire_enum! {
    /// Whether the text of a version has been read for search.
    TextStatus {
        /// Not yet: extraction runs just after the upload.
        Pending = "pending",
        Extracted = "extracted",
        /// The file could not be read (`error` says why); the version itself is fine.
        Failed = "failed",
        /// A kind of file whose text is not read (for example a scanned image).
        Unsupported = "unsupported",
    }
}

/// The extracted text of a version (`GET /documents/{id}/versions/{version}/text`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentText {
    pub document_id: i64,
    pub version: i32,
    pub status: TextStatus,
    pub text: Option<String>,
    pub error: Option<String>,
}

/// One stored version of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentVersion {
    pub document_id: i64,
    /// 1 is the original.
    pub version: i32,
    /// Hex SHA-256 of the content; also the download's `ETag`.
    pub sha256: String,
    pub size: i64,
    /// Sniffed from the content, not taken from the client.
    pub media_type: String,
    pub file_name: String,
    pub note: Option<String>,
    pub author: UserRef,
    pub created_at: DateTime<Utc>,
    /// Where to download it (`GET`, with `Range` support).
    pub content_url: String,
    /// Whether its text has been extracted for search.
    pub text_status: TextStatus,
}

/// Who withdrew a document, when and why. A withdrawn document is hidden from normal views and kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withdrawal {
    pub by: UserRef,
    pub at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    pub id: i64,
    pub transaction_id: i64,
    pub title: String,
    pub kind: DocumentKind,
    pub created_by: UserRef,
    pub created_at: DateTime<Utc>,
    pub withdrawn: Option<Withdrawal>,
    /// Oldest first: `versions[0]` is the original.
    pub versions: Vec<DocumentVersion>,
}

/// `multipart/form-data` of `POST /transactions/{id}/documents`: a new document and its original (version 1).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDocumentForm {
    pub title: String,
    /// Default `attachment`.
    pub kind: Option<DocumentKind>,
    pub note: Option<String>,
    /// Hex SHA-256 of the file as the client has it: the upload is refused (422) if what arrives differs.
    pub sha256: Option<String>,
    /// The file, last in the form. Its name (without path separators or control characters) is kept.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Binary))]
    pub file: Vec<u8>,
}

/// `multipart/form-data` of `POST /documents/{id}/versions`: a new version.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewVersionForm {
    pub note: Option<String>,
    /// Hex SHA-256 of the file as the client has it: the upload is refused (422) if what arrives differs.
    pub sha256: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Binary))]
    pub file: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    pub reason: String,
}
