//! Routing: receive, refer, forward, return, complete, annotate, decide, close, reopen, archive. Every state change
//! of a referral is a conditional update on its version, so of two people acting on the same referral at the same
//! moment exactly one wins and the other is told why.

pub mod opening;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;
use shared_types::{
    DecisionRequest, ErrorCode, EventKind, ForwardRequest, Referral, ReferralActionRequest, ReferralOutcome,
    ReferralStatus, ReferralTarget, StatusChangeRequest, Transaction, TransactionStatus, TransactionWithReferrals,
};

use opening::{Lead, open_referrals, validate_targets};
use shared_types::limits::MAX_NOTE;

use super::actor::Actor;
use super::timeline::record;
use super::{now, policy, views};
use crate::columns::AsText;
use crate::db::DbConn;
use crate::domain::ids::{ReferralId, TransactionId};
use crate::error::{ApiError, Validator};
use crate::models::{ReferralRow, TransactionRow};
use crate::schema::{referrals, transactions};

/// Apply a change to a referral only if nobody changed it since it was read.
fn bump_referral<F>(conn: &mut DbConn, r: &ReferralRow, change: F) -> Result<ReferralRow, ApiError>
where
    F: FnOnce(&mut DbConn, i64, i32) -> QueryResult<Option<ReferralRow>>,
{
    match change(conn, r.id, r.version)? {
        Some(updated) => Ok(updated),
        None => {
            let AsText(status): AsText<ReferralStatus> =
                referrals::table.find(r.id).select(referrals::status).first(conn)?;
            if status == ReferralStatus::Completed {
                Err(ApiError::conflict(
                    ErrorCode::ReferralAlreadyCompleted,
                    "Someone else completed or forwarded this referral a moment ago.",
                ))
            } else {
                Err(ApiError::conflict(ErrorCode::VersionConflict, "This referral changed a moment ago; reload it."))
            }
        }
    }
}

fn mark_received(
    conn: &mut DbConn,
    actor: &Actor,
    r: &ReferralRow,
    at: NaiveDateTime,
) -> Result<ReferralRow, ApiError> {
    let me = actor.id();
    let updated = bump_referral(conn, r, |conn, id, version| {
        diesel::update(
            referrals::table
                .find(id)
                .filter(referrals::version.eq(version))
                .filter(referrals::status.eq(AsText(ReferralStatus::Sent))),
        )
        .set((
            referrals::status.eq(AsText(ReferralStatus::Received)),
            referrals::received_at.eq(at),
            referrals::received_by.eq(me),
            referrals::version.eq(version + 1),
        ))
        .returning(referrals::all_columns)
        .get_result(conn)
        .optional()
    })?;
    record(conn, r.transaction_id, Some(r.id), EventKind::Received, actor, at, json!({}))?;
    Ok(updated)
}

/// Complete a referral with an outcome.
fn finish(
    conn: &mut DbConn,
    actor: &Actor,
    r: &ReferralRow,
    outcome: ReferralOutcome,
    note: Option<&str>,
    at: NaiveDateTime,
) -> Result<ReferralRow, ApiError> {
    // Acting on a referral acknowledges it; closing the transaction completes copies nobody opened without
    // pretending anyone received them.
    let r = if r.status == ReferralStatus::Sent && outcome != ReferralOutcome::Closed {
        mark_received(conn, actor, r, at)?
    } else {
        r.clone()
    };
    let me = actor.id();
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    bump_referral(conn, &r, |conn, id, version| {
        diesel::update(
            referrals::table
                .find(id)
                .filter(referrals::version.eq(version))
                .filter(referrals::status.ne(AsText(ReferralStatus::Completed))),
        )
        .set((
            referrals::status.eq(AsText(ReferralStatus::Completed)),
            referrals::outcome.eq(AsText(outcome)),
            referrals::action_note.eq(note),
            referrals::completed_at.eq(at),
            referrals::completed_by.eq(me),
            referrals::version.eq(version + 1),
        ))
        .returning(referrals::all_columns)
        .get_result(conn)
        .optional()
    })
}

