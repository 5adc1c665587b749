//! Transactions (معاملات), their referrals (إحالات), and the actions taken on them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::org::{Confidentiality, EntityRef, UnitRef, UserRef};
use crate::wire::wire_enum;

wire_enum! {
    /// Incoming (وارد) from an external entity, outgoing (صادر) to one, or internal (داخلي) between units.
    TransactionKind {
        Incoming = "incoming",
        Outgoing = "outgoing",
        Internal = "internal",
    }
}

wire_enum! {
    /// Lifecycle of a transaction.
    TransactionStatus {
        /// An internal transaction being prepared; not yet numbered or sent.
        Draft = "draft",
        /// Registered and moving.
        Open = "open",
        /// Closed (حفظ) with a resolution; can be reopened.
        Closed = "closed",
        /// Archived; no further change.
        Archived = "archived",
    }
}

wire_enum! {
    Priority {
        Normal = "normal",
        /// عاجل
        Urgent = "urgent",
        /// عاجل جداً
        VeryUrgent = "very_urgent",
    }
}

wire_enum! {
    /// Why a referral is sent.
    Purpose {
        /// للإجراء — the receiver must act; they become the holder.
        Action = "action",
        /// للاطلاع — a copy for information.
        Information = "information",
        /// لإبداء الرأي
        Opinion = "opinion",
        /// للتوقيع
        Signature = "signature",
    }
}

wire_enum! {
    /// A referral is sent, then received (acknowledged), then completed.
    ReferralStatus {
        Sent = "sent",
        Received = "received",
        Completed = "completed",
    }
}

wire_enum! {
    /// How a referral was completed.
    ReferralOutcome {
        /// The holder referred it onwards.
        Forwarded = "forwarded",
        /// The holder sent it back to whoever referred it.
        Returned = "returned",
        /// The holder acted on it, with an action note.
        Completed = "completed",
        /// Completed by the closing of the transaction.
        Closed = "closed",
    }
}

wire_enum! {
    /// How one transaction relates to another.
    LinkKind {
        /// This transaction replies to the linked one.
        ReplyTo = "reply_to",
        Related = "related",
        /// This transaction follows up on the linked one.
        FollowUp = "follow_up",
    }
}

wire_enum! {
    Decision {
        Approve = "approve",
        Reject = "reject",
        RequestInformation = "request_information",
    }
}

/// Where to refer a transaction: a unit (its queue) or a specific user in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "unit_id": 12, "purpose": "action", "instructions": "للدراسة والإفادة", "due_at": "2026-12-10T09:00:00Z"
})))]
#[serde(deny_unknown_fields)]
pub struct ReferralTarget {
    pub unit_id: i64,
    /// A user of that unit; absent means the unit's queue.
    #[serde(default)]
    pub user_id: Option<i64>,
    pub purpose: Purpose,
    #[serde(default)]
    pub instructions: Option<String>,
    /// Absent: the transaction's due date applies.
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    pub kind: LinkKind,
    pub transaction_id: i64,
}

/// Register an incoming letter, create an outgoing letter, or start an internal draft.
///
/// * `incoming`: registry clerks only; `external_entity_id` is the sender; numbered at once; `referrals` refers it
///   in the same step.
/// * `outgoing`: `external_entity_id` is the recipient; numbered at once by the creator's registry; link the
///   incoming letter it answers with a `reply_to` link.
/// * `internal`: created as a draft, numbered when sent with `POST /transactions/{id}/send`; `referrals` must be empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "kind": "incoming",
    "subject": "طلب تزويد بيانات المشاريع البلدية",
    "summary": "تطلب الوزارة بيانات المشاريع المنفذة خلال العام",
    "external_entity_id": 1,
    "sender_reference": "MOMRA-44/1187",
    "sender_reference_date": "2026-11-20",
    "priority": "urgent",
    "confidentiality": "normal",
    "due_at": "2026-12-15T12:00:00Z",
    "attachments_count": 2,
    "referrals": [
        {"unit_id": 12, "purpose": "action", "instructions": "للإفادة"},
        {"unit_id": 5, "purpose": "information"}
    ]
})))]
#[serde(deny_unknown_fields)]
pub struct NewTransaction {
    pub kind: TransactionKind,
    pub subject: String,
    #[serde(default)]
    pub summary: Option<String>,
    /// Sender (incoming) or recipient (outgoing); absent for internal.
    #[serde(default)]
    pub external_entity_id: Option<i64>,
    /// The sender's own reference number (incoming).
    #[serde(default)]
    pub sender_reference: Option<String>,
    /// The date on the sender's letter (incoming).
    #[serde(default)]
    pub sender_reference_date: Option<NaiveDate>,
    #[serde(default = "default_priority")]
    pub priority: Priority,
    #[serde(default = "default_confidentiality")]
    pub confidentiality: Confidentiality,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// Number of physical attachments (مرفقات) that came with the paper original.
    #[serde(default)]
    pub attachments_count: i32,
    #[serde(default)]
    pub links: Vec<NewLink>,
    /// Referrals to open at registration (incoming and outgoing only).
    #[serde(default)]
    pub referrals: Vec<ReferralTarget>,
}

fn default_priority() -> Priority {
    Priority::Normal
}

fn default_confidentiality() -> Confidentiality {
    Confidentiality::Normal
}

/// Edit a draft. Absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DraftUpdate {
    pub subject: Option<String>,
    pub summary: Option<String>,
    pub priority: Option<Priority>,
    pub confidentiality: Option<Confidentiality>,
    pub due_at: Option<DateTime<Utc>>,
    pub attachments_count: Option<i32>,
    /// The version read; a mismatch answers 409 `version_conflict`.
    pub expected_version: Option<i32>,
}

