//! `/inbox`: what I hold, my unit's queue, what I sent, copies to me; `/drafts`: what I have not sent yet.

use actix_web::{get, web};
use serde::Deserialize;
use shared_types::{
    InboxBox, InboxCounts, InboxItem, Page, Priority, Problem, TransactionKind, TransactionStatus, TransactionSummary,
};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{PageQuery, Pool, read};
use crate::auth::AuthUser;
use crate::domain::tracking::{self, ListFilter};
use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(inbox_counts).service(inbox).service(drafts);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Which box: `held` (default), `unit`, `sent`, `copies`.
    #[serde(rename = "box")]
    #[param(rename = "box")]
    pub which: Option<InboxBox>,
    pub kind: Option<TransactionKind>,
    /// Status of the transaction.
    pub status: Option<TransactionStatus>,
    pub priority: Option<Priority>,
    /// Only referrals past their due date (true) or not (false).
    pub overdue: Option<bool>,
    /// Page size, 1–200 (default 50).
    #[serde(default, deserialize_with = "crate::routes::page_limit")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List one box of my inbox
///
/// `box=held` (the default): open referrals addressed to the caller by name, other than copies; `unit`: open referrals
/// waiting in the caller's unit queue (no user named); `sent`: referrals the caller sent, open or completed; `copies`:
/// open copies for information to the caller or their unit. During a delegation the held, unit and copies boxes also
/// hold those of the manager the caller stands in for. Each item is the transaction's summary with the referral and its
/// dwell time, newest first, only for transactions within the caller's clearance; filter by `kind`, `status`,
/// `priority` and `overdue`, and page with `limit` (1–200, default 50) and `cursor` (the previous page's
/// `next_cursor`). 400 `invalid_parameter` for an unknown parameter, a bad value or a cursor the API did not give out.
#[utoipa::path(tag = "tracking", params(InboxQuery), responses(
    (status = 200, description = "A page of the box", body = Page<InboxItem>, example = super::examples::inbox_page),
    (status = 400, description = "`invalid_parameter`", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/inbox")]
pub async fn inbox(
    pool: Pool,
    who: AuthUser,
    query: web::Query<InboxQuery>,
) -> Result<web::Json<Page<InboxItem>>, ApiError> {
    let q = query.into_inner();
    let which = q.which.unwrap_or(InboxBox::Held);
    let filter = ListFilter {
        kind: q.kind,
        status: q.status,
        priority: q.priority,
        overdue: q.overdue,
        limit: q.limit,
        cursor: q.cursor,
    };
    read(&pool, who, move |conn, actor| tracking::inbox(conn, actor, which, &filter)).await
}

/// Count the open items in my inbox
///
/// How many open referrals wait for the caller: `held` (addressed to them, other than copies), `unit` (their unit's
/// queue), `copies` (for information, to them or their unit) and `overdue` (held or queued past their due date). The
/// counts follow the same rules as `GET /inbox`: a delegating manager's items are included during a delegation, and
/// only transactions within the caller's clearance are counted. Any signed-in user.
#[utoipa::path(tag = "tracking", responses(
    (status = 200, description = "Counts of the boxes", body = InboxCounts),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/inbox/counts")]
pub async fn inbox_counts(pool: Pool, who: AuthUser) -> Result<web::Json<InboxCounts>, ApiError> {
    read(&pool, who, tracking::inbox_counts).await
}

/// List my drafts
///
/// The internal transactions the caller started and has not sent yet, newest first, within the caller's clearance
/// (which may have been lowered since they wrote one). Edit a draft with `PATCH /transactions/{id}` and send it with
/// `POST /transactions/{id}/send`. Page with `limit` (1–200, default 50) and `cursor` (the previous page's
/// `next_cursor`); 400 `invalid_parameter` for a cursor the API did not give out. Any signed-in user.
#[utoipa::path(tag = "tracking", params(PageQuery), responses(
    (status = 200, description = "A page of my drafts", body = Page<TransactionSummary>),
    (status = 400, description = "`invalid_parameter`", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/drafts")]
pub async fn drafts(
    pool: Pool,
    who: AuthUser,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<TransactionSummary>>, ApiError> {
    let q = query.into_inner();
    read(&pool, who, move |conn, actor| tracking::drafts(conn, actor, q.limit, q.cursor.as_deref())).await
}