/// Load a referral the actor holds, open, on an open transaction, at the version they read; answers the actor as
/// they act on it (on a delegator's behalf when the referral is the delegator's).
fn held_referral(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReferralId,
    expected_version: Option<i32>,
) -> Result<(ReferralRow, TransactionRow, Actor), ApiError> {
    let (r, t) = policy::visible_referral(conn, actor, id)?;
    let t = policy::lock_open(conn, &t)?;
    policy::may_act_on(actor, &t, &r)?;
    policy::ensure_version(expected_version, r.version)?;
    let acting = policy::acting(actor, Some(&r));
    Ok((r, t, acting))
}

fn one(conn: &mut DbConn, r: &ReferralRow) -> Result<Referral, ApiError> {
    let mut v = views::referrals(conn, std::slice::from_ref(r))?;
    v.pop().ok_or_else(|| ApiError::internal("referral view missing"))
}

/// Acknowledge a referral.
pub fn receive(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReferralId,
    expected_version: Option<i32>,
) -> Result<Referral, ApiError> {
    let (r, t, acting) = held_referral(conn, actor, id, expected_version)?;
    policy::may_receive(actor, &t, &r)?;
    let actor = &acting;
    let updated = mark_received(conn, actor, &r, now())?;
    one(conn, &updated)
}

/// Forward: complete my referral and open new ones under it.
pub fn forward(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReferralId,
    req: &ForwardRequest,
) -> Result<TransactionWithReferrals, ApiError> {
    let (r, t, acting) = held_referral(conn, actor, id, req.expected_version)?;
    let actor = &acting;
    let mut v = Validator::new();
    validate_targets(conn, &mut v, "targets", &req.targets, true, t.confidentiality)?;
    v.optional_text("note", req.note.as_deref(), MAX_NOTE);
    v.finish()?;
    let at = now();
    let done = finish(conn, actor, &r, ReferralOutcome::Forwarded, req.note.as_deref(), at)?;
    let lead = Lead { kind: EventKind::Forwarded, referral_id: Some(r.id), details: json!({"note": done.action_note}) };
    let opened = open_referrals(conn, actor, &t, Some(&done), &req.targets, at, Some(lead))?;
    views::with_referrals(conn, actor, &t, &opened)
}

/// Return my referral to whoever sent it.
pub fn return_to_sender(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReferralId,
    req: &ReferralActionRequest,
) -> Result<TransactionWithReferrals, ApiError> {
    let (r, t, acting) = held_referral(conn, actor, id, req.expected_version)?;
    let actor = &acting;
    let mut v = Validator::new();
    v.optional_text("note", req.note.as_deref(), MAX_NOTE);
    v.finish()?;
    let at = now();
    let done = finish(conn, actor, &r, ReferralOutcome::Returned, req.note.as_deref(), at)?;
    let lead = Lead { kind: EventKind::Returned, referral_id: Some(r.id), details: json!({"note": done.action_note}) };
    let back = ReferralTarget {
        unit_id: r.from_unit_id,
        user_id: Some(r.from_user_id),
        purpose: r.purpose,
        instructions: done.action_note.clone(),
        due_at: None,
    };
    let opened = open_referrals(conn, actor, &t, Some(&done), std::slice::from_ref(&back), at, Some(lead))?;
    views::with_referrals(conn, actor, &t, &opened)
}

/// Complete my referral with an action note.
pub fn complete(
    conn: &mut DbConn,
    actor: &Actor,
    id: ReferralId,
    req: &ReferralActionRequest,
) -> Result<Referral, ApiError> {
    let (r, t, acting) = held_referral(conn, actor, id, req.expected_version)?;
    let actor = &acting;
    let mut v = Validator::new();
    v.text("note", req.note.as_deref().unwrap_or(""), MAX_NOTE);
    v.finish()?;
    let at = now();
    let done = finish(conn, actor, &r, ReferralOutcome::Completed, req.note.as_deref(), at)?;
    record(conn, t.id, Some(r.id), EventKind::Completed, actor, at, json!({"note": done.action_note}))?;
    one(conn, &done)
}

