//! Tracking: a transaction's header, route tree, current location and dwell times (and the arithmetic of dwell); the inbox boxes and
//! the manager overview, with keyset (cursor) pagination.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared_types::{
    DwellReport, DwellTime, DwellTotal, ErrorCode, Holder, InboxBox, InboxCounts, InboxItem, Location, Page, Priority,
    Referral, Role, Route, RouteNode, Transaction, TransactionKind, TransactionStatus, TransactionSummary,
};

use super::actor::Actor;
use super::views::{self, Refs};
use super::{now, policy, utc};
use crate::columns::AsText;
use crate::db::{self, DbConn};
use crate::domain::ids::TransactionId;
use crate::error::ApiError;
use crate::models::{self, ReferralRow, TransactionRow};
use crate::schema::{referrals, transactions, units};
use crate::working_time::BusinessClock;

pub fn get(conn: &mut DbConn, actor: &Actor, id: TransactionId) -> Result<Transaction, ApiError> {
    let t = policy::visible_transaction(conn, actor, id)?;
    views::transaction(conn, actor, &t)
}

fn all_referrals(conn: &mut DbConn, transaction_id: i64) -> Result<Vec<ReferralRow>, ApiError> {
    Ok(referrals::table
        .filter(referrals::transaction_id.eq(transaction_id))
        .order(referrals::id)
        .select(ReferralRow::as_select())
        .load(conn)?)
}

/// The route as a forest: each referral under the one it was forwarded or returned from.
pub fn route(conn: &mut DbConn, actor: &Actor, id: TransactionId) -> Result<Route, ApiError> {
    let t = policy::visible_transaction(conn, actor, id)?;
    let rows = all_referrals(conn, t.id)?;
    let views = views::referrals(conn, &rows)?;
    let mut children: HashMap<Option<i64>, Vec<Referral>> = HashMap::new();
    for r in views {
        children.entry(r.parent_referral_id).or_default().push(r);
    }
    fn build(parent: Option<i64>, children: &mut HashMap<Option<i64>, Vec<Referral>>) -> Vec<RouteNode> {
        let list = children.remove(&parent).unwrap_or_default();
        list.into_iter()
            .map(|referral| {
                let id = referral.id;
                RouteNode { referral, children: build(Some(id), children) }
            })
            .collect()
    }
    Ok(Route { transaction_id: t.id, roots: build(None, &mut children) })
}

/// Where the transaction is now, and who holds it for action.
pub fn location(conn: &mut DbConn, actor: &Actor, id: TransactionId) -> Result<Location, ApiError> {
    let t = policy::visible_transaction(conn, actor, id)?;
    let rows: Vec<ReferralRow> = all_referrals(conn, t.id)?.into_iter().filter(ReferralRow::is_open).collect();
    let open_referrals = views::referrals(conn, &rows)?;
    let holders = open_referrals
        .iter()
        .filter(|r| r.purpose == shared_types::Purpose::Action)
        .map(|r| Holder {
            referral_id: r.id,
            unit: r.to_unit.clone(),
            user: r.to_user.clone().or_else(|| r.received_by.clone()),
            since: r.sent_at,
            dwell: r.dwell,
        })
        .collect();
    Ok(Location { transaction_id: t.id, status: t.status, open_referrals, holders })
}

fn seconds_between(from: NaiveDateTime, to: NaiveDateTime) -> i64 {
    (to - from).num_seconds().max(0)
}

/// Waiting (sent → received) and working (received → completed, or → `now` while open) time of a referral, in
/// wall-clock time and, given the working calendar's clock, in business time.
pub fn dwell_of(r: &ReferralRow, now: NaiveDateTime, clock: Option<&BusinessClock>) -> DwellTime {
    let end = r.completed_at.unwrap_or(now);
    let received = r.received_at.unwrap_or(end).max(r.sent_at);
    // Business time is never more than wall-clock time (each drops the fractions of a second its own way).
    let span = |from: NaiveDateTime, to: NaiveDateTime| {
        let wall = seconds_between(from, to);
        shared_types::TimeSpan {
            wall_clock_seconds: wall,
            business_seconds: clock.map(|c| c.between(from, to).min(wall)),
        }
    };
    let waiting = span(r.sent_at, received);
    let working = match r.received_at {
        Some(_) => span(received, end.max(received)),
        None => shared_types::TimeSpan { wall_clock_seconds: 0, business_seconds: clock.map(|_| 0) },
    };
    let total = shared_types::TimeSpan {
        wall_clock_seconds: waiting.wall_clock_seconds + working.wall_clock_seconds,
        business_seconds: waiting.business_seconds.zip(working.business_seconds).map(|(a, b)| a + b),
    };
    DwellTime { waiting, working, total, running: r.completed_at.is_none() }
}

