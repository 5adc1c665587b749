//! `/audit`: the audit log and the verification of its hash chain, for auditors.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared_types::{AuditEntry, AuditVerification, Page, Problem};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Pool, as_caller, read};
use crate::auth::AuthUser;
use crate::domain::audit::{self, AuditFilter};
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(audit_log).service(audit_verification);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only what this user did.
    pub user_id: Option<i64>,
    /// Only this action: an event kind (`registered`, `forwarded`, ...) or `signed_in`, `document_downloaded`, ...
    pub action: Option<String>,
    /// Only entries about this transaction (its referrals and documents included).
    pub transaction_id: Option<i64>,
    /// Only entries about this kind of object: `transaction`, `referral`, `document`, `unit`, `user`, `entity`,
    /// `session`.
    pub object_type: Option<String>,
    /// From this moment (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this moment (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1–200 (default 50).
    #[serde(default, deserialize_with = "crate::routes::page_limit")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List the audit log
///
/// The append-only, hash-chained audit log, newest first: every timeline event, administrative change, sign-in (failed
/// ones too), sign-out, ended session, API-client change and token, agency submission, and every read of a document's
/// content or text, with who acted, on whose behalf (delegation), from which address, and the entry's `seq` and `hash`
/// (null for the moments until the sealer has chained it). Only users with the `auditor` role may read it; everyone
/// else, administrators included, gets 403 `forbidden`. Entries about transactions above the auditor's clearance are
/// left out. Filter by `user_id`, `action`, `transaction_id`, `object_type` and the period `from` (inclusive) to `to`
/// (exclusive); page with `limit` (1–200, default 50) and `cursor` (the previous page's `next_cursor`). 400
/// `invalid_parameter` for an unknown parameter, a bad value or a cursor the API did not give out.
#[utoipa::path(tag = "audit", params(AuditQuery), responses(
    (status = 200, description = "A page of the log", body = Page<AuditEntry>),
    (status = 400, description = "`invalid_parameter`", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an auditor", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/audit")]
pub async fn audit_log(
    pool: Pool,
    who: AuthUser,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    let q = query.into_inner();
    let filter = AuditFilter {
        user_id: q.user_id,
        action: q.action.filter(|a| !a.is_empty()),
        transaction_id: q.transaction_id,
        object_type: q.object_type.filter(|o| !o.is_empty()),
        from: q.from,
        to: q.to,
        limit: q.limit,
        cursor: q.cursor,
    };
    read(&pool, who, move |conn, actor| audit::list(conn, actor, &filter)).await
}

/// Verify the audit hash chain
///
/// Seals the entries still pending, then walks the chain from the first entry and reports whether every sealed entry
/// follows the one before it and matches its hash (`intact`), how many were checked, the head hash to keep elsewhere,
/// and the first entry that breaks the chain with the reason (`missing`, `chain_mismatch` or `hash_mismatch`). Auditors
/// only; everyone else, administrators included, gets 403 `forbidden`. The walk reads the whole log, so it takes longer
/// as the log grows; `muamalat audit-verify` does the same from the command line.
#[utoipa::path(tag = "audit", responses(
    (status = 200, description = "What verification found", body = AuditVerification),
    (status = 403, description = "Not an auditor", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/audit/verification")]
pub async fn audit_verification(pool: Pool, who: AuthUser) -> Result<web::Json<AuditVerification>, ApiError> {
    // Not a snapshot: verification first seals what is pending, in write transactions of its own.
    as_caller(&pool, who, |conn, actor| {
        audit::ensure_auditor(actor)?;
        audit::verify(conn)
    })
    .await
    .map(web::Json)
}
