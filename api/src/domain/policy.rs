//! Who may do what: every access and permission rule of transactions and referrals lives here, so each operation
//! checks it in one place. A caller who may not see a transaction gets 404, not 403, so ids leak nothing.

use diesel::dsl::exists;
use diesel::prelude::*;
use shared_types::{ErrorCode, Purpose, ReferralStatus, Role, TransactionKind, TransactionStatus};

use super::actor::Actor;
use crate::columns::{AsLevel, AsText};
use crate::db::DbConn;
use crate::domain::ids::{ReferralId, TransactionId};
use crate::error::ApiError;
use crate::models::{ReferralRow, TransactionRow};
use crate::schema::{referrals, transactions};
use crate::sql::{Sql, Value};

/// The clearance part of the visibility rule as an SQL filter on `transactions`, for lists. Every list is built
/// from what puts the actor on a route — referrals to them, their unit's queue or a unit they manage, referrals
/// they sent, drafts they wrote, entries about what they may see — so participation holds by construction, and
/// this filter, applied in SQL by every list and count, is the rest of the rule. Nothing is fetched to be dropped
/// afterwards.
pub type Cleared = diesel::dsl::LtEq<transactions::confidentiality, AsLevel>;

pub fn cleared(actor: &Actor) -> Cleared {
    transactions::confidentiality.le(AsLevel::from(actor.clearance()))
}

/// The clearance part of the rule for one row.
pub fn clears(actor: &Actor, t: &TransactionRow) -> bool {
    actor.clearance() >= t.confidentiality
}

/// Whether the actor may see the transaction: cleared for its confidentiality, and an admin or auditor, its creator,
/// a member of the registry that registered it, or on its route (themselves, their unit's queue, or a unit they
/// manage, with its subtree).
pub fn can_view(conn: &mut DbConn, actor: &Actor, t: &TransactionRow) -> Result<bool, ApiError> {
    if !clears(actor, t) {
        return Ok(false);
    }
    if sees_all_within_clearance(actor) || t.created_by == actor.id() {
        return Ok(true);
    }
    if t.registry_unit_id == Some(actor.unit.id) {
        return Ok(true);
    }
    // Themselves and, during a delegation, the managers they stand in for.
    let me = actor.user_ids();
    let queues = actor.queue_unit_ids();
    let managed = actor.all_managed_unit_ids();
    let on_route = diesel::select(exists(
        referrals::table.filter(referrals::transaction_id.eq(t.id)).filter(
            referrals::from_user_id
                .eq_any(me.clone())
                .or(referrals::to_user_id.eq_any(me.clone()))
                .or(referrals::to_unit_id.eq_any(queues).and(referrals::to_user_id.is_null()))
                .or(referrals::received_by.eq_any(me.clone()))
                .or(referrals::completed_by.eq_any(me))
                .or(referrals::to_unit_id.eq_any(managed.clone()))
                .or(referrals::from_unit_id.eq_any(managed)),
        ),
    ))
    .get_result::<bool>(conn)?;
    Ok(on_route)
}

/// Whether the actor sees every transaction their clearance allows, with no tie to it needed: administrators and
/// auditors.
pub fn sees_all_within_clearance(actor: &Actor) -> bool {
    actor.has(Role::Admin) || actor.has(Role::Auditor)
}

/// How the database is to apply the visibility rule to a query: which side it starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drive {
    /// Gather the transactions the actor is tied to, once, and join them: for queries that nothing else narrows
    /// (search without words, reports), where asking of each of millions of rows would read them all.
    FromTies,
    /// Ask of each row the query finds by other means (its words) whether the actor is tied to it: a handful of
    /// probes for a rare word, where gathering an employee's thousands of ties first would cost more than the search.
    /// (PostgreSQL cannot estimate the size of the gathered set and would start from it.)
    FromRows,
}