fn add_span(sum: &mut shared_types::TimeSpan, span: shared_types::TimeSpan, first: bool) {
    sum.wall_clock_seconds += span.wall_clock_seconds;
    sum.business_seconds = match (first, sum.business_seconds, span.business_seconds) {
        (true, _, b) => b,
        (false, Some(a), Some(b)) => Some(a + b),
        _ => None,
    };
}

fn add(total: &mut DwellTotal, r: &Referral) {
    let first = total.referrals == 0;
    total.referrals += 1;
    add_span(&mut total.waiting, r.dwell.waiting, first);
    add_span(&mut total.working, r.dwell.working, first);
    add_span(&mut total.total, r.dwell.total, first);
}

/// Dwell time of every referral, with totals per user and per unit.
pub fn dwell(conn: &mut DbConn, actor: &Actor, id: TransactionId) -> Result<DwellReport, ApiError> {
    let t = policy::visible_transaction(conn, actor, id)?;
    let at = now();
    let rows = all_referrals(conn, t.id)?;
    let refs = Refs::for_referrals(conn, &rows)?;
    let referrals = rows.iter().map(|r| views::referral(r, &refs, at)).collect::<Result<Vec<_>, _>>()?;
    let mut per_user: BTreeMap<(i64, i64), DwellTotal> = BTreeMap::new();
    let mut per_unit: BTreeMap<i64, DwellTotal> = BTreeMap::new();
    let empty = |user, unit| DwellTotal {
        user,
        unit,
        referrals: 0,
        waiting: Default::default(),
        working: Default::default(),
        total: Default::default(),
    };
    for r in &referrals {
        // A referral to a unit's queue counts for whoever took it.
        if let Some(user) = r.to_user.clone().or_else(|| r.received_by.clone()) {
            let entry = per_user.entry((user.id, r.to_unit.id)).or_insert_with(|| empty(Some(user), r.to_unit.clone()));
            add(entry, r);
        }
        let entry = per_unit.entry(r.to_unit.id).or_insert_with(|| empty(None, r.to_unit.clone()));
        add(entry, r);
    }
    Ok(DwellReport {
        transaction_id: t.id,
        as_of: utc(at),
        referrals,
        per_user: per_user.into_values().collect(),
        per_unit: per_unit.into_values().collect(),
    })
}

/// Filters shared by the inbox and the overview.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub kind: Option<TransactionKind>,
    pub status: Option<TransactionStatus>,
    pub priority: Option<Priority>,
    pub overdue: Option<bool>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

type Listing = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoin<referrals::table, transactions::table>,
    <DbConn as diesel::Connection>::Backend,
>;

fn listing() -> Listing {
    referrals::table.inner_join(transactions::table).into_boxed()
}

/// Apply the filters and the cursor to one listing and load at most `limit + 1` rows of it, in id order.
fn fetch(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &ListFilter,
    mut query: Listing,
    oldest_first: bool,
    limit: u32,
    at: NaiveDateTime,
) -> Result<Vec<(ReferralRow, TransactionRow)>, ApiError> {
    query = query.filter(policy::cleared(actor));
    if let Some(kind) = filter.kind {
        query = query.filter(transactions::kind.eq(AsText(kind)));
    }
    if let Some(status) = filter.status {
        query = query.filter(transactions::status.eq(AsText(status)));
    }
    if let Some(priority) = filter.priority {
        query = query.filter(transactions::priority.eq(AsText(priority)));
    }
    match filter.overdue {
        Some(true) => query = query.filter(models::open_referral()).filter(referrals::due_at.lt(at)),
        Some(false) => query = query.filter(referrals::due_at.is_null().or(referrals::due_at.ge(at))),
        None => {}
    }
    if let Some(after) = super::paging::after(filter.cursor.as_deref(), 'r')? {
        query =
            if oldest_first { query.filter(referrals::id.gt(after)) } else { query.filter(referrals::id.lt(after)) };
    }
    query = if oldest_first { query.order(referrals::id.asc()) } else { query.order(referrals::id.desc()) };
    Ok(query.limit(i64::from(limit) + 1).select((ReferralRow::as_select(), TransactionRow::as_select())).load(conn)?)
}

/// A page from one or more listings merged in id order. Each listing is a simple indexed scan; merging them here,
/// rather than with `OR` in SQL, keeps every page a bounded walk down an index.
fn page(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &ListFilter,
    listings: Vec<Listing>,
    oldest_first: bool,
) -> Result<Page<InboxItem>, ApiError> {
    let limit = super::paging::size(filter.limit);
    let at = now();
    let mut rows = Vec::new();
    for query in listings {
        rows.extend(fetch(conn, actor, filter, query, oldest_first, limit, at)?);
    }
    rows.sort_by_key(|(r, _)| if oldest_first { r.id } else { -r.id });
    rows.dedup_by_key(|(r, _)| r.id);
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let referral_rows: Vec<ReferralRow> = rows.iter().map(|(r, _)| r.clone()).collect();
    let refs = Refs::for_referrals(conn, &referral_rows)?;
    let items = rows
        .iter()
        .map(|(r, t)| Ok(InboxItem { transaction: views::summary(t)?, referral: views::referral(r, &refs, at)? }))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let next_cursor = if more { rows.last().map(|(r, _)| format!("r{}", r.id)) } else { None };
    Ok(Page { items, next_cursor })
}