/// Refer the transaction further without giving up what I hold (parallel routing, copies).
pub fn refer(
    conn: &mut DbConn,
    actor: &Actor,
    transaction_id: TransactionId,
    targets: &[ReferralTarget],
) -> Result<TransactionWithReferrals, ApiError> {
    let t = policy::visible_transaction(conn, actor, transaction_id)?;
    let t = policy::lock_open(conn, &t)?;
    let open = policy::open_referrals(conn, &t)?;
    let parent = policy::may_refer(actor, &t, &open)?.cloned();
    let actor = &policy::acting(actor, parent.as_ref());
    let mut v = Validator::new();
    validate_targets(conn, &mut v, "targets", targets, true, t.confidentiality)?;
    v.finish()?;
    let opened = open_referrals(conn, actor, &t, parent.as_ref(), targets, now(), None)?;
    views::with_referrals(conn, actor, &t, &opened)
}

/// Add a note to the timeline. Any member of staff who can see an open transaction may annotate it (auditors only
/// read).
pub fn annotate(
    conn: &mut DbConn,
    actor: &Actor,
    transaction_id: TransactionId,
    text: &str,
) -> Result<Transaction, ApiError> {
    let t = policy::visible_transaction(conn, actor, transaction_id)?;
    policy::may_annotate(actor, &t)?;
    let t = policy::lock_open(conn, &t)?;
    let mut v = Validator::new();
    v.text("text", text, MAX_NOTE);
    v.finish()?;
    let open = policy::open_referrals(conn, &t)?;
    let held = open.iter().find(|r| policy::holds(actor, r));
    let actor = &policy::acting(actor, held);
    record(conn, t.id, held.map(|r| r.id), EventKind::Annotated, actor, now(), json!({"text": text.trim()}))?;
    views::transaction(conn, actor, &t)
}

/// Record a decision (approve, reject, request information).
pub fn decide(
    conn: &mut DbConn,
    actor: &Actor,
    transaction_id: TransactionId,
    req: &DecisionRequest,
) -> Result<Transaction, ApiError> {
    let t = policy::visible_transaction(conn, actor, transaction_id)?;
    let t = policy::lock_open(conn, &t)?;
    let open = policy::open_referrals(conn, &t)?;
    let held = policy::may_decide(actor, &t, &open)?.cloned();
    let actor = &policy::acting(actor, held.as_ref());
    let mut v = Validator::new();
    v.optional_text("note", req.note.as_deref(), MAX_NOTE);
    v.finish()?;
    record(
        conn,
        t.id,
        held.map(|r| r.id),
        EventKind::DecisionRecorded,
        actor,
        now(),
        json!({"decision": req.decision, "note": req.note}),
    )?;
    views::transaction(conn, actor, &t)
}

fn status_conflict() -> ApiError {
    ApiError::conflict(ErrorCode::VersionConflict, "The transaction changed a moment ago; reload it.")
}