/// [`can_view`] as an SQL condition on the transaction `t`, for search and its counts, which filter and count
/// millions of rows in the database rather than fetch them: the same clearance, roles, authorship, registry and
/// route, delegations included (a test compares the two for every kind of actor, and tries each tie alone).
///
/// [`Drive::FromTies`] writes the rule as `t.id IN (…)`, the set of transactions the actor is tied to, one branch
/// per tie, each answered by an index of its own (`transactions_created_by_idx`, `transactions_registry_idx`,
/// `referrals_from_user_idx` and the `referrals_seen_*` indexes), so the set is found without reading every
/// transaction. [`Drive::FromRows`] writes the same ties as an `EXISTS` on the row's referrals.
pub fn visible_sql(actor: &Actor, sql: &mut Sql, drive: Drive) {
    sql.push("t.confidentiality <= ");
    sql.bind(Value::Int(i64::from(actor.clearance().level())));
    if sees_all_within_clearance(actor) {
        return;
    }
    let me = actor.user_ids();
    let managed = actor.all_managed_unit_ids();
    // The ties, each written once for both forms: on the transaction's own row (column, value), and on its
    // referrals (column, values, what else the branch asks). Who received or completed a referral is nearly always
    // the one it was sent to: those branches ask only for the other cases, which their partial indexes
    // (`referrals_seen_received_idx`, `referrals_seen_completed_idx`) keep; the rest is the `to_user_id` branch's.
    let own = [("created_by", actor.id()), ("registry_unit_id", actor.unit.id)];
    let mut route: Vec<(&str, Vec<i64>, Option<&str>)> = vec![
        ("from_user_id", me.clone(), None),
        ("to_user_id", me.clone(), None),
        ("to_unit_id", actor.queue_unit_ids(), Some("to_user_id IS NULL")),
        ("received_by", me.clone(), Some(RECEIVED_BY_OTHER)),
        ("completed_by", me, Some(COMPLETED_BY_OTHER)),
    ];
    if !managed.is_empty() {
        route.push(("to_unit_id", managed.clone(), None));
        route.push(("from_unit_id", managed, None));
    }
    let referral_tie = |sql: &mut Sql, (column, ids, also): &(&str, Vec<i64>, Option<&str>)| {
        if let Some(also) = also {
            sql.push(&format!("{also} AND "));
        }
        sql.push(&format!("{column} IN ")).bind_list(ids.iter().copied());
    };
    match drive {
        Drive::FromRows => {
            sql.push(" AND (");
            for (i, (column, value)) in own.iter().enumerate() {
                sql.push(&format!("{}t.{column} = ", if i == 0 { "" } else { " OR " }));
                sql.bind(Value::Int(*value));
            }
            sql.push(" OR EXISTS (SELECT 1 FROM referrals v WHERE v.transaction_id = t.id AND (");
            for (i, tie) in route.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { " OR (" });
                referral_tie(sql, tie);
                sql.push(")");
            }
            sql.push(")))");
        }
        Drive::FromTies => {
            sql.push(" AND t.id IN (");
            for (i, (column, value)) in own.iter().enumerate() {
                let union = if i == 0 { "" } else { " UNION ALL " };
                sql.push(&format!("{union}SELECT id FROM transactions WHERE {column} = "));
                sql.bind(Value::Int(*value));
            }
            for tie in &route {
                sql.push(" UNION ALL SELECT transaction_id FROM referrals WHERE ");
                referral_tie(sql, tie);
            }
            sql.push(")");
        }
    }
}

/// The referrals received by someone other than the one they were sent to (a unit's queue, or a deputy): the
/// condition of the partial index `referrals_seen_received_idx`, written identically.
const RECEIVED_BY_OTHER: &str = "received_by IS NOT NULL AND (to_user_id IS NULL OR received_by <> to_user_id)";
/// The referrals completed by someone other than the one they were sent to and the one who received them: the
/// condition of the partial index `referrals_seen_completed_idx`, written identically.
const COMPLETED_BY_OTHER: &str = "completed_by IS NOT NULL AND (to_user_id IS NULL OR completed_by <> to_user_id) \
    AND (received_by IS NULL OR completed_by <> received_by)";