/// One box of the caller's inbox.
pub fn inbox(
    conn: &mut DbConn,
    actor: &Actor,
    which: InboxBox,
    filter: &ListFilter,
) -> Result<Page<InboxItem>, ApiError> {
    let backend = db::backend_of(conn);
    let by = |column: &'static str, value: i64| db::driving_eq(backend, column, value);
    // My referrals and my unit's queue; during a delegation, also those of the managers I stand in for.
    let to = |user: i64| listing().filter(by("referrals.to_user_id", user));
    let queue = |unit: i64| listing().filter(by("referrals.to_unit_id", unit)).filter(referrals::to_user_id.is_null());
    let (users, queues) = (actor.user_ids(), actor.queue_unit_ids());
    let listings = match which {
        InboxBox::Held => users.iter().map(|u| to(*u).filter(models::open_work())).collect(),
        InboxBox::Unit => queues.iter().map(|u| queue(*u).filter(models::open_work())).collect(),
        InboxBox::Sent => vec![listing().filter(by("referrals.from_user_id", actor.id()))],
        InboxBox::Copies => users
            .iter()
            .map(|u| to(*u).filter(models::open_copy()))
            .chain(queues.iter().map(|u| queue(*u).filter(models::open_copy())))
            .collect(),
    };
    page(conn, actor, filter, listings, false)
}

/// How many open items wait in the caller's boxes, within their clearance.
pub fn inbox_counts(conn: &mut DbConn, actor: &Actor) -> Result<InboxCounts, ApiError> {
    let backend = db::backend_of(conn);
    let by = |column: &'static str, value: i64| db::driving_eq(backend, column, value);
    let to = |user: i64| listing().filter(by("referrals.to_user_id", user)).filter(policy::cleared(actor));
    let queue = |unit: i64| {
        listing()
            .filter(by("referrals.to_unit_id", unit))
            .filter(referrals::to_user_id.is_null())
            .filter(policy::cleared(actor))
    };
    let at = now();
    let count = |conn: &mut DbConn, query: Listing| -> Result<i64, ApiError> { Ok(query.count().get_result(conn)?) };
    let mut counts = InboxCounts { held: 0, unit: 0, copies: 0, overdue: 0 };
    for user in actor.user_ids() {
        counts.held += count(conn, to(user).filter(models::open_work()))?;
        counts.copies += count(conn, to(user).filter(models::open_copy()))?;
        counts.overdue += count(conn, to(user).filter(models::open_work()).filter(referrals::due_at.lt(at)))?;
    }
    for unit in actor.queue_unit_ids() {
        counts.unit += count(conn, queue(unit).filter(models::open_work()))?;
        counts.copies += count(conn, queue(unit).filter(models::open_copy()))?;
        counts.overdue += count(conn, queue(unit).filter(models::open_work()).filter(referrals::due_at.lt(at)))?;
    }
    Ok(counts)
}

/// Everything open in a unit and below it, oldest first by default: who holds what, and for how long. For the
/// unit's head (or a head above it), admins and auditors.
pub fn overview(
    conn: &mut DbConn,
    actor: &Actor,
    unit_id: i64,
    oldest_first: bool,
    filter: &ListFilter,
) -> Result<Page<InboxItem>, ApiError> {
    let unit = units::table
        .find(unit_id)
        .select(crate::models::UnitRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(ErrorCode::UnitNotFound, format!("No unit {unit_id}.")))?;
    if !(actor.manages(unit.id) || actor.has(Role::Admin) || actor.has(Role::Auditor)) {
        return Err(ApiError::forbidden("Only the head of this unit (or above it) can see its overview."));
    }
    let subtree = super::actor::subtree_ids(conn, std::slice::from_ref(&unit))?;
    let query = listing().filter(referrals::to_unit_id.eq_any(subtree)).filter(models::open_referral());
    page(conn, actor, filter, vec![query], oldest_first)
}

