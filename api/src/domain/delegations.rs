//! Delegation: a manager hands their authority to a deputy for a period (leave, travel). While it is in force the
//! deputy sees and acts on the manager's work (`Actor::delegators`), and every event they record names the manager
//! as "on behalf of". It ends by itself at `ends_at`; the manager, the deputy or an administrator can end it sooner.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;
use shared_types::limits::MAX_NOTE;
use shared_types::{AuditAction, Delegation, ErrorCode, NewDelegation, Role};

use super::actor::{Actor, roles_of};
use super::audit::{self, Object, Who};
use super::views::Refs;
use super::{naive, now, policy, utc};
use crate::db::DbConn;
use crate::error::{ApiError, Validator};
use crate::models::DelegationRow;
use crate::schema::{delegations, users};

/// The longest a delegation may run.
pub const MAX_DAYS: i64 = 365;

fn view(conn: &mut DbConn, rows: &[DelegationRow]) -> Result<Vec<Delegation>, ApiError> {
    let users = rows.iter().flat_map(|d| [d.delegator_user_id, d.deputy_user_id]);
    let refs = Refs::load(conn, [], users, [])?;
    let at = now();
    Ok(rows
        .iter()
        .map(|d| Delegation {
            id: d.id,
            delegator: refs.user(d.delegator_user_id),
            deputy: refs.user(d.deputy_user_id),
            starts_at: utc(d.starts_at),
            ends_at: utc(d.ends_at),
            note: d.note.clone(),
            ended_at: d.revoked_at.map(utc),
            active: d.revoked_at.is_none() && d.starts_at <= at && at < d.ends_at,
        })
        .collect())
}

/// Delegate a manager's authority: the caller's own, or (administrators) any manager's.
pub fn create(conn: &mut DbConn, actor: &Actor, req: &NewDelegation) -> Result<Delegation, ApiError> {
    let delegator = req.delegator_user_id.unwrap_or(actor.id());
    if delegator != actor.id() {
        policy::ensure_admin(actor)?;
    } else if !actor.has(Role::Manager) {
        return Err(ApiError::forbidden("Only managers delegate their authority."));
    }
    let mut v = Validator::new();
    if delegator != actor.id() {
        match users::table.find(delegator).select(users::active).first::<bool>(conn).optional()? {
            None => v.add("delegator_user_id", "not_found", format!("no user {delegator}")),
            Some(_) if !roles_of(conn, delegator)?.contains(&Role::Manager) => {
                v.add("delegator_user_id", "invalid", "only a manager's authority can be delegated")
            }
            Some(_) => {}
        }
    }
    if req.deputy_user_id == delegator {
        v.add("deputy_user_id", "invalid", "a manager cannot be their own deputy");
    } else {
        match users::table.find(req.deputy_user_id).select(users::active).first::<bool>(conn).optional()? {
            None => v.add("deputy_user_id", "not_found", format!("no user {}", req.deputy_user_id)),
            Some(false) => v.add("deputy_user_id", "disabled", "this user is disabled"),
            Some(true) => {
                let roles = roles_of(conn, req.deputy_user_id)?;
                if !roles
                    .iter()
                    .any(|r| matches!(r, Role::Manager | Role::Employee | Role::RegistryClerk | Role::Admin))
                {
                    v.add("deputy_user_id", "not_allowed", "the deputy must be a member of staff, not only an auditor");
                }
            }
        }
    }
    let at = now();
    let starts_at = req.starts_at.map(naive).unwrap_or(at);
    let ends_at = naive(req.ends_at);
    if ends_at <= starts_at {
        v.add("ends_at", "out_of_range", "must be after the start");
    } else if ends_at <= at {
        v.add("ends_at", "out_of_range", "must be in the future");
    } else if ends_at - starts_at > Duration::days(MAX_DAYS) {
        v.add("ends_at", "out_of_range", format!("a delegation runs at most {MAX_DAYS} days"));
    }
    v.optional_text("note", req.note.as_deref(), MAX_NOTE);
    v.finish()?;
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let row: DelegationRow = diesel::insert_into(delegations::table)
        .values((
            delegations::delegator_user_id.eq(delegator),
            delegations::deputy_user_id.eq(req.deputy_user_id),
            delegations::starts_at.eq(starts_at),
            delegations::ends_at.eq(ends_at),
            delegations::note.eq(note),
            delegations::created_by.eq(actor.id()),
            delegations::created_at.eq(at),
        ))
        .returning(delegations::all_columns)
        .get_result(conn)?;
    let details = json!({"delegation": row.id, "deputy_user_id": row.deputy_user_id, "starts_at": starts_at,
                         "ends_at": ends_at, "note": note});
    audit::record(conn, &Who::of(actor), AuditAction::DelegationGranted, Object::User(delegator), details)?;
    Ok(view(conn, &[row])?.remove(0))
}

/// The delegations the caller gave or received, newest first.
pub fn list(conn: &mut DbConn, actor: &Actor) -> Result<Vec<Delegation>, ApiError> {
    let rows: Vec<DelegationRow> = delegations::table
        .filter(delegations::delegator_user_id.eq(actor.id()).or(delegations::deputy_user_id.eq(actor.id())))
        .order(delegations::id.desc())
        .limit(200)
        .select(DelegationRow::as_select())
        .load(conn)?;
    view(conn, &rows)
}

/// End a delegation now: its manager, its deputy or an administrator. Ending one that is over changes nothing.
pub fn end(conn: &mut DbConn, actor: &Actor, id: i64) -> Result<(), ApiError> {
    let row: DelegationRow = delegations::table
        .find(id)
        .select(DelegationRow::as_select())
        .first(conn)
        .optional()?
        .filter(|d| actor.is_admin() || d.delegator_user_id == actor.id() || d.deputy_user_id == actor.id())
        .ok_or_else(|| ApiError::not_found(ErrorCode::DelegationNotFound, format!("No delegation {id} of yours.")))?;
    let at = now();
    if row.revoked_at.is_some() || row.ends_at <= at {
        return Ok(());
    }
    diesel::update(delegations::table.find(id).filter(delegations::revoked_at.is_null()))
        .set((delegations::revoked_at.eq(at), delegations::revoked_by.eq(actor.id())))
        .execute(conn)?;
    audit::record(
        conn,
        &Who::of(actor),
        AuditAction::DelegationEnded,
        Object::User(row.delegator_user_id),
        json!({"delegation": id, "deputy_user_id": row.deputy_user_id}),
    )
}