/// Load a transaction the actor may see, or answer 404.
pub fn visible_transaction(conn: &mut DbConn, actor: &Actor, id: TransactionId) -> Result<TransactionRow, ApiError> {
    let not_found = || ApiError::not_found(ErrorCode::TransactionNotFound, format!("No transaction {id}."));
    let t: TransactionRow = transactions::table
        .find(id)
        .select(TransactionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    if can_view(conn, actor, &t)? { Ok(t) } else { Err(not_found()) }
}

/// Load a referral whose transaction the actor may see, or answer 404; also answers the transaction.
pub fn visible_referral(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReferralId,
) -> Result<(ReferralRow, TransactionRow), ApiError> {
    let not_found = || ApiError::not_found(ErrorCode::ReferralNotFound, format!("No referral {id}."));
    let r: ReferralRow =
        referrals::table.find(id).select(ReferralRow::as_select()).first(conn).optional()?.ok_or_else(not_found)?;
    let t: TransactionRow =
        transactions::table.find(r.transaction_id).select(TransactionRow::as_select()).first(conn)?;
    if can_view(conn, actor, &t)? { Ok((r, t)) } else { Err(not_found()) }
}

/// Whether the actor holds this referral: it names them, or it sits in their unit's queue, or they head the unit
/// it was sent to (or one above it) — themselves, or as the deputy of a manager who does.
pub fn holds(actor: &Actor, r: &ReferralRow) -> bool {
    holds_own(actor, r) || delegator_holding(actor, r).is_some()
}

fn holds_own(actor: &Actor, r: &ReferralRow) -> bool {
    match r.to_user_id {
        Some(user) => user == actor.id() || actor.manages_own(r.to_unit_id),
        None => r.to_unit_id == actor.unit.id || actor.manages_own(r.to_unit_id),
    }
}

/// The delegator whose authority makes the actor hold this referral, if it is not their own.
fn delegator_holding(actor: &Actor, r: &ReferralRow) -> Option<i64> {
    actor
        .delegators
        .iter()
        .find(|d| {
            d.managed_unit_ids.contains(&r.to_unit_id)
                || match r.to_user_id {
                    Some(user) => user == d.user_id,
                    None => r.to_unit_id == d.unit_id,
                }
        })
        .map(|d| d.user_id)
}

/// The actor as they act through this referral: on their own authority, or on behalf of the delegator it comes
/// from (which every event and audit entry they record then names).
pub fn acting(actor: &Actor, through: Option<&ReferralRow>) -> Actor {
    match through {
        Some(r) if !holds_own(actor, r) => match delegator_holding(actor, r) {
            Some(delegator) => actor.on_behalf_of(delegator),
            None => actor.clone(),
        },
        _ => actor.clone(),
    }
}

/// The actor must hold the referral, and it must still be open.
pub fn ensure_holds_open(actor: &Actor, r: &ReferralRow) -> Result<(), ApiError> {
    if !holds(actor, r) {
        return Err(ApiError::conflict(ErrorCode::ReferralNotHeld, "You do not hold this referral."));
    }
    if r.status == ReferralStatus::Completed {
        return Err(ApiError::conflict(
            ErrorCode::ReferralAlreadyCompleted,
            "This referral was already completed (forwarded, returned or completed).",
        ));
    }
    Ok(())
}

/// The transaction must be open (not a draft, closed or archived) for routing actions.
pub fn ensure_open(t: &TransactionRow) -> Result<(), ApiError> {
    match t.status {
        TransactionStatus::Open => Ok(()),
        TransactionStatus::Draft => {
            Err(ApiError::conflict(ErrorCode::TransactionIsDraft, "This transaction is a draft; send it first."))
        }
        TransactionStatus::Closed => {
            Err(ApiError::conflict(ErrorCode::TransactionClosed, "This transaction is closed; reopen it first."))
        }
        TransactionStatus::Archived => {
            Err(ApiError::conflict(ErrorCode::TransactionArchived, "This transaction is archived."))
        }
    }
}

/// Check the transaction is open and lock its row for the rest of the database transaction. Every routing change
/// takes this lock first, so a close cannot interleave with a referral being opened (PostgreSQL runs writers
/// concurrently; SQLite already serialises them).
/// Answers the row as locked, so the rules that follow judge what is now, not what was read before the lock.
pub fn lock_open(conn: &mut DbConn, t: &TransactionRow) -> Result<TransactionRow, ApiError> {
    let locked: Option<TransactionRow> =
        diesel::update(transactions::table.find(t.id).filter(transactions::status.eq(AsText(TransactionStatus::Open))))
            .set(transactions::updated_at.eq(super::now()))
            .returning(transactions::all_columns)
            .get_result(conn)
            .optional()?;
    if let Some(locked) = locked {
        return Ok(locked);
    }
    let current: TransactionRow = transactions::table.find(t.id).select(TransactionRow::as_select()).first(conn)?;
    ensure_open(&current)?;
    Ok(current)
}

pub fn ensure_version(expected: Option<i32>, actual: i32) -> Result<(), ApiError> {
    match expected {
        Some(v) if v != actual => Err(ApiError::conflict(
            ErrorCode::VersionConflict,
            format!("This record changed since you read it (version {v}, now {actual}); reload it."),
        )),
        _ => Ok(()),
    }
}

/// Whether the actor speaks for the transaction's owner side: a clerk of the registry that registered it, its
/// creator, or an admin.
pub fn is_owner(actor: &Actor, t: &TransactionRow) -> bool {
    actor.is_admin()
        || t.created_by == actor.id()
        || (actor.has(Role::RegistryClerk) && t.registry_unit_id == Some(actor.unit.id))
}

/// Open referrals of the transaction, oldest first.
pub fn open_referrals(conn: &mut DbConn, t: &TransactionRow) -> Result<Vec<ReferralRow>, ApiError> {
    Ok(referrals::table
        .filter(referrals::transaction_id.eq(t.id))
        .filter(crate::models::open_referral())
        .order(referrals::id)
        .select(ReferralRow::as_select())
        .load(conn)?)
}

/// Staff roles that may originate correspondence; auditors only read.
pub fn ensure_staff(actor: &Actor) -> Result<(), ApiError> {
    if [Role::Admin, Role::RegistryClerk, Role::Manager, Role::Employee].iter().any(|r| actor.has(*r)) {
        Ok(())
    } else {
        Err(ApiError::forbidden("Your role cannot create or route correspondence."))
    }
}

pub fn ensure_admin(actor: &Actor) -> Result<(), ApiError> {
    if actor.is_admin() { Ok(()) } else { Err(ApiError::forbidden("Only an administrator can do this.")) }
}

// The named rules. Each is the whole decision of one action — the state it needs (409) and who may (403), in the
// order the operation has always checked them — and is called both by the operation and by `offered`, so what a
// client is offered is exactly what the server then accepts (tested for every state and kind of actor).

/// Register (or start) a transaction of this kind: staff; incoming mail only by registry clerks.
pub fn may_register(actor: &Actor, kind: TransactionKind) -> Result<(), ApiError> {
    ensure_staff(actor)?;
    if kind == TransactionKind::Incoming && !actor.has(Role::RegistryClerk) {
        return Err(ApiError::forbidden("Only registry clerks register incoming correspondence."));
    }
    Ok(())
}

/// Edit or send a draft: it must be one (409), and the caller its author or an admin (403).
pub fn may_edit_draft(actor: &Actor, t: &TransactionRow) -> Result<(), ApiError> {
    if t.status != TransactionStatus::Draft {
        return Err(ApiError::conflict(ErrorCode::TransactionNotDraft, "Only a draft can be edited or sent."));
    }
    if t.created_by != actor.id() && !actor.is_admin() {
        return Err(ApiError::forbidden("Only the author of a draft can edit or send it."));
    }
    Ok(())
}

/// Refer the transaction further (without giving up a referral): open (409), then staff speaking for the owner side
/// or holding an open referral on it (403). Answers the referral to hang new referrals under, the one held for
/// action first.
pub fn may_refer<'r>(
    actor: &Actor,
    t: &TransactionRow,
    open: &'r [ReferralRow],
) -> Result<Option<&'r ReferralRow>, ApiError> {
    ensure_open(t)?;
    ensure_staff(actor)?;
    let mut held = open.iter().filter(|r| holds(actor, r));
    let first = held.clone().next();
    let parent = held.find(|r| r.purpose == Purpose::Action).or(first);
    if parent.is_some() || is_owner(actor, t) {
        Ok(parent)
    } else {
        Err(ApiError::forbidden("Only the registry, the creator, or a holder of an open referral can do this."))
    }
}