/// The caller's own drafts (internal transactions not sent yet), newest first; within their clearance (which may
/// have been lowered since they wrote one).
pub fn drafts(
    conn: &mut DbConn,
    actor: &Actor,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<Page<TransactionSummary>, ApiError> {
    let limit = super::paging::size(limit);
    let mut query = transactions::table
        .filter(transactions::created_by.eq(actor.id()))
        // A literal, not a bound value: only then can the planner use the partial index on drafts.
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "transactions.status = '{}'",
            TransactionStatus::Draft
        )))
        .filter(policy::cleared(actor))
        .into_boxed();
    if let Some(before) = super::paging::after(cursor, 'r')? {
        query = query.filter(transactions::id.lt(before));
    }
    let mut rows: Vec<TransactionRow> = query
        .order(transactions::id.desc())
        .limit(i64::from(limit) + 1)
        .select(TransactionRow::as_select())
        .load(conn)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|t| format!("r{}", t.id)) } else { None };
    let items = rows.iter().map(views::summary).collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use shared_types::{Purpose, ReferralStatus};

    use super::*;

    fn at(minutes: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_764_000_000 + minutes * 60, 0).unwrap_or_default().naive_utc()
    }

    fn sent_at_zero(received: Option<i64>, completed: Option<i64>) -> ReferralRow {
        ReferralRow {
            id: 1,
            transaction_id: 1,
            parent_referral_id: None,
            from_unit_id: 1,
            from_user_id: 1,
            to_unit_id: 2,
            to_user_id: None,
            purpose: Purpose::Action,
            instructions: None,
            due_at: None,
            status: if completed.is_some() { ReferralStatus::Completed } else { ReferralStatus::Sent },
            outcome: None,
            action_note: None,
            sent_at: at(0),
            received_at: received.map(at),
            received_by: None,
            completed_at: completed.map(at),
            completed_by: None,
            version: 1,
        }
    }

    /// Waiting runs from sent to received (or to now while unopened); working from received to completed (or to now).
    #[test]
    fn dwell_time_splits_waiting_from_working() {
        let secs = |d: DwellTime| {
            (d.waiting.wall_clock_seconds, d.working.wall_clock_seconds, d.total.wall_clock_seconds, d.running)
        };
        assert_eq!(secs(dwell_of(&sent_at_zero(None, None), at(30), None)), (1800, 0, 1800, true), "not opened yet");
        assert_eq!(
            secs(dwell_of(&sent_at_zero(Some(10), None), at(30), None)),
            (600, 1200, 1800, true),
            "being worked on"
        );
        assert_eq!(secs(dwell_of(&sent_at_zero(Some(10), Some(25)), at(90), None)), (600, 900, 1500, false), "done");
        assert_eq!(
            secs(dwell_of(&sent_at_zero(None, Some(5)), at(90), None)),
            (300, 0, 300, false),
            "completed unopened"
        );
        // A clock that went backwards never makes time negative.
        assert_eq!(secs(dwell_of(&sent_at_zero(None, None), at(-5), None)), (0, 0, 0, true));
    }

    /// With the working calendar's clock, each figure also counts only working hours.
    #[test]
    fn dwell_time_in_business_seconds_skips_nights_and_weekends() {
        use crate::working_time::{BusinessClock, Calendar};
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let clock = BusinessClock::new(Calendar::saudi_government(1447..=1448), day(1), day(31));
        // Riyadh wall-clock times as stored (UTC).
        let riyadh = |d: u32, h: u32| day(d).and_hms_opt(h, 0, 0).unwrap() - chrono::Duration::hours(3);
        let mut r = sent_at_zero(None, None);
        // Sent Thursday 10 December at 13:00, opened Sunday 13 December at 09:00, completed at 11:00.
        r.sent_at = riyadh(10, 13);
        r.received_at = Some(riyadh(13, 9));
        r.completed_at = Some(riyadh(13, 11));
        let d = dwell_of(&r, riyadh(20, 12), Some(&clock));
        let business = |s: shared_types::TimeSpan| (s.wall_clock_seconds, s.business_seconds);
        assert_eq!(business(d.waiting), (68 * 3600, Some(3 * 3600)), "1.5 h on Thursday, 1.5 h on Sunday");
        assert_eq!(business(d.working), (2 * 3600, Some(2 * 3600)));
        assert_eq!(business(d.total), (70 * 3600, Some(5 * 3600)));
        // Still open and unopened on Friday: the weekend adds wall-clock time only.
        r.received_at = None;
        r.completed_at = None;
        let d = dwell_of(&r, riyadh(11, 12), Some(&clock));
        assert_eq!(business(d.waiting), (23 * 3600, Some(90 * 60)));
        assert_eq!(business(d.working), (0, Some(0)));
        // Fractions of a second never make business time exceed wall-clock time.
        r.sent_at = riyadh(13, 9) + chrono::Duration::milliseconds(700);
        r.received_at = Some(r.sent_at);
        r.completed_at = Some(riyadh(13, 9) + chrono::Duration::milliseconds(1200));
        let d = dwell_of(&r, riyadh(20, 12), Some(&clock));
        assert!(d.total.business_seconds <= Some(d.total.wall_clock_seconds), "{d:?}");
    }
}
