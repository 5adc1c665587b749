//! Opening referrals: checking the targets a step names (units and users that exist, are active, belong together
//! and are cleared), and opening one referral per target with its `referred` event, for any number of steps at once.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;
use shared_types::limits::{MAX_NOTE, MAX_TARGETS};
use shared_types::{Confidentiality, EventKind, ReferralStatus, ReferralTarget};

use crate::columns::AsText;
use crate::db::{self, DbConn};
use crate::domain::actor::Actor;
use crate::domain::naive;
use crate::domain::timeline::Events;
use crate::error::{ApiError, Validator};
use crate::models::{NewReferralRow, ReferralRow, TransactionRow, UnitRow, UserRow};
use crate::schema::{units, users};

/// Check referral targets: units and users exist, are active, and each user belongs to the named unit and is
/// cleared for the transaction. `units` holds the rows of the target units (more may be there).
pub(in crate::domain) fn check_targets(
    v: &mut Validator,
    field: &str,
    targets: &[ReferralTarget],
    units: &[UnitRow],
    users: &[UserRow],
    confidentiality: Confidentiality,
) {
    for (i, t) in targets.iter().enumerate() {
        let f = |name: &str| format!("{field}[{i}].{name}");
        match units.iter().find(|u| u.id == t.unit_id) {
            None => v.add(f("unit_id"), "not_found", format!("no unit {}", t.unit_id)),
            Some(u) if !u.active => v.add(f("unit_id"), "disabled", "this unit is disabled"),
            Some(_) => {}
        }
        if let Some(user_id) = t.user_id {
            match users.iter().find(|u| u.id == user_id) {
                None => v.add(f("user_id"), "not_found", format!("no user {user_id}")),
                Some(u) if !u.active => v.add(f("user_id"), "disabled", "this user is disabled"),
                Some(u) if u.unit_id != t.unit_id => {
                    v.add(f("user_id"), "invalid", "this user does not belong to the named unit")
                }
                Some(u) if u.clearance < confidentiality => {
                    v.add(f("user_id"), "insufficient_clearance", "this user is not cleared for the transaction")
                }
                Some(_) => {}
            }
        }
        v.optional_text(&f("instructions"), t.instructions.as_deref(), MAX_NOTE);
        if targets[..i].iter().any(|o| o.unit_id == t.unit_id && o.user_id == t.user_id) {
            v.add(f("unit_id"), "duplicate", "the same unit/user is named twice");
        }
    }
}

/// The users referral targets name.
pub(in crate::domain) fn target_users(conn: &mut DbConn, targets: &[ReferralTarget]) -> Result<Vec<UserRow>, ApiError> {
    let ids: Vec<i64> = targets.iter().filter_map(|t| t.user_id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(users::table.filter(users::id.eq_any(&ids)).select(UserRow::as_select()).load(conn)?)
}

/// Check referral targets: units and users exist, are active, and each user belongs to the named unit.
pub fn validate_targets(
    conn: &mut DbConn,
    v: &mut Validator,
    field: &str,
    targets: &[ReferralTarget],
    required: bool,
    confidentiality: Confidentiality,
) -> Result<(), ApiError> {
    if !count_targets(v, field, targets, required) {
        return Ok(());
    }
    let unit_ids: Vec<i64> = targets.iter().map(|t| t.unit_id).collect();
    let units: Vec<UnitRow> =
        units::table.filter(units::id.eq_any(&unit_ids)).select(UnitRow::as_select()).load(conn)?;
    let users = target_users(conn, targets)?;
    check_targets(v, field, targets, &units, &users, confidentiality);
    Ok(())
}

/// Check how many targets there are; false when too many to look at further.
pub(in crate::domain) fn count_targets(
    v: &mut Validator,
    field: &str,
    targets: &[ReferralTarget],
    required: bool,
) -> bool {
    if required && targets.is_empty() {
        v.add(field, "required", "name at least one unit or user to refer to");
    }
    if targets.len() > MAX_TARGETS {
        v.add(field, "too_many", format!("at most {MAX_TARGETS} referrals at once"));
        return false;
    }
    true
}

/// The event of the step that opens referrals (registered, forwarded, returned), written ahead of their `referred`
/// events in the same statements.
pub struct Lead {
    pub kind: EventKind,
    pub referral_id: Option<i64>,
    pub details: serde_json::Value,
}

/// The referrals one step opens on a transaction: from the actor to each target, after the step's own event.
pub struct Opening<'a> {
    pub actor: &'a Actor,
    pub transaction: &'a TransactionRow,
    pub parent: Option<&'a ReferralRow>,
    pub targets: &'a [ReferralTarget],
    pub lead: Option<Lead>,
}

/// Open the referrals of several steps at once, each with a `referred` event after its step's lead event: one
/// statement for every referral, one for every event, one for their audit entries. Answers each step's referrals.
pub fn open_all(
    conn: &mut DbConn,
    at: NaiveDateTime,
    steps: &[Opening<'_>],
) -> Result<Vec<Vec<ReferralRow>>, ApiError> {
    let rows: Vec<NewReferralRow> = steps
        .iter()
        .flat_map(|step| {
            step.targets.iter().map(move |target| NewReferralRow {
                transaction_id: step.transaction.id,
                parent_referral_id: step.parent.map(|p| p.id),
                from_unit_id: step.actor.unit.id,
                from_user_id: step.actor.id(),
                to_unit_id: target.unit_id,
                to_user_id: target.user_id,
                purpose: AsText(target.purpose),
                instructions: target.instructions.as_deref().filter(|s| !s.trim().is_empty()),
                due_at: target.due_at.map(naive).or(step.transaction.due_at),
                status: AsText(ReferralStatus::Sent),
                sent_at: at,
                version: 1,
            })
        })
        .collect();
    let mut inserted = db::insert_referrals(conn, &rows)?.into_iter();
    let opened: Vec<Vec<ReferralRow>> =
        steps.iter().map(|step| inserted.by_ref().take(step.targets.len()).collect()).collect();
    let mut events = Events::default();
    for (step, rows) in steps.iter().zip(&opened) {
        if let Some(lead) = &step.lead {
            events.push(step.actor, step.transaction.id, lead.referral_id, lead.kind, at, &lead.details);
        }
        for row in rows {
            let details = json!({
                "to_unit_id": row.to_unit_id,
                "to_user_id": row.to_user_id,
                "purpose": row.purpose,
                "instructions": row.instructions,
                "parent_referral_id": row.parent_referral_id,
            });
            events.push(step.actor, step.transaction.id, Some(row.id), EventKind::Referred, at, &details);
        }
    }
    events.write(conn)?;
    Ok(opened)
}

/// Open referrals from the actor to each target, each with a `referred` event (after the `lead` event, if any).
pub fn open_referrals(
    conn: &mut DbConn,
    actor: &Actor,
    t: &TransactionRow,
    parent: Option<&ReferralRow>,
    targets: &[ReferralTarget],
    at: NaiveDateTime,
    lead: Option<Lead>,
) -> Result<Vec<ReferralRow>, ApiError> {
    let step = Opening { actor, transaction: t, parent, targets, lead };
    Ok(open_all(conn, at, std::slice::from_ref(&step))?.pop().unwrap_or_default())
}