/// Record a decision: whoever may refer it.
pub fn may_decide<'r>(
    actor: &Actor,
    t: &TransactionRow,
    open: &'r [ReferralRow],
) -> Result<Option<&'r ReferralRow>, ApiError> {
    may_refer(actor, t, open)
}

/// Link it to another transaction: not archived (409), then staff speaking for the owner side or holding an open
/// referral on it (403), whatever else its state.
pub fn may_link(actor: &Actor, t: &TransactionRow, open: &[ReferralRow]) -> Result<(), ApiError> {
    if t.status == TransactionStatus::Archived {
        ensure_open(t)?;
    }
    ensure_staff(actor)?;
    if open.iter().any(|r| holds(actor, r)) || is_owner(actor, t) {
        Ok(())
    } else {
        Err(ApiError::forbidden("Only the registry, the creator, or a holder of an open referral can do this."))
    }
}

/// Annotate: any member of staff who can see it (403 first), while it is open (409).
pub fn may_annotate(actor: &Actor, t: &TransactionRow) -> Result<(), ApiError> {
    ensure_staff(actor)?;
    ensure_open(t)
}

/// Close: open (409), then staff holding an open referral for action on it, or speaking for the owner side when
/// they hold none (403). Answers the referral they close through. Whether others still hold referrals for action
/// is [`close_blocked_by`], checked by the operation after the version and the resolution.
pub fn may_close<'r>(
    actor: &Actor,
    t: &TransactionRow,
    open: &'r [ReferralRow],
) -> Result<Option<&'r ReferralRow>, ApiError> {
    ensure_open(t)?;
    ensure_staff(actor)?;
    let mine = open.iter().find(|r| r.purpose == Purpose::Action && holds(actor, r));
    if mine.is_none() && !is_owner(actor, t) {
        return Err(ApiError::forbidden("Only the holder or the registry can close this transaction."));
    }
    Ok(mine)
}