/// Close (حفظ) with a resolution. The closer must hold the last open referral for action, or speak for the owner
/// side when none is open; copies still open are completed with it.
pub fn close(
    conn: &mut DbConn,
    actor: &Actor,
    transaction_id: TransactionId,
    req: &StatusChangeRequest,
) -> Result<Transaction, ApiError> {
    let t = policy::visible_transaction(conn, actor, transaction_id)?;
    let t = policy::lock_open(conn, &t)?;
    let open = policy::open_referrals(conn, &t)?;
    let mine = policy::may_close(actor, &t, &open)?.cloned();
    policy::ensure_version(req.expected_version, t.version)?;
    let mut v = Validator::new();
    v.text("note", req.note.as_deref().unwrap_or(""), MAX_NOTE);
    v.finish()?;
    let blocked = policy::close_blocked_by(actor, &open);
    if blocked > 0 {
        return Err(ApiError::conflict(
            ErrorCode::OpenActionReferrals,
            format!("The transaction still has {blocked} open referral(s) for action held by others."),
        ));
    }
    let actor = &policy::acting(actor, mine.as_ref());
    let at = now();
    let resolution = req.note.as_deref().map(str::trim).unwrap_or_default();
    for r in &open {
        finish(conn, actor, r, ReferralOutcome::Closed, None, at)?;
    }
    let closed: TransactionRow = diesel::update(
        transactions::table
            .find(t.id)
            .filter(transactions::version.eq(t.version))
            .filter(transactions::status.eq(AsText(TransactionStatus::Open))),
    )
    .set((
        transactions::status.eq(AsText(TransactionStatus::Closed)),
        transactions::closed_at.eq(at),
        transactions::closed_by.eq(actor.id()),
        transactions::resolution.eq(resolution),
        transactions::version.eq(t.version + 1),
        transactions::updated_at.eq(at),
    ))
    .returning(transactions::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or_else(status_conflict)?;
    record(conn, t.id, mine.map(|r| r.id), EventKind::Closed, actor, at, json!({"resolution": resolution}))?;
    views::transaction(conn, actor, &closed)
}

/// Reopen a closed transaction, with a reason. Whoever reopens it without speaking for the owner side gets it back
/// for action, so it has a holder again.
pub fn reopen(
    conn: &mut DbConn,
    actor: &Actor,
    transaction_id: TransactionId,
    req: &StatusChangeRequest,
) -> Result<Transaction, ApiError> {
    let t = policy::visible_transaction(conn, actor, transaction_id)?;
    let owner = policy::may_reopen(actor, &t)? == policy::Reopener::Owner;
    policy::ensure_version(req.expected_version, t.version)?;
    let mut v = Validator::new();
    v.text("note", req.note.as_deref().unwrap_or(""), MAX_NOTE);
    v.finish()?;
    let at = now();
    let reopened: TransactionRow = diesel::update(
        transactions::table
            .find(t.id)
            .filter(transactions::version.eq(t.version))
            .filter(transactions::status.eq(AsText(TransactionStatus::Closed))),
    )
    .set((
        transactions::status.eq(AsText(TransactionStatus::Open)),
        transactions::closed_at.eq(None::<NaiveDateTime>),
        transactions::closed_by.eq(None::<i64>),
        transactions::resolution.eq(None::<String>),
        transactions::version.eq(t.version + 1),
        transactions::updated_at.eq(at),
    ))
    .returning(transactions::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or_else(status_conflict)?;
    record(conn, t.id, None, EventKind::Reopened, actor, at, json!({"reason": req.note.as_deref().map(str::trim)}))?;
    if !owner {
        let back = ReferralTarget {
            unit_id: actor.unit.id,
            user_id: Some(actor.id()),
            purpose: shared_types::Purpose::Action,
            instructions: req.note.clone(),
            due_at: None,
        };
        open_referrals(conn, actor, &reopened, None, std::slice::from_ref(&back), at, None)?;
    }
    views::transaction(conn, actor, &reopened)
}

/// Archive a closed transaction; it can no longer change.
pub fn archive(
    conn: &mut DbConn,
    actor: &Actor,
    transaction_id: TransactionId,
    req: &StatusChangeRequest,
) -> Result<Transaction, ApiError> {
    let t = policy::visible_transaction(conn, actor, transaction_id)?;
    policy::may_archive(actor, &t)?;
    policy::ensure_version(req.expected_version, t.version)?;
    let at = now();
    let archived: TransactionRow = diesel::update(
        transactions::table
            .find(t.id)
            .filter(transactions::version.eq(t.version))
            .filter(transactions::status.eq(AsText(TransactionStatus::Closed))),
    )
    .set((
        transactions::status.eq(AsText(TransactionStatus::Archived)),
        transactions::archived_at.eq(at),
        transactions::archived_by.eq(actor.id()),
        transactions::version.eq(t.version + 1),
        transactions::updated_at.eq(at),
    ))
    .returning(transactions::all_columns)
    .get_result(conn)
    .optional()?
    .ok_or_else(status_conflict)?;
    record(conn, t.id, None, EventKind::Archived, actor, at, json!({"note": req.note}))?;
    views::transaction(conn, actor, &archived)
}