/// Refer a transaction to one or several units and/or users at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferRequest {
    pub targets: Vec<ReferralTarget>,
}

/// Forward a referral: completes the caller's referral and opens new ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "targets": [{"unit_id": 14, "user_id": 41, "purpose": "action", "instructions": "نأمل دراسة الطلب والرفع بالمرئيات"}],
    "note": "أحيلت لمختص",
    "expected_version": 2
})))]
#[serde(deny_unknown_fields)]
pub struct ForwardRequest {
    pub targets: Vec<ReferralTarget>,
    #[serde(default)]
    pub note: Option<String>,
    /// The referral version read; a mismatch answers 409 `version_conflict`.
    #[serde(default)]
    pub expected_version: Option<i32>,
}

/// Return a referral to whoever sent it, or complete it with an action note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralActionRequest {
    /// Why it is returned, or what was done (required to complete).
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub expected_version: Option<i32>,
}

/// Acknowledge a referral (opening or accepting it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceiveRequest {
    #[serde(default)]
    pub expected_version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnnotationRequest {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub decision: Decision,
    #[serde(default)]
    pub note: Option<String>,
}

/// Close (حفظ) with a resolution, reopen with a reason, or archive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusChangeRequest {
    /// Resolution (close) or reason (reopen); required for both.
    #[serde(default)]
    pub note: Option<String>,
    /// The transaction version read; a mismatch answers 409 `version_conflict`.
    #[serde(default)]
    pub expected_version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransactionLink {
    pub kind: LinkKind,
    pub transaction_id: i64,
    pub registration_number: Option<String>,
    pub subject: String,
    /// `outbound`: this transaction links to the other; `inbound`: the other links to this one.
    pub direction: String,
}

/// A date in both calendars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DualDate {
    /// Gregorian, ISO 8601, Riyadh time.
    pub gregorian: NaiveDate,
    /// Hijri (Umm al-Qura), `YYYY-MM-DD`.
    pub hijri: String,
}

/// A transaction with its header fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transaction {
    pub id: i64,
    pub kind: TransactionKind,
    pub status: TransactionStatus,
    /// e.g. `1448/000123`, prefixed with the registry code outside the central registry; absent on drafts.
    pub registration_number: Option<String>,
    pub registry: Option<UnitRef>,
    /// Hijri (Umm al-Qura) year of registration.
    pub hijri_year: Option<i32>,
    pub subject: String,
    pub summary: Option<String>,
    pub external_entity: Option<EntityRef>,
    pub sender_reference: Option<String>,
    pub sender_reference_date: Option<NaiveDate>,
    pub priority: Priority,
    pub confidentiality: Confidentiality,
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub attachments_count: i32,
    pub origin_unit: UnitRef,
    pub created_by: UserRef,
    pub created_at: DateTime<Utc>,
    pub registered_at: Option<DateTime<Utc>>,
    pub registered_on: Option<DualDate>,
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub links: Vec<TransactionLink>,
    /// Increases on every change of the header or status; send it back as `expected_version`.
    pub version: i32,
}

/// One hop of the route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    pub id: i64,
    pub transaction_id: i64,
    /// The referral this one was forwarded or returned from; absent for referrals made at registration.
    pub parent_referral_id: Option<i64>,
    pub from_unit: UnitRef,
    pub from_user: UserRef,
    pub to_unit: UnitRef,
    pub to_user: Option<UserRef>,
    pub purpose: Purpose,
    pub instructions: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub status: ReferralStatus,
    pub outcome: Option<ReferralOutcome>,
    pub action_note: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub received_by: Option<UserRef>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<UserRef>,
    pub overdue: bool,
    pub dwell: crate::tracking::DwellTime,
    /// Increases on every change; send it back as `expected_version`.
    pub version: i32,
}

/// The answer to registering, sending or referring: the transaction and the referrals just opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransactionWithReferrals {
    pub transaction: Transaction,
    pub referrals: Vec<Referral>,
}

/// What the caller may do on a transaction now, computed by the server from the same rules that check each action,
/// so that a client shows only the actions that will be accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllowedActions {
    pub transaction_id: i64,
    /// Refer it to more units or users (`POST /transactions/{id}/referrals`).
    pub refer: bool,
    pub annotate: bool,
    pub decide: bool,
    pub close: bool,
    /// Open referrals for action held by others that keep it from being closed.
    pub close_blocked_by: i64,
    pub reopen: bool,
    pub archive: bool,
    /// Edit the header of this draft (`PATCH /transactions/{id}`): its author (or an admin).
    #[serde(default)]
    pub edit_draft: bool,
    /// Send this draft to its first units or users (`POST /transactions/{id}/send`): its author (or an admin).
    #[serde(default)]
    pub send: bool,
    /// Add a document, or a new version of one (`POST /transactions/{id}/documents`, `POST /documents/{id}/versions`):
    /// staff who can see it, while it is a draft or open.
    #[serde(default)]
    pub add_document: bool,
    /// Link it to another transaction (`POST /transactions/{id}/links`): its owner side or a holder, unless archived.
    #[serde(default)]
    pub link: bool,
    /// The open referrals the caller holds, and what they may do with each.
    pub referrals: Vec<ReferralActions>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralActions {
    pub referral_id: i64,
    /// The version to send back as `expected_version`.
    pub version: i32,
    pub receive: bool,
    pub forward: bool,
    #[serde(rename = "return")]
    pub return_to_sender: bool,
    pub complete: bool,
}