/// How many open referrals for action others hold: closing waits for them (409 `open_action_referrals`).
pub fn close_blocked_by(actor: &Actor, open: &[ReferralRow]) -> usize {
    open.iter().filter(|r| r.purpose == Purpose::Action && !holds(actor, r)).count()
}

/// Who reopens a closed transaction: its owner side, or whoever closed it (who then gets it back for action).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reopener {
    Owner,
    Closer,
}

/// Reopen: closed (409 archived, 409 not closed), then the owner side or its closer (403).
pub fn may_reopen(actor: &Actor, t: &TransactionRow) -> Result<Reopener, ApiError> {
    match t.status {
        TransactionStatus::Closed => {}
        TransactionStatus::Archived => {
            return Err(ApiError::conflict(ErrorCode::TransactionArchived, "This transaction is archived."));
        }
        TransactionStatus::Draft | TransactionStatus::Open => {
            return Err(ApiError::conflict(
                ErrorCode::TransactionNotClosed,
                "Only a closed transaction can be reopened.",
            ));
        }
    }
    if is_owner(actor, t) {
        Ok(Reopener::Owner)
    } else if t.closed_by == Some(actor.id()) {
        Ok(Reopener::Closer)
    } else {
        Err(ApiError::forbidden("Only whoever closed it or the registry can reopen this transaction."))
    }
}

