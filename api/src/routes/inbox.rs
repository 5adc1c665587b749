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
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One box of the inbox, newest first, with cursor pagination.
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

/// How many open items wait in each box (held, unit queue, copies) and how many of held and queued are overdue.
#[utoipa::path(tag = "tracking", responses(
    (status = 200, description = "Counts of the boxes", body = InboxCounts),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = [])))]
#[get("/inbox/counts")]
pub async fn inbox_counts(pool: Pool, who: AuthUser) -> Result<web::Json<InboxCounts>, ApiError> {
    read(&pool, who, tracking::inbox_counts).await
}

/// My drafts: internal transactions I started and have not sent yet, newest first.
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
