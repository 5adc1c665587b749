//! Tracking: timelines, route trees, current location, dwell time, inboxes and the manager overview.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::org::{Confidentiality, UnitRef, UserRef};
use crate::transactions::{Priority, Referral, TransactionKind, TransactionStatus};
use crate::wire::wire_enum;

wire_enum! {
    /// What happened on a transaction's timeline.
    EventKind {
        /// Registered and numbered (incoming/outgoing, or an internal draft when sent).
        Registered = "registered",
        DraftCreated = "draft_created",
        DraftUpdated = "draft_updated",
        /// A referral was opened.
        Referred = "referred",
        Received = "received",
        Forwarded = "forwarded",
        Returned = "returned",
        Completed = "completed",
        Annotated = "annotated",
        DecisionRecorded = "decision_recorded",
        Closed = "closed",
        Reopened = "reopened",
        Archived = "archived",
        Linked = "linked",
        DocumentAdded = "document_added",
        VersionAdded = "version_added",
        DocumentWithdrawn = "document_withdrawn",
    }
}

/// One entry of a transaction's timeline: who did what, from which unit, when, and on whose behalf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub id: i64,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub actor: UserRef,
    pub actor_unit: UnitRef,
    /// Set when the actor acted for someone else (delegation).
    pub on_behalf_of: Option<UserRef>,
    /// The referral the event concerns, if any.
    pub referral_id: Option<i64>,
    /// Kind-specific details: `note`, `decision`, `resolution`, `to_unit_id`, `to_user_id`, `purpose`, ...
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
}

/// A span of time, in wall-clock seconds and in business seconds: those within the working hours of the working
/// calendar (`GET /calendar`), so weekends, holidays and nights do not count and Ramadan's days are shorter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeSpan {
    pub wall_clock_seconds: i64,
    /// Seconds within working hours; null where a figure is not counted in business time (yet).
    pub business_seconds: Option<i64>,
}

/// How long a referral waited (sent → received) and was worked on (received → completed, or → now while open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DwellTime {
    pub waiting: TimeSpan,
    pub working: TimeSpan,
    /// waiting + working.
    pub total: TimeSpan,
    /// True while the referral is open: the figures run up to the time of the answer.
    pub running: bool,
}

/// A node of the route tree: a referral and the referrals opened from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(no_recursion))]
pub struct RouteNode {
    pub referral: Referral,
    pub children: Vec<RouteNode>,
}

/// The route of a transaction as a forest: roots are the referrals made at registration (or by the registry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Route {
    pub transaction_id: i64,
    pub roots: Vec<RouteNode>,
}

/// Where a transaction is now: its open referrals, and who holds it for action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Location {
    pub transaction_id: i64,
    pub status: TransactionStatus,
    pub open_referrals: Vec<Referral>,
    /// Holders of open referrals for action: a user, or a unit's queue when no user is named.
    pub holders: Vec<Holder>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holder {
    pub referral_id: i64,
    pub unit: UnitRef,
    pub user: Option<UserRef>,
    pub since: DateTime<Utc>,
    pub dwell: DwellTime,
}

/// Time totals of one user or unit over a transaction's referrals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DwellTotal {
    /// Set on per-user totals.
    pub user: Option<UserRef>,
    pub unit: UnitRef,
    pub referrals: i64,
    pub waiting: TimeSpan,
    pub working: TimeSpan,
    pub total: TimeSpan,
}

/// Dwell time of every referral of a transaction, with totals per user and per unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DwellReport {
    pub transaction_id: i64,
    /// The time the running figures were computed to.
    pub as_of: DateTime<Utc>,
    pub referrals: Vec<Referral>,
    /// Per user who received referrals: referrals to a unit's queue count for whoever received them.
    pub per_user: Vec<DwellTotal>,
    pub per_unit: Vec<DwellTotal>,
}

wire_enum! {
    /// The boxes of the inbox.
    InboxBox {
        /// Open referrals addressed to me (not copies).
        Held = "held",
        /// Open referrals addressed to my unit's queue (no user named).
        Unit = "unit",
        /// Referrals I sent.
        Sent = "sent",
        /// Open copies for information addressed to me or my unit's queue.
        Copies = "copies",
    }
}

/// How many open items wait in each box of the caller's inbox (the sent box is history and is not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxCounts {
    pub held: i64,
    pub unit: i64,
    pub copies: i64,
    /// Of `held` and `unit`, those past their due date.
    pub overdue: i64,
}

/// The header fields of a transaction shown in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransactionSummary {
    pub id: i64,
    pub kind: TransactionKind,
    pub status: TransactionStatus,
    pub registration_number: Option<String>,
    pub subject: String,
    pub priority: Priority,
    pub confidentiality: Confidentiality,
    pub due_at: Option<DateTime<Utc>>,
}

/// One line of an inbox or of the manager overview: a referral and its transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItem {
    pub transaction: TransactionSummary,
    pub referral: Referral,
}