/// Archive: closed (409), then an admin or a clerk of the registry that registered it (403).
pub fn may_archive(actor: &Actor, t: &TransactionRow) -> Result<(), ApiError> {
    match t.status {
        TransactionStatus::Closed => {}
        TransactionStatus::Archived => {
            return Err(ApiError::conflict(ErrorCode::TransactionArchived, "This transaction is already archived."));
        }
        TransactionStatus::Draft | TransactionStatus::Open => {
            return Err(ApiError::conflict(
                ErrorCode::TransactionNotClosed,
                "Only a closed transaction can be archived.",
            ));
        }
    }
    if actor.is_admin() || (actor.has(Role::RegistryClerk) && t.registry_unit_id == Some(actor.unit.id)) {
        Ok(())
    } else {
        Err(ApiError::forbidden("Only the registry that registered it can archive this transaction."))
    }
}

/// Act on a referral — receive, forward, return or complete it: the transaction open (409), the referral held by
/// the caller (409 `referral_not_held`) and not completed yet (409).
pub fn may_act_on(actor: &Actor, t: &TransactionRow, r: &ReferralRow) -> Result<(), ApiError> {
    ensure_open(t)?;
    ensure_holds_open(actor, r)
}

/// Receive a referral: one the caller may act on, not received yet (409).
pub fn may_receive(actor: &Actor, t: &TransactionRow, r: &ReferralRow) -> Result<(), ApiError> {
    may_act_on(actor, t, r)?;
    if r.status == ReferralStatus::Received {
        return Err(ApiError::conflict(ErrorCode::ReferralAlreadyReceived, "This referral was already received."));
    }
    Ok(())
}

/// Add a document or a new version: any member of staff who can see it (403), while it is a draft or open (409).
pub fn may_add_document(actor: &Actor, t: &TransactionRow) -> Result<(), ApiError> {
    ensure_staff(actor)?;
    ensure_writable(t)
}

/// Documents may be added to, or given versions in, a transaction that is a draft or open.
pub fn ensure_writable(t: &TransactionRow) -> Result<(), ApiError> {
    match t.status {
        TransactionStatus::Closed => {
            Err(ApiError::conflict(ErrorCode::TransactionClosed, "This transaction is closed; reopen it first."))
        }
        TransactionStatus::Archived => {
            Err(ApiError::conflict(ErrorCode::TransactionArchived, "This transaction is archived."))
        }
        TransactionStatus::Draft | TransactionStatus::Open => Ok(()),
    }
}

/// What the actor may do on a transaction now, for clients: the named rules above, asked of each action.
pub fn allowed_actions(
    conn: &mut DbConn,
    actor: &Actor,
    t: &TransactionRow,
) -> Result<shared_types::AllowedActions, ApiError> {
    let open = open_referrals(conn, t)?;
    Ok(offered(actor, t, &open))
}

/// [`allowed_actions`] on what is loaded: the transaction and its open referrals.
pub fn offered(actor: &Actor, t: &TransactionRow, open: &[ReferralRow]) -> shared_types::AllowedActions {
    let blocked = close_blocked_by(actor, open);
    shared_types::AllowedActions {
        transaction_id: t.id,
        refer: may_refer(actor, t, open).is_ok(),
        decide: may_decide(actor, t, open).is_ok(),
        annotate: may_annotate(actor, t).is_ok(),
        close: may_close(actor, t, open).is_ok() && blocked == 0,
        close_blocked_by: blocked as i64,
        reopen: may_reopen(actor, t).is_ok(),
        archive: may_archive(actor, t).is_ok(),
        edit_draft: may_edit_draft(actor, t).is_ok(),
        send: may_edit_draft(actor, t).is_ok(),
        add_document: may_add_document(actor, t).is_ok(),
        link: may_link(actor, t, open).is_ok(),
        referrals: open
            .iter()
            .filter(|r| may_act_on(actor, t, r).is_ok())
            .map(|r| shared_types::ReferralActions {
                referral_id: r.id,
                version: r.version,
                receive: may_receive(actor, t, r).is_ok(),
                forward: true,
                return_to_sender: true,
                complete: true,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    //! Who holds a referral and on whose authority they act: the rules alone, without a database or HTTP.

    use chrono::NaiveDateTime;

    use super::*;
    use crate::domain::actor::Delegator;
    use crate::models::{UnitRow, UserRow};

    fn at() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap_or_default().naive_utc()
    }

    fn actor(id: i64, unit: i64, managed: &[i64], delegators: Vec<Delegator>) -> Actor {
        let user = UserRow {
            id,
            username: format!("user{id}"),
            password_hash: String::new(),
            full_name_ar: String::new(),
            full_name_en: String::new(),
            unit_id: unit,
            clearance: shared_types::Confidentiality::Confidential,
            phone: None,
            email: None,
            active: true,
            created_at: at(),
            updated_at: at(),
            failed_logins: 0,
            locked_until: None,
            search_name: String::new(),
        };
        let unit = UnitRow {
            id: unit,
            code: format!("U{unit}"),
            name_ar: String::new(),
            name_en: String::new(),
            kind: shared_types::UnitKind::Department,
            parent_id: None,
            head_user_id: None,
            registry_code: None,
            path: format!("/{unit}/"),
            active: true,
            created_at: at(),
            updated_at: at(),
        };
        Actor {
            user,
            roles: vec![Role::Employee],
            unit,
            managed_unit_ids: managed.to_vec(),
            origin: None,
            delegators,
            on_behalf_of: None,
        }
    }

    fn referral(to_unit: i64, to_user: Option<i64>) -> ReferralRow {
        ReferralRow {
            id: 1,
            transaction_id: 1,
            parent_referral_id: None,
            from_unit_id: 99,
            from_user_id: 99,
            to_unit_id: to_unit,
            to_user_id: to_user,
            purpose: Purpose::Action,
            instructions: None,
            due_at: None,
            status: ReferralStatus::Sent,
            outcome: None,
            action_note: None,
            sent_at: at(),
            received_at: None,
            received_by: None,
            completed_at: None,
            completed_by: None,
            version: 1,
        }
    }

    #[test]
    fn a_unit_queue_is_held_by_its_members_and_the_heads_above_it() {
        let queue = referral(10, None);
        assert!(holds(&actor(1, 10, &[], vec![]), &queue), "a member of the unit");
        assert!(!holds(&actor(2, 11, &[], vec![]), &queue), "a member of another unit");
        assert!(holds(&actor(3, 5, &[5, 10, 11], vec![]), &queue), "the head of a unit above it");
    }

    #[test]
    fn a_personal_referral_is_held_by_that_person_and_the_heads_above_them_only() {
        let personal = referral(10, Some(1));
        assert!(holds(&actor(1, 10, &[], vec![]), &personal));
        assert!(!holds(&actor(2, 10, &[], vec![]), &personal), "a colleague in the same unit does not hold it");
        assert!(holds(&actor(3, 5, &[10], vec![]), &personal), "the unit's head does");
    }

    #[test]
    fn a_deputy_holds_and_acts_on_the_managers_authority() {
        let manager = Delegator { user_id: 7, unit_id: 20, managed_unit_ids: vec![20, 21] };
        let deputy = actor(8, 30, &[], vec![manager]);
        for r in [referral(20, None), referral(21, Some(40)), referral(30, Some(7))] {
            assert!(holds(&deputy, &r), "{r:?}");
        }
        // Through the manager's referral, the deputy acts on the manager's behalf ...
        assert_eq!(acting(&deputy, Some(&referral(21, None))).on_behalf_of, Some(7));
        // ... through one of their own, on their own.
        assert_eq!(acting(&deputy, Some(&referral(30, Some(8)))).on_behalf_of, None);
        assert!(!holds(&deputy, &referral(22, None)), "outside the manager's units");
    }
}
